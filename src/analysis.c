/* analysis.c: detector dispatch and the shared per-connection bookkeeping
 * (handshake progress and RTT, listener figures, open-connection peak,
 * Zeek-style history, event counts), and the connection record. */
#include "config.h"

#include "analysis_int.h"

#include <stdlib.h>
#include <string.h>

struct analysis {
	struct analysis_stream	 stream;	/* detect_stream.c's run-wide state */
	const struct flow_table	*flows;		/* for conn_endpoint() */
	struct handshake_watch	*hs_watch;	/* detect_handshake.c's */
	struct listen_watch	*listen_watch;	/* detect_listener.c's */
	struct hs_memo		*memo;		/* HS_MEMO_SLOTS, by stream */
	int64_t			 now_ns;	/* latest packet time seen */
	struct analysis_teardown teardown;	/* detect_teardown.c's */
	struct analysis_config	 cfg;
	struct reporter		*r;
	const struct input_info	*in;
	uint64_t		 events[EVK_COUNT];
	int			 max_severity;	/* of the events reported; -1: none */
	uint64_t		 records;
	uint64_t		 open_now, open_peak;
	flow_gauge_fn		 gauge_fn;	/* --shard: each change of the above
						 * and of listener figures, or NULL */
	void			*gauge_ctx;
	struct listener		*listeners;	/* open addressing, LISTENER_MAX */
	uint32_t		*listener_slot;	/* hash slot -> index + 1 */
	unsigned		 nlisteners;
	uint64_t		 listeners_dropped;
	uint64_t		*flagged;	/* bit per stream of this input with an
						 * event (for -w); grows by doubling */
	size_t			 flagged_words;
	bool			 flagged_short;	/* a bit could not be set (no memory) */
	struct tw_entry		*tw;		/* listeners' TIME_WAIT sockets in
						 * expiry order: a ring, grown by
						 * doubling up to TW_MAX */
	size_t			 tw_head, tw_len, tw_cap;
	uint64_t		 tw_capped;	/* entries retired early, ring full */
	struct ghosts		**ghosts;	/* per listener, NULL until needed */
	int64_t			 ghost_width_ns;	/* 0: no idle timeout: ghosts
						 * last until the input ends */
};

/* Half-open connections the table evicted (--memcap) stay half-open in
 * their listener's figures until the idle timeout would have ended them in
 * a table without limit (without an idle timeout, as files are read: until
 * the input ends), so half_open, its peak and the kernel memory do
 * not depend on the table's size (issue 11).  Per listener, a ring of
 * GHOST_RING buckets of expiry times, each about idle / (GHOST_RING - 2)
 * wide (an expiry is rounded up by at most that).  A ghost whose
 * connection comes back (resumed from its tombstone) counts until it
 * expires: then half_open is an upper bound. */
#define GHOST_RING	64u
struct ghosts {
	uint32_t	b[GHOST_RING];
	int64_t		oldest;		/* bucket number of the oldest */
	uint64_t	sum;		/* in the buckets */
	uint64_t	to_end;		/* no idle timeout (files, issue 12 item
					 * 6): a connection would have stayed
					 * half-open until the input ended */
};

static void ghosts_clear(struct analysis *a);

/* As many as Linux's default net.ipv4.tcp_max_tw_buckets on a large host:
 * beyond that the kernel itself stops keeping TIME_WAIT sockets. */
#define TW_MAX	262144u

/* A reused 4-tuple ends its TIME_WAIT early; its entry is looked for
 * among this many of the newest (a reuse mostly follows soon).  One not
 * found expires on time: the count is then an upper bound for a while. */
#define TW_RETIRE_SCAN	512u

struct tw_entry {
	int64_t		expire_ns;
	uint32_t	listener;	/* index in listeners */
	uint32_t	stream : 31;	/* the connection's (mod 2^31) */
	uint32_t	retired : 1;	/* already counted out */
};

struct analysis *
analysis_create(const struct analysis_config *cfg, struct reporter *r)
{
	struct analysis *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->listeners = calloc(LISTENER_MAX, sizeof(*a->listeners));
	a->listener_slot = calloc(LISTENER_MAX * 2, sizeof(*a->listener_slot));
	a->ghosts = calloc(LISTENER_MAX, sizeof(*a->ghosts));
	a->memo = calloc(HS_MEMO_SLOTS, sizeof(*a->memo));
	a->hs_watch = handshake_watch_create();
	a->listen_watch = listen_watch_create();
	if (a->listeners == NULL || a->listener_slot == NULL || a->ghosts == NULL ||
	    a->memo == NULL ||
	    a->hs_watch == NULL || a->listen_watch == NULL) {
		analysis_destroy(a);
		return NULL;
	}
	a->cfg = *cfg;
	if (cfg->idle_ns > 0)
		a->ghost_width_ns = cfg->idle_ns / (GHOST_RING - 2) + 1;
	/* a caller that set no syn_flood thresholds gets the defaults */
	if (a->cfg.flood_window_ns <= 0)
		a->cfg.flood_window_ns = (int64_t)(FLOOD_WINDOW_DEFAULT * 1e9);
	if (a->cfg.flood_min_syns == 0)
		a->cfg.flood_min_syns = FLOOD_SYNS_DEFAULT;
	if (a->cfg.flood_ratio == 0)
		a->cfg.flood_ratio = FLOOD_RATIO_DEFAULT;
	a->r = r;
	a->teardown.now_ns = INT64_MIN;
	a->max_severity = -1;
	return a;
}

void
analysis_destroy(struct analysis *a)
{
	if (a == NULL)
		return;
	if (a->ghosts != NULL)
		for (unsigned i = 0; i < LISTENER_MAX; i++)
			free(a->ghosts[i]);
	free(a->ghosts);
	free(a->listeners);
	free(a->listener_slot);
	free(a->memo);
	handshake_watch_destroy(a->hs_watch);
	listen_watch_destroy(a->listen_watch);
	free(a->flagged);
	free(a->tw);
	free(a);
}

void
analysis_begin_input(struct analysis *a, const struct input_info *in)
{
	a->in = in;
	if (a->flagged != NULL)
		memset(a->flagged, 0, a->flagged_words * sizeof(*a->flagged));
	a->flagged_short = false;
	/* Stream numbers restart: so do the per-stream memos and watches. */
	memset(a->memo, 0, HS_MEMO_SLOTS * sizeof(*a->memo));
	handshake_watch_reset(a->hs_watch);
	a->teardown.now_ns = INT64_MIN;
	report_begin(a->r, in);
}

void
analysis_set_flows(struct analysis *a, const struct flow_table *t)
{
	a->flows = t;
}

struct conn_ext *
analysis_ext(const struct analysis *a, const struct conn *c)
{
	return flow_ext(a->flows, c);
}

void
analysis_endpoint(const struct analysis *a, const struct conn *c, unsigned i,
    struct endpoint *ep)
{
	conn_endpoint(a->flows, c, i, ep);
}

void
analysis_end_input(struct analysis *a)
{
	ghosts_clear(a);
	detect_listener_end_input(a);
}

struct analysis_stream *
analysis_stream(struct analysis *a)
{
	return &a->stream;
}

struct analysis_teardown *
analysis_teardown(struct analysis *a)
{
	return &a->teardown;
}

struct handshake_watch *
analysis_hs_watch(struct analysis *a)
{
	return a->hs_watch;
}

struct listen_watch *
analysis_listen_watch(struct analysis *a)
{
	return a->listen_watch;
}

int64_t
analysis_now(const struct analysis *a)
{
	return a->now_ns;
}

const struct analysis_config *
analysis_config(const struct analysis *a)
{
	return &a->cfg;
}

struct hs_memo *
hs_memo_find(struct analysis *a, uint32_t stream)
{
	struct hs_memo *m = &a->memo[stream % HS_MEMO_SLOTS];

	return m->key == stream + 1 ? m : NULL;
}

struct hs_memo *
hs_memo_claim(struct analysis *a, uint32_t stream)
{
	struct hs_memo *m = &a->memo[stream % HS_MEMO_SLOTS];

	if (m->key != stream + 1) {
		memset(m, 0, sizeof(*m));
		m->key = stream + 1;
	}
	return m;
}

const uint64_t *
analysis_event_counts(const struct analysis *a)
{
	return a->events;
}

int
analysis_max_severity(const struct analysis *a)
{
	return a->max_severity;
}

/* --shard: a figure whose peak the summary shows changed (shard.h). */
static inline void
gauge(const struct analysis *a, char op, const struct listener *l)
{
	if (a->gauge_fn != NULL)
		a->gauge_fn(a->gauge_ctx, op, l != NULL ? (unsigned)(l - a->listeners) : 0);
}

void
analysis_set_gauge_hook(struct analysis *a, flow_gauge_fn fn, void *ctx)
{
	a->gauge_fn = fn;
	a->gauge_ctx = ctx;
}

/* ---- listeners -------------------------------------------------------- */

static uint32_t
endpoint_hash(const struct endpoint *ep)
{
	/* The table is capped, so a crafted collision costs at most a
	 * bounded probe: a multiply-shift over the words is enough. */
	uint32_t w[4];
	uint64_t h;

	memcpy(w, ep->addr, sizeof(w));
	h = ((uint64_t)(w[0] + 0x9e3779b9u) * (w[1] + 0x7f4a7c15u)) ^
	    ((uint64_t)(w[2] + 0x85ebca6bu) * (w[3] + 0xc2b2ae35u)) ^
	    ((uint64_t)ep->port * 0x27d4eb2f165667c5ULL);
	h *= 0xbf58476d1ce4e5b9ULL;
	return (uint32_t)(h >> 32);
}

static struct listener *
listener_get(struct analysis *a, const struct endpoint *ep, bool create)
{
	uint32_t mask = LISTENER_MAX * 2 - 1, i = endpoint_hash(ep) & mask, n;

	for (n = 0; n <= mask; n++, i = (i + 1) & mask) {
		uint32_t s = a->listener_slot[i];
		struct listener *l;

		if (s == 0)
			break;
		l = &a->listeners[s - 1];
		if (l->ep.port == ep->port && l->ep.family == ep->family &&
		    memcmp(l->ep.addr, ep->addr, 16) == 0)
			return l;
	}
	if (!create || n > mask)
		return NULL;
	if (a->nlisteners >= LISTENER_MAX) {
		a->listeners_dropped++;
		return NULL;
	}
	a->listener_slot[i] = ++a->nlisteners;
	a->listeners[a->nlisteners - 1].ep = *ep;
	gauge(a, 'N', &a->listeners[a->nlisteners - 1]);
	return &a->listeners[a->nlisteners - 1];
}

unsigned
analysis_listener_index(const struct analysis *a, const struct listener *l)
{
	return (unsigned)(l - a->listeners);
}

unsigned
analysis_nlisteners(const struct analysis *a)
{
	return a->nlisteners;
}

struct listener *
analysis_listener_at(struct analysis *a, unsigned i)
{
	return &a->listeners[i];
}

static struct listener *
conn_listener(struct analysis *a, const struct conn *c)
{
	struct endpoint ep;

	if (!(c->cflags & CONN_LISTENER))
		return NULL;
	conn_endpoint(a->flows, c, !c->client, &ep);
	return listener_get(a, &ep, false);
}

static void
listener_syn(struct analysis *a, struct listener *l, int64_t ts_ns)
{
	int64_t sec = ts_ns / 1000000000;

	if (sec != l->rate_second) {
		l->rate_second = sec;
		l->syn_rate_now = 0;
	}
	if (++l->syn_rate_now > l->syn_rate_peak)
		l->syn_rate_peak = l->syn_rate_now;
	gauge(a, 'S', l);
}

/* The kernel memory l's sockets hold now, and its peak. */
static void
listener_kmem(struct listener *l)
{
	l->kmem = l->established * (l->ep.family == 6 ? KMEM_ESTABLISHED_V6 : KMEM_ESTABLISHED_V4) +
	    l->half_open * KMEM_HALF_OPEN + l->time_wait * KMEM_TIME_WAIT;
	if (l->kmem > l->peak_kmem)
		l->peak_kmem = l->kmem;
}

/* TIME_WAIT sockets leave after 2*MSL, in the order they came. */
static void
tw_expire(struct analysis *a, int64_t now_ns)
{
	while (a->tw_len && a->tw[a->tw_head].expire_ns <= now_ns) {
		struct tw_entry *e = &a->tw[a->tw_head];
		struct listener *l = &a->listeners[e->listener];

		if (!e->retired && l->time_wait) {
			l->time_wait--;
			gauge(a, 'w', l);
		}
		listener_kmem(l);
		a->tw_head = (a->tw_head + 1) % a->tw_cap;
		a->tw_len--;
	}
}

/* A new SYN took over c's 4-tuple while the server's side was in
 * TIME_WAIT: the kernel lets that socket go (accepting the SYN, or on the
 * client's RST to its ACK). */
static void
tw_retire(struct analysis *a, struct listener *l, const struct conn *c)
{
	size_t i;

	for (i = 0; i < a->tw_len && i < TW_RETIRE_SCAN; i++) {
		struct tw_entry *e = &a->tw[(a->tw_head + a->tw_len - 1 - i) % a->tw_cap];

		if (!e->retired && e->stream == (c->stream & 0x7fffffffu) &&
		    &a->listeners[e->listener] == l) {
			e->retired = 1;
			if (l->time_wait) {
				l->time_wait--;
				gauge(a, 'w', l);
			}
			listener_kmem(l);
			return;
		}
	}
}

static void
tw_add(struct analysis *a, struct listener *l, const struct conn *c, int64_t now_ns)
{
	if (a->tw_len == a->tw_cap) {
		size_t n = a->tw_cap ? a->tw_cap * 2 : 256, i;
		struct tw_entry *nt = n <= TW_MAX ? malloc(n * sizeof(*nt)) : NULL;

		if (nt == NULL) {
			/* Full (or no memory): the oldest leaves early, counted. */
			int64_t oldest;

			if (a->tw_len == 0)
				return;
			oldest = a->tw[a->tw_head].expire_ns;
			a->tw_capped++;
			tw_expire(a, oldest);
		} else {
			for (i = 0; i < a->tw_len; i++)	/* unroll the ring */
				nt[i] = a->tw[(a->tw_head + i) % a->tw_cap];
			free(a->tw);
			a->tw = nt;
			a->tw_cap = n;
			a->tw_head = 0;
		}
	}
	a->tw[(a->tw_head + a->tw_len) % a->tw_cap] = (struct tw_entry){
		.expire_ns = now_ns + 2 * a->cfg.msl_ns,
		.listener = (uint32_t)(l - a->listeners),
		.stream = c->stream & 0x7fffffffu,
	};
	a->tw_len++;
	if (++l->time_wait > l->peak_time_wait)
		l->peak_time_wait = l->time_wait;
	gauge(a, 'W', l);
	listener_kmem(l);
}

/* The ghosts of l whose time is up at now_ns leave its half_open. */
static void
ghosts_expire(struct analysis *a, struct listener *l, int64_t now_ns)
{
	struct ghosts *g = a->ghosts[l - a->listeners];

	while (g != NULL && g->sum > 0 && g->oldest * a->ghost_width_ns <= now_ns) {
		uint32_t *b = &g->b[g->oldest % GHOST_RING];

		g->sum -= *b;
		l->half_open -= *b;
		for (uint32_t i = 0; a->gauge_fn != NULL && i < *b; i++)
			gauge(a, 'h', l);	/* --shard replays each one */
		*b = 0;
		g->oldest++;
	}
}

/* c, half-open, is being evicted: keep it in l's half_open as a ghost
 * until its idle timeout.  false when it cannot be (no idle timeout, no
 * memory): then it leaves half_open now. */
static bool
ghost_add(struct analysis *a, struct listener *l, const struct conn *c)
{
	struct ghosts **gp = &a->ghosts[l - a->listeners];
	int64_t k;

	if (a->ghost_width_ns > 0 && c->last_ns > INT64_MAX - a->cfg.idle_ns)
		return false;
	if (*gp == NULL && (*gp = calloc(1, sizeof(**gp))) == NULL)
		return false;
	if (a->ghost_width_ns <= 0) {
		(*gp)->to_end++;
		return true;
	}
	ghosts_expire(a, l, a->now_ns);
	k = (c->last_ns + a->cfg.idle_ns) / a->ghost_width_ns + 1;
	if ((*gp)->sum == 0)
		(*gp)->oldest = k;
	if (k < (*gp)->oldest)
		k = (*gp)->oldest;
	if (k >= (*gp)->oldest + (int64_t)GHOST_RING)
		k = (*gp)->oldest + GHOST_RING - 1;
	(*gp)->b[k % GHOST_RING]++;
	(*gp)->sum++;
	return true;
}

/* The input ended: every connection has too, ghosts included. */
static void
ghosts_clear(struct analysis *a)
{
	for (unsigned i = 0; i < a->nlisteners; i++) {
		struct ghosts *g = a->ghosts[i];

		if (g != NULL && g->sum + g->to_end > 0) {
			a->listeners[i].half_open -= g->sum + g->to_end;
			for (uint64_t k = 0; a->gauge_fn != NULL && k < g->sum + g->to_end; k++)
				gauge(a, 'h', &a->listeners[i]);
			memset(g, 0, sizeof(*g));
			listener_kmem(&a->listeners[i]);
		}
	}
}

static void
set_half_open(struct analysis *a, struct listener *l, struct conn *c, bool on)
{
	if (on == !!(c->cflags & CONN_HALF_OPEN))
		return;
	if (on) {
		c->cflags |= CONN_HALF_OPEN;
		if (l != NULL && ++l->half_open > l->peak_half_open)
			l->peak_half_open = l->half_open;
		if (l != NULL)
			gauge(a, 'H', l);
	} else {
		c->cflags &= (uint16_t)~CONN_HALF_OPEN;
		if (l != NULL && l->half_open) {
			l->half_open--;
			gauge(a, 'h', l);
		}
	}
	if (l != NULL)
		listener_kmem(l);
}

static void
set_established(struct analysis *a, struct listener *l, struct conn *c, bool on)
{
	if (on == !!(c->cflags & CONN_ESTABLISHED))
		return;
	if (on) {
		c->cflags |= CONN_ESTABLISHED;
		if (l != NULL && ++l->established > l->peak_established)
			l->peak_established = l->established;
		if (l != NULL)
			gauge(a, 'E', l);
	} else {
		c->cflags &= (uint16_t)~CONN_ESTABLISHED;
		if (l != NULL && l->established) {
			l->established--;
			gauge(a, 'e', l);
		}
	}
	if (l != NULL)
		listener_kmem(l);
}

static void
set_open(struct analysis *a, struct conn *c, bool on)
{
	if (on == !!(c->cflags & CONN_OPEN))
		return;
	if (on) {
		c->cflags |= CONN_OPEN;
		if (++a->open_now > a->open_peak)
			a->open_peak = a->open_now;
		gauge(a, 'O', NULL);
	} else {
		c->cflags &= (uint16_t)~CONN_OPEN;
		a->open_now--;
		gauge(a, 'o', NULL);
	}
}

/* ---- events ----------------------------------------------------------- */

void
seg_event(struct event *ev, enum event_kind k, const struct seg_ctx *sc)
{
	event_init(ev, k, sc->frame, sc->ts_ns);
	ev->stream = sc->c->stream;
	ev->has_stream = true;
	ev->has_src = true;
	ev->src = sc->seg->src;
	ev->dst = sc->seg->dst;
}

static void
conn_count_event(struct conn *c, enum event_kind k)
{
	unsigned i;

	for (i = 0; i < CONN_EVENT_SLOTS; i++) {
		if (c->ev_kind[i] == (uint8_t)(k + 1)) {
			if (c->ev_count[i] < UINT16_MAX)
				c->ev_count[i]++;
			return;
		}
		if (c->ev_kind[i] == 0) {
			c->ev_kind[i] = (uint8_t)(k + 1);
			c->ev_count[i] = 1;
			return;
		}
	}
	if (c->ev_other < UINT16_MAX)
		c->ev_other++;
}

static void
flag_stream(struct analysis *a, uint32_t stream)
{
	size_t w = stream / 64;

	if (w >= a->flagged_words) {
		size_t n = a->flagged_words ? a->flagged_words : 64;
		uint64_t *nf;

		while (n <= w)
			n *= 2;
		nf = realloc(a->flagged, n * sizeof(*nf));	/* per event, not packet */
		if (nf == NULL) {
			a->flagged_short = true;
			return;
		}
		memset(nf + a->flagged_words, 0, (n - a->flagged_words) * sizeof(*nf));
		a->flagged = nf;
		a->flagged_words = n;
	}
	a->flagged[w] |= (uint64_t)1 << (stream % 64);
}

bool
analysis_stream_flagged(const struct analysis *a, uint32_t stream)
{
	size_t w = stream / 64;

	return w < a->flagged_words && (a->flagged[w] >> (stream % 64) & 1);
}

bool
analysis_any_flagged(const struct analysis *a)
{
	size_t i;

	for (i = 0; i < a->flagged_words; i++)
		if (a->flagged[i])
			return true;
	return false;
}

void
analysis_emit(struct analysis *a, struct conn *c, const struct event *ev)
{
	a->events[ev->kind]++;
	if ((int)ev->severity > a->max_severity)
		a->max_severity = (int)ev->severity;	/* may differ from the kind's */
	if (c != NULL) {
		conn_count_event(c, ev->kind);
		flag_stream(a, c->stream);
	}
	report_event(a->r, ev, a->in);
}

void
analysis_report_event(struct analysis *a, struct conn *c, const struct event *ev)
{
	analysis_emit(a, c, ev);
}

/* ---- history ---------------------------------------------------------- */

/* Zeek's conn history: one letter per kind of segment, upper case from
 * the client, lower case from the server, each recorded once per side, in
 * order of first appearance. */
/* The 1-based index of letter in CONN_HISTORY_LETTERS, as a switch: this
 * runs several times per packet. */
static inline uint64_t
history_code(char letter)
{
	_Static_assert(sizeof(CONN_HISTORY_LETTERS) == 13, "history letters changed");
	switch (letter) {
	case 'S': return 1;
	case 'H': return 2;
	case 'A': return 3;
	case 'D': return 4;
	case 'F': return 5;
	case 'R': return 6;
	case 'T': return 7;
	case 'W': return 8;
	case 'Q': return 9;
	case 'G': return 10;
	case 'I': return 11;
	default: return 12;	/* 'C' */
	}
}

static void
history_add(struct conn *c, bool from_client, char letter)
{
	/* HLOW has a 1 in each of the 12 five-bit lanes, HHIGH their top bits */
	const uint64_t HLOW = 0x0084210842108421ULL, HHIGH = HLOW << 4;
	uint64_t code, x;

	code = history_code(letter) | (from_client ? 0x10u : 0);
	/* Already there?  A lane of x is zero where hist holds code; unused
	 * lanes hold 0 and code is never 0, so only letters count.  With no
	 * zero lane nothing borrows, and (v - 1) & ~v never has the lane's top
	 * bit for v in 1..31: the test is exact. */
	x = c->hist ^ (code * HLOW);
	if (((x - HLOW) & ~x & HHIGH) != 0)
		return;
	if (c->hist_len < CONN_HISTORY_MAX)
		c->hist |= code << (5 * c->hist_len++);
}

static void
history_segment(struct conn *c, bool from_client, const struct segment *seg,
    const struct track_result *tr, bool netdup)
{
	uint16_t f = seg->flags;

	if ((f & TCP_SYN) && (f & (TCP_RST | TCP_FIN)))
		history_add(c, from_client, 'Q');	/* multi-flag: SYN+FIN/RST */
	if ((f & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		history_add(c, from_client, 'S');
	else if ((f & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		history_add(c, from_client, 'H');
	if (f & TCP_RST)
		history_add(c, from_client, 'R');
	if (f & TCP_FIN)
		history_add(c, from_client, 'F');
	if (seg->payload_len > 0)
		history_add(c, from_client, 'D');
	else if ((f & TCP_ACK) && !(f & (TCP_SYN | TCP_FIN | TCP_RST)))
		history_add(c, from_client, 'A');
	if (tr->retrans_bytes > 0 && !netdup)
		history_add(c, from_client, 'T');
	if (seg->win_raw == 0 && !(f & (TCP_SYN | TCP_RST)))
		history_add(c, from_client, 'W');
}

/* ---- handshake bookkeeping -------------------------------------------- */

uint32_t
us_plus_one(int64_t ns)
{
	int64_t us = ns / 1000;

	if (us < 0)
		us = 0;
	if (us > (int64_t)UINT32_MAX - 1)
		us = (int64_t)UINT32_MAX - 1;
	return (uint32_t)us + 1;
}

/* The handshake completed: its final ACK's frame, and where the capture
 * point sits.  Near the server the SYN -> SYN-ACK gap is the server's
 * turnaround and SYN-ACK -> ACK a whole round trip; near the client the
 * reverse.  Only a handshake of one SYN and one SYN-ACK says so (retries
 * stretch either half), and only by a factor of 4 either way. */
static void
memo_completed(struct hs_memo *m, const struct conn *c, uint32_t ack_us, uint64_t frame)
{
	int64_t s2sa = (int64_t)c->synack_us - 1, sa2a = (int64_t)ack_us - 1;

	m->ack_frame = (uint32_t)frame;
	if (c->syn_tx != 1 || c->synack_tx != 1 || c->synack_us == 0 || ack_us == 0)
		return;
	if (s2sa * 4 < sa2a)
		m->flags |= MEMO_AT_SERVER;
	else if (sa2a * 4 < s2sa)
		m->flags |= MEMO_AT_CLIENT;
}

static void
track_handshake(const struct seg_ctx *sc)
{
	struct analysis *a = sc->a;
	struct conn *c = sc->c;
	struct side *cl = &c->side[c->client], *sv = &c->side[!c->client];
	uint16_t f = sc->seg->flags;
	struct listener *l;

	/* A copy the network made of a SYN or SYN-ACK is no transmission. */
	if (sc->netdup && (f & TCP_SYN))
		return;
	/* A client SYN opens a listener entry the first time. */
	if (sc->from_client && (f & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		if (c->syn_tx < UINT8_MAX)
			c->syn_tx++;
		if (!(c->cflags & CONN_LISTENER)) {
			struct endpoint ep;

			conn_endpoint(a->flows, c, !c->client, &ep);
			l = listener_get(a, &ep, true);
			if (l != NULL) {
				c->cflags |= CONN_LISTENER;
				l->connections++;
				ghosts_expire(a, l, sc->ts_ns);
				set_half_open(a, l, c, true);
			}
		}
		if ((l = conn_listener(a, c)) != NULL && !sc->tr->syn_retransmit)
			listener_syn(a, l, sc->ts_ns);
		return;
	}
	/* First SYN-ACK answering the SYN: the server-side round trip as
	 * seen from the capture point. */
	if (!sc->from_client && (f & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
		if (c->synack_us == 0 && (cl->flags & SIDE_SYN) && !(cl->flags & SIDE_MIDSTREAM))
			c->synack_us = us_plus_one(sc->ts_ns - c->start_ns);
		if (!sc->tr->syn_retransmit)
			c->synack_tx = 0;	/* a new ISN: a new series */
		if (c->synack_tx < UINT8_MAX)
			c->synack_tx++;
		/* last_synack_us is updated by detect_handshake after use */
		if (c->cflags & CONN_LISTENER) {
			struct hs_memo *m = hs_memo_claim(a, c->stream);

			m->synack_frame = (uint32_t)sc->frame;
			m->flags &= (uint16_t)~(MEMO_SYNACK_TS | MEMO_TS_DONE);
			if (sc->seg->opt.present & TCPOPT_HAVE_TS) {
				m->synack_tsval = sc->seg->opt.tsval;
				m->flags |= MEMO_SYNACK_TS;
			}
		}
		return;
	}
	/* The client's ACK of the SYN-ACK completes the handshake. */
	if (sc->from_client && !(c->cflags & CONN_HS_COMPLETE) && (f & TCP_ACK) &&
	    !(f & (TCP_SYN | TCP_RST)) && (sv->flags & SIDE_SYNACK) &&
	    seq_ge(sc->seg->ack, sv->isn + 1)) {
		uint32_t ack_us = 0;

		c->cflags |= CONN_HS_COMPLETE;
		if (c->synack_us)
			ack_us = us_plus_one(sc->ts_ns - c->start_ns -
			    (int64_t)(c->synack_us - 1) * 1000);
		if (sc->x != NULL)	/* this ACK brought it (pipeline.c) */
			sc->x->ack_us = ack_us;
		l = conn_listener(a, c);
		if (l != NULL) {
			l->completed++;
			memo_completed(hs_memo_claim(a, c->stream), c, ack_us, sc->frame);
		}
		set_half_open(a, l, c, false);
		set_established(a, l, c, true);
	}
}

/* ---- per segment ------------------------------------------------------ */

/* A SYN opened a new incarnation of a closed connection in the same
 * stream (tcp_track's reopened): its handshake is counted afresh. */
static void
reopen(struct analysis *a, struct conn *c)
{
	c->syn_tx = 0;
	c->synack_tx = 0;
	c->last_synack_us = 0;
	c->cflags &= (uint16_t)~(CONN_REFUSED | CONN_OVERFLOW_RST | CONN_SIMOPEN | CONN_SIMCLOSE);
	set_open(a, c, true);
}

void
analysis_segment(struct analysis *a, struct conn *c, struct conn_ext *x, unsigned dir,
    enum flow_lookup_how how, const struct flow_prev *prev, const struct segment *seg,
    const struct track_result *tr, uint64_t frame, int64_t ts_ns)
{
	struct seg_ctx sc = {
		.a = a, .c = c, .dir = dir, .snd = &c->side[dir], .rcv = &c->side[!dir],
		.x = x, .sx = x != NULL ? &x->side[dir] : NULL,
		.rx = x != NULL ? &x->side[!dir] : NULL,
		.seg = seg, .tr = tr, .how = how, .prev = prev, .frame = frame, .ts_ns = ts_ns,
		.from_client = dir == c->client,
	};
	bool was_complete = (c->cflags & CONN_HS_COMPLETE) != 0;

	if (ts_ns > a->now_ns)
		a->now_ns = ts_ns;
	if (how != FLOW_FOUND)
		set_open(a, c, true);
	if (a->tw_len && a->tw[a->tw_head].expire_ns <= ts_ns)
		tw_expire(a, ts_ns);
	if (tr->reopened) {
		reopen(a, c);
		detect_handshake_reopen(a, c, ts_ns);
	}
	detect_stream_copy(&sc);
	track_handshake(&sc);
	sc.hs_completed = !was_complete && (c->cflags & CONN_HS_COMPLETE);
	history_segment(c, sc.from_client, seg, tr, sc.netdup);
	/* The server closed first: its kernel keeps the 4-tuple in TIME_WAIT. */
	if ((c->cflags & CONN_LISTENER) &&
	    (dir == c->client ? tr->rcv_new == TS_TIME_WAIT && tr->rcv_old != TS_TIME_WAIT :
	    tr->snd_new == TS_TIME_WAIT && tr->snd_old != TS_TIME_WAIT)) {
		struct listener *l = conn_listener(a, c);

		if (l != NULL)
			tw_add(a, l, c, ts_ns);
	}

	detect_teardown_first(&sc);	/* events the packet settles come first */
	detect_handshake(&sc);
	detect_listener(&sc);
	detect_stream(&sc);
	detect_teardown(&sc);
	detect_listener_tick(a, ts_ns);

	if ((c->cflags & (CONN_OPEN | CONN_HALF_OPEN | CONN_ESTABLISHED)) && conn_closed(c)) {
		struct listener *l = conn_listener(a, c);

		set_open(a, c, false);
		set_half_open(a, l, c, false);
		set_established(a, l, c, false);
	}
}

void
analysis_clock(struct analysis *a, int64_t ts_ns)
{
	if (ts_ns > a->now_ns)
		a->now_ns = ts_ns;
	if (ts_ns > a->teardown.now_ns)
		a->teardown.now_ns = ts_ns;	/* as detect_teardown_first() */
	if (a->tw_len && a->tw[a->tw_head].expire_ns <= ts_ns)
		tw_expire(a, ts_ns);
	detect_listener_tick(a, ts_ns);
}

void
analysis_address_sent(struct analysis *a, const struct endpoint *src)
{
	detect_handshake_sender(a, src);
}

void
analysis_number_only(struct analysis *a, struct conn *c, unsigned dir,
    enum flow_lookup_how how, uint64_t frame, int64_t ts_ns)
{
	(void)frame;
	(void)ts_ns;
	if (how != FLOW_FOUND)
		set_open(a, c, true);
	c->side[dir].packets++;
}

void
analysis_conn_end(struct analysis *a, struct conn *c, struct conn_ext *x, enum flow_end why,
    const struct msg_conn *msgs)
{
	struct listener *l = conn_listener(a, c);
	struct conn_report cr = { .c = c, .x = x, .why = why, .in = a->in, .msgs = msgs };

	conn_endpoint(a->flows, c, 0, &cr.ep[0]);
	conn_endpoint(a->flows, c, 1, &cr.ep[1]);

	if (l != NULL && (c->cflags & CONN_HS_COMPLETE) &&
	    ((c->side[0].flags | c->side[1].flags) & SIDE_RST))
		l->reset++;
	set_open(a, c, false);
	if (l != NULL && why == FLOW_END_EVICTED && (c->cflags & CONN_HALF_OPEN) &&
	    ghost_add(a, l, c))
		c->cflags &= (uint16_t)~CONN_HALF_OPEN;	/* still in half_open */
	set_half_open(a, l, c, false);
	set_established(a, l, c, false);
	if (l != NULL && why == FLOW_END_REUSED && c->side[!c->client].state == TS_TIME_WAIT)
		tw_retire(a, l, c);
	detect_handshake_end(a, c, &cr);
	detect_listener_conn_end(a, c, &cr);
	detect_stream_end(a, c, x, why == FLOW_END_INPUT);
	detect_teardown_end(a, c, x, why);
	a->records++;
	report_connection(a->r, &cr);
}

void
analysis_fill_summary(const struct analysis *a, struct summary *s)
{
	s->events_by_kind = a->events;
	s->connections = a->records;
	s->one_sided = handshake_watch_one_sided(a->hs_watch);
	s->peak_concurrent = a->open_peak;
	s->listeners = a->listeners;
	s->nlisteners = a->nlisteners;
	s->listeners_dropped = a->listeners_dropped;
}

const struct listener *
analysis_listener_of(struct analysis *a, const struct conn *c)
{
	return conn_listener(a, c);
}

struct listener *
analysis_conn_listener(struct analysis *a, const struct conn *c)
{
	return conn_listener(a, c);
}

void
analysis_note_refused(const struct seg_ctx *sc)
{
	struct conn *c = sc->c;
	struct listener *l = conn_listener(sc->a, c);

	if (c->cflags & CONN_REFUSED)
		return;
	c->cflags |= CONN_REFUSED;
	if (l != NULL)
		l->refused++;
}
