/* sim.h - the simulation clock and its single stepping primitive.
 *
 * A sim owns the future-event list and the clock.  Everything that happens is
 * an event: sim_step() pops the earliest one, advances the clock to its time
 * and calls its handler.  Run-until, progress reporting, interrupts and tests
 * are all built on sim_step (one primitive, GSL init/iterate/test style).
 *
 * Ownership: the sim owns its queue; events belong to the objects embedding
 * them.  `ctx` (the model) is reachable from every handler and not owned.
 */
#ifndef RELSIM_SIM_H
#define RELSIM_SIM_H

#include "sim/evq.h"

#include <stdint.h>

typedef struct sim {
    double now;
    evq q;
    uint64_t events; /* handlers called so far */
    void *ctx;       /* the model, for handlers (s->ctx) */
} sim;

#define SIM_EVQ_CAP0 256 /* event-list entries allocated at sim_init (grows by doubling) */

int sim_init(sim *s, void *ctx);
void sim_destroy(sim *s);

/* Back to t = 0 with no events, keeping memory (between replications). */
void sim_reset(sim *s);

/* Schedule EV to fire DELAY (>= 0) from now, or at absolute time T. */
static inline int sim_after(sim *s, sim_event *ev, double delay)
{
    return evq_push(&s->q, ev, s->now + delay);
}
static inline int sim_at(sim *s, sim_event *ev, double t) { return evq_push(&s->q, ev, t); }
static inline void sim_cancel(sim *s, sim_event *ev) { evq_cancel(&s->q, ev); }

/* 1 once an event could not be scheduled (no memory for the event list):
 * the run is wrong from then on and must end with an error.  Sticky until
 * sim_reset. */
static inline int sim_failed(const sim *s) { return s->q.failed; }

/* Fire the earliest event if its time is <= UNTIL.  Returns 1 if one fired,
 * 0 if none is due (the clock then moves to UNTIL) or if an earlier push
 * failed (sim_failed; the clock stays). */
static inline int sim_step(sim *s, double until)
{
    if (__builtin_expect(s->q.failed, 0))
        return 0;
    double t;
    sim_event *ev = evq_pop_due(&s->q, until, &t);
    if (!ev) {
        s->now = until;
        return 0;
    }
    s->now = t;
    s->events++;
    ev->fire(s, ev);
    return 1;
}

/* FIFO timers with one constant delay (per-attempt timeouts, deadlines,
 * hedging delays).  Because the delay is constant, expiry order is arrival
 * order: timers sit in a linked list and only the head is in the event list.
 * Cancelling unlinks in O(1) and touches no heap; a cancelled head leaves at
 * most one early wake-up that re-arms for the new head.  So a timer that does
 * not fire costs two pointer writes. */
typedef struct timer_node {
    struct timer_node *prev, *next;
    double expiry;
} timer_node;

typedef struct {
    sim_event ev; /* wakes at the head's expiry */
    timer_node head; /* sentinel of a circular list */
    double delay;
    void (*expire)(void *ctx, timer_node *n); /* called for each expired timer */
    void *ctx;
} timerq;

void timerq_init(timerq *t, double delay, void (*expire)(void *, timer_node *), void *ctx);
/* Forget every timer (between replications). */
void timerq_reset(timerq *t);
/* Start N: it expires DELAY from now unless cancelled. */
int timerq_start(timerq *t, sim *s, timer_node *n);
/* Stop N if it is running; a no-op otherwise. */
static inline void timerq_stop(timer_node *n)
{
    if (n->next) {
        n->prev->next = n->next;
        n->next->prev = n->prev;
        n->next = n->prev = NULL;
    }
}
static inline int timerq_running(const timer_node *n) { return n->next != NULL; }

#endif
