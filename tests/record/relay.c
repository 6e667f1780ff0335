/*
 * relay.c: a user-space Ethernet relay with scripted TCP impairments, used
 * by the tests/record/stream-*.sh scripts to record real Linux TCP
 * behaviour (loss, reordering, duplicates, delay) without tc netem.
 *
 * It bridges two interfaces (normally the inner ends of two veth pairs in a
 * namespace of their own: client <-veth-> relay <-veth-> server) with
 * AF_PACKET raw sockets, forwarding every Ethernet frame in both
 * directions.  Frames read from the first interface travel "c2s", frames
 * read from the second travel "s2c".  A uniform link delay may be applied
 * to every frame (to give the path a few milliseconds of RTT), and rules
 * given on the command line act on chosen TCP segments:
 *
 *   --drop  DIR:SEL          drop the segment
 *   --dup   DIR:SEL          send it twice, back to back
 *   --delay DIR:SEL:TIME     add TIME (e.g. 5ms, 300us) to its delay
 *   --hold  DIR:SEL[:K]      hold it until K more data segments of that
 *                            direction have been forwarded (reordering)
 *
 *   --wrap-seq BYTES         rewrite the client's sequence space so that the
 *                            server sees its ISN as 2^32 - BYTES (the c2s
 *                            sequence numbers, the s2c acknowledgements and
 *                            SACK blocks are shifted; a sequence-randomising
 *                            middlebox): the stream crosses 2^32 after BYTES
 *   --synack-ack-add N       add N to the acknowledgement number of the first
 *                            SYN-ACK (s2c): a middlebox that breaks it
 *
 * DIR is c2s or s2c.  SEL is N (the N-th payload-carrying TCP segment of
 * that direction, counted from 0 over everything seen, retransmissions
 * included), rel=N (a segment whose sequence number relative to the ISN is
 * N: the first data byte is rel=1), syn or fin (a segment with that flag,
 * data or not), or all.  A suffix xT applies the rule
 * to the first T matching segments (default: 1 for N and rel=N, unlimited
 * for all); e.g. rel=27513x2 drops a segment and its first retransmission.
 * The first matching drop wins; otherwise every matching rule applies.
 *
 * Every action is logged (the ground truth of a recording), one line each:
 *   t=0.123456 drop c2s seq=12345 rel=7241 len=1448 idx=5 ts=1700000000.123456
 * t is seconds since the relay started, ts the wall-clock time (the pcap's
 * clock).  Lines starting with '#' are comments (start, rules, statistics:
 * the statistics include the frames the kernel dropped on the relay's
 * sockets, which must be 0 for a recording to be trusted).
 *
 * Usage: relay [options] IF_CLIENT_SIDE IF_SERVER_SIDE
 *   --port N          only TCP segments to or from port N are counted and
 *                     acted on (others are forwarded untouched)
 *   --link-delay TIME delay every frame in both directions (not logged)
 *   --hold-timeout T  release a held segment after T anyway (default 1s)
 *   --time-limit S    exit after S seconds (default 60)
 *   --log FILE        write the log there (default: standard output)
 * SIGINT and SIGTERM end it cleanly.  Needs CAP_NET_RAW.  Disable offloads
 * on the interfaces (ethtool -K DEV tso off gso off gro off tx off) so
 * segments are MSS-sized and carry real checksums.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MAX 65536
#define QUEUE_MAX 8192
#define HOLD_MAX 64
#define RULE_MAX 64
#define FLOW_MAX 64

enum { C2S, S2C };
static const char *const dir_name[2] = { "c2s", "s2c" };

enum action { ACT_DROP, ACT_DUP, ACT_DELAY, ACT_HOLD };
static const char *const act_name[] = { "drop", "dup", "delay", "hold" };

enum selector { SEL_IDX, SEL_REL, SEL_ALL, SEL_SYN, SEL_FIN };

struct rule {
	enum action act;
	int dir;
	enum selector sel;
	uint64_t idx;
	uint32_t rel;
	long times;		/* matches left; -1: unlimited */
	uint64_t delay_ns;	/* ACT_DELAY */
	long after;		/* ACT_HOLD */
};

/* What the parser learnt about a frame. */
struct seginfo {
	int tcp;		/* a TCP segment of interest */
	uint32_t seq;
	uint32_t rel;
	uint32_t len;		/* payload bytes */
	uint8_t flags;
	int has_idx;
	uint64_t idx;
};

struct pending {
	uint64_t due;
	uint64_t order;
	int out;
	size_t len;
	unsigned char *data;
};

struct held {
	int dir;
	long left;
	uint64_t deadline;
	struct seginfo si;
	size_t len;
	unsigned char *data;
};

struct flow {
	int used;
	int dir;
	unsigned char src[16], dst[16];
	uint16_t sport, dport;
	uint32_t isn;
};

static struct rule rules[RULE_MAX];
static int nrules;
static struct pending *queue[QUEUE_MAX];
static int nqueue;
static struct held holds[HOLD_MAX];
static int nholds;
static struct flow flows[FLOW_MAX];
static int next_flow;
static uint64_t order_counter;
static uint64_t data_count[2];
static uint64_t frames_in[2], frames_out[2], queue_overflows;
static int port_filter = -1;
static uint64_t link_delay_ns;
static uint64_t hold_timeout_ns = 1000000000ull;
static uint64_t start_ns;
static FILE *logfp;
static volatile sig_atomic_t stop_flag;
static uint32_t wrap_bytes, wrap_off, synack_ack_add;
static int wrap_set, synack_done;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "relay: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
	    "usage: relay [--port N] [--link-delay TIME] [--hold-timeout TIME]\n"
	    "             [--time-limit S] [--log FILE]\n"
	    "             [--drop DIR:SEL] [--dup DIR:SEL] [--delay DIR:SEL:TIME]\n"
	    "             [--hold DIR:SEL[:K]] [--wrap-seq BYTES] [--synack-ack-add N]\n"
	    "             IF_CLIENT_SIDE IF_SERVER_SIDE\n"
	    "DIR: c2s|s2c  SEL: N|rel=N|syn|fin|all, optionally followed by xT\n"
	    "TIME: N[.N](ms|us|s), plain numbers are milliseconds\n");
	exit(2);
}

/* "5ms", "300us", "1.5s", "2" (ms) -> nanoseconds; -1 on error. */
static int64_t parse_time(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0 || v > 3600e3)
		return -1;
	if (*end == '\0' || strcmp(end, "ms") == 0)
		return (int64_t)(v * 1e6);
	if (strcmp(end, "us") == 0)
		return (int64_t)(v * 1e3);
	if (strcmp(end, "s") == 0)
		return (int64_t)(v * 1e9);
	return -1;
}

static int parse_ulong(const char *s, const char **end, unsigned long long max,
    unsigned long long *out)
{
	char *e;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno || v > max)
		return -1;
	*end = e;
	*out = v;
	return 0;
}

static void add_rule(enum action act, const char *spec)
{
	struct rule *r;
	const char *p = spec;
	unsigned long long v;

	if (nrules >= RULE_MAX) {
		fprintf(stderr, "relay: too many rules\n");
		exit(2);
	}
	r = &rules[nrules];
	memset(r, 0, sizeof *r);
	r->act = act;
	r->after = 1;
	if (strncmp(p, "c2s:", 4) == 0)
		r->dir = C2S;
	else if (strncmp(p, "s2c:", 4) == 0)
		r->dir = S2C;
	else
		goto bad;
	p += 4;
	if (strncmp(p, "all", 3) == 0) {
		r->sel = SEL_ALL;
		r->times = -1;
		p += 3;
	} else if (strncmp(p, "syn", 3) == 0 || strncmp(p, "fin", 3) == 0) {
		r->sel = p[0] == 's' ? SEL_SYN : SEL_FIN;
		r->times = 1;
		p += 3;
	} else if (strncmp(p, "rel=", 4) == 0) {
		r->sel = SEL_REL;
		r->times = 1;
		if (parse_ulong(p + 4, &p, UINT32_MAX, &v) < 0)
			goto bad;
		r->rel = (uint32_t)v;
	} else {
		r->sel = SEL_IDX;
		r->times = 1;
		if (parse_ulong(p, &p, UINT64_MAX, &v) < 0)
			goto bad;
		r->idx = v;
	}
	if (*p == 'x') {
		if (parse_ulong(p + 1, &p, 1000000, &v) < 0 || v == 0)
			goto bad;
		r->times = (long)v;
	}
	if (act == ACT_DELAY) {
		int64_t d;

		if (*p != ':' || (d = parse_time(p + 1)) < 0)
			goto bad;
		r->delay_ns = (uint64_t)d;
		p += strlen(p);
	} else if (act == ACT_HOLD && *p == ':') {
		if (parse_ulong(p + 1, &p, 100000, &v) < 0 || v == 0)
			goto bad;
		r->after = (long)v;
	}
	if (*p != '\0')
		goto bad;
	nrules++;
	return;
bad:
	fprintf(stderr, "relay: bad rule for --%s: %s\n", act_name[act], spec);
	exit(2);
}

static uint16_t rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static struct flow *find_flow(int dir, const unsigned char *src,
    const unsigned char *dst, size_t alen, uint16_t sport, uint16_t dport,
    int *created)
{
	unsigned char s[16] = { 0 }, d[16] = { 0 };
	struct flow *f;
	int i;

	*created = 0;
	memcpy(s, src, alen);
	memcpy(d, dst, alen);
	for (i = 0; i < FLOW_MAX; i++) {
		f = &flows[i];
		if (f->used && f->dir == dir && f->sport == sport &&
		    f->dport == dport && memcmp(f->src, s, 16) == 0 &&
		    memcmp(f->dst, d, 16) == 0)
			return f;
	}
	*created = 1;
	f = &flows[next_flow];
	next_flow = (next_flow + 1) % FLOW_MAX;
	memset(f, 0, sizeof *f);
	f->used = 1;
	f->dir = dir;
	memcpy(f->src, s, 16);
	memcpy(f->dst, d, 16);
	f->sport = sport;
	f->dport = dport;
	return f;
}

/* Bounds-checked Ethernet / IPv4 / IPv6 / TCP parse. */
static void parse_frame(int dir, const unsigned char *p, size_t n,
    struct seginfo *si)
{
	const unsigned char *l3, *tcp, *src, *dst;
	size_t off = 12, l3len, l4len, alen, thl;
	uint16_t type, sport, dport;
	struct flow *f;
	int created;

	memset(si, 0, sizeof *si);
	if (n < 14)
		return;
	type = rd16(p + off);
	off += 2;
	if (type == ETH_P_8021Q || type == ETH_P_8021AD) {
		if (n < off + 4)
			return;
		type = rd16(p + off + 2);
		off += 4;
	}
	l3 = p + off;
	l3len = n - off;
	if (type == ETH_P_IP) {
		size_t ihl, tot;

		if (l3len < 20 || (l3[0] >> 4) != 4)
			return;
		ihl = (size_t)(l3[0] & 0x0f) * 4;
		tot = rd16(l3 + 2);
		if (ihl < 20 || tot < ihl || tot > l3len || l3[9] != IPPROTO_TCP)
			return;
		if ((rd16(l3 + 6) & 0x3fff) != 0)	/* a fragment */
			return;
		src = l3 + 12;
		dst = l3 + 16;
		alen = 4;
		tcp = l3 + ihl;
		l4len = tot - ihl;
	} else if (type == ETH_P_IPV6) {
		size_t plen;

		if (l3len < 40 || (l3[0] >> 4) != 6 || l3[6] != IPPROTO_TCP)
			return;
		plen = rd16(l3 + 4);
		if (plen > l3len - 40)
			return;
		src = l3 + 8;
		dst = l3 + 24;
		alen = 16;
		tcp = l3 + 40;
		l4len = plen;
	} else {
		return;
	}
	if (l4len < 20)
		return;
	thl = (size_t)(tcp[12] >> 4) * 4;
	if (thl < 20 || thl > l4len)
		return;
	sport = rd16(tcp);
	dport = rd16(tcp + 2);
	if (port_filter >= 0 && sport != port_filter && dport != port_filter)
		return;
	si->tcp = 1;
	si->seq = rd32(tcp + 4);
	si->flags = tcp[13];
	si->len = (uint32_t)(l4len - thl);
	f = find_flow(dir, src, dst, alen, sport, dport, &created);
	if (si->flags & 0x02)		/* SYN */
		f->isn = si->seq;
	else if (created)
		f->isn = si->seq - 1;	/* joined mid-stream */
	si->rel = si->seq - f->isn;
	if (si->len > 0) {
		si->has_idx = 1;
		si->idx = data_count[dir]++;
	}
}

static void log_action(const char *what, int dir, const struct seginfo *si,
    const char *extra)
{
	struct timespec wall;
	uint64_t t = now_ns() - start_ns;
	char idx[32];

	clock_gettime(CLOCK_REALTIME, &wall);
	if (si->has_idx)
		snprintf(idx, sizeof idx, "%" PRIu64, si->idx);
	else
		snprintf(idx, sizeof idx, "-");
	fprintf(logfp, "t=%" PRIu64 ".%06" PRIu64 " %s %s seq=%" PRIu32
	    " rel=%" PRIu32 " len=%" PRIu32 " idx=%s%s%s ts=%lld.%06ld\n",
	    t / UINT64_C(1000000000), t % UINT64_C(1000000000) / 1000, what, dir_name[dir],
	    si->seq, si->rel, si->len, idx, extra ? " " : "", extra ? extra : "",
	    (long long)wall.tv_sec, wall.tv_nsec / 1000);
	fflush(logfp);
}

static int rule_matches(struct rule *r, int dir, const struct seginfo *si)
{
	if (r->dir != dir || !si->tcp || r->times == 0)
		return 0;
	switch (r->sel) {
	case SEL_ALL:
		return 1;
	case SEL_IDX:
		return si->has_idx && si->idx == r->idx;
	case SEL_REL:
		return si->len > 0 && si->rel == r->rel;
	case SEL_SYN:
		return (si->flags & 0x02) != 0;
	case SEL_FIN:
		return (si->flags & 0x01) != 0;
	}
	return 0;
}

static void use_rule(struct rule *r)
{
	if (r->times > 0)
		r->times--;
}

static void enqueue(int out, const unsigned char *data, size_t len,
    uint64_t due)
{
	struct pending *e;
	int i;

	if (nqueue >= QUEUE_MAX) {
		queue_overflows++;
		return;
	}
	e = malloc(sizeof *e + len);
	if (!e)
		die("malloc");
	e->data = (unsigned char *)(e + 1);
	memcpy(e->data, data, len);
	e->len = len;
	e->out = out;
	e->due = due;
	e->order = order_counter++;
	/* Keep the queue sorted by due time, first in first out on ties. */
	i = nqueue;
	while (i > 0 && queue[i - 1]->due > due)
		i--;
	memmove(&queue[i + 1], &queue[i], (size_t)(nqueue - i) * sizeof queue[0]);
	queue[i] = e;
	nqueue++;
}

static void release_hold(int h, uint64_t now, const char *why)
{
	struct held *hd = &holds[h];

	log_action(why, hd->dir, &hd->si, NULL);
	enqueue(hd->dir == C2S ? 1 : 0, hd->data, hd->len, now + link_delay_ns);
	free(hd->data);
	holds[h] = holds[--nholds];
}

static void wr32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* The TCP checksum of an IPv4 segment, recomputed in place. */
static void tcp4_checksum(const unsigned char *ip, unsigned char *tcp, size_t l4len)
{
	uint32_t sum = 0;
	size_t i;

	tcp[16] = tcp[17] = 0;
	for (i = 0; i < 8; i += 2)
		sum += rd16(ip + 12 + i);
	sum += IPPROTO_TCP + (uint32_t)l4len;
	for (i = 0; i + 1 < l4len; i += 2)
		sum += rd16(tcp + i);
	if (l4len & 1)
		sum += (uint32_t)tcp[l4len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	tcp[16] = (unsigned char)(sum >> 8);
	tcp[17] = (unsigned char)sum;
}

/* --wrap-seq and --synack-ack-add: rewrite an IPv4 segment in place (the
 * parse of parse_frame, already bounds-checked there: si->tcp). */
static void rewrite(int dir, unsigned char *p, size_t n, const struct seginfo *si)
{
	unsigned char *ip, *tcp;
	size_t off = 14, ihl, tot, thl, o;
	int changed = 0;
	char buf[64];

	if (!si->tcp || (!wrap_bytes && !synack_ack_add) || n < 34 || rd16(p + 12) != ETH_P_IP)
		return;
	ip = p + off;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	tot = rd16(ip + 2);
	tcp = ip + ihl;
	thl = (size_t)(tcp[12] >> 4) * 4;
	if (wrap_bytes) {
		if (dir == C2S && (tcp[13] & 0x12) == 0x02 && !wrap_set) {
			wrap_off = (uint32_t)(0u - wrap_bytes) - rd32(tcp + 4);
			wrap_set = 1;
			snprintf(buf, sizeof buf, "offset=%" PRIu32, wrap_off);
			log_action("wrap-seq", dir, si, buf);
		}
		if (wrap_set && dir == C2S) {
			wr32(tcp + 4, rd32(tcp + 4) + wrap_off);
			changed = 1;
		} else if (wrap_set && dir == S2C) {
			if (tcp[13] & 0x10)
				wr32(tcp + 8, rd32(tcp + 8) - wrap_off);
			for (o = 20; o < thl && tcp[o] != 0;) {	/* SACK edges */
				if (tcp[o] == 1) {
					o++;
					continue;
				}
				if (o + 1 >= thl || tcp[o + 1] < 2 || o + tcp[o + 1] > thl)
					break;
				if (tcp[o] == 5) {
					size_t e;

					for (e = o + 2; e + 4 <= o + tcp[o + 1]; e += 4)
						wr32(tcp + e, rd32(tcp + e) - wrap_off);
				}
				o += tcp[o + 1];
			}
			changed = 1;
		}
	}
	if (synack_ack_add && !synack_done && dir == S2C && (tcp[13] & 0x12) == 0x12) {
		wr32(tcp + 8, rd32(tcp + 8) + synack_ack_add);
		synack_done = 1;
		changed = 1;
		snprintf(buf, sizeof buf, "ack_added=%" PRIu32 " ack=%" PRIu32, synack_ack_add,
		    rd32(tcp + 8));
		log_action("synack-bad-ack", dir, si, buf);
	}
	if (changed)
		tcp4_checksum(ip, tcp, tot - ihl);
}

static void handle_frame(int dir, unsigned char *p, size_t n)
{
	struct seginfo si;
	uint64_t now = now_ns(), extra = 0;
	int i, dup = 0, hold = -1, out = dir == C2S ? 1 : 0;
	char buf[64];

	frames_in[dir]++;
	parse_frame(dir, p, n, &si);
	rewrite(dir, p, n, &si);
	for (i = 0; i < nrules; i++) {
		if (rules[i].act == ACT_DROP && rule_matches(&rules[i], dir, &si)) {
			use_rule(&rules[i]);
			log_action("drop", dir, &si, NULL);
			return;		/* a dropped segment releases no hold */
		}
	}
	for (i = 0; i < nrules; i++) {
		struct rule *r = &rules[i];

		if (r->act == ACT_DROP || !rule_matches(r, dir, &si))
			continue;
		use_rule(r);
		if (r->act == ACT_DUP) {
			dup = 1;
		} else if (r->act == ACT_DELAY) {
			extra += r->delay_ns;
			snprintf(buf, sizeof buf, "ms=%.3f", (double)r->delay_ns / 1e6);
			log_action("delay", dir, &si, buf);
		} else if (r->act == ACT_HOLD && hold < 0) {
			hold = (int)r->after;
		}
	}
	if (hold > 0 && nholds < HOLD_MAX) {
		struct held *hd = &holds[nholds];

		hd->data = malloc(n);
		if (!hd->data)
			die("malloc");
		memcpy(hd->data, p, n);
		hd->len = n;
		hd->dir = dir;
		hd->left = hold;
		hd->deadline = now + hold_timeout_ns;
		hd->si = si;
		nholds++;
		snprintf(buf, sizeof buf, "after=%d", hold);
		log_action("hold", dir, &si, buf);
		return;		/* not counted towards other holds */
	}
	if (hold > 0)
		log_action("hold-table-full-forwarded", dir, &si, NULL);
	enqueue(out, p, n, now + link_delay_ns + extra);
	if (dup) {
		log_action("dup", dir, &si, NULL);
		enqueue(out, p, n, now + link_delay_ns + extra);
	}
	if (!si.has_idx)
		return;
	for (i = 0; i < nholds; i++) {
		if (holds[i].dir == dir && --holds[i].left <= 0) {
			release_hold(i, now, "release");
			i--;
		}
	}
}

static int open_if(const char *name)
{
	struct sockaddr_ll sll;
	struct packet_mreq mr;
	unsigned int ifi = if_nametoindex(name);
	int fd, size = 8 << 20;

	if (ifi == 0)
		die(name);
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0)
		die("socket(AF_PACKET)");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	memset(&sll, 0, sizeof sll);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)ifi;
	if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0)
		die("bind");
	memset(&mr, 0, sizeof mr);
	mr.mr_ifindex = (int)ifi;
	mr.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0)
		die("PACKET_ADD_MEMBERSHIP");
	return fd;
}

static void drain(int fd, int dir, unsigned char *buf)
{
	int k;

	/* Bounded: at most 256 frames per wake-up so both sides get a turn. */
	for (k = 0; k < 256; k++) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof from;
		ssize_t r = recvfrom(fd, buf, FRAME_MAX, MSG_DONTWAIT | MSG_TRUNC,
		    (struct sockaddr *)&from, &fl);

		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				die("recvfrom");
			return;
		}
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;	/* our own transmissions */
		if ((size_t)r > FRAME_MAX) {
			fprintf(logfp, "# oversized frame (%zd bytes) dropped\n", r);
			continue;
		}
		handle_frame(dir, buf, (size_t)r);
	}
}

static void flush_due(const int fd[2], uint64_t now)
{
	while (nqueue > 0 && queue[0]->due <= now) {
		struct pending *e = queue[0];

		if (send(fd[e->out], e->data, e->len, 0) < 0)
			fprintf(logfp, "# send on %s side failed: %s\n",
			    e->out ? "server" : "client", strerror(errno));
		else
			frames_out[e->out ? C2S : S2C]++;
		free(e);
		memmove(&queue[0], &queue[1], (size_t)(nqueue - 1) * sizeof queue[0]);
		nqueue--;
	}
}

int main(int argc, char **argv)
{
	const char *ifn[2] = { NULL, NULL }, *logname = NULL;
	double limit_s = 60;
	unsigned char *buf;
	int fd[2], i, nif = 0;
	uint64_t deadline;
	struct sigaction sa;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int64_t t;

		if (strncmp(a, "--", 2) != 0) {
			if (nif >= 2)
				usage();
			ifn[nif++] = a;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (strcmp(a, "--drop") == 0)
			add_rule(ACT_DROP, v);
		else if (strcmp(a, "--dup") == 0)
			add_rule(ACT_DUP, v);
		else if (strcmp(a, "--delay") == 0)
			add_rule(ACT_DELAY, v);
		else if (strcmp(a, "--hold") == 0)
			add_rule(ACT_HOLD, v);
		else if (strcmp(a, "--wrap-seq") == 0) {
			wrap_bytes = (uint32_t)strtoul(v, NULL, 10);
			if (wrap_bytes == 0)
				usage();
		} else if (strcmp(a, "--synack-ack-add") == 0) {
			synack_ack_add = (uint32_t)strtoul(v, NULL, 10);
			if (synack_ack_add == 0)
				usage();
		} else if (strcmp(a, "--port") == 0) {
			port_filter = atoi(v);
			if (port_filter <= 0 || port_filter > 65535)
				usage();
		} else if (strcmp(a, "--link-delay") == 0) {
			if ((t = parse_time(v)) < 0)
				usage();
			link_delay_ns = (uint64_t)t;
		} else if (strcmp(a, "--hold-timeout") == 0) {
			if ((t = parse_time(v)) <= 0)
				usage();
			hold_timeout_ns = (uint64_t)t;
		} else if (strcmp(a, "--time-limit") == 0) {
			limit_s = atof(v);
			if (!(limit_s > 0 && limit_s < 86400))
				usage();
		} else if (strcmp(a, "--log") == 0)
			logname = v;
		else
			usage();
	}
	if (nif != 2)
		usage();
	logfp = stdout;
	if (logname && !(logfp = fopen(logname, "w")))
		die(logname);
	buf = malloc(FRAME_MAX + 1);
	if (!buf)
		die("malloc");
	fd[0] = open_if(ifn[0]);
	fd[1] = open_if(ifn[1]);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	start_ns = now_ns();
	deadline = start_ns + (uint64_t)(limit_s * 1e9);
	fprintf(logfp, "# relay %s(client side) <-> %s(server side), port %d, "
	    "link delay %.3f ms each way\n", ifn[0], ifn[1], port_filter,
	    (double)link_delay_ns / 1e6);
	for (i = 0; i < nrules; i++)
		fprintf(logfp, "# rule %s %s sel=%s idx=%" PRIu64 " rel=%" PRIu32
		    " times=%ld delay_ms=%.3f after=%ld\n", act_name[rules[i].act],
		    dir_name[rules[i].dir], rules[i].sel == SEL_ALL ? "all" :
		    rules[i].sel == SEL_REL ? "rel" : rules[i].sel == SEL_SYN ? "syn" :
		    rules[i].sel == SEL_FIN ? "fin" : "idx", rules[i].idx,
		    rules[i].rel, rules[i].times, (double)rules[i].delay_ns / 1e6,
		    rules[i].after);
	fflush(logfp);

	while (!stop_flag) {
		struct pollfd pfd[2];
		struct timespec to;
		uint64_t now = now_ns(), wake = deadline;

		if (now >= deadline)
			break;
		flush_due(fd, now);
		for (i = 0; i < nholds; i++) {
			if (holds[i].deadline <= now) {
				release_hold(i, now, "release-timeout");
				i--;
			}
		}
		if (nqueue > 0 && queue[0]->due < wake)
			wake = queue[0]->due;
		for (i = 0; i < nholds; i++)
			if (holds[i].deadline < wake)
				wake = holds[i].deadline;
		if (wake < now)
			wake = now;
		to.tv_sec = (time_t)((wake - now) / 1000000000ull);
		to.tv_nsec = (long)((wake - now) % 1000000000ull);
		pfd[0].fd = fd[0];
		pfd[1].fd = fd[1];
		pfd[0].events = pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (ppoll(pfd, 2, &to, NULL) < 0) {
			if (errno == EINTR)
				continue;
			die("ppoll");
		}
		if (pfd[0].revents & POLLIN)
			drain(fd[0], C2S, buf);
		if (pfd[1].revents & POLLIN)
			drain(fd[1], S2C, buf);
		if ((pfd[0].revents | pfd[1].revents) & (POLLERR | POLLNVAL))
			break;
	}

	for (i = 0; i < 2; i++) {
		struct tpacket_stats st;
		socklen_t sl = sizeof st;

		memset(&st, 0, sizeof st);
		if (getsockopt(fd[i], SOL_PACKET, PACKET_STATISTICS, &st, &sl) < 0)
			memset(&st, 0, sizeof st);
		fprintf(logfp, "# stats %s frames_in=%" PRIu64 " data_segments=%"
		    PRIu64 " frames_out=%" PRIu64 " kernel_drops=%u\n", dir_name[i],
		    frames_in[i], data_count[i], frames_out[i], st.tp_drops);
	}
	fprintf(logfp, "# end: %d frames still queued, %d held, %" PRIu64
	    " queue overflows\n", nqueue, nholds, queue_overflows);
	for (i = 0; i < nqueue; i++)
		free(queue[i]);
	for (i = 0; i < nholds; i++)
		free(holds[i].data);
	free(buf);
	close(fd[0]);
	close(fd[1]);
	if (logfp != stdout)
		fclose(logfp);
	return 0;
}
