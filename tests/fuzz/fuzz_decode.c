/* fuzz_decode.c: the libFuzzer target for decode_packet() and the promises decode.h makes.
 *
 * An input is two selector bytes, then the captured packet: byte 0 picks
 * the link type (links[] below, modulo its length) and byte 1 is how many
 * bytes the snapshot length cut off (wirelen = caplen + byte 1), so the
 * "claimed longer than captured" paths are reached as easily as the rest.
 * A broken promise ends in __builtin_trap(), which libFuzzer reports and
 * saves like any crash.  How to build, seed and run it: README.md here. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "decode.h"
#include "decode_int.h"
#include "packet.h"


/* Radiotap: a real DLT that decode_link.c has no entry for, so the
 * refusal path is exercised with a value a capture could carry. */
#define LINK_UNSUPPORTED	127

#define SELECTOR_LEN	2
#define WSCALE_MAX	14	/* RFC 7323 2.3; decode.h: "clamped to 14" */

/* A macro, not a function, so that the trap's line in the stack trace
 * names the invariant that broke. */
#define INVARIANT(cond) do {			\
	if (!(cond))				\
		__builtin_trap();		\
} while (0)

/* Every link type decode_packet() dispatches on, as this host's DLT_*
 * values, and one it must refuse.  The order is the input format: the
 * seed one-liner in README.md writes these indices. */
static const int links[] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4, DLT_IPV6,
	DLT_NULL, DLT_LOOP, DLT_NFLOG, LINK_UNSUPPORTED,
};

#define NLINKS	(sizeof(links) / sizeof(links[0]))

/* libFuzzer ships no C header; declared here for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The payload must lie inside the capture with captured_payload bytes
 * left.  Compared as integers: ordering pointers that might not point
 * into one object is undefined, and a wrong pointer is what we look for. */
static bool
payload_inside(const struct segment *seg, const uint8_t *buf, size_t caplen)
{
	uintptr_t p = (uintptr_t)seg->payload, b = (uintptr_t)buf;

	if (buf == NULL || p < b || p - b > caplen)
		return false;
	return caplen - (p - b) >= seg->captured_payload;
}

static void
check_segment(enum decode_result r, const struct segment *seg, int linktype,
    const uint8_t *buf, size_t caplen)
{
	/* Hold whatever the result: the flow table and the option code index
	 * and shift by these even for segments that failed later on. */
	INVARIANT(seg->opt.sack_count <= TCPOPT_MAX_SACK);
	INVARIANT(seg->opt.wscale <= WSCALE_MAX);
	if (seg->tcp_seen) {
		/* The connection table keys on these addresses. */
		INVARIANT(seg->src.family == 4 || seg->src.family == 6);
		INVARIANT(seg->dst.family == seg->src.family);
	}
	if (!decode_linktype_supported(linktype))
		INVARIANT(r == DECODE_UNSUPPORTED);
	if (r == DECODE_ICMP_QUOTE)
		INVARIANT(seg->tcp_seen);	/* decode.h: the quote is described */
	if (r != DECODE_OK)
		return;

	/* decode.h: on DECODE_OK every field is valid. */
	INVARIANT(seg->tcp_seen);
	INVARIANT(seg->hdr_len >= TCP_HDR_MIN);
	INVARIANT(seg->captured_payload <= seg->payload_len);
	if (seg->captured_payload > 0)
		INVARIANT(seg->payload != NULL);
	if (seg->payload != NULL)
		INVARIANT(payload_inside(seg, buf, caplen));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct packet pkt;
	struct segment seg;
	enum decode_result r;
	uint8_t *buf;
	size_t caplen;

	if (size < SELECTOR_LEN)
		return 0;
	caplen = size - SELECTOR_LEN;
	if (caplen > UINT32_MAX - UINT8_MAX)
		return 0;			/* wirelen must not wrap */

	/* A heap copy of exactly caplen bytes: a read past the capture hits
	 * ASan's redzone, and one before it cannot land on the selector.  An
	 * empty record gets NULL, as libpcap may hand over. */
	buf = NULL;
	if (caplen > 0) {
		buf = malloc(caplen);
		if (buf == NULL)
			return 0;
		memcpy(buf, data + SELECTOR_LEN, caplen);
	}

	memset(&pkt, 0, sizeof(pkt));
	pkt.frame = 1;
	pkt.linktype = links[data[0] % NLINKS];
	pkt.caplen = (uint32_t)caplen;
	pkt.wirelen = (uint32_t)caplen + data[1];
	pkt.bytes = buf;

	/* decode.h promises *seg is fully overwritten.  Start from a pattern
	 * the checks below reject (sack_count 0xa5 > 4), so a decoder that
	 * skipped the overwrite cannot pass. */
	memset(&seg, 0xa5, sizeof(seg));
	r = decode_packet(&pkt, &seg);
	check_segment(r, &seg, pkt.linktype, buf, caplen);

	/* The Ethernet/IPv4/TCP fast path, when it takes a frame, must give
	 * exactly what the general path gives. */
	{
		struct segment fast, general;
		enum decode_result rf;

		memset(&fast, 0, sizeof(fast));
		memset(&general, 0, sizeof(general));
		if (decode_fast_ether_ipv4_tcp(&pkt, &fast, &rf)) {
			INVARIANT(rf == decode_packet_general(&pkt, &general));
			INVARIANT(memcmp(&fast, &general, sizeof(fast)) == 0);
		}
	}

	free(buf);
	return 0;
}
