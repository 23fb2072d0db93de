/* loader.h - JSON scenario file -> validated `scenario` struct (models/config.h).
 *
 * The loader is the only place that knows the scenario file format (documented
 * in docs/SCENARIO.md).  It reads a file, parses it with cJSON, applies
 * "PATH=VALUE" overrides (--set, --vary), validates every value and fills the
 * plain-C structs the models run.  Errors are printed to the FILE* given, one
 * line each, then the source line with a caret under the spot:
 *
 *   scenarios/x.json:12:48: pools.api.failure.rate: must be a number > 0, got -1
 *       12 |     "failure": {"dist": "exponential", "rate": -1},
 *          |                                                ^
 *
 * Key paths use names, not indexes, where the element has one
 * (pools.api.service.rate, clients.web.retry.backoff.jitter), an index
 * otherwise (events[2].at).  A value that came from an override names it
 * instead of a file location: "--set horizon=-1: horizon: must be ...".
 *
 * Ownership: a loader_doc owns its source text and its parse tree; strings
 * returned by loader_effective_json() / loader_get_json() belong to the caller
 * (free()).  No function here exits or aborts; every failure is a return code
 * after a message.  A loader_doc is not thread-safe; clone it per thread.
 */
#ifndef RELSIM_LOADER_H
#define RELSIM_LOADER_H

#include <stddef.h>
#include <stdio.h>

#include "models/config.h"

#define LOADER_MAX_FILE ((size_t)64 << 20) /* larger scenario files are refused */
#define LOADER_MAX_ERRORS 20               /* messages printed by one loader_build */

typedef struct loader_doc loader_doc; /* opaque: source text + parsed cJSON tree */

/* Read PATH (at most LOADER_MAX_FILE bytes, UTF-8 JSON) and parse it.  Returns
 * a new document, or NULL after printing why (missing file, directory, too
 * large, not UTF-8, syntax error with line:column and caret, not an object). */
loader_doc *loader_open(const char *path, FILE *err);

/* The same from memory: NAME is used in messages (e.g. "<test>").  TEXT need
 * not be NUL-terminated; it is copied. */
loader_doc *loader_open_text(const char *name, const char *text, size_t len, FILE *err);

/* Apply one override "PATH=VALUE" (PATH as in error messages; see
 * docs/SCENARIO.md).  VALUE is parsed as JSON; a bare word that is not JSON is
 * a string; null removes the key (back to its default).  Missing intermediate
 * objects that the schema allows are created.  Returns 0, or -1 after printing
 * (unknown path with a suggestion, no such pool, bad index); the document is
 * unchanged on failure.  Type and range errors are found by loader_build(),
 * which then names "--set PATH=VALUE" instead of a file location. */
int loader_set(loader_doc *d, const char *assignment, FILE *err);

/* loader_set() with another origin word in messages, e.g. "--vary". */
int loader_set_as(loader_doc *d, const char *assignment, const char *origin, FILE *err);

/* Validate everything and fill *OUT (which is overwritten, not freed).
 * Returns 0 (the caller scenario_free()s *OUT), or -1 after printing up to
 * LOADER_MAX_ERRORS messages; *OUT is then zeroed. */
int loader_build(const loader_doc *d, scenario *out, FILE *err);

/* Deep copy (source, tree and override history), or NULL on ENOMEM. */
loader_doc *loader_clone(const loader_doc *d);

/* Pretty JSON of the scenario after overrides (caller free()s); NULL on ENOMEM. */
char *loader_effective_json(const loader_doc *d);

/* The configuration S as a scenario file with every default written out
 * (scenario.resolved.json, docs/OUTPUT.md): pretty JSON, caller free()s;
 * NULL on ENOMEM.  Loading it again gives the same scenario.  A feature that
 * is off is left out when its presence would turn it on (hedge, outlier,
 * health_check, liveness, spares, calls, failure); kinds say "none". */
char *loader_resolved_json(const scenario *s);

/* Compact JSON of the value at PATH (caller free()s), or NULL if absent. */
char *loader_get_json(const loader_doc *d, const char *path);

/* Line and column (1-based) of the value at PATH in the source text.  Returns
 * 0, or -1 if the path is not in the source (bad path, or it only exists
 * because of an override). */
int loader_locate(const loader_doc *d, const char *path, int *line, int *col);

/* ---- other JSON files, with the same located messages ----
 * A file that is not a scenario but deserves scenario-quality errors (a
 * sweep's variants file, app/sweep_variant.h) is read with loader_open_as(),
 * inspected through loader_tree(), and its errors reported with
 * loader_error_at().  Such a document is never given to loader_build(). */

/* loader_open() for any JSON object: WHAT (a static string, e.g. "variants
 * file") names it in the messages, where a scenario says "scenario". */
loader_doc *loader_open_as(const char *path, const char *what, FILE *err);

/* The parsed tree (a JSON object, overrides applied), owned by D. */
const struct cJSON *loader_tree(const loader_doc *d);

/* "FILE:LINE:COL" of the value at PATH (as loader_locate; "" is the root)
 * or, with KEY, of the member KEY of the object at PATH, KEY taken literally
 * (it may hold dots: "pools.api.timeout"); AT_KEY: the key, not its value.
 * Just "FILE" when it is not in the text.  Into BUF; returns BUF. */
char *loader_where(const loader_doc *d, const char *path, const char *key, int at_key, char *buf,
                   size_t n);

/* Print "FILE:LINE:COL: KEYPATH: MSG" and the source line with a caret under
 * the spot, exactly as a scenario error (PATH, KEY, AT_KEY as for
 * loader_where).  Returns -1. */
int loader_error_at(const loader_doc *d, const char *path, const char *key, int at_key, FILE *err,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Release a document.  NULL is fine. */
void loader_close(loader_doc *d);

/* open + set each of SETS[0..NSETS) + build + close.  0 or -1 after printing. */
int loader_load(const char *path, char *const *sets, int nsets, scenario *out, FILE *err);

#endif
