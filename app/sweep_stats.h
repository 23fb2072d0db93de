/* sweep_stats.h - the statistics a sweep reports of each point: a metric's
 * mean and 95% CI over the point's replications, its paired difference from
 * the baseline over their common replications (common random numbers: the
 * honest, narrow interval) with the unpaired (Welch) half-width beside it,
 * the --outcome share, and the points as app/sweep_recommend.h sees them.
 */
#ifndef RELSIM_SWEEP_STATS_H
#define RELSIM_SWEEP_STATS_H

#include "app/sweep.h"
#include "app/sweep_recommend.h"
#include "sim/stat.h"

typedef struct {
    stat_summary paired; /* point - baseline over the common replications */
    double half;         /* unpaired (Welch) 95% half-width, same replications */
} sw_diff;

/* Do A and B have results for the same entities in the same order (so the
 * pairing is column by column)? */
int swstat_comparable(const sw_point *a, const sw_point *b);

/* Mean and 95% CI of column COL over PT's replications. */
stat_summary swstat_col(const sw_point *pt, int col);

/* PT's column COL minus BASE's, paired and unpaired. */
sw_diff swstat_diff(const sw_point *base, const sw_point *pt, int col);

/* Objective OB's column in PT's rows, and its summary. */
int swstat_metric_col(const sw_objective *ob, const sw_point *pt);
stat_summary swstat_metric(const sw_objective *ob, const sw_point *pt);

/* The same for the first objective (S->obj). */
int swstat_objective_col(const sweep *s, const sw_point *pt);
stat_summary swstat_objective(const sweep *s, const sw_point *pt);

/* --outcome at PT: K of N replications hold, Clopper-Pearson [LO, HI]. */
void swstat_outcome(const sweep *s, const sw_point *pt, int *k, int *n, double *lo, double *hi);

/* The points as app/sweep_recommend.h sees them (views into S; the caller
 * frees the array).  NULL on ENOMEM. */
srec_point *swstat_srec_points(const sweep *s);

#endif
