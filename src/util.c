/* util.c: diagnostics, pipe-safe output, UTF-8 sanitising and checked
 * time conversion (util.h). */
#include "config.h"

#include "util.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Output state is process-wide by nature: there is one stdout.  Atomic:
 * --threads' shards write their logs on threads of their own, and a
 * failed log write (a full TMPDIR) fails the run as a failed report does. */
static atomic_bool output_failed;
static atomic_int output_errno;	/* errno of the first failed write */

static void
out_fail(void)
{
	int none = 0;

	atomic_compare_exchange_strong(&output_errno, &none, errno != 0 ? errno : EIO);
	atomic_store(&output_failed, true);
}

void
diag(const char *what, const char *fmt, ...)
{
	char msg[1024], safe[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (what != NULL) {
		utf8_sanitize(what, safe, sizeof(safe));
		fprintf(stderr, "tcpdissect: %s: %s\n", safe, msg);
	} else {
		fprintf(stderr, "tcpdissect: %s\n", msg);
	}
}

void
out_line(FILE *f, const char *s)
{
	if (output_failed)
		return;
	if (fputs(s, f) == EOF || putc('\n', f) == EOF)
		out_fail();
}

void
out_write(FILE *f, const char *s, size_t n)
{
	if (output_failed)
		return;
	if (fwrite(s, 1, n, f) != n)
		out_fail();
}

void
out_printf(FILE *f, const char *fmt, ...)
{
	va_list ap;

	if (output_failed)
		return;
	va_start(ap, fmt);
	if (vfprintf(f, fmt, ap) < 0)
		out_fail();
	va_end(ap);
}

void
out_flush(FILE *f)
{
	if (!output_failed && (fflush(f) == EOF || ferror(f)))
		out_fail();
}

int
out_errno(void)
{
	return output_failed ? output_errno : 0;
}

bool
out_failed(void)
{
	return output_failed;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t
utf8_seq_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (p[0] == 0xe0 && p[1] < 0xa0)
			return 0;	/* overlong */
		if (p[0] == 0xed && p[1] > 0x9f)
			return 0;	/* surrogate */
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		if (p[0] == 0xf0 && p[1] < 0x90)
			return 0;
		if (p[0] == 0xf4 && p[1] > 0x8f)
			return 0;
		return 4;
	}
	return 0;
}

void
utf8_sanitize(const char *in, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;

	if (outlen == 0)
		return;
	while (*p) {
		size_t n = utf8_seq_len(p);	/* reads stop at the NUL: a NUL
						 * byte fails the continuation test */
		if (n == 0) {
			if (o + 3 >= outlen)
				break;
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
			continue;
		}
		if (o + n >= outlen)
			break;
		memcpy(out + o, p, n);
		o += n;
		p += n;
	}
	out[o] = '\0';
}

bool
time_ns(int64_t sec, int64_t frac, int64_t *ns)
{
	const int64_t max_sec = TIME_NS_MAX / 1000000000;

	/* carry whole seconds out of the fraction: no overflow, |frac/1e9|
	 * is at most 9.3e9, and sec is compared before it is scaled */
	if (sec > max_sec + 10000000000LL) {
		*ns = TIME_NS_MAX;
		return false;
	}
	if (sec < -10000000000LL) {
		*ns = 0;
		return false;
	}
	sec += frac / 1000000000;
	frac %= 1000000000;
	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	if (sec < 0) {
		*ns = 0;
		return false;
	}
	if (sec > max_sec || (sec == max_sec && frac > TIME_NS_MAX % 1000000000)) {
		*ns = TIME_NS_MAX;
		return false;
	}
	*ns = sec * 1000000000 + frac;
	return true;
}

FILE *
tmp_open(const char *purpose)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	FILE *f = NULL;
	int fd;

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	if ((size_t)snprintf(path, sizeof(path), "%s/tcpdissect-XXXXXX", dir) < sizeof(path) &&
	    (fd = mkstemp(path)) >= 0) {
		unlink(path);
		f = fdopen(fd, "w+");
		if (f == NULL)
			close(fd);
	}
	if (f == NULL)
		diag(dir, "cannot create a temporary file for %s: %s", purpose, strerror(errno));
	return f;
}
