/* test_overload.c - overload control against exact values (issue 13).
 *
 * Each simulated mean is compared with a value derived independently here,
 * within 3 CI half-widths (plus a stated allowance where the derivation is a
 * limit).  Derivations are in the comments above each test.
 */
#include "tests/testutil.h"
#include "tests/simtest.h"

#include "app/sweep_outcome.h"
#include "models/limit.h"
#include "models/throttle.h"

#include <math.h>

/* One FIFO server (exponential service, rate mu), Poisson arrivals (lambda),
 * every request waits at most D before service (queue_timeout), no client
 * timeout, no retry.  Served attempts are exactly those whose virtual waiting
 * time V (the work found ahead) is <= D, so the shed fraction is P(V > D) of
 * M/M/1+D.  Level crossing for the density f of V: below D, f'(x) = (lambda -
 * mu) f(x) with f(0+) = lambda pi0; above D nothing is added, f(x) = f(D)
 * e^{-mu (x - D)}.  Normalising gives
 *     pi0 = (1 - rho) / (1 - rho^2 E),  E = e^{-(mu - lambda) D},
 *     P(shed) = f(D)/mu = rho (1 - rho) E / (1 - rho^2 E),
 * valid for rho > 1 too (Baccelli, Boyer and Hebuterne 1984). */
static double mm1d_shed(double lambda, double mu, double d)
{
    double rho = lambda / mu, e = exp(-(mu - lambda) * d);
    return rho * (1 - rho) * e / (1 - rho * rho * e);
}

static void check_mm1d(double lambda, double mu, double d, uint64_t seed)
{
    scenario s;
    st_scenario(&s, 1, 1, 3000, 16, seed);
    s.warmup = 100;
    s.pools[0].service = st_exp(mu);
    s.pools[0].admission.queue_timeout = d;
    s.clients[0].arrival.rate = lambda;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    double want = mm1d_shed(lambda, mu, d);
    print_message("M/M/1+D lambda %.3g mu %.3g D %.3g: P(shed) = %.6f\n", lambda, mu, d, want);
    assert_agrees(results_pool_stat(&r, 0, PM_SHED_FRACTION), want, 3, 0);
    assert_agrees(results_caller_stat(&r, 0, CM_CAUSE_SHED), want, 3, 0);
    assert_agrees(results_caller_stat(&r, 0, CM_REQUEST_SUCCESS), 1 - want, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

static void test_mm1_queue_timeout(void **state)
{
    (void)state;
    check_mm1d(1.7, 2.385, 0.6, 31);  /* rho = 0.71 */
    check_mm1d(3.1, 2.385, 0.4, 32);  /* rho = 1.30: stable only thanks to shedding */
}

/* c workers sharing one FIFO queue, every request waits at most D: M/M/c+D.
 * The wait V an arrival would have is 0 while a worker is free (states
 * j < c, pi_j ~ a^j/j!, a = lambda/mu); with all c busy it falls at rate 1
 * and an arrival that will be served (V < D) raises it by an Exp(c mu) (the
 * next departure after it starts; the attempts ahead that expire never hold
 * a worker).  Level crossing: f(x) = lambda pi_{c-1} e^{(lambda - c mu) x}
 * on (0, D], f(D) e^{-c mu (x - D)} above, so with E = e^{-(c mu - lambda) D}
 *     pi_0^{-1} = sum_{j<c} a^j/j! + a^{c-1}/(c-1)! lambda ((1 - E)/(c mu - lambda) + E/(c mu)),
 *     P(shed) = P(V > D) = lambda pi_{c-1} E / (c mu).
 * c = 1 gives the M/M/1+D value above. */
static double mmcd_shed(int c, double lambda, double mu, double d)
{
    double a = lambda / mu, e = exp(-(c * mu - lambda) * d), sum = 0, term = 1;
    for (int j = 0; j < c; j++) {
        sum += term; /* a^j/j! */
        if (j < c - 1)
            term *= a / (j + 1);
    }
    double inv = sum + term * lambda * ((1 - e) / (c * mu - lambda) + e / (c * mu));
    return lambda * term / inv * e / (c * mu);
}

static void test_mmc_queue_timeout(void **state)
{
    (void)state;
    static const struct { int c; double lambda, mu, d; uint64_t seed; } k[2] = {
        {3, 4.1, 1.3, 0.6, 33}, /* a = 3.15 > c: stable thanks to shedding */
        {4, 3.3, 1.1, 0.35, 34},
    };
    for (int i = 0; i < 2; i++) {
        scenario s;
        st_scenario(&s, 1, 1, 3000, 16, k[i].seed);
        s.warmup = 100;
        s.pools[0].workers = k[i].c;
        s.pools[0].service = st_exp(k[i].mu);
        s.pools[0].admission.queue_timeout = k[i].d;
        s.clients[0].arrival.rate = k[i].lambda;
        exec_result r;
        assert_int_equal(st_run(&r, &s), WORLD_DONE);
        double want = mmcd_shed(k[i].c, k[i].lambda, k[i].mu, k[i].d);
        stat_summary o = results_pool_stat(&r, 0, PM_SHED_FRACTION);
        print_message("M/M/%d+D lambda %.3g mu %.3g D %.3g: P(shed) = %.6f, simulated %.6f [%.6f, %.6f]\n",
                      k[i].c, k[i].lambda, k[i].mu, k[i].d, want, o.mean, o.lo, o.hi);
        assert_agrees(o, want, 3, 0);
        assert_agrees(results_caller_stat(&r, 0, CM_REQUEST_SUCCESS), 1 - want, 3, 0);
        exec_result_free(&r);
        scenario_free(&s);
    }
}

/* c workers, at most K attempts at the server (max_concurrency), Poisson
 * arrivals: the M/M/c/K loss system.  With a = lambda/mu, p_n is proportional
 * to a^n/n! for n <= c and to a^c/c! (a/c)^(n-c) above; an arrival is
 * rejected with probability p_K (PASTA).  K = c is Erlang B. */
static double mmck_block(double lambda, double mu, int c, int k)
{
    double a = lambda / mu, term = 1, sum = 1, last = 1;
    for (int n = 1; n <= k; n++) {
        term *= n <= c ? a / n : a / c;
        sum += term;
        last = term;
    }
    return last / sum;
}

static void check_mmck(double lambda, double mu, int c, int k, uint64_t seed)
{
    scenario s;
    st_scenario(&s, 1, 1, 2000, 16, seed);
    s.warmup = 50;
    s.pools[0].workers = c;
    s.pools[0].service = st_exp(mu);
    s.pools[0].max_concurrency = k;
    s.clients[0].arrival.rate = lambda;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    double want = mmck_block(lambda, mu, c, k);
    print_message("M/M/%d/%d lambda %.3g mu %.3g: blocking %.6f\n", c, k, lambda, mu, want);
    assert_agrees(results_caller_stat(&r, 0, CM_CAUSE_REJECTED), want, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

static void test_concurrency_limit_blocking(void **state)
{
    (void)state;
    check_mmck(4.1, 1.3, 3, 3, 41); /* Erlang B(3, 4.1/1.3 = 3.154) = 0.3642 */
    check_mmck(4.1, 1.3, 3, 7, 42);
}

/* SRE adaptive throttling under heavy overload.  The backend is one worker
 * with max_concurrency 1 (an M/M/1/1 loss system, rate mu): offered S per
 * second it accepts A = S mu / (S + mu).  The client offers lambda >> mu and
 * sends with probability 1 - p = (1 + K accepts)/(requests + 1) over its
 * window, so in steady state S = K A (to O(1/requests in the window)).
 * Together: A = mu (K - 1)/K, S = mu (K - 1), and the throttled fraction of
 * attempts is 1 - S/lambda; the success per request is A/lambda.  The window
 * (60 s, about 3000 requests) makes the 1/requests terms < 0.1%; the sent
 * rate fluctuates with the accept count (sd about 7%), which biases the
 * concave loss formula by about -0.1% of A: allowance 0.002 absolute. */
static void check_throttle(double lambda, double mu, double k, uint64_t seed)
{
    scenario s;
    st_scenario(&s, 1, 1, 2400, 10, seed);
    s.warmup = 300;
    s.pools[0].service = st_exp(mu);
    s.pools[0].max_concurrency = 1;
    s.clients[0].arrival.rate = lambda;
    s.clients[0].policy.throttle = (throttle_cfg){1, k, 60};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    double sent = mu * (k - 1), acc = sent / k;
    print_message("throttle K %.3g: sends %.4g/s for %.4g accepts/s of %.4g requests/s\n", k, sent, acc, lambda);
    assert_agrees(results_caller_stat(&r, 0, CM_THROTTLED_FRACTION), 1 - sent / lambda, 3, 0.002);
    assert_agrees(results_caller_stat(&r, 0, CM_REQUEST_SUCCESS), acc / lambda, 3, 0.002);
    assert_agrees(results_caller_stat(&r, 0, CM_CAUSE_REJECTED), (sent - acc) / lambda, 3, 0.002);
    exec_result_free(&r);
    scenario_free(&s);
}

static void test_throttle_k_fold(void **state)
{
    (void)state;
    check_throttle(50, 7.3, 2, 51);
    check_throttle(50, 7.3, 3, 52);
}

/* SRE throttling against a backend that fails each attempt with probability
 * q (error_rate, answered at once) and serves the rest: accepts are (1 - q)
 * of what is sent, so with a = k (1 - q) there is no "k-fold" balance.
 * Each request is sent with probability (1 + k A)/(R + 1) (R requests and A
 * accepts in the window; (R - k A)/(R + 1) > 0 whenever a < 1).  Linear in
 * A, so the mean sending rate s satisfies, in steady state,
 *     s = E[lambda / (R + 1)] + k E[lambda A / (R + 1)] = E[1/W_eff] (1 + ...) :
 * with R ~ Poisson(lambda W_eff), E[1/(R + 1)] = 1/(lambda W_eff) (to
 * e^{-lambda W_eff}) and E[A] = (1 - q) s W_eff: s = E[1/W_eff] + a s, i.e.
 *     s = E[1/W_eff] / (1 - a),
 * about 1/(1 - a) attempts per window.  The window is 39 whole buckets of
 * W/40 plus the current one's elapsed part u W/40, u uniform: E[1/W_eff] is
 * the mean of 40/((39 + u) W) over u, here by the midpoint rule (the library
 * uses the closed form 40 ln(40/39)/W).  Throttled fraction 1 - s/lambda.
 * The neglected terms are of relative order 1/(lambda W) = 0.1% of s.  With
 * a > 1 the window's accepts stay above R/k but for fluctuations
 * exponentially rare in lambda W (here A ~ Bin(1000, 0.6) < 500 is a 6.5
 * sd event): the throttle rejects nothing after its start-up. */
static double throttle_sent_share(double lambda, double w, double a)
{
    double m = 0;
    for (int i = 0; i < 1000; i++)
        m += 40 / ((39 + (i + 0.5) / 1000) * w) / 1000;
    return m / (1 - a) / lambda;
}

static void test_throttle_error_rate(void **state)
{
    (void)state;
    static const struct { double lambda, w, k, q; uint64_t seed; } c[3] = {
        {200, 5, 1.5, 0.5, 53}, /* a = 0.75: 4 attempts per window */
        {80, 12, 2, 0.6, 54},   /* a = 0.8 */
        {200, 5, 2, 0.4, 55},   /* a = 1.2: nothing throttled */
    };
    for (int i = 0; i < 3; i++) {
        scenario s;
        st_scenario(&s, 1, 1, 3000, 10, c[i].seed);
        s.warmup = 600; /* > 40 windows: a^40 < 1e-3 of the start-up is left */
        s.pools[0].workers = 100;
        s.pools[0].service = st_exp(100);
        s.pools[0].inject.error_rate = c[i].q;
        s.clients[0].arrival.rate = c[i].lambda;
        s.clients[0].policy.throttle = (throttle_cfg){1, c[i].k, c[i].w};
        exec_result r;
        assert_int_equal(st_run(&r, &s), WORLD_DONE);
        double a = c[i].k * (1 - c[i].q), want = a < 1 ? 1 - throttle_sent_share(c[i].lambda, c[i].w, a) : 0;
        stat_summary o = results_caller_stat(&r, 0, CM_THROTTLED_FRACTION);
        print_message("throttle k %.3g vs error rate %.3g (a = %.3g): throttled %.6f, simulated %.6f [%.6f, %.6f]\n",
                      c[i].k, c[i].q, a, want, o.mean, o.lo, o.hi);
        if (a < 1) {
            assert_agrees(o, want, 3, 0);
        } else {
            assert_true(o.n == 10);
            assert_true(o.mean == 0 && o.hi == 0);
        }
        exec_result_free(&r);
        scenario_free(&s);
    }
}

/* AIMD on a deterministic service: service time D = 1 s on enough workers
 * that nothing queues, so every RTT is exactly D (never a drop, never above
 * the 5 s timeout).  A client with a client-side AIMD limit (initial 10,
 * max 160) offers 2000 requests/s, so slots refill within a millisecond.
 * Round 1 is exact: the first 10 admissions carry inflight 1..10 and
 * complete in that order one second later; the rule "+1 when 2 inflight >=
 * limit" first holds at inflight 5 and then for every later sample (both
 * sides grow by one per step), so the limit becomes 10 + floor(10/2) + 1 =
 * 16.  Every later round adds at least as much (floor(L/2) + 1), so the
 * limit is at its maximum 160 before t = 8 s (it gets there at about 6.5 s);
 * with no drop it never leaves it, so the time average over [10, 20) s is
 * exactly 160, and the throughput is 160 requests per D. */
static void test_aimd_trajectory(void **state)
{
    (void)state;
    scenario s;
    st_scenario(&s, 1, 1, 20, 4, 61);
    s.warmup = 10;
    s.pools[0].workers = 1000;
    s.pools[0].service = st_det(1.0);
    s.clients[0].arrival.rate = 2000;
    limit_cfg_defaults(&s.clients[0].policy.limit, LIMIT_AIMD);
    s.clients[0].policy.limit.initial = 10;
    s.clients[0].policy.limit.min = 1;
    s.clients[0].policy.limit.max = 160;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_caller_stat(&r, 0, CM_CONCURRENCY_LIMIT), 160, 0, 1e-9);
    stat_summary thr = results_caller_stat(&r, 0, CM_THROUGHPUT);
    assert_close(thr.mean, 160, 1.0); /* 160 per second once the pipe is full (+- edge effects) */
    exec_result_free(&r);
    scenario_free(&s);

    /* round 1 on the limiter itself: samples with inflight 1..10 */
    limit_cfg cfg;
    limit_cfg_defaults(&cfg, LIMIT_AIMD);
    cfg.initial = 10, cfg.min = 1, cfg.max = 160;
    limiter l;
    assert_int_equal(limiter_init(&l, &cfg), 0);
    limiter_reset(&l, 0, NULL);
    for (int j = 1; j <= 10; j++)
        limiter_sample(&l, 1.0, 1.0, j, 0, NULL);
    assert_int_equal(limiter_current(&l), 16);
    /* a full pipe (every sample carries inflight = limit) doubles per round */
    limiter_reset(&l, 0, NULL);
    int want[] = {20, 40, 80, 160, 160};
    for (int round = 0; round < 5; round++) {
        int n = limiter_current(&l);
        for (int i = 0; i < n; i++)
            limiter_sample(&l, round + 1.0, 1.0, n, 0, NULL);
        assert_int_equal(limiter_current(&l), want[round]);
    }
    /* a drop: x 0.9, floor (160 -> 144), then a timeout-length RTT (> 5 s) */
    limiter_sample(&l, 6, 1.0, 160, 1, NULL);
    assert_int_equal(limiter_current(&l), 144);
    limiter_sample(&l, 7, 5.5, 144, 0, NULL);
    assert_int_equal(limiter_current(&l), 129);
    limiter_free(&l);
}

/* The throttle's window and the token bucket, by hand. */
static void test_gates_units(void **state)
{
    (void)state;
    throttle t;
    throttle_cfg tc = {1, 2, 40}; /* 40 buckets of 1 s */
    throttle_init(&t, &tc);
    for (int i = 0; i < 10; i++)
        throttle_on_request(&t, 0.5);
    for (int i = 0; i < 3; i++)
        throttle_on_accept(&t, 0.5);
    assert_close(throttle_reject_p(&t, 0.9), (10 - 2 * 3) / 11.0, 1e-12);
    assert_close(throttle_reject_p(&t, 39.5), (10 - 2 * 3) / 11.0, 1e-12); /* still inside */
    assert_close(throttle_reject_p(&t, 40.5), 0, 1e-12);                   /* slid out */
    rate_limit_cfg rc = {1, 10, 2, 0.25};
    tbucket b;
    tbucket_init(&b, &rc);
    assert_close(tbucket_reserve(&b, 0), 0, 0);   /* 2 tokens to start */
    assert_close(tbucket_reserve(&b, 0), 0, 0);
    assert_close(tbucket_reserve(&b, 0), 0.1, 1e-12); /* waits for the next one */
    assert_close(tbucket_reserve(&b, 0), 0.2, 1e-12);
    assert_close(tbucket_reserve(&b, 0), -1, 0);      /* 0.3 s > max_wait */
    assert_close(tbucket_reserve(&b, 1.0), 0, 1e-12);
}

/* Clopper-Pearson 95% intervals against published table values (k = 5 of
 * 10: [0.1871, 0.8129]; k = 1 of 20: [0.00127, 0.2487]) and the closed
 * forms at the edges (0 of n: [0, 1 - 0.025^(1/n)]). */
static void test_outcome_interval(void **state)
{
    (void)state;
    double lo, hi;
    sweep_outcome_ci(5, 10, &lo, &hi);
    assert_close(lo, 0.187086, 5e-6);
    assert_close(hi, 0.812914, 5e-6);
    sweep_outcome_ci(1, 20, &lo, &hi);
    assert_close(lo, 0.001265, 5e-6);
    assert_close(hi, 0.248733, 5e-6);
    sweep_outcome_ci(0, 7, &lo, &hi);
    assert_close(lo, 0, 0);
    assert_close(hi, 1 - pow(0.025, 1.0 / 7), 1e-12);
    sweep_outcome_ci(0, 0, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mm1_queue_timeout),
        cmocka_unit_test(test_mmc_queue_timeout),
        cmocka_unit_test(test_concurrency_limit_blocking),
        cmocka_unit_test(test_throttle_k_fold),
        cmocka_unit_test(test_throttle_error_rate),
        cmocka_unit_test(test_aimd_trajectory),
        cmocka_unit_test(test_gates_units),
        cmocka_unit_test(test_outcome_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
