/* main.c: the composition root.  Parses options, builds the reporter and
 * the pipeline, runs every input through the source, and maps what each
 * stage returned to SPEC.md's exit codes: 0 ok, 1 usage, 2 input could not
 * be read, 3 --fail-on matched.  Owns nothing else. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture_writer.h"
#include "gate.h"
#include "options.h"
#include "pipeline.h"
#include "merge.h"
#include "html_report.h"
#include "listen_plot.h"
#include "plot.h"
#include "bytestream.h"
#include "shard.h"
#include "threads.h"
#include "progress.h"
#include "report.h"
#include "source.h"
#include "util.h"
#ifdef HAVE_LIBEVENT
#include "live.h"
#endif

#define CLOSED_LINGER_S	10.0	/* seconds; see pc.closed_ns */

enum exit_code {
	EXIT_OK = 0,
	EXIT_USAGE = 1,
	EXIT_INPUT = 2,
	EXIT_FAIL_ON = 3,
};

/* The reporter, wrapped in the gate (gate.h).  line: every record leaves
 * as soon as it is made (-l, a pipe, live). */
static struct reporter *
make_reporter(const struct options *o, FILE *out, bool line, struct shard *sh)
{
	struct reporter *r;
	struct gate_config gc;

	switch (o->format) {
	case OUT_JSONL:
		if (sh != NULL)		/* --shard: key lines between the records */
			r = shard_reporter(sh, report_jsonl_new(out, false, false));
		else
			r = report_jsonl_new(out, o->quiet, !line && !isatty(fileno(out)));
		break;
	case OUT_JSON:
		r = report_json_new(out, o->quiet);
		break;
	case OUT_TEXT:
	default:
		r = report_text_new(out, o->quiet, o->verbose, &(struct text_style){
		    .time_format = (enum time_format)o->time_format,
		    .local_time = o->local_time,
		    .color = text_color(o->color, fileno(out)),
		    .streaming = line,	/* -l, live, a pipe: as known */
		});
		break;
	}
	memset(&gc, 0, sizeof(gc));
	gc.fail_on = o->fail_on;
	gc.fail_on_severity = o->fail_on_severity;
	gc.file_lines = o->quiet && o->ninputs > 1 && o->format == OUT_TEXT;
	return gate_new(r, &gc);
}

/* Does any input arrive through a pipe, a socket or a terminal rather than
 * from a regular file?  Then records must not wait for a batch: the writer
 * may be a live tcpdump -U -w -. */
static bool
input_streams(const struct options *o)
{
	struct stat st;
	unsigned i;

	for (i = 0; i < o->ninputs; i++) {
		int r = strcmp(o->inputs[i], "-") == 0 ? fstat(STDIN_FILENO, &st) :
		    stat(o->inputs[i], &st);

		if (r == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			return true;
	}
	return false;
}

/* A failed write of the report is an error (one line, exit 2), except a
 * reader that went away (EPIPE: "| head"), which ends the run quietly as
 * it does for other tools. */
static bool
output_failed_loudly(void)
{
	int e = out_errno();

	if (!out_failed() || e == EPIPE)
		return false;
	diag("stdout", "cannot write the report: %s", strerror(e));
	return true;
}

/* An event of a listed kind, or one at or above the listed severity (the
 * event's own: a kind's may be lowered for a harmless case). */
static bool
fail_on_matched(const struct options *o, const struct pipeline *p)
{
	const uint64_t *counts = pipeline_event_counts(p);
	int k;

	if (o->fail_on_severity >= 0 && pipeline_max_severity(p) >= o->fail_on_severity)
		return true;
	for (k = 0; k < EVK_COUNT; k++)
		if (counts[k] != 0 && o->fail_on[k])
			return true;
	return false;
}

/* The whole program as a function that returns instead of exiting, so that
 * tests/fuzz/fuzz_pipeline.c can run it again and again in one process;
 * main() at the end only calls it. */
int tcpdissect_main(int argc, char **argv);

int
tcpdissect_main(int argc, char **argv)
{
	struct options o;
	struct pipeline_config pc;
	struct reporter *r = NULL;
	struct pipeline *p = NULL;
	struct input_info *in = NULL;
	struct source_opts so;
	uint64_t left;
	enum opt_status os;
	bool damaged = false, input_failed = false, write_failed = false, line;
	struct reporter *replay_r = NULL;
	struct pipeline *replay = NULL;
	struct capture_writer *writer = NULL;
	FILE *out = stdout;	/* the report's */
	struct plot *plot = NULL;
	struct bytestream *bytes = NULL;
	struct shard *sh = NULL;
	struct threads *threads = NULL;
	struct lplot *lplot = NULL;
	struct html_report *html = NULL;
	unsigned opened = 0;
	int rc = EXIT_OK;
	unsigned i;

	if (argc >= 2 && strcmp(argv[1], "merge") == 0)
		return merge_main(argc - 1, argv + 1);
	/* A closed pipe ("| head") shows up as a failed write, which ends
	 * the run quietly, instead of as a signal. */
	signal(SIGPIPE, SIG_IGN);
	options_init(&o);
	os = options_parse(&o, argc, argv);
	if (os != OPT_OK) {
		options_free(&o);
		return os == OPT_USAGE ? EXIT_USAGE : EXIT_OK;
	}
	if (o.interface != NULL || o.list_interfaces) {
#ifdef HAVE_LIBEVENT
		if (o.list_interfaces) {
			rc = live_list_interfaces() ? EXIT_OK : EXIT_INPUT;
			options_free(&o);
			return rc;
		}
		if (o.ninputs > 0) {
			diag(o.interface, "give either -i or capture files, not both");
			options_free(&o);
			return EXIT_USAGE;
		}
#else
		diag(o.interface != NULL ? o.interface : "-D",
		    "this tcpdissect was built without live capture: install libevent-dev "
		    "and rebuild (./configure --with-libevent)");
		options_free(&o);
		return EXIT_USAGE;
#endif
	}
	if (o.report_file != NULL && o.interface != NULL) {
		diag("--report", "the report reads its inputs twice: live capture cannot be "
		    "(capture with -w FILE, then report on FILE)");
		options_free(&o);
		return EXIT_USAGE;
	}
	if (o.write_file != NULL) {
		for (i = 0; i < o.ninputs; i++)
			if (strcmp(o.inputs[i], "-") == 0) {
				diag("-w", "writing flagged connections reads each input twice; "
				    "standard input cannot be (save it to a file first)");
				options_free(&o);
				return EXIT_USAGE;
			}
	}
	if (o.filter != NULL) {
		char err[512];

		/* Check the expression once up front, so a typo is a usage
		 * error before any output (DLT_EN10MB: the common case; each
		 * file compiles it again for its own link type). */
		if (!source_check_filter(o.filter, 1, err, sizeof(err))) {
			diag(o.filter, "bad filter expression: %s", err);
			options_free(&o);
			return EXIT_USAGE;
		}
	}

	memset(&pc, 0, sizeof(pc));
	pc.memcap = o.memcap;
	/* Live, a quiet connection is forgotten after --idle-timeout (its
	 * peers may be gone and the table must not fill with them).  A file
	 * is read at once: a connection keeps its state through any silence
	 * (600 bytes lost after 5 quiet minutes are still a lost_segment)
	 * and only the memcap evicts, unless --idle-timeout is given. */
	pc.idle_ns = o.interface != NULL || o.idle_set ? (int64_t)(o.idle_timeout * 1e9) : 0;
	/* A closed connection (RST, or both FINs acknowledged) is reported
	 * once it has been quiet this long: long enough for a retransmitted
	 * FIN or the last ACK, short enough that the table holds open
	 * connections rather than finished ones.  Its tombstone keeps its
	 * stream number for any later packet. */
	pc.closed_ns = (int64_t)((o.msl < CLOSED_LINGER_S ? o.msl : CLOSED_LINGER_S) * 1e9);
	/* --at lists TIME_WAIT sockets too: closed connections then stay
	 * for 2*MSL, as the kernel keeps them. */
	pc.at_set = o.at_set;
	pc.at_relative = o.at_relative;
	pc.at_ns = o.at_ns;
	pc.filter = o.interface == NULL ? o.filter : NULL;
	if (o.at_set)
		pc.closed_ns = (int64_t)(2 * o.msl * 1e9);
	pc.analysis.msl_ns = (int64_t)(o.msl * 1e9);
	pc.analysis.close_wait_timeout_ns = (int64_t)(o.close_wait_timeout * 1e9);
	pc.analysis.flood_window_ns = (int64_t)(o.flood_window * 1e9);
	pc.analysis.flood_min_syns = (uint32_t)o.flood_syns;
	pc.analysis.flood_ratio = (uint32_t)o.flood_ratio;

	/* -w - : the capture is standard output, the report goes to stderr
	 * (tcpdump -w - prints its messages there too). */
	if (o.write_file != NULL && strcmp(o.write_file, "-") == 0)
		out = stderr;
	/* Records go out in 64 KiB writes; on a terminal, line by line, and
	 * line by line whatever the output is with -l, live, or an input that
	 * is not a regular file (a pipe from tcpdump -U -w -): then each record
	 * leaves as soon as it is known.  JSON Lines batch their own writes
	 * (report_json.c), past stdio's buffer. */
	line = o.line_flush || o.interface != NULL || input_streams(&o);
	if (line)
		setvbuf(out, NULL, _IOLBF, 0);
	else if (!isatty(fileno(out)) && o.format != OUT_JSONL)
		setvbuf(out, NULL, _IOFBF, 64 << 10);
	in = calloc(o.ninputs > 0 ? o.ninputs : 1, sizeof(*in));
	if (o.shard_n > 0) {
		sh = shard_create(o.shard_k, o.shard_n, out);
		pc.shard = sh;
	}
	/* --follow prints the conversation instead of the report, as
	 * tshark -q -z follow does. */
	if (in != NULL && o.follow_set)
		r = report_null_new();
	else
		r = in != NULL && (o.shard_n == 0 || sh != NULL) ?
		    make_reporter(&o, out, line, sh) : NULL;
	if (r != NULL && (o.follow_set || o.extract_dir != NULL || o.framing != NULL ||
	    o.hol_set)) {
		struct bytestream_config bc;

		memset(&bc, 0, sizeof(bc));
		bc.memcap = o.stream_memcap;
		bc.follow = o.follow_set;
		bc.follow_stream = o.follow_stream;
		bc.follow_mode = (enum follow_mode)o.follow_mode;
		bc.follow_out = out;
		bc.extract_dir = o.extract_dir;
		if (o.framing != NULL || o.hol_set) {
			char err[160];

			bc.framing = true;
			bc.rule.kind = FR_NONE;
			if (o.framing != NULL)
				(void)fr_rule_parse(o.framing, &bc.rule, err, sizeof(err));
			bc.list_messages = o.verbose;
			bc.hol_threshold_ns = (int64_t)(o.hol_threshold * 1e9 + 0.5);
		}
		bytes = bytestream_create(&bc);
		if (bytes == NULL) {
			rc = o.extract_dir != NULL ? EXIT_USAGE : EXIT_INPUT;
			goto out_free;
		}
		pc.bytes = bytes;
	}
	if (r != NULL && o.nplot > 0) {
		struct reporter *pr = NULL;

		/* --plot: a reporter in front of the real one collects the
		 * events; the pipeline hands over the segments. */
		plot = plot_create(o.plot_streams, o.nplot, o.plot_dir);
		if (plot != NULL)
			pr = plot_reporter(plot, r);
		if (pr == NULL) {
			report_destroy(r);
			r = NULL;
		} else {
			r = pr;
		}
		pc.plot = plot;
	}
	if (r != NULL && (o.plot_listeners || o.report_file != NULL)) {
		struct reporter *lr = NULL;

		/* --plot-listeners, --report: the same for the listeners. */
		lplot = lplot_create(o.plot_listeners ? o.plot_dir : NULL);
		if (lplot != NULL)
			lr = lplot_reporter(lplot, r);
		if (lr == NULL)
			report_destroy(r);
		r = lr;
		pc.lplot = lplot;
	}
	if (r != NULL && o.report_file != NULL) {
		struct reporter *hr = NULL;

		/* --report: outermost, it writes the page after the rest. */
		html = html_create(o.report_file, o.report_max);
		if (html != NULL)
			hr = html_reporter(html, r);
		if (hr == NULL)
			report_destroy(r);
		r = hr;
	}
	if (r != NULL && o.threads > 1) {
		struct pipeline_config reader = pc;

		/* --threads: this thread reads and decodes; the shards'
		 * threads analyse, and their logs are merged at the end */
		threads = threads_create(o.threads, &pc);
		if (threads == NULL) {
			rc = EXIT_INPUT;
			goto out_free;
		}
		reader.fan = threads_fan(threads);
		p = pipeline_create(&reader, r);
	} else if (r != NULL) {
		p = pipeline_create(&pc, r);
	}
	pc.plot = NULL;		/* not the -w second pass's */
	pc.bytes = NULL;
	pc.lplot = NULL;
	if (r == NULL || p == NULL) {
		diag(NULL, "out of memory (try a smaller --memcap)");
		rc = EXIT_INPUT;
		goto out_free;
	}
	if (o.write_file != NULL && o.interface == NULL) {
		char err[256];

		/* The second pass numbers streams with a pipeline of its own,
		 * configured as the first, that reports nothing. */
		replay_r = report_null_new();
		if (replay_r != NULL)
			replay = pipeline_create(&pc, replay_r);
		writer = capture_writer_open(o.write_file, (const char *const *)o.inputs,
		    o.ninputs, err, sizeof(err));
		if (replay == NULL || writer == NULL) {
			diag(o.write_file, "%s", writer == NULL ? err : "out of memory");
			rc = writer == NULL ? EXIT_USAGE : EXIT_INPUT;
			goto out_free;
		}
	}

#ifdef HAVE_LIBEVENT
	if (o.interface != NULL) {
		struct live_opts lo;
		enum live_status ls;

		memset(&lo, 0, sizeof(lo));
		lo.iface = o.interface;
		lo.filter = o.filter;
		lo.user = o.user;
		lo.write_file = o.write_file;
		lo.count = o.count;
		lo.duration = o.duration;
		lo.interval = o.interval;
		lo.buffer_size = (int)o.buffer_size;
		lo.promisc = !o.no_promisc;
		memset(&in[0], 0, sizeof(in[0]));
		in[0].name = o.interface;
		in[0].ts_digits = 6;
		ls = live_run(&lo, &in[0], p);
		if (ls == LIVE_OK || ls == LIVE_FAILED)
			pipeline_summary(p, ls == LIVE_FAILED);
		out_flush(out);
		rc = ls == LIVE_OK ? EXIT_OK : ls == LIVE_BAD_FILTER ? EXIT_USAGE : EXIT_INPUT;
		if (output_failed_loudly())
			rc = EXIT_INPUT;
		if (rc == EXIT_OK && fail_on_matched(&o, p))
			rc = EXIT_FAIL_ON;
		goto out_free;
	}
#endif
	left = o.count;
	memset(&so, 0, sizeof(so));
	so.filter = o.filter;
	so.max_packets = o.count;
	so.packets_left = &left;
	so.progress = progress_wanted(o.quiet);
	for (i = 0; i < o.ninputs; i++) {
		enum source_status st;
		uint64_t left_before = left;

		memset(&in[i], 0, sizeof(in[i]));
		in[i].name = o.inputs[i];
		in[i].index = i;
		in[i].name_in_records = o.ninputs > 1;
		in[i].ts_digits = 6;
		st = source_run_file(o.inputs[i], &in[i], &so, p);
		if (st == SOURCE_BAD_FILTER) {
			rc = EXIT_USAGE;
			goto out_free;
		}
		if (st == SOURCE_OPEN_FAILED)
			input_failed = true;
		else
			opened++;
		if (st == SOURCE_REFUSED_LATE)
			input_failed = true;
		if (writer != NULL && st != SOURCE_OPEN_FAILED && st != SOURCE_REFUSED_LATE &&
		    capture_writer_flagged(writer, o.inputs[i], &in[i], &so, replay, p) ==
		    SOURCE_OPEN_FAILED)
			write_failed = true;
		if (html != NULL && st != SOURCE_OPEN_FAILED && st != SOURCE_REFUSED_LATE) {
			struct source_opts again = so;

			/* its graphs: the same packets read again (-c: as many) */
			again.max_packets = o.count != 0 ? left_before - left : 0;
			html_input_done(html, lplot, o.inputs[i], &in[i], &pc, &again);
		}
		if (st == SOURCE_DAMAGED)
			damaged = true;
		if (st == SOURCE_STOPPED)
			break;
	}
	/* A run where nothing could be read ends with its error lines, not
	 * with an empty report that could pass for "no problems". */
	if (opened > 0 && threads != NULL) {
		struct merge_to to = { .out = out, .document = o.format == OUT_JSON,
		    .quiet = o.quiet, .r = o.format == OUT_TEXT ? r : NULL };

		if (threads_finish(threads, p, damaged, &to) != 0)
			write_failed = true;
	} else if (opened > 0) {
		pipeline_summary(p, damaged);
	}
	out_flush(out);

	if (writer != NULL && !capture_writer_close(writer, true))
		write_failed = true;
	writer = NULL;
	if (output_failed_loudly())
		write_failed = true;
	if ((plot != NULL && plot_failed(plot)) || (lplot != NULL && lplot_failed(lplot)) ||
	    (html != NULL && html_failed(html)))
		write_failed = true;
	if (bytes != NULL) {
		bytestream_end_input(bytes);	/* the files written before the exit code */
		if (bytestream_failed(bytes))
			write_failed = true;
	}
	if (input_failed || write_failed || (damaged && o.strict))
		rc = EXIT_INPUT;
	else if (fail_on_matched(&o, p))
		rc = EXIT_FAIL_ON;
out_free:
	if (writer != NULL)
		capture_writer_close(writer, false);
	pipeline_destroy(replay);
	report_destroy(replay_r);
	threads_destroy(threads);
	pipeline_destroy(p);
	report_destroy(r);
	free(in);
	plot_destroy(plot);
	bytestream_destroy(bytes);
	shard_destroy(sh);
	lplot_destroy(lplot);
	html_destroy(html);
	options_free(&o);
	return rc;
}

#ifndef TCPDISSECT_NO_MAIN
int
main(int argc, char **argv)
{
	return tcpdissect_main(argc, argv);
}
#endif
