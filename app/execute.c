/* execute.c - replications on a thread pool, kept in replication order.
 *
 * Each worker thread owns one world (built once, reset per replication).
 * Replication i always writes record i and is seeded from i alone, so the
 * records, and everything computed from them in order, are identical for
 * any number of threads.
 */
#include "app/execute.h"
#include "app/progress.h"
#include "sim/runner.h"
#ifdef RELSIM_MPI
#include "app/par.h" /* MPI back end */
#endif

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    exec_result *r;
    world **worlds; /* one per worker */
    int first;
    int *status;    /* per item */
    volatile sig_atomic_t *stop;
    pthread_mutex_t lock;
    int error_item; /* replication whose reason is in r->error */
} exec_ctx;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static world_trace_row *copy_rows(const world_trace_row *rows, int n, int *out_n)
{
    *out_n = 0;
    if (n <= 0)
        return NULL;
    world_trace_row *c = malloc((size_t)n * sizeof *c);
    if (c) {
        memcpy(c, rows, (size_t)n * sizeof *c);
        *out_n = n;
    }
    return c;
}

static void keep_trace(exec_result *r, const world *w)
{
    const world_trace_row *rows;
    int n = world_trace_marks(w, &rows);
    r->marks = copy_rows(rows, n, &r->nmarks);
    n = world_trace_breakers(w, &rows);
    r->breaks = copy_rows(rows, n, &r->nbreaks);
}

/* Keep a copy of replication ITEM's record (what happened up to the guard),
 * or forget the kept one when ITEM < 0.  Without memory nothing is kept. */
static void keep_runaway(exec_result *r, int item)
{
    if (item < 0) {
        free(r->runaway_rec);
        r->runaway_rec = NULL;
        return;
    }
    if (!r->runaway_rec)
        r->runaway_rec = malloc(r->L.total * sizeof *r->runaway_rec);
    if (r->runaway_rec) {
        memcpy(r->runaway_rec, exec_rec(r, item), r->L.total * sizeof *r->runaway_rec);
        r->runaway_item = item;
    }
}

static int run_item(void *p, int item, int worker)
{
    exec_ctx *x = p;
    exec_result *r = x->r;
    world *w = x->worlds[worker];
    int st = world_run(w, (unsigned long)item, exec_rec(r, item), item == 0, x->stop);
    x->status[item - x->first] = st;
    if (st == WORLD_DONE && item == 0)
        keep_trace(r, w);
    if (st == WORLD_RUNAWAY || st == WORLD_NOMEM) {
        /* keep the lowest replication's reason, whichever thread stops first */
        pthread_mutex_lock(&x->lock);
        if (item < x->error_item) {
            x->error_item = item;
            snprintf(r->error, sizeof r->error, "replication %d: %s", item,
                     st == WORLD_NOMEM && !world_error(w)[0] ? "out of memory" : world_error(w));
        }
        pthread_mutex_unlock(&x->lock);
    }
    return st != WORLD_DONE;
}

/* After a batch: the lowest replication that failed, if the overload guard
 * stopped it (its record says when), is kept for the report; its record is
 * here whichever thread or MPI rank ran it (par_run gathers every record). */
static void keep_lowest_runaway(exec_result *r, const exec_ctx *x, int upto)
{
    for (int i = x->first; i < upto; i++) {
        int s = x->status[i - x->first];
        if (s != WORLD_RUNAWAY && s != WORLD_NOMEM)
            continue;
        int guard = s == WORLD_RUNAWAY && exec_rec(r, i)[r->L.misc + REC_RUNAWAY_T] > 0;
        keep_runaway(r, guard ? i : -1); /* a limits.max_events stop is not the guard */
        return;
    }
}

int exec_result_init(exec_result *r, const scenario *sc)
{
    memset(r, 0, sizeof *r);
    r->sc = sc;
    rec_layout_init(&r->L, sc);
    return 0;
}

void exec_result_free(exec_result *r)
{
    free(r->rec);
    free(r->runaway_rec);
    free(r->marks);
    free(r->breaks);
    memset(r, 0, sizeof *r);
}

static int grow(exec_result *r, int upto)
{
    if (upto <= r->cap)
        return 0;
    double *p = realloc(r->rec, (size_t)upto * r->L.total * sizeof *p);
    if (!p)
        return -1;
    r->rec = p;
    r->cap = upto;
    return 0;
}

static void progress_cb(void *p, int done, int total)
{
    progress_update(p, done, total);
}

/* Keep the finished prefix: a replication after a gap is dropped so that the
 * kept set never depends on thread timing. */
static int settle(exec_result *r, exec_ctx *x, int upto)
{
    int st = WORLD_DONE;
    for (int i = x->first; i < upto; i++) {
        int s = x->status[i - x->first];
        if (s != WORLD_DONE) {
            st = s < 0 ? WORLD_INTERRUPTED : s;
            break;
        }
        r->nrec = i + 1;
        r->events += exec_rec(r, i)[r->L.misc + REC_EVENTS];
    }
    return st;
}

int exec_extend(exec_result *r, int upto, const exec_opts *o)
{
    if (upto <= r->nrec)
        return WORLD_DONE;
    if (grow(r, upto))
        return WORLD_NOMEM;
    int jobs = o->jobs < 1 ? 1 : o->jobs;
    if (jobs > upto - r->nrec)
        jobs = upto - r->nrec;
    exec_ctx x = {.r = r, .first = r->nrec, .stop = o->stop, .error_item = INT_MAX};
    pthread_mutex_init(&x.lock, NULL);
    x.worlds = calloc((size_t)jobs, sizeof *x.worlds);
    x.status = malloc((size_t)(upto - r->nrec) * sizeof *x.status);
    int st = WORLD_NOMEM;
    if (!x.worlds || !x.status)
        goto out;
    for (int i = 0; i < upto - r->nrec; i++)
        x.status[i] = -1; /* not run */
    for (int i = 0; i < jobs; i++)
        if (!(x.worlds[i] = world_new(r->sc)))
            goto out;
    progress_bar bar;
    progress_init(&bar, o->label ? o->label : "replications", o->quiet);
    double t0 = now_seconds();
#ifdef RELSIM_MPI /* MPI back end (app/par.h): this rank runs its share, every rank gets all records */
    if (par_size() > 1) {
        par_items pi = {r->rec, r->L.total, x.status, WORLD_NOMEM, r->error, sizeof r->error};
        par_run(r->nrec, upto, jobs, run_item, &x, o->stop, bar.on ? progress_cb : NULL, &bar, &pi);
    } else
#endif
    runner_run(r->nrec, upto, jobs, run_item, &x, o->stop, bar.on ? progress_cb : NULL, &bar);
    r->wall += now_seconds() - t0;
    progress_done(&bar);
    keep_lowest_runaway(r, &x, upto);
    st = settle(r, &x, upto);
out:
    if (x.worlds)
        for (int i = 0; i < jobs; i++)
            world_free(x.worlds[i]);
    free(x.worlds);
    free(x.status);
    pthread_mutex_destroy(&x.lock);
    return st;
}
