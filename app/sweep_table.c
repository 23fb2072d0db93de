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

static void print_row(FILE *f, const sweep *s, int rank, int i, const int *w)
{
    const sw_point *pt = &s->pts[i], *b = &s->pts[s->baseline];
    stat_summary st = swstat_objective(s, pt);
    char ci[64] = "-", dm[32] = "-", dci[64] = "-", uh[32] = "-";
    char a[32], z[32];
    if (isfinite(st.lo)) {
        int k = nf_decimals((st.hi - st.lo) / 2, st.mean);
        snprintf(ci, sizeof ci, "[%s, %s]", nf_fixed(a, sizeof a, st.lo, k, 0),
                 nf_fixed(z, sizeof z, st.hi, k, 0));
    }
    if (swstat_comparable(b, pt) && i != s->baseline) {
        sw_diff d = swstat_diff(b, pt, swstat_objective_col(s, pt));
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
    fprintf(f, "  %12.6g  %-26s  %-11s  %-26s  %s\n", st.mean, ci, dm, dci, uh);
}

void swtable_print(FILE *f, const sweep *s)
{
    const sw_point *b = &s->pts[s->baseline];
    int n, *idx = swrank_order(s, &n), *w = calloc((size_t)s->naxes, sizeof *w);
    if (!idx || !w) {
        free(idx);
        free(w);
        return;
    }
    fprintf(f, "%s: %d of %d point%s, seed %llu, common random numbers%s\n", s->pts[0].sc.name, n,
            s->npts, s->npts == 1 ? "" : "s", (unsigned long long)s->pts[0].sc.seed,
            s->interrupted ? " (interrupted)" : "");
    fprintf(f, "objective: %s (%s is better); baseline %s; diff = point - baseline\n\n", s->obj.label,
            s->obj.maximize ? "higher" : "lower", b->dir);
    fprintf(f, "rank  point");
    for (int a = 0; a < s->naxes; a++) {
        w[a] = value_width(s, a);
        fprintf(f, "  %-*s", w[a], s->axes[a].path);
    }
    fprintf(f, "  %12s  %-26s  %-11s  %-26s  %s\n", "mean", "95% CI", "diff", "paired 95% CI", "unpaired");
    for (int k = 0; k < n; k++)
        print_row(f, s, k + 1, idx[k], w);
    free(idx);
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
