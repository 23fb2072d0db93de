/* workest.c - expected work of a scenario (see workest.h). */
#include "app/workest.h"

#include <math.h>
#include <stdio.h>

/* Requests/s of client C at its nominal rate: the Poisson rate (the largest
 * point of a schedule, the peak of a periodic load), or closed users over
 * think + service time. */
static double client_rate(const scenario *sc, const client_cfg *c)
{
    const arrival_cfg *a = &c->arrival;
    if (a->process == ARRIVAL_CLOSED) {
        double cycle = dist_mean(&a->think) + dist_mean(&sc->pools[c->policy.target].service);
        return cycle > 0 ? a->users / cycle : a->users * 1e6;
    }
    double r = a->rate;
    for (int k = 0; k < a->nsched; k++)
        r = fmax(r, a->sched[k].rate);
    if (a->period > 0)
        r *= 1 + a->amplitude;
    return r;
}

void we_estimate_of(const scenario *sc, we_estimate *e)
{
    double span = sc->horizon, ev = 0;
    e->pools = sc->npools;
    e->clients = sc->nclients;
    e->servers = 0;
    e->top_client = -1;
    e->top_rate = 0;
    for (int p = 0; p < sc->npools; p++) {
        const pool_cfg *pc = &sc->pools[p];
        e->servers += pc->servers;
        if (pc->failure.kind != DIST_NONE) {
            double cycle = dist_mean(&pc->failure) + dist_mean(&pc->repair);
            if (cycle > 0)
                ev += 2.0 * pc->servers * span / cycle;
        }
    }
    for (int c = 0; c < sc->nclients; c++) {
        double r = client_rate(sc, &sc->clients[c]);
        ev += WE_EVENTS_PER_REQUEST * r * span;
        if (r > e->top_rate) {
            e->top_rate = r;
            e->top_client = c;
        }
    }
    ev += sc->bin > 0 ? span / sc->bin : 200;
    e->events = ev;
    e->wall = ev * sc->replications * WE_NS_PER_EVENT * 1e-9;
}

/* "2.5 s", "3.1 min", "4.2 h", "3.5 days", "2.1e+03 years" */
static const char *duration(double s, char *buf, size_t n)
{
    if (s < 90)
        snprintf(buf, n, "%.2g s", s);
    else if (s < 5400)
        snprintf(buf, n, "%.2g min", s / 60);
    else if (s < 2 * 86400)
        snprintf(buf, n, "%.2g h", s / 3600);
    else if (s < 730 * 86400)
        snprintf(buf, n, "%.3g days", s / 86400);
    else
        snprintf(buf, n, "%.2g years", s / (365.25 * 86400));
    return buf;
}

void we_describe(const scenario *sc, const we_estimate *e, char *buf, size_t n)
{
    char w[40];
    snprintf(buf, n,
             "%s: %d pool%s (%d server%s), %d client%s; about %.2g events per replication, "
             "%.2g for %d replication%s: about %s on one core at the benchmark's %.0f ns/event",
             sc->name, e->pools, e->pools == 1 ? "" : "s", e->servers, e->servers == 1 ? "" : "s",
             e->clients, e->clients == 1 ? "" : "s", e->events, e->events * sc->replications,
             sc->replications, sc->replications == 1 ? "" : "s", duration(e->wall, w, sizeof w),
             WE_NS_PER_EVENT);
}

int we_refuse_if_too_big(const scenario *sc, const char *file, FILE *err)
{
    we_estimate e;
    we_estimate_of(sc, &e);
    double lim = sc->limits.max_events;
    if (!(lim > 0) || e.events <= lim)
        return 0;
    char w[40], l[40];
    fprintf(err, "relsim: %s: about %.3g events per replication expected, above limits.max_events = "
                 "%.3g (%s per replication at the benchmark's %.0f ns/event, the limit allows %s)",
            file, e.events, lim, duration(e.events * WE_NS_PER_EVENT * 1e-9, w, sizeof w),
            WE_NS_PER_EVENT, duration(lim * WE_NS_PER_EVENT * 1e-9, l, sizeof l));
    if (e.top_client >= 0)
        fprintf(err, "; most of it from client '%s': arrival rate %.10g/s x horizon %.6g s",
                sc->clients[e.top_client].name, e.top_rate, sc->horizon);
    fprintf(err, ". Check the rates and the horizon, or raise limits.max_events "
                 "(e.g. --set limits.max_events=%.0e)\n", pow(10, ceil(log10(e.events))));
    return -1;
}
