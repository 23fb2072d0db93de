/* slo.h - service-level objectives judged on a run (issue 16).
 *
 * Each objective of each SLO (scenario.slos, models/config.h) is compared
 * with the 95% CI over replications of its metric: request_success >= target,
 * latency_pNN <= target.  Verdict: "met" when the whole CI is on the good
 * side, "missed" when the whole CI is on the bad side, "inconclusive" when
 * the CI straddles the target (more replications may decide), "undefined"
 * when the metric is (e.g. no successful request).
 *
 * The error budget of a success objective is the fraction of requests that
 * may fail, 1 - target; the burn rate is the observed failure fraction over
 * that (1 = the budget lasts exactly the window; 2 = it is gone in half the
 * window).  slo_write_burn() writes the burn rate and the budget spent per
 * time-series bin (data/slo_burn.csv) for the report's figure.
 *
 * Ownership: slo_list owns its items; slo_list_free() releases them.
 */
#ifndef RELSIM_SLO_H
#define RELSIM_SLO_H

#include "app/execute.h"
#include "sim/stat.h"

#include <stdio.h>

#define SLO_MET "met"
#define SLO_MISSED "missed"
#define SLO_INCONCLUSIVE "inconclusive"
#define SLO_UNDEFINED "undefined"

typedef struct {
    int slo;              /* index into scenario.slos */
    int client;           /* index into scenario.clients */
    char objective[32];   /* "success", "latency_p99", ... (the metric's name) */
    char text[96];        /* "request_success >= 0.999" */
    double target;
    int at_least;         /* 1: the metric must be >= target; 0: <= target */
    stat_summary observed;
    const char *verdict;  /* SLO_* */
    stat_summary burn;    /* success objectives: burn rate (NAN otherwise) */
} slo_item;

typedef struct slo_list {
    slo_item *items;
    int n;
} slo_list;

/* Judge every objective of R's scenario.  0, or -1 without memory. */
int slo_evaluate(const exec_result *r, slo_list *out);
void slo_list_free(slo_list *l);

/* data/slo_burn.csv: per SLO with a success objective and per time-series bin
 * after the warm-up: t_start, t_end, slo, client, burn_rate, budget_spent
 * (cumulative fraction of the window's budget used since the warm-up). */
void slo_write_burn(FILE *f, const exec_result *r);

#endif
