/* plot_slo.c - the error-budget burn of each SLO over time (issue 16), from
 * data/slo_burn.csv (app/slo.h): the burn rate per time-series bin and the
 * share of the window's budget spent since the warm-up. */
#include "plots/plot_fig.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The burn figure of SLO number K (its rows in T). */
static void burn_figure(fig_run *c, const tab_table *t, int k)
{
    int cs = tab_col(t, "slo"), c0 = tab_col(t, "t_start"), c1 = tab_col(t, "t_end");
    int cb = tab_col(t, "burn_rate"), cu = tab_col(t, "budget_spent"), cc = tab_col(t, "client");
    char name[64], title[256], cap[1024], dat[160];
    const char *client = NULL;
    double target = rd_num(c->rd, RD_SCENARIO, NAN, "slos.%d.success", k);
    double window = rd_num(c->rd, RD_RESULTS, NAN, "slos.%d.window", k);
    for (int r = 0; r < tab_rows(t) && !client; r++)
        if (rd_int_of(tab_num(t, r, cs), -1) == k)
            client = tab_str(t, r, cc);
    if (!client)
        return;
    snprintf(name, sizeof name, "slo_burn_%d", k);
    snprintf(title, sizeof title, "Error-budget burn, SLO %d (client %s)", k, client);
    gp_fig f;
    if (gp_fig_begin(&f, name, title, 900, 560) != 0) {
        c->oom = 1;
        return;
    }
    gp_fig_block(&f, "t_mid  burn_rate  budget_spent");
    for (int r = 0; r < tab_rows(t); r++) {
        if (rd_int_of(tab_num(t, r, cs), -1) != k)
            continue;
        fprintf(f.dat, "%.9g ", (tab_num(t, r, c0) + tab_num(t, r, c1)) / 2);
        fig_num(f.dat, tab_num(t, r, cb));
        fputc(' ', f.dat);
        fig_num(f.dat, tab_num(t, r, cu));
        fputc('\n', f.dat);
    }
    gp_fig_datname(&f, dat, sizeof dat);
    FILE *g = f.gp;
    int obj = 1;
    fprintf(g, "set multiplot\n");
    if (c->horizon > 0)
        fprintf(g, "set xrange [0:%.9g]\n", c->horizon);
    fig_shade_events(c, g, NULL, client, &obj);
    fig_panel(g, 0.56, 0.86);
    fig_title(g, title, c->scn);
    fprintf(g, "set format x ''\nset ylabel 'burn rate (x budget)'\nset yrange [0:*]\n"
               "plot '%s' index 0 using 1:2 with lines lw 2 lc rgb '%s' title 'burn rate per bin', \\\n"
               "  1 with lines dt (8,5) lw 1.4 lc rgb '#444444' title 'sustainable (1)'\n",
            dat, FIG_C_ATTEMPTS);
    fprintf(g, "unset title\nunset label\nset format x '%% h'\nset xlabel 'simulated time (s)'\n"
               "set ylabel 'budget spent (fraction)'\nset yrange [0:*]\n");
    fig_panel(g, 0.12, 0.52);
    fprintf(g, "plot '%s' index 0 using 1:3 with lines lw 2 lc rgb '%s' title 'budget spent since warm-up', \\\n"
               "  1 with lines dt (8,5) lw 1.4 lc rgb '#444444' title 'whole budget of one window'\n"
               "unset multiplot\n", dat, FIG_C_OFFERED);
    int st = gp_fig_end(c->gp, &f);
    snprintf(cap, sizeof cap,
             "Top: how fast client %s spends its error budget (%.3g%% of requests may fail) in each "
             "time bin; above the dashed line at 1 the budget would not last the %.6g s window. "
             "Bottom: the share of one window's budget spent since the warm-up, averaged over "
             "replications; crossing 1 means the SLO's budget is gone.",
             client, 100 * (1 - target), window);
    fig_add(c, name, title, cap, st);
}

void fig_slo_burn(fig_run *c)
{
    char path[4300];
    int n = rd_count(c->rd, RD_SCENARIO, "slos");
    if (n <= 0)
        return;
    snprintf(path, sizeof path, "%s/data/slo_burn.csv", rd_outdir(c->rd));
    tab_table *t = tab_load(path);
    if (!t || tab_col(t, "slo") < 0 || tab_rows(t) == 0) {
        tab_free(t);
        return; /* no success objective, or no replication finished */
    }
    for (int k = 0; k < n; k++)
        burn_figure(c, t, k);
    tab_free(t);
}
