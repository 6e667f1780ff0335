/* decode_ip.c: IPv4 and IPv6 headers, and the IPv6 extension-header walk.
 *
 * Finds the TCP header and the length the IP layer claims for it, clamps
 * the cursor to that length (so Ethernet padding or an FCS never becomes
 * payload) and records addresses, TTL/hop limit and the IPv4 id. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "decode.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "decode_int.h"

#define IPV4_HDR_MIN	20
#define IPV6_HDR_LEN	40

#define IPV4_MF		0x2000		/* RFC 791: more fragments */
#define IPV4_OFFMASK	0x1fff		/* RFC 791: fragment offset, 8-byte units */
#define IPV6_FRAG_OFFMASK 0xfff8	/* RFC 8200 4.5: offset, 8-byte units */
#define IPV6_FRAG_M	0x0001		/* RFC 8200 4.5: more fragments */

/* IANA protocol numbers that matter to the walk. */
#define IPP_HOPOPTS	0		/* RFC 8200 4.3 */
#define IPP_TCP		6
#define IPP_ROUTING	43		/* RFC 8200 4.4 */
#define IPP_FRAGMENT	44		/* RFC 8200 4.5 */
#define IPP_ESP		50		/* RFC 4303: encrypted, nothing to see */
#define IPP_AH		51		/* RFC 4302 */
#define IPP_NONE	59		/* RFC 8200 4.7 */
#define IPP_DSTOPTS	60		/* RFC 8200 4.6 */
#define IPP_MOBILITY	135		/* RFC 6275 */
#define IPP_HIP		139		/* RFC 7401 */
#define IPP_SHIM6	140		/* RFC 5533 */

#define IP6OPT_PAD1	0x00
#define IP6OPT_JUMBO	0xc2		/* RFC 2675 section 2 */
#define IP6OPT_JUMBO_LEN 4

/* Arbitrary: RFC 8200 4.1 recommends at most one of each header (two
 * destination options), so 16 is generous; a longer chain is hostile. */
#define IPV6_MAX_EXT	16

enum decode_result
decode_ip(struct cursor *c, size_t wire_len, struct segment *seg)
{
	uint8_t first;

	if (!cur_peek_u8(c, 0, &first))
		return DECODE_TRUNCATED;
	switch (first >> 4) {
	case 4:
		return decode_ipv4(c, wire_len, seg);
	case 6:
		return decode_ipv6(c, wire_len, seg);
	default:
		return DECODE_MALFORMED;	/* a raw-IP link carries nothing else */
	}
}

enum decode_result
decode_ipv4(struct cursor *c, size_t wire_len, struct segment *seg)
{
	uint8_t vihl, ttl, proto;
	uint16_t total, id, frag;
	size_t hlen, ip_len;

	if (!cur_peek_u8(c, 0, &vihl))
		return DECODE_TRUNCATED;
	if (vihl >> 4 != 4)
		return DECODE_MALFORMED;
	cur_skip(c, 2);				/* version/IHL, DSCP/ECN */
	total = cur_be16(c);
	id = cur_be16(c);
	frag = cur_be16(c);
	ttl = cur_u8(c);
	proto = cur_u8(c);
	cur_skip(c, 2);				/* header checksum: not verified */
	cur_copy(c, seg->src.addr, 4);
	cur_copy(c, seg->dst.addr, 4);
	if (c->short_read)
		return DECODE_TRUNCATED;
	seg->src.family = 4;
	seg->dst.family = 4;
	seg->ttl = ttl;
	seg->ip_id = id;

	hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < IPV4_HDR_MIN)
		return DECODE_MALFORMED;	/* RFC 791: IHL is at least 5 */
	/* A total length of 0 is what TSO/GSO and BIG TCP leave in packets
	 * captured on the sending host before segmentation; Wireshark (with
	 * its default "support packet-capture from IP TSO-enabled hardware")
	 * then takes the length of the frame instead, and so do we. */
	ip_len = total != 0 ? total : wire_len;
	if (ip_len < hlen)
		return DECODE_MALFORMED;	/* shorter than its own header */
	/* A total length beyond the frame on the wire lies; Wireshark then
	 * keeps the frame's length and analyses on, and so do we (counted). */
	if (ip_len > wire_len) {
		ip_len = wire_len;
		seg->warn |= SEGWARN_IP_LEN_CLAMPED;
		if (ip_len < hlen)
			return DECODE_TRUNCATED;
	}
	if (frag & (IPV4_MF | IPV4_OFFMASK))
		return DECODE_FRAGMENT;		/* DF alone is fine */
	if (proto != IPP_TCP)
		return DECODE_NOT_TCP;
	cur_skip(c, hlen - IPV4_HDR_MIN);	/* options: none change the walk */
	if (c->short_read)
		return DECODE_TRUNCATED;
	cur_clamp(c, ip_len - hlen);
	return decode_tcp(c, (uint32_t)(ip_len - hlen), seg);
}

/* Look through a Hop-by-Hop header's options (after its first two bytes)
 * for a Jumbo Payload option.  The walk is forgiving: an option that
 * overruns the header just ends the search, as the packet may still be
 * perfectly good TCP to everyone who ignores the option. */
static bool
ipv6_find_jumbo(struct cursor *opts, uint32_t *jumbo)
{
	uint8_t type, len;

	while (cur_left(opts) > 0) {
		type = cur_u8(opts);
		if (type == IP6OPT_PAD1)
			continue;		/* the one option without a length */
		len = cur_u8(opts);
		if (type == IP6OPT_JUMBO && len == IP6OPT_JUMBO_LEN) {
			*jumbo = cur_be32(opts);
			return !opts->short_read;
		}
		cur_skip(opts, len);
		if (opts->short_read)
			return false;
	}
	return false;
}

enum decode_result
decode_ipv6(struct cursor *c, size_t wire_len, struct segment *seg)
{
	struct cursor ext;
	uint8_t first, nh, this, hdrlen;
	uint16_t plen, offm;
	uint32_t jumbo;
	size_t limit, used, len;
	unsigned n;

	if (!cur_peek_u8(c, 0, &first))
		return DECODE_TRUNCATED;
	if (first >> 4 != 6)
		return DECODE_MALFORMED;
	cur_skip(c, 4);				/* version, traffic class, flow label */
	plen = cur_be16(c);
	nh = cur_u8(c);
	seg->ttl = cur_u8(c);
	cur_copy(c, seg->src.addr, 16);
	cur_copy(c, seg->dst.addr, 16);
	if (c->short_read)
		return DECODE_TRUNCATED;
	seg->src.family = 6;
	seg->dst.family = 6;

	/* 'limit' is the number of bytes after the fixed header that belong
	 * to this packet, 'used' how many of them extension headers took.
	 * A payload length of 0 means a jumbogram (RFC 2675) or, when no
	 * jumbo option turns up, a GSO packet caught before segmentation:
	 * until told otherwise, trust the frame as for IPv4 total length 0.
	 * (Wireshark does that for IPv6 only with a non-default preference;
	 * without it, such a segment would look empty and break tracking.) */
	if (plen != 0) {
		limit = plen;
		if (limit > wire_len - IPV6_HDR_LEN) {
			/* beyond the frame on the wire: as for IPv4 */
			limit = wire_len - IPV6_HDR_LEN;
			seg->warn |= SEGWARN_IP_LEN_CLAMPED;
		}
		cur_clamp(c, limit);
	} else {
		limit = wire_len - IPV6_HDR_LEN;	/* >= 0: 40 bytes were read */
	}
	used = 0;

	for (n = 0; n <= IPV6_MAX_EXT; n++) {	/* up to 16 headers, then TCP */
		switch (nh) {
		case IPP_TCP:
			return decode_tcp(c, (uint32_t)(limit - used), seg);
		case IPP_FRAGMENT:
			if (limit - used < 8)
				return DECODE_MALFORMED;
			nh = cur_u8(c);
			cur_skip(c, 1);		/* reserved */
			offm = cur_be16(c);
			cur_skip(c, 4);		/* identification */
			if (c->short_read)
				return DECODE_TRUNCATED;
			/* Offset 0 without M is an atomic fragment: the whole
			 * packet, processed as if unfragmented (RFC 6946). */
			if (offm & (IPV6_FRAG_OFFMASK | IPV6_FRAG_M))
				return DECODE_FRAGMENT;
			used += 8;
			break;
		case IPP_HOPOPTS:
		case IPP_ROUTING:
		case IPP_DSTOPTS:
		case IPP_AH:
		case IPP_MOBILITY:
		case IPP_HIP:
		case IPP_SHIM6:
			if (!cur_peek_u8(c, 1, &hdrlen))
				return DECODE_TRUNCATED;
			/* RFC 8200 4.3: 8-byte units not counting the first 8;
			 * RFC 4302 2.2: AH counts 4-byte units minus 2. */
			if (nh == IPP_AH)
				len = ((size_t)hdrlen + 2) * 4;
			else
				len = ((size_t)hdrlen + 1) * 8;
			if (len > limit - used)
				return DECODE_MALFORMED;	/* beyond the payload */
			if (!cur_sub(c, len, &ext))
				return DECODE_TRUNCATED;
			this = nh;
			nh = cur_u8(&ext);
			cur_skip(&ext, 1);
			used += len;
			/* RFC 2675 section 3: the jumbo option is only valid with
			 * a payload length of 0, in a Hop-by-Hop header, which
			 * RFC 8200 4.1 puts right after the IPv6 header. */
			if (this == IPP_HOPOPTS && n == 0 && plen == 0 &&
			    ipv6_find_jumbo(&ext, &jumbo)) {
				if (jumbo < used)
					return DECODE_MALFORMED;
				limit = jumbo;
				cur_clamp(c, limit - used);
			}
			break;
		case IPP_ESP:
		case IPP_NONE:
		default:
			return DECODE_NOT_TCP;	/* UDP, ICMPv6, encrypted, ... */
		}
	}
	return DECODE_MALFORMED;		/* longer chain than any real stack sends */
}
