/* loader_build.c - the scenario's top level, pools, clients and events, and
 * the checks across them: unique names, targets that exist, no cycle in the
 * pools' `calls`, quorum <= servers, warmup < horizon, events naming real
 * pools and clients (sorted by `at`, stably).
 *
 * Validation goes on after an error so that one run reports every problem it
 * can; a check that depends on another value runs only if that value was valid.
 */
#include "loader/loader_int.h"
#include "models/metrics.h"
#include "sim/stat.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#define MAX_POOLS 10000
#define MAX_CLIENTS 10000
#define MAX_EVENTS 1000000
#define MAX_SLOS 64
#define NAME_RULE "a name: 1 to 63 characters from A-Z a-z 0-9 _ -"

/* ---- names ---- */

static int scenario_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= CFG_NAME_MAX || s[0] == '.')
        return 0;
    for (; *s; s++)
        if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') || ('0' <= *s && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return 0;
    return 1;
}

/* Read OBJ.name into DST (CFG_NAME_MAX bytes) if it is a valid identifier. */
static void build_name(lctx *c, const cJSON *o, char *dst)
{
    const char *name;
    char got[96];
    if (lv_str(c, o, "name", 1, NAME_RULE, &name) != 1)
        return;
    if (!loader_is_ident(name)) {
        lpath_key(&c->path, "name");
        lerr(c, AT_VALUE, "must be %s, got %s", NAME_RULE, lstr_quote(name, got, sizeof got));
        lpath_pop(&c->path);
        return;
    }
    snprintf(dst, CFG_NAME_MAX, "%s", name);
}

static char *dup_or_oom(lctx *c, const char *s)
{
    char *d = strdup(s);
    if (!d)
        c->oom = 1;
    return d;
}

/* ---- top level ---- */

static void build_limits(lctx *c, const cJSON *root, limits_cfg *l)
{
    const cJSON *o;
    double in_flight = (double)l->max_in_flight; /* scenario_defaults() */
    if (lv_object(c, root, "limits", 0, "an object {\"max_in_flight\": n, \"max_events\": n}", &o) != 1)
        return;
    lpath_key(&c->path, "limits");
    lcheck_keys(c, o, &ls_limits);
    if (lv_num(c, o, "max_in_flight", (lrange){0, 1e15, 0, 0, 1}, 0, &in_flight) == 1)
        l->max_in_flight = (long)in_flight;
    lv_num(c, o, "max_events", (lrange){0, 1e18, 0, 0, 1}, 0, &l->max_events);
    lpath_pop(&c->path);
}

static void build_times(lctx *c, const cJSON *root, scenario *s)
{
    char h[40], b[40];
    /* at most STAT_HIST_MAX_SECONDS: every latency fits the histogram */
    int horizon_ok = lv_num(c, root, "horizon", (lrange){0, STAT_HIST_MAX_SECONDS, 1, 0, 0}, 1,
                            &s->horizon) == 1;
    if (lv_num(c, root, "warmup", R_NONNEG, 0, &s->warmup) == 1 && horizon_ok &&
        s->warmup >= s->horizon) {
        lpath_key(&c->path, "warmup");
        lerr(c, AT_VALUE, "must be < horizon (%s), got %s", lnum_format(s->horizon, h, sizeof h),
             lnum_format(s->warmup, b, sizeof b));
        lpath_pop(&c->path);
    }
    if (lv_num(c, root, "bin", R_NONNEG, 0, &s->bin) == 1 && horizon_ok && s->bin > 0) {
        lpath_key(&c->path, "bin");
        if (s->bin > s->horizon)
            lerr(c, AT_VALUE, "must be <= horizon (%s), got %s", lnum_format(s->horizon, h, sizeof h),
                 lnum_format(s->bin, b, sizeof b));
        else if (s->horizon / s->bin > METRICS_MAX_BINS)
            lerr(c, AT_VALUE, "too small: horizon/bin = %.3g bins, at most %.0f",
                 s->horizon / s->bin, (double)METRICS_MAX_BINS);
        lpath_pop(&c->path);
    }
}

static void build_top(lctx *c, const cJSON *root, scenario *s)
{
    const char *name = NULL, *desc = "";
    char got[96];
    double seed = (double)s->seed; /* scenario_defaults() */
    if (lv_str(c, root, "name", 1, "the scenario's name (a string)", &name) == 1 &&
        !scenario_name_ok(name)) {
        lpath_key(&c->path, "name");
        lerr(c, AT_VALUE,
             "must be 1 to 63 characters from A-Z a-z 0-9 _ - . not starting with '.' (it names "
             "the output folder), got %s", lstr_quote(name, got, sizeof got));
        lpath_pop(&c->path);
    }
    s->name = dup_or_oom(c, name ? name : "");
    lv_str(c, root, "description", 0, "a string", &desc);
    s->description = dup_or_oom(c, desc);
    lv_num(c, root, "seed", (lrange){0, 9007199254740992.0, 0, 0, 1}, 0, &seed);
    s->seed = (uint64_t)seed;
    build_times(c, root, s);
    lv_int(c, root, "replications", R_INT(1, 1000000), 0, &s->replications);
    build_limits(c, root, &s->limits);
}

/* ---- pools ---- */

const lenum lk_failure_modes[] = {
    {"fail_fast", FAIL_FAST, NULL}, {"hang", FAIL_HANG, NULL}, {NULL, 0, NULL}};

/* error_rate, error_kind, latency_injection of a pool or an inject event. */
static void build_inject(lctx *c, const cJSON *o, inject_cfg *in)
{
    const cJSON *li;
    const lenum *m;
    lv_num(c, o, "error_rate", R_PROB, 0, &in->error_rate);
    if (lv_enum(c, o, "error_kind", lk_failure_modes, 0, &m) == 1)
        in->error_kind = (failure_mode)m->value;
    if (lv_object(c, o, "latency_injection", 0,
                  "an object {\"fraction\": f, \"delay\": {\"dist\": ...}}", &li) != 1)
        return;
    lpath_key(&c->path, "latency_injection");
    lcheck_keys(c, li, &ls_latency_injection);
    lv_num(c, li, "fraction", (lrange){0, 1, 1, 0, 0}, 1, &in->latency_fraction);
    lbuild_dist(c, li, "delay", 1, &in->latency);
    lpath_pop(&c->path);
}

const lenum lk_full_actions[] = {
    {"reject", FULL_REJECT, NULL}, {"drop", FULL_DROP, NULL}, {NULL, 0, NULL}};
const lenum lk_disciplines[] = {{"fifo", DISC_FIFO, NULL}, {"ps", DISC_PS, NULL}, {NULL, 0, NULL}};

/* service_slowdown: {"per_request": k} or {"table": [[n, factor], ...]}. */
/* A table point in an error message: its two numbers when it has them (so
 * the message shows which one is out of range), else its JSON type. */
static const char *describe_point(const cJSON *row, char *buf, size_t size)
{
    const cJSON *a = cJSON_GetArrayItem(row, 0), *b = cJSON_GetArrayItem(row, 1);
    if (cJSON_IsArray(row) && cJSON_GetArraySize(row) == 2 && cJSON_IsNumber(a) && cJSON_IsNumber(b))
        snprintf(buf, size, "[%g, %g]", a->valuedouble, b->valuedouble);
    else
        ljson_describe(row, buf, size);
    return buf;
}

static void build_slowdown(lctx *c, const cJSON *o, slowdown_cfg *sd)
{
    const cJSON *so, *tab, *row;
    char got[96];
    if (lv_object(c, o, "service_slowdown", 0,
                  "an object {\"per_request\": k} or {\"table\": [[n, factor], ...]}", &so) != 1)
        return;
    lpath_key(&c->path, "service_slowdown");
    lcheck_keys(c, so, &ls_slowdown);
    int has_k = lv_num(c, so, "per_request", R_NONNEG, 0, &sd->per_request) == 1;
    int has_t = lv_array(c, so, "table", 0, 1, SLOWDOWN_TABLE_MAX,
                         "a list of 1 to 32 points [n, factor] (n ascending integers >= 1, factor >= 1)",
                         &tab) == 1;
    if (has_k && has_t)
        lerr(c, AT_VALUE, "give either per_request or table, not both");
    if (has_t) {
        int i = 0;
        lpath_key(&c->path, "table");
        cJSON_ArrayForEach(row, tab)
        {
            lpath_index(&c->path, i);
            const cJSON *n = cJSON_GetArrayItem(row, 0), *f = cJSON_GetArrayItem(row, 1);
            if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != 2 || !cJSON_IsNumber(n) ||
                !cJSON_IsNumber(f) || n->valuedouble < 1 || n->valuedouble != floor(n->valuedouble) ||
                n->valuedouble > 1e9 || !(f->valuedouble >= 1) || f->valuedouble > 1e9)
                lerr(c, AT_VALUE, "must be a point [n, factor] with n an integer >= 1 and factor "
                     "in [1, 1e9], got %s", describe_point(row, got, sizeof got));
            else if (i > 0 && n->valuedouble <= sd->n[i - 1])
                lerr(c, AT_VALUE, "n must increase from point to point (previous n = %.0f)", sd->n[i - 1]);
            else
                sd->n[i] = n->valuedouble, sd->factor[i] = f->valuedouble;
            lpath_pop(&c->path);
            i++;
        }
        sd->npoints = i;
        lpath_pop(&c->path);
    }
    if (!has_k && !has_t)
        lerr(c, AT_VALUE, "needs per_request or table");
    lpath_pop(&c->path);
}

static void build_pool(lctx *c, const cJSON *o, const lnames *pools, pool_cfg *p)
{
    const cJSON *calls;
    const lenum *m;
    pool_cfg_defaults(p);
    lcheck_keys(c, o, &ls_pool);
    build_name(c, o, p->name);
    int servers_ok = lv_int(c, o, "servers", R_INT(1, 100000), 0, &p->servers) >= 0;
    if (!servers_ok)
        p->servers = 0; /* unknown: skip the checks against it (the build fails anyway) */
    lv_int(c, o, "workers", R_INT(1, 10000), 0, &p->workers);
    lv_int(c, o, "queue_limit", R_INT(0, 100000000), 0, &p->queue_limit);
    lbuild_dist(c, o, "service", 0, &p->service);
    lbuild_dist(c, o, "failure", 0, &p->failure);
    lbuild_dist(c, o, "repair", 0, &p->repair);
    lv_int(c, o, "repair_crews", R_INT(0, 100000), 0, &p->repair_crews);
    if (lv_enum(c, o, "failure_mode", lk_failure_modes, 0, &m) == 1)
        p->mode = (failure_mode)m->value;
    build_inject(c, o, &p->inject);
    if (lv_enum(c, o, "on_full", lk_full_actions, 0, &m) == 1)
        p->on_full = (full_action)m->value;
    if (lv_enum(c, o, "discipline", lk_disciplines, 0, &m) == 1)
        p->discipline = (pool_discipline)m->value;
    if (p->discipline == DISC_PS && p->workers != 1) {
        lpath_key(&c->path, "workers");
        lerr(c, AT_VALUE, "must be 1 (or absent) with discipline \"ps\": every attempt at the server "
             "shares its one processor, got %d", p->workers);
        lpath_pop(&c->path);
    }
    build_slowdown(c, o, &p->slowdown);
    if (lv_int(c, o, "quorum", R_INT(1, 100000), 0, &p->quorum) == 1 && servers_ok &&
        p->quorum > p->servers) {
        lpath_key(&c->path, "quorum");
        lerr(c, AT_VALUE, "must be <= servers (%d), got %d", p->servers, p->quorum);
        lpath_pop(&c->path);
    }
    if (lv_object(c, o, "calls", 0, "an object {\"target\": \"pool\", ...}", &calls) == 1) {
        lpath_key(&c->path, "calls");
        lcheck_keys(c, calls, &ls_calls);
        lbuild_policy(c, calls, pools, 1, &p->calls);
        p->has_calls = 1;
        lpath_pop(&c->path);
        if (p->discipline == DISC_PS) {
            lpath_key(&c->path, "discipline");
            lerr(c, AT_VALUE, "\"ps\" cannot be combined with calls (a request waiting downstream "
                 "would have to leave the shared processor): use \"fifo\" with workers");
            lpath_pop(&c->path);
        }
    }
    lbuild_liveness(c, o, &p->liveness);
    lbuild_spares(c, o, &p->spares);
    if (servers_ok && p->servers + p->spares.count > 100000) {
        lpath_key(&c->path, "spares");
        lpath_key(&c->path, "count");
        lerr(c, AT_VALUE, "servers + spares must be <= 100000, got %d + %d", p->servers,
             p->spares.count);
        c->path.n -= 2;
    }
    lbuild_pool_overload(c, o, p);
}

/* Report a cycle of calls once, at its pool with the smallest index. */
static void report_cycle(lctx *c, const scenario *s, const lnames *names, int start)
{
    int low = start;
    char text[512];
    size_t used = 0;
    for (int j = s->pools[start].calls.target; j != start; j = s->pools[j].calls.target)
        if (j < low)
            low = j;
    int j = low;
    do {
        int w = snprintf(text + used, sizeof text - used, "%s -> ", s->pools[j].name);
        if (w < 0 || (size_t)w >= sizeof text - used)
            break;
        used += (size_t)w;
        j = s->pools[j].calls.target;
    } while (j != low);
    snprintf(text + used, sizeof text - used, "%s", s->pools[low].name);
    int depth = c->path.n;
    lpath_key(&c->path, "pools");
    lnames_push(c, names, low);
    lpath_key(&c->path, "calls");
    lpath_key(&c->path, "target");
    lerr(c, AT_VALUE, "calls form a cycle: %s (a pool may not call itself, directly or through "
         "other pools)", text);
    c->path.n = depth;
}

static int next_call(const scenario *s, int j)
{
    return s->pools[j].has_calls ? s->pools[j].calls.target : -1;
}

static void check_cycles(lctx *c, const scenario *s, const lnames *names)
{
    int *walk = calloc((size_t)s->npools + 1, sizeof *walk); /* 0, or the walk that saw it + 1 */
    if (!walk) {
        c->oom = 1;
        return;
    }
    for (int i = 0; i < s->npools; i++) {
        int j = i;
        while (j >= 0 && j < s->npools && !walk[j]) {
            walk[j] = i + 1;
            j = next_call(s, j);
        }
        if (j >= 0 && j < s->npools && walk[j] == i + 1)
            report_cycle(c, s, names, j);
    }
    free(walk);
}

static void build_pools(lctx *c, const cJSON *root, scenario *s, lnames *names)
{
    const cJSON *arr, *e;
    char got[96];
    int i = 0;
    if (lv_array(c, root, "pools", 1, 1, MAX_POOLS, "a list of pool objects", &arr) != 1)
        return;
    lpath_key(&c->path, "pools");
    s->pools = calloc((size_t)cJSON_GetArraySize(arr), sizeof *s->pools);
    if (!s->pools || lnames_init(c, names, arr, "pool") != 0) {
        c->oom = 1;
        lpath_pop(&c->path);
        return;
    }
    s->npools = names->n;
    cJSON_ArrayForEach(e, arr)
    {
        lnames_push(c, names, i);
        if (!cJSON_IsObject(e))
            lerr(c, AT_VALUE, "must be a pool object {\"name\": ..., \"servers\": ...}, got %s",
                 ljson_describe(e, got, sizeof got));
        else
            build_pool(c, e, names, &s->pools[i]);
        lpath_pop(&c->path);
        i++;
    }
    lpath_pop(&c->path);
    check_cycles(c, s, names);
}

/* ---- clients ---- */

static const char *const arrival_shared[] = {"process", NULL};
static const char *const p_poisson[] = {"rate", "schedule", "periodic", NULL};
static const char *const p_closed[] = {"users", "think", NULL};
const lenum lk_arrivals[] = {{"poisson", ARRIVAL_POISSON, p_poisson},
                                 {"closed", ARRIVAL_CLOSED, p_closed},
                                 {NULL, 0, NULL}};

/* schedule: [[t, rate], ...], t >= 0 strictly ascending, rate >= 0; the
 * rate is linear between points and flat before the first and after the
 * last.  Returns 1 if a valid schedule was read. */
static int build_schedule(lctx *c, const cJSON *ar, arrival_cfg *a)
{
    const cJSON *arr, *row;
    char got[96];
    int i = 0, errors = c->nerr;
    if (lv_array(c, ar, "schedule", 0, 1, 100000,
                 "a list of points [t, rate] (t >= 0 ascending, rate >= 0 per second)", &arr) != 1)
        return 0;
    a->sched = calloc((size_t)cJSON_GetArraySize(arr), sizeof *a->sched);
    if (!a->sched) {
        c->oom = 1;
        return 0;
    }
    lpath_key(&c->path, "schedule");
    cJSON_ArrayForEach(row, arr)
    {
        lpath_index(&c->path, i);
        const cJSON *t = cJSON_GetArrayItem(row, 0), *r = cJSON_GetArrayItem(row, 1);
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != 2 || !cJSON_IsNumber(t) ||
            !cJSON_IsNumber(r) || !(t->valuedouble >= 0) || t->valuedouble > 1e13 ||
            !(r->valuedouble >= 0) || r->valuedouble > 1e12)
            lerr(c, AT_VALUE, "must be a point [t, rate] with t in [0, 1e13] seconds and rate in "
                 "[0, 1e12] per second, got %s", describe_point(row, got, sizeof got));
        else if (i > 0 && t->valuedouble <= a->sched[i - 1].t)
            lerr(c, AT_VALUE, "t must increase from point to point (previous t = %g)", a->sched[i - 1].t);
        else
            a->sched[i] = (sched_point){t->valuedouble, r->valuedouble};
        lpath_pop(&c->path);
        i++;
    }
    lpath_pop(&c->path);
    a->nsched = i;
    return c->nerr == errors;
}

/* periodic: {"period": P, "amplitude": a, "peak_at": t0}. */
static void build_periodic(lctx *c, const cJSON *ar, arrival_cfg *a)
{
    const cJSON *o;
    if (lv_object(c, ar, "periodic", 0, "an object {\"period\": s, \"amplitude\": a, \"peak_at\": t}",
                  &o) != 1)
        return;
    lpath_key(&c->path, "periodic");
    lcheck_keys(c, o, &ls_periodic);
    lv_num(c, o, "period", R_POS, 1, &a->period);
    lv_num(c, o, "amplitude", R_PROB, 1, &a->amplitude);
    lv_num(c, o, "peak_at", R_NONNEG, 0, &a->peak_at);
    lpath_pop(&c->path);
}

static void build_arrival(lctx *c, const cJSON *o, arrival_cfg *a)
{
    const cJSON *ar;
    const lenum *k = &lk_arrivals[0];
    if (lv_object(c, o, "arrival", 0, "an object {\"process\": \"poisson\", \"rate\": r}", &ar) != 1)
        return;
    lpath_key(&c->path, "arrival");
    lcheck_keys(c, ar, &ls_arrival);
    if (lv_enum(c, ar, "process", lk_arrivals, 0, &k) >= 0) {
        lcheck_kind_keys(c, ar, &ls_arrival, arrival_shared, lk_arrivals, k, "arrival process");
        a->process = (arrival_kind)k->value;
        if (a->process == ARRIVAL_POISSON) {
            /* a schedule given (even one with errors) replaces the rate */
            int sched = cJSON_GetObjectItemCaseSensitive(ar, "schedule") != NULL;
            build_schedule(c, ar, a);
            if (lv_num(c, ar, "rate", R_POS, !sched, &a->rate) == 1 && sched) {
                lpath_key(&c->path, "rate");
                lerr(c, AT_KEY, "give either rate or schedule, not both");
                lpath_pop(&c->path);
            }
            build_periodic(c, ar, a);
        } else {
            lv_int(c, ar, "users", R_INT(1, 1000000), 1, &a->users);
            lbuild_dist(c, ar, "think", 1, &a->think);
        }
    }
    lpath_pop(&c->path);
}

static void build_clients(lctx *c, const cJSON *root, scenario *s, const lnames *pools,
                          lnames *names)
{
    const cJSON *arr, *e;
    char got[96];
    int i = 0;
    if (lv_array(c, root, "clients", 1, 1, MAX_CLIENTS, "a list of client objects", &arr) != 1)
        return;
    lpath_key(&c->path, "clients");
    s->clients = calloc((size_t)cJSON_GetArraySize(arr), sizeof *s->clients);
    if (!s->clients || lnames_init(c, names, arr, "client") != 0) {
        c->oom = 1;
        lpath_pop(&c->path);
        return;
    }
    s->nclients = names->n;
    cJSON_ArrayForEach(e, arr)
    {
        client_cfg *cl = &s->clients[i];
        lnames_push(c, names, i);
        client_cfg_defaults(cl);
        if (!cJSON_IsObject(e)) {
            lerr(c, AT_VALUE, "must be a client object {\"name\": ..., \"target\": ...}, got %s",
                 ljson_describe(e, got, sizeof got));
        } else {
            lcheck_keys(c, e, &ls_client);
            build_name(c, e, cl->name);
            build_arrival(c, e, &cl->arrival);
            lbuild_policy(c, e, pools, 0, &cl->policy);
        }
        lpath_pop(&c->path);
        i++;
    }
    lpath_pop(&c->path);
}

/* ---- events ---- */

static const char *const event_shared[] = {"kind", "at", "duration", NULL};
static const char *const p_fail[] = {"pool", "servers", NULL};
static const char *const p_load[] = {"client", "multiplier", NULL};
static const char *const p_inject[] = {"pool", "error_rate", "error_kind", "latency_injection", NULL};
static const char *const p_partition[] = {"client", "pool", NULL};
const lenum lk_event_kinds[] = {{"fail", EVENT_FAIL, p_fail},
                                    {"load", EVENT_LOAD, p_load},
                                    {"inject", EVENT_INJECT, p_inject},
                                    {"partition", EVENT_PARTITION, p_partition},
                                    {NULL, 0, NULL}};

/* partition: exactly one of client (its link to its target) or pool (the
 * link of its calls); the cut caller must have a timeout or deadline. */
static void build_partition(lctx *c, const cJSON *o, const scenario *s, const lnames *pools,
                            const lnames *clients, event_cfg *ev)
{
    int has_c = cJSON_GetObjectItemCaseSensitive(o, "client") != NULL;
    int has_p = cJSON_GetObjectItemCaseSensitive(o, "pool") != NULL;
    const policy_cfg *pol = NULL;
    ev->client = ev->pool = -1;
    if (has_c == has_p) {
        lerr(c, AT_VALUE, "a partition names exactly one link: \"client\" (the client's link to "
             "its target) or \"pool\" (the link of that pool's calls)");
        return;
    }
    if (has_c && lv_ref(c, o, "client", clients, 1, &ev->client) == 1 && ev->client < s->nclients)
        pol = &s->clients[ev->client].policy;
    if (has_p && lv_ref(c, o, "pool", pools, 1, &ev->pool) == 1 && ev->pool < s->npools) {
        lpath_key(&c->path, "pool");
        if (!s->pools[ev->pool].has_calls)
            lerr(c, AT_VALUE, "pool '%s' has no calls: a partition cuts a client's link or a "
                 "pool's calls", s->pools[ev->pool].name);
        else
            pol = &s->pools[ev->pool].calls;
        lpath_pop(&c->path);
    }
    if (pol && pol->timeout <= 0 && pol->p_timeout <= 0 && pol->deadline <= 0) {
        lpath_key(&c->path, has_c ? "client" : "pool");
        lerr(c, AT_VALUE, "the partitioned link needs a timeout or deadline: a message lost in a "
             "partition is never answered");
        lpath_pop(&c->path);
    }
}

static void build_event(lctx *c, const cJSON *o, const scenario *s, const lnames *pools,
                        const lnames *clients, event_cfg *ev)
{
    const lenum *k;
    lcheck_keys(c, o, &ls_event);
    lv_num(c, o, "at", R_NONNEG, 1, &ev->at);
    lv_num(c, o, "duration", R_POS, 1, &ev->duration);
    if (lv_enum(c, o, "kind", lk_event_kinds, 1, &k) != 1)
        return;
    lcheck_kind_keys(c, o, &ls_event, event_shared, lk_event_kinds, k, "event kind");
    ev->kind = (event_kind)k->value;
    if (ev->kind == EVENT_LOAD) {
        lv_ref(c, o, "client", clients, 1, &ev->client);
        lv_num(c, o, "multiplier", (lrange){0, 1e6, 0, 0, 0}, 1, &ev->multiplier);
        return;
    }
    if (ev->kind == EVENT_INJECT) {
        lv_ref(c, o, "pool", pools, 1, &ev->pool);
        build_inject(c, o, &ev->inject);
        return;
    }
    if (ev->kind == EVENT_PARTITION) {
        build_partition(c, o, s, pools, clients, ev);
        return;
    }
    int pool_ok = lv_ref(c, o, "pool", pools, 1, &ev->pool) == 1 && ev->pool < s->npools;
    if (lv_int(c, o, "servers", R_INT(1, 100000), 1, &ev->servers) == 1 && pool_ok &&
        s->pools[ev->pool].servers > 0 && ev->servers > s->pools[ev->pool].servers) {
        lpath_key(&c->path, "servers");
        lerr(c, AT_VALUE, "must be <= the servers of pool '%s' (%d), got %d", s->pools[ev->pool].name,
             s->pools[ev->pool].servers, ev->servers);
        lpath_pop(&c->path);
    }
}

typedef struct {
    event_cfg ev;
    int idx;
} event_slot;

static int by_time(const void *a, const void *b)
{
    const event_slot *x = a, *y = b;
    if (x->ev.at != y->ev.at)
        return x->ev.at < y->ev.at ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static void build_events(lctx *c, const cJSON *root, scenario *s, const lnames *pools,
                         const lnames *clients)
{
    const cJSON *arr, *e;
    char got[96];
    int n, i = 0;
    if (lv_array(c, root, "events", 0, 0, MAX_EVENTS, "a list of event objects", &arr) != 1 ||
        (n = cJSON_GetArraySize(arr)) == 0)
        return;
    event_slot *slots = calloc((size_t)n, sizeof *slots);
    s->events = calloc((size_t)n, sizeof *s->events);
    if (!slots || !s->events) {
        free(slots);
        c->oom = 1;
        return;
    }
    lpath_key(&c->path, "events");
    cJSON_ArrayForEach(e, arr)
    {
        lpath_index(&c->path, i);
        slots[i].idx = i;
        if (!cJSON_IsObject(e))
            lerr(c, AT_VALUE, "must be an event object {\"at\": t, \"kind\": ...}, got %s",
                 ljson_describe(e, got, sizeof got));
        else
            build_event(c, e, s, pools, clients, &slots[i].ev);
        lpath_pop(&c->path);
        i++;
    }
    lpath_pop(&c->path);
    qsort(slots, (size_t)n, sizeof *slots, by_time);
    for (i = 0; i < n; i++)
        s->events[i] = slots[i].ev;
    s->nevents = n;
    free(slots);
}

/* ---- service-level objectives (issue 16; docs/SCENARIO.md "slos") ---- */

static void build_slo(lctx *c, const cJSON *o, const scenario *s, const lnames *clients, slo_cfg *slo)
{
    static const char *const lat_keys[SLO_NLAT] = {"p50", "p99", "p999"};
    const cJSON *lat;
    int any = 0;
    lcheck_keys(c, o, &ls_slo);
    lv_ref(c, o, "client", clients, 1, &slo->client);
    /* success in (0, 1): 1 would leave no error budget */
    any |= lv_num(c, o, "success", (lrange){0, 1, 1, 1, 0}, 0, &slo->success) == 1;
    if (lv_object(c, o, "latency", 0, "an object {\"p99\": seconds, ...}", &lat) == 1) {
        lpath_key(&c->path, "latency");
        lcheck_keys(c, lat, &ls_slo_latency);
        for (int k = 0; k < SLO_NLAT; k++)
            any |= lv_num(c, lat, lat_keys[k], R_POS, 0, &slo->latency[k]) == 1;
        lpath_pop(&c->path);
    }
    slo->window = s->horizon - s->warmup;
    lv_num(c, o, "window", R_POS, 0, &slo->window);
    if (!any && !c->nerr)
        lerr(c, AT_VALUE, "an SLO needs an objective: \"success\" (e.g. 0.999) and/or "
                          "\"latency\" (e.g. {\"p99\": 0.2})");
}

static void build_slos(lctx *c, const cJSON *root, scenario *s, const lnames *clients)
{
    const cJSON *arr, *e;
    char got[96];
    int n, i = 0;
    if (lv_array(c, root, "slos", 0, 0, MAX_SLOS, "a list of SLO objects", &arr) != 1 ||
        (n = cJSON_GetArraySize(arr)) == 0)
        return;
    if (!(s->slos = calloc((size_t)n, sizeof *s->slos))) {
        c->oom = 1;
        return;
    }
    s->nslos = n;
    lpath_key(&c->path, "slos");
    cJSON_ArrayForEach(e, arr)
    {
        lpath_index(&c->path, i);
        if (!cJSON_IsObject(e))
            lerr(c, AT_VALUE, "must be an SLO object {\"client\": name, \"success\": 0.999, ...}, got %s",
                 ljson_describe(e, got, sizeof got));
        else
            build_slo(c, e, s, clients, &s->slos[i]);
        lpath_pop(&c->path);
        i++;
    }
    lpath_pop(&c->path);
}

/* ---- sizes: combinations that would exhaust memory ---- */

/* Each value is in range on its own, but some products are not: every worker
 * thread builds the whole model and one replication's record (metrics, time
 * series, histograms) per replication in flight.  These bounds keep one
 * model under about 1 GB and one record under 4 GB (docs/LIMITS.md). */
#define MAX_TOTAL_SERVERS 1000000L      /* summed over the pools */
#define MAX_TOTAL_LINKS 4000000L        /* caller x server state, summed over callers */
#define MAX_BREAKER_WINDOW 100000000.0  /* failure_rate ring bytes, summed over callers */
#define MAX_TOTAL_USERS 2000000L        /* closed-loop users, summed over clients */
#define MAX_RESULT_BYTES 4e9            /* one replication's record, bytes */

/* Push the path of caller K (client K, or the `calls` of the K-th pool that has them). */
static const policy_cfg *push_caller(lctx *c, const scenario *s, const lnames *pools,
                                     const lnames *clients, int k)
{
    if (k < s->nclients) {
        lpath_key(&c->path, "clients");
        lnames_push(c, clients, k);
        return &s->clients[k].policy;
    }
    for (int p = 0; p < s->npools; p++)
        if (s->pools[p].has_calls && k-- == s->nclients) {
            lpath_key(&c->path, "pools");
            lnames_push(c, pools, p);
            lpath_key(&c->path, "calls");
            return &s->pools[p].calls;
        }
    return NULL;
}

static void check_sizes(lctx *c, const scenario *s, const lnames *pools, const lnames *clients)
{
    int depth = c->path.n;
    long servers = 0, links = 0, users = 0;
    double ring = 0;
    for (int p = 0; p < s->npools; p++) {
        if ((servers += s->pools[p].servers) > MAX_TOTAL_SERVERS) {
            lpath_key(&c->path, "pools");
            lnames_push(c, pools, p);
            lpath_key(&c->path, "servers");
            lerr(c, AT_VALUE, "too many servers in all: the pools up to this one have %ld, at most %ld",
                 servers, MAX_TOTAL_SERVERS);
            c->path.n = depth;
            break;
        }
    }
    int ncallers = metrics_ncallers(s);
    for (int k = 0; k < ncallers; k++) {
        const policy_cfg *pol = push_caller(c, s, pools, clients, k);
        if (!pol)
            break;
        int n = s->pools[pol->target].servers;
        links += n;
        if (pol->breaker.kind == BREAKER_FAILURE_RATE)
            ring += (double)pol->breaker.window * (pol->breaker.scope == SCOPE_PER_SERVER ? n : 1);
        if (pol->retry.budget.kind == BUDGET_BREAKER)
            ring += pol->retry.budget.window;
        if (links > MAX_TOTAL_LINKS) {
            lpath_key(&c->path, "target");
            lerr(c, AT_VALUE, "too much per-server state: the callers up to this one keep state for "
                 "%ld servers in all (one entry per server of each caller's target pool), at most %ld",
                 links, MAX_TOTAL_LINKS);
            c->path.n = depth;
            break;
        }
        if (ring > MAX_BREAKER_WINDOW) {
            lpath_key(&c->path, "breaker");
            lpath_key(&c->path, "window");
            lerr(c, AT_VALUE, "window x breakers too large: %.0f attempt slots in all (window x "
                 "servers with scope per_server), at most %.0f; use a smaller window or scope \"pool\"",
                 ring, MAX_BREAKER_WINDOW);
            c->path.n = depth;
            break;
        }
        c->path.n = depth;
    }
    for (int k = 0; k < s->nclients; k++) {
        if (s->clients[k].arrival.process == ARRIVAL_CLOSED &&
            (users += s->clients[k].arrival.users) > MAX_TOTAL_USERS) {
            lpath_key(&c->path, "clients");
            lnames_push(c, clients, k);
            lpath_key(&c->path, "arrival");
            lpath_key(&c->path, "users");
            lerr(c, AT_VALUE, "too many users in all: the clients up to this one have %ld, at most %ld",
                 users, MAX_TOTAL_USERS);
            c->path.n = depth;
            break;
        }
    }
    if (c->nerr)
        return;
    rec_layout L;
    rec_layout_init(&L, s);
    double one = (double)L.total * sizeof(double);
    if (one > MAX_RESULT_BYTES) { /* replications are folded as they finish: only one record counts */
        lpath_key(&c->path, "replications");
        lerr(c, AT_VALUE, "one replication of this scenario would keep %.3g GB of results "
             "(per pool and client: metrics, histograms and %d time-series bins), at most "
             "%.3g GB: use fewer pools and clients, or a larger bin", one / 1e9, L.nbins,
             MAX_RESULT_BYTES / 1e9);
        c->path.n = depth;
    }
}

/* ---- durations the clock cannot resolve ---- */

/* Simulated time is a double: at t near the horizon, adding a duration below
 * horizon x 2^-52 leaves t unchanged.  A mean duration that small makes time
 * stop advancing (e.g. a closed-loop user failing fast with a 1e-300 s think
 * time loops forever at one instant), so it is refused with its key path. */
static void check_resolution(lctx *c, const scenario *s, const lnames *pools,
                             const lnames *clients)
{
    int depth = c->path.n;
    double res = s->horizon * DBL_EPSILON;
    char m[40], r[40], h[40];
    snprintf(r, sizeof r, "%.3g", res);
    lnum_format(s->horizon, h, sizeof h);
#define TOO_SHORT(mean) ((mean) < res)
#define REPORT(mean, what)                                                                       \
    lerr(c, AT_VALUE, "%s %s s is below the clock's resolution at the horizon (%s s = horizon %s " \
         "x 2^-52): simulated time could not advance; use a longer duration or a shorter horizon", \
         what, lnum_format(mean, m, sizeof m), r, h)
    for (int p = 0; p < s->npools; p++) {
        const pool_cfg *pc = &s->pools[p];
        const char *key[3] = {"service", "failure", "repair"};
        const dist_cfg *d[3] = {&pc->service, &pc->failure, &pc->repair};
        for (int k = 0; k < 3; k++) {
            if (d[k]->kind == DIST_NONE || (k == 2 && pc->failure.kind == DIST_NONE))
                continue;
            double mean = dist_mean(d[k]);
            if (!TOO_SHORT(mean))
                continue;
            lpath_key(&c->path, "pools");
            lnames_push(c, pools, p);
            lpath_key(&c->path, key[k]);
            REPORT(mean, "the mean duration");
            c->path.n = depth;
        }
    }
    for (int k = 0; k < s->nclients; k++) {
        const arrival_cfg *a = &s->clients[k].arrival;
        int poisson = a->process == ARRIVAL_POISSON;
        double mean = poisson ? 1 / a->rate : dist_mean(&a->think);
        if (!TOO_SHORT(mean))
            continue;
        lpath_key(&c->path, "clients");
        lnames_push(c, clients, k);
        lpath_key(&c->path, "arrival");
        lpath_key(&c->path, poisson ? "rate" : "think");
        REPORT(mean, poisson ? "the mean time between arrivals (1/rate)" : "the mean think time");
        c->path.n = depth;
    }
#undef TOO_SHORT
#undef REPORT
}

/* ---- the whole scenario ---- */

void lbuild_scenario(lctx *c, const cJSON *root, scenario *s)
{
    lnames pools, clients;
    memset(&pools, 0, sizeof pools);
    memset(&clients, 0, sizeof clients);
    pools.what = "pool";
    clients.what = "client";
    lcheck_keys(c, root, &ls_root);
    build_top(c, root, s);
    build_pools(c, root, s, &pools);
    build_clients(c, root, s, &pools, &clients);
    build_events(c, root, s, &pools, &clients);
    build_slos(c, root, s, &clients);
    for (int i = 0; i < s->npools; i++)
        if (s->pools[i].has_calls)
            lresolve_p_timeout(&s->pools[i].calls, s);
    for (int i = 0; i < s->nclients; i++)
        lresolve_p_timeout(&s->clients[i].policy, s);
    if (c->nerr == 0 && !c->oom)
        check_sizes(c, s, &pools, &clients);
    if (c->nerr == 0 && !c->oom)
        check_resolution(c, s, &pools, &clients);
    lnames_free(&pools);
    lnames_free(&clients);
}
