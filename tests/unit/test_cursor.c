/* test_cursor.c: TAP tests of every cursor.h accessor with 0..n bytes left.
 *
 * Each buffer is heap-allocated at exactly the size under test, so under
 * ASan a read one byte too far is a crash rather than a silent pass. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "tap.h"

static const uint8_t pattern[8] = { 0x01, 0x82, 0x03, 0x84, 0x05, 0x86, 0x07, 0x88 };

/* A fresh heap copy of the first n pattern bytes; never NULL. */
static uint8_t *
mkbuf(size_t n)
{
	uint8_t *b = malloc(n > 0 ? n : 1);

	if (b == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	memcpy(b, pattern, n);
	return b;
}

static void
test_init_left(void)
{
	struct cursor c;
	uint8_t *b = mkbuf(5);

	cur_init(&c, b, 5);
	is_u64(cur_left(&c), 5, "init: all bytes left");
	ok(!c.short_read, "init: short_read clear");
	ok(c.p == b && c.end == b + 5, "init: p and end");
	cur_init(&c, b, 0);
	is_u64(cur_left(&c), 0, "init 0: nothing left");
	free(b);
}

static void
test_u8(void)
{
	struct cursor c;
	uint8_t *b;
	size_t n;

	for (n = 0; n <= 2; n++) {
		b = mkbuf(n);
		cur_init(&c, b, n);
		if (n >= 1) {
			is_u64(cur_u8(&c), 0x01, "u8: value");
			ok(!c.short_read, "u8: no short read when a byte is left");
			is_u64(cur_left(&c), n - 1, "u8: one byte consumed");
		} else {
			is_u64(cur_u8(&c), 0, "u8 on empty: 0");
			ok(c.short_read, "u8 on empty: short_read");
			is_u64(cur_left(&c), 0, "u8 on empty: at end");
		}
		free(b);
	}
}

/* Multi-byte readers: want 'w' bytes, try 0..w+1 available. */
static void
test_wide(void)
{
	struct cursor c;
	uint8_t *b;
	size_t n;

	for (n = 0; n <= 3; n++) {
		b = mkbuf(n);
		cur_init(&c, b, n);
		if (n >= 2) {
			is_u64(cur_be16(&c), 0x0182, "be16: value");
			ok(!c.short_read, "be16: ok");
			is_u64(cur_left(&c), n - 2, "be16: two consumed");
		} else {
			is_u64(cur_be16(&c), 0, "be16 short: 0");
			ok(c.short_read, "be16 short: short_read");
			is_u64(cur_left(&c), 0, "be16 short: moved to end");
		}
		cur_init(&c, b, n);
		if (n >= 2) {
			is_u64(cur_le16(&c), 0x8201, "le16: value");
			ok(!c.short_read, "le16: ok");
			is_u64(cur_left(&c), n - 2, "le16: two consumed");
		} else {
			is_u64(cur_le16(&c), 0, "le16 short: 0");
			ok(c.short_read, "le16 short: short_read");
			is_u64(cur_left(&c), 0, "le16 short: moved to end");
		}
		free(b);
	}
	for (n = 0; n <= 5; n++) {
		b = mkbuf(n);
		cur_init(&c, b, n);
		if (n >= 4) {
			is_u64(cur_be32(&c), 0x01820384, "be32: value");
			ok(!c.short_read, "be32: ok");
			is_u64(cur_left(&c), n - 4, "be32: four consumed");
		} else {
			is_u64(cur_be32(&c), 0, "be32 short: 0");
			ok(c.short_read, "be32 short: short_read");
			is_u64(cur_left(&c), 0, "be32 short: moved to end");
		}
		cur_init(&c, b, n);
		if (n >= 4) {
			is_u64(cur_le32(&c), 0x84038201, "le32: value");
			ok(!c.short_read, "le32: ok");
			is_u64(cur_left(&c), n - 4, "le32: four consumed");
		} else {
			is_u64(cur_le32(&c), 0, "le32 short: 0");
			ok(c.short_read, "le32 short: short_read");
			is_u64(cur_left(&c), 0, "le32 short: moved to end");
		}
		free(b);
	}
}

static void
test_copy_skip(void)
{
	struct cursor c;
	uint8_t out[4];
	uint8_t *b;
	size_t n;

	for (n = 0; n <= 5; n++) {
		b = mkbuf(n);
		cur_init(&c, b, n);
		memset(out, 0xee, sizeof(out));
		cur_copy(&c, out, 4);
		if (n >= 4) {
			ok(memcmp(out, pattern, 4) == 0, "copy: bytes");
			ok(!c.short_read, "copy: ok");
			is_u64(cur_left(&c), n - 4, "copy: four consumed");
		} else {
			ok(out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 0,
			    "copy short: destination zeroed");
			ok(c.short_read, "copy short: short_read");
			is_u64(cur_left(&c), 0, "copy short: moved to end");
		}

		cur_init(&c, b, n);
		cur_skip(&c, 3);
		if (n >= 3) {
			ok(!c.short_read, "skip: ok");
			is_u64(cur_left(&c), n - 3, "skip: three consumed");
		} else {
			ok(c.short_read, "skip short: short_read");
			is_u64(cur_left(&c), 0, "skip short: moved to end");
		}
		free(b);
	}

	b = mkbuf(0);
	cur_init(&c, b, 0);
	cur_copy(&c, out, 0);
	cur_skip(&c, 0);
	ok(!c.short_read, "copy/skip of 0 bytes on empty cursor succeed");
	free(b);
}

static void
test_peek(void)
{
	struct cursor c;
	uint8_t *b, v;
	size_t n;

	for (n = 0; n <= 3; n++) {
		b = mkbuf(n);
		cur_init(&c, b, n);
		v = 0xee;
		ok(cur_peek_u8(&c, 0, &v) == (n >= 1), "peek 0: true iff a byte is left");
		if (n >= 1)
			is_u64(v, 0x01, "peek 0: value");
		else
			is_u64(v, 0xee, "peek 0 miss: output untouched");
		ok(cur_peek_u8(&c, 2, &v) == (n >= 3), "peek 2: true iff 3 bytes are left");
		if (n >= 3)
			is_u64(v, 0x03, "peek 2: value");
		ok(!c.short_read, "peek never latches short_read");
		is_u64(cur_left(&c), n, "peek consumes nothing");
		free(b);
	}
	b = mkbuf(2);
	cur_init(&c, b, 2);
	ok(!cur_peek_u8(&c, SIZE_MAX, &v), "peek at SIZE_MAX offset: false");
	free(b);
}

static void
test_sub(void)
{
	struct cursor c, s;
	uint8_t *b;
	size_t n;

	for (n = 0; n <= 5; n++) {
		b = mkbuf(n);
		cur_init(&c, b, n);
		if (n >= 3) {
			ok(cur_sub(&c, 3, &s), "sub: fits");
			is_u64(cur_left(&s), 3, "sub: sub-cursor has 3 bytes");
			ok(!s.short_read, "sub: sub-cursor clean");
			is_u64(cur_left(&c), n - 3, "sub: parent stepped over them");
			is_u64(cur_be16(&s), 0x0182, "sub: reads its bytes");
			is_u64(cur_be16(&s), 0, "sub: cannot read past its end");
			ok(s.short_read, "sub: short read latched in sub");
			ok(!c.short_read, "sub: parent unaffected by sub's failure");
			if (n > 3)
				is_u64(cur_u8(&c), 0x84, "sub: parent continues after");
		} else {
			ok(!cur_sub(&c, 3, &s), "sub short: false");
			is_u64(cur_left(&s), 0, "sub short: sub-cursor empty");
			ok(c.short_read, "sub short: parent short_read");
			is_u64(cur_left(&c), 0, "sub short: parent at end");
		}
		free(b);
	}
	b = mkbuf(4);
	cur_init(&c, b, 4);
	ok(cur_sub(&c, 0, &s), "sub of 0 bytes");
	is_u64(cur_left(&s), 0, "sub of 0: empty");
	is_u64(cur_left(&c), 4, "sub of 0: parent unmoved");
	ok(!cur_sub(&c, SIZE_MAX, &s), "sub of SIZE_MAX fails without overflow");
	free(b);
}

static void
test_clamp(void)
{
	struct cursor c;
	uint8_t *b = mkbuf(6);

	cur_init(&c, b, 6);
	cur_u8(&c);
	cur_clamp(&c, 3);
	is_u64(cur_left(&c), 3, "clamp: shrinks to n");
	cur_clamp(&c, 10);
	is_u64(cur_left(&c), 3, "clamp: never grows");
	cur_skip(&c, 3);
	ok(!c.short_read, "clamp: clamped bytes readable");
	is_u64(cur_u8(&c), 0, "clamp: byte past the clamp unreadable");
	ok(c.short_read, "clamp: reading past it latches short_read");
	cur_init(&c, b, 6);
	cur_clamp(&c, 0);
	is_u64(cur_left(&c), 0, "clamp 0: empty");
	cur_init(&c, b, 6);
	cur_clamp(&c, SIZE_MAX);
	is_u64(cur_left(&c), 6, "clamp SIZE_MAX: unchanged");
	free(b);
}

static void
test_sticky(void)
{
	struct cursor c;
	uint8_t *b = mkbuf(3);

	cur_init(&c, b, 3);
	is_u64(cur_be16(&c), 0x0182, "sticky: first read fine");
	is_u64(cur_be32(&c), 0, "sticky: too-wide read fails");
	ok(c.short_read, "sticky: latched");
	is_u64(cur_left(&c), 0, "sticky: the byte that was left is given up");
	is_u64(cur_u8(&c), 0, "sticky: later reads return 0");
	cur_skip(&c, 0);
	ok(c.short_read, "sticky: a later successful no-op does not clear it");
	cur_fail(&c);
	ok(c.short_read && cur_left(&c) == 0, "cur_fail: latches and moves to end");
	free(b);
}

int
main(void)
{
	test_init_left();
	test_u8();
	test_wide();
	test_copy_skip();
	test_peek();
	test_sub();
	test_clamp();
	test_sticky();
	return tap_done();
}
