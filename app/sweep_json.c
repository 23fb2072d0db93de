/* sweep_json.c - the sweep.json document (app/sweep_json.h). */
#include "app/sweep_json.h"
#include "app/cmd.h"
#include "app/results.h"
#include "app/sweep_rank.h"
#include "app/sweep_spill.h"
#include "app/sweep_stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
        cJSON_AddItemToObject(o, cm_names[m], diff_stat_json(swstat_diff(b, pt, sweep_col_caller(pt, c, m)), unpaired));
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
            cJSON_AddItemToObject(o, pm_names[m], diff_stat_json(swstat_diff(b, pt, sweep_col_pool(pt, p, m)), unpaired));
        if (sc->pools[p].has_calls)
            cJSON_AddItemToObject(o, "calls", diff_caller_json(b, pt, k++, unpaired));
        cJSON_AddItemToObject(all, sc->pools[p].name, o);
    }
    return all;
}

static cJSON *diff_json(const sw_point *b, const sw_point *pt, int unpaired)
{
    if (!swstat_comparable(b, pt))
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "pools", diff_entities_json(b, pt, 1, unpaired));
    cJSON_AddItemToObject(o, "clients", diff_entities_json(b, pt, 0, unpaired));
    return o;
}

/* The point object. */
static cJSON *point_json(const sweep *s, const sw_point *pt, int i)
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
    cJSON_AddItemToObject(o, "pools", results_entities_from(&pt->sc, pt->col, pt->nrec, 1));
    cJSON_AddItemToObject(o, "clients", results_entities_from(&pt->sc, pt->col, pt->nrec, 0));
    cJSON_AddItemToObject(o, "diff", diff_json(b, pt, 0));
    cJSON_AddItemToObject(o, "diff_unpaired_ci95", diff_json(b, pt, 1));
    return o;
}

static void add_head(const sweep *s, cJSON *o)
{
    const scenario *sc = &s->pts[0].sc;
    cJSON_AddStringToObject(o, "relsim_version", RELSIM_VERSION);
    cJSON_AddBoolToObject(o, "complete", !s->interrupted && !s->failed && !s->write_failed);
    if (s->interrupted)
        cJSON_AddStringToObject(o, "stop_reason", "interrupted");
    else if (s->write_failed)
        cJSON_AddStringToObject(o, "stop_reason", SW_WRITE_FAILED);
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

static cJSON *objective_of(const sw_objective *ob)
{
    cJSON *o = cJSON_CreateObject();
    const char *dot = strrchr(ob->label, '.');
    char ent[160];
    snprintf(ent, sizeof ent, "%.*s", (int)(dot - ob->label), ob->label);
    cJSON_AddStringToObject(o, "entity", ent);
    cJSON_AddStringToObject(o, "metric", dot + 1);
    cJSON_AddStringToObject(o, "goal", ob->maximize ? "max" : "min");
    return o;
}

static cJSON *objective_json(const sweep *s) { return objective_of(&s->obj); }

/* Point I on objective OB, ranked RANK by the mean. */
static cJSON *objective_point_json(const sweep *s, const sw_objective *ob, int i, int rank)
{
    static const char *const verdict[] = {[SW_NA] = NULL, [SW_BASE] = "baseline", [SW_SAME] = "not significant",
                                          [SW_BETTER] = "better", [SW_WORSE] = "worse"};
    const sw_point *pt = &s->pts[i], *b = &s->pts[s->baseline];
    int col = swstat_metric_col(ob, pt), confident = s->npts <= SW_CONFIDENT_MAX;
    stat_summary st = swstat_col(pt, col);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", i);
    cJSON_AddStringToObject(o, "dir", pt->dir);
    cJSON_AddNumberToObject(o, "rank", rank);
    cJSON_AddItemToObject(o, "confident_rank", confident ? cJSON_CreateNumber(swrank_confident(s, ob, i)) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "mean", num_or_null(st.mean));
    cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
    cJSON_AddItemToArray(ci, num_or_null(st.lo));
    cJSON_AddItemToArray(ci, num_or_null(st.hi));
    cJSON_AddItemToObject(o, "diff", swstat_comparable(b, pt) ? results_stat_json(swstat_diff(b, pt, col).paired)
                                                             : cJSON_CreateNull());
    const char *v = verdict[swrank_verdict(s, ob, i)];
    cJSON_AddItemToObject(o, "vs_baseline", v ? cJSON_CreateString(v) : cJSON_CreateNull());
    cJSON *by = confident ? cJSON_AddArrayToObject(o, "beaten_by") : (cJSON_AddNullToObject(o, "beaten_by"), NULL);
    for (int j = 0; by && j < s->npts; j++)
        if (swrank_beats(s, ob, j, i))
            cJSON_AddItemToArray(by, cJSON_CreateNumber(j));
    return o;
}

/* "objectives": every --objective with its ranking and, per point, the
 * confident rank and the verdict against the baseline. */
static cJSON *objectives_json(const sweep *s)
{
    cJSON *arr = cJSON_CreateArray();
    for (int k = 0; arr && k < s->nobjs; k++) {
        const sw_objective *ob = &s->objs[k];
        cJSON *o = objective_of(ob);
        int n, *idx = swrank_order_by(s, ob, &n);
        cJSON *rk = cJSON_AddArrayToObject(o, "ranking"), *pts = cJSON_AddArrayToObject(o, "points");
        for (int r = 0; idx && r < n; r++) {
            cJSON_AddItemToArray(rk, cJSON_CreateNumber(idx[r]));
            cJSON_AddItemToArray(pts, objective_point_json(s, ob, idx[r], r + 1));
        }
        free(idx);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

/* "front": the points no other beats with confidence on one objective and
 * loses to on none (null over SW_CONFIDENT_MAX points). */
static cJSON *front_json(const sweep *s)
{
    if (s->npts > SW_CONFIDENT_MAX)
        return cJSON_CreateNull();
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; arr && i < s->npts; i++)
        if (swrank_front(s, i))
            cJSON_AddItemToArray(arr, cJSON_CreateNumber(i));
    return arr;
}

static cJSON *perf_json(const sweep *s)
{
    double events = 0;
    for (int i = 0; i < s->npts; i++)
        events += s->pts[i].events;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "events", events);
    cJSON_AddNumberToObject(o, "wall_seconds", s->wall);
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
        swstat_outcome(s, pt, &k, &n, &lo, &hi);
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

/* The document with "points": [] (streamed in by swjson_write). */
static cJSON *head_json(const sweep *s)
{
    cJSON *o = cJSON_CreateObject();
    add_head(s, o);
    cJSON_AddItemToObject(o, "vary", axes_json(s));
    if (s->vars.n > 0)
        cJSON_AddItemToObject(o, "variants", sweep_variants_json(&s->vars));
    cJSON_AddNumberToObject(o, "points_total", s->npts);
    cJSON_AddNumberToObject(o, "baseline", s->baseline);
    cJSON_AddItemToObject(o, "objective", objective_json(s));
    cJSON_AddItemToObject(o, "objectives", objectives_json(s));
    cJSON_AddItemToObject(o, "front", front_json(s));
    int n, *idx = swrank_order(s, &n);
    cJSON *rk = cJSON_AddArrayToObject(o, "ranking");
    for (int k = 0; idx && k < n; k++)
        cJSON_AddItemToArray(rk, cJSON_CreateNumber(idx[k]));
    free(idx);
    cJSON_AddArrayToObject(o, "points");
    cJSON *failed = cJSON_AddArrayToObject(o, "failed_points");
    for (int i = 0; i < s->npts; i++)
        if (s->pts[i].unwritten ||
            (!s->pts[i].ran && s->pts[i].stop_reason && s->pts[i].status != WORLD_INTERRUPTED))
            cJSON_AddItemToArray(failed, failed_json(&s->pts[i], i));
    cJSON_AddItemToObject(o, "perf", perf_json(s));
    srec_point *sp = swstat_srec_points(s);
    cJSON *rec = sp ? srec_json(sp, s->npts, s->baseline) : NULL;
    if (rec)
        cJSON_AddItemToObject(o, "recommendation", rec);
    free(sp);
    if (s->has_outcome)
        cJSON_AddItemToObject(o, "outcome", outcome_json(s));
    return o;
}

/* TEXT (one JSON value, printed at the top level) as if printed inside the
 * top-level "points" array: cJSON indents with one tab per level, and a
 * string never holds a raw newline.  NULL on ENOMEM; frees TEXT. */
static char *nested(char *text)
{
    size_t lines = 0, n = 0;
    for (const char *c = text; c && *c; c++, n++)
        lines += *c == '\n';
    char *out = text ? malloc(n + 2 * lines + 1) : NULL, *o = out;
    for (const char *c = text; out && *c; c++) {
        *o++ = *c;
        if (*c == '\n')
            *o++ = '\t', *o++ = '\t';
    }
    if (out)
        *o = '\0';
    free(text);
    return out;
}

char *swjson_point_text(const sweep *s, int i)
{
    cJSON *p = point_json(s, &s->pts[i], i);
    char *text = p ? cJSON_Print(p) : NULL;
    cJSON_Delete(p);
    return nested(text);
}

/* The points, in grid order, from the spill (app/sweep_spill.h). */
static int put_points(FILE *f, const sweep *s)
{
    int first = 1;
    for (int i = 0; i < s->npts; i++) {
        const sw_point *pt = &s->pts[i];
        if (!pt->ran || !pt->json_len)
            continue; /* a point without results or folder, or one whose text was lost */
        fputs(first ? "" : ", ", f);
        if (swspill_copy(s, pt, 0, f))
            return -1;
        first = 0;
    }
    return 0;
}

int swjson_write(FILE *f, const sweep *s)
{
    static const char mark[] = "\n\t\"points\":\t[]";
    cJSON *o = head_json(s);
    char *text = o ? cJSON_Print(o) : NULL;
    cJSON_Delete(o);
    char *at = text ? strstr(text, mark) : NULL;
    int rc = -1;
    if (at) {
        size_t open = (size_t)(at - text) + sizeof mark - 2; /* up to the '[' */
        fwrite(text, 1, open, f);
        rc = put_points(f, s);
        fputs(text + open, f);
        fputc('\n', f);
    }
    free(text);
    if (rc == 0 && ferror(f))
        rc = -1;
    if (rc && !errno)
        errno = ENOMEM;
    return rc;
}
