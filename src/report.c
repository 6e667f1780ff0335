/* report.c: the shared reporter call path and the format-independent views
 * of a connection (handshake and close names, history, Community ID,
 * address and time text). */
#include "config.h"

#include "report.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>
#include <nettle/sha1.h>

void
report_begin(struct reporter *r, const struct input_info *in)
{
	if (r->ops->begin != NULL)
		r->ops->begin(r, in);
}

void
report_event(struct reporter *r, const struct event *ev, const struct input_info *in)
{
	if (!r->quiet)
		r->ops->event(r, ev, in);
}

void
report_connection(struct reporter *r, const struct conn_report *cr)
{
	if (!r->quiet)
		r->ops->connection(r, cr);
}

void
report_summary(struct reporter *r, const struct summary *s)
{
	r->ops->summary(r, s);
}

void
report_sockets(struct reporter *r, const struct socket_table *st, const struct input_info *in)
{
	/* asked for by name (--at): shown even with -q */
	if (r->ops->sockets != NULL)
		r->ops->sockets(r, st, in);
}

void
report_end(struct reporter *r)
{
	if (r->ops->end != NULL)
		r->ops->end(r);
}

void
report_raw(struct reporter *r, const char *line)
{
	if (!r->quiet && r->ops->raw != NULL)
		r->ops->raw(r, line);
}

void
report_destroy(struct reporter *r)
{
	if (r != NULL)
		r->ops->destroy(r);
}

static void
null_event(struct reporter *r, const struct event *ev, const struct input_info *in)
{
	(void)r;
	(void)ev;
	(void)in;
}

static void
null_connection(struct reporter *r, const struct conn_report *cr)
{
	(void)r;
	(void)cr;
}

static void
null_summary(struct reporter *r, const struct summary *s)
{
	(void)r;
	(void)s;
}

static void
null_destroy(struct reporter *r)
{
	free(r);
}

static const struct reporter_ops null_ops = {
	.event = null_event,
	.connection = null_connection,
	.summary = null_summary,
	.destroy = null_destroy,
};

struct reporter *
report_null_new(void)
{
	struct reporter *r = calloc(1, sizeof(*r));

	if (r != NULL)
		r->ops = &null_ops;
	return r;
}

const char *
conn_handshake_name(const struct conn *c)
{
	const struct side *cl = &c->side[c->client], *sv = &c->side[!c->client];

	if (c->cflags & CONN_REFUSED)
		return "refused";
	/* A handshake is complete only when the capture holds all of it: a
	 * connection picked up at its SYN-ACK (the SYN not captured) started
	 * before the capture, as one picked up mid-stream did (SPEC.md). */
	if (!(cl->flags & SIDE_SYN))
		return "missing";
	if (c->cflags & CONN_HS_COMPLETE)
		return "complete";
	if ((cl->flags & SIDE_SYN) && !(cl->flags & SIDE_SYNACK)) {
		if (sv->flags & SIDE_SYNACK)
			return "syn_synack";
		return "syn_only";
	}
	return "missing";
}

const char *
conn_close_name(const struct conn *c, enum flow_end why)
{
	const struct side *a = &c->side[0], *b = &c->side[1];

	if ((a->flags | b->flags) & SIDE_RST)
		return "rst";
	if ((a->flags & SIDE_FIN) && (b->flags & SIDE_FIN))
		return "fin";
	if (why == FLOW_END_IDLE)
		return "idle_timeout";
	if ((a->flags | b->flags) & SIDE_FIN)
		return "half_closed";
	return "open";
}

void
conn_history(const struct conn *c, char *buf, size_t len)
{
	static const char letters[] = CONN_HISTORY_LETTERS;
	size_t n = c->hist_len, i;

	if (len == 0)
		return;
	if (n > CONN_HISTORY_MAX)
		n = CONN_HISTORY_MAX;
	if (n > len - 1)
		n = len - 1;
	for (i = 0; i < n; i++) {
		unsigned code = (unsigned)(c->hist >> (5 * i)) & 0x1f;
		unsigned idx = (code & 0x0f) - 1;
		char ch = idx < sizeof(letters) - 1 ? letters[idx] : '?';

		/* upper case from the client, lower case from the server */
		buf[i] = (code & 0x10) ? ch : (char)(ch - 'A' + 'a');
	}
	buf[n] = '\0';
}

/* A side's state as Zeek's TCP analyzer names it (TCP_ENDPOINT_*). */
enum zeek_ep {
	ZEP_INACTIVE,		/* sent nothing */
	ZEP_SYN_SENT,
	ZEP_SYN_ACK_SENT,
	ZEP_PARTIAL,		/* sent without a SYN: started before the capture */
	ZEP_ESTABLISHED,
	ZEP_CLOSED,		/* sent a FIN */
	ZEP_RESET,		/* sent a RST */
};

/* hist: the history string; upper case letters are the client's.  Zeek
 * counts every RST and FIN, in window or not, as the history does. */
static enum zeek_ep
zeek_side(const struct conn *c, const struct side *s, const char *hist, bool client)
{
	if ((s->flags & SIDE_RST) || strchr(hist, client ? 'R' : 'r') != NULL)
		return ZEP_RESET;
	if ((s->flags & SIDE_FIN) || strchr(hist, client ? 'F' : 'f') != NULL)
		return ZEP_CLOSED;
	if (s->packets == 0)
		return ZEP_INACTIVE;
	if (!(s->flags & (SIDE_SYN | SIDE_SYNACK)))
		return ZEP_PARTIAL;
	if (c->cflags & CONN_HS_COMPLETE)
		return ZEP_ESTABLISHED;
	return (s->flags & SIDE_SYNACK) ? ZEP_SYN_ACK_SENT : ZEP_SYN_SENT;
}

/* Zeek's RSTOS0 test on its history, /^?S[^HAFGIQ]*R.*\/: the originator's
 * SYN, then none of its handshake ACK, ACK, FIN, gap, inconsistency or
 * multi-flag letters, then its RST (upper case: the originator's). */
static bool
history_syn_then_rst(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return false;
	for (; *h != '\0' && strchr("HAFGIQR", *h) == NULL; h++)
		;
	return *h == 'R';
}

const char *
conn_zeek_state(const struct conn_report *cr)
{
	const struct conn *c = cr->c;
	const struct side *cl = &c->side[c->client], *sv = &c->side[!c->client];
	uint64_t osize = cr->x != NULL ? cr->x->side[c->client].bytes : 0;
	uint64_t rsize = cr->x != NULL ? cr->x->side[!c->client].bytes : 0;
	char hist[CONN_HISTORY_MAX + 1];
	enum zeek_ep os, rs;
	bool o_inactive, r_inactive;

	conn_history(c, hist, sizeof(hist));
	os = zeek_side(c, cl, hist, true);
	rs = zeek_side(c, sv, hist, false);
	o_inactive = os == ZEP_INACTIVE || os == ZEP_PARTIAL;
	r_inactive = rs == ZEP_INACTIVE || rs == ZEP_PARTIAL;

	if (rs == ZEP_RESET) {
		if (os == ZEP_SYN_SENT || os == ZEP_SYN_ACK_SENT ||
		    (os == ZEP_RESET && osize == 0 && rsize == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == ZEP_RESET) {
		if (!r_inactive)
			return "RSTO";
		return history_syn_then_rst(hist) ? "RSTOS0" : "OTH";
	}
	if (rs == ZEP_CLOSED && os == ZEP_CLOSED)
		return "SF";
	if (os == ZEP_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == ZEP_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == ZEP_SYN_SENT && rs == ZEP_INACTIVE)
		return "S0";
	if (os == ZEP_ESTABLISHED && rs == ZEP_ESTABLISHED)
		return "S1";
	return "OTH";
}

/* Community ID v1 (corelight/community-id-spec): SHA-1 over seed, the
 * ordered addresses, protocol, a zero pad byte and the ordered ports, then
 * base64.  The flow key is already ordered the same way: lower (address,
 * port) first, IPv4 compared on its four bytes. */
void
conn_community_id(const struct conn_report *cr, char *buf, size_t len)
{
	struct sha1_ctx ctx;
	uint8_t digest[SHA1_DIGEST_SIZE];
	uint8_t hdr[2] = { 0, 0 };		/* seed 0, big-endian */
	uint8_t proto[2] = { 6, 0 };		/* TCP, pad */
	uint8_t ports[4];
	const struct endpoint *ep = cr->ep;
	size_t alen = ep[0].family == 4 ? 4 : 16;
	char b64[BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE) + 1];

	ports[0] = (uint8_t)(ep[0].port >> 8);
	ports[1] = (uint8_t)ep[0].port;
	ports[2] = (uint8_t)(ep[1].port >> 8);
	ports[3] = (uint8_t)ep[1].port;
	sha1_init(&ctx);
	sha1_update(&ctx, sizeof(hdr), hdr);
	sha1_update(&ctx, alen, ep[0].addr);
	sha1_update(&ctx, alen, ep[1].addr);
	sha1_update(&ctx, sizeof(proto), proto);
	sha1_update(&ctx, sizeof(ports), ports);
	sha1_digest(&ctx, sizeof(digest), digest);
	base64_encode_raw(b64, sizeof(digest), digest);
	b64[sizeof(b64) - 1] = '\0';
	if (len < sizeof(b64) + 2) {
		if (len > 0)
			buf[0] = '\0';
		return;
	}
	buf[0] = '1';
	buf[1] = ':';
	memcpy(buf + 2, b64, sizeof(b64));	/* with its NUL */
}

static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536"
    "37383940414243444546474849505152535455565758596061626364656667686970717273"
    "7475767778798081828384858687888990919293949596979899";
_Static_assert(sizeof(digit_pairs) == 201, "00..99");

size_t
u64_dec(char *p, uint64_t v)
{
	static const uint64_t pow10[20] = {
		1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u,
		1000000000u, 10000000000u, 100000000000u, 1000000000000u, 10000000000000u,
		100000000000000u, 1000000000000000u, 10000000000000000u,
		100000000000000000u, 1000000000000000000u, 10000000000000000000u,
	};
	size_t n = 1;
	char *q;

	/* Count first (compares only), then write in place from the end. */
	while (n < 20 && v >= pow10[n])
		n++;
	q = p + n;
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;

		v /= 100;
		*--q = digit_pairs[d + 1];
		*--q = digit_pairs[d];
	}
	if (v >= 10) {
		*--q = digit_pairs[v * 2 + 1];
		*--q = digit_pairs[v * 2];
	} else {
		*--q = (char)('0' + v);
	}
	return n;
}

/* Exactly 'width' digits of v (v < 10^width), zero-padded. */
static void
put_fixed(char *p, uint64_t v, int width)
{
	while (width >= 2) {
		unsigned d = (unsigned)(v % 100) * 2;

		v /= 100;
		width -= 2;
		p[width] = digit_pairs[d];
		p[width + 1] = digit_pairs[d + 1];
	}
	if (width == 1)
		p[0] = (char)('0' + v % 10);
}

/* Dotted quad of a[0..3] at p, unterminated; its length. */
static size_t
ipv4_dec(char *p, const uint8_t *a)
{
	size_t n = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			p[n++] = '.';
		n += u64_dec(p + n, a[i]);
	}
	return n;
}

/* inet_ntop(AF_INET6) as glibc writes it (resolv/inet_ntop.c: RFC 5952
 * but for its IPv4 forms): lower-case hex groups without leading zeros,
 * the first longest run of two or more zero groups as "::", and the last
 * 32 bits dotted after "::ffff:" or "::" (when the five or six groups
 * before them are zero).  glibc prints each group with sprintf, 5,000
 * instructions an address.  tests/unit/test_report.c holds the two
 * equal. */
static size_t
ipv6_str(char *p, const uint8_t *a)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int i, best = -1, best_len = 0, cur = -1, cur_len = 0;
	size_t n = 0;

	for (i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i] != 0) {
			cur = -1;
			continue;
		}
		if (cur < 0) {
			cur = i;
			cur_len = 0;
		}
		if (++cur_len > best_len) {
			best = cur;
			best_len = cur_len;
		}
	}
	if (best_len < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				p[n++] = ':';
			continue;
		}
		if (i != 0)
			p[n++] = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return n + ipv4_dec(p + n, a + 12);
		if (w[i] >= 0x1000)
			p[n++] = hex[w[i] >> 12];
		if (w[i] >= 0x100)
			p[n++] = hex[w[i] >> 8 & 15];
		if (w[i] >= 0x10)
			p[n++] = hex[w[i] >> 4 & 15];
		p[n++] = hex[w[i] & 15];
	}
	if (best >= 0 && best + best_len == 8)
		p[n++] = ':';
	return n;
}

void
endpoint_addr_str(const struct endpoint *ep, char *buf, size_t len)
{
	/* By hand: this runs twice per record, and glibc's inet_ntop goes
	 * through sprintf. */
	if (len >= 46) {		/* INET6_ADDRSTRLEN */
		buf[endpoint_addr_put(buf, ep)] = '\0';
		return;
	}
	if (inet_ntop(ep->family == 4 ? AF_INET : AF_INET6, ep->addr, buf,
	    (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

const char *
ss_state_name(enum tcp_state s)
{
	static const char *const names[TS_COUNT] = {
		[TS_UNSET] = "UNKNOWN", [TS_LISTEN] = "LISTEN", [TS_SYN_SENT] = "SYN-SENT",
		[TS_SYN_RECEIVED] = "SYN-RECV", [TS_ESTABLISHED] = "ESTAB",
		[TS_FIN_WAIT_1] = "FIN-WAIT-1", [TS_CLOSE_WAIT] = "CLOSE-WAIT",
		[TS_FIN_WAIT_2] = "FIN-WAIT-2", [TS_CLOSING] = "CLOSING",
		[TS_LAST_ACK] = "LAST-ACK", [TS_TIME_WAIT] = "TIME-WAIT", [TS_CLOSED] = "CLOSED",
	};

	return (unsigned)s < TS_COUNT ? names[s] : "?";
}

size_t
endpoint_addr_put(char *p, const struct endpoint *ep)
{
	return ep->family == 4 ? ipv4_dec(p, ep->addr) : ipv6_str(p, ep->addr);
}

size_t
ts_put(char *p, int64_t ts_ns, int digits)
{
	/* Sign and magnitude, so -0.5 s prints as -0.500000 (and INT64_MIN
	 * does not overflow when negated). */
	uint64_t mag = ts_ns < 0 ? (uint64_t)0 - (uint64_t)ts_ns : (uint64_t)ts_ns;
	uint64_t sec = mag / 1000000000u, frac = mag % 1000000000u;
	size_t n = 0;

	if (digits != 9) {
		digits = 6;
		frac /= 1000;
	}
	if (ts_ns < 0)
		p[n++] = '-';
	n += u64_dec(p + n, sec);		/* at most 11 digits */
	p[n++] = '.';
	put_fixed(p + n, frac, digits);
	return n + (size_t)digits;
}

void
ts_str(int64_t ts_ns, int digits, char *buf, size_t len)
{
	char tmp[TS_MAX];
	size_t n;

	if (len == 0)
		return;
	n = ts_put(tmp, ts_ns, digits);
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
}
