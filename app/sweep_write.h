/* sweep_write.h - the files a sweep writes (rank 0 only, each atomic):
 * OUTDIR/pNNN/ per point with the `run` writer (results.json, CSVs, data/,
 * scenario.json), OUTDIR/sweep.json and OUTDIR/sweep.csv (one row per point
 * with results: the varied values, then mean, CI and paired difference of
 * the headline metrics, docs/OUTPUT.md).
 */
#ifndef RELSIM_SWEEP_WRITE_H
#define RELSIM_SWEEP_WRITE_H

#include "app/execute.h"
#include "app/sweep.h"

/* OUTDIR/pNNN/ for point PT from its run R.  0, or -1 after printing. */
int swwrite_point_dir(const sweep *s, const sw_point *pt, const exec_result *r);

/* OUTDIR/sweep.json (app/sweep_json.h).  0, or -1 (errno set). */
int swwrite_json(const sweep *s);

/* Point PT's sweep.csv row, when the point ends (app/sweep_spill.h).
 * Caller frees; NULL on ENOMEM. */
char *swwrite_csv_row(const sweep *s, const sw_point *pt);

/* OUTDIR/sweep.csv, the rows copied from the spill.  0, or -1 (errno set). */
int swwrite_csv(const sweep *s);

#endif
