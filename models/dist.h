/* dist.h - sampling the duration distributions of config.h.
 *
 * Parameter conventions follow docs/CONTRACT.md (rates, not means); the GSL traps
 * (gsl_ran_exponential takes a mean, gsl_ran_weibull(r, scale, shape)) are
 * handled here once.  Configs are validated by the loader.
 */
#ifndef RELSIM_DIST_H
#define RELSIM_DIST_H

#include "models/config.h"
#include "sim/rng.h"

/* One draw from D; D->kind must not be DIST_NONE. */
double dist_sample(const dist_cfg *d, rng_stream *r);

/* Short name of a kind: "exponential", ... */
const char *dist_name(dist_kind k);

#endif
