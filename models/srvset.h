/* srvset.h - the servers a caller may pick from, indexed for fleets.
 *
 * A 16-ary tournament tree over a pool's n servers (leaves in server order)
 * that keeps, per subtree, how many servers are AVAILABLE (breaker would
 * admit, not ejected) and, when counts are tracked, the smallest KEY and how
 * many servers have it, where
 *     key = outstanding attempts of this caller + (available ? 0 : SRVSET_UNAVAIL).
 * So the balancers answer in O(log n) what used to take a scan of the pool:
 * "the j-th available server in server order" (random, round_robin, p2c
 * when a drawn server is skipped) and "the servers with the fewest
 * outstanding attempts among the available ones, or among all when none is"
 * (least_outstanding).  Every update is O(log n), and cheap in memory
 * terms: a node's 16 children sit side by side, so a 10 000-server pool is
 * four levels (it was fourteen, of a binary tree, each a likely cache miss),
 * and an update adjusts each ancestor from the changed child alone (a node
 * rescans its 16 children only when its smallest key loses its last server)
 * and stops as soon as an ancestor is unchanged.
 *
 * Memory: about n/15 nodes of 12 bytes (14 on level 0 with counts), plus 9
 * bytes per server (key, count, flags) when counts are tracked, 1 otherwise.
 *
 * Ownership: the set owns its arrays (srvset_init / srvset_free).
 */
#ifndef RELSIM_SRVSET_H
#define RELSIM_SRVSET_H

#include <limits.h>

#define SRVSET_UNAVAIL (1 << 28)  /* added to the key of an unavailable server */
#define SRVSET_FILTERED (1 << 29) /* added to the key of a filtered server (not believed healthy) */
#define SRVSET_EXCLUDED (1 << 30) /* key of a server excluded for one pick */
#define SRVSET_ARITY 16
#define SRVSET_MAX_LEVELS 8       /* 16^8 > INT_MAX servers */

/* A node's smallest key in its subtree and how many servers have it. */
typedef struct {
    int min, nmin;
} srvset_min;

typedef struct {
    int n;           /* servers */
    int levels;      /* levels of nodes above the leaves; level levels - 1 is the root */
    int width[SRVSET_MAX_LEVELS];         /* nodes per level */
    int *avail[SRVSET_MAX_LEVELS];        /* available servers in each node's subtree */
    srvset_min *mn[SRVSET_MAX_LEVELS];    /* smallest key per node, NULL when not tracked */
    unsigned short *lmask; /* [width[0]] per node of level 0, its servers whose key is the node's
                              smallest (bit c: server 16 i + c), NULL when not tracked */
    int *key;        /* [n] each server's key, NULL when not tracked */
    int *count;      /* [n] outstanding per server, NULL when not tracked; the owner's
                        array after srvset_share_counts */
    int count_shared; /* count is the owner's: not freed here */
    unsigned char *up; /* [n] bit 0: available; bit 1: excluded for this pick; bit 2: filtered */
} srvset;

/* 0, or -1 on ENOMEM.  TRACK_COUNTS: keep the min-key part (least_outstanding). */
int srvset_init(srvset *x, int n, int track_counts);
void srvset_free(srvset *x);
/* Every server available with 0 outstanding. */
void srvset_reset(srvset *x);

void srvset_set_avail(srvset *x, int s, int avail);
/* Server S now has COUNT outstanding (only with TRACK_COUNTS). */
void srvset_set_count(srvset *x, int s, int count);
/* Read the counts from the owner's array COUNTS ([n], as many as the set's
 * counts now, kept by the owner and zeroed by srvset_reset) instead of a copy
 * of them (only with TRACK_COUNTS).  The owner then changes COUNTS[s] by D and
 * calls srvset_add_count (srvset_set_count would see no change): one array
 * fewer touched per attempt start and end. */
void srvset_share_counts(srvset *x, int *counts);
/* Server S's count (shared) has just changed by D != 0. */
void srvset_add_count(srvset *x, int s, int d);
/* Exclude S from the min-key part for one pick (key SRVSET_EXCLUDED), or put
 * it back. */
void srvset_exclude(srvset *x, int s, int excluded);
/* Filter S out of the min-key part (a hard rule: health checking believes it
 * unhealthy): its key gets SRVSET_FILTERED, above every unfiltered server's.
 * Availability counts are not affected. */
void srvset_filter(srvset *x, int s, int filtered);

static inline int srvset_is_avail(const srvset *x, int s) { return x->up[s] & 1; }
static inline int srvset_navail(const srvset *x) { return x->avail[x->levels - 1][0]; }
/* The J-th available server in server order, 0 <= J < srvset_navail. */
int srvset_kth_avail(const srvset *x, int j);
/* Available servers with an index below S. */
int srvset_avail_below(const srvset *x, int s);

/* Smallest key over all servers, and how many servers have it. */
static inline int srvset_min_key(const srvset *x) { return x->mn[x->levels - 1][0].min; }
static inline int srvset_nmin(const srvset *x) { return x->mn[x->levels - 1][0].nmin; }
/* The J-th server (server order) whose key is the smallest, 0 <= J < srvset_nmin. */
int srvset_kth_min(const srvset *x, int j);

#endif
