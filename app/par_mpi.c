/* par_mpi.c - the MPI back end of par.h (built only with make MPI=1).
 *
 * Rank r runs the items i of [first, last) it owns (i % size == r, or the
 * caller's owner per item) on its threads (runner_run over its share), packs [status, record] per item, and one
 * MPI_Allgatherv hands every rank every packed item; unpacking puts each at
 * its item's place.  Records are moved, never combined arithmetically, so
 * the result does not depend on the number of ranks.  Only the calling
 * thread talks to MPI (MPI_THREAD_FUNNELED): the worker threads compute.
 */
#include "app/par.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int started; /* MPI_Init was called by par_init */
static int rank, size = 1;

/* Launched by mpirun/mpiexec/srun?  (A plain ./relsim stays serial.) */
static int launched_by_mpi(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

int par_init(int *argc, char ***argv)
{
    if (!launched_by_mpi())
        return 0;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "relsim: MPI_Init_thread failed\n");
        return -1;
    }
    started = 1;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (provided < MPI_THREAD_FUNNELED && rank == 0)
        fprintf(stderr, "relsim: warning: the MPI library does not promise MPI_THREAD_FUNNELED\n");
    return 0;
}

void par_finalize(void)
{
    if (started)
        MPI_Finalize();
    started = 0;
    rank = 0;
    size = 1;
}

int par_rank(void) { return rank; }
int par_size(void) { return size; }


/* ---- a rank's share: the items it owns, in item order ---- */

static int owner_of(int i, int first, const par_items *it)
{
    return it->owner ? it->owner[i - first] : i % size;
}

/* The items of [first, last) rank R runs into LIST (may be NULL); their number. */
static int share_of(int first, int last, const par_items *it, int r, int *list)
{
    int n = 0;
    for (int i = first; i < last; i++)
        if (owner_of(i, first, it) == r) {
            if (list)
                list[n] = i;
            n++;
        }
    return n;
}

typedef struct {
    runner_work work;
    void *ctx;
    const int *items; /* this rank's items */
} share;

static int share_work(void *p, int k, int worker)
{
    share *s = p;
    return s->work(s->ctx, s->items[k], worker);
}

/* ---- the exchange ---- */

static void pack(double *buf, const int *list, int n, const par_items *it, int base)
{
    size_t w = it->reclen + 1;
    for (int k = 0; k < n; k++) {
        int i = list[k];
        buf[k * w] = it->status[i - base];
        memcpy(buf + k * w + 1, it->rec + (size_t)(i - base) * it->reclen, it->reclen * sizeof(double));
    }
}

static void unpack(const double *buf, const int *list, int n, const par_items *it, int base)
{
    size_t w = it->reclen + 1;
    for (int k = 0; k < n; k++) {
        int i = list[k];
        it->status[i - base] = (int)buf[k * w];
        memcpy(it->rec + (size_t)(i - base) * it->reclen, buf + k * w + 1, it->reclen * sizeof(double));
    }
}

/* Allgather the packed items of every rank; 0 or -1. */
static int exchange(int first, int last, const par_items *it)
{
    int *counts = calloc((size_t)size, sizeof *counts), *displs = calloc((size_t)size, sizeof *displs);
    int *lists = malloc(((size_t)(last - first) + 1) * sizeof *lists);
    size_t w = it->reclen + 1;
    double *all = malloc(((size_t)(last - first) + 1) * w * sizeof *all), *mine = NULL;
    int rc = -1;
    MPI_Datatype item;
    if (!counts || !displs || !lists || !all)
        goto out;
    for (int r = 0, at = 0; r < size; r++) {
        counts[r] = share_of(first, last, it, r, lists + at);
        displs[r] = at;
        at += counts[r];
    }
    if (!(mine = malloc(((size_t)counts[rank] + 1) * w * sizeof *mine)))
        goto out;
    pack(mine, lists + displs[rank], counts[rank], it, first);
    if (MPI_Type_contiguous((int)w, MPI_DOUBLE, &item) != MPI_SUCCESS)
        goto out;
    MPI_Type_commit(&item);
    rc = MPI_Allgatherv(mine, counts[rank], item, all, counts, displs, item, MPI_COMM_WORLD) ==
                 MPI_SUCCESS ? 0 : -1;
    MPI_Type_free(&item);
    for (int r = 0; rc == 0 && r < size; r++)
        if (r != rank)
            unpack(all + (size_t)displs[r] * w, lists + displs[r], counts[r], it, first);
out:
    free(counts);
    free(displs);
    free(lists);
    free(mine);
    free(all);
    return rc;
}

/* Every rank gets the lowest rank's non-empty error text. */
static int share_error(const par_items *it)
{
    if (!it->error || it->errlen == 0)
        return 0;
    int n = it->errlen > 4096 ? 4096 : (int)it->errlen;
    char *all = malloc((size_t)n * (size_t)size), *mine = calloc(1, (size_t)n);
    int rc = -1;
    if (all && mine) {
        memcpy(mine, it->error, strnlen(it->error, (size_t)n - 1));
        rc = MPI_Allgather(mine, n, MPI_CHAR, all, n, MPI_CHAR, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
        for (int r = 0; rc == 0 && r < size; r++)
            if (all[(size_t)r * n]) {
                memcpy(it->error, all + (size_t)r * n, (size_t)n);
                it->error[n - 1] = '\0';
                break;
            }
    }
    free(all);
    free(mine);
    return rc;
}

static void mark_failed(int first, int last, const par_items *it)
{
    for (int i = first; i < last; i++)
        if (owner_of(i, first, it) != rank)
            it->status[i - first] = it->fail_status;
    if (it->error && it->errlen)
        snprintf(it->error, it->errlen, "MPI: could not exchange the results of items %d..%d between ranks",
                 first, last - 1);
}

int par_run(int first, int last, int jobs, runner_work work, void *ctx,
            volatile sig_atomic_t *stop, runner_progress progress, void *pctx,
            const par_items *it)
{
    if (size == 1) {
        runner_run(first, last, jobs, work, ctx, stop, progress, pctx);
        return 0;
    }
    int *mine = malloc(((size_t)(last - first) + 1) * sizeof *mine);
    int n = mine ? share_of(first, last, it, rank, mine) : 0;
    share s = {work, ctx, mine};
    runner_run(0, n, jobs, share_work, &s, stop, rank == 0 ? progress : NULL, pctx);
    /* every rank must reach the exchanges, even one that could not run its share */
    int ok = exchange(first, last, it) == 0;
    ok &= share_error(it) == 0;
    if (!ok || !mine) {
        free(mine);
        mark_failed(first, last, it);
        return -1;
    }
    free(mine);
    return 0;
}

int par_share_text(char *text, size_t len, int root)
{
    if (size == 1 || len == 0)
        return 0;
    int n = len > 4096 ? 4096 : (int)len;
    int rc = MPI_Bcast(text, n, MPI_CHAR, root, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
    text[n - 1] = '\0';
    return rc;
}
