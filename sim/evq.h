/* evq.h - the future-event list: a sorted array while few events are
 * pending, a 4-ary min-heap beyond that.
 *
 * Events are keyed by (time, sequence number): equal times fire in the order
 * they were scheduled, so runs are bit-reproducible.  Keys are unique, so the
 * order in which events leave is fixed by the keys alone, whichever of the two
 * layouts holds them.  The queue stores small entries {time, seq, event*};
 * the event holds the seq of its one live entry.  Cancelling a short list's
 * event removes its entry; cancelling a heap's only marks the event idle, and
 * its entry, now stale (its seq is not the event's), is dropped when it
 * reaches the top or when stale entries outnumber live ones (a compaction).
 * So entries never move in memory that is not the queue's: a heap step does
 * not write into the (cold, scattered) event objects, which in a 10^4-event
 * heap cost a cache miss per level.
 *
 * Ownership: the queue owns only its entry array.  Events are owned by the
 * objects that embed them (a server, a request, ...); the queue never
 * allocates or frees an event, so scheduling costs no allocation.  A
 * cancelled event's stale entry may still point at it: its memory must stay
 * valid (it may be reused for anything that keeps the sim_event's fields
 * sim_event-shaped, as a free list does) until evq_clear or evq_destroy.
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
    uint64_t pos;     /* 1 + seq of its live entry while scheduled, 0 when idle
                         (objects set it to 0 to mark an event idle after evq_clear) */
};

typedef struct {
    double time;
    uint64_t seq;
    sim_event *ev;
} evq_entry;

/* A look-ahead hook (evq_set_ahead): the ring calls it for the scheduled
 * events it will pop soon, so a model can prefetch what their handlers will
 * read (memory behind the event, which the queue cannot see).  STAGE 0: the
 * events of the next bucket after the one just loaded (their own lines were
 * prefetched a bucket earlier); STAGE 1: the events of the bucket just
 * loaded, which fire within the next few pops (what stage 0 prefetched is
 * there now, so the hook may read it and fetch one level further).  It must
 * only read: the order of events and every result stay the same. */
typedef void (*evq_ahead_fn)(const sim_event *ev, int stage);

/* Two layouts of one array (see evq.c for why and when it switches):
 *   list (sorted = 1): sorted by key, latest first; the next event is
 *                      heap[n - 1];
 *   heap (sorted = 0): 4-ary min-heap; the next event is heap[0], or the
 *                      earlier of it and the near-future ring's next (below).
 * With many events pending (heap layout) a ring of time buckets can take the
 * near future off the heap: a calendar whose current bucket, sorted, is the
 * `bot` array (latest first). */
typedef struct {
    evq_entry *heap;   /* the entries, in either layout */
    size_t n, cap;     /* entries (live and, in the heap, stale), room */
    size_t stale;      /* heap layout: entries of cancelled events still held (heap, ring, bot) */
    uint64_t next_seq; /* seq of the next push */
    int sorted;        /* 1: list layout, 0: heap layout */
    size_t list_room;  /* list layout: min(cap, EVQ_LIST_MAX), the entries an inline push
                          may fill; 0 in the heap layout (one test on the hot path) */
    int failed;        /* sticky: a push found no memory and its event was not scheduled */
    /* the near-future ring (heap layout only; ring_on = 0: everything in the heap) */
    int ring_on;
    struct evq_chunk *ring; /* nring buckets, each a chunk of its first entries (evq.c);
                               the bucket of time t: floor(t * inv_w) mod nring */
    uint8_t *ring_cnt;      /* entries per bucket (at most BOT_MAX, evq.c) */
    struct evq_chunk *chunk;     /* a pool of chunks for buckets' further entries */
    uint32_t nchunk, free_chunk; /* chunks in the pool; 1 + the first unused one (0: none) */
    size_t nring, ring_n; /* buckets (a power of two); entries in them */
    double inv_w;      /* 1 / bucket width */
    uint64_t base;     /* bot holds the ring's events of buckets below base; the ring [base, base + nring) */
    evq_entry *bot;    /* sorted latest first, like the list (room for BOT_MAX, evq.c) */
    size_t nbot;
    evq_ahead_fn ahead; /* look-ahead hook, or NULL (kept by evq_clear) */
    uint64_t pops;     /* heap-layout pops, for the width estimate */
    double mark;       /* time of the pop that started the current estimate */
} evq;

/* Tests only: when nonzero, the entry array never grows beyond this many
 * entries, as if realloc had failed (0 = no cap).  Set before the queues are
 * used; read only when an array must grow, so it costs the hot path nothing. */
extern size_t evq_fault_cap;

/* Initialise an empty queue with room for CAP entries (grows as needed).
 * Returns 0 or -1 on ENOMEM. */
int evq_init(evq *q, size_t cap);
void evq_destroy(evq *q);

/* Install the look-ahead hook FN (NULL: none). */
static inline void evq_set_ahead(evq *q, evq_ahead_fn fn) { q->ahead = fn; }

/* Forget every scheduled event (they become idle) and a past failure; keeps
 * the memory. */
void evq_clear(evq *q);

#define EVQ_LIST_MAX 32 /* a push beyond this many pending turns the list into a heap */

/* Schedule an idle event at TIME. Returns 0, or -1 if the array could not
 * grow: the event is then not scheduled and q->failed is set until
 * evq_clear (whoever runs the queue must stop: see sim_step).
 * Inline fast path: a push onto a short list walks back past the events due
 * no later than TIME (the pushed event has the largest seq so far, so it goes
 * after every equal time) and costs no call; the rest is evq_push_any. */
int evq_push_any(evq *q, sim_event *ev, double time);

/* Insert E into the N entries of H sorted latest first (room for one more),
 * below every entry due no later than E: E has the largest seq so far, so it
 * fires after every equal time.  The list's, bot's and the ring's sorted
 * insertions (evq.c) are all this walk. */
static inline void evq_sorted_insert(evq_entry *h, size_t n, evq_entry e)
{
    for (; n > 0 && h[n - 1].time <= e.time; n--)
        h[n] = h[n - 1];
    h[n] = e;
}

static inline int evq_push(evq *q, sim_event *ev, double time)
{
    if (q->n < q->list_room) {
        uint64_t seq = q->next_seq++;
        evq_sorted_insert(q->heap, q->n++, (evq_entry){time, seq, ev});
        ev->pos = seq + 1;
        return 0;
    }
    return evq_push_any(q, ev, time);
}

/* Unschedule EV if it is scheduled; a no-op otherwise (inline: models
 * cancel idle events often, e.g. a request's timer when its answer came). */
void evq_cancel_any(evq *q, sim_event *ev);
static inline void evq_cancel(evq *q, sim_event *ev)
{
    if (ev->pos)
        evq_cancel_any(q, ev);
}

/* Move a scheduled or idle event to TIME (as cancel + push, new sequence). */
int evq_move(evq *q, sim_event *ev, double time);

/* Remove the earliest event; *TIME gets its time. NULL when empty.
 * Inline fast path: from a list, the earliest event is the last entry, so a
 * pop is a few loads and stores and no call (sim_step does one per event). */
sim_event *evq_pop_heap(evq *q, double *time);
static inline sim_event *evq_pop(evq *q, double *time)
{
    if (q->sorted && q->n > 0) {
        evq_entry *top = &q->heap[--q->n];
        top->ev->pos = 0;
        *time = top->time;
        return top->ev;
    }
    return evq_pop_heap(q, time);
}

/* Remove the earliest event if its time is <= UNTIL (*TIME gets it), else
 * NULL: what sim_step needs, in one look at the queue.  Inline for a list. */
sim_event *evq_pop_due_heap(evq *q, double until, double *time);
static inline sim_event *evq_pop_due(evq *q, double until, double *time)
{
    if (q->sorted) {
        if (q->n == 0 || q->heap[q->n - 1].time > until)
            return NULL;
        evq_entry *top = &q->heap[--q->n];
        top->ev->pos = 0;
        *time = top->time;
        return top->ev;
    }
    return evq_pop_due_heap(q, until, time);
}

/* Scheduled events (stale entries not counted). */
static inline size_t evq_size(const evq *q) { return q->n + q->ring_n + q->nbot - q->stale; }
static inline int evq_scheduled(const sim_event *ev) { return ev->pos != 0; }

/* The heap layout's earliest scheduled event (evq.c), or NULL. */
const evq_entry *evq_peek_heap(evq *q);
/* Time of the earliest scheduled event into *TIME: 1, or 0 when none is. */
static inline int evq_next_time(evq *q, double *time)
{
    if (q->sorted) {
        if (q->n == 0)
            return 0;
        *time = q->heap[q->n - 1].time;
        return 1;
    }
    const evq_entry *top = evq_peek_heap(q);
    if (!top)
        return 0;
    *time = top->time;
    return 1;
}

/* The object that embeds MEMBER at PTR (handlers get the event, want the owner). */
#define SIM_CONTAINER(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

#endif
