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
#define PAGE_ROWS	200	/* rows the page draws at first, and on each "show more" */
#define STR_(x)		#x
#define STR(x)		STR_(x)

/* What decides which rows a full table keeps: the weightiest, the
 * earliest first within a weight; the page lists them in order of seq. */
struct row_key {
	uint64_t	seq;		/* order of arrival */
	int		weight;		/* severity; a connection's worst, -1: none */
};

struct ev_row {
	struct row_key	key;		/* first: keep_weightiest() sorts on it */
	int64_t		ts_ns;
	uint64_t	frame, stream, first_frame, last_frame;
	struct endpoint	src, dst;
	unsigned	input;
	uint8_t		kind, severity;
	bool		has_stream, has_src;
	char		msg[EVENT_MESSAGE_MAX];
};

struct conn_row {
	struct row_key	key;		/* first */
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
	uint64_t	 ev_seen, ev_more;
	struct conn_row	*cr;
	size_t		 ncr, cr_alloc;
	uint64_t	 cr_seen, cr_more;
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

static int
by_weight(const void *a, const void *b)
{
	const struct row_key *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
by_seq(const void *a, const void *b)
{
	const struct row_key *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Of the *n rows (of size sz, each beginning with its struct row_key),
 * keep the HTML_ROWS_MAX weightiest, the earliest first within a weight,
 * in order of arrival; the others are counted in *more. */
static void
keep_weightiest(void *rows, size_t *n, size_t sz, uint64_t *more)
{
	if (*n <= HTML_ROWS_MAX)
		return;
	qsort(rows, *n, sz, by_weight);
	*more += *n - HTML_ROWS_MAX;
	*n = HTML_ROWS_MAX;
	qsort(rows, *n, sz, by_seq);
}

/* Room for one more row in a table of rows of size sz: it holds up to
 * twice HTML_ROWS_MAX, and then keeps the weightiest half
 * (keep_weightiest).  NULL when memory ran out. */
static void *
row_add(void **rows, size_t *n, size_t *alloc, size_t sz, uint64_t *more)
{
	if (*n == 2 * HTML_ROWS_MAX)
		keep_weightiest(*rows, n, sz, more);
	if (*n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 256;
		void *p;

		if (na > 2 * HTML_ROWS_MAX)
			na = 2 * HTML_ROWS_MAX;
		p = realloc(*rows, na * sz);

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
	struct ev_row *r = row_add((void **)&h->ev, &h->nev, &h->ev_alloc, sizeof(*r),
	    &h->ev_more);

	if (r == NULL) {
		h->ev_more++;
		return;
	}
	memset(r, 0, sizeof(*r));
	r->key = (struct row_key){ h->ev_seen++, (int)ev->severity };
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
	r = row_add((void **)&h->cr, &h->ncr, &h->cr_alloc, sizeof(*r), &h->cr_more);
	if (r == NULL) {
		h->cr_more++;
		return;
	}
	memset(r, 0, sizeof(*r));
	r->key = (struct row_key){ h->cr_seen++, maxsev };
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
"input.filter{margin:.4em 0;padding:.2em;width:24em}p.more{margin:.3em 0}\n";

/* The tables (events_table, connections_table) are data, in
 * <script type="application/json">; the script draws them a page at a
 * time ("show more", "show all"), sorts the data on a click on a column's
 * head and filters it as one types, drawing only the rows on screen: the
 * page opens at once however many rows it holds.  With #selftest in the
 * address the page checks itself (sorting, filtering, paging, every
 * drawn row's filter, every SVG's size) and writes the result into
 * #selftest-result, with the milliseconds since navigation when it was
 * parsed and when first laid out (tests/report-browser.sh); with #timing,
 * only those times and the counts (tests/bench/report-open.sh). */
static const char script[] =
"(function(){'use strict';\n"
"var SEV=['info','notice','warning','alert'],PAGE=" STR(PAGE_ROWS) ";\n"
"function data(id){var e=document.getElementById(id);return e?JSON.parse(e.textContent):[];}\n"
"function byId(id){return document.getElementById(id);}\n"
"var files=data('files-data');\n"
"function file(i){return files[i]!==undefined?files[i]:String(i+1);}\n"
"/* each table's columns: [index in a row of data, how it shows] (n number, t seconds,\n"
" * s stream or none, f file, v severity, e an event's filters, c a connection's) */\n"
"var SPEC={events:[[0,'n'],[1,'t'],[2,'s'],[3,'f'],[4,'v'],[5],[6],[7],[8],[0,'e']],\n"
" connections:[[0,'n'],[1,'f'],[2],[3],[4,'t'],[5,'t'],[6,'n'],[7,'n'],[8,'n'],[9,'n'],\n"
" [10],[11],[12,'v'],[13],[0,'c']]};\n"
"function filters(r,k){\n"
" if(k==='c')return['tcp.stream eq '+r[0],'frame.number == '+r[14]];\n"
" var o=['frame.number == '+r[0]];\n"
" if(r[9]&&r[10])o.push('frame.number >= '+r[9]+' && frame.number <= '+r[10]);\n"
" if(r[2]>=0)o.push('tcp.stream eq '+r[2]);\n"
" return o;}\n"
"function text(r,c){var v=r[c[0]];switch(c[1]){\n"
" case 't':return v.toFixed(6);\n"
" case 's':case 'v':return v<0?'':c[1]==='v'?SEV[v]:String(v);\n"
" case 'f':return file(v);\n"
" case 'e':case 'c':return filters(r,c[1]).join(' ');\n"
" default:return String(v);}}\n"
"function key(r,c){var v=r[c[0]];\n"
" return c[1]==='f'?file(v).toLowerCase():typeof v==='string'?v.toLowerCase():v;}\n"
"function cell(r,c){var td=document.createElement('td'),k=c[1],v=r[c[0]],e,s,i;\n"
" if(k==='e'||k==='c'){s=filters(r,k);for(i=0;i<s.length;i++){\n"
"  if(i)td.appendChild(document.createTextNode(' '));\n"
"  e=td.appendChild(document.createElement('code'));e.textContent=s[i];}\n"
" }else if(k==='v'){if(v>=0){e=td.appendChild(document.createElement('span'));\n"
"  e.className='sev sev-'+SEV[v];e.textContent=SEV[v];}\n"
" }else{if(k&&k!=='f')td.className='n';td.textContent=text(r,c);}\n"
" return td;}\n"
"/* the first t.limit rows of those that pass the filter, in the order of the sort */\n"
"function render(t){var b=t.el.tBodies[0],n=Math.min(t.limit,t.shown.length),i,k,r,tr,\n"
" f=document.createDocumentFragment();\n"
" for(i=0;i<n;i++){r=t.rows[t.shown[i]];tr=f.appendChild(document.createElement('tr'));\n"
"  tr.className=t.kind;for(k=0;k<t.spec.length;k++)tr.appendChild(cell(r,t.spec[k]));}\n"
" b.textContent='';b.appendChild(f);\n"
" byId(t.id+'-shown').textContent=t.shown.length;byId(t.id+'-rendered').textContent=n;\n"
" byId(t.id+'-more').hidden=byId(t.id+'-all').hidden=n>=t.shown.length;}\n"
"function refilter(t){t.shown=!t.q?t.order:t.order.filter(function(i){\n"
" return t.hay[i].indexOf(t.q)>=0;});}\n"
"function filter(t,q){t.q=q.toLowerCase();\n"
" if(t.q&&!t.hay)t.hay=t.rows.map(function(r){\n"
"  return t.spec.map(function(c){return text(r,c);}).join('\\t').toLowerCase();});\n"
" refilter(t);t.limit=t.page;render(t);}\n"
"function sortBy(t,i,asc){var th=t.el.tHead.rows[0].cells,c=t.spec[i],d=asc?1:-1,k,\n"
" keys=t.rows.map(function(r){return key(r,c);});\n"
" for(k=0;k<th.length;k++)th[k].removeAttribute('aria-sort');\n"
" th[i].setAttribute('aria-sort',asc?'ascending':'descending');\n"
" t.order.sort(function(x,y){var p=keys[x],q=keys[y];return(p<q?-1:p>q?1:0)*d;});\n"
" refilter(t);render(t);}\n"
"function table(id,kind){var t={id:id,kind:kind,el:byId(id),rows:data(id+'-data'),\n"
" page:PAGE,limit:PAGE,q:'',hay:null},th,i;\n"
" t.spec=SPEC[id].filter(function(c){return c[1]!=='f'||files.length>1;});\n"
" t.order=t.rows.map(function(r,i){return i;});t.shown=t.order;\n"
" th=t.el.tHead.rows[0].cells;\n"
" for(i=0;i<th.length;i++)(function(i){th[i].addEventListener('click',function(){\n"
"  sortBy(t,i,th[i].getAttribute('aria-sort')!=='ascending');});})(i);\n"
" byId(id+'-filter').addEventListener('input',function(e){filter(t,e.target.value);});\n"
" byId(id+'-more').addEventListener('click',function(){t.limit+=t.page;render(t);});\n"
" byId(id+'-all').addEventListener('click',function(){t.limit=Infinity;render(t);});\n"
" render(t);return t;}\n"
"var E=table('events','event'),C=table('connections','connection');\n"
"/* the self-test (tests/report-browser.sh); #timing: only the times and counts\n"
" * (tests/bench/report-open.sh, what opening the page costs) */\n"
"var full=location.hash==='#selftest';if(!full&&location.hash!=='#timing')return;\n"
"var res={};res.ms_parsed=Math.round(performance.now());\n"
"document.body.getBoundingClientRect();res.ms_laid_out=Math.round(performance.now());\n"
"var sv=document.querySelectorAll('svg'),z=0;for(var s=0;s<sv.length;s++){\n"
" var b=sv[s].getBoundingClientRect();if(!(b.width>0&&b.height>0))z++;}\n"
"res.svgs=sv.length;res.svgs_empty=z;res.events=E.rows.length;res.connections=C.rows.length;\n"
"function done(){byId('selftest-result').textContent=JSON.stringify(res);}\n"
"if(!full)return done();\n"
"/* the rest draws rows without laying them out, and leaves the first pages */\n"
"function shown(t){return t.el.tBodies[0].rows;}\n"
"function col(t){var o=[],r=shown(t);for(var k=0;k<r.length;k++)\n"
" o.push(parseFloat(r[k].cells[0].textContent));return o;}\n"
"function sorted(a,asc){for(var k=1;k<a.length;k++)if(asc?a[k-1]>a[k]:a[k-1]<a[k])\n"
" return false;return true;}\n"
"function reset(t){t.page=t.limit=PAGE;render(t);}\n"
"res.page=PAGE;\n"
"res.events_rendered=shown(E).length;res.connections_rendered=shown(C).length;\n"
"E.page=E.limit=2;render(E);res.paging=[shown(E).length];\n"
"byId('events-more').click();res.paging.push(shown(E).length);\n"
"byId('events-all').click();res.paging.push(shown(E).length);\n"
"/* every row drawn gives its filter */\n"
"var miss=0;C.limit=Infinity;render(C);\n"
"[[E,'frame.number == '],[C,'tcp.stream eq ']].forEach(function(p){\n"
" var r=shown(p[0]);for(var k=0;k<r.length;k++){var c=r[k].cells;\n"
"  if(c[c.length-1].textContent.indexOf(p[1]+c[0].textContent)<0)miss++;}});\n"
"res.filters_missing=miss;reset(E);\n"
"/* sorting orders the data, and the rows drawn are its first */\n"
"function data0(t){return t.shown.map(function(i){return t.rows[i][0];});}\n"
"function same(t){var d=data0(t),c=col(t);return c.length===Math.min(t.limit,d.length)&&\n"
" c.every(function(v,k){return v===d[k];});}\n"
"var h=C.el.tHead.rows[0].cells[0];h.click();var up=data0(C),ok=same(C);\n"
"h.click();var down=data0(C);ok=ok&&same(C);\n"
"res.sort_ascending=sorted(up,true)&&up.length===C.rows.length&&ok;\n"
"res.sort_descending=sorted(down,false)&&down.length===C.rows.length&&\n"
" (down.length<2||down[0]>down[down.length-1]||up[0]===up[up.length-1]);\n"
"C.page=C.limit=1;h.click();h.click();\n"
"var top=col(C)[0];res.sort_on_data=C.rows.every(function(r){return r[0]<=top;});reset(C);\n"
"var fi=byId('events-filter');function typed(v){fi.value=v;fi.dispatchEvent(new Event('input'));\n"
" return[+byId('events-shown').textContent,shown(E).length];}\n"
"var none=typed('\\u0001no such text');res.filter_none=none[0]+none[1];\n"
"res.filter_all=typed('')[0];\n"
"res.ms_selftest=Math.round(performance.now())-res.ms_laid_out;\n"
"done();\n"
"})();\n";

static void
put_ep(FILE *f, const struct endpoint *ep)
{
	char a[48];

	endpoint_addr_str(ep, a, sizeof(a));
	fprintf(f, ep->family == 6 ? "[%s]:%u" : "%s:%u", a, ep->port);
}

/* s as a JSON string that cannot end its <script>: '<' and '>' (and
 * '&') escaped too. */
static void
put_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == '<' || c == '>' || c == '&')
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
put_json_ep(FILE *f, const struct endpoint *ep)
{
	fputc('"', f);
	put_ep(f, ep);
	fputc('"', f);
}

static double
rel_s(const struct html_report *h, int64_t ts_ns)
{
	return (double)(ts_ns - h->start_ns) / 1e9;
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

/* A table's filter box, head and buttons, and the opening of the script
 * of data that holds its rows (the caller writes them and closes it). */
static void
table_head(FILE *f, const char *table, const char *heads)
{
	fprintf(f, "<input class=\"filter\" type=\"search\" id=\"%s-filter\" "
	    "placeholder=\"filter rows (any text)\"> <span id=\"%s-shown\">0</span> match, "
	    "<span id=\"%s-rendered\">0</span> shown; click a column's head to sort.\n"
	    "<div class=\"scroll\"><table id=\"%s\"><thead><tr>%s</tr></thead><tbody>"
	    "</tbody></table></div>\n<p class=\"more\"><button id=\"%s-more\" hidden>show "
	    "%d more</button> <button id=\"%s-all\" hidden>show all</button></p>\n"
	    "<script type=\"application/json\" id=\"%s-data\">[", table, table, table, table,
	    heads, table, PAGE_ROWS, table, table);
}

static void
kept_note(FILE *f, uint64_t more, const char *what)
{
	if (more > 0)
		fprintf(f, "<p>%" PRIu64 " more %s are not listed: the page keeps the %u with "
		    "the weightiest events (alerts, then warnings, notices, info; the earliest "
		    "first within each), listed in order; <code>-o jsonl</code> has them "
		    "all.</p>\n", more, what, HTML_ROWS_MAX);
}

/* A row of data: [frame, time, stream (-1: none), input, severity, kind,
 * from, to, message, first frame, last frame (0: none)]. */
static void
events_table(FILE *f, const struct html_report *h)
{
	bool several = h->ninputs + h->inputs_more > 1;
	size_t i;

	fprintf(f, "<section><h2>Events (%zu)</h2>\n", h->nev);
	kept_note(f, h->ev_more, "events");
	table_head(f, "events", several ?
	    "<th>frame</th><th>time (s)</th><th>stream</th><th>file</th><th>severity</th>"
	    "<th>kind</th><th>from</th><th>to</th><th>message</th><th>Wireshark filter</th>" :
	    "<th>frame</th><th>time (s)</th><th>stream</th><th>severity</th>"
	    "<th>kind</th><th>from</th><th>to</th><th>message</th><th>Wireshark filter</th>");
	for (i = 0; i < h->nev; i++) {
		const struct ev_row *r = &h->ev[i];
		bool range = r->first_frame != 0 && r->last_frame != 0;

		fprintf(f, "%s\n[%" PRIu64 ",%.6f,%" PRId64 ",%u,%u,", i ? "," : "", r->frame,
		    rel_s(h, r->ts_ns), r->has_stream ? (int64_t)r->stream : -1, r->input,
		    r->severity);
		put_json_str(f, event_kind_name(r->kind));
		fputc(',', f);
		if (r->has_src)
			put_json_ep(f, &r->src);
		else
			fputs("\"\"", f);
		fputc(',', f);
		put_json_ep(f, &r->dst);
		fputc(',', f);
		put_json_str(f, r->msg);
		fprintf(f, ",%" PRIu64 ",%" PRIu64 "]", range ? r->first_frame : 0,
		    range ? r->last_frame : 0);
	}
	fputs("]</script></section>\n", f);
}

/* A row of data: [stream, input, client, server, start, duration,
 * packets, bytes client to server, server to client, bytes sent again,
 * handshake, close, worst severity (-1: no event), events, first frame]. */
static void
connections_table(FILE *f, const struct html_report *h)
{
	bool several = h->ninputs + h->inputs_more > 1;
	size_t i;

	fprintf(f, "<section><h2>Connections (%zu)</h2>\n", h->ncr);
	kept_note(f, h->cr_more, "connections");
	table_head(f, "connections", several ?
	    "<th>stream</th><th>file</th><th>client</th><th>server</th><th>start (s)</th>"
	    "<th>duration (s)</th><th>packets</th><th>bytes c&rarr;s</th><th>bytes s&rarr;c</th>"
	    "<th>sent again</th><th>handshake</th><th>close</th><th>worst</th><th>events</th>"
	    "<th>Wireshark filter</th>" :
	    "<th>stream</th><th>client</th><th>server</th><th>start (s)</th>"
	    "<th>duration (s)</th><th>packets</th><th>bytes c&rarr;s</th><th>bytes s&rarr;c</th>"
	    "<th>sent again</th><th>handshake</th><th>close</th><th>worst</th><th>events</th>"
	    "<th>Wireshark filter</th>");
	for (i = 0; i < h->ncr; i++) {
		const struct conn_row *r = &h->cr[i];

		fprintf(f, "%s\n[%u,%u,", i ? "," : "", r->stream, r->input);
		put_json_ep(f, &r->ep[0]);
		fputc(',', f);
		put_json_ep(f, &r->ep[1]);
		fprintf(f, ",%.6f,%.6f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",",
		    rel_s(h, r->start_ns), (double)(r->end_ns - r->start_ns) / 1e9,
		    r->packets[0] + r->packets[1], r->bytes[0], r->bytes[1],
		    r->retrans[0] + r->retrans[1]);
		put_json_str(f, r->handshake);
		fputc(',', f);
		put_json_str(f, r->close);
		fprintf(f, ",%d,", r->max_severity);
		put_json_str(f, r->events);
		fprintf(f, ",%u]", r->first_frame);
	}
	fputs("]</script></section>\n", f);
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
	fputs(".</p>\n<pre id=\"selftest-result\" hidden></pre>\n<noscript><p>This page's "
	    "script is off: the tables of events and connections are drawn by it (the "
	    "verdicts and pictures are here without it); <code>-o jsonl</code> has every "
	    "event and connection.</p></noscript>\n", f);
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
	fputs("<script type=\"application/json\" id=\"files-data\">[", f);
	for (i = 0; h->ninputs + h->inputs_more > 1 && i < h->ninputs; i++) {
		fputs(i == 0 ? "" : ",", f);
		put_json_str(f, h->inputs[i]);
	}
	fputs("]</script>\n", f);
	keep_weightiest(h->ev, &h->nev, sizeof(*h->ev), &h->ev_more);
	keep_weightiest(h->cr, &h->ncr, sizeof(*h->cr), &h->cr_more);
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
