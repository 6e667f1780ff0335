/* reader.h: the capture readers behind the offline source, and the byte
 * input they read from.
 *
 * A capture reaches a reader as a byte input (struct rd_in): a regular
 * file, a pipe, standard input or a decompressor, read with large reads
 * into one reused buffer.  A reader
 * (struct reader_ops) turns the bytes into records: each has a probe that
 * looks at the first bytes of the content, and open / next / error / close.
 * source.c keeps the table of readers and picks the first whose probe
 * accepts the content; adding a format is one reader_*.c file and one row
 * of that table.  Compressed content is recognised by its magic and
 * decompressed as a stream below the readers (reader_decompress.c), so
 * every reader reads every compression.
 *
 * The readers:
 *   reader_pcap.c     classic pcap, the formats and link types whose records
 *                     libpcap 1.10 hands on verbatim, with libpcap's checks
 *                     and messages;
 *   reader_pcapng.c   pcapng: every interface with its own link type,
 *                     snapshot length and timestamp resolution and offset,
 *                     several sections in either byte order (NFLOG TLV
 *                     headers swapped as libpcap swaps them);
 *   reader_libpcap.c  libpcap itself, for everything else (other versions
 *                     and link types) and as the reference
 *                     (TCPDISSECT_READER=libpcap).
 *
 * Only reader_libpcap.c includes <pcap/pcap.h>.  Readers print nothing:
 * they return what went wrong as text. */
#ifndef TCPDISSECT_READER_H
#define TCPDISSECT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define READER_ERRLEN	320u	/* as large as libpcap's PCAP_ERRBUF_SIZE + 64 */

/* ---- the byte input --------------------------------------------------- */

/* A source of bytes under a stream input: a file descriptor, or a
 * decompressor reading from one.  read returns bytes written to dst, 0 at
 * the end, -1 on error (message in err). */
struct byte_source {
	ptrdiff_t	(*read)(struct byte_source *s, uint8_t *dst, size_t n);
	void		(*close)(struct byte_source *s);
	char		 err[READER_ERRLEN];
};

struct rd_in {
	const uint8_t	*cur;		/* the read position */
	const uint8_t	*end;		/* one past the bytes readable at cur */
	/* private to reader_input.c */
	bool		 eof;		/* the source has ended */
	uint8_t		*buf;		/* the reused buffer */
	size_t		 cap;
	uint64_t	 consumed;	/* bytes before buf[0] */
	struct byte_source *src;	/* owned */
	char		 err[READER_ERRLEN];
};

/* Read src (taken over). */
bool in_open_stream(struct rd_in *in, struct byte_source *src, char *err, size_t errlen);
void in_close(struct rd_in *in);

/* Make n bytes readable at cur, or as many as remain; returns how many are
 * (< n only at the end of the input), or -1 on a read error (in->err
 * says which).  cur and end may move. */
ptrdiff_t in_reach_slow(struct rd_in *in, size_t n);
static inline ptrdiff_t
in_reach(struct rd_in *in, size_t n)
{
	if ((size_t)(in->end - in->cur) >= n)
		return (ptrdiff_t)n;
	return in_reach_slow(in, n);
}
/* Step over n bytes that in_reach made readable. */
static inline void
in_skip(struct rd_in *in, size_t n)
{
	in->cur += n;
}
/* The offset of cur from the start of the content. */
uint64_t in_offset(const struct rd_in *in);
/* Copy up to n bytes from the read position (for libpcap's stdio cookie). */
ptrdiff_t in_read(struct rd_in *in, uint8_t *dst, size_t n);

/* A file descriptor as a byte source, the head bytes already read from it
 * first (head is copied; the source owns fd unless it is 0). */
struct byte_source *fd_source(int fd, const uint8_t *head, size_t headlen);

/* ---- decompression (reader_decompress.c) ------------------------------ */

/* What the first bytes of a file say it is, when compressed. */
struct compression {
	const char	*name;		/* "gzip", "zstd", "lz4", "bzip2", "xz" */
	const char	*tool;		/* the command that decompresses it */
	/* Wrap src (taken over); NULL when this build cannot (message in err) */
	struct byte_source *(*wrap)(struct byte_source *src, char *err, size_t errlen);
};

/* The compression whose magic head starts with, or NULL.  len >= 6. */
const struct compression *compression_detect(const uint8_t *head, size_t len);
/* "gzip zstd lz4" as this build has them, for --version and messages. */
const char *compression_built(void);

/* ---- the readers ------------------------------------------------------ */

/* One record.  data is valid until the next call of next. */
struct reader_rec {
	int64_t		 ts_ns;		/* capture time, ns since the epoch */
	bool		 ts_ok;		/* false: an out-of-range fraction was carried,
					 * or the time is outside 1970-2116 */
	bool		 ts_held;	/* outside 1970-2116 (util.h time_ns()):
					 * ts_ns is clamped; the source keeps the
					 * previous record's time instead */
	uint32_t	 caplen;
	uint32_t	 len;		/* on the wire */
	int		 linktype;	/* DLT_* of the record's interface */
	const uint8_t	*data;
};

enum reader_result {
	READER_RECORD,
	READER_OTHER_FRAME,	/* a record Wireshark numbers as a frame that is
				 * not a packet (pcapng custom, systemd journal
				 * and system call blocks): only counted */
	READER_END,
	READER_DAMAGED,		/* error() says what */
};

/* What a reader is opened on: the content (decompressed), and for
 * libpcap's fast path the path of a plain regular file. */
struct reader_input {
	struct rd_in	*in;
	const char	*path;		/* NULL unless a plain regular file */
	bool		 is_stdin;
};

/* What a reader learns when it opens a capture. */
struct reader_info {
	int		 linktype;	/* DLT_* of the first interface */
	int		 ts_digits;	/* 6 or 9: the (first interface's) resolution */
};

struct reader;	/* each reader's own state */

struct reader_ops {
	const char	*name;
	/* Does the content starting with head (len bytes, all there is when
	 * short) belong to this reader? */
	bool		(*probe)(const uint8_t *head, size_t len);
	/* NULL and a message (libpcap's words, for source.c to explain)
	 * when the capture cannot be opened. */
	struct reader	*(*open)(const struct reader_input *ri, struct reader_info *info,
			    char *err, size_t errlen);
	enum reader_result (*next)(struct reader *r, struct reader_rec *rec);
	const char	*(*error)(struct reader *r);
	void		(*close)(struct reader *r);
};

extern const struct reader_ops reader_pcap_ops;
extern const struct reader_ops reader_pcapng_ops;
extern const struct reader_ops reader_libpcap_ops;

/* Shared by the readers: fields in host order, or swapped. */
static inline uint32_t
rd_get32(const uint8_t *p, bool swap)
{
	uint32_t v;

	__builtin_memcpy(&v, p, sizeof(v));	/* host order, as libpcap's fread */
	return swap ? __builtin_bswap32(v) : v;
}

static inline uint16_t
rd_get16(const uint8_t *p, bool swap)
{
	uint16_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap16(v) : v;
}

/* libpcap's reading of a file's link type field: LINKTYPE_ -> DLT_. */
int reader_dlt(uint32_t linktype);
/* The same for
 * the types whose records it hands on untouched; -1 for the others.
 * swapped: the Linux cooked and NFLOG headers are rewritten by libpcap
 * when the file is in the other byte order. */
int reader_verbatim_dlt(uint32_t linktype, bool swapped);
/* libpcap's adjusted snapshot length (0 or too large: the maximum). */
uint32_t reader_snapshot(int dlt, uint32_t snaplen);

#endif /* TCPDISSECT_READER_H */
