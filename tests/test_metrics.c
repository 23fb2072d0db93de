/* test_metrics.c - the metric table (models/metrics_table.h) and what is
 * generated from it: unique names, every field filled, the causes spliced in
 * CAUSE_* order, the report's labels and the sweep's goal taken from it, and
 * every metric described in docs/MODEL.md. */
#include "tests/testutil.h"

#include "models/metrics.h"
#include "models/model.h"
#include "plots/plot_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void check_def(const metric_def *d)
{
    assert_non_null(d->name);
    assert_true(d->name[0] != '\0');
    assert_non_null(d->label);
    assert_true(d->label[0] != '\0');
    assert_non_null(d->unit);
    assert_non_null(d->undefined);
    assert_true(d->undefined[0] != '\0');
    assert_true(d->kind >= METRIC_PROB && d->kind <= METRIC_COUNT);
    assert_true(d->better >= BETTER_NONE && d->better <= BETTER_LOWER);
}

static void test_table_complete_and_unique(void **state)
{
    (void)state;
    const char *all[PM_COUNT + CM_COUNT];
    int n = 0;
    for (int m = 0; m < PM_COUNT; m++) {
        check_def(&pm_defs[m]);
        assert_string_equal(pm_names[m], pm_defs[m].name);
        all[n++] = pm_names[m];
    }
    for (int m = 0; m < CM_COUNT; m++) {
        check_def(&cm_defs[m]);
        assert_string_equal(cm_names[m], cm_defs[m].name);
        all[n++] = cm_names[m];
    }
    /* metric_find looks a name up in both lists: names must be unique */
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (!strcmp(all[i], all[j]))
                fail_msg("metric name %s appears twice", all[i]);
}

static void test_causes(void **state)
{
    (void)state;
    /* an attempt's outcome indexes the cause counters directly */
    assert_int_equal(OUT_SUCCESS, CAUSE_SUCCESS);
    assert_int_equal(OUT_TIMEOUT, CAUSE_TIMEOUT);
    assert_int_equal(OUT_ERROR, CAUSE_ERROR);
    assert_int_equal(OUT_REJECTED, CAUSE_REJECTED);
    assert_int_equal(OUT_BREAKER, CAUSE_BREAKER);
    assert_int_equal(OUT_SHED, CAUSE_SHED);
    assert_int_equal(OUT_THROTTLED, CAUSE_THROTTLED);
    assert_int_equal(OUT_BULKHEAD_FULL, CAUSE_BULKHEAD_FULL);
    assert_int_equal(OUT_RATE_LIMITED, CAUSE_RATE_LIMITED);
    assert_int_equal(CAUSE_COUNT, 12);
    for (int k = 0; k < CAUSE_COUNT; k++) {
        char want[64];
        snprintf(want, sizeof want, "cause_%s", cause_names[k]);
        assert_string_equal(cm_names[CM_CAUSE_SUCCESS + k], want);
        assert_string_equal(cm_defs[CM_CAUSE_SUCCESS + k].label, cause_labels[k]);
    }
    assert_string_equal(cause_names[CAUSE_BUDGET], "budget_denied");
    assert_int_equal(CM_CAUSE_RATE_LIMITED, CM_CAUSE_SUCCESS + CAUSE_COUNT - 1);
}

static void test_generated_views(void **state)
{
    (void)state;
    /* the report's labels are the table's */
    const metric_info *mi = metric_find("latency_p99", 1);
    assert_string_equal(mi->label, cm_defs[CM_LATENCY_P99].label);
    assert_string_equal(mi->unit, "s");
    assert_true(mi->headline);
    mi = metric_find("cause_timeout", 1);
    assert_string_equal(mi->label, cause_labels[CAUSE_TIMEOUT]);
    mi = metric_find("not_a_metric", 0);
    assert_string_equal(mi->label, "not_a_metric");
    int n = 0;
    while (metric_at(n))
        n++;
    assert_int_equal(n, PM_COUNT + CM_COUNT);
    assert_string_equal(metric_at(0)->name, pm_names[0]);
    assert_string_equal(metric_at(PM_COUNT)->name, cm_names[0]);
    /* the sweep's default goal */
    assert_true(metrics_maximize(0, CM_REQUEST_SUCCESS));
    assert_true(metrics_maximize(1, PM_SYSTEM_AVAILABILITY));
    assert_false(metrics_maximize(0, CM_LATENCY_P99));
    assert_false(metrics_maximize(1, PM_UTILIZATION));
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

/* Adding a metric without describing it fails here. */
static void test_documented(void **state)
{
    (void)state;
    const char *t = getenv("TESTS_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/../docs/MODEL.md", t && *t ? t : "tests");
    char *doc = slurp(path);
    assert_non_null(doc);
    for (int m = 0; m < PM_COUNT + CM_COUNT; m++) {
        const char *name = m < PM_COUNT ? pm_names[m] : cm_names[m - PM_COUNT];
        char quoted[80];
        snprintf(quoted, sizeof quoted, "`%s`", name);
        if (!strstr(doc, quoted))
            fail_msg("metric %s is not described in docs/MODEL.md (as `%s`)", name, name);
    }
    free(doc);
}

/* A fraction near 1 over 5 replications: the t-interval reaches past 1
 * (mean 0.99984, sd 0.000358, t(0.975, 4) = 2.776: [0.99940, 1.00028]).
 * results.json, the tables and the sweep show it within [0, 1]; the
 * half-width that --precision and the model check use is unchanged. */
static void test_interval_within_range(void **state)
{
    (void)state;
    const double x[5] = {1, 1, 1, 1, 0.9992};
    stat_summary s = stat_summarize(x, 1, 5);
    assert_true(s.hi > 1.0002 && s.hi < 1.0003);
    stat_summary f = metric_within(&cm_defs[CM_REQUEST_SUCCESS], s);
    assert_true(f.hi == 1.0);
    assert_true(f.lo == s.lo && f.mean == s.mean && f.sd == s.sd && f.n == s.n);
    assert_true(stat_half95(f) == stat_half95(s));
    assert_true(fabs(stat_half95(s) - (s.hi - s.mean)) < 1e-15);

    /* a count or time is only kept >= 0 */
    const double y[3] = {0, 0, 3};
    stat_summary c = stat_summarize(y, 1, 3);
    assert_true(c.lo < 0);
    stat_summary cw = metric_within(&pm_defs[PM_FAILURES], c);
    assert_true(cw.lo == 0 && cw.hi == c.hi);
    stat_summary big = {5, 2, 8, 1, 3};
    assert_true(metric_within(&cm_defs[CM_LATENCY_MEAN], big).hi == 8);

    /* columns map to their rows: pools first, then callers */
    assert_ptr_equal(metric_of_col(2, PM_COUNT + PM_FAILURES), &pm_defs[PM_FAILURES]);
    assert_ptr_equal(metric_of_col(2, 2 * PM_COUNT + CM_COUNT + CM_REQUEST_SUCCESS),
                     &cm_defs[CM_REQUEST_SUCCESS]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_complete_and_unique),
        cmocka_unit_test(test_causes),
        cmocka_unit_test(test_generated_views),
        cmocka_unit_test(test_documented),
        cmocka_unit_test(test_interval_within_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
