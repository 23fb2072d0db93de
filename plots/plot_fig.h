/* plot_fig.h - helpers shared by the figure files (plot_*.c); internal to plots/.
 *
 * Prefix fig_.  A figure function takes a fig_run (what every run figure
 * needs: the documents, the time series, the horizon) and adds one entry, or
 * a note saying why it was skipped, to the list.
 */
#ifndef RELSIM_PLOT_FIG_H
#define RELSIM_PLOT_FIG_H

#include "plots/figures.h"
#include "plots/plot_table.h"

#include <stdio.h>

typedef struct {
    const rd_run *rd;
    gp_ctx *gp;
    fig_list *out;
    tab_table *ts;       /* timeseries.csv, NULL if missing */
    double horizon;      /* simulated seconds per replication */
    double warmup;
    const char *scn;     /* scenario name (free text; quote it), "" if none */
    int oom;             /* set when memory ran out */
} fig_run;

/* The colour of series I (Okabe-Ito, colour-blind safe), "#rrggbb". */
const char *fig_color(int i);

/* Fixed colours for the meaning of a series, the same in every figure. */
#define FIG_C_OFFERED "#0072B2"
#define FIG_C_ATTEMPTS "#D55E00"
#define FIG_C_GOODPUT "#009E73"
#define FIG_C_FAIL "#D55E00"
#define FIG_C_REPAIR "#009E73"
#define FIG_C_THEORY "#000000"
#define FIG_C_OPEN "#D55E00"
#define FIG_C_HALF "#E69F00"

/* Add a figure entry (status from gp_fig_end) / a note to the list. */
void fig_add(fig_run *c, const char *name, const char *title, const char *caption, int status);
void fig_note(fig_list *l, int *oom, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The quoted gnuplot string expression  'TITLE'."\n".'scenario: '.'SCN'
 * into BUF (SCN "" or NULL: the title alone); returns BUF. */
char *fig_title_expr(char *buf, size_t n, const char *title, const char *scn);
/* Print  set title <fig_title_expr>  on F. */
void fig_title(FILE *f, const char *title, const char *scn);
/* PRE NAME POST as one quoted gnuplot string in BUF; returns BUF. */
char *fig_qtext(char *buf, size_t n, const char *pre, const char *name, const char *post);
/* Print  set LABEL 'TEXT'  with TEXT quoted (LABEL e.g. "xlabel"). */
void fig_set_text(FILE *f, const char *what, const char *text);
/* Print a number for a data file: %.9g, or NaN. */
void fig_num(FILE *f, double v);

/* Shade the warmup period and the scenario's events that concern pool POOL
 * or client CLIENT (either may be NULL; both NULL: every event) on the
 * current plot: rectangles behind the data, 'first' x coordinates,
 * labelled just above the plot area (a stacked panel below should
 *  unset label ).  OBJ is the next free object number, updated.  Returns
 * how many events were shaded (the warmup not counted), so captions only
 * mention shading that is there. */
int fig_shade_events(const fig_run *c, FILE *f, const char *pool, const char *client, int *obj);
/* Fixed margins so stacked panels share their time axis: plot area from
 * screen BOTTOM to TOP. */
void fig_panel(FILE *f, double bottom, double top);

/* Column of the time series named by FMT (e.g. "pool.%s.up"), or -1 if it
 * is missing or has no number at all. */
int fig_ts_col(const tab_table *ts, const char *fmt, const char *name);
/* Write rows "t_mid v1 v2 ..." of the time series for columns COLS[0..N)
 * (a column -1 writes NaN). */
void fig_ts_write(FILE *f, const tab_table *ts, const int *cols, int n);
/* An empty panel saying TEXT (for a panel whose data is missing). */
void fig_empty_plot(FILE *f, const char *text);
/* Largest finite value of column COL (NaN if none). */
double fig_ts_max(const tab_table *ts, int col);

/* Sorted copy (caller frees) of V's finite values; *N updated. */
double *fig_sorted(const double *v, int *n);
/* Write the empirical CDF of sorted X[0..N) as rows "x F(x)" for gnuplot's
 * 'with steps' (at most ~MAXPTS rows; F runs up to SCALE). */
void fig_write_ecdf(FILE *f, const double *x, int n, double scale, int maxpts);

/* Empirical quantile Q of sorted X[0..N). */
double fig_quantile(const double *x, int n, double q);

/* The scenario's dist at PATH (e.g. "pools.api.failure") as a gnuplot
 * expression CDF(x) into BUF and a description into DESC; 0, or -1 if
 * unknown or absent. */
int fig_dist_cdf(const rd_run *rd, const char *path, char *buf, size_t n, char *desc, size_t dn);

/* Per-entity figure functions (plot_pool.c, plot_client.c, plot_breaker.c,
 * plot_dist.c). */
void fig_pool_up(fig_run *c, const char *pool);
void fig_pool_load(fig_run *c, const char *pool);
void fig_client_traffic(fig_run *c, const char *client);
void fig_latency(fig_run *c);
void fig_outcomes(fig_run *c);
void fig_slo_burn(fig_run *c); /* plot_slo.c */
void fig_breakers(fig_run *c);
void fig_updown(fig_run *c, const char *pool);
void fig_retry_delays(fig_run *c, const char *client);
/* Health checking (plot_health.c): servers DOWN vs believed unhealthy by
 * each of CLIENTS[0..NC) that checks POOL; one client's detection delays. */
void fig_pool_detect(fig_run *c, const char *pool, const char *const *clients, int nc);
void fig_detection(fig_run *c, const char *client);
/* Adaptive concurrency limit over time of a pool (IS_POOL) or client
 * (plot_limit.c); nothing unless it has a `limit`. */
void fig_limit(fig_run *c, int is_pool, const char *who);

#endif
