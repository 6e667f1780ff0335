/* seq.h: TCP sequence arithmetic modulo 2^32 (RFC 793 section 3.3, RFC 1982).
 *
 * Every comparison of two sequence or acknowledgement numbers in tcpdissect
 * goes through these helpers; a bare '<' between two of them is a bug.
 * Header only, no dependencies beyond <stdint.h>/<stdbool.h>. */
#ifndef TCPDISSECT_SEQ_H
#define TCPDISSECT_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/* Signed distance a - b in [-2^31, 2^31), computed without any
 * implementation-defined conversion of an out-of-range unsigned value.
 * At exactly 2^31 apart the order is undefined (RFC 1982): seq_diff()
 * returns INT32_MIN for both (a, b) and (b, a), so both seq_lt(a, b) and
 * seq_lt(b, a) hold.  No window we track may ever span that far. */
static inline int32_t
seq_diff(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;

	return d <= (uint32_t)INT32_MAX ? (int32_t)d
	    : -(int32_t)(UINT32_MAX - d) - 1;
}

static inline bool seq_lt(uint32_t a, uint32_t b) { return seq_diff(a, b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return seq_diff(a, b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return seq_diff(a, b) > 0; }
static inline bool seq_ge(uint32_t a, uint32_t b) { return seq_diff(a, b) >= 0; }

/* The later / earlier of two sequence numbers. */
static inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_ge(a, b) ? a : b; }
static inline uint32_t seq_min(uint32_t a, uint32_t b) { return seq_le(a, b) ? a : b; }

/* lo <= s <= hi, counting forward from lo (valid while hi - lo < 2^31). */
static inline bool
seq_within(uint32_t s, uint32_t lo, uint32_t hi)
{
	return (uint32_t)(s - lo) <= (uint32_t)(hi - lo);
}

/* lo <= s < hi, counting forward from lo; empty when lo == hi. */
static inline bool
seq_in_range(uint32_t s, uint32_t lo, uint32_t hi)
{
	return (uint32_t)(s - lo) < (uint32_t)(hi - lo);
}

/* Sequence space a segment occupies: its payload, plus one for SYN and one
 * for FIN.  The only place that rule is written down.  The sum wraps in
 * uint32_t, as sequence numbers do. */
static inline uint32_t
seq_end(uint32_t seq, uint32_t payload_len, bool syn, bool fin)
{
	return seq + payload_len + (uint32_t)syn + (uint32_t)fin;
}

/* True when going forward from 'from' to 'to' crosses 2^32 (the unsigned
 * value goes down although the sequence moved forward). */
static inline bool
seq_wrapped(uint32_t from, uint32_t to)
{
	return seq_gt(to, from) && to < from;
}

#endif /* TCPDISSECT_SEQ_H */
