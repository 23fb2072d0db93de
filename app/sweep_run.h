/* sweep_run.h - running a sweep's points.
 *
 * The work is (point, replication) pairs, run on all -j threads without a
 * barrier (across MPI ranks, app/par.h, in batches) by the same code as
 * `relsim run` (app/execute.h), each point's replications folded in
 * replication order,
 * so a point's results are exactly those of a run of its scenario, for any
 * -j or number of ranks; --precision runs the points one after another,
 * each to its precision.  A point is reduced to its summaries
 * (app/sweep_stats.h) and, on rank 0, gets its folder OUTDIR/pNNN/
 * (app/sweep_write.h) as soon as its last replication is folded.
 */
#ifndef RELSIM_SWEEP_RUN_H
#define RELSIM_SWEEP_RUN_H

#include "app/sweep.h"

/* Run every point: the baseline first, then grid order.  A point that fails
 * is reported on stderr (S->failed) and the others go on; an interrupt
 * stops the sweep (S->interrupted): the finished points keep their results,
 * the running ones their finished replications. */
void swrun_points(sweep *s);

#endif
