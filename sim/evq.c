/* evq.c - the future-event list: a sorted array, or a 4-ary heap with a
 * near-future calendar ring; any event can be cancelled without a search.
 *
 * Why two layouts.  A typical model keeps only a few events pending (the
 * reference workload: 15 on average, never more than 20): one arrival, the
 * services in progress, each server's next failure, a timer-queue head.  At
 * that size a heap pays for its generality: a pop sifts through two full
 * levels (six key comparisons and their moves) to restore order that a
 * sorted array never loses.  In a sorted array kept latest-first, a pop is
 * "take the last entry", and a push walks back from the end only past the
 * events due before the new one, which in a simulation is few: new events are
 * mostly short delays (arrivals, services) landing near the front.  What it
 * buys, measured with callgrind on the reference workload: the event list
 * went from 26% to 11% of all instructions (a pop from about 140 to 10, a
 * push from 55 to about 45), and this change alone removed 17% of the run's
 * instructions and 23% of its mispredicted branches; in the
 * hold model (pushes land mid-list, the list's bad case) it is still 10%
 * faster than the heap up to 64 pending.  Worst case, every push landing
 * behind all pending events (FIFO-like delays), a hold at 32 pending costs
 * 27 ns against the heap's 17: bounded by EVQ_LIST_MAX.
 * Above EVQ_LIST_MAX the walk grows linearly, so the array turns into a
 * 4-ary heap (an ascending sorted array already is one: reversing it is the
 * whole conversion) and turns back, by insertion sort, only once it has
 * shrunk to EVQ_LIST_MIN: the gap keeps a queue that hovers around one
 * threshold from converting back and forth.
 *
 * A 4-ary heap halves the depth of a binary one and keeps a node's children
 * in one or two cache lines; sift-down compares four keys per level but
 * touches fewer lines, which is what costs at 10^2-10^6 pending events.
 *
 * Keys (time, seq) are unique, so both layouts pop the same sequence: which
 * one holds the events never changes a result.  A pushed event has the
 * largest seq so far, so it goes after every pending event with time <= its
 * own: pushes compare times only.
 *
 * No positions written back.  The queue used to store each entry's index in
 * its event, so a heap step wrote into the event of every entry it moved:
 * about seven scattered objects per pop in a 10^4-event heap (a fleet's
 * services and failure clocks), each a cache miss, and the largest single
 * cost of a 10 000-server run.  Now an event holds the seq of its live entry
 * and nothing else: a list cancel finds the entry by a search (at most
 * EVQ_LIST_MAX entries), a heap cancel leaves a stale entry behind (dropped
 * when it surfaces; a compaction rebuilds the heap once stale entries
 * outnumber live ones, so the array stays within twice the live events and
 * a cancel costs O(1) amortised).  Pops use Floyd's bottom-up sift: the hole
 * goes down to a leaf along the smaller children (three comparisons a level
 * instead of four) and the last entry, which usually belongs near the
 * leaves, climbs back the level or two it needs.
 *
 * The near-future ring.  A big heap is slow for a memory reason: with 10^4
 * events (a 10 000-server fleet: a failure clock per server and ~5000
 * services) each pop walks seven levels of a 360 KB array, and the deep ones
 * miss the caches the model's own data keeps evicting; three dependent misses
 * per pop were a quarter of a fleet run.  Past RING_ON live events the queue
 * also keeps a calendar (Brown 1988) for the near future: nring time buckets
 * of width w, where an event due in bucket floor(t / w) within the next
 * nring buckets is appended to that bucket (one store, no search), and the
 * current bucket, sorted, is the `bot` array popped from its end, like the
 * list.  Events further out, or in a bot or bucket that has grown to
 * BOT_MAX, go to the heap, which now holds the far future (failure clocks)
 * and is touched
 * rarely.  A pop takes the earlier of bot's last entry and the heap's top, so
 * which part holds an event never changes the order: every key is compared
 * exactly as before, and the ring is only a faster path.  floor(t / w) is
 * computed as (uint64) (t * inv_w), monotone in t, so a later bucket never
 * holds an earlier time.  w is four mean gaps between pops (about four
 * events per bucket), measured over every POP_WINDOW pops; when the
 * measure drifts by more than 4x the ring and bot are poured into the heap
 * and refill at the new width.  Below RING_OFF live events the same pouring
 * turns the ring off.  The ring is on from RING_ON = 32 live events, i.e. in
 * every heap layout once a width is measured, with buckets for half the live
 * events (at least RING_MIN, reallocated when the events outgrow it by 4x):
 * even at 10^2 events a bucket append and a pop from a sorted bot cost less
 * than a heap's sift (hold model at 10^2: 51 ns against 78 for the heap
 * alone and 58 for a bare binary heap of doubles; a 400-server pool, heap of
 * ~600 events: -27% CPU).  Buckets are 128 bytes (five entries inline, more in
 * overflow chunks, below), so the ring can cover big queues too: up to
 * RING_MAX = 2^18 buckets (34 MB), which at 10^6 events takes about 60% of
 * them off the heap (hold model at 10^6: 380-510 ns against 580-660 with
 * the 16-entry fixed buckets capped at 16384, bare heap 310-380).
 *
 * The heap's comparisons are branch-free (a coin toss for the predictor),
 * and a heap of PREFETCH_MIN entries or more (beyond the caches) prefetches
 * the grandchildren of each node it passes, so the misses of the next level
 * overlap with this level's comparisons.
 */
#include "sim/evq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ARITY 4
#define EVQ_LIST_MIN 8      /* a heap shrunk to this many live events turns back into a list */
#define EVQ_COMPACT_MIN 64  /* compact a heap only above this many entries */
#define RING_ON 32          /* live events that turn the near-future ring on ... */
#define RING_OFF 24         /* ... and off */
#define RING_MIN 64         /* buckets: the power of two >= live events / 2, within these */
#define RING_MAX (1u << 18)
#define BOT_MAX 64          /* bot's room; a bucket holds at most this many (a push beyond goes to the heap) */
#define CHUNK_ENTRIES 5     /* entries per chunk: with its link and count, 128 bytes (two lines) */
#define POP_WINDOW 4096     /* pops per width estimate */
#define PER_BUCKET 4.0      /* events per bucket aimed at */
#define PREFETCH_MIN 16384  /* a heap of this many entries (384 KiB) prefetches a level ahead */
#define PREFETCH_BUCKETS 32 /* how far a refill looks ahead for buckets to prefetch: */
#define PREFETCH_EVENTS 2   /* the events of the 2nd non-empty bucket ahead, */
#define PREFETCH_ENTRIES 4  /* the entries of the 4th */

/* A ring bucket is a chunk of CHUNK_ENTRIES entries, in push order, on two
 * cache lines of its own; a bucket holding more links to overflow chunks
 * from the queue's pool (newest first; the pool grows by doubling, never per
 * event, and gets its chunks back when their bucket is loaded or poured).
 * A bucket's older overflow chunks are full and its newest holds
 * (cnt - 6) % CHUNK_ENTRIES + 1, so a push reads only the dense count array
 * (a byte a bucket: 8 KB for a 10 000-server fleet's 8192 buckets, where
 * 32-bit counts took 32 KB and missed L1 more) and stores into one line.
 * 128 bytes a bucket (the ring was 16 entries, 384 bytes, a bucket): a ring
 * for 10^4 events is 1 MB, not 3, and rings can cover big queues (10^6
 * events: 2^19 buckets). */
struct evq_chunk {
    evq_entry e[CHUNK_ENTRIES];
    uint32_t next; /* 1 + index of the next (older) overflow chunk, or of the next free one; 0: none */
    uint32_t pad;
};
_Static_assert(sizeof(struct evq_chunk) == 128, "a chunk is two cache lines");
_Static_assert(BOT_MAX <= UINT8_MAX, "a bucket count fits ring_cnt");

/* (time, seq) order, computed without branches: in a heap the outcome of a
 * comparison is a coin toss, and a mispredicted branch costs more than the
 * few instructions that evaluate both halves. */
static inline int before(const evq_entry *a, const evq_entry *b)
{
    return (a->time < b->time) | ((a->time == b->time) & (a->seq < b->seq));
}

static inline int is_live(const evq_entry *e) { return e->ev->pos == e->seq + 1; }

/* ---- the 4-ary heap ------------------------------------------------------------ */

/* Move E up from hole I; E is being pushed (largest seq), so only times compare. */
static void sift_up_new(evq_entry *h, size_t i, evq_entry e)
{
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!(e.time < h[parent].time))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = e;
}

static void sift_up(evq_entry *h, size_t i, evq_entry e)
{
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!before(&e, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = e;
}

/* The smallest of the children FIRST .. min(FIRST + ARITY, N) - 1. */
static inline size_t min_child(const evq_entry *h, size_t first, size_t n)
{
    size_t best = first;
    if (first + ARITY <= n) { /* a full family: a tournament, no loop, no branch */
        size_t a = first + (size_t)before(&h[first + 1], &h[first]);
        size_t b = first + 2 + (size_t)before(&h[first + 3], &h[first + 2]);
        size_t ba = (size_t)before(&h[b], &h[a]);
        return a + ((b - a) & (0 - ba));
    }
    for (size_t c = first + 1; c < n; c++)
        if (before(&h[c], &h[best]))
            best = c;
    return best;
}

/* Fill the hole at I with E (N entries besides the hole): Floyd's bottom-up
 * sift, the hole down to a leaf along the smaller children, then E up. */
static void sift_down_hole(evq_entry *h, size_t n, size_t i, evq_entry e)
{
    if (n >= PREFETCH_MIN) {
        for (;;) {
            size_t first = i * ARITY + 1;
            if (first >= n)
                break;
            size_t g = first * ARITY + 1; /* the grandchildren: 16 entries from g */
            if (g < n) {
                const char *p = (const char *)&h[g];
                for (size_t k = 0; k < ARITY * ARITY * sizeof *h + 64; k += 64)
                    __builtin_prefetch(p + k);
            }
            size_t best = min_child(h, first, n);
            h[i] = h[best];
            i = best;
        }
    } else {
        for (;;) {
            size_t first = i * ARITY + 1;
            if (first >= n)
                break;
            size_t best = min_child(h, first, n);
            h[i] = h[best];
            i = best;
        }
    }
    sift_up(h, i, e);
}

/* Classic sift-down from I (E placed at I or below); for heapify. */
static void sift_down(evq_entry *h, size_t n, size_t i, evq_entry e)
{
    for (;;) {
        size_t first = i * ARITY + 1;
        if (first >= n)
            break;
        size_t best = min_child(h, first, n);
        if (!before(&h[best], &e))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

/* Remove the root (the heap keeps N >= 1 entries before the call). */
static void remove_root(evq *q)
{
    evq_entry *h = q->heap, last = h[--q->n];
    if (q->n > 0)
        sift_down_hole(h, q->n, 0, last);
}

/* ---- switching layouts and compaction ------------------------------------------- */

static inline void list_room_update(evq *q)
{
    q->list_room = !q->sorted ? 0 : q->cap < EVQ_LIST_MAX ? q->cap : EVQ_LIST_MAX;
}

/* Latest-first sorted array -> heap: reversed, it is ascending, hence a heap. */
static void to_heap(evq *q)
{
    evq_entry *h = q->heap;
    for (size_t i = 0, j = q->n; i + 1 < j; i++, j--) {
        evq_entry t = h[i];
        h[i] = h[j - 1];
        h[j - 1] = t;
    }
    q->sorted = 0;
    q->stale = 0;
    list_room_update(q);
}

/* Keep the live entries only (order lost). */
static void drop_stale(evq *q)
{
    evq_entry *h = q->heap;
    size_t k = 0;
    for (size_t i = 0; i < q->n; i++)
        if (is_live(&h[i]))
            h[k++] = h[i];
    q->stale -= q->n - k;
    q->n = k;
}

/* Heap -> latest-first sorted array (insertion sort: at most EVQ_LIST_MIN live). */
static void to_list(evq *q)
{
    drop_stale(q);
    evq_entry *h = q->heap;
    for (size_t i = 1; i < q->n; i++) {
        evq_entry e = h[i];
        size_t j = i;
        for (; j > 0 && before(&h[j - 1], &e); j--)
            h[j] = h[j - 1];
        h[j] = e;
    }
    q->sorted = 1;
    list_room_update(q);
}

/* Heap: drop every stale entry and rebuild (O(n)). */
static void compact(evq *q)
{
    drop_stale(q);
    evq_entry *h = q->heap;
    if (q->n > 1)
        for (size_t i = (q->n - 2) / ARITY + 1; i-- > 0;)
            sift_down(h, q->n, i, h[i]);
}

static int pour(evq *q);
static void ring_off(evq *q);

/* After the heap layout lost a live event: the ring off when few are left,
 * back to a list when fewer, compact when stale entries are the majority
 * (the ring poured into the heap first, so the heap holds them all). */
static void heap_shrunk(evq *q)
{
    size_t live = evq_size(q);
    if (q->ring_on && live < RING_OFF)
        ring_off(q);
    if (q->ring_on) {
        if (q->stale > live && q->stale >= EVQ_COMPACT_MIN && pour(q) == 0)
            compact(q);
        return;
    }
    if (live <= EVQ_LIST_MIN)
        to_list(q);
    else if (q->stale > live && q->n >= EVQ_COMPACT_MIN)
        compact(q);
}

/* ---- the near-future ring ---------------------------------------------------------- */

/* heap_shrunk's checks, inline for the common case (ring on, few stale
 * entries), where it does nothing. */
static inline void shrunk(evq *q)
{
    size_t live = evq_size(q);
    if (q->ring_on && live >= RING_OFF && (q->stale <= live || q->stale < EVQ_COMPACT_MIN))
        return;
    heap_shrunk(q);
}

static int grow(evq_entry **a, size_t *cap, size_t need)
{
    size_t c = *cap ? *cap : 8;
    while (c < need)
        c *= 2;
    if (evq_fault_cap && c > evq_fault_cap)
        return -1;
    evq_entry *x = realloc(*a, c * sizeof *x);
    if (!x)
        return -1;
    *a = x;
    *cap = c;
    return 0;
}

/* Push E, the newest entry, into the heap part (room is there). */
static inline void heap_push(evq *q, evq_entry e) { sift_up_new(q->heap, q->n++, e); }
/* Put back E, an older entry (its seq may be below equal times' ones). */
static inline void heap_put_back(evq *q, evq_entry e) { sift_up(q->heap, q->n++, e); }

/* Room for more chunks (the pool doubles; chunks are addressed by index, so
 * moving them is safe).  -1: no memory (or the test cap), nothing changed. */
static int chunk_grow(evq *q)
{
    size_t n = q->nchunk ? 2 * (size_t)q->nchunk : 64;
    if (n >= UINT32_MAX || (evq_fault_cap && n * CHUNK_ENTRIES > evq_fault_cap))
        return -1;
    struct evq_chunk *c = aligned_alloc(64, n * sizeof *c);
    if (!c)
        return -1;
    if (q->nchunk)
        memcpy(c, q->chunk, q->nchunk * sizeof *c);
    free(q->chunk);
    q->chunk = c;
    for (size_t i = q->nchunk; i < n; i++) /* the new ones, on the free list */
        c[i].next = i + 1 < n ? (uint32_t)(i + 2) : q->free_chunk;
    q->free_chunk = q->nchunk + 1;
    q->nchunk = (uint32_t)n;
    return 0;
}

/* Append E to bucket I: 0, or -1 if it is full or no chunk could be had. */
static inline int bucket_add(evq *q, size_t i, evq_entry e)
{
    uint32_t cnt = q->ring_cnt[i];
    if (cnt < CHUNK_ENTRIES) {
        q->ring[i].e[cnt] = e;
    } else {
        if (cnt >= BOT_MAX)
            return -1;
        uint32_t slot = (cnt - CHUNK_ENTRIES) % CHUNK_ENTRIES;
        struct evq_chunk *b = &q->ring[i];
        if (slot == 0) { /* a new overflow chunk */
            if (!q->free_chunk && chunk_grow(q))
                return -1;
            uint32_t f = q->free_chunk;
            struct evq_chunk *c = &q->chunk[f - 1];
            q->free_chunk = c->next;
            c->next = b->next;
            b->next = f;
        }
        q->chunk[b->next - 1].e[slot] = e;
    }
    q->ring_cnt[i] = (uint8_t)(cnt + 1);
    q->ring_n++;
    return 0;
}

/* Insert the live ones of SRC[0 .. M) into H[0 .. LIVE), sorted latest
 * first, and drop the stale ones: the new LIVE. */
static inline size_t bot_insert(evq *q, evq_entry *h, size_t live, const evq_entry *src, uint32_t m)
{
    for (uint32_t j = 0; j < m; j++) {
        evq_entry e = src[j];
        if (!is_live(&e)) {
            q->stale--;
            continue;
        }
        size_t i = live++;
        for (; i > 0 && before(&h[i - 1], &e); i--)
            h[i] = h[i - 1];
        h[i] = e;
    }
    return live;
}

/* Append SRC[0 .. N) to OUT[0 .. M) (SORTED = 0) or insert its live
 * entries into OUT sorted (SORTED = 1, bot_insert): the new M. */
static inline size_t put_run(evq *q, evq_entry *out, size_t m, const evq_entry *src, uint32_t n, int sorted)
{
    if (sorted)
        return bot_insert(q, out, m, src, n);
    for (uint32_t j = 0; j < n; j++)
        out[m++] = src[j];
    return m;
}

/* Empty bucket I into OUT (room for BOT_MAX), its overflow chunks back to
 * the pool; the number of entries written.  SORTED = 0: every entry, live
 * and stale, in bucket order; SORTED = 1: the live ones sorted latest first
 * (bot), the stale ones dropped, in one pass, each entry read once from the
 * bucket's (just fetched) lines.  Always inlined with a constant SORTED, so
 * each caller below gets only its own loop. */
static inline __attribute__((always_inline)) size_t bucket_empty(evq *q, size_t i, evq_entry *out, int sorted)
{
    uint32_t cnt = q->ring_cnt[i];
    struct evq_chunk *b = &q->ring[i];
    size_t m = put_run(q, out, 0, b->e, cnt < CHUNK_ENTRIES ? cnt : CHUNK_ENTRIES, sorted);
    if (cnt > CHUNK_ENTRIES) {
        uint32_t n = (cnt - CHUNK_ENTRIES - 1) % CHUNK_ENTRIES + 1; /* in the newest */
        for (uint32_t k = b->next; k; n = CHUNK_ENTRIES) {
            struct evq_chunk *c = &q->chunk[k - 1];
            m = put_run(q, out, m, c->e, n, sorted);
            uint32_t next = c->next;
            c->next = q->free_chunk;
            q->free_chunk = k;
            k = next;
        }
        b->next = 0;
    }
    q->ring_n -= cnt;
    q->ring_cnt[i] = 0;
    return m;
}

/* Every entry of bucket I, live and stale, into OUT (a pour, a clear). */
static size_t bucket_take(evq *q, size_t i, evq_entry *out) { return bucket_empty(q, i, out, 0); }

/* Bucket I's live entries into H (bot), sorted latest first. */
static size_t bucket_load(evq *q, size_t i, evq_entry *h) { return bucket_empty(q, i, h, 1); }

/* Pour the ring and bot into the heap (stale entries dropped): the ring is
 * empty after, and any base is valid.  -1 (nothing moved) if the heap
 * cannot grow to hold them. */
static int pour(evq *q)
{
    size_t need = q->n + q->nbot + q->ring_n;
    if (need > q->cap) {
        size_t cap = q->cap;
        if (grow(&q->heap, &cap, need))
            return -1;
        q->cap = cap; /* heap layout: list_room stays 0 */
    }
    for (size_t i = 0; i < q->nbot; i++) {
        if (is_live(&q->bot[i]))
            heap_put_back(q, q->bot[i]);
        else
            q->stale--;
    }
    q->nbot = 0;
    evq_entry e[BOT_MAX];
    for (size_t k = 0; k < q->nring && q->ring_n > 0; k++) {
        size_t m = bucket_take(q, k, e);
        for (size_t i = 0; i < m; i++) {
            if (is_live(&e[i]))
                heap_put_back(q, e[i]);
            else
                q->stale--;
        }
    }
    return 0;
}

static void ring_off(evq *q)
{
    if (q->ring_on && pour(q) == 0)
        q->ring_on = 0;
}

/* Buckets for LIVE events: the power of two >= LIVE / 2, within [RING_MIN, RING_MAX]. */
static size_t ring_buckets(size_t live)
{
    size_t nb = RING_MIN;
    while (nb < live / 2 && nb < RING_MAX)
        nb *= 2;
    return nb;
}

/* (Re)allocate an empty ring of NB buckets (and bot, once).  -1: no memory,
 * the old ring (if any) is kept. */
static int ring_alloc(evq *q, size_t nb)
{
    if (evq_fault_cap && nb * CHUNK_ENTRIES > evq_fault_cap)
        return -1;
    if (!q->bot && !(q->bot = malloc(BOT_MAX * sizeof *q->bot)))
        return -1;
    struct evq_chunk *ring = aligned_alloc(64, nb * sizeof *ring); /* buckets on line boundaries */
    uint8_t *cnt = calloc(nb, sizeof *cnt);
    if (!ring || !cnt) {
        free(ring);
        free(cnt);
        return -1;
    }
    for (size_t i = 0; i < nb; i++)
        ring[i].next = 0;
    free(q->ring);
    free(q->ring_cnt);
    q->ring = ring;
    q->ring_cnt = cnt;
    q->nring = nb;
    return 0;
}

/* Start (or restart) the ring with bucket width W at time NOW, with room
 * for the live events (it only grows: a ring that shrank would be
 * reallocated back and forth). */
static void ring_start(evq *q, double w, double now)
{
    if (q->ring_on && pour(q))
        return;
    size_t nb = ring_buckets(q->n - q->stale);
    if ((!q->ring || nb > q->nring) && ring_alloc(q, nb) && !q->ring) {
        q->ring_on = 0;
        return; /* no ring: the heap does it all */
    }
    q->inv_w = 1 / w;
    double b = now * q->inv_w;
    if (!(b >= 0 && b < 0x1p62)) {
        q->ring_on = 0;
        return;
    }
    q->base = (uint64_t)b;
    q->ring_on = 1;
}

/* The width estimate: every POP_WINDOW heap-layout pops, four mean gaps. */
static void measure_window(evq *q, double now)
{
    double span = now - q->mark;
    q->mark = now;
    if (!(span > 0) || q->pops == POP_WINDOW)
        return; /* no measure yet (the first window started before the heap did) */
    double w = PER_BUCKET * span / POP_WINDOW;
    if (!q->ring_on) {
        if (q->n - q->stale >= RING_ON)
            ring_start(q, w, now);
    } else if (w * q->inv_w > 4 || w * q->inv_w < 0.25 || ring_buckets(evq_size(q)) >= 4 * q->nring) {
        ring_start(q, w, now); /* the width drifted, or the events outgrew the ring */
    }
}

/* Count a heap-layout pop at NOW (inline: only every POP_WINDOW-th measures). */
static inline void measure(evq *q, double now)
{
    if (__builtin_expect(++q->pops % POP_WINDOW == 0, 0))
        measure_window(q, now);
}

/* A software pipeline over the next buckets, from bucket K on: the events of
 * the next non-empty one (its entries were fetched by the previous call) and
 * the entries of the one after; with a look-ahead hook (evq.h), the hook's
 * stage 0 for the events of the first non-empty one, whose lines the
 * previous call fetched (refill calls stage 1 for the bucket it loads).  A bucket is loaded every few pops, and in a
 * big model both were last touched thousands of events ago: without this a
 * refill waited for the bucket's lines, then for each event's (a fleet's
 * largest event-list cost). */
static inline void prefetch_ahead(const evq *q, uint64_t k)
{
    size_t mask = q->nring - 1;
    int found = 0;
    for (uint64_t j = k; j < k + PREFETCH_BUCKETS && found < PREFETCH_ENTRIES; j++) {
        uint32_t c = q->ring_cnt[j & mask];
        if (!c)
            continue;
        const struct evq_chunk *b = &q->ring[j & mask];
        if (++found == 1 && q->ahead) { /* their lines came with the last refill */
            for (uint32_t i = 0; i < c && i < CHUNK_ENTRIES; i++)
                if (is_live(&b->e[i]))
                    q->ahead(b->e[i].ev, 0);
        } else if (found == PREFETCH_EVENTS) {
            for (uint32_t i = 0; i < c && i < CHUNK_ENTRIES; i++)
                __builtin_prefetch(b->e[i].ev);
        } else if (found == PREFETCH_ENTRIES) {
            __builtin_prefetch(b);
            __builtin_prefetch((const char *)b + 64);
        }
    }
}

/* Bot is empty and the ring is not: load its next bucket into bot unless
 * the heap's top comes first.  1 if bot may now hold the next event. */
static int refill(evq *q, const evq_entry *heap_top)
{
    size_t mask = q->nring - 1;
    uint64_t k = q->base;
    while (q->ring_cnt[k & mask] == 0)
        k++; /* ends: the ring's entries lie in [base, base + nring) */
    q->base = k; /* the buckets passed are empty */
    if (heap_top) { /* the heap's top in an earlier bucket: it goes first */
        double x = heap_top->time * q->inv_w;
        if (x < 0 || (x < 0x1p62 && (uint64_t)x < k))
            return 0;
    }
    evq_entry *h = q->bot; /* bot is empty and has room for a bucket */
    size_t live = bucket_load(q, k & mask, h);
    q->nbot = live;
    q->base = k + 1;
    if (q->ahead)
        for (size_t i = 0; i < live; i++)
            q->ahead(h[i].ev, 1);
    prefetch_ahead(q, k + 1);
    return 1;
}

/* Ring and bot empty, the next event at TIME: the ring starts at its bucket.
 * Any base is valid for an empty ring (bot's entries need only lie below it,
 * and bot is empty), and every event still to come is due no earlier than
 * the next one.  Without this, once time passed base + nring with the ring
 * empty (a quiet spell, every event moved far ahead) every later push landed
 * beyond the ring, went to the heap, and the ring stayed empty for good: its
 * base moves only when a bucket is loaded, and the measured width need not
 * drift enough to restart it. */
static inline void rebase(evq *q, double time)
{
    double x = time * q->inv_w;
    if (x >= 0 && x < 0x1p62)
        q->base = (uint64_t)x;
}

/* The earliest live entry of the heap layout, stale entries dropped on the
 * way: bot's last or the heap's top (*FROM_BOT says which), NULL if none. */
static const evq_entry *select_next(evq *q, int *from_bot)
{
    for (;;) {
        while (q->n > 0 && !is_live(&q->heap[0])) {
            remove_root(q);
            q->stale--;
        }
        const evq_entry *top = q->n > 0 ? &q->heap[0] : NULL;
        if (!q->ring_on) {
            *from_bot = 0;
            return top;
        }
        while (q->nbot > 0 && !is_live(&q->bot[q->nbot - 1])) {
            q->nbot--;
            q->stale--;
        }
        if (q->nbot == 0) {
            if (q->ring_n > 0 && refill(q, top))
                continue; /* a loaded bucket may hold only stale entries */
            if (q->ring_n == 0 && top)
                rebase(q, top->time);
            *from_bot = 0;
            return top;
        }
        const evq_entry *b = &q->bot[q->nbot - 1];
        *from_bot = !top || before(b, top);
        return *from_bot ? b : top;
    }
}

/* A push into the ring or bot, if the event's time belongs there: 1 done, 0 not. */
static inline int ring_push(evq *q, evq_entry e)
{
    double x = e.time * q->inv_w;
    if (!(x >= 0 && x < 0x1p62))
        return 0;
    uint64_t k = (uint64_t)x;
    if (k < q->base) { /* the current bucket: into bot, sorted */
        if (q->nbot >= BOT_MAX)
            return 0;
        evq_sorted_insert(q->bot, q->nbot++, e);
        return 1;
    }
    if (k - q->base >= q->nring)
        return 0;
    return bucket_add(q, k & (q->nring - 1), e) == 0; /* full: the heap takes it */
}

/* ---- the queue ------------------------------------------------------------------ */

size_t evq_fault_cap = 0;

int evq_init(evq *q, size_t cap)
{
    memset(q, 0, sizeof *q);
    q->sorted = 1;
    q->cap = cap ? cap : 64;
    q->heap = malloc(q->cap * sizeof *q->heap);
    list_room_update(q);
    return q->heap ? 0 : -1;
}

void evq_destroy(evq *q)
{
    free(q->heap);
    free(q->ring);
    free(q->ring_cnt);
    free(q->chunk);
    free(q->bot);
    memset(q, 0, sizeof *q);
}

void evq_clear(evq *q)
{
    for (size_t i = 0; i < q->n; i++)
        q->heap[i].ev->pos = 0;
    for (size_t i = 0; i < q->nbot; i++)
        q->bot[i].ev->pos = 0;
    evq_entry e[BOT_MAX];
    for (size_t k = 0; k < q->nring && q->ring_n > 0; k++) {
        size_t m = bucket_take(q, k, e);
        for (size_t i = 0; i < m; i++)
            e[i].ev->pos = 0;
    }
    q->n = q->nbot = q->ring_n = 0;
    q->stale = 0;
    q->next_seq = 0;
    q->sorted = 1;
    list_room_update(q);
    q->failed = 0;
    q->ring_on = 0;
    q->pops = 0;
    q->mark = 0;
}

static int heap_room(evq *q)
{
    if (q->n < q->cap)
        return 0;
    size_t cap = q->cap;
    if (grow(&q->heap, &cap, q->n + 1))
        return -1;
    q->cap = cap;
    list_room_update(q);
    return 0;
}

/* evq_push_any's general case (every push the ring path below does not
 * take), out of line so that path saves no registers. */
static __attribute__((noinline)) int push_slow(evq *q, sim_event *ev, double time)
{
    uint64_t seq = q->next_seq;
    evq_entry e = {time, seq, ev};
    if (!q->sorted && q->ring_on && ring_push(q, e)) {
        q->next_seq++;
        ev->pos = seq + 1;
        return 0;
    }
    if (q->n == q->cap && q->stale > 0)
        compact(q); /* room without growing (and without a spurious failure under a cap) */
    if (heap_room(q)) {
        q->failed = 1; /* sticky: the event is lost, the run must end */
        return -1;
    }
    q->next_seq++;
    ev->pos = seq + 1;
    evq_entry *h = q->heap;
    if (q->sorted) {
        if (q->n < EVQ_LIST_MAX) {
            evq_sorted_insert(h, q->n++, e);
            return 0;
        }
        to_heap(q);
    }
    heap_push(q, e);
    return 0;
}

/* evq_push for a full array, a heap, or a list about to become one.  Inline
 * here: a push into a ring bucket that has room in its first chunk, or into
 * bot (most of a big model's pushes).  The ring is on only in the heap
 * layout. */
int evq_push_any(evq *q, sim_event *ev, double time)
{
    if (q->ring_on) {
        double x = time * q->inv_w;
        if (x >= 0 && x < 0x1p62) {
            uint64_t k = (uint64_t)x;
            if (k - q->base < q->nring) { /* wraps for the current bucket (k < base) */
                size_t i = (size_t)k & (q->nring - 1);
                uint32_t cnt = q->ring_cnt[i];
                if (cnt < CHUNK_ENTRIES) {
                    uint64_t seq = q->next_seq++;
                    q->ring[i].e[cnt] = (evq_entry){time, seq, ev};
                    q->ring_cnt[i] = (uint8_t)(cnt + 1);
                    q->ring_n++;
                    ev->pos = seq + 1;
                    return 0;
                }
            } else if (k < q->base && q->nbot < BOT_MAX) { /* into bot, sorted */
                uint64_t seq = q->next_seq++;
                evq_sorted_insert(q->bot, q->nbot++, (evq_entry){time, seq, ev});
                ev->pos = seq + 1;
                return 0;
            }
        }
    }
    return push_slow(q, ev, time);
}

void evq_cancel_any(evq *q, sim_event *ev)
{
    if (!ev->pos)
        return;
    uint64_t seq = ev->pos - 1;
    ev->pos = 0;
    if (!q->sorted) { /* lazily: the entry is dropped when it surfaces */
        q->stale++;
        shrunk(q);
        return;
    }
    evq_entry *h = q->heap;
    size_t i = q->n - 1; /* the entry (a scheduled event has one), searched from the earliest end */
    while (i > 0 && h[i].seq != seq)
        i--;
    for (size_t j = i + 1; j < q->n; j++) /* close the gap: the entries due earlier move down one */
        h[j - 1] = h[j];
    q->n--;
}

int evq_move(evq *q, sim_event *ev, double time)
{
    evq_cancel(q, ev);
    return evq_push(q, ev, time);
}

const evq_entry *evq_peek_heap(evq *q)
{
    int from_bot;
    return select_next(q, &from_bot);
}

/* Pop E, the heap layout's earliest live entry (from bot or the heap's top). */
static sim_event *take(evq *q, const evq_entry *e, int from_bot, double *time)
{
    evq_entry top = *e;
    top.ev->pos = 0;
    *time = top.time;
    if (from_bot)
        q->nbot--;
    else
        remove_root(q);
    measure(q, top.time);
    shrunk(q);
    return top.ev;
}

/* evq_pop for the heap layout (and for an empty queue): evq_pop handles a
 * non-empty list inline. */
sim_event *evq_pop_heap(evq *q, double *time)
{
    if (q->sorted)
        return q->n ? evq_pop(q, time) : NULL;
    return evq_pop_due_heap(q, HUGE_VAL, time);
}

/* evq_pop_due_heap's general case, out of line so that the fast path
 * saves no registers. */
static __attribute__((noinline)) sim_event *pop_slow(evq *q, double until, double *time)
{
    int from_bot;
    const evq_entry *e = select_next(q, &from_bot);
    return e && !(e->time > until) ? take(q, e, from_bot, time) : NULL;
}

sim_event *evq_pop_due_heap(evq *q, double until, double *time)
{
    if (q->nbot > 0) { /* the common case with the ring on: bot's last, live, before the heap's top */
        evq_entry *b = &q->bot[q->nbot - 1];
        if (is_live(b) && (q->n == 0 || before(b, &q->heap[0]))) {
            if (b->time > until)
                return NULL;
            sim_event *ev = b->ev;
            double t = b->time;
            ev->pos = 0;
            *time = t;
            q->nbot--;
            measure(q, t);
            shrunk(q);
            return ev;
        }
    }
    return pop_slow(q, until, time);
}
