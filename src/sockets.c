/* sockets.c: the `ss -tan` view at one moment (see sockets.h). */
#include "config.h"

#include "sockets.h"

#include <stdlib.h>
#include <string.h>

#include "seq.h"

struct collect {
	const struct flow_table	*t;
	struct socket_row	*rows;
	size_t			 n, cap;
};

/* Bytes of the sequence space from..to that a queue holds, or false when
 * the capture cannot say (either end unknown, or not a forward span). */
static bool
queue_bytes(uint32_t from, uint32_t to, uint32_t *out)
{
	int32_t d = seq_diff(to, from);

	if (d < 0)
		return false;
	*out = (uint32_t)d;
	return true;
}

/* Send-Q of side s toward peer: sent past the peer's highest ACK, its FIN's
 * sequence number not counted as a byte. */
static bool
send_queue(const struct side *s, const struct side *peer, uint32_t *out)
{
	if (!(s->flags & SIDE_SEQ_KNOWN) || !(peer->flags & SIDE_ACKED))
		return false;
	if (!queue_bytes(peer->ack_max, s->snd_next, out))
		return false;
	if ((s->flags & SIDE_FIN) && !(s->flags & SIDE_FIN_ACKED) && *out > 0)
		(*out)--;
	return true;
}

static void
collect_conn(void *ctx, const struct conn *c)
{
	struct collect *co = ctx;
	unsigned i;

	for (i = 0; i < 2 && co->n < co->cap; i++) {
		const struct side *s = &c->side[i], *peer = &c->side[!i];
		struct socket_row *r;

		/* A side the capture shows nothing of, or one already gone, is
		 * not a socket anyone could list. */
		if (s->state == TS_UNSET || s->state == TS_CLOSED || s->state == TS_LISTEN)
			continue;
		r = &co->rows[co->n++];
		memset(r, 0, sizeof(*r));
		conn_endpoint(co->t, c, i, &r->local);
		conn_endpoint(co->t, c, !i, &r->peer);
		r->state = s->state;
		r->stream = c->stream;
		r->has_stream = true;
		if (s->state >= TS_ESTABLISHED) {
			r->send_known = send_queue(s, peer, &r->send_q);
			r->recv_known = send_queue(peer, s, &r->recv_q);
		} else {
			/* a handshake queues no data */
			r->send_known = r->recv_known = true;
		}
	}
}

static int
row_cmp(const void *a, const void *b)
{
	const struct socket_row *x = a, *y = b;

	/* listeners first, then by stream and the lower endpoint first */
	if (x->has_stream != y->has_stream)
		return x->has_stream ? 1 : -1;
	if (x->stream != y->stream)
		return x->stream < y->stream ? -1 : 1;
	return memcmp(&x->local, &y->local, sizeof(x->local));
}

bool
sockets_snapshot(const struct flow_table *t, const struct listener *ls, unsigned nls,
    int64_t at_ns, struct socket_table *st)
{
	struct collect co = { .t = t };
	unsigned i;

	memset(st, 0, sizeof(*st));
	st->at_ns = at_ns;
	co.cap = (size_t)flow_counters(t)->live * 2 + nls;
	co.rows = calloc(co.cap ? co.cap : 1, sizeof(*co.rows));
	if (co.rows == NULL)
		return false;
	for (i = 0; i < nls && co.n < co.cap; i++) {
		struct socket_row *r = &co.rows[co.n++];

		r->local = ls[i].ep;
		r->peer.family = ls[i].ep.family;	/* the wildcard *:* */
		r->state = TS_LISTEN;
	}
	flow_foreach(t, collect_conn, &co);
	qsort(co.rows, co.n, sizeof(*co.rows), row_cmp);
	st->rows = co.rows;
	st->n = co.n;
	return true;
}

void
sockets_free(struct socket_table *st)
{
	free((void *)st->rows);
	st->rows = NULL;
	st->n = 0;
}
