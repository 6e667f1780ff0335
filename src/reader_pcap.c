/* reader_pcap.c: classic pcap records from the byte input (reader.h).
 *
 * Only what libpcap 1.10 would hand on untouched: the four standard
 * magics, version 2.4, and the link types whose records libpcap does not
 * rewrite (reader_verbatim_dlt).  Every check and message below mirrors
 * sf-pcap.c's pcap_check_header() and pcap_next_packet(), so the output
 * does not depend on the reader; tests/reader-paths.sh runs every capture
 * of the suite (and damaged cuts of them) through this reader and libpcap
 * and requires the same output.  Anything else goes to reader_libpcap.c. */
#include "config.h"

#include "reader.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#define FILE_HDR_LEN	24u	/* struct pcap_file_header */
#define REC_HDR_LEN	16u	/* struct pcap_sf_pkthdr */
#define MAXIMUM_SNAPLEN	262144u	/* libpcap's largest record for these link types */

struct reader {
	struct rd_in	*in;
	uint32_t	 snapshot;	/* libpcap's pcap_snapshot() */
	int		 dlt;
	bool		 swapped;	/* written in the other byte order */
	bool		 nsec;		/* nanosecond magic */
	char		 err[READER_ERRLEN];
};

int
reader_dlt(uint32_t linktype)
{
	uint32_t lt = linktype & 0x03ffffffu;	/* libpcap 1.10's LT_LINKTYPE: no FCS bits */

	switch (lt) {
	case 100: return DLT_ATM_RFC1483;	/* LINKTYPE_ values that are not */
	case 101: return DLT_RAW;		/* DLT_ values on Linux */
	case 102: return DLT_SLIP_BSDOS;
	case 103: return DLT_PPP_BSDOS;
	default: return (int)lt;
	}
}

int
reader_verbatim_dlt(uint32_t linktype, bool swapped)
{
	int dlt = reader_dlt(linktype);

	switch (dlt) {
	case DLT_EN10MB:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return dlt;
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NFLOG:
		return swapped ? -1 : dlt;
	default:
		return -1;
	}
}

uint32_t
reader_snapshot(int dlt, uint32_t snaplen)
{
	uint32_t max;

	switch (dlt) {
	case DLT_DBUS: max = 128u << 20; break;
	case DLT_EBHSCR: max = 8u << 20; break;
	case DLT_USBPCAP: max = 1u << 20; break;
	default: max = MAXIMUM_SNAPLEN; break;
	}
	return snaplen == 0 || snaplen > max ? max : snaplen;
}

/* The magic: false unless one of the four standard ones.  (The
 * "Kuznetzov" patched format has longer record headers and its own
 * snapshot arithmetic: libpcap's.) */
static bool
classic_magic(const uint8_t *h, bool *swapped, bool *nsec)
{
	switch (rd_get32(h, false)) {
	case 0xa1b2c3d4: *swapped = false; *nsec = false; return true;
	case 0xd4c3b2a1: *swapped = true; *nsec = false; return true;
	case 0xa1b23c4d: *swapped = false; *nsec = true; return true;
	case 0x4d3cb2a1: *swapped = true; *nsec = true; return true;
	default: return false;
	}
}

static bool
pcap_probe(const uint8_t *h, size_t len)
{
	bool swapped, nsec;

	if (len < FILE_HDR_LEN || !classic_magic(h, &swapped, &nsec))
		return false;
	/* Only version 2.4: for older files libpcap guesses whether caplen
	 * and len were written swapped, and that guess stays in libpcap. */
	if (rd_get16(h + 4, swapped) != 2 || rd_get16(h + 6, swapped) != 4)
		return false;
	/* A snapshot length of 0 or above the maximum: libpcap keeps the
	 * file's figure in some checks and its own in others; its reader. */
	if (rd_get32(h + 16, swapped) == 0 || rd_get32(h + 16, swapped) > MAXIMUM_SNAPLEN)
		return false;
	return reader_verbatim_dlt(rd_get32(h + 20, swapped), swapped) >= 0;
}

static struct reader *
pcap_open(const struct reader_input *ri, struct reader_info *info, char *err,
    size_t errlen)
{
	struct reader *r = calloc(1, sizeof(*r));
	const uint8_t *h;

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->in = ri->in;
	if (in_reach(r->in, FILE_HDR_LEN) < (ptrdiff_t)FILE_HDR_LEN ||
	    !classic_magic(r->in->cur, &r->swapped, &r->nsec)) {
		snprintf(err, errlen, "unknown file format");	/* the probe said yes */
		free(r);
		return NULL;
	}
	h = r->in->cur;
	r->dlt = reader_verbatim_dlt(rd_get32(h + 20, r->swapped), r->swapped);
	r->snapshot = reader_snapshot(r->dlt, rd_get32(h + 16, r->swapped));
	in_skip(r->in, FILE_HDR_LEN);
	info->linktype = r->dlt;
	info->ts_digits = r->nsec ? 9 : 6;
	return r;
}

/* The one conversion of a record's time: seconds and a fraction (ns, or
 * us times 1000), both int32 on disk, sign-extended as libpcap does.  An
 * out-of-range fraction is carried into the seconds, as Wireshark shows
 * it; false says so, to be counted. */
static bool
pcap_ts(int64_t sec, int64_t frac, int64_t *ts_ns, bool *held)
{
	*held = !time_ns(sec, frac, ts_ns);
	return !*held && frac >= 0 && frac < 1000000000;
}

static enum reader_result
pcap_next(struct reader *r, struct reader_rec *rec)
{
	struct rd_in *in = r->in;
	const uint8_t *h;
	ptrdiff_t got;
	size_t avail;
	uint32_t caplen;
	int64_t frac;

	got = in_reach(in, REC_HDR_LEN);
	if (got < 0)
		goto read_error;
	if (got == 0)
		return READER_END;
	if (got < (ptrdiff_t)REC_HDR_LEN) {
		snprintf(r->err, sizeof(r->err), "truncated dump file; tried to read %u header "
		    "bytes, only got %zu", REC_HDR_LEN, (size_t)got);
		return READER_DAMAGED;
	}
	h = in->cur;
	frac = (int32_t)rd_get32(h + 4, r->swapped);
	if (!r->nsec)
		frac *= 1000;
	rec->ts_ok = pcap_ts((int32_t)rd_get32(h, r->swapped), frac, &rec->ts_ns, &rec->ts_held);
	caplen = rd_get32(h + 8, r->swapped);
	rec->len = rd_get32(h + 12, r->swapped);
	if (caplen > MAXIMUM_SNAPLEN) {
		if (caplen > r->snapshot)
			snprintf(r->err, sizeof(r->err), "invalid packet capture length %u, "
			    "bigger than snaplen of %d", caplen, (int)r->snapshot);
		else
			snprintf(r->err, sizeof(r->err), "invalid packet capture length %u, "
			    "bigger than maximum of %u", caplen, MAXIMUM_SNAPLEN);
		return READER_DAMAGED;
	}
	got = in_reach(in, REC_HDR_LEN + (size_t)caplen);
	if (got < 0)
		goto read_error;
	avail = (size_t)got - REC_HDR_LEN;
	/* A record longer than the file's snapshot length is cut to it (old
	 * Solaris wrote such files); libpcap reads the snapshot, then skips
	 * the rest, and says which of the two it could not finish. */
	if (caplen > r->snapshot && avail < r->snapshot) {
		snprintf(r->err, sizeof(r->err), "truncated dump file; tried to read %d "
		    "captured bytes, only got %zu", (int)r->snapshot, avail);
		return READER_DAMAGED;
	}
	if (avail < caplen) {
		snprintf(r->err, sizeof(r->err), "truncated dump file; tried to read %u "
		    "captured bytes, only got %zu", caplen, avail);
		return READER_DAMAGED;
	}
	rec->caplen = caplen > r->snapshot ? r->snapshot : caplen;
	rec->linktype = r->dlt;
	/* (in_reach may have moved the bytes) */
	rec->data = in->cur + REC_HDR_LEN;
	in_skip(in, REC_HDR_LEN + (size_t)caplen);
	/* The next record's data, two cache lines, while this one is analysed. */
	if (in->end - in->cur >= (ptrdiff_t)REC_HDR_LEN) {
		size_t next = REC_HDR_LEN + rd_get32(in->cur + 8, r->swapped);

		if ((size_t)(in->end - in->cur) >= next + 128) {
			__builtin_prefetch(in->cur + next);
			__builtin_prefetch(in->cur + next + 64);
		}
	}
	return READER_RECORD;
read_error:
	snprintf(r->err, sizeof(r->err), "%s", in->err);
	return READER_DAMAGED;
}

static const char *
pcap_error(struct reader *r)
{
	return r->err;
}

static void
pcap_close_reader(struct reader *r)
{
	free(r);
}

const struct reader_ops reader_pcap_ops = {
	.name = "pcap",
	.probe = pcap_probe,
	.open = pcap_open,
	.next = pcap_next,
	.error = pcap_error,
	.close = pcap_close_reader,
};
