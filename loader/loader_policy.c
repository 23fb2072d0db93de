/* loader_policy.c - distributions and the caller policies of clients and of
 * pools' downstream `calls`: target, balancer, timeout (or p_timeout),
 * deadline, retry (backoff, budget, retry_on), breaker, hedge, outlier.
 *
 * Objects with a kind (dist, backoff, budget, breaker) default to the first
 * kind docs/CONTRACT.md lists and must hold only their own kind's parameters.
 * p_timeout is resolved after all pools are read:
 *     T_timeout = -ln(p) / K = -ln(p) * mean service time of the target pool
 * (the (1-p)-quantile of an Exp(K) response time; see MODEL.md).
 */
#include "loader/loader_int.h"

#include <string.h>

static const char *const no_keys[] = {NULL};

/* ---- distributions ---- */

static const char *const dist_shared[] = {"dist", NULL};
static const char *const p_rate[] = {"rate", NULL};
static const char *const p_value[] = {"value", NULL};
static const char *const p_shape_scale[] = {"shape", "scale", NULL};
static const char *const p_mu_sigma[] = {"mu", "sigma", NULL};
static const char *const p_mixture[] = {"components", NULL};
const lenum lk_dist_kinds[] = {{"exponential", DIST_EXPONENTIAL, p_rate},
                                   {"deterministic", DIST_DETERMINISTIC, p_value},
                                   {"weibull", DIST_WEIBULL, p_shape_scale},
                                   {"lognormal", DIST_LOGNORMAL, p_mu_sigma},
                                   {"gamma", DIST_GAMMA, p_shape_scale},
                                   {"mixture", DIST_MIXTURE, p_mixture},
                                   {NULL, 0, NULL}};

static int dist_body(lctx *c, const cJSON *o, dist_cfg *d);

/* One component {"weight": w, "dist": {...}} of a mixture into slot K. */
static void mixture_component(lctx *c, const cJSON *e, dist_cfg *v, int k, double *weight)
{
    const cJSON *o;
    char got[96];
    dist_cfg leaf;
    if (!cJSON_IsObject(e)) {
        lerr(c, AT_VALUE, "must be a component {\"weight\": w, \"dist\": {...}}, got %s",
             ljson_describe(e, got, sizeof got));
        return;
    }
    lcheck_keys(c, e, &ls_component);
    lv_num(c, e, "weight", R_POS, 1, weight);
    if (lv_object(c, e, "dist", 1, "a distribution object such as {\"dist\": \"exponential\", "
                  "\"rate\": 1}", &o) != 1)
        return;
    lpath_key(&c->path, "dist");
    if (dist_body(c, o, &leaf) == 1) {
        if (leaf.kind == DIST_MIXTURE)
            lerr(c, AT_VALUE, "a mixture's component cannot itself be a mixture: list its "
                 "components in the outer mixture");
        else
            v->comp[k] = (dist_leaf){leaf.kind, leaf.rate, leaf.value, leaf.shape, leaf.scale,
                                     leaf.mu, leaf.sigma};
    }
    lpath_pop(&c->path);
}

/* components: 2..DIST_MIX_MAX, weights relative (normalised to sum 1). */
static void mixture_params(lctx *c, const cJSON *o, dist_cfg *v)
{
    const cJSON *arr, *e;
    double w[DIST_MIX_MAX] = {0}, sum = 0;
    int k = 0, errors = c->nerr;
    if (lv_array(c, o, "components", 1, 2, DIST_MIX_MAX,
                 "a list of 2 to 8 components {\"weight\": w, \"dist\": {...}}", &arr) != 1)
        return;
    lpath_key(&c->path, "components");
    cJSON_ArrayForEach(e, arr)
    {
        lpath_index(&c->path, k);
        mixture_component(c, e, v, k, &w[k]);
        lpath_pop(&c->path);
        sum += w[k++];
    }
    lpath_pop(&c->path);
    if (c->nerr > errors)
        return;
    v->ncomp = k;
    double acc = 0;
    for (int i = 0; i < k; i++)
        v->cum[i] = (acc += w[i]) / sum;
    v->cum[k - 1] = 1;
}

static void dist_params(lctx *c, const cJSON *o, dist_cfg *v)
{
    switch (v->kind) {
    case DIST_EXPONENTIAL: lv_num(c, o, "rate", R_POS, 1, &v->rate); break;
    case DIST_DETERMINISTIC: lv_num(c, o, "value", R_POS, 1, &v->value); break;
    case DIST_WEIBULL:
    case DIST_GAMMA:
        lv_num(c, o, "shape", R_POS, 1, &v->shape);
        lv_num(c, o, "scale", R_POS, 1, &v->scale);
        break;
    case DIST_LOGNORMAL:
        lv_num(c, o, "mu", R_ANY, 1, &v->mu);
        lv_num(c, o, "sigma", R_POS, 1, &v->sigma);
        break;
    case DIST_MIXTURE: mixture_params(c, o, v); break;
    case DIST_NONE: break;
    }
}

static int dist_body(lctx *c, const cJSON *o, dist_cfg *d)
{
    int errors = c->nerr;
    const lenum *k = &lk_dist_kinds[0];
    dist_cfg v;
    char m[40];
    lcheck_keys(c, o, &ls_dist);
    if (lv_enum(c, o, "dist", lk_dist_kinds, 0, &k) < 0)
        return -1;
    lcheck_kind_keys(c, o, &ls_dist, dist_shared, lk_dist_kinds, k, "distribution");
    memset(&v, 0, sizeof v);
    v.kind = (dist_kind)k->value;
    dist_params(c, o, &v);
    if (c->nerr > errors)
        return -1;
    double mean = dist_mean(&v);
    if (!isfinite(mean) || mean <= 0) {
        lerr(c, AT_VALUE, "this %s distribution's mean is %s: choose parameters with a finite, "
             "positive mean", k->name, lnum_format(mean, m, sizeof m));
        return -1;
    }
    *d = v;
    return 1;
}

int lbuild_dist(lctx *c, const cJSON *obj, const char *key, int required, dist_cfg *d)
{
    const cJSON *o;
    int rc = lv_object(c, obj, key, required,
                       "a distribution object such as {\"dist\": \"exponential\", \"rate\": 1}", &o);
    if (rc != 1)
        return rc;
    lpath_key(&c->path, key);
    rc = dist_body(c, o, d);
    lpath_pop(&c->path);
    return rc;
}

/* ---- timeout ---- */

static void build_timeout(lctx *c, const cJSON *obj, policy_cfg *pol)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "timeout");
    char got[96];
    if (!v)
        return;
    lpath_key(&c->path, "timeout");
    if (cJSON_IsObject(v)) {
        double p;
        lcheck_keys(c, v, &ls_timeout);
        if (lv_num(c, v, "p_timeout", (lrange){0, 1, 1, 1, 0}, 1, &p) == 1)
            pol->p_timeout = p;
    } else if (cJSON_IsNumber(v)) {
        lv_check_num(c, v, R_NONNEG, &pol->timeout);
    } else {
        lerr(c, AT_VALUE,
             "must be a number >= 0 (seconds; 0 = none) or {\"p_timeout\": p} with p in (0, 1), "
             "got %s", ljson_describe(v, got, sizeof got));
    }
    lpath_pop(&c->path);
}

void lresolve_p_timeout(policy_cfg *pol, const scenario *s)
{
    if (pol->p_timeout <= 0 || pol->target < 0 || pol->target >= s->npools)
        return;
    double mean = dist_mean(&s->pools[pol->target].service);
    if (isfinite(mean))
        pol->timeout = -log(pol->p_timeout) * mean;
}

/* ---- retry: backoff, budget, retry_on ---- */

static const char *const kind_shared[] = {"kind", NULL};
static const char *const p_constant[] = {"delay", NULL};
static const char *const p_exponential[] = {"base", "multiplier", "cap", "jitter", NULL};
static const char *const p_exp_random[] = {"rate", "t_max", NULL};
const lenum lk_backoff_kinds[] = {{"none", BACKOFF_NONE, no_keys},
                                      {"constant", BACKOFF_CONSTANT, p_constant},
                                      {"exponential", BACKOFF_EXPONENTIAL, p_exponential},
                                      {"exponential_random", BACKOFF_EXPONENTIAL_RANDOM, p_exp_random},
                                      {NULL, 0, NULL}};
const lenum lk_jitters[] = {{"none", JITTER_NONE, NULL},
                                {"full", JITTER_FULL, NULL},
                                {"equal", JITTER_EQUAL, NULL},
                                {"decorrelated", JITTER_DECORRELATED, NULL},
                                {NULL, 0, NULL}};

static void backoff_params(lctx *c, const cJSON *o, backoff_cfg *b)
{
    const lenum *j;
    switch (b->kind) {
    case BACKOFF_CONSTANT: lv_num(c, o, "delay", R_NONNEG, 1, &b->delay); break;
    case BACKOFF_EXPONENTIAL:
        lv_num(c, o, "base", R_POS, 1, &b->base);
        lv_num(c, o, "multiplier", (lrange){1, HUGE_VAL, 0, 0, 0}, 0, &b->multiplier);
        lv_num(c, o, "cap", R_NONNEG, 0, &b->cap);
        if (lv_enum(c, o, "jitter", lk_jitters, 0, &j) == 1)
            b->jitter = (jitter_kind)j->value;
        break;
    case BACKOFF_EXPONENTIAL_RANDOM:
        lv_num(c, o, "rate", R_POS, 1, &b->rate);
        lv_num(c, o, "t_max", R_POS, 1, &b->t_max);
        break;
    case BACKOFF_NONE: break;
    }
}

static void build_backoff(lctx *c, const cJSON *obj, backoff_cfg *b)
{
    const cJSON *o;
    const lenum *k = &lk_backoff_kinds[0];
    if (lv_object(c, obj, "backoff", 0, "an object {\"kind\": ..., ...}", &o) != 1)
        return;
    lpath_key(&c->path, "backoff");
    lcheck_keys(c, o, &ls_backoff);
    if (lv_enum(c, o, "kind", lk_backoff_kinds, 0, &k) >= 0) {
        lcheck_kind_keys(c, o, &ls_backoff, kind_shared, lk_backoff_kinds, k, "backoff kind");
        b->kind = (backoff_kind)k->value;
        backoff_params(c, o, b);
    }
    lpath_pop(&c->path);
}

static const char *const p_token_bucket[] = {"max_tokens", "token_ratio", NULL};
static const char *const p_ratio[] = {"percent", "min_per_second", "ttl", NULL};
static const char *const p_quota[] = {"initial", "retry_cost", "timeout_cost", "success_deposit", "refund", NULL};
const lenum lk_refunds[] = {{"none", 0, NULL}, {"last_retry", 1, NULL}, {NULL, 0, NULL}};
static const char *const p_retry_breaker[] = {"window", "failure_rate", NULL};
const lenum lk_budget_kinds[] = {{"token_bucket", BUDGET_TOKEN_BUCKET, p_token_bucket},
                                     {"ratio", BUDGET_RATIO, p_ratio},
                                     {"retry_quota", BUDGET_QUOTA, p_quota},
                                     {"retry_breaker", BUDGET_BREAKER, p_retry_breaker},
                                     {"none", BUDGET_NONE, no_keys},
                                     {NULL, 0, NULL}};

static void build_budget(lctx *c, const cJSON *obj, budget_cfg *b)
{
    const cJSON *o;
    const lenum *k = &lk_budget_kinds[0];
    if (lv_object(c, obj, "budget", 0, "an object {\"kind\": ..., ...}", &o) != 1)
        return;
    lpath_key(&c->path, "budget");
    lcheck_keys(c, o, &ls_budget);
    if (lv_enum(c, o, "kind", lk_budget_kinds, 0, &k) >= 0) {
        lcheck_kind_keys(c, o, &ls_budget, kind_shared, lk_budget_kinds, k, "budget kind");
        budget_cfg_enable(b, (budget_kind)k->value);
        if (b->kind == BUDGET_TOKEN_BUCKET) {
            lv_num(c, o, "max_tokens", (lrange){0, 1000, 1, 0, 0}, 1, &b->max_tokens);
            lv_num(c, o, "token_ratio", R_POS, 1, &b->token_ratio);
        } else if (b->kind == BUDGET_RATIO) {
            lv_num(c, o, "percent", R_PROB, 0, &b->percent);
            lv_num(c, o, "min_per_second", R_NONNEG, 0, &b->min_per_second);
            lv_num(c, o, "ttl", (lrange){1, 60, 0, 0, 0}, 0, &b->ttl);
        } else if (b->kind == BUDGET_QUOTA) {
            lv_num(c, o, "initial", (lrange){0, 1e9, 0, 0, 0}, 0, &b->initial);
            lv_num(c, o, "retry_cost", (lrange){0, 1e9, 0, 0, 0}, 0, &b->retry_cost);
            lv_num(c, o, "timeout_cost", (lrange){0, 1e9, 0, 0, 0}, 0, &b->timeout_cost);
            lv_num(c, o, "success_deposit", (lrange){0, 1e9, 0, 0, 0}, 0, &b->success_deposit);
            const lenum *rf;
            if (lv_enum(c, o, "refund", lk_refunds, 0, &rf) == 1)
                b->refund = rf->value;
        } else if (b->kind == BUDGET_BREAKER) {
            lv_int(c, o, "window", R_INT(1, BUDGET_WINDOW_MAX), 0, &b->window);
            lv_num(c, o, "failure_rate", R_PROB, 0, &b->failure_rate);
        }
    }
    lpath_pop(&c->path);
}

const lenum lk_outcomes[] = {{"timeout", 0, NULL},
                                 {"error", 1, NULL},
                                 {"rejected", 2, NULL},
                                 {"breaker", 3, NULL},
                                 {NULL, 0, NULL}};

static void build_retry_on(lctx *c, const cJSON *obj, retry_on_cfg *out)
{
    const cJSON *a, *v;
    int on[4] = {0, 0, 0, 0}, i = 0, errors = c->nerr;
    if (lv_array(c, obj, "retry_on", 0, 0, 16,
                 "a list of outcomes from \"timeout\", \"error\", \"rejected\", \"breaker\"", &a) != 1)
        return;
    lpath_key(&c->path, "retry_on");
    cJSON_ArrayForEach(v, a)
    {
        const lenum *e;
        lpath_index(&c->path, i++);
        if (lv_check_enum(c, v, lk_outcomes, &e) == 1 && on[e->value]++)
            lerr(c, AT_VALUE, "\"%s\" is listed twice", e->name);
        lpath_pop(&c->path);
    }
    lpath_pop(&c->path);
    if (c->nerr == errors)
        *out = (retry_on_cfg){on[0] > 0, on[1] > 0, on[2] > 0, on[3] > 0};
}

static void build_retry(lctx *c, const cJSON *obj, retry_cfg *r)
{
    const cJSON *o;
    if (lv_object(c, obj, "retry", 0, "an object {\"max_attempts\": n, \"backoff\": {...}, ...}",
                  &o) != 1)
        return;
    lpath_key(&c->path, "retry");
    lcheck_keys(c, o, &ls_retry);
    retry_cfg_enable(r);
    lv_int(c, o, "max_attempts", R_INT(1, 100), 0, &r->max_attempts);
    build_backoff(c, o, &r->backoff);
    build_budget(c, o, &r->budget);
    build_retry_on(c, o, &r->retry_on);
    lpath_pop(&c->path);
}

/* ---- breaker, hedge, outlier ---- */

static const char *const breaker_shared[] = {"kind", "scope", "open_for", "half_open_probes", NULL};
static const char *const p_consecutive[] = {"failure_threshold", NULL};
static const char *const p_failure_rate[] = {"window", "min_calls", "failure_rate",
                                             "slow_call_duration", "slow_call_rate", NULL};
const lenum lk_breaker_kinds[] = {{"consecutive", BREAKER_CONSECUTIVE, p_consecutive},
                                      {"failure_rate", BREAKER_FAILURE_RATE, p_failure_rate},
                                      {"none", BREAKER_NONE, no_keys},
                                      {NULL, 0, NULL}};
const lenum lk_scopes[] = {
    {"per_server", SCOPE_PER_SERVER, NULL}, {"pool", SCOPE_POOL, NULL}, {NULL, 0, NULL}};

static void failure_rate_params(lctx *c, const cJSON *o, breaker_cfg *b)
{
    const lrange open01 = {0, 1, 1, 0, 0};
    int window_ok = lv_int(c, o, "window", R_INT(1, 1000000), 0, &b->window) >= 0;
    int rc = lv_int(c, o, "min_calls", R_INT(1, 1000000), 0, &b->min_calls);
    if (rc == 0 && b->min_calls > b->window)
        b->min_calls = b->window; /* the default (100) never exceeds the window */
    if (rc == 1 && window_ok && b->min_calls > b->window) {
        lpath_key(&c->path, "min_calls");
        lerr(c, AT_VALUE, "must be <= window (%d), got %d", b->window, b->min_calls);
        lpath_pop(&c->path);
    }
    lv_num(c, o, "failure_rate", open01, 0, &b->failure_rate);
    lv_num(c, o, "slow_call_duration", R_NONNEG, 0, &b->slow_call_duration);
    lv_num(c, o, "slow_call_rate", open01, 0, &b->slow_call_rate);
}

static void build_breaker(lctx *c, const cJSON *obj, breaker_cfg *b)
{
    const cJSON *o;
    const lenum *k = &lk_breaker_kinds[0], *s;
    if (lv_object(c, obj, "breaker", 0, "an object {\"kind\": ..., ...}", &o) != 1)
        return;
    lpath_key(&c->path, "breaker");
    lcheck_keys(c, o, &ls_breaker);
    if (lv_enum(c, o, "scope", lk_scopes, 0, &s) == 1)
        b->scope = (breaker_scope)s->value;
    lv_num(c, o, "open_for", R_POS, 0, &b->open_for);
    lv_int(c, o, "half_open_probes", R_INT(1, 1000000), 0, &b->half_open_probes);
    if (lv_enum(c, o, "kind", lk_breaker_kinds, 0, &k) >= 0) {
        lcheck_kind_keys(c, o, &ls_breaker, breaker_shared, lk_breaker_kinds, k, "breaker kind");
        b->kind = (breaker_kind)k->value;
        if (b->kind == BREAKER_CONSECUTIVE)
            lv_int(c, o, "failure_threshold", R_INT(1, 1000000), 0, &b->failure_threshold);
        else if (b->kind == BREAKER_FAILURE_RATE)
            failure_rate_params(c, o, b);
    }
    lpath_pop(&c->path);
}

static void build_hedge(lctx *c, const cJSON *obj, hedge_cfg *h)
{
    const cJSON *o;
    if (lv_object(c, obj, "hedge", 0, "an object {\"delay\": s, \"max_attempts\": n}", &o) != 1)
        return;
    lpath_key(&c->path, "hedge");
    lcheck_keys(c, o, &ls_hedge);
    hedge_cfg_enable(h);
    lv_num(c, o, "delay", R_NONNEG, 1, &h->delay);
    lv_int(c, o, "max_attempts", R_INT(1, 10), 0, &h->max_attempts);
    lpath_pop(&c->path);
}

static void build_outlier(lctx *c, const cJSON *obj, outlier_cfg *d)
{
    const cJSON *o;
    if (lv_object(c, obj, "outlier", 0, "an object {\"consecutive_errors\": n, ...}", &o) != 1)
        return;
    lpath_key(&c->path, "outlier");
    lcheck_keys(c, o, &ls_outlier);
    outlier_cfg_enable(d);
    lv_int(c, o, "consecutive_errors", R_INT(1, 1000000), 0, &d->consecutive_errors);
    lv_num(c, o, "base_ejection", R_POS, 0, &d->base_ejection);
    lv_num(c, o, "max_ejection_percent", (lrange){0, 100, 0, 0, 0}, 0, &d->max_ejection_percent);
    lpath_pop(&c->path);
}

/* ---- network ---- */

/* network: {"delay": distribution, "loss": p}.  A lost message is noticed
 * only by a timeout or deadline, so loss > 0 needs one. */
static void build_network(lctx *c, const cJSON *obj, policy_cfg *pol)
{
    const cJSON *o;
    network_cfg *n = &pol->network;
    if (lv_object(c, obj, "network", 0, "an object {\"delay\": {\"dist\": ...}, \"loss\": p}", &o) != 1)
        return;
    lpath_key(&c->path, "network");
    lcheck_keys(c, o, &ls_network);
    network_cfg_enable(n);
    lbuild_dist(c, o, "delay", 0, &n->delay);
    if (lv_num(c, o, "loss", (lrange){0, 1, 0, 1, 0}, 0, &n->loss) == 1 && n->loss > 0 &&
        pol->timeout <= 0 && pol->p_timeout <= 0 && pol->deadline <= 0) {
        lpath_key(&c->path, "loss");
        lerr(c, AT_VALUE, "needs a timeout or deadline on this policy: a lost message is never "
             "answered, so only a timeout or deadline can end its request");
        lpath_pop(&c->path);
    }
    lpath_pop(&c->path);
}

/* ---- fan-out ---- */

#define FANOUT_MAX 10000

/* fanout: {"count": N, "wait_for": "all" | "first" | K} (default all). */
static void build_fanout(lctx *c, const cJSON *obj, fanout_cfg *f)
{
    const cJSON *o, *w;
    char got[96];
    if (lv_object(c, obj, "fanout", 0, "an object {\"count\": n, \"wait_for\": \"all\" | \"first\" | k}",
                  &o) != 1)
        return;
    lpath_key(&c->path, "fanout");
    lcheck_keys(c, o, &ls_fanout);
    if (lv_int(c, o, "count", R_INT(1, FANOUT_MAX), 1, &f->count) != 1) {
        f->count = 0;
        lpath_pop(&c->path);
        return;
    }
    f->wait_for = f->count;
    if ((w = cJSON_GetObjectItemCaseSensitive(o, "wait_for")) != NULL) {
        lpath_key(&c->path, "wait_for");
        if (cJSON_IsString(w) && !strcmp(w->valuestring, "all"))
            f->wait_for = f->count;
        else if (cJSON_IsString(w) && !strcmp(w->valuestring, "first"))
            f->wait_for = 1;
        else if (cJSON_IsNumber(w) && w->valuedouble >= 1 && w->valuedouble <= f->count &&
                 w->valuedouble == floor(w->valuedouble))
            f->wait_for = (int)w->valuedouble;
        else
            lerr(c, AT_VALUE, "must be \"all\", \"first\" or an integer in [1, count = %d], got %s",
                 f->count, ljson_describe(w, got, sizeof got));
        lpath_pop(&c->path);
    }
    lpath_pop(&c->path);
}

/* ---- the whole policy ---- */

const lenum lk_balancers[] = {{"random", BAL_RANDOM, NULL},
                                  {"round_robin", BAL_ROUND_ROBIN, NULL},
                                  {"least_outstanding", BAL_LEAST_OUTSTANDING, NULL},
                                  {"p2c", BAL_P2C, NULL},
                                  {NULL, 0, NULL}};

void lbuild_policy(lctx *c, const cJSON *obj, const lnames *pools, int target_required,
                   policy_cfg *pol)
{
    const lenum *b;
    policy_cfg_defaults(pol);
    pol->target = 0; /* default: the first pool */
    if (lv_ref(c, obj, "target", pools, target_required, &pol->target) < 0)
        pol->target = -1;
    if (lv_enum(c, obj, "balancer", lk_balancers, 0, &b) == 1)
        pol->balancer = (balancer_kind)b->value;
    build_timeout(c, obj, pol);
    lv_num(c, obj, "deadline", R_NONNEG, 0, &pol->deadline);
    build_retry(c, obj, &pol->retry);
    build_breaker(c, obj, &pol->breaker);
    build_hedge(c, obj, &pol->hedge);
    build_outlier(c, obj, &pol->outlier);
    lbuild_health(c, obj, &pol->health);
    build_network(c, obj, pol);
    build_fanout(c, obj, &pol->fanout);
    lbuild_policy_overload(c, obj, pol);
}
