/* fuzz_set.c - libFuzzer harness for "PATH=VALUE" overrides: `--set`
 * (loader_set) and `sweep --vary` (the list and lo:hi:step parser of
 * app/sweep_axis.c, then loader_set_as(..., "--vary") for each value).
 *
 * Input: text, one command per line, applied in order to a copy of a fixed
 * scenario that uses every section of the format (BASE below):
 *
 *   S PATH=VALUE       loader_set()
 *   V PATH=V1,V2,...   the --vary parser; each value then applied to its own
 *   V PATH=lo:hi:step  clone of the document, and each clone built
 *   R ARGS... / W ARGS...  runopts_parse() of `relsim run` / `relsim sweep`
 *                      with those words (split on blanks) as arguments
 *   anything else      loader_set() too (so raw "--set" texts are seeds)
 *
 * After the lines, the document is built (the errors that name an override),
 * and queried at the last path seen.  A bug is any sanitizer report, crash,
 * leak or hang, or an override that fails but changes the document (the
 * documented rule is that a failed override changes nothing).
 */
#include "loader/loader.h"
#include "app/runopts.h"
#include "app/sweep_axis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;
static loader_doc *base;

static const char BASE[] =
    "{\"name\": \"fz\", \"seed\": 3, \"horizon\": 100, \"warmup\": 5, \"replications\": 2, \"bin\": 10,\n"
    " \"limits\": {\"max_in_flight\": 1000, \"max_events\": 100000},\n"
    " \"pools\": [\n"
    "  {\"name\": \"api\", \"servers\": 4, \"workers\": 2, \"queue_limit\": 10,\n"
    "   \"service\": {\"dist\": \"exponential\", \"rate\": 100},\n"
    "   \"failure\": {\"dist\": \"weibull\", \"shape\": 1.5, \"scale\": 100},\n"
    "   \"repair\": {\"dist\": \"gamma\", \"shape\": 2, \"scale\": 5}, \"repair_crews\": 1,\n"
    "   \"failure_mode\": \"hang\", \"quorum\": 2,\n"
    "   \"calls\": {\"target\": \"db\", \"timeout\": {\"p_timeout\": 0.01},\n"
    "             \"retry\": {\"max_attempts\": 2, \"retry_on\": [\"timeout\", \"error\"],\n"
    "                       \"budget\": {\"kind\": \"ratio\", \"percent\": 0.2}},\n"
    "             \"breaker\": {\"scope\": \"pool\", \"kind\": \"failure_rate\", \"window\": 20}}},\n"
    "  {\"name\": \"db\", \"servers\": 2, \"service\": {\"dist\": \"deterministic\", \"value\": 0.004},\n"
    "   \"failure\": {\"dist\": \"lognormal\", \"mu\": 5, \"sigma\": 1}}],\n"
    " \"clients\": [\n"
    "  {\"name\": \"web\", \"target\": \"api\", \"arrival\": {\"process\": \"poisson\", \"rate\": 50},\n"
    "   \"balancer\": \"p2c\", \"timeout\": 0.25, \"deadline\": 2,\n"
    "   \"retry\": {\"max_attempts\": 3, \"backoff\": {\"kind\": \"exponential\", \"base\": 0.01,\n"
    "              \"multiplier\": 2, \"cap\": 1, \"jitter\": \"full\"},\n"
    "             \"budget\": {\"kind\": \"token_bucket\", \"max_tokens\": 10, \"token_ratio\": 0.1}},\n"
    "   \"breaker\": {\"failure_threshold\": 5, \"open_for\": 1},\n"
    "   \"hedge\": {\"delay\": 0.05}, \"outlier\": {\"consecutive_errors\": 3}},\n"
    "  {\"name\": \"batch\", \"arrival\": {\"process\": \"closed\", \"users\": 5,\n"
    "   \"think\": {\"dist\": \"exponential\", \"rate\": 1}},\n"
    "   \"retry\": {\"backoff\": {\"kind\": \"exponential_random\", \"rate\": 10, \"t_max\": 0.5}}}],\n"
    " \"events\": [{\"at\": 10, \"kind\": \"fail\", \"pool\": \"db\", \"servers\": 1, \"duration\": 5},\n"
    "            {\"at\": 20, \"kind\": \"load\", \"client\": \"web\", \"multiplier\": 3, \"duration\": 5}]}\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sink = fopen("/dev/null", "w");
    if (!sink)
        sink = stderr;
    base = loader_open_text("<base>", BASE, sizeof BASE - 1, stderr);
    if (!base)
        abort(); /* the harness's own scenario must be valid */
    return 0;
}

/* Build D and throw the result away. */
static void build(const loader_doc *d)
{
    scenario s;
    if (loader_build(d, &s, sink) == 0)
        scenario_free(&s);
}

/* One --vary: parse it as the sweep does, apply each value to a clone. */
static void vary(const loader_doc *d, const char *arg)
{
    sw_axis a;
    FILE *saved = stderr;
    stderr = sink; /* the sweep parser reports on stderr */
    int rc = sweep_axis_parse(&a, arg);
    stderr = saved;
    if (rc == 0) {
        for (int i = 0; i < a.n && i < 16; i++) {
            char buf[4096];
            if (snprintf(buf, sizeof buf, "%s=%s", a.path, a.vals[i]) >= (int)sizeof buf)
                continue;
            loader_doc *c = loader_clone(d);
            if (!c)
                continue;
            if (loader_set_as(c, buf, "--vary", sink) == 0)
                build(c);
            loader_close(c);
        }
    }
    for (int k = 0; k < a.n; k++)
        free(a.vals[k]);
    free(a.vals);
    free(a.path);
}

/* One command line of `relsim run|sweep`: words split on spaces and tabs. */
static void options(char *line)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = line[0] == 'R' ? "run" : "sweep";
    for (char *w = strtok(line + 2, " \t"); w && argc < 63; w = strtok(NULL, " \t"))
        argv[argc++] = w;
    argv[argc] = NULL;
    runopts o;
    FILE *out = stdout, *err = stderr;
    stdout = stderr = sink; /* --help and usage errors */
    int rc = runopts_parse(&o, argc, argv, line[0] == 'W');
    stdout = out;
    stderr = err;
    (void)rc;
    runopts_free(&o); /* also after --help or a usage error (o was zeroed first) */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    loader_doc *d = loader_clone(base);
    char last_path[512] = "";
    int lines = 0;
    for (char *line = text, *next; d && line && lines < 32; line = next, lines++) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        const char *eq = strchr(line, '=');
        if (eq && (size_t)(eq - line) < sizeof last_path) {
            const char *p = line[0] && line[1] == ' ' ? line + 2 : line;
            if (p <= eq)
                snprintf(last_path, sizeof last_path, "%.*s", (int)(eq - p), p);
        }
        if (line[0] == 'V' && line[1] == ' ') {
            vary(d, line + 2);
            continue;
        }
        if ((line[0] == 'R' || line[0] == 'W') && line[1] == ' ') {
            options(line);
            continue;
        }
        /* docs/SCENARIO.md: "A failed override changes nothing." */
        char *before = loader_effective_json(d);
        if (loader_set(d, line[0] == 'S' && line[1] == ' ' ? line + 2 : line, sink) != 0) {
            char *after = loader_effective_json(d);
            if (before && after && strcmp(before, after) != 0) {
                fprintf(stderr, "a failed override changed the scenario: %s\n", line);
                abort();
            }
            free(after);
        }
        free(before);
    }
    if (d) {
        build(d);
        int l, c;
        free(loader_get_json(d, last_path));
        loader_locate(d, last_path, &l, &c);
        free(loader_effective_json(d));
    }
    loader_close(d);
    free(text);
    return 0;
}
