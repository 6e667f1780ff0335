/* plot_int.h: the collector's data, shared by plot.c (collecting) and
 * plot_svg.c (drawing), and open to the unit tests.
 *
 * Geometry: a direction's sequence numbers are unwrapped onto a 64-bit
 * axis (struct plot_axis) and drawn relative to its base (Wireshark's
 * relative sequence number 0, the SYN), so a transfer that crosses 2^32
 * or moves more than 4 GiB stays one rising line.
 *
 * Bounded memory: a series holds at most PLOT_SERIES_CAP buckets.  When it
 * is full, neighbouring buckets are merged pairwise (time span, lowest and
 * highest value, last value, first and last frame) and each bucket then
 * takes twice as many samples: a million segments cost what 4,096 do.
 * Marks (events, RTO gaps) are never merged; at most PLOT_MARKS_MAX are
 * kept per stream, the rest counted and said on the graph. */
#ifndef TCPDISSECT_PLOT_INT_H
#define TCPDISSECT_PLOT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "packet.h"
#include "plot.h"

#define PLOT_SERIES_CAP	4096u
#define PLOT_BINS	512u		/* throughput bins */
#define PLOT_MARKS_MAX	(1u << 20)
#define PLOT_MSG_POOL	(1u << 20)	/* bytes of mark messages per stream */
#define PLOT_MSG_MAX	120u		/* a message kept for a tool tip */

/* Sequence numbers of one direction on an unwrapped axis. */
struct plot_axis {
	bool	set;
	int64_t	base;		/* absolute (unwrapped) value of relative 0 */
	int64_t	ref;		/* highest unwrapped value seen */
};

/* Set relative 0 at base (no effect once set). */
void plot_axis_init(struct plot_axis *ax, uint32_t base);
/* Relative position of s: nearest to the highest value seen, so a
 * number just past 2^32 lands above it and a retransmission below it. */
int64_t plot_axis_rel(struct plot_axis *ax, uint32_t s);

struct plot_bucket {
	int64_t		t0, t1;		/* first and last sample time, ns */
	int64_t		lo, hi;		/* lowest and highest value */
	int64_t		last;		/* the last sample's value */
	uint64_t	f0, f1;		/* first and last frame */
	uint32_t	n;		/* samples merged */
};

struct plot_series {
	struct plot_bucket	*b;
	uint32_t		 n, alloc;
	uint32_t		 per;	/* samples a bucket takes now */
	uint64_t		 samples;
};

/* Add one sample spanning lo..hi (value last = hi unless told); false
 * when memory ran out (the sample is dropped). */
bool plot_series_add(struct plot_series *s, int64_t t, int64_t lo, int64_t hi, int64_t last,
    uint64_t frame);
void plot_series_free(struct plot_series *s);

/* Bytes per time bin; bins double in width when time runs past the last. */
struct plot_bins {
	int64_t		t0;		/* time of bin 0's start */
	int64_t		width;		/* ns per bin */
	uint32_t	used;		/* bins up to the last one touched */
	uint64_t	bytes[PLOT_BINS];
};

void plot_bins_add(struct plot_bins *b, int64_t t, uint64_t bytes);

/* Mark kinds beyond the event kinds. */
enum plot_mark_kind {
	PMK_RTO_GAP = EVK_COUNT,	/* silence before a retransmission */
	PMK_COUNT
};

/* Where a mark sits: on the sender's data, or on the receiver's ACK. */
enum plot_role { PR_DATA, PR_ACK };

struct plot_mark {
	int64_t		t;
	int64_t		t_from;		/* RTO gap: the sender's previous send */
	int64_t		lo, hi;		/* relative sequence span */
	uint64_t	frame;
	uint32_t	msg;		/* offset into the message pool; UINT32_MAX = none */
	uint16_t	kind;		/* enum event_kind or plot_mark_kind */
	uint8_t		severity;
	uint8_t		role : 4;	/* enum plot_role */
	uint8_t		dir : 4;	/* the graph: side index of the data sender */
};

/* One direction: data sent by side `dir` of the connection, ACKs from the
 * other side. */
struct plot_dir {
	bool			 seen;		/* it sent a segment */
	struct endpoint		 src, dst;
	struct plot_axis	 axis;
	struct plot_series	 data;		/* lo = seq, hi = seq_end */
	struct plot_series	 ack;		/* the peer's cumulative ACK */
	struct plot_series	 win;		/* ACK + the peer's scaled window */
	struct plot_series	 sack;		/* the peer's SACK blocks */
	struct plot_series	 rtt;		/* RTT samples, us */
	struct plot_bins	 sent, acked;	/* payload bytes sent / newly acked */
	int64_t			 snd_hi;	/* highest seq_end sent (relative) */
	int64_t			 ack_hi;	/* highest ACK from the peer */
	bool			 have_ack;
	int64_t			 last_send_ns;	/* its previous data segment */
	bool			 have_send;
	bool			 rtt_pending;	/* timing data ending at rtt_end */
	int64_t			 rtt_end, rtt_t;
	uint64_t		 segments, bytes, retrans;
};

struct plot_stream {
	uint32_t		 stream;
	bool			 seen;
	unsigned		 input;		/* input index (several inputs) */
	int64_t			 t_first, t_last;
	uint8_t			 a;		/* side index of direction "A":
						 * the sender of the first segment */
	struct plot_dir		 d[2];		/* by side index */
	/* the segment just recorded, to place its events */
	uint64_t		 last_frame;
	uint8_t			 last_dir;
	bool			 last_data, last_acks;
	int64_t			 last_lo, last_hi, last_ack;
	struct plot_mark	*marks;
	uint32_t		 nmarks, marks_alloc;
	uint64_t		 marks_dropped;
	char			*pool;
	uint32_t		 pool_used;
};

/* Record the event ev of stream s as a mark. */
void plot_stream_event(struct plot_stream *s, const struct event *ev);
/* Add one mark; false when the stream's marks are full or memory ran out. */
bool plot_stream_mark(struct plot_stream *s, const struct plot_mark *m, const char *msg);
/* Collect one segment into s (what plot_segment does for a wanted stream). */
void plot_stream_segment(struct plot_stream *s, const struct conn *c, unsigned dir,
    const struct segment *seg, const struct track_result *tr, uint64_t frame, int64_t ts_ns);
void plot_stream_free(struct plot_stream *s);

/* Draw the graph of direction dir (a side index) of s as an SVG document;
 * false on a write error. */
bool plot_svg_write(FILE *f, const struct plot_stream *s, unsigned dir, const char *source);

/* Name and colour of a mark kind. */
const char *plot_mark_name(unsigned kind);

#endif /* TCPDISSECT_PLOT_INT_H */
