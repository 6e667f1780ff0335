/* fuzz_common.h: what the fuzz targets share: an input made a file
 * (memfd_create: no disk, a regular file that can be mapped), and
 * standard output caught in another memfd so that a target can check what
 * the program printed.  A failing system call here is the harness's
 * fault, not a finding: it prints why and aborts. */
#ifndef TCPDISSECT_FUZZ_COMMON_H
#define TCPDISSECT_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* libFuzzer ships no C header; declared here for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A macro, not a function, so that the trap's line in the stack trace
 * names the promise that broke. */
#define INVARIANT(cond) do {			\
	if (!(cond))				\
		__builtin_trap();		\
} while (0)

#define FUZZ_REQUIRE(cond, what) do {					\
	if (!(cond)) {							\
		perror("fuzz harness: " what);				\
		abort();						\
	}								\
} while (0)

/* A memfd holding the n bytes at data, its offset back at 0. */
static inline int
fuzz_memfd(const char *name, const uint8_t *data, size_t n)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	size_t done = 0;

	FUZZ_REQUIRE(fd >= 0, "memfd_create");
	while (done < n) {
		ssize_t w = write(fd, data + done, n - done);

		FUZZ_REQUIRE(w > 0, "write to memfd");
		done += (size_t)w;
	}
	FUZZ_REQUIRE(lseek(fd, 0, SEEK_SET) == 0, "lseek");
	return fd;
}

/* The whole content of fd, NUL-terminated (malloc'd; *len without the NUL). */
static inline char *
fuzz_slurp(int fd, size_t *len)
{
	struct stat st;
	char *buf;
	size_t done = 0;

	FUZZ_REQUIRE(fstat(fd, &st) == 0, "fstat");
	buf = malloc((size_t)st.st_size + 1);
	FUZZ_REQUIRE(buf != NULL, "malloc");
	while (done < (size_t)st.st_size) {
		ssize_t r = pread(fd, buf + done, (size_t)st.st_size - done, (off_t)done);

		FUZZ_REQUIRE(r > 0, "pread");
		done += (size_t)r;
	}
	buf[done] = '\0';
	*len = done;
	return buf;
}

/* Standard output goes to a fresh memfd between begin and end. */
struct fuzz_capture {
	int	saved;		/* the real fd 1 */
	int	fd;		/* the memfd */
};

static inline void
fuzz_stdout_begin(struct fuzz_capture *c)
{
	FUZZ_REQUIRE(fflush(stdout) == 0, "fflush(stdout)");
	c->saved = dup(STDOUT_FILENO);
	FUZZ_REQUIRE(c->saved >= 0, "dup(1)");
	c->fd = memfd_create("fuzz-stdout", MFD_CLOEXEC);
	FUZZ_REQUIRE(c->fd >= 0, "memfd_create");
	FUZZ_REQUIRE(dup2(c->fd, STDOUT_FILENO) == STDOUT_FILENO, "dup2");
}

/* What was printed (malloc'd, NUL-terminated), real stdout back. */
static inline char *
fuzz_stdout_end(struct fuzz_capture *c, size_t *len)
{
	char *out;

	fflush(stdout);
	clearerr(stdout);
	FUZZ_REQUIRE(dup2(c->saved, STDOUT_FILENO) == STDOUT_FILENO, "dup2");
	close(c->saved);
	out = fuzz_slurp(c->fd, len);
	close(c->fd);
	return out;
}

#endif /* TCPDISSECT_FUZZ_COMMON_H */
