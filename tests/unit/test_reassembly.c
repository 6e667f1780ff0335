/* test_reassembly.c: one direction's byte stream put back in order: in
 * order, out of order, across the 2^32 wrap, Linux's rules for overlapping
 * copies and the conflicts they show, holes passed over on an ACK or at the
 * end, and the budget. */
#include <stdlib.h>
#include <string.h>

#include "reassembly.h"
#include "tap.h"

struct got {
	uint8_t		bytes[4096];
	size_t		n;
	uint64_t	last_off, last_frame, last_src;
	unsigned	blocks;
	unsigned	holes;
	uint64_t	hole_off, hole_len;
	enum rs_hole_why hole_why;
	unsigned	conflicts;
	struct rs_conflict cf;
};

static void
on_data(void *ctx, uint64_t off, const uint8_t *p, uint32_t len, uint64_t src_frame,
    int64_t src_ts, uint64_t frame, int64_t ts_ns)
{
	struct got *g = ctx;

	(void)ts_ns;
	if (off + len <= sizeof(g->bytes))
		memcpy(g->bytes + off, p, len);
	g->n = off + len;
	g->last_off = off;
	g->last_frame = frame;
	g->last_src = src_frame;
	g->blocks++;
	(void)src_ts;
}

static void
on_hole(void *ctx, uint64_t off, uint64_t len, enum rs_hole_why why, uint64_t frame)
{
	struct got *g = ctx;

	(void)frame;
	g->holes++;
	g->hole_off = off;
	g->hole_len = len;
	g->hole_why = why;
}

static void
on_conflict(void *ctx, const struct rs_conflict *cf, uint64_t frame, int64_t ts_ns)
{
	struct got *g = ctx;

	(void)frame;
	(void)ts_ns;
	g->conflicts++;
	g->cf = *cf;
}

static const struct rs_sink sink = { on_data, on_hole, on_conflict };

static void
seg(struct rs_side *s, struct rs_budget *b, struct got *g, uint32_t seq, const char *data,
    uint64_t frame)
{
	uint32_t len = (uint32_t)strlen(data);

	rs_segment(s, b, &sink, g, seq, false, len, (const uint8_t *)data, len, frame, 0);
}

static void
budget_init(struct rs_budget *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->cap = cap;
	b->side_cap = cap;
}

int
main(void)
{
	struct rs_side s;
	struct rs_budget b;
	struct got g;

	/* In order, after a SYN: the data starts at ISN + 1. */
	budget_init(&b, 1 << 20);
	rs_side_init(&s);
	memset(&g, 0, sizeof(g));
	rs_segment(&s, &b, &sink, &g, 1000, true, 0, NULL, 0, 1, 0);
	seg(&s, &b, &g, 1001, "hello ", 3);
	seg(&s, &b, &g, 1007, "world", 4);
	ok(g.n == 11 && memcmp(g.bytes, "hello world", 11) == 0, "in order after the SYN");
	is_u64(g.blocks, 2, "one block per segment");
	is_u64(g.last_off, 6, "second block at offset 6");
	rs_finish(&s, &b, &sink, &g, 0, 0);
	is_u64(b.used, 0, "finish returns every byte to the budget");

	/* Out of order: the later segment waits; the earlier one completes both. */
	rs_side_init(&s);
	memset(&g, 0, sizeof(g));
	seg(&s, &b, &g, 500, "AAAA", 1);	/* mid-stream pickup: base 500 */
	seg(&s, &b, &g, 508, "CCCC", 2);
	is_u64(g.n, 4, "bytes after a hole wait");
	seg(&s, &b, &g, 504, "BBBB", 3);
	ok(g.n == 12 && memcmp(g.bytes, "AAAABBBBCCCC", 12) == 0, "hole filled: all in order");
	is_u64(g.last_frame, 3, "the waiting block was completed by the filling frame");
	is_u64(g.last_src, 2, "and carried by its own frame");
	rs_finish(&s, &b, &sink, &g, 0, 0);

	/* Across the 2^32 wrap, in the middle of a message. */
	rs_side_init(&s);
	memset(&g, 0, sizeof(g));
	rs_segment(&s, &b, &sink, &g, UINT32_MAX - 4, true, 0, NULL, 0, 1, 0);
	seg(&s, &b, &g, UINT32_MAX - 3, "0123", 2);
	seg(&s, &b, &g, 4, "89ab", 4);		/* out of order, past the wrap */
	seg(&s, &b, &g, 0, "4567", 3);
	ok(g.n == 12 && memcmp(g.bytes, "0123456789ab", 12) == 0, "offsets run on across the wrap");
	is_u64(g.holes, 0, "no hole across the wrap");
	rs_finish(&s, &b, &sink, &g, 0, 0);

	/* A retransmission with other bytes after delivery: the first wins. */
	rs_side_init(&s);
	memset(&g, 0, sizeof(g));
	seg(&s, &b, &g, 100, "GET /a", 1);
	seg(&s, &b, &g, 100, "GET /b", 2);
	ok(memcmp(g.bytes, "GET /a", 6) == 0 && g.blocks == 1, "first copy delivered, once");
	is_u64(g.conflicts, 1, "differing retransmission reported");
	is_u64(g.cf.kept_frame, 1, "kept the first copy");
	is_u64(g.cf.other_frame, 2, "the other copy's frame");
	is_u64(g.cf.off, 5, "offset of the first differing byte");
	is_u64(g.cf.differing, 1, "one byte differs");
	ok(g.cf.kept_first && g.cf.delivered, "first copy, already read");
	seg(&s, &b, &g, 100, "GET /a", 3);
	is_u64(g.conflicts, 1, "an identical retransmission is no conflict");
	rs_finish(&s, &b, &sink, &g, 0, 0);

	/* Out-of-order queue: a new segment covering a queued one replaces it
	 * (tcp_data_queue_ofo), so the later copy wins there. */
	rs_side_init(&s);
	memset(&g, 0, sizeof(g));
	seg(&s, &b, &g, 0, "ab", 1);
	seg(&s, &b, &g, 4, "XX", 2);		/* queued */
	seg(&s, &b, &g, 4, "yyyy", 3);		/* covers it: replaces it */
	is_u64(g.conflicts, 1, "covered queued copy compared");
	is_u64(g.cf.kept_frame, 3, "the covering copy is kept");
	ok(!g.cf.kept_first && !g.cf.delivered, "kept copy arrived second, not yet read");
	seg(&s, &b, &g, 2, "cd", 4);
	ok(g.n == 8 && memcmp(g.bytes, "abcdyyyy", 8) == 0, "Linux's bytes delivered");
	/* Partial overlap in the queue: the lower one wins. */
	seg(&s, &b, &g, 12, "PPPP", 5);
	seg(&s, &b, &g, 14, "QQQQ", 6);
	is_u64(g.conflicts, 2, "partial overlap with other bytes reported");
	is_u64(g.cf.kept_frame, 5, "the lower queued copy wins the overlap");
	/* A hole acknowledged by the peer was received: passed over. */
	rs_ack(&s, &b, &sink, &g, 12, 7, 0);
	is_u64(g.holes, 1, "acknowledged hole passed over");
	ok(g.hole_off == 8 && g.hole_len == 4 && g.hole_why == RS_HOLE_ACKED,
	    "hole [8, 12) acked");
	ok(g.n == 18 && memcmp(g.bytes + 12, "PPPPQQ", 6) == 0, "bytes after it delivered");
	rs_ack(&s, &b, &sink, &g, 19, 8, 0);	/* the FIN's number: no hole */
	is_u64(g.holes, 1, "an ACK of the FIN passes no hole");
	seg(&s, &b, &g, 30, "zz", 9);
	rs_finish(&s, &b, &sink, &g, 0, 0);
	ok(g.holes == 2 && g.hole_why == RS_HOLE_END && g.hole_off == 18 && g.hole_len == 12,
	    "an open hole at the end is passed over and reported");
	is_u64(g.n, 32, "the last bytes after it delivered");
	is_u64(b.used, 0, "nothing held after finish");

	/* A budget too small to wait: holes forced, nothing lost. */
	budget_init(&b, 200);
	rs_side_init(&s);
	memset(&g, 0, sizeof(g));
	seg(&s, &b, &g, 0, "0123456789", 1);
	seg(&s, &b, &g, 100, "late-bytes-late-bytes-late-bytes-late-bytes-late-bytes-late-bytes-"
	    "late-bytes-late-bytes-late-bytes-late-bytes-late-bytes-late-bytes-late-bytes-"
	    "late-bytes-late-bytes-late-bytes-late-bytes-late-bytes-!", 2);
	ok(b.forced_holes == 1 && g.holes == 1 && g.hole_why == RS_HOLE_LIMIT,
	    "over the budget: the hole is no longer waited for");
	ok(g.n > 100 && g.bytes[g.n - 1] == '!', "the bytes after it were still handed on");
	ok(b.peak <= 200, "the budget was never exceeded");
	rs_finish(&s, &b, &sink, &g, 0, 0);
	is_u64(b.used, 0, "and is all returned");
	return tap_done();
}
