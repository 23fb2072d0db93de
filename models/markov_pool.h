/* markov_pool.h - the Markovian part of one pool as CTMCs, solved exactly
 * (prefix mp_).
 *
 * Two chains per pool, because the failure process does not depend on the
 * load (MODEL.md "Servers"):
 *
 *   availability  state d = servers DOWN (0..n).  d -> d+1 at (n - d) lambda,
 *                 d -> d-1 at min(d, c) mu with c repair crews (c = 0: one per
 *                 server).  With s spares (pools.X.spares) d counts the n + s
 *                 units DOWN; idle spares fail at f lambda (cold f = 0, warm
 *                 warm_factor, hot 1); an exponential switchover adds w, the
 *                 positions waiting for their spare (MODEL.md "Standby spares
 *                 and failover").  Needs exponential failure, repair and
 *                 switchover.  Gives
 *                 server_availability = E[n - d]/n, system_availability =
 *                 P(n - d >= quorum), mttf_system = mean time from all UP to
 *                 the first state with fewer than quorum UP, and the same
 *                 availabilities at any t (start: all UP) or averaged over a
 *                 window [w, T] (what a run measures).
 *   queue         one server's M/M/w/(w+K) queue (w workers, K = queue_limit)
 *                 fed by a Poisson share lambda/n: state N = attempts at the
 *                 server.  Applies when the pool never fails, its service is
 *                 exponential and every client sending to it is Poisson with
 *                 attempts = requests (no retries, hedges or breakers that
 *                 could add or shed load) and a random balancer (or n = 1).
 *                 An unbounded queue (queue_limit 0) is cut where
 *                 P(N > cap) <= MP_TRUNC_EPS, and refused when that cap
 *                 would exceed CTMC_MAX_STATES.
 *
 * Forced outages (scenario `fail` events on the pool) are one-off, so the
 * steady state and mttf_system describe the natural process without them; the
 * transient and window measures include them exactly: a third chain over
 * (d, f), f = servers forced DOWN, is solved piecewise between the events'
 * start and end times (at a start f = min(servers, n - d) of the UP servers
 * go down, at the end they come back).  Events on one pool must not overlap
 * (which servers an overlapping event returns would have to be tracked too).
 *
 * What the scenario has that the chains leave out (the queue of a failing
 * pool, timeouts ...) is said in mp_model.left_out.
 *
 * Ownership: mp_build fills caller memory; mp_free releases the chains.
 */
#ifndef RELSIM_MARKOV_POOL_H
#define RELSIM_MARKOV_POOL_H

#include "models/config.h"
#include "models/ctmc.h"

#include <stddef.h>

#define MP_TRUNC_EPS 1e-12 /* neglected probability of an unbounded queue */
#define MP_TRANSIENT_EPS 1e-10 /* uniformization: neglected probability mass */

enum {
    MP_OK = 0,
    MP_ENOMEM = -1,
    MP_ENOTMARKOV = -2, /* failure or repair not exponential: why names it */
    MP_ETOOBIG = -3,    /* the chain would exceed the refusal limit */
    MP_ESOLVE = -4,     /* a solver failed (see the ctmc_info) */
    MP_EFORCED = -5     /* overlapping forced outages: see forced_why */
};

typedef struct {
    int n, quorum, crews; /* crews: 0 = one per server */
    int fails;            /* 0: the pool never fails (availability 1) */
    int has_avail;        /* the availability chain was built */
    ctmc avail;           /* states (j, w), see markov_pool.c */
    int units;            /* servers + spares */
    int *avail_off;       /* [units + 2]: first state index of each j */
    int *avail_up;        /* [avail.n]: positions UP in each state */
    int *forced_up;       /* [forced.n]: the same for the forced chain */
    int has_forced;       /* the (d, f) chain was built: events force servers down */
    ctmc forced;          /* state f (n + 1) + d */
    int fmax;             /* largest f */
    int nev;              /* this pool's events (starts), sorted */
    double *ev_at, *ev_end;
    int *ev_count;
    char forced_why[160]; /* why the transient cannot include the events, or "" */
    int has_queue;        /* the queue chain was built */
    ctmc queue;
    double lambda;        /* attempts per second at one server */
    double service_rate;  /* per worker */
    int workers, cap;     /* queue states 0..cap */
    int bounded;          /* queue_limit > 0: arrivals beyond cap are rejected */
    double trunc_bound;   /* unbounded: P(N > cap) <= this; 0 if bounded */
    size_t avail_pin, queue_pin;
    char left_out[400];   /* "; "-separated parts of the pool not in the chains, or "" */
    char queue_why[200];  /* why there is no queue chain, or "" */
} mp_model;

typedef struct {
    double server_availability;
    double system_availability;
    double system_unavailability; /* summed over the down states, not 1 - A */
    double mttf_system;           /* INFINITY when the quorum is never lost (or mttf_overflow) */
    int mttf_overflow;            /* finite but above 1e308 s */
    ctmc_info steady, mttf;
    /* queue (NAN without a queue chain); pool-wide unless said */
    double blocking;       /* probability an attempt is rejected (queue full) */
    double busy_servers;   /* mean busy workers, all servers */
    double queue_length;   /* mean attempts waiting, all servers */
    double latency_mean;   /* mean response time of accepted attempts (s) */
    double utilization;    /* busy / (n workers) */
    ctmc_info queue_info;
} mp_steady_result;

/* Build the chains of pool P of SC.  MP_ENOTMARKOV when the pool fails with
 * non-exponential failure or repair times (WHY names the key and the
 * distribution); MP_ETOOBIG when the availability chain is over the limit.
 * A queue that cannot be built is not an error: see queue_why. */
int mp_build(const scenario *sc, int p, mp_model *m, char *why, size_t len);
void mp_free(mp_model *m);

/* Steady-state measures and mttf_system. */
int mp_steady(const mp_model *m, mp_steady_result *r);

/* Availabilities at time T from all UP, forced outages included (error
 * bound in info); MP_EFORCED if they overlap. */
int mp_transient(const mp_model *m, double t, double *server_av, double *system_av, ctmc_info *info);

/* Availabilities averaged over [W, T] from all UP at 0 (W < T), forced
 * outages included; MP_EFORCED if they overlap. */
int mp_window(const mp_model *m, double w, double t, double *server_av, double *system_av, ctmc_info *info);

#endif
