/* framing.h: one direction's reassembled byte stream cut into application
 * messages by a rule (--framing): lines, a length prefix, HTTP/1.x, TLS
 * records, Redis RESP, or one of the last three detected per connection.
 *
 * Owns the table of rules (fr_rules in framing.c: adding a rule is one
 * parse function and one row), struct fr_rule (a parsed --framing
 * argument) and struct fr_parser (a direction's incremental state: a few
 * counters and at most FR_LINE_KEEP bytes of the current line or header,
 * whatever the messages' sizes).  Fed the bytes in reading order as the
 * reassembly delivers them, it says where each message ends; a stream the
 * rule cannot cut (a length beyond any sane size, a garbled HTTP head) is
 * a framing error at an offset, after which the direction is not cut any
 * more.  No I/O, no allocation. */
#ifndef TCPDISSECT_FRAMING_H
#define TCPDISSECT_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The sane maximums: past them the stream is not what the rule says. */
#define FR_MAX_LEN_MESSAGE	((uint64_t)1 << 30)	/* len:N, 1 GiB */
#define FR_MAX_LINE		((uint64_t)1 << 20)	/* line, RESP line: 1 MiB */
#define FR_MAX_HTTP_HEAD	((uint64_t)64 << 10)	/* an HTTP head: 64 KiB */
#define FR_MAX_TLS_RECORD	(16384u + 2048u)	/* RFC 5246 6.2.3 */
#define FR_MAX_RESP_BULK	((uint64_t)512 << 20)	/* Redis proto-max-bulk-len */
#define FR_MAX_RESP_DEPTH	32			/* nested RESP aggregates */
#define FR_LINE_KEEP		64	/* bytes of a line kept to parse it */

enum fr_kind {
	FR_NONE,	/* auto found nothing it knows: not cut */
	FR_LINE,
	FR_LEN,
	FR_HTTP,
	FR_TLS,
	FR_RESP,
	FR_AUTO,	/* http, tls or resp, from a connection's first bytes */
};

struct fr_rule {
	enum fr_kind	kind;
	uint8_t		len_size;	/* len: prefix bytes, 1, 2, 4 or 8 */
	bool		len_le;		/* len: little-endian (default big) */
	bool		len_incl;	/* len: the value counts the prefix and
					 * the bytes before it */
	uint32_t	len_offset;	/* len: bytes before the prefix */
};

/* Parse a --framing argument; false: not a rule (why in err). */
bool fr_rule_parse(const char *arg, struct fr_rule *r, char *err, size_t errlen);
/* The rule's name: "line", "len", "http", "tls", "resp", "auto", "none". */
const char *fr_kind_name(enum fr_kind k);
/* FR_AUTO: the rule a connection's first bytes p[0..len) look like
 * (FR_NONE: none).  Needs at most 8 bytes. */
enum fr_kind fr_detect(const uint8_t *p, size_t len);

struct fr_parser {
	struct fr_rule	rule;		/* kind is never FR_AUTO */
	bool		failed;		/* a framing error: not cut any more */
	bool		request;	/* the current message is an HTTP request
					 * (or other side's first message) */
	uint8_t		state;		/* the rule's own */
	uint8_t		depth;		/* resp: open aggregates */
	uint8_t		keep;		/* bytes in line[] */
	uint64_t	start;		/* offset where the current message began */
	uint64_t	pos;		/* offset of the next byte fed */
	uint64_t	need;		/* bytes still to skip (a body, a payload) */
	uint64_t	run;		/* bytes of the current line or head */
	uint64_t	body;		/* http: Content-Length; len: the value */
	uint32_t	flags;		/* http: head facts */
	uint64_t	heads;		/* http responses: the requests answered
					 * next, oldest in bit 0, 1 = HEAD (its
					 * response has no body, RFC 9110 9.3.2) */
	uint8_t		nheads;		/* ... bits in heads (at most 64) */
	uint32_t	left[FR_MAX_RESP_DEPTH];	/* resp: elements still owed */
	uint8_t		line[FR_LINE_KEEP];
};

/* What fr_feed found.  ends[] are the offsets just past each message that
 * ended in the bytes fed (at most FR_ENDS per call: fr_feed stops early,
 * returning how many bytes it used, so the caller feeds the rest). */
#define FR_ENDS	32
struct fr_result {
	unsigned	nends;
	uint64_t	ends[FR_ENDS];
	bool		error;		/* a framing error in these bytes */
	/* http: requests whose start line these bytes held, oldest in bit 0,
	 * 1 = HEAD: for the other direction's parser (fr_http_request) */
	unsigned	nrequests;
	uint32_t	head_requests;
	uint64_t	error_off;
	const char	*error_why;	/* a static string */
};

void fr_init(struct fr_parser *f, const struct fr_rule *rule);
/* http: the other direction sent a request (head: a HEAD request), which
 * the next final response of this direction answers. */
void fr_http_request(struct fr_parser *f, bool head);
/* Feed len bytes at the parser's position; returns how many were used
 * (less than len only when FR_ENDS messages ended or an error stopped it). */
size_t fr_feed(struct fr_parser *f, const uint8_t *p, size_t len, struct fr_result *res);
/* The direction ended: a message that runs to the end (an HTTP body
 * without a length) ends here; true if one did (its end is f->pos). */
bool fr_finish(struct fr_parser *f);
/* Bytes after the last message's end: an incomplete message. */
static inline uint64_t
fr_pending(const struct fr_parser *f)
{
	return f->pos - f->start;
}

#endif /* TCPDISSECT_FRAMING_H */
