/* world.c - build the model of a scenario, run one replication into a record.
 *
 * The run: reset every object and reseed its streams from (seed, replication,
 * stream id); schedule the first failures, arrivals, the warm-up reset, the
 * time-series bins and the scenario's fault events; then sim_step until the
 * horizon.  Everything measured lands in the flat record (metrics.h).
 */
#include "models/dist.h"
#include "models/health.h"
#include "models/model.h"
#include "models/world.h"
#include "sim/runner.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORLD_POLL_MASK 8191 /* check interrupts and limits.max_events every 8192 events */

/* A scenario event: its start, and (load events) its end. */
typedef struct fault_slot {
    sim_event start, end;
    world *w;
    int k;
} fault_slot;

static void warmup_over(sim *s, sim_event *ev)
{
    world *w = SIM_CONTAINER(ev, world, warmup_ev);
    for (int p = 0; p < w->sc->npools; p++)
        pool_restart_stats(&w->pools[p], s->now);
    for (int c = 0; c < w->L.ncallers; c++)
        caller_restart_stats(&w->callers[c], s->now);
}

static double bin_end(const world *w, int k)
{
    double t = (k + 1) * w->L.bin;
    return t < w->sc->horizon ? t : w->sc->horizon;
}

static void take_bin(world *w, double t)
{
    int k = w->bin_index++;
    double width = t - k * w->L.bin;
    if (k >= w->L.nbins || width <= 0)
        return;
    double *ts = rec_ts(&w->L, w->rec, k);
    for (int p = 0; p < w->sc->npools; p++)
        pool_take_bin(&w->pools[p], ts + (size_t)p * TSP_COUNT, t, width);
    double *tc = ts + (size_t)w->sc->npools * TSP_COUNT;
    for (int c = 0; c < w->L.ncallers; c++)
        caller_take_bin(&w->callers[c], tc + (size_t)c * TSC_COUNT, t, width);
}

static void bin_over(sim *s, sim_event *ev)
{
    world *w = SIM_CONTAINER(ev, world, bin_ev);
    take_bin(w, s->now);
    if (w->bin_index < w->L.nbins)
        sim_at(s, &w->bin_ev, bin_end(w, w->bin_index));
}

/* The caller whose link a partition event cuts: a client's, or a pool's calls. */
static caller *partition_caller(world *w, const event_cfg *e)
{
    return e->client >= 0 ? &w->callers[e->client] : w->pools[e->pool].calls;
}

static void fault_start(sim *s, sim_event *ev)
{
    fault_slot *f = SIM_CONTAINER(ev, fault_slot, start);
    const event_cfg *e = &f->w->sc->events[f->k];
    if (e->kind == EVENT_FAIL) {
        pool_force_down(&f->w->pools[e->pool], e->servers, e->duration);
        return;
    }
    if (e->kind == EVENT_INJECT)
        pool_set_inject(&f->w->pools[e->pool], &e->inject);
    else if (e->kind == EVENT_PARTITION)
        caller_partition(partition_caller(f->w, e), 1);
    else
        source_load(&f->w->sources[e->client], e->multiplier, 1);
    sim_after(s, &f->end, e->duration);
}

static void fault_end(sim *s, sim_event *ev)
{
    (void)s;
    fault_slot *f = SIM_CONTAINER(ev, fault_slot, end);
    const event_cfg *e = &f->w->sc->events[f->k];
    if (e->kind == EVENT_PARTITION) {
        caller_partition(partition_caller(f->w, e), 0);
        return;
    }
    if (e->kind == EVENT_INJECT) {
        pool *p = &f->w->pools[e->pool];
        if (p->inj == &e->inject || (!p->inj && !inject_active(&e->inject)))
            pool_set_inject(p, &p->cfg->inject); /* a later inject event still running wins */
        return;
    }
    source_load(&f->w->sources[e->client], e->multiplier, 0); /* overlapping events multiply */
}

/* ---- build ------------------------------------------------------------------ */

/* Which clients' requests reach pool P (directly or through `calls`)? */
static int link_amplification(world *w)
{
    const scenario *sc = w->sc;
    for (int p = 0; p < sc->npools; p++) {
        w->pools[p].amp_clients = malloc((size_t)(sc->nclients + 1) * sizeof(int));
        if (!w->pools[p].amp_clients)
            return -1;
        w->pools[p].amp_clients[0] = -1;
    }
    for (int c = 0; c < sc->nclients; c++) {
        int p = sc->clients[c].policy.target;
        for (int hops = 0; hops < sc->npools && p >= 0; hops++) {
            int *list = w->pools[p].amp_clients, n = 0;
            while (list[n] >= 0)
                n++;
            list[n] = c;
            list[n + 1] = -1;
            p = sc->pools[p].has_calls ? sc->pools[p].calls.target : -1;
        }
    }
    return 0;
}

static int build_callers(world *w)
{
    const scenario *sc = w->sc;
    w->callers = calloc((size_t)w->L.ncallers, sizeof *w->callers);
    w->sources = calloc((size_t)sc->nclients, sizeof *w->sources);
    if (!w->callers || !w->sources)
        return -1;
    w->nsources = sc->nclients;
    for (int c = 0; c < sc->nclients; c++) {
        if (caller_build(&w->callers[c], w, &sc->clients[c].policy, c, c, -1) ||
            source_build(&w->sources[c], &sc->clients[c], &w->callers[c]))
            return -1;
    }
    int k = sc->nclients;
    for (int p = 0; p < sc->npools; p++) {
        if (!sc->pools[p].has_calls)
            continue;
        if (caller_build(&w->callers[k], w, &sc->pools[p].calls, k, -1, p))
            return -1;
        w->pools[p].calls = &w->callers[k++];
    }
    for (int e = 0; e < sc->nevents; e++) /* a cut link needs the network path */
        if (sc->events[e].kind == EVENT_PARTITION)
            partition_caller(w, &sc->events[e])->net = 1;
    return 0;
}

/* Each pool keeps the callers that health-check it: they learn of every
 * position going DOWN or UP (to measure their detection errors). */
static int link_watchers(world *w)
{
    for (int c = 0; c < w->L.ncallers; c++) {
        caller *k = &w->callers[c];
        if (!k->hc)
            continue;
        pool *p = k->target;
        caller **l = realloc(p->watch, (size_t)(p->nwatch + 1) * sizeof *l);
        if (!l)
            return -1;
        l[p->nwatch++] = k;
        p->watch = l;
    }
    return 0;
}

static int build_faults(world *w)
{
    int n = w->sc->nevents;
    fault_slot *f = calloc((size_t)(n ? n : 1), sizeof *f);
    if (!f)
        return -1;
    for (int k = 0; k < n; k++) {
        f[k].start.fire = fault_start;
        f[k].end.fire = fault_end;
        f[k].w = w;
        f[k].k = k;
    }
    w->faults = f;
    return 0;
}

world *world_new(const scenario *sc)
{
    world *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->sc = sc;
    rec_layout_init(&w->L, sc);
    w->warmup_ev.fire = warmup_over;
    w->bin_ev.fire = bin_over;
    if (sim_init(&w->s, w))
        goto fail;
    w->pools = calloc((size_t)sc->npools, sizeof *w->pools);
    if (!w->pools)
        goto fail;
    w->npools_built = sc->npools;
    for (int p = 0; p < sc->npools; p++)
        if (pool_build(&w->pools[p], w, p))
            goto fail;
    if (build_callers(w) || build_faults(w) || link_amplification(w) || link_watchers(w))
        goto fail;
    for (int p = 0; p < sc->npools; p++)
        if (w->pools[p].prefetch)
            evq_set_ahead(&w->s.q, pool_event_ahead);
    return w;
fail:
    world_free(w);
    return NULL;
}

void world_free(world *w)
{
    if (!w)
        return;
    if (w->callers)
        for (int c = 0; c < w->L.ncallers; c++)
            caller_destroy(&w->callers[c]);
    if (w->sources)
        for (int c = 0; c < w->nsources; c++)
            source_destroy(&w->sources[c]);
    if (w->pools)
        for (int p = 0; p < w->npools_built; p++)
            pool_destroy(&w->pools[p]);
    free(w->callers);
    free(w->sources);
    free(w->pools);
    free(w->faults);
    free(w->trace.marks);
    free(w->trace.breaks);
    sim_destroy(&w->s);
    free(w);
}

const rec_layout *world_layout(const world *w) { return &w->L; }
const char *world_error(const world *w) { return w->error; }

/* ---- hooks used by pools and callers ------------------------------------------ */

/* The one place where streams get their seeds. */
void world_seed_stream(const world *w, rng_stream *s, int is_pool, int index, stream_role role)
{
    const char *name = is_pool ? w->sc->pools[index].name : w->sc->clients[index].name;
    uint64_t key = rng_name_key(is_pool ? "pool" : "client", name);
    rng_seed(s, rng_stream_seed(w->sc->seed, w->rep, key, (unsigned)role));
}

static void trace_add(world_trace_row *rows, int *n, double t, int entity, int srv, int what)
{
    if (!rows || *n >= TRACE_CAP)
        return;
    rows[(*n)++] = (world_trace_row){t, entity, srv, what};
}

void world_mark(world *w, int p, int srv, int what)
{
    if (w->trace.on)
        trace_add(w->trace.marks, &w->trace.nmarks, w->s.now, p, srv, what);
}

void world_breaker_change(world *w, int c, int srv, int state)
{
    if (w->trace.on)
        trace_add(w->trace.breaks, &w->trace.nbreaks, w->s.now, c, srv, state);
}

/* What the callers of pool P did just before the guard fired: requests/s
 * offered and attempts/s sent over the last closed time-series bin plus the
 * current partial one, against the pool's nominal capacity.  Written to the
 * record's REC_RUNAWAY_* slots; returns the window length (s). */
static double runaway_measure(world *w, const pool *p, double *m)
{
    const scenario *sc = w->sc;
    int k = w->bin_index, pi = (int)(p - w->pools);
    double start = k >= 1 ? (k - 1) * w->L.bin : 0, win = w->s.now - start;
    double offered = 0, attempts = 0;
    int mech = 0;
    for (int c = 0; c < w->L.ncallers; c++) {
        const caller *cl = &w->callers[c];
        if (cl->target != p)
            continue;
        double o = cl->bin_offered, a = cl->attempts - cl->bin_attempts0;
        if (k >= 1 && k - 1 < w->L.nbins) {
            const double *prev = rec_ts(&w->L, w->rec, k - 1) + (size_t)sc->npools * TSP_COUNT +
                                 (size_t)c * TSC_COUNT;
            o += prev[TSC_OFFERED] * w->L.bin;
            a += prev[TSC_ATTEMPTS] * w->L.bin;
        }
        offered += o;
        attempts += a;
        mech |= (cl->cfg->retry.max_attempts > 1 ? 1 : 0) | (cl->cfg->hedge.enabled ? 2 : 0);
    }
    const pool_cfg *pc = p->cfg;
    double es = dist_mean(&pc->service);
    m[REC_RUNAWAY_T] = w->s.now;
    m[REC_RUNAWAY_POOL] = pi;
    m[REC_RUNAWAY_WINDOW] = win;
    m[REC_RUNAWAY_OFFERED] = win > 0 ? offered / win : NAN;
    m[REC_RUNAWAY_ATTEMPTS] = win > 0 ? attempts / win : NAN;
    m[REC_RUNAWAY_CAPACITY] = es > 0 ? pc->servers * pc->workers / es : NAN;
    m[REC_RUNAWAY_UP] = p->up_count;
    m[REC_RUNAWAY_MECH] = mech;
    return win;
}

/* The overload guard's message: how many attempts, where, and why (the load
 * offered or the attempts multiplying it), with what fits. */
static void runaway_explain(world *w, const pool *p, const double *m)
{
    const char *pn = p->cfg->name;
    double off = m[REC_RUNAWAY_OFFERED], att = m[REC_RUNAWAY_ATTEMPTS], cap = m[REC_RUNAWAY_CAPACITY];
    double amp = off > 0 ? att / off : NAN;
    int mech = (int)m[REC_RUNAWAY_MECH];
    const char *by = mech == 3 ? "retries and hedges" : mech == 2 ? "hedges" : "retries";
    int n = snprintf(w->error, sizeof w->error,
                     "runaway model: more than %ld attempts queued or in service at t = %.6g s "
                     "(pool '%s'). Over the last %.3g s its callers offered %.4g requests/s and sent "
                     "%.4g attempts/s (x%.3g) against a capacity of %.4g/s (%d servers x %d "
                     "worker%s x %.4g/s; %d UP then): ",
                     w->in_flight_limit, w->s.now, pn, m[REC_RUNAWAY_WINDOW], off, att, amp, cap,
                     p->cfg->servers, p->cfg->workers, p->cfg->workers == 1 ? "" : "s",
                     1 / dist_mean(&p->cfg->service), (int)m[REC_RUNAWAY_UP]);
    if (n < 0 || (size_t)n >= sizeof w->error)
        return;
    char *e = w->error + n;
    size_t left = sizeof w->error - (size_t)n;
    if (off < cap && amp > 1.05 && mech)
        snprintf(e, left,
                 "a %s storm, not too much traffic: the offered load fits, the %s multiply it "
                 "past capacity (attempts abandoned at their timeout are still served). What fits: a retry budget "
                 "(retry.budget), fewer attempts or a longer timeout, a circuit breaker, a "
                 "queue_limit on pools.%s that sheds load; or raise limits.max_in_flight",
                 mech == 2 ? "hedge" : "retry", by, pn);
    else
        snprintf(e, left,
                 "arrivals exceed capacity. What fits: lower the load, add servers, or set "
                 "pools.%s.queue_limit to shed load; or raise limits.max_in_flight", pn);
}

void world_runaway(world *w, const pool *p)
{
    if (w->runaway)
        return;
    w->runaway = WORLD_RUNAWAY;
    double *m = w->rec + w->L.misc;
    runaway_measure(w, p, m);
    runaway_explain(w, p, m);
}

/* Requests that never end (hang mode without a timeout or deadline) pile up
 * in the callers, not in the pools: bound them with the same limit. */
void world_runaway_requests(world *w, const caller *c)
{
    if (w->runaway)
        return;
    char who[CFG_NAME_MAX + 16];
    if (c->client >= 0)
        snprintf(who, sizeof who, "clients.%s", w->sc->clients[c->client].name);
    else
        snprintf(who, sizeof who, "pools.%s.calls", w->sc->pools[c->from_pool].name);
    w->runaway = WORLD_RUNAWAY;
    w->rec[w->L.misc + REC_RUNAWAY_T] = w->s.now;
    w->rec[w->L.misc + REC_RUNAWAY_POOL] = -1;
    snprintf(w->error, sizeof w->error,
             "runaway model: more than %ld requests in flight at t = %.6g s (%s, calling pool '%s'): "
             "requests are not ending (failure_mode hang without a timeout?); give %s a timeout "
             "or deadline, lower the load, or raise limits.max_in_flight",
             w->in_flight_limit, w->s.now, who, c->target->cfg->name, who);
}

int world_trace_marks(const world *w, const world_trace_row **rows)
{
    *rows = w->trace.marks;
    return w->trace.nmarks;
}

int world_trace_breakers(const world *w, const world_trace_row **rows)
{
    *rows = w->trace.breaks;
    return w->trace.nbreaks;
}

/* ---- run -------------------------------------------------------------------- */

/* Zero what a replication adds to or reads: its metrics, time series,
 * histograms, the counts of its sample blocks and the rest; a block's
 * values past its count are never read (up to 80 KB a replication not
 * written again: a short replication's largest cost). */
static void record_clear(const rec_layout *L, double *rec)
{
    memset(rec, 0, L->updown * sizeof *rec);
    for (int p = 0; p < L->npools; p++)
        rec_updown(L, rec, p, 0)[0] = rec_updown(L, rec, p, 1)[0] = 0;
    for (int c = 0; c < L->ncallers; c++)
        rec_delays(L, rec, c)[0] = rec_detect(L, rec, c)[0] = 0;
    memset(rec + L->misc, 0, (L->total - L->misc) * sizeof *rec);
}

static int prepare(world *w, unsigned long rep, double *record, int want_trace)
{
    const scenario *sc = w->sc;
    w->rep = rep;
    w->rec = record;
    record_clear(&w->L, record);
    sim_reset(&w->s);
    w->in_flight = 0;
    w->requests_live = 0;
    w->in_flight_limit = sc->limits.max_in_flight > 0 ? sc->limits.max_in_flight : LONG_MAX;
    w->runaway = 0;
    w->error[0] = '\0';
    w->bin_index = 0;
    w->trace.on = want_trace;
    w->trace.nmarks = w->trace.nbreaks = 0;
    if (want_trace && !w->trace.marks) {
        w->trace.marks = malloc(TRACE_CAP * sizeof *w->trace.marks);
        w->trace.breaks = malloc(TRACE_CAP * sizeof *w->trace.breaks);
    }
    for (int p = 0; p < sc->npools; p++)
        pool_reset(&w->pools[p]);
    for (int c = 0; c < w->L.ncallers; c++)
        caller_reset(&w->callers[c]);
    return WORLD_DONE;
}

static void schedule_start(world *w)
{
    const scenario *sc = w->sc;
    w->warmup_ev.pos = w->bin_ev.pos = 0;
    if (sc->warmup > 0)
        sim_at(&w->s, &w->warmup_ev, sc->warmup);
    sim_at(&w->s, &w->bin_ev, bin_end(w, 0));
    for (int k = 0; k < sc->nevents; k++) {
        w->faults[k].start.pos = w->faults[k].end.pos = 0;
        if (sc->events[k].at < sc->horizon)
            sim_at(&w->s, &w->faults[k].start, sc->events[k].at);
    }
    for (int p = 0; p < sc->npools; p++)
        pool_start(&w->pools[p]);
    for (int c = 0; c < sc->nclients; c++)
        source_start(&w->sources[c]);
    for (int c = 0; c < w->L.ncallers; c++)
        if (w->callers[c].hc)
            health_start(w->callers[c].hc);
}

static void finish(world *w)
{
    const scenario *sc = w->sc;
    double t = sc->horizon;
    for (int p = 0; p < sc->npools; p++) {
        double *m = rec_pool(&w->L, w->rec, p);
        pool_finish_metrics(&w->pools[p], m, t);
        double ended = 0;
        for (const int *c = w->pools[p].amp_clients; *c >= 0; c++)
            ended += w->callers[*c].ended;
        m[PM_LOAD_AMPLIFICATION] = ended > 0 ? w->pools[p].arrivals / ended : NAN;
    }
    for (int c = 0; c < w->L.ncallers; c++)
        caller_finish_metrics(&w->callers[c], rec_caller(&w->L, w->rec, c), t);
}

/* The guard fired: close the current time-series bin at this moment and
 * leave the later bins undefined (NAN), so the record shows what happened
 * up to the guard and nothing after it. */
static int runaway_stop(world *w)
{
    int k = w->bin_index;
    if (k < w->L.nbins && w->s.now > k * w->L.bin)
        take_bin(w, w->s.now);
    for (int b = w->bin_index; b < w->L.nbins; b++) {
        double *ts = rec_ts(&w->L, w->rec, b);
        for (size_t i = 0; i < w->L.ts_cols; i++)
            ts[i] = NAN;
    }
    w->rec[w->L.misc + REC_EVENTS] = (double)w->s.events;
    return w->runaway;
}

int world_run(world *w, unsigned long rep, double *record, int want_trace,
              volatile sig_atomic_t *stop)
{
    int rc = prepare(w, rep, record, want_trace);
    if (rc != WORLD_DONE)
        return rc;
    schedule_start(w);
    double horizon = w->sc->horizon, max_events = w->sc->limits.max_events;
    sim *s = &w->s;
    while (sim_step(s, horizon)) {
        if (w->runaway)
            return runaway_stop(w);
        if ((s->events & WORLD_POLL_MASK) == 0) {
            if (runner_stopped(stop))
                return WORLD_INTERRUPTED;
            if (max_events > 0 && (double)s->events > max_events) {
                snprintf(w->error, sizeof w->error,
                         "stopped after %.0f events at t = %.6g s (limits.max_events)", max_events, s->now);
                return WORLD_RUNAWAY;
            }
        }
    }
    if (sim_failed(s)) {
        snprintf(w->error, sizeof w->error,
                 "out of memory: the future-event list could not grow beyond %zu events at "
                 "t = %.6g s", s->q.cap, s->now);
        return WORLD_NOMEM;
    }
    while (w->bin_index < w->L.nbins) /* bins not closed by an event */
        take_bin(w, bin_end(w, w->bin_index));
    finish(w);
    record[w->L.misc + REC_EVENTS] = (double)s->events;
    record[w->L.misc + REC_COMPLETE] = 1;
    return WORLD_DONE;
}
