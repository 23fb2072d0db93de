/* ctmc.c - sparse CTMC storage and its solvers; see ctmc.h.
 *
 * Steady state.  pi Q = 0 with sum pi = 1 is solved as A x = e_pin with
 * A = (Q / q_max)^T except row `pin`, which is replaced by e_pin (x_pin = 1):
 * the unit row keeps A banded when Q is, and x is rescaled to sum 1 at the
 * end.  A is solved by GSL: dense LU up to CTMC_DENSE_MAX states, banded LU
 * when the band fits the memory and work budgets below (it does for every
 * birth-death chain, whatever its size), GMRES otherwise.
 *
 * Transient.  Uniformization: with q >= q_max and P = I + Q/q,
 *   p(t) = sum_k e^{-qt} (qt)^k / k! . p0 P^k,
 *   int_0^t p(s) ds = (1/q) sum_k P(K > k) . p0 P^k,   K ~ Poisson(qt).
 * The sum stops at R with P(K > R) <= eps/2, so the neglected mass of p(t)
 * and the neglected relative mass of the integral are both <= eps/2.  It
 * also stops earlier, at step k, when the vectors stop moving: P is
 * stochastic, so |v_{i+1} - v_i|_1 <= |v_k+1 - v_k|_1 = d for every i >= k and
 * |v_i - v_k|_1 <= (i - k) d; replacing every later v_i by v_k then costs at
 * most d E|K - k| <= d (|qt - k| + sqrt(qt)) for p(t) and
 * d E[(K - k)^2] / (2 qt) = d (qt + (qt - k)^2) / (2 qt) relative for the
 * integral.  Both bounds are added to info->error_bound.
 */
#include "models/ctmc.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_splinalg.h>
#include <gsl/gsl_spmatrix.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CTMC_DENSE_MAX 1200          /* n^3/3 ~ 6e8 flops: well under a second */
#define CTMC_DENSE_HARD_MAX 6000     /* forced dense: 288 MB */
#define CTMC_BAND_MAX_ELEMS 30000000 /* n (2 lb + ub + 1) doubles: 240 MB */
#define CTMC_BAND_MAX_WORK 4e9       /* n lb (lb + ub) flops */
#define CTMC_GMRES_RESTART 50
#define CTMC_GMRES_MAX_CYCLES 2000
#define CTMC_GMRES_TOL 1e-12
#define CTMC_GS_MAX_SWEEPS 20000
#define CTMC_ITER_MAX_WORK 6e9       /* Gauss-Seidel sweeps, GMRES cycles: operations */
#define CTMC_GS_TOL 1e-14
#define CTMC_UNIF_MAX_WORK 1.5e10    /* steps x (n + nnz): about a minute */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

const char *ctmc_strerror(int status)
{
    switch (status) {
    case CTMC_OK: return "ok";
    case CTMC_ENOMEM: return "out of memory";
    case CTMC_EINVAL: return "invalid argument";
    case CTMC_ETOOBIG: return "state space too large";
    case CTMC_ESOLVE: return "the solver did not converge";
    case CTMC_ENEVER: return "the target may never be reached";
    case CTMC_ERANGE: return "the mean time overflows a double (> 1e308 s)";
    default: return "unknown error";
    }
}

/* ---- building ------------------------------------------------------------ */

int ctmc_init(ctmc *c, size_t n)
{
    memset(c, 0, sizeof *c);
    if (n == 0)
        return CTMC_EINVAL;
    if (n > CTMC_MAX_STATES)
        return CTMC_ETOOBIG;
    c->n = n;
    c->cap = 4 * n;
    c->bfrom = malloc(c->cap * sizeof *c->bfrom);
    c->to = malloc(c->cap * sizeof *c->to);
    c->rate = malloc(c->cap * sizeof *c->rate);
    if (!c->bfrom || !c->to || !c->rate) {
        ctmc_destroy(c);
        return CTMC_ENOMEM;
    }
    return CTMC_OK;
}

void ctmc_destroy(ctmc *c)
{
    free(c->start);
    free(c->to);
    free(c->rate);
    free(c->out);
    free(c->bfrom);
    memset(c, 0, sizeof *c);
}

int ctmc_add(ctmc *c, size_t from, size_t to, double rate)
{
    if (c->finished || from >= c->n || to >= c->n || from == to || !(rate >= 0) || !isfinite(rate))
        return CTMC_EINVAL;
    if (rate == 0)
        return CTMC_OK;
    if (c->nnz == c->cap) {
        if (c->cap >= CTMC_MAX_TRANSITIONS)
            return CTMC_ETOOBIG;
        size_t cap = 2 * c->cap;
        size_t *f = realloc(c->bfrom, cap * sizeof *f);
        if (!f)
            return CTMC_ENOMEM;
        c->bfrom = f;
        size_t *t = realloc(c->to, cap * sizeof *t);
        if (!t)
            return CTMC_ENOMEM;
        c->to = t;
        double *r = realloc(c->rate, cap * sizeof *r);
        if (!r)
            return CTMC_ENOMEM;
        c->rate = r;
        c->cap = cap;
    }
    c->bfrom[c->nnz] = from;
    c->to[c->nnz] = to;
    c->rate[c->nnz] = rate;
    c->nnz++;
    return CTMC_OK;
}

/* Insertion sort of one (short) row by target, merging equal targets. */
static size_t sort_row(size_t *to, double *rate, size_t len)
{
    for (size_t i = 1; i < len; i++) {
        size_t t = to[i];
        double r = rate[i];
        size_t j = i;
        for (; j > 0 && to[j - 1] > t; j--) {
            to[j] = to[j - 1];
            rate[j] = rate[j - 1];
        }
        to[j] = t;
        rate[j] = r;
    }
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (k > 0 && to[k - 1] == to[i]) {
            rate[k - 1] += rate[i];
        } else {
            to[k] = to[i];
            rate[k] = rate[i];
            k++;
        }
    }
    return k;
}

int ctmc_finish(ctmc *c)
{
    if (c->finished)
        return CTMC_EINVAL;
    size_t n = c->n, m = c->nnz;
    c->start = calloc(n + 1, sizeof *c->start);
    c->out = calloc(n, sizeof *c->out);
    size_t *to = malloc((m ? m : 1) * sizeof *to);
    double *rate = malloc((m ? m : 1) * sizeof *rate);
    if (!c->start || !c->out || !to || !rate) {
        free(to);
        free(rate);
        return CTMC_ENOMEM;
    }
    /* counting sort by source state */
    for (size_t k = 0; k < m; k++)
        c->start[c->bfrom[k] + 1]++;
    for (size_t i = 0; i < n; i++)
        c->start[i + 1] += c->start[i];
    size_t *fill = c->bfrom; /* reuse: positions already read are never read again */
    size_t *pos = malloc((n ? n : 1) * sizeof *pos);
    if (!pos) {
        free(to);
        free(rate);
        return CTMC_ENOMEM;
    }
    memcpy(pos, c->start, n * sizeof *pos);
    for (size_t k = 0; k < m; k++) {
        size_t p = pos[fill[k]]++;
        to[p] = c->to[k];
        rate[p] = c->rate[k];
    }
    free(pos);
    free(c->bfrom);
    c->bfrom = NULL;
    free(c->to);
    free(c->rate);
    c->to = to;
    c->rate = rate;
    /* sort and merge each row in place, compacting */
    size_t w = 0;
    c->lb = c->ub = 0;
    c->qmax = 0;
    for (size_t i = 0; i < n; i++) {
        size_t b = c->start[i], e = c->start[i + 1];
        size_t len = sort_row(to + b, rate + b, e - b);
        c->start[i] = w;
        double s = 0;
        for (size_t k = 0; k < len; k++) {
            to[w] = to[b + k];
            rate[w] = rate[b + k];
            s += rate[w];
            if (to[w] < i && i - to[w] > c->lb)
                c->lb = i - to[w];
            if (to[w] > i && to[w] - i > c->ub)
                c->ub = to[w] - i;
            w++;
        }
        c->out[i] = s;
        if (s > c->qmax)
            c->qmax = s;
    }
    c->start[n] = w;
    c->nnz = w;
    c->finished = 1;
    return CTMC_OK;
}

/* ---- linear systems A x = b (A given as triplets) ------------------------ */

typedef struct {
    size_t n, nz, cap;
    size_t *i, *j;
    double *v;
    size_t lb, ub; /* bandwidth of A: i - lb <= j <= i + ub */
} lsys;

static int lsys_init(lsys *s, size_t n, size_t cap)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    s->cap = cap ? cap : 1;
    s->i = malloc(s->cap * sizeof *s->i);
    s->j = malloc(s->cap * sizeof *s->j);
    s->v = malloc(s->cap * sizeof *s->v);
    return s->i && s->j && s->v ? CTMC_OK : CTMC_ENOMEM;
}

static void lsys_free(lsys *s)
{
    free(s->i);
    free(s->j);
    free(s->v);
}

/* Entries are unique by construction (the callers add each (i, j) once). */
static void lsys_put(lsys *s, size_t i, size_t j, double v)
{
    s->i[s->nz] = i;
    s->j[s->nz] = j;
    s->v[s->nz] = v;
    s->nz++;
    if (i > j && i - j > s->lb)
        s->lb = i - j;
    if (j > i && j - i > s->ub)
        s->ub = j - i;
}

static int solve_dense(const lsys *s, const double *b, double *x)
{
    size_t n = s->n;
    int rc = CTMC_ENOMEM, sign;
    gsl_matrix *A = gsl_matrix_calloc(n, n);
    gsl_permutation *p = gsl_permutation_alloc(n);
    if (!A || !p)
        goto out;
    for (size_t k = 0; k < s->nz; k++)
        gsl_matrix_set(A, s->i[k], s->j[k], s->v[k]);
    gsl_vector_const_view bv = gsl_vector_const_view_array(b, n);
    gsl_vector_view xv = gsl_vector_view_array(x, n);
    rc = gsl_linalg_LU_decomp(A, p, &sign) || gsl_linalg_LU_solve(A, p, &bv.vector, &xv.vector) ? CTMC_ESOLVE
                                                                                                  : CTMC_OK;
out:
    gsl_matrix_free(A);
    gsl_permutation_free(p);
    return rc;
}

static int band_fits_dims(size_t n, size_t lb, size_t ub)
{
    double elems = (double)n * (double)(2 * lb + ub + 1);
    double work = (double)n * (double)lb * (double)(lb + ub);
    return elems <= CTMC_BAND_MAX_ELEMS && work <= CTMC_BAND_MAX_WORK;
}

static int band_fits(const lsys *s) { return band_fits_dims(s->n, s->lb, s->ub); }

/* GSL's band format: A(i, j) is AB(j, ub + lb + i - j). */
static int solve_band(const lsys *s, const double *b, double *x)
{
    size_t n = s->n, lb = s->lb, ub = s->ub;
    int rc = CTMC_ENOMEM;
    gsl_matrix *AB = gsl_matrix_calloc(n, 2 * lb + ub + 1);
    gsl_vector_uint *piv = gsl_vector_uint_alloc(n);
    if (!AB || !piv)
        goto out;
    for (size_t k = 0; k < s->nz; k++)
        gsl_matrix_set(AB, s->j[k], ub + lb + s->i[k] - s->j[k], s->v[k]);
    gsl_vector_const_view bv = gsl_vector_const_view_array(b, n);
    gsl_vector_view xv = gsl_vector_view_array(x, n);
    rc = gsl_linalg_LU_band_decomp(n, lb, ub, AB, piv) ||
                 gsl_linalg_LU_band_solve(lb, ub, AB, piv, &bv.vector, &xv.vector)
             ? CTMC_ESOLVE
             : CTMC_OK;
out:
    gsl_matrix_free(AB);
    gsl_vector_uint_free(piv);
    return rc;
}

/* GMRES from x (the initial guess, updated in place). */
static int solve_gmres(const lsys *s, const double *b, double *x, size_t *cycles)
{
    size_t n = s->n;
    int rc = CTMC_ENOMEM;
    gsl_spmatrix *T = gsl_spmatrix_alloc_nzmax(n, n, s->nz, GSL_SPMATRIX_COO);
    gsl_spmatrix *A = NULL;
    gsl_splinalg_itersolve *w = gsl_splinalg_itersolve_alloc(gsl_splinalg_itersolve_gmres, n,
                                                             n < CTMC_GMRES_RESTART ? n : CTMC_GMRES_RESTART);
    if (!T || !w)
        goto out;
    for (size_t k = 0; k < s->nz; k++)
        if (gsl_spmatrix_set(T, s->i[k], s->j[k], s->v[k]))
            goto out;
    A = gsl_spmatrix_crs(T);
    if (!A)
        goto out;
    gsl_vector_const_view bv = gsl_vector_const_view_array(b, n);
    gsl_vector_view xv = gsl_vector_view_array(x, n);
    int st = GSL_CONTINUE;
    size_t it = 0, m = n < CTMC_GMRES_RESTART ? n : CTMC_GMRES_RESTART;
    double per = (double)m * (double)m * (double)n + (double)m * (double)s->nz;
    size_t max_cycles = CTMC_ITER_MAX_WORK / per < CTMC_GMRES_MAX_CYCLES ? (size_t)(CTMC_ITER_MAX_WORK / per) + 1
                                                                        : CTMC_GMRES_MAX_CYCLES;
    while (st == GSL_CONTINUE && it < max_cycles) {
        st = gsl_splinalg_itersolve_iterate(A, &bv.vector, CTMC_GMRES_TOL, &xv.vector, w);
        it++;
    }
    *cycles = it;
    rc = st == GSL_SUCCESS ? CTMC_OK : CTMC_ESOLVE;
out:
    gsl_spmatrix_free(T);
    if (A)
        gsl_spmatrix_free(A);
    if (w)
        gsl_splinalg_itersolve_free(w);
    return rc;
}

/* Solve with the cheapest exact method that fits; x holds the initial guess
 * for GMRES. */
/* Reverse Cuthill-McKee: a breadth-first order of the (symmetrized) graph of
 * A from a minimum-degree state, neighbours by increasing degree, reversed.
 * It gives a chain whose numbering scatters its transitions (a relabelled
 * birth-death chain, a 2-D grid numbered badly) back a narrow band.
 * INV[old] = new.  Returns 0 or CTMC_ENOMEM. */
static int rcm_order(const lsys *s, size_t *inv)
{
    size_t n = s->n, m = 0;
    size_t *deg = calloc(n + 1, sizeof *deg), *adj = NULL, *order = malloc(n * sizeof *order);
    unsigned char *seen = calloc(n, 1);
    int rc = CTMC_ENOMEM;
    if (!deg || !order || !seen)
        goto out;
    for (size_t k = 0; k < s->nz; k++)
        if (s->i[k] != s->j[k]) {
            deg[s->i[k] + 1]++;
            deg[s->j[k] + 1]++;
            m += 2;
        }
    for (size_t i = 0; i < n; i++)
        deg[i + 1] += deg[i];
    adj = malloc((m ? m : 1) * sizeof *adj);
    size_t *fill = malloc(n * sizeof *fill);
    if (!adj || !fill) {
        free(fill);
        goto out;
    }
    memcpy(fill, deg, n * sizeof *fill);
    for (size_t k = 0; k < s->nz; k++)
        if (s->i[k] != s->j[k]) {
            adj[fill[s->i[k]]++] = s->j[k];
            adj[fill[s->j[k]]++] = s->i[k];
        }
    free(fill);
    size_t head = 0, tail = 0;
    while (tail < n) {
        size_t start = SIZE_MAX; /* next component: its state of least degree */
        for (size_t i = 0; i < n; i++)
            if (!seen[i] && (start == SIZE_MAX || deg[i + 1] - deg[i] < deg[start + 1] - deg[start]))
                start = i;
        seen[start] = 1;
        order[tail++] = start;
        while (head < tail) {
            size_t v = order[head++], first = tail;
            for (size_t k = deg[v]; k < deg[v + 1]; k++)
                if (!seen[adj[k]]) {
                    seen[adj[k]] = 1;
                    order[tail++] = adj[k];
                }
            for (size_t a = first + 1; a < tail; a++) { /* few neighbours: insertion sort by degree */
                size_t x = order[a], dx = deg[x + 1] - deg[x], b = a;
                for (; b > first && deg[order[b - 1] + 1] - deg[order[b - 1]] > dx; b--)
                    order[b] = order[b - 1];
                order[b] = x;
            }
        }
    }
    for (size_t k = 0; k < n; k++)
        inv[order[k]] = n - 1 - k;
    rc = CTMC_OK;
out:
    free(deg);
    free(adj);
    free(order);
    free(seen);
    return rc;
}

/* Solve S by banded LU in RCM order.  1 if even that band does not fit. */
static int solve_rcm(const lsys *s, const double *b, double *x, ctmc_info *info)
{
    size_t n = s->n;
    size_t *inv = malloc(n * sizeof *inv);
    /* calloc: gcc -O3 cannot see that PB is filled before solve_band reads it. */
    double *pb = calloc(n ? n : 1, sizeof *pb), *px = malloc(n * sizeof *px);
    lsys p;
    memset(&p, 0, sizeof p);
    int rc = CTMC_ENOMEM;
    if (!inv || !pb || !px || rcm_order(s, inv) || lsys_init(&p, n, s->nz))
        goto out;
    for (size_t k = 0; k < s->nz; k++)
        lsys_put(&p, inv[s->i[k]], inv[s->j[k]], s->v[k]);
    rc = 1;
    if (!band_fits(&p))
        goto out;
    for (size_t i = 0; i < n; i++)
        pb[inv[i]] = b[i];
    info->method = "band LU (RCM order)";
    rc = solve_band(&p, pb, px);
    for (size_t i = 0; i < n && rc == CTMC_OK; i++)
        x[i] = px[inv[i]];
out:
    lsys_free(&p);
    free(inv);
    free(pb);
    free(px);
    return rc;
}

/* The method AUTO stands for on a linear system of size N, bandwidth LB/UB. */
static ctmc_method resolve(ctmc_method m, size_t n, size_t lb, size_t ub)
{
    if (m != CTMC_AUTO)
        return m;
    /* banded LU when it fits and costs less than dense LU's n^3/3 */
    double nn = (double)n;
    if (band_fits_dims(n, lb, ub) && nn * (double)lb * (double)(lb + ub) < nn * nn * nn / 3)
        return CTMC_BAND;
    return n <= CTMC_DENSE_MAX ? CTMC_DENSE : CTMC_GMRES;
}

/* Solve with METHOD (not AUTO, not Gauss-Seidel); x holds GMRES's initial guess. */
static int solve(const lsys *s, const double *b, double *x, ctmc_method m, ctmc_info *info)
{
    switch (m) {
    case CTMC_DENSE:
        info->method = "dense LU";
        return s->n > CTMC_DENSE_HARD_MAX ? CTMC_ETOOBIG : solve_dense(s, b, x);
    case CTMC_BAND:
        info->method = "band LU";
        return band_fits(s) ? solve_band(s, b, x) : CTMC_ETOOBIG;
    default: {
        info->method = info->iterations ? "Gauss-Seidel + GMRES" : "GMRES";
        size_t cycles = 0;
        int rc = solve_gmres(s, b, x, &cycles);
        info->iterations += cycles;
        return rc;
    }
    }
}

static void info_start(ctmc_info *info)
{
    memset(info, 0, sizeof *info);
    info->residual = NAN;
    info->seconds = now_seconds();
}

static void info_end(ctmc_info *info) { info->seconds = now_seconds() - info->seconds; }

/* ---- steady state ---------------------------------------------------------- */

/* |pi Q|_inf / q_max for a normalized pi. */
static double steady_residual(const ctmc *c, const double *pi, double *tmp)
{
    size_t n = c->n;
    for (size_t i = 0; i < n; i++)
        tmp[i] = -pi[i] * c->out[i];
    for (size_t i = 0; i < n; i++)
        for (size_t k = c->start[i]; k < c->start[i + 1]; k++)
            tmp[c->to[k]] += pi[i] * c->rate[k];
    double r = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(tmp[i]) > r)
            r = fabs(tmp[i]);
    return c->qmax > 0 ? r / c->qmax : r;
}

/* Gauss-Seidel on pi Q = 0: pi_j = sum_{i != j} pi_i q_ij / q_j, in state
 * order, using the incoming transitions of each state; renormalized every
 * sweep.  Stops when no probability changes by more than CTMC_GS_TOL
 * relative to the largest, or after CTMC_GS_MAX_SWEEPS (then GMRES takes
 * over from this guess).  Returns the sweeps done, 0 on ENOMEM. */
static size_t gauss_seidel(const ctmc *c, double *pi, int *converged)
{
    size_t n = c->n;
    size_t *istart = calloc(n + 1, sizeof *istart), *ifrom = malloc((c->nnz ? c->nnz : 1) * sizeof *ifrom);
    double *irate = malloc((c->nnz ? c->nnz : 1) * sizeof *irate);
    size_t sweeps = 0;
    *converged = 0;
    if (!istart || !ifrom || !irate)
        goto out;
    for (size_t k = 0; k < c->nnz; k++)
        istart[c->to[k] + 1]++;
    for (size_t i = 0; i < n; i++)
        istart[i + 1] += istart[i];
    for (size_t i = 0; i < n; i++)
        for (size_t k = c->start[i]; k < c->start[i + 1]; k++) {
            size_t at = istart[c->to[k]]++;
            ifrom[at] = i;
            irate[at] = c->rate[k];
        }
    for (size_t i = n; i > 0; i--) /* the fill pointers moved one row on */
        istart[i] = istart[i - 1];
    istart[0] = 0;
    double per = (double)(2 * n + 2 * c->nnz);
    size_t max_sweeps = CTMC_ITER_MAX_WORK / per < CTMC_GS_MAX_SWEEPS ? (size_t)(CTMC_ITER_MAX_WORK / per) + 1
                                                                     : CTMC_GS_MAX_SWEEPS;
    while (sweeps < max_sweeps && !*converged) {
        double change = 0, top = 0, sum = 0;
        for (size_t j = 0; j < n; j++) {
            if (c->out[j] == 0)
                continue;
            double acc = 0;
            for (size_t k = istart[j]; k < istart[j + 1]; k++)
                acc += pi[ifrom[k]] * irate[k];
            double v = acc / c->out[j];
            if (fabs(v - pi[j]) > change)
                change = fabs(v - pi[j]);
            pi[j] = v;
        }
        for (size_t j = 0; j < n; j++) {
            sum += pi[j];
            if (pi[j] > top)
                top = pi[j];
        }
        if (!(sum > 0) || !isfinite(sum))
            break;
        for (size_t j = 0; j < n; j++)
            pi[j] /= sum;
        sweeps++;
        *converged = change <= CTMC_GS_TOL * top;
    }
out:
    free(istart);
    free(ifrom);
    free(irate);
    return sweeps;
}

/* A x = e_pin: A = (Q / q_max)^T with row PIN replaced by e_pin. */
static int steady_system(const ctmc *c, size_t pin, lsys *s, double *b)
{
    size_t n = c->n;
    if (lsys_init(s, n, c->nnz + n))
        return CTMC_ENOMEM;
    double sc = 1 / c->qmax;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = c->start[i]; k < c->start[i + 1]; k++)
            if (c->to[k] != pin)
                lsys_put(s, c->to[k], i, c->rate[k] * sc);
        lsys_put(s, i, i, i == pin ? 1 : -c->out[i] * sc);
    }
    b[pin] = 1;
    return CTMC_OK;
}

int ctmc_steady(const ctmc *c, size_t pin, double *pi, ctmc_info *info)
{
    return ctmc_steady_method(c, pin, CTMC_AUTO, pi, info);
}

int ctmc_steady_method(const ctmc *c, size_t pin, ctmc_method method, double *pi, ctmc_info *info)
{
    ctmc_info dummy;
    if (!info)
        info = &dummy;
    info_start(info);
    if (!c->finished || pin >= c->n)
        return CTMC_EINVAL;
    size_t n = c->n;
    if (c->qmax == 0) { /* no transitions: only a one-state chain has a unique answer */
        if (n != 1)
            return CTMC_EINVAL;
        pi[0] = 1;
        info->method = "trivial";
        info->residual = 0;
        info_end(info);
        return CTMC_OK;
    }
    for (size_t i = 0; i < n; i++)
        pi[i] = 1.0 / (double)n;
    lsys s;
    memset(&s, 0, sizeof s);
    double *b = calloc(n, sizeof *b);
    int rc = CTMC_ENOMEM;
    if (!b)
        goto out;
    /* A = Q^T: its bandwidths are Q's swapped */
    int auto_gs = method == CTMC_AUTO && resolve(method, n, c->ub, c->lb) == CTMC_GMRES;
    method = resolve(method, n, c->ub, c->lb);
    if (auto_gs) { /* scattered: a band in RCM order, else the iterative methods */
        rc = steady_system(c, pin, &s, b);
        if (rc == CTMC_OK && (rc = solve_rcm(&s, b, pi, info)) != 1)
            goto normalize;
        lsys_free(&s);
        memset(&s, 0, sizeof s);
        memset(b, 0, n * sizeof *b);
        for (size_t i = 0; i < n; i++)
            pi[i] = 1.0 / (double)n;
        if (rc != 1)
            goto out;
    }
    if (method == CTMC_GAUSS_SEIDEL || auto_gs) {
        /* large and not banded: Gauss-Seidel, then GMRES from there if needed */
        int converged;
        info->iterations = gauss_seidel(c, pi, &converged);
        info->method = "Gauss-Seidel";
        if (converged || method == CTMC_GAUSS_SEIDEL) {
            info->residual = steady_residual(c, pi, b);
            rc = converged ? CTMC_OK : CTMC_ESOLVE;
            goto out;
        }
        if (!(pi[pin] > 0))
            for (size_t i = 0; i < n; i++)
                pi[i] = 1.0 / (double)n;
        double scale = pi[pin];
        for (size_t i = 0; i < n; i++)
            pi[i] /= scale;
    }
    rc = steady_system(c, pin, &s, b);
    if (rc)
        goto out;
    rc = solve(&s, b, pi, method, info);
normalize:
    if (rc == CTMC_OK || rc == CTMC_ESOLVE) {
        double sum = 0;
        for (size_t i = 0; i < n; i++) {
            if (pi[i] < 0) /* rounding below zero for a negligible state */
                pi[i] = 0;
            sum += pi[i];
        }
        if (!(sum > 0) || !isfinite(sum))
            rc = CTMC_ESOLVE;
        else
            for (size_t i = 0; i < n; i++)
                pi[i] /= sum;
        if (isfinite(sum) && sum > 0)
            info->residual = steady_residual(c, pi, b);
    }
out:
    lsys_free(&s);
    free(b);
    info_end(info);
    return rc;
}

/* ---- absorption ------------------------------------------------------------ */

/* Marks in CAN[i] the states from which TARGET is reachable. */
static int can_reach(const ctmc *c, const unsigned char *target, unsigned char *can)
{
    size_t n = c->n;
    size_t *rstart = calloc(n + 1, sizeof *rstart), *rfrom = malloc((c->nnz ? c->nnz : 1) * sizeof *rfrom);
    size_t *stack = malloc(n * sizeof *stack);
    if (!rstart || !rfrom || !stack) {
        free(rstart);
        free(rfrom);
        free(stack);
        return CTMC_ENOMEM;
    }
    for (size_t k = 0; k < c->nnz; k++)
        rstart[c->to[k] + 1]++;
    for (size_t i = 0; i < n; i++)
        rstart[i + 1] += rstart[i];
    size_t *pos = stack; /* borrow as fill pointers, then as the stack */
    memcpy(pos, rstart, n * sizeof *pos);
    for (size_t i = 0; i < n; i++)
        for (size_t k = c->start[i]; k < c->start[i + 1]; k++)
            rfrom[pos[c->to[k]]++] = i;
    size_t top = 0;
    for (size_t i = 0; i < n; i++) {
        can[i] = target[i] != 0;
        if (can[i])
            stack[top++] = i;
    }
    while (top > 0) {
        size_t j = stack[--top];
        for (size_t k = rstart[j]; k < rstart[j + 1]; k++)
            if (!can[rfrom[k]]) {
                can[rfrom[k]] = 1;
                stack[top++] = rfrom[k];
            }
    }
    free(rstart);
    free(rfrom);
    free(stack);
    return CTMC_OK;
}

/* Forward from FROM without entering TARGET; index[i] = position in the
 * system (states in increasing order) or SIZE_MAX.  Returns the count, or
 * 0 if a reachable state cannot reach the target. */
static size_t reachable(const ctmc *c, const unsigned char *target, const unsigned char *can, size_t from,
                        size_t *index, size_t *stack)
{
    size_t n = c->n, top = 0;
    for (size_t i = 0; i < n; i++)
        index[i] = SIZE_MAX;
    index[from] = 0;
    stack[top++] = from;
    while (top > 0) {
        size_t i = stack[--top];
        if (!can[i])
            return 0;
        for (size_t k = c->start[i]; k < c->start[i + 1]; k++) {
            size_t j = c->to[k];
            if (!target[j] && index[j] == SIZE_MAX) {
                index[j] = 0;
                stack[top++] = j;
            }
        }
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (index[i] != SIZE_MAX)
            index[i] = m++;
    return m;
}

int ctmc_absorb_time(const ctmc *c, const unsigned char *target, size_t from, double *mean, ctmc_info *info)
{
    ctmc_info dummy;
    if (!info)
        info = &dummy;
    info_start(info);
    if (!c->finished || from >= c->n)
        return CTMC_EINVAL;
    if (target[from]) {
        *mean = 0;
        info->method = "trivial";
        info->residual = 0;
        info_end(info);
        return CTMC_OK;
    }
    size_t n = c->n;
    unsigned char *can = malloc(n);
    size_t *index = malloc(n * sizeof *index), *stack = malloc(n * sizeof *stack);
    double *b = NULL, *x = NULL;
    lsys s;
    memset(&s, 0, sizeof s);
    int rc = CTMC_ENOMEM;
    if (!can || !index || !stack || (rc = can_reach(c, target, can)) != CTMC_OK)
        goto out;
    size_t m = reachable(c, target, can, from, index, stack);
    if (m == 0) {
        rc = CTMC_ENEVER;
        goto out;
    }
    b = malloc(m * sizeof *b);
    x = calloc(m, sizeof *x);
    rc = lsys_init(&s, m, c->nnz + m);
    if (rc || !b || !x) {
        rc = CTMC_ENOMEM;
        goto out;
    }
    /* (Q_TT / q) tau = -1 / q over the non-target states reachable from FROM */
    double sc = 1 / c->qmax;
    for (size_t i = 0; i < n; i++) {
        if (index[i] == SIZE_MAX)
            continue;
        for (size_t k = c->start[i]; k < c->start[i + 1]; k++)
            if (index[c->to[k]] != SIZE_MAX)
                lsys_put(&s, index[i], index[c->to[k]], c->rate[k] * sc);
        lsys_put(&s, index[i], index[i], -c->out[i] * sc);
        b[index[i]] = -sc;
    }
    ctmc_method how = resolve(CTMC_AUTO, m, s.lb, s.ub);
    rc = how == CTMC_GMRES ? solve_rcm(&s, b, x, info) : 1;
    if (rc == 1)
        rc = solve(&s, b, x, how, info);
    if (rc == CTMC_OK || rc == CTMC_ESOLVE) {
        /* relative residual |Q_TT tau + 1|_inf / (q_max |tau|_inf) */
        double r = 0, top = 0;
        for (size_t i = 0; i < m; i++)
            if (fabs(x[i]) > top)
                top = fabs(x[i]);
        for (size_t i = 0; i < n; i++) {
            if (index[i] == SIZE_MAX)
                continue;
            double acc = 1 - c->out[i] * x[index[i]];
            for (size_t k = c->start[i]; k < c->start[i + 1]; k++)
                if (index[c->to[k]] != SIZE_MAX)
                    acc += c->rate[k] * x[index[c->to[k]]];
            if (fabs(acc) > r)
                r = fabs(acc);
        }
        info->residual = top > 0 ? r / (c->qmax * top) : r;
        *mean = x[index[from]];
        if (rc == CTMC_OK && (isinf(*mean) || (*mean > 0 && !isfinite(info->residual))))
            rc = CTMC_ERANGE;
        else if (!isfinite(*mean) || *mean < 0)
            rc = CTMC_ESOLVE;
    }
out:
    lsys_free(&s);
    free(can);
    free(index);
    free(stack);
    free(b);
    free(x);
    info_end(info);
    return rc;
}

/* ---- transient -------------------------------------------------------------- */

/* Smallest R >= mean with P(K > R) <= tail, K ~ Poisson(mu). */
static double poisson_right(double mu, double tail)
{
    double step = floor(sqrt(mu) / 8) + 1, r = ceil(mu);
    while (gsl_cdf_poisson_Q((unsigned)r, mu) > tail)
        r += step;
    while (r > ceil(mu) && gsl_cdf_poisson_Q((unsigned)(r - 1), mu) <= tail)
        r -= 1;
    return r;
}

/* P(K > a), K ~ Poisson(mu); 1 for a < 0. */
static double poisson_above(double a, double mu) { return a < 0 ? 1 : gsl_cdf_poisson_Q((unsigned)a, mu); }

/* E[(K - a)^+] = mu P(K >= a) - a P(K > a) for a whole a >= 0. */
static double poisson_excess(double a, double mu) { return mu * poisson_above(a - 1, mu) - a * poisson_above(a, mu); }

/* One step of v P, P = I + Q/q; returns |v P - v|_1.  VN gets the result. */
static double unif_step(const ctmc *c, double q, const double *v, double *vn)
{
    size_t n = c->n;
    for (size_t i = 0; i < n; i++)
        vn[i] = v[i] * (1 - c->out[i] / q);
    for (size_t i = 0; i < n; i++) {
        double vi = v[i] / q;
        if (vi != 0)
            for (size_t e = c->start[i]; e < c->start[i + 1]; e++)
                vn[c->to[e]] += vi * c->rate[e];
    }
    double d = 0;
    for (size_t i = 0; i < n; i++)
        d += fabs(vn[i] - v[i]);
    return d;
}

int ctmc_transient(const ctmc *c, const double *p0, double t, double eps, double *p_t, double *cum,
                   ctmc_info *info)
{
    ctmc_info dummy;
    if (!info)
        info = &dummy;
    info_start(info);
    info->method = "uniformization";
    info->error_bound = 0;
    if (!c->finished || !(t >= 0) || !isfinite(t) || !(eps > 0) || eps > 1e-3)
        return CTMC_EINVAL;
    size_t n = c->n;
    double q = 1.02 * c->qmax, mu = q * t;
    if (q == 0 || t == 0) {
        for (size_t i = 0; i < n; i++) {
            p_t[i] = p0[i];
            if (cum)
                cum[i] = t * p0[i];
        }
        info_end(info);
        return CTMC_OK;
    }
    if (mu > 4e9) /* the Poisson CDF takes unsigned counts */
        return CTMC_ETOOBIG;
    double R = poisson_right(mu, eps / 2);
    /* The early stop needs |v_{k+1} - v_k|_1 below about eps / qt; past the
     * rounding floor (1e-15) it cannot happen, so a sum over the budget is
     * refused at once rather than after a minute. */
    if (R * (double)(n + c->nnz) > CTMC_UNIF_MAX_WORK && mu * 1e-15 > eps / 2)
        return CTMC_ETOOBIG;
    double *v = malloc(n * sizeof *v), *vn = malloc(n * sizeof *vn);
    int rc = CTMC_ENOMEM;
    if (!v || !vn)
        goto out;
    /* w_k = P(K = k) in log space (e^{-mu} underflows for mu > 745);
     * tail_k = P(K > k) = tail_{k-1} - w_k */
    double lmu = log(mu), w = exp(-mu), tail = 1 - w;
    memcpy(v, p0, n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        p_t[i] = w * v[i];
        if (cum)
            cum[i] = tail * v[i];
    }
    double bound = poisson_above(R, mu);
    double k;
    for (k = 1; k <= R; k++) {
        if (k * (double)(n + c->nnz) > CTMC_UNIF_MAX_WORK) { /* not converged within about a minute */
            rc = CTMC_ETOOBIG;
            goto out;
        }
        double d = unif_step(c, q, v, vn);
        double *tmp = v;
        v = vn;
        vn = tmp;
        int sign; /* lgamma_r: lgamma writes the global signgam, a race between threads */
        w = exp(-mu + k * lmu - lgamma_r(k + 1, &sign));
        tail = tail - w > 0 ? tail - w : 0;
        for (size_t i = 0; i < n; i++) {
            p_t[i] += w * v[i];
            if (cum)
                cum[i] += tail * v[i];
        }
        /* converged?  then every later v_i is v_k, at the cost bounded above */
        double e1 = d * (fabs(mu - k) + sqrt(mu));
        double e2 = cum ? d * (mu + (mu - k) * (mu - k)) / (2 * mu) : 0;
        double err = e1 > e2 ? e1 : e2;
        if (k < R && err <= eps / 2) {
            double wrest = poisson_above(k, mu) - poisson_above(R, mu);
            double trest = poisson_excess(k + 1, mu) - poisson_excess(R + 1, mu);
            for (size_t i = 0; i < n; i++) {
                p_t[i] += wrest * v[i];
                if (cum)
                    cum[i] += trest * v[i];
            }
            bound += err;
            info->steady_detected = 1;
            break;
        }
    }
    info->iterations = (size_t)(k > R ? R : k);
    if (cum)
        for (size_t i = 0; i < n; i++)
            cum[i] /= q;
    info->error_bound = bound;
    rc = CTMC_OK;
out:
    free(v);
    free(vn);
    info_end(info);
    return rc;
}
