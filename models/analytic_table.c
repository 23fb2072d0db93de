/* analytic_table.c - the table that describes every formula of analytic.c to
 * the CLI (`relsim formula`): names, inputs with their domains, meanings,
 * and the evaluators that check the inputs and say which one is wrong.
 *
 * Adding a formula: implement it in analytic.c (declared in analytic.h), then
 * add one evaluator and one row here.
 */
#include "models/analytic.h"
#include "models/throttle.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- the registry: one row per formula --------------------------------- */

#define INF HUGE_VAL
#define NMAX 1e6 /* the largest n, k or c: the chains cost O(n) */

/* Input shorthands: name, meaning, kind, lo, hi, lo_open, hi_open. */
#define RATE_GE0(nm, what) {nm, what, AN_REAL, 0, INF, 0, 1}
#define RATE_GT0(nm, what) {nm, what, AN_REAL, 0, INF, 1, 1}
#define TIME_GE0(nm, what) {nm, what, AN_REAL, 0, INF, 0, 1}
#define INT_IN(nm, what, lo) {nm, what, AN_INT, lo, NMAX, 0, 0}

#define IN_LAMBDA RATE_GE0("lambda", "failure rate of one server (1/s); MTTF = 1/lambda")
#define IN_MU_REPAIR RATE_GT0("mu", "repair rate of one server (1/s); MTTR = 1/mu")
#define IN_N_SERVERS INT_IN("n", "number of servers", 1)
#define IN_K_UP INT_IN("k", "servers that must be UP (quorum)", 0)
#define IN_ARR RATE_GE0("lambda", "arrival rate (req/s)")
#define IN_SVC RATE_GT0("mu", "service rate of one server (req/s)")
#define IN_C_SERVERS INT_IN("c", "number of servers (workers)", 1)

/* Diagnoses: blame input i, say what was expected, return st. */
static int blame(an_diag *d, int i, const char *expected, int st)
{
    d->input = i;
    d->expected = expected;
    return st;
}

/* Fills a generic diagnosis for statuses the wrapper did not foresee. */
static int diag_status(an_diag *d, int st)
{
    if (st == AN_ERANGE && !d->expected)
        d->expected = "inputs for which the value is a finite number";
    return st;
}

#define I(k) ((int)x[k])

static int ev_p_retry(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_p_retry(x[0], x[1], x[2], o));
}
static int ev_p_retry_fires(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_p_retry_fires(x[0], x[1], o));
}
static int ev_t_timeout(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_t_timeout(x[0], x[1], o));
}
static int ev_q_balance(const double *x, double *o, an_diag *d)
{
    if (x[1] >= x[2])
        d->warning = "rho >= k: each server receives at least what it can serve, so the pool "
                     "is unstable (queues grow without bound) and the busy count saturates at n; "
                     "the value is offered load, not the mean busy servers";
    return diag_status(d, an_q_balance(I(0), x[1], x[2], o));
}
static int ev_exp_cdf(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_exp_cdf(x[0], x[1], o));
}
static int ev_availability(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_availability(x[0], x[1], o));
}
static int ev_availability_t(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_availability_t(x[0], x[1], x[2], o));
}
static int ev_availability_interval(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_availability_interval(x[0], x[1], x[2], o));
}
static int ev_k_of_n(const double *x, double *o, an_diag *d)
{
    if (x[1] > x[0])
        return blame(d, 1, "an integer k <= n (at most all n servers can be UP)", AN_EDOM);
    return diag_status(d, an_k_of_n(I(0), I(1), x[2], x[3], o));
}
static int ev_machine_repair(const double *x, double *o, an_diag *d)
{
    if (x[2] > x[0])
        return blame(d, 2, "an integer k <= n (at most all n servers can be UP)", AN_EDOM);
    return diag_status(d, an_machine_repair(I(0), I(1), I(2), x[3], x[4], o));
}
static int ev_machine_repair_mean_up(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_machine_repair_mean_up(I(0), I(1), x[2], x[3], o));
}
static int ev_standby(const double *x, double *o, an_diag *d)
{
    if (x[3] > x[0])
        return blame(d, 3, "an integer k <= n (at most all n positions can serve)", AN_EDOM);
    return diag_status(d, an_standby(I(0), I(1), x[2], I(3), I(4), x[5], x[6], o, NULL));
}
static int ev_standby_mean_active(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_standby(I(0), I(1), x[2], 0, I(3), x[4], x[5], NULL, o));
}
static int ev_mismatch_fraction(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_mismatch_fraction(x[0], x[1], x[2], o));
}
static int ev_detection_delay(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_detection_delay(x[0], I(1), x[2], x[3], x[4], o));
}
static int ev_retry_success(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_retry_success(x[0], I(1), o));
}
static int ev_expected_attempts(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_expected_attempts(x[0], I(1), o));
}

static const char *mm1_unstable =
    "lambda < mu (at lambda >= mu the queue grows without bound: no finite value)";
static const char *mmc_unstable =
    "lambda < c*mu (at lambda >= c*mu the queue grows without bound: no finite value)";

/* Maps an M/M/1 or M/M/c status to a diagnosis blaming lambda (input li). */
static int queue_status(an_diag *d, int li, const char *why, int st)
{
    if (st == AN_EUNSTABLE)
        return blame(d, li, why, st);
    return diag_status(d, st);
}

static int ev_mm1_response(const double *x, double *o, an_diag *d)
{
    return queue_status(d, 0, mm1_unstable, an_mm1_response(x[0], x[1], o));
}
static int ev_mm1_number(const double *x, double *o, an_diag *d)
{
    return queue_status(d, 0, mm1_unstable, an_mm1_number(x[0], x[1], o));
}
static int ev_mm1_quantile(const double *x, double *o, an_diag *d)
{
    return queue_status(d, 0, mm1_unstable, an_mm1_response_quantile(x[0], x[1], x[2], o));
}
static int ev_erlang_b(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_erlang_b(I(0), x[1], x[2], o));
}
static int ev_erlang_c(const double *x, double *o, an_diag *d)
{
    return queue_status(d, 1, mmc_unstable, an_erlang_c(I(0), x[1], x[2], o));
}
static int ev_mmc_wait(const double *x, double *o, an_diag *d)
{
    return queue_status(d, 1, mmc_unstable, an_mmc_wait(I(0), x[1], x[2], o));
}
static int ev_mmc_response(const double *x, double *o, an_diag *d)
{
    return queue_status(d, 1, mmc_unstable, an_mmc_response(I(0), x[1], x[2], o));
}

static int ev_mmck_blocking(const double *x, double *o, an_diag *d)
{
    if (x[1] < x[0])
        return blame(d, 1, "an integer k >= c (the capacity counts the c requests in service)",
                     AN_EDOM);
    return diag_status(d, an_mmck_blocking(I(0), I(1), x[2], x[3], o));
}
static int ev_mm1d_shed(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_mm1d_shed(x[0], x[1], x[2], o));
}

static int ev_mmcd_shed(const double *x, double *o, an_diag *d)
{
    return diag_status(d, an_mmcd_shed(I(0), x[1], x[2], x[3], o));
}

static int ev_throttle_errors(const double *x, double *o, an_diag *d)
{
    double a = x[2] * (1 - x[3]);
    int st = an_throttle_errors(x[0], x[1], x[2], x[3], THROTTLE_BUCKETS, o);
    if (st == AN_EDOM && a < 1)
        return blame(d, 0,
                     "lambda * window * (1 - k (1 - q)) of at least about 10: the client would send more than "
                     "a tenth of its requests, too few per window for the steady state",
                     AN_EDOM);
    if (st == AN_OK && a >= 1)
        d->warning = "k (1 - q) >= 1: the throttle rejects nothing in steady state (but for fluctuations of "
                     "the window's counts, rare when lambda * window is large)";
    return diag_status(d, st);
}

static const an_formula table[] = {
    {"p_retry", "1 - exp(-lambda*t) if t <= t_max, else 0",
     "probability that an exponential_random retry has fired within t (the printed P_retry)",
     "probability",
     "The design document's P_retry(t), returned exactly as printed, 0 included.\n"
     "Reading: the backoff delay d ~ Exp(lambda); if d > t_max the retry is\n"
     "abandoned and the request fails.  So for t <= t_max this is P(d <= t), and\n"
     "past t_max no retry fires any more, which is what the printed 0 means; the\n"
     "probability that the retry ever fires is p_retry_fires = 1 - exp(-lambda*t_max).",
     "lambda=2.5 t=0.3 t_max=1",
     3,
     {RATE_GE0("lambda", "rate of the exponential backoff delay (1/s); mean delay 1/lambda"),
      TIME_GE0("t", "time since the failed attempt (s)"),
      TIME_GE0("t_max", "longest delay allowed before the retry is abandoned (s)")},
     ev_p_retry},
    {"p_retry_fires", "1 - exp(-lambda*t_max)",
     "probability that an exponential_random retry fires at all (its delay is <= t_max)",
     "probability",
     "The limit of P_retry(t) as t rises to t_max: the fraction of retries the\n"
     "exponential_random policy actually sends (the rest are abandoned).",
     "lambda=2.5 t_max=1",
     2,
     {RATE_GE0("lambda", "rate of the exponential backoff delay (1/s)"),
      TIME_GE0("t_max", "longest delay allowed before the retry is abandoned (s)")},
     ev_p_retry_fires},
    {"t_timeout", "-ln(p) / mu",
     "per-attempt timeout that cuts off a fraction p of healthy attempts with Exp(mu) "
     "response times",
     "s",
     "The design document prints T_timeout = (1/mu) ln(1 - P_timeout), which is\n"
     "negative for every P_timeout in (0,1): no timeout can be negative.  With a\n"
     "response time R ~ Exp(mu), P(R > T) = exp(-mu*T); the timeout that cuts off\n"
     "a fraction p of healthy attempts is T = -ln(p)/mu, the (1-p)-quantile of R.\n"
     "That is the printed formula with its sign fixed and P read as the\n"
     "probability of finishing in time, P = 1 - p.\n"
     "mu is the rate of the response time.  For a bare server with service rate K\n"
     "use mu = K; for an M/M/1 queue (service rate K, arrival rate r per server)\n"
     "the response time is Exp(K - r), so use mu_eff = K - r.\n"
     "In a scenario, \"timeout\": {\"p_timeout\": p} derives the timeout this way.",
     "mu=10 p=0.01",
     2,
     {RATE_GT0("mu", "rate of the healthy response time (1/s): K, or K - arrival rate in M/M/1"),
      {"p", "fraction of healthy attempts the timeout may cut off", AN_REAL, 0, 1, 1, 1}},
     ev_t_timeout},
    {"q_balance", "n * rho / k",
     "offered load in Erlangs = mean busy servers in steady state (if rho < k)",
     "Erlangs (busy servers)",
     "The design document's Q_balance: n servers each receiving rho req/s, each\n"
     "serving k req/s.  rho/k = Q/n is each server's utilisation; the pool is\n"
     "stable iff rho < k, and then Q is the time-average number of busy servers\n"
     "(one worker each).  When rho >= k the value is still returned but the busy\n"
     "count saturates at n and queues grow without bound.",
     "n=8 rho=75 k=100",
     3,
     {IN_N_SERVERS, RATE_GE0("rho", "request rate arriving at each server (req/s)"),
      RATE_GT0("k", "service rate of each server (req/s)")},
     ev_q_balance},
    {"p_failure", "1 - exp(-lambda*t)",
     "probability that a server UP at 0 has failed by t (CDF of the time to failure)",
     "probability",
     "The design document's P_failure(t), read as the CDF of an exponential time\n"
     "to failure; the report plots the observed up-time CDF against it.",
     "lambda=0.001 t=600",
     2,
     {IN_LAMBDA, TIME_GE0("t", "time since the server came UP (s)")},
     ev_exp_cdf},
    {"p_recovery", "1 - exp(-mu*t)",
     "probability that a server DOWN at 0 has been repaired by t (CDF of the repair time)",
     "probability",
     "The design document's P_recovery(t), read as the CDF of an exponential time\n"
     "to repair; the report plots the observed down-time CDF against it.",
     "mu=0.1 t=20",
     2,
     {RATE_GE0("mu", "repair rate (1/s); MTTR = 1/mu"),
      TIME_GE0("t", "time since the server went DOWN (s)")},
     ev_exp_cdf},
    {"availability", "mu / (lambda + mu)",
     "steady-state availability of one server (fraction of time UP) = MTTF/(MTTF+MTTR)",
     "probability",
     "Two-state Markov chain UP -> DOWN at lambda, DOWN -> UP at mu.",
     "lambda=0.001 mu=0.1",
     2,
     {IN_LAMBDA, IN_MU_REPAIR},
     ev_availability},
    {"availability_t", "mu/(lambda+mu) + lambda/(lambda+mu) * exp(-(lambda+mu)*t)",
     "probability that a server UP at time 0 is UP at time t (point availability)",
     "probability",
     "Transient solution of the two-state chain started UP: 1 at t = 0, decays\n"
     "to the steady-state availability with time constant 1/(lambda+mu).",
     "lambda=0.001 mu=0.1 t=5",
     3,
     {IN_LAMBDA, IN_MU_REPAIR, TIME_GE0("t", "time since start, when every server is UP (s)")},
     ev_availability_t},
    {"availability_interval",
     "mu/(lambda+mu) + lambda/((lambda+mu)^2 t) * (1 - exp(-(lambda+mu)*t))",
     "expected fraction of [0, t] a server that starts UP spends UP (interval availability)",
     "probability",
     "The time average of availability_t over [0, t]; what server_availability\n"
     "estimates in a run of horizon t with no warmup.  It exceeds the steady\n"
     "state value because every server starts UP.",
     "lambda=0.001 mu=0.1 t=3600",
     3,
     {IN_LAMBDA, IN_MU_REPAIR, {"t", "length of the interval [0, t] (s)", AN_REAL, 0, INF, 1, 1}},
     ev_availability_interval},
    {"k_of_n", "sum_{i=k..n} C(n,i) A^i (1-A)^(n-i),  A = mu/(lambda+mu)",
     "probability that at least k of n independent servers are UP (one repair crew each)",
     "probability",
     "Servers fail and are repaired independently (unlimited crews), so the\n"
     "number UP is Binomial(n, A).  This is system_availability with quorum k and\n"
     "repair_crews 0; see machine_repair for a limited number of crews.",
     "n=5 k=3 lambda=0.01 mu=0.1",
     4,
     {IN_N_SERVERS, IN_K_UP, IN_LAMBDA, IN_MU_REPAIR},
     ev_k_of_n},
    {"machine_repair",
     "sum_{j=0..n-k} pi_j, pi_j ~ prod_{i=1..j} (n-i+1)*lambda / (min(i,c)*mu)",
     "probability that at least k of n servers are UP when only c repair crews work at once",
     "probability",
     "The finite-source machine-repair chain: j servers DOWN, failures at\n"
     "(n-j)*lambda, repairs at min(j,c)*mu (the other DOWN servers wait for a crew,\n"
     "FIFO).  Solved exactly in log space.  c = 0 (or c >= n) means every DOWN\n"
     "server is repaired at once, which equals k_of_n.  This is\n"
     "system_availability with quorum k and repair_crews c.",
     "n=3 c=1 k=2 lambda=0.05 mu=0.2",
     5,
     {IN_N_SERVERS, INT_IN("c", "repair crews (0 = one per server)", 0), IN_K_UP, IN_LAMBDA,
      IN_MU_REPAIR},
     ev_machine_repair},
    {"machine_repair_mean_up", "sum_{j=0..n} (n-j) pi_j  (same chain as machine_repair)",
     "mean number of servers UP with c repair crews; divided by n it is server_availability",
     "servers",
     "The same finite-source chain as machine_repair.  With c = 0 it is n*A.",
     "n=3 c=1 lambda=0.05 mu=0.2",
     4,
     {IN_N_SERVERS, INT_IN("c", "repair crews (0 = one per server)", 0), IN_LAMBDA, IN_MU_REPAIR},
     ev_machine_repair_mean_up},
    {"standby",
     "sum over states with min(n, n+s-j) >= k of pi_j, pi_j ~ prod_{i=1..j} lambda (a + f (u-a)) / (min(i,c) mu)",
     "probability that at least k of n active positions serve, with s standby spares",
     "probability",
     "Standby spares (pools.X.spares) with switchover 0: j of the n+s units\n"
     "DOWN, u = n+s-j UP, a = min(n, u) serving and u-a idle spares.  Serving units\n"
     "fail at lambda, idle ones at f*lambda: f = 0 cold, the warm_factor for warm,\n"
     "1 hot.  Repairs at min(j, c)*mu (c = 0: every DOWN unit repaired at once).\n"
     "This is system_availability with quorum k; s = 0 is machine_repair.",
     "n=2 s=1 f=0 k=2 c=0 lambda=0.1 mu=0.5",
     7,
     {IN_N_SERVERS, INT_IN("s", "standby spares", 0),
      {"f", "idle spare failure factor: 0 cold, warm_factor, 1 hot", AN_REAL, 0, 1, 0, 0}, IN_K_UP,
      INT_IN("c", "repair crews (0 = one per unit)", 0), IN_LAMBDA, IN_MU_REPAIR},
     ev_standby},
    {"standby_mean_active", "sum_j min(n, n+s-j) pi_j  (same chain as standby)",
     "mean number of active positions serving; divided by n it is server_availability",
     "servers",
     "The same chain as standby.",
     "n=2 s=1 f=1 c=0 lambda=0.1 mu=0.5",
     6,
     {IN_N_SERVERS, INT_IN("s", "standby spares", 0),
      {"f", "idle spare failure factor: 0 cold, warm_factor, 1 hot", AN_REAL, 0, 1, 0, 0},
      INT_IN("c", "repair crews (0 = one per unit)", 0), IN_LAMBDA, IN_MU_REPAIR},
     ev_standby_mean_active},
    {"mismatch_fraction", "A (1-A) (1 - (1 - exp(-(lambda+mu) I)) / ((lambda+mu) I)), A = mu/(lambda+mu)",
     "time fraction a health-checked server is DOWN but believed healthy (= UP but believed unhealthy)",
     "probability",
     "Direct probes every I (no jitter), unhealthy and healthy thresholds 1,\n"
     "exponential UP and DOWN times: the belief is the state at the last probe,\n"
     "U ~ U(0, I) ago.  undetected_down_fraction and ejected_up_fraction both\n"
     "equal it.",
     "lambda=0.05 mu=0.2 interval=2",
     3,
     {IN_LAMBDA, IN_MU_REPAIR, RATE_GT0("interval", "seconds between probes")},
     ev_mismatch_fraction},
    {"detection_delay", "(F-1)(I+T) + T + E[U], U on [0, I] with density ~ (A + (1-A) exp(-(lambda+mu)(I-u))) exp(-mu u), A = mu/(lambda+mu)",
     "mean time from a server going DOWN to being believed unhealthy (detected failures)",
     "s",
     "Direct probes every I (no jitter), unhealthy_threshold F; the first failed\n"
     "probe comes U after the failure; each failed probe takes T (the probe\n"
     "timeout for a hang server, 0 for fail_fast).  U is the age of the DOWN\n"
     "period the probe finds (UP at the good probe I earlier; fail, recover, fail\n"
     "again between probes counts from the last failure; only failures detected\n"
     "before their Exp(mu) repair count).  lambda = mu = 0 is the\n"
     "design rule (F-1)*I + I/2 (Kubernetes' 10 s x 3: 25 s).  Exchanging lambda\n"
     "and mu, with T = 0 and F = healthy_threshold, gives the recovery-detection\n"
     "delay.  Exact for F = 1; for F > 1 not counted: an UP period too short for\n"
     "a good probe carries failed probes over (shorter delays, of order lambda*I).",
     "interval=10 f=3 t=0 mu=0 lambda=0",
     5,
     {RATE_GT0("interval", "seconds between probes"), INT_IN("f", "unhealthy_threshold", 1),
      TIME_GE0("t", "probe timeout if the server hangs when DOWN, else 0 (s)"),
      RATE_GE0("mu", "repair rate (1/s); 0 = repairs much longer than f*interval"),
      RATE_GE0("lambda", "failure rate (1/s); 0 = failures rare against the interval")},
     ev_detection_delay},
    {"retry_success", "1 - (1-p)^n",
     "probability a request succeeds within n attempts of independent success probability p",
     "probability",
     "Assumes attempts succeed independently, which retries against the same\n"
     "failing server violate; the simulator shows by how much.",
     "p=0.9 n=3",
     2,
     {{"p", "success probability of one attempt", AN_REAL, 0, 1, 0, 0},
      INT_IN("n", "maximum attempts, the first included (max_attempts)", 1)},
     ev_retry_success},
    {"expected_attempts", "(1 - (1-p)^n) / p   (= n when p = 0)",
     "expected attempts per request, stopping at the first success or after n attempts",
     "attempts",
     "The mean of a geometric count truncated at n: sum_{i=0..n-1} (1-p)^i.\n"
     "Compare with attempts_per_request; the load a pool sees is multiplied by it.",
     "p=0.9 n=3",
     2,
     {{"p", "success probability of one attempt", AN_REAL, 0, 1, 0, 0},
      INT_IN("n", "maximum attempts, the first included (max_attempts)", 1)},
     ev_expected_attempts},
    {"mm1_response", "1 / (mu - lambda)",
     "mean response time (waiting + service) of an M/M/1 queue",
     "s",
     "Poisson arrivals at lambda, one server with Exp(mu) service, FIFO.  The\n"
     "response time is itself Exp(mu - lambda).  Needs lambda < mu.",
     "lambda=75 mu=100",
     2,
     {IN_ARR, IN_SVC},
     ev_mm1_response},
    {"mm1_number", "rho / (1 - rho),  rho = lambda/mu",
     "mean number of requests in an M/M/1 system (waiting + in service)",
     "requests",
     "Little's law: mm1_number = lambda * mm1_response.  Needs lambda < mu.",
     "lambda=75 mu=100",
     2,
     {IN_ARR, IN_SVC},
     ev_mm1_number},
    {"mm1_quantile", "-ln(1 - q) / (mu - lambda)",
     "q-quantile of the M/M/1 response time (e.g. q=0.99 gives the p99 latency)",
     "s",
     "The M/M/1 response time is Exp(mu - lambda), so its q-quantile is\n"
     "-ln(1-q)/(mu-lambda).  t_timeout with mu_eff = mu - lambda and p = 1 - q\n"
     "gives the same number.  Needs lambda < mu.",
     "lambda=75 mu=100 q=0.99",
     3,
     {IN_ARR, IN_SVC, {"q", "quantile level", AN_REAL, 0, 1, 0, 1}},
     ev_mm1_quantile},
    {"erlang_b", "B(c,a): B_0 = 1, B_j = a B_{j-1} / (j + a B_{j-1}),  a = lambda/mu",
     "probability that an arrival finds all c servers busy in an M/M/c/c loss system",
     "probability",
     "Erlang B, for a pool with no waiting room (queue_limit with every worker\n"
     "busy rejects at once).  Computed by the stable recursion.",
     "c=8 lambda=600 mu=100",
     3,
     {IN_C_SERVERS, IN_ARR, IN_SVC},
     ev_erlang_b},
    {"erlang_c", "c B / (c - a (1 - B)),  B = erlang_b(c, a),  a = lambda/mu",
     "probability that an arrival must wait in an M/M/c queue (all c servers busy)",
     "probability",
     "Erlang C, the M/M/c waiting probability, computed from the Erlang B\n"
     "recursion (no factorials).  a = lambda/mu is the offered load in Erlangs\n"
     "(q_balance).  Needs a < c.",
     "c=8 lambda=600 mu=100",
     3,
     {IN_C_SERVERS, IN_ARR, IN_SVC},
     ev_erlang_c},
    {"mmc_wait", "C / (c*mu - lambda),  C = erlang_c(c, lambda, mu)",
     "mean time an arrival waits in queue before service in an M/M/c queue",
     "s",
     "One shared FIFO queue in front of c servers.  erlang_c is the probability\n"
     "of waiting at all; this is the mean wait over every arrival.",
     "c=8 lambda=600 mu=100",
     3,
     {IN_C_SERVERS, IN_ARR, IN_SVC},
     ev_mmc_wait},
    {"mmc_response", "C / (c*mu - lambda) + 1/mu,  C = erlang_c(c, lambda, mu)",
     "mean response time (waiting + service) of an M/M/c queue",
     "s",
     "One shared FIFO queue in front of c servers; with c = 1 it is mm1_response.\n"
     "A pool of c servers each with its own queue behind a random balancer is\n"
     "c separate M/M/1 queues at lambda/c instead, and slower.",
     "c=8 lambda=600 mu=100",
     3,
     {IN_C_SERVERS, IN_ARR, IN_SVC},
     ev_mmc_response},
    {"mmck_blocking", "p_K: B_n = a B_{n-1} / (min(n,c) + a B_{n-1}), B_0 = 1,  a = lambda/mu",
     "probability that an arrival finds all K places taken in an M/M/c/K queue (lost)",
     "probability",
     "c servers and room for k requests in all (k - c waiting), like a pool of\n"
     "c workers with queue_limit k - c.  k = c is erlang_b; as k grows it tends\n"
     "to 0 below a = c.  Finite for every load (a >= c too).",
     "c=3 k=5 lambda=6 mu=2",
     4,
     {IN_C_SERVERS, INT_IN("k", "capacity: requests in service plus waiting (k >= c)", 1),
      IN_ARR, IN_SVC},
     ev_mmck_blocking},
    {"mm1d_shed", "rho (1 - rho) E / (1 - rho^2 E),  E = exp(-(mu - lambda) d),  rho = lambda/mu",
     "fraction of arrivals shed by an M/M/1 queue whose queue timeout is d (M/M/1+D)",
     "probability",
     "One exponential server, FIFO, Poisson arrivals, admission.queue_timeout d:\n"
     "an arrival is dropped when its wait would exceed d (Baccelli, Boyer and\n"
     "Hebuterne 1984).  Valid for every load, rho >= 1 included (the timeout\n"
     "keeps the queue stable; the value tends to 1 - 1/rho as d grows); at\n"
     "rho = 1 it is 1 / (2 + mu d), at d = 0 it is rho / (1 + rho).",
     "lambda=1.7 mu=2.385 d=0.6",
     3,
     {IN_ARR, RATE_GT0("mu", "service rate of the one server (req/s)"),
      TIME_GE0("d", "queue timeout D (s): the longest wait before service")},
     ev_mm1d_shed},
    {"mmcd_shed", "B r / (e^x + B (lambda d h + r)),  B = erlang_b(c-1, lambda/mu) (1 if c = 1),  "
                  "r = lambda/(c mu),  x = (c mu - lambda) d,  h = (e^x - 1)/x",
     "fraction of arrivals shed by an M/M/c queue whose queue timeout is d (M/M/c+D)",
     "probability",
     "c exponential workers sharing one FIFO queue, Poisson arrivals,\n"
     "admission.queue_timeout d: an arrival is dropped when its wait would exceed\n"
     "d.  c = 1 is mm1d_shed; d = 0 is erlang_b(c); valid for every load (it tends\n"
     "to 1 - c mu/lambda as d grows when lambda > c mu).",
     "c=3 lambda=4.1 mu=1.3 d=0.6",
     4,
     {IN_C_SERVERS, IN_ARR, IN_SVC, TIME_GE0("d", "queue timeout D (s): the longest wait before service")},
     ev_mmcd_shed},
    {"throttle_errors", "0 if a >= 1, else 1 - 40 ln(40/39) / (lambda window (1 - a)),  a = k (1 - q)",
     "fraction of requests a client's SRE throttle rejects against a backend failing each attempt with "
     "probability q",
     "probability",
     "clients.X.throttle {k, window} (a window of 40 buckets), Poisson requests\n"
     "at lambda, a backend that fails every attempt independently with\n"
     "probability q (error_rate, answered at once) and never otherwise.  If\n"
     "k (1 - q) < 1 no balance exists: the client ends up sending about\n"
     "1 / (1 - k (1 - q)) attempts per window and rejects the rest.",
     "lambda=200 window=5 k=1.5 q=0.5",
     4,
     {RATE_GT0("lambda", "request rate of the client (req/s)"),
      {"window", "the throttle's window (s)", AN_REAL, 0, INF, 1, 1},
      {"k", "accepts multiplier", AN_REAL, 0, INF, 1, 1},
      {"q", "probability that the backend fails an attempt", AN_REAL, 0, 1, 0, 0}},
     ev_throttle_errors},
};

const an_formula *an_formulas(size_t *count)
{
    if (count)
        *count = sizeof table / sizeof table[0];
    return table;
}

const an_formula *an_formula_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcasecmp(table[i].name, name)) /* P_retry, as the design document spells it */
            return &table[i];
    return NULL;
}

int an_input_check(const an_input *in, double v)
{
    if (!isfinite(v))
        return AN_EDOM;
    if (v < in->lo || (in->lo_open && v == in->lo))
        return AN_EDOM;
    if (v > in->hi || (in->hi_open && v == in->hi))
        return AN_EDOM;
    if (in->kind == AN_INT && v != floor(v))
        return AN_EDOM;
    return AN_OK;
}

char *an_input_domain(const an_input *in, char *buf, size_t size)
{
    const char *kind = in->kind == AN_INT ? "integer" : "real";
    int has_lo = isfinite(in->lo), has_hi = isfinite(in->hi);
    if (!size)
        return buf;
    if (has_lo && has_hi)
        snprintf(buf, size, "%s in %c%.10g, %.10g%c", kind, in->lo_open ? '(' : '[', in->lo, in->hi,
                 in->hi_open ? ')' : ']');
    else if (has_lo)
        snprintf(buf, size, "%s %s %.10g", kind, in->lo_open ? ">" : ">=", in->lo);
    else if (has_hi)
        snprintf(buf, size, "%s %s %.10g", kind, in->hi_open ? "<" : "<=", in->hi);
    else
        snprintf(buf, size, "any %s", kind);
    return buf;
}

int an_formula_eval(const an_formula *f, const double *x, double *out, an_diag *d)
{
    an_diag tmp;
    if (!d)
        d = &tmp;
    d->input = -1;
    d->expected = NULL;
    d->warning = NULL;
    if (!f || !x || !out)
        return AN_EDOM;
    for (int i = 0; i < f->n_inputs; i++)
        if (an_input_check(&f->inputs[i], x[i]) != AN_OK)
            return blame(d, i, NULL, AN_EDOM);
    double v = 0;
    int st = f->eval(x, &v, d);
    if (st == AN_OK && !isfinite(v)) /* belt and braces: never NaN/inf */
        st = diag_status(d, AN_ERANGE);
    if (st == AN_OK)
        *out = v;
    return st;
}
