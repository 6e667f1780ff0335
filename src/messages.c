/* messages.c: a connection's messages, their segments and sizes, their
 * head-of-line waits and request/response times (messages.h). */
#include "config.h"

#include "messages.h"

#include <stdlib.h>
#include <string.h>

void
msg_conn_init(struct msg_conn *m, const struct fr_rule *rule, bool list,
    int64_t threshold_ns, void (*emit)(void *ctx, const struct msg_event *ev), void *ctx)
{
	unsigned i;

	memset(m, 0, sizeof(*m));
	m->rule = *rule;
	m->decided = rule->kind != FR_AUTO;
	m->list = list;
	m->threshold_ns = threshold_ns;
	m->req_dir = -1;
	m->alternating = true;
	m->timing = rule->kind == FR_HTTP || rule->kind == FR_RESP || rule->kind == FR_LINE;
	m->emit = emit;
	m->emit_ctx = ctx;
	for (i = 0; i < 2; i++) {
		fr_init(&m->d[i].fp, rule);
		m->d[i].min = UINT64_MAX;
	}
}

void
msg_conn_free(struct msg_conn *m)
{
	free(m->d[0].list);
	free(m->d[1].list);
	free(m->ex);
	m->d[0].list = m->d[1].list = NULL;
	m->ex = NULL;
}

/* ---- request / response ------------------------------------------------- */

static void
exchange_add(struct msg_conn *m, const struct msg_exchange *x)
{
	m->exchanges++;
	if (x->ttfb_ns > m->ttfb_max || m->exchanges == 1)
		m->ttfb_max = x->ttfb_ns;
	if (x->ttlb_ns > m->ttlb_max || m->exchanges == 1)
		m->ttlb_max = x->ttlb_ns;
	if (m->nex == m->ex_cap) {
		uint32_t cap = m->ex_cap ? m->ex_cap * 2 : 8;
		struct msg_exchange *n;

		if (m->ex_cap >= MSG_LIST_MAX)
			return;
		n = realloc(m->ex, cap * sizeof(*n));
		if (n == NULL)
			return;
		m->ex = n;
		m->ex_cap = cap;
	}
	m->ex[m->nex++] = *x;
}

/* A message of dir began (its first byte arrived at ts in frame). */
static void
pair_start(struct msg_conn *m, unsigned dir, uint64_t frame, int64_t ts)
{
	if (!m->timing || !m->alternating || m->req_dir < 0 || dir == (unsigned)m->req_dir)
		return;
	if (m->outstanding && !m->resp_started) {
		m->resp_started = true;
		m->resp_first_frame = frame;
		m->resp_first_ts = ts;
	}
}

/* A message of dir ended (its last byte arrived at ts in frame). */
static void
pair_end(struct msg_conn *m, unsigned dir, uint64_t off, uint64_t first_frame,
    int64_t first_ts, uint64_t frame, int64_t ts)
{
	struct msg_exchange x;

	if (!m->timing || !m->alternating)
		return;
	if (m->req_dir < 0)
		m->req_dir = (int)dir;	/* who speaks first asks */
	if (dir == (unsigned)m->req_dir) {
		if (m->outstanding) {		/* pipelined: no pairs */
			m->alternating = false;
			return;
		}
		m->outstanding = true;
		m->resp_started = false;
		m->req_off = off;
		m->req_frame = frame;
		m->req_ts = ts;
		return;
	}
	if (!m->outstanding) {			/* unasked, or an interim answer */
		m->alternating = false;
		return;
	}
	if (!m->resp_started) {
		m->resp_first_frame = first_frame;
		m->resp_first_ts = first_ts;
	}
	if (m->resp_first_ts < m->req_ts) {	/* answered before asked */
		m->alternating = false;
		return;
	}
	x.req_off = m->req_off;
	x.req_frame = m->req_frame;
	x.resp_first_frame = m->resp_first_frame;
	x.resp_last_frame = frame;
	x.ttfb_ns = m->resp_first_ts - m->req_ts;
	x.ttlb_ns = ts - m->req_ts;
	exchange_add(m, &x);
	m->outstanding = false;
	m->resp_started = false;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t
msg_exchange_median(const struct msg_conn *m, bool last_byte)
{
	int64_t *v, med;
	uint32_t i;

	if (m->nex == 0)
		return 0;
	v = malloc(m->nex * sizeof(*v));
	if (v == NULL)
		return last_byte ? m->ex[0].ttlb_ns : m->ex[0].ttfb_ns;
	for (i = 0; i < m->nex; i++)
		v[i] = last_byte ? m->ex[i].ttlb_ns : m->ex[i].ttfb_ns;
	qsort(v, m->nex, sizeof(*v), cmp_i64);
	med = m->nex % 2 ? v[m->nex / 2] : (v[m->nex / 2 - 1] + v[m->nex / 2]) / 2;
	free(v);
	return med;
}

/* ---- head-of-line blocking ---------------------------------------------- */

/* A unit (a message, or a segment's bytes) whose last byte arrived at
 * src_ts became readable at ts. */
static void
hol_unit(struct msg_conn *m, struct msg_dir *d, uint64_t off, int64_t src_ts, uint64_t frame,
    int64_t ts)
{
	int64_t wait = ts - src_ts;

	if (frame == 0 || wait <= 0)
		return;
	d->hol_units++;
	d->hol_total_ns += wait;
	if (wait > d->hol_max_ns) {
		d->hol_max_ns = wait;
		d->hol_max_frame = frame;
	}
	if (wait <= m->threshold_ns)
		return;
	d->hol_over++;
	d->ev_units++;
	m->pending = true;
	if (wait > d->ev_max_ns) {
		d->ev_max_ns = wait;
		d->ev_max_off = off;
	}
}

/* Where this frame's deliveries began and where the first late segment
 * (one that arrived earlier and waited) sits. */
static void
hol_note(struct msg_dir *d, uint64_t off, uint64_t src_frame, uint64_t frame, int64_t ts)
{
	if (frame == 0)
		return;
	if (d->ev_frame != frame) {
		d->ev_frame = frame;
		d->ev_ts = ts;
		d->ev_fill_off = off;
		d->ev_late = false;
		d->ev_units = 0;
		d->ev_max_ns = 0;
		d->ev_passed = d->pass_frame == frame;
	}
	if (src_frame != frame && !d->ev_late) {
		d->ev_late = true;
		d->ev_after_frame = src_frame;
		d->ev_after_off = off;
	}
}

void
msg_flush(struct msg_conn *m)
{
	unsigned i;

	if (!m->pending)
		return;
	m->pending = false;
	for (i = 0; i < 2; i++) {
		struct msg_dir *d = &m->d[i];
		struct msg_event ev;

		if (d->ev_frame != 0 && d->ev_units > 0 && m->emit != NULL) {
			memset(&ev, 0, sizeof(ev));
			ev.kind = MSG_EV_HOL;
			ev.dir = i;
			ev.frame = d->ev_frame;
			ev.ts_ns = d->ev_ts;
			ev.delay_ns = d->ev_max_ns;
			ev.threshold_ns = m->threshold_ns;
			ev.units = d->ev_units;
			ev.per_segment = d->fp.rule.kind == FR_NONE;
			ev.worst_off = d->ev_max_off;
			ev.hole_off = d->ev_passed ? d->pass_off : d->ev_fill_off;
			ev.hole_len = d->ev_passed ? d->pass_len : d->ev_after_off - d->ev_fill_off;
			ev.after_frame = d->ev_after_frame;
			ev.filled = !d->ev_passed;
			m->emit(m->emit_ctx, &ev);
		}
		d->ev_frame = 0;
		d->ev_units = 0;
		d->ev_passed = false;
	}
}

/* ---- cutting ------------------------------------------------------------ */

static void
list_add(struct msg_dir *d, const struct msg_item *it)
{
	if (d->nlist == d->list_cap) {
		uint32_t cap = d->list_cap ? d->list_cap * 2 : 16;
		struct msg_item *n;

		if (d->list_cap >= MSG_LIST_MAX || (n = realloc(d->list, cap * sizeof(*n))) ==
		    NULL) {
			d->list_omitted++;
			return;
		}
		d->list = n;
		d->list_cap = cap;
	}
	d->list[d->nlist++] = *it;
}

static void
size_add(struct msg_dir *d, uint64_t len)
{
	unsigned b = 0;

	d->messages++;
	d->bytes += len;
	if (len < d->min)
		d->min = len;
	if (len > d->max)
		d->max = len;
	while (b + 1 < MSG_LOG2_BINS && len >> (b + 1) != 0)
		b++;
	d->log2[b]++;
}

static void
framing_error(struct msg_conn *m, unsigned dir, const struct fr_result *res, uint64_t frame,
    int64_t ts)
{
	struct msg_dir *d = &m->d[dir];
	struct msg_event ev;

	d->error = true;
	d->error_off = res->error_off;
	d->error_why = res->error_why;
	if (m->timing && m->outstanding && dir != (unsigned)m->req_dir)
		m->alternating = false;
	if (m->emit == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = MSG_EV_FRAMING_ERROR;
	ev.dir = dir;
	ev.frame = frame;
	ev.ts_ns = ts;
	ev.off = res->error_off;
	ev.why = res->error_why;
	ev.rule = d->fp.rule.kind;
	m->emit(m->emit_ctx, &ev);
}

/* auto: the connection's first bytes choose the rule of both directions. */
static void
decide(struct msg_conn *m, const uint8_t *p, uint32_t len)
{
	struct fr_rule r = m->rule;
	unsigned i;

	r.kind = fr_detect(p, len);
	for (i = 0; i < 2; i++) {
		uint64_t pos = m->d[i].fp.pos;

		fr_init(&m->d[i].fp, &r);
		m->d[i].fp.pos = m->d[i].fp.start = pos;
	}
	m->timing = r.kind == FR_HTTP || r.kind == FR_RESP;
	m->decided = true;
}

void
msg_data(struct msg_conn *m, unsigned dir, uint64_t off, const uint8_t *p, uint32_t len,
    uint64_t src_frame, int64_t src_ts, uint64_t frame, int64_t ts)
{
	struct msg_dir *d = &m->d[dir];
	struct fr_parser *f = &d->fp;
	uint64_t end = off + len;
	bool multi = false;
	size_t used = 0;

	if (len == 0)
		return;
	if (!m->decided)
		decide(m, p, len);
	hol_note(d, off, src_frame, frame, ts);
	d->segments++;
	if (f->rule.kind == FR_NONE || f->failed) {
		/* not cut: each segment's bytes are the unit that waits */
		f->pos = f->start = end;
		hol_unit(m, d, off, src_ts, frame, ts);
		return;
	}
	if (f->pos != off || d->error) {	/* a hole was passed: framing stopped */
		f->pos = f->start = end;
		hol_unit(m, d, off, src_ts, frame, ts);
		return;
	}
	if (f->pos == f->start) {		/* a message begins here */
		d->first_frame = src_frame;
		d->first_ts = src_ts;
		pair_start(m, dir, src_frame, src_ts);
	}
	while (used < len && !f->failed) {
		struct fr_result res;
		uint64_t start = f->start;
		unsigned i;

		res.nends = 0;
		res.error = false;
		res.nrequests = 0;
		res.head_requests = 0;
		used += fr_feed(f, p + used, len - used, &res);
		for (i = 0; i < res.nrequests; i++)
			fr_http_request(&m->d[!dir].fp, (res.head_requests >> i) & 1);
		for (i = 0; i < res.nends; i++) {
			uint64_t e = res.ends[i];
			struct msg_item it;

			it.off = start;
			it.len = e - start;
			it.first_frame = d->first_frame;
			it.last_frame = src_frame;
			it.hol_ns = frame != 0 && ts > src_ts ? ts - src_ts : 0;
			size_add(d, it.len);
			if (it.first_frame != src_frame)
				d->multi_segment++;
			if (m->list)
				list_add(d, &it);
			hol_unit(m, d, start, src_ts, frame, ts);
			pair_end(m, dir, start, d->first_frame, d->first_ts, src_frame, src_ts);
			start = e;
			if (e < end) {		/* the next one begins in this segment */
				multi = true;
				d->first_frame = src_frame;
				d->first_ts = src_ts;
				pair_start(m, dir, src_frame, src_ts);
			}
		}
		if (res.error)
			framing_error(m, dir, &res, src_frame, src_ts);
	}
	if (multi)
		d->segments_multi++;
}

void
msg_hole(struct msg_conn *m, unsigned dir, uint64_t off, uint64_t len, uint64_t frame,
    bool at_end)
{
	struct msg_dir *d = &m->d[dir];

	if (!at_end && frame != 0) {
		/* the bytes after it are read now without it: the wait ends
		 * with an acknowledgement, not a copy */
		d->pass_frame = frame;
		d->pass_off = off;
		d->pass_len = len;
	}
	if (!d->fp.failed && d->fp.rule.kind != FR_NONE && !d->error) {
		d->error = true;	/* not an event: the hole is one */
		d->error_off = off;
		d->error_why = "bytes missing from the capture";
	}
	/* the messages around it cannot be cut: the rest of this direction
	 * goes uncut (msg_data sees the jump) */
	if (m->timing && m->outstanding)
		m->alternating = false;
}

void
msg_finish(struct msg_conn *m)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct msg_dir *d = &m->d[i];
		uint64_t start = d->fp.start;

		if (fr_finish(&d->fp)) {
			struct msg_item it = {
				.off = start, .len = d->fp.pos - start,
				.first_frame = d->first_frame, .last_frame = 0,
			};

			size_add(d, it.len);
			if (m->list)
				list_add(d, &it);
		}
	}
	msg_flush(m);
}

uint64_t
msg_pending(const struct msg_dir *d)
{
	return d->fp.failed ? 0 : fr_pending(&d->fp);
}
