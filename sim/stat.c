/* stat.c - time averages, log histogram, replication summaries. */
#include "sim/stat.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

void stat_tw_init(stat_tw *s, double t, double value)
{
    s->value = value;
    s->last = s->start = t;
    s->area = s->bin_area = 0;
}

void stat_tw_restart(stat_tw *s, double t)
{
    stat_tw_set(s, t, s->value);
    s->area = 0;
    s->start = t;
}

double stat_tw_mean(const stat_tw *s, double t)
{
    double span = t - s->start;
    if (span <= 0)
        return 0;
    return (s->area + (t - s->last) * s->value) / span;
}

double stat_tw_take_bin(stat_tw *s, double t)
{
    stat_tw_set(s, t, s->value);
    double a = s->bin_area;
    s->bin_area = 0;
    return a;
}

_Static_assert((1LL << STAT_HIST_MAXEXP) > (long long)STAT_HIST_MAX_SECONDS,
              "the histogram must hold any latency up to the longest horizon");

static void hist_empty(stat_hist *h)
{
    h->lo = STAT_HIST_N;
    h->hi = 0;
    h->n = 0;
    h->sum = 0;
    h->min = INFINITY;
    h->max = -INFINITY;
}

void stat_hist_bind(stat_hist *h, double *count)
{
    h->count = count;
    hist_empty(h);
}

void stat_hist_clear(stat_hist *h)
{
    if (h->lo <= h->hi)
        memset(h->count + h->lo, 0, (h->hi - h->lo + 1) * sizeof *h->count);
    hist_empty(h);
}

size_t stat_hist_index_slow(double x)
{
    if (!(x >= ldexp(1.0, STAT_HIST_MINEXP)))
        return 0;
    int e;
    double m = frexp(x, &e); /* x = m * 2^e, m in [0.5, 1) */
    e -= 1;                  /* x = (2m) * 2^e, 2m in [1, 2) */
    if (e >= STAT_HIST_MAXEXP)
        return STAT_HIST_N - 1;
    size_t sub = (size_t)((2 * m - 1) * STAT_HIST_SUB);
    if (sub >= STAT_HIST_SUB)
        sub = STAT_HIST_SUB - 1;
    return 1 + (size_t)(e - STAT_HIST_MINEXP) * STAT_HIST_SUB + sub;
}

double stat_hist_lower(size_t i)
{
    if (i == 0)
        return 0;
    if (i >= STAT_HIST_N - 1)
        return ldexp(1.0, STAT_HIST_MAXEXP);
    size_t k = i - 1;
    int e = (int)(k / STAT_HIST_SUB) + STAT_HIST_MINEXP;
    double sub = (double)(k % STAT_HIST_SUB);
    return ldexp(1.0 + sub / STAT_HIST_SUB, e);
}

double stat_hist_upper(size_t i)
{
    if (i == 0)
        return ldexp(1.0, STAT_HIST_MINEXP);
    if (i >= STAT_HIST_N - 1)
        return INFINITY;
    return stat_hist_lower(i + 1);
}

/* The quantile from buckets FIRST..LAST, all the non-empty ones. */
static double quantile_in(const double *c, double n, double q, size_t first, size_t last)
{
    if (!(n > 0))
        return NAN;
    double target = q * n, cum = 0;
    for (size_t i = first; i <= last; i++) {
        if (c[i] <= 0)
            continue;
        if (cum + c[i] >= target) {
            double lo = stat_hist_lower(i), hi = stat_hist_upper(i);
            if (i == 0 || !isfinite(hi))
                return i == 0 ? hi : lo;
            double f = (target - cum) / c[i];
            return lo * pow(hi / lo, f);
        }
        cum += c[i];
    }
    return stat_hist_lower(STAT_HIST_N - 1);
}

double stat_hist_quantile(const double *c, double n, double q)
{
    return quantile_in(c, n, q, 0, STAT_HIST_N - 1);
}

static double within(double v, double lo, double hi)
{
    if (isnan(v) || !(lo <= hi))
        return v;
    return v < lo ? lo : v > hi ? hi : v;
}

double stat_hist_quantile_within(const double *c, double n, double q, double lo, double hi)
{
    return within(stat_hist_quantile(c, n, q), lo, hi);
}

double stat_hist_quantile_of(const stat_hist *h, double q)
{
    return within(quantile_in(h->count, h->n, q, h->lo, h->hi), h->min, h->max); /* empty: NAN */
}

double stat_t95(int n)
{
    const double upper = 0.975; /* two-sided 95%: 2.5% in each tail */
    return n >= 2 ? gsl_cdf_tdist_Pinv(upper, n - 1) : NAN;
}

double stat_half95(stat_summary s)
{
    return s.n >= 2 ? stat_t95(s.n) * s.sd / sqrt((double)s.n) : NAN;
}

stat_summary stat_within(stat_summary s, double lo, double hi)
{
    if (s.lo < lo)
        s.lo = lo;
    if (s.hi > hi)
        s.hi = hi;
    return s;
}

stat_summary stat_run_summary(const stat_run *s)
{
    stat_summary r = {NAN, NAN, NAN, NAN, (int)s->n};
    if (s->n > 0)
        r.mean = (double)s->mean;
    if (s->n >= 2) {
        r.sd = sqrt((double)(s->m2 / (s->n - 1)));
        double h = stat_t95((int)s->n) * r.sd / sqrt((double)s->n);
        r.lo = r.mean - h;
        r.hi = r.mean + h;
    }
    return r;
}

/* One algorithm for every summary: a whole array is folded as a stream. */
stat_summary stat_summarize(const double *x, size_t stride, int n)
{
    stat_run s = {0};
    for (int i = 0; i < n; i++)
        stat_run_add(&s, x[(size_t)i * stride]);
    return stat_run_summary(&s);
}

stat_summary stat_paired(const double *a, const double *b, size_t stride, int n)
{
    stat_run s = {0};
    for (int i = 0; i < n; i++)
        stat_run_add_diff(&s, a[(size_t)i * stride], b[(size_t)i * stride]);
    return stat_run_summary(&s);
}
