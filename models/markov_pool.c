/* markov_pool.c - a pool's failure/repair process and its queue as CTMCs;
 * see markov_pool.h for the two chains and when each applies.
 *
 * Both chains are birth-death chains, so their generators are tridiagonal and
 * ctmc_steady solves them with GSL's banded LU whatever their size.  The
 * steady-state solve pins the chain's mode (the first state whose birth rate
 * is below the next death rate): every other probability is then at most 1
 * relative to it, so nothing overflows, and the rare down states keep their
 * full relative precision (the system unavailability is summed from them,
 * never computed as 1 - A).
 */
#include "models/markov_pool.h"
#include "models/dist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void note(char *buf, size_t len, const char *what)
{
    size_t used = strlen(buf);
    if (used + 3 < len)
        snprintf(buf + used, len - used, "%s%s", used ? "; " : "", what);
}

static int is_forced(const scenario *sc, int p)
{
    for (int k = 0; k < sc->nevents; k++)
        if (sc->events[k].kind == EVENT_FAIL && sc->events[k].pool == p)
            return 1;
    return 0;
}

/* ---- availability chain ----------------------------------------------- */

/* One state of the availability chain: j units DOWN, w positions waiting
 * for a switchover.  With u = n + s - j units UP, a = min(n, u) - w serve and
 * i = max(0, u - n) wait idle (spares are assigned as soon as one is free). */
static int avail_index(const mp_model *m, int j, int w) { return m->avail_off[j] + w; }

static int avail_add(mp_model *m, int j, int w, int j2, int w2, double rate)
{
    if (!(rate > 0))
        return MP_OK;
    return ctmc_add(&m->avail, (size_t)avail_index(m, j, w), (size_t)avail_index(m, j2, w2), rate) ? MP_ENOMEM
                                                                                                  : MP_OK;
}

/* Transitions out of (j, w); SIGMA = switchover rate (0: instant, w = 0). */
static int avail_state(mp_model *m, int j, int w, double lam, double mu, double f, double sigma, int crews)
{
    int n = m->n, units = m->units, u = units - j, a = (u < n ? u : n) - w, i = u > n ? u - n : 0;
    int rc = MP_OK;
    m->avail_up[avail_index(m, j, w)] = a;
    if (j < units) {
        /* an active unit fails: its position takes an idle spare (switching) or stays vacant */
        int wa = sigma > 0 && i > 0 ? w + 1 : w;
        rc |= avail_add(m, j, w, j + 1, wa, a * lam);
        /* a switching unit fails: another spare takes over, or the position is vacant */
        if (w > 0)
            rc |= avail_add(m, j, w, j + 1, i > 0 ? w : w - 1, w * f * lam);
        rc |= avail_add(m, j, w, j + 1, w, i * f * lam); /* an idle spare fails */
    }
    if (w > 0)
        rc |= avail_add(m, j, w, j, w - 1, w * sigma); /* a switchover completes */
    if (j > 0) {
        /* a repaired unit fills a vacant position (switching) or waits idle */
        int wr = sigma > 0 && u < n ? w + 1 : w;
        rc |= avail_add(m, j, w, j - 1, wr, (j < crews ? j : crews) * mu);
    }
    return rc;
}

static int build_avail(mp_model *m, const pool_cfg *pc)
{
    int n = pc->servers, s = pc->spares.count, units = n + s;
    int crews = pc->repair_crews == 0 || pc->repair_crews > units ? units : pc->repair_crews;
    double lam = pc->failure.rate, mu = pc->repair.rate;
    double f = s == 0 ? 0 : pc->spares.mode == SPARE_HOT ? 1 : pc->spares.mode == SPARE_WARM ? pc->spares.warm_factor : 0;
    double sigma = s > 0 && pc->spares.switchover.kind == DIST_EXPONENTIAL ? pc->spares.switchover.rate : 0;
    m->units = units;
    m->avail_off = malloc(((size_t)units + 2) * sizeof *m->avail_off);
    if (!m->avail_off)
        return MP_ENOMEM;
    double states = 0;
    for (int j = 0; j <= units; j++) {
        m->avail_off[j] = (int)states;
        int wmax = sigma > 0 ? (units - j < n ? units - j : n) : 0;
        states += wmax + 1;
    }
    m->avail_off[units + 1] = (int)states;
    if (states > CTMC_MAX_STATES)
        return MP_ETOOBIG;
    m->avail_up = malloc((size_t)states * sizeof *m->avail_up);
    if (!m->avail_up)
        return MP_ENOMEM;
    int rc = ctmc_init(&m->avail, (size_t)states);
    if (rc)
        return rc == CTMC_ETOOBIG ? MP_ETOOBIG : MP_ENOMEM;
    m->has_avail = 1;
    for (int j = 0; j <= units; j++)
        for (int w = 0; w < m->avail_off[j + 1] - m->avail_off[j]; w++)
            if (avail_state(m, j, w, lam, mu, f, sigma, crews))
                return MP_ENOMEM;
    /* pin the mode of the one-dimensional chain (w = 0): the first j whose
     * failure rate is below the next repair rate */
    m->avail_pin = 0;
    if (sigma == 0)
        for (int j = 0; j <= units; j++) {
            int u = units - j, a = u < n ? u : n, i = u > n ? u - n : 0;
            double up = (a + f * i) * lam, next = ((j + 1) < crews ? j + 1 : crews) * mu;
            m->avail_pin = (size_t)j;
            if (j == units || up < next)
                break;
        }
    return ctmc_finish(&m->avail) ? MP_ENOMEM : MP_OK;
}

/* This pool's events, and the (d, f) chain they need. */
static int build_forced(mp_model *m, const scenario *sc, int p)
{
    const pool_cfg *pc = &sc->pools[p];
    int n = pc->servers, k = 0;
    for (int e = 0; e < sc->nevents; e++)
        if (sc->events[e].kind == EVENT_FAIL && sc->events[e].pool == p)
            k++;
    if (k == 0)
        return MP_OK;
    if (pc->spares.count > 0) {
        snprintf(m->forced_why, sizeof m->forced_why,
                 "forced outages with spares: which unit a forced position holds is not modelled");
        m->nev = k;
        return MP_OK;
    }
    m->ev_at = malloc((size_t)k * sizeof *m->ev_at);
    m->ev_end = malloc((size_t)k * sizeof *m->ev_end);
    m->ev_count = malloc((size_t)k * sizeof *m->ev_count);
    if (!m->ev_at || !m->ev_end || !m->ev_count)
        return MP_ENOMEM;
    for (int e = 0; e < sc->nevents; e++) {
        const event_cfg *ev = &sc->events[e];
        if (ev->kind != EVENT_FAIL || ev->pool != p)
            continue;
        if (m->nev > 0 && ev->at <= m->ev_end[m->nev - 1] && !m->forced_why[0])
            snprintf(m->forced_why, sizeof m->forced_why,
                     "forced outages overlap (at %g and %g s): which servers come back would have to be tracked",
                     m->ev_at[m->nev - 1], ev->at);
        m->ev_at[m->nev] = ev->at;
        m->ev_end[m->nev] = ev->at + ev->duration;
        m->ev_count[m->nev] = ev->servers < n ? ev->servers : n;
        if (m->ev_count[m->nev] > m->fmax)
            m->fmax = m->ev_count[m->nev];
        m->nev++;
    }
    if ((double)(n + 1) * (m->fmax + 1) > CTMC_MAX_STATES)
        return MP_ETOOBIG;
    int c = pc->repair_crews == 0 || pc->repair_crews > n ? n : pc->repair_crews;
    double lam = m->fails ? pc->failure.rate : 0, mu = m->fails ? pc->repair.rate : 0;
    size_t states = (size_t)(n + 1) * (size_t)(m->fmax + 1);
    m->forced_up = malloc(states * sizeof *m->forced_up);
    if (!m->forced_up || ctmc_init(&m->forced, states))
        return MP_ENOMEM;
    m->has_forced = 1;
    for (size_t i = 0; i < states; i++) /* (d, f) with d + f > n: never entered */
        m->forced_up[i] = 0;
    for (int f = 0; f <= m->fmax; f++)
        for (int d = 0; d + f <= n; d++) {
            size_t i = (size_t)f * (size_t)(n + 1) + (size_t)d;
            m->forced_up[i] = n - d - f;
            if (d + f < n && ctmc_add(&m->forced, i, i + 1, (n - d - f) * lam))
                return MP_ENOMEM;
            if (d > 0 && ctmc_add(&m->forced, i, i - 1, (d < c ? d : c) * mu))
                return MP_ENOMEM;
        }
    return ctmc_finish(&m->forced) ? MP_ENOMEM : MP_OK;
}

/* ---- queue chain ------------------------------------------------------------ */

/* Why the attempts reaching pool P are not a Poisson stream split at random
 * over its servers, or NULL; *RATE gets their total rate. */
static const char *queue_feed(const scenario *sc, int p, double *rate)
{
    const pool_cfg *pc = &sc->pools[p];
    *rate = 0;
    if (pc->has_calls)
        return "serving waits on a downstream pool";
    if (pc->discipline != DISC_FIFO)
        return "processor sharing (the chain is for FIFO workers)";
    if (pc->slowdown.per_request > 0 || pc->slowdown.npoints > 0)
        return "service slows down with concurrency";
    if (pc->inject.error_rate > 0 || pc->inject.latency_fraction > 0)
        return "fault injection";
    if (pc->on_full != FULL_REJECT)
        return "a full queue drops attempts";
    if (pc->liveness.enabled)
        return "liveness restarts";
    if (pc->admission.queue_timeout > 0 || pc->admission.codel || pc->admission.discipline != QDISC_FIFO ||
        pc->max_concurrency > 0 || pc->limit.kind != LIMIT_NONE)
        return "admission control or a concurrency limit at the pool";
    for (int q = 0; q < sc->npools; q++)
        if (sc->pools[q].has_calls && sc->pools[q].calls.target == p)
            return "fed by another pool's calls";
    for (int k = 0; k < sc->nevents; k++) {
        const event_cfg *ev = &sc->events[k];
        if (ev->kind == EVENT_LOAD && sc->clients[ev->client].policy.target == p)
            return "load events change the arrival rate";
        if (ev->kind == EVENT_INJECT && ev->pool == p)
            return "fault injection events";
        if (ev->kind == EVENT_PARTITION && (ev->client < 0 || sc->clients[ev->client].policy.target == p))
            return "network partitions cut the traffic";
    }
    int feeders = 0;
    for (int c = 0; c < sc->nclients; c++) {
        const client_cfg *cc = &sc->clients[c];
        const policy_cfg *po = &cc->policy;
        if (po->target != p)
            continue;
        if (cc->arrival.process != ARRIVAL_POISSON)
            return "closed-loop clients (arrivals depend on the state)";
        if (cc->arrival.nsched > 0 || cc->arrival.period > 0)
            return "the arrival rate varies in time";
        if (po->health.enabled && po->health.probe == PROBE_QUEUED)
            return "queued health probes add load";
        if (pc->servers > 1 && po->balancer != BAL_RANDOM)
            return "a balancer other than random (each server's arrivals are not Poisson)";
        if (po->hedge.enabled)
            return "hedging adds attempts";
        if (po->network.enabled && po->network.loss > 0)
            return "network loss thins the traffic";
        if (po->fanout.count > 0)
            return "fan-out sends attempts in batches";
        if (po->throttle.enabled || po->bulkhead.enabled || po->rate_limit.enabled || po->limit.kind != LIMIT_NONE)
            return "client-side throttling, bulkhead, rate or concurrency limit";
        int rejects = pc->queue_limit > 0;
        if (po->retry.max_attempts > 1 && (po->timeout > 0 || (rejects && po->retry.retry_on.on_rejected)))
            return "retries add attempts";
        if ((po->breaker.kind != BREAKER_NONE || po->outlier.enabled) && (po->timeout > 0 || rejects))
            return "breakers or ejection shed or shift load";
        *rate += cc->arrival.rate;
        feeders++;
    }
    return feeders ? NULL : "no client sends to it";
}

static int build_queue(mp_model *m, const scenario *sc, int p)
{
    const pool_cfg *pc = &sc->pools[p];
    double total;
    const char *why = NULL;
    if (pc->failure.kind != DIST_NONE || is_forced(sc, p))
        why = "servers fail or are forced down: queue and outages are coupled (fail_fast drops the work)";
    else if (pc->service.kind != DIST_EXPONENTIAL)
        why = pc->service.kind == DIST_DETERMINISTIC ? "deterministic service times"
                                                      : "service times are not exponential";
    else
        why = queue_feed(sc, p, &total);
    if (why) {
        snprintf(m->queue_why, sizeof m->queue_why, "%s", why);
        return MP_OK;
    }
    int w = pc->workers;
    double lam = total / pc->servers, mu = pc->service.rate;
    m->lambda = lam;
    m->service_rate = mu;
    m->workers = w;
    if (pc->queue_limit > 0) {
        m->bounded = 1;
        if ((double)w + pc->queue_limit + 1 > CTMC_MAX_STATES) {
            snprintf(m->queue_why, sizeof m->queue_why,
                     "refused: workers + queue_limit + 1 = %.0f states > the limit %d",
                     (double)w + pc->queue_limit + 1, CTMC_MAX_STATES);
            return MP_OK;
        }
        m->cap = w + pc->queue_limit;
    } else {
        /* M/M/w: P(N >= w + j) <= rho^j, rho = lambda / (w mu) */
        double rho = lam / (w * mu);
        double extra = rho <= 0 ? 0 : ceil(log(MP_TRUNC_EPS) / log(rho));
        if (rho >= 1) {
            snprintf(m->queue_why, sizeof m->queue_why,
                     "unstable: offered load %.6g >= %d workers per server (the queue grows without bound)",
                     lam / mu, w);
            return MP_OK;
        }
        if ((double)w + extra + 1 > CTMC_MAX_STATES) {
            snprintf(m->queue_why, sizeof m->queue_why,
                     "refused: load too close to capacity (rho = %.9g) to truncate the unbounded queue "
                     "safely within %d states",
                     rho, CTMC_MAX_STATES);
            return MP_OK;
        }
        m->cap = w + (int)extra;
        m->trunc_bound = pow(rho, extra + 1);
    }
    if (ctmc_init(&m->queue, (size_t)m->cap + 1))
        return MP_ENOMEM;
    int pinned = 0;
    for (int k = 0; k <= m->cap; k++) {
        double arr = k < m->cap ? lam : 0, dep = (k < w ? k : w) * mu;
        if (arr > 0 && ctmc_add(&m->queue, (size_t)k, (size_t)k + 1, arr))
            return MP_ENOMEM;
        if (k > 0 && ctmc_add(&m->queue, (size_t)k, (size_t)k - 1, dep))
            return MP_ENOMEM;
        double next = ((k + 1) < w ? k + 1 : w) * mu;
        if (!pinned && (k == m->cap || arr < next)) {
            m->queue_pin = (size_t)k;
            pinned = 1;
        }
    }
    m->has_queue = 1;
    return ctmc_finish(&m->queue) ? MP_ENOMEM : MP_OK;
}

int mp_build(const scenario *sc, int p, mp_model *m, char *why, size_t len)
{
    memset(m, 0, sizeof *m);
    const pool_cfg *pc = &sc->pools[p];
    m->n = pc->servers;
    m->quorum = pc->quorum;
    m->crews = pc->repair_crews;
    m->fails = pc->failure.kind != DIST_NONE;
    if (m->fails && (pc->failure.kind != DIST_EXPONENTIAL || pc->repair.kind != DIST_EXPONENTIAL)) {
        const char *key = pc->failure.kind != DIST_EXPONENTIAL ? "failure" : "repair";
        dist_kind k = pc->failure.kind != DIST_EXPONENTIAL ? pc->failure.kind : pc->repair.kind;
        snprintf(why, len,
                 "pools.%s.%s is %s: only exponential failure and repair times make a Markov chain "
                 "(simulate it with relsim run)",
                 pc->name, key, dist_name(k));
        return MP_ENOTMARKOV;
    }
    const dist_cfg *sw = &pc->spares.switchover;
    if (m->fails && pc->spares.count > 0 && sw->kind != DIST_NONE && sw->kind != DIST_EXPONENTIAL) {
        snprintf(why, len,
                 "pools.%s.spares.switchover is %s: only an exponential (or no) switchover time makes a Markov "
                 "chain (simulate it with relsim run)",
                 pc->name, dist_name(sw->kind));
        return MP_ENOTMARKOV;
    }
    int rc = m->fails ? build_avail(m, pc) : MP_OK;
    if (rc == MP_OK)
        rc = build_forced(m, sc, p);
    if (rc == MP_OK)
        rc = build_queue(m, sc, p);
    if (rc) {
        snprintf(why, len, "pools.%s: %s", pc->name,
                 rc == MP_ETOOBIG ? "too many states" : "out of memory building the chain");
        mp_free(m);
        return rc;
    }
    if (pc->liveness.enabled)
        note(m->left_out, sizeof m->left_out,
             "liveness restarts (they follow the probes, not a rate): every value assumes none happen");
    if (m->nev)
        note(m->left_out, sizeof m->left_out,
             m->forced_why[0] ? m->forced_why
                              : "forced outages (events) are one-off: in the window and transient values, "
                                "not in the steady state or mttf_system");
    if (m->queue_why[0]) {
        char q[260];
        snprintf(q, sizeof q, "queue: %s", m->queue_why);
        if (strcmp(m->queue_why, "no client sends to it") != 0)
            note(m->left_out, sizeof m->left_out, q);
    }
    return MP_OK;
}

void mp_free(mp_model *m)
{
    if (m->has_avail)
        ctmc_destroy(&m->avail);
    if (m->has_queue)
        ctmc_destroy(&m->queue);
    if (m->has_forced)
        ctmc_destroy(&m->forced);
    free(m->ev_at);
    free(m->ev_end);
    free(m->ev_count);
    free(m->avail_off);
    free(m->avail_up);
    free(m->forced_up);
    m->avail_off = m->avail_up = m->forced_up = NULL;
    m->ev_at = m->ev_end = NULL;
    m->ev_count = NULL;
    m->has_avail = m->has_queue = m->has_forced = m->nev = 0;
}

/* ---- measures ------------------------------------------------------------ */

/* Server and system availability of a distribution PD over a chain whose
 * state i has UP[i] positions UP (N states). */
static void avail_of(const mp_model *m, const double *pd, const int *up, size_t n, double *server, double *system,
                     double *unavail)
{
    double sum = 0, ok = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        sum += pd[i] * up[i];
        if (up[i] >= m->quorum)
            ok += pd[i];
        else
            bad += pd[i];
    }
    *server = sum / m->n;
    *system = ok;
    if (unavail)
        *unavail = bad;
}

/* Mean time from state 0 to the first state in DOWN of a birth-death chain
 * (state j -> j+1 at b_j, -> j-1 at d_j).  With t_j the mean time to go
 * from j to j+1, t_0 = 1/b_0 and t_j = (1 + d_j t_{j-1}) / b_j (first-step
 * analysis): a sum of positive terms, so no cancellation however large the
 * result (a solve of Q_TT tau = -1 loses every digit once q tau > 1e15).
 * CTMC_ENEVER if DOWN is unreachable, CTMC_ERANGE above 1e308 s. */
static int birth_death_mttf(const ctmc *c, const unsigned char *down, double *mean, ctmc_info *info)
{
    memset(info, 0, sizeof *info);
    info->method = "birth-death recursion";
    info->residual = NAN;
    double t = 0, total = 0;
    for (size_t j = 0; j < c->n; j++) {
        if (down[j]) {
            *mean = total;
            return isfinite(total) ? CTMC_OK : CTMC_ERANGE;
        }
        double b = 0, d = 0;
        for (size_t k = c->start[j]; k < c->start[j + 1]; k++) {
            if (c->to[k] == j + 1)
                b = c->rate[k];
            else if (c->to[k] + 1 == j)
                d = c->rate[k];
        }
        if (!(b > 0))
            return CTMC_ENEVER;
        t = (1 + d * t) / b;
        total += t;
    }
    return CTMC_ENEVER;
}

static int steady_avail(const mp_model *m, mp_steady_result *r)
{
    if (!m->fails) {
        r->server_availability = r->system_availability = 1;
        r->system_unavailability = 0;
        r->mttf_system = INFINITY;
        r->steady.method = r->mttf.method = "trivial";
        return MP_OK;
    }
    size_t n = m->avail.n;
    double *pd = malloc(n * sizeof *pd);
    unsigned char *down = calloc(n, 1);
    int rc = MP_ENOMEM;
    if (!pd || !down)
        goto out;
    rc = MP_ESOLVE;
    if (ctmc_steady(&m->avail, m->avail_pin, pd, &r->steady))
        goto out;
    avail_of(m, pd, m->avail_up, n, &r->server_availability, &r->system_availability, &r->system_unavailability);
    for (size_t i = 0; i < n; i++)
        down[i] = m->avail_up[i] < m->quorum;
    int st = n == (size_t)m->units + 1 ? birth_death_mttf(&m->avail, down, &r->mttf_system, &r->mttf)
                                       : ctmc_absorb_time(&m->avail, down, 0, &r->mttf_system, &r->mttf);
    if (st == CTMC_ENEVER || st == CTMC_ERANGE) {
        r->mttf_system = INFINITY;
        r->mttf_overflow = st == CTMC_ERANGE;
    } else if (st)
        goto out;
    rc = MP_OK;
out:
    free(pd);
    free(down);
    return rc;
}

static int steady_queue(const mp_model *m, mp_steady_result *r)
{
    r->blocking = r->busy_servers = r->queue_length = r->latency_mean = r->utilization = NAN;
    if (!m->has_queue)
        return MP_OK;
    size_t k = (size_t)m->cap + 1;
    double *pn = malloc(k * sizeof *pn);
    if (!pn)
        return MP_ENOMEM;
    if (ctmc_steady(&m->queue, m->queue_pin, pn, &r->queue_info)) {
        free(pn);
        return MP_ESOLVE;
    }
    double busy = 0, wait = 0, num = 0;
    for (int j = 0; j <= m->cap; j++) {
        busy += pn[j] * (j < m->workers ? j : m->workers);
        wait += pn[j] * (j > m->workers ? j - m->workers : 0);
        num += pn[j] * j;
    }
    /* PASTA: an arrival sees the time-stationary state */
    r->blocking = m->bounded ? pn[m->cap] : 0;
    r->busy_servers = m->n * busy;
    r->queue_length = m->n * wait;
    r->utilization = busy / m->workers;
    double accepted = m->lambda * (1 - r->blocking);
    r->latency_mean = accepted > 0 ? num / accepted : 1 / m->service_rate; /* Little's law */
    free(pn);
    return MP_OK;
}

int mp_steady(const mp_model *m, mp_steady_result *r)
{
    memset(r, 0, sizeof *r);
    int rc = steady_avail(m, r);
    return rc ? rc : steady_queue(m, r);
}

/* Mass moves at an event: at a start, f = min(count, n - d) of the UP
 * servers go down (from f = 0: events do not overlap); at an end, back. */
static void apply_event(const mp_model *m, double *p, int start, int count)
{
    size_t row = (size_t)m->n + 1;
    for (int d = 0; d <= m->n; d++) {
        if (start) {
            int f = count < m->n - d ? count : m->n - d;
            double v = p[d];
            p[d] = 0;
            p[(size_t)f * row + (size_t)d] += v;
        } else {
            for (int f = 1; f <= m->fmax; f++) {
                p[d] += p[(size_t)f * row + (size_t)d];
                p[(size_t)f * row + (size_t)d] = 0;
            }
        }
    }
}

/* Next epoch after NOW and before T: an event start or end, or W. */
static double next_epoch(const mp_model *m, double now, double w, double t)
{
    double next = t;
    if (w > now && w < next)
        next = w;
    for (int e = 0; e < m->nev; e++) {
        if (m->ev_at[e] > now && m->ev_at[e] < next)
            next = m->ev_at[e];
        if (m->ev_end[e] > now && m->ev_end[e] < next)
            next = m->ev_end[e];
    }
    return next;
}

/* Events starting (START = 1) or ending exactly at time AT. */
static void events_at(const mp_model *m, double *p, double at)
{
    for (int e = 0; e < m->nev; e++)
        if (m->ev_end[e] == at)
            apply_event(m, p, 0, 0);
    for (int e = 0; e < m->nev; e++)
        if (m->ev_at[e] == at)
            apply_event(m, p, 1, m->ev_count[e]);
}

/* p(t) from all UP at 0, and if CUM the integral of p over [W, T]: the chain
 * between epochs, the events' moves at them. */
static int piecewise(const mp_model *m, double w, double t, double *pt, double *cum, ctmc_info *info)
{
    memset(info, 0, sizeof *info);
    info->method = "uniformization";
    info->residual = NAN;
    if (m->forced_why[0])
        return MP_EFORCED;
    const ctmc *c = m->has_forced ? &m->forced : &m->avail;
    size_t n = c->n;
    double *p = calloc(n, sizeof *p), *seg = cum ? malloc(n * sizeof *seg) : NULL;
    if (!p || (cum && !seg)) {
        free(p);
        free(seg);
        return MP_ENOMEM;
    }
    p[0] = 1;
    if (cum)
        memset(cum, 0, n * sizeof *cum);
    events_at(m, p, 0);
    int rc = MP_OK;
    for (double now = 0; now < t && rc == MP_OK;) {
        double next = next_epoch(m, now, w, t);
        ctmc_info in;
        int st = ctmc_transient(c, p, next - now, MP_TRANSIENT_EPS, pt, cum && now >= w ? seg : NULL, &in);
        if (st) {
            rc = st == CTMC_ETOOBIG ? MP_ETOOBIG : MP_ESOLVE;
            break;
        }
        info->error_bound += in.error_bound * (cum && now >= w ? (next - now) / (t - w) : 1);
        info->iterations += in.iterations;
        info->seconds += in.seconds;
        if (cum && now >= w)
            for (size_t i = 0; i < n; i++)
                cum[i] += seg[i];
        memcpy(p, pt, n * sizeof *p);
        now = next;
        if (now < t)
            events_at(m, p, now);
    }
    if (t == 0)
        memcpy(pt, p, n * sizeof *p);
    free(p);
    free(seg);
    return rc;
}

int mp_transient(const mp_model *m, double t, double *server_av, double *system_av, ctmc_info *info)
{
    if (!m->fails && !m->has_forced) {
        *server_av = *system_av = 1;
        memset(info, 0, sizeof *info);
        info->method = "trivial";
        return MP_OK;
    }
    size_t n = m->has_forced ? m->forced.n : m->avail.n;
    double *pt = malloc(n * sizeof *pt);
    if (!pt)
        return MP_ENOMEM;
    int rc = piecewise(m, 0, t, pt, NULL, info);
    if (rc == MP_OK)
        avail_of(m, pt, m->has_forced ? m->forced_up : m->avail_up, n, server_av, system_av, NULL);
    free(pt);
    return rc;
}

int mp_window(const mp_model *m, double w, double t, double *server_av, double *system_av, ctmc_info *info)
{
    if (!m->fails && !m->has_forced) {
        *server_av = *system_av = 1;
        memset(info, 0, sizeof *info);
        info->method = "trivial";
        return MP_OK;
    }
    size_t n = m->has_forced ? m->forced.n : m->avail.n;
    double *pt = malloc(n * sizeof *pt), *cum = malloc(n * sizeof *cum);
    int rc = MP_ENOMEM;
    if (pt && cum) {
        rc = piecewise(m, w, t, pt, cum, info);
        if (rc == MP_OK) {
            for (size_t i = 0; i < n; i++)
                cum[i] /= t - w;
            avail_of(m, cum, m->has_forced ? m->forced_up : m->avail_up, n, server_av, system_av, NULL);
        }
    }
    free(pt);
    free(cum);
    return rc;
}
