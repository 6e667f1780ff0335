/* report_text.c: the human-readable reporter.  Per input: a header, a
 * diagnosis (one verdict per endpoint with a warning or alert), the events
 * in frame order with bursts grouped, optionally the connections (-v), and
 * the hints of the kinds shown; then the listener and overall summaries.
 * Every line fits 80 columns unless one word (an address) cannot.
 *
 * Ordering.  Some events are known only later than their frame (syn_un-
 * answered at a timeout or at the end of the input, accept_overflow_drop
 * once the SYN-ACK re-sends prove it), so lines are held and printed sorted
 * by frame when the input ends.  The buffer is bounded: past LINES_MAX
 * lines it is printed as it stands (sorted) and a new chunk begins.  In a
 * streaming run (live capture) every event is printed as it is known,
 * ungrouped, because a reader is waiting.
 *
 * Grouping, in two steps.  (1) Consecutive events of a burst kind (dup_ack
 * for one original frame, retransmissions, zero window, ...) on one stream
 * and in one direction make one line "xN, frames A-B".  (2) Lines of one
 * kind, severity and reason fold into one line once more than FOLD_LINES of
 * them share a group: the count, the frames, a few example streams and the
 * first event's message.  The groups, tried in this order: the endpoint
 * (G_LISTENER: the listener for handshake kinds, the lower port otherwise:
 * see key_is_src), so a SYN flood's thousands of syn_unanswered become one
 * line per listener; the listener's host (G_HOST), so a port scan's one
 * refused or unanswered SYN per port becomes one line per scanned host with
 * its ports; the other side's host (G_PEER), so one scanner's probes of
 * one port on many hosts become one line (for kinds without a listener
 * only past PEER_FOLD_LINES).  An event goes to the first folded group it
 * belongs to.  The JSON outputs keep every event. */
#include "config.h"

#include "report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "messages.h"
#include "util.h"

#define WIDTH		80	/* columns */
#define LINES_MAX	4096	/* lines held per chunk */
#define FOLD_LINES	5	/* more lines than this under one key fold */
#define PEER_FOLD_LINES	20	/* the same for a client's data kinds */
#define EXAMPLES	3	/* example streams on a folded line */
#define KEYS_MAX	3072	/* fold keys per chunk (three groups a line);
				 * past it, lines stay */
#define KEY_SLOTS	4096	/* hash slots for the keys (power of two) */
#define STREAM_SLOTS	8192	/* hash slots: stream -> its newest line */
#define VERDICTS_MAX	10	/* endpoints in the diagnosis */
#define TEXT_LISTENERS_MAX 10
#define NBSP		"\001"	/* a space the wrapping keeps: "3.405" NBSP "s" */

enum line_type { LINE_EVENT, LINE_CONN };

/* What the lines of a fold key share besides kind, severity and reason. */
enum group {
	G_LISTENER,	/* the endpoint (address and port) */
	G_HOST,		/* the endpoint's address, any port */
	G_PEER,		/* the other endpoint's address, any port */
	G_COUNT
};

/* One printed line (an event or a burst of them, or a -v connection). */
struct line {
	enum line_type	 type;
	uint64_t	 frame;		/* sort key: the first event's frame */
	uint64_t	 arrival;	/* ties keep arrival order */
	int		 key[G_COUNT];	/* fold keys it counts under, -1: none */
	int		 owner;		/* the key its events count in, -1: none */
	bool		 folded;	/* printed as part of its owner's line */
	uint64_t	 count, last_frame;
	int64_t		 ts_ns;		/* LINE_CONN: its first packet */
	char		*text;		/* LINE_CONN */
	struct event	 ev;		/* LINE_EVENT: the first event */
};

/* Lines of one kind, severity, reason and group. */
struct fold_key {
	enum event_kind	 kind;
	enum severity	 sev;
	enum group	 group;
	struct endpoint	 ep;		/* port 0 for G_HOST and G_PEER */
	bool		 ep_is_src;	/* the listener is the events' source */
	char		 reason[40];
	uint64_t	 lines;		/* unfolded lines under it */
	bool		 folded;
	uint8_t		*ports;		/* G_HOST, G_PEER once folded: a bitmap of
					 * the listeners' ports (8 KiB) */
	unsigned	 nports;	/* bits set in ports */
	uint64_t	 events, first_frame, last_frame;
	uint64_t	 ex_frame[EXAMPLES], ex_stream[EXAMPLES];
	unsigned	 nex;
	uint64_t	 arrival;
	struct event	 first;		/* the earliest event (folded keys); last:
					 * key_of clears what comes before it */
};

struct text_priv {
	struct text_style style;
	char		 name[512];	/* the current input, sanitized */
	bool		 have_input;
	int		 ts_digits;
	/* the chunk */
	struct line	*lines;
	size_t		 nlines, cap;
	uint64_t	 arrival;
	uint64_t	 nevents;	/* events in this input so far */
	struct fold_key	*keys;
	unsigned	 nkeys;
	int16_t		 key_slot[KEY_SLOTS];	/* key index + 1 */
	struct {
		uint64_t stream;	/* + 1; 0 = empty */
		int32_t	 line;		/* its newest line, -1: none */
	}		 stream_slot[STREAM_SLOTS];
	int64_t		 first_ns;	/* the input's first TCP packet, if known */
	int64_t		 prev_ns;	/* -ttt: the previous line's time */
	bool		 chunked;	/* an earlier chunk of this input printed */
	bool		 any_output;
};

/* ---- words and times -------------------------------------------------- */

static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void
endpoint_str(const struct endpoint *ep, char *buf, size_t len)
{
	char a[64];

	endpoint_addr_str(ep, a, sizeof(a));
	if (ep->family == 6)
		snprintf(buf, len, "[%s]:%u", a, ep->port);
	else
		snprintf(buf, len, "%s:%u", a, ep->port);
}

static bool
broken_down(const struct text_style *st, int64_t sec, struct tm *tm)
{
	time_t t = (time_t)sec;

	return st->local_time ? localtime_r(&t, tm) != NULL : gmtime_r(&t, tm) != NULL;
}

static void
split_ns(int64_t ts_ns, int64_t *sec, int64_t *ns)
{
	*sec = ts_ns / 1000000000;
	*ns = ts_ns % 1000000000;
	if (*ns < 0) {
		*ns += 1000000000;
		(*sec)--;
	}
}

/* "22:13:20.003000", with the date before it when date is set; in UTC
 * or, with --local-time, the local zone. */
static void
wall_str(const struct text_style *st, int64_t ts_ns, int digits, bool date, char *buf,
    size_t len)
{
	int64_t sec, ns;
	struct tm tm;
	char d[32];

	split_ns(ts_ns, &sec, &ns);
	if (!broken_down(st, sec, &tm) ||
	    strftime(d, sizeof(d), date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm) == 0) {
		ts_str(ts_ns, digits, buf, len);
		return;
	}
	if (digits == 9)
		snprintf(buf, len, "%s.%09" PRId64, d, ns);
	else
		snprintf(buf, len, "%s.%06" PRId64, d, ns / 1000);
}

/* A span as tcpdump's -ttt prints it: "00:00:01.000000". */
static void
delta_str(int64_t d_ns, int digits, char *buf, size_t len)
{
	int64_t sec, ns;
	const char *sign = "";

	if (d_ns < 0) {
		sign = "-";
		d_ns = -d_ns;
	}
	split_ns(d_ns, &sec, &ns);
	if (digits == 9)
		snprintf(buf, len, "%s%02" PRId64 ":%02" PRId64 ":%02" PRId64 ".%09" PRId64, sign,
		    sec / 3600, sec / 60 % 60, sec % 60, ns);
	else
		snprintf(buf, len, "%s%02" PRId64 ":%02" PRId64 ":%02" PRId64 ".%06" PRId64, sign,
		    sec / 3600, sec / 60 % 60, sec % 60, ns / 1000);
}

/* The time of a line in the style asked for (-t ... -ttttt); "" for -t. */
static void
line_time(struct text_priv *p, int64_t ts_ns, char *buf, size_t len)
{
	switch (p->style.time_format) {
	case TIME_NONE:
		buf[0] = '\0';
		break;
	case TIME_EPOCH:
		ts_str(ts_ns, p->ts_digits, buf, len);
		break;
	case TIME_DELTA_PREV:
		delta_str(p->prev_ns == INT64_MIN ? 0 : ts_ns - p->prev_ns, p->ts_digits, buf,
		    len);
		break;
	case TIME_DATE:
		wall_str(&p->style, ts_ns, p->ts_digits, true, buf, len);
		break;
	case TIME_DELTA_FIRST:
		delta_str(p->first_ns == INT64_MAX ? 0 : ts_ns - p->first_ns, p->ts_digits, buf,
		    len);
		break;
	case TIME_OF_DAY:
	default:
		wall_str(&p->style, ts_ns, p->ts_digits, false, buf, len);
		break;
	}
	p->prev_ns = ts_ns;
}

/* "UTC" or "local time, UTC+05:30 (IST)" for the instant ts_ns. */
static void
zone_str(const struct text_style *st, int64_t ts_ns, char *buf, size_t len)
{
	int64_t sec, ns;
	struct tm tm;
	char z[16], name[32];

	if (!st->local_time) {
		snprintf(buf, len, "UTC");
		return;
	}
	split_ns(ts_ns, &sec, &ns);
	if (!broken_down(st, sec, &tm) || strftime(z, sizeof(z), "%z", &tm) != 5 ||
	    strftime(name, sizeof(name), "%Z", &tm) == 0) {
		snprintf(buf, len, "local time");
		return;
	}
	snprintf(buf, len, "local time, UTC%.3s:%s (%s)", z, z + 3, name);
}

/* ---- output at 80 columns ---------------------------------------------- */

static const char *
sev_color(enum severity s)
{
	switch (s) {
	case SEV_ALERT:
		return "\033[1;31m";	/* bold red */
	case SEV_WARNING:
		return "\033[33m";	/* yellow */
	case SEV_NOTICE:
		return "\033[36m";	/* cyan */
	default:
		return NULL;
	}
}

/* Write one output line: s[0..n), the first occurrence of the word
 * 'paint' in colour when colour is on. */
static void
put_line(struct reporter *r, const char *s, size_t n, const char *paint, const char *color)
{
	const struct text_priv *p = r->priv;
	const char *w = NULL;
	size_t pl = paint != NULL ? strlen(paint) : 0;

	if (p->style.color && color != NULL && pl > 0) {
		for (w = s; w + pl <= s + n; w++)
			if (memcmp(w, paint, pl) == 0 && (w == s || w[-1] == ' ') &&
			    (w + pl == s + n || w[pl] == ' ' || w[pl] == ':'))
				break;
		if (w + pl > s + n)
			w = NULL;
	}
	if (w == NULL) {
		out_printf(r->out, "%.*s\n", (int)n, s);
		return;
	}
	out_printf(r->out, "%.*s%s%.*s\033[0m%.*s\n", (int)(w - s), s, color, (int)pl, w,
	    (int)(n - (size_t)(w - s) - pl), w + pl);
}

/* Print text wrapped at WIDTH columns: the first line starts at column 0
 * after 'lead' spaces, the others after 'indent' spaces.  Words are never
 * split: one longer than a line (a long IPv6 address) has a line of its
 * own. */
static void
emit(struct reporter *r, const char *text, int lead, int indent, const char *paint,
    const char *color)
{
	char buf[WIDTH * 4];
	const char *s = text;
	int margin = lead;
	bool first = true;

	while (*s == ' ')
		s++;
	do {
		size_t room = WIDTH - (size_t)margin, n = strlen(s), cut = n;

		if (n > room) {
			/* the last space at or before room; else the first after */
			for (cut = room; cut > 0 && s[cut] != ' '; cut--)
				;
			if (cut == 0)
				for (cut = room; cut < n && s[cut] != ' '; cut++)
					;
		}
		if ((size_t)margin + cut < sizeof(buf)) {
			size_t i;

			memset(buf, ' ', (size_t)margin);
			for (i = 0; i < cut; i++)
				buf[margin + i] = s[i] == NBSP[0] ? ' ' : s[i];
			put_line(r, buf, (size_t)margin + cut, first ? paint : NULL, color);
		} else {
			out_printf(r->out, "%*s%.*s\n", margin, "", (int)cut, s);
		}
		s += cut;
		while (*s == ' ')
			s++;
		margin = indent;
		first = false;
	} while (*s != '\0');
}

/* printf, then emit. */
static void emitf(struct reporter *r, int lead, int indent, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
emitf(struct reporter *r, int lead, int indent, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	emit(r, buf, lead, indent, NULL, NULL);
}

/* ---- grouping ------------------------------------------------------------ */

/* Kinds whose consecutive events on one stream and direction make one
 * line. */
static bool
burst_kind(enum event_kind k)
{
	switch (k) {
	case EVK_DUP_ACK:
	case EVK_ZERO_WINDOW:
	case EVK_ZERO_WINDOW_PROBE:
	case EVK_WINDOW_FULL:
	case EVK_WINDOW_UPDATE:
	case EVK_NETWORK_DUPLICATE:
	case EVK_KEEP_ALIVE:
	case EVK_RETRANSMISSION:
	case EVK_FAST_RETRANSMISSION:
	case EVK_SPURIOUS_RETRANSMISSION:
	case EVK_OUT_OF_ORDER:
	case EVK_LOST_SEGMENT:
	case EVK_ACKED_UNSEEN:
		return true;
	default:
		return false;
	}
}

static bool
endpoint_eq(const struct endpoint *a, const struct endpoint *b)
{
	return a->family == b->family && a->port == b->port &&
	    memcmp(a->addr, b->addr, a->family == 6 ? 16 : 4) == 0;
}

static const struct detail_item *
detail_find(const struct event *ev, const char *key)
{
	unsigned i;

	for (i = 0; i < ev->ndetail && i < EVENT_DETAIL_MAX; i++)
		if (strcmp(ev->detail[i].key, key) == 0)
			return &ev->detail[i];
	return NULL;
}

/* An unsigned or non-negative integer detail item, by key. */
static bool
detail_u64(const struct event *ev, const char *key, uint64_t *v)
{
	const struct detail_item *d = detail_find(ev, key);

	if (d != NULL && d->type == DT_UINT) {
		*v = d->v.u;
		return true;
	}
	if (d != NULL && d->type == DT_INT && d->v.i >= 0) {
		*v = (uint64_t)d->v.i;
		return true;
	}
	return false;
}

/* Does ev continue the burst that starts with first? */
static bool
same_burst(const struct event *first, const struct event *ev)
{
	uint64_t a, b;
	bool ha, hb;

	if (ev->kind != first->kind || ev->severity != first->severity ||
	    !ev->has_stream || !first->has_stream || ev->stream != first->stream ||
	    ev->has_src != first->has_src || !endpoint_eq(&ev->dst, &first->dst) ||
	    (ev->has_src && !endpoint_eq(&ev->src, &first->src)))
		return false;
	if (ev->kind == EVK_DUP_ACK) {
		/* Duplicates of the same ACK: one hole. */
		ha = detail_u64(first, "original_frame", &a);
		hb = detail_u64(ev, "original_frame", &b);
		if (ha != hb || (ha && a != b))
			return false;
	}
	return true;
}

/* Where a handshake kind's listener is: the server sends the SYN-ACK and
 * the refusing or aborting RST (1: the source); the client the SYN and
 * the final ACK (0: the destination); -1 for the other kinds. */
static int
listener_is_src(enum event_kind k)
{
	switch (k) {
	case EVK_SYNACK_RETRANSMIT:
	case EVK_SYNACK_BAD_ACK:
	case EVK_CONNECTION_REFUSED:
	case EVK_ACCEPT_OVERFLOW_RST:
	case EVK_COOKIE_SYNACK:
		return 1;
	case EVK_SYN_RETRANSMIT:
	case EVK_SYN_UNANSWERED:
	case EVK_ACCEPT_OVERFLOW_DROP:
	case EVK_TIME_WAIT_REUSE:
	case EVK_PORT_REUSE:
	case EVK_SIMULTANEOUS_OPEN:
		return 0;
	default:
		return -1;
	}
}

/* The endpoint a kind's events are grouped and judged by: the listener
 * for the handshake kinds, the named endpoint of aggregate events, and
 * otherwise the lower port, which is the service in client/server
 * traffic. */
static bool
key_is_src(const struct event *ev)
{
	int l = listener_is_src(ev->kind);

	if (!ev->has_src)
		return false;
	return l >= 0 ? l == 1 : ev->src.port < ev->dst.port;
}

/* The reason that splits a kind's lines: its variant, phase, who, or
 * evidence, when the detector gives one. */
static void
event_reason(const struct event *ev, char *buf, size_t len)
{
	static const char *const keys[] = { "variant", "phase", "by", "evidence", "until" };
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct detail_item *d = detail_find(ev, keys[i]);

		if (d != NULL && d->type == DT_STR) {
			snprintf(buf, len, "%s", d->v.s);
			return;
		}
	}
}

static uint32_t
hash_bytes(uint32_t h, const void *data, size_t n)
{
	const uint8_t *b = data;

	while (n--)
		h = (h ^ *b++) * 16777619u;	/* FNV-1a */
	return h;
}

static uint32_t
key_hash(enum event_kind k, enum severity s, enum group g, const struct endpoint *ep, bool src,
    const char *reason)
{
	uint32_t h = 2166136261u;
	uint8_t t[5] = { (uint8_t)k, (uint8_t)s, (uint8_t)g, (uint8_t)src, ep->family };

	h = hash_bytes(h, t, sizeof(t));
	h = hash_bytes(h, ep->addr, ep->family == 6 ? 16 : 4);
	h = hash_bytes(h, &ep->port, sizeof(ep->port));
	return hash_bytes(h, reason, strlen(reason));
}

/* The endpoint of ev's group g: the listener, its address (port 0), or
 * the other side's address; false when ev has no other side. */
static bool
group_endpoint(const struct event *ev, enum group g, struct endpoint *ep, bool *src)
{
	*src = key_is_src(ev);
	if (g == G_PEER) {
		if (!ev->has_src)
			return false;
		*ep = *src ? ev->dst : ev->src;
	} else {
		*ep = *src ? ev->src : ev->dst;
	}
	if (g != G_LISTENER)
		ep->port = 0;
	return true;
}

/* The fold key of ev in group g: found, made (when create is set), or
 * -1 when it is not there, ev has no such group or the table is full. */
static int
key_of(struct text_priv *p, const struct event *ev, enum group g, bool create)
{
	struct endpoint ep;
	bool src;
	char reason[40];
	uint32_t h, i;
	struct fold_key *k;

	if (!group_endpoint(ev, g, &ep, &src))
		return -1;
	event_reason(ev, reason, sizeof(reason));
	h = key_hash(ev->kind, ev->severity, g, &ep, src, reason);
	for (i = 0; i < KEY_SLOTS; i++) {
		int16_t *slot = &p->key_slot[(h + i) & (KEY_SLOTS - 1)];

		if (*slot == 0) {
			if (!create || p->nkeys >= KEYS_MAX)
				return -1;
			k = &p->keys[p->nkeys];
			memset(k, 0, offsetof(struct fold_key, first));
			k->kind = ev->kind;
			k->sev = ev->severity;
			k->group = g;
			k->ep = ep;
			k->ep_is_src = src;
			snprintf(k->reason, sizeof(k->reason), "%s", reason);
			k->first_frame = UINT64_MAX;
			k->arrival = p->arrival;
			*slot = (int16_t)(++p->nkeys);
			return *slot - 1;
		}
		k = &p->keys[*slot - 1];
		if (k->kind == ev->kind && k->sev == ev->severity && k->group == g &&
		    k->ep_is_src == src && endpoint_eq(&k->ep, &ep) &&
		    strcmp(k->reason, reason) == 0)
			return *slot - 1;
	}
	return -1;
}

/* A copy of ev whose string details point into the copy's own buffer. */
static void
event_copy(struct event *to, const struct event *ev)
{
	unsigned i;

	*to = *ev;
	for (i = 0; i < to->ndetail && i < EVENT_DETAIL_MAX; i++) {
		struct detail_item *d = &to->detail[i];

		if (d->type == DT_STR && d->v.s >= ev->strbuf &&
		    d->v.s < ev->strbuf + sizeof(ev->strbuf))
			d->v.s = to->strbuf + (d->v.s - ev->strbuf);
	}
}

/* Count events on a folded key: frames, the earliest event, examples
 * (the earliest streams). */
static void
key_add(struct fold_key *k, const struct event *ev, uint64_t count, uint64_t last_frame)
{
	unsigned i, j;

	k->events += count;
	if (k->ports != NULL) {
		uint16_t port = key_is_src(ev) ? ev->src.port : ev->dst.port;

		if (!(k->ports[port / 8] & (1u << (port % 8)))) {
			k->ports[port / 8] |= (uint8_t)(1u << (port % 8));
			k->nports++;
		}
	}
	if (ev->frame < k->first_frame) {
		k->first_frame = ev->frame;
		event_copy(&k->first, ev);
	}
	if (last_frame > k->last_frame)
		k->last_frame = last_frame;
	if (!ev->has_stream)
		return;
	for (i = 0; i < k->nex; i++)
		if (k->ex_stream[i] == ev->stream)
			return;
	for (i = 0; i < k->nex && k->ex_frame[i] <= ev->frame; i++)
		;
	if (i == EXAMPLES)
		return;
	if (k->nex < EXAMPLES)
		k->nex++;
	for (j = k->nex - 1; j > i; j--) {
		k->ex_frame[j] = k->ex_frame[j - 1];
		k->ex_stream[j] = k->ex_stream[j - 1];
	}
	k->ex_frame[i] = ev->frame;
	k->ex_stream[i] = ev->stream;
}

/* The newest line of a stream: its slot. */
static int32_t *
stream_line(struct text_priv *p, uint64_t stream)
{
	uint32_t h = (uint32_t)(stream * 2654435761u), i;

	for (i = 0; i < STREAM_SLOTS; i++) {
		unsigned s = (h + i) & (STREAM_SLOTS - 1);

		if (p->stream_slot[s].stream == stream + 1)
			return &p->stream_slot[s].line;
		if (p->stream_slot[s].stream == 0) {
			p->stream_slot[s].stream = stream + 1;
			p->stream_slot[s].line = -1;
			return &p->stream_slot[s].line;
		}
	}
	return NULL;		/* full: no burst joins across it */
}

static struct line *
new_line(struct reporter *r, enum line_type type, uint64_t frame);

/* ---- printing a chunk ---------------------------------------------------- */

struct item {
	uint64_t	 frame, arrival;
	bool		 conn_first;	/* a connection line before events of its frame */
	const struct line *line;	/* or */
	const struct fold_key *key;
};

static int
item_order(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	if (x->conn_first != y->conn_first)
		return x->conn_first ? -1 : 1;
	return x->arrival < y->arrival ? -1 : x->arrival > y->arrival;
}

/* The ports of a G_HOST or G_PEER key as ranges, "1-21,23,25-79", cut
 * with ",..." to fit len (one word: the wrapping keeps it whole). */
static void
port_list(const struct fold_key *k, char *buf, size_t len)
{
	size_t n = 0;
	unsigned port = 0, end;
	char range[16];

	buf[0] = '\0';
	for (port = 0; k->ports != NULL && port < 65536; port = end + 1) {
		if (!(k->ports[port / 8] & (1u << (port % 8)))) {
			end = port;
			continue;
		}
		for (end = port; end + 1 < 65536 &&
		    (k->ports[(end + 1) / 8] & (1u << ((end + 1) % 8))); end++)
			;
		if (end == port)
			snprintf(range, sizeof(range), "%s%u", n ? "," : "", port);
		else
			snprintf(range, sizeof(range), "%s%u-%u", n ? "," : "", port, end);
		if (n + strlen(range) + sizeof(",...") > len) {
			snprintf(buf + n, len - n, ",...");
			return;
		}
		n += (size_t)snprintf(buf + n, len - n, "%s", range);
	}
}

/* A fold key's endpoint as the diagnosis and a folded line name it:
 * "198.51.100.5:443", "198.51.100.20 (990 ports)", or for the other
 * side "203.0.113.9 (peer of 990 ports)". */
static void
key_label(const struct fold_key *k, char *buf, size_t len)
{
	char a[64];

	if (k->group == G_LISTENER) {
		endpoint_str(&k->ep, buf, len);
		return;
	}
	endpoint_addr_str(&k->ep, a, sizeof(a));
	if (k->ports == NULL)
		snprintf(buf, len, "%s (%s)", a, k->group == G_PEER ? "peer" : "any port");
	else
		snprintf(buf, len, "%s (%s%u %s)", a, k->group == G_PEER ? "peer of " : "",
		    k->nports, plural(k->nports, "port", "ports"));
}

/* The head line "#F TIME SEV KIND[ stream S][ xN, frames A-B]" of an
 * event line (stream is "" for a folded one) in the severity's colour. */
static void
print_head(struct reporter *r, const struct event *ev, const char *stream, uint64_t count,
    uint64_t first_frame, uint64_t last_frame)
{
	struct text_priv *p = r->priv;
	char when[48], head[256], burst[80];

	line_time(p, ev->ts_ns, when, sizeof(when));
	if (count > 1)
		snprintf(burst, sizeof(burst), " x%" PRIu64 ", frames %" PRIu64 "-%" PRIu64,
		    count, first_frame, last_frame);
	else
		burst[0] = '\0';
	snprintf(head, sizeof(head), "#%" PRIu64 "%s%s %s %s%s%s", first_frame, *when ? " " : "",
	    when, severity_name(ev->severity), event_kind_name(ev->kind), stream, burst);
	emit(r, head, 0, 4, severity_name(ev->severity), sev_color(ev->severity));
}

static void
print_event_line(struct reporter *r, const struct event *ev, uint64_t count,
    uint64_t last_frame)
{
	char src[80], dst[80], body[EVENT_MESSAGE_MAX + 256], stream[48];

	if (ev->has_stream)
		snprintf(stream, sizeof(stream), " stream %" PRIu64, ev->stream);
	else if (ev->first_frame)
		snprintf(stream, sizeof(stream), " frames %" PRIu64 "-%" PRIu64,
		    ev->first_frame, ev->last_frame);
	else
		stream[0] = '\0';
	print_head(r, ev, stream, count, ev->frame, last_frame);
	endpoint_str(&ev->dst, dst, sizeof(dst));
	if (ev->has_src) {
		endpoint_str(&ev->src, src, sizeof(src));
		snprintf(body, sizeof(body), "%s > %s: %s", src, dst, ev->message);
	} else {
		snprintf(body, sizeof(body), "%s: %s", dst, ev->message);
	}
	emit(r, body, 4, 4, NULL, NULL);
}

/* A folded key's line: the count and frames; where (the endpoint, or the
 * host or peer with the listeners' ports); example streams; the first
 * event's message. */
static void
print_folded(struct reporter *r, const struct fold_key *k)
{
	const struct event *ev = &k->first;
	char ep[80], ports[48], where[256], ex[256], body[EVENT_MESSAGE_MAX + 512];
	const char *from = k->ep_is_src != (k->group == G_PEER) ? "from" : "to";
	size_t n = 0;
	unsigned i;

	print_head(r, ev, "", k->events, k->first_frame, k->last_frame);
	if (k->group == G_LISTENER) {
		endpoint_str(&k->ep, ep, sizeof(ep));
		snprintf(where, sizeof(where), "%s %s", from, ep);
	} else if (k->ports == NULL) {	/* no memory for the ports */
		endpoint_addr_str(&k->ep, ep, sizeof(ep));
		snprintf(where, sizeof(where), "%s %s%s", from, ep, k->group == G_PEER ?
		    (k->ep_is_src ? " from any host" : " to any host") : ", any port");
	} else {
		endpoint_addr_str(&k->ep, ep, sizeof(ep));
		port_list(k, ports, sizeof(ports));
		snprintf(where, sizeof(where), "%s %s%s, %u %s %s", from, ep,
		    k->group == G_PEER ? (k->ep_is_src ? " from any host" : " to any host") : "",
		    k->nports, plural(k->nports, "port", "ports"), ports);
	}
	ex[0] = '\0';
	for (i = 0; i < k->nex && n < sizeof(ex); i++)
		n += (size_t)snprintf(ex + n, sizeof(ex) - n, "%s stream %" PRIu64 " (#%" PRIu64
		    ")", i ? "," : "", k->ex_stream[i], k->ex_frame[i]);
	snprintf(body, sizeof(body), "%s%s%s%s: e.g.%s%s; the first: %s", where,
	    *k->reason ? " (" : "", k->reason, *k->reason ? ")" : "", ex,
	    k->events > k->nex ? ", ..." : "", ev->message);
	emit(r, body, 4, 4, NULL, NULL);
}

/* ---- the diagnosis ------------------------------------------------------- */

/* One verdict phrase for n events of a kind at one endpoint. */
static void
verdict_phrase(enum event_kind k, uint64_t n, char *buf, size_t len)
{
	switch (k) {
	case EVK_ACCEPT_OVERFLOW_RST:
		snprintf(buf, len, "accept queue overflowed %" PRIu64 " %s "
		    "(tcp_abort_on_overflow=1: handshakes reset)", n, plural(n, "time", "times"));
		break;
	case EVK_ACCEPT_OVERFLOW_DROP:
		snprintf(buf, len, "accept queue overflowed %" PRIu64 " %s "
		    "(tcp_abort_on_overflow=0: final ACKs dropped)", n,
		    plural(n, "time", "times"));
		break;
	case EVK_ACCEPT_OVERFLOW_SYN_DROP:
		snprintf(buf, len, "dropped new SYNs while its accept queue was full "
		    "(%" PRIu64 " %s)", n, plural(n, "episode", "episodes"));
		break;
	case EVK_SYN_FLOOD:
		snprintf(buf, len, "SYN flood (%" PRIu64 " %s)", n,
		    plural(n, "episode", "episodes"));
		break;
	case EVK_SYN_COOKIE:
		snprintf(buf, len, "answered with SYN cookies (%" PRIu64 " %s)", n,
		    plural(n, "episode", "episodes"));
		break;
	case EVK_SYN_UNANSWERED:
		snprintf(buf, len, "%" PRIu64 " %s never answered", n,
		    plural(n, "connection attempt", "connection attempts"));
		break;
	case EVK_SYNACK_RETRANSMIT:
		snprintf(buf, len, "re-sent its SYN-ACK %" PRIu64 " %s", n,
		    plural(n, "time", "times"));
		break;
	case EVK_LOST_SEGMENT:
		snprintf(buf, len, "%" PRIu64 " %s in the captured data", n,
		    plural(n, "gap", "gaps"));
		break;
	case EVK_ZERO_WINDOW:
		snprintf(buf, len, "%" PRIu64 " zero %s (a reader not keeping up)", n,
		    plural(n, "window", "windows"));
		break;
	case EVK_CLOSE_WAIT_STUCK:
		snprintf(buf, len, "%" PRIu64 " %s stuck in CLOSE_WAIT", n,
		    plural(n, "connection", "connections"));
		break;
	default:
		snprintf(buf, len, "%" PRIu64 " %s", n, event_kind_name(k));
		break;
	}
}

/* Per endpoint (the fold keys' endpoints), the kinds of warning or alert
 * severity with their counts, most severe endpoint first. */
static void
print_diagnosis(struct reporter *r)
{
	struct text_priv *p = r->priv;
	bool done[KEYS_MAX];
	unsigned i, j, shown = 0, more = 0;
	uint64_t minor = 0;

	memset(done, 0, sizeof(done));
	for (i = 0; i < p->nkeys; i++)
		if (p->keys[i].sev < SEV_WARNING || p->keys[i].events == 0) {
			minor += p->keys[i].events;
			done[i] = true;
		}
	out_printf(r->out, "diagnosis:\n");
	for (;;) {
		/* the next endpoint: the most severe, then the earliest */
		int best = -1;
		char ep[128], text[1024], phrase[200];
		uint64_t per_kind[EVK_COUNT];
		size_t n;
		int sev;
		enum severity top;

		for (i = 0; i < p->nkeys; i++) {
			if (done[i])
				continue;
			if (best < 0 || p->keys[i].sev > p->keys[best].sev ||
			    (p->keys[i].sev == p->keys[best].sev &&
			    p->keys[i].arrival < p->keys[best].arrival))
				best = (int)i;
		}
		if (best < 0)
			break;
		top = p->keys[best].sev;
		memset(per_kind, 0, sizeof(per_kind));
		for (j = 0; j < p->nkeys; j++) {
			if (done[j] || p->keys[j].group != p->keys[best].group ||
			    !endpoint_eq(&p->keys[j].ep, &p->keys[best].ep))
				continue;
			/* by the kind's default severity: one lowered for a
			 * harmless case counts as the kind */
			per_kind[p->keys[j].kind] += p->keys[j].events;
			done[j] = true;
		}
		if (shown == VERDICTS_MAX) {
			more++;
			continue;
		}
		shown++;
		key_label(&p->keys[best], ep, sizeof(ep));
		n = (size_t)snprintf(text, sizeof(text), "%s:", ep);
		for (sev = SEV_ALERT, j = 0; sev >= SEV_WARNING; sev--)
			for (i = 0; i < EVK_COUNT && n < sizeof(text); i++) {
				if (per_kind[i] == 0 || event_kind_severity((enum event_kind)i) !=
				    (enum severity)sev)
					continue;
				verdict_phrase((enum event_kind)i, per_kind[i], phrase,
				    sizeof(phrase));
				n += (size_t)snprintf(text + n, sizeof(text) - n, "%s %s",
				    j++ ? ";" : "", phrase);
			}
		emit(r, text, 2, 6, ep, sev_color(top));
	}
	if (more)
		emitf(r, 2, 6, "(%u more %s with warnings; -o json has every event)", more,
		    plural(more, "endpoint", "endpoints"));
	if (shown == 0)
		emitf(r, 2, 6, "no warning or alert%s", minor ? "; the events below are "
		    "notices and information" : "");
}

static void
print_hints(struct reporter *r, const bool *seen)
{
	unsigned i, n = 0;
	char text[1024];

	for (i = 0; i < EVK_COUNT; i++) {
		const char *h = event_kind_hint((enum event_kind)i);

		if (!seen[i] || *h == '\0')
			continue;
		if (n++ == 0)
			out_printf(r->out, "hints:\n");
		snprintf(text, sizeof(text), "%s: %s", event_kind_name((enum event_kind)i), h);
		emit(r, text, 2, 6, NULL, NULL);
	}
}

/* The heading above the lines of a chunk: what they are, and how their
 * times read (first: the earliest, for the zone and the date). */
static void
print_heading(struct reporter *r, const char *what, int64_t first)
{
	const struct text_style *st = &((struct text_priv *)r->priv)->style;
	char times[160], zone[80], day[48];

	switch (st->time_format) {
	case TIME_NONE:
		times[0] = '\0';
		break;
	case TIME_EPOCH:
		snprintf(times, sizeof(times), " (times: seconds since the epoch)");
		break;
	case TIME_DELTA_PREV:
		snprintf(times, sizeof(times), " (times: since the previous line)");
		break;
	case TIME_DELTA_FIRST:
		snprintf(times, sizeof(times), " (times: since the first packet)");
		break;
	case TIME_DATE:
		zone_str(st, first, zone, sizeof(zone));
		snprintf(times, sizeof(times), " (times %s)", zone);
		break;
	default:
		zone_str(st, first, zone, sizeof(zone));
		if (first != INT64_MAX)
			wall_str(st, first, 6, true, day, sizeof(day));
		else
			day[0] = '\0';
		snprintf(times, sizeof(times), " (times %s, %.10s)", zone, day);
		break;
	}
	emitf(r, 0, 4, "%s, in frame order%s:", what, times);
}

/* Forget the chunk's fold keys. */
static void
keys_reset(struct text_priv *p)
{
	unsigned i;

	for (i = 0; i < p->nkeys; i++)
		free(p->keys[i].ports);
	p->nkeys = 0;
	memset(p->key_slot, 0, sizeof(p->key_slot));
}

/* Print the chunk held so far, sorted, and start a new one. */
static void
flush_chunk(struct reporter *r, bool input_done)
{
	struct text_priv *p = r->priv;
	struct item *items;
	size_t n = 0, i;
	bool seen[EVK_COUNT];
	int64_t first = INT64_MAX;

	if (!p->have_input)
		return;
	if (r->quiet || p->style.streaming) {	/* nothing held */
		p->nlines = 0;
		keys_reset(p);
		return;
	}
	items = calloc(p->nlines + p->nkeys + 1, sizeof(*items));
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < p->nlines; i++) {
		const struct line *l = &p->lines[i];

		if (l->type == LINE_EVENT) {
			seen[l->ev.kind] = true;
			if (l->ev.ts_ns < first)
				first = l->ev.ts_ns;
		} else if (l->ts_ns < first) {
			first = l->ts_ns;
		}
		if (items == NULL || l->folded)
			continue;
		items[n].frame = l->frame;
		items[n].arrival = l->arrival;
		items[n].conn_first = l->type == LINE_CONN;
		items[n++].line = l;
	}
	for (i = 0; items != NULL && i < p->nkeys; i++) {
		const struct fold_key *k = &p->keys[i];

		if (!k->folded)
			continue;
		seen[k->kind] = true;
		if (k->first.ts_ns < first)
			first = k->first.ts_ns;
		items[n].frame = k->first_frame;
		items[n].arrival = k->arrival;
		items[n++].key = k;
	}
	if (p->first_ns == INT64_MAX || first < p->first_ns)
		p->first_ns = first;	/* -ttttt: the events' earliest, if no better */
	if (items != NULL)
		qsort(items, n, sizeof(*items), item_order);
	if (!p->chunked)
		out_printf(r->out, "tcpdissect %s: %s\n", PACKAGE_VERSION,
		    strcmp(p->name, "-") == 0 ? "(stdin)" : p->name);
	else
		out_printf(r->out, "(%s, continued)\n", p->name);
	if (p->nevents > 0)
		print_diagnosis(r);
	else if (input_done)
		out_printf(r->out, "no events\n");
	if (n > 0)
		print_heading(r, p->nevents == 0 ? "connections" : r->verbose ?
		    "events and connections" : "events", first);
	p->prev_ns = INT64_MIN;
	for (i = 0; i < n; i++) {
		const struct line *l = items[i].line;

		if (items[i].key != NULL)
			print_folded(r, items[i].key);
		else if (l->type == LINE_CONN)
			emit(r, l->text, 0, 4, NULL, NULL);
		else
			print_event_line(r, &l->ev, l->count, l->last_frame);
	}
	print_hints(r, seen);
	free(items);
	for (i = 0; i < p->nlines; i++)
		free(p->lines[i].text);
	p->nlines = 0;
	keys_reset(p);
	memset(p->stream_slot, 0, sizeof(p->stream_slot));
	p->chunked = !input_done;
	if (input_done) {
		p->have_input = false;
		p->nevents = 0;
	}
}

static struct line *
new_line(struct reporter *r, enum line_type type, uint64_t frame)
{
	struct text_priv *p = r->priv;
	struct line *l;

	if (p->nlines == LINES_MAX)
		flush_chunk(r, false);
	if (p->nlines == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct line *nl = realloc(p->lines, cap * sizeof(*nl));

		if (nl == NULL)
			return NULL;
		p->lines = nl;
		p->cap = cap;
	}
	l = &p->lines[p->nlines++];
	l->type = type;
	l->frame = frame;
	l->arrival = p->arrival++;
	for (int g = 0; g < G_COUNT; g++)
		l->key[g] = -1;
	l->owner = -1;
	l->folded = false;
	l->count = 1;
	l->last_frame = frame;
	l->text = NULL;
	return l;
}

/* ---- the reporter ---------------------------------------------------------- */

/* How many lines a key holds before they fold.  A client probing many
 * hosts folds by the client as soon as a listener would; a client's data
 * troubles with many servers read better per server, so the client's
 * line waits for more of them. */
static uint64_t
fold_limit(const struct fold_key *k)
{
	return k->group == G_PEER && listener_is_src(k->kind) < 0 ? PEER_FOLD_LINES :
	    FOLD_LINES;
}

/* Fold every unfolded line of key ki into its one line: from now on the
 * lines count there and nowhere else. */
static void
fold_lines(struct text_priv *p, int ki)
{
	struct fold_key *k = &p->keys[ki];
	size_t i;
	int g;

	k->folded = true;
	k->events = 0;
	if (k->group != G_LISTENER && k->ports == NULL)
		k->ports = calloc(65536 / 8, 1);	/* NULL: the line lists no ports */
	for (i = 0; i < p->nlines; i++) {
		struct line *m = &p->lines[i];

		if (m->type != LINE_EVENT || m->folded || m->key[k->group] != ki)
			continue;
		m->folded = true;
		for (g = 0; g < G_COUNT; g++)
			if (m->key[g] >= 0 && m->key[g] != ki)
				p->keys[m->key[g]].lines--;
		if (m->owner >= 0 && m->owner != ki)
			p->keys[m->owner].events -= m->count;
		m->owner = ki;
		if (m->arrival < k->arrival)
			k->arrival = m->arrival;	/* ties in frame: the first line's place */
		key_add(k, &m->ev, m->count, m->last_frame);
	}
}

static void
text_begin(struct reporter *r, const struct input_info *in)
{
	struct text_priv *p = r->priv;

	flush_chunk(r, true);	/* the previous input */
	utf8_sanitize(in->name, p->name, sizeof(p->name));
	p->have_input = true;
	p->chunked = false;
	p->ts_digits = in->ts_digits;
	p->first_ns = INT64_MAX;
	p->prev_ns = INT64_MIN;
	if (p->style.streaming && !r->quiet)
		out_printf(r->out, "tcpdissect %s: %s (events as they are known)\n",
		    PACKAGE_VERSION, strcmp(p->name, "-") == 0 ? "(stdin)" : p->name);
}

static void
text_event(struct reporter *r, const struct event *ev, const struct input_info *in)
{
	struct text_priv *p = r->priv;
	int32_t *sl = NULL;
	struct line *l;
	struct fold_key *k;
	int key, g;

	p->nevents++;
	p->ts_digits = in->ts_digits;
	if (p->style.streaming) {
		print_event_line(r, ev, 1, ev->frame);
		return;
	}
	/* (1) a burst on its stream */
	if (ev->has_stream && burst_kind(ev->kind) && (sl = stream_line(p, ev->stream)) != NULL &&
	    *sl >= 0) {
		l = &p->lines[*sl];
		if (l->type == LINE_EVENT && same_burst(&l->ev, ev)) {
			l->count++;
			l->last_frame = ev->frame;
			if (l->owner >= 0) {
				k = &p->keys[l->owner];
				k->events++;
				if (l->folded && ev->frame > k->last_frame)
					k->last_frame = ev->frame;
			}
			return;
		}
	}
	/* (2) the first folded group it belongs to takes it whole */
	for (g = 0; g < G_COUNT; g++) {
		key = key_of(p, ev, (enum group)g, false);
		if (key >= 0 && p->keys[key].folded) {
			key_add(&p->keys[key], ev, 1, ev->frame);
			if (sl != NULL)
				*sl = -1;
			return;
		}
	}
	/* (3) a line of its own, counted under each group (after new_line:
	 * it may have begun a chunk, with no keys) */
	l = new_line(r, LINE_EVENT, ev->frame);
	if (l == NULL)
		return;
	event_copy(&l->ev, ev);
	for (g = 0; g < G_COUNT; g++)
		if ((l->key[g] = key_of(p, ev, (enum group)g, true)) >= 0)
			p->keys[l->key[g]].lines++;
	l->owner = l->key[G_LISTENER];
	if (l->owner >= 0)
		p->keys[l->owner].events++;
	if (ev->has_stream && burst_kind(ev->kind) && (sl = stream_line(p, ev->stream)) != NULL)
		*sl = (int32_t)(l - p->lines);
	for (g = 0; g < G_COUNT; g++)
		if (l->key[g] >= 0 && p->keys[l->key[g]].lines > fold_limit(&p->keys[l->key[g]])) {
			fold_lines(p, l->key[g]);
			break;
		}
}

/* -v: what a user asks first about a connection. */
static void framing_text(char *b, size_t len, const struct conn_report *cr);

static void
text_connection(struct reporter *r, const struct conn_report *cr)
{
	struct text_priv *p = r->priv;
	const struct conn *c = cr->c;
	const struct conn_ext *x = cr->x;
	unsigned cl = c->client, sv = !c->client;
	char a[80], b[80], hist[CONN_HISTORY_MAX + 1], rtt[96], text[4096];
	uint64_t bytes[2] = { 0, 0 }, rsegs[2] = { 0, 0 };
	uint32_t ack_us = x != NULL ? x->ack_us : 0;
	struct line *l;

	if (c->start_ns < p->first_ns)
		p->first_ns = c->start_ns;
	if (!r->verbose)
		return;
	if (x != NULL) {
		bytes[0] = x->side[cl].bytes;
		bytes[1] = x->side[sv].bytes;
		rsegs[0] = x->side[cl].retrans_segs;
		rsegs[1] = x->side[sv].retrans_segs;
	}
	endpoint_str(&cr->ep[cl], a, sizeof(a));
	endpoint_str(&cr->ep[sv], b, sizeof(b));
	conn_history(c, hist, sizeof(hist));
	if (c->synack_us && ack_us)
		snprintf(rtt, sizeof(rtt), "handshake RTT %.3f" NBSP "ms",
		    (double)(c->synack_us - 1 + ack_us - 1) / 1e3);
	else if (x != NULL && x->side[cl].rtt_n + x->side[sv].rtt_n > 0)
		snprintf(rtt, sizeof(rtt), "data RTT %.3f" NBSP "ms",
		    (double)(x->side[cl].rtt_n ? x->side[cl].rtt_avg_us :
		    x->side[sv].rtt_avg_us) / 1e3);
	else
		snprintf(rtt, sizeof(rtt), "RTT unknown");
	snprintf(text, sizeof(text), "stream %" PRIu32 " %s > %s, frames %" PRIu32 "-%" PRIu32
	    ", %.3f" NBSP "s; opened: %s; closed: %s (client %s, server %s); bytes: %" PRIu64
	    " from the client, %" PRIu64 " from the server; %s; retransmissions: %" PRIu64
	    " by the client, %" PRIu64 " by the server; history %s",
	    c->stream, a, b, c->first_frame, c->last_frame,
	    (double)(c->last_ns - c->start_ns) / 1e9, conn_handshake_name(c),
	    conn_close_name(c, cr->why), tcp_state_name(c->side[cl].state),
	    tcp_state_name(c->side[sv].state), bytes[0], bytes[1], rtt, rsegs[0], rsegs[1],
	    *hist ? hist : "-");
	if (cr->msgs != NULL) {
		size_t n = strlen(text);

		framing_text(text + n, sizeof(text) - n, cr);
	}
	if (p->style.streaming) {
		emit(r, text, 0, 4, NULL, NULL);
		return;
	}
	l = new_line(r, LINE_CONN, c->first_frame);
	if (l != NULL && (l->text = strdup(text)) == NULL)
		p->nlines--;
	else if (l != NULL)
		l->ts_ns = c->start_ns;
}

/* --framing, for a connection's line: one direction's messages. */
static size_t
framing_dir_text(char *b, size_t len, const char *who, const struct msg_dir *d)
{
	size_t n = 0;
	uint32_t i;

#define PUT(...)	do { if (n < len) n += (size_t)snprintf(b + n, len - n, __VA_ARGS__); } \
			while (0)
	PUT("; %s: %" PRIu64 " %s, %" PRIu64 " bytes", who, d->messages,
	    plural(d->messages, "message", "messages"), d->bytes);
	if (d->messages > 0)
		PUT(" (sizes %" PRIu64 "-%" PRIu64 ", %" PRIu64 " over several segments, %" PRIu64
		    " of %" PRIu64 " segments with several)", d->min, d->max, d->multi_segment,
		    d->segments_multi, d->segments);
	if (d->hol_units > 0)
		PUT(", %" PRIu64 " waited behind a hole (%" PRIu64 " over the threshold), "
		    "%.6f" NBSP "s in all, at most %.6f" NBSP "s", d->hol_units, d->hol_over,
		    (double)d->hol_total_ns / 1e9, (double)d->hol_max_ns / 1e9);
	if (d->error)
		PUT(", not cut from offset %" PRIu64 " (%s)", d->error_off, d->error_why);
	for (i = 0; i < d->nlist && i < 16; i++)
		PUT("%s%" PRIu64 "+%" PRIu64 " frames %" PRIu64 "-%" PRIu64, i ? ", " : ": ",
		    d->list[i].off, d->list[i].len, d->list[i].first_frame,
		    d->list[i].last_frame);
	if (d->nlist + d->list_omitted > 16)
		PUT(" and %" PRIu64 " more (-o json lists %u)", d->nlist + d->list_omitted - 16,
		    MSG_LIST_MAX);
#undef PUT
	return n < len ? n : len - 1;
}

static void
framing_text(char *b, size_t len, const struct conn_report *cr)
{
	const struct msg_conn *m = cr->msgs;
	unsigned cl = cr->c->client;
	size_t n;

	n = (size_t)snprintf(b, len, "; framing %s (%s), head-of-line threshold %.6f" NBSP "s",
	    fr_kind_name(m->d[0].fp.rule.kind), m->d[0].fp.rule.kind == FR_NONE ? "per segment" :
	    "per message", (double)m->threshold_ns / 1e9);
	if (n < len)
		n += framing_dir_text(b + n, len - n, "client", &m->d[cl]);
	if (n < len)
		n += framing_dir_text(b + n, len - n, "server", &m->d[!cl]);
	if (n < len && m->timing && m->exchanges > 0)
		snprintf(b + n, len - n, "; %" PRIu64 " request/response %s%s: first byte median "
		    "%.6f" NBSP "s, max %.6f" NBSP "s; last byte median %.6f" NBSP "s, max %.6f"
		    NBSP "s", m->exchanges, plural(m->exchanges, "exchange", "exchanges"),
		    m->alternating ? "" : " (then not alternating)",
		    (double)msg_exchange_median(m, false) / 1e9, (double)m->ttfb_max / 1e9,
		    (double)msg_exchange_median(m, true) / 1e9, (double)m->ttlb_max / 1e9);
}

static void
human_bytes(uint64_t n, char *buf, size_t len)
{
	if (n >= 10u * 1024 * 1024 * 1024)
		snprintf(buf, len, "%.1f GiB", (double)n / (1024.0 * 1024 * 1024));
	else if (n >= 10u * 1024 * 1024)
		snprintf(buf, len, "%.1f MiB", (double)n / (1024.0 * 1024));
	else if (n >= 10u * 1024)
		snprintf(buf, len, "%.1f KiB", (double)n / 1024.0);
	else
		snprintf(buf, len, "%" PRIu64 " %s", n, plural(n, "byte", "bytes"));
}

static int
busier_first(const void *a, const void *b)
{
	const struct listener *x = *(const struct listener *const *)a;
	const struct listener *y = *(const struct listener *const *)b;

	if (x->connections != y->connections)
		return x->connections < y->connections ? 1 : -1;
	return 0;
}

/* --at: the table ss -tan would have printed, and the stream of each. */
static void
text_sockets(struct reporter *r, const struct socket_table *st, const struct input_info *in)
{
	struct text_priv *p = r->priv;
	char when[64], zone[80], lo[80], pe[80], rq[16], sq[16];
	size_t i;

	flush_chunk(r, false);	/* the lines before it; the input goes on */
	wall_str(&p->style, st->at_ns, in != NULL ? in->ts_digits : 6, true, when, sizeof(when));
	zone_str(&p->style, st->at_ns, zone, sizeof(zone));
	emitf(r, 0, 4, "sockets at %s %s%s: %zu (ss -tan; queues are bytes not yet "
	    "acknowledged)", when, zone, st->after_end ? " (the capture ended before: as of "
	    "its last packet)" : "", st->n);
	out_printf(r->out, "%-10s %6s %6s %-22s %-22s %s\n", "State", "Recv-Q", "Send-Q",
	    "Local Address:Port", "Peer Address:Port", "Stream");
	for (i = 0; i < st->n; i++) {
		const struct socket_row *s = &st->rows[i];

		endpoint_str(&s->local, lo, sizeof(lo));
		if (s->has_stream)
			endpoint_str(&s->peer, pe, sizeof(pe));
		else
			snprintf(pe, sizeof(pe), "*:*");
		if (s->recv_known)
			snprintf(rq, sizeof(rq), "%" PRIu32, s->recv_q);
		else
			snprintf(rq, sizeof(rq), "-");
		if (s->send_known)
			snprintf(sq, sizeof(sq), "%" PRIu32, s->send_q);
		else
			snprintf(sq, sizeof(sq), "-");
		if (s->has_stream)
			out_printf(r->out, "%-10s %6s %6s %-22s %-22s %" PRIu32 "\n",
			    ss_state_name((enum tcp_state)s->state), rq, sq, lo, pe, s->stream);
		else
			out_printf(r->out, "%-10s %6s %6s %-22s %-22s -\n",
			    ss_state_name((enum tcp_state)s->state), rq, sq, lo, pe);
	}
}

static const char *
kind_name(unsigned i)
{
	return event_kind_name((enum event_kind)i);
}

static const char *
warn_name(unsigned i)
{
	return warn_reason_name((enum warn_reason)i);
}

/* "  LABEL: name N, name N, ..." of the non-zero counts, if any. */
static void
print_counts(struct reporter *r, const char *label, const uint64_t *count, unsigned ncount,
    const char *(*name)(unsigned))
{
	char text[2048];
	size_t len = 0;
	unsigned i, n = 0;

	for (i = 0; i < ncount && len < sizeof(text); i++) {
		if (!count[i])
			continue;
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s%s" NBSP "%" PRIu64,
		    n ? ", " : label, n ? "" : ": ", name(i), count[i]);
		n++;
	}
	if (n)
		emit(r, text, 2, 6, NULL, NULL);
}

static void
text_summary(struct reporter *r, const struct summary *s)
{
	struct text_priv *p = r->priv;
	const struct listener **order;
	char a[80], b[80], zone[80], bytes[32], text[2048];
	unsigned i, n, shown;
	size_t len;

	if (s->interim) {
		len = (size_t)snprintf(text, sizeof(text), "interval: %" PRIu64 " %s (%" PRIu64
		    " TCP), %" PRIu64 " %s open", s->stats->packets,
		    plural(s->stats->packets, "packet", "packets"), s->stats->tcp_packets,
		    s->open_now, plural(s->open_now, "connection", "connections"));
		if (s->have_capture_stats && len < sizeof(text))
			snprintf(text + len, sizeof(text) - len, ", %" PRIu64 " dropped by the "
			    "kernel, %" PRIu64 " by the interface", s->cap_dropped,
			    s->cap_if_dropped);
		emit(r, text, 0, 4, NULL, NULL);
		for (i = 0, n = 0; i < s->nlisteners; i++) {
			const struct listener *l = &s->listeners[i];

			if (l->half_open == 0 && l->established == 0)
				continue;
			endpoint_str(&l->ep, a, sizeof(a));
			emitf(r, 2, 6, "listener %s: %" PRIu64 " half-open, %" PRIu64
			    " established", a, l->half_open, l->established);
			if (++n == TEXT_LISTENERS_MAX)
				break;
		}
		return;
	}
	flush_chunk(r, true);
	human_bytes(s->stats->bytes, bytes, sizeof(bytes));
	if (s->filter != NULL) {
		/* the file's totals, then what the filter let through */
		emitf(r, 0, 4, "summary: %" PRIu64 " %s in the file (%s); the filter matched %"
		    PRIu64 ": %" PRIu64 " TCP, %" PRIu64 " %s, peak %" PRIu64 " concurrent",
		    s->stats->packets, plural(s->stats->packets, "packet", "packets"), bytes,
		    s->matched_packets, s->stats->tcp_packets, s->connections,
		    plural(s->connections, "connection", "connections"), s->peak_concurrent);
	} else {
		emitf(r, 0, 4, "summary: %" PRIu64 " %s (%" PRIu64 " TCP, %s), %" PRIu64 " %s, "
		    "peak %" PRIu64 " concurrent", s->stats->packets, plural(s->stats->packets,
		    "packet", "packets"), s->stats->tcp_packets, bytes, s->connections,
		    plural(s->connections, "connection", "connections"), s->peak_concurrent);
	}
	if (s->one_sided)
		emitf(r, 2, 6, "%" PRIu64 " %s seen in one direction only (asymmetric routing or a "
		    "capture of one side)", s->one_sided,
		    plural(s->one_sided, "connection", "connections"));
	if (s->have_time) {
		wall_str(&p->style, s->start_ns, s->ts_digits, true, a, sizeof(a));
		wall_str(&p->style, s->end_ns, s->ts_digits, true, b, sizeof(b));
		zone_str(&p->style, s->start_ns, zone, sizeof(zone));
		emitf(r, 2, 6, "capture: %s to %s %s (%.3f" NBSP "s)", a, b, zone,
		    (double)(s->end_ns - s->start_ns) / 1e9);
	}
	print_counts(r, "events", s->events_by_kind, EVK_COUNT, kind_name);
	/* The busiest listeners first; the JSON summary has them all. */
	order = s->nlisteners ? malloc(s->nlisteners * sizeof(*order)) : NULL;
	shown = order != NULL ? s->nlisteners : 0;
	for (i = 0; i < shown; i++)
		order[i] = &s->listeners[i];
	if (shown > 0)
		qsort(order, shown, sizeof(*order), busier_first);
	if (shown > TEXT_LISTENERS_MAX)
		shown = TEXT_LISTENERS_MAX;
	for (i = 0; i < shown; i++) {
		const struct listener *l = order[i];

		endpoint_str(&l->ep, a, sizeof(a));
		human_bytes(l->peak_kmem, bytes, sizeof(bytes));
		emitf(r, 2, 6, "listener %s: %" PRIu64 " %s, %" PRIu64 " completed, %" PRIu64
		    " refused, %" PRIu64 " reset; peak %" PRIu64 " half-open, %" PRIu64
		    " established, %" PRIu64 " TIME_WAIT, %" PRIu64 " SYN/s, kernel memory %s",
		    a, l->connections, plural(l->connections, "connection", "connections"),
		    l->completed, l->refused, l->reset, l->peak_half_open, l->peak_established,
		    l->peak_time_wait, l->syn_rate_peak, bytes);
	}
	if (s->nlisteners > shown || s->listeners_dropped) {
		uint64_t more = (uint64_t)(s->nlisteners - shown) + s->listeners_dropped;

		emitf(r, 2, 6, "(%" PRIu64 " more %s; -o json lists them)", more,
		    plural(more, "listener", "listeners"));
	}
	free(order);
	print_counts(r, "warnings", s->stats->warn, WARN_COUNT, warn_name);
	if (s->have_capture_stats)
		emitf(r, 2, 6, "capture: %" PRIu64 " %s received, %" PRIu64 " dropped by the "
		    "kernel, %" PRIu64 " by the interface", s->cap_received,
		    plural(s->cap_received, "packet", "packets"), s->cap_dropped,
		    s->cap_if_dropped);
	if (s->flows->evicted)
		emitf(r, 2, 6, "memory: %" PRIu64 " %s evicted to stay under --memcap (%"
		    PRIu64 " tracked at most)", s->flows->evicted,
		    plural(s->flows->evicted, "connection", "connections"), s->flows->capacity);
}

static void
text_end(struct reporter *r)
{
	flush_chunk(r, true);
}

static void
text_destroy(struct reporter *r)
{
	struct text_priv *p = r->priv;
	size_t i;

	for (i = 0; i < p->nlines; i++)
		free(p->lines[i].text);
	free(p->lines);
	keys_reset(p);
	free(p->keys);
	free(p);
	free(r);
}

static const struct reporter_ops text_ops = {
	.begin = text_begin,
	.event = text_event,
	.connection = text_connection,
	.summary = text_summary,
	.sockets = text_sockets,
	.end = text_end,
	.destroy = text_destroy,
};

struct reporter *
report_text_new(FILE *out, bool quiet, bool verbose, const struct text_style *style)
{
	struct reporter *r = calloc(1, sizeof(*r));
	struct text_priv *p = calloc(1, sizeof(*p));
	struct fold_key *keys = malloc(KEYS_MAX * sizeof(*keys));

	if (r == NULL || p == NULL || keys == NULL) {
		free(r);
		free(p);
		free(keys);
		return NULL;
	}
	p->style = *style;
	p->keys = keys;
	p->first_ns = INT64_MAX;
	p->prev_ns = INT64_MIN;
	r->ops = &text_ops;
	r->out = out;
	r->quiet = quiet;
	r->verbose = verbose;
	r->priv = p;
	return r;
}
