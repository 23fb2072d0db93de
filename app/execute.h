/* execute.h - run a scenario's replications (threads, or MPI ranks) and keep
 * every replication's flat record, in replication order.
 *
 * Ownership: an exec_result owns its records and the timelines of
 * replication 0; exec_result_free() releases them.  The scenario is borrowed
 * and must outlive the result.
 */
#ifndef RELSIM_EXECUTE_H
#define RELSIM_EXECUTE_H

#include "models/config.h"
#include "models/metrics.h"
#include "models/world.h"

#include <signal.h>

typedef struct {
    const scenario *sc;
    rec_layout L;
    int nrec;           /* replications finished, 0..nrec-1 */
    int cap;
    double *rec;        /* [cap][L.total] */
    world_trace_row *marks, *breaks; /* replication 0 */
    int nmarks, nbreaks;
    double wall;        /* seconds spent simulating */
    double events;      /* events over all replications */
    int status;         /* WORLD_DONE, or why it stopped */
    char error[1100];
    /* the lowest replication stopped by the overload guard: its record up to
     * that moment (time series, REC_RUNAWAY_* figures), or NULL */
    double *runaway_rec;
    int runaway_item;
} exec_result;

typedef struct {
    int jobs;                 /* threads (>= 1) */
    int quiet;                /* no progress bar */
    volatile sig_atomic_t *stop;
    const char *label;        /* progress bar label */
} exec_opts;

int exec_result_init(exec_result *r, const scenario *sc);
void exec_result_free(exec_result *r);

/* Run replications r->nrec .. UPTO-1 and append them.  Returns WORLD_DONE,
 * WORLD_INTERRUPTED (the finished ones are kept, in order, without gaps) or
 * WORLD_RUNAWAY / WORLD_NOMEM with r->error set. */
int exec_extend(exec_result *r, int upto, const exec_opts *o);

static inline double *exec_rec(const exec_result *r, int i)
{
    return r->rec + (size_t)i * r->L.total;
}

#endif
