/* replay.c: a main() for a fuzz target built without libFuzzer, for
 * make check: it runs LLVMFuzzerTestOneInput() once over every file of
 * each directory (or file) named on the command line, by default
 * $TOP_SRCDIR/tests/fuzz/regress/FUZZ_TARGET (the inputs that once crashed
 * the target), and prints one TAP line per file.  An input that still
 * crashes ends the program (the plan is then missing: the test fails);
 * under --enable-sanitizers ASan and UBSan report it as in the fuzzer. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET: the target's name, its directory under tests/fuzz/regress"
#endif

/* Defined by the targets that need set-up (libFuzzer calls it too). */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int count;

static void
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		printf("not ok %d - %s: cannot read\n", ++count, path);
		if (f != NULL)
			fclose(f);
		return;
	}
	/* Exactly the input's size, as libFuzzer gives it: ASan sees a
	 * read past the end. */
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		printf("not ok %d - %s: cannot read\n", ++count, path);
	} else {
		fflush(stdout);
		LLVMFuzzerTestOneInput(buf, (size_t)n);
		printf("ok %d - %s\n", ++count, path);
	}
	fflush(stdout);
	free(buf);
	fclose(f);
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void
replay(const char *path)
{
	struct stat st;
	struct dirent **names;
	int n, i;

	if (stat(path, &st) != 0) {
		printf("not ok %d - %s: missing\n", ++count, path);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	n = scandir(path, &names, NULL, by_name);
	if (n < 0) {
		printf("not ok %d - %s: cannot list\n", ++count, path);
		return;
	}
	for (i = 0; i < n; i++) {
		char sub[4096];

		if (names[i]->d_name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
			replay_file(sub);
		}
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	int i;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			replay(argv[i]);
	} else {
		const char *top = getenv("TOP_SRCDIR");
		char dir[4096];

		snprintf(dir, sizeof(dir), "%s/tests/fuzz/regress/%s",
		    top != NULL ? top : ".", FUZZ_TARGET);
		replay(dir);
	}
	printf("1..%d\n", count);
	return 0;
}
