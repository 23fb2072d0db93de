/* plot_pool.c - pool figures over time: servers UP (with quorum, failures and
 * repairs) and load (busy workers, capacity, queue length). */
#include "plots/plot_fig.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MARKS_MAX_ROWS 5000 /* docs/OUTPUT.md: marks.csv keeps at most this many per pool */
#define MARKS_DRAWN 150     /* more failure/repair triangles than this only clutter */

typedef struct {
    double t;
    int delta;   /* -1 failure, +1 repair */
    int forced;  /* forced_fail (an injected event) */
} mark;

static int cmp_mark(const void *a, const void *b)
{
    const mark *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* Marks of POOL from data/marks.csv, sorted by time; NULL if none. */
static mark *load_marks(const fig_run *c, const char *pool, int *n)
{
    char path[4300];
    *n = 0;
    snprintf(path, sizeof path, "%s/data/marks.csv", rd_outdir(c->rd));
    tab_table *t = tab_load(path);
    int cp = tab_col(t, "pool"), ct = tab_col(t, "time"), ce = tab_col(t, "event");
    mark *m = (t && cp >= 0 && ct >= 0 && ce >= 0) ? malloc((tab_rows(t) + 1) * sizeof *m) : NULL;
    for (int r = 0; m && r < tab_rows(t); r++) {
        const char *ev = tab_str(t, r, ce);
        double time = tab_num(t, r, ct);
        if (strcmp(tab_str(t, r, cp), pool) || !isfinite(time))
            continue;
        int fail = !strcmp(ev, "fail"), forced = !strcmp(ev, "forced_fail") || !strcmp(ev, "restart");
        if (fail || forced || !strcmp(ev, "repair"))
            m[(*n)++] = (mark){time, (fail || forced) ? -1 : 1, forced};
    }
    tab_free(t);
    if (m && *n == 0) {
        free(m);
        m = NULL;
    }
    if (m)
        qsort(m, *n, sizeof *m, cmp_mark);
    return m;
}

/* Blocks for replication 0: its UP-count steps, failure / forced / repair
 * marks.  Sets IDX[0..3] to block indexes (-1 when empty). */
static void write_marks(gp_fig *f, const mark *m, int n, int servers, double horizon, int idx[4])
{
    int up = servers;
    idx[0] = gp_fig_block(f, "replication 0: servers UP after each event (time up)");
    fprintf(f->dat, "0 %d\n", up);
    for (int i = 0; i < n; i++) {
        up += m[i].delta;
        fprintf(f->dat, "%.9g %d\n", m[i].t, up);
    }
    if (n < MARKS_MAX_ROWS && horizon > 0)
        fprintf(f->dat, "%.9g %d\n", horizon, up);
    static const char *const what[3] = {"failures (time up_after)", "forced failures",
                                        "repairs"};
    for (int k = 0; k < 3; k++) {
        idx[k + 1] = -1;
        if (n > MARKS_DRAWN)
            continue; /* the steps alone show them */
        int any = 0;
        up = servers;
        for (int i = 0; i < n; i++) {
            up += m[i].delta;
            int kind = m[i].delta > 0 ? 2 : m[i].forced ? 1 : 0;
            if (kind != k)
                continue;
            if (!any)
                idx[k + 1] = gp_fig_block(f, what[k]);
            any = 1;
            fprintf(f->dat, "%.9g %d\n", m[i].t, up);
        }
    }
}

/* The plot command of the UP figure: replication 0's steps and marks (block
 * indexes IDX), the mean (block MEAN_IDX) and the quorum line. */
static void up_plot(FILE *g, const char *dat, const int idx[4], int mean_idx, int reps, int quorum)
{
    fprintf(g, "plot \\\n");
    if (idx[0] >= 0)
        fprintf(g, "  '%s' index %d using 1:2 with steps lw 1 lc rgb '#8fb3d9' "
                   "title 'UP, replication 0', \\\n", dat, idx[0]);
    if (mean_idx >= 0 && reps > 0)
        fprintf(g, "  '%s' index %d using 1:2 with lines lw 2.2 lc rgb '%s' "
                   "title 'UP, mean of %d replications', \\\n", dat, mean_idx, fig_color(0), reps);
    else if (mean_idx >= 0) /* no replication finished: the one the overload guard stopped */
        fprintf(g, "  '%s' index %d using 1:2 with lines lw 2.2 lc rgb '%s' "
                   "title 'UP, the replication stopped by the guard', \\\n", dat, mean_idx, fig_color(0));
    static const char *const mk[3][3] = {{"11", FIG_C_FAIL, "failure (rep. 0)"},
                                         {"7", "#8B0000", "forced failure (rep. 0)"},
                                         {"9", FIG_C_REPAIR, "repair (rep. 0)"}};
    for (int k = 0; k < 3; k++)
        if (idx[k + 1] >= 0)
            fprintf(g, "  '%s' index %d using 1:2 with points pt %s ps 0.8 lc rgb '%s' "
                       "title '%s', \\\n", dat, idx[k + 1], mk[k][0], mk[k][1], mk[k][2]);
    fprintf(g, "  %d with lines dt (8,5) lw 1.6 lc rgb '#444444' title 'quorum (%d)'\n", quorum,
            quorum);
}

/* The lower end of the servers-UP axis: one server below the lowest count
 * drawn (mean or replication 0's steps) or the quorum line, so the band where
 * things happen fills the figure instead of the top few percent of a
 * 0-based axis; 0 when that is close to 0 anyway. */
static double up_axis_floor(const fig_run *c, int col, const mark *m, int nm, int servers,
                            int quorum)
{
    double lo = fmin(servers, quorum);
    for (int r = 0; col >= 0 && r < tab_rows(c->ts); r++) {
        double v = tab_num(c->ts, r, col);
        if (isfinite(v))
            lo = fmin(lo, v);
    }
    int up = servers;
    for (int i = 0; i < nm; i++) {
        up += m[i].delta;
        lo = fmin(lo, up);
    }
    double f = floor(lo) - 1;
    return f <= 2 ? 0 : f;
}

void fig_pool_up(fig_run *c, const char *pool)
{
    char name[128], title[256], cap[1024], dat[160];
    int col = fig_ts_col(c->ts, "pool.%s.up", pool), nm = 0, idx[4] = {-1, -1, -1, -1};
    mark *m = load_marks(c, pool, &nm);
    if (col < 0 && !m) {
        fig_note(c->out, &c->oom, "Servers UP of pool %s: no pool.%s.up column in timeseries.csv "
                 "and no marks in data/marks.csv; figure skipped.", pool, pool);
        return;
    }
    int servers = rd_int(c->rd, RD_SCENARIO, 0, "pools.%s.servers", pool);
    if (servers <= 0)
        servers = col >= 0 ? rd_int_of(ceil(fig_ts_max(c->ts, col)), 1) : 1;
    int quorum = rd_int(c->rd, RD_SCENARIO, 1, "pools.%s.quorum", pool);
    int reps = rd_int(c->rd, RD_RESULTS, 0, "replications");
    gp_fig f;
    snprintf(name, sizeof name, "up_%s", pool);
    snprintf(title, sizeof title, "Servers UP over time, pool %s (%d servers, quorum %d)", pool,
             servers, quorum);
    if (gp_fig_begin(&f, name, title, 900, 500) != 0) {
        c->oom = 1;
        free(m);
        return;
    }
    int mean_idx = -1;
    if (col >= 0) {
        mean_idx = gp_fig_block(&f, "time-series bins: t_mid  mean servers UP");
        fig_ts_write(f.dat, c->ts, &col, 1);
    }
    if (m)
        write_marks(&f, m, nm, servers, c->horizon, idx);
    FILE *g = f.gp;
    int obj = 1;
    fig_title(g, title, c->scn);
    fprintf(g, "set xlabel 'simulated time (s)'\nset ylabel 'servers UP'\n");
    double ylo = up_axis_floor(c, col, m, nm, servers, quorum);
    fprintf(g, "set yrange [%g:%g]\n", ylo, servers + fmax(0.6, servers * 0.08));
    if (servers <= 12)
        fprintf(g, "set ytics 1\n");
    if (c->horizon > 0)
        fprintf(g, "set xrange [0:%.9g]\n", c->horizon);
    int shaded = fig_shade_events(c, g, pool, NULL, &obj);
    gp_fig_datname(&f, dat, sizeof dat);
    up_plot(g, dat, idx, mean_idx, reps, quorum);
    int st = gp_fig_end(c->gp, &f);
    char below[160];
    if (quorum == 1)
        snprintf(below, sizeof below, "while no server of pool %s is UP", pool);
    else
        snprintf(below, sizeof below, "while fewer than %d servers of pool %s are UP", quorum, pool);
    snprintf(cap, sizeof cap, "Look for dips below the dashed quorum line: %s the pool is unavailable; "
             "the thick line is the mean over replications, the thin steps and triangles one "
             "replication's failures and repairs%s%s.%s",
             below, c->warmup > 0 ? "; grey: the warm-up" : "",
             shaded ? "; coloured bands: injected events" : "",
             ylo > 0 ? " The axis starts above 0 to show the band where servers come and go." : "");
    fig_add(c, name, title, cap, st);
    free(m);
}

/* 1 if a log y axis suits values in column COL (they span > 2 decades). */
static int wants_log(const tab_table *ts, int col)
{
    double lo = INFINITY, hi = 0;
    for (int r = 0; r < tab_rows(ts); r++) {
        double v = tab_num(ts, r, col);
        if (isfinite(v) && v > 0) {
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
    }
    return hi > 0 && hi / fmax(lo, hi * 1e-6) > 300;
}

void fig_pool_load(fig_run *c, const char *pool)
{
    char name[128], title[256], cap[1024], dat[160];
    int cols[3] = {fig_ts_col(c->ts, "pool.%s.busy", pool), fig_ts_col(c->ts, "pool.%s.queue", pool),
                   fig_ts_col(c->ts, "pool.%s.up", pool)};
    if (cols[0] < 0 && cols[1] < 0) {
        fig_note(c->out, &c->oom, "Load of pool %s: no pool.%s.busy or pool.%s.queue column in "
                 "timeseries.csv; figure skipped.", pool, pool, pool);
        return;
    }
    double workers = rd_num(c->rd, RD_SCENARIO, 1, "pools.%s.workers", pool);
    gp_fig f;
    snprintf(name, sizeof name, "load_%s", pool);
    snprintf(title, sizeof title, "Busy workers and queue length over time, pool %s", pool);
    if (gp_fig_begin(&f, name, title, 900, 560) != 0) {
        c->oom = 1;
        return;
    }
    gp_fig_block(&f, "t_mid  busy_workers  queue_waiting  servers_up");
    fig_ts_write(f.dat, c->ts, cols, 3);
    gp_fig_datname(&f, dat, sizeof dat);
    FILE *g = f.gp;
    int obj = 1, logq = cols[1] >= 0 && wants_log(c->ts, cols[1]);
    fprintf(g, "set multiplot\n");
    fig_panel(g, 0.56, 0.86);
    fig_title(g, title, c->scn);
    if (c->horizon > 0)
        fprintf(g, "set xrange [0:%.9g]\n", c->horizon);
    fig_shade_events(c, g, pool, NULL, &obj);
    fprintf(g, "set format x ''\nset ylabel 'workers'\nset yrange [0:*]\n"
               "set offsets 0, 0, graph 0.1, 0\n");
    if (cols[0] < 0)
        fig_empty_plot(g, "no busy workers in timeseries.csv");
    else
        fprintf(g, "plot '%s' index 0 using 1:2 with lines lw 2 lc rgb '%s' "
                   "title 'busy workers (mean)'", dat, fig_color(0));
    if (cols[0] >= 0 && cols[2] >= 0)
        fprintf(g, ", \\\n  '' index 0 using 1:($4*%.9g) with lines dt (6,4) lw 1.4 lc rgb '#555555' "
                   "title 'capacity (UP x %g)'", workers, workers);
    fprintf(g, "\nunset title\nunset label\nset offsets 0, 0, 0, 0\nset format x '%% h'\nset xlabel 'simulated time (s)'\n");
    fig_panel(g, 0.12, 0.52);
    if (logq)
        fprintf(g, "set logscale y\nset yrange [*:*]\nset ylabel 'requests waiting (log scale)'\n");
    else
        fprintf(g, "set ylabel 'requests waiting'\n");
    if (cols[1] < 0)
        fig_empty_plot(g, "no queue length in timeseries.csv");
    else
        fprintf(g, "plot '%s' index 0 using 1:%s with lines lw 2 lc rgb '%s' "
                   "title 'queue length (mean)'\n", dat, logq ? "($3 > 0 ? $3 : NaN)" : "3",
                fig_color(1));
    fprintf(g, "unset multiplot\n");
    int st = gp_fig_end(c->gp, &f);
    snprintf(cap, sizeof cap, "Top: busy workers against the capacity of the UP servers (when "
             "they meet, pool %s is saturated); bottom: requests waiting, which keeps growing "
             "during a retry storm because the servers still serve attempts whose clients have "
             "timed out.", pool);
    fig_add(c, name, title, cap, st);
}
