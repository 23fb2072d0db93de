/* modelcheck_overload.c - the model check's overload-control entries: a
 * pool's shed_fraction against M/M/c+D (queue timeout), its rejected_fraction
 * under a fixed max_concurrency against M/M/c/K blocking, and a client's
 * throttled_fraction against the SRE throttle's steady state under a fixed
 * error rate.  Each applies only where the attempts form the stream the
 * formula assumes; otherwise "not applicable" naming the first broken
 * assumption (docs/MODEL.md, "Model check").
 */
#include "app/modelcheck_int.h"
#include "app/results.h"
#include "models/analytic.h"
#include "models/dist.h"
#include "models/throttle.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- overload control: a queue timeout, a fixed concurrency limit -------- */

#define NO_CLIENT "no client sends to it"

/* Why the attempts reaching pool P are not one constant-rate Poisson stream,
 * split at random over its servers, served FIFO in exponential times, with
 * nothing that re-sends, thins or shifts attempts when some are shed or
 * rejected (retries, hedges, breakers, ejection, gates); NULL if they are.
 * *RATE gets the total rate.  Conservative: whatever could change the stream
 * or the service makes the formulas not applicable. */
static const char *overload_feed(const scenario *sc, int p, double *rate)
{
    const pool_cfg *pc = &sc->pools[p];
    int feeders = 0;
    *rate = 0;
    if (pc->failure.kind != DIST_NONE || mc_forced(sc, p))
        return "servers fail or are forced down";
    if (pc->service.kind != DIST_EXPONENTIAL)
        return "service times are not exponential";
    if (pc->discipline == DISC_PS)
        return "processor sharing (the formulas are for FIFO workers)";
    if (pc->has_calls)
        return "serving waits on a downstream pool";
    if (pc->slowdown.per_request > 0 || pc->slowdown.npoints > 0)
        return "service slows down with concurrency";
    if (inject_active(&pc->inject))
        return "fault injection (errors or delays) in front of the servers";
    if (pc->liveness.enabled)
        return "liveness probes restart servers";
    if (pc->on_full != FULL_REJECT)
        return "a full queue drops attempts silently";
    if (pc->limit.kind != LIMIT_NONE)
        return "an adaptive concurrency limit (the bound moves)";
    for (int q = 0; q < sc->npools; q++)
        if (sc->pools[q].has_calls && sc->pools[q].calls.target == p)
            return "fed by another pool's calls";
    for (int k = 0; k < sc->nevents; k++) {
        const event_cfg *ev = &sc->events[k];
        if (ev->kind == EVENT_LOAD && sc->clients[ev->client].policy.target == p)
            return "load events change the arrival rate";
        if (ev->kind == EVENT_INJECT && ev->pool == p)
            return "inject events (errors or delays) in front of the servers";
        if (ev->kind == EVENT_PARTITION && (ev->client < 0 || sc->clients[ev->client].policy.target == p))
            return "partition events cut the traffic";
    }
    for (int c = 0; c < sc->nclients; c++) {
        const client_cfg *cc = &sc->clients[c];
        const policy_cfg *po = &cc->policy;
        if (po->target != p)
            continue;
        if (cc->arrival.process != ARRIVAL_POISSON)
            return "closed-loop clients (arrivals depend on the state)";
        if (cc->arrival.nsched > 0 || cc->arrival.period > 0)
            return "the arrival rate varies over time (schedule or periodic)";
        if (pc->servers > 1 && po->balancer != BAL_RANDOM)
            return "only random splitting keeps each server's arrivals Poisson";
        if (po->network.enabled && po->network.loss > 0)
            return "network loss thins the traffic";
        if (po->fanout.count > 0)
            return "fan-out sends attempts in batches";
        if (po->hedge.enabled)
            return "hedging adds attempts";
        if (po->retry.max_attempts > 1 && (po->timeout > 0 || po->retry.retry_on.on_rejected))
            return "retries add attempts (after timeouts, sheds or rejections)";
        if (po->breaker.kind != BREAKER_NONE || po->outlier.enabled)
            return "a breaker or outlier ejection reacts to sheds and rejections (sheds or shifts load)";
        if (po->health.enabled)
            return "active health checks (probes add load or shift it)";
        if (mc_client_gated(po))
            return CLIENT_GATES;
        *rate += cc->arrival.rate;
        feeders++;
    }
    return feeders ? NULL : NO_CLIENT;
}

/* shed_fraction against M/M/c+D: each server is an M/M/c queue (c workers,
 * arrivals lambda/n) whose attempts wait at most queue_timeout. */
int mc_check_shed(mc_list *l, const exec_result *r, int p)
{
    const scenario *sc = r->sc;
    const pool_cfg *pc = &sc->pools[p];
    const admission_cfg *ad = &pc->admission;
    double lam, pred = NAN, d = ad->queue_timeout, mu = 1 / dist_mean(&pc->service);
    int n = pc->servers, w = pc->workers;
    const char *reason = overload_feed(sc, p, &lam);
    if (reason && !strcmp(reason, NO_CLIENT))
        return 0;
    if (reason)
        lam = mc_offered_rate(sc, p);
    else if (ad->codel)
        reason = "CoDel makes the queue timeout adaptive";
    else if (d <= 0)
        reason = "no queue_timeout (only the discipline is set)";
    else if (ad->discipline != QDISC_FIFO)
        reason = "lifo or adaptive_lifo order (the M/M/c+D formula is for FIFO)";
    else if (pc->queue_limit > 0)
        reason = "a queue_limit also rejects attempts (no closed form with both)";
    else if (pc->max_concurrency > 0)
        reason = "max_concurrency also rejects attempts (no closed form with both)";
    if (!reason && an_mmcd_shed(w, lam / n, mu, d, &pred) == AN_OK)
        mc_add_analytic(l, 1, pc->name, w == 1 ? "mm1d_shed" : "mmcd_shed", pred);
    char q[160], f[96];
    snprintf(q, sizeof q, "pools.%s.shed_fraction", pc->name);
    if (w == 1)
        snprintf(f, sizeof f, "M/M/1+D per server: mm1d_shed(lambda=%g, mu=%g, d=%g)", lam / n, mu, d);
    else
        snprintf(f, sizeof f, "M/M/%d+D per server: mmcd_shed(c=%d, lambda=%g, mu=%g, d=%g)", w, w, lam / n,
                 mu, d);
    return mc_check(l, q, results_pool_stat(r, p, PM_SHED_FRACTION), pred, 0, reason, "%s", f);
}

/* rejected_fraction under max_concurrency M against M/M/c/K blocking: a
 * server admits an attempt while fewer than M are there (queued + in
 * service) and, with queue_limit L, fewer than L wait, so it holds at most
 * K = min(M, workers + L) and serves min(workers, K) at a time. */
int mc_check_blocking(mc_list *l, const exec_result *r, int p)
{
    const scenario *sc = r->sc;
    const pool_cfg *pc = &sc->pools[p];
    double lam, pred = NAN, mu = 1 / dist_mean(&pc->service);
    int n = pc->servers, w = pc->workers, k = pc->max_concurrency;
    if (pc->queue_limit > 0 && w + pc->queue_limit < k)
        k = w + pc->queue_limit;
    int c = w < k ? w : k;
    const char *reason = overload_feed(sc, p, &lam);
    if (reason && !strcmp(reason, NO_CLIENT))
        return 0;
    if (reason)
        lam = mc_offered_rate(sc, p);
    else if (mc_pool_admission(pc))
        reason = "admission control also sheds attempts";
    if (!reason && an_mmck_blocking(c, k, lam / n, mu, &pred) == AN_OK)
        mc_add_analytic(l, 1, pc->name, "mmck_blocking", pred);
    char q[160];
    snprintf(q, sizeof q, "pools.%s.rejected_fraction", pc->name);
    return mc_check(l, q, results_pool_stat(r, p, PM_REJECTED_FRACTION), pred, 0, reason,
                 "M/M/%d/%d per server: mmck_blocking(c=%d, k=%d, lambda=%g, mu=%g)", c, k, c, k, lam / n, mu);
}

/* Why client C's throttle does not face a plain fixed error rate: Poisson
 * requests at a constant rate, every attempt sent goes to a pool that fails
 * it with probability error_rate (answered at once) and otherwise answers
 * success, and nothing else refuses, re-sends or loses an attempt; NULL if
 * so, with *Q the error rate. */
static const char *throttle_feed(const scenario *sc, int c, double *q)
{
    const client_cfg *cc = &sc->clients[c];
    const policy_cfg *po = &cc->policy;
    int p = po->target;
    const pool_cfg *pc = &sc->pools[p];
    *q = pc->inject.error_rate;
    if (cc->arrival.process != ARRIVAL_POISSON)
        return "closed-loop client";
    if (cc->arrival.nsched > 0 || cc->arrival.period > 0)
        return "the request rate varies over time (schedule or periodic)";
    if (po->retry.max_attempts > 1 && po->retry.retry_on.on_error)
        return "retries re-send failed attempts through the throttle";
    if (po->timeout > 0 || po->deadline > 0)
        return "a timeout or deadline can fail an attempt the pool would answer";
    if (po->hedge.enabled || po->fanout.count > 0)
        return "hedging or fan-out sends several attempts per request";
    if (po->breaker.kind != BREAKER_NONE || po->outlier.enabled || po->health.enabled)
        return "a breaker, outlier ejection or health checks also refuse or shift attempts";
    if (po->bulkhead.enabled || po->rate_limit.enabled || po->limit.kind != LIMIT_NONE)
        return "another client-side gate (bulkhead, rate or concurrency limit)";
    if (po->network.enabled && po->network.loss > 0)
        return "network loss fails attempts";
    if (pc->failure.kind != DIST_NONE || mc_forced(sc, p) || pc->liveness.enabled)
        return "the pool's servers fail, are forced down or restarted";
    if (pc->has_calls)
        return "the pool's answers depend on a downstream pool";
    if (pc->queue_limit > 0 || pc->max_concurrency > 0 || pc->limit.kind != LIMIT_NONE || mc_pool_admission(pc))
        return "the pool can reject or shed attempts (queue_limit, max_concurrency, limit or admission)";
    if (pc->discipline == DISC_PS || pc->slowdown.per_request > 0 || pc->slowdown.npoints > 0)
        return "processor sharing or slowdown (the stability check is for FIFO workers)";
    if (pc->inject.error_rate > 0 && pc->inject.error_kind != FAIL_FAST)
        return "injected errors hang (never answered)";
    for (int k = 0; k < sc->nevents; k++) {
        const event_cfg *ev = &sc->events[k];
        if ((ev->kind == EVENT_LOAD && ev->client == c) || (ev->kind == EVENT_INJECT && ev->pool == p) ||
            (ev->kind == EVENT_PARTITION && (ev->client < 0 || ev->client == c)))
            return "load, inject or partition events";
    }
    for (int o = 0; o < sc->nclients; o++)
        if (o != c && sc->clients[o].policy.target == p)
            return "other clients share the pool";
    for (int o = 0; o < sc->npools; o++)
        if (sc->pools[o].has_calls && sc->pools[o].calls.target == p)
            return "another pool's calls share the pool";
    /* stable even if every request were sent: every attempt is answered */
    if (cc->arrival.rate * (1 - *q) * dist_mean(&pc->service) >= (double)pc->servers * pc->workers)
        return "the pool would be unstable if the client sent everything";
    return NULL;
}

/* throttled_fraction against a fixed error rate q (an_throttle_errors):
 * a = k (1 - q) < 1, the client collapses to about 1/(1 - a) attempts per
 * window.  The mean sending rate's distance to its steady state shrinks by a
 * factor a per window once the window is full, so over [warmup, horizon]
 * the start-up adds at most W a^(floor(warmup/W) - 1) / ((1 - a)(T - warmup))
 * to the share sent; the margin adds that and 2/(lambda W) of the share (the
 * window's counts' second-order terms). */
int mc_check_throttle(mc_list *l, const exec_result *r, int c)
{
    const scenario *sc = r->sc;
    const client_cfg *cc = &sc->clients[c];
    const throttle_cfg *t = &cc->policy.throttle;
    double q, lam = cc->arrival.rate, W = t->window, pred = NAN, extra = 0, span = sc->horizon - sc->warmup;
    const char *reason = throttle_feed(sc, c, &q);
    double a = t->k * (1 - q);
    char why[160];
    if (!reason && a >= 1)
        reason = "k (1 - error_rate) >= 1: the throttle rejects (almost) nothing in steady state";
    else if (!reason && an_throttle_errors(lam, W, t->k, q, THROTTLE_BUCKETS, &pred) != AN_OK)
        reason = "the client would send more than a tenth of its requests: too few per window";
    if (!reason) {
        double windows = floor(sc->warmup / W) - 1, need = W * (1 + ceil(log(1e-6) / log(a)));
        if (windows < 0 || pow(a, windows) > 1e-6) {
            snprintf(why, sizeof why, "the warm-up (%g s) is too short for the window to forget the start: at least %g s",
                     sc->warmup, need);
            reason = why;
            pred = NAN;
        } else {
            extra = W * pow(a, windows) / ((1 - a) * span) + 2 * (1 - pred) / (lam * W);
            mc_add_analytic(l, 0, cc->name, "throttle_errors", pred);
        }
    }
    char qn[160];
    snprintf(qn, sizeof qn, "clients.%s.throttled_fraction", cc->name);
    return mc_check(l, qn, results_caller_stat(r, c, CM_THROTTLED_FRACTION), pred, extra, reason,
                 "throttle_errors(lambda=%g, window=%g, k=%g, q=%g)", lam, W, t->k, q);
}
