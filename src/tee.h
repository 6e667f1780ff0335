/* tee.h: a reporter in front of another one that sees each call first and
 * then forwards it unchanged: how the pictures (plot.h, listen_plot.h) and
 * the HTML report (html_report.h) see the run's events, connection records
 * and summary without changing the report.  Owns only the forwarding. */
#ifndef TCPDISSECT_TEE_H
#define TCPDISSECT_TEE_H

#include "report.h"

/* What the reporter in front does with each call before it is forwarded;
 * any may be NULL.  ctx is the hooks' own. */
struct tee_hooks {
	void	(*begin)(void *ctx, const struct input_info *in);
	void	(*event)(void *ctx, const struct event *ev, const struct input_info *in);
	void	(*connection)(void *ctx, const struct conn_report *cr);
	void	(*summary)(void *ctx, const struct summary *s);
	void	(*end)(void *ctx);
};

/* Destroying it destroys inner (not ctx).  NULL on allocation failure
 * (inner is then left alone). */
struct reporter *tee_new(const struct tee_hooks *hooks, void *ctx, struct reporter *inner);

#endif /* TCPDISSECT_TEE_H */
