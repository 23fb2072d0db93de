/* run.h - the simulation step of `relsim run` (app/cmd_run.c), shared with
 * `relsim sweep` (app/cmd_sweep.c) so that a sweep point is simulated exactly
 * like a run: same replications, same --precision loop, same seeds.
 */
#ifndef RELSIM_RUN_H
#define RELSIM_RUN_H

#include "app/execute.h"
#include "app/runopts.h"

/* Simulate SC per the options O (threads -j, --precision, progress unless
 * -q/--json, SIGINT through runopts_stop) into R, which is initialised here
 * (the caller exec_result_free()s it in every case).  LABEL names the progress
 * bar.  Returns a WORLD_* status; R keeps the finished replications. */
/* ON_REP (optional) sees every replication's record in replication order. */
int run_simulate(exec_result *r, const scenario *sc, const runopts *o, const char *label,
                 exec_rep_hook on_rep, void *on_rep_ctx);

/* Why a run with status ST stopped early, for messages and "stop_reason";
 * NULL when it completed.  The text belongs to R or is static. */
const char *run_stop_reason(int st, const exec_result *r);

#endif
