/* test_stream.c - runner_pool (sim/runner.h) and exec_stream (app/execute.h):
 * every task runs once, the pool ends when told or when nothing could wake
 * it, and a stream of several runs' replications folds each run exactly as
 * a batch of exec_run_items() (the MPI path) does, whatever the threads and
 * however small the ring. */
#include "simtest.h"
#include "testutil.h"

#include "app/execute.h"
#include "sim/runner.h"

#include <pthread.h>

/* ---- runner_pool ------------------------------------------------------------------ */

enum { NTASKS = 200, MOST_AT_ONCE = 2 };

typedef struct {
    int given, running, most_running, done;
    int ran[NTASKS], finished[NTASKS];
    int ids[NTASKS];
    pthread_mutex_t count; /* ran[] is written outside the pool's lock */
} tasks;

/* Hands out 0..NTASKS-1, never more than MOST_AT_ONCE running: the others
 * wait until one is done. */
static int t_next(void *ctx, int worker, void **task)
{
    tasks *t = ctx;
    (void)worker;
    if (t->given == NTASKS)
        return -1;
    if (t->running == MOST_AT_ONCE)
        return 0;
    t->ids[t->given] = t->given;
    *task = &t->ids[t->given++];
    if (++t->running > t->most_running)
        t->most_running = t->running;
    return 1;
}

static void t_run(void *ctx, int worker, void *task)
{
    tasks *t = ctx;
    (void)worker;
    pthread_mutex_lock(&t->count);
    t->ran[*(int *)task]++;
    pthread_mutex_unlock(&t->count);
}

static void t_done(void *ctx, int worker, void *task)
{
    tasks *t = ctx;
    (void)worker;
    t->running--;
    t->finished[*(int *)task]++;
    t->done++;
}

static void test_pool_every_task_once(void **state)
{
    (void)state;
    static const runner_ops ops = {t_next, t_run, t_done};
    for (int jobs = 1; jobs <= 4; jobs++) {
        tasks t = {0};
        pthread_mutex_init(&t.count, NULL);
        runner_pool(jobs, &ops, &t);
        pthread_mutex_destroy(&t.count);
        assert_int_equal(t.done, NTASKS);
        assert_int_equal(t.running, 0);
        assert_true(t.most_running <= MOST_AT_ONCE);
        for (int k = 0; k < NTASKS; k++) {
            assert_int_equal(t.ran[k], 1);
            assert_int_equal(t.finished[k], 1);
        }
    }
}

static int never(void *ctx, int worker, void **task)
{
    (void)worker, (void)task;
    (*(int *)ctx)++;
    return 0;
}

/* "Nothing yet" while no task runs cannot be waited out: the pool ends. */
static void test_pool_ends_when_nothing_can_come(void **state)
{
    (void)state;
    static const runner_ops ops = {never, NULL, NULL};
    int asked = 0;
    runner_pool(3, &ops, &asked);
    assert_true(asked >= 1 && asked <= 3);
}

/* ---- exec_stream ------------------------------------------------------------------ */

enum { NRUNS = 3 };

typedef struct {
    exec_stream *st;
    exec_workers *w;
    exec_result *r;        /* [NRUNS] */
    int reps[NRUNS], queued[NRUNS];
    int drained[NRUNS], order[NRUNS], ndrained;
    int last_rep[NRUNS];   /* on_rep: the last replication seen */
    exec_group g[4];       /* per worker */
} stream_t;

static void saw_rep(void *ctx, int rep, const rec_layout *L, const double *rec)
{
    int *last = ctx;
    (void)L, (void)rec;
    assert_int_equal(rep, *last + 1); /* in replication order, none missed */
    *last = rep;
}

static void s_drained(void *ctx, exec_result *r)
{
    stream_t *x = ctx;
    int i = (int)(r - x->r);
    if (x->drained[i]++ == 0)
        x->order[x->ndrained++] = i;
}

/* Runs' replications in order, as room frees up. */
static int s_next(void *ctx, int worker, void **task)
{
    stream_t *x = ctx;
    exec_stream_settle(x->st, 0, s_drained, x);
    for (int i = 0; i < NRUNS; i++)
        while (exec_stream_room(x->st) > 0 && x->queued[i] < x->reps[i])
            exec_stream_push(x->st, (exec_item){&x->r[i], x->queued[i]++});
    if (exec_stream_take(x->st, worker, &x->g[worker])) {
        *task = &x->g[worker];
        return 1;
    }
    return exec_stream_empty(x->st) && x->queued[NRUNS - 1] == x->reps[NRUNS - 1] ? -1 : 0;
}

static void s_run(void *ctx, int worker, void *task)
{
    stream_t *x = ctx;
    exec_stream_run(x->st, task, worker);
}

static void s_done(void *ctx, int worker, void *task)
{
    stream_t *x = ctx;
    (void)worker;
    exec_stream_done(x->st, task);
}

/* Three runs of 4, 3 and 5 replications through a ring of CAP slots on JOBS
 * threads (and *STOP). */
static void stream_runs(scenario *sc, exec_result *r, int cap, int jobs, volatile sig_atomic_t *stop,
                        stream_t *x)
{
    static const runner_ops ops = {s_next, s_run, s_done};
    size_t stride = 1;
    memset(x, 0, sizeof *x);
    x->r = r;
    for (int i = 0; i < NRUNS; i++) {
        assert_int_equal(exec_result_init(&r[i], &sc[i]), 0);
        r[i].on_rep = saw_rep;
        x->last_rep[i] = -1;
        r[i].on_rep_ctx = &x->last_rep[i];
        x->reps[i] = sc[i].replications;
        stride = r[i].L.total > stride ? r[i].L.total : stride;
    }
    x->w = exec_workers_new(jobs);
    assert_non_null(x->w);
    x->st = exec_stream_new(x->w, cap, stride, stop);
    assert_non_null(x->st);
    runner_pool(jobs, &ops, x);
    exec_stream_settle(x->st, 1, s_drained, x);
    assert_true(exec_stream_empty(x->st));
    exec_stream_free(x->st);
    exec_workers_free(x->w);
}

static void three_scenarios(scenario *sc)
{
    static const int reps[NRUNS] = {4, 3, 5};
    for (int i = 0; i < NRUNS; i++) {
        st_scenario(&sc[i], 1, 1, 40, reps[i], 11 + (uint64_t)i);
        sc[i].pools[0].servers = 2;
        sc[i].pools[0].failure = st_exp(0.05);
        sc[i].pools[0].repair = st_exp(1);
        sc[i].pools[0].service = st_exp(10);
        sc[i].clients[0].arrival.rate = 20 + 10 * i;
        sc[i].clients[0].policy.deadline = 0.2;
        sc[i].clients[0].policy.retry.max_attempts = 2;
    }
}

/* The reference: S's replications in batches of 8 of exec_run_items() (the
 * MPI path) on 2 threads. */
static void batch_run(exec_result *r, const scenario *sc)
{
    exec_item items[8];
    assert_int_equal(exec_result_init(r, sc), 0);
    exec_workers *w = exec_workers_new(2);
    assert_non_null(w);
    for (int first = 0; first < sc->replications; first += 8) {
        int n = sc->replications - first < 8 ? sc->replications - first : 8;
        for (int k = 0; k < n; k++)
            items[k] = (exec_item){r, first + k};
        assert_int_equal(exec_run_items(w, items, n, NULL, NULL, 0, n), 0);
    }
    exec_workers_free(w);
    assert_int_equal(r->status, WORLD_DONE);
}

static void assert_same_run(const exec_result *a, const exec_result *b)
{
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->nrec, b->nrec);
    assert_memory_equal(a->pm, b->pm, (size_t)a->L.npools * PM_COUNT * sizeof *a->pm);
    assert_memory_equal(a->cm, b->cm, (size_t)a->L.ncallers * CM_COUNT * sizeof *a->cm);
    assert_memory_equal(a->hist, b->hist, (size_t)a->L.ncallers * STAT_HIST_N * sizeof *a->hist);
    assert_true(a->events == b->events && a->requests == b->requests);
}

static void test_stream_same_as_batch(void **state)
{
    (void)state;
    scenario sc[NRUNS];
    exec_result ref[NRUNS], r[NRUNS];
    three_scenarios(sc);
    for (int i = 0; i < NRUNS; i++)
        batch_run(&ref[i], &sc[i]);
    /* a ring smaller than a run (wraps, refills), one that holds all; 1-3 threads */
    static const int caps[] = {1, 3, 5, 16};
    for (size_t c = 0; c < sizeof caps / sizeof *caps; c++)
        for (int jobs = 1; jobs <= 3; jobs++) {
            stream_t x;
            stream_runs(sc, r, caps[c], jobs, NULL, &x);
            assert_int_equal(x.ndrained, NRUNS);
            for (int i = 0; i < NRUNS; i++) {
                /* drained in order; again when the ring was emptied before all were appended */
                assert_int_equal(x.order[i], i);
                assert_true(x.drained[i] >= 1);
                assert_int_equal(x.last_rep[i], sc[i].replications - 1);
                assert_same_run(&r[i], &ref[i]);
                exec_result_free(&r[i]);
            }
        }
    for (int i = 0; i < NRUNS; i++) {
        exec_result_free(&ref[i]);
        scenario_free(&sc[i]);
    }
}

/* exec_extend (one process: a stream of one run, the ring 16 slots a thread)
 * on 1-3 threads, 40 replications: the batches' results, and again from the
 * middle (--precision's rounds extend a run). */
static void test_extend_same_as_batch(void **state)
{
    (void)state;
    scenario sc;
    exec_result ref, r;
    st_scenario(&sc, 1, 1, 10, 40, 7);
    sc.pools[0].servers = 2;
    sc.pools[0].failure = st_exp(0.1);
    sc.pools[0].repair = st_exp(2);
    sc.pools[0].service = st_exp(10);
    sc.clients[0].arrival.rate = 15;
    batch_run(&ref, &sc);
    for (int jobs = 1; jobs <= 3; jobs++) {
        exec_opts o = {.jobs = jobs, .quiet = 1};
        assert_int_equal(exec_result_init(&r, &sc), 0);
        assert_int_equal(exec_extend(&r, 17, &o), WORLD_DONE);
        assert_int_equal(r.nrec, 17);
        assert_int_equal(exec_extend(&r, 40, &o), WORLD_DONE);
        assert_same_run(&r, &ref);
        exec_result_free(&r);
    }
    exec_result_free(&ref);
    scenario_free(&sc);
}

/* A take leaves the other threads their share, at most 1/jobs of what
 * waits: 4 replications of one run on 2 threads go 2, 1, 1 (a take of up to
 * 4 left one thread idle: part d of make bench ran 4 replications on one
 * core), 3 more 1 at a time. */
static void test_take_leaves_a_share(void **state)
{
    (void)state;
    scenario sc[NRUNS];
    exec_result r;
    three_scenarios(sc);
    assert_int_equal(exec_result_init(&r, &sc[0]), 0);
    exec_workers *w = exec_workers_new(2);
    exec_stream *st = exec_stream_new(w, 32, r.L.total, NULL);
    assert_non_null(st);
    exec_group g;
    for (int k = 0; k < 4; k++)
        exec_stream_push(st, (exec_item){&r, k});
    assert_int_equal(exec_stream_take(st, 0, &g), 1);
    assert_int_equal(g.n, 2);
    assert_int_equal(exec_stream_take(st, 1, &g), 1); /* half of the 2 left */
    assert_true(g.first == 2 && g.n == 1);
    assert_int_equal(exec_stream_take(st, 0, &g), 1);
    assert_true(g.first == 3 && g.n == 1);
    assert_int_equal(exec_stream_take(st, 1, &g), 0);
    for (int k = 4; k < 7; k++)
        exec_stream_push(st, (exec_item){&r, k});
    for (int k = 0; k < 3; k++) {
        assert_int_equal(exec_stream_take(st, k % 2, &g), 1);
        assert_int_equal(g.n, 1);
    }
    exec_stream_settle(st, 1, NULL, NULL); /* none run: the run stops, interrupted */
    assert_int_equal(r.status, WORLD_INTERRUPTED);
    exec_stream_free(st);
    exec_workers_free(w);
    exec_result_free(&r);
    for (int i = 0; i < NRUNS; i++)
        scenario_free(&sc[i]);
}

/* A stop before anything runs: every item is left, each run stops at its
 * first replication, interrupted, with nothing folded. */
static void test_stream_stop(void **state)
{
    (void)state;
    scenario sc[NRUNS];
    exec_result r[NRUNS];
    volatile sig_atomic_t stop = 1;
    three_scenarios(sc);
    stream_t x;
    stream_runs(sc, r, 4, 2, &stop, &x);
    for (int i = 0; i < NRUNS; i++) {
        assert_int_equal(r[i].status, WORLD_INTERRUPTED);
        assert_int_equal(r[i].nrec, 0);
        assert_int_equal(x.drained[i] >= 1, 1);
        exec_result_free(&r[i]);
        scenario_free(&sc[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_every_task_once),
        cmocka_unit_test(test_pool_ends_when_nothing_can_come),
        cmocka_unit_test(test_stream_same_as_batch),
        cmocka_unit_test(test_extend_same_as_batch),
        cmocka_unit_test(test_take_leaves_a_share),
        cmocka_unit_test(test_stream_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
