/* analytic.c - closed-form reliability and queueing formulas (the table
 * that describes them to the CLI is analytic_table.c).
 *
 *   P_retry(t)   = 1 - e^{-lambda t} (t <= t_max), 0 (t > t_max)
 *   T_timeout    = -ln(p) / mu        (the printed (1/mu) ln(1-P) is < 0)
 *   Q_balance    = n rho / k
 *   A            = mu / (lambda + mu)
 *   A(t)         = A + (1 - A) e^{-(lambda+mu) t}             (start UP)
 *   A([0,T])     = A + (1 - A) (1 - e^{-(lambda+mu) T}) / ((lambda+mu) T)
 *   k of n       = sum_{i>=k} C(n,i) A^i (1-A)^{n-i}
 *   machine rep. = sum_{j<=n-k} pi_j, pi_j ~ prod_{i<=j} (n-i+1) lambda / (min(i,c) mu)
 *   retries      = 1 - (1-p)^n;  attempts (1 - (1-p)^n) / p
 *   M/M/1        W = 1/(mu - lambda), L = rho/(1-rho), t_q = -ln(1-q)/(mu - lambda)
 *   M/M/c        B_j = a B_{j-1}/(j + a B_{j-1}), C = c B/(c - a(1-B)),
 *                W = C/(c mu - lambda) + 1/mu
 *
 * Every function checks its domain, computes in a form that stays accurate at
 * the edges (expm1/log1p for probabilities near 0 or 1, log space for the
 * machine-repair chain, the Erlang B recursion instead of factorials) and
 * refuses to return anything that is not a finite number.  See analytic.h for
 * the contract of each function and docs/FORMULAS.md for the readings.
 */
#include "models/analytic.h"

#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- small helpers ---------------------------------------------------- */

static int nonneg(double x) { return isfinite(x) && x >= 0; }
static int positive(double x) { return isfinite(x) && x > 0; }
static int prob(double p) { return isfinite(p) && p >= 0 && p <= 1; }

/* Stores v if it is finite; every public function returns through here. */
static int put(double v, double *out)
{
    if (!out)
        return AN_EDOM;
    if (!isfinite(v))
        return AN_ERANGE;
    *out = v;
    return AN_OK;
}

/* A = mu/(lambda+mu) and U = lambda/(lambda+mu), without overflow in the sum. */
static double avail(double lambda, double mu) { return 1.0 / (1.0 + lambda / mu); }
static double unavail(double lambda, double mu)
{
    return lambda > 0 ? 1.0 / (1.0 + mu / lambda) : 0.0;
}

const char *an_strerror(int status)
{
    switch (status) {
    case AN_OK: return "ok";
    case AN_EDOM: return "input outside the formula's domain";
    case AN_EUNSTABLE: return "unstable queue: no finite steady state";
    case AN_ERANGE: return "the value is not a finite number (overflow)";
    case AN_EBUF: return "buffer too small";
    default: return "unknown error";
    }
}

/* ---- the design document's formulas ---------------------------------- */

/* P_retry(t) = 1 - e^{-lambda t} (t <= t_max), 0 (t > t_max). */
int an_p_retry(double lambda, double t, double t_max, double *out)
{
    if (!nonneg(lambda) || !nonneg(t) || !nonneg(t_max))
        return AN_EDOM;
    return put(t > t_max ? 0.0 : -expm1(-lambda * t), out);
}

/* P(retry fires) = P(d <= t_max), d ~ Exp(lambda) = 1 - e^{-lambda t_max}. */
int an_p_retry_fires(double lambda, double t_max, double *out)
{
    return an_p_retry(lambda, t_max, t_max, out);
}

/* T = -ln(p)/mu solves P(Exp(mu) > T) = e^{-mu T} = p.  The printed
 * (1/mu) ln(1 - P) is < 0 for every P in (0,1): it is this with the sign
 * fixed and P = 1 - p (the probability of finishing in time). */
int an_t_timeout(double mu, double p, double *out)
{
    if (!positive(mu) || !isfinite(p) || p <= 0 || p >= 1)
        return AN_EDOM;
    return put(-log(p) / mu, out);
}

/* Q_balance = N rho / K (Erlangs). */
int an_q_balance(int n, double rho, double k, double *out)
{
    if (n < 1 || !nonneg(rho) || !positive(k))
        return AN_EDOM;
    return put((double)n * rho / k, out);
}

/* F(t) = 1 - e^{-rate t}. */
int an_exp_cdf(double rate, double t, double *out)
{
    if (!nonneg(rate) || !nonneg(t))
        return AN_EDOM;
    return put(-expm1(-rate * t), out);
}

/* ---- availability ----------------------------------------------------- */

/* A = mu / (lambda + mu). */
int an_availability(double lambda, double mu, double *out)
{
    if (!nonneg(lambda) || !positive(mu))
        return AN_EDOM;
    return put(avail(lambda, mu), out);
}

/* A(t) = A + U e^{-(lambda+mu) t}, U = 1 - A (two-state chain, UP at 0). */
int an_availability_t(double lambda, double mu, double t, double *out)
{
    if (!nonneg(lambda) || !positive(mu) || !nonneg(t))
        return AN_EDOM;
    double x = lambda * t + mu * t; /* never inf * 0 */
    return put(avail(lambda, mu) + unavail(lambda, mu) * exp(-x), out);
}

/* (1/T) int_0^T A(t) dt = A + U (1 - e^{-x}) / x, x = (lambda+mu) T. */
int an_availability_interval(double lambda, double mu, double T, double *out)
{
    if (!nonneg(lambda) || !positive(mu) || !positive(T))
        return AN_EDOM;
    double x = lambda * T + mu * T;
    double g = x > 0 ? -expm1(-x) / x : 1.0; /* (1-e^{-x})/x -> 1 as x -> 0 */
    return put(avail(lambda, mu) + unavail(lambda, mu) * g, out);
}

/* log(sum_i e^{w_i}) pieces: shift by the maximum so nothing overflows. */
static double lse_term(double w, double wmax) { return exp(w - wmax); }

/* ln C(n,i) + i ln A + (n-i) ln U, ln A = -log1p(l/m), ln U = -log1p(m/l). */
static double binom_logterm(int n, int i, double lna, double lnu)
{
    double w = gsl_sf_lnchoose((unsigned)n, (unsigned)i);
    if (i > 0)
        w += i * lna;
    if (n - i > 0)
        w += (n - i) * lnu;
    return w;
}

/* P(X >= k), X ~ Binomial(n, A): sum_{i=k}^{n} C(n,i) A^i U^{n-i}, in log space. */
int an_k_of_n(int n, int k, double lambda, double mu, double *out)
{
    if (n < 1 || k < 0 || k > n || !nonneg(lambda) || !positive(mu))
        return AN_EDOM;
    if (k == 0 || lambda == 0)
        return put(1.0, out);
    double lna = -log1p(lambda / mu), lnu = -log1p(mu / lambda);
    double wmax = -HUGE_VAL;
    for (int i = 0; i <= n; i++)
        wmax = fmax(wmax, binom_logterm(n, i, lna, lnu));
    double tail = 0, total = 0;
    for (int i = 0; i <= n; i++) {
        double e = lse_term(binom_logterm(n, i, lna, lnu), wmax);
        total += e;
        if (i >= k)
            tail += e;
    }
    return put(fmin(1.0, tail / total), out);
}

/* ---- machine repair ----------------------------------------------------- */

/* Checks the chain's inputs and returns the effective number of crews. */
static int mr_crews(int n, int c, double lambda, double mu)
{
    if (n < 1 || c < 0 || !nonneg(lambda) || !positive(mu))
        return -1;
    return (c == 0 || c > n) ? n : c;
}

/* ln w_j from ln w_{j-1}: j-1 -> j at (n-j+1) lambda, back at min(j,c) mu. */
static double mr_next(double w, int j, int n, int c, double lr)
{
    return w + log((double)(n - j + 1)) + lr - log((double)(j < c ? j : c));
}

/* max_j ln w_j, w_0 = 1; lr = ln(lambda/mu). */
static double mr_wmax(int n, int c, double lr)
{
    double w = 0, wmax = 0;
    for (int j = 1; j <= n; j++) {
        w = mr_next(w, j, n, c, lr);
        wmax = fmax(wmax, w);
    }
    return wmax;
}

/* Unnormalised stationary weights by servers UP (p_up[n-j] = w_j / w_max);
 * returns their sum.  lambda > 0. */
static double mr_weights(int n, int c, double lambda, double mu, double *p_up)
{
    double lr = log(lambda) - log(mu), wmax = mr_wmax(n, c, lr);
    double w = 0, total = 0;
    for (int j = 0; j <= n; j++) {
        if (j > 0)
            w = mr_next(w, j, n, c, lr);
        p_up[n - j] = lse_term(w, wmax);
        total += p_up[n - j];
    }
    return total;
}

/* pi by servers UP, normalised; p_up has n+1 slots. */
int an_machine_repair_dist(int n, int c, double lambda, double mu, double *p_up, size_t len)
{
    int cc = mr_crews(n, c, lambda, mu);
    if (cc < 0 || !p_up)
        return AN_EDOM;
    if (len < (size_t)n + 1)
        return AN_EBUF;
    if (lambda == 0) { /* never fails: all UP */
        memset(p_up, 0, ((size_t)n + 1) * sizeof *p_up);
        p_up[n] = 1;
        return AN_OK;
    }
    double total = mr_weights(n, cc, lambda, mu, p_up);
    for (int u = 0; u <= n; u++)
        p_up[u] /= total;
    return AN_OK;
}

/* ---- standby spares ------------------------------------------------------ */

/* Failure rate with J of N+S units DOWN (see an_standby). */
static double sb_birth(int n, int s, double f, int j, double lambda)
{
    int u = n + s - j, a = u < n ? u : n;
    return lambda * (a + f * (u - a));
}

int an_standby(int n, int s, double f, int k, int c, double lambda, double mu, double *p_k,
               double *mean_active)
{
    if (n < 1 || s < 0 || !(f >= 0 && f <= 1) || k < 0 || k > n || c < 0 || !nonneg(lambda) ||
        !positive(mu))
        return AN_EDOM;
    int m = n + s, cc = (c == 0 || c > m) ? m : c;
    double pk = 1, act = n;
    if (lambda > 0) {
        /* two passes in log space: the largest weight, then the sums */
        double wmax = 0, w = 0, total = 0, tail = 0, sum = 0;
        for (int pass = 0; pass < 2; pass++) {
            w = 0;
            for (int j = 0; j <= m; j++) {
                if (j > 0)
                    w += log(sb_birth(n, s, f, j - 1, lambda)) - log((j < cc ? j : cc) * mu);
                if (pass == 0) {
                    wmax = fmax(wmax, w);
                    continue;
                }
                int u = m - j, a = u < n ? u : n;
                double e = lse_term(w, wmax);
                total += e;
                sum += a * e;
                if (a >= k)
                    tail += e;
            }
        }
        pk = fmin(1.0, tail / total);
        act = sum / total;
    }
    if (p_k)
        *p_k = pk;
    if (mean_active)
        *mean_active = act;
    return AN_OK;
}

int an_mismatch_fraction(double lambda, double mu, double interval, double *out)
{
    if (!nonneg(lambda) || !positive(mu) || !positive(interval))
        return AN_EDOM;
    double r = lambda + mu, a = mu / r, x = r * interval;
    return put(a * (1 - a) * (1 + expm1(-x) / x), out);
}

/* Mean of V with density proportional to e^{-a v} on [0, I]:
 * 1/a - I/(e^{aI} - 1), and I/2 at a = 0 (series below |aI| = 1e-6). */
static double trunc_exp_mean(double a, double interval)
{
    double x = a * interval;
    if (fabs(x) < 1e-6)
        return interval / 2 - x * interval / 12;
    return 1 / a - interval / expm1(x);
}

/* The integral of e^{-x v} over [0, I] (I at x = 0). */
static double int_exp(double x, double interval)
{
    return x == 0 ? interval : -expm1(-x * interval) / x;
}

int an_detection_delay(double interval, int f, double t_hang, double mu, double lambda, double *out)
{
    if (!positive(interval) || f < 1 || !nonneg(t_hang) || !nonneg(mu) || !nonneg(lambda))
        return AN_EDOM;
    /* The first failed probe comes U after the last failure before it; the
     * server was UP at the probe before (I earlier), DOWN at this one.  The
     * last UP->DOWN jump at I - u has density P_UU(I - u) lambda e^{-mu u}
     * with P_UU(s) = A + (1-A) e^{-(lambda+mu) s}: a mixture of the
     * truncated exponentials e^{-mu u} (weight A) and e^{lambda u} (weight
     * (1-A) e^{-(lambda+mu) I}).  Paths that fail, recover and fail again
     * between two probes are counted from their last failure. */
    double r = lambda + mu, a = r > 0 ? mu / r : 1;
    double w1 = a * int_exp(mu, interval), w2 = (1 - a) * exp(-r * interval) * int_exp(-lambda, interval);
    double eu = (w1 * trunc_exp_mean(mu, interval) + w2 * trunc_exp_mean(-lambda, interval)) / (w1 + w2);
    return put((f - 1) * (interval + t_hang) + t_hang + eu, out);
}

/* One pass over the chain: P(UP >= k) and E[UP], with no allocation. */
static int mr_solve(int n, int c, int k, double lambda, double mu, double *p_ge_k,
                    double *mean_up)
{
    int cc = mr_crews(n, c, lambda, mu);
    if (cc < 0 || k < 0 || k > n)
        return AN_EDOM;
    if (lambda == 0) {
        *p_ge_k = 1;
        *mean_up = n;
        return AN_OK;
    }
    double lr = log(lambda) - log(mu), wmax = mr_wmax(n, cc, lr);
    double w = 0, total = 0, tail = 0, up = 0;
    for (int j = 0; j <= n; j++) {
        if (j > 0)
            w = mr_next(w, j, n, cc, lr);
        double e = lse_term(w, wmax);
        total += e;
        up += (double)(n - j) * e;
        if (n - j >= k)
            tail += e;
    }
    *p_ge_k = fmin(1.0, tail / total);
    *mean_up = up / total;
    return AN_OK;
}

/* P(UP >= k) = sum_{j=0}^{n-k} pi_j. */
int an_machine_repair(int n, int c, int k, double lambda, double mu, double *out)
{
    double p, m;
    int st = mr_solve(n, c, k, lambda, mu, &p, &m);
    return st ? st : put(p, out);
}

/* E[UP] = sum_j (n-j) pi_j. */
int an_machine_repair_mean_up(int n, int c, double lambda, double mu, double *out)
{
    double p, m;
    int st = mr_solve(n, c, 0, lambda, mu, &p, &m);
    return st ? st : put(m, out);
}

/* ---- retries ------------------------------------------------------------ */

/* (1-p)^n - 1 = expm1(n log1p(-p)), exact near p = 0. */
static double fail_all_m1(double p, int n) { return expm1((double)n * log1p(-p)); }

/* 1 - (1-p)^n. */
int an_retry_success(double p, int n, double *out)
{
    if (!prob(p) || n < 1)
        return AN_EDOM;
    return put(p == 1 ? 1.0 : -fail_all_m1(p, n), out);
}

/* (1 - (1-p)^n) / p, the geometric sum; its limit n at p = 0. */
int an_expected_attempts(double p, int n, double *out)
{
    if (!prob(p) || n < 1)
        return AN_EDOM;
    if (p == 0)
        return put((double)n, out);
    if (p == 1)
        return put(1.0, out);
    return put(-fail_all_m1(p, n) / p, out);
}

/* ---- queues --------------------------------------------------------------- */

static int mm1_check(double lambda, double mu)
{
    if (!nonneg(lambda) || !positive(mu))
        return AN_EDOM;
    return lambda < mu ? AN_OK : AN_EUNSTABLE;
}

/* W = 1/(mu - lambda). */
int an_mm1_response(double lambda, double mu, double *out)
{
    int st = mm1_check(lambda, mu);
    return st ? st : put(1.0 / (mu - lambda), out);
}

/* L = rho/(1-rho) = lambda/(mu - lambda). */
int an_mm1_number(double lambda, double mu, double *out)
{
    int st = mm1_check(lambda, mu);
    return st ? st : put(lambda / (mu - lambda), out);
}

/* Response time ~ Exp(mu - lambda): t_q = -ln(1-q)/(mu - lambda). */
int an_mm1_response_quantile(double lambda, double mu, double q, double *out)
{
    int st = mm1_check(lambda, mu);
    if (st)
        return st;
    if (!isfinite(q) || q < 0 || q >= 1)
        return AN_EDOM;
    return put(-log1p(-q) / (mu - lambda), out);
}

/* Erlang B by B_0 = 1, B_j = a B_{j-1} / (j + a B_{j-1}): every step is in
 * [0,1], so no factorial or power ever overflows. */
static double erlang_b_rec(int c, double a)
{
    if (isinf(a))
        return 1.0;
    double b = 1.0;
    for (int j = 1; j <= c; j++)
        b = a * b / (j + a * b);
    return b;
}

int an_erlang_b(int c, double lambda, double mu, double *out)
{
    if (c < 1 || !nonneg(lambda) || !positive(mu))
        return AN_EDOM;
    return put(erlang_b_rec(c, lambda / mu), out);
}

/* Shared checks of M/M/c: returns a = lambda/mu or a status < 0 in *st. */
static double mmc_load(int c, double lambda, double mu, int *st)
{
    *st = AN_EDOM;
    if (c < 1 || !nonneg(lambda) || !positive(mu))
        return 0;
    double a = lambda / mu;
    *st = a < c ? AN_OK : AN_EUNSTABLE;
    return a;
}

/* C = c B / (c - a (1 - B)). */
static double erlang_c_of(int c, double a)
{
    double b = erlang_b_rec(c, a);
    return c * b / (c - a * (1 - b));
}

int an_erlang_c(int c, double lambda, double mu, double *out)
{
    int st;
    double a = mmc_load(c, lambda, mu, &st);
    return st ? st : put(erlang_c_of(c, a), out);
}

/* Wq = C / (c mu - lambda), with c mu - lambda written mu (c - a) > 0. */
int an_mmc_wait(int c, double lambda, double mu, double *out)
{
    int st;
    double a = mmc_load(c, lambda, mu, &st);
    return st ? st : put(erlang_c_of(c, a) / (mu * (c - a)), out);
}

/* W = Wq + 1/mu. */
int an_mmc_response(int c, double lambda, double mu, double *out)
{
    double wq;
    int st = an_mmc_wait(c, lambda, mu, &wq);
    return st ? st : put(wq + 1.0 / mu, out);
}

/* B_n = p_n / (p_0 + ... + p_n) grows n by n without factorials or
 * overflow; B_K = p_K is the blocking probability. */
int an_mmck_blocking(int c, int k, double lambda, double mu, double *out)
{
    if (c < 1 || k < c || !nonneg(lambda) || !positive(mu))
        return AN_EDOM;
    double a = lambda / mu;
    if (isinf(a))
        return put(1.0, out);
    double b = 1.0;
    for (int n = 1; n <= k; n++)
        b = a * b / ((n < c ? n : c) + a * b);
    return put(b, out);
}

/* The printed form is 0/0 at rho = 1 and overflows for rho > 1 with long D.
 * Dividing by (1 - rho) E, with x = (mu - lambda) D = mu D (1 - rho):
 *     P(shed) = rho / ((1 + rho) e^x + rho^2 mu D (e^x - 1)/x)
 * whose terms are positive, finite or +inf (then the value is 0), and
 * (e^x - 1)/x -> 1 as x -> 0 gives 1 / (2 + mu D) at rho = 1. */
int an_mm1d_shed(double lambda, double mu, double d, double *out)
{
    if (!nonneg(lambda) || !positive(mu) || !nonneg(d))
        return AN_EDOM;
    double rho = lambda / mu, x = (mu - lambda) * d;
    if (rho == 0)
        return put(0.0, out);
    if (isinf(rho))
        return put(1.0, out);
    double h = x == 0 ? 1.0 : expm1(x) / x;
    double den = (1 + rho) * exp(x) + rho * (rho * mu * d * h);
    return put(rho / den, out);
}

/* Throttling against a fixed error rate.  Each request is sent with
 * probability 1 - p = (1 + k A)/(R + 1), R the requests and A the accepts in
 * the window.  While p > 0 that is linear in A, so the mean sending rate s
 * obeys s = E[1/W_eff] + a s in steady state (R ~ Poisson(lambda W_eff) and
 * E[1/(R + 1)] = 1/(lambda W_eff) to e^{-lambda W_eff}; E[A] = (1 - q) s
 * W_eff), the window W_eff = (b - 1 + u) w/b with u, the position in the
 * current bucket, uniform: E[1/W_eff] = (b/w) ln(b/(b - 1)). */
int an_throttle_errors(double lambda, double w, double k, double q, int buckets, double *out)
{
    if (!positive(lambda) || !positive(w) || !positive(k) || !prob(q) || buckets < 2)
        return AN_EDOM;
    double a = k * (1 - q);
    if (a >= 1)
        return put(0.0, out);
    double sent = buckets * log((double)buckets / (buckets - 1)) / (lambda * w * (1 - a));
    if (sent > 0.1) /* too few attempts per window: the linear regime does not hold */
        return AN_EDOM;
    return put(1 - sent, out);
}

/* M/M/c+D.  V, the wait an arrival would have, is 0 while a worker is free
 * (states j < c: the Erlang birth-death chain pi_j ~ a^j/j!); with all c busy
 * it falls at rate 1 and an arrival that will be served (V < D) raises it by
 * an Exp(c mu) (the next departure after it starts).  Level crossing gives
 * the density f(x) = lambda pi_{c-1} e^{(lambda - c mu) x} on (0, D] and
 * f(D) e^{-c mu (x - D)} above; P(shed) = P(V > D) = f(D)/(c mu) (PASTA).
 * Normalised and divided by e^{(lambda - c mu) D} (no overflow at any load):
 *     P = B r / (e^x + B (lambda D h + r)),  B = pi_{c-1} / sum_{j<c} pi_j. */
int an_mmcd_shed(int c, double lambda, double mu, double d, double *out)
{
    if (c < 1 || !nonneg(lambda) || !positive(mu) || !nonneg(d))
        return AN_EDOM;
    double a = lambda / mu, r = a / c, x = (c * mu - lambda) * d;
    if (a == 0)
        return put(0.0, out);
    if (isinf(a))
        return put(1.0, out);
    double b = 1.0; /* Erlang B with c - 1 servers */
    for (int n = 1; n < c; n++)
        b = a * b / (n + a * b);
    double h = x == 0 ? 1.0 : expm1(x) / x;
    double den = exp(x) + b * (lambda * d * h + r);
    return put(b * r / den, out);
}
