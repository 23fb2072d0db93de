/* sweep_outcome.c - the share of replications where an outcome holds
 * (sweep_outcome.h). */
#include "app/sweep_outcome.h"
#include "models/metrics.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int find_name(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return i;
    return -1;
}

static int find_entity(const scenario *sc, int is_pool, const char *name)
{
    for (int i = 0; i < (is_pool ? sc->npools : sc->nclients); i++)
        if (!strcmp(is_pool ? sc->pools[i].name : sc->clients[i].name, name))
            return i;
    return -1;
}

/* METRIC, clients.NAME.METRIC or pools.NAME.METRIC (TEXT is modified). */
static int target(const scenario *sc, char *text, sweep_outcome *o)
{
    char *dot = strrchr(text, '.');
    const char *metric = dot ? dot + 1 : text, *ent = NULL;
    o->is_pool = 0;
    if (dot) {
        *dot = '\0';
        char *d2 = strchr(text, '.');
        if (!d2)
            return -1;
        *d2 = '\0';
        ent = d2 + 1;
        if (!strcmp(text, "pools") || !strcmp(text, "pool"))
            o->is_pool = 1;
        else if (strcmp(text, "clients") && strcmp(text, "client"))
            return -1;
        o->metric = o->is_pool ? find_name(pm_names, PM_COUNT, metric) : find_name(cm_names, CM_COUNT, metric);
    } else if ((o->metric = find_name(cm_names, CM_COUNT, metric)) < 0) {
        o->is_pool = 1;
        o->metric = find_name(pm_names, PM_COUNT, metric);
    }
    o->entity = ent ? find_entity(sc, o->is_pool, ent) : 0;
    return o->metric < 0 || o->entity < 0 ? -1 : 0;
}

static const char *const op_text[] = {"<", "<=", ">", ">="};

int sweep_outcome_parse(const char *spec, const scenario *sc, sweep_outcome *o, FILE *err)
{
    char buf[256], *end;
    memset(o, 0, sizeof *o);
    snprintf(buf, sizeof buf, "%s", spec);
    char *op = strpbrk(buf, "<>");
    if (!op)
        goto bad;
    o->op = op[0] == '<' ? (op[1] == '=' ? OUTCOME_LE : OUTCOME_LT) : (op[1] == '=' ? OUTCOME_GE : OUTCOME_GT);
    char *num = op + 1 + (op[1] == '=');
    *op = '\0';
    for (char *t = op - 1; t >= buf && (*t == ' ' || *t == '\t'); t--)
        *t = '\0';
    char *name = buf + strspn(buf, " \t");
    o->bound = strtod(num, &end);
    end += strspn(end, " \t");
    if (end == num || *end || !isfinite(o->bound))
        goto bad;
    if (target(sc, name, o))
        goto bad;
    snprintf(o->label, sizeof o->label, "%s.%s.%s %s %g", o->is_pool ? "pools" : "clients",
             o->is_pool ? sc->pools[o->entity].name : sc->clients[o->entity].name,
             o->is_pool ? pm_names[o->metric] : cm_names[o->metric], op_text[o->op], o->bound);
    return 0;
bad:
    fprintf(err, "relsim sweep: --outcome %s: expected METRIC OP NUMBER with OP one of < <= > >= and "
                 "a known metric and entity, e.g. 'clients.%s.request_success<0.5'\n",
            spec, sc->nclients ? sc->clients[0].name : "web");
    return -1;
}

int sweep_outcome_col(const sweep_outcome *o, int npools)
{
    return o->is_pool ? o->entity * PM_COUNT + o->metric : npools * PM_COUNT + o->entity * CM_COUNT + o->metric;
}

int sweep_outcome_holds(const sweep_outcome *o, double v)
{
    if (isnan(v))
        return -1;
    switch (o->op) {
    case OUTCOME_LT: return v < o->bound;
    case OUTCOME_LE: return v <= o->bound;
    case OUTCOME_GT: return v > o->bound;
    case OUTCOME_GE: return v >= o->bound;
    }
    return -1;
}

void sweep_outcome_ci(int k, int n, double *lo, double *hi)
{
    if (n <= 0) {
        *lo = *hi = NAN;
        return;
    }
    *lo = k == 0 ? 0 : gsl_cdf_beta_Pinv(0.025, k, n - k + 1);
    *hi = k == n ? 1 : gsl_cdf_beta_Pinv(0.975, k + 1, n - k);
}
