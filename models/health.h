/* health.h - active health checking by one caller (Envoy), panic mode
 * (MODEL.md "Health checking").
 *
 * The caller probes every position of its target pool (probe.h): the next
 * probe goes `interval` + U(0, jitter) after the previous one's result, the
 * first at U(0, interval) (so probes of many servers do not march in step).
 * A position believed healthy turns unhealthy after unhealthy_threshold
 * failed probes in a row, and healthy again after healthy_threshold good
 * ones; all start healthy.  The balancer picks only among believed-healthy
 * positions, except in panic: while the healthy share is below
 * panic_threshold (> 0) it picks among all (Envoy healthy_panic_threshold).
 * With panic off and none healthy, requests fail at once (no_healthy_server).
 *
 * The pool tells the checker when a position goes DOWN or UP, so the
 * checker measures its own mistakes: time DOWN but believed healthy
 * (undetected), UP but believed unhealthy (ejected), and the detection and
 * recovery-detection delays.
 * Ownership: the caller owns its health (health_new/health_free).
 */
#ifndef RELSIM_HEALTH_H
#define RELSIM_HEALTH_H

#include "models/model.h"
#include "models/probe.h"

typedef struct hc_srv {
    sim_event tick;          /* the next probe: the first one, or after a jittered interval */
    timer_node tn;           /* the next probe after a plain interval (tick_q) */
    struct health *h;
    int index;
    int fails, oks;          /* consecutive probe results */
    uint8_t healthy;         /* believed */
    double down_at;          /* went DOWN while believed healthy (-1: no) */
    double up_at;            /* came UP while believed unhealthy (-1: no) */
} hc_srv;

typedef struct health {
    caller *c;
    const health_cfg *cfg;
    prober pr;
    timerq tick_q;           /* constant intervals: FIFO, one heap entry for all servers */
    rng_stream rng;          /* probe phases and jitter */
    hc_srv *srv;
    int n, nhealthy;
    int *list, *slot;        /* believed-healthy positions, densely (O(1) uniform pick) */
    /* random, round_robin and p2c: the positions believed healthy and
     * available to the caller (its set: breaker, ejection), indexed, so a
     * drawn position that is skipped costs O(log n), not a scan (balancer.c);
     * least_outstanding filters its own set instead (has_view 0) */
    srvset view;
    int has_view;
    int panic;
    int nundetected, nejected;
    stat_tw undetected_tw, ejected_tw, panic_tw, unhealthy_tw;
    double det_sum, det_n, rec_sum, rec_n;
} health;

health *health_new(caller *c, const health_cfg *cfg);
void health_free(health *h);
/* Between replications (the caller seeds h->rng first). */
void health_reset(health *h);
void health_start(health *h);
void health_restart_stats(health *h, double t);

/* Position S's availability to the caller changed (caller_refresh_avail):
 * keep the view set in step. */
void health_view_refresh(health *h, int s);

/* The pool: position S went DOWN (UP = 0) or UP. */
void health_server_changed(struct caller *c, int s, int up);

/* Does the balancer filter by belief now (health checking on, no panic)? */
static inline int health_filters(const health *h) { return h && !h->panic; }
static inline int health_believed(const health *h, int s) { return h->srv[s].healthy; }

/* Caller metrics and the believed-unhealthy time series. */
void health_finish_metrics(health *h, double *m, double t);
double health_take_bin(health *h, double t, double width);

#endif
