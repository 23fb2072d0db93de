/* test_evq.c - the event list's near-future ring: its overflow chunks
 * cleared and reused, a push that finds no memory while the ring is on,
 * following time across a gap, and the look-ahead hook.
 * (The randomized comparison with a reference queue is in test_engine.c.)
 *
 * Both tests check the pop sequence against the exact order: every
 * scheduled event sorted by (time, push order). */
#include "tests/testutil.h"

#include "sim/evq.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

typedef struct {
    sim_event ev;
    double time;  /* when scheduled */
    long order;   /* push order */
    int on;       /* scheduled */
} item;

static int by_key(const void *a, const void *b)
{
    const item *x = *(item *const *)a, *y = *(item *const *)b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

static long order;

static void push(evq *q, item *it, double t)
{
    assert_int_equal(evq_push(q, &it->ev, t), 0);
    it->time = t;
    it->order = order++;
    it->on = 1;
}

/* Pop everything: the sequence must be the scheduled items by (time, order). */
static void drain_in_order(evq *q, item *it, size_t n)
{
    item **want = malloc(n * sizeof *want);
    assert_non_null(want);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (it[i].on)
            want[m++] = &it[i];
    qsort(want, m, sizeof *want, by_key);
    assert_int_equal(evq_size(q), m);
    double t;
    for (size_t k = 0; k < m; k++) {
        sim_event *ev = evq_pop(q, &t);
        assert_non_null(ev);
        assert_ptr_equal(SIM_CONTAINER(ev, item, ev), want[k]);
        assert_true(t == want[k]->time);
        want[k]->on = 0;
    }
    assert_null(evq_pop(q, &t));
    free(want);
}

/* Hold N events (pop the earliest, push it back at t + a delay on a grid of
 * 1/64, so buckets often overflow into chunks) for OPS holds. */
static double hold(evq *q, item *it, size_t n, long ops, gsl_rng *r, double now)
{
    for (size_t i = 0; i < n; i++)
        if (!it[i].on)
            push(q, &it[i], now + (double)gsl_rng_uniform_int(r, 256) / 64);
    for (long k = 0; k < ops; k++) {
        double t;
        sim_event *ev = evq_pop(q, &t);
        assert_non_null(ev);
        item *x = SIM_CONTAINER(ev, item, ev);
        x->on = 0;
        now = t;
        push(q, x, now + (double)gsl_rng_uniform_int(r, 256) / 64);
    }
    return now;
}

/* What each test runs on: NITEMS items, a seeded stream, a queue. */
typedef struct {
    item *it;
    gsl_rng *r;
    evq q;
} fixture;

/* A fresh fixture holding N of its NITEMS items for OPS holds, the ring on
 * at the end; the time reached. */
static double start(fixture *f, size_t nitems, size_t n, long ops, unsigned long seed)
{
    f->it = calloc(nitems, sizeof *f->it);
    assert_non_null(f->it);
    f->r = gsl_rng_alloc(gsl_rng_taus2);
    assert_non_null(f->r);
    gsl_rng_set(f->r, seed);
    assert_int_equal(evq_init(&f->q, 16), 0);
    order = 0;
    double now = hold(&f->q, f->it, n, ops, f->r, 0);
    assert_true(f->q.ring_on);
    return now;
}

static void finish(fixture *f)
{
    gsl_rng_free(f->r);
    evq_destroy(&f->q);
    free(f->it);
}

/* A queue whose ring holds entries and overflow chunks is cleared: every
 * event idle, nothing left; then it is used again and pops in order. */
static void test_evq_ring_clear_reuse(void **state)
{
    (void)state;
    enum { N = 2000 };
    fixture f;
    start(&f, N, N, 40000, 5);
    assert_true(f.q.ring_n > 0);
    assert_true(f.q.nchunk > 0); /* buckets overflowed */
    evq_clear(&f.q);
    assert_int_equal(evq_size(&f.q), 0);
    for (size_t i = 0; i < N; i++) {
        assert_false(evq_scheduled(&f.it[i].ev));
        f.it[i].on = 0;
    }
    double t;
    assert_null(evq_pop(&f.q, &t));
    order = 0;
    hold(&f.q, f.it, N, 40000, f.r, 0); /* again: the ring comes back on */
    assert_true(f.q.ring_on);
    drain_in_order(&f.q, f.it, N);
    finish(&f);
}

/* With the ring on, memory runs out (evq_fault_cap): the chunk pool cannot
 * grow, so full buckets send pushes to the heap, and once the heap cannot
 * grow either a push fails, sticky, with nothing lost that was accepted. */
static void test_evq_ring_out_of_memory(void **state)
{
    (void)state;
    enum { N = 600, EXTRA = 40000 };
    fixture f;
    double now = start(&f, N + EXTRA, N, 20000, 6);
    item *it = f.it;
    evq_fault_cap = f.q.cap; /* no array may grow past the heap's room now */
    int failed_at = -1;
    for (int i = 0; i < EXTRA; i++) { /* near future, many to a bucket */
        double t = now + (double)gsl_rng_uniform_int(f.r, 64) / 64;
        if (evq_push(&f.q, &it[N + i].ev, t)) {
            failed_at = i;
            break;
        }
        it[N + i].time = t;
        it[N + i].order = order++;
        it[N + i].on = 1;
    }
    assert_true(failed_at > 0);
    assert_true(f.q.failed); /* sticky */
    assert_false(evq_scheduled(&it[N + failed_at].ev));
    evq_fault_cap = 0;
    drain_in_order(&f.q, it, N + EXTRA); /* everything accepted pops, in order */
    assert_true(f.q.failed);
    evq_clear(&f.q);
    assert_false(f.q.failed);
    finish(&f);
}

/* Time passes the ring's span with the ring empty: every event moved
 * twice the span ahead (as after a quiet spell), then held.  The ring must
 * take the near future again (the measured width has not drifted 4x, so no
 * restart does it), and the pops stay in order.  It once kept its old base,
 * so every later push landed "beyond the ring" and went to the heap. */
static void test_evq_ring_follows_time_jump(void **state)
{
    (void)state;
    enum { N = 2000 };
    fixture f;
    double now = start(&f, N, N, 40000, 7);
    double span = (double)f.q.nring / f.q.inv_w, inv_w = f.q.inv_w;
    for (size_t i = 0; i < N; i++) {
        size_t j = (i * 7) % N; /* every one, not in slot order */
        double t = now + 2 * span + (double)gsl_rng_uniform_int(f.r, 256) / 64;
        assert_int_equal(evq_move(&f.q, &f.it[j].ev, t), 0);
        f.it[j].time = t;
        f.it[j].order = order++;
    }
    hold(&f.q, f.it, N, 20000, f.r, now);
    assert_true(f.q.ring_on && f.q.inv_w == inv_w); /* the same ring, not a restart */
    assert_true(f.q.ring_n + f.q.nbot > N / 4);    /* it holds the near future again */
    drain_in_order(&f.q, f.it, N);
    finish(&f);
}

/* The look-ahead hook (evq_set_ahead) sees only scheduled events, each
 * before it fires, at both stages, and changes nothing: the queue pops the
 * exact order, as without it (drain_in_order). */
static long ahead_calls[2], ahead_bad;
static void ahead_count(const sim_event *ev, int stage)
{
    const item *x = SIM_CONTAINER(ev, item, ev);
    if (!x->on || !evq_scheduled(ev) || stage < 0 || stage > 1)
        ahead_bad++;
    else
        ahead_calls[stage]++;
}

static void test_evq_ahead_hook(void **state)
{
    (void)state;
    enum { N = 3000 };
    fixture f;
    double now = start(&f, N, N, 20000, 11);
    evq_set_ahead(&f.q, ahead_count);
    hold(&f.q, f.it, N, 30000, f.r, now);
    assert_int_equal(ahead_bad, 0);
    /* nearly all of the 30000 pops come from the ring: each loaded bucket's
     * events are seen (stage 1: 29 876 calls), and a bucket ahead its first
     * five (stage 0: 6415; this hold's buckets often overflow) */
    assert_true(ahead_calls[0] > 3000 && ahead_calls[1] > 20000);
    evq_clear(&f.q);
    for (size_t i = 0; i < N; i++)
        f.it[i].on = 0;
    assert_ptr_equal(f.q.ahead, ahead_count); /* kept across a clear */
    hold(&f.q, f.it, N / 2, 10000, f.r, 0);
    drain_in_order(&f.q, f.it, N);
    assert_int_equal(ahead_bad, 0);
    finish(&f);
}

/* Every ring bucket holds at most 64 entries (BOT_MAX, evq.c: bot's room
 * and the largest ring_cnt, a byte): 200 events at one same time, then 200
 * at different times inside one bucket, then holds; no bucket count above
 * 64 at any check, and the pops in (time, push order). */
static void check_bucket_counts(const evq *q)
{
    for (size_t i = 0; i < q->nring; i++)
        assert_in_range(q->ring_cnt[i], 0, 64);
}

static void test_evq_bucket_cap(void **state)
{
    (void)state;
    enum { N = 2000, M = 200 };
    fixture f;
    double now = start(&f, N + 2 * M, N, 20000, 13);
    assert_true(f.q.ring_on);
    double k = floor(now * f.q.inv_w) + 3, w = 1 / f.q.inv_w;
    for (size_t j = 0; j < M; j++) /* one time, the middle of bucket k */
        push(&f.q, &f.it[N + j], (k + 0.5) * w);
    check_bucket_counts(&f.q);
    for (size_t j = 0; j < M; j++) /* bucket k + 5, 200 times inside it, latest first */
        push(&f.q, &f.it[N + M + j], (k + 5 + (double)(M - j) / (3 * M)) * w);
    check_bucket_counts(&f.q);
    assert_true(f.q.ring_on);
    hold(&f.q, f.it, N, 5000, f.r, now); /* the 400 pop among the others */
    check_bucket_counts(&f.q);
    drain_in_order(&f.q, f.it, N + 2 * M);
    finish(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evq_ring_clear_reuse),
        cmocka_unit_test(test_evq_ring_out_of_memory),
        cmocka_unit_test(test_evq_ring_follows_time_jump),
        cmocka_unit_test(test_evq_ahead_hook),
        cmocka_unit_test(test_evq_bucket_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
