/* test_regressions.c - one test per bug found by review, each failing on the
 * code before its fix. */
#include "tests/testutil.h"
#include "tests/simtest.h"
#include "models/model.h"
#include "sim/evq.h"

#include <math.h>

static stat_summary cstat(const exec_result *r, int m) { return results_caller_stat(r, 0, m); }

static breaker_cfg consecutive(breaker_scope scope, int threshold, double open_for)
{
    return (breaker_cfg){.kind = BREAKER_CONSECUTIVE, .scope = scope, .failure_threshold = threshold,
                         .open_for = open_for, .half_open_probes = 1, .window = 1, .min_calls = 1,
                         .failure_rate = 1, .slow_call_rate = 1};
}

/* A deadline-only client with a pool breaker: a HALF_OPEN probe abandoned by
 * the deadline used to keep its permit, so the breaker stayed HALF_OPEN and
 * rejected everything (success 0.056).  Now the deadline counts as the
 * probe's failure and the breaker cycles: success near the availability. */
static void test_probe_abandoned_by_deadline(void **state)
{
    (void)state;
    scenario s;
    st_scenario(&s, 1, 1, 2000, 4, 3);
    s.pools[0].servers = 4;
    s.pools[0].workers = 10;
    s.pools[0].service = st_exp(10);
    s.pools[0].failure = st_exp(0.01);
    s.pools[0].repair = st_exp(0.1);
    s.clients[0].arrival.rate = 20;
    s.clients[0].policy.deadline = 0.3;
    s.clients[0].policy.retry.max_attempts = 3;
    s.clients[0].policy.breaker = consecutive(SCOPE_POOL, 3, 1);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    stat_summary succ = cstat(&r, CM_REQUEST_SUCCESS);
    print_message("request success %.4f [%.4f, %.4f]\n", succ.mean, succ.lo, succ.hi);
    assert_true(succ.lo > 0.5);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Hung servers and a deadline-only client: the deadline-exceeded attempts
 * must reach the breaker (it used to see no failure at all: 0 trips). */
static void test_deadline_feeds_breaker(void **state)
{
    (void)state;
    scenario s;
    st_scenario(&s, 1, 1, 600, 4, 3);
    s.pools[0].servers = 4;
    s.pools[0].workers = 10;
    s.pools[0].service = st_exp(100);
    s.pools[0].mode = FAIL_HANG;
    s.clients[0].arrival.rate = 50;
    s.clients[0].policy.deadline = 0.5;
    s.clients[0].policy.breaker = consecutive(SCOPE_PER_SERVER, 3, 1000);
    s.nevents = 1;
    s.events = calloc(1, sizeof *s.events);
    s.events[0] = (event_cfg){.kind = EVENT_FAIL, .at = 100, .duration = 400, .pool = 0, .servers = 1};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    /* the hung server's breaker trips once and stays open for the rest */
    assert_close(cstat(&r, CM_BREAKER_TRIPS).mean, 1, 0);
    assert_true(cstat(&r, CM_REQUEST_SUCCESS).mean > 0.99);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Two overlapping load events multiply; the end of the inner one used to
 * reset the rate to 1x while the outer one was still on. */
static void test_overlapping_load_events(void **state)
{
    (void)state;
    scenario s;
    st_scenario(&s, 1, 1, 400, 2, 3);
    s.bin = 50;
    s.pools[0].servers = 4;
    s.pools[0].workers = 100;
    s.pools[0].service = st_exp(100);
    s.clients[0].arrival.rate = 10;
    s.nevents = 2;
    s.events = calloc(2, sizeof *s.events);
    s.events[0] = (event_cfg){.kind = EVENT_LOAD, .at = 100, .duration = 200, .client = 0, .multiplier = 10};
    s.events[1] = (event_cfg){.kind = EVENT_LOAD, .at = 150, .duration = 50, .client = 0, .multiplier = 10};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    size_t col = (size_t)s.npools * TSP_COUNT + TSC_OFFERED;
    const double expect[8] = {10, 10, 100, 1000, 100, 100, 10, 10};
    for (int b = 0; b < 8; b++) {
        double sum = r.ts_sum[(size_t)b * r.L.ts_cols + col];
        /* Poisson counts over 50 s x 2 replications: 6 standard errors */
        assert_close(sum / r.nrec, expect[b], 6 * sqrt(expect[b] / 100));
    }
    exec_result_free(&r);
    scenario_free(&s);
}

/* mttr_estimate leaves forced outages out (it used to give 190 s for a
 * 10 s MTTR when two servers were forced down for 1000 s). */
static void test_mttr_estimate_forced(void **state)
{
    (void)state;
    scenario s;
    st_scenario(&s, 1, 0, 3600, 20, 3);
    s.pools[0].servers = 4;
    s.pools[0].failure = st_exp(0.001);
    s.pools[0].repair = st_exp(0.1);
    s.nevents = 1;
    s.events = calloc(1, sizeof *s.events);
    s.events[0] = (event_cfg){.kind = EVENT_FAIL, .at = 100, .duration = 1000, .pool = 0, .servers = 2};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_pool_stat(&r, 0, PM_MTTR_ESTIMATE), 10, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* A pool's per-bin arrival count is reset between replications: an arrival
 * at exactly the horizon used to leak into bin 0 of the next replication run
 * by the same world, so the time series depended on -j. */
static void test_bin_arrivals_reset(void **state)
{
    (void)state;
    scenario s;
    st_scenario(&s, 1, 1, 9, 40, 3);
    s.bin = 1;
    s.pools[0].service = st_det(1);
    s.clients[0].arrival = (arrival_cfg){.process = ARRIVAL_CLOSED, .users = 1, .think = st_det(1)};
    exec_result r;
    exec_result_init(&r, &s);
    exec_opts o = {.jobs = 1, .quiet = 1};
    assert_int_equal(exec_extend(&r, s.replications, &o), WORLD_DONE);
    /* first arrival at t = 1: bin 0 counts none in any replication (the
     * counts are >= 0, so their sum is 0 only if each is) */
    assert_int_equal(r.nrec, s.replications);
    assert_close(r.ts_sum[TSP_ARRIVALS], 0, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Streams are keyed by entity name, not position: adding a pool and a client
 * that targets it, both placed BEFORE the existing ones (so every index
 * shifts), leaves the existing pool's and client's results bit-identical
 * in every replication.  Before, every stream id was laid out by position,
 * so the addition reseeded everything. */
static void run_records(const scenario *s, int reps, double **out, rec_layout *L)
{
    world *w = world_new(s);
    assert_non_null(w);
    *L = *world_layout(w);
    *out = calloc((size_t)reps * L->total, sizeof **out);
    assert_non_null(*out);
    for (int r = 0; r < reps; r++)
        assert_int_equal(world_run(w, (unsigned long)r, *out + (size_t)r * L->total, 0, NULL), WORLD_DONE);
    world_free(w);
}

static void test_unrelated_client(void **state)
{
    (void)state;
    scenario a, b;
    st_scenario(&a, 1, 1, 300, 4, 17);
    snprintf(a.pools[0].name, CFG_NAME_MAX, "api");
    snprintf(a.clients[0].name, CFG_NAME_MAX, "web");
    a.pools[0].servers = 3;
    a.pools[0].service = st_exp(60);
    a.pools[0].failure = st_exp(0.02);
    a.pools[0].repair = st_exp(0.2);
    a.clients[0].arrival.rate = 40;
    a.clients[0].policy.balancer = BAL_P2C;
    a.clients[0].policy.timeout = 0.05;
    st_scenario(&b, 2, 2, 300, 4, 17);
    snprintf(b.pools[0].name, CFG_NAME_MAX, "batchdb");
    snprintf(b.clients[0].name, CFG_NAME_MAX, "batch");
    b.pools[0].failure = st_exp(0.05);
    b.pools[0].repair = st_exp(0.5);
    b.clients[0].arrival.rate = 55;
    b.clients[0].policy.target = 0;
    b.pools[1] = a.pools[0];
    b.clients[1] = a.clients[0];
    b.clients[1].policy.target = 1;
    double *ra, *rb;
    rec_layout la, lb;
    run_records(&a, 4, &ra, &la);
    run_records(&b, 4, &rb, &lb);
    for (int r = 0; r < 4; r++) {
        double *x = ra + (size_t)r * la.total, *y = rb + (size_t)r * lb.total;
        print_message("replication %d: api availability %.17g / %.17g, web success %.17g / %.17g\n", r,
                      rec_pool(&la, x, 0)[PM_SERVER_AVAILABILITY], rec_pool(&lb, y, 1)[PM_SERVER_AVAILABILITY],
                      rec_caller(&la, x, 0)[CM_REQUEST_SUCCESS], rec_caller(&lb, y, 1)[CM_REQUEST_SUCCESS]);
        assert_memory_equal(rec_pool(&la, x, 0), rec_pool(&lb, y, 1), PM_COUNT * sizeof(double));
        assert_memory_equal(rec_caller(&la, x, 0), rec_caller(&lb, y, 1), CM_COUNT * sizeof(double));
        assert_memory_equal(rec_hist(&la, x, 0), rec_hist(&lb, y, 1), STAT_HIST_N * sizeof(double));
        /* and the addition is not a no-op: its own pool differs from api */
        assert_true(rec_pool(&lb, y, 0)[PM_SERVER_AVAILABILITY] != rec_pool(&la, x, 0)[PM_SERVER_AVAILABILITY]);
    }
    free(ra);
    free(rb);
    scenario_free(&a);
    scenario_free(&b);
}

/* Percentiles are neither clamped at the histogram's old top (2^24 s: a
 * constant 3e7 s latency gave p50 = 16777216) nor above the largest latency
 * seen.  One server with 64 workers never queues at 2e-8 arrivals/s, so every
 * latency is exactly the deterministic service time 3e7 s. */
static void test_percentile_huge_constant(void **state)
{
    (void)state;
    scenario s;
    st_scenario(&s, 1, 1, 2e9, 3, 77);
    s.pools[0].servers = 1;
    s.pools[0].workers = 64;
    s.pools[0].service = st_det(3e7);
    s.clients[0].arrival.rate = 2e-8;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    for (int m = CM_LATENCY_P50; m <= CM_LATENCY_P999; m++) {
        stat_summary p = cstat(&r, m);
        assert_true(p.n == 3);
        assert_close(p.mean, 3e7, 3e7 * 1e-12);
    }
    exec_result_free(&r);
    scenario_free(&s);
}

/* Every replication: p999 within the timeout, p99 <= p999. */
static void check_quantiles_within_timeout(void *ctx, int rep, const rec_layout *L, const double *rec)
{
    const double *m = rec + L->caller;
    print_message("rep %d: p99 %.6g p999 %.6g\n", rep, m[CM_LATENCY_P99], m[CM_LATENCY_P999]);
    assert_true(m[CM_LATENCY_P999] <= 0.1);
    assert_true(m[CM_LATENCY_P99] <= m[CM_LATENCY_P999]);
    ++*(int *)ctx;
}

/* With a 0.1 s timeout and one attempt no successful latency exceeds 0.1 s,
 * so no percentile may (p999 used to be 0.10032: the interpolation inside
 * the bucket [0.09961, 0.10117) ran past the largest value).  Service Exp(10)
 * on one server at 1 request/s: about 36% of attempts time out, and the
 * successes crowd just below 0.1. */
static void test_percentile_below_timeout(void **state)
{
    (void)state;
    scenario s;
    st_scenario(&s, 1, 1, 20000, 4, 5);
    s.pools[0].servers = 1;
    s.pools[0].service = st_exp(10);
    s.clients[0].arrival.rate = 1;
    s.clients[0].policy.timeout = 0.1;
    exec_result r;
    int seen = 0;
    assert_int_equal(st_run_each(&r, &s, check_quantiles_within_timeout, &seen), WORLD_DONE);
    assert_int_equal(seen, 4);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Issue 14: a failed event-list push ends the replication with an error
 * naming it, never a silently dropped event.  300 servers that fail need
 * more than the event list's first 256 entries; the cap refuses to grow. */
static void test_event_list_out_of_memory(void **state)
{
    (void)state;
    scenario sc;
    st_scenario(&sc, 1, 1, 10, 2, 5);
    sc.pools[0].servers = 300;
    sc.pools[0].failure = st_exp(0.001);
    sc.pools[0].repair = st_exp(1);
    exec_result r;
    evq_fault_cap = 256;
    int st = st_run(&r, &sc);
    evq_fault_cap = 0;
    assert_int_equal(st, WORLD_NOMEM);
    assert_int_equal(r.nrec, 0);
    print_message("error: %s\n", r.error);
    assert_non_null(strstr(r.error, "replication 0: out of memory: the future-event list could "
                                    "not grow beyond 256 events"));
    exec_result_free(&r);
    /* the same scenario without the cap runs */
    st = st_run(&r, &sc);
    assert_int_equal(st, WORLD_DONE);
    assert_int_equal(r.nrec, 2);
    exec_result_free(&r);
    scenario_free(&sc);
}

/* model_calloc_lines wrapped N * SIZE around as calloc does not: a huge
 * request got a small block.  NULL now, as from calloc; sane sizes still
 * give zeroed memory on a line. */
static void test_calloc_lines_overflow(void **state)
{
    assert_null(model_calloc_lines(SIZE_MAX / 2 + 2, 2));          /* wraps to 2 bytes */
    assert_null(model_calloc_lines((SIZE_MAX / 64 + 1) * 2, 32)); /* wraps to 0 */
    assert_null(model_calloc_lines(1, SIZE_MAX - 10));            /* the round-up wraps */
    assert_null(model_calloc_lines(SIZE_MAX, SIZE_MAX));
    unsigned char *m = model_calloc_lines(3, 40);
    assert_non_null(m);
    assert_int_equal((uintptr_t)m % MODEL_LINE, 0);
    for (int i = 0; i < 120; i++)
        assert_int_equal(m[i], 0);
    free(m);
    free(model_calloc_lines(0, 8)); /* a line, or NULL: either is fine for 0 */
}

/* A sweep's threads keep a world per thread keyed by the scenario's address;
 * a point's scenario is freed when it ends, and its worlds used to stay
 * (borrowing from freed memory, and found again by any later scenario at
 * the same address).  exec_workers_forget() frees exactly the worlds built
 * for one scenario: after it, none is left for that scenario, the other
 * scenario's worlds stay, and the scenario runs again with the same
 * results. */
static void test_workers_forget(void **state)
{
    (void)state;
    scenario a, b;
    st_scenario(&a, 1, 1, 50, 4, 3);
    st_scenario(&b, 1, 1, 50, 4, 4);
    exec_result ra, rb, again;
    assert_int_equal(exec_result_init(&ra, &a), 0);
    assert_int_equal(exec_result_init(&rb, &b), 0);
    assert_int_equal(exec_result_init(&again, &a), 0);
    exec_workers *w = exec_workers_new(2);
    assert_non_null(w);
    exec_item items[4];
    for (int k = 0; k < 4; k++)
        items[k] = (exec_item){&ra, k};
    assert_int_equal(exec_run_items(w, items, 4, NULL, NULL, 0, 4), 0);
    for (int k = 0; k < 4; k++)
        items[k] = (exec_item){&rb, k};
    exec_run_items(w, items, 1, NULL, NULL, 0, 1); /* one of the threads now holds b */
    assert_int_equal(exec_workers_forget(w, &b), 1);
    assert_int_equal(exec_workers_forget(w, &b), 0);
    int n = exec_workers_forget(w, &a); /* the other thread's, if it ran one of a's */
    assert_true(n <= 1);
    assert_int_equal(exec_workers_forget(w, &a), 0);
    for (int k = 0; k < 4; k++)
        items[k] = (exec_item){&again, k};
    assert_int_equal(exec_run_items(w, items, 4, NULL, NULL, 0, 4), 0);
    assert_int_equal(again.nrec, 4);
    for (int m = 0; m < CM_COUNT; m++)
        assert_memory_equal(&again.cm[m], &ra.cm[m], sizeof ra.cm[m]);
    assert_true(exec_workers_forget(w, &a) >= 1);
    exec_workers_free(w);
    exec_result_free(&ra);
    exec_result_free(&rb);
    exec_result_free(&again);
    scenario_free(&a);
    scenario_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_abandoned_by_deadline), cmocka_unit_test(test_deadline_feeds_breaker),
        cmocka_unit_test(test_overlapping_load_events),     cmocka_unit_test(test_mttr_estimate_forced),
        cmocka_unit_test(test_bin_arrivals_reset),          cmocka_unit_test(test_event_list_out_of_memory),          cmocka_unit_test(test_unrelated_client),
        cmocka_unit_test(test_percentile_huge_constant),    cmocka_unit_test(test_percentile_below_timeout),
        cmocka_unit_test(test_calloc_lines_overflow),       cmocka_unit_test(test_workers_forget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
