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

/* A stop flag (SIGINT) is set by a signal handler and read by every
 * worker thread: read it with this (an atomic load: a plain read of a
 * volatile is a data race between threads, though not one with a signal).
 * STOP may be NULL (never stops). */
static inline int runner_stopped(const volatile sig_atomic_t *stop)
{
    return stop && __atomic_load_n(stop, __ATOMIC_RELAXED);
}

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

/* ---- a pool of threads that ask for their next task ----
 *
 * For work whose tasks are not known in advance (a sweep: the next
 * replications as room frees up, a finished point's files).  JOBS threads
 * (the calling thread is worker 0) loop: under one lock, ask NEXT for a
 * task; run it outside the lock; hand it back to DONE under the lock.  No
 * barrier: a thread takes its next task as soon as it is free. */
typedef struct {
    /* Under the lock: 1 with *TASK set, 0 for "nothing yet" (the thread
     * waits until a task is done or another thread is given one, as that
     * next() may have made more), -1 for "nothing more" (the pool ends
     * once the running tasks are done).  0 while no task runs is taken as
     * -1, as nothing could wake the thread. */
    int (*next)(void *ctx, int worker, void **task);
    void (*run)(void *ctx, int worker, void *task); /* outside the lock */
    void (*done)(void *ctx, int worker, void *task);
} runner_ops;

/* Run the pool until NEXT says -1 and the running tasks are done.  With
 * fewer threads than JOBS (pthread_create failed), slower, the same work. */
void runner_pool(int jobs, const runner_ops *ops, void *ctx);

/* Number of online cores (at least 1). */
int runner_cores(void);

#endif
