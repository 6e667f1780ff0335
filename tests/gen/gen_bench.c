/* gen_bench.c: the benchmark capture generator.  Writes a classic pcap file
 * (microsecond magic, LINKTYPE_ETHERNET) of realistic, interleaved TCP
 * traffic: thousands of concurrent connections with handshakes, request /
 * response exchanges driven by a small per-transfer TCP model (slow start,
 * delayed ACKs, SACK, fast retransmit, RTO, persist), teardowns, and a low,
 * known rate of trouble (loss, reordering, duplicates, zero windows, SYN
 * retransmissions, refused and unanswered SYNs, sequence wrap, a SYN flood).
 *
 * Output depends on nothing but the packet count: one fixed-seed PRNG of
 * our own, no libm, no clock, so every run writes the same bytes.
 *
 * usage: gen_bench OUT.pcap [PACKETS]     (default 1000000)
 *
 * Build: cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o gen_bench gen_bench.c
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Capture shape.  The traffic is simulated from time 0, but the capture
 * starts WARMUP_US later, so it opens on a steady state with connections
 * already in progress, as a real capture does. */
#define DEFAULT_PACKETS		1000000ULL
#define CAPTURE_US		300000000ULL	/* ~5 minutes of capture */
#define WARMUP_US		90000000ULL
#define FLOOD_AT_US		150000000ULL	/* capture time of the SYN flood */
#define FLOOD_RATE		12000.0		/* flood SYNs per second */
#define EPOCH_SEC		1700000000U	/* first record: 2023-11-14 */
#define SNAPLEN			262144U
#define LINKTYPE_ETHERNET	1U

/* Mean packets one normal connection yields; sets the arrival rate so the
 * requested packet count spans CAPTURE_US.  Measured from this generator. */
#define PKTS_PER_CONN		31.4

#define N_CLIENTS4		320
#define N_CLIENTS6		80
#define N_CLIENTS		(N_CLIENTS4 + N_CLIENTS6)
#define N_SERVERS		6
#define DEAD_SERVER		N_SERVERS	/* an address nothing answers on */

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PSH	0x08
#define TH_ACK	0x10

#define DELACK_US	40000U		/* Linux delayed-ACK timeout */
#define MIN_RTO_US	200000U		/* Linux minimum RTO */
#define CWND_INIT	10U
#define CWND_MAX	40U		/* segments; 40 * 1460 stays under every
					 * receive window we advertise, so a clean
					 * connection never fills a window */
#define MAX_SACK	3		/* blocks that fit beside timestamps */

/* ---- deterministic randomness ------------------------------------- */

static uint64_t rng_state = 0x7463706469737365ULL;	/* "tcpdisse" */

/* xorshift64*: tiny, fast, and the same on every platform. */
static uint64_t
rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, 1), 53 bits. */
static double
rnd01(void)
{
	return (double)(rnd64() >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [lo, hi], inclusive. */
static uint32_t
rnd_range(uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rnd01() * ((double)hi - lo + 1.0));
}

static bool
chance(double p)
{
	return rnd01() < p;
}

/* Natural logarithm of a positive normal double, by IEEE arithmetic only,
 * so the output does not depend on the C library's libm. */
static double
xln(double v)
{
	uint64_t bits;
	double m, z, z2, term, sum;
	int e, k;

	memcpy(&bits, &v, sizeof(bits));
	e = (int)((bits >> 52) & 0x7ff) - 1023;
	bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
	memcpy(&m, &bits, sizeof(m));
	if (m > 1.4142135623730951) {
		m *= 0.5;
		e++;
	}
	/* ln m = 2 atanh(z), |z| <= 0.172: 10 terms are plenty. */
	z = (m - 1.0) / (m + 1.0);
	z2 = z * z;
	term = z;
	sum = 0.0;
	for (k = 1; k < 21; k += 2) {
		sum += term / k;
		term *= z2;
	}
	return 2.0 * sum + e * 0.6931471805599453;
}

/* Exponentially distributed duration with the given mean, microseconds. */
static uint64_t
rnd_exp(double mean_us)
{
	return (uint64_t)(-mean_us * xln(1.0 - rnd01()));
}

/* Sizes from a table of (cumulative probability, lo, hi) buckets. */
struct bucket {
	double		p;
	uint32_t	lo, hi;
};

static uint32_t
rnd_bucket(const struct bucket *b)
{
	double u = rnd01();

	while (u >= b->p)
		b++;
	return rnd_range(b->lo, b->hi);
}

/* ---- sequence arithmetic (RFC 1982) -------------------------------- */

static int32_t
sdiff(uint32_t a, uint32_t b)
{
	uint32_t d = a - b;

	return d <= (uint32_t)INT32_MAX ? (int32_t)d : -(int32_t)(UINT32_MAX - d) - 1;
}

static bool sgt(uint32_t a, uint32_t b) { return sdiff(a, b) > 0; }
static bool sge(uint32_t a, uint32_t b) { return sdiff(a, b) >= 0; }

/* ---- hosts ---------------------------------------------------------- */

enum synopt {
	SO_LINUX,	/* MSS, SACK_PERM, TS, NOP, WS */
	SO_LINUX_NOTS,	/* MSS, NOP, NOP, SACK_PERM, NOP, WS: answer to no TS */
	SO_WINDOWS,	/* MSS, NOP, WS, NOP, NOP, SACK_PERM */
	SO_MSS_ONLY,	/* answer to a SYN without options */
	SO_NONE		/* flood tools send bare SYNs */
};

struct client {
	uint8_t		addr[16];
	uint32_t	delay;		/* one-way µs to the tap */
	uint32_t	up_mbps, down_mbps;
	uint16_t	next_port;
	uint8_t		v6, windows, ttl;
};

struct server {
	uint8_t		addr4[4], addr6[16], mac[6];
};

static struct client clients[N_CLIENTS];
static struct server servers[N_SERVERS + 1];
static const uint8_t router_mac[6] = { 0x00, 0x1b, 0x21, 0x3a, 0x4c, 0x01 };

static void
init_hosts(void)
{
	static const uint32_t up[] = { 10, 20, 50, 100, 1000 };
	static const uint32_t down[] = { 20, 50, 100, 300, 1000 };
	struct client *cl;
	int i;

	for (i = 0; i <= N_SERVERS; i++) {
		struct server *s = &servers[i];
		uint8_t host = (uint8_t)(i == DEAD_SERVER ? 99 : 10 + i);

		s->addr4[0] = 10;
		s->addr4[3] = host;
		s->addr6[0] = 0x20;
		s->addr6[1] = 0x01;
		s->addr6[2] = 0x0d;
		s->addr6[3] = 0xb8;
		s->addr6[7] = 1;
		s->addr6[15] = host;
		memcpy(s->mac, (const uint8_t[6]){ 0x52, 0x54, 0x00, 0x10, 0x00, host }, 6);
	}
	for (i = 0; i < N_CLIENTS; i++) {
		cl = &clients[i];
		memset(cl, 0, sizeof(*cl));
		cl->v6 = i >= N_CLIENTS4;
		if (!cl->v6) {
			/* Two thirds on the campus LAN, the rest remote. */
			bool local = i < N_CLIENTS4 * 2 / 3;

			cl->addr[0] = local ? 10 : 172;
			cl->addr[1] = local ? 20 : 16;
			cl->addr[2] = (uint8_t)rnd_range(0, 255);
			cl->addr[3] = (uint8_t)rnd_range(1, 254);
			cl->delay = local ? rnd_range(100, 1500) : rnd_range(4000, 60000);
		} else {
			cl->addr[0] = 0x20;
			cl->addr[1] = 0x01;
			cl->addr[2] = 0x0d;
			cl->addr[3] = 0xb8;
			cl->addr[4] = 0x01;
			cl->addr[5] = (uint8_t)i;
			for (int k = 8; k < 16; k++)
				cl->addr[k] = (uint8_t)rnd64();
			cl->delay = chance(0.5) ? rnd_range(100, 1500) : rnd_range(4000, 60000);
		}
		cl->up_mbps = up[rnd_range(0, 4)];
		cl->down_mbps = down[rnd_range(0, 4)];
		cl->windows = chance(0.15);
		cl->ttl = (uint8_t)((cl->windows ? 128 : 64) - rnd_range(1, 18));
		cl->next_port = (uint16_t)rnd_range(32768, 60999);
	}
}

/* Linux hands out ephemeral ports from 32768-60999; walking forward keeps
 * every 4-tuple of the capture unique, so no "port reused" surprises. */
static uint16_t
client_port(struct client *cl)
{
	uint16_t p = cl->next_port;

	cl->next_port = (uint16_t)(p + rnd_range(1, 7));
	if (cl->next_port > 60999 || cl->next_port < 32768)
		cl->next_port = (uint16_t)(32768 + (cl->next_port % 97));
	return p;
}

/* ---- connections and their packets ---------------------------------- */

/* One captured segment, waiting in its connection's queue. */
struct pkt {
	uint64_t	t;		/* tap time, µs of simulation clock */
	uint32_t	ord;		/* creation order: sorting is stable */
	uint32_t	seq, ack, tsval, tsecr;
	uint32_t	sack[MAX_SACK][2];
	uint16_t	len, win, ipid;
	uint8_t		flags, from, syn, nsack;
};

/* One end of a connection: index 0 is the client, 1 the server.  lt and
 * la model the links before and after the tap as FIFOs for what this end
 * sends, which gives realistic spacing and keeps segments in order. */
struct ep {
	uint8_t		addr[16];
	uint8_t		mac[6];
	uint32_t	isn, snd_nxt, rcv_nxt;
	uint32_t	ts_base, ts_recent;
	uint32_t	delay;		/* one-way µs between this end and the tap */
	uint32_t	pre_mbps;	/* rate of its link before the tap */
	uint32_t	post_mbps;	/* rate of the link behind the tap */
	uint32_t	flow;		/* IPv6 flow label */
	uint64_t	lt, la;		/* last tap / arrival time of its packets */
	uint64_t	pend_ack;	/* delayed ACK due at this time; 0: none */
	uint16_t	ip_id, win, mss, port;
	uint16_t	syn_win;	/* unscaled window of its SYN */
	uint8_t		wscale, ttl, synopt;
};

enum kind { K_NORMAL, K_REFUSED, K_DEAD, K_FLOOD };
enum phase { PH_OPEN, PH_EXCH, PH_CLOSE, PH_DONE };
enum prof { PR_API, PR_WEB, PR_HTTP, PR_PG, PR_REDIS };

struct conn {
	struct ep	ep[2];
	struct pkt	*q;
	uint32_t	qlen, qcap, qhead, ord;
	uint64_t	tlast;		/* tap time of the last packet queued */
	uint64_t	next_x;		/* when the next phase starts */
	uint32_t	nexch, xidx;	/* exchanges planned / done */
	uint32_t	smss;		/* payload bytes of a full segment */
	double		p_loss, p_reorder, p_dup;
	uint16_t	vlan;
	uint8_t		v6, ts_ok, kind, phase, prof, closer;
	uint8_t		stall, big_resp, big_req, seen;
	int		next_free;
};

static struct conn *conns;
static int nconns_alloc, free_conn = -1;

/* Run-wide counters for the summary line. */
static uint64_t n_emitted, n_bytes_written, n_conns, n_flood, n_live, peak_live;
static uint64_t n_clamped;

static uint32_t
tsval_at(const struct ep *e, uint64_t x)
{
	return e->ts_base + (uint32_t)(x / 1000);
}

static uint32_t
opt_len(const struct conn *c, const struct pkt *p)
{
	if (p->syn) {
		switch (c->ep[p->from].synopt) {
		case SO_LINUX:		return 20;
		case SO_LINUX_NOTS:	return 12;
		case SO_WINDOWS:	return 12;
		case SO_MSS_ONLY:	return 4;
		default:		return 0;
		}
	}
	if (p->flags & TH_RST)
		return 0;
	return (c->ts_ok ? 12 : 0) + (p->nsack ? 4 + 8 * (uint32_t)p->nsack : 0);
}

static uint32_t
frame_len(const struct conn *c, const struct pkt *p)
{
	uint32_t n = 14 + (c->vlan ? 4 : 0) + (c->v6 ? 40 : 20) + 20 + opt_len(c, p) + p->len;

	return n < 60 ? 60 : n;
}

/* Microseconds a frame of n bytes occupies a link (with preamble, FCS and
 * gap), at least one. */
static uint64_t
ser_us(uint32_t n, uint32_t mbps)
{
	uint64_t us = ((uint64_t)(n + 24) * 8 + mbps - 1) / mbps;

	return us ? us : 1;
}

static struct pkt *
queue_pkt(struct conn *c, const struct pkt *p, uint64_t t)
{
	struct pkt *q;

	if (c->qlen == c->qcap) {
		c->qcap = c->qcap ? c->qcap * 2 : 64;
		c->q = realloc(c->q, c->qcap * sizeof(*c->q));
		if (c->q == NULL) {
			perror("gen_bench: realloc");
			exit(1);
		}
	}
	q = &c->q[c->qlen++];
	*q = *p;
	q->t = t;
	q->ord = c->ord++;
	return q;
}

/* What happens to a segment on its way. */
enum fate { F_OK, F_LOSS_PRE, F_LOSS_POST, F_REORDER_PRE, F_REORDER_POST, F_DUP };

/* Sends p from end 'from' at that end's time x: queues what the tap sees
 * and stores in arr[] when copies reach the other end.  Returns how many
 * copies arrive (0 when lost, 2 when duplicated). */
static int
xmit(struct conn *c, int from, uint64_t x, struct pkt *p, enum fate fate, uint64_t arr[2])
{
	struct ep *e = &c->ep[from], *o = &c->ep[!from];
	uint32_t wire = frame_len(c, p);
	uint64_t tap, a, delta;

	p->from = (uint8_t)from;
	p->ipid = e->ip_id++;
	tap = x + e->delay;
	if (tap < e->lt + ser_us(wire, e->pre_mbps))
		tap = e->lt + ser_us(wire, e->pre_mbps);
	e->lt = tap;
	if (fate == F_LOSS_PRE)
		return 0;
	/* Reordering displaces a segment by one to three others. */
	if (fate == F_REORDER_PRE)
		tap += rnd_range(1, 3) * ser_us(wire, e->pre_mbps) + rnd_range(5, 60);
	queue_pkt(c, p, tap);
	if (fate == F_DUP)
		queue_pkt(c, p, tap + rnd_range(2, 60));
	if (fate == F_LOSS_POST)
		return 0;
	/* A segment held back before the tap gives up its place in the
	 * queue behind it to the ones that overtook it; one held back
	 * behind the tap arrives late. */
	a = tap + o->delay;
	if (a < e->la + ser_us(wire, e->post_mbps))
		a = e->la + ser_us(wire, e->post_mbps);
	delta = 0;
	if (fate != F_REORDER_PRE)
		e->la = a;
	if (fate == F_REORDER_POST)
		delta = rnd_range(1, 2) * ser_us(wire, e->post_mbps) + rnd_range(5, 60);
	arr[0] = a + delta;
	if (fate == F_DUP) {
		arr[1] = a + rnd_range(2, 60);
		return 2;
	}
	return 1;
}

/* A packet carrying end e's current sequence, ACK and window. */
static void
pkt_init(const struct conn *c, int from, uint64_t x, uint8_t flags, struct pkt *p)
{
	const struct ep *e = &c->ep[from];

	memset(p, 0, sizeof(*p));
	p->from = (uint8_t)from;
	p->flags = flags;
	p->syn = (flags & TH_SYN) != 0;
	p->seq = e->snd_nxt;
	p->ack = (flags & TH_ACK) ? e->rcv_nxt : 0;
	p->win = p->syn ? e->syn_win : e->win;
	if (c->ts_ok) {
		p->tsval = tsval_at(e, x);
		p->tsecr = e->ts_recent;
	}
}

static void flush_pending(struct conn *c, int e, uint64_t x);

/* A control segment (SYN, FIN, RST or bare ACK) from end 'from' at x;
 * returns when it reaches the other end (0 if it does not). */
static uint64_t
send_ctl_fate(struct conn *c, int from, uint64_t x, uint8_t flags, enum fate fate)
{
	struct pkt p;
	uint64_t arr[2];

	pkt_init(c, from, x, flags, &p);
	if (flags & TH_RST)
		p.win = 0;
	if (flags & (TH_SYN | TH_FIN))
		c->ep[from].snd_nxt++;
	if (xmit(c, from, x, &p, fate, arr) == 0)
		return 0;
	if (flags & (TH_SYN | TH_FIN)) {
		/* A delayed ACK the peer owed before this arrives goes out
		 * with the ACK number it had; one not yet due is overtaken
		 * by the peer's answer to this segment. */
		flush_pending(c, !from, arr[0]);
		c->ep[!from].rcv_nxt = c->ep[from].snd_nxt;
	}
	c->ep[!from].ts_recent = p.tsval;
	return arr[0];
}

static uint64_t
send_ctl(struct conn *c, int from, uint64_t x, uint8_t flags)
{
	return send_ctl_fate(c, from, x, flags, F_OK);
}

/* End e is about to send at x: a delayed ACK that fell due before goes
 * out first; one due later rides on what e sends now. */
static void
flush_pending(struct conn *c, int e, uint64_t x)
{
	uint64_t due = c->ep[e].pend_ack;

	c->ep[e].pend_ack = 0;
	if (due != 0 && due <= x)
		send_ctl(c, e, due, TH_ACK);
}

/* ---- one data transfer: a small event-driven TCP model ------------- */

enum evtype { EV_DATA, EV_ACK, EV_DELACK, EV_RTO, EV_PERSIST, EV_PROBE, EV_READ };

struct ev {
	uint64_t	t;
	uint32_t	ord;
	uint8_t		type;
	uint32_t	a, b, c, d;	/* DATA: seq, len, tsval; ACK: ack, edge,
					 * tsval, highest SACKed; timers: c is
					 * the generation */
};

static struct ev *evh;
static uint32_t evn, evcap, evord;

static bool
ev_less(const struct ev *x, const struct ev *y)
{
	return x->t < y->t || (x->t == y->t && x->ord < y->ord);
}

static void
ev_push(uint64_t t, enum evtype type, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	uint32_t i, up;
	struct ev v = { t, evord++, (uint8_t)type, a, b, c, d };

	if (evn == evcap) {
		evcap = evcap ? evcap * 2 : 1024;
		evh = realloc(evh, evcap * sizeof(*evh));
		if (evh == NULL) {
			perror("gen_bench: realloc");
			exit(1);
		}
	}
	for (i = evn++; i > 0; i = up) {
		up = (i - 1) / 2;
		if (!ev_less(&v, &evh[up]))
			break;
		evh[i] = evh[up];
	}
	evh[i] = v;
}

static struct ev
ev_pop(void)
{
	struct ev top = evh[0], last = evh[--evn];
	uint32_t i = 0, k;

	for (;;) {
		k = 2 * i + 1;
		if (k >= evn)
			break;
		if (k + 1 < evn && ev_less(&evh[k + 1], &evh[k]))
			k++;
		if (!ev_less(&evh[k], &last))
			break;
		evh[i] = evh[k];
		i = k;
	}
	evh[i] = last;
	return top;
}

struct xfer {
	struct conn	*c;
	int		s, r;		/* sending and receiving end */
	uint32_t	end;		/* sequence after the last byte */
	/* sender */
	uint32_t	una, nxt, edge, cwnd, ssthresh, recover, dupacks;
	uint32_t	rto, rto_gen, persist_iv, persist_gen, loss_seq;
	uint32_t	sack_hi;	/* highest sequence the receiver SACKed */
	bool		inrec, loss_pending, persist_armed;
	/* receiver */
	uint32_t	rnxt, unacked, delack_gen, cap, stall_base;
	uint32_t	ooo[4][2];
	int		nooo;
	uint16_t	last_win;
	bool		stalled;
	uint64_t	delack_at, rdone;
};

static uint16_t
rcv_win(const struct xfer *x)
{
	const struct ep *e = &x->c->ep[x->r];
	uint32_t unread, free;

	if (!x->stalled)
		return e->win;
	unread = x->rnxt - x->stall_base;
	free = x->cap > unread ? x->cap - unread : 0;
	return (uint16_t)(free >> e->wscale);
}

/* Receiver's ACK at its time t, with SACK blocks for what it holds out
 * of order and, first, a D-SACK block for a duplicate it just got. */
static void
send_ack(struct xfer *x, uint64_t t, bool dsack, uint32_t ds, uint32_t de)
{
	struct conn *c = x->c;
	struct ep *e = &c->ep[x->r];
	struct pkt p;
	uint64_t arr[2];
	uint32_t hi = x->rnxt;
	int i;

	e->rcv_nxt = x->rnxt;
	pkt_init(c, x->r, t, TH_ACK, &p);
	p.win = rcv_win(x);
	if (dsack) {
		p.sack[0][0] = ds;
		p.sack[0][1] = de;
		p.nsack = 1;
	}
	for (i = 0; i < x->nooo && p.nsack < MAX_SACK; i++, p.nsack++) {
		p.sack[p.nsack][0] = x->ooo[i][0];
		p.sack[p.nsack][1] = x->ooo[i][1];
		if (sgt(x->ooo[i][1], hi))
			hi = x->ooo[i][1];
	}
	xmit(c, x->r, t, &p, F_OK, arr);
	x->last_win = p.win;
	x->unacked = 0;
	x->delack_at = 0;
	x->delack_gen++;
	ev_push(arr[0], EV_ACK, p.ack, p.ack + ((uint32_t)p.win << e->wscale), p.tsval, hi);
}

/* Adds [s, e) to the out-of-order list, most recent first (RFC 2018). */
static void
ooo_add(struct xfer *x, uint32_t s, uint32_t e)
{
	int i, j;

	for (i = 0; i < x->nooo; ) {
		if (sge(e, x->ooo[i][0]) && sge(x->ooo[i][1], s)) {
			if (sgt(s, x->ooo[i][0]))
				s = x->ooo[i][0];
			if (sgt(x->ooo[i][1], e))
				e = x->ooo[i][1];
			for (j = i; j + 1 < x->nooo; j++)
				memcpy(x->ooo[j], x->ooo[j + 1], sizeof(x->ooo[j]));
			x->nooo--;
		} else {
			i++;
		}
	}
	if (x->nooo == 4)
		x->nooo--;
	memmove(x->ooo[1], x->ooo[0], (size_t)x->nooo * sizeof(x->ooo[0]));
	x->ooo[0][0] = s;
	x->ooo[0][1] = e;
	x->nooo++;
}

/* Moves rnxt over the out-of-order data it now reaches. */
static void
ooo_pull(struct xfer *x)
{
	bool again = true;
	int i, j;

	while (again) {
		again = false;
		for (i = 0; i < x->nooo; i++) {
			if (sgt(x->ooo[i][0], x->rnxt))
				continue;
			if (sgt(x->ooo[i][1], x->rnxt))
				x->rnxt = x->ooo[i][1];
			for (j = i; j + 1 < x->nooo; j++)
				memcpy(x->ooo[j], x->ooo[j + 1], sizeof(x->ooo[j]));
			x->nooo--;
			again = true;
			break;
		}
	}
}

static void
on_data(struct xfer *x, uint64_t t, uint32_t s, uint32_t len, uint32_t tsval)
{
	uint32_t e = s + len;
	bool had_ooo = x->nooo > 0;

	if (!sgt(e, x->rnxt)) {			/* all of it seen before */
		send_ack(x, t, true, s, e);
		return;
	}
	if (sgt(s, x->rnxt)) {			/* a hole before it */
		ooo_add(x, s, e);
		send_ack(x, t, false, 0, 0);
		return;
	}
	x->c->ep[x->r].ts_recent = tsval;
	x->rnxt = e;
	ooo_pull(x);
	if (x->rnxt == x->end && x->rdone == 0)
		x->rdone = t;
	if (had_ooo || ++x->unacked >= 2) {
		send_ack(x, t, false, 0, 0);
	} else if (x->delack_at == 0) {
		x->delack_at = t + DELACK_US;
		ev_push(x->delack_at, EV_DELACK, 0, 0, x->delack_gen, 0);
	}
}

static void
arm_rto(struct xfer *x, uint64_t t)
{
	x->rto_gen++;
	if (x->una != x->nxt)
		ev_push(t + x->rto, EV_RTO, 0, 0, x->rto_gen, 0);
}

/* Sends one data segment [seq, seq + len) at the sender's time t.  New
 * data may meet trouble, one incident at a time; retransmissions don't. */
static void
send_seg(struct xfer *x, uint64_t t, uint32_t seq, uint32_t len, bool retx)
{
	struct conn *c = x->c;
	enum fate fate = F_OK;
	struct pkt p;
	uint64_t arr[2];
	double u;
	int n, i;

	pkt_init(c, x->s, t, TH_ACK, &p);
	p.seq = seq;
	p.len = (uint16_t)len;
	if (seq + len == x->end)
		p.flags |= TH_PSH;
	if (!retx && !x->loss_pending && !x->inrec) {
		u = rnd01();
		if (u < c->p_loss) {
			/* The client's access link drops what it sends before
			 * the tap; downstream most drops are behind it. */
			fate = (x->s == 0 || chance(0.25)) ? F_LOSS_PRE : F_LOSS_POST;
			x->loss_pending = true;
			x->loss_seq = seq;
		} else if ((u -= c->p_loss) < c->p_reorder) {
			fate = chance(0.5) ? F_REORDER_PRE : F_REORDER_POST;
		} else if (u - c->p_reorder < c->p_dup) {
			fate = F_DUP;
		}
	}
	n = xmit(c, x->s, t, &p, fate, arr);
	for (i = 0; i < n; i++)
		ev_push(arr[i], EV_DATA, seq, len, p.tsval, 0);
}

static void
try_send(struct xfer *x, uint64_t t)
{
	uint32_t smss = x->c->smss, len, avail;

	while (x->nxt != x->end) {
		len = x->end - x->nxt < smss ? x->end - x->nxt : smss;
		if ((x->nxt - x->una) + len > x->cwnd * smss)
			break;
		avail = sgt(x->edge, x->nxt) ? x->edge - x->nxt : 0;
		if (avail < len) {
			/* Fill a small window only with nothing in flight. */
			if (avail == 0 || x->nxt != x->una)
				break;
			len = avail;
		}
		send_seg(x, t, x->nxt, len, false);
		x->nxt += len;
	}
	if (x->nxt == x->una)
		x->rto_gen++;
	else
		arm_rto(x, t);
	if (x->nxt != x->end && x->nxt == x->una && !sgt(x->edge, x->nxt) &&
	    !x->persist_armed) {
		x->persist_armed = true;
		x->persist_gen++;
		ev_push(t + x->persist_iv, EV_PERSIST, 0, 0, x->persist_gen, 0);
	}
}

static void
retransmit(struct xfer *x, uint64_t t)
{
	uint32_t smss = x->c->smss;
	uint32_t len = x->nxt - x->una < smss ? x->nxt - x->una : smss;

	send_seg(x, t, x->una, len, true);
	arm_rto(x, t);
}

static void
on_ack(struct xfer *x, uint64_t t, uint32_t ack, uint32_t edge, uint32_t tsval,
    uint32_t sack_hi)
{
	uint32_t smss = x->c->smss, segs;
	bool win_changed = edge != x->edge;

	x->c->ep[x->s].ts_recent = tsval;
	if (sgt(sack_hi, x->sack_hi))
		x->sack_hi = sack_hi;
	if (sgt(ack, x->una)) {
		segs = (ack - x->una + smss - 1) / smss;
		x->una = ack;
		x->dupacks = 0;
		x->edge = edge;
		if (x->loss_pending && sgt(ack, x->loss_seq))
			x->loss_pending = false;
		if (x->inrec) {
			if (sge(ack, x->recover)) {
				x->inrec = false;
				x->cwnd = x->ssthresh;
			} else {
				/* Partial ACK: resend the next hole, if the
				 * SACK blocks say there is one (RFC 6675). */
				if (sgt(x->sack_hi, x->una))
					retransmit(x, t);
				else
					arm_rto(x, t);
				return;
			}
		} else {
			x->cwnd = x->cwnd + segs > CWND_MAX ? CWND_MAX : x->cwnd + segs;
		}
		try_send(x, t);
		return;
	}
	if (ack != x->una)
		return;
	if (win_changed) {
		x->edge = edge;
		try_send(x, t);
		return;
	}
	if (x->una != x->nxt && ++x->dupacks == 3 && !x->inrec) {
		x->ssthresh = x->cwnd / 2 > 2 ? x->cwnd / 2 : 2;
		x->cwnd = x->ssthresh;
		x->inrec = true;
		x->recover = x->nxt;
		retransmit(x, t);
	}
}

/* Moves 'bytes' from end s to the other end, starting at s's time x0.
 * Returns the receiver's time when the last byte arrived in order; the
 * receiver's final delayed ACK, if any, is left pending in its ep. */
static uint64_t
transfer(struct conn *c, int s, uint64_t x0, uint32_t bytes, bool stall)
{
	struct xfer x;
	struct ep *se = &c->ep[s], *re = &c->ep[!s];
	struct ev v;

	flush_pending(c, s, x0);
	flush_pending(c, !s, x0);
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.s = s;
	x.r = !s;
	x.una = x.nxt = x.sack_hi = se->snd_nxt;
	x.end = se->snd_nxt + bytes;
	x.edge = x.una + ((uint32_t)re->win << re->wscale);
	x.cwnd = CWND_INIT;
	x.ssthresh = CWND_MAX;
	x.rto = MIN_RTO_US + 4 * (se->delay + re->delay);
	x.persist_iv = x.rto;
	x.rnxt = re->rcv_nxt;
	x.cap = (uint32_t)re->win << re->wscale;
	x.last_win = re->win;
	evn = 0;
	if (stall) {
		/* The application stops reading for a while. */
		x.stalled = true;
		x.stall_base = x.rnxt;
		ev_push(x0 + rnd_range(1500000, 4000000), EV_READ, 0, 0, 0, 0);
	}
	try_send(&x, x0);
	while (evn > 0) {
		v = ev_pop();
		switch ((enum evtype)v.type) {
		case EV_DATA:
			on_data(&x, v.t, v.a, v.b, v.c);
			break;
		case EV_ACK:
			on_ack(&x, v.t, v.a, v.b, v.c, v.d);
			break;
		case EV_DELACK:
			/* With everything in, the last delayed ACK may ride on
			 * the receiver's next segment: the caller decides. */
			if (v.c == x.delack_gen && x.rnxt != x.end)
				send_ack(&x, v.t, false, 0, 0);
			break;
		case EV_RTO:
			if (v.c == x.rto_gen && x.una != x.nxt && x.rnxt != x.end) {
				x.ssthresh = x.cwnd / 2 > 2 ? x.cwnd / 2 : 2;
				x.cwnd = 1;
				x.inrec = false;
				x.dupacks = 0;
				x.rto *= 2;
				retransmit(&x, v.t);
			}
			break;
		case EV_PERSIST:
			if (v.c != x.persist_gen || x.rnxt == x.end)
				break;
			x.persist_armed = false;
			if (sgt(x.edge, x.nxt)) {
				try_send(&x, v.t);
				break;
			}
			/* Linux's zero-window probe: an old byte's worth of
			 * sequence, no data; the receiver answers with an ACK. */
			{
				struct pkt p;
				uint64_t arr[2];

				pkt_init(c, s, v.t, TH_ACK, &p);
				p.seq = x.una - 1;
				xmit(c, s, v.t, &p, F_OK, arr);
				ev_push(arr[0], EV_PROBE, 0, 0, 0, 0);
			}
			x.persist_iv *= 2;
			x.persist_armed = true;
			x.persist_gen++;
			ev_push(v.t + x.persist_iv, EV_PERSIST, 0, 0, x.persist_gen, 0);
			break;
		case EV_PROBE:
			send_ack(&x, v.t, false, 0, 0);
			break;
		case EV_READ:
			x.stalled = false;
			if (rcv_win(&x) != x.last_win)
				send_ack(&x, v.t, false, 0, 0);	/* window update */
			break;
		}
	}
	se->snd_nxt = x.end;
	re->rcv_nxt = x.rnxt;
	re->pend_ack = x.delack_at;
	return x.rdone;
}

/* ---- connection scripts -------------------------------------------- */

static const struct bucket resp_api[] = {
	{ 0.55, 80, 1400 }, { 0.88, 1400, 8000 }, { 0.99, 8000, 40000 },
	{ 1.01, 40000, 200000 }
};
static const struct bucket resp_web[] = {
	{ 0.40, 200, 2000 }, { 0.78, 2000, 16000 }, { 0.95, 16000, 60000 },
	{ 0.995, 60000, 250000 }, { 1.01, 250000, 1200000 }
};
static const struct bucket resp_pg[] = {
	{ 0.60, 40, 500 }, { 0.92, 500, 8000 }, { 1.01, 8000, 120000 }
};
static const struct bucket resp_redis[] = {
	{ 0.90, 5, 300 }, { 1.01, 300, 20000 }
};

/* Sizes of exchange c->xidx: request, response and the server's time to
 * answer.  The first exchanges of TLS and PostgreSQL are their handshakes. */
static void
plan_exchange(struct conn *c, uint32_t *req, uint32_t *resp, uint64_t *proc)
{
	uint32_t tls = c->ep[1].port == 443;

	*req = *resp = 100;
	*proc = rnd_range(100, 3000);
	switch (c->prof) {
	case PR_API:
	case PR_WEB:
	case PR_HTTP:
		if (tls && c->xidx == 0) {
			*req = 517;			/* ClientHello */
			*resp = rnd_range(2400, 4300);	/* ServerHello .. Finished */
			*proc = rnd_range(600, 2500);
			return;
		}
		*req = rnd_range(180, 1100);
		if (c->big_req && c->xidx == 1 + tls) {
			*req = rnd_range(300000, 700000);
		} else if (chance(0.03)) {
			*req = rnd_range(2000, 120000);	/* an upload */
		}
		if (c->prof == PR_WEB) {
			*resp = rnd_bucket(resp_web);
			*proc = chance(0.6) ? rnd_range(200, 4000) : rnd_exp(40000);
		} else {
			*resp = rnd_bucket(resp_api);
			*proc = rnd_range(1000, 20000) + rnd_exp(15000);
		}
		if (c->big_resp && c->xidx == 1 + tls)
			*resp = rnd_range(400000, 900000);
		return;
	case PR_PG:
		if (c->xidx < 2) {
			*req = c->xidx == 0 ? rnd_range(80, 110) : rnd_range(50, 120);
			*resp = c->xidx == 0 ? rnd_range(24, 90) : rnd_range(300, 420);
			*proc = rnd_range(300, 1500);
			return;
		}
		*req = rnd_range(40, 700);
		*resp = rnd_bucket(resp_pg);
		*proc = rnd_range(100, 800) + rnd_exp(3000);
		return;
	case PR_REDIS:
		*req = rnd_range(24, 160);
		*resp = rnd_bucket(resp_redis);
		*proc = rnd_range(40, 300);
		return;
	}
}

/* Pause between one exchange and the next, or before the close. */
static uint64_t
plan_gap(const struct conn *c, bool closing)
{
	switch (c->prof) {
	case PR_API:
		return closing ? 2000000 + rnd_exp(45000000) : rnd_exp(1500000);
	case PR_WEB:
		if (closing)
			return rnd_range(15000000, 65000000);	/* keepalive timeout */
		return chance(0.8) ? rnd_exp(60000) : rnd_exp(8000000);
	case PR_HTTP:
		return closing ? 5000000 + rnd_range(0, 20000) : rnd_exp(2000000);
	case PR_PG:
		return closing ? 1000000 + rnd_exp(80000000) : rnd_exp(1200000);
	default:
		return closing ? 1000000 + rnd_exp(60000000) : rnd_exp(700000);
	}
}

static void
phase_open(struct conn *c)
{
	uint64_t x = c->next_x, arr;
	struct ep *cl = &c->ep[0], *sv = &c->ep[1];
	int i, tries;

	switch (c->kind) {
	case K_FLOOD:
		arr = send_ctl(c, 0, x, TH_SYN);
		if (chance(0.02)) {
			/* The odd SYN finds room in the backlog; the spoofed
			 * source never answers, so the SYN-ACK is resent. */
			x = arr + rnd_range(10, 60);
			send_ctl(c, 1, x, TH_SYN | TH_ACK);
			for (i = 0, tries = (int)rnd_range(0, 2); i < tries; i++) {
				x += 1000000ULL << i;
				sv->snd_nxt = sv->isn;
				send_ctl(c, 1, x, TH_SYN | TH_ACK);
			}
		}
		c->phase = PH_DONE;
		return;
	case K_DEAD:
		for (i = 0; i < 4; i++) {
			cl->snd_nxt = cl->isn;
			send_ctl(c, 0, x, TH_SYN);
			x += 1000000ULL << i;
		}
		c->phase = PH_DONE;
		return;
	case K_REFUSED:
		arr = send_ctl(c, 0, x, TH_SYN);
		sv->snd_nxt = 0;
		send_ctl(c, 1, arr + rnd_range(10, 40), TH_RST | TH_ACK);
		c->phase = PH_DONE;
		return;
	default:
		break;
	}
	if (chance(0.012)) {
		/* The SYN dies behind the tap; the client's 1 s timer resends
		 * it, with the same ISN. */
		send_ctl_fate(c, 0, x, TH_SYN, F_LOSS_POST);
		cl->snd_nxt = cl->isn;
		x += 1000000;
	}
	arr = send_ctl(c, 0, x, TH_SYN);
	x = arr + rnd_range(8, 40);
	arr = send_ctl(c, 1, x, TH_SYN | TH_ACK);
	x = arr + rnd_range(5, 30);
	send_ctl(c, 0, x, TH_ACK);
	c->next_x = x + rnd_range(5, 60);
	c->phase = c->nexch ? PH_EXCH : PH_CLOSE;
}

static void
phase_exchange(struct conn *c)
{
	uint32_t req, resp;
	uint64_t proc, done;
	bool stall;

	plan_exchange(c, &req, &resp, &proc);
	stall = c->stall && c->xidx == 1u + (c->ep[1].port == 443);
	done = transfer(c, 0, c->next_x, req, false);
	done = transfer(c, 1, done + proc, resp, stall);
	c->xidx++;
	c->phase = c->xidx < c->nexch ? PH_EXCH : PH_CLOSE;
	c->next_x = done + plan_gap(c, c->phase == PH_CLOSE);
}

static void
phase_close(struct conn *c)
{
	int a = c->closer, b = !a;
	uint64_t x = c->next_x, arr;

	flush_pending(c, a, x);
	if (a == 0 && chance(0.04)) {
		send_ctl(c, 0, x, TH_RST | TH_ACK);	/* client aborts */
		c->phase = PH_DONE;
		return;
	}
	arr = send_ctl(c, a, x, TH_FIN | TH_ACK);
	x = arr + rnd_range(10, 80);
	flush_pending(c, b, x);
	if (chance(0.02)) {
		send_ctl(c, b, x, TH_RST | TH_ACK);	/* peer had unread data */
	} else {
		if (chance(0.2)) {
			/* ACK now, FIN when the application gets round to it. */
			send_ctl(c, b, x, TH_ACK);
			x += rnd_range(100, 8000);
		}
		arr = send_ctl(c, b, x, TH_FIN | TH_ACK);
		send_ctl(c, a, arr + rnd_range(5, 40), TH_ACK);
	}
	c->phase = PH_DONE;
}

static int
stable_cmp(const void *pa, const void *pb)
{
	const struct pkt *a = pa, *b = pb;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->ord < b->ord ? -1 : a->ord > b->ord;
}

/* Queues the connection's next phase.  Returns false when it is over. */
static bool
conn_advance(struct conn *c)
{
	uint32_t i;

	c->qlen = c->qhead = 0;
	while (c->qlen == 0) {
		switch ((enum phase)c->phase) {
		case PH_OPEN:	phase_open(c); break;
		case PH_EXCH:	phase_exchange(c); break;
		case PH_CLOSE:	phase_close(c); break;
		case PH_DONE:	return false;
		}
	}
	qsort(c->q, c->qlen, sizeof(*c->q), stable_cmp);
	/* Phases follow one another causally, so this never moves a packet;
	 * it guards the global time order all the same. */
	for (i = 0; i < c->qlen; i++) {
		if (c->q[i].t < c->tlast) {
			c->q[i].t = c->tlast;
			n_clamped++;
		}
		c->tlast = c->q[i].t;
	}
	return true;
}

static int
conn_alloc(void)
{
	int i;

	if (free_conn < 0) {
		int old = nconns_alloc;

		nconns_alloc = old ? old * 2 : 4096;
		conns = realloc(conns, (size_t)nconns_alloc * sizeof(*conns));
		if (conns == NULL) {
			perror("gen_bench: realloc");
			exit(1);
		}
		memset(conns + old, 0, (size_t)(nconns_alloc - old) * sizeof(*conns));
		for (i = nconns_alloc - 1; i >= old; i--) {
			conns[i].next_free = free_conn;
			free_conn = i;
		}
	}
	i = free_conn;
	free_conn = conns[i].next_free;
	return i;
}

static void
conn_free(int i)
{
	conns[i].next_free = free_conn;
	free_conn = i;
}

/* Window field for a receive buffer of at least 'bytes'. */
static uint16_t
win_field(uint32_t bytes, uint8_t wscale)
{
	return (uint16_t)((bytes + (1u << wscale) - 1) >> wscale);
}

static void
ep_common(struct ep *e)
{
	e->ts_base = (uint32_t)rnd64();
	e->flow = (uint32_t)rnd64() & 0xfffff;
	e->ip_id = (uint16_t)rnd64();
	e->isn = (uint32_t)rnd64();
	e->snd_nxt = e->isn;
}

/* A new connection whose first segment leaves its client at time t. */
static void
conn_new(struct conn *c, uint64_t t, bool flood)
{
	struct pkt *q = c->q;
	uint32_t qcap = c->qcap;
	struct ep *cl = &c->ep[0], *sv = &c->ep[1];
	struct client *h;
	const struct server *srv;
	double u, special;
	int si;

	memset(c, 0, sizeof(*c));
	c->q = q;
	c->qcap = qcap;
	c->next_x = t;
	ep_common(cl);
	ep_common(sv);
	sv->post_mbps = 1000;
	sv->pre_mbps = 10000;
	sv->delay = rnd_range(30, 300);
	sv->ttl = 64;
	if (flood) {
		/* Spoofed IPv4 sources outside every range we use. */
		c->kind = K_FLOOD;
		cl->addr[0] = (uint8_t)rnd_range(11, 170);
		cl->addr[1] = (uint8_t)rnd64();
		cl->addr[2] = (uint8_t)rnd64();
		cl->addr[3] = (uint8_t)rnd_range(1, 254);
		memcpy(cl->mac, router_mac, 6);
		cl->port = (uint16_t)rnd_range(1024, 65535);
		cl->delay = rnd_range(2000, 30000);
		cl->pre_mbps = 1000;
		cl->post_mbps = 10000;
		cl->ttl = (uint8_t)rnd_range(40, 250);
		cl->syn_win = (uint16_t)(512u << rnd_range(0, 4));
		cl->synopt = SO_NONE;
		sv->synopt = SO_MSS_ONLY;
		sv->mss = 1460;
		sv->syn_win = 64240;
		srv = &servers[0];
		memcpy(sv->addr, srv->addr4, 4);
		memcpy(sv->mac, srv->mac, 6);
		sv->port = 80;
		return;
	}
	u = rnd01();
	c->v6 = u < 0.2;
	h = &clients[c->v6 ? N_CLIENTS4 + rnd_range(0, N_CLIENTS6 - 1)
	    : rnd_range(0, N_CLIENTS4 - 1)];
	memcpy(cl->addr, h->addr, 16);
	memcpy(cl->mac, router_mac, 6);
	cl->port = client_port(h);
	cl->delay = h->delay + rnd_range(0, h->delay / 8 + 20);
	cl->pre_mbps = h->up_mbps;
	cl->post_mbps = 10000;
	sv->post_mbps = h->down_mbps;
	cl->ttl = h->ttl;
	cl->wscale = h->windows ? 8 : 7;
	cl->synopt = h->windows ? SO_WINDOWS : SO_LINUX;
	cl->mss = c->v6 ? 1440 : 1460;
	cl->win = win_field(rnd_range(64256, 262144), cl->wscale);
	cl->syn_win = (uint16_t)(h->windows ? 64240 : c->v6 ? 64800 : 64240);
	c->ts_ok = !h->windows;
	sv->synopt = c->ts_ok ? SO_LINUX : SO_LINUX_NOTS;
	sv->wscale = chance(0.5) ? 7 : 9;
	sv->mss = cl->mss;
	sv->win = win_field(rnd_range(64256, 131072), sv->wscale);
	sv->syn_win = (uint16_t)(c->v6 ? 64800 : 65160);
	c->smss = cl->mss - (c->ts_ok ? 12 : 0);
	c->vlan = chance(0.006) ? 100 : 0;
	if (chance(0.15)) {		/* a bad path: most of the trouble */
		c->p_loss = 0.03;
		c->p_reorder = 0.016;
		c->p_dup = 0.004;
	} else {
		c->p_loss = 0.001;
		c->p_reorder = 0.0006;
		c->p_dup = 0.0002;
	}

	/* A few connections are there for a kind of trouble; zero windows
	 * and wrapping sequence numbers need a big web transfer. */
	special = rnd01();
	if (special < 0.0008) {
		c->stall = 1;		/* the receiver stops reading */
		c->big_resp = 1;
	} else if (special < 0.0016) {
		if (chance(0.7)) {
			c->big_resp = 1;
			sv->isn = -rnd_range(8000, 200000);	/* wraps */
		} else {
			c->big_req = 1;
			cl->isn = -rnd_range(3000, 200000);
		}
		sv->snd_nxt = sv->isn;
		cl->snd_nxt = cl->isn;
	}
	u = c->stall || c->big_req || c->big_resp ? 0.52 : rnd01();
	if (u < 0.50) {
		c->prof = PR_API;
		si = chance(0.5) ? 2 : 1;
		sv->port = 443;
		c->nexch = 2 + (uint32_t)rnd_exp(0.7);
		c->closer = 0;
	} else if (u < 0.55) {
		c->prof = PR_WEB;
		si = chance(0.7) ? 0 : 1;
		sv->port = chance(0.85) ? 443 : 80;
		c->nexch = 2 + (uint32_t)rnd_exp(2.0);
		c->closer = 1;
	} else if (u < 0.66) {
		c->prof = PR_HTTP;
		si = 0;
		sv->port = 80;
		c->nexch = 1 + (uint32_t)rnd_exp(0.5);
		c->closer = 1;
	} else if (u < 0.79) {
		c->prof = PR_PG;
		si = chance(0.7) ? 3 : 4;
		sv->port = 5432;
		c->nexch = 3 + (uint32_t)rnd_exp(3.0);
		c->closer = 0;
	} else {
		c->prof = PR_REDIS;
		si = 5;
		sv->port = 6379;
		c->nexch = 1 + (uint32_t)rnd_exp(5.0);
		c->closer = 0;
	}

	if (special >= 0.0016 && special < 0.0116) {
		c->kind = K_REFUSED;	/* a closed port next to the service */
		sv->port = (uint16_t)(sv->port == 443 ? 8443 : sv->port + 1);
	} else if (special >= 0.0116 && special < 0.0136) {
		c->kind = K_DEAD;
		si = DEAD_SERVER;
	}
	srv = &servers[si];
	if (c->v6)
		memcpy(sv->addr, srv->addr6, 16);
	else
		memcpy(sv->addr, srv->addr4, 4);
	memcpy(sv->mac, srv->mac, 6);
}

/* ---- output ---------------------------------------------------------- */

static FILE *out;

static uint8_t *
put16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
	return b + 2;
}

static uint8_t *
put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
	return b + 4;
}

static uint32_t
csum_add(uint32_t sum, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint8_t *
put_synopts(uint8_t *o, const struct ep *e, const struct pkt *p)
{
	switch (e->synopt) {
	case SO_LINUX:
		o = put16(o, 0x0204);
		o = put16(o, e->mss);
		o = put16(o, 0x0402);
		*o++ = 8;
		*o++ = 10;
		o = put32(o, p->tsval);
		o = put32(o, p->tsecr);
		*o++ = 1;
		*o++ = 3;
		*o++ = 3;
		*o++ = e->wscale;
		break;
	case SO_LINUX_NOTS:
		o = put16(o, 0x0204);
		o = put16(o, e->mss);
		o = put32(o, 0x01010402);
		*o++ = 1;
		*o++ = 3;
		*o++ = 3;
		*o++ = e->wscale;
		break;
	case SO_WINDOWS:
		o = put16(o, 0x0204);
		o = put16(o, e->mss);
		*o++ = 1;
		*o++ = 3;
		*o++ = 3;
		*o++ = e->wscale;
		o = put32(o, 0x01010402);
		break;
	case SO_MSS_ONLY:
		o = put16(o, 0x0204);
		o = put16(o, e->mss);
		break;
	default:
		break;
	}
	return o;
}

static void
write_pkt(const struct conn *c, const struct pkt *p, uint64_t t)
{
	static const uint8_t zero[1600];
	uint8_t b[160], *h = b + 16, *ip, *tcp, *o;
	const struct ep *e = &c->ep[p->from], *d = &c->ep[!p->from];
	uint32_t optn = opt_len(c, p), tcplen = 20 + optn + p->len, flen, hlen, sum;
	int i;

	flen = frame_len(c, p);
	/* Record header in the writer's (little-endian) byte order. */
	{
		uint32_t f[4] = {
			EPOCH_SEC + (uint32_t)(t / 1000000), (uint32_t)(t % 1000000),
			flen, flen
		};

		for (i = 0; i < 4; i++) {
			b[4 * i] = (uint8_t)f[i];
			b[4 * i + 1] = (uint8_t)(f[i] >> 8);
			b[4 * i + 2] = (uint8_t)(f[i] >> 16);
			b[4 * i + 3] = (uint8_t)(f[i] >> 24);
		}
	}
	memcpy(h, p->from ? router_mac : c->ep[1].mac, 6);
	memcpy(h + 6, p->from ? c->ep[1].mac : router_mac, 6);
	h += 12;
	if (c->vlan) {
		h = put16(h, 0x8100);
		h = put16(h, c->vlan);
	}
	h = put16(h, c->v6 ? 0x86dd : 0x0800);
	ip = h;
	if (!c->v6) {
		h = put16(h, 0x4500);
		h = put16(h, 20 + tcplen);
		h = put16(h, p->ipid);
		h = put16(h, c->kind == K_FLOOD && p->from == 0 ? 0 : 0x4000);
		*h++ = e->ttl;
		*h++ = 6;
		h = put16(h, 0);
		memcpy(h, e->addr, 4);
		memcpy(h + 4, d->addr, 4);
		h += 8;
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		sum = csum_add(0, ip + 12, 8) + 6 + tcplen;
	} else {
		h = put32(h, 0x60000000 | e->flow);
		h = put16(h, tcplen);
		*h++ = 6;
		*h++ = e->ttl;
		memcpy(h, e->addr, 16);
		memcpy(h + 16, d->addr, 16);
		h += 32;
		sum = csum_add(0, ip + 8, 32) + 6 + tcplen;
	}
	tcp = h;
	h = put16(h, e->port);
	h = put16(h, d->port);
	h = put32(h, p->seq);
	h = put32(h, p->ack);
	*h++ = (uint8_t)((20 + optn) / 4 << 4);
	*h++ = p->flags;
	h = put16(h, p->win);
	h = put32(h, 0);		/* checksum, urgent pointer */
	o = h;
	if (p->syn) {
		o = put_synopts(o, e, p);
	} else if (optn) {
		if (c->ts_ok) {
			o = put32(o, 0x0101080a);
			o = put32(o, p->tsval);
			o = put32(o, p->tsecr);
		}
		if (p->nsack) {
			*o++ = 1;
			*o++ = 1;
			*o++ = 5;
			*o++ = (uint8_t)(2 + 8 * p->nsack);
			for (i = 0; i < p->nsack; i++) {
				o = put32(o, p->sack[i][0]);
				o = put32(o, p->sack[i][1]);
			}
		}
	}
	/* The payload is zeros, so the header alone gives the checksum. */
	put16(tcp + 16, csum_fold(csum_add(sum, tcp, (size_t)(o - tcp))));
	hlen = (uint32_t)(o - b);
	if (fwrite(b, 1, hlen, out) != hlen ||
	    fwrite(zero, 1, flen + 16 - hlen, out) != flen + 16 - hlen) {
		perror("gen_bench: write");
		exit(1);
	}
	n_bytes_written += flen + 16;
}

/* ---- the scheduler: connections merged by their next packet's time -- */

struct hent {
	uint64_t	t, ord;
	int		id;		/* SRC_* or a connection index */
};

enum { SRC_ARRIVALS = -1, SRC_FLOOD = -2 };

static struct hent *heap;
static uint32_t heapn, heapcap;
static uint64_t heap_ord;

static bool
hent_less(const struct hent *a, const struct hent *b)
{
	return a->t < b->t || (a->t == b->t && a->ord < b->ord);
}

static void
heap_sift(uint32_t i)
{
	struct hent v = heap[i];
	uint32_t k;

	for (;;) {
		k = 2 * i + 1;
		if (k >= heapn)
			break;
		if (k + 1 < heapn && hent_less(&heap[k + 1], &heap[k]))
			k++;
		if (!hent_less(&heap[k], &v))
			break;
		heap[i] = heap[k];
		i = k;
	}
	heap[i] = v;
}

static void
heap_push(uint64_t t, int id)
{
	struct hent v = { t, heap_ord++, id };
	uint32_t i, up;

	if (heapn == heapcap) {
		heapcap = heapcap ? heapcap * 2 : 4096;
		heap = realloc(heap, heapcap * sizeof(*heap));
		if (heap == NULL) {
			perror("gen_bench: realloc");
			exit(1);
		}
	}
	for (i = heapn++; i > 0; i = up) {
		up = (i - 1) / 2;
		if (!hent_less(&v, &heap[up]))
			break;
		heap[i] = heap[up];
	}
	heap[i] = v;
}

/* Replaces the top with a new time for the same source (or removes it). */
static void
heap_retime(uint64_t t, bool remove)
{
	if (remove) {
		heap[0] = heap[--heapn];
	} else {
		heap[0].t = t;
		heap[0].ord = heap_ord++;
	}
	if (heapn > 0)
		heap_sift(0);
}

static void
spawn(uint64_t t, bool flood)
{
	int i = conn_alloc();

	conn_new(&conns[i], t, flood);
	if (!conn_advance(&conns[i])) {
		conn_free(i);
		return;
	}
	if (!flood && ++n_live > peak_live && t >= WARMUP_US)
		peak_live = n_live;
	heap_push(conns[i].q[0].t, i);
}

static void
write_header(void)
{
	static const uint8_t hdr[24] = {
		0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		(uint8_t)SNAPLEN, (uint8_t)(SNAPLEN >> 8), (uint8_t)(SNAPLEN >> 16),
		(uint8_t)(SNAPLEN >> 24), LINKTYPE_ETHERNET, 0, 0, 0
	};

	if (fwrite(hdr, 1, sizeof(hdr), out) != sizeof(hdr)) {
		perror("gen_bench: write");
		exit(1);
	}
	n_bytes_written = sizeof(hdr);
}

int
main(int argc, char **argv)
{
	uint64_t npkts = DEFAULT_PACKETS, nflood, flood_left, t, first = 0, last = 0;
	double rate_us, flood_iv;
	char *end;
	struct hent top;
	struct conn *c;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: gen_bench OUT.pcap [PACKETS]\n");
		return 2;
	}
	if (argc == 3) {
		errno = 0;
		npkts = strtoull(argv[2], &end, 10);
		if (errno != 0 || *end != '\0' || npkts < 1000) {
			fprintf(stderr, "gen_bench: PACKETS must be a number >= 1000\n");
			return 2;
		}
	}
	out = fopen(argv[1], "wb");
	if (out == NULL) {
		fprintf(stderr, "gen_bench: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	write_header();
	init_hosts();

	nflood = npkts / 50;
	flood_left = nflood;
	flood_iv = 1e6 / FLOOD_RATE;
	rate_us = (double)(npkts - nflood) / PKTS_PER_CONN / (double)CAPTURE_US;
	heap_push(rnd_exp(1.0 / rate_us), SRC_ARRIVALS);
	heap_push(WARMUP_US + FLOOD_AT_US, SRC_FLOOD);

	while (n_emitted < npkts && heapn > 0) {
		top = heap[0];
		t = top.t;
		if (top.id == SRC_ARRIVALS) {
			heap_retime(t + 1 + rnd_exp(1.0 / rate_us), false);
			spawn(t, false);
			continue;
		}
		if (top.id == SRC_FLOOD) {
			heap_retime(t + 1 + rnd_exp(flood_iv), --flood_left == 0);
			spawn(t, true);
			continue;
		}
		c = &conns[top.id];
		if (t >= WARMUP_US) {
			write_pkt(c, &c->q[c->qhead], t - WARMUP_US);
			if (n_emitted++ == 0)
				first = t;
			last = t;
			if (!c->seen) {
				c->seen = 1;
				n_conns++;
				n_flood += c->kind == K_FLOOD;
			}
		}
		if (++c->qhead < c->qlen) {
			heap_retime(c->q[c->qhead].t, false);
		} else if (conn_advance(c)) {
			heap_retime(c->q[0].t, false);
		} else {
			heap_retime(0, true);
			conn_free(top.id);
			n_live -= c->kind != K_FLOOD;
		}
	}
	if (fclose(out) != 0) {
		fprintf(stderr, "gen_bench: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	fprintf(stderr, "gen_bench: %s: %" PRIu64 " packets, %" PRIu64
	    " connections (%" PRIu64 " of them SYN flood), up to %" PRIu64
	    " open at once, %.1f s, %" PRIu64 " bytes%s\n", argv[1], n_emitted,
	    n_conns, n_flood, peak_live, (double)(last - first) / 1e6,
	    n_bytes_written, n_clamped ? " (time order clamped!)" : "");
	return 0;
}
