/* sweep_rank.h - what a sweep ranks its points by (--objective
 * METRIC[:max|min], default request_success:max) and the ranking itself:
 * the points with results, best objective mean first, undefined last, ties
 * in grid order.
 */
#ifndef RELSIM_SWEEP_RANK_H
#define RELSIM_SWEEP_RANK_H

#include "app/sweep.h"

/* Parse --objective against the first point's scenario into S->obj.  0, or
 * -1 after printing what is expected and the known metrics on stderr. */
int swrank_objective(sweep *s);

/* Indexes of the points with results, best first (malloc'd, the caller
 * frees; NULL on ENOMEM); *N gets their number. */
int *swrank_order(const sweep *s, int *n);

#endif
