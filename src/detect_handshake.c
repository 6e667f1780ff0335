/* detect_handshake.c: handshake and listen-queue detectors:
 * connection_refused (a RST answering a SYN), accept_overflow_rst (a
 * listener resetting a connection it just completed: full accept queue
 * with tcp_abort_on_overflow=1), syn_retransmit, synack_retransmit,
 * simultaneous_open and, when a connection ends, syn_unanswered. */
#include "config.h"

#include "analysis_int.h"

/* A duration in ns as seconds, for messages and details. */
static double
secs(int64_t ns)
{
	return (double)ns / 1e9;
}

/* connection_refused: the peer of a side in SYN_SENT answers with an
 * acceptable RST (RFC 793 p.66: a closed port answers a SYN with
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; acceptable means it acks the
 * SYN, RFC 793 p.67) before it ever sent a SYN-ACK. */
static void
detect_refused(const struct seg_ctx *sc)
{
	struct event ev;
	double after;

	if (!(sc->seg->flags & TCP_RST) || sc->tr->rcv_old != TS_SYN_SENT)
		return;
	if ((sc->snd->flags & SIDE_SYNACK) || !sc->tr->rst_in_window)
		return;
	if (sc->c->cflags & CONN_REFUSED)
		return;
	analysis_note_refused(sc);
	after = secs(sc->ts_ns - sc->c->start_ns);
	seg_event(&ev, EVK_CONNECTION_REFUSED, sc);
	event_message(&ev,
	    "RST answered the SYN to port %u after %u SYN%s (%.6f s after the first)",
	    sc->seg->src.port, sc->rcv->packets, sc->rcv->packets == 1 ? "" : "s", after);
	event_detail_uint(&ev, "syn_attempts", sc->rcv->packets);
	event_detail_double(&ev, "seconds_after_syn", after);
	event_detail_uint(&ev, "syn_seq", sc->rcv->isn);
	analysis_emit(sc->a, sc->c, &ev);
}

/* accept_overflow_rst: with net.ipv4.tcp_abort_on_overflow=1 a Linux
 * listener whose accept queue is full answers the handshake's final ACK
 * with a reset instead of a socket (tcp_check_req -> listen overflow ->
 * tcp_v4_send_reset).  RFC 793's reset for a segment that carries an ACK
 * is <SEQ=SEG.ACK><CTL=RST>: no ACK flag, sequence number the server's
 * ISN + 1, and nothing sent by the server since its SYN-ACK (nor a FIN
 * from the client, which a request socket answers with a reset too).  A socket
 * that was accepted and then aborted would reset with ACK set.  Further
 * resets (one per client segment already in flight) are the same
 * incident and are not reported again, neither here nor as
 * connection_reset. */
static void
detect_accept_overflow_rst(const struct seg_ctx *sc)
{
	const struct segment *seg = sc->seg;
	struct conn *c = sc->c;
	struct event ev;
	double after;
	int64_t hs_done_ns;

	if ((seg->flags & (TCP_RST | TCP_ACK)) != TCP_RST || sc->from_client)
		return;
	if ((c->cflags & (CONN_HS_COMPLETE | CONN_OVERFLOW_RST)) != CONN_HS_COMPLETE)
		return;
	if (!(sc->snd->flags & SIDE_SYNACK) || seg->seq != sc->snd->isn + 1 ||
	    (sc->sx != NULL && sc->sx->bytes != 0))
		return;
	/* Not the first reset of this server, or one answering the client's
	 * FIN: a request socket reset on FIN is an embryonic reset, not an
	 * overflow (tcp_check_req). */
	if (sc->tr->snd_old == TS_CLOSED || (sc->rcv->flags & SIDE_FIN))
		return;
	c->cflags |= CONN_OVERFLOW_RST;
	hs_done_ns = c->start_ns + (c->synack_us ? (int64_t)(c->synack_us - 1) * 1000 : 0) +
	    (c->ack_us ? (int64_t)(c->ack_us - 1) * 1000 : 0);
	after = secs(sc->ts_ns - hs_done_ns);
	seg_event(&ev, EVK_ACCEPT_OVERFLOW_RST, sc);
	event_message(&ev, "server reset the connection %.6f s after the handshake completed, "
	    "before sending anything (accept queue full, tcp_abort_on_overflow=1)", after);
	event_detail_double(&ev, "seconds_after_handshake", after);
	event_detail_uint(&ev, "rst_seq", seg->seq);
	event_detail_uint(&ev, "client_bytes_sent", sc->rx != NULL ? sc->rx->bytes : 0);
	event_detail_str(&ev, "variant", "rst");
	analysis_emit(sc->a, c, &ev);
}

/* syn_retransmit: the client sent its SYN again with the same ISN (RFC 6298
 * 5.5: the retransmission timer doubles; Linux re-sends after 1 s, then
 * backs off, possibly after net.ipv4.tcp_syn_linear_timeouts linear 1 s
 * retries on recent kernels).  The interval is from the connection's
 * previous packet, which before any answer is the previous SYN. */
static void
detect_syn_retransmit(const struct seg_ctx *sc)
{
	struct event ev;
	double since_prev, since_first;

	if (!sc->from_client || (sc->seg->flags & (TCP_SYN | TCP_ACK)) != TCP_SYN ||
	    !sc->tr->syn_retransmit)
		return;
	since_prev = secs(sc->ts_ns - sc->c->last_ns);
	since_first = secs(sc->ts_ns - sc->c->start_ns);
	seg_event(&ev, EVK_SYN_RETRANSMIT, sc);
	event_message(&ev, "client re-sent its SYN (attempt %u, %.3f s after the previous packet, "
	    "%.3f s after the first)", sc->c->syn_tx, since_prev, since_first);
	event_detail_uint(&ev, "attempt", sc->c->syn_tx);
	event_detail_double(&ev, "interval", since_prev);
	event_detail_double(&ev, "since_first", since_first);
	event_detail_uint(&ev, "isn", sc->seg->seq);
	analysis_emit(sc->a, sc->c, &ev);
}

/* synack_retransmit: the server sent its SYN-ACK again with the same ISN:
 * it did not see the client's final ACK (loss, or a listener that keeps
 * the request and re-sends on net.ipv4.tcp_synack_retries' schedule: 1, 2,
 * 4, 8, 16 s).  A SYN-ACK that answers a retransmitted SYN is counted too:
 * Linux answers each SYN copy. */
static void
detect_synack_retransmit(const struct seg_ctx *sc)
{
	struct conn *c = sc->c;
	struct event ev;
	int64_t now_us = (sc->ts_ns - c->start_ns) / 1000;
	double since_prev, since_first;

	if (sc->from_client || (sc->seg->flags & (TCP_SYN | TCP_ACK)) != (TCP_SYN | TCP_ACK))
		return;
	if (sc->tr->syn_retransmit && c->last_synack_us) {
		/* without the client's SYN the connection began with the
		 * first SYN-ACK */
		since_prev = (double)(now_us - (int64_t)(c->last_synack_us - 1)) / 1e6;
		since_first = (double)(now_us - (c->synack_us ? (int64_t)(c->synack_us - 1) : 0)) /
		    1e6;
		seg_event(&ev, EVK_SYNACK_RETRANSMIT, sc);
		event_message(&ev, "server re-sent its SYN-ACK (attempt %u, %.3f s after the "
		    "previous, %.3f s after the first)", c->synack_tx, since_prev, since_first);
		event_detail_uint(&ev, "attempt", c->synack_tx);
		event_detail_double(&ev, "interval", since_prev);
		event_detail_double(&ev, "since_first", since_first);
		event_detail_uint(&ev, "isn", sc->seg->seq);
		event_detail_bool(&ev, "client_acked", (c->cflags & CONN_HS_COMPLETE) != 0);
		analysis_emit(sc->a, c, &ev);
	}
	c->last_synack_us = us_plus_one(sc->ts_ns - c->start_ns);
}

/* simultaneous_open: both sides sent a SYN without ACK (RFC 793 p.32):
 * each then answers with a SYN-ACK that repeats its own ISN, which is not
 * a retransmission.  Reported once, at the second SYN. */
static void
detect_simultaneous_open(const struct seg_ctx *sc)
{
	struct event ev;

	if ((sc->seg->flags & (TCP_SYN | TCP_ACK)) != TCP_SYN || (sc->c->cflags & CONN_SIMOPEN))
		return;
	if (sc->tr->snd_old != TS_LISTEN || !(sc->rcv->flags & SIDE_SYN) ||
	    (sc->rcv->flags & SIDE_SYNACK))
		return;
	sc->c->cflags |= CONN_SIMOPEN;
	seg_event(&ev, EVK_SIMULTANEOUS_OPEN, sc);
	event_message(&ev, "both sides sent a SYN (simultaneous open)");
	event_detail_uint(&ev, "isn", sc->seg->seq);
	event_detail_uint(&ev, "peer_isn", sc->rcv->isn);
	analysis_emit(sc->a, sc->c, &ev);
}

void
detect_handshake(const struct seg_ctx *sc)
{
	detect_refused(sc);
	detect_accept_overflow_rst(sc);
	detect_syn_retransmit(sc);
	detect_synack_retransmit(sc);
	detect_simultaneous_open(sc);
}

/* syn_unanswered: the connection ends (or the input does) with its SYN,
 * and any retries, never answered by a SYN-ACK or a RST. */
void
detect_handshake_end(struct analysis *a, struct conn *c)
{
	const struct side *cl = &c->side[c->client], *sv = &c->side[!c->client];
	struct endpoint src, dst;
	struct event ev;
	double waited;

	if (c->syn_tx == 0 || (sv->flags & SIDE_SEEN) || !(cl->flags & SIDE_SYN) ||
	    (cl->flags & SIDE_SYNACK))
		return;
	waited = secs(c->last_ns - c->start_ns);
	analysis_endpoint(a, c, c->client, &src);
	analysis_endpoint(a, c, !c->client, &dst);
	event_init(&ev, EVK_SYN_UNANSWERED, c->last_frame, c->last_ns);
	ev.stream = c->stream;
	ev.has_stream = true;
	ev.has_src = true;
	ev.src = src;
	ev.dst = dst;
	event_message(&ev, "%u SYN%s over %.3f s, no SYN-ACK or RST seen", c->syn_tx,
	    c->syn_tx == 1 ? "" : "s", waited);
	event_detail_uint(&ev, "attempts", c->syn_tx);
	event_detail_double(&ev, "seconds", waited);
	event_detail_uint(&ev, "first_frame", c->first_frame);
	analysis_emit(a, c, &ev);
}
