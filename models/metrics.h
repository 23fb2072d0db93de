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
#include "models/metrics_table.h"
#include "sim/stat.h"

#include <stddef.h>

/* The metric and cause enums, generated from models/metrics_table.h. */
#define METRICS_ENUM_(id, name, label, unit, kind, better, flags, undefined) id,
#define METRICS_CAUSE_ENUM_(p, id, name, label) CAUSE_##id,
enum { RELSIM_POOL_METRICS(METRICS_ENUM_) PM_COUNT };
enum { RELSIM_CALLER_METRICS(METRICS_ENUM_) CM_COUNT };
enum { RELSIM_CAUSES(METRICS_CAUSE_ENUM_, _) CAUSE_COUNT };
#undef METRICS_ENUM_
#undef METRICS_CAUSE_ENUM_

/* One row of the metric table. */
typedef struct {
    const char *name;      /* key in results.json */
    const char *label;     /* plain words */
    const char *unit;      /* "" for none */
    metric_kind kind;
    metric_better better;
    unsigned flags;        /* MF_* */
    const char *undefined; /* why it can be null in a replication */
} metric_def;

/* The rows, in enum order. */
extern const metric_def pm_defs[PM_COUNT];
extern const metric_def cm_defs[CM_COUNT];

/* S with its interval kept within the values metric D can take: [0, 1] for
 * fractions and probabilities, [0, inf) for times, counts and ratios. */
stat_summary metric_within(const metric_def *d, stat_summary s);

/* The row of column K of a record's metrics (NPOOLS pools' PM_COUNT metrics,
 * then the callers' CM_COUNT each). */
const metric_def *metric_of_col(int npools, size_t k);

/* 1 if metric D is a fraction or probability (values in [0, 1]). */
int metric_is_fraction(const metric_def *d);

/* Cause names (data/errors.csv) and labels, in CAUSE_* order. */
extern const char *const cause_names[CAUSE_COUNT];
extern const char *const cause_labels[CAUSE_COUNT];

/* Raw per-bin time-series values. */
enum { TSP_UP, TSP_BUSY, TSP_QUEUE, TSP_ARRIVALS, TSP_LIMIT, TSP_COUNT };
enum {
    TSC_OFFERED,
    TSC_ATTEMPTS,
    TSC_SUCCESSES,
    TSC_ENDED,
    TSC_IN_FLIGHT,
    TSC_BREAKER_OPEN,
    TSC_ERROR_COUNTER,
    TSC_UNHEALTHY, /* servers believed unhealthy (health checking), time average */
    TSC_LIMIT,
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
    /* the sample blocks, in this order after everything above: a new
     * replication zeroes only their counts (world.c record_clear) */
    size_t updown;   /* [npools][2][1 + SAMPLE_CAP]: count, then durations (up, down) */
    size_t delays;   /* [ncallers][1 + 2*SAMPLE_CAP]: count, then (delay, fired) pairs */
    size_t detect;   /* [ncallers][1 + SAMPLE_CAP]: count, then detection delays */
    size_t misc;     /* [REC_MISC] */
    size_t total;
} rec_layout;

/* Misc slots.  REC_RUNAWAY_*: set only when the overload guard stopped the
 * replication (REC_RUNAWAY_T > 0): when, which pool (-1: requests piling up
 * in a caller), and over the last one or two time-series bins the requests/s
 * offered by the callers of that pool, the attempts/s they sent, the pool's
 * nominal capacity (servers x workers / mean service time), its servers UP
 * at that moment, and which mechanism multiplied the attempts (bit 1
 * retries, bit 2 hedges). */
enum {
    REC_EVENTS,
    REC_COMPLETE,
    REC_WALL,
    REC_RUNAWAY_T,
    REC_RUNAWAY_POOL,
    REC_RUNAWAY_WINDOW,
    REC_RUNAWAY_OFFERED,
    REC_RUNAWAY_ATTEMPTS,
    REC_RUNAWAY_CAPACITY,
    REC_RUNAWAY_UP,
    REC_RUNAWAY_MECH,
    REC_MISC
};

#define METRICS_DEFAULT_BINS 200 /* time-series bins when the scenario gives no `bin` */
#define METRICS_MAX_BINS 100000  /* at most this many bins (the loader refuses more) */

void rec_layout_init(rec_layout *L, const scenario *sc);

static inline double *rec_pool(const rec_layout *L, double *rec, int p) { return rec + L->pool + (size_t)p * PM_COUNT; }
static inline double *rec_caller(const rec_layout *L, double *rec, int c) { return rec + L->caller + (size_t)c * CM_COUNT; }
static inline double *rec_ts(const rec_layout *L, double *rec, int bin) { return rec + L->ts + (size_t)bin * L->ts_cols; }
static inline double *rec_hist(const rec_layout *L, double *rec, int c) { return rec + L->hist + (size_t)c * STAT_HIST_N; }
static inline double *rec_updown(const rec_layout *L, double *rec, int p, int down) { return rec + L->updown + ((size_t)p * 2 + (size_t)down) * (1 + SAMPLE_CAP); }
static inline double *rec_detect(const rec_layout *L, double *rec, int c) { return rec + L->detect + (size_t)c * (1 + SAMPLE_CAP); }
static inline double *rec_delays(const rec_layout *L, double *rec, int c) { return rec + L->delays + (size_t)c * (1 + 2 * SAMPLE_CAP); }

/* Names as they appear in results.json (pool and caller metrics). */
extern const char *const pm_names[PM_COUNT];
extern const char *const cm_names[CM_COUNT];

/* 1 if metric M (PM_* when IS_POOL, else CM_*) is better when higher. */
int metrics_maximize(int is_pool, int m);

/* Number of callers: clients plus pools with `calls`. */
int metrics_ncallers(const scenario *sc);

#endif
