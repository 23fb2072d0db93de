/* fuzz_loader.c - libFuzzer harness for the scenario loader.
 *
 * Input: the bytes of a scenario file.  Each input goes through
 * loader_open_text() and loader_build() (every syntax, schema and range
 * check and every error message with its caret), then the queries the CLI
 * makes on a document (effective JSON, clone, get/locate of a few paths).
 * A scenario that builds and is small is also simulated briefly: its
 * horizon clamped, limits.max_events and limits.max_in_flight tightened, two
 * replications on one thread, then the model check and results.json built
 * in memory, so odd but valid configurations reach the models too.
 *
 * What counts as a bug: any sanitizer report, a crash, a leak, a hang
 * (libFuzzer -timeout), or a NaN/inf number in the results.json tree.
 *
 * Seeds: the JSON files of scenarios/ and tests/bad/, and tests/fuzz/regressions/fuzz_loader/
 * (see tests/fuzz/run.sh and `make fuzz`).
 */
#include "app/execute.h"
#include "loader/loader.h"
#include "app/modelcheck.h"
#include "app/results.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *sink; /* error messages go here (/dev/null) */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sink = fopen("/dev/null", "w");
    if (!sink)
        sink = stderr;
    return 0;
}

/* Small enough to simulate a little of it in a few milliseconds? */
static int small_model(const scenario *s)
{
    long servers = 0, users = 0;
    if (s->npools > 8 || s->nclients > 8 || s->nevents > 64)
        return 0;
    for (int p = 0; p < s->npools; p++)
        servers += (long)s->pools[p].servers * s->pools[p].workers;
    for (int c = 0; c < s->nclients; c++)
        users += s->clients[c].arrival.users;
    return servers <= 256 && users <= 2000;
}

/* Every number in results.json must be finite: cJSON would print NaN and
 * infinities as null, hiding them, so the tree is checked, not the text.
 * (Undefined metrics are null by construction, never a NaN number.) */
static void check_finite(const cJSON *j)
{
    for (; j; j = j->next) {
        if (cJSON_IsNumber(j) && !isfinite(j->valuedouble)) {
            fprintf(stderr, "non-finite number %g in results.json at key '%s'\n", j->valuedouble,
                    j->string ? j->string : "(list element)");
            abort();
        }
        check_finite(j->child);
    }
}

static void simulate(scenario *s, const char *eff)
{
    if (s->horizon > 20)
        s->horizon = 20;
    if (s->warmup >= s->horizon)
        s->warmup = s->horizon / 2;
    if (s->bin > s->horizon)
        s->bin = 0;
    s->limits.max_events = 30000;
    if (s->limits.max_in_flight <= 0 || s->limits.max_in_flight > 5000)
        s->limits.max_in_flight = 5000;
    if (s->replications > 2)
        s->replications = 2;
    exec_result r;
    exec_result_init(&r, s);
    volatile sig_atomic_t stop = 0;
    exec_opts eo = {.jobs = 1, .quiet = 1, .stop = &stop, .label = "fuzz"};
    int st = exec_extend(&r, s->replications, &eo);
    mc_list mc;
    memset(&mc, 0, sizeof mc);
    if (r.nrec > 0)
        modelcheck_run(&r, &mc);
    results_meta meta = {.file = "<fuzz>", .effective_json = eff, .complete = st == WORLD_DONE,
                         .stop_reason = st == WORLD_DONE ? NULL : "stopped",
                         .requested = s->replications};
    cJSON *j = results_json(&r, &mc, &meta);
    check_finite(j);
    cJSON_Delete(j);
    mc_list_free(&mc);
    exec_result_free(&r);
}

static const char *const probe_paths[] = {
    "name", "horizon", "pools[0]", "pools[0].service.rate", "clients[0].retry.backoff",
    "events[0].at", "limits", "pools.api.servers", "clients.web.timeout", NULL,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20)) /* the loader's own 64 MiB check is tested elsewhere */
        return 0;
    loader_doc *d = loader_open_text("<fuzz>", (const char *)data, size, sink);
    if (!d)
        return 0;
    for (int i = 0; probe_paths[i]; i++) {
        int line, col;
        free(loader_get_json(d, probe_paths[i]));
        loader_locate(d, probe_paths[i], &line, &col);
    }
    loader_doc *copy = loader_clone(d);
    char *eff = loader_effective_json(d);
    scenario s;
    if (loader_build(copy ? copy : d, &s, sink) == 0) {
        if (small_model(&s))
            simulate(&s, eff);
        scenario_free(&s);
    }
    free(eff);
    loader_close(copy);
    loader_close(d);
    return 0;
}
