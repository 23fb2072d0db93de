/* report.c - report_build(): figures, then report.html + report.md of a run or sweep. */
#include "plots/report.h"

#include "util/fsutil.h"
#include "plots/figures.h"
#include "plots/plot_svg.h"
#include "plots/report_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    const char *outdir;
    const rd_run *rd;
    gp_ctx *gp;
    fig_list *figs;
    int render;       /* gnuplot was asked for */
    int sweep;        /* a sweep folder */
    int default_html; /* report.html in OUTDIR: relative links work */
    char qplots[4400];/* shell-quoted OUTDIR/plots for messages */
} report_ctx;

int report_is_outdir(const char *outdir)
{
    char p[4300];
    struct stat st;
    if (stat(outdir, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    return (fs_join(p, sizeof p, outdir, "results.json") && stat(p, &st) == 0) ||
           (fs_join(p, sizeof p, outdir, "sweep.json") && stat(p, &st) == 0);
}

/* PATH quoted for a POSIX shell when it needs it. */
static void sh_quote(char *buf, size_t n, const char *path)
{
    size_t o = 0;
    if (strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-+,=") ==
        strlen(path)) {
        snprintf(buf, n, "%s", path);
        return;
    }
    buf[o++] = '\'';
    for (const char *p = path; *p && o + 6 < n; p++) {
        if (*p == '\'') {
            memcpy(buf + o, "'\\''", 4);
            o += 4;
        } else {
            buf[o++] = *p;
        }
    }
    buf[o++] = '\'';
    buf[o] = '\0';
}

/* mtime of PATH in nanoseconds, or -1. */
static long long mtime_ns(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

/* The cleaned SVG of figure E if it may be shown, else NULL. */
static char *figure_svg(const report_ctx *c, const fig_entry *e)
{
    char path[4600], res[4400], prefix[160];
    snprintf(path, sizeof path, "%s/%s.svg", c->gp->dir, e->name);
    snprintf(prefix, sizeof prefix, "f-%s", e->name);
    if (e->status == GP_RENDERED)
        return svg_inline(path, prefix);
    if (e->status != GP_WRITTEN || c->render)
        return NULL;
    /* plots skipped: an SVG from an earlier rendering is fine if not older than the results */
    snprintf(res, sizeof res, "%s/%s", c->outdir, c->sweep ? "sweep.json" : "results.json");
    long long t = mtime_ns(path);
    return (t >= 0 && t >= mtime_ns(res)) ? svg_inline(path, prefix) : NULL;
}

static void figure_missing(const report_ctx *c, const fig_entry *e, char *buf, size_t n)
{
    if (e->status == GP_FAILED)
        snprintf(buf, n, "gnuplot failed on this figure (its messages were printed when the "
                 "report was built); the script is plots/%s.gp.", e->name);
    else if (e->status == GP_WRITE_ERROR)
        snprintf(buf, n, "The figure's files could not be written.");
    else
        snprintf(buf, n, "Not rendered (%s). To render it: cd %s && gnuplot %s.gp",
                 c->render ? "gnuplot was not found" : "plots were skipped", c->qplots, e->name);
}

static void figures_section(rw_doc *d, const report_ctx *c)
{
    char missing[5000];
    rw_heading(d, 2, "figures", "Figures");
    if (c->figs->n == 0) {
        rw_para(d, "No figure could be made from this folder (see the notes).");
        return;
    }
    rw_para(d, "Each figure's gnuplot script and data are in plots/ beside it (NAME.gp, "
               "NAME.dat): edit and re-render with  gnuplot NAME.gp  (or as PNG with  "
               "gnuplot -e \"png=1\" NAME.gp).");
    for (int i = 0; i < c->figs->n; i++) {
        const fig_entry *e = &c->figs->figs[i];
        char *svg = figure_svg(c, e);
        if (!svg)
            figure_missing(c, e, missing, sizeof missing);
        rw_figure(d, e->name, e->title, e->caption, svg, missing);
        free(svg);
    }
}

/* Whether results.json has findings (app/findings.h). */
static int has_findings(const report_ctx *c)
{
    return !c->sweep && rd_count(c->rd, RD_RESULTS, "findings") > 0;
}

/* The run's findings first, in the words results.json stores (the terminal
 * prints the same): a reader who stops here knows whether the design is good. */
static void findings_section(rw_doc *d, const report_ctx *c)
{
    if (!has_findings(c))
        return;
    rw_heading(d, 2, "findings", "Findings");
    rw_list_begin(d);
    for (int i = 0; i < rd_count(c->rd, RD_RESULTS, "findings"); i++) {
        const char *t = rd_str(c->rd, RD_RESULTS, "findings.%d.text", i);
        if (!t)
            continue;
        if (rd_bool(c->rd, RD_RESULTS, 0, "findings.%d.problem", i))
            rw_item2(d, "Problem", t);
        else
            rw_item(d, t);
    }
    rw_list_end(d);
}

/* Whether the report has a Notes section (figure notes or reader warnings). */
static int has_notes(const report_ctx *c)
{
    return c->figs->nnotes > 0 || *rd_warnings(c->rd);
}

static void notes_section(rw_doc *d, const report_ctx *c)
{
    const char *w = rd_warnings(c->rd);
    if (!has_notes(c))
        return;
    rw_heading(d, 2, "notes", "Notes");
    rw_list_begin(d);
    for (int i = 0; i < c->figs->nnotes; i++)
        rw_item(d, c->figs->notes[i]);
    while (*w) {
        size_t len = strcspn(w, "\n");
        char line[2100];
        snprintf(line, sizeof line, "%.*s", (int)(len < 2000 ? len : 2000), w);
        rw_item(d, line);
        w += len + (w[len] == '\n');
    }
    rw_list_end(d);
}

/* Why an incomplete run stopped, in its own words (results.json
 * stop_reason): "interrupted" only when it was; the overload guard's finding
 * (runaway) with what the figures then show. */
static void stopped_box(rw_doc *d, const report_ctx *c)
{
    const char *why = rd_str(c->rd, RD_RESULTS, "stop_reason");
    int reps = rd_int(c->rd, RD_RESULTS, 0, "replications");
    if (!why || !strcmp(why, "interrupted")) {
        rw_box(d, "warning", "This run was interrupted (\"complete\": false): the results cover "
                             "only what was simulated before the interruption.");
        return;
    }
    char text[1400];
    snprintf(text, sizeof text, "This run was stopped (\"complete\": false): %s.", why);
    rw_box(d, "warning", text);
    double t = rd_num(c->rd, RD_RESULTS, NAN, "runaway.t");
    int rep = rd_int(c->rd, RD_RESULTS, -1, "runaway.replication");
    if (isfinite(t) && reps == 0)
        rw_para(d, "No replication finished, so the tables are empty; the time-series figures show "
                   "replication %d up to t = %.6g s, when the overload guard stopped it: that is "
                   "where the storm is visible (data in timeseries.csv).", rep, t);
    else if (isfinite(t))
        rw_para(d, "The statistics cover the %d replication%s that finished before replication %d "
                   "was stopped at t = %.6g s.", reps, reps == 1 ? "" : "s", rep, t);
}

/* Why a sweep is not complete (sweep.json stop_reason): interrupted, an
 * output that could not be written, or (no stop_reason) failed points. */
static void sweep_stopped_box(rw_doc *d, const report_ctx *c)
{
    const char *why = rd_str(c->rd, RD_SWEEP, "stop_reason");
    if (!why || !strcmp(why, "interrupted")) {
        rw_box(d, "warning", why ? "This sweep was interrupted (\"complete\": false): some points may "
                                   "be missing or partial."
                                 : "This sweep is not complete (\"complete\": false): some points "
                                   "failed (failed_points in sweep.json).");
        return;
    }
    char text[1400];
    snprintf(text, sizeof text, "This sweep is not complete (\"complete\": false): %s; the points "
                                "listed are the ones written.", why);
    rw_box(d, "warning", text);
}

/* Title, description, interrupted banner and contents. */
static void head(rw_doc *d, const report_ctx *c)
{
    const char *name = rd_str(c->rd, RD_RESULTS, "scenario.name");
    if (!name)
        name = rd_str(c->rd, RD_SWEEP, "scenario.name");
    if (!name)
        name = rd_str(c->rd, RD_SCENARIO, "name");
    char title[400];
    snprintf(title, sizeof title, "relsim %s: %s", c->sweep ? "sweep report" : "report",
             name ? name : "(unnamed scenario)");
    rw_begin(d, title);
    const char *desc = rd_str(c->rd, RD_SCENARIO, "description");
    if (!desc)
        desc = rd_str(c->rd, RD_RESULTS, "scenario.description");
    if (!desc)
        desc = rd_str(c->rd, RD_SWEEP, "scenario.description");
    if (desc && *desc)
        rw_para(d, "%s", desc);
    if (!c->sweep && !rd_bool(c->rd, RD_RESULTS, 1, "complete"))
        stopped_box(d, c);
    if (c->sweep && !rd_bool(c->rd, RD_SWEEP, 1, "complete"))
        sweep_stopped_box(d, c);
    static const char *const run_ids[] = {"findings", "scenario", "results", "model-check",
                                          "figures", "notes", "metadata"};
    static const char *const run_txt[] = {"Findings", "Scenario", "Results", "Model check",
                                          "Figures", "Notes", "Run metadata"};
    static const char *const sw_ids[] = {"scenario", "grid", "figures", "notes"};
    static const char *const sw_txt[] = {"Scenario", "Grid", "Figures", "Notes"};
    /* the contents name Notes only when notes_section() will write it */
    const char *ids[8], *txt[8];
    const char *const *src_ids = c->sweep ? sw_ids : run_ids;
    const char *const *src_txt = c->sweep ? sw_txt : run_txt;
    int n = 0, total = c->sweep ? 4 : 7;
    for (int i = 0; i < total; i++) {
        if ((!strcmp(src_ids[i], "notes") && !has_notes(c)) ||
            (!strcmp(src_ids[i], "findings") && !has_findings(c)))
            continue;
        ids[n] = src_ids[i];
        txt[n++] = src_txt[i];
    }
    rw_toc(d, ids, txt, n);
}

/* The sweep's SLO recommendation (sweep.json, app/sweep_recommend.h), first. */
static void recommendation_para(rw_doc *d, const report_ctx *c)
{
    if (rd_count(c->rd, RD_SWEEP, "recommendation.points") <= 0)
        return;
    int best = rd_int(c->rd, RD_SWEEP, -1, "recommendation.recommended");
    int nmeet = rd_count(c->rd, RD_SWEEP, "recommendation.meeting");
    if (best < 0) {
        rw_box(d, "warning", "Recommendation: no grid point meets every SLO of the scenario with 95% "
                             "confidence (see the Pareto figure).");
        return;
    }
    char text[900];
    if (best == rd_int(c->rd, RD_SWEEP, 0, "baseline")) {
        snprintf(text, sizeof text,
                 "Recommendation: %d grid point%s meet%s every SLO with 95%% confidence; the cheapest "
                 "is point %d, the baseline (%.4g extra attempts per request, success %.6g).",
                 nmeet, nmeet == 1 ? "" : "s", nmeet == 1 ? "s" : "", best,
                 rd_num(c->rd, RD_SWEEP, NAN, "recommendation.points.%d.extra_attempts_per_request.mean", best),
                 rd_num(c->rd, RD_SWEEP, NAN, "recommendation.points.%d.request_success.mean", best));
        rw_box(d, "note", text);
        return;
    }
    snprintf(text, sizeof text,
             "Recommendation: %d grid point%s meet%s every SLO with 95%% confidence; the cheapest is "
             "point %d (%.4g extra attempts per request, success %.6g); against the baseline, paired "
             "95%% CIs: success %+.4g [%+.4g, %+.4g], extra attempts per request %+.4g [%+.4g, %+.4g].",
             nmeet, nmeet == 1 ? "" : "s", nmeet == 1 ? "s" : "", best,
             rd_num(c->rd, RD_SWEEP, NAN, "recommendation.points.%d.extra_attempts_per_request.mean", best),
             rd_num(c->rd, RD_SWEEP, NAN, "recommendation.points.%d.request_success.mean", best),
             rd_num(c->rd, RD_SWEEP, NAN, "recommendation.vs_baseline.request_success.mean"),
             rd_num(c->rd, RD_SWEEP, NAN, "recommendation.vs_baseline.request_success.ci95.0"),
             rd_num(c->rd, RD_SWEEP, NAN, "recommendation.vs_baseline.request_success.ci95.1"),
             rd_num(c->rd, RD_SWEEP, NAN, "recommendation.vs_baseline.extra_attempts_per_request.mean"),
             rd_num(c->rd, RD_SWEEP, NAN, "recommendation.vs_baseline.extra_attempts_per_request.ci95.0"),
             rd_num(c->rd, RD_SWEEP, NAN, "recommendation.vs_baseline.extra_attempts_per_request.ci95.1"));
    rw_box(d, "note", text);
}

static void write_doc(rw_doc *d, const report_ctx *c)
{
    head(d, c);
    findings_section(d, c);
    rw_heading(d, 2, "scenario", "Scenario");
    if (rd_scenario_point(c->rd) >= 0)
        rw_para(d, "As run at grid point %d (the baseline); the other points differ only in the "
                   "varied parameters.", rd_scenario_point(c->rd));
    if (rd_has(c->rd, RD_SCENARIO))
        report_scenario(d, c->rd);
    else
        rw_para(d, "scenario.resolved.json and scenario.json are missing from this folder: no "
                   "scenario summary.");
    if (c->sweep) {
        rw_heading(d, 2, "grid", "Grid");
        recommendation_para(d, c);
        report_sweep_grid(d, c->rd, c->default_html);
        figures_section(d, c);
        notes_section(d, c);
    } else {
        rw_heading(d, 2, "results", "Results");
        report_results(d, c->rd);
        rw_heading(d, 2, "model-check", "Model check");
        report_model_check(d, c->rd);
        if (rd_has(c->rd, RD_SOLVE)) {
            rw_heading(d, 2, "exact", "Exact solution (relsim solve)");
            report_exact(d, c->rd);
        }
        figures_section(d, c);
        notes_section(d, c);
        rw_heading(d, 2, "metadata", "Run metadata");
        report_metadata(d, c->rd);
    }
    rw_end(d);
}

/* Write report.html at HTML and report.md in OUTDIR atomically; 0 or -1. */
static int write_files(const report_ctx *c, const char *html, FILE *log)
{
    char md[4300] = "";
    fs_atomic ah, am;
    if (!fs_join(md, sizeof md, c->outdir, "report.md")) {
        errno = ENAMETOOLONG;
        goto fail_msg;
    }
    if (fs_open_atomic(&ah, html) != 0)
        goto fail_msg;
    if (fs_open_atomic(&am, md) != 0) {
        fs_abort_atomic(&ah);
        goto fail_msg;
    }
    rw_doc d = {.html = ah.f, .md = am.f};
    write_doc(&d, c);
    if (fs_commit_atomic(&ah) != 0) {
        fs_abort_atomic(&am);
        goto fail_msg;
    }
    if (fs_commit_atomic(&am) != 0)
        goto fail_msg;
    return 0;
fail_msg:
    if (log)
        fprintf(log, "relsim: cannot write the report (%s, %s): %s\n", html, md, strerror(errno));
    return -1;
}

/* Say once how to render the figures when gnuplot is missing. */
static void how_to_render(const report_ctx *c, FILE *log)
{
    if (!log || !c->render || c->gp->have_gnuplot || c->gp->written == 0)
        return;
    fprintf(log, "relsim: gnuplot is not on PATH: %d figure scripts written but not rendered; "
                 "render them with: cd %s && gnuplot NAME.gp  (all: for f in *.gp; do gnuplot "
                 "\"$f\"; done)\n", c->gp->written, c->qplots);
}

int report_build(const char *outdir, const char *html_path, int render_plots, int require_plots,
                 FILE *log)
{
    char err[4200], plots[4300], html[4300];
    rd_run *rd = rd_open(outdir, err, sizeof err);
    if (!rd) {
        if (log)
            fprintf(log, "relsim: %s\n", err);
        return REPORT_OUTPUT_FAILED;
    }
    gp_ctx gp;
    fig_list figs;
    fig_list_init(&figs);
    report_ctx c = {.outdir = outdir, .rd = rd, .gp = &gp, .figs = &figs, .render = render_plots,
                    .sweep = rd_has(rd, RD_SWEEP), .default_html = html_path == NULL};
    int rc = REPORT_OK;
    if (!fs_join(plots, sizeof plots, outdir, "plots") || gp_init(&gp, plots, render_plots, log)) {
        if (log)
            fprintf(log, "relsim: cannot create %s/plots: %s\n", outdir, strerror(errno));
        rc = REPORT_OUTPUT_FAILED;
        goto done;
    }
    sh_quote(c.qplots, sizeof c.qplots, plots);
    if ((c.sweep ? fig_make_sweep(rd, &gp, &figs) : fig_make_run(rd, &gp, &figs)) != 0)
        rc = REPORT_OUTPUT_FAILED; /* out of memory: write what we have */
    how_to_render(&c, log);
    if (!html_path)
        html_path = fs_join(html, sizeof html, outdir, "report.html");
    if (!html_path || write_files(&c, html_path, log) != 0 || gp.write_errors)
        rc = REPORT_OUTPUT_FAILED;
    if (rc == REPORT_OK && require_plots && render_plots && (!gp.have_gnuplot || gp.failed)) {
        if (log)
            fprintf(log, "relsim: --require-plots: %s\n", gp.have_gnuplot
                    ? "gnuplot failed on some figures" : "gnuplot is not on PATH");
        rc = REPORT_NO_PLOTS;
    }
done:
    fig_list_destroy(&figs);
    rd_free(rd);
    return rc;
}
