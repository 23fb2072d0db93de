/* workest.h - how much work a scenario is before it runs: entities,
 * expected simulation events per replication and the wall time that takes
 * at the benchmark's speed (docs/PERFORMANCE.md), so `relsim check` can say
 * it in one line and run/sweep can refuse a scenario above
 * limits.max_events (a typo such as an arrival rate of 4294967297/s) before
 * it runs for days.
 *
 * The estimate is nominal: about WE_EVENTS_PER_REQUEST events per request
 * (its arrival, and the service completion of one attempt; the reference
 * workload measures 2.0), two per server failure/repair cycle and one per
 * time-series bin.  Retries, hedges and timeouts add to it; a retry storm
 * can exceed it many times (limits.max_events still stops that run).
 */
#ifndef RELSIM_WORKEST_H
#define RELSIM_WORKEST_H

#include "models/config.h"

#include <stdio.h>

#define WE_EVENTS_PER_REQUEST 2.0
#define WE_NS_PER_EVENT 66.0 /* docs/PERFORMANCE.md: make bench, wall ns per event, -j 1 */

typedef struct {
    int pools, servers, clients;
    double events;      /* expected per replication */
    double wall;        /* seconds for every replication on one core at WE_NS_PER_EVENT */
    int top_client;     /* the client contributing most events, -1 if none */
    double top_rate;    /* its requests/s */
} we_estimate;

/* Estimate the work of SC. */
void we_estimate_of(const scenario *sc, we_estimate *e);

/* The one-line summary `relsim check` prints (no newline) into buf. */
void we_describe(const scenario *sc, const we_estimate *e, char *buf, size_t n);

/* 0 if SC's expected events per replication fit limits.max_events (or there
 * is no limit); else prints why to ERR (FILE: ...) and returns -1. */
int we_refuse_if_too_big(const scenario *sc, const char *file, FILE *err);

#endif
