/* srvset.c - a 16-ary tournament tree of available servers and outstanding
 * counts; see srvset.h. */
#include "models/srvset.h"

#include <stdlib.h>
#include <string.h>
#ifdef __BMI2__
#include <immintrin.h>
#endif

#define B SRVSET_ARITY

static int key_of(const srvset *x, int s)
{
    if (x->up[s] & 2)
        return SRVSET_EXCLUDED;
    return x->count[s] + ((x->up[s] & 1) ? 0 : SRVSET_UNAVAIL) + ((x->up[s] & 4) ? SRVSET_FILTERED : 0);
}

/* Width of the level below L (the leaves below level 0). */
static int below(const srvset *x, int L) { return L == 0 ? x->n : x->width[L - 1]; }

/* Child I of the level below L: its available servers, its smallest key and
 * how many have it. */
static int avail_at(const srvset *x, int L, int i) { return L == 0 ? x->up[i] & 1 : x->avail[L - 1][i]; }
static srvset_min min_at(const srvset *x, int L, int i)
{
    return L == 0 ? (srvset_min){x->key[i], 1} : x->mn[L - 1][i];
}

/* Recompute node I of level L from its children. */
static void rescan_min(srvset *x, int L, int i)
{
    int lo = i * B, hi = lo + B < below(x, L) ? lo + B : below(x, L);
    srvset_min m = {INT_MAX, 0};
    for (int c = lo; c < hi; c++) {
        srvset_min k = min_at(x, L, c);
        if (k.min < m.min)
            m = k;
        else if (k.min == m.min)
            m.nmin += k.nmin;
    }
    x->mn[L][i] = m;
    if (L == 0) {
        unsigned mask = 0;
        for (int c = lo; c < hi; c++)
            mask |= (unsigned)(x->key[c] == m.min) << (c - lo);
        x->lmask[i] = (unsigned short)mask;
    }
}

static void rescan_avail(srvset *x, int L, int i)
{
    int lo = i * B, hi = lo + B < below(x, L) ? lo + B : below(x, L), a = 0;
    for (int c = lo; c < hi; c++)
        a += avail_at(x, L, c);
    x->avail[L][i] = a;
}

/* Node I of level L: its child's (smallest key, multiplicity) went from O to
 * M.  1 if the node's smallest key stays what it was (the rest of the walk is
 * then the shortcut, by *D, in update()), 0 if it changed (O and M become
 * the node's old and new pair for the next level). */
static inline int step(srvset *x, int L, unsigned i, srvset_min *o, srvset_min *m, int *d)
{
    srvset_min *p = &x->mn[L][i], before = *p;
    if (m->min < p->min) {
        *p = *m;
    } else {
        int c = p->nmin - (o->min == p->min ? o->nmin : 0) + (m->min == p->min ? m->nmin : 0);
        if (c > 0)
            p->nmin = c;
        else
            rescan_min(x, L, (int)i); /* the smallest key lost its last server here */
    }
    if (p->min == before.min) {
        *d = p->nmin - before.nmin;
        return 1;
    }
    *o = before;
    *m = *p;
    return 0;
}

/* Leaf S changed: its key from OLD to NEW (equal when counts are not
 * tracked), its availability by DAVAIL.  Each ancestor is adjusted from the
 * one child that changed; the walk stops at the first unchanged one.  Once
 * a node keeps its smallest key K and only its multiplicity moves by D (an
 * attempt starting or ending at one of several servers with the smallest
 * key: nearly every update of least_outstanding), every ancestor whose
 * smallest key is K moves by D too and the others not at all, so the rest of
 * the walk is one compare and one add per level. */
static inline __attribute__((always_inline)) void update_min(srvset *x, int s, int old_key, int new_key)
{
    srvset_min o = {old_key, 1}, m = {new_key, 1};
    unsigned i = (unsigned)s / B, bit = 1u << ((unsigned)s % B);
    int d, L = 0;
    /* level 0 also keeps its mask of the servers with its smallest key */
    unsigned mask = (x->lmask[i] & ~bit) | (new_key <= x->mn[0][i].min ? bit : 0);
    if (new_key < x->mn[0][i].min)
        mask = bit;
    x->lmask[i] = (unsigned short)mask; /* a rescan in step() rewrites it */
    for (;;) {
        int kept = step(x, L, i, &o, &m, &d), k = x->mn[L][i].min;
        L++;
        i /= B;
        if (kept) {
            if (d == 0)
                return;
            for (; L < x->levels; L++, i /= B) {
                srvset_min *q = &x->mn[L][i];
                if (q->min != k)
                    return;
                q->nmin += d;
            }
            return;
        }
        if (L == x->levels)
            return;
    }
}

static void update(srvset *x, int s, int old_key, int new_key, int davail)
{
    if (davail) {
        unsigned child = (unsigned)s;
        for (int L = 0; L < x->levels; L++) {
            child /= B;
            x->avail[L][child] += davail;
        }
    }
    if (x->mn[0] != NULL && old_key != new_key)
        update_min(x, s, old_key, new_key);
}

static void set_key(srvset *x, int s, int davail)
{
    int old = x->key ? x->key[s] : 0, now = x->key ? key_of(x, s) : 0;
    if (x->key)
        x->key[s] = now;
    update(x, s, old, now, davail);
}

int srvset_init(srvset *x, int n, int track_counts)
{
    memset(x, 0, sizeof *x);
    x->n = n;
    int w = n;
    do {
        w = (w + B - 1) / B;
        x->width[x->levels] = w;
        x->avail[x->levels] = calloc((size_t)w, sizeof **x->avail);
        if (!x->avail[x->levels++])
            goto fail;
        if (track_counts && !(x->mn[x->levels - 1] = calloc((size_t)w, sizeof **x->mn)))
            goto fail;
        if (track_counts && x->levels == 1 && !(x->lmask = calloc((size_t)w, sizeof *x->lmask)))
            goto fail;
    } while (w > 1);
    x->up = calloc((size_t)(n > 0 ? n : 1), 1);
    if (!x->up)
        goto fail;
    if (track_counts) {
        x->count = calloc((size_t)(n > 0 ? n : 1), sizeof *x->count);
        x->key = calloc((size_t)(n > 0 ? n : 1), sizeof *x->key);
        if (!x->count || !x->key)
            goto fail;
    }
    srvset_reset(x);
    return 0;
fail:
    srvset_free(x);
    return -1;
}

void srvset_free(srvset *x)
{
    for (int L = 0; L < SRVSET_MAX_LEVELS; L++) {
        free(x->avail[L]);
        free(x->mn[L]);
    }
    free(x->lmask);
    free(x->key);
    if (!x->count_shared)
        free(x->count);
    free(x->up);
    memset(x, 0, sizeof *x);
}

void srvset_reset(srvset *x)
{
    memset(x->up, 1, (size_t)x->n);
    if (x->key) {
        memset(x->count, 0, (size_t)x->n * sizeof *x->count);
        memset(x->key, 0, (size_t)x->n * sizeof *x->key);
    }
    for (int L = 0; L < x->levels; L++)
        for (int i = 0; i < x->width[L]; i++) {
            rescan_avail(x, L, i);
            if (x->mn[L])
                rescan_min(x, L, i);
        }
}

void srvset_set_avail(srvset *x, int s, int avail)
{
    if ((x->up[s] & 1) == (avail != 0))
        return;
    x->up[s] = (unsigned char)((x->up[s] & 6) | (avail != 0));
    set_key(x, s, avail ? 1 : -1);
}

void srvset_set_count(srvset *x, int s, int count)
{
    /* the key moves with the count, unless S is excluded for a pick (its key
     * is then SRVSET_EXCLUDED, above any other, so up[] is read only then) */
    int d = count - x->count[s], old = x->key[s];
    x->count[s] = count;
    if (d == 0 || (old >= SRVSET_EXCLUDED && (x->up[s] & 2)))
        return;
    x->key[s] = old + d;
    update_min(x, s, old, old + d);
}

void srvset_share_counts(srvset *x, int *counts)
{
    if (!x->count_shared)
        free(x->count);
    x->count = counts;
    x->count_shared = 1;
}

void srvset_add_count(srvset *x, int s, int d)
{
    /* as srvset_set_count, the count already moved by D */
    int old = x->key[s];
    if (old >= SRVSET_EXCLUDED && (x->up[s] & 2))
        return;
    x->key[s] = old + d;
    update_min(x, s, old, old + d);
}

void srvset_exclude(srvset *x, int s, int excluded)
{
    x->up[s] = (unsigned char)((x->up[s] & 5) | (excluded ? 2 : 0));
    set_key(x, s, 0);
}

void srvset_filter(srvset *x, int s, int filtered)
{
    if (((x->up[s] & 4) != 0) == (filtered != 0))
        return;
    x->up[s] = (unsigned char)((x->up[s] & 3) | (filtered ? 4 : 0));
    set_key(x, s, 0);
}

int srvset_kth_avail(const srvset *x, int j)
{
    int i = 0;
    for (int L = x->levels - 1; L >= 0; L--) {
        int c = i * B;
        for (int a; (a = avail_at(x, L, c)) <= j; c++)
            j -= a;
        i = c;
    }
    return i;
}

int srvset_avail_below(const srvset *x, int s)
{
    /* from leaf S up: at each level the siblings to the left of the path */
    int below_s = 0, child = s;
    for (int L = 0; L < x->levels; L++) {
        int i = child / B;
        for (int c = i * B; c < child; c++)
            below_s += avail_at(x, L, c);
        child = i;
    }
    return below_s;
}

int srvset_kth_min(const srvset *x, int j)
{
    int m = srvset_min_key(x), i = 0;
    for (int L = x->levels - 1; L >= 1; L--) {
        int c = i * B;
        for (;; c++) {
            srvset_min k = x->mn[L - 1][c];
            if (k.min != m)
                continue;
            if (j < k.nmin)
                break;
            j -= k.nmin;
        }
        i = c;
    }
    /* the leaves: the J-th set bit of node I's mask of its servers whose key
     * is M (its smallest: the walk only enters nodes whose smallest is M) */
    unsigned mask = x->lmask[i];
#ifdef __BMI2__
    mask = _pdep_u32(1u << j, mask);
#else
    for (; j > 0; j--)
        mask &= mask - 1; /* drop the lowest */
#endif
    return i * B + __builtin_ctz(mask);
}
