/* metrics.c - record layout, and the metric table (metrics_table.h) as arrays. */
#include "models/metrics.h"

#include <math.h>

#define METRICS_DEF_(id, name, label, unit, kind, better, flags, undefined) \
    [id] = {name, label, unit, kind, better, flags, undefined},
#define METRICS_NAME_(id, name, label, unit, kind, better, flags, undefined) [id] = name,
#define METRICS_CAUSE_NAME_(p, id, name, label) [CAUSE_##id] = name,
#define METRICS_CAUSE_LABEL_(p, id, name, label) [CAUSE_##id] = label,

const metric_def pm_defs[PM_COUNT] = {RELSIM_POOL_METRICS(METRICS_DEF_)};
const metric_def cm_defs[CM_COUNT] = {RELSIM_CALLER_METRICS(METRICS_DEF_)};
const char *const pm_names[PM_COUNT] = {RELSIM_POOL_METRICS(METRICS_NAME_)};
const char *const cm_names[CM_COUNT] = {RELSIM_CALLER_METRICS(METRICS_NAME_)};
const char *const cause_names[CAUSE_COUNT] = {RELSIM_CAUSES(METRICS_CAUSE_NAME_, _)};
const char *const cause_labels[CAUSE_COUNT] = {RELSIM_CAUSES(METRICS_CAUSE_LABEL_, _)};

/* The causes are contiguous caller metrics in CAUSE_* order. */
_Static_assert(CM_CAUSE_ABANDONED - CM_CAUSE_SUCCESS == CAUSE_ABANDONED - CAUSE_SUCCESS,
               "cause metrics follow the CAUSE_* order");

int metrics_maximize(int is_pool, int m)
{
    return (is_pool ? pm_defs[m] : cm_defs[m]).better == BETTER_HIGHER;
}

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
    L->bin = sc->bin > 0 ? sc->bin : span / METRICS_DEFAULT_BINS;
    double nb = span / L->bin;
    L->nbins = nb < 1 ? 1 : nb > METRICS_MAX_BINS ? METRICS_MAX_BINS : (int)(nb + 0.999999);
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
    L->detect = off;
    off += (size_t)L->ncallers * (1 + SAMPLE_CAP);
    L->misc = off;
    off += REC_MISC;
    L->total = off;
}

int metric_is_fraction(const metric_def *d)
{
    return d->kind == METRIC_PROB || d->kind == METRIC_AVAIL;
}

stat_summary metric_within(const metric_def *d, stat_summary s)
{
    return stat_within(s, 0.0, metric_is_fraction(d) ? 1.0 : INFINITY);
}

const metric_def *metric_of_col(int npools, size_t k)
{
    size_t np = (size_t)npools * PM_COUNT;
    return k < np ? &pm_defs[k % PM_COUNT] : &cm_defs[(k - np) % CM_COUNT];
}
