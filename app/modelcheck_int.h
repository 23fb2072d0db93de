/* modelcheck_int.h - what the model check's files share (app/modelcheck*.c
 * only; users of the model check include app/modelcheck.h): adding items and
 * analytic values to the list, the one comparison rule, and the scenario
 * questions more than one entry asks.
 */
#ifndef RELSIM_MODELCHECK_INT_H
#define RELSIM_MODELCHECK_INT_H

#include "app/execute.h"
#include "app/modelcheck.h"

/* The reason shared by every entry that a client-side gate breaks. */
#define CLIENT_GATES "client-side throttle, bulkhead, rate or concurrency limit thin or delay the attempts"

/* Record analytic value KEY = V of a pool (IS_POOL) or client ENTITY.  0 or -1. */
int mc_add_analytic(mc_list *l, int is_pool, const char *entity, const char *key, double v);

/* Compare OBS with PRED (a finite prediction) or mark it not applicable
 * (REASON non-NULL); FMT names the formula.  0 or -1 on ENOMEM. */
int mc_check(mc_list *l, const char *quantity, stat_summary obs, double pred, double extra,
             const char *reason, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Is pool P ever forced down by a `fail` event? */
int mc_forced(const scenario *sc, int p);

/* Does pool PC have admission control (queue timeout, CoDel, not FIFO)? */
int mc_pool_admission(const pool_cfg *pc);

/* Does a client-side gate refuse or delay some of the caller's attempts? */
int mc_client_gated(const policy_cfg *po);

/* Requests/s the Poisson clients targeting pool P offer at their base rate. */
double mc_offered_rate(const scenario *sc, int p);

/* The overload-control entries (app/modelcheck_overload.c).  0 or -1. */
int mc_check_shed(mc_list *l, const exec_result *r, int p);
int mc_check_blocking(mc_list *l, const exec_result *r, int p);
int mc_check_throttle(mc_list *l, const exec_result *r, int c);

#endif
