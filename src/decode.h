/* decode.h: turn one captured packet into one TCP segment description.
 *
 * Owns the wire formats of every supported link type, IPv4, IPv6 and TCP.
 * Nothing else in tcpdissect knows a header layout.  Every read goes
 * through cursor.h; each layer is clamped to the length its parent claims.
 * decode_packet() never allocates and never prints: what went wrong is the
 * return value (and, for option-level doubts, seg->warn bits), which the
 * pipeline counts in struct stats. */
#ifndef TCPDISSECT_DECODE_H
#define TCPDISSECT_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

enum decode_result {
	DECODE_OK,		/* a TCP segment with its full fixed header */
	DECODE_NOT_TCP,		/* a good packet that simply is not TCP */
	DECODE_TRUNCATED,	/* capture ended inside a header */
	DECODE_MALFORMED,	/* a header field lies (length, version, offset) */
	DECODE_FRAGMENT,	/* an IP fragment: not reassembled */
	DECODE_UNSUPPORTED,	/* link type or encapsulation not decoded */
	DECODE_ICMP_QUOTE,	/* an ICMP/ICMPv6 error quoting a TCP header:
				 * the tcp_seen fields describe the quoted
				 * segment (Wireshark numbers it too) */
};

/* TCP flag bits as they sit in the low 9 bits of header bytes 12-13. */
#define TCP_FIN	0x001
#define TCP_SYN	0x002
#define TCP_RST	0x004
#define TCP_PSH	0x008
#define TCP_ACK	0x010
#define TCP_URG	0x020
#define TCP_ECE	0x040
#define TCP_CWR	0x080
#define TCP_AE	0x100		/* AccECN, RFC 9768 (was NS, RFC 3540) */
#define TCP_FLAGS_MASK 0x1ff

/* Which options the segment carried (struct tcp_options.present). */
#define TCPOPT_HAVE_MSS		0x01
#define TCPOPT_HAVE_WSCALE	0x02
#define TCPOPT_HAVE_SACK_PERM	0x04
#define TCPOPT_HAVE_SACK	0x08
#define TCPOPT_HAVE_TS		0x10
#define TCPOPT_HAVE_TFO		0x20	/* kind 34, or experimental 254/0xF989 */
#define TCPOPT_HAVE_MPTCP	0x40
#define TCPOPT_HAVE_MD5		0x80	/* kind 19, or TCP-AO kind 29 */

#define TCPOPT_MAX_SACK 4		/* 40 option bytes hold at most 4 blocks */

struct tcp_options {
	uint8_t		present;	/* TCPOPT_HAVE_* bits */
	uint8_t		wscale;		/* shift count, clamped to 14 */
	uint8_t		sack_count;	/* blocks in sack[] */
	uint8_t		tfo_cookie_len;	/* 0 = cookie request */
	uint16_t	mss;		/* bytes */
	uint32_t	tsval, tsecr;	/* RFC 7323 timestamps, raw */
	uint32_t	sack_left[TCPOPT_MAX_SACK];	/* seq, raw */
	uint32_t	sack_right[TCPOPT_MAX_SACK];	/* seq, raw (exclusive) */
};

/* seg->warn bits: doubts about a segment that was still analysed. */
#define SEGWARN_OPTIONS_TRUNCATED 0x01	/* options cut by snaplen */
#define SEGWARN_BAD_OPTION	  0x02	/* an option length lied (parsing stopped)
					 * or broke its option's fixed length
					 * (that option skipped) */
#define SEGWARN_WSCALE_CLAMPED	  0x04	/* wscale option > 14 */
#define SEGWARN_IP_LEN_CLAMPED	  0x08	/* IP length beyond the frame: clamped */

struct segment {
	struct endpoint	src, dst;	/* addresses (family 4 or 6) and ports */
	uint32_t	seq, ack;	/* raw, absolute */
	uint16_t	flags;		/* TCP_* bits */
	uint16_t	win_raw;	/* window field as sent, unscaled */
	uint16_t	hdr_len;	/* TCP header bytes (data offset * 4) */
	uint8_t		warn;		/* SEGWARN_* */
	uint8_t		ttl;		/* IPv4 TTL or IPv6 hop limit */
	uint32_t	payload_len;	/* TCP payload bytes per the IP length */
	uint32_t	captured_payload; /* of those, bytes actually captured */
	const uint8_t	*payload;	/* captured payload, into packet bytes */
	uint32_t	ip_id;		/* IPv4 identification; 0 for IPv6 */

	/* Filled whenever at least the first 16 bytes of the TCP header
	 * (ports, seq, ack, offset, flags, window) were captured, even when
	 * the result is not DECODE_OK: Wireshark gives such a packet a
	 * tcp.stream, so the connection table must see it to keep the same
	 * numbering.  'hdr_fits' says the IP payload length covers the data
	 * offset (Wireshark's condition for taking base sequence numbers). */
	bool		tcp_seen;
	bool		hdr_fits;

	struct tcp_options opt;
};

/* Decode pkt (of link type pkt->linktype) into *seg.  *seg is fully
 * overwritten; on DECODE_OK every field is valid; otherwise only the
 * fields named above may be.  seg->payload points into pkt->bytes and is
 * valid as long as they are. */
enum decode_result decode_packet(const struct packet *pkt, struct segment *seg);

/* True when decode_packet() knows how to decode this DLT. */
bool decode_linktype_supported(int linktype);

/* Name of a DLT for messages ("EN10MB", "LINUX_SLL2", ...), or NULL. */
const char *decode_linktype_name(int linktype);

#endif /* TCPDISSECT_DECODE_H */
