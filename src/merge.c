/* merge.c: shard logs into a single run's output (merge.h).
 *
 * 1. Stream numbers: each shard lists its streams' first frames per input;
 *    a stream's global number is the rank of its first frame among all
 *    shards' streams of that input (Wireshark's rule, flow.c).
 * 2. Records: each has the key its shard wrote before it (input, frame,
 *    phase, then list and last packet time in a sweep, stream at the end
 *    of an input); sorted on it, with every reference to a stream
 *    ("stream", detail "previous_stream", "stream N" in a message)
 *    rewritten to the global number.
 * 3. Summary: sums of the shards' counts, whole-file figures from shard 0
 *    (every shard reads every record), and the peaks replayed from the
 *    gauge operations in single-run order: at a frame first the shards
 *    that only lowered figures, then the packet's owner.
 * What cannot be exact is said in doc/architecture.md ("Shards"). */
#include "config.h"

#include "merge.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "shard.h"
#include "util.h"

#define MAX_INPUTS_HEX	4096	/* bytes of one hex-encoded name */

struct item {		/* a record, or a line of gauge operations */
	unsigned	 shard, input, phase, list;
	uint64_t	 frame, n;
	int64_t		 t;	/* ops: the packet's time */
	uint64_t	 ja, jb;	/* sweep: when it joined its list (shard.c) */
	uint32_t	 s;	/* local stream (or 0) */
	uint64_t	 gs;	/* global stream, filled in */
	bool		 inc;	/* ops: raises a figure */
	char		*line;	/* the record, or the ops */
};

struct items {
	struct item	*v;
	size_t		 n, cap;
};

struct shard_in {		/* one input of one shard */
	uint64_t	*first;		/* first frame of each local stream */
	size_t		 n;
	uint64_t	*global;	/* local -> global */
};

struct shard_log {
	const char	*name;
	unsigned	 k, n;
	bool		 have_summary, complete;
	struct shard_in	*in;
	unsigned	 nin;
	/* summary */
	struct stats	 st;
	uint64_t	 connections, one_sided, events[EVK_COUNT], flows[7];
	bool		 have_time, damaged;
	int64_t		 start_ns, end_ns;
	int		 ts_digits;
	uint64_t	 matched_packets, matched_bytes, listeners_dropped;
	struct listener	*lis;
	unsigned	 nlis;
	unsigned	*lmap;		/* local listener -> global index + 1 */
	char		**files;
	unsigned	 nfiles;
	char		*filter;
};

static bool
items_add(struct items *it, const struct item *x)
{
	if (it->n == it->cap) {
		size_t cap = it->cap ? 2 * it->cap : 1024;
		struct item *n = realloc(it->v, cap * sizeof(*n));

		if (n == NULL)
			return false;
		it->v = n;
		it->cap = cap;
	}
	it->v[it->n++] = *x;
	return true;
}

/* The unsigned number after "key": in line, or false. */
static bool
num(const char *line, const char *key, uint64_t *v)
{
	char pat[40];
	const char *p;
	char *end;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	if (p == NULL)
		return false;
	p += strlen(pat);
	errno = 0;
	*v = strtoull(p, &end, 10);
	return end != p && errno == 0;
}

static bool
snum(const char *line, const char *key, int64_t *v)
{
	char pat[40];
	const char *p;
	char *end;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	if (p == NULL)
		return false;
	p += strlen(pat);
	errno = 0;
	*v = strtoll(p, &end, 10);
	return end != p && errno == 0;
}

/* "key":[a,b,...] into v[0..max): the count read, or -1. */
static long
array(const char *line, const char *key, uint64_t *v, size_t max)
{
	char pat[40];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%s\":[", key);
	p = strstr(line, pat);
	if (p == NULL)
		return -1;
	p += strlen(pat);
	while (*p != ']') {
		char *end;

		if (n == max)
			return -1;
		v[n++] = strtoull(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
		if (*p == ',')
			p++;
	}
	return (long)n;
}

static char *
unhex(const char *p, size_t len)
{
	char *s = malloc(len / 2 + 1);
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i + 1 < len; i += 2) {
		unsigned b;

		if (sscanf(p + i, "%2x", &b) != 1) {
			free(s);
			return NULL;
		}
		s[i / 2] = (char)b;
	}
	s[len / 2] = '\0';
	return s;
}

static bool
parse_listeners(struct shard_log *L, const char *line)
{
	const char *p = strstr(line, "\"listeners\":[");

	if (p == NULL)
		return false;
	while ((p = strstr(p, "{\"ip\":\"")) != NULL) {
		struct listener *l, *nl;
		char ip[64];
		const char *q = p + 7, *e = strchr(q, '"');
		uint64_t port, fam;

		if (e == NULL || (size_t)(e - q) >= sizeof(ip))
			return false;
		nl = realloc(L->lis, (L->nlis + 1) * sizeof(*nl));
		if (nl == NULL)
			return false;
		L->lis = nl;
		l = &L->lis[L->nlis++];
		memset(l, 0, sizeof(*l));
		memcpy(ip, q, (size_t)(e - q));
		ip[e - q] = '\0';
		if (!num(e, "port", &port) || !num(e, "family", &fam) ||
		    !num(e, "connections", &l->connections) || !num(e, "refused", &l->refused) ||
		    !num(e, "completed", &l->completed) || !num(e, "reset", &l->reset))
			return false;
		l->ep.port = (uint16_t)port;
		l->ep.family = (uint8_t)fam;
		if (inet_pton(fam == 6 ? AF_INET6 : AF_INET, ip, l->ep.addr) != 1)
			return false;
		p = e;
	}
	return true;
}

static bool
parse_summary(struct shard_log *L, const char *line)
{
	uint64_t k, n;
	int64_t sv;
	const char *p;

	if (!num(line, "shard", &k) || !num(line, "shards", &n) || n == 0 || k >= n)
		return false;
	L->k = (unsigned)k;
	L->n = (unsigned)n;
	L->complete = strstr(line, "\"complete\":true") != NULL;
	if (!num(line, "packets", &L->st.packets) ||
	    !num(line, "tcp_packets", &L->st.tcp_packets) ||
	    !num(line, "bytes", &L->st.bytes) || !num(line, "connections", &L->connections) ||
	    !num(line, "one_sided", &L->one_sided) ||
	    array(line, "warnings", L->st.warn, WARN_COUNT) != WARN_COUNT ||
	    array(line, "events", L->events, EVK_COUNT) != EVK_COUNT ||
	    array(line, "flows", L->flows, 7) != 7 ||
	    !snum(line, "start_ns", &L->start_ns) || !snum(line, "end_ns", &L->end_ns) ||
	    !snum(line, "ts_digits", &sv) || !num(line, "matched_packets", &L->matched_packets) ||
	    !num(line, "matched_bytes", &L->matched_bytes) ||
	    !num(line, "listeners_dropped", &L->listeners_dropped) || !parse_listeners(L, line))
		return false;
	L->ts_digits = (int)sv;
	L->have_time = strstr(line, "\"have_time\":true") != NULL;
	L->damaged = strstr(line, "\"damaged\":true") != NULL;
	p = strstr(line, "\"files_hex\":[");
	if (p == NULL)
		return false;
	p += 13;
	while (*p == '"') {
		const char *e = strchr(p + 1, '"');
		char **nf;

		if (e == NULL)
			return false;
		nf = realloc(L->files, (L->nfiles + 1) * sizeof(*nf));
		if (nf == NULL)
			return false;
		L->files = nf;
		if ((L->files[L->nfiles] = unhex(p + 1, (size_t)(e - p - 1))) == NULL)
			return false;
		L->nfiles++;
		p = e + 1;
		if (*p == ',')
			p++;
	}
	p = strstr(line, "\"filter_hex\":\"");
	if (p != NULL) {
		const char *e = strchr(p + 14, '"');

		if (e == NULL || (L->filter = unhex(p + 14, (size_t)(e - p - 14))) == NULL)
			return false;
	}
	L->have_summary = true;
	return true;
}

static bool
parse_streams(struct shard_log *L, const char *line)
{
	uint64_t i;
	const char *p = strstr(line, "\"first_frames\":[");
	struct shard_in *in;

	if (!num(line, "i", &i) || i > 1000000 || p == NULL)
		return false;
	if (i >= L->nin) {
		struct shard_in *n = realloc(L->in, (size_t)(i + 1) * sizeof(*n));

		if (n == NULL)
			return false;
		memset(n + L->nin, 0, (size_t)(i + 1 - L->nin) * sizeof(*n));
		L->in = n;
		L->nin = (unsigned)i + 1;
	}
	in = &L->in[i];
	p += 16;
	while (*p != ']') {
		char *end;
		uint64_t f = strtoull(p, &end, 10);

		if (end == p)
			return false;
		if (in->n % 1024 == 0) {
			uint64_t *nf = realloc(in->first, (in->n + 1024) * sizeof(*nf));

			if (nf == NULL)
				return false;
			in->first = nf;
		}
		in->first[in->n++] = f;
		p = end;
		if (*p == ',')
			p++;
	}
	return true;
}

static bool
parse_key(const char *line, unsigned shard, struct item *x)
{
	uint64_t i, f, p, q = 0, s, n, ja = 0, jb = 0;
	int64_t t = 0;

	if (!num(line, "i", &i) || !num(line, "f", &f) || !num(line, "p", &p) ||
	    !num(line, "s", &s) || !num(line, "n", &n) || p > SHARD_END)
		return false;
	(void)num(line, "q", &q);
	(void)num(line, "t", &ja);
	(void)num(line, "u", &jb);
	(void)snum(line, "ts", &t);
	memset(x, 0, sizeof(*x));
	x->shard = shard;
	x->input = (unsigned)i;
	x->frame = f;
	x->phase = (unsigned)p;
	x->list = (unsigned)q;
	x->t = t;
	x->ja = ja;
	x->jb = jb;
	x->s = (uint32_t)s;
	x->n = n;
	return true;
}

/* Read one shard log. */
static bool
read_log(struct shard_log *L, unsigned shard, FILE *fp, struct items *recs, struct items *ops)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	struct item key;
	bool have_key = false, ok = true;

	while (ok && (len = getline(&line, &cap, fp)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (have_key) {
			key.line = strdup(line);
			ok = key.line != NULL && items_add(recs, &key);
			have_key = false;
		} else if (strncmp(line, "{\"type\":\"shard_key\"", 19) == 0) {
			ok = parse_key(line, shard, &key);
			have_key = true;
		} else if (strncmp(line, "{\"type\":\"shard_ops\"", 19) == 0) {
			struct item x;
			const char *o = strstr(line, "\"ops\":\"");
			char *e;

			ok = o != NULL && parse_key(line, shard, &x);
			if (ok) {
				o += 7;
				e = strchr(o, '"');
				ok = e != NULL && (x.line = strndup(o, (size_t)(e - o))) != NULL;
			}
			if (ok) {
				const char *c;

				for (c = x.line; *c; c++)
					if (*c >= 'A' && *c <= 'Z')
						x.inc = true;
				ok = items_add(ops, &x);
			}
		} else if (strncmp(line, "{\"type\":\"shard_streams\"", 23) == 0) {
			ok = parse_streams(L, line);
		} else if (strncmp(line, "{\"type\":\"shard_summary\"", 23) == 0) {
			ok = parse_summary(L, line);
		} else {
			ok = false;
		}
	}
	free(line);
	if (!ok || ferror(fp) || have_key) {
		diag(L->name, "not a shard log of this version (written by --shard K/N)");
		return false;
	}
	if (!L->have_summary || !L->complete) {
		diag(L->name, "%s", !L->have_summary ? "the shard log has no summary: the run "
		    "did not finish" : "the shard ran out of memory: its log is incomplete");
		return false;
	}
	return true;
}

struct ffs {			/* (first frame, shard, local) for numbering */
	uint64_t	frame;
	unsigned	shard;
	size_t		local;
};

static int
ffs_cmp(const void *a, const void *b)
{
	const struct ffs *x = a, *y = b;

	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	return x->shard < y->shard ? -1 : x->shard > y->shard;
}

static bool
number_streams(struct shard_log *L, unsigned n, unsigned ninputs)
{
	unsigned i, k;

	for (i = 0; i < ninputs; i++) {
		size_t total = 0, j, m = 0;
		struct ffs *all;

		for (k = 0; k < n; k++)
			if (i < L[k].nin)
				total += L[k].in[i].n;
		all = malloc((total ? total : 1) * sizeof(*all));
		if (all == NULL)
			return false;
		for (k = 0; k < n; k++) {
			if (i >= L[k].nin)
				continue;
			L[k].in[i].global = malloc((L[k].in[i].n + 1) * sizeof(uint64_t));
			if (L[k].in[i].global == NULL) {
				free(all);
				return false;
			}
			for (j = 0; j < L[k].in[i].n; j++)
				all[m++] = (struct ffs){ L[k].in[i].first[j], k, j };
		}
		qsort(all, total, sizeof(*all), ffs_cmp);
		for (j = 0; j < total; j++)
			L[all[j].shard].in[i].global[all[j].local] = j;
		free(all);
	}
	return true;
}

/* The global number of shard k's local stream s of input i. */
static bool
global_stream(const struct shard_log *L, unsigned k, unsigned i, uint64_t s, uint64_t *g)
{
	if (i >= L[k].nin || s >= L[k].in[i].n)
		return false;
	*g = L[k].in[i].global[s];
	return true;
}

/* Append to a growing string. */
struct sbuf {
	char	*p;
	size_t	 len, cap;
	bool	 oom;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (np == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Copy [from, to) of a record, every "stream N" inside the message
 * (time_wait_reuse, port_reuse name the previous stream) renumbered. */
static void
copy_message(struct sbuf *b, const char *from, const char *to, const struct shard_log *L,
    unsigned k, unsigned i)
{
	const char *p = from;

	while (p < to) {
		const char *m = strstr(p, "stream ");
		char *end;
		uint64_t v, g;
		char tmp[24];

		if (m == NULL || m >= to || m[7] < '0' || m[7] > '9') {
			if (m == NULL || m >= to) {
				sb_add(b, p, (size_t)(to - p));
				return;
			}
			sb_add(b, p, (size_t)(m + 7 - p));
			p = m + 7;
			continue;
		}
		v = strtoull(m + 7, &end, 10);
		if (!global_stream(L, k, i, v, &g))
			g = v;
		sb_add(b, p, (size_t)(m + 7 - p));
		sb_add(b, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%" PRIu64, g));
		p = end;
	}
}

/* The record with its stream references global; NULL: out of memory. */
static char *
rewrite(const char *line, const struct shard_log *L, unsigned k, unsigned i)
{
	static const char *const keys[] = { "\"stream\":", "\"previous_stream\":" };
	struct sbuf b = { 0 };
	const char *p = line;

	for (;;) {
		const char *best = NULL, *msg = strstr(p, ",\"message\":\"");
		size_t kl = 0, j;

		for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
			const char *m = strstr(p, keys[j]);

			if (m != NULL && (best == NULL || m < best)) {
				best = m;
				kl = strlen(keys[j]);
			}
		}
		if (msg != NULL && (best == NULL || msg < best)) {
			const char *q = msg + 12;

			while (*q && *q != '"')
				q += *q == '\\' && q[1] ? 2 : 1;
			sb_add(&b, p, (size_t)(msg + 12 - p));
			copy_message(&b, msg + 12, q, L, k, i);
			p = q;
			continue;
		}
		if (best == NULL) {
			sb_add(&b, p, strlen(p));
			break;
		} else {
			char *end;
			uint64_t v = strtoull(best + kl, &end, 10), g;
			char tmp[24];

			if (!global_stream(L, k, i, v, &g))
				g = v;
			sb_add(&b, p, (size_t)(best + kl - p));
			sb_add(&b, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%" PRIu64, g));
			p = end;
		}
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Records: input, frame, phase; a sweep's connections by the list they
 * left (closed, open, embryonic) and then as that list orders them, by
 * when they joined its tail (shard.c's stamps); the end of an input in
 * stream order; then shard and the shard's own order. */
static int
rec_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->input != y->input)
		return x->input < y->input ? -1 : 1;
	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	if (x->phase != y->phase)
		return x->phase < y->phase ? -1 : 1;
	if (x->phase == SHARD_SWEEP) {
		if (x->list != y->list)
			return x->list < y->list ? -1 : 1;
		if (x->ja != y->ja)
			return x->ja < y->ja ? -1 : 1;
		if (x->jb != y->jb)
			return x->jb < y->jb ? -1 : 1;
	}
	if ((x->phase == SHARD_SWEEP || x->phase == SHARD_FLUSH) && x->gs != y->gs)
		return x->gs < y->gs ? -1 : 1;
	if (x->shard != y->shard)
		return x->shard < y->shard ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

/* Gauge operations: at one position, shards that only lowered figures
 * first (expiry, which the single run does before the packet raises
 * anything), then the packet's owner; the end of an input in stream
 * order. */
static int
ops_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->input != y->input)
		return x->input < y->input ? -1 : 1;
	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	if (x->phase != y->phase)
		return x->phase < y->phase ? -1 : 1;
	if (x->phase == SHARD_FLUSH && x->gs != y->gs)
		return x->gs < y->gs ? -1 : 1;
	if (x->inc != y->inc)
		return x->inc ? 1 : -1;
	if (x->shard != y->shard)
		return x->shard < y->shard ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

struct replay {
	uint64_t	 open_now, open_peak, live, live_peak;
	struct listener	*lis;
	unsigned	 nlis;
};

static void
kmem(struct listener *l)
{
	l->kmem = l->established * (l->ep.family == 6 ? KMEM_ESTABLISHED_V6 :
	    KMEM_ESTABLISHED_V4) + l->half_open * KMEM_HALF_OPEN + l->time_wait * KMEM_TIME_WAIT;
	if (l->kmem > l->peak_kmem)
		l->peak_kmem = l->kmem;
}

static bool
ep_eq(const struct endpoint *a, const struct endpoint *b)
{
	return a->port == b->port && a->family == b->family &&
	    memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* Shard k's listener li as a listener of the merged run (made on 'N'). */
static struct listener *
replay_listener(struct replay *r, struct shard_log *L, unsigned li, bool create)
{
	unsigned g;

	if (li >= L->nlis)
		return NULL;
	if (L->lmap[li] != 0)
		return &r->lis[L->lmap[li] - 1];
	if (!create)
		return NULL;
	for (g = 0; g < r->nlis; g++)
		if (ep_eq(&r->lis[g].ep, &L->lis[li].ep))
			break;
	if (g == r->nlis) {
		memset(&r->lis[g], 0, sizeof(r->lis[g]));
		r->lis[g].ep = L->lis[li].ep;
		r->nlis++;
	}
	L->lmap[li] = g + 1;
	return &r->lis[g];
}

static void
replay_ops(struct replay *r, struct shard_log *L, const struct item *x)
{
	const char *p = x->line;

	while (*p) {
		char op = *p++, *end;
		unsigned li = (unsigned)strtoul(p, &end, 10);
		struct listener *l = NULL;

		p = *end == ',' ? end + 1 : end;
		switch (op) {
		case 'O':
			if (++r->open_now > r->open_peak)
				r->open_peak = r->open_now;
			continue;
		case 'o':
			r->open_now--;
			continue;
		case 'T':
			if (++r->live > r->live_peak)
				r->live_peak = r->live;
			continue;
		case 't':
			r->live--;
			continue;
		default:
			break;
		}
		l = replay_listener(r, L, li, op == 'N');
		if (l == NULL)
			continue;
		switch (op) {
		case 'H':
			if (++l->half_open > l->peak_half_open)
				l->peak_half_open = l->half_open;
			break;
		case 'h':
			if (l->half_open)
				l->half_open--;
			break;
		case 'E':
			if (++l->established > l->peak_established)
				l->peak_established = l->established;
			break;
		case 'e':
			if (l->established)
				l->established--;
			break;
		case 'W':
			if (++l->time_wait > l->peak_time_wait)
				l->peak_time_wait = l->time_wait;
			break;
		case 'w':
			if (l->time_wait)
				l->time_wait--;
			break;
		case 'S':
			if (x->t / 1000000000 != l->rate_second) {
				l->rate_second = x->t / 1000000000;
				l->syn_rate_now = 0;
			}
			if (++l->syn_rate_now > l->syn_rate_peak)
				l->syn_rate_peak = l->syn_rate_now;
			continue;	/* no kernel memory */
		default:
			continue;
		}
		if (op != 'N')
			kmem(l);
	}
}

/* Warnings every shard counts alike (they are about the file, which
 * every shard reads): shard 0's; the rest are about packets, each
 * counted by the one shard that owns it. */
static bool
file_warning(unsigned w)
{
	return w == WARN_BAD_TIMESTAMP || w == WARN_TIME_BACKWARDS || w == WARN_CAPTURE_DAMAGED;
}

static int
write_merged(struct shard_log *L, unsigned n, struct items *recs, struct items *ops, FILE *out,
    bool quiet)
{
	struct replay rp = { 0 };
	struct stats st;
	struct flow_counters fc;
	struct summary s;
	uint64_t events[EVK_COUNT] = { 0 }, connections = 0, one_sided = 0, cur_input = 0;
	unsigned k, w, nl = 0;
	size_t j;
	struct reporter *r;

	for (k = 0; k < n; k++)
		nl += L[k].nlis;
	rp.lis = calloc(nl ? nl : 1, sizeof(*rp.lis));
	if (rp.lis == NULL)
		return EXIT_FAILURE;
	for (j = 0; j < ops->n; j++) {
		struct item *x = &ops->v[j];

		if (x->phase == SHARD_FLUSH && !global_stream(L, x->shard, x->input, x->s, &x->gs))
			x->gs = 0;
	}
	qsort(ops->v, ops->n, sizeof(*ops->v), ops_cmp);
	for (j = 0; j < ops->n; j++) {
		if (ops->v[j].input != cur_input) {
			rp.live = 0;	/* flow_flush empties the table at once */
			cur_input = ops->v[j].input;
		}
		replay_ops(&rp, &L[ops->v[j].shard], &ops->v[j]);
	}

	for (j = 0; j < recs->n; j++) {
		struct item *x = &recs->v[j];

		if (!global_stream(L, x->shard, x->input, x->s, &x->gs))
			x->gs = 0;
	}
	qsort(recs->v, recs->n, sizeof(*recs->v), rec_cmp);
	for (j = 0; j < recs->n && !quiet; j++) {
		char *line = rewrite(recs->v[j].line, L, recs->v[j].shard, recs->v[j].input);

		if (line == NULL)
			return EXIT_FAILURE;
		out_line(out, line);
		free(line);
	}

	memset(&st, 0, sizeof(st));
	memset(&fc, 0, sizeof(fc));
	st.packets = L[0].st.packets;
	st.bytes = L[0].st.bytes;
	for (k = 0; k < n; k++) {
		st.tcp_packets += L[k].st.tcp_packets;
		for (w = 0; w < WARN_COUNT; w++)
			if (!file_warning(w) || k == 0)
				st.warn[w] += L[k].st.warn[w];
		for (w = 0; w < EVK_COUNT; w++)
			events[w] += L[k].events[w];
		connections += L[k].connections;
		one_sided += L[k].one_sided;
		fc.created += L[k].flows[0];
		fc.evicted += L[k].flows[1];
		fc.expired_idle += L[k].flows[2];
		fc.tombs_evicted += L[k].flows[3];
		fc.resumed += L[k].flows[4];
		for (w = 0; w < L[k].nlis; w++) {
			struct listener *l = replay_listener(&rp, &L[k], w, true);

			l->connections += L[k].lis[w].connections;
			l->refused += L[k].lis[w].refused;
			l->completed += L[k].lis[w].completed;
			l->reset += L[k].lis[w].reset;
		}
	}
	st.connections = fc.created;
	fc.capacity = L[0].flows[5];
	fc.bytes_per_conn = L[0].flows[6];
	fc.peak_live = rp.live_peak;

	memset(&s, 0, sizeof(s));
	s.stats = &st;
	s.flows = &fc;
	s.events_by_kind = events;
	s.connections = connections;
	s.one_sided = one_sided;
	s.peak_concurrent = rp.open_peak;
	s.start_ns = L[0].start_ns;
	s.end_ns = L[0].end_ns;
	s.have_time = L[0].have_time;
	s.listeners = rp.lis;
	s.nlisteners = rp.nlis;
	s.listeners_dropped = L[0].listeners_dropped;
	s.inputs = (const char *const *)L[0].files;
	s.ninputs = L[0].nfiles;
	s.ts_digits = L[0].ts_digits;
	s.capture_damaged = L[0].damaged;
	s.filter = L[0].filter;
	s.matched_packets = L[0].matched_packets;
	s.matched_bytes = L[0].matched_bytes;
	r = report_jsonl_new(out, false, false);
	if (r == NULL)
		return EXIT_FAILURE;
	report_summary(r, &s);
	report_end(r);
	report_destroy(r);
	free(rp.lis);
	return EXIT_SUCCESS;
}

static void
log_free(struct shard_log *L)
{
	unsigned i;

	for (i = 0; i < L->nin; i++) {
		free(L->in[i].first);
		free(L->in[i].global);
	}
	free(L->in);
	free(L->lis);
	free(L->lmap);
	for (i = 0; i < L->nfiles; i++)
		free(L->files[i]);
	free(L->files);
	free(L->filter);
}

static void
items_free(struct items *it)
{
	size_t i;

	for (i = 0; i < it->n; i++)
		free(it->v[i].line);
	free(it->v);
}

/* A shard raises figures at a position if any of its lines there does:
 * its lines at one position (split by its records) sort as one. */
static void
ops_mark_raising(struct items *ops, size_t from)
{
	size_t a = from, b, j;

	while (a < ops->n) {
		bool inc = false;

		for (b = a; b < ops->n && ops->v[b].input == ops->v[a].input &&
		    ops->v[b].frame == ops->v[a].frame && ops->v[b].phase == ops->v[a].phase; b++)
			inc |= ops->v[b].inc;
		for (j = a; j < b; j++)
			ops->v[j].inc = inc;
		a = b;
	}
}

struct merge {
	struct shard_log	*L;
	unsigned		 n, added;
	struct items		 recs, ops;
	size_t			 recs_seen, ops_seen, ops_first;
	bool			 failed;
};

struct merge *
merge_new(unsigned n)
{
	struct merge *m = calloc(1, sizeof(*m));

	if (m != NULL && (m->L = calloc(n ? n : 1, sizeof(*m->L))) == NULL) {
		free(m);
		m = NULL;
	}
	if (m == NULL) {
		diag("merge", "out of memory");
		return NULL;
	}
	m->n = n;
	return m;
}

bool
merge_add(struct merge *m, FILE *fp, const char *name)
{
	struct shard_log tmp;

	if (m->failed)
		return false;
	memset(&tmp, 0, sizeof(tmp));
	tmp.name = name;
	if (!read_log(&tmp, m->added, fp, &m->recs, &m->ops)) {
		log_free(&tmp);
		m->failed = true;
		return false;
	}
	if (tmp.n != m->n || m->L[tmp.k].have_summary) {
		diag(name, tmp.n != m->n ? "shard %u of %u, but %u logs given" :
		    "shard %u of %u given twice", tmp.k, tmp.n, m->n);
		log_free(&tmp);
		m->failed = true;
		return false;
	}
	m->L[tmp.k] = tmp;
	m->added++;
	/* what this log held is shard tmp.k's, whatever its place */
	for (; m->recs_seen < m->recs.n; m->recs_seen++)
		m->recs.v[m->recs_seen].shard = tmp.k;
	for (; m->ops_seen < m->ops.n; m->ops_seen++)
		m->ops.v[m->ops_seen].shard = tmp.k;
	ops_mark_raising(&m->ops, m->ops_first);
	m->ops_first = m->ops.n;
	return true;
}

int
merge_finish(struct merge *m, FILE *out, bool quiet)
{
	unsigned k, ninputs = 0;
	int rc = 2;

	if (m == NULL)
		return 2;
	if (m->failed || m->added != m->n)
		goto out;
	for (k = 0; k < m->n; k++) {
		if (m->L[k].nin > ninputs)
			ninputs = m->L[k].nin;
		m->L[k].lmap = calloc(m->L[k].nlis + 1, sizeof(*m->L[k].lmap));
		if (m->L[k].lmap == NULL)
			goto oom;
	}
	if (!number_streams(m->L, m->n, ninputs))
		goto oom;
	if (write_merged(m->L, m->n, &m->recs, &m->ops, out, quiet) == EXIT_SUCCESS)
		rc = 0;
	else
oom:
		diag("merge", "out of memory");
out:
	for (k = 0; k < m->n; k++)
		log_free(&m->L[k]);
	free(m->L);
	items_free(&m->recs);
	items_free(&m->ops);
	free(m);
	return rc;
}

int
merge_main(int argc, char **argv)
{
	unsigned n = (unsigned)argc - 1, k;
	struct merge *m;
	int rc;

	if (argc < 2) {
		diag("merge", "give the shard logs: tcpdissect merge SHARD.jsonl...");
		return 1;
	}
	m = merge_new(n);
	if (m == NULL)
		return 2;
	for (k = 0; k < n; k++) {
		const char *name = argv[k + 1];
		FILE *fp = strcmp(name, "-") == 0 ? stdin : fopen(name, "r");
		bool ok;

		if (fp == NULL) {
			diag(name, "%s", strerror(errno));
			m->failed = true;
			break;
		}
		ok = merge_add(m, fp, name);
		if (fp != stdin)
			fclose(fp);
		if (!ok)
			break;
	}
	rc = merge_finish(m, stdout, false);
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout) || out_failed())) {
		diag("merge", "write error: %s", strerror(out_failed() ? out_errno() : errno));
		rc = 2;
	}
	return rc;
}
