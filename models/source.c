/* source.c - client arrival processes.
 *
 * poisson: open loop.  At a constant rate, exponential inter-arrival times at
 *   rate x multiplier.  With a schedule (piecewise-linear rate) and/or a
 *   periodic factor the process is a non-homogeneous Poisson process, drawn
 *   exactly by thinning (Lewis & Shedler 1979) segment by segment: within a
 *   segment of the schedule a candidate comes at the segment's highest rate
 *   B (rate x (1 + amplitude) x multiplier) and is kept with probability
 *   rate(t)/B; a candidate past the segment's end is discarded and the draw
 *   restarts at the end with the next segment's bound (exact by
 *   memorylessness).  No event per step: one event per arrival.
 *   Load events change the multiplier (any value >= 0, overlapping events
 *   multiply); the next arrival is redrawn from the change on, exact for a
 *   Poisson process by memorylessness.  While the multiplier is 0 nothing
 *   arrives.
 * closed: `users` users, each waiting a think time after its previous request
 *   ended (success or failure) before the next; every user starts with a
 *   think time, so users do not all arrive at t = 0 together.  A load event's
 *   multiplier divides the think times; at 0 the users stop (those thinking
 *   are parked, those waiting for an answer park when it comes) and each
 *   starts a fresh think time when the multiplier is positive again.
 */
#include "models/dist.h"
#include "models/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double multiplier(const source *src) { return src->zeros ? 0 : src->mult; }

/* The time-varying rate at T (without the load multiplier). */
static double rate_at(const arrival_cfg *a, int seg, double t)
{
    double r = a->rate;
    if (a->nsched) {
        const sched_point *p = a->sched;
        if (seg < 0)
            r = p[0].rate;
        else if (seg >= a->nsched - 1)
            r = p[a->nsched - 1].rate;
        else
            r = p[seg].rate + (p[seg + 1].rate - p[seg].rate) * (t - p[seg].t) / (p[seg + 1].t - p[seg].t);
    }
    if (a->period > 0)
        r *= 1 + a->amplitude * cos(2 * M_PI * (t - a->peak_at) / a->period);
    return r;
}

/* The schedule segment holding T: -1 before the first point, i for
 * [t_i, t_i+1), nsched-1 after the last. */
static int segment_of(const arrival_cfg *a, double t)
{
    int lo = -1, hi = a->nsched - 1; /* sched[hi].t <= t is what we look for */
    if (a->nsched == 0 || t < a->sched[0].t)
        return -1;
    lo = 0;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (a->sched[mid].t <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* The next arrival after T of the non-homogeneous process, INFINITY if none
 * before the horizon. */
static double next_varying(source *src, double t)
{
    const arrival_cfg *a = &src->cfg->arrival;
    double m = multiplier(src), horizon = src->c->w->sc->horizon;
    double peak = a->period > 0 ? 1 + a->amplitude : 1;
    int seg = segment_of(a, t);
    while (t < horizon) {
        double end = INFINITY, hi = a->rate;
        if (a->nsched) {
            const sched_point *p = a->sched;
            if (seg < 0)
                end = p[0].t, hi = p[0].rate;
            else if (seg < a->nsched - 1)
                end = p[seg + 1].t, hi = fmax(p[seg].rate, p[seg + 1].rate);
            else
                hi = p[a->nsched - 1].rate;
        }
        double bound = hi * peak * m;
        double cand = bound > 0 ? t + rng_exp_batched(&src->rng_arrival, bound) : INFINITY;
        if (cand >= end) {
            t = end;
            seg++;
            continue;
        }
        if (cand >= horizon)
            break;
        t = cand;
        if (rng_uniform(&src->rng_arrival) * bound <= rate_at(a, seg, t) * m)
            return t;
    }
    return INFINITY;
}

/* Schedule the next arrival after the current time. */
static void schedule_next(source *src)
{
    sim *s = &src->c->w->s;
    if (!src->varying) {
        double r = src->cfg->arrival.rate * multiplier(src);
        if (r > 0)
            sim_after(s, &src->next, rng_exp_batched(&src->rng_arrival, r));
        return;
    }
    double t = next_varying(src, s->now);
    if (isfinite(t))
        sim_at(s, &src->next, t);
}

/* Constant rate (no zero multiplier is in force, or this would not fire). */
static void poisson_arrival(sim *s, sim_event *ev)
{
    source *src = SIM_CONTAINER(ev, source, next);
    sim_after(s, &src->next, rng_exp_batched(&src->rng_arrival, src->cfg->arrival.rate * src->mult));
    caller_start_request(src->c, NULL, -1);
}

static void varying_arrival(sim *s, sim_event *ev)
{
    (void)s;
    source *src = SIM_CONTAINER(ev, source, next);
    schedule_next(src);
    caller_start_request(src->c, NULL, -1);
}

static void user_wakes(sim *s, sim_event *ev)
{
    (void)s;
    user_slot *u = SIM_CONTAINER(ev, user_slot, wake);
    caller_start_request(u->src->c, NULL, u->index);
}

/* A user starts a think time; load events shorten it (closed-loop
 * "multiplier"), and at multiplier 0 the user parks instead. */
static void start_think(source *src, user_slot *u)
{
    if (__builtin_expect(src->zeros > 0, 0)) {
        u->parked = 1;
        return;
    }
    u->parked = 0;
    sim_after(&src->c->w->s, &u->wake, dist_sample(&src->cfg->arrival.think, &src->rng_think) / src->mult);
}

int source_build(source *src, const client_cfg *cfg, caller *c)
{
    memset(src, 0, sizeof *src);
    src->cfg = cfg;
    src->c = c;
    src->varying = cfg->arrival.nsched > 0 || cfg->arrival.period > 0;
    src->next.fire = src->varying ? varying_arrival : poisson_arrival;
    if (rng_init(&src->rng_arrival) || rng_init(&src->rng_think))
        return -1;
    if (cfg->arrival.process == ARRIVAL_CLOSED) {
        src->nusers = cfg->arrival.users;
        src->users = calloc((size_t)src->nusers, sizeof *src->users);
        if (!src->users)
            return -1;
        for (int i = 0; i < src->nusers; i++) {
            src->users[i].wake.fire = user_wakes;
            src->users[i].src = src;
            src->users[i].index = i;
        }
    }
    return 0;
}

void source_destroy(source *src)
{
    free(src->users);
    rng_destroy(&src->rng_arrival);
    rng_destroy(&src->rng_think);
}

void source_start(source *src)
{
    world *w = src->c->w;
    world_seed_stream(w, &src->rng_arrival, 0, src->c->client, ST_ARRIVAL);
    world_seed_stream(w, &src->rng_think, 0, src->c->client, ST_THINK);
    src->mult = 1;
    src->zeros = 0;
    src->next.pos = 0;
    if (src->cfg->arrival.process == ARRIVAL_POISSON) {
        schedule_next(src);
        return;
    }
    for (int i = 0; i < src->nusers; i++) {
        src->users[i].wake.pos = 0;
        start_think(src, &src->users[i]);
    }
}

void source_load(source *src, double factor, int on)
{
    double before = multiplier(src);
    if (factor == 0)
        src->zeros += on ? 1 : -1;
    else
        src->mult = on ? src->mult * factor : src->mult / factor;
    double m = multiplier(src);
    sim *s = &src->c->w->s;
    if (src->cfg->arrival.process == ARRIVAL_POISSON) {
        sim_cancel(s, &src->next);
        schedule_next(src);
        return;
    }
    /* closed loop: the load is the users; only a stop or a restart acts now */
    for (int i = 0; i < src->nusers; i++) {
        user_slot *u = &src->users[i];
        if (m <= 0 && before > 0 && u->wake.pos) {
            sim_cancel(s, &u->wake);
            u->parked = 1;
        } else if (m > 0 && before <= 0 && u->parked) {
            start_think(src, u);
        }
    }
}

void source_request_done(source *src, int user)
{
    if (user < 0)
        return;
    start_think(src, &src->users[user]);
}
