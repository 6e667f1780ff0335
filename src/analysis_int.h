/* analysis_int.h: what analysis.c shares with the detect_*.c files only.
 * A detector is a function over one segment's context; it builds a struct
 * event and hands it to analysis_emit(), never to a reporter directly. */
#ifndef TCPDISSECT_ANALYSIS_INT_H
#define TCPDISSECT_ANALYSIS_INT_H

#include "analysis.h"
#include "event.h"

/* The last few data segments of the capture, by fingerprint: a copy made
 * by the network comes right after its original (detect_stream.c). */
#define STREAM_RECENT	8
struct analysis_stream {
	uint64_t	recent_fp[STREAM_RECENT];
	uint32_t	recent_us[STREAM_RECENT];
	unsigned	recent_next;
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
};

struct seg_ctx {
	struct analysis			*a;
	struct conn			*c;
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
};

/* Start ev for sc's frame, stream and endpoints. */
void seg_event(struct event *ev, enum event_kind k, const struct seg_ctx *sc);
/* Count ev on its connection (if any) and report it. */
void analysis_emit(struct analysis *a, struct conn *c, const struct event *ev);

/* ns as microseconds + 1, clamped to [1, 2^32 - 1]: the "0 = none"
 * encoding of struct conn's handshake times. */
uint32_t us_plus_one(int64_t ns);

/* Book a refused connection (sets CONN_REFUSED, counts it for the
 * listener); idempotent. */
void analysis_note_refused(const struct seg_ctx *sc);

/* Detectors (each file owns a family of SPEC.md kinds). */
void detect_handshake(const struct seg_ctx *sc);	/* detect_handshake.c */
void detect_handshake_end(struct analysis *a, struct conn *c);
void detect_teardown_first(const struct seg_ctx *sc);	/* detect_teardown.c: before the
							 * other detectors */
void detect_teardown(const struct seg_ctx *sc);
void detect_teardown_end(struct analysis *a, struct conn *c, struct conn_ext *x,
    enum flow_end why);
void detect_stream(const struct seg_ctx *sc);		/* detect_stream.c */
void detect_stream_end(struct analysis *a, struct conn *c, struct conn_ext *x,
    bool end_of_input);

/* detect_stream.c's run-wide state, kept in struct analysis. */
struct analysis_stream *analysis_stream(struct analysis *a);
/* detect_teardown.c's, likewise, and the configuration it needs. */
struct analysis_teardown *analysis_teardown(struct analysis *a);
const struct analysis_config *analysis_config(const struct analysis *a);

#endif /* TCPDISSECT_ANALYSIS_INT_H */
