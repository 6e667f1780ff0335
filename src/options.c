/* options.c: command-line parsing (options.h). */
#include "config.h"

#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "framing.h"
#include "shard.h"
#include "threads.h"
#include "util.h"

enum {
	LOPT_MSL = 256,
	LOPT_FAIL_ON,
	LOPT_STRICT,
	LOPT_MEMCAP,
	LOPT_IDLE,
	LOPT_CLOSE_WAIT,
	LOPT_AT,
	LOPT_INTERVAL,
	LOPT_DURATION,
	LOPT_BUFFER_SIZE,
	LOPT_NO_PROMISC,
	LOPT_FLOOD_WINDOW,
	LOPT_FLOOD_SYNS,
	LOPT_FLOOD_RATIO,
	/* text output */
	LOPT_LOCAL_TIME,
	LOPT_COLOR,
	LOPT_PICTURES,		/* the block of picture options (issue 14) */
	LOPT_PLOT = LOPT_PICTURES,
	LOPT_PLOT_DIR,
	LOPT_BYTES,		/* the block of byte stream options (issue 15) */
	LOPT_FOLLOW = LOPT_BYTES,
	LOPT_EXTRACT,
	LOPT_STREAM_MEMCAP,
	LOPT_FRAMING,
	LOPT_HOL_THRESHOLD,
	LOPT_SHARD,		/* issue 16 */
	LOPT_PLOT_LISTENERS,
	LOPT_REPORT,
	LOPT_REPORT_MAX,
	LOPT_THREADS,
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "read", required_argument, NULL, 'r' },
	{ "interface", required_argument, NULL, 'i' },
	{ "write", required_argument, NULL, 'w' },
	{ "count", required_argument, NULL, 'c' },
	{ "filter-file", required_argument, NULL, 'F' },
	{ "line-buffered", no_argument, NULL, 'l' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ "user", required_argument, NULL, 'Z' },
	{ "msl", required_argument, NULL, LOPT_MSL },
	{ "fail-on", required_argument, NULL, LOPT_FAIL_ON },
	{ "strict", no_argument, NULL, LOPT_STRICT },
	{ "memcap", required_argument, NULL, LOPT_MEMCAP },
	{ "idle-timeout", required_argument, NULL, LOPT_IDLE },
	{ "close-wait-timeout", required_argument, NULL, LOPT_CLOSE_WAIT },
	{ "at", required_argument, NULL, LOPT_AT },
	{ "interval", required_argument, NULL, LOPT_INTERVAL },
	{ "duration", required_argument, NULL, LOPT_DURATION },
	{ "buffer-size", required_argument, NULL, LOPT_BUFFER_SIZE },
	{ "no-promisc", no_argument, NULL, LOPT_NO_PROMISC },
	{ "list-interfaces", no_argument, NULL, 'D' },
	{ "syn-flood-window", required_argument, NULL, LOPT_FLOOD_WINDOW },
	{ "syn-flood-syns", required_argument, NULL, LOPT_FLOOD_SYNS },
	{ "syn-flood-ratio", required_argument, NULL, LOPT_FLOOD_RATIO },
	/* text output */
	{ "local-time", no_argument, NULL, LOPT_LOCAL_TIME },
	{ "color", optional_argument, NULL, LOPT_COLOR },
	{ "colour", optional_argument, NULL, LOPT_COLOR },
	/* pictures */
	{ "plot", required_argument, NULL, LOPT_PLOT },
	{ "plot-dir", required_argument, NULL, LOPT_PLOT_DIR },
	/* byte stream */
	{ "follow", required_argument, NULL, LOPT_FOLLOW },
	{ "extract", required_argument, NULL, LOPT_EXTRACT },
	{ "stream-memcap", required_argument, NULL, LOPT_STREAM_MEMCAP },
	{ "framing", required_argument, NULL, LOPT_FRAMING },
	{ "hol-threshold", required_argument, NULL, LOPT_HOL_THRESHOLD },
	{ "shard", required_argument, NULL, LOPT_SHARD },
	{ "plot-listeners", no_argument, NULL, LOPT_PLOT_LISTENERS },
	{ "report", required_argument, NULL, LOPT_REPORT },
	{ "report-max", required_argument, NULL, LOPT_REPORT_MAX },
	{ "threads", required_argument, NULL, LOPT_THREADS },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
"usage: tcpdissect [options] FILE... [BPF expression] [options]\n"
"       tcpdissect [options] -r FILE [BPF expression]\n"
"       tcpdissect [options] -F FILTER_FILE FILE...\n"
"\n"
"Rebuilds every TCP connection of a pcap/pcapng capture ('-' = stdin) and\n"
"reports what went wrong, numbered as Wireshark numbers frames and streams.\n"
"\n"
"  -o, --output FORMAT     text (default), jsonl or json\n"
"  -r, --read FILE         read FILE (may repeat); then every argument is filter\n"
"  -w, --write FILE        write the packets of flagged connections to FILE\n"
"  -c, --count N           stop after N packets\n"
"  -F, --filter-file FILE  read the BPF expression from FILE ('#' starts a\n"
"                          comment); every other argument is then an input\n"
"  -l, --line-buffered     write each record as soon as it is known (the\n"
"                          default when an input is a pipe, not a file)\n"
"  -q, --quiet             summary only\n"
"  -v, --verbose           text output: one line per connection too\n"
"  -n                      no name resolution (always the case)\n"
"  -t, -tt, -ttt, -tttt, -ttttt  text times as tcpdump's: none, seconds since\n"
"                          the epoch, since the previous line, date and time,\n"
"                          since the first packet (default: time of day, UTC)\n"
"      --local-time        text times in the local zone (TZ), not UTC\n"
"      --color[=WHEN]      severities in colour: auto (default: on a terminal,\n"
"                          unless NO_COLOR is set), always or never\n"
"      --msl SECONDS       maximum segment lifetime; TIME_WAIT = 2*MSL (default 60)\n"
"      --fail-on KINDS     exit 3 if any of KINDS (comma list of event kinds,\n"
"                          'any', or a severity: info, notice, warning, alert)\n"
"                          was reported\n"
"      --strict            a damaged (truncated) capture exits 2\n"
"      --memcap SIZE       memory for connection state, e.g. 256M (default 512M)\n"
"      --idle-timeout SECONDS   forget a quiet open connection (default 300 live;\n"
"                          files keep it through any silence unless given)\n"
"      --close-wait-timeout SECONDS  (default 10)\n"
"      --at TIME           list the sockets as ss -tan would have at TIME\n"
"                          (seconds since the epoch, or +SECONDS after the\n"
"                          first packet)\n"
"      --syn-flood-window SECONDS  syn_flood's sliding window (default 1)\n"
"      --syn-flood-syns N  syn_flood: a window with N new SYNs (default 100)\n"
"      --syn-flood-ratio R ... and R x its completed handshakes + 1 (default 10)\n"

"      --plot STREAM[,STREAM...]  write a time-sequence graph (SVG) of each\n"
"                          direction of these tcp.stream numbers\n"
"      --plot-dir DIR      where --plot writes (default: the current directory)\n"
"      --follow STREAM[,ascii|hex|raw]  print the bytes of tcp.stream STREAM\n"
"                          as each side's application read them (as tshark\n"
"                          -z follow,tcp), instead of the report\n"
"      --extract DIR       write each direction of each connection to a file\n"
"                          in DIR (holes: NUL bytes, listed in FILE.holes)\n"
"      --stream-memcap SIZE  memory for --follow/--extract/--framing's waiting\n"
"                          bytes (default 32M)\n"
"      --framing RULE      cut each direction into messages: line,\n"
"                          len:N[:be|le][:+OFFSET][:incl], http, tls, resp, auto;\n"
"                          records get message, head-of-line and\n"
"                          request/response figures (-v: each message)\n"
"      --hol-threshold SEC  report head_of_line_blocked past SEC (default: the\n"
"                          handshake RTT, else 0.2); alone: per segment\n"
"      --shard K/N         analyse only shard K (0..N-1) of the connections and\n"
"                          write a shard log (jsonl) for 'tcpdissect merge'\n"
"      --threads N         analyse capture files on N threads (1..64; default\n"
"                          1): --shard's N shards, merged at the end\n"
"      --plot-listeners    write each listener's timeline (SVG) into --plot-dir\n"
"      --report FILE.html  write one self-contained HTML report of the run\n"
"      --report-max N      time-sequence graphs of the N worst connections\n"
"                          with warnings in the report (default 5, at most 64)\n"
"  -i, --interface IFACE   live capture on IFACE; Ctrl-C prints the final report\n"
"  -D, --list-interfaces   list the interfaces live capture can use\n"
"  -Z, --user USER         live: drop to USER once the interface is open\n"
"      --interval SECONDS  live: print an interval record every SECONDS\n"
"      --duration SECONDS  live: stop after SECONDS\n"
"      --buffer-size SIZE  live: kernel capture buffer (e.g. 16M)\n"
"      --no-promisc        live: do not put the interface in promiscuous mode\n"
"  -V, --version           print the version\n"
"  -h, --help              this help\n"
"\n"
"Options may come before or after the file names; '--' ends them (then a\n"
"filter word may start with '-').\n"
"\n"
"Exit status: 0 ok, 1 usage error, 2 input unreadable or\n"
"output unwritable, 3 --fail-on matched.\n";

void
options_init(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->format = OUT_TEXT;
	o->msl = 60;
	o->idle_timeout = 300;
	o->close_wait_timeout = 10;
	o->flood_window = FLOOD_WINDOW_DEFAULT;
	o->flood_syns = FLOOD_SYNS_DEFAULT;
	o->flood_ratio = FLOOD_RATIO_DEFAULT;
	o->memcap = (size_t)512 << 20;
	o->fail_on_severity = -1;
	o->plot_dir = ".";
	o->stream_memcap = (size_t)32 << 20;
	o->report_max = 5;
	o->threads = 1;
}

void
options_free(struct options *o)
{
	free(o->filter);
	o->filter = NULL;
	free(o->inputs);
	o->inputs = NULL;
	o->ninputs = 0;
}

static bool
parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0 || v > 1e9)
		return false;
	*out = v;
	return true;
}

/* --at: "+SECONDS" after an input's first packet, or seconds since the
 * epoch; a fraction of up to nine digits, kept exact; within what
 * time_ns() represents (up to 2116). */
static bool
parse_at(const char *s, struct options *o)
{
	int64_t sec = 0, frac = 0;
	int digits = 0, fdigits = 0;

	o->at_relative = *s == '+';
	if (*s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		sec = sec * 10 + (*s - '0');
		/* Past 2255: not a capture time.  Checked after each digit, so
		 * that sec * 10^9 below cannot overflow. */
		if (sec > 9000000000LL)
			return false;
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, fdigits++) {
			if (fdigits >= 9)
				return false;
			frac = frac * 10 + (*s - '0');
		}
	if (*s != '\0' || digits + fdigits == 0)
		return false;
	for (; fdigits < 9; fdigits++)
		frac *= 10;
	if (!time_ns(sec, frac, &o->at_ns))
		return false;
	o->at_set = true;
	return true;
}

static bool
parse_count(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s == '-' || *s == '\0')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0)
		return false;
	*out = v;
	return true;
}

/* "512M", "2G", "100000K", "1048576". */
static bool
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v, mul = 1;

	if (*s == '-' || *s == '\0')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return false;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		mul = 1ULL << 10;
		end++;
		break;
	case 'm': case 'M':
		mul = 1ULL << 20;
		end++;
		break;
	case 'g': case 'G':
		mul = 1ULL << 30;
		end++;
		break;
	default:
		return false;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || v > (unsigned long long)SIZE_MAX / mul)
		return false;
	*out = (size_t)(v * mul);
	return true;
}

/* ---- pictures (issue 14) ---- */

/* --plot 3,17,42 (may repeat). */
static bool
parse_plot(struct options *o, const char *arg)
{
	const char *p = arg;
	char *end;
	unsigned long long v;

	for (;;) {
		if (*p < '0' || *p > '9')
			break;
		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno != 0 || v > UINT32_MAX)
			break;
		if (o->nplot == MAX_PLOT_STREAMS) {
			diag("--plot", "at most %d streams", MAX_PLOT_STREAMS);
			return false;
		}
		o->plot_streams[o->nplot++] = (uint32_t)v;
		if (*end == '\0')
			return true;
		if (*end != ',')
			break;
		p = end + 1;
	}
	diag("--plot", "'%s' is not a list of tcp.stream numbers (e.g. 0,3,17)", arg);
	return false;
}

/* One picture option; false: usage error (said). */
static bool
parse_picture_option(struct options *o, int c, const char *arg)
{
	switch (c) {
	case LOPT_PLOT:
		return parse_plot(o, arg);
	case LOPT_PLOT_DIR:
		if (*arg == '\0') {
			diag("--plot-dir", "empty directory name");
			return false;
		}
		o->plot_dir = arg;
		return true;
	case LOPT_PLOT_LISTENERS:
		o->plot_listeners = true;
		return true;
	case LOPT_REPORT:
		if (*arg == '\0') {
			diag("--report", "empty file name");
			return false;
		}
		o->report_file = arg;
		return true;
	case LOPT_REPORT_MAX: {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno != 0 || end == arg || *end != '\0' || *arg == '-' ||
		    v > REPORT_MAX_GRAPHS) {
			diag("--report-max", "'%s' is not a number of graphs from 0 to %d", arg,
			    REPORT_MAX_GRAPHS);
			return false;
		}
		o->report_max = (unsigned)v;
		return true;
	}
	default:
		return false;
	}
}

/* --follow 3 / 3,hex / 3,raw */
static bool
parse_follow(struct options *o, const char *arg)
{
	static const char *const modes[] = { "ascii", "hex", "raw" };
	char *end;
	unsigned long long v;
	unsigned i;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end == arg || errno != 0 || v > UINT32_MAX || *arg == '-' ||
	    (*end != '\0' && *end != ','))
		goto bad;
	o->follow_set = true;
	o->follow_stream = (uint32_t)v;
	o->follow_mode = 0;
	if (*end == '\0')
		return true;
	for (i = 0; i < 3; i++)
		if (strcmp(end + 1, modes[i]) == 0) {
			o->follow_mode = (int)i;
			return true;
		}
bad:
	diag("--follow", "'%s' is not STREAM or STREAM,ascii|hex|raw (e.g. 3,raw)", arg);
	return false;
}

/* One byte stream option; false: usage error (said). */
static bool
parse_bytes_option(struct options *o, int c, const char *arg)
{
	switch (c) {
	case LOPT_FOLLOW:
		return parse_follow(o, arg);
	case LOPT_EXTRACT:
		if (*arg == '\0') {
			diag("--extract", "empty directory name");
			return false;
		}
		o->extract_dir = arg;
		return true;
	case LOPT_STREAM_MEMCAP:
		if (!parse_size(arg, &o->stream_memcap) || o->stream_memcap < ((size_t)64 << 10)) {
			diag("--stream-memcap", "'%s' is not a size of at least 64K (e.g. 64M)",
			    arg);
			return false;
		}
		return true;
	case LOPT_FRAMING: {
		struct fr_rule rule;
		char err[160];

		if (!fr_rule_parse(arg, &rule, err, sizeof(err))) {
			diag("--framing", "%s", err);
			return false;
		}
		o->framing = arg;
		return true;
	}
	case LOPT_HOL_THRESHOLD:
		if (!parse_seconds(arg, &o->hol_threshold) || o->hol_threshold <= 0 ||
		    o->hol_threshold > 86400) {
			diag("--hol-threshold", "'%s' is not a time in seconds above 0 (e.g. 0.05)",
			    arg);
			return false;
		}
		o->hol_set = true;
		return true;
	default:
		return false;
	}
}

static bool
parse_fail_on(struct options *o, const char *arg)
{
	char buf[1024], *tok, *save = NULL;
	int k;

	if (strlen(arg) >= sizeof(buf))
		return false;
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "any") == 0) {
			o->fail_on_severity = SEV_INFO;
		} else if ((k = severity_lookup(tok)) >= 0) {
			if (o->fail_on_severity < 0 || k < o->fail_on_severity)
				o->fail_on_severity = k;
		} else if ((k = event_kind_lookup(tok)) >= 0) {
			o->fail_on[k] = true;
		} else {
			diag("--fail-on", "unknown event kind or severity '%s'", tok);
			return false;
		}
	}
	return true;
}

/* Does this trailing argument name an input rather than start a filter?
 * An existing file does, and so does anything that looks like a capture
 * file name, so that a missing file is reported as missing rather than
 * as a bad filter. */
static bool
looks_like_input(const char *a)
{
	struct stat st;
	size_t n = strlen(a);
	static const char *const ext[] = { ".pcap", ".pcapng", ".cap", ".trace", ".dmp", ".gz" };
	unsigned i;

	if (strcmp(a, "-") == 0 || stat(a, &st) == 0 || strchr(a, '/') != NULL)
		return true;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcasecmp(a + n - e, ext[i]) == 0)
			return true;
	}
	return false;
}

/* The text output's options: -t (repeated), --local-time, --color. */
static bool
text_option(struct options *o, int c, const char *arg)
{
	switch (c) {
	case 't':
		if (o->time_format >= 5) {
			diag("-t", "at most five t's (-ttttt: since the first packet)");
			return false;
		}
		o->time_format++;
		return true;
	case LOPT_LOCAL_TIME:
		o->local_time = true;
		return true;
	default:
		if (arg == NULL || strcmp(arg, "always") == 0)
			o->color = COLOR_ALWAYS;
		else if (strcmp(arg, "auto") == 0)
			o->color = COLOR_AUTO;
		else if (strcmp(arg, "never") == 0)
			o->color = COLOR_NEVER;
		else {
			diag("--color", "'%s' is not auto, always or never", arg);
			return false;
		}
		return true;
	}
}

bool
text_color(enum color_when when, int fd)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (when != COLOR_AUTO)
		return when == COLOR_ALWAYS;
	/* no-color.org: NO_COLOR set and not empty turns colour off */
	if ((no != NULL && *no != '\0') || (term != NULL && strcmp(term, "dumb") == 0))
		return false;
	return isatty(fd) == 1;
}

/* inputs has room for every argument (options_parse): no cap. */
static void
add_input(struct options *o, const char *path)
{
	o->inputs[o->ninputs++] = path;
}

#define FILTER_FILE_MAX	(1 << 20)

/* -F FILE: the expression, '#' comments dropped and lines joined with
 * spaces (as tcpdump reads its -F file).  An empty file means no filter. */
static bool
read_filter_file(struct options *o, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n = 0, i;
	bool comment = false, ok;
	int ch;

	if (f == NULL) {
		diag(path, "%s", strerror(errno));
		return false;
	}
	buf = malloc(FILTER_FILE_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		diag(NULL, "out of memory");
		return false;
	}
	while ((ch = getc(f)) != EOF && n < FILTER_FILE_MAX) {
		if (ch == '#')
			comment = true;
		else if (ch == '\n')
			comment = false;
		if (comment)
			continue;
		if (ch == '\0') {
			diag(path, "not a text file (a NUL byte): give a BPF expression");
			fclose(f);
			free(buf);
			return false;
		}
		buf[n++] = ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : (char)ch;
	}
	ok = !ferror(f) && ch == EOF;
	if (!ok)
		diag(path, ferror(f) ? "read error: %s" : "filter file longer than 1 MiB%s",
		    ferror(f) ? strerror(errno) : "");
	fclose(f);
	buf[n] = '\0';
	for (i = 0; i < n && buf[i] == ' '; i++)
		;
	if (!ok || i == n) {
		free(buf);
		return ok;
	}
	/* The words as the command line would have joined them: one space
	 * between each, none at either end (the summary shows the expression). */
	{
		size_t w = 0;

		for (; i < n; i++) {
			if (buf[i] == ' ' && (w == 0 || buf[w - 1] == ' '))
				continue;
			buf[w++] = buf[i];
		}
		while (w > 0 && buf[w - 1] == ' ')
			w--;
		buf[w] = '\0';
	}
	free(o->filter);
	o->filter = buf;
	return true;
}

static bool
fail_on_any(const struct options *o)
{
	unsigned k;

	for (k = 0; k < EVK_COUNT; k++)
		if (o->fail_on[k])
			return true;
	return false;
}

static enum opt_status
check_inputs(const struct options *o)
{
	if (o->ninputs == 0 && o->interface == NULL && !o->list_interfaces) {
		diag(NULL, "no input: give a capture file, '-' for stdin, or -i IFACE "
		    "(try --help)");
		return OPT_USAGE;
	}
	if (o->shard_n > 0 && (o->interface != NULL || o->write_file != NULL || o->at_set ||
	    o->nplot > 0 || o->format != OUT_JSONL || o->quiet)) {
		diag("--shard", "writes a shard log for 'tcpdissect merge': it needs -o jsonl "
		    "and a capture file, and takes no -i, -w, -q, --at or --plot");
		return OPT_USAGE;
	}
	/* A shard log carries no byte-stream results (framing, head-of-line
	 * waits, overlap_conflict): refused rather than silently lost. */
	if ((o->shard_n > 0 || o->threads > 1) && (o->framing != NULL || o->hol_threshold > 0)) {
		diag(o->shard_n > 0 ? "--shard" : "--threads", "takes no --framing or "
		    "--hol-threshold (their results are not carried to the merge)");
		return OPT_USAGE;
	}
	if (o->threads > 1 && o->interface != NULL) {
		diag("--threads", "live capture (-i) runs on one thread for now");
		return OPT_USAGE;
	}
	if (o->threads > 1 && ((o->format == OUT_TEXT && o->verbose) || o->write_file != NULL ||
	    o->at_set || o->nplot > 0 || o->follow_set || o->extract_dir != NULL ||
	    o->shard_n > 0 || o->plot_listeners || o->report_file != NULL ||
	    o->fail_on_severity >= 0 || fail_on_any(o))) {
		diag("--threads", "N > 1 takes no -v (text), -w, --at, --plot, --follow, "
		    "--extract, --shard, --plot-listeners, --report or --fail-on");
		return OPT_USAGE;
	}
	return OPT_OK;
}

enum opt_status
options_parse(struct options *o, int argc, char **argv)
{
	bool read_given = false;
	size_t flen = 0;
	int c, i;

	o->inputs = calloc((size_t)argc + 1, sizeof(*o->inputs));
	if (o->inputs == NULL) {
		diag(NULL, "out of memory");
		return OPT_USAGE;
	}
	opterr = 0;
	/* 0, not 1: getopt starts afresh, so a second call parses its own argv
	 * (tcpdissect_main() runs many times in a fuzz target).  GNU getopt
	 * permutes: options may follow the file names and the filter, as with
	 * tcpdump on Linux; the other arguments keep their order (files first,
	 * then the filter words).  A filter word that starts with '-' needs
	 * "--" before it. */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":o:r:i:w:c:F:lqvVhnZ:Dt", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (strcmp(optarg, "text") == 0)
				o->format = OUT_TEXT;
			else if (strcmp(optarg, "jsonl") == 0)
				o->format = OUT_JSONL;
			else if (strcmp(optarg, "json") == 0)
				o->format = OUT_JSON;
			else {
				diag("-o", "unknown output format '%s' (text, jsonl or json)",
				    optarg);
				return OPT_USAGE;
			}
			break;
		case 'r':
			read_given = true;
			add_input(o, optarg);
			break;
		case 'F':
			o->filter_file = optarg;
			break;
		case 'l':
			o->line_flush = true;
			break;
		case 'i':
			o->interface = optarg;
			break;
		case 'w':
			o->write_file = optarg;
			break;
		case 'c':
			if (!parse_count(optarg, &o->count)) {
				diag("-c", "'%s' is not a positive packet count", optarg);
				return OPT_USAGE;
			}
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'n':
			break;
		case 'Z':
			o->user = optarg;
			break;
		case 'D':
			o->list_interfaces = true;
			break;
		case 'V':
			printf("tcpdissect %s\n", PACKAGE_VERSION);
			return OPT_VERSION;
		case 'h':
			fputs(usage_text, stdout);
			return OPT_HELP;
		case LOPT_MSL:
			if (!parse_seconds(optarg, &o->msl) || o->msl == 0) {
				diag("--msl", "'%s' is not a positive number of seconds", optarg);
				return OPT_USAGE;
			}
			break;
		case LOPT_IDLE:
			if (!parse_seconds(optarg, &o->idle_timeout) || o->idle_timeout == 0) {
				diag("--idle-timeout", "'%s' is not a positive number of seconds",
				    optarg);
				return OPT_USAGE;
			}
			o->idle_set = true;
			break;
		case LOPT_CLOSE_WAIT:
			if (!parse_seconds(optarg, &o->close_wait_timeout)) {
				diag("--close-wait-timeout", "'%s' is not a number of seconds",
				    optarg);
				return OPT_USAGE;
			}
			break;
		case LOPT_AT:
			if (!parse_at(optarg, o)) {
				diag("--at", "'%s' is not a time: seconds since the epoch (up to "
				    "4611686018, in 2116), or +SECONDS after the first packet",
				    optarg);
				return OPT_USAGE;
			}
			break;
		case LOPT_FLOOD_WINDOW:
			if (!parse_seconds(optarg, &o->flood_window) || o->flood_window < 0.001) {
				diag("--syn-flood-window",
				    "'%s' is not a number of seconds >= 0.001", optarg);
				return OPT_USAGE;
			}
			break;
		case LOPT_FLOOD_SYNS:
			if (!parse_count(optarg, &o->flood_syns) || o->flood_syns > UINT32_MAX) {
				diag("--syn-flood-syns", "'%s' is not a positive count", optarg);
				return OPT_USAGE;
			}
			break;
		case LOPT_FLOOD_RATIO:
			if (!parse_count(optarg, &o->flood_ratio) || o->flood_ratio > 1000000) {
				diag("--syn-flood-ratio", "'%s' is not a count from 1 to 1000000",
				    optarg);
				return OPT_USAGE;
			}
			break;
		case LOPT_FAIL_ON:
			if (!parse_fail_on(o, optarg))
				return OPT_USAGE;
			break;
		case LOPT_INTERVAL:
			if (!parse_seconds(optarg, &o->interval) || o->interval < 0.1) {
				diag("--interval", "'%s' is not a number of seconds >= 0.1",
				    optarg);
				return OPT_USAGE;
			}
			break;
		case LOPT_DURATION:
			if (!parse_seconds(optarg, &o->duration) || o->duration == 0) {
				diag("--duration", "'%s' is not a positive number of seconds",
				    optarg);
				return OPT_USAGE;
			}
			break;
		case LOPT_BUFFER_SIZE:
			if (!parse_size(optarg, &o->buffer_size) || o->buffer_size > INT32_MAX) {
				diag("--buffer-size", "'%s' is not a size (e.g. 16M)", optarg);
				return OPT_USAGE;
			}
			break;
		case LOPT_NO_PROMISC:
			o->no_promisc = true;
			break;
		case LOPT_STRICT:
			o->strict = true;
			break;
		case LOPT_MEMCAP:
			if (!parse_size(optarg, &o->memcap) || o->memcap < ((size_t)64 << 10)) {
				diag("--memcap",
				    "'%s' is not a size of at least 64K (e.g. 256M, 2G)", optarg);
				return OPT_USAGE;
			}
			break;
		case 't':
		case LOPT_LOCAL_TIME:
		case LOPT_COLOR:
			if (!text_option(o, c, optarg))
				return OPT_USAGE;
			break;
		case LOPT_PLOT:
		case LOPT_PLOT_DIR:
		case LOPT_PLOT_LISTENERS:
		case LOPT_REPORT:
		case LOPT_REPORT_MAX:
			if (!parse_picture_option(o, c, optarg))
				return OPT_USAGE;
			break;
		case LOPT_FOLLOW:
		case LOPT_EXTRACT:
		case LOPT_STREAM_MEMCAP:
		case LOPT_FRAMING:
		case LOPT_HOL_THRESHOLD:
			if (!parse_bytes_option(o, c, optarg))
				return OPT_USAGE;
			break;
		case LOPT_THREADS: {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || *optarg == '-' ||
			    v == 0 || v > THREADS_MAX) {
				diag("--threads", "'%s' is not a number of threads from 1 to %u",
				    optarg, THREADS_MAX);
				return OPT_USAGE;
			}
			o->threads = (unsigned)v;
			break;
		}
		case LOPT_SHARD:
			if (!shard_parse(optarg, &o->shard_k, &o->shard_n)) {
				diag("--shard", "'%s' is not K/N with 0 <= K < N <= %u (e.g. 0/4)",
				    optarg, SHARD_MAX);
				return OPT_USAGE;
			}
			break;
		case ':':
			diag(argv[optind - 1], "option needs an argument (try --help)");
			return OPT_USAGE;
		case '?':
		default:
			if (optopt != 0)
				diag(NULL, "unknown option '-%c' (try --help)", optopt);
			else
				diag(NULL, "unknown option '%s' (try --help)", argv[optind - 1]);
			return OPT_USAGE;
		}
	}
	i = optind;
	if (o->filter_file != NULL) {
		/* -F: the filter is the file's; every argument is an input. */
		if (read_given || o->interface != NULL) {
			if (i < argc) {
				diag(argv[i], "-F gives the filter: no filter words with it");
				return OPT_USAGE;
			}
		} else {
			for (; i < argc; i++)
				add_input(o, argv[i]);
		}
		return read_filter_file(o, o->filter_file) ? check_inputs(o) : OPT_USAGE;
	}
	if (!read_given && o->interface == NULL && !o->list_interfaces) {
		/* The first argument is always an input, so that a missing
		 * file is reported as missing (exit 2), not as a filter. */
		for (; i < argc && (i == optind || looks_like_input(argv[i])); i++)
			add_input(o, argv[i]);
	}
	/* Whatever is left is the capture filter, joined as tcpdump does. */
	for (c = i; c < argc; c++)
		flen += strlen(argv[c]) + 1;
	if (flen > 0) {
		o->filter = malloc(flen);
		if (o->filter == NULL) {
			diag(NULL, "out of memory");
			return OPT_USAGE;
		}
		o->filter[0] = '\0';
		for (c = i; c < argc; c++) {
			if (c > i)
				strcat(o->filter, " ");
			strcat(o->filter, argv[c]);
		}
	}
	return check_inputs(o);
}
