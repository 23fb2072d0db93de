/* pool.c - a pool of identical servers: failure, repair, spares, queue, workers.
 *
 * Semantics (MODEL.md "Servers"): each server alternates UP and DOWN; time to
 * failure ~ failure dist, time to repair ~ repair dist; with repair_crews c > 0
 * at most c servers are repaired at once and the rest wait DOWN in FIFO order
 * (machine-repair model).  While UP a server is a FIFO queue in front of
 * `workers` workers.  The server never knows whether a caller still waits:
 * abandoned attempts are served anyway (wasted work).  On failure, fail_fast
 * answers every queued and in-service attempt with an error at once (and
 * every arrival while DOWN); hang answers nothing, so only the caller's
 * timeout or deadline ends them.  A repaired server starts empty.
 *
 * Positions and units: callers address the `servers` positions; the physical
 * servers ("units") fail and are repaired.  Without spares unit i always holds
 * position i.  With spares (MODEL.md "Standby spares and failover") a failed
 * unit leaves its position, the longest-idle spare switches into it after a
 * `switchover` time, and a repaired unit becomes an idle spare (switching at
 * once into a position still vacant).  An idle spare's failure clock runs at
 * warm_factor f of the active rate (cold f = 0, hot f = 1): it is scheduled
 * at X/f for a fresh X, and on activation the time left is stretched by f
 * (accelerated life; exact for the exponential).  A cold spare draws a fresh
 * X when it starts serving.
 *
 * Forced outages (scenario events) and liveness restarts are not failures:
 * they take UP positions DOWN without a repair crew and bring them back after
 * `duration` (the unit stays, its failure clock restarts); they are left out
 * of failures, mttf_observed and mttr_observed (which estimate the natural
 * processes), but count in every availability.
 * Overload control (MODEL.md "Overload control"), all off by default: a
 * server admits at most max_concurrency attempts (queued + in service) and at
 * most its adaptive limit (limit.h), rejecting the excess at once; admission
 * control gives each queued attempt an expiry (queue_timeout, or CoDel's
 * target/interval from "Fail at Scale") and sheds it, unserved, when a worker
 * would take it after that; the discipline picks the oldest (fifo), newest
 * (lifo) or, while the queue has not been empty for the CoDel interval, the
 * newest (adaptive_lifo) waiting attempt.
 *
 * Forced outages (scenario events) are not failures: they take UP servers
 * DOWN without a repair crew and bring them back after `duration`; they are
 * left out of failures, mttf_observed and mttr_observed (which estimate the
 * natural processes), but count in every availability.
 */
#include "models/dist.h"
#include "models/health.h"
#include "models/liveness.h"
#include "models/model.h"
#include "models/probe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void unit_life(sim *s, sim_event *ev);
static void srv_forced_end(sim *s, sim_event *ev);
static void srv_switch_end(sim *s, sim_event *ev);
/* The caller's breaker for A's server, unless the success a completion
 * brings would leave it as it is (breaker_mirror_success_noop). */
static inline void prefetch_breaker(const caller *c, const attempt *a)
{
    if (c->nbrk > 1 && !breaker_mirror_success_noop(&c->cfg->breaker, c->closed_epoch[a->server], a->epoch))
        __builtin_prefetch(&c->brk[a->server]);
}

static void svc_done(sim *s, sim_event *ev);
static void ps_done(sim *s, sim_event *ev);
static void ps_admit(struct pool *p, int s, attempt *a);

int pool_build(pool *p, world *w, int index)
{
    memset(p, 0, sizeof *p);
    p->cfg = &w->sc->pools[index];
    p->w = w;
    p->index = index;
    p->slow = p->cfg->slowdown.per_request > 0 || p->cfg->slowdown.npoints > 0;
    p->prefetch = p->cfg->servers >= MODEL_PREFETCH_SERVERS;
    int n = p->cfg->servers;
    p->nunits = n + p->cfg->spares.count;
    p->srv = calloc((size_t)(n > 0 ? n : 1), sizeof *p->srv);
    p->hot = model_calloc_lines((size_t)n, sizeof *p->hot);
    p->up = calloc((size_t)(n > 0 ? n : 1), 1);
    p->units = calloc((size_t)p->nunits, sizeof *p->units);
    p->crew_wait = calloc((size_t)p->nunits, sizeof *p->crew_wait);
    p->idle = calloc((size_t)p->nunits, sizeof *p->idle);
    p->vacant = calloc((size_t)n, sizeof *p->vacant);
    if (!p->srv || !p->hot || !p->up || !p->units || !p->crew_wait || !p->idle || !p->vacant)
        return -1;
    for (int i = 0; i < n; i++) {
        p->srv[i].index = i;
        p->srv[i].pool = p;
        p->srv[i].forced_end.fire = srv_forced_end;
        p->srv[i].ps_ev.fire = ps_done;
        p->srv[i].switch_end.fire = srv_switch_end;
    }
    for (int i = 0; i < p->nunits; i++) {
        p->units[i].index = i;
        p->units[i].pool = p;
        p->units[i].life.fire = unit_life;
    }
    if (rng_init(&p->rng_fail) || rng_init(&p->rng_repair) || rng_init(&p->rng_service) ||
        rng_init(&p->rng_inject) || rng_init(&p->rng_switch) || rng_init(&p->rng_limit))
        return -1;
    if (p->cfg->liveness.enabled && !(p->live = liveness_new(p)))
        return -1;
    const admission_cfg *ad = &p->cfg->admission;
    if (ad->queue_timeout > 0 || ad->codel || ad->discipline != QDISC_FIFO)
        p->adm = ad;
    if (p->cfg->limit.kind != LIMIT_NONE) {
        p->lim = calloc((size_t)n, sizeof *p->lim);
        if (!p->lim)
            return -1;
        for (int i = 0; i < n; i++)
            if (limiter_init(&p->lim[i], &p->cfg->limit))
                return -1;
    }
    p->gated = p->cfg->max_concurrency > 0 || p->lim;
    p->overload = p->gated || p->adm;
    return 0;
}

void pool_destroy(pool *p)
{
    liveness_free(p->live);
    free(p->srv);
    free(p->hot);
    free(p->up);
    free(p->units);
    free(p->crew_wait);
    free(p->idle);
    free(p->vacant);
    free(p->amp_clients);
    free(p->watch);
    if (p->lim)
        for (int i = 0; i < p->cfg->servers; i++)
            limiter_free(&p->lim[i]);
    free(p->lim);
    rng_destroy(&p->rng_limit);
    rng_destroy(&p->rng_fail);
    rng_destroy(&p->rng_repair);
    rng_destroy(&p->rng_service);
    rng_destroy(&p->rng_inject);
    rng_destroy(&p->rng_switch);
}

void pool_reset(pool *p)
{
    world_seed_stream(p->w, &p->rng_fail, 1, p->index, ST_FAIL);
    world_seed_stream(p->w, &p->rng_repair, 1, p->index, ST_REPAIR);
    world_seed_stream(p->w, &p->rng_service, 1, p->index, ST_SERVICE);
    world_seed_stream(p->w, &p->rng_inject, 1, p->index, ST_INJECT);
    world_seed_stream(p->w, &p->rng_switch, 1, p->index, ST_SWITCH);
    pool_set_inject(p, &p->cfg->inject);
    if (p->lim)
        world_seed_stream(p->w, &p->rng_limit, 1, p->index, ST_LIMIT);
    int n = p->cfg->servers;
    for (int i = 0; i < n; i++) {
        server *v = &p->srv[i];
        v->forced_end.pos = v->switch_end.pos = v->ps_ev.pos = 0;
        v->vt = v->t_last = 0;
        p->hot[i] = (srv_hot){0};
        p->up[i] = 1;
        v->since = 0;
        v->last_empty = 0;
        v->forced = 0;
        v->unit = i;
    }
    for (int i = 0; i < p->nunits; i++) {
        unit *u = &p->units[i];
        u->life.pos = 0;
        u->since = u->fail_at = 0;
        u->pos = i < n ? i : -1;
        u->state = i < n ? U_ACTIVE : U_IDLE;
        u->repairing = 0;
    }
    p->up_count = n;
    p->slow_done = p->calls || p->overload; /* calls is linked after pool_build */
    p->crews_busy = p->wait_head = p->wait_len = 0;
    p->idle_head = p->idle_len = p->vacant_head = p->vacant_len = 0;
    stat_tw_init(&p->up_tw, 0, p->up_count);
    stat_tw_init(&p->quorum_tw, 0, p->up_count >= p->cfg->quorum);
    stat_tw_init(&p->busy_tw, 0, 0);
    stat_tw_init(&p->queue_tw, 0, 0);
    stat_tw_init(&p->forced_tw, 0, 0);
    double limits = 0;
    if (p->lim)
        for (int i = 0; i < p->cfg->servers; i++) {
            limiter_reset(&p->lim[i], 0, &p->rng_limit);
            limits += limiter_current(&p->lim[i]);
        }
    stat_tw_init(&p->limit_tw, 0, limits);
    if (p->live)
        liveness_reset(p->live);
    pool_restart_stats(p, 0);
    p->bin_arrivals0 = 0;
}

void pool_restart_stats(pool *p, double t)
{
    stat_tw_restart(&p->up_tw, t);
    stat_tw_restart(&p->quorum_tw, t);
    stat_tw_restart(&p->busy_tw, t);
    stat_tw_restart(&p->queue_tw, t);
    stat_tw_restart(&p->forced_tw, t);
    stat_tw_restart(&p->limit_tw, t);
    p->bin_arrivals0 -= p->arrivals; /* the bin's count goes on across the restart */
    p->failures = p->up_sum = p->up_n = p->down_sum = p->down_n = 0;
    p->restarts = p->switchovers = 0;
    p->arrivals = p->rejected = p->served = p->wasted = p->shed = 0;
    p->injected_errors = p->injected_delays = p->dropped = 0;
}

/* Idle spares' failure clock speed: 0 cold, warm_factor, 1 hot. */
static double idle_factor(const pool *p)
{
    const spares_cfg *sp = &p->cfg->spares;
    return sp->mode == SPARE_HOT ? 1 : sp->mode == SPARE_WARM ? sp->warm_factor : 0;
}

static void become_idle(pool *p, unit *u);

void pool_start(pool *p)
{
    int n = p->cfg->servers;
    if (p->cfg->failure.kind != DIST_NONE)
        for (int i = 0; i < n; i++)
            sim_after(&p->w->s, &p->units[i].life, dist_sample(&p->cfg->failure, &p->rng_fail));
    for (int i = n; i < p->nunits; i++)
        become_idle(p, &p->units[i]);
    if (p->live)
        liveness_start(p->live);
}

static void set_up_count(pool *p, int delta)
{
    double now = p->w->s.now;
    p->up_count += delta;
    stat_tw_set(&p->up_tw, now, p->up_count);
    stat_tw_set(&p->quorum_tw, now, p->up_count >= p->cfg->quorum);
}

/* Keep a completed period as a sample for the P_failure/P_recovery plots. */
static void keep_period(pool *p, int down, double len)
{
    double *blk = rec_updown(&p->w->L, p->w->rec, p->index, down);
    if (blk[0] < SAMPLE_CAP)
        blk[1 + (size_t)blk[0]++] = len;
    if (down) {
        p->down_sum += len;
        p->down_n++;
    } else {
        p->up_sum += len;
        p->up_n++;
    }
}

/* ---- work at a server ---------------------------------------------------- */

static void svc_link(srv_hot *h, attempt *a)
{
    a->prev = NULL;
    a->next = h->svc;
    if (h->svc)
        h->svc->prev = a;
    h->svc = a;
}

static void svc_unlink(srv_hot *h, attempt *a)
{
    if (a->prev)
        a->prev->next = a->next;
    else
        h->svc = a->next;
    if (a->next)
        a->next->prev = a->prev;
    a->prev = a->next = NULL;
}

/* The slowdown factor f(n) >= 1 with N attempts in service at a server. */
double pool_slowdown(const slowdown_cfg *sd, int n)
{
    if (sd->npoints == 0)
        return 1 + sd->per_request * (n - 1);
    if (n <= sd->n[0])
        return sd->factor[0];
    for (int i = 1; i < sd->npoints; i++)
        if (n <= sd->n[i])
            return sd->factor[i - 1] + (sd->factor[i] - sd->factor[i - 1]) * (n - sd->n[i - 1]) /
                                           (sd->n[i] - sd->n[i - 1]);
    return sd->factor[sd->npoints - 1];
}

/* SPECIAL is a constant at each call (see admit): 0 skips the slowdown check. */
static inline __attribute__((always_inline)) void start_service(pool *p, srv_hot *h, attempt *a, int special)
{
    a->where = AT_SERVICE;
    a->done.fire = svc_done;
    h->busy++;
    stat_tw_add(&p->busy_tw, p->w->s.now, 1);
    svc_link(h, a);
    double d = dist_sample(&p->cfg->service, &p->rng_service);
    if (special && p->slow)
        d *= pool_slowdown(&p->cfg->slowdown, h->busy);
    sim_after(&p->w->s, &a->done, d);
}

static inline __attribute__((always_inline)) attempt *dequeue(pool *p, srv_hot *h)
{
    attempt *a = h->q_head;
    if (!a)
        return NULL;
    h->q_head = a->next;
    if (!h->q_head)
        h->q_tail = NULL;
    a->next = NULL;
    h->qlen--;
    stat_tw_add(&p->queue_tw, p->w->s.now, -1);
    return a;
}

/* ---- admission control and limits ---------------------------------------- */

/* Take A out of the queue wherever it is. */
static void q_unlink(pool *p, int s, attempt *a)
{
    srv_hot *h = &p->hot[s];
    if (a->prev)
        a->prev->next = a->next;
    else
        h->q_head = a->next;
    if (a->next)
        a->next->prev = a->prev;
    else
        h->q_tail = a->prev;
    a->prev = a->next = NULL;
    if (--h->qlen == 0)
        p->srv[s].last_empty = p->w->s.now;
    stat_tw_add(&p->queue_tw, p->w->s.now, -1);
}

/* "The queue has not been empty for the last interval" (Fail at Scale). */
static int q_standing(const pool *p, int s)
{
    return p->hot[s].qlen > 0 && p->w->s.now - p->srv[s].last_empty > p->adm->codel_interval;
}

static void limit_changed(pool *p, int s, int before)
{
    int now_limit = limiter_current(&p->lim[s]);
    if (now_limit != before)
        stat_tw_add(&p->limit_tw, p->w->s.now, now_limit - before);
}

/* The server's limiter learns how attempt A went. */
static void limit_sample(pool *p, attempt *a, int dropped)
{
    limiter *l = &p->lim[a->server];
    int before = limiter_current(l);
    double now = p->w->s.now;
    limiter_sample(l, now, now - a->admitted, a->lim_inflight, dropped, &p->rng_limit);
    limit_changed(p, a->server, before);
}

/* Queued attempts past their expiry, taken out and chained on *SHED; the
 * next one to serve (per the discipline), or NULL.  Answering the shed ones
 * waits until the worker is busy again (finish_service), so that a retry they
 * trigger cannot overtake the queue. */
static attempt *dequeue_admitted(pool *p, int s, attempt **shed)
{
    double now = p->w->s.now;
    srv_hot *h = &p->hot[s];
    for (;;) {
        while (h->q_head && now > h->q_head->expire) { /* the oldest expired ones */
            attempt *x = h->q_head;
            q_unlink(p, s, x);
            x->next = *shed;
            *shed = x;
        }
        attempt *a = h->q_head;
        if (!a)
            return NULL;
        queue_discipline d = p->adm->discipline;
        if (d == QDISC_LIFO || (d == QDISC_ADAPTIVE_LIFO && q_standing(p, s)))
            a = h->q_tail;
        q_unlink(p, s, a);
        if (now <= a->expire)
            return a;
        a->next = *shed;
        *shed = a;
    }
}

static void answer_shed(pool *p, attempt *x)
{
    while (x) {
        attempt *next = x->next;
        x->next = NULL;
        x->where = AT_NONE;
        p->shed++;
        world_in_flight(p->w, p, -1);
        if (p->lim)
            limit_sample(p, x, 1);
        caller_attempt_ended(x, OUT_SHED);
        x = next;
    }
}

/* Expiry of an attempt queued now: queue_timeout, or with CoDel the target
 * while the queue stands and the interval (or queue_timeout) otherwise. */
static double expiry(const pool *p, int s)
{
    const admission_cfg *ad = p->adm;
    double now = p->w->s.now, normal = ad->queue_timeout > 0 ? ad->queue_timeout : INFINITY;
    if (ad->codel) {
        if (ad->queue_timeout <= 0)
            normal = ad->codel_interval;
        if (q_standing(p, s))
            return now + ad->codel_target;
    }
    return now + normal;
}

/* max_concurrency and the adaptive limit: 1 if the server admits A. */
static int limit_admit(pool *p, int s, attempt *a)
{
    int inflight = p->hot[s].busy + p->hot[s].qlen;
    if (p->cfg->max_concurrency > 0 && inflight >= p->cfg->max_concurrency)
        return 0;
    if (p->lim) {
        if (inflight >= limiter_current(&p->lim[s]))
            return 0;
        a->admitted = p->w->s.now;
        a->lim_inflight = inflight + 1;
    }
    return 1;
}

/* The next attempt to serve; queued probes met on the way are answered at
 * once (a probe takes no work), expired attempts chained on *SHED. */
static inline __attribute__((always_inline)) attempt *next_in_line(pool *p, int s, attempt **shed,
                                                                   const int ov)
{
    attempt *next = ov && p->adm ? dequeue_admitted(p, s, shed) : dequeue(p, &p->hot[s]);
    while (next && next->probe) {
        world_in_flight(p->w, p, -1);
        next->where = AT_NONE;
        probe_answered(next, 1);
        next = ov && p->adm ? dequeue_admitted(p, s, shed) : dequeue(p, &p->hot[s]);
    }
    return next;
}

/* A worker finished attempt A (already unlinked): free the worker for the
 * next queued attempt first (FIFO fairness: a retry triggered by this answer
 * must not overtake the queue), then answer.  Two copies, as arrive(). */
static inline __attribute__((always_inline)) void finish(pool *p, int s, attempt *a, int ok, const int ov)
{
    srv_hot *h = &p->hot[s];
    h->busy--;
    stat_tw_add(&p->busy_tw, p->w->s.now, -1);
    world_in_flight(p->w, p, -1);
    p->served++;
    if (!a->live)
        p->wasted++;
    a->where = AT_NONE;
    attempt *shed = NULL;
    attempt *next = next_in_line(p, s, &shed, ov);
    if (next) {
        if (ov || __builtin_expect(p->special, 0))
            start_service(p, h, next, 1);
        else
            start_service(p, h, next, 0);
    }
    if (ov) {
        if (p->lim && ok)
            limit_sample(p, a, 0);
        answer_shed(p, shed);
    }
    caller_attempt_ended(a, ok ? OUT_SUCCESS : OUT_ERROR);
}

static __attribute__((noinline)) void finish_overload(pool *p, int s, attempt *a, int ok)
{
    finish(p, s, a, ok, 1);
}

static void finish_service(pool *p, int s, attempt *a, int ok)
{
    if (__builtin_expect(p->overload, 0))
        finish_overload(p, s, a, ok);
    else
        finish(p, s, a, ok, 0);
}

static __attribute__((noinline)) void svc_done_slow(pool *p, int s, attempt *a)
{
    if (p->calls) { /* multi-tier: hold the worker until the downstream call ends */
        a->where = AT_DOWNSTREAM;
        caller_start_request(p->calls, a, -1);
        return;
    }
    svc_unlink(&p->hot[s], a);
    finish(p, s, a, 1, 1);
}

static void svc_done(sim *s, sim_event *ev)
{
    (void)s;
    attempt *a = SIM_CONTAINER(ev, attempt, done);
    caller *c = a->owner;
    pool *p = c->target;
    int srv = a->server;
    srv_hot *h = &p->hot[srv];
    /* In a large pool the server, the request, the caller's breaker for the
     * server and the attempt's timer neighbours are each a cache miss, and
     * each is found only once the previous one is read: fetch them all now,
     * so the misses overlap (results unchanged: a prefetch reads nothing).
     * A small pool stays in the caches: no prefetch, no cost. */
    if (p->prefetch) {
        __builtin_prefetch(h);
        __builtin_prefetch(a->req);  /* all of it a completion reads: its first line (model.h) */
        __builtin_prefetch((char *)a + MODEL_LINE); /* the attempt's second line */
        prefetch_breaker(c, a);
        __builtin_prefetch(a->timeout.prev); /* these wait for that second line */
        __builtin_prefetch(a->timeout.next);
    }
    if (__builtin_expect(p->slow_done, 0)) { /* calls downstream, or overload control */
        svc_done_slow(p, srv, a);
        return;
    }
    svc_unlink(h, a);
    finish(p, srv, a, 1, 0);
}

/* The event list's look-ahead (evq.h) for a completion due within a few
 * pops: stage 0 fetches the server, the request, the attempt's second line
 * and the caller's breaker for the server (what svc_done reads, each
 * otherwise a cache miss in a big pool, found one after the other); stage 1,
 * a bucket later, the server's next queued attempt, which stage 0's server
 * line names.  Reads only. */
void pool_event_ahead(const sim_event *ev, int stage)
{
    if (ev->fire != svc_done)
        return;
    const attempt *a = SIM_CONTAINER(ev, attempt, done);
    const caller *c = a->owner;
    const pool *p = c->target;
    if (!p->prefetch)
        return;
    const srv_hot *h = &p->hot[a->server];
    if (stage == 0) {
        __builtin_prefetch(h);
        __builtin_prefetch(a->req);
        __builtin_prefetch((const char *)a + MODEL_LINE);
        prefetch_breaker(c, a);
    } else {
        if (h->q_head)
            __builtin_prefetch(h->q_head);
        __builtin_prefetch(a->timeout.prev);
        __builtin_prefetch(a->timeout.next);
    }
}

void pool_downstream_done(attempt *a, int success)
{
    pool *p = a->owner->target;
    a->child = NULL;
    svc_unlink(&p->hot[a->server], a);
    finish_service(p, a->server, a, success);
}

static inline void admit(pool *p, int s, attempt *a, int special);

/* Join the queue; with admission control (SPECIAL and p->adm) the queue
 * is doubly linked and the attempt gets its expiry. */
static inline __attribute__((always_inline)) void enqueue(pool *p, int s, attempt *a, int special)
{
    srv_hot *h = &p->hot[s];
    world_in_flight(p->w, p, 1);
    a->where = AT_QUEUE;
    a->next = NULL;
    if (special && p->adm) {
        a->prev = h->q_tail;
        if (h->qlen == 0)
            p->srv[s].last_empty = p->w->s.now;
        a->expire = a->probe ? INFINITY : expiry(p, s); /* probes are never shed */
    }
    if (h->q_tail)
        h->q_tail->next = a;
    else
        h->q_head = a;
    h->q_tail = a;
    h->qlen++;
    stat_tw_add(&p->queue_tw, p->w->s.now, 1);
}

/* The end of an injected delay: the attempt goes on to its server. */
static void inject_over(sim *s, sim_event *ev)
{
    (void)s;
    attempt *a = SIM_CONTAINER(ev, attempt, done);
    pool *p = a->owner->target;
    a->where = AT_NONE;
    admit(p, a->server, a, 1);
}

/* Fault injection in front of the server: 1 if it took the attempt. */
static int inject(pool *p, attempt *a)
{
    const inject_cfg *in = p->inj;
    if (in->error_rate > 0 && rng_uniform(&p->rng_inject) < in->error_rate) {
        p->injected_errors++;
        if (in->error_kind == FAIL_FAST)
            caller_attempt_ended(a, OUT_ERROR);
        /* hang: swallowed; the caller's timeout or deadline ends it */
        return 1;
    }
    if (in->latency_fraction > 0 && rng_uniform(&p->rng_inject) < in->latency_fraction) {
        p->injected_delays++;
        a->where = AT_INJECT;
        a->done.fire = inject_over;
        sim_after(&p->w->s, &a->done, dist_sample(&in->latency, &p->rng_inject));
        return 1;
    }
    return 0;
}

void pool_set_inject(pool *p, const inject_cfg *in)
{
    const pool_cfg *c = p->cfg;
    p->inj = in && inject_active(in) ? in : NULL;
    p->special = p->inj || p->slow || c->discipline != DISC_FIFO || c->on_full != FULL_REJECT ||
                 p->overload;
}


/* Admission at server S (after injection).  SPECIAL is a constant at each
 * call: 0 for pools with nothing of PS, drop or slowdown configured. */
static inline __attribute__((always_inline)) void admit(pool *p, int s, attempt *a, int special)
{
    if (!p->up[s]) {
        if (p->cfg->mode == FAIL_FAST)
            caller_attempt_ended(a, OUT_ERROR);
        /* hang: swallowed; the caller's timeout or deadline ends it */
        return;
    }
    srv_hot *h = &p->hot[s];
    if (special && p->gated && !limit_admit(p, s, a)) {
        p->rejected++;
        caller_attempt_ended(a, OUT_REJECTED);
        return;
    }
    if (special && p->cfg->discipline == DISC_PS) {
        if (p->cfg->queue_limit > 0 && h->busy >= p->cfg->queue_limit) {
            p->rejected++;
            if (p->cfg->on_full == FULL_REJECT)
                caller_attempt_ended(a, OUT_REJECTED);
            else
                p->dropped++;
            return;
        }
        ps_admit(p, s, a);
        return;
    }
    if (h->busy < p->cfg->workers) {
        world_in_flight(p->w, p, 1);
        start_service(p, h, a, special);
        return;
    }
    if (p->cfg->queue_limit > 0 && h->qlen >= p->cfg->queue_limit) {
        p->rejected++;
        if (!special || p->cfg->on_full == FULL_REJECT)
            caller_attempt_ended(a, OUT_REJECTED);
        else /* drop: silent; only the caller's timeout or deadline ends it */
            p->dropped++;
        return;
    }
    enqueue(p, s, a, special);
}

/* ---- processor sharing ------------------------------------------------------
 *
 * All N attempts at a PS server are in service at once, each at speed
 * 1/(N f(N)) (f: service_slowdown, 1 without).  The server keeps a virtual
 * time vt, the service each attempt present has received; an attempt that
 * needs work S arriving at vt finishes when vt reaches its tag vt + S.  The
 * in-service list is kept sorted by tag, so its head finishes first, and one
 * event per server (ps_ev) is due then.  Nothing is allocated per event.
 * busy_tw counts the server busy (0 or 1) and queue_tw the attempts beyond
 * the first, so busy + queue is the number at the server, as with FIFO. */

static double ps_speed(const pool *p, int n)
{
    return p->slow ? 1.0 / (n * pool_slowdown(&p->cfg->slowdown, n)) : 1.0 / n;
}

/* Bring vt up to now. */
static void ps_advance(pool *p, int s)
{
    server *v = &p->srv[s];
    double now = p->w->s.now;
    if (p->hot[s].busy > 0)
        v->vt += (now - v->t_last) * ps_speed(p, p->hot[s].busy);
    v->t_last = now;
}

static void ps_schedule(pool *p, int s)
{
    server *v = &p->srv[s];
    const srv_hot *h = &p->hot[s];
    sim_cancel(&p->w->s, &v->ps_ev);
    if (!h->svc)
        return;
    double left = h->svc->work - v->vt;
    sim_after(&p->w->s, &v->ps_ev, left > 0 ? left / ps_speed(p, h->busy) : 0);
}

/* Count the server's attempts: busy (0/1) and the ones sharing beyond it. */
static void ps_count(pool *p, srv_hot *h, int delta)
{
    double now = p->w->s.now;
    int before = h->busy;
    h->busy += delta;
    stat_tw_add(&p->busy_tw, now, (h->busy > 0) - (before > 0));
    stat_tw_add(&p->queue_tw, now, (h->busy > 1 ? h->busy - 1 : 0) - (before > 1 ? before - 1 : 0));
}

static void ps_admit(pool *p, int s, attempt *a)
{
    srv_hot *h = &p->hot[s];
    ps_advance(p, s);
    a->where = AT_SERVICE;
    a->work = p->srv[s].vt + dist_sample(&p->cfg->service, &p->rng_service);
    attempt **pp = &h->svc, *prev = NULL; /* sorted by tag; equal tags keep arrival order */
    while (*pp && (*pp)->work <= a->work) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    a->prev = prev;
    a->next = *pp;
    if (*pp)
        (*pp)->prev = a;
    *pp = a;
    ps_count(p, h, 1);
    world_in_flight(p->w, p, 1);
    ps_schedule(p, s);
}

static void ps_done(sim *s, sim_event *ev)
{
    (void)s;
    server *v = SIM_CONTAINER(ev, server, ps_ev);
    pool *p = v->pool;
    srv_hot *h = &p->hot[v->index];
    attempt *a = h->svc;
    ps_advance(p, v->index);
    svc_unlink(h, a);
    ps_count(p, h, -1);
    world_in_flight(p->w, p, -1);
    p->served++;
    if (!a->live)
        p->wasted++;
    a->where = AT_NONE;
    ps_schedule(p, v->index);
    if (p->lim)
        limit_sample(p, a, 0);
    caller_attempt_ended(a, OUT_SUCCESS);
}

/* Arrivals at a pool with injection, PS, drops, slowdown or overload
 * control (p->special). */
static void arrive_special(pool *p, int s, attempt *a)
{
    if (p->inj && inject(p, a))
        return;
    admit(p, s, a, 1);
}

void pool_arrive(pool *p, int s, attempt *a)
{
    p->arrivals++; /* A comes AT_NONE (dispatch, the network, an injected delay) */
    if (__builtin_expect(p->special, 0))
        arrive_special(p, s, a);
    else
        admit(p, s, a, 0); /* the plain FIFO path, compiled without the checks below */
}

/* A probe takes no work: answered when a worker reaches it (FIFO), or at
 * once under PS (zero work shares nothing).  Injection does not apply. */
void pool_probe_arrive(pool *p, int s, attempt *a)
{
    const srv_hot *h = &p->hot[s];
    int ps = p->cfg->discipline == DISC_PS;
    if ((ps || h->busy < p->cfg->workers) && !h->q_head) {
        probe_answered(a, 1);
        return;
    }
    if (p->cfg->queue_limit > 0 && h->qlen >= p->cfg->queue_limit) {
        if (p->cfg->on_full == FULL_REJECT)
            probe_answered(a, 0);
        /* drop: silent; the probe times out */
        return;
    }
    enqueue(p, s, a, 1);
}

/* ---- failure and repair -------------------------------------------------- */

/* Empty a failing server: answer errors (fail_fast) or nothing (hang). */
static void drop_work(pool *p, server *v)
{
    double now = p->w->s.now;
    srv_hot *h = &p->hot[v->index];
    attempt *q = h->q_head, *in = h->svc;
    h->q_head = h->q_tail = h->svc = NULL;
    world_in_flight(p->w, p, -(h->qlen + h->busy));
    if (p->cfg->discipline == DISC_PS) {
        sim_cancel(&p->w->s, &v->ps_ev);
        ps_count(p, h, -h->busy);
        v->vt = 0;
        v->t_last = now;
    } else {
        stat_tw_add(&p->queue_tw, now, -h->qlen);
        stat_tw_add(&p->busy_tw, now, -h->busy);
    }
    h->qlen = h->busy = 0;
    int answer = p->cfg->mode == FAIL_FAST;
    for (int list = 0; list < 2; list++) {
        attempt *a = list ? in : q;
        while (a) {
            attempt *next = a->next;
            a->prev = a->next = NULL;
            sim_cancel(&p->w->s, &a->done);
            if (a->child) { /* orphan the downstream call: nobody waits for it */
                a->child->parent = NULL;
                a->child = NULL;
            }
            a->where = AT_NONE;
            if (a->probe) {
                if (answer)
                    probe_answered(a, 0);
                else
                    probe_release(a);
            } else if (answer)
                caller_attempt_ended(a, OUT_ERROR);
            else
                caller_attempt_release(a);
            a = next;
        }
    }
}

/* Position V stops serving (failure, forced outage, restart, failover). */
static void pos_down(pool *p, server *v, int mark)
{
    p->up[v->index] = 0;
    set_up_count(p, -1);
    world_mark(p->w, p->index, v->index, mark);
    for (int i = 0; i < p->nwatch; i++)
        health_server_changed(p->watch[i], v->index, 0);
    drop_work(p, v);
}

static void pos_up(pool *p, server *v)
{
    p->up[v->index] = 1;
    set_up_count(p, +1);
    world_mark(p->w, p->index, v->index, MARK_REPAIR);
    for (int i = 0; i < p->nwatch; i++)
        health_server_changed(p->watch[i], v->index, 1);
}

static void schedule_failure(pool *p, unit *u)
{
    if (p->cfg->failure.kind != DIST_NONE)
        sim_after(&p->w->s, &u->life, dist_sample(&p->cfg->failure, &p->rng_fail));
}

static void start_repair(pool *p, unit *u)
{
    u->repairing = 1;
    p->crews_busy++;
    sim_after(&p->w->s, &u->life, dist_sample(&p->cfg->repair, &p->rng_repair));
}

/* ---- spares ---------------------------------------------------------------- */

/* U (UP) waits as a spare; its failure clock runs at the idle speed. */
static void become_idle(pool *p, unit *u)
{
    double f = idle_factor(p);
    u->state = U_IDLE;
    u->pos = -1;
    u->fail_at = 0;
    if (f > 0 && p->cfg->failure.kind != DIST_NONE) {
        u->fail_at = p->w->s.now + dist_sample(&p->cfg->failure, &p->rng_fail) / f;
        sim_at(&p->w->s, &u->life, u->fail_at);
    }
    p->idle[(p->idle_head + p->idle_len++) % p->nunits] = u->index;
}

static void idle_remove(pool *p, int unit_index)
{
    int n = p->nunits, k = 0;
    for (int i = 0; i < p->idle_len; i++) {
        int x = p->idle[(p->idle_head + i) % n];
        if (x != unit_index)
            p->idle[(p->idle_head + k++) % n] = x;
    }
    p->idle_len = k;
}

/* U starts serving its position: the failure clock goes to full speed. */
static void activate(pool *p, unit *u)
{
    double f = idle_factor(p), now = p->w->s.now;
    u->state = U_ACTIVE;
    if (p->cfg->failure.kind != DIST_NONE) {
        if (f == 0) {
            schedule_failure(p, u);
        } else if (f < 1) {
            sim_cancel(&p->w->s, &u->life);
            sim_after(&p->w->s, &u->life, (u->fail_at - now) * f);
        }
    }
    p->switchovers++;
    pos_up(p, &p->srv[u->pos]);
}

/* Pair vacant positions with idle spares, oldest first. */
static void assign_spares(pool *p)
{
    while (p->vacant_len > 0 && p->idle_len > 0) {
        int k = p->vacant[p->vacant_head];
        p->vacant_head = (p->vacant_head + 1) % p->cfg->servers;
        p->vacant_len--;
        unit *u = &p->units[p->idle[p->idle_head]];
        p->idle_head = (p->idle_head + 1) % p->nunits;
        p->idle_len--;
        server *v = &p->srv[k];
        u->state = U_SWITCHING;
        u->pos = k;
        v->unit = u->index;
        const dist_cfg *d = &p->cfg->spares.switchover;
        double t = d->kind == DIST_NONE ? 0 : dist_sample(d, &p->rng_switch);
        if (t > 0)
            sim_after(&p->w->s, &v->switch_end, t);
        else
            activate(p, u);
    }
}

static void want_spare(pool *p, server *v)
{
    v->unit = -1;
    p->vacant[(p->vacant_head + p->vacant_len++) % p->cfg->servers] = v->index;
    assign_spares(p);
}

static void srv_switch_end(sim *s, sim_event *ev)
{
    (void)s;
    server *v = SIM_CONTAINER(ev, server, switch_end);
    activate(v->pool, &v->pool->units[v->unit]);
}

/* ---- unit life ------------------------------------------------------------- */

static void unit_fail(pool *p, unit *u)
{
    double now = p->w->s.now;
    int state = u->state, spares = p->cfg->spares.count > 0;
    keep_period(p, 0, now - u->since);
    p->failures++;
    u->since = now;
    u->state = U_REPAIR;
    server *v = u->pos >= 0 ? &p->srv[u->pos] : NULL;
    if (state == U_IDLE)
        idle_remove(p, u->index);
    if (state == U_SWITCHING)
        sim_cancel(&p->w->s, &v->switch_end);
    if (state == U_ACTIVE)
        pos_down(p, v, MARK_FAIL);
    int crews = p->cfg->repair_crews;
    if (crews == 0 || p->crews_busy < crews)
        start_repair(p, u);
    else
        p->crew_wait[(p->wait_head + p->wait_len++) % p->nunits] = u->index;
    if (spares) {
        u->pos = -1;
        if (v)
            want_spare(p, v);
    }
}

static void unit_repaired(pool *p, unit *u)
{
    double now = p->w->s.now;
    u->repairing = 0;
    p->crews_busy--;
    keep_period(p, 1, now - u->since);
    u->since = now;
    if (p->cfg->spares.count == 0) {
        u->state = U_ACTIVE;
        pos_up(p, &p->srv[u->pos]);
        schedule_failure(p, u);
    } else {
        become_idle(p, u);
        assign_spares(p);
    }
    if (p->wait_len > 0) {
        int next = p->crew_wait[p->wait_head];
        p->wait_head = (p->wait_head + 1) % p->nunits;
        p->wait_len--;
        start_repair(p, &p->units[next]);
    }
}

static void unit_life(sim *s, sim_event *ev)
{
    (void)s;
    unit *u = SIM_CONTAINER(ev, unit, life);
    if (u->state == U_REPAIR)
        unit_repaired(u->pool, u);
    else
        unit_fail(u->pool, u);
}

/* ---- forced outages and restarts -------------------------------------------- */

static void force_down(pool *p, server *v, int why, double duration)
{
    double now = p->w->s.now;
    unit *u = &p->units[v->unit];
    sim_cancel(&p->w->s, &u->life); /* its failure clock restarts afterwards */
    u->since = now;
    v->forced = (uint8_t)why;
    stat_tw_add(&p->forced_tw, now, 1);
    pos_down(p, v, why == FORCED_RESTART ? MARK_RESTART : MARK_FORCED);
    sim_after(&p->w->s, &v->forced_end, duration);
}

static void srv_forced_end(sim *s, sim_event *ev)
{
    server *v = SIM_CONTAINER(ev, server, forced_end);
    pool *p = v->pool;
    unit *u = &p->units[v->unit];
    stat_tw_add(&p->forced_tw, s->now, -1);
    v->forced = 0;
    u->since = s->now;
    pos_up(p, v);
    schedule_failure(p, u);
}

void pool_force_down(pool *p, int count, double duration)
{
    for (int i = 0; i < p->cfg->servers && count > 0; i++) {
        if (!p->up[i])
            continue;
        force_down(p, &p->srv[i], FORCED_EVENT, duration);
        count--;
    }
}

void pool_restart(pool *p, int s, double duration)
{
    if (!p->up[s])
        return;
    p->restarts++;
    force_down(p, &p->srv[s], FORCED_RESTART, duration);
}

/* ---- metrics --------------------------------------------------------------- */

static double ratio(double a, double b) { return b > 0 ? a / b : NAN; }

void pool_finish_metrics(pool *p, double *m, double t)
{
    double up = stat_tw_mean(&p->up_tw, t), busy = stat_tw_mean(&p->busy_tw, t);
    m[PM_SERVER_AVAILABILITY] = up / p->cfg->servers;
    m[PM_SYSTEM_AVAILABILITY] = stat_tw_mean(&p->quorum_tw, t);
    m[PM_BUSY_SERVERS] = busy;
    m[PM_UTILIZATION] = ratio(busy, up * p->cfg->workers);
    m[PM_QUEUE_LENGTH] = stat_tw_mean(&p->queue_tw, t);
    m[PM_FAILURES] = p->failures;
    m[PM_MTTF_OBSERVED] = ratio(p->up_sum, p->up_n);
    m[PM_MTTR_OBSERVED] = ratio(p->down_sum, p->down_n);
    m[PM_ARRIVALS] = p->arrivals;
    m[PM_WASTED_FRACTION] = ratio(p->wasted, p->served);
    m[PM_REJECTED] = p->rejected;
    m[PM_SHED_FRACTION] = p->adm ? ratio(p->shed, p->arrivals) : NAN;
    m[PM_REJECTED_FRACTION] = p->cfg->queue_limit > 0 || p->gated ? ratio(p->rejected, p->arrivals) : NAN;
    m[PM_CONCURRENCY_LIMIT] = p->lim ? stat_tw_mean(&p->limit_tw, t) / p->cfg->servers : NAN;
    m[PM_LOAD_AMPLIFICATION] = NAN; /* needs the clients: world.c */
    m[PM_DROPPED] = p->dropped;
    m[PM_INJECTED_ERRORS] = p->injected_errors;
    m[PM_INJECTED_DELAYS] = p->injected_delays;
    /* Periods still running at the horizon are censored, so the mean of the
     * completed ones is biased short when the window is not >> MTTF.  Total
     * time UP over the number of failures is the exponential MLE and uses the
     * censored time too. */
    double span = t - p->up_tw.start, up_time = up * span;
    double forced_time = stat_tw_mean(&p->forced_tw, t) * span;
    m[PM_MTTF_ESTIMATE] = ratio(up_time, p->failures);
    m[PM_MTTR_ESTIMATE] = ratio(p->cfg->servers * span - up_time - forced_time, p->down_n);
    m[PM_RESTARTS] = p->live ? p->restarts : NAN;
    m[PM_SWITCHOVERS] = p->cfg->spares.count ? p->switchovers : NAN;
}

void pool_take_bin(pool *p, double *ts, double t, double width)
{
    ts[TSP_UP] = stat_tw_take_bin(&p->up_tw, t) / width;
    ts[TSP_BUSY] = stat_tw_take_bin(&p->busy_tw, t) / width;
    ts[TSP_QUEUE] = stat_tw_take_bin(&p->queue_tw, t) / width;
    ts[TSP_ARRIVALS] = (p->arrivals - p->bin_arrivals0) / width;
    ts[TSP_LIMIT] = p->lim ? stat_tw_take_bin(&p->limit_tw, t) / width / p->cfg->servers : NAN;
    p->bin_arrivals0 = p->arrivals;
    stat_tw_take_bin(&p->quorum_tw, t);
}
