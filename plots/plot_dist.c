/* plot_dist.c - empirical distributions against the model's formulas:
 *   up and down periods vs P_failure(t) = 1 - e^{-lambda t} and
 *   P_recovery(t) = 1 - e^{-mu t} (or the scenario's other dists), and
 *   retry delays vs P_retry(t) = 1 - e^{-lambda t} for t <= T_max (MODEL.md).
 */
#include "plots/plot_fig.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ECDF_POINTS 1500 /* rows per empirical CDF in the data file */

/* Values of column CV in rows of T whose column CK equals KEY (and, if CS >= 0,
 * whose column CS equals SVAL); sorted, finite.  NULL if none. */
static double *select_sorted(const tab_table *t, int ck, const char *key, int cs, const char *sval,
                             int cv, int *n)
{
    double *v = malloc((tab_rows(t) + 1) * sizeof *v);
    int m = 0;
    for (int r = 0; v && r < tab_rows(t); r++)
        if (!strcmp(tab_str(t, r, ck), key) && (cs < 0 || !strcmp(tab_str(t, r, cs), sval)))
            v[m++] = tab_num(t, r, cv);
    double *s = v ? fig_sorted(v, &m) : NULL;
    free(v);
    *n = m;
    if (s && m == 0) {
        free(s);
        s = NULL;
    }
    return s;
}

static double mean_of(const double *x, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    return n ? s / n : NAN;
}

/* One panel: the ECDF in data block B and the CDF expression EXPR (may be ""). */
static void cdf_panel(FILE *g, const char *dat, int b, const double *x, int n, const char *what,
                      const char *expr, const char *formula, int color)
{
    char q[400], lab[400];
    double xmax = fig_quantile(x, n, 0.995) * 1.1;
    if (!(xmax > 0))
        xmax = 1;
    fprintf(g, "set xrange [0:%.9g]\nset yrange [0:1.02]\nset ytics 0.2\n", xmax);
    snprintf(lab, sizeof lab, "%s (s)", what);
    fig_set_text(g, "xlabel", lab);
    fprintf(g, "set ylabel 'P(duration <= t)'\n");
    snprintf(lab, sizeof lab, "observed, n = %d, mean %.4g s", n, mean_of(x, n));
    fprintf(g, "plot '%s' index %d using 1:2 with steps lw 2 lc rgb '%s' title %s", dat, b,
            fig_color(color), gp_quote(q, sizeof q, lab));
    if (*expr)
        fprintf(g, ", \\\n  %s with lines dt (6,4) lw 1.8 lc rgb '%s' title %s", expr, FIG_C_THEORY,
                gp_quote(q, sizeof q, formula));
    fputc('\n', g);
}

/* Theory for a pool's failure or repair dist: expression and legend text. */
static void theory(const fig_run *c, const char *pool, const char *which, const char *sym,
                   char *expr, size_t en, char *formula, size_t fn)
{
    char path[160], desc[200];
    snprintf(path, sizeof path, "pools.%s.%s", pool, which);
    expr[0] = formula[0] = '\0';
    if (fig_dist_cdf(c->rd, path, expr, en, desc, sizeof desc) != 0)
        return;
    if (!strcmp(rd_str(c->rd, RD_SCENARIO, "%s.dist", path), "exponential"))
        snprintf(formula, fn, "%s(t) = 1 - e^(-%s t), %s = %g /s", !strcmp(which, "failure")
                 ? "P_failure" : "P_recovery", sym, sym,
                 rd_num(c->rd, RD_SCENARIO, NAN, "%s.rate", path));
    else
        snprintf(formula, fn, "model CDF: %s", desc);
}

void fig_updown(fig_run *c, const char *pool)
{
    char path[4300], name[128], title[256], cap[1024], dat[160];
    snprintf(path, sizeof path, "%s/data/updown.csv", rd_outdir(c->rd));
    tab_table *t = tab_load(path);
    int cp = tab_col(t, "pool"), cs = tab_col(t, "state"), cd = tab_col(t, "duration");
    int nu = 0, nd = 0;
    double *up = NULL, *down = NULL;
    if (cp >= 0 && cs >= 0 && cd >= 0) {
        up = select_sorted(t, cp, pool, cs, "up", cd, &nu);
        down = select_sorted(t, cp, pool, cs, "down", cd, &nd);
    }
    tab_free(t);
    if (!up && !down) {
        if (rd_has(c->rd, RD_SCENARIO) && !rd_exists(c->rd, RD_SCENARIO, "pools.%s.failure", pool))
            fig_note(c->out, &c->oom, "Up/down periods of pool %s: its servers never fail, so "
                     "there are none to plot.", pool);
        else
            fig_note(c->out, &c->oom, "Up/down periods of pool %s: none in data/updown.csv "
                     "(missing file, or no completed period); figure skipped.", pool);
        return;
    }
    gp_fig f;
    snprintf(name, sizeof name, "updown_%s", pool);
    snprintf(title, sizeof title, "Up and down periods of pool %s against the model", pool);
    if (gp_fig_begin(&f, name, title, 900, 460) != 0) {
        c->oom = 1;
        free(up);
        free(down);
        return;
    }
    gp_fig_datname(&f, dat, sizeof dat);
    FILE *g = f.gp;
    char expr[300], formula[300];
    char te[1000];
    fprintf(g, "set multiplot layout 1,2 title %s font ',13'\n",
            fig_title_expr(te, sizeof te, title, c->scn));
    fprintf(g, "set key below vertical maxcols 1 Left reverse nobox spacing 1.1 height 0.6\nset lmargin 9\nset rmargin 3\n");
    if (up) {
        int b = gp_fig_block(&f, "up periods (time to failure): t  ECDF");
        fig_write_ecdf(f.dat, up, nu, 1, ECDF_POINTS);
        theory(c, pool, "failure", "lambda", expr, sizeof expr, formula, sizeof formula);
        cdf_panel(g, dat, b, up, nu, "up period (time to failure)", expr, formula, 0);
    }
    if (down) {
        int b = gp_fig_block(&f, "down periods (time to repair): t  ECDF");
        fig_write_ecdf(f.dat, down, nd, 1, ECDF_POINTS);
        theory(c, pool, "repair", "mu", expr, sizeof expr, formula, sizeof formula);
        cdf_panel(g, dat, b, down, nd, "down period (time to repair)", expr, formula, 1);
    }
    fprintf(g, "unset multiplot\n");
    int st = gp_fig_end(c->gp, &f);
    /* only completed periods are recorded: when they are not short against
     * the window (the model check's rule, app/modelcheck.c), the long ones
     * are cut off and the steps run above the model */
    double span = c->horizon - c->warmup;
    int cut_up = up && span < 50 * mean_of(up, nu), cut_down = down && span < 50 * mean_of(down, nd);
    if (cut_up || cut_down)
        snprintf(cap, sizeof cap, "The observed steps (completed periods, all replications) should follow "
                 "the dashed model CDF of pool %s. Here %s periods are not short against the %.6g s "
                 "window: the long ones run past its end and are not counted, so the observed steps "
                 "run above the model (censoring, not a wrong model: the model check's %s estimate, "
                 "time %s / count, has no such bias). Another gap means the periods do not follow the "
                 "configured distribution, which is expected when repairs wait for a limited crew "
                 "(longer down periods) or forced failures cut up periods short.", pool,
                 cut_up && cut_down ? "up and down" : cut_up ? "up" : "down", span,
                 cut_up && cut_down ? "MTTF and MTTR" : cut_up ? "MTTF" : "MTTR",
                 cut_up && cut_down ? "UP or DOWN" : cut_up ? "UP" : "DOWN");
    else
        snprintf(cap, sizeof cap, "The observed steps (all replications) should follow the dashed "
                 "model CDF of pool %s; a systematic gap means the periods do not follow the "
                 "configured distribution, which is expected when repairs wait for a limited crew "
                 "(longer down periods) or forced failures cut up periods short.", pool);
    fig_add(c, name, title, cap, st);
    free(up);
    free(down);
}

/* Retry-delay data of CLIENT: delays that fired (sorted) and the number of
 * draws in all (fired or abandoned).  NULL if none. */
static double *retry_rows(const fig_run *c, const char *client, int *nfired, int *ndraws)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/data/retry_delays.csv", rd_outdir(c->rd));
    tab_table *t = tab_load(path);
    int cc = tab_col(t, "client"), cd = tab_col(t, "delay"), cf = tab_col(t, "fired");
    double *v = (cc >= 0 && cd >= 0) ? malloc((tab_rows(t) + 1) * sizeof *v) : NULL;
    int m = 0, draws = 0;
    for (int r = 0; v && r < tab_rows(t); r++) {
        if (strcmp(tab_str(t, r, cc), client))
            continue;
        draws++;
        if (cf < 0 || tab_num(t, r, cf) != 0)
            v[m++] = tab_num(t, r, cd);
    }
    tab_free(t);
    double *s = v ? fig_sorted(v, &m) : NULL;
    free(v);
    *nfired = m;
    *ndraws = draws;
    if (s && draws == 0) {
        free(s);
        s = NULL;
    }
    return s;
}

/* Plot for exponential_random: P(fired within t) vs P_retry(t). */
static void retry_theory_plot(FILE *g, const char *dat, double lam, double tmax, int nf, int nd)
{
    char q[300], lab[300];
    double p = 1 - exp(-lam * tmax);
    fprintf(g, "set xrange [0:%.9g]\nset yrange [0:1.02]\nset ytics 0.2\n", tmax * 1.35);
    fprintf(g, "set arrow 1 from first %.9g, graph 0 to first %.9g, graph 1 nohead dt (2,3) "
               "lc rgb '#777777'\n", tmax, tmax);
    fprintf(g, "set label 1 'T_max = %g s' at first %.9g, graph 0.06 right offset -0.5,0 "
               "textcolor rgb '#555555'\n", tmax, tmax);
    fprintf(g, "set ylabel 'P(retry fired within t)'\n");
    snprintf(lab, sizeof lab, "observed: %d of %d draws fired", nf, nd);
    fprintf(g, "plot '%s' index 0 using 1:2 with steps lw 2 lc rgb '%s' title %s", dat,
            fig_color(0), gp_quote(q, sizeof q, lab));
    snprintf(lab, sizeof lab, "P_retry(t) = 1 - e^(-lambda t), lambda = %g /s, t <= T_max", lam);
    fprintf(g, ", \\\n  (x <= %.9g ? 1 - exp(-%.12g*x) : NaN) with lines dt (6,4) lw 1.8 "
               "lc rgb '%s' title %s", tmax, lam, FIG_C_THEORY, gp_quote(q, sizeof q, lab));
    snprintf(lab, sizeof lab, "after T_max no retry fires: stays at %.4g", p);
    fprintf(g, ", \\\n  (x > %.9g ? %.12g : NaN) with lines dt (1,3) lw 1.8 lc rgb '%s' "
               "title %s\n", tmax, p, FIG_C_THEORY, gp_quote(q, sizeof q, lab));
}

void fig_retry_delays(fig_run *c, const char *client)
{
    char name[128], title[256], cap[1024], dat[160], q[300], lab[300];
    int nf = 0, nd = 0;
    double *d = retry_rows(c, client, &nf, &nd);
    if (!d) {
        fig_note(c->out, &c->oom, "Retry delays of client %s: no rows in data/retry_delays.csv "
                 "(no retries, or the file is missing); figure skipped.", client);
        return;
    }
    const char *kind = rd_str(c->rd, RD_SCENARIO, "clients.%s.retry.backoff.kind", client);
    double lam = rd_num(c->rd, RD_SCENARIO, NAN, "clients.%s.retry.backoff.rate", client);
    double tmax = rd_num(c->rd, RD_SCENARIO, NAN, "clients.%s.retry.backoff.t_max", client);
    int exprand = kind && !strcmp(kind, "exponential_random") && lam > 0 && tmax > 0;
    gp_fig f;
    snprintf(name, sizeof name, "retry_%s", client);
    snprintf(title, sizeof title, "Retry delays of client %s (backoff %s)", client,
             kind ? kind : "unknown");
    if (gp_fig_begin(&f, name, title, 900, 480) != 0) {
        c->oom = 1;
        free(d);
        return;
    }
    gp_fig_block(&f, exprand ? "fired delays: t  fraction of all draws fired within t"
                             : "drawn delays: t  ECDF");
    fig_write_ecdf(f.dat, d, nf, nd ? (double)nf / nd : 1, ECDF_POINTS);
    gp_fig_datname(&f, dat, sizeof dat);
    FILE *g = f.gp;
    fig_title(g, title, c->scn);
    fprintf(g, "set key below vertical maxcols 1 Left reverse nobox spacing 1.1 height 0.6\nset xlabel 'delay before the retry, t (s)'\n");
    if (exprand) {
        retry_theory_plot(g, dat, lam, tmax, nf, nd);
        snprintf(cap, sizeof cap, "The observed steps should follow P_retry(t) = 1 - e^(-lambda t) "
                 "up to T_max = %g s and stay flat after it (delays beyond T_max are abandoned, so "
                 "no retry fires then).", tmax);
    } else {
        double xmax = fig_quantile(d, nf, 0.999) * 1.05;
        fprintf(g, "set xrange [0:%.9g]\nset yrange [0:1.02]\nset ylabel 'P(delay <= t)'\n",
                xmax > 0 ? xmax : 1);
        snprintf(lab, sizeof lab, "observed, n = %d, mean %.4g s", nf, mean_of(d, nf));
        fprintf(g, "plot '%s' index 0 using 1:2 with steps lw 2 lc rgb '%s' title %s\n", dat,
                fig_color(0), gp_quote(q, sizeof q, lab));
        snprintf(cap, sizeof cap, "The distribution of the backoff delays drawn before retries of "
                 "client %s: with jitter it should be spread out (no vertical jumps), which is "
                 "what keeps retries from arriving in synchronized waves.", client);
    }
    int st = gp_fig_end(c->gp, &f);
    fig_add(c, name, title, cap, st);
    free(d);
}
