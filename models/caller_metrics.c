/* caller_metrics.c - a caller's counters turned into the client metrics of
 * one replication (CM_*, metrics.h) and into time-series bins (TSC_*).
 */
#include "models/caller_impl.h"
#include "models/health.h"

#include <math.h>
#include <string.h>

void caller_restart_stats(caller *c, double t)
{
    stat_tw_restart(&c->in_flight_tw, t);
    stat_tw_restart(&c->open_tw, t);
    stat_tw_restart(&c->ejected_tw, t);
    if (c->hc)
        health_restart_stats(c->hc, t);
    stat_tw_restart(&c->limit_tw, t);
    stat_hist_clear(&c->lat);
    c->throttled = 0;
    c->bin_attempts0 -= c->attempts; /* the bin's counts go on across the restart */
    c->bin_succ0 -= c->succeeded;
    c->bin_ended0 -= c->ended;
    c->ended = c->req_attempts = c->succeeded = c->attempts = c->hedges = c->hedges_won = c->timeouts = 0;
    c->breaker_rejects = c->retries_wanted = c->retries_denied = 0;
    c->retry_draws = c->retry_fired = c->deadlines = c->ejections = 0;
    c->net_msgs = c->net_lost = 0;
    c->leaf_ended = c->leaf_ok = c->leaf_lat = 0;
    memset(c->cause, 0, sizeof c->cause);
    c->trips_at_start = 0;
    for (int i = 0; i < c->nbrk; i++)
        c->trips_at_start += c->brk[i].trips;
}

/* Mean consecutive-failure counter (C_error) over the caller's breakers. */
static double caller_error_counter(const caller *c)
{
    return c->nbrk ? (double)c->consec_sum / c->nbrk : NAN;
}

static double ratio(double a, double b) { return b > 0 ? a / b : NAN; }

void caller_finish_metrics(caller *c, double *m, double t)
{
    const scenario *sc = c->w->sc;
    double q = c->lat.n;
    long trips = 0;
    for (int i = 0; i < c->nbrk; i++)
        trips += c->brk[i].trips;
    m[CM_REQUEST_SUCCESS] = ratio(c->succeeded, c->ended);
    m[CM_LATENCY_MEAN] = ratio(c->lat.sum, q);
    /* inside [min, max] seen: never above the longest latency (timeout-capped) */
    m[CM_LATENCY_P50] = stat_hist_quantile_of(&c->lat, 0.5);
    m[CM_LATENCY_P99] = stat_hist_quantile_of(&c->lat, 0.99);
    m[CM_LATENCY_P999] = stat_hist_quantile_of(&c->lat, 0.999);
    m[CM_ATTEMPTS_PER_REQUEST] = ratio(c->req_attempts, c->ended); /* of the requests that ended */
    m[CM_TIMEOUT_FRACTION] = ratio(c->timeouts, c->attempts);
    m[CM_BREAKER_OPEN_FRACTION] = c->nbrk ? stat_tw_mean(&c->open_tw, t) / c->nbrk : NAN;
    m[CM_BREAKER_TRIPS] = c->nbrk ? (double)(trips - c->trips_at_start) : NAN;
    m[CM_REJECTED_BY_BREAKER] = ratio(c->breaker_rejects, c->attempts);
    m[CM_RETRIES_DROPPED_BY_BUDGET] = ratio(c->retries_denied, c->retries_wanted);
    m[CM_REQUESTS] = c->ended;
    m[CM_THROUGHPUT] = c->succeeded / (sc->horizon - sc->warmup);
    m[CM_RETRY_FIRED] = ratio(c->retry_fired, c->retry_draws);
    m[CM_HEDGES_SENT] = c->cfg->hedge.enabled ? ratio(c->hedges, c->ended) : NAN;
    m[CM_HEDGES_WON] = c->cfg->hedge.enabled ? ratio(c->hedges_won, c->succeeded) : NAN;
    m[CM_EJECTIONS] = c->outl ? c->ejections : NAN;
    m[CM_EJECTED_FRACTION] = c->outl ? stat_tw_mean(&c->ejected_tw, t) / c->target->cfg->servers : NAN;
    m[CM_DEADLINE_FRACTION] = c->cfg->deadline > 0 ? ratio(c->deadlines, c->ended) : NAN;
    m[CM_NETWORK_LOST] = c->net ? ratio(c->net_lost, c->net_msgs) : NAN;
    m[CM_LEAF_SUCCESS] = c->cfg->fanout.count ? ratio(c->leaf_ok, c->leaf_ended) : NAN;
    m[CM_LEAF_LATENCY_MEAN] = c->cfg->fanout.count ? ratio(c->leaf_lat, c->leaf_ok) : NAN;
    m[CM_THROTTLED_FRACTION] = c->cfg->throttle.enabled ? ratio(c->throttled, c->attempts) : NAN;
    m[CM_CONCURRENCY_LIMIT] = c->lim ? stat_tw_mean(&c->limit_tw, t) : NAN;
    for (int k = 0; k < CAUSE_COUNT; k++)
        m[CM_CAUSE_SUCCESS + k] = ratio(c->cause[k], c->ended);
    if (c->hc)
        health_finish_metrics(c->hc, m, t);
    else
        for (int k = CM_UNDETECTED_DOWN_FRACTION; k <= CM_PROBE_RATE; k++)
            m[k] = NAN;
}

void caller_take_bin(caller *c, double *ts, double t, double width)
{
    ts[TSC_OFFERED] = c->bin_offered / width;
    ts[TSC_ATTEMPTS] = (c->attempts - c->bin_attempts0) / width;
    ts[TSC_SUCCESSES] = c->succeeded - c->bin_succ0;
    ts[TSC_ENDED] = c->ended - c->bin_ended0;
    ts[TSC_IN_FLIGHT] = stat_tw_take_bin(&c->in_flight_tw, t) / width;
    ts[TSC_BREAKER_OPEN] = c->nbrk ? stat_tw_take_bin(&c->open_tw, t) / width / c->nbrk : NAN;
    ts[TSC_ERROR_COUNTER] = caller_error_counter(c);
    ts[TSC_UNHEALTHY] = c->hc ? health_take_bin(c->hc, t, width) : NAN;
    stat_tw_take_bin(&c->ejected_tw, t);
    ts[TSC_LIMIT] = c->lim ? stat_tw_take_bin(&c->limit_tw, t) / width : NAN;
    c->bin_offered = 0;
    c->bin_attempts0 = c->attempts;
    c->bin_succ0 = c->succeeded;
    c->bin_ended0 = c->ended;
}
