/* caller.c - the life of a request: attempts, timeouts, retries, budgets,
 * hedging and fan-out (MODEL.md "Clients").  This is the hot path; the rest
 * of a caller lives beside it: caller_gates.c (breakers' server set, outlier
 * ejection, overload gates), caller_net.c (the network), caller_setup.c
 * (build, reset, free lists) and caller_metrics.c (metrics, bins).
 *
 * A request is made of attempts.  Each attempt picks a server with the
 * balancer (balancer.c), is checked by the breaker, and ends as success,
 * error (fail-fast, downstream failure), rejected (queue full), timeout, or
 * breaker-rejected (no server touched).  A failed attempt is retried after a
 * backoff while attempts < max_attempts, the outcome is in retry_on, the
 * budget allows it and the deadline has not passed.  A pool with push-back
 * answers shed and rejected attempts with a retry delay that replaces the
 * backoff (gRPC A6).
 *
 * Re-entrancy rule: pool_arrive() may answer at once (fail-fast, queue full),
 * which can finish and free the request; so it is always the LAST thing
 * send_attempt() does, and nothing touches the request after it.
 */
#include "models/backoff.h"
#include "models/balancer.h"
#include "models/caller_impl.h"
#include "models/health.h"

#include <math.h>

static void attempt_failed(caller *c, request *r, outcome o, double push);
static inline void attempt_answered(attempt *a, outcome o);
static void request_finish(caller *c, request *r, int ok, int deadline);

/* ---- free lists -------------------------------------------------------------- */

static inline __attribute__((always_inline)) attempt *att_alloc(caller *c)
{
    if (!c->free_att && caller_att_refill(c))
        return NULL;
    attempt *a = c->free_att;
    c->free_att = a->next;
    return a;
}

static inline __attribute__((always_inline)) request *req_alloc(caller *c)
{
    if (!c->free_req && caller_req_refill(c))
        return NULL;
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

/* ---- attempts ---------------------------------------------------------------- */

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
            caller_bulkhead_release(c);
    }
}

/* Health checking filters and believes no server healthy (and no panic). */
static inline int none_healthy(const caller *c) { return c->hc && c->hc->nhealthy == 0 && !c->hc->panic; }

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
void caller_refuse(caller *c, request *r, outcome o)
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
        __builtin_prefetch(&c->target->hot[srv]); /* a cache miss: overlap it with the breaker's */
        balancer_prefetch_next(c);
    }
    breaker *b = breaker_for(c, srv);
    uint32_t epoch = 0;
    if (gated && c->lim && c->lim_inflight >= limiter_current(c->lim)) {
        if (c->cfg->bulkhead.enabled)
            caller_bulkhead_release(c);
        caller_refuse(c, r, OUT_REJECTED);
        return;
    }
    int admitted = 1;
    if (b) {
        int64_t closed = c->closed_epoch ? breaker_mirror_closed_epoch(c->closed_epoch[srv]) : -1;
        if (closed >= 0) {
            epoch = (uint32_t)closed; /* CLOSED: breaker_admit would change nothing; its line stays cold */
        } else {
            admitted = breaker_admit(b, &epoch);
            if (b->state == BRK_HALF_OPEN && c->nbrk > 1)
                caller_refresh_avail(c, srv); /* a probe permit was taken (or none was left) */
        }
    }
    if (!admitted) {
        c->breaker_rejects++;
        if (gated && c->cfg->bulkhead.enabled)
            caller_bulkhead_release(c);
        caller_refuse(c, r, OUT_BREAKER);
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
        caller_net_send(c, a); /* last: may finish R */
    else
        pool_arrive(c->target, srv, a); /* last: may finish R */
}

/* The gates, then dispatch: the path of callers with overload control. */
static __attribute__((noinline)) void send_gated(caller *c, request *r, int hedge)
{
    if (caller_pass_gates(c, r, hedge))
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
    if (none_healthy(c) && no_healthy_server(c, r))
        return;
    r->attempts++;
    c->attempts++;
    c->hedges += hedge;
    if (__builtin_expect(c->slow_send, 0))
        send_slow(c, r, hedge);
    else
        dispatch(c, r, hedge, 0);
}

/* The caller stops waiting for A with outcome O: the breaker, the budget and
 * outlier detection learn it, and the counters count it. */
static void record_outcome(caller *c, attempt *a, outcome o)
{
    int failed = o != OUT_SUCCESS, srv = a->server;
    detach(c, a);
    breaker *b = breaker_for(c, srv);
    /* a success that would change nothing leaves a fleet's breaker line cold */
    if (b && (failed || !c->closed_epoch ||
              !breaker_mirror_success_noop(&c->cfg->breaker, c->closed_epoch[srv], a->epoch)))
        breaker_record(b, &c->w->s, a->epoch, failed, c->w->s.now - a->sent);
    budget_on_outcome(&c->bud, !failed);
    if (__builtin_expect(c->slow_outcome, 0)) {
        if (c->outl)
            caller_outlier_record(c, srv, failed);
        if (c->gated)
            caller_gates_learn(c, a, o);
    }
    c->cause[o]++;
    if (o == OUT_TIMEOUT)
        c->timeouts++;
}

/* ---- answers, retries -------------------------------------------------------- */

/* The server's answer (or error) for A. */
void caller_attempt_ended(attempt *a, outcome o)
{
    caller *c = a->owner;
    if (__builtin_expect(c->net, 0) && a->live) {
        caller_net_reply(c, a, o);
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

/* For the network: the answer to A crossed it (caller_net.c). */
void caller_answer(attempt *a, outcome o)
{
    attempt_answered(a, o);
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
        if (r->attempts - 1 == r->backoff_from) /* the first backoff since the start or a push-back */
            r->prev_sleep = rc->backoff.base;
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
    else if (!(none_healthy(r->c) && no_healthy_server(r->c, r))) /* the beliefs may have changed */
        send_gated(r->c, r, 0); /* a rate-limit or bulkhead wait is over */
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
            caller_bulkhead_unwait(c, r);
        if (r->permit) { /* handed a permit it will not use */
            r->permit = 0;
            caller_bulkhead_release(c);
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
                    caller_refresh_avail(c, a->server);
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
    if (ok) {
        c->succeeded++;
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
    /* the request's second line (c, fan, prev_sleep, paid) is written only
     * where it will be read: a fleet's completion never reads it, and a new
     * request would otherwise find it cold.  r->c is set once, by the slab
     * (caller_req_refill); prev_sleep at the first backoff (attempt_failed). */
    r->parent = parent;
    r->live = NULL;
    r->arrival = c->w->s.now;
    r->attempts = r->nlive = 0;
    if (__builtin_expect(c->cfg->retry.budget.kind == BUDGET_QUOTA, 0))
        r->paid = 0;
    r->user = user;
    r->state = REQ_ACTIVE;
    if (__builtin_expect(c->fan, 0)) /* read only when c->fan (request_finish) */
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

void caller_timeout_expired(void *ctx, timer_node *n)
{
    (void)ctx;
    attempt_answered(SIM_CONTAINER(n, attempt, timeout), OUT_TIMEOUT); /* local: no network */
}

void caller_deadline_expired(void *ctx, timer_node *n)
{
    caller *c = ctx;
    c->deadlines++;
    request_finish(c, SIM_CONTAINER(n, request, deadline), 0, 1);
}

void caller_hedge_expired(void *ctx, timer_node *n)
{
    caller *c = ctx;
    request *r = SIM_CONTAINER(n, request, hedge_timer);
    if (r->state == REQ_ACTIVE && r->attempts < c->cfg->hedge.max_attempts && budget_allows(c, r, 0))
        send_attempt(c, r, 1);
}
