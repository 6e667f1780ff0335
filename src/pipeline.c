/* pipeline.c: decode -> flow_lookup -> tcp_track -> analysis for each
 * packet (pipeline.h).  The hot path allocates nothing. */
#include "config.h"

#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "bytestream.h"
#include "decode.h"
#include "flow.h"
#include "listen_plot.h"
#include "plot.h"
#include "shard.h"
#include "sockets.h"
#include "tcpstate.h"
#include "util.h"

#define SWEEP_INTERVAL_NS	1000000000LL	/* expire at most once per
						 * second of capture time */

struct pipeline {
	struct pipeline_config	 cfg;
	struct reporter		*r;
	struct flow_table	*flows;
	struct analysis		*analysis;
	struct stats		 stats;
	const struct input_info	*in;
	const char		**inputs;	/* names for the summary: all */
	unsigned		 ninputs, inputs_cap;
	int			 ts_digits;
	int64_t			 first_ns, last_ns, prev_ns, next_sweep_ns;
	bool			 have_time;
	bool			 have_prev;
	bool			 have_capture_stats;
	uint64_t		 cap_received, cap_dropped, cap_if_dropped;
	bool			 at_pending;	/* --at: this input's table not shown yet */
	bool			 in_have_time;
	int64_t			 in_first_ns, in_last_ns;	/* this input's packets */
	uint64_t		 matched_packets;	/* those pipeline_process() saw */
	uint64_t		 matched_bytes;
};

static void
on_conn_end(void *ctx, struct conn *c, enum flow_end why)
{
	struct pipeline *p = ctx;

	const struct msg_conn *msgs = NULL;

	if (p->cfg.bytes != NULL)
		msgs = bytestream_conn_end(p->cfg.bytes, c);
	if (p->cfg.shard != NULL)
		shard_conn_end(p->cfg.shard, c->stream, why == FLOW_END_CLOSED ? 0 :
		    c->lru_embryo ? 2 : 1);
	analysis_conn_end(p->analysis, c, flow_ext(p->flows, c), why, msgs);
	if (p->cfg.lplot != NULL)
		lplot_conn_end(p->cfg.lplot, p->analysis, c);
}

/* bytestream.c's overlap_conflict events, counted as the analysis's. */
static void
emit_bytes_event(void *ctx, struct conn *c, const struct event *ev)
{
	struct pipeline *p = ctx;

	analysis_report_event(p->analysis, c, ev);
}

struct pipeline *
pipeline_create(const struct pipeline_config *cfg, struct reporter *r)
{
	struct pipeline *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->cfg = *cfg;
	p->r = r;
	p->ts_digits = 6;
	p->cfg.analysis.idle_ns = cfg->idle_ns;
	p->analysis = analysis_create(&p->cfg.analysis, r);
	/* Tombstones: 2*MSL for closed connections (TIME_WAIT: a new SYN on
	 * the 4-tuple within it is a time_wait_reuse; 4*MSL, which would also
	 * see port_reuse just after TIME_WAIT, cost 23 bytes per tracked
	 * connection on the benchmark, doc/performance.md); an idle or
	 * evicted connection's number is kept four idle timeouts or an hour,
	 * whichever is longer.  A connection silent longer than that which
	 * then speaks again (a 2-hour keep-alive) gets a new stream number
	 * where Wireshark keeps the old one (doc/wireshark-differences.md). */
	p->flows = flow_create(cfg->memcap, 2 * cfg->analysis.msl_ns,
	    cfg->idle_ns * 4 > 3600000000000LL ? cfg->idle_ns * 4 : 3600000000000LL,
	    on_conn_end, p);
	if (p->analysis == NULL || p->flows == NULL) {
		pipeline_destroy(p);
		return NULL;
	}
	analysis_set_flows(p->analysis, p->flows);
	if (cfg->bytes != NULL)
		bytestream_set_emit(cfg->bytes, emit_bytes_event, p);
	if (cfg->shard != NULL) {
		flow_set_hooks(p->flows, shard_stream_hook, shard_gauge_hook, cfg->shard);
		analysis_set_gauge_hook(p->analysis, shard_gauge_hook, cfg->shard);
	}
	return p;
}

void
pipeline_destroy(struct pipeline *p)
{
	if (p == NULL)
		return;
	flow_destroy(p->flows);
	analysis_destroy(p->analysis);
	free(p->inputs);
	free(p);
}

void
pipeline_begin_input(struct pipeline *p, const struct input_info *in)
{
	p->in = in;
	if (p->cfg.fan != NULL) {
		p->cfg.fan->begin(p->cfg.fan->ctx, in);
		return;
	}
	if (p->ninputs == p->inputs_cap) {
		unsigned cap = p->inputs_cap ? 2 * p->inputs_cap : 16;
		const char **n = realloc(p->inputs, cap * sizeof(*n));

		if (n != NULL) {
			p->inputs = n;
			p->inputs_cap = cap;
		}
	}
	if (p->ninputs < p->inputs_cap)		/* else the summary lists fewer */
		p->inputs[p->ninputs++] = in->name;
	if (in->ts_digits > p->ts_digits)
		p->ts_digits = in->ts_digits;
	p->have_prev = false;
	p->next_sweep_ns = 0;
	p->at_pending = p->cfg.at_set;
	p->in_have_time = false;
	analysis_begin_input(p->analysis, in);
	if (p->cfg.bytes != NULL)
		bytestream_begin_input(p->cfg.bytes, in);
}

static enum warn_reason
warn_of(enum decode_result r)
{
	switch (r) {
	case DECODE_TRUNCATED:
		return WARN_TRUNCATED;
	case DECODE_MALFORMED:
		return WARN_MALFORMED;
	case DECODE_FRAGMENT:
		return WARN_FRAGMENT;
	default:
		return WARN_UNSUPPORTED;
	}
}

static void
count_segment_warnings(struct stats *st, uint8_t w)
{
	if (w & SEGWARN_OPTIONS_TRUNCATED)
		st->warn[WARN_OPTIONS_TRUNCATED]++;
	if (w & SEGWARN_BAD_OPTION)
		st->warn[WARN_BAD_OPTION]++;
	if (w & SEGWARN_WSCALE_CLAMPED)
		st->warn[WARN_WSCALE_CLAMPED]++;
	if (w & SEGWARN_IP_LEN_CLAMPED)
		st->warn[WARN_IP_LEN_CLAMPED]++;
}

/* --at: the sockets as `ss -tan` would have listed them at at_ns. */
static void
show_sockets(struct pipeline *p, int64_t at_ns, bool after_end)
{
	struct summary s;
	struct socket_table st;

	p->at_pending = false;
	memset(&s, 0, sizeof(s));
	analysis_fill_summary(p->analysis, &s);
	if (!sockets_snapshot(p->flows, s.listeners, s.nlisteners, at_ns, &st)) {
		diag(p->in != NULL ? p->in->name : NULL,
		    "out of memory listing the sockets (--at)");
		return;
	}
	st.after_end = after_end;
	report_sockets(p->r, &st, p->in);
	sockets_free(&st);
}

static void
at_check(struct pipeline *p, int64_t ts_ns)
{
	int64_t target = p->cfg.at_ns;

	if (!p->in_have_time) {
		p->in_first_ns = ts_ns;
		p->in_have_time = true;
	}
	p->in_last_ns = ts_ns;
	/* Saturated: "--at +9000000000" after a late first packet is never. */
	if (p->cfg.at_relative && p->in_first_ns > 0 && target > INT64_MAX - p->in_first_ns)
		target = INT64_MAX;
	else if (p->cfg.at_relative)
		target += p->in_first_ns;
	if (ts_ns >= target)
		show_sockets(p, target, false);
}

void
pipeline_tick(struct pipeline *p, int64_t now_ns)
{
	flow_expire(p->flows, now_ns, p->cfg.idle_ns, p->cfg.closed_ns);
}

/* The item with seg.payload still pointing into the packet's bytes. */
static void
decode_item(const struct packet *pkt, struct pipeline_item *it)
{
	it->res = decode_packet(pkt, &it->seg);
	it->frame = pkt->frame;
	it->ts_ns = pkt->ts_ns;
	it->wirelen = pkt->wirelen;
	it->owner = -1;
}

/* Has the item a 4-tuple (its own or a quoted one) that places it in a
 * connection's shard? */
static bool
item_tuple(const struct pipeline_item *it)
{
	return it->res == DECODE_OK || it->res == DECODE_ICMP_QUOTE ||
	    (it->res != DECODE_NOT_TCP && it->res != DECODE_FRAGMENT && it->seg.tcp_seen);
}

/* --threads: hand the decoded record to the shards' threads. */
static void
fan_out(struct pipeline *p, struct pipeline_item *it, bool matched)
{
	const struct pipeline_fan *f = p->cfg.fan;

	it->seg.payload = NULL;
	it->owner = item_tuple(it) ? (int32_t)shard_of(&it->seg, f->n_shards) : 0;
	f->item(f->ctx, it, matched);
}

void
pipeline_item_clock(struct pipeline_item *to, const struct pipeline_item *it)
{
	to->res = it->res;
	to->frame = it->frame;
	to->ts_ns = it->ts_ns;
	to->wirelen = it->wirelen;
	to->owner = it->owner;
	to->seg.src = it->seg.src;
	to->seg.tcp_seen = it->seg.tcp_seen;
}

void
pipeline_decode(const struct packet *pkt, struct pipeline_item *it)
{
	decode_item(pkt, it);
	it->seg.payload = NULL;		/* the bytes do not outlive the packet */
}

/* Packet time moves on: the capture's span, --at, and the expiry sweep,
 * for every record of the file, matched by the filter or not (expiry
 * decides tombstones, and so stream numbers). */
static void
advance_clock(struct pipeline *p, int64_t ts_ns)
{
	if (!p->have_time) {
		p->first_ns = ts_ns;
		p->last_ns = ts_ns;
		p->have_time = true;
	}
	if (ts_ns < p->first_ns)
		p->first_ns = ts_ns;
	if (ts_ns > p->last_ns)
		p->last_ns = ts_ns;
	if (p->have_prev && ts_ns < p->prev_ns)
		p->stats.warn[WARN_TIME_BACKWARDS]++;
	p->prev_ns = ts_ns;
	p->have_prev = true;
	if (p->at_pending)
		at_check(p, ts_ns);	/* before the sweep: as things were */

	if (ts_ns >= p->next_sweep_ns) {
		if (p->next_sweep_ns != 0)
			pipeline_tick(p, ts_ns);
		p->next_sweep_ns = ts_ns + SWEEP_INTERVAL_NS;
	}
}

/* --shard: is this packet's connection (or, without a 4-tuple, the
 * packet) this shard's?  If not, only time moves on. */
static bool
shard_skips(struct pipeline *p, const struct pipeline_item *it)
{
	const struct segment *seg = &it->seg;

	shard_at(p->cfg.shard, p->in != NULL ? p->in->index : 0, it->frame, it->ts_ns,
	    SHARD_PACKET);
	if (it->owner >= 0 ? shard_is(p->cfg.shard, (unsigned)it->owner) : item_tuple(it) ?
	    shard_owns(p->cfg.shard, seg) : shard_owns_rest(p->cfg.shard))
		return false;
	if (it->res == DECODE_OK) {
		analysis_clock(p->analysis, it->ts_ns);
		analysis_address_sent(p->analysis, &seg->src);
	}
	return true;
}

int64_t
pipeline_process(struct pipeline *p, const struct pipeline_item *it)
{
	const struct segment *seg = &it->seg;
	struct track_result tr;
	enum flow_lookup_how how;
	struct conn *c;
	struct conn_ext *x;
	unsigned dir;

	p->stats.packets++;
	p->stats.bytes += it->wirelen;
	p->matched_packets++;
	p->matched_bytes += it->wirelen;
	if (p->cfg.shard != NULL)
		shard_at(p->cfg.shard, p->in != NULL ? p->in->index : 0, it->frame, it->ts_ns,
		    SHARD_SWEEP);
	advance_clock(p, it->ts_ns);
	if (p->cfg.shard != NULL && shard_skips(p, it))
		return -1;

	if (it->res == DECODE_ICMP_QUOTE) {
		/* Wireshark gives the TCP header quoted in an ICMP error the
		 * stream of its 4-tuple (a new one if none): numbered only,
		 * not counted as a packet of the connection, which it is
		 * about rather than part of. */
		c = flow_lookup(p->flows, seg, it->frame, it->ts_ns, &dir, &how);
		flow_touch(p->flows, c, it->ts_ns);
		return c->stream;
	}
	if (it->res != DECODE_OK) {
		if (it->res == DECODE_NOT_TCP)
			return -1;
		p->stats.warn[warn_of(it->res)]++;
		/* Wireshark still numbers a TCP header it could read the
		 * ports and flags of; so must we. */
		if (seg->tcp_seen && it->res != DECODE_FRAGMENT) {
			c = flow_lookup(p->flows, seg, it->frame, it->ts_ns, &dir, &how);
			analysis_number_only(p->analysis, c, dir, how, it->frame, it->ts_ns);
			flow_touch(p->flows, c, it->ts_ns);
			return c->stream;
		}
		return -1;
	}
	p->stats.tcp_packets++;
	if (seg->warn)
		count_segment_warnings(&p->stats, seg->warn);

	c = flow_lookup(p->flows, seg, it->frame, it->ts_ns, &dir, &how);
	x = flow_ext(p->flows, c);
	/* A handshake's SYN, SYN-ACK or RST needs only struct conn; anything
	 * else (an ACK, data, a FIN) brings the extension: so a SYN flood's
	 * half-open entries stay small. */
	if (x == NULL && (seg->payload_len > 0 || (seg->flags & TCP_FIN) ||
	    !(seg->flags & (TCP_SYN | TCP_RST)))) {
		x = flow_ext_get(p->flows, c);
		analysis_ext_init(c, x);
	}
	tcp_track(&c->side[dir], &c->side[!dir], x != NULL ? &x->side[dir] : NULL,
	    x != NULL ? &x->side[!dir] : NULL, seg, &tr);
	if (p->cfg.plot != NULL)
		plot_segment(p->cfg.plot, c, dir, seg, &tr, it->frame, it->ts_ns);
	if (p->cfg.bytes != NULL)	/* needs seg->payload: pipeline_packet() */
		bytestream_segment(p->cfg.bytes, c, x, dir, seg, it->frame, it->ts_ns);
	analysis_segment(p->analysis, c, x, dir, how, flow_lookup_prev(p->flows), seg, &tr,
	    it->frame, it->ts_ns);
	if (p->cfg.lplot != NULL)
		lplot_segment(p->cfg.lplot, p->analysis, c, seg, &tr, it->ts_ns);
	flow_touch(p->flows, c, it->ts_ns);
	return c->stream;
}

int64_t
pipeline_packet(struct pipeline *p, const struct packet *pkt)
{
	struct pipeline_item it;

	decode_item(pkt, &it);		/* the payload is read during the call */
	if (p->cfg.fan != NULL) {
		fan_out(p, &it, true);
		return -1;
	}
	return pipeline_process(p, &it);
}

void
pipeline_process_unmatched(struct pipeline *p, const struct pipeline_item *it)
{
	p->stats.packets++;
	p->stats.bytes += it->wirelen;
	if (p->cfg.shard != NULL)
		shard_at(p->cfg.shard, p->in != NULL ? p->in->index : 0, it->frame,
		    it->ts_ns, SHARD_SWEEP);
	advance_clock(p, it->ts_ns);
	/* what pipeline_process() numbers, and nothing more */
	if (item_tuple(it) && (p->cfg.shard == NULL || (it->owner >= 0 ?
	    shard_is(p->cfg.shard, (unsigned)it->owner) : shard_owns(p->cfg.shard, &it->seg))))
		flow_number(p->flows, &it->seg, it->frame, it->ts_ns);
}

void
pipeline_packet_unmatched(struct pipeline *p, const struct packet *pkt)
{
	struct pipeline_item it;

	decode_item(pkt, &it);
	if (p->cfg.fan != NULL)
		fan_out(p, &it, false);
	else
		pipeline_process_unmatched(p, &it);
}

void
pipeline_end_input(struct pipeline *p)
{
	if (p->cfg.fan != NULL) {
		p->cfg.fan->end(p->cfg.fan->ctx);
		return;
	}
	if (p->at_pending && p->in_have_time)
		show_sockets(p, p->in_last_ns, true);
	if (p->cfg.shard != NULL)
		shard_at(p->cfg.shard, p->in != NULL ? p->in->index : 0, UINT64_MAX, 0,
		    SHARD_FLUSH);
	flow_flush(p->flows);
	if (p->cfg.bytes != NULL)
		bytestream_end_input(p->cfg.bytes);
	if (p->cfg.shard != NULL)
		shard_at(p->cfg.shard, p->in != NULL ? p->in->index : 0, UINT64_MAX, 0,
		    SHARD_END);
	analysis_end_input(p->analysis);
}

void
pipeline_set_capture_stats(struct pipeline *p, uint64_t received, uint64_t dropped,
    uint64_t if_dropped)
{
	p->have_capture_stats = true;
	p->cap_received = received;
	p->cap_dropped = dropped;
	p->cap_if_dropped = if_dropped;
}

static void
count_states(void *ctx, const struct conn *c)
{
	struct summary *s = ctx;

	s->sides_by_state[c->side[0].state]++;
	s->sides_by_state[c->side[1].state]++;
	if (!conn_closed(c))
		s->open_now++;
}

static void
fill_summary(struct pipeline *p, struct summary *s, bool damaged)
{
	const struct flow_counters *fc = flow_counters(p->flows);

	memset(s, 0, sizeof(*s));
	p->stats.connections = fc->created;
	p->stats.warn[WARN_CONN_EVICTED] = fc->evicted;
	p->stats.warn[WARN_STREAM_RENUMBER_RISK] = fc->tombs_evicted;
	if (p->cfg.bytes != NULL)
		bytestream_count_warnings(p->cfg.bytes, &p->stats);
	s->stats = &p->stats;
	s->flows = fc;
	s->start_ns = p->first_ns;
	s->end_ns = p->last_ns;
	s->have_time = p->have_time;
	s->inputs = p->inputs;
	s->ninputs = p->ninputs;
	s->ts_digits = p->ts_digits;
	s->capture_damaged = damaged;
	s->have_capture_stats = p->have_capture_stats;
	s->cap_received = p->cap_received;
	s->cap_dropped = p->cap_dropped;
	s->cap_if_dropped = p->cap_if_dropped;
	s->filter = p->cfg.filter;
	s->matched_packets = p->matched_packets;
	s->matched_bytes = p->matched_bytes;
	analysis_fill_summary(p->analysis, s);
}

void
pipeline_interval(struct pipeline *p)
{
	struct summary s;

	fill_summary(p, &s, false);
	s.interim = true;
	flow_foreach(p->flows, count_states, &s);
	report_summary(p->r, &s);
}

void
pipeline_summary(struct pipeline *p, bool damaged)
{
	struct summary s;

	fill_summary(p, &s, damaged);
	report_summary(p->r, &s);
	report_end(p->r);
}

struct stats *
pipeline_stats(struct pipeline *p)
{
	return &p->stats;
}

const uint64_t *
pipeline_event_counts(const struct pipeline *p)
{
	return analysis_event_counts(p->analysis);
}

int
pipeline_max_severity(const struct pipeline *p)
{
	return analysis_max_severity(p->analysis);
}

bool
pipeline_stream_flagged(const struct pipeline *p, uint32_t stream)
{
	return analysis_stream_flagged(p->analysis, stream);
}

bool
pipeline_any_flagged(const struct pipeline *p)
{
	return analysis_any_flagged(p->analysis);
}
