/* balancer.c - random, round_robin, least_outstanding, p2c; see balancer.h. */
#include "models/balancer.h"
#include "models/health.h"

#include <string.h>

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

/* ---- candidates, indexed --------------------------------------------------------
 *
 * X is the set of servers a pick may take: the caller's set (available:
 * breaker, ejection), or with health filtering the health checker's view
 * (believed healthy and available), or NULL for every server.  R's
 * candidates are the servers of X that hold none of its live attempts, in
 * server order; these give how many there are and the J-th of them in
 * O(log n) per live attempt, never a scan of the pool. */

static int in_set(const srvset *x, int s) { return !x || srvset_is_avail(x, s); }

/* May an attempt of R go to server S of X? */
static int usable_in(const srvset *x, const request *r, int s)
{
    if (!in_set(x, s))
        return 0;
    for (const attempt *a = r->live; a; a = a->sib)
        if (a->server == s)
            return 0;
    return 1;
}

/* The servers of R's live attempts that are in X, ascending and without
 * repeats, into c->scratch; returns how many (at most r->nlive). */
static int live_in(caller *c, const srvset *x, const request *r)
{
    int k = 0;
    for (const attempt *a = r->live; a; a = a->sib) {
        int s = a->server, i = k;
        if (!in_set(x, s))
            continue;
        while (i > 0 && c->scratch[i - 1] > s)
            i--;
        if (i > 0 && c->scratch[i - 1] == s)
            continue;
        memmove(&c->scratch[i + 1], &c->scratch[i], (size_t)(k - i) * sizeof *c->scratch);
        c->scratch[i] = s;
        k++;
    }
    return k;
}

/* How many candidates (SIB: the live_in() count). */
static int ncandidates(const caller *c, const srvset *x, int sib)
{
    return (x ? srvset_navail(x) : c->target->cfg->servers) - sib;
}

static int kth_in(const srvset *x, int j) { return x ? srvset_kth_avail(x, j) : j; }

/* The J-th candidate (the live_in() list in c->scratch, SIB long). */
static int kth_candidate(const caller *c, const srvset *x, int sib, int j)
{
    /* the answer y is server number j + #(live servers below y) of X */
    int y = kth_in(x, j);
    for (int i = 0; i < sib && c->scratch[i] <= y; i++)
        y = kth_in(x, ++j);
    return y;
}

/* A drawn server was skipped: a candidate drawn uniformly, or FALLBACK when
 * there is none. */
static int redraw_one(caller *c, const srvset *x, const request *r, int fallback)
{
    int sib = live_in(c, x, r), k = ncandidates(c, x, sib);
    return k ? kth_candidate(c, x, sib, (int)rng_below(&c->rng_bal, (unsigned long)k)) : fallback;
}

/* A drawn pair had a skipped server: two distinct candidates drawn into
 * TWO; returns the only candidate when there is one, else -1 (TWO unchanged
 * when there is none). */
static int redraw_two(caller *c, const srvset *x, const request *r, int two[2])
{
    int sib = live_in(c, x, r), k = ncandidates(c, x, sib);
    if (k == 1)
        return kth_candidate(c, x, sib, 0);
    if (k >= 2) {
        int i = (int)rng_below(&c->rng_bal, (unsigned long)k);
        int j = (int)rng_below(&c->rng_bal, (unsigned long)(k - 1));
        two[0] = kth_candidate(c, x, sib, i);
        two[1] = kth_candidate(c, x, sib, j >= i ? j + 1 : j);
    }
    return -1;
}

/* The first candidate at or after server S, cyclically; -1 when none. */
static int next_candidate(caller *c, const srvset *x, const request *r, int s)
{
    int sib = live_in(c, x, r), k = ncandidates(c, x, sib);
    if (k <= 0)
        return -1;
    int before = x ? srvset_avail_below(x, s) : s;
    for (int i = 0; i < sib && c->scratch[i] < s; i++)
        before--;
    return kth_candidate(c, x, sib, before < k ? before : 0);
}

/* ---- with health filtering: among the believed-healthy servers --------------- */

static int pick_random_view(caller *c, const request *r)
{
    const health *h = c->hc;
    int s = h->list[rng_below(&c->rng_bal, (unsigned long)h->nhealthy)];
    return usable_in(&h->view, r, s) ? s : redraw_one(c, &h->view, r, s);
}

/* The first candidate from rr_next on; when every believed-healthy server
 * is skipped, the first believed-healthy one (rare: a scan); when none is
 * believed healthy (not reached: the caller fails the request first),
 * server 0. */
static int pick_round_robin_view(caller *c, const request *r, int n)
{
    const health *h = c->hc;
    int s = c->rr_next;
    if (!usable_in(&h->view, r, s) && (s = next_candidate(c, &h->view, r, s)) < 0) {
        for (int i = 0; i < n && s < 0; i++)
            if (health_believed(h, (c->rr_next + i) % n))
                s = (c->rr_next + i) % n;
        if (s < 0)
            return 0;
    }
    c->rr_next = (s + 1) % n;
    return s;
}

static int pick_p2c_view(caller *c, const request *r)
{
    const health *h = c->hc;
    int m = h->nhealthy;
    if (m == 1)
        return h->list[0];
    int two[2];
    two[0] = (int)rng_below(&c->rng_bal, (unsigned long)m);
    two[1] = (int)rng_below(&c->rng_bal, (unsigned long)(m - 1));
    if (two[1] >= two[0])
        two[1]++;
    two[0] = h->list[two[0]];
    two[1] = h->list[two[1]];
    if (!(usable_in(&h->view, r, two[0]) && usable_in(&h->view, r, two[1]))) {
        int only = redraw_two(c, &h->view, r, two);
        if (only >= 0)
            return only;
    }
    return least_of(c, two, 2);
}

/* ---- without health filtering: the caller's set ------------------------------ */

/* The caller's available servers (breaker, ejection; kept up to date in
 * c->set by caller_gates.c and caller.c), or NULL when no such rule is
 * configured (every server). */
static const srvset *avail_set(const caller *c) { return c->has_set ? &c->set : NULL; }

/* Do any skipping rules apply to this caller and request at all? */
static int may_skip(const caller *c, const request *r)
{
    return c->has_set || r->live;
}

/* The divisors of the pool size N and of N - 1 (rng_below_by: the draws
 * rng_below would give, without its divisions); set again if N changed. */
static const rng_divisor *bal_divisors(caller *c, int n)
{
    if (__builtin_expect(c->bal_div[0].n != (unsigned long)n, 0)) {
        rng_divisor_set(&c->bal_div[0], (unsigned long)n);
        rng_divisor_set(&c->bal_div[1], (unsigned long)(n - 1));
    }
    return c->bal_div;
}

static int pick_random(caller *c, const request *r, int n)
{
    int s = (int)rng_below_by(&c->rng_bal, &bal_divisors(c, n)[0]);
    if (!may_skip(c, r) || usable_in(avail_set(c), r, s))
        return s;
    return redraw_one(c, avail_set(c), r, s);
}

/* The first candidate at or after rr_next, cyclically. */
static int pick_round_robin(caller *c, const request *r, int n)
{
    int s = c->rr_next;
    if (may_skip(c, r) && !usable_in(avail_set(c), r, s)) {
        int t = next_candidate(c, avail_set(c), r, s);
        s = t >= 0 ? t : s;
    }
    c->rr_next = (s + 1) % n;
    return s;
}

/* One of the servers with the smallest key, uniformly. */
static int draw_min(caller *c)
{
    int t = srvset_nmin(&c->set);
    return srvset_kth_min(&c->set, t > 1 ? (int)rng_below(&c->rng_bal, (unsigned long)t) : 0);
}

/* With health filtering (srvset_filter marks the servers not believed
 * healthy): fewest outstanding among the believed-healthy servers, those
 * available and not holding R's attempts first, then the other healthy ones
 * not holding them, then any healthy one. */
static int pick_least_healthy(caller *c, const request *r)
{
    for (const attempt *a = r->live; a; a = a->sib)
        srvset_exclude(&c->set, a->server, 1);
    int s = srvset_min_key(&c->set) < SRVSET_FILTERED ? draw_min(c) : -1;
    for (const attempt *a = r->live; a; a = a->sib)
        srvset_exclude(&c->set, a->server, 0);
    return s >= 0 ? s : draw_min(c);
}

/* Fewest of this caller's attempts in flight among the candidates, ties
 * uniformly at random; when there is no candidate, among all servers.
 * The set's key (srvset.h) puts available servers first, so its minimum is
 * the answer whenever an available server is a candidate, or when none is
 * available at all (then every key carries the same offset).  R's live
 * servers are excluded for the pick and put back.  Left: some servers are
 * available but all hold R's attempts (a hedge with nearly the whole pool
 * skipped): a scan of the pool, as before. */
static int pick_least(caller *c, const request *r, int n)
{
    if (!r->live)
        return draw_min(c);
    for (const attempt *a = r->live; a; a = a->sib)
        srvset_exclude(&c->set, a->server, 1);
    int m = srvset_min_key(&c->set), s = m < SRVSET_UNAVAIL ? draw_min(c) : -1;
    for (const attempt *a = r->live; a; a = a->sib)
        srvset_exclude(&c->set, a->server, 0);
    if (s >= 0)
        return s;
    if (srvset_navail(&c->set) == 0)
        return draw_min(c);
    for (int i = 0; i < n; i++)
        c->scratch[i] = i;
    return least_of(c, c->scratch, n);
}

static int pick_p2c(caller *c, const request *r, int n)
{
    if (n == 1)
        return 0;
    int two[2];
    const rng_divisor *d = bal_divisors(c, n);
    two[0] = (int)rng_below_by(&c->rng_bal, &d[0]);
    two[1] = (int)rng_below_by(&c->rng_bal, &d[1]);
    if (two[1] >= two[0])
        two[1]++;
    if (may_skip(c, r) && !(usable_in(avail_set(c), r, two[0]) && usable_in(avail_set(c), r, two[1]))) {
        int only = redraw_two(c, avail_set(c), r, two);
        if (only >= 0)
            return only;
    }
    return least_of(c, two, 2);
}

int balancer_pick(caller *c, const request *r)
{
    int n = c->target->cfg->servers;
    if (health_filters(c->hc)) {
        switch (c->cfg->balancer) {
        case BAL_RANDOM: return pick_random_view(c, r);
        case BAL_ROUND_ROBIN: return pick_round_robin_view(c, r, n);
        case BAL_LEAST_OUTSTANDING: return pick_least_healthy(c, r);
        case BAL_P2C: return pick_p2c_view(c, r);
        }
        return 0;
    }
    switch (c->cfg->balancer) {
    case BAL_RANDOM: return pick_random(c, r, n);
    case BAL_ROUND_ROBIN: return pick_round_robin(c, r, n);
    case BAL_LEAST_OUTSTANDING: return pick_least(c, r, n);
    case BAL_P2C: return pick_p2c(c, r, n);
    }
    return 0;
}

/* The next value of rng_below(S, N) without drawing it, or -1 when it cannot
 * be peeked cheaply (no inline state, or a draw the rejection loop would
 * repeat). */
static long peek_below(const rng_stream *s, rng_taus_state *t, const rng_divisor *d)
{
    if (!s->taus || !d->scale)
        return -1;
    uint32_t k = rng_divisor_quot(d, (uint32_t)rng_taus_next(t));
    return k < d->n ? (long)k : -1;
}

void balancer_prefetch_next(caller *c)
{
    const srv_hot *srv = c->target->hot;
    int n = c->target->cfg->servers;
    if (c->cfg->balancer != BAL_RANDOM && c->cfg->balancer != BAL_P2C)
        return;
    if (!c->rng_bal.taus)
        return;
    const rng_divisor *d = bal_divisors(c, n);
    rng_taus_state t = *c->rng_bal.taus; /* a copy: the stream does not move */
    long a = peek_below(&c->rng_bal, &t, &d[0]);
    if (a < 0)
        return;
    __builtin_prefetch(&srv[a]);
    if (c->cfg->balancer == BAL_P2C && n > 1) {
        long b = peek_below(&c->rng_bal, &t, &d[1]);
        if (b >= 0)
            __builtin_prefetch(&srv[b >= a ? b + 1 : b]);
    }
}
