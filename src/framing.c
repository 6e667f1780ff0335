/* framing.c: the --framing rules, each an incremental cutter of one
 * direction's byte stream into messages (framing.h). */
#include "config.h"

#include "framing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared steps ------------------------------------------------------- */

static void
end_msg(struct fr_parser *f, struct fr_result *res)
{
	res->ends[res->nends++] = f->pos;
	f->start = f->pos;
	f->state = 0;
	f->need = 0;
	f->run = 0;
	f->keep = 0;
	f->body = 0;
	f->flags = 0;
	f->depth = 0;
}


static void
fail(struct fr_parser *f, struct fr_result *res, uint64_t off, const char *why)
{
	f->failed = true;
	res->error = true;
	res->error_off = off;
	res->error_why = why;
}

/* Take bytes of the current line (up to and with its LF); the first
 * FR_LINE_KEEP are kept in f->line.  *done: the LF was taken. */
static size_t
take_line(struct fr_parser *f, const uint8_t *p, size_t len, bool *done)
{
	const uint8_t *nl = memchr(p, '\n', len);
	size_t n = nl != NULL ? (size_t)(nl - p) + 1 : len;

	if (f->keep < FR_LINE_KEEP) {
		size_t room = (size_t)FR_LINE_KEEP - f->keep;
		size_t k = room < n ? room : n;

		memcpy(f->line + f->keep, p, k);
		f->keep = (uint8_t)(f->keep + k);
	}
	f->pos += n;
	f->run += n;
	*done = nl != NULL;
	return n;
}

/* The kept line without its CR LF, NUL-terminated in buf. */
static size_t
line_text(const struct fr_parser *f, char *buf)
{
	size_t n = f->keep;

	memcpy(buf, f->line, n);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return n;
}

/* Skip up to f->need bytes; true when none are owed any more. */
static bool
take_need(struct fr_parser *f, size_t len, size_t *used)
{
	uint64_t n = f->need < len ? f->need : len;

	f->need -= n;
	f->pos += n;
	*used = (size_t)n;
	return f->need == 0;
}

/* Collect a fixed header of hsize bytes into f->line; true when whole. */
static bool
take_header(struct fr_parser *f, const uint8_t *p, size_t len, size_t hsize, size_t *used)
{
	size_t n = hsize - f->keep < len ? hsize - f->keep : len;

	memcpy(f->line + f->keep, p, n);
	f->keep = (uint8_t)(f->keep + n);
	f->pos += n;
	*used = n;
	return f->keep == hsize;
}

/* A signed decimal at s (spaces before it allowed); false: none. */
static bool
parse_int(const char *s, int64_t *v)
{
	char *end;
	long long x;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
		return false;
	x = strtoll(s, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\0')
		return false;
	*v = x;
	return true;
}

/* ---- line --------------------------------------------------------------- */

static size_t
step_line(struct fr_parser *f, const uint8_t *p, size_t len, struct fr_result *res)
{
	const uint8_t *nl = memchr(p, '\n', len);
	size_t n = nl != NULL ? (size_t)(nl - p) + 1 : len;

	f->pos += n;
	f->run += n;
	if (nl != NULL)
		end_msg(f, res);
	else if (f->run > FR_MAX_LINE)
		fail(f, res, f->start, "a line longer than 1 MiB");
	return n;
}

/* ---- len:N -------------------------------------------------------------- */

/* state 0: the bytes before the prefix and the prefix; 1: the rest */
static size_t
step_len(struct fr_parser *f, const uint8_t *p, size_t len, struct fr_result *res)
{
	const struct fr_rule *r = &f->rule;
	uint64_t hsize = (uint64_t)r->len_offset + r->len_size, v = 0, total;
	size_t used, i;

	if (f->state == 1) {
		if (take_need(f, len, &used))
			end_msg(f, res);
		return used;
	}
	if (f->run < r->len_offset) {		/* bytes before the prefix */
		uint64_t n = r->len_offset - f->run < len ? r->len_offset - f->run : len;

		f->run += n;
		f->pos += n;
		return (size_t)n;
	}
	if (!take_header(f, p, len, r->len_size, &used))
		return used;
	for (i = 0; i < r->len_size; i++) {
		unsigned b = r->len_le ? f->line[r->len_size - 1 - i] : f->line[i];

		v = v << 8 | b;
	}
	total = r->len_incl ? v : v + hsize;
	if (r->len_incl && v < hsize) {
		fail(f, res, f->start, "a length prefix smaller than the prefix itself");
		return used;
	}
	if (total > FR_MAX_LEN_MESSAGE || total < v) {
		fail(f, res, f->start, "a length prefix beyond 1 GiB");
		return used;
	}
	f->need = total - hsize;
	f->body = v;
	f->state = 1;
	if (f->need == 0)
		end_msg(f, res);
	return used;
}

/* ---- tls ---------------------------------------------------------------- */

static size_t
step_tls(struct fr_parser *f, const uint8_t *p, size_t len, struct fr_result *res)
{
	size_t used;
	unsigned rlen;

	if (f->state == 1) {
		if (take_need(f, len, &used))
			end_msg(f, res);
		return used;
	}
	if (!take_header(f, p, len, 5, &used))
		return used;
	/* content types 20-24 (RFC 8446 B.1, RFC 6520), version 3.x */
	if (f->line[0] < 20 || f->line[0] > 24 || f->line[1] != 3) {
		fail(f, res, f->start, "not a TLS record header");
		return used;
	}
	rlen = (unsigned)f->line[3] << 8 | f->line[4];
	if (rlen > FR_MAX_TLS_RECORD) {
		fail(f, res, f->start, "a TLS record longer than 2^14 + 2048 bytes");
		return used;
	}
	f->need = rlen;
	f->state = 1;
	if (f->need == 0)
		end_msg(f, res);
	return used;
}

/* ---- http --------------------------------------------------------------- */

enum {
	H_START, H_HEADER, H_BODY, H_CHUNK_SIZE, H_CHUNK_DATA, H_TRAILER, H_TO_END,
};
#define HF_RESPONSE	0x01
#define HF_NO_BODY	0x02	/* 1xx, 204, 304 */
#define HF_CHUNKED	0x04
#define HF_LENGTH	0x08

static bool
http_start_line(struct fr_parser *f, const char *s, struct fr_result *res)
{
	size_t i;

	if (strncmp(s, "HTTP/1.", 7) == 0) {
		int code;

		if (!(s[7] >= '0' && s[7] <= '9') || s[8] != ' ' || s[9] < '1' || s[9] > '5' ||
		    s[10] < '0' || s[10] > '9' || s[11] < '0' || s[11] > '9')
			return false;
		code = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
		f->flags |= HF_RESPONSE;
		if (code < 200 || code == 204 || code == 304)
			f->flags |= HF_NO_BODY;
		if (code >= 200 && f->nheads > 0) {	/* a final answer */
			if (f->heads & 1)
				f->flags |= HF_NO_BODY;
			f->heads >>= 1;
			f->nheads--;
		}
		f->request = false;
		return true;
	}
	for (i = 0; s[i] >= 'A' && s[i] <= 'Z'; i++)
		;
	if (i == 0 || s[i] != ' ' || s[i + 1] == ' ' || s[i + 1] == '\0')
		return false;
	f->request = true;
	if (res->nrequests < 32) {
		if (i == 4 && strncmp(s, "HEAD", 4) == 0)
			res->head_requests |= UINT32_C(1) << res->nrequests;
		res->nrequests++;
	}
	return true;
}

void
fr_http_request(struct fr_parser *f, bool head)
{
	if (f->nheads == 64)
		return;			/* 64 unanswered: not followed */
	if (head)
		f->heads |= UINT64_C(1) << f->nheads;
	f->nheads++;
}

/* A header line (CR LF removed); false: garbled. */
static bool
http_header(struct fr_parser *f, const char *s, bool cut)
{
	const char *colon = strchr(s, ':');

	if (*s == ' ' || *s == '\t')		/* obs-fold: continues the last one */
		return true;
	if (colon == NULL)
		return cut;			/* past what is kept: not checked */
	if (strncasecmp(s, "content-length:", 15) == 0) {
		int64_t v;

		if (cut || !parse_int(s + 15, &v) || v < 0)
			return false;
		f->flags |= HF_LENGTH;
		f->body = (uint64_t)v;
	} else if (strncasecmp(s, "transfer-encoding:", 18) == 0) {
		const char *q;

		for (q = s + 18; *q != '\0'; q++)
			if (strncasecmp(q, "chunked", 7) == 0)
				f->flags |= HF_CHUNKED;
	}
	return true;
}

static void
http_head_done(struct fr_parser *f, struct fr_result *res)
{
	if (f->flags & HF_NO_BODY) {
		end_msg(f, res);
	} else if (f->flags & HF_CHUNKED) {
		f->state = H_CHUNK_SIZE;
	} else if (f->flags & HF_LENGTH) {
		f->need = f->body;
		f->state = H_BODY;
		if (f->need == 0)
			end_msg(f, res);
	} else if (f->flags & HF_RESPONSE) {
		f->state = H_TO_END;		/* RFC 9112 6.3: to the close */
	} else {
		end_msg(f, res);		/* a request without a body */
	}
}

static size_t
step_http(struct fr_parser *f, const uint8_t *p, size_t len, struct fr_result *res)
{
	char s[FR_LINE_KEEP + 1];
	size_t used, n;
	bool done, cut;
	uint64_t line_off;

	switch (f->state) {
	case H_BODY:
		if (take_need(f, len, &used))
			end_msg(f, res);
		return used;
	case H_CHUNK_DATA:
		if (take_need(f, len, &used))
			f->state = H_CHUNK_SIZE;
		return used;
	case H_TO_END:
		f->pos += len;
		return len;
	default:
		break;
	}
	used = take_line(f, p, len, &done);
	if (f->state <= H_HEADER && f->pos - f->start > FR_MAX_HTTP_HEAD) {
		fail(f, res, f->start, "an HTTP head longer than 64 KiB");
		return used;
	}
	if (f->state > H_HEADER && f->run > FR_MAX_LINE) {
		fail(f, res, f->pos - f->run, "an HTTP chunk line longer than 1 MiB");
		return used;
	}
	if (!done)
		return used;
	cut = f->run > FR_LINE_KEEP;
	line_off = f->pos - f->run;
	n = line_text(f, s);
	f->keep = 0;
	f->run = 0;
	switch (f->state) {
	case H_START:
		if (n == 0 && !cut && f->pos - f->start <= 4)
			break;			/* RFC 9112 2.2: empty lines before */
		if (!http_start_line(f, s, res))
			fail(f, res, f->start, "a garbled HTTP start line");
		else
			f->state = H_HEADER;
		break;
	case H_HEADER:
		if (n == 0 && !cut)
			http_head_done(f, res);
		else if (!http_header(f, s, cut))
			fail(f, res, f->start, "a garbled HTTP header");
		break;
	case H_CHUNK_SIZE: {
		char *end;
		unsigned long long v;

		if (n == 0 || !((s[0] >= '0' && s[0] <= '9') || (s[0] >= 'a' && s[0] <= 'f') ||
		    (s[0] >= 'A' && s[0] <= 'F'))) {
			fail(f, res, line_off, "a garbled HTTP chunk size");
			break;
		}
		v = strtoull(s, &end, 16);
		if ((*end != '\0' && *end != ';' && *end != ' ' && *end != '\t') ||
		    v > FR_MAX_LEN_MESSAGE) {
			fail(f, res, line_off, "a garbled HTTP chunk size");
			break;
		}
		if (v == 0) {
			f->state = H_TRAILER;
		} else {
			f->need = v + 2;	/* the data and its CR LF */
			f->state = H_CHUNK_DATA;
		}
		break;
	}
	case H_TRAILER:
		if (n == 0 && !cut)
			end_msg(f, res);
		break;
	default:
		break;
	}
	return used;
}

/* ---- resp --------------------------------------------------------------- */

enum { R_LINE, R_BULK };

/* An element of the message is complete: close the aggregates it ends. */
static void
resp_element(struct fr_parser *f, struct fr_result *res)
{
	while (f->depth > 0) {
		if (--f->left[f->depth - 1] > 0)
			return;
		f->depth--;
	}
	end_msg(f, res);
}

static size_t
step_resp(struct fr_parser *f, const uint8_t *p, size_t len, struct fr_result *res)
{
	char s[FR_LINE_KEEP + 1];
	size_t used;
	int64_t v;
	bool done;
	uint64_t line_off;

	if (f->state == R_BULK) {
		if (take_need(f, len, &used)) {
			f->state = R_LINE;
			resp_element(f, res);
		}
		return used;
	}
	used = take_line(f, p, len, &done);
	if (f->run > FR_MAX_LINE) {
		fail(f, res, f->pos - f->run, "a RESP line longer than 1 MiB");
		return used;
	}
	if (!done)
		return used;
	line_off = f->pos - f->run;
	line_text(f, s);
	f->keep = 0;
	f->run = 0;
	switch (s[0]) {
	case '+': case '-': case ':': case '_': case '#': case ',': case '(':
		resp_element(f, res);
		break;
	case '$': case '!': case '=':
		if (!parse_int(s + 1, &v) || v < -1 || v > (int64_t)FR_MAX_RESP_BULK) {
			fail(f, res, line_off, "a RESP bulk length beyond 512 MiB or garbled");
			break;
		}
		if (v == -1) {
			resp_element(f, res);
			break;
		}
		f->need = (uint64_t)v + 2;
		f->state = R_BULK;
		break;
	case '*': case '~': case '>': case '%': case '|':
		if (!parse_int(s + 1, &v) || v < -1 || v > (1 << 24)) {
			fail(f, res, line_off, "a RESP aggregate count beyond 2^24 or garbled");
			break;
		}
		if (s[0] == '%' || s[0] == '|')
			v *= 2;
		if (v <= 0) {
			resp_element(f, res);
			break;
		}
		if (f->depth == FR_MAX_RESP_DEPTH) {
			fail(f, res, line_off, "RESP aggregates nested deeper than 32");
			break;
		}
		f->left[f->depth++] = (uint32_t)v;
		break;
	default:
		if (f->depth == 0)		/* an inline command: one line */
			end_msg(f, res);
		else
			fail(f, res, line_off, "a garbled RESP element");
		break;
	}
	return used;
}

/* ---- the table ---------------------------------------------------------- */

/* len:N[:be|le][:+OFFSET][:incl] after "len" */
static bool
parse_len_args(const char *args, struct fr_rule *r, char *err, size_t errlen)
{
	char buf[64], *tok, *save = NULL;
	bool first = true;

	if (*args != ':' || strlen(args) >= sizeof(buf)) {
		snprintf(err, errlen, "len needs a prefix size: len:N (N 1, 2, 4 or 8)");
		return false;
	}
	strcpy(buf, args + 1);
	for (tok = strtok_r(buf, ":", &save); tok != NULL; tok = strtok_r(NULL, ":", &save)) {
		if (first) {
			if (strcmp(tok, "1") && strcmp(tok, "2") && strcmp(tok, "4") &&
			    strcmp(tok, "8")) {
				snprintf(err, errlen, "len:%s: the prefix is 1, 2, 4 or 8 bytes",
				    tok);
				return false;
			}
			r->len_size = (uint8_t)atoi(tok);
			first = false;
		} else if (strcmp(tok, "be") == 0) {
			r->len_le = false;
		} else if (strcmp(tok, "le") == 0) {
			r->len_le = true;
		} else if (strcmp(tok, "incl") == 0) {
			r->len_incl = true;
		} else if (tok[0] == '+' && tok[1] >= '0' && tok[1] <= '9') {
			char *end;
			unsigned long v = strtoul(tok + 1, &end, 10);

			if (*end != '\0' || v > 65535) {
				snprintf(err, errlen, "'%s': the offset is +0 to +65535", tok);
				return false;
			}
			r->len_offset = (uint32_t)v;
		} else {
			snprintf(err, errlen, "'%s' is not be, le, +OFFSET or incl", tok);
			return false;
		}
	}
	if (first) {
		snprintf(err, errlen, "len needs a prefix size: len:N (N 1, 2, 4 or 8)");
		return false;
	}
	return true;
}

struct fr_rule_def {
	const char	*name;
	enum fr_kind	 kind;
	/* the text after the name ("" for none); NULL: takes none */
	bool		(*parse)(const char *args, struct fr_rule *r, char *err, size_t errlen);
	size_t		(*step)(struct fr_parser *f, const uint8_t *p, size_t len,
			    struct fr_result *res);
};

static const struct fr_rule_def fr_rules[] = {
	{ "line", FR_LINE, NULL, step_line },
	{ "len", FR_LEN, parse_len_args, step_len },
	{ "http", FR_HTTP, NULL, step_http },
	{ "tls", FR_TLS, NULL, step_tls },
	{ "resp", FR_RESP, NULL, step_resp },
	{ "auto", FR_AUTO, NULL, NULL },
	{ "none", FR_NONE, NULL, NULL },
};
#define NRULES	(sizeof(fr_rules) / sizeof(fr_rules[0]))

static const struct fr_rule_def *
rule_def(enum fr_kind k)
{
	size_t i;

	for (i = 0; i < NRULES; i++)
		if (fr_rules[i].kind == k)
			return &fr_rules[i];
	return NULL;
}

bool
fr_rule_parse(const char *arg, struct fr_rule *r, char *err, size_t errlen)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < NRULES; i++) {
		size_t n = strlen(fr_rules[i].name);

		if (fr_rules[i].kind == FR_NONE || strncmp(arg, fr_rules[i].name, n) != 0)
			continue;
		if (arg[n] != '\0' && fr_rules[i].parse == NULL)
			continue;
		r->kind = fr_rules[i].kind;
		return fr_rules[i].parse == NULL || fr_rules[i].parse(arg + n, r, err, errlen);
	}
	snprintf(err, errlen, "'%s' is not line, len:N[:be|le][:+OFFSET][:incl], http, tls, "
	    "resp or auto", arg);
	return false;
}

const char *
fr_kind_name(enum fr_kind k)
{
	const struct fr_rule_def *d = rule_def(k);

	return d != NULL ? d->name : "none";
}

enum fr_kind
fr_detect(const uint8_t *p, size_t len)
{
	static const char *const http[] = {
		"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ",
		"TRACE ", "HTTP/1.",
	};
	size_t i;

	if (len == 0)
		return FR_NONE;
	if (p[0] == 0x16 && (len < 2 || p[1] == 3))	/* a TLS handshake record */
		return FR_TLS;
	for (i = 0; i < sizeof(http) / sizeof(http[0]); i++) {
		size_t n = strlen(http[i]);

		if (memcmp(p, http[i], len < n ? len : n) == 0 && (len >= n || len >= 3))
			return FR_HTTP;
	}
	if (strchr("*$+-:", p[0]) != NULL && p[0] != '\0')
		return FR_RESP;
	return FR_NONE;
}

void
fr_init(struct fr_parser *f, const struct fr_rule *rule)
{
	memset(f, 0, sizeof(*f));
	f->rule = *rule;
}

size_t
fr_feed(struct fr_parser *f, const uint8_t *p, size_t len, struct fr_result *res)
{
	const struct fr_rule_def *d = rule_def(f->rule.kind);
	size_t used = 0;

	if (d == NULL || d->step == NULL) {	/* not cut */
		f->pos += len;
		f->start = f->pos;
		return len;
	}
	while (used < len && !f->failed && res->nends < FR_ENDS)
		used += d->step(f, p + used, len - used, res);
	if (f->failed) {			/* not cut any more */
		f->pos += len - used;
		used = len;
	}
	return used;
}

bool
fr_finish(struct fr_parser *f)
{
	if (f->failed || f->rule.kind != FR_HTTP || f->state != H_TO_END || f->pos == f->start)
		return false;
	f->start = f->pos;
	f->state = H_START;
	return true;
}
