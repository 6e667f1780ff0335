/* cursor.h: bounds-checked big-endian reads over captured packet bytes.
 *
 * No protocol structure is ever laid over raw bytes.  A read that wants
 * more than is left returns 0, moves the cursor to its end and latches
 * short_read, so a decoder checks once per header instead of once per
 * field.  Lengths are compared as sizes, never by forming a pointer past
 * the end.  Header only; depends on nothing project-internal. */
#ifndef TCPDISSECT_CURSOR_H
#define TCPDISSECT_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t	*p;		/* next unread byte */
	const uint8_t	*end;		/* one past the last readable byte */
	bool		 short_read;	/* some read wanted bytes that were not there */
};

static inline void
cur_init(struct cursor *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->end = p + len;
	c->short_read = false;
}

static inline size_t
cur_left(const struct cursor *c)
{
	return (size_t)(c->end - c->p);
}

static inline void
cur_fail(struct cursor *c)
{
	c->short_read = true;
	c->p = c->end;
}

static inline uint8_t
cur_u8(struct cursor *c)
{
	if (cur_left(c) < 1) {
		cur_fail(c);
		return 0;
	}
	return *c->p++;
}

static inline uint16_t
cur_be16(struct cursor *c)
{
	uint16_t v;

	if (cur_left(c) < 2) {
		cur_fail(c);
		return 0;
	}
	v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	return v;
}

static inline uint16_t
cur_le16(struct cursor *c)
{
	uint16_t v;

	if (cur_left(c) < 2) {
		cur_fail(c);
		return 0;
	}
	v = (uint16_t)((unsigned)c->p[1] << 8 | c->p[0]);
	c->p += 2;
	return v;
}

static inline uint32_t
cur_be32(struct cursor *c)
{
	uint32_t v;

	if (cur_left(c) < 4) {
		cur_fail(c);
		return 0;
	}
	v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	    (uint32_t)c->p[2] << 8 | (uint32_t)c->p[3];
	c->p += 4;
	return v;
}

static inline uint32_t
cur_le32(struct cursor *c)
{
	uint32_t v;

	if (cur_left(c) < 4) {
		cur_fail(c);
		return 0;
	}
	v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
	    (uint32_t)c->p[1] << 8 | (uint32_t)c->p[0];
	c->p += 4;
	return v;
}

/* Copy n bytes out; on a short read the destination is zeroed. */
static inline void
cur_copy(struct cursor *c, void *dst, size_t n)
{
	if (cur_left(c) < n) {
		memset(dst, 0, n);
		cur_fail(c);
		return;
	}
	memcpy(dst, c->p, n);	/* one wide store: later wide loads of the
				 * same bytes (the flow key) forward from it */
	c->p += n;
}

static inline void
cur_skip(struct cursor *c, size_t n)
{
	if (cur_left(c) < n) {
		cur_fail(c);
		return;
	}
	c->p += n;
}

/* Look at byte 'off' ahead without consuming; false when not captured. */
static inline bool
cur_peek_u8(const struct cursor *c, size_t off, uint8_t *v)
{
	if (cur_left(c) <= off)
		return false;
	*v = c->p[off];
	return true;
}

/* Carve the next n bytes into 'sub' and step over them.  False (and
 * short_read latched) when fewer than n bytes are left. */
static inline bool
cur_sub(struct cursor *c, size_t n, struct cursor *sub)
{
	if (cur_left(c) < n) {
		cur_init(sub, c->p, 0);
		cur_fail(c);
		return false;
	}
	cur_init(sub, c->p, n);
	c->p += n;
	return true;
}

/* Clamp the readable end to at most n bytes from the current position:
 * a layer never reads past the length its parent header claims. */
static inline void
cur_clamp(struct cursor *c, size_t n)
{
	if (cur_left(c) > n)
		c->end = c->p + n;
}

#endif /* TCPDISSECT_CURSOR_H */
