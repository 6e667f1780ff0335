/* analysis.h: the detector registry and the connection bookkeeping that
 * every detector shares (handshake progress, listener figures, history,
 * event counts).  For each tracked segment it calls every detector with
 * (segment, connection, side); detectors report through the reporter
 * interface only.  Owns struct analysis, the listener table and the
 * run-wide event counts. */
#ifndef TCPDISSECT_ANALYSIS_H
#define TCPDISSECT_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"
#include "report.h"
#include "tcpstate.h"

struct analysis_config {
	int64_t		msl_ns;			/* --msl; TIME_WAIT lasts 2*MSL */
	int64_t		close_wait_timeout_ns;	/* --close-wait-timeout */
	int64_t		flood_window_ns;	/* --syn-flood-window: sliding window */
	uint32_t	flood_min_syns;		/* --syn-flood-syns: new SYNs in it */
	uint32_t	flood_ratio;		/* --syn-flood-ratio: SYNs per
						 * completed handshake (+1) */
	int64_t		idle_ns;		/* --idle-timeout (set by pipeline.c):
						 * how long an evicted half-open
						 * connection still counts */
};

/* Defaults of the syn_flood thresholds (options.c, doc/tcpdissect.1). */
#define FLOOD_WINDOW_DEFAULT	1.0	/* seconds */
#define FLOOD_SYNS_DEFAULT	100u
#define FLOOD_RATIO_DEFAULT	10u

struct analysis;

/* NULL when memory cannot be had.  r is borrowed. */
struct analysis *analysis_create(const struct analysis_config *cfg, struct reporter *r);
void analysis_destroy(struct analysis *a);

/* The connection table whose connections a is given (for their
 * endpoints); set once, before the first segment. */
void analysis_set_flows(struct analysis *a, const struct flow_table *t);

/* A new input starts; events and records carry in until the next call. */
void analysis_begin_input(struct analysis *a, const struct input_info *in);

/* The input ends, after its last connection was reported: listener-level
 * events still open (syn_flood episodes, syn_cookie, SYN drops) are
 * reported and the per-input state is cleared. */
void analysis_end_input(struct analysis *a);

/* A connection's extension was just allocated: fill it from what the
 * handshake left in struct side. */
void analysis_ext_init(const struct conn *c, struct conn_ext *x);

/* One tracked segment: tcp_track() has already updated c's sides (and x's,
 * its extension, NULL while it has none).  prev is flow_lookup_prev(). */
void analysis_segment(struct analysis *a, struct conn *c, struct conn_ext *x, unsigned dir,
    enum flow_lookup_how how, const struct flow_prev *prev, const struct segment *seg,
    const struct track_result *tr, uint64_t frame, int64_t ts_ns);

/* --shard: a TCP segment another shard analyses: time moves on as in a
 * single run (TIME_WAIT ageing, the listener window's clock). */
void analysis_clock(struct analysis *a, int64_t ts_ns);
/* --shard: ... and its source address was seen sending, as a single run
 * would note it (syn_unanswered's peer_silent, one-sided connections). */
void analysis_address_sent(struct analysis *a, const struct endpoint *src);

/* --shard: fn hears of each change of the open-connection count (op
 * 'O'/'o') and of listener index's figures: 'N' new listener, 'H'/'h'
 * half-open, 'E'/'e' established, 'W'/'w' TIME_WAIT up/down, 'S' a SYN
 * (the per-second rate).  Upper case raises, lower case lowers. */
void analysis_set_gauge_hook(struct analysis *a, flow_gauge_fn fn, void *ctx);

/* A segment that could only be numbered (not decoded): history only. */
void analysis_number_only(struct analysis *a, struct conn *c, unsigned dir,
    enum flow_lookup_how how, uint64_t frame, int64_t ts_ns);

/* c leaves the table: final bookkeeping and its connection record (with
 * its messages' figures under --framing, else msgs NULL). */
void analysis_conn_end(struct analysis *a, struct conn *c, struct conn_ext *x,
    enum flow_end why, const struct msg_conn *msgs);

/* An event found outside the analysis (bytestream.c's overlap_conflict):
 * counted, flagged on c's stream and reported as the analysis's own. */
void analysis_report_event(struct analysis *a, struct conn *c, const struct event *ev);
/* The listener c counts in (its figures as of now), or NULL: for the
 * listener timelines (listen_plot.h).  The pointer stays valid for the
 * run. */
const struct listener *analysis_listener_of(struct analysis *a, const struct conn *c);

/* Fill the analysis part of the summary (events, listeners, peaks). */
void analysis_fill_summary(const struct analysis *a, struct summary *s);

/* Did the current input's stream have an event?  (For -w.) */
bool analysis_stream_flagged(const struct analysis *a, uint32_t stream);
bool analysis_any_flagged(const struct analysis *a);

/* Events reported so far, by kind (EVK_COUNT entries). */
const uint64_t *analysis_event_counts(const struct analysis *a);
/* The highest severity of the events reported so far (an event may carry
 * another severity than its kind's default), or -1 when there was none. */
int analysis_max_severity(const struct analysis *a);

#endif /* TCPDISSECT_ANALYSIS_H */
