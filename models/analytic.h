/* analytic.h - closed-form reliability and queueing formulas (prefix an_).
 *
 * Pure functions: no I/O, no allocation, no globals.  They give the
 * predictions the simulator is checked against (results.json "analytic" and
 * "model_check") and back `relsim formula`.  The design document's formulas
 * and how we read them are in MODEL.md and docs/FORMULAS.md.
 *
 * Conventions, the same for every function:
 *   - time in seconds, rates per second, probabilities in [0, 1];
 *   - the result goes through the last pointer argument; the return value is
 *     AN_OK (0) or a negative AN_E* status, and on error *out is untouched;
 *   - inputs are checked (NaN, infinities, negative rates, p outside its
 *     interval, k > n ...), and a result that would not be finite (an unstable
 *     queue, an overflow) is an error: no function ever yields NaN or inf.
 *
 * The registry at the end describes every formula once (name, inputs with
 * their domains, meaning, an evaluator over a double array) so the CLI, its
 * --list and its --help are all generated from the same table.
 */
#ifndef RELSIM_ANALYTIC_H
#define RELSIM_ANALYTIC_H

#include <stddef.h>

enum {
    AN_OK = 0,
    AN_EDOM = -1,      /* an input is outside the formula's domain */
    AN_EUNSTABLE = -2, /* the queue is unstable: no finite steady state */
    AN_ERANGE = -3,    /* the value is not representable (overflow) */
    AN_EBUF = -4       /* the caller's buffer is too small */
};

/* A short English description of an AN_* status ("input outside the domain"). */
const char *an_strerror(int status);

/* --- the design document's formulas --------------------------------------- */

/* P_retry(t) = 1 - e^{-lambda t} for t <= t_max, 0 for t > t_max (as printed).
 * lambda >= 0, t >= 0, t_max >= 0. */
int an_p_retry(double lambda, double t, double t_max, double *out);

/* P(the exponential_random retry fires at all) = 1 - e^{-lambda t_max}.
 * lambda >= 0, t_max >= 0. */
int an_p_retry_fires(double lambda, double t_max, double *out);

/* T_timeout = -ln(p) / mu: the timeout that cuts off a fraction p of healthy
 * attempts whose response time is Exp(mu).  The document prints
 * (1/mu) ln(1 - P), negative for every P in (0,1); ours is that formula with
 * the sign fixed and P read as 1 - p.  mu > 0, 0 < p < 1. */
int an_t_timeout(double mu, double p, double *out);

/* Q_balance = n rho / k: offered load in Erlangs (n servers each receiving
 * rho req/s, each serving k req/s).  n >= 1, rho >= 0, k > 0.  The value is
 * returned even when rho >= k (overload); it is then no longer the mean
 * number of busy servers, which saturates at n. */
int an_q_balance(int n, double rho, double k, double *out);

/* P_failure(t) = 1 - e^{-lambda t}: CDF of an Exp(lambda) time to failure
 * (also P_recovery with the repair rate).  lambda >= 0, t >= 0. */
int an_exp_cdf(double rate, double t, double *out);

/* --- availability ----------------------------------------------------------- */

/* Steady-state availability of one server, A = mu / (lambda + mu).
 * lambda >= 0, mu > 0. */
int an_availability(double lambda, double mu, double *out);

/* Point availability at t of one server that starts UP:
 * A(t) = mu/(lambda+mu) + lambda/(lambda+mu) e^{-(lambda+mu) t}.
 * lambda >= 0, mu > 0, t >= 0. */
int an_availability_t(double lambda, double mu, double t, double *out);

/* Interval availability (expected fraction of [0, T] spent UP, start UP):
 * (1/T) int_0^T A(t) dt = mu/(l+m) + l/((l+m)^2 T) (1 - e^{-(l+m) T}).
 * lambda >= 0, mu > 0, T > 0. */
int an_availability_interval(double lambda, double mu, double T, double *out);

/* P(at least k of n independent servers are UP) in steady state:
 * sum_{i=k}^{n} C(n,i) A^i (1-A)^{n-i}, A = mu/(lambda+mu).  Each server has
 * its own repair crew.  n >= 1, 0 <= k <= n, lambda >= 0, mu > 0. */
int an_k_of_n(int n, int k, double lambda, double mu, double *out);

/* Machine-repair model (finite source, c crews): state j = servers DOWN,
 *   j -> j+1 at rate (n-j) lambda,  j -> j-1 at rate min(j, c) mu,
 *   pi_j = pi_0 prod_{i=1}^{j} (n-i+1) lambda / (min(i, c) mu),
 * solved in log space.  c = 0 (or c >= n) means every DOWN server is being
 * repaired (= k_of_n).  Returns P(at least k of n UP).
 * n >= 1, c >= 0, 0 <= k <= n, lambda >= 0, mu > 0. */
int an_machine_repair(int n, int c, int k, double lambda, double mu, double *out);

/* The same chain's mean number of servers UP, sum_u u P(u UP). */
int an_machine_repair_mean_up(int n, int c, double lambda, double mu, double *out);

/* The same chain's stationary distribution by servers UP:
 * p_up[u] = P(exactly u of n UP), u = 0..n.  len must be >= n + 1
 * (AN_EBUF otherwise); p_up is caller memory. */
int an_machine_repair_dist(int n, int c, double lambda, double mu, double *p_up, size_t len);

/* --- standby spares and health checking ------------------------------------ */

/* Standby chain (pools.X.spares, switchover 0): n active positions, s spares,
 * c crews (0 = one per DOWN unit); with j units DOWN, u = n+s-j UP of which
 * a = min(n, u) serve and u-a idle:
 *   j -> j+1 at lambda (a + f (u - a)),  j -> j-1 at min(j, c') mu,
 * f = 0 cold, warm_factor, 1 hot.  Solved in log space.  *P_K = P(a >= k)
 * (system_availability with quorum k), *MEAN_ACTIVE = E[a] (divided by n it
 * is server_availability).  Either output may be NULL.
 * n >= 1, s >= 0, 0 <= f <= 1, 0 <= k <= n, c >= 0, lambda >= 0, mu > 0. */
int an_standby(int n, int s, double f, int k, int c, double lambda, double mu, double *p_k,
               double *mean_active);

/* Health checking with thresholds 1 and direct probes every I (no jitter)
 * of a server with UP ~ Exp(lambda), DOWN ~ Exp(mu), A = mu/(lambda+mu):
 * the time fraction DOWN but believed UP, equal to the fraction UP but
 * believed DOWN: A (1-A) (1 - (1 - e^{-(lambda+mu) I}) / ((lambda+mu) I)).
 * lambda >= 0, mu > 0, I > 0. */
int an_mismatch_fraction(double lambda, double mu, double interval, double *out);

/* Mean detection delay with direct probes every I, threshold F, over the
 * failures detected before their Exp(mu) repair, failures Exp(lambda);
 * T = the probe timeout for a hang server (0 for fail_fast, whose failed
 * probes answer at once).  The first failed probe comes U after the last
 * failure before it (UP at the probe I earlier), U with density
 * ~ (A + (1-A) e^{-(lambda+mu)(I-u)}) e^{-mu u} on [0, I], A = mu/(lambda+mu):
 *   (F-1)(I+T) + T + E[U]   (both rates -> 0: E[U] = I/2)
 * Exchanging lambda and mu, T = 0 and F = healthy_threshold: the recovery-
 * detection delay.  I > 0, F >= 1, T >= 0, mu >= 0, lambda >= 0. */
int an_detection_delay(double interval, int f, double t_hang, double mu, double lambda, double *out);

/* --- retries ------------------------------------------------------------- */

/* P(a request succeeds within n attempts) = 1 - (1 - p)^n, attempts
 * independent with success probability p.  0 <= p <= 1, n >= 1. */
int an_retry_success(double p, int n, double *out);

/* Expected attempts per request, stopping at the first success or after n:
 * sum_{i=0}^{n-1} (1-p)^i = (1 - (1-p)^n) / p  (= n when p = 0).
 * 0 <= p <= 1, n >= 1. */
int an_expected_attempts(double p, int n, double *out);

/* --- queues ---------------------------------------------------------------- */

/* M/M/1 mean response time (wait + service) W = 1 / (mu - lambda).
 * lambda >= 0, mu > 0; lambda >= mu is AN_EUNSTABLE. */
int an_mm1_response(double lambda, double mu, double *out);

/* M/M/1 mean number in system L = rho / (1 - rho), rho = lambda/mu. */
int an_mm1_number(double lambda, double mu, double *out);

/* M/M/1 q-quantile of the response time (which is Exp(mu - lambda)):
 * -ln(1 - q) / (mu - lambda).  0 <= q < 1. */
int an_mm1_response_quantile(double lambda, double mu, double q, double *out);

/* Erlang C: probability an arrival waits in an M/M/c queue, a = lambda/mu:
 * C = c B / (c - a (1 - B)), B = Erlang B from the stable recursion
 * B_0 = 1, B_j = a B_{j-1} / (j + a B_{j-1}).
 * c >= 1, lambda >= 0, mu > 0; a >= c is AN_EUNSTABLE. */
int an_erlang_c(int c, double lambda, double mu, double *out);

/* Erlang B: blocking probability of an M/M/c/c loss system (same recursion).
 * c >= 1, lambda >= 0, mu > 0; never unstable. */
int an_erlang_b(int c, double lambda, double mu, double *out);

/* M/M/c/K blocking probability: c servers, room for K requests in all
 * (K - c waiting); an arrival finding K present is lost.  p_n is proportional
 * to a^n/n! for n <= c and to a^c/c! (a/c)^(n-c) above, a = lambda/mu; the
 * answer p_K comes from B_n = a B_{n-1} / (min(n,c) + a B_{n-1}), B_0 = 1,
 * which is Erlang B for n <= c.  1 <= c <= K, lambda >= 0, mu > 0; any load. */
int an_mmck_blocking(int c, int k, double lambda, double mu, double *out);

/* M/M/1+D shed fraction: one exponential server, FIFO, Poisson arrivals, and
 * an arrival is dropped when its wait would exceed the deterministic queue
 * timeout D.  With rho = lambda/mu and E = e^{-(mu - lambda) D}:
 *     P(shed) = rho (1 - rho) E / (1 - rho^2 E)
 * (Baccelli, Boyer and Hebuterne 1984), valid for every rho (rho >= 1 too:
 * shedding keeps the queue stable); at rho = 1 it is 1 / (2 + mu D).
 * lambda >= 0, mu > 0, d >= 0; d = 0 gives rho / (1 + rho) (M/M/1/1). */
int an_mm1d_shed(double lambda, double mu, double d, double *out);

/* M/M/c+D shed fraction: c exponential servers (rate mu each) sharing one
 * FIFO queue, Poisson arrivals, and an arrival is dropped when its wait would
 * exceed the deterministic queue timeout D (a pool server with c workers and
 * admission.queue_timeout D).  With a = lambda/mu, r = lambda/(c mu),
 * x = (c mu - lambda) D, h = (e^x - 1)/x (1 at x = 0) and B = Erlang B with
 * c - 1 servers at load a (B = 1 for c = 1):
 *     P(shed) = B r / (e^x + B (lambda D h + r))
 * (level crossing on the virtual waiting time; FORMULAS.md).  c = 1 is
 * an_mm1d_shed, D = 0 is Erlang B with c servers; valid at every load.
 * c >= 1, lambda >= 0, mu > 0, d >= 0. */
int an_mmcd_shed(int c, double lambda, double mu, double d, double *out);

/* SRE adaptive throttling (clients.X.throttle {k, window}) against a
 * backend that fails every attempt independently with probability q (fault
 * injection) and answers the rest with success: the steady-state fraction
 * of requests (Poisson, rate lambda) the client rejects itself.  The window
 * w slides in `buckets` steps.  With a = k (1 - q):
 *     a >= 1: 0 (the accepts stay above requests/k but for fluctuations
 *             exponentially rare in lambda w);
 *     a <  1: 1 - b ln(b/(b - 1)) / (lambda w (1 - a)),  b = buckets:
 * the client collapses to about 1/(1 - a) attempts per window (FORMULAS.md
 * derives it).  Accurate to relative order 1/(lambda w) on the share sent;
 * AN_EDOM when that share would exceed 0.1 (too few attempts per window for
 * the limit).  lambda > 0, w > 0, k > 0, q in [0, 1], buckets >= 2. */
int an_throttle_errors(double lambda, double w, double k, double q, int buckets, double *out);

/* M/M/c mean waiting time in queue Wq = C / (c mu - lambda). */
int an_mmc_wait(int c, double lambda, double mu, double *out);

/* M/M/c mean response time W = C / (c mu - lambda) + 1/mu. */
int an_mmc_response(int c, double lambda, double mu, double *out);

/* --- the registry -------------------------------------------------------- */

#define AN_MAX_INPUTS 8

typedef enum { AN_REAL = 0, AN_INT } an_kind;

/* One input of a formula and its domain: lo (<) <= x (<) <= hi. */
typedef struct {
    const char *name;    /* key on the command line: "lambda" */
    const char *meaning; /* "failure rate of one server (1/s)" */
    an_kind kind;        /* AN_INT: a whole number */
    double lo, hi;       /* bounds; -HUGE_VAL / HUGE_VAL for none */
    int lo_open, hi_open; /* 1: the bound itself is excluded */
} an_input;

/* Why an evaluation failed: which input to blame and what was expected;
 * or, on success, a caveat the caller must show with the value. */
typedef struct {
    int input;            /* index into the formula's inputs, -1 if none */
    const char *expected; /* static text, e.g. "k <= n" */
    const char *warning;  /* static text or NULL: the value is valid but misleading */
} an_diag;

/* One formula.  All strings are static. */
typedef struct {
    const char *name;    /* "t_timeout" */
    const char *formula; /* "-ln(p) / mu" */
    const char *meaning; /* one line */
    const char *unit;    /* unit of the value: "s", "probability", ... */
    const char *notes;   /* longer reading for --help, may be NULL */
    const char *example; /* example inputs: "mu=10 p=0.01" */
    int n_inputs;
    an_input inputs[AN_MAX_INPUTS];
    /* Evaluates at x[0..n_inputs-1], already inside their domains; checks
     * relations between inputs and fills *d on error. */
    int (*eval)(const double *x, double *out, an_diag *d);
} an_formula;

/* The table of every formula; *count receives its length. Static storage. */
const an_formula *an_formulas(size_t *count);

/* The formula called name, or NULL. */
const an_formula *an_formula_find(const char *name);

/* AN_OK if v is inside in's domain (finite, bounds, whole if AN_INT). */
int an_input_check(const an_input *in, double v);

/* Writes in's domain in words ("real > 0", "integer in [1, 1000000]")
 * into buf (always NUL-terminated); returns buf. */
char *an_input_domain(const an_input *in, char *buf, size_t size);

/* Checks every x[i] against its domain, then evaluates.  On error returns the
 * status and fills *d (d may be NULL): the offending input and what it must
 * be. */
int an_formula_eval(const an_formula *f, const double *x, double *out, an_diag *d);

#endif
