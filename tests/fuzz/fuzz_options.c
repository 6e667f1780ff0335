/* fuzz_options.c: the libFuzzer target for the command-line parser,
 * options_parse() (src/options.h).
 *
 * An input is the arguments after argv[0], each ended by a NUL byte (the
 * last one need not be); each is copied into a buffer of exactly its size
 * so that ASan sees any read past an argument.  At most MAX_ARGS are used.
 *
 * Checked when the parser says OPT_OK: what main() does with the options
 * stays defined (every time in seconds converts to int64 nanoseconds, even
 * doubled for TIME_WAIT; --at is within the years the parser accepts; the
 * syn_flood figures fit main()'s uint32_t), there is something to read,
 * and --memcap is at least 64K.  Standard output (--help, --version) goes
 * to a memfd. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#include "fuzz_common.h"

#define MAX_ARGS	64
#define MAX_SECONDS	1e9		/* options.c: parse_seconds() */
#define MAX_AT_NS	(9000000000LL * 1000000000LL + 999999999LL)	/* parse_at() */

static bool
seconds_ok(double s)
{
	return isfinite(s) && s >= 0 && s <= MAX_SECONDS;
}

static void
check(const struct options *o)
{
	INVARIANT(o->format == OUT_TEXT || o->format == OUT_JSONL || o->format == OUT_JSON);
	for (unsigned i = 0; i < o->ninputs; i++)
		INVARIANT(o->inputs[i] != NULL);
	INVARIANT(o->ninputs > 0 || o->interface != NULL || o->list_interfaces);
	INVARIANT(o->memcap >= ((size_t)64 << 10));
	INVARIANT(seconds_ok(o->msl) && o->msl > 0);
	INVARIANT(seconds_ok(o->idle_timeout) && o->idle_timeout > 0);
	INVARIANT(seconds_ok(o->close_wait_timeout));
	INVARIANT(seconds_ok(o->flood_window) && o->flood_window > 0);
	INVARIANT(seconds_ok(o->interval));
	INVARIANT(seconds_ok(o->duration));
	INVARIANT(o->flood_syns >= 1 && o->flood_syns <= UINT32_MAX);
	INVARIANT(o->flood_ratio >= 1 && o->flood_ratio <= UINT32_MAX);
	INVARIANT(o->buffer_size <= INT32_MAX);
	INVARIANT(o->fail_on_severity >= -1 && o->fail_on_severity < SEV_COUNT);
	if (o->at_set)
		INVARIANT(o->at_ns >= 0 && o->at_ns <= MAX_AT_NS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2];
	int argc = 0, i;
	size_t off = 0;
	struct options o;
	struct fuzz_capture cap;
	enum opt_status st;
	char *out;
	size_t len;

	argv[argc++] = strdup("tcpdissect");
	while (off < size && argc <= MAX_ARGS) {
		const uint8_t *nul = memchr(data + off, '\0', size - off);
		size_t n = nul != NULL ? (size_t)(nul - (data + off)) : size - off;

		argv[argc] = malloc(n + 1);
		FUZZ_REQUIRE(argv[argc] != NULL, "malloc");
		memcpy(argv[argc], data + off, n);
		argv[argc][n] = '\0';
		argc++;
		off += n + 1;
	}
	argv[argc] = NULL;

	options_init(&o);
	fuzz_stdout_begin(&cap);
	st = options_parse(&o, argc, argv);
	out = fuzz_stdout_end(&cap, &len);
	free(out);
	INVARIANT(st == OPT_OK || st == OPT_USAGE || st == OPT_HELP || st == OPT_VERSION);
	if (st == OPT_OK)
		check(&o);
	options_free(&o);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
