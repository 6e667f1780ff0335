/* plot.h: --plot, time-sequence graphs of chosen connections.
 *
 * The collector keeps, for each stream asked for and each direction, what a
 * tcptrace graph shows: the data segments, the peer's cumulative ACK, its
 * receive window (ACK + scaled window), its SACK blocks, RTT samples and the
 * bytes sent and acknowledged over time, all in bounded memory (series that
 * halve their resolution when full, plot_int.h), plus every event of the
 * stream as a mark that is never decimated.  It is fed by one call on the
 * per-packet path, after tcp_track (plot_segment), and sees the events by
 * standing between the analysis and the real reporter (plot_reporter).  At
 * the end of each input it writes one self-contained SVG per stream and
 * direction (plot_svg.c).  Streams not asked for cost one lookup in a short
 * sorted array. */
#ifndef TCPDISSECT_PLOT_H
#define TCPDISSECT_PLOT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"
#include "flow.h"
#include "report.h"
#include "tcpstate.h"

#define PLOT_MAX_STREAMS	64

struct plot;

/* streams: the tcp.stream numbers to draw (copied); dir: where the SVG
 * files go (borrowed; created if missing), or NULL to write no file and
 * keep the graphs for plot_svg_of().  NULL when memory cannot be had. */
struct plot *plot_create(const uint32_t *streams, unsigned nstreams, const char *dir);
void plot_destroy(struct plot *pl);

/* One segment of connection c sent by side dir, after tcp_track(). */
void plot_segment(struct plot *pl, const struct conn *c, unsigned dir,
    const struct segment *seg, const struct track_result *tr, uint64_t frame, int64_t ts_ns);

/* A reporter that records the events of the plotted streams, forwards every
 * call to inner, and writes the graphs of an input when the next begins and
 * at the end.  Destroying it destroys inner.  NULL on allocation failure
 * (inner is then left alone). */
struct reporter *plot_reporter(struct plot *pl, struct reporter *inner);

/* Draw direction which (0: the first segment's sender, 1: the other) of
 * a stream kept by a plot without a directory; false when the stream was
 * not seen.  Check ferror(f) for write errors. */
bool plot_svg_of(struct plot *pl, uint32_t stream, unsigned which, FILE *f, const char *source);

/* A graph could not be written (already said on stderr). */
bool plot_failed(const struct plot *pl);

#endif /* TCPDISSECT_PLOT_H */
