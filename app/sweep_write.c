/* sweep_write.c - a sweep's files (app/sweep_write.h). */
#include "app/sweep_write.h"
#include "app/findings.h"
#include "app/modelcheck.h"
#include "app/results.h"
#include "app/slo.h"
#include "app/sweep_json.h"
#include "app/sweep_spill.h"
#include "app/sweep_stats.h"
#include "util/fsutil.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OUTDIR/pNNN/ with the `run` writer (results.json, CSVs, data/, scenario.json). */
int swwrite_point_dir(const sweep *s, const sw_point *pt, const exec_result *r)
{
    char dir[4200];
    mc_list mc = {0};
    slo_list slos = {0};
    fd_list fd = {0};
    int mc_ok = r->nrec > 0 && modelcheck_run(r, &mc) == 0;
    int fd_ok = slo_evaluate(r, &slos) == 0 && fd_build(r, mc_ok ? &mc : NULL, &slos, &fd) == 0;
    results_meta meta = {.file = s->o.scenario, .effective_json = pt->effective,
                         .complete = pt->status == WORLD_DONE, .stop_reason = pt->stop_reason,
                         .requested = pt->sc.replications, .precision = s->o.precision,
                         .slos = fd_ok ? &slos : NULL, .findings = fd_ok ? &fd : NULL};
    snprintf(dir, sizeof dir, "%s/%s", s->out, pt->dir);
    int rc = results_write_dir(dir, r, mc_ok ? &mc : NULL, &meta);
    if (rc)
        fprintf(stderr, "relsim sweep: %s: %s\n", dir, strerror(errno));
    mc_list_free(&mc);
    slo_list_free(&slos);
    fd_list_free(&fd);
    return rc;
}

/* ---- sweep.csv ------------------------------------------------------------------- */

/* One CSV field: quoted when it holds a comma, quote or newline. */
static void csv_field(FILE *f, const char *t)
{
    if (!strpbrk(t, ",\"\n\r")) {
        fputs(t, f);
        return;
    }
    fputc('"', f);
    for (; *t; t++) {
        if (*t == '"')
            fputc('"', f);
        fputc(*t, f);
    }
    fputc('"', f);
}

static void csv_value(FILE *f, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        csv_field(f, v->valuestring);
        return;
    }
    char *t = v ? cJSON_PrintUnformatted(v) : NULL;
    csv_field(f, t ? t : "");
    cJSON_free(t);
}

static void csv_num(FILE *f, double v)
{
    char b[32];
    results_fmt(b, sizeof b, v);
    fprintf(f, ",%s", b);
}

/* Is (IS_POOL, METRIC) among the first N pairs? */
static int csv_has(const int *isp, const int *met, int n, int is_pool, int metric)
{
    for (int k = 0; k < n; k++)
        if (isp[k] == is_pool && met[k] == metric)
            return 1;
    return 0;
}

/* The headline (is_pool, metric) pairs: the fixed ones plus the objectives'. */
static int csv_metrics(const sweep *s, int *isp, int *met)
{
    int n = 0;
    for (int m = 0; m < PM_COUNT; m++)
        if (pm_defs[m].flags & MF_SWEEP)
            isp[n] = 1, met[n] = m, n++;
    for (int m = 0; m < CM_COUNT; m++)
        if (cm_defs[m].flags & MF_SWEEP)
            isp[n] = 0, met[n] = m, n++;
    for (int k = 0; k < s->nobjs; k++)
        if (!csv_has(isp, met, n, s->objs[k].is_pool, s->objs[k].metric))
            isp[n] = s->objs[k].is_pool, met[n] = s->objs[k].metric, n++;
    return n;
}

static void csv_header(FILE *f, const sweep *s, const int *isp, const int *met, int nm)
{
    const scenario *sc = &s->pts[0].sc;
    static const char *const suffix[] = {"mean", "ci95_low", "ci95_high", "diff_mean", "diff_low", "diff_high"};
    for (int a = 0; a < s->naxes; a++) {
        fputs(a ? "," : "", f);
        csv_field(f, s->axes[a].path);
    }
    for (int k = 0; k < nm; k++)
        for (int e = 0; e < (isp[k] ? sc->npools : sc->nclients); e++)
            for (int x = 0; x < 6; x++)
                fprintf(f, ",%s.%s.%s.%s", isp[k] ? "pool" : "client",
                        isp[k] ? sc->pools[e].name : sc->clients[e].name,
                        isp[k] ? pm_names[met[k]] : cm_names[met[k]], suffix[x]);
    fputc('\n', f);
}

static void csv_row(FILE *f, const sweep *s, const sw_point *pt, const int *isp, const int *met, int nm)
{
    const sw_point *b = &s->pts[s->baseline];
    int cmp = swstat_comparable(b, pt);
    for (int a = 0; a < s->naxes; a++) {
        fputs(a ? "," : "", f);
        csv_value(f, cJSON_GetObjectItemCaseSensitive(pt->values, s->axes[a].path));
    }
    for (int k = 0; k < nm; k++)
        for (int e = 0; e < (isp[k] ? s->pts[0].sc.npools : s->pts[0].sc.nclients); e++) {
            int col = isp[k] ? sweep_col_pool(pt, e, met[k]) : sweep_col_caller(pt, e, met[k]);
            stat_summary st = swstat_col(pt, col);
            stat_summary d = cmp ? swstat_diff(b, pt, col).paired : (stat_summary){NAN, NAN, NAN, NAN, 0};
            csv_num(f, st.mean), csv_num(f, st.lo), csv_num(f, st.hi);
            csv_num(f, d.mean), csv_num(f, d.lo), csv_num(f, d.hi);
        }
    fputc('\n', f);
}

char *swwrite_csv_row(const sweep *s, const sw_point *pt)
{
    int isp[PM_COUNT + CM_COUNT + 1], met[PM_COUNT + CM_COUNT + 1], nm = csv_metrics(s, isp, met);
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    csv_row(f, s, pt, isp, met, nm);
    if (fclose(f)) {
        free(text);
        return NULL;
    }
    return text;
}

int swwrite_csv(const sweep *s)
{
    char path[4200];
    int isp[PM_COUNT + CM_COUNT + 1], met[PM_COUNT + CM_COUNT + 1], nm = csv_metrics(s, isp, met), rc = 0;
    fs_atomic a;
    snprintf(path, sizeof path, "%s/sweep.csv", s->out);
    if (fs_open_atomic(&a, path))
        return -1;
    csv_header(a.f, s, isp, met, nm);
    for (int i = 0; i < s->npts && rc == 0; i++)
        if (s->pts[i].ran && s->pts[i].csv_len)
            rc = swspill_copy(s, &s->pts[i], 1, a.f); /* the row printed when the point ended */
    if (rc) {
        int e = errno;
        fs_abort_atomic(&a);
        errno = e;
        return -1;
    }
    return fs_commit_atomic(&a);
}

/* ---- sweep.json ------------------------------------------------------------------ */

int swwrite_json(const sweep *s)
{
    char path[4200];
    fs_atomic a;
    snprintf(path, sizeof path, "%s/sweep.json", s->out);
    if (fs_open_atomic(&a, path))
        return -1;
    if (swjson_write(a.f, s)) {
        fs_abort_atomic(&a);
        return -1;
    }
    return fs_commit_atomic(&a);
}
