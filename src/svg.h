/* svg.h: small helpers every SVG drawing shares (plot_svg.c, listen_plot.c,
 * html.c): XML text escaping, tick steps, short numbers and time labels.
 * Owns nothing. */
#ifndef TCPDISSECT_SVG_H
#define TCPDISSECT_SVG_H

#include <stddef.h>
#include <stdio.h>

/* s as XML character data or attribute value (control characters left
 * out). */
void svg_text(FILE *f, const char *s);
/* A 1, 2 or 5 times a power of ten step giving about n ticks over span. */
double svg_nice_step(double span, int n);
/* Short number with an SI suffix ("1.5M"). */
void svg_si(double v, char *buf, size_t len);
/* sec with as many decimals as step needs. */
void svg_time_label(double sec, double step, char *buf, size_t len);

#endif /* TCPDISSECT_SVG_H */
