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

int swrank_objective(sweep *s)
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

static const sweep *rank_ctx; /* for qsort: the sweep being ranked */

/* Better objective first; undefined last; ties by grid order. */
static int cmp_rank(const void *x, const void *y)
{
    int i = *(const int *)x, j = *(const int *)y;
    double a = swstat_objective(rank_ctx, &rank_ctx->pts[i]).mean;
    double b = swstat_objective(rank_ctx, &rank_ctx->pts[j]).mean;
    if (isfinite(a) != isfinite(b))
        return isfinite(a) ? -1 : 1;
    if (isfinite(a) && a != b)
        return (rank_ctx->obj.maximize ? a > b : a < b) ? -1 : 1;
    return (i > j) - (i < j);
}

/* Indexes of the points with results, best first; *N gets their number. */
int *swrank_order(const sweep *s, int *n)
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
