/* modelcheck.h - which closed forms apply to a scenario, and do the
 * simulated numbers agree with them?
 *
 * For each pool and client the check decides which formulas of
 * models/analytic.h apply to the scenario as written (e.g. exponential
 * failure and repair -> availability; a quorum -> k-of-n or machine repair;
 * Poisson arrivals, exponential service, no failures, unbounded queue ->
 * M/M/1 or M/M/c; exponential_random backoff -> P_retry; p_timeout -> the
 * timeout fraction on an unloaded server; a queue timeout -> the M/M/c+D
 * shed fraction; max_concurrency -> M/M/c/K blocking; a throttle against a
 * fixed error rate -> its collapse to ~1/(1 - k(1-q)) attempts per window)
 * and compares each
 * prediction with the observed mean and its 95% CI.
 *
 * Verdict: "agrees" when the prediction lies inside the 95% CI, "agrees
 * (within the widened CI)" when it lies outside the CI but inside the CI
 * widened by the stated margin (mc_item.margin, absolute; both ends),
 * "differs" otherwise, and "not applicable" with a reason when the
 * formula's assumptions do not hold (then predicted is NAN).  Every verdict
 * that agrees starts with "agrees" (MC_AGREES).
 *
 * Ownership: mc_list owns its items; mc_list_free() releases them.
 */
#ifndef RELSIM_MODELCHECK_H
#define RELSIM_MODELCHECK_H

#include "app/execute.h"
#include "sim/stat.h"

#define MC_AGREES "agrees"
#define MC_AGREES_WIDENED "agrees (within the widened CI)"
#define MC_DIFFERS "differs"
#define MC_NA "not applicable"

typedef struct {
    char quantity[160];  /* "pools.api.server_availability" */
    char formula[96];    /* "availability(lambda=0.001, mu=0.1)" */
    double predicted;    /* NAN when not applicable */
    stat_summary observed;
    double margin;       /* absolute widening of the CI used for the verdict */
    const char *verdict; /* MC_AGREES, MC_AGREES_WIDENED, MC_DIFFERS, MC_NA */
    char reason[160];    /* why not applicable, or "" */
} mc_item;

/* One analytic value for results.json "analytic": {"pools": {NAME: {KEY: v}},
 * "clients": {NAME: {KEY: v}}}. */
typedef struct {
    int is_pool;
    char entity[64];
    char key[48];
    double value;
} mc_analytic;

typedef struct {
    mc_item *items;
    int n, cap;
    mc_analytic *analytic;
    int nanalytic, acap;
} mc_list;

/* Decide and compare for every pool and client of R's scenario.
 * Returns 0, or -1 on ENOMEM. */
int modelcheck_run(const exec_result *r, mc_list *out);
void mc_list_free(mc_list *l);

#endif
