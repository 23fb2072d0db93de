/* refmodel.c - the reference workload on models/ + sim/ alone (no loader).
 *
 * Builds the scenario of tests/bench/reference.json as config structs
 * (8 servers, exponential failures and repairs, 400 req/s Poisson, timeout
 * 0.25 s, 3 attempts with full-jitter exponential backoff, per-server
 * consecutive breakers), runs replication REP and prints the events,
 * requests, wall and CPU time and an FNV-1a hash of the whole record (every metric,
 * histogram bucket and time-series bin, wall clock excluded).  The hash is
 * the bit-identity check for engine optimisations: it must not change.
 * Also a profiling target that needs neither cJSON nor the app layer:
 *     valgrind --tool=callgrind build/release/bench/refmodel 1000
 *
 * Usage: refmodel [HORIZON [REP]]   (defaults 10000 s, replication 0)
 */
#include "models/world.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void reference(scenario *sc, pool_cfg *p, client_cfg *c, double horizon)
{
    memset(sc, 0, sizeof *sc);
    pool_cfg_defaults(p);
    snprintf(p->name, sizeof p->name, "api");
    p->servers = 8;
    p->workers = 1;
    p->service = (dist_cfg){.kind = DIST_EXPONENTIAL, .rate = 100};
    p->failure = (dist_cfg){.kind = DIST_EXPONENTIAL, .rate = 0.001};
    p->repair = (dist_cfg){.kind = DIST_EXPONENTIAL, .rate = 0.1};
    p->mode = FAIL_FAST;
    client_cfg_defaults(c);
    snprintf(c->name, sizeof c->name, "web");
    c->arrival.process = ARRIVAL_POISSON;
    c->arrival.rate = 400;
    policy_cfg *pc = &c->policy;
    pc->target = 0;
    pc->balancer = BAL_RANDOM;
    pc->timeout = 0.25;
    pc->retry.max_attempts = 3;
    pc->retry.backoff = (backoff_cfg){.kind = BACKOFF_EXPONENTIAL, .base = 0.01, .multiplier = 2,
                                      .cap = 1.0, .jitter = JITTER_FULL};
    pc->breaker.kind = BREAKER_CONSECUTIVE;
    pc->breaker.scope = SCOPE_PER_SERVER;
    pc->breaker.failure_threshold = 5;
    pc->breaker.open_for = 1.0;
    pc->breaker.half_open_probes = 1;
    sc->seed = 7;
    sc->horizon = horizon;
    sc->replications = 1;
    sc->npools = 1;
    sc->pools = p;
    sc->nclients = 1;
    sc->clients = c;
}

static uint64_t fnv1a(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

int main(int argc, char **argv)
{
    double horizon = argc > 1 ? atof(argv[1]) : 10000;
    unsigned long rep = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
    if (!(horizon > 0)) {
        fprintf(stderr, "usage: refmodel [HORIZON > 0 [REP]]\n");
        return 2;
    }
    scenario sc;
    pool_cfg p;
    client_cfg c;
    reference(&sc, &p, &c, horizon);
    world *w = world_new(&sc);
    if (!w) {
        fprintf(stderr, "refmodel: out of memory\n");
        return 1;
    }
    const rec_layout *L = world_layout(w);
    double *rec = calloc(L->total, sizeof *rec);
    if (!rec) {
        world_free(w);
        fprintf(stderr, "refmodel: out of memory\n");
        return 1;
    }
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    int st = world_run(w, rep, rec, 1, NULL);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) * 1e-9;
    if (st != WORLD_DONE) {
        fprintf(stderr, "refmodel: run failed (%d): %s\n", st, world_error(w));
        free(rec);
        world_free(w);
        return 1;
    }
    rec[L->misc + REC_WALL] = 0; /* the only field that may differ between runs */
    double events = rec[L->misc + REC_EVENTS];
    double requests = rec_caller(L, rec, 0)[CM_REQUESTS];
    printf("{\"events\": %.0f, \"requests\": %.0f, \"wall_seconds\": %.4f, \"cpu_seconds\": %.4f, "
           "\"requests_per_second\": %.0f, \"requests_per_cpu_second\": %.0f, \"ns_per_event_cpu\": %.2f, "
           "\"success\": %.6f, \"record_hash\": \"%016llx\"}\n",
           events, requests, wall, cpu, requests / wall, requests / cpu, cpu * 1e9 / events,
           rec_caller(L, rec, 0)[CM_REQUEST_SUCCESS], (unsigned long long)fnv1a(rec, L->total * sizeof *rec));
    free(rec);
    world_free(w);
    return 0;
}
