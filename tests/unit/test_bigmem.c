/* test_bigmem.c: the memcap-sized arrays (src/bigmem.h): zeroed, aligned,
 * refused on overflow, and ending at a guard page so that a run off the
 * end faults at once. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bigmem.h"
#include "tap.h"

/* Touch p[at] in a child; true when the child did not live to exit 0: it
 * died of SIGSEGV or SIGBUS, or (in the sanitizer build) AddressSanitizer
 * caught the fault, reported it to the closed stderr and exited 1. */
static int
faults(volatile unsigned char *p, size_t at)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return 0;
	if (pid == 0) {
		close(STDERR_FILENO);
		p[at] = 1;
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return 0;
	return !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int
main(void)
{
	size_t n = 100000, i, bytes = n * 24;
	unsigned char *p = bigmem_zalloc(n, 24);
	int zero = 1;

	ok(p != NULL, "100000 elements of 24 bytes");
	if (p == NULL)
		return tap_done();
	ok(((uintptr_t)p & 15) == 0, "aligned to 16 bytes");
	for (i = 0; i < bytes; i++)
		zero &= p[i] == 0;
	ok(zero, "zeroed");
	p[0] = 1;
	p[bytes - 1] = 1;
	ok(!faults(p, bytes - 1), "the last byte can be written");
	ok(faults(p, bytes + 16), "16 bytes past the end faults (the guard page)");
	ok(faults(p, bytes + 4000), "and almost a page past it");
	bigmem_free(p);

	p = bigmem_zalloc(7, 3);	/* 21 bytes: the end is rounded to 16 */
	ok(p != NULL && ((uintptr_t)p & 15) == 0, "a small odd size, aligned");
	if (p != NULL) {
		ok(!faults(p, 20), "its last byte can be written");
		ok(faults(p, 32), "and a run past the rounding faults");
	}
	bigmem_free(p);

	ok(bigmem_zalloc(SIZE_MAX / 2, 3) == NULL, "n * size overflowing is refused");
	ok(bigmem_zalloc(1, SIZE_MAX - 8) == NULL, "a size near SIZE_MAX is refused");
	p = bigmem_zalloc(0, 8);
	ok(p != NULL, "zero elements: a valid (empty) array");
	bigmem_free(p);
	bigmem_free(NULL);
	ok(1, "freeing NULL is harmless");
	return tap_done();
}
