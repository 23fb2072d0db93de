/* breaker.h - the circuit-breaker state machine (CLOSED -> OPEN -> HALF_OPEN).
 *
 * Semantics (MODEL.md "Circuit breaker"):
 *  - consecutive: OPEN after failure_threshold consecutive failed attempts
 *    (error or timeout); a success resets the counter (the design document's
 *    error counter C_error).
 *  - failure_rate: over the last `window` finished attempts, once at least
 *    min_calls are recorded, OPEN when failures/recorded >= failure_rate, or
 *    (with slow_call_duration > 0) slow/recorded >= slow_call_rate
 *    (Resilience4j count-based window; >=, not >).
 *  - OPEN rejects every attempt for open_for seconds; a timer (not the next
 *    call) then moves it to HALF_OPEN, so OPEN time is exact.
 *  - HALF_OPEN admits exactly half_open_probes attempts and rejects others;
 *    when all probes have finished: consecutive -> CLOSED if all succeeded;
 *    failure_rate -> CLOSED if the probes' failure (and slow) fraction is below
 *    the threshold; otherwise OPEN again.  A probe that never answers keeps
 *    the breaker HALF_OPEN (Resilience4j issue #903): use a timeout.
 *  - Every state change starts a new epoch.  An attempt remembers the epoch
 *    it was admitted in, and its outcome is ignored if the epoch has changed
 *    (an overhanging call from before a trip cannot flip the new state; cf.
 *    Polly issues #217/#218).
 *
 * Ownership: the breaker owns its outcome ring (window bytes); the caller
 * embeds the breaker and provides the sim for its timer.
 */
#ifndef RELSIM_BREAKER_H
#define RELSIM_BREAKER_H

#include "models/config.h"
#include "sim/sim.h"

#include <stdint.h>

typedef enum { BRK_CLOSED = 0, BRK_OPEN, BRK_HALF_OPEN } brk_state;

typedef struct breaker breaker;
/* Called after every state change (for time averages and timelines). */
typedef void (*breaker_hook)(void *owner, breaker *b, brk_state from, brk_state to);

struct breaker {
    /* What admitting and recording an attempt read, first and together
     * (per-server breakers of a 10 000-server pool: each access is a cache
     * miss: these sit in its first cache line). */
    const breaker_cfg *cfg;
    brk_state state;
    uint32_t epoch;
    int consec;      /* consecutive failures (C_error) */
    int probes_sent, probes_done, probes_failed, probes_slow;
    sim_event timer; /* OPEN -> HALF_OPEN */
    uint8_t *ring;   /* failure_rate: last `window` outcomes, bit0 failed, bit1 slow */
    int ring_pos, ring_n, ring_fail, ring_slow;
    long trips;      /* CLOSED -> OPEN transitions */
    int id;          /* server index, or -1 for a pool-scope breaker */
    breaker_hook hook;
    void *owner;
    long *consec_sum; /* NULL, or the owner's sum of its breakers' consec (breaker_count_into) */
    uint32_t *mirror; /* NULL, or the owner's dense copy of what a dispatch and a success read
                         (breaker_mirror_into) */
} __attribute__((aligned(64))); /* a cache line: arrays of them come from aligned allocations */

/* 0, or -1 on ENOMEM. */
int breaker_init(breaker *b, const breaker_cfg *cfg, int id, breaker_hook hook, void *owner);
void breaker_destroy(breaker *b);
/* Back to CLOSED with empty counters (between replications). */
void breaker_reset(breaker *b);
/* Keep *SUM up to date with every change of B's consec (several breakers
 * may share one SUM, so their mean needs no scan of them); NULL: none. */
void breaker_count_into(breaker *b, long *sum);

/* Keep *WORD, a word in a dense array of the owner's, equal to
 *     0 unless CLOSED, else (1 + epoch) | (consec > 0 ? BRK_MIRROR_COUNTING : 0)
 * (0 too once 1 + epoch no longer fits below BRK_MIRROR_COUNTING), so a
 * fleet's dispatches and successes read 4 dense bytes, not the breaker's
 * line (a cache miss per server in a 10 000-server pool); NULL: none. */
#define BRK_MIRROR_COUNTING 0x80000000u
void breaker_mirror_into(breaker *b, uint32_t *word);
/* From a mirror word W: the epoch an attempt admitted now gets (CLOSED
 * admits it and changes nothing), or -1 when the breaker must be asked. */
static inline int64_t breaker_mirror_closed_epoch(uint32_t w)
{
    return w ? (int64_t)(w & ~BRK_MIRROR_COUNTING) - 1 : -1;
}
/* From a mirror word W: would breaker_record of a success of an attempt
 * admitted in EPOCH change nothing?  (Consecutive kind, CLOSED in that very
 * epoch, no failure counted: record would reset a count that is 0.) */
static inline int breaker_mirror_success_noop(const breaker_cfg *cfg, uint32_t w, uint32_t epoch)
{
    return cfg->kind == BREAKER_CONSECUTIVE && w != 0 && w == epoch + 1;
}
/* Would an attempt be admitted now? (no side effects; for balancers) */
int breaker_would_admit(const breaker *b);

/* Admit an attempt: 1 and *EPOCH set, or 0 when rejected. */
int breaker_admit(breaker *b, uint32_t *epoch);

/* An admitted attempt finished: FAILED (error or timeout), DURATION seconds. */
void breaker_record(breaker *b, sim *s, uint32_t epoch, int failed, double duration);

/* An admitted attempt will never report (its request ended another way):
 * a HALF_OPEN probe gives its permit back (Resilience4j releasePermission). */
void breaker_release(breaker *b, uint32_t epoch);

const char *breaker_state_name(brk_state st);

#endif
