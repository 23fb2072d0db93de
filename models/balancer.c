/* balancer.c - random, round_robin, least_outstanding, p2c; see balancer.h. */
#include "models/balancer.h"
#include "models/health.h"

#include <string.h>

/* ---- with health checking: the view filters (a scan of the pool) -------------
 *
 * Every function in this part takes F: 1 when the caller filters by
 * health-check belief now (health.h).  balancer_pick() calls them with F = 1
 * only; without filtering the indexed picks further down are used. */
#define INLINE static inline __attribute__((always_inline))

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

/* Is S in the caller's view (believed healthy)?  A hard filter; the rules in
 * usable_view() are soft. */
INLINE int in_view(const caller *c, int s, int F) { return !F || health_believed(c->hc, s); }

/* Servers in view: how many, and the I-th of them (uniform picks). */
INLINE int view_size(const caller *c, int n, int F) { return F ? c->hc->nhealthy : n; }
INLINE int view_at(const caller *c, int i, int F) { return F ? c->hc->list[i] : i; }

/* May an attempt of R go to server S without skipping rules firing? */
INLINE int usable_view(const caller *c, const request *r, int s, int F)
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
INLINE int may_skip_view(const caller *c, const request *r, int F)
{
    return F || c->nbrk > 1 || c->outl || r->live;
}

/* Usable servers into c->scratch; returns how many. */
INLINE int candidates_view(caller *c, const request *r, int F)
{
    int n = c->target->cfg->servers, k = 0;
    for (int s = 0; s < n; s++)
        if (usable_view(c, r, s, F))
            c->scratch[k++] = s;
    return k;
}

INLINE int pick_random_view(caller *c, const request *r, int n, int F)
{
    int s = view_at(c, (int)rng_below(&c->rng_bal, (unsigned long)view_size(c, n, F)), F);
    if (!may_skip_view(c, r, F) || usable_view(c, r, s, F))
        return s;
    int k = candidates_view(c, r, F);
    return k ? c->scratch[rng_below(&c->rng_bal, (unsigned long)k)] : s;
}

INLINE int pick_round_robin_view(caller *c, const request *r, int n, int F)
{
    for (int i = 0; i < n; i++) {
        int s = (c->rr_next + i) % n;
        if (!may_skip_view(c, r, F) || usable_view(c, r, s, F)) {
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

static int pick_least_healthy(caller *c, const request *r);

/* least_outstanding keeps a srvset (has_set) whose keys put the servers not
 * believed healthy last, so the filtered pick is O(log n) too. */
INLINE int pick_least_view(caller *c, const request *r, int n, int F)
{
    if (F && c->set.count)
        return pick_least_healthy(c, r);
    int k = candidates_view(c, r, F);
    if (k == 0) {
        k = view_size(c, n, F);
        for (int i = 0; i < k; i++)
            c->scratch[i] = view_at(c, i, F);
    }
    return least_of(c, c->scratch, k);
}

INLINE int pick_p2c_view(caller *c, const request *r, int n, int F)
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
    if (may_skip_view(c, r, F) && !(usable_view(c, r, two[0], F) && usable_view(c, r, two[1], F))) {
        int k = candidates_view(c, r, F);
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

/* ---- without health filtering: indexed picks (srvset) ------------------------ */

/* Available: the per-server breaker would admit and the server is not
 * ejected (kept up to date in c->set by caller_gates.c and caller.c), or every server when no
 * such rule is configured. */
static int available(const caller *c, int s)
{
    return !c->has_set || srvset_is_avail(&c->set, s);
}

/* May an attempt of R go to server S without skipping rules firing? */
static int usable(const caller *c, const request *r, int s)
{
    if (!available(c, s))
        return 0;
    for (const attempt *a = r->live; a; a = a->sib)
        if (a->server == s)
            return 0;
    return 1;
}

/* Do any skipping rules apply to this caller and request at all? */
static int may_skip(const caller *c, const request *r)
{
    return c->has_set || r->live;
}

/* The servers of R's live attempts that are available, ascending and
 * without repeats, into c->scratch; returns how many (at most r->nlive). */
static int live_available(caller *c, const request *r)
{
    int k = 0;
    for (const attempt *a = r->live; a; a = a->sib) {
        int s = a->server, i = k;
        if (!available(c, s))
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

/* The candidates of R are the available servers that hold none of its live
 * attempts, in server order.  This pair gives how many there are (SIB: the
 * live_available() count) and the J-th of them, in O(log n) per live
 * attempt, never a scan of the pool. */
static int ncandidates(const caller *c, int sib)
{
    return (c->has_set ? srvset_navail(&c->set) : c->target->cfg->servers) - sib;
}

static int kth_available(const caller *c, int j)
{
    return c->has_set ? srvset_kth_avail(&c->set, j) : j;
}

static int kth_candidate(const caller *c, int sib, int j)
{
    /* the answer x is available number j + #(live servers below x) */
    int x = kth_available(c, j);
    for (int i = 0; i < sib && c->scratch[i] <= x; i++)
        x = kth_available(c, ++j);
    return x;
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
    if (!may_skip(c, r) || usable(c, r, s))
        return s;
    int sib = live_available(c, r), k = ncandidates(c, sib);
    return k ? kth_candidate(c, sib, (int)rng_below(&c->rng_bal, (unsigned long)k)) : s;
}

/* The first candidate at or after rr_next, cyclically. */
static int pick_round_robin(caller *c, const request *r, int n)
{
    int s = c->rr_next;
    if (may_skip(c, r) && !usable(c, r, s)) {
        int sib = live_available(c, r), k = ncandidates(c, sib);
        if (k > 0) {
            int before = c->has_set ? srvset_avail_below(&c->set, s) : s;
            for (int i = 0; i < sib && c->scratch[i] < s; i++)
                before--;
            s = kth_candidate(c, sib, before < k ? before : 0);
        }
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
    if (may_skip(c, r) && !(usable(c, r, two[0]) && usable(c, r, two[1]))) {
        int sib = live_available(c, r), k = ncandidates(c, sib);
        if (k == 1)
            return kth_candidate(c, sib, 0);
        if (k >= 2) {
            int i = (int)rng_below(&c->rng_bal, (unsigned long)k);
            int j = (int)rng_below(&c->rng_bal, (unsigned long)(k - 1));
            two[0] = kth_candidate(c, sib, i);
            two[1] = kth_candidate(c, sib, j >= i ? j + 1 : j);
        }
    }
    return least_of(c, two, 2);
}

int balancer_pick(caller *c, const request *r)
{
    int n = c->target->cfg->servers;
    if (health_filters(c->hc)) {
        switch (c->cfg->balancer) {
        case BAL_RANDOM: return pick_random_view(c, r, n, 1);
        case BAL_ROUND_ROBIN: return pick_round_robin_view(c, r, n, 1);
        case BAL_LEAST_OUTSTANDING: return pick_least_view(c, r, n, 1);
        case BAL_P2C: return pick_p2c_view(c, r, n, 1);
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
