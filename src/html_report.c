/* html_report.c: --report FILE.html (html_report.h). */
#include "config.h"

#include "html_report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "svg.h"
#include "tee.h"
#include "util.h"

#define GRAPHS_MAX	64u	/* per input: --report-max's ceiling */

struct ev_row {
	int64_t		ts_ns;
	uint64_t	frame, stream, first_frame, last_frame;
	struct endpoint	src, dst;
	unsigned	input;
	uint8_t		kind, severity;
	bool		has_stream, has_src;
	char		msg[EVENT_MESSAGE_MAX];
};

struct conn_row {
	int64_t		start_ns, end_ns;
	uint32_t	stream, first_frame, last_frame;
	unsigned	input;
	struct endpoint	ep[2];		/* client, server */
	uint64_t	packets[2], bytes[2], retrans[2];
	const char	*handshake, *close;
	int		max_severity;	/* -1: no event */
	char		events[160];	/* "kind N, kind N" */
};

struct worst {
	uint32_t	stream;
	uint64_t	score;
};

struct html_report {
	const char	*path;
	unsigned	 max_graphs;
	struct ev_row	*ev;
	size_t		 nev, ev_alloc;
	uint64_t	 ev_more;
	struct conn_row	*cr;
	size_t		 ncr, cr_alloc;
	uint64_t	 cr_more;
	struct worst	 worst[GRAPHS_MAX];	/* the input's, best first */
	unsigned	 nworst;
	FILE		*lis, *graphs;		/* sections waiting for the page */
	unsigned	 nlis, ngraphs;
	unsigned	 lis_more;		/* listeners not drawn here */
	bool		 graphs_unread;		/* standard input: no second pass */
	const char	*inputs[64];
	unsigned	 ninputs, inputs_more;
	/* the summary */
	bool		 have_summary;
	uint64_t	 by_kind[EVK_COUNT];
	uint64_t	 packets, tcp_packets, bytes, connections, peak_concurrent;
	int64_t		 start_ns, end_ns;
	bool		 have_time;
	struct listener	*ls;
	unsigned	 nls;
	bool		 failed;
};

struct html_report *
html_create(const char *path, unsigned max_graphs)
{
	struct html_report *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->path = path;
	h->max_graphs = max_graphs < GRAPHS_MAX ? max_graphs : GRAPHS_MAX;
	h->lis = tmpfile();
	h->graphs = tmpfile();
	if (h->lis == NULL || h->graphs == NULL) {
		diag(path, "--report: no temporary file: %s", strerror(errno));
		html_destroy(h);
		return NULL;
	}
	return h;
}

void
html_destroy(struct html_report *h)
{
	if (h == NULL)
		return;
	if (h->lis != NULL)
		fclose(h->lis);
	if (h->graphs != NULL)
		fclose(h->graphs);
	free(h->ev);
	free(h->cr);
	free(h->ls);
	free(h);
}

/* Room for one more row in a table of rows of size sz; NULL when the
 * table is full (HTML_ROWS_MAX) or memory ran out. */
static void *
row_add(void **rows, size_t *n, size_t *alloc, size_t sz)
{
	if (*n == HTML_ROWS_MAX)
		return NULL;
	if (*n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 256;
		void *p = realloc(*rows, na * sz);

		if (p == NULL)
			return NULL;
		*rows = p;
		*alloc = na;
	}
	return (char *)*rows + (*n)++ * sz;
}

/* ---- what the run reports ----------------------------------------------- */

static uint64_t
severity_weight(int sev)
{
	return sev == SEV_ALERT ? 1000000 : sev == SEV_WARNING ? 1000 : sev == SEV_NOTICE ? 10 : 1;
}

/* A connection with an event above info (a notice, a warning, an alert)
 * competes for a graph: by the weight of its events (one alert outweighs
 * any number of warnings in practice), the earlier stream first. */
static void
consider_worst(struct html_report *h, uint32_t stream, uint64_t score)
{
	unsigned i;

	if (h->max_graphs == 0)
		return;
	for (i = h->nworst; i > 0 && h->worst[i - 1].score < score; i--)
		;
	if (i == h->max_graphs)
		return;
	if (h->nworst < h->max_graphs)
		h->nworst++;
	memmove(&h->worst[i + 1], &h->worst[i], (h->nworst - 1 - i) * sizeof(h->worst[0]));
	h->worst[i] = (struct worst){ stream, score };
}

static void
record_event(struct html_report *h, const struct event *ev, const struct input_info *in)
{
	struct ev_row *r = row_add((void **)&h->ev, &h->nev, &h->ev_alloc, sizeof(*r));

	if (r == NULL) {
		h->ev_more++;
		return;
	}
	memset(r, 0, sizeof(*r));
	r->ts_ns = ev->ts_ns;
	r->frame = ev->frame;
	r->stream = ev->stream;
	r->has_stream = ev->has_stream;
	r->has_src = ev->has_src;
	r->first_frame = ev->first_frame;
	r->last_frame = ev->last_frame;
	r->src = ev->src;
	r->dst = ev->dst;
	r->input = in != NULL ? in->index : 0;
	r->kind = (uint8_t)ev->kind;
	r->severity = (uint8_t)ev->severity;
	memcpy(r->msg, ev->message, sizeof(r->msg));
	r->msg[sizeof(r->msg) - 1] = '\0';
}

static void
record_connection(struct html_report *h, const struct conn_report *cr)
{
	const struct conn *c = cr->c;
	struct conn_row *r;
	uint64_t score = 0;
	int maxsev = -1;
	size_t used = 0;
	unsigned i, side;

	for (i = 0; i < CONN_EVENT_SLOTS; i++) {
		enum event_kind k;
		int sev;

		if (c->ev_kind[i] == 0)
			continue;
		k = (enum event_kind)(c->ev_kind[i] - 1);
		sev = (int)event_kind_severity(k);
		score += c->ev_count[i] * severity_weight(sev);
		if (sev > maxsev)
			maxsev = sev;
	}
	if (maxsev >= SEV_NOTICE)
		consider_worst(h, c->stream, score);
	r = row_add((void **)&h->cr, &h->ncr, &h->cr_alloc, sizeof(*r));
	if (r == NULL) {
		h->cr_more++;
		return;
	}
	memset(r, 0, sizeof(*r));
	r->stream = c->stream;
	r->first_frame = c->first_frame;
	r->last_frame = c->last_frame;
	r->start_ns = c->start_ns;
	r->end_ns = c->last_ns;
	r->input = cr->in != NULL ? cr->in->index : 0;
	for (i = 0; i < 2; i++) {
		side = i == 0 ? c->client : !c->client;
		r->ep[i] = cr->ep[side];
		r->packets[i] = c->side[side].packets;
		r->bytes[i] = cr->x != NULL ? cr->x->side[side].bytes : 0;
		r->retrans[i] = cr->x != NULL ? cr->x->side[side].retrans_bytes : 0;
	}
	r->handshake = conn_handshake_name(c);
	r->close = conn_close_name(c, cr->why);
	r->max_severity = maxsev;
	for (i = 0; i < CONN_EVENT_SLOTS && used < sizeof(r->events); i++)
		if (c->ev_kind[i] != 0)
			used += (size_t)snprintf(r->events + used, sizeof(r->events) - used,
			    "%s%s %u", used ? ", " : "",
			    event_kind_name((enum event_kind)(c->ev_kind[i] - 1)), c->ev_count[i]);
	if (c->ev_other && used < sizeof(r->events))
		snprintf(r->events + used, sizeof(r->events) - used, "%sothers %u",
		    used ? ", " : "", c->ev_other);
}

static void
record_summary(struct html_report *h, const struct summary *s)
{
	unsigned i;

	if (s->interim)
		return;
	h->have_summary = true;
	for (i = 0; i < EVK_COUNT; i++)
		h->by_kind[i] = s->events_by_kind != NULL ? s->events_by_kind[i] : 0;
	h->packets = s->stats->packets;
	h->tcp_packets = s->stats->tcp_packets;
	h->bytes = s->stats->bytes;
	h->connections = s->connections;
	h->peak_concurrent = s->peak_concurrent;
	h->start_ns = s->start_ns;
	h->end_ns = s->end_ns;
	h->have_time = s->have_time;
	free(h->ls);
	h->nls = 0;
	h->ls = s->nlisteners > 0 ? malloc(s->nlisteners * sizeof(*h->ls)) : NULL;
	if (h->ls != NULL) {
		memcpy(h->ls, s->listeners, s->nlisteners * sizeof(*h->ls));
		h->nls = s->nlisteners;
	}
}

/* ---- pictures of an input ---------------------------------------------- */

/* An SVG document into f, without its XML declaration (inline in HTML). */
static void
copy_inline(FILE *f, const char *svg, size_t len)
{
	if (len > 5 && memcmp(svg, "<?xml", 5) == 0) {
		const char *nl = memchr(svg, '\n', len);

		if (nl != NULL) {
			len -= (size_t)(nl + 1 - svg);
			svg = nl + 1;
		}
	}
	fwrite(svg, 1, len, f);
}

static void
graphs_of(struct html_report *h, const char *path, const struct input_info *in,
    const struct pipeline_config *pc, const struct source_opts *so)
{
	uint32_t streams[GRAPHS_MAX];
	struct pipeline_config c2 = *pc;
	struct source_opts so2 = *so;
	struct input_info in2 = *in;
	struct reporter *nr, *pr = NULL;
	struct pipeline *p2 = NULL;
	struct plot *pl;
	uint64_t left = so->max_packets;
	unsigned i, w;

	for (i = 0; i < h->nworst; i++)
		streams[i] = h->worst[i].stream;
	pl = plot_create(streams, h->nworst, NULL);
	nr = report_null_new();
	if (pl != NULL && nr != NULL)
		pr = plot_reporter(pl, nr);
	else
		report_destroy(nr);
	c2.plot = pl;
	c2.lplot = NULL;
	c2.at_set = false;
	if (pr != NULL)
		p2 = pipeline_create(&c2, pr);
	so2.progress = false;
	so2.again = true;
	so2.packets_left = &left;
	if (p2 == NULL) {
		diag(h->path, "--report: out of memory drawing the graphs");
		h->failed = true;
	} else if (source_run_file(path, &in2, &so2, p2) != SOURCE_OPEN_FAILED) {
		for (i = 0; i < h->nworst; i++) {
			for (w = 0; w < 2; w++) {
				char *buf = NULL;
				size_t len = 0;
				FILE *m = open_memstream(&buf, &len);
				bool ok;

				if (m == NULL)
					break;
				ok = plot_svg_of(pl, streams[i], w, m, in->name);
				if (fclose(m) == 0 && ok) {
					if (w == 0) {
						fprintf(h->graphs, "<h3 id=\"graph-%u-%u\">"
						    "tcp.stream eq %u", in->index, streams[i],
						    streams[i]);
						if (in->name_in_records) {
							fputs(" of ", h->graphs);
							svg_text(h->graphs, in->name);
						}
						fputs("</h3>\n", h->graphs);
					}
					fputs("<figure class=\"graph\">", h->graphs);
					copy_inline(h->graphs, buf, len);
					fputs("</figure>\n", h->graphs);
					h->ngraphs++;
				}
				free(buf);
			}
		}
	}
	pipeline_destroy(p2);
	if (pr != NULL)
		report_destroy(pr);
	plot_destroy(pl);
}

void
html_input_done(struct html_report *h, const struct lplot *lp, const char *path,
    const struct input_info *in, const struct pipeline_config *pc, const struct source_opts *so)
{
	unsigned pick[HTML_LISTENERS_MAX], n = 0, i, j, k;

	/* the busiest listeners, in order of appearance */
	for (i = 0; lp != NULL && i < lplot_count(lp); i++) {
		for (j = n; j > 0 && lplot_syns(lp, pick[j - 1]) < lplot_syns(lp, i); j--)
			;
		if (j == HTML_LISTENERS_MAX)
			continue;
		if (n < HTML_LISTENERS_MAX)
			n++;
		memmove(&pick[j + 1], &pick[j], (n - 1 - j) * sizeof(pick[0]));
		pick[j] = i;
	}
	for (k = 0; k < n; k++) {
		i = pick[k];
		fputs("<figure class=\"listener\">", h->lis);
		if (in->name_in_records) {
			fputs("<figcaption>", h->lis);
			svg_text(h->lis, in->name);
			fputs("</figcaption>", h->lis);
		}
		lplot_svg_write(h->lis, lp, i, false);
		fputs("</figure>\n", h->lis);
		h->nlis++;
	}
	if (lp != NULL && lplot_count(lp) > n)
		h->lis_more += lplot_count(lp) - n;
	if (h->nworst > 0 && strcmp(path, "-") == 0)
		h->graphs_unread = true;
	else if (h->nworst > 0)
		graphs_of(h, path, in, pc, so);
	h->nworst = 0;
}

/* ---- the page ------------------------------------------------------------ */

static const char css[] =
"body{font-family:sans-serif;margin:1.5em;color:#111;background:#fff;max-width:1400px}\n"
"h1{font-size:1.5em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;margin-top:1.6em}\n"
".meta{color:#555}\n"
"code{font-family:monospace;background:#f3f3f3;padding:0 .2em;white-space:nowrap}\n"
"table{border-collapse:collapse;font-size:.85em;width:100%}\n"
"th,td{border:1px solid #ddd;padding:2px 5px;text-align:left;vertical-align:top}\n"
"th{background:#eee;cursor:pointer;position:sticky;top:0;user-select:none}\n"
"th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after"
"{content:' \\25BC'}\n"
"td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
".sev{display:inline-block;padding:0 .4em;border-radius:3px;color:#fff;font-size:.85em}\n"
".sev-alert{background:#b00020}.sev-warning{background:#d35400}"
".sev-notice{background:#2874a6}.sev-info{background:#7f8c8d}\n"
".verdict{margin:.3em 0}.hint{color:#555;font-size:.9em;margin-left:1.5em}\n"
".ok{color:#1e7e34;font-weight:bold}.scroll{max-height:36em;overflow:auto}\n"
"figure{margin:1em 0}svg{max-width:100%;height:auto;border:1px solid #eee}\n"
"input.filter{margin:.4em 0;padding:.2em;width:24em}\n";

/* Sorting (click a column's head), filtering (type in the box), and a
 * self-test for the browser test (tests/report-browser.sh): with
 * #selftest in the address, the page checks its own DOM and writes the
 * result into #selftest-result, with the milliseconds since navigation
 * when the page was parsed and when it was first laid out (how long it
 * takes to open: tests/bench/report-open.sh). */
static const char script[] =
"(function(){'use strict';\n"
"function val(td,num){var v=td.getAttribute('data-v');if(v===null)v=td.textContent;"
"return num?parseFloat(v):v.toLowerCase();}\n"
"function sortBy(t,i,asc){var th=t.tHead.rows[0].cells,num=th[i].getAttribute('data-type')"
"==='num';for(var k=0;k<th.length;k++)th[k].removeAttribute('aria-sort');"
"th[i].setAttribute('aria-sort',asc?'ascending':'descending');var b=t.tBodies[0],"
"r=Array.prototype.slice.call(b.rows);r.sort(function(x,y){var p=val(x.cells[i],num),"
"q=val(y.cells[i],num);return(p<q?-1:p>q?1:0)*(asc?1:-1);});"
"for(var j=0;j<r.length;j++)b.appendChild(r[j]);}\n"
"var ts=document.querySelectorAll('table.sortable');for(var a=0;a<ts.length;a++)"
"(function(t){var th=t.tHead.rows[0].cells;for(var i=0;i<th.length;i++)(function(i){"
"th[i].addEventListener('click',function(){sortBy(t,i,th[i].getAttribute('aria-sort')"
"!=='ascending');});})(i);})(ts[a]);\n"
"function filter(inp){var t=document.getElementById(inp.getAttribute('data-table')),"
"q=inp.value.toLowerCase(),n=0,r=t.tBodies[0].rows;for(var i=0;i<r.length;i++){"
"var s=r[i].textContent.toLowerCase().indexOf(q)>=0;r[i].hidden=!s;if(s)n++;}"
"document.getElementById(inp.getAttribute('data-count')).textContent=n;return n;}\n"
"var fs=document.querySelectorAll('input.filter');for(var f=0;f<fs.length;f++)"
"fs[f].addEventListener('input',function(e){filter(e.target);});\n"
"if(location.hash!=='#selftest')return;\n"
"var res={};res.ms_parsed=Math.round(performance.now());"
"document.body.getBoundingClientRect();res.ms_laid_out=Math.round(performance.now());\n"
"var ev=document.getElementById('events'),cn=document.getElementById('connections');"
"res.events=ev.tBodies[0].rows.length;res.connections=cn.tBodies[0].rows.length;"
"function col(t,i){var o=[],r=t.tBodies[0].rows;for(var k=0;k<r.length;k++)"
"o.push(val(r[k].cells[i],true));return o;}"
"function sorted(a,asc){for(var k=1;k<a.length;k++)if(asc?a[k-1]>a[k]:a[k-1]<a[k])"
"return false;return true;}\n"
"var h=cn.tHead.rows[0].cells[0];h.click();var up=col(cn,0);h.click();var down=col(cn,0);"
"res.sort_ascending=sorted(up,true);res.sort_descending=sorted(down,false)&&"
"(down.length<2||down[0]>down[down.length-1]||up[0]===up[up.length-1]);\n"
"var fi=document.getElementById('events-filter');fi.value='\\u0001no such text';"
"res.filter_none=filter(fi);fi.value='';res.filter_all=filter(fi);\n"
"var sv=document.querySelectorAll('svg'),z=0;for(var s=0;s<sv.length;s++){"
"var b=sv[s].getBoundingClientRect();if(!(b.width>0&&b.height>0))z++;}"
"res.svgs=sv.length;res.svgs_empty=z;"
"document.getElementById('selftest-result').textContent=JSON.stringify(res);\n"
"})();\n";

static void
put_ep(FILE *f, const struct endpoint *ep)
{
	char a[48];

	endpoint_addr_str(ep, a, sizeof(a));
	fprintf(f, ep->family == 6 ? "[%s]:%u" : "%s:%u", a, ep->port);
}

static void
put_rel(FILE *f, const struct html_report *h, int64_t ts_ns)
{
	fprintf(f, "<td class=\"n\" data-v=\"%.9f\">%.6f</td>", (double)(ts_ns - h->start_ns) / 1e9,
	    (double)(ts_ns - h->start_ns) / 1e9);
}

static void
put_input(FILE *f, const struct html_report *h, unsigned input)
{
	if (h->ninputs + h->inputs_more <= 1)
		return;
	fputs("<td>", f);
	if (input < h->ninputs)
		svg_text(f, h->inputs[input]);
	else
		fprintf(f, "%u", input + 1);
	fputs("</td>", f);
}

static void
verdicts(FILE *f, const struct html_report *h)
{
	int sev;
	unsigned k, any = 0, i;

	fputs("<section id=\"verdicts\"><h2>Verdicts</h2>\n", f);
	for (sev = SEV_ALERT; sev >= SEV_INFO; sev--)
		for (k = 0; k < EVK_COUNT; k++) {
			const char *hint;

			if (h->by_kind[k] == 0 || (int)event_kind_severity(k) != sev)
				continue;
			any++;
			fprintf(f, "<div class=\"verdict\"><span class=\"sev sev-%s\">%s</span> "
			    "<b>%s</b> &times; %" PRIu64, severity_name(sev), severity_name(sev),
			    event_kind_name(k), h->by_kind[k]);
			hint = event_kind_hint(k);
			if (hint != NULL && *hint != '\0') {
				fputs("<div class=\"hint\">", f);
				svg_text(f, hint);
				fputs("</div>", f);
			}
			fputs("</div>\n", f);
		}
	if (any == 0)
		fputs("<p class=\"ok\">No anomaly found.</p>\n", f);
	if (h->nls > 0) {
		fputs("<h3>Listeners</h3><table><thead><tr><th>listener</th><th>connections</th>"
		    "<th>completed</th><th>refused</th><th>reset</th><th>peak half-open</th>"
		    "<th>peak established</th><th>peak TIME_WAIT</th><th>peak SYN/s</th>"
		    "<th>peak kernel bytes</th></tr></thead><tbody>\n", f);
		for (i = 0; i < h->nls; i++) {
			const struct listener *l = &h->ls[i];

			fputs("<tr><td>", f);
			put_ep(f, &l->ep);
			fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64
			    "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 "</td>"
			    "<td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 "</td>"
			    "<td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 "</td>"
			    "<td class=\"n\">%" PRIu64 "</td></tr>\n", l->connections, l->completed,
			    l->refused, l->reset, l->peak_half_open, l->peak_established,
			    l->peak_time_wait, l->syn_rate_peak, l->peak_kmem);
		}
		fputs("</tbody></table>\n", f);
	}
	fputs("</section>\n", f);
}

static void
filter_box(FILE *f, const char *table, size_t n)
{
	fprintf(f, "<input class=\"filter\" type=\"search\" id=\"%s-filter\" data-table=\"%s\" "
	    "data-count=\"%s-shown\" placeholder=\"filter rows (any text)\"> "
	    "<span id=\"%s-shown\">%zu</span> shown; click a column's head to sort.\n", table,
	    table, table, table, n);
}

static void
events_table(FILE *f, const struct html_report *h)
{
	bool several = h->ninputs + h->inputs_more > 1;
	size_t i;

	fprintf(f, "<section><h2>Events (%zu)</h2>\n", h->nev);
	if (h->ev_more > 0)
		fprintf(f, "<p>%" PRIu64 " more events are not listed (the page keeps the first "
		    "%u); <code>-o jsonl</code> has them all.</p>\n", h->ev_more, HTML_ROWS_MAX);
	filter_box(f, "events", h->nev);
	fprintf(f, "<div class=\"scroll\"><table id=\"events\" class=\"sortable\"><thead><tr>"
	    "<th data-type=\"num\">frame</th><th data-type=\"num\">time (s)</th>"
	    "<th data-type=\"num\">stream</th>%s<th data-type=\"num\">severity</th><th>kind</th>"
	    "<th>from</th><th>to</th><th>message</th><th>Wireshark filter</th></tr></thead>"
	    "<tbody>\n", several ? "<th>file</th>" : "");
	for (i = 0; i < h->nev; i++) {
		const struct ev_row *r = &h->ev[i];

		fprintf(f, "<tr class=\"event\" data-kind=\"%s\" data-frame=\"%" PRIu64 "\">"
		    "<td class=\"n\">%" PRIu64 "</td>", event_kind_name(r->kind), r->frame,
		    r->frame);
		put_rel(f, h, r->ts_ns);
		if (r->has_stream)
			fprintf(f, "<td class=\"n\">%" PRIu64 "</td>", r->stream);
		else
			fputs("<td class=\"n\" data-v=\"-1\"></td>", f);
		put_input(f, h, r->input);
		fprintf(f, "<td data-v=\"%u\"><span class=\"sev sev-%s\">%s</span></td><td>%s</td>"
		    "<td>", r->severity, severity_name(r->severity), severity_name(r->severity),
		    event_kind_name(r->kind));
		if (r->has_src)
			put_ep(f, &r->src);
		fputs("</td><td>", f);
		put_ep(f, &r->dst);
		fputs("</td><td>", f);
		svg_text(f, r->msg);
		fprintf(f, "</td><td><code>frame.number == %" PRIu64 "</code>", r->frame);
		if (r->first_frame != 0 && r->last_frame != 0)
			fprintf(f, " <code>frame.number &gt;= %" PRIu64 " &amp;&amp; "
			    "frame.number &lt;= %" PRIu64 "</code>", r->first_frame, r->last_frame);
		if (r->has_stream)
			fprintf(f, " <code>tcp.stream eq %" PRIu64 "</code>", r->stream);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div></section>\n", f);
}

static void
connections_table(FILE *f, const struct html_report *h)
{
	bool several = h->ninputs + h->inputs_more > 1;
	size_t i;

	fprintf(f, "<section><h2>Connections (%zu)</h2>\n", h->ncr);
	if (h->cr_more > 0)
		fprintf(f, "<p>%" PRIu64 " more connections are not listed (the page keeps the "
		    "first %u); <code>-o jsonl</code> has them all.</p>\n", h->cr_more,
		    HTML_ROWS_MAX);
	filter_box(f, "connections", h->ncr);
	fprintf(f, "<div class=\"scroll\"><table id=\"connections\" class=\"sortable\"><thead><tr>"
	    "<th data-type=\"num\">stream</th>%s<th>client</th><th>server</th>"
	    "<th data-type=\"num\">start (s)</th><th data-type=\"num\">duration (s)</th>"
	    "<th data-type=\"num\">packets</th><th data-type=\"num\">bytes c&rarr;s</th>"
	    "<th data-type=\"num\">bytes s&rarr;c</th><th data-type=\"num\">sent again</th>"
	    "<th>handshake</th><th>close</th><th data-type=\"num\">worst</th><th>events</th>"
	    "<th>Wireshark filter</th></tr></thead><tbody>\n", several ? "<th>file</th>" : "");
	for (i = 0; i < h->ncr; i++) {
		const struct conn_row *r = &h->cr[i];

		fprintf(f, "<tr class=\"connection\" data-stream=\"%u\"><td class=\"n\">%u</td>",
		    r->stream, r->stream);
		put_input(f, h, r->input);
		fputs("<td>", f);
		put_ep(f, &r->ep[0]);
		fputs("</td><td>", f);
		put_ep(f, &r->ep[1]);
		fputs("</td>", f);
		put_rel(f, h, r->start_ns);
		fprintf(f, "<td class=\"n\">%.6f</td><td class=\"n\">%" PRIu64 "</td>"
		    "<td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 "</td>"
		    "<td class=\"n\">%" PRIu64 "</td><td>%s</td><td>%s</td>",
		    (double)(r->end_ns - r->start_ns) / 1e9, r->packets[0] + r->packets[1],
		    r->bytes[0], r->bytes[1], r->retrans[0] + r->retrans[1], r->handshake,
		    r->close);
		if (r->max_severity >= 0)
			fprintf(f, "<td data-v=\"%d\"><span class=\"sev sev-%s\">%s</span></td>",
			    r->max_severity, severity_name(r->max_severity),
			    severity_name(r->max_severity));
		else
			fputs("<td data-v=\"-1\"></td>", f);
		fprintf(f, "<td>%s</td><td><code>tcp.stream eq %u</code> <code>frame.number == %u"
		    "</code></td></tr>\n", r->events, r->stream, r->first_frame);
	}
	fputs("</tbody></table></div></section>\n", f);
}

/* The rest of a temporary file onto the page. */
static bool
append(FILE *f, FILE *from)
{
	char buf[65536];
	size_t n;

	if (fflush(from) != 0 || fseek(from, 0, SEEK_SET) != 0)
		return false;
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		if (fwrite(buf, 1, n, f) != n)
			return false;
	return !ferror(from);
}

static bool
write_page(struct html_report *h)
{
	FILE *f = fopen(h->path, "w");
	unsigned i;
	bool ok;

	if (f == NULL) {
		diag(h->path, "cannot write the report: %s", strerror(errno));
		return false;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n<title>tcpdissect report", f);
	for (i = 0; i < h->ninputs && i < 3; i++) {
		fputs(i == 0 ? ": " : ", ", f);
		svg_text(f, h->inputs[i]);
	}
	fprintf(f, "</title>\n<style>\n%s</style></head><body>\n<h1>tcpdissect report</h1>\n"
	    "<p class=\"meta\">", css);
	for (i = 0; i < h->ninputs; i++) {
		fputs(i == 0 ? "" : ", ", f);
		svg_text(f, h->inputs[i]);
	}
	if (h->inputs_more)
		fprintf(f, " and %u more", h->inputs_more);
	fprintf(f, ": %" PRIu64 " packets (%" PRIu64 " TCP, %" PRIu64 " bytes), %" PRIu64
	    " connections, at most %" PRIu64 " at once", h->packets, h->tcp_packets, h->bytes,
	    h->connections, h->peak_concurrent);
	if (h->have_time) {
		char a[48];

		ts_str(h->start_ns, 6, a, sizeof(a));
		fprintf(f, "; from %s (epoch seconds; times below are seconds since then) over "
		    "%.3f s", a, (double)(h->end_ns - h->start_ns) / 1e9);
	}
	fputs(".</p>\n<pre id=\"selftest-result\" hidden></pre>\n", f);
	verdicts(f, h);
	fputs("<section id=\"listeners\"><h2>Listener timelines</h2>\n", f);
	if (h->nlis == 0)
		fputs("<p>No listener: no SYN was seen.</p>\n", f);
	if (h->lis_more > 0)
		fprintf(f, "<p>The %u busiest listeners of each input (by new SYNs); %u more are "
		    "not drawn here (<code>--plot-listeners</code> draws up to %u an input).</p>\n",
		    HTML_LISTENERS_MAX, h->lis_more, LPLOT_LISTENERS);
	ok = append(f, h->lis);
	fputs("</section>\n", f);
	events_table(f, h);
	connections_table(f, h);
	fputs("<section id=\"graphs\"><h2>Worst connections</h2>\n", f);
	if (h->graphs_unread)
		fputs("<p>Standard input cannot be read a second time: its graphs are not drawn "
		    "(save the capture to a file).</p>\n", f);
	if (h->ngraphs == 0 && !h->graphs_unread)
		fputs("<p>No connection with a notice, warning or alert.</p>\n", f);
	else
		fprintf(f, "<p>Time-sequence graphs of the connections with the weightiest "
		    "events (alerts, then warnings, then notices), at most %u per input "
		    "(<code>--report-max</code>).</p>\n", h->max_graphs);
	ok = append(f, h->graphs) && ok;
	fprintf(f, "</section>\n<script>\n%s</script>\n</body></html>\n", script);
	if (fclose(f) != 0 || !ok) {
		diag(h->path, "cannot write the report: %s", strerror(errno));
		return false;
	}
	return true;
}

/* ---- the reporter in front of the real one ------------------------------ */

static void
on_begin(void *ctx, const struct input_info *in)
{
	struct html_report *h = ctx;

	if (h->ninputs < sizeof(h->inputs) / sizeof(h->inputs[0]))
		h->inputs[h->ninputs++] = in->name;
	else
		h->inputs_more++;
	h->nworst = 0;
}

static void
on_event(void *ctx, const struct event *ev, const struct input_info *in)
{
	record_event(ctx, ev, in);
}

static void
on_connection(void *ctx, const struct conn_report *cr)
{
	record_connection(ctx, cr);
}

static void
on_summary(void *ctx, const struct summary *s)
{
	record_summary(ctx, s);
}

static void
on_end(void *ctx)
{
	struct html_report *h = ctx;

	if (h->have_summary && !h->failed && !write_page(h))
		h->failed = true;
	h->have_summary = false;	/* written once */
}

static const struct tee_hooks hooks = {
	.begin = on_begin,
	.event = on_event,
	.connection = on_connection,
	.summary = on_summary,
	.end = on_end,
};

struct reporter *
html_reporter(struct html_report *h, struct reporter *inner)
{
	return tee_new(&hooks, h, inner);
}

bool
html_failed(const struct html_report *h)
{
	return h->failed;
}
