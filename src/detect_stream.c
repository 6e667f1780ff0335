/* detect_stream.c: the byte-stream detectors, Wireshark's tcp.analysis
 * family (retransmission, fast_retransmission, spurious_retransmission,
 * out_of_order, lost_segment, acked_unseen, dup_ack, zero_window,
 * zero_window_probe, window_full, window_update, keep_alive) plus
 * network_duplicate, zero_window_end, seq_wraparound and synack_new_isn
 * (a new sequence space where one was in use), and the per-side
 * figures of the connection record (retransmissions, dup ACKs,
 * zero-window time, RTT).
 *
 * The rules are those of packet-tcp.c's tcp_analyze_sequence_number(), in
 * its order and with its state (nextseq, lastack, window, dup-ACK count,
 * "max seq to be acked"), rewritten here, with these corrections where
 * Wireshark is known to be wrong (doc/anomalies.md has each rule,
 * doc/wireshark-differences.md the frames that show the difference):
 *  - A 0- or 1-byte segment at nextseq - 1 into a window the peer closed
 *    is a zero-window probe (Linux sends them at snd_una - 1), not a
 *    keep-alive.
 *  - A segment below nextseq whose bytes the capture point already saw is
 *    a retransmission whatever its timing: Wireshark's RTT-based guess
 *    calls SACK-recovery retransmissions out-of-order.  Only bytes never
 *    seen (a hole flagged by lost_segment) can arrive out of order, and a
 *    TSval newer than everything sent after the hole proves a
 *    retransmission there too.
 *  - The same segment twice (same seq, ack, length, flags, window, IP ID,
 *    TSval) is a copy made by the network, not a retransmission.
 *  - A retransmission carrying new data beyond what was sent moves the
 *    "seen up to" mark, so the ACK of it is not "ACKed unseen" (Wireshark
 *    bug 8404).
 * All sequence arithmetic goes through seq.h: every rule holds across
 * the 2^32 wraparound. */
#include "config.h"

#include "analysis_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define FAST_RETRANS_US		20000u	/* Wireshark: within 20 ms of the dup ACK */
#define OOO_DEFAULT_US		3000u	/* Wireshark: without a handshake RTT */
#define NET_DUP_US		1000u	/* copies without an IP ID: <= 1 ms apart */
#define NET_DUP_NO_RTT_US	3000u	/* copies, round trip unknown: <= 3 ms */
#define NET_DUP_TS_MAX_US	100000u	/* copies with the same TSval: <= 100 ms */
#define RTO_MIN_US		200000u	/* Linux TCP_RTO_MIN: no timer fires sooner */

/* Microseconds from then_ns to now_ns, each truncated to the microsecond
 * first (the figures Wireshark's microsecond arithmetic gives); 0 when
 * time went backwards.  64 bits: no span wraps. */
static inline uint64_t
us_since(int64_t now_ns, int64_t then_ns)
{
	int64_t d = now_ns / 1000 - then_ns / 1000;

	return d < 0 ? 0 : (uint64_t)d;
}

static inline uint32_t
rel_seq(const struct side *s, uint32_t seq)
{
	return seq - s->base_seq;
}

/* Initialise an extension just allocated, from what the handshake left in
 * struct side (the SYN-ACK's ack and window, the SYN's sequence space). */
void
analysis_ext_init(const struct conn *c, struct conn_ext *x)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		const struct side *s = &c->side[i];
		struct side_ext *e = &x->side[i];

		if (s->flags & SIDE_ACKED) {
			e->lastack = s->ack_max;
			e->sflags |= SX_ACK_SET;
		}
		e->window = s->win_raw;
		if (s->flags & SIDE_SYN)
			e->sflags |= SX_WIN_FROM_SYN;
		e->dup_frame = c->last_frame;
		if (s->flags & SIDE_SEQ_KNOWN) {
			e->seq_to_ack = s->snd_next;
			e->sflags |= SX_TBA_SET;
		}
	}
}

/* ---- network duplicates ---------------------------------------------- */

/* A copy made by the network arrives soon after the original, but other
 * connections' packets may come in between: recent data segments of the
 * capture are remembered by fingerprint.  The fingerprint is NH over the
 * segment's identifying fields with fixed odd constants (not keyed: the
 * worst a crafted collision does is call one segment a copy of another
 * that is identical in every field hashed but one). */
static uint64_t
segment_fingerprint(const struct seg_ctx *sc)
{
	const struct segment *s = sc->seg;
	uint64_t h;

	h = (uint64_t)(sc->c->stream * 2u + sc->dir + 0x9e3779b9u) * (s->seq + 0x7f4a7c15u) +
	    (uint64_t)(s->ack + 0x85ebca6bu) * (s->payload_len + 0xc2b2ae35u) +
	    (uint64_t)(((uint32_t)s->flags << 16 | s->win_raw) + 0x27d4eb2fu) *
	    (s->ip_id + 0x165667b1u) +
	    (uint64_t)(((s->opt.present & TCPOPT_HAVE_TS) ? s->opt.tsval : 0) + 0xd3a2646cu) *
	    0xfd7046c5u;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9u;
	return (h ^ (h >> 32)) | 1;	/* 0 marks an empty slot */
}

/* The path's round trip as far as the capture shows it (us, 0 =
 * unknown): the handshake's (SYN -> SYN-ACK -> ACK, which adds up to one
 * round trip wherever the capture point sits), else the two sides' fastest
 * data -> ACK samples added up (or the one side's that has any). */
static uint32_t
path_rtt_us(const struct seg_ctx *sc)
{
	const struct conn *c = sc->c;
	uint32_t ack_us = sc->x != NULL ? sc->x->ack_us : 0;
	uint64_t rtt = 0;
	unsigned i;

	if (c->synack_us && ack_us)
		return c->synack_us - 1 + ack_us - 1;
	if (sc->x == NULL)
		return 0;
	for (i = 0; i < 2; i++)
		if (sc->x->side[i].rtt_n)
			rtt += sc->x->side[i].rtt_min_us;
	return rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
}

/* How soon after its original a copy made by the network must arrive
 * (doc/anomalies.md, "network_duplicate").  No sender re-sends sooner
 * than a round trip: an RTO (Linux: 200 ms at least, 1 s for a SYN) and a
 * fast retransmission (after duplicate ACKs) both take longer, so a stack
 * that keeps the IP ID on a re-send (some do) is not taken for a copy:
 *  - without a TSval: within half the path's round trip, or
 *    NET_DUP_NO_RTT_US when it is not known yet;
 *  - with the same TSval (every field is compared): within 3/4 of the
 *    round trip, or NET_DUP_TS_MAX_US when it is not known, never later
 *    than that (a TSval clock ticks at 1 ms to 10 ms in every stack in
 *    use, and no timer re-sends within 100 ms);
 *  - without an IPv4 ID (IPv6, or ID 0) at most NET_DUP_US whatever the
 *    rest: no ID vouches for the copy. */
static uint32_t
copy_limit_us(const struct seg_ctx *sc)
{
	uint32_t rtt = path_rtt_us(sc);
	uint32_t lim = rtt ? rtt / 2 : NET_DUP_NO_RTT_US;

	if (sc->seg->opt.present & TCPOPT_HAVE_TS) {
		uint32_t ts = rtt ? (uint32_t)((uint64_t)rtt * 3 / 4) : NET_DUP_TS_MAX_US;

		if (ts > NET_DUP_TS_MAX_US)
			ts = NET_DUP_TS_MAX_US;
		if (ts > lim)
			lim = ts;
	}
	if (sc->seg->ip_id == 0 && lim > NET_DUP_US)
		lim = NET_DUP_US;
	return lim;
}

/* Is this segment a copy of a recent one?  Every segment looked at is
 * remembered, so the first copy finds its original; *after_us says how
 * long after it the copy came.  A segment that something seen after its
 * original could have caused (answer_after_ns: the peer's SYN, which a
 * listener answers with its SYN-ACK again, same IP ID 0 and TSval) is a
 * re-send, not a copy. */
static bool
network_duplicate(struct analysis_stream *st, const struct seg_ctx *sc, uint32_t limit_us,
    int64_t answer_after_ns, uint32_t *after_us)
{
	uint64_t fp = segment_fingerprint(sc);
	int64_t now = sc->ts_ns;
	unsigned slot[2], k, i;

	/* Two candidate slots, the older one replaced: a copy a few segments
	 * behind its original is lost only if two later segments both take
	 * its slots. */
	slot[0] = (unsigned)(fp >> 56) & (STREAM_RECENT - 1);
	slot[1] = (unsigned)(fp >> 40) & (STREAM_RECENT - 1);
	for (k = 0; k < 2; k++) {
		i = slot[k];
		/* Every field the same (IP ID and TSval included), and soon
		 * enough that no retransmission timer could have fired. */
		/* (a copy stamped before its original, by a capture that
		 * merged interfaces, is a copy all the same) */
		uint64_t d = now < st->recent_ns[i] ? us_since(st->recent_ns[i], now) :
		    us_since(now, st->recent_ns[i]);

		if (st->recent_fp[i] == fp && d <= limit_us &&
		    answer_after_ns <= st->recent_ns[i]) {
			*after_us = (uint32_t)d;
			st->recent_ns[i] = now;
			return true;
		}
		if (st->recent_fp[i] == fp) {
			/* the same bytes re-sent later: a retransmission,
			 * which its own copies are compared with from now */
			st->recent_ns[i] = now;
			return false;
		}
	}
	i = st->recent_ns[slot[0]] <= st->recent_ns[slot[1]] ? slot[0] : slot[1];
	if (st->recent_fp[slot[0]] == 0)
		i = slot[0];
	st->recent_fp[i] = fp;
	st->recent_ns[i] = now;
	return false;
}

void
detect_stream_copy(struct seg_ctx *sc)
{
	const struct segment *seg = sc->seg;
	uint16_t f = seg->flags;
	const struct conn *c = sc->c;
	int64_t answer_after = 0;

	sc->netdup = false;
	/* Data, SYNs, SYN-ACKs and FINs; a pure ACK only with an IPv4 ID
	 * (identical ACKs without one are what a receiver sends for every
	 * segment past a hole); never a RST. */
	if (f & TCP_RST)
		return;
	if (seg->payload_len == 0 && !(f & (TCP_SYN | TCP_FIN)) && seg->ip_id == 0)
		return;
	/* A SYN-ACK again after the client, still without an ACK (so with a
	 * SYN), sent something since the previous one: the listener answered
	 * that SYN (real-stream-ctl-dup.pcap). */
	if ((f & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) && c->last_synack_us != 0 &&
	    !(sc->rcv->flags & SIDE_ACKED) && c->last_ns > conn_last_synack_ns(c))
		answer_after = c->last_ns;
	sc->netdup_limit_us = copy_limit_us(sc);
	sc->netdup = network_duplicate(analysis_stream(sc->a), sc, sc->netdup_limit_us,
	    answer_after, &sc->netdup_after_us);
}

/* ---- holes ------------------------------------------------------------ */

/* Does [seq, end) overlap bytes the capture never saw? */
static bool
in_hole(const struct side_ext *e, uint32_t seq, uint32_t end)
{
	return (e->sflags & SX_HOLE) && seq_lt(seq, e->hole_end) && seq_gt(end, e->hole_start);
}

/* [seq, end) arrived: shrink the hole. */
static void
fill_hole(struct side_ext *e, uint32_t seq, uint32_t end)
{
	if (!in_hole(e, seq, end))
		return;
	if (seq_le(seq, e->hole_start)) {
		e->hole_start = seq_min(end, e->hole_end);
	} else if (seq_ge(end, e->hole_end)) {
		e->hole_end = seq;
	} else {
		/* the middle of the hole: keep its first part, and say that
		 * bytes above may be unseen too */
		e->hole_end = seq;
		e->sflags |= SX_HOLE_MANY;
	}
	if (seq_ge(e->hole_start, e->hole_end))
		e->sflags &= (uint16_t)~SX_HOLE;
}

/* ---- events ----------------------------------------------------------- */

static const char *
who(const struct seg_ctx *sc)
{
	return sc->from_client ? "client" : "server";
}

/* Start ev for sc's segment, naming the side that sent it. */
static void
stream_event(struct event *ev, enum event_kind k, const struct seg_ctx *sc)
{
	seg_event(ev, k, sc);
	event_detail_str(ev, "by", who(sc));
}

/* The window side s last advertised (e->window), in bytes: a SYN's field
 * is never scaled. */
static uint32_t
advertised_window(const struct side_ext *e, const struct side *s, const struct side *peer)
{
	return (e->sflags & SX_WIN_FROM_SYN) ? e->window : side_window(s, peer, e->window);
}

static void
emit_network_duplicate(const struct seg_ctx *sc)
{
	struct event ev;

	stream_event(&ev, EVK_NETWORK_DUPLICATE, sc);
	event_detail_uint(&ev, "seq", rel_seq(sc->snd, sc->seg->seq));
	event_detail_uint(&ev, "len", sc->seg->payload_len);
	event_detail_uint(&ev, "ip_id", sc->seg->ip_id);
	event_detail_double(&ev, "after", (double)sc->netdup_after_us / 1e6);
	event_detail_double(&ev, "copy_limit", (double)sc->netdup_limit_us / 1e6);
	if (sc->seg->flags & (TCP_SYN | TCP_FIN))
		event_detail_str(&ev, "segment", (sc->seg->flags & (TCP_SYN | TCP_ACK)) ==
		    (TCP_SYN | TCP_ACK) ? "syn_ack" : (sc->seg->flags & TCP_SYN) ? "syn" : "fin");
	event_message(&ev, "the network delivered a copy of the %s's %s %u us after it "
	    "(same IP ID, TSval, seq, ack and window): not sent twice", who(sc),
	    (sc->seg->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) ? "SYN-ACK" :
	    (sc->seg->flags & TCP_SYN) ? "SYN" : (sc->seg->flags & TCP_FIN) ? "FIN" : "segment",
	    sc->netdup_after_us);
	analysis_emit(sc->a, sc->c, &ev);
}

static void
emit_out_of_order(const struct seg_ctx *sc, struct side_ext *e, const char *evidence)
{
	struct event ev;

	if (e->ooo_segs < UINT16_MAX)
		e->ooo_segs++;
	stream_event(&ev, EVK_OUT_OF_ORDER, sc);
	event_detail_uint(&ev, "seq", rel_seq(sc->snd, sc->seg->seq));
	event_detail_uint(&ev, "len", sc->seg->payload_len);
	event_detail_str(&ev, "evidence", evidence);
	event_message(&ev, "%s's segment at seq %u arrived after later data (%s)", who(sc),
	    rel_seq(sc->snd, sc->seg->seq), evidence);
	analysis_emit(sc->a, sc->c, &ev);
}

static void
emit_retransmission(const struct seg_ctx *sc, enum event_kind k, const struct side_ext *e,
    bool fills_hole, const char *why)
{
	const struct segment *seg = sc->seg;
	uint32_t rs = rel_seq(sc->snd, seg->seq);
	/* old: below what the side had sent (re-sent); new: beyond it */
	uint32_t old = sc->tr->retrans_bytes, fresh = seg->payload_len - old;
	char bytes[48];
	struct event ev;

	if (fresh == 0)
		snprintf(bytes, sizeof(bytes), "%u byte%s", old, old == 1 ? "" : "s");
	else
		snprintf(bytes, sizeof(bytes), "%u byte%s + %u new", old, old == 1 ? "" : "s",
		    fresh);
	stream_event(&ev, k, sc);
	event_detail_uint(&ev, "seq", rs);
	event_detail_uint(&ev, "len", seg->payload_len);
	if (old)
		event_detail_uint(&ev, "resent_bytes", old);
	if (fresh)
		event_detail_uint(&ev, "new_bytes", fresh);
	if (e->sflags & SX_DATA_SEEN) {
		/* Wireshark's fallback reference for the RTO: the segment
		 * that last advanced the sequence */
		event_detail_uint(&ev, "last_new_data_frame", e->nextseq_frame);
		event_detail_double(&ev, "since_last_new_data",
		    (double)us_since(sc->ts_ns, e->nextseq_ns) / 1e6);
	}
	if (fills_hole)
		event_detail_bool(&ev, "original_not_captured", true);
	event_detail_str(&ev, "evidence", why);
	if (seg->flags & TCP_FIN) {
		event_detail_bool(&ev, "fin", true);
		if (seg->payload_len == 0)
			event_message(&ev, "%s re-sent its FIN at seq %u (%s)", who(sc), rs, why);
		else
			event_message(&ev, "%s re-sent %s and its FIN at seq %u (%s)", who(sc),
			    bytes, rs, why);
	} else {
		event_message(&ev, "%s re-sent %s at seq %u (%s)", who(sc), bytes, rs, why);
	}
	analysis_emit(sc->a, sc->c, &ev);
}

/* ---- RTT (Karn) ------------------------------------------------------- */

static void
rtt_sample(struct side_ext *e, uint64_t span_us)
{
	uint32_t us = span_us > UINT32_MAX ? UINT32_MAX : (uint32_t)span_us;

	if (e->rtt_n == 0 || us < e->rtt_min_us)
		e->rtt_min_us = us;
	if (us > e->rtt_max_us)
		e->rtt_max_us = us;
	if (e->rtt_n < UINT32_MAX) {
		e->rtt_n++;
		/* running mean, rounded */
		e->rtt_avg_us = (uint32_t)((int64_t)e->rtt_avg_us +
		    ((int64_t)us - (int64_t)e->rtt_avg_us + (int64_t)e->rtt_n / 2) /
		    (int64_t)e->rtt_n);
	}
}

/* ---- zero window ------------------------------------------------------ */

static void
zero_window_end(struct analysis *a, struct conn *c, unsigned dir, struct side_ext *e,
    const struct seg_ctx *sc, int64_t ts_ns, const char *ended_by)
{
	uint64_t lasted = us_since(ts_ns, e->zw_start_ns);
	struct event ev;

	e->sflags &= (uint16_t)~SX_ZERO_WIN;
	e->zw_total_ms = e->zw_total_ms > UINT32_MAX - lasted / 1000 ?
	    UINT32_MAX : e->zw_total_ms + (uint32_t)(lasted / 1000);
	if (sc != NULL) {
		seg_event(&ev, EVK_ZERO_WINDOW_END, sc);
	} else {
		event_init(&ev, EVK_ZERO_WINDOW_END, c->last_frame, ts_ns);
		ev.stream = c->stream;
		ev.has_stream = true;
		ev.has_src = true;
		analysis_endpoint(a, c, dir, &ev.src);
		analysis_endpoint(a, c, !dir, &ev.dst);
	}
	event_detail_str(&ev, "by", dir == c->client ? "client" : "server");
	event_detail_double(&ev, "lasted", (double)lasted / 1e6);
	event_detail_uint(&ev, "began_frame", e->zw_frame);
	event_detail_str(&ev, "ended_by", ended_by);
	event_message(&ev, "%s's zero window (since frame %u) lasted %.3f s, ended by %s",
	    dir == c->client ? "client" : "server", e->zw_frame, (double)lasted / 1e6,
	    ended_by);
	analysis_emit(a, c, &ev);
}

void
detect_stream_end(struct analysis *a, struct conn *c, struct conn_ext *x, bool end_of_input)
{
	unsigned i;

	if (x == NULL)
		return;
	for (i = 0; i < 2; i++)
		if (x->side[i].sflags & SX_ZERO_WIN)
			zero_window_end(a, c, i, &x->side[i], NULL, c->last_ns,
			    end_of_input ? "end_of_capture" : "connection_end");
}

/* ---- a new sequence space --------------------------------------------- */

/* synack_new_isn: a SYN-ACK whose ISN is not the one its sender's earlier
 * SYN-ACK (or SYN) had, to a synchronized peer (tcp_track: the peer cannot
 * take it, and the connection goes on with the old numbers, so none of
 * the byte-stream rules look at it).  Its sender restarted, or is another
 * host (a load balancer sent a retried SYN to a second server), or a
 * middlebox rewrote the numbers.  Each such SYN-ACK is reported. */
static void
emit_synack_new_isn(const struct seg_ctx *sc)
{
	struct event ev;

	stream_event(&ev, EVK_SYNACK_NEW_ISN, sc);
	event_detail_uint(&ev, "isn", sc->seg->seq);
	event_detail_uint(&ev, "previous_isn", sc->snd->isn);
	event_detail_uint(&ev, "ack", sc->seg->ack);
	event_detail_bool(&ev, "acks_syn", sc->seg->ack == sc->rcv->isn + 1);
	event_detail_str(&ev, "peer_state", tcp_state_name(sc->tr->rcv_old));
	event_message(&ev, "%s sent a SYN-ACK with ISN %u on an established connection that "
	    "uses its ISN %u: restarted, another host, or rewritten; the peer keeps the old",
	    who(sc), sc->seg->seq, sc->snd->isn);
	analysis_emit(sc->a, sc->c, &ev);
}

/* ---- per segment ------------------------------------------------------ */

void
detect_stream(const struct seg_ctx *sc)
{
	struct conn *c = sc->c;
	struct side_ext *se = sc->sx, *re = sc->rx;
	const struct side *snd = sc->snd, *rcv = sc->rcv;
	const struct segment *seg = sc->seg;
	const struct track_result *tr = sc->tr;
	uint16_t f = seg->flags;
	bool sfr = f & (TCP_SYN | TCP_FIN | TCP_RST);
	bool syn_or_fin = f & (TCP_SYN | TCP_FIN);
	uint32_t len = seg->payload_len, seq = seg->seq, ack = seg->ack;
	uint32_t nextseq = tr->prev_snd_next;
	bool known = tr->seq_was_known;
	int64_t now = sc->ts_ns;
	uint32_t end = seq_end(seq, len, f & TCP_SYN, f & TCP_FIN);
	bool zwp = false, keep_alive = false, retrans_any = false, netdup = sc->netdup;
	bool rwin_zero;
	struct event ev;

	if ((f & TCP_SYN) && netdup) {
		/* a copy of a SYN or SYN-ACK changes nothing */
		emit_network_duplicate(sc);
		return;
	}
	if (tr->synack_new_isn) {
		emit_synack_new_isn(sc);
		return;
	}
	if (se == NULL)
		return;
	if (f & TCP_SYN) {
		/* The handshake detectors report SYNs; a SYN with a new ISN
		 * starts a new sequence space (tcp_track reset snd_next), and
		 * none of the byte-stream rules apply across that. */
		known = false;
		if (!tr->syn_retransmit)
			se->sflags &= (uint16_t)~(SX_TBA_SET | SX_HOLE | SX_HOLE_MANY |
			    SX_RTT_PENDING | SX_DATA_SEEN | SX_ZERO_WIN);
	}
	/* (a side never heard from has no window: Wireshark's is G_MAXUINT32) */
	rwin_zero = (rcv->flags & SIDE_SEEN) && re->window == 0;

	/* ZERO WINDOW PROBE: one byte at nextseq into a closed window
	 * (Wireshark), or 0-1 byte at nextseq - 1 (Linux's probe at snd_una
	 * - 1, which Wireshark calls a keep-alive). */
	if (known && rwin_zero && !sfr &&
	    ((len == 1 && seq == nextseq) || (len <= 1 && seq == nextseq - 1))) {
		zwp = true;
		stream_event(&ev, EVK_ZERO_WINDOW_PROBE, sc);
		event_detail_str(&ev, "style", seq == nextseq ? "next_byte" : "snd_una_minus_1");
		event_message(&ev, "%s probed the peer's zero window (%u byte%s at %s)", who(sc),
		    len, len == 1 ? "" : "s", seq == nextseq ? "the next sequence" :
		    "snd_una - 1, as Linux does; Wireshark calls it a keep-alive");
		analysis_emit(sc->a, c, &ev);
		goto finished_fwd;
	}

	/* ZERO WINDOW */
	if (seg->win_raw == 0 && !sfr) {
		if (!(se->sflags & SX_ZERO_WIN)) {
			se->sflags |= SX_ZERO_WIN;
			se->zw_start_ns = now;
			se->zw_frame = (uint32_t)sc->frame;
		}
		stream_event(&ev, EVK_ZERO_WINDOW, sc);
		event_detail_uint(&ev, "began_frame", se->zw_frame);
		event_message(&ev, "%s advertised a zero window", who(sc));
		analysis_emit(sc->a, c, &ev);
	} else if ((se->sflags & SX_ZERO_WIN) && !(f & (TCP_RST | TCP_SYN))) {
		zero_window_end(sc->a, c, sc->dir, se, sc, sc->ts_ns,
		    len == 0 && seq == nextseq && ack == se->lastack ? "window_update" :
		    len > 0 ? "data" : (f & TCP_FIN) ? "fin" : "ack");
	}

	/* LOST SEGMENT: a gap before this segment */
	if (known && seq_gt(seq, nextseq) && !(f & TCP_RST)) {
		stream_event(&ev, EVK_LOST_SEGMENT, sc);
		event_detail_uint(&ev, "gap_bytes", (uint32_t)seq_diff(seq, nextseq));
		event_detail_uint(&ev, "gap_from", rel_seq(snd, nextseq));
		if (se->sflags & SX_DATA_SEEN)
			event_detail_uint(&ev, "previous_frame", se->nextseq_frame);
		event_message(&ev, "%u byte%s of the %s's data before this segment %s "
		    "never captured", (uint32_t)seq_diff(seq, nextseq),
		    seq_diff(seq, nextseq) == 1 ? "" : "s", who(sc),
		    seq_diff(seq, nextseq) == 1 ? "was" : "were");
		analysis_emit(sc->a, c, &ev);
		if (!(se->sflags & SX_HOLE)) {
			se->hole_start = nextseq;
			se->hole_end = seq;
			se->sflags |= SX_HOLE;
		} else {
			se->sflags |= SX_HOLE_MANY;
		}
	}

	/* KEEP ALIVE: 0-1 byte at nextseq - 1 into an open window */
	if (known && len <= 1 && seq == nextseq - 1 && !sfr) {
		keep_alive = true;
		stream_event(&ev, EVK_KEEP_ALIVE, sc);
		event_message(&ev, "%s sent a keep-alive", who(sc));
		analysis_emit(sc->a, c, &ev);
	}

	/* WINDOW UPDATE */
	if (known && len == 0 && seg->win_raw != 0 && seg->win_raw != se->window &&
	    seq == nextseq && (se->sflags & SX_ACK_SET) && ack == se->lastack && !sfr) {
		stream_event(&ev, EVK_WINDOW_UPDATE, sc);
		event_detail_uint(&ev, "window", side_window(snd, rcv, seg->win_raw));
		event_detail_uint(&ev, "previous_window", advertised_window(se, snd, rcv));
		event_message(&ev, "%s updated its window to %u", who(sc),
		    side_window(snd, rcv, seg->win_raw));
		analysis_emit(sc->a, c, &ev);
	}

	/* WINDOW FULL: data up to the right edge of the peer's window, when
	 * the peer's window scale is known (its SYN was seen, or ours said
	 * no scaling) */
	if (len > 0 && !sfr && (re->sflags & SX_ACK_SET) &&
	    ((rcv->flags & SIDE_SYN) || ((snd->flags & SIDE_SYN) && !(snd->flags & SIDE_WSCALE)))) {
		uint32_t rwin = advertised_window(re, rcv, snd);

		if (seq + len == re->lastack + rwin) {
			stream_event(&ev, EVK_WINDOW_FULL, sc);
			event_detail_uint(&ev, "window", rwin);
			event_message(&ev, "%s filled the peer's %u-byte window", who(sc), rwin);
			analysis_emit(sc->a, c, &ev);
		}
	}

	/* ACKs of a keep-alive or of a probe repeat the last ACK: not
	 * duplicates */
	if (known && len == 0 && seq == nextseq && (se->sflags & SX_ACK_SET) &&
	    ack == se->lastack && !sfr && seg->win_raw == se->window) {
		if (seg->win_raw != 0 && (re->sflags & SX_LAST_KA))
			goto finished_fwd;
		if (seg->win_raw == 0 && (re->sflags & SX_LAST_ZWP))
			goto finished_fwd;
		/* DUPLICATE ACK, unless the network made the copy */
		if (seg->win_raw != 0 && netdup) {
			emit_network_duplicate(sc);
		} else if (seg->win_raw != 0) {
			if (se->sflags & SX_UNSEEN_NOTED) {
				se->sflags &= (uint16_t)~SX_UNSEEN_NOTED;
				se->dupacks = 1;
			} else if (se->dupacks < UINT16_MAX) {
				se->dupacks++;
			}
			if (se->dupacks_sent < UINT32_MAX)
				se->dupacks_sent++;
			stream_event(&ev, EVK_DUP_ACK, sc);
			event_detail_uint(&ev, "count", se->dupacks);
			event_detail_uint(&ev, "original_frame", se->dup_frame);
			event_detail_uint(&ev, "ack", rel_seq(rcv, ack));
			if (seg->opt.present & TCPOPT_HAVE_SACK) {
				event_detail_uint(&ev, "sack_blocks", seg->opt.sack_count);
				/* RFC 2883: a first block below the ACK, or inside
				 * the second, reports a duplicate received */
				if (seg->opt.sack_count > 0 &&
				    (seq_le(seg->opt.sack_right[0], ack) ||
				    (seg->opt.sack_count > 1 &&
				    seq_ge(seg->opt.sack_left[0], seg->opt.sack_left[1]) &&
				    seq_le(seg->opt.sack_right[0], seg->opt.sack_right[1]))))
					event_detail_bool(&ev, "dsack", true);
			}
			event_message(&ev, "%s repeated its ACK of frame %u (duplicate #%u)",
			    who(sc), se->dup_frame, se->dupacks);
			analysis_emit(sc->a, c, &ev);
		}
	}

finished_fwd:
	if (!(se->sflags & SX_ACK_SET) || ack != se->lastack) {
		se->dup_frame = (uint32_t)sc->frame;
		se->dupacks = 0;
		se->sflags &= (uint16_t)~SX_UNSEEN_NOTED;
	}

	/* ACKED UNSEEN: an ack past what the peer was seen to send (not to a
	 * peer that has sent nothing but its SYN: an ACK not of that SYN is a
	 * stale one, e.g. a TIME_WAIT side's ACK of the previous connection
	 * on the 4-tuple, which the peer refuses with a RST) */
	if ((f & TCP_ACK) && (re->sflags & SX_TBA_SET) && seq_gt(ack, re->seq_to_ack) &&
	    !(tr->rcv_old == TS_SYN_SENT && !(rcv->flags & SIDE_ACKED))) {
		bool flag = false;

		if (seq_lt(re->seq_to_ack, rcv->snd_next)) {
			/* not when the only bytes never seen below the ack are
			 * one hole that this side's previous ACK covered, and
			 * was reported for: this one acknowledges captured
			 * bytes only (real-stream-capdrop.pcap frame 39) */
			flag = !((re->sflags & SX_UNSEEN_AHEAD) && (re->sflags & SX_HOLE) &&
			    !(re->sflags & SX_HOLE_MANY) && re->hole_start == re->seq_to_ack &&
			    (se->sflags & SX_ACK_SET) && seq_ge(se->lastack, re->hole_end) &&
			    seq_le(ack, rcv->snd_next));
			re->seq_to_ack = rcv->snd_next;
			re->sflags &= (uint16_t)~SX_UNSEEN_AHEAD;
		} else {
			/* the peer is stalled: one report until its ack moves */
			flag = re->dupacks == 0 && !(re->sflags & SX_UNSEEN_NOTED);
			re->sflags |= SX_UNSEEN_NOTED;
			if (flag)
				re->sflags |= SX_UNSEEN_AHEAD;
		}
		if (flag) {
			stream_event(&ev, EVK_ACKED_UNSEEN, sc);
			event_detail_uint(&ev, "ack", rel_seq(rcv, ack));
			event_message(&ev, "%s acknowledged data of the peer that the capture "
			    "never saw", who(sc));
			analysis_emit(sc->a, c, &ev);
		}
	}
	if ((f & TCP_ACK) && (re->sflags & SX_HOLE) && seq_ge(ack, re->hole_end))
		re->sflags &= (uint16_t)~SX_HOLE;
	if ((f & TCP_ACK) && seq_ge(ack, rcv->snd_next))
		re->sflags &= (uint16_t)~SX_HOLE_MANY;

	/* RETRANSMISSION / FAST / SPURIOUS / OUT-OF-ORDER: data, SYN or FIN
	 * not advancing the sequence */
	if ((len > 0 || syn_or_fin) && !keep_alive && !zwp && known && seq_lt(seq, nextseq) &&
	    !(len > 1 && seq == nextseq - 1)) {
		bool unseen = in_hole(se, seq, end);
		bool ts_older = (seg->opt.present & TCPOPT_HAVE_TS) && (se->sflags & SX_TS_SEEN) &&
		    seq_lt(seg->opt.tsval, se->max_tsval);
		/* Wireshark's out-of-order window: the handshake's round trip
		 * (SYN to the first pure ACK), else 3 ms */
		uint32_t ack_us = sc->x != NULL ? sc->x->ack_us : 0;
		uint64_t rtt = c->synack_us && ack_us ?
		    (uint64_t)c->synack_us - 1 + ack_us - 1 : 0;	/* each saturates */
		uint64_t ooo_us = rtt ? rtt : OOO_DEFAULT_US;

		retrans_any = true;
		if (netdup) {
			retrans_any = false;
			emit_network_duplicate(sc);
		} else if (len > 0 && (re->sflags & SX_ACK_SET) && seq_le(seq + len, re->lastack)) {
			emit_retransmission(sc, EVK_SPURIOUS_RETRANSMISSION, se, false,
			    "all of it already acknowledged");
		} else if (unseen && ts_older) {
			/* sent before the data after the gap: the original,
			 * late, whatever the dup ACKs say */
			retrans_any = false;
			emit_out_of_order(sc, se, "older TSval than the data after it");
		} else if (re->dupacks >= 2 && !(re->sflags & SX_UNSEEN_NOTED) &&
		    re->lastack == seq && us_since(now, re->lastack_ns) < FAST_RETRANS_US) {
			emit_retransmission(sc, EVK_FAST_RETRANSMISSION, se, unseen,
			    "after duplicate ACKs");
		} else if (!unseen && (re->sflags & SX_SACK_HOLES) && seq_ge(seq, re->lastack) &&
		    us_since(now, re->lastack_ns) < FAST_RETRANS_US) {
			/* SACK recovery (RFC 6675) re-sends the holes the
			 * peer's SACKs show, at once on its ACK: a fast
			 * retransmission although not at the ACK point
			 * (Wireshark's timing calls it out-of-order) */
			emit_retransmission(sc, EVK_FAST_RETRANSMISSION, se, unseen,
			    "fills a hole the peer's SACK blocks show");
		} else if (unseen) {
			bool ts = (seg->opt.present & TCPOPT_HAVE_TS) && (se->sflags & SX_TS_SEEN);

			if (ts && seq_gt(seg->opt.tsval, se->max_tsval) &&
			    (re->sflags & SX_SACK_HOLES) &&
			    us_since(now, se->nextseq_ns) < RTO_MIN_US) {
				/* seen at the receiver: sent after the data beyond
				 * the gap, while the receiver's SACKs showed the
				 * gap, sooner than any retransmission timer */
				emit_retransmission(sc, EVK_FAST_RETRANSMISSION, se, true,
				    "fills a gap the peer's SACKs showed, with a newer TSval");
			} else if (ts && seq_gt(seg->opt.tsval, se->max_tsval)) {
				emit_retransmission(sc, EVK_RETRANSMISSION, se, true,
				    "fills a gap with a newer TSval than the data after it");
			} else if (us_since(now, se->nextseq_ns) < ooo_us) {
				retrans_any = false;
				emit_out_of_order(sc, se,
				    "arrived within an RTT of the data after it");
			} else {
				emit_retransmission(sc, EVK_RETRANSMISSION, se, true,
				    "fills a gap an RTT or more after the data after it");
			}
		} else if (!(se->sflags & SX_HOLE_MANY)) {
			emit_retransmission(sc, EVK_RETRANSMISSION, se, false,
			    "its bytes were seen before");
		} else if (us_since(now, se->nextseq_ns) < ooo_us &&
		    nextseq != end) {
			/* several holes: whether these bytes were seen is not
			 * known, so Wireshark's timing decides */
			retrans_any = false;
			emit_out_of_order(sc, se, "arrived within an RTT of later data");
		} else {
			emit_retransmission(sc, EVK_RETRANSMISSION, se, false,
			    "below the highest sequence sent");
		}
		fill_hole(se, seq, end);
		if (retrans_any && se->retrans_segs < UINT32_MAX)
			se->retrans_segs++;
		/* Karn: a retransmission spoils the sample in flight */
		if (retrans_any && (se->sflags & SX_RTT_PENDING) && seq_lt(seq, se->rtt_end))
			se->sflags &= (uint16_t)~SX_RTT_PENDING;
	}

	/* The sequence advanced (tcp_track moved snd_next). */
	if (!known || snd->snd_next != nextseq) {
		if (known && snd->snd_next < nextseq && seq_gt(snd->snd_next, nextseq)) {
			stream_event(&ev, EVK_SEQ_WRAPAROUND, sc);
			event_message(&ev, "the %s's sequence numbers wrapped past 2^32", who(sc));
			analysis_emit(sc->a, c, &ev);
		}
		se->nextseq_ns = now;
		se->nextseq_frame = (uint32_t)sc->frame;
		se->sflags |= SX_DATA_SEEN;
		if (len > 0 && !(se->sflags & SX_RTT_PENDING) && !retrans_any) {
			se->rtt_end = snd->snd_next;
			se->rtt_ns = now;
			se->sflags |= SX_RTT_PENDING;
		}
	}
	/* The newest TSval on new data: a segment filling a gap with a
	 * newer one was sent after the data beyond the gap (a
	 * retransmission), with an older one before it (reordered). */
	if ((seg->opt.present & TCPOPT_HAVE_TS) && len > 0 && !retrans_any && !zwp &&
	    (!(se->sflags & SX_TS_SEEN) || seq_gt(seg->opt.tsval, se->max_tsval))) {
		se->max_tsval = seg->opt.tsval;
		se->sflags |= SX_TS_SEEN;
	}

	/* "Seen up to": Wireshark moves it only for a segment starting
	 * exactly there; one starting below and reaching past it moves it
	 * too (a retransmission carrying new data, bug 8404). */
	if (!zwp && (!(se->sflags & SX_TBA_SET) || seq == se->seq_to_ack ||
	    (seq_lt(seq, se->seq_to_ack) && seq_gt(end, se->seq_to_ack)))) {
		se->seq_to_ack = snd->snd_next;
		se->sflags = (uint16_t)((se->sflags & ~SX_UNSEEN_AHEAD) | SX_TBA_SET);
	}

	/* An ACK times the peer's segment in flight. */
	if ((f & TCP_ACK) && (re->sflags & SX_RTT_PENDING) && seq_ge(ack, re->rtt_end)) {
		rtt_sample(re, us_since(now, re->rtt_ns));
		re->sflags &= (uint16_t)~SX_RTT_PENDING;
	}

	/* SACK blocks above the ack (not a D-SACK below it): holes remain */
	se->sflags &= (uint16_t)~SX_SACK_HOLES;
	if ((f & TCP_ACK) && (seg->opt.present & TCPOPT_HAVE_SACK) && seg->opt.sack_count > 0) {
		unsigned i;

		for (i = 0; i < seg->opt.sack_count; i++)
			if (seq_gt(seg->opt.sack_left[i], ack))
				se->sflags |= SX_SACK_HOLES;
	}
	se->window = seg->win_raw;
	se->lastack = ack;
	se->lastack_ns = now;
	se->sflags = (uint16_t)((se->sflags & ~(SX_LAST_KA | SX_LAST_ZWP | SX_WIN_FROM_SYN)) |
	    SX_ACK_SET | (keep_alive ? SX_LAST_KA : 0) | (zwp ? SX_LAST_ZWP : 0) |
	    ((f & TCP_SYN) ? SX_WIN_FROM_SYN : 0));
}
