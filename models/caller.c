/* caller.c - the life of a request: attempts, timeouts, retries, budgets,
 * breakers, hedging and outlier ejection (MODEL.md "Clients").
 *
 * A request is made of attempts.  Each attempt picks a server with the
 * balancer (balancer.c), is checked by the breaker, and ends as success,
 * error (fail-fast, downstream failure), rejected (queue full), timeout, or
 * breaker-rejected (no server touched).  A failed attempt is retried after a
 * backoff while attempts < max_attempts, the outcome is in retry_on, the
 * budget allows it and the deadline has not passed.
 *
 * Overload control (MODEL.md "Overload control"), each off unless
 * configured: before an attempt goes out it passes the caller's gates in
 * this order: adaptive throttling (may reject: throttled), the token bucket
 * (may wait or reject: rate_limited), the bulkhead (may wait or reject:
 * bulkhead_full); then the breaker and the client-side concurrency limit
 * (rejected).  Locally rejected attempts are never retried (Envoy does not
 * retry its own overflow either).  A pool with push-back answers shed and
 * rejected attempts with a retry delay that replaces the backoff (gRPC A6).
 *
 * Re-entrancy rule: pool_arrive() may answer at once (fail-fast, queue full),
 * which can finish and free the request; so it is always the LAST thing
 * send_attempt() does, and nothing touches the request after it.
 */
#include "models/backoff.h"
#include "models/balancer.h"
#include "models/health.h"
#include "models/dist.h"
#include "models/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SLAB 256

static void attempt_failed(caller *c, request *r, outcome o, double push);
static inline void attempt_answered(attempt *a, outcome o);
static void net_send(caller *c, attempt *a);
static void request_finish(caller *c, request *r, int ok, int deadline);
static void bulkhead_release(caller *c);
static int pass_gates(caller *c, request *r, int hedge);
static void refuse(caller *c, request *r, outcome o);

/* ---- free lists ------------------------------------------------------------ */

static void *slab_new(slab_list *l, size_t size)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 16;
        void **b = realloc(l->blk, (size_t)cap * sizeof *b);
        if (!b)
            return NULL;
        l->blk = b;
        l->cap = cap;
    }
    void *blk = model_calloc_lines(SLAB, size); /* objects start on a line (model.h) */
    if (blk)
        l->blk[l->n++] = blk;
    return blk;
}

static void slab_free(slab_list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->blk[i]);
    free(l->blk);
    memset(l, 0, sizeof *l);
}

static __attribute__((noinline)) int att_refill(caller *c)
{
    attempt *blk = slab_new(&c->att_slabs, sizeof *blk);
    if (!blk)
        return -1;
    for (int i = 0; i < SLAB; i++) {
        blk[i].next = c->free_att;
        c->free_att = &blk[i];
    }
    return 0;
}

static inline __attribute__((always_inline)) attempt *att_alloc(caller *c)
{
    if (!c->free_att && att_refill(c))
        return NULL;
    attempt *a = c->free_att;
    c->free_att = a->next;
    return a;
}

static inline __attribute__((always_inline)) request *req_alloc(caller *c)
{
    if (!c->free_req) {
        request *blk = slab_new(&c->req_slabs, sizeof *blk);
        if (!blk)
            return NULL;
        for (int i = 0; i < SLAB; i++) {
            blk[i].next_free = c->free_req;
            c->free_req = &blk[i];
        }
    }
    request *r = c->free_req;
    c->free_req = r->next_free;
    return r;
}

void caller_attempt_release(attempt *a)
{
    if (a->where != AT_NONE || a->live)
        return; /* the server or the caller still holds it */
    caller *c = a->owner;
    a->next = c->free_att;
    c->free_att = a;
}

/* ---- breakers and outliers --------------------------------------------------- */

static breaker *breaker_for(caller *c, int s)
{
    /* per server: nbrk = servers (one server: brk[0] either way); pool scope: 1 */
    return c->nbrk ? &c->brk[c->nbrk > 1 ? s : 0] : NULL;
}

/* Keep server S's place in the balancers' set: available while its
 * per-server breaker would admit and it is not ejected (balancer.h). */
static void refresh_avail(caller *c, int s)
{
    if (!c->has_set)
        return;
    int avail = (c->nbrk <= 1 || breaker_would_admit(&c->brk[s])) && (!c->outl || c->outl[s].until == 0);
    srvset_set_avail(&c->set, s, avail);
}

/* C's outstanding attempts at S changed by DELTA. */
static inline void outstanding_add(caller *c, int s, int delta)
{
    c->outstanding[s] += delta;
    if (c->set.count)
        srvset_set_count(&c->set, s, c->outstanding[s]);
}

static void on_breaker_change(void *owner, breaker *b, brk_state from, brk_state to)
{
    caller *c = owner;
    if (c->nbrk > 1)
        refresh_avail(c, b->id);
    if (c->closed_epoch) /* 0 (not CLOSED, or an epoch that wrapped): dispatch asks the breaker */
        c->closed_epoch[b->id] = to == BRK_CLOSED ? b->epoch + 1 : 0;
    int delta = (to == BRK_OPEN) - (from == BRK_OPEN);
    if (delta) {
        c->nopen += delta;
        stat_tw_set(&c->open_tw, c->w->s.now, c->nopen);
    }
    world_breaker_change(c->w, c->index, b->id, to);
}

static void outlier_return(sim *s, sim_event *ev)
{
    outlier_state *o = SIM_CONTAINER(ev, outlier_state, end);
    caller *c = o->c;
    o->until = 0;
    o->returned = s->now;
    refresh_avail(c, o->index);
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
static void outlier_record(caller *c, int s, int failed)
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
    refresh_avail(c, s);
    c->nejected++;
    c->ejections++;
    stat_tw_set(&c->ejected_tw, c->w->s.now, c->nejected);
    sim_after(&c->w->s, &o->end, len);
}

/* ---- client-side gates: throttle, rate limit, bulkhead ------------------------ */

static void bulkhead_unwait(caller *c, request *r)
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
static void bulkhead_release(caller *c)
{
    request *r = c->bh_head;
    if (!r) {
        c->bh_used--;
        return;
    }
    bulkhead_unwait(c, r);
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
static int pass_gates(caller *c, request *r, int hedge)
{
    const policy_cfg *pc = c->cfg;
    sim *s = &c->w->s;
    if (r->gate == GATE_THROTTLE) {
        if (pc->throttle.enabled && !throttle_pass(c)) {
            refuse(c, r, OUT_THROTTLED);
            return 0;
        }
        r->gate = GATE_RATE;
        if (pc->rate_limit.enabled) {
            double wait = tbucket_reserve(&c->tb, s->now);
            if (wait < 0 || (wait > 0 && hedge)) {
                r->gate = GATE_THROTTLE;
                refuse(c, r, OUT_RATE_LIMITED);
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
    refuse(c, r, OUT_BULKHEAD_FULL);
    return 0;
}

static void bulkhead_expired(void *ctx, timer_node *n)
{
    caller *c = ctx;
    request *r = SIM_CONTAINER(n, request, bh_wait);
    bulkhead_unwait(c, r);
    r->state = REQ_ACTIVE;
    r->gate = GATE_THROTTLE;
    refuse(c, r, OUT_BULKHEAD_FULL);
}

/* ---- attempts -------------------------------------------------------------- */

static void keep_delay(caller *c, double drawn, int fired)
{
    double *blk = rec_delays(&c->w->L, c->w->rec, c->index);
    if (blk[0] < SAMPLE_CAP) {
        size_t k = (size_t)blk[0]++;
        blk[1 + 2 * k] = drawn;
        blk[2 + 2 * k] = fired;
    }
}

/* The caller stops waiting for A (answered, timed out, or abandoned). */
static void detach(caller *c, attempt *a)
{
    request *r = a->req;
    a->live = 0;
    timerq_stop(&a->timeout);
    for (attempt **pp = &r->live; *pp; pp = &(*pp)->sib)
        if (*pp == a) {
            *pp = a->sib;
            break;
        }
    a->sib = NULL;
    r->nlive--;
    outstanding_add(c, a->server, -1);
    stat_tw_add(&c->in_flight_tw, c->w->s.now, -1);
    if (__builtin_expect(c->gated, 0)) {
        c->lim_inflight--;
        if (c->cfg->bulkhead.enabled)
            bulkhead_release(c);
    }
}

/* Health checking with panic off and no server believed healthy: a request
 * with nothing in flight fails at once (Envoy: no healthy upstream); a hedge
 * or retry of one that still waits is simply not sent. */
static int no_healthy_server(caller *c, request *r)
{
    if (r->nlive == 0) {
        c->cause[CAUSE_NO_HEALTHY]++;
        request_finish(c, r, 0, 0);
    }
    return 1;
}

/* An attempt refused by the caller itself (no server touched). */
static void refuse(caller *c, request *r, outcome o)
{
    c->cause[o]++;
    attempt_failed(c, r, o, NAN);
}

/* Balancer, breaker, client-side limit, then off to the pool.  GATED is a
 * constant: the copy without gates (the hot path) drops their branches. */
static inline __attribute__((always_inline)) void dispatch(caller *c, request *r, int hedge, const int gated)
{
    sim *s = &c->w->s;
    int srv = balancer_pick(c, r);
    if (c->target->prefetch) {
        __builtin_prefetch(&c->target->srv[srv]); /* a cache miss: overlap it with the breaker's */
        balancer_prefetch_next(c);
    }
    breaker *b = breaker_for(c, srv);
    uint32_t epoch = 0;
    if (gated && c->lim && c->lim_inflight >= limiter_current(c->lim)) {
        if (c->cfg->bulkhead.enabled)
            bulkhead_release(c);
        refuse(c, r, OUT_REJECTED);
        return;
    }
    int admitted = 1;
    if (b) {
        uint32_t closed = c->closed_epoch ? c->closed_epoch[srv] : 0;
        if (closed) {
            epoch = closed - 1; /* CLOSED: breaker_admit would change nothing; its line stays cold */
        } else {
            admitted = breaker_admit(b, &epoch);
            if (b->state == BRK_HALF_OPEN && c->nbrk > 1)
                refresh_avail(c, srv); /* a probe permit was taken (or none was left) */
        }
    }
    if (!admitted) {
        c->breaker_rejects++;
        if (gated && c->cfg->bulkhead.enabled)
            bulkhead_release(c);
        refuse(c, r, OUT_BREAKER);
        return;
    }
    attempt *a = att_alloc(c);
    if (!a) {
        c->w->runaway = WORLD_NOMEM;
        return;
    }
    /* every field set here, no memset: this is the hot path */
    a->done.pos = 0;
    a->timeout.prev = a->timeout.next = NULL;
    a->prev = a->next = NULL;
    a->child = NULL;
    a->where = AT_NONE;
    a->req = r;
    a->owner = c;
    a->server = srv;
    a->epoch = epoch;
    a->sent = s->now;
    a->live = 1;
    a->hedge = (uint8_t)hedge;
    a->sib = r->live;
    r->live = a;
    r->nlive++;
    outstanding_add(c, srv, 1);
    if (gated)
        a->lim_inflight = ++c->lim_inflight;
    stat_tw_add(&c->in_flight_tw, s->now, 1);
    if (c->cfg->timeout > 0)
        timerq_start(&c->tmo_q, s, &a->timeout);
    if (__builtin_expect(c->net, 0))
        net_send(c, a); /* last: may finish R */
    else
        pool_arrive(c->target, srv, a); /* last: may finish R */
}

/* The gates, then dispatch: the path of callers with overload control. */
static __attribute__((noinline)) void send_gated(caller *c, request *r, int hedge)
{
    if (pass_gates(c, r, hedge))
        dispatch(c, r, hedge, 1);
}

/* Hedging and the gates: the slower path of send_attempt. */
static __attribute__((noinline)) void send_slow(caller *c, request *r, int hedge)
{
    if (c->cfg->hedge.enabled && r->attempts < c->cfg->hedge.max_attempts) {
        /* the next hedge's clock restarts with every attempt, even one a
         * breaker rejects, so hedging goes on while attempts remain */
        timerq_stop(&r->hedge_timer);
        timerq_start(&c->hedge_q, &c->w->s, &r->hedge_timer);
    }
    if (c->gated)
        send_gated(c, r, hedge);
    else
        dispatch(c, r, hedge, 0);
}

static void send_attempt(caller *c, request *r, int hedge)
{
    if (c->hc && c->hc->nhealthy == 0 && !c->hc->panic && no_healthy_server(c, r))
        return;
    r->attempts++;
    c->attempts++;
    c->bin_attempts++;
    c->hedges += hedge;
    if (__builtin_expect(c->slow_send, 0))
        send_slow(c, r, hedge);
    else
        dispatch(c, r, hedge, 0);
}

/* The throttle counts a success as accepted; the limiter learns the RTT of
 * answers and a drop from timeouts, sheds and rejections (errors are
 * ignored, as Netflix's onIgnore). */
static void gates_learn(caller *c, attempt *a, outcome o)
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

/* The caller stops waiting for A with outcome O: the breaker, the budget and
 * outlier detection learn it, and the counters count it. */
static void record_outcome(caller *c, attempt *a, outcome o)
{
    int failed = o != OUT_SUCCESS, srv = a->server;
    detach(c, a);
    breaker *b = breaker_for(c, srv);
    if (b)
        breaker_record(b, &c->w->s, a->epoch, failed, c->w->s.now - a->sent);
    budget_on_outcome(&c->bud, !failed);
    if (__builtin_expect(c->slow_outcome, 0)) {
        if (c->outl)
            outlier_record(c, srv, failed);
        if (c->gated)
            gates_learn(c, a, o);
    }
    c->cause[o]++;
    if (o == OUT_TIMEOUT)
        c->timeouts++;
}

/* ---- the network ------------------------------------------------------------
 *
 * A caller with `network` (or cut by a partition event) sends each attempt
 * and receives each answer over a link: a message is lost with probability
 * `loss` (every message while partitioned), else it arrives after a `delay`
 * draw.  A lost message is never noticed: only the attempt's timeout or the
 * request's deadline ends the attempt.  In flight the attempt is AT_NET and
 * its `done` event is the arrival. */

static int net_lost(caller *c)
{
    const network_cfg *n = &c->cfg->network;
    if (c->partitioned > 0 || (n->loss > 0 && rng_uniform(&c->rng_net) < n->loss)) {
        c->net_lost++;
        return 1;
    }
    return 0;
}

static double net_delay(caller *c)
{
    const dist_cfg *d = &c->cfg->network.delay;
    return d->kind == DIST_NONE ? 0 : dist_sample(d, &c->rng_net);
}

static void net_arrive(sim *s, sim_event *ev)
{
    (void)s;
    attempt *a = SIM_CONTAINER(ev, attempt, done);
    a->where = AT_NONE;
    pool_arrive(a->owner->target, a->server, a); /* it goes on even if nobody waits now */
}

static void net_send(caller *c, attempt *a)
{
    c->net_msgs++;
    if (net_lost(c))
        return; /* live, AT_NONE: the timeout ends it */
    double d = net_delay(c);
    if (d <= 0) {
        pool_arrive(c->target, a->server, a);
        return;
    }
    a->where = AT_NET;
    a->done.fire = net_arrive;
    sim_after(&c->w->s, &a->done, d);
}

static void net_back(sim *s, sim_event *ev)
{
    (void)s;
    attempt *a = SIM_CONTAINER(ev, attempt, done);
    a->where = AT_NONE;
    attempt_answered(a, (outcome)a->outcome);
}

/* The server answered A with O: the answer crosses the network. */
static void net_reply(caller *c, attempt *a, outcome o)
{
    c->net_msgs++;
    if (net_lost(c))
        return;
    double d = net_delay(c);
    if (d <= 0) {
        attempt_answered(a, o);
        return;
    }
    a->where = AT_NET;
    a->outcome = (uint8_t)o;
    a->done.fire = net_back;
    sim_after(&c->w->s, &a->done, d);
}

void caller_partition(caller *c, int on)
{
    c->partitioned += on ? 1 : -1;
}

/* The server's answer (or error) for A. */
void caller_attempt_ended(attempt *a, outcome o)
{
    caller *c = a->owner;
    if (__builtin_expect(c->net, 0) && a->live) {
        net_reply(c, a, o);
        return;
    }
    attempt_answered(a, o);
}

/* The caller learns A's outcome O (an answer, or its own timeout); inlined
 * into its three callers: this is the hot path of every answer. */
static inline __attribute__((always_inline)) void attempt_answered(attempt *a, outcome o)
{
    caller *c = a->owner;
    if (!a->live) {
        caller_attempt_release(a);
        return;
    }
    request *r = a->req;
    int failed = o != OUT_SUCCESS, hedge = a->hedge;
    record_outcome(c, a, o);
    caller_attempt_release(a);
    if (!failed) {
        c->hedges_won += hedge;
        request_finish(c, r, 1, 0);
        return;
    }
    const pushback_cfg *pb = &c->target->cfg->pushback;
    attempt_failed(c, r, o, pb->enabled && (o == OUT_SHED || o == OUT_REJECTED) ? pb->delay : NAN);
}

/* Ask the budget for one retry or hedge, counting the ask and the refusal. */
static int budget_allows(caller *c, request *r, int timeout)
{
    double paid;
    c->retries_wanted++;
    if (budget_try_retry(&c->bud, c->w->s.now, timeout, &paid)) {
        r->paid = paid;
        return 1;
    }
    c->retries_denied++;
    return 0;
}

static int retryable(const retry_on_cfg *on, outcome o)
{
    switch (o) {
    case OUT_TIMEOUT: return on->on_timeout;
    case OUT_ERROR: return on->on_error;
    case OUT_REJECTED: return on->on_rejected;
    case OUT_BREAKER: return on->on_breaker;
    case OUT_SHED: return on->on_rejected; /* an overload answer from the pool */
    case OUT_SUCCESS:
    case OUT_THROTTLED:
    case OUT_BULKHEAD_FULL:
    case OUT_RATE_LIMITED: break;
    }
    return 0;
}

/* Hedging (gRPC): a failed hedge makes room for the next one at once. */
static void hedge_failed(caller *c, request *r, outcome o)
{
    if (r->attempts < c->cfg->hedge.max_attempts && retryable(&c->cfg->retry.retry_on, o) &&
        budget_allows(c, r, o == OUT_TIMEOUT)) {
        send_attempt(c, r, 1);
        return;
    }
    if (r->nlive == 0)
        request_finish(c, r, 0, 0);
}

/* Attempt failed with O; PUSH is the pool's retry-after delay (NAN: none;
 * negative: do not retry). */
static void attempt_failed(caller *c, request *r, outcome o, double push)
{
    const retry_cfg *rc = &c->cfg->retry;
    if (r->state != REQ_ACTIVE)
        return;
    if (c->cfg->hedge.enabled) {
        hedge_failed(c, r, o);
        return;
    }
    if (!retryable(&rc->retry_on, o) || r->attempts >= rc->max_attempts || push < 0) {
        request_finish(c, r, 0, 0);
        return;
    }
    double d;
    if (push >= 0) { /* gRPC A6: exactly the push-back delay; the backoff starts over */
        d = push;
        r->backoff_from = r->attempts;
        r->prev_sleep = rc->backoff.base;
    } else {
        double drawn = 0;
        d = backoff_delay(&rc->backoff, r->attempts - 1 - r->backoff_from, &r->prev_sleep, &c->rng_backoff, &drawn);
        keep_delay(c, drawn, d >= 0);
    }
    if (rc->backoff.kind == BACKOFF_EXPONENTIAL_RANDOM) {
        c->retry_draws++;
        c->retry_fired += d >= 0;
    }
    if (d < 0) { /* P_retry: no retry fires after t_max */
        request_finish(c, r, 0, 0);
        return;
    }
    if (!budget_allows(c, r, o == OUT_TIMEOUT)) {
        c->cause[CAUSE_BUDGET]++;
        request_finish(c, r, 0, 0);
        return;
    }
    if (d == 0) {
        send_attempt(c, r, 0);
        return;
    }
    r->state = REQ_BACKOFF;
    sim_after(&c->w->s, &r->backoff, d);
}

/* ---- requests -------------------------------------------------------------- */

static void backoff_over(sim *s, sim_event *ev)
{
    (void)s;
    request *r = SIM_CONTAINER(ev, request, backoff);
    int waited = r->state == REQ_WAIT;
    r->state = REQ_ACTIVE;
    if (!waited)
        send_attempt(r->c, r, 0);
    else /* a rate-limit or bulkhead wait is over */
        send_gated(r->c, r, 0);
}

/* Stop R's timers and let go of its live attempts (see request_finish). */
static inline __attribute__((always_inline)) void release_attempts(caller *c, request *r, int deadline)
{
    int waiting = r->state == REQ_WAIT;
    r->state = REQ_DONE;
    if (c->cfg->deadline > 0) /* else never started: leave the request's second line alone */
        timerq_stop(&r->deadline);
    if (c->cfg->hedge.enabled)
        timerq_stop(&r->hedge_timer);
    sim_cancel(&c->w->s, &r->backoff);
    if (__builtin_expect(waiting, 0)) { /* a rate-limit or bulkhead wait */
        if (timerq_running(&r->bh_wait))
            bulkhead_unwait(c, r);
        if (r->permit) { /* handed a permit it will not use */
            r->permit = 0;
            bulkhead_release(c);
        }
        r->gate = GATE_THROTTLE;
    }
    while (r->live) {
        attempt *a = r->live;
        if (deadline) {
            record_outcome(c, a, OUT_TIMEOUT);
        } else {
            breaker *b = breaker_for(c, a->server);
            if (b) {
                breaker_release(b, a->epoch);
                if (c->nbrk > 1)
                    refresh_avail(c, a->server);
            }
            detach(c, a);
            c->cause[CAUSE_ABANDONED]++;
        }
        caller_attempt_release(a);
    }
}

/* A top-level request R ended (OK or not): count it, free it, tell whoever
 * waits (the upstream attempt, or the closed-loop user). */
static inline __attribute__((always_inline)) void request_done(caller *c, request *r, int ok)
{
    double now = c->w->s.now;
    c->w->requests_live--;
    c->ended++;
    c->req_attempts += r->attempts;
    c->bin_ended++;
    if (ok) {
        c->succeeded++;
        c->bin_succ++;
        if (__builtin_expect(c->quota_refund, 0))
            budget_on_success(&c->bud, r->paid);
        stat_hist_add(&c->lat, now - r->arrival);
    }
    attempt *parent = r->parent;
    int user = r->user;
    if (!r->starting) {
        r->next_free = c->free_req;
        c->free_req = r;
    }
    if (parent)
        pool_downstream_done(parent, ok);
    else if (c->client >= 0)
        source_request_done(&c->w->sources[c->client], user);
}

static void leaf_finished(caller *c, request *r, int ok);

/* R ends (OK or not).  Its live attempts are abandoned (their work still
 * loads the servers).  When the DEADLINE ended it, they count as timed out:
 * a deadline-exceeded attempt is a failed attempt for the breaker, the
 * budget and outlier detection (otherwise hung servers would never trip a
 * deadline-only client's breaker).  When another attempt won, a HALF_OPEN
 * probe among them gives its permit back, or the breaker would wait for it
 * forever. */
static void request_finish(caller *c, request *r, int ok, int deadline)
{
    release_attempts(c, r, deadline);
    if (__builtin_expect(c->fan, 0) && r->fan) /* c->fan first: r->fan is on the request's second line */
        leaf_finished(c, r, ok);
    else
        request_done(c, r, ok);
}

/* ---- fan-out -----------------------------------------------------------------
 *
 * A fan-out request is a parent request with `count` leaf requests, each a
 * full request of this caller (balancer, timeout, retries, breaker, hedging)
 * started together.  The parent succeeds when `wait_for` leaves succeeded
 * and fails as soon as that can no longer happen (more than count - wait_for
 * failed); the leaves still running are then abandoned.  The parent is what
 * the request metrics count (its latency is the fan-in time); the leaves
 * have their own counters (leaf_success, leaf_latency_mean). */

static void leaf_unlink(request *f, request *r)
{
    if (r->fan_prev)
        r->fan_prev->fan_next = r->fan_next;
    else
        f->leaves = r->fan_next;
    if (r->fan_next)
        r->fan_next->fan_prev = r->fan_prev;
    r->fan_prev = r->fan_next = NULL;
}

static void fan_finish(caller *c, request *f, int ok)
{
    f->state = REQ_DONE;
    while (f->leaves) { /* abandon the leaves still running */
        request *r = f->leaves;
        leaf_unlink(f, r);
        f->attempts += r->attempts;
        release_attempts(c, r, 0);
        r->next_free = c->free_req;
        c->free_req = r;
    }
    request_done(c, f, ok);
}

static void leaf_finished(caller *c, request *r, int ok)
{
    request *f = r->fan;
    const fanout_cfg *fo = &c->cfg->fanout;
    leaf_unlink(f, r);
    f->attempts += r->attempts;
    c->leaf_ended++;
    if (ok) {
        c->leaf_ok++;
        c->leaf_lat += c->w->s.now - r->arrival;
        if (c->cfg->retry.budget.kind == BUDGET_QUOTA)
            budget_on_success(&c->bud, r->paid);
    }
    r->next_free = c->free_req;
    c->free_req = r;
    if (ok ? ++f->fan_ok >= fo->wait_for : ++f->fan_fail > fo->count - fo->wait_for)
        fan_finish(c, f, ok);
}

/* Fill a fresh request R (no attempt sent yet). */
static inline __attribute__((always_inline)) void request_init(caller *c, request *r, attempt *parent,
                                                                int user, request *fan)
{
    r->backoff.fire = backoff_over;
    r->backoff.pos = 0;
    if (c->cfg->deadline > 0) /* else never started (release_attempts checks the same) */
        r->deadline.prev = r->deadline.next = NULL;
    if (c->cfg->hedge.enabled)
        r->hedge_timer.prev = r->hedge_timer.next = NULL;
    r->c = c;
    r->parent = parent;
    r->live = NULL;
    r->arrival = c->w->s.now;
    r->prev_sleep = c->cfg->retry.backoff.base;
    r->attempts = r->nlive = 0;
    r->paid = 0;
    r->user = user;
    r->state = REQ_ACTIVE;
    r->fan = fan;
    r->starting = 0;
    r->backoff_from = 0; /* gate, permit, bh_*: kept clean by release_attempts and reclaim */
}

/* The first attempt of a request (or leaf) R. */
static inline __attribute__((always_inline)) void request_launch(caller *c, request *r)
{
    sim *s = &c->w->s;
    budget_on_request(&c->bud, s->now);
    if (c->cfg->deadline > 0)
        timerq_start(&c->deadline_q, s, &r->deadline);
    send_attempt(c, r, 0);
}

static void fan_start(caller *c, request *f)
{
    f->leaves = NULL;
    f->fan_ok = f->fan_fail = 0;
    f->starting = 1; /* a leaf may end the parent at once (fail fast): keep it until the loop ends */
    for (int i = 0; i < c->cfg->fanout.count && f->state == REQ_ACTIVE; i++) {
        request *r = req_alloc(c);
        if (!r) {
            c->w->runaway = WORLD_NOMEM;
            break;
        }
        request_init(c, r, NULL, -1, f);
        r->fan_prev = NULL;
        r->fan_next = f->leaves;
        if (f->leaves)
            f->leaves->fan_prev = r;
        f->leaves = r;
        request_launch(c, r);
    }
    f->starting = 0;
    if (f->state == REQ_DONE) { /* ended while its leaves were being sent */
        f->next_free = c->free_req;
        c->free_req = f;
    }
}

void caller_start_request(caller *c, attempt *parent, int user)
{
    request *r = req_alloc(c);
    if (!r) {
        c->w->runaway = WORLD_NOMEM;
        return;
    }
    request_init(c, r, parent, user, NULL);
    if (parent)
        parent->child = r;
    c->bin_offered++;
    /* Requests that pile up while the pools stay empty are not ending (hang
     * without a timeout); when the pools fill too, their own guard names the
     * overloaded pool first.  Past twice the limit, stop either way. */
    long live = ++c->w->requests_live, lim = c->w->in_flight_limit;
    if (live > lim && (c->w->in_flight <= lim / 2 || live / 2 > lim))
        world_runaway_requests(c->w, c);
    if (__builtin_expect(c->fan, 0))
        fan_start(c, r);
    else
        request_launch(c, r);
}

/* ---- timers ---------------------------------------------------------------- */

static void timeout_expired(void *ctx, timer_node *n)
{
    (void)ctx;
    attempt_answered(SIM_CONTAINER(n, attempt, timeout), OUT_TIMEOUT); /* local: no network */
}

static void deadline_expired(void *ctx, timer_node *n)
{
    caller *c = ctx;
    c->deadlines++;
    request_finish(c, SIM_CONTAINER(n, request, deadline), 0, 1);
}

static void hedge_expired(void *ctx, timer_node *n)
{
    caller *c = ctx;
    request *r = SIM_CONTAINER(n, request, hedge_timer);
    if (r->state == REQ_ACTIVE && r->attempts < c->cfg->hedge.max_attempts && budget_allows(c, r, 0))
        send_attempt(c, r, 1);
}

/* ---- build, reset, metrics --------------------------------------------------- */

int caller_build(caller *c, world *w, const policy_cfg *cfg, int index, int client, int from_pool)
{
    memset(c, 0, sizeof *c);
    c->from_pool = from_pool;
    c->w = w;
    c->cfg = cfg;
    c->target = &w->pools[cfg->target];
    c->index = index;
    c->client = client;
    int n = c->target->cfg->servers;
    c->outstanding = calloc((size_t)n, sizeof *c->outstanding);
    c->scratch = calloc((size_t)n, sizeof *c->scratch);
    if (!c->outstanding || !c->scratch || rng_init(&c->rng_bal) || rng_init(&c->rng_backoff) ||
        rng_init(&c->rng_net))
        return -1;
    c->net = cfg->network.enabled; /* world.c also sets it for callers a partition cuts */
    c->fan = cfg->fanout.count > 0;
    /* the quota learns of request successes here, or per leaf with fan-out */
    c->quota_refund = cfg->retry.budget.kind == BUDGET_QUOTA && !c->fan;
    if (cfg->breaker.kind != BREAKER_NONE) {
        c->nbrk = cfg->breaker.scope == SCOPE_PER_SERVER ? n : 1;
        c->brk = model_calloc_lines((size_t)c->nbrk, sizeof *c->brk);
        if (!c->brk)
            return -1;
        for (int i = 0; i < c->nbrk; i++) {
            if (breaker_init(&c->brk[i], &cfg->breaker, c->nbrk == 1 && cfg->breaker.scope == SCOPE_POOL ? -1 : i,
                             on_breaker_change, c))
                return -1;
            breaker_count_into(&c->brk[i], &c->consec_sum);
        }
        if (c->nbrk > 1 && !(c->closed_epoch = calloc((size_t)c->nbrk, sizeof *c->closed_epoch)))
            return -1;
    }
    c->has_set = c->nbrk > 1 || cfg->outlier.enabled || cfg->balancer == BAL_LEAST_OUTSTANDING;
    if (c->has_set && srvset_init(&c->set, n, cfg->balancer == BAL_LEAST_OUTSTANDING))
        return -1;
    if (cfg->outlier.enabled) {
        c->outl = calloc((size_t)n, sizeof *c->outl);
        if (!c->outl)
            return -1;
        for (int i = 0; i < n; i++) {
            c->outl[i].c = c;
            c->outl[i].index = i;
            c->outl[i].end.fire = outlier_return;
        }
    }
    if (cfg->health.enabled && !(c->hc = health_new(c, &cfg->health)))
        return -1;
    if (budget_init(&c->bud, &cfg->retry.budget))
        return -1;
    if (rng_init(&c->rng_admit))
        return -1;
    if (cfg->throttle.enabled)
        throttle_init(&c->thr, &cfg->throttle);
    if (cfg->rate_limit.enabled)
        tbucket_init(&c->tb, &cfg->rate_limit);
    timerq_init(&c->bh_q, cfg->bulkhead.max_wait, bulkhead_expired, c);
    if (cfg->limit.kind != LIMIT_NONE) {
        c->lim = calloc(1, sizeof *c->lim);
        if (!c->lim || limiter_init(c->lim, &cfg->limit))
            return -1;
    }
    c->gated = cfg->throttle.enabled || cfg->rate_limit.enabled || cfg->bulkhead.enabled || c->lim;
    c->slow_send = c->gated || cfg->hedge.enabled;
    c->slow_outcome = c->gated || c->outl;
    timerq_init(&c->tmo_q, cfg->timeout, timeout_expired, c);
    timerq_init(&c->deadline_q, cfg->deadline, deadline_expired, c);
    timerq_init(&c->hedge_q, cfg->hedge.delay, hedge_expired, c);
    c->lat.count = NULL;
    return 0;
}

void caller_destroy(caller *c)
{
    slab_free(&c->att_slabs);
    slab_free(&c->req_slabs);
    budget_free(&c->bud);
    for (int i = 0; i < c->nbrk; i++)
        breaker_destroy(&c->brk[i]);
    free(c->brk);
    free(c->closed_epoch);
    if (c->lim)
        limiter_free(c->lim);
    free(c->lim);
    rng_destroy(&c->rng_admit);
    free(c->outl);
    health_free(c->hc);
    srvset_free(&c->set);
    free(c->outstanding);
    free(c->scratch);
    rng_destroy(&c->rng_bal);
    rng_destroy(&c->rng_backoff);
    rng_destroy(&c->rng_net);
}

/* After a replication the requests and attempts still in flight are simply
 * forgotten: rebuild both free lists from the slabs. */
static void reclaim(caller *c)
{
    c->free_att = NULL;
    c->free_req = NULL;
    for (int i = 0; i < c->att_slabs.n; i++) {
        attempt *blk = c->att_slabs.blk[i];
        for (int k = 0; k < SLAB; k++) {
            blk[k].next = c->free_att;
            c->free_att = &blk[k];
        }
    }
    for (int i = 0; i < c->req_slabs.n; i++) {
        request *blk = c->req_slabs.blk[i];
        for (int k = 0; k < SLAB; k++) {
            blk[k].next_free = c->free_req;
            blk[k].bh_wait.prev = blk[k].bh_wait.next = NULL; /* a waiter cut off by the horizon */
            blk[k].bh_prev = blk[k].bh_next = NULL;
            blk[k].gate = GATE_THROTTLE;
            blk[k].permit = 0;
            c->free_req = &blk[k];
        }
    }
}

void caller_reset(caller *c)
{
    world *w = c->w;
    reclaim(c);
    int is_pool = c->client < 0;
    int index = is_pool ? c->from_pool : c->client;
    world_seed_stream(w, &c->rng_bal, is_pool, index, is_pool ? ST_CALL_BAL : ST_BAL);
    world_seed_stream(w, &c->rng_backoff, is_pool, index, is_pool ? ST_CALL_BACKOFF : ST_BACKOFF);
    if (c->hc) {
        world_seed_stream(w, &c->hc->rng, is_pool, index, is_pool ? ST_CALL_HEALTH : ST_HEALTH);
        health_reset(c->hc);
    }
    world_seed_stream(w, &c->rng_net, is_pool, index, is_pool ? ST_CALL_NET : ST_NET);
    c->partitioned = 0;
    if (c->gated)
        world_seed_stream(w, &c->rng_admit, is_pool, index, ST_ADMIT);
    int n = c->target->cfg->servers;
    memset(c->outstanding, 0, (size_t)n * sizeof *c->outstanding);
    for (int i = 0; i < c->nbrk; i++)
        breaker_reset(&c->brk[i]);
    c->consec_sum = 0;
    if (c->closed_epoch) /* CLOSED, epoch 0 */
        for (int i = 0; i < c->nbrk; i++)
            c->closed_epoch[i] = 1;
    if (c->outl)
        for (int i = 0; i < n; i++) {
            c->outl[i].consecutive = c->outl[i].times = 0;
            c->outl[i].until = c->outl[i].returned = 0;
            c->outl[i].end.pos = 0;
        }
    if (c->has_set)
        srvset_reset(&c->set);
    c->nopen = c->nejected = 0;
    c->rr_next = 0;
    budget_reset(&c->bud);
    timerq_reset(&c->tmo_q);
    timerq_reset(&c->deadline_q);
    timerq_reset(&c->hedge_q);
    timerq_reset(&c->bh_q);
    if (c->cfg->throttle.enabled)
        throttle_reset(&c->thr);
    if (c->cfg->rate_limit.enabled)
        tbucket_reset(&c->tb);
    c->bh_used = 0;
    c->bh_head = c->bh_tail = NULL;
    c->lim_inflight = 0;
    if (c->lim)
        limiter_reset(c->lim, 0, &c->rng_admit);
    stat_tw_init(&c->limit_tw, 0, c->lim ? limiter_current(c->lim) : 0);
    stat_tw_init(&c->in_flight_tw, 0, 0);
    stat_tw_init(&c->open_tw, 0, 0);
    stat_tw_init(&c->ejected_tw, 0, 0);
    stat_hist_bind(&c->lat, rec_hist(&w->L, w->rec, c->index));
    c->bin_offered = c->bin_attempts = c->bin_succ = c->bin_ended = 0;
    caller_restart_stats(c, 0);
}

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
    m[CM_LATENCY_P50] = stat_hist_quantile_within(c->lat.count, q, 0.5, c->lat.min, c->lat.max);
    m[CM_LATENCY_P99] = stat_hist_quantile_within(c->lat.count, q, 0.99, c->lat.min, c->lat.max);
    m[CM_LATENCY_P999] = stat_hist_quantile_within(c->lat.count, q, 0.999, c->lat.min, c->lat.max);
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
    ts[TSC_ATTEMPTS] = c->bin_attempts / width;
    ts[TSC_SUCCESSES] = c->bin_succ;
    ts[TSC_ENDED] = c->bin_ended;
    ts[TSC_IN_FLIGHT] = stat_tw_take_bin(&c->in_flight_tw, t) / width;
    ts[TSC_BREAKER_OPEN] = c->nbrk ? stat_tw_take_bin(&c->open_tw, t) / width / c->nbrk : NAN;
    ts[TSC_ERROR_COUNTER] = caller_error_counter(c);
    ts[TSC_UNHEALTHY] = c->hc ? health_take_bin(c->hc, t, width) : NAN;
    stat_tw_take_bin(&c->ejected_tw, t);
    ts[TSC_LIMIT] = c->lim ? stat_tw_take_bin(&c->limit_tw, t) / width : NAN;
    c->bin_offered = c->bin_attempts = c->bin_succ = c->bin_ended = 0;
}
