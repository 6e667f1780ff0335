/* source.h: the offline capture source.  Opens a capture file, a FIFO or
 * stdin, decompressed when its magic says gzip, zstd or lz4, reads it with
 * the first reader of its table that takes it (reader.h: classic pcap and
 * pcapng from a mapped window or a stream buffer, libpcap for the rest),
 * applies the trailing BPF expression (compiled with libpcap, one program
 * per link type) without hiding any frame from the numbering, and hands
 * each packet to the pipeline.  TCPDISSECT_READER=NAME in the environment
 * forces one reader (libpcap, pcap, pcapng: tests/reader-paths.sh). */
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
	SOURCE_REFUSED_LATE,	/* libpcap (forced) refused the rest of a
				 * pcapng (interfaces differ): what came
				 * before was analysed, yet the input is not
				 * readable as a whole (exit 2) */
};

struct source_opts {
	const char	*filter;	/* BPF expression or NULL */
	uint64_t	 max_packets;	/* -c; 0 = no limit (counts matching records) */
	uint64_t	*packets_left;	/* shared across inputs for -c */
	bool		 progress;	/* a progress line on stderr (progress.h) */
	bool		 again;		/* a second reading (--report's graphs):
					 * the first said where the input is damaged */
};

/* Analyse one file ("-" = stdin) into p, announcing it as in (whose
 * ts_digits this fills in).  On failure a one-line message has been
 * printed.  Between begin and end of input it calls pipeline_begin_input
 * and pipeline_end_input itself. */
enum source_status source_run_file(const char *path, struct input_info *in,
    const struct source_opts *o, struct pipeline *p);

/* The -w second pass (capture_writer.c): path read again through the
 * same readers, up to the frames the first pass read, quietly (its
 * warnings were said), each packet handed to packet() with the stream the
 * pipeline gave it (-1: not analysed; packets the filter does not match
 * are numbered but not handed on). */
struct source_replay {
	uint64_t	 frames;	/* the first pass's frames_read */
	/* once the input is open, its first link type; false: read no further */
	bool		(*begin)(void *ctx, int linktype);
	void		(*packet)(void *ctx, const struct packet *pkt, int64_t stream);
	void		*ctx;
};

/* SOURCE_OPEN_FAILED (message printed) when path cannot be read again. */
enum source_status source_replay_file(const char *path, const struct input_info *in,
    const char *filter, const struct source_replay *rp, struct pipeline *p);

/* Compile expr against linktype to check it; false (and errbuf) when it
 * does not compile. */
bool source_check_filter(const char *expr, int linktype, char *errbuf, size_t len);

#endif /* TCPDISSECT_SOURCE_H */
