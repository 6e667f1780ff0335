/* stats.h: run-wide counters and the named reasons a packet or a piece of
 * one was skipped or doubted.  The reason names appear in the summary's
 * "warnings" object and are defined here once.  Header only. */
#ifndef TCPDISSECT_STATS_H
#define TCPDISSECT_STATS_H

#include <stdint.h>

/* X(identifier, name in the summary, what it means) */
#define WARN_REASONS(X)							\
	X(TRUNCATED, "truncated",					\
	    "capture ended inside a link, IP or TCP header")		\
	X(MALFORMED, "malformed",					\
	    "a header length or version field contradicts the packet")	\
	X(UNSUPPORTED, "unsupported",					\
	    "link type or encapsulation tcpdissect does not decode")	\
	X(FRAGMENT, "ip_fragment",					\
	    "IP fragment: not reassembled, skipped")			\
	X(OPTIONS_TRUNCATED, "tcp_options_truncated",			\
	    "TCP options cut by the snapshot length; what was captured was used") \
	X(BAD_OPTION, "tcp_option_malformed",				\
	    "TCP option with a bad length (parsing stopped, or the option skipped)") \
	X(IP_LEN_CLAMPED, "ip_length_exceeds_frame",			\
	    "IP length field beyond the frame; the frame's length was used") \
	X(WSCALE_CLAMPED, "wscale_clamped",				\
	    "window scale above 14 clamped to 14 (RFC 7323 2.3)")	\
	X(BAD_TIMESTAMP, "bad_timestamp",				\
	    "record timestamp with an out-of-range fraction, or outside "	\
	    "1970-2116 (the previous record's time used)")		\
	X(TIME_BACKWARDS, "time_went_backwards",			\
	    "record timestamp earlier than the previous record's")	\
	X(CAPTURE_DAMAGED, "capture_truncated",				\
	    "the capture file ends inside a record or is damaged")	\
	X(CONN_EVICTED, "connections_evicted",				\
	    "connections dropped from the table to stay under --memcap") \
	X(STREAM_RENUMBER_RISK, "stream_numbering_uncertain",		\
	    "tombstones forgotten under memory pressure: a 4-tuple coming back "	\
	    "may get a stream number other than Wireshark's")	\
	X(STREAM_HOLES_FORCED, "stream_holes_forced",			\
	    "--follow/--extract: holes no longer waited for, to stay under "	\
	    "--stream-memcap (bytes after them handed on, the hole left)") \
	X(STREAM_SEGMENTS_SKIPPED, "stream_segments_skipped",		\
	    "--follow/--extract: segments with payload of connections that had no "	\
	    "room in --stream-memcap (their bytes not reassembled)")	\
	X(STREAM_FRAMING_SKIPPED, "stream_framing_skipped",		\
	    "--framing: connections whose messages found no room in "	\
	    "--stream-memcap (their records have no framing object)")

enum warn_reason {
#define X(id, name, what) WARN_##id,
	WARN_REASONS(X)
#undef X
	WARN_COUNT
};

static const char *const warn_reason_names[] = {
#define X(id, name, what) [WARN_##id] = name,
	WARN_REASONS(X)
#undef X
};
_Static_assert(sizeof(warn_reason_names) / sizeof(warn_reason_names[0]) == WARN_COUNT,
    "every warning reason has a name");

static inline const char *
warn_reason_name(enum warn_reason r)
{
	return (unsigned)r < WARN_COUNT ? warn_reason_names[r] : "?";
}

struct stats {
	uint64_t	packets;		/* records read, all protocols */
	uint64_t	tcp_packets;		/* decoded TCP segments */
	uint64_t	bytes;			/* wire bytes of all records */
	uint64_t	connections;		/* connections (streams) created */
	uint64_t	warn[WARN_COUNT];	/* by reason, see WARN_REASONS */
};

#endif /* TCPDISSECT_STATS_H */
