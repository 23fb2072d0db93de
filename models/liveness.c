/* liveness.c - liveness probes and restarts; see liveness.h. */
#include "models/liveness.h"
#include "models/dist.h"
#include "models/probe.h"

#include <stdlib.h>

typedef struct lv_srv {
    sim_event tick;          /* the first tick (random phase) */
    timer_node tn;           /* the later ones, every interval (tick_q) */
    struct liveness *l;
    int index;
    int fails;               /* consecutive failed probes */
} lv_srv;

typedef struct liveness {
    pool *p;
    const liveness_cfg *cfg;
    prober pr;
    timerq tick_q;           /* every position's ticker: FIFO, one heap entry */
    rng_stream rng;          /* tick phases and restart times */
    lv_srv *srv;
} liveness;

static void lv_tick(sim *s, sim_event *ev);
static void lv_tick_q(void *ctx, timer_node *n);
static void lv_result(void *ctx, int srv, int ok);

liveness *liveness_new(pool *p)
{
    int n = p->cfg->servers;
    liveness *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->p = p;
    l->cfg = &p->cfg->liveness;
    l->srv = calloc((size_t)n, sizeof *l->srv);
    if (!l->srv || rng_init(&l->rng) ||
        probe_init(&l->pr, p, l->cfg->probe, l->cfg->timeout, lv_result, l)) {
        liveness_free(l);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        l->srv[i].l = l;
        l->srv[i].index = i;
        l->srv[i].tick.fire = lv_tick;
    }
    timerq_init(&l->tick_q, l->cfg->interval, lv_tick_q, l);
    return l;
}

void liveness_free(liveness *l)
{
    if (!l)
        return;
    probe_destroy(&l->pr);
    rng_destroy(&l->rng);
    free(l->srv);
    free(l);
}

void liveness_reset(liveness *l)
{
    pool *p = l->p;
    world_seed_stream(p->w, &l->rng, 1, p->index, ST_LIVENESS);
    probe_reset(&l->pr);
    timerq_reset(&l->tick_q);
    for (int i = 0; i < p->cfg->servers; i++) {
        l->srv[i].tick.pos = 0;
        l->srv[i].tn.prev = l->srv[i].tn.next = NULL;
        l->srv[i].fails = 0;
    }
}

void liveness_start(liveness *l)
{
    for (int i = 0; i < l->p->cfg->servers; i++)
        sim_after(&l->p->w->s, &l->srv[i].tick, l->cfg->interval * rng_uniform(&l->rng));
}

/* One tick of position V's ticker: the next one is armed first. */
static void tick(liveness *l, lv_srv *v)
{
    timerq_start(&l->tick_q, &l->p->w->s, &v->tn);
    if (!l->p->up[v->index]) {
        v->fails = 0;
        return;
    }
    if (!probe_busy(&l->pr, v->index))
        probe_send(&l->pr, v->index);
}

static void lv_tick(sim *s, sim_event *ev)
{
    (void)s;
    lv_srv *v = SIM_CONTAINER(ev, lv_srv, tick);
    tick(v->l, v);
}

static void lv_tick_q(void *ctx, timer_node *n)
{
    tick(ctx, SIM_CONTAINER(n, lv_srv, tn));
}

static void lv_result(void *ctx, int srv, int ok)
{
    liveness *l = ctx;
    lv_srv *v = &l->srv[srv];
    pool *p = l->p;
    if (ok || !p->up[srv]) {
        v->fails = 0;
        return;
    }
    if (++v->fails >= l->cfg->failure_threshold) {
        v->fails = 0;
        pool_restart(p, srv, dist_sample(&l->cfg->restart, &l->rng));
    }
}
