/* report.h: the reporter interface and the facts every output format
 * shares.
 *
 * A reporter implements struct reporter_ops (begin, event, connection,
 * summary, end); the text and JSON outputs both go through report_*()
 * below, so they see exactly the same calls in the same order.  Reporters
 * read connections through const pointers and never change state.  This
 * module also owns the derived, format-independent views of a connection
 * (handshake and close names, history string, Community ID) and of the
 * run (struct summary, per-listener figures). */
#ifndef TCPDISSECT_REPORT_H
#define TCPDISSECT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "flow.h"
#include "stats.h"
#include "tcpstate.h"

/* One input as reporters see it. */
struct msg_conn;

struct input_info {
	const char	*name;		/* as given on the command line; "-" = stdin */
	unsigned	 index;
	bool		 name_in_records; /* several inputs: records carry "file" */
	int		 ts_digits;	/* 6 (us) or 9 (ns): the capture's resolution */
	bool		 is_pcapng;
	uint64_t	 frames_read;	/* records read (set by the source) */
};

/* Per-listener figures (server address and port of connections whose SYN
 * was seen). */
struct listener {
	struct endpoint	ep;
	uint64_t	connections;	/* SYNs that started a stream */
	uint64_t	refused;
	uint64_t	completed;	/* handshakes completed */
	uint64_t	reset;		/* connections reset after the handshake */
	uint64_t	half_open;	/* now: SYN seen, handshake not complete */
	uint64_t	established;	/* now: handshake complete, not closed */
	uint64_t	peak_half_open;
	uint64_t	peak_established;
	uint64_t	syn_rate_peak;	/* most SYNs in one second */
	int64_t		rate_second;	/* the second syn_rate_now counts */
	uint64_t	syn_rate_now;
	uint64_t	time_wait;	/* now: its side of a connection in TIME_WAIT
					 * (it closed first), for 2*MSL */
	uint64_t	peak_time_wait;
	uint64_t	kmem;		/* now: kernel bytes its sockets hold */
	uint64_t	peak_kmem;
};

/* Kernel memory per socket for the capacity figures: slab object sizes of
 * Linux 6.18 on x86-64 (/proc/slabinfo: TCP, TCPv6, request_sock_TCP,
 * tw_sock_TCP).  Socket buffers, and an accepted socket's file and inode,
 * come on top; a SYN answered with a cookie holds no entry (doc/tcpdissect.1). */
#define KMEM_ESTABLISHED_V4	2368u
#define KMEM_ESTABLISHED_V6	2496u
#define KMEM_HALF_OPEN		320u
#define KMEM_TIME_WAIT		256u

struct summary {
	const struct stats		*stats;
	const struct flow_counters	*flows;
	const uint64_t			*events_by_kind;	/* [EVK_COUNT] */
	uint64_t			 connections;		/* records emitted */
	uint64_t			 one_sided;	/* ... seen in one direction only */
	uint64_t			 peak_concurrent;	/* open connections at once */
	int64_t				 start_ns, end_ns;	/* capture time span */
	bool				 have_time;
	const struct listener		*listeners;
	unsigned			 nlisteners;
	uint64_t			 listeners_dropped;	/* past the listener cap */
	const char *const		*inputs;
	unsigned			 ninputs;
	int				 ts_digits;
	bool				 capture_damaged;
	bool				 interim;	/* a live --interval report */
	bool				 have_capture_stats;	/* live: pcap_stats */
	uint64_t			 cap_received, cap_dropped, cap_if_dropped;
	uint64_t			 sides_by_state[TS_COUNT];	/* interim: now */
	uint64_t			 open_now;	/* interim: connections open now */
	/* A capture file's trailing BPF expression, or NULL.  Then stats'
	 * packets and bytes, the time span, the timestamp, damage and memory
	 * warnings and flows are of the whole file; TCP packets,
	 * connections, events, listeners and the decode warnings are of
	 * the matched_packets only. */
	const char			*filter;
	uint64_t			 matched_packets, matched_bytes;
};

/* A connection leaving the table, with why. */
struct conn_report {
	const struct conn	*c;
	const struct conn_ext	*x;	/* NULL: it never got past a handshake */
	struct endpoint		 ep[2];	/* endpoint of side i (canonical order:
					 * ep[0] is the lower) */
	enum flow_end		 why;
	const struct input_info	*in;
	/* --framing: its messages (messages.h), or NULL */
	const struct msg_conn	*msgs;
	/* seen in one direction only; its handshake completed without the
	 * SYN-ACK captured (detect_handshake.c) */
	bool			 one_sided, synack_unseen;
	/* its SYN-ACK was a SYN cookie (detect_listener.c, cookie_synack) */
	struct {
		uint64_t	synack_frame;	/* 0: not one */
		char		evidence[64];	/* the kinds, comma-separated */
		bool		lost_wscale, lost_sack;
	}			 cookie;
};

/* One socket of the `ss -tan` view (--at, sockets.h). */
struct socket_row {
	struct endpoint	local, peer;	/* peer of a LISTEN row: the wildcard */
	uint8_t		state;		/* enum tcp_state */
	bool		has_stream;	/* false for a LISTEN row */
	bool		send_known, recv_known;
	uint32_t	send_q, recv_q;	/* unacknowledged bytes, where known */
	uint32_t	stream;
};

struct socket_table {
	int64_t			 at_ns;		/* the moment shown */
	bool			 after_end;	/* the input ended before it: the
						 * table is as of the last packet */
	const struct socket_row	*rows;
	size_t			 n;
};

struct reporter;

struct reporter_ops {
	void	(*begin)(struct reporter *r, const struct input_info *in);
	void	(*event)(struct reporter *r, const struct event *ev,
		    const struct input_info *in);
	void	(*connection)(struct reporter *r, const struct conn_report *cr);
	void	(*summary)(struct reporter *r, const struct summary *s);
	void	(*sockets)(struct reporter *r, const struct socket_table *st,
		    const struct input_info *in);
	void	(*end)(struct reporter *r);
	void	(*destroy)(struct reporter *r);
	/* A record already rendered as a JSON Lines line (the merge of
	 * shard logs): the JSON reporters only; NULL elsewhere. */
	void	(*raw)(struct reporter *r, const char *line);
};

struct reporter {
	const struct reporter_ops	*ops;
	FILE				*out;
	bool				 quiet;		/* -q: summary only */
	bool				 verbose;	/* text: list connections */
	void				*priv;
};

/* How the text reporter writes times (tcpdump's -t family). */
enum time_format {
	TIME_OF_DAY,		/* default: 22:13:20.003000, the date and zone above */
	TIME_NONE,		/* -t */
	TIME_EPOCH,		/* -tt: seconds since the epoch */
	TIME_DELTA_PREV,	/* -ttt: since the previous line */
	TIME_DATE,		/* -tttt: date and time of day */
	TIME_DELTA_FIRST,	/* -ttttt: since the input's first packet */
};

struct text_style {
	enum time_format time_format;
	bool		 local_time;	/* --local-time: the TZ zone, not UTC */
	bool		 color;		/* severities in colour (a terminal) */
	bool		 streaming;	/* print each event as it is known:
					 * no frame order, no grouping */
};

/* Constructors: NULL on allocation failure.  The reporter writes to out,
 * which it does not close. */
struct reporter *report_text_new(FILE *out, bool quiet, bool verbose,
    const struct text_style *style);
/* batch: lines may wait for a large write (a file or pipe, not live). */
struct reporter *report_jsonl_new(FILE *out, bool quiet, bool batch);
struct reporter *report_json_new(FILE *out, bool quiet);
/* Reports nothing: for a second pass that only needs stream numbers. */
struct reporter *report_null_new(void);

/* The shared call path. */
void report_begin(struct reporter *r, const struct input_info *in);
void report_event(struct reporter *r, const struct event *ev, const struct input_info *in);
void report_connection(struct reporter *r, const struct conn_report *cr);
void report_summary(struct reporter *r, const struct summary *s);
void report_sockets(struct reporter *r, const struct socket_table *st,
    const struct input_info *in);
void report_end(struct reporter *r);
/* A connection or event record as a JSON Lines line (no newline), where
 * the reporter takes such lines (report_jsonl_new, report_json_new). */
void report_raw(struct reporter *r, const char *line);
void report_destroy(struct reporter *r);

/* A record of -o jsonl read back (json-c, report_json.c), for a reporter
 * that takes C structures (the text one) behind a merge: an event into
 * *ev (its detail keys through intern, which must keep them as long as
 * the reporter may read the event), or a connection's start into
 * *start_ns.  REC_OTHER: neither, or not valid. */
enum raw_kind { REC_OTHER, REC_EVENT, REC_CONNECTION };
enum raw_kind report_json_read(const char *line, struct event *ev, int64_t *start_ns,
    const char *(*intern)(void *ctx, const char *key), void *ctx);

/* Derived views of a connection. */
const char *conn_handshake_name(const struct conn *c);	/* SPEC "handshake" */
const char *conn_close_name(const struct conn *c, enum flow_end why); /* SPEC "close" */
/* Zeek's conn.log conn_state (S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0,
 * RSTRH, SH, SHR, OTH), by Zeek's rules over each side's last state. */
const char *conn_zeek_state(const struct conn_report *cr);
/* History string into buf (NUL-terminated, at most CONN_HISTORY_MAX chars). */
void conn_history(const struct conn *c, char *buf, size_t len);
/* Community ID v1, seed 0 ("1:base64"), into buf of at least 64 bytes. */
void conn_community_id(const struct conn_report *cr, char *buf, size_t len);

/* A state as ss(8) names it (ESTAB, SYN-RECV, TIME-WAIT, ...). */
const char *ss_state_name(enum tcp_state s);
/* Address to text (IPv6 compressed, RFC 5952).  buf >= 46 bytes. */
void endpoint_addr_str(const struct endpoint *ep, char *buf, size_t len);
/* The same at p (room for 45 bytes), unterminated; returns the count. */
size_t endpoint_addr_put(char *p, const struct endpoint *ep);
/* Decimal digits of v at p (at most 20, no terminator), two per division:
 * records are mostly numbers.  Returns the count. */
size_t u64_dec(char *p, uint64_t v);
/* Seconds since the epoch with the given fraction digits, exact. */
void ts_str(int64_t ts_ns, int digits, char *buf, size_t len);
/* The same at p, unterminated (at most TS_MAX chars); returns the count. */
#define TS_MAX	32
size_t ts_put(char *p, int64_t ts_ns, int digits);

#endif /* TCPDISSECT_REPORT_H */
