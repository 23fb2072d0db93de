/* loader_overload.c - overload control keys (docs/SCENARIO.md "Overload
 * control"): a pool's admission {queue_timeout, codel, discipline},
 * max_concurrency, limit and pushback; a caller's throttle, bulkhead,
 * rate_limit and limit.  Defaults are the reference implementations' (Fail
 * at Scale, Netflix concurrency-limits, Envoy, Google SRE, Resilience4j);
 * they live in models/config.c and models/limit.c.
 */
#include "loader/loader_int.h"
#include "models/limit.h"

#include <string.h>

#define R_OPEN01 ((lrange){0, 1, 1, 1, 0})
#define R_HALF_OPEN01 ((lrange){0, 1, 1, 0, 0})

/* ---- adaptive limits ---- */

static const char *const limit_shared[] = {"kind", "initial", "min", "max", NULL};
static const char *const p_aimd[] = {"backoff_ratio", "timeout", NULL};
static const char *const p_gradient2[] = {"smoothing", "tolerance", "queue_size", "long_window", NULL};
static const char *const p_vegas[] = {"smoothing", "probe_multiplier", NULL};
static const char *const p_envoy[] = {"update_interval", "percentile", "min_rtt_interval",
                                      "request_count", "jitter", "buffer", NULL};
static const lenum limit_kinds[] = {{"aimd", LIMIT_AIMD, p_aimd},
                                    {"gradient2", LIMIT_GRADIENT2, p_gradient2},
                                    {"vegas", LIMIT_VEGAS, p_vegas},
                                    {"envoy_gradient", LIMIT_ENVOY, p_envoy},
                                    {NULL, 0, NULL}};

static void limit_params(lctx *c, const cJSON *o, limit_cfg *l)
{
    switch (l->kind) {
    case LIMIT_AIMD:
        lv_num(c, o, "backoff_ratio", (lrange){0.5, 1, 0, 1, 0}, 0, &l->backoff_ratio);
        lv_num(c, o, "timeout", R_POS, 0, &l->timeout);
        break;
    case LIMIT_GRADIENT2:
        lv_num(c, o, "smoothing", R_HALF_OPEN01, 0, &l->smoothing);
        lv_num(c, o, "tolerance", (lrange){1, 1e6, 0, 0, 0}, 0, &l->tolerance);
        lv_num(c, o, "queue_size", (lrange){0, 1e6, 0, 0, 0}, 0, &l->queue_size);
        lv_int(c, o, "long_window", R_INT(1, 1000000), 0, &l->long_window);
        break;
    case LIMIT_VEGAS:
        lv_num(c, o, "smoothing", R_HALF_OPEN01, 0, &l->smoothing);
        lv_int(c, o, "probe_multiplier", R_INT(1, 1000000), 0, &l->probe_multiplier);
        break;
    case LIMIT_ENVOY:
        lv_num(c, o, "update_interval", R_POS, 0, &l->update_interval);
        lv_num(c, o, "percentile", R_OPEN01, 0, &l->percentile);
        lv_num(c, o, "min_rtt_interval", R_POS, 0, &l->min_rtt_interval);
        lv_int(c, o, "request_count", R_INT(1, 4096), 0, &l->request_count);
        lv_num(c, o, "jitter", R_PROB, 0, &l->jitter);
        lv_num(c, o, "buffer", (lrange){0, 100, 0, 0, 0}, 0, &l->buffer);
        break;
    case LIMIT_NONE: break;
    }
}

/* min <= initial <= max, each reported at its own key. */
static void limit_order(lctx *c, const cJSON *o, const limit_cfg *l)
{
    char a[40], b[40], d[40];
    if (l->min > l->max) {
        lpath_key(&c->path, cJSON_GetObjectItemCaseSensitive(o, "min") ? "min" : "max");
        lerr(c, AT_VALUE, "min (%s) must be <= max (%s)", lnum_format(l->min, a, sizeof a),
             lnum_format(l->max, b, sizeof b));
        lpath_pop(&c->path);
    } else if (l->initial < l->min || l->initial > l->max) {
        lpath_key(&c->path, cJSON_GetObjectItemCaseSensitive(o, "initial") ? "initial" : "min");
        lerr(c, AT_VALUE, "initial (%s) must be within [min, max] = [%s, %s]",
             lnum_format(l->initial, a, sizeof a), lnum_format(l->min, b, sizeof b),
             lnum_format(l->max, d, sizeof d));
        lpath_pop(&c->path);
    }
}

static void build_limit(lctx *c, const cJSON *obj, limit_cfg *l)
{
    const cJSON *o;
    const lenum *k;
    int errors = c->nerr;
    if (lv_object(c, obj, "limit", 0,
                  "an object {\"kind\": \"aimd\" | \"gradient2\" | \"vegas\" | \"envoy_gradient\", ...}",
                  &o) != 1)
        return;
    lpath_key(&c->path, "limit");
    lcheck_keys(c, o, &ls_limit);
    if (lv_enum(c, o, "kind", limit_kinds, 1, &k) == 1) {
        lcheck_kind_keys(c, o, &ls_limit, limit_shared, limit_kinds, k, "limit kind");
        limit_cfg_defaults(l, (limit_kind)k->value);
        int r1 = lv_num(c, o, "initial", (lrange){1, 1e6, 0, 0, 1}, 0, &l->initial);
        int r2 = lv_num(c, o, "min", (lrange){1, 1e6, 0, 0, 1}, 0, &l->min);
        int r3 = lv_num(c, o, "max", (lrange){1, 1e6, 0, 0, 1}, 0, &l->max);
        limit_params(c, o, l);
        if (r2 == 1 && r1 == 0 && l->initial < l->min) /* a higher min lifts the default start */
            l->initial = l->min;
        if (r3 == 1 && r1 == 0 && l->initial > l->max)
            l->initial = l->max;
        if (c->nerr == errors)
            limit_order(c, o, l);
    }
    lpath_pop(&c->path);
}

/* ---- pools ---- */

static const lenum queue_orders[] = {{"fifo", QDISC_FIFO, NULL},
                                    {"lifo", QDISC_LIFO, NULL},
                                    {"adaptive_lifo", QDISC_ADAPTIVE_LIFO, NULL},
                                    {NULL, 0, NULL}};

static void build_codel(lctx *c, const cJSON *obj, admission_cfg *a)
{
    const cJSON *o;
    char x[40], y[40];
    if (lv_object(c, obj, "codel", 0, "an object {\"target\": s, \"interval\": s} (both optional)",
                  &o) != 1)
        return;
    lpath_key(&c->path, "codel");
    lcheck_keys(c, o, &ls_codel);
    a->codel = 1;
    int t = lv_num(c, o, "target", R_POS, 0, &a->codel_target);
    int i = lv_num(c, o, "interval", R_POS, 0, &a->codel_interval);
    if (t >= 0 && i >= 0 && a->codel_target >= a->codel_interval) {
        lpath_key(&c->path, t == 1 ? "target" : "interval");
        lerr(c, AT_VALUE, "target (%s) must be < interval (%s)", lnum_format(a->codel_target, x, sizeof x),
             lnum_format(a->codel_interval, y, sizeof y));
        lpath_pop(&c->path);
    }
    lpath_pop(&c->path);
}

static void build_admission(lctx *c, const cJSON *obj, admission_cfg *a)
{
    const cJSON *o;
    const lenum *d;
    if (lv_object(c, obj, "admission", 0,
                  "an object {\"queue_timeout\": s, \"codel\": {...}, \"discipline\": \"fifo\"}", &o) != 1)
        return;
    lpath_key(&c->path, "admission");
    lcheck_keys(c, o, &ls_admission);
    lv_num(c, o, "queue_timeout", R_POS, 0, &a->queue_timeout);
    build_codel(c, o, a);
    if (lv_enum(c, o, "discipline", queue_orders, 0, &d) == 1)
        a->discipline = (queue_discipline)d->value;
    lpath_pop(&c->path);
}

static void build_pushback(lctx *c, const cJSON *obj, pushback_cfg *pb)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "pushback");
    char got[96];
    if (!v)
        return;
    lpath_key(&c->path, "pushback");
    if (cJSON_IsString(v) && !strcmp(v->valuestring, "none")) {
        pb->enabled = 0;
    } else if (cJSON_IsObject(v)) {
        lcheck_keys(c, v, &ls_pushback);
        if (lv_num(c, v, "delay", (lrange){-1e9, 1e9, 0, 0, 0}, 1, &pb->delay) == 1)
            pb->enabled = 1;
    } else {
        lerr(c, AT_VALUE,
             "must be {\"delay\": s} (retry after exactly s seconds; negative: do not retry) or "
             "\"none\", got %s", ljson_describe(v, got, sizeof got));
    }
    lpath_pop(&c->path);
}

void lbuild_pool_overload(lctx *c, const cJSON *obj, pool_cfg *p)
{
    build_admission(c, obj, &p->admission);
    if (p->discipline == DISC_PS && cJSON_GetObjectItemCaseSensitive(obj, "admission")) {
        /* admission control acts on requests waiting in the queue; under
         * processor sharing none waits, so it would silently do nothing */
        lpath_key(&c->path, "admission");
        lerr(c, AT_VALUE, "cannot be combined with discipline \"ps\" (no request waits in a queue "
             "to be shed or reordered): use \"fifo\" with workers, or queue_limit / max_concurrency");
        lpath_pop(&c->path);
    }
    lv_int(c, obj, "max_concurrency", R_INT(1, 100000000), 0, &p->max_concurrency);
    build_limit(c, obj, &p->limit);
    build_pushback(c, obj, &p->pushback);
}

/* ---- callers ---- */

static void build_throttle(lctx *c, const cJSON *obj, throttle_cfg *t)
{
    const cJSON *o;
    if (lv_object(c, obj, "throttle", 0, "an object {\"k\": 2, \"window\": 120} (both optional)", &o) != 1)
        return;
    lpath_key(&c->path, "throttle");
    lcheck_keys(c, o, &ls_throttle);
    t->enabled = 1;
    lv_num(c, o, "k", (lrange){1, 1e6, 0, 0, 0}, 0, &t->k);
    lv_num(c, o, "window", (lrange){0, 1e9, 1, 0, 0}, 0, &t->window);
    lpath_pop(&c->path);
}

static void build_bulkhead(lctx *c, const cJSON *obj, bulkhead_cfg *b)
{
    const cJSON *o;
    if (lv_object(c, obj, "bulkhead", 0, "an object {\"max_concurrent\": n, \"max_wait\": s}", &o) != 1)
        return;
    lpath_key(&c->path, "bulkhead");
    lcheck_keys(c, o, &ls_bulkhead);
    b->enabled = 1;
    lv_int(c, o, "max_concurrent", R_INT(1, 100000000), 0, &b->max_concurrent);
    lv_num(c, o, "max_wait", R_NONNEG, 0, &b->max_wait);
    lpath_pop(&c->path);
}

static void build_rate_limit(lctx *c, const cJSON *obj, rate_limit_cfg *r)
{
    const cJSON *o;
    if (lv_object(c, obj, "rate_limit", 0, "an object {\"rate\": r, \"burst\": n, \"max_wait\": s}",
                  &o) != 1)
        return;
    lpath_key(&c->path, "rate_limit");
    lcheck_keys(c, o, &ls_rate_limit);
    r->enabled = 1;
    if (lv_num(c, o, "rate", (lrange){0, 1e9, 1, 0, 0}, 1, &r->rate) == 1)
        r->burst = r->rate > 1 ? r->rate : 1; /* one second of tokens (Guava's SmoothBursty) */
    lv_num(c, o, "burst", (lrange){1, 1e12, 0, 0, 0}, 0, &r->burst);
    lv_num(c, o, "max_wait", R_NONNEG, 0, &r->max_wait);
    lpath_pop(&c->path);
}

void lbuild_policy_overload(lctx *c, const cJSON *obj, policy_cfg *pol)
{
    build_throttle(c, obj, &pol->throttle);
    build_bulkhead(c, obj, &pol->bulkhead);
    build_rate_limit(c, obj, &pol->rate_limit);
    build_limit(c, obj, &pol->limit);
}

/* ---- back to JSON (scenario.resolved.json) ---- */

/* Adders that remember an allocation failure in *OOM. */
static cJSON *jobj(int *oom, cJSON *parent, const char *key)
{
    cJSON *o = cJSON_AddObjectToObject(parent, key);
    *oom |= !o;
    return o;
}

static void jnum(int *oom, cJSON *o, const char *key, double v)
{
    *oom |= !cJSON_AddNumberToObject(o, key, v);
}

static void jstr(int *oom, cJSON *o, const char *key, const lenum *tab, int value)
{
    const char *name = lenum_name(tab, value);
    *oom |= !cJSON_AddStringToObject(o, key, name ? name : "?");
}

static void limit_json(int *oom, cJSON *parent, const limit_cfg *l)
{
    cJSON *o = jobj(oom, parent, "limit");
    if (!o)
        return;
    jstr(oom, o, "kind", limit_kinds, l->kind);
    jnum(oom, o, "initial", l->initial);
    jnum(oom, o, "min", l->min);
    jnum(oom, o, "max", l->max);
    switch (l->kind) {
    case LIMIT_AIMD:
        jnum(oom, o, "backoff_ratio", l->backoff_ratio);
        jnum(oom, o, "timeout", l->timeout);
        break;
    case LIMIT_GRADIENT2:
        jnum(oom, o, "smoothing", l->smoothing);
        jnum(oom, o, "tolerance", l->tolerance);
        jnum(oom, o, "queue_size", l->queue_size);
        jnum(oom, o, "long_window", l->long_window);
        break;
    case LIMIT_VEGAS:
        jnum(oom, o, "smoothing", l->smoothing);
        jnum(oom, o, "probe_multiplier", l->probe_multiplier);
        break;
    case LIMIT_ENVOY:
        jnum(oom, o, "update_interval", l->update_interval);
        jnum(oom, o, "percentile", l->percentile);
        jnum(oom, o, "min_rtt_interval", l->min_rtt_interval);
        jnum(oom, o, "request_count", l->request_count);
        jnum(oom, o, "jitter", l->jitter);
        jnum(oom, o, "buffer", l->buffer);
        break;
    case LIMIT_NONE: break;
    }
}

int lresolved_pool_overload(cJSON *o, const pool_cfg *p)
{
    int oom = 0;
    const admission_cfg *a = &p->admission;
    if (a->queue_timeout > 0 || a->codel || a->discipline != QDISC_FIFO) {
        cJSON *ad = jobj(&oom, o, "admission");
        if (ad) {
            if (a->queue_timeout > 0)
                jnum(&oom, ad, "queue_timeout", a->queue_timeout);
            if (a->codel) {
                cJSON *cd = jobj(&oom, ad, "codel");
                if (cd) {
                    jnum(&oom, cd, "target", a->codel_target);
                    jnum(&oom, cd, "interval", a->codel_interval);
                }
            }
            jstr(&oom, ad, "discipline", queue_orders, a->discipline);
        }
    }
    if (p->max_concurrency > 0)
        jnum(&oom, o, "max_concurrency", p->max_concurrency);
    if (p->limit.kind != LIMIT_NONE)
        limit_json(&oom, o, &p->limit);
    if (p->pushback.enabled) {
        cJSON *pb = jobj(&oom, o, "pushback");
        if (pb)
            jnum(&oom, pb, "delay", p->pushback.delay);
    }
    return oom;
}

int lresolved_policy_overload(cJSON *o, const policy_cfg *p)
{
    int oom = 0;
    if (p->throttle.enabled) {
        cJSON *t = jobj(&oom, o, "throttle");
        if (t) {
            jnum(&oom, t, "k", p->throttle.k);
            jnum(&oom, t, "window", p->throttle.window);
        }
    }
    if (p->bulkhead.enabled) {
        cJSON *b = jobj(&oom, o, "bulkhead");
        if (b) {
            jnum(&oom, b, "max_concurrent", p->bulkhead.max_concurrent);
            jnum(&oom, b, "max_wait", p->bulkhead.max_wait);
        }
    }
    if (p->rate_limit.enabled) {
        cJSON *r = jobj(&oom, o, "rate_limit");
        if (r) {
            jnum(&oom, r, "rate", p->rate_limit.rate);
            jnum(&oom, r, "burst", p->rate_limit.burst);
            jnum(&oom, r, "max_wait", p->rate_limit.max_wait);
        }
    }
    if (p->limit.kind != LIMIT_NONE)
        limit_json(&oom, o, &p->limit);
    return oom;
}
