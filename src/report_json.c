/* report_json.c: the jsonl and json reporters (SPEC.md records).
 *
 * Records are written by a small streaming writer straight into one
 * reused buffer: no allocation per record, which keeps JSON output within
 * the speed budget of the hot path (json-c builds a tree of allocated
 * nodes per record, several microseconds each).
 *
 * -o json streams its one document in constant memory.  Each record is
 * handed to json-c's parser (so json-c checks that it is valid JSON; it
 * keeps numbers' text as written), printed pretty at once and freed.
 * Connection records go straight out inside "connections"; events and
 * --at's socket records, which come between them but belong to later
 * members, wait in unlinked temporary files (TMPDIR, else /tmp) and are
 * copied out at the end, after which the summary follows.  The text is
 * byte for byte what json-c prints for the whole document.  The only file
 * that includes json-c. */
#include "config.h"

#include "report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "messages.h"
#include "util.h"

#define JW_DEPTH 8

/* Lines batched before one write (see jw_line). */
#define JW_BATCH	(64u << 10)

/* The streaming writer: one record at a time into buf, from start. */
struct jw {
	char	*buf;
	size_t	 len, cap;
	size_t	 start;			/* where the current record begins */
	bool	 batch;			/* finished lines stay in buf until
					 * JW_BATCH bytes are there */
	bool	 oom;			/* an append failed: drop the record */
	int	 depth;
	bool	 need_comma[JW_DEPTH];
};

/* One array member of the -o json document: its elements so far, and
 * where they wait when they cannot go out yet. */
struct doc_array {
	const char	*name;
	uint64_t	 n;
	FILE		*spool;		/* NULL: streamed, or nothing yet */
	bool		 lost;		/* the spool could not be written */
};

struct json_priv {
	bool			 document;	/* -o json: one document */
	struct jw		 w;
	/* -o json */
	bool			 started;	/* "{" and "connections" are out */
	bool			 finished;
	struct doc_array	 connections, events, sockets;
	char			*summary;	/* the final summary, printed */
	char			*piece;		/* a record printed pretty */
	size_t			 piece_cap;
};

static void
jw_grow(struct jw *w, size_t n)
{
	char *nb;
	size_t cap;

	if (w->oom)
		return;
	cap = w->cap ? w->cap : 1024;
	while (cap - w->len < n)
		cap *= 2;
	nb = realloc(w->buf, cap);	/* grows to the largest record, once */
	if (nb == NULL) {
		w->oom = true;
		return;
	}
	w->buf = nb;
	w->cap = cap;
}

static inline void
jw_reserve(struct jw *w, size_t n)
{
	if (w->cap - w->len < n)
		jw_grow(w, n);
}

static inline void
jw_raw(struct jw *w, const char *s, size_t n)
{
	jw_reserve(w, n);
	if (w->oom)
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static inline void
jw_char(struct jw *w, char ch)
{
	if (w->cap - w->len < 1)
		jw_reserve(w, 1);
	if (!w->oom)
		w->buf[w->len++] = ch;
}

/* A JSON string: control characters escaped, and every byte that is not
 * part of valid UTF-8 replaced by U+FFFD, so output is always valid.
 * Plain runs are copied whole; only non-ASCII text pays for the check. */
static void
jw_string(struct jw *w, const char *s)
{
	char tmp[4096];
	const char *p, *run;
	bool ascii = true;

	for (p = s; *p; p++)
		if ((unsigned char)*p >= 0x80) {
			ascii = false;
			break;
		}
	if (!ascii) {
		utf8_sanitize(s, tmp, sizeof(tmp));
		s = tmp;
	}
	jw_char(w, '"');
	for (run = p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		char esc[8];

		if (ch != '"' && ch != '\\' && ch >= 0x20)
			continue;
		jw_raw(w, run, (size_t)(p - run));
		run = p + 1;
		if (ch == '"' || ch == '\\') {
			esc[0] = '\\';
			esc[1] = (char)ch;
			jw_raw(w, esc, 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			jw_raw(w, esc, 6);
		}
	}
	jw_raw(w, run, (size_t)(p - run));
	jw_char(w, '"');
}

static inline __attribute__((always_inline)) void
jw_sep(struct jw *w)
{
	if (w->need_comma[w->depth])
		jw_char(w, ',');
	w->need_comma[w->depth] = true;
}

/* "key": (keys are our own identifiers: no escaping needed) */
static inline __attribute__((always_inline)) void
jw_key(struct jw *w, const char *k)
{
	size_t n = strlen(k);

	jw_reserve(w, n + 4);
	if (w->oom)
		return;
	if (w->need_comma[w->depth])
		w->buf[w->len++] = ',';
	w->need_comma[w->depth] = true;
	w->buf[w->len++] = '"';
	memcpy(w->buf + w->len, k, n);
	w->len += n;
	w->buf[w->len++] = '"';
	w->buf[w->len++] = ':';
}

static inline __attribute__((always_inline)) void
jw_open(struct jw *w, const char *k, char ch)
{
	if (k != NULL)
		jw_key(w, k);
	else if (w->depth > 0)
		jw_sep(w);
	jw_char(w, ch);
	if (w->depth < JW_DEPTH - 1)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static inline __attribute__((always_inline)) void
jw_close(struct jw *w, char ch)
{
	jw_char(w, ch);
	if (w->depth > 0)
		w->depth--;
}

static inline __attribute__((always_inline)) void
jw_u64(struct jw *w, const char *k, uint64_t v)
{
	jw_key(w, k);
	jw_reserve(w, 20);
	if (!w->oom)
		w->len += u64_dec(w->buf + w->len, v);
}

static inline __attribute__((always_inline)) void
jw_i64(struct jw *w, const char *k, int64_t v)
{
	if (v < 0) {
		char tmp[24];
		int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);

		jw_key(w, k);
		jw_raw(w, tmp, (size_t)n);
		return;
	}
	jw_u64(w, k, (uint64_t)v);
}

static inline __attribute__((always_inline)) void
jw_str(struct jw *w, const char *k, const char *v)
{
	jw_key(w, k);
	jw_string(w, v);
}

/* A string that is ours by construction (a name from a table, an address,
 * a Community ID, a history): printable ASCII without quotes or
 * backslashes, so it is copied without the escaping pass. */
static inline __attribute__((always_inline)) void
jw_name(struct jw *w, const char *k, const char *v)
{
	size_t n = strlen(v);

	jw_key(w, k);
	jw_reserve(w, n + 2);
	if (w->oom)
		return;
	w->buf[w->len++] = '"';
	memcpy(w->buf + w->len, v, n);
	w->len += n;
	w->buf[w->len++] = '"';
}

static inline __attribute__((always_inline)) void
jw_bool(struct jw *w, const char *k, bool v)
{
	jw_key(w, k);
	jw_raw(w, v ? "true" : "false", v ? 4 : 5);
}

static inline __attribute__((always_inline)) void
jw_null(struct jw *w, const char *k)
{
	jw_key(w, k);
	jw_raw(w, "null", 4);
}

/* A time as an exact number: seconds with 6 or 9 fraction digits. */
static inline __attribute__((always_inline)) void
jw_ts(struct jw *w, const char *k, int64_t ts_ns, int digits)
{
	jw_key(w, k);
	jw_reserve(w, TS_MAX);
	if (!w->oom)
		w->len += ts_put(w->buf + w->len, ts_ns, digits);
}

static inline __attribute__((always_inline)) void
jw_ip(struct jw *w, const char *k, const struct endpoint *ep)
{
	char tmp[64];

	endpoint_addr_str(ep, tmp, sizeof(tmp));
	jw_name(w, k, tmp);
}

/* Fixed layouts (a connection's side objects, written for every record)
 * skip the per-field checks: jw_room() makes room for the whole object
 * once, then JF() appends a literal key with its punctuation and the jf_*
 * helpers a value, unchecked. */
static inline bool
jw_room(struct jw *w, size_t n)
{
	jw_reserve(w, n);
	return !w->oom;
}

#define JF(w, lit)	(memcpy((w)->buf + (w)->len, (lit), sizeof(lit) - 1), \
			 (w)->len += sizeof(lit) - 1)

static inline void
jf_u64(struct jw *w, uint64_t v)
{
	w->len += u64_dec(w->buf + w->len, v);
}

static inline void
jf_ts(struct jw *w, int64_t ts_ns, int digits)
{
	w->len += ts_put(w->buf + w->len, ts_ns, digits);
}

/* v, or null when the capture did not show it */
static inline void
jf_opt_u64(struct jw *w, bool known, uint64_t v)
{
	if (known)
		jf_u64(w, v);
	else
		JF(w, "null");
}

static inline void
jf_bool(struct jw *w, bool v)
{
	if (v)
		JF(w, "true");
	else
		JF(w, "false");
}

static void
jw_begin(struct jw *w)
{
	w->start = w->batch ? w->len : 0;
	w->len = w->start;
	w->oom = false;
	w->depth = 0;
	w->need_comma[0] = false;
	jw_char(w, '{');
	w->depth = 1;
	w->need_comma[1] = false;
}

/* Close the record and terminate the buffer; false (said) when a write
 * ran out of memory and the record is to be dropped. */
static bool
jw_finish(struct jw *w)
{
	jw_char(w, '}');
	jw_char(w, '\0');	/* for json-c's parser; a line ends in '\n' */
	if (w->oom) {
		w->len = w->start;	/* the lines before it stay */
		diag(NULL, "out of memory writing a record; record dropped");
		return false;
	}
	return true;
}

/* Write out the lines kept in the buffer. */
static void
jw_flush(struct reporter *r, struct jw *w)
{
	if (w->len > 0)
		out_write(r->out, w->buf, w->len);
	w->len = w->start = 0;
}

/* The finished record as a line.  Batched (a file or pipe, not live):
 * lines collect in the record buffer and leave in writes of JW_BATCH
 * bytes or more, which stdio passes to write(2) without copying them
 * into its own buffer; else each line is written as it is made. */
static void
jw_line(struct reporter *r, struct jw *w)
{
	w->buf[w->len - 1] = '\n';
	if (!w->batch || w->len >= JW_BATCH)
		jw_flush(r, w);
}

/* The record in w->buf (NUL-terminated), parsed by json-c and printed as
 * json-c prints it at its place in the document: every line but the first
 * indented by indent spaces, the first too when first_too.  In p->piece;
 * false (said) when it is not valid JSON or memory ran out. */
static bool
doc_piece(struct json_priv *p, unsigned indent, bool first_too, size_t *len)
{
	struct json_object *o = json_tokener_parse(p->w.buf);
	const char *txt, *q;
	size_t need, n = 0, lines = 1;

	if (o == NULL) {	/* our bug, not the input's: say so */
		diag(NULL, "internal error: invalid JSON record dropped: %.200s", p->w.buf);
		return false;
	}
	txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	for (q = txt; *q; q++)
		lines += *q == '\n';
	need = (size_t)(q - txt) + lines * indent + 1;
	if (need > p->piece_cap) {
		char *nb = realloc(p->piece, need);	/* to the largest record */

		if (nb == NULL) {
			json_object_put(o);
			diag(NULL, "out of memory writing a record; record dropped");
			return false;
		}
		p->piece = nb;
		p->piece_cap = need;
	}
	for (q = txt; ; q++) {
		if (q == txt ? first_too : q[-1] == '\n') {
			memset(p->piece + n, ' ', indent);
			n += indent;
		}
		if (*q == '\0')
			break;
		p->piece[n++] = *q;
	}
	p->piece[n] = '\0';
	json_object_put(o);
	*len = n;
	return true;
}

/* An unlinked temporary file in TMPDIR (else /tmp), or NULL (said). */
static FILE *
spool_open(void)
{
	return tmp_open("-o json");
}

/* The document's head, once: "{" and the opening of "connections". */
static void
doc_start(struct reporter *r)
{
	struct json_priv *p = r->priv;

	if (p->started)
		return;
	p->started = true;
	out_write(r->out, "{\n  \"connections\": [\n", 21);
}

/* Add the piece (len bytes) to array a: out now for connections, else to
 * a's spool. */
static void
doc_add(struct reporter *r, struct doc_array *a, size_t len)
{
	struct json_priv *p = r->priv;

	doc_start(r);
	if (a == &p->connections) {
		if (a->n++ > 0)
			out_write(r->out, ",\n", 2);
		out_write(r->out, p->piece, len);
		return;
	}
	if (a->lost)
		return;
	if (a->spool == NULL && (a->spool = spool_open()) == NULL) {
		a->lost = true;
		return;
	}
	if ((a->n > 0 && fwrite(",\n", 1, 2, a->spool) != 2) ||
	    fwrite(p->piece, 1, len, a->spool) != len) {
		diag(NULL, "cannot write the temporary file for -o json: %s", strerror(errno));
		a->lost = true;
		return;
	}
	a->n++;
}

/* The member "name": [...], its spooled elements copied out. */
static void
doc_array_out(struct reporter *r, struct doc_array *a)
{
	char buf[64 << 10];
	size_t n;

	out_printf(r->out, ",\n  \"%s\": [\n", a->name);
	if (a->spool != NULL) {
		fflush(a->spool);
		rewind(a->spool);
		while ((n = fread(buf, 1, sizeof(buf), a->spool)) > 0)
			out_write(r->out, buf, n);
		if (ferror(a->spool) && !a->lost)
			diag(NULL, "cannot read the temporary file for -o json: %s",
			    strerror(errno));
		fclose(a->spool);
		a->spool = NULL;
	}
	if (a->lost)
		diag(NULL, "-o json: %s records were lost (see above)", a->name);
	out_write(r->out, a->n > 0 ? "\n  ]" : "  ]", a->n > 0 ? 4 : 3);
}

/* The document's end: the connections closed, the events, the summary,
 * the sockets of --at. */
static void
doc_finish(struct reporter *r)
{
	struct json_priv *p = r->priv;

	if (p->finished)
		return;
	p->finished = true;
	doc_start(r);
	out_write(r->out, p->connections.n > 0 ? "\n  ]" : "  ]", p->connections.n > 0 ? 4 : 3);
	doc_array_out(r, &p->events);
	out_printf(r->out, ",\n  \"summary\": %s", p->summary != NULL ? p->summary : "{\n  }");
	if (p->sockets.n > 0 || p->sockets.lost)
		doc_array_out(r, &p->sockets);
	out_write(r->out, "\n}\n", 3);
}

/* Finish the record: a line for jsonl; for the document, an element of
 * doc_array, or the summary when doc_array is NULL. */
static void
jw_end(struct reporter *r, struct doc_array *doc_array)
{
	struct json_priv *p = r->priv;
	struct jw *w = &p->w;
	size_t len;

	if (!jw_finish(w))
		return;
	if (!p->document) {
		jw_line(r, w);
		return;
	}
	w->len = 0;
	if (doc_array == NULL) {
		char *sum;

		if (!doc_piece(p, 2, false, &len))
			return;
		if ((sum = strdup(p->piece)) == NULL) {
			diag(NULL, "out of memory writing the summary");
			return;
		}
		free(p->summary);
		p->summary = sum;
		return;
	}
	if (doc_piece(p, 4, true, &len))
		doc_add(r, doc_array, len);
}

static void
json_event(struct reporter *r, const struct event *ev, const struct input_info *in)
{
	struct json_priv *p = r->priv;
	struct jw *w = &p->w;
	unsigned i;

	jw_begin(w);
	jw_name(w, "type", "event");
	jw_name(w, "kind", event_kind_name(ev->kind));
	jw_name(w, "severity", severity_name(ev->severity));
	jw_ts(w, "ts", ev->ts_ns, in->ts_digits);
	jw_i64(w, "ts_ns", ev->ts_ns);
	if (in->name_in_records)
		jw_str(w, "file", in->name);
	jw_u64(w, "frame", ev->frame);
	if (ev->has_stream)
		jw_u64(w, "stream", ev->stream);
	if (ev->first_frame) {
		jw_u64(w, "first_frame", ev->first_frame);
		jw_u64(w, "last_frame", ev->last_frame);
	}
	if (ev->has_src) {
		jw_ip(w, "src_ip", &ev->src);
		jw_u64(w, "src_port", ev->src.port);
	}
	jw_ip(w, "dst_ip", &ev->dst);
	jw_u64(w, "dst_port", ev->dst.port);
	jw_str(w, "message", ev->message);
	if (event_kind_hint(ev->kind)[0] != '\0')
		jw_name(w, "hint", event_kind_hint(ev->kind));	/* test_report checks */
	jw_open(w, "detail", '{');
	for (i = 0; i < ev->ndetail; i++) {
		const struct detail_item *it = &ev->detail[i];
		char tmp[64];

		switch (it->type) {
		case DT_INT:
			jw_i64(w, it->key, it->v.i);
			break;
		case DT_UINT:
			jw_u64(w, it->key, it->v.u);
			break;
		case DT_DOUBLE:
			/* finite by construction (event_detail_double) */
			snprintf(tmp, sizeof(tmp), "%.6f", it->v.d);
			jw_key(w, it->key);
			jw_raw(w, tmp, strlen(tmp));
			break;
		case DT_STR:
			jw_str(w, it->key, it->v.s);
			break;
		case DT_BOOL:
			jw_bool(w, it->key, it->v.b);
			break;
		}
	}
	jw_close(w, '}');
	jw_end(r, &p->events);
}

static void
side_object(struct jw *w, const char *name, const struct conn_report *cr, unsigned i)
{
	const struct conn *c = cr->c;
	const struct conn_ext *x = cr->x;
	const struct endpoint *ep = &cr->ep[i];
	static const struct side_ext none;
	const struct side *s = &c->side[i];
	const struct side_ext *e = x != NULL ? &x->side[i] : &none;

	jw_key(w, name);
	if (!jw_room(w, 1024))		/* keys 270, 10 numbers, 4 times, an address */
		return;
	JF(w, "{\"ip\":\"");
	w->len += endpoint_addr_put(w->buf + w->len, ep);
	JF(w, "\",\"port\":");
	jf_u64(w, ep->port);
	JF(w, ",\"isn\":");
	jf_opt_u64(w, s->flags & SIDE_SYN, s->isn);
	JF(w, ",\"packets\":");
	jf_u64(w, s->packets);
	JF(w, ",\"bytes\":");
	jf_u64(w, e->bytes);
	JF(w, ",\"retransmitted_bytes\":");
	jf_u64(w, e->retrans_bytes);
	JF(w, ",\"retransmitted_segments\":");
	jf_u64(w, e->retrans_segs);
	JF(w, ",\"out_of_order\":");
	jf_u64(w, e->ooo_segs);
	JF(w, ",\"dup_acks\":");
	jf_u64(w, e->dupacks_sent);
	JF(w, ",\"zero_window_time\":");
	jf_ts(w, (int64_t)e->zw_total_ms * 1000000, 3);
	/* data -> ACK round trips as seen from the capture point, Karn's rule */
	JF(w, ",\"rtt\":{\"samples\":");
	jf_u64(w, e->rtt_n);
	if (e->rtt_n) {
		JF(w, ",\"min\":");
		jf_ts(w, (int64_t)e->rtt_min_us * 1000, 6);
		JF(w, ",\"avg\":");
		jf_ts(w, (int64_t)e->rtt_avg_us * 1000, 6);
		JF(w, ",\"max\":");
		jf_ts(w, (int64_t)e->rtt_max_us * 1000, 6);
	}
	JF(w, "}");
	JF(w, ",\"window_scale\":");
	jf_opt_u64(w, s->flags & SIDE_WSCALE, s->wscale);
	JF(w, ",\"mss\":");
	jf_opt_u64(w, s->flags & SIDE_MSS, s->mss);
	JF(w, ",\"sack_permitted\":");
	jf_bool(w, s->flags & SIDE_SACK_PERM);
	JF(w, ",\"timestamps\":");
	jf_bool(w, s->flags & SIDE_TS);
	JF(w, "}");
}

/* --framing: one direction's messages (messages.h). */
static void
framing_dir(struct jw *w, const char *name, const struct msg_dir *d, int digits)
{
	uint32_t i;
	unsigned top = 0;

	jw_open(w, name, '{');
	jw_u64(w, "messages", d->messages);
	jw_u64(w, "bytes", d->bytes);
	jw_u64(w, "multi_segment", d->multi_segment);
	jw_u64(w, "segments", d->segments);
	jw_u64(w, "segments_multi", d->segments_multi);
	jw_u64(w, "incomplete_bytes", msg_pending(d));
	if (d->messages > 0) {
		jw_open(w, "sizes", '{');
		jw_u64(w, "min", d->min);
		jw_u64(w, "max", d->max);
		for (i = 0; i < MSG_LOG2_BINS; i++)
			if (d->log2[i])
				top = i + 1;
		jw_open(w, "log2", '[');
		for (i = 0; i < top; i++) {
			jw_sep(w);
			jw_reserve(w, 20);
			if (!w->oom)
				w->len += u64_dec(w->buf + w->len, d->log2[i]);
		}
		jw_close(w, ']');
		jw_close(w, '}');
	}
	jw_open(w, "hol", '{');
	jw_u64(w, "waited", d->hol_units);
	jw_u64(w, "over_threshold", d->hol_over);
	jw_ts(w, "total", d->hol_total_ns, 6);
	jw_ts(w, "max", d->hol_max_ns, 6);
	if (d->hol_max_ns > 0)
		jw_u64(w, "max_frame", d->hol_max_frame);
	jw_close(w, '}');
	if (d->error) {
		jw_open(w, "stopped", '{');
		jw_u64(w, "offset", d->error_off);
		jw_str(w, "why", d->error_why);
		jw_close(w, '}');
	}
	if (d->nlist > 0 || d->list_omitted > 0) {
		jw_open(w, "list", '[');
		for (i = 0; i < d->nlist; i++) {
			const struct msg_item *it = &d->list[i];

			jw_open(w, NULL, '{');
			jw_u64(w, "offset", it->off);
			jw_u64(w, "length", it->len);
			jw_u64(w, "first_frame", it->first_frame);
			if (it->last_frame != 0)
				jw_u64(w, "last_frame", it->last_frame);
			jw_ts(w, "hol", it->hol_ns, 6);
			jw_close(w, '}');
		}
		jw_close(w, ']');
		jw_u64(w, "list_omitted", d->list_omitted);
	}
	(void)digits;
	jw_close(w, '}');
}

static void
framing_object(struct jw *w, const struct conn_report *cr)
{
	const struct msg_conn *m = cr->msgs;
	unsigned cl = cr->c->client;
	uint32_t i;

	jw_open(w, "framing", '{');
	jw_name(w, "rule", fr_kind_name(m->d[0].fp.rule.kind));
	jw_name(w, "unit", m->d[0].fp.rule.kind == FR_NONE ? "segment" : "message");
	jw_ts(w, "hol_threshold", m->threshold_ns, 6);
	framing_dir(w, "client", &m->d[cl], cr->in->ts_digits);
	framing_dir(w, "server", &m->d[!cl], cr->in->ts_digits);
	if (m->timing) {
		jw_open(w, "exchanges", '{');
		jw_u64(w, "count", m->exchanges);
		jw_bool(w, "alternating", m->alternating);
		if (m->req_dir >= 0)
			jw_name(w, "requests_from",
			    (unsigned)m->req_dir == cl ? "client" : "server");
		if (m->exchanges > 0) {
			jw_ts(w, "first_byte_median", msg_exchange_median(m, false), 6);
			jw_ts(w, "first_byte_max", m->ttfb_max, 6);
			jw_ts(w, "last_byte_median", msg_exchange_median(m, true), 6);
			jw_ts(w, "last_byte_max", m->ttlb_max, 6);
			jw_u64(w, "median_of", m->nex);
		}
		if (m->list && m->nex > 0) {
			jw_open(w, "list", '[');
			for (i = 0; i < m->nex; i++) {
				const struct msg_exchange *x = &m->ex[i];

				jw_open(w, NULL, '{');
				jw_u64(w, "request_offset", x->req_off);
				jw_u64(w, "request_frame", x->req_frame);
				jw_u64(w, "response_first_frame", x->resp_first_frame);
				jw_u64(w, "response_last_frame", x->resp_last_frame);
				jw_ts(w, "first_byte", x->ttfb_ns, 6);
				jw_ts(w, "last_byte", x->ttlb_ns, 6);
				jw_close(w, '}');
			}
			jw_close(w, ']');
		}
		jw_close(w, '}');
	}
	jw_close(w, '}');
}

static void
json_connection(struct reporter *r, const struct conn_report *cr)
{
	struct json_priv *p = r->priv;
	struct jw *w = &p->w;
	const struct conn *c = cr->c;
	int digits = cr->in->ts_digits;
	unsigned cl = c->client, sv = !c->client, i;
	uint32_t ack_us;
	char buf[80];

	jw_begin(w);
	jw_name(w, "type", "connection");
	if (cr->in->name_in_records)
		jw_str(w, "file", cr->in->name);
	jw_u64(w, "stream", c->stream);
	side_object(w, "client", cr, cl);
	side_object(w, "server", cr, sv);
	jw_u64(w, "first_frame", c->first_frame);
	jw_u64(w, "last_frame", c->last_frame);
	jw_ts(w, "start", c->start_ns, digits);
	jw_ts(w, "end", c->last_ns, digits);
	jw_i64(w, "start_ns", c->start_ns);
	jw_i64(w, "end_ns", c->last_ns);
	jw_ts(w, "duration", c->last_ns - c->start_ns, digits);
	conn_community_id(cr, buf, sizeof(buf));
	jw_name(w, "community_id", buf);
	jw_name(w, "handshake", conn_handshake_name(c));
	jw_name(w, "close", conn_close_name(c, cr->why));
	jw_name(w, "conn_state", conn_zeek_state(cr));
	jw_open(w, "final_state", '{');
	jw_name(w, "client", tcp_state_name(c->side[cl].state));
	jw_name(w, "server", tcp_state_name(c->side[sv].state));
	jw_close(w, '}');
	jw_open(w, "rtt", '{');
	ack_us = cr->x != NULL ? cr->x->ack_us : 0;
	if (c->synack_us)
		jw_ts(w, "syn_synack", (int64_t)(c->synack_us - 1) * 1000, 6);
	if (ack_us)
		jw_ts(w, "synack_ack", (int64_t)(ack_us - 1) * 1000, 6);
	if (c->synack_us && ack_us)
		jw_ts(w, "handshake", ((int64_t)c->synack_us - 1 + ack_us - 1) * 1000, 6);
	jw_close(w, '}');
	conn_history(c, buf, sizeof(buf));
	jw_name(w, "history", buf);
	jw_open(w, "events", '{');
	for (i = 0; i < CONN_EVENT_SLOTS; i++)
		if (c->ev_kind[i])
			jw_u64(w, event_kind_name((enum event_kind)(c->ev_kind[i] - 1)),
			    c->ev_count[i]);
	if (c->ev_other)
		jw_u64(w, "other", c->ev_other);
	jw_close(w, '}');
	if (c->cflags & CONN_RESUMED)
		jw_bool(w, "resumed", true);
	if (c->cflags & CONN_EVICTED)
		jw_bool(w, "evicted", true);
	if (cr->one_sided)
		jw_name(w, "one_sided",
		    (c->side[c->client].flags & SIDE_SEEN) ? "client" : "server");
	if (cr->synack_unseen)
		jw_bool(w, "synack_unseen", true);
	if (cr->cookie.synack_frame) {
		jw_open(w, "syn_cookie", '{');
		jw_u64(w, "synack_frame", cr->cookie.synack_frame);
		jw_name(w, "evidence", cr->cookie.evidence);
		jw_bool(w, "window_scale_lost", cr->cookie.lost_wscale);
		jw_bool(w, "sack_lost", cr->cookie.lost_sack);
		jw_close(w, '}');
	}
	if (cr->msgs != NULL)
		framing_object(w, cr);
	jw_end(r, &p->connections);
}

static void
json_summary(struct reporter *r, const struct summary *s)
{
	struct json_priv *p = r->priv;
	struct jw *w = &p->w;
	const struct flow_counters *fc = s->flows;
	unsigned i;

	jw_begin(w);
	jw_name(w, "type", s->interim ? "interval" : "summary");
	if (s->interim) {
		jw_u64(w, "connections_open", s->open_now);
		jw_open(w, "sides_by_state", '{');
		for (i = 1; i < TS_COUNT; i++)
			if (s->sides_by_state[i])
				jw_u64(w, tcp_state_name((enum tcp_state)i), s->sides_by_state[i]);
		jw_close(w, '}');
	}
	if (s->have_capture_stats) {
		jw_open(w, "capture", '{');
		jw_u64(w, "received", s->cap_received);
		jw_u64(w, "dropped", s->cap_dropped);
		jw_u64(w, "interface_dropped", s->cap_if_dropped);
		jw_close(w, '}');
	}
	jw_open(w, "files", '[');
	for (i = 0; i < s->ninputs; i++) {
		jw_sep(w);
		jw_string(w, s->inputs[i]);
	}
	jw_close(w, ']');
	jw_u64(w, "packets", s->stats->packets);
	jw_u64(w, "tcp_packets", s->stats->tcp_packets);
	jw_u64(w, "bytes", s->stats->bytes);
	jw_u64(w, "connections", s->connections);
	if (s->one_sided)
		jw_u64(w, "one_sided_connections", s->one_sided);
	if (s->filter != NULL) {
		/* packets and bytes above are the whole file's; these are
		 * what the rest of the record is about */
		jw_open(w, "filter", '{');
		jw_str(w, "expression", s->filter);
		jw_u64(w, "packets", s->matched_packets);
		jw_u64(w, "bytes", s->matched_bytes);
		jw_close(w, '}');
	}
	jw_open(w, "events", '{');
	for (i = 0; i < EVK_COUNT; i++)
		if (s->events_by_kind[i])
			jw_u64(w, event_kind_name((enum event_kind)i), s->events_by_kind[i]);
	jw_close(w, '}');
	jw_u64(w, "peak_concurrent", s->peak_concurrent);
	jw_open(w, "listeners", '[');
	for (i = 0; i < s->nlisteners; i++) {
		const struct listener *l = &s->listeners[i];

		jw_open(w, NULL, '{');
		jw_ip(w, "ip", &l->ep);
		jw_u64(w, "port", l->ep.port);
		jw_u64(w, "connections", l->connections);
		jw_u64(w, "refused", l->refused);
		jw_u64(w, "completed", l->completed);
		jw_u64(w, "reset", l->reset);
		jw_u64(w, "peak_half_open", l->peak_half_open);
		jw_u64(w, "peak_established", l->peak_established);
		if (s->interim) {
			jw_u64(w, "half_open", l->half_open);
			jw_u64(w, "established", l->established);
		}
		jw_u64(w, "syn_rate_peak", l->syn_rate_peak);
		jw_u64(w, "peak_time_wait", l->peak_time_wait);
		if (s->interim)
			jw_u64(w, "time_wait", l->time_wait);
		/* slab objects only (report.h) */
		jw_u64(w, "peak_kernel_bytes", l->peak_kmem);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	if (s->listeners_dropped)
		jw_u64(w, "listeners_not_tracked", s->listeners_dropped);
	if (s->have_time) {
		jw_ts(w, "start", s->start_ns, s->ts_digits);
		jw_ts(w, "end", s->end_ns, s->ts_digits);
		jw_i64(w, "start_ns", s->start_ns);
		jw_i64(w, "end_ns", s->end_ns);
	} else {
		jw_null(w, "start");
		jw_null(w, "end");
		jw_null(w, "start_ns");
		jw_null(w, "end_ns");
	}
	jw_open(w, "warnings", '{');
	for (i = 0; i < WARN_COUNT; i++)
		if (s->stats->warn[i])
			jw_u64(w, warn_reason_name((enum warn_reason)i), s->stats->warn[i]);
	jw_close(w, '}');
	jw_open(w, "memory", '{');
	jw_u64(w, "capacity", fc->capacity);
	jw_u64(w, "bytes_per_connection", fc->bytes_per_conn);
	jw_u64(w, "peak_tracked", fc->peak_live);
	jw_u64(w, "evicted", fc->evicted);
	jw_u64(w, "expired_idle", fc->expired_idle);
	jw_u64(w, "resumed", fc->resumed);
	jw_close(w, '}');
	if (s->interim) {
		/* An interval record is a line of its own; the one document of
		 * -o json has no place for it, so there it is not printed. */
		if (!jw_finish(w))
			return;
		if (p->document)
			w->len = w->start;
		else
			jw_line(r, w);
		return;
	}
	jw_end(r, NULL);
}

static void
json_endpoint(struct jw *w, const char *name, const struct endpoint *ep)
{
	jw_open(w, name, '{');
	jw_ip(w, "ip", ep);
	jw_u64(w, "port", ep->port);
	jw_close(w, '}');
}

/* --at: one record per socket ss -tan would have listed. */
static void
json_sockets(struct reporter *r, const struct socket_table *st, const struct input_info *in)
{
	struct json_priv *p = r->priv;
	struct jw *w = &p->w;
	size_t i;

	for (i = 0; i < st->n; i++) {
		const struct socket_row *s = &st->rows[i];

		jw_begin(w);
		jw_name(w, "type", "socket");
		if (in != NULL && in->name_in_records)
			jw_str(w, "file", in->name);
		jw_ts(w, "ts", st->at_ns, in != NULL ? in->ts_digits : 6);
		jw_i64(w, "ts_ns", st->at_ns);
		if (st->after_end)
			jw_bool(w, "as_of_last_packet", true);
		jw_name(w, "state", tcp_state_name((enum tcp_state)s->state));
		jw_name(w, "ss_state", ss_state_name((enum tcp_state)s->state));
		if (s->recv_known)
			jw_u64(w, "recv_q", s->recv_q);
		else
			jw_null(w, "recv_q");
		if (s->send_known)
			jw_u64(w, "send_q", s->send_q);
		else
			jw_null(w, "send_q");
		json_endpoint(w, "local", &s->local);
		if (s->has_stream) {
			json_endpoint(w, "peer", &s->peer);
			jw_u64(w, "stream", s->stream);
		} else {
			jw_null(w, "peer");
		}
		jw_end(r, &p->sockets);
	}
}

/* A record of the merge, as it would have been made here. */
static void
json_raw(struct reporter *r, const char *line)
{
	struct json_priv *p = r->priv;
	struct jw *w = &p->w;
	size_t len = strlen(line);

	if (len < 2)
		return;
	jw_begin(w);
	jw_raw(w, line + 1, len - 2);	/* between its braces */
	jw_end(r, strncmp(line, "{\"type\":\"connection\"", 20) == 0 ? &p->connections :
	    strncmp(line, "{\"type\":\"event\"", 15) == 0 ? &p->events : &p->sockets);
}

static void
json_end(struct reporter *r)
{
	struct json_priv *p = r->priv;

	if (p->document)
		doc_finish(r);
	else
		jw_flush(r, &p->w);
}

static void
json_destroy(struct reporter *r)
{
	struct json_priv *p = r->priv;

	/* An early end: what was made goes out, a document that was begun
	 * is closed (valid JSON, whatever is missing). */
	if (!p->document)
		jw_flush(r, &p->w);
	else if (p->started)
		doc_finish(r);
	if (p->events.spool != NULL)
		fclose(p->events.spool);
	if (p->sockets.spool != NULL)
		fclose(p->sockets.spool);
	free(p->summary);
	free(p->piece);
	free(p->w.buf);
	free(p);
	free(r);
}

/* ---- reading a record back ------------------------------------------ */

static bool
read_endpoint(struct json_object *o, const char *ipk, const char *portk, struct endpoint *ep)
{
	struct json_object *ip, *port;
	const char *txt;

	if (!json_object_object_get_ex(o, ipk, &ip) || !json_object_object_get_ex(o, portk,
	    &port) || (txt = json_object_get_string(ip)) == NULL)
		return false;
	memset(ep, 0, sizeof(*ep));
	ep->family = strchr(txt, ':') != NULL ? 6 : 4;
	ep->port = (uint16_t)json_object_get_int(port);
	return inet_pton(ep->family == 6 ? AF_INET6 : AF_INET, txt, ep->addr) == 1;
}

static void
read_details(struct json_object *det, struct event *ev,
    const char *(*intern)(void *ctx, const char *key), void *ctx)
{
	json_object_object_foreach(det, key, val) {
		const char *k = intern(ctx, key);

		if (k == NULL)
			return;
		switch (json_object_get_type(val)) {
		case json_type_boolean:
			event_detail_bool(ev, k, json_object_get_boolean(val));
			break;
		case json_type_double:
			event_detail_double(ev, k, json_object_get_double(val));
			break;
		case json_type_int:
			if (json_object_get_int64(val) < 0)
				event_detail_int(ev, k, json_object_get_int64(val));
			else
				event_detail_uint(ev, k, json_object_get_uint64(val));
			break;
		default:
			event_detail_str(ev, k, json_object_get_string(val));
			break;
		}
	}
}

static uint64_t
get_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

enum raw_kind
report_json_read(const char *line, struct event *ev, int64_t *start_ns,
    const char *(*intern)(void *ctx, const char *key), void *ctx)
{
	struct json_object *o = json_tokener_parse(line), *v;
	enum raw_kind kind = REC_OTHER;
	const char *type;
	int k, sev;

	if (o == NULL || !json_object_object_get_ex(o, "type", &v) ||
	    (type = json_object_get_string(v)) == NULL)
		goto out;
	if (strcmp(type, "connection") == 0) {
		if (json_object_object_get_ex(o, "start_ns", &v)) {
			*start_ns = json_object_get_int64(v);
			kind = REC_CONNECTION;
		}
		goto out;
	}
	if (strcmp(type, "event") != 0 || !json_object_object_get_ex(o, "kind", &v) ||
	    (k = event_kind_lookup(json_object_get_string(v))) < 0 ||
	    !json_object_object_get_ex(o, "severity", &v) ||
	    (sev = severity_lookup(json_object_get_string(v))) < 0 ||
	    !json_object_object_get_ex(o, "ts_ns", &v))
		goto out;
	event_init(ev, (enum event_kind)k, get_u64(o, "frame"), json_object_get_int64(v));
	ev->severity = (enum severity)sev;
	if (json_object_object_get_ex(o, "stream", &v)) {
		ev->has_stream = true;
		ev->stream = json_object_get_uint64(v);
	}
	ev->first_frame = get_u64(o, "first_frame");
	ev->last_frame = get_u64(o, "last_frame");
	ev->has_src = read_endpoint(o, "src_ip", "src_port", &ev->src);
	if (!read_endpoint(o, "dst_ip", "dst_port", &ev->dst))
		goto out;
	if (json_object_object_get_ex(o, "message", &v))
		event_message(ev, "%s", json_object_get_string(v));
	if (json_object_object_get_ex(o, "detail", &v))
		read_details(v, ev, intern, ctx);
	kind = REC_EVENT;
out:
	json_object_put(o);
	return kind;
}

static const struct reporter_ops json_ops = {
	.begin = NULL,
	.event = json_event,
	.connection = json_connection,
	.summary = json_summary,
	.sockets = json_sockets,
	.end = json_end,
	.destroy = json_destroy,
	.raw = json_raw,
};

static struct reporter *
json_new(FILE *out, bool quiet, bool document, bool batch)
{
	struct reporter *r = calloc(1, sizeof(*r));
	struct json_priv *p = calloc(1, sizeof(*p));

	if (r == NULL || p == NULL) {
		free(r);
		free(p);
		return NULL;
	}
	p->document = document;
	p->w.batch = batch && !document;
	p->connections.name = "connections";
	p->events.name = "events";
	p->sockets.name = "sockets";
	r->ops = &json_ops;
	r->out = out;
	r->quiet = quiet;
	r->priv = p;
	return r;
}

struct reporter *
report_jsonl_new(FILE *out, bool quiet, bool batch)
{
	return json_new(out, quiet, false, batch);
}

struct reporter *
report_json_new(FILE *out, bool quiet)
{
	return json_new(out, quiet, true, false);
}
