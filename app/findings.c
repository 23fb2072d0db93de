/* findings.c - the conclusions of a run, from its results (see findings.h). */
#include "app/findings.h"
#include "app/results.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 4, 5))) static int add(fd_list *l, const char *kind, int bad,
                                                     const char *fmt, ...)
{
    if (l->n == l->cap) {
        int c = l->cap ? 2 * l->cap : 8;
        fd_item *p = realloc(l->items, (size_t)c * sizeof *p);
        if (!p)
            return -1;
        l->items = p;
        l->cap = c;
    }
    char buf[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fd_item *it = &l->items[l->n];
    snprintf(it->kind, sizeof it->kind, "%s", kind);
    it->bad = bad;
    if (!(it->text = strdup(buf)))
        return -1;
    l->n++;
    return 0;
}

/* "[0.9951, 0.9973]" or "(one replication, no CI)" */
static const char *ci_text(stat_summary s, char *buf, size_t n)
{
    if (isfinite(s.lo))
        snprintf(buf, n, "95%% CI [%.6g, %.6g]", s.lo, s.hi);
    else
        snprintf(buf, n, "no CI (fewer than 2 replications)");
    return buf;
}

static int slo_findings(const exec_result *r, const slo_list *sl, fd_list *l)
{
    const scenario *sc = r->sc;
    char ci[96], bci[96];
    if (!sl || sl->n == 0)
        return add(l, "note", 0, "No SLO is set: add \"slos\" to the scenario (docs/SCENARIO.md) to "
                                 "get met / missed verdicts and the error-budget burn.");
    for (int i = 0; i < sl->n; i++) {
        const slo_item *it = &sl->items[i];
        const char *who = sc->clients[it->client].name;
        int bad = strcmp(it->verdict, SLO_MET) != 0;
        const char *what = !strcmp(it->verdict, SLO_INCONCLUSIVE)
                               ? " (the CI straddles the target: more replications may decide)"
                               : "";
        if (isfinite(it->burn.mean) && it->burn.mean > 0) {
            double w = sc->slos[it->slo].window;
            if (add(l, "slo", bad,
                    "SLO %s %s: %s at %.6g (%s)%s; the error budget (%.3g%% of requests may fail) "
                    "burns at %.3gx (%s)%s.",
                    who, it->text, it->verdict, it->observed.mean, ci_text(it->observed, ci, sizeof ci),
                    what, 100 * (1 - it->target), it->burn.mean, ci_text(it->burn, bci, sizeof bci),
                    it->burn.hi < 1 ? ", within budget"
                    : it->burn.lo > 1 ? ", faster than the budget allows"
                                      : ", about the sustainable rate (the CI straddles 1)"))
                return -1;
            if (it->burn.lo > 1 &&
                add(l, "slo", 1, "At that rate a %.6g s window's error budget is spent after about %.0f s.",
                    w, w / it->burn.mean))
                return -1;
        } else if (add(l, "slo", bad, "SLO %s %s: %s at %.6g (%s)%s.", who, it->text, it->verdict,
                       it->observed.mean, ci_text(it->observed, ci, sizeof ci), what)) {
            return -1;
        }
    }
    return 0;
}

static int runaway_finding(const exec_result *r, fd_list *l)
{
    if (!r->runaway_rec)
        return 0;
    const double *m = r->runaway_rec + r->L.misc;
    int p = (int)m[REC_RUNAWAY_POOL];
    if (p < 0 || p >= r->sc->npools)
        return add(l, "runaway", 1, "The overload guard stopped replication %d at t = %.6g s: requests "
                                    "were not ending (hang without a timeout); see the stop reason.",
                   r->runaway_item, m[REC_RUNAWAY_T]);
    double off = m[REC_RUNAWAY_OFFERED], att = m[REC_RUNAWAY_ATTEMPTS], cap = m[REC_RUNAWAY_CAPACITY];
    int mech = (int)m[REC_RUNAWAY_MECH];
    const char *by = mech == 3 ? "retries and hedges" : mech == 2 ? "hedges" : "retries";
    if (off < cap && off > 0 && att / off > 1.05 && mech)
        return add(l, "runaway", 1,
                   "Retry storm: the overload guard stopped replication %d at t = %.6g s. Pool %s's "
                   "callers offered %.4g requests/s, within its capacity of %.4g/s, but %s multiplied "
                   "them to %.4g attempts/s (x%.3g): attempts that time out are still served and "
                   "retried, which raises the load, which makes more attempts time out. What fits: a "
                   "retry budget, fewer attempts or a longer timeout, a circuit breaker, a queue limit "
                   "that sheds load.",
                   r->runaway_item, m[REC_RUNAWAY_T], r->sc->pools[p].name, off, cap, by, att, att / off);
    return add(l, "runaway", 1,
               "Overload: the overload guard stopped replication %d at t = %.6g s. Pool %s's callers "
               "offered %.4g requests/s (%.4g attempts/s) against a capacity of %.4g/s: lower the load, "
               "add servers, or set a queue limit that sheds load.",
               r->runaway_item, m[REC_RUNAWAY_T], r->sc->pools[p].name, off, att, cap);
}

/* Per client: the share of requests that failed and the attempt outcome
 * (cause) that costs the most. */
static int failure_findings(const exec_result *r, fd_list *l)
{
    if (r->nrec == 0)
        return 0;
    for (int c = 0; c < r->sc->nclients; c++) {
        stat_summary s = results_caller_stat(r, c, CM_REQUEST_SUCCESS);
        if (!(s.n > 0) || s.mean >= 1)
            continue;
        int best[3] = {-1, -1, -1};
        double v[CAUSE_COUNT];
        for (int k = 0; k < CAUSE_COUNT; k++) {
            v[k] = k == CAUSE_SUCCESS ? 0 : results_caller_stat(r, c, CM_CAUSE_SUCCESS + k).mean;
            if (!isfinite(v[k]) || v[k] <= 0)
                continue;
            for (int j = 0; j < 3; j++)
                if (best[j] < 0 || v[k] > v[best[j]]) {
                    for (int m = 2; m > j; m--)
                        best[m] = best[m - 1];
                    best[j] = k;
                    break;
                }
        }
        char causes[400] = "";
        size_t used = 0;
        for (int j = 0; j < 3 && best[j] >= 0; j++)
            used += (size_t)snprintf(causes + used, sizeof causes - used, "%s%s %.3g", j ? ", " : "",
                                     cause_names[best[j]], v[best[j]]);
        if (add(l, "failures", 0,
                "Client %s: %.3g%% of requests failed; the attempt outcomes that cost the most, per "
                "request: %s.",
                r->sc->clients[c].name, 100 * (1 - s.mean), *causes ? causes : "none recorded"))
            return -1;
    }
    return 0;
}

static int model_findings(const mc_list *mc, fd_list *l)
{
    if (!mc || mc->n == 0)
        return 0;
    int agree = 0, differ = 0;
    for (int i = 0; i < mc->n; i++) {
        const mc_item *it = &mc->items[i];
        if (!strncmp(it->verdict, MC_AGREES, strlen(MC_AGREES)))
            agree++;
        else if (!strcmp(it->verdict, MC_DIFFERS)) {
            differ++;
            if (add(l, "model_check", 1,
                    "Model check: %s differs from %s (predicted %.6g, observed %.6g, 95%% CI "
                    "[%.6g, %.6g]): the model breaks the formula's assumptions somewhere, or "
                    "something is wrong.",
                    it->quantity, it->formula, it->predicted, it->observed.mean, it->observed.lo,
                    it->observed.hi))
                return -1;
        }
    }
    if (!differ && agree)
        return add(l, "model_check", 0, "Model check: all %d applicable closed-form predictions agree.",
                   agree);
    return 0;
}

int fd_build(const exec_result *r, const mc_list *mc, const slo_list *slos, fd_list *out)
{
    memset(out, 0, sizeof *out);
    if (slo_findings(r, slos, out) || runaway_finding(r, out) || failure_findings(r, out) ||
        model_findings(mc, out))
        return -1;
    return 0;
}

void fd_list_free(fd_list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->items[i].text);
    free(l->items);
    memset(l, 0, sizeof *l);
}

void fd_print(FILE *out, const fd_list *l)
{
    if (!l || l->n == 0)
        return;
    fprintf(out, "Findings\n");
    for (int i = 0; i < l->n; i++)
        fprintf(out, "  %s %s\n", l->items[i].bad ? "!" : "-", l->items[i].text);
    fputc('\n', out);
}
