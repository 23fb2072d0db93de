/* test_sweep_read.c - sweep.json read point by point (plots/sweep_read.h)
 * must answer every question the figures ask exactly as the whole document
 * parsed by cJSON does, on a real sweep.json (tests/fixtures/sweep1) and on
 * hostile text (brackets and quotes inside strings, an older diff layout),
 * and must report a syntax error at the line and column cJSON gives for the
 * whole document (in what it parses; what no figure uses is passed over). */
#include "tests/testutil.h"
#include "tests/same_stat.h"

#include "plots/plot_metrics.h"
#include "plots/sweep_read.h"
#include "util/fsutil.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fixtures[4096];

/* What the figures asked of the whole document before: points[P].KIND.ENT.M,
 * or for a difference points[P].diff.KIND.ENT.M, then points[P].diff.ENT.M. */
static int whole_stat(const cJSON *doc, int p, int diff, const char *kind, const char *ent, const char *m,
                      rd_stat *s)
{
    const cJSON *pt = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "points"), p);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(pt, "diff");
#define AT(o, k) cJSON_GetObjectItemCaseSensitive((o), (k))
    if (!diff)
        return swr_stat_json(AT(AT(AT(pt, kind), ent), m), s);
    if (swr_stat_json(AT(AT(AT(d, kind), ent), m), s) == 0)
        return 0;
    return swr_stat_json(AT(AT(d, ent), m), s);
#undef AT
}

/* Every headline statistic of every point of the document at PATH, read
 * both ways.  Returns how many were compared. */
static int compare_all(const char *path, const char *const *ents, int nents)
{
    char err[4300];
    size_t len;
    char *text = fs_read_file(path, (size_t)1 << 30, &len);
    assert_non_null(text);
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1), *rest; /* as the whole read was */
    free(text);
    assert_non_null(doc);
    swr_points *pts;
    assert_int_equal(swr_open(path, &rest, &pts, err, sizeof err), 0);
    int npts = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "points")), compared = 0;
    assert_int_equal(swr_count(pts), npts);
    assert_null(cJSON_GetObjectItemCaseSensitive(rest, "points"));
    static const char *const kinds[2] = {"pools", "clients"};
    for (int p = 0; p < npts; p++) {
        const cJSON *pt = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "points"), p);
        const cJSON *dir = cJSON_GetObjectItemCaseSensitive(pt, "dir");
        assert_true(cJSON_IsString(dir) ? swr_dir(pts, p) && !strcmp(swr_dir(pts, p), dir->valuestring)
                                        : !swr_dir(pts, p));
        assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(pt, "values"), swr_values(pts, p), 1) ||
                    (!cJSON_GetObjectItemCaseSensitive(pt, "values") && !swr_values(pts, p)));
        for (int k = 0; k < 2; k++)
            for (int e = 0; e < nents; e++)
                for (int i = 0; metric_at(i); i++)
                    for (int diff = 0; diff < 2; diff++) {
                        rd_stat a, b;
                        int ra = whole_stat(doc, p, diff, kinds[k], ents[e], metric_at(i)->name, &a);
                        int rb = swr_stat(pts, p, diff, kinds[k], ents[e], metric_at(i)->name, &b);
                        if (!metric_at(i)->headline) {
                            assert_int_equal(rb, -1); /* only what the figures use is kept */
                            continue;
                        }
                        if (ra != rb || (ra == 0 && !same_stat(&a, &b)))
                            print_message("FAIL point %d %s %s %s diff %d: %d vs %d\n", p, kinds[k], ents[e],
                                          metric_at(i)->name, diff, ra, rb);
                        assert_int_equal(ra, rb);
                        assert_true(ra != 0 || same_stat(&a, &b));
                        compared += ra == 0;
                    }
    }
    for (int k = 0; k < 2; k++) {
        const cJSON *first = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "points"), 0), kinds[k]);
        int n = 0;
        for (const cJSON *e = first ? first->child : NULL; e; e = e->next, n++)
            assert_string_equal(swr_entity(pts, kinds[k], n), e->string);
        assert_null(swr_entity(pts, kinds[k], n));
    }
    cJSON_Delete(doc);
    cJSON_Delete(rest);
    swr_free(pts);
    return compared;
}

static void test_fixture(void **state)
{
    (void)state;
    char path[4200];
    static const char *const ents[] = {"api", "web", "db", "nobody"};
    snprintf(path, sizeof path, "%s/sweep1/sweep.json", fixtures);
    int n = compare_all(path, ents, 4);
    print_message("%d statistics compared\n", n);
    assert_true(n >= 8 * 2 * 5); /* 8 points, value and difference, >= 5 headline metrics */
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Brackets, braces and escaped quotes inside strings; an older file's
 * diff.ENT.METRIC; a null index; CRLF; objectives pruned; outcome dropped. */
static const char hostile[] =
    "{\r\n \"vary\" : [\"a\\\"]}\"],\"objectives\":[{\"metric\":\"m\",\"points\":[{\"index\":1,\"mean\":2,"
    "\"confident_rank\":3,\"vs_baseline\":\"better\",\"beaten_by\":[0]}]}],\r\n"
    "\"points\":[ {\"index\":null,\"dir\":\"p\\\"{0\",\"values\":{\"a\\\"]}\":\"x]}\\\\\"},"
    "\"pools\":{\"api\":{\"server_availability\":{\"mean\":0.5,\"ci95\":[0.25,0.75],\"n\":2}}},"
    "\"clients\":{\"we}b\":{\"request_success\":{\"mean\":null,\"ci95\":[null,1]}}},"
    "\"diff\":{\"we}b\":{\"request_success\":{\"mean\":-0.125,\"ci95\":[-0.5,0.25]}}}} ,"
    "{\"index\":7,\"diff\":{\"clients\":{\"we}b\":{\"request_success\":{\"mean\":1e-3,\"ci95\":[0,2e-3]}}}}}"
    "],\"outcome\":{\"points\":[1,2,3]},\"baseline\":1}\r\n";

static void test_hostile(void **state)
{
    (void)state;
    char path[] = "/tmp/relsim_swr_XXXXXX", err[4300];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    put(path, hostile);
    static const char *const ents[] = {"api", "we}b", "a\"]}"};
    assert_int_equal(compare_all(path, ents, 3), 5); /* api value; we}b value, its older diff (asked as a pool and as a client); point 1 diff */
    cJSON *rest;
    swr_points *pts;
    assert_int_equal(swr_open(path, &rest, &pts, err, sizeof err), 0);
    assert_true(isnan(swr_index(pts, 0, -1)));
    assert_true(swr_index(pts, 1, -1) == 7);
    assert_true(swr_index(pts, 2, -1) == -1);
    assert_string_equal(swr_dir(pts, 0), "p\"{0");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(swr_values(pts, 0), "a\"]}")->valuestring, "x]}\\");
    const cJSON *op = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rest, "objectives"), 0), "points"), 0);
    assert_int_equal(cJSON_GetArraySize(op), 3); /* index, confident_rank, vs_baseline */
    assert_true(cJSON_GetObjectItemCaseSensitive(op, "confident_rank")->valuedouble == 3);
    assert_null(cJSON_GetObjectItemCaseSensitive(rest, "outcome"));
    assert_true(cJSON_GetObjectItemCaseSensitive(rest, "baseline")->valuedouble == 1);
    cJSON_Delete(rest);
    swr_free(pts);
    unlink(path);
}

/* cJSON takes every byte up to 0x20 for white space, NUL included: the
 * whole-document read took a sweep.json with such bytes between tokens,
 * before and after the document, and so must the reader. */
static void test_controls(void **state)
{
    (void)state;
    char in[4200], path[] = "/tmp/relsim_swr_XXXXXX";
    size_t len;
    snprintf(in, sizeof in, "%s/sweep1/sweep.json", fixtures);
    char *text = fs_read_file(in, (size_t)1 << 30, &len), *out = malloc(2 * len + 2);
    assert_true(text && out);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    static const char *const ents[] = {"api", "web", "db"};
    for (int nul = 0; nul < 2; nul++) { /* bytes 0x01-0x1f, then NUL too */
        size_t n = 0, k = 0;
        int str = 0, esc = 0;
        out[n++] = '\v';
        for (size_t i = 0; i < len; i++) {
            char c = text[i];
            out[n++] = c;
            if (str && esc)
                esc = 0;
            else if (str)
                esc = c == '\\', str = c != '"';
            else if (c == '"')
                str = 1;
            else if (strchr(",:[{", c)) /* after a separator: 0x01, 0x02, ... 0x1f, 0x00, 0x01, ... */
                out[n++] = (char)(nul ? k++ % 32 : 1 + k++ % 31);
        }
        out[n++] = nul ? '\0' : '\x1f';
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(out, 1, n, f), n);
        assert_int_equal(fclose(f), 0);
        int compared = compare_all(path, ents, 3);
        print_message("%zu control bytes added (NUL %s): %d statistics compared\n", k + 2, nul ? "too" : "not",
                      compared);
        assert_true(compared >= 8 * 2 * 5);
    }
    /* NUL inside strings (a key, a value): cJSON reads up to the file's length */
    static const char in_str[] = "{\"points\":[{\"dir\":\"p\0x\",\"values\":{\"a\0b\":\"c\0\"},\"clients\":"
                                 "{\"w\":{\"request_success\":{\"mean\":0.5},\"\0\":1}}}]}";
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(in_str, 1, sizeof in_str - 1, f), sizeof in_str - 1);
    assert_int_equal(fclose(f), 0);
    static const char *const w[] = {"w"};
    assert_int_equal(compare_all(path, w, 1), 1);
    free(text);
    free(out);
    unlink(path);
}

/* "PATH:LINE:COL: not valid JSON" where cJSON stops in the whole TEXT. */
static void whole_error(const char *path, const char *text, char *out, size_t n)
{
    const char *end = NULL;
    cJSON *d = cJSON_ParseWithLengthOpts(text, strlen(text) + 1, &end, 1);
    assert_null(d);
    int line = 1, col = 1;
    for (const char *c = text; end && c < end; c++)
        if (*c == '\n')
            line++, col = 1;
        else
            col++;
    snprintf(out, n, "%s:%d:%d: not valid JSON", path, line, col);
}

static void test_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"points\": [{\"index\": 1},\n {\"index\": 2,,}]}",
        "{\"points\": [{\"index\": 1}\n {\"index\": 2}]}",
        "{\"vary\": [\"a\"],\n\"baseline\": tru}",
        "{\"vary\": [\"a\"]\n\"baseline\": 1}",
        "{\"points\": [{\"dir\": \"p0\"}]}\n x",
        "{\"points\": [{\"dir\": \"p0\\\"}]}\n",
        "{\"points\": [{\"dir\": \"p0\"}]\n",
        "{\"objectives\": [{\"points\": [1, ]}]}",
        "{\"a\" 1}",
        "{\"a\": {\"b\": [1, 2}}",
        "{\"points\": [{\"dir\": \"p0\"}]}\x01\x02 x",
        "{\"points\": [{\"index\": 1\x01 x}]}",
        "{\"points\": [{\"index\":\x01 tru\x01e}]}",
        "{\"baseline\": 1\x7f}",
        "",
    };
    char path[] = "/tmp/relsim_swr_XXXXXX", err[4300], want[4300];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *rest;
        swr_points *pts;
        put(path, bad[i]);
        whole_error(path, bad[i], want, sizeof want);
        assert_int_equal(swr_open(path, &rest, &pts, err, sizeof err), -1);
        print_message("%s | expected %s\n", err, want);
        assert_null(rest);
        assert_null(pts);
        assert_string_equal(err, want);
    }
    /* a value no figure uses is passed over: unbalanced brackets there are
     * still an error (somewhere after them), a spoiled word is not seen */
    cJSON *rest;
    swr_points *pts;
    put(path, "{\"points\": [{\"index\": 1, \"diff_unpaired_ci95\": {\"a\": [1}}]}");
    assert_int_equal(swr_open(path, &rest, &pts, err, sizeof err), -1);
    print_message("%s\n", err);
    put(path, "{\"points\": [{\"index\": 1, \"complete\": tru, \"dir\": \"p1\"}]}");
    assert_int_equal(swr_open(path, &rest, &pts, err, sizeof err), 0);
    assert_string_equal(swr_dir(pts, 0), "p1");
    cJSON_Delete(rest);
    swr_free(pts);
    unlink(path);
    assert_int_equal(swr_open("/nonexistent/relsim/sweep.json", &rest, &pts, err, sizeof err), 1);
}

int main(void)
{
    const char *t = getenv("TESTS_DIR");
    snprintf(fixtures, sizeof fixtures, "%s/fixtures", t && *t ? t : "tests");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_controls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
