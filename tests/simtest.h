/* simtest.h - build small scenarios in C and simulate them, for the
 * validation tests (no JSON involved: the models take plain structs). */
#ifndef RELSIM_SIMTEST_H
#define RELSIM_SIMTEST_H

#include "app/execute.h"
#include "app/results.h"
#include "models/config.h"

#include <stdlib.h>
#include <string.h>

/* A scenario with NP pools and NC clients, every value at its default. */
static inline void st_scenario(scenario *s, int np, int nc, double horizon, int reps, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->name = strdup("test");
    s->description = strdup("");
    s->file = strdup("");
    s->seed = seed;
    s->horizon = horizon;
    s->replications = reps;
    s->npools = np;
    s->nclients = nc;
    s->pools = calloc((size_t)np, sizeof *s->pools);
    s->clients = calloc((size_t)(nc ? nc : 1), sizeof *s->clients);
    for (int p = 0; p < np; p++) {
        pool_cfg_defaults(&s->pools[p]);
        snprintf(s->pools[p].name, CFG_NAME_MAX, "p%d", p);
    }
    for (int c = 0; c < nc; c++) {
        client_cfg_defaults(&s->clients[c]);
        snprintf(s->clients[c].name, CFG_NAME_MAX, "c%d", c);
    }
    s->limits.max_in_flight = 1000000;
}

static inline dist_cfg st_exp(double rate) { return (dist_cfg){.kind = DIST_EXPONENTIAL, .rate = rate}; }
static inline dist_cfg st_det(double v) { return (dist_cfg){.kind = DIST_DETERMINISTIC, .value = v}; }

/* Run all replications of S on 2 threads into R (caller exec_result_free()s);
 * HOOK (optional) sees each replication's record in replication order. */
static inline int st_run_each(exec_result *r, const scenario *s, exec_rep_hook hook, void *ctx)
{
    exec_result_init(r, s);
    exec_opts o = {.jobs = 2, .quiet = 1, .on_rep = hook, .on_rep_ctx = ctx};
    return exec_extend(r, s->replications, &o);
}
static inline int st_run(exec_result *r, const scenario *s) { return st_run_each(r, s, NULL, NULL); }

/* The CI half-width of a summary (0 if undefined). */
static inline double st_half(stat_summary s) { return isfinite(s.hi) ? s.hi - s.mean : 0; }

/* Check that the observed mean agrees with EXACT within K CI half-widths
 * plus an absolute allowance EXTRA for known discretisation (e.g. the
 * latency histogram's bucket width, at most 1/64). */
#define assert_agrees(s, exact, k, extra) \
    do { \
        stat_summary s_ = (s); \
        assert_true(s_.n >= 2); \
        assert_close(s_.mean, (exact), (k) * st_half(s_) + (extra)); \
    } while (0)

#endif
