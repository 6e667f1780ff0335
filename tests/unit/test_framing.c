/* test_framing.c: each --framing rule cuts known streams at the known
 * offsets, whatever the pieces they arrive in (whole, one byte at a time,
 * 3 and 7 bytes), and stops with an error where the stream is not the rule. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framing.h"
#include "tap.h"

struct cut {
	char	ends[512];	/* "7,16,20" */
	bool	error;
	uint64_t error_off;
	bool	finished;	/* fr_finish ended a message */
};

static void
run(const char *rule, const uint8_t *p, size_t len, size_t step, struct cut *out)
{
	struct fr_rule r;
	struct fr_parser f;
	char err[160];
	size_t at = 0, n = 0;

	memset(out, 0, sizeof(*out));
	if (!fr_rule_parse(rule, &r, err, sizeof(err))) {
		snprintf(out->ends, sizeof(out->ends), "bad rule: %s", err);
		return;
	}
	fr_init(&f, &r);
	while (at < len) {
		size_t piece = len - at < step ? len - at : step, used = 0;

		while (used < piece) {
			struct fr_result res;
			unsigned i;

			res.nends = 0;
			res.error = false;
			res.nrequests = 0;
			used += fr_feed(&f, p + at + used, piece - used, &res);
			for (i = 0; i < res.nends; i++)
				n += (size_t)snprintf(out->ends + n, sizeof(out->ends) - n, "%s%llu",
				    n ? "," : "", (unsigned long long)res.ends[i]);
			if (res.error && !out->error) {
				out->error = true;
				out->error_off = res.error_off;
			}
		}
		at += piece;
	}
	out->finished = fr_finish(&f);
}

/* The same ends for every way of cutting the input into pieces. */
static void
check(const char *rule, const void *p, size_t len, const char *want, const char *what)
{
	static const size_t steps[] = { 0, 1, 3, 7 };
	char name[256];
	unsigned i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct cut c;

		run(rule, p, len, steps[i] ? steps[i] : len, &c);
		snprintf(name, sizeof(name), "%s (pieces of %zu)", what, steps[i] ? steps[i] : len);
		ok(strcmp(c.ends, want) == 0 && !c.error, name);
		if (strcmp(c.ends, want) != 0)
			printf("# got '%s', want '%s'\n", c.ends, want);
	}
}

static void
check_error(const char *rule, const void *p, size_t len, uint64_t off, const char *what)
{
	struct cut c;

	run(rule, p, len, 1, &c);
	ok(c.error, what);
	is_u64(c.error_off, off, what);
}

#define S(lit)	(const uint8_t *)(lit), sizeof(lit) - 1

int
main(void)
{
	struct fr_rule r;
	char err[160];
	struct cut c;

	check("line", S("a\nbb\r\nccc\n\n"), "2,6,10,11", "line: LF and CRLF, an empty line");
	check("len:2", S("\0\3abc\0\0\0\1x"), "5,7,10", "len:2 big-endian");
	check("len:2:le", S("\3\0abc\1\0x"), "5,8", "len:2:le");
	check("len:4:+2", S("hd\0\0\0\2xy" "HD\0\0\0\0"), "8,14", "len:4:+2: a header first");
	check("len:1:incl", S("\3ab\1\2z"), "3,4,6", "len:1:incl counts the prefix");
	check("len:2:+1:incl", S("T\0\5xyT\0\3"), "5,8", "len:2:+1:incl");
	check("len:8", S("\0\0\0\0\0\0\0\1!"), "9", "len:8");
	check("tls", S("\x16\x03\x01\x00\x02hi\x17\x03\x03\x00\x00"), "7,12", "tls records");
	check("http", S("GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	    "POST /a HTTP/1.0\r\ncontent-length: 2\r\n\r\nok"
	    "PUT /b HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n"
	    "1;ext=1\r\nd\r\n0\r\nTrailer: t\r\n\r\n"), "27,68,158",
	    "http requests: no body, Content-Length, chunked with a trailer");
	check("http", S("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n"
	    "Content-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
	    "25,71,109", "http responses: 1xx and 204 without a body, an empty body");
	check("resp", S("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n+OK\r\n$-1\r\n:42\r\n"
	    "*2\r\n*1\r\n+a\r\n%1\r\n+k\r\n$0\r\n\r\nPING\r\n*0\r\n"),
	    "20,25,30,35,61,67,71", "resp: arrays, simple, null, integer, nested, map, inline");

	run("http", S("HTTP/1.1 200 OK\r\n\r\nbody to the close"), 5, &c);
	ok(strcmp(c.ends, "") == 0 && c.finished, "http: a response without a length ends "
	    "with the direction");

	{
		/* a response to HEAD has no body whatever its Content-Length */
		static const char rsp[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
		    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
		static const char req[] = "HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n";
		struct fr_parser q, a;
		struct fr_result res;

		fr_rule_parse("http", &r, err, sizeof(err));
		fr_init(&q, &r);
		fr_init(&a, &r);
		memset(&res, 0, sizeof(res));
		fr_feed(&q, (const uint8_t *)req, sizeof(req) - 1, &res);
		ok(res.nends == 2 && res.nrequests == 2 && res.head_requests == 1,
		    "http: two requests seen, the first a HEAD");
		fr_http_request(&a, true);
		fr_http_request(&a, false);
		memset(&res, 0, sizeof(res));
		fr_feed(&a, (const uint8_t *)rsp, sizeof(rsp) - 1, &res);
		ok(res.nends == 2 && res.ends[0] == 38 && res.ends[1] == 78,
		    "http: the HEAD's response ends with its head, the next has its body");
	}

	check_error("len:4", S("\x7f\xff\xff\xffx"), 0, "len:4: 2 GiB is an error");
	check_error("len:1:incl", S("\2a\0"), 2, "len:1:incl: a value below the prefix");
	check_error("tls", S("\x16\x03\x01\x00\x01x" "GET / HTTP/1.1"), 6, "tls: not a record");
	check_error("tls", S("\x17\x03\x03\x48\x01"), 0, "tls: a record beyond 2^14 + 2048");
	check_error("http", S("GET / HTTP/1.1\r\nHost: a\r\n\r\nhello world\r\n"), 27,
	    "http: a garbled start line");
	check_error("http", S("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n"), 0,
	    "http: a garbled Content-Length");
	check_error("http", S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), 47,
	    "http: a garbled chunk size, at its line");
	check_error("resp", S("+OK\r\n*1\r\n?\r\n"), 9, "resp: a garbled element");
	check_error("resp", S("$999999999999\r\n"), 0, "resp: a bulk beyond 512 MiB");

	{
		/* a line without an end: an error past 1 MiB, memory constant */
		size_t n = (size_t)FR_MAX_LINE + 2;
		uint8_t *big = malloc(n);

		memset(big, 'x', n);
		run("line", big, n, 4096, &c);
		ok(c.error && c.error_off == 0, "line: no LF in 1 MiB is an error");
		free(big);
	}

	ok(!fr_rule_parse("len:3", &r, err, sizeof(err)), "len:3 is refused");
	ok(!fr_rule_parse("len", &r, err, sizeof(err)), "len without a size is refused");
	ok(!fr_rule_parse("len:2:xx", &r, err, sizeof(err)), "len:2:xx is refused");
	ok(!fr_rule_parse("smtp", &r, err, sizeof(err)), "an unknown rule is refused");
	ok(!fr_rule_parse("lines", &r, err, sizeof(err)), "a rule name with a tail is refused");
	ok(fr_rule_parse("auto", &r, err, sizeof(err)) && r.kind == FR_AUTO, "auto");

	ok(fr_detect(S("\x16\x03\x01\x02\x00")) == FR_TLS, "detect: a TLS handshake");
	ok(fr_detect(S("GET /x HTTP/1.1\r\n")) == FR_HTTP, "detect: an HTTP request");
	ok(fr_detect(S("HTTP/1.1 200 OK")) == FR_HTTP, "detect: an HTTP response");
	ok(fr_detect(S("*1\r\n$4\r\nPING\r\n")) == FR_RESP, "detect: RESP");
	ok(fr_detect(S("SSH-2.0-OpenSSH")) == FR_NONE, "detect: SSH is none of them");
	return tap_done();
}
