/* source.c: the offline capture source (source.h).
 *
 * The first bytes of the input are read ahead to learn the capture's own
 * timestamp resolution (libpcap hands us nanoseconds either way, and the
 * JSON keeps the digits the capture really has), then replayed to libpcap
 * through a stdio cookie, so stdin works without seeking. */
#include "config.h"

#include "source.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "decode.h"
#include "pcapmap.h"
#include "progress.h"
#include "util.h"

#define PEEK_MAX	65536u	/* read-ahead bound: SHB + first IDB */
#define READ_BUFFER	(64u << 10)	/* stdio buffer for capture files */
#define MAXIMUM_SNAPLEN	262144u	/* libpcap's largest record for common link types */

struct peek_file {
	FILE		*under;
	unsigned char	*buf;
	size_t		 len, pos;
};

static ssize_t
peek_read(void *cookie, char *dst, size_t n)
{
	struct peek_file *pf = cookie;

	if (pf->pos < pf->len) {
		size_t k = pf->len - pf->pos;

		if (k > n)
			k = n;
		memcpy(dst, pf->buf + pf->pos, k);
		pf->pos += k;
		return (ssize_t)k;
	}
	/* One read(2), not fread(): on a pipe fread would wait for all n
	 * bytes, holding back packets that have arrived (tcpdump -U -w - |).
	 * The stream is unbuffered (open_input), so nothing waits in it. */
	for (;;) {
		ssize_t got = read(fileno(pf->under), dst, n);

		if (got >= 0 || errno != EINTR)
			return got;
	}
}

static int
peek_close(void *cookie)
{
	struct peek_file *pf = cookie;
	int r = 0;

	if (pf->under != stdin)
		r = fclose(pf->under);
	free(pf->buf);
	free(pf);
	return r;
}

/* Read exactly n more bytes into the peek buffer; false at EOF/limit. */
static bool
peek_more(struct peek_file *pf, size_t n)
{
	size_t got;

	if (n > PEEK_MAX - pf->len)
		return false;
	got = fread(pf->buf + pf->len, 1, n, pf->under);
	pf->len += got;
	return got == n;
}

static uint32_t
rd32(const unsigned char *p, bool swap)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;

	return swap ? __builtin_bswap32(v) : v;
}

static uint16_t
rd16(const unsigned char *p, bool swap)
{
	uint16_t v = (uint16_t)(p[0] | p[1] << 8);

	return swap ? __builtin_bswap16(v) : v;
}

/* if_tsresol (RFC-draft pcapng 4.2): MSB clear = 10^-v, set = 2^-v. */
static int
tsresol_digits(uint8_t v)
{
	if (v & 0x80)
		return (v & 0x7f) > 20 ? 9 : 6;
	return v > 6 ? 9 : 6;
}

/* Read ahead the file header (and for pcapng the first interface block)
 * and return the timestamp digits the capture carries: 6 or 9. */
static int
peek_resolution(struct peek_file *pf)
{
	const unsigned char *b;
	uint32_t magic, blen, type;
	bool swap;
	size_t idb, off, end;

	if (!peek_more(pf, 4))
		return 6;
	b = pf->buf;
	magic = rd32(b, false);
	if (magic == 0xa1b23c4d || magic == 0x4d3cb2a1)
		return 9;
	if (magic != 0x0a0d0d0a)
		return 6;
	/* pcapng: section header block; byte order from its magic. */
	if (!peek_more(pf, 8))
		return 6;
	b = pf->buf;
	swap = rd32(b + 8, false) != 0x1a2b3c4d;
	blen = rd32(b + 4, swap);
	if (blen < 28 || blen % 4 != 0 || !peek_more(pf, blen - 12))
		return 6;
	idb = pf->len;
	if (!peek_more(pf, 8))
		return 6;
	b = pf->buf;
	type = rd32(b + idb, swap);
	blen = rd32(b + idb + 4, swap);
	if (type != 1 || blen < 20 || blen % 4 != 0 || !peek_more(pf, blen - 8))
		return 6;
	b = pf->buf;
	/* IDB: linktype(2) reserved(2) snaplen(4), then options to end-4. */
	off = idb + 16;
	end = idb + blen - 4;
	while (off + 4 <= end) {
		uint16_t code = rd16(b + off, swap), olen = rd16(b + off + 2, swap);

		if (code == 0)
			break;
		if (olen > end - off - 4)
			break;
		if (code == 9 && olen >= 1)
			return tsresol_digits(b[off + 4]);
		off += 4 + (((size_t)olen + 3) & ~(size_t)3);
	}
	return 6;
}

/* libpcap reads a pcapng file only if every interface has the link type
 * and snapshot length of the first; it finds out when it meets the odd
 * one, possibly after many packets.  For a regular file, walk the block
 * headers first (mapped, so only the headers are touched) and refuse the
 * file whole, before any output, rather than halfway.  Stdin cannot be
 * walked twice; there libpcap's own error ends the read. */
static bool
pcapng_interfaces_differ(const char *path, char *why, size_t whylen)
{
	struct stat st;
	const unsigned char *m;
	size_t off = 0, size;
	bool swap = false, have_first = false, differ = false;
	uint16_t first_lt = 0;
	uint32_t first_snap = 0;
	int fd;

	if (strcmp(path, "-") == 0 || (fd = open(path, O_RDONLY)) < 0)
		return false;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 28) {
		close(fd);
		return false;
	}
	size = (size_t)st.st_size;
	m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return false;
	while (size - off >= 12 && !differ) {
		uint32_t type = rd32(m + off, swap), len;

		if (type == 0x0a0d0d0a) {		/* SHB: byte order may change */
			uint32_t bom = rd32(m + off + 8, false);

			if (bom == 0x1a2b3c4d)
				swap = false;
			else if (bom == 0x4d3c2b1a)
				swap = true;
			else
				break;
		}
		len = rd32(m + off + 4, swap);
		if (len < 12 || len % 4 != 0 || len > size - off)
			break;			/* damaged: libpcap will say so */
		if (type == 1 && len >= 20) {		/* IDB */
			uint16_t lt = rd16(m + off + 8, swap);
			uint32_t snap = rd32(m + off + 12, swap);

			if (!have_first) {
				first_lt = lt;
				first_snap = snap;
				have_first = true;
			} else if (lt != first_lt) {
				snprintf(why, whylen, "pcapng interfaces have different link "
				    "types (%u and %u), which libpcap cannot read", first_lt, lt);
				differ = true;
			} else if (snap != first_snap) {
				snprintf(why, whylen, "pcapng interfaces have different snapshot "
				    "lengths (%u and %u), which libpcap cannot read",
				    first_snap, snap);
				differ = true;
			}
		}
		off += len;
	}
	munmap((void *)m, size);
	return differ;
}

static bool mapped_reader_allowed(void);

/* Will reader_start() probably map this file?  A classic pcap magic says
 * so; the link type, known only once libpcap has read the header, rarely
 * says otherwise. */
static bool
likely_mapped(const struct peek_file *pf)
{
	uint32_t magic = pf->len >= 4 ? rd32(pf->buf, false) : 0;

	return mapped_reader_allowed() &&
	    (magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d ||
	    magic == 0x4d3cb2a1);
}

static FILE *
open_input(const char *path, struct input_info *in, char *why, size_t whylen)
{
	struct peek_file *pf;
	cookie_io_functions_t io = { .read = peek_read, .close = peek_close };
	struct stat st;
	FILE *under, *f;

	if (strcmp(path, "-") == 0) {
		under = stdin;
	} else {
		under = fopen(path, "rb");
		if (under == NULL) {
			snprintf(why, whylen, "%s", strerror(errno));
			return NULL;
		}
		if (fstat(fileno(under), &st) == 0 && S_ISDIR(st.st_mode)) {
			fclose(under);
			snprintf(why, whylen, "is a directory");
			return NULL;
		}
	}
	pf = calloc(1, sizeof(*pf));
	if (pf != NULL)
		pf->buf = malloc(PEEK_MAX);
	if (pf == NULL || pf->buf == NULL) {
		if (pf != NULL)
			free(pf);
		if (under != stdin)
			fclose(under);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	pf->under = under;
	/* stdin, a pipe or a terminal, read through the cookie below:
	 * unbuffered, so the read-ahead takes only the header's bytes and
	 * peek_read() can read(2) the rest. */
	if (under == stdin || (fstat(fileno(under), &st) == 0 && !S_ISREG(st.st_mode)))
		setvbuf(under, NULL, _IONBF, 0);
	in->ts_digits = peek_resolution(pf);
	in->is_pcapng = pf->len >= 4 && rd32(pf->buf, false) == 0x0a0d0d0a;
	if (pf->len == 0) {
		snprintf(why, whylen, ferror(under) ? "read error: %s" : "empty file",
		    strerror(errno));
		peek_close(pf);
		return NULL;
	}
	/* A seekable file goes back to its start and to libpcap directly:
	 * the cookie would cost a copy of every byte. */
	if (under != stdin && fseeko(under, 0, SEEK_SET) == 0) {
		/* libpcap freads each record through stdio; a 64 KiB buffer
		 * instead of stdio's 4 KiB makes 16 times fewer read calls.
		 * Not for a file the mapped reader will likely take (libpcap
		 * reads only its header through stdio): the buffer would be
		 * filled once and stay in the RSS for nothing. */
		if (!likely_mapped(pf))
			setvbuf(under, NULL, _IOFBF, READ_BUFFER);
		free(pf->buf);
		free(pf);
		return under;
	}
	f = fopencookie(pf, "rb", io);
	if (f == NULL) {
		peek_close(pf);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	return f;
}

/* libpcap's open errors, said plainly. */
static void
explain_open_error(const char *err, char *why, size_t len)
{
	if (strstr(err, "unknown file format") != NULL ||
	    strstr(err, "bad dump file format") != NULL)
		snprintf(why, len, "not a pcap or pcapng capture (%s)", err);
	else if (strstr(err, "truncated dump file") != NULL ||
	    strstr(err, "truncated pcapng dump file") != NULL)
		snprintf(why, len, "capture ends inside its file header (%s)", err);
	else
		snprintf(why, len, "cannot read capture: %s", err);
}

/* A record's time in ns (libpcap was opened at nanosecond precision, so
 * tv_usec holds nanoseconds).  Out-of-range fractions (>= 1 s) are carried
 * into the seconds, as Wireshark shows them.  A time outside what
 * time_ns() represents (1970-2116) leaves *ts_ns at the previous record's
 * time (the first record's is clamped).  False says either, to be
 * counted. */
bool
source_record_ts(const struct pcap_pkthdr *h, bool have_prev, int64_t *ts_ns)
{
	int64_t frac = (int64_t)h->ts.tv_usec, ns;

	if (!time_ns((int64_t)h->ts.tv_sec, frac, &ns)) {
		if (!have_prev)
			*ts_ns = ns;
		return false;
	}
	*ts_ns = ns;
	return frac >= 0 && frac < 1000000000;
}

bool
source_check_filter(const char *expr, int linktype, char *errbuf, size_t len)
{
	pcap_t *dead = pcap_open_dead(linktype, 262144);
	struct bpf_program prog;
	bool ok;

	if (dead == NULL) {
		snprintf(errbuf, len, "out of memory");
		return false;
	}
	ok = pcap_compile(dead, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0;
	if (ok)
		pcap_freecode(&prog);
	else
		snprintf(errbuf, len, "%s", pcap_geterr(dead));
	pcap_close(dead);
	return ok;
}

/* ---- the record reader ------------------------------------------------
 *
 * libpcap opens every input and validates its header.  After that, the
 * records of a regular classic pcap file are read from a mapping of it
 * (pcapmap.c) rather than through libpcap's fread: that saves copying the
 * whole file twice, the larger part of reading it.  Everything else stays
 * with libpcap: pcapng, stdin, and the link types whose records libpcap
 * rewrites after reading them (pcap_post_process: pseudo-headers written in
 * the other byte order, Linux USB lengths) or allows longer records.
 * TCPDISSECT_READER=libpcap in the environment forces libpcap for every
 * input (tests/reader-paths.sh compares the two). */

struct reader {
	pcap_t			*pc;
	bool			 mapped;
	struct pcapmap		 map;
	struct pcap_pkthdr	 hdr;		/* the mapped record's */
	char			 err[PCAP_ERRBUF_SIZE];
};

/* The link types whose records libpcap 1.10 hands on as they are in the
 * file, with MAXIMUM_SNAPLEN as their largest; the Linux cooked and NFLOG
 * headers only when the file is in host byte order (libpcap swaps them). */
static bool
records_verbatim(int linktype, bool swapped)
{
	switch (linktype) {
	case DLT_EN10MB:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return true;
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NFLOG:
		return !swapped;
	default:
		return false;
	}
}

static bool
mapped_reader_allowed(void)
{
	const char *force = getenv("TCPDISSECT_READER");

	return force == NULL || strcmp(force, "libpcap") != 0;
}

static void
reader_start(struct reader *rd, pcap_t *pc, FILE *f, const struct input_info *in)
{
	int fd = fileno(f);	/* -1 for stdin's replay cookie */

	memset(rd, 0, sizeof(*rd));
	rd->pc = pc;
	if (in->is_pcapng || fd < 0 || !mapped_reader_allowed())
		return;
	if (!records_verbatim(pcap_datalink(pc), pcap_is_swapped(pc) == 1) ||
	    pcap_snapshot(pc) <= 0)
		return;
	rd->mapped = pcapmap_open(&rd->map, fd, (uint32_t)pcap_snapshot(pc), MAXIMUM_SNAPLEN);
}

/* pcap_next_ex's contract: 1 a record, PCAP_ERROR_BREAK the end,
 * PCAP_ERROR damage (reader_error says what). */
static int
reader_next(struct reader *rd, struct pcap_pkthdr **h, const u_char **data)
{
	struct pcapmap_rec r;

	if (!rd->mapped)
		return pcap_next_ex(rd->pc, h, data);
	switch (pcapmap_next(&rd->map, &r, rd->err, sizeof(rd->err))) {
	case PCAPMAP_END:
		return PCAP_ERROR_BREAK;
	case PCAPMAP_DAMAGED:
		return PCAP_ERROR;
	case PCAPMAP_RECORD:
		break;
	}
	rd->hdr.ts.tv_sec = (time_t)r.sec;
	rd->hdr.ts.tv_usec = (suseconds_t)r.frac;
	rd->hdr.caplen = r.caplen;
	rd->hdr.len = r.len;
	*h = &rd->hdr;
	*data = r.data;
	return 1;
}

static const char *
reader_error(struct reader *rd)
{
	return rd->mapped ? rd->err : pcap_geterr(rd->pc);
}

static void
reader_end(struct reader *rd)
{
	if (rd->mapped)
		pcapmap_close(&rd->map);
}

/* Bytes of a regular file, for the progress line's "time left"; 0 when
 * unknown (stdin, a pipe). */
static uint64_t
input_size(const char *path)
{
	struct stat st;

	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	return (uint64_t)st.st_size;
}

enum source_status
source_run_file(const char *path, struct input_info *in, const struct source_opts *o,
    struct pipeline *p)
{
	char errbuf[PCAP_ERRBUF_SIZE], why[PCAP_ERRBUF_SIZE + 64];
	struct bpf_program prog;
	bool have_prog = false;
	enum source_status status = SOURCE_OK;
	struct stats *st = pipeline_stats(p);
	struct pcap_pkthdr *h;
	const u_char *data;
	struct packet pkt;
	struct reader rd;
	pcap_t *pc;
	FILE *f;
	int linktype, rc;
	struct progress progress;

	f = open_input(path, in, why, sizeof(why));
	if (f != NULL && in->is_pcapng && pcapng_interfaces_differ(path, why, sizeof(why))) {
		fclose(f);
		f = NULL;
	}
	if (f == NULL) {
		diag(path, "%s", why);
		return SOURCE_OPEN_FAILED;
	}
	errbuf[0] = '\0';
	pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (pc == NULL) {
		fclose(f);
		explain_open_error(errbuf, why, sizeof(why));
		diag(path, "%s", why);
		return SOURCE_OPEN_FAILED;
	}
	linktype = pcap_datalink(pc);
	if (o->filter != NULL) {
		/* Compiled but not installed: pcap_setfilter would hide
		 * non-matching records, and frame numbers must count them. */
		if (pcap_compile(pc, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			diag(o->filter, "bad filter expression: %s", pcap_geterr(pc));
			pcap_close(pc);
			return SOURCE_BAD_FILTER;
		}
		have_prog = true;
	}
	if (!decode_linktype_supported(linktype)) {
		const char *name = pcap_datalink_val_to_name(linktype);

		diag(path, "warning: link type %d (%s) is not supported; its packets are "
		    "counted but not analysed", linktype, name != NULL ? name : "unknown");
	}

	reader_start(&rd, pc, f, in);
	if (o->progress)
		progress_start(&progress, stderr, path, input_size(path));
	pipeline_begin_input(p, in);
	memset(&pkt, 0, sizeof(pkt));
	pkt.file_index = in->index;
	pkt.linktype = linktype;
	for (;;) {
		if (o->packets_left != NULL && o->max_packets != 0 && *o->packets_left == 0) {
			status = SOURCE_STOPPED;
			break;
		}
		if (out_failed()) {
			status = SOURCE_STOPPED;
			break;
		}
		rc = reader_next(&rd, &h, &data);
		if (rc == PCAP_ERROR_BREAK)
			break;
		if (rc == PCAP_ERROR) {
			const char *err = reader_error(&rd);

			st->warn[WARN_CAPTURE_DAMAGED]++;
			if (strstr(err, "different from the") != NULL) {
				/* only from stdin: files were walked first */
				diag(path, "%s (libpcap cannot read such a pcapng); analysed "
				    "up to frame %" PRIu64, err, pkt.frame);
				status = SOURCE_REFUSED_LATE;
			} else {
				diag(path, "warning: capture damaged after frame %" PRIu64
				    ": %s; analysed up to the damage", pkt.frame, err);
				status = SOURCE_DAMAGED;
			}
			break;
		}
		if (rc != 1)
			continue;	/* 0: live timeout; cannot happen offline */
		pkt.frame++;
		in->frames_read = pkt.frame;
		if (o->progress)
			progress_record(&progress, h->caplen);
		if (!source_record_ts(h, pkt.frame > 1, &pkt.ts_ns))
			st->warn[WARN_BAD_TIMESTAMP]++;
		pkt.caplen = h->caplen;
		pkt.wirelen = h->len;
		pkt.bytes = data;
		if (have_prog && pcap_offline_filter(&prog, h, data) == 0) {
			pipeline_packet_unmatched(p, &pkt);	/* numbered, not analysed */
			continue;
		}
		if (o->packets_left != NULL && o->max_packets != 0)
			(*o->packets_left)--;	/* -c counts matching packets, as tcpdump */
		pipeline_packet(p, &pkt);
	}
	if (o->progress)
		progress_end(&progress);
	pipeline_end_input(p);
	reader_end(&rd);
	if (have_prog)
		pcap_freecode(&prog);
	pcap_close(pc);
	return status;
}
