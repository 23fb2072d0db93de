/* test_balancer.c - the balancers' server set (models/srvset) against a
 * brute-force scan, and every balancer's choices on random caller states
 * against the documented rule (balancer.h) evaluated by a scan of the pool. */
#include "tests/testutil.h"
#include "tests/simtest.h"

#include "models/balancer.h"
#include "models/caller_impl.h"
#include "models/health.h"
#include "models/model.h"
#include "models/srvset.h"

#include <stdlib.h>

/* ---- srvset against a scan ---------------------------------------------------- */

/* What the set should hold, kept by the tests beside it: per server its
 * count, whether it is available, excluded, filtered. */
typedef struct {
    int n;
    int *cnt, *av, *ex, *fl;
} scan;

static void scan_init(scan *m, int n)
{
    m->n = n;
    m->cnt = calloc((size_t)n, sizeof *m->cnt);
    m->av = calloc((size_t)n, sizeof *m->av);
    m->ex = calloc((size_t)n, sizeof *m->ex);
    m->fl = calloc((size_t)n, sizeof *m->fl);
    assert_non_null(m->cnt && m->av && m->ex && m->fl ? m : NULL);
    for (int s = 0; s < n; s++)
        m->av[s] = 1;
}

static void scan_free(scan *m)
{
    free(m->cnt);
    free(m->av);
    free(m->ex);
    free(m->fl);
}

static int key(const scan *m, int s)
{
    return m->ex[s] ? SRVSET_EXCLUDED
                    : m->cnt[s] + (m->av[s] ? 0 : SRVSET_UNAVAIL) + (m->fl[s] ? SRVSET_FILTERED : 0);
}

static void check_set(const srvset *x, const scan *sc)
{
    int navail = 0, m = INT_MAX, nm = 0;
    for (int s = 0; s < sc->n; s++) {
        assert_int_equal(srvset_avail_below(x, s), navail);
        if (sc->av[s])
            assert_int_equal(srvset_kth_avail(x, navail++), s);
        int k = key(sc, s);
        if (k < m)
            m = k, nm = 0;
        nm += k == m;
    }
    assert_int_equal(srvset_navail(x), navail);
    assert_int_equal(srvset_min_key(x), m);
    assert_int_equal(srvset_nmin(x), nm);
    for (int s = 0, j = 0; s < sc->n; s++)
        if (key(sc, s) == m)
            assert_int_equal(srvset_kth_min(x, j++), s);
}

/* 3000 random updates per size (600 above 1000 servers: four levels of the
 * 16-ary tree), the whole set checked after each. */
static void test_srvset_scan(void **state)
{
    (void)state;
    static const int sizes[] = {1, 2, 7, 16, 17, 64, 300, 4100};
    srand(2385);
    for (size_t z = 0; z < 2 * sizeof sizes / sizeof *sizes; z++) {
        /* then again with the counts shared (srvset_share_counts: the
         * caller's array, changed by it, the set told by srvset_add_count) */
        int n = sizes[z % (sizeof sizes / sizeof *sizes)], shared = z >= sizeof sizes / sizeof *sizes;
        srvset x;
        assert_int_equal(srvset_init(&x, n, 1), 0);
        scan m;
        scan_init(&m, n);
        int *cnt = m.cnt, *av = m.av, *ex = m.ex, *fl = m.fl;
        if (shared)
            srvset_share_counts(&x, cnt);
        check_set(&x, &m);
        for (int step = 0; step < (n > 1000 ? 600 : 3000); step++) {
            int s = rand() % n;
            switch (rand() % 4) {
            case 0: av[s] = rand() % 4 != 0; srvset_set_avail(&x, s, av[s]); break;
            case 1: {
                int c = rand() % 4, d = c - cnt[s];
                cnt[s] = c;
                if (!shared)
                    srvset_set_count(&x, s, c);
                else if (d)
                    srvset_add_count(&x, s, d);
                break;
            }
            case 2: fl[s] = rand() % 6 == 0; srvset_filter(&x, s, fl[s]); break;
            default: ex[s] = rand() % 8 == 0; srvset_exclude(&x, s, ex[s]); break;
            }
            check_set(&x, &m);
        }
        srvset_reset(&x);
        for (int s = 0; s < n; s++)
            cnt[s] = ex[s] = fl[s] = 0, av[s] = 1;
        check_set(&x, &m);
        srvset_free(&x);
        scan_free(&m);
    }
}

/* least_outstanding's own traffic: every pick takes one of the servers with
 * the smallest key (srvset_kth_min on a random tie) and adds one to it, every
 * completion takes one off a random busy server, now and then a server goes
 * unavailable or comes back; so keys move by one, most updates keep a node's
 * smallest key (the shortcut in update()) and the level-0 masks of the
 * smallest keys are what the picks read.  Checked against a scan after each
 * step. */
static void test_srvset_walk(void **state)
{
    (void)state;
    static const int sizes[] = {1, 3, 16, 17, 255, 256, 257, 4100};
    srand(1789);
    for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
        int n = sizes[z], busy = 0;
        srvset x;
        assert_int_equal(srvset_init(&x, n, 1), 0);
        scan m;
        scan_init(&m, n);
        int *cnt = m.cnt, *av = m.av;
        for (int step = 0; step < (n > 1000 ? 800 : 4000); step++) {
            int r = rand() % 100, s;
            if (r < 48 + (busy < n / 2 ? 8 : 0)) { /* a pick */
                s = srvset_kth_min(&x, rand() % srvset_nmin(&x));
                assert_int_equal(key(&m, s), srvset_min_key(&x));
                srvset_set_count(&x, s, ++cnt[s]);
                busy++;
            } else if (r < 97) { /* a completion */
                if (busy == 0)
                    continue;
                do
                    s = rand() % n;
                while (cnt[s] == 0);
                srvset_set_count(&x, s, --cnt[s]);
                busy--;
            } else {
                s = rand() % n;
                av[s] = !av[s];
                srvset_set_avail(&x, s, av[s]);
            }
            check_set(&x, &m);
        }
        srvset_free(&x);
        scan_free(&m);
    }
}

/* ---- balancers against the documented rule ------------------------------------ */

#define N 53
#define PICKS 4000

/* A world with one pool of N servers and one client with per-server
 * breakers and outlier ejection, balancer KIND; with CHECKED, health
 * checking too (no panic), so the picks are among the believed healthy. */
static world *make_world(scenario *s, balancer_kind kind, int checked)
{
    st_scenario(s, 1, 1, 10, 1, 5);
    s->pools[0].servers = N;
    policy_cfg *p = &s->clients[0].policy;
    p->balancer = kind;
    p->breaker = (breaker_cfg){.kind = BREAKER_CONSECUTIVE, .scope = SCOPE_PER_SERVER, .failure_threshold = 5,
                               .open_for = 1, .half_open_probes = 2};
    p->outlier = (outlier_cfg){.enabled = 1, .consecutive_errors = 5, .base_ejection = 30,
                               .max_ejection_percent = 50};
    if (checked)
        p->health = (health_cfg){.enabled = 1, .interval = 1, .timeout = 0.5, .unhealthy_threshold = 3,
                                 .healthy_threshold = 2};
    world *w = world_new(s);
    assert_non_null(w);
    rng_seed(&w->callers[0].rng_bal, 77);
    return w;
}

/* Beliefs, when health checking: about a quarter of the servers believed
 * unhealthy, at least one healthy; told as health.c tells them (list,
 * least_outstanding's filter, the view set). */
static void scramble_beliefs(caller *c)
{
    health *h = c->hc;
    h->nhealthy = 0;
    for (int s = 0; s < N; s++) {
        h->srv[s].healthy = s == N / 2 || rand() % 4 != 0;
        if (h->srv[s].healthy) {
            h->slot[s] = h->nhealthy;
            h->list[h->nhealthy++] = s;
        }
        if (c->set.count)
            srvset_filter(&c->set, s, !h->srv[s].healthy);
        health_view_refresh(h, s);
    }
}

/* Random beliefs (with health checking), then breaker states, ejections and
 * outstanding counts (0..2, so ties are common), each told as caller.c
 * tells it (caller_refresh_avail: the caller's set and the view). */
static void scramble(caller *c, int unavailable_pct)
{
    if (c->hc)
        scramble_beliefs(c);
    for (int s = 0; s < N; s++) {
        breaker *b = &c->brk[s];
        b->state = BRK_CLOSED;
        b->probes_sent = 0;
        c->outl[s].until = 0;
        if (rand() % 100 < unavailable_pct) {
            switch (rand() % 3) {
            case 0: b->state = BRK_OPEN; break;
            case 1: b->state = BRK_HALF_OPEN; b->probes_sent = 2; break; /* probes taken */
            default: c->outl[s].until = 5; break;
            }
        } else if (rand() % 5 == 0) {
            b->state = BRK_HALF_OPEN; /* a probe left: available */
            b->probes_sent = 1;
        }
        int o = rand() % 3, d = o - c->outstanding[s];
        c->outstanding[s] = o; /* least_outstanding: the set's counts too (shared) */
        if (c->set.count && d)
            srvset_add_count(&c->set, s, d);
        caller_refresh_avail(c, s);
    }
}

/* Is S among the servers a pick may take at all (believed healthy)? */
static int in_view(const caller *c, int s) { return !c->hc || c->hc->srv[s].healthy; }

/* S holds one of R's live attempts. */
static int holds(const request *r, int s)
{
    for (const attempt *a = r->live; a; a = a->sib)
        if (a->server == s)
            return 1;
    return 0;
}

/* least_outstanding's pool when no server is a candidate (NCAND 0): all
 * servers; with health checking the believed-healthy ones not holding R's
 * attempts, or (NFREE 0: none) every believed-healthy one (balancer.c
 * pick_least_healthy). */
static int least_pool(const caller *c, const request *r, int s, int nfree)
{
    return in_view(c, s) && (!c->hc || nfree == 0 || !holds(r, s));
}

/* The documented rule by a scan: may S take an attempt of R? */
static int usable(const caller *c, const request *r, int s)
{
    return breaker_would_admit(&c->brk[s]) && c->outl[s].until == 0 && in_view(c, s) && !holds(r, s);
}

/* R with NLIVE live attempts on distinct random servers. */
static void make_request(request *r, attempt *att, int nlive)
{
    memset(r, 0, sizeof *r);
    for (int i = 0; i < nlive; i++) {
        memset(&att[i], 0, sizeof att[i]);
        int s, dup;
        do {
            s = rand() % N;
            dup = 0;
            for (int k = 0; k < i; k++)
                dup |= att[k].server == s;
        } while (dup);
        att[i].server = s;
        att[i].sib = r->live;
        r->live = &att[i];
        r->nlive++;
    }
}

/* Every balancer against the rule, without (CHECKED 0) or with health
 * filtering: the same rule among the believed-healthy servers ("all"
 * below is then all the believed-healthy ones). */
static void balancers_against_scan(int checked)
{
    srand(4242);
    static const balancer_kind kinds[] = {BAL_RANDOM, BAL_ROUND_ROBIN, BAL_LEAST_OUTSTANDING, BAL_P2C};
    static const int pct[] = {0, 30, 90, 100};
    for (int k = 0; k < 4; k++) {
        scenario sc;
        world *w = make_world(&sc, kinds[k], checked);
        caller *c = &w->callers[0];
        for (int trial = 0; trial < 40; trial++) {
            scramble(c, pct[trial % 4]);
            request r;
            attempt att[3];
            make_request(&r, att, trial % 3 == 2 ? 3 : trial % 3);
            int ncand = 0, best = INT_MAX, nbest = 0, hits[N] = {0};
            for (int s = 0; s < N; s++)
                if (usable(c, &r, s))
                    ncand++;
            /* least_outstanding: the fewest among the candidates, or among all */
            int nview = 0, nfree = 0;
            for (int s = 0; s < N; s++) {
                nview += in_view(c, s);
                nfree += in_view(c, s) && !holds(&r, s);
            }
            for (int s = 0; s < N; s++)
                if ((ncand == 0 ? least_pool(c, &r, s, nfree) : usable(c, &r, s)) && c->outstanding[s] < best)
                    best = c->outstanding[s];
            for (int s = 0; s < N; s++)
                nbest += (ncand == 0 ? least_pool(c, &r, s, nfree) : usable(c, &r, s)) && c->outstanding[s] == best;
            for (int i = 0; i < PICKS; i++) {
                int rr = c->rr_next, s = balancer_pick(c, &r);
                assert_true(s >= 0 && s < N);
                assert_true(in_view(c, s));
                hits[s]++;
                if (ncand > 0 && !usable(c, &r, s))
                    fail_msg("%s trial %d: picked server %d, not a candidate (%d candidates)",
                             kinds[k] == BAL_RANDOM ? "random" : kinds[k] == BAL_ROUND_ROBIN ? "round_robin"
                             : kinds[k] == BAL_P2C ? "p2c" : "least_outstanding", trial, s, ncand);
                if (kinds[k] == BAL_ROUND_ROBIN) {
                    int want = rr; /* the first candidate at or after rr_next (or in view, if none) */
                    for (int d = 0; d < N; d++)
                        if (ncand > 0 ? usable(c, &r, want = (rr + d) % N) : in_view(c, want = (rr + d) % N))
                            break;
                    assert_int_equal(s, want);
                }
                if (kinds[k] == BAL_LEAST_OUTSTANDING) {
                    assert_int_equal(c->outstanding[s], best);
                    assert_true(ncand == 0 ? least_pool(c, &r, s, nfree) : usable(c, &r, s));
                }
            }
            /* uniform over the candidates (random) or over the ties (least):
             * each expected PICKS / m times; allow 5 binomial sd */
            int m = kinds[k] == BAL_RANDOM ? (ncand ? ncand : nview) : kinds[k] == BAL_LEAST_OUTSTANDING ? nbest : 0;
            for (int s = 0; m > 0 && s < N; s++) {
                double e = (double)PICKS / m, sd = sqrt(PICKS * (1.0 / m) * (1 - 1.0 / m));
                int in = kinds[k] == BAL_RANDOM ? (ncand == 0 ? in_view(c, s) : usable(c, &r, s))
                                                : (ncand == 0 ? least_pool(c, &r, s, nfree) : usable(c, &r, s)) &&
                                                      c->outstanding[s] == best;
                if (in && fabs(hits[s] - e) > 5 * sd + 1e-9)
                    fail_msg("trial %d: server %d picked %d times of %d, expected %.1f +- %.1f", trial, s,
                             hits[s], PICKS, e, 5 * sd);
                if (!in && kinds[k] != BAL_RANDOM)
                    assert_int_equal(hits[s], 0);
            }
        }
        world_free(w);
        scenario_free(&sc);
    }
}

static void test_balancers_against_scan(void **state)
{
    (void)state;
    balancers_against_scan(0);
}

/* With health checking the picks among the believed-healthy servers are
 * indexed too (the checker's view set, health.h), with the same rule. */
static void test_balancers_health_against_scan(void **state)
{
    (void)state;
    balancers_against_scan(1);
}

/* The view set stays what it stands for through a real run: servers fail
 * and come back (beliefs change in health.c), breakers open and close
 * (availability changes in caller_gates.c), for every balancer that keeps
 * * a view; checked after each replication, and the runs must
 * have left some server believed unhealthy (else it proved nothing). */
static void test_view_through_a_run(void **state)
{
    (void)state;
    static const balancer_kind kinds[] = {BAL_RANDOM, BAL_ROUND_ROBIN, BAL_P2C};
    for (int k = 0; k < 3; k++) {
        scenario sc;
        st_scenario(&sc, 1, 1, 10, 1, 5);
        sc.pools[0].servers = N;
        sc.pools[0].failure = st_exp(1.0);
        sc.pools[0].repair = st_exp(2.0);
        policy_cfg *p = &sc.clients[0].policy;
        p->balancer = kinds[k];
        p->breaker = (breaker_cfg){.kind = BREAKER_CONSECUTIVE, .scope = SCOPE_PER_SERVER,
                                   .failure_threshold = 2, .open_for = 0.5, .half_open_probes = 1};
        p->health = (health_cfg){.enabled = 1, .interval = 0.1, .timeout = 0.05, .unhealthy_threshold = 2,
                                 .healthy_threshold = 2};
        world *w = world_new(&sc);
        assert_non_null(w);
        caller *c = &w->callers[0];
        assert_true(c->hc && c->hc->has_view);
        double *rec = calloc(world_layout(w)->total, sizeof *rec);
        assert_non_null(rec);
        int unhealthy = 0;
        for (int rep = 0; rep < 3; rep++) {
            assert_int_equal(world_run(w, (unsigned long)rep, rec, 0, NULL), WORLD_DONE);
            unhealthy += c->hc->nhealthy < N;
            for (int s = 0; s < N; s++)
                assert_int_equal(srvset_is_avail(&c->hc->view, s),
                                 c->hc->srv[s].healthy && srvset_is_avail(&c->set, s));
        }
        assert_true(unhealthy > 0);
        free(rec);
        world_free(w);
        scenario_free(&sc);
    }
}

int main(void)
{
#ifdef RELSIM_TEST_BMI2 /* test_balancer_bmi2 (Makefile): srvset's _pdep_u32 path */
#ifndef __BMI2__
#error "test_balancer_bmi2 must be built with BMI2"
#endif
    if (!__builtin_cpu_supports("bmi2")) {
        printf("SKIP: this CPU has no BMI2 (srvset's pdep path not tested)\n");
        return 77;
    }
#endif
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_srvset_scan),
        cmocka_unit_test(test_srvset_walk),
        cmocka_unit_test(test_balancers_against_scan),
        cmocka_unit_test(test_balancers_health_against_scan),
        cmocka_unit_test(test_view_through_a_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
