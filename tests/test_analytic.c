/* test_analytic.c - unit tests of models/analytic.c.
 *
 * Every expected value is computed independently of the code under test:
 * either by explicit arithmetic written out here (hand-solved balance
 * equations, explicit binomial sums, Simpson integration) or as a literal
 * computed exactly with Python's fractions module (the script is quoted next
 * to the literal), or a published table value.  Points are awkward on
 * purpose (2.385, not 1).  Every error path is checked to return an error
 * code and leave the output untouched (never NaN).
 */
#include "models/analytic.h"
#include "tests/testutil.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-12
#define SENTINEL (-12345.678)

/* Asserts that call fails with status st and leaves out == SENTINEL. */
#define assert_fails(st, call)                                              \
    do {                                                                    \
        out = SENTINEL;                                                     \
        int got_ = (call);                                                  \
        print_message("%s %s -> %d (%s), expected %d\n", got_ == (st) ? "ok  " : "FAIL", \
                      #call, got_, an_strerror(got_), (st));                \
        assert_int_equal(got_, (st));                                       \
        assert_true(out == SENTINEL);                                       \
    } while (0)

/* Evaluates call, asserts status 0, returns the value. */
#define OK(call) ok_value((call), &out, #call)
static double out;
/* Reads *v inside the function: after call has stored it (argument order
 * is unspecified, so passing out by value could read the old value). */
static double ok_value(int st, const double *pv, const char *what)
{
    double v = *pv;
    if (st != AN_OK)
        print_message("FAIL %s -> %d (%s)\n", what, st, an_strerror(st));
    assert_int_equal(st, AN_OK);
    assert_true(isfinite(v));
    return v;
}

/* ---- the design document's formulas ----------------------------------- */

static void test_p_retry(void **state)
{
    (void)state;
    /* python: 1 - math.exp(-2.385*0.317), 1 - math.exp(-2.385*0.5) */
    assert_close(OK(an_p_retry(2.385, 0.317, 0.5, &out)), 0.5304802898195546, TOL);
    assert_close(OK(an_p_retry(2.385, 0.5, 0.5, &out)), 0.6965383391937605, TOL);
    assert_close(OK(an_p_retry(2.385, 0.5000001, 0.5, &out)), 0.0, 0); /* printed 0 */
    assert_close(OK(an_p_retry(0.0, 0.317, 0.5, &out)), 0.0, 0);
    assert_close(OK(an_p_retry(2.385, 0.0, 0.5, &out)), 0.0, 0);
    /* tiny lambda*t: 1 - e^{-x} ~ x, no cancellation */
    assert_close(OK(an_p_retry(1e-10, 2.385, 5, &out)) / 2.385e-10, 1.0, 1e-9);
    assert_close(OK(an_p_retry_fires(2.385, 0.5, &out)), 0.6965383391937605, TOL);
    assert_fails(AN_EDOM, an_p_retry(-0.1, 0.3, 0.5, &out));
    assert_fails(AN_EDOM, an_p_retry(2.385, -0.3, 0.5, &out));
    assert_fails(AN_EDOM, an_p_retry(2.385, 0.3, -0.5, &out));
    assert_fails(AN_EDOM, an_p_retry(NAN, 0.3, 0.5, &out));
    assert_fails(AN_EDOM, an_p_retry(INFINITY, 0.3, 0.5, &out));
    assert_fails(AN_EDOM, an_p_retry_fires(2.385, -1, &out));
}

static void test_t_timeout(void **state)
{
    (void)state;
    /* docs/CONTRACT.md example: ln(100)/10 */
    assert_close(OK(an_t_timeout(10, 0.01, &out)), 0.4605170185988091, TOL);
    /* python: -math.log(0.137)/2.385 */
    double t = OK(an_t_timeout(2.385, 0.137, &out));
    assert_close(t, 0.8334483661023112, TOL);
    /* what it means: P(Exp(mu) > T) = e^{-mu T} = p */
    assert_close(exp(-2.385 * t), 0.137, TOL);
    /* the printed (1/mu) ln(1 - P) is negative; ours is positive for all p */
    assert_true(log(1 - 0.137) / 2.385 < 0);
    assert_true(OK(an_t_timeout(2.385, 0.999999, &out)) > 0);
    assert_fails(AN_EDOM, an_t_timeout(10, 0.0, &out)); /* T would be inf */
    assert_fails(AN_EDOM, an_t_timeout(10, 1.0, &out));
    assert_fails(AN_EDOM, an_t_timeout(10, -0.2, &out));
    assert_fails(AN_EDOM, an_t_timeout(10, 1.5, &out));
    assert_fails(AN_EDOM, an_t_timeout(0, 0.01, &out));
    assert_fails(AN_EDOM, an_t_timeout(-10, 0.01, &out));
    assert_fails(AN_EDOM, an_t_timeout(10, NAN, &out));
    assert_fails(AN_ERANGE, an_t_timeout(1e-320, 0.01, &out)); /* overflows */
}

static void test_q_balance(void **state)
{
    (void)state;
    /* 7 * 2.385 / 3.1, exact fraction rounded */
    assert_close(OK(an_q_balance(7, 2.385, 3.1, &out)), 5.385483870967742, TOL);
    assert_close(OK(an_q_balance(8, 0, 100, &out)), 0.0, 0);
    assert_close(OK(an_q_balance(3, 4.77, 2.385, &out)), 6.0, TOL); /* overload still a value */
    assert_fails(AN_EDOM, an_q_balance(0, 2.385, 3.1, &out));
    assert_fails(AN_EDOM, an_q_balance(7, -2.385, 3.1, &out));
    assert_fails(AN_EDOM, an_q_balance(7, 2.385, 0, &out));
}

static void test_exp_cdf(void **state)
{
    (void)state;
    assert_close(OK(an_exp_cdf(0.37, 2.385, &out)), 1 - exp(-0.37 * 2.385), TOL);
    assert_close(OK(an_exp_cdf(0.37, 0, &out)), 0.0, 0);
    assert_fails(AN_EDOM, an_exp_cdf(-0.37, 2.385, &out));
    assert_fails(AN_EDOM, an_exp_cdf(0.37, -2.385, &out));
}

/* ---- availability ----------------------------------------------------- */

static void test_availability(void **state)
{
    (void)state;
    /* 0.385 / (0.0137 + 0.385) */
    assert_close(OK(an_availability(0.0137, 0.385, &out)), 0.9656383245548031, TOL);
    assert_close(OK(an_availability(0, 0.385, &out)), 1.0, 0);
    assert_close(OK(an_availability(1e300, 1e-300, &out)), 0.0, 1e-300); /* no overflow */
    assert_fails(AN_EDOM, an_availability(-0.0137, 0.385, &out));
    assert_fails(AN_EDOM, an_availability(0.0137, 0, &out));
    assert_fails(AN_EDOM, an_availability(0.0137, -0.385, &out));
}

static void test_availability_t(void **state)
{
    (void)state;
    double l = 0.37, m = 1.9, a = m / (l + m);
    assert_close(OK(an_availability_t(l, m, 0, &out)), 1.0, TOL); /* starts UP */
    /* python: A + U*exp(-(l+m)*2.385) */
    assert_close(OK(an_availability_t(l, m, 2.385, &out)), 0.8377303896327198, TOL);
    assert_close(OK(an_availability_t(l, m, 1e6, &out)), a, TOL); /* -> steady state */
    /* it solves dA/dt = -l A + m (1 - A): central difference at t = 0.7 */
    double h = 1e-5, lo, hi, mid;
    an_availability_t(l, m, 0.7 - h, &lo);
    an_availability_t(l, m, 0.7 + h, &hi);
    an_availability_t(l, m, 0.7, &mid);
    assert_close((hi - lo) / (2 * h), -l * mid + m * (1 - mid), 1e-8);
    assert_fails(AN_EDOM, an_availability_t(l, m, -1, &out));
    assert_fails(AN_EDOM, an_availability_t(-l, m, 1, &out));
    assert_fails(AN_EDOM, an_availability_t(l, 0, 1, &out));
}

/* Simpson's rule for (1/T) int_0^T A(t) dt, A from explicit arithmetic. */
static double interval_simpson(double l, double m, double T)
{
    int n = 2000;
    double h = T / n, s = 0;
    for (int i = 0; i <= n; i++) {
        double t = i * h, w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
        s += w * (m / (l + m) + l / (l + m) * exp(-(l + m) * t));
    }
    return s * h / 3 / T;
}

static void test_availability_interval(void **state)
{
    (void)state;
    double l = 0.37, m = 1.9;
    /* python closed form; a midpoint sum with 200000 cells agrees to 1e-12 */
    assert_close(OK(an_availability_interval(l, m, 2.385, &out)), 0.8669769041766695, TOL);
    assert_close(OK(an_availability_interval(l, m, 2.385, &out)), interval_simpson(l, m, 2.385),
                 1e-12);
    assert_close(OK(an_availability_interval(l, m, 1e-12, &out)), 1.0, 1e-11); /* T -> 0 */
    assert_close(OK(an_availability_interval(l, m, 1e9, &out)), m / (l + m), 1e-9);
    assert_close(OK(an_availability_interval(0, m, 2.385, &out)), 1.0, 0);
    assert_fails(AN_EDOM, an_availability_interval(l, m, 0, &out));
    assert_fails(AN_EDOM, an_availability_interval(l, -m, 1, &out));
}

/* ---- k of n and machine repair --------------------------------------- */

static void test_k_of_n(void **state)
{
    (void)state;
    double l = 0.37, m = 1.9, A = m / (l + m), U = l / (l + m);
    /* explicit binomial sum: C(5,3) A^3 U^2 + C(5,4) A^4 U + A^5 */
    double want = 10 * A * A * A * U * U + 5 * A * A * A * A * U + A * A * A * A * A;
    assert_close(OK(an_k_of_n(5, 3, l, m, &out)), want, TOL);
    assert_close(OK(an_k_of_n(5, 3, l, m, &out)), 0.9665932845822587, TOL); /* python exact */
    assert_close(OK(an_k_of_n(4, 4, l, m, &out)), A * A * A * A, TOL);
    assert_close(OK(an_k_of_n(4, 1, l, m, &out)), 1 - U * U * U * U, TOL);
    assert_close(OK(an_k_of_n(4, 0, l, m, &out)), 1.0, 0);
    assert_close(OK(an_k_of_n(3, 2, 0, m, &out)), 1.0, 0);
    /* A < 1/2: python sum(comb(12,i) A^i (1-A)^(12-i), i=7..12), A=1.1/3.485 */
    assert_close(OK(an_k_of_n(12, 7, 2.385, 1.1, &out)), 0.050328963546955034, TOL);
    /* large n stays finite and in [0,1]: mean n*A = 90000, sd ~ 94.9 */
    double p = OK(an_k_of_n(100000, 90000, 0.1, 0.9, &out));
    assert_close(p, 0.5, 0.01);
    assert_fails(AN_EDOM, an_k_of_n(5, 6, l, m, &out));
    assert_fails(AN_EDOM, an_k_of_n(5, -1, l, m, &out));
    assert_fails(AN_EDOM, an_k_of_n(0, 0, l, m, &out));
    assert_fails(AN_EDOM, an_k_of_n(5, 3, -l, m, &out));
    assert_fails(AN_EDOM, an_k_of_n(5, 3, l, 0, &out));
}

/* n = 3 servers, state j = servers DOWN, r = lambda/mu.  Cut equations of the
 * birth-death chain (flow j -> j+1 = flow j+1 -> j):
 *   c = 1:  3l pi0 = m pi1,   2l pi1 = m pi2,   l pi2 = m pi3
 *           pi1 = 3r pi0, pi2 = 6r^2 pi0, pi3 = 6r^3 pi0
 *   c = 2:  3l pi0 = m pi1,   2l pi1 = 2m pi2,  l pi2 = 2m pi3
 *           pi1 = 3r pi0, pi2 = 3r^2 pi0, pi3 = 1.5r^3 pi0
 *   c = 3:  3l pi0 = m pi1,   2l pi1 = 2m pi2,  l pi2 = 3m pi3
 *           pi1 = 3r pi0, pi2 = 3r^2 pi0, pi3 = r^3 pi0  (binomial)
 * and pi0 = 1 / (1 + w1 + w2 + w3).  P(>= k UP) = pi0 + ... + pi_{3-k}. */
static void hand_chain(double r, int c, double pi[4])
{
    double w[4] = {1, 3 * r, 0, 0};
    w[2] = c == 1 ? 6 * r * r : 3 * r * r;
    w[3] = c == 1 ? 6 * r * r * r : (c == 2 ? 1.5 * r * r * r : r * r * r);
    double s = w[0] + w[1] + w[2] + w[3];
    for (int j = 0; j < 4; j++)
        pi[j] = w[j] / s;
}

static void test_machine_repair_hand(void **state)
{
    (void)state;
    double l = 0.37, m = 2.385, pi[4], dist[4];
    /* python (fractions) P(>=2 UP) for c = 1, 2, 3 */
    const double py_ge2[4] = {0, 0.8978040014321034, 0.9495841232539672, 0.9507342449913262};
    const double py_mean[4] = {0, 2.4967434821589714, 2.593954430894339, 2.5970961887477313};
    for (int c = 1; c <= 3; c++) {
        hand_chain(l / m, c, pi);
        print_message("c = %d\n", c);
        assert_close(OK(an_machine_repair(3, c, 3, l, m, &out)), pi[0], TOL);
        assert_close(OK(an_machine_repair(3, c, 2, l, m, &out)), pi[0] + pi[1], TOL);
        assert_close(OK(an_machine_repair(3, c, 2, l, m, &out)), py_ge2[c], TOL);
        assert_close(OK(an_machine_repair(3, c, 1, l, m, &out)), 1 - pi[3], TOL);
        assert_close(OK(an_machine_repair(3, c, 0, l, m, &out)), 1.0, TOL);
        assert_close(OK(an_machine_repair_mean_up(3, c, l, m, &out)),
                     3 * pi[0] + 2 * pi[1] + pi[2], TOL);
        assert_close(OK(an_machine_repair_mean_up(3, c, l, m, &out)), py_mean[c], TOL);
        assert_int_equal(an_machine_repair_dist(3, c, l, m, dist, 4), AN_OK);
        for (int u = 0; u <= 3; u++)
            assert_close(dist[u], pi[3 - u], TOL);
    }
}

static void test_machine_repair_relations(void **state)
{
    (void)state;
    double a, b;
    /* c = 0 and c >= n are one crew per server = k_of_n */
    assert_int_equal(an_machine_repair(7, 0, 5, 0.37, 2.385, &a), AN_OK);
    assert_int_equal(an_k_of_n(7, 5, 0.37, 2.385, &b), AN_OK);
    assert_close(a, b, TOL);
    assert_int_equal(an_machine_repair(7, 9, 5, 0.37, 2.385, &a), AN_OK);
    assert_close(a, b, TOL);
    /* c = 0: mean UP = n A */
    assert_close(OK(an_machine_repair_mean_up(7, 0, 0.37, 2.385, &out)), 7 * 2.385 / 2.755, TOL);
    /* fewer crews never help */
    double prev = 2;
    for (int c = 7; c >= 1; c--) {
        double v = OK(an_machine_repair(7, c, 5, 0.37, 2.385, &out));
        assert_true(v <= prev + 1e-15);
        prev = v;
    }
    /* python (fractions): n=50, c=3, lambda=0.01, mu=0.2 */
    assert_close(OK(an_machine_repair(50, 3, 40, 0.01, 0.2, &out)), 0.9693409376569025, TOL);
    assert_close(OK(an_machine_repair_mean_up(50, 3, 0.01, 0.2, &out)), 46.23373368329312, 1e-10);
    /* python (fractions): n=20, c=2, lambda=0.3, mu=0.7 (crews overloaded) */
    assert_close(OK(an_machine_repair(20, 2, 5, 0.3, 0.7, &out)), 0.49921188561285035, TOL);
    assert_close(OK(an_machine_repair_mean_up(20, 2, 0.3, 0.7, &out)), 4.666665522777569, 1e-10);
    /* never fails */
    assert_close(OK(an_machine_repair(5, 1, 5, 0, 2.385, &out)), 1.0, 0);
}

static void test_machine_repair_extreme(void **state)
{
    (void)state;
    /* weights span ~1e6 orders of magnitude: log space keeps them finite */
    int n = 200000;
    double *d = malloc((n + 1) * sizeof *d), s = 0, mean = 0;
    assert_non_null(d);
    assert_int_equal(an_machine_repair_dist(n, 1, 2.385, 1.0, d, n + 1), AN_OK);
    for (int u = 0; u <= n; u++) {
        assert_true(isfinite(d[u]) && d[u] >= 0);
        s += d[u];
        mean += u * d[u];
    }
    assert_close(s, 1.0, 1e-9);
    /* one crew, always busy: P(u UP)/P(u-1 UP) = mu/(u lambda), a Poisson
     * distribution of mean mu/lambda = 1/2.385 (truncated far out at n) */
    assert_close(mean, 1.0 / 2.385, 1e-9);
    assert_close(OK(an_machine_repair_mean_up(n, 1, 2.385, 1.0, &out)), mean, 1e-9);
    assert_fails(AN_EBUF, an_machine_repair_dist(n, 1, 2.385, 1.0, d, n));
    free(d);
    /* tiny failure rate: P(all UP) ~ 1 - n*r, no cancellation issue */
    double p = OK(an_machine_repair(10, 1, 10, 1e-12, 1.0, &out));
    assert_close(p, 1 - 10e-12, 1e-15);
    double v = OK(an_machine_repair(10, 10, 1, 1e300, 1e-300, &out)); /* always all DOWN */
    assert_close(v, 0.0, 1e-300);
}

static void test_machine_repair_errors(void **state)
{
    (void)state;
    double d[4];
    assert_fails(AN_EDOM, an_machine_repair(3, 1, 4, 0.37, 2.385, &out)); /* k > n */
    assert_fails(AN_EDOM, an_machine_repair(3, 1, -1, 0.37, 2.385, &out));
    assert_fails(AN_EDOM, an_machine_repair(0, 1, 0, 0.37, 2.385, &out));
    assert_fails(AN_EDOM, an_machine_repair(3, -1, 2, 0.37, 2.385, &out));
    assert_fails(AN_EDOM, an_machine_repair(3, 1, 2, -0.37, 2.385, &out));
    assert_fails(AN_EDOM, an_machine_repair(3, 1, 2, 0.37, 0, &out));
    assert_fails(AN_EDOM, an_machine_repair(3, 1, 2, 0.37, NAN, &out));
    assert_fails(AN_EDOM, an_machine_repair_mean_up(3, 1, 0.37, -1, &out));
    assert_int_equal(an_machine_repair_dist(3, 1, 0.37, 2.385, NULL, 4), AN_EDOM);
    assert_int_equal(an_machine_repair_dist(3, 1, 0.37, 2.385, d, 3), AN_EBUF);
}

/* ---- retries ------------------------------------------------------------ */

static void test_retries(void **state)
{
    (void)state;
    double q = 1 - 0.137;
    /* explicit: 1 - q^3 and 1 + q + q^2 */
    assert_close(OK(an_retry_success(0.137, 3, &out)), 1 - q * q * q, TOL);
    assert_close(OK(an_retry_success(0.137, 3, &out)), 0.357264353, TOL); /* exact decimal */
    assert_close(OK(an_expected_attempts(0.137, 3, &out)), 1 + q + q * q, TOL);
    assert_close(OK(an_expected_attempts(0.137, 3, &out)), 2.607769, TOL);
    /* p = 1e-12: naive 1-(1-p)^5 loses 4 digits; python exact 4.99999999999e-12 */
    assert_close(OK(an_retry_success(1e-12, 5, &out)) / 4.99999999999e-12, 1.0, 1e-12);
    assert_close(OK(an_expected_attempts(1e-12, 5, &out)), 4.99999999999, 1e-10);
    assert_close(OK(an_retry_success(0, 4, &out)), 0.0, 0);
    assert_close(OK(an_retry_success(1, 4, &out)), 1.0, 0);
    assert_close(OK(an_expected_attempts(0, 4, &out)), 4.0, 0); /* every attempt fails */
    assert_close(OK(an_expected_attempts(1, 4, &out)), 1.0, 0);
    assert_close(OK(an_expected_attempts(0.137, 1, &out)), 1.0, TOL);
    assert_fails(AN_EDOM, an_retry_success(-0.1, 3, &out));
    assert_fails(AN_EDOM, an_retry_success(1.1, 3, &out));
    assert_fails(AN_EDOM, an_retry_success(0.5, 0, &out));
    assert_fails(AN_EDOM, an_retry_success(NAN, 3, &out));
    assert_fails(AN_EDOM, an_expected_attempts(-0.1, 3, &out));
    assert_fails(AN_EDOM, an_expected_attempts(0.5, 0, &out));
}

/* ---- queues --------------------------------------------------------------- */

static void test_mm1(void **state)
{
    (void)state;
    double l = 2.385, m = 3.1;
    assert_close(OK(an_mm1_response(l, m, &out)), 1 / 0.715, TOL);
    assert_close(OK(an_mm1_response(l, m, &out)), 1.3986013986013985, TOL);
    assert_close(OK(an_mm1_number(l, m, &out)), 3.335664335664336, TOL);
    /* Little: L = lambda W */
    assert_close(OK(an_mm1_number(l, m, &out)), l * 1.3986013986013985, TOL);
    /* python -log(0.01)/0.715; and P(Exp(0.715) <= t_q) = q */
    double t99 = OK(an_mm1_response_quantile(l, m, 0.99, &out));
    assert_close(t99, 6.440797462920407, 1e-11);
    assert_close(1 - exp(-(m - l) * t99), 0.99, TOL);
    assert_close(OK(an_mm1_response_quantile(l, m, 0.3137, &out)), 0.5264901105839833, TOL);
    assert_close(OK(an_mm1_response_quantile(l, m, 0, &out)), 0.0, 0);
    /* same as t_timeout with mu_eff = mu - lambda and p = 1 - q */
    double tt;
    assert_int_equal(an_t_timeout(m - l, 0.01, &tt), AN_OK);
    assert_close(t99, tt, 1e-11);
    assert_close(OK(an_mm1_response(0, m, &out)), 1 / m, TOL);
    assert_fails(AN_EUNSTABLE, an_mm1_response(3.1, 3.1, &out));
    assert_fails(AN_EUNSTABLE, an_mm1_response(4, 3.1, &out));
    assert_fails(AN_EUNSTABLE, an_mm1_number(4, 3.1, &out));
    assert_fails(AN_EUNSTABLE, an_mm1_response_quantile(4, 3.1, 0.5, &out));
    assert_fails(AN_EDOM, an_mm1_response(-1, 3.1, &out));
    assert_fails(AN_EDOM, an_mm1_response(1, 0, &out));
    assert_fails(AN_EDOM, an_mm1_response_quantile(l, m, 1, &out));
    assert_fails(AN_EDOM, an_mm1_response_quantile(l, m, -0.1, &out));
    assert_fails(AN_ERANGE, an_mm1_response(0, 1e-320, &out)); /* 1/1e-320 overflows */
}

static void test_erlang(void **state)
{
    (void)state;
    /* published values: c = 2, a = 1 Erlang: C = 1/3 (M/M/2: 2 rho^2/(1+rho),
     * rho = 1/2); c = 3, a = 2: C = 4/9 = 0.4444 (Erlang C tables);
     * c = 10, a = 8: C = 0.4092 (the standard call-centre table entry;
     * python fractions: 0.40918015079644354) */
    assert_close(OK(an_erlang_c(2, 2.385, 2.385, &out)), 1.0 / 3, TOL);
    assert_close(OK(an_erlang_c(3, 2 * 2.385, 2.385, &out)), 4.0 / 9, TOL);
    assert_close(OK(an_erlang_c(10, 8 * 0.41, 0.41, &out)), 0.40918015079644354, TOL);
    assert_close(OK(an_erlang_c(10, 8 * 0.41, 0.41, &out)), 0.4092, 5e-5);
    /* c = 1: probability of waiting = rho */
    assert_close(OK(an_erlang_c(1, 2.385, 3.1, &out)), 2.385 / 3.1, TOL);
    /* c = 100, a = 90: factorials overflow, the recursion does not;
     * python: C from the a^c/c! definition with Fractions */
    assert_close(OK(an_erlang_c(100, 90 * 2.385, 2.385, &out)), 0.2169404809063664, 1e-11);
    /* c = 7, a = 2.385/0.41 (python fractions) */
    assert_close(OK(an_erlang_c(7, 2.385, 0.41, &out)), 0.5533857834055718, TOL);
    assert_close(OK(an_erlang_c(4, 0, 0.41, &out)), 0.0, 0);
    /* Erlang B: c = 2, a = 1: (1/2)/(1 + 1 + 1/2) = 0.2; python for the others */
    assert_close(OK(an_erlang_b(2, 2.385, 2.385, &out)), 0.2, TOL);
    assert_close(OK(an_erlang_b(8, 6 * 0.41, 0.41, &out)), 0.12187578366630444, TOL);
    assert_close(OK(an_erlang_b(100, 90 * 2.385, 2.385, &out)), 0.026957380464359214, 1e-11);
    /* overload is fine for a loss system (python fractions) */
    assert_close(OK(an_erlang_b(3, 50, 2.385, &out)), 0.8640033438741465, TOL);
    assert_fails(AN_EUNSTABLE, an_erlang_c(2, 2 * 2.385, 2.385, &out)); /* a = c */
    assert_fails(AN_EUNSTABLE, an_erlang_c(2, 5, 2.385, &out));
    assert_fails(AN_EDOM, an_erlang_c(0, 1, 2.385, &out));
    assert_fails(AN_EDOM, an_erlang_c(2, -1, 2.385, &out));
    assert_fails(AN_EDOM, an_erlang_c(2, 1, 0, &out));
    assert_fails(AN_EDOM, an_erlang_b(0, 1, 2.385, &out));
    assert_fails(AN_EDOM, an_erlang_b(2, 1, -2.385, &out));
}

/* M/M/c/K blocking, checked against p_K from the unnormalised terms
 * a^n/n! (n <= c), a^c/c! (a/c)^(n-c) (n > c) summed with mpmath at 30
 * digits; k = c must be Erlang B (B(3, 3.154) = 0.3642 in the tables). */
static void test_mmck(void **state)
{
    (void)state;
    double b;
    assert_close(OK(an_mmck_blocking(3, 3, 3.154, 1, &out)), 0.364224272679091, TOL);
    assert_close(out, 0.3642, 5e-5);
    OK(an_erlang_b(3, 3.154, 1, &b));
    assert_close(OK(an_mmck_blocking(3, 3, 3.154, 1, &out)), b, TOL);
    /* c = 3, K = 5, a = 3: terms 1, 3, 9/2, 9/2, 9/2, 9/2 -> (9/2)/22 = 9/44 */
    assert_close(OK(an_mmck_blocking(3, 5, 6, 2, &out)), 9.0 / 44, TOL);
    assert_close(OK(an_mmck_blocking(2, 10, 1, 1, &out)), 0.000651465798045603, TOL);
    /* overload a = 10 > c = 4: finite, tends to 1 - c/a = 0.6 */
    assert_close(OK(an_mmck_blocking(4, 20, 10, 1, &out)), 0.600000018595491, TOL);
    /* M/M/1/1: a / (1 + a) = 1/2 at a = 1 */
    assert_close(OK(an_mmck_blocking(1, 1, 2.385, 2.385, &out)), 0.5, TOL);
    assert_close(OK(an_mmck_blocking(2, 6, 0, 1, &out)), 0.0, 0);
    assert_fails(AN_EDOM, an_mmck_blocking(3, 2, 1, 1, &out)); /* K < c */
    assert_fails(AN_EDOM, an_mmck_blocking(0, 2, 1, 1, &out));
    assert_fails(AN_EDOM, an_mmck_blocking(1, 2, -1, 1, &out));
    assert_fails(AN_EDOM, an_mmck_blocking(1, 2, 1, 0, &out));
}

/* M/M/1+D shed fraction, against the printed form
 * rho (1-rho) E / (1 - rho^2 E), E = e^{-(mu-lambda) D} evaluated with
 * mpmath at 30 digits (tests/test_overload.c derives it and checks the
 * simulator against it); the library uses a rearranged, overflow-free form. */
static void test_mm1d_shed(void **state)
{
    (void)state;
    assert_close(OK(an_mm1d_shed(1.7, 2.385, 0.6, &out)), 0.204668300216568, TOL);
    assert_close(out, 0.2047, 5e-5);
    assert_close(OK(an_mm1d_shed(3.1, 2.385, 0.4, &out)), 0.415335525021873, TOL); /* rho > 1 */
    assert_close(OK(an_mm1d_shed(5, 2, 3, &out)), 0.600011847575129, TOL);
    /* D = 0: drop whenever the server is busy, M/M/1/1: rho/(1+rho) = 0.2 */
    assert_close(OK(an_mm1d_shed(0.5, 2, 0, &out)), 0.2, TOL);
    /* rho = 1: the printed form is 0/0; the limit (L'Hopital) is 1/(2 + mu D) */
    assert_close(OK(an_mm1d_shed(2.385, 2.385, 0.6, &out)), 1 / (2 + 2.385 * 0.6), TOL);
    assert_close(OK(an_mm1d_shed(2.385 * (1 + 1e-9), 2.385, 0.6, &out)), 1 / (2 + 2.385 * 0.6),
                 1e-8);
    /* extremes stay finite: rho < 1 with a huge D sheds nothing; rho = 2
     * with a huge D sheds 1 - 1/rho */
    assert_close(OK(an_mm1d_shed(1, 2, 1e6, &out)), 0.0, TOL);
    assert_close(OK(an_mm1d_shed(4, 2, 1e6, &out)), 0.5, 1e-6);
    assert_close(OK(an_mm1d_shed(0, 2, 1, &out)), 0.0, 0);
    assert_fails(AN_EDOM, an_mm1d_shed(-1, 2, 1, &out));
    assert_fails(AN_EDOM, an_mm1d_shed(1, 0, 1, &out));
    assert_fails(AN_EDOM, an_mm1d_shed(1, 2, -0.1, &out));
}

/* M/M/c+D shed fraction, against the unrearranged form
 *     pi_0^{-1} = sum_{j<c} a^j/j! + a^{c-1}/(c-1)! lambda ((1 - E)/(c mu - lambda) + E/(c mu)),
 *     P = lambda pi_0 a^{c-1}/(c-1)! E / (c mu),  E = e^{-(c mu - lambda) D}
 * ((1 - E)/(c mu - lambda) read as D at c mu = lambda), evaluated with
 * mpmath at 30 digits; and its limits: c = 1 is M/M/1+D, D = 0 is Erlang B
 * with c servers, D -> infinity sheds 1 - c mu/lambda in overload.
 * tests/test_overload.c checks the simulator against it. */
static void test_mmcd_shed(void **state)
{
    (void)state;
    double b;
    assert_close(OK(an_mmcd_shed(3, 4.1, 1.3, 0.6, &out)), 0.2103782327447605, TOL);
    assert_close(OK(an_mmcd_shed(3, 5.2, 1.3, 0.4, &out)), 0.3400192134196027, TOL); /* a > c */
    assert_close(OK(an_mmcd_shed(2, 2.385, 2.385, 0.6, &out)), 0.04149845977183484, TOL);
    assert_close(OK(an_mmcd_shed(4, 10, 2, 0.25, &out)), 0.2865344890863865, TOL);
    assert_close(OK(an_mmcd_shed(5, 3, 1, 2, &out)), 0.0017346085847444, TOL);
    assert_close(OK(an_mmcd_shed(3, 3.9, 1.3, 0.7, &out)), 0.1779711291279415, TOL); /* lambda = c mu */
    assert_close(OK(an_mmcd_shed(1, 1.7, 2.385, 0.6, &out)), 0.2046683002165678, TOL);
    OK(an_mm1d_shed(3.1, 2.385, 0.4, &b));
    assert_close(OK(an_mmcd_shed(1, 3.1, 2.385, 0.4, &out)), b, TOL);
    OK(an_erlang_b(4, 5.3, 1.1, &b));
    assert_close(OK(an_mmcd_shed(4, 5.3, 1.1, 0, &out)), b, TOL);
    assert_close(OK(an_mmcd_shed(3, 12, 2, 1e6, &out)), 0.5, 1e-6);
    assert_close(OK(an_mmcd_shed(3, 2, 2, 1e6, &out)), 0.0, TOL);
    assert_close(OK(an_mmcd_shed(3, 0, 2, 1, &out)), 0.0, 0);
    assert_fails(AN_EDOM, an_mmcd_shed(0, 1, 2, 1, &out));
    assert_fails(AN_EDOM, an_mmcd_shed(2, -1, 2, 1, &out));
    assert_fails(AN_EDOM, an_mmcd_shed(2, 1, 0, 1, &out));
    assert_fails(AN_EDOM, an_mmcd_shed(2, 1, 2, -0.1, &out));
}

/* SRE throttle against a fixed error rate (FORMULAS.md derives it;
 * test_overload.c checks the simulator): a = k (1 - q).  Values by hand:
 * 40 ln(40/39) = 1.012712...; lambda = 200, w = 5, a = 0.75: 1 - 1.012712/250;
 * lambda = 80, w = 12, a = 0.8: 1 - 1.012712/192.  a >= 1: 0.  A share sent
 * above 0.1 (lambda w (1 - a) < 10.13) is refused. */
static void test_throttle_errors(void **state)
{
    (void)state;
    double c = 40 * log(40.0 / 39);
    assert_close(c, 1.0127123, 1e-7);
    assert_close(OK(an_throttle_errors(200, 5, 1.5, 0.5, 40, &out)), 1 - c / 250, TOL);
    assert_close(OK(an_throttle_errors(80, 12, 2, 0.6, 40, &out)), 1 - c / 192, TOL);
    assert_close(OK(an_throttle_errors(80, 12, 2, 0.4, 40, &out)), 0.0, 0);
    assert_close(OK(an_throttle_errors(80, 12, 2, 0.5, 40, &out)), 0.0, 0); /* a = 1 */
    assert_close(OK(an_throttle_errors(10, 2, 2, 1, 40, &out)), 1 - c / 20, TOL); /* all fail */
    /* two buckets: E[1/W_eff] = (2/w) ln 2 */
    assert_close(OK(an_throttle_errors(100, 1, 1, 0.5, 2, &out)), 1 - 2 * log(2.0) / 50, TOL);
    assert_fails(AN_EDOM, an_throttle_errors(2, 5, 1.5, 0.5, 40, &out)); /* sends 40% */
    assert_fails(AN_EDOM, an_throttle_errors(0, 5, 1.5, 0.5, 40, &out));
    assert_fails(AN_EDOM, an_throttle_errors(200, 0, 1.5, 0.5, 40, &out));
    assert_fails(AN_EDOM, an_throttle_errors(200, 5, 0, 0.5, 40, &out));
    assert_fails(AN_EDOM, an_throttle_errors(200, 5, 1.5, 1.1, 40, &out));
    assert_fails(AN_EDOM, an_throttle_errors(200, 5, 1.5, 0.5, 1, &out));
}

static void test_mmc(void **state)
{
    (void)state;
    double m = 2.385;
    /* c = 2, a = 1: C = 1/3, Wq = (1/3)/(2m - m), W = Wq + 1/m = (4/3)/m */
    assert_close(OK(an_mmc_wait(2, m, m, &out)), (1.0 / 3) / m, TOL);
    assert_close(OK(an_mmc_response(2, m, m, &out)), (4.0 / 3) / m, TOL);
    /* c = 1 is M/M/1 */
    double w1;
    assert_int_equal(an_mm1_response(2.385, 3.1, &w1), AN_OK);
    assert_close(OK(an_mmc_response(1, 2.385, 3.1, &out)), w1, TOL);
    /* c = 7, lambda = 2.385, mu = 0.41 (python fractions) */
    assert_close(OK(an_mmc_wait(7, 2.385, 0.41, &out)), 1.14100161526922, 1e-11);
    assert_close(OK(an_mmc_response(7, 2.385, 0.41, &out)), 3.5800260055131226, 1e-11);
    assert_fails(AN_EUNSTABLE, an_mmc_response(2, 2 * m, m, &out));
    assert_fails(AN_EUNSTABLE, an_mmc_wait(2, 3 * m, m, &out));
    assert_fails(AN_EDOM, an_mmc_response(0, 1, m, &out));
    assert_fails(AN_EDOM, an_mmc_response(2, 1, 0, &out));
}

/* ---- the registry --------------------------------------------------------- */

/* Parses an example "k=v k=v" into x[] in the formula's input order. */
static void parse_example(const an_formula *f, double *x)
{
    char buf[256];
    int seen = 0;
    snprintf(buf, sizeof buf, "%s", f->example);
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        assert_non_null(eq);
        *eq = 0;
        int i = 0;
        while (i < f->n_inputs && strcmp(f->inputs[i].name, tok))
            i++;
        assert_true(i < f->n_inputs);
        x[i] = strtod(eq + 1, NULL);
        seen++;
    }
    assert_int_equal(seen, f->n_inputs);
}

/* Standby spares: 2 positions, 1 spare, no crew limit, lambda 0.1, mu 0.5.
 * Birth-death by hand (j units DOWN):
 *   cold (f = 0): births 2l, 2l, l; deaths m, 2m, 3m -> pi ~ (1, 0.4, 0.08, 0.08/15)
 *   hot (f = 1):  births 3l, 2l, l                  -> pi ~ (1, 0.6, 0.12, 0.12/15)
 *   warm (0.5):   births 2.5l, 2l, l                -> pi ~ (1, 0.5, 0.1, 0.1/15)
 * P(both positions serve) = (pi0 + pi1)/sum; E[serving] = 2(pi0+pi1) + pi2.
 * With s = 0 the chain is machine_repair's. */
static void test_standby(void **state)
{
    (void)state;
    const double f[3] = {0, 0.5, 1}, p1[3] = {0.4, 0.5, 0.6};
    for (int i = 0; i < 3; i++) {
        double pi[4] = {1, p1[i], p1[i] * 0.2, p1[i] * 0.2 / 15}, z = pi[0] + pi[1] + pi[2] + pi[3];
        double pk, act;
        assert_int_equal(an_standby(2, 1, f[i], 2, 0, 0.1, 0.5, &pk, &act), AN_OK);
        assert_close(pk, (pi[0] + pi[1]) / z, TOL);
        assert_close(act, (2 * (pi[0] + pi[1]) + pi[2]) / z, TOL);
    }
    double a, b;
    for (int c = 0; c <= 3; c++) {
        assert_int_equal(an_standby(3, 0, 0.37, 2, c, 0.05, 0.2, &a, NULL), AN_OK);
        assert_close(a, OK(an_machine_repair(3, c, 2, 0.05, 0.2, &out)), TOL);
        assert_int_equal(an_standby(3, 0, 0, 0, c, 0.05, 0.2, NULL, &b), AN_OK);
        assert_close(b, OK(an_machine_repair_mean_up(3, c, 0.05, 0.2, &out)), TOL);
    }
    assert_int_equal(an_standby(2, 1, 1.5, 2, 0, 0.1, 0.5, &a, NULL), AN_EDOM);
    assert_int_equal(an_standby(2, 1, 0, 3, 0, 0.1, 0.5, &a, NULL), AN_EDOM);
}

/* Mismatch fraction: A(1-A)(1 - (1 - e^{-sI})/(sI)) against the average over
 * u in [0, I] of A (1-A)(1 - e^{-s u}) by Simpson's rule (2000 panels). */
static void test_mismatch(void **state)
{
    (void)state;
    double l = 0.05, m = 0.2, I = 2.385, s = l + m, A = m / s, sum = 0;
    int n = 2000;
    for (int k = 0; k <= n; k++) {
        double u = I * k / n, w = (k == 0 || k == n) ? 1 : (k % 2 ? 4 : 2);
        sum += w * A * (1 - A) * (1 - exp(-s * u));
    }
    assert_close(OK(an_mismatch_fraction(l, m, I, &out)), sum * (I / n) / 3 / I, 1e-10);
    assert_close(OK(an_mismatch_fraction(0, m, I, &out)), 0, TOL);
    assert_fails(AN_EDOM, an_mismatch_fraction(l, m, 0, &out));
}

/* Detection delay: the design rule (F-1) I + I/2 when both rates vanish;
 * the hang timeout adds F T.  E[U] against Simpson's rule on the density of
 * the time from the last UP->DOWN jump to the probe that finds the server
 * DOWN, given it was UP at the probe I earlier: the jump at I - u has
 * density P_UU(I - u) lambda e^{-mu u}, P_UU(s) = A + (1-A) e^{-(lambda+mu) s}
 * (the two-state chain's transition probability), A = mu/(lambda+mu).  The
 * rates are large against 1/I (mu I = 1), where dropping the fail-recover-
 * fail paths (density ~ e^{(lambda-mu) u}) is 4% off.  Continuity across
 * the small-rate branch. */
static void test_detection_delay(void **state)
{
    (void)state;
    assert_close(OK(an_detection_delay(10, 3, 0, 0, 0, &out)), 25, TOL);
    assert_close(OK(an_detection_delay(2, 3, 1, 0, 0, &out)), (3 - 1) * 2 + 3 * 1 + 2 / 2.0, TOL);
    double I = 2, lam = 0.25, mu = 0.5, A = mu / (lam + mu), num = 0, den = 0;
    int n = 2000;
    for (int k = 0; k <= n; k++) {
        double u = I * k / n, w = (k == 0 || k == n) ? 1 : (k % 2 ? 4 : 2);
        double g = (A + (1 - A) * exp(-(lam + mu) * (I - u))) * exp(-mu * u);
        num += w * u * g;
        den += w * g;
    }
    assert_close(OK(an_detection_delay(I, 1, 0, mu, lam, &out)), num / den, 1e-10);
    assert_close(OK(an_detection_delay(I, 2, 0.5, mu, lam, &out)), I + 0.5 + 0.5 + num / den, 1e-10);
    double below = OK(an_detection_delay(I, 2, 0, 1e-7 + 1e-9, 1e-9, &out));
    double above = OK(an_detection_delay(I, 2, 0, 2e-6, 1e-9, &out));
    assert_close(below, above, 1e-6);
    assert_close(OK(an_detection_delay(I, 1, 0, 0.3, 0, &out)), 1 / 0.3 - I / expm1(0.3 * I), 1e-12);
    assert_fails(AN_EDOM, an_detection_delay(I, 0, 0, 0, 0, &out));
}

static void test_registry_examples(void **state)
{
    (void)state;
    size_t n;
    const an_formula *t = an_formulas(&n);
    assert_true(n >= 21);
    const char *required[] = {"p_retry",       "t_timeout",    "q_balance",       "availability",
                              "availability_t", "k_of_n",       "machine_repair",  "retry_success",
                              "expected_attempts", "mm1_response", "erlang_c",     "mmc_response",
                              "availability_interval"};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        assert_ptr_equal(an_formula_find(required[i]) != NULL, 1);
    for (size_t i = 0; i < n; i++) {
        double x[AN_MAX_INPUTS] = {0}, v = SENTINEL;
        an_diag d;
        assert_true(t[i].n_inputs >= 1 && t[i].n_inputs <= AN_MAX_INPUTS);
        assert_non_null(t[i].meaning);
        assert_ptr_equal(an_formula_find(t[i].name), &t[i]);
        parse_example(&t[i], x);
        int st = an_formula_eval(&t[i], x, &v, &d);
        print_message("%s %s %s = %.10g\n", st ? "FAIL" : "ok  ", t[i].name, t[i].example, v);
        assert_int_equal(st, AN_OK);
        assert_true(isfinite(v));
    }
    assert_null(an_formula_find("t_timeot"));
    assert_null(an_formula_find(NULL));
    /* the registry evaluates the same numbers as the functions */
    double x[2] = {10, 0.01};
    assert_int_equal(an_formula_eval(an_formula_find("t_timeout"), x, &out, NULL), AN_OK);
    assert_close(out, 0.4605170185988091, TOL);
}

/* Evaluates name at x and checks the status and blamed input. */
static void expect_blame(const char *name, const double *x, int st, int input)
{
    const an_formula *f = an_formula_find(name);
    an_diag d;
    assert_non_null(f);
    out = SENTINEL;
    int got = an_formula_eval(f, x, &out, &d);
    print_message("%s %s -> %d blames %d (%s), expected %d blames %d\n",
                  got == st && d.input == input ? "ok  " : "FAIL", name, got, d.input,
                  d.expected ? d.expected : "its domain", st, input);
    assert_int_equal(got, st);
    assert_int_equal(d.input, input);
    assert_true(out == SENTINEL);
}

static void test_registry_errors(void **state)
{
    (void)state;
    expect_blame("t_timeout", (double[]){10, 0}, AN_EDOM, 1);
    expect_blame("t_timeout", (double[]){10, 1}, AN_EDOM, 1);
    expect_blame("t_timeout", (double[]){-1, 0.5}, AN_EDOM, 0);
    expect_blame("t_timeout", (double[]){NAN, 0.5}, AN_EDOM, 0);
    expect_blame("t_timeout", (double[]){1e-320, 0.5}, AN_ERANGE, -1);
    expect_blame("k_of_n", (double[]){3, 4, 0.1, 1}, AN_EDOM, 1);
    expect_blame("k_of_n", (double[]){3.5, 2, 0.1, 1}, AN_EDOM, 0); /* not whole */
    expect_blame("machine_repair", (double[]){3, 1, 4, 0.1, 1}, AN_EDOM, 2);
    expect_blame("machine_repair", (double[]){3, -1, 2, 0.1, 1}, AN_EDOM, 1);
    expect_blame("mm1_response", (double[]){3, 3}, AN_EUNSTABLE, 0);
    expect_blame("mm1_quantile", (double[]){1, 3, 1}, AN_EDOM, 2);
    expect_blame("erlang_c", (double[]){2, 5, 2.385}, AN_EUNSTABLE, 1);
    expect_blame("mmck_blocking", (double[]){3, 2, 1, 1}, AN_EDOM, 1);
    expect_blame("mm1d_shed", (double[]){1, 2, -1}, AN_EDOM, 2);
    expect_blame("mmc_response", (double[]){2, 5, 2.385}, AN_EUNSTABLE, 1);
    expect_blame("retry_success", (double[]){1.5, 3}, AN_EDOM, 0);
    expect_blame("retry_success", (double[]){0.5, 0}, AN_EDOM, 1);
    expect_blame("availability", (double[]){0.1, 0}, AN_EDOM, 1);
}

static void test_registry_domains(void **state)
{
    (void)state;
    const an_formula *f = an_formula_find("t_timeout");
    char buf[64];
    assert_string_equal(an_input_domain(&f->inputs[0], buf, sizeof buf), "real > 0");
    assert_string_equal(an_input_domain(&f->inputs[1], buf, sizeof buf), "real in (0, 1)");
    f = an_formula_find("k_of_n");
    assert_string_equal(an_input_domain(&f->inputs[0], buf, sizeof buf), "integer in [1, 1000000]");
    assert_string_equal(an_input_domain(&f->inputs[2], buf, sizeof buf), "real >= 0");
    const an_input *p = &an_formula_find("retry_success")->inputs[0];
    assert_int_equal(an_input_check(p, 0), AN_OK);
    assert_int_equal(an_input_check(p, 1), AN_OK);
    assert_int_equal(an_input_check(p, -DBL_MIN), AN_EDOM);
    assert_int_equal(an_input_check(p, INFINITY), AN_EDOM);
    assert_int_equal(an_input_check(&f->inputs[0], 2.0000001), AN_EDOM);
    assert_string_equal(an_strerror(AN_EUNSTABLE), "unstable queue: no finite steady state");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p_retry),
        cmocka_unit_test(test_t_timeout),
        cmocka_unit_test(test_q_balance),
        cmocka_unit_test(test_exp_cdf),
        cmocka_unit_test(test_availability),
        cmocka_unit_test(test_availability_t),
        cmocka_unit_test(test_availability_interval),
        cmocka_unit_test(test_k_of_n),
        cmocka_unit_test(test_machine_repair_hand),
        cmocka_unit_test(test_machine_repair_relations),
        cmocka_unit_test(test_machine_repair_extreme),
        cmocka_unit_test(test_machine_repair_errors),
        cmocka_unit_test(test_retries),
        cmocka_unit_test(test_mm1),
        cmocka_unit_test(test_erlang),
        cmocka_unit_test(test_mmck),
        cmocka_unit_test(test_mm1d_shed),
        cmocka_unit_test(test_mmcd_shed),
        cmocka_unit_test(test_throttle_errors),
        cmocka_unit_test(test_mmc),
        cmocka_unit_test(test_standby),
        cmocka_unit_test(test_mismatch),
        cmocka_unit_test(test_detection_delay),
        cmocka_unit_test(test_registry_examples),
        cmocka_unit_test(test_registry_errors),
        cmocka_unit_test(test_registry_domains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
