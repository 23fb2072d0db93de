/* cmd_report.c - `relsim report OUTDIR [-o FILE.html] [--no-plots] [--require-plots]`:
 * (re)build the HTML + Markdown report of a run or sweep output folder. */
#include "app/cmd.h"
#include "plots/report.h"

#include <stdio.h>
#include <string.h>

static const char *report_usage =
    "usage: relsim report OUTDIR [-o FILE.html] [--no-plots] [--require-plots]\n"
    "\n"
    "(Re)build the report of a run or sweep output folder from its files alone:\n"
    "the figures in OUTDIR/plots/ (NAME.svg, with the gnuplot script NAME.gp and\n"
    "data NAME.dat beside it), OUTDIR/report.html (self-contained: figures inline,\n"
    "no external references) and OUTDIR/report.md.\n"
    "\n"
    "options:\n"
    "  -o, --out FILE.html   write the HTML report there instead of OUTDIR/report.html\n"
    "  --no-plots            do not run gnuplot (scripts and data are still written;\n"
    "                        figures already rendered are reused)\n"
    "  --require-plots       fail (exit 2) if gnuplot is missing or fails\n"
    "  -h, --help            this help\n"
    "\n"
    "Without gnuplot the report is still written and the scripts can be rendered\n"
    "later: cd OUTDIR/plots && gnuplot NAME.gp\n"
    "Exit codes: 0 ok, 1 a file could not be written, 2 bad command line, bad\n"
    "OUTDIR, or --require-plots without working gnuplot.\n";

int cmd_report(int argc, char **argv)
{
    const char *outdir = NULL, *html = NULL;
    int no_plots = 0, require = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(report_usage, stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--out")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "relsim report: %s needs a file name (try: relsim report --help)\n", a);
                return EXIT_USAGE;
            }
            html = argv[++i];
        } else if (!strncmp(a, "--out=", 6)) {
            html = a + 6;
        } else if (!strcmp(a, "--no-plots")) {
            no_plots = 1;
        } else if (!strcmp(a, "--require-plots")) {
            require = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "relsim report: unknown option '%s' (try: relsim report --help)\n", a);
            return EXIT_USAGE;
        } else if (outdir) {
            fprintf(stderr, "relsim report: one output folder only ('%s' and '%s')\n", outdir, a);
            return EXIT_USAGE;
        } else {
            outdir = a;
        }
    }
    if (!outdir) {
        fputs("relsim report: missing OUTDIR\n", stderr);
        fputs(report_usage, stderr);
        return EXIT_USAGE;
    }
    if (!report_is_outdir(outdir)) {
        fprintf(stderr, "relsim report: '%s' is not a relsim output folder (it needs results.json "
                        "or sweep.json, written by relsim run or relsim sweep)\n", outdir);
        return EXIT_USAGE;
    }
    int rc = report_build(outdir, html, !no_plots, require, stderr);
    if (rc != REPORT_OUTPUT_FAILED)
        printf("report: %s%s (and %s/report.md)\n", html ? html : outdir,
               html ? "" : "/report.html", outdir);
    return rc == REPORT_OK ? EXIT_OK : rc == REPORT_NO_PLOTS ? EXIT_USAGE : EXIT_FAIL;
}
