/* bytestream.h: the byte stream each side's application read, for the
 * connections an option asks bytes of: --follow STREAM prints one
 * conversation as `tshark -z follow,tcp` does, --extract DIR writes each
 * direction of each connection to a file, as tcpflow does.
 *
 * Owns the table of connections that pay for reassembly (keyed by
 * tcp.stream, each with its two struct rs_side of reassembly.h), the
 * --stream-memcap budget, the follow printer and the extract files.  Fed
 * by one call on the per-packet path after tcp_track (bytestream_segment)
 * and told when a connection leaves the table.  Conflicting overlaps go out
 * as overlap_conflict events through the emit callback; what the budget
 * forced is counted for the summary's warnings.  Without --follow and
 * --extract no struct bytestream exists and the packet path pays one
 * NULL test.  With --framing each connection also gets a struct msg_conn
 * (messages.h) fed the bytes in reading order; its framing_error and
 * head_of_line_blocked events go out through the same callback, and its
 * figures to the connection record (bytestream_conn_end). */
#ifndef TCPDISSECT_BYTESTREAM_H
#define TCPDISSECT_BYTESTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"
#include "event.h"
#include "flow.h"
#include "framing.h"
#include "messages.h"
#include "report.h"
#include "stats.h"

/* Default --stream-memcap: 32 MiB. */
#define BYTESTREAM_MEMCAP_DEFAULT	((size_t)32 << 20)

enum follow_mode {
	FOLLOW_ASCII,	/* tshark's ascii, each block's length with its offset
			 * and completing frame */
	FOLLOW_HEX,	/* tshark's hex dump, likewise */
	FOLLOW_RAW,	/* tshark's raw exactly: one hex line per block */
};

struct bytestream_config {
	size_t			 memcap;	/* --stream-memcap, bytes */
	bool			 follow;	/* --follow given */
	uint32_t		 follow_stream;
	enum follow_mode	 follow_mode;
	FILE			*follow_out;	/* where --follow prints */
	const char		*extract_dir;	/* --extract, or NULL */
	/* --framing (or --hol-threshold alone: rule none, each segment's
	 * bytes are the unit that waits): every connection is reassembled */
	bool			 framing;
	struct fr_rule		 rule;
	bool			 list_messages;	/* -v: the record lists them */
	int64_t			 hol_threshold_ns;	/* 0: one RTT, else 200 ms */
};

/* Default head-of-line threshold when a connection's RTT is unknown. */
#define BYTESTREAM_HOL_DEFAULT_NS	200000000LL

struct bytestream;

/* NULL when memory cannot be had or the extract directory cannot be made
 * (said on stderr). */
struct bytestream *bytestream_create(const struct bytestream_config *cfg);
void bytestream_destroy(struct bytestream *bs);

/* overlap_conflict events go to emit (the analysis counts and reports
 * them) with the connection they are about. */
void bytestream_set_emit(struct bytestream *bs,
    void (*emit)(void *ctx, struct conn *c, const struct event *ev), void *ctx);
void bytestream_begin_input(struct bytestream *bs, const struct input_info *in);
/* One segment of connection c sent by side dir (its payload, if any,
 * still at seg->payload), after tcp_track(); x its extension or NULL
 * (the handshake's RTT, for the head-of-line threshold). */
void bytestream_segment(struct bytestream *bs, struct conn *c, const struct conn_ext *x,
    unsigned dir, const struct segment *seg, uint64_t frame, int64_t ts_ns);
/* c leaves the table: its streams are finished and written.  With
 * --framing, its messages' figures for the record (NULL: none), valid
 * until the next call. */
const struct msg_conn *bytestream_conn_end(struct bytestream *bs, struct conn *c);
/* End of an input: every connection finished (after the table's flush). */
void bytestream_end_input(struct bytestream *bs);
/* Add the budget's counters to the summary's warnings. */
void bytestream_count_warnings(const struct bytestream *bs, struct stats *st);
/* Output could not be written (already said on stderr). */
bool bytestream_failed(const struct bytestream *bs);

#endif /* TCPDISSECT_BYTESTREAM_H */
