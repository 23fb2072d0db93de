/* plot_client.c - client figures: success rate and load over time, latency
 * CCDF with its percentiles, attempt outcomes by cause. */
#include "plots/plot_fig.h"
#include "models/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The pool a client targets (scenario), or NULL. */
static const char *target_of(const fig_run *c, const char *client)
{
    return rd_str(c->rd, RD_SCENARIO, "clients.%s.target", client);
}

void fig_client_traffic(fig_run *c, const char *client)
{
    char name[128], title[256], cap[1024], dat[160];
    static const char *const what[5] = {"success", "offered", "attempts", "goodput", NULL};
    int cols[4], any = 0;
    for (int i = 0; i < 4; i++) {
        char fmt[64];
        snprintf(fmt, sizeof fmt, "client.%%s.%s", what[i]);
        cols[i] = fig_ts_col(c->ts, fmt, client);
        any |= cols[i] >= 0;
    }
    if (!any) {
        fig_note(c->out, &c->oom, "Traffic of client %s: no client.%s.* columns in "
                 "timeseries.csv; figure skipped.", client, client);
        return;
    }
    gp_fig f;
    snprintf(name, sizeof name, "traffic_%s", client);
    snprintf(title, sizeof title, "Requests over time, client %s", client);
    if (gp_fig_begin(&f, name, title, 900, 600) != 0) {
        c->oom = 1;
        return;
    }
    gp_fig_block(&f, "t_mid  success_fraction  offered/s  attempts/s  goodput/s");
    fig_ts_write(f.dat, c->ts, cols, 4);
    gp_fig_datname(&f, dat, sizeof dat);
    FILE *g = f.gp;
    int obj = 1;
    const char *pool = target_of(c, client);
    fprintf(g, "set multiplot\n");
    if (c->horizon > 0)
        fprintf(g, "set xrange [0:%.9g]\n", c->horizon);
    int shaded = fig_shade_events(c, g, pool, client, &obj);
    fig_panel(g, 0.62, 0.87);
    fig_title(g, title, c->scn);
    fprintf(g, "set format x ''\nset ylabel 'success (fraction)'\nset yrange [0:1.05]\n"
               "set ytics 0.25\n");
    if (cols[0] >= 0)
        fprintf(g, "plot '%s' index 0 using 1:2 with lines lw 2 lc rgb '%s' "
                   "title 'request success rate'\n", dat, FIG_C_GOODPUT);
    else
        fig_empty_plot(g, "no success rate in timeseries.csv");
    fprintf(g, "unset title\nunset label\nset format x '%% h'\nset ytics autofreq\nset yrange [0:*]\n"
               "set xlabel 'simulated time (s)'\nset ylabel 'requests/s, attempts/s'\n");
    fig_panel(g, 0.12, 0.58);
    if (cols[1] < 0 && cols[2] < 0 && cols[3] < 0)
        fig_empty_plot(g, "no offered/attempts/goodput in timeseries.csv");
    else
        fprintf(g, "plot NaN notitle");
    static const char *const lab[3] = {"offered (requests/s)", "attempts sent/s",
                                       "goodput (successes/s)"};
    static const char *const col[3] = {FIG_C_OFFERED, FIG_C_ATTEMPTS, FIG_C_GOODPUT};
    static const char *const dash[3] = {"dt solid", "dt solid", "dt (5,3)"};
    for (int i = 0; i < 3; i++)
        if (cols[i + 1] >= 0)
            fprintf(g, ", \\\n  '%s' index 0 using 1:%d with lines lw 2 %s lc rgb '%s' title '%s'",
                    dat, i + 3, dash[i], col[i], lab[i]);
    fprintf(g, "\nunset multiplot\n");
    int st = gp_fig_end(c->gp, &f);
    /* the caption describes what is drawn: colours FIG_C_*, shading only if any */
    snprintf(cap, sizeof cap,
             "Top: the request success rate per time bin (green). Bottom: offered requests/s "
             "(blue), attempts sent/s (orange) and goodput, successes/s (green, dashed). A retry "
             "storm shows as attempts far above the offered load while goodput and the success "
             "rate fall.%s%s",
             c->warmup > 0 ? " Grey: the warm-up, left out of the statistics." : "",
             shaded ? " Shaded in colour: the scenario's injected events; watch how long the "
                      "effect lasts after each ends." : "");
    fig_add(c, name, title, cap, st);
}

/* Client names in column CC of T, in order of first appearance (at most
 * MAX); returns how many. */
static int clients_in(const tab_table *t, int cc, const char **names, int max)
{
    int n = 0;
    for (int r = 0; r < tab_rows(t); r++) {
        const char *s = tab_str(t, r, cc);
        int seen = 0;
        for (int i = 0; i < n && !seen; i++)
            seen = !strcmp(names[i], s);
        if (!seen && *s && n < max)
            names[n++] = s;
    }
    return n;
}

/* Percentile marks of CLIENT number K: a point at (p_q, 1 - q) on the
 * reference line of level 1 - q, labelled with the value from results.json;
 * written as a data block for  with points / with labels. */
static int percentile_block(const fig_run *c, gp_fig *f, const char *client)
{
    static const int key[3] = {CM_LATENCY_P50, CM_LATENCY_P99, CM_LATENCY_P999};
    static const char *const lab[3] = {"p50", "p99", "p99.9"};
    static const double level[3] = {0.5, 0.01, 0.001};
    int b = -1;
    for (int i = 0; i < 3; i++) {
        rd_stat s;
        if (rd_stat_at(c->rd, RD_RESULTS, &s, "clients.%s.%s", client, cm_names[key[i]]) != 0 ||
            !(s.mean > 0))
            continue;
        if (b < 0)
            b = gp_fig_block(f, "percentiles from results.json: latency_s  level  label");
        fprintf(f->dat, "%.9g %g %s=%.3gs\n", s.mean, level[i], lab[i], s.mean);
    }
    return b;
}

/* One data block per client of the CCDF's positive points; IDX[k] gets the
 * block (-1 if none).  Returns the smallest latency whose CCDF is < 0.999
 * (where the curves start to fall), or INFINITY. */
static double latency_blocks(gp_fig *f, const tab_table *t, const char **names, int n, int *idx)
{
    int cc = tab_col(t, "client"), cl = tab_col(t, "latency"), cp = tab_col(t, "ccdf");
    double xmin = INFINITY;
    for (int k = 0; k < n; k++) {
        char com[160];
        snprintf(com, sizeof com, "client %s: latency_s  ccdf (positive values only)", names[k]);
        idx[k] = -1;
        for (int r = 0; r < tab_rows(t); r++) {
            double x = tab_num(t, r, cl), y = tab_num(t, r, cp);
            if (strcmp(tab_str(t, r, cc), names[k]) || !(x > 0) || !(y > 0))
                continue;
            if (idx[k] < 0)
                idx[k] = gp_fig_block(f, com);
            fprintf(f->dat, "%.9g %.9g\n", x, y);
            if (y < 0.999)
                xmin = fmin(xmin, x);
        }
    }
    return xmin;
}

static void latency_plot(FILE *g, const char *dat, const char **names, int n, const int *idx,
                         const int *pidx)
{
    char q[200];
    fprintf(g, "plot 0.5 with lines dt (2,4) lc rgb '#888888' title 'levels 0.5, 0.01, 0.001', "
               "0.01 with lines dt (2,4) lc rgb '#888888' notitle, "
               "0.001 with lines dt (2,4) lc rgb '#888888' notitle");
    for (int k = 0; k < n; k++) {
        if (idx[k] >= 0)
            fprintf(g, ", \\\n  '%s' index %d using 1:2 with lines lw 2.2 lc rgb '%s' "
                       "title %s", dat, idx[k], fig_color(k),
                    fig_qtext(q, sizeof q, "client ", names[k], ""));
        if (pidx[k] < 0)
            continue;
        fprintf(g, ", \\\n  '%s' index %d using 1:2 with points pt 7 ps 1.1 lc rgb '%s' "
                   "title %s", dat, pidx[k], fig_color(k),
                fig_qtext(q, sizeof q, "client ", names[k], " p50, p99, p99.9"));
        fprintf(g, ", \\\n  '%s' index %d using 1:2:3 with labels %s offset %s font ',9' "
                   "textcolor rgb '%s' notitle", dat, pidx[k], k % 2 ? "right" : "left",
                k % 2 ? "-0.8,-0.8" : "0.8,0.8", fig_color(k));
    }
    fputc('\n', g);
}

void fig_latency(fig_run *c)
{
    char path[4300], dat[160], cap[1024];
    const char *names[8], *title = "Latency of successful requests: CCDF, P(latency > x)";
    int idx[8], pidx[8], any = 0;
    snprintf(path, sizeof path, "%s/data/latency.csv", rd_outdir(c->rd));
    tab_table *t = tab_load(path);
    int ok = tab_col(t, "client") >= 0 && tab_col(t, "latency") >= 0 && tab_col(t, "ccdf") >= 0;
    int n = ok ? clients_in(t, tab_col(t, "client"), names, 8) : 0;
    gp_fig f;
    if (n > 0 && gp_fig_begin(&f, "latency", title, 900, 520) != 0) {
        c->oom = 1;
        n = 0;
    }
    double xmin = n ? latency_blocks(&f, t, names, n, idx) : INFINITY;
    for (int k = 0; k < n; k++) {
        pidx[k] = percentile_block(c, &f, names[k]);
        any |= idx[k] >= 0 || pidx[k] >= 0;
    }
    if (!any) {
        if (n)
            gp_fig_discard(&f);
        fig_note(c->out, &c->oom, "Latency CCDF: data/latency.csv is missing or has no positive "
                 "value (no successful request?); figure skipped.");
        tab_free(t);
        return;
    }
    gp_fig_datname(&f, dat, sizeof dat);
    FILE *g = f.gp;
    fig_title(g, title, c->scn);
    fprintf(g, "set logscale xy\nset xlabel 'latency x (s)'\n"
               "set ylabel 'fraction of requests slower than x'\nset yrange [*:1.5]\n"
               "set mxtics 10\nset mytics 10\nset format x '%%g'\nset format y '%%g'\n");
    if (isfinite(xmin) && xmin > 0)
        fprintf(g, "set xrange [%.9g:*]\n", pow(10, floor(log10(xmin / 2))));
    latency_plot(g, dat, names, n, idx, pidx);
    int st = gp_fig_end(c->gp, &f);
    snprintf(cap, sizeof cap, "Read the tail: a curve crosses the dashed levels 0.5, 0.01 and "
             "0.001 at its p50, p99 and p99.9 (dots: the values in results.json); a shoulder in "
             "the tail is timeouts and retries adding whole timeout and backoff periods.");
    fig_add(c, "latency", title, cap, st);
    tab_free(t);
}

void fig_outcomes(fig_run *c)
{
    char path[4300], dat[160], cap[1024], q[200];
    const char *const *causes = cause_names; /* models/metrics_table.h */
    if (rd_num(c->rd, RD_RESULTS, 1, "replications") == 0) {
        fig_note(c->out, &c->oom, "Attempt outcomes: no replication finished (see why at the top), "
                 "so there are no outcomes to count; figure skipped.");
        return;
    }
    enum { NCAUSE = CAUSE_COUNT };
    const char *names[8];
    snprintf(path, sizeof path, "%s/data/errors.csv", rd_outdir(c->rd));
    tab_table *t = tab_load(path);
    int cc = tab_col(t, "client"), ck = tab_col(t, "cause"), cv = tab_col(t, "per_request");
    int n = (cc >= 0 && ck >= 0 && cv >= 0) ? clients_in(t, cc, names, 8) : 0;
    if (n == 0) {
        fig_note(c->out, &c->oom, "Attempt outcomes: data/errors.csv is missing or empty; figure "
                 "skipped.");
        tab_free(t);
        return;
    }
    const char *title = "Attempt outcomes by cause, per ended request";
    gp_fig f;
    if (gp_fig_begin(&f, "outcomes", title, 900, 480) != 0) {
        c->oom = 1;
        tab_free(t);
        return;
    }
    double w = 0.8 / n, top = 0, low = INFINITY;
    for (int r = 0; r < tab_rows(t); r++) {
        double v = tab_num(t, r, cv);
        if (isfinite(v) && v > 0)
            low = fmin(low, v);
    }
    for (int k = 0; k < n; k++) {
        char com[160];
        snprintf(com, sizeof com, "client %s: x  per_request  bar_width  cause", names[k]);
        gp_fig_block(&f, com);
        for (int i = 0; i < NCAUSE; i++) {
            double v = 0;
            for (int r = 0; r < tab_rows(t); r++)
                if (!strcmp(tab_str(t, r, cc), names[k]) && !strcmp(tab_str(t, r, ck), causes[i]) &&
                    isfinite(tab_num(t, r, cv)))
                    v = tab_num(t, r, cv);
            top = fmax(top, v);
            fprintf(f.dat, "%.4f %.9g %.4f %s\n", i - 0.4 + w * (k + 0.5), v, w * 0.92, causes[i]);
        }
    }
    gp_fig_datname(&f, dat, sizeof dat);
    FILE *g = f.gp;
    fig_title(g, title, c->scn);
    /* Success is ~1 per request while failures are often 1e-4: on a linear
     * axis every failure bar would be invisible, so span the decades. */
    int logy = top > 0 && isfinite(low) && top / low > 100;
    double base = logy ? pow(10, floor(log10(low)) - 1) : 0;
    if (logy)
        fprintf(g, "set logscale y\nset format y '%%g'\nset yrange [%.3g:%.9g]\n", base, top * 4);
    else
        fprintf(g, "set yrange [0:%.9g]\n", top > 0 ? top * 1.15 : 1);
    fprintf(g, "set ylabel 'attempts per ended request%s'\nset xlabel 'attempt outcome'\n"
               "set xrange [-0.6:%d.6]\nset grid noxtics\nset xtics (",
            logy ? " (log scale)" : "", NCAUSE - 1);
    for (int i = 0; i < NCAUSE; i++)
        fprintf(g, "%s'%s' %d", i ? ", " : "", causes[i], i);
    fprintf(g, ") scale 0 rotate by 30 right\nplot NaN notitle"); /* 12 names side by side overlap */
    for (int k = 0; k < n; k++) {
        /* boxxyerror: boxes from the axis floor, which a log axis needs */
        fprintf(g, ", \\\n  '%s' index %d using 1:($2 > 0 ? $2 : NaN):($1-$3/2):($1+$3/2):(%.3g):2 "
                   "with boxxyerror fs solid 0.85 noborder lc rgb '%s' title %s", dat, k, base,
                fig_color(k), fig_qtext(q, sizeof q, "client ", names[k], ""));
        fprintf(g, ", \\\n  '' index %d using 1:($2 > %.3g ? $2 : %.3g):(sprintf('%%.3g', $2)) "
                   "with labels offset 0,0.7 font ',8' textcolor rgb '#333333' notitle", k, base, base);
    }
    fputc('\n', g);
    int st = gp_fig_end(c->gp, &f);
    snprintf(cap, sizeof cap, "Where the attempts go: success is at most 1 per request, so any "
             "height in timeout, error, breaker or budget_denied is extra attempts per request "
             "(the cost of retries), and abandoned counts retries or hedges given up.");
    fig_add(c, "outcomes", title, cap, st);
    tab_free(t);
}
