/* report_run.c - the run report's tables: results with 95% CIs (and nines),
 * the analytic model check, and the run metadata; number formatting. */
#include "plots/report_int.h"
#include "plots/plot_metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

char *report_num(char *buf, size_t n, double x)
{
    if (!isfinite(x))
        snprintf(buf, n, "n/a");
    else if (fabs(x) >= 1e4 && fabs(x) < 1e15)
        snprintf(buf, n, "%.0f", x);
    else
        snprintf(buf, n, "%.4g", x);
    return buf;
}

int report_decimals(double lo, double hi)
{
    double hw = (hi - lo) / 2;
    if (!isfinite(hw) || hw <= 0)
        return -1;
    /* enough decimals to show the half-width with 2 significant digits */
    int dec = 1 - (int)floor(log10(hw));
    return dec < 0 ? 0 : dec > 12 ? 12 : dec;
}

void report_stat(const rd_stat *s, char *mean, size_t mn, char *ci, size_t cn)
{
    int dec = report_decimals(s->lo, s->hi);
    if (!isfinite(s->mean)) {
        snprintf(mean, mn, "n/a");
        snprintf(ci, cn, "n/a");
        return;
    }
    if (dec < 0 || fabs(s->mean) >= 1e15) {
        report_num(mean, mn, s->mean);
        if (isfinite(s->lo) && isfinite(s->hi))
            snprintf(ci, cn, "[%.6g, %.6g]", s->lo, s->hi);
        else
            snprintf(ci, cn, "n/a");
        return;
    }
    snprintf(mean, mn, "%.*f", dec, s->mean);
    snprintf(ci, cn, "[%.*f, %.*f]", dec, s->lo, dec, s->hi);
}

char *report_nines(char *buf, size_t n, double a)
{
    if (!isfinite(a) || a < 0)
        snprintf(buf, n, "%s", "");
    else if (a >= 1)
        snprintf(buf, n, "all (no failure seen)");
    else
        snprintf(buf, n, "%.2f nines", metric_nines(a));
    return buf;
}

/* The results table of one entity: PATH is "pools.NAME", "clients.NAME" or
 * "pools.NAME.calls" (a pool's downstream caller, shown like a client). */
static void entity_table(rw_doc *d, const rd_run *rd, const char *path, const char *title, int client)
{
    static const char *const hdr[5] = {"metric", "mean", "95% CI", "unit", "as nines"};
    char mean[64], ci[128], nines[64];
    rw_heading(d, 3, NULL, title);
    rw_table_begin(d, 5, hdr, "lrrll");
    for (int i = 0; i < rd_count(rd, RD_RESULTS, "%s", path); i++) {
        const char *key = rd_key(rd, RD_RESULTS, i, "%s", path);
        rd_stat s;
        if (!key || rd_stat_at(rd, RD_RESULTS, &s, "%s.%s", path, key) != 0)
            continue;
        if (!(s.n > 0))
            continue; /* undefined in every replication: e.g. no breaker, no hedging */
        const metric_info *mi = metric_find(key, client);
        report_stat(&s, mean, sizeof mean, ci, sizeof ci);
        char label[300];
        snprintf(label, sizeof label, "%s (%s)", mi->label, key);
        const char *cells[5] = {mi->label == key ? key : label, mean, ci,
                                *mi->unit ? mi->unit
                                          : (mi->kind == METRIC_PROB || mi->kind == METRIC_AVAIL)
                                                ? "fraction" : "",
                                mi->kind == METRIC_AVAIL ? report_nines(nines, sizeof nines, s.mean)
                                                         : ""};
        rw_table_row(d, cells, NULL, -1);
    }
    rw_table_end(d);
}

void report_results(rw_doc *d, const rd_run *rd)
{
    static const char *const kinds[2] = {"pools", "clients"};
    rw_para(d, "Means over independent replications with 95%% Student-t confidence intervals. "
               "Probabilities are fractions in [0, 1]; an availability A is also shown as nines, "
               "-log10(1 - A) (0.999 = 3 nines).");
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < rd_count(rd, RD_RESULTS, "%s", kinds[k]); i++) {
            const char *name = rd_key(rd, RD_RESULTS, i, "%s", kinds[k]);
            if (!name)
                continue;
            char path[160], title[200];
            snprintf(path, sizeof path, "%s.%s", kinds[k], name);
            snprintf(title, sizeof title, "%s %s", k ? "Client" : "Pool", name);
            entity_table(d, rd, path, title, k);
            if (!k && rd_exists(rd, RD_RESULTS, "%s.calls", path)) {
                snprintf(path, sizeof path, "pools.%s.calls", name);
                snprintf(title, sizeof title, "Pool %s: its downstream calls", name);
                entity_table(d, rd, path, title, 1);
            }
        }
}

/* Analytic predictions: every number under results.json "analytic". */
static void analytic_table(rw_doc *d, const rd_run *rd)
{
    static const char *const hdr[2] = {"quantity", "analytic value"};
    static const char *const kinds[2] = {"pools", "clients"};
    char num[64], q[300];
    int rows = 0;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < rd_count(rd, RD_RESULTS, "analytic.%s", kinds[k]); i++) {
            const char *e = rd_key(rd, RD_RESULTS, i, "analytic.%s", kinds[k]);
            for (int j = 0; e && j < rd_count(rd, RD_RESULTS, "analytic.%s.%s", kinds[k], e); j++) {
                const char *m = rd_key(rd, RD_RESULTS, j, "analytic.%s.%s", kinds[k], e);
                double v = m ? rd_num(rd, RD_RESULTS, NAN, "analytic.%s.%s.%s", kinds[k], e, m) : NAN;
                if (!m || !rd_exists(rd, RD_RESULTS, "analytic.%s.%s.%s", kinds[k], e, m))
                    continue;
                if (!rows++) {
                    rw_heading(d, 3, NULL, "Analytic predictions");
                    rw_table_begin(d, 2, hdr, "lr");
                }
                snprintf(q, sizeof q, "%s.%s.%s", kinds[k], e, m);
                snprintf(num, sizeof num, isfinite(v) ? "%.6g" : "n/a", v);
                const char *cells[2] = {q, num};
                rw_table_row(d, cells, NULL, -1);
            }
        }
    if (rows)
        rw_table_end(d);
}

/* Predicted, observed and CI with the decimals the CI resolves (+1, so a
 * prediction just outside the interval shows it). */
static void check_numbers(double pred, double obs, double lo, double hi, char pb[64], char ob[64],
                          char cb[160])
{
    int dec = report_decimals(lo, hi);
    if (dec < 0 || !isfinite(obs) || fabs(obs) >= 1e15) { /* no interval to size digits by */
        snprintf(pb, 64, isfinite(pred) ? "%.6g" : "n/a", pred);
        snprintf(ob, 64, isfinite(obs) ? "%.6g" : "n/a", obs);
        if (isfinite(lo) && isfinite(hi))
            snprintf(cb, 160, "[%.6g, %.6g]", lo, hi);
        else
            snprintf(cb, 160, "n/a");
        return;
    }
    dec = dec < 12 ? dec + 1 : 12;
    if (isfinite(pred))
        snprintf(pb, 64, "%.*f", dec, pred);
    else
        snprintf(pb, 64, "n/a");
    snprintf(ob, 64, "%.*f", dec, obs);
    snprintf(cb, 160, "[%.*f, %.*f]", dec, lo, dec, hi);
}

void report_model_check(rw_doc *d, const rd_run *rd)
{
    static const char *const hdr[8] = {"quantity", "model", "predicted", "observed", "95% CI",
                                       "margin", "verdict", "note"};
    char pred[64], obs[64], ci[160], mg[64];
    int n = rd_count(rd, RD_RESULTS, "model_check");
    if (n == 0) {
        rw_para(d, "results.json has no model check (no quantity with an analytic prediction).");
    } else {
        rw_para(d, "Quantities with a closed-form prediction (MODEL.md), compared with the "
                   "simulation: agrees means the prediction lies inside the observed 95%% "
                   "confidence interval; agrees (within the widened CI) that it lies outside it "
                   "but within the margin shown (a quarter of the CI half-width plus any known "
                   "bias, e.g. the start-up transient) on either side; differs that it lies "
                   "beyond.");
        rw_table_begin(d, 8, hdr, "llrrrrll");
        for (int i = 0; i < n; i++) {
            const char *q = rd_str(rd, RD_RESULTS, "model_check.%d.quantity", i);
            const char *v = rd_str(rd, RD_RESULTS, "model_check.%d.verdict", i);
            const char *note = rd_str(rd, RD_RESULTS, "model_check.%d.reason", i);
            const char *formula = rd_str(rd, RD_RESULTS, "model_check.%d.formula", i);
            if (!note)
                note = rd_str(rd, RD_RESULTS, "model_check.%d.note", i);
            double lo = rd_num(rd, RD_RESULTS, NAN, "model_check.%d.ci95.0", i);
            double hi = rd_num(rd, RD_RESULTS, NAN, "model_check.%d.ci95.1", i);
            check_numbers(rd_num(rd, RD_RESULTS, NAN, "model_check.%d.predicted", i),
                          rd_num(rd, RD_RESULTS, NAN, "model_check.%d.observed", i), lo, hi,
                          pred, obs, ci);
            double margin = rd_num(rd, RD_RESULTS, NAN, "model_check.%d.margin", i);
            mg[0] = '\0';
            if (isfinite(margin))
                snprintf(mg, sizeof mg, "\u00b1%.3g", margin);
            const char *cells[8] = {q ? q : "?", formula ? formula : "", pred, obs, ci, mg,
                                    v ? v : "?", note ? note : ""};
            const char *cls = !v ? "other" : !strncmp(v, "agrees", 6) ? "agrees"
                                           : !strcmp(v, "differs") ? "disagrees" : "other";
            rw_table_row(d, cells, cls, 6);
        }
        rw_table_end(d);
    }
    analytic_table(d, rd);
}

/* One pool of solve.json: the steady state, the window, the solvers. */
static void exact_pool(rw_doc *d, const rd_run *rd, const char *pool)
{
    static const char *const hdr[2] = {"measure", "exact value"};
    static const char *const keys[] = {"server_availability", "system_availability", "system_unavailability",
                                       "nines", "mttf_system"};
    char v[64], label[128];
    rw_heading(d, 3, NULL, pool);
    if (!rd_bool(rd, RD_SOLVE, 0, "pools.%s.markovian", pool)) {
        rw_para(d, "Not solved: %s", rd_str(rd, RD_SOLVE, "pools.%s.reason", pool));
        return;
    }
    rw_table_begin(d, 2, hdr, "lr");
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        double x = rd_num(rd, RD_SOLVE, NAN, "pools.%s.%s", pool, keys[k]);
        if (isfinite(x))
            snprintf(v, sizeof v, "%.10g%s", x, strcmp(keys[k], "mttf_system") ? "" : " s");
        else
            snprintf(v, sizeof v, "%s", strcmp(keys[k], "nines") ? "never" : "infinite (never down)");
        const char *cells[2] = {keys[k], v};
        rw_table_row(d, cells, NULL, -1);
    }
    static const char *const wkeys[] = {"server_availability", "system_availability"};
    for (size_t k = 0; k < 2 && rd_exists(rd, RD_SOLVE, "pools.%s.window", pool); k++) {
        double x = rd_num(rd, RD_SOLVE, NAN, "pools.%s.window.%s", pool, wkeys[k]);
        snprintf(label, sizeof label, "%s over [%g, %g] s from all UP", wkeys[k],
                 rd_num(rd, RD_SOLVE, NAN, "pools.%s.window.from", pool),
                 rd_num(rd, RD_SOLVE, NAN, "pools.%s.window.to", pool));
        snprintf(v, sizeof v, isfinite(x) ? "%.10g" : "n/a", x);
        const char *cells[2] = {label, v};
        rw_table_row(d, cells, NULL, -1);
    }
    rw_table_end(d);
    if (rd_exists(rd, RD_SOLVE, "pools.%s.steady_solver", pool))
        rw_para(d, "Steady state: %s, %g states, residual %.2g, %.3g s.",
                rd_str(rd, RD_SOLVE, "pools.%s.steady_solver.method", pool),
                rd_num(rd, RD_SOLVE, NAN, "pools.%s.steady_solver.states", pool),
                rd_num(rd, RD_SOLVE, NAN, "pools.%s.steady_solver.residual", pool),
                rd_num(rd, RD_SOLVE, NAN, "pools.%s.steady_solver.seconds", pool));
    for (int i = 0; i < rd_count(rd, RD_SOLVE, "pools.%s.left_out", pool); i++)
        rw_para(d, "Left out: %s", rd_str(rd, RD_SOLVE, "pools.%s.left_out.%d", pool, i));
}

void report_exact(rw_doc *d, const rd_run *rd)
{
    rw_para(d, "From solve.json (relsim solve %s): the Markov chains of the pools solved exactly; "
               "docs/SOLVE.md says what they include.",
            rd_str(rd, RD_SOLVE, "file") ? rd_str(rd, RD_SOLVE, "file") : "");
    for (int i = 0; i < rd_count(rd, RD_SOLVE, "pools"); i++) {
        const char *pool = rd_key(rd, RD_SOLVE, i, "pools");
        if (pool)
            exact_pool(d, rd, pool);
    }
}

void report_metadata(rw_doc *d, const rd_run *rd)
{
    static const char *const hdr[2] = {"item", "value"};
    char v[10][160];
    const char *ver = rd_str(rd, RD_RESULTS, "relsim_version");
    const char *file = rd_str(rd, RD_RESULTS, "scenario.file");
    int complete = rd_bool(rd, RD_RESULTS, 1, "complete");
    const char *why = rd_str(rd, RD_RESULTS, "stop_reason");
    report_num(v[0], sizeof v[0], rd_num(rd, RD_RESULTS, NAN, "seed"));
    report_num(v[1], sizeof v[1], rd_num(rd, RD_RESULTS, NAN, "replications"));
    snprintf(v[2], sizeof v[2], "%.6g s (warmup %.6g s)", rd_num(rd, RD_RESULTS, NAN, "horizon"),
             rd_num(rd, RD_RESULTS, 0, "warmup"));
    snprintf(v[3], sizeof v[3], "%.3f s", rd_num(rd, RD_RESULTS, NAN, "perf.wall_seconds"));
    report_num(v[4], sizeof v[4], rd_num(rd, RD_RESULTS, NAN, "perf.events"));
    report_num(v[5], sizeof v[5], rd_num(rd, RD_RESULTS, NAN, "perf.events_per_second"));
    report_num(v[6], sizeof v[6], rd_num(rd, RD_RESULTS, NAN, "perf.requests_per_second"));
    const char *rng = rd_str(rd, RD_RESULTS, "rng.type");
    double streams = rd_num(rd, RD_RESULTS, NAN, "rng.streams_per_replication");
    if (rng && isfinite(streams))
        snprintf(v[7], sizeof v[7], "%s, %.0f streams per replication", rng, streams);
    else
        snprintf(v[7], sizeof v[7], "%s", rng ? rng : "n/a");
    double asked = rd_num(rd, RD_RESULTS, NAN, "replications_requested");
    if (isfinite(asked) && asked != rd_num(rd, RD_RESULTS, NAN, "replications")) {
        size_t used = strlen(v[1]);
        snprintf(v[1] + used, sizeof v[1] - used, " (%.0f requested)", asked);
    }
    const char *rows[][2] = {
        {"relsim version", ver ? ver : "n/a"},
        {"scenario file", file ? file : "n/a"},
        {"base seed", v[0]},
        {"replications", v[1]},
        {"simulated time per replication", v[2]},
        {"wall-clock time", v[3]},
        {"events simulated", v[4]},
        {"events per second", v[5]},
        {"requests simulated per second", v[6]},
        {"random numbers", v[7]},
        {"complete", complete ? "yes" : why && !strcmp(why, "interrupted")
                                             ? "no: interrupted, partial results"
                                             : "no: stopped (the reason is at the top), partial results"},
    };
    rw_table_begin(d, 2, hdr, "ll");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        rw_table_row(d, rows[i], !complete && i == 10 ? "disagrees" : NULL, 1);
    rw_table_end(d);
}
