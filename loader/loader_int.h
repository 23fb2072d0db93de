/* loader_int.h - what the loader_*.c files share; not for other modules.
 *
 *   loader.c          document lifecycle, error printing (file or --set origin)
 *   loader_locate.c   key path -> offset in the source text; line:col; caret
 *   loader_syntax.c   the first syntax error of a file that is not JSON, and why
 *   loader_schema.c   the key tables, unknown/duplicate keys, "did you mean"
 *   loader_set.c      PATH parsing and PATH=VALUE overrides
 *   loader_value.c    typed getters with range checks and messages
 *   loader_build.c    top level, pools, clients, events, cross-references
 *   loader_policy.c   timeouts, retry, backoff, budget, breaker, hedge, outlier, dists
 *   loader_overload.c admission, limits, push-back (pools); throttle, bulkhead,
 *                     rate_limit, limit (callers)
 *
 *   loader_detect.c   health_check, liveness, spares (detectors and failover)
 *   loader_resolved.c the scenario struct back to JSON: scenario.resolved.json
 *                     (A NEW KEY NEEDS A LINE THERE TOO: test_loader's
 *                     test_resolved and tests/sh/resolved.sh check the round trip)
 *
 * cJSON stays inside these files.
 */
#ifndef RELSIM_LOADER_INT_H
#define RELSIM_LOADER_INT_H

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>

#include "loader/loader.h"

/* ---- documents ---- */

typedef struct {
    char *origin; /* "--set" or "--vary" */
    char *assign; /* the whole "PATH=VALUE" as given */
    char *path;   /* canonical key path it resolved to */
    char *alias;  /* the same with indexes for names (pools[0].x for pools.api.x) */
} loader_override;

struct loader_doc {
    char *file;  /* name used in messages */
    const char *what; /* "scenario", or what loader_open_as() was told (static) */
    char *src;   /* source text, NUL-terminated */
    size_t len;  /* without the NUL */
    cJSON *root; /* the tree, overrides applied; always an object */
    int nsets;
    loader_override *sets;
};

/* ---- key paths ---- */

#define LPATH_MAX 24

typedef enum { LC_KEY, LC_NAME, LC_INDEX } lcomp_kind;

typedef struct {
    lcomp_kind kind; /* LC_KEY: object member; LC_NAME: array element by "name" */
    const char *s;   /* key or name (not owned) */
    int idx;         /* LC_INDEX */
    int nth;         /* LC_KEY: which occurrence (duplicates), 0 = first */
} lcomp;

typedef struct {
    lcomp c[LPATH_MAX];
    int n;
    int overflow; /* pushes past LPATH_MAX (ignored but counted) */
} lpath;

void lpath_key(lpath *p, const char *key);
void lpath_name(lpath *p, const char *name);
void lpath_index(lpath *p, int idx);
void lpath_pop(lpath *p);
/* "pools.api.service.rate", "events[2].at"; odd keys as ["..."].  Returns BUF. */
char *lpath_format(const lpath *p, char *buf, size_t size);

/* Parse "a.b[2].c" into P, pointing into the caller-owned copy BUF (modified).
 * Returns 0, or -1 with a reason in WHY. */
int lpath_parse(char *buf, lpath *p, const char **why);

/* True if S is a valid pool/client name: 1..63 of [A-Za-z0-9_-]. */
int loader_is_ident(const char *s);

/* ---- locating and printing ---- */

/* Offset of the value at P in SRC (or of its key when WANT_KEY and the last
 * component is a key), -1 if not found.  SRC must be valid JSON.  An LC_KEY
 * met on a list picks the element of that "name" (as --set paths do). */
long loc_find(const char *src, size_t len, const lpath *p, int want_key);
void loc_linecol(const char *src, size_t len, size_t off, int *line, int *col);
/* Print the source line around OFF and a caret under it. */
void loc_excerpt(FILE *f, const char *src, size_t len, size_t off);
/* Print a syntax error: "FILE:L:C: syntax error: why", at the first error
 * this module's own checker finds, or at OFF (where cJSON stopped). */
void loc_syntax_error(FILE *f, const char *file, const char *src, size_t len, size_t off);
/* Check SRC is strict JSON (cJSON accepts raw control characters in strings);
 * 0, or -1 after printing the first syntax error. */
int loc_syntax_check(FILE *f, const char *file, const char *src, size_t len);
/* SRC past a UTF-8 byte-order mark, if any. */
const char *loc_text_start(const char *src, size_t len);
/* Four hex digits at P (before E) into *OUT: 0, or -1 if they are not. */
int loc_hex4(const char *p, const char *e, unsigned *out);
/* Offset of the first byte that is not valid UTF-8 (or a NUL), -1 if none. */
long loc_bad_byte(const char *src, size_t len);

/* Write S into BUF as a short, printable, quoted string. */
char *lstr_quote(const char *s, char *buf, size_t size);
/* Shortest "%g"-like text that reads back as V. */
char *lnum_format(double v, char *buf, size_t size);

/* ---- the validation context ---- */

typedef enum { AT_VALUE, AT_KEY, AT_PARENT } lwhere;

typedef struct {
    const loader_doc *doc;
    FILE *err;
    int nerr;
    int oom;    /* an allocation failed */
    lpath path; /* where the walk is */
} lctx;

/* Report an error at the current path (AT_VALUE: its value; AT_KEY: its key;
 * AT_PARENT: the enclosing object, for missing keys). */
void lerr(lctx *c, lwhere where, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- schema ---- */

typedef enum { LS_OBJECT, LS_NAMED, LS_LIST } lschema_type;

typedef struct lschema lschema;
typedef struct {
    const char *name;
    const lschema *sub; /* NULL: a scalar */
} lkey;

struct lschema {
    lschema_type type;
    const char *what;      /* "pool", "client", "event", ... for messages */
    const lkey *keys;      /* LS_OBJECT: {NULL} terminated */
    const lschema *elem;   /* LS_NAMED / LS_LIST: element schema, NULL = scalars */
    int scalar_ok;         /* LS_OBJECT: a scalar is valid here too (timeout) */
};

extern const lschema ls_root, ls_pool, ls_client, ls_calls, ls_dist, ls_arrival, ls_timeout,
    ls_retry, ls_backoff, ls_budget, ls_breaker, ls_hedge, ls_outlier, ls_event, ls_limits,
    ls_health, ls_liveness, ls_spares, ls_component, ls_periodic, ls_latency_injection, ls_slowdown,
    ls_network, ls_fanout, ls_limit, ls_throttle, ls_bulkhead, ls_rate_limit, ls_codel, ls_admission,
    ls_pushback,
    ls_slo, ls_slo_latency;

const lkey *lschema_key(const lschema *s, const char *name);
/* Closest of CANDIDATES (NULL-terminated) to WORD, or NULL if none is close. */
const char *lsuggest(const char *word, const char *const *candidates, int n);
/* Report unknown and duplicate keys of OBJ (at the current path) against S.
 * Returns the number of errors. */
int lcheck_keys(lctx *c, const cJSON *obj, const lschema *s);
/* "unknown key, did you mean 'x'?" or "unknown key; a pool takes: ..." */
char *lschema_unknown_text(const lschema *s, const char *key, char *buf, size_t size);

/* The node at P in ROOT (LC_KEY on a list picks the element by "name"). */
const cJSON *lfind(const cJSON *root, const lpath *p);

/* ---- enumerations and kinds ---- */

typedef struct {
    const char *name;
    int value;
    const char *const *keys; /* kinds: keys only this kind takes ({NULL} = none) */
} lenum;

/* The names of every enumerated value, shared by the parser and the writer
 * of scenario.resolved.json (loader_resolved.c), each ended by {NULL}. */
extern const lenum lk_dist_kinds[], lk_backoff_kinds[], lk_jitters[], lk_budget_kinds[], lk_refunds[],
    lk_outcomes[], lk_breaker_kinds[], lk_scopes[], lk_balancers[], lk_failure_modes[],
    lk_arrivals[], lk_event_kinds[], lk_probes[], lk_spare_modes[], lk_full_actions[],
    lk_disciplines[];

/* The name of VALUE in TAB, or NULL. */
const char *lenum_name(const lenum *tab, int value);

/* Report keys of OBJ that belong to another kind than K (SHARED are allowed
 * for every kind).  WHAT is e.g. "breaker kind" or "distribution". */
int lcheck_kind_keys(lctx *c, const cJSON *obj, const lschema *s, const char *const *shared,
                     const lenum *kinds, const lenum *k, const char *what);

/* ---- typed getters: 1 present and valid, 0 absent (*out untouched), -1 error ---- */

typedef struct {
    double lo, hi;
    unsigned char lo_open, hi_open, integer;
} lrange;

#define R_ANY ((lrange){-HUGE_VAL, HUGE_VAL, 0, 0, 0})
#define R_POS ((lrange){0, HUGE_VAL, 1, 0, 0})
#define R_NONNEG ((lrange){0, HUGE_VAL, 0, 0, 0})
#define R_PROB ((lrange){0, 1, 0, 0, 0})
#define R_INT(lo, hi) ((lrange){(lo), (hi), 0, 0, 1})

int lv_num(lctx *c, const cJSON *obj, const char *key, lrange r, int required, double *out);
int lv_int(lctx *c, const cJSON *obj, const char *key, lrange r, int required, int *out);
int lv_str(lctx *c, const cJSON *obj, const char *key, int required, const char *expect,
           const char **out);
int lv_enum(lctx *c, const cJSON *obj, const char *key, const lenum *tab, int required,
            const lenum **out);
/* The value V at the current path must be one of TAB's names. */
int lv_check_enum(lctx *c, const cJSON *v, const lenum *tab, const lenum **out);
int lv_object(lctx *c, const cJSON *obj, const char *key, int required, const char *expect,
              const cJSON **out);
int lv_array(lctx *c, const cJSON *obj, const char *key, int required, int min, int max,
             const char *expect, const cJSON **out);
/* The value V at the current path against R (for list elements etc.). */
int lv_check_num(lctx *c, const cJSON *v, lrange r, double *out);
/* "a number > 0", "an integer in [1, 100]" */
char *lrange_text(lrange r, char *buf, size_t size);
/* "-1", "\"abc\"", "an object", "null" */
char *ljson_describe(const cJSON *v, char *buf, size_t size);

/* ---- names of pools and clients ---- */

typedef struct {
    const char *what; /* "pool" */
    int n;
    const char **label; /* per element: its name if valid and first, else NULL */
    struct lname_ent { const char *name; int idx; } *sorted; /* valid names, by name */
    int nsorted;
} lnames;

/* Collect the names of the elements of ARR; report duplicates. -1 on ENOMEM. */
int lnames_init(lctx *c, lnames *t, const cJSON *arr, const char *what);
void lnames_free(lnames *t);
int lnames_find(const lnames *t, const char *name); /* index or -1 */
/* Push the element's label (name or index) onto the current path. */
void lnames_push(lctx *c, const lnames *t, int i);
/* Resolve OBJ.KEY naming a pool/client into *IDX; reports missing ones. */
int lv_ref(lctx *c, const cJSON *obj, const char *key, const lnames *t, int required, int *idx);
/* Label of element I of an array as the error paths show it (name or NULL). */
const char *lnames_label_of(const cJSON *arr, int i);

/* ---- sections ---- */

int lbuild_dist(lctx *c, const cJSON *obj, const char *key, int required, dist_cfg *d);
void lbuild_policy(lctx *c, const cJSON *obj, const lnames *pools, int target_required,
                   policy_cfg *pol);
/* clients.X.health_check / pools.X.calls.health_check, pools.X.liveness,
 * pools.X.spares (loader_detect.c); absent keys leave the defaults. */
void lbuild_health(lctx *c, const cJSON *obj, health_cfg *h);
void lbuild_liveness(lctx *c, const cJSON *obj, liveness_cfg *l);
void lbuild_spares(lctx *c, const cJSON *obj, spares_cfg *s);
void lresolve_p_timeout(policy_cfg *pol, const scenario *s);
/* Overload control of a pool (admission, max_concurrency, limit, pushback)
 * and of a caller (throttle, bulkhead, rate_limit, limit). */
void lbuild_pool_overload(lctx *c, const cJSON *obj, pool_cfg *p);
void lbuild_policy_overload(lctx *c, const cJSON *obj, policy_cfg *pol);
/* The same keys back into O (scenario.resolved.json); 1 on ENOMEM. */
int lresolved_pool_overload(cJSON *o, const pool_cfg *p);
int lresolved_policy_overload(cJSON *o, const policy_cfg *p);
/* Validate the whole tree into *S (zeroed by the caller); errors via lerr. */
void lbuild_scenario(lctx *c, const cJSON *root, scenario *s);

#endif
