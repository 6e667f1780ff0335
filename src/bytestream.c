/* bytestream.c: the connections that pay for reassembly, --follow's
 * printer and --extract's files (bytestream.h). */
#include "config.h"

#include "bytestream.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reassembly.h"
#include "util.h"

/* --extract writes a side's bytes in pieces of this size (one open, one
 * pwrite, one close each), so any number of connections needs no more
 * than one descriptor at a time.  The buffers may take at most half the
 * budget, so that waiting bytes and new connections always find room; a
 * side without one writes each block at once (slower, never lost). */
#define OUT_BUF		(16u << 10)
#define NAME_MAX_LEN	160
#define PATH_MAX_LEN	4096

struct bs_conn;

/* A side as the reassembly's sink sees it. */
struct bs_side {
	struct bytestream	*bs;
	struct bs_conn		*e;
	unsigned		 dir;
	struct rs_side		 rs;
	/* --extract */
	char			*buf;		/* bytes not yet written */
	uint32_t		 used;
	uint64_t		 buf_off;	/* stream offset of buf[0] */
	uint64_t		 file_end;	/* bytes the file should hold */
	bool			 created, holes_created;
	/* --follow, hex: bytes printed so far */
	uint64_t		 printed;
};

struct bs_conn {
	struct bs_conn		*next;		/* hash chain */
	struct conn		*c;
	uint32_t		 stream;
	struct endpoint		 ep[2];		/* sender of side i */
	struct bs_side		 side[2];
	struct msg_conn		*msgs;		/* --framing, from its first byte */
	int64_t			 rtt_ns;	/* the handshake's, 0: not known */
	bool			 no_msgs;	/* --framing found no room for msgs */
	bool			 late;		/* bytes that waited were delivered:
					 * a head-of-line event may be due */
};

struct bytestream {
	struct bytestream_config cfg;
	struct rs_budget	 budget;
	struct bs_conn		**bucket;
	size_t			 nbuckets, n;
	const struct input_info	*in;
	bool			 failed;
	bool			 follow_seen;	/* this input: the stream began */
	bool			 follow_done;
	unsigned		 follow_node0;	/* the side that sent the first packet */
	uint64_t		 skipped_segments;	/* with payload, no room for an entry */
	uint64_t		 framing_skipped;	/* connections not framed: no room */
	size_t			 bufs_used;	/* of budget.used, --extract's buffers */
	struct rs_sink		 sink;
	void			(*emit)(void *ctx, struct conn *c, const struct event *ev);
	void			*emit_ctx;
	struct msg_conn		*last_msgs;	/* the last ended connection's */
};

static size_t
hash_stream(uint32_t stream, size_t nbuckets)
{
	return (size_t)((stream * UINT32_C(2654435761)) & (nbuckets - 1));
}

static struct bs_conn **
find(struct bytestream *bs, uint32_t stream, const struct conn *c)
{
	struct bs_conn **pp = &bs->bucket[hash_stream(stream, bs->nbuckets)];

	while (*pp != NULL && ((*pp)->stream != stream || (*pp)->c != c))
		pp = &(*pp)->next;
	return pp;
}

static void
grow(struct bytestream *bs)
{
	size_t nb = bs->nbuckets * 2, i;
	struct bs_conn **b = calloc(nb, sizeof(*b));

	if (b == NULL)
		return;		/* longer chains, still correct */
	for (i = 0; i < bs->nbuckets; i++) {
		struct bs_conn *e, *next;

		for (e = bs->bucket[i]; e != NULL; e = next) {
			size_t h = hash_stream(e->stream, nb);

			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	}
	free(bs->bucket);
	bs->bucket = b;
	bs->nbuckets = nb;
}

/* ---- --extract ---------------------------------------------------------- */

static void
side_name(const struct bytestream *bs, const struct bs_conn *e, unsigned dir, char *buf,
    size_t len)
{
	char a[46], b[46];
	int n = 0;

	endpoint_addr_str(&e->ep[dir], a, sizeof(a));
	endpoint_addr_str(&e->ep[!dir], b, sizeof(b));
	if (bs->in != NULL && bs->in->name_in_records)
		n = snprintf(buf, len, "in%u-", bs->in->index);
	snprintf(buf + n, len - (size_t)n, "%" PRIu32 "-%s.%u-%s.%u", e->stream, a,
	    e->ep[dir].port, b, e->ep[!dir].port);
}

static void
extract_failed(struct bytestream *bs, const char *path)
{
	if (!bs->failed)
		diag(path, "cannot write (--extract): %s", strerror(errno));
	bs->failed = true;
}

/* Write what side s holds at its offset; holes stay NUL bytes (the file
 * is extended over them), so offsets in the file are stream offsets. */
static void
extract_flush(struct bs_side *s)
{
	struct bytestream *bs = s->bs;
	char name[NAME_MAX_LEN], path[PATH_MAX_LEN];
	int fd;

	if (bs->failed || (s->used == 0 && s->created && s->file_end == 0))
		return;
	side_name(bs, s->e, s->dir, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", bs->cfg.extract_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | (s->created ? 0 : O_TRUNC) | O_CLOEXEC, 0666);
	if (fd < 0) {
		extract_failed(bs, path);
		return;
	}
	s->created = true;
	if (s->used > 0 && pwrite(fd, s->buf, s->used, (off_t)s->buf_off) != (ssize_t)s->used)
		extract_failed(bs, path);
	else if (ftruncate(fd, (off_t)s->file_end) != 0)
		extract_failed(bs, path);
	if (close(fd) != 0)
		extract_failed(bs, path);
	s->buf_off += s->used;
	s->used = 0;
}

static void
extract_data(struct bs_side *s, uint64_t off, const uint8_t *p, uint32_t len)
{
	struct rs_budget *b = &s->bs->budget;

	if (s->buf == NULL && b->used + OUT_BUF <= b->cap &&
	    s->bs->bufs_used + OUT_BUF <= b->cap / 2) {
		s->buf = malloc(OUT_BUF);
		if (s->buf != NULL) {
			s->bs->bufs_used += OUT_BUF;
			b->used += OUT_BUF;
			if (b->used > b->peak)
				b->peak = b->used;
		}
	}
	if (off != s->buf_off + s->used || (s->buf != NULL && s->used + len > OUT_BUF))
		extract_flush(s);
	if (s->used == 0)
		s->buf_off = off;
	if (off + len > s->file_end)
		s->file_end = off + len;
	if (s->buf == NULL || len > OUT_BUF) {	/* no room to hold: write at once */
		char *keep = s->buf;

		s->buf = (char *)(uintptr_t)p;
		s->used = len;
		extract_flush(s);
		s->buf = keep;
		return;
	}
	memcpy(s->buf + s->used, p, len);
	s->used += len;
}

static const char *const hole_why_name[] = {
	[RS_HOLE_ACKED] = "acked_not_captured",
	[RS_HOLE_LIMIT] = "stream_memcap",
	[RS_HOLE_END] = "never_captured",
};

static void
extract_hole(struct bs_side *s, uint64_t off, uint64_t len, enum rs_hole_why why,
    uint64_t frame)
{
	struct bytestream *bs = s->bs;
	char name[NAME_MAX_LEN], path[PATH_MAX_LEN], line[128];
	int fd, n;

	if (off + len > s->file_end)
		s->file_end = off + len;
	if (bs->failed)
		return;
	side_name(bs, s->e, s->dir, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s.holes", bs->cfg.extract_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | (s->holes_created ? 0 : O_TRUNC) |
	    O_CLOEXEC, 0666);
	if (fd < 0) {
		extract_failed(bs, path);
		return;
	}
	s->holes_created = true;
	n = snprintf(line, sizeof(line), "%" PRIu64 " %" PRIu64 " %s %" PRIu64 "\n", off, len,
	    hole_why_name[why], frame);
	if (write(fd, line, (size_t)n) != n)
		extract_failed(bs, path);
	if (close(fd) != 0)
		extract_failed(bs, path);
}

/* ---- --follow ----------------------------------------------------------- */

static void
follow_header(struct bytestream *bs, const struct bs_conn *e)
{
	static const char *const mode[] = { "ascii", "hex", "raw" };
	FILE *f = bs->cfg.follow_out;
	char a[46];
	unsigned i;

	out_printf(f, "\n===================================================================\n");
	out_printf(f, "Follow: tcp,%s\nFilter: tcp.stream eq %" PRIu32 "\n",
	    mode[bs->cfg.follow_mode], e->stream);
	for (i = 0; i < 2; i++) {
		const struct endpoint *ep = &e->ep[i ? !bs->follow_node0 : bs->follow_node0];

		endpoint_addr_str(ep, a, sizeof(a));
		out_printf(f, ep->family == 6 ? "Node %u: [%s]:%u\n" : "Node %u: %s:%u\n", i, a,
		    ep->port);
	}
}

static void
follow_footer(struct bytestream *bs)
{
	out_printf(bs->cfg.follow_out,
	    "===================================================================\n");
	bs->follow_done = true;
}

static void
follow_hexdump(FILE *f, const char *indent, uint64_t base, const uint8_t *p, uint32_t len)
{
	uint32_t i, j;

	for (i = 0; i < len; i += 16) {
		char line[100];
		int n = snprintf(line, sizeof(line), "%s%08" PRIx64 "  ", indent, base + i);

		for (j = 0; j < 16; j++) {
			char *at = line + n;
			size_t room = sizeof(line) - (size_t)n;

			n += i + j < len ? snprintf(at, room, "%02x ", p[i + j]) :
			    snprintf(at, room, "   ");
			if (j == 7)
				line[n++] = ' ';
		}
		line[n++] = ' ';
		for (j = 0; j < 16 && i + j < len; j++)
			line[n++] = p[i + j] >= 0x20 && p[i + j] < 0x7f ? (char)p[i + j] : '.';
		line[n] = '\0';
		out_line(f, line);
	}
}

static void
follow_data(struct bs_side *s, uint64_t off, const uint8_t *p, uint32_t len, uint64_t frame)
{
	struct bytestream *bs = s->bs;
	FILE *f = bs->cfg.follow_out;
	const char *indent = s->dir == bs->follow_node0 ? "" : "\t";
	uint32_t i;

	if (bs->cfg.follow_mode != FOLLOW_RAW)	/* tshark's length, then ours */
		out_printf(f, "%s%" PRIu32 " [offset %" PRIu64 ", frame %" PRIu64 "]\n", indent,
		    len, off, frame);
	switch (bs->cfg.follow_mode) {
	case FOLLOW_RAW:
		out_printf(f, "%s", indent);
		for (i = 0; i < len; i++)
			out_printf(f, "%02x", p[i]);
		out_printf(f, "\n");
		break;
	case FOLLOW_HEX:
		follow_hexdump(f, indent, s->printed, p, len);
		break;
	case FOLLOW_ASCII: {
		char buf[4096];
		uint32_t n = 0;

		/* tshark's ascii: printable bytes and line ends as they are,
		 * every other byte a dot */
		for (i = 0; i < len; i++) {
			uint8_t c = p[i];

			buf[n++] = (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t' ?
			    (char)c : '.';
			if (n == sizeof(buf)) {
				out_write(f, buf, n);
				n = 0;
			}
		}
		out_write(f, buf, n);
		out_printf(f, "\n");
		break;
	}
	}
	s->printed += len;
}

static void
follow_hole(struct bs_side *s, uint64_t len)
{
	struct bytestream *bs = s->bs;

	if (bs->cfg.follow_mode != FOLLOW_RAW)
		out_printf(bs->cfg.follow_out, "%s[%" PRIu64 " bytes missing in capture file]\n",
		    s->dir == bs->follow_node0 ? "" : "\t", len);
	s->printed += len;
}

/* ---- the reassembly's sink ---------------------------------------------- */

static bool msgs_new(struct bytestream *bs, struct bs_conn *e);

/* --framing without --follow or --extract: a connection gets its entry
 * on its first segment with payload, its sides' starts from the SYNs the
 * connection table kept, so a SYN flood's half-open connections cost
 * nothing here. */
static bool
lazy(const struct bytestream *bs)
{
	return bs->cfg.framing && bs->cfg.extract_dir == NULL && !bs->cfg.follow;
}

static void
on_data(void *ctx, uint64_t off, const uint8_t *p, uint32_t len, uint64_t src_frame,
    int64_t src_ts, uint64_t frame, int64_t ts_ns)
{
	struct bs_side *s = ctx;

	if (s->e->msgs == NULL && s->bs->cfg.framing && !s->e->no_msgs &&
	    !msgs_new(s->bs, s->e))
		s->e->no_msgs = true;	/* not half a record's figures */
	if (src_frame != frame)
		s->e->late = true;
	if (s->e->msgs != NULL)
		msg_data(s->e->msgs, s->dir, off, p, len, src_frame, src_ts, frame, ts_ns);
	if (s->bs->cfg.extract_dir != NULL)
		extract_data(s, off, p, len);
	if (s->bs->cfg.follow && s->e->stream == s->bs->cfg.follow_stream)
		follow_data(s, off, p, len, frame);
}

static void
on_hole(void *ctx, uint64_t off, uint64_t len, enum rs_hole_why why, uint64_t frame)
{
	struct bs_side *s = ctx;

	if (s->e->msgs != NULL)
		msg_hole(s->e->msgs, s->dir, off, len, frame, why == RS_HOLE_END);
	if (s->bs->cfg.extract_dir != NULL)
		extract_hole(s, off, len, why, frame);
	if (s->bs->cfg.follow && s->e->stream == s->bs->cfg.follow_stream)
		follow_hole(s, len);
}

static void
on_conflict(void *ctx, const struct rs_conflict *cf, uint64_t frame, int64_t ts_ns)
{
	struct bs_side *s = ctx;
	struct bs_conn *e = s->e;
	struct event ev;
	uint64_t first = cf->kept_first ? cf->kept_frame : cf->other_frame;
	uint64_t second = cf->kept_first ? cf->other_frame : cf->kept_frame;

	if (s->bs->emit == NULL)
		return;
	event_init(&ev, EVK_OVERLAP_CONFLICT, frame, ts_ns);
	ev.stream = e->stream;
	ev.has_stream = true;
	ev.has_src = true;
	ev.src = e->ep[s->dir];
	ev.dst = e->ep[!s->dir];
	event_message(&ev, "frames %" PRIu64 " and %" PRIu64 " carry different bytes at "
	    "stream offset %" PRIu64 " (%" PRIu32 " of %" PRIu32 " overlapping bytes differ); "
	    "the receiver kept frame %" PRIu64 "'s", first, second, cf->off, cf->differing,
	    cf->len, cf->kept_frame);
	event_detail_uint(&ev, "offset", cf->off);
	event_detail_uint(&ev, "overlap", cf->len);
	event_detail_uint(&ev, "differing", cf->differing);
	event_detail_uint(&ev, "first_frame", first);
	event_detail_uint(&ev, "second_frame", second);
	event_detail_uint(&ev, "kept_frame", cf->kept_frame);
	event_detail_bool(&ev, "already_read", cf->delivered);
	s->bs->emit(s->bs->emit_ctx, e->c, &ev);
}

/* ---- --framing's events ------------------------------------------------- */

static void
on_msg_event(void *ctx, const struct msg_event *me)
{
	struct bs_conn *e = ctx;
	struct bytestream *bs = e->side[0].bs;
	struct event ev;
	const char *dir = me->dir == e->c->client ? "client" : "server";

	if (bs->emit == NULL)
		return;
	event_init(&ev, me->kind == MSG_EV_HOL ? EVK_HEAD_OF_LINE_BLOCKED : EVK_FRAMING_ERROR,
	    me->frame, me->ts_ns);
	ev.stream = e->stream;
	ev.has_stream = true;
	ev.has_src = true;
	ev.src = e->ep[me->dir];
	ev.dst = e->ep[!me->dir];
	if (me->kind == MSG_EV_FRAMING_ERROR) {
		event_message(&ev, "the %s's bytes at stream offset %" PRIu64 " are not %s "
		    "framing: %s; that direction is not cut any more", dir, me->off,
		    fr_kind_name(me->rule), me->why);
		event_detail_str(&ev, "rule", fr_kind_name(me->rule));
		event_detail_uint(&ev, "offset", me->off);
		event_detail_str(&ev, "why", me->why);
		event_detail_str(&ev, "direction", dir);
		bs->emit(bs->emit_ctx, e->c, &ev);
		return;
	}
	event_message(&ev, "%" PRIu64 " %s from the %s waited up to %.6f s (threshold %.6f s) "
	    "behind %s: stream offsets %" PRIu64 "-%" PRIu64 " (%" PRIu64 " bytes) %s frame %"
	    PRIu64 "; frame %" PRIu64 " had brought the bytes after them", me->units,
	    me->per_segment ? (me->units == 1 ? "segment" : "segments") :
	    (me->units == 1 ? "message" : "messages"), dir, (double)me->delay_ns / 1e9,
	    (double)me->threshold_ns / 1e9, me->filled ? "a lost segment" :
	    "bytes the capture missed", me->hole_off,
	    me->hole_off + (me->hole_len > 0 ? me->hole_len - 1 : 0), me->hole_len,
	    me->filled ? "came only with" : "were acknowledged by", me->frame, me->after_frame);
	event_detail_double(&ev, "delay", (double)me->delay_ns / 1e9);
	event_detail_double(&ev, "threshold", (double)me->threshold_ns / 1e9);
	event_detail_uint(&ev, me->per_segment ? "segments" : "messages", me->units);
	event_detail_uint(&ev, "worst_offset", me->worst_off);
	event_detail_uint(&ev, "hole_offset", me->hole_off);
	event_detail_uint(&ev, "hole_length", me->hole_len);
	event_detail_uint(&ev, "filled_by_frame", me->frame);
	event_detail_uint(&ev, "first_after_hole_frame", me->after_frame);
	event_detail_bool(&ev, "filled", me->filled);
	event_detail_str(&ev, "direction", dir);
	bs->emit(bs->emit_ctx, e->c, &ev);
}

/* The head-of-line threshold: --hol-threshold, else one handshake RTT once
 * known, else 200 ms. */
static void
set_threshold(struct bytestream *bs, struct bs_conn *e, const struct conn_ext *x)
{
	const struct conn *c = e->c;

	if (bs->cfg.hol_threshold_ns > 0 || e->rtt_ns > 0 || x == NULL || c->synack_us == 0 ||
	    x->ack_us == 0)
		return;
	e->rtt_ns = ((int64_t)c->synack_us - 1 + (int64_t)x->ack_us - 1) * 1000;
	if (e->msgs != NULL)
		e->msgs->threshold_ns = e->rtt_ns;
}

/* --framing: a connection's messages, from its first byte to read (a SYN
 * flood's entries stay small).  false: no room (counted). */
static bool
msgs_new(struct bytestream *bs, struct bs_conn *e)
{
	if (bs->budget.used + sizeof(*e->msgs) > bs->budget.cap ||
	    (e->msgs = malloc(sizeof(*e->msgs))) == NULL) {
		bs->framing_skipped++;
		return false;
	}
	bs->budget.used += sizeof(*e->msgs);
	if (bs->budget.used > bs->budget.peak)
		bs->budget.peak = bs->budget.used;
	msg_conn_init(e->msgs, &bs->cfg.rule, bs->cfg.list_messages,
	    bs->cfg.hol_threshold_ns > 0 ? bs->cfg.hol_threshold_ns :
	    e->rtt_ns > 0 ? e->rtt_ns : BYTESTREAM_HOL_DEFAULT_NS, on_msg_event, e);
	return true;
}

/* ---- the table ---------------------------------------------------------- */

struct bytestream *
bytestream_create(const struct bytestream_config *cfg)
{
	struct bytestream *bs = calloc(1, sizeof(*bs));

	if (bs == NULL) {
		diag(NULL, "out of memory (--follow, --extract)");
		return NULL;
	}
	bs->cfg = *cfg;
	bs->budget.cap = cfg->memcap;
	/* One side may hold a quarter of the budget, and never less than
	 * 1 MiB: a few large transfers with losses share it. */
	bs->budget.side_cap = cfg->memcap / 4 > ((size_t)1 << 20) ? cfg->memcap / 4 :
	    (size_t)1 << 20;
	bs->nbuckets = 64;
	bs->bucket = calloc(bs->nbuckets, sizeof(*bs->bucket));
	bs->sink.data = on_data;
	bs->sink.hole = on_hole;
	bs->sink.conflict = on_conflict;
	if (bs->bucket == NULL) {
		diag(NULL, "out of memory (--follow, --extract)");
		free(bs);
		return NULL;
	}
	if (cfg->extract_dir != NULL && mkdir(cfg->extract_dir, 0777) != 0 && errno != EEXIST) {
		diag(cfg->extract_dir, "cannot create the --extract directory: %s",
		    strerror(errno));
		free(bs->bucket);
		free(bs);
		return NULL;
	}
	return bs;
}

static void
finish(struct bytestream *bs, struct bs_conn *e, uint64_t frame, int64_t ts_ns)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct bs_side *s = &e->side[i];

		rs_finish(&s->rs, &bs->budget, &bs->sink, s, frame, ts_ns);
		if (e->msgs != NULL)
			msg_flush(e->msgs);
		if (bs->cfg.extract_dir != NULL && (s->used > 0 || s->file_end > 0))
			extract_flush(s);
		if (s->buf != NULL) {
			free(s->buf);
			bs->budget.used -= OUT_BUF;
			bs->bufs_used -= OUT_BUF;
		}
	}
	if (bs->cfg.follow && e->stream == bs->cfg.follow_stream && !bs->follow_done)
		follow_footer(bs);
	if (e->msgs != NULL) {
		msg_finish(e->msgs);
		bs->budget.used -= sizeof(*e->msgs);
		if (bs->last_msgs != NULL) {
			msg_conn_free(bs->last_msgs);
			free(bs->last_msgs);
		}
		bs->last_msgs = e->msgs;	/* for the record */
	}
	bs->budget.used -= sizeof(*e);
	bs->n--;
	free(e);
}

void
bytestream_destroy(struct bytestream *bs)
{
	if (bs == NULL)
		return;
	bytestream_end_input(bs);
	if (bs->last_msgs != NULL) {
		msg_conn_free(bs->last_msgs);
		free(bs->last_msgs);
	}
	free(bs->bucket);
	free(bs);
}

void
bytestream_set_emit(struct bytestream *bs,
    void (*emit)(void *ctx, struct conn *c, const struct event *ev), void *ctx)
{
	bs->emit = emit;
	bs->emit_ctx = ctx;
}

void
bytestream_begin_input(struct bytestream *bs, const struct input_info *in)
{
	bs->in = in;
	bs->follow_seen = false;
	bs->follow_done = false;
}

void
bytestream_segment(struct bytestream *bs, struct conn *c, const struct conn_ext *x,
    unsigned dir, const struct segment *seg, uint64_t frame, int64_t ts_ns)
{
	struct bs_conn **pp, *e;
	struct bs_side *s, *r;

	/* --follow alone: one stream, one comparison for the others */
	if (bs->cfg.extract_dir == NULL && !bs->cfg.framing && c->stream != bs->cfg.follow_stream)
		return;
	pp = find(bs, c->stream, c);
	e = *pp;
	if (e == NULL) {
		if (seg->payload_len == 0 && (!(seg->flags & TCP_SYN) || lazy(bs)))
			return;		/* nothing to read yet: no entry */
		if (bs->budget.used + sizeof(*e) > bs->budget.cap ||
		    (e = calloc(1, sizeof(*e))) == NULL) {
			if (seg->payload_len > 0)
				bs->skipped_segments++;
			return;
		}
		bs->budget.used += sizeof(*e);
		e->c = c;
		e->stream = c->stream;
		e->ep[dir] = seg->src;
		e->ep[!dir] = seg->dst;
		for (unsigned i = 0; i < 2; i++) {
			e->side[i].bs = bs;
			e->side[i].e = e;
			e->side[i].dir = i;
			rs_side_init(&e->side[i].rs);
			/* created late (lazy): the stream starts after the SYN
			 * the connection saw, as if the entry had seen it */
			if (lazy(bs) && (c->side[i].flags & SIDE_SYN) &&
			    !(i == dir && (seg->flags & TCP_SYN)))
				rs_segment(&e->side[i].rs, &bs->budget, &bs->sink, &e->side[i],
				    c->side[i].isn, true, 0, NULL, 0, frame, ts_ns);
		}
		*pp = e;
		if (++bs->n > bs->nbuckets)
			grow(bs);
		if (bs->cfg.follow && e->stream == bs->cfg.follow_stream && !bs->follow_seen) {
			bs->follow_seen = true;
			bs->follow_node0 = dir;
			follow_header(bs, e);
		}
	}
	s = &e->side[dir];
	r = &e->side[!dir];
	if (bs->cfg.framing)
		set_threshold(bs, e, x);
	if (seg->payload_len > 0 || (seg->flags & TCP_SYN))
		rs_segment(&s->rs, &bs->budget, &bs->sink, s, seg->seq,
		    (seg->flags & TCP_SYN) != 0, seg->payload_len, seg->payload,
		    seg->payload != NULL ? seg->captured_payload : 0, frame, ts_ns);
	if ((seg->flags & TCP_ACK) && !(seg->flags & TCP_RST))
		rs_ack(&r->rs, &bs->budget, &bs->sink, r, seg->ack, frame, ts_ns);
	if (e->late && e->msgs != NULL)
		msg_flush(e->msgs);
	e->late = false;
	if (bs->budget.used > bs->budget.peak)
		bs->budget.peak = bs->budget.used;
}

const struct msg_conn *
bytestream_conn_end(struct bytestream *bs, struct conn *c)
{
	struct bs_conn **pp = find(bs, c->stream, c), *e = *pp;
	bool msgs;

	if (e == NULL)
		return NULL;
	*pp = e->next;
	msgs = e->msgs != NULL;
	finish(bs, e, 0, 0);
	return msgs ? bs->last_msgs : NULL;
}

void
bytestream_end_input(struct bytestream *bs)
{
	size_t i;

	for (i = 0; i < bs->nbuckets; i++)
		while (bs->bucket[i] != NULL) {
			struct bs_conn *e = bs->bucket[i];

			bs->bucket[i] = e->next;
			finish(bs, e, 0, 0);
		}
	if (bs->cfg.follow && !bs->follow_seen && bs->in != NULL)
		diag(bs->in->name, "--follow: no tcp.stream %" PRIu32 " with a segment",
		    bs->cfg.follow_stream);
	bs->follow_seen = true;		/* said once */
}

void
bytestream_count_warnings(const struct bytestream *bs, struct stats *st)
{
	st->warn[WARN_STREAM_HOLES_FORCED] = bs->budget.forced_holes;
	st->warn[WARN_STREAM_SEGMENTS_SKIPPED] = bs->skipped_segments;
	st->warn[WARN_STREAM_FRAMING_SKIPPED] = bs->framing_skipped;
}

bool
bytestream_failed(const struct bytestream *bs)
{
	return bs->failed;
}
