/* health.c - active health checking and panic mode; see health.h.
 *
 * Closed forms the model check compares with (MODEL.md, FORMULAS.md): with
 * direct probes every I (no jitter), thresholds 1 and exponential UP/DOWN
 * times (rates l, m; A = m/(l+m)), the belief is the state at the last probe,
 * a time U ~ U(0, I) ago, so
 *     undetected_down = P(UP then, DOWN now) = A (1-A) (1 - (1 - e^{-(l+m)I}) / ((l+m)I))
 * and ejected_up is the same by symmetry; with threshold F the detection
 * delay is U + (F-1) I, mean (F-1) I + I/2 when failures and repairs are
 * much longer than F I (an_detection_delay gives E[U] exactly).
 */
#include "models/health.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void hc_tick(sim *s, sim_event *ev);
static void hc_tick_q(void *ctx, timer_node *n);
static void hc_result(void *ctx, int srv, int ok);

health *health_new(caller *c, const health_cfg *cfg)
{
    int n = c->target->cfg->servers;
    health *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->c = c;
    h->cfg = cfg;
    h->n = n;
    h->srv = calloc((size_t)n, sizeof *h->srv);
    h->list = calloc((size_t)n, sizeof *h->list);
    h->slot = calloc((size_t)n, sizeof *h->slot);
    h->has_view = c->cfg->balancer != BAL_LEAST_OUTSTANDING;
    if (!h->srv || !h->list || !h->slot || rng_init(&h->rng) ||
        (h->has_view && srvset_init(&h->view, n, 0)) ||
        probe_init(&h->pr, c->target, cfg->probe, cfg->timeout, hc_result, h)) {
        health_free(h);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        h->srv[i].h = h;
        h->srv[i].index = i;
        h->srv[i].tick.fire = hc_tick;
    }
    /* Without jitter every server's next probe is `interval` after its last
     * result: a FIFO timer queue keeps them out of the event heap. */
    timerq_init(&h->tick_q, cfg->interval, hc_tick_q, h);
    return h;
}

void health_free(health *h)
{
    if (!h)
        return;
    probe_destroy(&h->pr);
    rng_destroy(&h->rng);
    free(h->srv);
    free(h->list);
    free(h->slot);
    if (h->has_view)
        srvset_free(&h->view);
    free(h);
}

void health_reset(health *h)
{
    probe_reset(&h->pr);
    timerq_reset(&h->tick_q);
    for (int i = 0; i < h->n; i++) {
        hc_srv *v = &h->srv[i];
        v->tick.pos = 0;
        v->tn.prev = v->tn.next = NULL;
        v->fails = v->oks = 0;
        v->healthy = 1;
        v->down_at = v->up_at = -1;
        h->list[i] = h->slot[i] = i;
    }
    h->nhealthy = h->n;
    if (h->has_view)
        srvset_reset(&h->view); /* all believed healthy, all available to the caller */
    h->panic = 0;
    h->nundetected = h->nejected = 0;
    stat_tw_init(&h->undetected_tw, 0, 0);
    stat_tw_init(&h->ejected_tw, 0, 0);
    stat_tw_init(&h->panic_tw, 0, 0);
    stat_tw_init(&h->unhealthy_tw, 0, 0);
    health_restart_stats(h, 0);
}

void health_restart_stats(health *h, double t)
{
    stat_tw_restart(&h->undetected_tw, t);
    stat_tw_restart(&h->ejected_tw, t);
    stat_tw_restart(&h->panic_tw, t);
    h->det_sum = h->det_n = h->rec_sum = h->rec_n = 0;
    h->pr.sent = 0;
}

void health_start(health *h)
{
    for (int i = 0; i < h->n; i++)
        sim_after(&h->c->w->s, &h->srv[i].tick, h->cfg->interval * rng_uniform(&h->rng));
}

/* ---- beliefs ---------------------------------------------------------------- */

/* least_outstanding's server set keeps the filter too (balancer.c): a
 * server is filtered while believed unhealthy and not in panic. */
static void set_filter(health *h, int s)
{
    srvset *x = &h->c->set;
    if (x->count)
        srvset_filter(x, s, !h->panic && !h->srv[s].healthy);
}

void health_view_refresh(health *h, int s)
{
    const caller *c = h->c;
    if (h->has_view)
        srvset_set_avail(&h->view, s, h->srv[s].healthy && (!c->has_set || srvset_is_avail(&c->set, s)));
}

static void update_panic(health *h)
{
    double th = h->cfg->panic_threshold;
    int panic = th > 0 && h->nhealthy < th * h->n;
    if (panic != h->panic) {
        h->panic = panic;
        stat_tw_set(&h->panic_tw, h->c->w->s.now, panic);
        for (int s = 0; s < h->n; s++) /* rare: O(n log n) per panic edge */
            if (!h->srv[s].healthy)
                set_filter(h, s);
    }
}

static void keep_detection(health *h, double d)
{
    world *w = h->c->w;
    double *blk = rec_detect(&w->L, w->rec, h->c->index);
    if (blk[0] < SAMPLE_CAP)
        blk[1 + (size_t)blk[0]++] = d;
    h->det_sum += d;
    h->det_n++;
}

static void set_counts(health *h, int dund, int dej)
{
    double now = h->c->w->s.now;
    if (dund) {
        h->nundetected += dund;
        stat_tw_set(&h->undetected_tw, now, h->nundetected);
    }
    if (dej) {
        h->nejected += dej;
        stat_tw_set(&h->ejected_tw, now, h->nejected);
    }
}

static void believe(health *h, int s, int healthy)
{
    hc_srv *v = &h->srv[s];
    double now = h->c->w->s.now;
    int up = h->pr.p->up[s];
    v->healthy = (uint8_t)healthy;
    if (healthy) {
        h->slot[s] = h->nhealthy;
        h->list[h->nhealthy++] = s;
    } else {
        int k = h->slot[s], last = h->list[--h->nhealthy];
        h->list[k] = last;
        h->slot[last] = k;
    }
    health_view_refresh(h, s);
    stat_tw_set(&h->unhealthy_tw, now, h->n - h->nhealthy);
    if (up && healthy && v->up_at >= 0) {
        h->rec_sum += now - v->up_at;
        h->rec_n++;
    }
    if (!up && !healthy && v->down_at >= 0)
        keep_detection(h, now - v->down_at);
    v->up_at = v->down_at = -1;
    if (up)
        set_counts(h, 0, healthy ? -1 : 1);
    else
        set_counts(h, healthy ? 1 : -1, 0);
    update_panic(h);
    set_filter(h, s);
}

void health_server_changed(caller *c, int s, int up)
{
    health *h = c->hc;
    hc_srv *v = &h->srv[s];
    double now = c->w->s.now;
    v->down_at = up || !v->healthy ? -1 : now;
    v->up_at = up && !v->healthy ? now : -1;
    if (v->healthy)
        set_counts(h, up ? -1 : 1, 0);
    else
        set_counts(h, 0, up ? 1 : -1);
}

/* ---- probes ------------------------------------------------------------------ */

static void hc_tick(sim *s, sim_event *ev)
{
    (void)s;
    hc_srv *v = SIM_CONTAINER(ev, hc_srv, tick);
    probe_send(&v->h->pr, v->index);
}

static void hc_tick_q(void *ctx, timer_node *n)
{
    probe_send(&((health *)ctx)->pr, SIM_CONTAINER(n, hc_srv, tn)->index);
}

static void hc_result(void *ctx, int srv, int ok)
{
    health *h = ctx;
    hc_srv *v = &h->srv[srv];
    const health_cfg *cfg = h->cfg;
    if (ok) {
        v->fails = 0;
        if (++v->oks >= cfg->healthy_threshold && !v->healthy)
            believe(h, srv, 1);
    } else {
        v->oks = 0;
        if (++v->fails >= cfg->unhealthy_threshold && v->healthy)
            believe(h, srv, 0);
    }
    if (cfg->jitter > 0)
        sim_after(&h->c->w->s, &v->tick, cfg->interval + cfg->jitter * rng_uniform(&h->rng));
    else
        timerq_start(&h->tick_q, &h->c->w->s, &v->tn);
}

/* ---- metrics ----------------------------------------------------------------- */

static double ratio(double a, double b) { return b > 0 ? a / b : NAN; }

void health_finish_metrics(health *h, double *m, double t)
{
    double span = t - h->undetected_tw.start;
    m[CM_UNDETECTED_DOWN_FRACTION] = stat_tw_mean(&h->undetected_tw, t) / h->n;
    m[CM_EJECTED_UP_FRACTION] = stat_tw_mean(&h->ejected_tw, t) / h->n;
    m[CM_DETECTION_DELAY] = ratio(h->det_sum, h->det_n);
    m[CM_RECOVERY_DETECTION_DELAY] = ratio(h->rec_sum, h->rec_n);
    m[CM_PANIC_FRACTION] = h->cfg->panic_threshold > 0 ? stat_tw_mean(&h->panic_tw, t) : NAN;
    m[CM_PROBE_RATE] = ratio(h->pr.sent, span);
}

double health_take_bin(health *h, double t, double width)
{
    return stat_tw_take_bin(&h->unhealthy_tw, t) / width;
}
