/* test_workload.c - workload features (issue 15) against exact values:
 * fault injection, silent drops, mixtures, load schedules.
 *
 * Each check compares a simulated mean with a closed form derived here,
 * within 3 CI half-widths (fixed seeds), unless the quantity is exact.
 */
#include "tests/testutil.h"
#include "tests/simtest.h"

#include <math.h>

/* error_rate p on every attempt, n attempts, no backoff: the attempts fail
 * independently, so P(success) = 1 - p^n, whether the injected error fails
 * fast or hangs until the timeout (the retry then goes out).  Light load
 * (many workers): nothing else fails. */
static void check_error_rate(failure_mode kind, double p, int n, uint64_t seed)
{
    scenario s;
    st_scenario(&s, 1, 1, 2000, 10, seed);
    s.pools[0].workers = 100;
    s.pools[0].service = st_exp(10);
    s.pools[0].inject = (inject_cfg){.error_rate = p, .error_kind = kind};
    s.clients[0].arrival.rate = 5;
    s.clients[0].policy.retry.max_attempts = n;
    s.clients[0].policy.timeout = kind == FAIL_HANG ? 5 : 0;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_caller_stat(&r, 0, CM_REQUEST_SUCCESS), 1 - pow(p, n), 3, 0);
    /* attempts per request: E = sum_{k<n} p^k = (1 - p^n)/(1 - p) */
    assert_agrees(results_caller_stat(&r, 0, CM_ATTEMPTS_PER_REQUEST), (1 - pow(p, n)) / (1 - p), 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

static void test_error_rate_retries(void **state)
{
    (void)state;
    check_error_rate(FAIL_FAST, 0.3, 1, 31);
    check_error_rate(FAIL_FAST, 0.3, 3, 32);
    check_error_rate(FAIL_HANG, 0.5, 2, 33);
}

/* Latency injection: a fraction f of attempts held d before the server; with
 * 1000 workers nobody queues, so the mean latency is E[S] + f d exactly. */
static void test_latency_injection(void **state)
{
    (void)state;
    double f = 0.2, d = 0.5, es = 0.1;
    scenario s;
    st_scenario(&s, 1, 1, 2000, 10, 41);
    s.pools[0].workers = 1000;
    s.pools[0].service = st_exp(1 / es);
    s.pools[0].inject = (inject_cfg){.latency_fraction = f, .latency = st_det(d)};
    s.clients[0].arrival.rate = 10;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_caller_stat(&r, 0, CM_LATENCY_MEAN), es + f * d, 3, 0);
    assert_agrees(results_caller_stat(&r, 0, CM_REQUEST_SUCCESS), 1, 0, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* An inject event switches error_rate p on for [a, a + len): with one
 * attempt per request P(success) = 1 - p len / H (Poisson arrivals are
 * uniform over the window). */
static void test_inject_event(void **state)
{
    (void)state;
    double p = 0.8, a = 200, len = 300, H = 1000;
    scenario s;
    st_scenario(&s, 1, 1, H, 10, 43);
    s.pools[0].workers = 100;
    s.pools[0].service = st_exp(10);
    s.clients[0].arrival.rate = 20;
    s.nevents = 1;
    s.events = calloc(1, sizeof *s.events);
    s.events[0] = (event_cfg){.kind = EVENT_INJECT, .at = a, .duration = len, .pool = 0,
                              .inject = {.error_rate = p}};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_caller_stat(&r, 0, CM_REQUEST_SUCCESS), 1 - p * len / H, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* A silent drop costs exactly the timeout.  One server with one worker and
 * a queue of one, busy for longer than the horizon: the first two requests
 * fill it for good, and every later attempt is dropped.  U closed-loop users
 * with a deterministic think time Th and timeout T then cycle in exactly
 * Th + T (drop) instead of Th (reject): each user ends floor(H/(Th+T))
 * requests, all by timeout. */
static void check_full(full_action act, double expect_per_user)
{
    int U = 5;
    double Th = 1, T = 2.5, H = 100.5; /* no request ends exactly at H */
    scenario s;
    st_scenario(&s, 1, 1, H, 2, 51);
    s.pools[0].queue_limit = 1;
    s.pools[0].on_full = act;
    s.pools[0].service = st_det(1e6);
    s.clients[0].arrival = (arrival_cfg){.process = ARRIVAL_CLOSED, .users = U, .think = st_det(Th)};
    s.clients[0].policy.timeout = T;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    stat_summary n = results_caller_stat(&r, 0, CM_REQUESTS);
    assert_close(n.mean, U * expect_per_user, 1e-9);
    assert_close(n.sd, 0, 1e-9);
    assert_close(results_caller_stat(&r, 0, CM_REQUEST_SUCCESS).mean, 0, 1e-12);
    exec_result_free(&r);
    scenario_free(&s);
}

static void test_silent_drop(void **state)
{
    (void)state;
    check_full(FULL_DROP, floor(100.5 / 3.5));
    /* reject: the two users that filled the server time out once (Th + T),
     * then like the other three are refused at once every Th:
     * (2 (1 + floor((H - Th - T)/Th)) + 3 floor(H/Th)) / U */
    check_full(FULL_REJECT, (2 * (1 + floor(97.0)) + 3 * floor(100.5)) / 5);
}

/* Mixture service 0.9 x det(0.1) + 0.1 x det(1.0) in an M/G/1 queue:
 * Pollaczek-Khinchine W = E[S] + lambda E[S^2] / (2 (1 - rho)) with
 * E[S] = 0.19, E[S^2] = 0.9 x 0.01 + 0.1 x 1 = 0.109. */
static void test_mixture_mg1(void **state)
{
    (void)state;
    double lam = 2, es = 0.19, es2 = 0.109, rho = lam * es;
    scenario s;
    st_scenario(&s, 1, 1, 20000, 10, 61);
    s.warmup = 100;
    dist_cfg *d = &s.pools[0].service;
    memset(d, 0, sizeof *d);
    d->kind = DIST_MIXTURE;
    d->ncomp = 2;
    d->cum[0] = 0.9;
    d->cum[1] = 1;
    d->comp[0] = (dist_leaf){.kind = DIST_DETERMINISTIC, .value = 0.1};
    d->comp[1] = (dist_leaf){.kind = DIST_DETERMINISTIC, .value = 1.0};
    assert_close(dist_mean(d), es, 1e-12);
    s.clients[0].arrival.rate = lam;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_caller_stat(&r, 0, CM_LATENCY_MEAN), es + lam * es2 / (2 * (1 - rho)), 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Arrivals of a non-homogeneous Poisson process: E[N(a, b)] = integral of
 * the rate.  The pool counts arrivals after the warm-up. */
static stat_summary arrivals_of(scenario *s)
{
    exec_result r;
    assert_int_equal(st_run(&r, s), WORLD_DONE);
    stat_summary n = results_pool_stat(&r, 0, PM_ARRIVALS);
    exec_result_free(&r);
    return n;
}

static void test_schedule_ramp(void **state)
{
    (void)state;
    /* rate 0 until 20, ramp to 50 at 100, flat 50 after; window [10, 150]:
     * integral = 0 + 50 x 80 / 2 + 50 x 50 = 4500 */
    scenario s;
    st_scenario(&s, 1, 1, 150, 20, 71);
    s.warmup = 10;
    s.pools[0].workers = 1000;
    s.pools[0].service = st_exp(100);
    arrival_cfg *a = &s.clients[0].arrival;
    a->nsched = 2;
    a->sched = calloc(2, sizeof *a->sched);
    a->sched[0] = (sched_point){20, 0};
    a->sched[1] = (sched_point){100, 50};
    a->rate = 0;
    assert_agrees(arrivals_of(&s), 4500, 3, 0);
    scenario_free(&s);
}

static void test_periodic_and_zero_load(void **state)
{
    (void)state;
    /* periodic: r (1 + A cos(2 pi (t - t0)/P)); integral over [0, H] =
     * r H + r A P/(2 pi) (sin(2 pi (H - t0)/P) - sin(-2 pi t0/P)) */
    double r = 10, A = 0.8, P = 40, t0 = 5, H = 110;
    scenario s;
    st_scenario(&s, 1, 1, H, 20, 73);
    s.pools[0].workers = 1000;
    s.pools[0].service = st_exp(100);
    arrival_cfg *a = &s.clients[0].arrival;
    a->rate = r;
    a->period = P;
    a->amplitude = A;
    a->peak_at = t0;
    double expect = r * H + r * A * P / (2 * M_PI) * (sin(2 * M_PI * (H - t0) / P) - sin(-2 * M_PI * t0 / P));
    assert_agrees(arrivals_of(&s), expect, 3, 0);
    /* a load event of multiplier 0 over [20, 50), and x3 over [40, 60)
     * overlapping it: constant rate 10 gives 10 (110 - 30) + 2 x 10 x 10 */
    a->period = 0;
    s.nevents = 2;
    s.events = calloc(2, sizeof *s.events);
    s.events[0] = (event_cfg){.kind = EVENT_LOAD, .at = 20, .duration = 30, .client = 0, .multiplier = 0};
    s.events[1] = (event_cfg){.kind = EVENT_LOAD, .at = 40, .duration = 20, .client = 0, .multiplier = 3};
    assert_agrees(arrivals_of(&s), 10 * 80 + 2 * 10 * 10, 3, 0);
    scenario_free(&s);
}

/* service_slowdown on a FIFO pool with enough workers that nobody queues:
 * U closed-loop users with a deterministic think time 1 arrive together at
 * t = 1; the k-th to start finds k attempts in service, so its service time
 * is D f(k).  Horizon 3.5: only that first round ends (ends <= 3, the next
 * round starts at >= 3 and lasts >= 1), and the mean latency
 * is D x mean of f(1..U) exactly. */
static double slowdown_round(const slowdown_cfg *sd)
{
    scenario s;
    st_scenario(&s, 1, 1, 3.5, 2, 81);
    s.pools[0].workers = 100;
    s.pools[0].service = st_det(1);
    s.pools[0].slowdown = *sd;
    s.clients[0].arrival = (arrival_cfg){.process = ARRIVAL_CLOSED, .users = 5, .think = st_det(1)};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_close(results_caller_stat(&r, 0, CM_REQUESTS).mean, 5, 0);
    double m = results_caller_stat(&r, 0, CM_LATENCY_MEAN).mean;
    exec_result_free(&r);
    scenario_free(&s);
    return m;
}

static void test_slowdown_fifo(void **state)
{
    (void)state;
    slowdown_cfg k = {.per_request = 0.1};
    assert_close(slowdown_round(&k), (1 + 1.1 + 1.2 + 1.3 + 1.4) / 5, 1e-12);
    /* table: f(1) = 1, f(2) = 1.5 (linear), f(3..) = 2 (flat after the last point) */
    slowdown_cfg t = {.npoints = 2, .n = {1, 3}, .factor = {1, 2}};
    assert_close(slowdown_round(&t), (1 + 1.5 + 2 + 2 + 2) / 5.0, 1e-12);
}

/* M/G/1-PS: the mean response time is E[S]/(1 - rho) whatever the service
 * distribution (Kleinrock; insensitivity).  Deterministic D = 1 at
 * lambda = 0.6 gives 2.5, and so does a two-point mixture with the same
 * mean (0.9 x 0.5 + 0.1 x 5.5), for which FIFO would give
 * Pollaczek-Khinchine's 1 + 0.6 x 3.25 / 0.8 = 3.44. */
static void check_ps(const dist_cfg *svc, double lam, double expect, uint64_t seed)
{
    scenario s;
    st_scenario(&s, 1, 1, 20000, 10, seed);
    s.warmup = 200;
    s.pools[0].discipline = DISC_PS;
    s.pools[0].service = *svc;
    s.clients[0].arrival.rate = lam;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_caller_stat(&r, 0, CM_LATENCY_MEAN), expect, 3, 0);
    /* PS keeps the FIFO convention: busy (0/1) + queue = number at the server */
    assert_agrees(results_pool_stat(&r, 0, PM_BUSY_SERVERS), lam * dist_mean(svc), 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

static void test_ps_md1(void **state)
{
    (void)state;
    dist_cfg d = st_det(1);
    check_ps(&d, 0.6, 1 / (1 - 0.6), 91);
    dist_cfg m = {.kind = DIST_MIXTURE, .ncomp = 2, .cum = {0.9, 1}};
    m.comp[0] = (dist_leaf){.kind = DIST_DETERMINISTIC, .value = 0.5};
    m.comp[1] = (dist_leaf){.kind = DIST_DETERMINISTIC, .value = 5.5};
    check_ps(&m, 0.6, 1 / (1 - 0.6), 92);
}

/* PS with slowdown and exponential work (rate mu): with n present the
 * server completes work at total rate mu / f(n), a birth-death chain with
 * p_n = p_0 prod_{k=1..n} lambda f(k) / mu.  Mean response = L / lambda
 * (Little).  Table f: 1 at n = 1 rising linearly to 1.4 at n = 5, flat after. */
static void test_ps_slowdown(void **state)
{
    (void)state;
    double lam = 0.5, mu = 1;
    slowdown_cfg sd = {.npoints = 2, .n = {1, 5}, .factor = {1, 1.4}};
    double w = 1, sum = 1, L = 0;
    for (int n = 1; n < 5000; n++) {
        double f = n >= 5 ? 1.4 : 1 + 0.1 * (n - 1);
        w *= lam * f / mu;
        sum += w;
        L += n * w;
    }
    scenario s;
    st_scenario(&s, 1, 1, 40000, 10, 95);
    s.warmup = 200;
    s.pools[0].discipline = DISC_PS;
    s.pools[0].service = st_exp(mu);
    s.pools[0].slowdown = sd;
    s.clients[0].arrival.rate = lam;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_caller_stat(&r, 0, CM_LATENCY_MEAN), L / sum / lam, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Network: at light load (1000 workers, nobody queues) the latency is the
 * request's delay + service + the answer's delay: 2 d + E[S] exactly with a
 * deterministic delay d. */
static void test_network_latency(void **state)
{
    (void)state;
    double d = 0.03, es = 0.05;
    scenario s;
    st_scenario(&s, 1, 1, 2000, 10, 101);
    s.pools[0].workers = 1000;
    s.pools[0].service = st_exp(1 / es);
    s.clients[0].arrival.rate = 10;
    s.clients[0].policy.network = (network_cfg){.enabled = 1, .delay = st_det(d)};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_caller_stat(&r, 0, CM_LATENCY_MEAN), 2 * d + es, 3, 0);
    assert_close(results_caller_stat(&r, 0, CM_NETWORK_LOST).mean, 0, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Loss q per message, independent: an attempt succeeds iff its request and
 * its answer both arrive, (1 - q)^2; with n attempts (a lost one ends at its
 * timeout, then the retry goes) P(success) = 1 - (1 - (1 - q)^2)^n.  The
 * lost fraction of messages is q. */
static void test_network_loss(void **state)
{
    (void)state;
    double q = 0.2, a = (1 - q) * (1 - q);
    for (int n = 1; n <= 3; n += 2) {
        scenario s;
        st_scenario(&s, 1, 1, 2000, 10, 103 + (uint64_t)n);
        s.pools[0].workers = 1000;
        s.pools[0].service = st_exp(20);
        s.clients[0].arrival.rate = 10;
        s.clients[0].policy.timeout = 2;
        s.clients[0].policy.retry.max_attempts = n;
        s.clients[0].policy.network = (network_cfg){.enabled = 1, .delay = st_exp(100), .loss = q};
        exec_result r;
        assert_int_equal(st_run(&r, &s), WORLD_DONE);
        assert_agrees(results_caller_stat(&r, 0, CM_REQUEST_SUCCESS), 1 - pow(1 - a, n), 3, 0);
        assert_agrees(results_caller_stat(&r, 0, CM_NETWORK_LOST), q, 3, 0);
        exec_result_free(&r);
        scenario_free(&s);
    }
}

/* A partition of the client's link over [a, a + len): with no network
 * delay, an attempt sent at t fails iff t is inside the window, or t < a and
 * its answer (at t + S) falls inside it.  Over a uniform arrival time the
 * failing fraction is (len + E[min(S, len)]) / H, and for S ~ Exp(mu),
 * E[min(S, len)] = (1 - e^{-mu len}) / mu. */
static void test_partition(void **state)
{
    (void)state;
    double a = 300, len = 200, H = 1000, mu = 0.5;
    scenario s;
    st_scenario(&s, 1, 1, H, 10, 107);
    s.pools[0].workers = 1000;
    s.pools[0].service = st_exp(mu);
    s.clients[0].arrival.rate = 5;
    s.clients[0].policy.timeout = 1000; /* fails (never early: timeouts only end lost ones) */
    s.nevents = 1;
    s.events = calloc(1, sizeof *s.events);
    s.events[0] = (event_cfg){.kind = EVENT_PARTITION, .at = a, .duration = len, .client = 0, .pool = -1};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    /* requests that time out after H are not ended: count failures over
     * requests sent, i.e. 1 - successes / (rate x H) */
    double fail = (len + (1 - exp(-mu * len)) / mu) / H;
    assert_agrees(results_caller_stat(&r, 0, CM_THROUGHPUT), 5 * (1 - fail), 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* AWS retry quota with every attempt failing (error_rate 1): no success
 * ever refunds, so exactly initial / retry_cost = 100 retries are granted.
 * One closed-loop user with think time 1 (failures are instant) ends
 * exactly 1000 requests by t = 1000.5: attempts per request 1.1. */
static void test_retry_quota_drain(void **state)
{
    (void)state;
    scenario s;
    st_scenario(&s, 1, 1, 1000.5, 2, 111);
    s.pools[0].inject = (inject_cfg){.error_rate = 1};
    s.clients[0].arrival = (arrival_cfg){.process = ARRIVAL_CLOSED, .users = 1, .think = st_det(1)};
    s.clients[0].policy.retry.max_attempts = 2;
    s.clients[0].policy.retry.budget = (budget_cfg){.kind = BUDGET_QUOTA, .initial = 500, .retry_cost = 5,
                                                    .timeout_cost = 10, .success_deposit = 1, .refund = 1};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_close(results_caller_stat(&r, 0, CM_REQUESTS).mean, 1000, 0);
    assert_close(results_caller_stat(&r, 0, CM_ATTEMPTS_PER_REQUEST).mean, 1.1, 1e-12);
    assert_close(results_caller_stat(&r, 0, CM_RETRIES_DROPPED_BY_BUDGET).mean, 0.9, 1e-12);
    exec_result_free(&r);
    scenario_free(&s);
}

/* AWS retry quota in balance: error_rate p, two attempts.  Per request the
 * balance gains 1 for a first-try success (prob 1 - p) and, for a granted
 * retry (a fraction g of the p that want one), loses 5 and gets 5 back if
 * the retry succeeds: drift (1 - p) - 5 g p^2.  For p = 0.5 the drift at
 * g = 1 is negative, so the balance sits near empty and conservation gives
 * g = (1 - p)/(5 p^2) = 0.4, P(success) = (1 - p) + p g (1 - p) = 0.6. */
static void test_retry_quota_balance(void **state)
{
    (void)state;
    double p = 0.5, g = (1 - p) / (5 * p * p);
    scenario s;
    st_scenario(&s, 1, 1, 20000, 10, 113);
    s.warmup = 2000; /* the initial 500 drain at 0.75 per request, 20 requests/s */
    s.pools[0].workers = 100;
    s.pools[0].service = st_exp(100);
    s.pools[0].inject = (inject_cfg){.error_rate = p};
    s.clients[0].arrival.rate = 20;
    s.clients[0].policy.retry.max_attempts = 2;
    s.clients[0].policy.retry.budget = (budget_cfg){.kind = BUDGET_QUOTA, .initial = 500, .retry_cost = 5,
                                                    .timeout_cost = 10, .success_deposit = 1, .refund = 1};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_caller_stat(&r, 0, CM_REQUEST_SUCCESS), (1 - p) + p * g * (1 - p), 3, 0);
    assert_agrees(results_caller_stat(&r, 0, CM_ATTEMPTS_PER_REQUEST), 1 + p * g, 3, 0.001);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Retry-only breaker above its threshold: with half of all attempts failing
 * (0.5 > 0.1) no retry goes out once the window has seen a failure, while
 * every first attempt still does: success = 1 - p, ~1 attempt per request. */
static void test_retry_breaker(void **state)
{
    (void)state;
    scenario s;
    st_scenario(&s, 1, 1, 2000, 10, 117);
    s.warmup = 10;
    s.pools[0].workers = 100;
    s.pools[0].service = st_exp(100);
    s.pools[0].inject = (inject_cfg){.error_rate = 0.5};
    s.clients[0].arrival.rate = 20;
    s.clients[0].policy.retry.max_attempts = 4;
    s.clients[0].policy.retry.budget = (budget_cfg){.kind = BUDGET_BREAKER, .window = 100, .failure_rate = 0.1};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(results_caller_stat(&r, 0, CM_REQUEST_SUCCESS), 0.5, 3, 0);
    assert_true(results_caller_stat(&r, 0, CM_ATTEMPTS_PER_REQUEST).mean < 1.001);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Fan-out at light load: N round-robin leaves to N servers with enough
 * workers that nobody queues; a leaf is slow (1 s) with probability q, else
 * fast (0.01 s).  The fan-in time is slow iff fewer than K leaves are fast,
 * i.e. more than N - K are slow: P(slow) = P(Bin(N, q) > N - K), so the mean
 * latency is 0.01 + 0.99 P(slow) exactly.  All of N: 1 - (1 - q)^N; first:
 * q^N. */
static double binom_upper(int n, int m, double q) /* P(Bin(n, q) > m) */
{
    double p = 0;
    for (int k = m + 1; k <= n; k++)
        p += exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(q) + (n - k) * log1p(-q));
    return p;
}

static void check_fanout(int N, int K, double q, uint64_t seed)
{
    scenario s;
    st_scenario(&s, 1, 1, 2000, 10, seed);
    s.pools[0].servers = N;
    s.pools[0].workers = 200;
    dist_cfg *d = &s.pools[0].service;
    memset(d, 0, sizeof *d);
    *d = (dist_cfg){.kind = DIST_MIXTURE, .ncomp = 2, .cum = {1 - q, 1}};
    d->comp[0] = (dist_leaf){.kind = DIST_DETERMINISTIC, .value = 0.01};
    d->comp[1] = (dist_leaf){.kind = DIST_DETERMINISTIC, .value = 1.0};
    s.clients[0].arrival.rate = 5;
    s.clients[0].policy.balancer = BAL_ROUND_ROBIN;
    s.clients[0].policy.fanout = (fanout_cfg){.count = N, .wait_for = K};
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    double slow = binom_upper(N, N - K, q);
    assert_agrees(results_caller_stat(&r, 0, CM_LATENCY_MEAN), 0.01 + 0.99 * slow, 3, 0);
    assert_agrees(results_caller_stat(&r, 0, CM_REQUEST_SUCCESS), 1, 0, 0);
    if (K == N) /* every leaf ends: their mean latency is the service mean */
        assert_agrees(results_caller_stat(&r, 0, CM_LEAF_LATENCY_MEAN), 0.01 * (1 - q) + q, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

static void test_fanout_tail(void **state)
{
    (void)state;
    assert_close(binom_upper(10, 0, 0.05), 1 - pow(0.95, 10), 1e-12);
    check_fanout(10, 10, 0.05, 121); /* all: 1 - 0.95^10 = 0.401 */
    check_fanout(10, 8, 0.05, 122);  /* 8 of 10: P(Bin(10, .05) > 2) = 0.0115 */
    check_fanout(4, 1, 0.3, 123);    /* first: 0.3^4 = 0.0081 */
}

/* Per-leaf failures: error_rate p, one attempt per leaf.  All of N succeed
 * with (1 - p)^N; K of N with P(Bin(N, 1 - p) >= K) = P(Bin(N, p) <= N - K).
 * (leaf_success is not 1 - p: a request that can no longer succeed stops
 * sending and abandons its remaining leaves, which are not counted.) */
static void test_fanout_failures(void **state)
{
    (void)state;
    double p = 0.1;
    for (int K = 5; K >= 3; K -= 2) {
        scenario s;
        st_scenario(&s, 1, 1, 2000, 10, 125 + (uint64_t)K);
        s.pools[0].servers = 5;
        s.pools[0].workers = 200;
        s.pools[0].service = st_exp(100);
        s.pools[0].inject = (inject_cfg){.error_rate = p};
        s.clients[0].arrival.rate = 10;
        s.clients[0].policy.fanout = (fanout_cfg){.count = 5, .wait_for = K};
        exec_result r;
        assert_int_equal(st_run(&r, &s), WORLD_DONE);
        assert_agrees(results_caller_stat(&r, 0, CM_REQUEST_SUCCESS), 1 - binom_upper(5, 5 - K, p), 3, 0);
        exec_result_free(&r);
        scenario_free(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_rate_retries), cmocka_unit_test(test_latency_injection),
        cmocka_unit_test(test_inject_event),       cmocka_unit_test(test_silent_drop),
        cmocka_unit_test(test_mixture_mg1),        cmocka_unit_test(test_schedule_ramp),
        cmocka_unit_test(test_periodic_and_zero_load), cmocka_unit_test(test_slowdown_fifo),
        cmocka_unit_test(test_ps_md1),             cmocka_unit_test(test_ps_slowdown),
        cmocka_unit_test(test_network_latency),    cmocka_unit_test(test_network_loss),
        cmocka_unit_test(test_partition),          cmocka_unit_test(test_retry_quota_drain),
        cmocka_unit_test(test_retry_quota_balance), cmocka_unit_test(test_retry_breaker),
        cmocka_unit_test(test_fanout_tail),        cmocka_unit_test(test_fanout_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
