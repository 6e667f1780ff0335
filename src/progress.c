/* progress.c: the progress line on a terminal (progress.h). */
#include "config.h"

#include "progress.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define INTERVAL_NS	250000000LL	/* four updates a second at most */
#define CHECK_EVERY	1024u		/* records between two readings of the clock */

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

bool
progress_wanted(bool quiet)
{
	return !quiet && isatty(STDERR_FILENO);
}

void
progress_start(struct progress *pr, FILE *out, const char *name, uint64_t total)
{
	const char *env = getenv("TCPDISSECT_PROGRESS_MS");

	memset(pr, 0, sizeof(*pr));
	pr->out = out;
	pr->name = name;
	pr->total = total;
	pr->interval_ns = INTERVAL_NS;
	if (env != NULL && *env != '\0')
		pr->interval_ns = strtoll(env, NULL, 10) * 1000000LL;
	pr->start_ns = now_ns();
	pr->next_ns = pr->start_ns + pr->interval_ns;
	pr->countdown = pr->interval_ns == 0 ? 1 : CHECK_EVERY;
}

/* 1.5 GB, 320 MB, 12 kB: decimal units as disks are sold. */
static void
human(double v, const char *unit, char *buf, size_t len)
{
	static const char *const p[] = { "", "k", "M", "G", "T" };
	unsigned i = 0;

	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	snprintf(buf, len, i == 0 ? "%.0f %s%s" : "%.1f %s%s", v, p[i], unit);
}

void
progress_tick(struct progress *pr)
{
	int64_t now = now_ns();
	double secs;
	char b[32], t[32], r[32];

	pr->countdown = pr->interval_ns == 0 ? 1 : CHECK_EVERY;
	if (now < pr->next_ns)
		return;
	pr->next_ns = now + pr->interval_ns;
	secs = (double)(now - pr->start_ns) / 1e9;
	human((double)pr->bytes, "B", b, sizeof(b));
	human(secs > 0 ? (double)pr->bytes / secs : 0, "B/s", r, sizeof(r));
	fprintf(pr->out, "\r\033[K%s: %s", pr->name, b);
	if (pr->total > 0 && pr->bytes <= pr->total) {
		double left = pr->bytes > 0 ? secs * (double)(pr->total - pr->bytes) /
		    (double)pr->bytes : 0;

		human((double)pr->total, "B", t, sizeof(t));
		fprintf(pr->out, " of %s (%.0f%%)", t, 100.0 * (double)pr->bytes /
		    (double)pr->total);
		fprintf(pr->out, ", %" PRIu64 " packets, %s, %.0f s left", pr->frames, r, left);
	} else {
		fprintf(pr->out, ", %" PRIu64 " packets, %s", pr->frames, r);
	}
	fflush(pr->out);
	pr->shown = true;
}

void
progress_end(struct progress *pr)
{
	if (pr->shown) {
		fputs("\r\033[K", pr->out);
		fflush(pr->out);
	}
	pr->shown = false;
}
