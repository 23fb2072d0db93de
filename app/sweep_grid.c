/* sweep_grid.c - the grid's points and the baseline (app/sweep_grid.h). */
#include "app/sweep_grid.h"
#include "app/workest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define usage(arg, fmt, detail) sweep_usage("--vary", arg, fmt, detail)

/* The variants (--variants FILE, --variant ...) as axis 0, path "variant". */
static int variant_axis(sweep *s, sw_axis *ax)
{
    if (sweep_variants_parse(&s->vars, s->o.variants_file, s->o.variants, s->o.nvariants, stderr))
        return -1;
    if (s->vars.n > SW_MAX_POINTS)
        return sweep_usage("--variant", NULL, "more than 10000 variants", NULL);
    ax->opt = "--variant";
    ax->variant = 1;
    if (!(ax->path = strdup("variant")) || !(ax->vals = calloc((size_t)s->vars.n, sizeof *ax->vals)))
        return usage(NULL, "out of memory", NULL);
    for (; ax->n < s->vars.n; ax->n++)
        if (!(ax->vals[ax->n] = strdup(s->vars.v[ax->n].name)))
            return usage(NULL, "out of memory", NULL);
    return 0;
}

/* A --vary is applied after the variant: it must not overwrite what one sets. */
static int vary_vs_variants(const sweep *s, const sw_axis *ax)
{
    for (int v = 0; v < s->vars.n; v++) {
        int k = sweep_variant_overwritten(&s->vars.v[v], ax->path);
        if (k >= 0) {
            fprintf(stderr, "relsim sweep: --vary %s: it would overwrite %s, set by variant %s; vary a "
                            "key inside it, or make more variants\n", ax->arg, s->vars.v[v].assign[k],
                    s->vars.v[v].name);
            return -1;
        }
    }
    return 0;
}

int swgrid_axes(sweep *s)
{
    long total = 1;
    int nv = s->o.variants_file || s->o.nvariants > 0;
    s->axes = calloc((size_t)(s->o.nvaries + nv), sizeof *s->axes);
    if (!s->axes)
        return usage(NULL, "out of memory", NULL);
    if (nv) {
        s->naxes = 1;
        if (variant_axis(s, &s->axes[0]))
            return -1;
        total = s->axes[0].n;
    }
    for (int i = nv; i < s->o.nvaries + nv; i++) {
        const char *arg = s->o.varies[i - nv];
        s->naxes = i + 1;
        if (sweep_axis_parse(&s->axes[i], arg))
            return -1;
        for (int j = 0; j < i; j++)
            if (!strcmp(s->axes[j].path, s->axes[i].path))
                return usage(arg, "%s is varied twice", s->axes[i].path);
        if (nv && vary_vs_variants(s, &s->axes[i]))
            return -1;
        total *= s->axes[i].n;
        if (total > SW_MAX_POINTS)
            return usage(arg, "the grid has more than 10000 points", NULL);
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
        if (ax->variant) {
            if (sweep_variant_apply(&s->vars.v[coord(s, i, a)], d, stderr))
                return -1;
            continue;
        }
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
static cJSON *point_values(const sweep *s, const loader_doc *d, int i)
{
    cJSON *o = cJSON_CreateObject();
    for (int a = 0; o && a < s->naxes; a++) {
        if (s->axes[a].variant) {
            cJSON_AddItemToObject(o, "variant", cJSON_CreateString(s->vars.v[coord(s, i, a)].name));
            continue;
        }
        char *text = loader_get_json(d, s->axes[a].path);
        cJSON *v = text ? cJSON_Parse(text) : NULL;
        cJSON_AddItemToObject(o, s->axes[a].path, v ? v : cJSON_CreateNull());
        free(text);
    }
    return o;
}

/* Point I's document: the base with the point's values applied.  NULL
 * after printing. */
static loader_doc *point_doc(const sweep *s, int i)
{
    loader_doc *d = loader_clone(s->base);
    if (!d)
        usage(NULL, "out of memory", NULL);
    else if (apply_point(s, d, i)) {
        loader_close(d);
        d = NULL;
    }
    return d;
}

/* The index in S->shapes of PT's entity layout (what makes two points'
 * columns mean the same, app/sweep_stats.h), added if new.  -1 on ENOMEM. */
static int shape_id(sweep *s, const scenario *sc)
{
    size_t n = (size_t)sc->npools + 32;
    char *key = malloc(n);
    if (!key)
        return -1;
    int at = snprintf(key, n, "%d %d ", sc->npools, sc->nclients);
    for (int p = 0; p < sc->npools; p++)
        key[at++] = sc->pools[p].has_calls ? '1' : '0';
    key[at] = '\0';
    for (int k = 0; k < s->nshapes; k++)
        if (!strcmp(s->shapes[k], key)) {
            free(key);
            return k;
        }
    char **v = realloc(s->shapes, (size_t)(s->nshapes + 1) * sizeof *v);
    if (!v) {
        free(key);
        return -1;
    }
    s->shapes = v;
    s->shapes[s->nshapes] = key;
    return s->nshapes++;
}

/* What the sweep keeps of a point's scenario while it is not built. */
static int point_facts(sweep *s, sw_point *pt)
{
    rec_layout L;
    rec_layout_init(&L, &pt->sc);
    pt->reclen = L.total;
    pt->npools = pt->sc.npools;
    pt->replications = pt->sc.replications;
    pt->has_slos = pt->sc.nslos > 0;
    pt->shape = shape_id(s, &pt->sc);
    return pt->shape < 0 ? usage(NULL, "out of memory", NULL) : 0;
}

/* Build point I's scenario and the text of its scenario.json.  0 or -1
 * after printing. */
static int point_build(sweep *s, int i, const loader_doc *d)
{
    sw_point *pt = &s->pts[i];
    if (loader_build(d, &pt->sc, stderr))
        return -1;
    pt->built = 1;
    if (!(pt->effective = loader_effective_json(d)))
        return usage(NULL, "out of memory", NULL);
    return 0;
}

/* Check point I (build and validate it), keep its values and facts; its
 * scenario is freed again but for point 0's (the sweep's names).  0 or -1
 * after printing. */
static int point_check(sweep *s, int i)
{
    sw_point *pt = &s->pts[i];
    int width = s->npts > 1000 ? 4 : 3;
    snprintf(pt->dir, sizeof pt->dir, "p%0*d", width, i);
    loader_doc *d = point_doc(s, i);
    if (!d)
        return -1;
    int rc = point_build(s, i, d);
    if (rc == 0 && (rc = we_refuse_if_too_big(&pt->sc, s->o.scenario, stderr)) == 0 &&
        (rc = point_facts(s, pt)) == 0 && !(pt->values = point_values(s, d, i)))
        rc = usage(NULL, "out of memory", NULL);
    loader_close(d);
    if (i != 0)
        swgrid_unload(s, i);
    return rc;
}

int swgrid_points(sweep *s)
{
    if (!(s->pts = calloc((size_t)s->npts, sizeof *s->pts)))
        return usage(NULL, "out of memory", NULL);
    for (int i = 0; i < s->npts; i++)
        if (point_check(s, i))
            return -1;
    return 0;
}

int swgrid_load(sweep *s, int i)
{
    sw_point *pt = &s->pts[i];
    if (pt->built)
        return 0;
    loader_doc *d = point_doc(s, i);
    int rc = d ? point_build(s, i, d) : -1;
    loader_close(d);
    if (rc)
        swgrid_unload(s, i);
    return rc;
}

void swgrid_unload(sweep *s, int i)
{
    sw_point *pt = &s->pts[i];
    if (i == 0 || i == s->baseline)
        return;
    if (pt->built)
        scenario_free(&pt->sc);
    memset(&pt->sc, 0, sizeof pt->sc);
    pt->built = 0;
    free(pt->effective);
    pt->effective = NULL;
}

void swgrid_shapes_free(sweep *s)
{
    for (int k = 0; k < s->nshapes; k++)
        free(s->shapes[k]);
    free(s->shapes);
    s->shapes = NULL;
    s->nshapes = 0;
}

void swgrid_points_free(sw_point *pts, int n)
{
    for (int i = 0; pts && i < n; i++) {
        if (pts[i].built)
            scenario_free(&pts[i].sc);
        free(pts[i].effective);
        cJSON_Delete(pts[i].values);
        free(pts[i].stop_reason);
        free(pts[i].col);
        free(pts[i].diff);
        free(pts[i].colmap);
        free(pts[i].keep);
    }
    free(pts);
}

/* ---- --baseline ---------------------------------------------------------------- */

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
            return sweep_usage("--baseline", s->o.baseline, "%s is not a varied path (nor \"variant\")", l->vals[k]);
        int ok = point_has(pt, l->vals[k], eq + 1);
        *eq = '=';
        if (!ok)
            return 0;
    }
    return 1;
}

/* --baseline INDEX or PATH=VALUE,... (the first point that matches). */
int swgrid_baseline(sweep *s)
{
    const char *b = s->o.baseline ? s->o.baseline : s->vars.baseline;
    char named[SW_VARIANT_NAME_MAX + 16];
    if (!b)
        return 0;
    if (s->vars.n > 0 && !strpbrk(b, "=,") && strspn(b, "0123456789") != strlen(b)) { /* a variant's name */
        if (sweep_variants_find(&s->vars, b) < 0) {
            fprintf(stderr, "relsim sweep: --baseline %s: no variant is called %s; the variants are:", b, b);
            for (int v = 0; v < s->vars.n; v++)
                fprintf(stderr, "%s %s", v ? "," : "", s->vars.v[v].name);
            fputc('\n', stderr);
            return -1;
        }
        snprintf(named, sizeof named, "variant=%s", b);
        b = named;
    }
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
