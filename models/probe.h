/* probe.h - health and liveness probes to a pool's positions (MODEL.md
 * "Health checking").
 *
 *   direct  the probe sees only whether the position is UP (TCP connect,
 *           process liveness): UP answers at once; DOWN fail_fast fails at
 *           once; DOWN hang fails when the timeout expires.
 *   queued  the probe is a small request in the position's FIFO behind real
 *           work: the first free worker that reaches it answers it at once
 *           (no service time); it fails when not answered within the
 *           timeout, refused by a full queue, or dropped by a fail_fast
 *           failure.  A probe that timed out stays queued until a worker or
 *           a failure reaches it (the server does not know).
 *
 * A prober belongs to one checker (a caller's health check, a pool's
 * liveness); it reports every result through its callback, never from
 * inside the pool's own bookkeeping in a way that sends work (the callback
 * only updates beliefs and schedules timers).  Probe attempts come from a
 * free list that only grows: no allocation in steady state.
 * Ownership: the checker embeds the prober; probe_destroy frees the blocks.
 */
#ifndef RELSIM_PROBE_H
#define RELSIM_PROBE_H

#include "models/model.h"

typedef void (*probe_result_fn)(void *ctx, int srv, int ok);

typedef struct prober {
    pool *p;
    probe_kind kind;
    probe_result_fn result;
    void *ctx;
    timerq tmo_q;            /* probe timeouts (one constant delay) */
    attempt **inflight;      /* per position: the probe awaiting its result */
    attempt *free;
    void **blk;              /* blocks behind the free list */
    int nblk, capblk;
    double sent;             /* probes sent (for probe_rate) */
} prober;

int probe_init(prober *pr, pool *p, probe_kind kind, double timeout, probe_result_fn result, void *ctx);
void probe_destroy(prober *pr);
/* Forget every probe (between replications). */
void probe_reset(prober *pr);
/* Is a probe to position S awaiting its result? */
static inline int probe_busy(const prober *pr, int s) { return pr->inflight[s] != NULL; }
/* Probe position S; the result may be reported before this returns. */
void probe_send(prober *pr, int s);

/* Called by the pool: probe A was answered (OK) or failed; or the pool lets
 * go of it without an answer (a hang failure). */
void probe_answered(attempt *a, int ok);
void probe_release(attempt *a);

#endif
