/* detect_teardown.c: teardown and reuse detectors.  For now:
 * connection_reset (a RST on a synchronized or closing connection, with
 * the phase and who sent it), rst_out_of_window (a RST the receiver must
 * ignore) and simultaneous_close. */
#include "config.h"

#include "analysis_int.h"

#include <inttypes.h>

static const char *
reset_phase(uint8_t state)
{
	switch (state) {
	case TS_SYN_SENT:
	case TS_SYN_RECEIVED:
		return "handshake";
	case TS_ESTABLISHED:
		return "established";
	case TS_TIME_WAIT:
		return "time_wait";
	case TS_UNSET:
		return "unknown";	/* the capture began with this RST */
	default:
		return "closing";
	}
}

/* rst_out_of_window: a RST the receiver must ignore (RFC 793 3.4, RFC 5961
 * 3): in SYN-SENT one that does not acknowledge the SYN (without the ACK
 * flag, or with another ack: RFC 793 p.67), otherwise one whose sequence
 * number is outside [RCV.NXT, RCV.NXT + RCV.WND), RCV.NXT being what the
 * receiver last acknowledged and RCV.WND the window it last advertised.
 * Nothing is closed by it; it is a stale segment, a confused middlebox, or
 * an injection attempt. */
static void
report_rst_out_of_window(const struct seg_ctx *sc, const char *by, const char *phase)
{
	const struct segment *seg = sc->seg;
	struct event ev;

	seg_event(&ev, EVK_RST_OUT_OF_WINDOW, sc);
	if (sc->tr->rcv_old == TS_SYN_SENT && !(seg->flags & TCP_ACK)) {
		event_message(&ev, "%s sent a RST without the ACK flag to a SYN (ISN %u): "
		    "not acceptable in SYN-SENT, where a RST must acknowledge the SYN "
		    "(RFC 793 3.4)", by, sc->rcv->isn);
		event_detail_uint(&ev, "expected_ack", (uint32_t)(sc->rcv->isn + 1));
	} else if (sc->tr->rcv_old == TS_SYN_SENT) {
		event_message(&ev, "%s sent a RST acknowledging %u, not the SYN (expected %u): "
		    "not acceptable in SYN-SENT (RFC 793 3.4)", by, seg->ack,
		    (uint32_t)(sc->rcv->isn + 1));
		event_detail_uint(&ev, "expected_ack", (uint32_t)(sc->rcv->isn + 1));
	} else {
		event_message(&ev, "%s sent a RST with seq %u outside the receiver's window "
		    "starting at %u: not acceptable (RFC 793 3.4, RFC 5961)", by, seg->seq,
		    sc->rcv->ack_max);
		event_detail_uint(&ev, "expected_seq", sc->rcv->ack_max);
	}
	event_detail_str(&ev, "by", by);
	event_detail_str(&ev, "phase", phase);
	event_detail_uint(&ev, "seq", seg->seq);
	event_detail_uint(&ev, "ack", seg->ack);	/* the raw field, even without
							 * the ACK flag */
	event_detail_bool(&ev, "ack_flag", (seg->flags & TCP_ACK) != 0);
	analysis_emit(sc->a, sc->c, &ev);
}

/* connection_reset: the first RST a side sends once the connection is past
 * the SYN (a RST answering a bare SYN is connection_refused instead).
 * Later RSTs from an already reset side (one per segment still in flight)
 * are the same incident and are not reported again. */
static void
detect_reset(const struct seg_ctx *sc)
{
	const struct track_result *tr = sc->tr;
	struct event ev;
	const char *by = sc->from_client ? "client" : "server";
	const char *phase;

	if (!(sc->seg->flags & TCP_RST) || tr->snd_old == TS_CLOSED)
		return;
	if (tr->rst_answers_bad_ack)
		return;		/* refuses a stray ACK, aborts nothing */
	if (sc->c->cflags & (CONN_REFUSED | CONN_OVERFLOW_RST))
		return;		/* reported as what it is */
	if (tr->snd_old == TS_LISTEN || tr->snd_old == TS_UNSET) {
		/* The RST is the sender's first word: it answers a SYN
		 * (handled as refused) or the capture missed the rest. */
		if (tr->rcv_old == TS_SYN_SENT) {
			if (tr->rst_window_known && !tr->rst_in_window)
				report_rst_out_of_window(sc, by, "handshake");
			return;
		}
	}
	phase = reset_phase(tr->snd_old);
	if (tr->rst_window_known && !tr->rst_in_window) {
		report_rst_out_of_window(sc, by, phase);
		return;
	}
	seg_event(&ev, EVK_CONNECTION_RESET, sc);
	event_message(&ev, "%s reset the connection (%s)", by, phase);
	event_detail_str(&ev, "by", by);
	event_detail_str(&ev, "phase", phase);
	event_detail_str(&ev, "sender_state", tcp_state_name(tr->snd_old));
	if (tr->rst_window_known)
		event_detail_bool(&ev, "in_window", true);	/* else reported above */
	else
		event_detail_str(&ev, "in_window", "unknown");
	event_detail_uint(&ev, "seq", sc->seg->seq);
	if (sc->rcv->flags & SIDE_ACKED)
		event_detail_uint(&ev, "expected_seq", sc->rcv->ack_max);
	event_detail_uint(&ev, "payload_bytes", sc->seg->payload_len);
	analysis_emit(sc->a, sc->c, &ev);
}

/* simultaneous_close: both sides sent a FIN before seeing the other's
 * (RFC 793 p.39 case 2): each goes FIN_WAIT_1 -> CLOSING -> TIME_WAIT, so
 * both ends hold a TIME_WAIT entry.  Shown by a FIN that does not
 * acknowledge the peer's FIN, or by a FIN that reaches a side still
 * waiting for its own FIN to be acknowledged. */
static void
detect_simultaneous_close(const struct seg_ctx *sc)
{
	struct event ev;

	if (!sc->tr->fins_crossed || (sc->c->cflags & CONN_SIMCLOSE))
		return;
	sc->c->cflags |= CONN_SIMCLOSE;
	seg_event(&ev, EVK_SIMULTANEOUS_CLOSE, sc);
	event_message(&ev, "both sides sent a FIN before seeing the other's "
	    "(simultaneous close: both will hold TIME_WAIT)");
	if (sc->sx != NULL) {	/* always: a FIN brings the extension */
		event_detail_uint(&ev, "fin_seq", sc->sx->fin_seq);
		event_detail_uint(&ev, "peer_fin_seq", sc->rx->fin_seq);
	}
	analysis_emit(sc->a, sc->c, &ev);
}

void
detect_teardown(const struct seg_ctx *sc)
{
	detect_reset(sc);
	detect_simultaneous_close(sc);
}
