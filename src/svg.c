/* svg.c: the shared SVG helpers (svg.h). */
#include "config.h"

#include "svg.h"

#include <math.h>

void
svg_text(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, f);
		}
}

double
svg_nice_step(double span, int n)
{
	double raw = span / n, p = pow(10, floor(log10(raw))), m = raw / p;

	return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

void
svg_si(double v, char *buf, size_t len)
{
	static const char *const suf[] = { "", "k", "M", "G", "T", "P" };
	double a = fabs(v);
	unsigned i = 0;

	while (a >= 1000 && i < 5) {
		a /= 1000;
		v /= 1000;
		i++;
	}
	if (a == 0 || a >= 100 || a == floor(a))
		snprintf(buf, len, "%.0f%s", v, suf[i]);
	else if (a >= 10)
		snprintf(buf, len, "%.1f%s", v, suf[i]);
	else
		snprintf(buf, len, "%.2g%s", v, suf[i]);
}

void
svg_time_label(double sec, double step, char *buf, size_t len)
{
	int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);

	if (dec > 9)
		dec = 9;
	snprintf(buf, len, "%.*f", dec, sec);
}
