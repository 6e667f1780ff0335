/* test_report.c: the format-independent views: Community ID against the
 * specification's published vectors, exact timestamps, UTF-8 sanitising,
 * and the kind/severity tables. */
#include <arpa/inet.h>
#include <stdio.h>
#include <inttypes.h>
#include <string.h>

#include "event.h"
#include "report.h"
#include "util.h"
#include "tap.h"

/* endpoint_addr_str() against the C library's inet_ntop() on every
 * pattern of zero and non-zero groups (each non-zero group drawn from
 * values of one to four hex digits), the IPv4-mapped and -compatible
 * forms and IPv4; the first mismatch is shown. */
static void
addr_str_matches_inet_ntop(void)
{
	static const unsigned vals[] = { 1, 0xa, 0x1f, 0xabc, 0xffff, 0x1000, 0x0100 };
	char mine[64], libc[64], what[160] = "";
	struct endpoint ep;
	unsigned pat, seed = 1, tries = 0, bad = 0;
	int i, round;

	memset(&ep, 0, sizeof(ep));
	for (pat = 0; pat < 256; pat++) {
		for (round = 0; round < 8; round++) {
			ep.family = 6;
			for (i = 0; i < 8; i++) {
				unsigned v = 0;

				if (pat & (1u << i)) {
					seed = seed * 1103515245u + 12345u;
					v = vals[(seed >> 16) % 7];
				}
				if (round == 7 && i == 5 && (pat & 0x1f) == 0)
					v = 0xffff;	/* ::ffff:a.b.c.d */
				ep.addr[2 * i] = (uint8_t)(v >> 8);
				ep.addr[2 * i + 1] = (uint8_t)v;
			}
			endpoint_addr_str(&ep, mine, sizeof(mine));
			inet_ntop(AF_INET6, ep.addr, libc, sizeof(libc));
			tries++;
			if (strcmp(mine, libc) != 0 && bad++ == 0)
				snprintf(what, sizeof(what), "%s, not %s", mine, libc);
		}
	}
	memset(&ep, 0, sizeof(ep));
	ep.family = 4;
	for (i = 0; i < 256; i++) {
		ep.addr[0] = (uint8_t)i;
		ep.addr[1] = (uint8_t)(255 - i);
		ep.addr[2] = (uint8_t)(i * 7);
		ep.addr[3] = (uint8_t)(i / 3);
		endpoint_addr_str(&ep, mine, sizeof(mine));
		inet_ntop(AF_INET, ep.addr, libc, sizeof(libc));
		tries++;
		if (strcmp(mine, libc) != 0 && bad++ == 0)
			snprintf(what, sizeof(what), "%s, not %s", mine, libc);
	}
	if (bad)
		printf("# %u of %u differ; first: %s\n", bad, tries, what);
	ok(bad == 0, "addresses written as inet_ntop writes them");
}

static void
key4(struct conn_report *cr, const uint8_t a[4], uint16_t pa, const uint8_t b[4], uint16_t pb)
{
	/* Canonical order as the flow table builds it: lower endpoint first. */
	int lower = memcmp(a, b, 4) < 0 || (memcmp(a, b, 4) == 0 && pa < pb);
	struct endpoint *lo = &cr->ep[0], *hi = &cr->ep[1];

	memset(cr, 0, sizeof(*cr));
	lo->family = hi->family = 4;
	memcpy(lo->addr, lower ? a : b, 4);
	memcpy(hi->addr, lower ? b : a, 4);
	lo->port = lower ? pa : pb;
	hi->port = lower ? pb : pa;
}

int
main(void)
{
	struct conn_report c;
	char buf[128];
	static const uint8_t a[4] = { 128, 232, 110, 120 }, b[4] = { 66, 35, 250, 204 };

	/* community-id-spec baseline: tcp 128.232.110.120:34855 -> 66.35.250.204:80 */
	key4(&c, a, 34855, b, 80);
	conn_community_id(&c, buf, sizeof(buf));
	ok(strcmp(buf, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=") == 0, "Community ID v1 vector");
	key4(&c, b, 80, a, 34855);
	conn_community_id(&c, buf, sizeof(buf));
	ok(strcmp(buf, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=") == 0, "same ID in the other direction");

	{
		/* every digit count, at and around each power of ten */
		uint64_t v = 1;
		unsigned bad = 0, k;
		char want[32];

		for (k = 0; k < 20; k++, v *= 10) {
			uint64_t t[3] = { v - 1, v, v + 1 };
			unsigned j;

			for (j = 0; j < 3; j++) {
				size_t len = u64_dec(buf, t[j]);

				snprintf(want, sizeof(want), "%" PRIu64, t[j]);
				bad += len != strlen(want) || memcmp(buf, want, len) != 0;
			}
			if (k == 19)
				break;
		}
		bad += u64_dec(buf, UINT64_MAX) != 20 || memcmp(buf, "18446744073709551615", 20);
		ok(bad == 0, "u64_dec: every digit count, and 2^64 - 1");
	}
	ts_str(1700000000123456000LL, 6, buf, sizeof(buf));
	ok(strcmp(buf, "1700000000.123456") == 0, "microsecond timestamp exact");
	ts_str(1700000000123456789LL, 9, buf, sizeof(buf));
	ok(strcmp(buf, "1700000000.123456789") == 0, "nanosecond timestamp exact");
	ts_str(-500000000LL, 6, buf, sizeof(buf));
	ok(strcmp(buf, "-0.500000") == 0, "before the epoch");

	utf8_sanitize("caf\xc3\xa9", buf, sizeof(buf));
	ok(strcmp(buf, "caf\xc3\xa9") == 0, "valid UTF-8 kept");
	utf8_sanitize("a\xff" "b\xc0\xaf" "c\xed\xa0\x80", buf, sizeof(buf));
	ok(strcmp(buf, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd") == 0, "invalid, overlong and surrogate bytes replaced");
	utf8_sanitize("abcdef", buf, 4);
	ok(strcmp(buf, "abc") == 0, "truncated to fit, terminated");

	ok(event_kind_lookup("syn_flood") == EVK_SYN_FLOOD, "kind lookup");
	ok(event_kind_lookup("nope") == -1, "unknown kind");
	ok(strcmp(event_kind_name(EVK_ACCEPT_OVERFLOW_RST), "accept_overflow_rst") == 0,
	    "kind name");
	ok(severity_lookup("warning") == SEV_WARNING, "severity lookup");
	{
		/* report_json.c copies hints and names without escaping them */
		bool plain = true;
		int k;

		for (k = 0; k < EVK_COUNT; k++) {
			const char *h = event_kind_hint((enum event_kind)k);
			const char *n = event_kind_name((enum event_kind)k);

			for (; *h; h++)
				if (*h < 0x20 || *h > 0x7e || *h == '"' || *h == '\\')
					plain = false;
			for (; *n; n++)
				if (*n < 0x20 || *n > 0x7e || *n == '"' || *n == '\\')
					plain = false;
		}
		ok(plain, "kind names and hints need no JSON escaping");
	}
	{
		struct event ev;

		event_init(&ev, EVK_RETRANSMISSION, 7, 0);
		event_detail_double(&ev, "nan", 0.0 / 0.0);
		ok(ev.ndetail == 0, "NaN never reaches the JSON");
	}
	addr_str_matches_inet_ntop();
	return tap_done();
}
