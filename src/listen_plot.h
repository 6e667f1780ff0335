/* listen_plot.h: --plot-listeners, each listener's timeline over an input.
 *
 * Per listener (server address and port, as the analysis counts them):
 * the connections it holds by state (half-open, established, closing,
 * its TIME_WAIT sockets), the new SYNs against the completed handshakes,
 * and the incidents (accept queue overflows, SYN floods, SYN cookies,
 * SYNs dropped) as marks with their frames.  Memory is fixed: at most
 * LPLOT_LISTENERS listeners (the first seen), LPLOT_BINS time bins each
 * (bins double in width as the input runs on: peaks and counts merge),
 * LPLOT_MARKS_MAX marks; the rest is counted and said on the picture.
 *
 * Fed by one call per tracked segment (lplot_segment, after the analysis,
 * whose listener figures it samples), one per connection leaving the table
 * (lplot_conn_end), and by a reporter in front of the real one for the
 * incidents (lplot_reporter).  At each input's end it writes
 * DIR/listener-IP-PORT.svg (with a directory), and keeps the input's data
 * until the next begins, so the HTML report can draw it too. */
#ifndef TCPDISSECT_LISTEN_PLOT_H
#define TCPDISSECT_LISTEN_PLOT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis.h"
#include "flow.h"
#include "report.h"
#include "tcpstate.h"

#define LPLOT_LISTENERS	32u
#define LPLOT_BINS	256u
#define LPLOT_MARKS_MAX	4096u

struct lplot;

/* dir: where the SVG files go (borrowed; created if missing), or NULL to
 * write none (the HTML report draws them).  NULL without memory. */
struct lplot *lplot_create(const char *dir);
void lplot_destroy(struct lplot *lp);

/* One segment of c after tcp_track (tr) and analysis_segment. */
void lplot_segment(struct lplot *lp, struct analysis *a, const struct conn *c,
    const struct segment *seg, const struct track_result *tr, int64_t ts_ns);
/* c leaves the table (after analysis_conn_end). */
void lplot_conn_end(struct lplot *lp, struct analysis *a, const struct conn *c);

/* A reporter that records the incidents, forwards every call to inner,
 * writes the pictures of an input when the next begins and at the end.
 * Destroying it destroys inner.  NULL on allocation failure. */
struct reporter *lplot_reporter(struct lplot *lp, struct reporter *inner);

/* Listeners drawn for the input that ended last (or is running). */
unsigned lplot_count(const struct lplot *lp);
/* New SYNs listener i received in the input. */
uint64_t lplot_syns(const struct lplot *lp, unsigned i);
/* Draw listener i as an SVG document (xml_decl: begin with the XML
 * declaration, for a file of its own).  False on a write error. */
bool lplot_svg_write(FILE *f, const struct lplot *lp, unsigned i, bool xml_decl);

/* A picture could not be written (already said on stderr). */
bool lplot_failed(const struct lplot *lp);

#endif /* TCPDISSECT_LISTEN_PLOT_H */
