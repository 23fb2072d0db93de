/* test_phenomena.c - hedging and outlier ejection in simulation against
 * values derived from their semantics (MODEL.md "Later additions",
 * docs/MODEL.md "Clients").
 *
 * Hedging: with no queueing (many workers) and Exp(mu) service, an attempt
 * that has run for d is still Exp(mu) (memoryless).  With hedge delay d and
 * at most m attempts, the number of live attempts is j+1 on [j d, (j+1) d)
 * (j < m) and every live attempt finishes at rate mu, so the latency L of a
 * request has hazard (j+1) mu there:
 *   m = 2: P(L > t) = e^{-mu t} (t <= d),  e^{-mu d} e^{-2 mu (t-d)} (t >= d)
 *          E[L] = (1 - e^{-mu d}/2)/mu,  hedges per request = e^{-mu d},
 *          hedge wins with probability e^{-mu d}/2, and every attempt is
 *          served to the end (the loser's work is wasted, not cancelled), so
 *          busy workers = lambda (1 + e^{-mu d}) / mu.
 *   m = 3: hazard mu, 2 mu, 3 mu on [0,d), [d,2d), [2d,inf).
 *
 * Outlier ejection (Envoy consecutive_5xx) in front of permanently DOWN
 * fail_fast servers: every attempt to a dead server is an error, so a dead
 * server that is not ejected is ejected exactly at its k-th attempt; the
 * random balancer sends it R/N attempts per second, so the time to its k-th
 * attempt is Gamma(k, R/N), and while it is ejected it gets nothing.  With
 * ejection lengths L_j = min(max(300, base), base j) the ejection times are
 * S_j = sum_{i<=j} G_i + sum_{i<j} L_i, and a horizon far (>= 6 sd of the
 * Gamma sums) from every S_j fixes the number of ejections exactly.
 *
 * Tolerances: 3 CI half-widths (about 6 standard errors) at fixed seeds,
 * plus the latency histogram's bucket width (at most 1/64) for quantiles.
 */
#include "tests/testutil.h"
#include "tests/simtest.h"

#include <math.h>

static stat_summary cstat(const exec_result *r, int m) { return results_caller_stat(r, 0, m); }
static stat_summary pstat(const exec_result *r, int m) { return results_pool_stat(r, 0, m); }

/* Servers that never queue: N servers with many workers, Exp(mu) service. */
static void no_queue_pool(scenario *s, int n, double mu)
{
    s->pools[0].servers = n;
    s->pools[0].workers = 10000;
    s->pools[0].service = st_exp(mu);
}

static void dead_servers(scenario *s, int k)
{
    s->nevents = 1;
    s->events = calloc(1, sizeof *s->events);
    s->events[0] = (event_cfg){.kind = EVENT_FAIL, .at = 0, .duration = 1e9, .pool = 0, .servers = k};
}

static void hedge(scenario *s, double d, int m)
{
    s->clients[0].policy.hedge = (hedge_cfg){.enabled = 1, .delay = d, .max_attempts = m};
}

static void outlier(scenario *s, int k, double base, double pct)
{
    s->clients[0].policy.outlier = (outlier_cfg){.enabled = 1, .consecutive_errors = k, .base_ejection = base,
                                                 .max_ejection_percent = pct};
}

/* Quantile within 3 half-widths plus the histogram's bucket width (<= 1/64). */
static void assert_quantile(stat_summary s, double exact) { assert_agrees(s, exact, 3, exact / STAT_HIST_SUB); }

/* An exact integer outcome: the same value in every replication. */
static void assert_exactly(stat_summary s, double v)
{
    assert_close(s.mean, v, 0);
    assert_close(s.sd, 0, 0);
}

/* ---- hedging ------------------------------------------------------------------ */

/* m = 2, d = 1/mu: latency law, hedges sent and won, wasted work. */
static void test_hedge_two(void **state)
{
    (void)state;
    double mu = 10, d = 0.1, lam = 50, q = exp(-mu * d);
    scenario s;
    st_scenario(&s, 1, 1, 2000, 10, 201);
    no_queue_pool(&s, 2, mu);
    s.clients[0].arrival.rate = lam;
    hedge(&s, d, 2);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(cstat(&r, CM_REQUEST_SUCCESS), 1, 0, 0);
    assert_agrees(cstat(&r, CM_LATENCY_MEAN), (1 - q / 2) / mu, 3, 0);
    assert_quantile(cstat(&r, CM_LATENCY_P50), log(2) / mu);             /* 0.069 < d */
    assert_quantile(cstat(&r, CM_LATENCY_P99), d / 2 + log(100) / (2 * mu)); /* past d: rate 2 mu */
    assert_agrees(cstat(&r, CM_HEDGES_SENT), q, 3, 0);
    assert_agrees(cstat(&r, CM_ATTEMPTS_PER_REQUEST), 1 + q, 3, 0);
    assert_agrees(cstat(&r, CM_HEDGES_WON), q / 2, 3, 0);
    assert_agrees(pstat(&r, PM_LOAD_AMPLIFICATION), 1 + q, 3, 0);
    assert_agrees(pstat(&r, PM_BUSY_SERVERS), lam * (1 + q) / mu, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* m = 3: a second hedge d after the first.  Also checks that hedge timers of
 * other requests are not delayed when an expiring hedge timer starts the next
 * one (the same timer queue is re-armed from inside its own expiry). */
static void test_hedge_three(void **state)
{
    (void)state;
    double mu = 10, d = 0.05, lam = 50;
    double q1 = exp(-mu * d), q3 = exp(-3 * mu * d);
    double mean = (1 - q1) / mu + q1 * (1 - exp(-2 * mu * d)) / (2 * mu) + q3 / (3 * mu);
    double first_wins = (1 - q1) + q1 * (1 - exp(-2 * mu * d)) / 2 + q3 / 3;
    scenario s;
    st_scenario(&s, 1, 1, 2000, 10, 211);
    no_queue_pool(&s, 4, mu);
    s.clients[0].arrival.rate = lam;
    hedge(&s, d, 3);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(cstat(&r, CM_HEDGES_SENT), q1 + q3, 3, 0);
    assert_agrees(cstat(&r, CM_LATENCY_MEAN), mean, 3, 0);
    assert_quantile(cstat(&r, CM_LATENCY_P99), 2 * d + (log(100) - 3 * mu * d) / (3 * mu));
    assert_agrees(cstat(&r, CM_HEDGES_WON), 1 - first_wins, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* A failed hedge makes room for the next one at once: k of N servers DOWN
 * (fail_fast), hedge delay far beyond any service time, random balancer (a
 * failed attempt is no longer live, so the next pick is uniform again):
 * success 1 - q^m and attempts (1 - q^m)/(1 - q), q = k/N, as for retries. */
static void test_hedge_after_error(void **state)
{
    (void)state;
    int N = 8, k = 3, m = 3;
    double q = (double)k / N;
    scenario s;
    st_scenario(&s, 1, 1, 500, 10, 221);
    no_queue_pool(&s, N, 100);
    s.clients[0].arrival.rate = 200;
    hedge(&s, 100, m);
    dead_servers(&s, k);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(cstat(&r, CM_REQUEST_SUCCESS), 1 - pow(q, m), 3, 0);
    assert_agrees(cstat(&r, CM_ATTEMPTS_PER_REQUEST), (1 - pow(q, m)) / (1 - q), 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Hedges spend the retry budget: a Finagle ratio budget of 10% (no
 * reserve) lets at most 10% of requests hedge while e^{-mu d} = 37% want to,
 * so hedges per request settle at the budget, 0.1 (a little less: a hedge
 * needs a whole token in the 10 s window).  With percent 0 no hedge is sent
 * and the latency is plain Exp(mu). */
static void test_hedge_budget(void **state)
{
    (void)state;
    double mu = 10, d = 0.1;
    for (int pct = 0; pct < 2; pct++) {
        scenario s;
        st_scenario(&s, 1, 1, 1000, 10, 231);
        no_queue_pool(&s, 2, mu);
        s.clients[0].arrival.rate = 100;
        hedge(&s, d, 2);
        s.clients[0].policy.retry.budget =
            (budget_cfg){.kind = BUDGET_RATIO, .percent = pct ? 0.1 : 0, .min_per_second = 0, .ttl = 10};
        exec_result r;
        assert_int_equal(st_run(&r, &s), WORLD_DONE);
        if (pct) {
            assert_close(cstat(&r, CM_HEDGES_SENT).mean, 0.1, 0.003);
        } else {
            assert_exactly(cstat(&r, CM_HEDGES_SENT), 0);
            assert_agrees(cstat(&r, CM_LATENCY_MEAN), 1 / mu, 3, 0);
        }
        exec_result_free(&r);
        scenario_free(&s);
    }
}

/* ---- outlier ejection -------------------------------------------------------------- */

/* One dead server of N = 10 at R = 10 requests/s (1/s reach it while it is
 * in rotation), k = 5, base 395 s (> 300, so every ejection lasts 395 s).
 * Ejection j happens at S_j = Gamma(5j, 1) + 395 (j-1): S_51 = 20005 +- 16,
 * S_52 = 20405 +- 16, so a 20200 s run sees exactly 51 ejections, exactly
 * 5 x 51 = 255 errors, and the dead server is in rotation 255 s on average:
 *   ejected fraction = (H - 255) / (N H),  success = 1 - 255 / (R H)
 * instead of 1 - 1/N = 0.9 without ejection. */
static void test_outlier_dead_server(void **state)
{
    (void)state;
    int N = 10, k = 5;
    double R = 10, H = 20200, base = 395;
    for (int on = 0; on < 2; on++) {
        scenario s;
        st_scenario(&s, 1, 1, H, 10, 241);
        s.pools[0].servers = N;
        s.pools[0].workers = 100;
        s.pools[0].service = st_exp(100);
        s.clients[0].arrival.rate = R;
        if (on)
            outlier(&s, k, base, 10);
        dead_servers(&s, 1);
        exec_result r;
        assert_int_equal(st_run(&r, &s), WORLD_DONE);
        if (on) {
            double errors = k * 51.0;
            assert_exactly(cstat(&r, CM_EJECTIONS), 51);
            assert_agrees(cstat(&r, CM_EJECTED_FRACTION), (H - errors * N / R) / (N * H), 3, 0);
            assert_agrees(cstat(&r, CM_REQUEST_SUCCESS), 1 - errors / (R * H), 3, 1e-5);
            assert_agrees(cstat(&r, CM_CAUSE_ERROR), errors / (R * H), 3, 1e-5);
        } else {
            assert_agrees(cstat(&r, CM_REQUEST_SUCCESS), 1 - 1.0 / N, 3, 0);
        }
        exec_result_free(&r);
        scenario_free(&s);
    }
}

/* Ejection length base x (times ejected), capped at max(300 s, base).  The
 * dead server gets 10 attempts/s, so it is back in rotation ~0.5 s before
 * each ejection (never the 10 s that would decay the multiplier).
 * base 10: lengths 10, 20, 30, ...: the j-th ejection starts at
 * S_j = 0.5j + 5j(j-1): S_19 = 1720, S_20 = 1910, so 1900 s see exactly 19.
 * base 100: lengths 100, 200, 300, 300, ... (capped): S_6 = 1203,
 * S_7 = 1504, so 1400 s see 6 (without the cap, 400, 500, ... would give
 * S_6 = 1503 and only 5). */
static void test_outlier_lengths(void **state)
{
    (void)state;
    const struct { double base, H, ejections; } c[] = {{10, 1900, 19}, {100, 1400, 6}};
    for (int i = 0; i < 2; i++) {
        scenario s;
        st_scenario(&s, 1, 1, c[i].H, 10, 251);
        s.pools[0].servers = 10;
        s.pools[0].workers = 100;
        s.pools[0].service = st_exp(100);
        s.clients[0].arrival.rate = 100; /* 5 errors in ~0.5 s: the multiplier never decays */
        outlier(&s, 5, c[i].base, 10);
        dead_servers(&s, 1);
        exec_result r;
        assert_int_equal(st_run(&r, &s), WORLD_DONE);
        assert_exactly(cstat(&r, CM_EJECTIONS), c[i].ejections);
        /* in rotation 0.5 s before each ejection on average */
        assert_agrees(cstat(&r, CM_EJECTED_FRACTION), (c[i].H - 0.5 * c[i].ejections) / (10 * c[i].H), 3, 0);
        exec_result_free(&r);
        scenario_free(&s);
    }
}

/* Envoy lowers the multiplier by one per 10 s interval a host spends back
 * in rotation.  A dead server that takes ~50 s to collect 5 errors (0.1
 * attempts/s) is therefore always ejected for the base 10 s: cycles of ~60 s,
 * about 33 ejections in 2000 s; without the decay the lengths would grow
 * 10, 20, 30, ... and only about 15 would fit. */
static void test_outlier_decay(void **state)
{
    (void)state;
    scenario s;
    st_scenario(&s, 1, 1, 2000, 10, 255);
    s.pools[0].servers = 10;
    s.pools[0].workers = 100;
    s.pools[0].service = st_exp(100);
    s.clients[0].arrival.rate = 1;
    outlier(&s, 5, 10, 10);
    dead_servers(&s, 1);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    stat_summary e = cstat(&r, CM_EJECTIONS);
    assert_agrees(e, 2000 / 60.0, 3, 2); /* ~33; the cycle is Gamma(5, 0.1) + 10 */
    assert_true(e.lo > 25);
    exec_result_free(&r);
    scenario_free(&s);
}

/* max_ejection_percent: 5 of 10 servers dead, ejections longer than the
 * run.  With 20% the first two dead servers to reach 5 errors (well under a
 * second at 10 attempts/s each) are ejected for good and the other three are
 * never ejected: 2 ejections, 2/10 ejected, success -> 1 - 3/8.  With 0%,
 * one may still be ejected: success -> 1 - 4/9.  With 100% all five go:
 * success -> 1. (The first second, at success 1/2, costs < 0.001.) */
static void test_outlier_max_percent(void **state)
{
    (void)state;
    const struct { double pct, ejections, success; } c[] = {{20, 2, 1 - 3.0 / 8}, {0, 1, 1 - 4.0 / 9}, {100, 5, 1}};
    for (int i = 0; i < 3; i++) {
        scenario s;
        st_scenario(&s, 1, 1, 500, 10, 261);
        s.pools[0].servers = 10;
        s.pools[0].workers = 100;
        s.pools[0].service = st_exp(100);
        s.clients[0].arrival.rate = 100;
        outlier(&s, 5, 1000, c[i].pct);
        dead_servers(&s, 5);
        exec_result r;
        assert_int_equal(st_run(&r, &s), WORLD_DONE);
        assert_exactly(cstat(&r, CM_EJECTIONS), c[i].ejections);
        stat_summary f = cstat(&r, CM_EJECTED_FRACTION);
        assert_true(f.hi <= c[i].ejections / 10 + 1e-12);
        assert_close(f.mean, c[i].ejections / 10, 0.001);
        assert_agrees(cstat(&r, CM_REQUEST_SUCCESS), c[i].success, 3, 0.001);
        exec_result_free(&r);
        scenario_free(&s);
    }
}

/* ---- timers re-armed from inside their own expiry ------------------------------------ */

/* Immediate retries after timeouts (backoff none): each attempt times out
 * independently with p = e^{-mu T} (no queueing), so the timeout fraction is
 * p and success 1 - p^2 with 2 attempts.  The retry starts a timeout on the
 * queue whose expiry is being handled; the other running timeouts must still
 * fire on time. */
static void test_timeout_then_immediate_retry(void **state)
{
    (void)state;
    double mu = 10, T = 0.2385, p = exp(-mu * T);
    scenario s;
    st_scenario(&s, 1, 1, 2000, 10, 271);
    no_queue_pool(&s, 1, mu);
    s.clients[0].arrival.rate = 50;
    s.clients[0].policy.timeout = T;
    s.clients[0].policy.retry.max_attempts = 2;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(cstat(&r, CM_TIMEOUT_FRACTION), p, 3, 0);
    assert_agrees(cstat(&r, CM_REQUEST_SUCCESS), 1 - p * p, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hedge_two),           cmocka_unit_test(test_hedge_three),
        cmocka_unit_test(test_hedge_after_error),   cmocka_unit_test(test_hedge_budget),
        cmocka_unit_test(test_outlier_dead_server), cmocka_unit_test(test_outlier_lengths),
        cmocka_unit_test(test_outlier_max_percent), cmocka_unit_test(test_outlier_decay), cmocka_unit_test(test_timeout_then_immediate_retry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
