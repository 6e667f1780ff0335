/* detect_teardown.c: teardown and reuse detectors: connection_reset (a
 * RST on a synchronized or closing connection, with the phase and who sent
 * it), rst_out_of_window (a RST the receiver must ignore),
 * simultaneous_close, close_wait_stuck (a side that does not close after
 * its peer's FIN was acknowledged), and, for a SYN on a 4-tuple an earlier
 * connection used, time_wait_reuse (that connection's active closer still
 * in TIME_WAIT: was the SYN acceptable to it, and what did it answer?) or
 * port_reuse. */
#include "config.h"

#include "analysis_int.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* How long a time_wait_reuse waits for the TIME_WAIT side's answer and
 * the client's reaction to it (a refused client re-sends its SYN after
 * its 1 s initial RTO) before it is reported with what was seen. */
#define REUSE_WAIT_NS	3000000000LL

/* Linux's PAWS window (TCP_PAWS_WINDOW): a TSval at most this much older
 * than TS.Recent still passes (RFC 7323 5.3 asks for "not older"). */
#define PAWS_WINDOW	1

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

/* Start a close_wait_stuck event, the same for the two ways of proving
 * it: w (index) has been in CLOSE_WAIT since it acknowledged the FIN of
 * its peer (index !w, extension f).  The event names the frame of that
 * ACK, where the side entered CLOSE_WAIT (from w to its peer), though it
 * is decided later, at timeout_frame, when the timeout has passed; its
 * time is the ACK's as the extension keeps it (to the microsecond within
 * 35 minutes of the connection's start, to the millisecond after). */
static void
close_wait_event(struct event *ev, struct analysis *a, const struct conn *c, unsigned w,
    const struct side_ext *f, int64_t seconds_ns, uint64_t timeout_frame)
{
	event_init(ev, EVK_CLOSE_WAIT_STUCK, f->fin_ack_frame, fin_ack_ns(c, f));
	ev->stream = c->stream;
	ev->has_stream = true;
	ev->has_src = true;
	analysis_endpoint(a, c, w, &ev->src);
	analysis_endpoint(a, c, !w, &ev->dst);
	event_detail_str(ev, "side", side_name(c, w));
	event_detail_uint(ev, "fin_frame", f->nextseq_frame);
	event_detail_uint(ev, "fin_ack_frame", f->fin_ack_frame);
	event_detail_double(ev, "seconds", secs(seconds_ns));
	event_detail_double(ev, "timeout", secs(analysis_config(a)->close_wait_timeout_ns));
	event_detail_uint(ev, "timeout_frame", timeout_frame);
	event_detail_uint(ev, "data_bytes", close_wait_bytes(&c->side[w], f));
}

/* close_wait_stuck, proved by a packet: one side's FIN was acknowledged
 * and, at least --close-wait-timeout after that ACK, a packet of the
 * connection (from either side) shows the other side still in CLOSE_WAIT
 * (this packet may be its FIN or RST, late: it closed only now).  The time
 * is counted from the ACK, which proves the FIN had arrived: a lower bound
 * of the time in CLOSE_WAIT.  Once per FIN, reported when this packet
 * shows it (live: at once), at the ACK's frame, this one as timeout_frame. */
static void
detect_close_wait(const struct seg_ctx *sc)
{
	const struct track_result *tr = sc->tr;
	int64_t timeout = analysis_config(sc->a)->close_wait_timeout_ns;
	unsigned i;

	/* the common case, every packet before any FIN is acknowledged */
	if (sc->sx == NULL || (sc->sx->fin_ack_frame == 0 && sc->rx->fin_ack_frame == 0))
		return;
	for (i = 0; i < 2; i++) {
		/* i: the side whose FIN was acknowledged; w the other */
		unsigned f = i == 0 ? sc->dir : !sc->dir, w = !f;
		struct side_ext *fx = f == sc->dir ? sc->sx : sc->rx;
		uint8_t w_old = w == sc->dir ? tr->snd_old : tr->rcv_old;
		const char *what, *wn;
		struct event ev;
		int64_t stayed;

		if (fx->fin_ack_frame == 0 || (fx->sflags & SX_CW_REPORTED) ||
		    w_old != TS_CLOSE_WAIT || sc->frame == fx->fin_ack_frame)
			continue;
		wn = side_name(sc->c, w);
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
		close_wait_event(&ev, sc->a, sc->c, w, fx, stayed, sc->frame);
		if (w == sc->dir && (sc->seg->flags & (TCP_FIN | TCP_RST)))
			event_message(&ev, "%s entered CLOSE_WAIT here (the %s's FIN: frame %u) "
			    "and closed (%s) only %.3f s later (frame %" PRIu64 "); %u bytes sent "
			    "in between", wn, side_name(sc->c, f), fx->nextseq_frame,
			    sc->seg->flags & TCP_RST ? "RST" : "FIN", secs(stayed), sc->frame,
			    close_wait_bytes(&sc->c->side[w], fx));
		else
			event_message(&ev, "%s entered CLOSE_WAIT here (the %s's FIN: frame %u), "
			    "still in it %.3f s later (frame %" PRIu64 "); %u bytes sent since, "
			    "no FIN", wn, side_name(sc->c, f), fx->nextseq_frame, secs(stayed),
			    sc->frame, close_wait_bytes(&sc->c->side[w], fx));
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
 * here; the detail says which proof it is.  At the ACK's frame, with the
 * input's latest frame then as timeout_frame. */
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
		close_wait_event(&ev, a, c, w, fx, stayed, analysis_teardown(a)->now_frame);
		event_message(&ev, "%s entered CLOSE_WAIT here (the %s's FIN: frame %u), still in "
		    "it %.3f s later when the capture %s; no FIN from it seen", side_name(c, w),
		    side_name(c, f), fx->nextseq_frame, secs(stayed),
		    why == FLOW_END_INPUT ? "ended" : "stopped following it");
		event_detail_str(&ev, "evidence", "no_fin_until");
		event_detail_str(&ev, "until", until);
		analysis_emit(a, c, &ev);
	}
}

/* ---- time_wait_reuse and port_reuse ------------------------------------ */

enum reuse_answer {
	ANSWER_NONE,		/* nothing from the TIME_WAIT side yet */
	ANSWER_SYNACK,		/* a SYN-ACK for the new SYN: accepted */
	ANSWER_ACK,		/* an ACK of the old connection: refused */
	ANSWER_RST,		/* a RST */
	ANSWER_OTHER,		/* something else (data, a SYN-ACK acking
				 * another number) */
};

#define ANSWER_COUNT	(ANSWER_OTHER + 1)

/* Each answer's name in the detail and in the message. */
static const struct {
	const char	*name, *outcome;
} answers[] = {
	[ANSWER_NONE] = { "none", "no answer seen" },
	[ANSWER_SYNACK] = { "syn_ack", "accepted: SYN-ACK" },
	[ANSWER_ACK] = { "ack", "refused: ACK of the old connection" },
	[ANSWER_RST] = { "rst", "refused: RST" },
	[ANSWER_OTHER] = { "other", "answered otherwise" },
};
_Static_assert(sizeof(answers) / sizeof(answers[0]) == ANSWER_COUNT, "every answer is named");

/* RFC 6191 (and Linux's tcp_timewait_state_process, which it describes):
 * a side in TIME_WAIT accepts a new SYN if its ISN is above the old
 * connection's RCV.NXT (the SYN sender's snd_next), or, when the old
 * connection used timestamps and the SYN carries one, if its TSval is
 * newer than the TS.Recent it holds, whatever the ISN.  A TSval older than
 * TS.Recent by more than the PAWS window fails PAWS (RFC 7323 5.3) and
 * refuses the SYN whatever its ISN.  Anything else is answered with an
 * ACK of the old connection. */
struct reuse_verdict {
	bool	isn_known, isn_above;
	bool	ts_known, ts_newer, paws_reject;
	bool	acceptable;
	const char *why;
};

static void
judge_reuse(const struct flow_prev *p, unsigned syn_side, const struct segment *seg,
    struct reuse_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (p->peer == syn_side && p->ended == FLOW_PREV_FIN) {
		v->isn_known = true;
		v->isn_above = seq_gt(seg->seq, p->peer_next);
		if (p->peer_ts && (seg->opt.present & TCPOPT_HAVE_TS)) {
			v->ts_known = true;
			v->ts_newer = seq_gt(seg->opt.tsval, p->peer_tsval);
			v->paws_reject = seq_diff(p->peer_tsval, seg->opt.tsval) > PAWS_WINDOW;
		}
	}
	v->acceptable = !v->paws_reject && (v->isn_above || v->ts_newer);
	if (!v->isn_known)
		v->why = "old sequence numbers unknown";
	else if (v->paws_reject)
		v->why = "TSval older than the old one: PAWS";
	else if (v->isn_above)
		v->why = "ISN above the old one";
	else if (v->ts_newer)
		v->why = "ISN not above the old one, TSval newer";
	else if (v->ts_known)
		v->why = "neither ISN nor TSval above the old ones";
	else
		v->why = "ISN not above the old one, no timestamps";
}

static const char *
tw_side_name(const struct conn *c, uint8_t tw)
{
	if (tw == 3)
		return "both";
	return side_name(c, tw == 1 ? 0 : 1);
}

/* The details every reuse event starts with. */
static void
reuse_detail(struct event *ev, const struct seg_ctx *sc, int64_t age)
{
	event_detail_uint(ev, "previous_stream", sc->prev->stream);
	event_detail_double(ev, "age", secs(age));
	event_detail_bool(ev, "same_stream", sc->prev->stream == sc->c->stream);
	event_detail_uint(ev, "isn", sc->seg->seq);
}

/* Report a waiting time_wait_reuse with what the capture showed since. */
static void
reuse_resolve(struct analysis *a, struct reuse_wait *w)
{
	char frames[48] = "";

	/* accepted: a fact; refused or unanswered: the client waits */
	if (w->answer == ANSWER_SYNACK)
		w->ev.severity = SEV_INFO;
	event_detail_str(&w->ev, "response", answers[w->answer].name);
	if (w->answer_frame) {
		event_detail_uint(&w->ev, "response_frame", w->answer_frame);
		snprintf(frames, sizeof(frames), " (frame %u)", w->answer_frame);
	}
	if (w->resend_frame) {
		event_detail_uint(&w->ev, "resend_frame", w->resend_frame);
		snprintf(frames, sizeof(frames), " before the SYN was re-sent (frame %u)",
		    w->resend_frame);
	}
	event_message(&w->ev, "%s; %s%s", w->head, answers[w->answer].outcome, frames);
	analysis_emit(a, w->c, &w->ev);
	w->c = NULL;
	analysis_teardown(a)->nwait--;
}

/* The next packet of a connection with a waiting time_wait_reuse settles
 * it, before that packet's own events: the TIME_WAIT side's answer
 * (SYN-ACK for the new SYN: accepted; an ACK of the old connection:
 * refused, and the client, in SYN-SENT, will answer that ACK with a RST
 * (RFC 793 p.66; on Linux that RST also ends the TIME_WAIT) and re-send
 * its SYN; a RST: refused), or the client's next packet (its SYN re-sent:
 * no answer seen). */
static void
reuse_follow(const struct seg_ctx *sc, struct reuse_wait *w)
{
	uint16_t f = sc->seg->flags;

	if (sc->dir == w->responder) {
		if (f & TCP_RST)
			w->answer = ANSWER_RST;
		else if ((f & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
			w->answer = sc->seg->ack == w->isn + 1 ? ANSWER_SYNACK : ANSWER_OTHER;
		else if ((f & (TCP_SYN | TCP_ACK)) == TCP_ACK && sc->seg->payload_len == 0 &&
		    sc->seg->ack != w->isn + 1)
			w->answer = ANSWER_ACK;
		else
			w->answer = ANSWER_OTHER;
		w->answer_frame = (uint32_t)sc->frame;
	} else if ((f & (TCP_SYN | TCP_ACK)) == TCP_SYN && sc->seg->seq == w->isn) {
		w->resend_frame = (uint32_t)sc->frame;
	}
	reuse_resolve(sc->a, w);
}

/* Give the waiting events their packets; report those whose connection
 * this is not and whose wait is over. */
static void
reuse_waits(const struct seg_ctx *sc)
{
	struct analysis_teardown *td = analysis_teardown(sc->a);
	unsigned i;

	for (i = 0; i < REUSE_WAITS && td->nwait > 0; i++) {
		struct reuse_wait *w = &td->wait[i];

		if (w->c == NULL)
			continue;
		if (w->c == sc->c)
			reuse_follow(sc, w);
		else if (sc->ts_ns - w->syn_ns > REUSE_WAIT_NS)
			reuse_resolve(sc->a, w);
	}
}

/* A slot for a new wait: a free one, or the oldest, reported now. */
static struct reuse_wait *
reuse_slot(struct analysis *a)
{
	struct analysis_teardown *td = analysis_teardown(a);
	struct reuse_wait *oldest = &td->wait[0];
	unsigned i;

	for (i = 0; i < REUSE_WAITS; i++) {
		if (td->wait[i].c == NULL)
			return &td->wait[i];
		if (td->wait[i].syn_ns < oldest->syn_ns)
			oldest = &td->wait[i];
	}
	reuse_resolve(a, oldest);
	return oldest;
}

/* time_wait_reuse whose SYN reaches the side in TIME_WAIT: judged by RFC
 * 6191, reported once that side's answer is known. */
static void
reuse_time_wait(const struct seg_ctx *sc, int64_t age, const char *tw_name)
{
	const struct flow_prev *p = sc->prev;
	struct reuse_verdict v;
	struct reuse_wait *w;

	judge_reuse(p, sc->dir, sc->seg, &v);
	w = reuse_slot(sc->a);
	memset(w, 0, offsetof(struct reuse_wait, head));
	w->c = sc->c;
	w->syn_ns = sc->ts_ns;
	w->isn = sc->seg->seq;
	w->responder = (uint8_t)!sc->dir;
	analysis_teardown(sc->a)->nwait++;
	seg_event(&w->ev, EVK_TIME_WAIT_REUSE, sc);
	snprintf(w->head, sizeof(w->head), "new SYN %.3f s after stream %u closed, %s in "
	    "TIME_WAIT: %sacceptable (%s)", secs(age), p->stream, tw_name,
	    v.isn_known && !v.acceptable ? "not " : v.isn_known ? "" : "maybe ", v.why);
	reuse_detail(&w->ev, sc, age);
	event_detail_str(&w->ev, "time_wait_side", tw_name);
	if (v.isn_known) {
		event_detail_uint(&w->ev, "previous_snd_next", p->peer_next);
		event_detail_bool(&w->ev, "isn_above", v.isn_above);
	}
	if (v.ts_known) {
		event_detail_uint(&w->ev, "tsval", sc->seg->opt.tsval);
		event_detail_uint(&w->ev, "previous_tsval", p->peer_tsval);
		event_detail_bool(&w->ev, "tsval_newer", v.ts_newer);
		if (v.paws_reject)
			event_detail_bool(&w->ev, "paws", true);
	}
	if (v.isn_known)
		event_detail_bool(&w->ev, "acceptable", v.acceptable);
	else
		event_detail_str(&w->ev, "acceptable", "unknown");
}

/* A SYN (without ACK) on a 4-tuple an earlier connection held: the
 * previous connection left a side in TIME_WAIT less than 2*MSL before
 * (time_wait_reuse), or not (port_reuse; not when the earlier "connection"
 * was one side talking alone, e.g. SYNs nobody answered).  The earlier
 * connection is the one flow_lookup() replaced (a new ISN: a new stream),
 * brought back from its tombstone or reopened (the old ISN repeated after
 * both FINs: the same stream, as in Wireshark). */
static void
detect_reuse(const struct seg_ctx *sc)
{
	const struct flow_prev *p = sc->prev;
	int64_t age, msl2 = 2 * analysis_config(sc->a)->msl_ns;
	bool tw;
	struct event ev;

	if ((sc->seg->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN || p == NULL)
		return;
	if (sc->how != FLOW_NEW_REUSE && p->ended != FLOW_PREV_FIN)
		return;		/* the same ISN again: a retransmission */
	age = sc->ts_ns - p->end_ns;
	tw = p->time_wait != 0 && age < msl2;
	if (tw && (p->time_wait & (1u << !sc->dir))) {
		reuse_time_wait(sc, age, tw_side_name(sc->c, p->time_wait));
		return;
	}
	if (tw) {
		/* The SYN comes from the side in TIME_WAIT itself: its own
		 * stack chose to reuse the 4-tuple; the peer is not in
		 * TIME_WAIT and has nothing to judge. */
		seg_event(&ev, EVK_TIME_WAIT_REUSE, sc);
		ev.severity = SEV_INFO;		/* nothing refused, nobody waits */
		event_message(&ev, "new SYN %.3f s after stream %u closed, from the %s, which was "
		    "still in TIME_WAIT (its stack reused the 4-tuple)", secs(age), p->stream,
		    side_name(sc->c, sc->dir));
		reuse_detail(&ev, sc, age);
		event_detail_str(&ev, "time_wait_side", side_name(sc->c, sc->dir));
		event_detail_bool(&ev, "reopened_by_time_wait_side", true);
		analysis_emit(sc->a, sc->c, &ev);
		return;
	}
	if (p->ended == FLOW_PREV_ONE_SIDED)
		return;		/* a client trying again: the 4-tuple was never used */
	seg_event(&ev, EVK_PORT_REUSE, sc);
	event_message(&ev, "new SYN on the 4-tuple of stream %u, %.3f s after its last packet "
	    "(%s)", p->stream, secs(age),
	    p->time_wait ? "its TIME_WAIT was over" : p->ended == FLOW_PREV_FIN ? "closed" :
	    p->ended == FLOW_PREV_RST ? "it was reset" : "it had not closed");
	reuse_detail(&ev, sc, age);
	event_detail_str(&ev, "previous_end", p->ended == FLOW_PREV_FIN ? "fin" :
	    p->ended == FLOW_PREV_RST ? "rst" : "open");
	event_detail_bool(&ev, "time_wait_over", p->time_wait != 0);
	analysis_emit(sc->a, sc->c, &ev);
}

/* ---- bookkeeping ------------------------------------------------------- */

/* What the teardown detectors keep per side: the frame and time of its
 * FIN's acknowledgement and the peer's snd_next then, and the newest
 * TSval.  A reopened connection starts over. */
static void
track_teardown(const struct seg_ctx *sc)
{
	struct side_ext *sx = sc->sx, *rx = sc->rx;
	const struct segment *seg = sc->seg;

	if (sx == NULL)
		return;
	if (sc->tr->reopened) {
		unsigned i;

		for (i = 0; i < 2; i++) {
			struct side_ext *e = i == 0 ? sx : rx;

			e->fin_ack_frame = 0;
			e->sflags &= (uint16_t)~(SX_CW_REPORTED | SX_TS_RECENT);
		}
	}
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
detect_teardown_first(const struct seg_ctx *sc)
{
	struct analysis_teardown *td = analysis_teardown(sc->a);

	if (sc->ts_ns > td->now_ns) {
		td->now_ns = sc->ts_ns;
		td->now_frame = sc->frame;
	}
	if (td->nwait > 0)
		reuse_waits(sc);
}

void
detect_teardown(const struct seg_ctx *sc)
{
	track_teardown(sc);
	detect_reset(sc);
	detect_simultaneous_close(sc);
	detect_close_wait(sc);
	detect_reuse(sc);
}

void
detect_teardown_end(struct analysis *a, struct conn *c, struct conn_ext *x, enum flow_end why)
{
	struct analysis_teardown *td = analysis_teardown(a);
	unsigned i;

	for (i = 0; i < REUSE_WAITS && td->nwait > 0; i++)
		if (td->wait[i].c == c)
			reuse_resolve(a, &td->wait[i]);
	close_wait_at_end(a, c, x, why);
}
