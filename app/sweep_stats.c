/* sweep_stats.c - per-point statistics of a sweep, folded replication by
 * replication (app/sweep_stats.h). */
#include "app/sweep_stats.h"
#include "app/sweep_rank.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const stat_summary undefined = {NAN, NAN, NAN, NAN, 0};

/* Same entities in the same order (same shape, app/sweep_grid.h): the
 * columns mean the same. */
int swstat_comparable(const sw_point *a, const sw_point *b)
{
    return a->ran && b->ran && a->ncols == b->ncols && a->shape == b->shape;
}

int swstat_acc_init(sw_acc *a, const sweep *s, sw_point *pt)
{
    rec_layout L;
    memset(a, 0, sizeof *a);
    pt->nkeep = s->npts <= SW_CONFIDENT_MAX ? s->nobjs : 0;
    for (int k = 0; k < pt->nkeep; k++)
        pt->keep_col[k] = swstat_metric_col(&s->objs[k], pt);
    rec_layout_init(&L, &pt->sc);
    a->ncols = L.npools * PM_COUNT + L.ncallers * CM_COUNT;
    a->pairs = -1;
    a->sub = calloc((size_t)a->ncols + 1, sizeof *a->sub);
    a->pair = calloc((size_t)a->ncols + 1, sizeof *a->pair);
    a->row = calloc((size_t)a->ncols + 1, sizeof *a->row);
    return a->sub && a->pair && a->row ? 0 : -1;
}

void swstat_acc_free(sw_acc *a)
{
    free(a->sub);
    free(a->pair);
    free(a->row);
    memset(a, 0, sizeof *a);
}

/* Append the baseline's ROW (N columns) to S->base_rows.  0 or -1. */
static int keep_base_row(sweep *s, const double *row, int n)
{
    if (s->base_nrows >= s->base_cap) {
        int cap = s->base_cap ? 2 * s->base_cap : 16;
        double *m = realloc(s->base_rows, (size_t)cap * (size_t)n * sizeof *m);
        if (!m)
            return -1;
        s->base_rows = m;
        s->base_cap = cap;
    }
    memcpy(s->base_rows + (size_t)s->base_nrows++ * (size_t)n, row, (size_t)n * sizeof *row);
    return 0;
}

/* Append the objectives' values of A's row to PT->keep.  0 or -1. */
static int keep_objectives(const sw_acc *a, sw_point *pt, int rep)
{
    if (rep >= pt->keep_cap) {
        int cap = pt->keep_cap ? 2 * pt->keep_cap : 16;
        double *m = realloc(pt->keep, (size_t)cap * (size_t)pt->nkeep * sizeof *m);
        if (!m)
            return -1;
        pt->keep = m;
        pt->keep_cap = cap;
    }
    for (int k = 0; k < pt->nkeep; k++)
        pt->keep[(size_t)rep * (size_t)pt->nkeep + (size_t)k] = a->row[pt->keep_col[k]];
    return 0;
}

/* Replication REP against the baseline's: d_i = x_i(point) - x_i(baseline). */
static void fold_pair(sw_acc *a, const sweep *s, int rep, double extra, double succ)
{
    const sw_point *b = &s->pts[s->baseline];
    const double *brow = s->base_rows + (size_t)rep * (size_t)b->ncols;
    double be, bs;
    srec_rep(&b->sc, brow, &be, &bs);
    stat_run_add_diff(&a->dextra, be, extra);
    stat_run_add_diff(&a->dsucc, bs, succ);
    for (int c = 0; a->pairs && c < a->ncols; c++) { /* same columns: same_shape */
        stat_run_add(&a->sub[c], a->row[c]);
        stat_run_add_diff(&a->pair[c], brow[c], a->row[c]);
    }
}

int swstat_acc_rep(sw_acc *a, sweep *s, sw_point *pt, int rep, const rec_layout *L, const double *rec)
{
    size_t np = (size_t)L->npools * PM_COUNT, nc = (size_t)L->ncallers * CM_COUNT;
    sw_point *b = &s->pts[s->baseline];
    memcpy(a->row, rec + L->pool, np * sizeof *a->row);
    memcpy(a->row + np, rec + L->caller, nc * sizeof *a->row);
    if (pt == b) {
        b->ncols = a->ncols;
        if (keep_base_row(s, a->row, a->ncols))
            return -1;
    }
    if (pt->nkeep && keep_objectives(a, pt, rep))
        return -1;
    if (a->pairs < 0) /* the baseline ran before: its rows are all there */
        a->pairs = b->ncols == a->ncols && b->shape == pt->shape;
    double extra, succ;
    srec_rep(&pt->sc, a->row, &extra, &succ);
    stat_run_add(&a->extra, extra);
    stat_run_add(&a->succ, succ);
    if (s->has_outcome) {
        int h = sweep_outcome_holds(&s->outc, a->row[sweep_outcome_col(&s->outc, pt->npools)]);
        a->n += h >= 0;
        a->k += h > 0;
    }
    if (rep < s->base_nrows)
        fold_pair(a, s, rep, extra, succ);
    return 0;
}

/* Welch's 95% half-width for two independent samples of N each. */
static double welch_half(stat_summary a, stat_summary b)
{
    if (a.n < 2 || b.n < 2 || !isfinite(a.sd) || !isfinite(b.sd))
        return NAN;
    double va = a.sd * a.sd / a.n, vb = b.sd * b.sd / b.n, v = va + vb;
    if (v <= 0)
        return 0;
    double df = v * v / (va * va / (a.n - 1) + vb * vb / (b.n - 1));
    return gsl_cdf_tdist_Pinv(0.975, df) * sqrt(v);
}

/* PT's differences from the baseline, column by column (a difference of two
 * fractions kept within [-1, 1]; NPOOLS: the record's pools).  0 or -1. */
static int keep_diff(sw_acc *a, const sweep *s, sw_point *pt, int npools)
{
    int n = s->base_nrows < pt->nrec ? s->base_nrows : pt->nrec;
    if (!(pt->diff = malloc((size_t)a->ncols * sizeof *pt->diff)))
        return -1;
    for (int c = 0; c < a->ncols; c++) {
        stat_summary base = stat_summarize(s->base_rows + c, (size_t)a->ncols, n);
        pt->diff[c].paired = stat_run_summary(&a->pair[c]);
        if (metric_is_fraction(metric_of_col(npools, (size_t)c)))
            pt->diff[c].paired = stat_within(pt->diff[c].paired, -1.0, 1.0);
        pt->diff[c].half = welch_half(base, stat_run_summary(&a->sub[c]));
    }
    return 0;
}

int swstat_acc_finish(sw_acc *a, const sweep *s, sw_point *pt, const exec_result *r)
{
    pt->nrec = r->nrec;
    pt->ncols = a->ncols;
    pt->ran = r->nrec > 0;
    if (!pt->ran)
        return 0;
    if (!(pt->col = malloc((size_t)a->ncols * sizeof *pt->col)))
        return -1;
    for (size_t c = 0; c < (size_t)a->ncols; c++)
        pt->col[c] = exec_col_stat(r, c);
    pt->slo = (srec_stats){stat_run_summary(&a->extra), stat_run_summary(&a->succ),
                           stat_run_summary(&a->dextra), stat_run_summary(&a->dsucc), 0, 0};
    srec_judge(&pt->sc, pt->col, &pt->slo);
    pt->outcome_k = a->k;
    pt->outcome_n = a->n;
    if (a->pairs > 0 && swstat_comparable(&s->pts[s->baseline], pt))
        return keep_diff(a, s, pt, r->L.npools);
    return 0;
}

/* Where column COL is in PT's col and diff, or -1 if it was not kept. */
static int slot(const sw_point *pt, int col)
{
    if (!pt->colmap)
        return col;
    for (int k = 0; k < pt->nkept; k++)
        if (pt->colmap[k] == col)
            return k;
    return -1;
}

stat_summary swstat_col(const sw_point *pt, int col)
{
    int k = slot(pt, col);
    return pt->col && k >= 0 ? pt->col[k] : undefined;
}

sw_diff swstat_diff(const sw_point *base, const sw_point *pt, int col)
{
    (void)base;
    int k = slot(pt, col);
    return pt->diff && k >= 0 ? pt->diff[k] : (sw_diff){undefined, NAN};
}

/* The distinct columns of the objectives in PT into MAP.  Their number. */
static int objective_cols(const sweep *s, const sw_point *pt, int *map)
{
    int n = 0;
    for (int k = 0; k < s->nobjs; k++) {
        int col = swstat_metric_col(&s->objs[k], pt), seen = 0;
        for (int j = 0; j < n; j++)
            seen |= map[j] == col;
        if (!seen && col >= 0 && col < pt->ncols)
            map[n++] = col;
    }
    return n;
}

void swstat_shrink(const sweep *s, sw_point *pt)
{
    int map[SW_MAX_OBJECTIVES], n = objective_cols(s, pt, map);
    if (pt->colmap || !pt->col || pt == &s->pts[s->baseline])
        return;
    size_t m = (size_t)(n ? n : 1);
    int *colmap = malloc(m * sizeof *colmap);
    stat_summary *col = malloc(m * sizeof *col);
    sw_diff *diff = pt->diff ? malloc(m * sizeof *diff) : NULL;
    if (!colmap || !col || (pt->diff && !diff)) { /* without memory: all kept */
        free(colmap);
        free(col);
        free(diff);
        return;
    }
    for (int k = 0; k < n; k++) {
        colmap[k] = map[k];
        col[k] = pt->col[map[k]];
        if (diff)
            diff[k] = pt->diff[map[k]];
    }
    free(pt->col);
    free(pt->diff);
    pt->col = col;
    pt->diff = diff;
    pt->colmap = colmap;
    pt->nkept = n;
}

int swstat_metric_col(const sw_objective *ob, const sw_point *pt)
{
    return ob->is_pool ? sweep_col_pool(pt, ob->entity, ob->metric)
                       : sweep_col_caller(pt, ob->entity, ob->metric);
}

stat_summary swstat_metric(const sw_objective *ob, const sw_point *pt)
{
    return swstat_col(pt, swstat_metric_col(ob, pt));
}

stat_summary swstat_paired(const sw_point *a, const sw_point *b, int col)
{
    int n = a->nrec < b->nrec ? a->nrec : b->nrec;
    for (int k = 0; k < a->nkeep && k < b->nkeep; k++)
        if (a->keep_col[k] == col && b->keep_col[k] == col)
            return stat_paired(a->keep + k, b->keep + k, (size_t)a->nkeep, n);
    return undefined;
}

void swstat_outcome(const sweep *s, const sw_point *pt, int *k, int *n, double *lo, double *hi)
{
    (void)s;
    *k = pt->outcome_k;
    *n = pt->outcome_n;
    sweep_outcome_ci(*k, *n, lo, hi);
}

srec_point *swstat_srec_points(const sweep *s)
{
    srec_point *v = calloc(s->npts > 0 ? (size_t)s->npts : 1, sizeof *v);
    for (int i = 0; v && i < s->npts; i++) {
        const sw_point *pt = &s->pts[i];
        v[i] = (srec_point){.has_slos = pt->has_slos, .st = pt->slo, .ran = pt->ran,
                            .dir = pt->dir, .values = pt->values};
    }
    return v;
}
