/* report_sweep.c - the sweep report's tables: what was varied, and per
 * headline metric the grid of points with means, 95% CIs and the paired
 * difference from the baseline point with its CI. */
#include "plots/report_int.h"
#include "plots/plot_metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define SW RD_SWEEP
#define MAX_VARY 8

/* The values taken by varied PATH, in order of first appearance. */
static void vary_values(const rd_run *rd, const char *path, int npts, char *buf, size_t n)
{
    char seen[64][64], txt[64];
    int ns = 0;
    double num;
    buf[0] = '\0';
    for (int p = 0; p < npts; p++) {
        rd_sweep_value(rd, p, path, &num, txt, sizeof txt);
        int dup = 0;
        for (int i = 0; i < ns && !dup; i++)
            dup = !strcmp(seen[i], txt);
        if (dup || ns == 64)
            continue;
        snprintf(seen[ns++], sizeof seen[0], "%s", txt);
        size_t used = strlen(buf);
        snprintf(buf + used, n - used, "%s%s", ns > 1 ? ", " : "", txt);
    }
}

/* Relative link to point P's own report, if its folder has one (the cell
 * shows the folder name either way). */
static const char *point_link(const rd_run *rd, int p, char *buf, size_t n)
{
    const char *dir = rd_sweep_dir(rd, p);
    char path[4600];
    struct stat st;
    if (!dir || strstr(dir, "..") || strchr(dir, ':') || dir[0] == '/')
        return NULL;
    snprintf(path, sizeof path, "%s/%s/report.html", rd_outdir(rd), dir);
    if (stat(path, &st) != 0)
        return NULL;
    snprintf(buf, n, "%s/report.html", dir);
    return buf;
}

static void metric_grid(rw_doc *d, const rd_run *rd, const char **vary, int nv, const char *kind,
                        const char *ent, const metric_info *mi, int links)
{
    const char *hdr[MAX_VARY + 6];
    char title[300], cell[MAX_VARY + 6][160], href[300];
    char align[MAX_VARY + 7];
    int npts = rd_sweep_count(rd), base = rd_int(rd, SW, 0, "baseline"), nc = 0;
    for (int v = 0; v < nv; v++) {
        const char *dot = strrchr(vary[v], '.');
        hdr[nc] = dot ? dot + 1 : vary[v];
        align[nc++] = 'r';
    }
    const char *rest[5] = {"mean", "95% CI", "difference vs baseline", "difference 95% CI",
                           "folder"};
    for (int i = 0; i < 5; i++) {
        hdr[nc] = rest[i];
        align[nc++] = i == 4 ? 'l' : 'r';
    }
    align[nc] = '\0';
    snprintf(title, sizeof title, "%s %s: %s%s%s%s", kind[0] == 'c' ? "Client" : "Pool", ent,
             mi->name, *mi->unit ? " (" : "", mi->unit, *mi->unit ? ")" : "");
    rw_heading(d, 3, NULL, title);
    rw_table_begin(d, nc, hdr, align);
    for (int p = 0; p < npts; p++) {
        rd_stat s, df;
        const char *cells[MAX_VARY + 6];
        double num;
        int c = 0;
        for (int v = 0; v < nv; v++, c++)
            rd_sweep_value(rd, p, vary[v], &num, cell[c], sizeof cell[c]);
        if (rd_sweep_stat(rd, p, 0, kind, ent, mi->name, &s) != 0)
            s = (rd_stat){NAN, NAN, NAN, NAN, NAN};
        report_stat(&s, cell[c], sizeof cell[c], cell[c + 1], sizeof cell[c + 1]);
        c += 2;
        if (p == base) {
            snprintf(cell[c++], sizeof cell[0], "baseline");
            snprintf(cell[c++], sizeof cell[0], "%s", "");
        } else if (rd_sweep_stat(rd, p, 1, kind, ent, mi->name, &df) == 0) {
            report_stat(&df, cell[c], sizeof cell[c], cell[c + 1], sizeof cell[c + 1]);
            c += 2;
        } else {
            snprintf(cell[c++], sizeof cell[0], "n/a");
            snprintf(cell[c++], sizeof cell[0], "n/a");
        }
        const char *href_p = links ? point_link(rd, p, href, sizeof href) : NULL;
        const char *dir = rd_sweep_dir(rd, p);
        snprintf(cell[c++], sizeof cell[0], "%s", dir ? dir : "");
        for (int i = 0; i < c; i++)
            cells[i] = cell[i];
        if (href_p)
            rw_table_row_link(d, cells, c - 1, href_p);
        else
            rw_table_row(d, cells, NULL, -1);
    }
    rw_table_end(d);
}

/* "Best by OBJECTIVE: ..." from sweep.json's ranking (a list of point indexes). */
static void ranking(rw_doc *d, const rd_run *rd, const char **vary, int nv)
{
    const char *ent = rd_str(rd, SW, "objective.entity"), *m = rd_str(rd, SW, "objective.metric");
    const char *goal = rd_str(rd, SW, "objective.goal");
    int n = rd_count(rd, SW, "ranking");
    if (!ent || !m || n == 0)
        return;
    char buf[2048], txt[128];
    double num;
    snprintf(buf, sizeof buf, "Points ranked by %s %s (%s is better), best first:", ent, m,
             goal && !strcmp(goal, "min") ? "lower" : "higher");
    for (int i = 0; i < n && i < 5; i++) {
        int p = rd_int(rd, SW, -1, "ranking.%d", i);
        size_t used = strlen(buf);
        snprintf(buf + used, sizeof buf - used, "%s point %d (", i ? ";" : "", p);
        for (int v = 0; v < nv; v++) {
            const char *dot = strrchr(vary[v], '.');
            rd_sweep_value(rd, p, vary[v], &num, txt, sizeof txt);
            used = strlen(buf);
            snprintf(buf + used, sizeof buf - used, "%s%s=%s", v ? ", " : "", dot ? dot + 1 : vary[v],
                     txt);
        }
        used = strlen(buf);
        snprintf(buf + used, sizeof buf - used, ")");
    }
    rw_para(d, "%s%s", buf, n > 5 ? "; ..." : ".");
}

/* ---- several objectives: the confident ranks ------------------------------------- */

#define MAX_OBJ 16

/* Position in sweep.json's "points" of the point with index I, or -1. */
static int point_pos(const rd_run *rd, int i)
{
    for (int p = 0; p < rd_sweep_count(rd); p++)
        if (rd_int_of(rd_sweep_index(rd, p, -1), -1) == i)
            return p;
    return -1;
}

/* "R +" for point I on objective K: its confident rank and verdict. */
static void rank_cell(const rd_run *rd, int k, int i, char *buf, size_t n)
{
    snprintf(buf, n, "-");
    for (int r = 0; r < rd_count(rd, SW, "objectives.%d.points", k); r++) {
        if (rd_int(rd, SW, -1, "objectives.%d.points.%d.index", k, r) != i)
            continue;
        double cr = rd_num(rd, SW, NAN, "objectives.%d.points.%d.confident_rank", k, r);
        const char *v = rd_str(rd, SW, "objectives.%d.points.%d.vs_baseline", k, r);
        const char *mark = !v ? "" : !strcmp(v, "better") ? " +" : !strcmp(v, "worse") ? " -"
                                   : !strcmp(v, "baseline") ? " =" : "";
        if (isfinite(cr))
            snprintf(buf, n, "%.0f%s", cr, mark);
        return;
    }
}

static int on_front(const rd_run *rd, int i)
{
    for (int f = 0; f < rd_count(rd, SW, "front"); f++)
        if (rd_int(rd, SW, -1, "front.%d", f) == i)
            return 1;
    return 0;
}

/* With several --objective: every point's confident rank on each (sweep.json
 * "objectives", "front"), in the order of the first objective. */
static void objectives_table(rw_doc *d, const rd_run *rd, const char **vary, int nv)
{
    int no = rd_count(rd, SW, "objectives");
    if (no < 2 || !rd_count(rd, SW, "front"))
        return;
    no = no < MAX_OBJ ? no : MAX_OBJ;
    const char *hdr[MAX_VARY + MAX_OBJ + 2];
    char cell[MAX_VARY + MAX_OBJ + 2][160], align[MAX_VARY + MAX_OBJ + 3];
    int nc = 0;
    hdr[nc] = "point", align[nc++] = 'l';
    for (int v = 0; v < nv; v++) {
        const char *dot = strrchr(vary[v], '.');
        hdr[nc] = dot ? dot + 1 : vary[v], align[nc++] = 'l';
    }
    for (int k = 0; k < no; k++) {
        const char *m = rd_str(rd, SW, "objectives.%d.metric", k);
        hdr[nc] = m ? m : "?", align[nc++] = 'r';
    }
    hdr[nc] = "front", align[nc++] = 'l';
    align[nc] = '\0';
    rw_heading(d, 3, NULL, "Ranks on every objective");
    rw_para(d, "Confident rank: 1 + the number of points better with 95%% confidence (the paired "
               "95%% CI of the difference excludes 0), so points that cannot be told apart share a "
               "rank; + better, - worse than the baseline with 95%% confidence, = the baseline. "
               "Front: no other point is better with confidence on one objective and worse on none.");
    rw_table_begin(d, nc, hdr, align);
    for (int r = 0; r < rd_count(rd, SW, "objectives.0.points"); r++) {
        int i = rd_int(rd, SW, -1, "objectives.0.points.%d.index", r), p = point_pos(rd, i), c = 0;
        const char *cells[MAX_VARY + MAX_OBJ + 2], *dir = rd_sweep_dir(rd, p);
        double num;
        snprintf(cell[c++], sizeof cell[0], "%s", dir ? dir : "?");
        for (int v = 0; v < nv; v++, c++)
            rd_sweep_value(rd, p, vary[v], &num, cell[c], sizeof cell[c]);
        for (int k = 0; k < no; k++, c++)
            rank_cell(rd, k, i, cell[c], sizeof cell[c]);
        snprintf(cell[c++], sizeof cell[0], "%s", on_front(rd, i) ? "yes" : "");
        for (int x = 0; x < c; x++)
            cells[x] = cell[x];
        rw_table_row(d, cells, NULL, -1);
    }
    rw_table_end(d);
}

/* 1 if some point has a value (a finite mean) of METRIC of ENT. */
static int any_value(const rd_run *rd, const char *kind, const char *ent, const char *metric)
{
    rd_stat st;
    for (int p = 0; p < rd_sweep_count(rd); p++)
        if (rd_sweep_stat(rd, p, 0, kind, ent, metric, &st) == 0 && isfinite(st.mean))
            return 1;
    return 0;
}

void report_sweep_grid(rw_doc *d, const rd_run *rd, int links)
{
    const char *vary[MAX_VARY];
    char vals[1024];
    int nv = 0, npts = rd_sweep_count(rd);
    for (int v = 0; v < rd_count(rd, SW, "vary") && nv < MAX_VARY; v++)
        if ((vary[nv] = rd_str(rd, SW, "vary.%d", v)))
            nv++;
    int base = rd_int(rd, SW, 0, "baseline"), total = rd_int(rd, SW, npts, "points_total");
    char count[64];
    if (total > npts) /* interrupted, or points failed: the values below are those with results */
        snprintf(count, sizeof count, "%d of the %d grid points have results", npts, total);
    else
        snprintf(count, sizeof count, "%d grid points", npts);
    rw_para(d, "%s (the cartesian product of the values below). Every point uses the "
               "same seeds (common random numbers), so the difference of a point from the "
               "baseline point %d is a paired comparison with its own, tighter, 95%% CI.", count,
            base);
    rw_list_begin(d);
    for (int v = 0; v < nv; v++) {
        vary_values(rd, vary[v], npts, vals, sizeof vals);
        rw_item2(d, vary[v], vals);
    }
    rw_list_end(d);
    int failed = rd_count(rd, SW, "failed_points");
    if (failed)
        rw_box(d, "warning", failed == 1 ? "1 grid point failed or was not written: it is not in "
                                           "the tables (failed_points in sweep.json says why)."
                                         : "Some grid points failed or were not written: they are "
                                           "not in the tables (failed_points in sweep.json says why).");
    ranking(d, rd, vary, nv);
    objectives_table(d, rd, vary, nv);
    static const char *const kinds[2] = {"pools", "clients"};
    char none[1024] = ""; /* tables left out: no point has a value */
    for (int i = 0; metric_at(i); i++) {
        const metric_info *mi = metric_at(i);
        if (!mi->headline)
            continue;
        const char *kind = kinds[mi->client];
        rd_stat st;
        for (int e = 0; rd_sweep_entity(rd, kind, e); e++) {
            const char *ent = rd_sweep_entity(rd, kind, e);
            if (rd_sweep_stat(rd, 0, 0, kind, ent, mi->name, &st) != 0)
                continue;
            if (any_value(rd, kind, ent, mi->name)) {
                metric_grid(d, rd, vary, nv, kind, ent, mi, links);
            } else {
                size_t used = strlen(none);
                snprintf(none + used, sizeof none - used, "%s%s %s %s", *none ? ", " : "",
                         mi->client ? "client" : "pool", ent, mi->name);
            }
        }
    }
    if (*none)
        rw_para(d, "No table for %s: no point has a value (a breaker metric without a breaker, say).", none);
    rw_para(d, "Every metric of every point is in sweep.json and sweep.csv.");
}
