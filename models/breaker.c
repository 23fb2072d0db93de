/* breaker.c - circuit breaker transitions; see breaker.h for the semantics. */
#include "models/breaker.h"

#include <stdlib.h>
#include <string.h>

static void mirror(breaker *b)
{
    if (b->mirror)
        *b->mirror = b->state == BRK_CLOSED && b->epoch < BRK_MIRROR_COUNTING - 1
                         ? (b->epoch + 1) | (b->consec ? BRK_MIRROR_COUNTING : 0)
                         : 0;
}

static void set_state(breaker *b, brk_state to)
{
    brk_state from = b->state;
    b->state = to;
    b->epoch++;
    mirror(b);
    if (b->hook)
        b->hook(b->owner, b, from, to);
}

static void set_consec(breaker *b, int v)
{
    if (b->consec_sum)
        *b->consec_sum += v - b->consec;
    b->consec = v;
    mirror(b);
}

static void clear_counts(breaker *b)
{
    if (b->consec)
        set_consec(b, 0);
    b->ring_pos = b->ring_n = b->ring_fail = b->ring_slow = 0;
    b->probes_sent = b->probes_done = b->probes_failed = b->probes_slow = 0;
}

static void half_open(sim *s, sim_event *ev)
{
    breaker *b = SIM_CONTAINER(ev, breaker, timer);
    (void)s;
    clear_counts(b);
    set_state(b, BRK_HALF_OPEN);
}

static void open_now(breaker *b, sim *s)
{
    if (b->state == BRK_CLOSED)
        b->trips++;
    clear_counts(b);
    sim_after(s, &b->timer, b->cfg->open_for);
    set_state(b, BRK_OPEN);
}

int breaker_init(breaker *b, const breaker_cfg *cfg, int id, breaker_hook hook, void *owner)
{
    memset(b, 0, sizeof *b);
    b->cfg = cfg;
    b->id = id;
    b->hook = hook;
    b->owner = owner;
    b->timer.fire = half_open;
    if (cfg->kind == BREAKER_FAILURE_RATE) {
        b->ring = calloc((size_t)cfg->window, 1);
        if (!b->ring)
            return -1;
    }
    return 0;
}

void breaker_destroy(breaker *b)
{
    free(b->ring);
    b->ring = NULL;
}

void breaker_count_into(breaker *b, long *sum) { b->consec_sum = sum; }

void breaker_mirror_into(breaker *b, uint32_t *word)
{
    b->mirror = word;
    mirror(b);
}

void breaker_reset(breaker *b)
{
    clear_counts(b);
    b->state = BRK_CLOSED;
    b->epoch = 0;
    b->trips = 0;
    mirror(b);
    b->timer.pos = 0; /* the sim's queue is cleared separately */
}

int breaker_would_admit(const breaker *b)
{
    return b->state == BRK_CLOSED ||
           (b->state == BRK_HALF_OPEN && b->probes_sent < b->cfg->half_open_probes);
}

int breaker_admit(breaker *b, uint32_t *epoch)
{
    if (!breaker_would_admit(b))
        return 0;
    if (b->state == BRK_HALF_OPEN)
        b->probes_sent++;
    *epoch = b->epoch;
    return 1;
}

/* Count-based window: push one outcome, evict the oldest when full. */
static void ring_push(breaker *b, int failed, int slow)
{
    int w = b->cfg->window;
    if (b->ring_n == w) {
        uint8_t old = b->ring[b->ring_pos];
        b->ring_fail -= old & 1;
        b->ring_slow -= (old >> 1) & 1;
    } else {
        b->ring_n++;
    }
    b->ring[b->ring_pos] = (uint8_t)(failed | (slow << 1));
    b->ring_fail += failed;
    b->ring_slow += slow;
    b->ring_pos = (b->ring_pos + 1) % w;
}

static int rate_trips(const breaker_cfg *c, int n, int fails, int slows)
{
    if (n <= 0)
        return 0;
    if ((double)fails >= c->failure_rate * n)
        return 1;
    return c->slow_call_duration > 0 && (double)slows >= c->slow_call_rate * n;
}

static void record_closed(breaker *b, sim *s, int failed, int slow)
{
    const breaker_cfg *c = b->cfg;
    if (c->kind == BREAKER_CONSECUTIVE) {
        if (failed || b->consec)
            set_consec(b, failed ? b->consec + 1 : 0);
        if (b->consec >= c->failure_threshold)
            open_now(b, s);
        return;
    }
    ring_push(b, failed, slow);
    if (failed || b->consec)
        set_consec(b, failed ? b->consec + 1 : 0);
    if (b->ring_n >= c->min_calls && rate_trips(c, b->ring_n, b->ring_fail, b->ring_slow))
        open_now(b, s);
}

static void record_probe(breaker *b, sim *s, int failed, int slow)
{
    const breaker_cfg *c = b->cfg;
    b->probes_done++;
    b->probes_failed += failed;
    b->probes_slow += slow;
    if (b->probes_done < c->half_open_probes)
        return;
    int reopen = c->kind == BREAKER_CONSECUTIVE
                     ? b->probes_failed > 0
                     : rate_trips(c, b->probes_done, b->probes_failed, b->probes_slow);
    if (reopen) {
        open_now(b, s);
    } else {
        clear_counts(b);
        set_state(b, BRK_CLOSED);
    }
}

void breaker_record(breaker *b, sim *s, uint32_t epoch, int failed, double duration)
{
    if (epoch != b->epoch)
        return; /* admitted in an earlier state: describes a past period */
    int slow = b->cfg->slow_call_duration > 0 && duration > b->cfg->slow_call_duration;
    if (b->state == BRK_CLOSED)
        record_closed(b, s, failed, slow);
    else if (b->state == BRK_HALF_OPEN)
        record_probe(b, s, failed, slow);
}

void breaker_release(breaker *b, uint32_t epoch)
{
    if (epoch == b->epoch && b->state == BRK_HALF_OPEN && b->probes_sent > b->probes_done)
        b->probes_sent--;
}

const char *breaker_state_name(brk_state st)
{
    switch (st) {
    case BRK_CLOSED: return "closed";
    case BRK_OPEN: return "open";
    case BRK_HALF_OPEN: return "half_open";
    }
    return "?";
}
