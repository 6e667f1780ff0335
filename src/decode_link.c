/* decode_link.c: decode_packet() and every link-layer format, dispatched by DLT.
 *
 * Owns Ethernet II / 802.3 LLC-SNAP, 802.1Q/802.1ad tags, MPLS, PPPoE, Linux
 * cooked v1/v2, raw IP, BSD loopback and NFLOG.  Each decoder peels its
 * header(s) and hands the IP layer a cursor clamped to whatever length the
 * link header claims, plus how many bytes the snapshot length cut off.
 * The Ethernet decoders also serve an Ethernet frame tunnelled in GRE, so
 * they pass on where that frame sits (struct encap). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "decode.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pcap/dlt.h>

#include "cursor.h"
#include "decode_int.h"


/* Raw IP shows up under three numbers: DLT_RAW is 12 on most systems and 14
 * on BSD/OS, and LINKTYPE_RAW (101) is what pcap files store.  The table
 * lists the host's DLT_* values first, so on OpenBSD (where 12 is DLT_LOOP)
 * the real meaning wins and these fallbacks never match. */
#define LINK_RAW_12	12
#define LINK_RAW_14	14
#define LINKTYPE_RAW	101

#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_8021Q		0x8100	/* IEEE 802.1Q C-tag */
#define ETHERTYPE_8021AD	0x88a8	/* IEEE 802.1ad S-tag */
#define ETHERTYPE_QINQ_OLD	0x9100	/* pre-standard Q-in-Q */
#define ETHERTYPE_MPLS		0x8847
#define ETHERTYPE_MPLS_MC	0x8848
#define ETHERTYPE_PPPOE_SESS	0x8864	/* RFC 2516 session stage */

/* IEEE 802.3 clause 3.2.6: up to 1500 the field is a length, from 0x0600 a
 * type; the values between are undefined. */
#define ETHER_MAX_LEN_FIELD	1500
#define ETHER_MIN_TYPE		0x0600

#define SLL_P_802_2		0x0004	/* Linux ETH_P_802_2: LLC frame follows */
#define ARPHRD_NETLINK		824	/* protocol field is a netlink family */

#define PPP_IPV4		0x0021	/* RFC 1332 */
#define PPP_IPV6		0x0057	/* RFC 5072 */

#define NFLOG_TLV_HDR_LEN	4
#define NFULA_PAYLOAD		9
#define NLA_TYPE_MASK		0x3fff	/* netlink: top two type bits are flags */

/* Address families seen in DLT_NULL / DLT_LOOP headers. */
#define LINK_AF_INET		2
#define LINK_AF_INET6_BSD	24	/* NetBSD, OpenBSD, BSD/OS */
#define LINK_AF_INET6_FREEBSD	28
#define LINK_AF_INET6_DARWIN	30

/* Netfilter protocol families in the NFLOG header (Linux's AF_* values). */
#define NFPROTO_IPV4		2
#define NFPROTO_IPV6		10

/* Arbitrary bounds: no real network stacks this deep, and each bound turns
 * a crafted packet's long walk into one counted UNSUPPORTED/MALFORMED. */
#define LINK_MAX_TAGS		8	/* VLAN tags plus LLC/SNAP wrappers */
#define MPLS_MAX_LABELS		16
#define NFLOG_MAX_TLVS		64	/* libnetfilter_log defines about 20 */

/* Where a link layer that starts the packet sits: nowhere. */
static const struct encap link_top = { 0, false };

static enum decode_result decode_ethertype(struct cursor *, uint16_t, unsigned, size_t,
    struct encap, struct segment *);

/* Clamp c to the 'claimed' bytes a link header says follow, and return how
 * many of those were on the wire but not captured (never more than were
 * cut off before the clamp). */
static size_t
link_clamp(struct cursor *c, size_t claimed, size_t uncaptured)
{
	size_t left = cur_left(c);

	if (claimed <= left) {
		cur_clamp(c, claimed);
		return 0;
	}
	return claimed - left < uncaptured ? claimed - left : uncaptured;
}

static enum decode_result
link_ipv4(struct cursor *c, size_t uncaptured, struct segment *seg)
{
	return decode_ipv4(c, cur_left(c) + uncaptured, link_top, seg);
}

static enum decode_result
link_ipv6(struct cursor *c, size_t uncaptured, struct segment *seg)
{
	return decode_ipv6(c, cur_left(c) + uncaptured, link_top, seg);
}

static enum decode_result
link_raw(struct cursor *c, size_t uncaptured, struct segment *seg)
{
	return decode_ip(c, cur_left(c) + uncaptured, link_top, seg);
}

/* IEEE 802.2 LLC, and SNAP (RFC 1042) when it carries an ethertype. */
static enum decode_result
decode_llc(struct cursor *c, unsigned depth, size_t uncaptured, struct encap e,
    struct segment *seg)
{
	uint8_t dsap, ssap, ctrl;
	uint32_t oui;
	uint16_t type;

	dsap = cur_u8(c);
	ssap = cur_u8(c);
	ctrl = cur_u8(c);
	if (c->short_read)
		return DECODE_TRUNCATED;
	if (dsap != 0xaa || ssap != 0xaa || ctrl != 0x03)
		return DECODE_NOT_TCP;		/* STP, IPX, NetBIOS ...: not SNAP UI */
	oui = (uint32_t)cur_u8(c) << 16;
	oui |= cur_be16(c);
	type = cur_be16(c);
	if (c->short_read)
		return DECODE_TRUNCATED;
	/* OUI 0 is RFC 1042 encapsulation, 00-00-F8 IEEE 802.1H bridge tunnel;
	 * both carry an ethertype.  Other OUIs own their protocol ids. */
	if (oui != 0x000000 && oui != 0x0000f8)
		return DECODE_NOT_TCP;
	if (type < ETHER_MIN_TYPE)
		return DECODE_MALFORMED;	/* SNAP's PID is a type, never a length */
	return decode_ethertype(c, type, depth, uncaptured, e, seg);
}

/* RFC 3032 label stack entries, 4 bytes each, down to the one with the
 * bottom-of-stack bit.  MPLS has no next-protocol field: like every
 * dissector we guess from the first nibble of what follows. */
static enum decode_result
decode_mpls(struct cursor *c, size_t uncaptured, struct encap e, struct segment *seg)
{
	unsigned n;
	uint32_t lse;
	uint8_t first;

	for (n = 0; n < MPLS_MAX_LABELS; n++) {
		lse = cur_be32(c);
		if (c->short_read)
			return DECODE_TRUNCATED;
		if ((lse & 0x100) == 0)
			continue;		/* S bit clear: another label follows */
		if (!cur_peek_u8(c, 0, &first))
			return DECODE_TRUNCATED;
		switch (first >> 4) {
		case 4:
			return decode_ipv4(c, cur_left(c) + uncaptured, e, seg);
		case 6:
			return decode_ipv6(c, cur_left(c) + uncaptured, e, seg);
		default:
			/* 0 is a pseudowire control word (RFC 4385) and 1 a
			 * G-ACh (RFC 5586): Ethernet-over-MPLS and OAM, which
			 * we do not unwrap. */
			return DECODE_UNSUPPORTED;
		}
	}
	return DECODE_UNSUPPORTED;
}

/* RFC 2516 section 4: PPPoE session header, then a PPP protocol field. */
static enum decode_result
decode_pppoe(struct cursor *c, size_t uncaptured, struct encap e, struct segment *seg)
{
	uint8_t ver_type, code, b;
	uint16_t len, proto;

	ver_type = cur_u8(c);
	code = cur_u8(c);
	cur_skip(c, 2);				/* session id */
	len = cur_be16(c);
	if (c->short_read)
		return DECODE_TRUNCATED;
	if (ver_type != 0x11)
		return DECODE_UNSUPPORTED;	/* only version 1, type 1 exists */
	if (code != 0x00)
		return DECODE_MALFORMED;	/* section 5: session data has code 0 */
	if (len == 0)
		return DECODE_MALFORMED;	/* no room for the PPP protocol */
	uncaptured = link_clamp(c, len, uncaptured);	/* drop Ethernet padding */

	b = cur_u8(c);
	if (c->short_read)
		return DECODE_TRUNCATED;
	if (b & 1) {
		proto = b;			/* RFC 1661 6.5 field compression */
	} else {
		if (len < 2)
			return DECODE_MALFORMED;
		proto = (uint16_t)(b << 8 | cur_u8(c));
		if (c->short_read)
			return DECODE_TRUNCATED;
	}
	switch (proto) {
	case PPP_IPV4:
		return decode_ipv4(c, cur_left(c) + uncaptured, e, seg);
	case PPP_IPV6:
		return decode_ipv6(c, cur_left(c) + uncaptured, e, seg);
	default:
		return DECODE_NOT_TCP;		/* LCP, IPCP, CHAP, ... */
	}
}

/* Everything that an ethertype (or an 802.3 length) can introduce.  'depth'
 * counts the VLAN tags and SNAP wrappers peeled so far, so stacked tags and
 * SNAP-inside-a-tag share one bound. */
static enum decode_result
decode_ethertype(struct cursor *c, uint16_t type, unsigned depth, size_t uncaptured,
    struct encap e, struct segment *seg)
{
	for (;;) {
		if (type <= ETHER_MAX_LEN_FIELD) {
			/* 802.3 length frame: the LLC payload ends here, the
			 * rest is padding (and maybe an FCS). */
			if (++depth > LINK_MAX_TAGS)
				return DECODE_UNSUPPORTED;
			if (type < 3)
				return DECODE_MALFORMED;	/* shorter than LLC */
			uncaptured = link_clamp(c, type, uncaptured);
			return decode_llc(c, depth, uncaptured, e, seg);
		}
		if (type < ETHER_MIN_TYPE)
			return DECODE_MALFORMED;	/* 1501..1535 are undefined */

		switch (type) {
		case ETHERTYPE_IPV4:
			return decode_ipv4(c, cur_left(c) + uncaptured, e, seg);
		case ETHERTYPE_IPV6:
			return decode_ipv6(c, cur_left(c) + uncaptured, e, seg);
		case ETHERTYPE_8021Q:
		case ETHERTYPE_8021AD:
		case ETHERTYPE_QINQ_OLD:
			if (++depth > LINK_MAX_TAGS)
				return DECODE_UNSUPPORTED;
			cur_skip(c, 2);		/* PCP, DEI, VLAN id */
			type = cur_be16(c);
			if (c->short_read)
				return DECODE_TRUNCATED;
			continue;
		case ETHERTYPE_MPLS:
		case ETHERTYPE_MPLS_MC:
			return decode_mpls(c, uncaptured, e, seg);
		case ETHERTYPE_PPPOE_SESS:
			return decode_pppoe(c, uncaptured, e, seg);
		default:
			return DECODE_NOT_TCP;	/* ARP, LLDP, PPPoE discovery, ... */
		}
	}
}

/* Ethernet II or IEEE 802.3: two MAC addresses, then a type or a length.
 * An FCS, if captured, is left behind by the IP length clamp. */
static enum decode_result
decode_ether_at(struct cursor *c, size_t uncaptured, struct encap e, struct segment *seg)
{
	uint16_t type;

	cur_skip(c, 12);			/* destination, source */
	type = cur_be16(c);
	if (c->short_read)
		return DECODE_TRUNCATED;
	return decode_ethertype(c, type, 0, uncaptured, e, seg);
}

static enum decode_result
decode_ether(struct cursor *c, size_t uncaptured, struct segment *seg)
{
	return decode_ether_at(c, uncaptured, link_top, seg);
}

enum decode_result
decode_ether_tunnelled(struct cursor *c, size_t wire_len, struct encap e, struct segment *seg)
{
	return decode_ether_at(c, wire_len - cur_left(c), e, seg);
}

/* The protocol field of both Linux cooked headers: an ethertype, except for
 * the small ETH_P_* values and for netlink, whose "protocol" is a netlink
 * family. */
static enum decode_result
decode_sll_proto(struct cursor *c, uint16_t hatype, uint16_t proto, size_t uncaptured,
    struct segment *seg)
{
	if (hatype == ARPHRD_NETLINK)
		return DECODE_NOT_TCP;
	if (proto == SLL_P_802_2)
		return decode_llc(c, 0, uncaptured, link_top, seg);
	if (proto < ETHER_MIN_TYPE)
		return DECODE_NOT_TCP;		/* ETH_P_802_3, ETH_P_CAN, ... */
	return decode_ethertype(c, proto, 0, uncaptured, link_top, seg);
}

/* DLT_LINUX_SLL: packet type, ARPHRD type, address length, 8 address bytes,
 * protocol (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html). */
static enum decode_result
decode_sll(struct cursor *c, size_t uncaptured, struct segment *seg)
{
	uint16_t hatype, proto;

	cur_skip(c, 2);				/* packet type */
	hatype = cur_be16(c);
	cur_skip(c, 2 + 8);			/* address length, address */
	proto = cur_be16(c);
	if (c->short_read)
		return DECODE_TRUNCATED;
	return decode_sll_proto(c, hatype, proto, uncaptured, seg);
}

/* DLT_LINUX_SLL2: protocol, reserved, interface index, ARPHRD type, packet
 * type, address length, 8 address bytes (LINKTYPE_LINUX_SLL2.html). */
static enum decode_result
decode_sll2(struct cursor *c, size_t uncaptured, struct segment *seg)
{
	uint16_t hatype, proto;

	proto = cur_be16(c);
	cur_skip(c, 2 + 4);			/* reserved, interface index */
	hatype = cur_be16(c);
	cur_skip(c, 1 + 1 + 8);			/* packet type, address length, address */
	if (c->short_read)
		return DECODE_TRUNCATED;
	return decode_sll_proto(c, hatype, proto, uncaptured, seg);
}

/* An address family from a loopback header.  AF_INET6 differs by OS
 * (LINKTYPE_NULL.html lists 24, 28 and 30), and a capture may come from
 * any of them.  Linux's 10 is not among them: Linux never writes DLT_NULL,
 * and neither tcpdump nor Wireshark take 10 for IPv6 there. */
static enum decode_result
decode_family(struct cursor *c, uint32_t family, size_t uncaptured, struct segment *seg)
{
	switch (family) {
	case LINK_AF_INET:
		return decode_ipv4(c, cur_left(c) + uncaptured, link_top, seg);
	case LINK_AF_INET6_BSD:
	case LINK_AF_INET6_FREEBSD:
	case LINK_AF_INET6_DARWIN:
		return decode_ipv6(c, cur_left(c) + uncaptured, link_top, seg);
	default:
		return DECODE_NOT_TCP;
	}
}

/* DLT_NULL: a 4-byte family in the byte order of the capturing host, which
 * need not be ours.  Every real family fits in 16 bits, so a value above
 * 0xffff can only be a little-endian one read big-endian. */
static enum decode_result
decode_null(struct cursor *c, size_t uncaptured, struct segment *seg)
{
	uint32_t family;

	family = cur_be32(c);
	if (c->short_read)
		return DECODE_TRUNCATED;
	if (family > 0xffff)
		family = (family >> 24) | (family >> 8 & 0xff00) |
		    (family << 8 & 0xff0000) | (family << 24);
	return decode_family(c, family, uncaptured, seg);
}

/* DLT_LOOP (OpenBSD): like DLT_NULL but always network byte order. */
static enum decode_result
decode_loop(struct cursor *c, size_t uncaptured, struct segment *seg)
{
	uint32_t family;

	family = cur_be32(c);
	if (c->short_read)
		return DECODE_TRUNCATED;
	return decode_family(c, family, uncaptured, seg);
}

/* A 16-bit NFLOG TLV field.  These are netlink attributes, written in the
 * capturing host's order; libpcap swaps them to the reading host's order
 * when it loads the record, so copying the two bytes into a uint16_t is
 * exactly the host-order read we need (LINKTYPE_NFLOG.html). */
static uint16_t
nflog_h16(struct cursor *c)
{
	uint16_t v;

	cur_copy(c, &v, sizeof(v));
	return v;
}

/* DLT_NFLOG: family, version, resource id (big-endian), then netlink TLVs,
 * each padded to 4 bytes; the packet itself is NFULA_PAYLOAD. */
static enum decode_result
decode_nflog(struct cursor *c, size_t uncaptured, struct segment *seg)
{
	uint8_t family;
	uint16_t len, type;
	size_t body, padded;
	unsigned n;

	family = cur_u8(c);
	cur_skip(c, 1 + 2);			/* version, resource id */
	if (c->short_read)
		return DECODE_TRUNCATED;

	for (n = 0; n < NFLOG_MAX_TLVS; n++) {
		len = nflog_h16(c);
		type = nflog_h16(c) & NLA_TYPE_MASK;
		if (c->short_read)
			return DECODE_TRUNCATED;	/* no payload captured */
		if (len < NFLOG_TLV_HDR_LEN)
			return DECODE_MALFORMED;	/* would never advance */
		body = (size_t)len - NFLOG_TLV_HDR_LEN;
		if (type == NFULA_PAYLOAD) {
			/* The header family is the netfilter protocol family:
			 * only NFPROTO_IPV4/IPV6 payloads start with IP (a
			 * bridge or ARP hook logs something else). */
			uncaptured = link_clamp(c, body, uncaptured);
			switch (family) {
			case NFPROTO_IPV4:
				return decode_ipv4(c, cur_left(c) + uncaptured, link_top, seg);
			case NFPROTO_IPV6:
				return decode_ipv6(c, cur_left(c) + uncaptured, link_top, seg);
			default:
				return DECODE_UNSUPPORTED;
			}
		}
		/* NLA_ALIGN: attributes start on 4-byte boundaries. */
		padded = ((size_t)len + 3) / 4 * 4 - NFLOG_TLV_HDR_LEN;
		if (padded > cur_left(c) + uncaptured)
			return DECODE_MALFORMED;	/* runs past the wire length */
		cur_skip(c, padded);
		if (c->short_read)
			return DECODE_TRUNCATED;
	}
	return DECODE_MALFORMED;
}

struct link_type {
	int		 dlt;
	enum decode_result (*decode)(struct cursor *, size_t, struct segment *);
	const char	*name;
};

/* First match wins: the host's own DLT_* values come before the raw-IP
 * fallbacks (see LINK_RAW_12). */
static const struct link_type link_types[] = {
	{ DLT_EN10MB,		decode_ether,	"EN10MB" },
	{ DLT_LINUX_SLL,	decode_sll,	"LINUX_SLL" },
	{ DLT_LINUX_SLL2,	decode_sll2,	"LINUX_SLL2" },
	{ DLT_RAW,		link_raw,	"RAW" },
	{ DLT_IPV4,		link_ipv4,	"IPV4" },
	{ DLT_IPV6,		link_ipv6,	"IPV6" },
	{ DLT_NULL,		decode_null,	"NULL" },
	{ DLT_LOOP,		decode_loop,	"LOOP" },
	{ DLT_NFLOG,		decode_nflog,	"NFLOG" },
	{ LINK_RAW_12,		link_raw,	"RAW" },
	{ LINK_RAW_14,		link_raw,	"RAW" },
	{ LINKTYPE_RAW,		link_raw,	"RAW" },
};

static const struct link_type *
link_lookup(int linktype)
{
	size_t i;

	for (i = 0; i < sizeof(link_types) / sizeof(link_types[0]); i++)
		if (link_types[i].dlt == linktype)
			return &link_types[i];
	return NULL;
}

bool
decode_linktype_supported(int linktype)
{
	return link_lookup(linktype) != NULL;
}

const char *
decode_linktype_name(int linktype)
{
	const struct link_type *lt = link_lookup(linktype);

	return lt != NULL ? lt->name : NULL;
}

enum decode_result
decode_packet(const struct packet *pkt, struct segment *seg)
{
	enum decode_result res;

	memset(seg, 0, sizeof(*seg));
	if (decode_fast_ether_ipv4_tcp(pkt, seg, &res))
		return res;
	return decode_packet_general(pkt, seg);
}

/* The frame most captures are made of, Ethernet II + IPv4 without options
 * + TCP, decoded without the general walk through the link table and the
 * encapsulation layers: the same checks, in one place, every byte read
 * known to be captured (caplen >= 54).  Anything else, or anything unusual
 * about this frame (a fragment, a length to clamp, a short capture), is
 * left to the general path, which gives the same answer for the frames
 * accepted here (tests/unit/test_decode.c checks both on every frame). */
bool
decode_fast_ether_ipv4_tcp(const struct packet *pkt, struct segment *seg,
    enum decode_result *res)
{
	const uint8_t *b = pkt->bytes;
	struct cursor c;
	uint32_t total;

	if (pkt->linktype != DLT_EN10MB || b == NULL || pkt->caplen < 54 ||
	    pkt->wirelen < pkt->caplen)
		return false;
	/* type IPv4, version 4 and IHL 5, protocol TCP */
	if (b[12] != 0x08 || b[13] != 0x00 || b[14] != 0x45 || b[23] != 6)
		return false;
	if ((b[20] & 0x3f) != 0 || b[21] != 0)
		return false;			/* MF or an offset: a fragment */
	total = (uint32_t)b[16] << 8 | b[17];
	if (total < 40 || total > pkt->wirelen - 14)
		return false;			/* TSO (0), lies, clamps */
	memcpy(seg->src.addr, b + 26, 4);
	memcpy(seg->dst.addr, b + 30, 4);
	seg->src.family = 4;
	seg->dst.family = 4;
	seg->ttl = b[22];
	seg->ip_id = (uint32_t)b[18] << 8 | b[19];
	cur_init(&c, b + 34, pkt->caplen - 34);
	cur_clamp(&c, total - 20);
	*res = decode_tcp(&c, total - 20, seg);
	return true;
}

enum decode_result
decode_packet_general(const struct packet *pkt, struct segment *seg)
{
	const struct link_type *lt;
	struct cursor c;
	size_t uncaptured;

	lt = link_lookup(pkt->linktype);
	if (lt == NULL)
		return DECODE_UNSUPPORTED;
	/* An empty record may come with a NULL buffer; NULL + 0 is not a
	 * pointer we may form. */
	if (pkt->caplen == 0 || pkt->bytes == NULL)
		return DECODE_TRUNCATED;
	cur_init(&c, pkt->bytes, pkt->caplen);
	uncaptured = pkt->wirelen > pkt->caplen ? pkt->wirelen - pkt->caplen : 0;
	return lt->decode(&c, uncaptured, seg);
}
