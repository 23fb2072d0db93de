/* sweep_recommend.h - which grid point to choose, from the scenario's SLOs
 * (issue 16).
 *
 * A point qualifies when every SLO objective is "met" with 95% confidence
 * (app/slo.h: the whole CI over its replications is on the good side).
 * Among those the recommended one is the cheapest: the fewest extra attempts
 * per request (attempts_per_request - 1, averaged over the SLOs' clients
 * weighted by their requests), the load that retries and hedges add.  It is
 * stated with paired 95% CIs against the baseline (common random numbers):
 * the difference in success and in attempts per request.  Every point's
 * (success, extra load) also goes to sweep.json for the Pareto figure.
 *
 * The sweep driver folds srec_rep() of every replication into srec_stats
 * and hands each point's summaries; this file owns nothing it is given.
 */
#ifndef RELSIM_SWEEP_RECOMMEND_H
#define RELSIM_SWEEP_RECOMMEND_H

#include "models/config.h"
#include "sim/stat.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* What the recommendation needs of a point besides its metric summaries,
 * per replication: the extra attempts per request and the success of the
 * SLOs' clients, weighted by their requests (srec_rep), summarised over the
 * point's replications and paired against the baseline's. */
typedef struct {
    stat_summary extra, succ;   /* over the point's replications */
    stat_summary dextra, dsucc; /* point - baseline over the common replications */
} srec_stats;

typedef struct {
    const scenario *sc;       /* the point's scenario (its slos, entities) */
    const stat_summary *col;  /* [ncols] each metric: pool metrics, then caller metrics */
    srec_stats st;
    int ran;                  /* has results */
    const char *dir;          /* "p003" */
    const cJSON *values;      /* {path: value} */
} srec_point;

/* Replication ROW's (pool metrics, then caller metrics of SC) extra attempts
 * per request and success over the SLOs' clients; NAN without requests. */
void srec_rep(const scenario *sc, const double *row, double *extra, double *succ);

/* sweep.json "recommendation" (NULL when the scenario has no SLO). */
cJSON *srec_json(const srec_point *pts, int n, int baseline);

/* The recommendation in words on OUT (nothing without SLOs). */
void srec_print(FILE *out, const srec_point *pts, int n, int baseline);

#endif
