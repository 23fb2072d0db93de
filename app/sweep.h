/* sweep.h - the state of one `relsim sweep` (app/cmd_sweep.c), shared by the
 * files that do its jobs:
 *
 *   app/sweep_grid.c    the grid: points from --vary, --baseline
 *   app/sweep_rank.c    --objective and the ranking by it
 *   app/sweep_run.c     running the points
 *   app/sweep_stats.c   per point: column summaries, paired differences from
 *                       the baseline, --outcome shares
 *   app/sweep_json.c    the sweep.json document
 *   app/sweep_write.c   the files: per-point folders, sweep.json, sweep.csv
 *   app/sweep_spill.c   each point's sweep.json object and sweep.csv row, on
 *                       disk from the point's end until those files are written
 *   app/sweep_table.c   the table on stdout
 *
 * A point's metrics are NCOLS columns: every pool's PM_COUNT metrics, then
 * every caller's CM_COUNT (sweep_col_pool, sweep_col_caller); a
 * replication's are a row of them.
 *
 * Ownership: a sweep owns its axes, points, shapes and base document
 * (cmd_sweep.c frees them); a point owns everything it points to.
 */
#ifndef RELSIM_SWEEP_H
#define RELSIM_SWEEP_H

#include "app/runopts.h"
#include "app/sweep_axis.h"
#include "app/sweep_outcome.h"
#include "app/sweep_recommend.h"
#include "app/sweep_variant.h"
#include "loader/loader.h"
#include "models/config.h"
#include "models/metrics.h"
#include "sim/stat.h"

#include <cjson/cJSON.h>
#include <stdio.h>

#define SW_MAX_OBJECTIVES 16 /* --objective metrics of one sweep */

/* A point's difference from the baseline in one metric. */
typedef struct {
    stat_summary paired; /* point - baseline over the common replications */
    double half;         /* unpaired (Welch) 95% half-width, same replications */
} sw_diff;

/* One grid point: its scenario before the run, its statistics after.  What
 * is kept of a run is a summary per metric (never its replications), so a
 * sweep's memory does not grow with the number of replications. */
typedef struct {
    char dir[16];      /* "p000" */
    /* its scenario, owned, while BUILT: from its start to its end, and all
     * along for point 0 and the baseline (app/sweep_grid.h) */
    scenario sc;
    int built;
    char *effective;   /* the point's scenario JSON, owned; freed once its folder is written */
    /* what is known of the scenario when it is not built */
    int npools, replications, has_slos;
    int shape;         /* entity layout, an index in sweep.shapes */
    size_t reclen;     /* doubles in a replication's record */
    cJSON *values;     /* {path: value}, owned */
    int ran;           /* has results (nrec > 0) and, on rank 0, its folder */
    int unwritten;     /* had results, but its folder was not written (rank 0) */
    int status;        /* WORLD_* of its run */
    char *stop_reason; /* owned copy, NULL when complete */
    int nrec, ncols;
    /* Each metric over the replications and point - baseline (diff NULL
     * unless comparable), owned: [ncols] until the point's sweep.json object
     * and sweep.csv row are printed (app/sweep_spill.h), then only the
     * columns the ranking needs, colmap[k] being the column of col[k]. */
    stat_summary *col;
    sw_diff *diff;
    int *colmap;       /* [nkept], owned; NULL while col is [ncols] */
    int nkept;
    long long spill_at; /* its sweep.json object, then its sweep.csv row, in the spill */
    int json_len, csv_len;
    int outcome_k, outcome_n; /* --outcome holds in k of n replications */
    srec_stats slo;    /* what the SLO recommendation needs */
    /* for the confident ranks (app/sweep_rank.h), in sweeps of at most
     * SW_CONFIDENT_MAX points only: each objective's value per replication */
    int nkeep, keep_cap;
    int keep_col[SW_MAX_OBJECTIVES]; /* the objectives' columns */
    double *keep;      /* [nrec][nkeep], owned */
    double wall, events;
} sw_point;

/* What the table ranks by. */
typedef struct {
    int is_pool, entity, metric, maximize;
    char label[160]; /* "clients.web.request_success" */
} sw_objective;


/* Why a sweep or a point ends without its folder, in sweep.json. */
#define SW_WRITE_FAILED \
    "an output could not be written (the error is on stderr)"

typedef struct {
    runopts o;
    loader_doc *base;
    sw_variants vars; /* --variants / --variant: axis 0 ("variant") when any */
    sw_axis *axes;
    int naxes;
    sw_point *pts;
    int npts;
    char **shapes;    /* the points' entity layouts, each once ("NPOOLS NCLIENTS has_calls...") */
    int nshapes;
    int baseline;
    sw_objective obj;                     /* the first --objective: ranks the table */
    sw_objective objs[SW_MAX_OBJECTIVES]; /* every --objective, objs[0] == obj */
    int nobjs;
    sweep_outcome outc; /* --outcome */
    int has_outcome;
    char out[4096];
    int interrupted, failed;
    int write_failed;  /* an output could not be written (rank 0): none is after it */
    FILE *spill;       /* the points' printed outputs, rank 0 (app/sweep_spill.h) */
    double *base_rows; /* the baseline's rows, kept for the pairing, owned */
    int base_nrows, base_cap;
    double wall;       /* seconds the points took to run */
} sweep;

/* Column of pool P's metric M, and of caller C's metric M, in PT's rows. */
static inline int sweep_col_pool(const sw_point *pt, int p, int m)
{
    (void)pt;
    return p * PM_COUNT + m;
}
static inline int sweep_col_caller(const sw_point *pt, int c, int m)
{
    return pt->npools * PM_COUNT + c * CM_COUNT + m;
}

#endif
