/* config.c - THE defaults of every scenario value, copy and release of the
 * scenario description. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void policy_cfg_defaults(policy_cfg *p)
{
    memset(p, 0, sizeof *p);
    p->balancer = BAL_RANDOM;
    p->retry.max_attempts = 1;
    p->retry.retry_on = (retry_on_cfg){1, 1, 1, 1};
    p->retry.backoff.kind = BACKOFF_NONE;
    p->retry.backoff.multiplier = 2;
    p->breaker.kind = BREAKER_NONE;
    p->breaker.failure_threshold = 5; /* consecutive (as Envoy's consecutive_5xx) */
    /* failure_rate: Resilience4j's slidingWindowSize, minimumNumberOfCalls
     * (the loader lowers it to the window when only the window is given),
     * failureRateThreshold and slowCallRateThreshold */
    p->breaker.window = 100;
    p->breaker.min_calls = 100;
    p->breaker.failure_rate = 0.5;
    p->breaker.slow_call_rate = 1.0;
    /* relsim's own (Resilience4j waits 60 s with 10 probes): a short OPEN
     * period and one probe, so trips show within a typical run */
    p->breaker.open_for = 5.0;
    p->breaker.half_open_probes = 1;
    p->throttle.k = 2;        /* SRE book */
    p->throttle.window = 120;
    p->bulkhead.max_concurrent = 25; /* Resilience4j */
    p->bulkhead.max_wait = 0;
    p->rate_limit.max_wait = 5; /* Resilience4j timeoutDuration */
}

void pool_cfg_defaults(pool_cfg *p)
{
    memset(p, 0, sizeof *p);
    p->servers = 1;
    p->workers = 1;
    p->service.kind = DIST_EXPONENTIAL;
    p->service.rate = 1;
    p->failure.kind = DIST_NONE;
    p->repair.kind = DIST_EXPONENTIAL;
    p->repair.rate = 1;
    p->mode = FAIL_FAST;
    p->quorum = 1;
    p->admission.codel_target = 0.005; /* Fail at Scale: M = 5 ms, N = 100 ms */
    p->admission.codel_interval = 0.1;
    policy_cfg_defaults(&p->calls);
}

void client_cfg_defaults(client_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->arrival.process = ARRIVAL_POISSON;
    c->arrival.rate = 1;
    policy_cfg_defaults(&c->policy);
}

/* Named defaults of the optional objects (the values SCENARIO.md documents). */
#define DEFAULT_SEED 1
#define DEFAULT_REPLICATIONS 10
#define DEFAULT_MAX_IN_FLIGHT 1000000 /* attempts queued or in service, all pools */
#define DEFAULT_MAX_EVENTS 1e10       /* per replication: about 11 min at 66 ns/event */
#define RETRY_MAX_ATTEMPTS 3          /* a retry object without max_attempts */
#define HEDGE_MAX_ATTEMPTS 2          /* gRPC hedgingPolicy: the first + one hedge */

void scenario_defaults(scenario *s)
{
    memset(s, 0, sizeof *s);
    s->seed = DEFAULT_SEED;
    s->replications = DEFAULT_REPLICATIONS;
    s->limits.max_in_flight = DEFAULT_MAX_IN_FLIGHT;
    s->limits.max_events = DEFAULT_MAX_EVENTS;
}

void retry_cfg_enable(retry_cfg *r)
{
    r->max_attempts = RETRY_MAX_ATTEMPTS;
}

void budget_cfg_enable(budget_cfg *b, budget_kind kind)
{
    b->kind = kind;
    if (kind == BUDGET_RATIO) { /* Finagle's RetryBudget defaults */
        b->percent = 0.2;
        b->min_per_second = 10;
        b->ttl = 10;
    } else if (kind == BUDGET_QUOTA) {
        /* the AWS SDKs' standard retry quota: INITIAL_RETRY_TOKENS 500,
         * RETRY_COST 5, TIMEOUT_RETRY_COST 10, NO_RETRY_INCREMENT 1 */
        b->initial = 500;
        b->retry_cost = 5;
        b->timeout_cost = 10;
        b->success_deposit = 1;
        b->refund = 1;
    } else if (kind == BUDGET_BREAKER) { /* retry-only breaker */
        b->window = 100;
        b->failure_rate = 0.1;
    } /* token_bucket: max_tokens and token_ratio are required (gRPC has no defaults) */
}

void network_cfg_enable(network_cfg *n)
{
    n->enabled = 1;
    n->delay.kind = DIST_NONE;
    n->loss = 0;
}

void hedge_cfg_enable(hedge_cfg *h)
{
    h->enabled = 1;
    h->max_attempts = HEDGE_MAX_ATTEMPTS; /* delay is required */
}

void outlier_cfg_enable(outlier_cfg *o)
{
    /* Envoy outlier_detection: consecutive_5xx 5, base_ejection_time 30 s,
     * max_ejection_percent 10 */
    *o = (outlier_cfg){.enabled = 1, .consecutive_errors = 5, .base_ejection = 30,
                       .max_ejection_percent = 10};
}

void health_cfg_enable(health_cfg *h)
{
    /* Envoy: interval, timeout and both thresholds are required (these 0/1
     * placeholders never survive a valid file); interval_jitter 0;
     * healthy_panic_threshold 50 % */
    *h = (health_cfg){.enabled = 1, .unhealthy_threshold = 1, .healthy_threshold = 1,
                      .probe = PROBE_DIRECT, .panic_threshold = 0.5};
}

void liveness_cfg_enable(liveness_cfg *l)
{
    /* Kubernetes livenessProbe: periodSeconds 10, timeoutSeconds 1,
     * failureThreshold 3; a restart keeps the server DOWN 10 s (the kubelet's
     * first CrashLoopBackOff delay) */
    *l = (liveness_cfg){.enabled = 1, .interval = 10, .timeout = 1, .failure_threshold = 3,
                        .probe = PROBE_DIRECT,
                        .restart = {.kind = DIST_DETERMINISTIC, .value = 10}};
}

void limit_cfg_defaults(limit_cfg *c, limit_kind kind)
{
    memset(c, 0, sizeof *c);
    c->kind = kind;
    switch (kind) {
    case LIMIT_AIMD:
        *c = (limit_cfg){.kind = kind, .initial = 20, .min = 20, .max = 200, .backoff_ratio = 0.9,
                         .timeout = 5};
        break;
    case LIMIT_GRADIENT2:
        *c = (limit_cfg){.kind = kind, .initial = 20, .min = 20, .max = 200, .smoothing = 0.2,
                         .tolerance = 1.5, .queue_size = 4, .long_window = 600};
        break;
    case LIMIT_VEGAS:
        *c = (limit_cfg){.kind = kind, .initial = 20, .min = 1, .max = 1000, .smoothing = 1.0,
                         .probe_multiplier = 30};
        break;
    case LIMIT_ENVOY:
        *c = (limit_cfg){.kind = kind, .initial = 3, .min = 3, .max = 1000, .update_interval = 0.1,
                         .percentile = 0.5, .min_rtt_interval = 60, .request_count = 50,
                         .jitter = 0.15, .buffer = 0.25};
        break;
    case LIMIT_NONE: break;
    }
}

void scenario_free(scenario *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->description);
    free(s->file);
    free(s->pools);
    for (int c = 0; s->clients && c < s->nclients; c++)
        free(s->clients[c].arrival.sched);
    free(s->clients);
    free(s->events);
    free(s->slos);
    memset(s, 0, sizeof *s);
}

static void *dup_array(const void *src, size_t n, size_t size, int *fail)
{
    if (n == 0 || !src)
        return NULL;
    void *p = malloc(n * size);
    if (!p) {
        *fail = 1;
        return NULL;
    }
    memcpy(p, src, n * size);
    return p;
}

static char *dup_str(const char *s, int *fail)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *fail = 1;
    return d;
}

int scenario_copy(scenario *dst, const scenario *src)
{
    int fail = 0;
    *dst = *src;
    dst->name = dup_str(src->name, &fail);
    dst->description = dup_str(src->description, &fail);
    dst->file = dup_str(src->file, &fail);
    dst->pools = dup_array(src->pools, (size_t)src->npools, sizeof *src->pools, &fail);
    dst->clients = dup_array(src->clients, (size_t)src->nclients, sizeof *src->clients, &fail);
    dst->events = dup_array(src->events, (size_t)src->nevents, sizeof *src->events, &fail);
    dst->slos = dup_array(src->slos, (size_t)src->nslos, sizeof *src->slos, &fail);
    for (int c = 0; dst->clients && c < src->nclients; c++) {
        arrival_cfg *a = &dst->clients[c].arrival;
        a->sched = dup_array(src->clients[c].arrival.sched, (size_t)a->nsched, sizeof *a->sched, &fail);
    }
    if (!dst->clients)
        dst->nclients = 0; /* scenario_free must not walk a missing array */
    if (fail) {
        scenario_free(dst);
        return -1;
    }
    return 0;
}

#define MEAN_OF_PARAMS(d)                                                   \
    switch ((d)->kind) {                                                    \
    case DIST_EXPONENTIAL: return 1.0 / (d)->rate;                          \
    case DIST_DETERMINISTIC: return (d)->value;                             \
    case DIST_WEIBULL: return (d)->scale * tgamma(1.0 + 1.0 / (d)->shape);  \
    case DIST_LOGNORMAL: return exp((d)->mu + 0.5 * (d)->sigma * (d)->sigma); \
    case DIST_GAMMA: return (d)->shape * (d)->scale;                        \
    default: break;                                                         \
    }                                                                       \
    return INFINITY;

double dist_leaf_mean(const dist_leaf *d) { MEAN_OF_PARAMS(d) }

int inject_active(const inject_cfg *i) { return i->error_rate > 0 || i->latency_fraction > 0; }

double dist_mean(const dist_cfg *d)
{
    if (d->kind == DIST_MIXTURE) {
        double m = 0, prev = 0;
        for (int k = 0; k < d->ncomp; k++) {
            m += (d->cum[k] - prev) * dist_leaf_mean(&d->comp[k]);
            prev = d->cum[k];
        }
        return m;
    }
    MEAN_OF_PARAMS(d)
}
