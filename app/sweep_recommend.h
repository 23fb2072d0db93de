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
    int ok, missed;             /* srec_judge(): every SLO objective met; how many missed */
} srec_stats;

typedef struct {
    int has_slos;             /* the point's scenario has SLOs */
    srec_stats st;
    int ran;                  /* has results */
    const char *dir;          /* "p003" */
    const cJSON *values;      /* {path: value} */
} srec_point;

/* Judge a point's SLOs (those of SC) on its metric summaries COL (pool
 * metrics, then caller metrics) into ST->ok and ST->missed.  Done when the
 * point ends, so the summaries need not be kept for the recommendation. */
void srec_judge(const scenario *sc, const stat_summary *col, srec_stats *st);

/* Replication ROW's (pool metrics, then caller metrics of SC) extra attempts
 * per request and success over the SLOs' clients; NAN without requests. */
void srec_rep(const scenario *sc, const double *row, double *extra, double *succ);

/* sweep.json "recommendation" (NULL when the scenario has no SLO). */
cJSON *srec_json(const srec_point *pts, int n, int baseline);

/* The recommendation in words on OUT (nothing without SLOs). */
void srec_print(FILE *out, const srec_point *pts, int n, int baseline);

#endif
