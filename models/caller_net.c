/* caller_net.c - the network between a caller and its pool (MODEL.md
 * "Network").
 *
 * A caller with `network` (or cut by a partition event) sends each attempt
 * and receives each answer over a link: a message is lost with probability
 * `loss` (every message while partitioned), else it arrives after a `delay`
 * draw.  A lost message is never noticed: only the attempt's timeout or the
 * request's deadline ends the attempt.  In flight the attempt is AT_NET and
 * its `done` event is the arrival.
 */
#include "models/caller_impl.h"
#include "models/dist.h"

static int net_lost(caller *c)
{
    const network_cfg *n = &c->cfg->network;
    if (c->partitioned > 0 || (n->loss > 0 && rng_uniform(&c->rng_net) < n->loss)) {
        c->net_lost++;
        return 1;
    }
    return 0;
}

static double net_delay(caller *c)
{
    const dist_cfg *d = &c->cfg->network.delay;
    return d->kind == DIST_NONE ? 0 : dist_sample(d, &c->rng_net);
}

static void net_arrive(sim *s, sim_event *ev)
{
    (void)s;
    attempt *a = SIM_CONTAINER(ev, attempt, done);
    a->where = AT_NONE;
    pool_arrive(a->owner->target, a->server, a); /* it goes on even if nobody waits now */
}

void caller_net_send(caller *c, attempt *a)
{
    c->net_msgs++;
    if (net_lost(c))
        return; /* live, AT_NONE: the timeout ends it */
    double d = net_delay(c);
    if (d <= 0) {
        pool_arrive(c->target, a->server, a);
        return;
    }
    a->where = AT_NET;
    a->done.fire = net_arrive;
    sim_after(&c->w->s, &a->done, d);
}

static void net_back(sim *s, sim_event *ev)
{
    (void)s;
    attempt *a = SIM_CONTAINER(ev, attempt, done);
    a->where = AT_NONE;
    caller_answer(a, (outcome)a->outcome);
}

/* The server answered A with O: the answer crosses the network. */
void caller_net_reply(caller *c, attempt *a, outcome o)
{
    c->net_msgs++;
    if (net_lost(c))
        return;
    double d = net_delay(c);
    if (d <= 0) {
        caller_answer(a, o);
        return;
    }
    a->where = AT_NET;
    a->outcome = (uint8_t)o;
    a->done.fire = net_back;
    sim_after(&c->w->s, &a->done, d);
}

void caller_partition(caller *c, int on)
{
    c->partitioned += on ? 1 : -1;
}
