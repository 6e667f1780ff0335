/* messages.h: what a connection's application messages looked like on
 * the wire: per direction the messages --framing cut (framing.h), how they
 * lay in segments, their sizes, how long each waited behind a hole
 * (head-of-line blocking), and for request/response protocols each
 * request's time to the first and the last byte of its response.
 *
 * Owns struct msg_conn (a connection's two parsers, counters, the kept
 * exchange times and, with -v, the listed messages: at most MSG_LIST_MAX
 * of each) and struct msg_report (the view a connection record prints).
 * Fed the reassembly's deliveries in reading order with the frame and the
 * capture-point arrival time of the segment that carried them and of the
 * segment that made them deliverable; events go out through callbacks.
 * All times are the capture point's: arrivals on the wire, never the
 * receiver's read() calls.  No I/O. */
#ifndef TCPDISSECT_MESSAGES_H
#define TCPDISSECT_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "framing.h"

/* Messages listed (-v) and exchange times kept, per direction and
 * connection: the counts and the worst go on past it. */
#define MSG_LIST_MAX	1024
#define MSG_LOG2_BINS	32	/* sizes up to 2^32 bytes, larger in the last */

struct msg_item {
	uint64_t	off, len;
	uint64_t	first_frame, last_frame;
	int64_t		hol_ns;		/* its last byte's wait behind a hole */
};

struct msg_exchange {
	uint64_t	req_off;	/* the request's offset in its direction */
	uint64_t	req_frame;	/* the request's last byte */
	uint64_t	resp_first_frame, resp_last_frame;
	int64_t		ttfb_ns;	/* request's last byte -> response's first */
	int64_t		ttlb_ns;	/* request's last byte -> response's last */
};

struct msg_dir {
	struct fr_parser fp;
	/* the message being cut */
	uint64_t	 first_frame;	/* the segment with its first byte */
	int64_t		 first_ts;	/* that segment's arrival */
	/* counters */
	uint64_t	 messages, bytes;
	uint64_t	 multi_segment;	/* messages over more than one segment */
	uint64_t	 segments;	/* deliveries (a segment's new bytes) */
	uint64_t	 segments_multi;	/* ... that held bytes of several */
	uint64_t	 min, max;
	uint64_t	 log2[MSG_LOG2_BINS];	/* sizes in [2^i, 2^(i+1)) */
	bool		 error;
	uint64_t	 error_off;
	const char	*error_why;
	/* head-of-line blocking: units (messages, or segments without a
	 * rule) whose last byte arrived before a hole before it filled */
	uint64_t	 hol_units;
	uint64_t	 hol_over;	/* ... longer than the threshold */
	int64_t		 hol_total_ns, hol_max_ns;
	uint64_t	 hol_max_frame;	/* the frame that ended the worst wait */
	/* the event being gathered for this frame's fill */
	uint64_t	 ev_frame;	/* 0: none */
	int64_t		 ev_ts;
	uint64_t	 ev_fill_off;	/* first byte the frame made readable */
	uint64_t	 ev_after_frame;	/* first segment after the hole */
	uint64_t	 ev_after_off;
	uint64_t	 ev_units;	/* units over the threshold */
	int64_t		 ev_max_ns;
	uint64_t	 ev_max_off;
	bool		 ev_late;	/* late bytes were delivered */
	bool		 ev_passed;	/* the hole was passed over, not filled */
	uint64_t	 pass_frame, pass_off, pass_len;	/* the last hole passed */
	/* -v */
	struct msg_item	*list;
	uint32_t	 nlist, list_cap;
	uint64_t	 list_omitted;
};

struct msg_event {
	enum {
		MSG_EV_FRAMING_ERROR,
		MSG_EV_HOL,
	}		 kind;
	unsigned	 dir;
	uint64_t	 frame;
	int64_t		 ts_ns;
	/* framing error */
	uint64_t	 off;
	const char	*why;
	enum fr_kind	 rule;
	/* head of line */
	int64_t		 delay_ns, threshold_ns;
	uint64_t	 units;
	bool		 per_segment;	/* units are segments (no rule) */
	uint64_t	 worst_off;
	uint64_t	 hole_off, hole_len;
	uint64_t	 after_frame;
	bool		 filled;	/* false: passed over (acknowledged,
					 * never captured) */
};

struct msg_conn {
	struct fr_rule	 rule;		/* as given (FR_AUTO until decided) */
	bool		 decided;
	bool		 list;		/* -v: keep the messages */
	bool		 timing;	/* the rule pairs requests and responses */
	bool		 pending;	/* a head-of-line event is being gathered */
	int64_t		 threshold_ns;	/* head-of-line: report past it */
	struct msg_dir	 d[2];
	/* request/response */
	int		 req_dir;	/* -1: no message yet */
	bool		 alternating;
	bool		 outstanding, resp_started;
	uint64_t	 req_off, req_frame;
	int64_t		 req_ts;
	uint64_t	 resp_first_frame;
	int64_t		 resp_first_ts;
	uint64_t	 exchanges;
	int64_t		 ttfb_max, ttlb_max;
	struct msg_exchange *ex;
	uint32_t	 nex, ex_cap;
	void		(*emit)(void *ctx, const struct msg_event *ev);
	void		*emit_ctx;
};

void msg_conn_init(struct msg_conn *m, const struct fr_rule *rule, bool list,
    int64_t threshold_ns, void (*emit)(void *ctx, const struct msg_event *ev), void *ctx);
/* Bytes [off, off + len) of direction dir, delivered in order: carried by
 * src_frame that arrived at src_ts, made readable by frame at ts (0 at
 * the end of the connection). */
void msg_data(struct msg_conn *m, unsigned dir, uint64_t off, const uint8_t *p, uint32_t len,
    uint64_t src_frame, int64_t src_ts, uint64_t frame, int64_t ts);
/* Bytes [off, off + len) will never be read: framing of dir stops. */
void msg_hole(struct msg_conn *m, unsigned dir, uint64_t off, uint64_t len, uint64_t frame,
    bool at_end);
/* A segment's deliveries are done: report the head-of-line wait it ended. */
void msg_flush(struct msg_conn *m);
/* The connection ends: messages that run to the end end. */
void msg_finish(struct msg_conn *m);
void msg_conn_free(struct msg_conn *m);

/* Derived views for the record. */
uint64_t msg_pending(const struct msg_dir *d);
/* The median of the kept exchange times (ttfb or ttlb). */
int64_t msg_exchange_median(const struct msg_conn *m, bool last_byte);

#endif /* TCPDISSECT_MESSAGES_H */
