/* limit.h - adaptive concurrency limits: how many requests may be in flight.
 *
 * One limiter guards one server (pool-side) or one caller (client-side).  It
 * learns from samples of completed requests (round-trip time, the number in
 * flight when the request was admitted, and whether it was dropped) and keeps
 * an estimate of the concurrency the target can take:
 *
 *   aimd       Netflix AIMDLimit: a drop (or RTT > timeout) multiplies the
 *              limit by backoff_ratio; otherwise +1 while inflight >= limit/2.
 *   gradient2  Netflix Gradient2Limit: gradient = clamp(tolerance x longRtt /
 *              shortRtt, 0.5, 1); limit <- (1-s) limit + s (gradient limit +
 *              queue_size); longRtt an exponential average over long_window.
 *   vegas      Netflix VegasLimit: queue = ceil(limit (1 - rtt_noload/rtt));
 *              grow by beta when queue <= log10(limit), by log10 when below
 *              alpha = 3 log10, shrink by log10 above beta = 6 log10.
 *   envoy      Envoy adaptive concurrency (gradient controller): every
 *              update_interval, gradient = clamp((minRTT + buffer minRTT) /
 *              sampleRTT, 0.5, 2), limit <- gradient limit + sqrt(limit),
 *              sampleRTT the `percentile` of the interval's samples; minRTT is
 *              re-measured every min_rtt_interval (+ jitter) with the limit
 *              pinned to min for request_count samples.
 *
 * Exact semantics and defaults: docs/MODEL.md "Adaptive concurrency limits".
 * Ownership: a limiter owns its sample buffer (envoy); limiter_free releases it.
 */
#ifndef RELSIM_LIMIT_H
#define RELSIM_LIMIT_H

#include "models/config.h"
#include "sim/rng.h"

typedef struct {
    const limit_cfg *cfg;
    double limit;      /* current estimate */
    /* gradient2 */
    double long_rtt;
    long long_n;
    /* vegas */
    double rtt_noload;
    long probe_count;
    double probe_jitter;
    /* envoy */
    double *samples;   /* this interval's RTTs (owned) */
    int nsamples, cap;
    double window_end; /* end of the current update interval */
    double min_rtt;
    double next_min_rtt; /* start of the next minRTT measurement */
    int measuring;     /* the limit is pinned to min while minRTT is measured */
    int at_min;        /* consecutive intervals that ended at the minimum */
} limiter;

/* Allocate what the kind needs. Returns 0 or -1 (ENOMEM). */
int limiter_init(limiter *l, const limit_cfg *cfg);
void limiter_free(limiter *l);
/* Back to the initial state at time NOW (between replications). */
void limiter_reset(limiter *l, double now, rng_stream *rng);

/* The number of requests that may be in flight now. */
static inline int limiter_current(const limiter *l)
{
    return l->measuring ? (int)l->cfg->min : (int)l->limit;
}

/* Learn from one finished request: RTT seconds, INFLIGHT when it was
 * admitted (itself included), DROPPED if it was shed or timed out.  Returns
 * the new limiter_current(). RNG draws the probe jitter (vegas, envoy). */
int limiter_sample(limiter *l, double now, double rtt, int inflight, int dropped, rng_stream *rng);

#endif
