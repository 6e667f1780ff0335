/* test_decode.c: TAP tests of decode_packet() on hand-built frames.
 *
 * Good packets for every link type and tunnel (IP-in-IP, GRE), ICMP errors
 * quoting TCP, every TCP option, IPv6 extension headers, fragments, BIG
 * TCP, lying lengths, and every good packet cut at every byte length.
 * decode_packet() always reads from a heap copy of exactly caplen bytes,
 * so under ASan any read past the capture is fatal. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "decode.h"
#include "decode_int.h"
#include "tap.h"

#define LINKTYPE_RAW	101

#define BUF_MAX		2048

/* The standard segment every good packet carries. */
#define STD_SPORT	40000
#define STD_DPORT	443
#define STD_SEQ		0x01020304u
#define STD_ACK		0xa0b0c0d0u
#define STD_FLAGS	(TCP_ACK | TCP_PSH | TCP_AE)
#define STD_WIN		0xffee
#define STD_TTL		64
#define STD_IPID	0x1234
#define STD_HDR		44		/* 20 + 24 option bytes */
#define STD_PAYLOAD	"hello, world"
#define STD_PAYLEN	12
#define STD_TCP_LEN	(STD_HDR + STD_PAYLEN)

static const uint8_t std_opts[24] = {
	2, 4, 0x05, 0xb4,			/* MSS 1460 */
	1,					/* NOP */
	3, 3, 7,				/* window scale 7 */
	4, 2,					/* SACK permitted */
	8, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,	/* timestamps */
	1, 1,					/* NOP NOP */
	0, 0,					/* EOL, padding */
};

static const uint8_t v4_src[4] = { 192, 0, 2, 1 };
static const uint8_t v4_dst[4] = { 198, 51, 100, 2 };
static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, [15] = 2 };

/* Tunnel endpoints and ICMP senders: unlike the standard addresses, TTL
 * and id, so the tests see which header a segment was described from. */
static const uint8_t outer4_src[4] = { 203, 0, 113, 1 };
static const uint8_t outer4_dst[4] = { 203, 0, 113, 2 };
static const uint8_t outer6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 1 };
static const uint8_t outer6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 2 };
#define OUTER_TTL	200
#define OUTER_IPID	0x7777

struct buf {
	uint8_t	b[BUF_MAX];
	size_t	n;
};

/* ------------------------------------------------------------------ */
/* Byte builders. */

static void
put8(struct buf *b, unsigned v)
{
	if (b->n >= BUF_MAX) {
		printf("Bail out! test buffer overflow\n");
		exit(1);
	}
	b->b[b->n++] = (uint8_t)v;
}

static void
put16(struct buf *b, unsigned v)
{
	put8(b, v >> 8 & 0xff);
	put8(b, v & 0xff);
}

static void
put32(struct buf *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b, v & 0xffff);
}

static void
putmem(struct buf *b, const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		put8(b, s[i]);
}

static void
putzero(struct buf *b, size_t n)
{
	for (; n > 0; n--)
		put8(b, 0);
}

/* A 16-bit value in this host's byte order (NFLOG TLV fields). */
static void
puth16(struct buf *b, uint16_t v)
{
	uint8_t raw[2];

	memcpy(raw, &v, sizeof(raw));
	putmem(b, raw, sizeof(raw));
}

static void
patch16(struct buf *b, size_t off, unsigned v)
{
	b->b[off] = (uint8_t)(v >> 8);
	b->b[off + 1] = (uint8_t)v;
}

static void
patchh16(struct buf *b, size_t off, uint16_t v)
{
	memcpy(&b->b[off], &v, sizeof(v));
}

/* A TCP header with the standard ports/seq/ack/window, the given data
 * offset (in 32-bit words), flags, option bytes (padded with EOL up to the
 * offset) and payload. */
static void
put_tcp(struct buf *b, unsigned doff, unsigned flags, const uint8_t *opts, size_t optlen,
    const void *payload, size_t paylen)
{
	size_t i;

	put16(b, STD_SPORT);
	put16(b, STD_DPORT);
	put32(b, STD_SEQ);
	put32(b, STD_ACK);
	put16(b, (doff & 0xf) << 12 | (flags & TCP_FLAGS_MASK));
	put16(b, STD_WIN);
	put16(b, 0xbeef);			/* checksum: not checked */
	put16(b, 0);				/* urgent pointer */
	for (i = 0; i < optlen; i++)
		put8(b, opts[i]);
	for (; i + 20 < (size_t)doff * 4; i++)
		put8(b, 0);
	putmem(b, payload, paylen);
}

static void
put_tcp_std(struct buf *b)
{
	put_tcp(b, STD_HDR / 4, STD_FLAGS, std_opts, sizeof(std_opts), STD_PAYLOAD, STD_PAYLEN);
}

/* IPv4 header with 'optlen' bytes of options (a multiple of 4). */
static void
put_ipv4_opt(struct buf *b, unsigned total, unsigned frag, unsigned proto,
    const uint8_t *opts, size_t optlen)
{
	put8(b, 0x40 | (unsigned)((20 + optlen) / 4));
	put8(b, 0);
	put16(b, total);
	put16(b, STD_IPID);
	put16(b, frag);
	put8(b, STD_TTL);
	put8(b, proto);
	put16(b, 0);				/* checksum: not checked */
	putmem(b, v4_src, 4);
	putmem(b, v4_dst, 4);
	putmem(b, opts, optlen);
}

static void
put_ipv4(struct buf *b, unsigned total, unsigned frag, unsigned proto)
{
	put_ipv4_opt(b, total, frag, proto, NULL, 0);
}

static void
put_ipv6(struct buf *b, unsigned plen, unsigned nh)
{
	put32(b, 0x60012345);			/* version 6, flow label */
	put16(b, plen);
	put8(b, nh);
	put8(b, STD_TTL);
	putmem(b, v6_src, 16);
	putmem(b, v6_dst, 16);
}

/* An 8-byte extension header in the RFC 8200 4.3 format, PadN filled. */
static void
put_ext8(struct buf *b, unsigned nh)
{
	put8(b, nh);
	put8(b, 0);				/* (0 + 1) * 8 bytes */
	put8(b, 1);				/* PadN */
	put8(b, 4);
	put32(b, 0);
}

enum ipk { IPK_V4, IPK_V6, IPK_V6EXT };

/* The standard segment in an IP packet; returns the IP header length
 * (with extension headers), i.e. where TCP starts. */
static size_t
put_ip_std(struct buf *b, enum ipk k)
{
	switch (k) {
	case IPK_V4:
		put_ipv4(b, 20 + STD_TCP_LEN, 0x4000, 6);	/* DF */
		put_tcp_std(b);
		return 20;
	case IPK_V6:
		put_ipv6(b, STD_TCP_LEN, 6);
		put_tcp_std(b);
		return 40;
	case IPK_V6EXT:
		/* hop-by-hop, routing, destination options, atomic fragment */
		put_ipv6(b, 32 + STD_TCP_LEN, 0);
		put_ext8(b, 43);
		put8(b, 60);				/* routing: next header */
		put8(b, 0);				/* length */
		put8(b, 4);				/* type: SRH (contents unread) */
		put8(b, 0);				/* segments left */
		put32(b, 0);
		put_ext8(b, 44);
		put8(b, 6);				/* fragment: next header */
		put8(b, 0);
		put16(b, 0);				/* offset 0, M = 0 */
		put32(b, 0xcafe);			/* identification */
		put_tcp_std(b);
		return 72;
	}
	return 0;
}

/* An outer IPv4 (protocol 'proto') or IPv6 (next header 'proto') header:
 * a tunnel's or an ICMP sender's.  Its length field is left 0 for
 * end_outer(), which gets the offset returned here. */
static size_t
put_outer(struct buf *b, bool v6, unsigned proto)
{
	size_t at = b->n;

	if (v6) {
		put32(b, 0x60000000);
		put16(b, 0);			/* payload length: end_outer() */
		put8(b, proto);
		put8(b, OUTER_TTL);
		putmem(b, outer6_src, 16);
		putmem(b, outer6_dst, 16);
	} else {
		put8(b, 0x45);
		put8(b, 0);
		put16(b, 0);			/* total length: end_outer() */
		put16(b, OUTER_IPID);
		put16(b, 0x4000);		/* DF */
		put8(b, OUTER_TTL);
		put8(b, proto);
		put16(b, 0);
		putmem(b, outer4_src, 4);
		putmem(b, outer4_dst, 4);
	}
	return at;
}

/* Set the length of the outer header at 'at' to end where the buffer does. */
static void
end_outer(struct buf *b, size_t at)
{
	if (b->b[at] >> 4 == 6)
		patch16(b, at + 4, (unsigned)(b->n - at - 40));
	else
		patch16(b, at + 2, (unsigned)(b->n - at));
}

/* ------------------------------------------------------------------ */
/* Decoding from an exact-size heap copy. */

static uint8_t *heap_copy;
static unsigned long fast_taken, fast_disagreed;	/* see dec_wire() */

static enum decode_result
dec_wire(int dlt, const uint8_t *bytes, size_t caplen, size_t wirelen, struct segment *seg)
{
	struct packet pkt;
	struct segment fast, general;
	enum decode_result r, rf, rg;

	free(heap_copy);
	heap_copy = malloc(caplen > 0 ? caplen : 1);
	if (heap_copy == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	/* malloc(1) for an empty capture: ASan still flags a read of it,
	 * as caplen 0 means no byte may be touched. */
	if (caplen > 0)
		memcpy(heap_copy, bytes, caplen);
	memset(&pkt, 0, sizeof(pkt));
	pkt.frame = 1;
	pkt.caplen = (uint32_t)caplen;
	pkt.wirelen = (uint32_t)wirelen;
	pkt.linktype = dlt;
	pkt.bytes = heap_copy;
	memset(seg, 0xa5, sizeof(*seg));	/* decode_packet must overwrite it */
	r = decode_packet(&pkt, seg);
	/* Every frame of this file also checks that the fast path for
	 * Ethernet/IPv4/TCP, when it takes a frame, agrees with the general
	 * path field for field. */
	memset(&fast, 0, sizeof(fast));
	if (decode_fast_ether_ipv4_tcp(&pkt, &fast, &rf)) {
		fast_taken++;
		memset(&general, 0, sizeof(general));
		rg = decode_packet_general(&pkt, &general);
		if (rf != rg || memcmp(&fast, &general, sizeof(fast)) != 0) {
			fast_disagreed++;
			printf("# fast path disagrees: result %d vs %d, caplen %zu wirelen %zu\n",
			    (int)rf, (int)rg, caplen, wirelen);
		}
	}
	return r;
}

static enum decode_result
dec(int dlt, const struct buf *b, struct segment *seg)
{
	return dec_wire(dlt, b->b, b->n, b->n, seg);
}

static const char *
label(const char *what, const char *field)
{
	static char s[160];

	snprintf(s, sizeof(s), "%s: %s", what, field);
	return s;
}

static void
check_addrs(const struct segment *seg, bool v6, const char *what)
{
	static const uint8_t zero[12];

	if (v6) {
		is_u64(seg->src.family, 6, label(what, "src family"));
		is_u64(seg->dst.family, 6, label(what, "dst family"));
		ok(memcmp(seg->src.addr, v6_src, 16) == 0, label(what, "src address"));
		ok(memcmp(seg->dst.addr, v6_dst, 16) == 0, label(what, "dst address"));
		is_u64(seg->ip_id, 0, label(what, "no IP id"));
	} else {
		is_u64(seg->src.family, 4, label(what, "src family"));
		is_u64(seg->dst.family, 4, label(what, "dst family"));
		ok(memcmp(seg->src.addr, v4_src, 4) == 0 &&
		    memcmp(seg->src.addr + 4, zero, 12) == 0, label(what, "src address"));
		ok(memcmp(seg->dst.addr, v4_dst, 4) == 0 &&
		    memcmp(seg->dst.addr + 4, zero, 12) == 0, label(what, "dst address"));
		is_u64(seg->ip_id, STD_IPID, label(what, "IP id"));
	}
	is_u64(seg->ttl, STD_TTL, label(what, "ttl / hop limit"));
}

/* The fixed-header fields of the standard segment. */
static void
check_tcp_hdr(const struct segment *seg, const char *what)
{
	is_u64(seg->src.port, STD_SPORT, label(what, "sport"));
	is_u64(seg->dst.port, STD_DPORT, label(what, "dport"));
	is_u64(seg->seq, STD_SEQ, label(what, "seq"));
	is_u64(seg->ack, STD_ACK, label(what, "ack"));
	is_u64(seg->flags, STD_FLAGS, label(what, "flags incl. AE"));
	is_u64(seg->win_raw, STD_WIN, label(what, "window"));
	ok(seg->tcp_seen, label(what, "tcp_seen"));
}

/* Everything about the standard segment, fully captured. */
static void
check_std(enum decode_result r, const struct segment *seg, bool v6, const char *what)
{
	is_u64(r, DECODE_OK, label(what, "DECODE_OK"));
	if (r != DECODE_OK)
		return;
	check_addrs(seg, v6, what);
	check_tcp_hdr(seg, what);
	ok(seg->hdr_fits, label(what, "hdr_fits"));
	is_u64(seg->hdr_len, STD_HDR, label(what, "hdr_len"));
	is_u64(seg->warn, 0, label(what, "no warnings"));
	is_u64(seg->opt.present, TCPOPT_HAVE_MSS | TCPOPT_HAVE_WSCALE | TCPOPT_HAVE_SACK_PERM |
	    TCPOPT_HAVE_TS, label(what, "options present"));
	is_u64(seg->opt.mss, 1460, label(what, "mss"));
	is_u64(seg->opt.wscale, 7, label(what, "wscale"));
	is_u64(seg->opt.tsval, 0x11223344, label(what, "tsval"));
	is_u64(seg->opt.tsecr, 0x55667788, label(what, "tsecr"));
	is_u64(seg->opt.sack_count, 0, label(what, "no SACK blocks"));
	is_u64(seg->payload_len, STD_PAYLEN, label(what, "payload_len"));
	is_u64(seg->captured_payload, STD_PAYLEN, label(what, "captured_payload"));
	ok(seg->payload != NULL && memcmp(seg->payload, STD_PAYLOAD, STD_PAYLEN) == 0,
	    label(what, "payload bytes"));
}

/* ------------------------------------------------------------------ */
/* Link-layer wrappers: each builds a whole frame around the standard
 * segment and returns the offset of the TCP header in it. */

static const uint8_t mac_hdr[12] = {
	0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02,
};

static bool
is_v6(enum ipk k)
{
	return k != IPK_V4;
}

static size_t
wrap_eth(struct buf *b, enum ipk k)
{
	putmem(b, mac_hdr, 12);
	put16(b, is_v6(k) ? 0x86dd : 0x0800);
	return 14 + put_ip_std(b, k);
}

static size_t
wrap_vlan3(struct buf *b, enum ipk k)
{
	putmem(b, mac_hdr, 12);
	put16(b, 0x9100);
	put16(b, 0x0064);
	put16(b, 0x88a8);
	put16(b, 0x2065);
	put16(b, 0x8100);
	put16(b, 0x0fff);
	put16(b, is_v6(k) ? 0x86dd : 0x0800);
	return 26 + put_ip_std(b, k);
}

static size_t
wrap_mpls2(struct buf *b, enum ipk k)
{
	putmem(b, mac_hdr, 12);
	put16(b, 0x8847);
	put32(b, 100u << 12 | 0u << 9 | 0u << 8 | 64);	/* label 100, S = 0 */
	put32(b, 200u << 12 | 5u << 9 | 1u << 8 | 63);	/* label 200, TC 5, S = 1 */
	return 22 + put_ip_std(b, k);
}

static size_t
wrap_pppoe(struct buf *b, enum ipk k)
{
	size_t lenoff, start, tcp;

	putmem(b, mac_hdr, 12);
	put16(b, 0x8864);
	put8(b, 0x11);
	put8(b, 0);
	put16(b, 0x1234);			/* session */
	lenoff = b->n;
	put16(b, 0);
	start = b->n;
	put16(b, is_v6(k) ? 0x0057 : 0x0021);
	tcp = 22 + put_ip_std(b, k);
	patch16(b, lenoff, (unsigned)(b->n - start));
	return tcp;
}

static size_t
wrap_snap(struct buf *b, enum ipk k)
{
	size_t lenoff, start, tcp;

	putmem(b, mac_hdr, 12);
	lenoff = b->n;
	put16(b, 0);
	start = b->n;
	put8(b, 0xaa);
	put8(b, 0xaa);
	put8(b, 0x03);
	put8(b, 0);
	put16(b, 0);				/* OUI 00-00-00 (RFC 1042) */
	put16(b, is_v6(k) ? 0x86dd : 0x0800);
	tcp = 22 + put_ip_std(b, k);
	patch16(b, lenoff, (unsigned)(b->n - start));
	return tcp;
}

static size_t
wrap_sll(struct buf *b, enum ipk k)
{
	put16(b, 0);				/* PACKET_HOST */
	put16(b, 1);				/* ARPHRD_ETHER */
	put16(b, 6);
	putmem(b, mac_hdr, 6);
	put16(b, 0);
	put16(b, is_v6(k) ? 0x86dd : 0x0800);
	return 16 + put_ip_std(b, k);
}

static size_t
wrap_sll2(struct buf *b, enum ipk k)
{
	put16(b, is_v6(k) ? 0x86dd : 0x0800);
	put16(b, 0);				/* reserved */
	put32(b, 3);				/* ifindex */
	put16(b, 1);				/* ARPHRD_ETHER */
	put8(b, 4);				/* PACKET_OUTGOING */
	put8(b, 6);
	putmem(b, mac_hdr, 6);
	put16(b, 0);
	return 20 + put_ip_std(b, k);
}

static size_t
wrap_raw(struct buf *b, enum ipk k)
{
	return put_ip_std(b, k);
}

/* DLT_NULL as written by a little- or big-endian host. */
static size_t
wrap_null_af(struct buf *b, enum ipk k, uint32_t af6, bool le)
{
	uint32_t af = is_v6(k) ? af6 : 2;

	if (le) {
		put8(b, af & 0xff);
		put8(b, af >> 8 & 0xff);
		put8(b, af >> 16 & 0xff);
		put8(b, af >> 24);
	} else {
		put32(b, af);
	}
	return 4 + put_ip_std(b, k);
}

static size_t
wrap_null_le24(struct buf *b, enum ipk k)
{
	return wrap_null_af(b, k, 24, true);
}

static size_t
wrap_null_be24(struct buf *b, enum ipk k)
{
	return wrap_null_af(b, k, 24, false);
}

static size_t
wrap_null_le28(struct buf *b, enum ipk k)
{
	return wrap_null_af(b, k, 28, true);
}

static size_t
wrap_null_le30(struct buf *b, enum ipk k)
{
	return wrap_null_af(b, k, 30, true);
}

static size_t
wrap_null_be30(struct buf *b, enum ipk k)
{
	return wrap_null_af(b, k, 30, false);
}

static size_t
wrap_loop(struct buf *b, enum ipk k)
{
	return wrap_null_af(b, k, 24, false);	/* DLT_LOOP: always big-endian */
}

/* NFLOG: header, NFULA_PACKET_HDR, an odd-length NFULA_PREFIX (so its
 * padding matters), then NFULA_PAYLOAD. */
static size_t
wrap_nflog(struct buf *b, enum ipk k)
{
	size_t lenoff, start, tcp;

	put8(b, is_v6(k) ? 10 : 2);
	put8(b, 0);				/* version */
	put16(b, 7);				/* resource id (group) */
	puth16(b, 8);
	puth16(b, 1);				/* NFULA_PACKET_HDR */
	put16(b, is_v6(k) ? 0x86dd : 0x0800);
	put8(b, 3);				/* hook */
	put8(b, 0);
	puth16(b, 9);
	puth16(b, 10);				/* NFULA_PREFIX */
	putmem(b, "test", 5);
	putzero(b, 3);				/* pad to 12 */
	lenoff = b->n;
	puth16(b, 0);
	puth16(b, 9);				/* NFULA_PAYLOAD */
	start = b->n;
	tcp = 28 + put_ip_std(b, k);
	patchh16(b, lenoff, (uint16_t)(b->n - start + 4));
	return tcp;
}

enum tun { TUN_IPIP, TUN_GRE, TUN_GRE_CKS, TUN_GRE_KEY, TUN_GRE_TEB };

/* The standard segment through a tunnel: an outer IPv4 or IPv6 header and,
 * for GRE, a GRE header (TEB: with an Ethernet frame with a VLAN tag
 * inside).  Returns where TCP starts, counted from the outer header. */
static size_t
put_tunnel(struct buf *b, enum ipk k, bool outer_v6, enum tun t)
{
	static const unsigned gre_flags[] = {
		[TUN_GRE] = 0, [TUN_GRE_CKS] = 0xb000, [TUN_GRE_KEY] = 0x2000,
		[TUN_GRE_TEB] = 0x1000,
	};
	size_t at, hdr;
	unsigned type = is_v6(k) ? 0x86dd : 0x0800;

	if (t == TUN_IPIP) {
		at = put_outer(b, outer_v6, is_v6(k) ? 41 : 4);
	} else {
		at = put_outer(b, outer_v6, 47);
		put16(b, gre_flags[t]);
		put16(b, t == TUN_GRE_TEB ? 0x6558 : type);
		if (gre_flags[t] & 0x8000)
			put32(b, 0xc5c50000);	/* checksum, reserved1 */
		if (gre_flags[t] & 0x2000)
			put32(b, 0x0000abcd);	/* key */
		if (gre_flags[t] & 0x1000)
			put32(b, 42);		/* sequence number */
		if (t == TUN_GRE_TEB) {
			putmem(b, mac_hdr, 12);
			put16(b, 0x8100);
			put16(b, 0x0064);
			put16(b, type);
		}
	}
	hdr = b->n - at;
	hdr += put_ip_std(b, k);
	end_outer(b, at);
	return hdr;
}

static size_t
wrap_ipip_eth(struct buf *b, enum ipk k)
{
	putmem(b, mac_hdr, 12);
	put16(b, 0x0800);
	return 14 + put_tunnel(b, k, false, TUN_IPIP);
}

static size_t
wrap_ipip6_raw(struct buf *b, enum ipk k)
{
	return put_tunnel(b, k, true, TUN_IPIP);
}

static size_t
wrap_gre_eth(struct buf *b, enum ipk k)
{
	putmem(b, mac_hdr, 12);
	put16(b, 0x0800);
	return 14 + put_tunnel(b, k, false, TUN_GRE);
}

static size_t
wrap_gre_cks_raw(struct buf *b, enum ipk k)
{
	return put_tunnel(b, k, false, TUN_GRE_CKS);
}

static size_t
wrap_gre6_key_sll2(struct buf *b, enum ipk k)
{
	put16(b, 0x86dd);
	put16(b, 0);				/* reserved */
	put32(b, 3);				/* ifindex */
	put16(b, 1);				/* ARPHRD_ETHER */
	put8(b, 0);				/* PACKET_HOST */
	put8(b, 6);
	putmem(b, mac_hdr, 6);
	put16(b, 0);
	return 20 + put_tunnel(b, k, true, TUN_GRE_KEY);
}

static size_t
wrap_gre_teb_eth(struct buf *b, enum ipk k)
{
	putmem(b, mac_hdr, 12);
	put16(b, 0x0800);
	return 14 + put_tunnel(b, k, false, TUN_GRE_TEB);
}

struct wrapper {
	const char	*name;
	int		 dlt;
	size_t		(*build)(struct buf *, enum ipk);
	bool		 v4, v6;
};

static const struct wrapper wrappers[] = {
	{ "EN10MB",		DLT_EN10MB,	wrap_eth,	true,	true },
	{ "EN10MB 3 VLAN tags",	DLT_EN10MB,	wrap_vlan3,	true,	true },
	{ "EN10MB MPLS x2",	DLT_EN10MB,	wrap_mpls2,	true,	true },
	{ "EN10MB PPPoE",	DLT_EN10MB,	wrap_pppoe,	true,	true },
	{ "EN10MB 802.3 SNAP",	DLT_EN10MB,	wrap_snap,	true,	true },
	{ "LINUX_SLL",		DLT_LINUX_SLL,	wrap_sll,	true,	true },
	{ "LINUX_SLL2",		DLT_LINUX_SLL2,	wrap_sll2,	true,	true },
	{ "RAW (DLT_RAW)",	DLT_RAW,	wrap_raw,	true,	true },
	{ "RAW (12)",		12,		wrap_raw,	true,	true },
	{ "RAW (14)",		14,		wrap_raw,	true,	true },
	{ "RAW (101)",		LINKTYPE_RAW,	wrap_raw,	true,	true },
	{ "IPV4",		DLT_IPV4,	wrap_raw,	true,	false },
	{ "IPV6",		DLT_IPV6,	wrap_raw,	false,	true },
	{ "NULL le, AF6 24",	DLT_NULL,	wrap_null_le24,	true,	true },
	{ "NULL be, AF6 24",	DLT_NULL,	wrap_null_be24,	true,	true },
	{ "NULL le, AF6 28",	DLT_NULL,	wrap_null_le28,	true,	true },
	{ "NULL le, AF6 30",	DLT_NULL,	wrap_null_le30,	true,	true },
	{ "NULL be, AF6 30",	DLT_NULL,	wrap_null_be30,	true,	true },
	{ "LOOP",		DLT_LOOP,	wrap_loop,	true,	true },
	{ "NFLOG",		DLT_NFLOG,	wrap_nflog,	true,	true },
	{ "EN10MB IP in IPv4",	DLT_EN10MB,	wrap_ipip_eth,	true,	true },
	{ "RAW IP in IPv6",	DLT_RAW,	wrap_ipip6_raw,	true,	true },
	{ "EN10MB GRE",		DLT_EN10MB,	wrap_gre_eth,	true,	true },
	{ "RAW GRE C+K+S",	DLT_RAW,	wrap_gre_cks_raw, true,	true },
	{ "SLL2 IPv6 GRE K",	DLT_LINUX_SLL2,	wrap_gre6_key_sll2, true, true },
	{ "EN10MB GRE TEB VLAN", DLT_EN10MB,	wrap_gre_teb_eth, true,	true },
};
#define NWRAPPERS (sizeof(wrappers) / sizeof(wrappers[0]))

static bool
wrapper_takes(const struct wrapper *w, enum ipk k)
{
	return is_v6(k) ? w->v6 : w->v4;
}

static const char *const ipk_names[] = { "IPv4", "IPv6", "IPv6+ext" };

/* ------------------------------------------------------------------ */

static void
test_links(void)
{
	struct segment seg;
	struct buf b;
	char what[96];
	enum decode_result r;
	size_t i;
	int k;

	for (i = 0; i < NWRAPPERS; i++) {
		for (k = IPK_V4; k <= IPK_V6EXT; k++) {
			if (!wrapper_takes(&wrappers[i], (enum ipk)k))
				continue;
			memset(&b, 0, sizeof(b));
			wrappers[i].build(&b, (enum ipk)k);
			snprintf(what, sizeof(what), "%s %s", wrappers[i].name, ipk_names[k]);
			r = dec(wrappers[i].dlt, &b, &seg);
			check_std(r, &seg, is_v6((enum ipk)k), what);
		}
	}
}

static void
test_linktype_api(void)
{
	struct segment seg;
	struct buf b = { .n = 0 };

	ok(decode_linktype_supported(DLT_EN10MB), "EN10MB supported");
	ok(decode_linktype_supported(DLT_NFLOG), "NFLOG supported");
	ok(decode_linktype_supported(LINKTYPE_RAW), "LINKTYPE_RAW 101 supported");
	ok(!decode_linktype_supported(105), "IEEE802_11 not supported");
	ok(!decode_linktype_supported(-1), "-1 not supported");
	ok(strcmp(decode_linktype_name(DLT_EN10MB), "EN10MB") == 0, "name EN10MB");
	ok(strcmp(decode_linktype_name(DLT_LINUX_SLL2), "LINUX_SLL2") == 0, "name LINUX_SLL2");
	ok(strcmp(decode_linktype_name(DLT_LINUX_SLL), "LINUX_SLL") == 0, "name LINUX_SLL");
	ok(strcmp(decode_linktype_name(DLT_RAW), "RAW") == 0, "name RAW");
	ok(strcmp(decode_linktype_name(LINKTYPE_RAW), "RAW") == 0, "name RAW for 101");
	ok(strcmp(decode_linktype_name(DLT_NULL), "NULL") == 0, "name NULL");
	ok(strcmp(decode_linktype_name(DLT_NFLOG), "NFLOG") == 0, "name NFLOG");
	ok(decode_linktype_name(105) == NULL, "no name for an unsupported DLT");

	wrap_eth(&b, IPK_V4);
	is_u64(dec(105, &b, &seg), DECODE_UNSUPPORTED, "unsupported DLT: UNSUPPORTED");
	ok(!seg.tcp_seen, "unsupported DLT: segment cleared");
	is_u64(dec_wire(DLT_EN10MB, b.b, 0, 0, &seg), DECODE_TRUNCATED,
	    "empty record: TRUNCATED");
	is_u64(dec_wire(105, b.b, 0, 0, &seg), DECODE_UNSUPPORTED,
	    "empty record of unknown DLT: UNSUPPORTED");
}

static void
test_version_mismatch(void)
{
	struct segment seg;
	struct buf b4 = { .n = 0 }, b6 = { .n = 0 }, b;

	put_ip_std(&b4, IPK_V4);
	put_ip_std(&b6, IPK_V6);
	is_u64(dec(DLT_IPV4, &b6, &seg), DECODE_MALFORMED, "DLT_IPV4 carrying IPv6: MALFORMED");
	is_u64(dec(DLT_IPV6, &b4, &seg), DECODE_MALFORMED, "DLT_IPV6 carrying IPv4: MALFORMED");

	b = b4;
	b.b[0] = 0x55;
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_MALFORMED, "raw IP version 5: MALFORMED");

	memset(&b, 0, sizeof(b));
	putmem(&b, mac_hdr, 12);
	put16(&b, 0x0800);
	putmem(&b, b6.b, b6.n);
	is_u64(dec(DLT_EN10MB, &b, &seg), DECODE_MALFORMED,
	    "ethertype IPv4 carrying version 6: MALFORMED");

	memset(&b, 0, sizeof(b));
	put32(&b, 2);				/* AF_INET */
	putmem(&b, b6.b, b6.n);
	is_u64(dec(DLT_NULL, &b, &seg), DECODE_MALFORMED, "NULL AF_INET carrying v6: MALFORMED");
}

static void
test_ipv4_options(void)
{
	static const uint8_t ra[4] = { 0x94, 0x04, 0x00, 0x00 };	/* router alert */
	uint8_t nops[40];
	struct segment seg;
	struct buf b = { .n = 0 };

	put_ipv4_opt(&b, 24 + STD_TCP_LEN, 0, 6, ra, sizeof(ra));
	put_tcp_std(&b);
	check_std(dec(DLT_RAW, &b, &seg), &seg, false, "IPv4 router alert option");

	memset(nops, 1, sizeof(nops));
	nops[39] = 0;
	memset(&b, 0, sizeof(b));
	put_ipv4_opt(&b, 60 + STD_TCP_LEN, 0, 6, nops, sizeof(nops));
	put_tcp_std(&b);
	check_std(dec(DLT_RAW, &b, &seg), &seg, false, "IPv4 IHL 15");

	is_u64(dec_wire(DLT_RAW, b.b, 40, b.n, &seg), DECODE_TRUNCATED,
	    "IPv4 options cut by snaplen: TRUNCATED");
}

static void
test_ipv4_lies(void)
{
	struct segment seg;
	struct buf b = { .n = 0 };
	enum decode_result r;

	put_ipv4(&b, 10, 0, 6);
	put_tcp_std(&b);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_MALFORMED, "IPv4 total length < IHL: MALFORMED");

	memset(&b, 0, sizeof(b));
	put_ip_std(&b, IPK_V4);
	b.b[0] = 0x44;
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_MALFORMED, "IPv4 IHL 4: MALFORMED");

	memset(&b, 0, sizeof(b));
	put_ipv4(&b, 1500, 0, 6);
	put_tcp_std(&b);
	r = dec_wire(DLT_RAW, b.b, b.n, 1500, &seg);
	is_u64(r, DECODE_OK, "IPv4 total length > captured (snaplen): OK");
	is_u64(seg.payload_len, 1500 - 20 - STD_HDR, "... payload_len from the header");
	is_u64(seg.captured_payload, STD_PAYLEN, "... captured_payload what is there");
	is_u64(seg.warn, 0, "... no warning");
	r = dec(DLT_RAW, &b, &seg);
	is_u64(r, DECODE_OK, "IPv4 total length > the frame on the wire: OK (as Wireshark)");
	is_u64(seg.payload_len, STD_PAYLEN, "... payload_len clamped to the frame");
	is_u64(seg.warn, SEGWARN_IP_LEN_CLAMPED, "... and the lie counted");

	/* Total length ends at the TCP header: the captured bytes after it
	 * (trailer, FCS, garbage) are not payload. */
	memset(&b, 0, sizeof(b));
	put_ipv4(&b, 20 + STD_HDR, 0, 6);
	put_tcp_std(&b);
	r = dec(DLT_RAW, &b, &seg);
	is_u64(r, DECODE_OK, "IPv4 total length excludes trailing bytes: OK");
	is_u64(seg.payload_len, 0, "... payload_len 0");
	is_u64(seg.captured_payload, 0, "... captured_payload 0");
	ok(seg.payload == NULL, "... payload NULL");
}

static void
test_ether_padding(void)
{
	struct segment seg;
	struct buf b = { .n = 0 };
	enum decode_result r;

	putmem(&b, mac_hdr, 12);
	put16(&b, 0x0800);
	put_ipv4(&b, 40, 0x4000, 6);
	put_tcp(&b, 5, TCP_ACK, NULL, 0, NULL, 0);
	putzero(&b, 6);				/* pad to the 60-byte minimum */
	put32(&b, 0xdeadbeef);			/* FCS */
	r = dec(DLT_EN10MB, &b, &seg);
	is_u64(r, DECODE_OK, "padded Ethernet frame: OK");
	is_u64(seg.hdr_len, 20, "... hdr_len 20");
	is_u64(seg.payload_len, 0, "... padding is not payload");
	is_u64(seg.captured_payload, 0, "... nor captured payload");
	ok(seg.payload == NULL, "... payload NULL");
	is_u64(seg.opt.present, 0, "... no options");
	is_u64(seg.flags, TCP_ACK, "... flags");

	/* The same through 802.3 + SNAP, whose length field does the clamp. */
	memset(&b, 0, sizeof(b));
	putmem(&b, mac_hdr, 12);
	put16(&b, 8 + 40);
	putmem(&b, (const uint8_t[]){ 0xaa, 0xaa, 0x03, 0, 0, 0 }, 6);
	put16(&b, 0x0800);
	put_ipv4(&b, 0, 0x4000, 6);		/* TSO-style 0: clamp comes from 802.3 */
	put_tcp(&b, 5, TCP_ACK, NULL, 0, NULL, 0);
	putzero(&b, 8);
	r = dec(DLT_EN10MB, &b, &seg);
	is_u64(r, DECODE_OK, "802.3 length clamps an IPv4 length of 0: OK");
	is_u64(seg.payload_len, 0, "... padding after the 802.3 length is not payload");
}

static void
test_fragments(void)
{
	struct segment seg;
	struct buf b = { .n = 0 };

	put_ipv4(&b, 20 + STD_TCP_LEN, 0x2000, 6);	/* MF */
	put_tcp_std(&b);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_FRAGMENT, "IPv4 MF: FRAGMENT");
	memset(&b, 0, sizeof(b));
	put_ipv4(&b, 20 + STD_TCP_LEN, 0x0010, 6);	/* offset 16 * 8 */
	put_tcp_std(&b);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_FRAGMENT, "IPv4 offset != 0: FRAGMENT");
	memset(&b, 0, sizeof(b));
	put_ipv4(&b, 20 + STD_TCP_LEN, 0x4000, 6);	/* DF only */
	put_tcp_std(&b);
	check_std(dec(DLT_RAW, &b, &seg), &seg, false, "IPv4 DF");

	memset(&b, 0, sizeof(b));
	put_ipv6(&b, 8 + STD_TCP_LEN, 44);
	put8(&b, 6);
	put8(&b, 0);
	put16(&b, 0x0001);				/* offset 0, M = 1 */
	put32(&b, 1);
	put_tcp_std(&b);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_FRAGMENT, "IPv6 first fragment: FRAGMENT");
	patch16(&b, 42, 0x0008);			/* offset 1, M = 0: last */
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_FRAGMENT, "IPv6 last fragment: FRAGMENT");
	patch16(&b, 42, 0x0000);
	check_std(dec(DLT_RAW, &b, &seg), &seg, true, "IPv6 atomic fragment");
}

static void
test_not_tcp(void)
{
	struct segment seg;
	struct buf b = { .n = 0 };

	putmem(&b, mac_hdr, 12);
	put16(&b, 0x0806);
	putzero(&b, 28);
	is_u64(dec(DLT_EN10MB, &b, &seg), DECODE_NOT_TCP, "ARP: NOT_TCP");

	memset(&b, 0, sizeof(b));
	put_ipv4(&b, 28, 0, 17);
	putzero(&b, 8);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_NOT_TCP, "IPv4 UDP: NOT_TCP");

	memset(&b, 0, sizeof(b));
	put_ipv6(&b, 0, 59);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_NOT_TCP, "IPv6 no next header: NOT_TCP");

	memset(&b, 0, sizeof(b));
	put_ipv6(&b, 16, 50);
	putzero(&b, 16);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_NOT_TCP, "IPv6 ESP: NOT_TCP");

	memset(&b, 0, sizeof(b));
	put_ipv6(&b, 8, 58);
	putzero(&b, 8);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_NOT_TCP, "ICMPv6: NOT_TCP");

	memset(&b, 0, sizeof(b));
	putmem(&b, mac_hdr, 12);
	put16(&b, 38);
	putmem(&b, (const uint8_t[]){ 0x42, 0x42, 0x03 }, 3);	/* STP */
	putzero(&b, 35);
	is_u64(dec(DLT_EN10MB, &b, &seg), DECODE_NOT_TCP, "802.3 STP: NOT_TCP");

	memset(&b, 0, sizeof(b));
	putmem(&b, mac_hdr, 12);
	put16(&b, 1520);
	putzero(&b, 46);
	is_u64(dec(DLT_EN10MB, &b, &seg), DECODE_MALFORMED,
	    "type/length 1520 (undefined): MALFORMED");

	memset(&b, 0, sizeof(b));
	put32(&b, 7);
	put_ip_std(&b, IPK_V4);
	is_u64(dec(DLT_NULL, &b, &seg), DECODE_NOT_TCP, "NULL family 7: NOT_TCP");

	/* Linux's AF_INET6 is not IPv6 on a BSD loopback, to tcpdump and
	 * Wireshark alike (NFLOG's family 10 is: see the wrappers). */
	memset(&b, 0, sizeof(b));
	wrap_null_af(&b, IPK_V6, 10, true);
	is_u64(dec(DLT_NULL, &b, &seg), DECODE_NOT_TCP, "NULL le family 10: NOT_TCP");
	ok(!seg.tcp_seen, "... not seen");
	memset(&b, 0, sizeof(b));
	wrap_null_af(&b, IPK_V6, 10, false);
	is_u64(dec(DLT_NULL, &b, &seg), DECODE_NOT_TCP, "NULL be family 10: NOT_TCP");
	is_u64(dec(DLT_LOOP, &b, &seg), DECODE_NOT_TCP, "LOOP family 10: NOT_TCP");

	memset(&b, 0, sizeof(b));
	put16(&b, 0);
	put16(&b, 824);				/* ARPHRD_NETLINK */
	putzero(&b, 10);
	put16(&b, 0x0800);			/* would be a netlink family here */
	put_ip_std(&b, IPK_V4);
	is_u64(dec(DLT_LINUX_SLL, &b, &seg), DECODE_NOT_TCP, "SLL netlink: NOT_TCP");

	memset(&b, 0, sizeof(b));
	put16(&b, 0x0806);
	putzero(&b, 18);
	putzero(&b, 28);
	is_u64(dec(DLT_LINUX_SLL2, &b, &seg), DECODE_NOT_TCP, "SLL2 ARP: NOT_TCP");
}

static void
test_vlan_mpls_pppoe(void)
{
	struct segment seg;
	struct buf b;
	int i;

	/* 8 tags is the bound; 9 is refused. */
	memset(&b, 0, sizeof(b));
	putmem(&b, mac_hdr, 12);
	for (i = 0; i < 8; i++) {
		put16(&b, 0x8100);
		put16(&b, (unsigned)i);
	}
	put16(&b, 0x0800);
	put_ip_std(&b, IPK_V4);
	check_std(dec(DLT_EN10MB, &b, &seg), &seg, false, "8 VLAN tags");
	memset(&b, 0, sizeof(b));
	putmem(&b, mac_hdr, 12);
	for (i = 0; i < 9; i++) {
		put16(&b, 0x88a8);
		put16(&b, (unsigned)i);
	}
	put16(&b, 0x0800);
	put_ip_std(&b, IPK_V4);
	is_u64(dec(DLT_EN10MB, &b, &seg), DECODE_UNSUPPORTED, "9 VLAN tags: UNSUPPORTED");

	/* MPLS with a pseudowire control word (first nibble 0). */
	memset(&b, 0, sizeof(b));
	putmem(&b, mac_hdr, 12);
	put16(&b, 0x8847);
	put32(&b, 16u << 12 | 1u << 8 | 64);
	put32(&b, 0);				/* control word */
	putmem(&b, mac_hdr, 12);
	put16(&b, 0x0800);
	put_ip_std(&b, IPK_V4);
	is_u64(dec(DLT_EN10MB, &b, &seg), DECODE_UNSUPPORTED,
	    "MPLS pseudowire control word: UNSUPPORTED");

	memset(&b, 0, sizeof(b));
	putmem(&b, mac_hdr, 12);
	put16(&b, 0x8848);
	put32(&b, 16u << 12 | 1u << 8 | 64);
	put_ip_std(&b, IPK_V6);
	check_std(dec(DLT_EN10MB, &b, &seg), &seg, true, "MPLS multicast ethertype, 1 label");

	memset(&b, 0, sizeof(b));
	putmem(&b, mac_hdr, 12);
	put16(&b, 0x8847);
	for (i = 0; i < 20; i++)
		put32(&b, 16u << 12 | 64);	/* never bottom of stack */
	put_ip_std(&b, IPK_V4);
	is_u64(dec(DLT_EN10MB, &b, &seg), DECODE_UNSUPPORTED,
	    "MPLS stack deeper than the bound: UNSUPPORTED");

	/* PPPoE: protocol-field compression, non-IP PPP, bad header. */
	memset(&b, 0, sizeof(b));
	putmem(&b, mac_hdr, 12);
	put16(&b, 0x8864);
	putmem(&b, (const uint8_t[]){ 0x11, 0, 0, 1 }, 4);
	put16(&b, 1 + 20 + STD_TCP_LEN);
	put8(&b, 0x21);				/* compressed PPP_IP */
	put_ip_std(&b, IPK_V4);
	check_std(dec(DLT_EN10MB, &b, &seg), &seg, false, "PPPoE with PFC");

	b.b[20] = 0x07;				/* PPP protocol (compressed) */
	is_u64(dec(DLT_EN10MB, &b, &seg), DECODE_NOT_TCP, "PPPoE carrying PPP 0x07: NOT_TCP");
	b.b[15] = 0x09;				/* code PADI in a session frame */
	is_u64(dec(DLT_EN10MB, &b, &seg), DECODE_MALFORMED, "PPPoE session code != 0: MALFORMED");
	b.b[14] = 0x21;
	is_u64(dec(DLT_EN10MB, &b, &seg), DECODE_UNSUPPORTED, "PPPoE version 2: UNSUPPORTED");

	memset(&b, 0, sizeof(b));
	putmem(&b, mac_hdr, 12);
	put16(&b, 0x8864);
	putmem(&b, (const uint8_t[]){ 0x11, 0, 0, 1 }, 4);
	put16(&b, 2 + 4);
	put16(&b, 0xc021);			/* LCP */
	putzero(&b, 4);
	is_u64(dec(DLT_EN10MB, &b, &seg), DECODE_NOT_TCP, "PPPoE LCP: NOT_TCP");
	patch16(&b, 18, 0);
	is_u64(dec(DLT_EN10MB, &b, &seg), DECODE_MALFORMED, "PPPoE length 0: MALFORMED");

	/* PPPoE length clamps: IPv4 total length 0 (TSO) inside PPPoE with
	 * Ethernet padding after the PPPoE payload. */
	memset(&b, 0, sizeof(b));
	putmem(&b, mac_hdr, 12);
	put16(&b, 0x8864);
	putmem(&b, (const uint8_t[]){ 0x11, 0, 0, 1 }, 4);
	put16(&b, 2 + 20 + STD_TCP_LEN);
	put16(&b, 0x0021);
	put_ipv4(&b, 0, 0, 6);
	put_tcp_std(&b);
	putzero(&b, 10);			/* padding beyond the PPPoE length */
	check_std(dec(DLT_EN10MB, &b, &seg), &seg, false, "PPPoE length clamps TSO IPv4");
}

static void
test_big_tcp(void)
{
	struct segment seg;
	struct buf b = { .n = 0 };
	enum decode_result r;
	size_t cap;

	put_ipv4(&b, 0, 0x4000, 6);
	put_tcp_std(&b);
	check_std(dec(DLT_RAW, &b, &seg), &seg, false, "IPv4 total length 0 (TSO)");

	/* BIG TCP packet of 20 + 44 + 100000 bytes, snaplen 128 on SLL2. */
	memset(&b, 0, sizeof(b));
	wrap_sll2(&b, IPK_V4);
	patch16(&b, 20 + 2, 0);
	cap = 20 + 20 + STD_HDR + 4;
	r = dec_wire(DLT_LINUX_SLL2, b.b, cap, 20 + 20 + STD_HDR + 100000, &seg);
	is_u64(r, DECODE_OK, "BIG TCP IPv4, snaplen cut: OK");
	is_u64(seg.payload_len, 100000, "... payload_len from the wire length");
	is_u64(seg.captured_payload, 4, "... captured_payload");

	/* IPv6 jumbogram: payload length 0, HBH jumbo option (RFC 2675). */
	memset(&b, 0, sizeof(b));
	put_ipv6(&b, 0, 0);
	put8(&b, 6);
	put8(&b, 0);
	put8(&b, 0xc2);
	put8(&b, 4);
	put32(&b, 8 + STD_TCP_LEN);
	put_tcp_std(&b);
	check_std(dec(DLT_RAW, &b, &seg), &seg, true, "IPv6 jumbo");

	patch16(&b, 44, 1);
	patch16(&b, 46, 0x86a0 + 8 + STD_HDR);	/* 100000 + 8 + 44 */
	r = dec_wire(DLT_RAW, b.b, b.n, 40 + 8 + STD_HDR + 100000, &seg);
	is_u64(r, DECODE_OK, "IPv6 BIG TCP jumbo 100052: OK");
	is_u64(seg.payload_len, 100000, "... payload_len from the jumbo length");
	is_u64(seg.captured_payload, STD_PAYLEN, "... captured_payload");

	patch16(&b, 44, 0);
	patch16(&b, 46, 4);			/* smaller than the HBH itself */
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_MALFORMED, "jumbo length < HBH: MALFORMED");

	/* A jumbo option with a non-zero payload length is ignored (RFC
	 * 2675 forbids it; the payload length still rules). */
	patch16(&b, 4, 8 + STD_TCP_LEN);
	check_std(dec(DLT_RAW, &b, &seg), &seg, true, "jumbo with payload length != 0");

	/* Payload length 0 and no jumbo: GSO before segmentation. */
	memset(&b, 0, sizeof(b));
	put_ipv6(&b, 0, 6);
	put_tcp_std(&b);
	check_std(dec(DLT_RAW, &b, &seg), &seg, true, "IPv6 payload length 0 without jumbo");
}

static void
test_ipv6_ext(void)
{
	struct segment seg;
	struct buf b;
	enum decode_result r;
	int i;

	memset(&b, 0, sizeof(b));
	put_ipv6(&b, 16 + STD_TCP_LEN, 51);	/* AH, 16 bytes: (2 + 2) * 4 */
	put8(&b, 6);
	put8(&b, 2);
	putzero(&b, 14);
	put_tcp_std(&b);
	check_std(dec(DLT_RAW, &b, &seg), &seg, true, "IPv6 AH");

	memset(&b, 0, sizeof(b));
	put_ipv6(&b, 16 * 8 + STD_TCP_LEN, 60);
	for (i = 0; i < 16; i++)
		put_ext8(&b, i < 15 ? 60 : 6);
	put_tcp_std(&b);
	check_std(dec(DLT_RAW, &b, &seg), &seg, true, "16 destination options headers");

	memset(&b, 0, sizeof(b));
	put_ipv6(&b, 17 * 8 + STD_TCP_LEN, 60);
	for (i = 0; i < 17; i++)
		put_ext8(&b, i < 16 ? 60 : 6);
	put_tcp_std(&b);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_MALFORMED, "17 extension headers: MALFORMED");

	for (i = 0; i < 3; i++) {
		static const unsigned kinds[3] = { 135, 139, 140 };

		memset(&b, 0, sizeof(b));
		put_ipv6(&b, 8 + STD_TCP_LEN, kinds[i]);
		put_ext8(&b, 6);
		put_tcp_std(&b);
		check_std(dec(DLT_RAW, &b, &seg), &seg, true,
		    i == 0 ? "IPv6 mobility header" : i == 1 ? "IPv6 HIP" : "IPv6 shim6");
	}

	memset(&b, 0, sizeof(b));
	put_ipv6(&b, 8 + STD_TCP_LEN, 60);
	put8(&b, 6);
	put8(&b, 20);				/* 168 bytes, beyond the payload */
	putzero(&b, 6);
	put_tcp_std(&b);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_MALFORMED,
	    "extension header longer than the payload length: MALFORMED");

	memset(&b, 0, sizeof(b));
	put_ipv6(&b, 2000, 6);
	put_tcp_std(&b);
	r = dec_wire(DLT_RAW, b.b, b.n, 2040, &seg);
	is_u64(r, DECODE_OK, "IPv6 payload length > captured (snaplen): OK");
	is_u64(seg.payload_len, 2000 - STD_HDR, "... payload_len from the header");
	is_u64(seg.captured_payload, STD_PAYLEN, "... captured_payload");
	r = dec(DLT_RAW, &b, &seg);
	is_u64(r, DECODE_OK, "IPv6 payload length > the frame on the wire: OK");
	is_u64(seg.payload_len, STD_PAYLEN, "... clamped to the frame");
	is_u64(seg.warn, SEGWARN_IP_LEN_CLAMPED, "... and counted");

	memset(&b, 0, sizeof(b));
	put_ipv6(&b, 10, 6);
	put_tcp_std(&b);
	r = dec(DLT_RAW, &b, &seg);
	is_u64(r, DECODE_MALFORMED, "IPv6 payload length 10 < TCP header: MALFORMED");
	ok(!seg.tcp_seen, "... tcp_seen false (only 10 bytes belong to TCP)");

	memset(&b, 0, sizeof(b));
	put_ipv6(&b, 18, 6);
	put_tcp_std(&b);
	r = dec(DLT_RAW, &b, &seg);
	is_u64(r, DECODE_MALFORMED, "IPv6 payload length 18 < TCP header: MALFORMED");
	ok(seg.tcp_seen, "... tcp_seen (16 bytes of TCP are inside)");
	check_tcp_hdr(&seg, "IPv6 payload length 18");
	ok(!seg.hdr_fits, "... hdr_fits false");
}

static void
test_tcp_lies(void)
{
	struct segment seg;
	struct buf b;
	enum decode_result r;

	memset(&b, 0, sizeof(b));
	put_ipv4(&b, 20 + STD_TCP_LEN, 0, 6);
	put_tcp(&b, 4, STD_FLAGS, std_opts, 0, STD_PAYLOAD, STD_PAYLEN);
	putzero(&b, STD_TCP_LEN - 20 - STD_PAYLEN);
	r = dec(DLT_RAW, &b, &seg);
	is_u64(r, DECODE_MALFORMED, "TCP data offset 4: MALFORMED");
	check_tcp_hdr(&seg, "TCP data offset 4");
	is_u64(seg.hdr_len, 16, "... hdr_len as claimed");

	memset(&b, 0, sizeof(b));
	put_ipv4(&b, 20 + 24, 0, 6);
	put_tcp_std(&b);
	r = dec(DLT_RAW, &b, &seg);
	is_u64(r, DECODE_MALFORMED, "TCP data offset > IP payload: MALFORMED");
	check_tcp_hdr(&seg, "TCP data offset > IP payload");
	ok(!seg.hdr_fits, "... hdr_fits false");

	memset(&b, 0, sizeof(b));
	put_ipv4(&b, 20 + 18, 0, 6);
	put_tcp_std(&b);
	r = dec(DLT_RAW, &b, &seg);
	is_u64(r, DECODE_MALFORMED, "IP payload 18 (< 20): MALFORMED");
	ok(seg.tcp_seen, "... tcp_seen");

	memset(&b, 0, sizeof(b));
	put_ipv4(&b, 20 + 12, 0, 6);
	put_tcp_std(&b);
	r = dec(DLT_RAW, &b, &seg);
	is_u64(r, DECODE_MALFORMED, "IP payload 12: MALFORMED");
	ok(!seg.tcp_seen, "... tcp_seen false");

	/* 16..19 bytes captured of an honest segment: seen, TRUNCATED. */
	memset(&b, 0, sizeof(b));
	put_ip_std(&b, IPK_V4);
	r = dec_wire(DLT_RAW, b.b, 20 + 17, b.n, &seg);
	is_u64(r, DECODE_TRUNCATED, "17 TCP bytes captured: TRUNCATED");
	check_tcp_hdr(&seg, "17 TCP bytes captured");
	ok(seg.hdr_fits, "... hdr_fits (IP length covers the offset)");
	is_u64(seg.hdr_len, STD_HDR, "... hdr_len");
	r = dec_wire(DLT_RAW, b.b, 20 + 15, b.n, &seg);
	is_u64(r, DECODE_TRUNCATED, "15 TCP bytes captured: TRUNCATED");
	ok(!seg.tcp_seen, "... not seen");
}

/* Decode the standard segment over raw IPv4 with these option bytes
 * (EOL-padded to a multiple of 4) and no payload. */
static enum decode_result
dec_opts(const uint8_t *opts, size_t n, struct segment *seg)
{
	struct buf b = { .n = 0 };
	size_t padded = (n + 3) / 4 * 4;

	put_ipv4(&b, (unsigned)(20 + 20 + padded), 0, 6);
	put_tcp(&b, (unsigned)(5 + padded / 4), TCP_SYN, opts, n, NULL, 0);
	return dec(DLT_RAW, &b, seg);
}

#define OPTS(seg, ...) \
	dec_opts((const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }), (seg))

static void
test_options(void)
{
	struct segment seg;
	enum decode_result r;
	unsigned i;

	r = OPTS(&seg, 2, 4, 0x23, 0x28);
	is_u64(r, DECODE_OK, "MSS: OK");
	is_u64(seg.opt.present, TCPOPT_HAVE_MSS, "MSS: present");
	is_u64(seg.opt.mss, 9000, "MSS: value");
	is_u64(seg.warn, 0, "MSS: no warning");
	is_u64(seg.flags, TCP_SYN, "SYN flag");

	OPTS(&seg, 3, 3, 14);
	is_u64(seg.opt.wscale, 14, "wscale 14");
	is_u64(seg.warn, 0, "wscale 14: no warning");
	OPTS(&seg, 3, 3, 15);
	is_u64(seg.opt.wscale, 14, "wscale 15 clamped to 14");
	is_u64(seg.warn, SEGWARN_WSCALE_CLAMPED, "wscale 15: WSCALE_CLAMPED");
	ok(seg.opt.present & TCPOPT_HAVE_WSCALE, "wscale 15: present");
	OPTS(&seg, 3, 3, 255);
	is_u64(seg.opt.wscale, 14, "wscale 255 clamped to 14");

	OPTS(&seg, 4, 2);
	is_u64(seg.opt.present, TCPOPT_HAVE_SACK_PERM, "SACK permitted");

	OPTS(&seg, 1, 1, 5, 10, 0, 0, 0, 10, 0, 0, 0, 20);
	is_u64(seg.opt.present, TCPOPT_HAVE_SACK, "SACK 1 block: present");
	is_u64(seg.opt.sack_count, 1, "SACK 1 block: count");
	is_u64(seg.opt.sack_left[0], 10, "SACK 1 block: left");
	is_u64(seg.opt.sack_right[0], 20, "SACK 1 block: right");

	OPTS(&seg, 1, 1, 5, 34,
	    0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0x10,
	    0, 0, 1, 0, 0, 0, 2, 0,
	    0, 0, 3, 0, 0, 0, 4, 0,
	    0, 0, 5, 0, 0, 0, 6, 0);
	is_u64(seg.opt.sack_count, 4, "SACK 4 blocks: count");
	is_u64(seg.opt.sack_left[0], 0xfffffff0, "SACK block 0 left (wrapping)");
	is_u64(seg.opt.sack_right[0], 0x10, "SACK block 0 right");
	for (i = 1; i < 4; i++) {
		is_u64(seg.opt.sack_left[i], (2 * i - 1) << 8, "SACK block left in order");
		is_u64(seg.opt.sack_right[i], (2 * i) << 8, "SACK block right in order");
	}
	is_u64(seg.warn, 0, "SACK 4 blocks: no warning");

	OPTS(&seg, 5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 9, 2, 4, 0x05, 0xb4);
	is_u64(seg.warn, SEGWARN_BAD_OPTION, "SACK length 11: BAD_OPTION");
	ok(!(seg.opt.present & TCPOPT_HAVE_SACK), "SACK length 11: not taken");
	ok(seg.opt.present & TCPOPT_HAVE_MSS, "SACK length 11: skipped, next option parsed");
	OPTS(&seg, 5, 2, 1, 1);
	is_u64(seg.warn, SEGWARN_BAD_OPTION, "SACK without blocks: BAD_OPTION");

	OPTS(&seg, 1, 1, 8, 10, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1);
	is_u64(seg.opt.present, TCPOPT_HAVE_TS, "timestamps: present");
	is_u64(seg.opt.tsval, 0xdeadbeef, "timestamps: tsval");
	is_u64(seg.opt.tsecr, 1, "timestamps: tsecr");
	OPTS(&seg, 8, 8, 0, 0, 0, 1, 0, 0, 2, 4, 0x05, 0xb4);
	is_u64(seg.warn, SEGWARN_BAD_OPTION, "timestamps length 8: BAD_OPTION");
	is_u64(seg.opt.present, TCPOPT_HAVE_MSS, "timestamps length 8: skipped, MSS read");
	OPTS(&seg, 2, 3, 5, 2, 4, 5, 0xb4);
	is_u64(seg.warn, SEGWARN_BAD_OPTION, "MSS length 3: BAD_OPTION");
	is_u64(seg.opt.present, TCPOPT_HAVE_MSS, "MSS length 3 skipped, the next MSS read");
	is_u64(seg.opt.mss, 1460, "... its value");
	OPTS(&seg, 3, 4, 7, 0);
	is_u64(seg.warn, SEGWARN_BAD_OPTION, "wscale length 4: BAD_OPTION");
	OPTS(&seg, 4, 3, 0);
	is_u64(seg.warn, SEGWARN_BAD_OPTION, "SACK permitted length 3: BAD_OPTION");

	OPTS(&seg, 34, 10, 1, 2, 3, 4, 5, 6, 7, 8);
	is_u64(seg.opt.present, TCPOPT_HAVE_TFO, "TFO cookie: present");
	is_u64(seg.opt.tfo_cookie_len, 8, "TFO cookie: length 8");
	OPTS(&seg, 34, 2);
	is_u64(seg.opt.present, TCPOPT_HAVE_TFO, "TFO cookie request: present");
	is_u64(seg.opt.tfo_cookie_len, 0, "TFO cookie request: length 0");
	OPTS(&seg, 34, 5, 1, 2, 3);
	is_u64(seg.warn, SEGWARN_BAD_OPTION, "TFO odd cookie: BAD_OPTION");
	is_u64(seg.opt.present, 0, "TFO odd cookie: not taken");
	OPTS(&seg, 254, 12, 0xf9, 0x89, 1, 2, 3, 4, 5, 6, 7, 8);
	is_u64(seg.opt.present, TCPOPT_HAVE_TFO, "experimental TFO: present");
	is_u64(seg.opt.tfo_cookie_len, 8, "experimental TFO: cookie length 8");
	OPTS(&seg, 254, 4, 0xf9, 0x89);
	is_u64(seg.opt.present, TCPOPT_HAVE_TFO, "experimental TFO request");
	is_u64(seg.opt.tfo_cookie_len, 0, "experimental TFO request: cookie length 0");
	OPTS(&seg, 254, 6, 0x12, 0x34, 0, 0);
	is_u64(seg.opt.present, 0, "other experiment: ignored");
	is_u64(seg.warn, 0, "other experiment: no warning");

	OPTS(&seg, 30, 12, 0x00, 0x81, 1, 2, 3, 4, 5, 6, 7, 8);
	is_u64(seg.opt.present, TCPOPT_HAVE_MPTCP, "MPTCP: present");
	OPTS(&seg, 19, 18, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
	is_u64(seg.opt.present, TCPOPT_HAVE_MD5, "MD5: present");
	OPTS(&seg, 19, 10, 1, 2, 3, 4, 5, 6, 7, 8);
	is_u64(seg.warn, SEGWARN_BAD_OPTION, "MD5 length 10: BAD_OPTION");
	OPTS(&seg, 29, 16, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
	is_u64(seg.opt.present, TCPOPT_HAVE_MD5, "TCP-AO: present (as MD5)");

	OPTS(&seg, 99, 4, 0, 0, 2, 4, 0x05, 0xb4);
	is_u64(seg.opt.present, TCPOPT_HAVE_MSS, "unknown kind skipped by length");
	is_u64(seg.warn, 0, "unknown kind: no warning");
	OPTS(&seg, 0, 2, 4, 0x05, 0xb4);
	is_u64(seg.opt.present, 0, "EOL ends option parsing");
	is_u64(seg.warn, 0, "EOL: no warning");
	OPTS(&seg, 1, 1, 1, 1, 1, 2, 4, 0x05, 0xb4);
	is_u64(seg.opt.present, TCPOPT_HAVE_MSS, "NOPs stepped over");

	OPTS(&seg, 99, 0, 2, 4, 0x05, 0xb4);
	is_u64(seg.warn, SEGWARN_BAD_OPTION, "option length 0: BAD_OPTION");
	is_u64(seg.opt.present, 0, "option length 0: parsing stopped");
	OPTS(&seg, 99, 1, 2, 4, 0x05, 0xb4);
	is_u64(seg.warn, SEGWARN_BAD_OPTION, "option length 1: BAD_OPTION");
	is_u64(seg.opt.present, 0, "option length 1: parsing stopped");
	r = OPTS(&seg, 2, 4, 0x05, 0xb4, 8, 32, 0, 0);
	is_u64(r, DECODE_OK, "option too long: still OK");
	is_u64(seg.warn, SEGWARN_BAD_OPTION, "option too long: BAD_OPTION");
	is_u64(seg.opt.present, TCPOPT_HAVE_MSS, "option too long: earlier options kept");
	OPTS(&seg, 1, 1, 1, 2);
	is_u64(seg.warn, SEGWARN_BAD_OPTION, "kind in the last option byte: BAD_OPTION");
	OPTS(&seg, 1, 1, 2, 4, 0x05, 0xb4, 3, 3, 5, 4, 2, 1);
	is_u64(seg.opt.present, TCPOPT_HAVE_MSS | TCPOPT_HAVE_WSCALE | TCPOPT_HAVE_SACK_PERM,
	    "options exactly filling the space");
	is_u64(seg.warn, 0, "... no warning");
}

static void
test_nflog_lies(void)
{
	struct segment seg;
	struct buf good = { .n = 0 }, b;
	enum decode_result r;

	wrap_nflog(&good, IPK_V4);

	b = good;
	patchh16(&b, 4, 0);
	is_u64(dec(DLT_NFLOG, &b, &seg), DECODE_MALFORMED, "NFLOG TLV length 0: MALFORMED");
	patchh16(&b, 4, 2);
	is_u64(dec(DLT_NFLOG, &b, &seg), DECODE_MALFORMED, "NFLOG TLV length 2: MALFORMED");
	patchh16(&b, 4, 0xfff0);
	is_u64(dec(DLT_NFLOG, &b, &seg), DECODE_MALFORMED,
	    "NFLOG TLV length beyond the wire length: MALFORMED");
	is_u64(dec_wire(DLT_NFLOG, b.b, b.n, 70000, &seg), DECODE_TRUNCATED,
	    "NFLOG TLV length beyond the capture (snaplen): TRUNCATED");

	b = good;
	patchh16(&b, 24, 0xfff0);		/* the payload TLV */
	r = dec(DLT_NFLOG, &b, &seg);
	check_std(r, &seg, false, "NFLOG payload TLV length huge");

	b = good;
	patchh16(&b, 24, 4 + 20 + 16);		/* payload TLV stops inside TCP */
	r = dec(DLT_NFLOG, &b, &seg);
	ok(r == DECODE_TRUNCATED || r == DECODE_MALFORMED,
	    "NFLOG payload TLV shorter than the packet: not OK");
	ok(seg.tcp_seen, "... first 16 TCP bytes inside the TLV: tcp_seen");

	b = good;
	patchh16(&b, 26, 11);			/* NFULA_PAYLOAD -> NFULA_UID */
	is_u64(dec(DLT_NFLOG, &b, &seg), DECODE_TRUNCATED,
	    "NFLOG without a payload TLV: TRUNCATED");

	b = good;
	patchh16(&b, 26, 9 | 0x8000);		/* NLA_F_NESTED flag set */
	check_std(dec(DLT_NFLOG, &b, &seg), &seg, false, "NFLOG type flag bits masked");

	b = good;
	b.b[0] = 7;				/* NFPROTO_BRIDGE */
	is_u64(dec(DLT_NFLOG, &b, &seg), DECODE_UNSUPPORTED, "NFLOG bridge family: UNSUPPORTED");

	/* Many tiny TLVs: the loop bound, not the packet, ends the walk. */
	memset(&b, 0, sizeof(b));
	putmem(&b, good.b, 4);
	while (b.n < 4 + 4 * 100) {
		puth16(&b, 4);
		puth16(&b, 15);
	}
	is_u64(dec(DLT_NFLOG, &b, &seg), DECODE_MALFORMED, "NFLOG 100 empty TLVs: MALFORMED");
}

/* 'n' IPv4 headers, each carrying the next (protocol 4), around the
 * standard IPv4 packet: n + 1 IP layers in all. */
static void
put_ipip_chain(struct buf *b, unsigned n)
{
	size_t at[8];
	unsigned i;

	for (i = 0; i < n && i < 8; i++)
		at[i] = put_outer(b, false, 4);
	put_ip_std(b, IPK_V4);
	while (i-- > 0)
		end_outer(b, at[i]);
}

/* Four IP layers through every kind of tunnel: IPv4, GRE with an Ethernet
 * frame, IPv6, GRE with a key, IPv4, IP-in-IP, then the standard packet;
 * 'extra' more IP-in-IP headers go around all that. */
static void
put_mixed_chain(struct buf *b, unsigned extra)
{
	size_t at[8];
	unsigned i, n = 0;

	for (i = 0; i < extra && i < 4; i++)
		at[n++] = put_outer(b, false, 4);
	at[n++] = put_outer(b, false, 47);
	put16(b, 0);
	put16(b, 0x6558);
	putmem(b, mac_hdr, 12);
	put16(b, 0x86dd);
	at[n++] = put_outer(b, true, 47);
	put16(b, 0x2000);
	put16(b, 0x0800);
	put32(b, 7);				/* key */
	at[n++] = put_outer(b, false, 4);
	put_ip_std(b, IPK_V4);
	while (n-- > 0)
		end_outer(b, at[n]);
}

/* A GRE packet over IPv4 with these flags, protocol and bytes (the
 * optional fields, or whatever else) in front of the standard packet. */
static void
put_gre_raw(struct buf *b, unsigned flags, unsigned proto, const uint8_t *opt, size_t optlen,
    enum ipk k)
{
	size_t at;

	at = put_outer(b, false, 47);
	put16(b, flags);
	put16(b, proto);
	putmem(b, opt, optlen);
	put_ip_std(b, k);
	end_outer(b, at);
}

static void
test_tunnels(void)
{
	static const uint8_t pptp[] = {
		0, 60, 0, 7,			/* payload length, call id */
		0, 0, 0, 1,			/* sequence number */
		0xff, 0x03, 0x00, 0x21,		/* PPP address, control, IPv4 */
	};
	static const uint8_t zero8[8];
	struct segment seg;
	struct buf b;
	enum decode_result r;
	size_t at;

	memset(&b, 0, sizeof(b));
	put_ipip_chain(&b, 3);
	check_std(dec(DLT_RAW, &b, &seg), &seg, false, "4 IP layers (IP-in-IP x3)");
	memset(&b, 0, sizeof(b));
	put_ipip_chain(&b, 4);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_UNSUPPORTED, "5 IP layers: UNSUPPORTED");
	ok(!seg.tcp_seen, "... not seen");
	memset(&b, 0, sizeof(b));
	put_mixed_chain(&b, 0);
	check_std(dec(DLT_RAW, &b, &seg), &seg, false, "4 IP layers via GRE TEB, GRE6, IPIP");
	memset(&b, 0, sizeof(b));
	put_mixed_chain(&b, 1);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_UNSUPPORTED,
	    "5 IP layers via GRE TEB, GRE6, IPIP: UNSUPPORTED");

	/* GRE: what is and is not unwrapped. */
	memset(&b, 0, sizeof(b));
	put_gre_raw(&b, 0x4000, 0x0800, zero8, 8, IPK_V4);	/* offset, empty SRE list */
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_UNSUPPORTED, "GRE routing bit: UNSUPPORTED");
	memset(&b, 0, sizeof(b));
	put_gre_raw(&b, 0xc000, 0x0800, zero8, 8, IPK_V4);	/* C and R */
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_UNSUPPORTED,
	    "GRE checksum and routing bits: UNSUPPORTED");
	memset(&b, 0, sizeof(b));
	put_gre_raw(&b, 0x3001, 0x880b, pptp, sizeof(pptp), IPK_V4);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_NOT_TCP, "GRE version 1 (PPTP): NOT_TCP");
	memset(&b, 0, sizeof(b));
	put_gre_raw(&b, 0x0001, 0x0800, NULL, 0, IPK_V4);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_NOT_TCP, "GRE version 1 with IPv4: NOT_TCP");
	memset(&b, 0, sizeof(b));
	put_gre_raw(&b, 0x1000, 0x88be, zero8, 4, IPK_V4);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_NOT_TCP, "GRE ERSPAN: NOT_TCP");
	memset(&b, 0, sizeof(b));
	put_gre_raw(&b, 0, 0x8847, (const uint8_t[]){ 0, 0x01, 0x01, 0x40 }, 4, IPK_V4);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_NOT_TCP, "GRE MPLS: NOT_TCP");
	memset(&b, 0, sizeof(b));
	put_gre_raw(&b, 0x0bf8, 0x0800, NULL, 0, IPK_V4);	/* s, recursion 3, flags */
	check_std(dec(DLT_RAW, &b, &seg), &seg, false, "GRE reserved bits ignored");
	memset(&b, 0, sizeof(b));
	put_gre_raw(&b, 0x0002, 0x86dd, NULL, 0, IPK_V6);
	check_std(dec(DLT_RAW, &b, &seg), &seg, true, "GRE version 2 read as 0 (as Wireshark)");
	memset(&b, 0, sizeof(b));
	put_gre_raw(&b, 0, 0x0800, NULL, 0, IPK_V6);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_MALFORMED, "GRE 0x0800 carrying IPv6: MALFORMED");

	memset(&b, 0, sizeof(b));
	at = put_outer(&b, false, 47);
	put16(&b, 0x2000);			/* K, but the key is not in the packet */
	put16(&b, 0x0800);
	end_outer(&b, at);
	put32(&b, 0);
	put_ip_std(&b, IPK_V4);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_MALFORMED, "GRE key beyond the IP length: MALFORMED");
	memset(&b, 0, sizeof(b));
	at = put_outer(&b, false, 47);
	put16(&b, 0);
	end_outer(&b, at);
	put16(&b, 0x0800);
	put_ip_std(&b, IPK_V4);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_MALFORMED, "GRE of 2 bytes: MALFORMED");
	memset(&b, 0, sizeof(b));
	put_gre_raw(&b, 0x2000, 0x0800, zero8, 4, IPK_V4);
	is_u64(dec_wire(DLT_RAW, b.b, 20 + 6, b.n, &seg), DECODE_TRUNCATED,
	    "GRE key cut by snaplen: TRUNCATED");

	memset(&b, 0, sizeof(b));
	at = put_outer(&b, false, 47);
	put16(&b, 0);
	put16(&b, 0x6558);
	putmem(&b, mac_hdr, 12);
	put16(&b, 0x0806);
	putzero(&b, 28);
	end_outer(&b, at);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_NOT_TCP, "GRE TEB carrying ARP: NOT_TCP");

	/* Lengths: each layer within the one around it. */
	memset(&b, 0, sizeof(b));
	at = put_outer(&b, false, 4);
	put_ipv4(&b, 1500, 0, 6);
	put_tcp_std(&b);
	end_outer(&b, at);
	r = dec(DLT_RAW, &b, &seg);
	is_u64(r, DECODE_OK, "inner IPv4 length beyond the tunnel's: OK");
	is_u64(seg.payload_len, STD_PAYLEN, "... clamped to what the outer header leaves");
	is_u64(seg.warn, SEGWARN_IP_LEN_CLAMPED, "... and counted");

	memset(&b, 0, sizeof(b));
	at = put_outer(&b, false, 4);
	put_ipv4(&b, 0, 0, 6);			/* TSO */
	put_tcp_std(&b);
	end_outer(&b, at);
	putzero(&b, 8);				/* not part of the outer packet */
	r = dec(DLT_RAW, &b, &seg);
	check_std(r, &seg, false, "inner IPv4 length 0 takes the outer's payload length");

	/* Both lengths 0 and the frame cut by snaplen: the inner packet's
	 * wire length is what is left of the outer's. */
	memset(&b, 0, sizeof(b));
	put_outer(&b, false, 4);
	put_ipv4(&b, 0, 0, 6);
	put_tcp_std(&b);
	r = dec_wire(DLT_RAW, b.b, b.n, b.n + 1000, &seg);
	is_u64(r, DECODE_OK, "IPv4 length 0 in IPv4 length 0, snaplen cut: OK");
	is_u64(seg.payload_len, STD_PAYLEN + 1000, "... payload_len from the wire length");
	is_u64(seg.captured_payload, STD_PAYLEN, "... captured_payload");

	memset(&b, 0, sizeof(b));
	at = put_outer(&b, true, 41);
	put_ipv6(&b, 0, 6);
	put_tcp_std(&b);
	end_outer(&b, at);
	check_std(dec(DLT_RAW, &b, &seg), &seg, true, "inner IPv6 payload length 0 (GSO)");

	memset(&b, 0, sizeof(b));
	at = put_outer(&b, false, 4);
	put_ip_std(&b, IPK_V4);
	end_outer(&b, at);
	patch16(&b, 6, 0x2000);			/* outer MF */
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_FRAGMENT, "outer IPv4 fragment: FRAGMENT");
	patch16(&b, 6, 0x4000);
	patch16(&b, 26, 0x2000);		/* inner MF */
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_FRAGMENT, "inner IPv4 fragment: FRAGMENT");

	memset(&b, 0, sizeof(b));
	at = put_outer(&b, false, 4);
	put_ipv4(&b, 28, 0, 17);
	putzero(&b, 8);
	end_outer(&b, at);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_NOT_TCP, "IP-in-IP carrying UDP: NOT_TCP");

	memset(&b, 0, sizeof(b));
	at = put_outer(&b, false, 41);
	put_ip_std(&b, IPK_V4);
	end_outer(&b, at);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_MALFORMED, "protocol 41 carrying IPv4: MALFORMED");
}

/* An ICMP (v6: ICMPv6) error of 'type' from a router, quoting the first
 * 'quoted' bytes of q.  Returns where the quote starts. */
static size_t
put_icmp_err(struct buf *b, bool v6, unsigned type, const struct buf *q, size_t quoted)
{
	size_t at;

	at = put_outer(b, v6, v6 ? 58 : 1);
	put8(b, type);
	put8(b, 0);				/* code */
	put16(b, 0);				/* checksum: not checked */
	put32(b, 1280);				/* unused, MTU or pointer */
	putmem(b, q->b, quoted < q->n ? quoted : q->n);
	end_outer(b, at);
	return at + (v6 ? 40 : 20) + 8;
}

/* Decode an ICMP error quoting 'quoted' bytes of q over raw IP. */
static enum decode_result
dec_icmp(bool v6, unsigned type, const struct buf *q, size_t quoted, struct segment *seg)
{
	struct buf b = { .n = 0 };

	put_icmp_err(&b, v6, type, q, quoted);
	return dec(DLT_RAW, &b, seg);
}

/* The quoted standard segment, as far as a quote describes it. */
static void
check_quote(enum decode_result r, const struct segment *seg, bool v6, const char *what)
{
	is_u64(r, DECODE_ICMP_QUOTE, label(what, "DECODE_ICMP_QUOTE"));
	if (r != DECODE_ICMP_QUOTE)
		return;
	check_addrs(seg, v6, what);
	check_tcp_hdr(seg, what);
	is_u64(seg->hdr_len, STD_HDR, label(what, "hdr_len of the quoted header"));
	ok(!seg->hdr_fits, label(what, "hdr_fits false"));
	is_u64(seg->warn, 0, label(what, "no warnings"));
	is_u64(seg->payload_len, 0, label(what, "no payload"));
	is_u64(seg->opt.present, 0, label(what, "options not parsed"));
}

static void
test_icmp_quotes(void)
{
	static const struct {
		bool		v6;
		unsigned	type;
		enum decode_result want;
		const char	*what;
	} types[] = {
		{ false, 0,	DECODE_NOT_TCP,		"ICMP echo reply" },
		{ false, 3,	DECODE_ICMP_QUOTE,	"ICMP destination unreachable" },
		{ false, 4,	DECODE_ICMP_QUOTE,	"ICMP source quench" },
		{ false, 5,	DECODE_NOT_TCP,		"ICMP redirect (Wireshark: 8 bytes)" },
		{ false, 8,	DECODE_NOT_TCP,		"ICMP echo request" },
		{ false, 11,	DECODE_ICMP_QUOTE,	"ICMP time exceeded" },
		{ false, 12,	DECODE_ICMP_QUOTE,	"ICMP parameter problem" },
		{ false, 13,	DECODE_NOT_TCP,		"ICMP timestamp request" },
		{ true, 1,	DECODE_ICMP_QUOTE,	"ICMPv6 destination unreachable" },
		{ true, 2,	DECODE_ICMP_QUOTE,	"ICMPv6 packet too big" },
		{ true, 3,	DECODE_ICMP_QUOTE,	"ICMPv6 time exceeded" },
		{ true, 4,	DECODE_ICMP_QUOTE,	"ICMPv6 parameter problem" },
		{ true, 128,	DECODE_NOT_TCP,		"ICMPv6 echo request" },
		{ true, 135,	DECODE_NOT_TCP,		"ICMPv6 neighbour solicitation" },
	};
	struct segment seg;
	struct buf q4 = { .n = 0 }, q6 = { .n = 0 }, q6ext = { .n = 0 }, q, b;
	enum decode_result r;
	size_t i, at, at2;

	put_ip_std(&q4, IPK_V4);
	put_ip_std(&q6, IPK_V6);
	put_ip_std(&q6ext, IPK_V6EXT);

	/* How much of the quoted TCP header it takes. */
	check_quote(dec_icmp(false, 3, &q4, 20 + 20, &seg), &seg, false,
	    "ICMP unreachable quoting 20 TCP bytes");
	r = dec_icmp(false, 3, &q4, 20 + 8, &seg);
	is_u64(r, DECODE_NOT_TCP, "ICMP quoting 8 TCP bytes (RFC 792): NOT_TCP");
	ok(!seg.tcp_seen, "... not seen");
	r = dec_icmp(false, 3, &q4, 20 + 15, &seg);
	is_u64(r, DECODE_NOT_TCP, "ICMP quoting 15 TCP bytes: NOT_TCP");
	ok(!seg.tcp_seen, "... not seen");
	check_quote(dec_icmp(false, 3, &q4, 20 + 16, &seg), &seg, false,
	    "ICMP quoting 16 TCP bytes");
	check_quote(dec_icmp(false, 3, &q4, q4.n, &seg), &seg, false,
	    "ICMP quoting the whole packet");
	ok(seg.payload == NULL && seg.captured_payload == 0, "... payload not taken");

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		r = dec_icmp(types[i].v6, types[i].type, types[i].v6 ? &q6 : &q4, 200, &seg);
		is_u64(r, types[i].want, types[i].what);
	}
	check_quote(dec_icmp(true, 3, &q6, 40 + 16, &seg), &seg, true,
	    "ICMPv6 time exceeded quoting 16 TCP bytes");
	check_quote(dec_icmp(true, 1, &q6ext, 72 + 20, &seg), &seg, true,
	    "ICMPv6 quoting IPv6 with extension headers");
	check_quote(dec_icmp(false, 3, &q6, 40 + 20, &seg), &seg, true, "ICMP quoting IPv6");
	is_u64(dec_icmp(true, 1, &q4, 20 + 20, &seg), DECODE_NOT_TCP,
	    "ICMPv6 quoting IPv4: NOT_TCP");

	/* Wireshark goes by the protocol number, whatever the IP version. */
	memset(&b, 0, sizeof(b));
	at = put_outer(&b, true, 1);
	put32(&b, 0x03000000);
	put32(&b, 0);
	putmem(&b, q4.b, 20 + 20);
	end_outer(&b, at);
	check_quote(dec(DLT_RAW, &b, &seg), &seg, false, "ICMP (protocol 1) over IPv6");

	/* Quoted lengths are read as far as they go, never as lies. */
	q = q4;
	patch16(&q, 2, 0);
	check_quote(dec_icmp(false, 3, &q, 20 + 20, &seg), &seg, false,
	    "quoted IPv4 total length 0");
	patch16(&q, 2, 10);
	is_u64(dec_icmp(false, 3, &q, 20 + 20, &seg), DECODE_NOT_TCP,
	    "quoted IPv4 total length < IHL: NOT_TCP");
	patch16(&q, 2, 20 + 12);
	r = dec_icmp(false, 3, &q, 20 + 20, &seg);
	is_u64(r, DECODE_NOT_TCP, "quoted IPv4 total length ends at 12 TCP bytes: NOT_TCP");
	ok(!seg.tcp_seen, "... not seen");
	patch16(&q, 2, 20 + 16);
	check_quote(dec_icmp(false, 3, &q, 20 + 20, &seg), &seg, false,
	    "quoted IPv4 total length ends at 16 TCP bytes");
	q = q6;
	patch16(&q, 4, 12);
	is_u64(dec_icmp(true, 1, &q, 40 + 20, &seg), DECODE_NOT_TCP,
	    "quoted IPv6 payload length 12: NOT_TCP");
	q = q4;
	q.b[0] = 0x55;
	is_u64(dec_icmp(false, 3, &q, 20 + 20, &seg), DECODE_NOT_TCP,
	    "quoted IP version 5: NOT_TCP");
	q = q4;
	q.b[0] = 0x44;
	is_u64(dec_icmp(false, 3, &q, 20 + 20, &seg), DECODE_NOT_TCP,
	    "quoted IPv4 IHL 4: NOT_TCP");

	/* Quoted fragments, as Wireshark 4.0 treats them. */
	q = q4;
	patch16(&q, 6, 0x0010);
	is_u64(dec_icmp(false, 3, &q, 20 + 20, &seg), DECODE_NOT_TCP,
	    "quoted IPv4 fragment offset != 0: NOT_TCP");
	patch16(&q, 6, 0x2000);
	check_quote(dec_icmp(false, 3, &q, 20 + 20, &seg), &seg, false,
	    "quoted IPv4 first fragment, quote cut short");
	is_u64(dec_icmp(false, 3, &q, q.n, &seg), DECODE_NOT_TCP,
	    "quoted IPv4 first fragment, all there: NOT_TCP (Wireshark reassembles)");
	memset(&q, 0, sizeof(q));
	put_ipv6(&q, 8 + STD_TCP_LEN, 44);
	put8(&q, 6);
	put8(&q, 0);
	put16(&q, 0x0001);			/* offset 0, M = 1 */
	put32(&q, 1);
	put_tcp_std(&q);
	is_u64(dec_icmp(true, 1, &q, 48 + 20, &seg), DECODE_NOT_TCP,
	    "quoted IPv6 first fragment: NOT_TCP");

	/* Not TCP, or not to be looked into. */
	memset(&q, 0, sizeof(q));
	put_ipv4(&q, 28, 0, 17);
	putzero(&q, 8);
	is_u64(dec_icmp(false, 3, &q, q.n, &seg), DECODE_NOT_TCP, "ICMP quoting UDP: NOT_TCP");
	memset(&q, 0, sizeof(q));
	put_icmp_err(&q, false, 3, &q4, 20 + 20);
	r = dec_icmp(false, 3, &q, q.n, &seg);
	is_u64(r, DECODE_NOT_TCP, "ICMP error quoting an ICMP error: NOT_TCP");
	ok(!seg.tcp_seen, "... not seen");

	memset(&b, 0, sizeof(b));
	at = put_outer(&b, false, 1);
	put32(&b, 0x03000000);
	put16(&b, 0);
	end_outer(&b, at);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_NOT_TCP, "ICMP header of 6 bytes: NOT_TCP");
	memset(&b, 0, sizeof(b));
	put_icmp_err(&b, false, 3, &q4, 20 + 20);
	is_u64(dec_wire(DLT_RAW, b.b, 20 + 7, b.n, &seg), DECODE_NOT_TCP,
	    "ICMP header cut by snaplen: NOT_TCP");

	/* Tunnels and quotes, both ways round. */
	memset(&q, 0, sizeof(q));
	at = put_outer(&q, false, 4);
	put_ip_std(&q, IPK_V4);
	end_outer(&q, at);
	check_quote(dec_icmp(false, 11, &q, 20 + 20 + 20, &seg), &seg, false,
	    "ICMP quoting IP-in-IP: the inner tuple");
	memset(&b, 0, sizeof(b));
	at = put_outer(&b, false, 47);
	put16(&b, 0);
	put16(&b, 0x86dd);
	put_icmp_err(&b, true, 2, &q6, q6.n);
	end_outer(&b, at);
	check_quote(dec(DLT_RAW, &b, &seg), &seg, true, "ICMPv6 error inside GRE");
	memset(&b, 0, sizeof(b));
	at = put_outer(&b, false, 4);
	at2 = put_outer(&b, false, 4);
	put_icmp_err(&b, false, 3, &q, q.n);
	end_outer(&b, at2);
	end_outer(&b, at);
	is_u64(dec(DLT_RAW, &b, &seg), DECODE_NOT_TCP,
	    "ICMP quote as the 5th IP layer: NOT_TCP");
}

/* ------------------------------------------------------------------ */
/* Every good frame, cut at every length. */

struct cut_stats {
	unsigned	bad_result, bad_seen, bad_ok, bad_fields, bad_opt_warn;
	size_t		first_bad;
};

static void
note_bad(struct cut_stats *s, unsigned *counter, size_t len)
{
	if (*counter == 0 && s->first_bad == SIZE_MAX)
		s->first_bad = len;
	(*counter)++;
}

static void
cut_one(const struct buf *b, int dlt, size_t tcp_off, struct cut_stats *s)
{
	struct segment seg;
	enum decode_result r;
	size_t len, hdr_end, expect_pay;

	hdr_end = tcp_off + STD_HDR;
	for (len = 0; len <= b->n; len++) {
		r = dec_wire(dlt, b->b, len, b->n, &seg);
		if (r != DECODE_OK && r != DECODE_TRUNCATED)
			note_bad(s, &s->bad_result, len);
		if (seg.tcp_seen != (len >= tcp_off + 16))
			note_bad(s, &s->bad_seen, len);
		if ((r == DECODE_OK) != (len >= tcp_off + 20))
			note_bad(s, &s->bad_ok, len);
		if (seg.warn & SEGWARN_BAD_OPTION)
			note_bad(s, &s->bad_opt_warn, len);
		if (seg.tcp_seen && (seg.seq != STD_SEQ || seg.src.port != STD_SPORT ||
		    seg.hdr_len != STD_HDR || !seg.hdr_fits))
			note_bad(s, &s->bad_fields, len);
		if (r != DECODE_OK)
			continue;
		expect_pay = len > hdr_end ? len - hdr_end : 0;
		if (seg.payload_len != STD_PAYLEN || seg.captured_payload != expect_pay ||
		    (expect_pay > 0) != (seg.payload != NULL) ||
		    ((seg.warn & SEGWARN_OPTIONS_TRUNCATED) != 0) != (len < hdr_end) ||
		    ((seg.opt.present & TCPOPT_HAVE_MSS) != 0) != (len >= tcp_off + 24) ||
		    ((seg.opt.present & TCPOPT_HAVE_TS) != 0) != (len >= tcp_off + 40))
			note_bad(s, &s->bad_fields, len);
		if (expect_pay > 0 && memcmp(seg.payload, STD_PAYLOAD, expect_pay) != 0)
			note_bad(s, &s->bad_fields, len);
	}
}

static void
test_cut_everywhere(void)
{
	struct cut_stats s;
	struct buf b;
	char what[128];
	size_t i, tcp_off;
	int k;

	for (i = 0; i < NWRAPPERS; i++) {
		for (k = IPK_V4; k <= IPK_V6EXT; k++) {
			if (!wrapper_takes(&wrappers[i], (enum ipk)k))
				continue;
			memset(&b, 0, sizeof(b));
			memset(&s, 0, sizeof(s));
			s.first_bad = SIZE_MAX;
			tcp_off = wrappers[i].build(&b, (enum ipk)k);
			cut_one(&b, wrappers[i].dlt, tcp_off, &s);
			snprintf(what, sizeof(what), "%s %s cut at every length 0..%zu",
			    wrappers[i].name, ipk_names[k], b.n);
			ok(s.bad_result + s.bad_seen + s.bad_ok + s.bad_fields +
			    s.bad_opt_warn == 0, what);
			if (s.first_bad != SIZE_MAX)
				printf("# first bad length %zu: result %u seen %u ok %u "
				    "fields %u bad-opt %u\n", s.first_bad, s.bad_result,
				    s.bad_seen, s.bad_ok, s.bad_fields, s.bad_opt_warn);
		}
	}
}

/* An ICMP error quoting the whole standard packet, cut at every length:
 * TRUNCATED inside the outer IP header, NOT_TCP (not numbered by Wireshark
 * either) until 16 bytes of the quoted TCP header are there, then
 * DECODE_ICMP_QUOTE with the quoted fields. */
static void
test_cut_quote(void)
{
	struct segment seg;
	struct buf q, b;
	enum decode_result r, want;
	unsigned bad;
	size_t len, icmp_off, tcp_off;
	int v6;

	for (v6 = 0; v6 <= 1; v6++) {
		memset(&q, 0, sizeof(q));
		memset(&b, 0, sizeof(b));
		put_ip_std(&q, v6 ? IPK_V6 : IPK_V4);
		putmem(&b, mac_hdr, 12);
		put16(&b, v6 ? 0x86dd : 0x0800);
		tcp_off = put_icmp_err(&b, v6, v6 ? 1 : 3, &q, q.n) + (v6 ? 40 : 20);
		icmp_off = 14 + (v6 ? 40 : 20);
		bad = 0;
		for (len = 0; len <= b.n; len++) {
			r = dec_wire(DLT_EN10MB, b.b, len, b.n, &seg);
			want = len < icmp_off ? DECODE_TRUNCATED :
			    len < tcp_off + 16 ? DECODE_NOT_TCP : DECODE_ICMP_QUOTE;
			if (r != want || seg.tcp_seen != (want == DECODE_ICMP_QUOTE))
				bad++;
			if (r == DECODE_ICMP_QUOTE && (seg.seq != STD_SEQ || seg.ack != STD_ACK ||
			    seg.src.port != STD_SPORT || seg.dst.port != STD_DPORT ||
			    seg.hdr_len != STD_HDR || seg.hdr_fits || seg.warn != 0 ||
			    seg.src.family != (v6 ? 6 : 4)))
				bad++;
		}
		ok(bad == 0, v6 ? "ICMPv6 quote cut at every length" :
		    "ICMP quote cut at every length");
	}
}

/* Random damage to every good frame: whatever comes back must be
 * internally consistent, and ASan watches every read.  Deterministic. */
static uint32_t rng_state = 0x2545f491;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* 400 randomly damaged copies of 'good': the count of inconsistent results. */
static unsigned
mangle_frame(int dlt, const struct buf *good)
{
	static const uint8_t interesting[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x08,
	    0x0a, 0x0b, 0x29, 0x2c, 0x2f, 0x3a, 0x3b, 0x40, 0x45, 0x60, 0x65, 0x7f, 0x80, 0x81,
	    0x86, 0x88, 0xc2, 0xdd, 0xf0, 0xff };
	struct segment seg;
	struct buf b;
	enum decode_result r;
	unsigned bad = 0, iter, flips, j;
	size_t len, pos;

	for (iter = 0; iter < 400; iter++) {
		b = *good;
		flips = 1 + rng() % 4;
		for (j = 0; j < flips; j++) {
			pos = rng() % b.n;
			b.b[pos] = rng() % 2 ? (uint8_t)rng() :
			    interesting[rng() % sizeof(interesting)];
		}
		len = rng() % 4 == 0 ? rng() % (b.n + 1) : b.n;
		r = dec_wire(dlt, b.b, len, rng() % 2 ? len : len + rng() % 70000, &seg);
		if (r > DECODE_ICMP_QUOTE)
			bad++;
		if (r == DECODE_ICMP_QUOTE && (!seg.tcp_seen || seg.hdr_fits ||
		    seg.payload != NULL || (seg.src.family != 4 && seg.src.family != 6)))
			bad++;
		if (r == DECODE_OK && (!seg.tcp_seen || seg.hdr_len < 20 ||
		    seg.hdr_len > 60 || seg.captured_payload > seg.payload_len ||
		    seg.opt.sack_count > TCPOPT_MAX_SACK ||
		    seg.opt.wscale > 14 ||
		    (seg.src.family != 4 && seg.src.family != 6)))
			bad++;
		if (r == DECODE_OK && seg.captured_payload > 0 &&
		    (seg.payload < heap_copy ||
		    seg.payload + seg.captured_payload > heap_copy + len))
			bad++;
	}
	return bad;
}

static void
test_mangle(void)
{
	struct buf good, q;
	unsigned bad = 0;
	size_t i;
	int k;

	for (i = 0; i < NWRAPPERS; i++) {
		for (k = IPK_V4; k <= IPK_V6EXT; k++) {
			if (!wrapper_takes(&wrappers[i], (enum ipk)k))
				continue;
			memset(&good, 0, sizeof(good));
			wrappers[i].build(&good, (enum ipk)k);
			bad += mangle_frame(wrappers[i].dlt, &good);
		}
	}
	/* ICMP errors quoting each kind of packet. */
	for (k = IPK_V4; k <= IPK_V6EXT; k++) {
		memset(&q, 0, sizeof(q));
		memset(&good, 0, sizeof(good));
		put_ip_std(&q, (enum ipk)k);
		put_icmp_err(&good, is_v6((enum ipk)k), is_v6((enum ipk)k) ? 1 : 3, &q, q.n);
		bad += mangle_frame(DLT_RAW, &good);
	}
	ok(bad == 0, "randomly damaged frames decode to consistent results");
}

int
main(void)
{
	test_links();
	test_linktype_api();
	test_version_mismatch();
	test_ipv4_options();
	test_ipv4_lies();
	test_ether_padding();
	test_fragments();
	test_not_tcp();
	test_vlan_mpls_pppoe();
	test_big_tcp();
	test_ipv6_ext();
	test_tcp_lies();
	test_options();
	test_nflog_lies();
	test_tunnels();
	test_icmp_quotes();
	test_cut_everywhere();
	test_cut_quote();
	test_mangle();
	free(heap_copy);
	printf("# fast path took %lu frames\n", fast_taken);
	ok(fast_taken > 100, "the Ethernet/IPv4/TCP fast path took many of the frames");
	is_u64(fast_disagreed, 0, "... and always agreed with the general path");
	return tap_done();
}
