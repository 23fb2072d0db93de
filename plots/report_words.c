/* report_words.c - the scenario in plain words: pools, clients, policies, events.
 *
 * Reads the configuration the run used (RD_SCENARIO: scenario.resolved.json,
 * every default already filled in by the loader from models/config.c) and
 * says what it means, e.g. "8 servers, each fails every 1000 s on average
 * (exponential) and is repaired in 10 s on average (exponential)".  No
 * default is written here: a value missing from the file (a foreign or
 * edited folder) shows as nan rather than as a guess.
 */
#include "plots/report_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SCN RD_SCENARIO

/* Append printf text to BUF (size N). */
static void cat(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cat(char *buf, size_t n, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, n - used, fmt, ap);
    va_end(ap);
}

static void dist_words(const rd_run *rd, const char *path, char *buf, size_t n);

/* "a mixture: 99% exactly 0.01 s (deterministic), 1% ..." */
static void mixture_words(const rd_run *rd, const char *path, char *buf, size_t n)
{
    char cp[300], w[300];
    int k = rd_count(rd, SCN, "%s.components", path);
    double sum = 0;
    for (int i = 0; i < k; i++)
        sum += rd_num(rd, SCN, 0, "%s.components.%d.weight", path, i);
    buf[0] = '\0';
    cat(buf, n, "a mixture of");
    for (int i = 0; i < k; i++) {
        snprintf(cp, sizeof cp, "%s.components.%d.dist", path, i);
        dist_words(rd, cp, w, sizeof w);
        cat(buf, n, "%s %.4g%% %s", i ? "," : "", 100 * rd_num(rd, SCN, 0, "%s.components.%d.weight", path, i) / sum,
            w);
    }
}

/* "10 s on average (exponential)" for the dist at PATH; "" if absent. */
static void dist_words(const rd_run *rd, const char *path, char *buf, size_t n)
{
    const char *d = rd_str(rd, SCN, "%s.dist", path);
#define P(k) rd_num(rd, SCN, NAN, "%s." k, path)
    buf[0] = '\0';
    if (!d)
        return;
    if (!strcmp(d, "exponential"))
        snprintf(buf, n, "%.4g s on average (exponential, rate %.4g /s)", 1 / P("rate"), P("rate"));
    else if (!strcmp(d, "deterministic"))
        snprintf(buf, n, "exactly %.4g s (deterministic)", P("value"));
    else if (!strcmp(d, "weibull"))
        snprintf(buf, n, "%.4g s on average (Weibull, shape %.4g, scale %.4g s)",
                 P("scale") * tgamma(1 + 1 / P("shape")), P("shape"), P("scale"));
    else if (!strcmp(d, "lognormal"))
        snprintf(buf, n, "%.4g s on average (lognormal, mu %.4g, sigma %.4g)",
                 exp(P("mu") + P("sigma") * P("sigma") / 2), P("mu"), P("sigma"));
    else if (!strcmp(d, "gamma"))
        snprintf(buf, n, "%.4g s on average (gamma, shape %.4g, scale %.4g s)",
                 P("shape") * P("scale"), P("shape"), P("scale"));
    else if (!strcmp(d, "mixture"))
        mixture_words(rd, path, buf, n);
    else
        snprintf(buf, n, "a %s distribution", d);
#undef P
}

static void detect_pool_words(const rd_run *rd, const char *pool, char *buf, size_t n);

static void pool_words(const rd_run *rd, const char *pool, char *buf, size_t n)
{
    char path[200], w[300];
    double servers = rd_num(rd, SCN, NAN, "pools.%s.servers", pool);
    double workers = rd_num(rd, SCN, NAN, "pools.%s.workers", pool);
    double qlim = rd_num(rd, SCN, NAN, "pools.%s.queue_limit", pool);
    double crews = rd_num(rd, SCN, NAN, "pools.%s.repair_crews", pool);
    double quorum = rd_num(rd, SCN, NAN, "pools.%s.quorum", pool);
    const char *mode = rd_str(rd, SCN, "pools.%s.failure_mode", pool);
    buf[0] = '\0';
    cat(buf, n, "%.0f server%s with %.0f worker%s each", servers, servers == 1 ? "" : "s", workers,
        workers == 1 ? "" : "s");
    snprintf(path, sizeof path, "pools.%s.service", pool);
    dist_words(rd, path, w, sizeof w);
    if (*w)
        cat(buf, n, "; a request takes %s to serve", w);
    snprintf(path, sizeof path, "pools.%s.failure", pool);
    dist_words(rd, path, w, sizeof w);
    int fails = *w != '\0';
    if (fails)
        cat(buf, n, "; each server fails every %s", w);
    else
        cat(buf, n, "; servers never fail");
    snprintf(path, sizeof path, "pools.%s.repair", pool);
    dist_words(rd, path, w, sizeof w);
    if (*w && fails) /* the resolved file always has a repair; it matters only with failures */
        cat(buf, n, " and is repaired in %s", w);
    if (crews > 0)
        cat(buf, n, ", at most %.0f at a time (%.0f repair crew%s; the others wait)", crews, crews,
            crews == 1 ? "" : "s");
    const char *disc = rd_str(rd, SCN, "pools.%s.discipline", pool);
    int ps = disc && !strcmp(disc, "ps");
    if (ps)
        cat(buf, n, "; every request at a server is served at once, sharing it (processor sharing), "
            "%s", qlim > 0 ? "" : "with no limit");
    else
        cat(buf, n, "; the waiting room is %s", qlim > 0 ? "" : "unbounded");
    if (qlim > 0)
        cat(buf, n, ps ? "at most %.0f requests per server" : "%.0f requests per server", qlim);
    const char *full = rd_str(rd, SCN, "pools.%s.on_full", pool);
    if (qlim > 0 && full && !strcmp(full, "drop"))
        cat(buf, n, " (when full, arrivals are dropped silently: only the caller's timeout notices)");
    double k = rd_num(rd, SCN, NAN, "pools.%s.service_slowdown.per_request", pool);
    if (k > 0)
        cat(buf, n, "; service slows down with concurrency: x (1 + %.4g x (n - 1)) with n requests in "
            "service", k);
    else if (rd_exists(rd, SCN, "pools.%s.service_slowdown.table", pool))
        cat(buf, n, "; service slows down with concurrency (a table of factors)");
    double er = rd_num(rd, SCN, 0, "pools.%s.error_rate", pool);
    const char *ek = rd_str(rd, SCN, "pools.%s.error_kind", pool);
    if (er > 0)
        cat(buf, n, "; fault injection fails %.4g%% of attempts %s", 100 * er,
            ek && !strcmp(ek, "hang") ? "without an answer (hang)" : "at once");
    double lf = rd_num(rd, SCN, 0, "pools.%s.latency_injection.fraction", pool);
    if (lf > 0) {
        snprintf(path, sizeof path, "pools.%s.latency_injection.delay", pool);
        dist_words(rd, path, w, sizeof w);
        cat(buf, n, "; %.4g%% of attempts are delayed %s before reaching a server", 100 * lf, w);
    }
    if (mode && !strcmp(mode, "hang"))
        cat(buf, n, "; a failed server leaves its requests unanswered (hang: only timeouts end them)");
    else
        cat(buf, n, "; a failed server fails its requests at once (fail_fast)");
    cat(buf, n, "; the pool counts as available while at least %.0f server%s UP (quorum).", quorum,
        quorum == 1 ? " is" : "s are");
    detect_pool_words(rd, pool, buf, n);
}

/* Liveness probes and spares of pool POOL (MODEL.md). */
static void detect_pool_words(const rd_run *rd, const char *pool, char *buf, size_t n)
{
    char path[200], w[300];
#define L(key) rd_num(rd, SCN, NAN, "pools.%s.liveness." key, pool)
    if (rd_exists(rd, SCN, "pools.%s.liveness", pool)) {
        const char *probe = rd_str(rd, SCN, "pools.%s.liveness.probe", pool);
        snprintf(path, sizeof path, "pools.%s.liveness.restart", pool);
        dist_words(rd, path, w, sizeof w);
        cat(buf, n, " Liveness probes (Kubernetes) every %.4g s with a %.4g s timeout %s; %.0f "
            "failed in a row restart the server, which is DOWN for %s.", L("interval"), L("timeout"),
            probe && !strcmp(probe, "queued") ? "wait in the queue behind real work (an overloaded "
                                                "server can be restarted)"
                                              : "see only whether the process is up",
            L("failure_threshold"), *w ? w : "?");
    }
#undef L
    if (rd_exists(rd, SCN, "pools.%s.spares", pool)) {
        const char *mode = rd_str(rd, SCN, "pools.%s.spares.mode", pool);
        double count = rd_num(rd, SCN, NAN, "pools.%s.spares.count", pool);
        snprintf(path, sizeof path, "pools.%s.spares.switchover", pool);
        dist_words(rd, path, w, sizeof w);
        cat(buf, n, " %.0f %s standby spare%s (", count, mode ? mode : "cold", count == 1 ? "" : "s");
        if (mode && !strcmp(mode, "warm"))
            cat(buf, n, "failing at %.4g x the failure rate while idle",
                rd_num(rd, SCN, NAN, "pools.%s.spares.warm_factor", pool));
        else if (mode && !strcmp(mode, "hot"))
            cat(buf, n, "failing like active servers while idle");
        else
            cat(buf, n, "never failing while idle");
        cat(buf, n, ") take%s a failed server's place after %s; repaired servers rejoin as spares.",
            count == 1 ? "s" : "", *w ? w : "0 s (at once)");
    }
}

static const char *balancer_words(const char *b)
{
    if (!b || !strcmp(b, "random"))
        return "picks a server at random";
    if (!strcmp(b, "round_robin"))
        return "picks servers round-robin";
    if (!strcmp(b, "least_outstanding"))
        return "picks the server with the fewest of its attempts in flight";
    if (!strcmp(b, "p2c"))
        return "picks the less busy of two random servers (power of two choices)";
    return b;
}

static void backoff_words(const rd_run *rd, const char *rp, char *buf, size_t n)
{
    const char *k = rd_str(rd, SCN, "%s.backoff.kind", rp);
    const char *j = rd_str(rd, SCN, "%s.backoff.jitter", rp);
#define B(key, dflt) rd_num(rd, SCN, dflt, "%s.backoff." key, rp)
    if (!k || !strcmp(k, "none")) {
        cat(buf, n, " retried at once (no backoff)");
    } else if (!strcmp(k, "constant")) {
        cat(buf, n, " after a constant backoff of %.4g s", B("delay", NAN));
    } else if (!strcmp(k, "exponential")) {
        double cap = B("cap", NAN);
        int jit = j && strcmp(j, "none");
        cat(buf, n, " with %s%sexponential backoff%s (base %.4g s, x%.4g per retry", jit ? j : "",
            jit ? "-jitter " : "", jit ? "" : " without jitter", B("base", NAN),
            B("multiplier", NAN));
        cat(buf, n, cap > 0 ? ", cap %.4g s)" : ", no cap)", cap);
    } else if (!strcmp(k, "exponential_random")) {
        double lam = B("rate", NAN), tmax = B("t_max", NAN);
        cat(buf, n, " after a random delay ~ Exp(%.4g /s) (mean %.4g s), abandoned when longer "
            "than T_max = %.4g s, so a retry fires with probability P_retry(T_max) = %.4g",
            lam, 1 / lam, tmax, 1 - exp(-lam * tmax));
    } else {
        cat(buf, n, " with %s backoff", k);
    }
#undef B
}

/* Retry, budget, breaker, hedge and outlier words for the caller policy at P. */
static void policy_words(const rd_run *rd, const char *p, const char *who, char *buf, size_t n)
{
    char rp[200];
    double timeout = rd_num(rd, SCN, NAN, "%s.timeout", p);
    double pto = rd_num(rd, SCN, NAN, "%s.timeout.p_timeout", p);
    double deadline = rd_num(rd, SCN, NAN, "%s.deadline", p);
    if (isfinite(pto))
        cat(buf, n, "; per-attempt timeout from T_timeout = -ln(p)/mu with p = %.4g (cuts that "
            "fraction of healthy attempts)", pto);
    else if (timeout > 0)
        cat(buf, n, "; per-attempt timeout %.4g s", timeout);
    else
        cat(buf, n, "; no per-attempt timeout");
    if (deadline > 0)
        cat(buf, n, ", deadline %.4g s per request", deadline);
    snprintf(rp, sizeof rp, "%s.retry", p);
    double ma = rd_num(rd, SCN, NAN, "%s.max_attempts", rp);
    if (ma <= 1) {
        cat(buf, n, "; no retries");
    } else {
        cat(buf, n, "; %s up to %.0f attempts,", who, ma);
        backoff_words(rd, rp, buf, n);
    }
    const char *bk = rd_str(rd, SCN, "%s.budget.kind", rp);
    if (ma > 1 && bk && !strcmp(bk, "token_bucket"))
        cat(buf, n, "; retry budget: gRPC token bucket (%.4g tokens, -1 per failure, +%.4g per "
            "success, retries only above half)", rd_num(rd, SCN, NAN, "%s.budget.max_tokens", rp),
            rd_num(rd, SCN, NAN, "%s.budget.token_ratio", rp));
    else if (ma > 1 && bk && !strcmp(bk, "retry_quota")) {
        const char *rf = rd_str(rd, SCN, "%s.budget.refund", rp);
        cat(buf, n, "; retry quota (AWS SDK): %.4g tokens to start, a retry costs %.4g (%.4g after a "
            "timeout), a success %s", rd_num(rd, SCN, NAN, "%s.budget.initial", rp),
            rd_num(rd, SCN, NAN, "%s.budget.retry_cost", rp), rd_num(rd, SCN, NAN, "%s.budget.timeout_cost", rp),
            rf && !strcmp(rf, "none") ? "deposits" : "without retry deposits");
        cat(buf, n, " %.4g", rd_num(rd, SCN, NAN, "%s.budget.success_deposit", rp));
        if (!(rf && !strcmp(rf, "none")))
            cat(buf, n, " (after a retry it refunds that retry's cost)");
    } else if (ma > 1 && bk && !strcmp(bk, "retry_breaker"))
        cat(buf, n, "; no retries while more than %.4g%% of the last %.0f attempts failed (first tries "
            "always go out)", 100 * rd_num(rd, SCN, NAN, "%s.budget.failure_rate", rp),
            rd_num(rd, SCN, NAN, "%s.budget.window", rp));
    else if (ma > 1 && bk && !strcmp(bk, "ratio"))
        cat(buf, n, "; retry budget: retries at most %.4g%% of requests over %.4g s plus %.4g /s",
            100 * rd_num(rd, SCN, NAN, "%s.budget.percent", rp),
            rd_num(rd, SCN, NAN, "%s.budget.ttl", rp),
            rd_num(rd, SCN, NAN, "%s.budget.min_per_second", rp));
}

/* Network link and fan-out of the caller policy at P. */
static void link_words(const rd_run *rd, const char *p, char *buf, size_t n)
{
    char path[220], w[300];
    if (rd_exists(rd, SCN, "%s.network", p)) {
        snprintf(path, sizeof path, "%s.network.delay", p);
        dist_words(rd, path, w, sizeof w);
        double loss = rd_num(rd, SCN, 0, "%s.network.loss", p);
        cat(buf, n, "; over a network: %s each way", *w ? w : "no delay");
        if (loss > 0)
            cat(buf, n, ", %.4g%% of messages lost", 100 * loss);
    }
    double fan = rd_num(rd, SCN, 0, "%s.fanout.count", p);
    if (fan > 0) {
        double k = rd_num(rd, SCN, fan, "%s.fanout.wait_for", p);
        cat(buf, n, "; each request fans out to %.0f leaves and waits for %s", fan,
            k >= fan ? "all of them" : k == 1 ? "the first" : "");
        if (k > 1 && k < fan)
            cat(buf, n, "%.0f of them", k);
    }
}

static void breaker_words(const rd_run *rd, const char *p, char *buf, size_t n)
{
    const char *kind = rd_str(rd, SCN, "%s.breaker.kind", p);
    const char *scope = rd_str(rd, SCN, "%s.breaker.scope", p);
#define K(key, dflt) rd_num(rd, SCN, dflt, "%s.breaker." key, p)
    if (!kind || !strcmp(kind, "none")) {
        cat(buf, n, "; no circuit breaker");
    } else {
        cat(buf, n, "; a circuit breaker %s ", scope && !strcmp(scope, "pool") ? "for the whole pool"
                                                                              : "per server");
        if (!strcmp(kind, "failure_rate"))
            cat(buf, n, "opens when at least %.4g%% of the last %.0f attempts failed (after %.0f "
                "calls)", 100 * K("failure_rate", NAN), K("window", NAN), K("min_calls", NAN));
        else
            cat(buf, n, "opens after %.0f consecutive failed attempts", K("failure_threshold", NAN));
        cat(buf, n, ", stays OPEN %.4g s, then lets %.0f probe%s through", K("open_for", NAN),
            K("half_open_probes", NAN), K("half_open_probes", NAN) == 1 ? "" : "s");
    }
    if (rd_exists(rd, SCN, "%s.hedge", p))
        cat(buf, n, "; hedges: another attempt after %.4g s without an answer, up to %.0f in all",
            rd_num(rd, SCN, NAN, "%s.hedge.delay", p), rd_num(rd, SCN, NAN, "%s.hedge.max_attempts", p));
    if (rd_exists(rd, SCN, "%s.outlier", p))
        cat(buf, n, "; ejects a server after %.0f consecutive errors for %.4g s x times ejected "
            "(at most %.4g%% of the pool)", rd_num(rd, SCN, NAN, "%s.outlier.consecutive_errors", p),
            rd_num(rd, SCN, NAN, "%s.outlier.base_ejection", p),
            rd_num(rd, SCN, NAN, "%s.outlier.max_ejection_percent", p));
#undef K
}

/* Active health checking of the caller policy at P (MODEL.md). */
static void health_words(const rd_run *rd, const char *p, char *buf, size_t n)
{
#define H(key) rd_num(rd, SCN, NAN, "%s.health_check." key, p)
    if (!rd_exists(rd, SCN, "%s.health_check", p))
        return;
    const char *probe = rd_str(rd, SCN, "%s.health_check.probe", p);
    double jitter = H("jitter"), panic = H("panic_threshold");
    cat(buf, n, "; it health-checks every server every %.4g s", H("interval"));
    if (jitter > 0)
        cat(buf, n, " (+ up to %.4g s of jitter)", jitter);
    cat(buf, n, " with %s probes (timeout %.4g s), believes a server unhealthy after %.0f failed "
        "probe%s in a row and healthy again after %.0f good one%s, and sends only to servers it "
        "believes healthy", probe && !strcmp(probe, "queued") ? "queued (behind real work)" : "direct",
        H("timeout"), H("unhealthy_threshold"), H("unhealthy_threshold") == 1 ? "" : "s",
        H("healthy_threshold"), H("healthy_threshold") == 1 ? "" : "s");
    if (panic > 0)
        cat(buf, n, ", except in panic mode: below %.4g%% believed healthy it sends to all", 100 * panic);
    else
        cat(buf, n, " (no panic mode: with none believed healthy a request fails at once)");
#undef H
}

static void client_words(const rd_run *rd, const char *cl, char *buf, size_t n)
{
    char p[160], w[300];
    snprintf(p, sizeof p, "clients.%s", cl);
    const char *target = rd_str(rd, SCN, "%s.target", p);
    const char *proc = rd_str(rd, SCN, "%s.arrival.process", p);
    buf[0] = '\0';
    cat(buf, n, "sends requests to pool %s", target ? target : "?");
    if (proc && !strcmp(proc, "closed")) {
        char tp[200];
        snprintf(tp, sizeof tp, "%s.arrival.think", p);
        dist_words(rd, tp, w, sizeof w);
        cat(buf, n, " from a closed loop of %.0f users, each thinking %s between requests",
            rd_num(rd, SCN, NAN, "%s.arrival.users", p), *w ? w : "0 s");
    } else if (rd_exists(rd, SCN, "%s.arrival.schedule", p)) {
        cat(buf, n, " as a Poisson stream whose rate follows a schedule of %d points",
            rd_count(rd, SCN, "%s.arrival.schedule", p));
    } else {
        cat(buf, n, " as a Poisson stream of %.4g requests/s", rd_num(rd, SCN, NAN, "%s.arrival.rate", p));
    }
    if (rd_exists(rd, SCN, "%s.arrival.periodic", p))
        cat(buf, n, ", times 1 + %.4g cos(2 pi (t - %.4g s) / %.4g s)",
            rd_num(rd, SCN, NAN, "%s.arrival.periodic.amplitude", p),
            rd_num(rd, SCN, 0, "%s.arrival.periodic.peak_at", p),
            rd_num(rd, SCN, NAN, "%s.arrival.periodic.period", p));
    cat(buf, n, "; it %s", balancer_words(rd_str(rd, SCN, "%s.balancer", p)));
    policy_words(rd, p, "it makes", buf, n);
    breaker_words(rd, p, buf, n);
    health_words(rd, p, buf, n);
    link_words(rd, p, buf, n);
    cat(buf, n, ".");
}

static void event_words(const rd_run *rd, int i, char *buf, size_t n)
{
    const char *kind = rd_str(rd, SCN, "events.%d.kind", i);
    double at = rd_num(rd, SCN, NAN, "events.%d.at", i), dur = rd_num(rd, SCN, NAN, "events.%d.duration", i);
    buf[0] = '\0';
    if (kind && !strcmp(kind, "fail"))
        cat(buf, n, "At t = %.6g s, %.0f UP servers of pool %s are forced DOWN for %.6g s.", at,
            rd_num(rd, SCN, NAN, "events.%d.servers", i), rd_str(rd, SCN, "events.%d.pool", i) ?
            rd_str(rd, SCN, "events.%d.pool", i) : "?", dur);
    else if (kind && !strcmp(kind, "load"))
        cat(buf, n, "At t = %.6g s, the arrival rate of client %s is multiplied by %.4g for %.6g s.",
            at, rd_str(rd, SCN, "events.%d.client", i) ? rd_str(rd, SCN, "events.%d.client", i) : "?",
            rd_num(rd, SCN, NAN, "events.%d.multiplier", i), dur);
    else if (kind && !strcmp(kind, "partition"))
        cat(buf, n, "At t = %.6g s, the network link of %s %s%s is cut for %.6g s (every message on it "
            "lost).", at, rd_str(rd, SCN, "events.%d.client", i) ? "client" : "pool",
            rd_str(rd, SCN, "events.%d.client", i) ? rd_str(rd, SCN, "events.%d.client", i)
            : rd_str(rd, SCN, "events.%d.pool", i) ? rd_str(rd, SCN, "events.%d.pool", i) : "?",
            rd_str(rd, SCN, "events.%d.client", i) ? "" : "'s calls", dur);
    else if (kind && !strcmp(kind, "inject"))
        cat(buf, n, "At t = %.6g s, fault injection at pool %s becomes: %.4g%% of attempts fail, "
            "%.4g%% delayed, for %.6g s.", at,
            rd_str(rd, SCN, "events.%d.pool", i) ? rd_str(rd, SCN, "events.%d.pool", i) : "?",
            100 * rd_num(rd, SCN, 0, "events.%d.error_rate", i),
            100 * rd_num(rd, SCN, 0, "events.%d.latency_injection.fraction", i), dur);
    else
        cat(buf, n, "At t = %.6g s: event %s for %.6g s.", at, kind ? kind : "?", dur);
}

void report_scenario(rw_doc *d, const rd_run *rd)
{
    char buf[4096], label[200];
    double horizon = rd_num(rd, SCN, rd_num(rd, RD_RESULTS, NAN, "horizon"), "horizon");
    double warmup = rd_num(rd, SCN, NAN, "warmup");
    double reps = rd_num(rd, RD_RESULTS, rd_num(rd, SCN, NAN, "replications"), "replications");
    double seed = rd_num(rd, RD_RESULTS, rd_num(rd, SCN, NAN, "seed"), "seed");
    double asked = rd_num(rd, RD_RESULTS, NAN, "replications_requested");
    if (isfinite(asked) && asked != reps) /* stopped early, or grown by --precision */
        rw_para(d, "Each replication simulates %.6g s%s; %.0f independent replications requested, %.0f "
                   "finished, base seed %.0f.", horizon, warmup > 0 ? "" : " (no warmup)", asked, reps, seed);
    else
        rw_para(d, "Each replication simulates %.6g s%s; %.0f independent replications, base seed %.0f.",
                horizon, warmup > 0 ? "" : " (no warmup)", reps, seed);
    if (warmup > 0)
        rw_para(d, "The first %.6g s of each replication are warmup and are not measured.", warmup);
    rw_list_begin(d);
    for (int i = 0; i < rd_count(rd, SCN, "pools"); i++) {
        const char *pool = rd_key(rd, SCN, i, "pools");
        if (!pool)
            continue;
        pool_words(rd, pool, buf, sizeof buf);
        if (rd_exists(rd, SCN, "pools.%s.calls", pool)) {
            char p[200];
            snprintf(p, sizeof p, "pools.%s.calls", pool);
            cat(buf, sizeof buf, " While serving, it calls pool %s",
                rd_str(rd, SCN, "%s.target", p) ? rd_str(rd, SCN, "%s.target", p) : "?");
            policy_words(rd, p, "with", buf, sizeof buf);
            breaker_words(rd, p, buf, sizeof buf);
            link_words(rd, p, buf, sizeof buf);
            cat(buf, sizeof buf, ".");
        }
        snprintf(label, sizeof label, "Pool %s", pool);
        rw_item2(d, label, buf);
    }
    for (int i = 0; i < rd_count(rd, SCN, "clients"); i++) {
        const char *cl = rd_key(rd, SCN, i, "clients");
        if (!cl)
            continue;
        client_words(rd, cl, buf, sizeof buf);
        snprintf(label, sizeof label, "Client %s", cl);
        rw_item2(d, label, buf);
    }
    for (int i = 0; i < rd_count(rd, SCN, "events"); i++) {
        event_words(rd, i, buf, sizeof buf);
        rw_item2(d, "Event", buf);
    }
    rw_list_end(d);
}
