/* backoff.h - the delay before a retry (MODEL.md "Retry").
 *
 * k = 0 for the first retry.
 *   none:        0
 *   constant:    delay
 *   exponential: t = min(cap, base * multiplier^k), then jitter
 *                none t | full U(0,t) | equal t/2 + U(0,t/2)
 *                | decorrelated min(cap, U(base, 3*prev)), prev starting at base
 *                (AWS "Exponential Backoff and Jitter"; the cap applies before
 *                full/equal jitter, so a delay never exceeds cap)
 *   exponential_random: d ~ Exp(rate); if d > t_max the retry is abandoned
 *                (the design document's P_retry(t) = 1 - e^{-rate t}, t <= t_max)
 */
#ifndef RELSIM_BACKOFF_H
#define RELSIM_BACKOFF_H

#include "models/config.h"
#include "sim/rng.h"

/* The delay before retry K; *PREV is the decorrelated state (start it at
 * cfg->base).  Returns a delay >= 0, or -1 when the retry is abandoned
 * (exponential_random past t_max).  *DRAWN gets the raw draw (for the P_retry
 * plot; equals the result unless abandoned). */
double backoff_delay(const backoff_cfg *cfg, int k, double *prev, rng_stream *r, double *drawn);

#endif
