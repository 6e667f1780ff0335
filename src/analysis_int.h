/* analysis_int.h: what analysis.c shares with the detect_*.c files only.
 * A detector is a function over one segment's context; it builds a struct
 * event and hands it to analysis_emit(), never to a reporter directly. */
#ifndef TCPDISSECT_ANALYSIS_INT_H
#define TCPDISSECT_ANALYSIS_INT_H

#include "analysis.h"
#include "event.h"

/* Recent data segments of the capture, by fingerprint, in a two-choice
 * table (each fingerprint has two slots; the older entry is replaced): a
 * copy made by the network comes soon after its original
 * (detect_stream.c).  The table remembers about the last STREAM_RECENT
 * data segments. */
#define STREAM_RECENT	256	/* a power of two */
struct analysis_stream {
	uint64_t	recent_fp[STREAM_RECENT];
	int64_t		recent_ns[STREAM_RECENT];
};

/* detect_teardown.c's run-wide state: the time_wait_reuse events waiting
 * for the TIME_WAIT side's answer, and the latest capture time seen. */
#define REUSE_WAITS	8
struct reuse_wait {
	struct event	 ev;		/* built at the SYN, finished when the
					 * answer is known */
	struct conn	*c;		/* NULL: slot free (resolved at the
					 * latest when c leaves the table) */
	int64_t		 syn_ns;
	uint32_t	 isn;		/* the new SYN's */
	uint32_t	 answer_frame, resend_frame;
	uint8_t		 responder;	/* side index of the TIME_WAIT side */
	uint8_t		 answer;	/* enum reuse_answer (detect_teardown.c) */
	char		 head[EVENT_MESSAGE_MAX];	/* message up to the outcome */
};

struct analysis_teardown {
	struct reuse_wait	wait[REUSE_WAITS];
	unsigned		nwait;
	int64_t			now_ns;		/* latest segment time of the input */
	uint64_t		now_frame;	/* ... and that segment's frame */
};

struct seg_ctx {
	struct analysis			*a;
	struct conn			*c;
	struct conn_ext			*x;		/* c's extension (or NULL) */
	struct side_ext			*sx, *rx;	/* sender's, receiver's extension
							 * (NULL: handshake-only so far) */
	unsigned			 dir;		/* index of the sender */
	struct side			*snd, *rcv;
	const struct segment		*seg;
	const struct track_result	*tr;
	enum flow_lookup_how		 how;
	const struct flow_prev		*prev;		/* flow_lookup_prev() */
	uint64_t			 frame;
	int64_t				 ts_ns;
	bool				 from_client;
	bool				 hs_completed;	/* this segment completed the
							 * handshake (CONN_HS_COMPLETE) */
	bool				 netdup;	/* a copy the network made of a
							 * recent segment (detect_stream_copy) */
	uint32_t			 netdup_after_us;	/* ... this long after it */
	uint32_t			 netdup_limit_us;	/* ... within this limit */
};

/* Start ev for sc's frame, stream and endpoints. */
void seg_event(struct event *ev, enum event_kind k, const struct seg_ctx *sc);
/* Count ev on its connection (if any) and report it. */
void analysis_emit(struct analysis *a, struct conn *c, const struct event *ev);

/* ns as microseconds + 1, clamped to [1, 2^32 - 1]: the "0 = none"
 * encoding of struct conn's handshake times. */
uint32_t us_plus_one(int64_t ns);

/* Times of c's first SYN-ACK, latest SYN-ACK and handshake-completing
 * ACK (ns), from struct conn's "us + 1 since the start" fields. */
static inline int64_t
conn_synack_ns(const struct conn *c)
{
	return c->start_ns + (c->synack_us ? (int64_t)(c->synack_us - 1) * 1000 : 0);
}

static inline int64_t
conn_last_synack_ns(const struct conn *c)
{
	return c->start_ns + (c->last_synack_us ? (int64_t)(c->last_synack_us - 1) * 1000 : 0);
}

/* When the handshake's final ACK passed (x: c's extension, which that ACK
 * brought; NULL: the SYN-ACK's time). */
static inline int64_t
conn_final_ack_ns(const struct conn *c, const struct conn_ext *x)
{
	return conn_synack_ns(c) + (x != NULL && x->ack_us ? (int64_t)(x->ack_us - 1) * 1000 : 0);
}

/* Book a refused connection (sets CONN_REFUSED, counts it for the
 * listener); idempotent. */
void analysis_note_refused(const struct seg_ctx *sc);

/* The listener (server endpoint) c counts in, or NULL. */
struct listener *analysis_conn_listener(struct analysis *a, const struct conn *c);
/* Its index in the listener table: 0 .. LISTENER_MAX - 1. */
unsigned analysis_listener_index(const struct analysis *a, const struct listener *l);
/* Listeners of the run so far, by index. */
unsigned analysis_nlisteners(const struct analysis *a);
struct listener *analysis_listener_at(struct analysis *a, unsigned i);
#define LISTENER_MAX	4096u	/* listeners tracked; a port scan would
				 * otherwise make one per probed port */

/* The latest packet time the analysis has seen (ns): how far the capture
 * is known to extend. */
int64_t analysis_now(const struct analysis *a);

/* A per-stream memo of the handshake: what a later segment of the same
 * connection needs to know of its SYN-ACK and final ACK, kept out of
 * struct conn (whose every byte a flood's lone SYN pays for).  The table
 * is direct-mapped on the stream number (HS_MEMO_SLOTS entries): a memo
 * lasts until the stream HS_MEMO_SLOTS later claims its slot, so memory is
 * fixed and a flood only overwrites the oldest memos.  Cleared per input. */
#define HS_MEMO_SLOTS	2048u
#define MEMO_SYNACK_TS	0x01	/* synack_tsval valid */
#define MEMO_TS_DONE	0x02	/* the SYN-ACK's TSval was compared with the
				 * server's clock ... */
#define MEMO_TS_SET_BACK 0x04	/* ... and lagged it: a SYN-cookie timestamp */
#define MEMO_TS_IN_STEP	0x08	/* ... and kept step with it: not a cookie */
#define MEMO_OPTS_DROPPED 0x10	/* the SYN-ACK dropped the SYN's window scale and
				 * SACK-permitted options (SYN without timestamps) */
#define MEMO_SILENT	0x20	/* accept_overflow_drop (silent): ACK and data
				 * dropped with no SYN-ACK re-sent */
#define MEMO_AT_SERVER	0x40	/* the handshake (one SYN, one SYN-ACK) put the
				 * capture point near the server ... */
#define MEMO_AT_CLIENT	0x80	/* ... or near the client (analysis.c) */
#define MEMO_CLK_SYNACK	0x100	/* clk_*: the latest SYN-ACK ... */
#define MEMO_CLK_SEG	0x200	/* ... or the server's latest segment after the
				 * handshake (detect_listener.c: its TSval clock) */
struct hs_memo {
	uint32_t	key;		/* stream + 1; 0 = free */
	uint32_t	synack_frame;	/* latest SYN-ACK */
	uint32_t	synack_tsval;	/* its TSval (MEMO_SYNACK_TS) */
	uint32_t	ack_frame;	/* client segment that completed the handshake */
	uint16_t	flags;		/* MEMO_* */
	int16_t		ts_lag_ms;	/* with MEMO_TS_DONE: SYN-ACK TSval lag */
	uint32_t	clk_tsval;	/* MEMO_CLK_*: that segment's TSval */
	int64_t		clk_ns;		/* ... and capture time */
};
/* The stream's memo, or NULL (never made, or its slot was taken since). */
struct hs_memo *hs_memo_find(struct analysis *a, uint32_t stream);
/* The stream's memo, claimed (zeroed) if the slot held another stream. */
struct hs_memo *hs_memo_claim(struct analysis *a, uint32_t stream);

/* Detectors (each file owns a family of SPEC.md kinds). */
void detect_handshake(const struct seg_ctx *sc);	/* detect_handshake.c */
void detect_handshake_sender(struct analysis *a, const struct endpoint *src);
/* ... and marks cr one-sided, or completed without the SYN-ACK captured */
void detect_handshake_end(struct analysis *a, struct conn *c, struct conn_report *cr);
/* A new SYN at ts_ns reopened c's stream (time_wait_reuse): its retries
 * count from there. */
void detect_handshake_reopen(struct analysis *a, struct conn *c, int64_t ts_ns);
/* detect_handshake.c's run-wide state (the retry and overflow watch). */
struct handshake_watch;
struct handshake_watch *handshake_watch_create(void);
void handshake_watch_destroy(struct handshake_watch *w);
void handshake_watch_reset(struct handshake_watch *w);
struct handshake_watch *analysis_hs_watch(struct analysis *a);
/* Connections of the run seen in one direction only. */
uint64_t handshake_watch_one_sided(const struct handshake_watch *w);
/* detect_listener.c: per-listener windows (syn_flood, syn_cookie, SYNs
 * dropped while an accept queue overflowed). */
struct listen_watch;
struct listen_watch *listen_watch_create(void);
void listen_watch_destroy(struct listen_watch *w);
struct listen_watch *analysis_listen_watch(struct analysis *a);
void detect_listener(const struct seg_ctx *sc);
/* ... and marks cr when the connection's SYN-ACK was a cookie (cookie_synack) */
void detect_listener_conn_end(struct analysis *a, struct conn *c, struct conn_report *cr);
void detect_listener_tick(struct analysis *a, int64_t now_ns);
void detect_listener_end_input(struct analysis *a);
/* detect_handshake.c tells the listener an accept queue overflowed
 * (accept_overflow_drop) between from_ns and to_ns. */
void listener_note_overflow(struct analysis *a, struct listener *l, int64_t from_ns,
    int64_t to_ns);
void detect_teardown_first(const struct seg_ctx *sc);	/* detect_teardown.c: before the
							 * other detectors */
void detect_teardown(const struct seg_ctx *sc);
void detect_teardown_end(struct analysis *a, struct conn *c, struct conn_ext *x,
    enum flow_end why);
void detect_stream(const struct seg_ctx *sc);		/* detect_stream.c */
/* Before every detector: is sc's segment a copy the network made of a
 * recent one (sets sc->netdup)?  Copies of SYNs, SYN-ACKs and FINs are
 * not retransmissions and move no retry schedule. */
void detect_stream_copy(struct seg_ctx *sc);
void detect_stream_end(struct analysis *a, struct conn *c, struct conn_ext *x,
    bool end_of_input);

/* detect_stream.c's run-wide state, kept in struct analysis. */
struct analysis_stream *analysis_stream(struct analysis *a);
/* detect_teardown.c's, likewise, and the configuration it needs. */
struct analysis_teardown *analysis_teardown(struct analysis *a);
const struct analysis_config *analysis_config(const struct analysis *a);

/* c's extension, or NULL. */
struct conn_ext *analysis_ext(const struct analysis *a, const struct conn *c);

/* The endpoint of side i of c. */
void analysis_endpoint(const struct analysis *a, const struct conn *c, unsigned i,
    struct endpoint *ep);

#endif /* TCPDISSECT_ANALYSIS_INT_H */
