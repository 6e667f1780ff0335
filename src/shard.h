/* shard.h: --shard K/N, one of N processes that together analyse one
 * input: this one owns the connections whose symmetric 4-tuple hash falls
 * in shard K (and shard 0 the packets that have no 4-tuple).  Every shard
 * still reads every record, for the clock: expiry sweeps and TIME_WAIT
 * ageing run at the same frames as in a single run.
 *
 * Owns the shard's log: before each record a key line saying where in
 * the single run the record would have been written (input, frame,
 * phase, sort keys), the gauge operations (open connections, tracked
 * connections, each listener's half-open, established and TIME_WAIT
 * sockets, its SYNs) in the order they happened, each stream's first
 * frame, and the summary's raw figures.  merge.c turns N such logs into
 * the single run's records and summary (doc/architecture.md, "Shards"). */
#ifndef TCPDISSECT_SHARD_H
#define TCPDISSECT_SHARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"
#include "report.h"

/* Where a record or gauge operation falls within a frame. */
enum shard_phase {
	SHARD_SWEEP = 0,	/* the expiry sweep before the packet */
	SHARD_PACKET = 1,	/* the packet itself */
	SHARD_FLUSH = 2,	/* the end of the input: connections in stream order */
	SHARD_END = 3,		/* the end of the input: listener-level events */
};

struct shard;

/* "K/N" with 0 <= K < N <= SHARD_MAX: true and *k, *n set, else false. */
#define SHARD_MAX 4096u
bool shard_parse(const char *arg, unsigned *k, unsigned *n);

/* The shard's log goes to out (not closed). NULL when memory fails. */
struct shard *shard_create(unsigned k, unsigned n, FILE *out);
void shard_destroy(struct shard *s);

/* Does this shard analyse seg (a decoded segment whose 4-tuple, quoted or
 * not, was read)?  Symmetric: both directions of a connection agree. */
bool shard_owns(const struct shard *s, const struct segment *seg);
/* The shard of n that owns seg's connection (what shard_owns tests). */
unsigned shard_of(const struct segment *seg, unsigned n);
/* Is this shard k? */
bool shard_is(const struct shard *s, unsigned k);
/* ... a packet without a 4-tuple: shard 0's. */
bool shard_owns_rest(const struct shard *s);

/* Position of what follows: input index, frame, phase. */
void shard_at(struct shard *s, unsigned input, uint64_t frame, int64_t ts_ns,
    enum shard_phase phase);
/* A connection leaves: what it writes sorts by these (its local stream,
 * and in a sweep, its LRU list: 0 closed, 1 open, 2 embryonic). */
void shard_conn_end(struct shard *s, uint32_t stream, unsigned list);

/* Hooks for flow.c and analysis.c (ctx is the struct shard). */
void shard_stream_hook(void *ctx, uint32_t stream, uint64_t frame);
void shard_gauge_hook(void *ctx, char op, unsigned index);

/* Wrap inner (a jsonl reporter writing to the same FILE): a key line
 * before each record; the summary is replaced by the shard's raw figures.
 * Destroying the wrapper destroys inner. */
struct reporter *shard_reporter(struct shard *s, struct reporter *inner);

#endif /* TCPDISSECT_SHARD_H */
