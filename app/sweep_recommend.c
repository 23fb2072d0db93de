/* sweep_recommend.c - the setting that meets every SLO at the least extra
 * load (see sweep_recommend.h). */
#include "app/sweep_recommend.h"
#include "app/slo.h"
#include "models/metrics.h"
#include "sim/stat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int caller_col(const srec_point *p, int c, int m)
{
    return p->sc->npools * PM_COUNT + c * CM_COUNT + m;
}

static stat_summary col_stat(const srec_point *p, int col)
{
    return stat_summarize(p->m + col, (size_t)p->ncols, p->nrec);
}

static const char *judge(stat_summary s, double target, int at_least)
{
    if (!(s.n > 0) || !isfinite(s.mean))
        return SLO_UNDEFINED;
    double lo = isfinite(s.lo) ? s.lo : s.mean, hi = isfinite(s.hi) ? s.hi : s.mean;
    if (at_least)
        return lo >= target ? SLO_MET : hi < target ? SLO_MISSED : SLO_INCONCLUSIVE;
    return hi <= target ? SLO_MET : lo > target ? SLO_MISSED : SLO_INCONCLUSIVE;
}

/* Every objective of P's SLOs met?  *MISSED counts objectives missed. */
static int all_met(const srec_point *p, int *missed)
{
    static const int lat[SLO_NLAT] = {CM_LATENCY_P50, CM_LATENCY_P99, CM_LATENCY_P999};
    int ok = 1;
    *missed = 0;
    for (int k = 0; k < p->sc->nslos; k++) {
        const slo_cfg *s = &p->sc->slos[k];
        if (s->success > 0) {
            const char *v = judge(col_stat(p, caller_col(p, s->client, CM_REQUEST_SUCCESS)), s->success, 1);
            ok &= !strcmp(v, SLO_MET);
            *missed += !strcmp(v, SLO_MISSED);
        }
        for (int q = 0; q < SLO_NLAT; q++)
            if (s->latency[q] > 0) {
                const char *v = judge(col_stat(p, caller_col(p, s->client, lat[q])), s->latency[q], 0);
                ok &= !strcmp(v, SLO_MET);
                *missed += !strcmp(v, SLO_MISSED);
            }
    }
    return ok;
}

/* Per replication: extra attempts per request over the SLOs' clients,
 * weighted by their requests; and their success, the same way.  OUT gets
 * nrec values of each. */
static void per_rep(const srec_point *p, double *extra, double *succ)
{
    for (int i = 0; i < p->nrec; i++) {
        const double *row = p->m + (size_t)i * p->ncols;
        double w = 0, e = 0, s = 0;
        for (int c = 0; c < p->sc->nclients; c++) {
            int used = 0;
            for (int k = 0; k < p->sc->nslos; k++)
                used |= p->sc->slos[k].client == c;
            double n = row[caller_col(p, c, CM_REQUESTS)], a = row[caller_col(p, c, CM_ATTEMPTS_PER_REQUEST)],
                   ok = row[caller_col(p, c, CM_REQUEST_SUCCESS)];
            if (!used || !(n > 0) || !isfinite(a) || !isfinite(ok))
                continue;
            w += n;
            e += n * (a - 1);
            s += n * ok;
        }
        extra[i] = w > 0 ? e / w : NAN;
        succ[i] = w > 0 ? s / w : NAN;
    }
}

typedef struct {
    int ok, missed;
    stat_summary extra, succ;
} srec_eval;

static int evaluate(const srec_point *pts, int n, srec_eval *ev)
{
    for (int i = 0; i < n; i++) {
        memset(&ev[i], 0, sizeof ev[i]);
        ev[i].extra = ev[i].succ = (stat_summary){NAN, NAN, NAN, NAN, 0};
        if (!pts[i].ran || pts[i].nrec < 1)
            continue;
        double *x = malloc(2 * (size_t)pts[i].nrec * sizeof *x);
        if (!x)
            return -1;
        per_rep(&pts[i], x, x + pts[i].nrec);
        ev[i].extra = stat_summarize(x, 1, pts[i].nrec);
        ev[i].succ = stat_summarize(x + pts[i].nrec, 1, pts[i].nrec);
        free(x);
        ev[i].ok = all_met(&pts[i], &ev[i].missed);
    }
    return 0;
}

/* The cheapest qualifying point, or -1. */
static int pick(const srec_eval *ev, int n)
{
    int best = -1;
    for (int i = 0; i < n; i++)
        if (ev[i].ok && (best < 0 || ev[i].extra.mean < ev[best].extra.mean - 1e-12 ||
                         (fabs(ev[i].extra.mean - ev[best].extra.mean) <= 1e-12 &&
                          ev[i].succ.mean > ev[best].succ.mean)))
            best = i; /* ties in cost: the higher success */
    return best;
}

/* Paired B - A of the per-replication series F (extra or success). */
static stat_summary paired(const srec_point *a, const srec_point *b, int which)
{
    int n = a->nrec < b->nrec ? a->nrec : b->nrec;
    stat_summary r = {NAN, NAN, NAN, NAN, 0};
    double *x = malloc(4 * (size_t)(n > 0 ? n : 1) * sizeof *x);
    if (!x || n < 1) {
        free(x);
        return r;
    }
    double *ea = x, *sa = x + n, *eb = x + 2 * n, *sb = x + 3 * n;
    double *ta = malloc(2 * (size_t)a->nrec * sizeof *ta), *tb = malloc(2 * (size_t)b->nrec * sizeof *tb);
    if (ta && tb) {
        per_rep(a, ta, ta + a->nrec);
        per_rep(b, tb, tb + b->nrec);
        memcpy(ea, ta, (size_t)n * sizeof *ea);
        memcpy(sa, ta + a->nrec, (size_t)n * sizeof *sa);
        memcpy(eb, tb, (size_t)n * sizeof *eb);
        memcpy(sb, tb + b->nrec, (size_t)n * sizeof *sb);
        r = which ? stat_paired(sa, sb, 1, n) : stat_paired(ea, eb, 1, n);
    }
    free(ta);
    free(tb);
    free(x);
    return r;
}

static cJSON *stat_obj(stat_summary s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "mean", isfinite(s.mean) ? cJSON_CreateNumber(s.mean) : cJSON_CreateNull());
    cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
    cJSON_AddItemToArray(ci, isfinite(s.lo) ? cJSON_CreateNumber(s.lo) : cJSON_CreateNull());
    cJSON_AddItemToArray(ci, isfinite(s.hi) ? cJSON_CreateNumber(s.hi) : cJSON_CreateNull());
    return o;
}

cJSON *srec_json(const srec_point *pts, int n, int baseline)
{
    if (n < 1 || !pts[0].sc || pts[0].sc->nslos == 0)
        return NULL;
    srec_eval *ev = calloc((size_t)n, sizeof *ev);
    if (!ev || evaluate(pts, n, ev)) {
        free(ev);
        return NULL;
    }
    cJSON *o = cJSON_CreateObject();
    int best = pick(ev, n);
    cJSON_AddStringToObject(o, "rule", "meets every SLO objective with 95% confidence, then the "
                                       "fewest extra attempts per request");
    cJSON_AddStringToObject(o, "cost", "extra_attempts_per_request");
    cJSON *meet = cJSON_AddArrayToObject(o, "meeting");
    for (int i = 0; i < n; i++)
        if (ev[i].ok)
            cJSON_AddItemToArray(meet, cJSON_CreateNumber(i));
    cJSON_AddItemToObject(o, "recommended", best >= 0 ? cJSON_CreateNumber(best) : cJSON_CreateNull());
    if (best >= 0 && baseline >= 0 && baseline < n && pts[baseline].ran) {
        cJSON *vs = cJSON_AddObjectToObject(o, "vs_baseline");
        cJSON_AddItemToObject(vs, "request_success", stat_obj(paired(&pts[baseline], &pts[best], 1)));
        cJSON_AddItemToObject(vs, "extra_attempts_per_request", stat_obj(paired(&pts[baseline], &pts[best], 0)));
    }
    cJSON *arr = cJSON_AddArrayToObject(o, "points");
    for (int i = 0; i < n; i++) {
        if (!pts[i].ran)
            continue;
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "point", i);
        cJSON_AddStringToObject(p, "dir", pts[i].dir);
        cJSON_AddBoolToObject(p, "meets_every_slo", ev[i].ok);
        cJSON_AddNumberToObject(p, "objectives_missed", ev[i].missed);
        cJSON_AddItemToObject(p, "request_success", stat_obj(ev[i].succ));
        cJSON_AddItemToObject(p, "extra_attempts_per_request", stat_obj(ev[i].extra));
        cJSON_AddItemToArray(arr, p);
    }
    free(ev);
    return o;
}

static void values_text(const cJSON *v, char *buf, size_t n)
{
    char *t = v ? cJSON_PrintUnformatted(v) : NULL;
    snprintf(buf, n, "%s", t ? t : "{}");
    cJSON_free(t);
}

void srec_print(FILE *out, const srec_point *pts, int n, int baseline)
{
    if (n < 1 || !pts[0].sc || pts[0].sc->nslos == 0)
        return;
    srec_eval *ev = calloc((size_t)n, sizeof *ev);
    if (!ev || evaluate(pts, n, ev)) {
        free(ev);
        return;
    }
    int best = pick(ev, n), nok = 0;
    char v[600];
    for (int i = 0; i < n; i++)
        nok += ev[i].ok;
    fprintf(out, "\nRecommendation (the scenario's SLOs):\n");
    if (best < 0) {
        int close = -1;
        for (int i = 0; i < n; i++)
            if (pts[i].ran && (close < 0 || ev[i].missed < ev[close].missed ||
                               (ev[i].missed == ev[close].missed && ev[i].succ.mean > ev[close].succ.mean)))
                close = i;
        fprintf(out, "  no setting meets every SLO with 95%% confidence");
        if (close >= 0) {
            values_text(pts[close].values, v, sizeof v);
            fprintf(out, "; closest: %s %s (%d objective%s missed, success %.6g)", pts[close].dir, v,
                    ev[close].missed, ev[close].missed == 1 ? "" : "s", ev[close].succ.mean);
        }
        fprintf(out, ".\n");
        free(ev);
        return;
    }
    values_text(pts[best].values, v, sizeof v);
    fprintf(out, "  %d of %d setting%s meet every SLO with 95%% confidence; the cheapest is %s %s:\n"
                 "  %.4g extra attempts per request (retries and hedges), success %.6g",
            nok, n, n == 1 ? "" : "s", pts[best].dir, v, ev[best].extra.mean, ev[best].succ.mean);
    if (baseline >= 0 && baseline < n && pts[baseline].ran && best != baseline) {
        stat_summary ds = paired(&pts[baseline], &pts[best], 1), de = paired(&pts[baseline], &pts[best], 0);
        fprintf(out, ".\n  Against the baseline %s (paired 95%% CIs): success %+.4g [%+.4g, %+.4g], "
                     "extra attempts per request %+.4g [%+.4g, %+.4g]",
                pts[baseline].dir, ds.mean, ds.lo, ds.hi, de.mean, de.lo, de.hi);
    } else if (best == baseline) {
        fprintf(out, " (it is the baseline)");
    }
    fprintf(out, ".\n");
    free(ev);
}
