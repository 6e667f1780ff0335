/* decode_ip.c: IPv4 and IPv6 headers, the IPv6 extension-header walk, the
 * tunnels that carry IP (IP-in-IP, GRE) and ICMP errors that quote TCP.
 *
 * Finds the TCP header and the length the IP layer claims for it, clamps
 * the cursor to that length (so Ethernet padding or an FCS never becomes
 * payload) and records addresses, TTL/hop limit and the IPv4 id.  In a
 * tunnel the innermost IP header wins: Wireshark's tcp.stream follows the
 * addresses nearest to TCP. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "decode.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
#define IPP_ICMP	1		/* RFC 792 */
#define IPP_IPV4	4		/* RFC 2003 IP-in-IP */
#define IPP_TCP		6
#define IPP_IPV6	41		/* RFC 4213 6in4, RFC 2473 */
#define IPP_ROUTING	43		/* RFC 8200 4.4 */
#define IPP_FRAGMENT	44		/* RFC 8200 4.5 */
#define IPP_GRE		47		/* RFC 2784, RFC 2890 */
#define IPP_ESP		50		/* RFC 4303: encrypted, nothing to see */
#define IPP_AH		51		/* RFC 4302 */
#define IPP_ICMPV6	58		/* RFC 4443 */
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

/* Arbitrary: IP headers in one packet, the outermost included.  Real
 * tunnels nest two or three deep; the bound also ends the recursion of a
 * crafted packet (IP in GRE in IP ...) in one counted UNSUPPORTED. */
#define IP_MAX_DEPTH	4

#define GRE_HDR_MIN	4		/* flags and version, protocol type */
#define GRE_C		0x8000		/* RFC 2784: checksum and reserved1 present */
#define GRE_R		0x4000		/* RFC 1701: routing present */
#define GRE_K		0x2000		/* RFC 2890: key present */
#define GRE_S		0x1000		/* RFC 2890: sequence number present */
#define GRE_VER_MASK	0x0007
#define GRE_VER_PPTP	1		/* RFC 2637 enhanced GRE, carrying PPP */
#define GRE_OPT_LEN	4		/* each of checksum, key, sequence number */

#define ETHERTYPE_IPV4	0x0800
#define ETHERTYPE_IPV6	0x86dd
#define ETHERTYPE_TEB	0x6558		/* transparent Ethernet bridging */

#define ICMP_HDR_LEN	8		/* type, code, checksum, one 32-bit word */

/* ICMP (RFC 792) error types that quote the offending packet and whose
 * quoted TCP header Wireshark 4.0 gives a tcp.stream.  Redirect (5) also
 * quotes, but Wireshark cuts its quote to 8 bytes of TCP, so it never does. */
#define ICMP_UNREACH	3
#define ICMP_SOURCEQUENCH 4
#define ICMP_TIMXCEED	11
#define ICMP_PARAMPROB	12

/* ICMPv6 (RFC 4443) error types: every one quotes. */
#define ICMP6_UNREACH	1
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP6_TIMXCEED	3
#define ICMP6_PARAMPROB	4

static enum decode_result ip_payload(struct cursor *, uint8_t, size_t, struct encap,
    struct segment *);

/* Protocols that may lead to a TCP header: TCP itself, a tunnel, or an
 * ICMP error quoting one.  The rest is NOT_TCP however its IP header ends. */
static bool
ip_proto_wanted(uint8_t proto)
{
	switch (proto) {
	case IPP_TCP:
	case IPP_IPV4:
	case IPP_IPV6:
	case IPP_GRE:
	case IPP_ICMP:
	case IPP_ICMPV6:
		return true;
	default:
		return false;
	}
}

enum decode_result
decode_ip(struct cursor *c, size_t wire_len, struct encap e, struct segment *seg)
{
	uint8_t first;

	if (!cur_peek_u8(c, 0, &first))
		return DECODE_TRUNCATED;
	switch (first >> 4) {
	case 4:
		return decode_ipv4(c, wire_len, e, seg);
	case 6:
		return decode_ipv6(c, wire_len, e, seg);
	default:
		return DECODE_MALFORMED;	/* a raw-IP link carries nothing else */
	}
}

enum decode_result
decode_ipv4(struct cursor *c, size_t wire_len, struct encap e, struct segment *seg)
{
	uint8_t vihl, ttl, proto;
	uint16_t total, id, frag;
	size_t hlen, ip_len;

	if (e.depth >= IP_MAX_DEPTH)
		return DECODE_UNSUPPORTED;
	e.depth++;				/* from here on: our payload's */
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
	/* An enclosing IPv6 header (4in6) filled all 16 bytes. */
	memset(seg->src.addr, 0, sizeof(seg->src.addr));
	memset(seg->dst.addr, 0, sizeof(seg->dst.addr));
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
	 * keeps the frame's length and analyses on, and so do we (counted).
	 * Not so in a quote: RFC 792 quotes 8 bytes of payload and Linux up
	 * to 576 bytes in all, so a quoted packet is meant to be longer than
	 * what is left, and only what was captured is read. */
	if (ip_len > wire_len && !e.quote) {
		ip_len = wire_len;
		seg->warn |= SEGWARN_IP_LEN_CLAMPED;
		if (ip_len < hlen)
			return DECODE_TRUNCATED;
	}
	if (frag & (IPV4_MF | IPV4_OFFMASK)) {
		/* DF alone is fine.  A quoted first fragment cut short, as
		 * quotes are, is dissected like any first fragment; with all
		 * its bytes there Wireshark tries to reassemble it instead,
		 * which a lone fragment never completes. */
		if (!e.quote || (frag & IPV4_OFFMASK) != 0 ||
		    ip_len - IPV4_HDR_MIN <= cur_left(c))
			return DECODE_FRAGMENT;
	}
	if (!ip_proto_wanted(proto))
		return DECODE_NOT_TCP;
	cur_skip(c, hlen - IPV4_HDR_MIN);	/* options: none change the walk */
	if (c->short_read)
		return DECODE_TRUNCATED;
	cur_clamp(c, ip_len - hlen);
	return ip_payload(c, proto, ip_len - hlen, e, seg);
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
decode_ipv6(struct cursor *c, size_t wire_len, struct encap e, struct segment *seg)
{
	struct cursor ext;
	uint8_t first, nh, this, hdrlen;
	uint16_t plen, offm;
	uint32_t jumbo;
	size_t limit, used, len;
	unsigned n;

	if (e.depth >= IP_MAX_DEPTH)
		return DECODE_UNSUPPORTED;
	e.depth++;				/* from here on: our payload's */
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
	seg->ip_id = 0;				/* an enclosing IPv4 header (6in4) set it */

	/* 'limit' is the number of bytes after the fixed header that belong
	 * to this packet, 'used' how many of them extension headers took.
	 * A payload length of 0 means a jumbogram (RFC 2675) or, when no
	 * jumbo option turns up, a GSO packet caught before segmentation:
	 * until told otherwise, trust the frame as for IPv4 total length 0.
	 * (Wireshark does that for IPv6 only with a non-default preference;
	 * without it, such a segment would look empty and break tracking.) */
	if (plen != 0) {
		limit = plen;
		if (limit > wire_len - IPV6_HDR_LEN && !e.quote) {
			/* beyond the frame on the wire: as for IPv4 (and,
			 * as there, normal in a quote) */
			limit = wire_len - IPV6_HDR_LEN;
			seg->warn |= SEGWARN_IP_LEN_CLAMPED;
		}
		cur_clamp(c, limit);
	} else {
		limit = wire_len - IPV6_HDR_LEN;	/* >= 0: 40 bytes were read */
	}
	used = 0;

	for (n = 0; n <= IPV6_MAX_EXT; n++) {	/* up to 16 headers, then the payload */
		switch (nh) {
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
			return DECODE_NOT_TCP;	/* encrypted, or nothing at all */
		default:
			return ip_payload(c, nh, limit - used, e, seg);
		}
	}
	return DECODE_MALFORMED;		/* longer chain than any real stack sends */
}

/* GRE, RFC 2784 with RFC 2890's key and sequence number.  Like Wireshark
 * we read every version but PPTP's as version 0, and the flag bits RFC
 * 2784 reserved (RFC 1701's strict source route, recursion control) as
 * changing nothing. */
static enum decode_result
decode_gre(struct cursor *c, size_t len, struct encap e, struct segment *seg)
{
	uint16_t flags, proto;
	size_t hlen;

	flags = cur_be16(c);
	proto = cur_be16(c);
	if (c->short_read)
		return len < GRE_HDR_MIN ? DECODE_MALFORMED : DECODE_TRUNCATED;
	if ((flags & GRE_VER_MASK) == GRE_VER_PPTP)
		return DECODE_NOT_TCP;		/* PPP over PPTP: not unwrapped */
	if (proto != ETHERTYPE_IPV4 && proto != ETHERTYPE_IPV6 && proto != ETHERTYPE_TEB)
		return DECODE_NOT_TCP;		/* MPLS, ERSPAN, keepalives, ... */
	if (flags & GRE_R)
		return DECODE_UNSUPPORTED;	/* RFC 1701 source route entries */
	hlen = GRE_HDR_MIN;
	if (flags & GRE_C)
		hlen += GRE_OPT_LEN;
	if (flags & GRE_K)
		hlen += GRE_OPT_LEN;
	if (flags & GRE_S)
		hlen += GRE_OPT_LEN;
	if (hlen > len)
		return DECODE_MALFORMED;	/* beyond the IP payload */
	cur_skip(c, hlen - GRE_HDR_MIN);
	if (c->short_read)
		return DECODE_TRUNCATED;
	len -= hlen;
	switch (proto) {
	case ETHERTYPE_IPV4:
		return decode_ipv4(c, len, e, seg);
	case ETHERTYPE_IPV6:
		return decode_ipv6(c, len, e, seg);
	default:
		return decode_ether_tunnelled(c, len, e, seg);
	}
}

static bool
icmp_quotes_tcp(uint8_t type, bool v6)
{
	if (v6)
		return type >= ICMP6_UNREACH && type <= ICMP6_PARAMPROB;
	switch (type) {
	case ICMP_UNREACH:
	case ICMP_SOURCEQUENCH:
	case ICMP_TIMXCEED:
	case ICMP_PARAMPROB:
		return true;
	default:
		return false;
	}
}

/* An ICMP or ICMPv6 message.  An error quotes as much of the packet that
 * caused it as fits after its 8-byte header; Wireshark dissects a quoted
 * TCP header and numbers it by the quoted addresses and ports, so we hand
 * those on.  Anything else is NOT_TCP: the ICMP packet itself is sound
 * whatever its quote looks like. */
static enum decode_result
decode_icmp(struct cursor *c, size_t len, struct encap e, bool v6, struct segment *seg)
{
	enum decode_result r;
	uint8_t type;

	/* RFC 1122 3.2.2 and RFC 4443 2.4 (e.1): no error about an error, so
	 * ICMP in a quote is not looked into. */
	if (e.quote)
		return DECODE_NOT_TCP;
	type = cur_u8(c);
	cur_skip(c, ICMP_HDR_LEN - 1);		/* code, checksum, type-specific word */
	if (c->short_read)
		return DECODE_NOT_TCP;		/* Wireshark numbers nothing here either */
	if (!icmp_quotes_tcp(type, v6))
		return DECODE_NOT_TCP;		/* echo, neighbour discovery, ... */
	e.quote = true;
	len -= ICMP_HDR_LEN;			/* len >= what was there, which was >= 8 */
	/* ICMP hands its quote to Wireshark's "ip" dissector, which takes
	 * either version; ICMPv6 only ever quotes IPv6. */
	if (v6)
		r = decode_ipv6(c, len, e, seg);
	else
		r = decode_ip(c, len, e, seg);
	return r == DECODE_ICMP_QUOTE ? r : DECODE_NOT_TCP;
}

/* What an IP header's protocol (next header) field leads to; 'len' is the
 * payload length the header claims, and e already counts that header. */
static enum decode_result
ip_payload(struct cursor *c, uint8_t proto, size_t len, struct encap e, struct segment *seg)
{
	switch (proto) {
	case IPP_TCP:
		if (e.quote)
			return decode_tcp_quoted(c, seg);
		return decode_tcp(c, (uint32_t)len, seg);
	case IPP_IPV4:
		return decode_ipv4(c, len, e, seg);
	case IPP_IPV6:
		return decode_ipv6(c, len, e, seg);
	case IPP_GRE:
		return decode_gre(c, len, e, seg);
	case IPP_ICMP:
		return decode_icmp(c, len, e, false, seg);
	case IPP_ICMPV6:
		return decode_icmp(c, len, e, true, seg);
	default:
		return DECODE_NOT_TCP;		/* UDP, SCTP, ... */
	}
}
