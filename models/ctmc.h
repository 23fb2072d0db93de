/* ctmc.h - finite continuous-time Markov chains and their exact solvers
 * (prefix ctmc_).
 *
 * A chain is built once from its transitions (ctmc_add), frozen
 * (ctmc_finish, which stores the generator Q row by row), then solved:
 *
 *   ctmc_steady        pi Q = 0, sum pi = 1.  Direct dense LU (GSL) for small
 *                      spaces, GSL's banded LU when the generator is banded
 *                      (birth-death chains of any size); otherwise
 *                      Gauss-Seidel sweeps, handing over to GSL's sparse
 *                      GMRES if they stall.  The relative residual
 *                      |pi Q|_inf / q_max is reported either way.
 *   ctmc_transient     p(t) = p0 e^{Qt} and the integral of p over [0, t] by
 *                      uniformization, with the Poisson weights cut where the
 *                      neglected mass (GSL's Poisson CDF) is below eps: the
 *                      stated error bound in total variation.
 *   ctmc_absorb_time   mean time to first reach a set of states (e.g. the
 *                      system failure states), the same linear solvers on the
 *                      generator restricted to the other states.
 *
 * Nothing here knows about servers or JSON: the pool-to-chain translation is
 * in models/markov_pool.c.  Ownership: a ctmc owns its arrays; ctmc_destroy()
 * releases them.  Rates are per second, times in seconds.  Every function
 * returns CTMC_OK (0) or a negative CTMC_E* status and never aborts.
 */
#ifndef RELSIM_CTMC_H
#define RELSIM_CTMC_H

#include <stddef.h>

enum {
    CTMC_OK = 0,
    CTMC_ENOMEM = -1,  /* out of memory */
    CTMC_EINVAL = -2,  /* bad argument (state out of range, rate not finite > 0, not finished) */
    CTMC_ETOOBIG = -3, /* more than CTMC_MAX_STATES states or CTMC_MAX_TRANSITIONS transitions */
    CTMC_ESOLVE = -4,  /* the linear solver failed or did not converge */
    CTMC_ENEVER = -5,  /* ctmc_absorb_time: the target may never be reached (infinite mean) */
    CTMC_ERANGE = -6   /* ctmc_absorb_time: the mean is finite but overflows a double */
};

/* Refusal limits: a chain bigger than this is not built (documented in
 * docs/SOLVE.md).  10^6 states solve in seconds; 4x that still fits in memory
 * on a laptop but no longer within the minute we promise. */
#define CTMC_MAX_STATES 4000000
#define CTMC_MAX_TRANSITIONS 40000000
/* Uniformization stops (CTMC_ETOOBIG) after 1.5e10 operations, about a minute. */

typedef struct {
    size_t n;      /* states */
    size_t nnz;    /* off-diagonal transitions (after merging duplicates) */
    size_t *start; /* [n + 1]: transitions out of i are start[i] .. start[i+1]-1 */
    size_t *to;    /* [nnz] target state, increasing within a row */
    double *rate;  /* [nnz] rate of that transition (> 0) */
    double *out;   /* [n] total exit rate of each state (-Q[i][i]) */
    double qmax;   /* largest exit rate */
    size_t lb, ub; /* bandwidth of Q: for every transition i -> j, i - lb <= j <= i + ub */
    /* while building */
    size_t cap;
    size_t *bfrom;
    int finished;
} ctmc;

/* What a solver did, for the user to judge the number. */
typedef struct {
    const char *method;   /* "dense LU", "band LU", "GMRES", "uniformization" (static) */
    double residual;      /* steady: |pi Q|_inf / q_max; absorb: |Q tau + 1|_inf / (q_max |tau|_inf); NAN if none */
    double error_bound;   /* transient: bound on the neglected probability mass; 0 if exact */
    size_t iterations;    /* GMRES restarts or uniformization steps */
    int steady_detected;  /* uniformization stopped early: the vector stopped changing */
    double seconds;       /* wall time */
} ctmc_info;

/* A chain with N states (1 <= N <= CTMC_MAX_STATES) and no transitions yet. */
int ctmc_init(ctmc *c, size_t n);

/* Add a transition FROM -> TO at RATE (> 0, finite; FROM != TO).  A rate of
 * exactly 0 is ignored; repeated pairs add up. */
int ctmc_add(ctmc *c, size_t from, size_t to, double rate);

/* Freeze the chain: sort the transitions by row, merge duplicates, compute
 * the exit rates and the bandwidth.  No ctmc_add after this. */
int ctmc_finish(ctmc *c);

void ctmc_destroy(ctmc *c);

/* Stationary distribution into PI[n] (caller memory).  PIN is a state fixed
 * during the solve and rescaled afterwards: pick one that is likely (e.g.
 * "everything UP"), so no other probability overflows relative to it.  The
 * chain must have a single closed class containing PIN. */
int ctmc_steady(const ctmc *c, size_t pin, double *pi, ctmc_info *info);

/* The same with the solver chosen by the caller (tests, benchmarks):
 * CTMC_AUTO is what ctmc_steady does (dense LU up to 1200 states, band LU
 * when the band fits 240 MB and 4e9 flops, Gauss-Seidel then GMRES from its
 * result otherwise); dense LU is refused above 6000 states. */
typedef enum { CTMC_AUTO = 0, CTMC_DENSE, CTMC_BAND, CTMC_GAUSS_SEIDEL, CTMC_GMRES } ctmc_method;
int ctmc_steady_method(const ctmc *c, size_t pin, ctmc_method method, double *pi, ctmc_info *info);

/* Transient distribution P_T[n] at time T >= 0 from P0[n], and if CUM is not
 * NULL the integral of p(s) over [0, T] into CUM[n] (seconds).  The neglected
 * Poisson mass is at most EPS (in (0, 1e-3]); info->error_bound gets the
 * actual bound (for CUM relative to T).  P_T or CUM may alias nothing else. */
int ctmc_transient(const ctmc *c, const double *p0, double t, double eps, double *p_t, double *cum,
                   ctmc_info *info);

/* Mean time to first enter a state with TARGET[i] != 0, starting in FROM.
 * CTMC_ENEVER when the target might never be reached from FROM; *mean = 0
 * when FROM is itself a target. */
int ctmc_absorb_time(const ctmc *c, const unsigned char *target, size_t from, double *mean, ctmc_info *info);

/* English for a CTMC_E* status. */
const char *ctmc_strerror(int status);

#endif
