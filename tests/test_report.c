/* test_report.c - plots and reports: quoting and escaping, CSV/JSON readers,
 * SVG cleaning, and report_build() on copies of tests/fixtures (run and
 * sweep), with hostile scenario text, without gnuplot, with files missing. */
#include "tests/testutil.h"

#include "util/fsutil.h"
#include "plots/gp.h"
#include "plots/plot_data.h"
#include "plots/plot_svg.h"
#include "plots/plot_table.h"
#include "plots/report.h"
#include "plots/report_writer.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static char fixtures[4096];

/* ---- helpers ---------------------------------------------------------- */

/* A fresh temporary folder holding a copy of fixture NAME; caller frees
 * with rm_tree(). */
static char *copy_fixture(const char *name)
{
    char *dir = strdup("/tmp/relsim_report_test_XXXXXX"), cmd[9000];
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "cp -r '%s/%s' '%s/out'", fixtures, name, dir);
    assert_int_equal(system(cmd), 0);
    return dir;
}

/* A fresh temporary folder with an empty output folder OUT in it; caller
 * frees with rm_tree(). */
static char *empty_outdir(char *out, size_t n)
{
    char *dir = strdup("/tmp/relsim_report_test_XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(out, n, "%s/out", dir);
    assert_int_equal(mkdir(out, 0700), 0);
    return dir;
}

static void rm_tree(char *dir)
{
    char cmd[4200];
    assert_int_equal(strncmp(dir, "/tmp/relsim_report_test_", 24), 0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(dir);
}

static char *read_in(const char *dir, const char *name)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *s = fs_read_file(path, (size_t)64 << 20, NULL);
    if (!s)
        print_message("cannot read %s\n", path);
    return s;
}

static int exists_in(const char *dir, const char *name)
{
    char path[4400];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

/* Text of a FILE* log (rewound). */
static char *log_text(FILE *log)
{
    static char buf[65536];
    size_t n;
    rewind(log);
    n = fread(buf, 1, sizeof buf - 1, log);
    buf[n] = '\0';
    return buf;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* Fail if HTML refers to anything outside itself: every http:// or https://
 * must be the value of an SVG xmlns attribute; no src attribute, <link,
 * @import, <script, <iframe, <object, <embed (escaped text cannot form
 * them: < and " are entities). */
static void assert_self_contained(const char *html)
{
    int allowed = count(html, "xmlns=\"http://www.w3.org/2000/svg\"") +
                  count(html, "xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
    int any = count(html, "http://") + count(html, "https://");
    print_message("external-looking URLs %d, of them SVG xmlns %d\n", any, allowed);
    assert_int_equal(any, allowed);
    assert_int_equal(count(html, "src=\"//"), 0);
    assert_int_equal(count(html, "src=\""), 0); /* no src attribute at all */
    assert_int_equal(count(html, "src='"), 0);
    static const char *const bad[] = {"<script", "<link", "@import", "<iframe", "<object",
                                      "<embed", "javascript:"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *hit = NULL;
        for (const char *p = html; *p && !hit; p++)
            if (!strncasecmp(p, bad[i], strlen(bad[i])))
                hit = p;
        if (hit)
            print_message("unexpected %s at: %.60s\n", bad[i], hit);
        assert_null(hit);
    }
}

/* Every NAME.gp in PLOTS has a NAME.svg > 2 KB with <svg and a <path. */
static int assert_figures_rendered(const char *plots)
{
    DIR *d = opendir(plots);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".gp"))
            continue;
        char svg[600], path[4800];
        struct stat st;
        snprintf(svg, sizeof svg, "%.*s.svg", (int)(len - 3), e->d_name);
        snprintf(path, sizeof path, "%s/%s", plots, svg);
        assert_int_equal(stat(path, &st), 0);
        print_message("%-40s %7lld bytes\n", svg, (long long)st.st_size);
        assert_true(st.st_size > 2048);
        char *s = read_in(plots, svg);
        assert_non_null(s);
        assert_non_null(strstr(s, "<svg"));
        assert_non_null(strstr(s, "<path"));
        free(s);
        n++;
    }
    closedir(d);
    return n;
}

/* ---- unit tests ------------------------------------------------------- */

static void test_gp_quote(void **state)
{
    char b[64];
    assert_string_equal(gp_quote(b, sizeof b, "plain"), "'plain'");
    assert_string_equal(gp_quote(b, sizeof b, "it's"), "'it''s'");
    assert_string_equal(gp_quote(b, sizeof b, "a\nb\tc\x7f"), "'abc'");
    assert_string_equal(gp_quote(b, sizeof b, "`x` \"$(y)\""), "'`x` \"$(y)\"'");
    assert_string_equal(gp_quote(b, 8, "abcdefgh"), "'abcde'");
    assert_string_equal(gp_quote(b, 7, "ab\xc3\xa9xyz"), "'ab\xc3\xa9'");
    assert_string_equal(gp_quote(b, 6, "ab\xc3\xa9xyz"), "'ab'"); /* no cut UTF-8 */
    assert_string_equal(gp_quote(b, 6, "a'''"), "'a'''"); /* never a lone quote */
    assert_string_equal(gp_quote(b, sizeof b, NULL), "''");
}

static char *escaped(int md, int table, const char *text)
{
    static char *buf;
    size_t len;
    free(buf);
    FILE *f = open_memstream(&buf, &len);
    if (md)
        rw_md_escape(f, text, table);
    else
        rw_html_escape(f, text);
    fclose(f);
    return buf;
}

static void test_escape(void **state)
{
    assert_string_equal(escaped(0, 0, "<a href='x'>&\"</a>"),
                        "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    assert_string_equal(escaped(0, 0, "a: http://x"), "a: http&#58;//x");
    assert_string_equal(escaped(1, 1, "a|b `c` <d> *e* [f](g)\nh"),
                        "a\\|b \\`c\\` &lt;d&gt; \\*e\\* \\[f\\](g) h");
    assert_string_equal(escaped(1, 0, "see http://x.org and www.y.com"),
                        "see http:\xe2\x80\x8b//x.org and www.\xe2\x80\x8by.com");
    assert_null(strchr(escaped(1, 0, "<script>alert(1)</script>"), '<'));
}

/* A cell aligns as its column's header: "10" in a left column stays left
 * (a key/value table had its numbers right, its texts left), text in a
 * right column goes right. */
static void test_table_align(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    rw_doc d = {.html = f};
    static const char *const hdr[3] = {"item", "value", "mean"};
    static const char *const cells[3] = {"seed", "10", "baseline"};
    rw_table_begin(&d, 3, hdr, "llr");
    rw_table_row(&d, cells, "agrees", 2);
    rw_table_end(&d);
    fclose(f);
    print_message("%s", buf);
    assert_non_null(strstr(buf, "<th>value</th><th class=\"r\">mean</th>"));
    assert_non_null(strstr(buf, "<tr><td>seed</td><td>10</td><td class=\"r agrees\">baseline</td></tr>"));
    free(buf);
}

static void test_svg_clean(void **state)
{
    const char *in = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg xmlns=\"http://www.w3.org/2000/svg\">"
                     "<title>Gnuplot</title><defs><path id='gpPt1' d='M0,0'/></defs>"
                     "<script>alert(1)</script><g id=\"a\"><use xlink:href='#gpPt1'/>"
                     "<SCRIPT type=\"x\">bad()</SCRIPT><rect fill=\"url(#grad)\" grid=\"1\"/></g></svg>";
    char *out = svg_clean(in, "f-x");
    assert_non_null(out);
    print_message("%s\n", out);
    assert_int_equal(strncmp(out, "<svg", 4), 0);
    assert_null(strcasestr(out, "script"));
    assert_null(strstr(out, "alert"));
    assert_null(strstr(out, "<title>"));
    assert_non_null(strstr(out, "id='f-x-gpPt1'"));
    assert_non_null(strstr(out, "xlink:href='#f-x-gpPt1'"));
    assert_non_null(strstr(out, "id=\"f-x-a\""));
    assert_non_null(strstr(out, "url(#f-x-grad)"));
    assert_non_null(strstr(out, "grid=\"1\"")); /* not an id attribute */
    free(out);
    assert_null(svg_clean("no svg here", "p"));
}

static void test_table(void **state)
{
    char *dir = strdup("/tmp/relsim_report_test_XXXXXX"), path[4200];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.csv", dir);
    const char *csv = "a,b,c\r\n1,,x\r\n\r\n2.5,3\n,abc,7e-3";
    assert_int_equal(fs_write_atomic(path, csv, strlen(csv)), 0);
    tab_table *t = tab_load(path);
    assert_non_null(t);
    assert_int_equal(tab_rows(t), 3);
    assert_int_equal(tab_cols(t), 3);
    assert_int_equal(tab_col(t, "c"), 2);
    assert_int_equal(tab_col(t, "zz"), -1);
    assert_close(tab_num(t, 0, 0), 1, 0);
    assert_true(isnan(tab_num(t, 0, 1)));     /* empty */
    assert_string_equal(tab_str(t, 0, 2), "x");
    assert_true(isnan(tab_num(t, 0, 2)));     /* not a number */
    assert_close(tab_num(t, 1, 1), 3, 0);
    assert_string_equal(tab_str(t, 1, 2), ""); /* short row */
    assert_close(tab_num(t, 2, 2), 0.007, 1e-15);
    assert_true(isnan(tab_num(t, 9, 0)));      /* out of range */
    tab_free(t);
    snprintf(path, sizeof path, "%s/missing.csv", dir);
    assert_null(tab_load(path));
    tab_free(NULL);
    rm_tree(dir);
}

static void test_rundata(void **state)
{
    char err[4300], path[4200];
    snprintf(path, sizeof path, "%s/run1", fixtures);
    rd_run *r = rd_open(path, err, sizeof err);
    assert_non_null(r);
    assert_true(rd_has(r, RD_RESULTS) && rd_has(r, RD_SCENARIO) && !rd_has(r, RD_SWEEP));
    assert_close(rd_num(r, RD_SCENARIO, 0, "pools.%s.failure.rate", "api"), 0.001, 0);
    assert_close(rd_num(r, RD_SCENARIO, 0, "pools.1.servers"), 3, 0);
    assert_string_equal(rd_str(r, RD_SCENARIO, "clients.batch.retry.backoff.kind"),
                        "exponential_random");
    assert_null(rd_str(r, RD_SCENARIO, "clients.nobody.target"));
    assert_close(rd_num(r, RD_SCENARIO, -1, "pools.api.nothing"), -1, 0);
    rd_stat s;
    assert_int_equal(rd_stat_at(r, RD_RESULTS, &s, "clients.web.latency_p99"), 0);
    assert_close(s.mean, 0.318, 1e-12);
    assert_close(s.hi - s.lo, 0.04, 1e-12);
    assert_int_equal(rd_stat_at(r, RD_RESULTS, &s, "clients.web"), -1);
    assert_int_equal(rd_count(r, RD_RESULTS, "pools"), 2);
    assert_string_equal(rd_key(r, RD_RESULTS, 1, "pools"), "db");
    assert_string_equal(rd_key(r, RD_SCENARIO, 0, "clients"), "web");
    assert_int_equal(rd_bool(r, RD_RESULTS, 0, "complete"), 1);
    rd_free(r);

    snprintf(path, sizeof path, "%s/sweep1", fixtures);
    r = rd_open(path, err, sizeof err);
    assert_non_null(r);
    double num;
    char txt[64];
    assert_int_equal(rd_sweep_value(r, 5, "clients.web.retry.max_attempts", &num, txt, sizeof txt), 1);
    assert_close(num, 2, 0);
    assert_string_equal(txt, "2");
    assert_int_equal(rd_sweep_value(r, 5, "no.such.path", &num, txt, sizeof txt), -1);
    rd_free(r);

    assert_null(rd_open("/nonexistent/relsim/dir", err, sizeof err));
    print_message("error: %s\n", err);
    assert_non_null(strstr(err, "no results.json or sweep.json"));
}

/* ---- report_build on fixtures ------------------------------------------ */

static const char *const run_sections[] = {"id=\"scenario\"", "id=\"results\"",
                                           "id=\"model-check\"", "id=\"figures\"",
                                           "id=\"metadata\"", "Pool api", "Client web",
                                           "nines", "disagrees", "events per second",
                                           "<figure id=\"fig-up_api\"", "@media print"};

static void test_report_run(void **state)
{
    if (!gp_available())
        skip();
    char *dir = copy_fixture("run1"), out[4200], plots[4300];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(plots, sizeof plots, "%s/plots", out);
    FILE *log = tmpfile();
    assert_int_equal(report_build(out, NULL, 1, 1, log), REPORT_OK);
    print_message("log: %s\n", log_text(log));
    int n = assert_figures_rendered(plots);
    assert_true(n >= 13); /* 2 up, 2 traffic, latency, breakers, 2 updown, 2 retry, outcomes, 2 load */
    char *html = read_in(out, "report.html"), *md = read_in(out, "report.md");
    assert_non_null(html);
    assert_non_null(md);
    for (size_t i = 0; i < sizeof run_sections / sizeof run_sections[0]; i++) {
        if (!strstr(html, run_sections[i]))
            print_message("missing in report.html: %s\n", run_sections[i]);
        assert_non_null(strstr(html, run_sections[i]));
    }
    assert_int_equal(count(html, "<svg"), n);
    assert_self_contained(html);
    /* run1's up periods (MTTF 1000 s) are cut off by its 3540 s window: the
     * caption says the gap to the model is censoring, not a wrong model */
    assert_non_null(strstr(html, "Here up periods are not short against the 3540 s window"));
    assert_non_null(strstr(md, "](plots/up_api.svg)"));
    assert_non_null(strstr(md, "## Model check"));
    assert_null(strstr(md, "<svg"));
    assert_null(strstr(html, "class=\"warning\"")); /* complete run: no banner */
    free(html);
    free(md);
    fclose(log);
    rm_tree(dir);
}

static void test_report_sweep(void **state)
{
    if (!gp_available())
        skip();
    char *dir = copy_fixture("sweep1"), out[4200], plots[4300];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(plots, sizeof plots, "%s/plots", out);
    assert_int_equal(report_build(out, NULL, 1, 1, stderr), REPORT_OK);
    int n = assert_figures_rendered(plots);
    assert_true(n >= 10);
    assert_true(exists_in(plots, "sweep_unavailability.svg"));
    assert_true(exists_in(plots, "sweep_diff_request_success.svg"));
    char *html = read_in(out, "report.html");
    assert_non_null(html);
    assert_non_null(strstr(html, "id=\"grid\""));
    assert_non_null(strstr(html, "difference vs baseline"));
    assert_non_null(strstr(html, "As run at grid point 0")); /* scenario of point-0/ */
    assert_non_null(strstr(html, "Points ranked by clients.web request_success"));
    assert_non_null(strstr(html, "relsim sweep report: web-api-retry-sweep"));
    assert_self_contained(html);
    free(html);
    rm_tree(dir);
}

/* Set "name"/"description" of OUT/scenario.json and the results' scenario
 * name to hostile text. */
static void make_hostile(const char *out, const char *name, const char *desc)
{
    static const char *const files[2] = {"scenario.json", "results.json"};
    for (int i = 0; i < 2; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", out, files[i]);
        char *text = fs_read_file(path, 1 << 24, NULL);
        assert_non_null(text);
        cJSON *j = cJSON_Parse(text);
        free(text);
        assert_non_null(j);
        cJSON *obj = i ? cJSON_GetObjectItemCaseSensitive(j, "scenario") : j;
        cJSON_ReplaceItemInObjectCaseSensitive(obj, "name", cJSON_CreateString(name));
        if (!i)
            cJSON_ReplaceItemInObjectCaseSensitive(obj, "description", cJSON_CreateString(desc));
        char *s = cJSON_Print(j);
        assert_int_equal(fs_write_atomic(path, s, strlen(s)), 0);
        free(s);
        cJSON_Delete(j);
    }
}

static void test_report_hostile(void **state)
{
    char *dir = copy_fixture("run1"), out[4200], name[8192], desc[8192], sentinel[4200];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(name, sizeof name, "<script>alert(1)</script>' `touch %s/pwned1` \"$(touch "
             "%s/pwned2)\" '.system('touch %s/pwned3').' @x_y^2 \\n ..", dir, dir, dir);
    snprintf(desc, sizeof desc, "<img src=x onerror=alert(1)> </p><script>x()</script> "
             "[link](http://evil.example) | a | b | `code` & &amp; \"q\" 'q'\nline2 $(touch "
             "%s/pwned4)", dir);
    make_hostile(out, name, desc);
    FILE *log = tmpfile();
    int rc = report_build(out, NULL, 1, 0, log);
    print_message("log: %s\n", log_text(log));
    assert_int_equal(rc, REPORT_OK);
    for (int i = 1; i <= 4; i++) {
        snprintf(sentinel, sizeof sentinel, "pwned%d", i);
        if (exists_in(dir, sentinel))
            print_message("sentinel %s was created: something ran user text\n", sentinel);
        assert_false(exists_in(dir, sentinel));
    }
    char *html = read_in(out, "report.html"), *md = read_in(out, "report.md");
    assert_non_null(html);
    assert_non_null(md);
    assert_self_contained(html); /* no <script, no src=, no http:// outside xmlns */
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(html, "[link](http&#58;//evil.example)"));
    assert_null(strstr(html, "<img"));
    assert_null(strcasestr(md, "<script"));
    assert_null(strstr(md, "<img"));
    assert_null(strstr(md, "](http://evil"));
    assert_non_null(strstr(md, "&lt;script&gt;"));
    if (gp_available()) { /* the gnuplot title shows the name literally */
        char *svg = read_in(out, "plots/up_api.svg");
        assert_non_null(svg);
        assert_non_null(strstr(svg, "&lt;script>alert(1)")); /* gnuplot escapes < and & */
        assert_null(strstr(svg, "<script"));
        free(svg);
        char *gp = read_in(out, "plots/up_api.gp");
        assert_non_null(strstr(gp, "'<script>alert(1)</script>'' `touch"));
        free(gp);
    }
    free(html);
    free(md);
    fclose(log);
    rm_tree(dir);
}

static void test_report_no_gnuplot(void **state)
{
    char *dir = copy_fixture("run1"), out[4200], empty[4200], *old = getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(empty, sizeof empty, "%s/emptybin", dir);
    assert_int_equal(mkdir(empty, 0755), 0);
    setenv("PATH", empty, 1);
    FILE *log = tmpfile();
    int rc = report_build(out, NULL, 1, 0, log);
    char *text = log_text(log);
    print_message("log: %s\n", text);
    assert_int_equal(rc, REPORT_OK);
    assert_true(exists_in(out, "plots/up_api.gp"));
    assert_true(exists_in(out, "plots/up_api.dat"));
    assert_false(exists_in(out, "plots/up_api.svg"));
    assert_int_equal(count(text, "\n"), 1);            /* one line */
    assert_non_null(strstr(text, "gnuplot NAME.gp"));
    assert_non_null(strstr(text, "/plots && "));
    char *html = read_in(out, "report.html");
    assert_non_null(strstr(html, "Not rendered"));
    assert_non_null(strstr(html, "gnuplot up_api.gp"));
    assert_self_contained(html);
    free(html);
    assert_true(exists_in(out, "report.md"));
    fclose(log);
    assert_int_equal(report_build(out, NULL, 1, 1, NULL), REPORT_NO_PLOTS);
    assert_true(exists_in(out, "report.html")); /* still written */
    if (saved)
        setenv("PATH", saved, 1);
    free(saved);
    rm_tree(dir);
}

static void test_report_missing_files(void **state)
{
    char *dir = copy_fixture("run1"), out[4200], cmd[4400];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(cmd, sizeof cmd, "cd '%s' && rm -r data scenario.json && printf 't_start,t_end\\n0,1\\n' "
             "> timeseries.csv", out);
    assert_int_equal(system(cmd), 0);
    FILE *log = tmpfile();
    assert_int_equal(report_build(out, NULL, 1, 0, log), REPORT_OK);
    char *html = read_in(out, "report.html");
    assert_non_null(html);
    assert_non_null(strstr(html, "id=\"notes\""));
    assert_non_null(strstr(html, "scenario.json are missing"));
    assert_non_null(strstr(html, "figure skipped"));
    assert_non_null(strstr(html, "id=\"metadata\""));
    free(html);
    /* a broken JSON file is an error with its location */
    snprintf(cmd, sizeof cmd, "printf '{\\n  \"pools\": [1,\\n' > '%s/results.json'", out);
    assert_int_equal(system(cmd), 0);
    rewind(log);
    assert_int_equal(report_build(out, NULL, 0, 0, log), REPORT_OUTPUT_FAILED);
    char *text = log_text(log);
    print_message("log: %s\n", text);
    assert_non_null(strstr(text, "results.json:"));
    fclose(log);
    rm_tree(dir);
}

static void test_report_interrupted_and_reuse(void **state)
{
    char *dir = copy_fixture("run1"), out[4200], cmd[4400], html_path[4300];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(cmd, sizeof cmd, "sed -i 's/\"complete\": true/\"complete\": false/; "
             "s/\"replications\": 10,/\"replications\": 7,/' '%s/results.json'", out);
    assert_int_equal(system(cmd), 0);
    snprintf(html_path, sizeof html_path, "%s/elsewhere.html", dir);
    assert_int_equal(report_build(out, html_path, 1, 0, NULL), REPORT_OK);
    char *html = read_in(dir, "elsewhere.html");
    assert_non_null(html);
    assert_non_null(strstr(html, "class=\"warning\""));
    assert_non_null(strstr(html, "interrupted"));
    assert_non_null(strstr(html, "10 independent replications requested, 7 finished"));
    int rendered = count(html, "<svg");
    free(html);
    /* --no-plots: SVGs newer than results.json are reused, older ones are not */
    assert_int_equal(report_build(out, NULL, 0, 0, NULL), REPORT_OK);
    html = read_in(out, "report.html");
    assert_int_equal(count(html, "<svg"), rendered);
    free(html);
    snprintf(cmd, sizeof cmd, "touch -d '+1 hour' '%s/results.json'", out);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(report_build(out, NULL, 0, 0, NULL), REPORT_OK);
    html = read_in(out, "report.html");
    assert_int_equal(count(html, "<svg"), 0);
    assert_non_null(strstr(html, "plots were skipped"));
    free(html);
    rm_tree(dir);
}

/* Write TEXT to DIR/NAME. */
static void put(const char *dir, const char *name, const char *text)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(fs_write_atomic(path, text, strlen(text)), 0);
}

/* Degenerate but well-formed data never makes gnuplot fail. */
static void test_report_degenerate(void **state)
{
    if (!gp_available())
        skip();
    char *dir = copy_fixture("run1"), out[4200];
    snprintf(out, sizeof out, "%s/out", dir);
    put(out, "timeseries.csv", "t_start,t_end,pool.api.up,pool.api.queue,pool.api.busy,"
                               "client.web.success,client.web.breaker_open,client.web.attempts\n"
                               "0,10,,,,,,\n10,20,,3,,,,\n");
    put(out, "data/errors.csv", "client,cause,per_request\nweb,success,0\n");
    put(out, "data/latency.csv", "client,latency,ccdf\nweb,0.1,0\nweb,0.2,0\n");
    put(out, "data/updown.csv", "pool,state,duration\napi,up,12.5\n");
    put(out, "data/marks.csv", "pool,server,time,event\napi,0,5,weird\n");
    put(out, "data/breaker.csv", "client,server,time,state\nweb,0,100,open\nweb,x,,open\n");
    put(out, "data/retry_delays.csv", "client,delay,fired\nbatch,0.5,0\nbatch,0.7,0\nweb,,1\n");
    assert_int_equal(report_build(out, NULL, 1, 1, stderr), REPORT_OK);
    /* a sweep of one point, text values, no CI (n = 1), a null mean */
    put(out, "sweep.json",
        "{\"vary\": [\"clients.web.balancer\"], \"baseline\": 0, \"points\": [\n"
        " {\"values\": {\"clients.web.balancer\": \"p2c\"}, \"pools\": {\"api\": "
        "{\"server_availability\": {\"mean\": 0.99, \"ci95\": [null, null], \"stddev\": null, "
        "\"n\": 1}}}, \"clients\": {\"web\": {\"request_success\": {\"mean\": 1, \"ci95\": "
        "[null, null], \"n\": 1}, \"latency_p99\": {\"mean\": null, \"ci95\": [null, null], "
        "\"n\": 1}}}}]}\n");
    assert_int_equal(report_build(out, NULL, 1, 1, stderr), REPORT_OK);
    char *html = read_in(out, "report.html");
    assert_non_null(strstr(html, "relsim sweep report"));
    assert_non_null(strstr(html, "no sweep point has a failed request"));
    assert_non_null(strstr(html, "No table for client web latency_p99: no point has a value")); /* mean null */
    free(html);
    rm_tree(dir);
}

/* Ints taken from a folder's files (rd_int_of, rd_int): a number that is
 * not whole, not finite or beyond +-RD_INT_MAX gives the default, never a
 * cast (undefined behaviour for 1e300 or NaN).  cJSON reads 1e999 as an
 * infinity; null reads as NaN. */
static void test_rd_int(void **state)
{
    static const struct {
        double v;
        int want;
    } cases[] = {{3, 3},     {-1, -1},    {0.0, 0},          {-0.0, 0},         {2.5, -7},
                 {-2.5, -7}, {1e300, -7}, {-1e300, -7},      {1e10, -7},        {NAN, -7},
                 {INFINITY, -7}, {-INFINITY, -7}, {RD_INT_MAX, RD_INT_MAX}, {-RD_INT_MAX, -RD_INT_MAX},
                 {RD_INT_MAX + 1.0, -7}, {-RD_INT_MAX - 1.0, -7}, {2147483648.0, -7}, {1e-300, -7}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = rd_int_of(cases[i].v, -7);
        print_message("rd_int_of(%g) = %d, expected %d\n", cases[i].v, got, cases[i].want);
        assert_int_equal(got, cases[i].want);
    }

    char out[4200], err[4300], sw[4300], *dir = empty_outdir(out, sizeof out);
    snprintf(sw, sizeof sw, "%s/sweep.json", out);
    put(out, "sweep.json",
        "{\"vary\": [\"clients.web.timeout\"], \"baseline\": 1e300, \"ranking\": [-1e300, 1, null, 2.5],\n"
        " \"objective\": {\"entity\": \"web\", \"metric\": \"request_success\", \"goal\": \"max\"},\n"
        " \"front\": [1e999, 0], \"objectives\": [{\"metric\": \"a\", \"points\": [{\"index\": -1e999, "
        "\"confident_rank\": 1e300}, {\"index\": 1}]}, {\"metric\": \"b\", \"points\": [{\"index\": 1e300}]}],\n"
        " \"recommendation\": {\"recommended\": -1e300, \"meeting\": [], \"points\": [{\"dir\": \"p0\"}]},\n"
        " \"points\": [{\"index\": 1e300, \"dir\": \"p0\", \"values\": {\"clients.web.timeout\": 1}},\n"
        "  {\"index\": 1, \"dir\": \"p1\", \"values\": {\"clients.web.timeout\": 2}}]}\n");
    rd_run *r = rd_open(out, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(rd_int(r, RD_SWEEP, 0, "baseline"), 0);
    assert_int_equal(rd_int(r, RD_SWEEP, -1, "ranking.0"), -1);
    assert_int_equal(rd_int(r, RD_SWEEP, -1, "ranking.1"), 1);
    assert_int_equal(rd_int(r, RD_SWEEP, -1, "ranking.2"), -1); /* null */
    assert_int_equal(rd_int(r, RD_SWEEP, -1, "ranking.3"), -1);
    assert_int_equal(rd_int(r, RD_SWEEP, -1, "front.0"), -1);   /* 1e999: infinity */
    assert_int_equal(rd_int(r, RD_SWEEP, -1, "recommendation.recommended"), -1);
    assert_int_equal(rd_int(r, RD_SWEEP, 5, "no.such.path"), 5);
    assert_int_equal(rd_int(r, RD_RESULTS, 5, "replications"), 5); /* no results.json */
    rd_free(r);
    /* the report falls back to those defaults: baseline point 0, no recommendation */
    assert_int_equal(report_build(out, NULL, 0, 0, NULL), REPORT_OK);
    char *html = read_in(out, "report.html");
    assert_non_null(html);
    assert_non_null(strstr(html, "baseline point 0"));
    assert_non_null(strstr(html, "no grid point meets every SLO"));
    assert_non_null(strstr(html, "best first: point -1 ("));
    free(html);

    put(out, "results.json", "{\"complete\": false, \"stop_reason\": \"runaway\", \"replications\": 1e300, "
                             "\"runaway\": {\"t\": 5, \"replication\": -1e999}}\n");
    assert_int_equal(unlink(sw), 0);
    assert_int_equal(report_build(out, NULL, 0, 0, NULL), REPORT_OK);
    html = read_in(out, "report.html");
    assert_non_null(html);
    assert_non_null(strstr(html, "replication -1 up to t = 5 s"));
    free(html);
    rm_tree(dir);
}

/* OUT/sweep.json of N points: timeout 0.001 * (i / SERIES + 1) and
 * max_attempts i % SERIES + 1 varied, client web's request_success and its
 * difference from point 0 in each. */
static void put_sweep(const char *out, int n, int series)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/sweep.json", out);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\"vary\": [\"clients.web.timeout\", \"clients.web.retry.max_attempts\"], \"baseline\": 0, "
               "\"points\": [");
    for (int i = 0; i < n; i++) {
        double m = 0.9 + 0.09 * i / n;
        fprintf(f, "%s\n{\"index\": %d, \"dir\": \"p%d\", \"values\": {\"clients.web.timeout\": %.9g, "
                   "\"clients.web.retry.max_attempts\": %d}, \"clients\": {\"web\": {\"request_success\": "
                   "{\"mean\": %.9g, \"ci95\": [%.9g, %.9g], \"n\": 2}}}, \"diff\": {\"clients\": {\"web\": "
                   "{\"request_success\": {\"mean\": %.9g, \"ci95\": [%.9g, %.9g], \"n\": 2}}}}}",
                i ? "," : "", i, i, 0.001 * (i / series + 1), i % series + 1, m, m - 0.01, m + 0.01, m - 0.9,
                m - 0.91, m - 0.89);
    }
    fprintf(f, "\n]}\n");
    assert_int_equal(fclose(f), 0);
}

/* Data rows (not comments, not blank, not the NaN row of an empty block) of OUT/plots/NAME.dat. */
static int dat_rows(const char *out, const char *name)
{
    char path[4400], line[512];
    snprintf(path, sizeof path, "%s/plots/%s.dat", out, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int n = 0;
    while (fgets(line, sizeof line, f))
        n += line[0] != '#' && line[0] != '\n' && strncmp(line, "NaN", 3);
    fclose(f);
    return n;
}

/* A sweep figure draws every point (it drew the first 4096 before): a line
 * of more than 150 points with a CI band instead of error bars, said in the
 * caption; points past the 12 lines a figure has are counted in a note. */
static void test_report_sweep_dense(void **state)
{
    char out[4200], *dir = empty_outdir(out, sizeof out);
    static const struct {
        int n, series, bands, hidden;
    } cases[] = {{5000, 1, 1, 0}, {151, 1, 1, 0}, {150, 1, 0, 0}, {2 * 151, 2, 1, 0}, {14 * 2, 14, 0, 4}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        put_sweep(out, cases[i].n, cases[i].series);
        assert_int_equal(report_build(out, NULL, 0, 0, NULL), REPORT_OK);
        int drawn = cases[i].n - cases[i].hidden;
        print_message("%d points, %d lines: %d drawn\n", cases[i].n, cases[i].series, drawn);
        assert_int_equal(dat_rows(out, "sweep_request_success"), drawn);
        assert_int_equal(dat_rows(out, "sweep_diff_request_success"), drawn);
        char *gp = read_in(out, "plots/sweep_request_success.gp"), *html = read_in(out, "report.html");
        assert_true(gp && html);
        assert_int_equal(strstr(gp, "with filledcurves") != NULL, cases[i].bands);
        assert_int_equal(strstr(gp, "with yerrorlines") == NULL, cases[i].bands);
        assert_int_equal(strstr(html, "drawn instead of error bars: more than 150 points a line") != NULL,
                         cases[i].bands);
        char note[128];
        snprintf(note, sizeof note, "Sweep figures: %d of the %d points are not drawn", cases[i].hidden,
                 cases[i].n);
        assert_int_equal(strstr(html, note) != NULL, cases[i].hidden > 0);
        free(gp);
        free(html);
    }
    rm_tree(dir);
}

static void test_report_bad_outdir(void **state)
{
    char *dir = strdup("/tmp/relsim_report_test_XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(report_is_outdir(dir), 0);
    assert_int_equal(report_is_outdir("/nonexistent/relsim"), 0);
    FILE *log = tmpfile();
    assert_int_equal(report_build(dir, NULL, 0, 0, log), REPORT_OUTPUT_FAILED);
    print_message("log: %s\n", log_text(log));
    assert_false(exists_in(dir, "report.html"));
    fclose(log);
    rm_tree(dir);
}

int main(void)
{
    const char *t = getenv("TESTS_DIR");
    snprintf(fixtures, sizeof fixtures, "%s/fixtures", t && *t ? t : "tests");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gp_quote),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_table_align),
        cmocka_unit_test(test_svg_clean),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_rundata),
        cmocka_unit_test(test_report_run),
        cmocka_unit_test(test_report_sweep),
        cmocka_unit_test(test_report_hostile),
        cmocka_unit_test(test_report_no_gnuplot),
        cmocka_unit_test(test_report_missing_files),
        cmocka_unit_test(test_report_interrupted_and_reuse),
        cmocka_unit_test(test_report_degenerate),
        cmocka_unit_test(test_report_bad_outdir),
        cmocka_unit_test(test_rd_int),
        cmocka_unit_test(test_report_sweep_dense),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
