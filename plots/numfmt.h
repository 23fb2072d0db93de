/* numfmt.h - printing estimates at the resolution their uncertainty supports.
 *
 * A mean with a 95% CI half-width h is worth two significant digits of h and
 * no more (never "+-5.35e-06" next to 0.998765): nf_decimals() picks the
 * number of decimals, nf_fixed() prints fixed-point with them.  Used by the
 * sweep table and the reports. */
#ifndef RELSIM_NUMFMT_H
#define RELSIM_NUMFMT_H

#include <stddef.h>

/* Decimals showing two significant digits of half (the uncertainty), but not
 * more than six significant digits of ref (the value's scale, e.g. the mean);
 * 4 when half is not finite and positive.  Result in [0, 12]. */
int nf_decimals(double half, double ref);

/* Writes v fixed-point with `decimals` decimals into buf (n bytes), with a
 * leading '+' on non-negative values when plus is set, "-" if v is not
 * finite.  Returns buf. */
char *nf_fixed(char *buf, size_t n, double v, int decimals, int plus);

#endif
