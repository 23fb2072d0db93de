/* cmd_run.c - `relsim run`: load, simulate, check against theory, write,
 * report. */
#include "app/cmd.h"
#include "app/execute.h"
#include "app/findings.h"
#include "app/slo.h"
#include "app/modelcheck.h"
#include "app/par.h"
#include "app/results.h"
#include "app/run.h"
#include "app/runopts.h"
#include "app/workest.h"
#include "plots/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Headline metrics that --precision brings to the target half-width. */
static int precision_met(const exec_result *r, double rel)
{
    if (r->nrec < 2)
        return 0;
    for (int p = 0; p < r->sc->npools; p++) {
        stat_summary s = results_pool_stat(r, p, PM_SERVER_AVAILABILITY);
        if (!(stat_half95(s) <= rel * fabs(s.mean)))
            return 0;
    }
    for (int c = 0; c < r->sc->nclients; c++) {
        stat_summary s = results_caller_stat(r, c, CM_REQUEST_SUCCESS);
        if (s.n >= 2 && !(stat_half95(s) <= rel * fabs(s.mean)))
            return 0;
        s = results_caller_stat(r, c, CM_LATENCY_MEAN);
        if (s.n >= 2 && !(stat_half95(s) <= rel * fabs(s.mean)))
            return 0;
    }
    return 1;
}

/* Replications until the precision target or the bound: grow by the ratio
 * (half-width / target)^2 that the t-interval shrinks with, at least +50%. */
int run_to_precision(exec_result *r, const runopts *o, const exec_opts *eo)
{
    int st = WORLD_DONE;
    long max = o->max_replications; /* memory does not grow with replications: only time bounds them */
    while (st == WORLD_DONE && !precision_met(r, o->precision) && r->nrec < max) {
        long next = r->nrec + (r->nrec + 1) / 2;
        if (next < 2)
            next = 2;
        if (next > max)
            next = max;
        st = exec_extend(r, (int)next, eo);
    }
    return st;
}

/* Simulate SC per the options; fills R. Returns a WORLD_* status. */
int run_simulate(exec_result *r, const scenario *sc, const runopts *o, const char *label,
                 exec_rep_hook on_rep, void *on_rep_ctx)
{
    if (exec_result_init(r, sc))
        return WORLD_NOMEM;
    exec_opts eo = {.jobs = o->jobs, .quiet = o->quiet || o->json, .stop = &runopts_stop, .label = label,
                    .on_rep = on_rep, .on_rep_ctx = on_rep_ctx};
    int st = exec_extend(r, sc->replications, &eo);
    if (st == WORLD_DONE && o->precision > 0)
        st = run_to_precision(r, o, &eo);
    return st;
}

const char *run_stop_reason(int st, const exec_result *r)
{
    switch (st) {
    case WORLD_DONE: return NULL;
    case WORLD_INTERRUPTED: return "interrupted";
    case WORLD_NOMEM: return r->error[0] ? r->error : "out of memory";
    default: return r->error[0] ? r->error : "stopped";
    }
}

static int emit(const char *out, const exec_result *r, const mc_list *mc, const runopts *o,
                const results_meta *meta)
{
    if (results_write_dir(out, r, mc, meta)) {
        perror(out);
        return EXIT_FAIL;
    }
    if (o->json) {
        cJSON *j = results_json(r, mc, meta);
        char *text = j ? cJSON_Print(j) : NULL;
        if (text)
            puts(text);
        free(text);
        cJSON_Delete(j);
    } else if (!o->quiet) {
        fd_print(stdout, meta->findings);
        results_print_table(stdout, r, mc);
    }
    /* after an interrupt, write the report but skip gnuplot: the user wants out */
    int rc = report_build(out, NULL, !o->no_plots && !runner_stopped(&runopts_stop), o->require_plots, stderr);
    if (rc != 0)
        return rc;
    if (!o->quiet && !o->json)
        printf("\nwrote %s/ (results.json, summary.csv, timeseries.csv); report: %s/report.html\n", out, out);
    return EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
    runopts o;
    int rc = runopts_parse(&o, argc, argv, 0);
    if (rc)
        return rc == 1 ? EXIT_OK : EXIT_USAGE;
    scenario sc;
    memset(&sc, 0, sizeof sc);
    loader_doc *d = runopts_load(&o, stderr);
    if (!d || loader_build(d, &sc, stderr) || we_refuse_if_too_big(&sc, o.scenario, stderr)) {
        if (d)
            scenario_free(&sc);
        loader_close(d);
        runopts_free(&o);
        return EXIT_USAGE;
    }
    char out[4096];
    if (o.out)
        snprintf(out, sizeof out, "%s", o.out);
    else
        runopts_default_out(out, sizeof out, sc.name);
    runopts_signals();
    exec_result r;
    results_reps reps; /* replications.csv, streamed while the replications run (rank 0) */
    int have_reps = par_rank() == 0 && results_reps_open(&reps, out, &sc) == 0;
    int st = run_simulate(&r, &sc, &o, "replications", have_reps ? results_reps_row : NULL, &reps);
    if (have_reps && results_reps_close(&reps))
        perror(out);
    mc_list mc = {0};
    slo_list slos = {0};
    fd_list fd = {0};
    if (r.nrec > 0 && modelcheck_run(&r, &mc))
        st = WORLD_NOMEM;
    if (slo_evaluate(&r, &slos) || fd_build(&r, &mc, &slos, &fd))
        st = WORLD_NOMEM;
    char *eff = loader_effective_json(d);
    results_meta meta = {.file = o.scenario, .effective_json = eff, .complete = st == WORLD_DONE,
                         .stop_reason = run_stop_reason(st, &r), .requested = sc.replications,
                         .precision = o.precision, .slos = &slos, .findings = &fd};
    if (st != WORLD_DONE && par_rank() == 0)
        fprintf(stderr, "relsim: %s: %s; %d replication%s finished, partial results in %s/\n", o.scenario,
                meta.stop_reason, r.nrec, r.nrec == 1 ? "" : "s", out);
    rc = par_rank() == 0 ? emit(out, &r, &mc, &o, &meta) : EXIT_OK; /* partial results too; MPI: rank 0 only */
    if (rc == EXIT_OK && st != WORLD_DONE)
        rc = st == WORLD_INTERRUPTED ? EXIT_INTERRUPTED : EXIT_FAIL;
    free(eff);
    mc_list_free(&mc);
    slo_list_free(&slos);
    fd_list_free(&fd);
    exec_result_free(&r);
    scenario_free(&sc);
    loader_close(d);
    runopts_free(&o);
    return rc;
}
