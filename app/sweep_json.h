/* sweep_json.h - the sweep.json document (docs/OUTPUT.md): head, grid,
 * ranking, every point with results (its statistics shaped as results.json's
 * and its paired and unpaired differences from the baseline), the failed
 * points, perf, the SLO recommendation and the --outcome shares.
 */
#ifndef RELSIM_SWEEP_JSON_H
#define RELSIM_SWEEP_JSON_H

#include "app/sweep.h"

#include <stdio.h>

/* Point I's object as it stands in the document's "points" (printed as
 * cJSON_Print() would print the whole document), when the point ends
 * (app/sweep_spill.h).  Caller frees; NULL on ENOMEM. */
char *swjson_point_text(const sweep *s, int i);

/* Write the document and a newline to F, as cJSON_Print() would print it,
 * the points copied from the spill (so a 10 000-point sweep.json is never
 * in memory).  0, or -1 with errno set. */
int swjson_write(FILE *f, const sweep *s);

#endif
