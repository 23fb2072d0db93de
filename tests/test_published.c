/* test_published.c - the reproductions of published results under
 * scenarios/published/ (scenarios/README.md shows the published numbers
 * beside relsim's).  Each test loads the scenario file itself, so what is
 * tested is what a user runs. */
#include "tests/testutil.h"
#include "tests/simtest.h"
#include "loader/loader.h"

#include <math.h>
#include <stdio.h>

static int load(const char *name, char *const *sets, int nsets, scenario *s)
{
    const char *t = getenv("TESTS_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/../scenarios/published/%s", t && *t ? t : "tests", name);
    return loader_load(path, sets, nsets, s, stderr);
}

/* Wilson score interval for k successes in n trials (95%). */
static void wilson(int k, int n, double *lo, double *hi)
{
    double z = 1.959964, p = (double)k / n, d = 1 + z * z / n;
    double c = (p + z * z / (2.0 * n)) / d, h = z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / d;
    *lo = c - h;
    *hi = c + h;
}

/* Count the replications whose goodput is below half the offered 40/s. */
static void count_collapsed(void *ctx, int rep, const rec_layout *L, const double *rec)
{
    (void)rep;
    *(int *)ctx += (rec + L->caller)[CM_THROUGHPUT] < 0.5 * 40;
}

/* Brooker's collapse: the share of runs whose goodput in the window long
 * after the spike (warm-up 150 s to 200 s) is below half the offered load. */
static int collapsed_runs(char *const *sets, int nsets, int *n)
{
    scenario s;
    assert_int_equal(load("brooker-collapse.json", sets, nsets, &s), 0);
    exec_result r;
    int k = 0;
    assert_int_equal(st_run_each(&r, &s, count_collapsed, &k), WORLD_DONE);
    *n = r.nrec;
    exec_result_free(&r);
    scenario_free(&s);
    return k;
}

/* The lesson: the spike tips some runs into a state that outlives it
 * (metastable: with the same parameters other runs recover), only because
 * of retries; backoff with jitter spreads the retries in time but does not
 * remove their work, so in this open system it does not prevent collapse. */
static void test_brooker_collapse(void **state)
{
    (void)state;
    int n, k = collapsed_runs(NULL, 0, &n);
    double lo, hi;
    wilson(k, n, &lo, &hi);
    print_message("collapse, no backoff: %d of %d runs (%.3f, 95%% CI [%.3f, %.3f])\n", k, n, (double)k / n, lo, hi);
    assert_true(lo > 0.05 && hi < 0.95); /* metastable: some runs collapse, some recover */
    char *jit[] = {"clients.clients.retry.backoff={\"kind\": \"exponential\", \"base\": 0.5, \"cap\": 10, \"jitter\": \"full\"}"};
    int n2, k2 = collapsed_runs(jit, 1, &n2);
    double lo2, hi2;
    wilson(k2, n2, &lo2, &hi2);
    print_message("collapse, backoff + jitter: %d of %d runs (%.3f, 95%% CI [%.3f, %.3f])\n", k2, n2, (double)k2 / n2, lo2, hi2);
    assert_true(lo2 > 0.05 && hi2 > lo); /* still collapses: not significantly less often */
    char *none[] = {"clients.clients.retry.max_attempts=1"};
    int n3, k3 = collapsed_runs(none, 1, &n3);
    print_message("collapse, no retries: %d of %d runs\n", k3, n3);
    assert_int_equal(k3, 0); /* without retries every run recovers */
}

/* Brooker's retry study: P(success) and attempts per request (the work)
 * against failure fraction x, each against its exact value:
 *   none      1 - x,                     1
 *   3 retries 1 - x^4,                   (1 - x^4)/(1 - x)   (4 at x = 1: "1 + N")
 *   adaptive  while the bucket is empty every retry is paid by 0.1 token per
 *             success, so retries/request r = 0.1 s and s = (1 - x)(1 + r):
 *             s = (1 - x)/(1 - 0.1 (1 - x)), work 1 + 0.1 s (x = 0.5);
 *             like 3 retries while deposits outpace them (x = 0.05);
 *             at x = 1 nothing is deposited: work -> 1
 *   breaker   x far above 0.1: no retries, s = 1 - x, work 1. */
static void check_retry_study(double x, const double *s_exp, const double *w_exp)
{
    char sets[4][96];
    char *ps[4];
    const char *pol[4] = {"none", "retries", "adaptive", "breaker"};
    for (int i = 0; i < 4; i++) {
        snprintf(sets[i], sizeof sets[i], "pools.svc-%s.error_rate=%g", pol[i], x);
        ps[i] = sets[i];
    }
    scenario s;
    assert_int_equal(load("brooker-retries.json", ps, 4, &s), 0);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    for (int c = 0; c < 4; c++) {
        stat_summary su = results_caller_stat(&r, c, CM_REQUEST_SUCCESS);
        stat_summary wo = results_caller_stat(&r, c, CM_ATTEMPTS_PER_REQUEST);
        print_message("x = %.2f %-8s success %.4f [%.4f, %.4f] (exact %.4f), work %.4f [%.4f, %.4f] (exact %.4f)\n",
                      x, pol[c], su.mean, su.lo, su.hi, s_exp[c], wo.mean, wo.lo, wo.hi, w_exp[c]);
        if (!isnan(s_exp[c]))
            assert_agrees(su, s_exp[c], 3, 1e-9);
        if (!isnan(w_exp[c]))
            assert_agrees(wo, w_exp[c], 3, 1e-9);
    }
    exec_result_free(&r);
    scenario_free(&s);
}

static void test_brooker_retries(void **state)
{
    (void)state;
    double x = 0.5, sa = (1 - x) / (1 - 0.1 * (1 - x));
    double s5[4] = {1 - x, 1 - pow(x, 4), sa, 1 - x}, w5[4] = {1, (1 - pow(x, 4)) / (1 - x), 1 + 0.1 * sa, 1};
    check_retry_study(x, s5, w5);
    x = 0.05;
    double s05[4] = {1 - x, 1 - pow(x, 4), 1 - pow(x, 4), NAN};
    double w05[4] = {1, (1 - pow(x, 4)) / (1 - x), (1 - pow(x, 4)) / (1 - x), NAN}; /* breaker: near its threshold */
    check_retry_study(x, s05, w05);
    double s1[4] = {0, 0, 0, 0}, w1[4] = {1, 4, 1, 1};
    check_retry_study(1.0, s1, w1);
}

/* The Tail at Scale: slow leaves (1 in 100 take 1 s, the rest 10 ms) and
 * the fan-in: P(slow) = (mean latency - 0.01)/0.99 for each client:
 * all of 100: 1 - 0.99^100 = 0.634; 95 of 100: P(Bin(100, 0.01) > 5);
 * one leaf: 0.01. */
static double binom_upper(int n, int m, double q)
{
    double p = 0;
    for (int k = m + 1; k <= n; k++)
        p += exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(q) + (n - k) * log1p(-q));
    return p;
}

static void test_tail_at_scale(void **state)
{
    (void)state;
    scenario s;
    assert_int_equal(load("tail-at-scale.json", NULL, 0, &s), 0);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    const double exact[3] = {1 - pow(0.99, 100), binom_upper(100, 5, 0.01), 0.01};
    for (int c = 0; c < 3; c++) {
        stat_summary m = results_caller_stat(&r, c, CM_LATENCY_MEAN);
        print_message("%-10s P(slow) %.4f [%.4f, %.4f], exact %.4f\n", s.clients[c].name, (m.mean - 0.01) / 0.99,
                      (m.lo - 0.01) / 0.99, (m.hi - 0.01) / 0.99, exact[c]);
        assert_agrees(m, 0.01 + 0.99 * exact[c], 3, 0);
    }
    exec_result_free(&r);
    scenario_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brooker_collapse),
        cmocka_unit_test(test_brooker_retries),
        cmocka_unit_test(test_tail_at_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
