/* sweep_rank.c - --objective and the ranking (app/sweep_rank.h). */
#include "app/sweep_rank.h"
#include "app/sweep_stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* One METRIC[:max|min] into *OB.  0, or -1 after printing. */
static int objective_one(const sweep *s, const char *spec, const char *arg, sw_objective *ob)
{
    const scenario *sc = &s->pts[0].sc;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    char *colon = strchr(buf, ':');
    int goal = -1;
    if (colon) {
        *colon = '\0';
        goal = !strcmp(colon + 1, "max") ? 1 : !strcmp(colon + 1, "min") ? 0 : -2;
    }
    memset(ob, 0, sizeof *ob);
    if (goal == -2 || objective_target(sc, buf, ob)) {
        fprintf(stderr, "relsim sweep: --objective %s: expected METRIC[:max|min]%s\n", arg,
                goal == -2 ? " (the goal is max or min)" : ", with a known metric and entity");
        objective_help(sc);
        return -1;
    }
    ob->maximize = goal >= 0 ? goal : metrics_maximize(ob->is_pool, ob->metric);
    return 0;
}

/* Append the objectives of one --objective ARG (a comma list). */
static int objective_list(sweep *s, const char *arg)
{
    const char *p = arg;
    for (;;) {
        size_t len = strcspn(p, ",");
        char spec[256];
        snprintf(spec, sizeof spec, "%.*s", (int)(len < sizeof spec ? len : sizeof spec - 1), p);
        if (s->nobjs == SW_MAX_OBJECTIVES) {
            fprintf(stderr, "relsim sweep: --objective %s: at most %d objectives\n", arg, SW_MAX_OBJECTIVES);
            return -1;
        }
        sw_objective *ob = &s->objs[s->nobjs];
        if (objective_one(s, spec, arg, ob))
            return -1;
        for (int k = 0; k < s->nobjs; k++)
            if (!strcmp(s->objs[k].label, ob->label)) {
                fprintf(stderr, "relsim sweep: --objective %s: %s is named twice\n", arg, ob->label);
                return -1;
            }
        s->nobjs++;
        if (!p[len])
            return 0;
        p += len + 1;
    }
}

int swrank_objective(sweep *s)
{
    s->nobjs = 0;
    if (s->o.nobjectives == 0 && objective_list(s, "request_success:max"))
        return -1;
    for (int k = 0; k < s->o.nobjectives; k++)
        if (objective_list(s, s->o.objectives[k]))
            return -1;
    s->obj = s->objs[0];
    return 0;
}

static const sweep *rank_ctx;           /* for qsort: the sweep being ranked */
static const sw_objective *rank_obj;    /* ... and by what */

/* Better objective first; undefined last; ties by grid order. */
static int cmp_rank(const void *x, const void *y)
{
    int i = *(const int *)x, j = *(const int *)y;
    double a = swstat_metric(rank_obj, &rank_ctx->pts[i]).mean;
    double b = swstat_metric(rank_obj, &rank_ctx->pts[j]).mean;
    if (isfinite(a) != isfinite(b))
        return isfinite(a) ? -1 : 1;
    if (isfinite(a) && a != b)
        return (rank_obj->maximize ? a > b : a < b) ? -1 : 1;
    return (i > j) - (i < j);
}

int *swrank_order_by(const sweep *s, const sw_objective *ob, int *n)
{
    int *idx = malloc((size_t)s->npts * sizeof *idx);
    *n = 0;
    for (int i = 0; idx && i < s->npts; i++)
        if (s->pts[i].ran)
            idx[(*n)++] = i;
    rank_ctx = s;
    rank_obj = ob;
    if (idx)
        qsort(idx, (size_t)*n, sizeof *idx, cmp_rank);
    return idx;
}

int *swrank_order(const sweep *s, int *n) { return swrank_order_by(s, &s->obj, n); }

int swrank_verdict(const sweep *s, const sw_objective *ob, int i)
{
    const sw_point *b = &s->pts[s->baseline], *pt = &s->pts[i];
    if (i == s->baseline)
        return pt->ran ? SW_BASE : SW_NA;
    if (!swstat_comparable(b, pt))
        return SW_NA;
    stat_summary d = swstat_diff(b, pt, swstat_metric_col(ob, pt)).paired;
    if (!isfinite(d.lo) || !isfinite(d.hi))
        return SW_NA;
    if (d.lo <= 0 && d.hi >= 0)
        return SW_SAME;
    return (d.lo > 0) == (ob->maximize != 0) ? SW_BETTER : SW_WORSE;
}

int swrank_beats(const sweep *s, const sw_objective *ob, int j, int i)
{
    const sw_point *pj = &s->pts[j], *pi = &s->pts[i];
    if (i == j || !pj->ran || !pi->ran || !swstat_comparable(pi, pj))
        return 0;
    int col = swstat_metric_col(ob, pj);
    double mj = swstat_col(pj, col).mean, mi = swstat_col(pi, col).mean;
    if (!isfinite(mi) || !isfinite(mj))
        return isfinite(mj) && !isfinite(mi);
    stat_summary d = swstat_paired(pi, pj, col); /* J - I */
    return ob->maximize ? d.lo > 0 : d.hi < 0;
}

int swrank_confident(const sweep *s, const sw_objective *ob, int i)
{
    if (!s->pts[i].ran || s->npts > SW_CONFIDENT_MAX)
        return 0;
    int r = 1;
    for (int j = 0; j < s->npts; j++)
        r += swrank_beats(s, ob, j, i);
    return r;
}

int swrank_front(const sweep *s, int i)
{
    if (!s->pts[i].ran || s->npts > SW_CONFIDENT_MAX)
        return 0;
    for (int j = 0; j < s->npts; j++) {
        int wins = 0, losses = 0;
        for (int k = 0; k < s->nobjs; k++) {
            wins += swrank_beats(s, &s->objs[k], j, i);
            losses += swrank_beats(s, &s->objs[k], i, j);
        }
        if (wins && !losses)
            return 0; /* j dominates i */
    }
    return 1;
}
