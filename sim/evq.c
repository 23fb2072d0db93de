/* evq.c - 4-ary heap with positions written back for O(log n) cancel.
 *
 * A 4-ary heap halves the depth of a binary one and keeps a node's children
 * in one or two cache lines; sift-down compares four keys per level but
 * touches fewer lines, which is what costs at 10^2-10^6 pending events.
 */
#include "evq.h"

#include <stdlib.h>

#define ARITY 4

static inline int before(const evq_entry *a, const evq_entry *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline void place(evq *q, size_t i, evq_entry e)
{
    q->heap[i] = e;
    e.ev->pos = (uint32_t)(i + 1);
}

static void sift_up(evq *q, size_t i, evq_entry e)
{
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!before(&e, &q->heap[parent]))
            break;
        place(q, i, q->heap[parent]);
        i = parent;
    }
    place(q, i, e);
}

static void sift_down(evq *q, size_t i, evq_entry e)
{
    size_t n = q->n;
    for (;;) {
        size_t first = i * ARITY + 1;
        if (first >= n)
            break;
        size_t last = first + ARITY < n ? first + ARITY : n;
        size_t best = first;
        for (size_t c = first + 1; c < last; c++)
            if (before(&q->heap[c], &q->heap[best]))
                best = c;
        if (!before(&q->heap[best], &e))
            break;
        place(q, i, q->heap[best]);
        i = best;
    }
    place(q, i, e);
}

int evq_init(evq *q, size_t cap)
{
    q->n = 0;
    q->next_seq = 0;
    q->cap = cap ? cap : 64;
    q->heap = malloc(q->cap * sizeof *q->heap);
    return q->heap ? 0 : -1;
}

void evq_destroy(evq *q)
{
    free(q->heap);
    q->heap = NULL;
    q->n = q->cap = 0;
}

void evq_clear(evq *q)
{
    for (size_t i = 0; i < q->n; i++)
        q->heap[i].ev->pos = 0;
    q->n = 0;
    q->next_seq = 0;
}

int evq_push(evq *q, sim_event *ev, double time)
{
    if (q->n == q->cap) {
        size_t cap = q->cap * 2;
        evq_entry *h = realloc(q->heap, cap * sizeof *h);
        if (!h)
            return -1;
        q->heap = h;
        q->cap = cap;
    }
    evq_entry e = {time, q->next_seq++, ev};
    sift_up(q, q->n++, e);
    return 0;
}

static void remove_at(evq *q, size_t i)
{
    q->heap[i].ev->pos = 0;
    evq_entry last = q->heap[--q->n];
    if (i == q->n)
        return;
    if (i > 0 && before(&last, &q->heap[(i - 1) / ARITY]))
        sift_up(q, i, last);
    else
        sift_down(q, i, last);
}

void evq_cancel(evq *q, sim_event *ev)
{
    if (ev->pos)
        remove_at(q, ev->pos - 1);
}

int evq_move(evq *q, sim_event *ev, double time)
{
    evq_cancel(q, ev);
    return evq_push(q, ev, time);
}

sim_event *evq_pop(evq *q, double *time)
{
    if (q->n == 0)
        return NULL;
    evq_entry top = q->heap[0];
    top.ev->pos = 0;
    *time = top.time;
    evq_entry last = q->heap[--q->n];
    if (q->n > 0)
        sift_down(q, 0, last);
    return top.ev;
}
