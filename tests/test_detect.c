/* test_detect.c - health checking, panic mode, liveness and standby spares
 * in simulation against exact values derived here.
 *
 * Tolerances: 3 CI half-widths at fixed seeds (plus a stated allowance where
 * a value is a limit).
 */
#include "tests/testutil.h"
#include "tests/simtest.h"
#include "models/analytic.h"

#include <math.h>
#include <string.h>

/* Copy each replication's whole record to CTX + rep * total. */
static void keep_record(void *ctx, int rep, const rec_layout *L, const double *rec)
{
    memcpy((double *)ctx + (size_t)rep * L->total, rec, L->total * sizeof *rec);
}

static stat_summary cstat(const exec_result *r, int c, int m) { return results_caller_stat(r, c, m); }
static stat_summary pstat(const exec_result *r, int m) { return results_pool_stat(r, 0, m); }

static health_cfg hc(double interval, double timeout, int unhealthy, int healthy, double panic)
{
    return (health_cfg){1, interval, 0, timeout, unhealthy, healthy, PROBE_DIRECT, panic};
}

/* Mismatch fractions.  A server alternates UP ~ Exp(l) and DOWN ~ Exp(m)
 * (A = m/(l+m)); direct probes every I with thresholds 1 and fail_fast
 * answers take no time, so the belief is the state at the last probe, which
 * was U ~ U(0, I) ago (the probe grid's phase is uniform and independent of
 * the server).  With the two-state transition probability
 * P(DOWN at t+u | UP at t) = (1-A)(1 - e^{-(l+m)u}), averaging over u:
 *     P(DOWN now, believed UP) = A (1-A) (1 - (1 - e^{-(l+m)I}) / ((l+m)I))
 * and P(UP now, believed DOWN) is the same expression with the roles of UP
 * and DOWN exchanged, which is symmetric in A and 1-A. */
static void test_mismatch_fractions(void **state)
{
    (void)state;
    double l = 0.05, m = 0.2, I = 2.385, lm = l + m, A = m / lm;
    double exact = A * (1 - A) * (1 - (1 - exp(-lm * I)) / (lm * I));
    scenario s;
    st_scenario(&s, 1, 1, 20000, 10, 401);
    s.warmup = 100;
    s.pools[0].servers = 10;
    s.pools[0].service = st_exp(100);
    s.pools[0].failure = st_exp(l);
    s.pools[0].repair = st_exp(m);
    s.clients[0].arrival.rate = 1;
    s.clients[0].policy.health = hc(I, 1, 1, 1, 0);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(cstat(&r, 0, CM_UNDETECTED_DOWN_FRACTION), exact, 3, 0);
    assert_agrees(cstat(&r, 0, CM_EJECTED_UP_FRACTION), exact, 3, 0);
    /* results are immediate, so each server is probed exactly every I */
    assert_agrees(cstat(&r, 0, CM_PROBE_RATE), 10 / I, 3, 1e-3);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Detection delay with unhealthy_threshold F = 3, healthy_threshold H = 2,
 * direct probes every I = 1, fail_fast, failures Exp(l = 0.01), repairs a
 * deterministic 10.37 s > F I (so every failure is detected, and every
 * recovery too: 1/l >> H I).  Probe results are immediate, so probes keep a
 * fixed grid of period I.  A server is believed healthy again at a probe,
 * and fails Exp(l) later (memoryless), so the failure's phase x after the
 * last probe has density ~ e^{-l x} on [0, I) and the first failed probe
 * comes U = I - x later, density ~ e^{l u}:
 *     E[U] = 1/a - I/(e^{aI} - 1) with a = -l,   = I/2 + l I^2/12 + ...
 * That probe and the next F-1 fail at once, so the delay is U + (F-1) I:
 * mean 2 + 0.500833.  The recovery comes 10.37 - U - 2 after the detecting
 * probe, so its phase is (0.37 - U) mod I, uniform up to the same O(l I^2)
 * tilt (< 0.001, far inside the tolerance): the recovery is believed after
 * U' + (H-1) I, U' ~ U(0, I), mean 1.5. */
static void test_detection_delay(void **state)
{
    (void)state;
    double I = 1;
    int F = 3, H = 2;
    scenario s;
    st_scenario(&s, 1, 1, 20000, 10, 403);
    s.pools[0].servers = 10;
    s.pools[0].service = st_exp(100);
    s.pools[0].failure = st_exp(0.01);
    s.pools[0].repair = st_det(10.37);
    s.clients[0].arrival.rate = 1;
    s.clients[0].policy.health = hc(I, 0.5, F, H, 0);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    double a = -0.01, eu = 1 / a - I / expm1(a * I);
    assert_agrees(cstat(&r, 0, CM_DETECTION_DELAY), (F - 1) * I + eu, 3, 0);
    assert_agrees(cstat(&r, 0, CM_RECOVERY_DETECTION_DELAY), (H - 1) * I + I / 2, 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Delays with fast failures and repairs against the interval (l I = 1,
 * m I = 2), thresholds 1, direct probes every I = 1, fail_fast.  A detected
 * DOWN period is the one the probe finds; the server was UP at the probe I
 * earlier (believed healthy), and the delay u is the age of that DOWN period:
 * its start at I - u has density P_UU(I - u) l e^{-m u}, with the two-state
 * transition probability P_UU(s) = A + (1-A) e^{-(l+m) s}, A = m/(l+m)
 * (a server may fail, recover and fail again between two probes; the delay
 * counts from the last failure).  The recovery delay exchanges l and m.
 * Means by Simpson's rule: 0.36495 and 0.49786 (without the fail-recover-fail
 * paths, density ~ e^{(l-m) u}: 0.418 and 0.582, far outside the CI). */
static double age_mean(double up, double down, double I)
{
    double A = down / (up + down), num = 0, den = 0;
    int n = 2000;
    for (int k = 0; k <= n; k++) {
        double u = I * k / n, w = (k == 0 || k == n) ? 1 : (k % 2 ? 4 : 2);
        double g = (A + (1 - A) * exp(-(up + down) * (I - u))) * exp(-down * u);
        num += w * u * g;
        den += w * g;
    }
    return num / den;
}

static void test_detection_delay_fast_rates(void **state)
{
    (void)state;
    double l = 1, m = 2, I = 1;
    scenario s;
    st_scenario(&s, 1, 1, 2000, 10, 409);
    s.warmup = 10;
    s.pools[0].servers = 10;
    s.pools[0].service = st_exp(100);
    s.pools[0].failure = st_exp(l);
    s.pools[0].repair = st_exp(m);
    s.clients[0].arrival.rate = 1;
    s.clients[0].policy.health = hc(I, 0.5, 1, 1, 0);
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    double det = age_mean(l, m, I), rec = age_mean(m, l, I), f = NAN;
    assert_agrees(cstat(&r, 0, CM_DETECTION_DELAY), det, 3, 0);
    assert_agrees(cstat(&r, 0, CM_RECOVERY_DETECTION_DELAY), rec, 3, 0);
    /* and the closed form the model check uses */
    assert_int_equal(an_detection_delay(I, 1, 0, m, l, &f), AN_OK);
    assert_true(fabs(f - det) < 1e-9);
    assert_int_equal(an_detection_delay(I, 1, 0, l, m, &f), AN_OK);
    assert_true(fabs(f - rec) < 1e-9);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Panic mode: 3 of 4 servers forced DOWN (fail_fast) from t = 0 for good,
 * unhealthy_threshold 2 and interval 1, so by t = 3 s every client believes
 * only one server healthy; the window starts at 50 s.  With Envoy's
 * panic_threshold 0.5 the healthy share 1/4 < 0.5 puts the client in panic:
 * the random balancer sends to all four, and with no retry success is
 * exactly 1/4.  With panic off every request goes to the healthy server:
 * success 1.  With all four DOWN and panic off, every request fails at once
 * with no_healthy_server. */
static void run_forced_bal(exec_result *r, int down, double panic, balancer_kind bal)
{
    scenario s;
    st_scenario(&s, 1, 1, 1000, 10, 405);
    s.warmup = 50;
    s.pools[0].servers = 4;
    s.pools[0].workers = 100;
    s.pools[0].service = st_exp(100);
    s.clients[0].arrival.rate = 50;
    s.clients[0].policy.health = hc(1, 0.5, 2, 1, panic);
    s.clients[0].policy.balancer = bal;
    s.nevents = 1;
    s.events = calloc(1, sizeof *s.events);
    s.events[0] = (event_cfg){.kind = EVENT_FAIL, .at = 0, .duration = 1e9, .pool = 0, .servers = down};
    assert_int_equal(st_run(r, &s), WORLD_DONE);
    scenario_free(&s);
}

static void run_forced(exec_result *r, int down, double panic)
{
    run_forced_bal(r, down, panic, BAL_RANDOM);
}

static void test_panic_mode(void **state)
{
    (void)state;
    exec_result r;
    run_forced(&r, 3, 0.5);
    assert_agrees(cstat(&r, 0, CM_REQUEST_SUCCESS), 0.25, 3, 0);
    assert_close(cstat(&r, 0, CM_PANIC_FRACTION).mean, 1, 0);
    exec_result_free(&r);
    run_forced(&r, 3, 0);
    assert_close(cstat(&r, 0, CM_REQUEST_SUCCESS).mean, 1, 0);
    exec_result_free(&r);
    /* every balancer keeps to the healthy server (least_outstanding through
     * its indexed set, the others through the healthy list) */
    for (int b = BAL_ROUND_ROBIN; b <= BAL_P2C; b++) {
        run_forced_bal(&r, 3, 0, (balancer_kind)b);
        assert_close(cstat(&r, 0, CM_REQUEST_SUCCESS).mean, 1, 0);
        exec_result_free(&r);
    }
    run_forced(&r, 4, 0);
    assert_close(cstat(&r, 0, CM_CAUSE_NO_HEALTHY).mean, 1, 0);
    assert_close(cstat(&r, 0, CM_ATTEMPTS_PER_REQUEST).mean, 0, 0);
    exec_result_free(&r);
}

/* A request that waits for a rate-limit token and gets it when no server
 * is believed healthy (panic off) fails with no_healthy_server, like a new
 * request, and is never sent.  All four servers fail for good at t = 0.3,
 * health checks (every 0.1 s, threshold 1) believe them all unhealthy by
 * about 0.4; a request waits up to 3 s for its token (20 a second for 200
 * arrivals), so many waits end after the warm-up of 1 s: not one attempt
 * may reach the pool then, and every request counted ends as
 * no_healthy_server (before the fix such requests went to the dead
 * servers: this test fails then). */
static void test_no_healthy_after_a_wait(void **state)
{
    (void)state;
    scenario s;
    exec_result r;
    st_scenario(&s, 1, 1, 6, 4, 11);
    s.warmup = 1;
    s.pools[0].servers = 4;
    s.pools[0].service = st_exp(50);
    s.clients[0].arrival.rate = 200;
    s.clients[0].policy.balancer = BAL_ROUND_ROBIN;
    s.clients[0].policy.health = hc(0.1, 0.05, 1, 1, 0);
    s.clients[0].policy.rate_limit = (rate_limit_cfg){.enabled = 1, .rate = 20, .burst = 1, .max_wait = 3};
    s.nevents = 1;
    s.events = calloc(1, sizeof *s.events);
    s.events[0] = (event_cfg){.kind = EVENT_FAIL, .at = 0.3, .duration = 1e9, .pool = 0, .servers = 4};
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_close(pstat(&r, PM_ARRIVALS).mean, 0, 0);
    assert_close(cstat(&r, 0, CM_CAUSE_NO_HEALTHY).mean, 1, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Queued probes wait in the FIFO behind real work.  One client loads 20
 * M/M/1 servers (rate 8 each through the random balancer, K = 10); a
 * second, nearly idle client health-checks them with queued probes
 * (thresholds 1, interval 10, timeout T) and routes nothing that matters.
 * A probe arriving at a time independent of the queue waits the stationary
 * M/M/1 FIFO wait W, P(W > T) = rho e^{-(K - lambda) T}; with thresholds 1
 * the belief is the last result, and over the 10 s between probes the queue
 * forgets the previous one (relaxation time 1/(K-lambda) = 0.5 s), so the
 * fraction of time an UP server is believed unhealthy is P(W > T). */
static void test_queued_probe(void **state)
{
    (void)state;
    double K = 10, lam = 8, T = 0.3, rho = lam / K;
    scenario s;
    st_scenario(&s, 1, 2, 5000, 10, 407);
    s.warmup = 50;
    s.pools[0].servers = 20;
    s.pools[0].service = st_exp(K);
    s.clients[0].arrival.rate = 20 * lam;
    s.clients[1].arrival.rate = 0.01;
    s.clients[1].policy.health = hc(10, T, 1, 1, 0);
    s.clients[1].policy.health.probe = PROBE_QUEUED;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    assert_agrees(cstat(&r, 1, CM_EJECTED_UP_FRACTION), rho * exp(-(K - lam) * T), 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

/* Standby spares: N = 2 active positions, S = 1 spare, quorum 2, failures
 * Exp(l = 0.1) per serving unit, repairs Exp(m = 0.5) each (no crew limit),
 * switchover 0.  With k units failed, the birth-death chain has
 *     up rate  l x (active + f x idle),  active = min(2, 3-k), idle = 3-k-active
 *     down rate k m
 * with f = 0 (cold) or 1 (hot).  pi_k = pi_0 prod (birth/death):
 *   cold: pi = (1, 2l/m, 2l/m x 2l/2m, ... x l/3m) = (1, 0.4, 0.08, 0.0053333)
 *   hot:  pi = (1, 3l/m, 3l/m x 2l/2m, ... x l/3m) = (1, 0.6, 0.12, 0.008)
 * system_availability = P(k <= 1); server_availability = E[active] / 2. */
static void check_standby(spare_mode mode, const double pi[4], uint64_t seed)
{
    scenario s;
    st_scenario(&s, 1, 1, 20000, 10, seed);
    s.warmup = 100;
    s.pools[0].servers = 2;
    s.pools[0].quorum = 2;
    s.pools[0].service = st_exp(100);
    s.pools[0].failure = st_exp(0.1);
    s.pools[0].repair = st_exp(0.5);
    s.pools[0].spares = (spares_cfg){.count = 1, .mode = mode};
    s.clients[0].arrival.rate = 1;
    exec_result r;
    assert_int_equal(st_run(&r, &s), WORLD_DONE);
    double z = pi[0] + pi[1] + pi[2] + pi[3];
    assert_agrees(pstat(&r, PM_SYSTEM_AVAILABILITY), (pi[0] + pi[1]) / z, 3, 0);
    assert_agrees(pstat(&r, PM_SERVER_AVAILABILITY), (2 * (pi[0] + pi[1]) + pi[2]) / (2 * z), 3, 0);
    exec_result_free(&r);
    scenario_free(&s);
}

static void test_standby_cold(void **state)
{
    (void)state;
    const double pi[4] = {1, 0.4, 0.08, 0.08 * 0.1 / 1.5};
    check_standby(SPARE_COLD, pi, 409);
}

static void test_standby_hot(void **state)
{
    (void)state;
    const double pi[4] = {1, 0.6, 0.12, 0.12 * 0.1 / 1.5};
    check_standby(SPARE_HOT, pi, 411);
}

/* Liveness with queued probes restarts servers that are only busy; direct
 * probes never restart an UP server. */
static void test_liveness_queued_vs_direct(void **state)
{
    (void)state;
    for (int queued = 0; queued < 2; queued++) {
        scenario s;
        st_scenario(&s, 1, 1, 300, 4, 413);
        s.pools[0].servers = 4;
        s.pools[0].service = st_exp(10);
        s.pools[0].liveness = (liveness_cfg){1, 5, 1, 3, queued ? PROBE_QUEUED : PROBE_DIRECT, st_det(10)};
        s.clients[0].arrival.rate = 38; /* rho = 0.95: waits of seconds */
        s.clients[0].policy.timeout = 5;
        exec_result r;
        assert_int_equal(st_run(&r, &s), WORLD_DONE);
        if (queued)
            assert_true(pstat(&r, PM_RESTARTS).mean >= 1);
        else
            assert_close(pstat(&r, PM_RESTARTS).mean, 0, 0);
        exec_result_free(&r);
        scenario_free(&s);
    }
}

/* Everything at once (a multi-tier pool's calls health-check with queued
 * probes a hang pool that has warm spares with an exponential switchover
 * and queued liveness probes; the client checks with jitter): the run ends,
 * counts what it should, and gives the same record bit for bit on 1 thread
 * as on 2 (each replication's streams depend on the seed and replication
 * only). */
static void test_combined_reproducible(void **state)
{
    (void)state;
    scenario s;
    st_scenario(&s, 2, 1, 600, 3, 415);
    s.warmup = 20;
    pool_cfg *api = &s.pools[0], *db = &s.pools[1];
    api->servers = 3;
    api->service = st_exp(100);
    api->has_calls = 1;
    policy_cfg_defaults(&api->calls);
    api->calls.target = 1;
    api->calls.timeout = 0.5;
    api->calls.health = hc(1, 0.3, 2, 1, 0.5);
    api->calls.health.probe = PROBE_QUEUED;
    db->servers = 4;
    db->service = st_exp(100);
    db->mode = FAIL_HANG;
    db->failure = st_exp(0.02);
    db->repair = st_exp(0.1);
    db->spares = (spares_cfg){.count = 2, .mode = SPARE_WARM, .warm_factor = 0.3, .switchover = st_exp(0.5)};
    db->liveness = (liveness_cfg){1, 2, 0.5, 2, PROBE_QUEUED, st_det(3)};
    s.clients[0].arrival.rate = 50;
    s.clients[0].policy.timeout = 1;
    s.clients[0].policy.health = hc(2, 0.2, 1, 1, 0.5);
    s.clients[0].policy.health.jitter = 0.5;
    exec_result a, b;
    exec_result_init(&a, &s);
    exec_result_init(&b, &s);
    double *ra = calloc(3 * a.L.total, sizeof *ra), *rb = calloc(3 * b.L.total, sizeof *rb);
    exec_opts o1 = {.jobs = 1, .quiet = 1, .on_rep = keep_record, .on_rep_ctx = ra},
              o2 = {.jobs = 2, .quiet = 1, .on_rep = keep_record, .on_rep_ctx = rb};
    assert_int_equal(exec_extend(&a, 3, &o1), WORLD_DONE);
    assert_int_equal(exec_extend(&b, 3, &o2), WORLD_DONE);
    assert_true(results_pool_stat(&a, 1, PM_SWITCHOVERS).mean > 0);
    assert_true(results_caller_stat(&a, 1, CM_PROBE_RATE).mean > 0);
    assert_true(results_caller_stat(&a, 1, CM_DETECTION_DELAY).n > 0);
    for (int i = 0; i < 3; i++) {
        const double *x = ra + (size_t)i * a.L.total, *y = rb + (size_t)i * b.L.total;
        for (size_t k = 0; k < a.L.total; k++)
            if (k != a.L.misc + REC_WALL && memcmp(&x[k], &y[k], sizeof x[k]) != 0)
                fail_msg("replication %d differs at record slot %zu: %.17g vs %.17g", i, k, x[k], y[k]);
    }
    free(ra);
    free(rb);
    exec_result_free(&a);
    exec_result_free(&b);
    scenario_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mismatch_fractions),
        cmocka_unit_test(test_detection_delay),
        cmocka_unit_test(test_detection_delay_fast_rates),
        cmocka_unit_test(test_panic_mode),
        cmocka_unit_test(test_no_healthy_after_a_wait),
        cmocka_unit_test(test_queued_probe),
        cmocka_unit_test(test_standby_cold),
        cmocka_unit_test(test_standby_hot),
        cmocka_unit_test(test_liveness_queued_vs_direct),
        cmocka_unit_test(test_combined_reproducible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
