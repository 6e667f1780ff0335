/* reassembly.h: one direction's TCP payload put back into the byte stream
 * the receiving application read, as the Linux stack builds it.
 *
 * Owns struct rs_side (a direction's out-of-order queue and the recently
 * delivered bytes kept to compare retransmissions with) and struct
 * rs_budget (the --stream-memcap accounting shared by every side).  Bytes
 * are numbered by 64-bit stream offsets from the direction's first byte
 * (the SYN's sequence number + 1, or the first segment seen), so the
 * 2^32 wrap of sequence numbers never shows past this module.
 *
 * Which copy of a byte wins is Linux's (tcp_data_queue, tcp_data_queue_ofo,
 * tcp_ofo_queue): a byte before the next one to deliver was already handed
 * on, so its first copy wins; in the out-of-order queue a segment inside a
 * queued one is dropped, queued segments inside a new one are replaced by
 * it, and where two queued segments overlap partly the one that starts
 * lower wins.  Overlapping copies whose bytes differ are reported
 * (rs_sink.conflict).
 *
 * A hole (bytes never captured) is passed over, and reported
 * (rs_sink.hole), only when it cannot fill any more: the peer acknowledged
 * past it (the receiver had the bytes; the capture missed them), the side's
 * limit or the budget forces it, or the direction ends.  No I/O. */
#ifndef TCPDISSECT_REASSEMBLY_H
#define TCPDISSECT_REASSEMBLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Delivered bytes kept per side to compare retransmissions with: about
 * a receive window of the common sizes, and only while the budget is less
 * than half used; older ones are not compared. */
#define RS_HISTORY_BYTES	(64u << 10)

struct rs_budget {
	size_t		cap;		/* bytes all sides may hold (--stream-memcap) */
	size_t		side_cap;	/* bytes one side may hold */
	size_t		used;		/* bytes held now, data and chunk headers */
	size_t		peak;
	uint64_t	dropped_bytes;	/* payload not kept: over a limit */
	uint64_t	dropped_segments;
	uint64_t	forced_holes;	/* holes passed over to make room */
};

enum rs_hole_why {
	RS_HOLE_ACKED,		/* the peer acknowledged past it */
	RS_HOLE_LIMIT,		/* the side's limit or the budget */
	RS_HOLE_END,		/* the direction ended with it open */
};

struct rs_conflict {
	uint64_t	off;		/* stream offset of the first differing byte */
	uint32_t	len;		/* bytes both copies cover */
	uint32_t	differing;	/* of those, bytes that differ */
	uint64_t	kept_frame;	/* the copy the application read */
	uint64_t	other_frame;	/* the copy discarded */
	bool		kept_first;	/* the kept copy arrived first */
	bool		delivered;	/* the kept copy had already been read */
};

/* Where a side hands its bytes.  data: len bytes at stream offset off,
 * delivered in order, completed by frame (the segment that made them
 * deliverable) at ts_ns; src_frame is the segment that carried them, which
 * arrived at src_ts (earlier than ts_ns when they waited for a hole). */
struct rs_sink {
	void	(*data)(void *ctx, uint64_t off, const uint8_t *p, uint32_t len,
		    uint64_t src_frame, int64_t src_ts, uint64_t frame, int64_t ts_ns);
	void	(*hole)(void *ctx, uint64_t off, uint64_t len, enum rs_hole_why why,
		    uint64_t frame);
	void	(*conflict)(void *ctx, const struct rs_conflict *cf, uint64_t frame,
		    int64_t ts_ns);
};

struct rs_chunk;

struct rs_side {
	bool		 started;	/* base is set */
	uint32_t	 base;		/* sequence number of offset 0 */
	uint64_t	 next;		/* offset of the next byte to deliver */
	uint64_t	 end;		/* offset after the highest payload byte
					 * seen (a FIN's number excluded) */
	struct rs_chunk	*ooo;		/* waiting for a hole, sorted by offset */
	struct rs_chunk	*hist, *hist_tail;	/* delivered, oldest first */
	size_t		 held;		/* bytes of this side in the budget */
	size_t		 hist_bytes;	/* payload bytes in hist */
	uint64_t	 holes;		/* holes passed over */
	uint64_t	 hole_bytes;
	uint64_t	 conflicts;	/* overlaps with differing bytes */
	uint64_t	 dropped_bytes;	/* not kept: over a limit */
	uint64_t	 delivered;	/* bytes handed on */
};

void rs_side_init(struct rs_side *s);

/* One segment of this direction: seq as on the wire, syn its SYN flag
 * (the data then starts at seq + 1), len payload bytes per its headers of
 * which the first cap were captured at p (the rest become a hole). */
void rs_segment(struct rs_side *s, struct rs_budget *b, const struct rs_sink *k, void *ctx,
    uint32_t seq, bool syn, uint32_t len, const uint8_t *p, uint32_t cap, uint64_t frame,
    int64_t ts_ns);

/* The peer acknowledged ack: every byte before it reached the receiver. */
void rs_ack(struct rs_side *s, struct rs_budget *b, const struct rs_sink *k, void *ctx,
    uint32_t ack, uint64_t frame, int64_t ts_ns);

/* The direction ends: what waits is delivered with its holes, all memory
 * returned to the budget.  The side may be used again after rs_side_init. */
void rs_finish(struct rs_side *s, struct rs_budget *b, const struct rs_sink *k, void *ctx,
    uint64_t frame, int64_t ts_ns);

#endif /* TCPDISSECT_REASSEMBLY_H */
