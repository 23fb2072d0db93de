/* test_engine.c - the event list, timer queues, random streams, statistics. */
#include "tests/testutil.h"

#include "sim/evq.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/stat.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

typedef struct {
    sim_event ev;
    int id;
} item;

static int fired[64], nfired;

static void record(sim *s, sim_event *ev)
{
    (void)s;
    fired[nfired++] = SIM_CONTAINER(ev, item, ev)->id;
}

/* Pops come out in time order; equal times in schedule order. */
static void test_evq_order_and_ties(void **state)
{
    (void)state;
    sim s;
    assert_int_equal(sim_init(&s, NULL), 0);
    item it[8];
    double t[8] = {2.5, 1.0, 2.5, 0.5, 2.5, 7.0, 1.0, 0.0};
    for (int i = 0; i < 8; i++) {
        it[i].ev.fire = record;
        it[i].ev.pos = 0;
        it[i].id = i;
        sim_at(&s, &it[i].ev, t[i]);
    }
    nfired = 0;
    while (sim_step(&s, 100))
        ;
    int expect[8] = {7, 3, 1, 6, 0, 2, 4, 5};
    for (int i = 0; i < 8; i++)
        assert_int_equal(fired[i], expect[i]);
    assert_close(s.now, 100, 0);
    sim_destroy(&s);
}

/* Cancel anywhere in the heap keeps the rest ordered; a cancelled event never fires. */
static void test_evq_cancel(void **state)
{
    (void)state;
    evq q;
    assert_int_equal(evq_init(&q, 2), 0); /* forces growth */
    enum { N = 2000 };
    item *it = calloc(N, sizeof *it);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    for (int i = 0; i < N; i++) {
        it[i].id = i;
        evq_push(&q, &it[i].ev, gsl_rng_uniform(r));
    }
    for (int i = 0; i < N; i += 3)
        evq_cancel(&q, &it[i].ev);
    evq_cancel(&q, &it[0].ev); /* twice: a no-op */
    for (int i = 1; i < N; i += 7)
        if (i % 3 != 0)
            evq_move(&q, &it[i].ev, 2 + gsl_rng_uniform(r));
    double last = -1, t;
    size_t n = 0;
    sim_event *ev;
    while ((ev = evq_pop(&q, &t))) {
        item *x = SIM_CONTAINER(ev, item, ev);
        assert_true(x->id % 3 != 0);
        assert_true(t >= last);
        assert_int_equal(x->ev.pos, 0);
        last = t;
        n++;
    }
    assert_int_equal(n, N - (N + 2) / 3);
    gsl_rng_free(r);
    free(it);
    evq_destroy(&q);
}

/* The event list against a reference (a linear scan for the smallest
 * (time, push order)) over random pushes, pops, cancels and moves with many
 * equal times, at sizes that cross the list/heap switch both ways and make
 * cancelled heap entries pile up past a compaction: every pop, the next
 * time and the size must agree. */
typedef struct {
    int on;      /* scheduled in the reference */
    double time;
    long order;  /* push order (the reference's tie-break) */
} ref_slot;

static int ref_min(const ref_slot *ref, int n)
{
    int best = -1;
    for (int i = 0; i < n; i++)
        if (ref[i].on && (best < 0 || ref[i].time < ref[best].time ||
                          (ref[i].time == ref[best].time && ref[i].order < ref[best].order)))
            best = i;
    return best;
}

/* A delay from now: a multiple of 1/4 (TIES: many equal times) or a continuous one. */
static double delay(gsl_rng *r, int ties)
{
    return ties ? (double)gsl_rng_uniform_int(r, 20) / 4 : -log(1 - gsl_rng_uniform(r));
}

typedef struct {
    int steps, target;  /* operations; scheduled events aimed at */
    double p_cancel, far; /* share of cancels and moves; offset of far pushes */
    int ties;           /* 1: times on a grid of 1/4 (many equal times) */
    double scale;       /* delays and far offsets times this (0: 1) */
} ref_phase;

/* Run PHASE[0 .. NPHASE) on a fresh queue against the reference; *SEEN gets
 * what the near-future ring did: bit 0 on at all, bit 1 on with fewer than 64
 * events, bit 2 reallocated larger. */
static void against_reference(const ref_phase *phase, size_t nphase, unsigned long seed, int *seen)
{
    enum { N = 3000 };
    item *it = calloc(N, sizeof *it);
    ref_slot *ref = calloc(N, sizeof *ref);
    assert_non_null(it);
    assert_non_null(ref);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, seed);
    evq q;
    assert_int_equal(evq_init(&q, 4), 0);
    long order = 0;
    size_t on = 0;
    double now = 0;
    size_t nring = 0;
    *seen = 0;
    for (size_t ph = 0; ph < nphase; ph++)
        for (int step = 0; step < phase[ph].steps; step++) {
            double u = gsl_rng_uniform(r), sc = phase[ph].scale ? phase[ph].scale : 1;
            int want_grow = (int)on < phase[ph].target;
            int i = (int)gsl_rng_uniform_int(r, N);
            if (u < phase[ph].p_cancel) { /* cancel or move a random item, mostly a scheduled one */
                for (int k = 0; k < 50 && !ref[i].on; k++)
                    i = (int)gsl_rng_uniform_int(r, N);
                if (gsl_rng_uniform(r) < 0.5) {
                    evq_cancel(&q, &it[i].ev);
                    on -= ref[i].on;
                    ref[i].on = 0;
                } else {
                    double t = now + sc * (phase[ph].far + delay(r, phase[ph].ties));
                    assert_int_equal(evq_move(&q, &it[i].ev, t), 0);
                    on += !ref[i].on;
                    ref[i] = (ref_slot){1, t, order++};
                }
            } else if (want_grow ? u < 0.85 : u < 0.25) { /* push an idle item */
                if (ref[i].on)
                    continue;
                double t = now + sc * ((gsl_rng_uniform(r) < 0.5 ? phase[ph].far : 0) + delay(r, phase[ph].ties));
                assert_int_equal(evq_push(&q, &it[i].ev, t), 0);
                ref[i] = (ref_slot){1, t, order++};
                on++;
            } else { /* pop */
                int m = ref_min(ref, N);
                double t = -1, tn = -1;
                int has = evq_next_time(&q, &tn);
                /* evq_pop, or evq_pop_due with the horizon just before the
                 * next event (nothing due), at it or after it */
                int how = (int)gsl_rng_uniform_int(r, 4);
                if (how == 1 && m >= 0 && ref[m].time > -HUGE_VAL) {
                    double until = nextafter(ref[m].time, -HUGE_VAL);
                    assert_null(evq_pop_due(&q, until, &t));
                    assert_int_equal(evq_size(&q), on);
                }
                sim_event *ev = how == 0   ? evq_pop(&q, &t)
                                : how == 1 ? evq_pop_due(&q, m >= 0 ? ref[m].time : 0, &t)
                                           : evq_pop_due(&q, how == 2 || m < 0 ? HUGE_VAL : nextafter(ref[m].time, HUGE_VAL), &t);
                if (m < 0) {
                    assert_false(has);
                    assert_null(ev);
                    continue;
                }
                assert_true(has);
                assert_non_null(ev);
                assert_int_equal(SIM_CONTAINER(ev, item, ev) - it, m);
                assert_true(t == ref[m].time && tn == t);
                assert_false(evq_scheduled(ev));
                ref[m].on = 0;
                on--;
                now = t;
            }
            assert_int_equal(evq_size(&q), on);
            assert_true(q.n + q.ring_n + q.nbot <= 2 * on + 64); /* stale entries stay bounded */
            *seen |= q.ring_on | (q.ring_on && evq_size(&q) < 64) << 1 | (nring && q.nring > nring) << 2;
            nring = q.nring;
        }
    for (int i = 0; i < N; i++)
        assert_int_equal(evq_scheduled(&it[i].ev), ref[i].on);
    gsl_rng_free(r);
    evq_destroy(&q);
    free(ref);
    free(it);
}

static void test_evq_against_reference(void **state)
{
    (void)state;
    /* grow to ~3000 (heap), cancel-heavy (stale entries, compaction),
     * drain to a list, and hover around the switch */
    static const ref_phase phase[] = {
        {20000, 3000, 0.05, 0, 1, 1},  {20000, 1500, 0.45, 100, 1, 1}, {60000, 2000, 0.1, 0, 1, 1},
        {60000, 2000, 0.1, 0, 0, 1},   {30000, 2000, 0.1, 100, 0, 1},  {20000, 4, 0.2, 0, 1, 1},
        {40000, 30, 0.3, 0, 1, 1},     {20000, 800, 0.6, 100, 1, 1},   {30000, 0, 0.1, 0, 1, 1},
        {40000, 60, 0.1, 0, 0, 1},     {20000, 0, 0.1, 0, 1, 1}};
    int seen;
    against_reference(phase, sizeof phase / sizeof *phase, 11, &seen);
    assert_true(seen & 1); /* the near-future ring was exercised */
    assert_true(seen & 2); /* with few events too (it starts at 32) */
}

/* The ring turned on with few events (64 buckets), then the events grow
 * 50-fold: the ring is reallocated (poured into the heap, refilled) while
 * events keep coming and going. */
static void test_evq_ring_grows(void **state)
{
    (void)state;
    static const ref_phase phase[] = {
        {40000, 40, 0.1, 0, 0, 1}, {30000, 2500, 0.05, 0, 1, 1}, {40000, 2500, 0.2, 10, 0, 1}, {20000, 0, 0.1, 0, 1, 1}};
    int seen;
    against_reference(phase, sizeof phase / sizeof *phase, 12, &seen);
    assert_true(seen & 2);
    assert_true(seen & 4);
}

/* The ring outgrows its buckets (64 for 40 events, then 700 want 512) but
 * memory allows no more (evq_fault_cap: 512 buckets need room for 2560
 * entries, the heap may still grow to 2048): the old ring goes on, never
 * reallocated, and every pop stays in order. */
static void test_evq_ring_cannot_grow(void **state)
{
    (void)state;
    static const ref_phase phase[] = {
        {30000, 40, 0.1, 0, 0, 1}, {40000, 700, 0.05, 0, 1, 1}, {30000, 700, 0.2, 10, 0, 1}, {20000, 0, 0.1, 0, 1, 1}};
    int seen;
    evq_fault_cap = 2048;
    against_reference(phase, sizeof phase / sizeof *phase, 14, &seen);
    evq_fault_cap = 0;
    assert_true(seen & 1);
    assert_false(seen & 4); /* never reallocated */
}

/* Times at the ends of the doubles: gaps of 1e-300 (the ring's width near
 * the smallest normal numbers, its inverse near overflow), of 1e-310
 * (subnormal: the measured width underflows), of 1e300 (times far beyond
 * what a bucket index holds), then ordinary delays added to a time near
 * 1e300, which leave it unchanged: thousands of events at one time, popped
 * in push order. */
static void test_evq_extreme_times(void **state)
{
    (void)state;
    static const ref_phase phase[] = {
        {30000, 800, 0.1, 0, 0, 1e-300}, {20000, 800, 0.1, 100, 1, 1e-300}, {20000, 800, 0.1, 0, 0, 1e-310},
        {30000, 800, 0.1, 0, 0, 1e300},  {20000, 800, 0.2, 100, 1, 1e300},  {40000, 1500, 0.1, 0, 0, 1},
        {20000, 0, 0.1, 0, 1, 1}};
    int seen;
    against_reference(phase, sizeof phase / sizeof *phase, 13, &seen);
    assert_true(seen & 1);
}

/* sim_step with a cancelled (stale) entry on top of the heap: the next
 * scheduled event, not the cancelled one, decides whether anything is due. */
static void test_sim_step_skips_cancelled_top(void **state)
{
    (void)state;
    sim s;
    assert_int_equal(sim_init(&s, NULL), 0);
    enum { N = 100 };
    item it[N];
    for (int i = 0; i < N; i++) {
        it[i].ev.fire = record;
        it[i].ev.pos = 0;
        it[i].id = i;
        sim_at(&s, &it[i].ev, i == 0 ? 1.0 : 10.0 + i);
    }
    sim_cancel(&s, &it[0].ev); /* the heap's top, now stale */
    nfired = 0;
    assert_int_equal(sim_step(&s, 5), 0);
    assert_int_equal(nfired, 0);
    assert_close(s.now, 5, 0);
    assert_int_equal(sim_step(&s, 11), 1);
    assert_int_equal(fired[0], 1);
    sim_destroy(&s);
}

typedef struct {
    timer_node node;
    int id;
} tnode;

static int expired[16], nexpired;

static void on_expire(void *ctx, timer_node *n)
{
    (void)ctx;
    expired[nexpired++] = SIM_CONTAINER(n, tnode, node)->id;
}

/* Constant-delay timers: FIFO expiry, cancelling the head re-arms for the next. */
static void test_timerq(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, NULL);
    timerq tq;
    timerq_init(&tq, 1.5, on_expire, NULL);
    tnode n[4] = {{.id = 0}, {.id = 1}, {.id = 2}, {.id = 3}};
    for (int i = 0; i < 4; i++) {
        s.now = 0.25 * i;
        timerq_start(&tq, &s, &n[i].node);
    }
    timerq_stop(&n[0].node); /* the head */
    timerq_stop(&n[2].node);
    timerq_stop(&n[2].node); /* twice: a no-op */
    assert_false(timerq_running(&n[2].node));
    nexpired = 0;
    double when[2];
    int k = 0;
    while (sim_step(&s, 10))
        if (nexpired > k)
            when[k++] = s.now;
    assert_int_equal(nexpired, 2);
    assert_int_equal(expired[0], 1);
    assert_int_equal(expired[1], 3);
    assert_close(when[0], 1.75, 1e-12);
    assert_close(when[1], 2.25, 1e-12);
    sim_destroy(&s);
}

/* A timer started from inside an expiry (an immediate retry) must not delay
 * the older timers still waiting on the same queue. */
static tnode chain[4];
static timerq chain_q;
static sim chain_sim;
static double chain_when[4];

static void on_expire_restart(void *ctx, timer_node *n)
{
    (void)ctx;
    int id = SIM_CONTAINER(n, tnode, node)->id;
    chain_when[id] = chain_sim.now;
    if (id == 0)
        timerq_start(&chain_q, &chain_sim, &chain[3].node); /* expires at 1 + 1.5 */
}

static void test_timerq_restart_in_expiry(void **state)
{
    (void)state;
    sim_init(&chain_sim, NULL);
    timerq_init(&chain_q, 1.5, on_expire_restart, NULL);
    for (int i = 0; i < 3; i++) {
        chain[i].id = i;
        chain_sim.now = -0.5 + 0.5 * i; /* expiries 1.0, 1.5, 2.0 */
        timerq_start(&chain_q, &chain_sim, &chain[i].node);
    }
    chain[3].id = 3;
    chain_sim.now = 0;
    while (sim_step(&chain_sim, 10))
        ;
    assert_close(chain_when[0], 1.0, 1e-12);
    assert_close(chain_when[1], 1.5, 1e-12); /* was 2.5 before the fix */
    assert_close(chain_when[2], 2.0, 1e-12);
    assert_close(chain_when[3], 2.5, 1e-12);
    sim_destroy(&chain_sim);
}

/* Streams: same seed -> same numbers; seeds laid out without overlap. */
static void test_rng_streams(void **state)
{
    (void)state;
    rng_stream a, b;
    rng_init(&a);
    rng_init(&b);
    rng_seed(&a, 12345);
    rng_seed(&b, 12345);
    for (int i = 0; i < 100; i++)
        assert_true(rng_uniform(&a) == rng_uniform(&b));
    /* a stream's seed changes with each of its four coordinates */
    uint64_t k = rng_name_key("pool", "api");
    uint64_t s0 = rng_stream_seed(7, 3, k, 2);
    assert_true(s0 == rng_stream_seed(7, 3, rng_name_key("pool", "api"), 2));
    assert_true(s0 != rng_stream_seed(8, 3, k, 2));
    assert_true(s0 != rng_stream_seed(7, 4, k, 2));
    assert_true(s0 != rng_stream_seed(7, 3, k, 3));
    assert_true(s0 != rng_stream_seed(7, 3, rng_name_key("client", "api"), 2));
    assert_true(s0 != rng_stream_seed(7, 3, rng_name_key("pool", "apj"), 2));
    /* seeds above 2^32 are not folded: they start different streams */
    rng_seed(&a, UINT64_C(5));
    rng_seed(&b, UINT64_C(5) + (UINT64_C(1) << 32));
    assert_true(rng_uniform(&a) != rng_uniform(&b));
    /* neighbouring seeds: first draws uncorrelated (the taus2 LCG-seeding trap) */
    double sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
    int n = 4000;
    for (int i = 0; i < n; i++) {
        rng_seed(&a, (unsigned long)(100 + 2 * i));
        rng_seed(&b, (unsigned long)(101 + 2 * i));
        double x = rng_uniform(&a), y = rng_uniform(&b);
        sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
    }
    double cov = sxy / n - sx / n * sy / n;
    double corr = cov / sqrt((sxx / n - sx * sx / n / n) * (syy / n - sy * sy / n / n));
    assert_close(corr, 0, 4 / sqrt(n)); /* 4 standard errors */
    /* Exp(rate): mean 1/rate */
    rng_seed(&a, 99);
    double sum = 0;
    for (int i = 0; i < 200000; i++)
        sum += rng_exp(&a, 2.385);
    assert_close(sum / 200000, 1 / 2.385, 4 * (1 / 2.385) / sqrt(200000));
    rng_destroy(&a);
    rng_destroy(&b);
}

/* Batched exponential draws are bit for bit the plain ones on a stream drawn
 * only through them, across refills and reseeding. */
static void test_rng_exp_batched(void **state)
{
    (void)state;
    rng_stream a, b;
    rng_init(&a);
    rng_init(&b);
    for (unsigned long seed = 1; seed < 4; seed++) {
        rng_seed(&a, seed);
        rng_seed(&b, seed);
        for (int i = 0; i < 1000; i++) {
            double x = rng_exp(&a, 2.385), y = rng_exp_batched(&b, 2.385);
            if (x != y)
                fail_msg("draw %d of seed %lu: %.17g vs %.17g", i, seed, x, y);
        }
        rng_exp_batched(&b, 1.0); /* leave pre-drawn values behind: reseeding drops them */
    }
    rng_destroy(&a);
    rng_destroy(&b);
}

/* rng_below_by: rng_below's numbers without its divisions.  The quotient by
 * scale exactly for every scale a bound below 2^32 gives (edges, powers of two
 * and their neighbours, random ones) at the draws where quotients change and
 * random ones; then the same stream drawn both ways, bounds 1 .. 2^32-1. */
static void test_rng_below_by(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 4242);
    unsigned long bounds[200];
    int nb = 0;
    for (int b = 0; b < 32; b++)
        for (long dlt = -1; dlt <= 1; dlt++) {
            unsigned long n = (1UL << b) + (unsigned long)dlt;
            if (n >= 1 && n <= 0xffffffffUL)
                bounds[nb++] = n;
        }
    bounds[nb++] = 0xffffffffUL;
    bounds[nb++] = 10000;
    bounds[nb++] = 9999;
    while (nb < 200)
        bounds[nb++] = 1 + (gsl_rng_uniform_int(r, 0xfffffffeUL) >> gsl_rng_uniform_int(r, 31));
    for (int i = 0; i < nb; i++) {
        rng_divisor d;
        rng_divisor_set(&d, bounds[i]);
        uint32_t sc = d.scale;
        assert_true(sc == 0xffffffffu / (uint32_t)bounds[i]);
        uint32_t probe[] = {0, 1, sc - 1, sc, sc + 1, 0xffffffffu, 0xfffffffeu, 0x80000000u};
        for (unsigned j = 0; j < sizeof probe / sizeof *probe; j++)
            assert_true(rng_divisor_quot(&d, probe[j]) == probe[j] / sc);
        for (int j = 0; j < 2000; j++) {
            /* multiples of scale and their neighbours: where the quotient steps */
            uint32_t q = (uint32_t)(gsl_rng_get(r) / sc);
            uint64_t x = (uint64_t)q * sc;
            for (int e = -1; e <= 1; e++) {
                uint64_t y = x + (uint64_t)(int64_t)e;
                if (y <= 0xffffffffu)
                    assert_true(rng_divisor_quot(&d, (uint32_t)y) == (uint32_t)y / sc);
            }
            uint32_t u = (uint32_t)gsl_rng_get(r);
            assert_true(rng_divisor_quot(&d, u) == u / sc);
        }
    }
    rng_stream a, b;
    rng_init(&a);
    rng_init(&b);
    assert_non_null(a.taus);
    for (int i = 0; i < nb; i++) {
        rng_divisor d;
        rng_divisor_set(&d, bounds[i]);
        rng_seed(&a, 77 + (uint64_t)i);
        rng_seed(&b, 77 + (uint64_t)i);
        for (int j = 0; j < 500; j++)
            assert_true(rng_below(&a, bounds[i]) == rng_below_by(&b, &d));
    }
    rng_destroy(&a);
    rng_destroy(&b);
    gsl_rng_free(r);
}

static void test_stat_time_average(void **state)
{
    (void)state;
    stat_tw s;
    stat_tw_init(&s, 0, 2);
    stat_tw_set(&s, 1.5, 4);  /* 2 on [0,1.5) */
    stat_tw_set(&s, 2.0, 1);  /* 4 on [1.5,2) */
    assert_close(stat_tw_mean(&s, 4.0), (3 + 2 + 2) / 4.0, 1e-12);
    stat_tw_restart(&s, 4.0); /* warm-up deletion */
    stat_tw_set(&s, 5.0, 3);
    assert_close(stat_tw_mean(&s, 6.0), (1 + 3) / 2.0, 1e-12);
    /* bins ignore the warm-up restart: 2*1.5 + 4*0.5 + 1*2 + 1*1 + 3*1 */
    assert_close(stat_tw_take_bin(&s, 6.0), 3 + 2 + 2 + 1 + 3, 1e-12);
    assert_close(stat_tw_take_bin(&s, 7.0), 3, 1e-12);
}

/* Quantiles from the log histogram within the bucket width (at most 1/64). */
static void test_stat_histogram(void **state)
{
    (void)state;
    double *c = calloc(STAT_HIST_N, sizeof *c);
    stat_hist h;
    stat_hist_bind(&h, c);
    rng_stream r;
    rng_init(&r);
    rng_seed(&r, 4242);
    int n = 400000;
    double mu = 3.7;
    for (int i = 0; i < n; i++)
        stat_hist_add(&h, rng_exp(&r, mu));
    double q[3] = {0.5, 0.99, 0.999};
    for (int i = 0; i < 3; i++) {
        double exact = -log(1 - q[i]) / mu;
        /* bucket width 1/64 plus sampling error of the empirical quantile */
        assert_close(stat_hist_quantile(c, h.n, q[i]), exact, exact * (1.0 / 64 + 0.03));
    }
    assert_close(h.sum / h.n, 1 / mu, 4 / mu / sqrt(n));
    /* the documented bound (docs/MODEL.md): the widest bucket is exactly
     * 1/64 wide relative to its lower end, the first of each octave */
    double widest = 0;
    for (size_t i = 1; i + 1 < STAT_HIST_N; i++) {
        double x = stat_hist_lower(i) * 1.0001;
        assert_int_equal(stat_hist_index(x), i);
        widest = fmax(widest, stat_hist_upper(i) / stat_hist_lower(i) - 1);
    }
    assert_close(widest, 1.0 / 64, 1e-15);
    /* no overflow below the longest horizon; a constant gives itself */
    assert_true(stat_hist_index(STAT_HIST_MAX_SECONDS) < STAT_HIST_N - 1);
    stat_hist_clear(&h);
    for (int i = 0; i < 10; i++)
        stat_hist_add(&h, 3e7);
    assert_close(stat_hist_quantile_within(c, h.n, 0.5, h.min, h.max), 3e7, 0);
    assert_true(stat_hist_quantile(c, h.n, 0.5) != 3e7); /* what interpolation alone gives */
    /* the quantiles from the buckets used are the full scan's, bit for bit;
     * a clear leaves every bucket zero (also after the under- and overflow) */
    for (int round = 0; round < 3; round++) {
        stat_hist_clear(&h);
        for (size_t i = 0; i < STAT_HIST_N; i++)
            assert_true(c[i] == 0);
        assert_true(isnan(stat_hist_quantile_of(&h, 0.5)));
        for (int i = 0; i < 50 + 500 * round; i++)
            stat_hist_add(&h, rng_exp(&r, mu) * pow(10, round - 1));
        if (round == 2) {
            stat_hist_add(&h, 0);
            stat_hist_add(&h, 1e30);
        }
        for (int i = 0; i < 3; i++)
            assert_true(stat_hist_quantile_of(&h, q[i]) ==
                        stat_hist_quantile_within(c, h.n, q[i], h.min, h.max));
    }
    stat_hist_clear(&h);
    for (size_t i = 0; i < STAT_HIST_N; i++)
        assert_true(c[i] == 0);
    assert_int_equal(stat_hist_index(0), 0);
    assert_int_equal(stat_hist_index(1e30), STAT_HIST_N - 1);
    assert_true(isnan(stat_hist_quantile(c, 0, 0.5)));
    rng_destroy(&r);
    free(c);
}

/* Mean, sd and t-interval against hand values. */
static void test_stat_summary(void **state)
{
    (void)state;
    double x[5] = {2.0, 4.0, 4.0, 5.0, 7.0};
    stat_summary s = stat_summarize(x, 1, 5);
    assert_int_equal(s.n, 5);
    assert_close(s.mean, 4.4, 1e-12);
    assert_close(s.sd, sqrt(3.3), 1e-12);
    assert_close(s.hi - s.mean, 2.7764451052 * sqrt(3.3) / sqrt(5), 1e-8); /* t(0.975, 4) */
    double y[3] = {1.0, NAN, 3.0};
    s = stat_summarize(y, 1, 3);
    assert_int_equal(s.n, 2);
    assert_close(s.mean, 2, 1e-12);
    s = stat_summarize(y, 1, 1);
    assert_true(isnan(s.sd) && isnan(s.lo));
    double a[4] = {1, 2, 3, 4}, b[4] = {1.5, 2.4, 3.6, 4.5};
    s = stat_paired(a, b, 1, 4);
    assert_close(s.mean, 0.5, 1e-12);
    assert_close(stat_t95(10), 2.2621571628, 1e-8);
}

/* A push that finds no memory is never silent: it returns -1, the event stays
 * idle, the queue is marked failed, and sim_step fires nothing more until
 * sim_reset.  The failure is injected with evq_fault_cap. */
static void test_evq_push_failure_sticky(void **state)
{
    (void)state;
    sim s;
    assert_int_equal(sim_init(&s, NULL), 0); /* room for SIM_EVQ_CAP0 = 256 entries */
    assert_int_equal(SIM_EVQ_CAP0, 256);
    static item it[300];
    evq_fault_cap = SIM_EVQ_CAP0;            /* may not grow past that */
    int rc = 0, failed_at = -1;
    for (int i = 0; i < 300; i++) {
        it[i].ev.fire = record;
        it[i].ev.pos = 0;
        it[i].id = i % 64;
        rc = sim_at(&s, &it[i].ev, 1.0 + i);
        if (rc != 0 && failed_at < 0)
            failed_at = i;
    }
    assert_int_equal(failed_at, 256);      /* the 257th push needs a bigger array */
    assert_int_equal(rc, -1);              /* and so does every later one */
    assert_false(evq_scheduled(&it[256].ev));
    assert_int_equal(evq_size(&s.q), 256);
    assert_true(sim_failed(&s));
    nfired = 0;
    assert_int_equal(sim_step(&s, 1e9), 0); /* nothing fires after a lost event */
    assert_int_equal(nfired, 0);
    assert_true(sim_failed(&s));            /* sticky */
    sim_reset(&s);                          /* a new replication starts clean */
    assert_false(sim_failed(&s));
    assert_int_equal(sim_at(&s, &it[0].ev, 1), 0);
    assert_int_equal(sim_step(&s, 10), 1);
    evq_fault_cap = 0;
    for (int i = 0; i < 300; i++) /* without the cap the array grows */
        if (!evq_scheduled(&it[i].ev))
            assert_int_equal(sim_at(&s, &it[i].ev, 2.0 + i), 0);
    assert_false(sim_failed(&s));
    assert_int_equal(evq_size(&s.q), 300);
    sim_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evq_order_and_ties), cmocka_unit_test(test_evq_cancel),
        cmocka_unit_test(test_evq_against_reference), cmocka_unit_test(test_evq_ring_grows),
        cmocka_unit_test(test_evq_extreme_times), cmocka_unit_test(test_evq_ring_cannot_grow),
        cmocka_unit_test(test_sim_step_skips_cancelled_top),
        cmocka_unit_test(test_timerq),             cmocka_unit_test(test_rng_streams),
        cmocka_unit_test(test_rng_exp_batched),    cmocka_unit_test(test_rng_below_by),
        cmocka_unit_test(test_timerq_restart_in_expiry),
        cmocka_unit_test(test_stat_time_average),  cmocka_unit_test(test_stat_histogram),
        cmocka_unit_test(test_stat_summary),
        cmocka_unit_test(test_evq_push_failure_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
