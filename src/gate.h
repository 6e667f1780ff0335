/* gate.h: a reporter that watches the records on their way to the real
 * one, for a CI run over many files: which events match --fail-on (the
 * first of each file is named on stderr, so a CI log says what failed
 * without a re-run) and, with -q over several files, one summary line per
 * file before the total.  Everything it is given goes on unchanged to the
 * reporter it wraps. */
#ifndef TCPDISSECT_GATE_H
#define TCPDISSECT_GATE_H

#include <stdbool.h>

#include "event.h"
#include "report.h"

struct gate_config {
	const bool	*fail_on;		/* [EVK_COUNT] kinds that match */
	int		 fail_on_severity;	/* -1: none */
	bool		 file_lines;		/* a text line per input (-q, several) */
};

/* Wraps inner, which it then owns (gate's destroy destroys it).  NULL on
 * allocation failure (inner is then destroyed too). */
struct reporter *gate_new(struct reporter *inner, const struct gate_config *cfg);
/* Inputs in which an event matched --fail-on. */
unsigned gate_files_matched(const struct reporter *g);

#endif /* TCPDISSECT_GATE_H */
