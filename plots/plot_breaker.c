/* plot_breaker.c - circuit breakers over time: the fraction OPEN per client
 * (timeseries.csv) and replication 0's per-breaker state timeline
 * (data/breaker.csv). */
#include "plots/plot_fig.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BRK_MAX_ROWS 40 /* breakers drawn in the timeline */

typedef struct {
    const char *client;
    long server;  /* -1: pool-scope breaker */
} brk_row;

typedef struct {
    int row;
    double t;
    int state;    /* 0 closed, 1 open, 2 half_open */
} brk_change;

static int cmp_change(const void *a, const void *b)
{
    const brk_change *x = a, *y = b;
    if (x->row != y->row)
        return x->row - y->row;
    return (x->t > y->t) - (x->t < y->t);
}

/* Row of (CLIENT, SERVER) in ROWS[0..*N), added if new and room; -1 if full. */
static int row_of(brk_row *rows, int *n, const char *client, long server)
{
    for (int i = 0; i < *n; i++)
        if (rows[i].server == server && !strcmp(rows[i].client, client))
            return i;
    if (*n >= BRK_MAX_ROWS)
        return -1;
    rows[*n] = (brk_row){client, server};
    return (*n)++;
}

/* Order ROWS by client (first appearance) then server number, and renumber
 * the changes CH[0..NCH) to match. */
static void sort_rows(brk_row *rows, int nrows, brk_change *ch, int nch)
{
    int corder[BRK_MAX_ROWS], perm[BRK_MAX_ROWS], newpos[BRK_MAX_ROWS];
    brk_row copy[BRK_MAX_ROWS];
    for (int i = 0; i < nrows; i++) {
        corder[i] = i;
        for (int j = 0; j < i; j++)
            if (!strcmp(rows[j].client, rows[i].client)) {
                corder[i] = corder[j];
                break;
            }
        perm[i] = i;
    }
    for (int i = 1; i < nrows; i++) /* insertion sort: at most BRK_MAX_ROWS rows */
        for (int j = i; j > 0; j--) {
            int a = perm[j - 1], b = perm[j];
            int later = corder[a] > corder[b] ||
                        (corder[a] == corder[b] && rows[a].server > rows[b].server);
            if (!later)
                break;
            perm[j - 1] = b;
            perm[j] = a;
        }
    for (int i = 0; i < nrows; i++) {
        copy[i] = rows[perm[i]];
        newpos[perm[i]] = i;
    }
    memcpy(rows, copy, nrows * sizeof *rows);
    for (int i = 0; i < nch; i++)
        ch[i].row = newpos[ch[i].row];
}

static int state_code(const char *s)
{
    return !strcmp(s, "open") ? 1 : !strcmp(s, "half_open") ? 2 : !strcmp(s, "closed") ? 0 : -1;
}

/* Write the timeline blocks (baselines, OPEN, HALF_OPEN segments) of T into F;
 * returns the number of rows and sets *DROPPED to breakers not drawn. */
static int write_timeline(fig_run *c, gp_fig *f, const tab_table *t, brk_row *rows, int *dropped,
                          int idx[3])
{
    int cc = tab_col(t, "client"), cs = tab_col(t, "server"), ct = tab_col(t, "time"),
        cst = tab_col(t, "state"), nrows = 0, nch = 0;
    brk_change *ch = malloc((tab_rows(t) + 1) * sizeof *ch);
    *dropped = 0;
    for (int r = 0; ch && r < tab_rows(t); r++) {
        double tm = tab_num(t, r, ct), sv = tab_num(t, r, cs);
        int st = state_code(tab_str(t, r, cst));
        if (!isfinite(tm) || st < 0)
            continue;
        int row = row_of(rows, &nrows, tab_str(t, r, cc), rd_int_of(sv, -1));
        if (row < 0) {
            (*dropped)++;
            continue;
        }
        ch[nch++] = (brk_change){row, tm, st};
    }
    if (!ch) {
        c->oom = 1;
        return 0;
    }
    sort_rows(rows, nrows, ch, nch);
    qsort(ch, nch, sizeof *ch, cmp_change);
    double end = c->horizon > 0 ? c->horizon : (nch ? ch[nch - 1].t : 1);
    double minw = end / 800; /* shorter segments are drawn this long, to stay visible */
    idx[0] = gp_fig_block(f, "one row per breaker: x y dx dy (whole horizon)");
    for (int i = 0; i < nrows; i++)
        fprintf(f->dat, "0 %d %.9g 0\n", i, end);
    static const char *const what[3] = {"", "OPEN segments: t row duration 0 (min width applied)",
                                        "HALF_OPEN segments: t row duration 0"};
    for (int s = 1; s <= 2; s++) {
        idx[s] = -1;
        for (int i = 0; i < nch; i++) {
            if (ch[i].state != s)
                continue;
            double t1 = (i + 1 < nch && ch[i + 1].row == ch[i].row) ? ch[i + 1].t : end;
            if (idx[s] < 0)
                idx[s] = gp_fig_block(f, what[s]);
            fprintf(f->dat, "%.9g %d %.9g 0\n", ch[i].t, ch[i].row, fmax(t1 - ch[i].t, minw));
        }
    }
    free(ch);
    return nrows;
}

/* The top panel: fraction OPEN per client; returns 1 if drawn. */
static int open_fraction_panel(fig_run *c, gp_fig *f, FILE *g, const char *dat)
{
    char q[200];
    int nc = rd_count(c->rd, RD_RESULTS, "clients"), cols[16], n = 0;
    const char *names[16];
    for (int i = 0; i < nc && n < 16; i++) {
        const char *cl = rd_key(c->rd, RD_RESULTS, i, "clients");
        int col = cl ? fig_ts_col(c->ts, "client.%s.breaker_open", cl) : -1;
        const char *kind = cl ? rd_str(c->rd, RD_SCENARIO, "clients.%s.breaker.kind", cl) : NULL;
        if (cl && rd_has(c->rd, RD_SCENARIO) &&
            (!rd_exists(c->rd, RD_SCENARIO, "clients.%s.breaker", cl) || (kind && !strcmp(kind, "none"))))
            col = -1; /* this client has no breaker */
        if (col >= 0) {
            names[n] = cl;
            cols[n++] = col;
        }
    }
    if (n == 0)
        return 0;
    int b = gp_fig_block(f, "t_mid  fraction OPEN per client (order as in the plot command)");
    fig_ts_write(f->dat, c->ts, cols, n);
    fprintf(g, "set ylabel 'breakers OPEN (fraction)'\nset yrange [0:1.05]\nset ytics 0.25\n");
    fprintf(g, "plot NaN notitle");
    for (int i = 0; i < n; i++)
        fprintf(g, ", \\\n  '%s' index %d using 1:%d with lines lw 2 lc rgb '%s' title %s", dat,
                b, i + 2, fig_color(i), fig_qtext(q, sizeof q, "client ", names[i], ""));
    fputc('\n', g);
    return 1;
}

static void timeline_panel(FILE *g, const char *dat, const brk_row *rows, int nrows,
                           const int idx[3])
{
    char q[160], lab[160];
    double lw = fmin(10, fmax(2, 150.0 / nrows));
    fprintf(g, "set ytics autofreq\nset ylabel 'breaker (client/server)'\nset yrange [%g:%g]\n"
               "set grid noytics\nset ytics (", nrows - 0.4, -0.6);
    for (int i = 0; i < nrows; i++) {
        if (rows[i].server < 0)
            snprintf(lab, sizeof lab, "%s/pool", rows[i].client);
        else
            snprintf(lab, sizeof lab, "%s/%ld", rows[i].client, rows[i].server);
        fprintf(g, "%s%s %d", i ? ", " : "", gp_quote(q, sizeof q, lab), i);
    }
    fprintf(g, ") font ',%d'\n", nrows > 20 ? 7 : 9);
    fprintf(g, "plot '%s' index %d using 1:2:3:4 with vectors nohead lw 1 lc rgb '#bbbbbb' "
               "title 'CLOSED'", dat, idx[0]);
    if (idx[2] >= 0)
        fprintf(g, ", \\\n  '' index %d using 1:2:3:4 with vectors nohead lw %.1f lc rgb '%s' "
                   "title 'HALF_OPEN'", idx[2], lw, FIG_C_HALF);
    if (idx[1] >= 0) /* drawn last: OPEN matters most */
        fprintf(g, ", \\\n  '' index %d using 1:2:3:4 with vectors nohead lw %.1f lc rgb '%s' "
                   "title 'OPEN'", idx[1], lw, FIG_C_OPEN);
    fputc('\n', g);
}

void fig_breakers(fig_run *c)
{
    char path[4300], dat[160], cap[1024];
    brk_row rows[BRK_MAX_ROWS];
    snprintf(path, sizeof path, "%s/data/breaker.csv", rd_outdir(c->rd));
    tab_table *t = tab_load(path);
    int ok = tab_col(t, "client") >= 0 && tab_col(t, "time") >= 0 && tab_col(t, "state") >= 0 &&
             tab_col(t, "server") >= 0 && tab_rows(t) > 0;
    const char *title = "Circuit breakers over time";
    gp_fig f;
    if (gp_fig_begin(&f, "breakers", title, 900, 640) != 0) {
        c->oom = 1;
        tab_free(t);
        return;
    }
    gp_fig_datname(&f, dat, sizeof dat);
    FILE *g = f.gp;
    int obj = 1, idx[3] = {-1, -1, -1}, dropped = 0;
    int nrows = ok ? write_timeline(c, &f, t, rows, &dropped, idx) : 0;
    if (c->horizon > 0)
        fprintf(g, "set xrange [0:%.9g]\n", c->horizon);
    fig_shade_events(c, g, NULL, NULL, &obj);
    fprintf(g, "set multiplot\n");
    fig_panel(g, nrows ? 0.66 : 0.14, 0.87);
    fig_title(g, title, c->scn);
    fprintf(g, nrows ? "set format x ''\n" : "set xlabel 'simulated time (s)'\n");
    int top = open_fraction_panel(c, &f, g, dat);
    if (nrows) {
        fprintf(g, "%sset format x '%% h'\nset xlabel 'simulated time (s)'\n",
                top ? "unset title\nunset label\n" : "");
        fig_panel(g, 0.12, top ? 0.60 : 0.87);
        timeline_panel(g, dat, rows, nrows, idx);
    }
    fprintf(g, "unset multiplot\n");
    tab_free(t);
    if (!top && !nrows) {
        gp_fig_discard(&f);
        fig_note(c->out, &c->oom, "Breakers: no client has a circuit breaker with data "
                 "(client.*.breaker_open in timeseries.csv, data/breaker.csv); figure skipped.");
        return;
    }
    int st = gp_fig_end(c->gp, &f);
    if (dropped)
        fig_note(c->out, &c->oom, "Breaker timeline: only the first %d breakers are drawn "
                 "(%d state changes of others left out).", BRK_MAX_ROWS, dropped);
    snprintf(cap, sizeof cap, "Top: the fraction of each client's breakers that are OPEN (mean "
             "over replications); bottom: replication 0, one row per breaker, red while OPEN and "
             "orange while HALF_OPEN: breakers flapping OPEN/HALF_OPEN mean probes keep failing, "
             "a breaker that stays CLOSED through an outage is not protecting anything.");
    fig_add(c, "breakers", title, cap, st);
}
