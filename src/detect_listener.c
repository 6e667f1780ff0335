/* detect_listener.c: listener-level detectors, each one event per
 * listener and episode rather than per SYN: syn_flood (a sliding window
 * of SYNs against completed handshakes), syn_cookie (the server answering
 * with SYN cookies, inferred from what a capture shows of its SYN-ACKs)
 * and accept_overflow_syn_drop (new SYNs dropped while the accept queue
 * was full).
 *
 * State is per listener (struct lstate, one per slot of the listener
 * table, which is capped at LISTENER_MAX): a flood of millions of spoofed
 * sources changes counters and a fixed-size HyperLogLog, never the amount
 * of memory. */
#include "config.h"

#include "analysis_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLOOD_SLOTS	10	/* the window moves in steps of window / 10 */

/* Distinct sources: HyperLogLog (Flajolet et al., 2007) with 2^7
 * registers, one byte each: standard error 1.04 / sqrt(128) ~ 9 %, and
 * linear counting below 2.5 * 128 sources. */
#define HLL_P		7
#define HLL_M		(1u << HLL_P)

/* Server memory a half-open entry holds when it is a request socket:
 * the slab object of struct tcp_request_sock, /sys/kernel/slab/
 * request_sock_TCP/slab_size = 320 bytes (object_size 312) on Linux
 * 6.18.44 x86-64, the kernel of tests/record (IPv6: request_sock_TCPv6,
 * the same 320).  A SYN cookie holds none. */
#define REQUEST_SOCK_BYTES	320u

/* A SYN-ACK not re-sent 1.5 s on had no request socket (Linux re-sends
 * after TCP_TIMEOUT_INIT, 1 s). */
#define SYNACK_RESEND_DUE_NS	1500000000LL

/* The capture point is taken to sit at the server when the SYN -> SYN-ACK
 * gap is at most this (us): then the TSvals of the server's segments are
 * compared with capture time without path jitter. */
#define NEAR_SERVER_US		2000

/* A cookie TSval is the clock rounded down to a multiple of 64 plus the
 * option bits (cookie_init_timestamp), so it lags the clock by 0-63 ms;
 * a normal TSval keeps step within the 1 ms clock granularity. */
#define TS_LAG_MIN_MS		3.0
#define TS_LAG_MAX_MS		66.0
#define TS_STEP_MAX_MS		2.0

/* The server's TSval clock is timed against capture time over at least
 * 0.5 s: a re-sent SYN-ACK against the previous SYN-ACK of its connection
 * (Linux re-sends after 1 s), and the server's segments after the
 * handshake, the spans between consecutive ones of each connection summed
 * over all connections of the listener (a slope with one intercept per
 * connection: TSval offsets differ per connection).  It keeps step when
 * it ticks 0.9-1.1 times per ms. */
#define TS_CLOCK_SPAN_NS	500000000LL
#define TS_RATE_MIN		0.9
#define TS_RATE_MAX		1.1

struct hll {
	uint8_t	reg[HLL_M];
};

/* Distinct sources, exact while few: an open-addressed set of source
 * hashes, grown by doubling up to SRC_EXACT_CAP slots (half full at
 * most); past SRC_EXACT_CAP / 2 sources it is freed and the HyperLogLog
 * alone counts.  Allocated only for listeners that receive SYNs. */
#define SRC_EXACT_CAP	2048u
struct src_set {
	uint64_t	*h;		/* NULL: empty, or over (see over) */
	uint32_t	n, cap;
	bool		over;		/* more than SRC_EXACT_CAP / 2 sources */
};

/* Half-open entries from counters, not from the connection table (which
 * --memcap bounds): a ring of one-second buckets over the life of a
 * request socket.  Linux re-sends a SYN-ACK 5 times (1, 2, 4, 8, 16 s;
 * net.ipv4.tcp_synack_retries) and drops the request 32 s after the
 * last: 63 s. */
#define REQ_LIFE_S	63
#define REQ_RING	64u
struct req_ring {
	uint32_t	b[REQ_RING];
	uint64_t	sum;
};

struct flood_episode {
	bool		active;
	uint64_t	trigger_frame;		/* where the thresholds were crossed */
	int64_t		trigger_ns;
	uint64_t	first_frame, last_frame;	/* first and last SYN counted */
	int64_t		first_ns, last_ns;
	uint64_t	syns, completed, synacks, resent;
	uint64_t	peak_window_syns, peak_half_open;
	uint64_t	peak_syns_pending;	/* SYNs not timed out, answered or not */
	int64_t		last_synack_ns;
	int64_t		quiet_ns;		/* the flood stopped (0 = on) */
	struct hll	sources;
	struct src_set	exact;
};

/* syn_cookie evidence, per input. */
struct cookie_ev {
	uint64_t	cookies;	/* SYN-ACKs taken for cookies (each once) */
	uint64_t	not_resent;	/* ... never re-sent, handshake never completed */
	uint64_t	ts_set_back;	/* ... TSval lagging the server's clock */
	uint64_t	opts_dropped;	/* ... window scale and SACK dropped (no TS) */
	uint64_t	silent;		/* ... accept_overflow_drop (silent) */
	uint64_t	request_socks;	/* SYN-ACKs shown to have a request socket */
	uint64_t	completed;	/* handshakes completed on the listener */
	uint64_t	ts_only;	/* ... taken for cookies on the TSval alone */
	uint64_t	first_frame, last_frame;
	int64_t		first_ns;
	int		lag_min_ms, lag_max_ms;
	/* does the server's TSval clock keep step with the capture's?  Re-sent
	 * SYN-ACKs, one verdict each; server segments, summed (seg_*) */
	uint32_t	resend_ok, resend_bad;
	double		bad_rate;	/* ticks per ms of the latest bad re-send */
	uint64_t	seg_ticks;	/* TSval advance between server segments */
	int64_t		seg_ns;		/* ... over this much capture time */
	uint32_t	seg_pairs;
};

struct lstate {
	/* sliding window */
	int64_t			slot_start_ns;	/* start of slot cur (0 = unused) */
	uint32_t		syn[FLOOD_SLOTS], done[FLOOD_SLOTS], synack[FLOOD_SLOTS];
	uint32_t		first_frame[FLOOD_SLOTS];	/* first SYN of each slot */
	int64_t			first_ns[FLOOD_SLOTS];
	uint32_t		win_syn, win_done;	/* sums over the slots */
	uint8_t			cur;
	bool			echoes_options;	/* a SYN-ACK carried WS or SACK_PERM */
	bool			overflow;		/* ov_* valid */
	int64_t			hll_epoch;	/* window-aligned epoch of hll_cur */
	struct hll		hll_cur, hll_prev;
	struct src_set		exact_cur, exact_prev;	/* the same, exact while few */
	/* half-open entries: behind SYN-ACKs (request sockets), and SYNs */
	struct req_ring		req, pend;
	int64_t			ring_sec;	/* second of the rings' newest bucket */
	bool			ring_set;
	bool			server_seen;	/* a SYN-ACK or RST of the server */
	struct flood_episode	ep;
	struct cookie_ev	ck;
	/* accept queue overflow and the SYNs dropped meanwhile */
	int64_t			ov_from_ns, ov_to_ns;
	uint64_t		drop_conns, drop_syns;
	uint64_t		drop_first_frame, drop_last_frame;
	int64_t			drop_first_ns;
};

/* cookie_synack events of connections that left the table before the
 * end of the input on the TSval alone while their listener's clock was
 * untimed: held until the end of the input decides (bounded; when full,
 * reported at once). */
#define COOKIE_PENDING_MAX	64u
struct cookie_pending {
	struct event	ev;
	unsigned	li;		/* listener index */
};

struct listen_watch {
	struct lstate		st[LISTENER_MAX];
	uint16_t		active[LISTENER_MAX];	/* listeners with a flood open */
	unsigned		nactive;
	int64_t			next_tick_ns;
	struct cookie_pending	pend[COOKIE_PENDING_MAX];
	unsigned		npend;
	unsigned		nused;	/* st[] past it never held a source set */
};

struct listen_watch *
listen_watch_create(void)
{
	return calloc(1, sizeof(struct listen_watch));
}

static void lstate_free(struct lstate *s);

void
listen_watch_destroy(struct listen_watch *w)
{
	unsigned i;

	if (w == NULL)
		return;
	/* only those used: the rest of the 3.8 MB was never touched */
	for (i = 0; i < w->nused; i++)
		lstate_free(&w->st[i]);
	free(w);
}

/* ---- HyperLogLog ------------------------------------------------------- */

/* A fixed hash (FNV-1a, then the splitmix64 finaliser): the estimate is
 * the same on every run, which the regression tests rely on. */
static uint64_t
source_hash(const struct endpoint *ep)
{
	uint64_t h = 1469598103934665603u;
	unsigned i;

	for (i = 0; i < 16; i++)
		h = (h ^ ep->addr[i]) * 1099511628211u;
	h ^= ep->family;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9u;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebu;
	return h ^ (h >> 31);
}

static void
hll_add(struct hll *h, uint64_t x)
{
	unsigned idx = (unsigned)(x >> (64 - HLL_P));
	uint64_t w = x << HLL_P;
	uint8_t rank = w ? (uint8_t)(__builtin_clzll(w) + 1) : (uint8_t)(64 - HLL_P + 1);

	if (rank > h->reg[idx])
		h->reg[idx] = rank;
}

static void
hll_merge(struct hll *into, const struct hll *from)
{
	unsigned i;

	for (i = 0; i < HLL_M; i++)
		if (from->reg[i] > into->reg[i])
			into->reg[i] = from->reg[i];
}

static uint64_t
hll_estimate(const struct hll *h)
{
	double m = HLL_M, sum = 0, e;
	unsigned i, zeros = 0;

	for (i = 0; i < HLL_M; i++) {
		sum += ldexp(1.0, -h->reg[i]);
		zeros += h->reg[i] == 0;
	}
	e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	if (e <= 2.5 * m && zeros > 0)
		e = m * log(m / zeros);		/* linear counting */
	return (uint64_t)llround(e);
}

/* ---- exact distinct sources ------------------------------------------- */

static void
src_free(struct src_set *x)
{
	free(x->h);
	x->h = NULL;
	x->n = x->cap = 0;
}

static void
src_over(struct src_set *x)
{
	src_free(x);
	x->over = true;
}

static void src_add(struct src_set *x, uint64_t h);

static bool
src_grow(struct src_set *x)
{
	struct src_set y = { 0 };
	uint32_t i;

	y.cap = x->cap ? x->cap * 2 : 16;
	if (y.cap > SRC_EXACT_CAP || (y.h = calloc(y.cap, sizeof(*y.h))) == NULL)
		return false;
	for (i = 0; i < x->cap; i++)
		if (x->h[i])
			src_add(&y, x->h[i]);
	free(x->h);
	*x = y;
	return true;
}

static void
src_add(struct src_set *x, uint64_t h)
{
	uint32_t i;

	if (x->over)
		return;
	h |= 1;		/* 0 marks an empty slot */
	if ((x->n + 1) * 2 > x->cap && !src_grow(x)) {
		src_over(x);
		return;
	}
	for (i = (uint32_t)(h >> 32) & (x->cap - 1); x->h[i]; i = (i + 1) & (x->cap - 1))
		if (x->h[i] == h)
			return;
	x->h[i] = h;
	x->n++;
}

/* into gains from's sources. */
static void
src_merge(struct src_set *into, const struct src_set *from)
{
	uint32_t i;

	if (from->over) {
		src_over(into);
		return;
	}
	for (i = 0; i < from->cap && !into->over; i++)
		if (from->h[i])
			src_add(into, from->h[i]);
}

static void
lstate_free(struct lstate *s)
{
	src_free(&s->exact_cur);
	src_free(&s->exact_prev);
	src_free(&s->ep.exact);
}

/* ---- half-open entries from counters ---------------------------------- */

static void
rings_advance(struct lstate *s, int64_t sec)
{
	int64_t k;

	if (!s->ring_set || sec - s->ring_sec >= (int64_t)REQ_RING) {
		memset(&s->req, 0, sizeof(s->req));
		memset(&s->pend, 0, sizeof(s->pend));
		s->ring_sec = sec;
		s->ring_set = true;
		return;
	}
	for (k = s->ring_sec + 1; k <= sec; k++) {
		unsigned i = (unsigned)(((k - REQ_LIFE_S) % (int64_t)REQ_RING + REQ_RING) %
		    REQ_RING);

		/* the bucket REQ_LIFE_S seconds old expires */
		s->req.sum -= s->req.b[i];
		s->req.b[i] = 0;
		s->pend.sum -= s->pend.b[i];
		s->pend.b[i] = 0;
	}
	if (sec > s->ring_sec)
		s->ring_sec = sec;
}

static unsigned
ring_index(int64_t sec)
{
	return (unsigned)((sec % (int64_t)REQ_RING + REQ_RING) % REQ_RING);
}

static void
ring_add(struct req_ring *r, const struct lstate *s, int64_t sec)
{
	if (s->ring_sec - sec >= REQ_LIFE_S)
		return;
	r->b[ring_index(sec)]++;
	r->sum++;
}

/* An entry made at second sec left (handshake completed, or reset). */
static void
ring_sub(struct req_ring *r, const struct lstate *s, int64_t sec)
{
	unsigned i = ring_index(sec);

	if (s->ring_sec - sec >= REQ_LIFE_S || sec > s->ring_sec || r->b[i] == 0)
		return;
	r->b[i]--;
	r->sum--;
}

static int64_t
sec_of(int64_t ns)
{
	return ns >= 0 ? ns / 1000000000 : -((-ns + 999999999) / 1000000000);
}

/* c's half-open entry is gone: its handshake completed, or a reset. */
static void
half_open_gone(struct lstate *s, const struct conn *c)
{
	if ((c->side[c->client].flags & (SIDE_SYN | SIDE_MIDSTREAM)) != SIDE_SYN)
		return;
	if (c->side[!c->client].flags & SIDE_SYNACK)
		ring_sub(&s->req, s, sec_of(conn_synack_ns(c)));
	ring_sub(&s->pend, s, sec_of(c->start_ns));
}

/* ---- the sliding window ------------------------------------------------ */

static void
window_advance(struct lstate *s, int64_t slot_ns, int64_t now)
{
	if (s->slot_start_ns == 0 || now - s->slot_start_ns >= 2 * FLOOD_SLOTS * slot_ns) {
		memset(s->syn, 0, sizeof(s->syn));
		memset(s->done, 0, sizeof(s->done));
		memset(s->synack, 0, sizeof(s->synack));
		memset(s->first_frame, 0, sizeof(s->first_frame));
		memset(s->first_ns, 0, sizeof(s->first_ns));
		s->win_syn = s->win_done = 0;
		s->slot_start_ns = now - now % slot_ns;
		return;
	}
	while (now >= s->slot_start_ns + slot_ns) {
		s->cur = (uint8_t)((s->cur + 1) % FLOOD_SLOTS);
		s->win_syn -= s->syn[s->cur];
		s->win_done -= s->done[s->cur];
		s->syn[s->cur] = s->done[s->cur] = s->synack[s->cur] = s->first_frame[s->cur] = 0;
		s->first_ns[s->cur] = 0;
		s->slot_start_ns += slot_ns;
	}
}

static int64_t
slot_ns(const struct analysis *a)
{
	int64_t w = analysis_config(a)->flood_window_ns / FLOOD_SLOTS;

	return w > 0 ? w : 1;
}

/* Where an episode starts: the oldest slot of the window whose SYNs
 * alone run at the flood rate (its share of --syn-flood-syns), so that a
 * quiet lead-in (a few legitimate SYNs before the burst) stays out. */
static unsigned
window_flood_start(const struct lstate *s, uint32_t min_syns)
{
	unsigned i;

	for (i = 1; i < FLOOD_SLOTS; i++) {
		unsigned k = (s->cur + i) % FLOOD_SLOTS;

		if ((uint64_t)s->syn[k] * FLOOD_SLOTS >= min_syns)
			return k;
	}
	return s->cur;
}

/* ---- syn_flood --------------------------------------------------------- */

/* The episode ends: one syn_flood event with everything it showed. */
static void
report_flood(struct analysis *a, struct listener *l, struct lstate *s)
{
	const struct flood_episode *ep = &s->ep;
	int64_t now = analysis_now(a);
	bool exact = !ep->exact.over;
	uint64_t sources = exact ? ep->exact.n : hll_estimate(&ep->sources);
	/* half-open entries: behind the server's SYN-ACKs when its side is in
	 * the capture (a SYN never answered holds no request socket), else
	 * the SYNs not timed out, as an upper bound */
	uint64_t half_open = s->server_seen ? ep->peak_half_open : ep->peak_syns_pending;
	uint64_t dropped = s->server_seen && ep->syns > ep->synacks ? ep->syns - ep->synacks : 0;
	uint64_t all = half_open * REQUEST_SOCK_BYTES, est = all;
	char srcs[32];
	const char *basis;
	struct event ev;

	/* Which half-open entries held memory: a SYN-ACK re-sent proves a
	 * request socket; one never re-sent once its timer was due had none
	 * (a SYN cookie).  Only when the capture ran on past that point. */
	if (!s->server_seen)
		basis = "no packet of the server seen: an upper bound (SYNs not timed out; the "
		    "server may have dropped them, or the capture misses its side)";
	else if (ep->synacks == 0)
		basis = "the server answered none of the SYNs: dropped, no request sockets";
	else if (now - ep->last_synack_ns < SYNACK_RESEND_DUE_NS)
		basis = "a request socket behind every SYN-ACK (the capture ended before SYN-ACK "
		    "re-sends were due); SYNs never answered were dropped and hold none";
	else if (ep->resent < half_open && ep->synacks > ep->resent) {
		est = ep->resent * REQUEST_SOCK_BYTES;
		basis = "request sockets only behind re-sent SYN-ACKs; SYN-ACKs never re-sent "
		    "(SYN cookies) and SYNs never answered hold no memory";
	} else
		basis = "a request socket behind every SYN-ACK; SYNs never answered were dropped "
		    "and hold none";
	snprintf(srcs, sizeof(srcs), exact ? "%" PRIu64 : "~%" PRIu64, sources);
	event_init(&ev, EVK_SYN_FLOOD, ep->trigger_frame, ep->trigger_ns);
	ev.dst = l->ep;
	ev.first_frame = ep->first_frame;
	ev.last_frame = ep->last_frame;
	if (s->server_seen)
		event_message(&ev, "SYN flood on the listener: %" PRIu64 " SYNs from %s sources in "
		    "%.3f s, %" PRIu64 " handshake%s completed, peak %" PRIu64 " half-open "
		    "(SYN-ACKs sent), %" PRIu64 " SYN%s dropped", ep->syns, srcs,
		    (double)(ep->last_ns - ep->first_ns) / 1e9, ep->completed,
		    ep->completed == 1 ? "" : "s", half_open, dropped, dropped == 1 ? "" : "s");
	else
		event_message(&ev, "SYN flood on the listener: %" PRIu64 " SYNs from %s sources in "
		    "%.3f s, %" PRIu64 " handshake%s completed, at most %" PRIu64 " half-open "
		    "(the server's side is not in the capture)", ep->syns, srcs,
		    (double)(ep->last_ns - ep->first_ns) / 1e9, ep->completed,
		    ep->completed == 1 ? "" : "s", half_open);
	event_detail_double(&ev, "window", (double)analysis_config(a)->flood_window_ns / 1e9);
	event_detail_uint(&ev, "window_syns_peak", ep->peak_window_syns);
	event_detail_uint(&ev, "syns", ep->syns);
	event_detail_double(&ev, "duration", (double)(ep->last_ns - ep->first_ns) / 1e9);
	event_detail_uint(&ev, "sources", sources);
	event_detail_str(&ev, "sources_method", exact ? "exact" :
	    "HyperLogLog estimate, 128 registers (~9 %)");
	event_detail_uint(&ev, "completed", ep->completed);
	event_detail_uint(&ev, "synacks", ep->synacks);
	event_detail_uint(&ev, "synacks_resent", ep->resent);
	event_detail_bool(&ev, "server_seen", s->server_seen);
	if (s->server_seen)
		event_detail_uint(&ev, "dropped", dropped);
	event_detail_uint(&ev, "peak_half_open", half_open);
	event_detail_uint(&ev, "request_sock_bytes", REQUEST_SOCK_BYTES);
	event_detail_uint(&ev, "memory_if_all_request_socks", all);
	event_detail_uint(&ev, "memory_estimate", est);
	event_detail_str(&ev, "memory_basis", basis);
	analysis_emit(a, NULL, &ev);
	src_free(&s->ep.exact);
	memset(&s->ep, 0, sizeof(s->ep));
}

static void
episode_stop(struct analysis *a, unsigned li)
{
	struct listen_watch *w = analysis_listen_watch(a);
	unsigned i;

	report_flood(a, analysis_listener_at(a, li), &w->st[li]);
	for (i = 0; i < w->nactive; i++)
		if (w->active[i] == li) {
			w->active[i] = w->active[--w->nactive];
			break;
		}
}

/* Over: the window holds under half the SYNs that start an episode, or
 * SYNs under half the ratio to completed handshakes (hysteresis).  From
 * then on (quiet_ns) nothing more counts in the episode, but it is
 * reported only once the re-sends of its last SYN-ACK were due, so that
 * the report can tell request sockets from SYN cookies; a flood that
 * resumes before that is the same episode. */
/* The window at the flood thresholds (half of them: hysteresis). */
static bool
flood_level(const struct analysis_config *cfg, const struct lstate *s, unsigned half)
{
	return (uint64_t)s->win_syn * half >= cfg->flood_min_syns &&
	    (uint64_t)s->win_syn * half >= (uint64_t)cfg->flood_ratio * (s->win_done + 1);
}

static bool
episode_over(const struct analysis *a, struct lstate *s, int64_t now)
{
	if (flood_level(analysis_config(a), s, 2)) {
		s->ep.quiet_ns = 0;
		return false;
	}
	if (s->ep.quiet_ns == 0)
		s->ep.quiet_ns = now;
	return s->ep.synacks == 0 || now - s->ep.last_synack_ns >= SYNACK_RESEND_DUE_NS;
}

/* A new SYN (not a copy) to listener li. */
static void
flood_syn(const struct seg_ctx *sc, unsigned li)
{
	struct listen_watch *w = analysis_listen_watch(sc->a);
	const struct analysis_config *cfg = analysis_config(sc->a);
	struct lstate *s = &w->st[li];
	struct flood_episode *ep = &s->ep;
	int64_t epoch = sc->ts_ns / (cfg->flood_window_ns > 0 ? cfg->flood_window_ns : 1);
	uint64_t h = source_hash(&sc->seg->src);

	if (li >= w->nused)
		w->nused = li + 1;
	window_advance(s, slot_ns(sc->a), sc->ts_ns);
	if (ep->active && episode_over(sc->a, s, sc->ts_ns))
		episode_stop(sc->a, li);
	if (s->syn[s->cur]++ == 0) {
		s->first_frame[s->cur] = (uint32_t)sc->frame;
		s->first_ns[s->cur] = sc->ts_ns;
	}
	s->win_syn++;
	if (epoch != s->hll_epoch) {
		src_free(&s->exact_prev);
		s->exact_prev.over = false;
		if (epoch == s->hll_epoch + 1) {
			s->hll_prev = s->hll_cur;
			s->exact_prev = s->exact_cur;
		} else {
			memset(&s->hll_prev, 0, sizeof(s->hll_prev));
			src_free(&s->exact_cur);
		}
		memset(&s->hll_cur, 0, sizeof(s->hll_cur));
		memset(&s->exact_cur, 0, sizeof(s->exact_cur));
		s->hll_epoch = epoch;
	}
	hll_add(&s->hll_cur, h);
	src_add(&s->exact_cur, h);
	if (ep->active && ep->quiet_ns != 0 && flood_level(cfg, s, 2))
		ep->quiet_ns = 0;	/* the flood resumed: the same episode */
	if (ep->active) {
		if (ep->quiet_ns != 0)
			return;
		ep->syns++;
		ep->last_frame = sc->frame;
		ep->last_ns = sc->ts_ns;
		hll_add(&ep->sources, h);
		src_add(&ep->exact, h);
	} else if (flood_level(cfg, s, 1)) {
		unsigned k = window_flood_start(s, cfg->flood_min_syns);

		ep->active = true;
		ep->trigger_frame = sc->frame;
		ep->trigger_ns = sc->ts_ns;
		ep->first_frame = s->first_frame[k];
		ep->first_ns = s->first_ns[k];
		ep->last_frame = sc->frame;
		ep->last_ns = sc->ts_ns;
		for (;; k = (k + 1) % FLOOD_SLOTS) {
			ep->syns += s->syn[k];
			ep->completed += s->done[k];
			ep->synacks += s->synack[k];
			if (k == s->cur)
				break;
		}
		ep->sources = s->hll_cur;
		hll_merge(&ep->sources, &s->hll_prev);
		memset(&ep->exact, 0, sizeof(ep->exact));
		src_merge(&ep->exact, &s->exact_cur);
		src_merge(&ep->exact, &s->exact_prev);
		w->active[w->nactive++] = (uint16_t)li;
	}
	if (ep->active && ep->quiet_ns == 0) {
		if (s->win_syn > ep->peak_window_syns)
			ep->peak_window_syns = s->win_syn;
		if (s->req.sum > ep->peak_half_open)
			ep->peak_half_open = s->req.sum;
		if (s->pend.sum > ep->peak_syns_pending)
			ep->peak_syns_pending = s->pend.sum;
	}
}

void
detect_listener_tick(struct analysis *a, int64_t now_ns)
{
	struct listen_watch *w = analysis_listen_watch(a);
	unsigned i;

	if (w->nactive == 0 || now_ns < w->next_tick_ns)
		return;
	w->next_tick_ns = now_ns + slot_ns(a);
	for (i = w->nactive; i-- > 0;) {
		unsigned li = w->active[i];
		struct lstate *s = &w->st[li];

		window_advance(s, slot_ns(a), now_ns);
		if (episode_over(a, s, now_ns))
			episode_stop(a, li);
	}
}

/* ---- syn_cookie --------------------------------------------------------- */

/* The SYN-ACK's TSval against the server's next segment: with the capture
 * at the server both are stamped on one clock (ms, plus the connection's
 * random offset), so TSval(next) - TSval(SYN-ACK) equals the time between
 * them, unless the SYN-ACK carried a cookie timestamp, which Linux rounds
 * down to encode the SYN's options in its low 6 bits
 * (cookie_init_timestamp, net/ipv4/syncookies.c): it then lags by 0-63
 * ms.  The option bits themselves cannot be read from the wire: the
 * per-connection TSval offset (tcp_rsk(req)->ts_off) scrambles them. */
static struct cookie_ev *
cookie_ev_of(struct analysis *a, const struct conn *c)
{
	struct listener *l = analysis_conn_listener(a, c);

	return l == NULL ? NULL : &analysis_listen_watch(a)->st[analysis_listener_index(a, l)].ck;
}

/* The server's TSval clock against capture time: a re-sent SYN-ACK
 * against the previous SYN-ACK (either may be a request socket's, never a
 * cookie's: a cookie is not re-sent), and each server segment after the
 * handshake against the previous one (never against the SYN-ACK, whose
 * TSval a cookie sets back).  dts ticks in dns ns. */
static void
clock_note(const struct seg_ctx *sc, struct hs_memo *m, uint16_t kind)
{
	const struct segment *seg = sc->seg;
	struct cookie_ev *ck;
	int64_t dns = sc->ts_ns - m->clk_ns;
	int32_t dts = seq_diff(seg->opt.tsval, m->clk_tsval);
	bool paired = (m->flags & (MEMO_CLK_SYNACK | MEMO_CLK_SEG)) == kind;

	m->flags = (uint16_t)((m->flags & ~(MEMO_CLK_SYNACK | MEMO_CLK_SEG)) | kind);
	m->clk_tsval = seg->opt.tsval;
	m->clk_ns = sc->ts_ns;
	if (!paired || dns <= 0 || dts < 0 || (ck = cookie_ev_of(sc->a, sc->c)) == NULL)
		return;
	if (kind == MEMO_CLK_SEG) {
		ck->seg_ticks += (uint64_t)dts;
		ck->seg_ns += dns;
		ck->seg_pairs++;
	} else if (sc->tr->syn_retransmit && dns >= TS_CLOCK_SPAN_NS) {
		double rate = (double)dts / ((double)dns / 1e6);

		if (rate >= TS_RATE_MIN && rate <= TS_RATE_MAX) {
			ck->resend_ok++;
		} else {
			ck->resend_bad++;
			ck->bad_rate = rate;
		}
	}
}

static void
cookie_ts_check(const struct seg_ctx *sc)
{
	struct conn *c = sc->c;
	const struct segment *seg = sc->seg;
	struct hs_memo *m;
	double lag;

	if (sc->from_client || (seg->flags & TCP_RST) || !(seg->opt.present & TCPOPT_HAVE_TS))
		return;
	if ((seg->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
		if (!sc->netdup && (m = hs_memo_find(sc->a, c->stream)) != NULL)
			clock_note(sc, m, MEMO_CLK_SYNACK);
		return;
	}
	if ((seg->flags & TCP_SYN) ||
	    (c->cflags & (CONN_LISTENER | CONN_HS_COMPLETE)) != (CONN_LISTENER | CONN_HS_COMPLETE))
		return;
	if (!sc->netdup && (m = hs_memo_find(sc->a, c->stream)) != NULL)
		clock_note(sc, m, MEMO_CLK_SEG);
	/* the server's first segment after its SYN-ACK(s) */
	if (sc->snd->packets != (uint32_t)c->synack_tx + 1)
		return;
	m = hs_memo_find(sc->a, c->stream);
	if (m == NULL || (m->flags & (MEMO_SYNACK_TS | MEMO_TS_DONE)) != MEMO_SYNACK_TS)
		return;
	m->flags |= MEMO_TS_DONE;
	if (c->synack_us == 0 || c->synack_us - 1 > NEAR_SERVER_US)
		return;		/* capture not at the server: path jitter */
	lag = (double)seq_diff(seg->opt.tsval, m->synack_tsval) -
	    (double)(sc->ts_ns - conn_last_synack_ns(c)) / 1e6;
	if (lag >= TS_LAG_MIN_MS && lag <= TS_LAG_MAX_MS) {
		m->flags |= MEMO_TS_SET_BACK;
		m->ts_lag_ms = (int16_t)lround(lag);
	} else if (fabs(lag) <= TS_STEP_MAX_MS) {
		m->flags |= MEMO_TS_IN_STEP;
	}
}

/* A SYN-ACK on a listener: does it keep the SYN's options?  Without the
 * SYN's timestamp option a cookie has nowhere to keep window scale and
 * SACK-permitted, so Linux clears them (tcp_conn_request: want_cookie &&
 * !saw_tstamp -> tcp_clear_options); a listener that echoes them in
 * other SYN-ACKs has them enabled. */
static void
cookie_synack(const struct seg_ctx *sc, struct lstate *s)
{
	const struct side *cl = sc->rcv;
	uint8_t o = sc->seg->opt.present;
	struct hs_memo *m;

	if (o & (TCPOPT_HAVE_WSCALE | TCPOPT_HAVE_SACK_PERM))
		s->echoes_options = true;
	if (sc->tr->syn_retransmit || (cl->flags & SIDE_TS) ||
	    !(cl->flags & (SIDE_WSCALE | SIDE_SACK_PERM)) ||
	    (o & (TCPOPT_HAVE_WSCALE | TCPOPT_HAVE_SACK_PERM | TCPOPT_HAVE_TS)))
		return;
	m = hs_memo_find(sc->a, sc->c->stream);
	if (m != NULL)
		m->flags |= MEMO_OPTS_DROPPED;
}

/* The server's TSval clock against the capture's: CLOCK_OK when it was
 * timed and kept step every time, CLOCK_BAD when a timing disagreed
 * (synthetic capture timestamps, a capture clock that jumps, a TSval clock
 * of another rate), CLOCK_UNTIMED when nothing timed it.  note: what was
 * found, for the event's detail. */
enum ts_clock { CLOCK_UNTIMED, CLOCK_OK, CLOCK_BAD };

static enum ts_clock
ts_clock_verdict(const struct cookie_ev *ck, char *note, size_t len)
{
	bool seg_timed = ck->seg_ns >= TS_CLOCK_SPAN_NS;
	double seg_rate = seg_timed ? (double)ck->seg_ticks / ((double)ck->seg_ns / 1e6) : 0;
	bool seg_ok = seg_timed && seg_rate >= TS_RATE_MIN && seg_rate <= TS_RATE_MAX;
	char segs[100] = "", resends[100] = "";

	if (seg_timed)
		snprintf(segs, sizeof(segs), "server segments after the handshake: %.3f ticks per "
		    "ms over %.3f s; ", seg_rate, (double)ck->seg_ns / 1e9);
	if (ck->resend_ok + ck->resend_bad)
		snprintf(resends, sizeof(resends), "re-sent SYN-ACKs: %u in step, %u not; ",
		    ck->resend_ok, ck->resend_bad);
	if (ck->resend_bad)
		snprintf(resends, sizeof(resends), "re-sent SYN-ACKs: %u in step, %u not "
		    "(%.3f ticks per ms); ", ck->resend_ok, ck->resend_bad, ck->bad_rate);
	snprintf(note, len, "%s%s", segs, resends);
	if (ck->resend_bad || (seg_timed && !seg_ok))
		return CLOCK_BAD;
	if (ck->resend_ok || seg_ok)
		return CLOCK_OK;
	snprintf(note, len, "not timed (no re-sent SYN-ACK, server segments after the "
	    "handshake span %.3f s of the 0.5 s needed); ", (double)ck->seg_ns / 1e9);
	return CLOCK_UNTIMED;
}

/* A SYN cookie's MSS: the client's rounded down to the kernel's table
 * (msstab in net/ipv4/syncookies.c, net/ipv6/syncookies.c). */
static unsigned
cookie_mss(unsigned mss, bool v6)
{
	static const unsigned v4[] = { 536, 1300, 1440, 1460 };
	static const unsigned v6t[] = { 1220, 1420, 1440, 8940 };
	const unsigned *t = v6 ? v6t : v4;
	unsigned i = 4;

	while (i-- > 1)
		if (mss >= t[i])
			return t[i];
	return t[0];
}

/* cookie_synack: this connection's SYN-ACK was a SYN cookie, at its
 * SYN-ACK's frame (known at the connection's end), and what it cost: a
 * cookie keeps the SYN's window scale and SACK-permitted only in the
 * timestamp's low bits, so without the SYN's timestamp option the
 * connection runs without them, its window capped at 64 KiB per round
 * trip; and the client's MSS rounded down to the cookie's table. */
static void
conn_cookie_event(struct analysis *a, const struct conn *c, struct conn_report *cr,
    const struct hs_memo *m, uint64_t frame, bool ts, struct event *evp)
{
	const struct side *cl = &c->side[c->client];
	bool syn_ts = (cl->flags & SIDE_TS) != 0, done = (c->cflags & CONN_HS_COMPLETE) != 0;
	uint32_t ack_us = cr->x != NULL ? cr->x->ack_us : 0;
	double rtt = c->synack_us && ack_us ? (double)(c->synack_us - 1 + ack_us - 1) / 1e6 : 0;
	char cost[160], why[160], lag[40], rate[48];

	cr->cookie.synack_frame = frame;
	cr->cookie.lost_wscale = !syn_ts && (cl->flags & SIDE_WSCALE);
	cr->cookie.lost_sack = !syn_ts && (cl->flags & SIDE_SACK_PERM);
	event_init(evp, EVK_COOKIE_SYNACK, frame, conn_last_synack_ns(c));
	evp->stream = c->stream;
	evp->has_stream = true;
	evp->has_src = true;
	analysis_endpoint(a, c, !c->client, &evp->src);
	analysis_endpoint(a, c, c->client, &evp->dst);
	if (cr->cookie.lost_wscale && rtt > 0)
		snprintf(rate, sizeof(rate), " (%.1f Mbit/s at %.1f ms)",
		    65535.0 * 8 / rtt / 1e6, rtt * 1e3);
	else
		rate[0] = '\0';
	if (cr->cookie.lost_wscale || cr->cookie.lost_sack)
		snprintf(cost, sizeof(cost), "; the SYN had no timestamps: no %s%s%s%s%s",
		    cr->cookie.lost_wscale ? "window scaling" : "",
		    cr->cookie.lost_wscale && cr->cookie.lost_sack ? ", no " : "",
		    cr->cookie.lost_sack ? "SACK" : "", cr->cookie.lost_wscale ?
		    ", at most 64 KiB per round trip" : "", rate);
	else if (syn_ts && (cl->flags & (SIDE_WSCALE | SIDE_SACK_PERM)))
		snprintf(cost, sizeof(cost), "; window scale and SACK kept in its TSval bits");
	else
		cost[0] = '\0';
	if (ts)
		snprintf(lag, sizeof(lag), ", TSval set back %d ms", m->ts_lag_ms);
	else
		lag[0] = '\0';
	snprintf(why, sizeof(why), "%s%s%s%s", strstr(cr->cookie.evidence, "not_resent") ?
	    ", SYN-ACK never re-sent" : "", lag,
	    strstr(cr->cookie.evidence, "options_dropped") ?
	    ", window scale and SACK-permitted dropped" : "",
	    strstr(cr->cookie.evidence, "silent_overflow") ?
	    ", final ACK and data dropped, SYN-ACK not re-sent" : "");
	event_message(evp, "SYN cookie (%s)%s", why + 2, done ? cost : "");
	event_detail_str(evp, "evidence", cr->cookie.evidence);
	if (ts)
		event_detail_int(evp, "ts_lag_ms", m->ts_lag_ms);
	event_detail_bool(evp, "syn_timestamps", syn_ts);
	event_detail_bool(evp, "window_scale_lost", cr->cookie.lost_wscale);
	event_detail_bool(evp, "sack_lost", cr->cookie.lost_sack);
	if (cl->flags & SIDE_MSS) {
		struct endpoint ep;

		analysis_endpoint(a, c, c->client, &ep);
		event_detail_uint(evp, "client_mss", cl->mss);
		event_detail_uint(evp, "cookie_mss", cookie_mss(cl->mss, ep.family == 6));
	}
	if (cr->cookie.lost_wscale) {
		event_detail_uint(evp, "window_cap_bytes", 65535);
		if (rtt > 0) {
			event_detail_double(evp, "rtt", rtt);
			event_detail_uint(evp, "throughput_cap_bps",
			    (uint64_t)llround(65535.0 * 8 / rtt));
		}
	}
}

/* A connection of the listener ends: weigh its SYN-ACK.  Each SYN-ACK
 * counts once, for a cookie or for a request socket, or not at all.  A
 * cookie is marked on the connection too (cookie_synack), unless it is
 * taken for one on its TSval alone and the server's TSval clock did not
 * keep step so far, or only for never being re-sent while the listener
 * completed no handshake (a capture of SYNs only). */
static void
cookie_conn_end(struct analysis *a, struct lstate *s, struct conn *c, struct conn_report *cr,
    const struct listener *l)
{
	const struct side *cl = &c->side[c->client], *sv = &c->side[!c->client];
	struct hs_memo *m = hs_memo_find(a, c->stream);
	struct cookie_ev *ck = &s->ck;
	struct listen_watch *w = analysis_listen_watch(a);
	bool ts, silent, opts, unresent;
	uint64_t frame;
	char note[240];
	struct event ev;

	if (c->cflags & CONN_HS_COMPLETE)
		ck->completed++;
	if (!(sv->flags & SIDE_SYNACK) || (cl->flags & (SIDE_SYN | SIDE_MIDSTREAM)) != SIDE_SYN)
		return;
	if (c->synack_tx >= 2 || (m != NULL && (m->flags & MEMO_TS_IN_STEP))) {
		ck->request_socks++;
		return;
	}
	ts = m != NULL && (m->flags & MEMO_TS_SET_BACK);
	silent = m != NULL && (m->flags & MEMO_SILENT);
	opts = m != NULL && (m->flags & MEMO_OPTS_DROPPED) && s->echoes_options;
	unresent = !(c->cflags & CONN_HS_COMPLETE) && cl->packets == 1 && sv->packets == 1 &&
	    !((cl->flags | sv->flags) & SIDE_RST) &&
	    analysis_now(a) - conn_last_synack_ns(c) >= SYNACK_RESEND_DUE_NS;
	if (!(ts || silent || opts || unresent))
		return;
	ck->cookies++;
	ck->ts_only += ts && !(silent || opts || unresent);
	ck->ts_set_back += ts;
	ck->silent += silent;
	ck->opts_dropped += opts;
	ck->not_resent += unresent;
	if (ts) {
		if (ck->ts_set_back == 1 || m->ts_lag_ms < ck->lag_min_ms)
			ck->lag_min_ms = m->ts_lag_ms;
		if (ck->ts_set_back == 1 || m->ts_lag_ms > ck->lag_max_ms)
			ck->lag_max_ms = m->ts_lag_ms;
	}
	frame = m != NULL && m->synack_frame ? m->synack_frame : c->last_frame;
	if (ck->first_frame == 0 || frame < ck->first_frame) {
		ck->first_frame = frame;
		ck->first_ns = conn_last_synack_ns(c);
	}
	if (frame > ck->last_frame)
		ck->last_frame = frame;
	if (ts && ts_clock_verdict(ck, note, sizeof(note)) == CLOCK_BAD) {
		if (!(silent || opts || unresent))
			return;
		ts = false;
	}
	if (!(ts || silent || opts) && l->completed == 0)
		return;
	snprintf(cr->cookie.evidence, sizeof(cr->cookie.evidence), "%s%s%s%s",
	    unresent ? ",not_resent" : "", ts ? ",ts_set_back" : "",
	    opts ? ",options_dropped" : "", silent ? ",silent_overflow" : "");
	memmove(cr->cookie.evidence, cr->cookie.evidence + 1, strlen(cr->cookie.evidence));
	if (ts && !(silent || opts || unresent) && cr->why != FLOW_END_INPUT &&
	    ts_clock_verdict(ck, note, sizeof(note)) == CLOCK_UNTIMED &&
	    w->npend < COOKIE_PENDING_MAX) {
		/* the end of the input decides; the record goes out unmarked */
		struct cookie_pending *p = &w->pend[w->npend++];

		conn_cookie_event(a, c, cr, m, frame, ts, &p->ev);
		event_detail_str(&p->ev, "decided", "at the end of the input, after the "
		    "connection's record: the server's TSval clock was not timed before");
		p->li = analysis_listener_index(a, l);
		memset(&cr->cookie, 0, sizeof(cr->cookie));
		return;
	}
	conn_cookie_event(a, c, cr, m, frame, ts, &ev);
	analysis_emit(a, c, &ev);
}

/* syn_cookie, once per listener and input.  Four kinds of evidence:
 * SYN-ACKs never re-sent though due, TSvals set back against the server's
 * clock, options dropped, data dropped without a re-send.  TSval evidence
 * is dropped when the server's TSval clock disagreed with the capture's
 * (SYN-ACKs taken for cookies on their TSval alone are not counted), and
 * counts as a second kind when the clock was timed and kept step.
 * Confidence "high" for two kinds, "medium" for one; SYN-ACKs never
 * re-sent alone are reported only when there are two or more and the
 * listener completed a handshake in the capture (a capture filtered down
 * to SYNs would show every SYN-ACK unanswered and never re-sent). */
static void
report_cookie(struct analysis *a, struct listener *l, const struct cookie_ev *ck)
{
	char evidence[400], used_kinds[100], clock_note[240];
	enum ts_clock clock = ts_clock_verdict(ck, clock_note, sizeof(clock_note));
	bool k_unresent = ck->not_resent > 0, k_ts = clock != CLOCK_BAD && ck->ts_set_back > 0;
	bool k_opts = ck->opts_dropped > 0, k_silent = ck->silent > 0;
	bool k_clock = k_ts && clock == CLOCK_OK;
	unsigned kinds = k_unresent + k_ts + k_opts + k_silent + k_clock;
	uint64_t cookies = clock == CLOCK_BAD ? ck->cookies - ck->ts_only : ck->cookies;
	bool high = kinds >= 2;
	size_t used = 0, n = strlen(clock_note);
	struct event ev;

	if (cookies == 0 || kinds == 0 ||
	    (kinds == 1 && k_unresent && (ck->not_resent < 2 || ck->completed == 0)))
		return;
	if (n >= 2)
		clock_note[n - 2] = '\0';
	snprintf(used_kinds, sizeof(used_kinds), "%s%s%s%s%s", k_unresent ? ",not_resent" : "",
	    k_ts ? ",ts_set_back" : "", k_clock ? ",tsval_clock" : "",
	    k_opts ? ",options_dropped" : "", k_silent ? ",silent_overflow" : "");
	evidence[0] = '\0';
	if (ck->not_resent)
		used += (size_t)snprintf(evidence + used, sizeof(evidence) - used,
		    "%" PRIu64 " SYN-ACK%s never re-sent though the capture ran 1.5 s on "
		    "(%" PRIu64 " of the listener's were); ", ck->not_resent,
		    ck->not_resent == 1 ? "" : "s", ck->request_socks);
	if (k_ts && used < sizeof(evidence))
		used += (size_t)snprintf(evidence + used, sizeof(evidence) - used,
		    "%" PRIu64 " TSval%s set back %d-%d ms against the server's clock%s; ",
		    ck->ts_set_back, ck->ts_set_back == 1 ? "" : "s", ck->lag_min_ms,
		    ck->lag_max_ms, k_clock ? ", which keeps step with the capture's" :
		    " (that clock not timed against the capture's)");
	if (ck->opts_dropped && used < sizeof(evidence))
		used += (size_t)snprintf(evidence + used, sizeof(evidence) - used,
		    "%" PRIu64 " without the SYN's window scale and SACK-permitted; ",
		    ck->opts_dropped);
	if (ck->silent && used < sizeof(evidence))
		used += (size_t)snprintf(evidence + used, sizeof(evidence) - used,
		    "%" PRIu64 " whose final ACK and data were dropped with no SYN-ACK re-sent; ",
		    ck->silent);
	if (used >= 2 && used < sizeof(evidence))
		evidence[used - 2] = '\0';
	event_init(&ev, EVK_SYN_COOKIE, ck->first_frame, ck->first_ns);
	ev.dst = l->ep;
	ev.first_frame = ck->first_frame;
	ev.last_frame = ck->last_frame;
	event_message(&ev, "the listener answered with SYN cookies: %" PRIu64 " SYN-ACK%s "
	    "(%s confidence: %u kind%s of evidence)", cookies, cookies == 1 ? "" : "s",
	    high ? "high" : "medium", kinds, kinds == 1 ? "" : "s");
	event_detail_uint(&ev, "cookie_synacks", cookies);
	event_detail_str(&ev, "confidence", high ? "high" : "medium");
	event_detail_str(&ev, "evidence", evidence);
	event_detail_str(&ev, "evidence_used", used_kinds + 1);
	event_detail_str(&ev, "tsval_clock", clock == CLOCK_OK ? "in_step" :
	    clock == CLOCK_BAD ? "not_in_step" : "untimed");
	event_detail_str(&ev, "tsval_clock_check", clock_note);
	event_detail_uint(&ev, "not_resent", ck->not_resent);
	event_detail_uint(&ev, "ts_set_back", k_ts ? ck->ts_set_back : 0);
	if (k_ts) {
		event_detail_int(&ev, "ts_lag_min_ms", ck->lag_min_ms);
		event_detail_int(&ev, "ts_lag_max_ms", ck->lag_max_ms);
	}
	event_detail_uint(&ev, "options_dropped", ck->opts_dropped);
	event_detail_uint(&ev, "silent_overflow", ck->silent);
	event_detail_uint(&ev, "request_sock_synacks", ck->request_socks);
	analysis_emit(a, NULL, &ev);
}

/* ---- accept_overflow_syn_drop ------------------------------------------ */

void
listener_note_overflow(struct analysis *a, struct listener *l, int64_t from_ns, int64_t to_ns)
{
	struct lstate *s = &analysis_listen_watch(a)->st[analysis_listener_index(a, l)];

	if (!s->overflow || from_ns < s->ov_from_ns)
		s->ov_from_ns = from_ns;
	if (!s->overflow || to_ns > s->ov_to_ns)
		s->ov_to_ns = to_ns;
	s->overflow = true;
}

/* A connection whose SYNs (and retries) got no answer at all, while the
 * listener's accept queue overflowed: Linux drops a SYN when the accept
 * queue is full (tcp_conn_request: sk_acceptq_is_full -> drop, counted in
 * ListenOverflows and ListenDrops), SYN cookies or not. */
static void
drop_conn_end(struct lstate *s, const struct conn *c)
{
	const struct side *cl = &c->side[c->client], *sv = &c->side[!c->client];

	if (!s->overflow || c->syn_tx == 0 || (sv->flags & SIDE_SEEN) ||
	    !(cl->flags & SIDE_SYN) || (cl->flags & SIDE_SYNACK))
		return;
	if (c->last_ns < s->ov_from_ns || c->start_ns > s->ov_to_ns)
		return;
	s->drop_conns++;
	s->drop_syns += c->syn_tx;
	if (s->drop_first_frame == 0 || c->first_frame < s->drop_first_frame) {
		s->drop_first_frame = c->first_frame;
		s->drop_first_ns = c->start_ns;
	}
	if (c->last_frame > s->drop_last_frame)
		s->drop_last_frame = c->last_frame;
}

static void
report_syn_drop(struct analysis *a, struct listener *l, const struct lstate *s)
{
	struct event ev;

	if (s->drop_conns == 0)
		return;
	event_init(&ev, EVK_ACCEPT_OVERFLOW_SYN_DROP, s->drop_first_frame, s->drop_first_ns);
	ev.dst = l->ep;
	ev.first_frame = s->drop_first_frame;
	ev.last_frame = s->drop_last_frame;
	event_message(&ev, "while its accept queue overflowed the listener dropped %" PRIu64
	    " SYN%s of %" PRIu64 " client%s, never answered", s->drop_syns,
	    s->drop_syns == 1 ? "" : "s", s->drop_conns, s->drop_conns == 1 ? "" : "s");
	event_detail_uint(&ev, "connections", s->drop_conns);
	event_detail_uint(&ev, "syns", s->drop_syns);
	event_detail_double(&ev, "overflow_from", (double)s->ov_from_ns / 1e9);
	event_detail_double(&ev, "overflow_to", (double)s->ov_to_ns / 1e9);
	analysis_emit(a, NULL, &ev);
}

/* ---- entry points ------------------------------------------------------- */

void
detect_listener(const struct seg_ctx *sc)
{
	struct conn *c = sc->c;
	uint16_t f = sc->seg->flags & (TCP_SYN | TCP_ACK | TCP_RST);
	struct listener *l;
	struct lstate *s;
	unsigned li;

	if (!(c->cflags & CONN_LISTENER))
		return;
	cookie_ts_check(sc);
	/* Only handshake segments go further (one listener look-up each). */
	if (!(f == TCP_SYN || f == (TCP_SYN | TCP_ACK) || sc->hs_completed ||
	    ((f & TCP_RST) && !(c->cflags & CONN_HS_COMPLETE))) ||
	    (sc->netdup && (f & TCP_SYN)))
		return;
	l = analysis_conn_listener(sc->a, c);
	if (l == NULL)
		return;
	li = analysis_listener_index(sc->a, l);
	s = &analysis_listen_watch(sc->a)->st[li];
	rings_advance(s, sec_of(sc->ts_ns));
	if (!sc->from_client && (f & (TCP_SYN | TCP_RST)))
		s->server_seen = true;
	if (f & TCP_RST) {
		/* the connection's first reset ends its half-open entry (a
		 * request socket, if a SYN-ACK made one) */
		if (sc->tr->snd_old != TS_CLOSED && !(sc->rcv->flags & SIDE_RST))
			half_open_gone(s, c);
		return;
	}
	if (f == TCP_SYN && sc->from_client && !sc->tr->syn_retransmit) {
		ring_add(&s->pend, s, sec_of(sc->ts_ns));
		flood_syn(sc, li);
	} else if (f == (TCP_SYN | TCP_ACK) && !sc->from_client) {
		cookie_synack(sc, s);
		if (!sc->tr->syn_retransmit && (c->side[c->client].flags & SIDE_SYN)) {
			ring_add(&s->req, s, sec_of(sc->ts_ns));
			if (s->ep.active && s->req.sum > s->ep.peak_half_open)
				s->ep.peak_half_open = s->req.sum;
		}
		if (!sc->tr->syn_retransmit) {
			window_advance(s, slot_ns(sc->a), sc->ts_ns);
			s->synack[s->cur]++;
			if (s->ep.active && s->ep.quiet_ns == 0) {
				s->ep.synacks++;
				s->ep.last_synack_ns = sc->ts_ns;
			}
		} else if (s->ep.active && c->synack_tx == 2 &&
		    !(c->cflags & CONN_HS_COMPLETE)) {
			s->ep.resent++;
		}
	}
	if (sc->hs_completed) {
		half_open_gone(s, c);
		window_advance(s, slot_ns(sc->a), sc->ts_ns);
		s->done[s->cur]++;
		s->win_done++;
		if (s->ep.active && s->ep.quiet_ns == 0)
			s->ep.completed++;
	}
}

void
detect_listener_conn_end(struct analysis *a, struct conn *c, struct conn_report *cr)
{
	struct listener *l = analysis_conn_listener(a, c);
	struct lstate *s;

	if (l == NULL)
		return;
	s = &analysis_listen_watch(a)->st[analysis_listener_index(a, l)];
	cookie_conn_end(a, s, c, cr, l);
	drop_conn_end(s, c);
}

void
detect_listener_end_input(struct analysis *a)
{
	struct listen_watch *w = analysis_listen_watch(a);
	unsigned i, n = analysis_nlisteners(a);

	for (i = 0; i < w->npend; i++) {
		char note[240];

		if (ts_clock_verdict(&w->st[w->pend[i].li].ck, note, sizeof(note)) != CLOCK_BAD)
			analysis_emit(a, NULL, &w->pend[i].ev);
	}
	w->npend = 0;
	for (i = 0; i < n; i++) {
		struct listener *l = analysis_listener_at(a, i);
		struct lstate *s = &w->st[i];

		if (s->ep.active)
			report_flood(a, l, s);
		report_cookie(a, l, &s->ck);
		report_syn_drop(a, l, s);
		lstate_free(s);
		memset(s, 0, sizeof(*s));
	}
	w->nactive = 0;
	w->next_tick_ns = 0;
}
