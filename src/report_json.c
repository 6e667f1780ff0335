/* report_json.c: the jsonl and json reporters (SPEC.md records), built with
 * json-c.  The only file that includes json-c.  Ownership follows json-c:
 * an object added to a parent belongs to the parent; only roots are put. */
#include "config.h"

#include "report.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util.h"

struct json_priv {
	bool			 document;	/* -o json: one document at the end */
	struct json_object	*connections;	/* document mode arrays */
	struct json_object	*events;
	struct json_object	*summary;
};

static struct json_object *
jstr(const char *s)
{
	char buf[1024];

	/* Everything that may come from outside (file names) is made valid
	 * UTF-8 first; json-c escapes the control characters. */
	utf8_sanitize(s, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static struct json_object *
jts(int64_t ts_ns, int digits)
{
	char buf[48];

	/* The text form is exact; the double is only json-c's bookkeeping. */
	ts_str(ts_ns, digits, buf, sizeof(buf));
	return json_object_new_double_s((double)ts_ns / 1e9, buf);
}

static struct json_object *
jseconds(int64_t ns, int digits)
{
	return jts(ns, digits);
}

static void
add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static void
add_ip(struct json_object *o, const char *k, const struct endpoint *ep)
{
	char buf[64];

	endpoint_addr_str(ep, buf, sizeof(buf));
	add(o, k, json_object_new_string(buf));
}

static void
emit(struct reporter *r, struct json_object *rec, struct json_object *doc_array)
{
	struct json_priv *p = r->priv;

	if (p->document) {
		json_object_array_add(doc_array, rec);
		return;
	}
	out_line(r->out, json_object_to_json_string_ext(rec,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(rec);
}

static void
json_begin(struct reporter *r, const struct input_info *in)
{
	(void)r;
	(void)in;
}

static void
json_event(struct reporter *r, const struct event *ev, const struct input_info *in)
{
	struct json_priv *p = r->priv;
	struct json_object *o = json_object_new_object(), *d;
	unsigned i;

	add(o, "type", json_object_new_string("event"));
	add(o, "kind", json_object_new_string(event_kind_name(ev->kind)));
	add(o, "severity", json_object_new_string(severity_name(ev->severity)));
	add(o, "ts", jts(ev->ts_ns, in->ts_digits));
	if (in->name_in_records)
		add(o, "file", jstr(in->name));
	add(o, "frame", json_object_new_uint64(ev->frame));
	if (ev->has_stream)
		add(o, "stream", json_object_new_uint64(ev->stream));
	if (ev->first_frame) {
		add(o, "first_frame", json_object_new_uint64(ev->first_frame));
		add(o, "last_frame", json_object_new_uint64(ev->last_frame));
	}
	if (ev->has_src) {
		add_ip(o, "src_ip", &ev->src);
		add(o, "src_port", json_object_new_int(ev->src.port));
	}
	add_ip(o, "dst_ip", &ev->dst);
	add(o, "dst_port", json_object_new_int(ev->dst.port));
	add(o, "message", jstr(ev->message));
	if (event_kind_hint(ev->kind)[0] != '\0')
		add(o, "hint", json_object_new_string(event_kind_hint(ev->kind)));
	d = json_object_new_object();
	for (i = 0; i < ev->ndetail; i++) {
		const struct detail_item *it = &ev->detail[i];
		struct json_object *v = NULL;
		char buf[64];

		switch (it->type) {
		case DT_INT:
			v = json_object_new_int64(it->v.i);
			break;
		case DT_UINT:
			v = json_object_new_uint64(it->v.u);
			break;
		case DT_DOUBLE:
			snprintf(buf, sizeof(buf), "%.6f", it->v.d);
			v = json_object_new_double_s(it->v.d, buf);
			break;
		case DT_STR:
			v = jstr(it->v.s);
			break;
		case DT_BOOL:
			v = json_object_new_boolean(it->v.b);
			break;
		}
		add(d, it->key, v);
	}
	add(o, "detail", d);
	emit(r, o, p->events);
}

static struct json_object *
side_object(const struct conn *c, unsigned i)
{
	const struct side *s = &c->side[i];
	struct json_object *o = json_object_new_object();
	struct endpoint ep;

	conn_endpoint(c, i, &ep);
	add_ip(o, "ip", &ep);
	add(o, "port", json_object_new_int(ep.port));
	add(o, "isn", (s->flags & SIDE_SYN) ? json_object_new_uint64(s->isn) : NULL);
	add(o, "packets", json_object_new_uint64(s->packets));
	add(o, "bytes", json_object_new_uint64(s->bytes));
	add(o, "retransmitted_bytes", json_object_new_uint64(s->retrans_bytes));
	add(o, "window_scale", (s->flags & SIDE_WSCALE) ? json_object_new_int(s->wscale) : NULL);
	add(o, "mss", (s->flags & SIDE_MSS) ? json_object_new_int(s->mss) : NULL);
	add(o, "sack_permitted", json_object_new_boolean(s->flags & SIDE_SACK_PERM));
	add(o, "timestamps", json_object_new_boolean(s->flags & SIDE_TS));
	return o;
}

static void
json_connection(struct reporter *r, const struct conn_report *cr)
{
	struct json_priv *p = r->priv;
	const struct conn *c = cr->c;
	struct json_object *o = json_object_new_object(), *fs, *rtt, *ev;
	int digits = cr->in->ts_digits;
	unsigned cl = c->client, sv = !c->client, i;
	char buf[80];

	add(o, "type", json_object_new_string("connection"));
	if (cr->in->name_in_records)
		add(o, "file", jstr(cr->in->name));
	add(o, "stream", json_object_new_uint64(c->stream));
	add(o, "client", side_object(c, cl));
	add(o, "server", side_object(c, sv));
	add(o, "first_frame", json_object_new_uint64(c->first_frame));
	add(o, "last_frame", json_object_new_uint64(c->last_frame));
	add(o, "start", jts(c->start_ns, digits));
	add(o, "end", jts(c->last_ns, digits));
	add(o, "duration", jseconds(c->last_ns - c->start_ns, digits));
	conn_community_id(c, buf, sizeof(buf));
	add(o, "community_id", json_object_new_string(buf));
	add(o, "handshake", json_object_new_string(conn_handshake_name(c)));
	add(o, "close", json_object_new_string(conn_close_name(c, cr->why)));
	fs = json_object_new_object();
	add(fs, "client", json_object_new_string(tcp_state_name(c->side[cl].state)));
	add(fs, "server", json_object_new_string(tcp_state_name(c->side[sv].state)));
	add(o, "final_state", fs);
	rtt = json_object_new_object();
	if (c->synack_us)
		add(rtt, "syn_synack", jseconds((int64_t)(c->synack_us - 1) * 1000, 6));
	if (c->ack_us)
		add(rtt, "synack_ack", jseconds((int64_t)(c->ack_us - 1) * 1000, 6));
	if (c->synack_us && c->ack_us)
		add(rtt, "handshake",
		    jseconds((int64_t)(c->synack_us - 1 + c->ack_us - 1) * 1000, 6));
	add(o, "rtt", rtt);
	conn_history(c, buf, sizeof(buf));
	add(o, "history", json_object_new_string(buf));
	ev = json_object_new_object();
	for (i = 0; i < CONN_EVENT_SLOTS; i++)
		if (c->ev_kind[i])
			add(ev, event_kind_name((enum event_kind)(c->ev_kind[i] - 1)),
			    json_object_new_int(c->ev_count[i]));
	if (c->ev_other)
		add(ev, "other", json_object_new_int(c->ev_other));
	add(o, "events", ev);
	if (c->cflags & CONN_RESUMED)
		add(o, "resumed", json_object_new_boolean(1));
	if (c->cflags & CONN_EVICTED)
		add(o, "evicted", json_object_new_boolean(1));
	emit(r, o, p->connections);
}

static void
json_summary(struct reporter *r, const struct summary *s)
{
	struct json_priv *p = r->priv;
	struct json_object *o = json_object_new_object(), *ev, *ls, *w, *mem, *files;
	const struct flow_counters *fc = s->flows;
	unsigned i;

	add(o, "type", json_object_new_string("summary"));
	files = json_object_new_array();
	for (i = 0; i < s->ninputs; i++)
		json_object_array_add(files, jstr(s->inputs[i]));
	add(o, "files", files);
	add(o, "packets", json_object_new_uint64(s->stats->packets));
	add(o, "tcp_packets", json_object_new_uint64(s->stats->tcp_packets));
	add(o, "bytes", json_object_new_uint64(s->stats->bytes));
	add(o, "connections", json_object_new_uint64(s->connections));
	ev = json_object_new_object();
	for (i = 0; i < EVK_COUNT; i++)
		if (s->events_by_kind[i])
			add(ev, event_kind_name((enum event_kind)i),
			    json_object_new_uint64(s->events_by_kind[i]));
	add(o, "events", ev);
	add(o, "peak_concurrent", json_object_new_uint64(s->peak_concurrent));
	ls = json_object_new_array();
	for (i = 0; i < s->nlisteners; i++) {
		const struct listener *l = &s->listeners[i];
		struct json_object *lo = json_object_new_object();

		add_ip(lo, "ip", &l->ep);
		add(lo, "port", json_object_new_int(l->ep.port));
		add(lo, "connections", json_object_new_uint64(l->connections));
		add(lo, "refused", json_object_new_uint64(l->refused));
		add(lo, "completed", json_object_new_uint64(l->completed));
		add(lo, "reset", json_object_new_uint64(l->reset));
		add(lo, "peak_half_open", json_object_new_uint64(l->peak_half_open));
		add(lo, "peak_established", json_object_new_uint64(l->peak_established));
		add(lo, "syn_rate_peak", json_object_new_uint64(l->syn_rate_peak));
		json_object_array_add(ls, lo);
	}
	add(o, "listeners", ls);
	if (s->listeners_dropped)
		add(o, "listeners_not_tracked", json_object_new_uint64(s->listeners_dropped));
	add(o, "start", s->have_time ? jts(s->start_ns, s->ts_digits) : NULL);
	add(o, "end", s->have_time ? jts(s->end_ns, s->ts_digits) : NULL);
	w = json_object_new_object();
	for (i = 0; i < WARN_COUNT; i++)
		if (s->stats->warn[i])
			add(w, warn_reason_name((enum warn_reason)i),
			    json_object_new_uint64(s->stats->warn[i]));
	add(o, "warnings", w);
	mem = json_object_new_object();
	add(mem, "capacity", json_object_new_uint64(fc->capacity));
	add(mem, "bytes_per_connection", json_object_new_uint64(fc->bytes_per_conn));
	add(mem, "peak_tracked", json_object_new_uint64(fc->peak_live));
	add(mem, "evicted", json_object_new_uint64(fc->evicted));
	add(mem, "expired_idle", json_object_new_uint64(fc->expired_idle));
	add(mem, "resumed", json_object_new_uint64(fc->resumed));
	add(o, "memory", mem);
	if (p->document) {
		if (p->summary != NULL)
			json_object_put(p->summary);
		p->summary = o;
		return;
	}
	out_line(r->out, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void
json_end(struct reporter *r)
{
	struct json_priv *p = r->priv;
	struct json_object *doc;

	if (!p->document)
		return;
	doc = json_object_new_object();
	add(doc, "connections", p->connections);
	add(doc, "events", p->events);
	add(doc, "summary", p->summary != NULL ? p->summary : json_object_new_object());
	p->connections = p->events = p->summary = NULL;
	out_line(r->out, json_object_to_json_string_ext(doc,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
}

static void
json_destroy(struct reporter *r)
{
	struct json_priv *p = r->priv;

	json_object_put(p->connections);
	json_object_put(p->events);
	json_object_put(p->summary);
	free(p);
	free(r);
}

static const struct reporter_ops json_ops = {
	.begin = json_begin,
	.event = json_event,
	.connection = json_connection,
	.summary = json_summary,
	.end = json_end,
	.destroy = json_destroy,
};

static struct reporter *
json_new(FILE *out, bool quiet, bool document)
{
	struct reporter *r = calloc(1, sizeof(*r));
	struct json_priv *p = calloc(1, sizeof(*p));

	if (r == NULL || p == NULL) {
		free(r);
		free(p);
		return NULL;
	}
	p->document = document;
	if (document) {
		p->connections = json_object_new_array();
		p->events = json_object_new_array();
	}
	r->ops = &json_ops;
	r->out = out;
	r->quiet = quiet;
	r->priv = p;
	return r;
}

struct reporter *
report_jsonl_new(FILE *out, bool quiet)
{
	return json_new(out, quiet, false);
}

struct reporter *
report_json_new(FILE *out, bool quiet)
{
	return json_new(out, quiet, true);
}
