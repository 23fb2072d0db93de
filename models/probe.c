/* probe.c - direct and queued probes; see probe.h. */
#include "models/probe.h"

#include <stdlib.h>
#include <string.h>

#define PROBE_BLOCK 64

static void probe_timeout(void *ctx, timer_node *n);

int probe_init(prober *pr, pool *p, probe_kind kind, double timeout, probe_result_fn result, void *ctx)
{
    memset(pr, 0, sizeof *pr);
    pr->p = p;
    pr->kind = kind;
    pr->result = result;
    pr->ctx = ctx;
    timerq_init(&pr->tmo_q, timeout, probe_timeout, pr);
    pr->inflight = calloc((size_t)p->cfg->servers, sizeof *pr->inflight);
    return pr->inflight ? 0 : -1;
}

void probe_destroy(prober *pr)
{
    for (int i = 0; i < pr->nblk; i++)
        free(pr->blk[i]);
    free(pr->blk);
    free(pr->inflight);
}

void probe_reset(prober *pr)
{
    timerq_reset(&pr->tmo_q);
    memset(pr->inflight, 0, (size_t)pr->p->cfg->servers * sizeof *pr->inflight);
    pr->free = NULL;
    for (int i = 0; i < pr->nblk; i++) {
        attempt *b = pr->blk[i];
        for (int k = 0; k < PROBE_BLOCK; k++) {
            b[k].next = pr->free;
            pr->free = &b[k];
        }
    }
    pr->sent = 0;
}

static attempt *probe_alloc(prober *pr)
{
    if (!pr->free) {
        if (pr->nblk == pr->capblk) {
            int cap = pr->capblk ? 2 * pr->capblk : 8;
            void **b = realloc(pr->blk, (size_t)cap * sizeof *b);
            if (!b)
                return NULL;
            pr->blk = b;
            pr->capblk = cap;
        }
        attempt *b = model_calloc_lines(PROBE_BLOCK, sizeof *b);
        if (!b)
            return NULL;
        pr->blk[pr->nblk++] = b;
        for (int k = 0; k < PROBE_BLOCK; k++) {
            b[k].next = pr->free;
            pr->free = &b[k];
        }
    }
    attempt *a = pr->free;
    pr->free = a->next;
    return a;
}

void probe_release(attempt *a)
{
    if (a->where != AT_NONE || a->live)
        return; /* the server or the prober still holds it */
    prober *pr = a->prober;
    a->next = pr->free;
    pr->free = a;
}

/* The prober stops waiting for A: report OK. */
static void finish(prober *pr, attempt *a, int ok)
{
    int s = a->server;
    a->live = 0;
    timerq_stop(&a->timeout);
    pr->inflight[s] = NULL;
    probe_release(a);
    pr->result(pr->ctx, s, ok);
}

void probe_answered(attempt *a, int ok)
{
    if (!a->live) {
        probe_release(a);
        return;
    }
    finish(a->prober, a, ok);
}

static void probe_timeout(void *ctx, timer_node *n)
{
    finish(ctx, SIM_CONTAINER(n, attempt, timeout), 0);
}

void probe_send(prober *pr, int s)
{
    pool *p = pr->p;
    int up = p->up[s];
    pr->sent++;
    if (up && pr->kind == PROBE_DIRECT) {
        pr->result(pr->ctx, s, 1);
        return;
    }
    if (!up && p->cfg->mode == FAIL_FAST) {
        pr->result(pr->ctx, s, 0);
        return;
    }
    attempt *a = probe_alloc(pr);
    if (!a) {
        p->w->runaway = WORLD_NOMEM;
        return;
    }
    memset(a, 0, sizeof *a);
    a->prober = pr;
    a->probe = 1;
    a->server = s;
    a->sent = p->w->s.now;
    a->live = 1;
    a->where = AT_NONE;
    pr->inflight[s] = a;
    timerq_start(&pr->tmo_q, &p->w->s, &a->timeout);
    if (up)
        pool_probe_arrive(p, s, a); /* queued; may answer before returning */
    /* DOWN hang: nobody answers; the timeout fails it */
}
