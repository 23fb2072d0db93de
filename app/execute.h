/* execute.h - run a scenario's replications (threads, or MPI ranks) and fold
 * each replication's record into running statistics, in replication order.
 *
 * In one process the replications go through a stream (below): a ring of a
 * few records per thread that the threads take from whenever they are
 * free, folded one after another in replication order as they finish,
 * the slots reused.  Across MPI ranks they run in chunks that every rank
 * runs together (exec_run_items).  Either way memory is independent of
 * the number of replications, and every figure is identical for any number
 * of threads or ranks.  Whoever needs each replication's record (the
 * per-replication CSV, a sweep's paired differences, tests) gets it
 * through the run's on_rep hook (exec_opts.on_rep for exec_extend), called
 * in replication order on every rank.  A stream or a chunk may mix several
 * runs' replications (a sweep's points); each run is folded in its own
 * replication order all the same.
 *
 * Ownership: an exec_result owns its accumulators and the timelines of
 * replication 0; exec_result_free() releases them.  The scenario is borrowed
 * and must outlive the result.
 */
#ifndef RELSIM_EXECUTE_H
#define RELSIM_EXECUTE_H

#include "app/progress.h"
#include "models/config.h"
#include "models/metrics.h"
#include "models/world.h"
#include "sim/stat.h"

#include <math.h>
#include <signal.h>

/* Up to EXEC_SAMPLES_MAX rows of samples (durations, delays) in replication
 * order; WIDTH doubles per row. */
#define EXEC_SAMPLES_MAX 20000
typedef struct {
    double *v;
    int n, cap, width;
} exec_samples;

/* Called with replication REP's record, in replication order. */
typedef void (*exec_rep_hook)(void *ctx, int rep, const rec_layout *L, const double *rec);

typedef struct {
    const scenario *sc;
    rec_layout L;
    int nrec;           /* replications folded, 0..nrec-1 */
    stat_run *pm;       /* [npools][PM_COUNT] */
    stat_run *cm;       /* [ncallers][CM_COUNT] */
    double *ts_sum, *ts_n; /* [nbins][ts_cols]: sum and count of the finite values */
    double *hist;       /* [ncallers][STAT_HIST_N]: latency counts summed */
    exec_samples *updown; /* [npools][2]: up (0) and down (1) periods */
    exec_samples *detect; /* [ncallers]: detection delays */
    exec_samples *delays; /* [ncallers]: (retry delay, fired) pairs */
    double requests;    /* clients' CM_REQUESTS summed over replications */
    world_trace_row *marks, *breaks; /* replication 0 */
    int nmarks, nbreaks;
    double wall;        /* seconds spent simulating (exec_extend: elapsed) */
    double busy;        /* thread-seconds spent in its replications */
    double events;      /* events over all replications */
    int status;         /* WORLD_DONE while it goes on, or why it stopped */
    char error[1100];
    int error_rep;      /* the replication error[] is about (INT_MAX: none) */
    /* the lowest replication stopped by the overload guard: its record up to
     * that moment (time series, REC_RUNAWAY_* figures), or NULL */
    double *runaway_rec;
    int runaway_item;
    exec_rep_hook on_rep; /* optional: sees every folded record, in order */
    void *on_rep_ctx;
} exec_result;


typedef struct {
    int jobs;                 /* threads (>= 1) */
    int quiet;                /* no progress bar */
    volatile sig_atomic_t *stop;
    const char *label;        /* progress bar label */
    exec_rep_hook on_rep;     /* optional */
    void *on_rep_ctx;
} exec_opts;

/* 0, or -1 on ENOMEM (then exec_result_free() is still safe). */
int exec_result_init(exec_result *r, const scenario *sc);
void exec_result_free(exec_result *r);

/* Run replications r->nrec .. UPTO-1 and fold them (r->on_rep becomes
 * O->on_rep).  Returns r->status: WORLD_DONE, WORLD_INTERRUPTED (the
 * finished ones are folded, in order, without gaps) or WORLD_RUNAWAY /
 * WORLD_NOMEM with r->error set.  A stopped run is not extended. */
int exec_extend(exec_result *r, int upto, const exec_opts *o);

/* ---- replications of several runs (a sweep's points) ----
 *
 * exec_extend() is one run's replications; a sweep hands the threads work
 * that mixes the replications of several runs, so they stay busy whatever
 * the number of replications per run: through a stream in one process
 * (below), in batches of exec_run_items() across MPI ranks.  Each run
 * still gets its replications folded in replication order, and r->on_rep
 * sees them, exactly as exec_extend() would. */

/* Replication REP of the run R: a unit of work. */
typedef struct {
    exec_result *r;
    int rep;
} exec_item;

/* The threads' state across batches: one world per thread, rebuilt when
 * the thread's next item belongs to another scenario, and the batch's
 * record buffer.  Owns both; NULL on ENOMEM. */
typedef struct exec_workers exec_workers;
exec_workers *exec_workers_new(int jobs);
void exec_workers_free(exec_workers *w); /* NULL is fine */

/* Free the worlds built for SC (they borrow from it): call it before SC is
 * freed, or a later scenario at the same address would find a stale world.
 * Between batches, or under a stream's lock once SC has no item in it; W
 * may be NULL.  Returns the number freed. */
int exec_workers_forget(exec_workers *w, const scenario *sc);

/* Items per batch (or stream) for records of RECLEN doubles: a few per
 * thread and rank (so the threads stay busy), within about 256 MB. */
int exec_batch_size(size_t reclen, int jobs);

/* Run ITEMS[0..N-1] on the threads (and MPI ranks: every rank must call
 * this with the same items), then fold them.  Each run's items must be its
 * next replications in increasing order, the first being r->nrec; a run
 * whose status is not WORLD_DONE is skipped, and a run stops (r->status,
 * r->error) at its first replication that does not finish, dropping the
 * later ones.  *STOP (SIGINT) stops handing out items.  BAR (may be NULL)
 * shows DONE_BEFORE + the items done of TOTAL.  0, or -1 on ENOMEM (then
 * every run of the batch has WORLD_NOMEM). */
int exec_run_items(exec_workers *w, const exec_item *items, int n, volatile sig_atomic_t *stop,
                   progress_bar *bar, int done_before, int total);

/* ---- a stream: items without a barrier (a sweep's points, one process) ----
 *
 * exec_run_items() runs a batch and waits for its last item before the
 * next; a stream keeps the threads busy instead.  The caller appends items
 * as room frees up; a free thread takes the next few waiting ones (a run's
 * consecutive replications together, so it builds the run's world once);
 * finished items are folded in the order they were appended, so each run
 * is folded in replication order and its results are exactly those of
 * exec_run_items().  The threads are the caller's, a runner_pool
 * (sim/runner.h): every function below but exec_stream_run is called under
 * the pool's lock.  Not across MPI ranks, which go by batches.  Appending
 * follows exec_run_items()'s rule: each run's items are its next
 * replications in increasing order, the first being r->nrec. */
typedef struct exec_stream exec_stream;

/* Items at positions FIRST .. FIRST + N - 1 of the stream: one take. */
typedef struct {
    long first;
    int n;
} exec_group;

/* Run R has no item left in the stream: its last one was folded (or
 * dropped, R having stopped).  More may be appended for it later. */
typedef void (*exec_drained)(void *ctx, exec_result *r);

/* CAP items of up to STRIDE doubles of record each, on W's threads; *STOP
 * (SIGINT) leaves a take's remaining items not run.  Owns its buffers, not
 * W.  NULL on ENOMEM. */
exec_stream *exec_stream_new(exec_workers *w, int cap, size_t stride, volatile sig_atomic_t *stop);
void exec_stream_free(exec_stream *st); /* NULL is fine */

int exec_stream_room(const exec_stream *st);  /* items that can be appended now */
int exec_stream_empty(const exec_stream *st); /* nothing waiting, running or to fold */
void exec_stream_push(exec_stream *st, exec_item it); /* only while there is room */

/* The next items for thread WORKER, in *G: 1, or 0 when none is waiting. */
int exec_stream_take(exec_stream *st, int worker, exec_group *g);
/* Run them: outside the lock, on thread WORKER. */
void exec_stream_run(exec_stream *st, const exec_group *g, int worker);
/* They are finished (run, or left by *STOP or by a replication that did
 * not finish: a take stops at one).  1 when one of them did not finish. */
int exec_stream_done(exec_stream *st, const exec_group *g);

/* Fold the finished items at the front, in order, calling DRAINED (may be
 * NULL) for each run left without items.  ALL (only once no thread runs
 * any): every item, the ones not run stopping their runs as interrupted. */
void exec_stream_settle(exec_stream *st, int all, exec_drained drained, void *ctx);

/* Pool P's metric M, or caller C's metric M, over the folded replications,
 * its interval kept within the metric's values (metric_within). */
static inline stat_summary exec_pool_stat(const exec_result *r, int p, int m)
{
    return metric_within(&pm_defs[m], stat_run_summary(&r->pm[(size_t)p * PM_COUNT + (size_t)m]));
}
static inline stat_summary exec_caller_stat(const exec_result *r, int c, int m)
{
    return metric_within(&cm_defs[m], stat_run_summary(&r->cm[(size_t)c * CM_COUNT + (size_t)m]));
}
/* The same by column K of the record: the pools' metrics, then the callers'. */
static inline stat_summary exec_col_stat(const exec_result *r, size_t k)
{
    size_t np = (size_t)r->L.npools * PM_COUNT;
    return metric_within(metric_of_col(r->L.npools, k), stat_run_summary(k < np ? &r->pm[k] : &r->cm[k - np]));
}

/* Mean over the folded replications of time-series column COL in bin B
 * (replications where it is undefined left out); NAN when none has it. */
static inline double exec_ts_mean(const exec_result *r, int b, size_t col)
{
    size_t k = (size_t)b * r->L.ts_cols + col;
    return r->ts_n[k] > 0 ? r->ts_sum[k] / r->ts_n[k] : NAN;
}

#endif
