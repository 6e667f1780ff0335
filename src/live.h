/* live.h: the live capture source (-i IFACE), built only with libevent.
 * Opens the interface with libpcap, drives its selectable descriptor from
 * a libevent loop with timers for idle expiry, --interval and --duration
 * and signal events for SIGINT/SIGTERM, and feeds the same pipeline as a
 * capture file.  The only file that includes libevent. */
#ifndef TCPDISSECT_LIVE_H
#define TCPDISSECT_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "pipeline.h"
#include "report.h"

struct live_opts {
	const char	*iface;
	const char	*filter;	/* BPF expression or NULL */
	const char	*user;		/* -Z: drop to this user after activation */
	const char	*write_file;	/* -w: every captured packet, as it comes */
	uint64_t	 count;		/* -c; 0 = no limit */
	double		 duration;	/* --duration seconds; 0 = no limit */
	double		 interval;	/* --interval seconds; 0 = none */
	int		 buffer_size;	/* --buffer-size bytes; 0 = libpcap's */
	int		 snaplen;
	bool		 promisc;
};

enum live_status {
	LIVE_OK,		/* stopped by -c, --duration or a signal */
	LIVE_OPEN_FAILED,	/* the interface could not be opened (message printed) */
	LIVE_BAD_FILTER,
	LIVE_PRIV_FAILED,	/* -Z could not be carried out (fatal) */
	LIVE_FAILED,		/* the capture broke (message printed) */
};

/* Capture until stopped; in is filled in (name, ts_digits). */
enum live_status live_run(const struct live_opts *o, struct input_info *in, struct pipeline *p);

/* -D: print the interfaces libpcap can capture on; false on error. */
bool live_list_interfaces(void);

#endif /* TCPDISSECT_LIVE_H */
