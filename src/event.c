/* event.c: the kind/severity name tables expanded from event_kinds.def,
 * and the helpers that fill a struct event. */
#include "config.h"

#include "event.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {
#define X(id, name, sev, hint) [EVK_##id] = name,
#include "event_kinds.def"
#undef X
};
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == EVK_COUNT,
    "every event kind has a name");

static const char *const kind_hints[] = {
#define X(id, name, sev, hint) [EVK_##id] = hint,
#include "event_kinds.def"
#undef X
};

static const unsigned char kind_severity[] = {
#define X(id, name, sev, hint) [EVK_##id] = sev,
#include "event_kinds.def"
#undef X
};

static const char *const severity_names[] = {
	[SEV_INFO] = "info",
	[SEV_NOTICE] = "notice",
	[SEV_WARNING] = "warning",
	[SEV_ALERT] = "alert",
};
_Static_assert(sizeof(severity_names) / sizeof(severity_names[0]) == SEV_COUNT,
    "every severity has a name");

const char *
event_kind_name(enum event_kind k)
{
	return (unsigned)k < EVK_COUNT ? kind_names[k] : "?";
}

const char *
event_kind_hint(enum event_kind k)
{
	return (unsigned)k < EVK_COUNT ? kind_hints[k] : "";
}

enum severity
event_kind_severity(enum event_kind k)
{
	return (unsigned)k < EVK_COUNT ? (enum severity)kind_severity[k] : SEV_INFO;
}

const char *
severity_name(enum severity s)
{
	return (unsigned)s < SEV_COUNT ? severity_names[s] : "?";
}

int
event_kind_lookup(const char *name)
{
	int k;

	for (k = 0; k < EVK_COUNT; k++)
		if (strcmp(kind_names[k], name) == 0)
			return k;
	return -1;
}

int
severity_lookup(const char *name)
{
	int s;

	for (s = 0; s < SEV_COUNT; s++)
		if (strcmp(severity_names[s], name) == 0)
			return s;
	return -1;
}

void
event_init(struct event *ev, enum event_kind k, uint64_t frame, int64_t ts_ns)
{
	ev->kind = k;
	ev->severity = event_kind_severity(k);
	ev->ts_ns = ts_ns;
	ev->frame = frame;
	ev->stream = 0;
	ev->has_stream = false;
	ev->has_src = false;
	memset(&ev->src, 0, sizeof(ev->src));
	memset(&ev->dst, 0, sizeof(ev->dst));
	ev->first_frame = 0;
	ev->last_frame = 0;
	ev->message[0] = '\0';
	ev->ndetail = 0;
	ev->strused = 0;
}

void
event_message(struct event *ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ev->message, sizeof(ev->message), fmt, ap);
	va_end(ap);
}

static struct detail_item *
detail_next(struct event *ev, const char *key, enum detail_type t)
{
	struct detail_item *d;

	if (ev->ndetail >= EVENT_DETAIL_MAX)
		return NULL;
	d = &ev->detail[ev->ndetail++];
	d->key = key;
	d->type = t;
	return d;
}

void
event_detail_int(struct event *ev, const char *key, int64_t v)
{
	struct detail_item *d = detail_next(ev, key, DT_INT);

	if (d != NULL)
		d->v.i = v;
}

void
event_detail_uint(struct event *ev, const char *key, uint64_t v)
{
	struct detail_item *d = detail_next(ev, key, DT_UINT);

	if (d != NULL)
		d->v.u = v;
}

void
event_detail_double(struct event *ev, const char *key, double v)
{
	struct detail_item *d;

	if (!isfinite(v))	/* JSON has no NaN or infinity */
		return;
	d = detail_next(ev, key, DT_DOUBLE);
	if (d != NULL)
		d->v.d = v;
}

void
event_detail_str(struct event *ev, const char *key, const char *v)
{
	struct detail_item *d;
	size_t n = strlen(v) + 1;

	if (n > sizeof(ev->strbuf) - ev->strused)
		return;		/* out of room: drop rather than truncate silently */
	d = detail_next(ev, key, DT_STR);
	if (d == NULL)
		return;
	memcpy(ev->strbuf + ev->strused, v, n);
	d->v.s = ev->strbuf + ev->strused;
	ev->strused += n;
}

void
event_detail_bool(struct event *ev, const char *key, bool v)
{
	struct detail_item *d = detail_next(ev, key, DT_BOOL);

	if (d != NULL)
		d->v.b = v;
}
