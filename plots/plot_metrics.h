/* plot_metrics.h - what each results.json metric means: label, unit, kind.
 *
 * Prefix metric_.  Generated from models/metrics_table.h.  Shared by the figures and the report so a metric is named
 * and formatted the same way everywhere.  Unknown metrics get a generic entry
 * (the key itself as label, no unit), so newer result files still report.
 */
#ifndef RELSIM_PLOT_METRICS_H
#define RELSIM_PLOT_METRICS_H

#include "models/metrics_table.h"

typedef struct {
    const char *name;  /* key in results.json */
    const char *label; /* plain words */
    const char *unit;  /* "" for none */
    metric_kind kind;
    metric_better better;
    int headline;      /* plotted against swept parameters */
    int client;        /* 1 client metric, 0 pool metric */
} metric_info;

/* The entry for NAME; a generic one (static, overwritten by the next call)
 * if unknown. */
const metric_info *metric_find(const char *name, int client);

/* The I-th known metric (NULL past the end), in display order. */
const metric_info *metric_at(int i);

/* Availability in nines: -log10(1 - A) (inf for A >= 1). */
double metric_nines(double a);

#endif
