/* reader_decompress.c: compressed captures, recognised by their magic and
 * decompressed as a stream below the readers (reader.h), so that every
 * reader reads every compression, from a file or a pipe alike.  Memory is
 * one input chunk and the decompressor's own state (zlib's 32 KiB window,
 * zstd's window of at most 128 MiB as the frame declares, lz4's block of
 * at most 4 MiB); the output goes straight into the stream input's buffer.
 *
 * The decompressor runs on a thread of its own (where threads are), one
 * PUMP_BUF buffer ahead of the readers (two buffers: one filled while the
 * other is read), so decompression and analysis overlap on two cores.
 *
 * Formats this build cannot read (bzip2, xz, zip, or a library missing at
 * configure time) are still recognised, so the message can say what the
 * file is and how to read it. */
#include "config.h"

#include "reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_PTHREAD
#include <pthread.h>
#endif

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

/* What a codec's step did. */
enum dz_step {
	DZ_MORE,	/* inside a member / frame */
	DZ_FRAME_END,	/* a member / frame is complete */
	DZ_ERROR,	/* damaged: the step wrote why in err */
};

struct dz;

/* One codec: step decompresses from src (*in bytes) into dst (*out bytes
 * of room) and sets *in and *out to the bytes consumed and produced. */
struct codec {
	const char	*name;
	enum dz_step	(*step)(struct dz *d, const uint8_t *src, size_t *in, uint8_t *dst,
			    size_t *out, char *err, size_t errlen);
	void		(*end)(struct dz *d);	/* frees the codec's state */
};

/* A decompressor: the source below, its input chunk, one codec. */
struct dz {
	struct byte_source	 base;
	struct byte_source	*under;
	const struct codec	*codec;
	uint8_t			*chunk;
	size_t			 pos, len;	/* unread compressed bytes */
	bool			 under_end;
	bool			 in_frame;	/* inside a member / frame */
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

/* The one read loop of every codec: step until something is produced,
 * the compressed input ends (clean between frames, else cut) or the data
 * is damaged. */
static ptrdiff_t
dz_read(struct byte_source *s, uint8_t *dst, size_t n)
{
	struct dz *d = (struct dz *)s;
	char why[200];

	for (;;) {
		size_t in, out = n;
		enum dz_step st;

		if (!dz_fill(d))
			return -1;
		if (d->pos == d->len) {
			if (!d->in_frame)
				return 0;
			snprintf(s->err, sizeof(s->err), "error reading dump file: the %s data "
			    "ends early (the file is truncated)", d->codec->name);
			return -1;
		}
		in = d->len - d->pos;
		st = d->codec->step(d, d->chunk + d->pos, &in, dst, &out, why, sizeof(why));
		d->pos += in;
		if (st == DZ_ERROR) {
			snprintf(s->err, sizeof(s->err), "error reading dump file: %s data "
			    "damaged (%s)", d->codec->name, why);
			return -1;
		}
		d->in_frame = st == DZ_MORE;
		if (out > 0)
			return (ptrdiff_t)out;
	}
}

static void
dz_close(struct byte_source *s)
{
	struct dz *d = (struct dz *)s;

	if (d->codec->end != NULL)
		d->codec->end(d);
	d->under->close(d->under);
	free(d->chunk);
	free(d);
}

/* A decompressor of size bytes (a struct starting with struct dz) over
 * under, taken over; NULL and a message when out of memory.  The codec's
 * state is set up by the caller, which calls dz_close on failure. */
static struct dz *
dz_new(size_t size, struct byte_source *under, const struct codec *codec, char *err,
    size_t errlen)
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
	d->codec = codec;
	d->base.read = dz_read;
	d->base.close = dz_close;
	return d;
}

/* The codec's state could not be made: free what dz_new made. */
static struct byte_source *
dz_fail(struct dz *d, char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	dz_close(&d->base);
	return NULL;
}

/* ---- the decompressor's thread ----------------------------------------- */
#ifdef HAVE_PTHREAD
#define PUMP_BUF	(1u << 20)	/* decompressed bytes handed over at a time */

/* under, read on a thread into two buffers taken in turn. */
struct pump {
	struct byte_source	 base;
	struct byte_source	*under;
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	uint8_t			*buf[2];
	size_t			 len[2];
	bool			 full[2];	/* filled, not yet read out */
	bool			 ended;		/* no buffer comes after the full ones */
	bool			 failed;	/* ... because under failed (message in err) */
	bool			 stop;		/* closing: the thread leaves */
	unsigned		 rd;		/* the buffer read from */
	size_t			 off;		/* bytes of it read */
};

static void *
pump_thread(void *arg)
{
	struct pump *p = arg;
	unsigned wr = 0;
	int old;

	/* Cancelled (by pump_close) only while reading: a pipe may keep it
	 * waiting there after the readers are done (-c). */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	for (;;) {
		size_t got = 0;
		ptrdiff_t r = 1;

		pthread_mutex_lock(&p->mu);
		while (p->full[wr] && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (p->stop)
			return NULL;
		/* under's own words: the buffer is ours until marked full */
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
		while (got < PUMP_BUF && (r = p->under->read(p->under, p->buf[wr] + got,
		    PUMP_BUF - got)) > 0)
			got += (size_t)r;
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
		pthread_mutex_lock(&p->mu);
		p->len[wr] = got;
		p->full[wr] = got > 0;
		if (r <= 0) {
			p->ended = true;
			p->failed = r < 0;
			if (r < 0)
				memcpy(p->base.err, p->under->err, sizeof(p->base.err));
		}
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (r <= 0)
			return NULL;
		wr ^= 1u;
	}
}

static ptrdiff_t
pump_read(struct byte_source *s, uint8_t *dst, size_t n)
{
	struct pump *p = (struct pump *)s;
	size_t k;

	pthread_mutex_lock(&p->mu);
	while (!p->full[p->rd] && !p->ended)
		pthread_cond_wait(&p->cv, &p->mu);
	if (!p->full[p->rd]) {
		pthread_mutex_unlock(&p->mu);
		return p->failed ? -1 : 0;
	}
	pthread_mutex_unlock(&p->mu);
	k = p->len[p->rd] - p->off;
	if (k > n)
		k = n;
	memcpy(dst, p->buf[p->rd] + p->off, k);
	p->off += k;
	if (p->off == p->len[p->rd]) {
		pthread_mutex_lock(&p->mu);
		p->full[p->rd] = false;
		p->rd ^= 1u;
		p->off = 0;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return (ptrdiff_t)k;
}

static void
pump_close(struct byte_source *s)
{
	struct pump *p = (struct pump *)s;

	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_cancel(p->thread);	/* acts only inside its read loop */
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	p->under->close(p->under);
	free(p->buf[0]);
	free(p->buf[1]);
	free(p);
}

/* s on a thread of its own; s itself (read inline) when no thread or
 * memory can be had. */
static struct byte_source *
pumped(struct byte_source *s)
{
	struct pump *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return s;
	p->buf[0] = malloc(PUMP_BUF);
	p->buf[1] = malloc(PUMP_BUF);
	if (p->buf[0] == NULL || p->buf[1] == NULL)
		goto inline_read;
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		goto inline_read;
	if (pthread_cond_init(&p->cv, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		goto inline_read;
	}
	p->under = s;
	p->base.read = pump_read;
	p->base.close = pump_close;
	if (pthread_create(&p->thread, NULL, pump_thread, p) != 0) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		goto inline_read;
	}
	return &p->base;
inline_read:
	free(p->buf[0]);
	free(p->buf[1]);
	free(p);
	return s;
}
#else
static struct byte_source *
pumped(struct byte_source *s)
{
	return s;
}
#endif

/* ---- gzip (zlib) ------------------------------------------------------ */
#ifdef HAVE_ZLIB
struct gz {
	struct dz	 d;
	z_stream	 z;
	bool		 ready;		/* inflateInit2 succeeded */
};

static enum dz_step
gz_step(struct dz *d, const uint8_t *src, size_t *in, uint8_t *dst, size_t *out, char *err,
    size_t errlen)
{
	struct gz *g = (struct gz *)d;
	int rc;

	if (!d->in_frame && inflateReset(&g->z) != Z_OK) {	/* gzip files concatenate */
		*in = *out = 0;
		snprintf(err, errlen, "inflateReset failed");
		return DZ_ERROR;
	}
	g->z.next_in = (Bytef *)(uintptr_t)src;
	g->z.avail_in = *in > UINT32_MAX ? UINT32_MAX : (uInt)*in;
	g->z.next_out = dst;
	g->z.avail_out = *out > UINT32_MAX ? UINT32_MAX : (uInt)*out;
	*in = g->z.avail_in;
	*out = g->z.avail_out;
	rc = inflate(&g->z, Z_NO_FLUSH);
	*in -= g->z.avail_in;
	*out -= g->z.avail_out;
	if (rc == Z_STREAM_END)
		return DZ_FRAME_END;
	if (rc == Z_OK || rc == Z_BUF_ERROR)
		return DZ_MORE;
	snprintf(err, errlen, "%s", g->z.msg != NULL ? g->z.msg : "inflate failed");
	return DZ_ERROR;
}

static void
gz_end(struct dz *d)
{
	struct gz *g = (struct gz *)d;

	if (g->ready)
		inflateEnd(&g->z);
}

static const struct codec gzip_codec = { "gzip", gz_step, gz_end };

static struct byte_source *
gz_wrap(struct byte_source *under, char *err, size_t errlen)
{
	struct gz *g = (struct gz *)dz_new(sizeof(*g), under, &gzip_codec, err, errlen);

	if (g == NULL)
		return NULL;
	if (inflateInit2(&g->z, 15 + 16) != Z_OK)	/* gzip wrapper only */
		return dz_fail(&g->d, err, errlen);
	g->ready = true;
	return pumped(&g->d.base);
}
#endif

/* ---- zstd ------------------------------------------------------------- */
#ifdef HAVE_ZSTD
struct zs {
	struct dz	 d;
	ZSTD_DStream	*z;
};

static enum dz_step
zs_step(struct dz *d, const uint8_t *src, size_t *in, uint8_t *dst, size_t *out, char *err,
    size_t errlen)
{
	struct zs *z = (struct zs *)d;
	ZSTD_outBuffer ob = { dst, *out, 0 };
	ZSTD_inBuffer ib = { src, *in, 0 };
	size_t rc = ZSTD_decompressStream(z->z, &ob, &ib);

	*in = ib.pos;
	*out = ob.pos;
	if (ZSTD_isError(rc)) {
		snprintf(err, errlen, "%s", ZSTD_getErrorName(rc));
		return DZ_ERROR;
	}
	return rc == 0 ? DZ_FRAME_END : DZ_MORE;
}

static void
zs_end(struct dz *d)
{
	ZSTD_freeDStream(((struct zs *)d)->z);
}

static const struct codec zstd_codec = { "zstd", zs_step, zs_end };

static struct byte_source *
zs_wrap(struct byte_source *under, char *err, size_t errlen)
{
	struct zs *z = (struct zs *)dz_new(sizeof(*z), under, &zstd_codec, err, errlen);

	if (z == NULL)
		return NULL;
	z->z = ZSTD_createDStream();
	if (z->z == NULL ||
	    ZSTD_isError(ZSTD_DCtx_setParameter(z->z, ZSTD_d_windowLogMax, ZSTD_MAX_WINDOW_LOG)))
		return dz_fail(&z->d, err, errlen);
	return pumped(&z->d.base);
}
#endif

/* ---- lz4 frame format ------------------------------------------------- */
#ifdef HAVE_LZ4
struct l4 {
	struct dz			 d;
	LZ4F_decompressionContext_t	 z;
};

static enum dz_step
l4_step(struct dz *d, const uint8_t *src, size_t *in, uint8_t *dst, size_t *out, char *err,
    size_t errlen)
{
	size_t rc = LZ4F_decompress(((struct l4 *)d)->z, dst, out, src, in, NULL);

	if (LZ4F_isError(rc)) {
		snprintf(err, errlen, "%s", LZ4F_getErrorName(rc));
		return DZ_ERROR;
	}
	return rc == 0 ? DZ_FRAME_END : DZ_MORE;
}

static void
l4_end(struct dz *d)
{
	LZ4F_freeDecompressionContext(((struct l4 *)d)->z);	/* NULL is fine */
}

static const struct codec lz4_codec = { "lz4", l4_step, l4_end };

static struct byte_source *
l4_wrap(struct byte_source *under, char *err, size_t errlen)
{
	struct l4 *l = (struct l4 *)dz_new(sizeof(*l), under, &lz4_codec, err, errlen);

	if (l == NULL)
		return NULL;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&l->z, LZ4F_VERSION)))
		return dz_fail(&l->d, err, errlen);
	return pumped(&l->d.base);
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
