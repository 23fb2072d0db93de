/* report.h - the HTML + Markdown report of a relsim output folder.
 *
 * Prefix report_.  report_build() reads only the files of an output folder
 * (docs/OUTPUT.md: results.json, scenario.json, timeseries.csv, the data/ CSV files,
 * or sweep.json for a sweep), (re)makes the figures in OUTDIR/plots/, and
 * writes a self-contained report.html (inline CSS and SVG, no external
 * reference, escaped text) and report.md (figures linked as plots/NAME.svg).
 *
 * `relsim run` and `relsim sweep` call, after writing their outputs:
 *     report_build(outdir, NULL, !no_plots, require_plots, stderr);
 * and use its return value as their exit code when it is not REPORT_OK.
 */
#ifndef RELSIM_REPORT_H
#define RELSIM_REPORT_H

#include <stdio.h>

enum {
    REPORT_OK = 0,          /* report written (figures may have been skipped with a note) */
    REPORT_OUTPUT_FAILED = 1,/* a file could not be read or written (message on LOG) */
    REPORT_NO_PLOTS = 2     /* REQUIRE_PLOTS and gnuplot is missing or failed (report written) */
};

/* Build the report of OUTDIR.  HTML_PATH: where report.html goes (NULL:
 * OUTDIR/report.html); report.md always goes to OUTDIR.  RENDER_PLOTS = 0
 * writes the figure scripts and data but does not run gnuplot (SVGs already
 * there and newer than the results are still inlined).  REQUIRE_PLOTS makes a
 * missing or failing gnuplot an error (REPORT_NO_PLOTS).  Warnings and the
 * how-to-render line go to LOG (may be NULL).  Never exits. */
int report_build(const char *outdir, const char *html_path, int render_plots, int require_plots,
                 FILE *log);

/* 1 if OUTDIR is a directory holding results.json or sweep.json. */
int report_is_outdir(const char *outdir);

#endif
