/* evq.h - the future-event list: a 4-ary min-heap of scheduled events.
 *
 * Events are keyed by (time, sequence number): equal times fire in the order
 * they were scheduled, so runs are bit-reproducible.  The heap stores small
 * entries {time, seq, event*} and writes each entry's position back into its
 * event, so an event can be cancelled or moved in O(log n).
 *
 * Ownership: the queue owns only its entry array.  Events are owned by the
 * objects that embed them (a server, a request, ...); the queue never
 * allocates or frees an event, so scheduling costs no allocation.
 */
#ifndef RELSIM_EVQ_H
#define RELSIM_EVQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_event sim_event;
struct sim;
/* A handler gets the simulation (its clock, its ctx) and the event that fired. */
typedef void (*sim_handler)(struct sim *s, sim_event *ev);

/* Embed one of these in whatever object an event belongs to. */
struct sim_event {
    sim_handler fire; /* called when the event's time comes */
    uint32_t pos;     /* 1 + heap index while scheduled, 0 when idle */
};

typedef struct {
    double time;
    uint64_t seq;
    sim_event *ev;
} evq_entry;

typedef struct {
    evq_entry *heap;
    size_t n, cap;
    uint64_t next_seq;
} evq;

/* Initialise an empty queue with room for CAP entries (grows as needed).
 * Returns 0 or -1 on ENOMEM. */
int evq_init(evq *q, size_t cap);
void evq_destroy(evq *q);

/* Forget every scheduled event (they become idle); keeps the memory. */
void evq_clear(evq *q);

/* Schedule an idle event at TIME. Returns 0, or -1 if the heap could not grow. */
int evq_push(evq *q, sim_event *ev, double time);

/* Unschedule EV if it is scheduled; a no-op otherwise. */
void evq_cancel(evq *q, sim_event *ev);

/* Move a scheduled or idle event to TIME (as cancel + push, new sequence). */
int evq_move(evq *q, sim_event *ev, double time);

/* Remove the earliest event; *TIME gets its time. NULL when empty. */
sim_event *evq_pop(evq *q, double *time);

static inline size_t evq_size(const evq *q) { return q->n; }
static inline int evq_scheduled(const sim_event *ev) { return ev->pos != 0; }
static inline double evq_top_time(const evq *q) { return q->heap[0].time; }

/* The object that embeds MEMBER at PTR (handlers get the event, want the owner). */
#define SIM_CONTAINER(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

#endif
