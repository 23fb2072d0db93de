/* dist.c - distribution sampling over GSL. */
#include "models/dist.h"

#include <gsl/gsl_randist.h>
#include <math.h>

/* One draw from the plain distribution D (a dist_cfg or a dist_leaf). */
#define SAMPLE_PARAMS(d, r, mixture)                                                         \
    switch ((d)->kind) {                                                                     \
    mixture                                                                                  \
    case DIST_EXPONENTIAL: return rng_exp_batched(r, (d)->rate); /* one dist per stream */  \
    case DIST_DETERMINISTIC: return (d)->value;                                              \
    case DIST_WEIBULL: return gsl_ran_weibull((r)->r, (d)->scale, (d)->shape);               \
    case DIST_LOGNORMAL: return gsl_ran_lognormal((r)->r, (d)->mu, (d)->sigma);              \
    case DIST_GAMMA: return gsl_ran_gamma((r)->r, (d)->shape, (d)->scale);                   \
    default: break;                                                                          \
    }                                                                                        \
    return INFINITY;

static double leaf_sample(const dist_leaf *d, rng_stream *r) { SAMPLE_PARAMS(d, r, ) }

/* A mixture: one uniform picks the component, then one draw from it. */
static double mixture_sample(const dist_cfg *d, rng_stream *r)
{
    double u = rng_uniform(r);
    int k = 0;
    while (k < d->ncomp - 1 && u >= d->cum[k])
        k++;
    return leaf_sample(&d->comp[k], r);
}

double dist_sample(const dist_cfg *d, rng_stream *r)
{
    if (__builtin_expect(d->kind == DIST_EXPONENTIAL, 1)) /* the common case first */
        return rng_exp_batched(r, d->rate);
    SAMPLE_PARAMS(d, r, case DIST_MIXTURE: return mixture_sample(d, r);)
}

const char *dist_name(dist_kind k)
{
    static const char *names[] = {"none", "exponential", "deterministic", "weibull", "lognormal", "gamma", "mixture"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}
