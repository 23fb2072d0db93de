/* json_scan.c - a JSON file read one value at a time (plots/json_scan.h). */
#include "plots/json_scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JS_WINDOW 65536
#define JS_VALUE_MAX ((size_t)512 << 20) /* as plot_data.c's limit for a whole document */

struct js_scan {
    FILE *f;
    char win[JS_WINDOW];
    size_t len, at;     /* bytes in win, next one */
    long long base;     /* file offset of win[0] */
    char *val;          /* the value cut out */
    size_t nval, valcap;
    long long bad;      /* offset of the first error, or -1 */
};

js_scan *js_open(const char *path)
{
    js_scan *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (!(s->f = fopen(path, "rb"))) {
        int e = errno;
        free(s);
        errno = e;
        return NULL;
    }
    s->bad = -1;
    return s;
}

void js_close(js_scan *s)
{
    if (!s)
        return;
    fclose(s->f);
    free(s->val);
    free(s);
}

static int peek(js_scan *s)
{
    if (s->at == s->len) {
        s->base += (long long)s->len;
        s->len = fread(s->win, 1, sizeof s->win, s->f);
        s->at = 0;
    }
    return s->at < s->len ? (unsigned char)s->win[s->at] : EOF;
}

static int next(js_scan *s)
{
    int c = peek(s);
    if (c != EOF)
        s->at++;
    return c;
}

static long long offset(const js_scan *s) { return s->base + (long long)s->at; }

static int fail_at(js_scan *s, long long at)
{
    if (s->bad < 0)
        s->bad = at;
    return -1;
}

int js_fail(js_scan *s) { return fail_at(s, offset(s)); }

/* White space as cJSON has it: every byte up to 0x20, NUL included (the
 * whole-document read took them all between tokens; JSON itself has four). */
static int blank(int c) { return c != EOF && c <= 0x20; }

int js_peek(js_scan *s)
{
    int c;
    while (blank(c = peek(s)))
        s->at++;
    return c;
}

/* Expect character WANT after white space. */
static int expect(js_scan *s, int want)
{
    if (js_peek(s) != want)
        return js_fail(s);
    next(s);
    return 0;
}

static int put(js_scan *s, int c)
{
    if (s->nval + 1 >= s->valcap) {
        size_t cap = s->valcap ? 2 * s->valcap : 4096;
        char *v = cap <= JS_VALUE_MAX ? realloc(s->val, cap) : NULL;
        if (!v)
            return -1;
        s->val = v;
        s->valcap = cap;
    }
    s->val[s->nval++] = (char)c;
    return 0;
}

/* Pass over the next value (after white space), copying it into s->val
 * when KEEP: to its matching bracket, its closing quote, the end of a bare
 * word or of the file (then cJSON says where the value fails).  0, or -1 at
 * the end of the file or out of memory. */
static int pass(js_scan *s, int keep)
{
    int c = js_peek(s), depth = 0, str = 0, esc = 0, n = 0;
    s->nval = 0;
    if (c == EOF)
        return js_fail(s);
    do {
        if (!str && depth == 0 && n > 0 && c != '"' && (blank(c) || strchr(",:]}", c)))
            break; /* the end of a bare word */
        if (keep && put(s, c))
            return js_fail(s);
        next(s);
        n++;
        if (str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                str = 0;
        } else if (c == '"') {
            str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        }
        if (!str && depth <= 0 && (c == '"' || c == '}' || c == ']'))
            break;
    } while ((c = peek(s)) != EOF);
    if (!keep && (str || depth != 0))
        return js_fail(s); /* unbalanced: nobody will parse it */
    return 0;
}

cJSON *js_take(js_scan *s)
{
    js_peek(s);
    long long start = offset(s);
    if (pass(s, 1) || put(s, '\0'))
        return NULL;
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(s->val, s->nval, &end, 1);
    if (!v)
        fail_at(s, start + (end ? (long long)(end - s->val) : 0));
    return v;
}

int js_skip(js_scan *s) { return pass(s, 0); }

/* The next value is a key: a string without escapes is taken as it is,
 * any other is parsed by cJSON.  Into *KEY (free *OWNED).  0 or -1. */
static int key(js_scan *s, const char **key, cJSON **owned)
{
    *owned = NULL;
    js_peek(s);
    long long start = offset(s);
    if (pass(s, 1) || put(s, '\0'))
        return -1;
    if (s->val[0] != '"')
        return fail_at(s, start + 1); /* where cJSON stops on a key that is no string */
    if (s->nval >= 3 && s->val[0] == '"' && s->val[s->nval - 2] == '"' &&
        !memchr(s->val, '\\', s->nval)) {
        int plain = 1;
        for (size_t i = 1; i + 2 < s->nval; i++)
            plain &= (unsigned char)s->val[i] >= 0x20 && s->val[i] != '"';
        if (plain) {
            s->val[s->nval - 2] = '\0';
            *key = s->val + 1;
            return 0;
        }
    }
    const char *end = NULL;
    *owned = cJSON_ParseWithLengthOpts(s->val, s->nval, &end, 1);
    if (!*owned)
        return fail_at(s, start + (end ? (long long)(end - s->val) : 0));
    *key = (*owned)->valuestring;
    return 0;
}

/* After a member or element: ',' (0, more) or CLOSE (1, done); -1 else. */
static int after(js_scan *s, int close)
{
    int c = js_peek(s);
    if (c != ',' && c != close)
        return js_fail(s);
    next(s);
    return c == close;
}

int js_each_member(js_scan *s, int (*each)(js_scan *s, void *ctx, const char *key), void *ctx)
{
    if (expect(s, '{'))
        return -1;
    if (js_peek(s) == '}')
        return next(s), 0;
    for (int done = 0; !done;) {
        const char *k;
        cJSON *owned;
        char buf[128], *copy = buf; /* s->val is reused by the value */
        if (key(s, &k, &owned) || expect(s, ':'))
            return cJSON_Delete(owned), -1;
        if (!owned && strlen(k) < sizeof buf)
            strcpy(buf, k);
        else if (!owned && !(copy = strdup(k)))
            return js_fail(s);
        int rc = each(s, ctx, owned ? k : copy);
        cJSON_Delete(owned);
        if (copy != buf)
            free(copy);
        if (rc || (done = after(s, '}')) < 0)
            return js_fail(s);
    }
    return 0;
}

int js_each_element(js_scan *s, int (*each)(js_scan *s, void *ctx), void *ctx)
{
    if (expect(s, '['))
        return -1;
    if (js_peek(s) == ']')
        return next(s), 0;
    for (int done = 0; !done;)
        if (each(s, ctx) || (done = after(s, ']')) < 0)
            return js_fail(s);
    return 0;
}

int js_end(js_scan *s) { return js_peek(s) == EOF ? 0 : js_fail(s); }

void js_error(js_scan *s, const char *path, char *err, size_t n)
{
    if (ferror(s->f)) {
        snprintf(err, n, "%s: %s", path, strerror(EIO));
        return;
    }
    long long at = s->bad < 0 ? offset(s) : s->bad;
    int line = 1, col = 1, c;
    rewind(s->f);
    for (long long i = 0; i < at && (c = getc(s->f)) != EOF; i++)
        if (c == '\n')
            line++, col = 1;
        else
            col++;
    snprintf(err, n, "%s:%d:%d: not valid JSON", path, line, col);
}
