/* tcpstate.h: what one side of a TCP connection is known to have done,
 * inferred from the segments that passed the capture point, and the RFC 793
 * state machine that turns segments into per-side states.
 *
 * Owns struct side, enum tcp_state and its names, and tcp_track().  Pure:
 * no allocation, no I/O.  All sequence arithmetic goes through seq.h. */
#ifndef TCPDISSECT_TCPSTATE_H
#define TCPDISSECT_TCPSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "seq.h"

/* States as ordered levels: a side only moves forward through them
 * (retransmitted SYNs and FINs never move it back).  TS_UNSET means "no
 * segment has told us anything about this side yet". */
enum tcp_state {
	TS_UNSET = 0,
	TS_LISTEN,
	TS_SYN_SENT,
	TS_SYN_RECEIVED,
	TS_ESTABLISHED,
	TS_FIN_WAIT_1,
	TS_CLOSE_WAIT,
	TS_FIN_WAIT_2,
	TS_CLOSING,
	TS_LAST_ACK,
	TS_TIME_WAIT,
	TS_CLOSED,
	TS_COUNT
};

/* struct side.flags */
#define SIDE_SEEN		0x0001	/* sent at least one segment */
#define SIDE_SYN		0x0002	/* sent a SYN (isn valid) */
#define SIDE_SYNACK		0x0004	/* sent a SYN-ACK */
#define SIDE_FIN		0x0008	/* sent a FIN (fin_seq valid) */
#define SIDE_RST		0x0010	/* sent a RST */
#define SIDE_ACKED		0x0020	/* sent an ACK (ack_max valid) */
#define SIDE_WSCALE		0x0040	/* its SYN carried window scale */
#define SIDE_SACK_PERM		0x0080	/* its SYN carried SACK-permitted */
#define SIDE_TS			0x0100	/* its SYN carried timestamps */
#define SIDE_MSS		0x0200	/* its SYN carried MSS */
#define SIDE_BASE_SET		0x0400	/* base_seq valid (Wireshark numbering) */
#define SIDE_FIN_ACKED		0x0800	/* the peer acknowledged its FIN */
#define SIDE_MIDSTREAM		0x1000	/* first seen without a SYN */
#define SIDE_SEQ_KNOWN		0x2000	/* snd_next valid */
#define SIDE_TFO		0x4000	/* its SYN carried a TFO option */

/* One direction of a connection, named for the side that sends it. */
struct side {
	uint32_t	isn;		/* seq of its SYN (valid with SIDE_SYN) */
	uint32_t	base_seq;	/* Wireshark's base seq: relative seq 0 */
	uint32_t	snd_next;	/* highest seq_end() it has sent */
	uint32_t	ack_max;	/* highest ack it has sent (of the peer's seq) */
	uint32_t	fin_seq;	/* seq its FIN occupies */
	uint32_t	packets;	/* segments sent */
	uint64_t	bytes;		/* payload bytes sent (per IP length) */
	uint32_t	retrans_bytes;	/* payload bytes sent again below snd_next
					 * (saturates at 2^32 - 1) */
	uint16_t	flags;		/* SIDE_* */
	uint16_t	win_raw;	/* last window field, unscaled */
	uint16_t	mss;		/* from its SYN, bytes */
	uint8_t		wscale;		/* shift from its SYN (0..14) */
	uint8_t		state;		/* enum tcp_state */
};

/* What one segment did, as tcp_track() saw it. */
struct track_result {
	uint8_t		snd_old, snd_new;	/* sender state before/after */
	uint8_t		rcv_old, rcv_new;	/* receiver state before/after */
	bool		first;			/* first segment of the sender */
	bool		syn_retransmit;		/* SYN/SYN-ACK, already seen ISN */
	bool		fin_retransmit;		/* FIN at an already seen fin_seq */
	uint32_t	retrans_bytes;		/* payload below snd_next */
	bool		rst_in_window;		/* RST acceptable to the receiver
						 * (RFC 793 3.4; unknown window = true) */
	bool		rst_window_known;	/* the receiver's window was known */
	bool		fins_crossed;		/* this FIN and the peer's crossed:
						 * simultaneous close (RFC 793 p.39) */
	bool		rst_answers_bad_ack;	/* RST from SYN_SENT refusing an
						 * unacceptable ACK: no state change */
	bool		unexpected;		/* no transition defined */
};

const char *tcp_state_name(enum tcp_state s);

/* Scaled window the side advertises in a non-SYN segment: the raw field
 * shifted by the scale it negotiated, when both SYNs showed scaling. */
uint32_t side_window(const struct side *s, const struct side *peer, uint16_t win_raw);

/* Apply one segment sent by snd to rcv: update both sides' fields and
 * states, and say in *tr what the segment did.  A side first seen without
 * a SYN is picked up mid-stream (see the block comment in tcpstate.c). */
void tcp_track(struct side *snd, struct side *rcv, const struct segment *seg,
    struct track_result *tr);

#endif /* TCPDISSECT_TCPSTATE_H */
