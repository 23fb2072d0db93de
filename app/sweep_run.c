/* sweep_run.c - running a sweep's points (app/sweep_run.h).
 *
 * The work is (point, replication) pairs.  Without --precision they go to
 * the threads (and MPI ranks) in batches through exec_run_items()
 * (app/execute.h): a batch takes the next replications of the running
 * points, then starts the next points in run order, so a batch mixes points
 * and no thread idles while a point has fewer replications than there are
 * threads.  The run order is the baseline first (so its rows are there when
 * the others pair against them, app/sweep_stats.h), then the grid order.  A
 * point lives (its exec_result and accumulators) only while its
 * replications are in flight; when the last one is folded it is reduced to
 * its summaries, its folder is written and the rest is freed, so memory is
 * bounded by the batch whatever the number of points or replications.
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
    int summarised;    /* end_summarise done (the baseline's, in retire) */
} sw_live;

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
    if (lp->have_reps && results_reps_close(&lp->reps)) {
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

/* Second part, any order (points end on several threads at once): its
 * folder (like `run`, a failed point's folder is written even without
 * replications) and its sweep.json object and sweep.csv row printed to the
 * spill; free its run.  Sets lp->write_failed. */
static void end_write(sw_live *lp)
{
    sweep *s = lp->s;
    sw_point *pt = &s->pts[lp->i];
    exec_result *r = &lp->r;
    if (par_rank() == 0 && !s->write_failed && !lp->write_failed &&
        (r->nrec > 0 || pt->status != WORLD_INTERRUPTED))
        lp->write_failed = swwrite_point_dir(s, pt, r) != 0;
    if (par_rank() == 0 && pt->ran && s->spill) {
        char *json = swjson_point_text(s, lp->i), *csv = json ? swwrite_csv_row(s, pt) : NULL;
        if (!json || !csv || swspill_put(s, pt, json, csv)) {
            fprintf(stderr, "relsim sweep: %s: %s\n", s->out, strerror(json && csv ? errno : ENOMEM));
            lp->write_failed = 1;
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

/* ---- batches of (point, replication) --------------------------------------------- */

typedef struct {
    sweep *s;
    const int *order;  /* the points in run order */
    int next;          /* the next point of ORDER to start */
    sw_live **live;    /* the running points, in run order */
    int nlive;
    int *end_st;       /* the status each ending point ends with (end_item) */
    exec_item *items;  /* the batch */
    int cap;           /* items per batch */
    exec_workers *w;
    progress_bar bar;
    int done, total;   /* replications handed out; in all */
} sw_batches;

/* Start the next point of the run order (its scenario built again); NULL on
 * ENOMEM. */
static sw_live *start_next(sw_batches *b)
{
    int i = b->order[b->next++];
    sw_live *lp = malloc(sizeof *lp);
    if (!lp || swgrid_load(b->s, i)) {
        free(lp);
        return NULL;
    }
    live_begin(lp, b->s, i);
    if (exec_result_init(&lp->r, &b->s->pts[i].sc))
        lp->r.status = WORLD_NOMEM;
    lp->r.on_rep = point_rep;
    lp->r.on_rep_ctx = lp;
    b->live[b->nlive++] = lp;
    return lp;
}

/* Queue LP's next replications while the batch has room. */
static int queue_reps(sw_batches *b, sw_live *lp, int n)
{
    while (n < b->cap && lp->r.status == WORLD_DONE && lp->queued < b->s->pts[lp->i].replications)
        b->items[n++] = (exec_item){&lp->r, lp->queued++};
    return n;
}

/* The next batch: the running points' next replications, then new points.
 * Its number of items. */
static int fill(sw_batches *b)
{
    int n = 0;
    for (int k = 0; k < b->nlive; k++)
        n = queue_reps(b, b->live[k], n);
    while (n < b->cap && b->next < b->s->npts) {
        sw_live *lp = start_next(b);
        if (!lp) {
            b->s->pts[b->order[b->next - 1]].status = WORLD_NOMEM;
            b->s->failed = 1;
            continue;
        }
        n = queue_reps(b, lp, n);
    }
    return n;
}

static int end_item(void *ctx, int k, int worker)
{
    sw_batches *b = ctx;
    sw_live *lp = b->live[b->nlive + k];
    (void)worker;
    if (!lp->summarised)
        end_summarise(lp, b->end_st[k]);
    end_write(lp);
    return 0;
}

/* End the points that are done (or failed, or everything after an
 * interrupt), keeping the others.  Their summaries and folders are made on
 * all the threads at once (writing is a good part of a small point's
 * cost); the baseline's summaries first, here, as the others pair with
 * them.  (The baseline runs first and its replications are all handed out
 * before another point starts, so it never ends after another point.) */
static void retire(sw_batches *b, int stopping)
{
    int keep = 0, nend = 0;
    sw_live **end = b->live + b->nlive; /* room for cap + 1 more */
    for (int k = 0; k < b->nlive; k++) {
        sw_live *lp = b->live[k];
        int st = lp->r.status, more = lp->queued < b->s->pts[lp->i].replications;
        if (st == WORLD_DONE && more && !stopping) {
            b->live[keep++] = lp;
            continue;
        }
        b->end_st[nend] = st == WORLD_DONE && more ? WORLD_INTERRUPTED : st;
        if (lp->i == b->s->baseline) {
            end_summarise(lp, b->end_st[nend]);
            lp->summarised = 1;
        }
        end[nend++] = lp;
    }
    /* the ending points at live + keep, after the kept ones, for end_item */
    if (nend > 0)
        memmove(b->live + keep, end, (size_t)nend * sizeof *end);
    end = b->live + keep;
    b->nlive = keep;
    runner_run(0, nend, b->s->o.jobs, end_item, b, NULL, NULL, NULL);
    for (int k = 0; k < nend; k++) {
        end_report(end[k], b->w);
        free(end[k]);
    }
}

static int batches_init(sw_batches *b, sweep *s, const int *order)
{
    size_t reclen = 1;
    memset(b, 0, sizeof *b);
    b->s = s;
    b->order = order;
    for (int i = 0; i < s->npts; i++) {
        reclen = s->pts[i].reclen > reclen ? s->pts[i].reclen : reclen;
        b->total += s->pts[i].replications;
    }
    b->cap = exec_batch_size(reclen, s->o.jobs);
    b->items = malloc((size_t)b->cap * sizeof *b->items);
    b->live = malloc(2 * ((size_t)b->cap + 1) * sizeof *b->live); /* running, then ending */
    b->end_st = malloc(((size_t)b->cap + 1) * sizeof *b->end_st);
    b->w = exec_workers_new(s->o.jobs);
    progress_init(&b->bar, "replications", s->o.quiet || s->o.json);
    return b->items && b->live && b->end_st && b->w ? 0 : -1;
}

static void batches_free(sw_batches *b)
{
    progress_done(&b->bar);
    exec_workers_free(b->w);
    free(b->items);
    free(b->live);
    free(b->end_st);
}

static void run_batches(sweep *s, const int *order)
{
    sw_batches b;
    int n = 0;
    if (batches_init(&b, s, order) == 0)
        while (!runopts_stop && (n = fill(&b)) > 0) {
            exec_run_items(b.w, b.items, n, &runopts_stop, &b.bar, b.done, b.total);
            b.done += n;
            retire(&b, runopts_stop != 0);
        }
    else
        s->failed = 1;
    retire(&b, 1);
    if (runopts_stop)
        s->interrupted = 1;
    batches_free(&b);
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
        for (int k = 0; k < s->npts && !s->interrupted; k++)
            run_alone(s, order[k]);
    else
        run_batches(s, order);
    s->wall = now_seconds() - t0;
    free(order);
}
