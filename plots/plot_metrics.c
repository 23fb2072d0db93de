/* plot_metrics.c - labels and units of the results.json metrics (MODEL.md "Metrics"). */
#include "plots/plot_metrics.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

static const metric_info known[] = {
    {"server_availability", "server availability (fraction of servers UP)", "", METRIC_AVAIL, 1, 0},
    {"system_availability", "system availability (P(at least quorum UP))", "", METRIC_AVAIL, 1, 0},
    {"busy_servers", "busy workers (observed Q_balance)", "workers", METRIC_COUNT, 0, 0},
    {"utilization", "utilization (busy / (UP x workers))", "", METRIC_PROB, 1, 0},
    {"queue_length", "requests waiting (time average)", "requests", METRIC_COUNT, 0, 0},
    {"load_amplification", "load amplification (attempts reaching the pool per request)",
     "attempts/request", METRIC_COUNT, 1, 0},
    {"failures", "failures per replication", "per replication", METRIC_COUNT, 0, 0},
    {"mttf_observed", "mean up period (observed MTTF)", "s", METRIC_TIME, 0, 0},
    {"mttr_observed", "mean down period (observed MTTR)", "s", METRIC_TIME, 0, 0},
    {"mttf_estimate", "MTTF estimate (time UP / failures)", "s", METRIC_TIME, 0, 0},
    {"mttr_estimate", "MTTR estimate (time DOWN / repairs)", "s", METRIC_TIME, 0, 0},
    {"arrivals", "attempts that reached the pool", "per replication", METRIC_COUNT, 0, 0},
    {"wasted_fraction", "served attempts nobody waited for (wasted work)", "", METRIC_PROB, 0, 0},
    {"rejected", "attempts refused by a full queue", "per replication", METRIC_COUNT, 0, 0},
    {"request_success", "request success (client-perceived availability)", "", METRIC_AVAIL, 1, 1},
    {"latency_mean", "latency of successful requests, mean", "s", METRIC_TIME, 0, 1},
    {"latency_p50", "latency p50", "s", METRIC_TIME, 0, 1},
    {"latency_p99", "latency p99", "s", METRIC_TIME, 1, 1},
    {"latency_p999", "latency p99.9", "s", METRIC_TIME, 0, 1},
    {"attempts_per_request", "attempts per request", "attempts/request", METRIC_COUNT, 1, 1},
    {"timeout_fraction", "attempts that timed out", "", METRIC_PROB, 1, 1},
    {"breaker_open_fraction", "breakers OPEN (time average fraction)", "", METRIC_PROB, 1, 1},
    {"breaker_trips", "breaker trips (CLOSED to OPEN) per replication", "per replication",
     METRIC_COUNT, 0, 1},
    {"rejected_by_breaker", "attempts rejected by a breaker", "", METRIC_PROB, 0, 1},
    {"retries_dropped_by_budget", "retries denied by the budget", "", METRIC_PROB, 0, 1},
    {"requests", "requests ended", "per replication", METRIC_COUNT, 0, 1},
    {"throughput", "successful requests per second", "1/s", METRIC_COUNT, 0, 1},
    {"retry_fired_fraction", "P_retry: retries fired before t_max", "", METRIC_PROB, 0, 1},
    {"hedges_per_request", "hedges sent per request", "attempts/request", METRIC_COUNT, 0, 1},
    {"hedges_won", "successes answered by a hedge", "", METRIC_PROB, 0, 1},
    {"ejections", "outlier ejections", "per replication", METRIC_COUNT, 0, 1},
    {"ejected_fraction", "servers ejected (time average fraction)", "", METRIC_PROB, 0, 1},
    {"deadline_fraction", "requests ended by their deadline", "", METRIC_PROB, 0, 1},
};

const metric_info *metric_at(int i)
{
    return (i >= 0 && (size_t)i < sizeof known / sizeof known[0]) ? &known[i] : NULL;
}

const metric_info *metric_find(const char *name, int client)
{
    static metric_info generic;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(known[i].name, name))
            return &known[i];
    generic = (metric_info){name, name, "", METRIC_COUNT, 0, client};
    return &generic;
}

double metric_nines(double a)
{
    return a >= 1 ? INFINITY : -log10(1 - a);
}
