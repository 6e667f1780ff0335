/* reader_decompress.c: compressed captures, recognised by their magic and
 * decompressed as a stream below the readers (reader.h), so that every
 * reader reads every compression, from a file or a pipe alike.  Memory is
 * one input chunk and the decompressor's own state (zlib's 32 KiB window,
 * zstd's window of at most 128 MiB as the frame declares, lz4's block of
 * at most 4 MiB); the output goes straight into the stream input's buffer.
 *
 * Formats this build cannot read (bzip2, xz, zip, or a library missing at
 * configure time) are still recognised, so the message can say what the
 * file is and how to read it. */
#include "config.h"

#include "reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif
#ifdef HAVE_LZ4
#include <lz4frame.h>
#endif

#define CHUNK		(128u << 10)	/* compressed bytes read at a time */
#define ZSTD_MAX_WINDOW_LOG 27		/* zstd's default limit: 128 MiB */

/* What every decompressor shares: the source below and its input chunk. */
struct dz {
	struct byte_source	 base;
	struct byte_source	*under;
	uint8_t			*chunk;
	size_t			 pos, len;	/* unread compressed bytes */
	bool			 under_end;
	bool			 in_frame;	/* inside a member / frame */
	const char		*name;
};

/* Refill the chunk when it is used up; false on a read error (message
 * copied).  At the end of the source under_end is set. */
static bool
dz_fill(struct dz *d)
{
	ptrdiff_t r;

	if (d->pos < d->len || d->under_end)
		return true;
	r = d->under->read(d->under, d->chunk, CHUNK);
	if (r < 0) {
		snprintf(d->base.err, sizeof(d->base.err), "%s", d->under->err);
		return false;
	}
	d->pos = 0;
	d->len = (size_t)r;
	d->under_end = r == 0;
	return true;
}

/* The end of the compressed input: clean between frames, else cut. */
static ptrdiff_t
dz_end(struct dz *d, size_t produced)
{
	if (produced > 0)
		return (ptrdiff_t)produced;
	if (!d->in_frame)
		return 0;
	snprintf(d->base.err, sizeof(d->base.err), "error reading dump file: the %s data "
	    "ends early (the file is truncated)", d->name);
	return -1;
}

static struct dz *
dz_new(size_t size, struct byte_source *under, const char *name, char *err, size_t errlen)
{
	struct dz *d = calloc(1, size);

	if (d != NULL && (d->chunk = malloc(CHUNK)) == NULL) {
		free(d);
		d = NULL;
	}
	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		under->close(under);
		return NULL;
	}
	d->under = under;
	d->name = name;
	return d;
}

static void
dz_free(struct dz *d)
{
	d->under->close(d->under);
	free(d->chunk);
	free(d);
}

/* ---- gzip (zlib) ------------------------------------------------------ */
#ifdef HAVE_ZLIB
struct gz {
	struct dz	 d;
	z_stream	 z;
};

static ptrdiff_t
gz_read(struct byte_source *s, uint8_t *dst, size_t n)
{
	struct gz *g = (struct gz *)s;
	size_t produced = 0;

	if (n > UINT32_MAX)
		n = UINT32_MAX;
	while (produced == 0) {
		int rc;

		if (!dz_fill(&g->d))
			return -1;
		if (g->d.pos == g->d.len)
			return dz_end(&g->d, produced);
		if (!g->d.in_frame) {		/* a new member (gzip files concatenate) */
			if (inflateReset(&g->z) != Z_OK)
				goto damaged;
			g->d.in_frame = true;
		}
		g->z.next_in = g->d.chunk + g->d.pos;
		g->z.avail_in = (uInt)(g->d.len - g->d.pos);
		g->z.next_out = dst;
		g->z.avail_out = (uInt)n;
		rc = inflate(&g->z, Z_NO_FLUSH);
		g->d.pos = g->d.len - g->z.avail_in;
		produced = n - g->z.avail_out;
		if (rc == Z_STREAM_END)
			g->d.in_frame = false;
		else if (rc != Z_OK && rc != Z_BUF_ERROR)
			goto damaged;
	}
	return (ptrdiff_t)produced;
damaged:
	snprintf(s->err, sizeof(s->err), "error reading dump file: gzip data damaged (%s)",
	    g->z.msg != NULL ? g->z.msg : "inflate failed");
	return -1;
}

static void
gz_close(struct byte_source *s)
{
	struct gz *g = (struct gz *)s;

	inflateEnd(&g->z);
	dz_free(&g->d);
}

static struct byte_source *
gz_wrap(struct byte_source *under, char *err, size_t errlen)
{
	struct gz *g = (struct gz *)dz_new(sizeof(*g), under, "gzip", err, errlen);

	if (g == NULL)
		return NULL;
	if (inflateInit2(&g->z, 15 + 16) != Z_OK) {	/* gzip wrapper only */
		snprintf(err, errlen, "out of memory");
		dz_free(&g->d);
		return NULL;
	}
	g->d.base.read = gz_read;
	g->d.base.close = gz_close;
	return &g->d.base;
}
#endif

/* ---- zstd ------------------------------------------------------------- */
#ifdef HAVE_ZSTD
struct zs {
	struct dz	 d;
	ZSTD_DStream	*z;
};

static ptrdiff_t
zs_read(struct byte_source *s, uint8_t *dst, size_t n)
{
	struct zs *z = (struct zs *)s;
	ZSTD_outBuffer out = { dst, n, 0 };

	while (out.pos == 0) {
		ZSTD_inBuffer in;
		size_t rc;

		if (!dz_fill(&z->d))
			return -1;
		if (z->d.pos == z->d.len)
			return dz_end(&z->d, out.pos);
		in.src = z->d.chunk;
		in.size = z->d.len;
		in.pos = z->d.pos;
		rc = ZSTD_decompressStream(z->z, &out, &in);
		z->d.pos = in.pos;
		if (ZSTD_isError(rc)) {
			snprintf(s->err, sizeof(s->err), "error reading dump file: zstd data "
			    "damaged (%s)", ZSTD_getErrorName(rc));
			return -1;
		}
		z->d.in_frame = rc != 0;	/* 0: a frame is complete */
	}
	return (ptrdiff_t)out.pos;
}

static void
zs_close(struct byte_source *s)
{
	struct zs *z = (struct zs *)s;

	ZSTD_freeDStream(z->z);
	dz_free(&z->d);
}

static struct byte_source *
zs_wrap(struct byte_source *under, char *err, size_t errlen)
{
	struct zs *z = (struct zs *)dz_new(sizeof(*z), under, "zstd", err, errlen);

	if (z == NULL)
		return NULL;
	z->z = ZSTD_createDStream();
	if (z->z == NULL ||
	    ZSTD_isError(ZSTD_DCtx_setParameter(z->z, ZSTD_d_windowLogMax, ZSTD_MAX_WINDOW_LOG))) {
		snprintf(err, errlen, "out of memory");
		ZSTD_freeDStream(z->z);
		dz_free(&z->d);
		return NULL;
	}
	z->d.base.read = zs_read;
	z->d.base.close = zs_close;
	return &z->d.base;
}
#endif

/* ---- lz4 frame format ------------------------------------------------- */
#ifdef HAVE_LZ4
struct l4 {
	struct dz			 d;
	LZ4F_decompressionContext_t	 z;
};

static ptrdiff_t
l4_read(struct byte_source *s, uint8_t *dst, size_t n)
{
	struct l4 *l = (struct l4 *)s;
	size_t produced = 0;

	while (produced == 0) {
		size_t out = n, in, rc;

		if (!dz_fill(&l->d))
			return -1;
		if (l->d.pos == l->d.len)
			return dz_end(&l->d, produced);
		in = l->d.len - l->d.pos;
		rc = LZ4F_decompress(l->z, dst, &out, l->d.chunk + l->d.pos, &in, NULL);
		l->d.pos += in;
		produced = out;
		if (LZ4F_isError(rc)) {
			snprintf(s->err, sizeof(s->err), "error reading dump file: lz4 data "
			    "damaged (%s)", LZ4F_getErrorName(rc));
			return -1;
		}
		l->d.in_frame = rc != 0;	/* 0: a frame is complete */
	}
	return (ptrdiff_t)produced;
}

static void
l4_close(struct byte_source *s)
{
	struct l4 *l = (struct l4 *)s;

	LZ4F_freeDecompressionContext(l->z);
	dz_free(&l->d);
}

static struct byte_source *
l4_wrap(struct byte_source *under, char *err, size_t errlen)
{
	struct l4 *l = (struct l4 *)dz_new(sizeof(*l), under, "lz4", err, errlen);

	if (l == NULL)
		return NULL;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&l->z, LZ4F_VERSION))) {
		snprintf(err, errlen, "out of memory");
		dz_free(&l->d);
		return NULL;
	}
	l->d.base.read = l4_read;
	l->d.base.close = l4_close;
	return &l->d.base;
}
#endif

/* ---- the table -------------------------------------------------------- */

static const struct {
	uint8_t			magic[6];
	size_t			len;
	struct compression	c;
} formats[] = {
	{ { 0x1f, 0x8b }, 2, { "gzip", "gzip -dc",
#ifdef HAVE_ZLIB
	    gz_wrap
#else
	    NULL
#endif
	} },
	{ { 0x28, 0xb5, 0x2f, 0xfd }, 4, { "zstd", "zstd -dc",
#ifdef HAVE_ZSTD
	    zs_wrap
#else
	    NULL
#endif
	} },
	{ { 0x04, 0x22, 0x4d, 0x18 }, 4, { "lz4", "lz4 -dc",
#ifdef HAVE_LZ4
	    l4_wrap
#else
	    NULL
#endif
	} },
	{ { 0x02, 0x21, 0x4c, 0x18 }, 4, { "lz4 (legacy format)", "lz4 -dc", NULL } },
	{ { 'B', 'Z', 'h' }, 3, { "bzip2", "bzip2 -dc", NULL } },
	{ { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, { "xz", "xz -dc", NULL } },
	{ { 'P', 'K', 0x03, 0x04 }, 4, { "zip", "unzip -p", NULL } },
};

const struct compression *
compression_detect(const uint8_t *head, size_t len)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (len >= formats[i].len && memcmp(head, formats[i].magic, formats[i].len) == 0)
			return &formats[i].c;
	return NULL;
}

const char *
compression_built(void)
{
	return ""
#ifdef HAVE_ZLIB
	    " gzip"
#endif
#ifdef HAVE_ZSTD
	    " zstd"
#endif
#ifdef HAVE_LZ4
	    " lz4"
#endif
	    ;
}
