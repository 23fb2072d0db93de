/* plot_health.c - health checking figures: per pool, servers DOWN against
 * servers each health-checking client believes unhealthy (the gap between
 * the curves is the detection lag, and a curve above DOWN is false
 * ejection); per client, the distribution of detection delays (MODEL.md
 * "Health checking"). */
#include "plots/plot_fig.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHECKERS 6 /* clients drawn per pool figure */

/* Does CLIENT (with a believed-unhealthy series) check POOL? */
static int checks_pool(const fig_run *c, const char *client, const char *pool)
{
    const char *t = rd_str(c->rd, RD_SCENARIO, "clients.%s.target", client);
    if (!t) /* the default target is the first pool */
        t = rd_str(c->rd, RD_SCENARIO, "pools[0].name");
    return t && !strcmp(t, pool) && fig_ts_col(c->ts, "client.%s.unhealthy", client) >= 0;
}

void fig_pool_detect(fig_run *c, const char *pool, const char *const *clients, int nc)
{
    char name[128], title[256], cap[1024], dat[160], q[300], lab[200];
    int cols[1 + MAX_CHECKERS], k = 0;
    const char *who[MAX_CHECKERS];
    cols[0] = fig_ts_col(c->ts, "pool.%s.up", pool);
    for (int i = 0; i < nc && k < MAX_CHECKERS; i++)
        if (clients[i] && checks_pool(c, clients[i], pool)) {
            who[k] = clients[i];
            cols[1 + k++] = fig_ts_col(c->ts, "client.%s.unhealthy", clients[i]);
        }
    if (k == 0 || cols[0] < 0)
        return; /* nobody health-checks this pool: no figure, nothing to say */
    double servers = rd_num(c->rd, RD_SCENARIO, 1, "pools.%s.servers", pool);
    gp_fig f;
    snprintf(name, sizeof name, "detect_%s", pool);
    snprintf(title, sizeof title, "Servers DOWN vs believed unhealthy, pool %s", pool);
    if (gp_fig_begin(&f, name, title, 900, 460) != 0) {
        c->oom = 1;
        return;
    }
    gp_fig_block(&f, "t_mid  servers_up  believed_unhealthy_by_client...");
    fig_ts_write(f.dat, c->ts, cols, 1 + k);
    gp_fig_datname(&f, dat, sizeof dat);
    FILE *g = f.gp;
    int obj = 1;
    fig_title(g, title, c->scn);
    if (c->horizon > 0)
        fprintf(g, "set xrange [0:%.9g]\n", c->horizon);
    fig_shade_events(c, g, pool, NULL, &obj);
    fprintf(g, "set xlabel 'simulated time (s)'\nset ylabel 'servers (mean over replications)'\n"
               "set yrange [0:*]\n");
    fprintf(g, "plot '%s' index 0 using 1:(%.9g - $2) with steps lw 2.4 lc rgb '%s' title 'DOWN'",
            dat, servers, FIG_C_FAIL);
    for (int i = 0; i < k; i++) {
        snprintf(lab, sizeof lab, "believed unhealthy by %s", who[i]);
        fprintf(g, ", \\\n  '' index 0 using 1:%d with steps lw 1.6 dt %d lc rgb '%s' title %s", 3 + i,
                i + 2, fig_color(i == 0 ? 0 : i + 1), gp_quote(q, sizeof q, lab));
    }
    fprintf(g, "\n");
    int st = gp_fig_end(c->gp, &f);
    snprintf(cap, sizeof cap, "Servers of pool %s DOWN (solid) and believed unhealthy by each "
             "health-checking client (dashed), time averages per bin over replications. Where "
             "DOWN rises first, the gap is the detection lag (requests still go to dead "
             "servers); a dashed curve above DOWN is false ejection (UP servers taken out of "
             "rotation, e.g. by queued probes under load).", pool);
    fig_add(c, name, title, cap, st);
}

void fig_detection(fig_run *c, const char *client)
{
    char path[4300], name[128], title[256], cap[1024], dat[160], q[300], lab[300];
    if (!rd_exists(c->rd, RD_SCENARIO, "clients.%s.health_check", client))
        return;
    snprintf(path, sizeof path, "%s/data/detection.csv", rd_outdir(c->rd));
    tab_table *t = tab_load(path);
    int cc = tab_col(t, "client"), cd = tab_col(t, "delay"), m = 0;
    double *v = t ? malloc((tab_rows(t) + 1) * sizeof *v) : NULL;
    for (int r = 0; v && cc >= 0 && cd >= 0 && r < tab_rows(t); r++)
        if (!strcmp(tab_str(t, r, cc), client))
            v[m++] = tab_num(t, r, cd);
    tab_free(t);
    double *x = v ? fig_sorted(v, &m) : NULL;
    free(v);
    if (!x || m == 0) {
        free(x);
        fig_note(c->out, &c->oom, "Detection delays of client %s: none in data/detection.csv "
                 "(no failure detected); figure skipped.", client);
        return;
    }
    double interval = rd_num(c->rd, RD_SCENARIO, NAN, "clients.%s.health_check.interval", client);
    double f_th = rd_num(c->rd, RD_SCENARIO, NAN, "clients.%s.health_check.unhealthy_threshold", client);
    gp_fig f;
    snprintf(name, sizeof name, "detection_%s", client);
    snprintf(title, sizeof title, "Detection delay, client %s", client);
    if (gp_fig_begin(&f, name, title, 900, 460) != 0) {
        c->oom = 1;
        free(x);
        return;
    }
    gp_fig_block(&f, "detection delay: t  ECDF");
    fig_write_ecdf(f.dat, x, m, 1, 1500);
    gp_fig_datname(&f, dat, sizeof dat);
    FILE *g = f.gp;
    double sum = 0, xmax = fig_quantile(x, m, 0.995) * 1.1;
    for (int i = 0; i < m; i++)
        sum += x[i];
    fig_title(g, title, c->scn);
    fprintf(g, "set xrange [0:%.9g]\nset yrange [0:1.02]\nset ytics 0.2\n", xmax > 0 ? xmax : 1);
    fprintf(g, "set xlabel 'detection delay: DOWN to believed unhealthy (s)'\nset ylabel 'P(delay <= t)'\n");
    snprintf(lab, sizeof lab, "observed, n = %d, mean %.4g s", m, sum / m);
    fprintf(g, "plot '%s' index 0 using 1:2 with steps lw 2 lc rgb '%s' title %s", dat, fig_color(0),
            gp_quote(q, sizeof q, lab));
    if (interval > 0 && f_th >= 1) {
        /* the design rule: U(0, I) before the first failed probe, then F-1 more */
        double lo = (f_th - 1) * interval;
        snprintf(lab, sizeof lab, "direct probes, fail_fast: U(0, I) + (F-1) I, mean %.4g s",
                 lo + interval / 2);
        fprintf(g, ", \\\n  (x < %.9g ? 0 : x > %.9g ? 1 : (x - %.9g) / %.9g) with lines dt (6,4) "
                   "lw 1.8 lc rgb '%s' title %s", lo, lo + interval, lo, interval, FIG_C_THEORY,
                gp_quote(q, sizeof q, lab));
    }
    fprintf(g, "\n");
    int st = gp_fig_end(c->gp, &f);
    snprintf(cap, sizeof cap, "How long client %s kept routing to a server after it went DOWN "
             "(all replications; only failures detected before the server came back). With "
             "direct probes every I and threshold F against fail_fast servers it is uniform on "
             "[(F-1) I, F I] (dashed); hang servers add the probe timeout per failed probe, and "
             "jitter or queued probes spread it.", client);
    fig_add(c, name, title, cap, st);
    free(x);
}
