/* reader_input.c: the byte input under the readers (reader.h).
 *
 * Every input (a regular file, a pipe, standard input, a decompressor) is
 * read with large reads into one reused buffer, and records are handed on
 * where they lie in it: one copy of each byte (the kernel's), where
 * libpcap's stdio path makes two (stdio's buffer, then fread into the
 * record buffer).  A mapped window was measured against it on the
 * benchmark capture (doc/performance.md): the page faults of mapping cost
 * more than the copy. */
#include "config.h"

#include "reader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The buffer.  A pipe gives at most its capacity (64 KiB by default)
 * per read; a regular file and a decompressor fill what they are given.
 * Only a record larger than it makes it grow (the readers bound their
 * records). */
#define STREAM_BUF	(256u << 10)

bool
in_open_stream(struct rd_in *in, struct byte_source *src, char *err, size_t errlen)
{
	memset(in, 0, sizeof(*in));
	in->src = src;
	in->cap = STREAM_BUF;
	in->buf = malloc(in->cap);
	if (in->buf == NULL) {
		snprintf(err, errlen, "out of memory");
		src->close(src);
		in->src = NULL;
		return false;
	}
	in->cur = in->end = in->buf;
	return true;
}

void
in_close(struct rd_in *in)
{
	if (in->src != NULL)
		in->src->close(in->src);
	free(in->buf);
	memset(in, 0, sizeof(*in));
}

uint64_t
in_offset(const struct rd_in *in)
{
	return in->consumed + (uint64_t)(in->cur - in->buf);
}

ptrdiff_t
in_reach_slow(struct rd_in *in, size_t n)
{
	size_t have = (size_t)(in->end - in->cur);

	if (have >= n)
		return (ptrdiff_t)n;
	if (in->eof)
		return (ptrdiff_t)have;
	in->consumed += (uint64_t)(in->cur - in->buf);
	if (n > in->cap) {
		size_t cap = n + (n >> 2);
		uint8_t *b = malloc(cap);

		if (b == NULL) {
			snprintf(in->err, sizeof(in->err), "out of memory for a record of %zu "
			    "bytes", n);
			return -1;
		}
		memcpy(b, in->cur, have);
		free(in->buf);
		in->buf = b;
		in->cap = cap;
	} else if (in->cur != in->buf) {
		memmove(in->buf, in->cur, have);
	}
	in->cur = in->buf;
	in->end = in->buf + have;
	while (have < n) {
		ptrdiff_t r = in->src->read(in->src, in->buf + have, in->cap - have);

		if (r < 0) {
			snprintf(in->err, sizeof(in->err), "%s", in->src->err);
			return -1;
		}
		if (r == 0) {
			in->eof = true;
			break;
		}
		have += (size_t)r;
		in->end = in->buf + have;
	}
	return (ptrdiff_t)(have < n ? have : n);
}

ptrdiff_t
in_read(struct rd_in *in, uint8_t *dst, size_t n)
{
	size_t have = (size_t)(in->end - in->cur);

	if (have == 0) {
		ptrdiff_t r = in_reach_slow(in, n < 4096 ? n : 4096);

		if (r <= 0)
			return r;
		have = (size_t)(in->end - in->cur);
	}
	if (have > n)
		have = n;
	memcpy(dst, in->cur, have);
	in->cur += have;
	return (ptrdiff_t)have;
}

/* ---- a file descriptor as a byte source ------------------------------- */

struct fd_source {
	struct byte_source	 base;
	int			 fd;
	uint8_t			 head[16];
	size_t			 headlen, headpos;
};

static ptrdiff_t
fd_read(struct byte_source *s, uint8_t *dst, size_t n)
{
	struct fd_source *f = (struct fd_source *)s;
	ssize_t r;

	if (f->headpos < f->headlen) {
		size_t k = f->headlen - f->headpos;

		if (k > n)
			k = n;
		memcpy(dst, f->head + f->headpos, k);
		f->headpos += k;
		return (ptrdiff_t)k;
	}
	do
		r = read(f->fd, dst, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		snprintf(s->err, sizeof(s->err), "error reading dump file: %s", strerror(errno));
	return (ptrdiff_t)r;
}

static void
fd_close(struct byte_source *s)
{
	struct fd_source *f = (struct fd_source *)s;

	if (f->fd > 0)
		close(f->fd);
	free(f);
}

struct byte_source *
fd_source(int fd, const uint8_t *head, size_t headlen)
{
	struct fd_source *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->base.read = fd_read;
	f->base.close = fd_close;
	f->fd = fd;
	if (headlen > sizeof(f->head))
		headlen = sizeof(f->head);
	memcpy(f->head, head, headlen);
	f->headlen = headlen;
	return &f->base;
}
