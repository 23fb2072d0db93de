/* backoff.c - retry delays; formulas in backoff.h. */
#include "models/backoff.h"

#include <math.h>

static double capped_exponential(const backoff_cfg *c, int k)
{
    double t = c->base * pow(c->multiplier, k);
    return (c->cap > 0 && t > c->cap) ? c->cap : t;
}

static double jittered(const backoff_cfg *c, int k, double *prev, rng_stream *r)
{
    double t = capped_exponential(c, k);
    switch (c->jitter) {
    case JITTER_NONE: return t;
    case JITTER_FULL: return t * rng_uniform(r);
    case JITTER_EQUAL: return t / 2 + (t / 2) * rng_uniform(r);
    case JITTER_DECORRELATED: {
        double hi = 3 * *prev;
        double d = c->base + (hi - c->base) * rng_uniform(r);
        if (c->cap > 0 && d > c->cap)
            d = c->cap;
        *prev = d;
        return d;
    }
    }
    return t;
}

double backoff_delay(const backoff_cfg *cfg, int k, double *prev, rng_stream *r, double *drawn)
{
    double d = 0;
    switch (cfg->kind) {
    case BACKOFF_NONE: d = 0; break;
    case BACKOFF_CONSTANT: d = cfg->delay; break;
    case BACKOFF_EXPONENTIAL: d = jittered(cfg, k, prev, r); break;
    case BACKOFF_EXPONENTIAL_RANDOM:
        d = rng_exp(r, cfg->rate);
        *drawn = d;
        return d > cfg->t_max ? -1 : d;
    }
    *drawn = d;
    return d;
}
