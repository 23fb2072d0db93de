/* modelcheck.c - predictions from models/analytic.h next to the simulation.
 *
 * Each check states its assumptions and is "not applicable" (with the
 * reason) when the scenario breaks one.  The verdict margin widens the 95% CI
 * by a quarter of its half-width (so a prediction just outside a tight CI
 * is not called a difference by chance) plus, for steady-state formulas, the
 * exact start-up (transient) bias where it is known.
 *
 * Pools whose failure and repair times are exponential are also solved as
 * Markov chains (models/markov_pool.h): their availabilities are then
 * predicted exactly over the run's window [warmup, horizon] from all UP, with
 * repair crews and forced outages included, so no transient margin is needed
 * and the check reaches beyond the closed-form list; a bounded per-server
 * queue gets its exact M/M/c/K busy servers, queue length and rejections.
 * When every replication saw the quorum held (no outage), the item says so
 * and gives the exact unavailability in nines instead.
 */
#include "app/modelcheck.h"
#include "app/modelcheck_int.h"
#include "app/results.h"
#include "models/analytic.h"
#include "models/dist.h"
#include "models/markov_pool.h"
#include "models/throttle.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mc_item *add_item(mc_list *l)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 16;
        mc_item *p = realloc(l->items, (size_t)cap * sizeof *p);
        if (!p)
            return NULL;
        l->items = p;
        l->cap = cap;
    }
    mc_item *it = &l->items[l->n++];
    memset(it, 0, sizeof *it);
    it->predicted = NAN;
    return it;
}

int mc_add_analytic(mc_list *l, int is_pool, const char *entity, const char *key, double v)
{
    if (l->nanalytic == l->acap) {
        int cap = l->acap ? 2 * l->acap : 16;
        mc_analytic *p = realloc(l->analytic, (size_t)cap * sizeof *p);
        if (!p)
            return -1;
        l->analytic = p;
        l->acap = cap;
    }
    mc_analytic *a = &l->analytic[l->nanalytic++];
    a->is_pool = is_pool;
    snprintf(a->entity, sizeof a->entity, "%s", entity);
    snprintf(a->key, sizeof a->key, "%s", key);
    a->value = v;
    return 0;
}

/* Compare OBS with PRED (a finite prediction) or mark it not applicable. */
int mc_check(mc_list *l, const char *quantity, stat_summary obs, double pred, double extra,
                 const char *reason, const char *fmt, ...)
{
    mc_item *it = add_item(l);
    if (!it)
        return -1;
    snprintf(it->quantity, sizeof it->quantity, "%s", quantity);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->formula, sizeof it->formula, fmt, ap);
    va_end(ap);
    it->observed = obs;
    if (reason || !isfinite(pred)) {
        it->verdict = MC_NA;
        snprintf(it->reason, sizeof it->reason, "%s", reason ? reason : "no finite prediction");
        it->margin = NAN;
        return 0;
    }
    it->predicted = pred;
    double half = isfinite(stat_half95(obs)) ? stat_half95(obs) : 0;
    it->margin = 0.25 * half + extra;
    if (obs.n < 2 || !isfinite(obs.lo)) {
        it->margin = NAN;
        it->verdict = MC_NA;
        snprintf(it->reason, sizeof it->reason, "needs at least 2 replications for a CI");
    } else if (obs.sd == 0 && pred != obs.mean) {
        it->margin = NAN;
        it->verdict = MC_NA;
        snprintf(it->reason, sizeof it->reason,
                 "every replication gave the same value (a rare event): run longer or more replications");
    } else {
        it->verdict = (pred >= obs.lo && pred <= obs.hi) ? MC_AGREES
                      : (pred >= obs.lo - it->margin && pred <= obs.hi + it->margin) ? MC_AGREES_WIDENED
                                                                                   : MC_DIFFERS;
    }
    return 0;
}

/* Is pool P ever forced down by a `fail` event? */
int mc_forced(const scenario *sc, int p)
{
    for (int k = 0; k < sc->nevents; k++)
        if (sc->events[k].kind == EVENT_FAIL && sc->events[k].pool == p)
            return 1;
    return 0;
}

/* Mean availability over [w, T] of a server starting UP at 0 (exact). */
static double window_availability(double l, double m, double w, double T)
{
    double aT, aw = 1;
    if (an_availability_interval(l, m, T, &aT))
        return NAN;
    if (w > 0 && an_availability_interval(l, m, w, &aw))
        return NAN;
    return (T * aT - w * aw) / (T - w);
}

/* MTTF and MTTR: the estimates (time UP or DOWN over the number of
 * periods ended) are consistent whatever the window; the plain means of
 * completed periods are biased short when periods as long as the window
 * are cut off by it, so they are only compared when the window is at least
 * 50 mean periods long. */
static int check_periods(mc_list *l, const exec_result *r, int p, const char *reason, int unlimited)
{
    const scenario *sc = r->sc;
    const pool_cfg *pc = &sc->pools[p];
    double lam = pc->failure.rate, mu = pc->repair.rate, span = sc->horizon - sc->warmup;
    const char *crews = "down time includes waiting for a repair crew";
    const char *cut = "periods as long as the window are cut off (censored): this mean is biased short; see the estimate";
    char q[160];
    snprintf(q, sizeof q, "pools.%s.mttf_estimate", pc->name);
    if (mc_check(l, q, results_pool_stat(r, p, PM_MTTF_ESTIMATE), reason ? NAN : 1 / lam, 0, reason,
              "1/lambda (time UP / failures)"))
        return -1;
    snprintf(q, sizeof q, "pools.%s.mttr_estimate", pc->name);
    if (mc_check(l, q, results_pool_stat(r, p, PM_MTTR_ESTIMATE), reason ? NAN : 1 / mu, 0,
              reason ? reason : unlimited ? NULL : crews, "1/mu (time DOWN / repairs)"))
        return -1;
    snprintf(q, sizeof q, "pools.%s.mttf_observed", pc->name);
    if (mc_check(l, q, results_pool_stat(r, p, PM_MTTF_OBSERVED), reason ? NAN : 1 / lam, 0,
              reason ? reason : span < 50 / lam ? cut : NULL, "1/lambda"))
        return -1;
    snprintf(q, sizeof q, "pools.%s.mttr_observed", pc->name);
    return mc_check(l, q, results_pool_stat(r, p, PM_MTTR_OBSERVED), reason ? NAN : 1 / mu, 0,
                 reason ? reason : !unlimited ? crews : span < 50 / mu ? cut : NULL, "1/mu");
}

/* Did liveness restart any server of pool P? */
static int restarted(const exec_result *r, int p)
{
    return r->sc->pools[p].liveness.enabled && results_pool_stat(r, p, PM_RESTARTS).mean > 0;
}

/* With spares the periods are a unit's, not a position's: 1/lambda and
 * 1/mu do not apply (exact chain or not). */
#define SPARES_PERIODS "with spares a unit's up time includes time idle as a spare"

/* Pools with spares: the standby chain (models/analytic.h an_standby). */
static int check_standby(mc_list *l, const exec_result *r, int p, const char *reason)
{
    const scenario *sc = r->sc;
    const pool_cfg *pc = &sc->pools[p];
    const spares_cfg *sp = &pc->spares;
    double lam = pc->failure.rate, mu = pc->repair.rate, sys = NAN, act = NAN, extra = 0;
    double f = sp->mode == SPARE_HOT ? 1 : sp->mode == SPARE_WARM ? sp->warm_factor : 0;
    int n = pc->servers;
    char q[160];
    if (!reason && sp->switchover.kind != DIST_NONE)
        reason = "switchover takes time: the standby chain assumes an instant failover";
    if (!reason && an_standby(n, sp->count, f, pc->quorum, pc->repair_crews, lam, mu, &sys, &act) == AN_OK) {
        mc_add_analytic(l, 1, pc->name, "standby", sys);
        double steady = NAN;
        an_availability(lam, mu, &steady);
        /* start-up bias of one server's availability, as for machine_repair */
        extra = fabs(window_availability(lam, mu, sc->warmup, sc->horizon) - steady);
    }
    snprintf(q, sizeof q, "pools.%s.server_availability", pc->name);
    if (mc_check(l, q, results_pool_stat(r, p, PM_SERVER_AVAILABILITY), act / n, extra, reason,
              "standby_mean_active / n, n=%d s=%d f=%g c=%d lambda=%g mu=%g", n, sp->count, f,
              pc->repair_crews, lam, mu))
        return -1;
    snprintf(q, sizeof q, "pools.%s.system_availability", pc->name);
    if (mc_check(l, q, results_pool_stat(r, p, PM_SYSTEM_AVAILABILITY), sys, extra * n, reason,
              "standby(n=%d, s=%d, f=%g, k=%d, c=%d)", n, sp->count, f, pc->quorum, pc->repair_crews))
        return -1;
    return check_periods(l, r, p, SPARES_PERIODS, 1);
}

/* Work (flops) the exact window would take, roughly: uniformization steps
 * q (T - w) times the chain's size; above MC_EXACT_WORK the closed forms
 * (with their transient margin) are used instead, to keep the check fast. */
#define MC_EXACT_WORK 3e8

static int exact_window(const mp_model *m, const scenario *sc, double *srv, double *sys, int *states)
{
    const ctmc *c = m->has_forced ? &m->forced : &m->avail;
    if (!m->fails && !m->has_forced)
        return -1;
    if (1.02 * c->qmax * sc->horizon * (double)(c->n + c->nnz) > MC_EXACT_WORK)
        return -1;
    ctmc_info in;
    *states = (int)c->n;
    return mp_window(m, sc->warmup, sc->horizon, srv, sys, &in) == MP_OK ? 0 : -1;
}

/* The exact steady state in "analytic"; its unavailability into *U (or NAN). */
static void exact_steady(mc_list *l, const mp_model *m, const char *name, double *u)
{
    mp_steady_result st;
    *u = NAN;
    if (!m->fails || mp_steady(m, &st) != MP_OK)
        return;
    *u = st.system_unavailability;
    mc_add_analytic(l, 1, name, "ctmc_server_availability", st.server_availability);
    mc_add_analytic(l, 1, name, "ctmc_system_unavailability", st.system_unavailability);
    if (st.system_unavailability > 0)
        mc_add_analytic(l, 1, name, "ctmc_nines", -log10(st.system_unavailability));
    if (isfinite(st.mttf_system))
        mc_add_analytic(l, 1, name, "ctmc_mttf_system", st.mttf_system);
}

/* A system availability of 1 in every replication: no outage was seen, and
 * the CI is a point.  Say so and give the exact value. */
static void rare_event_note(mc_item *it, double u_steady)
{
    if (strcmp(it->verdict, "not applicable") || it->observed.n < 1 || it->observed.sd != 0 ||
        it->observed.mean != 1 || !isfinite(it->predicted))
        return;
    if (isfinite(u_steady) && u_steady > 0)
        snprintf(it->reason, sizeof it->reason,
                 "0 outages seen in %d replications; exact unavailability %.5g (%.2f nines) steady, %.3g in "
                 "this window: relsim solve",
                 (int)it->observed.n, u_steady, -log10(u_steady), 1 - it->predicted);
    else
        snprintf(it->reason, sizeof it->reason, "0 outages seen in %d replications; exact window value %.10g",
                 (int)it->observed.n, it->predicted);
}

static int check_pool_avail(mc_list *l, const exec_result *r, int p)
{
    const scenario *sc = r->sc;
    const pool_cfg *pc = &sc->pools[p];
    char q[160];
    const char *reason = NULL;
    char why[160];
    int has_forced = mc_forced(sc, p);
    if (pc->failure.kind == DIST_NONE && !has_forced)
        return 0; /* never fails: nothing to predict */
    if (pc->failure.kind != DIST_NONE &&
        (pc->failure.kind != DIST_EXPONENTIAL || pc->repair.kind != DIST_EXPONENTIAL)) {
        snprintf(why, sizeof why, "%s failures, %s repairs: the formulas assume exponential",
                 dist_name(pc->failure.kind), dist_name(pc->repair.kind));
        reason = why;
    } else if (restarted(r, p)) {
        reason = "liveness restarts took servers DOWN";
    }
    /* the exact chain over the run's window, when it is cheap enough */
    mp_model m;
    char mwhy[400];
    int built = !reason && mp_build(sc, p, &m, mwhy, sizeof mwhy) == MP_OK, states = 0;
    double ex_srv = NAN, ex_sys = NAN, u_steady = NAN;
    int exact = built && exact_window(&m, sc, &ex_srv, &ex_sys, &states) == 0;
    if (built)
        exact_steady(l, &m, pc->name, &u_steady);
    if (built)
        mp_free(&m);
    if (!reason && !exact && has_forced)
        reason = "forced outages (events) change the up/down process";
    if (pc->spares.count > 0 && !exact)
        return check_standby(l, r, p, reason);
    double lam = pc->failure.rate, mu = pc->repair.rate, pred = NAN, extra = 0, sys = NAN;
    int n = pc->servers, c = pc->repair_crews, unlimited = c == 0 || c >= n;
    if (!reason && pc->failure.kind != DIST_NONE) {
        double steady = NAN, up = NAN;
        an_availability(lam, mu, &steady);
        if (unlimited) {
            pred = window_availability(lam, mu, sc->warmup, sc->horizon);
            an_k_of_n(n, pc->quorum, lam, mu, &sys);
            mc_add_analytic(l, 1, pc->name, "k_of_n", sys);
        } else {
            an_machine_repair_mean_up(n, c, lam, mu, &up);
            pred = up / n;
            extra = fabs(window_availability(lam, mu, sc->warmup, sc->horizon) - steady);
            an_machine_repair(n, c, pc->quorum, lam, mu, &sys);
            mc_add_analytic(l, 1, pc->name, "machine_repair", sys);
        }
        mc_add_analytic(l, 1, pc->name, "availability", steady);
    }
    /* the quorum probability converges at the same speed: allow the same transient */
    double tr = unlimited && !reason ? fabs(pred - (mu / (lam + mu))) * n : extra * n;
    if (exact) {
        pred = ex_srv;
        sys = ex_sys;
        extra = tr = 0;
    }
    snprintf(q, sizeof q, "pools.%s.server_availability", pc->name);
    if (exact ? mc_check(l, q, results_pool_stat(r, p, PM_SERVER_AVAILABILITY), pred, 0, NULL,
                      "exact CTMC over [%g, %g] s, %d states", sc->warmup, sc->horizon, states)
              : mc_check(l, q, results_pool_stat(r, p, PM_SERVER_AVAILABILITY), pred, extra, reason,
                      unlimited ? "mu/(lambda+mu) over [warmup, horizon], lambda=%g mu=%g"
                                : "machine_repair mean up / n, lambda=%g mu=%g",
                      lam, mu))
        return -1;
    snprintf(q, sizeof q, "pools.%s.system_availability", pc->name);
    if (exact ? mc_check(l, q, results_pool_stat(r, p, PM_SYSTEM_AVAILABILITY), sys, 0, NULL,
                      "exact CTMC over [%g, %g] s, quorum %d of %d", sc->warmup, sc->horizon, pc->quorum, n)
              : mc_check(l, q, results_pool_stat(r, p, PM_SYSTEM_AVAILABILITY), sys, tr, reason,
                      unlimited ? "k_of_n(n=%d, k=%d)" : "machine_repair(n=%d, c=%d)", n,
                      unlimited ? pc->quorum : c))
        return -1;
    rare_event_note(&l->items[l->n - 1], u_steady);
    if (pc->failure.kind == DIST_NONE)
        return 0;
    if (!reason && has_forced)
        reason = "forced outages (events) change the up/down process";
    if (!reason && pc->spares.count > 0)
        reason = SPARES_PERIODS;
    return check_periods(l, r, p, reason, unlimited);
}

/* Does pool PC have admission control (a queue timeout, CoDel or another
 * discipline than FIFO)? */
int mc_pool_admission(const pool_cfg *pc)
{
    const admission_cfg *ad = &pc->admission;
    return ad->queue_timeout > 0 || ad->codel || ad->discipline != QDISC_FIFO;
}

/* Does a client-side gate (throttle, bulkhead, rate or concurrency limit)
 * refuse or delay some of the caller's attempts? */
int mc_client_gated(const policy_cfg *po)
{
    return po->throttle.enabled || po->bulkhead.enabled || po->rate_limit.enabled || po->limit.kind != LIMIT_NONE;
}

/* Why pool P is not a plain queue fed by Poisson clients, or NULL.  *RATE
 * gets the total arrival rate and *ONLY the single client feeding it (or -1). */
static const char *plain_queue(const scenario *sc, int p, double *rate, int *only)
{
    const pool_cfg *pc = &sc->pools[p];
    *rate = 0;
    *only = -1;
    int feeders = 0;
    if (pc->failure.kind != DIST_NONE || mc_forced(sc, p))
        return "servers fail";
    if (pc->queue_limit > 0)
        return "bounded queue (arrivals are rejected)";
    if (pc->has_calls)
        return "serving waits on a downstream pool";
    if (pc->liveness.enabled && pc->liveness.probe == PROBE_QUEUED)
        return "queued liveness probes can restart busy servers";
    for (int q = 0; q < sc->npools; q++)
        if (sc->pools[q].has_calls && sc->pools[q].calls.target == p)
            return "fed by another pool's calls";
    if (inject_active(&pc->inject))
        return "fault injection (errors or delays) in front of the servers";
    if (pc->slowdown.per_request > 0 || pc->slowdown.npoints > 0)
        return "service slows down with concurrency";
    if (pc->liveness.enabled)
        return "liveness probes restart servers (load is shed while they restart)";
    if (mc_pool_admission(pc))
        return "admission control sheds attempts or serves them out of order";
    if (pc->max_concurrency > 0 || pc->limit.kind != LIMIT_NONE)
        return "a concurrency limit rejects attempts";
    for (int k = 0; k < sc->nevents; k++) {
        if (sc->events[k].kind == EVENT_LOAD && sc->clients[sc->events[k].client].policy.target == p)
            return "load events change the arrival rate";
        if (sc->events[k].kind == EVENT_INJECT && sc->events[k].pool == p)
            return "inject events (errors or delays) in front of the servers";
        if (sc->events[k].kind == EVENT_PARTITION && sc->events[k].client >= 0 &&
            sc->clients[sc->events[k].client].policy.target == p)
            return "partition events cut a client's link";
    }
    for (int c = 0; c < sc->nclients; c++) {
        const client_cfg *cc = &sc->clients[c];
        if (cc->policy.target != p)
            continue;
        if (cc->arrival.process != ARRIVAL_POISSON)
            return "closed-loop clients";
        if (cc->arrival.nsched > 0 || cc->arrival.period > 0)
            return "the arrival rate varies over time (schedule or periodic)";
        if (cc->policy.health.enabled && cc->policy.health.probe == PROBE_QUEUED)
            return "queued health probes can eject busy servers (load shifts)";
        if (cc->policy.network.enabled)
            return "the client's network delays or loses messages";
        if (cc->policy.fanout.count > 0)
            return "fan-out: each request sends several leaves";
        if (cc->policy.hedge.enabled || (cc->policy.timeout > 0 && cc->policy.retry.max_attempts > 1))
            return "timeouts trigger retries or hedges (extra load)";
        if ((cc->policy.timeout > 0 || cc->policy.deadline > 0) &&
            (cc->policy.breaker.kind != BREAKER_NONE || cc->policy.outlier.enabled))
            return "breakers or ejection triggered by timeouts shed or shift load";
        if (cc->policy.breaker.kind == BREAKER_FAILURE_RATE && cc->policy.breaker.slow_call_duration > 0)
            return "a slow-call breaker sheds load when responses are slow";
        if (cc->policy.health.enabled)
            return "active health checks take servers out of rotation (shift load)";
        if (mc_client_gated(&cc->policy))
            return CLIENT_GATES;
        *rate += cc->arrival.rate;
        *only = c;
        feeders++;
    }
    if (feeders != 1)
        *only = -1;
    return feeders ? NULL : "no client sends to it";
}

/* Requests/s the Poisson clients targeting pool P offer at their base rate
 * (before retries): the Q_balance input shown even when the check does not
 * apply, so the formula never reads rho=0 for a pool that has traffic. */
double mc_offered_rate(const scenario *sc, int p)
{
    double rate = 0;
    for (int c = 0; c < sc->nclients; c++)
        if (sc->clients[c].policy.target == p && sc->clients[c].arrival.process == ARRIVAL_POISSON)
            rate += sc->clients[c].arrival.rate;
    return rate;
}

/* The exact per-server M/M/c/K chain's measures (steady state) into *R;
 * 0, or -1 if the pool's queue is not Markovian. */
static int exact_queue(const scenario *sc, int p, mp_model *m, mp_steady_result *r, char *why, size_t len)
{
    if (mp_build(sc, p, m, why, len) != MP_OK)
        return -1;
    if (!m->has_queue || mp_steady(m, r) != MP_OK) {
        snprintf(why, len, "%s", m->queue_why[0] ? m->queue_why : "the solver failed");
        mp_free(m);
        return -1;
    }
    return 0;
}

/* A bounded queue: busy servers, queue length and rejections from the exact
 * M/M/c/K chain (the closed forms need an unbounded queue). */
static int check_bounded_queue(mc_list *l, const exec_result *r, int p)
{
    const scenario *sc = r->sc;
    const pool_cfg *pc = &sc->pools[p];
    mp_model m;
    mp_steady_result st;
    char q[160], why[400];
    snprintf(q, sizeof q, "pools.%s.busy_servers", pc->name);
    if (exact_queue(sc, p, &m, &st, why, sizeof why))
        return mc_check(l, q, results_pool_stat(r, p, PM_BUSY_SERVERS), NAN, 0, why, "M/M/c/K");
    int w = m.workers, cap = m.cap;
    double lam = m.lambda, span = sc->horizon - sc->warmup, rej = lam * pc->servers * st.blocking * span;
    mp_free(&m);
    mc_add_analytic(l, 1, pc->name, "mmck_blocking", st.blocking);
    snprintf(q, sizeof q, "pools.%s.busy_servers", pc->name);
    if (mc_check(l, q, results_pool_stat(r, p, PM_BUSY_SERVERS), st.busy_servers, 0, NULL,
              "exact M/M/%d/%d per server, lambda=%g", w, cap, lam))
        return -1;
    snprintf(q, sizeof q, "pools.%s.queue_length", pc->name);
    if (mc_check(l, q, results_pool_stat(r, p, PM_QUEUE_LENGTH), st.queue_length, 0, NULL,
              "exact M/M/%d/%d per server, lambda=%g", w, cap, lam))
        return -1;
    snprintf(q, sizeof q, "pools.%s.rejected", pc->name);
    return mc_check(l, q, results_pool_stat(r, p, PM_REJECTED), rej, 0, NULL,
                 "lambda * blocking * (horizon - warmup), blocking=%.6g", st.blocking);
}

static int check_pool_queue(mc_list *l, const exec_result *r, int p)
{
    const scenario *sc = r->sc;
    const pool_cfg *pc = &sc->pools[p];
    double lam, es = dist_mean(&pc->service), pred = NAN;
    int only;
    const char *reason = plain_queue(sc, p, &lam, &only);
    if (reason && !strcmp(reason, "no client sends to it"))
        return 0;
    if (reason && pc->queue_limit > 0 && !strncmp(reason, "bounded queue", 13))
        return check_bounded_queue(l, r, p);
    if (reason)
        lam = mc_offered_rate(sc, p);
    int n = pc->servers, w = pc->workers;
    if (!reason && lam * es >= n * w)
        reason = "unstable: offered load >= capacity";
    if (!reason && an_q_balance(n, lam / n, 1 / es, &pred) == AN_OK)
        mc_add_analytic(l, 1, pc->name, "q_balance", pred);
    char q[160];
    snprintf(q, sizeof q, "pools.%s.busy_servers", pc->name);
    if (mc_check(l, q, results_pool_stat(r, p, PM_BUSY_SERVERS), pred, 0, reason,
              "Q_balance = N rho / K, N=%d rho=%g K=%g", n, lam / n, 1 / es))
        return -1;
    mp_model m;
    mp_steady_result st;
    char why[400];
    if (!reason && exact_queue(sc, p, &m, &st, why, sizeof why) == 0) {
        /* the M/M/c per server, cut where P(N > cap) <= 1e-12 */
        snprintf(q, sizeof q, "pools.%s.queue_length", pc->name);
        int bad = mc_check(l, q, results_pool_stat(r, p, PM_QUEUE_LENGTH), st.queue_length, 0, NULL,
                        "exact M/M/%d per server (CTMC, %d states), lambda=%g", m.workers, m.cap + 1, m.lambda);
        mp_free(&m);
        if (bad)
            return -1;
    }
    if (reason || only < 0 || (pc->service.kind != DIST_EXPONENTIAL && pc->discipline != DISC_PS))
        return 0;
    const client_cfg *cc = &sc->clients[only];
    if (cc->policy.timeout > 0 || cc->policy.deadline > 0)
        reason = "timeouts censor the latency of successful requests";
    else if (n > 1 && cc->policy.balancer != BAL_RANDOM)
        reason = "only random splitting keeps each server's arrivals Poisson";
    if (pc->discipline == DISC_PS) { /* insensitive: any service distribution */
        double rho1 = lam / n * es, ps = reason ? NAN : es / (1 - rho1);
        snprintf(q, sizeof q, "clients.%s.latency_mean", cc->name);
        return mc_check(l, q, results_caller_stat(r, only, CM_LATENCY_MEAN), ps, 0, reason,
                     "M/G/1-PS: E[S]/(1 - rho), E[S]=%g rho=%g", es, rho1);
    }
    double lam1 = lam / n, K = 1 / es, resp = NAN, p99 = NAN;
    if (!reason) {
        an_mmc_response(w, lam1, K, &resp);
        mc_add_analytic(l, 0, cc->name, w == 1 ? "mm1_response" : "mmc_response", resp);
    }
    snprintf(q, sizeof q, "clients.%s.latency_mean", cc->name);
    if (mc_check(l, q, results_caller_stat(r, only, CM_LATENCY_MEAN), resp, 0, reason,
              w == 1 ? "M/M/1: 1/(K - lambda), lambda=%g K=%g" : "M/M/c (Erlang C), lambda=%g K=%g",
              lam1, K))
        return -1;
    if (w != 1 || reason)
        return 0;
    an_mm1_response_quantile(lam1, K, 0.99, &p99);
    snprintf(q, sizeof q, "clients.%s.latency_p99", cc->name);
    /* the log histogram's buckets are at most 1/64 = 1.5625% wide (STAT_HIST_SUB) */
    return mc_check(l, q, results_caller_stat(r, only, CM_LATENCY_P99), p99, p99 / STAT_HIST_SUB, NULL,
                 "M/M/1: -ln(0.01)/(K - lambda)");
}

static int check_client(mc_list *l, const exec_result *r, int c)
{
    const scenario *sc = r->sc;
    const client_cfg *cc = &sc->clients[c];
    const backoff_cfg *b = &cc->policy.retry.backoff;
    char q[160];
    if (b->kind == BACKOFF_EXPONENTIAL_RANDOM && cc->policy.retry.max_attempts > 1) {
        double pf = NAN;
        an_p_retry_fires(b->rate, b->t_max, &pf);
        mc_add_analytic(l, 0, cc->name, "p_retry_fires", pf);
        snprintf(q, sizeof q, "clients.%s.retry_fired_fraction", cc->name);
        if (mc_check(l, q, results_caller_stat(r, c, CM_RETRY_FIRED), pf, 0, NULL,
                  "P_retry(t_max) = 1 - e^{-lambda t_max}, lambda=%g t_max=%g", b->rate, b->t_max))
            return -1;
    }
    if (cc->policy.p_timeout > 0) {
        const pool_cfg *pc = &sc->pools[cc->policy.target];
        mc_add_analytic(l, 0, cc->name, "t_timeout", cc->policy.timeout);
        double lam;
        int only;
        const char *reason = plain_queue(sc, cc->policy.target, &lam, &only);
        if (!reason && pc->service.kind != DIST_EXPONENTIAL)
            reason = "service times are not exponential";
        double K = 1 / dist_mean(&pc->service), load = lam * (1 / K) / (pc->servers * pc->workers);
        if (!reason && load > 0.05)
            reason = "the server is loaded: T_timeout with mu = K assumes an idle server; use mu_eff = K - lambda";
        snprintf(q, sizeof q, "clients.%s.timeout_fraction", cc->name);
        if (mc_check(l, q, results_caller_stat(r, c, CM_TIMEOUT_FRACTION), cc->policy.p_timeout, 0, reason,
                  "T_timeout = -ln(p)/K cuts off p=%g, K=%g", cc->policy.p_timeout, K))
            return -1;
    }
    return 0;
}

/* Why client C's health-check closed forms do not apply (NULL: they do). */
static const char *health_reason(const exec_result *r, int c)
{
    const scenario *sc = r->sc;
    const health_cfg *h = &sc->clients[c].policy.health;
    int p = sc->clients[c].policy.target;
    const pool_cfg *pc = &sc->pools[p];
    if (mc_forced(sc, p) || restarted(r, p))
        return "forced outages or restarts add DOWN periods";
    if (pc->failure.kind == DIST_NONE)
        return "the servers never fail";
    if (pc->failure.kind != DIST_EXPONENTIAL || pc->repair.kind != DIST_EXPONENTIAL)
        return "the formulas assume exponential failures and repairs";
    if (h->probe == PROBE_QUEUED)
        return "queued probes also fail on busy servers";
    if (h->jitter > 0)
        return "jitter makes the probe period random";
    if (pc->spares.count > 0)
        return "spares: a position's DOWN time is a switchover, not a repair";
    if (pc->repair_crews > 0 && pc->repair_crews < pc->servers)
        return "down time includes waiting for a repair crew";
    return NULL;
}

static int check_health(mc_list *l, const exec_result *r, int c)
{
    const scenario *sc = r->sc;
    const client_cfg *cc = &sc->clients[c];
    const health_cfg *h = &cc->policy.health;
    const pool_cfg *pc = &sc->pools[cc->policy.target];
    double lam = pc->failure.rate, mu = pc->repair.rate, I = h->interval;
    int hang = pc->mode == FAIL_HANG;
    const char *reason = health_reason(r, c), *mis = reason, *rec = reason;
    if (!mis && (h->unhealthy_threshold > 1 || h->healthy_threshold > 1))
        mis = "thresholds above 1 (the closed form needs both = 1)";
    if (!mis && hang)
        mis = "hang: failed probes take the timeout, so probes are not every interval";
    if (!rec && hang)
        rec = "hang: a probe sent while DOWN fails even if the server returns";
    double pm = NAN, pd = NAN, pr = NAN, tr = 0;
    if (!mis) {
        an_mismatch_fraction(lam, mu, I, &pm);
        mc_add_analytic(l, 0, cc->name, "mismatch_fraction", pm);
        double steady = NAN;
        an_availability(lam, mu, &steady);
        tr = fabs(window_availability(lam, mu, sc->warmup, sc->horizon) - steady);
    }
    if (!reason) {
        an_detection_delay(I, h->unhealthy_threshold, hang ? h->timeout : 0, mu, lam, &pd);
        mc_add_analytic(l, 0, cc->name, "detection_delay", pd);
    }
    if (!rec) {
        an_detection_delay(I, h->healthy_threshold, 0, lam, mu, &pr);
        mc_add_analytic(l, 0, cc->name, "recovery_detection_delay", pr);
    }
    static const int ids[2] = {CM_UNDETECTED_DOWN_FRACTION, CM_EJECTED_UP_FRACTION};
    char q[160];
    for (int k = 0; k < 2; k++) {
        snprintf(q, sizeof q, "clients.%s.%s", cc->name, k ? "ejected_up_fraction" : "undetected_down_fraction");
        if (mc_check(l, q, results_caller_stat(r, c, ids[k]), pm, tr, mis,
                  "mismatch_fraction(lambda=%g, mu=%g, interval=%g)", lam, mu, I))
            return -1;
    }
    /* An UP (DOWN) period too short for a good (failed) probe carries the
     * other count over and shortens the next delay: with probability about
     * lambda I (mu I), by at most the (F-1) probes the formula counts. */
    double T = hang ? h->timeout : 0;
    snprintf(q, sizeof q, "clients.%s.detection_delay", cc->name);
    if (mc_check(l, q, results_caller_stat(r, c, CM_DETECTION_DELAY), pd,
              lam * I * (h->unhealthy_threshold - 1) * (I + T), reason,
              "detection_delay(interval=%g, f=%d, t=%g, mu=%g, lambda=%g)", I, h->unhealthy_threshold,
              T, mu, lam))
        return -1;
    snprintf(q, sizeof q, "clients.%s.recovery_detection_delay", cc->name);
    return mc_check(l, q, results_caller_stat(r, c, CM_RECOVERY_DETECTION_DELAY), pr,
                 mu * I * (h->healthy_threshold - 1) * I, rec,
                 "detection_delay(interval=%g, f=%d, t=0, mu=%g, lambda=%g) (rates exchanged)", I,
                 h->healthy_threshold, lam, mu);
}

int modelcheck_run(const exec_result *r, mc_list *out)
{
    memset(out, 0, sizeof *out);
    for (int p = 0; p < r->sc->npools; p++) {
        const pool_cfg *pc = &r->sc->pools[p];
        if (check_pool_avail(out, r, p) || check_pool_queue(out, r, p) ||
            (mc_pool_admission(pc) && mc_check_shed(out, r, p)) || (pc->max_concurrency > 0 && mc_check_blocking(out, r, p)))
            return -1;
    }
    for (int c = 0; c < r->sc->nclients; c++)
        if (check_client(out, r, c) || (r->sc->clients[c].policy.health.enabled && check_health(out, r, c)) ||
            (r->sc->clients[c].policy.throttle.enabled && mc_check_throttle(out, r, c)))
            return -1;
    return 0;
}

void mc_list_free(mc_list *l)
{
    free(l->items);
    free(l->analytic);
    memset(l, 0, sizeof *l);
}
