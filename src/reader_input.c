/* reader_input.c: the byte input under the readers (reader.h).
 *
 * A regular file is read from a mapped window: reading it through stdio
 * would copy every byte twice (the kernel's into stdio's buffer, then
 * fread's into a record buffer) although the analysis looks at the
 * headers only.  The file is mapped a window at a time, not whole: pages
 * stay mapped (and count in the RSS) until unmapped, and the kernel maps a
 * whole large folio of the page cache (up to 2 MiB) at the first touch.
 *
 * Anything else (a pipe, standard input, a decompressor) is a stream: read
 * with large reads into one reused buffer, which only a record larger than
 * it makes grow (the readers bound their records). */
#include "config.h"

#include "reader.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The window.  Each costs an mmap, a fault and a munmap (about 10 us)
 * besides the per-page work, and all of it is resident while mapped (the
 * kernel maps a large page-cache folio whole at the first touch): 128 KiB
 * is 4,800 windows per 600 MiB, about 50 ms.  (256 KiB windows saved
 * 20 ms more on the benchmark but cost 8 bytes of RSS per tracked
 * connection there, whose budget is 256.)  A record larger than the
 * window gets a window of its own. */
#define WINDOW		(128u << 10)
/* The stream buffer: a pipe gives at most its capacity (64 KiB by
 * default) per read; a decompressor fills what it is given. */
#define STREAM_BUF	(256u << 10)

/* ---- a file cut short under us ----------------------------------------
 *
 * Pages of a mapping beyond the end of a file that shrank after mapping
 * (truncated, overwritten by a new capture) raise SIGBUS where read()
 * would have said EOF; so would an I/O error.  While a window is mapped,
 * a SIGBUS inside it maps zeros over the rest of the window, so that the
 * interrupted read completes, and notes it: in_cut_short() then says so
 * and the source reports the damage instead of the process dying.  (The
 * record being analysed when it happened may be read partly as zeros: it
 * was being cut.) */

static const uint8_t *volatile bus_win;		/* the window being read */
static volatile size_t bus_len;
static volatile sig_atomic_t bus_hit;
static struct sigaction bus_saved;

static void
on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr, w = (uintptr_t)bus_win;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	(void)uc;
	if (w != 0 && a >= w && a < w + bus_len) {
		a &= ~(page - 1);
		if (mmap((void *)a, w + bus_len - a, PROT_READ,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
			bus_hit = 1;
			return;
		}
	}
	/* not ours: what would have happened without us */
	sigaction(sig, &bus_saved, NULL);
	raise(sig);
}

static void
bus_guard(bool on)
{
	struct sigaction sa;

	if (on) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigbus;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGBUS, &sa, &bus_saved);
	} else {
		sigaction(SIGBUS, &bus_saved, NULL);
		bus_win = NULL;
		bus_len = 0;
	}
	bus_hit = 0;
}

bool
in_cut_short(const struct rd_in *in)
{
	return in->mapped && bus_hit;
}

static void
unmap_window(struct rd_in *in)
{
	bus_win = NULL;
	if (in->win != NULL)
		munmap((void *)in->win, in->win_len);
	in->win = NULL;
	in->win_len = 0;
}

/* Map the window that holds [off, off + need), as far as the file goes.
 * False (errno set) when mmap fails. */
static bool
map_window(struct rd_in *in, size_t off, size_t need)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t base = off & ~(page - 1), len = WINDOW;
	void *w;

	if (len < off - base + need)
		len = off - base + need;
	if (len > in->size - base)
		len = in->size - base;
	unmap_window(in);
	w = mmap(NULL, len, PROT_READ, MAP_SHARED, in->fd, (off_t)base);
	if (w == MAP_FAILED)
		return false;
	/* Read ahead generously on a cold cache; nothing is read twice. */
	(void)madvise(w, len, MADV_SEQUENTIAL);
	in->win = w;
	in->win_off = base;
	in->win_len = len;
	bus_len = len;
	bus_win = w;
	in->cur = in->win + (off - base);
	in->end = in->win + len;
	return true;
}

bool
in_open_mapped(struct rd_in *in, int fd, char *err, size_t errlen)
{
	struct stat st;

	memset(in, 0, sizeof(*in));
	in->fd = fd;
	in->mapped = true;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		close(fd);
		in->fd = -1;
		return false;
	}
	in->size = (size_t)st.st_size;
	bus_guard(true);
	return true;
}

bool
in_open_stream(struct rd_in *in, struct byte_source *src, char *err, size_t errlen)
{
	memset(in, 0, sizeof(*in));
	in->fd = -1;
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
	if (in->mapped) {
		unmap_window(in);
		bus_guard(false);
		if (in->fd >= 0)
			close(in->fd);
	} else {
		if (in->src != NULL)
			in->src->close(in->src);
		free(in->buf);
	}
	memset(in, 0, sizeof(*in));
	in->fd = -1;
}

uint64_t
in_offset(const struct rd_in *in)
{
	if (in->mapped)
		return in->win != NULL ? in->win_off + (size_t)(in->cur - in->win) : 0;
	return in->consumed + (uint64_t)(in->cur - in->buf);
}

static ptrdiff_t
reach_mapped(struct rd_in *in, size_t n)
{
	size_t off = (size_t)in_offset(in);
	struct stat st;

	/* A file still being written may have grown since it was last
	 * measured, as stdio would find reading on. */
	if (in->size - off < n && fstat(in->fd, &st) == 0 && st.st_size > (off_t)in->size)
		in->size = (size_t)st.st_size;
	if (in->size - off < n)
		n = in->size - off;
	if (n > 0 && (in->win == NULL || off + n > in->win_off + in->win_len) &&
	    !map_window(in, off, n)) {
		snprintf(in->err, sizeof(in->err), "error reading dump file: %s",
		    strerror(errno));
		return -1;
	}
	return (ptrdiff_t)n;
}

static ptrdiff_t
reach_stream(struct rd_in *in, size_t n)
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
in_reach_slow(struct rd_in *in, size_t n)
{
	return in->mapped ? reach_mapped(in, n) : reach_stream(in, n);
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
