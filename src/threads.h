/* threads.h: --threads N, the shards of --shard K/N inside one process.
 * The reading thread (the caller's) reads and decodes each record once
 * and hands it, through one bounded single-producer single-consumer ring
 * per shard, to the thread of the shard that owns its connection (and
 * the record's time and sender to every other shard: each shard's clock
 * sees every record, as --shard's does).  Each shard thread runs a
 * pipeline of its own writing a shard log (shard.h) to an unlinked
 * temporary file; at the end merge.c turns the logs into the single
 * run's JSON Lines or JSON document.
 *
 * Owns the rings, the shard threads and their pipelines, shards and
 * logs.  Nothing of theirs is shared: each shard's flow table, analysis
 * and reporter are its own thread's. */
#ifndef TCPDISSECT_THREADS_H
#define TCPDISSECT_THREADS_H

#include <stdbool.h>
#include <stdio.h>

#include "pipeline.h"

#define THREADS_MAX	64u

struct threads;

/* n shard threads (2..THREADS_MAX), each with a pipeline configured as
 * cfg (the same --memcap each) and its shard of n.  NULL (said) when
 * memory, a temporary file or a thread cannot be had. */
struct threads *threads_create(unsigned n, const struct pipeline_config *cfg);
/* What the reading pipeline's configuration takes as its fan. */
const struct pipeline_fan *threads_fan(struct threads *t);
/* After the last input: the shard threads finish and write their
 * summaries (the file's warnings, counted by the reading pipeline, given
 * to shard 0's), then the merged records and summary go where to says
 * (merge.h; its inputs are filled in: those begun).  0, or 2 (said). */
struct merge_to;
int threads_finish(struct threads *t, struct pipeline *reader, bool damaged,
    struct merge_to *to);
/* Stops the shard threads if threads_finish() was not called. */
void threads_destroy(struct threads *t);

#endif /* TCPDISSECT_THREADS_H */
