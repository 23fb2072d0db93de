/* plot_data.h - the JSON documents of an output folder, read for plots and reports.
 *
 * Prefix rd_.  rd_open() reads OUTDIR/results.json, the configuration the run
 * used (RD_SCENARIO: OUTDIR/scenario.resolved.json, every default filled in;
 * in a folder written before that file existed, OUTDIR/scenario.json resolved
 * through the loader) and OUTDIR/sweep.json (each optional; at least
 * results.json or sweep.json must parse) and answers questions by PATH: names separated by dots, the same
 * addressing as the CLI's --set: "pools.api.failure.rate" walks into object
 * members by key, into arrays by an element's "name" member, or by a decimal
 * index ("points.3.values").  Paths are printf formats, so callers write
 * rd_num(r, RD_SCENARIO, 0, "pools.%s.failure.rate", pool).
 *
 * A sweep.json is read point by point (plots/sweep_read.h): its "points" are
 * not in the RD_SWEEP document but answered by the rd_sweep_* functions, and
 * only what the sweep figures and tables use of them is kept.
 *
 * This file and sweep_read.c are the only files of plots/ that see cJSON.  Ownership: the rd_run
 * owns the parsed documents; strings returned point into it and live until
 * rd_free().
 */
#ifndef RELSIM_PLOT_DATA_H
#define RELSIM_PLOT_DATA_H

#include <stddef.h>

/* RD_SOLVE: OUTDIR/solve.json from `relsim solve`, optional. */
typedef enum { RD_RESULTS = 0, RD_SCENARIO, RD_SWEEP, RD_SOLVE, RD_NDOCS } rd_doc;

typedef struct rd_run rd_run;

/* One statistic over replications; NaN where the file has none (null). */
typedef struct {
    double mean, lo, hi, sd, n;
} rd_stat;

/* Open OUTDIR.  Returns NULL when neither results.json nor sweep.json can be
 * read and parsed, with the reason in ERR ("file:line:col: ...").  A bad
 * optional document is dropped and explained by rd_warning(). */
rd_run *rd_open(const char *outdir, char *err, size_t errsz);
void rd_free(rd_run *r);

const char *rd_outdir(const rd_run *r);
/* 1 if document D was read. */
int rd_has(const rd_run *r, rd_doc d);
/* -1 if the scenario is the folder's own; for a sweep folder without one,
 * the index of the (baseline) point whose scenario was read instead. */
int rd_scenario_point(const rd_run *r);
/* Warnings collected while opening (one per line), "" if none. */
const char *rd_warnings(const rd_run *r);

/* 1 if PATH exists in D. */
int rd_exists(const rd_run *r, rd_doc d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The number at PATH, or DFLT when absent or not a number (null = NaN). */
double rd_num(const rd_run *r, rd_doc d, double dflt, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The whole number at PATH as an int: DFLT when it is absent, null, not a
 * number, not whole or beyond +-RD_INT_MAX (rd_int_of). */
int rd_int(const rd_run *r, rd_doc d, int dflt, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The string at PATH, or NULL. */
const char *rd_str(const rd_run *r, rd_doc d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The boolean at PATH: 1, 0, or DFLT when absent. */
int rd_bool(const rd_run *r, rd_doc d, int dflt, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The statistic object at PATH into *S.  0, or -1 if there is none. */
int rd_stat_at(const rd_run *r, rd_doc d, rd_stat *s, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Members of the object or elements of the array at PATH (0 if none). */
int rd_count(const rd_run *r, rd_doc d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Key of member I of the object at PATH, or the "name" of element I of the
 * array at PATH; NULL if none. */
const char *rd_key(const rd_run *r, rd_doc d, int i, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* V as an int if it is a whole number within +-RD_INT_MAX, else DFLT
 * (NaN, infinities, 1e300, 2.5).  Every int that figures and tables take
 * from a folder's files (JSON numbers, CSV cells) goes through here: the
 * folder is the user's, and casting an out-of-range double to int is
 * undefined behaviour.  The bound, far above any count or index relsim
 * writes, leaves room for the sums the figures make of such values. */
#define RD_INT_MAX (1 << 30)
int rd_int_of(double v, int dflt);

/* ---- a sweep's points (sweep.json "points"; POINT is a position in it) ---- */

/* The number of points. */
int rd_sweep_count(const rd_run *r);
/* Point P's "index" (DFLT when absent), its "dir" (NULL when absent). */
double rd_sweep_index(const rd_run *r, int p, double dflt);
const char *rd_sweep_dir(const rd_run *r, int p);

/* The value of varied PATH (a key of points[POINT].values, which contains
 * dots) as a number in *NUM (NaN if not numeric) and as display text in
 * TXT.  1 numeric, 0 text only, -1 missing. */
int rd_sweep_value(const rd_run *r, int point, const char *path, double *num, char *txt,
                   size_t n);

/* Point P's headline METRIC (plots/plot_metrics.h) of entity ENT of KIND
 * ("pools" or "clients"): its value (DIFF 0) or its paired difference from
 * the baseline (DIFF 1) into *S.  0, or -1 if the file has none. */
int rd_sweep_stat(const rd_run *r, int p, int diff, const char *kind, const char *ent,
                  const char *metric, rd_stat *s);

/* Key of member E of the first point's KIND object; NULL past the end. */
const char *rd_sweep_entity(const rd_run *r, const char *kind, int e);

#endif
