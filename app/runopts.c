/* runopts.c - option parsing for run and sweep, overrides, signals. */
#include "app/runopts.h"
#include "app/cmd.h"
#include "sim/runner.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t runopts_stop = 0;
static int stop_tty; /* stderr is a terminal: say what the first signal does */

/* The first SIGINT/SIGTERM asks for a clean stop (partial results written,
 * exit 130); the handlers are then back to the default (SA_RESETHAND), so a
 * second one ends relsim at once, even while it is still writing outputs
 * (which are atomic: at worst a NAME.tmp.PID is left, never a half file). */
static void on_signal(int sig)
{
    static const char msg[] = "\nrelsim: stopping; writing the partial results "
                              "(interrupt again to quit at once)\n";
    int saved = errno; /* the interrupted code may be about to read it */
    __atomic_store_n(&runopts_stop, 1, __ATOMIC_RELAXED); /* read by threads: runner_stopped() */
    signal(sig == SIGINT ? SIGTERM : SIGINT, SIG_DFL);
    if (stop_tty) {
        ssize_t w = write(2, msg, sizeof msg - 1);
        (void)w;
    }
    errno = saved;
}

void runopts_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    stop_tty = isatty(2);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static const char *run_help =
    "usage: relsim run SCENARIO.json [options]\n"
    "\n"
    "Simulate the scenario's replications, print a summary table with 95% confidence\n"
    "intervals and a model check, and write OUTDIR/ (results.json, summary.csv,\n"
    "timeseries.csv, data/, plots/, report.html, report.md). Output opens with\n"
    "Findings: each SLO (\"slos\" in the scenario, or --set 'slos=[...]') met, missed\n"
    "or inconclusive on its 95% CI with the error-budget burn, a retry storm and why,\n"
    "the costliest attempt outcomes, model-check disagreements.\n"
    "\n"
    "options:\n"
    "  -o, --out DIR            output folder (default out/<scenario name>)\n"
    "  -r, --replications N     independent replications (overrides the file)\n"
    "  -s, --seed S             base seed (overrides the file)\n"
    "  -j, --jobs N             worker threads (default: cores); results never depend on N\n"
    "      --horizon T          simulated seconds per replication\n"
    "      --set PATH=VALUE     override any scenario value, repeatable, e.g.\n"
    "                           --set clients.web.retry.max_attempts=5\n"
    "                           --set pools.api.failure.rate=0.002\n"
    "      --json               print results.json on stdout instead of the table\n"
    "      --no-plots           skip gnuplot (the report is still written)\n"
    "      --require-plots      fail (exit 2) if gnuplot is missing or fails\n"
    "      --precision REL      add replications until every headline metric's 95% CI\n"
    "                           half-width <= REL x |mean| (see --max-replications)\n"
    "      --max-replications N bound for --precision (default 10000)\n"
    "  -q, --quiet              no progress bar, no table\n"
    "\n"
    "Units: seconds, per second, probabilities in [0,1].\n"
    "Exit: 0 ok, 1 simulation/output failed (e.g. runaway overload), 2 bad input,\n"
    "130 interrupted (partial results written with \"complete\": false).\n";

static const char *run_example =
    "\n"
    "example:\n"
    "  relsim run scenarios/default.json -r 20 --set clients.web.retry.max_attempts=5\n";

static const char *sweep_help =
    "usage: relsim sweep SCENARIO.json --vary PATH=V1,V2,... [--vary ...] [options]\n"
    "       relsim sweep SCENARIO.json --variants FILE.json | --variant NAME:PATH=V;PATH=V ...\n"
    "\n"
    "One run per point of the cartesian grid of the --vary values, all with the same\n"
    "seeds (common random numbers), so points differ only by what was varied. Each\n"
    "point gets its paired difference from the baseline with a paired 95% CI.\n"
    "Named variants (each any number of changes anywhere in the scenario) form one\n"
    "more axis, the slowest, crossed with the --vary axes.\n"
    "With SLOs (\"slos\" in the scenario, or --set 'slos=[...]') the sweep recommends\n"
    "a setting: the points that meet every SLO with 95% confidence and, among them,\n"
    "the cheapest (fewest extra attempts per request), against the baseline.\n"
    "\n"
    "sweep options (plus every `relsim run` option):\n"
    "      --vary PATH=a,b,c    values to try (repeatable: the grid is the product)\n"
    "      --vary PATH=lo:hi:step  a range, hi included when on the grid\n"
    "      --variant 'NAME:PATH=V;PATH=V'  a named variant: these changes together\n"
    "                           (repeatable; NAME alone: the scenario unchanged)\n"
    "      --variants FILE      variants from a JSON file (docs/COMPARING.md), e.g.\n"
    "                           scenarios/sweeps/retry-storm-remedies.json\n"
    "      --baseline K         the point to compare against: index (default 0), a\n"
    "                           variant's NAME, or PATH=VALUE,... (variant=NAME too)\n"
    "      --objective M[:max|min]  rank points by a client metric, e.g.\n"
    "                           request_success:max (default), latency_p99:min;\n"
    "                           repeat it or give a comma list to rank on several\n"
    "                           at once (a table each, confident ranks, the front)\n"
    "      --outcome 'M<X'      the share of replications where a metric is < <= > >= X,\n"
    "                           with a 95% Clopper-Pearson CI per point, e.g.\n"
    "                           'clients.web.request_success<0.5' (--set warmup=T\n"
    "                           to judge only [T, horizon])\n";

static const char *sweep_example =
    "\n"
    "example:\n"
    "  relsim sweep scenarios/retry-storm.json --set warmup=100 \\\n"
    "      --variants scenarios/sweeps/retry-storm-remedies.json \\\n"
    "      --objective request_success,latency_p99,attempts_per_request\n"
    "  relsim sweep scenarios/default.json --vary clients.web.retry.max_attempts=1,2,3,5\n";

static int usage_error(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "relsim %s: %s%s%s (see relsim %s --help)\n", cmd, msg, arg ? " " : "",
            arg ? arg : "", cmd);
    return EXIT_USAGE;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int push(char ***arr, int *n, char *v)
{
    char **a = realloc(*arr, (size_t)(*n + 1) * sizeof *a);
    if (!a)
        return -1;
    a[(*n)++] = v;
    *arr = a;
    return 0;
}

/* The value of option ARGV[*I]: "--opt=v" or the next argument. */
static const char *value_of(int argc, char **argv, int *i, const char *eq)
{
    if (eq)
        return eq + 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int is(const char *a, const char *s, const char *l, const char **eq)
{
    size_t n = strlen(l);
    *eq = NULL;
    if ((s && !strcmp(a, s)) || !strcmp(a, l))
        return 1;
    if (!strncmp(a, l, n) && a[n] == '=') {
        *eq = a + n;
        return 1;
    }
    if (s && !strncmp(a, s, 2) && a[2]) { /* "-j2": value attached */
        *eq = a + 1;
        return 1;
    }
    return 0;
}

int runopts_parse(runopts *o, int argc, char **argv, int sweep)
{
    const char *cmd = sweep ? "sweep" : "run", *eq, *v;
    memset(o, 0, sizeof *o);
    o->max_replications = 10000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long n;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(sweep ? sweep_help : run_help, stdout);
            if (sweep)
                fputs("\n(the run options:)\n", stdout), fputs(strstr(run_help, "options:"), stdout);
            fputs(sweep ? sweep_example : run_example, stdout);
            return 1;
        }
#define NEED(name) if (!(v = value_of(argc, argv, &i, eq))) return usage_error(cmd, "missing value for", name)
        if (is(a, "-o", "--out", &eq)) {
            NEED("--out");
            o->out = v;
        } else if (is(a, "-r", "--replications", &eq)) {
            NEED("--replications");
            if (parse_long(v, 1, 1000000, &n))
                return usage_error(cmd, "--replications takes a whole number from 1 to 1000000, got", v);
            o->replications = n;
        } else if (is(a, "-s", "--seed", &eq)) {
            NEED("--seed");
            o->seed = v;
        } else if (is(a, "-j", "--jobs", &eq)) {
            NEED("--jobs");
            if (parse_long(v, 1, 1024, &n))
                return usage_error(cmd, "--jobs takes a whole number from 1 to 1024, got", v);
            o->jobs = (int)n;
        } else if (is(a, NULL, "--horizon", &eq)) {
            NEED("--horizon");
            o->horizon = v;
        } else if (is(a, NULL, "--set", &eq)) {
            NEED("--set");
            if (!strchr(v, '='))
                return usage_error(cmd, "--set takes PATH=VALUE, got", v);
            if (push(&o->sets, &o->nsets, (char *)v))
                return usage_error(cmd, "out of memory", NULL);
        } else if (is(a, NULL, "--precision", &eq)) {
            NEED("--precision");
            char *end;
            o->precision = strtod(v, &end);
            if (end == v || *end || !(o->precision > 0 && o->precision < 1))
                return usage_error(cmd, "--precision takes a relative half-width in (0,1), e.g. 0.01, got", v);
        } else if (is(a, NULL, "--max-replications", &eq)) {
            NEED("--max-replications");
            if (parse_long(v, 2, 1000000, &n))
                return usage_error(cmd, "--max-replications takes a whole number from 2 to 1000000, got", v);
            o->max_replications = n;
        } else if (!strcmp(a, "--json")) {
            o->json = 1;
        } else if (!strcmp(a, "--no-plots")) {
            o->no_plots = 1;
        } else if (!strcmp(a, "--require-plots")) {
            o->require_plots = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else if (sweep && is(a, NULL, "--vary", &eq)) {
            NEED("--vary");
            if (!strchr(v, '='))
                return usage_error(cmd, "--vary takes PATH=V1,V2,... or PATH=lo:hi:step, got", v);
            if (push(&o->varies, &o->nvaries, (char *)v))
                return usage_error(cmd, "out of memory", NULL);
        } else if (sweep && is(a, NULL, "--baseline", &eq)) {
            NEED("--baseline");
            o->baseline = v;
        } else if (sweep && is(a, NULL, "--objective", &eq)) {
            NEED("--objective");
            if (push(&o->objectives, &o->nobjectives, (char *)v))
                return usage_error(cmd, "out of memory", NULL);
        } else if (sweep && is(a, NULL, "--variant", &eq)) {
            NEED("--variant");
            if (push(&o->variants, &o->nvariants, (char *)v))
                return usage_error(cmd, "out of memory", NULL);
        } else if (sweep && is(a, NULL, "--variants", &eq)) {
            NEED("--variants");
            if (o->variants_file)
                return usage_error(cmd, "--variants is given twice; put all variants in one file, or add --variant", NULL);
            o->variants_file = v;
        } else if (sweep && is(a, NULL, "--outcome", &eq)) {
            NEED("--outcome");
            o->outcome = v;
        } else if (a[0] == '-' && a[1]) {
            return usage_error(cmd, "unknown option", a);
        } else if (!o->scenario) {
            o->scenario = a;
        } else {
            return usage_error(cmd, "more than one scenario file:", a);
        }
#undef NEED
    }
    if (!o->scenario)
        return usage_error(cmd, "missing SCENARIO.json", NULL);
    if (sweep && o->nvaries == 0 && o->nvariants == 0 && !o->variants_file)
        return usage_error(cmd, "nothing to vary: give at least one --vary PATH=V1,V2,..., --variant or --variants", NULL);
    if (o->jobs == 0)
        o->jobs = runner_cores();
    return 0;
}

void runopts_free(runopts *o)
{
    free(o->sets);
    free(o->varies);
    free(o->objectives);
    free(o->variants);
    o->sets = o->varies = o->objectives = o->variants = NULL;
}

static int set_kv(loader_doc *d, const char *key, const char *val, const char *opt, FILE *err)
{
    char *buf = NULL; /* any length: a truncated value would be another value */
    if (asprintf(&buf, "%s=%s", key, val) < 0) {
        fprintf(err, "%s %s: out of memory\n", opt, val);
        return -1;
    }
    int rc = loader_set_as(d, buf, opt, err);
    free(buf);
    return rc;
}

loader_doc *runopts_load(const runopts *o, FILE *err)
{
    loader_doc *d = loader_open(o->scenario, err);
    if (!d)
        return NULL;
    char rep[32];
    snprintf(rep, sizeof rep, "%ld", o->replications);
    if ((o->seed && set_kv(d, "seed", o->seed, "--seed", err)) ||
        (o->horizon && set_kv(d, "horizon", o->horizon, "--horizon", err)) ||
        (o->replications && set_kv(d, "replications", rep, "--replications", err))) {
        loader_close(d);
        return NULL;
    }
    for (int i = 0; i < o->nsets; i++)
        if (loader_set(d, o->sets[i], err)) {
            loader_close(d);
            return NULL;
        }
    return d;
}

void runopts_default_out(char *buf, size_t n, const char *name)
{
    char safe[65];
    size_t k = 0;
    for (const char *p = name; *p && k < sizeof safe - 1; p++) {
        unsigned char ch = (unsigned char)*p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '-' || ch == '_' || (ch == '.' && k > 0);
        safe[k++] = ok ? (char)ch : '_';
    }
    safe[k] = '\0';
    if (k == 0 || !strcmp(safe, "..") || !strcmp(safe, "."))
        strcpy(safe, "scenario");
    snprintf(buf, n, "out/%s", safe);
}
