/* sweep_stats.c - per-point statistics of a sweep (app/sweep_stats.h). */
#include "app/sweep_stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

/* Same entities in the same order: the pairing is column by column. */
int swstat_comparable(const sw_point *a, const sw_point *b)
{
    if (!a->ran || !b->ran || a->ncols != b->ncols || a->sc.npools != b->sc.npools ||
        a->sc.nclients != b->sc.nclients)
        return 0;
    for (int p = 0; p < a->sc.npools; p++)
        if (a->sc.pools[p].has_calls != b->sc.pools[p].has_calls)
            return 0;
    return 1;
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

sw_diff swstat_diff(const sw_point *base, const sw_point *pt, int col)
{
    int n = base->nrec < pt->nrec ? base->nrec : pt->nrec;
    const double *a = base->m + col, *b = pt->m + col;
    sw_diff d;
    d.paired = stat_paired(a, b, (size_t)pt->ncols, n);
    d.half = welch_half(stat_summarize(a, (size_t)pt->ncols, n), stat_summarize(b, (size_t)pt->ncols, n));
    return d;
}

stat_summary swstat_col(const sw_point *pt, int col)
{
    return stat_summarize(pt->m + col, (size_t)pt->ncols, pt->nrec);
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

int swstat_objective_col(const sweep *s, const sw_point *pt) { return swstat_metric_col(&s->obj, pt); }

stat_summary swstat_objective(const sweep *s, const sw_point *pt) { return swstat_metric(&s->obj, pt); }

void swstat_outcome(const sweep *s, const sw_point *pt, int *k, int *n, double *lo, double *hi)
{
    sweep_outcome_count(&s->outc, pt->m, pt->nrec, pt->ncols, pt->sc.npools, k, n);
    sweep_outcome_ci(*k, *n, lo, hi);
}

/* The points as app/sweep_recommend.h sees them (views, caller frees the array). */
srec_point *swstat_srec_points(const sweep *s)
{
    srec_point *v = calloc(s->npts > 0 ? (size_t)s->npts : 1, sizeof *v);
    for (int i = 0; v && i < s->npts; i++) {
        const sw_point *pt = &s->pts[i];
        v[i] = (srec_point){.sc = &pt->sc, .m = pt->m, .nrec = pt->nrec, .ncols = pt->ncols,
                            .ran = pt->ran, .dir = pt->dir, .values = pt->values};
    }
    return v;
}
