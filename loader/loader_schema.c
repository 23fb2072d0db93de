/* loader_schema.c - which keys exist where, and the checks that use it.
 *
 * One table per kind of object lists every key it may hold (for objects with
 * a kind, the union over the kinds; lcheck_kind_keys() then keeps each kind
 * to its own parameters).  The same tables decide which --set paths exist.
 * Unknown keys get a "did you mean" from the edit distance to the valid ones;
 * duplicate keys (which cJSON keeps silently) are errors.
 */
#include "loader/loader_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- the tables ---- */

extern const lschema ls_dist;
static const lkey k_component[] = {{"weight", NULL}, {"dist", &ls_dist}, {NULL, NULL}};
const lschema ls_component = {LS_OBJECT, "mixture component", k_component, NULL, 0};
static const lschema ls_components = {LS_LIST, "mixture component", NULL, &ls_component, 0};
static const lkey k_dist[] = {{"dist", NULL},  {"rate", NULL},  {"value", NULL}, {"shape", NULL},
                              {"scale", NULL}, {"mu", NULL},    {"sigma", NULL},
                              {"components", &ls_components},   {NULL, NULL}};
const lschema ls_dist = {LS_OBJECT, "distribution", k_dist, NULL, 0};

static const lkey k_timeout[] = {{"p_timeout", NULL}, {NULL, NULL}};
const lschema ls_timeout = {LS_OBJECT, "timeout", k_timeout, NULL, 1};

static const lkey k_backoff[] = {{"kind", NULL},       {"delay", NULL}, {"base", NULL},
                                 {"multiplier", NULL}, {"cap", NULL},   {"jitter", NULL},
                                 {"rate", NULL},       {"t_max", NULL}, {NULL, NULL}};
const lschema ls_backoff = {LS_OBJECT, "backoff", k_backoff, NULL, 0};

static const lkey k_budget[] = {{"kind", NULL},         {"max_tokens", NULL},     {"token_ratio", NULL},
                                {"percent", NULL},      {"min_per_second", NULL}, {"ttl", NULL},
                                {"initial", NULL},      {"retry_cost", NULL},     {"timeout_cost", NULL},
                                {"success_deposit", NULL}, {"refund", NULL}, {"window", NULL},      {"failure_rate", NULL},
                                {NULL, NULL}};
const lschema ls_budget = {LS_OBJECT, "budget", k_budget, NULL, 0};

static const lkey k_breaker[] = {{"scope", NULL},          {"kind", NULL},
                                 {"failure_threshold", NULL}, {"window", NULL},
                                 {"min_calls", NULL},      {"failure_rate", NULL},
                                 {"slow_call_duration", NULL}, {"slow_call_rate", NULL},
                                 {"open_for", NULL},       {"half_open_probes", NULL},
                                 {NULL, NULL}};
const lschema ls_breaker = {LS_OBJECT, "breaker", k_breaker, NULL, 0};

static const lschema ls_retry_on = {LS_LIST, "retry_on value", NULL, NULL, 0};
static const lkey k_retry[] = {{"max_attempts", NULL},
                               {"backoff", &ls_backoff},
                               {"budget", &ls_budget},
                               {"retry_on", &ls_retry_on},
                               {NULL, NULL}};
const lschema ls_retry = {LS_OBJECT, "retry", k_retry, NULL, 0};

static const lkey k_hedge[] = {{"delay", NULL}, {"max_attempts", NULL}, {NULL, NULL}};
const lschema ls_hedge = {LS_OBJECT, "hedge", k_hedge, NULL, 0};

static const lkey k_outlier[] = {{"consecutive_errors", NULL},
                                 {"base_ejection", NULL},
                                 {"max_ejection_percent", NULL},
                                 {NULL, NULL}};
const lschema ls_outlier = {LS_OBJECT, "outlier", k_outlier, NULL, 0};

static const lkey k_health[] = {{"interval", NULL},
                                {"jitter", NULL},
                                {"timeout", NULL},
                                {"unhealthy_threshold", NULL},
                                {"healthy_threshold", NULL},
                                {"probe", NULL},
                                {"panic_threshold", NULL},
                                {NULL, NULL}};
const lschema ls_health = {LS_OBJECT, "health_check", k_health, NULL, 0};

static const lkey k_liveness[] = {{"interval", NULL}, {"timeout", NULL}, {"failure_threshold", NULL},
                                  {"probe", NULL},    {"restart", &ls_dist}, {NULL, NULL}};
const lschema ls_liveness = {LS_OBJECT, "liveness", k_liveness, NULL, 0};

/* switchover: a distribution, or a number of seconds (0 = instant) */
static const lschema ls_switchover = {LS_OBJECT, "distribution", k_dist, NULL, 1};
static const lkey k_spares[] = {{"count", NULL},      {"mode", NULL}, {"warm_factor", NULL},
                                {"switchover", &ls_switchover}, {NULL, NULL}};
const lschema ls_spares = {LS_OBJECT, "spares", k_spares, NULL, 0};

static const lkey k_periodic[] = {{"period", NULL}, {"amplitude", NULL}, {"peak_at", NULL}, {NULL, NULL}};
const lschema ls_periodic = {LS_OBJECT, "periodic", k_periodic, NULL, 0};
static const lschema ls_points = {LS_LIST, "point", NULL, NULL, 0};

static const lkey k_arrival[] = {{"process", NULL},        {"rate", NULL},
                                 {"users", NULL},          {"think", &ls_dist},
                                 {"schedule", &ls_points}, {"periodic", &ls_periodic},
                                 {NULL, NULL}};
static const lkey k_limit[] = {
    {"kind", NULL},          {"initial", NULL},       {"min", NULL},           {"max", NULL},
    {"backoff_ratio", NULL}, {"timeout", NULL},       {"smoothing", NULL},     {"tolerance", NULL},
    {"queue_size", NULL},    {"long_window", NULL},   {"probe_multiplier", NULL},
    {"update_interval", NULL}, {"percentile", NULL},  {"min_rtt_interval", NULL},
    {"request_count", NULL}, {"jitter", NULL},        {"buffer", NULL},        {NULL, NULL}};
const lschema ls_limit = {LS_OBJECT, "limit", k_limit, NULL, 0};

static const lkey k_throttle[] = {{"k", NULL}, {"window", NULL}, {NULL, NULL}};
const lschema ls_throttle = {LS_OBJECT, "throttle", k_throttle, NULL, 0};

static const lkey k_bulkhead[] = {{"max_concurrent", NULL}, {"max_wait", NULL}, {NULL, NULL}};
const lschema ls_bulkhead = {LS_OBJECT, "bulkhead", k_bulkhead, NULL, 0};

static const lkey k_rate_limit[] = {{"rate", NULL}, {"burst", NULL}, {"max_wait", NULL}, {NULL, NULL}};
const lschema ls_rate_limit = {LS_OBJECT, "rate_limit", k_rate_limit, NULL, 0};

static const lkey k_codel[] = {{"target", NULL}, {"interval", NULL}, {NULL, NULL}};
const lschema ls_codel = {LS_OBJECT, "codel", k_codel, NULL, 0};

static const lkey k_admission[] = {
    {"queue_timeout", NULL}, {"codel", &ls_codel}, {"discipline", NULL}, {NULL, NULL}};
const lschema ls_admission = {LS_OBJECT, "pool admission", k_admission, NULL, 0};

static const lkey k_pushback[] = {{"delay", NULL}, {NULL, NULL}};
const lschema ls_pushback = {LS_OBJECT, "pushback", k_pushback, NULL, 1};

const lschema ls_arrival = {LS_OBJECT, "arrival", k_arrival, NULL, 0};

static const lkey k_network[] = {{"delay", &ls_dist}, {"loss", NULL}, {NULL, NULL}};
const lschema ls_network = {LS_OBJECT, "network", k_network, NULL, 0};

static const lkey k_fanout[] = {{"count", NULL}, {"wait_for", NULL}, {NULL, NULL}};
const lschema ls_fanout = {LS_OBJECT, "fanout", k_fanout, NULL, 0};

#define POLICY_KEYS                                                                         \
    {"target", NULL}, {"balancer", NULL}, {"timeout", &ls_timeout}, {"deadline", NULL},     \
        {"retry", &ls_retry}, {"breaker", &ls_breaker}, {"hedge", &ls_hedge},               \
        {"outlier", &ls_outlier}, {"health_check", &ls_health}, {"network", &ls_network},    \
        {"fanout", &ls_fanout}, {"throttle", &ls_throttle}, {"bulkhead", &ls_bulkhead},       \
        {"rate_limit", &ls_rate_limit}, {"limit", &ls_limit}

static const lkey k_client[] = {{"name", NULL}, {"arrival", &ls_arrival}, POLICY_KEYS, {NULL, NULL}};
const lschema ls_client = {LS_OBJECT, "client", k_client, NULL, 0};

static const lkey k_calls[] = {POLICY_KEYS, {NULL, NULL}};
const lschema ls_calls = {LS_OBJECT, "calls", k_calls, NULL, 0};

static const lkey k_latency_injection[] = {{"fraction", NULL}, {"delay", &ls_dist}, {NULL, NULL}};
const lschema ls_latency_injection = {LS_OBJECT, "latency_injection", k_latency_injection, NULL, 0};

static const lkey k_slowdown[] = {{"per_request", NULL}, {"table", &ls_points}, {NULL, NULL}};
const lschema ls_slowdown = {LS_OBJECT, "service_slowdown", k_slowdown, NULL, 0};

static const lkey k_pool[] = {{"name", NULL},         {"servers", NULL},      {"workers", NULL},
                              {"queue_limit", NULL},  {"service", &ls_dist},  {"failure", &ls_dist},
                              {"repair", &ls_dist},   {"repair_crews", NULL}, {"failure_mode", NULL},
                              {"quorum", NULL},       {"calls", &ls_calls},   {"liveness", &ls_liveness},
                              {"spares", &ls_spares}, {"error_rate", NULL},
                              {"error_kind", NULL},   {"latency_injection", &ls_latency_injection},
                              {"on_full", NULL},      {"discipline", NULL},
                              {"service_slowdown", &ls_slowdown},
                              {"admission", &ls_admission}, {"max_concurrency", NULL},
                              {"limit", &ls_limit},   {"pushback", &ls_pushback}, {NULL, NULL}};
const lschema ls_pool = {LS_OBJECT, "pool", k_pool, NULL, 0};

static const lkey k_event[] = {{"at", NULL},      {"kind", NULL},   {"pool", NULL},
                               {"servers", NULL}, {"duration", NULL}, {"client", NULL},
                               {"multiplier", NULL}, {"error_rate", NULL}, {"error_kind", NULL},
                               {"latency_injection", &ls_latency_injection}, {NULL, NULL}};
const lschema ls_event = {LS_OBJECT, "event", k_event, NULL, 0};

static const lkey k_limits[] = {{"max_in_flight", NULL}, {"max_events", NULL}, {NULL, NULL}};
const lschema ls_limits = {LS_OBJECT, "limits", k_limits, NULL, 0};

static const lkey k_slo_latency[] = {{"p50", NULL}, {"p99", NULL}, {"p999", NULL}, {NULL, NULL}};
const lschema ls_slo_latency = {LS_OBJECT, "slo latency", k_slo_latency, NULL, 0};
static const lkey k_slo[] = {{"client", NULL}, {"success", NULL}, {"latency", &ls_slo_latency},
                             {"window", NULL}, {NULL, NULL}};
const lschema ls_slo = {LS_OBJECT, "slo", k_slo, NULL, 0};
static const lschema ls_slos = {LS_LIST, "slo", NULL, &ls_slo, 0};

static const lschema ls_pools = {LS_NAMED, "pool", NULL, &ls_pool, 0};
static const lschema ls_clients = {LS_NAMED, "client", NULL, &ls_client, 0};
static const lschema ls_events = {LS_LIST, "event", NULL, &ls_event, 0};

static const lkey k_root[] = {{"name", NULL},         {"description", NULL}, {"seed", NULL},
                              {"horizon", NULL},      {"warmup", NULL},      {"replications", NULL},
                              {"bin", NULL},          {"limits", &ls_limits}, {"pools", &ls_pools},
                              {"clients", &ls_clients}, {"events", &ls_events}, {"slos", &ls_slos},
                              {NULL, NULL}};
const lschema ls_root = {LS_OBJECT, "scenario", k_root, NULL, 0};

/* ---- lookups and suggestions ---- */

const lkey *lschema_key(const lschema *s, const char *name)
{
    if (!s || s->type != LS_OBJECT || !name)
        return NULL;
    for (const lkey *k = s->keys; k->name; k++)
        if (!strcmp(k->name, name))
            return k;
    return NULL;
}

/* Case-insensitive Levenshtein distance; B is short (a key or enum value). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t m = strlen(b), row[64], prev;
    if (m >= 64)
        return (size_t)-1;
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; *a; a++, i++) {
        prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cost = tolower((unsigned char)*a) != tolower((unsigned char)b[j - 1]);
            size_t best = prev + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            prev = row[j];
            row[j] = best;
        }
    }
    return row[m];
}

const char *lsuggest(const char *word, const char *const *candidates, int n)
{
    size_t len = strlen(word), best = (size_t)-1;
    const char *pick = NULL;
    if (len == 0 || len > 64)
        return NULL;
    for (int i = 0; i < n; i++) {
        size_t d = edit_distance(word, candidates[i]);
        if (d < best)
            best = d, pick = candidates[i];
    }
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    if (len <= 2)
        limit = 1;
    return best <= limit ? pick : NULL;
}

static int key_names(const lschema *s, const char **out, int max)
{
    int n = 0;
    for (const lkey *k = s->keys; k->name && n < max; k++)
        out[n++] = k->name;
    return n;
}

static void list_text(const char *const *names, int n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used + 1 < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

char *lschema_unknown_text(const lschema *s, const char *key, char *buf, size_t size)
{
    const char *names[32], *hint;
    char list[512];
    int n = key_names(s, names, 32);
    hint = lsuggest(key, names, n);
    if (hint) {
        snprintf(buf, size, "unknown key, did you mean '%s'?", hint);
    } else {
        list_text(names, n, list, sizeof list);
        snprintf(buf, size, "unknown key; a %s takes: %s", s->what, list);
    }
    return buf;
}

int lcheck_keys(lctx *c, const cJSON *obj, const lschema *s)
{
    int seen[32] = {0}, errors = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, obj)
    {
        const char *key = item->string ? item->string : "";
        const lkey *k = lschema_key(s, key);
        lpath_key(&c->path, key);
        if (!k) {
            char msg[600];
            lerr(c, AT_KEY, "%s", lschema_unknown_text(s, key, msg, sizeof msg));
            errors++;
        } else if (seen[k - s->keys]++ > 0) {
            c->path.c[c->path.n - 1].nth = seen[k - s->keys] - 1;
            lerr(c, AT_KEY, "duplicate key: each key may appear once in an object");
            errors++;
        }
        lpath_pop(&c->path);
    }
    return errors;
}

static int in_list(const char *key, const char *const *list)
{
    for (; list && *list; list++)
        if (!strcmp(*list, key))
            return 1;
    return 0;
}

/* The kinds (comma list) that take KEY. */
static void owners(const lenum *kinds, const char *key, char *buf, size_t size)
{
    const char *names[16];
    int n = 0;
    for (const lenum *k = kinds; k->name && n < 16; k++)
        if (in_list(key, k->keys))
            names[n++] = k->name;
    list_text(names, n, buf, size);
}

int lcheck_kind_keys(lctx *c, const cJSON *obj, const lschema *s, const char *const *shared,
                     const lenum *kinds, const lenum *k, const char *what)
{
    int errors = 0;
    const cJSON *item;
    char takes[256], who[128];
    int nk = 0;
    while (k->keys && k->keys[nk])
        nk++;
    list_text(k->keys, nk, takes, sizeof takes);
    cJSON_ArrayForEach(item, obj)
    {
        const char *key = item->string ? item->string : "";
        if (!lschema_key(s, key) || in_list(key, shared) || in_list(key, k->keys))
            continue;
        owners(kinds, key, who, sizeof who);
        lpath_key(&c->path, key);
        lerr(c, AT_KEY, "not a parameter of %s '%s' (%s%s); '%s' is for %s", what, k->name,
             takes[0] ? "it takes: " : "it takes no parameters", takes, key, who);
        lpath_pop(&c->path);
        errors++;
    }
    return errors;
}
