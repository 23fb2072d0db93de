/* balancer.h - which server an attempt goes to (MODEL.md "Balancers").
 *
 *   random              uniform over the servers
 *   round_robin         the next server in turn
 *   least_outstanding   fewest of this caller's attempts in flight, ties random
 *   p2c                 two distinct random servers, the one with fewer
 *                       outstanding (Mitzenmacher's power of two choices)
 *
 * Balancers see only what a real client sees: its own outstanding counts,
 * breaker states, ejections and health-check beliefs, never the true UP/DOWN
 * state.  With health checking (health.h) a server not believed healthy is
 * never picked (unless in panic mode): the other rules below then apply
 * among the believed-healthy servers (least_outstanding: fewest
 * outstanding among the healthy servers, available ones not holding the
 * request first).  A server is skipped while its per-server breaker would reject (OPEN, or HALF_OPEN with
 * its probes taken), while it is ejected as an outlier, and (for hedges)
 * while it already has a live attempt of the same request, as long as
 * another server is available; when none is, the plain choice is used.
 *
 * Cost: O(1) when the drawn server is usable, otherwise O(log n) per live
 * attempt of the request (n = pool size): the caller keeps its available
 * servers and (least_outstanding) its outstanding counts in a srvset,
 * updated in O(log n) when a breaker changes state, a probe permit is taken
 * or given back, a server is ejected or returns, or (least_outstanding) an
 * attempt starts or ends; with health filtering the checker keeps a second
 * set, its view (health.h), for random, round_robin and p2c.  Two rare
 * cases still scan the pool: least_outstanding for a hedge when every
 * available server already holds one of the request's attempts, and
 * round_robin under health filtering when every believed-healthy server
 * is skipped.  random, round_robin and p2c draw exactly what a scan
 * drew (same results); least_outstanding breaks ties with one draw among
 * the tied servers instead of one per tie (same distribution).  A new rule
 * that makes a server unavailable belongs in caller_gates.c caller_refresh_avail().
 */
#ifndef RELSIM_BALANCER_H
#define RELSIM_BALANCER_H

#include "models/model.h"

/* The server for R's next attempt. */
int balancer_pick(caller *c, const request *r);

/* Large pools: start fetching the server the NEXT pick will most likely
 * return (random: the next draw of the balancing stream, peeked on a copy
 * of its state; p2c: both of the next two), so its cache miss overlaps the
 * work until then.  Draws nothing: results are unchanged whether the guess
 * is right or not.  round_robin needs none (its servers come in order, the
 * hardware prefetcher follows), least_outstanding's pick is not known. */
void balancer_prefetch_next(caller *c);

#endif
