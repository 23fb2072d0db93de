/* throttle.c - SRE adaptive throttling and the token bucket (throttle.h). */
#include "models/throttle.h"

#include <math.h>
#include <string.h>

void throttle_init(throttle *t, const throttle_cfg *cfg)
{
    memset(t, 0, sizeof *t);
    t->k = cfg->k;
    t->width = cfg->window / THROTTLE_BUCKETS;
}

void throttle_reset(throttle *t)
{
    double k = t->k, w = t->width;
    memset(t, 0, sizeof *t);
    t->k = k;
    t->width = w;
}

/* Move the window to NOW: buckets that fell out of it are emptied. */
static void advance(throttle *t, double now)
{
    long e = (long)floor(now / t->width);
    if (e - t->epoch >= THROTTLE_BUCKETS) {
        memset(t->req, 0, sizeof t->req);
        memset(t->acc, 0, sizeof t->acc);
        t->requests = t->accepts = 0;
        t->epoch = e;
        return;
    }
    while (t->epoch < e) {
        int slot = (int)(++t->epoch % THROTTLE_BUCKETS);
        t->requests -= t->req[slot];
        t->accepts -= t->acc[slot];
        t->req[slot] = t->acc[slot] = 0;
    }
}

double throttle_reject_p(throttle *t, double now)
{
    advance(t, now);
    double p = (t->requests - t->k * t->accepts) / (t->requests + 1);
    return p > 0 ? p : 0;
}

void throttle_on_request(throttle *t, double now)
{
    advance(t, now);
    t->req[t->epoch % THROTTLE_BUCKETS]++;
    t->requests++;
}

void throttle_on_accept(throttle *t, double now)
{
    advance(t, now);
    t->acc[t->epoch % THROTTLE_BUCKETS]++;
    t->accepts++;
}

void tbucket_init(tbucket *b, const rate_limit_cfg *cfg)
{
    b->cfg = cfg;
    tbucket_reset(b);
}

void tbucket_reset(tbucket *b)
{
    b->tokens = b->cfg->burst; /* starts full */
    b->last = 0;
}

double tbucket_reserve(tbucket *b, double now)
{
    const rate_limit_cfg *c = b->cfg;
    b->tokens = fmin(c->burst, b->tokens + c->rate * (now - b->last));
    b->last = now;
    if (b->tokens >= 1) {
        b->tokens -= 1;
        return 0;
    }
    double wait = (1 - b->tokens) / c->rate;
    if (wait > c->max_wait)
        return -1;
    b->tokens -= 1; /* reserved: the balance goes negative */
    return wait;
}
