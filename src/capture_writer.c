/* capture_writer.c: -w, the packets of flagged connections
 * (capture_writer.h). */
#include "config.h"

#include "capture_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader.h"
#include "util.h"

#define MAX_OUT_IFS	64u	/* link types one pcapng output holds */

struct capture_writer {
	char		*path;		/* as the user named it, for messages */
	char		*target;	/* where it ends up (symlinks resolved) */
	char		*tmp;		/* the file written, renamed to target at
					 * the end; NULL: written in place */
	FILE		*f;
	bool		 started;	/* the header is written */
	bool		 pcapng;	/* the output format (the first input's) */
	int		 dlt;		/* the first input's link type */
	int		 ifs[MAX_OUT_IFS];	/* pcapng: the link type of each interface */
	unsigned	 nifs;
	bool		 failed;
	int		 errnum;	/* why it failed */
};

/* ---- opening an output safely ------------------------------------------
 *
 * A symlink as the last component is followed only when the user made it
 * on purpose, by the rule of Linux's fs.protected_symlinks: it belongs to
 * whoever writes (after -Z, the new user) or to the owner of its
 * directory.  One planted by someone else in a shared directory (/tmp) is
 * refused, so an output cannot be aimed at another file by a third
 * party.  The file is then opened with O_NOFOLLOW at its resolved path. */
static char *
resolve_output(const char *path, struct stat *st, bool *exists, char *err, size_t len)
{
	struct stat lst, dst;
	char *copy, *dir, *res;

	*exists = false;
	if (lstat(path, &lst) != 0) {
		if (errno != ENOENT) {
			snprintf(err, len, "%s", strerror(errno));
			return NULL;
		}
		res = strdup(path);
		if (res == NULL)
			snprintf(err, len, "out of memory");
		return res;
	}
	if (S_ISLNK(lst.st_mode)) {
		copy = strdup(path);
		if (copy == NULL) {
			snprintf(err, len, "out of memory");
			return NULL;
		}
		dir = dirname(copy);
		if (stat(dir, &dst) != 0 ||
		    (lst.st_uid != geteuid() && lst.st_uid != dst.st_uid)) {
			free(copy);
			snprintf(err, len, "refusing to follow a symlink owned by another user "
			    "(uid %u)", (unsigned)lst.st_uid);
			return NULL;
		}
		free(copy);
		res = realpath(path, NULL);
		if (res == NULL && errno == ENOENT) {
			/* a dangling link: create what it names */
			char buf[PATH_MAX];
			ssize_t n = readlink(path, buf, sizeof(buf) - 1);

			if (n <= 0 || buf[0] != '/') {
				snprintf(err, len, "a dangling relative symlink");
				return NULL;
			}
			buf[n] = '\0';
			res = strdup(buf);
		}
		if (res == NULL) {
			snprintf(err, len, "%s", strerror(errno));
			return NULL;
		}
	} else {
		res = strdup(path);
		if (res == NULL) {
			snprintf(err, len, "out of memory");
			return NULL;
		}
	}
	if (lstat(res, st) == 0) {
		if (S_ISLNK(st->st_mode)) {
			snprintf(err, len, "the symlink changed while it was resolved");
			free(res);
			return NULL;
		}
		if (S_ISDIR(st->st_mode)) {
			snprintf(err, len, "is a directory");
			free(res);
			return NULL;
		}
		*exists = true;
	}
	return res;
}

FILE *
capture_output_fopen(const char *path, char *err, size_t len)
{
	struct stat st;
	bool exists;
	char *target;
	int fd;
	FILE *f;

	if (strcmp(path, "-") == 0) {
		/* a copy of stdout, so that closing the capture leaves stdout */
		fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
	} else {
		target = resolve_output(path, &st, &exists, err, len);
		if (target == NULL)
			return NULL;
		fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
		free(target);
	}
	if (fd < 0) {
		snprintf(err, len, "%s", strerror(errno));
		return NULL;
	}
	f = fdopen(fd, "wb");
	if (f == NULL) {
		snprintf(err, len, "%s", strerror(errno));
		close(fd);
	}
	return f;
}

/* An interrupted run (SIGINT, SIGTERM, SIGHUP) takes its temporary file
 * with it; the final name is untouched. */
static char signal_tmp[PATH_MAX];
static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void
on_fatal_signal(int sig)
{
	if (signal_tmp[0] != '\0')
		unlink(signal_tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
guard_tmp(const char *tmp)
{
	size_t i;

	if (tmp != NULL && strlen(tmp) < sizeof(signal_tmp)) {
		strcpy(signal_tmp, tmp);
		for (i = 0; i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++)
			signal(cleanup_signals[i], on_fatal_signal);
	} else if (tmp == NULL && signal_tmp[0] != '\0') {
		for (i = 0; i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++)
			signal(cleanup_signals[i], SIG_DFL);
		signal_tmp[0] = '\0';
	}
}

/* Is target (st: its stat) one of the inputs? */
static bool
is_an_input(const struct stat *st, const char *const *inputs, unsigned ninputs)
{
	struct stat ist;
	unsigned i;

	for (i = 0; i < ninputs; i++)
		if (strcmp(inputs[i], "-") != 0 && stat(inputs[i], &ist) == 0 &&
		    ist.st_dev == st->st_dev && ist.st_ino == st->st_ino)
			return true;
	return false;
}

/* The flagged connections are known only at the end of an input, so -w
 * reads each input a second time: a pipe, a FIFO or standard input cannot
 * be (tcpdump -w writes every packet as it comes; tcpdissect writes only
 * those of connections whose trouble may show late). */
static bool
inputs_rereadable(const char *const *inputs, unsigned ninputs, char *err, size_t len)
{
	struct stat st;
	unsigned i;

	for (i = 0; i < ninputs; i++)
		if (strcmp(inputs[i], "-") == 0 ||
		    (stat(inputs[i], &st) == 0 && !S_ISREG(st.st_mode))) {
			snprintf(err, len, "writing flagged connections reads each input twice; "
			    "%s cannot be (save it to a file first)",
			    strcmp(inputs[i], "-") == 0 ? "standard input" : inputs[i]);
			return false;
		}
	return true;
}

/* A temporary file beside target, with the mode a new file (or target
 * itself) would have. */
static int
make_tmp(struct capture_writer *w, const struct stat *st, bool exists)
{
	char *copy = strdup(w->target), *dir, *base;
	mode_t mask;
	int fd;

	if (copy == NULL)
		return -1;
	base = strrchr(copy, '/');
	if (base != NULL) {
		*base++ = '\0';
		dir = copy[0] != '\0' ? copy : "/";
	} else {
		base = copy;
		dir = ".";
	}
	if (asprintf(&w->tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
		w->tmp = NULL;
		free(copy);
		return -1;
	}
	free(copy);
	fd = mkostemp(w->tmp, O_CLOEXEC);
	if (fd < 0) {
		free(w->tmp);
		w->tmp = NULL;
		return -1;
	}
	mask = umask(0);
	umask(mask);
	(void)fchmod(fd, exists ? st->st_mode & 07777 : 0666 & ~mask);
	return fd;
}

struct capture_writer *
capture_writer_open(const char *path, const char *const *inputs, unsigned ninputs,
    char *err, size_t len)
{
	struct capture_writer *w = calloc(1, sizeof(*w));
	struct stat st;
	bool exists = false;
	int fd;

	if (w == NULL || (w->path = strdup(path)) == NULL) {
		free(w);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	/* Created now, so that a bad path fails before the analysis; the
	 * pcap header is written once the first input's link type is known. */
	if (!inputs_rereadable(inputs, ninputs, err, len))
		goto fail;
	if (strcmp(path, "-") == 0) {
		w->f = capture_output_fopen(path, err, len);
		if (w->f == NULL)
			goto fail;
		return w;
	}
	w->target = resolve_output(path, &st, &exists, err, len);
	if (w->target == NULL)
		goto fail;
	if (exists && is_an_input(&st, inputs, ninputs)) {
		snprintf(err, len, "is also an input; writing it would destroy it");
		goto fail;
	}
	if (exists && !S_ISREG(st.st_mode)) {
		/* a device or a pipe (/dev/null, a FIFO): written in place */
		w->f = capture_output_fopen(w->target, err, len);
		if (w->f == NULL)
			goto fail;
		return w;
	}
	fd = make_tmp(w, &st, exists);
	if (fd < 0 || (w->f = fdopen(fd, "wb")) == NULL) {
		snprintf(err, len, "%s", strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(w->tmp);
		}
		goto fail;
	}
	guard_tmp(w->tmp);
	return w;
fail:
	free(w->tmp);
	free(w->target);
	free(w->path);
	free(w);
	return NULL;
}

/* ---- the output formats ------------------------------------------------
 *
 * Classic pcap with nanosecond timestamps, as libpcap's dumper writes it,
 * when the first input is classic pcap; pcapng when it is pcapng, so that
 * every interface keeps its link type (one Interface Description Block per
 * link type written, if_tsresol 9, Enhanced Packet Blocks). */

#define OUT_SNAPLEN	262144u

/* A DLT_ value as a file's LINKTYPE_ value (reader_dlt() the other way). */
static uint32_t
linktype_of(int dlt)
{
	static const int from[] = { 100, 101, 102, 103 };

	for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++)
		if (reader_dlt((uint32_t)from[i]) == dlt)
			return (uint32_t)from[i];
	return (uint32_t)dlt;
}

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void
out(struct capture_writer *w, const void *p, size_t n)
{
	if (n > 0 && !w->failed && fwrite(p, 1, n, w->f) != n) {
		w->failed = true;
		w->errnum = errno;
	}
}

/* The file header, or the pcapng section and first interface. */
static void
write_header(struct capture_writer *w, int dlt)
{
	uint8_t h[28];

	if (w->pcapng) {
		put32(h, 0x0a0d0d0au);
		put32(h + 4, 28);
		put32(h + 8, 0x1a2b3c4du);
		put16(h + 12, 1);
		put16(h + 14, 0);
		memset(h + 16, 0xff, 8);	/* section length unknown */
		put32(h + 24, 28);
		out(w, h, 28);
		return;
	}
	put32(h, 0xa1b23c4du);			/* nanosecond timestamps */
	put16(h + 4, 2);
	put16(h + 6, 4);
	memset(h + 8, 0, 8);
	put32(h + 16, OUT_SNAPLEN);
	put32(h + 20, linktype_of(dlt));
	out(w, h, 24);
}

/* The pcapng interface of dlt, its description written the first time;
 * -1 when there are too many. */
static int
interface_of(struct capture_writer *w, int dlt)
{
	uint8_t b[32];
	unsigned i;

	for (i = 0; i < w->nifs; i++)
		if (w->ifs[i] == dlt)
			return (int)i;
	if (w->nifs == MAX_OUT_IFS)
		return -1;
	w->ifs[w->nifs] = dlt;
	put32(b, 1);
	put32(b + 4, 32);
	put16(b + 8, (uint16_t)linktype_of(dlt));
	put16(b + 10, 0);
	put32(b + 12, OUT_SNAPLEN);
	put16(b + 16, 9);			/* if_tsresol: 10^-9 */
	put16(b + 18, 1);
	put32(b + 20, 9);			/* the value and its padding */
	put32(b + 24, 0);			/* opt_endofopt */
	put32(b + 28, 32);
	out(w, b, 32);
	return (int)w->nifs++;
}

static void
write_packet(struct capture_writer *w, const struct packet *pkt)
{
	static const uint8_t pad[4];
	uint64_t ns = pkt->ts_ns < 0 ? 0 : (uint64_t)pkt->ts_ns;
	uint32_t padded = (pkt->caplen + 3u) & ~3u, total = 32u + padded;
	uint8_t h[28];
	int ifc;

	if (!w->pcapng) {
		put32(h, (uint32_t)(ns / 1000000000u));
		put32(h + 4, (uint32_t)(ns % 1000000000u));
		put32(h + 8, pkt->caplen);
		put32(h + 12, pkt->wirelen);
		out(w, h, 16);
		out(w, pkt->bytes, pkt->caplen);
		return;
	}
	ifc = interface_of(w, pkt->linktype);
	if (ifc < 0)
		return;
	put32(h, 6);
	put32(h + 4, total);
	put32(h + 8, (uint32_t)ifc);
	put32(h + 12, (uint32_t)(ns >> 32));
	put32(h + 16, (uint32_t)ns);
	put32(h + 20, pkt->caplen);
	put32(h + 24, pkt->wirelen);
	out(w, h, 28);
	out(w, pkt->bytes, pkt->caplen);
	out(w, pad, padded - pkt->caplen);
	put32(h, total);
	out(w, h, 4);
}

/* ---- the second pass --------------------------------------------------- */

struct replay_ctx {
	struct capture_writer	*w;
	const struct pipeline	*first;
	const char		*input;
	bool			 any;		/* first flagged something */
	bool			 warned;
};

static bool
replay_begin(void *ctx, int dlt)
{
	struct replay_ctx *rc = ctx;
	struct capture_writer *w = rc->w;

	if (!w->started) {
		w->started = true;
		w->dlt = dlt;
		write_header(w, dlt);
		if (w->pcapng)
			(void)interface_of(w, dlt);
	}
	return rc->any && !w->failed;
}

static void
replay_packet(void *ctx, const struct packet *pkt, int64_t stream)
{
	struct replay_ctx *rc = ctx;
	struct capture_writer *w = rc->w;

	if (stream < 0 || !pipeline_stream_flagged(rc->first, (uint32_t)stream))
		return;
	if (!w->pcapng && pkt->linktype != w->dlt) {
		if (!rc->warned)
			diag(rc->input, "warning: -w: link type %d differs from the first "
			    "input's %d; its packets are not written", pkt->linktype, w->dlt);
		rc->warned = true;
		return;
	}
	write_packet(w, pkt);
}

enum source_status
capture_writer_flagged(struct capture_writer *w, const char *path, const struct input_info *in,
    const struct source_opts *o, struct pipeline *replay, const struct pipeline *first)
{
	struct replay_ctx rc = { .w = w, .first = first, .input = path,
	    .any = pipeline_any_flagged(first) };
	struct source_replay rp = { .frames = in->frames_read, .begin = replay_begin,
	    .packet = replay_packet, .ctx = &rc };
	enum source_status st;

	if (w->failed)
		return SOURCE_OPEN_FAILED;
	if (!rc.any && w->started)
		return SOURCE_OK;		/* nothing of this input to write */
	if (!w->started)
		w->pcapng = in->is_pcapng;
	st = source_replay_file(path, in, o->filter, &rp, replay);
	if (w->failed) {
		diag(w->path, "cannot write: %s", strerror(w->errnum));
		return SOURCE_OPEN_FAILED;
	}
	return st == SOURCE_OPEN_FAILED || st == SOURCE_BAD_FILTER ? SOURCE_OPEN_FAILED :
	    SOURCE_OK;
}

bool
capture_writer_close(struct capture_writer *w, bool keep)
{
	bool ok = !w->failed;

	if (w->f != NULL) {
		if (fflush(w->f) != 0 || ferror(w->f) ||
		    (w->tmp != NULL && fsync(fileno(w->f)) != 0)) {
			if (keep && ok)
				diag(w->path, "cannot write: %s", strerror(errno));
			ok = false;
		}
		if (fclose(w->f) != 0 && ok) {
			if (keep)
				diag(w->path, "cannot write: %s", strerror(errno));
			ok = false;
		}
	}
	if (w->tmp != NULL) {
		/* Only a complete capture takes the final name; nothing was
		 * written (no input could be read) leaves it as it was. */
		if (keep && ok && w->started) {
			if (rename(w->tmp, w->target) != 0) {
				diag(w->path, "cannot write: %s", strerror(errno));
				ok = false;
				unlink(w->tmp);
			}
		} else {
			unlink(w->tmp);
		}
		guard_tmp(NULL);
	}
	free(w->tmp);
	free(w->target);
	free(w->path);
	free(w);
	return ok;
}
