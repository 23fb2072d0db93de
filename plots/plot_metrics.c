/* plot_metrics.c - labels and units of the results.json metrics, generated
 * from the metric table (models/metrics_table.h). */
#include "plots/plot_metrics.h"
#include "models/metrics.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* Display order: pool metrics, then caller metrics, each in table order. */
#define PLOT_METRICS_POOL_(id, name, label, unit, kind, better, flags, undefined) \
    {name, label, unit, kind, better, ((flags) & MF_HEADLINE) != 0, 0},
#define PLOT_METRICS_CALLER_(id, name, label, unit, kind, better, flags, undefined) \
    {name, label, unit, kind, better, ((flags) & MF_HEADLINE) != 0, 1},
static const metric_info known[] = {
    RELSIM_POOL_METRICS(PLOT_METRICS_POOL_) RELSIM_CALLER_METRICS(PLOT_METRICS_CALLER_)};

const metric_info *metric_at(int i)
{
    return (i >= 0 && (size_t)i < sizeof known / sizeof known[0]) ? &known[i] : NULL;
}

const metric_info *metric_find(const char *name, int client)
{
    static metric_info generic;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(known[i].name, name))
            return &known[i];
    generic = (metric_info){name, name, "", METRIC_COUNT, BETTER_NONE, 0, client};
    return &generic;
}

double metric_nines(double a)
{
    return a >= 1 ? INFINITY : -log10(1 - a);
}
