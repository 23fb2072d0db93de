/* test_ctmc.c - the CTMC solvers (models/ctmc.c) and the pool-to-chain
 * builder (models/markov_pool.c) against values derived independently.
 *
 * Every expected value below is written out from its own derivation (product
 * forms of birth-death chains, first-step analysis, the two-state transient
 * solution), never from the code under test.  Points are awkward on purpose.
 */
#include "tests/testutil.h"
#include "tests/simtest.h"
#include "models/ctmc.h"
#include "models/markov_pool.h"
#include "models/analytic.h"

#include <stdlib.h>
#include <string.h>

/* Relative closeness: |a - e| <= rel |e|. */
#define assert_rel(a, e, rel) assert_close((a), (e), (rel) * fabs(e))

/* A pool of N servers failing at LAM, repaired at MU by C crews, quorum K. */
static void pool_scenario(scenario *s, int n, int k, int c, double lam, double mu)
{
    st_scenario(s, 1, 0, 1000, 2, 1);
    s->pools[0].servers = n;
    s->pools[0].quorum = k;
    s->pools[0].repair_crews = c;
    s->pools[0].failure = st_exp(lam);
    s->pools[0].repair = st_exp(mu);
}

/* k-of-n with shared crews: 5 servers, 2 crews, quorum 3.  Machine repair,
 * balance across the cut between j and j+1 DOWN:
 *   pi_{j+1} = pi_j (5 - j) lam / (min(j + 1, 2) mu). */
static void test_k_of_n_shared_crews(void **state)
{
    (void)state;
    double lam = 0.0137, mu = 0.0861, w[6] = {1}, sum = 1;
    for (int j = 0; j < 5; j++) {
        w[j + 1] = w[j] * (5 - j) * lam / ((j + 1 < 2 ? j + 1 : 2) * mu);
        sum += w[j + 1];
    }
    double sys = (w[0] + w[1] + w[2]) / sum, up = 0;
    for (int j = 0; j <= 5; j++)
        up += (5 - j) * w[j] / sum;
    scenario s;
    pool_scenario(&s, 5, 3, 2, lam, mu);
    mp_model m;
    char why[200];
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
    mp_steady_result r;
    assert_int_equal(mp_steady(&m, &r), MP_OK);
    assert_rel(r.system_availability, sys, 1e-12);
    assert_rel(r.system_unavailability, (w[3] + w[4] + w[5]) / sum, 1e-10);
    assert_rel(r.server_availability, up / 5, 1e-12);
    assert_true(r.steady.residual < 1e-12);
    mp_free(&m);
    scenario_free(&s);
}

/* k-of-n with cold spares, built directly as a chain (the generic solver):
 * 2 active servers must run, 2 cold spares (which do not fail), 1 crew.
 * State j = servers DOWN (0..4); while j <= 2 two are active, so failures
 * happen at 2 lam; at j = 3 only one is left active (lam), at 4 none.
 * Repairs at mu (one crew).  Product form:
 *   pi_1 = 2l/m pi_0, pi_2 = (2l/m)^2 pi_0, pi_3 = (2l/m)^3 pi_0,
 *   pi_4 = (2l/m)^3 (l/m) pi_0;  the system is UP while j <= 2. */
static void test_cold_spares_chain(void **state)
{
    (void)state;
    double l = 0.021, mu = 0.33, a = 2 * l / mu;
    double w[5] = {1, a, a * a, a * a * a, a * a * a * (l / mu)}, sum = 0;
    for (int j = 0; j < 5; j++)
        sum += w[j];
    ctmc c;
    assert_int_equal(ctmc_init(&c, 5), CTMC_OK);
    double fail[5] = {2 * l, 2 * l, 2 * l, l, 0};
    for (size_t j = 0; j < 5; j++) {
        if (j < 4)
            assert_int_equal(ctmc_add(&c, j, j + 1, fail[j]), CTMC_OK);
        if (j > 0)
            assert_int_equal(ctmc_add(&c, j, j - 1, mu), CTMC_OK);
    }
    assert_int_equal(ctmc_finish(&c), CTMC_OK);
    double pi[5];
    ctmc_info info;
    assert_int_equal(ctmc_steady(&c, 0, pi, &info), CTMC_OK);
    for (int j = 0; j < 5; j++)
        assert_rel(pi[j], w[j] / sum, 1e-12);
    /* mean time from 0 to 3 DOWN by first-step analysis:
     * T0 = 1/(2l) + T1; T1 = 1/(2l+mu) + (mu T0 + 2l T2)/(2l+mu);
     * T2 = 1/(2l+mu) + mu T1/(2l+mu).  Solved for T0 symbolically:
     * with x = 2l, T0 = (x^2 + 2 x mu + 2 mu^2 ... ) is messy, so solve the
     * 3x3 system here by substitution instead of by the code under test. */
    double x = 2 * l;
    /* T2 = (1 + mu T1)/(x + mu); T1 (x + mu) = 1 + mu T0 + x T2 */
    /* => T1 (x + mu) - x mu T1/(x+mu) = 1 + mu T0 + x/(x+mu) */
    double A = (x + mu) - x * mu / (x + mu), B = 1 + x / (x + mu);
    /* T1 = (B + mu T0)/A and T0 = 1/x + T1 => T0 (1 - mu/A) = 1/x + B/A */
    double T0 = (1 / x + B / A) / (1 - mu / A);
    unsigned char target[5] = {0, 0, 0, 1, 1};
    double mean;
    assert_int_equal(ctmc_absorb_time(&c, target, 0, &mean, &info), CTMC_OK);
    assert_rel(mean, T0, 1e-12);
    ctmc_destroy(&c);
}

/* The same cold-spare system as a pool (servers 2, spares 2 cold, one
 * crew, quorum 2) through the builder: the hand product form above. */
static void test_pool_cold_spares(void **state)
{
    (void)state;
    double l = 0.021, mu = 0.33, a = 2 * l / mu;
    double w[5] = {1, a, a * a, a * a * a, a * a * a * (l / mu)}, sum = 0;
    for (int j = 0; j < 5; j++)
        sum += w[j];
    scenario s;
    pool_scenario(&s, 2, 2, 1, l, mu);
    s.pools[0].spares.count = 2;
    s.pools[0].spares.mode = SPARE_COLD;
    mp_model m;
    char why[200];
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
    mp_steady_result r;
    assert_int_equal(mp_steady(&m, &r), MP_OK);
    assert_rel(r.system_availability, (w[0] + w[1] + w[2]) / sum, 1e-12);
    assert_rel(r.server_availability, (2 * (w[0] + w[1] + w[2]) + w[3]) / (2 * sum), 1e-12);
    mp_free(&m);
    /* warm spares against the standby chain of models/analytic.c (written
     * independently, in log space): n 3, s 2, f 0.3, one crew, quorum 3 */
    s.pools[0].servers = 3;
    s.pools[0].quorum = 3;
    s.pools[0].spares.mode = SPARE_WARM;
    s.pools[0].spares.warm_factor = 0.3;
    double pk, act;
    assert_int_equal(an_standby(3, 2, 0.3, 3, 1, l, mu, &pk, &act), AN_OK);
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
    assert_int_equal(mp_steady(&m, &r), MP_OK);
    assert_rel(r.system_availability, pk, 1e-10);
    assert_rel(r.server_availability, act / 3, 1e-10);
    mp_free(&m);
    scenario_free(&s);
}

/* Gaussian elimination for a small pi Q = 0, sum pi = 1 (the last balance
 * equation replaced by the normalization): the test's own solver. */
static void small_steady(int n, double q[][5], double *pi)
{
    double a[5][6];
    for (int j = 0; j < n; j++) { /* equation j: sum_i pi_i q_ij = 0 */
        for (int i = 0; i < n; i++)
            a[j][i] = q[i][j];
        a[j][n] = 0;
    }
    for (int i = 0; i < n; i++)
        a[n - 1][i] = 1;
    a[n - 1][n] = 1;
    for (int c = 0; c < n; c++) {
        int piv = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(a[r][c]) > fabs(a[piv][c]))
                piv = r;
        for (int k = 0; k <= n; k++) {
            double t = a[c][k];
            a[c][k] = a[piv][k];
            a[piv][k] = t;
        }
        for (int r = 0; r < n; r++)
            if (r != c) {
                double f = a[r][c] / a[c][c];
                for (int k = c; k <= n; k++)
                    a[r][k] -= f * a[c][k];
            }
    }
    for (int i = 0; i < n; i++)
        pi[i] = a[i][n] / a[i][i];
}

/* One position, one cold spare, exponential switchover sigma, a crew per
 * unit.  States (j DOWN, w switching): (0,0) (0,1) (1,0) (1,1) (2,0), with
 * the transitions enumerated by hand from MODEL.md's failover rules:
 *   (0,0) -> (1,1) lam        the active fails, the spare starts switching
 *   (0,1) -> (0,0) sigma      (a repaired unit waits idle behind it)
 *   (1,0) -> (2,0) lam, -> (0,0) mu
 *   (1,1) -> (1,0) sigma, -> (0,1) mu
 *   (2,0) -> (1,1) 2 mu       a repaired unit fills the vacant position
 * The position is UP in (0,0) and (1,0). */
static void test_switchover_chain(void **state)
{
    (void)state;
    double lam = 0.013, mu = 0.071, sg = 0.55;
    double q[5][5] = {{0}};
    q[0][3] = lam;
    q[1][0] = sg;
    q[2][4] = lam;
    q[2][0] = mu;
    q[3][2] = sg;
    q[3][1] = mu;
    q[4][3] = 2 * mu;
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            if (i != j)
                q[i][i] -= q[i][j];
    double pi[5];
    small_steady(5, q, pi);
    scenario s;
    pool_scenario(&s, 1, 1, 0, lam, mu);
    s.pools[0].spares.count = 1;
    s.pools[0].spares.switchover = st_exp(sg);
    mp_model m;
    char why[200];
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
    assert_int_equal((int)m.avail.n, 5);
    mp_steady_result r;
    assert_int_equal(mp_steady(&m, &r), MP_OK);
    assert_rel(r.system_availability, pi[0] + pi[2], 1e-12);
    mp_free(&m);
    /* a deterministic switchover is not Markovian: named */
    s.pools[0].spares.switchover = st_det(5);
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_ENOTMARKOV);
    assert_non_null(strstr(why, "pools.p0.spares.switchover is deterministic"));
    scenario_free(&s);
}

/* 2-of-3 with rare failures: MTTF 10^4 s, MTTR 1 s, one crew each, so the
 * servers are independent with p = P(DOWN) = lam/(lam+mu), and
 *   U = P(fewer than 2 UP) = 3 p^2 (1 - p) + p^3  (about 3e-8).
 * Asked to 6 significant digits: relative 1e-6 (we get ~1e-12). */
static void test_two_of_three_rare(void **state)
{
    (void)state;
    double lam = 1e-4, mu = 1, p = lam / (lam + mu);
    double U = 3 * p * p * (1 - p) + p * p * p;
    scenario s;
    pool_scenario(&s, 3, 2, 0, lam, mu);
    mp_model m;
    char why[200];
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
    mp_steady_result r;
    assert_int_equal(mp_steady(&m, &r), MP_OK);
    print_message("U = %.10g, nines = %.6f\n", r.system_unavailability, -log10(r.system_unavailability));
    assert_rel(r.system_unavailability, U, 1e-9);
    assert_true(r.system_unavailability > 2.99e-8 && r.system_unavailability < 3.0e-8);
    mp_free(&m);
    scenario_free(&s);
}

/* A(t) of one server that starts UP: (mu + lam e^{-(lam+mu) t})/(lam+mu);
 * its mean over [w, T]: mu/(l+m) + l/((l+m)^2 (T-w)) (e^{-(l+m)w} - e^{-(l+m)T}). */
static void test_transient_single_server(void **state)
{
    (void)state;
    double lam = 0.0371, mu = 0.413, s_ = lam + mu;
    scenario s;
    pool_scenario(&s, 1, 1, 0, lam, mu);
    mp_model m;
    char why[200];
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
    double ts[] = {0, 0.37, 2.5, 11.3, 400, 25000};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) {
        double a, sys, exact = (mu + lam * exp(-s_ * ts[i])) / s_;
        ctmc_info info;
        assert_int_equal(mp_transient(&m, ts[i], &a, &sys, &info), MP_OK);
        assert_true(info.error_bound <= 1e-9);
        assert_close(a, exact, 1e-9);
        assert_close(sys, exact, 1e-9);
    }
    double w = 3.3, T = 77.7, a, sys;
    double exact = mu / s_ + lam / (s_ * s_ * (T - w)) * (exp(-s_ * w) - exp(-s_ * T));
    ctmc_info info;
    assert_int_equal(mp_window(&m, w, T, &a, &sys, &info), MP_OK);
    assert_close(a, exact, 1e-9);
    mp_free(&m);
    scenario_free(&s);
}

/* MTTF of 1-of-2 (two crews): from 2 UP, 2 lam to 1 UP; from 1 UP, lam to
 * failure, mu back.  T2 = 1/(2 lam) + T1, T1 = 1/(lam+mu) + mu/(lam+mu) T2
 * => T2 = (3 lam + mu) / (2 lam^2).  One crew gives the same chain. */
static void test_mttf_one_of_two(void **state)
{
    (void)state;
    double lam = 0.0123, mu = 0.456, exact = (3 * lam + mu) / (2 * lam * lam);
    for (int crews = 0; crews <= 1; crews++) {
        scenario s;
        pool_scenario(&s, 2, 1, crews, lam, mu);
        mp_model m;
        char why[200];
        assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
        mp_steady_result r;
        assert_int_equal(mp_steady(&m, &r), MP_OK);
        assert_rel(r.mttf_system, exact, 1e-12);
        mp_free(&m);
        scenario_free(&s);
    }
    /* quorum 0: the quorum is never lost */
    scenario s;
    pool_scenario(&s, 2, 0, 0, lam, mu);
    mp_model m;
    char why[200];
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
    mp_steady_result r;
    assert_int_equal(mp_steady(&m, &r), MP_OK);
    assert_true(isinf(r.mttf_system));
    mp_free(&m);
    scenario_free(&s);
}

/* M/M/c/K: one server, c = 3 workers, room for K = 5 waiting, a = lam/mu:
 *   p_j ~ a^j / j!            j <= c
 *   p_j ~ a^c / c! (a/c)^{j-c}  c < j <= c + K
 * blocking = p_{c+K} (PASTA). */
static void test_mmck_blocking(void **state)
{
    (void)state;
    double lam = 2.7, mu = 1.1, a = lam / mu, w[9], sum = 0, fact = 1;
    for (int j = 0; j <= 8; j++) {
        if (j > 0 && j <= 3)
            fact *= j;
        w[j] = j <= 3 ? pow(a, j) / fact : pow(a, 3) / 6 * pow(a / 3, j - 3);
        sum += w[j];
    }
    double L = 0, Lq = 0;
    for (int j = 0; j <= 8; j++) {
        L += j * w[j] / sum;
        Lq += (j > 3 ? j - 3 : 0) * w[j] / sum;
    }
    scenario s;
    st_scenario(&s, 1, 1, 1000, 2, 1);
    s.pools[0].workers = 3;
    s.pools[0].queue_limit = 5;
    s.pools[0].service = st_exp(mu);
    s.clients[0].arrival.rate = lam;
    mp_model m;
    char why[200];
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
    assert_true(m.has_queue);
    mp_steady_result r;
    assert_int_equal(mp_steady(&m, &r), MP_OK);
    assert_rel(r.blocking, w[8] / sum, 1e-12);
    assert_rel(r.queue_length, Lq, 1e-12);
    assert_rel(r.latency_mean, L / (lam * (1 - w[8] / sum)), 1e-12);
    mp_free(&m);
    /* unbounded M/M/1 at rho = 0.9: truncated with a stated bound, and
     * L = rho/(1-rho) = 9 */
    s.pools[0].workers = 1;
    s.pools[0].queue_limit = 0;
    s.clients[0].arrival.rate = 0.99;
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
    assert_true(m.has_queue && m.trunc_bound <= MP_TRUNC_EPS);
    assert_int_equal(mp_steady(&m, &r), MP_OK);
    assert_rel(r.latency_mean, 1 / (mu - 0.99), 1e-9);
    assert_close(r.blocking, 0, 0);
    mp_free(&m);
    /* a balancer other than random: no queue chain, and why */
    s.pools[0].servers = 2;
    s.clients[0].policy.balancer = BAL_ROUND_ROBIN;
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
    assert_false(m.has_queue);
    assert_non_null(strstr(m.queue_why, "balancer"));
    mp_free(&m);
    /* a client-side rate limit sheds load: no queue chain either */
    s.clients[0].policy.balancer = BAL_RANDOM;
    s.clients[0].policy.rate_limit.enabled = 1;
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
    assert_false(m.has_queue);
    assert_non_null(strstr(m.queue_why, "rate or concurrency limit"));
    mp_free(&m);
    scenario_free(&s);
}

/* Forced outages.  (a) A pool that never fails, 4 servers, quorum 3, 2
 * forced down over [10, 30]: over [0, 100] servers are UP 1 - 2*20/(4*100)
 * = 0.9 of the time and the quorum holds 1 - 20/100 = 0.8.
 * (b) One server (lam, mu) forced down over [a, a + D], window [0, T].  With
 * r = lam + mu, pi = mu/r and u(x) = pi + (u0 - pi) e^{-r x} from u0:
 *   [0, a]       u from 1: A(a) = pi + (1 - pi) e^{-r a}
 *   [a, a+D]     only a server DOWN at a is not forced; it is UP at a + x
 *                with probability (1 - A(a)) pi (1 - e^{-r x})
 *   [a+D, T]     u from u1 = A(a) + (1 - A(a)) pi (1 - e^{-r D})
 * and int_0^x u = pi x + (u0 - pi)(1 - e^{-r x})/r. */
static double up_int(double pi, double r, double u0, double x) { return pi * x + (u0 - pi) * (1 - exp(-r * x)) / r; }

static void test_forced_outages(void **state)
{
    (void)state;
    scenario s;
    st_scenario(&s, 1, 0, 100, 2, 1);
    s.pools[0].servers = 4;
    s.pools[0].quorum = 3;
    s.nevents = 1;
    s.events = calloc(1, sizeof *s.events);
    s.events[0] = (event_cfg){.kind = EVENT_FAIL, .at = 10, .duration = 20, .pool = 0, .servers = 2};
    mp_model m;
    char why[200];
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
    double sa, ya;
    ctmc_info info;
    assert_int_equal(mp_window(&m, 0, 100, &sa, &ya, &info), MP_OK);
    assert_close(sa, 0.9, 1e-12);
    assert_close(ya, 0.8, 1e-12);
    assert_int_equal(mp_transient(&m, 15, &sa, &ya, &info), MP_OK);
    assert_close(sa, 0.5, 1e-12);
    assert_close(ya, 0, 1e-12);
    mp_free(&m);
    scenario_free(&s);

    double lam = 0.031, mu = 0.27, r = lam + mu, pi = mu / r, a = 7.5, D = 12.25, T = 60;
    pool_scenario(&s, 1, 1, 0, lam, mu);
    s.nevents = 1;
    s.events = calloc(1, sizeof *s.events);
    s.events[0] = (event_cfg){.kind = EVENT_FAIL, .at = a, .duration = D, .pool = 0, .servers = 1};
    double Aa = pi + (1 - pi) * exp(-r * a);
    double u1 = Aa + (1 - Aa) * pi * (1 - exp(-r * D));
    double integral = up_int(pi, r, 1, a) + (1 - Aa) * pi * (D - (1 - exp(-r * D)) / r) + up_int(pi, r, u1, T - a - D);
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
    assert_int_equal(mp_window(&m, 0, T, &sa, &ya, &info), MP_OK);
    assert_close(sa, integral / T, 1e-9);
    assert_int_equal(mp_transient(&m, a + 3, &sa, &ya, &info), MP_OK);
    assert_close(sa, (1 - Aa) * pi * (1 - exp(-r * 3)), 1e-9);
    mp_free(&m);
    /* overlapping events are refused for the transient, with the reason */
    s.nevents = 2;
    s.events = realloc(s.events, 2 * sizeof *s.events);
    s.events[1] = (event_cfg){.kind = EVENT_FAIL, .at = a + 1, .duration = D, .pool = 0, .servers = 1};
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_OK);
    assert_int_equal(mp_window(&m, 0, T, &sa, &ya, &info), MP_EFORCED);
    assert_non_null(strstr(m.forced_why, "overlap"));
    mp_free(&m);
    scenario_free(&s);
}

/* Non-exponential repair: refused, naming the key and the distribution. */
static void test_not_markov(void **state)
{
    (void)state;
    scenario s;
    pool_scenario(&s, 3, 2, 0, 0.01, 0.1);
    s.pools[0].repair = (dist_cfg){.kind = DIST_LOGNORMAL, .mu = 1, .sigma = 0.5};
    mp_model m;
    char why[300];
    assert_int_equal(mp_build(&s, 0, &m, why, sizeof why), MP_ENOTMARKOV);
    print_message("%s\n", why);
    assert_non_null(strstr(why, "pools.p0.repair is lognormal"));
    scenario_free(&s);
}

/* M/M/1/K at rho as a chain whose states are relabelled i -> (i a) mod n:
 * pi of label (i a) mod n is (1 - rho) rho^i / (1 - rho^n), whatever the
 * labels, but the band of the generator becomes as wide as the chain. */
static void permuted_mm1k(ctmc *c, size_t n, size_t a, double rho)
{
    assert_int_equal(ctmc_init(c, n), CTMC_OK);
    for (size_t i = 0; i + 1 < n; i++) {
        assert_int_equal(ctmc_add(c, i * a % n, (i + 1) * a % n, rho), CTMC_OK);
        assert_int_equal(ctmc_add(c, (i + 1) * a % n, i * a % n, 1), CTMC_OK);
    }
    assert_int_equal(ctmc_finish(c), CTMC_OK);
}

static void check_mm1k(const double *pi, size_t n, size_t a, double rho, size_t upto, double rel)
{
    for (size_t i = 0; i < upto; i++)
        assert_rel(pi[i * a % n], (1 - rho) * pow(rho, (double)i) / (1 - pow(rho, (double)n)), rel);
}

/* Every solver on the same chain, and the automatic choice at each size. */
static void test_solver_paths(void **state)
{
    (void)state;
    const ctmc_method m[] = {CTMC_DENSE, CTMC_BAND, CTMC_GAUSS_SEIDEL, CTMC_GMRES};
    const char *name[] = {"dense LU", "band LU", "Gauss-Seidel", "GMRES"};
    size_t n = 301, a = 7919;
    ctmc c;
    permuted_mm1k(&c, n, a, 0.8);
    double *pi = malloc(n * sizeof *pi);
    for (int t = 0; t < 4; t++) {
        ctmc_info info;
        assert_int_equal(ctmc_steady_method(&c, a % n, m[t], pi, &info), CTMC_OK);
        print_message("%s: %zu iterations, residual %.3g, %.3f s\n", info.method, info.iterations, info.residual,
                      info.seconds);
        assert_string_equal(info.method, name[t]);
        assert_true(info.residual < (t < 2 ? 1e-14 : 1e-10));
        check_mm1k(pi, n, a, 0.8, 20, t < 2 ? 1e-12 : 1e-8);
    }
    free(pi);
    ctmc_destroy(&c);
    /* large and scattered: the reverse Cuthill-McKee order gives the band
     * back, and with it full relative precision (pi_59 is about 1e-6) */
    n = 20011;
    permuted_mm1k(&c, n, a, 0.8);
    pi = malloc(n * sizeof *pi);
    ctmc_info info;
    assert_int_equal(ctmc_steady(&c, 0, pi, &info), CTMC_OK);
    print_message("%s: residual %.3g, %.3f s\n", info.method, info.residual, info.seconds);
    assert_string_equal(info.method, "band LU (RCM order)");
    check_mm1k(pi, n, a, 0.8, 60, 1e-10);
    free(pi);
    ctmc_destroy(&c);
    /* a long birth-death chain goes to the band solver: M/M/1/K, rho = 0.8 */
    n = 200001;
    permuted_mm1k(&c, n, 1, 0.8);
    pi = malloc(n * sizeof *pi);
    assert_int_equal(ctmc_steady(&c, 0, pi, &info), CTMC_OK);
    assert_string_equal(info.method, "band LU");
    check_mm1k(pi, n, 1, 0.8, 60, 1e-12);
    free(pi);
    ctmc_destroy(&c);
}

/* Bad arguments are statuses, never crashes. */
static void test_errors(void **state)
{
    (void)state;
    ctmc c;
    assert_int_equal(ctmc_init(&c, 0), CTMC_EINVAL);
    assert_int_equal(ctmc_init(&c, (size_t)CTMC_MAX_STATES + 1), CTMC_ETOOBIG);
    assert_int_equal(ctmc_init(&c, 3), CTMC_OK);
    assert_int_equal(ctmc_add(&c, 0, 0, 1), CTMC_EINVAL);
    assert_int_equal(ctmc_add(&c, 0, 3, 1), CTMC_EINVAL);
    assert_int_equal(ctmc_add(&c, 0, 1, -1), CTMC_EINVAL);
    assert_int_equal(ctmc_add(&c, 0, 1, NAN), CTMC_EINVAL);
    assert_int_equal(ctmc_add(&c, 0, 1, 2), CTMC_OK);
    assert_int_equal(ctmc_finish(&c), CTMC_OK);
    assert_int_equal(ctmc_add(&c, 1, 0, 2), CTMC_EINVAL);
    double p0[3] = {1, 0, 0}, pt[3], mean;
    assert_int_equal(ctmc_transient(&c, p0, -1, 1e-10, pt, NULL, NULL), CTMC_EINVAL);
    unsigned char target[3] = {0, 0, 1}; /* 0 -> 1 only: 2 is never reached */
    assert_int_equal(ctmc_absorb_time(&c, target, 0, &mean, NULL), CTMC_ENEVER);
    ctmc_destroy(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_k_of_n_shared_crews), cmocka_unit_test(test_cold_spares_chain),
        cmocka_unit_test(test_pool_cold_spares),    cmocka_unit_test(test_switchover_chain),
        cmocka_unit_test(test_two_of_three_rare),   cmocka_unit_test(test_transient_single_server),
        cmocka_unit_test(test_mttf_one_of_two),     cmocka_unit_test(test_mmck_blocking),
        cmocka_unit_test(test_not_markov),          cmocka_unit_test(test_forced_outages),          cmocka_unit_test(test_solver_paths),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
