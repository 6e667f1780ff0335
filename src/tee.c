/* tee.c: the reporter in front of another (tee.h). */
#include "config.h"

#include "tee.h"

#include <stdlib.h>

struct tee {
	const struct tee_hooks	*hooks;
	void			*ctx;
	struct reporter		*inner;
};

static void
tee_begin(struct reporter *r, const struct input_info *in)
{
	struct tee *t = r->priv;

	if (t->hooks->begin != NULL)
		t->hooks->begin(t->ctx, in);
	report_begin(t->inner, in);
}

static void
tee_event(struct reporter *r, const struct event *ev, const struct input_info *in)
{
	struct tee *t = r->priv;

	if (t->hooks->event != NULL)
		t->hooks->event(t->ctx, ev, in);
	report_event(t->inner, ev, in);
}

static void
tee_connection(struct reporter *r, const struct conn_report *cr)
{
	struct tee *t = r->priv;

	if (t->hooks->connection != NULL)
		t->hooks->connection(t->ctx, cr);
	report_connection(t->inner, cr);
}

static void
tee_summary(struct reporter *r, const struct summary *s)
{
	struct tee *t = r->priv;

	if (t->hooks->summary != NULL)
		t->hooks->summary(t->ctx, s);
	report_summary(t->inner, s);
}

static void
tee_sockets(struct reporter *r, const struct socket_table *st, const struct input_info *in)
{
	report_sockets(((struct tee *)r->priv)->inner, st, in);
}

static void
tee_end(struct reporter *r)
{
	struct tee *t = r->priv;

	if (t->hooks->end != NULL)
		t->hooks->end(t->ctx);
	report_end(t->inner);
}

static void
tee_destroy(struct reporter *r)
{
	struct tee *t = r->priv;

	report_destroy(t->inner);
	free(t);
	free(r);
}

static const struct reporter_ops tee_ops = {
	.begin = tee_begin,
	.event = tee_event,
	.connection = tee_connection,
	.summary = tee_summary,
	.sockets = tee_sockets,
	.end = tee_end,
	.destroy = tee_destroy,
};

struct reporter *
tee_new(const struct tee_hooks *hooks, void *ctx, struct reporter *inner)
{
	struct reporter *r = calloc(1, sizeof(*r));
	struct tee *t = calloc(1, sizeof(*t));

	if (r == NULL || t == NULL) {
		free(r);
		free(t);
		return NULL;
	}
	t->hooks = hooks;
	t->ctx = ctx;
	t->inner = inner;
	r->ops = &tee_ops;
	r->out = inner->out;
	r->quiet = inner->quiet;
	r->verbose = inner->verbose;
	r->priv = t;
	return r;
}
