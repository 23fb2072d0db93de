/* ctmc.c - timings of the exact solvers (models/ctmc.c) for docs/PERFORMANCE.md.
 *
 *   build/release/bench/ctmc            every case below, one line each
 *
 * Chains: an M/M/1/K queue (rho 0.9) of 10^3, 10^5 and 10^6 states in
 * natural order (tridiagonal: band LU), the same relabelled i -> (i a) mod n
 * (bandwidth ~ n: reverse Cuthill-McKee order, then band LU), and
 * uniformization to t with q t = 10^3 (p(t) and its integral).  Each line: states, method, seconds, residual or error bound,
 * and the relative error of pi_0 against (1 - rho)/(1 - rho^n).
 */
#include "models/ctmc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int chain(ctmc *c, size_t n, size_t a, double rho)
{
    if (ctmc_init(c, n))
        return -1;
    for (size_t i = 0; i + 1 < n; i++)
        if (ctmc_add(c, i * a % n, (i + 1) * a % n, rho) || ctmc_add(c, (i + 1) * a % n, i * a % n, 1))
            return -1;
    return ctmc_finish(c);
}

static void steady(size_t n, size_t a)
{
    ctmc c;
    double rho = 0.9;
    if (chain(&c, n, a, rho)) {
        printf("%8zu states: build failed\n", n);
        return;
    }
    double *pi = malloc(n * sizeof *pi);
    ctmc_info in;
    int rc = ctmc_steady(&c, 0, pi, &in);
    double exact = (1 - rho) / (1 - pow(rho, (double)n));
    printf("steady     %8zu states %-8s %-22s %8.3f s  residual %.2g  iterations %zu  pi_0 rel. error %.2g  %s\n", n,
           a == 1 ? "banded" : "scattered", in.method, in.seconds, in.residual, in.iterations,
           fabs(pi[0] - exact) / exact, rc ? ctmc_strerror(rc) : "ok");
    free(pi);
    ctmc_destroy(&c);
}

static void transient(size_t n)
{
    ctmc c;
    if (chain(&c, n, 1, 0.9))
        return;
    double *p0 = calloc(n, sizeof *p0), *pt = malloc(n * sizeof *pt), *cum = malloc(n * sizeof *cum);
    p0[0] = 1;
    ctmc_info in;
    double t = 1e3 / (1.02 * c.qmax);
    int rc = ctmc_transient(&c, p0, t, 1e-10, pt, cum, &in);
    printf("transient  %8zu states qt = 1e3  %-22s %8.3f s  error <= %.2g  steps %zu%s  %s\n", n, in.method,
           in.seconds, in.error_bound, in.iterations, in.steady_detected ? " (steady detected)" : "",
           rc ? ctmc_strerror(rc) : "ok");
    free(p0);
    free(pt);
    free(cum);
    ctmc_destroy(&c);
}

int main(void)
{
    size_t sizes[] = {1000, 100000, 1000000};
    for (int i = 0; i < 3; i++)
        steady(sizes[i], 1);
    for (int i = 0; i < 3; i++)
        steady(sizes[i], 7919);
    for (int i = 0; i < 3; i++)
        transient(sizes[i]);
    return 0;
}
