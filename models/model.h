/* model.h - the simulated objects of one replication and how they link.
 *
 *   world ─┬─ pool[p] ── server[n]          (failure/repair, FIFO queue, workers)
 *          ├─ caller[c] ── request ── attempt  (timeouts, retries, budget,
 *          │                                   breakers, balancer, hedging, outliers)
 *          └─ source[k]                     (client arrival processes)
 *
 * A caller is the policy engine of one client, or of one pool that calls
 * another pool while serving (multi-tier).  An attempt is both the client's
 * view of one try and the server's unit of work: it lives until the server is
 * done with it (where == AT_NONE) AND the caller stopped waiting (!live), so a
 * timed-out attempt keeps loading its server (wasted work, MODEL.md).
 *
 * Ownership: the world owns everything here and allocates it all when it is
 * built; requests and attempts come from per-caller free lists that only
 * grow, so the event loop allocates nothing in steady state.
 * This header is internal to models/; the public entry point is world.h.
 */
#ifndef RELSIM_MODEL_H
#define RELSIM_MODEL_H

#include "models/breaker.h"
#include "models/budget.h"
#include "models/config.h"
#include "models/limit.h"
#include "models/metrics.h"
#include "models/srvset.h"
#include "models/throttle.h"
#include "models/world.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/stat.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MODEL_LINE 64 /* bytes per cache line */

/* N zeroed objects of SIZE, starting on a cache-line boundary (free() them),
 * or NULL (also when N * SIZE, rounded up to a line, overflows, as calloc
 * checks): the arrays and slabs a fleet's events reach cold. */
static inline void *model_calloc_lines(size_t n, size_t size)
{
    if (size && n > (SIZE_MAX - MODEL_LINE) / size)
        return NULL;
    size_t bytes = (n * size + MODEL_LINE - 1) / MODEL_LINE * MODEL_LINE;
    void *m = aligned_alloc(MODEL_LINE, bytes ? bytes : MODEL_LINE);
    if (m)
        memset(m, 0, bytes);
    return m;
}

struct world;
struct caller;
struct request;
struct pool;

/* An attempt's outcome: the first CAUSE_* values (models/metrics_table.h),
 * so c->cause[outcome] counts it. */
typedef enum {
    OUT_SUCCESS = CAUSE_SUCCESS,
    OUT_TIMEOUT = CAUSE_TIMEOUT,
    OUT_ERROR = CAUSE_ERROR,
    OUT_REJECTED = CAUSE_REJECTED,
    OUT_BREAKER = CAUSE_BREAKER,
    OUT_SHED = CAUSE_SHED,                   /* a pool's admission control */
    OUT_THROTTLED = CAUSE_THROTTLED,         /* the caller's own gates: no server */
    OUT_BULKHEAD_FULL = CAUSE_BULKHEAD_FULL,
    OUT_RATE_LIMITED = CAUSE_RATE_LIMITED,
} outcome;
enum { AT_NONE = 0, AT_QUEUE, AT_SERVICE, AT_DOWNSTREAM, AT_INJECT, AT_NET };

/* Attempts and requests are laid out for fleets, where every completion
 * finds them cold (thousands of events since they were touched): what a
 * completion reads sits in as few cache lines as possible, and the free
 * lists' slabs start on a line (model_calloc_lines), so an attempt is two
 * lines and a completion reads the request's first line only.  Fields a
 * feature uses only when configured go after. */
typedef struct attempt {
    /* line 1: the event (the event list reads it on the pop) and what a
     * completion reads first */
    sim_event done;          /* service completion at the server */
    struct caller *owner;
    union {
        struct request *req;
        struct prober *prober; /* a probe's (probe.h) */
    };
    struct attempt *prev, *next; /* server queue / in-service list / free list */
    int32_t server;
    uint32_t epoch;          /* breaker epoch at admission */
    uint8_t where;           /* AT_* */
    uint8_t live;            /* the caller still waits for this attempt */
    uint8_t hedge;           /* sent as a hedge */
    uint8_t probe : 1;       /* a health or liveness probe (probe.h), not a request's */
    uint8_t outcome : 7;     /* network: the answer in flight back (an outcome) */
    int32_t lim_inflight;    /* limiter: in flight at admission, itself included */
    /* line 2: what the caller's bookkeeping reads, then overload control */
    timer_node timeout;      /* the caller's per-attempt timeout */
    struct attempt *sib;     /* the request's other live attempts */
    double sent;
    struct request *child;   /* multi-tier: the downstream request it waits on */
    union {
        double work;         /* PS: the server's virtual time at which it is done */
        double expire;       /* admission: shed if still queued after this (never with PS) */
    };
    double admitted;         /* pool limiter: arrival at the server */
} __attribute__((aligned(MODEL_LINE))) attempt;
_Static_assert(sizeof(attempt) == 2 * MODEL_LINE, "attempt: two cache lines");
_Static_assert(OUT_RATE_LIMITED < 128, "an outcome fits attempt.outcome");

typedef struct request {
    /* line 1: all a completion reads when no deadline, hedging, fan-out or
     * retry quota is configured (caller.c checks the caller's flags first) */
    sim_event backoff;       /* retry timer (variable delay) */
    attempt *live;           /* live attempts, linked by sib */
    double arrival;
    struct request *next_free;
    attempt *parent;         /* multi-tier: upstream attempt waiting, or NULL */
    int attempts;            /* attempts made, breaker-rejected included */
    int nlive;
    int user;                /* closed-loop user, or -1 */
    uint8_t state;           /* REQ_* */
    uint8_t starting;        /* fan-out parent: still sending its leaves */
    uint8_t backoff_from;    /* attempts when a push-back restarted the backoff */
    /* line 2: what a new request does not write unless configured (caller.c
     * request_init), so a fleet's request never touches it; then fan-out */
    struct caller *c;        /* set once, when its slab is made */
    struct request *fan;     /* fan-out leaf: its parent request, else NULL (set with fan-out only) */
    double prev_sleep;       /* decorrelated jitter state (set at the first backoff) */
    double paid;             /* retry_quota: what the last retry cost (0: none yet; set with a quota only) */
    struct request *leaves;  /* fan-out parent: its live leaves (linked by fan_next) */
    struct request *fan_prev, *fan_next;
    int fan_ok, fan_fail;    /* fan-out parent: leaves succeeded, failed */
    /* lines 3-4: touched only when configured */
    timer_node deadline;
    timer_node hedge_timer;
    struct request *bh_prev, *bh_next; /* bulkhead waiters (FIFO) */
    timer_node bh_wait;      /* bulkhead: max_wait for a permit */
    uint8_t gate;            /* next client-side gate to pass (GATE_*) */
    uint8_t permit;          /* holds a bulkhead permit handed over while waiting */
} __attribute__((aligned(MODEL_LINE))) request;
_Static_assert(sizeof(request) == 4 * MODEL_LINE, "request: four cache lines");
enum { REQ_ACTIVE = 0, REQ_BACKOFF, REQ_DONE, REQ_WAIT /* rate limiter or bulkhead */ };
enum { GATE_THROTTLE = 0, GATE_RATE, GATE_BULKHEAD };

/* What every arrival and completion at a position reads and writes, dense
 * (pool.hot[]): in a 10 000-server pool each access to a server was a cache
 * miss on its own line; at 32 bytes, two positions share a line and the
 * whole pool's is 320 KB, which stays in the per-core cache.  Whether the
 * position is UP is one byte beside it (pool.up[]). */
typedef struct srv_hot {
    attempt *q_head, *q_tail; /* waiting (FIFO, linked by next) */
    attempt *svc;            /* in service (doubly linked) */
    int32_t qlen, busy;
} srv_hot;
_Static_assert(sizeof(srv_hot) == 32, "srv_hot: two per cache line");

/* A position of a pool: what callers address (balancers pick positions).
 * It serves while a working unit holds it; with spares the unit behind a
 * position changes at every failover.  Its hot part is p->hot[index] and
 * p->up[index]; this record holds what only failures, outages, admission
 * control and processor sharing read. */
typedef struct server {
    uint8_t forced;          /* FORCED_EVENT or FORCED_RESTART, 0 = no */
    int unit;                /* unit holding (or switching into) it, -1 = vacant */
    int index;
    struct pool *pool;
    double since;            /* start of the current up/down period */
    double last_empty;       /* admission: when the queue was last empty */
    sim_event forced_end;    /* end of a forced outage or liveness restart */
    sim_event switch_end;    /* end of a spare's switchover into this position */
    sim_event ps_ev;         /* PS: the next completion */
    double vt, t_last;       /* PS: virtual time (service per attempt), when last advanced */
} server;
enum { FORCED_EVENT = 1, FORCED_RESTART = 2 };

/* A physical server: it fails and is repaired.  Without spares unit i
 * always holds position i. */
enum { U_ACTIVE, U_IDLE, U_SWITCHING, U_REPAIR };
typedef struct unit {
    sim_event life;          /* next failure, or repair completion */
    double since;            /* start of the current up/down period */
    double fail_at;          /* idle warm/hot spare: when its failure clock fires */
    int index;
    int pos;                 /* position held or switching into, -1 = none */
    uint8_t state;           /* U_* */
    uint8_t repairing;       /* U_REPAIR: a crew works on it (else it waits) */
    struct pool *pool;
} unit;

typedef struct pool {
    const pool_cfg *cfg;
    struct world *w;
    int index;
    server *srv;             /* cfg->servers positions */
    srv_hot *hot;            /* [servers] their queues and workers (model_calloc_lines) */
    uint8_t *up;             /* [servers] 1 while the position serves */
    unit *units;             /* nunits = servers + spares */
    int nunits;
    rng_stream rng_fail, rng_repair, rng_service, rng_inject, rng_switch;
    const inject_cfg *inj;   /* active fault injection, NULL = none (events switch it) */
    double injected_errors, injected_delays, dropped;
    int slow;                /* service_slowdown configured */
    int prefetch;            /* servers >= MODEL_PREFETCH_SERVERS */
    int special;             /* arrivals take the general path (injection, PS, drop, slowdown) */
    int up_count, crews_busy;
    int *crew_wait;          /* FIFO of units waiting for a crew (ring) */
    int wait_head, wait_len;
    int *idle;               /* spares: FIFO of idle units (ring of nunits) */
    int idle_head, idle_len;
    int *vacant;             /* spares: FIFO of positions waiting for one (ring of servers) */
    int vacant_head, vacant_len;
    stat_tw up_tw, quorum_tw, busy_tw, queue_tw, forced_tw; /* forced_tw: positions forced DOWN or restarting */
    double failures, up_sum, up_n, down_sum, down_n, restarts, switchovers;
    double arrivals, rejected, served, wasted, shed;
    double bin_arrivals0;    /* arrivals at the start of the time-series bin (the bin's
                                count is the difference: one counter per arrival, not two) */
    const admission_cfg *adm; /* admission control, or NULL (the fast path) */
    int gated;               /* max_concurrency or an adaptive limit is set */
    int overload;            /* gated or adm: take the slower paths */
    int slow_done;           /* overload or calls: svc_done's slower path */
    limiter *lim;            /* per-server adaptive limits, or NULL */
    rng_stream rng_limit;
    stat_tw limit_tw;        /* sum of the servers' current limits */
    struct caller *calls;    /* multi-tier downstream caller, or NULL */
    int *amp_clients;        /* clients whose requests reach this pool (-1 terminated) */
    struct caller **watch;   /* callers health-checking this pool */
    int nwatch;
    struct liveness *live;   /* liveness probes, or NULL */
} pool;

typedef struct {
    int consecutive;         /* consecutive errors seen from the server */
    int times;               /* ejections so far */
    double until;            /* ejected until (0 = not ejected) */
    double returned;         /* when it last came back */
    sim_event end;           /* un-ejection timer */
    struct caller *c;
    int index;
} outlier_state;

typedef struct {
    void **blk;
    int n, cap;
} slab_list;

typedef struct caller {
    struct world *w;
    const policy_cfg *cfg;
    pool *target;
    int index;               /* caller index (record slot) */
    int client;              /* client index, or -1 for a pool's calls */
    int from_pool;           /* the calling pool, or -1 for a client */
    rng_stream rng_bal, rng_backoff, rng_net;
    int net;                 /* messages cross a network (network configured, or partitions) */
    uint8_t fan;             /* fanout configured (cached from cfg: the hot path reads it) */
    uint8_t quota_refund;    /* retry_quota without fan-out: request successes feed the quota */
    int partitioned;         /* partition events in force */
    double net_msgs, net_lost; /* messages sent over the network, and lost */
    double leaf_ended, leaf_ok, leaf_lat; /* fan-out leaves: ended, succeeded, their latency sum */
    timerq tmo_q, deadline_q, hedge_q;
    breaker *brk;            /* nbrk breakers: per server, or one for the pool */
    uint32_t *closed_epoch;  /* per-server breakers: per server, the breaker's mirror word
                                (breaker_mirror_into): a dispatch to a CLOSED breaker and a
                                success it would not count read these 4 dense bytes */
    int nbrk;
    long consec_sum;         /* sum of the breakers' consec, kept by them: the error
                                counter's time series reads it at every bin, no scan */
    budget bud;
    int *outstanding;        /* this caller's live attempts per server */
    srvset set;              /* available servers and outstanding counts (balancer.c) */
    int has_set;             /* set kept: per-server breakers, outliers or least_outstanding */
    outlier_state *outl;
    int nejected;
    int rr_next;
    rng_divisor bal_div[2];  /* rng_below by the pool size n and by n - 1 (random, p2c:
                                balancer.c bal_divisors), set at the first pick */
    int *scratch;            /* balancer candidate list */
    attempt *free_att;
    request *free_req;
    slab_list att_slabs, req_slabs; /* blocks behind the free lists */
    /* counters over the window */
    double ended, req_attempts, succeeded, attempts, hedges, hedges_won, timeouts, breaker_rejects;
    double retries_wanted, retries_denied, retry_draws, retry_fired, deadlines, ejections;
    double cause[CAUSE_COUNT];
    long trips_at_start;     /* breaker trips before the window */
    stat_tw in_flight_tw, open_tw, ejected_tw;
    int nopen;
    struct health *hc;       /* active health checking, or NULL */
    stat_hist lat;
    double *delays;          /* record block for retry delay samples */
    /* overload control: client-side gates (all off unless configured) */
    int gated;               /* throttle, rate limit, bulkhead or limit configured */
    int slow_send;           /* gated or hedging: send_attempt's slower path */
    int slow_outcome;        /* gated or outlier detection: record_outcome's */
    throttle thr;
    tbucket tb;
    int bh_used;             /* bulkhead permits held */
    request *bh_head, *bh_tail; /* waiting for a permit */
    timerq bh_q;
    limiter *lim;            /* client-side concurrency limit, or NULL */
    int lim_inflight;
    stat_tw limit_tw;
    rng_stream rng_admit;
    double throttled;
    double bin_offered;
    double bin_attempts0, bin_succ0, bin_ended0; /* attempts, succeeded and ended at the start of
                                                    the time-series bin (the bin's counts are the
                                                    differences: one counter per event, not two) */
} caller;

struct source;
typedef struct {
    sim_event wake;          /* end of this user's think time */
    struct source *src;
    int index;
    int parked;              /* stopped by a load multiplier of 0 */
} user_slot;

typedef struct source {
    sim_event next;          /* poisson: the next arrival */
    const client_cfg *cfg;
    caller *c;
    rng_stream rng_arrival, rng_think;
    double mult;             /* load events: product of the non-zero multipliers */
    int zeros;               /* load events with multiplier 0 in force */
    int varying;             /* poisson with a schedule or a periodic factor */
    user_slot *users;        /* closed: one per user */
    int nusers;
} source;

/* Replication 0's timelines for the plots: server marks, breaker states. */
enum { MARK_FAIL, MARK_REPAIR, MARK_FORCED, MARK_RESTART };
#define TRACE_CAP 20000
typedef struct {
    world_trace_row *marks, *breaks;
    int nmarks, nbreaks, on;
} world_trace;

typedef struct world {
    sim s;
    const scenario *sc;
    rec_layout L;
    pool *pools;
    caller *callers;
    source *sources;
    sim_event warmup_ev, bin_ev;
    struct fault_slot *faults; /* one per scenario event */
    int npools_built;
    int nsources;            /* sources allocated; world_free must not read the scenario,
                                which a sweep may free before a worker drops its world */
    int bin_index;
    double *rec;             /* the record being filled */
    world_trace trace;       /* timelines, kept when trace.on */
    uint64_t rep;
    long in_flight;          /* attempts queued or in service, all pools */
    long in_flight_limit;    /* limits.max_in_flight, or LONG_MAX */
    long requests_live;      /* requests started and not ended, all callers */
    int runaway;             /* set by the overload guard */
    char error[1024];
} world;

/* Pools of at least this many servers prefetch what a completion or a
 * dispatch will touch (pool.c svc_done, caller.c dispatch): below it the
 * servers, breakers and requests in flight stay in the caches anyway.
 * Measured (PERFORMANCE.md "Fleets"): neutral at 1000 servers, 2% slower
 * at 400 with it on, so it starts at 1024. */
#define MODEL_PREFETCH_SERVERS 1024

/* Pools (pool.c) */
int pool_build(pool *p, struct world *w, int index);
void pool_destroy(pool *p);
void pool_reset(pool *p);
void pool_start(pool *p);
/* Attempt A (where == AT_NONE) reaches position S. */
void pool_arrive(pool *p, int s, attempt *a);
/* The event list's look-ahead hook (evq.h): prefetches for completions
 * about to fire in pools of MODEL_PREFETCH_SERVERS or more. */
void pool_event_ahead(const sim_event *ev, int stage);
/* A queued probe (probe.h) reaches UP position S: answered at once by a free
 * worker, refused by a full queue, or queued behind the work. */
void pool_probe_arrive(pool *p, int s, attempt *a);
void pool_downstream_done(attempt *a, int success);
void pool_force_down(pool *p, int count, double duration);
/* The service slowdown factor with N attempts in service (config.h). */
double pool_slowdown(const slowdown_cfg *sd, int n);
/* Make IN the pool's fault injection (NULL or inactive: none). */
void pool_set_inject(pool *p, const inject_cfg *in);
/* Liveness: restart position S (if UP): DOWN for DURATION, work dropped. */
void pool_restart(pool *p, int s, double duration);
void pool_restart_stats(pool *p, double t);
void pool_finish_metrics(pool *p, double *m, double t);
void pool_take_bin(pool *p, double *ts, double t, double width);

/* Callers (caller.c; the rest of a caller in caller_gates.c, caller_net.c,
 * caller_setup.c and caller_metrics.c) */
int caller_build(caller *c, struct world *w, const policy_cfg *cfg, int index, int client, int from_pool);
void caller_destroy(caller *c);
void caller_reset(caller *c);
void caller_start_request(caller *c, attempt *parent, int user);
void caller_attempt_ended(attempt *a, outcome o);
void caller_restart_stats(caller *c, double t);
void caller_finish_metrics(caller *c, double *m, double t);
void caller_take_bin(caller *c, double *ts, double t, double width);
void caller_attempt_release(attempt *a);
/* A partition event cuts (ON) or restores this caller's link. */
void caller_partition(caller *c, int on);

/* Arrival sources (source.c) */
int source_build(source *src, const client_cfg *cfg, caller *c);
void source_destroy(source *src);
void source_start(source *src);
/* A load event with multiplier FACTOR (>= 0) starts (ON) or ends. */
void source_load(source *src, double factor, int on);
void source_request_done(source *src, int user);

/* World helpers (world.c) */
void world_mark(world *w, int p, int srv, int what);
void world_breaker_change(world *w, int c, int srv, int state);
void world_runaway(world *w, const pool *p);
void world_runaway_requests(world *w, const struct caller *c);
/* Count attempts entering (+) or leaving (-) the pools; the overload guard. */
static inline void world_in_flight(world *w, const pool *p, int delta)
{
    w->in_flight += delta;
    if (w->in_flight > w->in_flight_limit)
        world_runaway(w, p);
}
/* What a stream is for.  A pool's streams: failures, repairs, service, and
 * the balancing and backoff of its downstream calls, then switchovers,
 * liveness and its calls' health checks; a client's: arrivals, think times,
 * balancing, backoff, then health checks.  The values are part of every
 * seed: append, never renumber. */
typedef enum {
    ST_FAIL, ST_REPAIR, ST_SERVICE, ST_CALL_BAL, ST_CALL_BACKOFF,
    ST_ARRIVAL, ST_THINK, ST_BAL, ST_BACKOFF,
    ST_INJECT, ST_NET, /* pool: fault injection; client or pool's calls: the network */
    ST_SWITCH, ST_LIVENESS, ST_CALL_HEALTH, ST_HEALTH, ST_CALL_NET,
    ST_LIMIT,          /* pool: adaptive limits' jitter */
    ST_ADMIT           /* client or pool's calls: throttle, client-side limit */
} stream_role;
/* Seed S for stream ROLE of pool INDEX (IS_POOL) or client INDEX in this
 * replication: keyed by the entity's name, never its position (rng.h). */
void world_seed_stream(const world *w, rng_stream *s, int is_pool, int index, stream_role role);

#endif
