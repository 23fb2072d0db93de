/* results.h - turn a run's records into statistics and write them:
 * results.json, summary.csv, timeseries.csv, the data/ files, and the table on
 * stdout.  Every file is written atomically (fsutil.h).
 *
 * Statistics across replications come from the running statistics that
 * execute.c folds in replication order, so they are identical for any
 * thread or rank count.
 */
#ifndef RELSIM_RESULTS_H
#define RELSIM_RESULTS_H

#include "app/execute.h"
#include "app/modelcheck.h"
#include "util/fsutil.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* Summary of pool P's metric M, or caller C's metric M, over R's records. */
stat_summary results_pool_stat(const exec_result *r, int p, int m);
stat_summary results_caller_stat(const exec_result *r, int c, int m);

/* {"mean", "ci95": [lo, hi], "stddev", "n"}, nulls where undefined. */
cJSON *results_stat_json(stat_summary s);

/* The "pools" and "clients" objects of results.json. */
cJSON *results_entities_json(const exec_result *r, int is_pool);

/* The same from summaries: COL holds every pool's PM_COUNT metrics, then
 * every caller's CM_COUNT (clients, then pools' calls), over NREC
 * replications of SC (a sweep point keeps only these). */
cJSON *results_entities_from(const scenario *sc, const stat_summary *col, int nrec, int is_pool);

typedef struct {
    const char *file;          /* scenario file, as given */
    const char *effective_json;/* the scenario after overrides (may be NULL) */
    int complete;
    const char *stop_reason;   /* NULL, or why the run is incomplete */
    int requested;             /* replications asked for */
    double precision;          /* --precision target (0 = none) */
    const struct slo_list *slos;         /* SLO verdicts (app/slo.h), or NULL */
    const struct fd_list *findings;      /* the findings (app/findings.h), or NULL */
} results_meta;

/* Build the whole results.json object (caller cJSON_Delete()s). */
cJSON *results_json(const exec_result *r, const mc_list *mc, const results_meta *meta);

/* Write every output file of a run into OUTDIR.  Returns 0 or -1 (errno). */
int results_write_dir(const char *outdir, const exec_result *r, const mc_list *mc,
                      const results_meta *meta);

/* The aligned summary table (and model check) on OUT. */
void results_print_table(FILE *out, const exec_result *r, const mc_list *mc);

/* OUTDIR/replications.csv, written one row per replication while they run:
 * the replication number, then every MF_SWEEP metric of every pool and
 * caller ("pool.NAME.METRIC", "client.NAME.METRIC", "calls.NAME.METRIC"),
 * full precision, empty where undefined.  Open (0, or -1 with errno; creates
 * OUTDIR), give results_reps_row as the exec_rep_hook with the writer as its
 * context, close (renames the finished file into place; 0 or -1).
 *
 * results_reps_open_mem() keeps the rows in memory instead, up to
 * RESULTS_REPS_MEM bytes (then it creates OUTDIR and the file and goes on
 * there), and writes the file at close: a sweep opens and fills a point's
 * writer on one thread, in replication order, and closes it on any of its
 * threads, so the folder and the file are made on all of them at once.
 * The same bytes either way. */
#define RESULTS_REPS_MEM (256 * 1024)
typedef struct {
    fs_atomic a;
    const scenario *sc;
    int failed;
    char *mem;         /* the rows so far (open_mem, until RESULTS_REPS_MEM) */
    size_t memlen;
    int inmem;
    char dir[4096];    /* OUTDIR (open_mem) */
} results_reps;
int results_reps_open(results_reps *w, const char *outdir, const scenario *sc);
int results_reps_open_mem(results_reps *w, const char *outdir, const scenario *sc);
void results_reps_row(void *ctx, int rep, const rec_layout *L, const double *rec);
int results_reps_close(results_reps *w);
/* Drop what was written (nothing reaches OUTDIR, which is removed if this
 * made it and it is empty) and free the writer: for a point whose folder
 * will not be written. */
void results_reps_discard(results_reps *w);

/* "client.NAME" or "calls.POOL" for caller C. */
void results_caller_entity(const scenario *sc, int c, char *buf, size_t n);

/* Print a number as JSON would (no NaN/inf): "%.10g" or "null". */
void results_fmt(char *buf, size_t n, double v);

#endif
