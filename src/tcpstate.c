/* tcpstate.c: per-side TCP state inferred at the capture point.
 *
 * Each segment is first classified into side events (what the sender did,
 * what the receiver got), in a fixed precedence; each event is then looked
 * up in a [event][state] table whose cells each carry their RFC 793 reason.
 * An undefined cell leaves the state alone and is reported as unexpected.
 * The states are those the two hosts' stacks would be in had they seen the
 * same segments at the same moment as the capture point: a host's state
 * follows what it sent and what reached it, and the capture point may see
 * a segment that was later lost, so these are inferences, not facts. */
#include "config.h"

#include "tcpstate.h"

#include <stddef.h>

static const char *const tcp_state_names[] = {
	[TS_UNSET] = "UNKNOWN",
	[TS_LISTEN] = "LISTEN",
	[TS_SYN_SENT] = "SYN_SENT",
	[TS_SYN_RECEIVED] = "SYN_RECEIVED",
	[TS_ESTABLISHED] = "ESTABLISHED",
	[TS_FIN_WAIT_1] = "FIN_WAIT_1",
	[TS_CLOSE_WAIT] = "CLOSE_WAIT",
	[TS_FIN_WAIT_2] = "FIN_WAIT_2",
	[TS_CLOSING] = "CLOSING",
	[TS_LAST_ACK] = "LAST_ACK",
	[TS_TIME_WAIT] = "TIME_WAIT",
	[TS_CLOSED] = "CLOSED",
};
_Static_assert(sizeof(tcp_state_names) / sizeof(tcp_state_names[0]) == TS_COUNT,
    "every tcp_state has a name");

const char *
tcp_state_name(enum tcp_state s)
{
	return (unsigned)s < TS_COUNT ? tcp_state_names[s] : "?";
}

/* Side events, applied in this order.  The sender's own events come
 * first; for the receiver "ACK of our FIN" precedes "got FIN", so a FIN+ACK
 * arriving in FIN_WAIT_1 goes FIN_WAIT_2 -> TIME_WAIT, not to CLOSING. */
enum side_event {
	EV_SENT_SYN,		/* SYN without ACK */
	EV_SENT_SYNACK,		/* SYN with ACK */
	EV_SENT_ACK_OF_SYN,	/* an ACK covering the peer's SYN */
	EV_SENT_FIN,
	EV_SENT_RST,
	EV_GOT_SYN,
	EV_GOT_SYNACK,		/* acceptable SYN-ACK (acks our ISN + 1) */
	EV_GOT_ACK_OF_SYN,
	EV_GOT_ACK_OF_FIN,
	EV_GOT_FIN,
	EV_GOT_RST,		/* an acceptable RST */
	EV_COUNT
};

static const uint8_t side_next[EV_COUNT][TS_COUNT] = {
	[EV_SENT_SYN] = {
		[TS_UNSET] = TS_SYN_SENT,	/* active open (RFC 793 p.54) */
		[TS_CLOSED] = TS_SYN_SENT,	/* a new attempt on the same ISN
						 * after a refusal */
		[TS_SYN_SENT] = TS_SYN_SENT,	/* retransmitted SYN: stay */
		[TS_LISTEN] = TS_SYN_RECEIVED,	/* its SYN crossed the peer's:
						 * simultaneous open (p.32) */
		[TS_SYN_RECEIVED] = TS_SYN_RECEIVED,
		[TS_TIME_WAIT] = TS_SYN_SENT,	/* the side holding TIME_WAIT
						 * opens the 4-tuple again itself
						 * (Linux: net.ipv4.tcp_tw_reuse) */
	},
	[EV_SENT_SYNACK] = {
		[TS_UNSET] = TS_SYN_RECEIVED,	/* SYN not captured */
		[TS_LISTEN] = TS_SYN_RECEIVED,	/* passive open (p.65) */
		[TS_SYN_SENT] = TS_SYN_RECEIVED, /* simultaneous open */
		[TS_SYN_RECEIVED] = TS_SYN_RECEIVED, /* retransmitted SYN-ACK */
		[TS_CLOSED] = TS_SYN_RECEIVED,	/* accepted a retry it refused */
		[TS_TIME_WAIT] = TS_SYN_RECEIVED, /* accepted a new SYN in
						 * TIME_WAIT (RFC 1122 4.2.2.13,
						 * RFC 6191) */
	},
	[EV_SENT_ACK_OF_SYN] = {
		[TS_SYN_SENT] = TS_ESTABLISHED,	/* the SYN-ACK reached it even
						 * if the capture missed it */
	},
	[EV_SENT_FIN] = {
		[TS_SYN_RECEIVED] = TS_FIN_WAIT_1, /* close before the last ACK */
		[TS_ESTABLISHED] = TS_FIN_WAIT_1, /* active close */
		[TS_FIN_WAIT_1] = TS_FIN_WAIT_1, /* retransmitted FIN */
		[TS_CLOSE_WAIT] = TS_LAST_ACK,	/* passive close completes */
		[TS_LAST_ACK] = TS_LAST_ACK,	/* retransmitted FIN */
		[TS_CLOSING] = TS_CLOSING,	/* retransmitted FIN */
		[TS_FIN_WAIT_2] = TS_FIN_WAIT_2, /* FIN re-sent, ACK in flight */
		[TS_TIME_WAIT] = TS_TIME_WAIT,	/* idem */
	},
	[EV_SENT_RST] = {
		/* an abort from any state (RFC 793 p.62 ABORT call) */
		[TS_UNSET] = TS_CLOSED, [TS_LISTEN] = TS_CLOSED,
		[TS_SYN_SENT] = TS_CLOSED, [TS_SYN_RECEIVED] = TS_CLOSED,
		[TS_ESTABLISHED] = TS_CLOSED, [TS_FIN_WAIT_1] = TS_CLOSED,
		[TS_CLOSE_WAIT] = TS_CLOSED, [TS_FIN_WAIT_2] = TS_CLOSED,
		[TS_CLOSING] = TS_CLOSED, [TS_LAST_ACK] = TS_CLOSED,
		[TS_TIME_WAIT] = TS_CLOSED, [TS_CLOSED] = TS_CLOSED,
	},
	[EV_GOT_SYN] = {
		[TS_UNSET] = TS_LISTEN,		/* a SYN to it: presumed listener */
		[TS_SYN_SENT] = TS_SYN_RECEIVED, /* simultaneous open (p.32) */
		[TS_LISTEN] = TS_LISTEN,	/* retransmitted SYN */
		[TS_CLOSED] = TS_LISTEN,	/* SYN retried after a refusal */
		[TS_TIME_WAIT] = TS_TIME_WAIT,	/* a new SYN on the 4-tuple: the
						 * TIME_WAIT side answers with a
						 * SYN-ACK if it finds it acceptable
						 * (RFC 6191), else with an ACK of
						 * the old connection */
	},
	[EV_GOT_SYNACK] = {
		[TS_SYN_SENT] = TS_ESTABLISHED,	/* p.68: our SYN acked */
		[TS_SYN_RECEIVED] = TS_ESTABLISHED, /* simultaneous open */
	},
	[EV_GOT_ACK_OF_SYN] = {
		[TS_SYN_RECEIVED] = TS_ESTABLISHED, /* p.72: handshake done */
	},
	[EV_GOT_ACK_OF_FIN] = {
		[TS_FIN_WAIT_1] = TS_FIN_WAIT_2, /* p.73 */
		[TS_CLOSING] = TS_TIME_WAIT,	/* simultaneous close */
		[TS_LAST_ACK] = TS_CLOSED,	/* passive close done */
	},
	[EV_GOT_FIN] = {
		[TS_SYN_RECEIVED] = TS_CLOSE_WAIT, /* p.75 */
		[TS_ESTABLISHED] = TS_CLOSE_WAIT,
		[TS_FIN_WAIT_1] = TS_CLOSING,	/* their FIN crossed ours */
		[TS_FIN_WAIT_2] = TS_TIME_WAIT,	/* 2*MSL starts here */
		[TS_CLOSE_WAIT] = TS_CLOSE_WAIT, /* retransmitted FIN */
		[TS_CLOSING] = TS_CLOSING,
		[TS_LAST_ACK] = TS_LAST_ACK,
		[TS_TIME_WAIT] = TS_TIME_WAIT,	/* p.76: restart 2*MSL */
	},
	[EV_GOT_RST] = {
		/* p.70: an acceptable RST closes any synchronized state; in
		 * LISTEN it is ignored (p.66) */
		[TS_SYN_SENT] = TS_CLOSED, [TS_SYN_RECEIVED] = TS_CLOSED,
		[TS_ESTABLISHED] = TS_CLOSED, [TS_FIN_WAIT_1] = TS_CLOSED,
		[TS_CLOSE_WAIT] = TS_CLOSED, [TS_FIN_WAIT_2] = TS_CLOSED,
		[TS_CLOSING] = TS_CLOSED, [TS_LAST_ACK] = TS_CLOSED,
		[TS_TIME_WAIT] = TS_CLOSED,	/* Linux kills TIME_WAIT on RST
						 * unless net.ipv4.tcp_rfc1337 */
		[TS_UNSET] = TS_CLOSED,
	},
};

/* Apply one event; an undefined cell leaves the state and returns false. */
static bool
side_apply(struct side *s, enum side_event ev)
{
	uint8_t next = side_next[ev][s->state];

	if (next == TS_UNSET)
		return false;
	s->state = next;
	return true;
}

uint32_t
side_window(const struct side *s, const struct side *peer, uint16_t win_raw)
{
	/* RFC 7323 2.2: scaling is in force only when both SYNs carried the
	 * option; before that (or without both SYNs) the field is taken raw. */
	if ((s->flags & SIDE_WSCALE) && (peer->flags & SIDE_WSCALE))
		return (uint32_t)win_raw << s->wscale;
	return win_raw;
}

static void
take_syn_options(struct side *s, const struct segment *seg)
{
	const struct tcp_options *o = &seg->opt;

	s->flags &= (uint16_t)~(SIDE_WSCALE | SIDE_SACK_PERM | SIDE_TS | SIDE_MSS | SIDE_TFO);
	if (o->present & TCPOPT_HAVE_WSCALE) {
		s->flags |= SIDE_WSCALE;
		s->wscale = o->wscale;
	} else {
		s->wscale = 0;
	}
	if (o->present & TCPOPT_HAVE_SACK_PERM)
		s->flags |= SIDE_SACK_PERM;
	if (o->present & TCPOPT_HAVE_TS)
		s->flags |= SIDE_TS;
	if (o->present & TCPOPT_HAVE_TFO)
		s->flags |= SIDE_TFO;
	if (o->present & TCPOPT_HAVE_MSS) {
		s->flags |= SIDE_MSS;
		s->mss = o->mss;
	}
}

/* RFC 793 3.4 / RFC 5961 3: is this RST acceptable to the receiver? */
static void
check_rst(const struct side *snd, const struct side *rcv, const struct side_ext *sx,
    const struct segment *seg, struct track_result *tr)
{
	uint32_t rcv_nxt, win;

	if (rcv->state == TS_SYN_SENT) {
		/* In SYN_SENT a RST is acceptable only if it acks our SYN. */
		tr->rst_window_known = true;
		tr->rst_in_window = (seg->flags & TCP_ACK) && seg->ack == rcv->isn + 1;
		return;
	}
	if (!(rcv->flags & SIDE_ACKED)) {
		tr->rst_window_known = false;
		tr->rst_in_window = true;
		return;
	}
	/* RCV.NXT is what the receiver last acknowledged; its window is the
	 * one it last advertised.  Acceptable: RCV.NXT <= SEG.SEQ <
	 * RCV.NXT + RCV.WND, or SEG.SEQ = RCV.NXT when the window is zero. */
	rcv_nxt = rcv->ack_max;
	win = side_window(rcv, snd, rcv->win_raw);
	tr->rst_window_known = true;
	tr->rst_in_window = seg->seq == rcv_nxt ||
	    seq_in_range(seg->seq, rcv_nxt, rcv_nxt + win) ||
	    /* some stacks reset with their FIN's own sequence number, one
	     * below RCV.NXT once the FIN is in: taken as meant */
	    ((snd->flags & SIDE_FIN) && sx != NULL && seg->seq == sx->fin_seq);
}

/* Simultaneous close seen from the middle (RFC 793 p.39, case 2): the
 * capture point saw the peer's FIN first, so the sender was put in
 * CLOSE_WAIT; but its own FIN does not acknowledge the peer's, which
 * proves it was sent before that FIN arrived, i.e. from ESTABLISHED.  The
 * sender went FIN_WAIT_1 and, on the peer's FIN, CLOSING. */
static bool
fin_crossed(const struct side *snd, const struct side *rcv, const struct side_ext *rx,
    const struct segment *seg)
{
	return snd->state == TS_CLOSE_WAIT && (rcv->flags & SIDE_FIN) && rx != NULL &&
	    (!(seg->flags & TCP_ACK) || seq_lt(seg->ack, rx->fin_seq + 1));
}

/* RFC 793 p.66 (SYN-SENT): "If the ACK bit is set, if SEG.ACK =< ISS or
 * SEG.ACK > SND.NXT, send a reset <SEQ=SEG.ACK><CTL=RST>, discard the
 * segment" and stay in SYN-SENT.  A client answering a stray ACK (e.g. the
 * server's ACK for an older connection on the same 4-tuple) this way has
 * not aborted anything: it will re-send its SYN. */
static bool
rst_answers_bad_ack(const struct side *snd, const struct side *rcv, const struct segment *seg)
{
	return snd->state == TS_SYN_SENT && !(seg->flags & TCP_ACK) &&
	    (rcv->flags & SIDE_ACKED) && seg->seq == rcv->ack_max &&
	    rcv->ack_max != snd->isn + 1;
}

/* A SYN-ACK with another ISN than its sender's earlier SYN-ACK (or SYN),
 * to a peer that took the earlier one (it acknowledged that ISN: a peer
 * the capture merely presumes ESTABLISHED may have refused it and gone on
 * re-sending its SYN) and is still synchronized (ESTABLISHED up to
 * LAST_ACK): a restarted host, a second server answering a retried SYN, or
 * a middlebox.  The peer cannot take it (RFC 793 p.69: "If the SYN is in
 * the window it is an error"; RFC 5961 4.2: a challenge ACK of the old
 * numbers), so the connection goes on with the old ISN: sequence space,
 * options and states stay as they were. */
static bool
synack_new_isn(const struct side *snd, const struct side *rcv, const struct segment *seg,
    bool reopened)
{
	return (seg->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == (TCP_SYN | TCP_ACK) &&
	    (snd->flags & SIDE_SYN) && seg->seq != snd->isn && !reopened &&
	    (rcv->flags & SIDE_ACKED) && seq_gt(rcv->ack_max, snd->isn) &&
	    rcv->state >= TS_ESTABLISHED && rcv->state < TS_TIME_WAIT;
}

/* A side first heard from without a SYN was picked up mid-stream: the
 * capture started after the handshake, the SYN was lost before the capture
 * point, or the flow table forgot the connection.  Its sequence space
 * starts at this segment; window scale stays unknown (never guessed), so
 * windows are taken raw.  The peer, if also unknown, is presumed
 * ESTABLISHED: it is the only state in which data flows both ways. */
static void
pick_up_midstream(struct side *snd, struct side *rcv)
{
	snd->flags |= SIDE_MIDSTREAM;
	if (snd->state == TS_UNSET)
		snd->state = TS_ESTABLISHED;
	if (rcv->state == TS_UNSET) {
		rcv->state = TS_ESTABLISHED;
		rcv->flags |= SIDE_MIDSTREAM;
	}
}

void
tcp_track(struct side *snd, struct side *rcv, struct side_ext *sx, struct side_ext *rx,
    const struct segment *seg, struct track_result *tr)
{
	bool syn = seg->flags & TCP_SYN, fin = seg->flags & TCP_FIN;
	bool ack = seg->flags & TCP_ACK, rst = seg->flags & TCP_RST;
	uint32_t end = seq_end(seg->seq, seg->payload_len, syn, fin);
	bool ok = true;

	tr->snd_old = snd->state;
	tr->rcv_old = rcv->state;
	tr->first = !(snd->flags & SIDE_SEEN);
	tr->syn_retransmit = false;
	tr->synack_new_isn = false;
	tr->fin_retransmit = false;
	tr->retrans_bytes = 0;
	tr->prev_snd_next = snd->snd_next;
	tr->seq_was_known = snd->flags & SIDE_SEQ_KNOWN;
	tr->zero_window_probe = false;
	tr->rst_in_window = true;
	tr->rst_window_known = false;
	tr->rst_answers_bad_ack = false;
	tr->fins_crossed = false;
	tr->unexpected = false;
	tr->reopened = tcp_reopens(snd, rcv, seg);
	if (tr->reopened) {
		uint16_t over = SIDE_FIN | SIDE_FIN_ACKED | SIDE_RST | SIDE_SYNACK | SIDE_ACKED;

		snd->flags &= (uint16_t)~over;
		rcv->flags &= (uint16_t)~over;
	}

	snd->flags |= SIDE_SEEN;
	snd->packets++;
	if (sx != NULL)
		sx->bytes += seg->payload_len;
	if (synack_new_isn(snd, rcv, seg, tr->reopened)) {
		tr->synack_new_isn = true;
		goto done;
	}
	snd->win_raw = seg->win_raw;

	if (syn) {
		if ((snd->flags & SIDE_SYN) && seg->seq == snd->isn && !tr->reopened) {
			tr->syn_retransmit = true;
		} else {
			snd->isn = seg->seq;
			snd->flags |= SIDE_SYN;
			snd->flags &= (uint16_t)~(SIDE_SEQ_KNOWN | SIDE_MIDSTREAM);
		}
		if (ack)
			snd->flags |= SIDE_SYNACK;
		take_syn_options(snd, seg);
	} else if (tr->first) {
		pick_up_midstream(snd, rcv);
	}

	/* Sequence space.  Bytes below what the side already sent are sent
	 * again, except a keep-alive: 0 or 1 byte at snd_next - 1 (RFC 1122
	 * 4.2.3.6), which is a probe, not a retransmission.  One byte at
	 * snd_next into a window the receiver closed is a zero-window probe
	 * (RFC 9293 3.8.6.1): it does not advance snd_next, which is what
	 * Wireshark does too, so a repeated probe is not a retransmission. */
	if ((snd->flags & SIDE_SEQ_KNOWN) && seg->payload_len == 1 && seg->seq == snd->snd_next &&
	    (rcv->flags & SIDE_SEEN) && rcv->win_raw == 0 && !(seg->flags & (TCP_SYN | TCP_FIN)))
		tr->zero_window_probe = true;
	/* A RST refusing a stray ACK carries that ACK as its sequence number
	 * (RFC 793 p.66), not the sender's: it says nothing of its sequence
	 * space.  Nor does a RST the receiver must ignore (out of its
	 * window: stale, or injected by a third party). */
	if (rst && !rst_answers_bad_ack(snd, rcv, seg))
		check_rst(snd, rcv, sx, seg, tr);
	if (rst && (rst_answers_bad_ack(snd, rcv, seg) ||
	    (tr->rst_window_known && !tr->rst_in_window))) {
		/* no sequence update */
	} else if (!(snd->flags & SIDE_SEQ_KNOWN)) {
		snd->snd_next = end;
		snd->flags |= SIDE_SEQ_KNOWN;
	} else {
		if (seg->payload_len > 0 && seq_lt(seg->seq, snd->snd_next) &&
		    !(seg->payload_len <= 1 && seg->seq == snd->snd_next - 1)) {
			uint32_t data_start = seg->seq + (uint32_t)syn;
			uint32_t data_end = data_start + seg->payload_len;
			uint32_t old_end = seq_min(data_end, snd->snd_next);

			if (seq_gt(old_end, data_start))
				tr->retrans_bytes = (uint32_t)seq_diff(old_end, data_start);
			if (sx != NULL)
				sx->retrans_bytes =
				    sx->retrans_bytes > UINT32_MAX - tr->retrans_bytes ?
				    UINT32_MAX : sx->retrans_bytes + tr->retrans_bytes;
		}
		if (seq_gt(end, snd->snd_next) && !tr->zero_window_probe)
			snd->snd_next = end;
	}

	if (fin && sx != NULL) {
		uint32_t fseq = seg->seq + (uint32_t)syn + seg->payload_len;

		if ((snd->flags & SIDE_FIN) && fseq == sx->fin_seq)
			tr->fin_retransmit = true;
		sx->fin_seq = fseq;
		snd->flags |= SIDE_FIN;
	}

	if (ack) {
		/* A SYN-ACK starts the synchronized state: whatever it acks
		 * replaces an earlier value, which may be a stray ACK's from an
		 * older connection on the 4-tuple (and could sit more than 2^31
		 * "ahead", hiding every later ACK). */
		if (!(snd->flags & SIDE_ACKED) || syn || seq_gt(seg->ack, snd->ack_max))
			snd->ack_max = seg->ack;
		snd->flags |= SIDE_ACKED;
	}

	/* The sender's own events, in precedence order. */
	if (rst && rst_answers_bad_ack(snd, rcv, seg)) {
		tr->rst_answers_bad_ack = true;	/* not SIDE_RST: nothing closed */
		goto done;
	}
	if (rst && tr->rst_window_known && !tr->rst_in_window) {
		/* The receiver ignores it, and its sender goes on if it was
		 * not the peer at all (injected: real-teardown.pcap frame 67,
		 * after which both sides close with FINs): no state changes,
		 * as for its sequence number above. */
		goto done;
	}
	if (rst) {
		snd->flags |= SIDE_RST;
		ok &= side_apply(snd, EV_SENT_RST);
		if (tr->rst_in_window && rcv->state != TS_LISTEN)
			ok &= side_apply(rcv, EV_GOT_RST);
		goto done;	/* a RST carries no other state change */
	}
	if (syn && !ack)
		ok &= side_apply(snd, EV_SENT_SYN);
	if (syn && ack)
		ok &= side_apply(snd, EV_SENT_SYNACK);
	if (!syn && ack && (rcv->flags & SIDE_SYN) && snd->state == TS_SYN_SENT &&
	    seq_ge(seg->ack, rcv->isn + 1))
		ok &= side_apply(snd, EV_SENT_ACK_OF_SYN);
	if (fin && !tr->fin_retransmit && fin_crossed(snd, rcv, rx, seg)) {
		snd->state = TS_CLOSING;
		tr->fins_crossed = true;
	} else if (fin)
		ok &= side_apply(snd, EV_SENT_FIN);

	/* What reached the receiver. */
	if (syn && !ack)
		ok &= side_apply(rcv, EV_GOT_SYN);
	if (syn && ack && (rcv->flags & SIDE_SYN) && seg->ack == rcv->isn + 1)
		ok &= side_apply(rcv, EV_GOT_SYNACK);
	if (!syn && ack && rcv->state == TS_SYN_RECEIVED && (rcv->flags & SIDE_SYN) &&
	    seq_ge(seg->ack, rcv->isn + 1))
		ok &= side_apply(rcv, EV_GOT_ACK_OF_SYN);
	if (ack && (rcv->flags & SIDE_FIN) && !(rcv->flags & SIDE_FIN_ACKED) && rx != NULL &&
	    seq_ge(seg->ack, rx->fin_seq + 1)) {
		rcv->flags |= SIDE_FIN_ACKED;
		ok &= side_apply(rcv, EV_GOT_ACK_OF_FIN);
	}
	if (fin && !tr->fin_retransmit) {
		if (rcv->state == TS_FIN_WAIT_1)
			tr->fins_crossed = true;	/* their FIN before our FIN's ACK */
		ok &= side_apply(rcv, EV_GOT_FIN);
	}
done:
	tr->unexpected = !ok;
	tr->snd_new = snd->state;
	tr->rcv_new = rcv->state;
}
