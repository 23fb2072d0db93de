/* execute.c - replications on a pool of threads (a stream, or chunks across
 * MPI ranks), folded in replication order.
 *
 * Each worker thread owns one world (built once, reset per replication).
 * Replication i is seeded from i alone and writes its record into a slot
 * of the stream (or the chunk buffer); finished records are folded in
 * order, so everything computed from them is identical for any number of
 * threads or ranks, and memory holds a few records per thread, never every
 * replication.
 */
#include "app/execute.h"
#include "app/progress.h"
#include "app/par.h" /* MPI back end (serial stubs without MPI) */
#include "sim/runner.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The workers of one batch: its items, their records and statuses. */
typedef struct {
    exec_workers *w;
    const exec_item *items;
    double *buf;    /* item k's record at buf + k * stride */
    size_t stride;
    int *status;    /* per item */
    volatile sig_atomic_t *stop;
    int halt;       /* one run: stop handing out items at its first failure */
    int *group;     /* a thread takes group g: items group[g] .. group[g + 1] - 1 */
    pthread_mutex_t lock; /* the runs' error texts and busy seconds */
} exec_ctx;

struct exec_workers {
    int jobs;
    world **worlds;          /* one per thread, */
    const scenario **built;  /* built for this scenario */
    double *buf;
    int *status, *owner;
    int *group;              /* where each group of items starts, then n */
    size_t cap;              /* doubles in buf */
    int ncap;                /* items in status, owner; ncap + 1 in group */
};

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

/* Thread WORKER's world is for SC from now on: one built for another
 * scenario is freed.  (In a stream this runs under the pool's lock when the
 * thread takes its items, as exec_workers_forget may run on another thread.) */
static void worker_switch(exec_workers *w, int worker, const scenario *sc)
{
    if (w->built[worker] != sc) {
        world_free(w->worlds[worker]);
        w->worlds[worker] = NULL;
        w->built[worker] = sc;
    }
}

/* The world of thread WORKER, built for SC (rebuilt when the thread's last
 * item had another scenario).  NULL on ENOMEM (tried again next item). */
static world *worker_world(exec_workers *w, int worker, const scenario *sc)
{
    worker_switch(w, worker, sc);
    if (!w->worlds[worker])
        w->worlds[worker] = world_new(sc);
    return w->worlds[worker];
}

/* Keep the lowest failed replication's reason, whichever thread stops first. */
static void keep_error(exec_ctx *x, exec_result *r, int rep, int st, const char *why)
{
    pthread_mutex_lock(&x->lock);
    if (rep < r->error_rep) {
        r->error_rep = rep;
        snprintf(r->error, sizeof r->error, "replication %d: %s", rep,
                 st == WORLD_NOMEM && !why[0] ? "out of memory" : why);
    }
    pthread_mutex_unlock(&x->lock);
}

static int run_item(void *p, int k, int worker)
{
    exec_ctx *x = p;
    exec_result *r = x->items[k].r;
    int rep = x->items[k].rep;
    world *w = worker_world(x->w, worker, r->sc);
    double t0 = now_seconds();
    int st = w ? world_run(w, (unsigned long)rep, x->buf + (size_t)k * x->stride, rep == 0, x->stop)
               : WORLD_NOMEM;
    x->status[k] = st;
    if (st == WORLD_DONE && rep == 0)
        keep_trace(r, w);
    if (st == WORLD_RUNAWAY || st == WORLD_NOMEM)
        keep_error(x, r, rep, st, w ? world_error(w) : "");
    pthread_mutex_lock(&x->lock);
    r->busy += now_seconds() - t0;
    pthread_mutex_unlock(&x->lock);
    return x->halt && st != WORLD_DONE; /* later items of the run would be dropped */
}

/* Only batches of several runs come here (x->halt is 0), so run_item never
 * asks to stop; an interrupt leaves the group's remaining items not run. */
static int run_group(void *p, int g, int worker)
{
    exec_ctx *x = p;
    for (int k = x->group[g]; k < x->group[g + 1] && !runner_stopped(x->stop); k++)
        run_item(p, k, worker);
    return 0;
}

/* Groups per thread at least, when a batch has enough items: threads take
 * groups as they free up, so the last groups to start end at different times;
 * with 4 per thread a thread's last group is at most about a quarter of its
 * share, so the threads end within about that of each other. */
#define GROUPS_PER_THREAD 4

/* The groups of N items for JOBS threads, in X->group; their number.  A
 * batch of several runs (a sweep's points) goes to the threads a run's
 * consecutive items at a time, up to N / (GROUPS_PER_THREAD * JOBS) of them,
 * so a thread builds a world for a run's replications once, not once per
 * replication (for a point with 2 replications: half the worlds at -j 2),
 * while there are still GROUPS_PER_THREAD groups per thread to even out the
 * threads' ends.  One run (x->halt) does not come here: run_share hands out
 * its items one at a time. */
static int make_groups(exec_ctx *x, int n, int jobs)
{
    int *g = x->group, ng = 0, most = n / (GROUPS_PER_THREAD * jobs);
    if (most < 2)
        most = 1;
    for (int k = 0; k < n; k++)
        if (k == 0 || x->items[k].r != x->items[k - 1].r || k - g[ng - 1] >= most)
            g[ng++] = k;
    g[ng] = n;
    return ng;
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

int exec_result_init(exec_result *r, const scenario *sc)
{
    memset(r, 0, sizeof *r);
    r->sc = sc;
    r->error_rep = INT_MAX;
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
    int offset, total; /* items done before this batch; in all */
    const int *group;  /* the runner counts groups: their first items (NULL: items) */
} batch_progress;

static void progress_cb(void *p, int done, int total)
{
    batch_progress *bp = p;
    (void)total;
    progress_update(bp->bar, bp->offset + (bp->group ? bp->group[done] : done), bp->total);
}

/* Item K of run R did not finish: R stops there.  The overload guard's
 * record is kept for the report; under MPI the reason comes from the rank
 * that ran it (OWNER). */
static void stop_run(exec_ctx *x, int k, int owner)
{
    exec_result *r = x->items[k].r;
    int s = x->status[k];
    r->status = s < 0 ? WORLD_INTERRUPTED : s;
    if (s != WORLD_RUNAWAY && s != WORLD_NOMEM)
        return;
    const double *rec = x->buf + (size_t)k * x->stride;
    int guard = s == WORLD_RUNAWAY && rec[r->L.misc + REC_RUNAWAY_T] > 0;
    keep_runaway(r, guard ? x->items[k].rep : -1, rec); /* a limits.max_events stop is not the guard */
    par_share_text(r->error, sizeof r->error, owner);
}

/* Fold item K into its run, the next in the run's replication order: a run
 * stops at its first unfinished item and drops the later ones, so the
 * folded set never depends on thread timing. */
static void settle_item(exec_ctx *x, int k, int owner)
{
    exec_result *r = x->items[k].r;
    double *rec = x->buf + (size_t)k * x->stride;
    if (r->status != WORLD_DONE)
        return;
    if (x->status[k] != WORLD_DONE)
        stop_run(x, k, owner);
    else if (fold(r, rec))
        r->status = WORLD_NOMEM;
    else if (r->on_rep)
        r->on_rep(r->on_rep_ctx, x->items[k].rep, &r->L, rec);
}

/* Fold every run's finished items in replication order. */
static void settle(exec_ctx *x, int n, const int *owner)
{
    for (int k = 0; k < n; k++)
        settle_item(x, k, owner ? owner[k] : 0);
}

int exec_batch_size(size_t reclen, int jobs)
{
    int ranks = par_size();
    long want = 16L * jobs * ranks;
    long fit = (long)(256e6 / ((double)reclen * sizeof(double)));
    if (want > fit)
        want = fit;
    if (want < (long)jobs * ranks)
        want = (long)jobs * ranks;
    return want > 0 ? (int)want : 1;
}

exec_workers *exec_workers_new(int jobs)
{
    exec_workers *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->jobs = jobs < 1 ? 1 : jobs;
    w->worlds = calloc((size_t)w->jobs, sizeof *w->worlds);
    w->built = calloc((size_t)w->jobs, sizeof *w->built);
    if (!w->worlds || !w->built) {
        exec_workers_free(w);
        return NULL;
    }
    return w;
}

void exec_workers_free(exec_workers *w)
{
    if (!w)
        return;
    for (int i = 0; w->worlds && i < w->jobs; i++)
        world_free(w->worlds[i]);
    free(w->worlds);
    free(w->built);
    free(w->buf);
    free(w->status);
    free(w->owner);
    free(w->group);
    free(w);
}

int exec_workers_forget(exec_workers *w, const scenario *sc)
{
    int n = 0;
    for (int i = 0; w && i < w->jobs; i++)
        if (w->built[i] == sc) {
            world_free(w->worlds[i]);
            w->worlds[i] = NULL;
            w->built[i] = NULL;
            n++;
        }
    return n;
}

/* Room for N items of STRIDE doubles.  0 or -1. */
static int workers_reserve(exec_workers *w, int n, size_t stride)
{
    if ((size_t)n * stride > w->cap) {
        double *b = realloc(w->buf, (size_t)n * stride * sizeof *b);
        if (!b)
            return -1;
        memset(b + w->cap, 0, ((size_t)n * stride - w->cap) * sizeof *b); /* no byte ever unset (MPI sends it) */
        w->buf = b;
        w->cap = (size_t)n * stride;
    }
    if (n > w->ncap) {
        int *s = realloc(w->status, (size_t)n * sizeof *s), *o = s ? realloc(w->owner, (size_t)n * sizeof *o) : NULL;
        if (s)
            w->status = s;
        if (o)
            w->owner = o;
        int *g = o ? realloc(w->group, ((size_t)n + 1) * sizeof *g) : NULL;
        if (!g)
            return -1;
        w->group = g;
        w->ncap = n;
    }
    return 0;
}

/* MPI: which rank runs item K.  A run's replication 0 (the one with
 * timelines, which only rank 0 writes) on rank 0; the others on the least
 * loaded rank, the lowest on ties (for one run: item i on rank i % size). */
static int assign_owners(const exec_item *items, int n, int *owner)
{
    int size = par_size(), *load = calloc((size_t)size, sizeof *load);
    if (!load)
        return -1;
    for (int k = 0; k < n; k++) {
        int best = 0;
        for (int q = 1; items[k].rep != 0 && q < size; q++)
            if (load[q] < load[best])
                best = q;
        owner[k] = best;
        load[best]++;
    }
    free(load);
    return 0;
}

static void run_share(exec_ctx *x, int n, batch_progress *bp)
{
    runner_progress cb = bp->bar && bp->bar->on ? progress_cb : NULL;
#ifdef RELSIM_MPI /* MPI back end (app/par.h): this rank runs its share, every rank gets all records */
    if (par_size() > 1) {
        char err[256] = "";
        par_items pi = {x->buf, x->stride, x->status, WORLD_NOMEM, err, sizeof err, x->w->owner};
        if (par_run(0, n, x->w->jobs, run_item, x, x->stop, cb, bp, &pi))
            for (int k = 0; k < n; k++)
                if (x->status[k] == WORLD_NOMEM && !x->items[k].r->error[0])
                    snprintf(x->items[k].r->error, sizeof x->items[k].r->error, "%s", err);
        return;
    }
#endif
    if (x->halt) {
        runner_run(0, n, x->w->jobs, run_item, x, x->stop, cb, bp);
        return;
    }
    int ng = make_groups(x, n, x->w->jobs);
    bp->group = x->group;
    runner_run(0, ng, x->w->jobs, run_group, x, x->stop, cb, bp);
}

int exec_run_items(exec_workers *w, const exec_item *items, int n, volatile sig_atomic_t *stop,
                   progress_bar *bar, int done_before, int total)
{
    size_t stride = 1;
    for (int k = 0; k < n; k++)
        if (items[k].r->L.total > stride)
            stride = items[k].r->L.total;
    if (workers_reserve(w, n, stride)) {
        for (int k = 0; k < n; k++)
            items[k].r->status = WORLD_NOMEM;
        return -1;
    }
    exec_ctx x = {.w = w, .items = items, .buf = w->buf, .stride = stride, .status = w->status,
                  .stop = stop, .halt = 1, .group = w->group};
    pthread_mutex_init(&x.lock, NULL);
    for (int k = 0; k < n; k++) {
        x.status[k] = -1; /* not run */
        x.halt &= items[k].r == items[0].r;
    }
    int mpi = par_size() > 1;
    if (mpi && assign_owners(items, n, w->owner))
        for (int k = 0; k < n; k++)
            w->owner[k] = 0; /* all on rank 0: slower, the same results */
    batch_progress bp = {bar, done_before, total, NULL};
    run_share(&x, n, &bp);
    settle(&x, n, mpi ? w->owner : NULL);
    pthread_mutex_destroy(&x.lock);
    return 0;
}

/* ---- a stream ------------------------------------------------------------------- */

/* The ring: positions increase forever, item at position p lives in slot
 * p % cap.  folded <= head: settled; [head, claimed): taken by a thread
 * (finished when fin[slot]); [claimed, tail): waiting. */
struct exec_stream {
    exec_ctx x;       /* x.items, x.buf, x.status: the slots */
    exec_item *ring;  /* owned (x.items) */
    char *fin;        /* per slot: its thread is done with it */
    int cap, most;    /* slots; items per take at most */
    long head, claimed, tail;
};

exec_stream *exec_stream_new(exec_workers *w, int cap, size_t stride, volatile sig_atomic_t *stop)
{
    exec_stream *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->cap = cap < 1 ? 1 : cap;
    st->most = st->cap / (GROUPS_PER_THREAD * w->jobs);
    st->most = st->most < 1 ? 1 : st->most;
    st->ring = calloc((size_t)st->cap, sizeof *st->ring);
    st->fin = calloc((size_t)st->cap, 1);
    st->x = (exec_ctx){.w = w, .items = st->ring, .stride = stride < 1 ? 1 : stride, .stop = stop};
    st->x.buf = calloc((size_t)st->cap * st->x.stride, sizeof *st->x.buf); /* no byte ever unset */
    st->x.status = malloc((size_t)st->cap * sizeof *st->x.status);
    pthread_mutex_init(&st->x.lock, NULL);
    if (!st->ring || !st->fin || !st->x.buf || !st->x.status) {
        exec_stream_free(st);
        return NULL;
    }
    return st;
}

void exec_stream_free(exec_stream *st)
{
    if (!st)
        return;
    pthread_mutex_destroy(&st->x.lock);
    free(st->ring);
    free(st->fin);
    free(st->x.buf);
    free(st->x.status);
    free(st);
}

int exec_stream_room(const exec_stream *st) { return st->cap - (int)(st->tail - st->head); }
int exec_stream_empty(const exec_stream *st) { return st->tail == st->head; }

void exec_stream_push(exec_stream *st, exec_item it)
{
    int k = (int)(st->tail++ % st->cap);
    st->ring[k] = it;
    st->x.status[k] = -1; /* not run */
    st->fin[k] = 0;
}

int exec_stream_take(exec_stream *st, int worker, exec_group *g)
{
    if (st->claimed == st->tail)
        return 0;
    const exec_result *r = st->ring[st->claimed % st->cap].r;
    /* a thread's share of what waits at most, so no other thread idles (4
     * replications on 2 threads: 2 each, not 4 on one) */
    long share = (st->tail - st->claimed) / st->x.w->jobs, most = share < st->most ? share : st->most;
    g->first = st->claimed;
    g->n = 1;
    while (g->n < most && st->claimed + g->n < st->tail && st->ring[(st->claimed + g->n) % st->cap].r == r)
        g->n++;
    st->claimed += g->n;
    worker_switch(st->x.w, worker, r->sc);
    return 1;
}

void exec_stream_run(exec_stream *st, const exec_group *g, int worker)
{
    for (long p = g->first; p < g->first + g->n && !runner_stopped(st->x.stop); p++) {
        int k = (int)(p % st->cap);
        run_item(&st->x, k, worker);
        if (st->x.status[k] != WORLD_DONE)
            break; /* the run stops here: its later items would be dropped */
    }
}

int exec_stream_done(exec_stream *st, const exec_group *g)
{
    int stopped = 0;
    for (long p = g->first; p < g->first + g->n; p++) {
        st->fin[p % st->cap] = 1;
        stopped |= st->x.status[p % st->cap] != WORLD_DONE;
    }
    return stopped;
}

/* Has run R an item at a position after P? */
static int has_later(const exec_stream *st, long p, const exec_result *r)
{
    for (long q = p + 1; q < st->tail; q++)
        if (st->ring[q % st->cap].r == r)
            return 1;
    return 0;
}

void exec_stream_settle(exec_stream *st, int all, exec_drained drained, void *ctx)
{
    while (st->head < st->tail && (all || st->fin[st->head % st->cap])) {
        int k = (int)(st->head % st->cap);
        exec_result *r = st->ring[k].r;
        settle_item(&st->x, k, 0);
        if (!has_later(st, st->head, r) && drained)
            drained(ctx, r);
        st->head++;
    }
    if (all)
        st->claimed = st->head;
}

/* ---- exec_extend ------------------------------------------------------------ */

/* One run's replications through a stream on a pool of threads. */
typedef struct {
    exec_result *r;
    exec_stream *st;
    exec_group *g;      /* one per thread */
    int next, upto;     /* the next replication to append; the end */
    int halted;         /* one did not finish: hand out no more */
    volatile sig_atomic_t *stop;
    progress_bar *bar;
    int done, total;
} extend_ctx;

static int extend_next(void *p, int worker, void **task)
{
    extend_ctx *e = p;
    exec_stream_settle(e->st, 0, NULL, NULL);
    if (e->halted || runner_stopped(e->stop))
        return -1;
    while (e->next < e->upto && exec_stream_room(e->st) > 0)
        exec_stream_push(e->st, (exec_item){e->r, e->next++});
    if (exec_stream_take(e->st, worker, &e->g[worker])) {
        *task = &e->g[worker];
        return 1;
    }
    return exec_stream_empty(e->st) ? -1 : 0;
}

static void extend_run(void *p, int worker, void *task)
{
    extend_ctx *e = p;
    exec_stream_run(e->st, task, worker);
}

static void extend_done(void *p, int worker, void *task)
{
    extend_ctx *e = p;
    const exec_group *g = task;
    (void)worker;
    e->halted |= exec_stream_done(e->st, g);
    e->done += g->n;
    progress_update(e->bar, e->done, e->total);
}

/* In one process: no barrier between chunks.  -1 on ENOMEM. */
static int extend_stream(exec_result *r, int upto, exec_workers *w, int cap, const exec_opts *o,
                         progress_bar *bar)
{
    static const runner_ops ops = {extend_next, extend_run, extend_done};
    extend_ctx e = {.r = r, .next = r->nrec, .upto = upto, .stop = o->stop, .bar = bar,
                    .total = upto - r->nrec};
    e.st = exec_stream_new(w, cap, r->L.total, o->stop);
    e.g = malloc((size_t)w->jobs * sizeof *e.g);
    if (e.st && e.g) {
        runner_pool(w->jobs, &ops, &e);
        exec_stream_settle(e.st, 1, NULL, NULL); /* after a stop or a failure: the rest */
    }
    int rc = e.st && e.g ? 0 : -1;
    exec_stream_free(e.st);
    free(e.g);
    return rc;
}

/* Across MPI ranks: chunks that every rank runs together.  -1 on ENOMEM. */
static int extend_batches(exec_result *r, int upto, exec_workers *w, int chunk, const exec_opts *o,
                          progress_bar *bar)
{
    exec_item *items = malloc((size_t)chunk * sizeof *items);
    if (!items)
        return -1;
    for (int done = 0, total = upto - r->nrec; r->status == WORLD_DONE && r->nrec < upto;) {
        int first = r->nrec, n = upto - first < chunk ? upto - first : chunk;
        for (int k = 0; k < n; k++)
            items[k] = (exec_item){r, first + k};
        exec_run_items(w, items, n, o->stop, bar, done, total);
        done += n;
    }
    free(items);
    return 0;
}

int exec_extend(exec_result *r, int upto, const exec_opts *o)
{
    if (upto <= r->nrec || r->status != WORLD_DONE)
        return r->status;
    int jobs = o->jobs < 1 ? 1 : o->jobs;
    if (jobs > upto - r->nrec)
        jobs = upto - r->nrec;
    int chunk = exec_batch_size(r->L.total, jobs);
    exec_workers *w = exec_workers_new(jobs);
    r->on_rep = o->on_rep;
    r->on_rep_ctx = o->on_rep_ctx;
    progress_bar bar;
    progress_init(&bar, o->label ? o->label : "replications", o->quiet);
    double t0 = now_seconds();
    if (!w || (par_size() > 1 ? extend_batches(r, upto, w, chunk, o, &bar)
                              : extend_stream(r, upto, w, chunk, o, &bar)))
        r->status = WORLD_NOMEM;
    r->wall += now_seconds() - t0;
    progress_done(&bar);
    exec_workers_free(w);
    return r->status;
}
