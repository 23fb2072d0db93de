/* loader_syntax.c - what exactly is wrong with a file that is not JSON.
 *
 * cJSON says only roughly where it stopped (a trailing comma in an object is
 * reported at the end of the file) and lets raw control characters through in
 * strings, so every file is first read by this small recursive-descent
 * checker, which stops at the first problem and says what it is.  Numbers are
 * read as cJSON reads them (strtod over the characters 0-9 + - . e E) so that
 * both agree on what a number is; nesting stops at cJSON's limit (1000).
 */
#include "loader/loader_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p, *e;
    const char *why; /* set at the first error; p is then where it is */
    int depth;
} jchk;

static int jfail(jchk *k, const char *at, const char *why)
{
    k->p = at;
    k->why = why;
    return -1;
}

static void jws(jchk *k)
{
    while (k->p < k->e && (*k->p == ' ' || *k->p == '\t' || *k->p == '\n' || *k->p == '\r'))
        k->p++;
}

static int starts_value(char ch)
{
    return ch == '"' || ch == '{' || ch == '[' || ch == '-' || ('0' <= ch && ch <= '9') || ch == 't' ||
           ch == 'f' || ch == 'n';
}

static int jstring(jchk *k)
{
    const char *open = k->p;
    for (k->p++; k->p < k->e; k->p++) {
        unsigned char ch = (unsigned char)*k->p;
        if (ch == '"') {
            k->p++;
            return 0;
        }
        if (ch < 0x20)
            return jfail(k, k->p, "raw control character or line break in a string (write \\n, \\t)");
        if (ch == '\\') {
            unsigned cp;
            char x = k->p + 1 < k->e ? k->p[1] : '\0';
            if (x == 'u' && loc_hex4(k->p + 2, k->e, &cp) == 0 && cp == 0)
                return jfail(k, k->p, "\\u0000 (a NUL character) cannot be used in a string: "
                             "names would be cut short there");
            else if (x == 'u' && loc_hex4(k->p + 2, k->e, &cp) == 0)
                k->p += 5;
            else if (x && strchr("\"\\/bfnrt", x))
                k->p++;
            else
                return jfail(k, k->p, "bad escape in a string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
    }
    return jfail(k, open, "string not closed: missing '\"'");
}

static int jnumber(jchk *k)
{
    char buf[80], *end;
    size_t n = 0;
    while (k->p + n < k->e && n < sizeof buf - 1 && strchr("0123456789+-.eE", k->p[n]) && k->p[n])
        n++;
    memcpy(buf, k->p, n);
    buf[n] = '\0';
    strtod(buf, &end);
    if (end == buf)
        return jfail(k, k->p, "invalid number");
    k->p += end - buf;
    return 0;
}

static int jvalue(jchk *k);

static int jmembers(jchk *k)
{
    const char *comma = NULL;
    for (;;) {
        jws(k);
        char ch = k->p < k->e ? *k->p : '\0';
        if (ch == '}' && !comma)
            return k->p++, 0;
        if (ch == '}')
            return jfail(k, comma, "trailing comma before '}': remove it");
        if (ch != '"')
            return jfail(k, k->p, ch == '\'' ? "keys need double quotes"
                                  : ch == '/' || ch == '#' ? "comments are not allowed in JSON"
                                  : !ch ? "unexpected end of file: an object is not closed"
                                        : "expected a \"key\" in double quotes");
        if (jstring(k) != 0)
            return -1;
        jws(k);
        if (k->p >= k->e || *k->p != ':')
            return jfail(k, k->p, "expected ':' after the key");
        k->p++;
        if (jvalue(k) != 0)
            return -1;
        jws(k);
        ch = k->p < k->e ? *k->p : '\0';
        if (ch == '}')
            return k->p++, 0;
        if (ch != ',')
            return jfail(k, k->p, starts_value(ch) ? "missing ',' before this"
                                  : ch == '/' || ch == '#' ? "comments are not allowed in JSON"
                                  : !ch ? "unexpected end of file: an object is not closed"
                                        : "expected ',' or '}'");
        comma = k->p++;
    }
}

static int jelements(jchk *k)
{
    const char *comma = NULL;
    for (;;) {
        jws(k);
        char ch = k->p < k->e ? *k->p : '\0';
        if (ch == ']' && !comma)
            return k->p++, 0;
        if (ch == ']')
            return jfail(k, comma, "trailing comma before ']': remove it");
        if (jvalue(k) != 0)
            return -1;
        jws(k);
        ch = k->p < k->e ? *k->p : '\0';
        if (ch == ']')
            return k->p++, 0;
        if (ch != ',')
            return jfail(k, k->p, starts_value(ch) ? "missing ',' before this"
                                  : ch == '/' || ch == '#' ? "comments are not allowed in JSON"
                                  : !ch ? "unexpected end of file: a list is not closed"
                                        : "expected ',' or ']'");
        comma = k->p++;
    }
}

static int jvalue(jchk *k)
{
    jws(k);
    char ch = k->p < k->e ? *k->p : '\0';
    if (ch == '{' || ch == '[') {
        if (k->depth >= CJSON_NESTING_LIMIT)
            return jfail(k, k->p, "nesting is deeper than the parser's limit of 1000 levels");
        k->depth++;
        k->p++;
        int rc = ch == '{' ? jmembers(k) : jelements(k);
        k->depth--;
        return rc;
    }
    if (ch == '"')
        return jstring(k);
    if (ch == '-' || ch == '.' || ch == '+' || ('0' <= ch && ch <= '9'))
        return jnumber(k);
    static const char *const words[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(k->e - k->p) >= n && !memcmp(k->p, words[i], n))
            return k->p += n, 0;
    }
    return jfail(k, k->p, ch == '\'' ? "strings need double quotes"
                          : ch == '/' || ch == '#' ? "comments are not allowed in JSON"
                          : !ch ? "unexpected end of file: a value is missing"
                          : ch == ']' || ch == '}' ? "expected a value here"
                                : "expected a value: a number, \"string\", {object}, [list], true, "
                                  "false or null");
}

/* The first syntax error in SRC: its offset and reason, or NULL if none. */
static const char *jcheck(const char *src, size_t len, size_t *off)
{
    jchk k = {loc_text_start(src, len), src + len, NULL, 0};
    if (jvalue(&k) == 0) {
        jws(&k);
        if (k.p < k.e)
            jfail(&k, k.p, "unexpected text after the end of the JSON value");
    }
    if (k.why)
        *off = (size_t)(k.p - src);
    return k.why;
}

void loc_syntax_error(FILE *f, const char *file, const char *src, size_t len, size_t off)
{
    int line, col;
    const char *why = jcheck(src, len, &off);
    if (off > len)
        off = len;
    loc_linecol(src, len, off, &line, &col);
    fprintf(f, "%s:%d:%d: syntax error%s%s\n", file, line, col, why ? ": " : "", why ? why : "");
    loc_excerpt(f, src, len, off);
}

int loc_syntax_check(FILE *f, const char *file, const char *src, size_t len)
{
    size_t off = 0;
    if (!jcheck(src, len, &off))
        return 0;
    loc_syntax_error(f, file, src, len, off);
    return -1;
}
