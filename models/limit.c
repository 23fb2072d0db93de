/* limit.c - adaptive concurrency limits (limit.h has the algorithms in one
 * line each; docs/MODEL.md the exact rules and where they come from).
 *
 * The update rules follow the reference implementations step by step:
 * Netflix concurrency-limits AIMDLimit, Gradient2Limit and VegasLimit (each
 * updated on every sample, as when used without a WindowedLimit), and Envoy's
 * adaptive concurrency filter (gradient controller, windowed by
 * concurrency_update_interval).  Randomness (Vegas' probe jitter, Envoy's
 * minRTT jitter) comes from the caller's stream so runs stay reproducible.
 */
#include "models/limit.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ENVOY_SAMPLE_CAP 4096 /* samples kept per update interval; the rest are ignored */
#define ENVOY_MIN_WINDOWS 5   /* intervals at the minimum that force a minRTT measurement */

int limiter_init(limiter *l, const limit_cfg *cfg)
{
    memset(l, 0, sizeof *l);
    l->cfg = cfg;
    if (cfg->kind == LIMIT_ENVOY) {
        l->cap = ENVOY_SAMPLE_CAP;
        l->samples = malloc((size_t)l->cap * sizeof *l->samples);
        if (!l->samples)
            return -1;
    }
    return 0;
}

void limiter_free(limiter *l)
{
    free(l->samples);
    l->samples = NULL;
}

static double clamp(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

static void envoy_schedule_min_rtt(limiter *l, double now, rng_stream *rng)
{
    const limit_cfg *c = l->cfg;
    l->next_min_rtt = now + c->min_rtt_interval * (1 + c->jitter * rng_uniform(rng));
}

void limiter_reset(limiter *l, double now, rng_stream *rng)
{
    const limit_cfg *c = l->cfg;
    l->limit = c->initial;
    l->long_rtt = 0;
    l->long_n = 0;
    l->rtt_noload = 0;
    l->probe_count = 0;
    l->probe_jitter = c->kind == LIMIT_VEGAS ? 0.5 + 0.5 * rng_uniform(rng) : 0;
    l->nsamples = 0;
    l->at_min = 0;
    l->min_rtt = 0;
    l->measuring = c->kind == LIMIT_ENVOY; /* Envoy measures minRTT first */
    l->window_end = now + c->update_interval;
    l->next_min_rtt = 0;
}

/* ---- Netflix ---------------------------------------------------------------- */

static void aimd(limiter *l, double rtt, int inflight, int dropped)
{
    const limit_cfg *c = l->cfg;
    double lim = l->limit;
    if (dropped || rtt > c->timeout)
        lim = fmax(1, fmin(lim - 1, floor(lim * c->backoff_ratio)));
    else if (inflight * 2 >= lim)
        lim = lim + 1;
    else
        return;
    l->limit = clamp(lim, c->min, c->max);
}

/* ExpAvgMeasurement: a plain mean over the first 10 samples, then an
 * exponential average with factor 2/(window+1). */
static double long_rtt_add(limiter *l, double rtt)
{
    if (l->long_n < 10) {
        l->long_rtt = (l->long_rtt * (double)l->long_n + rtt) / (double)(l->long_n + 1);
        l->long_n++;
    } else {
        double f = 2.0 / (l->cfg->long_window + 1.0);
        l->long_rtt = l->long_rtt * (1 - f) + rtt * f;
    }
    return l->long_rtt;
}

static void gradient2(limiter *l, double rtt, int inflight)
{
    const limit_cfg *c = l->cfg;
    double shrt = rtt, lng = long_rtt_add(l, rtt);
    if (lng / shrt > 2) /* recovering from a long overload: let the baseline catch up */
        l->long_rtt *= 0.95;
    if (inflight < l->limit / 2) /* app-limited: no growth */
        return;
    double gradient = clamp(c->tolerance * lng / shrt, 0.5, 1.0);
    double lim = l->limit * gradient + c->queue_size;
    lim = l->limit * (1 - c->smoothing) + lim * c->smoothing;
    l->limit = clamp(lim, c->min, c->max);
}

static double log10_root(double lim)
{
    double v = floor(log10(lim < 1 ? 1 : (int)lim));
    return v < 1 ? 1 : v;
}

static void vegas(limiter *l, double rtt, int inflight, int dropped, rng_stream *rng)
{
    const limit_cfg *c = l->cfg;
    l->probe_count++;
    if (l->probe_jitter * c->probe_multiplier * l->limit <= l->probe_count) {
        l->probe_jitter = 0.5 + 0.5 * rng_uniform(rng);
        l->probe_count = 0;
        l->rtt_noload = rtt;
        return;
    }
    if (l->rtt_noload == 0 || rtt < l->rtt_noload) {
        l->rtt_noload = rtt;
        return;
    }
    double lim = l->limit, step = log10_root(lim), next;
    double queue = ceil(lim * (1 - l->rtt_noload / rtt));
    if (dropped) {
        next = lim - step;
    } else if (inflight * 2 < lim) {
        return;
    } else if (queue <= step) { /* threshold = log10 */
        next = lim + 6 * step;  /* + beta */
    } else if (queue < 3 * step) { /* < alpha */
        next = lim + step;
    } else if (queue > 6 * step) { /* > beta */
        next = lim - step;
    } else {
        return;
    }
    next = clamp(next, fmax(1, c->min), c->max);
    l->limit = (1 - c->smoothing) * lim + c->smoothing * next;
}

/* ---- Envoy -------------------------------------------------------------------- */

static double envoy_aggregate(limiter *l)
{
    gsl_sort(l->samples, 1, (size_t)l->nsamples);
    double v = gsl_stats_quantile_from_sorted_data(l->samples, 1, (size_t)l->nsamples, l->cfg->percentile);
    l->nsamples = 0;
    return v;
}

static void envoy_keep(limiter *l, double rtt)
{
    if (l->nsamples < l->cap)
        l->samples[l->nsamples++] = rtt;
}

static void envoy(limiter *l, double now, double rtt, rng_stream *rng)
{
    const limit_cfg *c = l->cfg;
    if (l->measuring) {
        envoy_keep(l, rtt);
        if (l->nsamples >= c->request_count) {
            l->min_rtt = envoy_aggregate(l);
            l->measuring = 0;
            l->at_min = 0;
            l->window_end = now + c->update_interval;
            envoy_schedule_min_rtt(l, now, rng);
        }
        return;
    }
    if (now >= l->window_end) {
        if (l->nsamples > 0) {
            double sample = envoy_aggregate(l);
            double gradient = clamp((l->min_rtt * (1 + c->buffer)) / sample, 0.5, 2.0);
            double lim = gradient * l->limit;
            l->limit = clamp(lim + sqrt(lim), c->min, c->max);
            l->at_min = l->limit <= c->min ? l->at_min + 1 : 0;
        }
        l->window_end = now + c->update_interval;
        if (now >= l->next_min_rtt || l->at_min >= ENVOY_MIN_WINDOWS) {
            l->measuring = 1;
            l->nsamples = 0;
            return; /* this sample belongs to the old regime */
        }
    }
    envoy_keep(l, rtt);
}

int limiter_sample(limiter *l, double now, double rtt, int inflight, int dropped, rng_stream *rng)
{
    if (rtt <= 0)
        rtt = 1e-9;
    switch (l->cfg->kind) {
    case LIMIT_AIMD: aimd(l, rtt, inflight, dropped); break;
    case LIMIT_GRADIENT2: gradient2(l, rtt, inflight); break; /* RTT only, as Netflix */
    case LIMIT_VEGAS: vegas(l, rtt, inflight, dropped, rng); break;
    case LIMIT_ENVOY: envoy(l, now, rtt, rng); break;
    case LIMIT_NONE: break;
    }
    return limiter_current(l);
}
