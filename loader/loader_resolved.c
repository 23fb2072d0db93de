/* loader_resolved.c - a scenario struct back to a scenario file with every
 * default written out (scenario.resolved.json, docs/OUTPUT.md).
 *
 * The keys and enumeration names are the parser's own (loader_schema.c and
 * the lk_* tables), so the file loads again into the same struct: the report
 * describes the run from it, and a user can rerun it.  Objects with a kind
 * hold only their own kind's parameters, as the parser demands.
 */
#include "loader/loader_int.h"

#include <stdlib.h>

const char *lenum_name(const lenum *tab, int value)
{
    for (; tab->name; tab++)
        if (tab->value == value)
            return tab->name;
    return NULL;
}

/* cJSON's Add* functions return NULL on ENOMEM; one flag collects them. */
typedef struct {
    int oom;
} wctx;

static cJSON *obj(wctx *w, cJSON *parent, const char *key)
{
    cJSON *o = cJSON_AddObjectToObject(parent, key);
    w->oom |= !o;
    return o;
}

static void num(wctx *w, cJSON *o, const char *key, double v)
{
    w->oom |= !cJSON_AddNumberToObject(o, key, v);
}

static void str(wctx *w, cJSON *o, const char *key, const char *v)
{
    w->oom |= !cJSON_AddStringToObject(o, key, v ? v : "?");
}

static void name_of(wctx *w, cJSON *o, const char *key, const lenum *tab, int value)
{
    str(w, o, key, lenum_name(tab, value));
}

/* The parameters of a plain distribution (a dist_cfg or a mixture's leaf). */
static void leaf_json(wctx *w, cJSON *o, const dist_leaf *d)
{
    name_of(w, o, "dist", lk_dist_kinds, d->kind);
    switch (d->kind) {
    case DIST_EXPONENTIAL: num(w, o, "rate", d->rate); break;
    case DIST_DETERMINISTIC: num(w, o, "value", d->value); break;
    case DIST_WEIBULL:
    case DIST_GAMMA:
        num(w, o, "shape", d->shape);
        num(w, o, "scale", d->scale);
        break;
    case DIST_LOGNORMAL:
        num(w, o, "mu", d->mu);
        num(w, o, "sigma", d->sigma);
        break;
    case DIST_MIXTURE:
    case DIST_NONE: break;
    }
}

/* components: [{"weight": w, "dist": {...}}], the weights from the
 * cumulative ones the loader keeps (they sum to 1). */
static void mixture_json(wctx *w, cJSON *o, const dist_cfg *d)
{
    cJSON *arr = cJSON_AddArrayToObject(o, "components");
    w->oom |= !arr;
    for (int i = 0; arr && i < d->ncomp; i++) {
        cJSON *c = cJSON_CreateObject();
        if (!c || !cJSON_AddItemToArray(arr, c)) {
            cJSON_Delete(c);
            w->oom = 1;
            return;
        }
        num(w, c, "weight", d->cum[i] - (i ? d->cum[i - 1] : 0));
        cJSON *leaf = obj(w, c, "dist");
        if (leaf)
            leaf_json(w, leaf, &d->comp[i]);
    }
}

static void dist_json(wctx *w, cJSON *parent, const char *key, const dist_cfg *d)
{
    cJSON *o = obj(w, parent, key);
    if (!o)
        return;
    if (d->kind == DIST_MIXTURE) {
        name_of(w, o, "dist", lk_dist_kinds, d->kind);
        mixture_json(w, o, d);
        return;
    }
    const dist_leaf l = {d->kind, d->rate, d->value, d->shape, d->scale, d->mu, d->sigma};
    leaf_json(w, o, &l);
}

static void backoff_json(wctx *w, cJSON *parent, const backoff_cfg *b)
{
    cJSON *o = obj(w, parent, "backoff");
    if (!o)
        return;
    name_of(w, o, "kind", lk_backoff_kinds, b->kind);
    switch (b->kind) {
    case BACKOFF_CONSTANT: num(w, o, "delay", b->delay); break;
    case BACKOFF_EXPONENTIAL:
        num(w, o, "base", b->base);
        num(w, o, "multiplier", b->multiplier);
        num(w, o, "cap", b->cap);
        name_of(w, o, "jitter", lk_jitters, b->jitter);
        break;
    case BACKOFF_EXPONENTIAL_RANDOM:
        num(w, o, "rate", b->rate);
        num(w, o, "t_max", b->t_max);
        break;
    case BACKOFF_NONE: break;
    }
}

static void budget_json(wctx *w, cJSON *parent, const budget_cfg *b)
{
    cJSON *o = obj(w, parent, "budget");
    if (!o)
        return;
    name_of(w, o, "kind", lk_budget_kinds, b->kind);
    if (b->kind == BUDGET_TOKEN_BUCKET) {
        num(w, o, "max_tokens", b->max_tokens);
        num(w, o, "token_ratio", b->token_ratio);
    } else if (b->kind == BUDGET_RATIO) {
        num(w, o, "percent", b->percent);
        num(w, o, "min_per_second", b->min_per_second);
        num(w, o, "ttl", b->ttl);
    } else if (b->kind == BUDGET_QUOTA) {
        num(w, o, "initial", b->initial);
        num(w, o, "retry_cost", b->retry_cost);
        num(w, o, "timeout_cost", b->timeout_cost);
        num(w, o, "success_deposit", b->success_deposit);
        name_of(w, o, "refund", lk_refunds, b->refund);
    } else if (b->kind == BUDGET_BREAKER) {
        num(w, o, "window", b->window);
        num(w, o, "failure_rate", b->failure_rate);
    }
}

static void retry_json(wctx *w, cJSON *parent, const retry_cfg *r)
{
    cJSON *o = obj(w, parent, "retry");
    if (!o)
        return;
    num(w, o, "max_attempts", r->max_attempts);
    backoff_json(w, o, &r->backoff);
    budget_json(w, o, &r->budget);
    cJSON *on = cJSON_AddArrayToObject(o, "retry_on");
    const int flags[4] = {r->retry_on.on_timeout, r->retry_on.on_error, r->retry_on.on_rejected,
                          r->retry_on.on_breaker};
    w->oom |= !on;
    for (int i = 0; on && i < 4; i++) {
        cJSON *v = flags[i] ? cJSON_CreateString(lenum_name(lk_outcomes, i)) : NULL;
        if (flags[i] && !(v && cJSON_AddItemToArray(on, v)))
            w->oom = 1;
    }
}

static void breaker_json(wctx *w, cJSON *parent, const breaker_cfg *b)
{
    cJSON *o = obj(w, parent, "breaker");
    if (!o)
        return;
    name_of(w, o, "kind", lk_breaker_kinds, b->kind);
    if (b->kind == BREAKER_NONE)
        return;
    name_of(w, o, "scope", lk_scopes, b->scope);
    if (b->kind == BREAKER_CONSECUTIVE) {
        num(w, o, "failure_threshold", b->failure_threshold);
    } else {
        num(w, o, "window", b->window);
        num(w, o, "min_calls", b->min_calls);
        num(w, o, "failure_rate", b->failure_rate);
        num(w, o, "slow_call_duration", b->slow_call_duration);
        num(w, o, "slow_call_rate", b->slow_call_rate);
    }
    num(w, o, "open_for", b->open_for);
    num(w, o, "half_open_probes", b->half_open_probes);
}

static void health_json(wctx *w, cJSON *parent, const health_cfg *h)
{
    cJSON *o = obj(w, parent, "health_check");
    if (!o)
        return;
    num(w, o, "interval", h->interval);
    num(w, o, "jitter", h->jitter);
    num(w, o, "timeout", h->timeout);
    num(w, o, "unhealthy_threshold", h->unhealthy_threshold);
    num(w, o, "healthy_threshold", h->healthy_threshold);
    name_of(w, o, "probe", lk_probes, h->probe);
    num(w, o, "panic_threshold", h->panic_threshold);
}

static void policy_json(wctx *w, cJSON *o, const policy_cfg *p, const scenario *s)
{
    if (p->target >= 0 && p->target < s->npools)
        str(w, o, "target", s->pools[p->target].name);
    name_of(w, o, "balancer", lk_balancers, p->balancer);
    if (p->p_timeout > 0) { /* the timeout is derived from it: keep the cause */
        cJSON *t = obj(w, o, "timeout");
        if (t)
            num(w, t, "p_timeout", p->p_timeout);
    } else {
        num(w, o, "timeout", p->timeout);
    }
    num(w, o, "deadline", p->deadline);
    retry_json(w, o, &p->retry);
    breaker_json(w, o, &p->breaker);
    if (p->hedge.enabled) {
        cJSON *h = obj(w, o, "hedge");
        if (h) {
            num(w, h, "delay", p->hedge.delay);
            num(w, h, "max_attempts", p->hedge.max_attempts);
        }
    }
    if (p->outlier.enabled) {
        cJSON *d = obj(w, o, "outlier");
        if (d) {
            num(w, d, "consecutive_errors", p->outlier.consecutive_errors);
            num(w, d, "base_ejection", p->outlier.base_ejection);
            num(w, d, "max_ejection_percent", p->outlier.max_ejection_percent);
        }
    }
    if (p->health.enabled)
        health_json(w, o, &p->health);
    if (p->fanout.count > 0) {
        cJSON *f = obj(w, o, "fanout");
        if (f) {
            num(w, f, "count", p->fanout.count);
            num(w, f, "wait_for", p->fanout.wait_for);
        }
    }
    if (p->network.enabled) {
        cJSON *n = obj(w, o, "network");
        if (n) {
            if (p->network.delay.kind != DIST_NONE)
                dist_json(w, n, "delay", &p->network.delay);
            num(w, n, "loss", p->network.loss);
        }
    }
    w->oom |= lresolved_policy_overload(o, p);
}

/* error_rate, error_kind and latency_injection of a pool or inject event. */
static void inject_json(wctx *w, cJSON *o, const inject_cfg *in)
{
    num(w, o, "error_rate", in->error_rate);
    name_of(w, o, "error_kind", lk_failure_modes, in->error_kind);
    if (in->latency_fraction > 0) {
        cJSON *li = obj(w, o, "latency_injection");
        if (li) {
            num(w, li, "fraction", in->latency_fraction);
            dist_json(w, li, "delay", &in->latency);
        }
    }
}

/* [[x, y], ...] */
static cJSON *points_json(wctx *w, cJSON *o, const char *key)
{
    cJSON *arr = cJSON_AddArrayToObject(o, key);
    w->oom |= !arr;
    return arr;
}

static void point(wctx *w, cJSON *arr, double x, double y)
{
    const double xy[2] = {x, y};
    cJSON *p = cJSON_CreateDoubleArray(xy, 2);
    if (!p || !cJSON_AddItemToArray(arr, p)) {
        cJSON_Delete(p);
        w->oom = 1;
    }
}

static void slowdown_json(wctx *w, cJSON *parent, const slowdown_cfg *sd)
{
    cJSON *o = obj(w, parent, "service_slowdown");
    if (!o)
        return;
    if (sd->npoints == 0) {
        num(w, o, "per_request", sd->per_request);
        return;
    }
    cJSON *t = points_json(w, o, "table");
    for (int i = 0; t && i < sd->npoints; i++)
        point(w, t, sd->n[i], sd->factor[i]);
}

static void pool_json(wctx *w, cJSON *o, const pool_cfg *p, const scenario *s)
{
    str(w, o, "name", p->name);
    num(w, o, "servers", p->servers);
    num(w, o, "workers", p->workers);
    num(w, o, "queue_limit", p->queue_limit);
    dist_json(w, o, "service", &p->service);
    if (p->failure.kind != DIST_NONE)
        dist_json(w, o, "failure", &p->failure);
    dist_json(w, o, "repair", &p->repair);
    num(w, o, "repair_crews", p->repair_crews);
    name_of(w, o, "failure_mode", lk_failure_modes, p->mode);
    num(w, o, "quorum", p->quorum);
    inject_json(w, o, &p->inject);
    name_of(w, o, "on_full", lk_full_actions, p->on_full);
    name_of(w, o, "discipline", lk_disciplines, p->discipline);
    if (p->slowdown.npoints > 0 || p->slowdown.per_request > 0)
        slowdown_json(w, o, &p->slowdown);
    if (p->has_calls) {
        cJSON *c = obj(w, o, "calls");
        if (c)
            policy_json(w, c, &p->calls, s);
    }
    if (p->liveness.enabled) {
        cJSON *l = obj(w, o, "liveness");
        if (l) {
            num(w, l, "interval", p->liveness.interval);
            num(w, l, "timeout", p->liveness.timeout);
            num(w, l, "failure_threshold", p->liveness.failure_threshold);
            name_of(w, l, "probe", lk_probes, p->liveness.probe);
            dist_json(w, l, "restart", &p->liveness.restart);
        }
    }
    if (p->spares.count > 0) {
        cJSON *sp = obj(w, o, "spares");
        if (sp) {
            num(w, sp, "count", p->spares.count);
            name_of(w, sp, "mode", lk_spare_modes, p->spares.mode);
            if (p->spares.mode == SPARE_WARM)
                num(w, sp, "warm_factor", p->spares.warm_factor);
            if (p->spares.switchover.kind == DIST_NONE)
                num(w, sp, "switchover", 0);
            else
                dist_json(w, sp, "switchover", &p->spares.switchover);
        }
    }
    w->oom |= lresolved_pool_overload(o, p);
}

/* A Poisson stream's rate: a constant or a schedule, and a periodic factor. */
static void arrival_rate_json(wctx *w, cJSON *a, const arrival_cfg *ar)
{
    if (ar->nsched > 0) {
        cJSON *t = points_json(w, a, "schedule");
        for (int i = 0; t && i < ar->nsched; i++)
            point(w, t, ar->sched[i].t, ar->sched[i].rate);
    } else {
        num(w, a, "rate", ar->rate);
    }
    if (ar->period > 0) {
        cJSON *p = obj(w, a, "periodic");
        if (p) {
            num(w, p, "period", ar->period);
            num(w, p, "amplitude", ar->amplitude);
            num(w, p, "peak_at", ar->peak_at);
        }
    }
}

static void client_json(wctx *w, cJSON *o, const client_cfg *c, const scenario *s)
{
    str(w, o, "name", c->name);
    cJSON *a = obj(w, o, "arrival");
    if (a) {
        name_of(w, a, "process", lk_arrivals, c->arrival.process);
        if (c->arrival.process == ARRIVAL_POISSON) {
            arrival_rate_json(w, a, &c->arrival);
        } else {
            num(w, a, "users", c->arrival.users);
            dist_json(w, a, "think", &c->arrival.think);
        }
    }
    policy_json(w, o, &c->policy, s);
}

static void slo_json(wctx *w, cJSON *o, const slo_cfg *slo, const scenario *s)
{
    static const char *const lat_keys[SLO_NLAT] = {"p50", "p99", "p999"};
    str(w, o, "client", s->clients[slo->client].name);
    if (slo->success > 0)
        num(w, o, "success", slo->success);
    cJSON *lat = NULL;
    for (int k = 0; k < SLO_NLAT; k++)
        if (slo->latency[k] > 0) {
            if (!lat)
                lat = obj(w, o, "latency");
            if (lat)
                num(w, lat, lat_keys[k], slo->latency[k]);
        }
    num(w, o, "window", slo->window);
}

static void event_json(wctx *w, cJSON *o, const event_cfg *e, const scenario *s)
{
    num(w, o, "at", e->at);
    name_of(w, o, "kind", lk_event_kinds, e->kind);
    num(w, o, "duration", e->duration);
    switch (e->kind) {
    case EVENT_FAIL:
        str(w, o, "pool", s->pools[e->pool].name);
        num(w, o, "servers", e->servers);
        break;
    case EVENT_LOAD:
        str(w, o, "client", s->clients[e->client].name);
        num(w, o, "multiplier", e->multiplier);
        break;
    case EVENT_INJECT:
        str(w, o, "pool", s->pools[e->pool].name);
        inject_json(w, o, &e->inject);
        break;
    case EVENT_PARTITION:
        if (e->client >= 0)
            str(w, o, "client", s->clients[e->client].name);
        else
            str(w, o, "pool", s->pools[e->pool].name);
        break;
    }
}

/* Each element of a list: a new object appended to ARR. */
static cJSON *element(wctx *w, cJSON *arr)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        w->oom = 1;
        return NULL;
    }
    return o;
}

static cJSON *scenario_json(wctx *w, const scenario *s)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) {
        w->oom = 1;
        return NULL;
    }
    str(w, root, "name", s->name);
    str(w, root, "description", s->description ? s->description : "");
    num(w, root, "seed", (double)s->seed);
    num(w, root, "horizon", s->horizon);
    num(w, root, "warmup", s->warmup);
    num(w, root, "replications", s->replications);
    num(w, root, "bin", s->bin);
    cJSON *l = obj(w, root, "limits");
    if (l) {
        num(w, l, "max_in_flight", (double)s->limits.max_in_flight);
        num(w, l, "max_events", s->limits.max_events);
    }
    cJSON *pools = cJSON_AddArrayToObject(root, "pools");
    cJSON *clients = cJSON_AddArrayToObject(root, "clients");
    cJSON *events = cJSON_AddArrayToObject(root, "events");
    w->oom |= !pools || !clients || !events;
    for (int i = 0; pools && i < s->npools; i++) {
        cJSON *o = element(w, pools);
        if (o)
            pool_json(w, o, &s->pools[i], s);
    }
    for (int i = 0; clients && i < s->nclients; i++) {
        cJSON *o = element(w, clients);
        if (o)
            client_json(w, o, &s->clients[i], s);
    }
    for (int i = 0; events && i < s->nevents; i++) {
        cJSON *o = element(w, events);
        if (o)
            event_json(w, o, &s->events[i], s);
    }
    cJSON *slos = s->nslos ? cJSON_AddArrayToObject(root, "slos") : NULL;
    w->oom |= s->nslos && !slos;
    for (int i = 0; slos && i < s->nslos; i++) {
        cJSON *o = element(w, slos);
        if (o)
            slo_json(w, o, &s->slos[i], s);
    }
    return root;
}

char *loader_resolved_json(const scenario *s)
{
    wctx w = {0};
    cJSON *root = scenario_json(&w, s);
    char *text = w.oom ? NULL : cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}
