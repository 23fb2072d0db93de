/* runner.h - run independent work items (replications) on N threads.
 *
 * Items are handed out in index order from a shared counter; each item's
 * result goes to memory the caller indexes by item, so results never depend
 * on which thread ran what.  The calling thread only waits and reports
 * progress.  Nothing here knows what an item is.
 */
#ifndef RELSIM_RUNNER_H
#define RELSIM_RUNNER_H

#include <signal.h>

/* Work on ITEM using per-thread state number WORKER (0..jobs-1).
 * Return 0, or non-zero to stop handing out further items. */
typedef int (*runner_work)(void *ctx, int item, int worker);

/* Called about 5 times a second from the calling thread. */
typedef void (*runner_progress)(void *ctx, int done, int total);

/* Run items FIRST..LAST-1 on JOBS threads (1 = in this thread).  Stops
 * handing out items once *STOP is set or an item returns non-zero.
 * Returns the number of items that were started and finished. */
int runner_run(int first, int last, int jobs, runner_work work, void *ctx,
               volatile sig_atomic_t *stop, runner_progress progress, void *pctx);

/* Number of online cores (at least 1). */
int runner_cores(void);

#endif
