/* sweep_stats.h - the statistics a sweep reports of each point: a metric's
 * mean and 95% CI over the point's replications, its paired difference from
 * the baseline over their common replications (common random numbers: the
 * honest, narrow interval) with the unpaired (Welch) half-width beside it,
 * the --outcome share, and what the SLO recommendation needs.
 *
 * Everything is folded one replication at a time, in replication order
 * (swstat_acc_rep), into running statistics (sim/stat.h), so a point keeps
 * no per-replication data: the pairing needs x_i(baseline) at the time
 * x_i(point) is folded, so the baseline runs first and only ITS rows are
 * kept (sweep.base_rows; memory independent of the number of points).
 * The confident ranks compare every pair of points: for them, in sweeps of
 * at most SW_CONFIDENT_MAX points, each point keeps its objectives' values
 * per replication (sw_point.keep).
 * Folding in order makes every figure bit-identical to the array
 * computation (stat_summarize, stat_paired) and to any -j or MPI ranks.
 */
#ifndef RELSIM_SWEEP_STATS_H
#define RELSIM_SWEEP_STATS_H

#include "app/execute.h"
#include "app/sweep.h"
#include "sim/stat.h"

/* A point's running statistics while it runs.  Owns its arrays. */
typedef struct {
    int ncols;
    int pairs;           /* fold differences from the baseline (-1: not decided yet) */
    stat_run *sub;       /* [ncols] the point over the replications it shares with the baseline */
    stat_run *pair;      /* [ncols] point - baseline, same replications */
    stat_run extra, succ, dextra, dsucc; /* srec_stats, folded */
    int k, n;            /* --outcome */
    double *row;         /* [ncols] scratch: the replication's row */
} sw_acc;

/* Start point PT of S.  0, or -1 on ENOMEM (swstat_acc_free() is still safe). */
int swstat_acc_init(sw_acc *a, const sweep *s, sw_point *pt);
void swstat_acc_free(sw_acc *a);

/* Fold replication REP's record (layout L) of point PT, the next in
 * replication order.  The baseline's rows are kept in S.  0 or -1 on ENOMEM. */
int swstat_acc_rep(sw_acc *a, sweep *s, sw_point *pt, int rep, const rec_layout *L, const double *rec);

/* PT has run (R, folded into A): its summaries into PT.  Sets pt->ran and
 * pt->nrec.  0 or -1 on ENOMEM. */
int swstat_acc_finish(sw_acc *a, const sweep *s, sw_point *pt, const exec_result *r);

/* PT's sweep.json object and sweep.csv row are printed: keep only the
 * columns the ranking and the table still need (the objectives'), so a
 * finished point keeps a few hundred bytes.  Not the baseline's (every
 * point compares with it).  Without memory, keeps them all. */
void swstat_shrink(const sweep *s, sw_point *pt);

/* Do A and B have results for the same entities in the same order (so the
 * pairing is column by column)? */
int swstat_comparable(const sw_point *a, const sw_point *b);

/* Mean and 95% CI of column COL over PT's replications. */
stat_summary swstat_col(const sw_point *pt, int col);

/* PT's column COL minus the baseline's (BASE), paired and unpaired (PT
 * comparable). */
sw_diff swstat_diff(const sw_point *base, const sw_point *pt, int col);

/* B's column COL minus A's, paired over their common replications, for
 * any two comparable points of a sweep of at most SW_CONFIDENT_MAX points
 * and COL an objective's column (else undefined). */
stat_summary swstat_paired(const sw_point *a, const sw_point *b, int col);

/* Objective OB's column in PT's rows, and its summary. */
int swstat_metric_col(const sw_objective *ob, const sw_point *pt);
stat_summary swstat_metric(const sw_objective *ob, const sw_point *pt);

/* --outcome at PT: K of N replications hold, Clopper-Pearson [LO, HI]. */
void swstat_outcome(const sweep *s, const sw_point *pt, int *k, int *n, double *lo, double *hi);

/* The points as app/sweep_recommend.h sees them (views into S; the caller
 * frees the array).  NULL on ENOMEM. */
srec_point *swstat_srec_points(const sweep *s);

#endif
