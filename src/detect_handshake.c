/* detect_handshake.c: handshake and listen-queue detectors, per
 * connection: connection_refused (a RST answering a SYN),
 * accept_overflow_rst (a listener resetting a connection it just
 * completed: full accept queue with tcp_abort_on_overflow=1),
 * accept_overflow_drop (the final ACK and data dropped by a full accept
 * queue with tcp_abort_on_overflow=0), syn_retransmit and
 * synack_retransmit with their retry schedule, synack_bad_ack,
 * simultaneous_open and, when a connection ends, syn_unanswered.
 *
 * What a connection needs beyond struct conn while it retries or
 * overflows lives in a small watch table here, never in struct conn: see
 * struct handshake_watch. */
#include "config.h"

#include "analysis_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the watch table -------------------------------------------------- */

#define SERIES_MAX	10	/* intervals listed per retry series */
#define OV_FRAMES	8	/* frames listed per kind of overflow evidence */
#define WATCH_SLOTS	256u	/* direct-mapped on the stream number */

/* Linux re-sends a SYN-ACK whose final ACK did not come after
 * TCP_TIMEOUT_INIT (1 s); a SYN-ACK not re-sent 1.5 s on had no request
 * socket behind it (a SYN cookie), or its request is gone. */
#define SYNACK_RESEND_DUE_NS	1500000000LL

/* One side's retransmissions of its SYN (or SYN-ACK), as a schedule.
 * Each interval is compared with the one before: about the same (a
 * linear timeout) or about double (exponential backoff, RFC 6298 5.5). */
struct retry_series {
	int64_t		last_ns;		/* latest transmission */
	uint32_t	iv_us[SERIES_MAX];	/* the first intervals, us */
	uint32_t	prev_us;		/* the latest interval */
	uint16_t	count;			/* intervals seen */
	uint8_t		from_attempt;		/* attempt iv_us[0] led to (2 unless
						 * the history was lost) */
	uint8_t		same;			/* intervals ~ the one before, before
						 * any doubling */
	uint8_t		doubled;		/* intervals ~ twice the one before */
	bool		other;			/* an interval fitting neither */
};

/* Accept-overflow watch (struct hs_entry.ov). */
#define OV_WATCH	0x01	/* a candidate: server silent after the handshake */
#define OV_SYNRESEND	0x02	/* confirmed: SYN-ACK re-sent after the final ACK */
#define OV_SILENT	0x04	/* confirmed: data dropped, no SYN-ACK re-sent */
#define OV_RECOVERED	0x08	/* the server spoke at last (queue drained) */

struct hs_entry {
	uint32_t		key;		/* stream + 1; 0 = free */
	struct conn		*c;		/* the connection, while ov != 0 (the
						 * entry is cleared when it ends) */
	struct retry_series	syn, synack;
	int64_t			attempt_ns;	/* the SYN that reopened the stream
						 * (0: the stream's first SYN) */
	int64_t			simopen_ns;	/* the second SYN of a simultaneous
						 * open (0: none) */
	uint8_t			ov;		/* OV_* */
	uint16_t		n_resend;	/* SYN-ACKs re-sent after the final ACK */
	uint16_t		n_rtx;		/* client data retransmissions */
	uint16_t		n_answer;	/* client ACKs answering re-sent SYN-ACKs */
	uint32_t		resend_frame[OV_FRAMES];
	uint32_t		rtx_frame[OV_FRAMES];
	uint32_t		cl_packets_at_resend;	/* client segments at the
							 * last re-send */
	uint32_t		dropped;	/* client segments dropped, at recovery */
	uint32_t		recovered_frame;
	uint32_t		last_frame;	/* latest evidence */
	int64_t			last_ns;
};

/* Direct-mapped on the stream number, so that an entry lasts until the
 * stream WATCH_SLOTS later needs its slot: memory is fixed whatever the
 * input, and a flood only takes over old slots.  An entry whose overflow
 * incident is pending is reported before its slot is taken. */
/* Addresses the input showed sending: a bit per hash of the source
 * address, set by each side's first segment of a connection.  A SYN to
 * an address that sent nothing in the whole input is unanswered or seen
 * one-sided (asymmetric routing, a capture of one direction): the capture
 * cannot tell (a collision only keeps the old verdict). */
#define DIR_BITS	(1u << 16)

struct handshake_watch {
	struct hs_entry	slot[WATCH_SLOTS];
	uint64_t	dir_seen[DIR_BITS / 64];
	uint64_t	one_sided;	/* connections seen in one direction only */
};

/* Has this address sent anything in the input (set: it does now)?  A
 * hashed bitmap: a collision can only make a silent address look heard. */
static bool
addr_seen(struct analysis *a, const struct endpoint *s, bool set)
{
	struct handshake_watch *w = analysis_hs_watch(a);
	size_t n = s->family == 6 ? 16 : 4, i;
	uint32_t h = 2166136261u;

	for (i = 0; i < n; i++)
		h = (h ^ s->addr[i]) * 16777619u;
	h = (h ^ (h >> 16)) & (DIR_BITS - 1);
	if (set)
		w->dir_seen[h / 64] |= 1ull << (h % 64);
	return (w->dir_seen[h / 64] >> (h % 64)) & 1;
}

/* ... side `from` of c's address. */
static bool
dir_seen(struct analysis *a, const struct conn *c, unsigned from, bool set)
{
	struct endpoint s;

	analysis_endpoint(a, c, from, &s);
	return addr_seen(a, &s, set);
}

void
detect_handshake_sender(struct analysis *a, const struct endpoint *src)
{
	(void)addr_seen(a, src, true);
}

uint64_t
handshake_watch_one_sided(const struct handshake_watch *w)
{
	return w->one_sided;
}

struct handshake_watch *
handshake_watch_create(void)
{
	return calloc(1, sizeof(struct handshake_watch));
}

void
handshake_watch_destroy(struct handshake_watch *w)
{
	free(w);
}

void
handshake_watch_reset(struct handshake_watch *w)
{
	uint64_t one_sided = w->one_sided;	/* the run's, like its records */

	memset(w, 0, sizeof(*w));
	w->one_sided = one_sided;
}

static struct hs_entry *watch_get(struct analysis *a, struct conn *c);

void
detect_handshake_reopen(struct analysis *a, struct conn *c, int64_t ts_ns)
{
	struct hs_entry *e = watch_get(a, c);

	memset(&e->syn, 0, sizeof(e->syn));
	memset(&e->synack, 0, sizeof(e->synack));
	e->attempt_ns = ts_ns;
}

static struct hs_entry *
watch_find(struct analysis *a, const struct conn *c)
{
	struct hs_entry *e = &analysis_hs_watch(a)->slot[c->stream % WATCH_SLOTS];

	return e->key == c->stream + 1 ? e : NULL;
}

static void report_overflow(struct analysis *a, struct hs_entry *e);
static const char *capture_point(struct analysis *a, const struct conn *c);

/* c's entry, made if need be (a pending overflow in the slot is reported
 * first). */
static struct hs_entry *
watch_get(struct analysis *a, struct conn *c)
{
	struct hs_entry *e = &analysis_hs_watch(a)->slot[c->stream % WATCH_SLOTS];

	if (e->key == c->stream + 1)
		return e;
	if (e->key != 0 && (e->ov & (OV_SYNRESEND | OV_SILENT)))
		report_overflow(a, e);
	memset(e, 0, sizeof(*e));
	e->key = c->stream + 1;
	return e;
}

/* ---- helpers ---------------------------------------------------------- */

/* A duration in ns as seconds, for messages and details. */
static double
secs(int64_t ns)
{
	return (double)ns / 1e9;
}

/* "25,34,46" (n frames, at most OV_FRAMES of them, "..." past that). */
static void
frame_list(char *buf, size_t size, const uint32_t *f, unsigned n)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < n && i < OV_FRAMES && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%u", i ? "," : "", f[i]);
	if (n > OV_FRAMES && used < size)
		snprintf(buf + used, size - used, ",...");
}

/* ---- retry schedules -------------------------------------------------- */

enum schedule {
	SCHED_SINGLE,		/* one interval: nothing to compare yet */
	SCHED_LINEAR,		/* every interval the first one (so far) */
	SCHED_EXPONENTIAL,	/* each interval twice the one before */
	SCHED_LINEAR_EXP,	/* the first one repeated, then doubling */
	SCHED_OTHER,
	SCHED_COUNT
};

static const char *const schedule_names[] = {
	[SCHED_SINGLE] = "single",
	[SCHED_LINEAR] = "linear",
	[SCHED_EXPONENTIAL] = "exponential",
	[SCHED_LINEAR_EXP] = "linear_then_exponential",
	[SCHED_OTHER] = "other",
};
_Static_assert(sizeof(schedule_names) / sizeof(schedule_names[0]) == SCHED_COUNT,
    "every schedule has a name");

/* One more interval.  Timer slack (jiffies, the 4 ms of a 250 Hz tick,
 * a busy box) keeps real ratios within about 5 % of 1 or 2
 * (tests/record/LISTEN.md: 1.024/1.024, 2.016/1.024, 4.160/2.016), so the
 * bands below are wide; anything outside them is another schedule. */
static void
series_add(struct retry_series *s, unsigned attempt, int64_t prev_ns, int64_t now_ns)
{
	int64_t d = (now_ns - prev_ns) / 1000;
	uint32_t us = d < 0 ? 0 : d > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)d;

	if (s->count == 0)
		s->from_attempt = (uint8_t)(attempt > UINT8_MAX ? UINT8_MAX : attempt);
	else {
		/* two copies in the same microsecond are no timer at all */
		double r = s->prev_us ? (double)us / (double)s->prev_us : 0;

		if (r >= 0.75 && r <= 1.33 && s->doubled == 0) {
			if (s->same < UINT8_MAX)
				s->same++;
		} else if (r >= 1.6 && r <= 2.5) {
			if (s->doubled < UINT8_MAX)
				s->doubled++;
		} else {
			s->other = true;
		}
	}
	if (s->count < SERIES_MAX)
		s->iv_us[s->count] = us;
	if (s->count < UINT16_MAX)
		s->count++;
	s->prev_us = us;
	s->last_ns = now_ns;
}

static enum schedule
series_schedule(const struct retry_series *s)
{
	if (s->other)
		return SCHED_OTHER;
	if (s->count <= 1)
		return SCHED_SINGLE;
	if (s->doubled == 0)
		return SCHED_LINEAR;
	return s->same ? SCHED_LINEAR_EXP : SCHED_EXPONENTIAL;
}

/* "1.023953,1.023984,2.016005" (seconds). */
static void
series_list(const struct retry_series *s, char *buf, size_t size)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < s->count && i < SERIES_MAX && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%u.%06u", i ? "," : "",
		    s->iv_us[i] / 1000000, s->iv_us[i] % 1000000);
	if (s->count > SERIES_MAX && used < size)
		snprintf(buf + used, size - used, ",...");
}

/* How the schedule compares with Linux.  SYNs: the initial RTO (1 s)
 * repeated while net.ipv4.tcp_syn_linear_timeouts lasts (N linear
 * timeouts showed as N + 1 intervals of ~1 s on the recording kernel,
 * tests/record/LISTEN.md), then doubling; SYN-ACKs (reqsk_timer_handler):
 * doubling from 1 s for net.ipv4.tcp_synack_retries. */
static void
series_linux(const struct retry_series *s, bool syn, char *buf, size_t size)
{
	unsigned lin = (unsigned)s->same + 1;

	switch (series_schedule(s)) {
	case SCHED_SINGLE:
		snprintf(buf, size, "first retry after %.3f s (Linux: the initial RTO, 1 s)",
		    s->iv_us[0] / 1e6);
		break;
	case SCHED_LINEAR:
		if (syn)
			snprintf(buf, size, "linear so far: Linux with "
			    "net.ipv4.tcp_syn_linear_timeouts >= %u", lin - 1);
		else
			snprintf(buf, size, "not Linux's SYN-ACK backoff (it doubles)");
		break;
	case SCHED_EXPONENTIAL:
		if (syn)
			snprintf(buf, size, "Linux without linear timeouts "
			    "(net.ipv4.tcp_syn_linear_timeouts=0)");
		else
			snprintf(buf, size, "Linux's SYN-ACK backoff (1, 2, 4, 8, 16 s; "
			    "net.ipv4.tcp_synack_retries)");
		break;
	case SCHED_LINEAR_EXP:
		if (syn)
			snprintf(buf, size, "Linux with net.ipv4.tcp_syn_linear_timeouts=%u "
			    "(%u intervals of the initial RTO, then doubling)", lin - 1, lin);
		else
			snprintf(buf, size,
			    "not Linux's SYN-ACK backoff (it doubles from the start)");
		break;
	case SCHED_OTHER:
	case SCHED_COUNT:
		snprintf(buf, size, "no Linux schedule (neither repeated nor doubled intervals)");
		break;
	}
}

/* Report one retransmitted SYN or SYN-ACK with its schedule. */
static void
report_retry(const struct seg_ctx *sc, enum event_kind k, const struct retry_series *s,
    unsigned attempt, double since_first, bool answers_syn)
{
	char list[SERIES_MAX * 12 + 8], linux_note[128];
	const char *sched = schedule_names[series_schedule(s)];
	double interval = s->prev_us / 1e6;
	bool syn = k == EVK_SYN_RETRANSMIT;
	struct event ev;

	series_list(s, list, sizeof(list));
	series_linux(s, syn, linux_note, sizeof(linux_note));
	seg_event(&ev, k, sc);
	event_message(&ev, "%s re-sent its %s (attempt %u, %.3f s after the previous; "
	    "intervals %s s: %s)", sc->from_client ? "client" : "server", syn ? "SYN" : "SYN-ACK",
	    attempt,
	    interval, list, sched);
	event_detail_uint(&ev, "attempt", attempt);
	event_detail_double(&ev, "interval", interval);
	event_detail_double(&ev, "since_first", since_first);
	event_detail_uint(&ev, "isn", sc->seg->seq);
	event_detail_str(&ev, "intervals", list);
	event_detail_str(&ev, "schedule", sched);
	if (series_schedule(s) == SCHED_LINEAR || series_schedule(s) == SCHED_LINEAR_EXP)
		event_detail_uint(&ev, "linear_intervals", (unsigned)s->same + 1);
	event_detail_str(&ev, "linux", linux_note);
	if (s->from_attempt != 2)
		event_detail_uint(&ev, "intervals_from_attempt", s->from_attempt);
	if (!syn) {
		event_detail_bool(&ev, "client_acked", (sc->c->cflags & CONN_HS_COMPLETE) != 0);
		if (answers_syn)
			event_detail_bool(&ev, "answers_syn_retransmit", true);
	}
	analysis_emit(sc->a, sc->c, &ev);
}

/* ---- connection_refused, accept_overflow_rst --------------------------- */

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
	after = secs(sc->ts_ns - conn_final_ack_ns(c, sc->x));
	seg_event(&ev, EVK_ACCEPT_OVERFLOW_RST, sc);
	event_message(&ev, "server reset the connection %.6f s after the handshake completed, "
	    "before sending anything (accept queue full, tcp_abort_on_overflow=1)", after);
	event_detail_double(&ev, "seconds_after_handshake", after);
	event_detail_uint(&ev, "rst_seq", seg->seq);
	event_detail_uint(&ev, "client_bytes_sent", sc->rx != NULL ? sc->rx->bytes : 0);
	event_detail_str(&ev, "variant", "rst");
	analysis_emit(sc->a, c, &ev);
}

/* ---- syn_retransmit, synack_retransmit, synack_bad_ack ----------------- */

/* syn_retransmit: the client sent its SYN again with the same ISN (RFC 6298
 * 5.5: the retransmission timer doubles; Linux re-sends after 1 s, then
 * backs off, possibly after net.ipv4.tcp_syn_linear_timeouts linear 1 s
 * retries on recent kernels).  The interval is from the previous SYN
 * (the watch table keeps its time; the connection's start for the
 * first retry; if the watch entry was lost, the connection's previous
 * packet, which before any answer is the previous SYN). */
static void
detect_syn_retransmit(const struct seg_ctx *sc)
{
	struct conn *c = sc->c;
	struct hs_entry *e;
	int64_t prev_ns;

	if ((sc->seg->flags & (TCP_SYN | TCP_ACK)) != TCP_SYN || !sc->tr->syn_retransmit ||
	    sc->netdup)
		return;
	if (!sc->from_client) {
		unsigned attempt;

		/* the other SYN of a simultaneous open, re-sent on its own
		 * sender's schedule, kept in the SYN-ACK series (that side
		 * answers with a SYN-ACK of the same ISN later) */
		if (!(c->cflags & CONN_SIMOPEN))
			return;
		e = watch_get(sc->a, c);
		attempt = e->synack.count + 2u;
		prev_ns = e->synack.count > 0 ? e->synack.last_ns :
		    e->simopen_ns ? e->simopen_ns : c->last_ns;
		series_add(&e->synack, attempt, prev_ns, sc->ts_ns);
		report_retry(sc, EVK_SYN_RETRANSMIT, &e->synack, attempt,
		    secs(sc->ts_ns - (e->simopen_ns ? e->simopen_ns : c->start_ns)), false);
		return;
	}
	e = watch_get(sc->a, c);
	if (e->syn.count > 0)
		prev_ns = e->syn.last_ns;
	else if (c->syn_tx == 2)
		prev_ns = e->attempt_ns ? e->attempt_ns : c->start_ns;
	else
		prev_ns = c->last_ns;
	series_add(&e->syn, c->syn_tx, prev_ns, sc->ts_ns);
	report_retry(sc, EVK_SYN_RETRANSMIT, &e->syn, c->syn_tx,
	    secs(sc->ts_ns - (e->attempt_ns ? e->attempt_ns : c->start_ns)), false);
}

/* synack_retransmit: the server sent its SYN-ACK again with the same ISN:
 * it did not see the client's final ACK (loss, or a listener that keeps
 * the request and re-sends on net.ipv4.tcp_synack_retries' schedule: 1, 2,
 * 4, 8, 16 s).  A SYN-ACK that answers a retransmitted SYN is counted too:
 * Linux answers each SYN copy (it says so in the detail). */
static void
detect_synack_retransmit(const struct seg_ctx *sc)
{
	struct conn *c = sc->c;
	struct hs_entry *e;
	bool answers_syn;

	if (sc->from_client || (sc->seg->flags & (TCP_SYN | TCP_ACK)) != (TCP_SYN | TCP_ACK) ||
	    sc->netdup)
		return;
	if (sc->tr->syn_retransmit && c->last_synack_us) {
		e = watch_get(sc->a, c);
		/* a SYN copy just before (100 ms: arbitrary, far below any
		 * retransmission timer) is what this SYN-ACK answers */
		answers_syn = e->syn.count > 0 && sc->ts_ns - e->syn.last_ns < 100000000LL;
		series_add(&e->synack, c->synack_tx, conn_last_synack_ns(c), sc->ts_ns);
		report_retry(sc, EVK_SYNACK_RETRANSMIT, &e->synack, c->synack_tx,
		    secs(sc->ts_ns - conn_synack_ns(c)), answers_syn);
	}
	c->last_synack_us = us_plus_one(sc->ts_ns - c->start_ns);
}

/* synack_bad_ack: a SYN-ACK must acknowledge the SYN it answers: ack =
 * ISN + 1 modulo 2^32 (RFC 793 3.4, p.31), or up to the end of the data
 * the SYN carried (TCP Fast Open, RFC 7413: all of it, part or none).  Anything else is a stale or
 * spoofed SYN-ACK or a middlebox rewriting sequence numbers; the SYN's
 * sender answers it with a RST <SEQ=SEG.ACK> (RFC 793 p.66) and keeps
 * waiting.  Reported for each SYN-ACK with a new ISN (copies of one bad
 * SYN-ACK are one mistake); the peer's SYN must have been seen. */
static void
detect_synack_bad_ack(const struct seg_ctx *sc)
{
	const struct segment *seg = sc->seg;
	uint32_t want = sc->rcv->isn + 1;
	struct event ev;
	int32_t off;

	if ((seg->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != (TCP_SYN | TCP_ACK) ||
	    sc->tr->syn_retransmit)
		return;
	if ((sc->rcv->flags & (SIDE_SYN | SIDE_MIDSTREAM)) != SIDE_SYN)
		return;
	if ((sc->rcv->flags & SIDE_SEQ_KNOWN) && seq_within(seg->ack, want, sc->rcv->snd_next))
		return;
	off = seq_diff(seg->ack, want);
	if (off == 0)
		return;
	seg_event(&ev, EVK_SYNACK_BAD_ACK, sc);
	if ((sc->rcv->flags & SIDE_SEQ_KNOWN) && sc->rcv->snd_next != want)
		event_message(&ev, "SYN-ACK acknowledges %u, not the SYN's ISN + 1 = %u up to the "
		    "end of its data %u (off by %" PRId32 ")", seg->ack, want, sc->rcv->snd_next,
		    off);
	else
		event_message(&ev, "SYN-ACK acknowledges %u, not the SYN's ISN + 1 = %u "
		    "(off by %" PRId32 ")", seg->ack, want, off);
	event_detail_uint(&ev, "ack", seg->ack);
	event_detail_uint(&ev, "expected_ack", want);
	if ((sc->rcv->flags & SIDE_SEQ_KNOWN) && sc->rcv->snd_next != want)
		event_detail_uint(&ev, "syn_data_end", sc->rcv->snd_next);
	event_detail_int(&ev, "off_by", off);
	event_detail_uint(&ev, "syn_isn", sc->rcv->isn);
	event_detail_uint(&ev, "synack_isn", seg->seq);
	analysis_emit(sc->a, sc->c, &ev);
}

/* ---- accept_overflow_drop ---------------------------------------------- */

/* Has the server sent nothing since its SYN-ACK(s)? */
static bool
server_silent(const struct conn *c)
{
	const struct side *sv = &c->side[!c->client];

	return sv->packets == c->synack_tx && !(sv->flags & (SIDE_RST | SIDE_FIN));
}

/* The overflow is known: tell the listener when (the SYNs it drops while
 * its accept queue is full are noted there). */
static void
overflow_confirmed(const struct seg_ctx *sc, struct hs_entry *e, uint8_t variant)
{
	struct listener *l;

	e->ov |= variant;
	if (variant == OV_SILENT) {
		struct hs_memo *m = hs_memo_find(sc->a, sc->c->stream);

		if (m != NULL)
			m->flags |= MEMO_SILENT;
	}
	l = analysis_conn_listener(sc->a, sc->c);
	if (l != NULL)
		listener_note_overflow(sc->a, l, conn_final_ack_ns(sc->c, sc->x), sc->ts_ns);
}

/* accept_overflow_drop: a Linux listener whose accept queue is full
 * (net.ipv4.tcp_abort_on_overflow=0) drops the handshake's final ACK
 * (tcp_check_req -> syn_recv_sock fails -> listen_overflow: "drop")
 * and every later segment of the client until the queue has room.
 *  - With a request socket it re-sends its SYN-ACK on the SYN-ACK timer
 *    (variant synresend): the client's ACK, and its data, had passed the
 *    capture point, yet the SYN-ACK comes again with the same ISN; the
 *    client answers each with an ACK and retransmits its data.  A bare
 *    final ACK dropped under TCP_DEFER_ACCEPT also brings a re-send, so
 *    one re-send alone is not enough: the client's data must have come
 *    before it (with the capture point at the server), or a client
 *    answer to a re-send must have been followed by another re-send.
 *  - With a SYN cookie there is no request socket, so nothing is re-sent
 *    (variant silent): the client's data is retransmitted into silence.
 *    Confirmed by two retransmissions with the server silent since its
 *    SYN-ACK for SYNACK_RESEND_DUE_NS (a request socket would have
 *    re-sent its SYN-ACK by then).
 * Watched from the first sign (a re-sent SYN-ACK after the final ACK, or
 * retransmitted client data with the server silent), reported once when
 * the connection ends, at the frame of the final ACK. */
static void
detect_accept_overflow_drop(const struct seg_ctx *sc)
{
	struct conn *c = sc->c;
	const struct side *cl = &c->side[c->client];
	const struct segment *seg = sc->seg;
	bool resend, rtx;
	struct hs_entry *e;

	if ((c->cflags & (CONN_LISTENER | CONN_HS_COMPLETE)) != (CONN_LISTENER | CONN_HS_COMPLETE))
		return;
	/* An entry matters only while the server is silent after its
	 * SYN-ACK, and for the segment that ends the silence: ordinary
	 * traffic never looks in the table. */
	if (!server_silent(c) && (sc->from_client ||
	    c->side[!c->client].packets != (uint32_t)c->synack_tx + 1))
		return;
	resend = !sc->from_client && (seg->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) &&
	    sc->tr->syn_retransmit && !sc->netdup;
	rtx = sc->from_client && seg->payload_len > 0 && sc->tr->retrans_bytes > 0 &&
	    server_silent(c);
	e = watch_find(sc->a, c);
	if (e == NULL || e->ov == 0) {
		if (!resend && !rtx)
			return;
		e = watch_get(sc->a, c);
		e->ov = OV_WATCH;
		e->c = c;
	}
	if (e->ov & OV_RECOVERED)
		return;
	if (!sc->from_client) {
		if (!resend) {
			if (!(seg->flags & TCP_SYN)) {
				/* the server spoke: the queue had room at last */
				e->ov |= OV_RECOVERED;
				e->recovered_frame = (uint32_t)sc->frame;
				e->dropped = cl->packets - c->syn_tx;
			}
			return;
		}
		if (e->n_resend < OV_FRAMES)
			e->resend_frame[e->n_resend] = (uint32_t)sc->frame;
		if (e->n_resend < UINT16_MAX)
			e->n_resend++;
		/* Away from the server the final ACK and the data may have
		 * been lost after the capture point: then only a client
		 * answer to a re-send, followed by another re-send, will do. */
		if (!(e->ov & OV_SYNRESEND) &&
		    ((e->n_resend >= 2 && cl->packets > e->cl_packets_at_resend) ||
		    (seq_gt(cl->snd_next, cl->isn + 1) &&
		    strcmp(capture_point(sc->a, c), "server") == 0)))
			overflow_confirmed(sc, e, OV_SYNRESEND);
		e->cl_packets_at_resend = cl->packets;
	} else if (rtx) {
		if (e->n_rtx < OV_FRAMES)
			e->rtx_frame[e->n_rtx] = (uint32_t)sc->frame;
		if (e->n_rtx < UINT16_MAX)
			e->n_rtx++;
		if (!(e->ov & (OV_SYNRESEND | OV_SILENT)) && e->n_resend == 0 && e->n_rtx >= 2 &&
		    c->synack_tx == 1 && sc->ts_ns - conn_last_synack_ns(c) >= SYNACK_RESEND_DUE_NS)
			overflow_confirmed(sc, e, OV_SILENT);
	} else if (seg->payload_len == 0 && e->n_resend > 0 && e->n_answer < UINT16_MAX) {
		e->n_answer++;
	}
	if (e->ov & (OV_SYNRESEND | OV_SILENT)) {
		struct listener *l = analysis_conn_listener(sc->a, c);

		e->last_ns = sc->ts_ns;
		e->last_frame = (uint32_t)sc->frame;
		if (l != NULL)
			listener_note_overflow(sc->a, l, conn_final_ack_ns(c, sc->x), sc->ts_ns);
	}
}

/* Where the capture point sits (analysis.c decided it when the handshake
 * completed). */
static const char *
capture_point(struct analysis *a, const struct conn *c)
{
	const struct hs_memo *m = hs_memo_find(a, c->stream);

	if (m != NULL && (m->flags & MEMO_AT_SERVER))
		return "server";
	if (m != NULL && (m->flags & MEMO_AT_CLIENT))
		return "client";
	return "unknown";
}

static void
report_overflow(struct analysis *a, struct hs_entry *e)
{
	struct conn *c = e->c;
	const struct side *cl = &c->side[c->client];
	struct hs_memo *m = hs_memo_find(a, c->stream);
	bool synresend = e->ov & OV_SYNRESEND;
	const char *where = capture_point(a, c);
	char rs[OV_FRAMES * 11 + 8], rt[OV_FRAMES * 11 + 8];
	uint32_t dropped, unacked = 0;
	uint64_t frame;
	struct event ev;
	bool dropped_by_server;

	frame = m != NULL && m->ack_frame ? m->ack_frame : e->last_frame;
	dropped = e->ov & OV_RECOVERED ? e->dropped : cl->packets - c->syn_tx;
	if ((cl->flags & (SIDE_SYN | SIDE_SEQ_KNOWN)) == (SIDE_SYN | SIDE_SEQ_KNOWN) &&
	    seq_gt(cl->snd_next, cl->isn + 1)) {
		/* payload bytes: the FIN's sequence number is not a byte */
		unacked = (uint32_t)seq_diff(cl->snd_next, cl->isn + 1);
		if (cl->flags & SIDE_FIN)
			unacked--;
	}
	/* Dropped by the server rather than lost on the way: the capture sat
	 * at the server, or the client's answers to re-sent SYN-ACKs passed
	 * it and the server still re-sent. */
	dropped_by_server = strcmp(where, "server") == 0 ||
	    (synresend && e->n_answer >= 1 && e->n_resend >= 2);
	event_init(&ev, EVK_ACCEPT_OVERFLOW_DROP, frame,
	    m != NULL && m->ack_frame ? conn_final_ack_ns(c, analysis_ext(a, c)) : e->last_ns);
	ev.stream = c->stream;
	ev.has_stream = true;
	ev.has_src = true;
	analysis_endpoint(a, c, c->client, &ev.src);
	analysis_endpoint(a, c, !c->client, &ev.dst);
	frame_list(rs, sizeof(rs), e->resend_frame, e->n_resend);
	frame_list(rt, sizeof(rt), e->rtx_frame, e->n_rtx);
	if (synresend)
		event_message(&ev, "server dropped the handshake's final ACK (accept queue full): "
		    "it re-sent its SYN-ACK %u time%s after it and acknowledged none of the "
		    "client's %u bytes", e->n_resend, e->n_resend == 1 ? "" : "s", unacked);
	else
		event_message(&ev, "server silently dropped the handshake's final ACK and the "
		    "client's %u bytes (%u retransmissions), never re-sending its SYN-ACK "
		    "(SYN cookie; accept queue full)", unacked, e->n_rtx);
	event_detail_str(&ev, "variant", synresend ? "synresend" : "silent");
	if (m != NULL && m->ack_frame)
		event_detail_uint(&ev, "final_ack_frame", m->ack_frame);
	event_detail_str(&ev, "final_ack", dropped_by_server ? "dropped_by_server" :
	    "seen_at_capture_point");
	event_detail_str(&ev, "capture_point", where);
	event_detail_uint(&ev, "synack_resent", e->n_resend);
	if (e->n_resend)
		event_detail_str(&ev, "synack_resent_frames", rs);
	event_detail_uint(&ev, "client_retransmissions", e->n_rtx);
	if (e->n_rtx)
		event_detail_str(&ev, "retransmitted_frames", rt);
	event_detail_uint(&ev, "client_answers", e->n_answer);
	event_detail_uint(&ev, "unacked_bytes", unacked);
	event_detail_uint(&ev, "dropped_segments", dropped);
	event_detail_double(&ev, "seconds",
	    secs(e->last_ns - conn_final_ack_ns(c, analysis_ext(a, c))));
	event_detail_bool(&ev, "recovered", (e->ov & OV_RECOVERED) != 0);
	if (e->ov & OV_RECOVERED)
		event_detail_uint(&ev, "recovered_frame", e->recovered_frame);
	analysis_emit(a, c, &ev);
	e->ov = 0;
	e->c = NULL;
}

/* ---- simultaneous_open -------------------------------------------------- */

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
	watch_get(sc->a, sc->c)->simopen_ns = sc->ts_ns;
	seg_event(&ev, EVK_SIMULTANEOUS_OPEN, sc);
	event_message(&ev, "both sides sent a SYN (simultaneous open)");
	event_detail_uint(&ev, "isn", sc->seg->seq);
	event_detail_uint(&ev, "peer_isn", sc->rcv->isn);
	analysis_emit(sc->a, sc->c, &ev);
}

void
detect_handshake(const struct seg_ctx *sc)
{
	if (sc->snd->packets == 1)
		(void)dir_seen(sc->a, sc->c,
		    sc->from_client ? sc->c->client : !sc->c->client, true);
	detect_refused(sc);
	detect_accept_overflow_rst(sc);
	detect_syn_retransmit(sc);
	detect_synack_bad_ack(sc);
	detect_accept_overflow_drop(sc);
	detect_synack_retransmit(sc);
	detect_simultaneous_open(sc);
}

/* syn_unanswered: the connection ends (or the input does) with its SYN,
 * and any retries, never answered by a SYN-ACK or a RST, and the client
 * never acknowledged anything after it (which it does only once a SYN-ACK
 * reached it).  A pending
 * accept_overflow_drop is reported now, with all its evidence. */
/* One direction only: one side sent segments, the other none, and either
 * the seen side sent more than SYNs (it was answered: asymmetric routing,
 * a capture on one side of it) or the input never showed its peer's
 * address sending anything at all. */
static bool
conn_one_sided(struct analysis *a, const struct conn *c)
{
	unsigned seen = (c->side[0].flags & SIDE_SEEN) ? 0 : 1;

	if (((c->side[0].flags ^ c->side[1].flags) & SIDE_SEEN) == 0)
		return false;
	if (c->side[seen].packets > (seen == c->client ? c->syn_tx : 0))
		return true;
	return !dir_seen(a, c, !seen, false);
}

void
detect_handshake_end(struct analysis *a, struct conn *c, struct conn_report *cr)
{
	const struct side *cl = &c->side[c->client], *sv = &c->side[!c->client];
	struct hs_entry *e = watch_find(a, c);
	struct endpoint src, dst;
	struct event ev;
	double waited;

	if (e != NULL) {
		if (e->ov & (OV_SYNRESEND | OV_SILENT))
			report_overflow(a, e);
		memset(e, 0, sizeof(*e));
	}
	cr->one_sided = conn_one_sided(a, c);
	analysis_hs_watch(a)->one_sided += cr->one_sided;
	if (c->syn_tx == 0 || (sv->flags & SIDE_SEEN) || !(cl->flags & SIDE_SYN) ||
	    (cl->flags & SIDE_SYNACK))
		return;
	/* A client that went on to acknowledge something after its SYN got
	 * a SYN-ACK the capture missed (asymmetric routing, a one-sided
	 * capture): the SYN was answered. */
	if (cl->flags & SIDE_ACKED) {
		cr->synack_unseen = true;
		return;
	}
	waited = secs(c->last_ns - c->start_ns);
	analysis_endpoint(a, c, c->client, &src);
	analysis_endpoint(a, c, !c->client, &dst);
	event_init(&ev, EVK_SYN_UNANSWERED, c->last_frame, c->last_ns);
	ev.stream = c->stream;
	ev.has_stream = true;
	ev.has_src = true;
	ev.src = src;
	ev.dst = dst;
	event_detail_uint(&ev, "attempts", c->syn_tx);
	event_detail_double(&ev, "seconds", waited);
	event_detail_uint(&ev, "first_frame", c->first_frame);
	/* Nothing from the server's address in the whole input: a host that
	 * is down or a port filtered in silence looks exactly like a capture
	 * of one direction (the answer took another path).  Still worth
	 * saying, but not as a warning the capture cannot back. */
	if (cr->one_sided) {
		ev.severity = SEV_NOTICE;
		event_detail_bool(&ev, "peer_silent", true);
		event_message(&ev, "%u SYN%s over %.3f s, no SYN-ACK or RST seen; the capture "
		    "shows nothing from this address (host silent, or a one-sided capture)",
		    c->syn_tx, c->syn_tx == 1 ? "" : "s", waited);
	} else {
		event_message(&ev, "%u SYN%s over %.3f s, no SYN-ACK or RST seen", c->syn_tx,
		    c->syn_tx == 1 ? "" : "s", waited);
	}
	analysis_emit(a, c, &ev);
}
