/* sweep_recommend.c - the setting that meets every SLO at the least extra
 * load (see sweep_recommend.h). */
#include "app/sweep_recommend.h"
#include "app/slo.h"
#include "models/metrics.h"
#include "sim/stat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int caller_col(const scenario *sc, int c, int m)
{
    return sc->npools * PM_COUNT + c * CM_COUNT + m;
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

void srec_judge(const scenario *sc, const stat_summary *col, srec_stats *st)
{
    static const int lat[SLO_NLAT] = {CM_LATENCY_P50, CM_LATENCY_P99, CM_LATENCY_P999};
    st->ok = 1;
    st->missed = 0;
    for (int k = 0; k < sc->nslos; k++) {
        const slo_cfg *s = &sc->slos[k];
        if (s->success > 0) {
            const char *v = judge(col[caller_col(sc, s->client, CM_REQUEST_SUCCESS)], s->success, 1);
            st->ok &= !strcmp(v, SLO_MET);
            st->missed += !strcmp(v, SLO_MISSED);
        }
        for (int q = 0; q < SLO_NLAT; q++)
            if (s->latency[q] > 0) {
                const char *v = judge(col[caller_col(sc, s->client, lat[q])], s->latency[q], 0);
                st->ok &= !strcmp(v, SLO_MET);
                st->missed += !strcmp(v, SLO_MISSED);
            }
    }
}

void srec_rep(const scenario *sc, const double *row, double *extra, double *succ)
{
    double w = 0, e = 0, s = 0;
    for (int c = 0; c < sc->nclients; c++) {
        int used = 0;
        for (int k = 0; k < sc->nslos; k++)
            used |= sc->slos[k].client == c;
        double n = row[caller_col(sc, c, CM_REQUESTS)], a = row[caller_col(sc, c, CM_ATTEMPTS_PER_REQUEST)],
               ok = row[caller_col(sc, c, CM_REQUEST_SUCCESS)];
        if (!used || !(n > 0) || !isfinite(a) || !isfinite(ok))
            continue;
        w += n;
        e += n * (a - 1);
        s += n * ok;
    }
    *extra = w > 0 ? e / w : NAN;
    *succ = w > 0 ? s / w : NAN;
}

typedef struct {
    int ok, missed;
    stat_summary extra, succ;
} srec_eval;

static void evaluate(const srec_point *pts, int n, srec_eval *ev)
{
    for (int i = 0; i < n; i++) {
        memset(&ev[i], 0, sizeof ev[i]);
        ev[i].extra = ev[i].succ = (stat_summary){NAN, NAN, NAN, NAN, 0};
        if (!pts[i].ran)
            continue;
        ev[i].extra = pts[i].st.extra;
        ev[i].succ = pts[i].st.succ;
        ev[i].ok = pts[i].st.ok;
        ev[i].missed = pts[i].st.missed;
    }
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
    if (n < 1 || !pts[0].has_slos)
        return NULL;
    srec_eval *ev = calloc((size_t)n, sizeof *ev);
    if (!ev)
        return NULL;
    evaluate(pts, n, ev);
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
        cJSON_AddItemToObject(vs, "request_success", stat_obj(pts[best].st.dsucc));
        cJSON_AddItemToObject(vs, "extra_attempts_per_request", stat_obj(pts[best].st.dextra));
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
    if (n < 1 || !pts[0].has_slos)
        return;
    srec_eval *ev = calloc((size_t)n, sizeof *ev);
    if (!ev)
        return;
    evaluate(pts, n, ev);
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
        stat_summary ds = pts[best].st.dsucc, de = pts[best].st.dextra;
        fprintf(out, ".\n  Against the baseline %s (paired 95%% CIs): success %+.4g [%+.4g, %+.4g], "
                     "extra attempts per request %+.4g [%+.4g, %+.4g]",
                pts[baseline].dir, ds.mean, ds.lo, ds.hi, de.mean, de.lo, de.hi);
    } else if (best == baseline) {
        fprintf(out, " (it is the baseline)");
    }
    fprintf(out, ".\n");
    free(ev);
}
