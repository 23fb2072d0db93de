/* test_loader.c - the scenario loader: defaults, every distribution,
 * p_timeout resolution, --set paths, clones, the locator's positions, and a
 * table of bad inputs with the message each must produce.
 *
 * Everything runs in memory (loader_open_text); messages are captured with
 * open_memstream and checked for the key path and the line:column.
 */
#include "tests/testutil.h"

#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"

#include <cjson/cJSON.h>

/* ---- helpers ---- */

typedef struct {
    FILE *f;
    char *buf;
    size_t len;
} cap;

static void cap_open(cap *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    assert_non_null(c->f);
}

static const char *cap_text(cap *c)
{
    fflush(c->f);
    return c->buf ? c->buf : "";
}

static void cap_close(cap *c)
{
    fclose(c->f);
    free(c->buf);
}

#define assert_contains(text, needle) contains((text), (needle), __FILE__, __LINE__)

static void contains(const char *text, const char *needle, const char *file, int line)
{
    int ok = strstr(text, needle) != NULL;
    print_message("%s message contains \"%s\"\n", ok ? "ok  " : "FAIL", needle);
    if (!ok) {
        print_message("---- message was:\n%s----\n", text);
        _fail(file, line);
    }
}

/* Open JSON as "t.json", apply SETS, build into S.  Messages go to C. */
static int load(const char *json, const char *const *sets, int nsets, scenario *s, cap *c)
{
    memset(s, 0, sizeof *s);
    loader_doc *d = loader_open_text("t.json", json, strlen(json), c->f);
    if (!d)
        return -1;
    int rc = 0;
    for (int i = 0; i < nsets; i++)
        if (loader_set(d, sets[i], c->f) != 0)
            rc = -1;
    if (rc == 0)
        rc = loader_build(d, s, c->f);
    loader_close(d);
    return rc;
}

/* Must load; prints the messages if it does not. */
static void load_ok(const char *json, const char *const *sets, int nsets, scenario *s)
{
    cap c;
    cap_open(&c);
    int rc = load(json, sets, nsets, s, &c);
    if (rc != 0)
        print_message("unexpected errors:\n%s", cap_text(&c));
    cap_close(&c);
    assert_int_equal(rc, 0);
}

/* Must fail with a message containing NEEDLE. */
static void load_bad(const char *json, const char *const *sets, int nsets, const char *needle)
{
    cap c;
    scenario s;
    cap_open(&c);
    int rc = load(json, sets, nsets, &s, &c);
    assert_int_equal(rc, -1);
    assert_contains(cap_text(&c), needle);
    cap_close(&c);
    scenario_free(&s);
}

#define MIN_JSON                                                                           \
    "{\"name\": \"m\", \"horizon\": 100, \"pools\": [{\"name\": \"api\"}],\n"              \
    " \"clients\": [{\"name\": \"web\"}]}"

#define TWO_TIER                                                                            \
    "{\"name\": \"t\", \"horizon\": 100,\n"                                                 \
    " \"pools\": [{\"name\": \"api\", \"service\": {\"rate\": 100},\n"                      \
    "             \"calls\": {\"target\": \"db\", \"timeout\": {\"p_timeout\": 0.05}}},\n"  \
    "            {\"name\": \"db\", \"service\": {\"dist\": \"gamma\", \"shape\": 2, \"scale\": 0.01}}],\n" \
    " \"clients\": [{\"name\": \"web\", \"target\": \"api\", \"timeout\": {\"p_timeout\": 0.01}}]}"

/* ---- defaults ---- */

static void test_defaults(void **state)
{
    (void)state;
    scenario s;
    load_ok(MIN_JSON, NULL, 0, &s);
    assert_string_equal(s.name, "m");
    assert_string_equal(s.description, "");
    assert_string_equal(s.file, "t.json");
    assert_true(s.seed == 1);
    assert_close(s.horizon, 100, 0);
    assert_close(s.warmup, 0, 0);
    assert_int_equal(s.replications, 10);
    assert_close(s.bin, 0, 0);
    assert_true(s.limits.max_in_flight == 1000000);
    assert_close(s.limits.max_events, 1e10, 0); /* DEFAULT_MAX_EVENTS, docs/SCENARIO.md */
    assert_int_equal(s.nevents, 0);
    assert_int_equal(s.npools, 1);
    const pool_cfg *p = &s.pools[0];
    assert_string_equal(p->name, "api");
    assert_int_equal(p->servers, 1);
    assert_int_equal(p->workers, 1);
    assert_int_equal(p->queue_limit, 0);
    assert_int_equal(p->service.kind, DIST_EXPONENTIAL);
    assert_close(p->service.rate, 1, 0);
    assert_int_equal(p->failure.kind, DIST_NONE);
    assert_int_equal(p->repair.kind, DIST_EXPONENTIAL);
    assert_close(p->repair.rate, 1, 0);
    assert_int_equal(p->repair_crews, 0);
    assert_int_equal(p->mode, FAIL_FAST);
    assert_int_equal(p->quorum, 1);
    assert_int_equal(p->has_calls, 0);
    assert_int_equal(s.nclients, 1);
    const client_cfg *c = &s.clients[0];
    assert_string_equal(c->name, "web");
    assert_int_equal(c->arrival.process, ARRIVAL_POISSON);
    assert_close(c->arrival.rate, 1, 0);
    const policy_cfg *pol = &c->policy;
    assert_int_equal(pol->target, 0);
    assert_int_equal(pol->balancer, BAL_RANDOM);
    assert_close(pol->timeout, 0, 0);
    assert_close(pol->p_timeout, 0, 0);
    assert_close(pol->deadline, 0, 0);
    assert_int_equal(pol->retry.max_attempts, 1);
    assert_int_equal(pol->retry.backoff.kind, BACKOFF_NONE);
    assert_int_equal(pol->retry.budget.kind, BUDGET_NONE);
    assert_true(pol->retry.retry_on.on_timeout && pol->retry.retry_on.on_error &&
                pol->retry.retry_on.on_rejected && pol->retry.retry_on.on_breaker);
    assert_int_equal(pol->breaker.kind, BREAKER_NONE);
    assert_int_equal(pol->hedge.enabled, 0);
    assert_int_equal(pol->outlier.enabled, 0);
    scenario_free(&s);
}

static void test_object_defaults(void **state)
{
    (void)state;
    scenario s;
    const char *sets[] = {"clients.web.retry={}",
                          "clients.web.retry.backoff={\"kind\": \"exponential\", \"base\": 0.025}",
                          "clients.web.retry.budget={\"kind\": \"ratio\"}",
                          "clients.web.breaker={}",
                          "clients.web.hedge.delay=0.05",
                          "clients.web.outlier={}"};
    load_ok(MIN_JSON, sets, 6, &s);
    const policy_cfg *p = &s.clients[0].policy;
    assert_int_equal(p->retry.max_attempts, 3);
    assert_int_equal(p->retry.backoff.kind, BACKOFF_EXPONENTIAL);
    assert_close(p->retry.backoff.base, 0.025, 0);
    assert_close(p->retry.backoff.multiplier, 2, 0);
    assert_close(p->retry.backoff.cap, 0, 0);
    assert_int_equal(p->retry.backoff.jitter, JITTER_NONE);
    assert_int_equal(p->retry.budget.kind, BUDGET_RATIO);
    assert_close(p->retry.budget.percent, 0.2, 0);
    assert_close(p->retry.budget.min_per_second, 10, 0);
    assert_close(p->retry.budget.ttl, 10, 0);
    assert_int_equal(p->breaker.kind, BREAKER_CONSECUTIVE);
    assert_int_equal(p->breaker.scope, SCOPE_PER_SERVER);
    assert_int_equal(p->breaker.failure_threshold, 5);
    assert_close(p->breaker.open_for, 5, 0);
    assert_int_equal(p->breaker.half_open_probes, 1);
    assert_int_equal(p->hedge.enabled, 1);
    assert_close(p->hedge.delay, 0.05, 0);
    assert_int_equal(p->hedge.max_attempts, 2);
    assert_int_equal(p->outlier.enabled, 1);
    assert_int_equal(p->outlier.consecutive_errors, 5);
    assert_close(p->outlier.base_ejection, 30, 0);
    assert_close(p->outlier.max_ejection_percent, 10, 0);
    scenario_free(&s);

    /* failure_rate: min_calls defaults to min(100, window) */
    const char *fr[] = {"clients.web.breaker={\"kind\": \"failure_rate\", \"window\": 20, "
                        "\"failure_rate\": 0.385, \"slow_call_duration\": 0.25}"};
    load_ok(MIN_JSON, fr, 1, &s);
    const breaker_cfg *b = &s.clients[0].policy.breaker;
    assert_int_equal(b->kind, BREAKER_FAILURE_RATE);
    assert_int_equal(b->window, 20);
    assert_int_equal(b->min_calls, 20);
    assert_close(b->failure_rate, 0.385, 0);
    assert_close(b->slow_call_duration, 0.25, 0);
    assert_close(b->slow_call_rate, 1, 0);
    scenario_free(&s);
}

static void test_full_example(void **state)
{
    (void)state;
    static const char *json =
        "{\"name\": \"web-api\", \"description\": \"free text\", \"seed\": 42, \"horizon\": 3600,\n"
        " \"warmup\": 60, \"replications\": 7, \"bin\": 18, \"limits\": {\"max_in_flight\": 5000,\n"
        " \"max_events\": 1e9},\n"
        " \"pools\": [{\"name\": \"api\", \"servers\": 8, \"workers\": 2, \"queue_limit\": 50,\n"
        "   \"service\": {\"dist\": \"exponential\", \"rate\": 100},\n"
        "   \"failure\": {\"dist\": \"exponential\", \"rate\": 0.001},\n"
        "   \"repair\": {\"dist\": \"deterministic\", \"value\": 10}, \"repair_crews\": 2,\n"
        "   \"failure_mode\": \"hang\", \"quorum\": 6}],\n"
        " \"clients\": [{\"name\": \"web\", \"target\": \"api\",\n"
        "   \"arrival\": {\"process\": \"closed\", \"users\": 40, \"think\": {\"rate\": 2.385}},\n"
        "   \"balancer\": \"p2c\", \"timeout\": 0.1, \"deadline\": 0.5,\n"
        "   \"retry\": {\"max_attempts\": 4, \"retry_on\": [\"timeout\", \"breaker\"],\n"
        "     \"backoff\": {\"kind\": \"exponential_random\", \"rate\": 20, \"t_max\": 0.3},\n"
        "     \"budget\": {\"kind\": \"token_bucket\", \"max_tokens\": 10, \"token_ratio\": 0.1}},\n"
        "   \"breaker\": {\"scope\": \"pool\", \"kind\": \"consecutive\", \"failure_threshold\": 3,\n"
        "     \"open_for\": 1.5, \"half_open_probes\": 2},\n"
        "   \"hedge\": {\"delay\": 0.02, \"max_attempts\": 3},\n"
        "   \"outlier\": {\"consecutive_errors\": 4, \"base_ejection\": 12.5, "
        "\"max_ejection_percent\": 25}}]}";
    scenario s;
    load_ok(json, NULL, 0, &s);
    assert_true(s.seed == 42);
    assert_close(s.warmup, 60, 0);
    assert_int_equal(s.replications, 7);
    assert_close(s.bin, 18, 0);
    assert_true(s.limits.max_in_flight == 5000);
    assert_close(s.limits.max_events, 1e9, 0);
    const pool_cfg *p = &s.pools[0];
    assert_int_equal(p->workers, 2);
    assert_int_equal(p->queue_limit, 50);
    assert_int_equal(p->repair.kind, DIST_DETERMINISTIC);
    assert_close(p->repair.value, 10, 0);
    assert_int_equal(p->repair_crews, 2);
    assert_int_equal(p->mode, FAIL_HANG);
    assert_int_equal(p->quorum, 6);
    const client_cfg *c = &s.clients[0];
    assert_int_equal(c->arrival.process, ARRIVAL_CLOSED);
    assert_int_equal(c->arrival.users, 40);
    assert_int_equal(c->arrival.think.kind, DIST_EXPONENTIAL);
    assert_close(c->arrival.think.rate, 2.385, 0);
    const policy_cfg *pol = &c->policy;
    assert_int_equal(pol->balancer, BAL_P2C);
    assert_close(pol->timeout, 0.1, 0);
    assert_close(pol->deadline, 0.5, 0);
    assert_int_equal(pol->retry.max_attempts, 4);
    assert_true(pol->retry.retry_on.on_timeout && !pol->retry.retry_on.on_error &&
                !pol->retry.retry_on.on_rejected && pol->retry.retry_on.on_breaker);
    assert_int_equal(pol->retry.backoff.kind, BACKOFF_EXPONENTIAL_RANDOM);
    assert_close(pol->retry.backoff.rate, 20, 0);
    assert_close(pol->retry.backoff.t_max, 0.3, 0);
    assert_int_equal(pol->retry.budget.kind, BUDGET_TOKEN_BUCKET);
    assert_close(pol->retry.budget.max_tokens, 10, 0);
    assert_close(pol->retry.budget.token_ratio, 0.1, 0);
    assert_int_equal(pol->breaker.scope, SCOPE_POOL);
    assert_int_equal(pol->breaker.failure_threshold, 3);
    assert_close(pol->breaker.open_for, 1.5, 0);
    assert_int_equal(pol->breaker.half_open_probes, 2);
    assert_close(pol->hedge.delay, 0.02, 0);
    assert_int_equal(pol->hedge.max_attempts, 3);
    assert_int_equal(pol->outlier.consecutive_errors, 4);
    assert_close(pol->outlier.base_ejection, 12.5, 0);
    assert_close(pol->outlier.max_ejection_percent, 25, 0);
    scenario_free(&s);
}

/* ---- distributions ---- */

static void test_every_dist(void **state)
{
    (void)state;
    scenario s;
    const char *sets[] = {
        "pools.api.service={\"dist\": \"exponential\", \"rate\": 2.385}",
        "pools.api.failure={\"dist\": \"weibull\", \"shape\": 1.5, \"scale\": 1000}",
        "pools.api.repair={\"dist\": \"lognormal\", \"mu\": -0.5, \"sigma\": 0.75}",
        "clients.web.arrival={\"process\": \"closed\", \"users\": 3, "
        "\"think\": {\"dist\": \"gamma\", \"shape\": 2, \"scale\": 0.25}}",
    };
    load_ok(MIN_JSON, sets, 4, &s);
    const pool_cfg *p = &s.pools[0];
    assert_int_equal(p->service.kind, DIST_EXPONENTIAL);
    assert_close(p->service.rate, 2.385, 0);
    assert_int_equal(p->failure.kind, DIST_WEIBULL);
    assert_close(p->failure.shape, 1.5, 0);
    assert_close(p->failure.scale, 1000, 0);
    assert_int_equal(p->repair.kind, DIST_LOGNORMAL);
    assert_close(p->repair.mu, -0.5, 0);
    assert_close(p->repair.sigma, 0.75, 0);
    const dist_cfg *t = &s.clients[0].arrival.think;
    assert_int_equal(t->kind, DIST_GAMMA);
    assert_close(t->shape, 2, 0);
    assert_close(t->scale, 0.25, 0);
    scenario_free(&s);

    const char *det[] = {"pools.api.service={\"dist\": \"deterministic\", \"value\": 0.0125}"};
    load_ok(MIN_JSON, det, 1, &s);
    assert_int_equal(s.pools[0].service.kind, DIST_DETERMINISTIC);
    assert_close(s.pools[0].service.value, 0.0125, 0);
    scenario_free(&s);

    const char *wrong[] = {"pools.api.service={\"dist\": \"exponential\", \"rate\": 1, \"shape\": 2}"};
    load_bad(MIN_JSON, wrong, 1, "pools.api.service.shape: not a parameter of distribution 'exponential'");
    const char *missing[] = {"pools.api.service={\"dist\": \"weibull\", \"shape\": 2}"};
    load_bad(MIN_JSON, missing, 1, "pools.api.service.scale: missing required key");
    const char *kind[] = {"pools.api.service.dist=gama"};
    load_bad(MIN_JSON, kind, 1, "did you mean 'gamma'?");
    const char *mean[] = {"pools.api.repair={\"dist\": \"lognormal\", \"mu\": 0, \"sigma\": 40}"};
    load_bad(MIN_JSON, mean, 1, "pools.api.repair: this lognormal distribution's mean is inf");
}

/* ---- p_timeout ---- */

static void test_p_timeout(void **state)
{
    (void)state;
    scenario s;
    load_ok(TWO_TIER, NULL, 0, &s);
    /* client -> api: service Exp(100): T = -ln(0.01)/100 */
    assert_close(s.clients[0].policy.p_timeout, 0.01, 0);
    assert_close(s.clients[0].policy.timeout, 0.04605170185988091, 1e-15);
    /* api -> db: gamma mean 2 * 0.01: T = -ln(0.05) * 0.02 */
    assert_int_equal(s.pools[0].has_calls, 1);
    assert_int_equal(s.pools[0].calls.target, 1);
    assert_close(s.pools[0].calls.timeout, -log(0.05) * 0.02, 1e-15);
    scenario_free(&s);

    const char *det[] = {"pools.api.service={\"dist\": \"deterministic\", \"value\": 0.02}",
                         "clients.web.timeout.p_timeout=0.1"};
    load_ok(TWO_TIER, det, 2, &s);
    assert_close(s.clients[0].policy.timeout, 0.02 * log(10), 1e-15);
    scenario_free(&s);

    const char *num[] = {"clients.web.timeout=0.25"};
    load_ok(TWO_TIER, num, 1, &s);
    assert_close(s.clients[0].policy.timeout, 0.25, 0);
    assert_close(s.clients[0].policy.p_timeout, 0, 0);
    scenario_free(&s);

    const char *bad[] = {"clients.web.timeout.p_timeout=1"};
    load_bad(TWO_TIER, bad, 1, "--set clients.web.timeout.p_timeout=1: clients.web.timeout.p_timeout: "
                               "must be a number in (0, 1), got 1");
    const char *str[] = {"clients.web.timeout=soon"};
    load_bad(TWO_TIER, str, 1, "clients.web.timeout: must be a number >= 0 (seconds; 0 = none) or "
                               "{\"p_timeout\": p}");
}

/* ---- --set ---- */

static void test_set_paths(void **state)
{
    (void)state;
    scenario s;
    const char *sets[] = {"horizon=7200",
                          "pools.api.failure.rate=0.002",
                          "clients.web.retry.max_attempts=5",
                          "clients.web.breaker.kind=failure_rate",
                          "clients.web.balancer=p2c",
                          "pools[0].servers=12",
                          "events[0]={\"at\": 50, \"kind\": \"fail\", \"pool\": \"api\", "
                          "\"servers\": 2, \"duration\": 5}",
                          "events[0].at=30",
                          "description=\"two words\"",
                          "clients.web.retry.retry_on=[\"timeout\"]",
                          "clients.web.retry.retry_on[1]=error"};
    load_ok(MIN_JSON, sets, 11, &s);
    assert_close(s.horizon, 7200, 0);
    assert_int_equal(s.pools[0].failure.kind, DIST_EXPONENTIAL);
    assert_close(s.pools[0].failure.rate, 0.002, 0);
    assert_int_equal(s.pools[0].servers, 12);
    assert_int_equal(s.clients[0].policy.retry.max_attempts, 5);
    assert_int_equal(s.clients[0].policy.breaker.kind, BREAKER_FAILURE_RATE);
    assert_int_equal(s.clients[0].policy.balancer, BAL_P2C);
    assert_int_equal(s.nevents, 1);
    assert_close(s.events[0].at, 30, 0);
    assert_int_equal(s.events[0].servers, 2);
    assert_string_equal(s.description, "two words");
    assert_true(s.clients[0].policy.retry.retry_on.on_timeout &&
                s.clients[0].policy.retry.retry_on.on_error &&
                !s.clients[0].policy.retry.retry_on.on_breaker);
    scenario_free(&s);

    /* null removes a key: back to the default */
    const char *rm[] = {"pools.api.failure={\"rate\": 1}", "pools.api.failure=null",
                        "clients.web.hedge.delay=null"};
    load_ok(MIN_JSON, rm, 3, &s);
    assert_int_equal(s.pools[0].failure.kind, DIST_NONE);
    assert_int_equal(s.clients[0].policy.hedge.enabled, 0);
    scenario_free(&s);
}

static void test_set_errors(void **state)
{
    (void)state;
    cap c;
    cap_open(&c);
    loader_doc *d = loader_open_text("t.json", MIN_JSON, strlen(MIN_JSON), c.f);
    assert_non_null(d);
    char *before = loader_effective_json(d);
    static const struct {
        const char *set, *needle;
    } cases[] = {
        {"horizn=5", "--set horizn=5: horizn: unknown key, did you mean 'horizon'?"},
        {"pools.api.servrs=2", "pools.api.servrs: unknown key, did you mean 'servers'?"},
        {"pools.apx.servers=2", "pools.apx: no pool named \"apx\" (did you mean 'api'?); the pools are: api"},
        {"clients.web.retry.backoff.kind.x=1", "clients.web.retry.backoff.kind: is a single value"},
        {"events[3].at=1", "events[3]: no such element: the list has 0 (use [0] to add one)"},
        {"pools.api[0]=1", "this is a pool object, not a list"},
        {"horizon", "expected PATH=VALUE"},
        {"a..b=1", "bad path: empty key in the path"},
        {"name={\"x\":", "the value is not valid JSON"},
        {"clients.web.retry.retry_on[0].x=1", "clients.web.retry.retry_on[0]: is a single value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(loader_set(d, cases[i].set, c.f), -1);
        assert_contains(cap_text(&c), cases[i].needle);
    }
    char *after = loader_effective_json(d);
    assert_string_equal(before, after); /* failed overrides change nothing */
    free(before);
    free(after);
    assert_int_equal(loader_set_as(d, "horizon=-5", "--vary", c.f), 0);
    scenario s;
    assert_int_equal(loader_build(d, &s, c.f), -1);
    assert_contains(cap_text(&c), "--vary horizon=-5: horizon: must be a number in (0, 1e+13], got -5");
    loader_close(d);
    cap_close(&c);

    /* a type error in a created object names the override, not the file */
    const char *typed[] = {"clients.web.breaker.failure_threshold=\"five\""};
    load_bad(MIN_JSON, typed, 1, "--set clients.web.breaker.failure_threshold=\"five\": "
                                 "clients.web.breaker.failure_threshold: must be an integer");
    /* a replaced element is known by its new name, or its index */
    const char *swap[] = {"pools[0]={\"name\": \"zz\", \"servers\": 0}", "clients.web.target=zz"};
    load_bad(MIN_JSON, swap, 2, "--set pools[0]={\"name\": \"zz\", \"servers\": 0}: pools.zz.servers: must be");
    const char *bad_name[] = {"pools.api.name=\"a b\"", "pools[0].servers=0"};
    load_bad(MIN_JSON, bad_name, 2, "--set pools[0].servers=0: pools[0].servers: must be");
    const char *miss[] = {"clients.web.hedge.max_attempts=3"};
    load_bad(MIN_JSON, miss, 1, "--set clients.web.hedge.max_attempts=3: clients.web.hedge.delay: "
                                "missing required key");
}

static void test_get_json(void **state)
{
    (void)state;
    cap c;
    cap_open(&c);
    loader_doc *d = loader_open_text("t.json", TWO_TIER, strlen(TWO_TIER), c.f);
    assert_non_null(d);
    char *v = loader_get_json(d, "pools.db.service.shape");
    assert_string_equal(v, "2");
    free(v);
    v = loader_get_json(d, "pools[0].calls.timeout");
    assert_string_equal(v, "{\"p_timeout\":0.05}");
    free(v);
    assert_null(loader_get_json(d, "pools.nope.servers"));
    assert_null(loader_get_json(d, "horizon.x"));
    loader_close(d);
    cap_close(&c);
}

/* ---- clones ---- */

static void test_clone_independence(void **state)
{
    (void)state;
    cap c;
    scenario a, b;
    cap_open(&c);
    loader_doc *d = loader_open_text("t.json", MIN_JSON, strlen(MIN_JSON), c.f);
    assert_non_null(d);
    assert_int_equal(loader_set(d, "pools.api.servers=4", c.f), 0);
    loader_doc *k = loader_clone(d);
    assert_non_null(k);
    assert_int_equal(loader_set(k, "pools.api.servers=9", c.f), 0);
    assert_int_equal(loader_set(k, "clients.web.retry.max_attempts=2", c.f), 0);
    loader_close(d); /* the clone must not depend on the original */
    assert_int_equal(loader_set(k, "horizon=-1", c.f), 0);
    assert_int_equal(loader_build(k, &b, c.f), -1);
    assert_contains(cap_text(&c), "--set horizon=-1: horizon");
    assert_int_equal(loader_set(k, "horizon=50", c.f), 0);
    assert_int_equal(loader_build(k, &b, c.f), 0);
    assert_int_equal(b.pools[0].servers, 9);
    assert_int_equal(b.clients[0].policy.retry.max_attempts, 2);
    assert_close(b.horizon, 50, 0);

    d = loader_open_text("t.json", MIN_JSON, strlen(MIN_JSON), c.f);
    assert_int_equal(loader_build(d, &a, c.f), 0);
    assert_int_equal(a.pools[0].servers, 1);
    assert_int_equal(a.clients[0].policy.retry.max_attempts, 1);
    loader_close(d);
    loader_close(k);
    scenario_free(&a);
    scenario_free(&b);
    cap_close(&c);
}

static void test_effective_json_roundtrip(void **state)
{
    (void)state;
    cap c;
    scenario a, b;
    cap_open(&c);
    loader_doc *d = loader_open_text("t.json", TWO_TIER, strlen(TWO_TIER), c.f);
    assert_int_equal(loader_set(d, "clients.web.retry.backoff={\"kind\": \"constant\", \"delay\": 0.3}", c.f), 0);
    char *text = loader_effective_json(d);
    assert_non_null(text);
    assert_int_equal(loader_build(d, &a, c.f), 0);
    loader_doc *e = loader_open_text("eff.json", text, strlen(text), c.f);
    assert_non_null(e);
    assert_int_equal(loader_build(e, &b, c.f), 0);
    assert_int_equal(b.clients[0].policy.retry.backoff.kind, BACKOFF_CONSTANT);
    assert_close(b.clients[0].policy.retry.backoff.delay, 0.3, 0);
    assert_close(b.pools[0].calls.timeout, a.pools[0].calls.timeout, 0);
    assert_memory_equal(b.pools, a.pools, sizeof *a.pools * (size_t)a.npools);
    free(text);
    loader_close(d);
    loader_close(e);
    scenario_free(&a);
    scenario_free(&b);
    cap_close(&c);
}

/* ---- locating ---- */

static const char *LOC_JSON = "{\n"                                                 /* 1 */
                              "  \"name\": \"loc\",\n"                              /* 2 */
                              "  \"description\": \"tricky: {\\\"[x]\\\"}, \\\\\",\n" /* 3 */
                              "  \"horizon\": 100,\n"                               /* 4 */
                              "  \"pools\": [\n"                                    /* 5 */
                              "    {\"name\": \"db\", \"servers\": 2},\n"           /* 6 */
                              "    {\"servers\": 3, \"n\\u0061me\": \"api\",\n"     /* 7 */
                              "     \"failure\": {\"dist\": \"exponential\", \"rate\": -1}}\n" /* 8 */
                              "  ],\n"                                              /* 9 */
                              "  \"clients\": [{\"name\": \"web\", \"target\": \"api\"}],\n" /* 10 */
                              "  \"events\": [{\"at\": 1, \"kind\": \"fail\", \"pool\": \"db\", "
                              "\"servers\": 1, \"duration\": 2}]\n" /* 11 */
                              "}\n";

static void check_loc(loader_doc *d, const char *path, int line, int col)
{
    int l = 0, c = 0;
    int rc = loader_locate(d, path, &l, &c);
    print_message("%s %s at %d:%d, expected %d:%d\n", rc == 0 && l == line && c == col ? "ok  " : "FAIL",
                  path, l, c, line, col);
    assert_int_equal(rc, 0);
    assert_int_equal(l, line);
    assert_int_equal(c, col);
}

/* loader_where / loader_error_at on a JSON file that is not a scenario (a
 * sweep's variants file): keys holding dots are taken literally, the caret
 * is under the value (or the key), and loader_open_as names the file kind. */
static void test_other_json_files(void **state)
{
    (void)state;
    static const char text[] = "{\"variants\": [\n"                                /* 1 */
                               "  {\"name\": \"a\",\n"                              /* 2 */
                               "   \"set\": {\"pools.api.servers\": 0}}]}\n";        /* 3 */
    cap c;
    char where[256];
    cap_open(&c);
    loader_doc *d = loader_open_text("v.json", text, strlen(text), c.f);
    assert_non_null(d);
    assert_non_null(loader_tree(d));
    assert_string_equal(loader_where(d, "variants[0].set", "pools.api.servers", 1, where, sizeof where), "v.json:3:12");
    assert_string_equal(loader_where(d, "variants[0].set", "pools.api.servers", 0, where, sizeof where), "v.json:3:33");
    assert_string_equal(loader_where(d, "variants[0].name", NULL, 0, where, sizeof where), "v.json:2:12");
    assert_string_equal(loader_where(d, "variants[1]", NULL, 0, where, sizeof where), "v.json");
    assert_string_equal(loader_where(d, "", "variants", 1, where, sizeof where), "v.json:1:2");
    assert_int_equal(loader_error_at(d, "variants[0].set", "pools.api.servers", 0, c.f, "must be %d or more", 1), -1);
    assert_contains(cap_text(&c), "v.json:3:33: variants[0].set[\"pools.api.servers\"]: must be 1 or more\n"
                                  "     3 |    \"set\": {\"pools.api.servers\": 0}}]}\n"
                                  "       |                                 ^\n");
    loader_close(d);
    cap_close(&c);
    cap_open(&c);
    assert_null(loader_open_as(".", "variants file", c.f));
    assert_contains(cap_text(&c), ".: is a directory, expected a variants file (a JSON file)");
    cap_close(&c);
}

static void test_locator_positions(void **state)
{
    (void)state;
    cap c;
    cap_open(&c);
    loader_doc *d = loader_open_text("t.json", LOC_JSON, strlen(LOC_JSON), c.f);
    assert_non_null(d);
    check_loc(d, "name", 2, 11);
    check_loc(d, "horizon", 4, 14);
    check_loc(d, "pools", 5, 12);
    check_loc(d, "pools.db", 6, 5);
    check_loc(d, "pools.db.servers", 6, 31);
    check_loc(d, "pools.api", 7, 5);          /* "n\u0061me" is "name" */
    check_loc(d, "pools[1].servers", 7, 17);
    check_loc(d, "pools.api.failure.rate", 8, 49);
    check_loc(d, "clients.web.target", 10, 41);
    check_loc(d, "events[0].duration", 11, 80);
    int l, col;
    assert_int_equal(loader_locate(d, "pools.cache", &l, &col), -1);
    assert_int_equal(loader_locate(d, "events[1]", &l, &col), -1);
    assert_int_equal(loader_locate(d, "horizon.x", &l, &col), -1);

    scenario s;
    assert_int_equal(loader_build(d, &s, c.f), -1);
    assert_contains(cap_text(&c), "t.json:8:49: pools.api.failure.rate: must be a number > 0, got -1\n"
                                  "     8 |      \"failure\": {\"dist\": \"exponential\", \"rate\": -1}}\n"
                                  "       |                                                 ^\n");
    loader_close(d);
    cap_close(&c);
}

static void test_duplicate_and_unknown_keys(void **state)
{
    (void)state;
    static const char *json = "{\"name\": \"d\", \"horizon\": 10,\n"
                              " \"pools\": [{\"name\": \"api\", \"servers\": 2,\n"
                              "            \"servers\": 3, \"workrs\": 2}],\n"
                              " \"clients\": [{\"name\": \"web\"}]}";
    load_bad(json, NULL, 0, "t.json:3:13: pools.api.servers: duplicate key");
    load_bad(json, NULL, 0, "t.json:3:27: pools.api.workrs: unknown key, did you mean 'workers'?");
}

static void test_events_sorted_stable(void **state)
{
    (void)state;
    static const char *json =
        "{\"name\": \"e\", \"horizon\": 1000, \"pools\": [{\"name\": \"api\", \"servers\": 4}],\n"
        " \"clients\": [{\"name\": \"web\"}], \"events\": [\n"
        "  {\"at\": 500, \"kind\": \"load\", \"client\": \"web\", \"multiplier\": 2, \"duration\": 1},\n"
        "  {\"at\": 100, \"kind\": \"fail\", \"pool\": \"api\", \"servers\": 1, \"duration\": 1},\n"
        "  {\"at\": 500, \"kind\": \"fail\", \"pool\": \"api\", \"servers\": 2, \"duration\": 1},\n"
        "  {\"at\": 100, \"kind\": \"fail\", \"pool\": \"api\", \"servers\": 3, \"duration\": 1}]}";
    scenario s;
    load_ok(json, NULL, 0, &s);
    assert_int_equal(s.nevents, 4);
    assert_close(s.events[0].at, 100, 0);
    assert_int_equal(s.events[0].servers, 1);
    assert_int_equal(s.events[1].servers, 3);
    assert_int_equal(s.events[2].kind, EVENT_LOAD);
    assert_close(s.events[2].multiplier, 2, 0);
    assert_int_equal(s.events[3].servers, 2);
    assert_int_equal(s.events[3].pool, 0);
    scenario_free(&s);
}

/* ---- bad inputs: JSON (after MIN_JSON overrides) -> message ---- */

static void test_bad_values(void **state)
{
    (void)state;
    static const struct {
        const char *set, *needle;
    } cases[] = {
        {"horizon=0", "horizon: must be a number in (0, 1e+13], got 0"},
        {"horizon=2e13", "horizon: must be a number in (0, 1e+13]"},
        {"warmup=100", "warmup: must be < horizon (100), got 100"},
        {"replications=0", "replications: must be an integer in [1, 1000000], got 0"},
        {"replications=2000000", "replications: must be an integer in [1, 1000000]"},
        {"seed=1.5", "seed: must be an integer"},
        {"bin=1e-9", "bin: too small"},
        {"name=\"a b\"", "name: must be 1 to 63 characters"},
        {"pools.api.servers=2.5", "pools.api.servers: must be an integer in [1, 100000], got 2.5"},
        {"pools.api.servers=100001", "pools.api.servers: must be an integer in [1, 100000]"},
        {"pools.api.workers=10001", "pools.api.workers: must be an integer in [1, 10000]"},
        {"pools.api.queue_limit=1e9", "pools.api.queue_limit: must be an integer in [0, 1e+08]"},
        {"pools.api.quorum=2", "pools.api.quorum: must be <= servers (1), got 2"},
        {"pools.api.failure_mode=crash", "pools.api.failure_mode: must be one of fail_fast, hang"},
        {"pools.api.name=\"my pool\"", "name: must be a name: 1 to 63 characters"},
        {"clients.web.target=db", "clients.web.target: no pool named \"db\"; the pools are: api"},
        {"clients.web.balancer=roundrobin", "did you mean 'round_robin'?"},
        {"clients.web.retry.max_attempts=101", "clients.web.retry.max_attempts: must be an integer in [1, 100]"},
        {"clients.web.retry.backoff.base=0.1", "clients.web.retry.backoff.base: not a parameter of backoff kind 'none'"},
        {"clients.web.retry.budget.max_tokens=1001", "clients.web.retry.budget.max_tokens: must be a number in (0, 1000]"},
        {"clients.web.retry.budget={\"kind\": \"ratio\", \"ttl\": 61}", "clients.web.retry.budget.ttl: must be a number in [1, 60]"},
        {"clients.web.retry.budget={\"kind\": \"ratio\", \"percent\": 1.5}", "clients.web.retry.budget.percent: must be a number in [0, 1]"},
        {"clients.web.breaker.failure_rate=0.5", "clients.web.breaker.failure_rate: not a parameter of breaker kind 'consecutive'"},
        {"clients.web.breaker={\"kind\": \"failure_rate\", \"failure_rate\": 0}", "clients.web.breaker.failure_rate: must be a number in (0, 1]"},
        {"clients.web.breaker={\"kind\": \"failure_rate\", \"window\": 10, \"min_calls\": 11}", "clients.web.breaker.min_calls: must be <= window (10), got 11"},
        {"clients.web.breaker.open_for=0", "clients.web.breaker.open_for: must be a number > 0"},
        {"clients.web.breaker.scope=global", "clients.web.breaker.scope: must be one of per_server, pool"},
        {"clients.web.hedge={\"delay\": 0.1, \"max_attempts\": 11}", "clients.web.hedge.max_attempts: must be an integer in [1, 10]"},
        {"clients.web.outlier.max_ejection_percent=101", "clients.web.outlier.max_ejection_percent: must be a number in [0, 100]"},
        {"clients.web.retry.retry_on=[\"timeout\", \"timeout\"]", "clients.web.retry.retry_on[1]: \"timeout\" is listed twice"},
        {"clients.web.arrival={\"process\": \"closed\", \"users\": 1000001, \"think\": {\"rate\": 1}}", "clients.web.arrival.users: must be an integer in [1, 1000000]"},
        {"clients.web.arrival.rate=-3", "clients.web.arrival.rate: must be a number > 0, got -3"},
        {"clients.web.deadline=-1", "clients.web.deadline: must be a number >= 0, got -1"},
        {"events=[{\"at\": -1, \"kind\": \"fail\", \"pool\": \"api\", \"servers\": 1, \"duration\": 1}]", "events[0].at: must be a number >= 0, got -1"},
        {"events=[{\"at\": 1, \"kind\": \"fail\", \"pool\": \"db\", \"servers\": 1, \"duration\": 1}]", "events[0].pool: no pool named \"db\""},
        {"events=[{\"at\": 1, \"kind\": \"load\", \"client\": \"mobile\", \"multiplier\": 2, \"duration\": 1}]", "events[0].client: no client named \"mobile\""},
        {"events=[{\"at\": 1, \"kind\": \"crash\"}]", "events[0].kind: must be one of fail, load"},
        {"events=[{\"at\": 1, \"kind\": \"load\", \"client\": \"web\", \"multiplier\": -0.5, \"duration\": 1}]", "events[0].multiplier: must be a number in [0, 1000000], got -0.5"},
        {"events=[3]", "events[0]: must be an event object"},
        {"pools=[]", "pools: must have at least 1 element, got 0"},
        {"pools={}", "pools: must be a list of pool objects, got an object"},
        {"clients=[{\"name\": \"web\"}, {\"name\": \"web\"}]", "clients[1].name: duplicate client name 'web'"},
        {"limits.max_in_flight=-1", "limits.max_in_flight: must be an integer in [0, 1e+15]"},
        {"pools.api.calls={\"timeout\": 1}", "pools.api.calls.target: missing required key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *one[] = {cases[i].set};
        load_bad(MIN_JSON, one, 1, cases[i].needle);
    }
}

/* A bad point in a schedule is one error, naming the point's values; it
 * does not also claim that "rate" is missing (the schedule replaces it). */
static void test_schedule_point_error(void **state)
{
    (void)state;
    static const char json[] =
        "{\"name\": \"m\", \"horizon\": 100, \"pools\": [{\"name\": \"api\"}],\n"
        " \"clients\": [{\"name\": \"web\", \"arrival\": {\"schedule\": [[0, 10], [60, -1]]}}]}";
    cap c;
    scenario s;
    cap_open(&c);
    assert_int_equal(load(json, NULL, 0, &s, &c), -1);
    const char *text = cap_text(&c);
    assert_contains(text, "clients.web.arrival.schedule[1]: must be a point [t, rate]");
    assert_contains(text, "got [60, -1]");
    assert_null(strstr(text, "arrival.rate"));
    cap_close(&c);
    scenario_free(&s);
}

static void test_calls_cycle(void **state)
{
    (void)state;
    static const char *json =
        "{\"name\": \"c\", \"horizon\": 10, \"pools\": [\n"
        " {\"name\": \"a\", \"calls\": {\"target\": \"b\"}},\n"
        " {\"name\": \"b\", \"calls\": {\"target\": \"c\"}},\n"
        " {\"name\": \"c\", \"calls\": {\"target\": \"a\"}},\n"
        " {\"name\": \"d\", \"calls\": {\"target\": \"a\"}}],\n"
        " \"clients\": [{\"name\": \"web\", \"target\": \"d\"}]}";
    load_bad(json, NULL, 0, "t.json:2:36: pools.a.calls.target: calls form a cycle: a -> b -> c -> a");
    const char *chain[] = {"pools.c.calls=null"};
    scenario s;
    load_ok(json, chain, 1, &s);
    assert_int_equal(s.pools[3].calls.target, 0);
    assert_int_equal(s.clients[0].policy.target, 3);
    scenario_free(&s);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    static const struct {
        const char *json, *needle;
    } cases[] = {
        {"{\"name\": \"x\"\n \"horizon\": 1}", "t.json:2:2: syntax error: missing ',' before this"},
        {"{\n  \"name\": \"x\",\n}", "t.json:2:14: syntax error: trailing comma before '}'"},
        {"{\"a\": [1, 2,]}", "t.json:1:12: syntax error: trailing comma before ']'"},
        {"{\"a\": 1", "t.json:1:8: syntax error: unexpected end of file: an object is not closed"},
        {"{\"a\": \"x\ny\"}", "t.json:1:9: syntax error: raw control character"},
        {"{/* c */}", "t.json:1:2: syntax error: comments are not allowed in JSON"},
        {"", "t.json:1:1: empty file"},
        {"[]", "t.json:1:1: the scenario must be a JSON object"},
        {"{\"a\": 1} {}", "t.json:1:10: syntax error: unexpected text after the end"},
        {"{\"horizon\": 1e400}", "t.json:1:13: horizon: number out of range"},
        {"{\"a\": \"\xff\"}", "t.json:1:8: invalid UTF-8 byte 0xff"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        load_bad(cases[i].json, NULL, 0, cases[i].needle);

    char deep[2200];
    size_t n = 0;
    n += (size_t)sprintf(deep, "{\"a\": ");
    for (int i = 0; i < 1001; i++)
        deep[n++] = '[';
    for (int i = 0; i < 1001; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    deep[n] = '\0';
    load_bad(deep, NULL, 0, "syntax error: nesting is deeper than the parser's limit of 1000 levels");
}

static void test_error_cap(void **state)
{
    (void)state;
    char json[4096];
    size_t n = (size_t)sprintf(json, "{\"name\": \"x\", \"horizon\": 1, \"clients\": [{\"name\": \"c\"}], "
                                     "\"pools\": [{\"name\": \"p\"");
    for (int i = 0; i < 30; i++)
        n += (size_t)sprintf(json + n, ", \"k%d\": 1", i);
    sprintf(json + n, "}]}");
    load_bad(json, NULL, 0, "t.json: 10 more errors not shown");
}

/* ---- scenario.resolved.json ---- */

/* Every value the user wrote is in the resolved file at the same path. */
static void assert_superset(const cJSON *user, const cJSON *res, const char *path)
{
    char sub[512];
    if (!res)
        fail_msg("resolved file lacks %s", path);
    if (cJSON_IsObject(user)) {
        const cJSON *k;
        assert_true(cJSON_IsObject(res));
        cJSON_ArrayForEach(k, user)
        {
            snprintf(sub, sizeof sub, "%s.%s", path, k->string);
            assert_superset(k, cJSON_GetObjectItemCaseSensitive(res, k->string), sub);
        }
    } else if (cJSON_IsArray(user)) {
        assert_true(cJSON_IsArray(res));
        assert_int_equal(cJSON_GetArraySize(user), cJSON_GetArraySize(res));
        for (int i = 0; i < cJSON_GetArraySize(user); i++) {
            snprintf(sub, sizeof sub, "%s[%d]", path, i);
            assert_superset(cJSON_GetArrayItem(user, i), cJSON_GetArrayItem(res, i), sub);
        }
    } else if (cJSON_IsNumber(user) && cJSON_IsNumber(res) && strstr(path, ".weight") &&
               fabs(user->valuedouble - res->valuedouble) <= 1e-12) {
        /* mixture weights come back normalised to sum 1 (these already do) */
    } else if (!cJSON_Compare(user, res, 1)) {
        char *a = cJSON_PrintUnformatted(user), *b = cJSON_PrintUnformatted(res);
        print_message("%s: wrote %s, resolved %s\n", path, a, b);
        free(a);
        free(b);
        fail();
    }
}

/* Load JSON, resolve, load the resolved text again: the same text (a fixed
 * point), and a superset of what the user wrote.  Returns the resolved tree. */
static cJSON *resolve_roundtrip(const char *json)
{
    scenario s1, s2;
    load_ok(json, NULL, 0, &s1);
    char *a = loader_resolved_json(&s1);
    assert_non_null(a);
    load_ok(a, NULL, 0, &s2);
    char *b = loader_resolved_json(&s2);
    assert_non_null(b);
    assert_string_equal(a, b);
    cJSON *user = cJSON_Parse(json), *res = cJSON_Parse(a);
    assert_non_null(user);
    assert_non_null(res);
    assert_superset(user, res, "");
    cJSON_Delete(user);
    free(a);
    free(b);
    scenario_free(&s1);
    scenario_free(&s2);
    return res;
}

static double res_num(const cJSON *root, const char *a, const char *b, const char *c)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, a);
    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    if (c)
        v = cJSON_GetObjectItemCaseSensitive(v, c);
    assert_true(cJSON_IsNumber(v));
    return v->valuedouble;
}

static void test_resolved(void **state)
{
    (void)state;
    /* every kind of every object, both event kinds, both timeout forms */
    static const char *every =
        "{\"name\": \"all\", \"description\": \"d\", \"seed\": 9007199254740991, \"horizon\": 500,\n"
        " \"warmup\": 10, \"replications\": 3, \"bin\": 5, \"limits\": {\"max_in_flight\": 7,\n"
        " \"max_events\": 1e12},\n"
        " \"pools\": [{\"name\": \"a\", \"servers\": 4, \"workers\": 2, \"queue_limit\": 9,\n"
        "   \"service\": {\"dist\": \"lognormal\", \"mu\": -3, \"sigma\": 0.5},\n"
        "   \"failure\": {\"dist\": \"weibull\", \"shape\": 1.5, \"scale\": 900},\n"
        "   \"repair\": {\"dist\": \"gamma\", \"shape\": 2, \"scale\": 3}, \"repair_crews\": 1,\n"
        "   \"failure_mode\": \"hang\", \"quorum\": 3,\n"
        "   \"calls\": {\"target\": \"b\", \"balancer\": \"least_outstanding\",\n"
        "     \"timeout\": {\"p_timeout\": 0.02}, \"retry\": {\"max_attempts\": 2,\n"
        "       \"backoff\": {\"kind\": \"constant\", \"delay\": 0.01},\n"
        "       \"budget\": {\"kind\": \"ratio\", \"percent\": 0.1}},\n"
        "     \"breaker\": {\"kind\": \"failure_rate\", \"window\": 20, \"slow_call_duration\": 0.2}},\n"
        "   \"liveness\": {\"interval\": 5, \"restart\": {\"dist\": \"exponential\", \"rate\": 0.5}},\n"
        "   \"spares\": {\"count\": 2, \"mode\": \"warm\", \"warm_factor\": 0.1,\n"
        "     \"switchover\": {\"dist\": \"deterministic\", \"value\": 2}},\n"
        "   \"error_rate\": 0.01, \"error_kind\": \"hang\", \"on_full\": \"drop\",\n"
        "   \"latency_injection\": {\"fraction\": 0.1, \"delay\": {\"dist\": \"deterministic\", \"value\": 0.5}},\n"
        "   \"service_slowdown\": {\"table\": [[1, 1], [4, 2.5]]}},\n"
        "  {\"name\": \"b\", \"spares\": {\"count\": 1, \"mode\": \"hot\", \"switchover\": 0},\n"
        "   \"discipline\": \"ps\", \"service_slowdown\": {\"per_request\": 0.2},\n"
        "   \"service\": {\"dist\": \"mixture\", \"components\": [\n"
        "     {\"weight\": 0.9, \"dist\": {\"dist\": \"exponential\", \"rate\": 100}},\n"
        "     {\"weight\": 0.1, \"dist\": {\"dist\": \"deterministic\", \"value\": 0.2}}]}}],\n"
        " \"clients\": [{\"name\": \"web\", \"target\": \"a\", \"balancer\": \"round_robin\",\n"
        "   \"arrival\": {\"schedule\": [[0, 10], [100, 30]],\n"
        "     \"periodic\": {\"period\": 60, \"amplitude\": 0.5, \"peak_at\": 15}},\n"
        "   \"timeout\": 0.5, \"deadline\": 2,\n"
        "   \"retry\": {\"max_attempts\": 3, \"retry_on\": [\"error\"],\n"
        "     \"backoff\": {\"kind\": \"exponential\", \"base\": 0.01, \"cap\": 1, \"jitter\": \"decorrelated\"}},\n"
        "   \"hedge\": {\"delay\": 0.1},\n"
        "   \"health_check\": {\"interval\": 1, \"timeout\": 0.5, \"unhealthy_threshold\": 2,\n"
        "     \"healthy_threshold\": 1, \"probe\": \"queued\"}},\n"
        "  {\"name\": \"bot\", \"target\": \"a\", \"arrival\": {\"process\": \"closed\", \"users\": 3,\n"
        "   \"think\": {\"dist\": \"deterministic\", \"value\": 1}},\n"
        "   \"retry\": {\"backoff\": {\"kind\": \"exponential_random\", \"rate\": 5, \"t_max\": 1},\n"
        "     \"budget\": {\"kind\": \"token_bucket\", \"max_tokens\": 5, \"token_ratio\": 0.5}}}],\n"
        " \"events\": [{\"at\": 50, \"kind\": \"fail\", \"pool\": \"a\", \"servers\": 2, \"duration\": 10},\n"
        "  {\"at\": 60, \"kind\": \"load\", \"client\": \"web\", \"multiplier\": 0, \"duration\": 5},\n"
        "  {\"at\": 70, \"kind\": \"inject\", \"pool\": \"b\", \"error_rate\": 0.5, \"duration\": 5,\n"
        "   \"latency_injection\": {\"fraction\": 0.2, \"delay\": {\"rate\": 4}}}]}";
    cJSON *r = resolve_roundtrip(every);
    const cJSON *pa = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "pools"), 0);
    const cJSON *calls = cJSON_GetObjectItemCaseSensitive(pa, "calls");
    /* defaults filled in: Finagle's ratio budget, Resilience4j's window
     * clamp, Kubernetes' liveness */
    assert_close(res_num(calls, "retry", "budget", "ttl"), 10, 0);
    assert_close(res_num(calls, "retry", "budget", "min_per_second"), 10, 0);
    assert_close(res_num(calls, "breaker", "min_calls", NULL), 20, 0);
    assert_close(res_num(calls, "breaker", "failure_rate", NULL), 0.5, 0);
    assert_close(res_num(pa, "liveness", "failure_threshold", NULL), 3, 0);
    assert_close(res_num(pa, "liveness", "timeout", NULL), 1, 0);
    cJSON_Delete(r);

    cJSON_Delete(resolve_roundtrip(MIN_JSON));
    cJSON_Delete(resolve_roundtrip(TWO_TIER));

    /* issue 16: objects left empty take their defaults, which the report reads */
    r = resolve_roundtrip("{\"name\": \"d\", \"horizon\": 100, \"pools\": [{\"name\": \"api\"}],\n"
                          " \"clients\": [{\"name\": \"web\", \"retry\": {},\n"
                          "   \"breaker\": {\"failure_threshold\": 3}, \"outlier\": {}}]}");
    const cJSON *web = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "clients"), 0);
    assert_close(res_num(web, "retry", "max_attempts", NULL), 3, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(
                            cJSON_GetObjectItemCaseSensitive(web, "breaker"), "kind")->valuestring,
                        "consecutive");
    assert_close(res_num(web, "breaker", "open_for", NULL), 5, 0);
    assert_close(res_num(web, "outlier", "consecutive_errors", NULL), 5, 0);
    assert_close(res_num(web, "outlier", "base_ejection", NULL), 30, 0);
    assert_close(res_num(web, "outlier", "max_ejection_percent", NULL), 10, 0);
    assert_close(res_num(r, "replications", NULL, NULL), 10, 0);
    assert_close(res_num(r, "seed", NULL, NULL), 1, 0);
    assert_null(cJSON_GetObjectItemCaseSensitive(web, "hedge")); /* off: left out */
    cJSON_Delete(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_object_defaults),
        cmocka_unit_test(test_full_example),
        cmocka_unit_test(test_every_dist),
        cmocka_unit_test(test_p_timeout),
        cmocka_unit_test(test_set_paths),
        cmocka_unit_test(test_set_errors),
        cmocka_unit_test(test_get_json),
        cmocka_unit_test(test_clone_independence),
        cmocka_unit_test(test_effective_json_roundtrip),
        cmocka_unit_test(test_locator_positions),
        cmocka_unit_test(test_other_json_files),
        cmocka_unit_test(test_duplicate_and_unknown_keys),
        cmocka_unit_test(test_events_sorted_stable),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_schedule_point_error),
        cmocka_unit_test(test_calls_cycle),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_error_cap),
        cmocka_unit_test(test_resolved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
