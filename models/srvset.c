/* srvset.c - a tournament tree of available servers and outstanding counts;
 * see srvset.h. */
#include "models/srvset.h"

#include <stdlib.h>
#include <string.h>

static int key_of(const srvset *x, int s)
{
    if (x->up[s] & 2)
        return SRVSET_EXCLUDED;
    return x->count[s] + ((x->up[s] & 1) ? 0 : SRVSET_UNAVAIL) + ((x->up[s] & 4) ? SRVSET_FILTERED : 0);
}

/* Recompute node I from its two children. */
static void pull(srvset *x, int i)
{
    int l = 2 * i, r = l + 1;
    x->avail[i] = x->avail[l] + x->avail[r];
    if (!x->count)
        return;
    int m = x->min[l] < x->min[r] ? x->min[l] : x->min[r];
    x->min[i] = m;
    x->nmin[i] = (x->min[l] == m ? x->nmin[l] : 0) + (x->min[r] == m ? x->nmin[r] : 0);
}

/* Leaf of S changed: refresh it and its ancestors (log2 size steps). */
static void update(srvset *x, int s)
{
    int i = x->size + s;
    x->avail[i] = x->up[s] & 1;
    if (x->count) {
        x->min[i] = key_of(x, s);
        x->nmin[i] = 1;
    }
    for (i /= 2; i >= 1; i /= 2)
        pull(x, i);
}

int srvset_init(srvset *x, int n, int track_counts)
{
    memset(x, 0, sizeof *x);
    x->n = n;
    x->size = 1;
    while (x->size < n)
        x->size *= 2;
    size_t nodes = 2 * (size_t)x->size;
    x->avail = calloc(nodes, sizeof *x->avail);
    x->up = calloc((size_t)n, 1);
    if (!x->avail || !x->up)
        goto fail;
    if (track_counts) {
        x->min = calloc(nodes, sizeof *x->min);
        x->nmin = calloc(nodes, sizeof *x->nmin);
        x->count = calloc((size_t)n, sizeof *x->count);
        if (!x->min || !x->nmin || !x->count)
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
    free(x->avail);
    free(x->min);
    free(x->nmin);
    free(x->count);
    free(x->up);
    memset(x, 0, sizeof *x);
}

void srvset_reset(srvset *x)
{
    memset(x->up, 1, (size_t)x->n);
    for (int i = x->size; i < 2 * x->size; i++) {
        int s = i - x->size;
        x->avail[i] = s < x->n;
        if (x->count) {
            x->min[i] = s < x->n ? 0 : INT_MAX; /* padding leaves never win */
            x->nmin[i] = s < x->n;
        }
    }
    if (x->count)
        memset(x->count, 0, (size_t)x->n * sizeof *x->count);
    for (int i = x->size - 1; i >= 1; i--)
        pull(x, i);
}

void srvset_set_avail(srvset *x, int s, int avail)
{
    if ((x->up[s] & 1) == (avail != 0))
        return;
    x->up[s] = (unsigned char)((x->up[s] & 6) | (avail != 0));
    update(x, s);
}

void srvset_set_count(srvset *x, int s, int count)
{
    x->count[s] = count;
    update(x, s);
}

void srvset_exclude(srvset *x, int s, int excluded)
{
    x->up[s] = (unsigned char)((x->up[s] & 5) | (excluded ? 2 : 0));
    update(x, s);
}

void srvset_filter(srvset *x, int s, int filtered)
{
    if (((x->up[s] & 4) != 0) == (filtered != 0))
        return;
    x->up[s] = (unsigned char)((x->up[s] & 3) | (filtered ? 4 : 0));
    update(x, s);
}

int srvset_kth_avail(const srvset *x, int j)
{
    int i = 1;
    while (i < x->size) {
        if (x->avail[2 * i] > j) {
            i = 2 * i;
        } else {
            j -= x->avail[2 * i];
            i = 2 * i + 1;
        }
    }
    return i - x->size;
}

int srvset_avail_below(const srvset *x, int s)
{
    /* walk from the root to leaf S, adding every left sibling passed */
    int below = 0, i = 1, lo = 0, half = x->size;
    while (i < x->size) {
        half /= 2;
        if (s < lo + half) {
            i = 2 * i;
        } else {
            below += x->avail[2 * i];
            lo += half;
            i = 2 * i + 1;
        }
    }
    return below;
}

int srvset_kth_min(const srvset *x, int j)
{
    int m = x->min[1], i = 1;
    while (i < x->size) {
        int l = 2 * i, nl = x->min[l] == m ? x->nmin[l] : 0;
        if (nl > j) {
            i = l;
        } else {
            j -= nl;
            i = l + 1;
        }
    }
    return i - x->size;
}
