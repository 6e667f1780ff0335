/* reader_pcapng.c: pcapng blocks from the byte input (reader.h).
 *
 * Block by block, as they come: nothing is walked before the first
 * record, and memory is the input's window or buffer plus one entry per
 * interface of the current section.  Where libpcap 1.10 reads a file, this
 * reader reads it the same way, with libpcap's checks and messages
 * (sf-pcapng.c), so the output does not depend on the reader.  Where
 * libpcap gives up and Wireshark does not, this reader reads on as
 * Wireshark does:
 *   - every interface keeps its own link type and snapshot length (libpcap
 *     refuses an interface unlike the first: "dumpcap -i eth0 -i any");
 *   - each section has its own byte order (libpcap refuses a change).
 * Enhanced, Simple and (obsolete) Packet Blocks are records.  Frames are
 * numbered as Wireshark 4.0 numbers them: besides the packets, custom,
 * systemd journal and system call blocks are frames (counted, not
 * analysed); every other block is skipped. */
#include "config.h"

#include "reader.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#define BT_SHB		0x0a0d0d0au
#define BT_IDB		0x00000001u
#define BT_PB		0x00000002u
#define BT_SPB		0x00000003u
#define BT_EPB		0x00000006u
/* Blocks Wireshark 4.0 shows as frames, though they are not packets. */
#define BT_JOURNAL	0x00000009u	/* systemd Journal Export */
#define BT_CB_COPY	0x00000badu	/* Custom Blocks */
#define BT_CB_NOCOPY	0x40000badu
#define BT_SYSDIG_EVENT	0x00000204u	/* sysdig / Falco system call events */
#define BT_SYSDIG_EVF	0x00000208u
#define BT_SYSDIG_EVENT_V2 0x00000216u
#define BT_SYSDIG_EVF_V2 0x00000217u
#define BT_SYSDIG_EVENT_V2_LARGE 0x00000221u
#define BT_SYSDIG_EVF_V2_LARGE 0x00000222u
#define BYTE_ORDER_MAGIC 0x1a2b3c4du
#define SHB_MIN		28u		/* the smallest SHB */
#define SHB_INSANE_MAX	(1u << 20)	/* libpcap's sanity bound on an SHB */
/* libpcap's largest block: 16 MiB, or an EPB of the largest snapshot of
 * an interface's link type and 128 KiB of options. */
#define INITIAL_MAX_BLOCK (16u << 20)
#define MAX_BLOCK_FOR_SNAPLEN(s) (8u + 20u + (s) + 131072u + 4u)
#define MAX_IFACES	65536u		/* per section: memory stays bounded */
#define NS		1000000000u

#define IF_TSRESOL	9
#define IF_TSOFFSET	14

struct iface {
	int		 dlt;
	uint32_t	 snapshot;	/* adjusted as libpcap does */
	uint64_t	 tsresol;	/* ticks per second */
	int64_t		 tsoffset;	/* seconds added to every time */
};

struct reader {
	struct rd_in	*in;
	bool		 swapped;	/* this section's byte order */
	struct iface	*ifaces;
	uint32_t	 nifaces, cap;	/* of this section */
	uint32_t	 max_block;
	uint8_t		*scratch;	/* a record rewritten (NFLOG, other byte order) */
	size_t		 scratch_cap;
	char		 err[READER_ERRLEN];
};

/* One block, read whole: its body (after type and length, before the
 * trailer) at p, n bytes. */
struct block {
	uint32_t	 type;
	uint32_t	 total;
	const uint8_t	*p;
	size_t		 n;
};

static bool
pcapng_probe(const uint8_t *h, size_t len)
{
	uint32_t bom, total;
	bool swapped;

	if (len < 12 || rd_get32(h, false) != BT_SHB)
		return false;
	bom = rd_get32(h + 8, false);
	if (bom != BYTE_ORDER_MAGIC && bom != __builtin_bswap32(BYTE_ORDER_MAGIC))
		return false;
	swapped = bom != BYTE_ORDER_MAGIC;
	total = rd_get32(h + 4, swapped);
	/* libpcap's open-time sanity check stays libpcap's to report */
	return total >= SHB_MIN && total <= SHB_INSANE_MAX;
}

/* Take bytes from a block body; NULL (and libpcap's message) when the
 * block is too short. */
static const uint8_t *
take(struct reader *r, struct block *b, size_t n)
{
	const uint8_t *p = b->p;

	if (b->n < n) {
		snprintf(r->err, sizeof(r->err), "block of type %u in pcapng dump file is too "
		    "short", b->type);
		return NULL;
	}
	b->p += n;
	b->n -= n;
	return p;
}

/* Read the next block whole.  1 a block, 0 the end, -1 damage (r->err).
 * An SHB's length is read in the byte order its own magic gives.  The
 * file's first SHB is read as libpcap's open reads it: its trailer
 * unchecked, and its length counted from the byte order magic. */
static int
read_block(struct reader *r, struct block *b, bool first)
{
	struct rd_in *in = r->in;
	ptrdiff_t got;
	uint32_t trailer;

	got = in_reach(in, 8);
	if (got < 0)
		goto read_error;
	if (got == 0)
		return 0;
	if (got < 8) {
		snprintf(r->err, sizeof(r->err), "truncated pcapng dump file; tried to read 8 "
		    "bytes, only got %zu", (size_t)got);
		return -1;
	}
	b->type = rd_get32(in->cur, r->swapped);
	if (b->type == BT_SHB) {
		uint32_t bom;

		got = in_reach(in, 12);
		if (got < 0)
			goto read_error;
		if (got < 12) {
			snprintf(r->err, sizeof(r->err), "truncated pcapng dump file; tried to "
			    "read 4 bytes, only got %zu", (size_t)got - 8);
			return -1;
		}
		bom = rd_get32(in->cur + 8, false);
		if (bom == BYTE_ORDER_MAGIC)
			r->swapped = false;
		else if (bom == __builtin_bswap32(BYTE_ORDER_MAGIC))
			r->swapped = true;
		else {
			snprintf(r->err, sizeof(r->err), "the file has a section with a bad byte "
			    "order magic field");
			return -1;
		}
	}
	b->total = rd_get32(in->cur + 4, r->swapped);
	if (b->total < 12) {
		snprintf(r->err, sizeof(r->err), "block in pcapng dump file has a length of %u "
		    "< 12", b->total);
		return -1;
	}
	if (b->total % 4 != 0) {
		snprintf(r->err, sizeof(r->err), "block in pcapng dump file has a length of %u "
		    "that is not a multiple of 4", b->total);
		return -1;
	}
	if (b->total > r->max_block) {
		snprintf(r->err, sizeof(r->err), "pcapng block size %u > maximum %u", b->total,
		    r->max_block);
		return -1;
	}
	got = in_reach(in, b->total);
	if (got < 0)
		goto read_error;
	if ((size_t)got < b->total) {
		size_t from = first ? 12 : 8;

		snprintf(r->err, sizeof(r->err), "truncated pcapng dump file; tried to read %zu "
		    "bytes, only got %zu", b->total - from, (size_t)got - from);
		return -1;
	}
	trailer = rd_get32(in->cur + b->total - 4, r->swapped);
	if (!first && trailer != b->total) {
		snprintf(r->err, sizeof(r->err), "block total length in header and trailer "
		    "don't match");
		return -1;
	}
	b->p = in->cur + 8;
	b->n = b->total - 12;
	in_skip(in, b->total);
	return 1;
read_error:
	snprintf(r->err, sizeof(r->err), "%s", in->err);
	return -1;
}

/* if_tsresol and if_tsoffset, with libpcap's checks. */
static bool
idb_options(struct reader *r, struct block *b, struct iface *f)
{
	bool saw_res = false, saw_off = false;

	while (b->n != 0) {
		const uint8_t *oh = take(r, b, 4), *v;
		uint16_t code, len;

		if (oh == NULL)
			return false;
		code = rd_get16(oh, r->swapped);
		len = rd_get16(oh + 2, r->swapped);
		v = take(r, b, ((size_t)len + 3) & ~(size_t)3);
		if (v == NULL)
			return false;
		switch (code) {
		case 0:
			if (len != 0) {
				snprintf(r->err, sizeof(r->err), "Interface Description Block has "
				    "opt_endofopt option with length %u != 0", len);
				return false;
			}
			return true;
		case IF_TSRESOL:
			if (len != 1) {
				snprintf(r->err, sizeof(r->err), "Interface Description Block has "
				    "if_tsresol option with length %u != 1", len);
				return false;
			}
			if (saw_res) {
				snprintf(r->err, sizeof(r->err), "Interface Description Block has "
				    "more than one if_tsresol option");
				return false;
			}
			saw_res = true;
			if (v[0] & 0x80) {
				if ((v[0] & 0x7f) > 63) {
					snprintf(r->err, sizeof(r->err), "Interface Description "
					    "Block if_tsresol option resolution 2^-%u is too high",
					    v[0] & 0x7f);
					return false;
				}
				f->tsresol = (uint64_t)1 << (v[0] & 0x7f);
			} else {
				if (v[0] > 19) {
					snprintf(r->err, sizeof(r->err), "Interface Description "
					    "Block if_tsresol option resolution 10^-%u is too high",
					    v[0]);
					return false;
				}
				f->tsresol = 1;
				for (unsigned i = 0; i < v[0]; i++)
					f->tsresol *= 10;
			}
			break;
		case IF_TSOFFSET:
			if (len != 8) {
				snprintf(r->err, sizeof(r->err), "Interface Description Block has "
				    "if_tsoffset option with length %u != 8", len);
				return false;
			}
			if (saw_off) {
				snprintf(r->err, sizeof(r->err), "Interface Description Block has "
				    "more than one if_tsoffset option");
				return false;
			}
			saw_off = true;
			{
				uint64_t o;

				memcpy(&o, v, sizeof(o));
				f->tsoffset = (int64_t)(r->swapped ? __builtin_bswap64(o) : o);
			}
			break;
		default:
			break;
		}
	}
	return true;
}

static bool
add_interface(struct reader *r, struct block *b)
{
	const uint8_t *h = take(r, b, 8);
	struct iface f = { .tsresol = 1000000, .tsoffset = 0 };

	if (h == NULL)
		return false;
	f.dlt = reader_dlt(rd_get16(h, r->swapped));
	f.snapshot = reader_snapshot(f.dlt, rd_get32(h + 4, r->swapped));
	if (!idb_options(r, b, &f))
		return false;
	if (r->nifaces == r->cap) {
		uint32_t cap = r->cap == 0 ? 4 : r->cap * 2;
		struct iface *n;

		if (r->nifaces >= MAX_IFACES) {
			snprintf(r->err, sizeof(r->err), "more than %u interfaces in one section",
			    MAX_IFACES);
			return false;
		}
		n = realloc(r->ifaces, cap * sizeof(*n));
		if (n == NULL) {
			snprintf(r->err, sizeof(r->err), "out of memory for per-interface "
			    "information (%u interfaces)", r->nifaces + 1);
			return false;
		}
		r->ifaces = n;
		r->cap = cap;
	}
	r->ifaces[r->nifaces++] = f;
	if (MAX_BLOCK_FOR_SNAPLEN(reader_snapshot(f.dlt, 0)) > r->max_block)
		r->max_block = MAX_BLOCK_FOR_SNAPLEN(reader_snapshot(f.dlt, 0));
	return true;
}

/* The one conversion of a record's time: ticks of the interface's
 * resolution, plus its offset in seconds, as libpcap 1.10 computes them
 * at nanosecond precision (unsigned, wrapping where libpcap's does). */
static bool
pcapng_ts(const struct iface *f, uint64_t t, int64_t *ts_ns, bool *held)
{
	uint64_t sec = t / f->tsresol, frac = t % f->tsresol;
	int64_t with_offset;

	if (f->tsresol != NS)
		frac = (uint64_t)((unsigned __int128)frac * NS / f->tsresol);
	/* A time past what time_ns() represents (a high word of 0xffffffff
	 * is the year 586,000) is held and counted, never wrapped. */
	if (sec > (uint64_t)INT64_MAX / 2 ||
	    __builtin_add_overflow((int64_t)sec, f->tsoffset, &with_offset)) {
		*ts_ns = f->tsoffset < 0 ? 0 : TIME_NS_MAX;
		*held = true;
		return false;
	}
	*held = !time_ns(with_offset, (int64_t)frac, ts_ns);
	return !*held;
}

static int
digits(uint64_t tsresol)
{
	return tsresol > 1000000 ? 9 : 6;
}

static struct reader *
pcapng_open(const struct reader_input *ri, struct reader_info *info, char *err,
    size_t errlen)
{
	struct reader *r = calloc(1, sizeof(*r));
	const uint8_t *shb;
	struct block b;
	uint16_t major, minor;
	int st;

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->in = ri->in;
	r->max_block = INITIAL_MAX_BLOCK;
	st = read_block(r, &b, true);
	if (st <= 0)
		goto fail;
	shb = take(r, &b, 16);
	if (shb == NULL)
		goto fail;
	major = rd_get16(shb + 4, r->swapped);
	minor = rd_get16(shb + 6, r->swapped);
	if (major != 1 || (minor != 0 && minor != 2)) {
		snprintf(r->err, sizeof(r->err), "unsupported pcapng savefile version %u.%u",
		    major, minor);
		goto fail;
	}
	/* As libpcap: up to the first interface, which gives the link type. */
	for (;;) {
		st = read_block(r, &b, false);
		if (st == 0)
			snprintf(r->err, sizeof(r->err), "the capture file has no Interface "
			    "Description Blocks");
		if (st <= 0)
			goto fail;
		if (b.type == BT_IDB) {
			if (!add_interface(r, &b))
				goto fail;
			break;
		}
		if (b.type == BT_EPB || b.type == BT_SPB || b.type == BT_PB) {
			snprintf(r->err, sizeof(r->err), "the capture file has a packet block "
			    "before any Interface Description Blocks");
			goto fail;
		}
	}
	info->linktype = r->ifaces[0].dlt;
	info->ts_digits = digits(r->ifaces[0].tsresol);
	return r;
fail:
	snprintf(err, errlen, "%s", r->err);
	free(r->ifaces);
	free(r);
	return NULL;
}

static const uint8_t *nflog_swapped(struct reader *r, const uint8_t *data, uint32_t caplen,
    uint32_t len);

static enum reader_result
pcapng_next(struct reader *r, struct reader_rec *rec)
{
	const struct iface *f;
	const uint8_t *h;
	struct block b;
	uint32_t ifid;
	uint64_t t;
	int st;

	for (;;) {
		st = read_block(r, &b, false);
		if (st == 0)
			return READER_END;
		if (st < 0)
			return READER_DAMAGED;
		switch (b.type) {
		case BT_EPB:
			if ((h = take(r, &b, 20)) == NULL)
				return READER_DAMAGED;
			ifid = rd_get32(h, r->swapped);
			t = (uint64_t)rd_get32(h + 4, r->swapped) << 32 |
			    rd_get32(h + 8, r->swapped);
			rec->caplen = rd_get32(h + 12, r->swapped);
			rec->len = rd_get32(h + 16, r->swapped);
			goto found;
		case BT_SPB:
			if ((h = take(r, &b, 4)) == NULL)
				return READER_DAMAGED;
			ifid = 0;		/* the first interface, and no time */
			t = 0;
			rec->len = rd_get32(h, r->swapped);
			rec->caplen = rec->len;
			if (r->nifaces > 0 && rec->caplen > r->ifaces[0].snapshot)
				rec->caplen = r->ifaces[0].snapshot;
			goto found;
		case BT_PB:
			if ((h = take(r, &b, 20)) == NULL)
				return READER_DAMAGED;
			ifid = rd_get16(h, r->swapped);
			t = (uint64_t)rd_get32(h + 4, r->swapped) << 32 |
			    rd_get32(h + 8, r->swapped);
			rec->caplen = rd_get32(h + 12, r->swapped);
			rec->len = rd_get32(h + 16, r->swapped);
			goto found;
		case BT_IDB:
			if (!add_interface(r, &b))
				return READER_DAMAGED;
			break;
		case BT_SHB:
			if ((h = take(r, &b, 16)) == NULL)
				return READER_DAMAGED;
			if (rd_get16(h + 4, r->swapped) != 1) {
				snprintf(r->err, sizeof(r->err), "unknown pcapng savefile major "
				    "version number %u", rd_get16(h + 4, r->swapped));
				return READER_DAMAGED;
			}
			r->nifaces = 0;		/* a section has its own interfaces */
			break;
		case BT_JOURNAL:
		case BT_CB_COPY:
		case BT_CB_NOCOPY:
		case BT_SYSDIG_EVENT:
		case BT_SYSDIG_EVF:
		case BT_SYSDIG_EVENT_V2:
		case BT_SYSDIG_EVF_V2:
		case BT_SYSDIG_EVENT_V2_LARGE:
		case BT_SYSDIG_EVF_V2_LARGE:
			return READER_OTHER_FRAME;
		default:
			break;			/* not a packet: skipped */
		}
	}
found:
	if (ifid >= r->nifaces) {
		snprintf(r->err, sizeof(r->err), "a packet arrived on interface %u, but there's "
		    "no Interface Description Block for that interface", ifid);
		return READER_DAMAGED;
	}
	f = &r->ifaces[ifid];
	if (rec->caplen > f->snapshot) {
		snprintf(r->err, sizeof(r->err), "invalid packet capture length %u, bigger than "
		    "snaplen of %d", rec->caplen, (int)f->snapshot);
		return READER_DAMAGED;
	}
	rec->ts_ok = pcapng_ts(f, t, &rec->ts_ns, &rec->ts_held);
	if ((rec->data = take(r, &b, rec->caplen)) == NULL)
		return READER_DAMAGED;
	if (r->swapped && f->dlt == DLT_NFLOG &&
	    (rec->data = nflog_swapped(r, rec->data, rec->caplen, rec->len)) == NULL)
		return READER_DAMAGED;
	rec->linktype = f->dlt;
	return READER_RECORD;
}

/* libpcap's swap_nflog_header: an NFLOG record's TLV length and type
 * fields are in the capturing host's byte order, so in a section of the
 * other byte order they are swapped (on a copy: the input buffer stays as
 * read) as libpcap swaps them, up to the first TLV that does not fit.
 * NULL when out of memory. */
static const uint8_t *
nflog_swapped(struct reader *r, const uint8_t *data, uint32_t caplen, uint32_t len)
{
	uint8_t *p;

	if (caplen < 4 || len < 4 || data[1] != 0)	/* no TLVs, or not version 0 */
		return data;
	if (caplen > r->scratch_cap) {
		uint8_t *b = realloc(r->scratch, caplen);

		if (b == NULL) {
			snprintf(r->err, sizeof(r->err), "out of memory");
			return NULL;
		}
		r->scratch = b;
		r->scratch_cap = caplen;
	}
	memcpy(r->scratch, data, caplen);
	p = r->scratch + 4;
	caplen -= 4;
	len -= 4;
	while (caplen >= 4) {
		uint16_t size = rd_get16(p, true), type = rd_get16(p + 2, true);

		memcpy(p, &size, 2);
		memcpy(p + 2, &type, 2);
		if (size % 4 != 0)
			size = (uint16_t)(size + 4 - size % 4);
		if (size < 4 || caplen < size || len < size)
			break;
		p += size;
		caplen -= size;
		len -= size;
	}
	return r->scratch;
}

static const char *
pcapng_error(struct reader *r)
{
	return r->err;
}

static void
pcapng_close(struct reader *r)
{
	free(r->scratch);
	free(r->ifaces);
	free(r);
}

const struct reader_ops reader_pcapng_ops = {
	.name = "pcapng",
	.probe = pcapng_probe,
	.open = pcapng_open,
	.next = pcapng_next,
	.error = pcapng_error,
	.close = pcapng_close,
};
