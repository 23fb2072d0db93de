/* mm1.c - an M/M/1 queue written directly on the engine (sim/ only).
 *
 * The same benchmark cimba and SimPy quote: Poisson arrivals at rate LAMBDA,
 * one server with Exp(MU) service, FIFO, no failures; two events per
 * customer (arrival, departure).  It costs what the engine costs (event list,
 * taus2 draws, one time average) without models/: the gap between this and
 * the relsim M/M/1 scenario in run.sh is the price of the model layer
 * (callers, attempts, balancer, statistics).  The mean number in system is
 * checked against rho / (1 - rho) so the loop cannot be optimised away.
 *
 * Usage: mm1 [CUSTOMERS]   (default 5000000).  Prints one JSON object.
 */
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/stat.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define LAMBDA 0.9
#define MU 1.0

typedef struct {
    sim_event arrive, depart;
    rng_stream ra, rs;
    long in_system, customers;
    stat_tw number; /* customers in system over time */
} mm1;

static void depart(sim *s, sim_event *ev)
{
    mm1 *m = SIM_CONTAINER(ev, mm1, depart);
    m->in_system--;
    m->customers++;
    stat_tw_set(&m->number, s->now, (double)m->in_system);
    if (m->in_system > 0)
        sim_after(s, &m->depart, rng_exp(&m->rs, MU));
}

static void arrive(sim *s, sim_event *ev)
{
    mm1 *m = SIM_CONTAINER(ev, mm1, arrive);
    sim_after(s, &m->arrive, rng_exp(&m->ra, LAMBDA));
    if (m->in_system++ == 0)
        sim_after(s, &m->depart, rng_exp(&m->rs, MU));
    stat_tw_set(&m->number, s->now, (double)m->in_system);
}

static double seconds(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    long want = argc > 1 ? atol(argv[1]) : 5000000;
    if (want < 1) {
        fprintf(stderr, "usage: mm1 [CUSTOMERS >= 1]\n");
        return 2;
    }
    mm1 m = {0};
    sim s;
    if (sim_init(&s, &m) || rng_init(&m.ra) || rng_init(&m.rs)) {
        fprintf(stderr, "mm1: out of memory\n");
        return 1;
    }
    rng_seed(&m.ra, 11);
    rng_seed(&m.rs, 12);
    m.arrive.fire = arrive;
    m.depart.fire = depart;
    stat_tw_init(&m.number, 0, 0);
    sim_after(&s, &m.arrive, rng_exp(&m.ra, LAMBDA));
    double t0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_THREAD_CPUTIME_ID);
    while (m.customers < want && sim_step(&s, 1e300))
        ;
    double wall = seconds(CLOCK_MONOTONIC) - t0, cpu = seconds(CLOCK_THREAD_CPUTIME_ID) - c0;
    double rho = LAMBDA / MU;
    /* rates per CPU second: what the engine costs, whatever else shares the cores */
    printf("{\"customers\": %ld, \"events\": %llu, \"wall_seconds\": %.4f, \"cpu_seconds\": %.4f, "
           "\"customers_per_second\": %.0f, \"events_per_second\": %.0f, \"ns_per_event\": %.2f, "
           "\"mean_in_system\": %.4f, \"analytic_mean_in_system\": %.4f}\n",
           m.customers, (unsigned long long)s.events, wall, cpu, (double)m.customers / cpu,
           (double)s.events / cpu, cpu * 1e9 / (double)s.events,
           stat_tw_mean(&m.number, s.now), rho / (1 - rho));
    rng_destroy(&m.ra);
    rng_destroy(&m.rs);
    sim_destroy(&s);
    return 0;
}
