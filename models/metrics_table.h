/* metrics_table.h - THE list of metrics: every name, label, unit, kind,
 * better direction, where it is shown, and why it can be undefined.
 *
 * Everything else is generated from the lists below (X-macros): the PM_* and
 * CM_* enums and pm_names/cm_names (models/metrics.h), the keys and
 * "undefined" reasons of results.json and the rows of summary.csv
 * (app/results.c), the terminal table, the report's labels and units
 * (plots/plot_metrics.c), the sweep's headline figures, sweep.csv columns
 * and default objective direction (app/sweep_write.c, app/sweep_rank.c),
 * and the attempt-outcome causes (CAUSE_*, data/errors.csv, the outcomes figure).
 *
 * TO ADD A METRIC: add ONE entry X(...) to RELSIM_POOL_METRICS (per pool)
 * or RELSIM_CALLER_METRICS (per client / per pool's downstream calls).  The
 * list order is the order of results.json keys, summary.csv rows and table
 * rows; add new ones after the last X(...) (before the causes) so existing
 * files keep their order:
 *
 *     X(CM_MY_THING, "my_thing", "plain-words label", "unit or \"\"",
 *       METRIC_PROB, BETTER_LOWER, MF_TABLE, UNDEF_NO_ATTEMPT)
 *
 * then compute it where the replication ends (m[CM_MY_THING] = ... in
 * caller_finish_metrics, models/caller_metrics.c, or pool_finish_metrics,
 * models/pool.c; NAN when undefined) and describe it in docs/MODEL.md
 * "Metrics".  Nothing else needs to change.  A new attempt outcome is one
 * line in RELSIM_CAUSES (it becomes CAUSE_x, metric cause_x and an
 * errors.csv row).
 *
 * Columns of X(id, name, label, unit, kind, better, flags, undefined):
 *   id        enum constant (index into the record's per-entity block)
 *   name      key in results.json / summary.csv / sweep.csv ("" never)
 *   label     plain words for the report and figures
 *   unit      "" for a fraction or a pure number
 *   kind      metric_kind: how to format it (METRIC_AVAIL also shows nines)
 *   better    metric_better: the sweep's default goal (:max iff HIGHER)
 *   flags     MF_*: where it is shown besides results.json and summary.csv
 *   undefined why it can be null in a replication (results.json "undefined")
 *
 * Pure data, no other includes: models/, app/ and plots/ all read it.
 */
#ifndef RELSIM_METRICS_TABLE_H
#define RELSIM_METRICS_TABLE_H

typedef enum {
    METRIC_PROB = 0, /* a probability or fraction in [0,1] */
    METRIC_AVAIL,    /* a probability shown also as "nines" */
    METRIC_TIME,     /* seconds */
    METRIC_COUNT,    /* a count or ratio */
} metric_kind;

typedef enum {
    BETTER_NONE = 0, /* descriptive: neither direction is better */
    BETTER_HIGHER,
    BETTER_LOWER,
} metric_better;

enum {
    MF_HEADLINE = 1, /* sweep figures and the sweep report's tables */
    MF_TABLE = 2,    /* the terminal table of `relsim run` */
    MF_SWEEP = 4,    /* a column group of sweep.csv */
};

/* Reasons a metric is undefined (shared by several metrics). */
#define UNDEF_NO_REQUEST "no request ended in the window"
#define UNDEF_NO_SUCCESS "no successful request in the window"
#define UNDEF_NO_ATTEMPT "no attempt sent in the window"
#define UNDEF_NO_BREAKER "no circuit breaker configured"
#define UNDEF_NO_OUTLIER "no outlier ejection configured"
#define UNDEF_NO_FAILURE "no failure ended an up period in the window"
#define UNDEF_NO_REPAIR "no repair completed in the window"
#define UNDEF_NO_HEALTH "no health checking configured"

/* Per-pool metrics (docs/MODEL.md "Metrics"). */
#define RELSIM_POOL_METRICS(X)                                                                   \
    X(PM_SERVER_AVAILABILITY, "server_availability", "server availability (fraction of servers UP)", \
      "", METRIC_AVAIL, BETTER_HIGHER, MF_HEADLINE | MF_TABLE | MF_SWEEP, UNDEF_NO_REQUEST)       \
    X(PM_SYSTEM_AVAILABILITY, "system_availability", "system availability (P(at least quorum UP))", \
      "", METRIC_AVAIL, BETTER_HIGHER, MF_HEADLINE | MF_TABLE | MF_SWEEP, UNDEF_NO_REQUEST)       \
    X(PM_BUSY_SERVERS, "busy_servers", "busy workers (observed Q_balance)", "workers",            \
      METRIC_COUNT, BETTER_NONE, MF_TABLE, UNDEF_NO_REQUEST)                                     \
    X(PM_UTILIZATION, "utilization", "utilization (busy / (UP x workers))", "", METRIC_PROB,      \
      BETTER_NONE, MF_HEADLINE | MF_TABLE | MF_SWEEP, "no server UP in the window")              \
    X(PM_QUEUE_LENGTH, "queue_length", "requests waiting (time average)", "requests",             \
      METRIC_COUNT, BETTER_LOWER, MF_TABLE, UNDEF_NO_REQUEST)                                    \
    X(PM_LOAD_AMPLIFICATION, "load_amplification",                                               \
      "load amplification (attempts reaching the pool per request)", "attempts/request",         \
      METRIC_COUNT, BETTER_LOWER, MF_HEADLINE | MF_TABLE | MF_SWEEP,                             \
      "no request ended by the clients that reach this pool")                                    \
    X(PM_FAILURES, "failures", "failures per replication", "per replication", METRIC_COUNT,      \
      BETTER_LOWER, MF_TABLE, UNDEF_NO_REQUEST)                                                  \
    X(PM_MTTF_OBSERVED, "mttf_observed", "mean up period (observed MTTF)", "s", METRIC_TIME,      \
      BETTER_HIGHER, MF_TABLE, UNDEF_NO_FAILURE)                                                 \
    X(PM_MTTR_OBSERVED, "mttr_observed", "mean down period (observed MTTR)", "s", METRIC_TIME,    \
      BETTER_LOWER, MF_TABLE, UNDEF_NO_REPAIR)                                                   \
    X(PM_ARRIVALS, "arrivals", "attempts that reached the pool", "per replication",              \
      METRIC_COUNT, BETTER_NONE, 0, UNDEF_NO_REQUEST)                                            \
    X(PM_WASTED_FRACTION, "wasted_fraction", "served attempts nobody waited for (wasted work)",   \
      "", METRIC_PROB, BETTER_LOWER, 0, "no attempt served in the window")                       \
    X(PM_REJECTED, "rejected", "attempts refused by a full queue", "per replication",            \
      METRIC_COUNT, BETTER_LOWER, 0, UNDEF_NO_REQUEST)                                           \
    X(PM_MTTF_ESTIMATE, "mttf_estimate", "MTTF estimate (time UP / failures)", "s", METRIC_TIME,  \
      BETTER_HIGHER, MF_TABLE, UNDEF_NO_FAILURE)                                                 \
    X(PM_MTTR_ESTIMATE, "mttr_estimate", "MTTR estimate (time DOWN / repairs)", "s",              \
      METRIC_TIME, BETTER_LOWER, MF_TABLE, UNDEF_NO_REPAIR)                                      \
    X(PM_RESTARTS, "restarts", "liveness restarts", "per replication", METRIC_COUNT,             \
      BETTER_LOWER, MF_TABLE, "no liveness probes configured")                                   \
    X(PM_SWITCHOVERS, "switchovers", "spares that took over a position", "per replication",      \
      METRIC_COUNT, BETTER_NONE, MF_TABLE, "no spares configured")                                   \
    X(PM_DROPPED, "dropped", "attempts dropped silently by a full queue (on_full drop)",          \
      "per replication", METRIC_COUNT, BETTER_LOWER, 0, UNDEF_NO_REQUEST)                        \
    X(PM_INJECTED_ERRORS, "injected_errors", "attempts failed by fault injection (error_rate)",   \
      "per replication", METRIC_COUNT, BETTER_NONE, 0, UNDEF_NO_REQUEST)                         \
    X(PM_INJECTED_DELAYS, "injected_delays", "attempts delayed by latency injection",             \
      "per replication", METRIC_COUNT, BETTER_NONE, 0, UNDEF_NO_REQUEST)                                   \
    X(PM_SHED_FRACTION, "shed_fraction", "attempts shed by admission control", "", METRIC_PROB,   \
      BETTER_LOWER, MF_TABLE | MF_SWEEP, "no admission control configured, or no arrival")       \
    X(PM_CONCURRENCY_LIMIT, "concurrency_limit", "adaptive concurrency limit per server (time average)", \
      "requests", METRIC_COUNT, BETTER_NONE, MF_TABLE, "no adaptive limit configured")          \
    X(PM_REJECTED_FRACTION, "rejected_fraction",                                                 \
      "attempts refused at once (full queue, max_concurrency, limit)", "", METRIC_PROB,          \
      BETTER_LOWER, 0, "nothing bounds the pool (no queue_limit, max_concurrency or limit), or no arrival")

/* Attempt outcomes, by cause: C(P, id, name, label), P passed through.  The
 * first five are the outcomes of an attempt (models/model.h `outcome`); each
 * cause becomes CAUSE_id, a caller metric cause_NAME (per ended request) and
 * a row of data/errors.csv. */
#define RELSIM_CAUSES(C, P)                                                                      \
    C(P, SUCCESS, "success", "attempts that succeeded, per ended request")                       \
    C(P, TIMEOUT, "timeout", "attempts that timed out (or hit the deadline), per ended request") \
    C(P, ERROR, "error", "attempts that failed with an error, per ended request")                \
    C(P, REJECTED, "rejected", "attempts refused by a full queue, per ended request")            \
    C(P, BREAKER, "breaker", "attempts rejected by an OPEN breaker, per ended request")          \
    C(P, BUDGET, "budget_denied", "retries denied by the budget, per ended request")             \
    C(P, ABANDONED, "abandoned", "attempts abandoned when another hedge won, per ended request") \
    C(P, NO_HEALTHY, "no_healthy_server",                                                        \
      "requests failed at once: no server believed healthy (panic off), per ended request")     \
    C(P, SHED, "shed", "attempts shed by a pool's admission control, per ended request")         \
    C(P, THROTTLED, "throttled", "attempts rejected by adaptive throttling, per ended request")   \
    C(P, BULKHEAD_FULL, "bulkhead_full", "attempts refused by a full bulkhead, per ended request") \
    C(P, RATE_LIMITED, "rate_limited", "attempts refused by the rate limiter, per ended request")

#define RELSIM_CAUSE_AS_METRIC_(X, id, name, label)                                              \
    X(CM_CAUSE_##id, "cause_" name, label, "per request", METRIC_COUNT, BETTER_NONE, 0,          \
      UNDEF_NO_REQUEST)

/* Per-caller metrics: clients, then pools' downstream calls. */
#define RELSIM_CALLER_METRICS(X)                                                                 \
    X(CM_REQUEST_SUCCESS, "request_success", "request success (client-perceived availability)",  \
      "", METRIC_AVAIL, BETTER_HIGHER, MF_HEADLINE | MF_TABLE | MF_SWEEP, UNDEF_NO_REQUEST)       \
    X(CM_LATENCY_MEAN, "latency_mean", "latency of successful requests, mean", "s", METRIC_TIME,  \
      BETTER_LOWER, MF_TABLE | MF_SWEEP, UNDEF_NO_SUCCESS)                                       \
    X(CM_LATENCY_P50, "latency_p50", "latency p50", "s", METRIC_TIME, BETTER_LOWER, MF_TABLE,     \
      UNDEF_NO_SUCCESS)                                                                          \
    X(CM_LATENCY_P99, "latency_p99", "latency p99", "s", METRIC_TIME, BETTER_LOWER,               \
      MF_HEADLINE | MF_TABLE | MF_SWEEP, UNDEF_NO_SUCCESS)                                       \
    X(CM_LATENCY_P999, "latency_p999", "latency p99.9", "s", METRIC_TIME, BETTER_LOWER, MF_TABLE, \
      UNDEF_NO_SUCCESS)                                                                          \
    X(CM_ATTEMPTS_PER_REQUEST, "attempts_per_request", "attempts per request",                   \
      "attempts/request", METRIC_COUNT, BETTER_LOWER, MF_HEADLINE | MF_TABLE | MF_SWEEP,         \
      UNDEF_NO_REQUEST)                                                                          \
    X(CM_TIMEOUT_FRACTION, "timeout_fraction", "attempts that timed out", "", METRIC_PROB,        \
      BETTER_LOWER, MF_HEADLINE | MF_TABLE | MF_SWEEP, UNDEF_NO_ATTEMPT)                         \
    X(CM_BREAKER_OPEN_FRACTION, "breaker_open_fraction", "breakers OPEN (time average fraction)", \
      "", METRIC_PROB, BETTER_LOWER, MF_HEADLINE | MF_TABLE, UNDEF_NO_BREAKER)                   \
    X(CM_BREAKER_TRIPS, "breaker_trips", "breaker trips (CLOSED to OPEN) per replication",        \
      "per replication", METRIC_COUNT, BETTER_LOWER, MF_TABLE, UNDEF_NO_BREAKER)                 \
    X(CM_REJECTED_BY_BREAKER, "rejected_by_breaker", "attempts rejected by a breaker", "",        \
      METRIC_PROB, BETTER_LOWER, MF_TABLE, UNDEF_NO_ATTEMPT)                                     \
    X(CM_RETRIES_DROPPED_BY_BUDGET, "retries_dropped_by_budget", "retries denied by the budget",  \
      "", METRIC_PROB, BETTER_LOWER, MF_TABLE, "no retry or hedge asked the budget")             \
    X(CM_REQUESTS, "requests", "requests ended", "per replication", METRIC_COUNT, BETTER_NONE, 0, \
      UNDEF_NO_REQUEST)                                                                          \
    X(CM_THROUGHPUT, "throughput", "successful requests per second", "1/s", METRIC_COUNT,         \
      BETTER_HIGHER, 0, UNDEF_NO_REQUEST)                                                        \
    X(CM_RETRY_FIRED, "retry_fired_fraction", "P_retry: retries fired before t_max", "",          \
      METRIC_PROB, BETTER_NONE, 0, "no exponential_random retry drawn")                          \
    X(CM_HEDGES_SENT, "hedges_per_request", "hedges sent per request", "attempts/request",        \
      METRIC_COUNT, BETTER_LOWER, MF_TABLE, "no hedging configured")                             \
    X(CM_HEDGES_WON, "hedges_won", "successes answered by a hedge", "", METRIC_PROB,              \
      BETTER_HIGHER, 0, "no hedging configured, or no successful request")                       \
    X(CM_EJECTIONS, "ejections", "outlier ejections", "per replication", METRIC_COUNT,            \
      BETTER_LOWER, MF_TABLE, UNDEF_NO_OUTLIER)                                                  \
    X(CM_EJECTED_FRACTION, "ejected_fraction", "servers ejected (time average fraction)", "",     \
      METRIC_PROB, BETTER_LOWER, 0, UNDEF_NO_OUTLIER)                                            \
    X(CM_DEADLINE_FRACTION, "deadline_fraction", "requests ended by their deadline", "",          \
      METRIC_PROB, BETTER_LOWER, MF_TABLE, "no deadline configured, or no request ended")        \
    RELSIM_CAUSES(RELSIM_CAUSE_AS_METRIC_, X)                                                    \
    X(CM_UNDETECTED_DOWN_FRACTION, "undetected_down_fraction",                                   \
      "servers DOWN but believed healthy (time average fraction)", "", METRIC_PROB, BETTER_LOWER, \
      MF_TABLE, UNDEF_NO_HEALTH)                                                                 \
    X(CM_EJECTED_UP_FRACTION, "ejected_up_fraction",                                             \
      "servers UP but believed unhealthy (time average fraction)", "", METRIC_PROB, BETTER_LOWER, \
      MF_TABLE, UNDEF_NO_HEALTH)                                                                 \
    X(CM_DETECTION_DELAY, "detection_delay", "detection delay (DOWN to believed unhealthy), mean", \
      "s", METRIC_TIME, BETTER_LOWER, MF_TABLE,                                                  \
      "no health checking, or no failure detected in the window")                                \
    X(CM_RECOVERY_DETECTION_DELAY, "recovery_detection_delay",                                   \
      "recovery detection delay (UP to believed healthy), mean", "s", METRIC_TIME, BETTER_LOWER, \
      MF_TABLE, "no health checking, or no recovery detected in the window")                     \
    X(CM_PANIC_FRACTION, "panic_fraction", "time in panic mode (routing to all servers)", "",     \
      METRIC_PROB, BETTER_LOWER, MF_TABLE, "no health checking, or panic mode off")              \
    X(CM_PROBE_RATE, "probe_rate", "health probes sent per second", "1/s", METRIC_COUNT,         \
      BETTER_LOWER, MF_TABLE, UNDEF_NO_HEALTH)                                    \
    X(CM_NETWORK_LOST, "network_lost", "messages lost on the network (requests and answers)", "", \
      METRIC_PROB, BETTER_LOWER, MF_TABLE, "no network configured, or no message sent")         \
    X(CM_LEAF_SUCCESS, "leaf_success", "fan-out leaves that succeeded (of the leaves that ended)", \
      "", METRIC_PROB, BETTER_HIGHER, MF_TABLE, "no fan-out configured, or no leaf ended")       \
    X(CM_LEAF_LATENCY_MEAN, "leaf_latency_mean", "latency of successful fan-out leaves, mean", "s", \
      METRIC_TIME, BETTER_LOWER, MF_TABLE, "no fan-out configured, or no leaf succeeded") \
    X(CM_THROTTLED_FRACTION, "throttled_fraction", "attempts rejected by adaptive throttling", "", \
      METRIC_PROB, BETTER_LOWER, MF_TABLE | MF_SWEEP, "no throttle configured, or no attempt")  \
    X(CM_CONCURRENCY_LIMIT, "client_concurrency_limit", "client-side adaptive concurrency limit (time average)", \
      "requests", METRIC_COUNT, BETTER_NONE, MF_TABLE, "no adaptive limit configured")

#endif
