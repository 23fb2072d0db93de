/* sweep_outcome.h - `relsim sweep --outcome SPEC`: in what share of the
 * replications does a boolean outcome hold, with a binomial 95% interval.
 *
 * SPEC is METRIC OP NUMBER with METRIC as for --objective (request_success,
 * clients.web.request_success, pools.api.utilization) and OP one of < <= >
 * >=, e.g. 'clients.web.request_success<0.5'.  Each replication's value of
 * the metric (over its window [warmup, horizon]) is compared with NUMBER;
 * replications where the metric is undefined are left out of n.  The
 * interval is Clopper-Pearson (exact, from GSL's beta quantiles), so it is
 * valid at k = 0 and k = n, where a metastable collapse "never" or "always"
 * happens.  docs/COMPARING.md "Probabilities of an outcome".
 */
#ifndef RELSIM_SWEEP_OUTCOME_H
#define RELSIM_SWEEP_OUTCOME_H

#include "models/config.h"

#include <stdio.h>

typedef enum { OUTCOME_LT = 0, OUTCOME_LE, OUTCOME_GT, OUTCOME_GE } outcome_op;

typedef struct {
    int is_pool, entity, metric;
    outcome_op op;
    double bound;
    char label[224]; /* "clients.web.request_success < 0.5" */
} sweep_outcome;

/* Parse SPEC against SC into O.  0, or -1 after printing why on ERR. */
int sweep_outcome_parse(const char *spec, const scenario *sc, sweep_outcome *o, FILE *err);

/* Column of the outcome's metric in a sweep point's row of metrics (pool
 * metrics of every pool, then caller metrics of every caller). */
int sweep_outcome_col(const sweep_outcome *o, int npools);

/* Does it hold for VALUE?  -1 if VALUE is undefined (NaN). */
int sweep_outcome_holds(const sweep_outcome *o, double value);

/* Clopper-Pearson 95% interval for k successes in n trials; NaN when n = 0. */
void sweep_outcome_ci(int k, int n, double *lo, double *hi);

#endif
