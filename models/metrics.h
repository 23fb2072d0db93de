/* metrics.h - what one replication measures, laid out in one flat record.
 *
 * A replication writes every number it produces into a single array of
 * doubles (its "record"): metrics per pool and per caller, the time series,
 * latency histograms and capped samples.  A flat record of fixed size makes
 * replications independent work items that threads or MPI ranks can fill in
 * any order, and lets rank 0 combine them in replication order.
 *
 * Callers are the clients (0..nclients-1) followed by one per pool with
 * downstream `calls` (multi-tier), in pool order.
 */
#ifndef RELSIM_METRICS_H
#define RELSIM_METRICS_H

#include "models/config.h"
#include "sim/stat.h"

#include <stddef.h>

/* Per-pool metrics (MODEL.md "Metrics"). */
enum {
    PM_SERVER_AVAILABILITY,
    PM_SYSTEM_AVAILABILITY,
    PM_BUSY_SERVERS,
    PM_UTILIZATION,
    PM_QUEUE_LENGTH,
    PM_LOAD_AMPLIFICATION,
    PM_FAILURES,
    PM_MTTF_OBSERVED,
    PM_MTTR_OBSERVED,
    PM_ARRIVALS,       /* attempts that reached the pool */
    PM_WASTED_FRACTION,/* served attempts whose caller had already given up */
    PM_REJECTED,       /* attempts refused by a full queue */
    PM_MTTF_ESTIMATE,  /* up time / failures: the censoring-corrected MTTF */
    PM_MTTR_ESTIMATE,  /* down time / repairs completed */
    PM_COUNT
};

/* Per-caller metrics. */
enum {
    CM_REQUEST_SUCCESS,
    CM_LATENCY_MEAN,
    CM_LATENCY_P50,
    CM_LATENCY_P99,
    CM_LATENCY_P999,
    CM_ATTEMPTS_PER_REQUEST,
    CM_TIMEOUT_FRACTION,
    CM_BREAKER_OPEN_FRACTION,
    CM_BREAKER_TRIPS,
    CM_REJECTED_BY_BREAKER,
    CM_RETRIES_DROPPED_BY_BUDGET,
    CM_REQUESTS,          /* requests ended in the window */
    CM_THROUGHPUT,        /* successful requests per second */
    CM_RETRY_FIRED,       /* exponential_random: retries fired / retries drawn */
    CM_HEDGES_SENT,       /* per request */
    CM_HEDGES_WON,        /* fraction of successes answered by a hedge */
    CM_EJECTIONS,         /* outlier ejections per replication */
    CM_EJECTED_FRACTION,  /* time-average fraction of servers ejected */
    CM_DEADLINE_FRACTION, /* requests ended by their deadline / ended */
    /* attempt outcomes per ended request, by cause (data/errors.csv) */
    CM_CAUSE_SUCCESS,
    CM_CAUSE_TIMEOUT,
    CM_CAUSE_ERROR,
    CM_CAUSE_REJECTED,
    CM_CAUSE_BREAKER,
    CM_CAUSE_BUDGET,
    CM_CAUSE_ABANDONED,
    CM_COUNT
};

/* Raw per-bin time-series values. */
enum { TSP_UP, TSP_BUSY, TSP_QUEUE, TSP_ARRIVALS, TSP_COUNT };
enum {
    TSC_OFFERED,
    TSC_ATTEMPTS,
    TSC_SUCCESSES,
    TSC_ENDED,
    TSC_IN_FLIGHT,
    TSC_BREAKER_OPEN,
    TSC_ERROR_COUNTER,
    TSC_COUNT
};

#define SAMPLE_CAP 1000 /* up/down periods and retry delays kept per replication */

/* Offsets into a record; every block is contiguous. */
typedef struct {
    int npools, ncallers, nclients, nbins;
    double bin;      /* bin width in seconds */
    size_t pool;     /* [npools][PM_COUNT] */
    size_t caller;   /* [ncallers][CM_COUNT] */
    size_t ts;       /* [nbins][npools*TSP_COUNT + ncallers*TSC_COUNT] */
    size_t ts_cols;
    size_t hist;     /* [ncallers][STAT_HIST_N] latency counts */
    size_t updown;   /* [npools][2][1 + SAMPLE_CAP]: count, then durations (up, down) */
    size_t delays;   /* [ncallers][1 + 2*SAMPLE_CAP]: count, then (delay, fired) pairs */
    size_t misc;     /* [REC_MISC] */
    size_t total;
} rec_layout;

enum { REC_EVENTS, REC_COMPLETE, REC_WALL, REC_MISC };

void rec_layout_init(rec_layout *L, const scenario *sc);

static inline double *rec_pool(const rec_layout *L, double *rec, int p) { return rec + L->pool + (size_t)p * PM_COUNT; }
static inline double *rec_caller(const rec_layout *L, double *rec, int c) { return rec + L->caller + (size_t)c * CM_COUNT; }
static inline double *rec_ts(const rec_layout *L, double *rec, int bin) { return rec + L->ts + (size_t)bin * L->ts_cols; }
static inline double *rec_hist(const rec_layout *L, double *rec, int c) { return rec + L->hist + (size_t)c * STAT_HIST_N; }
static inline double *rec_updown(const rec_layout *L, double *rec, int p, int down) { return rec + L->updown + ((size_t)p * 2 + (size_t)down) * (1 + SAMPLE_CAP); }
static inline double *rec_delays(const rec_layout *L, double *rec, int c) { return rec + L->delays + (size_t)c * (1 + 2 * SAMPLE_CAP); }

/* Names as they appear in results.json (pool and caller metrics). */
extern const char *const pm_names[PM_COUNT];
extern const char *const cm_names[CM_COUNT];

/* Number of callers: clients plus pools with `calls`. */
int metrics_ncallers(const scenario *sc);

#endif
