/* budget.c - gRPC token bucket and Finagle ratio budget; see budget.h. */
#include "models/budget.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int budget_init(budget *b, const budget_cfg *cfg)
{
    b->cfg = cfg;
    b->ring = NULL;
    if (cfg->kind == BUDGET_BREAKER && !(b->ring = calloc((size_t)cfg->window, 1)))
        return -1;
    budget_reset(b);
    return 0;
}

void budget_free(budget *b)
{
    free(b->ring);
    b->ring = NULL;
}

void budget_reset(budget *b)
{
    b->tokens = b->cfg->kind == BUDGET_QUOTA ? b->cfg->initial : b->cfg->max_tokens;
    b->ring_n = b->ring_pos = b->ring_failed = 0;
    memset(b->slice, 0, sizeof b->slice);
    b->slice_id = 0;
}

/* Slide the ratio window to NOW, expiring slices older than ttl. */
static void advance(budget *b, double now)
{
    long id = (long)floor(now / (b->cfg->ttl / BUDGET_SLICES));
    if (id - b->slice_id >= BUDGET_SLICES) {
        memset(b->slice, 0, sizeof b->slice);
    } else {
        for (long k = b->slice_id + 1; k <= id; k++)
            b->slice[k % BUDGET_SLICES] = 0;
    }
    if (id > b->slice_id)
        b->slice_id = id;
}

static double window_sum(const budget *b)
{
    double s = 0;
    for (int i = 0; i < BUDGET_SLICES; i++)
        s += b->slice[i];
    return s;
}

void budget_on_request(budget *b, double now)
{
    if (b->cfg->kind != BUDGET_RATIO)
        return;
    advance(b, now);
    b->slice[b->slice_id % BUDGET_SLICES] += b->cfg->percent;
}

void budget_on_outcome(budget *b, int success)
{
    if (b->cfg->kind == BUDGET_BREAKER) {
        int w = b->cfg->window;
        if (b->ring_n == w)
            b->ring_failed -= b->ring[b->ring_pos];
        else
            b->ring_n++;
        b->ring[b->ring_pos] = (unsigned char)!success;
        b->ring_failed += !success;
        b->ring_pos = (b->ring_pos + 1) % w;
        return;
    }
    if (b->cfg->kind != BUDGET_TOKEN_BUCKET)
        return;
    if (success)
        b->tokens = fmin(b->cfg->max_tokens, b->tokens + b->cfg->token_ratio);
    else
        b->tokens = fmax(0, b->tokens - 1);
}

void budget_on_success(budget *b, double last_paid)
{
    if (b->cfg->kind == BUDGET_QUOTA)
        b->tokens = fmin(b->cfg->initial, b->tokens + (last_paid > 0 && b->cfg->refund
                                                           ? last_paid
                                                           : b->cfg->success_deposit));
}

int budget_try_retry(budget *b, double now, int timeout, double *paid)
{
    *paid = 0;
    switch (b->cfg->kind) {
    case BUDGET_NONE: return 1;
    case BUDGET_QUOTA: {
        double cost = timeout ? b->cfg->timeout_cost : b->cfg->retry_cost;
        if (b->tokens < cost)
            return 0;
        b->tokens -= cost;
        *paid = cost;
        return 1;
    }
    case BUDGET_BREAKER: return b->ring_n == 0 || b->ring_failed <= b->cfg->failure_rate * b->ring_n;
    case BUDGET_TOKEN_BUCKET: return b->tokens > b->cfg->max_tokens / 2;
    case BUDGET_RATIO: {
        advance(b, now);
        double reserve = b->cfg->min_per_second * b->cfg->ttl;
        if (window_sum(b) + reserve < 1 - 1e-9) /* 5 x 0.2 is one retry */
            return 0;
        b->slice[b->slice_id % BUDGET_SLICES] -= 1;
        return 1;
    }
    }
    return 1;
}
