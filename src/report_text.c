/* report_text.c: the human-readable reporter.  A header line per input,
 * one line per event in time order (frame, time, stream, endpoints, kind,
 * message), optionally one line per connection (-v), then the listener and
 * overall summaries.  Plain ASCII, no colour.
 *
 * Bursts are grouped: consecutive events of a kind that comes in bursts
 * (dup_ack for one original frame, retransmissions by one sender, zero
 * window, window full, ...) on the same stream and in the same direction
 * print as one line, the first event's, with " [xN, frames A-B]" appended.
 * The run is held in the private state (a copy of its first event, the
 * count, the last frame) and printed when a different event arrives, a
 * connection line is printed, the summary is reported or the input ends.
 * A run of one prints exactly as an ungrouped event.  The JSON outputs
 * keep every event. */
#include "config.h"

#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

struct text_priv {
	bool		any_event;
	/* The pending burst: its first event, how many, the last frame. */
	bool		pending;
	int		pending_digits;	/* the input's ts_digits */
	uint64_t	pending_count;
	uint64_t	pending_last;
	struct event	first;
};

static void flush_pending(struct reporter *r);

static void
endpoint_str(const struct endpoint *ep, char *buf, size_t len)
{
	char a[64];

	endpoint_addr_str(ep, a, sizeof(a));
	if (ep->family == 6)
		snprintf(buf, len, "[%s]:%u", a, ep->port);
	else
		snprintf(buf, len, "%s:%u", a, ep->port);
}

/* "2024-01-31 12:34:56.123456" (UTC). */
static void
wall_str(int64_t ts_ns, int digits, char *buf, size_t len)
{
	int64_t sec = ts_ns / 1000000000, ns = ts_ns % 1000000000;
	time_t t;
	struct tm tm;
	char d[32];

	if (ns < 0) {
		ns += 1000000000;
		sec--;
	}
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL || strftime(d, sizeof(d), "%Y-%m-%d %H:%M:%S", &tm) == 0) {
		ts_str(ts_ns, digits, buf, len);
		return;
	}
	if (digits == 9)
		snprintf(buf, len, "%s.%09" PRId64, d, ns);
	else
		snprintf(buf, len, "%s.%06" PRId64, d, ns / 1000);
}

static void
text_begin(struct reporter *r, const struct input_info *in)
{
	char name[512];

	flush_pending(r);	/* the previous input's last burst */
	if (r->quiet)
		return;
	utf8_sanitize(in->name, name, sizeof(name));
	out_printf(r->out, "tcpdissect %s: %s\n", PACKAGE_VERSION,
	    strcmp(name, "-") == 0 ? "(stdin)" : name);
}

static void
print_event(struct reporter *r, const struct event *ev, int ts_digits, uint64_t count,
    uint64_t last_frame)
{
	char when[64], src[80], dst[80], stream[32], burst[64];

	wall_str(ev->ts_ns, ts_digits, when, sizeof(when));
	/* The date is in the summary; the line keeps the time of day. */
	if (ev->has_stream)
		snprintf(stream, sizeof(stream), "stream %" PRIu64, ev->stream);
	else
		snprintf(stream, sizeof(stream), "frames %" PRIu64 "-%" PRIu64,
		    ev->first_frame, ev->last_frame);
	if (count > 1)
		snprintf(burst, sizeof(burst), " [x%" PRIu64 ", frames %" PRIu64 "-%" PRIu64 "]",
		    count, ev->frame, last_frame);
	else
		burst[0] = '\0';
	endpoint_str(&ev->dst, dst, sizeof(dst));
	if (ev->has_src) {
		endpoint_str(&ev->src, src, sizeof(src));
		out_printf(r->out, "#%" PRIu64 " %s %s %s > %s %s %s: %s%s\n", ev->frame,
		    when + 11, stream, src, dst, severity_name(ev->severity),
		    event_kind_name(ev->kind), ev->message, burst);
	} else {
		out_printf(r->out, "#%" PRIu64 " %s %s > %s %s %s: %s%s\n", ev->frame,
		    when + 11, stream, dst, severity_name(ev->severity),
		    event_kind_name(ev->kind), ev->message, burst);
	}
}

/* Kinds that come in bursts and are grouped. */
static bool
burst_kind(enum event_kind k)
{
	switch (k) {
	case EVK_DUP_ACK:
	case EVK_ZERO_WINDOW:
	case EVK_ZERO_WINDOW_PROBE:
	case EVK_WINDOW_FULL:
	case EVK_NETWORK_DUPLICATE:
	case EVK_KEEP_ALIVE:
	case EVK_RETRANSMISSION:
	case EVK_FAST_RETRANSMISSION:
	case EVK_SPURIOUS_RETRANSMISSION:
	case EVK_OUT_OF_ORDER:
		return true;
	default:
		return false;
	}
}

static bool
endpoint_eq(const struct endpoint *a, const struct endpoint *b)
{
	return a->family == b->family && a->port == b->port &&
	    memcmp(a->addr, b->addr, a->family == 6 ? 16 : 4) == 0;
}

/* An unsigned or non-negative integer detail item, by key. */
static bool
detail_u64(const struct event *ev, const char *key, uint64_t *v)
{
	unsigned i;

	for (i = 0; i < ev->ndetail && i < EVENT_DETAIL_MAX; i++) {
		const struct detail_item *d = &ev->detail[i];

		if (strcmp(d->key, key) != 0)
			continue;
		if (d->type == DT_UINT) {
			*v = d->v.u;
			return true;
		}
		if (d->type == DT_INT && d->v.i >= 0) {
			*v = (uint64_t)d->v.i;
			return true;
		}
		return false;
	}
	return false;
}

/* Does ev continue the burst that starts with first? */
static bool
same_burst(const struct event *first, const struct event *ev)
{
	uint64_t a, b;
	bool ha, hb;

	if (ev->kind != first->kind || ev->severity != first->severity ||
	    !ev->has_stream || !first->has_stream || ev->stream != first->stream ||
	    ev->has_src != first->has_src || !endpoint_eq(&ev->dst, &first->dst) ||
	    (ev->has_src && !endpoint_eq(&ev->src, &first->src)))
		return false;
	if (ev->kind == EVK_DUP_ACK) {
		/* Duplicates of the same ACK: one hole. */
		ha = detail_u64(first, "original_frame", &a);
		hb = detail_u64(ev, "original_frame", &b);
		if (ha != hb || (ha && a != b))
			return false;
	}
	return true;
}

static void
flush_pending(struct reporter *r)
{
	struct text_priv *p = r->priv;

	if (!p->pending)
		return;
	p->pending = false;
	print_event(r, &p->first, p->pending_digits, p->pending_count, p->pending_last);
}

static void
text_event(struct reporter *r, const struct event *ev, const struct input_info *in)
{
	struct text_priv *p = r->priv;
	unsigned i;

	p->any_event = true;
	if (p->pending && same_burst(&p->first, ev)) {
		p->pending_count++;
		p->pending_last = ev->frame;
		return;
	}
	flush_pending(r);
	if (!burst_kind(ev->kind) || !ev->has_stream) {
		print_event(r, ev, in->ts_digits, 1, ev->frame);
		return;
	}
	/* Hold it: the copy's string details must point into its own buffer. */
	p->first = *ev;
	for (i = 0; i < p->first.ndetail && i < EVENT_DETAIL_MAX; i++) {
		struct detail_item *d = &p->first.detail[i];

		if (d->type == DT_STR && d->v.s >= ev->strbuf &&
		    d->v.s < ev->strbuf + sizeof(ev->strbuf))
			d->v.s = p->first.strbuf + (d->v.s - ev->strbuf);
	}
	p->pending = true;
	p->pending_digits = in->ts_digits;
	p->pending_count = 1;
	p->pending_last = ev->frame;
}

static void
text_connection(struct reporter *r, const struct conn_report *cr)
{
	const struct conn *c = cr->c;
	char cl[80], sv[80], hist[CONN_HISTORY_MAX + 1];

	if (!r->verbose)
		return;
	flush_pending(r);	/* the line interrupts the run */
	endpoint_str(&cr->ep[c->client], cl, sizeof(cl));
	endpoint_str(&cr->ep[!c->client], sv, sizeof(sv));
	conn_history(c, hist, sizeof(hist));
	out_printf(r->out, "stream %" PRIu32 " %s > %s frames %" PRIu32 "-%" PRIu32
	    " %.3fs handshake %s close %s %s/%s history %s\n",
	    c->stream, cl, sv, c->first_frame, c->last_frame,
	    (double)(c->last_ns - c->start_ns) / 1e9, conn_handshake_name(c),
	    conn_close_name(c, cr->why), tcp_state_name(c->side[c->client].state),
	    tcp_state_name(c->side[!c->client].state), hist);
}

static void
human_bytes(uint64_t n, char *buf, size_t len)
{
	if (n >= 10u * 1024 * 1024 * 1024)
		snprintf(buf, len, "%.1f GiB", (double)n / (1024.0 * 1024 * 1024));
	else if (n >= 10u * 1024 * 1024)
		snprintf(buf, len, "%.1f MiB", (double)n / (1024.0 * 1024));
	else if (n >= 10u * 1024)
		snprintf(buf, len, "%.1f KiB", (double)n / 1024.0);
	else
		snprintf(buf, len, "%" PRIu64 " bytes", n);
}

#define TEXT_LISTENERS_MAX 10

static int
busier_first(const void *a, const void *b)
{
	const struct listener *x = *(const struct listener *const *)a;
	const struct listener *y = *(const struct listener *const *)b;

	if (x->connections != y->connections)
		return x->connections < y->connections ? 1 : -1;
	return 0;
}

/* --at: the table ss -tan would have printed, and the stream of each. */
static void
text_sockets(struct reporter *r, const struct socket_table *st, const struct input_info *in)
{
	char when[64], lo[80], pe[80], rq[16], sq[16];
	size_t i;

	flush_pending(r);
	wall_str(st->at_ns, in != NULL ? in->ts_digits : 6, when, sizeof(when));
	out_printf(r->out, "sockets at %s UTC%s: %zu (ss -tan; queues are bytes not yet "
	    "acknowledged)\n", when, st->after_end ? " (the capture ended before: as of its "
	    "last packet)" : "", st->n);
	out_printf(r->out, "%-10s %6s %6s %-22s %-22s %s\n", "State", "Recv-Q", "Send-Q",
	    "Local Address:Port", "Peer Address:Port", "Stream");
	for (i = 0; i < st->n; i++) {
		const struct socket_row *s = &st->rows[i];

		endpoint_str(&s->local, lo, sizeof(lo));
		if (s->has_stream)
			endpoint_str(&s->peer, pe, sizeof(pe));
		else
			snprintf(pe, sizeof(pe), "*:*");
		if (s->recv_known)
			snprintf(rq, sizeof(rq), "%" PRIu32, s->recv_q);
		else
			snprintf(rq, sizeof(rq), "-");
		if (s->send_known)
			snprintf(sq, sizeof(sq), "%" PRIu32, s->send_q);
		else
			snprintf(sq, sizeof(sq), "-");
		if (s->has_stream)
			out_printf(r->out, "%-10s %6s %6s %-22s %-22s %" PRIu32 "\n",
			    ss_state_name((enum tcp_state)s->state), rq, sq, lo, pe, s->stream);
		else
			out_printf(r->out, "%-10s %6s %6s %-22s %-22s -\n",
			    ss_state_name((enum tcp_state)s->state), rq, sq, lo, pe);
	}
}

static void
text_summary(struct reporter *r, const struct summary *s)
{
	struct text_priv *p = r->priv;
	const struct listener **order;
	char a[64], b[64], bytes[32];
	unsigned i, n, shown;

	flush_pending(r);
	if (s->interim) {
		out_printf(r->out, "interval: %" PRIu64 " packets (%" PRIu64 " TCP), %" PRIu64
		    " connections open", s->stats->packets, s->stats->tcp_packets, s->open_now);
		if (s->have_capture_stats)
			out_printf(r->out, ", %" PRIu64 " dropped by the kernel, %" PRIu64
			    " by the interface", s->cap_dropped, s->cap_if_dropped);
		out_printf(r->out, "\n");
		for (i = 0, n = 0; i < s->nlisteners; i++) {
			const struct listener *l = &s->listeners[i];

			if (l->half_open == 0 && l->established == 0)
				continue;
			endpoint_addr_str(&l->ep, a, sizeof(a));
			out_printf(r->out, "  listener %s%s%s:%u: %" PRIu64 " half-open, %" PRIu64
			    " established\n", l->ep.family == 6 ? "[" : "", a,
			    l->ep.family == 6 ? "]" : "", l->ep.port, l->half_open, l->established);
			if (++n == TEXT_LISTENERS_MAX)
				break;
		}
		return;
	}
	if (!r->quiet && !p->any_event)
		out_printf(r->out, "no events\n");
	human_bytes(s->stats->bytes, bytes, sizeof(bytes));
	if (s->filter != NULL) {
		/* the file's totals, then what the filter let through */
		out_printf(r->out, "summary: %" PRIu64 " packets in the file (%s); the filter "
		    "matched %" PRIu64 ": %" PRIu64 " TCP, %" PRIu64 " connections, peak %"
		    PRIu64 " concurrent\n", s->stats->packets, bytes, s->matched_packets,
		    s->stats->tcp_packets, s->connections, s->peak_concurrent);
	} else {
		out_printf(r->out, "summary: %" PRIu64 " packets (%" PRIu64 " TCP, %s), %"
		    PRIu64 " connections, peak %" PRIu64 " concurrent\n", s->stats->packets,
		    s->stats->tcp_packets, bytes, s->connections, s->peak_concurrent);
	}
	if (s->have_time) {
		wall_str(s->start_ns, s->ts_digits, a, sizeof(a));
		wall_str(s->end_ns, s->ts_digits, b, sizeof(b));
		out_printf(r->out, "  capture: %s to %s UTC (%.3f s)\n", a, b,
		    (double)(s->end_ns - s->start_ns) / 1e9);
	}
	for (i = 0, n = 0; i < EVK_COUNT; i++) {
		if (!s->events_by_kind[i])
			continue;
		out_printf(r->out, "%s%s %" PRIu64, n++ ? ", " : "  events: ",
		    event_kind_name((enum event_kind)i), s->events_by_kind[i]);
	}
	if (n)
		out_printf(r->out, "\n");
	/* The busiest listeners first; the JSON summary has them all. */
	order = s->nlisteners ? malloc(s->nlisteners * sizeof(*order)) : NULL;
	shown = order != NULL ? s->nlisteners : 0;
	for (i = 0; i < shown; i++)
		order[i] = &s->listeners[i];
	if (shown > 0)
		qsort(order, shown, sizeof(*order), busier_first);
	if (shown > TEXT_LISTENERS_MAX)
		shown = TEXT_LISTENERS_MAX;
	for (i = 0; i < shown; i++) {
		const struct listener *l = order[i];
		char ep[80];

		endpoint_addr_str(&l->ep, a, sizeof(a));
		snprintf(ep, sizeof(ep), l->ep.family == 6 ? "[%s]:%u" : "%s:%u", a, l->ep.port);
		human_bytes(l->peak_kmem, bytes, sizeof(bytes));
		out_printf(r->out, "  listener %s: %" PRIu64 " connections, %" PRIu64
		    " completed, %" PRIu64 " refused, %" PRIu64 " reset, peak %" PRIu64
		    " half-open, %" PRIu64 " established, %" PRIu64 " TIME_WAIT, %" PRIu64
		    " SYN/s, kernel %s\n", ep,
		    l->connections, l->completed, l->refused, l->reset, l->peak_half_open,
		    l->peak_established, l->peak_time_wait, l->syn_rate_peak, bytes);
	}
	if (s->nlisteners > shown || s->listeners_dropped)
		out_printf(r->out, "  (%" PRIu64 " more listeners; -o json lists them)\n",
		    (uint64_t)(s->nlisteners - shown) + s->listeners_dropped);
	free(order);
	for (i = 0, n = 0; i < WARN_COUNT; i++) {
		if (!s->stats->warn[i])
			continue;
		out_printf(r->out, "%s%s %" PRIu64, n++ ? ", " : "  warnings: ",
		    warn_reason_name((enum warn_reason)i), s->stats->warn[i]);
	}
	if (n)
		out_printf(r->out, "\n");
	if (s->have_capture_stats)
		out_printf(r->out, "  capture: %" PRIu64 " packets received, %" PRIu64
		    " dropped by the kernel, %" PRIu64 " by the interface\n", s->cap_received,
		    s->cap_dropped, s->cap_if_dropped);
	if (s->flows->evicted)
		out_printf(r->out, "  memory: %" PRIu64 " connections evicted to stay under "
		    "--memcap (%" PRIu64 " tracked at most)\n", s->flows->evicted,
		    s->flows->capacity);
}

static void
text_end(struct reporter *r)
{
	flush_pending(r);
}

static void
text_destroy(struct reporter *r)
{
	free(r->priv);
	free(r);
}

static const struct reporter_ops text_ops = {
	.begin = text_begin,
	.event = text_event,
	.connection = text_connection,
	.summary = text_summary,
	.sockets = text_sockets,
	.end = text_end,
	.destroy = text_destroy,
};

struct reporter *
report_text_new(FILE *out, bool quiet, bool verbose, bool color)
{
	struct reporter *r = calloc(1, sizeof(*r));
	struct text_priv *p = calloc(1, sizeof(*p));

	(void)color;		/* plain text everywhere, for now */
	if (r == NULL || p == NULL) {
		free(r);
		free(p);
		return NULL;
	}
	r->ops = &text_ops;
	r->out = out;
	r->quiet = quiet;
	r->verbose = verbose;
	r->priv = p;
	return r;
}
