/* sweep_grid.h - the grid of a sweep: the cartesian product of the --vary
 * lists (the first --vary varying slowest, the last fastest), each point
 * the base scenario with the point's values applied through the loader and
 * validated before anything runs; and --baseline, the point the others are
 * compared with.  Errors are printed to stderr ("relsim sweep: ...").
 */
#ifndef RELSIM_SWEEP_GRID_H
#define RELSIM_SWEEP_GRID_H

#include "app/sweep.h"

/* Parse every --vary of S->o into S->axes; S->npts gets the grid size.
 * 0, or -1 after printing. */
int swgrid_axes(sweep *s);

/* Build every point of the grid into S->pts (clone the base document, apply
 * the values, build and check the scenario).  0, or -1 after printing. */
int swgrid_points(sweep *s);

/* Free N points and the array itself.  NULL is fine. */
void swgrid_points_free(sw_point *pts, int n);

/* --baseline INDEX or PATH=VALUE,... (the first point that matches) into
 * S->baseline (0 without the option).  0, or -1 after printing. */
int swgrid_baseline(sweep *s);

#endif
