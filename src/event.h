/* event.h: one reported event (an anomaly or a notable fact), the kinds
 * and severities of SPEC.md, and the typed key/value "detail" a detector
 * attaches.  Detectors fill a struct event; reporters format it.  Plain
 * data plus name tables (event.c); no allocation. */
#ifndef TCPDISSECT_EVENT_H
#define TCPDISSECT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

enum severity {
	SEV_INFO,
	SEV_NOTICE,
	SEV_WARNING,
	SEV_ALERT,
	SEV_COUNT
};

enum event_kind {
#define X(id, name, sev, hint) EVK_##id,
#include "event_kinds.def"
#undef X
	EVK_COUNT
};

enum detail_type {
	DT_INT,
	DT_UINT,
	DT_DOUBLE,	/* printed with 6 decimals; never NaN/inf */
	DT_STR,		/* copied into the event's string buffer */
	DT_BOOL,
};

#define EVENT_DETAIL_MAX	16
#define EVENT_STRBUF		512
#define EVENT_MESSAGE_MAX	200

struct detail_item {
	const char		*key;	/* static string */
	enum detail_type	 type;
	union {
		int64_t		 i;
		uint64_t	 u;
		double		 d;
		const char	*s;	/* into struct event.strbuf */
		bool		 b;
	} v;
};

struct event {
	enum event_kind	 kind;
	enum severity	 severity;
	int64_t		 ts_ns;		/* time of the frame that shows it */
	uint64_t	 frame;		/* Wireshark frame.number */
	uint64_t	 stream;	/* Wireshark tcp.stream */
	bool		 has_stream;
	bool		 has_src;	/* aggregate events name only dst */
	struct endpoint	 src, dst;
	uint64_t	 first_frame, last_frame;	/* aggregate events; 0 = none */
	char		 message[EVENT_MESSAGE_MAX];
	unsigned	 ndetail;
	struct detail_item detail[EVENT_DETAIL_MAX];
	size_t		 strused;
	char		 strbuf[EVENT_STRBUF];
};

const char *event_kind_name(enum event_kind k);
const char *event_kind_hint(enum event_kind k);		/* "" when none */
enum severity event_kind_severity(enum event_kind k);
const char *severity_name(enum severity s);
/* Kind by name, or -1. */
int event_kind_lookup(const char *name);
/* Severity by name, or -1. */
int severity_lookup(const char *name);

/* Start an event of kind k at frame/ts; clears everything else and sets
 * the default severity. */
void event_init(struct event *ev, enum event_kind k, uint64_t frame, int64_t ts_ns);
/* printf into ev->message (truncated to fit). */
void event_message(struct event *ev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append a detail item; silently ignored past EVENT_DETAIL_MAX (a
 * programming error caught by the unit tests, never by users). */
void event_detail_int(struct event *ev, const char *key, int64_t v);
void event_detail_uint(struct event *ev, const char *key, uint64_t v);
void event_detail_double(struct event *ev, const char *key, double v);
void event_detail_str(struct event *ev, const char *key, const char *v);
void event_detail_bool(struct event *ev, const char *key, bool v);

#endif /* TCPDISSECT_EVENT_H */
