/* reader_libpcap.c: libpcap as a reader (reader.h), the reference the
 * other readers are compared with (TCPDISSECT_READER=libpcap) and the
 * reader of what they leave (classic pcap in other versions or with link
 * types whose records libpcap rewrites, the "Kuznetzov" format).
 *
 * A plain regular file is opened by path and read through stdio with a
 * 64 KiB buffer; anything else (a pipe, a decompressed stream) reaches
 * libpcap through a stdio cookie that copies from the byte input. */
#include "config.h"

#include "reader.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define READ_BUFFER	(64u << 10)	/* stdio buffer for capture files */

struct reader {
	pcap_t		*pc;
	int		 dlt;
};

static bool
libpcap_probe(const uint8_t *head, size_t len)
{
	(void)head;
	(void)len;
	return true;			/* libpcap says what it cannot read */
}

static ssize_t
cookie_read(void *cookie, char *dst, size_t n)
{
	ptrdiff_t r = in_read(cookie, (uint8_t *)dst, n);

	if (r < 0)
		errno = EIO;
	return (ssize_t)r;
}

static int
cookie_close(void *cookie)
{
	(void)cookie;			/* the input belongs to source.c */
	return 0;
}

/* The capture's own timestamp resolution (libpcap hands nanoseconds
 * either way, and the JSON keeps the digits the capture really has): the
 * classic magic, or the if_tsresol of a pcapng file's first block after
 * its section header when that is an interface.  Looked at without
 * consuming, so libpcap reads the same bytes after. */
static int
head_digits(struct rd_in *in)
{
	const uint8_t *b;
	uint32_t magic, blen, type;
	size_t idb, off, end;
	bool swap;

	if (in_reach(in, 12) < 12)
		return 6;
	magic = rd_get32(in->cur, false);
	if (magic == 0xa1b23c4d || magic == 0x4d3cb2a1)
		return 9;
	if (magic != 0x0a0d0d0a)
		return 6;
	swap = rd_get32(in->cur + 8, false) != 0x1a2b3c4d;
	idb = rd_get32(in->cur + 4, swap);
	if (idb < 28 || idb % 4 != 0 || idb > (1u << 20) ||
	    in_reach(in, idb + 8) < (ptrdiff_t)(idb + 8))
		return 6;
	type = rd_get32(in->cur + idb, swap);
	blen = rd_get32(in->cur + idb + 4, swap);
	if (type != 1 || blen < 20 || blen % 4 != 0 || blen > (1u << 20) ||
	    in_reach(in, idb + blen) < (ptrdiff_t)(idb + blen))
		return 6;
	b = in->cur;
	/* IDB: linktype(2) reserved(2) snaplen(4), then options to end-4. */
	off = idb + 16;
	end = idb + blen - 4;
	while (off + 4 <= end) {
		uint16_t code = rd_get16(b + off, swap), olen = rd_get16(b + off + 2, swap);

		if (code == 0 || olen > end - off - 4)
			break;
		if (code == 9 && olen >= 1) {
			uint8_t v = b[off + 4];

			if (v & 0x80)
				return (v & 0x7f) > 20 ? 9 : 6;
			return v > 6 ? 9 : 6;
		}
		off += 4 + (((size_t)olen + 3) & ~(size_t)3);
	}
	return 6;
}

static struct reader *
libpcap_open(const struct reader_input *ri, struct reader_info *info, char *err,
    size_t errlen)
{
	cookie_io_functions_t io = { .read = cookie_read, .close = cookie_close };
	char errbuf[PCAP_ERRBUF_SIZE];
	struct reader *r = calloc(1, sizeof(*r));
	FILE *f = NULL;

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	info->ts_digits = head_digits(ri->in);
	if (ri->path != NULL) {
		f = fopen(ri->path, "rb");
		/* libpcap freads each record through stdio; a 64 KiB buffer
		 * instead of stdio's 4 KiB makes 16 times fewer read calls. */
		if (f != NULL)
			setvbuf(f, NULL, _IOFBF, READ_BUFFER);
	} else {
		f = fopencookie(ri->in, "rb", io);
	}
	if (f == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		free(r);
		return NULL;
	}
	errbuf[0] = '\0';
	r->pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (r->pc == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s", errbuf);
		free(r);
		return NULL;
	}
	r->dlt = pcap_datalink(r->pc);
	info->linktype = r->dlt;
	return r;
}

/* The one conversion of a record's time (libpcap was opened at
 * nanosecond precision, so tv_usec holds nanoseconds).  Out-of-range
 * fractions (>= 1 s) are carried into the seconds, as Wireshark shows
 * them; false says so, to be counted. */
static bool
record_ts(const struct pcap_pkthdr *h, int64_t *ts_ns, bool *held)
{
	int64_t frac = (int64_t)h->ts.tv_usec;
	bool in_range = time_ns((int64_t)h->ts.tv_sec, frac, ts_ns);

	if (held != NULL)
		*held = !in_range;
	return in_range && frac >= 0 && frac < 1000000000;
}

static enum reader_result
libpcap_next(struct reader *r, struct reader_rec *rec)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	do
		rc = pcap_next_ex(r->pc, &h, &data);
	while (rc == 0);		/* a live timeout: cannot happen offline */
	if (rc == PCAP_ERROR_BREAK)
		return READER_END;
	if (rc != 1)
		return READER_DAMAGED;
	rec->ts_ok = record_ts(h, &rec->ts_ns, &rec->ts_held);
	rec->caplen = h->caplen;
	rec->len = h->len;
	rec->linktype = r->dlt;
	rec->data = data;
	return READER_RECORD;
}

static const char *
libpcap_error(struct reader *r)
{
	return pcap_geterr(r->pc);
}

static void
libpcap_close(struct reader *r)
{
	pcap_close(r->pc);		/* closes the FILE, not the input */
	free(r);
}

const struct reader_ops reader_libpcap_ops = {
	.name = "libpcap",
	.probe = libpcap_probe,
	.open = libpcap_open,
	.next = libpcap_next,
	.error = libpcap_error,
	.close = libpcap_close,
};
