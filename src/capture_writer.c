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

#include <pcap/pcap.h>

#include "reader.h"
#include "util.h"

struct capture_writer {
	char		*path;		/* as the user named it, for messages */
	char		*target;	/* where it ends up (symlinks resolved) */
	char		*tmp;		/* the file written, renamed to target at
					 * the end; NULL: written in place */
	FILE		*f;		/* until the dumper takes it */
	pcap_t		*dead;		/* link type of the output */
	pcap_dumper_t	*dumper;
	bool		 failed;
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

static bool
writer_start(struct capture_writer *w, int linktype, const char *input)
{
	if (w->dumper != NULL) {
		if (pcap_datalink(w->dead) == linktype)
			return true;
		diag(input, "warning: -w: link type %d differs from the first input's %d; "
		    "its packets are not written", linktype, pcap_datalink(w->dead));
		return false;
	}
	w->dead = pcap_open_dead_with_tstamp_precision(linktype, 262144,
	    PCAP_TSTAMP_PRECISION_NANO);
	if (w->dead == NULL) {
		diag(w->path, "cannot write: out of memory");
		w->failed = true;
		return false;
	}
	w->dumper = pcap_dump_fopen(w->dead, w->f);
	if (w->dumper == NULL) {
		diag(w->path, "cannot write: %s", pcap_geterr(w->dead));
		w->failed = true;
		return false;
	}
	w->f = NULL;	/* the dumper's now */
	return true;
}

enum source_status
capture_writer_flagged(struct capture_writer *w, const char *path, const struct input_info *in,
    const struct source_opts *o, struct pipeline *replay, const struct pipeline *first)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	bool have_prog = false, writing;
	struct pcap_pkthdr *h;
	const u_char *data;
	struct packet pkt;
	pcap_t *pc;
	int rc;

	if (w->failed)
		return SOURCE_OPEN_FAILED;
	if (!pipeline_any_flagged(first) && w->dumper != NULL)
		return SOURCE_OK;		/* nothing of this input to write */
	errbuf[0] = '\0';
	pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (pc == NULL) {
		diag(path, "-w: cannot read it again: %s", errbuf);
		return SOURCE_OPEN_FAILED;
	}
	writing = writer_start(w, pcap_datalink(pc), path);
	if (!writing || !pipeline_any_flagged(first)) {
		pcap_close(pc);
		return w->failed ? SOURCE_OPEN_FAILED : SOURCE_OK;
	}
	if (o->filter != NULL) {
		if (pcap_compile(pc, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			pcap_close(pc);
			return SOURCE_BAD_FILTER;
		}
		have_prog = true;
	}
	pipeline_begin_input(replay, in);
	memset(&pkt, 0, sizeof(pkt));
	pkt.file_index = in->index;
	pkt.linktype = pcap_datalink(pc);
	/* The same packets as the first pass, in the same order, so the
	 * replay numbers every stream as the first pass did. */
	while (pkt.frame < in->frames_read) {
		int64_t stream;

		rc = pcap_next_ex(pc, &h, &data);
		if (rc == PCAP_ERROR_BREAK || rc == PCAP_ERROR)
			break;
		if (rc != 1)
			continue;
		pkt.frame++;
		{
			int64_t ts;
			bool held;

			(void)record_ts(h, &ts, &held);
			if (!held || pkt.frame == 1)
				pkt.ts_ns = ts;
		}
		pkt.caplen = h->caplen;
		pkt.wirelen = h->len;
		pkt.bytes = data;
		if (have_prog && pcap_offline_filter(&prog, h, data) == 0) {
			pipeline_packet_unmatched(replay, &pkt);
			continue;
		}
		stream = pipeline_packet(replay, &pkt);
		if (stream >= 0 && pipeline_stream_flagged(first, (uint32_t)stream))
			pcap_dump((u_char *)w->dumper, h, data);
	}
	pipeline_end_input(replay);
	if (have_prog)
		pcap_freecode(&prog);
	pcap_close(pc);
	return SOURCE_OK;
}

bool
capture_writer_close(struct capture_writer *w, bool keep)
{
	bool ok = !w->failed;
	FILE *f = w->f;

	if (w->dumper != NULL) {
		f = pcap_dump_file(w->dumper);
		if (pcap_dump_flush(w->dumper) != 0 || ferror(f) ||
		    (w->tmp != NULL && fsync(fileno(f)) != 0)) {
			if (keep)
				diag(w->path, "cannot write: %s", strerror(errno));
			ok = false;
		}
		pcap_dump_close(w->dumper);	/* closes f */
	} else if (f != NULL) {
		fclose(f);
	}
	if (w->dead != NULL)
		pcap_close(w->dead);
	if (w->tmp != NULL) {
		/* Only a complete capture takes the final name; nothing was
		 * written (no input could be read) leaves it as it was. */
		if (keep && ok && w->dumper != NULL) {
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
