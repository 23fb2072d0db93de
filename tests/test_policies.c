/* test_policies.c - client policies in simulation against exact values.
 *
 * Tolerances: 3 CI half-widths (about 6 standard errors) at fixed seeds,
 * plus a stated allowance where a formula is a limit (mean-field p2c).
 */
#include "tests/testutil.h"
#include "tests/simtest.h"

#include <math.h>

static stat_summary cstat(const exec_result *r, int m) { return results_caller_stat(r, 0, m); }

/* No queueing (many workers), service ~ Exp(mu), timeout T: P(timeout) = e^{-mu T}. */
static void test_timeout_fraction(void **state)
{
    (void)state;
    double mu = 10, T = 0.2385;
    scenario s;
    st_scenario(&s, 1, 1, 2000, 10, 101);
    s.pools[0].workers = 10000;
    s.pools[0].service = st_exp(mu);
    s.clients[0].arrival.rate = 50;
    s.clients[0].policy.timeout = T;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(cstat(&r, CM_TIMEOUT_FRACTION), exp(-mu * T), 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Loaded M/M/1 (lambda 7, K 10): response ~ Exp(K - lambda).  T_timeout with
 * the raw rate, -ln(p)/K, cuts off p^{(K-lambda)/K} = p^0.3, far more than p;
 * with the effective rate K - lambda it cuts off exactly p.  (Timed-out work
 * is still served, so the queue and the response law are unchanged.) */
static void test_t_timeout_loaded(void **state)
{
    (void)state;
    double lam = 7, K = 10, p = 0.05;
    for (int eff = 0; eff < 2; eff++) {
        scenario s;
        st_scenario(&s, 1, 1, 20000, 10, 111);
        s.warmup = 100;
        s.pools[0].service = st_exp(K);
        s.clients[0].arrival.rate = lam;
        s.clients[0].policy.timeout = -log(p) / (eff ? K - lam : K);
        exec_result r;
        assert_int_equal(st_run(&r, &s), WORLD_DONE);
        assert_agrees(cstat(&r, CM_TIMEOUT_FRACTION), eff ? p : pow(p, (K - lam) / K), 3, 0);
        exec_result_free(&r);
        scenario_free(&s);
    }
}

/* k of N servers held DOWN all run (fail_fast), random balancer, no backoff:
 * attempts fail independently with q = k/N, so success = 1 - q^n and
 * attempts per request = (1 - q^n)/(1 - q). */
static void test_retry_independent(void **state)
{
    (void)state;
    int N = 8, k = 3, n = 3;
    scenario s;
    st_scenario(&s, 1, 1, 500, 10, 121);
    s.pools[0].servers = N;
    s.pools[0].workers = 1000;
    s.pools[0].service = st_exp(100);
    s.clients[0].arrival.rate = 200;
    s.clients[0].policy.retry.max_attempts = n;
    s.nevents = 1;
    s.events = calloc(1, sizeof *s.events);
    s.events[0] = (event_cfg){.kind = EVENT_FAIL, .at = 0, .duration = 1e9, .pool = 0, .servers = k};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    double q = (double)k / N, p = 1 - q;
    assert_agrees(cstat(&r, CM_REQUEST_SUCCESS), 1 - pow(q, n), 3, 0);
    assert_agrees(cstat(&r, CM_ATTEMPTS_PER_REQUEST), (1 - pow(1 - p, n)) / p, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* One flapping server: its retries hit the same outage, so failures are
 * correlated and 1 - (1 - A)^n badly overestimates success; the truth is
 * close to A itself (retries 1 ms apart inside 10 s outages). */
static void test_retry_correlated(void **state)
{
    (void)state;
    double l = 0.01, m = 0.1;
    scenario s;
    st_scenario(&s, 1, 1, 50000, 10, 131);
    s.pools[0].workers = 1000;
    s.pools[0].service = st_exp(1000);
    s.pools[0].failure = st_exp(l);
    s.pools[0].repair = st_exp(m);
    s.clients[0].arrival.rate = 20;
    s.clients[0].policy.retry.max_attempts = 3;
    s.clients[0].policy.retry.backoff = (backoff_cfg){.kind = BACKOFF_CONSTANT, .delay = 0.001};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    double A = m / (l + m);
    stat_summary succ = cstat(&r, CM_REQUEST_SUCCESS);
    assert_agrees(succ, A, 3, 0.002); /* 2 ms of retrying adds at most 2e-3 */
    assert_true(succ.hi < 1 - pow(1 - A, 3) - 0.05);
    exec_result_free(&r);
    scenario_free(&s);
}

/* exponential_random backoff: a retry fires with probability
 * P_retry(t_max) = 1 - e^{-lambda t_max}; otherwise the request fails. */
static void test_p_retry_policy(void **state)
{
    (void)state;
    double lam = 4.0, tmax = 0.3;
    scenario s;
    st_scenario(&s, 1, 1, 1000, 10, 141);
    s.pools[0].workers = 1000;
    s.pools[0].service = st_exp(100);
    s.clients[0].arrival.rate = 100;
    s.clients[0].policy.retry.max_attempts = 2;
    s.clients[0].policy.retry.backoff = (backoff_cfg){.kind = BACKOFF_EXPONENTIAL_RANDOM, .rate = lam, .t_max = tmax};
    s.nevents = 1;
    s.events = calloc(1, sizeof *s.events);
    s.events[0] = (event_cfg){.kind = EVENT_FAIL, .at = 0, .duration = 1e9, .pool = 0, .servers = 1};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(cstat(&r, CM_RETRY_FIRED), 1 - exp(-lam * tmax), 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* A consecutive breaker in front of a permanently DOWN server (fail_fast):
 * after the first trip, each cycle is open_for seconds OPEN then one probe
 * (the next arrival), which fails and reopens.  Per cycle R*open_for
 * requests are rejected and 1 reaches the server: fraction 1/(R*open_for + 1);
 * OPEN fraction = open_for / (open_for + 1/R). */
static void test_breaker_dead_server(void **state)
{
    (void)state;
    double R = 100, open_for = 1.0;
    scenario s;
    st_scenario(&s, 1, 1, 1000, 10, 151);
    s.warmup = 10;
    s.clients[0].arrival.rate = R;
    s.clients[0].policy.breaker = (breaker_cfg){.kind = BREAKER_CONSECUTIVE, .scope = SCOPE_PER_SERVER,
                                                .failure_threshold = 5, .open_for = open_for,
                                                .half_open_probes = 1, .window = 1, .min_calls = 1,
                                                .failure_rate = 1, .slow_call_rate = 1};
    s.nevents = 1;
    s.events = calloc(1, sizeof *s.events);
    s.events[0] = (event_cfg){.kind = EVENT_FAIL, .at = 0, .duration = 1e9, .pool = 0, .servers = 1};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_pool_stat(&r, 0, PM_LOAD_AMPLIFICATION), 1 / (R * open_for + 1), 3, 0);
    assert_agrees(cstat(&r, CM_BREAKER_OPEN_FRACTION), open_for / (open_for + 1 / R), 3, 0);
    assert_agrees(cstat(&r, CM_REJECTED_BY_BREAKER), R * open_for / (R * open_for + 1), 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Mean number per server at rho = 0.9, N = 100 servers, one client:
 * random splitting makes each server M/M/1: rho/(1-rho) = 9; p2c approaches
 * Mitzenmacher's limit sum_{i>=1} rho^(2^i - 1) = 2.35 (queue tails
 * rho^(2^i-1) instead of rho^i).  N = 100 is near but not at the limit:
 * allow 10%. */
static void test_p2c_vs_random(void **state)
{
    (void)state;
    double rho = 0.9, K = 1;
    int N = 100;
    double limit = 0;
    for (int i = 1; i < 12; i++)
        limit += pow(rho, pow(2, i) - 1);
    for (int b = 0; b < 2; b++) {
        scenario s;
        st_scenario(&s, 1, 1, 3000, 6, 161);
        s.warmup = 500;
        s.pools[0].servers = N;
        s.pools[0].service = st_exp(K);
        s.clients[0].arrival.rate = rho * K * N;
        s.clients[0].policy.balancer = b ? BAL_P2C : BAL_RANDOM;
        exec_result r;
        assert_int_equal(st_run(&r, &s), WORLD_DONE);
        double per = (results_pool_stat(&r, 0, PM_BUSY_SERVERS).mean +
                      results_pool_stat(&r, 0, PM_QUEUE_LENGTH).mean) / N;
        if (b)
            assert_close(per, limit, 0.1 * limit);
        else
            assert_close(per, rho / (1 - rho), 0.1 * rho / (1 - rho));
        exec_result_free(&r);
        scenario_free(&s);
    }
}

/* fail_fast vs hang on one flapping server with negligible service time:
 * requests arriving while it is DOWN (a fraction 1 - A) fail; fail_fast
 * answers them with errors at once, hang leaves them to the client's
 * timeout.  So error (resp. timeout) fraction = 1 - A and success = A. */
static void test_fail_modes(void **state)
{
    (void)state;
    double l = 0.02, m = 0.2, A = m / (l + m);
    for (int hang = 0; hang < 2; hang++) {
        scenario s;
        st_scenario(&s, 1, 1, 20000, 10, 171);
        s.pools[0].workers = 1000;
        s.pools[0].service = st_exp(10000);
        s.pools[0].failure = st_exp(l);
        s.pools[0].repair = st_exp(m);
        s.pools[0].mode = hang ? FAIL_HANG : FAIL_FAST;
        s.clients[0].arrival.rate = 10;
        s.clients[0].policy.timeout = 0.5;
        exec_result r;
        assert_int_equal(st_run(&r, &s), WORLD_DONE);
        assert_agrees(cstat(&r, CM_REQUEST_SUCCESS), A, 3, 0);
        assert_agrees(cstat(&r, hang ? CM_CAUSE_TIMEOUT : CM_CAUSE_ERROR), 1 - A, 3, 0);
        assert_close(cstat(&r, hang ? CM_CAUSE_ERROR : CM_CAUSE_TIMEOUT).mean, 0, 0);
        exec_result_free(&r);
        scenario_free(&s);
    }
}

/* Decorrelated jitter starts each request at prev = base (MODEL.md: min(cap,
 * U(base, 3 prev)), prev starting at base), also for a request the free list
 * hands back with an earlier request's prev_sleep still in it.  One server
 * DOWN all run (fail_fast) and 2 attempts: every request that fails once
 * draws exactly one backoff, its first, which lies in [base, 3 base]; a
 * reused request that kept the last prev (up to 3 base) would draw up to
 * 9 base.  Requests overlap little (rate 100, backoff 10-30 ms), so nearly
 * every one is a reused slab entry. */
static void test_decorrelated_first_backoff(void **state)
{
    (void)state;
    double base = 0.01;
    scenario s;
    st_scenario(&s, 1, 1, 200, 3, 181);
    s.pools[0].workers = 1000;
    s.pools[0].service = st_exp(1000);
    s.clients[0].arrival.rate = 100;
    s.clients[0].policy.retry.max_attempts = 2;
    s.clients[0].policy.retry.backoff =
        (backoff_cfg){.kind = BACKOFF_EXPONENTIAL, .base = base, .multiplier = 2, .jitter = JITTER_DECORRELATED};
    s.nevents = 1;
    s.events = calloc(1, sizeof *s.events);
    s.events[0] = (event_cfg){.kind = EVENT_FAIL, .at = 0, .duration = 1e9, .pool = 0, .servers = 1};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    const exec_samples *d = &r.delays[0];
    assert_true(d->n > 1000);
    int out = 0;
    double hi = 0;
    for (int i = 0; i < d->n; i++) {
        double v = d->v[(size_t)i * 2];
        out += v < base || v > 3 * base;
        if (v > hi)
            hi = v;
    }
    assert_int_equal(out, 0);
    assert_true(hi > 2.5 * base); /* the draws cover the range */
    exec_result_free(&r);
    scenario_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeout_fraction),   cmocka_unit_test(test_t_timeout_loaded),
        cmocka_unit_test(test_retry_independent),  cmocka_unit_test(test_retry_correlated),
        cmocka_unit_test(test_p_retry_policy),     cmocka_unit_test(test_breaker_dead_server),
        cmocka_unit_test(test_p2c_vs_random),     cmocka_unit_test(test_fail_modes),
        cmocka_unit_test(test_decorrelated_first_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
