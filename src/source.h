/* source.h: the offline capture source.  Opens a pcap or pcapng file (or
 * stdin) with libpcap at nanosecond precision, reads the records of a
 * regular classic pcap file from a mapping of it (pcapmap.h) and all else
 * through libpcap, applies the trailing BPF expression without hiding any
 * frame from the numbering, and hands each packet to the pipeline.  Owns
 * the pcap_t and the compiled filter.  The only file besides live.c that
 * includes <pcap/pcap.h>.  TCPDISSECT_READER=libpcap in the environment
 * reads every input through libpcap (for tests/reader-paths.sh). */
#ifndef TCPDISSECT_SOURCE_H
#define TCPDISSECT_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "pipeline.h"

enum source_status {
	SOURCE_OK,		/* read to the end */
	SOURCE_DAMAGED,		/* read up to damage (truncated record, ...) */
	SOURCE_OPEN_FAILED,	/* missing, unreadable, empty, not a capture */
	SOURCE_BAD_FILTER,	/* the BPF expression does not compile */
	SOURCE_STOPPED,		/* -c reached or output closed */
	SOURCE_REFUSED_LATE,	/* libpcap refused the rest of a pcapng read
				 * from stdin (interfaces differ): what came
				 * before was analysed, yet the input is not
				 * readable as a whole (exit 2) */
};

struct source_opts {
	const char	*filter;	/* BPF expression or NULL */
	uint64_t	 max_packets;	/* -c; 0 = no limit (counts matching records) */
	uint64_t	*packets_left;	/* shared across inputs for -c */
	bool		 progress;	/* a progress line on stderr (progress.h) */
};

/* Analyse one file ("-" = stdin) into p, announcing it as in (whose
 * ts_digits this fills in).  On failure a one-line message has been
 * printed.  Between begin and end of input it calls pipeline_begin_input
 * and pipeline_end_input itself. */
enum source_status source_run_file(const char *path, struct input_info *in,
    const struct source_opts *o, struct pipeline *p);

/* A record's time in ns since the epoch; false when its fraction was out
 * of range (carried into the seconds, as Wireshark shows it: count it). */
struct pcap_pkthdr;
bool source_record_ts(const struct pcap_pkthdr *h, bool have_prev, int64_t *ts_ns);

/* Compile expr against linktype to check it; false (and errbuf) when it
 * does not compile. */
bool source_check_filter(const char *expr, int linktype, char *errbuf, size_t len);

#endif /* TCPDISSECT_SOURCE_H */
