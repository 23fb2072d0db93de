/* loader.c - scenario documents: reading, parsing, copying, printing, and
 * the error reporter every check goes through.
 *
 * An error at key path P is attributed, in this order, to: an override whose
 * path is P or above it ("--set P=V: P: ..."); the place of P in the source
 * text ("FILE:LINE:COL: P: ..." plus the line and a caret); an override below
 * P (a missing key inside an object an override created); or just the file.
 */
#include "loader/loader_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"

/* ---- where an error is ---- */

/* Is PREFIX equal to PATH or an ancestor of it? */
static int path_under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '.' || path[n] == '[');
}

/* The latest override at or above PATH (under its name or its index path). */
static const loader_override *override_at_or_above(const loader_doc *d, const char *path)
{
    for (int i = d->nsets - 1; i >= 0; i--)
        if (path_under(path, d->sets[i].path) || path_under(path, d->sets[i].alias))
            return &d->sets[i];
    return NULL;
}

static const loader_override *override_below(const loader_doc *d, const char *path)
{
    for (int i = d->nsets - 1; i >= 0; i--)
        if (path_under(d->sets[i].path, path) || path_under(d->sets[i].alias, path))
            return &d->sets[i];
    return NULL;
}

static void report(const loader_doc *d, FILE *f, const lpath *p, lwhere where, const char *msg)
{
    char path[512], at_text[512];
    int line, col;
    lpath at = *p;
    lpath_format(p, path, sizeof path);
    const char *sep = path[0] ? ": " : "";
    const loader_override *o = override_at_or_above(d, path);
    if (o) {
        fprintf(f, "%s %s: %s%s%s\n", o->origin, o->assign, path, sep, msg);
        return;
    }
    if (where == AT_PARENT && at.n > 0)
        at.n--;
    long off = loc_find(d->src, d->len, &at, where == AT_KEY);
    if (off >= 0) {
        loc_linecol(d->src, d->len, (size_t)off, &line, &col);
        fprintf(f, "%s:%d:%d: %s%s%s\n", d->file, line, col, path, sep, msg);
        loc_excerpt(f, d->src, d->len, (size_t)off);
        return;
    }
    if ((o = override_below(d, lpath_format(&at, at_text, sizeof at_text))))
        fprintf(f, "%s %s: %s%s%s\n", o->origin, o->assign, path, sep, msg);
    else
        fprintf(f, "%s: %s%s%s\n", d->file, path, sep, msg);
}

void lerr(lctx *c, lwhere where, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (++c->nerr > LOADER_MAX_ERRORS)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    report(c->doc, c->err, &c->path, where, msg);
}

/* ---- reading and parsing ---- */

static int parse(loader_doc *d, FILE *err)
{
    int line, col;
    char got[96];
    long bad = loc_bad_byte(d->src, d->len);
    if (bad >= 0) {
        unsigned char b = (unsigned char)d->src[bad];
        loc_linecol(d->src, d->len, (size_t)bad, &line, &col);
        fprintf(err, "%s:%d:%d: %s byte 0x%02x: a %s must be UTF-8 JSON text\n", d->file,
                line, col, b ? "invalid UTF-8" : "NUL", b, d->what);
        loc_excerpt(err, d->src, d->len, (size_t)bad);
        return -1;
    }
    size_t start = d->len >= 3 && !memcmp(d->src, "\xEF\xBB\xBF", 3) ? 3 : 0;
    if (strspn(d->src + start, " \t\r\n") == d->len - start) {
        fprintf(err, "%s:1:1: empty file, expected a JSON object {%s...}\n", d->file,
                strcmp(d->what, "scenario") ? "" : "\"name\": ..., ");
        return -1;
    }
    if (loc_syntax_check(err, d->file, d->src, d->len) != 0)
        return -1;
    const char *end = NULL;
    d->root = cJSON_ParseWithLengthOpts(d->src, d->len + 1, &end, 1);
    if (!d->root) {
        size_t off = end && end >= d->src ? (size_t)(end - d->src) : d->len;
        loc_syntax_error(err, d->file, d->src, d->len, off);
        return -1;
    }
    if (!cJSON_IsObject(d->root)) {
        size_t off = start + strspn(d->src + start, " \t\r\n");
        loc_linecol(d->src, d->len, off, &line, &col);
        fprintf(err, "%s:%d:%d: the %s must be a JSON object {%s...}, got %s\n", d->file, line,
                col, d->what, strcmp(d->what, "scenario") ? "" : "\"name\": ..., ",
                ljson_describe(d->root, got, sizeof got));
        loc_excerpt(err, d->src, d->len, off);
        return -1;
    }
    return 0;
}

/* Takes BUF (LEN bytes + NUL) whatever happens. */
static loader_doc *doc_new(const char *name, const char *what, char *buf, size_t len, FILE *err)
{
    loader_doc *d = calloc(1, sizeof *d);
    if (d)
        d->what = what;
    if (!d || !(d->file = strdup(name))) {
        free(d);
        free(buf);
        fprintf(err, "%s: out of memory\n", name);
        return NULL;
    }
    d->src = buf;
    d->len = len;
    if (parse(d, err) != 0) {
        loader_close(d);
        return NULL;
    }
    return d;
}

/* Read PATH as a JSON object; WHAT ("scenario") names it in messages. */
loader_doc *loader_open_as(const char *path, const char *what, FILE *err)
{
    size_t len = 0;
    errno = 0;
    char *buf = fs_read_file(path, LOADER_MAX_FILE, &len);
    if (!buf) {
        int e = errno;
        if (e == EISDIR)
            fprintf(err, "%s: is a directory, expected a %s (a JSON file)\n", path, what);
        else if (e == EFBIG)
            fprintf(err, "%s: file is larger than %zu MiB; a %s is a small JSON file\n", path,
                    LOADER_MAX_FILE >> 20, what);
        else
            fprintf(err, "%s: cannot read: %s\n", path, strerror(e ? e : EIO));
        return NULL;
    }
    return doc_new(path, what, buf, len, err);
}

loader_doc *loader_open(const char *path, FILE *err) { return loader_open_as(path, "scenario", err); }

loader_doc *loader_open_text(const char *name, const char *text, size_t len, FILE *err)
{
    char *buf = malloc(len + 1);
    if (!buf) {
        fprintf(err, "%s: out of memory\n", name);
        return NULL;
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    return doc_new(name, "scenario", buf, len, err);
}

/* ---- copies, queries, release ---- */

loader_doc *loader_clone(const loader_doc *d)
{
    loader_doc *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->file = strdup(d->file);
    c->what = d->what;
    c->src = malloc(d->len + 1);
    c->len = d->len;
    c->root = cJSON_Duplicate(d->root, 1);
    c->sets = calloc((size_t)d->nsets + 1, sizeof *c->sets);
    if (!c->file || !c->src || !c->root || !c->sets) {
        loader_close(c);
        return NULL;
    }
    memcpy(c->src, d->src, d->len + 1);
    for (; c->nsets < d->nsets; c->nsets++) {
        loader_override *o = &c->sets[c->nsets];
        o->origin = strdup(d->sets[c->nsets].origin);
        o->assign = strdup(d->sets[c->nsets].assign);
        o->path = strdup(d->sets[c->nsets].path);
        o->alias = strdup(d->sets[c->nsets].alias);
        if (!o->origin || !o->assign || !o->path || !o->alias) {
            c->nsets++;
            loader_close(c);
            return NULL;
        }
    }
    return c;
}

static char *own_copy(char *cjson_text)
{
    if (!cjson_text)
        return NULL;
    char *s = strdup(cjson_text);
    cJSON_free(cjson_text);
    return s;
}

char *loader_effective_json(const loader_doc *d) { return own_copy(cJSON_Print(d->root)); }

char *loader_get_json(const loader_doc *d, const char *path)
{
    lpath p;
    const char *why;
    char *buf = strdup(path);
    const cJSON *v = NULL;
    memset(&p, 0, sizeof p);
    if (buf && lpath_parse(buf, &p, &why) == 0)
        v = lfind(d->root, &p);
    char *out = v ? own_copy(cJSON_PrintUnformatted(v)) : NULL;
    free(buf);
    return out;
}

int loader_locate(const loader_doc *d, const char *path, int *line, int *col)
{
    lpath p;
    const char *why;
    long off = -1;
    char *buf = strdup(path);
    memset(&p, 0, sizeof p);
    if (buf && lpath_parse(buf, &p, &why) == 0)
        off = loc_find(d->src, d->len, &p, 0);
    free(buf);
    if (off < 0)
        return -1;
    loc_linecol(d->src, d->len, (size_t)off, line, col);
    return 0;
}

void loader_close(loader_doc *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->nsets; i++) {
        free(d->sets[i].origin);
        free(d->sets[i].assign);
        free(d->sets[i].path);
        free(d->sets[i].alias);
    }
    free(d->sets);
    cJSON_Delete(d->root);
    free(d->src);
    free(d->file);
    free(d);
}

/* ---- building ---- */

int loader_build(const loader_doc *d, scenario *out, FILE *err)
{
    lctx c;
    memset(&c, 0, sizeof c);
    c.doc = d;
    c.err = err;
    scenario_defaults(out);
    lbuild_scenario(&c, d->root, out);
    if (!c.oom && c.nerr == 0 && !(out->file = strdup(d->file)))
        c.oom = 1;
    if (c.oom)
        fprintf(err, "%s: out of memory\n", d->file);
    if (c.nerr > LOADER_MAX_ERRORS)
        fprintf(err, "%s: %d more error%s not shown\n", d->file, c.nerr - LOADER_MAX_ERRORS,
                c.nerr - LOADER_MAX_ERRORS == 1 ? "" : "s");
    if (c.oom || c.nerr > 0) {
        scenario_free(out);
        return -1;
    }
    return 0;
}

int loader_load(const char *path, char *const *sets, int nsets, scenario *out, FILE *err)
{
    int rc = 0;
    memset(out, 0, sizeof *out);
    loader_doc *d = loader_open(path, err);
    if (!d)
        return -1;
    for (int i = 0; i < nsets; i++)
        if (loader_set(d, sets[i], err) != 0)
            rc = -1;
    if (rc == 0)
        rc = loader_build(d, out, err);
    loader_close(d);
    return rc;
}
