/* sweep_rank.h - what a sweep ranks its points by (--objective
 * METRIC[:max|min], default request_success:max) and the ranking itself:
 * the points with results, best objective mean first, undefined last, ties
 * in grid order.
 *
 * Several objectives (--objective repeated, or a comma list) rank the same
 * points on several metrics at once: the first orders the table, each gets
 * its own ranking and paired verdict against the baseline, and the Pareto
 * front names the points no other point beats on every objective.
 */
#ifndef RELSIM_SWEEP_RANK_H
#define RELSIM_SWEEP_RANK_H

#include "app/sweep.h"

/* Parse every --objective (each a METRIC[:max|min] or a comma list of
 * them) against the first point's scenario into S->objs (S->obj is the
 * first).  0, or -1 after printing what is expected and the known metrics
 * (or that a metric is named twice) on stderr. */
int swrank_objective(sweep *s);

/* Indexes of the points with results, best first by S->obj (malloc'd, the
 * caller frees; NULL on ENOMEM); *N gets their number. */
int *swrank_order(const sweep *s, int *n);

/* The same by objective OB. */
int *swrank_order_by(const sweep *s, const sw_objective *ob, int *n);

/* Point I against the baseline on OB: SW_BETTER or SW_WORSE when the paired
 * 95% CI of the difference excludes 0, SW_SAME when it does not, SW_BASE for
 * the baseline itself, SW_NA when there is no paired difference. */
enum { SW_NA, SW_BASE, SW_SAME, SW_BETTER, SW_WORSE };
int swrank_verdict(const sweep *s, const sw_objective *ob, int i);

/* Does point J beat point I on OB with 95% confidence: the paired 95% CI
 * of J - I (over their common replications) is on OB's good side of 0?  An
 * undefined mean (e.g. no request succeeded) is beaten by any defined one,
 * as it ranks last.  One comparison at 95%, not corrected for the many
 * pairs a sweep has. */
int swrank_beats(const sweep *s, const sw_objective *ob, int j, int i);

/* Confident ranks are computed for sweeps of at most this many points (the
 * work grows as points^2 x objectives x replications). */
#define SW_CONFIDENT_MAX 400

/* Point I's rank on OB that only a real difference can break: 1 + the
 * number of points that beat it with 95% confidence, so points that cannot
 * be told apart share a rank.  0 without results, or over SW_CONFIDENT_MAX. */
int swrank_confident(const sweep *s, const sw_objective *ob, int i);

/* Is point I on the confident Pareto front of S's objectives: it has
 * results and no other point beats it with confidence on one objective
 * while losing to it with confidence on none?  0 over SW_CONFIDENT_MAX. */
int swrank_front(const sweep *s, int i);

#endif
