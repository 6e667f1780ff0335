/* pipeline.h: the per-packet path shared by offline and live capture:
 * decode -> flow_lookup -> tcp_track -> analysis, plus timed expiry and
 * the end-of-input flush.  Owns struct stats and composes the flow table
 * and the analysis.  No I/O of its own. */
#ifndef TCPDISSECT_PIPELINE_H
#define TCPDISSECT_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "decode.h"
#include "packet.h"
#include "report.h"
#include "stats.h"

struct plot;
struct bytestream;
struct shard;
struct lplot;

/* --threads: a pipeline that only reads hands each decoded packet on
 * (threads.c) instead of analysing it.  item() gets every record: matched
 * by the BPF filter or not; it->owner is the shard of n_shards that owns
 * it. */
struct pipeline_item;
struct pipeline_fan {
	unsigned	 n_shards;
	void		(*begin)(void *ctx, const struct input_info *in);
	void		(*item)(void *ctx, const struct pipeline_item *it, bool matched);
	void		(*end)(void *ctx);
	void		*ctx;
};

struct pipeline_config {
	size_t			memcap;		/* --memcap, bytes */
	int64_t			idle_ns;	/* --idle-timeout; 0: never (files,
						 * unless given: the memcap evicts) */
	int64_t			closed_ns;	/* how long a closed connection lingers */
	bool			at_set;		/* --at: show the sockets at ... */
	bool			at_relative;	/* ... at_ns after an input's first
						 * packet, or at at_ns since the epoch */
	int64_t			at_ns;
	const char		*filter;	/* a capture file's trailing BPF
						 * expression (not live: the kernel
						 * filters there), for the summary */
	struct analysis_config	analysis;
	struct plot		*plot;		/* --plot: borrowed, or NULL */
	struct bytestream	*bytes;		/* --follow, --extract: borrowed, or NULL */
	struct shard		*shard;		/* --shard: borrowed, or NULL */
	struct lplot		*lplot;		/* --plot-listeners, --report:
						 * borrowed, or NULL */
	const struct pipeline_fan *fan;		/* --threads: the reader's, or NULL */
};

struct pipeline;

/* NULL when memory cannot be had.  r is borrowed. */
struct pipeline *pipeline_create(const struct pipeline_config *cfg, struct reporter *r);
void pipeline_destroy(struct pipeline *p);

void pipeline_begin_input(struct pipeline *p, const struct input_info *in);
/* One packet, decoded: what the analysis needs of it, owning no packet
 * bytes (seg.payload is NULL), so it can be handed between threads. */
struct pipeline_item {
	struct segment		seg;
	enum decode_result	res;
	uint64_t		frame;
	int64_t			ts_ns;
	uint32_t		wirelen;
	int32_t			owner;	/* --threads: its shard; -1: not known */
};

/* The packet path in two steps: pipeline_decode() touches no pipeline
 * state (any thread may run it, and the item outlives the packet's bytes);
 * pipeline_process() must see the items of one input in capture order.
 * (Handing items to a second thread was measured slower: 184 bytes per
 * packet crossing between cores cost more than the work it moved.) */
void pipeline_decode(const struct packet *pkt, struct pipeline_item *it);
int64_t pipeline_process(struct pipeline *p, const struct pipeline_item *it);
/* A record the BPF filter did not match (pipeline_packet_unmatched), as
 * an item. */
void pipeline_process_unmatched(struct pipeline *p, const struct pipeline_item *it);
/* Of it, into *to, only what a shard that does not own it reads: the
 * clock, the counts, its sender (about 60 of its 190 bytes). */
void pipeline_item_clock(struct pipeline_item *to, const struct pipeline_item *it);

/* Decode and process one packet.  Returns the tcp.stream the packet was
 * numbered in, or -1. */
int64_t pipeline_packet(struct pipeline *p, const struct packet *pkt);
/* A record the trailing BPF filter did not match: counted in the file's
 * totals and given its stream number (flow_number), so the matching
 * packets keep the unfiltered file's tcp.stream; no tracking, analysis or
 * record.  Costs a decode and a hash lookup. */
void pipeline_packet_unmatched(struct pipeline *p, const struct packet *pkt);
/* Expire idle connections as of now (live mode's timer; offline expiry
 * happens as packet time advances). */
void pipeline_tick(struct pipeline *p, int64_t now_ns);
/* End of one input: every connection is reported, numbering restarts. */
void pipeline_end_input(struct pipeline *p);
/* The summary record; call once, after the last input. */
void pipeline_summary(struct pipeline *p, bool damaged);
/* Live capture: the kernel's counters for the summary and intervals. */
void pipeline_set_capture_stats(struct pipeline *p, uint64_t received, uint64_t dropped,
    uint64_t if_dropped);
/* Live --interval: an interim record of what is open now. */
void pipeline_interval(struct pipeline *p);

struct stats *pipeline_stats(struct pipeline *p);
const uint64_t *pipeline_event_counts(const struct pipeline *p);
int pipeline_max_severity(const struct pipeline *p);	/* -1: no event */
/* Did stream (of the current input) have an event?  See -w. */
bool pipeline_stream_flagged(const struct pipeline *p, uint32_t stream);
bool pipeline_any_flagged(const struct pipeline *p);

#endif /* TCPDISSECT_PIPELINE_H */
