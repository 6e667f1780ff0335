/* decode_tcp.c: the TCP fixed header and options; the only place TCP wire format is known.
 *
 * Header layout per RFC 9293 section 3.1 (flags incl. AE, RFC 9768); option
 * parsing follows the rules of Linux tcp_parse_options(): EOL ends, NOP
 * steps, a length below 2 or past the option space ends parsing, and each
 * known option's length is checked before its value is read. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "decode.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "decode_int.h"

#define TCPOPT_EOL		0
#define TCPOPT_NOP		1
#define TCPOPT_MSS		2	/* RFC 9293 3.2 */
#define TCPOPT_WSCALE		3	/* RFC 7323 2 */
#define TCPOPT_SACK_PERM	4	/* RFC 2018 2 */
#define TCPOPT_SACK		5	/* RFC 2018 3 */
#define TCPOPT_TIMESTAMP	8	/* RFC 7323 3 */
#define TCPOPT_MD5		19	/* RFC 2385 */
#define TCPOPT_AO		29	/* RFC 5925 2.2 */
#define TCPOPT_MPTCP		30	/* RFC 8684 */
#define TCPOPT_FASTOPEN		34	/* RFC 7413 4.1.1 */
#define TCPOPT_EXP		254	/* RFC 6994 shared experimental kind */

#define TCPOLEN_MSS		4
#define TCPOLEN_WSCALE		3
#define TCPOLEN_SACK_PERM	2
#define TCPOLEN_SACK_BASE	2
#define TCPOLEN_SACK_BLOCK	8
#define TCPOLEN_TIMESTAMP	10
#define TCPOLEN_MD5		18
#define TCPOLEN_AO_MIN		4	/* kind, length, KeyID, RNextKeyID */
#define TCPOLEN_FASTOPEN_BASE	2
#define TCPOLEN_EXP_FASTOPEN_BASE 4

#define TCPOPT_FASTOPEN_MAGIC	0xf989	/* RFC 7413 4.1.1 ExID of the draft */
#define TCP_FASTOPEN_COOKIE_MIN	4	/* RFC 7413 4.1.1 */
#define TCP_FASTOPEN_COOKIE_MAX	16

#define TCP_MAX_WSCALE		14	/* RFC 7323 2.3 */

/* RFC 7413 4.1.1: a cookie is empty (a request) or 4..16 bytes, even. */
static bool
tfo_cookie_len_ok(size_t len)
{
	return len == 0 ||
	    (len >= TCP_FASTOPEN_COOKIE_MIN && len <= TCP_FASTOPEN_COOKIE_MAX && len % 2 == 0);
}

/* One option whose kind and length bytes have been read and whose value
 * (len - 2 bytes, all captured) is in 'val'.  A length that the option's
 * definition forbids marks the segment and skips just this option, as the
 * kernel does; everything else about the segment is still usable. */
static void
tcp_option(uint8_t kind, uint8_t len, struct cursor *val, struct segment *seg)
{
	struct tcp_options *o = &seg->opt;
	size_t i, n;

	switch (kind) {
	case TCPOPT_MSS:
		if (len != TCPOLEN_MSS)
			break;
		o->mss = cur_be16(val);
		o->present |= TCPOPT_HAVE_MSS;
		return;
	case TCPOPT_WSCALE:
		if (len != TCPOLEN_WSCALE)
			break;
		o->wscale = cur_u8(val);
		if (o->wscale > TCP_MAX_WSCALE) {
			o->wscale = TCP_MAX_WSCALE;	/* RFC 7323 2.3, as Linux */
			seg->warn |= SEGWARN_WSCALE_CLAMPED;
		}
		o->present |= TCPOPT_HAVE_WSCALE;
		return;
	case TCPOPT_SACK_PERM:
		if (len != TCPOLEN_SACK_PERM)
			break;
		o->present |= TCPOPT_HAVE_SACK_PERM;
		return;
	case TCPOPT_SACK:
		if (len < TCPOLEN_SACK_BASE + TCPOLEN_SACK_BLOCK ||
		    (len - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_BLOCK != 0)
			break;
		n = (size_t)(len - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_BLOCK;
		if (n > TCPOPT_MAX_SACK)
			break;		/* cannot fit in 40 bytes; be safe anyway */
		/* A second SACK option replaces the first, as in Linux. */
		for (i = 0; i < n; i++) {
			o->sack_left[i] = cur_be32(val);
			o->sack_right[i] = cur_be32(val);
		}
		o->sack_count = (uint8_t)n;
		o->present |= TCPOPT_HAVE_SACK;
		return;
	case TCPOPT_TIMESTAMP:
		if (len != TCPOLEN_TIMESTAMP)
			break;
		o->tsval = cur_be32(val);
		o->tsecr = cur_be32(val);
		o->present |= TCPOPT_HAVE_TS;
		return;
	case TCPOPT_FASTOPEN:
		if (!tfo_cookie_len_ok((size_t)len - TCPOLEN_FASTOPEN_BASE))
			break;
		o->tfo_cookie_len = (uint8_t)(len - TCPOLEN_FASTOPEN_BASE);
		o->present |= TCPOPT_HAVE_TFO;
		return;
	case TCPOPT_EXP:
		/* RFC 6994: the first two value bytes name the experiment;
		 * anything but TFO's is someone else's business. */
		if (len < TCPOLEN_EXP_FASTOPEN_BASE ||
		    cur_be16(val) != TCPOPT_FASTOPEN_MAGIC)
			return;
		if (!tfo_cookie_len_ok((size_t)len - TCPOLEN_EXP_FASTOPEN_BASE))
			break;
		o->tfo_cookie_len = (uint8_t)(len - TCPOLEN_EXP_FASTOPEN_BASE);
		o->present |= TCPOPT_HAVE_TFO;
		return;
	case TCPOPT_MPTCP:
		o->present |= TCPOPT_HAVE_MPTCP;	/* subtypes vary in length */
		return;
	case TCPOPT_MD5:
		if (len != TCPOLEN_MD5)
			break;
		o->present |= TCPOPT_HAVE_MD5;
		return;
	case TCPOPT_AO:
		if (len < TCPOLEN_AO_MIN)
			break;
		o->present |= TCPOPT_HAVE_MD5;
		return;
	default:
		return;		/* unknown kinds are skipped by their length */
	}
	seg->warn |= SEGWARN_BAD_OPTION;
}

/* Walk the option bytes.  'c' holds the captured ones; 'declared' is how
 * many the data offset says there are (>= cur_left(c)).  An option cut by
 * the snapshot length is not a lie, so only the declared space decides
 * whether a length is bad; running out of captured bytes just stops. */
static void
tcp_options(struct cursor *c, size_t declared, struct segment *seg)
{
	struct cursor val;
	uint8_t kind, len;
	size_t left = declared;		/* declared bytes from the kind byte on */

	while (cur_left(c) > 0) {
		kind = cur_u8(c);
		if (kind == TCPOPT_EOL)
			return;
		left--;
		if (kind == TCPOPT_NOP)
			continue;
		if (left == 0) {
			seg->warn |= SEGWARN_BAD_OPTION;
			return;		/* no room for a length byte */
		}
		if (cur_left(c) == 0)
			return;		/* length byte cut by snaplen */
		len = cur_u8(c);
		if (len < 2 || (size_t)len - 1 > left) {
			seg->warn |= SEGWARN_BAD_OPTION;
			return;		/* the rest cannot be framed */
		}
		if (!cur_sub(c, (size_t)len - 2, &val))
			return;		/* value cut by snaplen: already warned */
		left -= (size_t)len - 1;
		tcp_option(kind, len, &val, seg);
	}
}

/* The first 16 bytes: ports, seq, ack, data offset, flags, window.  They
 * name the connection, so seg gets them (and tcp_seen) even if what
 * follows fails: the flow table numbers streams as Wireshark does, which
 * reads exactly these before it looks the conversation up.  False, with
 * nothing filled, when they were not all captured. */
static bool
tcp_first16(struct cursor *c, struct segment *seg)
{
	uint16_t sport, dport, off_flags, win;
	uint32_t seq, ack;

	sport = cur_be16(c);
	dport = cur_be16(c);
	seq = cur_be32(c);
	ack = cur_be32(c);
	off_flags = cur_be16(c);
	win = cur_be16(c);
	if (c->short_read)
		return false;
	seg->src.port = sport;
	seg->dst.port = dport;
	seg->seq = seq;
	seg->ack = ack;
	seg->flags = off_flags & TCP_FLAGS_MASK;	/* 9 bits incl. AE */
	seg->win_raw = win;
	seg->hdr_len = (uint16_t)((off_flags >> 12) * 4);
	seg->tcp_seen = true;
	return true;
}

enum decode_result
decode_tcp(struct cursor *c, uint32_t ip_len, struct segment *seg)
{
	struct cursor opts;
	uint32_t hlen, optlen;
	size_t have;

	if (!tcp_first16(c, seg))
		return ip_len < TCP_HDR_MIN ? DECODE_MALFORMED : DECODE_TRUNCATED;
	hlen = seg->hdr_len;
	seg->hdr_fits = ip_len >= hlen;

	if (ip_len < TCP_HDR_MIN)
		return DECODE_MALFORMED;	/* IP claims less than a TCP header;
						 * without this check the clamp would
						 * make it look merely truncated */
	cur_skip(c, 4);				/* checksum, urgent pointer */
	if (c->short_read)
		return DECODE_TRUNCATED;	/* capture ended inside the header */
	if (hlen < TCP_HDR_MIN || hlen > ip_len)
		return DECODE_MALFORMED;	/* the data offset lies */

	/* Options cut by the snapshot length are normal for a headers-only
	 * capture: parse what is there and say so. */
	optlen = hlen - TCP_HDR_MIN;
	have = cur_left(c) < optlen ? cur_left(c) : optlen;
	(void)cur_sub(c, have, &opts);
	if (have < optlen)
		seg->warn |= SEGWARN_OPTIONS_TRUNCATED;
	tcp_options(&opts, optlen, seg);

	seg->payload_len = ip_len - hlen;	/* from the headers, not caplen */
	if (have == optlen) {
		seg->captured_payload = (uint32_t)cur_left(c);
		if (seg->captured_payload > 0)
			seg->payload = c->p;
	}
	return DECODE_OK;
}

enum decode_result
decode_tcp_quoted(struct cursor *c, struct segment *seg)
{
	/* hdr_fits stays false: the quote is about a segment, not one to
	 * take base sequence numbers or options from. */
	return tcp_first16(c, seg) ? DECODE_ICMP_QUOTE : DECODE_NOT_TCP;
}
