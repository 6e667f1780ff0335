/* flow.h: the connection table.
 *
 * Owns all struct conn memory: a preallocated pool, a seeded hash over the
 * canonical 4-tuple, an LRU list for idle expiry and eviction under
 * --memcap, and Wireshark's tcp.stream numbering (a new stream when a
 * 4-tuple is reused by a SYN with a new ISN).  Connections removed before
 * the end of the input leave a small tombstone so that a later packet on
 * the same 4-tuple keeps its Wireshark stream number.  No allocation per
 * packet: the pool is allocated once; only the bucket array grows
 * (amortised doubling).  Callers get pointers valid until the next call
 * that may remove connections (flow_lookup, flow_expire, flow_flush). */
#ifndef TCPDISSECT_FLOW_H
#define TCPDISSECT_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "stats.h"
#include "tcpstate.h"

/* The canonical 4-tuple as a connection stores it (16 bytes): endpoint 0
 * is the lower (address, port).  IPv4 addresses are kept in place; an IPv6
 * connection's two addresses (32 bytes) live in the table's address pool,
 * so that the four IPv4 connections of five do not pay for them.  Read it
 * through conn_endpoint(). */
struct conn_key {
	uint32_t	addr[2];	/* IPv4: the four address bytes of each
					 * side; IPv6: addr[0] is the pool slot
					 * (index + 1), addr[1] zero */
	uint16_t	port[2];
	uint8_t		family;		/* 4 or 6 */
	uint8_t		pad[3];		/* always zero */
};

/* struct conn.cflags */
#define CONN_RESUMED		0x01	/* came back from a tombstone */
#define CONN_EVICTED		0x02	/* (record) removed under --memcap */
#define CONN_IDLE		0x04	/* (record) removed after --idle-timeout */
#define CONN_REUSED_PORT	0x08	/* began by reusing an ended 4-tuple */
#define CONN_REFUSED		0x10	/* a RST answered the SYN */
#define CONN_HS_COMPLETE	0x20	/* the handshake's final ACK was seen */
#define CONN_UNMATCHED		0x40	/* (flow.c) numbered from packets the BPF
					 * filter did not match only: no record */
#define CONN_ON_CLOSED_LIST	0x80	/* (flow.c) threaded on the closed LRU */
#define CONN_HALF_OPEN		0x100	/* (analysis) counted as half-open */
#define CONN_ESTABLISHED	0x200	/* (analysis) counted as established */
#define CONN_OPEN		0x400	/* (analysis) counted as concurrent */
#define CONN_LISTENER		0x800	/* (analysis) counted in a listener */
#define CONN_CLIENT_BY_SYN	0x1000	/* client chosen by a SYN or SYN-ACK */
#define CONN_OVERFLOW_RST	0x2000	/* (detect) accept_overflow_rst reported */
#define CONN_SIMOPEN		0x4000	/* (detect) simultaneous_open reported */
#define CONN_SIMCLOSE		0x8000	/* (detect) simultaneous_close reported */

#define CONN_EVENT_SLOTS	4
#define CONN_HISTORY_MAX	12	/* letters, 5 bits each in struct conn.hist */
/* History letters (Zeek's conn.log history), code = index + 1; the fifth
 * bit says upper case (from the client). */
#define CONN_HISTORY_LETTERS	"SHADFRTWQGIC"

/* Laid out without padding holes (152 bytes): every byte here is paid
 * once per tracked connection, down to a flood's lone SYN.  What only a
 * connection past its handshake needs is in struct conn_ext. */
struct conn {
	struct conn_key	key;		/* side[i] sends from endpoint i */
	uint32_t	hnext;		/* next in hash chain (index + 1; 0 = end) */
	uint32_t	lru_prev;	/* LRU neighbours (index + 1; 0 = none) */
	uint32_t	lru_next;
	uint32_t	stream;		/* Wireshark tcp.stream */
	uint32_t	first_frame;	/* frame numbers, Wireshark frame.number
					 * (32 bits there too) */
	uint32_t	last_frame;
	uint32_t	synack_us;	/* first SYN -> first SYN-ACK, us + 1 (0 = none;
					 * us_plus_one(): saturates at 71.6 min) */
	uint32_t	last_synack_us;	/* start -> latest SYN-ACK, us + 1 (0 = none) */
	uint8_t		syn_tx;		/* client SYNs seen (saturating) */
	uint8_t		synack_tx;	/* server SYN-ACKs seen (saturating) */
	uint16_t	cflags;		/* CONN_* */
	uint16_t	ev_other;	/* events of kinds beyond the slots (saturating) */
	uint8_t		client;		/* index of the client side */
	uint8_t		lru_touched : 1;	/* a packet since it was put on its
						 * LRU list: misplaced (lazy LRU) */
	uint8_t		hist_len : 4;
	uint8_t		lru_embryo : 1;	/* (flow.c) threaded on the embryonic LRU:
					 * no extension yet (SYN, SYN-ACK, RST only) */
	uint8_t		ev_kind[CONN_EVENT_SLOTS];	/* event kind + 1 (0 = free) */
	uint32_t	ext;		/* its struct conn_ext (index + 1; 0 = none) */
	int64_t		start_ns;	/* first and last packet, ns since epoch */
	int64_t		last_ns;
	struct side	side[2];
	uint64_t	hist;		/* Zeek-style history, 5-bit letter codes */
	uint16_t	ev_count[CONN_EVENT_SLOTS];	/* saturating */
};
_Static_assert(sizeof(struct conn) <= 152, "struct conn grew: mind the per-connection budget");
_Static_assert(CONN_HISTORY_MAX < 16, "hist_len has four bits");

/* The part of a connection allocated when it first carries more than a
 * handshake's SYN, SYN-ACK or RST (flow_ext_get): per-side payload
 * counts, FINs and byte-stream analysis. */
struct conn_ext {
	struct side_ext	side[2];
	uint32_t	ack_us;		/* first SYN-ACK -> handshake ACK, us + 1
					 * (0 = none): set by that ACK, which
					 * brings the extension */
};

/* Why a connection left the table. */
enum flow_end {
	FLOW_END_INPUT,		/* end of the input file */
	FLOW_END_REUSED,	/* a new SYN started a new stream on its 4-tuple */
	FLOW_END_CLOSED,	/* closed (FIN/RST) and quiet for the linger time */
	FLOW_END_IDLE,		/* no packet for --idle-timeout */
	FLOW_END_EVICTED,	/* pushed out to stay under --memcap */
};

/* Called once for each connection as it leaves the table (but for the
 * CONN_UNMATCHED ones, see flow_number); it may read the connection but
 * must not call back into the table. */
typedef void (*flow_end_fn)(void *ctx, struct conn *c, enum flow_end why);

struct flow_counters {
	uint64_t	created;	/* streams numbered (filtered out or not) */
	uint64_t	live;		/* connections in the table now */
	uint64_t	peak_live;	/* most at once */
	uint64_t	evicted;	/* removed under --memcap */
	uint64_t	expired_idle;
	uint64_t	tombs_evicted;	/* forgotten tombstones */
	uint64_t	resumed;	/* connections brought back from a tombstone */
	uint64_t	capacity;	/* pool size (connections) */
	uint64_t	bytes_per_conn;	/* pool + bucket bytes per connection */
	uint64_t	v6_live;	/* connections with IPv6 addresses now */
	uint64_t	ext_live;	/* connections with an extension now */
	uint64_t	ext_peak;	/* most at once */
};

/* What flow_lookup() did. */
enum flow_lookup_how {
	FLOW_FOUND,		/* an existing connection */
	FLOW_NEW,		/* a new stream on an unseen 4-tuple */
	FLOW_NEW_REUSE,		/* a new stream: SYN with a new ISN on a used 4-tuple */
	FLOW_RESUMED,		/* an old stream brought back from its tombstone */
};

/* How the connection that last held a 4-tuple had ended. */
enum flow_prev_end {
	FLOW_PREV_OPEN,		/* neither reset nor closed by both FINs */
	FLOW_PREV_FIN,		/* both FINs acknowledged */
	FLOW_PREV_RST,		/* a side sent a RST */
	FLOW_PREV_ONE_SIDED,	/* only one side ever sent (e.g. SYNs unanswered) */
};

/* What is known of the connection that last held a 4-tuple, for a SYN that
 * reuses it (flow_lookup_prev).  A tombstone keeps less: its end time to
 * 2 ms, and the sequence number and TSval of one side only. */
struct flow_prev {
	int64_t		end_ns;		/* its last packet */
	uint32_t	stream;		/* its tcp.stream */
	uint32_t	peer_next;	/* snd_next of side `peer` (with FLOW_PREV_FIN) */
	uint32_t	peer_tsval;	/* highest TSval side `peer` sent (peer_ts) */
	uint8_t		time_wait;	/* bit i: side i was left in TIME_WAIT */
	uint8_t		peer;		/* the side not in TIME_WAIT (the client
					 * when both or neither were): the one
					 * whose next SYN a TIME_WAIT peer judges */
	uint8_t		ended;		/* enum flow_prev_end */
	bool		peer_ts;	/* peer_tsval valid */
	bool		from_tomb;	/* it had left the table */
};

/* Fill p from c as it is now: what a tombstone keeps and a reusing SYN
 * is judged against.  ext is c's extension or NULL. */
void flow_prev_of(const struct conn *c, const struct conn_ext *ext, struct flow_prev *p);

struct flow_table;

/* memcap: bytes for the pool, the tombstones and the buckets (at least
 * room for a few thousand connections is enforced).  A closed connection's
 * tombstone is kept tomb_closed_ns (its 4-tuple is in TIME_WAIT for 2*MSL;
 * the pipeline keeps it 4*MSL, see pipeline.c), an idle or evicted one's
 * tomb_other_ns.  end_fn/ctx receive every
 * connection as it leaves.  NULL when memory cannot be had. */
struct flow_table *flow_create(size_t memcap, int64_t tomb_closed_ns, int64_t tomb_other_ns,
    flow_end_fn end_fn, void *ctx);
void flow_destroy(struct flow_table *t);

/* Find or create the connection of seg (which must have tcp_seen set),
 * applying Wireshark's tcp.stream rules and its base-sequence bookkeeping;
 * *dir is the index of the sending side.  Never NULL: when the pool is
 * full the least recently used connection is evicted first. */
struct conn *flow_lookup(struct flow_table *t, const struct segment *seg,
    uint64_t frame, int64_t ts_ns, unsigned *dir, enum flow_lookup_how *how);

/* A packet the trailing BPF filter did not match (seg must have tcp_seen
 * set): numbered as flow_lookup() numbers it, so that the packets that
 * match keep the unfiltered file's tcp.stream and frame numbers, and
 * nothing else.  A connection only such packets reached is CONN_UNMATCHED:
 * it takes a pool slot under the same --memcap, LRU and tombstones as any
 * other, but no end_fn call, record or flow_foreach visit; the first
 * matching packet turns it into an ordinary connection that flow_lookup()
 * returns as FLOW_NEW, keeping its stream and first frame. */
void flow_number(struct flow_table *t, const struct segment *seg, uint64_t frame,
    int64_t ts_ns);

/* What the last flow_lookup() knew of the connection its segment
 * replaced (FLOW_NEW_REUSE), brought back from a tombstone (FLOW_RESUMED)
 * or, for FLOW_FOUND, reopens with a SYN repeating its ISN after both FINs
 * (tcp_reopens); NULL otherwise.  Valid until the next flow_lookup(). */
const struct flow_prev *flow_lookup_prev(const struct flow_table *t);

/* c's extension, or NULL if it has none yet. */
struct conn_ext *flow_ext(const struct flow_table *t, const struct conn *c);

/* c's extension, allocated (zeroed) on first use.  Never NULL: the
 * extension pool has a slot for every connection of the pool. */
struct conn_ext *flow_ext_get(struct flow_table *t, struct conn *c);

/* Move c to the most-recently-used end (call once per packet). */
void flow_touch(struct flow_table *t, struct conn *c, int64_t ts_ns);

/* Remove connections quiet since before now - idle_ns (open ones; none
 * when idle_ns is 0) or now - closed_ns (closed ones), oldest first. */
void flow_expire(struct flow_table *t, int64_t now_ns, int64_t idle_ns, int64_t closed_ns);

/* End of one input file: every connection leaves (in stream order), the
 * tombstones are dropped and stream numbering restarts at 0. */
void flow_flush(struct flow_table *t);

/* Call fn for every live connection but the CONN_UNMATCHED ones (any
 * order); read-only use. */
void flow_foreach(const struct flow_table *t, void (*fn)(void *ctx, const struct conn *c),
    void *ctx);

const struct flow_counters *flow_counters(const struct flow_table *t);

/* --shard (shard.h): stream_fn hears of each stream number handed out
 * (with its first frame); gauge_fn of each change of a figure whose peak
 * the summary shows: op 'T'/'t' a connection entered/left the table (and
 * analysis.c's ops, analysis.h); op 'A' with a stream number: that
 * connection joined the tail of its LRU list (whose order is the order a
 * sweep reports in).  Both or neither; NULL: none. */
typedef void (*flow_stream_fn)(void *ctx, uint32_t stream, uint64_t frame);
typedef void (*flow_gauge_fn)(void *ctx, char op, unsigned index);
void flow_set_hooks(struct flow_table *t, flow_stream_fn stream_fn, flow_gauge_fn gauge_fn,
    void *ctx);

/* The endpoint of side i of c (a connection of table t). */
void conn_endpoint(const struct flow_table *t, const struct conn *c, unsigned i,
    struct endpoint *ep);

/* True when side i of c is closed for good (RST, or both FINs acked). */
bool conn_closed(const struct conn *c);

#endif /* TCPDISSECT_FLOW_H */
