/* balancer.c - random, round_robin, least_outstanding, p2c; see balancer.h. */
#include "models/balancer.h"
#include "models/health.h"

/* Every function below takes F: 1 when the caller filters by health-check
 * belief now (health.h), 0 otherwise.  balancer_pick() calls them with a
 * constant, so the compiler builds a filtering and a plain copy and a
 * caller without health checking pays one test per pick. */
#define INLINE static inline __attribute__((always_inline))

/* Is S in the caller's view (believed healthy)?  A hard filter; the rules in
 * usable() are soft. */
INLINE int in_view(const caller *c, int s, int F) { return !F || health_believed(c->hc, s); }

/* Servers in view: how many, and the I-th of them (uniform picks). */
INLINE int view_size(const caller *c, int n, int F) { return F ? c->hc->nhealthy : n; }
INLINE int view_at(const caller *c, int i, int F) { return F ? c->hc->list[i] : i; }

/* May an attempt of R go to server S without skipping rules firing? */
INLINE int usable(const caller *c, const request *r, int s, int F)
{
    if (!in_view(c, s, F))
        return 0;
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
INLINE int may_skip(const caller *c, const request *r, int F)
{
    return F || c->nbrk > 1 || c->outl || r->live;
}

/* Usable servers into c->scratch; returns how many. */
INLINE int candidates(caller *c, const request *r, int F)
{
    int n = c->target->cfg->servers, k = 0;
    for (int s = 0; s < n; s++)
        if (usable(c, r, s, F))
            c->scratch[k++] = s;
    return k;
}

INLINE int pick_random(caller *c, const request *r, int n, int F)
{
    int s = view_at(c, (int)rng_below(&c->rng_bal, (unsigned long)view_size(c, n, F)), F);
    if (!may_skip(c, r, F) || usable(c, r, s, F))
        return s;
    int k = candidates(c, r, F);
    return k ? c->scratch[rng_below(&c->rng_bal, (unsigned long)k)] : s;
}

INLINE int pick_round_robin(caller *c, const request *r, int n, int F)
{
    for (int i = 0; i < n; i++) {
        int s = (c->rr_next + i) % n;
        if (!may_skip(c, r, F) || usable(c, r, s, F)) {
            c->rr_next = (s + 1) % n;
            return s;
        }
    }
    for (int i = 0; i < n; i++) {
        int s = (c->rr_next + i) % n;
        if (in_view(c, s, F)) {
            c->rr_next = (s + 1) % n;
            return s;
        }
    }
    return 0; /* not reached: the view is never empty here */
}

/* Fewest outstanding among LIST[0..K), ties broken uniformly (reservoir). */
INLINE int least_of(caller *c, const int *list, int k)
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

INLINE int pick_least(caller *c, const request *r, int n, int F)
{
    int k = candidates(c, r, F);
    if (k == 0) {
        k = view_size(c, n, F);
        for (int i = 0; i < k; i++)
            c->scratch[i] = view_at(c, i, F);
    }
    return least_of(c, c->scratch, k);
}

INLINE int pick_p2c(caller *c, const request *r, int n, int F)
{
    int m = view_size(c, n, F);
    if (m == 1)
        return view_at(c, 0, F);
    int two[2];
    two[0] = (int)rng_below(&c->rng_bal, (unsigned long)m);
    two[1] = (int)rng_below(&c->rng_bal, (unsigned long)(m - 1));
    if (two[1] >= two[0])
        two[1]++;
    two[0] = view_at(c, two[0], F);
    two[1] = view_at(c, two[1], F);
    if (may_skip(c, r, F) && !(usable(c, r, two[0], F) && usable(c, r, two[1], F))) {
        int k = candidates(c, r, F);
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

INLINE int pick(caller *c, const request *r, int F)
{
    int n = c->target->cfg->servers;
    switch (c->cfg->balancer) {
    case BAL_RANDOM: return pick_random(c, r, n, F);
    case BAL_ROUND_ROBIN: return pick_round_robin(c, r, n, F);
    case BAL_LEAST_OUTSTANDING: return pick_least(c, r, n, F);
    case BAL_P2C: return pick_p2c(c, r, n, F);
    }
    return 0;
}

int balancer_pick(caller *c, const request *r)
{
    if (health_filters(c->hc))
        return pick(c, r, 1);
    return pick(c, r, 0);
}
