/* balancer.c - random, round_robin, least_outstanding, p2c; see balancer.h. */
#include "models/balancer.h"

/* May an attempt of R go to server S without skipping rules firing? */
static int usable(const caller *c, const request *r, int s)
{
    if (c->nbrk > 1 && !breaker_would_admit(&c->brk[s]))
        return 0;
    if (c->outl && c->outl[s].until > 0)
        return 0;
    for (const attempt *a = r->live; a; a = a->sib)
        if (a->server == s)
            return 0;
    return 1;
}

/* Do any skipping rules apply to this caller and request at all? */
static int may_skip(const caller *c, const request *r)
{
    return c->nbrk > 1 || c->outl || r->live;
}

/* Usable servers into c->scratch; returns how many. */
static int candidates(caller *c, const request *r)
{
    int n = c->target->cfg->servers, k = 0;
    for (int s = 0; s < n; s++)
        if (usable(c, r, s))
            c->scratch[k++] = s;
    return k;
}

static int pick_random(caller *c, const request *r, int n)
{
    int s = (int)rng_below(&c->rng_bal, (unsigned long)n);
    if (!may_skip(c, r) || usable(c, r, s))
        return s;
    int k = candidates(c, r);
    return k ? c->scratch[rng_below(&c->rng_bal, (unsigned long)k)] : s;
}

static int pick_round_robin(caller *c, const request *r, int n)
{
    for (int i = 0; i < n; i++) {
        int s = (c->rr_next + i) % n;
        if (!may_skip(c, r) || usable(c, r, s)) {
            c->rr_next = (s + 1) % n;
            return s;
        }
    }
    int s = c->rr_next;
    c->rr_next = (s + 1) % n;
    return s;
}

/* Fewest outstanding among LIST[0..K), ties broken uniformly (reservoir). */
static int least_of(caller *c, const int *list, int k)
{
    int best = list[0], ties = 1;
    for (int i = 1; i < k; i++) {
        int s = list[i];
        if (c->outstanding[s] < c->outstanding[best]) {
            best = s;
            ties = 1;
        } else if (c->outstanding[s] == c->outstanding[best] &&
                   rng_below(&c->rng_bal, (unsigned long)++ties) == 0) {
            best = s;
        }
    }
    return best;
}

static int pick_least(caller *c, const request *r, int n)
{
    int k = candidates(c, r);
    if (k == 0) {
        for (int s = 0; s < n; s++)
            c->scratch[s] = s;
        k = n;
    }
    return least_of(c, c->scratch, k);
}

static int pick_p2c(caller *c, const request *r, int n)
{
    if (n == 1)
        return 0;
    int two[2];
    two[0] = (int)rng_below(&c->rng_bal, (unsigned long)n);
    two[1] = (int)rng_below(&c->rng_bal, (unsigned long)(n - 1));
    if (two[1] >= two[0])
        two[1]++;
    if (may_skip(c, r) && !(usable(c, r, two[0]) && usable(c, r, two[1]))) {
        int k = candidates(c, r);
        if (k == 1)
            return c->scratch[0];
        if (k >= 2) {
            int i = (int)rng_below(&c->rng_bal, (unsigned long)k);
            int j = (int)rng_below(&c->rng_bal, (unsigned long)(k - 1));
            two[0] = c->scratch[i];
            two[1] = c->scratch[j >= i ? j + 1 : j];
        }
    }
    return least_of(c, two, 2);
}

int balancer_pick(caller *c, const request *r)
{
    int n = c->target->cfg->servers;
    switch (c->cfg->balancer) {
    case BAL_RANDOM: return pick_random(c, r, n);
    case BAL_ROUND_ROBIN: return pick_round_robin(c, r, n);
    case BAL_LEAST_OUTSTANDING: return pick_least(c, r, n);
    case BAL_P2C: return pick_p2c(c, r, n);
    }
    return 0;
}
