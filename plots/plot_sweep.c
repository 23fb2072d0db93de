/* plot_sweep.c - sweep figures: each headline metric against the first varied
 * parameter (95% CI error bars, one line per value of the other varied
 * parameters), unavailability on a log "nines" axis, and the paired
 * difference from the baseline point with its CI.  Every point is drawn; a
 * line of more than SW_BARS_MAX points shows its CIs as a shaded band, as
 * error bars that close together would hide each other and the line. */
#include "plots/plot_fig.h"
#include "plots/plot_metrics.h"
#include "models/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SW_MAX_SERIES 12
#define SW_MAX_CAT 32
#define SW_BARS_MAX 150 /* points of one line drawn with error bars; more: a CI band */

typedef struct {
    const rd_run *rd;
    int npts;
    const char *vary[8];
    int nvary;
    double *x;                 /* x position of each point */
    int *series;               /* series of each point, -1: not drawn */
    char slabel[SW_MAX_SERIES][256];
    int nseries;
    int hidden;                /* points not drawn: past SW_MAX_SERIES or SW_MAX_CAT */
    int bands;                 /* a series has more than SW_BARS_MAX points */
    int categorical;           /* x values are texts: positions 0..ncat-1 */
    char cat[SW_MAX_CAT][128];
    int ncat;
    int logx;
    double xmin, xmax;
    int baseline;
} sweep;

/* Last dotted segment of PATH. */
static const char *last_seg(const char *path)
{
    const char *d = strrchr(path, '.');
    return d ? d + 1 : path;
}

/* Label of point P's values of vary[1..]: "name=value, ...". */
static void series_label(const sweep *s, int p, char *buf, size_t n)
{
    char txt[128];
    double num;
    buf[0] = '\0';
    for (int v = 1; v < s->nvary; v++) {
        size_t used = strlen(buf);
        rd_sweep_value(s->rd, p, s->vary[v], &num, txt, sizeof txt);
        snprintf(buf + used, n - used, "%s%s=%s", v > 1 ? ", " : "", last_seg(s->vary[v]), txt);
    }
}

/* Category index of TXT (added if new); -1 when all are taken. */
static int category(sweep *s, const char *txt)
{
    for (int i = 0; i < s->ncat; i++)
        if (!strcmp(s->cat[i], txt))
            return i;
    if (s->ncat == SW_MAX_CAT)
        return -1;
    snprintf(s->cat[s->ncat], sizeof s->cat[0], "%s", txt);
    return s->ncat++;
}

/* Fill X positions and series of every point; -1 if the sweep is unusable. */
static int sweep_layout(sweep *s)
{
    char txt[128], lab[256];
    double num;
    int count[SW_MAX_SERIES] = {0};
    for (int p = 0; p < s->npts; p++)
        if (rd_sweep_value(s->rd, p, s->vary[0], &num, txt, sizeof txt) != 1)
            s->categorical = 1;
    s->xmin = INFINITY;
    s->xmax = -INFINITY;
    for (int p = 0; p < s->npts; p++) {
        rd_sweep_value(s->rd, p, s->vary[0], &num, txt, sizeof txt);
        s->x[p] = s->categorical ? category(s, txt) : num;
        series_label(s, p, lab, sizeof lab);
        int k = 0;
        while (k < s->nseries && strcmp(s->slabel[k], lab))
            k++;
        if (k == s->nseries && s->nseries < SW_MAX_SERIES)
            snprintf(s->slabel[s->nseries++], sizeof s->slabel[0], "%s", lab);
        s->series[p] = k < SW_MAX_SERIES && !(s->categorical && s->x[p] < 0) ? k : -1;
        if (s->series[p] < 0) {
            s->hidden++;
            continue;
        }
        s->bands |= ++count[k] > SW_BARS_MAX;
        s->xmin = fmin(s->xmin, s->x[p]);
        s->xmax = fmax(s->xmax, s->x[p]);
    }
    s->logx = !s->categorical && s->xmin > 0 && s->xmax / s->xmin >= 50;
    return isfinite(s->xmin) ? 0 : -1;
}

/* X of point P dodged sideways for series K of NS so error bars do not
 * overlap (bands are not dodged). */
static double dodge(const sweep *s, int p, int k, int ns)
{
    if (s->bands)
        return s->x[p];
    double off = (k - (ns - 1) / 2.0) * 0.012;
    if (s->logx)
        return s->x[p] * pow(s->xmax / s->xmin, off);
    double span = s->categorical ? fmax(1, s->ncat - 1) : s->xmax - s->xmin;
    return s->x[p] + off * (span > 0 ? span : 1);
}

static void x_axis(const sweep *s, FILE *g)
{
    char q[300];
    fig_set_text(g, "xlabel", s->vary[0]);
    if (s->categorical) {
        fprintf(g, "set xrange [-0.5:%d.5]\nset xtics (", s->ncat - 1);
        for (int i = 0; i < s->ncat; i++)
            fprintf(g, "%s%s %d", i ? ", " : "", gp_quote(q, sizeof q, s->cat[i]), i);
        fprintf(g, ")\n");
        return;
    }
    if (s->logx) {
        fprintf(g, "set logscale x\nset xrange [%.9g:%.9g]\n", s->xmin / 1.3, s->xmax * 1.3);
    } else {
        double pad = (s->xmax - s->xmin) * 0.06 + (s->xmax == s->xmin);
        fprintf(g, "set xrange [%.9g:%.9g]\n", s->xmin - pad, s->xmax + pad);
    }
    double v[13];
    int n = 0;
    for (int p = 0; p < s->npts && n <= 12; p++) {
        if (s->series[p] < 0)
            continue;
        int seen = 0;
        for (int i = 0; i < n && !seen; i++)
            seen = v[i] == s->x[p];
        if (!seen)
            v[n++] = s->x[p];
    }
    if (n > 12)
        return;
    fprintf(g, "set xtics (");
    for (int i = 0; i < n; i++)
        fprintf(g, "%s%.9g", i ? ", " : "", v[i]);
    fprintf(g, ")\n");
}

/* What one figure shows of a statistic: its value, 1 - value, or the diff. */
typedef enum { SW_VALUE, SW_UNAVAIL, SW_DIFF } sw_mode;

/* The statistic of point P for KIND ("pools"/"clients") ENTITY METRIC. */
static int point_stat(const sweep *s, int p, sw_mode mode, const char *kind, const char *ent,
                      const char *metric, rd_stat *st)
{
    return rd_sweep_stat(s->rd, p, mode == SW_DIFF, kind, ent, metric, st);
}

typedef struct {
    double x, m, lo, hi;
} sw_row;

static int cmp_row(const void *a, const void *b)
{
    const sw_row *x = a, *y = b;
    return (x->x > y->x) - (x->x < y->x);
}

/* Write one series' rows "x mean lo hi" sorted by x (CI missing: the mean);
 * returns the number of rows. */
static int write_series(const sweep *s, gp_fig *f, int k, int ns, int kk, sw_mode mode,
                        const char *kind, const char *ent, const char *metric, double *ymin,
                        double *ymax)
{
    sw_row *r = malloc((s->npts + 1) * sizeof *r);
    int n = 0;
    for (int p = 0; r && p < s->npts; p++) {
        rd_stat st;
        if (s->series[p] != k || point_stat(s, p, mode, kind, ent, metric, &st) != 0 ||
            !isfinite(st.mean))
            continue;
        double m = st.mean, lo = isfinite(st.lo) ? st.lo : m, hi = isfinite(st.hi) ? st.hi : m;
        if (mode == SW_UNAVAIL) {
            double t = 1 - lo;
            m = 1 - m;
            lo = 1 - hi;
            hi = t;
            if (!(m > 0))
                continue; /* no failures: nothing to show on a log axis */
        }
        *ymin = fmin(*ymin, mode == SW_UNAVAIL ? m : lo);
        *ymax = fmax(*ymax, hi);
        r[n++] = (sw_row){dodge(s, p, kk, ns), m, lo, hi};
    }
    if (r)
        qsort(r, n, sizeof *r, cmp_row);
    for (int i = 0; i < n; i++)
        fprintf(f->dat, "%.9g %.9g %.9g %.9g\n", r[i].x, r[i].m, r[i].lo, r[i].hi);
    free(r);
    return n;
}

/* Plot one line per (entity, series) of the statistic; the blocks are
 * written as they are plotted. */
static void plot_lines(const sweep *s, gp_fig *f, sw_mode mode, const char *kind,
                       const char **ents, int nent, const char *metric, double *ymin,
                       double *ymax, int *nplotted)
{
    char dat[160], q[400], lab[400];
    int ns = s->nseries * nent, kk = 0;
    gp_fig_datname(f, dat, sizeof dat);
    if (mode == SW_DIFF)
        fprintf(f->gp, "plot 0 with lines dt (6,4) lw 1.5 lc rgb '#555555' "
                       "title 'baseline (no difference)'");
    else
        fprintf(f->gp, "plot NaN notitle");
    for (int e = 0; e < nent; e++)
        for (int k = 0; k < s->nseries; k++, kk++) {
            char com[400];
            snprintf(com, sizeof com, "%s %s, %s: x mean ci95_low ci95_high", kind, ents[e],
                     s->slabel[k]);
            gp_fig_block(f, com);
            int b = f->blocks - 1;
            if (!write_series(s, f, k, ns, kk, mode, kind, ents[e], metric, ymin, ymax)) {
                fputs("NaN NaN NaN NaN\n", f->dat);
                continue;
            }
            snprintf(lab, sizeof lab, "%s%s%s%s", nent > 1 ? ents[e] : "",
                     nent > 1 && s->slabel[k][0] ? ", " : "", s->slabel[k],
                     (nent > 1 || s->slabel[k][0]) ? "" : "mean with 95% CI");
            if (s->bands)
                fprintf(f->gp, ", \\\n  '%s' index %d using 1:3:4 with filledcurves fs transparent solid "
                               "0.2 noborder lc rgb '%s' notitle, \\\n  '' index %d using 1:2 with lines "
                               "lw 2 lc rgb '%s' title %s", dat, b, fig_color(kk), b, fig_color(kk),
                        gp_quote(q, sizeof q, lab));
            else
                fprintf(f->gp, ", \\\n  '%s' index %d using 1:2:3:4 with yerrorlines lw 2 pt 7 "
                               "ps 0.8 lc rgb '%s' title %s", dat, b, fig_color(kk),
                        gp_quote(q, sizeof q, lab));
            (*nplotted)++;
        }
    fputc('\n', f->gp);
}

/* Entities of KIND (at most MAX) that have METRIC in some point. */
static int entities(const sweep *s, sw_mode mode, const char *kind, const char *metric,
                    const char **out, int max)
{
    int n = 0;
    for (int i = 0; rd_sweep_entity(s->rd, kind, i) && n < max; i++) {
        const char *e = rd_sweep_entity(s->rd, kind, i);
        rd_stat st;
        for (int p = 0; e && p < s->npts; p++)
            if (point_stat(s, p, mode, kind, e, metric, &st) == 0) {
                out[n++] = e;
                break;
            }
    }
    return n;
}

/* Tick labels of a log unavailability axis: 10^-k = "k nines". */
static void nines_axis(FILE *g, double ymin, double ymax)
{
    int k0 = (int)floor(-log10(ymax)), k1 = (int)ceil(-log10(ymin));
    if (k0 < 0)
        k0 = 0;
    if (k1 <= k0)
        k1 = k0 + 1;
    fprintf(g, "set logscale y\nset yrange [%.3g:%.3g]\nset ytics (", pow(10, -k1),
            pow(10, -k0));
    for (int k = k0; k <= k1; k++)
        fprintf(g, "%s'%g  (%d nine%s)' %.3g", k > k0 ? ", " : "", pow(10, -k), k, k == 1 ? "" : "s",
                pow(10, -k));
    fprintf(g, ")\nset mytics 10\n");
}

static void y_axis(FILE *g, const metric_info *mi, sw_mode mode, double ymin, double ymax)
{
    char lab[300];
    if (mode == SW_UNAVAIL) {
        fprintf(g, "set ylabel '1 - request success (log scale)'\n");
        nines_axis(g, ymin, ymax);
        return;
    }
    const char *unit = *mi->unit ? mi->unit : mi->kind == METRIC_PROB || mi->kind == METRIC_AVAIL
                                                  ? "fraction" : "";
    snprintf(lab, sizeof lab, "%s%s%s%s%s", mode == SW_DIFF ? "difference in " : "", mi->name,
             *unit ? " (" : "", unit, *unit ? ")" : "");
    fig_set_text(g, "ylabel", lab);
    if (mode == SW_VALUE && mi->kind == METRIC_TIME && ymin > 0 && ymax / ymin > 30)
        fprintf(g, "set logscale y\n");
}

static void caption(char *cap, size_t n, const sweep *s, const metric_info *mi, sw_mode mode)
{
    char base[300];
    series_label(s, s->baseline, base, sizeof base);
    if (mode == SW_UNAVAIL)
        snprintf(cap, n, "Each step down the log axis is one more nine of client-perceived "
                 "availability; points with no failed request cannot be shown on this axis.");
    else if (mode == SW_DIFF && s->bands)
        snprintf(cap, n, "Paired difference (common random numbers) of %s from the baseline "
                 "point %d; where the shaded 95%% CI band (drawn instead of error bars: more than "
                 "%d points a line) leaves the dashed zero line, the simulation resolves the "
                 "difference.", mi->name, s->baseline, SW_BARS_MAX);
    else if (mode == SW_DIFF)
        snprintf(cap, n, "Paired difference (common random numbers) of %s from the baseline "
                 "point %d; error bars that do not cross the dashed zero line are differences "
                 "the simulation resolves.", mi->name, s->baseline);
    else if (s->bands)
        snprintf(cap, n, "How %s changes with %s; the shaded bands are 95%% confidence intervals "
                 "over replications (drawn instead of error bars: more than %d points a line), so "
                 "lines whose bands overlap are not clearly different.", mi->name, s->vary[0],
                 SW_BARS_MAX);
    else
        snprintf(cap, n, "How %s changes with %s; the error bars are 95%% confidence intervals "
                 "over replications, so lines whose bars overlap are not clearly different.",
                 mi->name, s->vary[0]);
}

static void sweep_figure(fig_run *c, sweep *s, const metric_info *mi, sw_mode mode)
{
    const char *kind = mi->client ? "clients" : "pools", *ents[8];
    char name[128], title[256], cap[1024];
    int nent = entities(s, mode, kind, mi->name, ents, 8);
    if (nent == 0)
        return;
    static const char *const prefix[3] = {"sweep_", "sweep_unavailability", "sweep_diff_"};
    snprintf(name, sizeof name, "%s%s", prefix[mode], mode == SW_UNAVAIL ? "" : mi->name);
    if (mode == SW_UNAVAIL)
        snprintf(title, sizeof title, "Unavailability (1 - request success) vs %s",
                 last_seg(s->vary[0]));
    else
        snprintf(title, sizeof title, "%s%s vs %s", mode == SW_DIFF ? "Difference from baseline: "
                 : "", mi->name, last_seg(s->vary[0]));
    gp_fig f;
    if (gp_fig_begin(&f, name, title, 900, 500) != 0) {
        c->oom = 1;
        return;
    }
    double ymin = INFINITY, ymax = -INFINITY;
    int nplotted = 0;
    FILE *g = f.gp;
    fig_title(g, title, c->scn);
    x_axis(s, g);
    /* the y axis depends on the data: print the plot into a side buffer */
    char *pbuf = NULL;
    size_t plen = 0;
    FILE *side = open_memstream(&pbuf, &plen);
    if (!side) {
        gp_fig_discard(&f);
        c->oom = 1;
        return;
    }
    f.gp = side;
    plot_lines(s, &f, mode, kind, ents, nent, mi->name, &ymin, &ymax, &nplotted);
    fclose(side);
    f.gp = g;
    if (nplotted == 0 || !isfinite(ymin)) {
        free(pbuf);
        gp_fig_discard(&f);
        if (mode == SW_UNAVAIL)
            fig_note(c->out, &c->oom, "Unavailability figure skipped: no sweep point has a "
                     "failed request.");
        return;
    }
    y_axis(g, mi, mode, ymin, ymax);
    fwrite(pbuf, 1, plen, g);
    free(pbuf);
    int st = gp_fig_end(c->gp, &f);
    caption(cap, sizeof cap, s, mi, mode);
    fig_add(c, name, title, cap, st);
}

/* Success against extra load, one dot per point (sweep.json
 * "recommendation", app/sweep_recommend.h): the points meeting every SLO,
 * the recommended one, and the Pareto front (no other point has both more
 * success and fewer extra attempts). */
static void pareto_figure(fig_run *c)
{
    const rd_run *rd = c->rd;
    int n = rd_count(rd, RD_SWEEP, "recommendation.points");
    if (n <= 0)
        return;
    const char *title = "Success against extra load (SLO recommendation)";
    char cap[1024], dat[160];
    int best = rd_int(rd, RD_SWEEP, -1, "recommendation.recommended");
    double *x = calloc((size_t)n, sizeof *x), *y = calloc((size_t)n, sizeof *y);
    gp_fig f;
    if (!x || !y || gp_fig_begin(&f, "pareto", title, 900, 520) != 0) {
        free(x);
        free(y);
        c->oom = 1;
        return;
    }
    for (int i = 0; i < n; i++) {
        x[i] = rd_num(rd, RD_SWEEP, NAN, "recommendation.points.%d.extra_attempts_per_request.mean", i);
        y[i] = rd_num(rd, RD_SWEEP, NAN, "recommendation.points.%d.request_success.mean", i);
    }
    static const char *const blocks[3] = {"meets every SLO: extra  success  dir", "misses one: extra  success  dir",
                                          "Pareto front, by extra load: extra  success"};
    for (int b = 0; b < 2; b++) {
        gp_fig_block(&f, blocks[b]);
        for (int i = 0; i < n; i++) {
            int ok = rd_bool(rd, RD_SWEEP, 0, "recommendation.points.%d.meets_every_slo", i);
            const char *dir = rd_str(rd, RD_SWEEP, "recommendation.points.%d.dir", i);
            if (ok == !b && isfinite(x[i]) && isfinite(y[i]))
                fprintf(f.dat, "%.9g %.9g %s\n", x[i], y[i], dir ? dir : "?");
        }
    }
    gp_fig_block(&f, blocks[2]);
    for (int pass = 0, last = -1; pass < n; pass++) { /* front: increasing x, strictly increasing y */
        int pick = -1;
        for (int i = 0; i < n; i++) {
            if (!isfinite(x[i]) || !isfinite(y[i]) || (last >= 0 && (x[i] < x[last] || y[i] <= y[last])))
                continue;
            int dominated = 0;
            for (int j = 0; j < n && !dominated; j++)
                dominated = j != i && isfinite(x[j]) && isfinite(y[j]) && x[j] <= x[i] && y[j] >= y[i] &&
                            (x[j] < x[i] || y[j] > y[i]);
            if (!dominated && (pick < 0 || x[i] < x[pick]))
                pick = i;
        }
        if (pick < 0)
            break;
        fprintf(f.dat, "%.9g %.9g\n", x[pick], y[pick]);
        last = pick;
    }
    gp_fig_datname(&f, dat, sizeof dat);
    FILE *g = f.gp;
    fig_title(g, title, c->scn);
    fprintf(g, "set xlabel 'extra attempts per request (retries + hedges)'\nset ylabel 'request success'\n"
               "set offsets graph 0.05, graph 0.05, graph 0.08, graph 0.08\n"
               "plot '%s' index 2 using 1:2 with lines dt (6,4) lw 1.4 lc rgb '#777777' title 'Pareto front', \\\n"
               "  '' index 0 using 1:2 with points pt 7 ps 1.3 lc rgb '%s' title 'meets every SLO', \\\n"
               "  '' index 1 using 1:2 with points pt 6 ps 1.3 lc rgb '%s' title 'misses an SLO', \\\n"
               "  '' index 0 using 1:2:3 with labels offset 0,1.5 font ',8' notitle, \\\n"
               "  '' index 1 using 1:2:3 with labels offset 0,1.5 font ',8' notitle",
            dat, FIG_C_GOODPUT, FIG_C_ATTEMPTS);
    if (best >= 0 && best < n && isfinite(x[best]))
        fprintf(g, ", \\\n  '+' using (%.9g):(%.9g) every ::0::0 with points pt 4 ps 2.6 lw 2 lc rgb '#000000' "
                   "title 'recommended'", x[best], y[best]);
    fputc('\n', g);
    int st = gp_fig_end(c->gp, &f);
    snprintf(cap, sizeof cap, "Each grid point's success against the load its retries and hedges add. "
             "Filled dots meet every SLO with 95%% confidence; the square marks the recommended point, "
             "the cheapest of those; the dashed line is the Pareto front (no other point has both more "
             "success and less extra load).");
    fig_add(c, "pareto", title, cap, st);
    free(x);
    free(y);
}

static void sweep_free(sweep *s)
{
    if (!s)
        return;
    free(s->x);
    free(s->series);
    free(s);
}

int fig_make_sweep(const rd_run *rd, gp_ctx *g, fig_list *out)
{
    sweep *s = calloc(1, sizeof *s);
    fig_run c = {.rd = rd, .gp = g, .out = out};
    if (!s)
        return -1;
    s->rd = rd;
    s->npts = rd_sweep_count(rd);
    s->x = malloc(((size_t)s->npts + 1) * sizeof *s->x);
    s->series = malloc(((size_t)s->npts + 1) * sizeof *s->series);
    if (!s->x || !s->series) {
        sweep_free(s);
        return -1;
    }
    for (int v = 0; v < rd_count(rd, RD_SWEEP, "vary") && s->nvary < 8; v++)
        if ((s->vary[s->nvary] = rd_str(rd, RD_SWEEP, "vary.%d", v)))
            s->nvary++;
    s->baseline = rd_int(rd, RD_SWEEP, 0, "baseline");
    c.scn = rd_str(rd, RD_SWEEP, "scenario.name");
    if (!c.scn)
        c.scn = rd_str(rd, RD_SCENARIO, "name");
    if (s->npts == 0 || s->nvary == 0 || sweep_layout(s) != 0) {
        fig_note(out, &c.oom, "sweep.json has no points or no varied parameter: sweep figures "
                 "skipped.");
        sweep_free(s);
        return c.oom ? -1 : 0;
    }
    if (s->hidden)
        fig_note(out, &c.oom, "Sweep figures: %d of the %d points are not drawn (a figure draws at "
                 "most %d lines, one per combination of the other varied values, and at most %d "
                 "text values along its x axis); every point is in the Grid tables and sweep.csv.",
                 s->hidden, s->npts, SW_MAX_SERIES, SW_MAX_CAT);
    for (int i = 0; metric_at(i); i++)
        if (metric_at(i)->headline)
            sweep_figure(&c, s, metric_at(i), SW_VALUE);
    sweep_figure(&c, s, metric_find(cm_names[CM_REQUEST_SUCCESS], 1), SW_UNAVAIL);
    static const int diffs[3] = {CM_REQUEST_SUCCESS, CM_LATENCY_P99, CM_ATTEMPTS_PER_REQUEST};
    for (int i = 0; i < 3; i++)
        sweep_figure(&c, s, metric_find(cm_names[diffs[i]], 1), SW_DIFF);
    pareto_figure(&c);
    sweep_free(s);
    return c.oom ? -1 : 0;
}
