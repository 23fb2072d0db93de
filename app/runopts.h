/* runopts.h - the command-line options shared by `run` and `sweep`
 * (docs/CONTRACT.md "Options shared by run and sweep"), parsed in one place.
 *
 * Ownership: the option struct points into argv; runopts_free() releases
 * only the arrays it allocated.
 */
#ifndef RELSIM_RUNOPTS_H
#define RELSIM_RUNOPTS_H

#include "loader/loader.h"

#include "sim/runner.h"

#include <signal.h>

typedef struct {
    const char *scenario;
    const char *out;        /* -o; NULL = out/<name> */
    long replications;      /* -r; 0 = from the file */
    const char *seed;       /* -s (text, applied through the loader) */
    const char *horizon;    /* --horizon (text) */
    int jobs;               /* -j; 0 = cores */
    int json, no_plots, require_plots, quiet;
    double precision;       /* --precision REL; 0 = off */
    long max_replications;  /* default 10000 */
    char **sets;            /* --set PATH=VALUE, in order */
    int nsets;
    char **varies;          /* sweep: --vary PATH=LIST */
    int nvaries;
    const char *baseline;   /* sweep: --baseline INDEX or PATH=VALUE,... */
    char **objectives;      /* sweep: every --objective METRIC[:max|min][,...], in order */
    int nobjectives;
    char **variants;        /* sweep: --variant NAME:PATH=VALUE;... (app/sweep_variant.h) */
    int nvariants;
    const char *variants_file; /* sweep: --variants FILE */
    const char *outcome;    /* sweep: --outcome 'METRIC<NUMBER' (app/sweep_outcome.h) */
} runopts;

/* Parse ARGV (argv[0] is the command name).  SWEEP enables --vary etc.
 * Returns 0, 1 if --help was printed, or 2 after printing a usage error. */
int runopts_parse(runopts *o, int argc, char **argv, int sweep);
void runopts_free(runopts *o);

/* Open the scenario and apply -s/--horizon/-r/--set overrides.  NULL after
 * printing (the caller exits 2). */
loader_doc *runopts_load(const runopts *o, FILE *err);

/* out/<name> with the name made safe as one path component. */
void runopts_default_out(char *buf, size_t n, const char *scenario_name);

/* SIGINT/SIGTERM set this flag (installed by runopts_signals()); read it
 * with runner_stopped(&runopts_stop) (sim/runner.h). */
extern volatile sig_atomic_t runopts_stop;
void runopts_signals(void);

#endif
