/* sweep_json.h - the sweep.json document (docs/OUTPUT.md): head, grid,
 * ranking, every point with results (its statistics shaped as results.json's
 * and its paired and unpaired differences from the baseline), the failed
 * points, perf, the SLO recommendation and the --outcome shares.
 */
#ifndef RELSIM_SWEEP_JSON_H
#define RELSIM_SWEEP_JSON_H

#include "app/sweep.h"

#include <stdio.h>

/* Write the document and a newline to F, as cJSON_Print() would print it,
 * one point at a time (so a 10 000-point sweep.json is never in memory).
 * 0, or -1 with errno set. */
int swjson_write(FILE *f, const sweep *s);

#endif
