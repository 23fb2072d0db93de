/* sweep_read.c - a sweep.json read one point at a time (plots/sweep_read.h),
 * through plots/json_scan.h: cJSON parses each value the figures use (a
 * headline statistic, a point's index, dir and values, each top-level
 * member but "points" and "outcome"), the scanner passes over the rest. */
#include "plots/sweep_read.h"
#include "plots/json_scan.h"
#include "plots/plot_metrics.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the kept points ------------------------------------------------------------ */

/* One statistic of a point. */
typedef struct {
    unsigned char diff; /* 0 the value, 1 the paired difference */
    unsigned char kind; /* 0 pools, 1 clients, 2 either (an older diff.ENT.METRIC) */
    int ent;            /* into swr_points.names */
    const char *metric; /* the metric table's name (static) */
    rd_stat s;
} swr_cell;

typedef struct {
    double index;
    int has_index;      /* "index" is a number or null */
    char *dir;
    cJSON *values;
    swr_cell *cell;
    int ncell;
} swr_point;

struct swr_points {
    swr_point *pt;
    int n, cap;
    char **names;       /* entity names, each once */
    int nnames, names_cap;
    int *first[2];      /* the first point's pools, clients: into names */
    int nfirst[2];
};

static const char *const kinds[2] = {"pools", "clients"};

int swr_stat_json(const cJSON *node, rd_stat *s)
{
    const cJSON *mean = cJSON_GetObjectItemCaseSensitive(node, "mean");
    if (!cJSON_IsObject(node) || !(cJSON_IsNumber(mean) || cJSON_IsNull(mean)))
        return -1;
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(node, "ci95"), *lo = cJSON_GetArrayItem(ci, 0),
                *hi = cJSON_GetArrayItem(ci, 1), *sd = cJSON_GetObjectItemCaseSensitive(node, "stddev"),
                *n = cJSON_GetObjectItemCaseSensitive(node, "n");
    s->mean = cJSON_IsNumber(mean) ? mean->valuedouble : NAN;
    s->lo = cJSON_IsNumber(lo) ? lo->valuedouble : NAN;
    s->hi = cJSON_IsNumber(hi) ? hi->valuedouble : NAN;
    s->sd = cJSON_IsNumber(sd) ? sd->valuedouble : NAN;
    s->n = cJSON_IsNumber(n) ? n->valuedouble : NAN;
    return 0;
}

/* The metric table's name for NAME if it is a headline metric (kept), else NULL. */
static const char *kept_metric(const char *name)
{
    for (int i = 0; name && metric_at(i); i++)
        if (metric_at(i)->headline && !strcmp(metric_at(i)->name, name))
            return metric_at(i)->name;
    return NULL;
}

/* NAME's index in P->names (added if new); -1 on ENOMEM. */
static int name_id(swr_points *p, const char *name)
{
    for (int i = p->nnames - 1; i >= 0; i--)
        if (!strcmp(p->names[i], name))
            return i;
    if (p->nnames == p->names_cap) {
        int cap = p->names_cap ? 2 * p->names_cap : 16;
        char **v = realloc(p->names, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        p->names = v;
        p->names_cap = cap;
    }
    if (!(p->names[p->nnames] = strdup(name)))
        return -1;
    return p->nnames++;
}

static int add_cell(swr_points *p, swr_point *pt, swr_cell c, const char *ent)
{
    swr_cell *v = realloc(pt->cell, (size_t)(pt->ncell + 1) * sizeof *v);
    if (!v || (c.ent = name_id(p, ent)) < 0) {
        if (v)
            pt->cell = v;
        return -1;
    }
    pt->cell = v;
    pt->cell[pt->ncell++] = c;
    return 0;
}

void swr_free(swr_points *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n; i++) {
        free(p->pt[i].dir);
        cJSON_Delete(p->pt[i].values);
        free(p->pt[i].cell);
    }
    for (int i = 0; i < p->nnames; i++)
        free(p->names[i]);
    free(p->names);
    free(p->first[0]);
    free(p->first[1]);
    free(p->pt);
    free(p);
}

int swr_count(const swr_points *p) { return p ? p->n : 0; }

static const swr_point *point(const swr_points *p, int i) { return p && i >= 0 && i < p->n ? &p->pt[i] : NULL; }

double swr_index(const swr_points *p, int i, double dflt)
{
    const swr_point *pt = point(p, i);
    return pt && pt->has_index ? pt->index : dflt;
}

const char *swr_dir(const swr_points *p, int i) { return point(p, i) ? point(p, i)->dir : NULL; }
const cJSON *swr_values(const swr_points *p, int i) { return point(p, i) ? point(p, i)->values : NULL; }

const char *swr_entity(const swr_points *p, const char *kind, int e)
{
    int k = !strcmp(kind, kinds[1]);
    if (!p || (!k && strcmp(kind, kinds[0])) || e < 0 || e >= p->nfirst[k])
        return NULL;
    return p->names[p->first[k][e]];
}

/* The cell of point PT, or NULL. */
static const swr_cell *find(const swr_points *p, const swr_point *pt, int diff, int kind, const char *ent,
                            const char *metric)
{
    for (int i = 0; i < pt->ncell; i++) {
        const swr_cell *c = &pt->cell[i];
        if (c->diff == diff && c->kind == kind && !strcmp(c->metric, metric) && !strcmp(p->names[c->ent], ent))
            return c;
    }
    return NULL;
}

int swr_stat(const swr_points *p, int i, int diff, const char *kind, const char *ent, const char *metric,
             rd_stat *s)
{
    const swr_point *pt = point(p, i);
    int k = !strcmp(kind, kinds[1]);
    if (!pt || !ent || !metric || (!k && strcmp(kind, kinds[0])))
        return -1;
    const swr_cell *c = find(p, pt, diff, k, ent, metric);
    if (!c && diff)
        c = find(p, pt, 1, 2, ent, metric);
    if (!c)
        return -1;
    *s = c->s;
    return 0;
}

/* ---- reading: what is taken, what is skipped ----------------------------------- */

/* Where the reader is inside a point. */
typedef struct {
    swr_points *p;
    swr_point *pt;
    int diff, kind;     /* in "pools" / "clients" / "diff" ... */
    const char *ent;    /* in this entity's object */
    int seen;           /* the point's members read (bits): a repeated key is skipped */
} swr_at;

/* Member METRIC of entity object: a headline statistic is kept. */
static int on_metric(js_scan *s, void *ctx, const char *metric)
{
    swr_at *at = ctx;
    swr_cell c = {.diff = (unsigned char)at->diff, .kind = (unsigned char)at->kind, .metric = kept_metric(metric)};
    if (!c.metric)
        return js_skip(s);
    cJSON *v = js_take(s);
    if (!v)
        return -1;
    int rc = 0;
    if (swr_stat_json(v, &c.s) == 0 && add_cell(at->p, at->pt, c, at->ent))
        rc = js_fail(s); /* out of memory */
    cJSON_Delete(v);
    return rc;
}

/* Member ENT of "pools" / "clients" (or of an older "diff"). */
static int on_entity(js_scan *s, void *ctx, const char *ent)
{
    swr_at *at = ctx;
    swr_points *p = at->p;
    if (p->n == 1 && !at->diff) { /* the first point's entities name the figures' lines */
        int *v = realloc(p->first[at->kind], (size_t)(p->nfirst[at->kind] + 1) * sizeof *v);
        if (!v)
            return js_fail(s);
        p->first[at->kind] = v;
        if ((v[p->nfirst[at->kind]++] = name_id(p, ent)) < 0)
            return js_fail(s);
    }
    if (js_peek(s) != '{')
        return js_skip(s);
    swr_at in = *at;
    in.ent = ent;
    return js_each_member(s, on_metric, &in);
}

/* Member of "diff": "pools" / "clients", or an older file's entity. */
static int on_diff(js_scan *s, void *ctx, const char *key)
{
    swr_at in = *(swr_at *)ctx;
    int k = !strcmp(key, kinds[0]) ? 0 : !strcmp(key, kinds[1]) ? 1 : 2;
    in.diff = 1;
    in.kind = k;
    if (k == 2)
        return on_entity(s, &in, key);
    return js_peek(s) == '{' ? js_each_member(s, on_entity, &in) : js_skip(s);
}

/* A member of a point object; the others (every metric that is not a
 * headline one, "diff_unpaired_ci95", ...) are skipped unparsed. */
static int on_point_member(js_scan *s, void *ctx, const char *key)
{
    static const char *const taken[] = {"index", "dir", "values", "pools", "clients", "diff"};
    swr_at *at = ctx;
    int k = 0;
    while (k < 6 && strcmp(key, taken[k]))
        k++;
    if (k == 6 || (at->seen & 1 << k)) /* cJSON's lookup finds the first of two equal keys */
        return js_skip(s);
    at->seen |= 1 << k;
    if (k >= 3) { /* pools, clients, diff */
        swr_at in = *at;
        in.kind = k == 4;
        if (js_peek(s) != '{')
            return js_skip(s);
        return js_each_member(s, k == 5 ? on_diff : on_entity, &in);
    }
    cJSON *v = js_take(s);
    if (!v)
        return -1;
    swr_point *pt = at->pt;
    if (k == 0) {
        pt->has_index = cJSON_IsNumber(v) || cJSON_IsNull(v);
        pt->index = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    } else if (k == 1 && cJSON_IsString(v) && !(pt->dir = strdup(v->valuestring))) {
        cJSON_Delete(v);
        return js_fail(s);
    }
    if (k == 2)
        pt->values = v;
    else
        cJSON_Delete(v);
    return 0;
}

/* An element of "points". */
static int on_point(js_scan *s, void *ctx)
{
    swr_points *p = ctx;
    if (p->n == p->cap) {
        int cap = p->cap ? 2 * p->cap : 64;
        swr_point *v = realloc(p->pt, (size_t)cap * sizeof *v);
        if (!v)
            return js_fail(s);
        p->pt = v;
        p->cap = cap;
    }
    swr_at at = {.p = p, .pt = &p->pt[p->n++]};
    memset(at.pt, 0, sizeof *at.pt);
    return js_peek(s) == '{' ? js_each_member(s, on_point_member, &at) : js_skip(s);
}

/* An element of "objectives": per point, what the ranks table shows. */
static int on_objective(js_scan *s, void *ctx)
{
    static const char *const keep[] = {"index", "confident_rank", "vs_baseline"};
    cJSON *el = js_take(s), *pt;
    if (!el)
        return -1;
    cJSON_ArrayForEach(pt, cJSON_GetObjectItemCaseSensitive(el, "points")) {
        for (cJSON *m = pt->child, *nx; m; m = nx) {
            nx = m->next;
            int k = 0;
            while (k < 3 && (!m->string || strcmp(m->string, keep[k])))
                k++;
            if (k == 3)
                cJSON_Delete(cJSON_DetachItemViaPointer(pt, m));
        }
    }
    cJSON_AddItemToArray(ctx, el);
    return 0;
}

typedef struct {
    cJSON *rest;
    swr_points *p;
    int had_points;
} swr_top;

/* A member of the top-level object. */
static int on_top(js_scan *s, void *ctx, const char *key)
{
    swr_top *t = ctx;
    if (!strcmp(key, "points") && !t->had_points && js_peek(s) == '[') {
        t->had_points = 1;
        return js_each_element(s, on_point, t->p);
    }
    if (!strcmp(key, "outcome")) /* no figure shows it */
        return js_skip(s);
    if (!strcmp(key, "objectives") && js_peek(s) == '[') {
        cJSON *arr = cJSON_CreateArray();
        if (!arr || !cJSON_AddItemToObject(t->rest, key, arr))
            return cJSON_Delete(arr), js_fail(s);
        return js_each_element(s, on_objective, arr);
    }
    cJSON *v = js_take(s);
    if (!v)
        return -1;
    if (!cJSON_AddItemToObject(t->rest, key, v))
        return cJSON_Delete(v), js_fail(s);
    return 0;
}

int swr_open(const char *path, cJSON **rest, swr_points **pts, char *err, size_t n)
{
    *rest = NULL;
    *pts = NULL;
    js_scan *s = js_open(path);
    swr_points *p = s ? calloc(1, sizeof *p) : NULL;
    if (!p) {
        int e = s ? ENOMEM : errno;
        js_close(s);
        if (e == ENOENT)
            return 1;
        snprintf(err, n, "%s: %s", path, strerror(e));
        return -1;
    }
    swr_top t = {.p = p};
    int rc;
    if (js_peek(s) != '{') /* not a sweep: kept whole */
        rc = (*rest = js_take(s)) ? 0 : -1;
    else
        rc = !(t.rest = *rest = cJSON_CreateObject()) ? js_fail(s) : js_each_member(s, on_top, &t);
    if (rc == 0)
        rc = js_end(s);
    if (rc) {
        js_error(s, path, err, n);
        cJSON_Delete(*rest);
        *rest = NULL;
        swr_free(p);
    } else {
        *pts = p;
    }
    js_close(s);
    return rc ? -1 : 0;
}
