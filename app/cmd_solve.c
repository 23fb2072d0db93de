/* cmd_solve.c - `relsim solve SCENARIO.json [--at T1,T2,...] [--json] [-o DIR]`.
 *
 * Builds the Markov chains of every pool (models/markov_pool.h), solves them
 * exactly (models/ctmc.h) and prints the measures with the state count,
 * solver, residual or error bound and wall time; writes DIR/solve.json (the
 * same document --json prints).  A pool whose failure or repair times are not
 * exponential is named with its file:line:col and makes the exit status 2
 * (the other pools are still solved and written).  docs/SOLVE.md.
 */
#include "app/cmd.h"
#include "util/fsutil.h"
#include "loader/loader.h"
#include "app/runopts.h"
#include "models/markov_pool.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROG "relsim solve"
#define SOLVE_MAX_AT 1000

static const char *solve_usage =
    "usage: relsim solve SCENARIO.json [--at T1,T2,...] [--json] [-o DIR] [--set PATH=VALUE ...] [-q]\n"
    "\n"
    "Exact numbers for the Markovian part of a scenario, no simulation and no luck:\n"
    "each pool whose failure and repair times are exponential becomes a Markov chain\n"
    "(state = servers DOWN; failures at (n-d)*lambda, repairs at min(d, crews)*mu)\n"
    "that is solved exactly.  Printed per pool:\n"
    "  server_availability   fraction of servers UP in steady state\n"
    "  system_availability   P(at least `quorum` servers UP): availability as you declare it\n"
    "  unavailability, nines 1 - system_availability, summed over the down states\n"
    "                        (exact even at 1e-12, where no simulation sees an outage)\n"
    "  mttf_system           mean time from all UP to the first loss of the quorum\n"
    "  window                both availabilities averaged over [warmup, horizon] from\n"
    "                        all UP: what `relsim run` measures, and checks against\n"
    "  --at T                both availabilities at time T from all UP (transient)\n"
    "and, for a pool that never fails and is fed Poisson traffic split at random, its\n"
    "per-server M/M/c/K queue: busy_servers, queue_length, blocking (the fraction of\n"
    "attempts rejected by a full queue), latency_mean.  An unbounded queue is cut where\n"
    "the neglected probability is below 1e-12 (stated), and refused near saturation.\n"
    "Each number comes with the chain's size, the solver (dense LU, band LU,\n"
    "Gauss-Seidel, GMRES, uniformization), its residual or error bound and wall time.\n"
    "What the chains leave out (forced outages, timeouts, a failing pool's queue) is\n"
    "listed under `left out`.\n"
    "\n"
    "  --at T1,T2,...  transient availabilities at these times (s, >= 0; at most 1000)\n"
    "  --json          print solve.json on stdout instead of the table\n"
    "  -o, --out DIR   write DIR/solve.json (default out/NAME/, as relsim run)\n"
    "  --set PATH=VALUE  override a scenario value (repeatable), as in relsim run\n"
    "  -q, --quiet     print nothing (still writes solve.json)\n"
    "  -h, --help      this help\n"
    "\n"
    "Examples:\n"
    "  relsim solve scenarios/rare-outage.json               nines a run cannot see\n"
    "  relsim solve s.json --at 10,60,3600                   A(t) after a cold start\n"
    "  relsim solve s.json --set pools.api.quorum=3 --json   one line of numbers\n"
    "\n"
    "Exit status: 0 every pool solved; 2 bad command line or scenario, or a pool whose\n"
    "failure or repair distribution is not exponential (named with file:line:col;\n"
    "the other pools are still solved and written); 1 a solver or an output failed, or a\n"
    "window or --at value needed more than the uniformization budget (null, reason said).\n"
    "Limits: chains above 4,000,000 states are refused.  docs/SOLVE.md.\n";

typedef struct {
    const char *scenario, *out;
    char **sets;
    int nsets, json, quiet;
    double at[SOLVE_MAX_AT];
    int nat;
} solve_opts;

static int usage_error(const char *fmt, const char *arg)
{
    fputs(PROG ": ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (try: relsim solve --help)\n", stderr);
    return EXIT_USAGE;
}

static int parse_at(solve_opts *o, const char *list)
{
    const char *p = list;
    while (*p) {
        char *end;
        errno = 0;
        double t = strtod(p, &end);
        if (end == p || errno || !isfinite(t) || t < 0 || (*end && *end != ','))
            return usage_error("--at: '%s' must be times in seconds >= 0 separated by commas", list);
        if (o->nat == SOLVE_MAX_AT)
            return usage_error("--at: at most 1000 times (got more in '%.40s...')", list);
        o->at[o->nat++] = t;
        p = *end ? end + 1 : end;
        if (*end == ',' && !*p)
            return usage_error("--at: '%s' ends with a comma", list);
    }
    return o->nat ? 0 : usage_error("--at needs T1,T2,... (got '%s')", list);
}

/* 0, 1 after --help, or EXIT_USAGE. */
static int parse(solve_opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->sets = calloc((size_t)argc + 1, sizeof *o->sets);
    if (!o->sets)
        return usage_error("%s", "out of memory");
    int only_files = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (only_files || a[0] != '-' || !a[1]) {
            if (o->scenario)
                return usage_error("one scenario file at a time (extra: '%s')", a);
            o->scenario = a;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(solve_usage, stdout);
            return 1;
        } else if (!strcmp(a, "--")) {
            only_files = 1;
        } else if (!strcmp(a, "--json")) {
            o->json = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else if (!strcmp(a, "--at") || !strcmp(a, "-o") || !strcmp(a, "--out") || !strcmp(a, "--set")) {
            if (!more)
                return usage_error("%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--at")) {
                if (parse_at(o, v))
                    return EXIT_USAGE;
            } else if (!strcmp(a, "--set")) {
                o->sets[o->nsets++] = (char *)v;
            } else {
                o->out = v;
            }
        } else if (!strncmp(a, "--at=", 5)) {
            if (parse_at(o, a + 5))
                return EXIT_USAGE;
        } else if (!strncmp(a, "--set=", 6)) {
            o->sets[o->nsets++] = (char *)a + 6;
        } else if (!strncmp(a, "--out=", 6)) {
            o->out = a + 6;
        } else {
            return usage_error("unknown option '%s'", a);
        }
    }
    if (!o->scenario)
        return usage_error("%s", "missing SCENARIO.json");
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static cJSON *num(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

static cJSON *solver_json(const ctmc_info *in, size_t states, size_t transitions)
{
    cJSON *o = cJSON_CreateObject();
    if (states)
        cJSON_AddNumberToObject(o, "states", (double)states);
    if (transitions)
        cJSON_AddNumberToObject(o, "transitions", (double)transitions);
    cJSON_AddStringToObject(o, "method", in->method ? in->method : "none");
    if (isfinite(in->residual))
        cJSON_AddNumberToObject(o, "residual", in->residual);
    if (!strcmp(in->method ? in->method : "", "uniformization")) {
        cJSON_AddNumberToObject(o, "error_bound", in->error_bound);
        cJSON_AddNumberToObject(o, "steps", (double)in->iterations);
    } else if (in->iterations) {
        cJSON_AddNumberToObject(o, "iterations", (double)in->iterations);
    }
    cJSON_AddNumberToObject(o, "seconds", in->seconds);
    return o;
}

/* -log10(U): the "nines" of an unavailability (null for U = 0). */
static double nines(double u) { return u > 0 ? -log10(u) : INFINITY; }

/* Where pools.NAME.KEY is in the file, as "file:line:col: " (or ""). */
static void where(const loader_doc *d, const char *file, const char *name, const char *key, char *buf, size_t len)
{
    char path[160];
    int line, col;
    snprintf(path, sizeof path, "pools.%s.%s.dist", name, key);
    if (loader_locate(d, path, &line, &col) == 0 ||
        (snprintf(path, sizeof path, "pools.%s.%s", name, key), loader_locate(d, path, &line, &col) == 0))
        snprintf(buf, len, "%s:%d:%d: ", file, line, col);
    else
        buf[0] = '\0';
}

/* Solve pool P into a JSON object; 0, or EXIT_USAGE / EXIT_FAIL after a message. */
static int solve_pool(const scenario *sc, const loader_doc *d, int p, const solve_opts *o, cJSON *pj)
{
    const pool_cfg *pc = &sc->pools[p];
    mp_model m;
    char why[400];
    int rc = mp_build(sc, p, &m, why, sizeof why);
    if (rc == MP_ENOTMARKOV) {
        char loc[4200];
        const char *key = pc->failure.kind != DIST_EXPONENTIAL ? "failure"
                          : pc->repair.kind != DIST_EXPONENTIAL ? "repair"
                                                                 : "spares.switchover";
        where(d, o->scenario, pc->name, key, loc, sizeof loc);
        fprintf(stderr, PROG ": %s%s\n", loc, why);
        cJSON_AddBoolToObject(pj, "markovian", 0);
        cJSON_AddStringToObject(pj, "reason", why);
        return EXIT_USAGE;
    }
    if (rc) {
        fprintf(stderr, PROG ": %s\n", why);
        cJSON_AddBoolToObject(pj, "markovian", 0);
        cJSON_AddStringToObject(pj, "reason", why);
        return rc == MP_ETOOBIG ? EXIT_USAGE : EXIT_FAIL;
    }
    cJSON_AddBoolToObject(pj, "markovian", 1);
    mp_steady_result r;
    rc = mp_steady(&m, &r);
    if (rc) {
        fprintf(stderr, PROG ": pools.%s: the solver failed (%s)\n", pc->name, r.steady.method ? r.steady.method : "");
        mp_free(&m);
        return EXIT_FAIL;
    }
    cJSON_AddItemToObject(pj, "server_availability", num(r.server_availability));
    cJSON_AddItemToObject(pj, "system_availability", num(r.system_availability));
    cJSON_AddItemToObject(pj, "system_unavailability", num(r.system_unavailability));
    cJSON_AddItemToObject(pj, "nines", num(nines(r.system_unavailability)));
    cJSON_AddItemToObject(pj, "mttf_system", num(r.mttf_system));
    if (r.mttf_overflow)
        cJSON_AddBoolToObject(pj, "mttf_overflow", 1);
    cJSON_AddNumberToObject(pj, "quorum", pc->quorum);
    if (m.fails) {
        cJSON_AddItemToObject(pj, "steady_solver", solver_json(&r.steady, m.avail.n, m.avail.nnz));
        cJSON_AddItemToObject(pj, "mttf_solver", solver_json(&r.mttf, 0, 0));
    }
    int frc = EXIT_OK;
    if (sc->horizon > sc->warmup) {
        double sa, ya;
        ctmc_info in;
        memset(&in, 0, sizeof in);
        int st = mp_window(&m, sc->warmup, sc->horizon, &sa, &ya, &in);
        cJSON *w = cJSON_AddObjectToObject(pj, "window");
        cJSON_AddNumberToObject(w, "from", sc->warmup);
        cJSON_AddNumberToObject(w, "to", sc->horizon);
        cJSON_AddItemToObject(w, "server_availability", num(st ? NAN : sa));
        cJSON_AddItemToObject(w, "system_availability", num(st ? NAN : ya));
        if (st == MP_OK)
            cJSON_AddItemToObject(w, "solver", solver_json(&in, 0, 0));
        else {
            const char *why2 = st == MP_EFORCED ? m.forced_why
                                                : "too many uniformization steps (rates x horizon too large)";
            cJSON_AddStringToObject(w, "reason", why2);
            fprintf(stderr, PROG ": pools.%s: window [%g, %g] s not computed: %s\n", pc->name, sc->warmup,
                    sc->horizon, why2);
            if (st != MP_EFORCED) /* a refusal the docs announce is not a failure */
                frc = EXIT_FAIL;
        }
    }
    if (o->nat) {
        cJSON *arr = cJSON_AddArrayToObject(pj, "transient");
        for (int k = 0; k < o->nat; k++) {
            double sa = NAN, ya = NAN;
            ctmc_info in;
            memset(&in, 0, sizeof in);
            int st = mp_transient(&m, o->at[k], &sa, &ya, &in);
            cJSON *t = cJSON_CreateObject();
            cJSON_AddNumberToObject(t, "t", o->at[k]);
            cJSON_AddItemToObject(t, "server_availability", num(st ? NAN : sa));
            cJSON_AddItemToObject(t, "system_availability", num(st ? NAN : ya));
            if (st == MP_OK) {
                cJSON_AddItemToObject(t, "solver", solver_json(&in, 0, 0));
            } else {
                const char *why2 = st == MP_EFORCED ? m.forced_why : "too many uniformization steps (rates x t too large)";
                cJSON_AddStringToObject(t, "reason", why2);
                fprintf(stderr, PROG ": pools.%s: --at %g: %s\n", pc->name, o->at[k], why2);
                if (st != MP_EFORCED)
                    frc = EXIT_FAIL;
            }
            cJSON_AddItemToArray(arr, t);
        }
    }
    if (m.has_queue) {
        cJSON *q = cJSON_AddObjectToObject(pj, "queue");
        cJSON_AddStringToObject(q, "model", "M/M/c/K per server, Poisson share lambda/n");
        cJSON_AddNumberToObject(q, "lambda_per_server", m.lambda);
        cJSON_AddNumberToObject(q, "workers", m.workers);
        cJSON_AddNumberToObject(q, "capacity", m.cap);
        cJSON_AddBoolToObject(q, "bounded", m.bounded);
        cJSON_AddNumberToObject(q, "truncation_bound", m.trunc_bound);
        cJSON_AddItemToObject(q, "busy_servers", num(r.busy_servers));
        cJSON_AddItemToObject(q, "queue_length", num(r.queue_length));
        cJSON_AddItemToObject(q, "utilization", num(r.utilization));
        cJSON_AddItemToObject(q, "blocking", num(r.blocking));
        cJSON_AddItemToObject(q, "latency_mean", num(r.latency_mean));
        cJSON_AddItemToObject(q, "solver", solver_json(&r.queue_info, m.queue.n, m.queue.nnz));
    } else if (m.queue_why[0]) {
        cJSON_AddStringToObject(pj, "queue_not_solved", m.queue_why);
    }
    cJSON *lo = cJSON_AddArrayToObject(pj, "left_out");
    for (const char *s = m.left_out; *s;) {
        const char *e = strstr(s, "; ");
        size_t len = e ? (size_t)(e - s) : strlen(s);
        char part[400];
        snprintf(part, sizeof part, "%.*s", (int)len, s);
        cJSON_AddItemToArray(lo, cJSON_CreateString(part));
        s += len + (e ? 2 : 0);
    }
    mp_free(&m);
    return frc;
}

static const char *fmt_num(char *buf, size_t len, double v)
{
    if (isinf(v))
        snprintf(buf, len, "never");
    else if (isfinite(v))
        snprintf(buf, len, "%.10g", v);
    else
        snprintf(buf, len, "-");
    return buf;
}

static double jnum(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : cJSON_IsNull(v) ? INFINITY : NAN;
}

static void print_solver(FILE *f, const char *what, const cJSON *s)
{
    if (!s)
        return;
    fprintf(f, "    %-26s %s", what, cJSON_GetStringValue(cJSON_GetObjectItem(s, "method")));
    if (cJSON_GetObjectItem(s, "states"))
        fprintf(f, ", %.0f states", jnum(s, "states"));
    if (cJSON_GetObjectItem(s, "residual"))
        fprintf(f, ", residual %.2g", jnum(s, "residual"));
    if (cJSON_GetObjectItem(s, "error_bound"))
        fprintf(f, ", error <= %.2g (%.0f steps)", jnum(s, "error_bound"), jnum(s, "steps"));
    fprintf(f, ", %.3g s\n", jnum(s, "seconds"));
}

static void print_pool(FILE *f, const char *name, const cJSON *pj)
{
    char b[64];
    fprintf(f, "pool %s\n", name);
    if (!cJSON_IsTrue(cJSON_GetObjectItem(pj, "markovian"))) {
        fprintf(f, "    not solved: %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(pj, "reason")));
        return;
    }
    static const char *keys[] = {"server_availability", "system_availability", "system_unavailability", "nines",
                                 "mttf_system"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        double v = jnum(pj, keys[k]);
        if (!strcmp(keys[k], "nines") && isinf(v) && cJSON_GetObjectItem(pj, "steady_solver"))
            snprintf(b, sizeof b, "> 307 (unavailability below 1e-308)");
        else if (!strcmp(keys[k], "nines") && isinf(v))
            snprintf(b, sizeof b, "infinite (never down)");
        else if (!strcmp(keys[k], "nines"))
            snprintf(b, sizeof b, "%.3f", v);
        else
            fmt_num(b, sizeof b, v);
        if (!strcmp(keys[k], "mttf_system") && cJSON_IsTrue(cJSON_GetObjectItem(pj, "mttf_overflow")))
            snprintf(b, sizeof b, "> 1e308 s (overflows a double)");
        fprintf(f, "    %-26s %s%s\n", keys[k], b, !strcmp(keys[k], "mttf_system") && isfinite(v) ? " s" : "");
    }
    print_solver(f, "steady state by", cJSON_GetObjectItem(pj, "steady_solver"));
    print_solver(f, "mttf_system by", cJSON_GetObjectItem(pj, "mttf_solver"));
    const cJSON *w = cJSON_GetObjectItem(pj, "window");
    if (w) {
        fprintf(f, "    over [%g, %g] s from all UP (what relsim run measures):\n", jnum(w, "from"), jnum(w, "to"));
        fprintf(f, "      server_availability      %s\n", fmt_num(b, sizeof b, jnum(w, "server_availability")));
        fprintf(f, "      system_availability      %s\n", fmt_num(b, sizeof b, jnum(w, "system_availability")));
        print_solver(f, "  by", cJSON_GetObjectItem(w, "solver"));
        if (cJSON_GetObjectItem(w, "reason"))
            fprintf(f, "      not computed: %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(w, "reason")));
    }
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(pj, "transient"))
    {
        char c[64];
        fprintf(f, "    at t = %-10g server %s  system %s\n", jnum(t, "t"),
                fmt_num(b, sizeof b, jnum(t, "server_availability")),
                fmt_num(c, sizeof c, jnum(t, "system_availability")));
    }
    const cJSON *q = cJSON_GetObjectItem(pj, "queue");
    if (q) {
        fprintf(f, "    queue (M/M/%.0f/%.0f per server, lambda %g/s each%s):\n", jnum(q, "workers"),
                jnum(q, "capacity"), jnum(q, "lambda_per_server"),
                cJSON_IsTrue(cJSON_GetObjectItem(q, "bounded")) ? "" : ", unbounded: truncated");
        static const char *qk[] = {"busy_servers", "queue_length", "utilization", "blocking", "latency_mean"};
        for (size_t k = 0; k < sizeof qk / sizeof *qk; k++)
            fprintf(f, "      %-24s %s\n", qk[k], fmt_num(b, sizeof b, jnum(q, qk[k])));
        if (!cJSON_IsTrue(cJSON_GetObjectItem(q, "bounded")))
            fprintf(f, "      %-24s P(N > %.0f) <= %.2g\n", "truncation", jnum(q, "capacity"),
                    jnum(q, "truncation_bound"));
        print_solver(f, "  by", cJSON_GetObjectItem(q, "solver"));
    }
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(pj, "left_out")) fprintf(f, "    left out: %s\n", s->valuestring);
}

int cmd_solve(int argc, char **argv)
{
    solve_opts o;
    int rc = parse(&o, argc, argv);
    if (rc) {
        free(o.sets);
        return rc == 1 ? EXIT_OK : EXIT_USAGE;
    }
    double t0 = now_seconds();
    loader_doc *d = loader_open(o.scenario, stderr);
    for (int i = 0; d && i < o.nsets; i++)
        if (loader_set(d, o.sets[i], stderr)) {
            loader_close(d);
            d = NULL;
        }
    scenario sc;
    memset(&sc, 0, sizeof sc);
    if (!d || loader_build(d, &sc, stderr)) {
        loader_close(d);
        free(o.sets);
        return EXIT_USAGE;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "scenario", sc.name);
    cJSON_AddStringToObject(doc, "file", o.scenario);
    cJSON *pools = cJSON_AddObjectToObject(doc, "pools");
    rc = EXIT_OK;
    for (int p = 0; p < sc.npools; p++) {
        cJSON *pj = cJSON_AddObjectToObject(pools, sc.pools[p].name);
        int prc = solve_pool(&sc, d, p, &o, pj);
        if (prc != EXIT_OK && rc != EXIT_FAIL)
            rc = prc;
    }
    cJSON_AddNumberToObject(doc, "wall_seconds", now_seconds() - t0);
    char out[4096], path[4200];
    if (o.out)
        snprintf(out, sizeof out, "%s", o.out);
    else
        runopts_default_out(out, sizeof out, sc.name);
    char *text = cJSON_Print(doc);
    if (!text || fs_mkdirs(out) || !fs_join(path, sizeof path, out, "solve.json") ||
        fs_write_atomic(path, text, strlen(text))) {
        fprintf(stderr, PROG ": cannot write %s/solve.json: %s\n", out, strerror(errno));
        rc = EXIT_FAIL;
    }
    if (o.json && text) {
        puts(text);
    } else if (!o.quiet) {
        printf("%s: exact solution of the Markovian part\n\n", sc.name);
        const cJSON *pj;
        cJSON_ArrayForEach(pj, pools) print_pool(stdout, pj->string, pj);
        printf("\nwrote %s\n", path);
    }
    free(text);
    cJSON_Delete(doc);
    scenario_free(&sc);
    loader_close(d);
    free(o.sets);
    return rc;
}
