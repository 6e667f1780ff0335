/* test_tcpstate.c: per-side states through the common lives of a
 * connection, options from the SYNs, retransmission accounting and RST
 * acceptability, including across the 2^32 wrap. */
#include <string.h>

#include "tcpstate.h"
#include "tap.h"

static struct segment
mk(uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
	struct segment s;

	memset(&s, 0, sizeof(s));
	s.flags = flags;
	s.seq = seq;
	s.ack = ack;
	s.payload_len = len;
	s.win_raw = 1000;
	return s;
}

/* Each side's extension, found by the side's address (the tests keep
 * their sides on the stack); ext_reset() forgets them. */
static const struct side *ext_owner[8];
static struct side_ext ext_store[8];

static void
ext_reset(void)
{
	memset(ext_owner, 0, sizeof(ext_owner));
	memset(ext_store, 0, sizeof(ext_store));
}

static struct side_ext *
ext_for(const struct side *s)
{
	unsigned i;

	for (i = 0; i < 8 && ext_owner[i] != NULL; i++)
		if (ext_owner[i] == s)
			return &ext_store[i];
	if (i == 8)
		return NULL;
	ext_owner[i] = s;
	return &ext_store[i];
}

static void
track(struct side *snd, struct side *rcv, const struct segment *seg, struct track_result *tr)
{
	tcp_track(snd, rcv, ext_for(snd), ext_for(rcv), seg, tr);
}

static void
send(struct side *snd, struct side *rcv, struct segment s, struct track_result *tr)
{
	track(snd, rcv, &s, tr);
}

static void
lifecycle(uint32_t cisn, uint32_t sisn, const char *what)
{
	struct side c, s;
	struct track_result tr;
	struct segment syn = mk(TCP_SYN, cisn, 0, 0);
	char buf[160];

	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	ext_reset();
	syn.opt.present = TCPOPT_HAVE_MSS | TCPOPT_HAVE_WSCALE | TCPOPT_HAVE_SACK_PERM;
	syn.opt.mss = 1460;
	syn.opt.wscale = 7;
	send(&c, &s, syn, &tr);
	snprintf(buf, sizeof(buf), "%s: SYN -> SYN_SENT / LISTEN", what);
	ok(c.state == TS_SYN_SENT && s.state == TS_LISTEN, buf);
	ok(c.mss == 1460 && c.wscale == 7 && (c.flags & SIDE_SACK_PERM), "SYN options kept");
	send(&c, &s, mk(TCP_SYN, cisn, 0, 0), &tr);
	ok(tr.syn_retransmit && c.state == TS_SYN_SENT, "retransmitted SYN stays SYN_SENT");
	send(&s, &c, mk(TCP_SYN | TCP_ACK, sisn, cisn + 1, 0), &tr);
	snprintf(buf, sizeof(buf), "%s: SYN-ACK -> SYN_RECEIVED / ESTABLISHED", what);
	ok(s.state == TS_SYN_RECEIVED && c.state == TS_ESTABLISHED, buf);
	send(&c, &s, mk(TCP_ACK, cisn + 1, sisn + 1, 0), &tr);
	ok(s.state == TS_ESTABLISHED, "final ACK -> server ESTABLISHED");
	send(&c, &s, mk(TCP_ACK | TCP_PSH, cisn + 1, sisn + 1, 100), &tr);
	ok(c.snd_next == cisn + 101, "snd_next advances over data");
	send(&c, &s, mk(TCP_ACK | TCP_PSH, cisn + 1, sisn + 1, 100), &tr);
	ok(tr.retrans_bytes == 100 && ext_for(&c)->retrans_bytes == 100, "resent data counted");
	send(&c, &s, mk(TCP_ACK, cisn + 100, sisn + 1, 1), &tr);
	ok(tr.retrans_bytes == 0, "1-byte keep-alive at snd_next-1 is not a retransmission");
	send(&c, &s, mk(TCP_ACK | TCP_FIN, cisn + 101, sisn + 1, 0), &tr);
	ok(c.state == TS_FIN_WAIT_1 && s.state == TS_CLOSE_WAIT, "FIN: FIN_WAIT_1 / CLOSE_WAIT");
	send(&s, &c, mk(TCP_ACK, sisn + 1, cisn + 102, 0), &tr);
	ok(c.state == TS_FIN_WAIT_2, "ACK of FIN -> FIN_WAIT_2");
	send(&s, &c, mk(TCP_ACK | TCP_FIN, sisn + 1, cisn + 102, 0), &tr);
	ok(s.state == TS_LAST_ACK && c.state == TS_TIME_WAIT, "server FIN: LAST_ACK / TIME_WAIT");
	send(&s, &c, mk(TCP_ACK | TCP_FIN, sisn + 1, cisn + 102, 0), &tr);
	ok(tr.fin_retransmit && c.state == TS_TIME_WAIT && s.state == TS_LAST_ACK,
	    "retransmitted FIN moves nothing back");
	send(&c, &s, mk(TCP_ACK, cisn + 102, sisn + 2, 0), &tr);
	ok(s.state == TS_CLOSED, "last ACK -> CLOSED");
	ok(!tr.unexpected, "no unexpected transition");
}

int
main(void)
{
	struct side c, s;
	struct track_result tr;

	lifecycle(1000, 5000, "plain");
	lifecycle(UINT32_MAX - 50, UINT32_MAX, "ISNs at the wrap");
	lifecycle(UINT32_MAX, 0x7fffffffu, "client ISN 2^32-1");

	/* Simultaneous close: FINs cross. */
	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	ext_reset();
	track(&c, &s, &(struct segment){ .flags = TCP_SYN, .seq = 1 }, &tr);
	track(&s, &c, &(struct segment){ .flags = TCP_SYN | TCP_ACK, .seq = 9, .ack = 2 }, &tr);
	track(&c, &s, &(struct segment){ .flags = TCP_ACK, .seq = 2, .ack = 10 }, &tr);
	track(&c, &s, &(struct segment){ .flags = TCP_ACK | TCP_FIN, .seq = 2, .ack = 10 }, &tr);
	track(&s, &c, &(struct segment){ .flags = TCP_ACK | TCP_FIN, .seq = 10, .ack = 2 }, &tr);
	ok(c.state == TS_CLOSING, "FIN not acking ours -> CLOSING");
	track(&s, &c, &(struct segment){ .flags = TCP_ACK, .seq = 11, .ack = 3 }, &tr);
	track(&c, &s, &(struct segment){ .flags = TCP_ACK, .seq = 3, .ack = 11 }, &tr);
	ok(c.state == TS_TIME_WAIT && s.state == TS_TIME_WAIT, "both end in TIME_WAIT");

	/* Refused: RST/ACK acking the SYN closes the client; a RST that does
	 * not ack the SYN is not acceptable. */
	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	ext_reset();
	track(&c, &s, &(struct segment){ .flags = TCP_SYN, .seq = 77 }, &tr);
	track(&s, &c, &(struct segment){ .flags = TCP_RST | TCP_ACK, .seq = 0, .ack = 99 },
	    &tr);
	ok(tr.rst_window_known && !tr.rst_in_window && c.state == TS_SYN_SENT,
	    "RST with a wrong ack is ignored by SYN_SENT");
	track(&s, &c, &(struct segment){ .flags = TCP_RST | TCP_ACK, .seq = 0, .ack = 78 },
	    &tr);
	ok(tr.rst_in_window && c.state == TS_CLOSED && s.state == TS_CLOSED, "refused: both CLOSED");

	/* A stray ACK answers the SYN (the server still holds an older
	 * connection on this 4-tuple); the client's RST <SEQ=SEG.ACK> refuses
	 * it without leaving SYN_SENT, and its SYN retry then succeeds. */
	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	ext_reset();
	track(&c, &s, &(struct segment){ .flags = TCP_SYN, .seq = 4287132411u }, &tr);
	track(&s, &c, &(struct segment){ .flags = TCP_ACK, .seq = 4287696373u,
	    .ack = 3842174049u }, &tr);
	track(&c, &s, &(struct segment){ .flags = TCP_RST, .seq = 3842174049u }, &tr);
	ok(tr.rst_answers_bad_ack && c.state == TS_SYN_SENT && !(c.flags & SIDE_RST),
	    "RST answering an unacceptable ACK keeps SYN_SENT (RFC 793 p.66)");
	track(&c, &s, &(struct segment){ .flags = TCP_SYN, .seq = 4287132411u }, &tr);
	track(&s, &c, &(struct segment){ .flags = TCP_SYN | TCP_ACK, .seq = 329862883u,
	    .ack = 4287132412u }, &tr);
	ok(c.state == TS_ESTABLISHED, "... and the retried handshake completes");
	ok(s.ack_max == 4287132412u, "the SYN-ACK's ack replaces the stray ACK's");

	/* RST window check in ESTABLISHED, across the wrap. */
	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	ext_reset();
	track(&c, &s, &(struct segment){ .flags = TCP_ACK, .seq = UINT32_MAX - 10,
	    .ack = 500, .win_raw = 100 }, &tr);
	ok(c.state == TS_ESTABLISHED && s.state == TS_ESTABLISHED && (c.flags & SIDE_MIDSTREAM),
	    "mid-stream pickup: both ESTABLISHED");
	track(&s, &c, &(struct segment){ .flags = TCP_ACK, .seq = 500,
	    .ack = UINT32_MAX - 10, .win_raw = 100 }, &tr);
	track(&c, &s, &(struct segment){ .flags = TCP_RST, .seq = 200 }, &tr);
	ok(tr.rst_window_known && !tr.rst_in_window, "RST beyond the window (2^32 - 11 + 100)");
	ok(s.state == TS_ESTABLISHED, "out-of-window RST leaves the receiver alone");
	ok(c.snd_next == UINT32_MAX - 10, "... and says nothing of its sender's sequence space");
	track(&c, &s, &(struct segment){ .flags = TCP_RST, .seq = 50 }, &tr);
	ok(tr.rst_in_window && s.state == TS_CLOSED, "RST inside the window across the wrap");

	/* A SYN repeating the ISN after both FINs reopens the connection. */
	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	ext_reset();
	send(&c, &s, mk(TCP_SYN, 100, 0, 0), &tr);
	send(&s, &c, mk(TCP_SYN | TCP_ACK, 900, 101, 0), &tr);
	send(&c, &s, mk(TCP_ACK, 101, 901, 0), &tr);
	send(&s, &c, mk(TCP_ACK | TCP_FIN, 901, 101, 0), &tr);
	send(&c, &s, mk(TCP_ACK | TCP_FIN, 101, 902, 0), &tr);
	send(&s, &c, mk(TCP_ACK, 902, 102, 0), &tr);
	ok(s.state == TS_TIME_WAIT && c.state == TS_CLOSED, "server closed first: TIME_WAIT");
	send(&c, &s, mk(TCP_SYN, 100, 0, 0), &tr);
	ok(tr.reopened && !tr.syn_retransmit, "the old ISN again after the close: reopened");
	ok(c.state == TS_SYN_SENT && s.state == TS_TIME_WAIT && !tr.unexpected,
	    "client SYN_SENT, the server still in TIME_WAIT, which decides");
	ok(!((c.flags | s.flags) & (SIDE_FIN | SIDE_FIN_ACKED)) && c.snd_next == 101,
	    "both sides start over");
	send(&c, &s, mk(TCP_SYN, 100, 0, 0), &tr);
	ok(!tr.reopened && tr.syn_retransmit, "the same SYN once more is a retransmission");
	send(&s, &c, mk(TCP_SYN | TCP_ACK, 66537 + 902, 101, 0), &tr);
	ok(s.state == TS_SYN_RECEIVED && c.state == TS_ESTABLISHED && !tr.unexpected,
	    "accepted in TIME_WAIT: SYN_RECEIVED / ESTABLISHED");

	ok(strcmp(tcp_state_name(TS_TIME_WAIT), "TIME_WAIT") == 0, "state names");
	return tap_done();
}
