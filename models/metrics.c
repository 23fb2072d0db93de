/* metrics.c - record layout and metric names. */
#include "models/metrics.h"

const char *const pm_names[PM_COUNT] = {
    "server_availability", "system_availability", "busy_servers", "utilization",
    "queue_length", "load_amplification", "failures", "mttf_observed", "mttr_observed",
    "arrivals", "wasted_fraction", "rejected", "mttf_estimate", "mttr_estimate",
};

const char *const cm_names[CM_COUNT] = {
    "request_success", "latency_mean", "latency_p50", "latency_p99", "latency_p999",
    "attempts_per_request", "timeout_fraction", "breaker_open_fraction", "breaker_trips",
    "rejected_by_breaker", "retries_dropped_by_budget", "requests", "throughput",
    "retry_fired_fraction", "hedges_per_request", "hedges_won", "ejections",
    "ejected_fraction", "deadline_fraction",
    "cause_success", "cause_timeout", "cause_error", "cause_rejected", "cause_breaker",
    "cause_budget_denied", "cause_abandoned",
};

int metrics_ncallers(const scenario *sc)
{
    int n = sc->nclients;
    for (int p = 0; p < sc->npools; p++)
        n += sc->pools[p].has_calls != 0;
    return n;
}

void rec_layout_init(rec_layout *L, const scenario *sc)
{
    L->npools = sc->npools;
    L->nclients = sc->nclients;
    L->ncallers = metrics_ncallers(sc);
    double span = sc->horizon; /* the series shows the warm-up too */
    L->bin = sc->bin > 0 ? sc->bin : span / 200;
    double nb = span / L->bin;
    L->nbins = nb < 1 ? 1 : nb > 100000 ? 100000 : (int)(nb + 0.999999);
    L->ts_cols = (size_t)L->npools * TSP_COUNT + (size_t)L->ncallers * TSC_COUNT;
    size_t off = 0;
    L->pool = off;
    off += (size_t)L->npools * PM_COUNT;
    L->caller = off;
    off += (size_t)L->ncallers * CM_COUNT;
    L->ts = off;
    off += (size_t)L->nbins * L->ts_cols;
    L->hist = off;
    off += (size_t)L->ncallers * STAT_HIST_N;
    L->updown = off;
    off += (size_t)L->npools * 2 * (1 + SAMPLE_CAP);
    L->delays = off;
    off += (size_t)L->ncallers * (1 + 2 * SAMPLE_CAP);
    L->misc = off;
    off += REC_MISC;
    L->total = off;
}
