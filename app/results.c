/* results.c - statistics and the run's output files. */
#include "app/results.h"
#include "app/findings.h"
#include "app/slo.h"
#include "loader/loader.h"
#include "app/cmd.h"
#include "util/fsutil.h"
#include "models/breaker.h"
#include "sim/rng.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- statistics ------------------------------------------------------------- */

stat_summary results_pool_stat(const exec_result *r, int p, int m)
{
    return exec_pool_stat(r, p, m);
}

stat_summary results_caller_stat(const exec_result *r, int c, int m)
{
    return exec_caller_stat(r, c, m);
}

static cJSON *num_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

cJSON *results_stat_json(stat_summary s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "mean", num_or_null(s.mean));
    cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
    cJSON_AddItemToArray(ci, num_or_null(s.lo));
    cJSON_AddItemToArray(ci, num_or_null(s.hi));
    cJSON_AddItemToObject(o, "stddev", num_or_null(s.sd));
    cJSON_AddNumberToObject(o, "n", s.n);
    return o;
}

/* A statistic, plus "undefined": reason when some replications had none. */
static void add_stat(cJSON *o, const metric_def *d, stat_summary s, int nrec)
{
    cJSON *j = results_stat_json(s);
    if (s.n < nrec)
        cJSON_AddStringToObject(j, "undefined", d->undefined);
    cJSON_AddItemToObject(o, d->name, j);
}

/* Caller C's metrics: COL holds every pool's PM_COUNT summaries, then every
 * caller's CM_COUNT. */
static cJSON *caller_json(const scenario *sc, const stat_summary *col, int nrec, int c)
{
    const stat_summary *s = col + (size_t)sc->npools * PM_COUNT + (size_t)c * CM_COUNT;
    cJSON *o = cJSON_CreateObject();
    for (int m = 0; m < CM_COUNT; m++)
        add_stat(o, &cm_defs[m], s[m], nrec);
    return o;
}

cJSON *results_entities_from(const scenario *sc, const stat_summary *col, int nrec, int is_pool)
{
    cJSON *all = cJSON_CreateObject();
    if (!is_pool) {
        for (int c = 0; c < sc->nclients; c++)
            cJSON_AddItemToObject(all, sc->clients[c].name, caller_json(sc, col, nrec, c));
        return all;
    }
    int k = sc->nclients;
    for (int p = 0; p < sc->npools; p++) {
        cJSON *o = cJSON_CreateObject();
        for (int m = 0; m < PM_COUNT; m++)
            add_stat(o, &pm_defs[m], col[(size_t)p * PM_COUNT + (size_t)m], nrec);
        if (sc->pools[p].has_calls)
            cJSON_AddItemToObject(o, "calls", caller_json(sc, col, nrec, k++));
        cJSON_AddItemToObject(all, sc->pools[p].name, o);
    }
    return all;
}

cJSON *results_entities_json(const exec_result *r, int is_pool)
{
    size_t np = (size_t)r->L.npools * PM_COUNT, n = np + (size_t)r->L.ncallers * CM_COUNT;
    stat_summary *col = malloc((n + 1) * sizeof *col);
    if (!col)
        return NULL;
    for (size_t k = 0; k < n; k++)
        col[k] = exec_col_stat(r, k);
    cJSON *o = results_entities_from(r->sc, col, r->nrec, is_pool);
    free(col);
    return o;
}

/* ---- results.json ------------------------------------------------------------- */

static cJSON *modelcheck_json(const mc_list *mc)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; mc && i < mc->n; i++) {
        const mc_item *it = &mc->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "quantity", it->quantity);
        cJSON_AddStringToObject(o, "formula", it->formula);
        cJSON_AddItemToObject(o, "predicted", num_or_null(it->predicted));
        cJSON_AddItemToObject(o, "observed", num_or_null(it->observed.mean));
        cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
        cJSON_AddItemToArray(ci, num_or_null(it->observed.lo));
        cJSON_AddItemToArray(ci, num_or_null(it->observed.hi));
        cJSON_AddItemToObject(o, "margin", num_or_null(it->margin));
        cJSON_AddStringToObject(o, "verdict", it->verdict);
        if (it->reason[0])
            cJSON_AddStringToObject(o, "reason", it->reason);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *analytic_json(const mc_list *mc)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *pools = cJSON_AddObjectToObject(o, "pools");
    cJSON *clients = cJSON_AddObjectToObject(o, "clients");
    for (int i = 0; mc && i < mc->nanalytic; i++) {
        const mc_analytic *a = &mc->analytic[i];
        cJSON *parent = a->is_pool ? pools : clients;
        cJSON *e = cJSON_GetObjectItemCaseSensitive(parent, a->entity);
        if (!e)
            e = cJSON_AddObjectToObject(parent, a->entity);
        if (!cJSON_GetObjectItemCaseSensitive(e, a->key))
            cJSON_AddItemToObject(e, a->key, num_or_null(a->value));
    }
    return o;
}

static double total_requests(const exec_result *r)
{
    return r->requests;
}

static cJSON *perf_json(const exec_result *r)
{
    cJSON *o = cJSON_CreateObject();
    double req = total_requests(r);
    cJSON_AddNumberToObject(o, "events", r->events);
    cJSON_AddNumberToObject(o, "wall_seconds", r->wall);
    cJSON_AddItemToObject(o, "events_per_second", num_or_null(r->wall > 0 ? r->events / r->wall : NAN));
    cJSON_AddNumberToObject(o, "requests", req);
    cJSON_AddItemToObject(o, "requests_per_second", num_or_null(r->wall > 0 ? req / r->wall : NAN));
    return o;
}

/* What the overload guard saw when it stopped replication runaway_item
 * (docs/OUTPUT.md "runaway"). */
static cJSON *runaway_json(const exec_result *r)
{
    const double *m = r->runaway_rec + r->L.misc;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "replication", r->runaway_item);
    cJSON_AddNumberToObject(o, "t", m[REC_RUNAWAY_T]);
    int p = (int)m[REC_RUNAWAY_POOL];
    if (p < 0 || p >= r->sc->npools) {
        cJSON_AddStringToObject(o, "cause", "requests_not_ending");
        return o;
    }
    double off = m[REC_RUNAWAY_OFFERED], att = m[REC_RUNAWAY_ATTEMPTS], cap = m[REC_RUNAWAY_CAPACITY];
    int mech = (int)m[REC_RUNAWAY_MECH];
    double amp = off > 0 ? att / off : NAN;
    int storm = off < cap && amp > 1.05 && mech;
    static const char *const mech_name[4] = {"none", "retries", "hedges", "retries and hedges"};
    cJSON_AddStringToObject(o, "cause", storm ? "amplification" : "arrivals_exceed_capacity");
    cJSON_AddStringToObject(o, "pool", r->sc->pools[p].name);
    cJSON_AddItemToObject(o, "window", num_or_null(m[REC_RUNAWAY_WINDOW]));
    cJSON_AddItemToObject(o, "offered", num_or_null(off));
    cJSON_AddItemToObject(o, "attempts", num_or_null(att));
    cJSON_AddItemToObject(o, "capacity", num_or_null(cap));
    cJSON_AddItemToObject(o, "amplification", num_or_null(amp));
    cJSON_AddNumberToObject(o, "servers_up", m[REC_RUNAWAY_UP]);
    cJSON_AddStringToObject(o, "mechanism", mech_name[mech & 3]);
    return o;
}

/* One entry per SLO objective (docs/OUTPUT.md "slos"). */
static cJSON *slos_json(const exec_result *r, const slo_list *sl)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < sl->n; i++) {
        const slo_item *it = &sl->items[i];
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddNumberToObject(o, "slo", it->slo);
        cJSON_AddStringToObject(o, "client", r->sc->clients[it->client].name);
        cJSON_AddStringToObject(o, "objective", it->objective);
        cJSON_AddStringToObject(o, "goal", it->at_least ? "at_least" : "at_most");
        cJSON_AddNumberToObject(o, "target", it->target);
        cJSON_AddNumberToObject(o, "window", r->sc->slos[it->slo].window);
        cJSON_AddItemToObject(o, "observed", results_stat_json(it->observed));
        cJSON_AddStringToObject(o, "verdict", it->verdict);
        if (isfinite(it->burn.mean))
            cJSON_AddItemToObject(o, "burn_rate", results_stat_json(it->burn));
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *findings_json(const fd_list *fl)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < fl->n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddStringToObject(o, "kind", fl->items[i].kind);
        cJSON_AddBoolToObject(o, "problem", fl->items[i].bad);
        cJSON_AddStringToObject(o, "text", fl->items[i].text);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

cJSON *results_json(const exec_result *r, const mc_list *mc, const results_meta *meta)
{
    const scenario *sc = r->sc;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "relsim_version", RELSIM_VERSION);
    cJSON_AddBoolToObject(o, "complete", meta->complete);
    if (meta->stop_reason)
        cJSON_AddStringToObject(o, "stop_reason", meta->stop_reason);
    cJSON *s = cJSON_AddObjectToObject(o, "scenario");
    cJSON_AddStringToObject(s, "name", sc->name);
    cJSON_AddStringToObject(s, "file", meta->file ? meta->file : "");
    cJSON_AddStringToObject(s, "description", sc->description ? sc->description : "");
    cJSON_AddNumberToObject(o, "seed", (double)sc->seed);
    cJSON_AddNumberToObject(o, "replications", r->nrec);
    cJSON_AddNumberToObject(o, "replications_requested", meta->requested);
    if (meta->precision > 0)
        cJSON_AddNumberToObject(o, "precision", meta->precision);
    cJSON_AddNumberToObject(o, "horizon", sc->horizon);
    cJSON_AddNumberToObject(o, "warmup", sc->warmup);
    cJSON *rng = cJSON_AddObjectToObject(o, "rng");
    cJSON_AddStringToObject(rng, "type", RNG_TYPE_NAME);
    cJSON_AddNumberToObject(rng, "streams_per_replication",
                            (double)sc->npools * STREAMS_PER_POOL + (double)sc->nclients * STREAMS_PER_CLIENT);
    cJSON_AddStringToObject(rng, "seed_of_stream",
                            "mix(mix(mix(mix(seed) ^ replication) ^ fnv1a64(kind:name)) ^ role), mix = SplitMix64");
    cJSON_AddItemToObject(o, "pools", results_entities_json(r, 1));
    cJSON_AddItemToObject(o, "clients", results_entities_json(r, 0));
    cJSON_AddItemToObject(o, "analytic", analytic_json(mc));
    cJSON_AddItemToObject(o, "model_check", modelcheck_json(mc));
    cJSON_AddItemToObject(o, "perf", perf_json(r));
    if (r->runaway_rec)
        cJSON_AddItemToObject(o, "runaway", runaway_json(r));
    if (meta->slos && meta->slos->n)
        cJSON_AddItemToObject(o, "slos", slos_json(r, meta->slos));
    if (meta->findings)
        cJSON_AddItemToObject(o, "findings", findings_json(meta->findings));
    return o;
}

/* ---- files -------------------------------------------------------------------- */

void results_fmt(char *buf, size_t n, double v)
{
    if (isfinite(v))
        snprintf(buf, n, "%.10g", v);
    else
        snprintf(buf, n, "%s", "");
}

static int write_json(const char *dir, const char *name, cJSON *j)
{
    char path[4096];
    char *text = cJSON_Print(j);
    if (!text || !fs_join(path, sizeof path, dir, name)) {
        free(text);
        errno = ENOMEM;
        return -1;
    }
    size_t len = strlen(text);
    text[len] = '\n'; /* replace the NUL: files end with a newline */
    int rc = fs_write_atomic(path, text, len + 1);
    free(text);
    return rc;
}

/* scenario.resolved.json: the configuration this run used, every default
 * written out (what the report describes). */
static int write_resolved(const char *dir, const scenario *sc)
{
    char path[4096], *text = loader_resolved_json(sc);
    size_t len = text ? strlen(text) : 0;
    char *line = text ? realloc(text, len + 2) : NULL;
    if (!line || !fs_join(path, sizeof path, dir, "scenario.resolved.json")) {
        free(line ? line : text);
        errno = ENOMEM;
        return -1;
    }
    line[len] = '\n';
    int rc = fs_write_atomic(path, line, len + 1);
    free(line);
    return rc;
}

static void csv_stat_row(FILE *f, const char *entity, const char *metric, stat_summary s)
{
    char m[32], lo[32], hi[32], sd[32];
    results_fmt(m, sizeof m, s.mean);
    results_fmt(lo, sizeof lo, s.lo);
    results_fmt(hi, sizeof hi, s.hi);
    results_fmt(sd, sizeof sd, s.sd);
    fprintf(f, "%s,%s,%s,%s,%s,%s,%d\n", entity, metric, m, lo, hi, sd, s.n);
}

/* Callers are named "client.NAME", or "calls.POOL" for a pool's downstream calls. */
void results_caller_entity(const scenario *sc, int c, char *buf, size_t n)
{
    if (c < sc->nclients) {
        snprintf(buf, n, "client.%s", sc->clients[c].name);
        return;
    }
    int k = sc->nclients;
    for (int p = 0; p < sc->npools; p++)
        if (sc->pools[p].has_calls && k++ == c)
            snprintf(buf, n, "calls.%s", sc->pools[p].name);
}

static void write_summary(FILE *f, const exec_result *r)
{
    char ent[96];
    fputs("entity,metric,mean,ci95_low,ci95_high,stddev,n\n", f);
    for (int p = 0; p < r->sc->npools; p++) {
        snprintf(ent, sizeof ent, "pool.%s", r->sc->pools[p].name);
        for (int m = 0; m < PM_COUNT; m++)
            csv_stat_row(f, ent, pm_names[m], results_pool_stat(r, p, m));
    }
    for (int c = 0; c < r->L.ncallers; c++) {
        results_caller_entity(r->sc, c, ent, sizeof ent);
        for (int m = 0; m < CM_COUNT; m++)
            csv_stat_row(f, ent, cm_names[m], results_caller_stat(r, c, m));
    }
}

static double ts_mean(const exec_result *r, int bin, size_t col)
{
    if (r->nrec == 0 && r->runaway_rec) /* no replication ended: the one the guard stopped */
        return r->runaway_rec[r->L.ts + (size_t)bin * r->L.ts_cols + col];
    return exec_ts_mean(r, bin, col);
}

static void put(FILE *f, double v)
{
    char b[32];
    results_fmt(b, sizeof b, v);
    fprintf(f, ",%s", b);
}

static void write_timeseries(FILE *f, const exec_result *r)
{
    static const char *pcols[TSP_COUNT] = {"up", "busy", "queue", "arrivals", "limit"};
    static const char *ccols[] = {"offered", "attempts", "goodput", "success", "in_flight", "breaker_open",
                                  "error_counter", "unhealthy", "limit"};
    const scenario *sc = r->sc;
    char ent[96];
    fputs("t_start,t_end", f);
    for (int p = 0; p < sc->npools; p++)
        for (int k = 0; k < TSP_COUNT; k++)
            fprintf(f, ",pool.%s.%s", sc->pools[p].name, pcols[k]);
    for (int c = 0; c < r->L.ncallers; c++) {
        results_caller_entity(sc, c, ent, sizeof ent);
        for (int k = 0; k < (int)(sizeof ccols / sizeof *ccols); k++)
            fprintf(f, ",%s.%s", ent, ccols[k]);
    }
    fputc('\n', f);
    for (int b = 0; b < r->L.nbins; b++) {
        double t0 = b * r->L.bin, t1 = fmin((b + 1) * r->L.bin, sc->horizon);
        fprintf(f, "%.10g,%.10g", t0, t1);
        for (int p = 0; p < sc->npools; p++)
            for (int k = 0; k < TSP_COUNT; k++)
                put(f, ts_mean(r, b, (size_t)p * TSP_COUNT + (size_t)k));
        for (int c = 0; c < r->L.ncallers; c++) {
            size_t base = (size_t)sc->npools * TSP_COUNT + (size_t)c * TSC_COUNT;
            double width = t1 - t0, succ = ts_mean(r, b, base + TSC_SUCCESSES),
                   ended = ts_mean(r, b, base + TSC_ENDED);
            put(f, ts_mean(r, b, base + TSC_OFFERED));
            put(f, ts_mean(r, b, base + TSC_ATTEMPTS));
            put(f, succ / width);
            put(f, ended > 0 ? succ / ended : NAN);
            put(f, ts_mean(r, b, base + TSC_IN_FLIGHT));
            put(f, ts_mean(r, b, base + TSC_BREAKER_OPEN));
            put(f, ts_mean(r, b, base + TSC_ERROR_COUNTER));
            put(f, ts_mean(r, b, base + TSC_UNHEALTHY));
            put(f, ts_mean(r, b, base + TSC_LIMIT));
        }
        fputc('\n', f);
    }
}


static void write_updown(FILE *f, const exec_result *r)
{
    fputs("pool,state,duration\n", f);
    for (int p = 0; p < r->sc->npools; p++)
        for (int down = 0; down < 2; down++) {
            const exec_samples *x = &r->updown[p * 2 + down];
            for (int k = 0; k < x->n; k++)
                fprintf(f, "%s,%s,%.10g\n", r->sc->pools[p].name, down ? "down" : "up", x->v[k]);
        }
}

static void write_detection(FILE *f, const exec_result *r)
{
    char ent[96];
    fputs("client,delay\n", f);
    for (int c = 0; c < r->L.ncallers; c++) {
        results_caller_entity(r->sc, c, ent, sizeof ent);
        const exec_samples *x = &r->detect[c];
        for (int k = 0; k < x->n; k++)
            fprintf(f, "%s,%.10g\n", strchr(ent, '.') + 1, x->v[k]);
    }
}

static void write_delays(FILE *f, const exec_result *r)
{
    char ent[96];
    fputs("client,delay,fired\n", f);
    for (int c = 0; c < r->L.ncallers; c++) {
        results_caller_entity(r->sc, c, ent, sizeof ent);
        const char *name = strchr(ent, '.') + 1;
        const exec_samples *x = &r->delays[c];
        for (int k = 0; k < x->n; k++)
            fprintf(f, "%s,%.10g,%d\n", name, x->v[2 * k], (int)x->v[2 * k + 1]);
    }
}

static void write_latency(FILE *f, const exec_result *r)
{
    fputs("client,latency,ccdf\n", f);
    for (int c = 0; c < r->sc->nclients; c++) {
        double total = 0;
        const double *sum = r->hist + (size_t)c * STAT_HIST_N;
        for (size_t k = 0; k < STAT_HIST_N; k++)
            total += sum[k];
        double above = total;
        for (size_t k = 0; k + 1 < STAT_HIST_N && total > 0; k++) {
            above -= sum[k];
            if (sum[k] > 0)
                fprintf(f, "%s,%.6g,%.10g\n", r->sc->clients[c].name, stat_hist_upper(k), above / total);
        }
    }
}

static void write_marks(FILE *f, const exec_result *r)
{
    static const char *what[] = {"fail", "repair", "forced_fail", "restart"};
    fputs("pool,server,time,event\n", f);
    for (int i = 0; i < r->nmarks; i++) {
        const world_trace_row *m = &r->marks[i];
        fprintf(f, "%s,%d,%.10g,%s\n", r->sc->pools[m->entity].name, m->server, m->time, what[m->what]);
    }
}

static void write_breakers(FILE *f, const exec_result *r)
{
    char ent[96];
    fputs("client,server,time,state\n", f);
    for (int i = 0; i < r->nbreaks; i++) {
        const world_trace_row *b = &r->breaks[i];
        results_caller_entity(r->sc, b->entity, ent, sizeof ent);
        fprintf(f, "%s,%d,%.10g,%s\n", strchr(ent, '.') + 1, b->server, b->time,
                breaker_state_name((brk_state)b->what));
    }
}

static void write_errors(FILE *f, const exec_result *r)
{
    char ent[96];
    fputs("client,cause,per_request\n", f);
    for (int c = 0; c < r->L.ncallers; c++) {
        results_caller_entity(r->sc, c, ent, sizeof ent);
        for (int k = 0; k < CAUSE_COUNT; k++) {
            char v[32];
            results_fmt(v, sizeof v, results_caller_stat(r, c, CM_CAUSE_SUCCESS + k).mean);
            fprintf(f, "%s,%s,%s\n", strchr(ent, '.') + 1, cause_names[k], v);
        }
    }
}

typedef void (*csv_writer)(FILE *, const exec_result *);

static int write_csv(const char *dir, const char *name, csv_writer fn, const exec_result *r)
{
    char path[4096];
    fs_atomic a;
    if (!fs_join(path, sizeof path, dir, name) || fs_open_atomic(&a, path) != 0)
        return -1;
    fn(a.f, r);
    return fs_commit_atomic(&a);
}

/* ---- replications.csv ---------------------------------------------------------- */

static void reps_header(results_reps *w)
{
    const scenario *sc = w->sc;
    FILE *f = w->a.f;
    char ent[96];
    fputs("replication", f);
    for (int p = 0; p < sc->npools; p++)
        for (int m = 0; m < PM_COUNT; m++)
            if (pm_defs[m].flags & MF_SWEEP)
                fprintf(f, ",pool.%s.%s", sc->pools[p].name, pm_names[m]);
    for (int c = 0; c < metrics_ncallers(sc); c++) {
        results_caller_entity(sc, c, ent, sizeof ent);
        for (int m = 0; m < CM_COUNT; m++)
            if (cm_defs[m].flags & MF_SWEEP)
                fprintf(f, ",%s.%s", ent, cm_names[m]);
    }
    fputc('\n', f);
}

int results_reps_open(results_reps *w, const char *outdir, const scenario *sc)
{
    char path[4096];
    memset(w, 0, sizeof *w);
    w->sc = sc;
    if (fs_mkdirs(outdir) || !fs_join(path, sizeof path, outdir, "replications.csv") ||
        fs_open_atomic(&w->a, path))
        return -1;
    reps_header(w);
    return 0;
}

int results_reps_open_mem(results_reps *w, const char *outdir, const scenario *sc)
{
    memset(w, 0, sizeof *w);
    w->sc = sc;
    if (strlen(outdir) >= sizeof w->dir) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(w->dir, outdir);
    if (!(w->a.f = open_memstream(&w->mem, &w->memlen)))
        return -1;
    w->inmem = 1;
    reps_header(w);
    return 0;
}

/* The rows held in memory to the folder's replications.csv (made now):
 * MORE, the file left open for the next rows (w->a, as results_reps_open
 * leaves it); otherwise written whole.  The memory freed either way.  0 or
 * -1. */
static int reps_from_mem(results_reps *w, int more)
{
    char path[4096];
    int bad = fclose(w->a.f) != 0 || w->failed;
    w->a.f = NULL;
    w->inmem = 0;
    if (!bad && (fs_mkdirs(w->dir) || !fs_join(path, sizeof path, w->dir, "replications.csv")))
        bad = 1;
    else if (!bad && more)
        bad = fs_open_atomic(&w->a, path) || fwrite(w->mem, 1, w->memlen, w->a.f) != w->memlen;
    else if (!bad)
        bad = fs_write_atomic(path, w->mem, w->memlen) != 0;
    free(w->mem);
    w->mem = NULL;
    return bad ? -1 : 0;
}

static void rep_value(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, ",%.17g", v);
    else
        fputc(',', f);
}

void results_reps_row(void *ctx, int rep, const rec_layout *L, const double *rec)
{
    results_reps *w = ctx;
    FILE *f = w->a.f;
    if (w->failed)
        return;
    fprintf(f, "%d", rep);
    for (int p = 0; p < L->npools; p++)
        for (int m = 0; m < PM_COUNT; m++)
            if (pm_defs[m].flags & MF_SWEEP)
                rep_value(f, rec[L->pool + (size_t)p * PM_COUNT + (size_t)m]);
    for (int c = 0; c < L->ncallers; c++)
        for (int m = 0; m < CM_COUNT; m++)
            if (cm_defs[m].flags & MF_SWEEP)
                rep_value(f, rec[L->caller + (size_t)c * CM_COUNT + (size_t)m]);
    if (fputc('\n', f) == EOF || (w->inmem && ftello(f) > RESULTS_REPS_MEM && reps_from_mem(w, 1)))
        w->failed = 1;
}

int results_reps_close(results_reps *w)
{
    if (w->inmem)
        return reps_from_mem(w, 0);
    if (w->failed || !w->a.f || ferror(w->a.f)) {
        fs_abort_atomic(&w->a);
        return -1;
    }
    return fs_commit_atomic(&w->a);
}

void results_reps_discard(results_reps *w)
{
    if (!w->inmem) {
        fs_abort_atomic(&w->a);
        rmdir(w->dir); /* made when the rows spilled to the file; only if empty */
        return;
    }
    fclose(w->a.f);
    w->a.f = NULL;
    w->inmem = 0;
    free(w->mem);
    w->mem = NULL;
}

int results_write_dir(const char *outdir, const exec_result *r, const mc_list *mc,
                      const results_meta *meta)
{
    char data[4096];
    if (fs_mkdirs(outdir) || !fs_join(data, sizeof data, outdir, "data") || fs_mkdirs(data))
        return -1;
    cJSON *j = results_json(r, mc, meta);
    int rc = j ? write_json(outdir, "results.json", j) : -1;
    cJSON_Delete(j);
    if (rc == 0 && meta->effective_json) {
        char path[4096];
        fs_join(path, sizeof path, outdir, "scenario.json");
        rc = fs_write_atomic(path, meta->effective_json, strlen(meta->effective_json));
    }
    if (rc == 0)
        rc = write_resolved(outdir, r->sc);
    if (rc == 0)
        rc = write_csv(outdir, "summary.csv", write_summary, r) ||
             write_csv(outdir, "timeseries.csv", write_timeseries, r) ||
             write_csv(data, "updown.csv", write_updown, r) ||
             write_csv(data, "retry_delays.csv", write_delays, r) ||
             write_csv(data, "detection.csv", write_detection, r) ||
             write_csv(data, "latency.csv", write_latency, r) ||
             write_csv(data, "marks.csv", write_marks, r) ||
             write_csv(data, "breaker.csv", write_breakers, r) ||
             write_csv(data, "errors.csv", write_errors, r) ||
             (r->sc->nslos && write_csv(data, "slo_burn.csv", slo_write_burn, r))
                 ? -1
                 : 0;
    return rc;
}

/* ---- the table ------------------------------------------------------------------ */

static void row(FILE *out, const char *name, stat_summary s)
{
    if (s.n == 0)
        return; /* undefined in every replication (e.g. no breaker) */
    char m[32], lo[32], hi[32];
    snprintf(m, sizeof m, "%.6g", s.mean);
    if (isfinite(s.lo)) {
        snprintf(lo, sizeof lo, "%.6g", s.lo);
        snprintf(hi, sizeof hi, "%.6g", s.hi);
        fprintf(out, "  %-28s %14s   [%12s, %12s]\n", name, m, lo, hi);
    } else {
        fprintf(out, "  %-28s %14s   %28s\n", name, m, "(1 replication: no CI)");
    }
}

/* A pool whose quorum held in every replication: the simulation saw no
 * outage, so point to the exact value (model check "analytic"). */
static void print_no_outage(FILE *out, const exec_result *r, const mc_list *mc, int p)
{
    const pool_cfg *pc = &r->sc->pools[p];
    stat_summary s = results_pool_stat(r, p, PM_SYSTEM_AVAILABILITY);
    if (pc->failure.kind == DIST_NONE || s.n < 1 || s.mean != 1 || s.sd > 0)
        return;
    for (int i = 0; mc && i < mc->nanalytic; i++) {
        const mc_analytic *a = &mc->analytic[i];
        if (a->is_pool && !strcmp(a->entity, pc->name) && !strcmp(a->key, "ctmc_system_unavailability") &&
            a->value > 0) {
            fprintf(out, "  %-28s 0 outages seen; exact unavailability %.5g (%.2f nines): relsim solve\n", "",
                    a->value, -log10(a->value));
            return;
        }
    }
    fprintf(out, "  %-28s 0 outages seen: too rare to estimate by simulation\n", "");
}

void results_print_table(FILE *out, const exec_result *r, const mc_list *mc)
{
    const scenario *sc = r->sc;
    char ent[96];
    fprintf(out, "%s: %d replication%s of %g s (seed %llu)\n\n", sc->name, r->nrec,
            r->nrec == 1 ? "" : "s", sc->horizon, (unsigned long long)sc->seed);
    fprintf(out, "  %-28s %14s   %-28s\n", "metric", "mean", "95% confidence interval");
    for (int p = 0; p < sc->npools; p++) {
        fprintf(out, "pool %s\n", sc->pools[p].name);
        for (int m = 0; m < PM_COUNT; m++)
            if (pm_defs[m].flags & MF_TABLE) {
                row(out, pm_names[m], results_pool_stat(r, p, m));
                if (m == PM_SYSTEM_AVAILABILITY)
                    print_no_outage(out, r, mc, p);
            }
    }
    for (int c = 0; c < r->L.ncallers; c++) {
        results_caller_entity(sc, c, ent, sizeof ent);
        *strchr(ent, '.') = ' ';
        fprintf(out, "%s\n", ent);
        for (int m = 0; m < CM_COUNT; m++)
            if (cm_defs[m].flags & MF_TABLE)
                row(out, cm_names[m], results_caller_stat(r, c, m));
    }
    if (mc && mc->n) {
        fprintf(out, "\nmodel check (prediction vs simulation)\n");
        fprintf(out, "  %-40s %12s %12s   %-26s %-10s %s\n", "quantity", "predicted", "observed",
                "95% CI", "margin", "verdict");
        for (int i = 0; i < mc->n; i++) {
            const mc_item *it = &mc->items[i];
            char pr[32], ob[32], ci[64], mg[32] = "-";
            if (isfinite(it->margin))
                snprintf(mg, sizeof mg, "+-%.3g", it->margin);
            snprintf(pr, sizeof pr, isfinite(it->predicted) ? "%.6g" : "-", it->predicted);
            snprintf(ob, sizeof ob, isfinite(it->observed.mean) ? "%.6g" : "-", it->observed.mean);
            if (isfinite(it->observed.lo))
                snprintf(ci, sizeof ci, "[%.6g, %.6g]", it->observed.lo, it->observed.hi);
            else
                snprintf(ci, sizeof ci, "-");
            fprintf(out, "  %-40s %12s %12s   %-26s %-10s %s%s%s\n", it->quantity, pr, ob, ci, mg,
                    it->verdict, it->reason[0] ? ": " : "", it->reason);
        }
        fprintf(out, "  (margin: how far beyond the 95%% CI a prediction still agrees, a quarter of\n"
                     "  the half-width plus known bias such as the start-up transient)\n");
    }
    double eps = r->wall > 0 ? r->events / r->wall : 0;
    fprintf(out, "\n%.3g events in %.3g s wall (%.3g events/s)\n", r->events, r->wall, eps);
}
