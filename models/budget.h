/* budget.h - retry budgets: may this retry (or hedge) be sent?
 *
 * token_bucket (gRPC retry throttling): tokens start at max_tokens; each
 *   failed attempt that reached a server takes 1 (floor 0), each success adds
 *   token_ratio (cap max_tokens); retries are allowed only while
 *   tokens > max_tokens / 2.
 * ratio (Finagle RetryBudget): each request deposits `percent` of a retry,
 *   each retry withdraws 1; deposits and withdrawals expire after `ttl`
 *   seconds; a reserve of min_per_second * ttl retries is always available.
 *   So over any ttl, retries <= percent * requests + min_per_second * ttl.
 *   The window is kept in 10 slices of ttl/10 (Finagle's WindowedAdder).
 * retry_quota (AWS SDK standard/adaptive retry quota): a balance starts at
 *   `initial` (also its cap); a retry needs and takes retry_cost, or
 *   timeout_cost after a timeout; a request that succeeds gives back the
 *   cost of its last retry, or success_deposit if it needed none; with
 *   refund off (Brooker's adaptive bucket) every success deposits
 *   success_deposit.  A hedge pays retry_cost.
 * retry_breaker (Brooker's retry-only breaker): the outcomes of the last
 *   `window` attempts are kept; retries are denied while the failed share
 *   exceeds failure_rate.  First attempts are never stopped.
 */
#ifndef RELSIM_BUDGET_H
#define RELSIM_BUDGET_H

#include "models/config.h"

#define BUDGET_SLICES 10

typedef struct {
    const budget_cfg *cfg;
    double tokens;                /* token_bucket; retry_quota: the balance */
    unsigned char *ring;          /* retry_breaker: 1 = failed, window entries */
    int ring_n, ring_pos, ring_failed;
    double slice[BUDGET_SLICES];  /* ratio: net deposits per slice */
    long slice_id;                /* ratio: index of the newest slice */
} budget;

/* 0, or -1 on ENOMEM (retry_breaker's window). */
int budget_init(budget *b, const budget_cfg *cfg);
void budget_free(budget *b);
void budget_reset(budget *b);
/* A new request started at time NOW (ratio deposits). */
void budget_on_request(budget *b, double now);
/* An attempt that reached a server ended (token_bucket arithmetic). */
void budget_on_outcome(budget *b, int success);
/* Ask for one retry at NOW after a TIMEOUT (or other failure): 1 allowed
 * (and paid for: *PAID gets what it cost), 0 denied. */
int budget_try_retry(budget *b, double now, int timeout, double *paid);
/* A request succeeded; LAST_PAID: what its last retry cost (0: none). */
void budget_on_success(budget *b, double last_paid);

#endif
