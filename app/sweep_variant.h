/* sweep_variant.h - named variants of a scenario for `relsim sweep`: each
 * variant is a name and any number of PATH=VALUE changes anywhere in the
 * scenario (a pool key and a client key together, say), and the variants
 * form one axis of the sweep grid, crossed with the --vary axes.
 *
 * Variants come from the command line,
 *
 *   --variant 'shedding:pools.api.admission={"codel":{}}'
 *   --variant 'both:pools.api.limit={"kind":"vegas"};clients.web.throttle={"k":2}'
 *   --variant none                      (no change: the scenario as it is)
 *
 * and/or from a variants file (--variants FILE), a JSON object read with
 * the loader's checks so that every error names FILE:LINE:COL and a key path:
 *
 *   {"description": "...", "baseline": "none",
 *    "variants": [{"name": "none"},
 *                 {"name": "shedding", "description": "...",
 *                  "set": {"pools.api.admission": {"codel": {}}}}]}
 *
 * The file's variants come first, in file order, then the --variant ones.
 * A variant's changes are applied through loader_set_as() in the order
 * written, each recording where it was written, so that a bad path or value
 * is reported as "FILE:LINE:COL: variant NAME: PATH=VALUE: key.path: ..."
 * (or "--variant NAME: ...") by the loader itself.
 *
 * Ownership: an sw_variants owns everything in it; sweep_variants_free().
 */
#ifndef RELSIM_SWEEP_VARIANT_H
#define RELSIM_SWEEP_VARIANT_H

#include "loader/loader.h"

#include <cjson/cJSON.h>
#include <stdio.h>

#define SW_VARIANT_NAME_MAX 63

/* One variant: a name and its changes. */
typedef struct {
    char *name;
    char *description; /* NULL if none */
    char **assign;     /* "PATH=VALUE" texts for loader_set_as(), in order */
    char **origin;     /* where each was written: "FILE:L:C: variant NAME:" or "--variant NAME:" */
    int nsets;
} sw_variant;

typedef struct {
    sw_variant *v;
    int n;
    char *baseline; /* the variants file's "baseline" (a variant name), or NULL */
    char *file;     /* the variants file, or NULL */
} sw_variants;

/* Read the variants file FILE (NULL: none), then the --variant arguments
 * ARGS[0..NARGS), into *VS (zeroed first).  Checks the file's shape, the
 * names (1 to 63 letters, digits, '_' or '-'; no two alike) and the
 * NAME:PATH=VALUE;... syntax; paths and values are checked when applied.
 * 0, or -1 after printing (*VS may hold partial results: free it). */
int sweep_variants_parse(sw_variants *vs, const char *file, char *const *args, int nargs, FILE *err);

/* Apply variant V's changes to D.  0, or -1 after the loader printed why. */
int sweep_variant_apply(const sw_variant *v, loader_doc *d, FILE *err);

/* Index of the variant called NAME, or -1. */
int sweep_variants_find(const sw_variants *vs, const char *name);

/* [{"name", "description", "set": {PATH: VALUE, ...}}, ...] for sweep.json. */
cJSON *sweep_variants_json(const sw_variants *vs);

/* The first change of V that a --vary of PATH, applied after it, would
 * overwrite (it sets PATH or a key inside it, as written), or -1.  A --vary
 * of a key inside what a variant sets refines it and is fine. */
int sweep_variant_overwritten(const sw_variant *v, const char *path);

void sweep_variants_free(sw_variants *vs);

#endif
