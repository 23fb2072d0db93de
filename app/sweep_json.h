/* sweep_json.h - the sweep.json document (docs/OUTPUT.md): head, grid,
 * ranking, every point with results (its statistics shaped as results.json's
 * and its paired and unpaired differences from the baseline), the failed
 * points, perf, the SLO recommendation and the --outcome shares.
 */
#ifndef RELSIM_SWEEP_JSON_H
#define RELSIM_SWEEP_JSON_H

#include "app/sweep.h"

/* The whole document (the caller cJSON_Delete()s it; NULL on ENOMEM).  It
 * moves the points' "pools"/"clients" objects into it: call once. */
cJSON *swjson_build(sweep *s);

#endif
