/* detect_handshake.c: handshake and listen-queue detectors.  For now:
 * connection_refused (a RST answering a SYN) and accept_overflow_rst (a
 * listener resetting a connection it just completed: full accept queue
 * with tcp_abort_on_overflow=1). */
#include "config.h"

#include "analysis_int.h"

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
	after = (double)(sc->ts_ns - sc->c->start_ns) / 1e9;
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
	    sc->snd->bytes != 0)
		return;
	/* Not the first reset of this server, or one answering the client's
	 * FIN: a request socket reset on FIN is an embryonic reset, not an
	 * overflow (tcp_check_req). */
	if (sc->tr->snd_old == TS_CLOSED || (sc->rcv->flags & SIDE_FIN))
		return;
	c->cflags |= CONN_OVERFLOW_RST;
	hs_done_ns = c->start_ns + (c->synack_us ? (int64_t)(c->synack_us - 1) * 1000 : 0) +
	    (c->ack_us ? (int64_t)(c->ack_us - 1) * 1000 : 0);
	after = (double)(sc->ts_ns - hs_done_ns) / 1e9;
	seg_event(&ev, EVK_ACCEPT_OVERFLOW_RST, sc);
	event_message(&ev, "server reset the connection %.6f s after the handshake completed, "
	    "before sending anything (accept queue full, tcp_abort_on_overflow=1)", after);
	event_detail_double(&ev, "seconds_after_handshake", after);
	event_detail_uint(&ev, "rst_seq", seg->seq);
	event_detail_uint(&ev, "client_bytes_sent", sc->rcv->bytes);
	event_detail_str(&ev, "variant", "rst");
	analysis_emit(sc->a, c, &ev);
}

void
detect_handshake(const struct seg_ctx *sc)
{
	detect_refused(sc);
	detect_accept_overflow_rst(sc);
}
