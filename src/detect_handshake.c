/* detect_handshake.c: handshake and listen-queue detectors.  For now:
 * connection_refused (a RST answering a SYN). */
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

void
detect_handshake(const struct seg_ctx *sc)
{
	detect_refused(sc);
}
