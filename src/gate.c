/* gate.c: --fail-on's per-file findings and -q's per-file lines (gate.h). */
#include "config.h"

#include "gate.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct gate {
	struct reporter		*inner;
	struct gate_config	 cfg;
	bool			 fail_on[EVK_COUNT];
	const struct input_info	*in;		/* the input being read, or NULL */
	/* this input's figures */
	uint64_t		 connections;
	uint64_t		 events;
	uint64_t		 by_kind[EVK_COUNT];
	uint64_t		 matched;
	struct event		 first;		/* its lowest-frame matching event */
	unsigned		 files_matched;
};

static bool
matches(const struct gate *g, const struct event *ev)
{
	return g->fail_on[ev->kind] ||
	    (g->cfg.fail_on_severity >= 0 && (int)ev->severity >= g->cfg.fail_on_severity);
}

static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* The end of an input: its --fail-on finding on stderr, its -q line. */
static void
finish_input(struct gate *g)
{
	const struct input_info *in = g->in;
	unsigned k;

	if (in == NULL)
		return;
	if (g->matched > 0) {
		const struct event *ev = &g->first;
		char stream[32] = "";

		g->files_matched++;
		if (ev->has_stream)
			snprintf(stream, sizeof(stream), ", stream %" PRIu64, ev->stream);
		diag(in->name, "--fail-on matched %" PRIu64 " %s; first: %s (%s) at frame %"
		    PRIu64 "%s", g->matched, plural(g->matched, "event", "events"),
		    event_kind_name(ev->kind), severity_name(ev->severity), ev->frame, stream);
	}
	if (g->cfg.file_lines) {
		FILE *f = g->inner->out;
		const char *sep = ": ";
		char name[1024];

		utf8_sanitize(in->name, name, sizeof(name));
		out_printf(f, "%s: %" PRIu64 " %s, %" PRIu64 " %s, %" PRIu64 " %s", name,
		    in->frames_read, plural(in->frames_read, "packet", "packets"),
		    g->connections, plural(g->connections, "connection", "connections"),
		    g->events, plural(g->events, "event", "events"));
		for (k = 0; k < EVK_COUNT; k++)
			if (g->by_kind[k]) {
				out_printf(f, "%s%s %" PRIu64, sep,
				    event_kind_name((enum event_kind)k), g->by_kind[k]);
				sep = ", ";
			}
		out_line(f, "");
	}
	g->in = NULL;
}

static void
gate_begin(struct reporter *r, const struct input_info *in)
{
	struct gate *g = r->priv;

	finish_input(g);
	g->in = in;
	g->connections = g->events = g->matched = 0;
	memset(g->by_kind, 0, sizeof(g->by_kind));
	report_begin(g->inner, in);
}

static void
gate_event(struct reporter *r, const struct event *ev, const struct input_info *in)
{
	struct gate *g = r->priv;

	g->events++;
	g->by_kind[ev->kind]++;
	if (matches(g, ev)) {
		if (g->matched == 0 || ev->frame < g->first.frame)
			g->first = *ev;
		g->matched++;
	}
	report_event(g->inner, ev, in);
}

static void
gate_connection(struct reporter *r, const struct conn_report *cr)
{
	struct gate *g = r->priv;

	g->connections++;
	report_connection(g->inner, cr);
}

static void
gate_summary(struct reporter *r, const struct summary *s)
{
	struct gate *g = r->priv;

	if (!s->interim)
		finish_input(g);
	report_summary(g->inner, s);
}

static void
gate_sockets(struct reporter *r, const struct socket_table *st, const struct input_info *in)
{
	struct gate *g = r->priv;

	report_sockets(g->inner, st, in);
}

static void
gate_end(struct reporter *r)
{
	struct gate *g = r->priv;

	report_end(g->inner);
}

static void
gate_destroy(struct reporter *r)
{
	struct gate *g = r->priv;

	report_destroy(g->inner);
	free(g);
	free(r);
}

static const struct reporter_ops gate_ops = {
	.begin = gate_begin,
	.event = gate_event,
	.connection = gate_connection,
	.summary = gate_summary,
	.sockets = gate_sockets,
	.end = gate_end,
	.destroy = gate_destroy,
};

struct reporter *
gate_new(struct reporter *inner, const struct gate_config *cfg)
{
	struct reporter *r;
	struct gate *g;

	if (inner == NULL)
		return NULL;
	r = calloc(1, sizeof(*r));
	g = calloc(1, sizeof(*g));
	if (r == NULL || g == NULL) {
		free(r);
		free(g);
		report_destroy(inner);
		return NULL;
	}
	g->inner = inner;
	g->cfg = *cfg;
	if (cfg->fail_on != NULL)
		memcpy(g->fail_on, cfg->fail_on, sizeof(g->fail_on));
	g->cfg.fail_on = NULL;
	r->ops = &gate_ops;
	r->out = inner->out;
	r->quiet = false;	/* inner's report_*() applies -q */
	r->verbose = inner->verbose;
	r->priv = g;
	return r;
}

unsigned
gate_files_matched(const struct reporter *r)
{
	const struct gate *g = r->priv;

	return g->files_matched;
}
