/* config.h - the plain-C description of a scenario that the models run.
 *
 * The scenario loader (loader/loader.c) fills these structs from JSON; the models
 * (models/world.c and friends) read them and never see JSON.  Every value here
 * has already been validated by the loader, so the models may trust it.
 *
 * Ownership: a scenario owns everything it points to (names, arrays);
 * scenario_free() releases it all.  Units: seconds, per second, [0,1].
 */
#ifndef RELSIM_CONFIG_H
#define RELSIM_CONFIG_H

#include <stdint.h>

#define CFG_NAME_MAX 64 /* longest pool/client name, including the NUL */

/* A probability distribution of a positive duration. */
typedef enum {
    DIST_NONE = 0,      /* absent (e.g. a server that never fails) */
    DIST_EXPONENTIAL,   /* rate */
    DIST_DETERMINISTIC, /* value */
    DIST_WEIBULL,       /* shape, scale */
    DIST_LOGNORMAL,     /* mu, sigma of ln X */
    DIST_GAMMA,         /* shape, scale */
    DIST_MIXTURE        /* ncomp components, each drawn with its weight */
} dist_kind;

/* The parameters of one plain (non-mixture) distribution. */
#define DIST_PARAMS                                                                     \
    dist_kind kind;                                                                     \
    double rate;  /* exponential */                                                     \
    double value; /* deterministic */                                                   \
    double shape; /* weibull, gamma */                                                  \
    double scale; /* weibull, gamma */                                                  \
    double mu;    /* lognormal: mean of ln X */                                         \
    double sigma; /* lognormal: sd of ln X */

typedef struct {
    DIST_PARAMS
} dist_leaf;

#define DIST_MIX_MAX 8 /* components of a mixture (kept inline: configs copy by value) */

typedef struct {
    DIST_PARAMS
    int ncomp;                  /* mixture */
    double cum[DIST_MIX_MAX];   /* mixture: cumulative weights, cum[ncomp-1] = 1 */
    dist_leaf comp[DIST_MIX_MAX];
} dist_cfg;

typedef enum { FAIL_FAST = 0, FAIL_HANG } failure_mode;

typedef enum { BAL_RANDOM = 0, BAL_ROUND_ROBIN, BAL_LEAST_OUTSTANDING, BAL_P2C } balancer_kind;

typedef enum { BACKOFF_NONE = 0, BACKOFF_CONSTANT, BACKOFF_EXPONENTIAL, BACKOFF_EXPONENTIAL_RANDOM } backoff_kind;

typedef enum { JITTER_NONE = 0, JITTER_FULL, JITTER_EQUAL, JITTER_DECORRELATED } jitter_kind;

typedef struct {
    backoff_kind kind;
    double delay;      /* constant */
    double base;       /* exponential */
    double multiplier; /* exponential */
    double cap;        /* exponential (0 = no cap) */
    jitter_kind jitter;
    double rate;  /* exponential_random: delay ~ Exp(rate) */
    double t_max; /* exponential_random: retry abandoned when delay > t_max */
} backoff_cfg;

typedef enum { BUDGET_NONE = 0, BUDGET_TOKEN_BUCKET, BUDGET_RATIO, BUDGET_QUOTA, BUDGET_BREAKER } budget_kind;

#define BUDGET_WINDOW_MAX 10000 /* retry_breaker: outcomes kept */

typedef struct {
    budget_kind kind;
    double max_tokens;     /* token_bucket (gRPC) */
    double token_ratio;    /* token_bucket */
    double percent;        /* ratio (Finagle percentCanRetry), in [0,1] */
    double min_per_second; /* ratio */
    double ttl;            /* ratio: seconds a deposit lives */
    double initial;        /* retry_quota (AWS SDK): starting and largest balance */
    double retry_cost;     /* retry_quota: taken by a retry */
    double timeout_cost;   /* retry_quota: taken by a retry after a timeout */
    double success_deposit;/* retry_quota: added by a success without retry */
    int refund;            /* retry_quota: 1 = a success refunds its last retry's cost (AWS), 0 = every success deposits success_deposit */
    int window;            /* retry_breaker: last N attempt outcomes */
    double failure_rate;   /* retry_breaker: no retries while the failed share > this */
} budget_cfg;

/* Which attempt outcomes a retry is made for (all true by default). */
typedef struct {
    int on_timeout;
    int on_error;    /* fail-fast error from a DOWN server */
    int on_rejected; /* queue full */
    int on_breaker;  /* rejected by an OPEN breaker */
} retry_on_cfg;

typedef struct {
    int max_attempts; /* including the first; 1 = no retry */
    backoff_cfg backoff;
    budget_cfg budget;
    retry_on_cfg retry_on;
} retry_cfg;

typedef enum { BREAKER_NONE = 0, BREAKER_CONSECUTIVE, BREAKER_FAILURE_RATE } breaker_kind;
typedef enum { SCOPE_PER_SERVER = 0, SCOPE_POOL } breaker_scope;

typedef struct {
    breaker_kind kind;
    breaker_scope scope;
    int failure_threshold;     /* consecutive */
    int window;                /* failure_rate: last N finished attempts */
    int min_calls;             /* failure_rate */
    double failure_rate;       /* failure_rate: trip when fraction >= this */
    double slow_call_duration; /* failure_rate: 0 = slow calls not counted */
    double slow_call_rate;     /* failure_rate: trip when slow share >= this */
    double open_for;           /* seconds OPEN before HALF_OPEN */
    int half_open_probes;
} breaker_cfg;

typedef struct {
    int enabled;
    double delay;     /* send another attempt after this long without an answer */
    int max_attempts; /* at most this many attempts in all */
} hedge_cfg;

typedef struct {
    int enabled;
    int consecutive_errors;
    double base_ejection;        /* seconds, times the number of ejections */
    double max_ejection_percent; /* in [0,100]; at least one host may always be ejected */
} outlier_cfg;

/* How a health or liveness probe reaches a server. */
typedef enum {
    PROBE_DIRECT = 0, /* sees only whether the server is UP (TCP connect, process liveness) */
    PROBE_QUEUED      /* a small request that waits in the server's FIFO behind real work */
} probe_kind;

/* Active health checking by one caller (Envoy): each caller has its own view
 * of which servers are healthy and its balancer picks only among those. */
typedef struct {
    int enabled;
    double interval;         /* seconds from one probe's result to the next probe */
    double jitter;           /* each interval gets U(0, jitter) added (Envoy interval_jitter) */
    double timeout;          /* a probe not answered within this has failed */
    int unhealthy_threshold; /* consecutive failed probes to mark a server unhealthy */
    int healthy_threshold;   /* consecutive good probes to mark it healthy again */
    probe_kind probe;
    double panic_threshold;  /* [0,1]: healthy share below this routes to all; 0 = never */
} health_cfg;
/* Overload control (MODEL.md "Overload control").  Every block below is off
 * when its `enabled`/`kind` is 0, which is what the defaults give. */

/* Adaptive concurrency limits: Netflix concurrency-limits and Envoy. */
typedef enum { LIMIT_NONE = 0, LIMIT_AIMD, LIMIT_GRADIENT2, LIMIT_VEGAS, LIMIT_ENVOY } limit_kind;

typedef struct {
    limit_kind kind;
    double initial, min, max;  /* limits (all kinds; envoy: min = min_concurrency) */
    double backoff_ratio;      /* aimd: x this on a drop */
    double timeout;            /* aimd: an RTT above this is a drop */
    double smoothing;          /* gradient2, vegas */
    double tolerance;          /* gradient2: RTT tolerance */
    double queue_size;         /* gradient2: growth per update */
    int long_window;           /* gradient2: samples of the long RTT average */
    int probe_multiplier;      /* vegas: re-probe rtt_noload every ~this x limit samples */
    double update_interval;    /* envoy: concurrency_update_interval */
    double percentile;         /* envoy: sample_aggregate_percentile, in (0,1) */
    double min_rtt_interval;   /* envoy: min_rtt_calc_params.interval */
    int request_count;         /* envoy: samples per minRTT measurement */
    double jitter;             /* envoy: fraction of the interval */
    double buffer;             /* envoy: B = buffer x minRTT */
} limit_cfg;

/* SRE client-side adaptive throttling. */
typedef struct {
    int enabled;
    double k;      /* accepts multiplier (2) */
    double window; /* seconds counted (120) */
} throttle_cfg;

/* Resilience4j semaphore bulkhead. */
typedef struct {
    int enabled;
    int max_concurrent; /* attempts in flight (25) */
    double max_wait;    /* seconds a call may wait for a permit (0) */
} bulkhead_cfg;

/* Token-bucket rate limiter. */
typedef struct {
    int enabled;
    double rate;     /* tokens per second */
    double burst;    /* bucket size (default: one second of tokens, at least 1) */
    double max_wait; /* seconds a call may wait for its token (5, Resilience4j) */
} rate_limit_cfg;

/* The network between a caller and its pool: every message (request and
 * answer) takes a `delay` draw (DIST_NONE: none) and is lost with
 * probability `loss`; partition events lose every message for a while. */
typedef struct {
    int enabled;
    dist_cfg delay;
    double loss;
} network_cfg;

/* Fan-out (scatter-gather): each request calls `count` leaves in parallel
 * and completes when `wait_for` of them succeeded (count: all; 1: first). */
typedef struct {
    int count;    /* 0: no fan-out */
    int wait_for; /* K in [1, count] */
} fanout_cfg;

/* How one caller (a client, or a pool calling downstream) talks to a pool. */
typedef struct {
    int target; /* index into scenario.pools */
    balancer_kind balancer;
    double timeout;   /* per attempt; 0 = none */
    double p_timeout; /* > 0: the loader set timeout = -ln(p)/K (T_timeout) */
    double deadline;  /* whole request incl. backoff; 0 = none */
    retry_cfg retry;
    breaker_cfg breaker;
    hedge_cfg hedge;
    outlier_cfg outlier;
    health_cfg health;
    network_cfg network;
    fanout_cfg fanout;
    throttle_cfg throttle;
    bulkhead_cfg bulkhead;
    rate_limit_cfg rate_limit;
    limit_cfg limit; /* client-side concurrency limiter */
} policy_cfg;

/* Liveness probes on a pool's servers (Kubernetes livenessProbe): a server
 * failing failure_threshold consecutive probes is restarted. */
typedef struct {
    int enabled;
    double interval;       /* periodSeconds */
    double timeout;        /* timeoutSeconds */
    int failure_threshold; /* failureThreshold */
    probe_kind probe;
    dist_cfg restart;      /* how long a restarted server stays DOWN */
} liveness_cfg;

typedef enum { SPARE_COLD = 0, SPARE_WARM, SPARE_HOT } spare_mode;

/* Standby units behind a pool's active positions (failover). */
typedef struct {
    int count;          /* 0 = no spares */
    spare_mode mode;
    double warm_factor; /* warm: an idle spare fails at this times the failure rate, in (0,1) */
    dist_cfg switchover;/* from an active failure to the spare serving (DIST_NONE = 0 s) */
} spares_cfg;
/* Fault injection at a pool (Envoy's fault filter): before an attempt
 * reaches a server it fails with probability error_rate (answered at once,
 * or never with FAIL_HANG), else it is held latency.delay with probability
 * latency_fraction.  Neither occupies a worker. */
typedef struct {
    double error_rate;
    failure_mode error_kind;
    double latency_fraction;
    dist_cfg latency; /* DIST_NONE when latency_fraction is 0 */
} inject_cfg;

typedef enum { FULL_REJECT = 0, FULL_DROP } full_action;
typedef enum { DISC_FIFO = 0, DISC_PS } pool_discipline;

/* Service slowing down with concurrency: a factor f(n) >= 1 on the service
 * time (FIFO: drawn at the start of service, n = attempts in service at the
 * server including it; PS: the server's speed is divided by f(n)). */
#define SLOWDOWN_TABLE_MAX 32
typedef struct {
    double per_request;          /* f(n) = 1 + per_request * (n - 1), or ... */
    int npoints;                 /* ... a table: f at n, linear between, flat after */
    double n[SLOWDOWN_TABLE_MAX];
    double factor[SLOWDOWN_TABLE_MAX];
} slowdown_cfg;

typedef enum { QDISC_FIFO = 0, QDISC_LIFO, QDISC_ADAPTIVE_LIFO } queue_discipline;

/* Server-side admission control ("Fail at Scale"). */
typedef struct {
    double queue_timeout;   /* longest wait before service; 0 = none */
    int codel;              /* adaptive limit: target while the queue stands */
    double codel_target;    /* M (5 ms) */
    double codel_interval;  /* N (100 ms) */
    queue_discipline discipline;
} admission_cfg;

/* Retry-after answer of a pool that sheds or rejects (gRPC A6). */
typedef struct {
    int enabled;
    double delay; /* >= 0: retry after exactly this; < 0: do not retry */
} pushback_cfg;

typedef struct {
    char name[CFG_NAME_MAX];
    int servers;   /* active positions (spares come on top) */
    int workers;
    int queue_limit; /* 0 = unbounded */
    dist_cfg service;
    dist_cfg failure; /* kind == DIST_NONE: never fails */
    dist_cfg repair;
    int repair_crews; /* 0 = every server repaired independently */
    failure_mode mode;
    int quorum;
    int has_calls; /* multi-tier: serving here calls another pool */
    policy_cfg calls;
    liveness_cfg liveness;
    spares_cfg spares;
    inject_cfg inject;
    full_action on_full;
    pool_discipline discipline;
    slowdown_cfg slowdown;
    admission_cfg admission;
    int max_concurrency; /* per server, queued + in service; 0 = none */
    limit_cfg limit;     /* adaptive per-server limit */
    pushback_cfg pushback;
} pool_cfg;

typedef enum { ARRIVAL_POISSON = 0, ARRIVAL_CLOSED } arrival_kind;

typedef struct {
    double t, rate;
} sched_point;

typedef struct {
    arrival_kind process;
    double rate;    /* poisson (without a schedule) */
    int users;      /* closed */
    dist_cfg think; /* closed */
    int nsched;            /* poisson: piecewise-linear rate (t ascending) */
    sched_point *sched;    /* owned by the scenario (scenario_free) */
    double period;         /* > 0: rate x (1 + amplitude cos(2 pi (t - peak_at) / period)) */
    double amplitude;      /* in [0, 1] */
    double peak_at;
} arrival_cfg;

typedef struct {
    char name[CFG_NAME_MAX];
    arrival_cfg arrival;
    policy_cfg policy;
} client_cfg;

typedef enum { EVENT_FAIL = 0, EVENT_LOAD, EVENT_INJECT, EVENT_PARTITION } event_kind;

/* A scheduled fault or load change inside the simulation. */
typedef struct {
    event_kind kind;
    double at;
    double duration;
    int pool;          /* fail, inject: index into pools; partition: the pool whose calls are cut, or -1 */
    int servers;       /* fail: how many UP servers are forced DOWN */
    int client;        /* load: index into clients; partition: the client cut off, or -1 */
    double multiplier; /* load: >= 0 */
    inject_cfg inject; /* inject: replaces the pool's injection for `duration` */
} event_cfg;

/* Safety limits against runaway models (issue 8); 0 means "no limit". */
typedef struct {
    long max_in_flight;     /* attempts queued or in service, summed over pools */
    double max_events;      /* per replication */
} limits_cfg;

/* A service-level objective for one client (issue 16): targets over
 * replications, judged by app/slo.c.  A target of 0 is "not set". */
enum { SLO_P50, SLO_P99, SLO_P999, SLO_NLAT };
typedef struct {
    int client;                 /* index into scenario.clients */
    double success;             /* request_success >= this, in (0, 1); 0 = not set */
    double latency[SLO_NLAT];   /* latency_p50/p99/p999 <= this (s); 0 = not set */
    double window;              /* error-budget window (s) for the burn rate */
} slo_cfg;

typedef struct scenario {
    char *name;        /* owned */
    char *description; /* owned, may be "" */
    char *file;        /* owned: the path it was read from, "" if none */
    uint64_t seed;
    double horizon;
    double warmup;
    int replications;
    double bin; /* time-series bin width in seconds (0 = horizon/200) */
    int npools;
    pool_cfg *pools; /* owned array */
    int nclients;
    client_cfg *clients; /* owned array */
    int nevents;
    event_cfg *events; /* owned array, sorted by `at` */
    limits_cfg limits;
    int nslos;
    slo_cfg *slos;     /* owned array, in file order */
} scenario;

/* Release everything a scenario owns (not the struct itself). NULL is fine. */
void scenario_free(scenario *s);

/* THE defaults (docs/SCENARIO.md lists each one): the loader starts from
 * these and overwrites what the file gives; the report reads them back from
 * scenario.resolved.json.  Nothing else may write a default value.
 *
 * The _defaults functions fill a whole struct with what an absent key means
 * (a feature left out is off).  The _enable functions turn on an optional
 * feature whose object is present in the file, with the reference
 * implementation's defaults for the keys it leaves out. */
void scenario_defaults(scenario *s);
void policy_cfg_defaults(policy_cfg *p);
void pool_cfg_defaults(pool_cfg *p);
void client_cfg_defaults(client_cfg *c);

/* The reference defaults of adaptive-limit KIND (Netflix concurrency-limits,
 * Envoy adaptive concurrency). */
void limit_cfg_defaults(limit_cfg *cfg, limit_kind kind);

void retry_cfg_enable(retry_cfg *r);                      /* "retry": {} */
void budget_cfg_enable(budget_cfg *b, budget_kind kind);  /* "budget": {"kind": ...} */
void hedge_cfg_enable(hedge_cfg *h);                      /* "hedge": {...} */
void outlier_cfg_enable(outlier_cfg *o);                  /* "outlier": {} */
void health_cfg_enable(health_cfg *h);                    /* "health_check": {...} */
void liveness_cfg_enable(liveness_cfg *l);                /* "liveness": {} */
void network_cfg_enable(network_cfg *n);                  /* "network": {} (no delay, no loss) */

/* Deep copy (for sweeps that change one point). Returns 0 or -1 on ENOMEM. */
int scenario_copy(scenario *dst, const scenario *src);

/* Mean of a distribution (inf-free: validated configs only). */
double dist_mean(const dist_cfg *d);
double dist_leaf_mean(const dist_leaf *d);

/* Is any injection configured? */
int inject_active(const inject_cfg *i);

#endif
