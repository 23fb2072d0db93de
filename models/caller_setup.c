/* caller_setup.c - a caller's life outside the event loop: build it from its
 * policy, reset it between replications, free it; and the slabs behind its
 * request and attempt free lists (no allocation per event: a slab of
 * CALLER_SLAB objects at a time, kept until the caller is freed).
 */
#include "models/caller_impl.h"
#include "models/health.h"

#include <stdlib.h>
#include <string.h>

/* ---- free lists -------------------------------------------------------------- */

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
    void *blk = model_calloc_lines(CALLER_SLAB, size); /* objects start on a line (model.h) */
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

/* An empty attempt free list gets a fresh slab. */
int caller_att_refill(caller *c)
{
    attempt *blk = slab_new(&c->att_slabs, sizeof *blk);
    if (!blk)
        return -1;
    for (int i = 0; i < CALLER_SLAB; i++) {
        blk[i].next = c->free_att;
        c->free_att = &blk[i];
    }
    return 0;
}

/* An empty request free list gets a fresh slab. */
int caller_req_refill(caller *c)
{
    request *blk = slab_new(&c->req_slabs, sizeof *blk);
    if (!blk)
        return -1;
    for (int i = 0; i < CALLER_SLAB; i++) {
        blk[i].c = c; /* for good: a request never changes callers */
        blk[i].next_free = c->free_req;
        c->free_req = &blk[i];
    }
    return 0;
}

/* ---- build, reset ------------------------------------------------------------ */

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
                             caller_on_breaker_change, c))
                return -1;
            breaker_count_into(&c->brk[i], &c->consec_sum);
        }
        if (c->nbrk > 1) {
            if (!(c->closed_epoch = calloc((size_t)c->nbrk, sizeof *c->closed_epoch)))
                return -1;
            for (int i = 0; i < c->nbrk; i++)
                breaker_mirror_into(&c->brk[i], &c->closed_epoch[i]);
        }
    }
    c->has_set = c->nbrk > 1 || cfg->outlier.enabled || cfg->balancer == BAL_LEAST_OUTSTANDING;
    if (c->has_set && srvset_init(&c->set, n, cfg->balancer == BAL_LEAST_OUTSTANDING))
        return -1;
    if (c->set.count)
        srvset_share_counts(&c->set, c->outstanding); /* one count array, not two */
    if (cfg->outlier.enabled) {
        c->outl = calloc((size_t)n, sizeof *c->outl);
        if (!c->outl)
            return -1;
        for (int i = 0; i < n; i++) {
            c->outl[i].c = c;
            c->outl[i].index = i;
            c->outl[i].end.fire = caller_outlier_return;
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
    timerq_init(&c->bh_q, cfg->bulkhead.max_wait, caller_bulkhead_expired, c);
    if (cfg->limit.kind != LIMIT_NONE) {
        c->lim = calloc(1, sizeof *c->lim);
        if (!c->lim || limiter_init(c->lim, &cfg->limit))
            return -1;
    }
    c->gated = cfg->throttle.enabled || cfg->rate_limit.enabled || cfg->bulkhead.enabled || c->lim;
    c->slow_send = c->gated || cfg->hedge.enabled;
    c->slow_outcome = c->gated || c->outl;
    timerq_init(&c->tmo_q, cfg->timeout, caller_timeout_expired, c);
    timerq_init(&c->deadline_q, cfg->deadline, caller_deadline_expired, c);
    timerq_init(&c->hedge_q, cfg->hedge.delay, caller_hedge_expired, c);
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
        for (int k = 0; k < CALLER_SLAB; k++) {
            blk[k].next = c->free_att;
            c->free_att = &blk[k];
        }
    }
    for (int i = 0; i < c->req_slabs.n; i++) {
        request *blk = c->req_slabs.blk[i];
        for (int k = 0; k < CALLER_SLAB; k++) {
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
    c->bin_offered = 0;
    caller_restart_stats(c, 0);
    c->bin_attempts0 = c->bin_succ0 = c->bin_ended0 = 0;
}
