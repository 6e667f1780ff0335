/* flow.c: the connection table (see flow.h for what it owns).
 *
 * Layout: one pool (bigmem.h) of struct conn, handed out in ascending index
 * order so that only the pages in use are ever touched; a bucket array of
 * chain heads (index + 1) that doubles when the load passes 1; two LRU
 * lists (open and closed connections) threaded through the pool by index;
 * and a pool of tombstones, in two expiry queues, for connections that
 * left before the end of
 * the input.  Hashing is keyed NH with per-run random keys, so crafted
 * 4-tuples cannot pile into one chain (redis dict.c seeds its hash the same way). */
#include "config.h"

#include "flow.h"

#include "bigmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define MIN_CAPACITY		1024u
#define MIN_BUCKETS		1024u

/* The full canonical 4-tuple of a packet: what is hashed and compared.
 * A connection keeps it compactly (struct conn_key). */
struct flow_key {
	uint8_t		addr[2][16];
	uint16_t	port[2];
	uint8_t		family;		/* 4 or 6 */
	uint8_t		pad[3];		/* always zero: the key is hashed whole */
};

/* The two addresses of an IPv6 connection (struct conn_key.addr[0]). */
struct v6_pair {
	uint8_t		addr[2][16];
};

/* A tombstone keeps what numbering needs after a connection left: a
 * 47-bit keyed fingerprint of the 4-tuple instead of the 40-byte tuple
 * (the low 32 bits are the bucket hash, the rest 15 bits of a second,
 * independent hash: two tuples in one chain share one with probability
 * ~2^-46 per comparison, a small, stated price for 40 bytes instead of
 * 68), whether the analysis ever saw the connection (CONN_UNMATCHED),
 * its stream, and the base sequence numbers that decide whether a SYN
 * starts a new stream.  For a new SYN on the 4-tuple it also keeps
 * what the teardown analysis judges it by (struct flow_prev): when the
 * connection ended (to 2 ms: with its expiry, which is that time plus the
 * queue's lifetime), which sides it left in TIME_WAIT, and the
 * sequence number and TSval of the side whose SYN a TIME_WAIT peer
 * would judge (RFC 6191). */
struct tomb {
	uint32_t	fp_lo;		/* key fingerprint, bits 0-31 (the bucket
					 * hash); fp_lo = fp_hi = 0: not in the
					 * hash (free, or waiting in its queue) */
	uint32_t	fp_hi : 15,	/* bits 32-46 */
			unmatched : 1,	/* of a CONN_UNMATCHED connection */
			end_2ms : 11,	/* the last packet was this many 2 ms
					 * before expire_4s * 4 s - lifetime */
			other_q : 1,	/* queued on TQ_OTHER (else TQ_CLOSED) */
			time_wait : 2,	/* struct flow_prev.time_wait */
			peer : 1,	/* struct flow_prev.peer */
			peer_ts : 1;	/* peer_tsval valid */
	uint32_t	hnext;		/* chain in tbucket, or the free list */
	uint32_t	qnext : 30,	/* next in its expiry queue (index + 1;
					 * tomb_cap < 2^30) */
			ended : 2;	/* enum flow_prev_end */
	uint32_t	stream;
	uint32_t	base_seq[2];
	uint32_t	expire_4s : 30;	/* forgotten after this time, in 4-second
					 * units since the epoch (to 2106+) */
	uint32_t	base_set : 2;	/* bit i: base_seq[i] valid */
	uint32_t	peer_next;	/* struct flow_prev.peer_next */
	uint32_t	peer_tsval;	/* struct flow_prev.peer_tsval */
};
_Static_assert(sizeof(struct tomb) == 40, "tombstones stay at 40 bytes");

#define TOMB_FP_MASK	0x7fffffffffffULL
#define TOMB_USED(tb)	(((tb)->fp_lo | (tb)->fp_hi) != 0)

/* Tombstones leave in creation order, in two queues with their own
 * lifetimes: a closed connection's 4-tuple matters for 2*MSL (TIME_WAIT);
 * an idle or evicted connection may speak again much later.  A tombstone
 * removed early (its 4-tuple came back) stays queued, unhashed, until it
 * reaches the head; then its slot is reused, so memory follows the number
 * of tombstones within their lifetimes, not the number ever made. */
enum tomb_queue {
	TQ_CLOSED,
	TQ_OTHER,
	TQ_COUNT
};

struct tomb_fifo {
	uint32_t	head, tail;	/* index + 1; head = oldest */
};

struct lru {
	uint32_t	head, tail;	/* index + 1; head = least recently used */
	uint32_t	n;		/* connections on the list */
};

struct flow_table {
	struct conn	*pool;
	struct conn_ext	*ext;		/* one slot per pool entry, handed out
					 * like the pool: only used pages touched */
	uint32_t	 ext_hw;
	uint32_t	 ext_free;	/* free stack (index + 1), link in the
					 * slot's first four bytes */
	struct v6_pair	*v6;		/* one slot per pool entry, handed out
					 * like the extensions */
	uint32_t	 v6_hw;
	uint32_t	 v6_free;	/* free stack, as ext_free */
	uint32_t	 cap;		/* pool entries */
	uint32_t	 hw;		/* entries ever handed out */
	uint32_t	 free_head;	/* free stack through hnext (index + 1) */
	uint32_t	*bucket;
	uint32_t	 nbucket;	/* power of two */
	uint32_t	 nbucket_max;
	struct lru	 open, closed, embryo;	/* embryo: connections with no
						 * extension yet (a flood's SYNs),
						 * evicted first */
	struct tomb	*tomb;
	uint32_t	 tomb_cap;
	uint32_t	 tomb_hw;	/* slots ever handed out */
	uint32_t	 tomb_free;	/* free list through hnext (index + 1) */
	struct tomb_fifo tq[TQ_COUNT];
	int64_t		 tomb_life_ns[TQ_COUNT];
	uint32_t	*tbucket;
	uint32_t	 ntbucket;	/* power of two, doubles with tombs_live */
	uint32_t	 ntbucket_max;
	uint32_t	 tombs_live;
	uint64_t	 hk[22];	/* random hash keys, new each run: [0..10]
					 * buckets, [11..21] tomb fingerprints */
	uint32_t	 next_stream;
	struct flow_prev prev;		/* of the last flow_lookup() */
	bool		 have_prev;
	flow_end_fn	 end_fn;
	void		*ctx;
	struct flow_counters ctr;
	/* --shard (shard.h): told each new stream and each change of live */
	flow_stream_fn	 stream_fn;
	flow_gauge_fn	 gauge_fn;
	void		*hook_ctx;
};

/* ---- hashing -------------------------------------------------------- */

/* NH hashing (the inner hash of UMAC, Black et al., 1999) followed by
 * multiply-shift (Dietzfelbinger et al.): with keys drawn at random per
 * run, two given distinct 4-tuples collide with probability about 2^-31
 * whatever the tuples are.  An attacker who cannot see the keys cannot aim
 * many tuples at one chain, which is what a flow table needs, and it costs
 * six multiplications: a fraction of SipHash on the hot path. */
static inline uint32_t
nh_hash(const uint64_t *hk, const struct flow_key *k)
{
	uint32_t m[10];
	uint64_t h;

	_Static_assert(sizeof(struct flow_key) == 40, "flow_key is ten 32-bit words");
#define NH_PAIR(i) ((uint64_t)(uint32_t)(m[i] + (uint32_t)hk[i]) * \
	    (uint32_t)(m[(i) + 1] + (uint32_t)hk[(i) + 1]))
	if (k->family == 4) {
		/* the words that can differ: two addresses, the ports, the
		 * family (the rest of an IPv4 key is zero) */
		memcpy(&m[0], k->addr[0], 4);
		memcpy(&m[1], k->addr[1], 4);
		memcpy(&m[2], &k->port, 8);
		h = NH_PAIR(0) + NH_PAIR(2);
	} else {
		memcpy(m, k, sizeof(m));
		h = NH_PAIR(0) + NH_PAIR(2) + NH_PAIR(4) + NH_PAIR(6) + NH_PAIR(8);
	}
#undef NH_PAIR
	return (uint32_t)((h * (hk[10] | 1)) >> 32);
}

static inline uint32_t
key_hash(const struct flow_table *t, const struct flow_key *k)
{
	return nh_hash(t->hk, k);
}

/* Two independent 32-bit hashes side by side; never 0 (0 = unused). */
static uint64_t
key_fingerprint(const struct flow_table *t, const struct flow_key *k)
{
	uint64_t fp = (uint64_t)nh_hash(t->hk + 11, k) << 32 | key_hash(t, k);

	return fp != 0 ? fp : 1;
}

/* Compare two 16-byte addresses as memcmp() would (the Community ID
 * depends on this order), with two big-endian word compares. */
static inline int
addr_cmp(const uint8_t *a, const uint8_t *b)
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	if (x == y) {
		memcpy(&x, a + 8, 8);
		memcpy(&y, b + 8, 8);
	}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	x = __builtin_bswap64(x);
	y = __builtin_bswap64(y);
#endif
	return (x > y) - (x < y);
}

/* Build the canonical key of seg; returns the index of the sending side. */
static unsigned
key_make(const struct segment *seg, struct flow_key *k)
{
	int c;
	unsigned dir;

	k->family = seg->src.family;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
	c = addr_cmp(seg->src.addr, seg->dst.addr);
	if (c == 0)
		c = (int)seg->src.port - (int)seg->dst.port;
	dir = c <= 0 ? 0 : 1;
	memcpy(k->addr[dir], seg->src.addr, 16);
	memcpy(k->addr[!dir], seg->dst.addr, 16);
	k->port[dir] = seg->src.port;
	k->port[!dir] = seg->dst.port;
	return dir;
}

/* The compact form of k, as a connection stores it; an IPv6 key's pool
 * slot is not known here and stays 0 (conn_key_eq compares the rest). */
static inline void
key_compact(const struct flow_key *k, struct conn_key *ck)
{
	memset(ck, 0, sizeof(*ck));
	if (k->family == 4) {
		memcpy(&ck->addr[0], k->addr[0], 4);
		memcpy(&ck->addr[1], k->addr[1], 4);
	}
	ck->port[0] = k->port[0];
	ck->port[1] = k->port[1];
	ck->family = k->family;
}

/* Does c's 4-tuple equal the packet's (k, and ck = key_compact(k))?  Two
 * word compares for IPv4, inlined: this runs on every packet. */
static inline bool
conn_key_eq(const struct flow_table *t, const struct conn *c, const struct flow_key *k,
    const struct conn_key *ck)
{
	uint64_t x[2], y[2];

	_Static_assert(sizeof(struct conn_key) == 16, "conn_key is two 64-bit words");
	memcpy(x, &c->key, sizeof(x));
	memcpy(y, ck, sizeof(y));
	if (x[1] != y[1])		/* ports and family */
		return false;
	if (k->family == 4)
		return x[0] == y[0];
	return memcmp(t->v6[c->key.addr[0] - 1].addr, k->addr, sizeof(struct v6_pair)) == 0;
}

/* The full key of c, for hashing. */
static void
key_full(const struct flow_table *t, const struct conn *c, struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	if (c->key.family == 4) {
		memcpy(k->addr[0], &c->key.addr[0], 4);
		memcpy(k->addr[1], &c->key.addr[1], 4);
	} else {
		memcpy(k->addr, t->v6[c->key.addr[0] - 1].addr, sizeof(struct v6_pair));
	}
	k->port[0] = c->key.port[0];
	k->port[1] = c->key.port[1];
	k->family = c->key.family;
}

/* ---- LRU lists -------------------------------------------------------- */

static inline struct lru *
lru_of(struct flow_table *t, const struct conn *c)
{
	if (c->lru_embryo)
		return &t->embryo;
	return (c->cflags & CONN_ON_CLOSED_LIST) ? &t->closed : &t->open;
}

static void
lru_unlink(struct flow_table *t, struct conn *c)
{
	struct lru *l = lru_of(t, c);

	if (c->lru_prev)
		t->pool[c->lru_prev - 1].lru_next = c->lru_next;
	else
		l->head = c->lru_next;
	if (c->lru_next)
		t->pool[c->lru_next - 1].lru_prev = c->lru_prev;
	else
		l->tail = c->lru_prev;
	c->lru_prev = c->lru_next = 0;
	l->n--;
}

static void
lru_append(struct flow_table *t, struct conn *c)
{
	struct lru *l = lru_of(t, c);
	uint32_t idx = (uint32_t)(c - t->pool) + 1;

	c->lru_next = 0;
	c->lru_prev = l->tail;
	if (l->tail)
		t->pool[l->tail - 1].lru_next = idx;
	else
		l->head = idx;
	l->tail = idx;
	l->n++;
	if (t->gauge_fn != NULL)	/* --shard: the list's order, for the merge */
		t->gauge_fn(t->hook_ctx, 'A', c->stream);
}

bool
conn_closed(const struct conn *c)
{
	const struct side *a = &c->side[0], *b = &c->side[1];

	if ((a->flags | b->flags) & SIDE_RST)
		return true;
	return (a->flags & SIDE_FIN_ACKED) && (b->flags & SIDE_FIN_ACKED);
}

/* The LRU lists are lazy: a packet only updates last_ns, and a connection
 * is moved to the tail when it reaches the head with a newer last_ns than
 * it was queued with (lru_settle).  Moving on every packet would touch two
 * neighbouring connections per packet: two cache misses on the hot path. */
void
flow_touch(struct flow_table *t, struct conn *c, int64_t ts_ns)
{
	bool closed = conn_closed(c);
	bool embryo = !closed && c->ext == 0;

	if (ts_ns > c->last_ns)
		c->last_ns = ts_ns;
	if (closed != !!(c->cflags & CONN_ON_CLOSED_LIST) || embryo != c->lru_embryo) {
		lru_unlink(t, c);
		if (closed)
			c->cflags |= CONN_ON_CLOSED_LIST;
		else
			c->cflags &= (uint16_t)~CONN_ON_CLOSED_LIST;
		c->lru_embryo = embryo;
		c->lru_touched = 0;
		lru_append(t, c);
	}
}

/* Requeue heads that were active since they were queued, until the head
 * is in its right place (the list is then ordered by last_ns at the head).
 * Each connection moves at most once per call. */
static void
lru_settle(struct flow_table *t, struct lru *l)
{
	uint64_t bound = t->ctr.live + 1;

	while (l->head && bound--) {
		struct conn *c = &t->pool[l->head - 1];

		if (!c->lru_touched)
			return;
		lru_unlink(t, c);
		c->lru_touched = 0;
		lru_append(t, c);
	}
}

/* ---- buckets ---------------------------------------------------------- */

static uint32_t
conn_bucket(const struct flow_table *t, const struct conn *c)
{
	struct flow_key k;

	key_full(t, c, &k);
	return (uint32_t)key_hash(t, &k) & (t->nbucket - 1);
}

static void
bucket_insert(struct flow_table *t, struct conn *c)
{
	uint32_t b = conn_bucket(t, c);

	c->hnext = t->bucket[b];
	t->bucket[b] = (uint32_t)(c - t->pool) + 1;
}

static void
bucket_remove(struct flow_table *t, struct conn *c)
{
	uint32_t b = conn_bucket(t, c);
	uint32_t idx = (uint32_t)(c - t->pool) + 1;
	uint32_t *pp = &t->bucket[b];

	while (*pp && *pp != idx)
		pp = &t->pool[*pp - 1].hnext;
	if (*pp)
		*pp = c->hnext;
	c->hnext = 0;
}

/* Double the bucket array when the load passes 1.  Amortised: each
 * connection is rehashed O(1) times over its life.  On allocation failure
 * the table keeps working with longer chains. */
static void
bucket_grow(struct flow_table *t)
{
	uint32_t n = t->nbucket * 2, i;
	uint32_t *nb;

	if (n > t->nbucket_max || n == 0)
		return;
	nb = calloc(n, sizeof(*nb));
	if (nb == NULL)
		return;
	free(t->bucket);
	t->bucket = nb;
	t->nbucket = n;
	for (i = 0; i < t->hw; i++) {
		struct conn *c = &t->pool[i];

		if (c->stream != UINT32_MAX)
			bucket_insert(t, c);
	}
}

static struct conn *
conn_find(struct flow_table *t, const struct flow_key *k)
{
	uint32_t i = t->bucket[(uint32_t)key_hash(t, k) & (t->nbucket - 1)];
	struct conn_key ck;

	key_compact(k, &ck);
	while (i) {
		struct conn *c = &t->pool[i - 1];

		if (conn_key_eq(t, c, k, &ck))
			return c;
		i = c->hnext;
	}
	return NULL;
}

/* ---- tombstones ------------------------------------------------------- */

static uint32_t
tomb_bucket(const struct flow_table *t, uint64_t fp)
{
	return (uint32_t)fp & (t->ntbucket - 1);	/* the bucket hash's bits */
}

/* The 47 bits of the key's fingerprint a tombstone keeps; never 0. */
static uint64_t
tomb_fp_of(const struct flow_table *t, const struct flow_key *k)
{
	uint64_t fp = key_fingerprint(t, k) & TOMB_FP_MASK;

	return fp != 0 ? fp : 1;
}

static uint64_t
tomb_fp(const struct tomb *tb)
{
	return (uint64_t)tb->fp_hi << 32 | tb->fp_lo;
}

static void
tomb_set_fp(struct tomb *tb, uint64_t fp)
{
	tb->fp_lo = (uint32_t)fp;
	tb->fp_hi = (uint32_t)(fp >> 32) & 0x7fff;
}

/* When the connection of tb sent its last packet (2 ms late at most). */
static int64_t
tomb_end_ns(const struct flow_table *t, const struct tomb *tb)
{
	return (int64_t)tb->expire_4s * 4000000000LL -
	    t->tomb_life_ns[tb->other_q ? TQ_OTHER : TQ_CLOSED] - (int64_t)tb->end_2ms * 2000000;
}

static void
tomb_unlink(struct flow_table *t, struct tomb *tb)
{
	uint32_t idx = (uint32_t)(tb - t->tomb) + 1;
	uint32_t *pp = &t->tbucket[tomb_bucket(t, tomb_fp(tb))];

	while (*pp && *pp != idx)
		pp = &t->tomb[*pp - 1].hnext;
	if (*pp)
		*pp = tb->hnext;
	tomb_set_fp(tb, 0);
	tb->hnext = 0;
	t->tombs_live--;
}

static void
tomb_link(struct flow_table *t, struct tomb *tb)
{
	uint32_t b = tomb_bucket(t, tomb_fp(tb));

	tb->hnext = t->tbucket[b];
	t->tbucket[b] = (uint32_t)(tb - t->tomb) + 1;
}

/* As bucket_grow(), for the tombstones: their bucket array starts small,
 * since hashed writes would touch every page of a full-size one. */
static void
tomb_buckets_grow(struct flow_table *t)
{
	uint32_t n = t->ntbucket * 2, i;
	uint32_t *nb;

	if (n > t->ntbucket_max || n == 0)
		return;
	nb = calloc(n, sizeof(*nb));
	if (nb == NULL)
		return;
	free(t->tbucket);
	t->tbucket = nb;
	t->ntbucket = n;
	for (i = 0; i < t->tomb_hw; i++)
		if (TOMB_USED(&t->tomb[i]))
			tomb_link(t, &t->tomb[i]);
}

static struct tomb *
tomb_find(struct flow_table *t, const struct flow_key *k)
{
	uint64_t fp;
	uint32_t i;

	if (t->tomb == NULL || t->tombs_live == 0)
		return NULL;
	fp = tomb_fp_of(t, k);
	i = t->tbucket[tomb_bucket(t, fp)];
	while (i) {
		struct tomb *tb = &t->tomb[i - 1];

		if (tomb_fp(tb) == fp)
			return tb;
		i = tb->hnext;
	}
	return NULL;
}

static void
tomb_release(struct flow_table *t, struct tomb *tb)
{
	if (TOMB_USED(tb))
		tomb_unlink(t, tb);
	tb->hnext = t->tomb_free;
	t->tomb_free = (uint32_t)(tb - t->tomb) + 1;
}

/* Pop q's head, freeing its slot; false when q is empty. */
static bool
tomb_pop(struct flow_table *t, enum tomb_queue q)
{
	struct tomb_fifo *f = &t->tq[q];
	struct tomb *tb;

	if (f->head == 0)
		return false;
	tb = &t->tomb[f->head - 1];
	f->head = tb->qnext;
	if (f->head == 0)
		f->tail = 0;
	tomb_release(t, tb);
	return true;
}

/* Forget the tombstones past their lifetime (and free the slots of those
 * already taken back), oldest first. */
static void
tomb_expire(struct flow_table *t, int64_t now_ns)
{
	uint64_t now_4s = now_ns <= 0 ? 0 : (uint64_t)now_ns / 4000000000u;
	int q;

	if (t->tomb == NULL)
		return;
	for (q = 0; q < TQ_COUNT; q++)
		while (t->tq[q].head) {
			struct tomb *tb = &t->tomb[t->tq[q].head - 1];

			if (TOMB_USED(tb) && tb->expire_4s > now_4s)
				break;
			tomb_pop(t, (enum tomb_queue)q);
		}
}

void
flow_prev_of(const struct conn *c, const struct conn_ext *ext, struct flow_prev *p)
{
	const struct side *a = &c->side[0], *b = &c->side[1];
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->stream = c->stream;
	p->end_ns = c->last_ns;
	for (i = 0; i < 2; i++)
		if (c->side[i].state == TS_TIME_WAIT)
			p->time_wait |= (uint8_t)(1u << i);
	if (!(a->flags & b->flags & SIDE_SEEN))
		p->ended = FLOW_PREV_ONE_SIDED;
	else if ((a->flags | b->flags) & SIDE_RST)
		p->ended = FLOW_PREV_RST;
	else if (a->flags & b->flags & SIDE_FIN_ACKED)
		p->ended = FLOW_PREV_FIN;
	else
		p->ended = FLOW_PREV_OPEN;
	p->peer = p->time_wait == 1 ? 1 : p->time_wait == 2 ? 0 : c->client;
	if (p->time_wait != 0 && (c->side[p->peer].flags & SIDE_SEQ_KNOWN))
		p->peer_next = c->side[p->peer].snd_next;
	if (p->time_wait != 0 && ext != NULL && (ext->side[p->peer].sflags & SX_TS_RECENT)) {
		p->peer_tsval = ext->side[p->peer].ts_recent;
		p->peer_ts = true;
	}
}

/* Remember c's stream, base sequence numbers and struct flow_prev after
 * it leaves (call before its extension is released). */
static void
tomb_add(struct flow_table *t, const struct conn *c, enum tomb_queue q, int64_t now_ns)
{
	struct tomb *tb;
	struct tomb_fifo *f = &t->tq[q];
	int64_t expire_ns = now_ns + t->tomb_life_ns[q];
	struct flow_key k;
	uint64_t fp, units, behind;
	struct flow_prev p;
	unsigned i;

	if (t->tomb == NULL) {
		t->tomb = bigmem_zalloc(t->tomb_cap, sizeof(*t->tomb));
		t->tbucket = calloc(t->ntbucket, sizeof(*t->tbucket));
		if (t->tomb == NULL || t->tbucket == NULL) {
			bigmem_free(t->tomb);
			free(t->tbucket);
			t->tomb = NULL;
			t->tbucket = NULL;
			t->ctr.tombs_evicted++;
			return;
		}
	}
	if (t->tomb_free == 0 && t->tomb_hw == t->tomb_cap) {
		/* Full: the oldest goes, closed ones first (shorter lives). */
		if (!tomb_pop(t, TQ_CLOSED))
			tomb_pop(t, TQ_OTHER);
		t->ctr.tombs_evicted++;
	}
	if (t->tomb_free) {
		tb = &t->tomb[t->tomb_free - 1];
		t->tomb_free = tb->hnext;
	} else {
		tb = &t->tomb[t->tomb_hw++];
	}
	key_full(t, c, &k);
	fp = tomb_fp_of(t, &k);	/* never 0 */
	tb->stream = c->stream;
	tb->base_set = 0;
	for (i = 0; i < 2; i++) {
		tb->base_seq[i] = c->side[i].base_seq;
		if (c->side[i].flags & SIDE_BASE_SET)
			tb->base_set |= 1u << i;
	}
	flow_prev_of(c, flow_ext(t, c), &p);
	tb->time_wait = p.time_wait;
	tb->peer = p.peer;
	tb->peer_ts = p.peer_ts;
	tb->ended = p.ended;
	tb->peer_next = p.peer_next;
	tb->peer_tsval = p.peer_tsval;
	tb->other_q = q == TQ_OTHER;
	tb->unmatched = (c->cflags & CONN_UNMATCHED) != 0;
	if (expire_ns < 0)
		expire_ns = 0;
	/* rounded up, so a tombstone never leaves early; what the rounding
	 * added tells the end time back (tomb_end_ns) */
	units = ((uint64_t)expire_ns + 3999999999u) / 4000000000u;
	tb->expire_4s = units > 0x3fffffff ? 0x3fffffff : (uint32_t)units;
	behind = ((uint64_t)tb->expire_4s * 4000000000u - (uint64_t)expire_ns) / 2000000;
	tb->end_2ms = behind > 2047 ? 2047 : (uint32_t)behind;	/* < 2000 but at 2106 */
	tb->qnext = 0;
	tomb_set_fp(tb, 0);
	if (t->tombs_live + 1 > t->ntbucket)
		tomb_buckets_grow(t);	/* before tb is hashed: linked once */
	tomb_set_fp(tb, fp);
	if (f->tail)
		t->tomb[f->tail - 1].qnext = (uint32_t)(tb - t->tomb) + 1;
	else
		f->head = (uint32_t)(tb - t->tomb) + 1;
	f->tail = (uint32_t)(tb - t->tomb) + 1;
	t->tombs_live++;
	tomb_link(t, tb);
}

/* What tb remembers of its connection (struct flow_prev). */
static void
tomb_prev(const struct flow_table *t, const struct tomb *tb, struct flow_prev *p)
{
	memset(p, 0, sizeof(*p));
	p->stream = tb->stream;
	p->end_ns = tomb_end_ns(t, tb);
	p->time_wait = (uint8_t)tb->time_wait;
	p->peer = (uint8_t)tb->peer;
	p->ended = (uint8_t)tb->ended;
	p->peer_next = tb->peer_next;
	p->peer_tsval = tb->peer_tsval;
	p->peer_ts = tb->peer_ts;
	p->from_tomb = true;
}

/* ---- pool ------------------------------------------------------------- */

/* Wireshark's frame.number is 32 bits; beyond that both stop counting. */
static inline uint32_t
frame_u32(uint64_t frame)
{
	return frame > UINT32_MAX ? UINT32_MAX : (uint32_t)frame;
}

struct conn_ext *
flow_ext(const struct flow_table *t, const struct conn *c)
{
	return c->ext ? &t->ext[c->ext - 1] : NULL;
}

struct conn_ext *
flow_ext_get(struct flow_table *t, struct conn *c)
{
	struct conn_ext *x;
	uint32_t i;

	if (c->ext)
		return &t->ext[c->ext - 1];
	if (t->ext_free) {
		i = t->ext_free - 1;
		memcpy(&t->ext_free, &t->ext[i], sizeof(t->ext_free));
	} else {
		i = t->ext_hw++;	/* at most one per live connection: fits */
	}
	x = &t->ext[i];
	memset(x, 0, sizeof(*x));
	c->ext = i + 1;
	if (++t->ctr.ext_live > t->ctr.ext_peak)
		t->ctr.ext_peak = t->ctr.ext_live;
	return x;
}

static void
ext_release(struct flow_table *t, struct conn *c)
{
	if (c->ext == 0)
		return;
	memcpy(&t->ext[c->ext - 1], &t->ext_free, sizeof(t->ext_free));
	t->ext_free = c->ext;
	c->ext = 0;
	t->ctr.ext_live--;
}

/* Keep k's addresses in c: in place for IPv4, in a pool slot for IPv6
 * (there is one for every pool entry, so this cannot fail). */
static void
key_store(struct flow_table *t, struct conn *c, const struct flow_key *k)
{
	uint32_t i;

	key_compact(k, &c->key);
	if (k->family == 4)
		return;
	if (t->v6_free) {
		i = t->v6_free - 1;
		memcpy(&t->v6_free, &t->v6[i], sizeof(t->v6_free));
	} else {
		i = t->v6_hw++;
	}
	memcpy(t->v6[i].addr, k->addr, sizeof(struct v6_pair));
	c->key.addr[0] = i + 1;
	t->ctr.v6_live++;
}

static void
key_release(struct flow_table *t, struct conn *c)
{
	if (c->key.family == 4 || c->key.addr[0] == 0)
		return;
	memcpy(&t->v6[c->key.addr[0] - 1], &t->v6_free, sizeof(t->v6_free));
	t->v6_free = c->key.addr[0];
	c->key.addr[0] = 0;
	t->ctr.v6_live--;
}

static void
conn_release(struct flow_table *t, struct conn *c, enum flow_end why, bool keep_tomb)
{
	if (why == FLOW_END_EVICTED)
		c->cflags |= CONN_EVICTED;
	if (why == FLOW_END_IDLE)
		c->cflags |= CONN_IDLE;
	if (!(c->cflags & CONN_UNMATCHED))
		t->end_fn(t->ctx, c, why);
	if (keep_tomb)	/* before the extension goes: it keeps a TSval */
		tomb_add(t, c, why == FLOW_END_CLOSED ? TQ_CLOSED : TQ_OTHER, c->last_ns);
	ext_release(t, c);
	bucket_remove(t, c);
	key_release(t, c);
	lru_unlink(t, c);
	c->stream = UINT32_MAX;		/* marks a free slot */
	c->hnext = t->free_head;
	t->free_head = (uint32_t)(c - t->pool) + 1;
	t->ctr.live--;
	if (t->gauge_fn != NULL)
		t->gauge_fn(t->hook_ctx, 't', 0);
}

static struct conn *
conn_alloc(struct flow_table *t)
{
	struct conn *c;

	if (t->free_head) {
		c = &t->pool[t->free_head - 1];
		t->free_head = c->hnext;
	} else if (t->hw < t->cap) {
		c = &t->pool[t->hw++];
	} else {
		/* Full: the least recently active connection goes: first
		 * those with nothing past a SYN, SYN-ACK or RST (a flood's
		 * half-open entries, so that a connection completing its
		 * handshake in the middle of a flood survives it), then
		 * closed ones, which have least left to tell. */
		uint32_t victim;

		lru_settle(t, &t->embryo);
		lru_settle(t, &t->closed);
		lru_settle(t, &t->open);
		victim = t->closed.head ? t->closed.head : t->open.head;
		/* (handshakes in flight are no flood: an embryonic entry goes
		 * first only when such entries fill an eighth of the table,
		 * or when it is the least recently active anyway) */
		if (t->embryo.head && (victim == 0 || t->embryo.n >= t->cap / 8 ||
		    t->pool[t->embryo.head - 1].last_ns <= t->pool[victim - 1].last_ns))
			victim = t->embryo.head;
		t->ctr.evicted++;
		conn_release(t, &t->pool[victim - 1], FLOW_END_EVICTED, true);
		c = &t->pool[t->free_head - 1];
		t->free_head = c->hnext;
	}
	memset(c, 0, sizeof(*c));
	return c;
}

static struct conn *
conn_new(struct flow_table *t, const struct flow_key *k, uint32_t stream,
    uint64_t frame, int64_t ts_ns)
{
	struct conn *c;

	if (t->ctr.live + 1 > t->nbucket)
		bucket_grow(t);		/* before c exists, so it is inserted once */
	c = conn_alloc(t);
	key_store(t, c, k);
	c->stream = stream;
	c->first_frame = frame_u32(frame);
	c->last_frame = c->first_frame;
	c->start_ns = ts_ns;
	c->last_ns = ts_ns;
	t->ctr.live++;
	if (t->ctr.live > t->ctr.peak_live)
		t->ctr.peak_live = t->ctr.live;
	if (t->stream_fn != NULL) {
		t->stream_fn(t->hook_ctx, stream, frame);
		t->gauge_fn(t->hook_ctx, 'T', 0);
	}
	bucket_insert(t, c);
	c->lru_embryo = 1;	/* until flow_touch sees an extension */
	lru_append(t, c);
	return c;
}

/* Who is the client (SPEC.md): the sender of the first SYN; without one,
 * the receiver of a SYN-ACK (its sender is the server); without either,
 * the higher port, else the sender of the first packet.  A guess made
 * from ports is replaced when the first SYN or SYN-ACK shows up. */
static void
pick_client(struct conn *c, const struct segment *seg, unsigned dir)
{
	uint16_t sa = seg->flags & (TCP_SYN | TCP_ACK);

	if (c->cflags & CONN_CLIENT_BY_SYN)
		return;
	if (sa == TCP_SYN || sa == (TCP_SYN | TCP_ACK)) {
		c->client = (uint8_t)(sa == TCP_SYN ? dir : !dir);
		c->cflags |= CONN_CLIENT_BY_SYN;
		return;
	}
	if (c->first_frame != c->last_frame)
		return;			/* keep the first packet's guess */
	if (seg->src.port != seg->dst.port)
		c->client = (uint8_t)(seg->src.port > seg->dst.port ? dir : !dir);
	else
		c->client = (uint8_t)dir;
}

/* Wireshark's base sequence numbers (packet-tcp.c, dissect_tcp): set for
 * a direction by its first segment (SYN: its seq; otherwise seq - 1), and
 * for the reverse direction by the first ACK (ack - 1), but only when the
 * IP length covers the TCP header.  A SYN-ACK with another seq resets it. */
static void
base_seq_update(struct conn *c, unsigned dir, const struct segment *seg)
{
	struct side *fwd = &c->side[dir], *rev = &c->side[!dir];

	if ((seg->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) &&
	    (fwd->flags & SIDE_BASE_SET) && seg->seq != fwd->base_seq)
		fwd->base_seq = seg->seq;
	if (!seg->hdr_fits)
		return;
	if (!(fwd->flags & SIDE_BASE_SET)) {
		fwd->base_seq = (seg->flags & TCP_SYN) ? seg->seq : seg->seq - 1;
		fwd->flags |= SIDE_BASE_SET;
	}
	if (!(rev->flags & SIDE_BASE_SET) && (seg->flags & TCP_ACK)) {
		rev->base_seq = seg->ack - 1;
		rev->flags |= SIDE_BASE_SET;
	}
}

static bool
starts_new_stream(bool base_set, uint32_t base_seq, const struct segment *seg)
{
	/* A SYN without ACK whose seq differs from the direction's base:
	 * Wireshark opens a new conversation (TCP_A_REUSED_PORTS). */
	return (seg->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && base_set &&
	    seg->seq != base_seq;
}

/* Wireshark's numbering of seg, for flow_lookup() (matched) and
 * flow_number() (not matched by the filter: the analysis never sees the
 * packet, so no struct flow_prev is kept for it).  A connection only
 * unmatched packets reached, or a tombstone of one, is new to the
 * analysis when a matching packet comes: FLOW_NEW, whatever the numbering
 * made of it. */
static struct conn *
number(struct flow_table *t, const struct segment *seg, uint64_t frame, int64_t ts_ns,
    bool matched, unsigned *dir, enum flow_lookup_how *how)
{
	struct flow_key k;
	struct conn *c;
	struct tomb *tb;
	unsigned d = key_make(seg, &k);
	bool seen;	/* the analysis saw the 4-tuple's last connection */

	*dir = d;
	t->have_prev = false;
	c = conn_find(t, &k);
	if (c != NULL) {
		const struct side *fwd = &c->side[d];

		seen = !(c->cflags & CONN_UNMATCHED);
		if (!starts_new_stream(fwd->flags & SIDE_BASE_SET, fwd->base_seq, seg)) {
			*how = FLOW_FOUND;
			if (matched && !seen) {
				c->cflags &= (uint16_t)~CONN_UNMATCHED;
				*how = FLOW_NEW;
			} else if (matched && tcp_reopens(fwd, &c->side[!d], seg)) {
				/* the same stream, a new connection */
				flow_prev_of(c, flow_ext(t, c), &t->prev);
				t->have_prev = true;
			}
			c->last_frame = frame_u32(frame);
			c->lru_touched = 1;
			pick_client(c, seg, d);
			base_seq_update(c, d, seg);
			return c;
		}
		if (matched && seen) {
			flow_prev_of(c, flow_ext(t, c), &t->prev);
			t->have_prev = true;
		}
		conn_release(t, c, FLOW_END_REUSED, false);
		*how = FLOW_NEW_REUSE;
	} else if ((tb = tomb_find(t, &k)) != NULL) {
		bool base_set = tb->base_set & (1u << d);

		seen = !tb->unmatched;
		if (matched && seen) {
			tomb_prev(t, tb, &t->prev);
			t->have_prev = true;
		}
		if (!starts_new_stream(base_set, tb->base_seq[d], seg)) {
			struct tomb saved = *tb;
			unsigned i;

			tomb_unlink(t, tb);
			c = conn_new(t, &k, saved.stream, frame, ts_ns);
			for (i = 0; i < 2; i++) {
				c->side[i].base_seq = saved.base_seq[i];
				if (saved.base_set & (1u << i))
					c->side[i].flags |= SIDE_BASE_SET;
			}
			c->cflags |= CONN_RESUMED;
			if (!matched)
				c->cflags |= CONN_UNMATCHED;
			pick_client(c, seg, d);
			t->ctr.resumed++;
			*how = matched && !seen ? FLOW_NEW : FLOW_RESUMED;
			base_seq_update(c, d, seg);
			return c;
		}
		tomb_unlink(t, tb);
		*how = FLOW_NEW_REUSE;
	} else {
		seen = false;
		*how = FLOW_NEW;
	}
	c = conn_new(t, &k, t->next_stream++, frame, ts_ns);
	t->ctr.created++;
	pick_client(c, seg, d);
	if (!matched)
		c->cflags |= CONN_UNMATCHED;
	if (*how == FLOW_NEW_REUSE) {
		c->cflags |= CONN_REUSED_PORT;
		if (matched && !seen)
			*how = FLOW_NEW;
	}
	base_seq_update(c, d, seg);
	return c;
}

struct conn *
flow_lookup(struct flow_table *t, const struct segment *seg, uint64_t frame,
    int64_t ts_ns, unsigned *dir, enum flow_lookup_how *how)
{
	return number(t, seg, frame, ts_ns, true, dir, how);
}

void
flow_number(struct flow_table *t, const struct segment *seg, uint64_t frame, int64_t ts_ns)
{
	enum flow_lookup_how how;
	unsigned dir;
	struct conn *c = number(t, seg, frame, ts_ns, false, &dir, &how);

	/* as flow_touch: it stays in the table as long as in an unfiltered
	 * run (conn_closed() cannot change: no tcp_track here) */
	if (ts_ns > c->last_ns)
		c->last_ns = ts_ns;
}

const struct flow_prev *
flow_lookup_prev(const struct flow_table *t)
{
	return t->have_prev ? &t->prev : NULL;
}

static void
expire_list(struct flow_table *t, struct lru *l, int64_t before_ns, bool idle)
{
	lru_settle(t, l);
	while (l->head) {
		struct conn *c = &t->pool[l->head - 1];

		if (c->lru_touched) {
			lru_settle(t, l);
			continue;
		}
		if (c->last_ns >= before_ns)
			break;
		if (idle)
			t->ctr.expired_idle++;
		conn_release(t, c, idle ? FLOW_END_IDLE : FLOW_END_CLOSED, true);
	}
}

void
flow_expire(struct flow_table *t, int64_t now_ns, int64_t idle_ns, int64_t closed_ns)
{
	tomb_expire(t, now_ns);
	expire_list(t, &t->closed, now_ns - closed_ns, false);
	if (idle_ns <= 0)
		return;		/* a file's connections: only the memcap evicts */
	expire_list(t, &t->open, now_ns - idle_ns, true);
	expire_list(t, &t->embryo, now_ns - idle_ns, true);
}

/* Merge two lists (threaded through hnext, index + 1) sorted by stream. */
static uint32_t
merge_by_stream(struct conn *pool, uint32_t a, uint32_t b)
{
	uint32_t head = 0, *tail = &head;

	while (a && b) {
		if (pool[a - 1].stream <= pool[b - 1].stream) {
			*tail = a;
			tail = &pool[a - 1].hnext;
			a = pool[a - 1].hnext;
		} else {
			*tail = b;
			tail = &pool[b - 1].hnext;
			b = pool[b - 1].hnext;
		}
	}
	*tail = a ? a : b;
	return head;
}

/* Sort a list by stream: merge sort over the hnext links, which the hash
 * no longer needs at a flush.  No allocation (an index array and qsort's
 * scratch would cost more memory at the end of a run than at its peak). */
static uint32_t
sort_by_stream(struct conn *pool, uint32_t head, uint32_t n)
{
	uint32_t mid, i, second;

	if (n <= 1)
		return head;
	mid = head;
	for (i = 1; i < n / 2; i++)
		mid = pool[mid - 1].hnext;
	second = pool[mid - 1].hnext;
	pool[mid - 1].hnext = 0;
	return merge_by_stream(pool, sort_by_stream(pool, head, n / 2),
	    sort_by_stream(pool, second, n - n / 2));
}

void
flow_set_hooks(struct flow_table *t, flow_stream_fn stream_fn, flow_gauge_fn gauge_fn,
    void *ctx)
{
	t->stream_fn = stream_fn;
	t->gauge_fn = gauge_fn;
	t->hook_ctx = ctx;
}

void
flow_flush(struct flow_table *t)
{
	uint32_t head = 0, n = 0, i;

	/* Every live connection leaves, in stream order. */
	for (i = t->hw; i > 0; i--) {
		struct conn *c = &t->pool[i - 1];

		if (c->stream == UINT32_MAX)
			continue;
		c->hnext = head;
		head = i;
		n++;
	}
	head = sort_by_stream(t->pool, head, n);
	for (i = head; i; i = t->pool[i - 1].hnext)
		if (!(t->pool[i - 1].cflags & CONN_UNMATCHED))
			t->end_fn(t->ctx, &t->pool[i - 1], FLOW_END_INPUT);
	memset(t->bucket, 0, t->nbucket * sizeof(*t->bucket));
	t->hw = 0;
	t->free_head = 0;
	t->ext_hw = 0;
	t->ext_free = 0;
	t->ctr.ext_live = 0;
	t->v6_hw = 0;
	t->v6_free = 0;
	t->ctr.v6_live = 0;
	t->open.head = t->open.tail = t->open.n = 0;
	t->closed.head = t->closed.tail = t->closed.n = 0;
	t->embryo.head = t->embryo.tail = t->embryo.n = 0;
	t->ctr.live = 0;
	/* Reset only what was used: the pools are sized for --memcap but
	 * mostly untouched, and touching them would cost real memory. */
	if (t->tomb != NULL) {
		uint32_t k;

		for (k = 0; k < t->tomb_hw; k++)
			if (TOMB_USED(&t->tomb[k]))
				tomb_unlink(t, &t->tomb[k]);
	}
	t->tomb_hw = 0;
	t->tomb_free = 0;
	memset(t->tq, 0, sizeof(t->tq));
	t->next_stream = 0;
}

void
flow_foreach(const struct flow_table *t, void (*fn)(void *ctx, const struct conn *c),
    void *ctx)
{
	uint32_t i;

	for (i = 0; i < t->hw; i++)
		if (t->pool[i].stream != UINT32_MAX && !(t->pool[i].cflags & CONN_UNMATCHED))
			fn(ctx, &t->pool[i]);
}

const struct flow_counters *
flow_counters(const struct flow_table *t)
{
	return &t->ctr;
}

void
conn_endpoint(const struct flow_table *t, const struct conn *c, unsigned i,
    struct endpoint *ep)
{
	memset(ep->addr, 0, sizeof(ep->addr));
	if (c->key.family == 4)
		memcpy(ep->addr, &c->key.addr[i], 4);
	else
		memcpy(ep->addr, t->v6[c->key.addr[0] - 1].addr[i], 16);
	ep->port = c->key.port[i];
	ep->family = c->key.family;
}

static void
seed_key(struct flow_table *t)
{
	unsigned i;

	if (getrandom(t->hk, sizeof(t->hk), GRND_NONBLOCK) != (ssize_t)sizeof(t->hk)) {
		/* No entropy yet (early boot): a time-derived key still
		 * differs per run, which is what defeats precomputed tuples. */
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_REALTIME, &ts);
		x = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)ts.tv_sec ^
		    (uint64_t)(uintptr_t)t;
		for (i = 0; i < sizeof(t->hk) / sizeof(t->hk[0]); i++) {
			x += 0x9e3779b97f4a7c15ULL;	/* splitmix64 */
			t->hk[i] = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
			t->hk[i] = (t->hk[i] ^ (t->hk[i] >> 27)) * 0x94d049bb133111ebULL;
			t->hk[i] ^= t->hk[i] >> 31;
		}
	}
}

struct flow_table *
flow_create(size_t memcap, int64_t tomb_closed_ns, int64_t tomb_other_ns,
    flow_end_fn end_fn, void *ctx)
{
	struct flow_table *t;
	size_t per_conn = sizeof(struct conn) + sizeof(struct conn_ext) + sizeof(struct v6_pair) +
	    2 * sizeof(uint32_t);
	size_t per_tomb = sizeof(struct tomb) + sizeof(uint32_t);
	size_t cap, tcap, nb;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	/* Four fifths of the cap for live connections (with up to two bucket
	 * slots each, and room for every one to have its extension and IPv6
	 * addresses), the
	 * rest for tombstones. */
	cap = memcap / 5 * 4 / per_conn;
	if (cap < MIN_CAPACITY)
		cap = MIN_CAPACITY;
	if (cap > UINT32_MAX / 4)
		cap = UINT32_MAX / 4;
	tcap = memcap / 5 / per_tomb;
	if (tcap < MIN_CAPACITY)
		tcap = MIN_CAPACITY;
	if (tcap > UINT32_MAX / 4)
		tcap = UINT32_MAX / 4;
	for (nb = MIN_BUCKETS; nb < cap; nb *= 2)
		;
	t->nbucket_max = (uint32_t)nb;
	t->cap = (uint32_t)cap;
	t->tomb_cap = (uint32_t)tcap;
	for (nb = MIN_BUCKETS; nb < tcap; nb *= 2)
		;
	t->ntbucket_max = (uint32_t)nb;
	t->ntbucket = MIN_BUCKETS;
	t->nbucket = MIN_BUCKETS;
	/* Sized for the whole cap; untouched pages cost nothing (bigmem.h). */
	t->pool = bigmem_zalloc(cap, sizeof(struct conn));
	t->ext = bigmem_zalloc(cap, sizeof(struct conn_ext));
	t->v6 = bigmem_zalloc(cap, sizeof(struct v6_pair));
	t->bucket = calloc(t->nbucket, sizeof(uint32_t));
	if (t->pool == NULL || t->ext == NULL || t->v6 == NULL || t->bucket == NULL) {
		bigmem_free(t->pool);
		bigmem_free(t->ext);
		bigmem_free(t->v6);
		free(t->bucket);
		free(t);
		return NULL;
	}
	t->end_fn = end_fn;
	t->ctx = ctx;
	t->tomb_life_ns[TQ_CLOSED] = tomb_closed_ns;
	t->tomb_life_ns[TQ_OTHER] = tomb_other_ns;
	t->ctr.capacity = cap;
	t->ctr.bytes_per_conn = per_conn;
	seed_key(t);
	return t;
}

void
flow_destroy(struct flow_table *t)
{
	if (t == NULL)
		return;
	bigmem_free(t->pool);
	bigmem_free(t->ext);
	bigmem_free(t->v6);
	free(t->bucket);
	bigmem_free(t->tomb);
	free(t->tbucket);
	free(t);
}
