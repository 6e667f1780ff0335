/* packet.h: one captured packet as the capture source hands it to the
 * pipeline, and a transport endpoint (address + port).  Plain value types;
 * the bytes belong to libpcap and are valid only during one callback. */
#ifndef TCPDISSECT_PACKET_H
#define TCPDISSECT_PACKET_H

#include <stdint.h>

struct packet {
	unsigned	 file_index;	/* 0-based index of the input file */
	uint64_t	 frame;		/* 1-based frame number in its file, counting
					 * every record (Wireshark frame.number) */
	int64_t		 ts_ns;		/* capture time, ns since the Unix epoch */
	uint32_t	 caplen;	/* bytes captured */
	uint32_t	 wirelen;	/* bytes on the wire */
	int		 linktype;	/* DLT_* of the interface */
	const uint8_t	*bytes;		/* caplen bytes, owned by libpcap */
};

/* An IPv4 address is stored in addr[0..3] with the rest zero and
 * family 4; an IPv6 address fills all 16 bytes with family 6. */
struct endpoint {
	uint8_t		 addr[16];
	uint16_t	 port;		/* host byte order */
	uint8_t		 family;	/* 4 or 6 */
};

#endif /* TCPDISSECT_PACKET_H */
