/* source.c - client arrival processes.
 *
 * poisson: open loop, exponential inter-arrival times at rate x multiplier
 *   (load events change the multiplier; the next arrival is redrawn from the
 *   change on, which is exact for a Poisson process by memorylessness).
 * closed: `users` users, each waiting a think time after its previous request
 *   ended (success or failure) before the next; every user starts with a
 *   think time, so users do not all arrive at t = 0 together.  A load event's
 *   multiplier divides the think times.
 */
#include "models/dist.h"
#include "models/model.h"

#include <stdlib.h>
#include <string.h>

static void poisson_arrival(sim *s, sim_event *ev)
{
    source *src = SIM_CONTAINER(ev, source, next);
    sim_after(s, &src->next, rng_exp_batched(&src->rng_arrival, src->cfg->arrival.rate * src->multiplier));
    caller_start_request(src->c, NULL, -1);
}

static void user_wakes(sim *s, sim_event *ev)
{
    (void)s;
    user_slot *u = SIM_CONTAINER(ev, user_slot, wake);
    caller_start_request(u->src->c, NULL, u->index);
}

/* A think time; load events shorten it (closed-loop "multiplier"). */
static double think(source *src)
{
    return dist_sample(&src->cfg->arrival.think, &src->rng_think) / src->multiplier;
}

int source_build(source *src, const client_cfg *cfg, caller *c)
{
    memset(src, 0, sizeof *src);
    src->cfg = cfg;
    src->c = c;
    src->next.fire = poisson_arrival;
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
    src->multiplier = 1;
    src->next.pos = 0;
    if (src->cfg->arrival.process == ARRIVAL_POISSON) {
        sim_after(&w->s, &src->next, rng_exp_batched(&src->rng_arrival, src->cfg->arrival.rate));
        return;
    }
    for (int i = 0; i < src->nusers; i++) {
        src->users[i].wake.pos = 0;
        sim_after(&w->s, &src->users[i].wake, think(src));
    }
}

void source_scale(source *src, double factor)
{
    src->multiplier *= factor;
    double m = src->multiplier;
    if (src->cfg->arrival.process != ARRIVAL_POISSON)
        return; /* closed loop: the load is the users, not a rate */
    sim *s = &src->c->w->s;
    sim_cancel(s, &src->next);
    sim_after(s, &src->next, rng_exp_batched(&src->rng_arrival, src->cfg->arrival.rate * m));
}

void source_request_done(source *src, int user)
{
    if (user < 0)
        return;
    sim_after(&src->c->w->s, &src->users[user].wake, think(src));
}
