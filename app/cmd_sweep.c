/* cmd_sweep.c - `relsim sweep`: one run per point of a grid of scenario
 * values, compared with common random numbers.
 *
 *   relsim sweep SCENARIO --vary PATH=a,b,c --vary PATH=lo:hi:step ...
 *                [run options] [--baseline K] [--objective METRIC[:max|min]]
 *
 * The grid is the cartesian product of the --vary lists, the first --vary
 * varying slowest.  Every point is the base scenario (after -s/-r/--set)
 * with the point's values applied through the loader, validated before
 * anything runs.  Replication i of every point is seeded from (seed, i)
 * alone, so points differ only by what was varied: the paired difference
 * d_i = x_i(point) - x_i(baseline) has a much smaller variance than two
 * independent samples, and its Student-t 95% interval (stat_paired) is the
 * honest, narrow one.  The unpaired (Welch) half-width is written beside it
 * so users see what pairing bought.
 *
 * Points run one after another, each with all -j threads (or MPI ranks,
 * app/par.h), through the same run_simulate() as `relsim run` (app/run.h);
 * --precision applies per point.  Outputs (rank 0 only, all atomic):
 * OUTDIR/pNNN/ (the `run` writer), OUTDIR/sweep.json, OUTDIR/sweep.csv, the
 * report, and a ranking table on stdout.
 */
#include "app/cmd.h"
#include "app/findings.h"
#include "util/fsutil.h"
#include "app/modelcheck.h"
#include "app/par.h"
#include "app/results.h"
#include "app/run.h"
#include "app/runopts.h"
#include "app/slo.h"
#include "app/sweep_axis.h"
#include "app/sweep_outcome.h"
#include "app/sweep_recommend.h"
#include "app/workest.h"
#include "plots/numfmt.h"
#include "plots/report.h"

#include <ctype.h>
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define usage(arg, fmt, detail) sweep_usage("--vary", arg, fmt, detail)

/* One grid point: its scenario before the run, its statistics after. */
typedef struct {
    char dir[16];      /* "p000" */
    scenario sc;       /* built, owned */
    char *effective;   /* the point's scenario JSON, owned */
    cJSON *values;     /* {path: value}, owned */
    int ran;           /* has results (nrec > 0) */
    int status;        /* WORLD_* of its run */
    char *stop_reason; /* owned copy, NULL when complete */
    int nrec, ncols, cap;
    double *m;         /* [nrec][ncols]: pool metrics, then caller metrics (point_rep) */
    cJSON *pools, *clients; /* results_entities_json, owned until moved */
    double wall, events;
} sw_point;

/* What the table ranks by. */
typedef struct {
    int is_pool, entity, metric, maximize;
    char label[160]; /* "clients.web.request_success" */
} sw_objective;

typedef struct {
    runopts o;
    loader_doc *base;
    sw_axis *axes;
    int naxes;
    sw_point *pts;
    int npts;
    int baseline;
    sw_objective obj;
    sweep_outcome outc; /* --outcome */
    int has_outcome;
    char out[4096];
    int interrupted, failed, write_failed;
} sweep;

/* Parse every --vary; the grid size goes to *NPTS.  0 or -1 after printing. */
static int axes_parse(sweep *s)
{
    long total = 1;
    s->axes = calloc((size_t)s->o.nvaries, sizeof *s->axes);
    if (!s->axes)
        return usage(NULL, "out of memory", NULL);
    for (int i = 0; i < s->o.nvaries; i++) {
        s->naxes = i + 1;
        if (sweep_axis_parse(&s->axes[i], s->o.varies[i]))
            return -1;
        for (int j = 0; j < i; j++)
            if (!strcmp(s->axes[j].path, s->axes[i].path))
                return usage(s->o.varies[i], "%s is varied twice", s->axes[i].path);
        total *= s->axes[i].n;
        if (total > SW_MAX_POINTS)
            return usage(s->o.varies[i], "the grid has more than 10000 points", NULL);
    }
    s->npts = (int)total;
    return 0;
}

/* ---- the grid's points ------------------------------------------------------ */

/* Value index of axis A at point I (the last axis varies fastest). */
static int coord(const sweep *s, int i, int a)
{
    for (int b = s->naxes - 1; b > a; b--)
        i /= s->axes[b].n;
    return i % s->axes[a].n;
}

/* Apply point I's values to D.  0 or -1 after the loader printed why. */
static int apply_point(const sweep *s, loader_doc *d, int i)
{
    for (int a = 0; a < s->naxes; a++) {
        const sw_axis *ax = &s->axes[a];
        const char *v = ax->vals[coord(s, i, a)];
        size_t n = strlen(ax->path) + strlen(v) + 2;
        char *assign = malloc(n);
        if (!assign)
            return usage(NULL, "out of memory", NULL);
        snprintf(assign, n, "%s=%s", ax->path, v);
        int rc = loader_set_as(d, assign, "--vary", stderr);
        free(assign);
        if (rc)
            return -1;
    }
    return 0;
}

/* {path: value as the scenario now holds it}. */
static cJSON *point_values(const sweep *s, const loader_doc *d)
{
    cJSON *o = cJSON_CreateObject();
    for (int a = 0; o && a < s->naxes; a++) {
        char *text = loader_get_json(d, s->axes[a].path);
        cJSON *v = text ? cJSON_Parse(text) : NULL;
        cJSON_AddItemToObject(o, s->axes[a].path, v ? v : cJSON_CreateNull());
        free(text);
    }
    return o;
}

/* Build point I (clone, apply, validate).  0 or -1 after printing. */
static int point_build(sweep *s, int i)
{
    sw_point *pt = &s->pts[i];
    int width = s->npts > 1000 ? 4 : 3;
    snprintf(pt->dir, sizeof pt->dir, "p%0*d", width, i);
    loader_doc *d = loader_clone(s->base);
    if (!d)
        return usage(NULL, "out of memory", NULL);
    int rc = apply_point(s, d, i);
    if (rc == 0 && (rc = loader_build(d, &pt->sc, stderr)) == 0 &&
        (rc = we_refuse_if_too_big(&pt->sc, s->o.scenario, stderr)) == 0) {
        pt->effective = loader_effective_json(d);
        pt->values = point_values(s, d);
        if (!pt->effective || !pt->values)
            rc = usage(NULL, "out of memory", NULL);
    }
    loader_close(d);
    return rc;
}

static int points_build(sweep *s)
{
    if (!(s->pts = calloc((size_t)s->npts, sizeof *s->pts)))
        return usage(NULL, "out of memory", NULL);
    for (int i = 0; i < s->npts; i++)
        if (point_build(s, i))
            return -1;
    return 0;
}

static void points_free(sw_point *pts, int n)
{
    for (int i = 0; pts && i < n; i++) {
        scenario_free(&pts[i].sc);
        free(pts[i].effective);
        cJSON_Delete(pts[i].values);
        free(pts[i].stop_reason);
        free(pts[i].m);
        cJSON_Delete(pts[i].pools);
        cJSON_Delete(pts[i].clients);
    }
    free(pts);
}

/* ---- --baseline and --objective ---------------------------------------------- */

/* Does point PT hold VALUE (JSON, or a bare word) at PATH? */
static int point_has(const sw_point *pt, const char *path, const char *value)
{
    const cJSON *have = cJSON_GetObjectItemCaseSensitive(pt->values, path);
    cJSON *want = cJSON_Parse(value);
    if (!want)
        want = cJSON_CreateString(value);
    int eq = have && want && cJSON_Compare(have, want, 1);
    cJSON_Delete(want);
    return eq;
}

/* Does point PT match every PATH=VALUE of the list L? */
static int point_matches(const sweep *s, const sw_point *pt, const sw_axis *l)
{
    for (int k = 0; k < l->n; k++) {
        char *eq = strchr(l->vals[k], '=');
        if (!eq)
            return sweep_usage("--baseline", s->o.baseline, "expected an index or PATH=VALUE,...", NULL);
        *eq = '\0';
        int known = 0;
        for (int a = 0; a < s->naxes; a++)
            known |= !strcmp(s->axes[a].path, l->vals[k]);
        if (!known)
            return sweep_usage("--baseline", s->o.baseline, "%s is not a varied path", l->vals[k]);
        int ok = point_has(pt, l->vals[k], eq + 1);
        *eq = '=';
        if (!ok)
            return 0;
    }
    return 1;
}

/* --baseline INDEX or PATH=VALUE,... (the first point that matches). */
static int baseline_parse(sweep *s)
{
    const char *b = s->o.baseline;
    if (!b)
        return 0;
    char *end;
    errno = 0;
    long k = strtol(b, &end, 10);
    if (end != b && !*end && !errno) {
        if (k < 0 || k >= s->npts) {
            fprintf(stderr, "relsim sweep: --baseline %s: the grid has points 0..%d\n", b, s->npts - 1);
            return -1;
        }
        s->baseline = (int)k;
        return 0;
    }
    sw_axis l = {.opt = "--baseline", .arg = b};
    int rc = sweep_split_list(&l, b), found = -1;
    for (int i = 0; rc == 0 && found < 0 && i < s->npts; i++) {
        int m = point_matches(s, &s->pts[i], &l);
        if (m < 0)
            rc = -1;
        else if (m)
            found = i;
    }
    for (int k2 = 0; k2 < l.n; k2++)
        free(l.vals[k2]);
    free(l.vals);
    if (rc == 0 && found < 0)
        rc = sweep_usage("--baseline", b, "no grid point has these values", NULL);
    s->baseline = found < 0 ? 0 : found;
    return rc;
}

static int name_index(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return i;
    return -1;
}

static int entity_index(const scenario *sc, int is_pool, const char *name)
{
    for (int i = 0; i < (is_pool ? sc->npools : sc->nclients); i++)
        if (!strcmp(is_pool ? sc->pools[i].name : sc->clients[i].name, name))
            return i;
    return -1;
}

/* METRIC, clients.NAME.METRIC or pools.NAME.METRIC into OB (without the goal). */
static int objective_target(const scenario *sc, char *spec, sw_objective *ob)
{
    char *dot = strrchr(spec, '.'), *ent = NULL;
    const char *metric = dot ? dot + 1 : spec;
    if (dot) {
        *dot = '\0';
        char *d2 = strchr(spec, '.');
        if (!d2)
            return -1;
        *d2 = '\0';
        ent = d2 + 1;
        if (!strcmp(spec, "pools") || !strcmp(spec, "pool"))
            ob->is_pool = 1;
        else if (strcmp(spec, "clients") && strcmp(spec, "client"))
            return -1;
        ob->metric = ob->is_pool ? name_index(pm_names, PM_COUNT, metric) : name_index(cm_names, CM_COUNT, metric);
    } else if ((ob->metric = name_index(cm_names, CM_COUNT, metric)) < 0) {
        ob->is_pool = 1;
        ob->metric = name_index(pm_names, PM_COUNT, metric);
    }
    ob->entity = ent ? entity_index(sc, ob->is_pool, ent) : 0;
    if (ob->metric < 0 || ob->entity < 0)
        return -1;
    snprintf(ob->label, sizeof ob->label, "%s.%s.%s", ob->is_pool ? "pools" : "clients",
             ob->is_pool ? sc->pools[ob->entity].name : sc->clients[ob->entity].name,
             ob->is_pool ? pm_names[ob->metric] : cm_names[ob->metric]);
    return 0;
}

static void objective_help(const scenario *sc)
{
    fprintf(stderr, "  client metrics:");
    for (int m = 0; m < CM_COUNT; m++)
        fprintf(stderr, " %s", cm_names[m]);
    fprintf(stderr, "\n  pool metrics:");
    for (int m = 0; m < PM_COUNT; m++)
        fprintf(stderr, " %s", pm_names[m]);
    fprintf(stderr, "\n  qualified: clients.%s.METRIC or pools.%s.METRIC; goal :max or :min\n",
            sc->clients[0].name, sc->pools[0].name);
}

static int objective_parse(sweep *s)
{
    const scenario *sc = &s->pts[0].sc;
    const char *spec = s->o.objective ? s->o.objective : "request_success:max";
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    char *colon = strchr(buf, ':');
    int goal = -1;
    if (colon) {
        *colon = '\0';
        goal = !strcmp(colon + 1, "max") ? 1 : !strcmp(colon + 1, "min") ? 0 : -2;
    }
    memset(&s->obj, 0, sizeof s->obj);
    if (goal == -2 || objective_target(sc, buf, &s->obj)) {
        fprintf(stderr, "relsim sweep: --objective %s: expected METRIC[:max|min]%s\n", spec,
                goal == -2 ? " (the goal is max or min)" : ", with a known metric and entity");
        objective_help(sc);
        return -1;
    }
    s->obj.maximize = goal >= 0 ? goal : metrics_maximize(s->obj.is_pool, s->obj.metric);
    return 0;
}

/* ---- running --------------------------------------------------------------------- */

static int col_pool(const sw_point *pt, int p, int m)
{
    (void)pt;
    return p * PM_COUNT + m;
}

static int col_caller(const sw_point *pt, int c, int m)
{
    return pt->sc.npools * PM_COUNT + c * CM_COUNT + m;
}

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

/* OUTDIR/pNNN/ with the `run` writer (results.json, CSVs, data/, scenario.json). */
static int point_write(const sweep *s, const sw_point *pt, const exec_result *r)
{
    char dir[4200];
    mc_list mc = {0};
    slo_list slos = {0};
    fd_list fd = {0};
    int mc_ok = r->nrec > 0 && modelcheck_run(r, &mc) == 0;
    int fd_ok = slo_evaluate(r, &slos) == 0 && fd_build(r, mc_ok ? &mc : NULL, &slos, &fd) == 0;
    results_meta meta = {.file = s->o.scenario, .effective_json = pt->effective,
                         .complete = pt->status == WORLD_DONE, .stop_reason = pt->stop_reason,
                         .requested = pt->sc.replications, .precision = s->o.precision,
                         .slos = fd_ok ? &slos : NULL, .findings = fd_ok ? &fd : NULL};
    snprintf(dir, sizeof dir, "%s/%s", s->out, pt->dir);
    int rc = results_write_dir(dir, r, mc_ok ? &mc : NULL, &meta);
    if (rc)
        fprintf(stderr, "relsim sweep: %s: %s\n", dir, strerror(errno));
    mc_list_free(&mc);
    slo_list_free(&slos);
    fd_list_free(&fd);
    return rc;
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
        point_write(s, pt, &r))
        s->write_failed = 1;
    exec_result_free(&r);
    return st;
}

/* Every point in order; stops at an interrupt (the finished ones are kept). */
static void points_run(sweep *s)
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

/* ---- differences from the baseline -------------------------------------------- */

/* Same entities in the same order: the pairing is column by column. */
static int comparable(const sw_point *a, const sw_point *b)
{
    if (!a->ran || !b->ran || a->ncols != b->ncols || a->sc.npools != b->sc.npools ||
        a->sc.nclients != b->sc.nclients)
        return 0;
    for (int p = 0; p < a->sc.npools; p++)
        if (a->sc.pools[p].has_calls != b->sc.pools[p].has_calls)
            return 0;
    return 1;
}

typedef struct {
    stat_summary paired; /* point - baseline over the common replications */
    double half;         /* unpaired (Welch) 95% half-width, same replications */
} sw_diff;

/* Welch's 95% half-width for two independent samples of N each. */
static double welch_half(stat_summary a, stat_summary b)
{
    if (a.n < 2 || b.n < 2 || !isfinite(a.sd) || !isfinite(b.sd))
        return NAN;
    double va = a.sd * a.sd / a.n, vb = b.sd * b.sd / b.n, v = va + vb;
    if (v <= 0)
        return 0;
    double df = v * v / (va * va / (a.n - 1) + vb * vb / (b.n - 1));
    return gsl_cdf_tdist_Pinv(0.975, df) * sqrt(v);
}

static sw_diff diff_col(const sw_point *base, const sw_point *pt, int col)
{
    int n = base->nrec < pt->nrec ? base->nrec : pt->nrec;
    const double *a = base->m + col, *b = pt->m + col;
    sw_diff d;
    d.paired = stat_paired(a, b, (size_t)pt->ncols, n);
    d.half = welch_half(stat_summarize(a, (size_t)pt->ncols, n), stat_summarize(b, (size_t)pt->ncols, n));
    return d;
}

static cJSON *num_or_null(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

static cJSON *diff_stat_json(sw_diff d, int unpaired)
{
    if (!unpaired)
        return results_stat_json(d.paired);
    cJSON *o = cJSON_CreateObject();
    double m = d.paired.mean, h = d.half;
    cJSON_AddItemToObject(o, "mean", num_or_null(m));
    cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
    cJSON_AddItemToArray(ci, num_or_null(m - h));
    cJSON_AddItemToArray(ci, num_or_null(m + h));
    cJSON_AddItemToObject(o, "half_width", num_or_null(h));
    cJSON_AddNumberToObject(o, "n", d.paired.n);
    return o;
}

static cJSON *diff_caller_json(const sw_point *b, const sw_point *pt, int c, int unpaired)
{
    cJSON *o = cJSON_CreateObject();
    for (int m = 0; m < CM_COUNT; m++)
        cJSON_AddItemToObject(o, cm_names[m], diff_stat_json(diff_col(b, pt, col_caller(pt, c, m)), unpaired));
    return o;
}

/* The "pools" or "clients" object of a difference, shaped as results.json's. */
static cJSON *diff_entities_json(const sw_point *b, const sw_point *pt, int is_pool, int unpaired)
{
    const scenario *sc = &pt->sc;
    cJSON *all = cJSON_CreateObject();
    if (!is_pool) {
        for (int c = 0; c < sc->nclients; c++)
            cJSON_AddItemToObject(all, sc->clients[c].name, diff_caller_json(b, pt, c, unpaired));
        return all;
    }
    for (int p = 0, k = sc->nclients; p < sc->npools; p++) {
        cJSON *o = cJSON_CreateObject();
        for (int m = 0; m < PM_COUNT; m++)
            cJSON_AddItemToObject(o, pm_names[m], diff_stat_json(diff_col(b, pt, col_pool(pt, p, m)), unpaired));
        if (sc->pools[p].has_calls)
            cJSON_AddItemToObject(o, "calls", diff_caller_json(b, pt, k++, unpaired));
        cJSON_AddItemToObject(all, sc->pools[p].name, o);
    }
    return all;
}

static cJSON *diff_json(const sw_point *b, const sw_point *pt, int unpaired)
{
    if (!comparable(b, pt))
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "pools", diff_entities_json(b, pt, 1, unpaired));
    cJSON_AddItemToObject(o, "clients", diff_entities_json(b, pt, 0, unpaired));
    return o;
}

/* ---- sweep.json ----------------------------------------------------------------- */

static int objective_col(const sweep *s, const sw_point *pt)
{
    return s->obj.is_pool ? col_pool(pt, s->obj.entity, s->obj.metric)
                          : col_caller(pt, s->obj.entity, s->obj.metric);
}

static stat_summary objective_stat(const sweep *s, const sw_point *pt)
{
    return stat_summarize(pt->m + objective_col(s, pt), (size_t)pt->ncols, pt->nrec);
}

static const sweep *rank_ctx; /* for qsort: the sweep being ranked */

/* Better objective first; undefined last; ties by grid order. */
static int cmp_rank(const void *x, const void *y)
{
    int i = *(const int *)x, j = *(const int *)y;
    double a = objective_stat(rank_ctx, &rank_ctx->pts[i]).mean;
    double b = objective_stat(rank_ctx, &rank_ctx->pts[j]).mean;
    if (isfinite(a) != isfinite(b))
        return isfinite(a) ? -1 : 1;
    if (isfinite(a) && a != b)
        return (rank_ctx->obj.maximize ? a > b : a < b) ? -1 : 1;
    return (i > j) - (i < j);
}

/* Indexes of the points with results, best first; *N gets their number. */
static int *ranking(const sweep *s, int *n)
{
    int *idx = malloc((size_t)s->npts * sizeof *idx);
    *n = 0;
    for (int i = 0; idx && i < s->npts; i++)
        if (s->pts[i].ran)
            idx[(*n)++] = i;
    rank_ctx = s;
    if (idx)
        qsort(idx, (size_t)*n, sizeof *idx, cmp_rank);
    return idx;
}

/* The point object; moves the point's statistics objects into it. */
static cJSON *point_json(const sweep *s, sw_point *pt, int i)
{
    const sw_point *b = &s->pts[s->baseline];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", i);
    cJSON_AddItemReferenceToObject(o, "values", pt->values);
    cJSON_AddStringToObject(o, "dir", pt->dir);
    cJSON_AddBoolToObject(o, "complete", pt->status == WORLD_DONE);
    if (pt->stop_reason)
        cJSON_AddStringToObject(o, "stop_reason", pt->stop_reason);
    cJSON_AddNumberToObject(o, "replications", pt->nrec);
    cJSON_AddItemToObject(o, "pools", pt->pools);
    cJSON_AddItemToObject(o, "clients", pt->clients);
    pt->pools = pt->clients = NULL;
    cJSON_AddItemToObject(o, "diff", diff_json(b, pt, 0));
    cJSON_AddItemToObject(o, "diff_unpaired_ci95", diff_json(b, pt, 1));
    return o;
}

static void add_head(const sweep *s, cJSON *o)
{
    const scenario *sc = &s->pts[0].sc;
    cJSON_AddStringToObject(o, "relsim_version", RELSIM_VERSION);
    cJSON_AddBoolToObject(o, "complete", !s->interrupted && !s->failed);
    if (s->interrupted)
        cJSON_AddStringToObject(o, "stop_reason", "interrupted");
    cJSON *scn = cJSON_AddObjectToObject(o, "scenario");
    cJSON_AddStringToObject(scn, "name", sc->name);
    cJSON_AddStringToObject(scn, "file", s->o.scenario);
    cJSON_AddStringToObject(scn, "description", sc->description ? sc->description : "");
    cJSON_AddNumberToObject(o, "seed", (double)sc->seed);
    cJSON_AddNumberToObject(o, "replications_requested", sc->replications);
    if (s->o.precision > 0)
        cJSON_AddNumberToObject(o, "precision", s->o.precision);
    cJSON_AddStringToObject(o, "common_random_numbers", "replication i of every point is seeded from (seed, i)");
}

static cJSON *axes_json(const sweep *s)
{
    cJSON *vary = cJSON_CreateArray();
    for (int a = 0; a < s->naxes; a++)
        cJSON_AddItemToArray(vary, cJSON_CreateString(s->axes[a].path));
    return vary;
}

static cJSON *objective_json(const sweep *s)
{
    cJSON *o = cJSON_CreateObject();
    const char *dot = strrchr(s->obj.label, '.');
    char ent[160];
    snprintf(ent, sizeof ent, "%.*s", (int)(dot - s->obj.label), s->obj.label);
    cJSON_AddStringToObject(o, "entity", ent);
    cJSON_AddStringToObject(o, "metric", dot + 1);
    cJSON_AddStringToObject(o, "goal", s->obj.maximize ? "max" : "min");
    return o;
}

static cJSON *perf_json(const sweep *s)
{
    double wall = 0, events = 0;
    for (int i = 0; i < s->npts; i++)
        wall += s->pts[i].wall, events += s->pts[i].events;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "events", events);
    cJSON_AddNumberToObject(o, "wall_seconds", wall);
    return o;
}

/* A point without a single finished replication (e.g. a runaway overload). */
static cJSON *failed_json(const sw_point *pt, int i)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", i);
    cJSON_AddItemReferenceToObject(o, "values", pt->values);
    cJSON_AddStringToObject(o, "dir", pt->dir);
    cJSON_AddStringToObject(o, "stop_reason", pt->stop_reason);
    return o;
}

/* The whole sweep.json; moves the points' statistics into it (call once). */
/* The points as app/sweep_recommend.h sees them (views, caller frees the array). */
static srec_point *srec_points(const sweep *s)
{
    srec_point *v = calloc(s->npts > 0 ? (size_t)s->npts : 1, sizeof *v);
    for (int i = 0; v && i < s->npts; i++) {
        const sw_point *pt = &s->pts[i];
        v[i] = (srec_point){.sc = &pt->sc, .m = pt->m, .nrec = pt->nrec, .ncols = pt->ncols,
                            .ran = pt->ran, .dir = pt->dir, .values = pt->values};
    }
    return v;
}

/* ---- --outcome: the share of replications where it holds ---------------------- */

static void outcome_point(const sweep *s, const sw_point *pt, int *k, int *n, double *lo, double *hi)
{
    sweep_outcome_count(&s->outc, pt->m, pt->nrec, pt->ncols, pt->sc.npools, k, n);
    sweep_outcome_ci(*k, *n, lo, hi);
}

static cJSON *outcome_json(const sweep *s)
{
    cJSON *o = cJSON_CreateObject(), *pts = cJSON_AddArrayToObject(o, "points");
    cJSON_AddStringToObject(o, "outcome", s->outc.label);
    cJSON_AddStringToObject(o, "interval", "Clopper-Pearson 95%");
    for (int i = 0; i < s->npts; i++) {
        const sw_point *pt = &s->pts[i];
        if (!pt->ran)
            continue;
        int k, n;
        double lo, hi;
        outcome_point(s, pt, &k, &n, &lo, &hi);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "dir", pt->dir);
        cJSON_AddItemToObject(e, "values", cJSON_Duplicate(pt->values, 1));
        cJSON_AddNumberToObject(e, "holds", k);
        cJSON_AddNumberToObject(e, "replications", n);
        cJSON_AddItemToObject(e, "fraction", num_or_null(n > 0 ? (double)k / n : NAN));
        cJSON_AddItemToObject(e, "lo", num_or_null(lo));
        cJSON_AddItemToObject(e, "hi", num_or_null(hi));
        cJSON_AddItemToArray(pts, e);
    }
    return o;
}

static void print_outcome(FILE *f, const sweep *s)
{
    fprintf(f, "\noutcome %s: share of replications where it holds (95%% Clopper-Pearson CI)\n",
            s->outc.label);
    for (int i = 0; i < s->npts; i++) {
        const sw_point *pt = &s->pts[i];
        if (!pt->ran)
            continue;
        int k, n;
        double lo, hi;
        outcome_point(s, pt, &k, &n, &lo, &hi);
        char *v = cJSON_PrintUnformatted(pt->values);
        fprintf(f, "  %s  %-40s  %4d/%-4d = %6.3f  [%.3f, %.3f]\n", pt->dir, v ? v : "", k, n,
                n > 0 ? (double)k / n : NAN, lo, hi);
        cJSON_free(v);
    }
}

static int outcome_setup(sweep *s)
{
    if (!s->o.outcome)
        return 0;
    if (sweep_outcome_parse(s->o.outcome, &s->pts[0].sc, &s->outc, stderr))
        return -1;
    s->has_outcome = 1;
    return 0;
}

static cJSON *sweep_json(sweep *s)
{
    cJSON *o = cJSON_CreateObject();
    add_head(s, o);
    cJSON_AddItemToObject(o, "vary", axes_json(s));
    cJSON_AddNumberToObject(o, "points_total", s->npts);
    cJSON_AddNumberToObject(o, "baseline", s->baseline);
    cJSON_AddItemToObject(o, "objective", objective_json(s));
    int n, *idx = ranking(s, &n);
    cJSON *rk = cJSON_AddArrayToObject(o, "ranking");
    for (int k = 0; idx && k < n; k++)
        cJSON_AddItemToArray(rk, cJSON_CreateNumber(idx[k]));
    free(idx);
    cJSON *pts = cJSON_AddArrayToObject(o, "points");
    for (int i = 0; i < s->npts; i++)
        if (s->pts[i].ran)
            cJSON_AddItemToArray(pts, point_json(s, &s->pts[i], i));
    cJSON *failed = cJSON_AddArrayToObject(o, "failed_points");
    for (int i = 0; i < s->npts; i++)
        if (!s->pts[i].ran && s->pts[i].stop_reason && s->pts[i].status != WORLD_INTERRUPTED)
            cJSON_AddItemToArray(failed, failed_json(&s->pts[i], i));
    cJSON_AddItemToObject(o, "perf", perf_json(s));
    srec_point *sp = srec_points(s);
    cJSON *rec = sp ? srec_json(sp, s->npts, s->baseline) : NULL;
    if (rec)
        cJSON_AddItemToObject(o, "recommendation", rec);
    free(sp);
    if (s->has_outcome)
        cJSON_AddItemToObject(o, "outcome", outcome_json(s));
    return o;
}

/* ---- sweep.csv ------------------------------------------------------------------- */


/* One CSV field: quoted when it holds a comma, quote or newline. */
static void csv_field(FILE *f, const char *t)
{
    if (!strpbrk(t, ",\"\n\r")) {
        fputs(t, f);
        return;
    }
    fputc('"', f);
    for (; *t; t++) {
        if (*t == '"')
            fputc('"', f);
        fputc(*t, f);
    }
    fputc('"', f);
}

static void csv_value(FILE *f, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        csv_field(f, v->valuestring);
        return;
    }
    char *t = v ? cJSON_PrintUnformatted(v) : NULL;
    csv_field(f, t ? t : "");
    cJSON_free(t);
}

static void csv_num(FILE *f, double v)
{
    char b[32];
    results_fmt(b, sizeof b, v);
    fprintf(f, ",%s", b);
}

/* The headline (is_pool, metric) pairs: the fixed ones plus the objective's. */
static int csv_metrics(const sweep *s, int *isp, int *met)
{
    int n = 0, have = 0;
    for (int m = 0; m < PM_COUNT; m++)
        if (pm_defs[m].flags & MF_SWEEP)
            isp[n] = 1, met[n] = m, have |= s->obj.is_pool && m == s->obj.metric, n++;
    for (int m = 0; m < CM_COUNT; m++)
        if (cm_defs[m].flags & MF_SWEEP)
            isp[n] = 0, met[n] = m, have |= !s->obj.is_pool && m == s->obj.metric, n++;
    if (!have)
        isp[n] = s->obj.is_pool, met[n] = s->obj.metric, n++;
    return n;
}

static void csv_header(FILE *f, const sweep *s, const int *isp, const int *met, int nm)
{
    const scenario *sc = &s->pts[0].sc;
    static const char *const suffix[] = {"mean", "ci95_low", "ci95_high", "diff_mean", "diff_low", "diff_high"};
    for (int a = 0; a < s->naxes; a++) {
        fputs(a ? "," : "", f);
        csv_field(f, s->axes[a].path);
    }
    for (int k = 0; k < nm; k++)
        for (int e = 0; e < (isp[k] ? sc->npools : sc->nclients); e++)
            for (int x = 0; x < 6; x++)
                fprintf(f, ",%s.%s.%s.%s", isp[k] ? "pool" : "client",
                        isp[k] ? sc->pools[e].name : sc->clients[e].name,
                        isp[k] ? pm_names[met[k]] : cm_names[met[k]], suffix[x]);
    fputc('\n', f);
}

static void csv_row(FILE *f, const sweep *s, const sw_point *pt, const int *isp, const int *met, int nm)
{
    const sw_point *b = &s->pts[s->baseline];
    int cmp = comparable(b, pt);
    for (int a = 0; a < s->naxes; a++) {
        fputs(a ? "," : "", f);
        csv_value(f, cJSON_GetObjectItemCaseSensitive(pt->values, s->axes[a].path));
    }
    for (int k = 0; k < nm; k++)
        for (int e = 0; e < (isp[k] ? s->pts[0].sc.npools : s->pts[0].sc.nclients); e++) {
            int col = isp[k] ? col_pool(pt, e, met[k]) : col_caller(pt, e, met[k]);
            stat_summary st = stat_summarize(pt->m + col, (size_t)pt->ncols, pt->nrec);
            stat_summary d = cmp ? diff_col(b, pt, col).paired : (stat_summary){NAN, NAN, NAN, NAN, 0};
            csv_num(f, st.mean), csv_num(f, st.lo), csv_num(f, st.hi);
            csv_num(f, d.mean), csv_num(f, d.lo), csv_num(f, d.hi);
        }
    fputc('\n', f);
}

static int write_csv(const sweep *s)
{
    char path[4200];
    int isp[PM_COUNT + CM_COUNT + 1], met[PM_COUNT + CM_COUNT + 1], nm = csv_metrics(s, isp, met);
    fs_atomic a;
    snprintf(path, sizeof path, "%s/sweep.csv", s->out);
    if (fs_open_atomic(&a, path))
        return -1;
    csv_header(a.f, s, isp, met, nm);
    for (int i = 0; i < s->npts; i++)
        if (s->pts[i].ran)
            csv_row(a.f, s, &s->pts[i], isp, met, nm);
    return fs_commit_atomic(&a);
}

static int write_json_file(const sweep *s, const char *text)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/sweep.json", s->out);
    size_t n = strlen(text);
    char *buf = malloc(n + 2);
    if (!buf)
        return -1;
    memcpy(buf, text, n);
    buf[n] = '\n';
    int rc = fs_write_atomic(path, buf, n + 1);
    free(buf);
    return rc;
}

/* ---- the table on stdout ----------------------------------------------------------- */

static void print_value_cells(FILE *f, const sweep *s, const sw_point *pt, const int *w)
{
    for (int a = 0; a < s->naxes; a++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(pt->values, s->axes[a].path);
        char *t = cJSON_IsString(v) ? NULL : cJSON_PrintUnformatted(v);
        fprintf(f, "  %-*s", w[a], cJSON_IsString(v) ? v->valuestring : t ? t : "?");
        cJSON_free(t);
    }
}

/* Width of axis A's column: its path or its longest printed value. */
static int value_width(const sweep *s, int a)
{
    int w = (int)strlen(s->axes[a].path);
    for (int i = 0; i < s->npts; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(s->pts[i].values, s->axes[a].path);
        char *t = cJSON_IsString(v) ? NULL : cJSON_PrintUnformatted(v);
        int n = (int)strlen(cJSON_IsString(v) ? v->valuestring : t ? t : "?");
        cJSON_free(t);
        w = n > w ? n : w;
    }
    return w;
}

static void print_row(FILE *f, const sweep *s, int rank, int i, const int *w)
{
    const sw_point *pt = &s->pts[i], *b = &s->pts[s->baseline];
    stat_summary st = objective_stat(s, pt);
    char ci[64] = "-", dm[32] = "-", dci[64] = "-", uh[32] = "-";
    char a[32], z[32];
    if (isfinite(st.lo)) {
        int k = nf_decimals((st.hi - st.lo) / 2, st.mean);
        snprintf(ci, sizeof ci, "[%s, %s]", nf_fixed(a, sizeof a, st.lo, k, 0),
                 nf_fixed(z, sizeof z, st.hi, k, 0));
    }
    if (comparable(b, pt) && i != s->baseline) {
        sw_diff d = diff_col(b, pt, objective_col(s, pt));
        int sig = isfinite(d.paired.lo) && (d.paired.lo > 0 || d.paired.hi < 0);
        /* differences at the resolution of the paired CI, capped by the metric's scale */
        double ph = isfinite(d.paired.lo) ? (d.paired.hi - d.paired.lo) / 2 : d.half;
        int k = nf_decimals(ph, st.mean);
        nf_fixed(dm, sizeof dm, d.paired.mean, k, 1);
        if (isfinite(d.paired.lo))
            snprintf(dci, sizeof dci, "[%s, %s]%s", nf_fixed(a, sizeof a, d.paired.lo, k, 1),
                     nf_fixed(z, sizeof z, d.paired.hi, k, 1), sig ? " *" : "");
        if (isfinite(d.half))
            snprintf(uh, sizeof uh, "+-%s", nf_fixed(a, sizeof a, d.half, nf_decimals(d.half, st.mean), 0));
    } else if (i == s->baseline) {
        snprintf(dm, sizeof dm, "(baseline)");
        dci[0] = uh[0] = '\0';
    }
    fprintf(f, "%4d  %-5s", rank, pt->dir);
    print_value_cells(f, s, pt, w);
    fprintf(f, "  %12.6g  %-26s  %-11s  %-26s  %s\n", st.mean, ci, dm, dci, uh);
}

static void print_table(FILE *f, const sweep *s)
{
    const sw_point *b = &s->pts[s->baseline];
    int n, *idx = ranking(s, &n), *w = calloc((size_t)s->naxes, sizeof *w);
    if (!idx || !w) {
        free(idx);
        free(w);
        return;
    }
    fprintf(f, "%s: %d of %d point%s, seed %llu, common random numbers%s\n", s->pts[0].sc.name, n,
            s->npts, s->npts == 1 ? "" : "s", (unsigned long long)s->pts[0].sc.seed,
            s->interrupted ? " (interrupted)" : "");
    fprintf(f, "objective: %s (%s is better); baseline %s; diff = point - baseline\n\n", s->obj.label,
            s->obj.maximize ? "higher" : "lower", b->dir);
    fprintf(f, "rank  point");
    for (int a = 0; a < s->naxes; a++) {
        w[a] = value_width(s, a);
        fprintf(f, "  %-*s", w[a], s->axes[a].path);
    }
    fprintf(f, "  %12s  %-26s  %-11s  %-26s  %s\n", "mean", "95% CI", "diff", "paired 95% CI", "unpaired");
    for (int k = 0; k < n; k++)
        print_row(f, s, k + 1, idx[k], w);
    free(idx);
    free(w);
    fprintf(f, "\n* the paired 95%% CI excludes 0: the difference from the baseline is real at 95%%.\n"
               "  \"unpaired\" is the half-width the same comparison would have without common\n"
               "  random numbers (Welch); the paired one is what pairing buys.\n");
}

/* ---- the command ---------------------------------------------------------------------- */

/* Write sweep.json and sweep.csv, print.  Rank 0 only.  Returns an exit code. */
static int emit(sweep *s)
{
    cJSON *j = sweep_json(s);
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    int rc = EXIT_OK;
    if (!text || fs_mkdirs(s->out) || write_json_file(s, text) || write_csv(s)) {
        fprintf(stderr, "relsim sweep: %s: %s\n", s->out, strerror(errno ? errno : ENOMEM));
        rc = EXIT_FAIL;
    }
    if (text && s->o.json)
        puts(text);
    else if (!s->o.quiet && !s->o.json) {
        print_table(stdout, s);
        if (s->has_outcome)
            print_outcome(stdout, s);
        srec_point *sp = srec_points(s);
        if (sp)
            srec_print(stdout, sp, s->npts, s->baseline);
        free(sp);
    }
    free(text);
    if (rc == EXIT_OK)
        rc = report_build(s->out, NULL, !s->o.no_plots && !runopts_stop, s->o.require_plots, stderr);
    if (rc == EXIT_OK && !s->o.quiet && !s->o.json)
        printf("\nwrote %s/ (sweep.json, sweep.csv, one folder per point); report: %s/report.html\n",
               s->out, s->out);
    return rc;
}

/* Options, base document, grid, baseline, objective.  0 or an exit code. */
static int setup(sweep *s, int argc, char **argv)
{
    int rc = runopts_parse(&s->o, argc, argv, 1);
    if (rc)
        return rc == 1 ? -1 : EXIT_USAGE;
    if (!(s->base = runopts_load(&s->o, stderr)) || axes_parse(s) || points_build(s) ||
        baseline_parse(s) || objective_parse(s) || outcome_setup(s))
        return EXIT_USAGE;
    if (s->o.out)
        snprintf(s->out, sizeof s->out, "%s", s->o.out);
    else
        runopts_default_out(s->out, sizeof s->out, s->pts[0].sc.name);
    return 0;
}

static void sweep_free(sweep *s)
{
    points_free(s->pts, s->npts);
    sweep_axes_free(s->axes, s->naxes);
    loader_close(s->base);
    runopts_free(&s->o);
}

int cmd_sweep(int argc, char **argv)
{
    sweep s;
    memset(&s, 0, sizeof s);
    int rc = setup(&s, argc, argv);
    if (rc) {
        sweep_free(&s);
        return rc < 0 ? EXIT_OK : rc;
    }
    runopts_signals();
    points_run(&s);
    rc = EXIT_OK;
    if (par_rank() == 0) {
        if (s.interrupted)
            fprintf(stderr, "relsim sweep: interrupted; finished points written to %s/\n", s.out);
        rc = emit(&s);
    }
    if (rc == EXIT_OK && (s.write_failed || s.failed))
        rc = EXIT_FAIL;
    if (s.interrupted)
        rc = EXIT_INTERRUPTED;
    sweep_free(&s);
    return rc;
}
