/* cmd_sweep.c - `relsim sweep`: one run per point of a grid of scenario
 * values, compared with common random numbers.
 *
 *   relsim sweep SCENARIO --vary PATH=a,b,c --vary PATH=lo:hi:step ...
 *                [run options] [--baseline K] [--objective METRIC[:max|min]]
 *
 * The grid is the cartesian product of the --vary lists (app/sweep_grid.h).
 * Replication i of every point is seeded from (seed, i) alone, so points
 * differ only by what was varied: the paired difference d_i = x_i(point) -
 * x_i(baseline) has a much smaller variance than two independent samples,
 * and its Student-t 95% interval is the honest, narrow one
 * (app/sweep_stats.h).  The points run through the same run_simulate() as
 * `relsim run` (app/sweep_run.h).  Outputs (rank 0 only, all atomic,
 * app/sweep_write.h): OUTDIR/pNNN/, OUTDIR/sweep.json, OUTDIR/sweep.csv,
 * the report, and a ranking table on stdout (app/sweep_table.h).
 *
 * This file is the command: options, setup, the order of the jobs, exit code.
 */
#include "app/cmd.h"
#include "app/par.h"
#include "app/sweep.h"
#include "app/sweep_grid.h"
#include "app/sweep_json.h"
#include "app/sweep_rank.h"
#include "app/sweep_run.h"
#include "app/sweep_spill.h"
#include "app/sweep_stats.h"
#include "app/sweep_table.h"
#include "app/sweep_write.h"
#include "plots/report.h"
#include "util/fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --outcome, parsed against the first point's scenario.  0 or -1. */
static int outcome_setup(sweep *s)
{
    if (!s->o.outcome)
        return 0;
    if (sweep_outcome_parse(s->o.outcome, &s->pts[0].sc, &s->outc, stderr))
        return -1;
    s->has_outcome = 1;
    return 0;
}

/* The table, the outcome shares and the recommendation on stdout. */
static void print_all(const sweep *s)
{
    swtable_print(stdout, s);
    if (s->has_outcome)
        swtable_outcome(stdout, s);
    srec_point *sp = swstat_srec_points(s);
    if (sp)
        srec_print(stdout, sp, s->npts, s->baseline);
    free(sp);
}

/* Write sweep.json and sweep.csv, print.  Rank 0 only.  Returns an exit code. */
static int emit(sweep *s)
{
    int rc = EXIT_OK;
    errno = 0;
    if (fs_mkdirs(s->out) || swwrite_json(s) || swwrite_csv(s)) {
        fprintf(stderr, "relsim sweep: %s: %s\n", s->out, strerror(errno ? errno : ENOMEM));
        rc = EXIT_FAIL;
    }
    if (s->o.json)
        swjson_write(stdout, s);
    else if (!s->o.quiet)
        print_all(s);
    swgrid_points_free(s->pts, s->npts); /* the report reads sweep.json: never both in memory */
    s->pts = NULL;
    s->npts = 0;
    if (rc == EXIT_OK)
        rc = report_build(s->out, NULL, !s->o.no_plots && !runner_stopped(&runopts_stop), s->o.require_plots, stderr);
    if (rc == EXIT_OK && !s->o.quiet && !s->o.json)
        printf("\nwrote %s/ (sweep.json, sweep.csv, one folder per point); report: %s/report.html\n",
               s->out, s->out);
    return rc;
}

/* Options, base document, grid, baseline, objective.  0 or an exit code. */
static int setup(sweep *s, int argc, char **argv)
{
    int rc = runopts_parse(&s->o, argc, argv, 1);
    if (rc)
        return rc == 1 ? -1 : EXIT_USAGE;
    if (!(s->base = runopts_load(&s->o, stderr)) || swgrid_axes(s) || swgrid_points(s) ||
        swgrid_baseline(s) || swgrid_load(s, s->baseline) || swrank_objective(s) || outcome_setup(s))
        return EXIT_USAGE;
    if (s->o.out)
        snprintf(s->out, sizeof s->out, "%s", s->o.out);
    else
        runopts_default_out(s->out, sizeof s->out, s->pts[0].sc.name);
    return 0;
}

static void sweep_free(sweep *s)
{
    swspill_close(s);
    swgrid_points_free(s->pts, s->npts);
    swgrid_shapes_free(s);
    free(s->base_rows);
    sweep_axes_free(s->axes, s->naxes);
    sweep_variants_free(&s->vars);
    loader_close(s->base);
    runopts_free(&s->o);
}

int cmd_sweep(int argc, char **argv)
{
    sweep s;
    memset(&s, 0, sizeof s);
    int rc = setup(&s, argc, argv);
    if (rc) {
        sweep_free(&s);
        return rc < 0 ? EXIT_OK : rc;
    }
    runopts_signals();
    swrun_points(&s);
    rc = EXIT_OK;
    if (par_rank() == 0) {
        if (s.interrupted)
            fprintf(stderr, "relsim sweep: interrupted; finished points written to %s/\n", s.out);
        rc = emit(&s);
    }
    if (rc == EXIT_OK && (s.write_failed || s.failed))
        rc = EXIT_FAIL;
    if (s.interrupted)
        rc = EXIT_INTERRUPTED;
    sweep_free(&s);
    return rc;
}
