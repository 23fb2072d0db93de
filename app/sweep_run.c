/* sweep_run.c - running a sweep's points (app/sweep_run.h). */
#include "app/sweep_run.h"
#include "app/par.h"
#include "app/results.h"
#include "app/run.h"
#include "app/sweep_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a point's replications are handed to, in replication order. */
typedef struct {
    sw_point *pt;
    results_reps *reps; /* the point's replications.csv, or NULL */
    int nomem;
} sw_rep_sink;

/* The per-replication hook: keep the replication's metrics for the paired
 * comparison (point_rep appends row REP), and stream its CSV row.  The place
 * for anything else a sweep wants to see of every replication. */
static void point_rep(void *ctx, int rep, const rec_layout *L, const double *rec)
{
    sw_rep_sink *k = ctx;
    sw_point *pt = k->pt;
    size_t np = (size_t)L->npools * PM_COUNT, nc = (size_t)L->ncallers * CM_COUNT;
    if (k->reps)
        results_reps_row(k->reps, rep, L, rec);
    pt->ncols = (int)(np + nc);
    if (rep >= pt->cap) {
        int cap = pt->cap ? 2 * pt->cap : 16;
        double *m = realloc(pt->m, (size_t)cap * (np + nc) * sizeof *m);
        if (!m) {
            k->nomem = 1;
            return;
        }
        pt->m = m;
        pt->cap = cap;
    }
    double *row = pt->m + (size_t)rep * (np + nc);
    memcpy(row, rec + L->pool, np * sizeof *row);
    memcpy(row + np, rec + L->caller, nc * sizeof *row);
}

/* Keep what the comparison needs of R besides the rows: the statistics
 * objects.  0 or -1 on ENOMEM. */
static int point_keep(sw_point *pt, const exec_result *r)
{
    pt->nrec = r->nrec;
    pt->wall = r->wall;
    pt->events = r->events;
    pt->pools = results_entities_json(r, 1);
    pt->clients = results_entities_json(r, 0);
    if (!pt->m || !pt->pools || !pt->clients)
        return -1;
    pt->ran = 1;
    return 0;
}

/* Simulate point I; returns its WORLD_* status. */
static int point_run(sweep *s, int i)
{
    sw_point *pt = &s->pts[i];
    char label[64];
    exec_result r;
    snprintf(label, sizeof label, "%s [%d/%d]", pt->dir, i + 1, s->npts);
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/%s", s->out, pt->dir);
    results_reps reps;
    sw_rep_sink sink = {pt, NULL, 0};
    if (par_rank() == 0 && !s->write_failed && results_reps_open(&reps, dir, &pt->sc) == 0)
        sink.reps = &reps;
    int st = run_simulate(&r, &pt->sc, &s->o, label, point_rep, &sink);
    if (sink.reps && results_reps_close(sink.reps)) {
        fprintf(stderr, "relsim sweep: %s: %s\n", dir, strerror(errno));
        s->write_failed = 1;
    }
    const char *why = run_stop_reason(st, &r);
    pt->stop_reason = why ? strdup(why) : NULL;
    if (r.nrec > 0 && (sink.nomem || point_keep(pt, &r)))
        st = WORLD_NOMEM;
    pt->status = st;
    /* like `run`, a failed point's folder is written even without replications */
    if (par_rank() == 0 && !s->write_failed && (r.nrec > 0 || st != WORLD_INTERRUPTED) &&
        swwrite_point_dir(s, pt, &r))
        s->write_failed = 1;
    exec_result_free(&r);
    return st;
}

/* Every point in order; stops at an interrupt (the finished ones are kept). */
void swrun_points(sweep *s)
{
    for (int i = 0; i < s->npts; i++) {
        int st = point_run(s, i);
        if (st == WORLD_INTERRUPTED) {
            s->interrupted = 1;
            return;
        }
        if (st != WORLD_DONE) {
            s->failed = 1;
            char *v = cJSON_PrintUnformatted(s->pts[i].values);
            if (par_rank() == 0)
                fprintf(stderr, "relsim sweep: point %s %s: %s; going on with the other points\n",
                        s->pts[i].dir, v ? v : "", s->pts[i].stop_reason ? s->pts[i].stop_reason : "failed");
            cJSON_free(v);
        }
    }
}
