/* fuzz_variants.c - libFuzzer harness for a sweep's variants file
 * (`relsim sweep --variants FILE`, app/sweep_variant.c).
 *
 * Input: the bytes of a variants file.  Each input is written to a
 * temporary file and read by sweep_variants_parse() (the loader's reading
 * and syntax checks through loader_open_as, the file's shape, names,
 * duplicates, baseline, and the located messages with carets); a file that
 * parses has every variant applied to its own clone of a fixed scenario
 * (loader_set_as with the file:line:col origin) and built, as a sweep
 * builds its points, and its sweep.json "variants" array made.
 *
 * What counts as a bug: any sanitizer report, a crash, a leak, a hang.
 */
#include "app/sweep_variant.h"
#include "loader/loader.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;
static loader_doc *base;
static char path[64] = "/tmp/fuzz_variants.XXXXXX";

static const char BASE[] =
    "{\"name\": \"fz\", \"seed\": 3, \"horizon\": 10, \"replications\": 2,\n"
    " \"pools\": [{\"name\": \"api\", \"servers\": 4, \"queue_limit\": 50,\n"
    "            \"service\": {\"dist\": \"exponential\", \"rate\": 100}}],\n"
    " \"clients\": [{\"name\": \"web\", \"target\": \"api\", \"timeout\": 0.2,\n"
    "              \"arrival\": {\"process\": \"poisson\", \"rate\": 200},\n"
    "              \"retry\": {\"max_attempts\": 4}}],\n"
    " \"events\": [{\"at\": 5, \"kind\": \"load\", \"client\": \"web\", \"multiplier\": 3, \"duration\": 2}]}\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sink = fopen("/dev/null", "w");
    if (!sink)
        sink = stderr;
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    close(fd);
    base = loader_open_text("<base>", BASE, sizeof BASE - 1, stderr);
    if (!base)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    size_t wrote = fwrite(data, 1, size, f);
    fclose(f);
    if (wrote != size)
        return 0;
    sw_variants vs;
    if (sweep_variants_parse(&vs, path, NULL, 0, sink) == 0) {
        for (int i = 0; i < vs.n; i++) {
            loader_doc *d = loader_clone(base);
            scenario s;
            if (d && sweep_variant_apply(&vs.v[i], d, sink) == 0 && loader_build(d, &s, sink) == 0)
                scenario_free(&s);
            loader_close(d);
            (void)sweep_variants_find(&vs, vs.v[i].name);
            (void)sweep_variant_overwritten(&vs.v[i], "pools.api");
        }
        cJSON_Delete(sweep_variants_json(&vs));
    }
    sweep_variants_free(&vs);
    return 0;
}
