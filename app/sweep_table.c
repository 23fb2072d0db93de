/* sweep_table.c - the table on stdout (app/sweep_table.h). */
#include "app/sweep_table.h"
#include "app/sweep_rank.h"
#include "app/sweep_stats.h"
#include "plots/numfmt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void print_value_cells(FILE *f, const sweep *s, const sw_point *pt, const int *w)
{
    for (int a = 0; a < s->naxes; a++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(pt->values, s->axes[a].path);
        char *t = cJSON_IsString(v) ? NULL : cJSON_PrintUnformatted(v);
        fprintf(f, "  %-*s", w[a], cJSON_IsString(v) ? v->valuestring : t ? t : "?");
        cJSON_free(t);
    }
}

/* Width of axis A's column: its path or its longest printed value. */
static int value_width(const sweep *s, int a)
{
    int w = (int)strlen(s->axes[a].path);
    for (int i = 0; i < s->npts; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(s->pts[i].values, s->axes[a].path);
        char *t = cJSON_IsString(v) ? NULL : cJSON_PrintUnformatted(v);
        int n = (int)strlen(cJSON_IsString(v) ? v->valuestring : t ? t : "?");
        cJSON_free(t);
        w = n > w ? n : w;
    }
    return w;
}

static void print_row(FILE *f, const sweep *s, const sw_objective *ob, int rank, int i, const int *w)
{
    const sw_point *pt = &s->pts[i], *b = &s->pts[s->baseline];
    stat_summary st = swstat_metric(ob, pt);
    char ci[64] = "-", dm[32] = "-", dci[64] = "-", uh[32] = "-";
    char a[32], z[32];
    if (isfinite(st.lo)) {
        int k = nf_decimals((st.hi - st.lo) / 2, st.mean);
        snprintf(ci, sizeof ci, "[%s, %s]", nf_fixed(a, sizeof a, st.lo, k, 0),
                 nf_fixed(z, sizeof z, st.hi, k, 0));
    }
    if (swstat_comparable(b, pt) && i != s->baseline) {
        sw_diff d = swstat_diff(b, pt, swstat_metric_col(ob, pt));
        int sig = isfinite(d.paired.lo) && (d.paired.lo > 0 || d.paired.hi < 0);
        /* differences at the resolution of the paired CI, capped by the metric's scale */
        double ph = isfinite(d.paired.lo) ? (d.paired.hi - d.paired.lo) / 2 : d.half;
        int k = nf_decimals(ph, st.mean);
        nf_fixed(dm, sizeof dm, d.paired.mean, k, 1);
        if (isfinite(d.paired.lo))
            snprintf(dci, sizeof dci, "[%s, %s]%s", nf_fixed(a, sizeof a, d.paired.lo, k, 1),
                     nf_fixed(z, sizeof z, d.paired.hi, k, 1), sig ? " *" : "");
        if (isfinite(d.half))
            snprintf(uh, sizeof uh, "+-%s", nf_fixed(a, sizeof a, d.half, nf_decimals(d.half, st.mean), 0));
    } else if (i == s->baseline) {
        snprintf(dm, sizeof dm, "(baseline)");
        dci[0] = uh[0] = '\0';
    }
    fprintf(f, "%4d  %-5s", rank, pt->dir);
    print_value_cells(f, s, pt, w);
    char mean[32] = "-"; /* undefined, e.g. the latency when no request succeeded */
    if (isfinite(st.mean))
        snprintf(mean, sizeof mean, "%.6g", st.mean);
    fprintf(f, "  %12s  %-26s  %-11s  %-26s  %s\n", mean, ci, dm, dci, uh);
}

/* The header of the value columns (their widths into W). */
static void print_value_header(FILE *f, const sweep *s, int *w)
{
    for (int a = 0; a < s->naxes; a++) {
        w[a] = value_width(s, a);
        fprintf(f, "  %-*s", w[a], s->axes[a].path);
    }
}

/* Objective K's block: its header line and its points, best first. */
static void print_block(FILE *f, const sweep *s, int k, int *w)
{
    const sw_objective *ob = &s->objs[k];
    int n, *idx = swrank_order_by(s, ob, &n);
    if (!idx)
        return;
    if (s->nobjs == 1)
        fprintf(f, "objective: %s (%s is better); baseline %s; diff = point - baseline\n\n", ob->label,
                ob->maximize ? "higher" : "lower", s->pts[s->baseline].dir);
    else
        fprintf(f, "%sobjective %d of %d: %s (%s is better); baseline %s; diff = point - baseline\n\n",
                k ? "\n" : "", k + 1, s->nobjs, ob->label, ob->maximize ? "higher" : "lower",
                s->pts[s->baseline].dir);
    fprintf(f, "rank  point");
    print_value_header(f, s, w);
    fprintf(f, "  %12s  %-26s  %-11s  %-26s  %s\n", "mean", "95% CI", "diff", "paired 95% CI", "unpaired");
    for (int r = 0; r < n; r++)
        print_row(f, s, ob, r + 1, idx[r], w);
    free(idx);
}

/* With several objectives: every point's rank on each, with its paired
 * verdict against the baseline, and the Pareto front. */
static void print_summary(FILE *f, const sweep *s, int *w)
{
    static const char mark[] = {[SW_NA] = ' ', [SW_BASE] = '=', [SW_SAME] = ' ', [SW_BETTER] = '+', [SW_WORSE] = '-'};
    int n, *idx = swrank_order(s, &n), cw[SW_MAX_OBJECTIVES];
    if (!idx)
        return;
    if (s->npts > SW_CONFIDENT_MAX) {
        fprintf(f, "\n(no confident ranks: more than %d points)\n", SW_CONFIDENT_MAX);
        free(idx);
        return;
    }
    fprintf(f, "\nconfident ranks on the %d objectives: 1 + the number of points better with 95%% confidence\n"
               "(paired CI of the difference; points that cannot be told apart share a rank); + better,\n"
               "- worse than the baseline with 95%% confidence, = the baseline; front: no point is better\n"
               "with confidence on one objective and worse on none\n\n",
            s->nobjs);
    fprintf(f, "point");
    print_value_header(f, s, w);
    for (int k = 0; k < s->nobjs; k++) {
        const char *name = strchr(s->objs[k].label, '.') + 1; /* web.request_success */
        cw[k] = (int)strlen(name) > 6 ? (int)strlen(name) : 6;
        fprintf(f, "  %-*s", cw[k], name);
    }
    fprintf(f, "  front\n");
    for (int r = 0; r < n; r++) {
        int i = idx[r];
        fprintf(f, "%-5s", s->pts[i].dir);
        print_value_cells(f, s, &s->pts[i], w);
        for (int k = 0; k < s->nobjs; k++) {
            char cell[16];
            snprintf(cell, sizeof cell, "%d %c", swrank_confident(s, &s->objs[k], i),
                     mark[swrank_verdict(s, &s->objs[k], i)]);
            fprintf(f, "  %-*s", cw[k], cell);
        }
        fprintf(f, "  %s\n", swrank_front(s, i) ? "yes" : "");
    }
    free(idx);
}

void swtable_print(FILE *f, const sweep *s)
{
    int n = 0, *w = calloc((size_t)s->naxes, sizeof *w);
    for (int i = 0; i < s->npts; i++)
        n += s->pts[i].ran;
    if (!w)
        return;
    fprintf(f, "%s: %d of %d point%s, seed %llu, common random numbers%s\n", s->pts[0].sc.name, n,
            s->npts, s->npts == 1 ? "" : "s", (unsigned long long)s->pts[0].sc.seed,
            s->interrupted     ? " (interrupted)"
            : s->write_failed ? " (incomplete: an output could not be written)"
                              : "");
    for (int k = 0; k < s->nobjs; k++)
        print_block(f, s, k, w);
    if (s->nobjs > 1)
        print_summary(f, s, w);
    free(w);
    fprintf(f, "\n* the paired 95%% CI excludes 0: the difference from the baseline is real at 95%%.\n"
               "  \"unpaired\" is the half-width the same comparison would have without common\n"
               "  random numbers (Welch); the paired one is what pairing buys.\n");
}

void swtable_outcome(FILE *f, const sweep *s)
{
    fprintf(f, "\noutcome %s: share of replications where it holds (95%% Clopper-Pearson CI)\n",
            s->outc.label);
    for (int i = 0; i < s->npts; i++) {
        const sw_point *pt = &s->pts[i];
        if (!pt->ran)
            continue;
        int k, n;
        double lo, hi;
        swstat_outcome(s, pt, &k, &n, &lo, &hi);
        char *v = cJSON_PrintUnformatted(pt->values);
        fprintf(f, "  %s  %-40s  %4d/%-4d = %6.3f  [%.3f, %.3f]\n", pt->dir, v ? v : "", k, n,
                n > 0 ? (double)k / n : NAN, lo, hi);
        cJSON_free(v);
    }
}
