/* detect_teardown.c: teardown detectors: connection_reset (a RST on a
 * synchronized or closing connection, with the phase and who sent it),
 * rst_out_of_window (a RST the receiver must ignore), simultaneous_close,
 * and close_wait_stuck (a side that does not close after its peer's FIN
 * was acknowledged). */
#include "config.h"

#include "analysis_int.h"

#include <inttypes.h>

static double
secs(int64_t ns)
{
	return (double)ns / 1e9;
}

static const char *
side_name(const struct conn *c, unsigned i)
{
	return i == c->client ? "client" : "server";
}

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

/* ---- close_wait_stuck ------------------------------------------------- */

/* A time since the connection's start in 32 bits: microseconds for the
 * first 2^31 of them (35 minutes), then milliseconds (24 days more). */
#define TIME32_MS	0x80000000u

static uint32_t
time32(int64_t ns)
{
	if (ns < 0)
		ns = 0;
	if (ns / 1000 < TIME32_MS)
		return (uint32_t)(ns / 1000);
	return ns / 1000000 < TIME32_MS ? TIME32_MS | (uint32_t)(ns / 1000000) : UINT32_MAX;
}

static int64_t
time32_ns(uint32_t t)
{
	return t & TIME32_MS ? (int64_t)(t & ~TIME32_MS) * 1000000 : (int64_t)t * 1000;
}

/* When side f's FIN was acknowledged (its extension fx). */
static int64_t
fin_ack_ns(const struct conn *c, const struct side_ext *fx)
{
	return c->start_ns + time32_ns(fx->fin_ack_t);
}

/* Data the side in CLOSE_WAIT (w) sent since it acknowledged its peer's
 * FIN: new sequence space, less its own FIN. */
static uint32_t
close_wait_bytes(const struct side *w, const struct side_ext *fin_side)
{
	int32_t d = seq_diff(w->snd_next, fin_side->peer_next_at_fin_ack);

	if (w->flags & SIDE_FIN)
		d--;
	return d > 0 ? (uint32_t)d : 0;
}

/* The part of a close_wait_stuck event shared by the two ways of proving
 * it: w (index) has been in CLOSE_WAIT since it acknowledged the FIN of
 * its peer, whose extension is f. */
static void
close_wait_detail(struct event *ev, const struct conn *c, unsigned w, const struct side_ext *f,
    int64_t seconds_ns, int64_t timeout_ns)
{
	event_detail_str(ev, "side", side_name(c, w));
	event_detail_uint(ev, "fin_frame", f->nextseq_frame);
	event_detail_uint(ev, "fin_ack_frame", f->fin_ack_frame);
	event_detail_double(ev, "seconds", secs(seconds_ns));
	event_detail_double(ev, "timeout", secs(timeout_ns));
	event_detail_uint(ev, "data_bytes", close_wait_bytes(&c->side[w], f));
}

/* close_wait_stuck, proved by a packet: one side's FIN was acknowledged
 * and, at least --close-wait-timeout after that ACK, a packet of the
 * connection (from either side) shows the other side still in CLOSE_WAIT
 * (this packet may be its FIN or RST, late: it closed only now).  The time
 * is counted from the ACK, which proves the FIN had arrived: a lower bound
 * of the time in CLOSE_WAIT.  Once per FIN. */
static void
detect_close_wait(const struct seg_ctx *sc)
{
	const struct track_result *tr = sc->tr;
	int64_t timeout = analysis_config(sc->a)->close_wait_timeout_ns;
	unsigned i;

	if (sc->sx == NULL)
		return;
	for (i = 0; i < 2; i++) {
		/* i: the side whose FIN was acknowledged; w the other */
		unsigned f = i == 0 ? sc->dir : !sc->dir, w = !f;
		struct side_ext *fx = f == sc->dir ? sc->sx : sc->rx;
		uint8_t w_old = w == sc->dir ? tr->snd_old : tr->rcv_old;
		const char *what, *wn = side_name(sc->c, w);
		struct event ev;
		int64_t stayed;

		if (fx->fin_ack_frame == 0 || (fx->sflags & SX_CW_REPORTED) ||
		    w_old != TS_CLOSE_WAIT || sc->frame == fx->fin_ack_frame)
			continue;
		stayed = sc->ts_ns - fin_ack_ns(sc->c, fx);
		if (stayed < timeout)
			continue;
		fx->sflags |= SX_CW_REPORTED;
		if (sc->seg->flags & TCP_RST)
			what = "rst";
		else if (sc->seg->flags & TCP_FIN)
			what = "fin";
		else if (sc->seg->payload_len > 0)
			what = "data";
		else
			what = "ack";
		seg_event(&ev, EVK_CLOSE_WAIT_STUCK, sc);
		if (w == sc->dir && (sc->seg->flags & (TCP_FIN | TCP_RST)))
			event_message(&ev, "%s closed (%s) only %.3f s after acknowledging the "
			    "%s's FIN (frames %u, %u); %u bytes sent in between", wn,
			    sc->seg->flags & TCP_RST ? "RST" : "FIN", secs(stayed),
			    side_name(sc->c, f), fx->nextseq_frame, fx->fin_ack_frame,
			    close_wait_bytes(&sc->c->side[w], fx));
		else
			event_message(&ev, "%s still in CLOSE_WAIT %.3f s after acknowledging the "
			    "%s's FIN (frames %u, %u); %u bytes sent since, no FIN", wn,
			    secs(stayed), side_name(sc->c, f), fx->nextseq_frame, fx->fin_ack_frame,
			    close_wait_bytes(&sc->c->side[w], fx));
		close_wait_detail(&ev, sc->c, w, fx, stayed, timeout);
		event_detail_str(&ev, "evidence", "packet");
		event_detail_str(&ev, "packet", what);
		analysis_emit(sc->a, sc->c, &ev);
	}
}

/* close_wait_stuck, proved by silence: the connection leaves the table
 * (end of input, idle timeout, eviction, a new SYN on its 4-tuple) with a
 * side still in CLOSE_WAIT --close-wait-timeout or more after it
 * acknowledged its peer's FIN, and no FIN from it in the capture up to
 * then.  A stuck application and a host that vanished look the same
 * here; the detail says which proof it is.  Reported at the connection's
 * last frame. */
static void
close_wait_at_end(struct analysis *a, struct conn *c, struct conn_ext *x, enum flow_end why)
{
	int64_t timeout = analysis_config(a)->close_wait_timeout_ns;
	int64_t now = analysis_teardown(a)->now_ns;
	unsigned f;

	if (x == NULL)
		return;
	for (f = 0; f < 2; f++) {
		struct side_ext *fx = &x->side[f];
		unsigned w = !f;
		struct event ev;
		int64_t stayed;
		const char *until;

		if (fx->fin_ack_frame == 0 || (fx->sflags & SX_CW_REPORTED) ||
		    c->side[w].state != TS_CLOSE_WAIT || now == INT64_MIN)
			continue;
		stayed = now - fin_ack_ns(c, fx);
		if (stayed < timeout)
			continue;
		fx->sflags |= SX_CW_REPORTED;
		until = why == FLOW_END_INPUT ? "end_of_capture" : why == FLOW_END_REUSED ?
		    "new_syn" : why == FLOW_END_IDLE ? "idle_timeout" : "evicted";
		event_init(&ev, EVK_CLOSE_WAIT_STUCK, c->last_frame, c->last_ns);
		ev.stream = c->stream;
		ev.has_stream = true;
		ev.has_src = true;
		conn_endpoint(c, w, &ev.src);
		conn_endpoint(c, f, &ev.dst);
		event_message(&ev, "%s still in CLOSE_WAIT %.3f s after acknowledging the %s's "
		    "FIN (frames %u, %u) when the capture %s; no FIN from it seen", side_name(c, w),
		    secs(stayed), side_name(c, f), fx->nextseq_frame, fx->fin_ack_frame,
		    why == FLOW_END_INPUT ? "ended" : "stopped following it");
		close_wait_detail(&ev, c, w, fx, stayed, timeout);
		event_detail_str(&ev, "evidence", "no_fin_until");
		event_detail_str(&ev, "until", until);
		analysis_emit(a, c, &ev);
	}
}

/* ---- bookkeeping ------------------------------------------------------- */

/* What the teardown detectors keep per side: the frame and time of its
 * FIN's acknowledgement and the peer's snd_next then, and the newest
 * TSval (for the tombstone, flow_prev_of()). */
static void
track_teardown(const struct seg_ctx *sc)
{
	struct side_ext *sx = sc->sx, *rx = sc->rx;
	const struct segment *seg = sc->seg;

	if (sx == NULL)
		return;
	if ((sc->rcv->flags & SIDE_FIN_ACKED) && rx->fin_ack_frame == 0 &&
	    (rx->sflags & SX_DATA_SEEN)) {
		rx->fin_ack_frame = (uint32_t)sc->frame;
		rx->fin_ack_t = time32(sc->ts_ns - sc->c->start_ns);
		rx->peer_next_at_fin_ack = sc->tr->seq_was_known ? sc->tr->prev_snd_next :
		    seg->seq;
	}
	if ((seg->opt.present & TCPOPT_HAVE_TS) &&
	    (!(sx->sflags & SX_TS_RECENT) || seq_gt(seg->opt.tsval, sx->ts_recent))) {
		sx->ts_recent = seg->opt.tsval;
		sx->sflags |= SX_TS_RECENT;
	}
}

void
detect_teardown(const struct seg_ctx *sc)
{
	struct analysis_teardown *td = analysis_teardown(sc->a);

	if (sc->ts_ns > td->now_ns)
		td->now_ns = sc->ts_ns;
	track_teardown(sc);
	detect_reset(sc);
	detect_simultaneous_close(sc);
	detect_close_wait(sc);
}

void
detect_teardown_end(struct analysis *a, struct conn *c, struct conn_ext *x, enum flow_end why)
{
	close_wait_at_end(a, c, x, why);
}
