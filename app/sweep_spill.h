/* sweep_spill.h - each point's sweep.json object and sweep.csv row, printed
 * when the point ends and kept on disk until sweep.json and sweep.csv are
 * written, in grid order, after the last point.
 *
 * Why: a point's summaries (mean, CI and paired difference of about 90
 * metrics, ~8 kB) were kept until the end only to be printed then, one
 * point after another on one thread (printing numbers is most of the cost
 * of writing sweep.json).  Printed at the point's end, on the threads that
 * write the point folders, they cost no memory afterwards and the printing
 * runs in parallel.  The spill is a file in OUTDIR, unlinked as soon as it
 * is open (so it never outlives the command), written in the order the
 * points end (any order: the threads append as they finish); each point
 * records where its texts are (sw_point.spill_at, json_len, csv_len).
 * Rank 0 only.
 */
#ifndef RELSIM_SWEEP_SPILL_H
#define RELSIM_SWEEP_SPILL_H

#include "app/sweep.h"

#include <stdio.h>

/* Open S->spill (rank 0).  0, or -1 after printing why. */
int swspill_open(sweep *s);
void swspill_close(sweep *s);

/* Append point PT's sweep.json object JSON and sweep.csv row CSV.  0, or -1
 * with errno set.  Safe from several threads at once (it holds the spill's
 * stdio lock); not with swspill_copy. */
int swspill_put(sweep *s, sw_point *pt, const char *json, const char *csv);

/* Copy point PT's sweep.json object (CSV 0) or its sweep.csv row (CSV 1)
 * to F.  0, or -1 with errno set. */
int swspill_copy(const sweep *s, const sw_point *pt, int csv, FILE *f);

#endif
