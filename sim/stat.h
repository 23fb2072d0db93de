/* stat.h - streaming statistics, all O(1) per observation.
 *
 *  stat_tw     time-weighted average of a piecewise-constant quantity
 *              (servers UP, busy workers, queue length), with a second
 *              accumulator per time-series bin;
 *  stat_hist   log-bucketed histogram of positive values (latencies) with
 *              bounded relative error: STAT_HIST_SUB buckets per power of two,
 *              the widest (the first of each octave, [2^e, 2^e (1 + 1/64)))
 *              1/64 = 1.5625% wide, so an interpolated quantile is within
 *              1.5625% of the empirical one; it is also kept inside the
 *              smallest and largest value seen (exact for a constant);
 *  stat_summary mean, sample sd and Student-t 95% interval over independent
 *              replications (gsl_cdf_tdist_Pinv).
 *
 * Warm-up deletion is a reset at the warm-up time (stat_tw_restart,
 * stat_hist_clear).  No allocation except stat_hist's fixed bucket array.
 */
#ifndef RELSIM_STAT_H
#define RELSIM_STAT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    double value;    /* current level */
    double last;     /* time of the last change */
    double area;     /* integral since start */
    double start;    /* start of the averaging window */
    double bin_area; /* integral since the current bin began */
} stat_tw;

/* Start averaging at time T with level VALUE. */
void stat_tw_init(stat_tw *s, double t, double value);

/* The level changes to VALUE at time T (T never decreases). */
static inline void stat_tw_set(stat_tw *s, double t, double value)
{
    double d = (t - s->last) * s->value;
    s->area += d;
    s->bin_area += d;
    s->last = t;
    s->value = value;
}
static inline void stat_tw_add(stat_tw *s, double t, double delta)
{
    stat_tw_set(s, t, s->value + delta);
}

/* Drop the past: average from T on (warm-up deletion). */
void stat_tw_restart(stat_tw *s, double t);

/* Time average over [start, T]; 0 when the window is empty. */
double stat_tw_mean(const stat_tw *s, double t);

/* Integral over the current bin up to T, and start a new bin at T. */
double stat_tw_take_bin(stat_tw *s, double t);

#define STAT_HIST_SUB 64    /* buckets per power of two */
#define STAT_HIST_MINEXP (-30) /* smallest bucket 2^-30 s, about 1 ns */
/* largest bucket ends at 2^44 s = 1.76e13 s, above the longest horizon the
 * loader accepts (1e13 s, STAT_HIST_MAX_SECONDS): a latency never lands in
 * the overflow bucket, so no percentile is ever clamped there. */
#define STAT_HIST_MAXEXP 44
#define STAT_HIST_MAX_SECONDS 1e13
#define STAT_HIST_N ((STAT_HIST_MAXEXP - STAT_HIST_MINEXP) * STAT_HIST_SUB + 2)

/* Counts live in caller memory (double[STAT_HIST_N]) so a replication's
 * histogram can sit inside its flat result record and be merged by adding.
 * The buckets outside [lo, hi] are zero: clearing and the quantiles touch
 * only the buckets used, not all 4738 (a replication with a few requests
 * would otherwise spend most of its time on its histogram). */
typedef struct {
    double *count;  /* STAT_HIST_N buckets: [0] underflow, [N-1] overflow */
    double n;       /* total observations */
    double sum;     /* for the exact mean */
    double min, max; /* smallest and largest observation (+inf / -inf when empty) */
    size_t lo, hi;  /* the buckets used (lo > hi when empty) */
} stat_hist;

/* Use COUNT, which must be all zeros (a record just cleared), as H's
 * buckets: H is empty. */
void stat_hist_bind(stat_hist *h, double *count);
void stat_hist_clear(stat_hist *h); /* zeroes the buckets used */

/* Bucket index of X, general code (any double, NaN included). */
size_t stat_hist_index_slow(double x);

/* Bucket index of X.  Fast path, one latency per request comes through
 * here: for x in [2^MINEXP, 2^MAXEXP) the bucket is the binary exponent and
 * the top log2(STAT_HIST_SUB) mantissa bits, read from the bits of x: the
 * index frexp() gives (checked on 5e7 values), without the libm call.
 * Everything else (0, subnormal, negative, huge, inf, NaN) takes the
 * general code. */
static inline size_t stat_hist_index(double x)
{
    enum { SUB_BITS = 6, BIAS = 1023 };
    _Static_assert(STAT_HIST_SUB == 1 << SUB_BITS, "STAT_HIST_SUB must be 2^SUB_BITS");
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    uint64_t be = u >> 52; /* sign and biased exponent */
    if (be >= BIAS + STAT_HIST_MINEXP && be < BIAS + STAT_HIST_MAXEXP)
        return 1 + (size_t)(be - (BIAS + STAT_HIST_MINEXP)) * STAT_HIST_SUB +
               (size_t)((u >> (52 - SUB_BITS)) & (STAT_HIST_SUB - 1));
    return stat_hist_index_slow(x);
}

/* Count X. */
static inline void stat_hist_add(stat_hist *h, double x)
{
    size_t i = stat_hist_index(x);
    h->count[i] += 1;
    h->lo = i < h->lo ? i : h->lo;
    h->hi = i > h->hi ? i : h->hi;
    h->n += 1;
    h->sum += x;
    h->min = x < h->min ? x : h->min;
    h->max = x > h->max ? x : h->max;
}

/* Bounds of bucket I. */
double stat_hist_lower(size_t i);
double stat_hist_upper(size_t i);
/* Quantile Q in (0,1) of counts C[STAT_HIST_N] holding N observations,
 * interpolated geometrically inside the bucket; NAN when N == 0.  Values in
 * the underflow bucket [0, 2^MINEXP) give its upper bound. */
double stat_hist_quantile(const double *c, double n, double q);
/* The same, kept inside [LO, HI] (the smallest and largest observation), so
 * a percentile never exceeds the largest value seen and a constant gives
 * itself exactly.  Use this whenever the extremes are known. */
double stat_hist_quantile_within(const double *c, double n, double q, double lo, double hi);
/* stat_hist_quantile_within of H's counts and extremes, reading only the
 * buckets H used: the same value. */
double stat_hist_quantile_of(const stat_hist *h, double q);

/* Mean, sd and 95% t-interval of N values.  With N < 2 the sd and interval
 * are NAN (undefined; writers print null).  Non-finite values are skipped
 * and not counted. */
typedef struct {
    double mean, lo, hi, sd;
    int n;
} stat_summary;
stat_summary stat_summarize(const double *x, size_t stride, int n);

/* The same statistics folded one value at a time, in memory independent of
 * the number of values: the mean by GSL's own recurrence (gsl_stats_mean:
 * mean += (x - mean) / n in long double, so the mean is bit for bit GSL's),
 * the variance by Welford's update.  Non-finite values are skipped.  Fold in
 * a fixed order (replication order) and the result never depends on who
 * computed which value. */
typedef struct {
    long n;
    long double mean, m2;
} stat_run;
static inline void stat_run_add(stat_run *s, double x)
{
    if (!isfinite(x))
        return;
    s->n++;
    long double d = x - s->mean;
    s->mean += d / s->n;
    s->m2 += d * (x - s->mean);
}
stat_summary stat_run_summary(const stat_run *s);

/* Fold the paired difference B - A (left out when either is undefined). */
static inline void stat_run_add_diff(stat_run *s, double a, double b)
{
    stat_run_add(s, isfinite(a) && isfinite(b) ? b - a : NAN);
}

/* Paired difference B - A over N replications, same shape. */
stat_summary stat_paired(const double *a, const double *b, size_t stride, int n);

/* Student-t quantile for a two-sided 95% interval with N-1 degrees of freedom. */
double stat_t95(int n);

/* The t-interval's half-width t95(n)·sd/√n (NAN below 2 values): what
 * precision targets and tolerances use, whatever stat_within did to lo/hi. */
double stat_half95(stat_summary s);

/* S with its interval ends kept within [LO, HI], the values the quantity can
 * take (a fraction's t-interval can reach past 1); the mean is unchanged. */
stat_summary stat_within(stat_summary s, double lo, double hi);

#endif
