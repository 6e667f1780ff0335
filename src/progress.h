/* progress.h: progress of reading one input, on stderr, for a person
 * watching a terminal: bytes and packets read, rate, and time left when
 * the input's size is known.  Owns nothing but its line: at most four
 * updates a second (TCPDISSECT_PROGRESS_MS overrides the 250 ms, for
 * tests), erased when the input ends.  The caller decides whether to show
 * it at all (stderr a terminal, no -q: progress_wanted()). */
#ifndef TCPDISSECT_PROGRESS_H
#define TCPDISSECT_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE		*out;
	const char	*name;
	uint64_t	 total;		/* bytes of the input; 0 = unknown */
	uint64_t	 bytes;		/* read so far (records and headers) */
	uint64_t	 frames;
	int64_t		 start_ns, next_ns;
	int64_t		 interval_ns;
	uint32_t	 countdown;	/* records until the clock is read */
	bool		 shown;		/* a line is on the terminal */
};

/* Is stderr a terminal a person watches (and not silenced with -q)? */
bool progress_wanted(bool quiet);
/* Start on input name; total bytes when known (a regular file's size). */
void progress_start(struct progress *pr, FILE *out, const char *name, uint64_t total);
/* Called by progress_record every few records: redraw when due. */
void progress_tick(struct progress *pr);
/* One record of caplen bytes read (plus its record header). */
static inline void
progress_record(struct progress *pr, uint32_t caplen)
{
	pr->frames++;
	pr->bytes += (uint64_t)caplen + 16;
	if (--pr->countdown == 0)
		progress_tick(pr);
}
/* The input ended: erase the line. */
void progress_end(struct progress *pr);

#endif /* TCPDISSECT_PROGRESS_H */
