/* test_validation.c - the server-pool models against exact values.
 *
 * Every check compares a simulated mean with a closed form computed here
 * independently, within 3 CI half-widths (about 6 standard errors: never
 * flaky at fixed seeds, yet a wrong model is off by far more), plus a stated
 * allowance where the estimator has a known bias (histogram quantiles).
 */
#include "tests/testutil.h"
#include "tests/simtest.h"

#include <math.h>


/* One server, exponential failure (lambda) and repair (mu): A = mu/(lambda+mu). */
static void check_availability(double lambda, double mu, uint64_t seed)
{
    scenario s;
    st_scenario(&s, 1, 0, 20000.0 / lambda, 20, seed);
    s.warmup = 5.0 / (lambda + mu);
    s.pools[0].failure = st_exp(lambda);
    s.pools[0].repair = st_exp(mu);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_pool_stat(&r, 0, PM_SERVER_AVAILABILITY), mu / (lambda + mu), 3, 0);
    assert_agrees(results_pool_stat(&r, 0, PM_MTTF_OBSERVED), 1 / lambda, 3, 0);
    assert_agrees(results_pool_stat(&r, 0, PM_MTTR_OBSERVED), 1 / mu, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

static void test_availability(void **state)
{
    (void)state;
    check_availability(0.001, 0.1, 11);
    check_availability(0.0237, 0.385, 12);
    check_availability(2.385, 1.5, 13); /* worse than a coin flip: A = 0.386 */
}

/* A window of 3.6 MTTFs: the mean of completed up periods is biased short
 * (long periods are cut off by the horizon), the estimate time-UP/failures
 * is not. */
static void test_mttf_censoring(void **state)
{
    (void)state;
    double l = 0.001, m = 0.1;
    scenario s;
    st_scenario(&s, 1, 0, 3600, 40, 17);
    s.pools[0].servers = 8;
    s.pools[0].failure = st_exp(l);
    s.pools[0].repair = st_exp(m);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_pool_stat(&r, 0, PM_MTTF_ESTIMATE), 1 / l, 3, 0);
    assert_agrees(results_pool_stat(&r, 0, PM_MTTR_ESTIMATE), 1 / m, 3, 0);
    stat_summary obs = results_pool_stat(&r, 0, PM_MTTF_OBSERVED);
    print_message("completed up periods: mean %.1f s, CI [%.1f, %.1f] vs MTTF 1000 s\n", obs.mean, obs.lo, obs.hi);
    assert_true(obs.hi < 0.95 / l);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Interval availability over [0, T] starting UP:
 * mu/(l+m) + l/((l+m)^2 T) (1 - e^{-(l+m)T}). */
static void test_interval_availability(void **state)
{
    (void)state;
    double l = 0.5, m = 2.385, T = 1.7;
    scenario s;
    st_scenario(&s, 1, 0, T, 4000, 21);
    s.pools[0].failure = st_exp(l);
    s.pools[0].repair = st_exp(m);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    double a = m / (l + m) + l / ((l + m) * (l + m) * T) * (1 - exp(-(l + m) * T));
    assert_agrees(results_pool_stat(&r, 0, PM_SERVER_AVAILABILITY), a, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

static double binom_tail(int n, int k, double a)
{
    double sum = 0;
    for (int j = k; j <= n; j++) {
        double c = 1;
        for (int i = 0; i < j; i++)
            c = c * (n - i) / (i + 1);
        sum += c * pow(a, j) * pow(1 - a, n - j);
    }
    return sum;
}

/* k-of-n with independent repair: P(>= k UP) = sum_j C(n,j) A^j (1-A)^(n-j). */
static void test_k_of_n(void **state)
{
    (void)state;
    double l = 0.02, m = 0.15;
    scenario s;
    st_scenario(&s, 1, 0, 200000, 20, 31);
    s.warmup = 100;
    s.pools[0].servers = 5;
    s.pools[0].quorum = 4;
    s.pools[0].failure = st_exp(l);
    s.pools[0].repair = st_exp(m);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_pool_stat(&r, 0, PM_SYSTEM_AVAILABILITY), binom_tail(5, 4, m / (l + m)), 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Machine repair: n machines, c crews; birth-death chain on j = number DOWN:
 * rate down (n-j) l, rate up min(j,c) m.  pi_j ~ prod_{i<j} (n-i) l / (min(i+1,c) m). */
static double machine_repair_pk(int n, int c, int k, double l, double m)
{
    double pi[64], sum = 0;
    pi[0] = 1;
    for (int j = 1; j <= n; j++)
        pi[j] = pi[j - 1] * (n - j + 1) * l / ((j < c ? j : c) * m);
    for (int j = 0; j <= n; j++)
        sum += pi[j];
    double p = 0;
    for (int j = 0; j <= n - k; j++) /* at most n-k DOWN */
        p += pi[j] / sum;
    return p;
}

static void check_machine_repair(int crews)
{
    double l = 0.05, m = 0.12;
    int n = 6, k = 4;
    scenario s;
    st_scenario(&s, 1, 0, 100000, 20, 40 + (uint64_t)crews);
    s.warmup = 200;
    s.pools[0].servers = n;
    s.pools[0].quorum = k;
    s.pools[0].repair_crews = crews;
    s.pools[0].failure = st_exp(l);
    s.pools[0].repair = st_exp(m);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    int c = crews ? crews : n;
    assert_agrees(results_pool_stat(&r, 0, PM_SYSTEM_AVAILABILITY), machine_repair_pk(n, c, k, l, m), 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

static void test_machine_repair(void **state)
{
    (void)state;
    check_machine_repair(1);
    check_machine_repair(0);
    assert_true(machine_repair_pk(6, 1, 4, 0.05, 0.12) < machine_repair_pk(6, 6, 4, 0.05, 0.12));
}

/* L[rep] = pool 0's busy servers + queue length in that replication. */
static void keep_number_in_system(void *ctx, int rep, const rec_layout *L, const double *rec)
{
    const double *m = rec + L->pool;
    ((double *)ctx)[rep] = m[PM_BUSY_SERVERS] + m[PM_QUEUE_LENGTH];
}

/* M/M/1: W = 1/(mu - lambda), L = rho/(1-rho), P(T > t) = e^{-(mu-lambda) t}. */
static void test_mm1(void **state)
{
    (void)state;
    double lam = 7.3, mu = 10;
    scenario s;
    st_scenario(&s, 1, 1, 20000, 20, 51);
    s.warmup = 200;
    s.pools[0].service = st_exp(mu);
    s.clients[0].arrival.rate = lam;
    exec_result r;
    /* number in system per replication, busy + waiting: its own CI */
    double L[64];
    assert_int_equal(st_run_each(&r, &s, keep_number_in_system, L), WORLD_DONE);
    double rho = lam / mu;
    assert_agrees(results_caller_stat(&r, 0, CM_LATENCY_MEAN), 1 / (mu - lam), 3, 0);
    stat_summary busy = results_pool_stat(&r, 0, PM_BUSY_SERVERS);
    assert_agrees(busy, rho, 3, 0);
    assert_agrees(stat_summarize(L, 1, r.nrec), rho / (1 - rho), 3, 0);
    /* p99 of the response time: -ln(0.01)/(mu - lambda); the histogram adds <= 1.1% */
    double p99 = -log(0.01) / (mu - lam);
    assert_agrees(results_caller_stat(&r, 0, CM_LATENCY_P99), p99, 3, 0.011 * p99);
    assert_agrees(results_caller_stat(&r, 0, CM_REQUEST_SUCCESS), 1.0, 0, 1e-12);
    exec_result_free(&r);
    scenario_free(&s);
}

/* M/M/c (one server with c workers): W = C(c,a)/(c mu - lambda) + 1/mu,
 * Erlang C from the Erlang B recursion. */
static double erlang_c(int c, double a)
{
    double b = 1;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return c * b / (c - a * (1 - b));
}

static void test_mmc(void **state)
{
    (void)state;
    int c = 3;
    double lam = 2.385, mu = 1.1;
    scenario s;
    st_scenario(&s, 1, 1, 20000, 20, 61);
    s.warmup = 200;
    s.pools[0].workers = c;
    s.pools[0].service = st_exp(mu);
    s.clients[0].arrival.rate = lam;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    double w = erlang_c(c, lam / mu) / (c * mu - lam) + 1 / mu;
    assert_agrees(results_caller_stat(&r, 0, CM_LATENCY_MEAN), w, 3, 0);
    assert_agrees(results_pool_stat(&r, 0, PM_UTILIZATION), lam / (c * mu), 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* A fail_fast server destroys the work in progress when it fails, so request
 * success is below availability: with no queueing (deterministic tiny
 * service), success ~ A; with long service it drops further. */
static void test_fail_fast_success(void **state)
{
    (void)state;
    double l = 0.01, m = 0.1;
    scenario s;
    st_scenario(&s, 1, 1, 20000, 20, 71);
    s.warmup = 100;
    s.pools[0].workers = 1000;
    s.pools[0].service = st_exp(0.5); /* 2 s of work, no queueing */
    s.pools[0].failure = st_exp(l);
    s.pools[0].repair = st_exp(m);
    s.clients[0].arrival.rate = 5;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    double A = m / (l + m);
    /* a request succeeds iff it arrives UP and the server survives its service:
     * A * K/(K + lambda) */
    stat_summary succ = results_caller_stat(&r, 0, CM_REQUEST_SUCCESS);
    assert_agrees(succ, A * 0.5 / (0.5 + l), 3, 0);
    assert_true(succ.hi < A);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Q_balance = N rho / K = mean busy servers, whichever balancer splits. */
static void check_q_balance(balancer_kind b)
{
    int n = 8;
    double K = 100, total = 600; /* rho = 75 per server */
    scenario s;
    st_scenario(&s, 1, 1, 200, 10, 81);
    s.warmup = 10;
    s.pools[0].servers = n;
    s.pools[0].service = st_exp(K);
    s.clients[0].arrival.rate = total;
    s.clients[0].policy.balancer = b;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_pool_stat(&r, 0, PM_BUSY_SERVERS), n * (total / n) / K, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

static void test_q_balance(void **state)
{
    (void)state;
    check_q_balance(BAL_RANDOM);
    check_q_balance(BAL_ROUND_ROBIN);
}

/* Closed loop (machine interference, M/M/1//N): N users thinking Exp(l),
 * one server Exp(mu).  p_k ~ N!/(N-k)! (l/mu)^k requests at the server;
 * throughput X = mu (1 - p_0); response time R = N/X - 1/l. */
static void test_closed_loop(void **state)
{
    (void)state;
    int N = 7;
    double l = 0.385, mu = 2.0, w = 1, sum = 0, p0;
    for (int k = 0; k <= N; k++) {
        sum += w;
        w *= (N - k) * l / mu;
    }
    p0 = 1 / sum;
    double X = mu * (1 - p0), R = N / X - 1 / l;
    scenario s;
    st_scenario(&s, 1, 1, 20000, 10, 91);
    s.warmup = 100;
    s.pools[0].service = st_exp(mu);
    s.clients[0].arrival = (arrival_cfg){.process = ARRIVAL_CLOSED, .users = N, .think = st_exp(l)};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_caller_stat(&r, 0, CM_THROUGHPUT), X, 3, 0);
    assert_agrees(results_caller_stat(&r, 0, CM_LATENCY_MEAN), R, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_availability),   cmocka_unit_test(test_interval_availability),
        cmocka_unit_test(test_mttf_censoring),
        cmocka_unit_test(test_k_of_n),         cmocka_unit_test(test_machine_repair),
        cmocka_unit_test(test_mm1),            cmocka_unit_test(test_mmc),
        cmocka_unit_test(test_fail_fast_success), cmocka_unit_test(test_q_balance),
        cmocka_unit_test(test_closed_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
