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

/* Check every point of the grid into S->pts (clone the base document,
 * apply the values, build and check the scenario), before anything runs.
 * A point keeps its values and a few facts of its scenario (sw_point); the
 * scenario itself is built again when the point starts (swgrid_load) and
 * freed when it ends (swgrid_unload), so the points' memory does not grow
 * with their number.  0, or -1 after printing. */
int swgrid_points(sweep *s);

/* Build point I's scenario and scenario.json text (pt->sc, pt->effective)
 * unless built.  0, or -1 after printing. */
int swgrid_load(sweep *s, int i);

/* Free point I's scenario and text, but point 0's and the baseline's (the
 * sweep's names, the pairing's reference), which live as long as the sweep. */
void swgrid_unload(sweep *s, int i);

/* Free N points and the array itself.  NULL is fine. */
void swgrid_points_free(sw_point *pts, int n);
void swgrid_shapes_free(sweep *s);

/* --baseline INDEX or PATH=VALUE,... (the first point that matches) into
 * S->baseline (0 without the option).  0, or -1 after printing. */
int swgrid_baseline(sweep *s);

#endif
