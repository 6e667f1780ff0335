/* fuzz_source.c: the libFuzzer target for the capture readers, through
 * the source layer's entry point source_run_file() (src/source.h), so that
 * it reaches every reader the source dispatches to (classic pcap mapped
 * and through libpcap, pcapng, and any reader added later) whatever files
 * they live in.
 *
 * An input is a capture file as it is, so a crasher is a capture that
 * tcpdissect can be run on.  Each input is read four times into a pipeline
 * that reports nothing: as a file (a memfd: a regular file, so a classic
 * pcap goes to the mapped reader), as a file with TCPDISSECT_READER=libpcap,
 * as standard input, and as a file with the filter "tcp" and -c 3.
 *
 * Checked on every read: the status is one of source.h's (SOURCE_BAD_FILTER
 * only with the filter: "tcp" does not compile for every link type) and
 * -c 3 passes at most 3 matched packets on (as tcpdump's -c: the records read may be
 * more).  ASan and UBSan catch the rest. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "pipeline.h"
#include "report.h"
#include "source.h"

#include "fuzz_common.h"

enum way { AS_FILE, AS_LIBPCAP, AS_STDIN, AS_FILTERED, NWAYS };

static void
read_once(const char *path, enum way w)
{
	struct pipeline_config pc;
	struct reporter *r;
	struct pipeline *p;
	struct input_info in;
	struct source_opts so;
	enum source_status st;
	uint64_t left;

	memset(&pc, 0, sizeof(pc));
	pc.memcap = (size_t)16 << 20;
	pc.idle_ns = 300 * 1000000000LL;
	pc.closed_ns = 10 * 1000000000LL;
	pc.analysis.msl_ns = 60 * 1000000000LL;
	pc.analysis.close_wait_timeout_ns = 10 * 1000000000LL;
	pc.analysis.flood_window_ns = 1000000000LL;
	pc.analysis.flood_min_syns = FLOOD_SYNS_DEFAULT;
	pc.analysis.flood_ratio = FLOOD_RATIO_DEFAULT;
	r = report_null_new();
	FUZZ_REQUIRE(r != NULL, "report_null_new");
	p = pipeline_create(&pc, r);
	FUZZ_REQUIRE(p != NULL, "pipeline_create");

	memset(&so, 0, sizeof(so));
	left = 0;
	if (w == AS_FILTERED) {
		so.filter = "tcp";
		so.max_packets = 3;
		left = 3;
	}
	so.packets_left = &left;
	memset(&in, 0, sizeof(in));
	in.name = w == AS_STDIN ? "-" : path;
	in.ts_digits = 6;
	if (w == AS_LIBPCAP)
		setenv("TCPDISSECT_READER", "libpcap", 1);
	st = source_run_file(in.name, &in, &so, p);
	unsetenv("TCPDISSECT_READER");

	INVARIANT(st == SOURCE_OK || st == SOURCE_DAMAGED || st == SOURCE_OPEN_FAILED ||
	    st == SOURCE_STOPPED || st == SOURCE_REFUSED_LATE ||
	    (st == SOURCE_BAD_FILTER && so.filter != NULL));
	/* -c counts the packets the filter matched (as tcpdump's -c): the
	 * frames read may be more, the matched ones never (left would wrap). */
	if (w == AS_FILTERED)
		INVARIANT(left <= 3);
	if (st != SOURCE_OPEN_FAILED && st != SOURCE_BAD_FILTER)
		pipeline_summary(p, st == SOURCE_DAMAGED);
	pipeline_destroy(p);
	report_destroy(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = fuzz_memfd("capture", data, size);
	int saved_stdin = dup(STDIN_FILENO);
	char path[64];
	int w;

	FUZZ_REQUIRE(saved_stdin >= 0, "dup(stdin)");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (w = 0; w < NWAYS; w++) {
		if (w == AS_STDIN) {
			FUZZ_REQUIRE(dup2(fd, STDIN_FILENO) == STDIN_FILENO, "dup2(stdin)");
			FUZZ_REQUIRE(fseek(stdin, 0, SEEK_SET) == 0, "fseek(stdin)");
			clearerr(stdin);
		}
		read_once(path, (enum way)w);
		if (w == AS_STDIN) {
			FUZZ_REQUIRE(dup2(saved_stdin, STDIN_FILENO) == STDIN_FILENO,
			    "dup2(stdin)");
			clearerr(stdin);
		}
	}
	close(saved_stdin);
	close(fd);
	return 0;
}
