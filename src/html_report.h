/* html_report.h: --report FILE.html, the whole analysis on one page.
 *
 * One self-contained HTML file (inline CSS, inline SVG, one short inline
 * script; nothing fetched, so it works offline and from file://): the
 * verdicts first (event kinds by severity, with their hints, and the
 * listeners' figures), each listener's timeline (listen_plot.h), sortable
 * and filterable tables of the events and of the connections, every row
 * with the Wireshark filter that finds it (the rows are JSON data the
 * script draws a page at a time, so the page opens at once however many
 * it holds; without script the page says -o jsonl has them), and the
 * time-sequence graphs
 * (plot.h) of the worst connections (the weightiest events above info),
 * at most --report-max per input.
 *
 * It sees the run as a reporter in front of the real one (events,
 * connection records, the summary), keeps at most HTML_ROWS_MAX rows of
 * each table (the weightiest: by the event's severity, the connection's
 * worst event's; the earliest within a weight) and the HTML_LISTENERS_MAX
 * listeners with the most SYNs (the rest counted, and said on the page),
 * and draws the
 * graphs by reading each input a second time after its first pass, when
 * the worst streams are known (standard input cannot be read twice: the
 * page says so).  Pictures wait in temporary files, not in memory; the
 * page is written at the end. */
#ifndef TCPDISSECT_HTML_REPORT_H
#define TCPDISSECT_HTML_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "listen_plot.h"
#include "pipeline.h"
#include "report.h"
#include "source.h"

#define HTML_ROWS_MAX	5000u	/* rows of each table */
#define HTML_LISTENERS_MAX 8u	/* timelines per input: the busiest */

struct html_report;

/* path: the file to write (borrowed); max_graphs: --report-max.  NULL
 * (said on stderr) when its temporary files cannot be had. */
struct html_report *html_create(const char *path, unsigned max_graphs);
void html_destroy(struct html_report *h);

/* A reporter recording what the page shows, forwarding every call to
 * inner.  Destroying it destroys inner.  NULL on allocation failure. */
struct reporter *html_reporter(struct html_report *h, struct reporter *inner);

/* Input in (read from path) is done: keep its listener timelines (lp) and
 * draw its worst connections, reading path again with a pipeline
 * configured as pc (without pictures) and the source options so (max:
 * the matching packets the first pass read, with -c). */
void html_input_done(struct html_report *h, const struct lplot *lp, const char *path,
    const struct input_info *in, const struct pipeline_config *pc, const struct source_opts *so);

/* The page could not be written (said on stderr).  It is written when
 * the run ends (the reporter's end, after the summary). */
bool html_failed(const struct html_report *h);

#endif /* TCPDISSECT_HTML_REPORT_H */
