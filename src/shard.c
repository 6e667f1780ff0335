/* shard.c: --shard K/N (shard.h): ownership, and the log merge.c reads.
 *
 * The log is JSON Lines, one object a line, each with a "type" starting
 * "shard_" (doc/schema/shard.json):
 *   shard_key      where the record on the next line sits in the single run
 *   shard_ops      gauge operations at one position, in the order made
 *   shard_streams  each local stream's first frame, per input
 *   shard_summary  the summary's raw figures
 * A key is (input i, frame f, phase p, list q, time t, stream or listener
 * s, sequence n); merge.c sorts on it after mapping s to global numbers. */
#include "config.h"

#include "shard.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* When a connection joined its LRU list: in a sweep's settling at frame
 * F, {2F, the stamp it had} (those moved keep their order); at a packet,
 * {2F + 1, the shard's sequence}.  Sweeps run at the same frames in
 * every shard, so stamps compare across shards. */
struct stamp {
	uint64_t	a, b;
};

struct shard {
	unsigned	 k, n;
	FILE		*out;
	/* position */
	unsigned	 input;
	uint64_t	 frame;
	int64_t		 ts_ns;
	enum shard_phase phase;
	uint32_t	 sub;		/* local stream of the connection leaving */
	unsigned	 list;		/* in a sweep: 0 closed, 1 open, 2 embryo */
	struct stamp	 end_stamp;	/* of the connection leaving */
	uint64_t	 seq;		/* records and op lines written */
	/* gauge operations at the current position, not yet written */
	char		*ops;
	size_t		 ops_len, ops_cap;
	/* first frame of each local stream of the current input, and when it
	 * last joined its LRU list's tail: sweep order (struct stamp) */
	uint64_t	*first;
	struct stamp	*stamp;
	size_t		 nfirst, first_cap;
	unsigned	 first_input;
	bool		 oom;
};

bool
shard_parse(const char *arg, unsigned *k, unsigned *n)
{
	char *end;
	unsigned long kk, nn;

	if (arg[0] < '0' || arg[0] > '9')
		return false;
	kk = strtoul(arg, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return false;
	nn = strtoul(end + 1, &end, 10);
	if (*end != '\0' || nn == 0 || nn > SHARD_MAX || kk >= nn)
		return false;
	*k = (unsigned)kk;
	*n = (unsigned)nn;
	return true;
}

struct shard *
shard_create(unsigned k, unsigned n, FILE *out)
{
	struct shard *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->k = k;
	s->n = n;
	s->out = out;
	return s;
}

void
shard_destroy(struct shard *s)
{
	if (s == NULL)
		return;
	free(s->ops);
	free(s->first);
	free(s->stamp);
	free(s);
}

/* FNV-1a over an endpoint: fixed, unseeded, the same on every machine
 * (shards of one input may run on different hosts). */
static uint64_t
ep_hash(uint64_t h, const struct endpoint *ep)
{
	unsigned len = ep->family == 6 ? 16 : 4, i;

	for (i = 0; i < len; i++)
		h = (h ^ ep->addr[i]) * 0x100000001b3ULL;
	h = (h ^ (ep->port >> 8)) * 0x100000001b3ULL;
	return (h ^ (ep->port & 0xff)) * 0x100000001b3ULL;
}

static int
ep_cmp(const struct endpoint *a, const struct endpoint *b)
{
	int d = memcmp(a->addr, b->addr, sizeof(a->addr));

	if (d != 0)
		return d;
	return (int)a->port - (int)b->port;
}

unsigned
shard_of(const struct segment *seg, unsigned n)
{
	const struct endpoint *lo = &seg->src, *hi = &seg->dst;
	uint64_t h = 0xcbf29ce484222325ULL;

	if (ep_cmp(lo, hi) > 0) {
		lo = &seg->dst;
		hi = &seg->src;
	}
	h = ep_hash(ep_hash(h, lo), hi);
	h ^= h >> 29;		/* FNV's low bits mix poorly */
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (unsigned)(h % n);
}

bool
shard_owns(const struct shard *s, const struct segment *seg)
{
	return shard_of(seg, s->n) == s->k;
}

bool
shard_is(const struct shard *s, unsigned k)
{
	return s->k == k;
}

bool
shard_owns_rest(const struct shard *s)
{
	return s->k == 0;
}

/* A line's fields, formatted by hand: a log has a few lines a packet's
 * connection, and printf's formatting was a tenth of a --threads run. */
struct lbuf {
	char	b[256];
	size_t	n;
};

static void
lb_str(struct lbuf *l, const char *str)
{
	size_t len = strlen(str);

	memcpy(l->b + l->n, str, len);
	l->n += len;
}

static void
lb_u64(struct lbuf *l, const char *name, uint64_t v)
{
	lb_str(l, name);
	l->n += u64_dec(l->b + l->n, v);
}

static void
ops_write(struct shard *s)
{
	struct lbuf l = { .n = 0 };

	if (s->ops_len == 0)
		return;
	lb_u64(&l, "{\"type\":\"shard_ops\",\"i\":", s->input);
	lb_u64(&l, ",\"f\":", s->frame);
	lb_u64(&l, ",\"p\":", (uint64_t)s->phase);
	lb_u64(&l, ",\"s\":", s->sub);
	lb_str(&l, ",\"ts\":");
	if (s->ts_ns < 0)
		lb_str(&l, "-");
	l.n += u64_dec(l.b + l.n, s->ts_ns < 0 ? -(uint64_t)s->ts_ns : (uint64_t)s->ts_ns);
	lb_u64(&l, ",\"n\":", s->seq++);
	lb_str(&l, ",\"ops\":\"");
	fwrite(l.b, 1, l.n, s->out);
	fwrite(s->ops, 1, s->ops_len, s->out);
	fwrite("\"}\n", 1, 3, s->out);
	s->ops_len = 0;
}

static void
streams_write(struct shard *s)
{
	size_t i;

	fprintf(s->out, "{\"type\":\"shard_streams\",\"i\":%u,\"first_frames\":[",
	    s->first_input);
	for (i = 0; i < s->nfirst; i++)
		fprintf(s->out, "%s%" PRIu64, i ? "," : "", s->first[i]);
	fputs("]}\n", s->out);
	s->nfirst = 0;
}

void
shard_at(struct shard *s, unsigned input, uint64_t frame, int64_t ts_ns,
    enum shard_phase phase)
{
	if (input != s->input || frame != s->frame || phase != s->phase)
		ops_write(s);
	if (input != s->first_input) {
		streams_write(s);
		s->first_input = input;
	}
	s->input = input;
	s->frame = frame;
	s->ts_ns = ts_ns;
	s->phase = phase;
	s->sub = 0;
	s->list = 0;
	s->end_stamp = (struct stamp){ 0, 0 };
}

void
shard_conn_end(struct shard *s, uint32_t stream, unsigned list)
{
	if (s->phase == SHARD_FLUSH || s->phase == SHARD_SWEEP)
		ops_write(s);	/* each connection's operations sort alone */
	s->sub = stream;
	s->list = list;
	s->end_stamp = stream < s->nfirst ? s->stamp[stream] : (struct stamp){ 0, 0 };
}

void
shard_stream_hook(void *ctx, uint32_t stream, uint64_t frame)
{
	struct shard *s = ctx;

	if (stream != s->nfirst)
		return;		/* numbers are handed out in order from 0 */
	if (s->nfirst == s->first_cap) {
		size_t cap = s->first_cap ? 2 * s->first_cap : 1024;
		uint64_t *n = realloc(s->first, cap * sizeof(*n));
		struct stamp *m;

		if (n == NULL) {
			s->oom = true;
			return;
		}
		s->first = n;
		m = realloc(s->stamp, cap * sizeof(*m));
		if (m == NULL) {
			s->oom = true;
			return;
		}
		s->stamp = m;
		s->first_cap = cap;
	}
	s->stamp[s->nfirst] = (struct stamp){ 0, 0 };
	s->first[s->nfirst++] = frame;
}

static void
stamp(struct shard *s, uint32_t stream)
{
	struct stamp *st;

	if (stream >= s->nfirst)
		return;
	st = &s->stamp[stream];
	if (s->phase == SHARD_SWEEP)
		*st = (struct stamp){ 2 * s->frame, st->a };
	else
		*st = (struct stamp){ 2 * s->frame + 1, s->seq++ };
}

void
shard_gauge_hook(void *ctx, char op, unsigned index)
{
	struct shard *s = ctx;
	char tmp[16];
	int len;

	if (op == 'A') {
		stamp(s, index);
		return;
	}
	tmp[0] = op;
	len = 1 + (int)u64_dec(tmp + 1, index);
	tmp[len++] = ',';

	if (s->ops_len + (size_t)len > s->ops_cap) {
		size_t cap = s->ops_cap ? 2 * s->ops_cap : 256;
		char *n = realloc(s->ops, cap);

		if (n == NULL) {
			s->oom = true;
			return;
		}
		s->ops = n;
		s->ops_cap = cap;
	}
	memcpy(s->ops + s->ops_len, tmp, (size_t)len);
	s->ops_len += (size_t)len;
}

/* ---- the reporter ----------------------------------------------------- */

struct shard_rep {
	struct shard	*s;
	struct reporter	*inner;
};

static void
key_write(struct shard *s, uint32_t sub)
{
	struct lbuf l = { .n = 0 };

	ops_write(s);
	lb_u64(&l, "{\"type\":\"shard_key\",\"i\":", s->input);
	lb_u64(&l, ",\"f\":", s->frame);
	lb_u64(&l, ",\"p\":", (uint64_t)s->phase);
	lb_u64(&l, ",\"q\":", s->list);
	lb_u64(&l, ",\"t\":", s->end_stamp.a);
	lb_u64(&l, ",\"u\":", s->end_stamp.b);
	lb_u64(&l, ",\"s\":", sub);
	lb_u64(&l, ",\"n\":", s->seq++);
	lb_str(&l, "}\n");
	fwrite(l.b, 1, l.n, s->out);
}

static void
sr_begin(struct reporter *r, const struct input_info *in)
{
	struct shard_rep *p = r->priv;

	report_begin(p->inner, in);
}

static void
sr_event(struct reporter *r, const struct event *ev, const struct input_info *in)
{
	struct shard_rep *p = r->priv;

	/* at the end of an input, listener events sort by listener address */
	key_write(p->s, p->s->phase == SHARD_END ? 0 : p->s->sub);
	p->inner->ops->event(p->inner, ev, in);
	report_end(p->inner);	/* the key and its record stay together */
}

static void
sr_connection(struct reporter *r, const struct conn_report *cr)
{
	struct shard_rep *p = r->priv;

	key_write(p->s, cr->c->stream);
	p->inner->ops->connection(p->inner, cr);
	report_end(p->inner);
}

static void
sr_sockets(struct reporter *r, const struct socket_table *st, const struct input_info *in)
{
	(void)r;
	(void)st;
	(void)in;	/* --at is refused with --shard (options.c) */
}

static void
listener_write(FILE *out, const struct listener *l)
{
	char ip[64];

	ip[endpoint_addr_put(ip, &l->ep)] = '\0';
	fprintf(out, "{\"ip\":\"%s\",\"port\":%u,\"family\":%u,\"connections\":%" PRIu64
	    ",\"refused\":%" PRIu64 ",\"completed\":%" PRIu64 ",\"reset\":%" PRIu64 "}",
	    ip, l->ep.port, l->ep.family, l->connections, l->refused, l->completed,
	    l->reset);
}

static void
u64_array(FILE *out, const char *name, const uint64_t *v, unsigned n)
{
	unsigned i;

	fprintf(out, ",\"%s\":[", name);
	for (i = 0; i < n; i++)
		fprintf(out, "%s%" PRIu64, i ? "," : "", v[i]);
	fputc(']', out);
}

/* Names as hex: the merge needs them byte for byte, whatever they hold. */
static void
hex_write(FILE *out, const char *before, const char *str)
{
	fprintf(out, "%s\"", before);
	for (; *str; str++)
		fprintf(out, "%02x", (unsigned char)*str);
	fputc('"', out);
}

static void
sr_summary(struct reporter *r, const struct summary *sm)
{
	struct shard_rep *p = r->priv;
	struct shard *s = p->s;
	const struct flow_counters *fc = sm->flows;
	unsigned i;

	ops_write(s);
	streams_write(s);
	fprintf(s->out, "{\"type\":\"shard_summary\",\"shard\":%u,\"shards\":%u,"
	    "\"complete\":%s,\"packets\":%" PRIu64 ",\"tcp_packets\":%" PRIu64
	    ",\"bytes\":%" PRIu64 ",\"connections\":%" PRIu64 ",\"one_sided\":%" PRIu64,
	    s->k, s->n, s->oom ? "false" : "true", sm->stats->packets, sm->stats->tcp_packets,
	    sm->stats->bytes, sm->connections, sm->one_sided);
	u64_array(s->out, "warnings", sm->stats->warn, WARN_COUNT);
	u64_array(s->out, "events", sm->events_by_kind, EVK_COUNT);
	fprintf(s->out, ",\"flows\":[%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
	    ",%" PRIu64 ",%" PRIu64 "]", fc->created, fc->evicted, fc->expired_idle,
	    fc->tombs_evicted, fc->resumed, fc->capacity, fc->bytes_per_conn);
	fprintf(s->out, ",\"have_time\":%s,\"start_ns\":%" PRId64 ",\"end_ns\":%" PRId64
	    ",\"ts_digits\":%d,\"damaged\":%s,\"matched_packets\":%" PRIu64
	    ",\"matched_bytes\":%" PRIu64 ",\"listeners_dropped\":%" PRIu64,
	    sm->have_time ? "true" : "false", sm->start_ns, sm->end_ns, sm->ts_digits,
	    sm->capture_damaged ? "true" : "false", sm->matched_packets, sm->matched_bytes,
	    sm->listeners_dropped);
	fputs(",\"files_hex\":[", s->out);
	for (i = 0; i < sm->ninputs; i++)
		hex_write(s->out, i ? "," : "", sm->inputs[i]);
	fputc(']', s->out);
	if (sm->filter != NULL)
		hex_write(s->out, ",\"filter_hex\":", sm->filter);
	fputs(",\"listeners\":[", s->out);
	for (i = 0; i < sm->nlisteners; i++) {
		if (i)
			fputc(',', s->out);
		listener_write(s->out, &sm->listeners[i]);
	}
	fputs("]}\n", s->out);
}

static void
sr_end(struct reporter *r)
{
	struct shard_rep *p = r->priv;

	report_end(p->inner);
	fflush(p->s->out);
}

static void
sr_destroy(struct reporter *r)
{
	struct shard_rep *p = r->priv;

	report_destroy(p->inner);
	free(p);
	free(r);
}

static const struct reporter_ops shard_ops = {
	.begin = sr_begin,
	.event = sr_event,
	.connection = sr_connection,
	.summary = sr_summary,
	.sockets = sr_sockets,
	.end = sr_end,
	.destroy = sr_destroy,
};

struct reporter *
shard_reporter(struct shard *s, struct reporter *inner)
{
	struct reporter *r = calloc(1, sizeof(*r));
	struct shard_rep *p = calloc(1, sizeof(*p));

	if (r == NULL || p == NULL || inner == NULL) {
		free(r);
		free(p);
		return NULL;
	}
	p->s = s;
	p->inner = inner;
	r->ops = &shard_ops;
	r->out = inner->out;
	r->quiet = inner->quiet;
	r->priv = p;
	return r;
}
