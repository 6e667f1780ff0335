/* test_seq.c: the wraparound-safe sequence helpers at and across 0, 2^31
 * and 2^32 - 1. */
#include "seq.h"
#include "tap.h"

int
main(void)
{
	/* seq_diff on plain values and across the wrap. */
	is_u64((int64_t)seq_diff(5, 3), 2, "5 - 3");
	ok(seq_diff(3, 5) == -2, "3 - 5 = -2");
	ok(seq_diff(0, UINT32_MAX) == 1, "0 is one after 2^32-1");
	ok(seq_diff(UINT32_MAX, 0) == -1, "2^32-1 is one before 0");
	ok(seq_diff(10, UINT32_MAX - 9) == 20, "distance across the wrap");
	ok(seq_diff(0x7fffffffu, 0) == INT32_MAX, "2^31-1 ahead is the largest positive");
	ok(seq_diff(0x80000000u, 0) == INT32_MIN, "exactly 2^31 apart is INT32_MIN");
	ok(seq_diff(0, 0x80000000u) == INT32_MIN, "and so is the reverse (RFC 1982 ambiguity)");
	ok(seq_diff(0x80000001u, 0) == -0x7fffffff, "2^31+1 ahead is behind");

	/* Comparisons. */
	ok(seq_lt(1, 2) && !seq_lt(2, 1) && !seq_lt(2, 2), "seq_lt basic");
	ok(seq_le(2, 2) && seq_ge(2, 2), "le/ge on equal");
	ok(seq_lt(UINT32_MAX, 0), "2^32-1 < 0 across the wrap");
	ok(seq_gt(0, UINT32_MAX), "0 > 2^32-1 across the wrap");
	ok(seq_gt(5, UINT32_MAX - 5), "5 > 2^32-6");
	ok(seq_lt(UINT32_MAX - 5, 5), "2^32-6 < 5");
	ok(seq_lt(0, 0x7fffffffu), "0 < 2^31-1");
	ok(!seq_lt(0, 0x80000001u), "0 is not < 2^31+1 (that is behind)");
	ok(seq_lt(0, 0x80000000u) && seq_lt(0x80000000u, 0),
	    "at exactly 2^31 both orders hold (documented)");
	ok(seq_max(UINT32_MAX, 3) == 3 && seq_min(UINT32_MAX, 3) == UINT32_MAX,
	    "max/min across the wrap");

	/* Windows. */
	ok(seq_within(5, UINT32_MAX - 5, 10), "5 within [2^32-6, 10]");
	ok(seq_within(UINT32_MAX - 5, UINT32_MAX - 5, 10), "low edge inclusive");
	ok(seq_within(10, UINT32_MAX - 5, 10), "high edge inclusive");
	ok(!seq_within(11, UINT32_MAX - 5, 10), "11 outside");
	ok(!seq_within(UINT32_MAX - 6, UINT32_MAX - 5, 10), "just below outside");
	ok(seq_in_range(UINT32_MAX, UINT32_MAX, 0), "half-open range [2^32-1, 0)");
	ok(!seq_in_range(0, UINT32_MAX, 0), "0 excluded from [2^32-1, 0)");
	ok(!seq_in_range(7, 7, 7), "empty range");

	/* Sequence space consumed. */
	is_u64(seq_end(100, 10, false, false), 110, "data only");
	is_u64(seq_end(100, 0, true, false), 101, "SYN takes one");
	is_u64(seq_end(100, 0, false, true), 101, "FIN takes one");
	is_u64(seq_end(100, 5, true, true), 107, "SYN + data + FIN");
	is_u64(seq_end(UINT32_MAX, 1, false, true), 1, "wraps in 32 bits");
	is_u64(seq_end(UINT32_MAX - 1, 0, true, false), UINT32_MAX, "SYN at the top");

	ok(seq_wrapped(UINT32_MAX - 10, 5), "moving forward across 2^32 is a wrap");
	ok(!seq_wrapped(5, 10), "no wrap");
	ok(!seq_wrapped(5, UINT32_MAX - 10), "moving backward is not a wrap");
	return tap_done();
}
