/* hold.c - the hold model on the engine's own event list (sim/evq.h).
 *
 * The classic future-event-list benchmark (Vaucher and Duval 1975, Jones
 * 1986): fill the list with N events at Exp(1) times, then repeat
 *     pop the earliest (time t); push it back at t + Exp(1)
 * so the list keeps N pending events.  One hold = one pop + one push + one
 * exponential draw (taus2 + log, the engine's rng_exp).  Two baselines run on
 * the same draws:
 *   bare  a bare binary min-heap of doubles: no sequence numbers, no
 *         positions written back (the "bare C heap hold loop" that the
 *         project's benchmark brief quoted at 21-23 ns);
 *   rng   the draws alone, so (evq - rng) is the list's own cost.
 * Every figure is the median of REPS timed runs (thread CPU time), after N
 * warm-up holds (the time distribution of a hold model only settles after
 * about N holds).
 *
 * Usage: hold [SCALE [PENDING ...]]   (SCALE multiplies the operation counts,
 * default 1; PENDING: the sizes to run instead of 16, 10^2, 10^4, 10^6)
 * Prints one JSON object on stdout.
 */
#include "sim/evq.h"
#include "sim/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define REPS 5

/* CPU time of this thread: on a shared machine, time spent descheduled
 * would otherwise land in whichever loop happened to be running. */
static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void never_fires(struct sim *s, sim_event *ev)
{
    (void)s;
    (void)ev;
}

/* ---- the engine's 4-ary heap ------------------------------------------------ */

typedef struct {
    evq q;
    sim_event *ev;
    size_t n;
} evq_bench;

static int evq_setup(evq_bench *b, size_t n, rng_stream *r)
{
    b->n = n;
    b->ev = calloc(n, sizeof *b->ev);
    if (!b->ev || evq_init(&b->q, n))
        return -1;
    for (size_t i = 0; i < n; i++) {
        b->ev[i].fire = never_fires;
        if (evq_push(&b->q, &b->ev[i], rng_exp(r, 1.0)))
            return -1;
    }
    return 0;
}

static double evq_holds(evq_bench *b, rng_stream *r, long ops)
{
    double t, sum = 0;
    for (long k = 0; k < ops; k++) {
        sim_event *ev = evq_pop(&b->q, &t);
        evq_push(&b->q, ev, t + rng_exp(r, 1.0));
        sum += t;
    }
    return sum;
}

static void evq_teardown(evq_bench *b)
{
    evq_destroy(&b->q);
    free(b->ev);
}

/* ---- a bare binary heap of doubles (1-based) ------------------------------- */

typedef struct {
    double *h;
    size_t n;
} bare_heap;

static void bare_push(bare_heap *b, double x)
{
    size_t i = ++b->n;
    while (i > 1 && b->h[i / 2] > x) {
        b->h[i] = b->h[i / 2];
        i /= 2;
    }
    b->h[i] = x;
}

static double bare_pop(bare_heap *b)
{
    double top = b->h[1], x = b->h[b->n--];
    size_t i = 1, n = b->n;
    for (;;) {
        size_t c = 2 * i;
        if (c > n)
            break;
        if (c < n && b->h[c + 1] < b->h[c])
            c++;
        if (!(b->h[c] < x))
            break;
        b->h[i] = b->h[c];
        i = c;
    }
    b->h[i] = x;
    return top;
}

static int bare_setup(bare_heap *b, size_t n, rng_stream *r)
{
    b->n = 0;
    b->h = malloc((n + 1) * sizeof *b->h);
    if (!b->h)
        return -1;
    for (size_t i = 0; i < n; i++)
        bare_push(b, rng_exp(r, 1.0));
    return 0;
}

static double bare_holds(bare_heap *b, rng_stream *r, long ops)
{
    double sum = 0;
    for (long k = 0; k < ops; k++) {
        double t = bare_pop(b);
        bare_push(b, t + rng_exp(r, 1.0));
        sum += t;
    }
    return sum;
}

/* ---- the draws alone ----------------------------------------------------------- */

static double rng_holds(rng_stream *r, long ops)
{
    double t = 0;
    for (long k = 0; k < ops; k++)
        t += rng_exp(r, 1.0);
    return t;
}

/* ---- driver ------------------------------------------------------------------- */

typedef struct {
    double evq_ns, bare_ns, rng_ns;
} hold_result;

/* Median ns per hold at N pending events, OPS holds per timed run. */
static int measure(size_t n, long ops, rng_stream *r, hold_result *out, double *sink)
{
    double e[REPS], b[REPS], g[REPS];
    evq_bench eb;
    bare_heap bh;
    if (evq_setup(&eb, n, r) || bare_setup(&bh, n, r)) {
        fprintf(stderr, "hold: out of memory at n = %zu\n", n);
        return -1;
    }
    *sink += evq_holds(&eb, r, (long)n) + bare_holds(&bh, r, (long)n); /* warm-up */
    for (int k = 0; k < REPS; k++) {
        double t0 = now_ns();
        *sink += evq_holds(&eb, r, ops);
        double t1 = now_ns();
        *sink += bare_holds(&bh, r, ops);
        double t2 = now_ns();
        *sink += rng_holds(r, ops);
        double t3 = now_ns();
        e[k] = (t1 - t0) / (double)ops;
        b[k] = (t2 - t1) / (double)ops;
        g[k] = (t3 - t2) / (double)ops;
    }
    out->evq_ns = median(e, REPS);
    out->bare_ns = median(b, REPS);
    out->rng_ns = median(g, REPS);
    evq_teardown(&eb);
    free(bh.h);
    return 0;
}

int main(int argc, char **argv)
{
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    if (!(scale > 0)) {
        fprintf(stderr, "usage: hold [SCALE > 0 [PENDING >= 1 ...]]\n");
        return 2;
    }
    /* 16: what the reference workload keeps pending (15.4 on average) */
    size_t sizes[16] = {16, 100, 10000, 1000000}, nsizes = 4;
    if (argc > 2) {
        nsizes = 0;
        for (int a = 2; a < argc && nsizes < 16; a++) {
            long p = atol(argv[a]);
            if (p < 1) {
                fprintf(stderr, "usage: hold [SCALE > 0 [PENDING >= 1 ...]]\n");
                return 2;
            }
            sizes[nsizes++] = (size_t)p;
        }
    }
    rng_stream r;
    if (rng_init(&r)) {
        fprintf(stderr, "hold: out of memory\n");
        return 1;
    }
    rng_seed(&r, 2385);
    double sink = 0;
    printf("{\"unit\": \"ns of CPU per hold (pop + push + Exp draw), median of %d\", \"sizes\": [", REPS);
    for (size_t i = 0; i < nsizes; i++) {
        hold_result h;
        long ops = sizes[i] <= 1000 ? 2000000 : sizes[i] <= 100000 ? 1000000 : 300000;
        long n_ops = (long)(ops * scale);
        if (n_ops < 1000)
            n_ops = 1000;
        if (measure(sizes[i], n_ops, &r, &h, &sink)) {
            rng_destroy(&r);
            return 1;
        }
        printf("%s\n  {\"pending\": %zu, \"holds\": %ld, \"evq_ns\": %.2f, \"bare_binary_heap_ns\": %.2f, "
               "\"rng_only_ns\": %.2f, \"evq_over_bare\": %.3f}",
               i ? "," : "", sizes[i], n_ops, h.evq_ns, h.bare_ns, h.rng_ns, h.evq_ns / h.bare_ns);
        fflush(stdout);
    }
    printf("\n], \"checksum\": %.6g}\n", sink);
    rng_destroy(&r);
    return 0;
}
