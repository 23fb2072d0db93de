/* liveness.h - liveness probes that restart a pool's servers (Kubernetes
 * livenessProbe; MODEL.md "Liveness restarts").
 *
 * Every `interval` (a fixed ticker per position, first tick at
 * U(0, interval)) the kubelet probes each UP position (probe.h); a tick that
 * finds the previous probe still waiting is skipped (the kubelet's probe
 * loop is synchronous).  failure_threshold failed probes in a row restart
 * the position: DOWN for a `restart` time (its work dropped as for a
 * failure), then UP with a fresh failure clock.  A position that is DOWN
 * for any other reason is not probed and its count starts again.
 * Ownership: the pool owns its liveness (liveness_new/liveness_free).
 */
#ifndef RELSIM_LIVENESS_H
#define RELSIM_LIVENESS_H

#include "models/model.h"

struct liveness;
struct liveness *liveness_new(pool *p);
void liveness_free(struct liveness *l);
void liveness_reset(struct liveness *l);
void liveness_start(struct liveness *l);

#endif
