/* sweep_read.c - a sweep.json read one point at a time (plots/sweep_read.h).
 *
 * The scanner below does not parse JSON: it only finds where a value ends
 * (brackets counted outside strings) so that cJSON parses one member or one
 * array element at a time; cJSON still checks every byte.  The file is read
 * through a 64 kB window and the value being cut out is the only other
 * buffer, so memory follows the largest point (about 28 kB), not the file.
 */
#include "plots/sweep_read.h"
#include "plots/plot_metrics.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SWR_WINDOW 65536
#define SWR_VALUE_MAX ((size_t)512 << 20) /* as plot_data.c's limit for a whole document */

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

/* The headline statistics of every entity of the object ENTS (name: {metric: stat}). */
static int add_entities(swr_points *p, swr_point *pt, const cJSON *ents, int diff, int kind)
{
    const cJSON *e, *m;
    cJSON_ArrayForEach(e, ents) {
        if (!cJSON_IsObject(ents) || !e->string)
            break;
        cJSON_ArrayForEach(m, e) {
            swr_cell c = {.diff = (unsigned char)diff, .kind = (unsigned char)kind, .metric = kept_metric(m->string)};
            if (c.metric && swr_stat_json(m, &c.s) == 0 && add_cell(p, pt, c, e->string))
                return -1;
        }
    }
    return 0;
}

/* The first point's entities of each kind, in file order. */
static int keep_first(swr_points *p, const cJSON *item)
{
    for (int k = 0; k < 2; k++) {
        const cJSON *ents = cJSON_GetObjectItemCaseSensitive(item, kinds[k]), *e;
        int n = cJSON_IsObject(ents) ? cJSON_GetArraySize(ents) : 0;
        if (!(p->first[k] = calloc((size_t)n + 1, sizeof *p->first[k])))
            return -1;
        cJSON_ArrayForEach(e, ents) {
            if (!cJSON_IsObject(ents) || (p->first[k][p->nfirst[k]++] = name_id(p, e->string)) < 0)
                return -1;
        }
    }
    return 0;
}

/* Keep what the figures use of the point object ITEM. */
static int add_point(swr_points *p, cJSON *item)
{
    if (p->n == p->cap) {
        int cap = p->cap ? 2 * p->cap : 64;
        swr_point *v = realloc(p->pt, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        p->pt = v;
        p->cap = cap;
    }
    if (p->n == 0 && keep_first(p, item))
        return -1;
    swr_point *pt = &p->pt[p->n++];
    memset(pt, 0, sizeof *pt);
    const cJSON *idx = cJSON_GetObjectItemCaseSensitive(item, "index"),
                *dir = cJSON_GetObjectItemCaseSensitive(item, "dir"),
                *diff = cJSON_GetObjectItemCaseSensitive(item, "diff");
    pt->has_index = cJSON_IsNumber(idx) || cJSON_IsNull(idx);
    pt->index = cJSON_IsNumber(idx) ? idx->valuedouble : NAN;
    if (cJSON_IsString(dir) && !(pt->dir = strdup(dir->valuestring)))
        return -1;
    pt->values = cJSON_DetachItemFromObjectCaseSensitive(item, "values");
    for (int k = 0; k < 2; k++)
        if (add_entities(p, pt, cJSON_GetObjectItemCaseSensitive(item, kinds[k]), 0, k) ||
            add_entities(p, pt, cJSON_GetObjectItemCaseSensitive(diff, kinds[k]), 1, k))
            return -1;
    return add_entities(p, pt, diff, 1, 2); /* an older file's diff.ENT.METRIC */
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

/* ---- the scanner ---------------------------------------------------------------- */

typedef struct {
    FILE *f;
    char win[SWR_WINDOW];
    size_t len, at;     /* bytes in win, next one */
    long long base;     /* file offset of win[0] */
    char *val;          /* the value cut out */
    size_t nval, valcap;
    long long bad;      /* offset of the first error, or -1 */
} swr_scan;

static int peek(swr_scan *s)
{
    if (s->at == s->len) {
        s->base += (long long)s->len;
        s->len = fread(s->win, 1, sizeof s->win, s->f);
        s->at = 0;
    }
    return s->at < s->len ? (unsigned char)s->win[s->at] : EOF;
}

static int next(swr_scan *s)
{
    int c = peek(s);
    if (c != EOF)
        s->at++;
    return c;
}

static long long offset(const swr_scan *s) { return s->base + (long long)s->at; }

static int fail(swr_scan *s, long long at)
{
    if (s->bad < 0)
        s->bad = at;
    return -1;
}

static int skip_ws(swr_scan *s)
{
    int c;
    while ((c = peek(s)) == ' ' || c == '\t' || c == '\n' || c == '\r')
        s->at++;
    return c;
}

/* Expect character WANT after white space. */
static int expect(swr_scan *s, int want)
{
    if (skip_ws(s) != want)
        return fail(s, offset(s));
    next(s);
    return 0;
}

static int put(swr_scan *s, int c)
{
    if (s->nval + 1 >= s->valcap) {
        size_t cap = s->valcap ? 2 * s->valcap : 4096;
        char *v = cap <= SWR_VALUE_MAX ? realloc(s->val, cap) : NULL;
        if (!v)
            return -1;
        s->val = v;
        s->valcap = cap;
    }
    s->val[s->nval++] = (char)c;
    return 0;
}

/* Cut out the next value (after white space) into s->val: to its matching
 * bracket, its closing quote, the end of a bare word or of the file.  0, or
 * -1 at the end of the file or out of memory. */
static int cut(swr_scan *s)
{
    int c = skip_ws(s), depth = 0, str = 0, esc = 0;
    s->nval = 0;
    if (c == EOF)
        return fail(s, offset(s));
    do {
        if (!str && depth == 0 && s->nval > 0 && c != '"' && strchr(",:]} \t\r\n", c))
            break; /* the end of a bare word */
        if (put(s, next(s)))
            return fail(s, offset(s));
        if (str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                str = 0;
        } else if (c == '"')
            str = 1;
        else if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']')
            depth--;
        if (!str && depth <= 0 && (c == '"' || c == '}' || c == ']'))
            break;
    } while ((c = peek(s)) != EOF);
    return 0; /* cut short by the end of the file: cJSON says where it fails */
}

/* Cut out and parse the next value.  NULL after fail(). */
static cJSON *take(swr_scan *s)
{
    long long start;
    skip_ws(s);
    start = offset(s);
    if (cut(s) || put(s, '\0'))
        return NULL;
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(s->val, s->nval, &end, 1);
    if (!v)
        fail(s, start + (end ? (long long)(end - s->val) : 0));
    return v;
}

/* Call EACH on every element of the array that comes next.  0 or -1. */
static int each_element(swr_scan *s, int (*each)(void *ctx, cJSON *el), void *ctx)
{
    if (expect(s, '['))
        return -1;
    if (skip_ws(s) == ']')
        return next(s), 0;
    for (;;) {
        cJSON *el = take(s);
        if (!el || each(ctx, el))
            return el ? fail(s, offset(s)) : -1;
        int c = skip_ws(s);
        if (c != ',' && c != ']')
            return fail(s, offset(s));
        next(s);
        if (c == ']')
            return 0;
    }
}

static int each_point(void *ctx, cJSON *el)
{
    int rc = add_point(ctx, el);
    cJSON_Delete(el);
    return rc;
}

/* An objective keeps, per point, what the ranks table shows. */
static int each_objective(void *ctx, cJSON *el)
{
    static const char *const keep[] = {"index", "confident_rank", "vs_baseline"};
    cJSON *pt;
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

/* Member KEY of the top-level object into REST or P.  0 or -1. */
static int member(swr_scan *s, const char *key, cJSON *rest, swr_points *p, int *had_points)
{
    if (!strcmp(key, "points") && !*had_points && skip_ws(s) == '[') {
        *had_points = 1;
        return each_element(s, each_point, p);
    }
    if (!strcmp(key, "objectives") && skip_ws(s) == '[') {
        cJSON *arr = cJSON_CreateArray();
        if (!arr || !cJSON_AddItemToObject(rest, key, arr))
            return cJSON_Delete(arr), fail(s, offset(s));
        return each_element(s, each_objective, arr);
    }
    cJSON *v = take(s);
    if (!v)
        return -1;
    if (!strcmp(key, "outcome")) /* no figure shows it */
        cJSON_Delete(v);
    else if (!cJSON_AddItemToObject(rest, key, v))
        return cJSON_Delete(v), fail(s, offset(s));
    return 0;
}

/* The top-level object's members.  *REST gets them.  0 or -1. */
static int top(swr_scan *s, cJSON **rest, swr_points *p)
{
    int had_points = 0;
    if (skip_ws(s) != '{')
        return (*rest = take(s)) ? 0 : -1; /* not a sweep: kept whole */
    next(s);
    if (!(*rest = cJSON_CreateObject()))
        return fail(s, offset(s));
    if (skip_ws(s) == '}')
        return next(s), 0;
    for (;;) {
        cJSON *key = take(s);
        int rc = !cJSON_IsString(key) || expect(s, ':') || member(s, key->valuestring, *rest, p, &had_points);
        cJSON_Delete(key);
        if (rc)
            return fail(s, offset(s));
        int c = skip_ws(s);
        if (c != ',' && c != '}')
            return fail(s, offset(s));
        next(s);
        if (c == '}')
            return 0;
    }
}

/* "PATH:LINE:COL: not valid JSON" for byte offset AT of the file. */
static void where(FILE *f, const char *path, long long at, char *err, size_t n)
{
    int line = 1, col = 1, c;
    rewind(f);
    for (long long i = 0; i < at && (c = getc(f)) != EOF; i++)
        if (c == '\n')
            line++, col = 1;
        else
            col++;
    snprintf(err, n, "%s:%d:%d: not valid JSON", path, line, col);
}

int swr_open(const char *path, cJSON **rest, swr_points **pts, char *err, size_t n)
{
    *rest = NULL;
    *pts = NULL;
    swr_scan *s = calloc(1, sizeof *s);
    swr_points *p = calloc(1, sizeof *p);
    if (!s || !p || !(s->f = fopen(path, "rb"))) {
        int e = s && p ? errno : ENOMEM;
        free(s);
        free(p);
        if (e == ENOENT)
            return 1;
        snprintf(err, n, "%s: %s", path, strerror(e));
        return -1;
    }
    s->bad = -1;
    int rc = top(s, rest, p);
    if (rc == 0 && skip_ws(s) != EOF)
        rc = fail(s, offset(s));
    if (ferror(s->f)) {
        snprintf(err, n, "%s: %s", path, strerror(EIO));
        rc = -1;
    } else if (rc) {
        where(s->f, path, s->bad < 0 ? offset(s) : s->bad, err, n);
    }
    fclose(s->f);
    free(s->val);
    free(s);
    if (rc) {
        cJSON_Delete(*rest);
        *rest = NULL;
        swr_free(p);
        return -1;
    }
    *pts = p;
    return 0;
}
