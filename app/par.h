/* par.h - the distributed back end: MPI ranks share a run's work items.
 *
 * Built with RELSIM_MPI (make MPI=1) these functions live in app/par_mpi.c;
 * otherwise they are the trivial serial versions below (rank 0 of 1) and no
 * MPI header is needed.
 *
 * Model (SPMD): every rank runs the same program on the same input and takes
 * the same decisions.  par_run() splits a range of work items by
 * item % size == rank (or an owner per item, par_items.owner), each rank runs its share on its own threads, and
 * afterwards EVERY rank holds every item's record and status at the item's
 * place (execute.c calls it once per chunk of replications, then folds the
 * chunk in replication order on every rank).  Records are combined by position, never summed per rank, so
 * whatever is computed from them in item order is bit-identical to a serial
 * run, and follow-up decisions (e.g. --precision adding replications) agree
 * on all ranks without further messages.  Item 0 (replication 0, the one
 * with timelines) always runs on rank 0 (with an owner table, the caller
 * puts every run's replication 0 there: app/execute.c).  Only rank 0 prints, shows progress
 * and writes files; the others compute.
 *
 * Every rank must call par_run() the same number of
 * times with the same item ranges (they are collective).
 *
 * Ownership: par_run() writes into the caller's arrays only; nothing here
 * allocates anything the caller frees.
 */
#ifndef RELSIM_PAR_H
#define RELSIM_PAR_H

#include "sim/runner.h"

#include <signal.h>
#include <stddef.h>

/* Where par_run() finds and puts the results of items FIRST..LAST-1. */
typedef struct {
    double *rec;      /* item i's record at rec + (i - first) * reclen */
    size_t reclen;    /* doubles per record */
    int *status;      /* item i's status at status[i - first]; the work
                       * function sets it, -1 means "not run" */
    int fail_status;  /* given to items that could not be gathered */
    char *error;      /* this rank's error text ("" if none), errlen bytes; on
                       * return the lowest rank's non-empty text on every rank */
    size_t errlen;
    const int *owner; /* item i runs on rank owner[i - first]; NULL: i % size */
} par_items;

#ifdef RELSIM_MPI

/* Start MPI when the process was launched by mpirun/mpiexec (otherwise stay
 * serial: rank 0 of 1, MPI never touched).  Call first thing in main().
 * Returns 0, or -1 after printing why on stderr. */
int par_init(int *argc, char ***argv);

/* End MPI if par_init() started it.  Call last thing in main(). */
void par_finalize(void);

/* This process's rank (0..size-1) and the number of ranks. */
int par_rank(void);
int par_size(void);

/* Run items FIRST..LAST-1 across the ranks (collective): this rank runs the
 * items i with i % size == rank through runner_run() (JOBS threads, WORK,
 * CTX, STOP and the PROGRESS callback as there, over this rank's share),
 * then every rank receives every item's record, status and the error text.
 * Returns 0, or -1 if the records could not be exchanged (then the missing
 * items have IT->fail_status and IT->error says why). */
int par_run(int first, int last, int jobs, runner_work work, void *ctx,
            volatile sig_atomic_t *stop, runner_progress progress, void *pctx,
            const par_items *it);

/* Every rank gets rank ROOT's TEXT (LEN bytes, NUL-terminated on return).
 * Collective.  0 or -1. */
int par_share_text(char *text, size_t len, int root);

#else /* serial: one rank */

static inline int par_init(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}
static inline void par_finalize(void) {}
static inline int par_rank(void) { return 0; }
static inline int par_size(void) { return 1; }
static inline int par_run(int first, int last, int jobs, runner_work work, void *ctx,
                          volatile sig_atomic_t *stop, runner_progress progress, void *pctx,
                          const par_items *it)
{
    (void)it;
    runner_run(first, last, jobs, work, ctx, stop, progress, pctx);
    return 0;
}
static inline int par_share_text(char *text, size_t len, int root)
{
    (void)text, (void)len, (void)root;
    return 0;
}

#endif

#endif
