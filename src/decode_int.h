/* decode_int.h: the hand-offs between decode_link.c, decode_ip.c and decode_tcp.c.
 *
 * Private to those three files.  Each function reads through a cursor that its
 * caller has already clamped to what the enclosing header claims, and fills
 * the parts of struct segment its layer knows. */
#ifndef TCPDISSECT_DECODE_INT_H
#define TCPDISSECT_DECODE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pcap/dlt.h>

#include "cursor.h"
#include "decode.h"

/* Older <pcap/dlt.h> lack some of these; the values are fixed by tcpdump.org's
 * LINKTYPE registry. */
#ifndef DLT_IPV4
#define DLT_IPV4	228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6	229
#endif
#ifndef DLT_NFLOG
#define DLT_NFLOG	239
#endif
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2	276
#endif

#define TCP_HDR_MIN	20	/* fixed TCP header, RFC 9293 section 3.1 */

/* 'wire_len' below is how many bytes the IP packet starting at c->p had on
 * the wire as far as the link layer knows: cur_left(c) plus whatever the
 * snapshot length cut off.  It only matters when an IP header gives no
 * length at all (IPv4 total length 0, IPv6 payload length 0 without a
 * jumbo option: TSO/GSO and BIG TCP); like Wireshark's "reported length",
 * it keeps payload_len right when the capture was also cut by snaplen.
 * Inside a tunnel it is what the enclosing header leaves for its payload. */

/* Where a layer sits, handed down by value.  'depth' counts the IP headers
 * around it, so tunnels inside tunnels end at a bound; 'quote' says it is
 * (inside) the packet an ICMP error quotes, which is cut short on purpose
 * and only ever yields DECODE_ICMP_QUOTE or DECODE_NOT_TCP in the end. */
struct encap {
	unsigned	depth;
	bool		quote;
};

/* An IPv4 or IPv6 packet, chosen by the version nibble (raw IP links). */
enum decode_result decode_ip(struct cursor *c, size_t wire_len, struct encap e,
    struct segment *seg);

/* An IPv4 packet; a version nibble other than 4 is DECODE_MALFORMED. */
enum decode_result decode_ipv4(struct cursor *c, size_t wire_len, struct encap e,
    struct segment *seg);

/* An IPv6 packet; a version nibble other than 6 is DECODE_MALFORMED. */
enum decode_result decode_ipv6(struct cursor *c, size_t wire_len, struct encap e,
    struct segment *seg);

/* An Ethernet frame (no FCS) inside a tunnel: GRE transparent Ethernet
 * bridging.  wire_len counts the frame like the IP decoders' wire_len. */
enum decode_result decode_ether_tunnelled(struct cursor *c, size_t wire_len, struct encap e,
    struct segment *seg);

/* The TCP header at c->p.  ip_len is the segment length the IP layer claims
 * (header plus payload); c has been clamped to min(captured, ip_len). */
enum decode_result decode_tcp(struct cursor *c, uint32_t ip_len, struct segment *seg);

/* decode_link.c: decode_packet() is the fast path for Ethernet/IPv4/TCP
 * (true when it decided, with *res) and else the general path; both are
 * here so that the unit tests can check they agree.  Both expect *seg
 * zeroed. */
bool decode_fast_ether_ipv4_tcp(const struct packet *pkt, struct segment *seg,
    enum decode_result *res);
enum decode_result decode_packet_general(const struct packet *pkt, struct segment *seg);

/* The TCP header an ICMP error quotes: DECODE_ICMP_QUOTE with the tcp_seen
 * fields filled when its first 16 bytes are there, else DECODE_NOT_TCP. */
enum decode_result decode_tcp_quoted(struct cursor *c, struct segment *seg);

#endif /* TCPDISSECT_DECODE_INT_H */
