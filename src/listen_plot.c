/* listen_plot.c: listener timelines, collected and drawn (listen_plot.h). */
#include "config.h"

#include "listen_plot.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "svg.h"
#include "tee.h"
#include "util.h"

#define BIN_WIDTH0_NS	10000000LL	/* bins start 10 ms wide */
#define MSG_MAX		120u		/* bytes of an incident's message kept */

enum lstate { LS_HALF_OPEN, LS_ESTABLISHED, LS_CLOSING, LS_TIME_WAIT, LS_COUNT };

static const char *const state_name[LS_COUNT] = {
	"half-open", "established", "closing", "TIME_WAIT",
};
static const char *const state_color[LS_COUNT] = {
	"#f0a30a", "#2b7bb9", "#8e44ad", "#9a9a9a",
};

struct lbin {
	uint32_t	peak[LS_COUNT];	/* most connections at once in the bin */
	uint32_t	last[LS_COUNT];	/* at the bin's last sample */
	uint32_t	peak_total;	/* most of all states at once */
	uint32_t	syns;		/* new SYNs (connections started) */
	uint32_t	completed;	/* handshakes completed */
	bool		set;
};

struct lslot {
	const struct listener	*l;	/* the analysis's (a fixed table) */
	struct endpoint		 ep;
	uint64_t		 syns_seen, completed_seen;	/* l's counters at the
								 * last sample */
	uint64_t		 closing;	/* established with a FIN sent */
	uint64_t		 syns, completed;		/* this input */
	uint32_t		 peak[LS_COUNT];		/* this input */
	struct lbin		 bin[LPLOT_BINS];
};

struct lmark {
	int64_t		t;
	uint64_t	frame, first_frame, last_frame;
	uint16_t	kind;
	uint8_t		severity;
	uint8_t		slot;
	char		msg[MSG_MAX];
};

struct lplot {
	const char		*dir;
	const struct input_info	*in;
	bool			 started;	/* t0 set for this input */
	int64_t			 t0, t_last, width;
	uint32_t		 cur;		/* the bin of the latest sample */
	struct lslot		*slot[LPLOT_LISTENERS];
	unsigned		 nslots;
	uint64_t		 slots_dropped;	/* listeners past the cap */
	struct lmark		*marks;
	uint32_t		 nmarks;
	uint64_t		 marks_dropped;
	bool			 failed;
};

struct lplot *
lplot_create(const char *dir)
{
	struct lplot *lp = calloc(1, sizeof(*lp));

	if (lp == NULL)
		return NULL;
	lp->dir = dir;
	return lp;
}

static void
reset(struct lplot *lp)
{
	unsigned i;

	for (i = 0; i < lp->nslots; i++)
		free(lp->slot[i]);
	lp->nslots = 0;
	lp->slots_dropped = 0;
	lp->nmarks = 0;
	lp->marks_dropped = 0;
	lp->started = false;
	lp->cur = 0;
}

void
lplot_destroy(struct lplot *lp)
{
	if (lp == NULL)
		return;
	reset(lp);
	free(lp->marks);
	free(lp);
}

static struct lslot *
slot_of(struct lplot *lp, const struct listener *l, bool create, bool syn)
{
	struct lslot *s;
	unsigned i;

	for (i = 0; i < lp->nslots; i++)
		if (lp->slot[i]->l == l)
			return lp->slot[i];
	if (!create)
		return NULL;
	if (lp->nslots == LPLOT_LISTENERS || (s = calloc(1, sizeof(*s))) == NULL) {
		lp->slots_dropped++;
		return NULL;
	}
	s->l = l;
	s->ep = l->ep;
	/* what the listener counted in earlier inputs is not this one's;
	 * the SYN that brings it here is */
	s->syns_seen = l->connections - (syn && l->connections > 0);
	s->completed_seen = l->completed;
	lp->slot[lp->nslots++] = s;
	return s;
}

/* The listener's figures now, by state. */
static void
now_of(const struct lslot *s, uint32_t v[LS_COUNT])
{
	uint64_t est = s->l->established > s->closing ? s->l->established - s->closing : 0;

	v[LS_HALF_OPEN] = (uint32_t)s->l->half_open;
	v[LS_ESTABLISHED] = (uint32_t)est;
	v[LS_CLOSING] = (uint32_t)(s->closing < s->l->established ? s->closing
	    : s->l->established);
	v[LS_TIME_WAIT] = (uint32_t)s->l->time_wait;
}

/* Record s's figures now into bin k. */
static void
sample(struct lslot *s, uint32_t k)
{
	struct lbin *b = &s->bin[k];
	uint32_t v[LS_COUNT];
	unsigned i;

	now_of(s, v);
	if (!b->set || v[0] + v[1] + v[2] + v[3] > b->peak_total)
		b->peak_total = v[0] + v[1] + v[2] + v[3];
	for (i = 0; i < LS_COUNT; i++) {
		if (!b->set || v[i] > b->peak[i])
			b->peak[i] = v[i];
		b->last[i] = v[i];
		if (v[i] > s->peak[i])
			s->peak[i] = v[i];
	}
	b->syns += (uint32_t)(s->l->connections - s->syns_seen);
	b->completed += (uint32_t)(s->l->completed - s->completed_seen);
	s->syns += s->l->connections - s->syns_seen;
	s->completed += s->l->completed - s->completed_seen;
	s->syns_seen = s->l->connections;
	s->completed_seen = s->l->completed;
	b->set = true;
}

/* Halve the resolution: neighbouring bins merge. */
static void
merge_bins(struct lplot *lp)
{
	unsigned i, k, j;

	for (i = 0; i < lp->nslots; i++) {
		struct lbin *bin = lp->slot[i]->bin;

		for (k = 0; k < LPLOT_BINS / 2; k++) {
			struct lbin a = bin[2 * k], b = bin[2 * k + 1];

			if (b.set) {
				for (j = 0; j < LS_COUNT; j++) {
					if (!a.set || b.peak[j] > a.peak[j])
						a.peak[j] = b.peak[j];
					a.last[j] = b.last[j];
				}
				if (!a.set || b.peak_total > a.peak_total)
					a.peak_total = b.peak_total;
				a.syns += b.syns;
				a.completed += b.completed;
				a.set = true;
			}
			bin[k] = a;
		}
		memset(&bin[LPLOT_BINS / 2], 0, LPLOT_BINS / 2 * sizeof(bin[0]));
	}
	lp->cur /= 2;
	lp->width *= 2;
}

/* Move the clock to ts_ns: every listener's figures as they stand close
 * the bins time leaves behind. */
static uint32_t
clock_to(struct lplot *lp, int64_t ts_ns)
{
	int64_t idx;
	unsigned i;

	if (!lp->started) {
		lp->started = true;
		lp->t0 = lp->t_last = ts_ns;
		lp->width = BIN_WIDTH0_NS;
		lp->cur = 0;
	}
	if (ts_ns < lp->t0)
		ts_ns = lp->t0;		/* time going backwards: bin 0 */
	if (ts_ns > lp->t_last)
		lp->t_last = ts_ns;
	idx = (ts_ns - lp->t0) / lp->width;
	while (idx >= (int64_t)LPLOT_BINS) {
		merge_bins(lp);
		idx = (ts_ns - lp->t0) / lp->width;
	}
	if ((uint32_t)idx > lp->cur) {
		for (i = 0; i < lp->nslots; i++)
			sample(lp->slot[i], lp->cur);
		lp->cur = (uint32_t)idx;
	}
	return lp->cur;
}

/* A side's state between its FIN and the connection's end. */
static bool
closing_state(uint8_t s)
{
	return s >= TS_FIN_WAIT_1 && s <= TS_LAST_ACK;
}

void
lplot_segment(struct lplot *lp, struct analysis *a, const struct conn *c,
    const struct segment *seg, const struct track_result *tr, int64_t ts_ns)
{
	const struct listener *l;
	struct lslot *s;
	uint32_t k = clock_to(lp, ts_ns);
	bool was, now, rst_before;

	if (!(c->cflags & CONN_LISTENER) || (l = analysis_listener_of(a, c)) == NULL)
		return;
	if ((s = slot_of(lp, l, true, (seg->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)) == NULL)
		return;
	/* Closing: established, a FIN sent, not yet closed (a RST closes). */
	rst_before = ((c->side[0].flags | c->side[1].flags) & SIDE_RST) &&
	    !(seg->flags & TCP_RST);
	was = (c->cflags & CONN_HS_COMPLETE) && !rst_before &&
	    (closing_state(tr->snd_old) || closing_state(tr->rcv_old));
	now = (c->cflags & CONN_ESTABLISHED) && !conn_closed(c) &&
	    (closing_state(tr->snd_new) || closing_state(tr->rcv_new));
	if (now && !was)
		s->closing++;
	else if (was && !now && s->closing > 0)
		s->closing--;
	sample(s, k);
}

void
lplot_conn_end(struct lplot *lp, struct analysis *a, const struct conn *c)
{
	const struct listener *l;
	struct lslot *s;

	if (!(c->cflags & CONN_LISTENER) || conn_closed(c) ||
	    !(closing_state(c->side[0].state) || closing_state(c->side[1].state)) ||
	    (l = analysis_listener_of(a, c)) == NULL || (s = slot_of(lp, l, false, false)) == NULL)
		return;
	if (s->closing > 0)
		s->closing--;
	if (lp->started)
		sample(s, lp->cur);
}

/* ---- incidents ----------------------------------------------------------- */

static bool
incident(enum event_kind k)
{
	return k == EVK_ACCEPT_OVERFLOW_DROP || k == EVK_ACCEPT_OVERFLOW_RST ||
	    k == EVK_ACCEPT_OVERFLOW_SYN_DROP || k == EVK_SYN_FLOOD || k == EVK_SYN_COOKIE;
}

static bool
ep_eq(const struct endpoint *a, const struct endpoint *b)
{
	return a->family == b->family && a->port == b->port &&
	    memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

static void
note_incident(struct lplot *lp, const struct event *ev)
{
	struct lmark *m;
	unsigned i;
	size_t n;

	for (i = 0; i < lp->nslots; i++)
		if (ep_eq(&lp->slot[i]->ep, &ev->dst) ||
		    (ev->has_src && ep_eq(&lp->slot[i]->ep, &ev->src)))
			break;
	if (i == lp->nslots)
		return;		/* a listener not drawn */
	if (lp->nmarks == LPLOT_MARKS_MAX) {
		lp->marks_dropped++;
		return;
	}
	if (lp->marks == NULL && (lp->marks = malloc(LPLOT_MARKS_MAX * sizeof(*m))) == NULL) {
		lp->marks_dropped++;
		return;
	}
	m = &lp->marks[lp->nmarks++];
	m->t = ev->ts_ns;
	m->frame = ev->frame;
	m->first_frame = ev->first_frame;
	m->last_frame = ev->last_frame;
	m->kind = (uint16_t)ev->kind;
	m->severity = (uint8_t)ev->severity;
	m->slot = (uint8_t)i;
	n = strnlen(ev->message, sizeof(m->msg) - 1);
	memcpy(m->msg, ev->message, n);
	m->msg[n] = '\0';
}

/* ---- drawing ------------------------------------------------------------- */

#define W	1000.0
#define LEFT	70.0
#define RIGHT	20.0
#define TOP1	70.0
#define H1	200.0
#define TOP2	(TOP1 + H1 + 50.0)
#define H2	130.0
#define HEIGHT	(TOP2 + H2 + 60.0)

static const char *
mark_color(unsigned kind)
{
	switch (kind) {
	case EVK_SYN_FLOOD: return "#d62728";
	case EVK_SYN_COOKIE: return "#e377c2";
	case EVK_ACCEPT_OVERFLOW_RST: return "#8c564b";
	case EVK_ACCEPT_OVERFLOW_SYN_DROP: return "#ff7f0e";
	default: return "#000000";
	}
}

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

static double
x_of(const struct lplot *lp, int64_t t)
{
	double span = (double)(lp->t_last > lp->t0 ? lp->t_last - lp->t0 : 1);
	double x = LEFT + (double)(t - lp->t0) / span * (W - LEFT - RIGHT);

	return x < LEFT ? LEFT : x > W - RIGHT ? W - RIGHT : x;
}

/* Bins drawn: up to the last sample. */
static uint32_t
nbins(const struct lplot *lp)
{
	return lp->cur + 1;
}

static double
bin_x(const struct lplot *lp, uint32_t k)
{
	return x_of(lp, lp->t0 + (int64_t)k * lp->width);
}

static void
y_axis(FILE *f, double top, double h, double vmax, const char *label)
{
	double step = svg_nice_step(vmax, 4), v;
	char buf[32];
	int i;

	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fcfcfc\" "
	    "stroke=\"#888\"/>\n<g font-size=\"11\" fill=\"#333\" text-anchor=\"end\">", LEFT,
	    top, W - LEFT - RIGHT, h);
	for (v = 0, i = 0; v <= vmax * (1 + 1e-9) && i < 20; i++, v = step * i) {
		svg_si(v, buf, sizeof(buf));
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", LEFT - 6,
		    top + h - v / vmax * h + 4, buf);
	}
	fprintf(f, "</g>\n<text x=\"14\" y=\"%.1f\" font-size=\"12\" fill=\"#333\" "
	    "transform=\"rotate(-90 14 %.1f)\" text-anchor=\"middle\">%s</text>\n",
	    top + h / 2, top + h / 2, label);
}

static void
time_axis(FILE *f, const struct lplot *lp, double y)
{
	double span = (double)(lp->t_last - lp->t0) / 1e9, step, v;
	char buf[32];
	int i;

	if (span <= 0)
		span = 1e-9;
	step = svg_nice_step(span, 8);
	fputs("<g font-size=\"11\" fill=\"#333\" text-anchor=\"middle\">", f);
	for (v = 0, i = 0; v <= span * (1 + 1e-9) && i < 40; i++, v = step * i) {
		svg_time_label(v, step, buf, sizeof(buf));
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%s</text>",
		    LEFT + v / span * (W - LEFT - RIGHT), y, buf);
	}
	fprintf(f, "</g>\n<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"#333\" "
	    "text-anchor=\"middle\">seconds since the input's first packet</text>\n",
	    (LEFT + W - RIGHT) / 2, y + 18);
}

/* The connections by state: stacked steps of each bin's last sample (a
 * moment's sum), and above them the most at once within the bin. */
static void
draw_states(FILE *f, const struct lplot *lp, const struct lslot *s, double vmax)
{
	uint32_t n = nbins(lp), k, carry[LS_COUNT] = { 0 };
	double base[LPLOT_BINS], top[LPLOT_BINS], total;
	unsigned st;

	for (k = 0; k < n; k++)
		base[k] = 0;
	for (st = 0; st < LS_COUNT; st++) {
		fprintf(f, "<path class=\"state\" data-state=\"%s\" data-peaks=\"", state_name[st]);
		for (k = 0; k < n; k++) {
			if (s->bin[k].set)
				carry[st] = s->bin[k].last[st];
			fprintf(f, "%s%" PRIu32, k ? " " : "", s->bin[k].set ? s->bin[k].peak[st]
			    : carry[st]);
		}
		carry[st] = 0;
		fprintf(f, "\" fill=\"%s\" fill-opacity=\"0.8\" stroke=\"none\" d=\"",
		    state_color[st]);
		for (k = 0; k < n; k++) {
			const struct lbin *b = &s->bin[k];

			if (b->set)
				carry[st] = b->last[st];
			top[k] = base[k] + carry[st];
			fprintf(f, "%s%.1f,%.1fH%.1f", k == 0 ? "M" : "L", bin_x(lp, k),
			    TOP1 + H1 - top[k] / vmax * H1, bin_x(lp, k + 1));
		}
		for (k = n; k-- > 0; )
			fprintf(f, "L%.1f,%.1fH%.1f", bin_x(lp, k + 1),
			    TOP1 + H1 - base[k] / vmax * H1, bin_x(lp, k));
		fputs("Z\"/>\n", f);
		memcpy(base, top, n * sizeof(base[0]));
	}
	fputs("<path class=\"peak\" fill=\"none\" stroke=\"#222\" stroke-width=\"1\" d=\"", f);
	for (k = 0, total = 0; k < n; k++) {
		if (s->bin[k].set)
			total = s->bin[k].peak_total;
		fprintf(f, "%s%.1f,%.1fH%.1f", k == 0 ? "M" : "L", bin_x(lp, k),
		    TOP1 + H1 - total / vmax * H1, bin_x(lp, k + 1));
	}
	fputs("\"/>\n", f);
}

static void
draw_rates(FILE *f, const struct lplot *lp, const struct lslot *s, double vmax)
{
	uint32_t n = nbins(lp), k;
	double per = (double)lp->width / 1e9;
	int which;

	for (which = 0; which < 2; which++) {
		fprintf(f, "<path class=\"rate\" data-series=\"%s\" data-counts=\"",
		    which == 0 ? "syn" : "completed");
		for (k = 0; k < n; k++)
			fprintf(f, "%s%" PRIu32, k ? " " : "", which == 0 ? s->bin[k].syns
			    : s->bin[k].completed);
		fprintf(f, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" d=\"",
		    which == 0 ? "#d62728" : "#2ca02c");
		for (k = 0; k < n; k++) {
			double v = (which == 0 ? s->bin[k].syns : s->bin[k].completed) / per;

			fprintf(f, "%s%.1f,%.1fH%.1f", k == 0 ? "M" : "L", bin_x(lp, k),
			    TOP2 + H2 - v / vmax * H2, bin_x(lp, k + 1));
		}
		fputs("\"/>\n", f);
	}
}

/* Each kind's triangles at a height of their own, the first labelled. */
static unsigned
mark_row(unsigned kind)
{
	switch (kind) {
	case EVK_SYN_FLOOD: return 0;
	case EVK_SYN_COOKIE: return 1;
	case EVK_ACCEPT_OVERFLOW_SYN_DROP: return 2;
	case EVK_ACCEPT_OVERFLOW_RST: return 3;
	default: return 4;
	}
}

static void
draw_marks(FILE *f, const struct lplot *lp, unsigned i)
{
	bool labelled[5] = { false };
	uint32_t m;

	for (m = 0; m < lp->nmarks; m++) {
		const struct lmark *mk = &lp->marks[m];
		const char *name = event_kind_name((enum event_kind)mk->kind);
		double x = x_of(lp, mk->t), y = TOP1 + 10 + 12 * mark_row(mk->kind);

		if (mk->slot != i)
			continue;
		fprintf(f, "<g class=\"mark\" data-kind=\"%s\" data-frame=\"%" PRIu64 "\"", name,
		    mk->frame);
		if (mk->first_frame != 0)
			fprintf(f, " data-first-frame=\"%" PRIu64 "\" data-last-frame=\"%" PRIu64
			    "\"", mk->first_frame, mk->last_frame);
		fprintf(f, "><title>%s, frame.number == %" PRIu64, name, mk->frame);
		if (mk->first_frame != 0)
			fprintf(f, " (frames %" PRIu64 " to %" PRIu64 ")", mk->first_frame,
			    mk->last_frame);
		fputs(": ", f);
		svg_text(f, mk->msg);
		fprintf(f, "</title><path d=\"M%.1f,%.1fV%.1f\" stroke=\"%s\" stroke-width=\"1.2\" "
		    "stroke-dasharray=\"4 2\"/><path d=\"M%.1f,%.1fl5,-8h-10z\" fill=\"%s\"/>",
		    x, TOP1, TOP2 + H2, mark_color(mk->kind), x, y, mark_color(mk->kind));
		if (!labelled[mark_row(mk->kind)]) {
			labelled[mark_row(mk->kind)] = true;
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"%s\" "
			    "stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\"%s>%s"
			    "</text>", x < W / 2 ? x + 7 : x - 7, y - 1, mark_color(mk->kind),
			    x < W / 2 ? "" : " text-anchor=\"end\"", name);
		}
		fputs("</g>\n", f);
	}
}

bool
lplot_svg_write(FILE *f, const struct lplot *lp, unsigned i, bool xml_decl)
{
	const struct lslot *s = lp->slot[i];
	uint32_t n = nbins(lp), k;
	double vmax = 1, rmax = 1, per = (double)lp->width / 1e9, lx;
	char addr[48];
	unsigned st;

	for (k = 0; k < n; k++) {
		if (s->bin[k].peak_total > vmax)
			vmax = s->bin[k].peak_total;
		if (s->bin[k].syns / per > rmax)
			rmax = s->bin[k].syns / per;
		if (s->bin[k].completed / per > rmax)
			rmax = s->bin[k].completed / per;
	}
	vmax *= 1.1;
	rmax *= 1.1;
	endpoint_addr_str(&s->ep, addr, sizeof(addr));
	if (xml_decl)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"listener\" width=\"%.0f\" "
	    "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" "
	    "data-t0-ns=\"%" PRId64 "\" data-bin-ns=\"%" PRId64 "\" data-bins=\"%" PRIu32 "\">\n"
	    "<title>listener %s%s%s:%u</title>\n<rect width=\"100%%\" height=\"100%%\" "
	    "fill=\"#fff\"/>\n", W, HEIGHT, W, HEIGHT, lp->t0, lp->width, n,
	    s->ep.family == 6 ? "[" : "", addr, s->ep.family == 6 ? "]" : "", s->ep.port);
	fprintf(f, "<text x=\"%.0f\" y=\"22\" font-size=\"15\" font-weight=\"bold\" "
	    "fill=\"#111\">listener %s%s%s:%u</text>\n", LEFT, s->ep.family == 6 ? "[" : "",
	    addr, s->ep.family == 6 ? "]" : "", s->ep.port);
	if (lp->in != NULL) {
		fprintf(f, "<text x=\"%.0f\" y=\"22\" font-size=\"12\" fill=\"#444\" "
		    "text-anchor=\"end\">", W - RIGHT);
		svg_text(f, base_name(lp->in->name));
		fputs("</text>\n", f);
	}
	fprintf(f, "<text x=\"%.0f\" y=\"40\" font-size=\"12\" fill=\"#444\">", LEFT);
	fprintf(f, "%" PRIu64 " new SYNs, %" PRIu64 " handshakes completed; at most %u half-open, "
	    "%u established, %u closing, %u TIME_WAIT; bins of %.3g s",
	    s->syns, s->completed, s->peak[LS_HALF_OPEN], s->peak[LS_ESTABLISHED],
	    s->peak[LS_CLOSING], s->peak[LS_TIME_WAIT], per);
	if (lp->marks_dropped > 0)
		fprintf(f, "; %" PRIu64 " incidents past the first %u not marked",
		    lp->marks_dropped, LPLOT_MARKS_MAX);
	fputs("</text>\n<g font-size=\"11\">", f);
	for (st = 0, lx = LEFT; st < LS_COUNT; st++, lx += 96)
		fprintf(f, "<rect x=\"%.0f\" y=\"50\" width=\"10\" height=\"10\" fill=\"%s\"/>"
		    "<text x=\"%.0f\" y=\"59\">%s</text>", lx, state_color[st], lx + 14,
		    state_name[st]);
	fprintf(f, "<path d=\"M%.0f,55h14\" stroke=\"#222\"/><text x=\"%.0f\" y=\"59\">"
	    "most at once</text>", lx, lx + 18);
	lx += 100;
	fprintf(f, "<path d=\"M%.0f,55h14\" stroke=\"#d62728\" stroke-width=\"2\"/>"
	    "<text x=\"%.0f\" y=\"59\">new SYNs/s</text><path d=\"M%.0f,55h14\" stroke=\"#2ca02c\" "
	    "stroke-width=\"2\"/><text x=\"%.0f\" y=\"59\">handshakes completed/s</text>"
	    "<path d=\"M%.0f,50v10\" stroke=\"#000\" stroke-dasharray=\"4 2\"/><text x=\"%.0f\" "
	    "y=\"59\">incident (hover: frames)</text></g>\n", lx, lx + 18, lx + 100, lx + 118,
	    lx + 272, lx + 278);
	y_axis(f, TOP1, H1, vmax, "connections");
	draw_states(f, lp, s, vmax);
	y_axis(f, TOP2, H2, rmax, "per second");
	draw_rates(f, lp, s, rmax);
	time_axis(f, lp, TOP2 + H2 + 16);
	draw_marks(f, lp, i);
	fputs("</svg>\n", f);
	return !ferror(f);
}

uint64_t
lplot_syns(const struct lplot *lp, unsigned i)
{
	return lp->slot[i]->syns;
}

unsigned
lplot_count(const struct lplot *lp)
{
	return lp->nslots;
}

bool
lplot_failed(const struct lplot *lp)
{
	return lp->failed;
}

/* The input ended: its last figures, and its pictures written. */
static void
write_all(struct lplot *lp)
{
	char path[4096], addr[48], prefix[32] = "";
	unsigned i;

	if (lp->started)
		for (i = 0; i < lp->nslots; i++)
			sample(lp->slot[i], lp->cur);
	if (lp->dir == NULL || lp->in == NULL)
		return;
	if (mkdir(lp->dir, 0777) != 0 && errno != EEXIST) {
		diag(lp->dir, "--plot-dir: %s", strerror(errno));
		lp->failed = true;
		return;
	}
	if (lp->nslots == 0)
		diag(lp->in->name, "--plot-listeners: no listener (no SYN) in this input");
	if (lp->slots_dropped > 0)
		diag(lp->in->name, "--plot-listeners: only the first %u listeners drawn",
		    LPLOT_LISTENERS);
	if (lp->in->name_in_records)
		snprintf(prefix, sizeof(prefix), "in%u-", lp->in->index + 1);
	for (i = 0; i < lp->nslots; i++) {
		FILE *f;
		bool ok;

		endpoint_addr_str(&lp->slot[i]->ep, addr, sizeof(addr));
		if ((size_t)snprintf(path, sizeof(path), "%s/%slistener-%s-%u.svg", lp->dir,
		    prefix, addr, lp->slot[i]->ep.port) >= sizeof(path)) {
			diag(lp->dir, "--plot-dir: path too long");
			lp->failed = true;
			return;
		}
		if ((f = fopen(path, "w")) == NULL) {
			diag(path, "cannot write the picture: %s", strerror(errno));
			lp->failed = true;
			continue;
		}
		ok = lplot_svg_write(f, lp, i, true);
		if (fclose(f) != 0 || !ok) {
			diag(path, "cannot write the picture: %s", strerror(errno));
			lp->failed = true;
		}
	}
}

/* ---- the reporter in front of the real one ------------------------------ */

static void
on_begin(void *ctx, const struct input_info *in)
{
	struct lplot *lp = ctx;

	write_all(lp);
	reset(lp);
	lp->in = in;
}

static void
on_event(void *ctx, const struct event *ev, const struct input_info *in)
{
	(void)in;
	if (incident(ev->kind))
		note_incident(ctx, ev);
}

static void
on_end(void *ctx)
{
	struct lplot *lp = ctx;

	write_all(lp);
	lp->dir = NULL;		/* written: a later end writes nothing again */
}

static const struct tee_hooks hooks = {
	.begin = on_begin,
	.event = on_event,
	.end = on_end,
};

struct reporter *
lplot_reporter(struct lplot *lp, struct reporter *inner)
{
	return tee_new(&hooks, lp, inner);
}
