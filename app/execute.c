/* execute.c - replications on a thread pool (or MPI ranks) in chunks,
 * folded in replication order.
 *
 * Each worker thread owns one world (built once, reset per replication).
 * Replication i is seeded from i alone and writes its record into the
 * chunk buffer; once the chunk is done its records are folded in order, so
 * everything computed from them is identical for any number of threads or
 * ranks, and memory holds one chunk, never every replication.
 */
#include "app/execute.h"
#include "app/progress.h"
#include "sim/runner.h"
#ifdef RELSIM_MPI
#include "app/par.h" /* MPI back end */
#endif

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    exec_result *r;
    world **worlds; /* one per worker */
    int first;      /* the chunk's first replication */
    double *buf;    /* the chunk's records */
    int *status;    /* per item of the chunk */
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
static void keep_runaway(exec_result *r, int item, const double *rec)
{
    if (item < 0) {
        free(r->runaway_rec);
        r->runaway_rec = NULL;
        return;
    }
    if (!r->runaway_rec)
        r->runaway_rec = malloc(r->L.total * sizeof *r->runaway_rec);
    if (r->runaway_rec) {
        memcpy(r->runaway_rec, rec, r->L.total * sizeof *r->runaway_rec);
        r->runaway_item = item;
    }
}

static int run_item(void *p, int item, int worker)
{
    exec_ctx *x = p;
    exec_result *r = x->r;
    world *w = x->worlds[worker];
    double *rec = x->buf + (size_t)(item - x->first) * r->L.total;
    int st = world_run(w, (unsigned long)item, rec, item == 0, x->stop);
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

static int samples_init(exec_samples **s, size_t n, int width)
{
    *s = calloc(n ? n : 1, sizeof **s);
    for (size_t i = 0; *s && i < n; i++)
        (*s)[i].width = width;
    return *s ? 0 : -1;
}

static void samples_free(exec_samples *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i].v);
    free(s);
}

/* Append the COUNT rows at ROWS while fewer than EXEC_SAMPLES_MAX are kept.
 * -1 on ENOMEM. */
static int samples_add(exec_samples *s, const double *rows, int count)
{
    if (count > EXEC_SAMPLES_MAX - s->n)
        count = EXEC_SAMPLES_MAX - s->n;
    if (count <= 0)
        return 0;
    if (s->n + count > s->cap) {
        int cap = s->cap ? s->cap : 64;
        while (cap < s->n + count)
            cap *= 2;
        if (cap > EXEC_SAMPLES_MAX)
            cap = EXEC_SAMPLES_MAX;
        double *v = realloc(s->v, (size_t)cap * (size_t)s->width * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    memcpy(s->v + (size_t)s->n * (size_t)s->width, rows, (size_t)count * (size_t)s->width * sizeof *rows);
    s->n += count;
    return 0;
}

/* After a chunk: the lowest replication that failed, if the overload guard
 * stopped it (its record says when), is kept for the report; its record is
 * here whichever thread or MPI rank ran it (par_run gathers every record). */
static void keep_lowest_runaway(exec_result *r, const exec_ctx *x, int last)
{
    for (int i = x->first; i < last; i++) {
        int s = x->status[i - x->first];
        if (s != WORLD_RUNAWAY && s != WORLD_NOMEM)
            continue;
        const double *rec = x->buf + (size_t)(i - x->first) * r->L.total;
        int guard = s == WORLD_RUNAWAY && rec[r->L.misc + REC_RUNAWAY_T] > 0;
        keep_runaway(r, guard ? i : -1, rec); /* a limits.max_events stop is not the guard */
        return;
    }
}

int exec_result_init(exec_result *r, const scenario *sc)
{
    memset(r, 0, sizeof *r);
    r->sc = sc;
    rec_layout_init(&r->L, sc);
    const rec_layout *L = &r->L;
    size_t cells = (size_t)L->nbins * L->ts_cols;
    r->pm = calloc((size_t)L->npools * PM_COUNT + 1, sizeof *r->pm);
    r->cm = calloc((size_t)L->ncallers * CM_COUNT + 1, sizeof *r->cm);
    r->ts_sum = calloc(cells + 1, sizeof *r->ts_sum);
    r->ts_n = calloc(cells + 1, sizeof *r->ts_n);
    r->hist = calloc((size_t)L->ncallers * STAT_HIST_N + 1, sizeof *r->hist);
    if (!r->pm || !r->cm || !r->ts_sum || !r->ts_n || !r->hist ||
        samples_init(&r->updown, (size_t)L->npools * 2, 1) || samples_init(&r->detect, (size_t)L->ncallers, 1) ||
        samples_init(&r->delays, (size_t)L->ncallers, 2))
        return -1;
    return 0;
}

void exec_result_free(exec_result *r)
{
    free(r->pm);
    free(r->cm);
    free(r->ts_sum);
    free(r->ts_n);
    free(r->hist);
    samples_free(r->updown, (size_t)r->L.npools * 2);
    samples_free(r->detect, (size_t)r->L.ncallers);
    samples_free(r->delays, (size_t)r->L.ncallers);
    free(r->runaway_rec);
    free(r->marks);
    free(r->breaks);
    memset(r, 0, sizeof *r);
}

/* Fold replication REC into R (the next in replication order).  0 or -1. */
static int fold(exec_result *r, double *rec)
{
    const rec_layout *L = &r->L;
    for (int p = 0; p < L->npools; p++)
        for (int m = 0; m < PM_COUNT; m++)
            stat_run_add(&r->pm[(size_t)p * PM_COUNT + (size_t)m], rec_pool(L, rec, p)[m]);
    for (int c = 0; c < L->ncallers; c++)
        for (int m = 0; m < CM_COUNT; m++)
            stat_run_add(&r->cm[(size_t)c * CM_COUNT + (size_t)m], rec_caller(L, rec, c)[m]);
    const double *ts = rec + L->ts;
    for (size_t k = 0; k < (size_t)L->nbins * L->ts_cols; k++)
        if (isfinite(ts[k])) {
            r->ts_sum[k] += ts[k];
            r->ts_n[k]++;
        }
    for (int c = 0; c < L->ncallers; c++) {
        const double *h = rec_hist(L, rec, c);
        double *sum = r->hist + (size_t)c * STAT_HIST_N;
        for (size_t k = 0; k < STAT_HIST_N; k++)
            sum[k] += h[k];
    }
    for (int c = 0; c < r->sc->nclients; c++)
        r->requests += rec_caller(L, rec, c)[CM_REQUESTS];
    int bad = 0;
    for (int p = 0; p < L->npools; p++)
        for (int down = 0; down < 2; down++) {
            const double *blk = rec_updown(L, rec, p, down);
            bad |= samples_add(&r->updown[p * 2 + down], blk + 1, (int)blk[0]);
        }
    for (int c = 0; c < L->ncallers; c++) {
        const double *blk = rec_detect(L, rec, c);
        bad |= samples_add(&r->detect[c], blk + 1, (int)blk[0]);
        blk = rec_delays(L, rec, c);
        bad |= samples_add(&r->delays[c], blk + 1, (int)blk[0]);
    }
    r->events += rec[L->misc + REC_EVENTS];
    r->nrec++;
    return bad ? -1 : 0;
}

typedef struct {
    progress_bar *bar;
    int offset, total; /* replications done before this chunk; in the whole call */
} chunk_progress;

static void progress_cb(void *p, int done, int total)
{
    chunk_progress *cp = p;
    (void)total;
    progress_update(cp->bar, cp->offset + done, cp->total);
}

/* Fold the chunk's finished prefix in order: a replication after a gap is
 * dropped so that the folded set never depends on thread timing. */
static int settle(exec_result *r, exec_ctx *x, int last, const exec_opts *o)
{
    for (int i = x->first; i < last; i++) {
        int s = x->status[i - x->first];
        if (s != WORLD_DONE)
            return s < 0 ? WORLD_INTERRUPTED : s;
        double *rec = x->buf + (size_t)(i - x->first) * r->L.total;
        if (fold(r, rec))
            return WORLD_NOMEM;
        if (o->on_rep)
            o->on_rep(o->on_rep_ctx, i, &r->L, rec);
    }
    return WORLD_DONE;
}

/* Replications per chunk: a few per thread (and rank), so the threads stay
 * busy across a chunk's end, within about 256 MB of records. */
static int chunk_size(const exec_result *r, int jobs, int ranks)
{
    long want = 16L * jobs * ranks;
    long fit = (long)(256e6 / ((double)r->L.total * sizeof(double)));
    if (want > fit)
        want = fit;
    if (want < (long)jobs * ranks)
        want = (long)jobs * ranks;
    return want > 0 ? (int)want : 1;
}

int exec_extend(exec_result *r, int upto, const exec_opts *o)
{
    if (upto <= r->nrec)
        return WORLD_DONE;
    int jobs = o->jobs < 1 ? 1 : o->jobs;
    if (jobs > upto - r->nrec)
        jobs = upto - r->nrec;
    int ranks = 1;
#ifdef RELSIM_MPI
    ranks = par_size();
#endif
    int chunk = chunk_size(r, jobs, ranks);
    if (chunk > upto - r->nrec)
        chunk = upto - r->nrec;
    exec_ctx x = {.r = r, .stop = o->stop, .error_item = INT_MAX};
    pthread_mutex_init(&x.lock, NULL);
    x.worlds = calloc((size_t)jobs, sizeof *x.worlds);
    x.status = malloc((size_t)chunk * sizeof *x.status);
    x.buf = malloc((size_t)chunk * r->L.total * sizeof *x.buf);
    int st = WORLD_NOMEM;
    if (!x.worlds || !x.status || !x.buf)
        goto out;
    for (int i = 0; i < jobs; i++)
        if (!(x.worlds[i] = world_new(r->sc)))
            goto out;
    progress_bar bar;
    progress_init(&bar, o->label ? o->label : "replications", o->quiet);
    chunk_progress cp = {&bar, 0, upto - r->nrec};
    double t0 = now_seconds();
    st = WORLD_DONE;
    while (st == WORLD_DONE && r->nrec < upto) {
        int first = r->nrec, last = first + chunk < upto ? first + chunk : upto;
        x.first = first;
        for (int i = 0; i < last - first; i++)
            x.status[i] = -1; /* not run */
#ifdef RELSIM_MPI /* MPI back end (app/par.h): this rank runs its share, every rank gets all records */
        if (par_size() > 1) {
            par_items pi = {x.buf, r->L.total, x.status, WORLD_NOMEM, r->error, sizeof r->error};
            par_run(first, last, jobs, run_item, &x, o->stop, bar.on ? progress_cb : NULL, &cp, &pi);
        } else
#endif
        runner_run(first, last, jobs, run_item, &x, o->stop, bar.on ? progress_cb : NULL, &cp);
        keep_lowest_runaway(r, &x, last);
        st = settle(r, &x, last, o);
        cp.offset += last - first;
    }
    r->wall += now_seconds() - t0;
    progress_done(&bar);
out:
    if (x.worlds)
        for (int i = 0; i < jobs; i++)
            world_free(x.worlds[i]);
    free(x.worlds);
    free(x.status);
    free(x.buf);
    pthread_mutex_destroy(&x.lock);
    return st;
}
