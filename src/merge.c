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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "shard.h"
#include "util.h"

#define MERGE_READ_BUF	(256u << 10)	/* stdio buffer a log: few reads */
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

struct shard_in {		/* one input of one shard */
	uint64_t	*first;		/* first frame of each local stream */
	size_t		 n;
	uint64_t	*global;	/* local -> global */
};

struct shard_log {
	const char	*name;
	FILE		*fp;		/* read again for the ops, the records */
	off_t		 start;
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

/* The unsigned number after "key": at or after *p, which moves past it;
 * false (and *p unmoved) when absent.  Fields are written in a fixed
 * order (shard.c), so a line is scanned once. */
static bool
field(const char **p, const char *pat, size_t plen, uint64_t *v)
{
	const char *q = strstr(*p, pat);
	char *end;

	if (q == NULL)
		return false;
	q += plen;
	errno = 0;
	*v = strtoull(q, &end, 10);
	if (end == q || errno != 0)
		return false;
	*p = end;
	return true;
}

#define FIELD(p, name, v) field(p, "\"" name "\":", sizeof(name) + 2, v)

/* A shard_key or shard_ops line's position. */
static bool
parse_key(const char *line, unsigned shard, struct item *x)
{
	uint64_t i, f, p, q = 0, s, n, ja = 0, jb = 0, t = 0;
	const char *c = line;

	if (!FIELD(&c, "i", &i) || !FIELD(&c, "f", &f) || !FIELD(&c, "p", &p) || p > SHARD_END)
		return false;
	(void)FIELD(&c, "q", &q);
	(void)FIELD(&c, "t", &ja);
	(void)FIELD(&c, "u", &jb);
	if (!FIELD(&c, "s", &s))
		return false;
	if (strncmp(c, ",\"ts\":", 6) == 0) {
		int64_t ts;
		char *end;

		ts = strtoll(c + 6, &end, 10);
		t = (uint64_t)ts;
		c = end;
	}
	if (!FIELD(&c, "n", &n))
		return false;
	memset(x, 0, sizeof(*x));
	x->shard = shard;
	x->input = (unsigned)i;
	x->frame = f;
	x->phase = (unsigned)p;
	x->list = (unsigned)q;
	x->t = (int64_t)t;
	x->ja = ja;
	x->jb = jb;
	x->s = (uint32_t)s;
	x->n = n;
	return true;
}

enum line_kind { LINE_KEY, LINE_OPS, LINE_STREAMS, LINE_SUMMARY, LINE_OTHER };

static enum line_kind
line_kind(const char *line)
{
	if (strncmp(line, "{\"type\":\"shard_", 15) != 0)
		return LINE_OTHER;
	line += 15;
	if (strncmp(line, "key\"", 4) == 0)
		return LINE_KEY;
	if (strncmp(line, "ops\"", 4) == 0)
		return LINE_OPS;
	if (strncmp(line, "streams\"", 8) == 0)
		return LINE_STREAMS;
	if (strncmp(line, "summary\"", 8) == 0)
		return LINE_SUMMARY;
	return LINE_OTHER;
}

/* The ops of a shard_ops line: the string and its length, or NULL. */
static const char *
ops_of(const char *line, size_t *len)
{
	const char *o = strstr(line, "\"ops\":\""), *e;

	if (o == NULL)
		return NULL;
	o += 7;
	e = strchr(o, '"');
	if (e == NULL)
		return NULL;
	*len = (size_t)(e - o);
	return o;
}

/* One line of fp into *line (without its newline): its length, or -1 at
 * the end. */
static ssize_t
next_line(FILE *fp, char **line, size_t *cap)
{
	ssize_t len = getline(line, cap, fp);

	if (len <= 0)
		return -1;
	if ((*line)[len - 1] == '\n')
		(*line)[--len] = '\0';
	return len;
}

/* Read one shard log through, checking every line: its stream lists and
 * summary are kept; records and gauge operations are read again later,
 * in order (struct cursor). */
static bool
scan_log(struct shard_log *L, FILE *fp)
{
	char *line = NULL;
	size_t cap = 0;
	struct item key;
	bool have_key = false, ok = true;

	while (ok && next_line(fp, &line, &cap) >= 0) {
		size_t olen;

		if (have_key) {
			have_key = false;
			continue;	/* the record */
		}
		switch (line_kind(line)) {
		case LINE_KEY:
			ok = parse_key(line, 0, &key);
			have_key = true;
			break;
		case LINE_OPS:
			ok = ops_of(line, &olen) != NULL && parse_key(line, 0, &key);
			break;
		case LINE_STREAMS:
			ok = parse_streams(L, line);
			break;
		case LINE_SUMMARY:
			ok = parse_summary(L, line);
			break;
		default:
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

/* ---- reading the logs again, in the single run's order -------------- *
 * Each log is in its shard's order, which is the merged order restricted
 * to the shard; a heap of the logs' next lines gives the merged order
 * (a k-way merge) in memory for one line a log, plus, for the gauge
 * operations, the lines of one position (which sort as one). */

struct cursor {
	struct shard_log	*L, *all;	/* its log, and all of them */
	unsigned		 k;
	char			*line, *rec;
	size_t			 cap, rcap;
	bool			 done;
	struct item		 cur;		/* the record's key, or the ops line */
	/* gauge operations: the lines of one position */
	struct item		*grp;
	size_t			 ngrp, gcap, gpos;
	char			*arena;		/* their ops strings */
	size_t			 alen, acap;
	struct item		 ahead;		/* the first line of the next */
	bool			 have_ahead;
};

typedef int (*item_cmp)(const void *, const void *);

static void
heap_down(struct cursor **h, size_t n, size_t i, item_cmp cmp)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct cursor *t;

		if (l < n && cmp(&h[l]->cur, &h[m]->cur) < 0)
			m = l;
		if (l + 1 < n && cmp(&h[l + 1]->cur, &h[m]->cur) < 0)
			m = l + 1;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void
heap_make(struct cursor **h, size_t n, item_cmp cmp)
{
	size_t i;

	for (i = n / 2; i-- > 0;)
		heap_down(h, n, i, cmp);
}

static bool
rewind_log(struct cursor *c)
{
	c->done = false;
	c->have_ahead = false;
	c->ngrp = c->gpos = 0;
	return fseeko(c->L->fp, c->L->start, SEEK_SET) == 0;
}

/* The next record and its key into c->cur, c->rec; false at the end. */
static bool
next_record(struct cursor *c)
{
	ssize_t len;

	while (next_line(c->L->fp, &c->line, &c->cap) >= 0) {
		if (line_kind(c->line) != LINE_KEY)
			continue;
		if (!parse_key(c->line, c->k, &c->cur) ||
		    (len = next_line(c->L->fp, &c->rec, &c->rcap)) < 0)
			return false;	/* scan_log read it whole: not again */
		if (!global_stream(c->all, c->k, c->cur.input, c->cur.s, &c->cur.gs))
			c->cur.gs = 0;
		return true;
	}
	return false;
}

/* The next ops line into *x (its string in the arena, as an offset in
 * x->line); false at the end. */
static bool
next_ops(struct cursor *c, struct item *x)
{
	while (next_line(c->L->fp, &c->line, &c->cap) >= 0) {
		const char *o;
		size_t olen, j;

		if (line_kind(c->line) != LINE_OPS)
			continue;
		if ((o = ops_of(c->line, &olen)) == NULL || !parse_key(c->line, c->k, x))
			return false;
		if (c->alen + olen + 1 > c->acap) {
			size_t cap = c->acap ? c->acap : 4096;
			char *n;

			while (cap < c->alen + olen + 1)
				cap *= 2;
			if ((n = realloc(c->arena, cap)) == NULL)
				return false;
			c->arena = n;
			c->acap = cap;
		}
		memcpy(c->arena + c->alen, o, olen);
		x->line = (char *)(uintptr_t)c->alen;
		c->alen += olen;
		c->arena[c->alen++] = '\0';
		for (j = 0; j < olen; j++)
			if (o[j] >= 'A' && o[j] <= 'Z')
				x->inc = true;
		if (x->phase == SHARD_FLUSH &&
		    !global_stream(c->all, c->k, x->input, x->s, &x->gs))
			x->gs = 0;
		return true;
	}
	return false;
}

/* The lines of the next position into c->grp, c->cur the first; a shard
 * raises figures at a position if any of its lines there does.  False at
 * the end (or out of memory: *oom). */
static bool
next_group(struct cursor *c, bool *oom)
{
	struct item x;
	bool inc = false;
	size_t j;

	c->ngrp = c->gpos = 0;
	c->alen = 0;
	if (c->have_ahead) {
		/* its string moves to the start of the arena */
		size_t off = (size_t)(uintptr_t)c->ahead.line;

		memmove(c->arena, c->arena + off, strlen(c->arena + off) + 1);
		c->alen = strlen(c->arena) + 1;
		c->ahead.line = (char *)(uintptr_t)0;
		x = c->ahead;
		c->have_ahead = false;
	} else if (!next_ops(c, &x)) {
		return false;
	}
	for (;;) {
		if (c->ngrp == c->gcap) {
			size_t cap = c->gcap ? 2 * c->gcap : 16;
			struct item *n = realloc(c->grp, cap * sizeof(*n));

			if (n == NULL) {
				*oom = true;
				return false;
			}
			c->grp = n;
			c->gcap = cap;
		}
		c->grp[c->ngrp++] = x;
		inc |= x.inc;
		if (!next_ops(c, &x))
			break;
		if (x.input != c->grp[0].input || x.frame != c->grp[0].frame ||
		    x.phase != c->grp[0].phase) {
			c->ahead = x;
			c->have_ahead = true;
			break;
		}
	}
	for (j = 0; j < c->ngrp; j++) {
		c->grp[j].inc = inc;
		c->grp[j].line = c->arena + (size_t)(uintptr_t)c->grp[j].line;
	}
	c->cur = c->grp[0];
	return true;
}

/* c's next ops line into c->cur; false at the end. */
static bool
advance_ops(struct cursor *c, bool *oom)
{
	if (++c->gpos < c->ngrp) {
		c->cur = c->grp[c->gpos];
		return true;
	}
	return next_group(c, oom);
}

static void
cursor_free(struct cursor *c)
{
	free(c->line);
	free(c->rec);
	free(c->grp);
	free(c->arena);
}

/* Replay every log's gauge operations in the single run's order. */
static bool
replay_all(struct shard_log *L, struct cursor *cs, struct cursor **h, unsigned n,
    struct replay *rp)
{
	size_t nh = 0;
	unsigned k;
	uint64_t cur_input = 0;
	bool oom = false;

	for (k = 0; k < n; k++) {
		if (!rewind_log(&cs[k]))
			return false;
		if (next_group(&cs[k], &oom))
			h[nh++] = &cs[k];
	}
	heap_make(h, nh, ops_cmp);
	while (nh > 0) {
		struct cursor *c = h[0];

		if (c->cur.input != cur_input) {
			rp->live = 0;	/* flow_flush empties the table at once */
			cur_input = c->cur.input;
		}
		replay_ops(rp, &L[c->k], &c->cur);
		if (!advance_ops(c, &oom))
			h[0] = h[--nh];
		heap_down(h, nh, 0, ops_cmp);
	}
	return !oom;
}

/* Detail keys read back (report_json_read): kept until the merge ends. */
struct keys {
	char		**v;
	unsigned	  n, cap;
};

static const char *
key_intern(void *ctx, const char *key)
{
	struct keys *k = ctx;
	unsigned i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->v[i], key) == 0)
			return k->v[i];
	if (k->n == k->cap) {
		unsigned cap = k->cap ? 2 * k->cap : 64;
		char **nv = realloc(k->v, cap * sizeof(*nv));

		if (nv == NULL)
			return NULL;
		k->v = nv;
		k->cap = cap;
	}
	if ((k->v[k->n] = strdup(key)) == NULL)
		return NULL;
	return k->v[k->n++];
}

static void
keys_free(struct keys *k)
{
	unsigned i;

	for (i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
}

/* Through a reporter that takes structures: the inputs begun up to the
 * record's, then the record read back. */
struct feed {
	const struct merge_to	*to;
	unsigned		 next;	/* inputs begun so far */
	struct keys		 keys;
};

static const struct input_info *
feed_input(struct reporter *r, struct feed *f, unsigned index)
{
	const struct merge_to *to = f->to;

	while (f->next < to->ninputs && to->inputs[f->next]->index <= index)
		report_begin(r, to->inputs[f->next++]);
	return f->next > 0 ? to->inputs[f->next - 1] : NULL;
}

static void
feed_record(struct reporter *r, struct feed *f, const char *line, unsigned input)
{
	const struct input_info *in = feed_input(r, f, input);
	struct event ev;
	struct conn c;
	int64_t start_ns = 0;

	if (in == NULL || in->index != input)
		return;		/* not an input begun: cannot be */
	switch (report_json_read(line, &ev, &start_ns, key_intern, &f->keys)) {
	case REC_EVENT:
		report_event(r, &ev, in);
		break;
	case REC_CONNECTION:
		/* what a reporter that is not -v reads of it */
		memset(&c, 0, sizeof(c));
		c.start_ns = start_ns;
		report_connection(r, &(struct conn_report){ .c = &c, .in = in });
		break;
	default:
		break;
	}
}

/* Write every log's records in the single run's order. */
static bool
records_all(struct shard_log *L, struct cursor *cs, struct cursor **h, unsigned n,
    struct reporter *r, struct feed *f)
{
	const struct merge_to *to = f->to;
	size_t nh = 0;
	unsigned k;
	bool ok = true;

	for (k = 0; k < n; k++) {
		if (!rewind_log(&cs[k]))
			return false;
		if (next_record(&cs[k]))
			h[nh++] = &cs[k];
	}
	heap_make(h, nh, rec_cmp);
	while (nh > 0) {
		struct cursor *c = h[0];
		char *line = rewrite(c->rec, L, c->k, c->cur.input);

		if (line == NULL) {
			ok = false;
			break;
		}
		if (to->r != NULL)
			feed_record(r, f, line, c->cur.input);
		else
			report_raw(r, line);
		free(line);
		if (!next_record(c))
			h[0] = h[--nh];
		heap_down(h, nh, 0, rec_cmp);
	}
	if (to->r != NULL)
		feed_input(r, f, UINT_MAX);	/* inputs with no record */
	return ok;
}

static int
write_merged(struct shard_log *L, unsigned n, const struct merge_to *to)
{
	struct replay rp = { 0 };
	struct stats st;
	struct flow_counters fc;
	struct summary s;
	uint64_t events[EVK_COUNT] = { 0 }, connections = 0, one_sided = 0;
	unsigned k, w, nl = 0;
	struct feed f = { .to = to };
	struct reporter *r = to->r != NULL ? to->r : to->document ?
	    report_json_new(to->out, to->quiet) : report_jsonl_new(to->out, to->quiet, true);
	struct cursor *cs = calloc(n, sizeof(*cs));
	struct cursor **h = calloc(n, sizeof(*h));
	bool ok;

	for (k = 0; k < n; k++)
		nl += L[k].nlis;
	rp.lis = calloc(nl ? nl : 1, sizeof(*rp.lis));
	ok = r != NULL && rp.lis != NULL && cs != NULL && h != NULL;
	for (k = 0; ok && k < n; k++) {
		cs[k].L = &L[k];
		cs[k].all = L;
		cs[k].k = k;
	}
	ok = ok && replay_all(L, cs, h, n, &rp) &&
	    ((to->quiet && to->r == NULL) || records_all(L, cs, h, n, r, &f));
	for (k = 0; cs != NULL && k < n; k++)
		cursor_free(&cs[k]);
	free(cs);
	free(h);
	if (!ok) {
		if (to->r == NULL)
			report_destroy(r);
		keys_free(&f.keys);
		free(rp.lis);
		return EXIT_FAILURE;
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
	report_summary(r, &s);
	report_end(r);		/* the text reporter reads the events' keys */
	if (to->r == NULL)
		report_destroy(r);
	keys_free(&f.keys);
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

struct merge {
	struct shard_log	*L;
	unsigned		 n, added;
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
	tmp.fp = fp;
	tmp.start = ftello(fp);
	if (tmp.start < 0) {
		diag(name, "cannot read the shard log twice: %s", strerror(errno));
		m->failed = true;
		return false;
	}
	if (!scan_log(&tmp, fp)) {
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
	return true;
}

int
merge_finish(struct merge *m, const struct merge_to *to)
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
			break;
	}
	if (k == m->n && number_streams(m->L, m->n, ninputs) &&
	    write_merged(m->L, m->n, to) == EXIT_SUCCESS)
		rc = 0;
	else
		diag("merge", "out of memory, or a shard log changed while it was read");
out:
	for (k = 0; k < m->n; k++)
		log_free(&m->L[k]);
	free(m->L);
	free(m);
	return rc;
}

/* A log that cannot be read twice (standard input, a pipe), kept in a
 * temporary file; fp is closed unless it is stdin.  NULL: said. */
static FILE *
spool_log(FILE *fp, const char *name)
{
	FILE *f = tmp_open("merge");
	char buf[65536];
	size_t got;

	if (f != NULL) {
		while ((got = fread(buf, 1, sizeof(buf), fp)) > 0)
			if (fwrite(buf, 1, got, f) != got)
				break;
		if (ferror(fp) || fflush(f) != 0 || ferror(f) || fseek(f, 0, SEEK_SET) != 0) {
			diag(name, "cannot keep the log in a temporary file: %s", strerror(errno));
			fclose(f);
			f = NULL;
		}
	}
	if (fp != stdin)
		fclose(fp);
	return f;
}

int
merge_main(int argc, char **argv)
{
	unsigned n = (unsigned)argc - 1, k;
	struct merge *m;
	FILE **fps;
	int rc;

	if (argc < 2) {
		diag("merge", "give the shard logs: tcpdissect merge SHARD.jsonl...");
		return 1;
	}
	m = merge_new(n);
	fps = calloc(n, sizeof(*fps));
	if (m == NULL || fps == NULL) {
		if (fps == NULL)
			diag("merge", "out of memory");
		free(fps);
		return merge_finish(m, &(struct merge_to){ .out = stdout });
	}
	for (k = 0; k < n; k++) {
		const char *name = argv[k + 1];

		fps[k] = strcmp(name, "-") == 0 ? stdin : fopen(name, "r");
		if (fps[k] == NULL) {
			diag(name, "%s", strerror(errno));
			break;
		}
		if (fseeko(fps[k], 0, SEEK_CUR) != 0) {
			if ((fps[k] = spool_log(fps[k], name)) == NULL)
				break;
		} else if (fps[k] != stdin) {
			setvbuf(fps[k], NULL, _IOFBF, MERGE_READ_BUF);
		}
		if (!merge_add(m, fps[k], name))
			break;
	}
	/* 2, writing nothing, if one failed */
	rc = merge_finish(m, &(struct merge_to){ .out = stdout });
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout) || out_failed())) {
		diag("merge", "write error: %s", strerror(out_failed() ? out_errno() : errno));
		rc = 2;
	}
	for (k = 0; k < n; k++)
		if (fps[k] != NULL && fps[k] != stdin)
			fclose(fps[k]);
	free(fps);
	return rc;
}
