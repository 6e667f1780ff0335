/* merge.h: `tcpdissect merge SHARD.jsonl...`: N shard logs (shard.h) of
 * one input, one per shard K/N, into the records, order and summary a
 * single run writes (-o jsonl).  Owns nothing past the call. */
#ifndef TCPDISSECT_MERGE_H
#define TCPDISSECT_MERGE_H

/* argv[0] is "merge"; the rest are shard logs ("-" is stdin).  Returns
 * the exit code: 0, 1 (usage) or 2 (a log unreadable, incomplete, or
 * not a full set of shards). */
int merge_main(int argc, char **argv);

#endif /* TCPDISSECT_MERGE_H */
