/* reassembly.c: one direction's byte stream in sequence order, Linux's
 * rules for overlapping copies, bounded memory (reassembly.h). */
#include "config.h"

#include "reassembly.h"

#include <stdlib.h>
#include <string.h>

#include "seq.h"

/* A piece of payload held: waiting in the out-of-order queue, or kept
 * after delivery to compare retransmissions with. */
struct rs_chunk {
	struct rs_chunk	*next;
	uint64_t	 off;		/* stream offset of data[0] */
	uint64_t	 frame;		/* the segment that carried it */
	int64_t		 ts_ns;		/* ... and when it arrived */
	uint32_t	 len;
	uint32_t	 alloc;		/* len when allocated (trimming keeps it) */
	uint8_t		 data[];
};

#define CHUNK_COST(len)	(sizeof(struct rs_chunk) + (size_t)(len))

void
rs_side_init(struct rs_side *s)
{
	memset(s, 0, sizeof(*s));
}

/* The stream offset of seq: the one nearest the next byte to deliver
 * (seq_diff's signed distance), so a side may run past 2^32 bytes. */
static int64_t
to_off(const struct rs_side *s, uint32_t seq)
{
	uint32_t rel = seq - s->base;

	return (int64_t)s->next + seq_diff(rel, (uint32_t)s->next);
}

static void
release(struct rs_side *s, struct rs_budget *b, struct rs_chunk *c)
{
	size_t cost = CHUNK_COST(c->alloc);

	s->held -= cost;
	b->used -= cost;
	free(c);
}

static void
drop_oldest_history(struct rs_side *s, struct rs_budget *b)
{
	struct rs_chunk *h = s->hist;

	s->hist = h->next;
	if (s->hist == NULL)
		s->hist_tail = NULL;
	s->hist_bytes -= h->len;
	release(s, b, h);
}

/* A chunk for len bytes, within the side's limit and the budget (this
 * side's history is given up first).  NULL: no room. */
static struct rs_chunk *
chunk_new(struct rs_side *s, struct rs_budget *b, uint64_t off, const uint8_t *p,
    uint32_t len, uint64_t frame, int64_t ts_ns)
{
	size_t cost = CHUNK_COST(len);
	struct rs_chunk *c;

	while (s->hist != NULL && (s->held + cost > b->side_cap || b->used + cost > b->cap))
		drop_oldest_history(s, b);
	if (s->held + cost > b->side_cap || b->used + cost > b->cap)
		return NULL;
	c = malloc(cost);
	if (c == NULL)
		return NULL;
	c->next = NULL;
	c->off = off;
	c->frame = frame;
	c->ts_ns = ts_ns;
	c->len = len;
	c->alloc = len;
	memcpy(c->data, p, len);
	s->held += cost;
	b->used += cost;
	if (b->used > b->peak)
		b->peak = b->used;
	return c;
}

/* Two copies of [off, off + len): report them if their bytes differ. */
static void
compare(struct rs_side *s, const struct rs_sink *k, void *ctx, uint64_t off,
    const uint8_t *kept, const uint8_t *other, uint32_t len, uint64_t kept_frame,
    uint64_t other_frame, bool kept_first, bool delivered, uint64_t frame, int64_t ts_ns)
{
	struct rs_conflict cf;
	uint32_t i, first = len;

	memset(&cf, 0, sizeof(cf));
	for (i = 0; i < len; i++)
		if (kept[i] != other[i]) {
			if (first == len)
				first = i;
			cf.differing++;
		}
	if (cf.differing == 0)
		return;
	s->conflicts++;
	cf.off = off + first;
	cf.len = len;
	cf.kept_frame = kept_frame;
	cf.other_frame = other_frame;
	cf.kept_first = kept_first;
	cf.delivered = delivered;
	if (k->conflict != NULL)
		k->conflict(ctx, &cf, frame, ts_ns);
}

/* Bytes [off, off + len) arrived again after delivery: the first copy
 * won; compare with what is still kept. */
static void
compare_history(struct rs_side *s, const struct rs_sink *k, void *ctx, uint64_t off,
    const uint8_t *p, uint32_t len, uint64_t frame, int64_t ts_ns)
{
	const struct rs_chunk *h;
	uint64_t end = off + len;

	for (h = s->hist; h != NULL; h = h->next) {
		uint64_t lo = h->off > off ? h->off : off;
		uint64_t hi = h->off + h->len < end ? h->off + h->len : end;

		if (lo >= hi)
			continue;
		compare(s, k, ctx, lo, h->data + (lo - h->off), p + (lo - off),
		    (uint32_t)(hi - lo), h->frame, frame, true, true, frame, ts_ns);
	}
}

/* Keep a delivered chunk for comparisons, within RS_HISTORY_BYTES, and only
 * while the budget is less than half used: bytes still waiting for a hole
 * (on any side) come first. */
static void
to_history(struct rs_side *s, struct rs_budget *b, struct rs_chunk *c)
{
	c->next = NULL;
	if (s->hist_tail != NULL)
		s->hist_tail->next = c;
	else
		s->hist = c;
	s->hist_tail = c;
	s->hist_bytes += c->len;
	while (s->hist != c && s->hist_bytes - s->hist->len >= RS_HISTORY_BYTES)
		drop_oldest_history(s, b);
	while (s->hist != NULL && b->used > b->cap / 2)
		drop_oldest_history(s, b);
}

static void
deliver(struct rs_side *s, const struct rs_sink *k, void *ctx, const uint8_t *p,
    uint32_t len, uint64_t src_frame, int64_t src_ts, uint64_t frame, int64_t ts_ns)
{
	if (k->data != NULL)
		k->data(ctx, s->next, p, len, src_frame, src_ts, frame, ts_ns);
	s->next += len;
	s->delivered += len;
}

static void
pass_hole(struct rs_side *s, const struct rs_sink *k, void *ctx, uint64_t to,
    enum rs_hole_why why, uint64_t frame)
{
	if (k->hole != NULL)
		k->hole(ctx, s->next, to - s->next, why, frame);
	s->holes++;
	s->hole_bytes += to - s->next;
	s->next = to;
}

/* Hand on the queued chunks that the next byte has reached. */
static void
drain(struct rs_side *s, struct rs_budget *b, const struct rs_sink *k, void *ctx,
    uint64_t frame, int64_t ts_ns)
{
	struct rs_chunk *c;

	while ((c = s->ooo) != NULL && c->off <= s->next) {
		s->ooo = c->next;
		if (c->off + c->len <= s->next) {	/* covered by a lower one */
			release(s, b, c);
			continue;
		}
		if (c->off < s->next) {		/* keep only what was read of it */
			uint32_t skip = (uint32_t)(s->next - c->off);

			memmove(c->data, c->data + skip, c->len - skip);
			c->len -= skip;
			c->off += skip;
		}
		deliver(s, k, ctx, c->data, c->len, c->frame, c->ts_ns, frame, ts_ns);
		to_history(s, b, c);
	}
}

/* Pass over holes and deliver until the next byte reaches 'to'. */
static void
skip_to(struct rs_side *s, struct rs_budget *b, const struct rs_sink *k, void *ctx,
    uint64_t to, enum rs_hole_why why, uint64_t frame, int64_t ts_ns)
{
	while (s->next < to) {
		drain(s, b, k, ctx, frame, ts_ns);
		if (s->next >= to)
			break;
		pass_hole(s, k, ctx, s->ooo != NULL && s->ooo->off < to ? s->ooo->off : to, why,
		    frame);
	}
	drain(s, b, k, ctx, frame, ts_ns);
}

/* Queue c as tcp_data_queue_ofo() does: dropped when inside a queued
 * chunk, replacing queued chunks inside it, and sorted by offset.  Every
 * overlap is compared; the copy that starts lower wins. */
static void
queue(struct rs_side *s, struct rs_budget *b, const struct rs_sink *k, void *ctx,
    struct rs_chunk *c, int64_t ts_ns)
{
	struct rs_chunk **pp = &s->ooo, *q;
	uint64_t cend = c->off + c->len;

	while ((q = *pp) != NULL && q->off < cend) {
		uint64_t qend = q->off + q->len;
		uint64_t lo = q->off > c->off ? q->off : c->off;
		uint64_t hi = qend < cend ? qend : cend;

		if (lo >= hi) {
			pp = &q->next;
			continue;
		}
		if (q->off <= c->off && qend >= cend) {
			/* all the bits are present: the new copy is dropped */
			compare(s, k, ctx, lo, q->data + (lo - q->off), c->data, c->len, q->frame,
			    c->frame, true, false, c->frame, ts_ns);
			release(s, b, c);
			return;
		}
		if (c->off <= q->off && cend >= qend) {
			/* the queued copy is replaced */
			compare(s, k, ctx, lo, c->data + (lo - c->off), q->data, q->len, c->frame,
			    q->frame, false, false, c->frame, ts_ns);
			*pp = q->next;
			release(s, b, q);
			continue;
		}
		if (q->off < c->off)
			compare(s, k, ctx, lo, q->data + (lo - q->off), c->data + (lo - c->off),
			    (uint32_t)(hi - lo), q->frame, c->frame, true, false, c->frame, ts_ns);
		else
			compare(s, k, ctx, lo, c->data + (lo - c->off), q->data + (lo - q->off),
			    (uint32_t)(hi - lo), c->frame, q->frame, false, false, c->frame, ts_ns);
		pp = &q->next;
	}
	/* sorted by offset: after every chunk that starts at or before c */
	pp = &s->ooo;
	while (*pp != NULL && (*pp)->off <= c->off)
		pp = &(*pp)->next;
	c->next = *pp;
	*pp = c;
}

void
rs_segment(struct rs_side *s, struct rs_budget *b, const struct rs_sink *k, void *ctx,
    uint32_t seq, bool syn, uint32_t len, const uint8_t *p, uint32_t cap, uint64_t frame,
    int64_t ts_ns)
{
	struct rs_chunk *c;
	uint32_t dseq = seq + (uint32_t)syn;
	int64_t off;
	uint64_t uoff;

	if (!s->started) {
		s->started = true;
		s->base = dseq;
	}
	if (len == 0)
		return;
	if (cap > len)
		cap = len;
	off = to_off(s, dseq);
	if (off + (int64_t)len <= 0)
		return;				/* all before the first byte */
	if (off < 0) {
		uint32_t skip = (uint32_t)-off;

		len -= skip;
		p += skip < cap ? skip : cap;
		cap = skip < cap ? cap - skip : 0;
		off = 0;
	}
	uoff = (uint64_t)off;
	if (uoff + len > s->end)
		s->end = uoff + len;
	if (uoff < s->next) {			/* read already: the first copy won */
		uint64_t upto = uoff + cap < s->next ? uoff + cap : s->next;

		if (upto > uoff)
			compare_history(s, k, ctx, uoff, p, (uint32_t)(upto - uoff), frame,
			    ts_ns);
		if (uoff + cap <= s->next)
			return;
		p += s->next - uoff;
		cap -= (uint32_t)(s->next - uoff);
		uoff = s->next;
	}
	if (cap == 0)
		return;
	c = chunk_new(s, b, uoff, p, cap, frame, ts_ns);
	if (c == NULL) {
		/* No room to wait: stop waiting for the holes before it and
		 * hand the bytes on now, counted. */
		if (s->ooo != NULL || uoff > s->next)
			b->forced_holes++;
		skip_to(s, b, k, ctx, uoff, RS_HOLE_LIMIT, frame, ts_ns);
		if (uoff < s->next) {		/* a queued copy covered part of it */
			if (uoff + cap <= s->next)
				return;
			p += s->next - uoff;
			cap -= (uint32_t)(s->next - uoff);
		}
		deliver(s, k, ctx, p, cap, frame, ts_ns, frame, ts_ns);
		drain(s, b, k, ctx, frame, ts_ns);
		return;
	}
	queue(s, b, k, ctx, c, ts_ns);
	drain(s, b, k, ctx, frame, ts_ns);
}

void
rs_ack(struct rs_side *s, struct rs_budget *b, const struct rs_sink *k, void *ctx,
    uint32_t ack, uint64_t frame, int64_t ts_ns)
{
	int64_t off;

	if (!s->started)
		return;
	off = to_off(s, ack);
	/* Never past the payload seen: the FIN's number, or bytes whose
	 * segments the capture missed entirely, are no hole to pass yet. */
	if (off > (int64_t)s->end)
		off = (int64_t)s->end;
	if (off <= (int64_t)s->next)
		return;
	skip_to(s, b, k, ctx, (uint64_t)off, RS_HOLE_ACKED, frame, ts_ns);
}

void
rs_finish(struct rs_side *s, struct rs_budget *b, const struct rs_sink *k, void *ctx,
    uint64_t frame, int64_t ts_ns)
{
	if (s->end > s->next)
		skip_to(s, b, k, ctx, s->end, RS_HOLE_END, frame, ts_ns);
	while (s->ooo != NULL) {		/* only chunks already covered */
		struct rs_chunk *c = s->ooo;

		s->ooo = c->next;
		release(s, b, c);
	}
	while (s->hist != NULL)
		drop_oldest_history(s, b);
}
