/* plot_limit.c - adaptive concurrency limits over time: per pool with a
 * `limit`, the mean limit per server against the attempts at a server (busy
 * + queued); per client with a `limit`, the limit against its attempts in
 * flight (MODEL.md "Overload control"). */
#include "plots/plot_fig.h"

#include <stdio.h>

void fig_limit(fig_run *c, int is_pool, const char *who)
{
    char name[128], title[256], cap[768], dat[160];
    const char *kind = is_pool ? "pool" : "client";
    if (!c->ts || !rd_exists(c->rd, RD_SCENARIO, "%s.%s.limit", is_pool ? "pools" : "clients", who))
        return;
    int cols[3], n;
    cols[0] = fig_ts_col(c->ts, is_pool ? "pool.%s.limit" : "client.%s.limit", who);
    if (is_pool) {
        cols[1] = fig_ts_col(c->ts, "pool.%s.busy", who);
        cols[2] = fig_ts_col(c->ts, "pool.%s.queue", who);
        n = 3;
    } else {
        cols[1] = fig_ts_col(c->ts, "client.%s.in_flight", who);
        n = 2;
    }
    for (int i = 0; i < n; i++)
        if (cols[i] < 0)
            return;
    double per = is_pool ? rd_num(c->rd, RD_SCENARIO, 1, "pools.%s.servers", who) : 1;
    gp_fig f;
    snprintf(name, sizeof name, "limit_%s", who);
    snprintf(title, sizeof title, "Adaptive concurrency limit, %s %s", kind, who);
    if (gp_fig_begin(&f, name, title, 900, 420) != 0) {
        c->oom = 1;
        return;
    }
    gp_fig_block(&f, is_pool ? "t_mid  limit_per_server  busy  queue" : "t_mid  limit  in_flight");
    fig_ts_write(f.dat, c->ts, cols, n);
    gp_fig_datname(&f, dat, sizeof dat);
    FILE *g = f.gp;
    int obj = 1;
    fig_title(g, title, c->scn);
    if (c->horizon > 0)
        fprintf(g, "set xrange [0:%.9g]\n", c->horizon);
    fig_shade_events(c, g, is_pool ? who : NULL, NULL, &obj);
    fprintf(g, "set xlabel 'simulated time (s)'\nset ylabel '%s'\nset yrange [0:*]\n",
            is_pool ? "requests per server" : "requests");
    if (is_pool)
        fprintf(g, "plot '%s' index 0 using 1:2 with steps lw 2.4 lc rgb '%s' title 'limit', \\\n"
                   "  '' index 0 using 1:(($3 + $4) / %.9g) with steps lw 1.6 dt 2 lc rgb '%s' "
                   "title 'at the server (busy + queued)'\n",
                dat, fig_color(0), per, fig_color(2));
    else
        fprintf(g, "plot '%s' index 0 using 1:2 with steps lw 2.4 lc rgb '%s' title 'limit', \\\n"
                   "  '' index 0 using 1:3 with steps lw 1.6 dt 2 lc rgb '%s' title 'in flight'\n",
                dat, fig_color(0), fig_color(2));
    int st = gp_fig_end(c->gp, &f);
    snprintf(cap, sizeof cap, "The adaptive concurrency limit of %s %s (solid; %s) and the "
             "requests it admitted (dashed), time averages per bin over replications. The "
             "limit falls when latency or drops signal queueing and rises while it does not.",
             kind, who, is_pool ? "mean over its servers" : "client-side");
    fig_add(c, name, title, cap, st);
}
