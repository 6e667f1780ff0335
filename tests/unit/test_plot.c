/* test_plot.c: the geometry of --plot (plot_int.h): the unwrapped
 * sequence axis across 2^32, the receive window with window scaling,
 * bounded series that keep their extremes, marks placed on the right
 * graph, and decimation that keeps every marked frame in the SVG. */
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"
#include "tap.h"

static void
test_axis(void)
{
	struct plot_axis ax;
	int64_t v, prev;
	uint32_t s;
	int i;
	bool mono = true;

	memset(&ax, 0, sizeof(ax));
	plot_axis_init(&ax, 0xFFFFFF00u);
	is_u64(plot_axis_rel(&ax, 0xFFFFFF00u), 0, "base is relative 0");
	is_u64(plot_axis_rel(&ax, 0x00000100u), 0x200, "past 2^32: above the base, not below");
	is_u64(plot_axis_rel(&ax, 0xFFFFFFF0u), 0xF0, "a retransmission from before the wrap");
	ok(plot_axis_rel(&ax, 0xFFFFFEF0u) == -0x10, "just below the base stays just below");
	plot_axis_init(&ax, 5);
	is_u64(plot_axis_rel(&ax, 0x00000100u), 0x200, "init once: a later base is ignored");
	/* 16 GiB in 1 GiB steps: four wraps, one rising line. */
	prev = plot_axis_rel(&ax, 0x00000100u);
	s = 0x00000100u;
	for (i = 0; i < 16; i++) {
		s += 1u << 30;
		v = plot_axis_rel(&ax, s);
		if (v != prev + (1 << 30))
			mono = false;
		prev = v;
	}
	ok(mono, "each 1 GiB step rises by 1 GiB across four wraps");
	is_u64(prev, 0x200 + ((int64_t)16 << 30), "16 GiB above after four wraps");
}

static struct segment
mk(uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len, uint16_t win)
{
	struct segment s;

	memset(&s, 0, sizeof(s));
	s.flags = flags;
	s.seq = seq;
	s.ack = ack;
	s.payload_len = len;
	s.win_raw = win;
	s.src.family = s.dst.family = 4;
	return s;
}

/* A connection whose sides 0 (client) and 1 (server) negotiated scaling:
 * the server's window shifts by 7, the client's by 2. */
static void
mk_conn(struct conn *c, uint32_t isn0, uint32_t isn1, bool scaled)
{
	memset(c, 0, sizeof(*c));
	c->stream = 7;
	c->side[0].flags = SIDE_SYN | SIDE_BASE_SET | (scaled ? SIDE_WSCALE : 0);
	c->side[0].base_seq = isn0;
	c->side[0].wscale = 2;
	c->side[1].flags = SIDE_SYN | SIDE_SYNACK | SIDE_BASE_SET | (scaled ? SIDE_WSCALE : 0);
	c->side[1].base_seq = isn1;
	c->side[1].wscale = 7;
}

static void
test_window(void)
{
	struct plot_stream s;
	struct conn c;
	struct track_result tr;
	struct segment seg;
	const struct plot_series *w;

	memset(&tr, 0, sizeof(tr));
	memset(&s, 0, sizeof(s));
	mk_conn(&c, 0xFFFFF000u, 1000, true);
	seg = mk(TCP_SYN, 0xFFFFF000u, 0, 0, 64240);
	plot_stream_segment(&s, &c, 0, &seg, &tr, 1, 1000);
	seg = mk(TCP_SYN | TCP_ACK, 1000, 0xFFFFF001u, 0, 65160);
	plot_stream_segment(&s, &c, 1, &seg, &tr, 2, 2000);
	seg = mk(TCP_ACK, 0xFFFFF001u, 1001, 1448, 502);
	plot_stream_segment(&s, &c, 0, &seg, &tr, 3, 3000);
	seg = mk(TCP_ACK, 1001, 0xFFFFF001u + 1448, 0, 500);
	plot_stream_segment(&s, &c, 1, &seg, &tr, 4, 4000);
	w = &s.d[0].win;
	is_u64(w->n, 2, "two windows from the server");
	is_u64(w->b[0].last, 1 + 65160, "a SYN-ACK's window is never scaled");
	is_u64(w->b[1].last, 1449 + (500 << 7), "then ACK + window << 7 (the server's shift)");
	is_u64(s.d[0].ack.b[1].last, 1449, "ACK relative to the client's ISN, across 2^32");
	is_u64(s.d[1].win.b[0].last, 1 + (502 << 2), "the client's window << 2");
	is_u64(s.d[0].data.b[1].lo, 1, "first data byte at relative 1");
	is_u64(s.d[0].data.b[1].hi, 1449, "... up to 1449");
	is_u64(s.d[0].rtt.n, 2, "two RTT samples: SYN -> SYN-ACK, data -> ACK");
	is_u64(s.d[0].rtt.b[1].last, 1, "1 us");
	plot_stream_free(&s);

	memset(&s, 0, sizeof(s));
	mk_conn(&c, 100, 200, false);
	seg = mk(TCP_ACK, 201, 101, 0, 500);
	plot_stream_segment(&s, &c, 1, &seg, &tr, 1, 1000);
	is_u64(s.d[0].win.b[0].last, 1 + 500, "without both SYNs' scaling: the raw field");
	plot_stream_free(&s);
}

static void
test_series_bounded(void)
{
	struct plot_series sr;
	uint32_t i;
	bool ordered = true;

	memset(&sr, 0, sizeof(sr));
	for (i = 0; i < 1000000; i++)
		plot_series_add(&sr, i, (int64_t)i * 10, (int64_t)i * 10 + 5, (int64_t)i * 10 + 5, i + 1);
	ok(sr.n <= PLOT_SERIES_CAP, "a million samples fit the cap");
	ok(sr.n > PLOT_SERIES_CAP / 4, "... and still use most of it");
	is_u64(sr.samples, 1000000, "every sample counted");
	is_u64(sr.b[0].lo, 0, "the lowest value survives merging");
	is_u64(sr.b[sr.n - 1].hi, 9999995, "the highest value survives merging");
	is_u64(sr.b[0].f0, 1, "first frame kept");
	is_u64(sr.b[sr.n - 1].f1, 1000000, "last frame kept");
	for (i = 1; i < sr.n; i++)
		if (sr.b[i].t0 <= sr.b[i - 1].t1 || sr.b[i].f0 != sr.b[i - 1].f1 + 1)
			ordered = false;
	ok(ordered, "buckets tile time and frames without gaps or overlap");
	plot_series_free(&sr);
}

static void
event_at(struct event *ev, enum event_kind k, uint64_t frame, int64_t ts)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = k;
	ev->severity = SEV_NOTICE;
	ev->frame = frame;
	ev->ts_ns = ts;
	ev->has_stream = true;
	ev->stream = 7;
}

static size_t
count_in(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* A million segments across 2^32 with an event every 997th frame and an
 * ACK event every 1009th: decimated bars, every mark in the SVG. */
static void
test_decimation_keeps_marks(unsigned nseg, bool expect_decimated)
{
	struct plot_stream s;
	struct conn c;
	struct track_result tr;
	struct segment seg;
	struct event ev;
	uint32_t isn = 0xF0000000u, seq, i;
	uint64_t frame = 0, want_marks = 0, want_data = 0, data_marks = 0, ack_marks = 0;
	char *buf = NULL, needle[64];
	size_t len = 0, missing = 0;
	FILE *f;
	char what[96];

	memset(&tr, 0, sizeof(tr));
	memset(&s, 0, sizeof(s));
	s.stream = 7;
	mk_conn(&c, isn, 1000, false);
	seq = isn + 1;
	for (i = 0; i < nseg; i++) {
		seg = mk(TCP_ACK, seq, 1001, 1448, 65535);
		frame++;
		plot_stream_segment(&s, &c, 0, &seg, &tr, frame, (int64_t)frame * 10000);
		if (frame % 997 == 0) {
			event_at(&ev, EVK_RETRANSMISSION, frame, (int64_t)frame * 10000);
			plot_stream_event(&s, &ev);
			want_marks++;
			want_data++;
		}
		seq += 1448;
		seg = mk(TCP_ACK, 1001, seq, 0, 65535);
		frame++;
		plot_stream_segment(&s, &c, 1, &seg, &tr, frame, (int64_t)frame * 10000);
		if (frame % 1009 == 0) {
			event_at(&ev, EVK_DUP_ACK, frame, (int64_t)frame * 10000);
			plot_stream_event(&s, &ev);
			want_marks++;
		}
	}
	for (i = 0; i < s.nmarks; i++) {
		if (s.marks[i].dir == 0 && s.marks[i].role == PR_DATA)
			data_marks++;
		if (s.marks[i].dir == 0 && s.marks[i].role == PR_ACK)
			ack_marks++;
	}
	snprintf(what, sizeof(what), "%u segments: data events on the sender's data", nseg);
	is_u64(data_marks, want_data, what);
	snprintf(what, sizeof(what), "%u segments: ACK events on the graph of the data acked",
	    nseg);
	is_u64(ack_marks, want_marks - want_data, what);
	snprintf(what, sizeof(what), "%u segments: %s", nseg,
	    expect_decimated ? "bars decimated" : "one bar per segment");
	ok(expect_decimated ? s.d[0].data.per > 1 && s.d[0].data.n <= PLOT_SERIES_CAP
	    : s.d[0].data.n == nseg && s.d[0].data.per == 1, what);
	snprintf(what, sizeof(what), "%u segments: the sequence axis rises across 2^32", nseg);
	ok(s.d[0].data.b[s.d[0].data.n - 1].hi == 1 + (int64_t)nseg * 1448, what);

	f = open_memstream(&buf, &len);
	ok(f != NULL && plot_svg_write(f, &s, 0, "test") && fclose(f) == 0, "SVG written");
	for (i = 1; i <= frame; i++)
		if ((i % 997 == 0 && i % 2 == 1) || (i % 1009 == 0 && i % 2 == 0)) {
			snprintf(needle, sizeof(needle), "data-frame=\"%u\"", i);
			if (strstr(buf, needle) == NULL)
				missing++;
		}
	snprintf(what, sizeof(what), "%u segments: every marked frame is in the SVG", nseg);
	is_u64(missing, 0, what);
	snprintf(what, sizeof(what), "%u segments: as many marks as events", nseg);
	is_u64(count_in(buf, "class=\"mark\""), want_marks, what);
	ok(strstr(buf, "<script") == NULL && strstr(buf, "href") == NULL,
	    "no script, no link");
	free(buf);
	plot_stream_free(&s);
}

int
main(void)
{
	test_axis();
	test_window();
	test_series_bounded();
	test_decimation_keeps_marks(1000, false);
	test_decimation_keeps_marks(1000000, true);
	return tap_done();
}
