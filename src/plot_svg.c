/* plot_svg.c: one direction of a plotted stream as a self-contained SVG
 * (plot_int.h): the time-sequence graph with its marks and legend, and the
 * throughput and RTT panels beneath on the same time axis.  No scripts, no
 * external fonts, links or images: a generic font family and <title> tool
 * tips only.  Every mark carries data-frame and data-kind attributes, so a
 * test (or a user's script) can find each event by its frame. */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot_int.h"
#include "report.h"
#include "svg.h"

#define W		1200.0
#define LEFT		96.0
#define RIGHT		24.0
#define MAIN_H		460.0
#define PANEL_H		130.0
#define GAP		44.0
#define LEGEND_ROW	18.0
#define CAPS_MAX	1500u	/* tcptrace's end ticks while bars are few */

#define C_DATA		"#1a1a1a"
#define C_ACK		"#1f9e3a"
#define C_WIN		"#c99a00"
#define C_SACK		"#8e44ad"
#define C_RTO		"#d62728"
#define C_RUN		"#6b6b6b"
#define C_SENT		"#1f5fbf"
#define C_ACKED		"#1f9e3a"
#define C_RTT		"#b8420f"

/* Colours of the kinds a reader looks for first; other kinds take the
 * extra colours in order of appearance, so the colours of one graph are
 * distinct. */
static const struct { int kind; const char *color; } fixed_colors[] = {
	{ EVK_RETRANSMISSION, "#e6194b" },
	{ EVK_FAST_RETRANSMISSION, "#f58231" },
	{ EVK_SPURIOUS_RETRANSMISSION, "#f032e6" },
	{ EVK_OUT_OF_ORDER, "#00a3c4" },
	{ EVK_LOST_SEGMENT, "#9a6324" },
	{ EVK_DUP_ACK, "#808000" },
	{ EVK_ZERO_WINDOW, "#800000" },
	{ EVK_ZERO_WINDOW_PROBE, "#469990" },
	{ EVK_WINDOW_FULL, "#4363d8" },
	{ PMK_RTO_GAP, C_RTO },
};

static const char *const extra_colors[] = {
	"#3cb44b", "#911eb4", "#000075", "#e6beff", "#aaffc3", "#ffd8b1", "#42d4f4",
	"#bfef45", "#fabebe", "#a9a9a9", "#ff6f61", "#2f4f4f", "#daa520", "#7b68ee",
};

#define NCOLORS	(PMK_COUNT)

struct svg {
	FILE			*f;
	const struct plot_stream *s;
	const struct plot_dir	*d;
	unsigned		 dir;
	int64_t			 t0, t1;		/* time axis, ns */
	double			 plot_l, plot_r;
	const char		*color[NCOLORS];	/* NULL: kind not on this graph */
	unsigned		 nkinds;
	bool			 dry;		/* lay the legend out, draw nothing */
};

struct panel {
	double	top, h;
	double	vmin, vmax;
};

const char *
plot_mark_name(unsigned kind)
{
	if (kind < EVK_COUNT)
		return event_kind_name((enum event_kind)kind);
	if (kind == PMK_RTO_GAP)
		return "rto_gap";
	return "?";
}

static double
xof(const struct svg *g, int64_t t)
{
	double span = (double)(g->t1 - g->t0);
	double x = g->plot_l + (double)(t - g->t0) / span * (g->plot_r - g->plot_l);

	if (x < g->plot_l)
		x = g->plot_l;
	if (x > g->plot_r)
		x = g->plot_r;
	return x;
}

static double
yof(const struct panel *p, double v)
{
	double y = p->top + p->h - (v - p->vmin) / (p->vmax - p->vmin) * p->h;

	if (y < p->top)
		y = p->top;
	if (y > p->top + p->h)
		y = p->top + p->h;
	return y;
}

static void
frame_panel(struct svg *g, const struct panel *p, const char *label, bool time_labels)
{
	double span_s = (double)(g->t1 - g->t0) / 1e9, step, v;
	char buf[48];
	int i;

	fprintf(g->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
	    "fill=\"#fcfcfc\" stroke=\"#888\"/>\n", g->plot_l, p->top, g->plot_r - g->plot_l, p->h);
	step = svg_nice_step(span_s, 10);
	fputs("<g stroke=\"#e4e4e4\" stroke-width=\"1\">", g->f);
	for (i = 1, v = step; v < span_s && i < 100; i++, v = step * i) {
		double x = g->plot_l + v / span_s * (g->plot_r - g->plot_l);

		fprintf(g->f, "<path d=\"M%.1f,%.1fV%.1f\"/>", x, p->top, p->top + p->h);
	}
	step = svg_nice_step(p->vmax - p->vmin, 6);
	for (v = ceil(p->vmin / step) * step, i = 0; v <= p->vmax && i < 100; v += step, i++)
		fprintf(g->f, "<path d=\"M%.1f,%.1fH%.1f\"/>", g->plot_l, yof(p, v), g->plot_r);
	fputs("</g>\n<g font-size=\"11\" fill=\"#333\" text-anchor=\"end\">", g->f);
	for (v = ceil(p->vmin / step) * step, i = 0; v <= p->vmax && i < 100; v += step, i++) {
		svg_si(fabs(v) < step * 1e-6 ? 0 : v, buf, sizeof(buf));
		fprintf(g->f, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", g->plot_l - 6,
		    yof(p, v) + 4, buf);
	}
	fputs("</g>\n", g->f);
	fprintf(g->f, "<text x=\"16\" y=\"%.1f\" font-size=\"12\" fill=\"#333\" "
	    "transform=\"rotate(-90 16 %.1f)\" text-anchor=\"middle\">", p->top + p->h / 2,
	    p->top + p->h / 2);
	svg_text(g->f, label);
	fputs("</text>\n", g->f);
	if (!time_labels)
		return;
	step = svg_nice_step(span_s, 10);
	fputs("<g font-size=\"11\" fill=\"#333\" text-anchor=\"middle\">", g->f);
	for (i = 0, v = 0; v <= span_s * (1 + 1e-9) && i < 100; i++, v = step * i) {
		svg_time_label(v, step, buf, sizeof(buf));
		fprintf(g->f, "<text x=\"%.1f\" y=\"%.1f\">%s</text>",
		    g->plot_l + v / span_s * (g->plot_r - g->plot_l), p->top + p->h + 15, buf);
	}
	fprintf(g->f, "</g>\n<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"#333\" "
	    "text-anchor=\"middle\">seconds since the stream's first packet</text>\n",
	    (g->plot_l + g->plot_r) / 2, p->top + p->h + 32);
}

static void
range_series(const struct plot_series *s, double *lo, double *hi, bool *any)
{
	uint32_t i;

	for (i = 0; i < s->n; i++) {
		if (!*any || s->b[i].lo < *lo)
			*lo = (double)s->b[i].lo;
		if (!*any || s->b[i].hi > *hi)
			*hi = (double)s->b[i].hi;
		*any = true;
	}
}

/* The main panel's value range: data, ACKs, SACKs and marks; the window
 * line only while it does not squash the data (it is then cut at the top). */
static void
main_range(const struct svg *g, struct panel *p)
{
	double lo = 0, hi = 1, wlo = 0, whi = 0;
	bool any = false, wany = false;
	uint32_t i;

	range_series(&g->d->data, &lo, &hi, &any);
	range_series(&g->d->ack, &lo, &hi, &any);
	range_series(&g->d->sack, &lo, &hi, &any);
	for (i = 0; i < g->s->nmarks; i++) {
		const struct plot_mark *m = &g->s->marks[i];

		if (m->dir != g->dir)
			continue;
		if (!any || m->lo < lo)
			lo = (double)m->lo;
		if (!any || m->hi > hi)
			hi = (double)m->hi;
		any = true;
	}
	range_series(&g->d->win, &wlo, &whi, &wany);
	if (wany) {
		double cap = hi + (hi - lo) * 0.25 + 1;

		if (!any)
			lo = wlo, hi = whi, any = true;
		else
			hi = whi > cap ? cap : (whi > hi ? whi : hi);
	}
	if (!any || hi <= lo)
		hi = lo + 1;
	p->vmin = lo - (hi - lo) * 0.02;
	p->vmax = hi + (hi - lo) * 0.04;
}

static void
assign_colors(struct svg *g)
{
	unsigned i, extra = 0;

	for (i = 0; i < g->s->nmarks; i++) {
		const struct plot_mark *m = &g->s->marks[i];
		unsigned k;

		if (m->dir != g->dir || g->color[m->kind] != NULL)
			continue;
		for (k = 0; k < sizeof(fixed_colors) / sizeof(fixed_colors[0]); k++)
			if (fixed_colors[k].kind == m->kind)
				g->color[m->kind] = fixed_colors[k].color;
		if (g->color[m->kind] == NULL)
			g->color[m->kind] = extra_colors[extra++ %
			    (sizeof(extra_colors) / sizeof(extra_colors[0]))];
		g->nkinds++;
	}
}

static double
legend_item(struct svg *g, double x, double *y, const char *color, const char *shape,
    const char *name)
{
	double w = 34 + 6.6 * (double)strlen(name);

	if (x + w > W - RIGHT) {
		x = LEFT;
		*y += LEGEND_ROW;
	}
	if (g->dry)
		return x + w;
	if (strcmp(shape, "line") == 0)
		fprintf(g->f, "<path d=\"M%.1f,%.1fh18\" stroke=\"%s\" stroke-width=\"2\"/>",
		    x, *y - 4, color);
	else if (strcmp(shape, "dash") == 0)
		fprintf(g->f, "<path d=\"M%.1f,%.1fh18\" stroke=\"%s\" stroke-width=\"2\" "
		    "stroke-dasharray=\"4 2\"/>", x, *y - 4, color);
	else
		fprintf(g->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" "
		    "fill=\"%s\"/>",
		    x + 4, *y - 9, color);
	fprintf(g->f, "<text x=\"%.1f\" y=\"%.1f\">", x + 24, *y);
	svg_text(g->f, name);
	fputs("</text>", g->f);
	return x + w;
}

static double
legend(struct svg *g, double y)
{
	double x = LEFT;
	unsigned k;

	if (!g->dry)
		fputs("<g class=\"legend\" font-size=\"12\" fill=\"#222\">", g->f);
	x = legend_item(g, x, &y, C_DATA, "line", "data segment (seq..seq+len)");
	x = legend_item(g, x, &y, C_ACK, "line", "ACK");
	x = legend_item(g, x, &y, C_WIN, "line", "receive window (ACK + window)");
	if (g->d->sack.n > 0)
		x = legend_item(g, x, &y, C_SACK, "line", "SACK block");
	for (k = 0; k < NCOLORS; k++)
		if (g->color[k] != NULL)
			x = legend_item(g, x, &y, g->color[k], k == PMK_RTO_GAP ? "dash" : "box",
			    plot_mark_name(k));
	if (g->color[EVK_ZERO_WINDOW] != NULL)
		x = legend_item(g, x, &y, "#f3d6d3", "box", "window closed");
	if (g->color[EVK_DUP_ACK] != NULL)
		legend_item(g, x, &y, C_RUN, "dash", "dup ACK run");
	if (!g->dry)
		fputs("</g>\n", g->f);
	return y;
}

static void
draw_data(struct svg *g, const struct panel *p)
{
	const struct plot_series *s = &g->d->data;
	bool caps = s->n <= CAPS_MAX;
	uint32_t i;

	fprintf(g->f, "<path class=\"data\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" d=\"",
	    C_DATA, caps ? "1.2" : "1");
	for (i = 0; i < s->n; i++) {
		const struct plot_bucket *b = &s->b[i];
		double x0 = xof(g, b->t0), x1 = xof(g, b->t1);
		double ylo = yof(p, (double)b->lo), yhi = yof(p, (double)b->hi);

		if (yhi > ylo - 0.8)
			yhi = ylo - 0.8;	/* a one-byte segment stays visible */
		if (b->n == 1 || x1 - x0 < 1) {
			fprintf(g->f, "M%.1f,%.1fV%.1f", x0, ylo, yhi);
			if (caps)
				fprintf(g->f, "M%.1f,%.1fh4M%.1f,%.1fh4", x0 - 2, ylo, x0 - 2, yhi);
		} else {
			fprintf(g->f, "M%.1f,%.1fH%.1fV%.1fH%.1fZ", x0, ylo, x1, yhi, x0);
		}
	}
	fputs("\"/>\n", g->f);
}

/* A step line through a series: each bucket from lo at its start to hi
 * (ACK) or its last value (window) at its end. */
static void
draw_steps(struct svg *g, const struct panel *p, const struct plot_series *s,
    const char *cls, const char *color, bool use_last)
{
	uint32_t i;

	if (s->n == 0)
		return;
	fprintf(g->f, "<path class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.3\" "
	    "d=\"M%.1f,%.1f", cls, color, xof(g, s->b[0].t0), yof(p, (double)s->b[0].lo));
	for (i = 0; i < s->n; i++) {
		const struct plot_bucket *b = &s->b[i];
		double v = (double)(use_last ? b->last : b->hi);

		fprintf(g->f, "H%.1fV%.1f", xof(g, b->t0),
		    yof(p, (double)(use_last ? b->hi : b->lo)));
		if (b->n > 1 || use_last)
			fprintf(g->f, "H%.1fV%.1f", xof(g, b->t1), yof(p, v));
	}
	fprintf(g->f, "H%.1f\"/>\n", xof(g, g->t1));
}

static void
draw_sack(struct svg *g, const struct panel *p)
{
	const struct plot_series *s = &g->d->sack;
	uint32_t i;

	if (s->n == 0)
		return;
	fprintf(g->f, "<path class=\"sack\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
	    "stroke-opacity=\"0.7\" d=\"", C_SACK);
	for (i = 0; i < s->n; i++)
		fprintf(g->f, "M%.1f,%.1fV%.1f", xof(g, s->b[i].t0) + 1.5,
		    yof(p, (double)s->b[i].lo), yof(p, (double)s->b[i].hi));
	fputs("\"/>\n", g->f);
}

static void
mark_title(struct svg *g, const struct plot_mark *m)
{
	char ts[TS_MAX + 1];
	const char *msg = m->msg != UINT32_MAX ? g->s->pool + m->msg : NULL;

	ts_str(m->t - g->t0, 6, ts, sizeof(ts));
	fprintf(g->f, "<title>frame %" PRIu64 ": %s at +%s s, seq %" PRId64, m->frame,
	    plot_mark_name(m->kind), ts, m->lo);
	if (m->hi != m->lo)
		fprintf(g->f, "..%" PRId64, m->hi);
	if (m->kind == PMK_RTO_GAP) {
		ts_str(m->t - m->t_from, 6, ts, sizeof(ts));
		fprintf(g->f, " after %s s of silence", ts);
	}
	if (msg != NULL) {
		fputs(" \xe2\x80\x94 ", g->f);
		svg_text(g->f, msg);
	}
	fputs("</title>", g->f);
}

/* The time the receiver's window stayed closed: a band from each
 * zero_window to the zero_window_end after it (or the end). */
static void
draw_zero_window_bands(struct svg *g, const struct panel *p)
{
	uint32_t i;
	int64_t from = 0;
	bool open = false;

	for (i = 0; i <= g->s->nmarks; i++) {
		const struct plot_mark *m = i < g->s->nmarks ? &g->s->marks[i] : NULL;
		double x0, x1;

		if (m != NULL && (m->dir != g->dir || (m->kind != EVK_ZERO_WINDOW &&
		    m->kind != EVK_ZERO_WINDOW_END)))
			continue;
		if (m != NULL && m->kind == EVK_ZERO_WINDOW) {
			if (!open)
				from = m->t;
			open = true;
			continue;
		}
		if (!open)
			continue;
		open = false;
		x0 = xof(g, from);
		x1 = xof(g, m != NULL ? m->t : g->t1);
		fprintf(g->f, "<rect class=\"zero-window\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\" fill=\"#c0392b\" fill-opacity=\"0.08\"/>\n", x0, p->top,
		    x1 - x0 > 1 ? x1 - x0 : 1, p->h);
	}
}

static void
draw_marks(struct svg *g, const struct panel *p)
{
	uint32_t i;

	fputs("<g class=\"marks\">\n", g->f);
	for (i = 0; i < g->s->nmarks; i++) {
		const struct plot_mark *m = &g->s->marks[i];
		const char *c = g->color[m->kind];
		double x = xof(g, m->t), ylo = yof(p, (double)m->lo), yhi = yof(p, (double)m->hi);

		if (m->dir != g->dir)
			continue;
		fprintf(g->f, "<g class=\"mark\" data-frame=\"%" PRIu64 "\" data-kind=\"%s\">",
		    m->frame, plot_mark_name(m->kind));
		mark_title(g, m);
		if (m->kind == PMK_RTO_GAP)
			fprintf(g->f, "<path d=\"M%.1f,%.1fH%.1f\" stroke=\"%s\" "
			    "stroke-width=\"2\" stroke-dasharray=\"5 3\" fill=\"none\"/>",
			    xof(g, m->t_from), ylo, x, c);
		else if (m->role == PR_ACK)
			fprintf(g->f, "<path d=\"M%.1f,%.1fl4,4l-4,4l-4,-4z\" fill=\"%s\" "
			    "stroke=\"#fff\" stroke-width=\"0.5\"/>", x, ylo - 4, c);
		else
			fprintf(g->f, "<path d=\"M%.1f,%.1fV%.1f\" stroke=\"%s\" "
			    "stroke-width=\"3\"/>"
			    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.2\" fill=\"%s\" stroke=\"#fff\" "
			    "stroke-width=\"0.5\"/>", x, ylo, yhi < ylo - 1 ? yhi : ylo - 1, c,
			    x, yhi, c);
		fputs("</g>\n", g->f);
	}
	fputs("</g>\n", g->f);
}

/* Runs of dup_ack marks at one ACK value: a dashed line from the first to
 * the last, with their count and frames. */
static void
draw_dupack_runs(struct svg *g, const struct panel *p)
{
	uint32_t i, first = 0, n = 0, last = 0;

	for (i = 0; i <= g->s->nmarks; i++) {
		const struct plot_mark *m = i < g->s->nmarks ? &g->s->marks[i] : NULL;

		if (m != NULL && (m->dir != g->dir || m->kind != EVK_DUP_ACK))
			continue;
		if (m != NULL && n > 0 && m->lo == g->s->marks[first].lo) {
			n++;
			last = i;
			continue;
		}
		if (n >= 2) {
			const struct plot_mark *a = &g->s->marks[first], *b = &g->s->marks[last];

			fprintf(g->f, "<g class=\"run\"><title>dup ACK run: %u duplicates of "
			    "ACK %" PRId64 ", frames %" PRIu64 "..%" PRIu64 "</title>"
			    "<path d=\"M%.1f,%.1fH%.1f\" stroke=\"%s\" stroke-width=\"2\" "
			    "stroke-dasharray=\"2 2\"/></g>\n", n, a->lo, a->frame, b->frame,
			    xof(g, a->t), yof(p, (double)a->lo) + 6, xof(g, b->t), C_RUN);
		}
		first = last = i;
		n = 1;
	}
}

static void
draw_throughput(struct svg *g, const struct panel *p, const struct plot_bins *b,
    const char *cls, const char *color)
{
	uint32_t i;

	if (b->used == 0)
		return;
	fprintf(g->f, "<path class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.3\" "
	    "d=\"M%.1f,%.1f", cls, color, xof(g, b->t0), yof(p, 0));
	for (i = 0; i < b->used; i++) {
		double rate = (double)b->bytes[i] * 8e9 / (double)b->width;

		fprintf(g->f, "V%.1fH%.1f", yof(p, rate),
		    xof(g, b->t0 + (int64_t)(i + 1) * b->width));
	}
	fprintf(g->f, "V%.1f\"/>\n", yof(p, 0));
}

static double
bins_max(const struct plot_bins *b)
{
	double mx = 0;
	uint32_t i;

	for (i = 0; i < b->used; i++)
		if ((double)b->bytes[i] * 8e9 / (double)b->width > mx)
			mx = (double)b->bytes[i] * 8e9 / (double)b->width;
	return mx;
}

static void
draw_rtt(struct svg *g, const struct panel *p)
{
	const struct plot_series *s = &g->d->rtt;
	uint32_t i;

	if (s->n == 0) {
		fprintf(g->f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"#777\" "
		    "text-anchor=\"middle\">no RTT samples (no new data acknowledged)</text>\n",
		    (g->plot_l + g->plot_r) / 2, p->top + p->h / 2);
		return;
	}
	fprintf(g->f, "<g class=\"rtt\" fill=\"%s\" stroke=\"%s\">", C_RTT, C_RTT);
	for (i = 0; i < s->n; i++) {
		const struct plot_bucket *b = &s->b[i];
		double x = xof(g, b->t0);

		if (b->hi != b->lo)
			fprintf(g->f, "<path d=\"M%.1f,%.1fV%.1f\"/>", x,
			    yof(p, (double)b->lo / 1000), yof(p, (double)b->hi / 1000));
		fprintf(g->f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.8\"/>", x,
		    yof(p, (double)b->last / 1000));
	}
	fputs("</g>\n", g->f);
}

static void
header(struct svg *g, const char *source, double height)
{
	char a[48], b[48];
	const struct plot_dir *d = g->d;

	endpoint_addr_str(&d->src, a, sizeof(a));
	endpoint_addr_str(&d->dst, b, sizeof(b));
	fprintf(g->f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
	    "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n", W, height, W, height);
	fprintf(g->f, "<title>tcp.stream eq %u: %s%s%s:%u to %s%s%s:%u</title>\n",
	    g->s->stream, d->src.family == 6 ? "[" : "", a, d->src.family == 6 ? "]" : "",
	    d->src.port, d->dst.family == 6 ? "[" : "", b, d->dst.family == 6 ? "]" : "",
	    d->dst.port);
	fprintf(g->f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
	    "<text x=\"%.0f\" y=\"22\" font-size=\"15\" font-weight=\"bold\" fill=\"#111\">"
	    "tcp.stream eq %u \xe2\x80\x94 data from %s%s%s:%u to %s%s%s:%u</text>\n", LEFT,
	    g->s->stream, d->src.family == 6 ? "[" : "", a, d->src.family == 6 ? "]" : "",
	    d->src.port, d->dst.family == 6 ? "[" : "", b, d->dst.family == 6 ? "]" : "",
	    d->dst.port);
	fprintf(g->f, "<text x=\"%.0f\" y=\"40\" font-size=\"12\" fill=\"#444\">", LEFT);
	if (source != NULL) {
		svg_text(g->f, source);
		fputs(": ", g->f);
	}
	fprintf(g->f, "%" PRIu64 " data segments, %" PRIu64 " payload bytes, %" PRIu64
	    " sent again, %" PRIu64 " RTT samples", d->segments, d->bytes, d->retrans,
	    d->rtt.samples);
	if (d->data.per > 1)
		fprintf(g->f, "; drawn as %u bars of up to %u segments (every mark kept)",
		    d->data.n, d->data.per);
	fputs("</text>\n", g->f);
}

bool
plot_svg_write(FILE *f, const struct plot_stream *s, unsigned dir, const char *source)
{
	struct svg g;
	struct panel pm, pt, pr;
	double y, height, mx;

	memset(&g, 0, sizeof(g));
	g.f = f;
	g.s = s;
	g.d = &s->d[dir];
	g.dir = dir;
	g.t0 = s->t_first;
	g.t1 = s->t_last > s->t_first ? s->t_last : s->t_first + 1000000;
	g.plot_l = LEFT;
	g.plot_r = W - RIGHT;
	assign_colors(&g);
	g.dry = true;
	y = legend(&g, 62);
	g.dry = false;
	pm.top = y + 14;
	pm.h = MAIN_H;
	pt.top = pm.top + pm.h + GAP;
	pt.h = PANEL_H;
	pr.top = pt.top + pt.h + GAP;
	pr.h = PANEL_H;
	height = pr.top + pr.h + 44;
	header(&g, source, height);
	legend(&g, 62);

	main_range(&g, &pm);
	frame_panel(&g, &pm, "relative sequence number", false);
	draw_zero_window_bands(&g, &pm);
	draw_steps(&g, &pm, &g.d->ack, "ack", C_ACK, false);
	draw_steps(&g, &pm, &g.d->win, "window", C_WIN, true);
	draw_sack(&g, &pm);
	draw_data(&g, &pm);
	draw_dupack_runs(&g, &pm);
	draw_marks(&g, &pm);

	mx = bins_max(&g.d->sent);
	if (bins_max(&g.d->acked) > mx)
		mx = bins_max(&g.d->acked);
	pt.vmin = 0;
	pt.vmax = mx > 0 ? mx * 1.08 : 1;
	frame_panel(&g, &pt, "bit/s", false);
	draw_throughput(&g, &pt, &g.d->sent, "sent", C_SENT);
	draw_throughput(&g, &pt, &g.d->acked, "acked", C_ACKED);
	fprintf(f, "<g font-size=\"11\"><text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">sent "
	    "(with retransmissions)</text><text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">acknowledged "
	    "(goodput)</text></g>\n", LEFT, pt.top - 6, C_SENT, LEFT + 182, pt.top - 6,
	    C_ACKED);

	pr.vmin = 0;
	pr.vmax = 1;
	if (g.d->rtt.n > 0) {
		double lo = 0, hi = 0;
		bool any = false;

		range_series(&g.d->rtt, &lo, &hi, &any);
		pr.vmax = hi / 1000 * 1.1 > 0.001 ? hi / 1000 * 1.1 : 0.001;
	}
	frame_panel(&g, &pr, "RTT ms", true);
	draw_rtt(&g, &pr);
	fputs("</svg>\n", f);
	return !ferror(f);
}
