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

#include "analysis.h"
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
	LOPT_PICTURES,		/* the block of picture options (issue 14) */
	LOPT_PLOT = LOPT_PICTURES,
	LOPT_PLOT_DIR,
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "read", required_argument, NULL, 'r' },
	{ "interface", required_argument, NULL, 'i' },
	{ "write", required_argument, NULL, 'w' },
	{ "count", required_argument, NULL, 'c' },
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
	/* pictures */
	{ "plot", required_argument, NULL, LOPT_PLOT },
	{ "plot-dir", required_argument, NULL, LOPT_PLOT_DIR },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
"usage: tcpdissect [options] FILE... [BPF expression]\n"
"       tcpdissect [options] -r FILE [BPF expression]\n"
"\n"
"Rebuilds every TCP connection of a pcap/pcapng capture ('-' = stdin) and\n"
"reports what went wrong, numbered as Wireshark numbers frames and streams.\n"
"\n"
"  -o, --output FORMAT     text (default), jsonl or json\n"
"  -r, --read FILE         read FILE (may repeat); then every argument is filter\n"
"  -w, --write FILE        write the packets of flagged connections to FILE\n"
"  -c, --count N           stop after N packets\n"
"  -q, --quiet             summary only\n"
"  -v, --verbose           text output: one line per connection too\n"
"  -n                      no name resolution (always the case)\n"
"      --msl SECONDS       maximum segment lifetime; TIME_WAIT = 2*MSL (default 60)\n"
"      --fail-on KINDS     exit 3 if any of KINDS (comma list of event kinds,\n"
"                          'any', or a severity: info, notice, warning, alert)\n"
"                          was reported\n"
"      --strict            a damaged (truncated) capture exits 2\n"
"      --memcap SIZE       memory for connection state, e.g. 256M (default 512M)\n"
"      --idle-timeout SECONDS   forget a quiet open connection (default 300)\n"
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
"Exit status: 0 ok, 1 usage error, 2 input unreadable, 3 --fail-on matched.\n";

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
}

void
options_free(struct options *o)
{
	free(o->filter);
	o->filter = NULL;
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
 * epoch; a fraction of up to nine digits, kept exact. */
static bool
parse_at(const char *s, struct options *o)
{
	int64_t sec = 0, frac = 0;
	int digits = 0, fdigits = 0;

	o->at_relative = *s == '+';
	if (*s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (sec > 9000000000LL)		/* past 2255: not a capture time */
			return false;
		sec = sec * 10 + (*s - '0');
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
	o->at_ns = sec * 1000000000LL + frac;
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

static bool
add_input(struct options *o, const char *path)
{
	if (o->ninputs >= MAX_INPUTS) {
		diag(NULL, "too many input files (at most %d)", MAX_INPUTS);
		return false;
	}
	o->inputs[o->ninputs++] = path;
	return true;
}

enum opt_status
options_parse(struct options *o, int argc, char **argv)
{
	bool read_given = false;
	size_t flen = 0;
	int c, i;

	opterr = 0;
	/* '+': stop at the first non-option, so a filter like "tcp and not
	 * port 22" is never mistaken for options. */
	while ((c = getopt_long(argc, argv, "+:o:r:i:w:c:qvVhnZ:D", long_opts, NULL)) != -1) {
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
			if (!add_input(o, optarg))
				return OPT_USAGE;
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
				diag("--at", "'%s' is not a time: seconds since the epoch, or "
				    "+SECONDS after the first packet", optarg);
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
		case LOPT_PLOT:
		case LOPT_PLOT_DIR:
			if (!parse_picture_option(o, c, optarg))
				return OPT_USAGE;
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
	if (!read_given && o->interface == NULL && !o->list_interfaces) {
		/* The first argument is always an input, so that a missing
		 * file is reported as missing (exit 2), not as a filter. */
		for (; i < argc && (i == optind || looks_like_input(argv[i])); i++)
			if (!add_input(o, argv[i]))
				return OPT_USAGE;
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
	if (o->ninputs == 0 && o->interface == NULL && !o->list_interfaces) {
		diag(NULL, "no input: give a capture file, '-' for stdin, or -i IFACE "
		    "(try --help)");
		return OPT_USAGE;
	}
	return OPT_OK;
}
