/* sweep_run.h - running a sweep's points.
 *
 * Points run one after another, each with all -j threads (or MPI ranks,
 * app/par.h), through the same run_simulate() as `relsim run` (app/run.h),
 * so a point is simulated exactly like a run of its scenario; --precision
 * applies per point.  Each point keeps its replications' headline metrics
 * (for the paired statistics, app/sweep_stats.h) and, on rank 0, gets its
 * folder OUTDIR/pNNN/ (app/sweep_write.h) as soon as it is done.
 */
#ifndef RELSIM_SWEEP_RUN_H
#define RELSIM_SWEEP_RUN_H

#include "app/sweep.h"

/* Run every point in grid order.  A point that fails is reported on stderr
 * (S->failed) and the others go on; an interrupt stops the sweep
 * (S->interrupted), the finished points keep their results. */
void swrun_points(sweep *s);

#endif
