/* caller_gates.c - what a caller keeps besides the attempt itself: its
 * servers' places in the balancers' set (breakers, outlier ejection) and the
 * client-side overload gates (MODEL.md "Overload control").
 *
 * Each gate is off unless configured.  Before an attempt goes out it passes
 * them in this order: adaptive throttling (may reject: throttled), the token
 * bucket (may wait or reject: rate_limited), the bulkhead (may wait or
 * reject: bulkhead_full); then dispatch (caller.c) asks the breaker and the
 * client-side concurrency limit (rejected).  Locally rejected attempts are
 * never retried (Envoy does not retry its own overflow either).
 */
#include "models/caller_impl.h"
#include "models/health.h"

#include <math.h>

/* ---- breakers and outliers --------------------------------------------------- */

/* Keep server S's place in the balancers' set: available while its
 * per-server breaker would admit and it is not ejected (balancer.h). */
void caller_refresh_avail(caller *c, int s)
{
    if (!c->has_set)
        return;
    int avail = (c->nbrk <= 1 || breaker_would_admit(&c->brk[s])) && (!c->outl || c->outl[s].until == 0);
    srvset_set_avail(&c->set, s, avail);
    if (c->hc)
        health_view_refresh(c->hc, s);
}

void caller_on_breaker_change(void *owner, breaker *b, brk_state from, brk_state to)
{
    caller *c = owner;
    if (c->nbrk > 1)
        caller_refresh_avail(c, b->id);
    int delta = (to == BRK_OPEN) - (from == BRK_OPEN);
    if (delta) {
        c->nopen += delta;
        stat_tw_set(&c->open_tw, c->w->s.now, c->nopen);
    }
    world_breaker_change(c->w, c->index, b->id, to);
}

void caller_outlier_return(sim *s, sim_event *ev)
{
    outlier_state *o = SIM_CONTAINER(ev, outlier_state, end);
    caller *c = o->c;
    o->until = 0;
    o->returned = s->now;
    caller_refresh_avail(c, o->index);
    c->nejected--;
    stat_tw_set(&c->ejected_tw, s->now, c->nejected);
}

/* Envoy consecutive_5xx: eject a server after N consecutive errors for
 * base_ejection x (times ejected), capped at max(300 s, base); never more
 * than max_ejection_percent of the pool, but one is always allowed.  The
 * multiplier drops by one for every `interval` (Envoy's default 10 s) the
 * server spent back in the pool since its last ejection. */
#define OUTLIER_INTERVAL 10.0
#define OUTLIER_MAX_EJECTION 300.0 /* Envoy max_ejection_time: 300 s (or base_ejection if longer) */
void caller_outlier_record(caller *c, int s, int failed)
{
    const outlier_cfg *oc = &c->cfg->outlier;
    outlier_state *o = &c->outl[s];
    if (!failed) {
        o->consecutive = 0;
        return;
    }
    if (++o->consecutive < oc->consecutive_errors || o->until > 0)
        return;
    o->consecutive = 0;
    int n = c->target->cfg->servers;
    int max = (int)floor(oc->max_ejection_percent / 100.0 * n);
    if (max < 1)
        max = 1;
    if (c->nejected >= max)
        return;
    /* Envoy: the multiplier drops by one per interval the host stayed in */
    double healthy = c->w->s.now - o->returned;
    o->times = healthy > 0 ? (int)fmax(0, o->times - floor(healthy / OUTLIER_INTERVAL)) : o->times;
    o->times++;
    double cap = fmax(oc->base_ejection, OUTLIER_MAX_EJECTION);
    double len = fmin(cap, oc->base_ejection * o->times);
    o->until = c->w->s.now + len;
    caller_refresh_avail(c, s);
    c->nejected++;
    c->ejections++;
    stat_tw_set(&c->ejected_tw, c->w->s.now, c->nejected);
    sim_after(&c->w->s, &o->end, len);
}

/* ---- client-side gates: throttle, rate limit, bulkhead ----------------------- */

void caller_bulkhead_unwait(caller *c, request *r)
{
    if (r->bh_prev)
        r->bh_prev->bh_next = r->bh_next;
    else
        c->bh_head = r->bh_next;
    if (r->bh_next)
        r->bh_next->bh_prev = r->bh_prev;
    else
        c->bh_tail = r->bh_prev;
    r->bh_prev = r->bh_next = NULL;
    timerq_stop(&r->bh_wait);
}

/* A permit comes back: the longest waiter gets it and goes on at once (via
 * a zero-delay event, so no attempt starts inside another one's answer). */
void caller_bulkhead_release(caller *c)
{
    request *r = c->bh_head;
    if (!r) {
        c->bh_used--;
        return;
    }
    caller_bulkhead_unwait(c, r);
    r->permit = 1;
    sim_after(&c->w->s, &r->backoff, 0);
}

/* Adaptive throttling: count the request, maybe reject it. */
static int throttle_pass(caller *c)
{
    double now = c->w->s.now, p = throttle_reject_p(&c->thr, now);
    throttle_on_request(&c->thr, now);
    if (p > 0 && rng_uniform(&c->rng_admit) < p) {
        c->throttled++;
        return 0;
    }
    return 1;
}

/* 1 if the attempt may go now; 0 if it was refused or waits (R in REQ_WAIT,
 * its backoff event set to resume at the gate in r->gate).  Hedges never wait. */
int caller_pass_gates(caller *c, request *r, int hedge)
{
    const policy_cfg *pc = c->cfg;
    sim *s = &c->w->s;
    if (r->gate == GATE_THROTTLE) {
        if (pc->throttle.enabled && !throttle_pass(c)) {
            caller_refuse(c, r, OUT_THROTTLED);
            return 0;
        }
        r->gate = GATE_RATE;
        if (pc->rate_limit.enabled) {
            double wait = tbucket_reserve(&c->tb, s->now);
            if (wait < 0 || (wait > 0 && hedge)) {
                r->gate = GATE_THROTTLE;
                caller_refuse(c, r, OUT_RATE_LIMITED);
                return 0;
            }
            if (wait > 0) {
                r->state = REQ_WAIT;
                r->gate = GATE_BULKHEAD;
                sim_after(s, &r->backoff, wait);
                return 0;
            }
        }
    }
    r->gate = GATE_THROTTLE; /* the next attempt starts over */
    if (!pc->bulkhead.enabled)
        return 1;
    if (r->permit) { /* handed over while waiting */
        r->permit = 0;
        return 1;
    }
    if (c->bh_used < pc->bulkhead.max_concurrent) {
        c->bh_used++;
        return 1;
    }
    if (pc->bulkhead.max_wait > 0 && !hedge) {
        r->state = REQ_WAIT;
        r->gate = GATE_BULKHEAD;
        r->bh_prev = c->bh_tail;
        r->bh_next = NULL;
        if (c->bh_tail)
            c->bh_tail->bh_next = r;
        else
            c->bh_head = r;
        c->bh_tail = r;
        timerq_start(&c->bh_q, s, &r->bh_wait);
        return 0;
    }
    caller_refuse(c, r, OUT_BULKHEAD_FULL);
    return 0;
}

void caller_bulkhead_expired(void *ctx, timer_node *n)
{
    caller *c = ctx;
    request *r = SIM_CONTAINER(n, request, bh_wait);
    caller_bulkhead_unwait(c, r);
    r->state = REQ_ACTIVE;
    r->gate = GATE_THROTTLE;
    caller_refuse(c, r, OUT_BULKHEAD_FULL);
}

/* The throttle counts a success as accepted; the limiter learns the RTT of
 * answers and a drop from timeouts, sheds and rejections (errors are
 * ignored, as Netflix's onIgnore). */
void caller_gates_learn(caller *c, attempt *a, outcome o)
{
    double now = c->w->s.now;
    if (c->cfg->throttle.enabled && o == OUT_SUCCESS)
        throttle_on_accept(&c->thr, now);
    if (c->lim && o != OUT_ERROR) {
        int before = limiter_current(c->lim);
        int after = limiter_sample(c->lim, now, now - a->sent, a->lim_inflight, o != OUT_SUCCESS, &c->rng_admit);
        if (after != before)
            stat_tw_add(&c->limit_tw, now, after - before);
    }
}
