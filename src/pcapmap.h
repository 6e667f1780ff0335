/* pcapmap.h: the records of a classic pcap file read straight from a
 * read-only mapping of it, for the offline source's fast path.
 *
 * Reading a regular file through libpcap costs two copies of every byte
 * (the kernel's into stdio's buffer, then fread's into libpcap's record
 * buffer) although the analysis looks at the headers only.  Mapped, only
 * the cache lines the analysis touches are ever read.  The file is mapped
 * a window at a time, not whole: pages stay mapped (and count in the RSS)
 * until unmapped, and the kernel maps a whole large folio of the page
 * cache (up to 2 MiB) at the first touch.
 *
 * libpcap still opens and validates the file header (source.c only comes
 * here for what libpcap has accepted); this module walks the records the
 * way libpcap 1.10's sf-pcap.c does, with its checks and its messages, so
 * that the output does not depend on the path taken.  It knows nothing of
 * link types: source.c keeps the link types whose records libpcap rewrites
 * (byte-swapped pseudo-headers, USB lengths) and pcapng on libpcap. */
#ifndef TCPDISSECT_PCAPMAP_H
#define TCPDISSECT_PCAPMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcapmap {
	const uint8_t	*win;		/* mapped window of the file, read-only */
	size_t		 win_off;	/* file offset of win (page-aligned) */
	size_t		 win_len;
	size_t		 size;		/* the file's size */
	size_t		 off;		/* file offset of the next record header */
	int		 fd;		/* borrowed */
	uint32_t	 snapshot;	/* libpcap's pcap_snapshot() */
	uint32_t	 max_caplen;	/* libpcap's maximum for the link type */
	bool		 swapped;	/* written in the other byte order */
	bool		 nsec;		/* nanosecond magic */
};

/* One record as libpcap 1.10 would return it at nanosecond precision. */
struct pcapmap_rec {
	int64_t		 sec;		/* int32 on disk, sign-extended */
	int64_t		 frac;		/* ns: the int32 on disk sign-extended, times
					 * 1000 for a microsecond file */
	uint32_t	 caplen;	/* clamped to the snapshot length */
	uint32_t	 len;
	const uint8_t	*data;		/* valid until the next pcapmap_next */
};

enum pcapmap_result {
	PCAPMAP_RECORD,
	PCAPMAP_END,
	PCAPMAP_DAMAGED,		/* message in the caller's buffer */
};

/* Map fd (a regular file whose classic pcap header libpcap has read and
 * accepted) for reading its records after the 24-byte file header.
 * snapshot and max_caplen are libpcap's figures for this file.  False when
 * the file is not one this module reads exactly as libpcap does (another
 * magic or version, a special file) or cannot be mapped: the caller then
 * keeps reading through libpcap. */
bool pcapmap_open(struct pcapmap *m, int fd, uint32_t snapshot, uint32_t max_caplen);

/* The next record.  On damage (a truncated record, a capture length no
 * reader would accept) err holds libpcap's message for it. */
enum pcapmap_result pcapmap_next(struct pcapmap *m, struct pcapmap_rec *r, char *err,
    size_t errlen);

/* Unmap; fd stays open (it belongs to the caller). */
void pcapmap_close(struct pcapmap *m);

#endif /* TCPDISSECT_PCAPMAP_H */
