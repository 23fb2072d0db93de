/* sweep_run.c - running a sweep's points (app/sweep_run.h).
 *
 * The work is (point, replication) pairs.  Without --precision, the next
 * replications of the running points come first, then the next points in
 * run order, so no thread idles while a point has fewer replications than
 * there are threads.  The run order is the baseline first (so its rows are
 * there when the others pair against them, app/sweep_stats.h), then the
 * grid order.  In one process the pairs go through a stream
 * (app/execute.h) on a pool of threads that never wait for each other: a
 * free thread writes a finished point's files or takes the next
 * replications, and whichever thread holds the pool's lock folds what has
 * finished, reports written points in run order and appends more work.
 * Across MPI ranks, which must all see the same items, they go in batches
 * through exec_run_items() instead, with the same results.  A point lives
 * (its exec_result and accumulators) only while its replications are in
 * flight; when the last one is folded it is reduced to its summaries, its
 * folder is written and the rest is freed, so memory is bounded by the
 * stream (or batch) whatever the number of points or replications.
 *
 * With --precision each point runs alone, in the same order, through
 * run_simulate() (its sequential rounds need the point's own intervals).
 */
#include "app/sweep_run.h"
#include "app/par.h"
#include "app/results.h"
#include "app/run.h"
#include "app/sweep_grid.h"
#include "app/sweep_json.h"
#include "app/sweep_spill.h"
#include "app/sweep_stats.h"
#include "app/sweep_write.h"
#include "sim/runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A point while it runs. */
typedef struct {
    sweep *s;
    int i;             /* its index in the grid */
    exec_result r;
    sw_acc acc;
    results_reps reps; /* its replications.csv (rank 0) */
    int have_reps;
    int nomem, write_failed;
    int queued;        /* replications handed out so far */
    int state;         /* LIVE_* */
    int end_st;        /* the status it ends with (LIVE_ENDING on) */
    int summarised;    /* end_summarise done (the baseline's, at once) */
} sw_live;

/* A point's course: its replications run; it is over and waits for a
 * thread; a thread writes its summaries and folder; it is written and waits
 * for the points before it to be reported. */
enum { LIVE_RUNNING, LIVE_ENDING, LIVE_WRITING, LIVE_WRITTEN };

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The per-replication hook, in replication order: the point's CSV row and
 * its running statistics.  The place for anything else a sweep wants to see
 * of every replication. */
static void point_rep(void *ctx, int rep, const rec_layout *L, const double *rec)
{
    sw_live *lp = ctx;
    if (lp->have_reps)
        results_reps_row(&lp->reps, rep, L, rec);
    if (!lp->nomem && swstat_acc_rep(&lp->acc, lp->s, &lp->s->pts[lp->i], rep, L, rec))
        lp->nomem = 1;
}

/* Start point I: its accumulators and replications.csv (not its run). */
static void live_begin(sw_live *lp, sweep *s, int i)
{
    sw_point *pt = &s->pts[i];
    char dir[4200];
    memset(lp, 0, sizeof *lp);
    lp->s = s;
    lp->i = i;
    snprintf(dir, sizeof dir, "%s/%s", s->out, pt->dir);
    if (par_rank() == 0 && !s->write_failed && results_reps_open_mem(&lp->reps, dir, &pt->sc) == 0)
        lp->have_reps = 1;
    lp->nomem = swstat_acc_init(&lp->acc, s, pt) != 0;
}

/* A failed or interrupted point, in S's flags and on stderr. */
static void point_report(sweep *s, const sw_point *pt, int st)
{
    if (st == WORLD_INTERRUPTED)
        s->interrupted = 1;
    if (st == WORLD_DONE || st == WORLD_INTERRUPTED)
        return;
    s->failed = 1;
    char *v = cJSON_PrintUnformatted(pt->values);
    if (par_rank() == 0)
        fprintf(stderr, "relsim sweep: point %s %s: %s; going on with the other points\n", pt->dir,
                v ? v : "", pt->stop_reason ? pt->stop_reason : "failed");
    cJSON_free(v);
}

/* Point LP ends with status ST, first part (the baseline's before the
 * others', which compare with its summaries; the others' on any thread, as
 * they read only the baseline): close its CSV, reduce it to its summaries.
 * Sets lp->write_failed. */
static void end_summarise(sw_live *lp, int st)
{
    sweep *s = lp->s;
    sw_point *pt = &s->pts[lp->i];
    if (lp->have_reps && lp->write_failed) {
        results_reps_discard(&lp->reps); /* its folder will not be written */
    } else if (lp->have_reps && results_reps_close(&lp->reps)) {
        fprintf(stderr, "relsim sweep: %s/%s: %s\n", s->out, pt->dir, strerror(errno));
        lp->write_failed = 1;
    }
    const char *why = run_stop_reason(st, &lp->r);
    pt->stop_reason = why ? strdup(why) : NULL;
    pt->wall = lp->r.wall;
    pt->events = lp->r.events;
    if (lp->r.nrec > 0 && (lp->nomem || swstat_acc_finish(&lp->acc, s, pt, &lp->r)))
        st = WORLD_NOMEM;
    pt->status = st;
}

/* Point PT has results but is not written whole (its folder or its
 * sweep.json entry failed, or an earlier point's output did, after which
 * none is written): a failed point in sweep.json, listed with why, not
 * among the points with results nor ranked.  A folder that failed part-way
 * keeps what was written before the error. */
static void unwritten(sw_point *pt)
{
    pt->ran = 0;
    pt->unwritten = 1;
    free(pt->stop_reason);
    pt->stop_reason = strdup(SW_WRITE_FAILED);
}

/* Second part, any order (points end on several threads at once): its
 * folder (like `run`, a failed point's folder is written even without
 * replications) and its sweep.json object and sweep.csv row printed to the
 * spill; free its run.  Sets lp->write_failed. */
static void end_write(sw_live *lp)
{
    sweep *s = lp->s;
    sw_point *pt = &s->pts[lp->i];
    exec_result *r = &lp->r;
    if (par_rank() == 0 && !lp->write_failed &&
        (r->nrec > 0 || pt->status != WORLD_INTERRUPTED))
        lp->write_failed = swwrite_point_dir(s, pt, r) != 0;
    if (par_rank() == 0 && lp->write_failed && pt->ran)
        unwritten(pt);
    if (par_rank() == 0 && pt->ran && s->spill) {
        char *json = swjson_point_text(s, lp->i), *csv = json ? swwrite_csv_row(s, pt) : NULL;
        if (!json || !csv || swspill_put(s, pt, json, csv)) {
            fprintf(stderr, "relsim sweep: %s: %s\n", s->out, strerror(json && csv ? errno : ENOMEM));
            lp->write_failed = 1;
            unwritten(pt); /* not in sweep.json's points: a failed point, not ranked */
        }
        free(json);
        free(csv);
    }
    free(pt->effective); /* written: only the folder needed it */
    pt->effective = NULL;
    exec_result_free(r);
    swstat_acc_free(&lp->acc);
}

/* Last part, in run order: its summaries shrunk (app/sweep_spill.h), the
 * worlds W built for its scenario and the scenario freed, S's flags,
 * stderr.  W may be NULL. */
static void end_report(sw_live *lp, exec_workers *w)
{
    sweep *s = lp->s;
    sw_point *pt = &s->pts[lp->i];
    if (par_rank() != 0 || pt->json_len > 0)
        swstat_shrink(s, pt); /* rank 0 keeps them all if they were not printed */
    exec_workers_forget(w, &pt->sc); /* before the scenario they borrow goes */
    swgrid_unload(s, lp->i);
    s->write_failed |= lp->write_failed;
    point_report(s, pt, pt->status);
}

static void live_end(sw_live *lp, int st)
{
    lp->write_failed |= lp->s->write_failed;
    end_summarise(lp, st);
    end_write(lp);
    end_report(lp, NULL); /* run_simulate's workers are gone */
}

/* ---- --precision: each point alone, its rounds on all threads ---------------- */

static void run_alone(sweep *s, int i)
{
    sw_live lp;
    char label[64];
    snprintf(label, sizeof label, "%s [%d/%d]", s->pts[i].dir, i + 1, s->npts);
    if (swgrid_load(s, i)) {
        s->pts[i].status = WORLD_NOMEM;
        s->failed = 1;
        return;
    }
    live_begin(&lp, s, i);
    int st = run_simulate(&lp.r, &s->pts[i].sc, &s->o, label, point_rep, &lp);
    live_end(&lp, st);
}

/* ---- the points in flight --------------------------------------------------------- */

/* A thread's task in a stream: a point to write, or replications to run. */
typedef struct {
    sw_live *lp;
    exec_group g;
} flow_task;

/* The points started and not yet reported, in run order.  A point's
 * replications are all appended before the next point starts (fill), so
 * points drain, and are reported, in run order. */
typedef struct {
    sweep *s;
    const int *order;  /* the points in run order */
    int next;          /* the next point of ORDER to start */
    sw_live **win;     /* started, not reported: a ring of WINCAP, from WHEAD */
    int wincap, whead, nwin;
    int held, held_max; /* started and not yet written (they hold their results); at most */
    exec_item *items;  /* the next items (CAP) */
    int cap;
    exec_workers *w;
    exec_stream *st;   /* one process: the stream (else batches, MPI) */
    flow_task *tasks;  /* the stream's: one per thread */
    progress_bar bar;
    int done, total;   /* replications handed out; in all */
} sw_flow;

static sw_live *win_at(const sw_flow *f, int k) { return f->win[(f->whead + k) % f->wincap]; }

/* Point LP has no replication in flight: if it is over (all run, or
 * stopped; every running point when STOPPING), it ends with ST.  The
 * baseline's summaries are made here, at once, as the others pair with
 * them. */
static void settle_point(sw_live *lp, int stopping)
{
    int st = lp->r.status, more = lp->queued < lp->s->pts[lp->i].replications;
    if (lp->state != LIVE_RUNNING || (st == WORLD_DONE && more && !stopping))
        return;
    lp->state = LIVE_ENDING;
    lp->end_st = st == WORLD_DONE && more ? WORLD_INTERRUPTED : st;
    lp->write_failed |= lp->s->write_failed; /* none written after a failed one (read here, under the lock) */
    if (lp->i == lp->s->baseline) {
        end_summarise(lp, lp->end_st);
        lp->summarised = 1;
    }
}

/* Is there a point left to start?  In one process none is started after a
 * write failed, as it would not be written (across MPI ranks, which must
 * agree, and only rank 0 writes, they run to the end). */
static int more_points(const sweep *s, int next)
{
    return next < s->npts && !(par_size() == 1 && s->write_failed);
}

/* Start the next point of the run order (its scenario built again); NULL on
 * ENOMEM. */
static sw_live *start_next(sw_flow *f)
{
    int i = f->order[f->next++];
    sw_live *lp = malloc(sizeof *lp);
    if (!lp || swgrid_load(f->s, i)) {
        free(lp);
        return NULL;
    }
    live_begin(lp, f->s, i);
    if (exec_result_init(&lp->r, &f->s->pts[i].sc))
        lp->r.status = WORLD_NOMEM;
    lp->r.on_rep = point_rep;
    lp->r.on_rep_ctx = lp;
    f->win[(f->whead + f->nwin++) % f->wincap] = lp;
    f->held++;
    if (lp->r.status != WORLD_DONE)
        settle_point(lp, 0); /* no item will ever drain it: it ends now */
    return lp;
}

/* Queue LP's next replications while there is room. */
static int queue_reps(sw_flow *f, sw_live *lp, int n, int room)
{
    while (n < room && lp->state == LIVE_RUNNING && lp->r.status == WORLD_DONE &&
           lp->queued < f->s->pts[lp->i].replications)
        f->items[n++] = (exec_item){&lp->r, lp->queued++};
    return n;
}

/* The next items, up to ROOM (<= CAP) of them: the running points' next
 * replications, then new points while the window has room.  Their number. */
static int fill(sw_flow *f, int room)
{
    int n = 0;
    for (int k = 0; k < f->nwin; k++)
        n = queue_reps(f, win_at(f, k), n, room);
    while (n < room && more_points(f->s, f->next) && f->nwin < f->wincap && f->held < f->held_max) {
        sw_live *lp = start_next(f);
        if (!lp) {
            f->s->pts[f->order[f->next - 1]].status = WORLD_NOMEM;
            f->s->failed = 1;
            continue;
        }
        n = queue_reps(f, lp, n, room);
    }
    return n;
}


static void drained(void *ctx, exec_result *r)
{
    (void)ctx;
    settle_point(r->on_rep_ctx, 0);
}

/* An ending point's summaries and folder (writing is a good part of a small
 * point's cost, so on any thread; its state is the caller's to set). */
static void end_point(sw_live *lp)
{
    if (!lp->summarised)
        end_summarise(lp, lp->end_st);
    end_write(lp);
}

/* LP's folder is written: its results are freed. */
static void set_written(sw_flow *f, sw_live *lp)
{
    lp->state = LIVE_WRITTEN;
    f->held--;
}

/* Report the written points at the window's front, in run order. */
static void report_written(sw_flow *f)
{
    while (f->nwin > 0 && win_at(f, 0)->state == LIVE_WRITTEN) {
        sw_live *lp = win_at(f, 0);
        end_report(lp, f->w);
        free(lp);
        f->whead = (f->whead + 1) % f->wincap;
        f->nwin--;
    }
}

/* The first point waiting to be written, marked as being written; or NULL. */
static sw_live *take_ending(sw_flow *f)
{
    for (int k = 0; k < f->nwin; k++)
        if (win_at(f, k)->state == LIVE_ENDING) {
            win_at(f, k)->state = LIVE_WRITING;
            return win_at(f, k);
        }
    return NULL;
}

static int write_item(void *ctx, int k, int worker)
{
    sw_live **ending = ctx;
    (void)worker;
    end_point(ending[k]);
    return 0;
}

/* End the points that are over (every one when STOPPING), written on all the
 * threads at once, and report them.  Between batches, and at the end. */
static void retire(sw_flow *f, int stopping)
{
    sw_live **ending = malloc(((size_t)f->nwin + 1) * sizeof *ending);
    int n = 0;
    for (int k = 0; k < f->nwin; k++)
        settle_point(win_at(f, k), stopping);
    for (sw_live *lp; ending && (lp = take_ending(f));)
        ending[n++] = lp;
    for (sw_live *lp; !ending && (lp = take_ending(f));) {
        end_point(lp); /* out of memory for the list: one at a time */
        set_written(f, lp);
    }
    runner_run(0, n, f->s->o.jobs, write_item, ending, NULL, NULL, NULL);
    for (int k = 0; k < n; k++)
        set_written(f, ending[k]);
    free(ending);
    report_written(f);
}

static int flow_init(sw_flow *f, sweep *s, const int *order)
{
    size_t reclen = 1;
    memset(f, 0, sizeof *f);
    f->s = s;
    f->order = order;
    for (int i = 0; i < s->npts; i++) {
        reclen = s->pts[i].reclen > reclen ? s->pts[i].reclen : reclen;
        f->total += s->pts[i].replications;
    }
    f->cap = exec_batch_size(reclen, s->o.jobs);
    f->wincap = 2 * f->cap + 2; /* the points in the items, and the ones being written */
    /* a stream starts no point while half as many as it has items wait to
     * be written (when writing is slower than running them, it catches up
     * first): the batches' bound on memory, a batch's points */
    f->held_max = par_size() == 1 ? (f->cap + 1) / 2 : f->wincap;
    f->items = malloc((size_t)f->cap * sizeof *f->items);
    f->win = malloc((size_t)f->wincap * sizeof *f->win);
    f->w = exec_workers_new(s->o.jobs);
    if (f->w && par_size() == 1) {
        f->st = exec_stream_new(f->w, f->cap, reclen, &runopts_stop);
        f->tasks = malloc((size_t)s->o.jobs * sizeof *f->tasks);
    }
    progress_init(&f->bar, "replications", s->o.quiet || s->o.json);
    return f->items && f->win && f->w && ((f->st && f->tasks) || par_size() > 1) ? 0 : -1;
}

static void flow_free(sw_flow *f)
{
    progress_done(&f->bar);
    exec_stream_free(f->st);
    free(f->tasks);
    exec_workers_free(f->w);
    free(f->items);
    free(f->win);
}

/* ---- MPI: batches, every rank the same ------------------------------------------ */

static void run_batches(sw_flow *f)
{
    int n;
    while (!runner_stopped(&runopts_stop) && (n = fill(f, f->cap)) > 0) {
        exec_run_items(f->w, f->items, n, &runopts_stop, &f->bar, f->done, f->total);
        f->done += n;
        retire(f, runner_stopped(&runopts_stop));
    }
}

/* ---- one process: a stream on a pool of threads, no barrier --------------------- */

/* Refill when a quarter of the stream is free: a few points at a time, so a
 * point's replications are taken together. */
static void flow_fill(sw_flow *f)
{
    if (exec_stream_room(f->st) < (f->cap + 3) / 4)
        return;
    int n = fill(f, exec_stream_room(f->st));
    for (int k = 0; k < n; k++)
        exec_stream_push(f->st, f->items[k]);
}

static int flow_next(void *ctx, int worker, void **task)
{
    sw_flow *f = ctx;
    flow_task *t = &f->tasks[worker];
    int stop = runner_stopped(&runopts_stop);
    exec_stream_settle(f->st, 0, drained, f);
    report_written(f);
    if (!stop)
        flow_fill(f);
    t->lp = take_ending(f); /* first: it frees memory */
    if (t->lp || (!stop && exec_stream_take(f->st, worker, &t->g))) {
        *task = t;
        return 1;
    }
    if (stop || (!more_points(f->s, f->next) && f->nwin == 0 && exec_stream_empty(f->st)))
        return -1;
    return 0;
}

static void flow_run(void *ctx, int worker, void *task)
{
    sw_flow *f = ctx;
    flow_task *t = task;
    if (t->lp)
        end_point(t->lp);
    else
        exec_stream_run(f->st, &t->g, worker);
}

static void flow_done(void *ctx, int worker, void *task)
{
    sw_flow *f = ctx;
    flow_task *t = task;
    (void)worker;
    if (t->lp) {
        set_written(f, t->lp); /* reported by the next flow_next, in run order */
        return;
    }
    exec_stream_done(f->st, &t->g);
    f->done += t->g.n;
    progress_update(&f->bar, f->done, f->total);
}

static void run_stream(sw_flow *f)
{
    static const runner_ops ops = {flow_next, flow_run, flow_done};
    runner_pool(f->s->o.jobs, &ops, f);
    exec_stream_settle(f->st, 1, drained, f); /* after an interrupt: the rest */
}

static void run_points(sweep *s, const int *order)
{
    sw_flow f;
    if (flow_init(&f, s, order) == 0) {
        if (f.st)
            run_stream(&f);
        else
            run_batches(&f);
    } else {
        s->failed = 1;
    }
    retire(&f, 1);
    if (runner_stopped(&runopts_stop))
        s->interrupted = 1;
    flow_free(&f);
}

void swrun_points(sweep *s)
{
    int *order = malloc((size_t)s->npts * sizeof *order);
    if (!order) {
        s->failed = 1;
        return;
    }
    order[0] = s->baseline;
    for (int i = 0, k = 1; i < s->npts; i++)
        if (i != s->baseline)
            order[k++] = i;
    if (par_rank() == 0 && swspill_open(s))
        s->write_failed = 1;
    double t0 = now_seconds();
    if (s->o.precision > 0)
        for (int k = 0; more_points(s, k) && !s->interrupted; k++)
            run_alone(s, order[k]);
    else
        run_points(s, order);
    s->wall = now_seconds() - t0;
    free(order);
}
