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

/* One direction of a connection, named for the side that sends it: what
 * every tracked connection needs, down to a lone SYN (28 bytes). */
struct side {
	uint32_t	isn;		/* seq of its SYN (valid with SIDE_SYN) */
	uint32_t	base_seq;	/* Wireshark's base seq: relative seq 0 */
	uint32_t	snd_next;	/* highest seq_end() it has sent, a
					 * zero-window probe's byte excepted
					 * (Wireshark's nextseq) */
	uint32_t	ack_max;	/* highest ack it has sent (of the peer's seq) */
	uint32_t	packets;	/* segments sent */
	uint16_t	flags;		/* SIDE_* */
	uint16_t	win_raw;	/* last window field, unscaled */
	uint16_t	mss;		/* from its SYN, bytes */
	uint8_t		wscale;		/* shift from its SYN (0..14) */
	uint8_t		state;		/* enum tcp_state */
};
_Static_assert(sizeof(struct side) == 28, "struct side is 28 bytes");

/* struct side_ext.sflags: the byte-stream analysis's own bits. */
#define SX_ACK_SET	0x0001	/* lastack valid */
#define SX_TBA_SET	0x0002	/* seq_to_ack valid */
#define SX_HOLE		0x0004	/* hole_start..hole_end: bytes never seen */
#define SX_HOLE_MANY	0x0008	/* a second hole appeared: timing decides */
#define SX_RTT_PENDING	0x0010	/* rtt_end/rtt_ns time a segment */
#define SX_ZERO_WIN	0x0020	/* its window is zero since zw_start_ns */
#define SX_LAST_KA	0x0040	/* its last segment was a keep-alive */
#define SX_LAST_ZWP	0x0080	/* its last segment was a zero-window probe */
#define SX_WIN_FROM_SYN	0x0100	/* window field of a SYN: never scaled */
#define SX_TS_SEEN	0x0200	/* max_tsval valid */
#define SX_DATA_SEEN	0x0400	/* nextseq_ns/nextseq_frame valid */
#define SX_UNSEEN_NOTED	0x0800	/* acked_unseen reported while its ack stands
					 * (Wireshark's dupacknum = -1) */
#define SX_SACK_HOLES	0x1000	/* its last ACK SACKed data above the ack:
					 * the peer is in loss recovery */
#define SX_TS_RECENT	0x2000	/* ts_recent valid */
#define SX_CW_REPORTED	0x4000	/* close_wait_stuck reported for the peer's
					 * CLOSE_WAIT after this side's FIN */
#define SX_UNSEEN_AHEAD	0x8000	/* acked_unseen reported for an ack past all it
					 * was seen to send (until its seen-up-to mark
					 * moves) */

/* What a side needs once its connection carries more than a handshake:
 * payload counts, its FIN, and the byte-stream analysis (Wireshark's
 * tcp_analyze_seq_info and more).  Lives in the flow table's extension
 * pool, so a lone SYN (a flood's) never pays for it. */
struct side_ext {
	uint64_t	bytes;		/* payload bytes sent (per IP length) */
	/* times (ns since the epoch, as packets carry them: spans between
	 * them never wrap; 32-bit microseconds wrapped at 71.6 minutes) */
	int64_t		lastack_ns;	/* its previous segment */
	int64_t		nextseq_ns;	/* snd_next last advanced */
	int64_t		rtt_ns;		/* the segment timed by rtt_end was sent */
	int64_t		zw_start_ns;	/* its window went to zero (SX_ZERO_WIN) */
	uint32_t	retrans_bytes;	/* payload bytes sent again below snd_next
					 * (saturates at 2^32 - 1) */
	uint32_t	fin_seq;	/* seq its FIN occupies (with SIDE_FIN) */
	/* byte-stream analysis (detect_stream.c) */
	uint32_t	lastack;	/* ack field of its previous segment */
	uint32_t	seq_to_ack;	/* end of what it sent contiguously: an
					 * ack beyond it acks unseen bytes */
	uint32_t	nextseq_frame;	/* frame that last advanced snd_next */
	uint32_t	dup_frame;	/* first frame carrying lastack */
	uint32_t	hole_start;	/* bytes never captured (SX_HOLE) */
	uint32_t	hole_end;
	uint32_t	max_tsval;	/* highest TSval on new data (SX_TS_SEEN) */
	uint32_t	rtt_end;	/* an ack at or past this times rtt_ns */
	uint32_t	zw_frame;	/* ... in this frame */
	uint16_t	window;		/* window field of its previous segment */
	uint16_t	dupacks;	/* duplicates of lastack so far */
	uint16_t	sflags;		/* SX_* */
	uint16_t	ooo_segs;	/* out-of-order segments (saturating) */
	/* per-side figures for the connection record */
	uint32_t	retrans_segs;	/* retransmitted segments (all kinds) */
	uint32_t	dupacks_sent;	/* duplicate ACKs it sent */
	uint32_t	zw_total_ms;	/* time its window was zero (saturates
					 * at 2^32 - 1 ms: 49.7 days) */
	uint32_t	rtt_n;		/* RTT samples (data -> its ACK, Karn) */
	uint32_t	rtt_min_us;	/* each sample saturates at 2^32 - 1 us */
	uint32_t	rtt_max_us;	/* (71.6 minutes) */
	uint32_t	rtt_avg_us;	/* running mean */
	/* teardown and reuse (detect_teardown.c); its FIN's frame is
	 * nextseq_frame: nothing advances the sequence after a FIN */
	uint32_t	ts_recent;	/* highest TSval on any of its segments
					 * (SX_TS_RECENT): what its peer holds as
					 * TS.Recent (RFC 7323), which a TIME_WAIT
					 * peer compares a new SYN's TSval with */
	uint32_t	fin_ack_frame;	/* frame of the peer's first ACK of its FIN
					 * (0 = not acknowledged yet) */
	uint32_t	fin_ack_t;	/* ... its time since the connection's
					 * start (time32() in detect_teardown.c:
					 * us, ms after 35 minutes) */
	uint32_t	peer_next_at_fin_ack;	/* the peer's snd_next before that
						 * ACK: its data sent in CLOSE_WAIT
						 * is counted from here */
};

/* What one segment did, as tcp_track() saw it. */
struct track_result {
	uint8_t		snd_old, snd_new;	/* sender state before/after */
	uint8_t		rcv_old, rcv_new;	/* receiver state before/after */
	bool		first;			/* first segment of the sender */
	bool		syn_retransmit;		/* SYN/SYN-ACK, already seen ISN */
	bool		synack_new_isn;		/* a SYN-ACK with another ISN than
						 * the side's earlier one, to a
						 * synchronized peer, which cannot take
						 * it: nothing of it was tracked */
	bool		fin_retransmit;		/* FIN at an already seen fin_seq */
	uint32_t	retrans_bytes;		/* payload below snd_next */
	uint32_t	prev_snd_next;		/* sender's snd_next before */
	bool		seq_was_known;		/* ... and it was valid */
	bool		zero_window_probe;	/* 1 byte at snd_next into a
						 * zero window: not advancing */
	bool		rst_in_window;		/* RST acceptable to the receiver
						 * (RFC 793 3.4; unknown window = true) */
	bool		rst_window_known;	/* the receiver's window was known */
	bool		fins_crossed;		/* this FIN and the peer's crossed:
						 * simultaneous close (RFC 793 p.39) */
	bool		rst_answers_bad_ack;	/* RST from SYN_SENT refusing an
						 * unacceptable ACK: no state change */
	bool		reopened;		/* a SYN repeating the ISN of a
						 * connection both of whose FINs were
						 * acknowledged: a new incarnation on
						 * the same 4-tuple (same Wireshark
						 * stream), not a retransmission */
	bool		unexpected;		/* no transition defined */
};

const char *tcp_state_name(enum tcp_state s);

/* A SYN without ACK on a connection both of whose FINs were acknowledged
 * starts a new incarnation on the same 4-tuple, even when it repeats the
 * old ISN (Wireshark then keeps the stream number): the first SYN's
 * retransmission cannot follow the close it led to.  (An old duplicate of
 * it, delivered late, looks the same: the side in TIME_WAIT is there to
 * refuse exactly that, RFC 793 p.28, RFC 6191.)  tcp_track() then starts
 * both sides over: no FIN, no RST, no SYN-ACK, no ACK yet. */
static inline bool
tcp_reopens(const struct side *snd, const struct side *rcv, const struct segment *seg)
{
	return (seg->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
	    (snd->flags & SIDE_FIN_ACKED) && (rcv->flags & SIDE_FIN_ACKED);
}

/* Scaled window the side advertises in a non-SYN segment: the raw field
 * shifted by the scale it negotiated, when both SYNs showed scaling. */
uint32_t side_window(const struct side *s, const struct side *peer, uint16_t win_raw);

/* Apply one segment sent by snd to rcv: update both sides' fields and
 * states, and say in *tr what the segment did.  A side first seen without
 * a SYN is picked up mid-stream (see the block comment in tcpstate.c).
 * sx/rx are the sides' extensions; both NULL is allowed only for a segment
 * without payload or FIN on a connection with no FIN yet (a handshake's
 * SYN or RST): those need no more than struct side. */
void tcp_track(struct side *snd, struct side *rcv, struct side_ext *sx, struct side_ext *rx,
    const struct segment *seg, struct track_result *tr);

#endif /* TCPDISSECT_TCPSTATE_H */
