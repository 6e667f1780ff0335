/* plot.c: the --plot collector and the reporter that feeds it events
 * (plot.h, plot_int.h).  Drawing is plot_svg.c's. */
#include "config.h"

#include "plot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plot_int.h"
#include "seq.h"
#include "tee.h"
#include "util.h"

#define RTO_MIN_NS	200000000LL	/* Linux's least RTO: a silence this long
					 * before a retransmission is its timer */
#define BIN_WIDTH0_NS	1000000LL	/* throughput bins start 1 ms wide */

void
plot_axis_init(struct plot_axis *ax, uint32_t base)
{
	if (ax->set)
		return;
	ax->set = true;
	/* 2^32 below: a segment just under the base (a keep-alive's byte)
	 * stays on the axis instead of wrapping to the top. */
	ax->base = (int64_t)base + ((int64_t)1 << 32);
	ax->ref = ax->base;
}

int64_t
plot_axis_rel(struct plot_axis *ax, uint32_t s)
{
	int64_t u;

	if (!ax->set)
		plot_axis_init(ax, s);
	u = ax->ref + seq_diff(s, (uint32_t)ax->ref);
	if (u > ax->ref)
		ax->ref = u;
	return u - ax->base;
}

static void
bucket_merge(struct plot_bucket *a, const struct plot_bucket *b)
{
	a->t1 = b->t1;
	if (b->lo < a->lo)
		a->lo = b->lo;
	if (b->hi > a->hi)
		a->hi = b->hi;
	a->last = b->last;
	a->f1 = b->f1;
	a->n += b->n;
}

bool
plot_series_add(struct plot_series *s, int64_t t, int64_t lo, int64_t hi, int64_t last,
    uint64_t frame)
{
	struct plot_bucket nb = { t, t, lo, hi, last, frame, frame, 1 };
	uint32_t i;

	if (s->per == 0)
		s->per = 1;
	s->samples++;
	if (s->n > 0 && s->b[s->n - 1].n < s->per) {
		bucket_merge(&s->b[s->n - 1], &nb);
		return true;
	}
	if (s->n == PLOT_SERIES_CAP) {
		/* Full: halve the resolution. */
		for (i = 0; i < s->n / 2; i++) {
			s->b[i] = s->b[2 * i];
			bucket_merge(&s->b[i], &s->b[2 * i + 1]);
		}
		s->n /= 2;
		s->per *= 2;
		if (s->b[s->n - 1].n < s->per) {
			bucket_merge(&s->b[s->n - 1], &nb);
			return true;
		}
	}
	if (s->n == s->alloc) {
		uint32_t na = s->alloc == 0 ? 64 : s->alloc * 2;
		struct plot_bucket *b;

		if (na > PLOT_SERIES_CAP)
			na = PLOT_SERIES_CAP;
		b = realloc(s->b, na * sizeof(*b));
		if (b == NULL)
			return false;
		s->b = b;
		s->alloc = na;
	}
	s->b[s->n++] = nb;
	return true;
}

void
plot_series_free(struct plot_series *s)
{
	free(s->b);
	memset(s, 0, sizeof(*s));
}

void
plot_bins_add(struct plot_bins *b, int64_t t, uint64_t bytes)
{
	int64_t idx;
	uint32_t i;

	if (b->width == 0)
		b->width = BIN_WIDTH0_NS;
	if (t < b->t0)
		t = b->t0;	/* time going backwards: count it in bin 0 */
	idx = (t - b->t0) / b->width;
	while (idx >= (int64_t)PLOT_BINS) {
		for (i = 0; i < PLOT_BINS / 2; i++)
			b->bytes[i] = b->bytes[2 * i] + b->bytes[2 * i + 1];
		memset(&b->bytes[PLOT_BINS / 2], 0, PLOT_BINS / 2 * sizeof(b->bytes[0]));
		b->used = (b->used + 1) / 2;
		b->width *= 2;
		idx = (t - b->t0) / b->width;
	}
	b->bytes[idx] += bytes;
	if ((uint32_t)idx + 1 > b->used)
		b->used = (uint32_t)idx + 1;
}

bool
plot_stream_mark(struct plot_stream *s, const struct plot_mark *m, const char *msg)
{
	struct plot_mark *nm;

	if (s->nmarks == PLOT_MARKS_MAX) {
		s->marks_dropped++;
		return false;
	}
	if (s->nmarks == s->marks_alloc) {
		uint32_t na = s->marks_alloc == 0 ? 64 : s->marks_alloc * 2;

		nm = realloc(s->marks, na * sizeof(*nm));
		if (nm == NULL) {
			s->marks_dropped++;
			return false;
		}
		s->marks = nm;
		s->marks_alloc = na;
	}
	nm = &s->marks[s->nmarks++];
	*nm = *m;
	nm->msg = UINT32_MAX;
	if (msg != NULL && *msg != '\0') {
		size_t n = strnlen(msg, PLOT_MSG_MAX);

		if (s->pool == NULL)
			s->pool = malloc(PLOT_MSG_POOL);
		if (s->pool != NULL && s->pool_used + n + 1 <= PLOT_MSG_POOL) {
			memcpy(s->pool + s->pool_used, msg, n);
			s->pool[s->pool_used + n] = '\0';
			nm->msg = s->pool_used;
			s->pool_used += (uint32_t)n + 1;
		}
	}
	return true;
}

static bool
endpoint_eq(const struct endpoint *a, const struct endpoint *b)
{
	return a->family == b->family && a->port == b->port &&
	    memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* Events about what a segment acknowledges or advertises, not what it
 * sends. */
static bool
about_ack(enum event_kind k)
{
	return k == EVK_DUP_ACK || k == EVK_ZERO_WINDOW || k == EVK_ZERO_WINDOW_END ||
	    k == EVK_WINDOW_UPDATE || k == EVK_ACKED_UNSEEN;
}

void
plot_stream_event(struct plot_stream *s, const struct event *ev)
{
	struct plot_mark m;
	unsigned x;

	memset(&m, 0, sizeof(m));
	m.t = ev->ts_ns;
	m.frame = ev->frame;
	m.kind = (uint16_t)ev->kind;
	m.severity = (uint8_t)ev->severity;
	if (s->seen && ev->frame == s->last_frame && !(s->last_acks && about_ack(ev->kind))) {
		/* About its segment's data (or a probe, a keep-alive, a RST): on
		 * the sender's graph. */
		m.role = PR_DATA;
		m.dir = s->last_dir;
		m.lo = s->last_lo;
		m.hi = s->last_hi;
	} else if (s->seen && ev->frame == s->last_frame) {
		/* An ACK's event (dup ACK, zero window): on the graph of the
		 * data it acknowledges, at its ACK. */
		m.role = PR_ACK;
		m.dir = !s->last_dir;
		m.lo = m.hi = s->last_ack;
	} else {
		/* Reported later than its frame (a connection's end, a reuse
		 * seen at the answer): on its sender's graph, at the top. */
		x = s->a;
		if (ev->has_src && s->d[!s->a].seen && endpoint_eq(&ev->src, &s->d[!s->a].src))
			x = !s->a;
		m.role = PR_DATA;
		m.dir = x;
		m.lo = m.hi = s->d[x].snd_hi;
	}
	plot_stream_mark(s, &m, ev->message);
}

static void
stream_start(struct plot_stream *s, const struct segment *seg, unsigned dir, int64_t ts_ns)
{
	unsigned i;

	s->seen = true;
	s->t_first = s->t_last = ts_ns;
	s->a = (uint8_t)dir;
	s->d[dir].src = seg->src;
	s->d[dir].dst = seg->dst;
	s->d[!dir].src = seg->dst;
	s->d[!dir].dst = seg->src;
	for (i = 0; i < 2; i++)
		s->d[i].sent.t0 = s->d[i].acked.t0 = ts_ns;
}

/* The data (or SYN/FIN) of a segment on its sender's graph. */
static void
collect_data(struct plot_stream *s, struct plot_dir *d, const struct segment *seg,
    const struct track_result *tr, uint64_t frame, int64_t ts_ns, int64_t lo, uint32_t span)
{
	int64_t hi = lo + span;
	bool retrans = tr->retrans_bytes > 0 || (d->segments > 0 && lo < d->snd_hi);

	if (retrans && d->have_send && ts_ns - d->last_send_ns >= RTO_MIN_NS) {
		struct plot_mark m;

		memset(&m, 0, sizeof(m));
		m.t = ts_ns;
		m.t_from = d->last_send_ns;
		m.lo = lo;
		m.hi = hi;
		m.frame = frame;
		m.kind = PMK_RTO_GAP;
		m.severity = SEV_NOTICE;
		m.role = PR_DATA;
		m.dir = (uint8_t)(d - s->d);
		plot_stream_mark(s, &m, NULL);
	}
	plot_series_add(&d->data, ts_ns, lo, hi, hi, frame);
	if (seg->payload_len > 0)
		plot_bins_add(&d->sent, ts_ns, seg->payload_len);
	/* RTT as Karn times it: new data only, and a retransmission of the
	 * timed bytes cancels the timing. */
	if (retrans) {
		if (d->rtt_pending && lo < d->rtt_end)
			d->rtt_pending = false;
		d->retrans++;
	} else if (!d->rtt_pending) {
		d->rtt_pending = true;
		d->rtt_end = hi;
		d->rtt_t = ts_ns;
	}
	if (d->segments == 0 || hi > d->snd_hi)
		d->snd_hi = hi;
	d->segments++;
	d->bytes += seg->payload_len;
	d->last_send_ns = ts_ns;
	d->have_send = true;
}

/* The ACK, window and SACK blocks of a segment on the graph of the data
 * they acknowledge (r: that data's direction). */
static void
collect_ack(struct plot_dir *r, const struct side *snd, const struct side *rcv,
    const struct segment *seg, uint64_t frame, int64_t ts_ns, int64_t a)
{
	uint32_t win = (seg->flags & TCP_SYN) ? seg->win_raw
	    : side_window(snd, rcv, seg->win_raw);
	unsigned i;

	plot_series_add(&r->ack, ts_ns, a, a, a, frame);
	plot_series_add(&r->win, ts_ns, a + win, a + win, a + win, frame);
	if (r->have_ack && a > r->ack_hi)
		plot_bins_add(&r->acked, ts_ns, (uint64_t)(a - r->ack_hi));
	if (!r->have_ack || a > r->ack_hi)
		r->ack_hi = a;
	r->have_ack = true;
	if (r->rtt_pending && a >= r->rtt_end) {
		int64_t us = (ts_ns - r->rtt_t) / 1000;

		plot_series_add(&r->rtt, ts_ns, us, us, us, frame);
		r->rtt_pending = false;
	}
	if (seg->opt.present & TCPOPT_HAVE_SACK)
		for (i = 0; i < seg->opt.sack_count && i < TCPOPT_MAX_SACK; i++) {
			int64_t l = plot_axis_rel(&r->axis, seg->opt.sack_left[i]);
			int64_t h = l + (uint32_t)(seg->opt.sack_right[i] - seg->opt.sack_left[i]);

			plot_series_add(&r->sack, ts_ns, l, h, h, frame);
		}
}

void
plot_stream_segment(struct plot_stream *s, const struct conn *c, unsigned dir,
    const struct segment *seg, const struct track_result *tr, uint64_t frame, int64_t ts_ns)
{
	const struct side *snd = &c->side[dir], *rcv = &c->side[!dir];
	struct plot_dir *d = &s->d[dir], *r = &s->d[!dir];
	uint32_t span = seq_end(seg->seq, seg->payload_len, (seg->flags & TCP_SYN) != 0,
	    (seg->flags & TCP_FIN) != 0) - seg->seq;
	int64_t lo;

	if (!s->seen)
		stream_start(s, seg, dir, ts_ns);
	if (ts_ns > s->t_last)
		s->t_last = ts_ns;
	d->seen = true;
	plot_axis_init(&d->axis, (snd->flags & SIDE_BASE_SET) ? snd->base_seq : seg->seq);
	lo = plot_axis_rel(&d->axis, seg->seq);
	s->last_frame = frame;
	s->last_dir = (uint8_t)dir;
	s->last_data = span != 0;
	s->last_acks = (seg->flags & TCP_ACK) != 0;
	s->last_lo = lo;
	s->last_hi = lo + span;
	if (span != 0)
		collect_data(s, d, seg, tr, frame, ts_ns, lo, span);
	if (seg->flags & TCP_ACK) {
		plot_axis_init(&r->axis, (rcv->flags & SIDE_BASE_SET) ? rcv->base_seq
		    : seg->ack - 1);
		s->last_ack = plot_axis_rel(&r->axis, seg->ack);
		collect_ack(r, snd, rcv, seg, frame, ts_ns, s->last_ack);
	}
}

void
plot_stream_free(struct plot_stream *s)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		plot_series_free(&s->d[i].data);
		plot_series_free(&s->d[i].ack);
		plot_series_free(&s->d[i].win);
		plot_series_free(&s->d[i].sack);
		plot_series_free(&s->d[i].rtt);
	}
	free(s->marks);
	free(s->pool);
	memset(s, 0, sizeof(*s));
}

/* ---- the run: chosen streams, files ------------------------------------- */

struct plot {
	uint32_t		 want[PLOT_MAX_STREAMS];	/* sorted, distinct */
	struct plot_stream	 s[PLOT_MAX_STREAMS];
	unsigned		 n;
	const char		*dir;
	const struct input_info	*in;
	bool			 failed;
};

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct plot *
plot_create(const uint32_t *streams, unsigned nstreams, const char *dir)
{
	struct plot *pl = calloc(1, sizeof(*pl));
	unsigned i;

	if (pl == NULL)
		return NULL;
	for (i = 0; i < nstreams && pl->n < PLOT_MAX_STREAMS; i++)
		pl->want[pl->n++] = streams[i];
	qsort(pl->want, pl->n, sizeof(pl->want[0]), cmp_u32);
	for (i = 1; i < pl->n; )
		if (pl->want[i] == pl->want[i - 1]) {
			pl->n--;
			memmove(&pl->want[i], &pl->want[i + 1], (pl->n - i) * sizeof(pl->want[0]));
		} else
			i++;
	pl->dir = dir;
	return pl;
}

static struct plot_stream *
find(struct plot *pl, uint64_t stream)
{
	unsigned lo = 0, hi = pl->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (pl->want[mid] == stream)
			return &pl->s[mid];
		if (pl->want[mid] < stream)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void
plot_segment(struct plot *pl, const struct conn *c, unsigned dir,
    const struct segment *seg, const struct track_result *tr, uint64_t frame, int64_t ts_ns)
{
	struct plot_stream *s = find(pl, c->stream);

	if (s != NULL) {
		s->stream = c->stream;
		plot_stream_segment(s, c, dir, seg, tr, frame, ts_ns);
	}
}

static bool
write_one(struct plot *pl, const struct plot_stream *s, unsigned dir, const char *tag)
{
	char path[4096], prefix[32] = "";
	FILE *f;
	bool ok;

	if (pl->in != NULL && pl->in->name_in_records)
		snprintf(prefix, sizeof(prefix), "in%u-", pl->in->index + 1);
	if ((size_t)snprintf(path, sizeof(path), "%s/%sstream-%u-%s.svg", pl->dir, prefix,
	    s->stream, tag) >= sizeof(path)) {
		diag(pl->dir, "--plot-dir: path too long");
		return false;
	}
	f = fopen(path, "w");
	if (f == NULL) {
		diag(path, "cannot write the graph: %s", strerror(errno));
		return false;
	}
	ok = plot_svg_write(f, s, dir, pl->in != NULL ? pl->in->name : NULL);
	if (fclose(f) != 0)
		ok = false;
	if (!ok)
		diag(path, "cannot write the graph: %s", strerror(errno));
	return ok;
}

/* Write the graphs of the input that ended, and start over. */
static void
write_all(struct plot *pl)
{
	unsigned i;

	if (pl->in == NULL || pl->dir == NULL)
		return;		/* no directory: kept for plot_svg_of() */
	if (mkdir(pl->dir, 0777) != 0 && errno != EEXIST) {
		diag(pl->dir, "--plot-dir: %s", strerror(errno));
		pl->failed = true;
		return;
	}
	for (i = 0; i < pl->n; i++) {
		struct plot_stream *s = &pl->s[i];

		if (!s->seen) {
			diag(pl->in->name, "--plot: no TCP stream %u in this input", pl->want[i]);
			continue;
		}
		if (s->marks_dropped > 0)
			diag(pl->in->name, "--plot: stream %u: %llu marks past the first %u "
			    "not drawn", s->stream, (unsigned long long)s->marks_dropped,
			    PLOT_MARKS_MAX);
		if (!write_one(pl, s, s->a, "A") || !write_one(pl, s, !s->a, "B"))
			pl->failed = true;
		plot_stream_free(s);
	}
}

void
plot_destroy(struct plot *pl)
{
	unsigned i;

	if (pl == NULL)
		return;
	for (i = 0; i < pl->n; i++)
		plot_stream_free(&pl->s[i]);
	free(pl);
}

bool
plot_svg_of(struct plot *pl, uint32_t stream, unsigned which, FILE *f, const char *source)
{
	const struct plot_stream *s = find(pl, stream);

	if (s == NULL || !s->seen)
		return false;
	return plot_svg_write(f, s, which == 0 ? s->a : !s->a, source);
}

bool
plot_failed(const struct plot *pl)
{
	return pl->failed;
}

/* ---- the reporter in front of the real one ------------------------------ */

static void
on_begin(void *ctx, const struct input_info *in)
{
	struct plot *pl = ctx;

	write_all(pl);
	pl->in = in;
}

static void
on_event(void *ctx, const struct event *ev, const struct input_info *in)
{
	struct plot_stream *s;

	(void)in;
	if (ev->has_stream && (s = find(ctx, ev->stream)) != NULL && s->seen)
		plot_stream_event(s, ev);
}

static void
on_end(void *ctx)
{
	struct plot *pl = ctx;

	write_all(pl);
	pl->in = NULL;
}

static const struct tee_hooks hooks = {
	.begin = on_begin,
	.event = on_event,
	.end = on_end,
};

struct reporter *
plot_reporter(struct plot *pl, struct reporter *inner)
{
	return tee_new(&hooks, pl, inner);
}
