/* merge.h: `tcpdissect merge SHARD.jsonl...`: N shard logs (shard.h) of
 * one input, one per shard K/N, into the records, order and summary a
 * single run writes (-o jsonl).  Owns nothing past the call. */
#ifndef TCPDISSECT_MERGE_H
#define TCPDISSECT_MERGE_H

#include <stdbool.h>
#include <stdio.h>

/* argv[0] is "merge"; the rest are shard logs ("-" is stdin).  Returns
 * the exit code: 0, 1 (usage) or 2 (a log unreadable, incomplete, or
 * not a full set of shards). */
int merge_main(int argc, char **argv);

/* The same in steps (--threads merges its shards' logs with it): a
 * merge of n logs (NULL: out of memory, said), each log read from fp
 * (name for messages; false: not a log, said; fp stays open until
 * merge_finish, which reads it again), then the single run's records
 * (none with quiet: -q) and summary to out, as JSON Lines or (document)
 * as -o json's document, and m freed: returns 0 or 2 as merge_main. */
struct merge;
struct input_info;
struct reporter;
struct merge_to {
	FILE			 *out;
	bool			  document;	/* -o json, else JSON Lines */
	bool			  quiet;	/* -q: the summary only */
	/* or every record, read back, through this reporter (the text
	 * one, behind --threads; not destroyed), with the inputs that
	 * were begun, in order (their index is the records' input) */
	struct reporter		 *r;
	const struct input_info	**inputs;
	unsigned		  ninputs;
};
struct merge *merge_new(unsigned n);
bool merge_add(struct merge *m, FILE *fp, const char *name);
int merge_finish(struct merge *m, const struct merge_to *to);

#endif /* TCPDISSECT_MERGE_H */
