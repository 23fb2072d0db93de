/* world.h - build a scenario's model once, run replications of it.
 *
 * A world is the whole simulated system for one scenario: pools, callers,
 * arrival sources, scheduled faults.  It is built once per worker thread
 * (all memory allocated up front) and reset between replications, so a
 * replication allocates nothing but a few free-list blocks.
 *
 * Ownership: the world keeps a pointer to the scenario (which must outlive
 * it) and owns everything else.  The record is the caller's memory.
 */
#ifndef RELSIM_WORLD_H
#define RELSIM_WORLD_H

#include "models/config.h"
#include "models/metrics.h"

#include <signal.h>
#include <stddef.h>

typedef struct world world;

/* Build the model of SC. NULL on ENOMEM. */
world *world_new(const scenario *sc);
void world_free(world *w);

const rec_layout *world_layout(const world *w);

/* Results of world_run. */
enum { WORLD_DONE = 0, WORLD_INTERRUPTED = 1, WORLD_RUNAWAY = 2, WORLD_NOMEM = 3 };

/* Run replication REP (seeded from sc->seed and REP only) into RECORD
 * (layout world_layout(w), fully overwritten).  With WANT_TRACE the
 * replication's server marks and breaker timelines are kept (see
 * world_trace_*).  STOP, if not NULL, is polled: when it becomes non-zero the
 * run ends early with WORLD_INTERRUPTED.  WORLD_RUNAWAY: the overload guard
 * or the event limit stopped it; world_error() says why.  WORLD_NOMEM: memory
 * ran out (world_error() says where when it is known, e.g. an event that
 * could not be scheduled: sim_failed). */
int world_run(world *w, unsigned long rep, double *record, int want_trace,
              volatile sig_atomic_t *stop);

const char *world_error(const world *w);

/* Random streams per pool and per client (roles in model.h; seeds in rng.h). */
#define STREAMS_PER_POOL 10 /* fail, repair, service, inject, switch, liveness; calls: balancer, backoff, network, health */
#define STREAMS_PER_CLIENT 6 /* arrival, think, balancer, backoff, network, health */

/* Timelines of the last traced run: row I of N. */
typedef struct {
    double time;
    int entity; /* pool index (marks) or caller index (breakers) */
    int server; /* -1 for a pool-scope breaker */
    int what;   /* marks: 0 fail, 1 repair, 2 forced_fail; breakers: 0 closed, 1 open, 2 half_open */
} world_trace_row;
int world_trace_marks(const world *w, const world_trace_row **rows);
int world_trace_breakers(const world *w, const world_trace_row **rows);

#endif
