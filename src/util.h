/* util.h: one-line diagnostics in SPEC.md's format ("tcpdissect: FILE:
 * what went wrong"), output that ends quietly on a closed pipe, UTF-8
 * sanitising of strings that come from outside, and the checked conversion
 * of outside times to nanoseconds.  Usable from layer 4 up. */
#ifndef TCPDISSECT_UTIL_H
#define TCPDISSECT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "tcpdissect: WHAT: message" on stderr; WHAT may be NULL. */
void diag(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write s and a newline to f.  After the first failed write (EPIPE from
 * "| head", a full disk) nothing more is written and out_failed() says so. */
void out_line(FILE *f, const char *s);
/* Write the n bytes at s to f, the same way. */
void out_write(FILE *f, const char *s, size_t n);
void out_printf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool out_failed(void);
/* The errno of the first failed write (EPIPE: the reader went away), or 0. */
int out_errno(void);
/* Flush f and record a failure the same way. */
void out_flush(FILE *f);
/* An unlinked temporary file ("w+") in TMPDIR, else /tmp; NULL when it
 * cannot be made ("cannot create a temporary file for PURPOSE" said). */
FILE *tmp_open(const char *purpose);

/* Copy in to out (size outlen), replacing every byte that is not part of a
 * valid UTF-8 sequence with U+FFFD; always NUL-terminates. */
void utf8_sanitize(const char *in, char *out, size_t outlen);

/* Times are int64_t nanoseconds since the epoch, kept within
 * [0, TIME_NS_MAX] (up to 2116-02-20): a time plus another time or any
 * duration the options allow (at most 10^9 s each) cannot overflow. */
#define TIME_NS_MAX	((INT64_C(1) << 62) - 1)

/* *ns = sec seconds + frac nanoseconds; frac may be any value (whole
 * seconds in it, or a negative fraction, are carried into sec).  False
 * when the time is outside [0, TIME_NS_MAX]: *ns is then the nearer end.
 * Every time that comes from outside (a capture record, the clock, --at)
 * goes through here. */
bool time_ns(int64_t sec, int64_t frac, int64_t *ns);

#endif /* TCPDISSECT_UTIL_H */
