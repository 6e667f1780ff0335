/* threads.c: --threads N (threads.h).
 *
 * One ring per shard thread: RING_SLOTS fixed slots, each a decoded
 * record (struct pipeline_item) or a mark (an input begins, ends, stop),
 * written by the reading thread only and read by the shard's thread only.
 * Positions are C11 atomics, published every RING_BATCH slots (and at
 * every mark) so the two threads share a cache line once per batch, not
 * per record.  A side that finds the ring full (empty) spins briefly,
 * then sleeps on a condition variable: it raises its wait flag and looks
 * again under the mutex, and the other side, after publishing, wakes it
 * if the flag is up (both sequentially consistent: one of the two sees
 * the other's store).  Nothing is allocated per record. */
#include "config.h"

#include "threads.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "report.h"
#include "shard.h"
#include "util.h"

#define RING_SLOTS	4096u	/* a power of two: about 0.8 MB a shard */
#define RING_BATCH	32u	/* slots per publication; divides RING_SLOTS */
#define RING_SPIN	256	/* looks before sleeping */
#define LOG_BUF		(256u << 10)	/* a log's stdio buffer: few writes */

enum slot_kind {
	SLOT_PACKET,		/* matched by the BPF filter (or none given) */
	SLOT_UNMATCHED,		/* not matched: numbered only */
	SLOT_BEGIN,		/* an input begins: slot.in */
	SLOT_END,		/* the input ends */
	SLOT_STOP,		/* no more inputs: the thread leaves */
};

struct slot {
	struct pipeline_item	 it;
	const struct input_info	*in;
	enum slot_kind		 kind;
};

struct ring {
	_Alignas(64) atomic_size_t head;	/* slots written (published) */
	_Alignas(64) atomic_size_t tail;	/* slots read (published) */
	_Alignas(64) size_t	 phead;		/* the writer's: written */
	size_t			 ptail;		/* ... tail as last seen */
	_Alignas(64) size_t	 ctail;		/* the reader's: read */
	size_t			 chead;		/* ... head as last seen */
	_Alignas(64) atomic_bool pwait;		/* the writer sleeps: full */
	atomic_bool		 cwait;		/* the reader sleeps: empty */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct slot		*slot;
};

struct worker {
	struct ring		 ring;
	struct threads		*t;
	struct shard		*sh;
	struct reporter		*r;
	struct pipeline		*p;
	FILE			*log;
	pthread_t		 thread;
	bool			 running;
};

struct threads {
	unsigned		 n;
	struct pipeline_fan	 fan;
	struct worker		*w;
	bool			 stopped;
	const struct input_info	**begun;	/* the inputs begun, in order */
	unsigned		 nbegun, begun_cap;
	bool			 oom;
};

static void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static void
wake(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

/* ---- the writer's side (the reading thread) --------------------------- */

static void
ring_publish(struct ring *r)
{
	atomic_store(&r->head, r->phead);
	if (atomic_load(&r->cwait))
		wake(r);
}

static void
ring_wait_room(struct ring *r)
{
	int i;

	ring_publish(r);	/* what is written can be read meanwhile */
	for (i = 0; i < RING_SPIN; i++) {
		r->ptail = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (r->phead - r->ptail < RING_SLOTS)
			return;
		cpu_relax();
	}
	pthread_mutex_lock(&r->mu);
	atomic_store(&r->pwait, true);
	while (r->phead - (r->ptail = atomic_load(&r->tail)) == RING_SLOTS)
		pthread_cond_wait(&r->cv, &r->mu);
	atomic_store(&r->pwait, false);
	pthread_mutex_unlock(&r->mu);
}

static struct slot *
ring_reserve(struct ring *r)
{
	if (r->phead - r->ptail == RING_SLOTS) {
		r->ptail = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (r->phead - r->ptail == RING_SLOTS)
			ring_wait_room(r);
	}
	return &r->slot[r->phead & (RING_SLOTS - 1)];
}

static void
ring_commit(struct ring *r, bool now)
{
	r->phead++;
	if (now || (r->phead & (RING_BATCH - 1)) == 0)
		ring_publish(r);
}

/* ---- the reader's side (a shard thread) ------------------------------- */

static void
ring_release(struct ring *r)
{
	atomic_store(&r->tail, r->ctail);
	if (atomic_load(&r->pwait))
		wake(r);
}

static void
ring_wait_items(struct ring *r)
{
	int i;

	ring_release(r);	/* the room read so far can be written meanwhile */
	for (i = 0; i < RING_SPIN; i++) {
		r->chead = atomic_load_explicit(&r->head, memory_order_acquire);
		if (r->chead != r->ctail)
			return;
		cpu_relax();
	}
	pthread_mutex_lock(&r->mu);
	atomic_store(&r->cwait, true);
	while ((r->chead = atomic_load(&r->head)) == r->ctail)
		pthread_cond_wait(&r->cv, &r->mu);
	atomic_store(&r->cwait, false);
	pthread_mutex_unlock(&r->mu);
}

static struct slot *
ring_next(struct ring *r)
{
	if (r->ctail == r->chead) {
		r->chead = atomic_load_explicit(&r->head, memory_order_acquire);
		if (r->ctail == r->chead)
			ring_wait_items(r);
	}
	return &r->slot[r->ctail & (RING_SLOTS - 1)];
}

static void
ring_done(struct ring *r)
{
	r->ctail++;
	if ((r->ctail & (RING_BATCH - 1)) == 0)
		ring_release(r);
}

static bool
ring_init(struct ring *r)
{
	r->slot = calloc(RING_SLOTS, sizeof(*r->slot));
	if (r->slot == NULL)
		return false;
	if (pthread_mutex_init(&r->mu, NULL) != 0) {
		free(r->slot);
		return false;
	}
	if (pthread_cond_init(&r->cv, NULL) != 0) {
		pthread_mutex_destroy(&r->mu);
		free(r->slot);
		return false;
	}
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->pwait, false);
	atomic_init(&r->cwait, false);
	return true;
}

static void
ring_free(struct ring *r)
{
	if (r->slot == NULL)
		return;
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r->slot);
}

/* ---- the shard threads ------------------------------------------------ */

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		struct slot *s = ring_next(&w->ring);

		switch (s->kind) {
		case SLOT_PACKET:
			pipeline_process(w->p, &s->it);
			break;
		case SLOT_UNMATCHED:
			pipeline_process_unmatched(w->p, &s->it);
			break;
		case SLOT_BEGIN:
			pipeline_begin_input(w->p, s->in);
			break;
		case SLOT_END:
			pipeline_end_input(w->p);
			break;
		case SLOT_STOP:
			ring_done(&w->ring);
			ring_release(&w->ring);
			return NULL;
		}
		ring_done(&w->ring);
	}
}

/* A mark to every shard, published at once. */
static void
mark_all(struct threads *t, enum slot_kind kind, const struct input_info *in)
{
	unsigned k;

	for (k = 0; k < t->n; k++) {
		struct slot *s = ring_reserve(&t->w[k].ring);

		s->kind = kind;
		s->in = in;
		ring_commit(&t->w[k].ring, true);
	}
}

static void
fan_begin(void *ctx, const struct input_info *in)
{
	struct threads *t = ctx;

	if (t->nbegun == t->begun_cap) {
		unsigned cap = t->begun_cap ? 2 * t->begun_cap : 16;
		const struct input_info **n = realloc(t->begun, cap * sizeof(*n));

		if (n == NULL)
			t->oom = true;
		else {
			t->begun = n;
			t->begun_cap = cap;
		}
	}
	if (t->nbegun < t->begun_cap)
		t->begun[t->nbegun++] = in;
	mark_all(t, SLOT_BEGIN, in);
}

static void
fan_end(void *ctx)
{
	mark_all(ctx, SLOT_END, NULL);
}

/* The record whole to its owner; to the others, its clock. */
static void
fan_item(void *ctx, const struct pipeline_item *it, bool matched)
{
	struct threads *t = ctx;
	unsigned k;

	for (k = 0; k < t->n; k++) {
		struct slot *s = ring_reserve(&t->w[k].ring);

		s->kind = matched ? SLOT_PACKET : SLOT_UNMATCHED;
		if ((int32_t)k == it->owner)
			s->it = *it;
		else
			pipeline_item_clock(&s->it, it);
		ring_commit(&t->w[k].ring, false);
	}
}

/* Shard k's ring, log, pipeline and thread; false when one cannot be had
 * (said: once). */
static bool
worker_start(struct threads *t, unsigned k, const struct pipeline_config *cfg)
{
	struct worker *w = &t->w[k];
	struct pipeline_config c = *cfg;

	w->t = t;
	if (!ring_init(&w->ring))
		goto fail;
	w->log = tmp_open("--threads");
	if (w->log == NULL)
		return false;
	setvbuf(w->log, NULL, _IOFBF, LOG_BUF);
	w->sh = shard_create(k, t->n, w->log);
	if (w->sh == NULL)
		goto fail;
	w->r = shard_reporter(w->sh, report_jsonl_new(w->log, false, false));
	if (w->r == NULL)
		goto fail;
	c.shard = w->sh;
	c.fan = NULL;
	/* The run's --memcap each: the summary's capacity is the single
	 * run's, and the pool's pages are touched only as connections use
	 * them, so a thread's memory follows its share of connections (at
	 * worst N times the memcap, when each fills its own table). */
	w->p = pipeline_create(&c, w->r);
	if (w->p == NULL || pthread_create(&w->thread, NULL, worker_main, w) != 0)
		goto fail;
	w->running = true;
	return true;
fail:
	diag("--threads", "cannot start shard thread %u of %u (out of memory or threads; "
	    "try a smaller --memcap or fewer --threads)", k, t->n);
	return false;
}

struct threads *
threads_create(unsigned n, const struct pipeline_config *cfg)
{
	struct threads *t = calloc(1, sizeof(*t));
	unsigned k;

	if (t != NULL && (t->w = calloc(n, sizeof(*t->w))) == NULL) {
		free(t);
		t = NULL;
	}
	if (t == NULL) {
		diag("--threads", "out of memory");
		return NULL;
	}
	t->n = n;
	t->fan = (struct pipeline_fan){ .n_shards = n, .begin = fan_begin, .item = fan_item,
	    .end = fan_end, .ctx = t };
	for (k = 0; k < n; k++)
		if (!worker_start(t, k, cfg)) {
			threads_destroy(t);
			return NULL;
		}
	return t;
}

const struct pipeline_fan *
threads_fan(struct threads *t)
{
	return &t->fan;
}

static void
stop_all(struct threads *t)
{
	unsigned k;

	if (t->stopped)
		return;
	t->stopped = true;
	for (k = 0; k < t->n; k++) {
		struct worker *w = &t->w[k];
		struct slot *s;

		if (!w->running)
			continue;
		s = ring_reserve(&w->ring);
		s->kind = SLOT_STOP;
		ring_commit(&w->ring, true);
		pthread_join(w->thread, NULL);
		w->running = false;
	}
}

int
threads_finish(struct threads *t, struct pipeline *reader, bool damaged, struct merge_to *to)
{
	static const enum warn_reason file_warns[] = { WARN_BAD_TIMESTAMP,
	    WARN_CAPTURE_DAMAGED };
	struct merge *m;
	unsigned k, i;
	bool ok = true;

	stop_all(t);
	/* counted by the source, which reads for all shards; the merge
	 * takes the file's warnings from shard 0 */
	for (i = 0; i < sizeof(file_warns) / sizeof(file_warns[0]); i++)
		pipeline_stats(t->w[0].p)->warn[file_warns[i]] +=
		    pipeline_stats(reader)->warn[file_warns[i]];
	if (t->oom) {
		diag("--threads", "out of memory");
		return 2;
	}
	to->inputs = t->begun;
	to->ninputs = t->nbegun;
	m = merge_new(t->n);
	if (m == NULL)
		return 2;
	for (k = 0; k < t->n; k++) {
		struct worker *w = &t->w[k];
		char name[48];

		pipeline_summary(w->p, damaged);
		snprintf(name, sizeof(name), "--threads: shard %u", k);
		if (fflush(w->log) != 0 || ferror(w->log) || fseek(w->log, 0, SEEK_SET) != 0) {
			diag(name, "cannot write its temporary log");
			ok = false;
		}
		if (ok)
			ok = merge_add(m, w->log, name);
	}
	if (!ok) {
		merge_finish(m, to);	/* frees: it was failed */
		return 2;
	}
	return merge_finish(m, to);
}

void
threads_destroy(struct threads *t)
{
	unsigned k;

	if (t == NULL)
		return;
	stop_all(t);
	for (k = 0; k < t->n; k++) {
		struct worker *w = &t->w[k];

		pipeline_destroy(w->p);
		report_destroy(w->r);
		shard_destroy(w->sh);
		if (w->log != NULL)
			fclose(w->log);
		ring_free(&w->ring);
	}
	free(t->w);
	free(t->begun);
	free(t);
}
