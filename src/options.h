/* options.h: everything the command line can set, with its defaults, and
 * the parser.  options_parse() prints nothing but help, version and usage
 * errors; main() maps its status to SPEC.md's exit codes. */
#ifndef TCPDISSECT_OPTIONS_H
#define TCPDISSECT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

enum output_format {
	OUT_TEXT,
	OUT_JSONL,
	OUT_JSON,
};

enum opt_status {
	OPT_OK,
	OPT_USAGE,	/* bad option: message printed, exit 1 */
	OPT_HELP,	/* -h printed, exit 0 */
	OPT_VERSION,	/* -V printed, exit 0 */
};

enum color_when {
	COLOR_AUTO,	/* a terminal, and NO_COLOR unset or empty */
	COLOR_ALWAYS,
	COLOR_NEVER,
};

#define REPORT_MAX_GRAPHS	64
#define MAX_PLOT_STREAMS 64

struct options {
	enum output_format	 format;
	const char		**inputs;	/* as many as given: no cap */
	unsigned		 ninputs;
	char			*filter;	/* joined trailing arguments, -F's
						 * file, or NULL */
	const char		*filter_file;	/* -F */
	const char		*interface;	/* -i */
	const char		*write_file;	/* -w */
	const char		*user;		/* -Z */
	uint64_t		 count;		/* -c; 0 = all */
	bool			 quiet;		/* -q */
	bool			 verbose;	/* -v: list connections in text */
	bool			 line_flush;	/* -l: each record leaves at once */
	bool			 strict;	/* --strict */
	bool			 list_interfaces; /* -D */
	double			 msl;		/* --msl seconds */
	double			 idle_timeout;	/* --idle-timeout seconds */
	bool			 idle_set;	/* --idle-timeout given */
	double			 close_wait_timeout;
	bool			 at_set;		/* --at */
	bool			 at_relative;
	int64_t			 at_ns;
	double			 flood_window;	/* --syn-flood-window seconds */
	uint64_t		 flood_syns;	/* --syn-flood-syns */
	uint64_t		 flood_ratio;	/* --syn-flood-ratio */
	size_t			 memcap;		/* --memcap bytes */
	double			 interval;	/* --interval seconds (live); 0 = none */
	double			 duration;	/* --duration seconds (live); 0 = none */
	size_t			 buffer_size;	/* --buffer-size (live); 0: default */
	bool			 no_promisc;	/* --no-promisc (live) */
	bool			 fail_on[EVK_COUNT];	/* --fail-on kinds */
	int			 fail_on_severity;	/* -1 = none */
	/* text output (report.h struct text_style) */
	int			 time_format;	/* -t count: enum time_format */
	bool			 local_time;	/* --local-time */
	enum color_when		 color;		/* --color */
	/* pictures (issue 14) */
	uint32_t		 plot_streams[MAX_PLOT_STREAMS];	/* --plot */
	unsigned		 nplot;
	const char		*plot_dir;	/* --plot-dir (default ".") */
	/* the byte stream (issue 15) */
	bool			 follow_set;	/* --follow */
	uint32_t		 follow_stream;
	int			 follow_mode;	/* enum follow_mode (bytestream.h) */
	const char		*extract_dir;	/* --extract, or NULL */
	size_t			 stream_memcap;	/* --stream-memcap bytes */
	const char		*framing;	/* --framing RULE, or NULL */
	double			 hol_threshold;	/* --hol-threshold seconds; 0: RTT */
	bool			 hol_set;	/* --hol-threshold given */
	/* sharding (issue 16) */
	unsigned		 shard_k, shard_n;	/* --shard K/N; n == 0: none */
	unsigned		 threads;	/* --threads N (default 1) */
	bool			 plot_listeners;	/* --plot-listeners */
	const char		*report_file;	/* --report, or NULL */
	unsigned		 report_max;	/* --report-max (default 5) */
};

void options_init(struct options *o);
/* Colour for the text output on file descriptor fd, as --color asks. */
bool text_color(enum color_when when, int fd);
enum opt_status options_parse(struct options *o, int argc, char **argv);
void options_free(struct options *o);

#endif /* TCPDISSECT_OPTIONS_H */
