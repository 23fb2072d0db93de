/* dist.c - distribution sampling over GSL. */
#include "models/dist.h"

#include <gsl/gsl_randist.h>
#include <math.h>

double dist_sample(const dist_cfg *d, rng_stream *r)
{
    switch (d->kind) {
    case DIST_EXPONENTIAL: return rng_exp_batched(r, d->rate); /* one dist per stream */
    case DIST_DETERMINISTIC: return d->value;
    case DIST_WEIBULL: return gsl_ran_weibull(r->r, d->scale, d->shape);
    case DIST_LOGNORMAL: return gsl_ran_lognormal(r->r, d->mu, d->sigma);
    case DIST_GAMMA: return gsl_ran_gamma(r->r, d->shape, d->scale);
    case DIST_NONE: break;
    }
    return INFINITY;
}

const char *dist_name(dist_kind k)
{
    static const char *names[] = {"none", "exponential", "deterministic", "weibull", "lognormal", "gamma"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}
