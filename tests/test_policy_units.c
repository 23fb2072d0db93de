/* test_policy_units.c - breaker state machine, backoff formulas and budget
 * arithmetic, each driven directly (no simulation of servers). */
#include "tests/testutil.h"

#include "models/backoff.h"
#include "models/breaker.h"
#include "models/budget.h"

static int changes[32][2], nchanges;

static void hook(void *owner, breaker *b, brk_state from, brk_state to)
{
    (void)owner;
    (void)b;
    changes[nchanges][0] = from;
    changes[nchanges][1] = to;
    nchanges++;
}

static breaker_cfg consecutive(int threshold, int probes)
{
    breaker_cfg c = {.kind = BREAKER_CONSECUTIVE, .failure_threshold = threshold,
                     .open_for = 1.5, .half_open_probes = probes, .window = 10, .min_calls = 10,
                     .failure_rate = 0.5, .slow_call_rate = 1};
    return c;
}

/* Admit one attempt and record its outcome at once. */
static void call(breaker *b, sim *s, int failed)
{
    uint32_t e;
    assert_true(breaker_admit(b, &e));
    breaker_record(b, s, e, failed, 0.01);
}

/* Run the sim until the breaker's open timer fires. */
static void wait_open(sim *s) { assert_true(sim_step(s, s->now + 100)); }

static void test_breaker_consecutive_cycle(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, NULL);
    breaker_cfg cfg = consecutive(3, 2);
    breaker b;
    breaker_init(&b, &cfg, 0, hook, NULL);
    long sum = 7; /* shared with other breakers' counts: only changes are added */
    breaker_count_into(&b, &sum);
    nchanges = 0;
    call(&b, &s, 1);
    call(&b, &s, 1);
    assert_int_equal(sum, 9);
    call(&b, &s, 0); /* a success resets the counter */
    assert_int_equal(b.consec, 0);
    assert_int_equal(sum, 7);
    call(&b, &s, 1);
    call(&b, &s, 1);
    assert_int_equal(b.state, BRK_CLOSED);
    call(&b, &s, 1); /* third consecutive: trip */
    assert_int_equal(b.state, BRK_OPEN);
    assert_int_equal(sum, 7 + b.consec); /* the trip cleared the counter */
    assert_int_equal(b.trips, 1);
    uint32_t e;
    assert_false(breaker_admit(&b, &e)); /* OPEN rejects */
    wait_open(&s);
    assert_close(s.now, 1.5, 1e-12); /* exactly open_for later, on a timer */
    assert_int_equal(b.state, BRK_HALF_OPEN);
    uint32_t p1, p2;
    assert_true(breaker_admit(&b, &p1));
    assert_true(breaker_admit(&b, &p2));
    assert_false(breaker_admit(&b, &e)); /* only half_open_probes */
    breaker_record(&b, &s, p1, 0, 0.01);
    assert_int_equal(b.state, BRK_HALF_OPEN); /* waits for all probes */
    breaker_record(&b, &s, p2, 1, 0.01);
    assert_int_equal(b.state, BRK_OPEN); /* one failed probe reopens */
    assert_int_equal(b.trips, 1);        /* HALF_OPEN -> OPEN is not a trip */
    wait_open(&s);
    assert_true(breaker_admit(&b, &p1));
    assert_true(breaker_admit(&b, &p2));
    breaker_record(&b, &s, p1, 0, 0.01);
    breaker_record(&b, &s, p2, 0, 0.01);
    assert_int_equal(b.state, BRK_CLOSED);
    call(&b, &s, 1);
    assert_int_equal(sum, 8);
    breaker_reset(&b);
    assert_int_equal(sum, 7);
    int expect[][2] = {{BRK_CLOSED, BRK_OPEN}, {BRK_OPEN, BRK_HALF_OPEN}, {BRK_HALF_OPEN, BRK_OPEN},
                       {BRK_OPEN, BRK_HALF_OPEN}, {BRK_HALF_OPEN, BRK_CLOSED}};
    assert_int_equal(nchanges, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(changes[i][0], expect[i][0]);
        assert_int_equal(changes[i][1], expect[i][1]);
    }
    breaker_destroy(&b);
    sim_destroy(&s);
}

/* Outcomes of attempts admitted before a state change are ignored. */
static void test_breaker_late_outcomes(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, NULL);
    breaker_cfg cfg = consecutive(2, 1);
    breaker b;
    breaker_init(&b, &cfg, 0, hook, NULL);
    uint32_t old;
    assert_true(breaker_admit(&b, &old)); /* in flight while the breaker trips */
    call(&b, &s, 1);
    call(&b, &s, 1);
    assert_int_equal(b.state, BRK_OPEN);
    breaker_record(&b, &s, old, 0, 5.0); /* late success while OPEN: ignored */
    assert_int_equal(b.state, BRK_OPEN);
    wait_open(&s);
    uint32_t probe;
    assert_true(breaker_admit(&b, &probe));
    breaker_record(&b, &s, old, 0, 5.0); /* late success in HALF_OPEN: not the probe */
    assert_int_equal(b.state, BRK_HALF_OPEN);
    breaker_record(&b, &s, probe, 1, 0.1);
    assert_int_equal(b.state, BRK_OPEN);
    breaker_destroy(&b);
    sim_destroy(&s);
}

/* The mirror word a fleet's dispatches and successes read instead of the
 * breaker (breaker_mirror_into) follows every change: 0 unless CLOSED, else
 * 1 + epoch with the counting bit while consec > 0; and "a success changes
 * nothing" holds exactly when recording one leaves the breaker as it was.
 * Random admits, outcomes and open timers on both kinds; then an epoch at
 * the top of the word's range, which must fall back to the breaker. */
static uint32_t mirror_want(const breaker *b)
{
    if (b->state != BRK_CLOSED || b->epoch >= BRK_MIRROR_COUNTING - 1)
        return 0;
    return (b->epoch + 1) | (b->consec ? BRK_MIRROR_COUNTING : 0);
}

static void mirror_walk(breaker_cfg cfg, unsigned seed)
{
    sim s;
    sim_init(&s, NULL);
    breaker b;
    breaker_init(&b, &cfg, 0, NULL, NULL);
    uint32_t word = 12345;
    breaker_mirror_into(&b, &word);
    assert_int_equal(word, 1); /* CLOSED, epoch 0 */
    int noops = 0;
    for (int i = 0; i < 4000; i++) {
        seed = seed * 1103515245u + 12345u;
        int failed = ((seed >> 16) % 7) < 2; /* about 2 in 7 */
        uint32_t e;
        if (breaker_admit(&b, &e)) {
            if (!failed && breaker_mirror_success_noop(&cfg, word, e)) {
                breaker copy = b;
                uint32_t scratch = 0;
                copy.mirror = &scratch;
                copy.consec_sum = NULL;
                breaker_record(&copy, &s, e, 0, 0.01);
                assert_int_equal(copy.state, b.state);
                assert_int_equal(copy.epoch, b.epoch);
                assert_int_equal(copy.consec, b.consec);
                assert_int_equal(copy.ring_n, b.ring_n); /* failure_rate is never a no-op */
                noops++;
            }
            breaker_record(&b, &s, e, failed, 0.01);
        } else {
            wait_open(&s);
        }
        assert_int_equal(word, mirror_want(&b));
        assert_true(breaker_mirror_closed_epoch(word) == (b.state == BRK_CLOSED ? (int64_t)b.epoch : -1));
    }
    assert_true(cfg.kind == BREAKER_CONSECUTIVE ? noops > 1000 : noops == 0);
    /* the epoch at the top of the range: no longer mirrored */
    breaker_reset(&b);
    b.epoch = BRK_MIRROR_COUNTING - 4;
    while (b.state == BRK_CLOSED)
        call(&b, &s, 1);
    wait_open(&s);
    uint32_t p;
    while (b.state == BRK_HALF_OPEN && breaker_admit(&b, &p))
        breaker_record(&b, &s, p, 0, 0.01);
    assert_int_equal(b.state, BRK_CLOSED);
    assert_true(b.epoch >= BRK_MIRROR_COUNTING - 1);
    assert_int_equal(word, 0);
    assert_false(breaker_mirror_success_noop(&cfg, word, b.epoch));
    breaker_reset(&b);
    assert_int_equal(word, 1);
    breaker_destroy(&b);
    sim_destroy(&s);
}

static void test_breaker_mirror(void **state)
{
    (void)state;
    mirror_walk(consecutive(3, 2), 1);
    breaker_cfg rate = consecutive(3, 2);
    rate.kind = BREAKER_FAILURE_RATE;
    rate.failure_rate = 0.4;
    mirror_walk(rate, 2);
}

/* failure_rate: no decision below min_calls; >= threshold trips; slow calls. */
static void test_breaker_failure_rate(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, NULL);
    breaker_cfg cfg = {.kind = BREAKER_FAILURE_RATE, .window = 4, .min_calls = 4, .failure_rate = 0.5,
                       .open_for = 2, .half_open_probes = 2, .slow_call_rate = 1};
    breaker b;
    breaker_init(&b, &cfg, 0, hook, NULL);
    call(&b, &s, 1);
    call(&b, &s, 1);
    call(&b, &s, 1);
    assert_int_equal(b.state, BRK_CLOSED); /* 3 < min_calls */
    call(&b, &s, 0);                        /* 3/4 >= 0.5 */
    assert_int_equal(b.state, BRK_OPEN);
    wait_open(&s);
    call(&b, &s, 0);
    call(&b, &s, 1); /* probes 1/2 failed: 0.5 >= 0.5 -> OPEN */
    assert_int_equal(b.state, BRK_OPEN);
    wait_open(&s);
    call(&b, &s, 0);
    call(&b, &s, 0);
    assert_int_equal(b.state, BRK_CLOSED);
    /* the window slides: old failures leave it */
    call(&b, &s, 1);
    call(&b, &s, 0);
    call(&b, &s, 0);
    call(&b, &s, 0); /* 1/4 */
    call(&b, &s, 1); /* window: 0 0 0 1 -> 1/4 */
    assert_int_equal(b.state, BRK_CLOSED);
    breaker_destroy(&b);
    /* slow calls alone trip when their share >= slow_call_rate */
    breaker_cfg slow = cfg;
    slow.slow_call_duration = 0.5;
    slow.slow_call_rate = 0.75;
    breaker_init(&b, &slow, 0, hook, NULL);
    uint32_t e;
    for (int i = 0; i < 3; i++) {
        breaker_admit(&b, &e);
        breaker_record(&b, &s, e, 0, 0.9); /* slow successes */
    }
    call(&b, &s, 0);
    assert_int_equal(b.state, BRK_OPEN); /* 3/4 slow */
    breaker_destroy(&b);
    sim_destroy(&s);
}

static double mean_delay(backoff_cfg *c, int k, int n, double *max)
{
    rng_stream r;
    rng_init(&r);
    rng_seed(&r, 777);
    double sum = 0, d, prev = c->base;
    *max = 0;
    for (int i = 0; i < n; i++) {
        double x = backoff_delay(c, k, &prev, &r, &d);
        sum += x;
        if (x > *max)
            *max = x;
    }
    rng_destroy(&r);
    return sum / n;
}

static void test_backoff_formulas(void **state)
{
    (void)state;
    backoff_cfg c = {.kind = BACKOFF_EXPONENTIAL, .base = 0.01, .multiplier = 2, .cap = 1.0};
    double mx, n = 200000;
    c.jitter = JITTER_NONE;
    assert_close(mean_delay(&c, 3, 10, &mx), 0.08, 1e-15);
    assert_close(mean_delay(&c, 9, 10, &mx), 1.0, 1e-15); /* capped: 5.12 -> 1 */
    c.jitter = JITTER_FULL; /* U(0, t): mean t/2 */
    assert_close(mean_delay(&c, 3, (int)n, &mx), 0.04, 4 * 0.08 / sqrt(12 * n));
    assert_true(mx <= 0.08);
    c.jitter = JITTER_EQUAL; /* t/2 + U(0, t/2): mean 3t/4, never below t/2 */
    assert_close(mean_delay(&c, 3, (int)n, &mx), 0.06, 4 * 0.04 / sqrt(12 * n));
    c.jitter = JITTER_DECORRELATED; /* first: U(base, 3 base) */
    backoff_cfg d1 = c;
    rng_stream r;
    rng_init(&r);
    rng_seed(&r, 5);
    double prev = c.base, drawn, sum = 0;
    for (int i = 0; i < (int)n; i++) {
        prev = c.base;
        double x = backoff_delay(&d1, 0, &prev, &r, &drawn);
        assert_true(x >= 0.01 && x <= 0.03);
        sum += x;
    }
    assert_close(sum / n, 0.02, 4 * 0.02 / sqrt(12 * n));
    /* exponential_random: P(fired) = 1 - e^{-rate t_max}; fired delays ~ truncated Exp */
    backoff_cfg er = {.kind = BACKOFF_EXPONENTIAL_RANDOM, .rate = 2.385, .t_max = 0.6};
    int fired = 0;
    for (int i = 0; i < (int)n; i++) {
        double x = backoff_delay(&er, 0, &prev, &r, &drawn);
        if (x >= 0) {
            fired++;
            assert_true(x <= 0.6);
        } else {
            assert_true(drawn > 0.6);
        }
    }
    double p = 1 - exp(-2.385 * 0.6);
    assert_close(fired / n, p, 4 * sqrt(p * (1 - p) / n));
    backoff_cfg cst = {.kind = BACKOFF_CONSTANT, .delay = 0.25};
    assert_close(backoff_delay(&cst, 4, &prev, &r, &drawn), 0.25, 0);
    rng_destroy(&r);
}

static void test_budget_token_bucket(void **state)
{
    (void)state;
    budget_cfg c = {.kind = BUDGET_TOKEN_BUCKET, .max_tokens = 10, .token_ratio = 0.1};
    budget b;
    double paid;
    budget_init(&b, &c);
    assert_true(budget_try_retry(&b, 0, 0, &paid)); /* 10 > 5 */
    for (int i = 0; i < 5; i++)
        budget_on_outcome(&b, 0);
    assert_close(b.tokens, 5, 1e-12);
    assert_false(budget_try_retry(&b, 0, 0, &paid)); /* 5 is not > 5 */
    budget_on_outcome(&b, 1);
    assert_close(b.tokens, 5.1, 1e-12);
    assert_true(budget_try_retry(&b, 0, 0, &paid));
    for (int i = 0; i < 20; i++)
        budget_on_outcome(&b, 0);
    assert_close(b.tokens, 0, 0); /* floor 0 */
    for (int i = 0; i < 200; i++)
        budget_on_outcome(&b, 1);
    assert_close(b.tokens, 10, 1e-9); /* cap */
}

static void test_budget_ratio(void **state)
{
    (void)state;
    budget_cfg c = {.kind = BUDGET_RATIO, .percent = 0.2, .min_per_second = 0, .ttl = 10};
    budget b;
    double paid;
    budget_init(&b, &c);
    for (int i = 0; i < 10; i++)
        budget_on_request(&b, 0.5);
    assert_true(budget_try_retry(&b, 0.6, 0, &paid)); /* 10 x 0.2 = 2 retries */
    assert_true(budget_try_retry(&b, 0.7, 0, &paid));
    assert_false(budget_try_retry(&b, 0.8, 0, &paid));
    /* after ttl the deposits (and withdrawals) expire */
    for (int i = 0; i < 5; i++)
        budget_on_request(&b, 11.0);
    assert_true(budget_try_retry(&b, 11.0, 0, &paid));
    assert_false(budget_try_retry(&b, 11.0, 0, &paid));
    /* the reserve: min_per_second x ttl retries with no requests at all */
    budget_cfg r = {.kind = BUDGET_RATIO, .percent = 0.2, .min_per_second = 0.3, .ttl = 10};
    budget_init(&b, &r);
    int ok = 0;
    for (int i = 0; i < 10; i++)
        ok += budget_try_retry(&b, 1.0, 0, &paid);
    assert_int_equal(ok, 3);
}

/* AWS SDK retry quota: 500 to start (the cap), a retry costs 5 (10 after a
 * timeout), a success refunds its last retry's cost, or 1 without retry. */
static void test_budget_retry_quota(void **state)
{
    (void)state;
    budget_cfg c = {.kind = BUDGET_QUOTA, .initial = 500, .retry_cost = 5, .timeout_cost = 10,
                    .success_deposit = 1, .refund = 1};
    budget b;
    double paid;
    assert_int_equal(budget_init(&b, &c), 0);
    assert_true(budget_try_retry(&b, 0, 0, &paid));
    assert_close(paid, 5, 0);
    assert_true(budget_try_retry(&b, 0, 1, &paid));
    assert_close(paid, 10, 0);
    assert_close(b.tokens, 485, 0);
    budget_on_success(&b, 10); /* succeeded on the timeout retry: its 10 back */
    assert_close(b.tokens, 495, 0);
    budget_on_success(&b, 0);
    budget_on_success(&b, 0);
    budget_on_success(&b, 0);
    budget_on_success(&b, 0);
    budget_on_success(&b, 0);
    budget_on_success(&b, 0); /* capped at the initial 500 */
    assert_close(b.tokens, 500, 0);
    int n = 0; /* 500 / 10: exactly 50 timeout retries, then none */
    while (budget_try_retry(&b, 0, 1, &paid))
        n++;
    assert_int_equal(n, 50);
    assert_false(budget_try_retry(&b, 0, 0, &paid));
    budget_free(&b);
}

/* Retry-only breaker: no retries while more than failure_rate of the last
 * window attempts failed. */
static void test_budget_retry_breaker(void **state)
{
    (void)state;
    budget_cfg c = {.kind = BUDGET_BREAKER, .window = 10, .failure_rate = 0.2};
    budget b;
    double paid;
    assert_int_equal(budget_init(&b, &c), 0);
    assert_true(budget_try_retry(&b, 0, 0, &paid)); /* nothing seen yet */
    for (int i = 0; i < 8; i++)
        budget_on_outcome(&b, 1);
    budget_on_outcome(&b, 0);
    budget_on_outcome(&b, 0); /* 2 of 10 failed: 0.2 is not > 0.2 */
    assert_true(budget_try_retry(&b, 0, 0, &paid));
    budget_on_outcome(&b, 0); /* the oldest success leaves: 3 of 10 */
    assert_false(budget_try_retry(&b, 0, 1, &paid));
    for (int i = 0; i < 8; i++)
        budget_on_outcome(&b, 1); /* the failures slide out */
    assert_true(budget_try_retry(&b, 0, 0, &paid));
    budget_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_breaker_consecutive_cycle), cmocka_unit_test(test_breaker_late_outcomes),
        cmocka_unit_test(test_breaker_mirror),
        cmocka_unit_test(test_breaker_failure_rate),      cmocka_unit_test(test_backoff_formulas),
        cmocka_unit_test(test_budget_token_bucket),       cmocka_unit_test(test_budget_ratio),
        cmocka_unit_test(test_budget_retry_quota),        cmocka_unit_test(test_budget_retry_breaker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
