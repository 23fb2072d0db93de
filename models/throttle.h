/* throttle.h - client-side admission gates: SRE adaptive throttling and a
 * token-bucket rate limiter.
 *
 * Adaptive throttling (Google SRE book, "Handling Overload"; the breaker of
 * go-zero and Kratos): over a sliding window the client counts `requests`
 * (every attempt it wanted to send, the ones it rejected itself included)
 * and `accepts` (attempts the backend answered with success), and rejects a
 * new attempt locally with probability
 *     p = max(0, (requests - K accepts) / (requests + 1)).
 * The window slides in THROTTLE_BUCKETS steps (go-zero uses 40 buckets too).
 *
 * Token bucket: `rate` tokens per second up to `burst`; an attempt takes one
 * token, waiting for it (a reservation, as Resilience4j and Guava do) when
 * the wait is at most max_wait, else it is rejected at once.
 */
#ifndef RELSIM_THROTTLE_H
#define RELSIM_THROTTLE_H

#include "models/config.h"

#define THROTTLE_BUCKETS 40

typedef struct {
    double k, width;  /* width: window / THROTTLE_BUCKETS */
    long epoch;       /* index of the current bucket since t = 0 */
    double req[THROTTLE_BUCKETS], acc[THROTTLE_BUCKETS];
    double requests, accepts; /* sums over the window */
} throttle;

void throttle_init(throttle *t, const throttle_cfg *cfg);
void throttle_reset(throttle *t);
/* The rejection probability at NOW (before counting the new request). */
double throttle_reject_p(throttle *t, double now);
void throttle_on_request(throttle *t, double now);
void throttle_on_accept(throttle *t, double now);

typedef struct {
    const rate_limit_cfg *cfg;
    double tokens, last;
} tbucket;

void tbucket_init(tbucket *b, const rate_limit_cfg *cfg);
void tbucket_reset(tbucket *b);
/* Reserve one token at NOW: the wait until it is there (0 = at once), or
 * -1 if that wait exceeds max_wait (then nothing is reserved). */
double tbucket_reserve(tbucket *b, double now);

#endif
