/* loader_json.c - JSON files that are not scenarios (a sweep's variants
 * file) read and reported on like scenarios: the loader's reading and
 * syntax checks (loader_open_as in loader.c), its locator and its caret
 * excerpts, so every error names FILE:LINE:COL and a key path. */
#include "loader/loader_int.h"

#include <stdlib.h>
#include <string.h>

const struct cJSON *loader_tree(const loader_doc *d) { return d->root; }

/* Offset of PATH[.KEY] in D's source, -1 if absent; the formatted key path into TEXT. */
static long locate(const loader_doc *d, const char *path, const char *key, int at_key, char *text,
                   size_t n)
{
    lpath p;
    const char *why;
    char *buf = strdup(path ? path : "");
    long off = -1;
    memset(&p, 0, sizeof p);
    text[0] = '\0';
    if (!buf)
        return -1;
    if (!buf[0] || lpath_parse(buf, &p, &why) == 0) {
        if (key)
            lpath_key(&p, key);
        off = loc_find(d->src, d->len, &p, at_key && key);
        lpath_format(&p, text, n);
    }
    free(buf);
    return off;
}

char *loader_where(const loader_doc *d, const char *path, const char *key, int at_key, char *buf,
                   size_t n)
{
    char text[512];
    int line, col;
    long off = locate(d, path, key, at_key, text, sizeof text);
    if (off < 0) {
        snprintf(buf, n, "%s", d->file);
        return buf;
    }
    loc_linecol(d->src, d->len, (size_t)off, &line, &col);
    snprintf(buf, n, "%s:%d:%d", d->file, line, col);
    return buf;
}

int loader_error_at(const loader_doc *d, const char *path, const char *key, int at_key, FILE *err,
                    const char *fmt, ...)
{
    char text[512], msg[1024];
    int line, col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    long off = locate(d, path, key, at_key, text, sizeof text);
    const char *sep = text[0] ? ": " : "";
    if (off < 0) {
        fprintf(err, "%s: %s%s%s\n", d->file, text, sep, msg);
        return -1;
    }
    loc_linecol(d->src, d->len, (size_t)off, &line, &col);
    fprintf(err, "%s:%d:%d: %s%s%s\n", d->file, line, col, text, sep, msg);
    loc_excerpt(err, d->src, d->len, (size_t)off);
    return -1;
}
