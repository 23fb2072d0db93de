/* slo.c - SLO verdicts and error-budget burn (see slo.h). */
#include "app/slo.h"
#include "app/results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *verdict_of(stat_summary s, double target, int at_least)
{
    if (!(s.n > 0) || !isfinite(s.mean))
        return SLO_UNDEFINED;
    double lo = isfinite(s.lo) ? s.lo : s.mean, hi = isfinite(s.hi) ? s.hi : s.mean;
    if (at_least)
        return lo >= target ? SLO_MET : hi < target ? SLO_MISSED : SLO_INCONCLUSIVE;
    return hi <= target ? SLO_MET : lo > target ? SLO_MISSED : SLO_INCONCLUSIVE;
}

static slo_item *push(slo_list *l, int *cap)
{
    if (l->n == *cap) {
        int c = *cap ? 2 * *cap : 8;
        slo_item *p = realloc(l->items, (size_t)c * sizeof *p);
        if (!p)
            return NULL;
        l->items = p;
        *cap = c;
    }
    slo_item *it = &l->items[l->n++];
    memset(it, 0, sizeof *it);
    it->burn = (stat_summary){NAN, NAN, NAN, NAN, 0};
    return it;
}

int slo_evaluate(const exec_result *r, slo_list *out)
{
    static const int lat_metric[SLO_NLAT] = {CM_LATENCY_P50, CM_LATENCY_P99, CM_LATENCY_P999};
    const scenario *sc = r->sc;
    int cap = 0;
    memset(out, 0, sizeof *out);
    for (int k = 0; k < sc->nslos; k++) {
        const slo_cfg *s = &sc->slos[k];
        if (s->success > 0) {
            slo_item *it = push(out, &cap);
            if (!it)
                return -1;
            *it = (slo_item){.slo = k, .client = s->client, .target = s->success, .at_least = 1};
            snprintf(it->objective, sizeof it->objective, "request_success");
            snprintf(it->text, sizeof it->text, "request_success >= %g", s->success);
            it->observed = results_caller_stat(r, s->client, CM_REQUEST_SUCCESS);
            it->verdict = verdict_of(it->observed, s->success, 1);
            /* burn = (1 - success) / (1 - target): the CI maps through the linear map */
            double b = 1 - s->success;
            it->burn = (stat_summary){(1 - it->observed.mean) / b, (1 - it->observed.hi) / b,
                                      (1 - it->observed.lo) / b, it->observed.sd / b, it->observed.n};
        }
        for (int q = 0; q < SLO_NLAT; q++) {
            if (!(s->latency[q] > 0))
                continue;
            slo_item *it = push(out, &cap);
            if (!it)
                return -1;
            *it = (slo_item){.slo = k, .client = s->client, .target = s->latency[q], .at_least = 0};
            it->burn = (stat_summary){NAN, NAN, NAN, NAN, 0};
            snprintf(it->objective, sizeof it->objective, "%s", cm_names[lat_metric[q]]);
            snprintf(it->text, sizeof it->text, "%s <= %g s", cm_names[lat_metric[q]], s->latency[q]);
            it->observed = results_caller_stat(r, s->client, lat_metric[q]);
            it->verdict = verdict_of(it->observed, s->latency[q], 0);
        }
    }
    return 0;
}

void slo_list_free(slo_list *l)
{
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* Mean over the finished replications of time-series column COL in bin B. */
static double bin_mean(const exec_result *r, int b, size_t col)
{
    return exec_ts_mean(r, b, col);
}

void slo_write_burn(FILE *f, const exec_result *r)
{
    const scenario *sc = r->sc;
    fputs("t_start,t_end,slo,client,burn_rate,budget_spent\n", f);
    for (int k = 0; k < sc->nslos; k++) {
        const slo_cfg *s = &sc->slos[k];
        if (!(s->success > 0))
            continue;
        size_t base = (size_t)sc->npools * TSP_COUNT + (size_t)s->client * TSC_COUNT;
        double allowed = 1 - s->success, failed = 0, ended = 0, span = 0;
        /* the window's budget: allowed x the requests a window holds at the observed rate */
        for (int b = 0; b < r->L.nbins; b++) {
            double t0 = b * r->L.bin, t1 = fmin((b + 1) * r->L.bin, sc->horizon);
            if (t0 >= sc->warmup && t1 > t0) {
                ended += bin_mean(r, b, base + TSC_ENDED);
                span += t1 - t0;
            }
        }
        double budget = span > 0 ? allowed * ended / span * s->window : NAN;
        for (int b = 0; b < r->L.nbins; b++) {
            double t0 = b * r->L.bin, t1 = fmin((b + 1) * r->L.bin, sc->horizon);
            if (t0 < sc->warmup || t1 <= t0)
                continue;
            double e = bin_mean(r, b, base + TSC_ENDED), ok = bin_mean(r, b, base + TSC_SUCCESSES);
            double burn = e > 0 ? (1 - ok / e) / allowed : NAN;
            if (e > 0)
                failed += e - ok;
            char a[32], c[32];
            results_fmt(a, sizeof a, burn);
            results_fmt(c, sizeof c, budget > 0 ? failed / budget : NAN);
            fprintf(f, "%.10g,%.10g,%d,%s,%s,%s\n", t0, t1, k, sc->clients[s->client].name, a, c);
        }
    }
}
