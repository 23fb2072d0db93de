/* fuzz_sweep_read.c - libFuzzer harness for the point-by-point sweep.json
 * reader (plots/sweep_read.c), which `relsim report DIR` runs on whatever
 * folder it is given: a hand-written scanner cuts the document into byte
 * ranges through a 64 kB window and hands each range to cJSON.
 *
 * Input: the bytes of a sweep.json.  They are read twice:
 *   - as they are, by swr_open();
 *   - after enough leading blanks that the 64 kB window ends inside the
 *     document (at a place chosen from the input).
 * Then every point, entity, headline metric and swept value is queried,
 * and the folder is opened as `relsim report` does (rd_open, then
 * report_build without gnuplot: every sweep figure's script and data,
 * every table of the report, and every int they take from the file
 * through rd_int, plots/plot_data.h).
 *
 * A bug is any sanitizer report, crash, leak or hang, and:
 *   - the padded and the plain read disagree (blanks before the document
 *     change nothing, wherever the window ends);
 *   - the reader rejects a document that cJSON accepts whole.  (The other
 *     way is allowed: what the figures do not use is passed over with
 *     only its brackets and strings checked, plots/sweep_read.h.)
 *     The whole document is parsed as the report read it before the
 *     scanner (cJSON_ParseWithLengthOpts over the file's length), NUL and
 *     control bytes included: cJSON takes every byte up to 0x20 for white
 *     space, and so does the scanner.  Left out of this check: inputs
 *     nested near cJSON's limit of 1000 levels (a point or objective,
 *     parsed alone, is one or two levels less deep than in the whole
 *     document, so it may pass where the whole fails).
 */
#include "plots/plot_data.h"
#include "plots/plot_metrics.h"
#include "plots/report.h"
#include "plots/sweep_read.h"
#include "tests/same_stat.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WINDOW 65536 /* SWR_WINDOW of plots/sweep_read.c */

static char dir[64], padded[128], plain[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "/tmp/fuzz_sweep_read.%ld", (long)getpid());
    snprintf(padded, sizeof padded, "%s/sweep.json", dir);
    snprintf(plain, sizeof plain, "%s/plain.json", dir);
    if (mkdir(dir, 0700) && errno != EEXIST)
        abort();
    return 0;
}

static int write_file(const char *path, size_t pad, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    for (size_t i = 0; i < pad; i++)
        putc(i % 61 == 60 ? '\t' : ' ', f); /* no newline: the column moves, the line does not */
    size_t w = fwrite(data, 1, size, f);
    return fclose(f) == 0 && w == size ? 0 : -1;
}

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_sweep_read: %s\n", what);
        abort();
    }
}

/* The deepest nesting of brackets outside strings. */
static int depth(const uint8_t *d, size_t n)
{
    int level = 0, max = 0, str = 0, esc = 0;
    for (size_t i = 0; i < n; i++) {
        if (str) {
            if (esc)
                esc = 0;
            else if (d[i] == '\\')
                esc = 1;
            else if (d[i] == '"')
                str = 0;
        } else if (d[i] == '"')
            str = 1;
        else if (d[i] == '[' || d[i] == '{')
            max = ++level > max ? level : max;
        else if (d[i] == ']' || d[i] == '}')
            level--;
    }
    return max;
}

/* Every question the sweep figures ask, of both reads. */
static void query(const swr_points *p, const swr_points *q)
{
    static const char *const kinds[2] = {"pools", "clients"};
    int n = swr_count(p);
    check(n == swr_count(q), "point counts differ");
    for (int i = -1; i <= n && i < 256; i++) {
        double a = swr_index(p, i, -7), b = swr_index(q, i, -7);
        check((isnan(a) && isnan(b)) || !memcmp(&a, &b, sizeof a), "indexes differ");
        const char *da = swr_dir(p, i), *db = swr_dir(q, i);
        check((!da && !db) || (da && db && !strcmp(da, db)), "dirs differ");
        const cJSON *va = swr_values(p, i), *vb = swr_values(q, i);
        check((!va && !vb) || cJSON_Compare(va, vb, 1), "values differ");
        for (int k = 0; k < 2; k++) {
            const char *ent;
            for (int e = 0; e < 64 && (ent = swr_entity(p, kinds[k], e)); e++) {
                const char *eb = swr_entity(q, kinds[k], e);
                check(eb && !strcmp(ent, eb), "entities differ");
                for (int m = 0; metric_at(m); m++)
                    for (int diff = 0; diff < 2; diff++) {
                        rd_stat sa, sb;
                        int ra = swr_stat(p, i, diff, kinds[k], ent, metric_at(m)->name, &sa);
                        int rb = swr_stat(q, i, diff, kinds[k], ent, metric_at(m)->name, &sb);
                        check(ra == rb && (ra || same_stat(&sa, &sb)), "statistics differ");
                    }
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    /* Where the first window ends: a place in the document chosen from its bytes. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    size_t split = size ? h % (size + 1) : 0, pad = split < WINDOW ? WINDOW - split : 0;
    if (write_file(plain, 0, data, size) || write_file(padded, pad, data, size))
        abort();

    char err[4096], perr[4096];
    cJSON *rest = NULL, *prest = NULL;
    swr_points *pts = NULL, *ppts = NULL;
    int rc = swr_open(plain, &rest, &pts, err, sizeof err);
    check(rc == 0 || rc == -1, "swr_open: unexpected return");
    check(rc != -1 || strstr(err, "not valid JSON"), "swr_open: error without a position");
    int prc = swr_open(padded, &prest, &ppts, perr, sizeof perr);
    check(prc == rc, "padding changed whether the file reads");
    check(rc || cJSON_Compare(rest, prest, 1), "padding changed the other members");

    if (depth(data, size) < CJSON_NESTING_LIMIT - 2) {
        char *text = malloc(size + 1);
        if (!text)
            abort();
        memcpy(text, data, size);
        text[size] = '\0';
        cJSON *whole = cJSON_ParseWithLengthOpts(text, size + 1, NULL, 1);
        check(!whole || rc == 0, "rejected a document cJSON accepts whole");
        cJSON_Delete(whole);
        free(text);
    }
    if (rc == 0) {
        query(pts, ppts);
        rd_run *r = rd_open(dir, err, sizeof err); /* reads the padded copy, dir/sweep.json */
        check(r && rd_has(r, RD_SWEEP), "rd_open refused a sweep.json swr_open reads");
        rd_free(r);
        check(report_build(dir, NULL, 0, 0, NULL) == REPORT_OK, "report_build failed");
    }
    swr_free(pts);
    swr_free(ppts);
    cJSON_Delete(rest);
    cJSON_Delete(prest);
    return 0;
}
