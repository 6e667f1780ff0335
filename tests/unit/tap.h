/* tap.h: a tiny TAP producer for tcpdissect's unit tests.
 *
 * Each check prints "ok N - what" or "not ok N - what" followed by a
 * "# file:line: expression" diagnostic, and testing goes on after a
 * failure so one run shows every broken case.  tap_done() prints the plan
 * and returns the exit status for main(). */
#ifndef TCPDISSECT_TAP_H
#define TCPDISSECT_TAP_H

#include <inttypes.h>
#include <stdio.h>

static int tap_count;
static int tap_failed;

static inline void
tap_ok_at(int cond, const char *file, int line, const char *expr, const char *what)
{
	tap_count++;
	if (cond) {
		printf("ok %d - %s\n", tap_count, what);
	} else {
		tap_failed++;
		printf("not ok %d - %s\n# %s:%d: %s\n", tap_count, what, file, line, expr);
	}
}

static inline void
tap_is_u64_at(uint64_t got, uint64_t want, const char *file, int line,
    const char *expr, const char *what)
{
	tap_count++;
	if (got == want) {
		printf("ok %d - %s\n", tap_count, what);
	} else {
		tap_failed++;
		printf("not ok %d - %s\n# %s:%d: %s: got %" PRIu64 " (0x%" PRIx64
		    "), want %" PRIu64 " (0x%" PRIx64 ")\n",
		    tap_count, what, file, line, expr, got, got, want, want);
	}
}

#define ok(cond, what) tap_ok_at(!!(cond), __FILE__, __LINE__, #cond, (what))
#define is_u64(got, want, what) \
	tap_is_u64_at((uint64_t)(got), (uint64_t)(want), __FILE__, __LINE__, \
	    #got " == " #want, (what))

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		printf("# %d of %d checks failed\n", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* TCPDISSECT_TAP_H */
