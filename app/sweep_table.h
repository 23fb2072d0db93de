/* sweep_table.h - what a sweep prints on stdout: the ranking table (mean and
 * 95% CI of the objective per point, paired difference from the baseline
 * with its CI, '*' when it excludes 0, and the unpaired half-width) and the
 * --outcome shares.
 */
#ifndef RELSIM_SWEEP_TABLE_H
#define RELSIM_SWEEP_TABLE_H

#include "app/sweep.h"

#include <stdio.h>

/* The ranking table on F. */
void swtable_print(FILE *f, const sweep *s);

/* The --outcome share of every point with results on F. */
void swtable_outcome(FILE *f, const sweep *s);

#endif
