/* sim.c - clock, reset, and the constant-delay timer queues. */
#include "sim/sim.h"

#include <stddef.h>

int sim_init(sim *s, void *ctx)
{
    s->now = 0;
    s->events = 0;
    s->ctx = ctx;
    return evq_init(&s->q, SIM_EVQ_CAP0);
}

void sim_destroy(sim *s) { evq_destroy(&s->q); }

void sim_reset(sim *s)
{
    evq_clear(&s->q);
    s->now = 0;
    s->events = 0;
}

/* The head event fired: expire every timer that is due, re-arm for the rest. */
static void timerq_fire(sim *s, sim_event *ev)
{
    timerq *t = (timerq *)((char *)ev - offsetof(timerq, ev));
    timer_node *h = &t->head;
    while (h->next != h && h->next->expiry <= s->now) {
        timer_node *n = h->next;
        timerq_stop(n);
        t->expire(t->ctx, n);
    }
    /* An expiry handler may have started a timer on this queue (an immediate
     * retry after a timeout), which armed the wake-up for that NEW timer,
     * later than the older ones still waiting: re-arm for the head. */
    if (h->next != h)
        evq_move(&s->q, &t->ev, h->next->expiry);
    else
        evq_cancel(&s->q, &t->ev);
}

void timerq_init(timerq *t, double delay, void (*expire)(void *, timer_node *), void *ctx)
{
    t->ev.fire = timerq_fire;
    t->ev.pos = 0;
    t->delay = delay;
    t->expire = expire;
    t->ctx = ctx;
    timerq_reset(t);
}

void timerq_reset(timerq *t)
{
    t->head.next = t->head.prev = &t->head;
    t->ev.pos = 0; /* the sim's queue is cleared separately */
}

int timerq_start(timerq *t, sim *s, timer_node *n)
{
    timer_node *h = &t->head;
    n->expiry = s->now + t->delay;
    n->prev = h->prev;
    n->next = h;
    h->prev->next = n;
    h->prev = n;
    if (!evq_scheduled(&t->ev))
        return sim_at(s, &t->ev, n->expiry);
    return 0;
}
