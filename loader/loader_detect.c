/* loader_detect.c - failure and recovery detectors and failover:
 * clients' (and pools' `calls`) health_check, pools' liveness and spares.
 *
 * Defaults (set in models/config.c) follow the reference implementations
 * (docs/SCENARIO.md):
 *   health_check  Envoy: interval, timeout and both thresholds are required
 *                 (Envoy has no defaults for them); interval_jitter 0;
 *                 healthy_panic_threshold 50 %.
 *   liveness      Kubernetes: periodSeconds 10, timeoutSeconds 1,
 *                 failureThreshold 3; a restart keeps the server DOWN for
 *                 10 s (the kubelet's first CrashLoopBackOff delay).
 *   spares        cold unless said otherwise; warm needs warm_factor;
 *                 switchover 0 s unless given.
 */
#include "loader/loader_int.h"

#include <string.h>

static const char *const no_keys[] = {NULL};

const lenum lk_probes[] = {
    {"direct", PROBE_DIRECT, NULL}, {"queued", PROBE_QUEUED, NULL}, {NULL, 0, NULL}};

void lbuild_health(lctx *c, const cJSON *obj, health_cfg *h)
{
    const cJSON *o;
    const lenum *k;
    if (lv_object(c, obj, "health_check", 0,
                  "an object {\"interval\": s, \"timeout\": s, \"unhealthy_threshold\": n, "
                  "\"healthy_threshold\": n, ...}", &o) != 1)
        return;
    lpath_key(&c->path, "health_check");
    lcheck_keys(c, o, &ls_health);
    health_cfg_enable(h);
    lv_num(c, o, "interval", R_POS, 1, &h->interval);
    lv_num(c, o, "jitter", R_NONNEG, 0, &h->jitter);
    lv_num(c, o, "timeout", R_POS, 1, &h->timeout);
    lv_int(c, o, "unhealthy_threshold", R_INT(1, 1000000), 1, &h->unhealthy_threshold);
    lv_int(c, o, "healthy_threshold", R_INT(1, 1000000), 1, &h->healthy_threshold);
    if (lv_enum(c, o, "probe", lk_probes, 0, &k) == 1)
        h->probe = (probe_kind)k->value;
    lv_num(c, o, "panic_threshold", R_PROB, 0, &h->panic_threshold);
    lpath_pop(&c->path);
}

void lbuild_liveness(lctx *c, const cJSON *obj, liveness_cfg *l)
{
    const cJSON *o;
    const lenum *k;
    if (lv_object(c, obj, "liveness", 0,
                  "an object {\"interval\": s, \"timeout\": s, \"failure_threshold\": n, ...}", &o) != 1)
        return;
    lpath_key(&c->path, "liveness");
    lcheck_keys(c, o, &ls_liveness);
    liveness_cfg_enable(l);
    lv_num(c, o, "interval", R_POS, 0, &l->interval);
    lv_num(c, o, "timeout", R_POS, 0, &l->timeout);
    lv_int(c, o, "failure_threshold", R_INT(1, 1000000), 0, &l->failure_threshold);
    if (lv_enum(c, o, "probe", lk_probes, 0, &k) == 1)
        l->probe = (probe_kind)k->value;
    lbuild_dist(c, o, "restart", 0, &l->restart);
    lpath_pop(&c->path);
}

static const char *const spares_shared[] = {"count", "mode", "switchover", NULL};
static const char *const p_warm[] = {"warm_factor", NULL};
const lenum lk_spare_modes[] = {{"cold", SPARE_COLD, no_keys},
                                    {"warm", SPARE_WARM, p_warm},
                                    {"hot", SPARE_HOT, no_keys},
                                    {NULL, 0, NULL}};

/* switchover: seconds (0 = instant) or a distribution object */
static void build_switchover(lctx *c, const cJSON *o, dist_cfg *d)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "switchover");
    char got[96];
    double x;
    if (!v || cJSON_IsObject(v)) {
        lbuild_dist(c, o, "switchover", 0, d);
        return;
    }
    lpath_key(&c->path, "switchover");
    if (!cJSON_IsNumber(v))
        lerr(c, AT_VALUE, "must be a number of seconds >= 0 or a distribution object, got %s",
             ljson_describe(v, got, sizeof got));
    else if (lv_check_num(c, v, R_NONNEG, &x) == 1 && x > 0)
        *d = (dist_cfg){.kind = DIST_DETERMINISTIC, .value = x};
    lpath_pop(&c->path);
}

void lbuild_spares(lctx *c, const cJSON *obj, spares_cfg *s)
{
    const cJSON *o;
    const lenum *k = &lk_spare_modes[0];
    if (lv_object(c, obj, "spares", 0, "an object {\"count\": n, \"mode\": \"cold\"|\"warm\"|\"hot\", ...}",
                  &o) != 1)
        return;
    lpath_key(&c->path, "spares");
    lcheck_keys(c, o, &ls_spares);
    lv_int(c, o, "count", R_INT(1, 100000), 1, &s->count);
    if (lv_enum(c, o, "mode", lk_spare_modes, 0, &k) >= 0) {
        lcheck_kind_keys(c, o, &ls_spares, spares_shared, lk_spare_modes, k, "spares mode");
        s->mode = (spare_mode)k->value;
        if (s->mode == SPARE_WARM)
            lv_num(c, o, "warm_factor", (lrange){0, 1, 1, 1, 0}, 1, &s->warm_factor);
    }
    build_switchover(c, o, &s->switchover);
    lpath_pop(&c->path);
}
