/* test_flow.c: the connection table: canonical keys, Wireshark stream
 * numbering (reuse, retransmitted SYN, restart per file), eviction under
 * --memcap and tombstones that keep a stream's number. */
#include <string.h>

#include "flow.h"
#include "tap.h"

#define NS 1000000000LL

struct ended {
	unsigned	n;
	unsigned	why[8];
	uint32_t	last_stream;
};

static void
on_end(void *ctx, struct conn *c, enum flow_end why)
{
	struct ended *e = ctx;

	e->n++;
	e->why[why]++;
	e->last_stream = c->stream;
}

static struct segment
seg4(uint32_t a, uint16_t pa, uint32_t b, uint16_t pb, uint16_t flags, uint32_t seq,
    uint32_t ack)
{
	struct segment s;

	memset(&s, 0, sizeof(s));
	s.src.family = s.dst.family = 4;
	s.src.addr[0] = (uint8_t)(a >> 24);
	s.src.addr[1] = (uint8_t)(a >> 16);
	s.src.addr[2] = (uint8_t)(a >> 8);
	s.src.addr[3] = (uint8_t)a;
	s.dst.addr[0] = (uint8_t)(b >> 24);
	s.dst.addr[1] = (uint8_t)(b >> 16);
	s.dst.addr[2] = (uint8_t)(b >> 8);
	s.dst.addr[3] = (uint8_t)b;
	s.src.port = pa;
	s.dst.port = pb;
	s.flags = flags;
	s.seq = seq;
	s.ack = ack;
	s.tcp_seen = true;
	s.hdr_fits = true;
	return s;
}

/* Close c as a server closing first would leave it: both FINs acknowledged,
 * the server (side !client) in TIME_WAIT, the client's snd_next and newest
 * TSval as given. */
static void
close_by_server(struct flow_table *t, struct conn *c, uint32_t cl_next, uint32_t cl_tsval)
{
	struct conn_ext *x = flow_ext_get(t, c);
	unsigned cl = c->client;

	c->side[0].flags |= SIDE_SEEN | SIDE_FIN | SIDE_FIN_ACKED | SIDE_SEQ_KNOWN;
	c->side[1].flags |= SIDE_SEEN | SIDE_FIN | SIDE_FIN_ACKED | SIDE_SEQ_KNOWN;
	c->side[cl].state = TS_CLOSED;
	c->side[!cl].state = TS_TIME_WAIT;
	c->side[cl].snd_next = cl_next;
	x->side[cl].ts_recent = cl_tsval;
	x->side[cl].sflags |= SX_TS_RECENT;
}

/* What flow_lookup_prev() says of the connection a SYN replaces, from the
 * table and from a tombstone, and of one it reopens in the same stream. */
static void
test_reuse_prev(void)
{
	struct ended e;
	struct flow_table *t;
	struct conn *c;
	const struct flow_prev *p;
	enum flow_lookup_how how;
	struct segment s;
	unsigned dir, cl;
	int64_t end = 100 * NS + 123456789;	/* not a multiple of 2 ms */

	memset(&e, 0, sizeof(e));
	t = flow_create(1 << 20, 240 * NS, 3600 * NS, on_end, &e);
	s = seg4(0x0f000001, 40000, 0x0f000002, 80, TCP_SYN, 1000, 0);
	c = flow_lookup(t, &s, 1, 0, &dir, &how);
	ok(flow_lookup_prev(t) == NULL, "no previous connection for a new 4-tuple");
	cl = c->client;
	close_by_server(t, c, 0xfffffff0u, 777);
	flow_touch(t, c, end);
	s = seg4(0x0f000001, 40000, 0x0f000002, 80, TCP_ACK, 1001, 1);
	c = flow_lookup(t, &s, 2, end, &dir, &how);
	ok(how == FLOW_FOUND && flow_lookup_prev(t) == NULL, "an ACK: nothing replaced");

	/* Reopened with the same ISN: same stream, previous = itself. */
	s = seg4(0x0f000001, 40000, 0x0f000002, 80, TCP_SYN, 1000, 0);
	c = flow_lookup(t, &s, 3, end + NS, &dir, &how);
	p = flow_lookup_prev(t);
	ok(how == FLOW_FOUND && p != NULL && p->stream == 0 && !p->from_tomb,
	    "a SYN repeating the ISN after both FINs: the same stream reopened");
	ok(p != NULL && p->ended == FLOW_PREV_FIN && p->time_wait == (1u << !cl) &&
	    p->peer == cl && p->peer_next == 0xfffffff0u && p->peer_ts && p->peer_tsval == 777,
	    "... with the server in TIME_WAIT and the client's snd_next and TSval");
	is_u64(p != NULL ? p->end_ns : 0, end, "... and its last packet's time");

	/* A new ISN while the old connection is in the table. */
	s = seg4(0x0f000001, 40000, 0x0f000002, 80, TCP_SYN, 5, 0);
	c = flow_lookup(t, &s, 4, end + 2 * NS, &dir, &how);
	p = flow_lookup_prev(t);
	ok(how == FLOW_NEW_REUSE && c->stream == 1 && p != NULL && p->stream == 0 &&
	    !p->from_tomb && p->peer_next == 0xfffffff0u, "a new ISN: stream 1 replaces stream 0");

	/* From a tombstone: stream 1 closes, leaves the table, is replaced. */
	cl = c->client;
	close_by_server(t, c, 0x10u, 0xfffffffeu);
	flow_touch(t, c, end + 2 * NS);
	flow_expire(t, end + 13 * NS, 300 * NS, 10 * NS);
	ok(e.why[FLOW_END_CLOSED] == 1, "stream 1 left the table, closed");
	s = seg4(0x0f000001, 40000, 0x0f000002, 80, TCP_SYN, 77, 0);
	c = flow_lookup(t, &s, 5, end + 30 * NS, &dir, &how);
	p = flow_lookup_prev(t);
	ok(how == FLOW_NEW_REUSE && c->stream == 2 && p != NULL && p->stream == 1 && p->from_tomb,
	    "a new ISN on a tombstone's 4-tuple: stream 2, previous stream 1");
	ok(p != NULL && p->ended == FLOW_PREV_FIN && p->time_wait == (1u << !cl) &&
	    p->peer == cl && p->peer_next == 0x10u && p->peer_ts && p->peer_tsval == 0xfffffffeu,
	    "the tombstone kept the TIME_WAIT side, snd_next and TSval");
	ok(p != NULL && p->end_ns >= end + 2 * NS && p->end_ns < end + 2 * NS + 2000000,
	    "... and the end time, to 2 ms");
	flow_destroy(t);
}

int
main(void)
{
	struct ended e;
	struct flow_table *t;
	struct conn *c1, *c2, *c3;
	enum flow_lookup_how how;
	struct segment s;
	unsigned dir, d2, i;
	uint64_t frame = 0, created0;

	memset(&e, 0, sizeof(e));
	t = flow_create(1 << 20, 120 * NS, 3600 * NS, on_end, &e);
	ok(t != NULL, "table created with a 1 MiB cap");

	s = seg4(0x0a000001, 40000, 0x0a000002, 80, TCP_SYN, 1000, 0);
	c1 = flow_lookup(t, &s, ++frame, 0, &dir, &how);
	ok(how == FLOW_NEW && c1->stream == 0, "first SYN: new stream 0");
	ok(c1->client == dir, "SYN sender is the client");
	s = seg4(0x0a000002, 80, 0x0a000001, 40000, TCP_SYN | TCP_ACK, 5000, 1001);
	c2 = flow_lookup(t, &s, ++frame, 0, &d2, &how);
	ok(c2 == c1 && how == FLOW_FOUND && d2 != dir, "reverse direction: same connection");
	s = seg4(0x0a000001, 40000, 0x0a000002, 80, TCP_SYN, 1000, 0);
	c2 = flow_lookup(t, &s, ++frame, 0, &d2, &how);
	ok(c2 == c1 && how == FLOW_FOUND, "SYN retransmitted with the same ISN: same stream");
	s = seg4(0x0a000001, 40000, 0x0a000002, 80, TCP_SYN, 9999, 0);
	c2 = flow_lookup(t, &s, ++frame, 0, &d2, &how);
	ok(how == FLOW_NEW_REUSE && c2->stream == 1, "SYN with a new ISN: new stream 1");
	ok(e.n == 1 && e.why[FLOW_END_REUSED] == 1 && e.last_stream == 0,
	    "the old stream was reported as ended by reuse");
	s = seg4(0x0a000002, 80, 0x0a000001, 40000, TCP_SYN | TCP_ACK, 7777, 10000);
	c3 = flow_lookup(t, &s, ++frame, 0, &d2, &how);
	ok(c3 == c2 && how == FLOW_FOUND && c3->side[d2].base_seq == 7777,
	    "SYN-ACK with another seq: same stream, base reset (Wireshark)");

	/* Mid-stream: base = seq - 1; the peer's base = ack - 1. */
	s = seg4(0x0a000003, 1234, 0x0a000004, 443, TCP_ACK, 500, 900);
	c3 = flow_lookup(t, &s, ++frame, 0, &dir, &how);
	ok(how == FLOW_NEW && c3->stream == 2, "mid-stream segment: new stream 2");
	ok(c3->side[dir].base_seq == 499 && c3->side[!dir].base_seq == 899,
	    "bases from seq - 1 and ack - 1");
	ok(c3->client == dir, "without a SYN the higher port is the client");
	s = seg4(0x0a000003, 1234, 0x0a000004, 443, TCP_SYN, 499, 0);
	c2 = flow_lookup(t, &s, ++frame, 0, &dir, &how);
	ok(how == FLOW_FOUND, "a SYN equal to the mid-stream base keeps the stream");

	/* IPv6 and IPv4 with the same bytes are different connections. */
	s = seg4(0x0a000003, 1234, 0x0a000004, 443, TCP_ACK, 500, 900);
	s.src.family = s.dst.family = 6;
	c2 = flow_lookup(t, &s, ++frame, 0, &dir, &how);
	ok(how == FLOW_NEW && c2 != c3, "family is part of the key");

	/* Flush: everything reported in stream order, numbering restarts. */
	e.n = 0;
	flow_flush(t);
	ok(e.n == 3 && e.last_stream == 3, "flush reports every live connection, last stream 3");
	s = seg4(0x0a000009, 1, 0x0a00000a, 2, TCP_SYN, 1, 0);
	c1 = flow_lookup(t, &s, 1, 0, &dir, &how);
	ok(c1->stream == 0, "numbering restarts after a flush");
	flow_flush(t);

	/* Eviction: far more connections than the pool holds. */
	memset(&e, 0, sizeof(e));
	created0 = flow_counters(t)->created;
	for (i = 0; i < 50000; i++) {
		s = seg4(0x0b000000 + i, (uint16_t)(1024 + i % 60000), 0x0c000001, 80, TCP_SYN,
		    i, 0);
		c1 = flow_lookup(t, &s, i + 1, (int64_t)i * 1000, &dir, &how);
		flow_touch(t, c1, (int64_t)i * 1000);
	}
	ok(flow_counters(t)->evicted > 0, "a full pool evicts");
	ok(flow_counters(t)->live <= flow_counters(t)->capacity, "live never exceeds capacity");
	ok(e.why[FLOW_END_EVICTED] == flow_counters(t)->evicted, "every eviction reported");
	ok(flow_counters(t)->created - created0 == 50000, "every 4-tuple numbered once");
	/* The first connection was evicted; its next non-SYN packet resumes
	 * stream 0 from the tombstone (if the tombstone survived) or else is
	 * counted as a numbering risk. */
	s = seg4(0x0c000001, 80, 0x0b000000, 1024, TCP_ACK, 1, 1);
	c1 = flow_lookup(t, &s, 50001, 0, &dir, &how);
	ok((how == FLOW_RESUMED && c1->stream == 0 && (c1->cflags & CONN_RESUMED)) ||
	    (how == FLOW_NEW && flow_counters(t)->tombs_evicted > 0),
	    "an evicted 4-tuple keeps its stream number, or the loss is counted");

	/* IPv6 connections keep their addresses in the table's pool: under
	 * eviction the slots are reused, and every live connection still finds
	 * itself from either direction and gives back its own endpoints. */
	flow_flush(t);
	{
		unsigned bad = 0, found = 0;
		struct endpoint ep;

		for (i = 0; i < 50000; i++) {
			s = seg4(0x20010db8, (uint16_t)(1024 + i % 50000), 0x20010db8, 443,
			    TCP_SYN, i, 0);
			s.src.family = s.dst.family = 6;
			memcpy(s.src.addr + 12, &i, sizeof(i));
			s.dst.addr[15] = 1;
			c1 = flow_lookup(t, &s, i + 1, (int64_t)i * 1000, &dir, &how);
			flow_touch(t, c1, (int64_t)i * 1000);
			conn_endpoint(t, c1, dir, &ep);
			if (memcmp(ep.addr, s.src.addr, 16) != 0 || ep.port != s.src.port ||
			    ep.family != 6)
				bad++;
			conn_endpoint(t, c1, !dir, &ep);
			if (memcmp(ep.addr, s.dst.addr, 16) != 0 || ep.port != 443)
				bad++;
		}
		ok(bad == 0 && flow_counters(t)->evicted > 0,
		    "IPv6 endpoints come back exact through eviction");
		ok(flow_counters(t)->v6_live == flow_counters(t)->live,
		    "one address slot per live IPv6 connection");
		for (i = 49000; i < 50000; i++) {
			struct segment r = seg4(0x20010db8, 443, 0x20010db8,
			    (uint16_t)(1024 + i % 50000), TCP_SYN | TCP_ACK, 7, i + 1);

			r.src.family = r.dst.family = 6;
			r.src.addr[15] = 1;
			memcpy(r.dst.addr + 12, &i, sizeof(i));
			c1 = flow_lookup(t, &r, 50000 + i, 51 * NS, &dir, &how);
			found += how == FLOW_FOUND && c1->stream == i;
		}
		ok(found == 1000, "the newest IPv6 connections are found from the server side");
		flow_flush(t);
		ok(flow_counters(t)->v6_live == 0, "a flush frees every address slot");
	}

	/* Idle expiry reports and tombstones. */
	memset(&e, 0, sizeof(e));
	flow_flush(t);
	memset(&e, 0, sizeof(e));
	s = seg4(0x0d000001, 5555, 0x0d000002, 22, TCP_SYN, 42, 0);
	c1 = flow_lookup(t, &s, 1, 0, &dir, &how);
	flow_touch(t, c1, 0);
	flow_expire(t, 400 * 1000000000LL, 300 * 1000000000LL, 120 * 1000000000LL);
	ok(e.why[FLOW_END_IDLE] == 1, "a quiet open connection expires after the idle timeout");
	s = seg4(0x0d000002, 22, 0x0d000001, 5555, TCP_ACK, 7, 43);
	c1 = flow_lookup(t, &s, 2, 401 * 1000000000LL, &dir, &how);
	ok(how == FLOW_RESUMED && c1->stream == 0, "its next packet resumes stream 0");
	s = seg4(0x0d000001, 5555, 0x0d000002, 22, TCP_SYN, 4242, 0);
	c1 = flow_lookup(t, &s, 3, 402 * 1000000000LL, &dir, &how);
	ok(how == FLOW_NEW_REUSE && c1->stream == 1, "a SYN with a new ISN starts stream 1");

	/* Tombstones are forgotten after their lifetime: an hour here for an
	 * idle connection. */
	s = seg4(0x0e000001, 6000, 0x0e000002, 22, TCP_ACK, 5, 6);
	c1 = flow_lookup(t, &s, 4, 500 * NS, &dir, &how);
	ok(how == FLOW_NEW && c1->stream == 2, "a new 4-tuple: stream 2");
	flow_touch(t, c1, 500 * NS);
	flow_expire(t, 900 * NS, 300 * NS, 120 * NS);
	ok(e.why[FLOW_END_IDLE] == 3, "... idle after 300 s (with stream 1)");
	s = seg4(0x0e000001, 6000, 0x0e000002, 22, TCP_ACK, 9, 6);
	c1 = flow_lookup(t, &s, 5, 1000 * NS, &dir, &how);
	ok(how == FLOW_RESUMED && c1->stream == 2, "... back within the hour: stream 2 again");
	flow_touch(t, c1, 1000 * NS);
	flow_expire(t, 1400 * NS, 300 * NS, 120 * NS);
	flow_expire(t, 5100 * NS, 300 * NS, 120 * NS);
	s = seg4(0x0e000001, 6000, 0x0e000002, 22, TCP_ACK, 11, 6);
	c1 = flow_lookup(t, &s, 6, 5200 * NS, &dir, &how);
	ok(how == FLOW_NEW && c1->stream == 3, "... back after more than an hour: a new stream");

	flow_destroy(t);
	test_reuse_prev();
	return tap_done();
}
