/* numfmt.c - fixed-point printing at the resolution of the uncertainty. */
#include "plots/numfmt.h"

#include <math.h>
#include <stdio.h>

int nf_decimals(double half, double ref)
{
    int d = 4;
    if (isfinite(half) && half > 0)
        d = 1 - (int)floor(log10(half));
    if (isfinite(ref) && ref != 0) {
        int dmax = 5 - (int)floor(log10(fabs(ref)));
        if (d > dmax)
            d = dmax;
    }
    return d < 0 ? 0 : d > 12 ? 12 : d;
}

char *nf_fixed(char *buf, size_t n, double v, int decimals, int plus)
{
    if (!isfinite(v))
        snprintf(buf, n, "-");
    else if (v == 0 || fabs(v) >= 0.5 * pow(10, -decimals))
        snprintf(buf, n, plus ? "%+.*f" : "%.*f", decimals, v);
    else /* rounds to zero at this resolution: say so without a sign */
        snprintf(buf, n, "%.*f", decimals, 0.0);
    return buf;
}
