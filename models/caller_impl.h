/* caller_impl.h - what the caller's files share among themselves, and no one
 * else: caller.c (attempts and requests, the hot path), caller_gates.c
 * (breakers' server set, outlier ejection, overload gates), caller_net.c
 * (the network), caller_setup.c (build, reset, free lists) and
 * caller_metrics.c.  The public interface is in model.h ("Callers").
 */
#ifndef RELSIM_CALLER_IMPL_H
#define RELSIM_CALLER_IMPL_H

#include "models/model.h"

#define CALLER_SLAB 256 /* requests or attempts per slab of a free list */

/* The breaker guarding server S: per server (nbrk = servers; one server:
 * brk[0] either way), or the pool's one; NULL without a breaker. */
static inline breaker *breaker_for(caller *c, int s)
{
    return c->nbrk ? &c->brk[c->nbrk > 1 ? s : 0] : NULL;
}

/* C's outstanding attempts at S changed by DELTA. */
static inline void outstanding_add(caller *c, int s, int delta)
{
    c->outstanding[s] += delta; /* also the set's counts (srvset_share_counts) */
    if (c->set.count)
        srvset_add_count(&c->set, s, delta);
}

/* caller.c */
void caller_refuse(caller *c, request *r, outcome o); /* refused by the caller itself */
void caller_answer(attempt *a, outcome o);            /* the answer to A reached the caller */
void caller_timeout_expired(void *ctx, timer_node *n);
void caller_deadline_expired(void *ctx, timer_node *n);
void caller_hedge_expired(void *ctx, timer_node *n);

/* caller_gates.c */
void caller_refresh_avail(caller *c, int s);
void caller_on_breaker_change(void *owner, breaker *b, brk_state from, brk_state to);
void caller_outlier_return(sim *s, sim_event *ev);
void caller_outlier_record(caller *c, int s, int failed);
int caller_pass_gates(caller *c, request *r, int hedge); /* 1: go; 0: refused or waiting */
void caller_gates_learn(caller *c, attempt *a, outcome o);
void caller_bulkhead_unwait(caller *c, request *r);
void caller_bulkhead_release(caller *c);
void caller_bulkhead_expired(void *ctx, timer_node *n);

/* caller_net.c */
void caller_net_send(caller *c, attempt *a);
void caller_net_reply(caller *c, attempt *a, outcome o);

/* caller_setup.c: a fresh slab for an empty free list; -1 out of memory */
int caller_att_refill(caller *c);
int caller_req_refill(caller *c);

#endif
