/* loader_locate.c - where things are in the scenario source text.
 *
 * cJSON keeps no positions, so errors are located by walking the source text
 * again along the key path (pools.api.service.rate): a small scanner that
 * knows strings, escapes and nesting, run only when an error is reported.
 * The text it walks has already been accepted by cJSON.  Also here: line and
 * column of an offset, the caret excerpt, UTF-8 checks, and the formatting of
 * paths, strings and numbers in messages.
 */
#include "loader/loader_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- key paths ---- */

static void lpath_push(lpath *p, lcomp c)
{
    if (p->n < LPATH_MAX)
        p->c[p->n++] = c;
    else
        p->overflow++;
}

void lpath_key(lpath *p, const char *key) { lpath_push(p, (lcomp){LC_KEY, key, 0, 0}); }
void lpath_name(lpath *p, const char *name) { lpath_push(p, (lcomp){LC_NAME, name, 0, 0}); }
void lpath_index(lpath *p, int idx) { lpath_push(p, (lcomp){LC_INDEX, NULL, idx, 0}); }

void lpath_pop(lpath *p)
{
    if (p->overflow > 0)
        p->overflow--;
    else if (p->n > 0)
        p->n--;
}

static int plain_key(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') || ('0' <= *s && *s <= '9') ||
              *s == '_' || *s == '-'))
            return 0;
    return 1;
}

int loader_is_ident(const char *s) { return plain_key(s) && strlen(s) < CFG_NAME_MAX; }

static void append(char *buf, size_t size, size_t *used, const char *s)
{
    size_t n = strlen(s);
    if (*used + n >= size)
        n = *used + 1 < size ? size - *used - 1 : 0;
    memcpy(buf + *used, s, n);
    *used += n;
    buf[*used] = '\0';
}

char *lpath_format(const lpath *p, char *buf, size_t size)
{
    size_t used = 0;
    char tmp[96];
    buf[0] = '\0';
    for (int i = 0; i < p->n; i++) {
        const lcomp *c = &p->c[i];
        if (c->kind == LC_INDEX) {
            snprintf(tmp, sizeof tmp, "[%d]", c->idx);
            append(buf, size, &used, tmp);
        } else if (plain_key(c->s)) {
            if (i > 0)
                append(buf, size, &used, ".");
            append(buf, size, &used, c->s);
        } else {
            append(buf, size, &used, "[");
            append(buf, size, &used, lstr_quote(c->s, tmp, sizeof tmp));
            append(buf, size, &used, "]");
        }
    }
    return buf;
}

/* ---- formatting values for messages ---- */

/* Length of the valid UTF-8 sequence at S (at most N bytes), 0 if invalid. */
static int utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    int len;
    unsigned cp, min;
    if (c < 0x80)
        return c ? 1 : 0;
    if ((c & 0xE0) == 0xC0)
        len = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        len = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        len = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if ((size_t)len > n)
        return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
        return 0;
    return len;
}

long loc_bad_byte(const char *src, size_t len)
{
    const unsigned char *s = (const unsigned char *)src;
    for (size_t i = 0; i < len;) {
        int n = utf8_len(s + i, len - i);
        if (n == 0)
            return (long)i;
        i += (size_t)n;
    }
    return -1;
}

char *lstr_quote(const char *s, char *buf, size_t size)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t used = 0, shown = 0;
    char tmp[8];
    buf[0] = '\0';
    append(buf, size, &used, "\"");
    while (*u) {
        if (shown >= 40 || used + 12 >= size) {
            append(buf, size, &used, "...");
            break;
        }
        int n = utf8_len(u, strlen((const char *)u));
        if (*u == '"' || *u == '\\')
            snprintf(tmp, sizeof tmp, "\\%c", *u);
        else if (*u >= 0x20 && *u < 0x7f)
            snprintf(tmp, sizeof tmp, "%c", *u);
        else if (n > 1) {
            memcpy(tmp, u, (size_t)n);
            tmp[n] = '\0';
            u += n - 1;
        } else
            snprintf(tmp, sizeof tmp, "\\x%02x", *u);
        append(buf, size, &used, tmp);
        u++;
        shown++;
    }
    append(buf, size, &used, "\"");
    return buf;
}

char *lnum_format(double v, char *buf, size_t size)
{
    if (v != v) {
        snprintf(buf, size, "nan");
        return buf;
    }
    if (v == HUGE_VAL || v == -HUGE_VAL) {
        snprintf(buf, size, "%s", v > 0 ? "inf" : "-inf");
        return buf;
    }
    if (v == floor(v) && fabs(v) < 1e7) {
        snprintf(buf, size, "%.0f", v);
        return buf;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

/* ---- the source-text walker ---- */

static const char *sk_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* P at an opening quote; returns just past the closing one. */
static const char *sk_string(const char *p, const char *e)
{
    for (p++; p < e; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return e;
}

static const char *sk_value(const char *p, const char *e)
{
    if (p >= e)
        return e;
    if (*p == '"')
        return sk_string(p, e);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (p < e) {
            if (*p == '"') {
                p = sk_string(p, e);
                continue;
            }
            if (*p == '{' || *p == '[')
                depth++;
            else if ((*p == '}' || *p == ']') && --depth == 0)
                return p + 1;
            p++;
        }
        return e;
    }
    while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' && *p != '\n' &&
           *p != '\r')
        p++;
    return p;
}

int loc_hex4(const char *p, const char *e, unsigned *out)
{
    unsigned v = 0;
    if (e - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        char h = p[i];
        v <<= 4;
        if ('0' <= h && h <= '9')
            v |= (unsigned)(h - '0');
        else if ('a' <= h && h <= 'f')
            v |= (unsigned)(h - 'a' + 10);
        else if ('A' <= h && h <= 'F')
            v |= (unsigned)(h - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static int utf8_put(unsigned cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decode one character of a JSON string body at *PP into OUT: its byte
 * count, 0 at the closing quote, -1 on a malformed escape. */
static int dec_char(const char **pp, const char *e, char out[4])
{
    const char *p = *pp;
    unsigned cp, lo;
    if (p >= e || *p == '"')
        return 0;
    if (*p != '\\') {
        out[0] = *p;
        *pp = p + 1;
        return 1;
    }
    if (++p >= e)
        return -1;
    char ch = *p++;
    int n = 1;
    switch (ch) {
    case 'b': out[0] = '\b'; break;
    case 'f': out[0] = '\f'; break;
    case 'n': out[0] = '\n'; break;
    case 'r': out[0] = '\r'; break;
    case 't': out[0] = '\t'; break;
    case 'u':
        if (loc_hex4(p, e, &cp) != 0)
            return -1;
        p += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && e - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
            loc_hex4(p + 2, e, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
        }
        n = utf8_put(cp, out);
        break;
    default: out[0] = ch; break;
    }
    *pp = p;
    return n;
}

/* Does the JSON string at Q (its opening quote) decode to KEY? */
static int str_eq(const char *q, const char *e, const char *key)
{
    const char *p = q + 1;
    char buf[4];
    for (;;) {
        int n = dec_char(&p, e, buf);
        if (n <= 0)
            return n == 0 && *key == '\0';
        for (int i = 0; i < n; i++, key++)
            if (*key == '\0' || *key != buf[i])
                return 0;
    }
}

/* OBJ at '{': the value of the NTH member named KEY (its key's quote in *KP). */
static const char *member(const char *p, const char *e, const char *key, int nth, const char **kp)
{
    for (p = sk_ws(p + 1, e); p < e && *p == '"';) {
        const char *k = p;
        int match = str_eq(p, e, key);
        p = sk_ws(sk_string(p, e), e);
        if (p >= e || *p != ':')
            return NULL;
        p = sk_ws(p + 1, e);
        if (match && nth-- == 0) {
            *kp = k;
            return p;
        }
        p = sk_ws(sk_value(p, e), e);
        if (p >= e || *p != ',')
            return NULL;
        p = sk_ws(p + 1, e);
    }
    return NULL;
}

/* ARR at '[': element IDX, or (NAME != NULL) the first object whose "name" is NAME. */
static const char *element(const char *p, const char *e, int idx, const char *name)
{
    for (p = sk_ws(p + 1, e); p < e && *p != ']'; idx--) {
        const char *kp, *v;
        if (!name && idx == 0)
            return p;
        if (name && *p == '{' && (v = member(p, e, "name", 0, &kp)) && *v == '"' &&
            str_eq(v, e, name))
            return p;
        p = sk_ws(sk_value(p, e), e);
        if (p >= e || *p != ',')
            return NULL;
        p = sk_ws(p + 1, e);
    }
    return NULL;
}

const char *loc_text_start(const char *src, size_t len)
{
    if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
        src += 3;
    return src;
}

long loc_find(const char *src, size_t len, const lpath *p, int want_key)
{
    const char *e = src + len, *v = sk_ws(loc_text_start(src, len), e), *key = NULL;
    for (int i = 0; i < p->n && v && v < e; i++) {
        const lcomp *c = &p->c[i];
        key = NULL;
        if (c->kind == LC_KEY && *v == '[')
            v = element(v, e, 0, c->s); /* a key on a list: the element of that name */
        else if (c->kind == LC_KEY)
            v = *v == '{' ? member(v, e, c->s, c->nth, &key) : NULL;
        else
            v = *v == '[' ? element(v, e, c->idx, c->kind == LC_NAME ? c->s : NULL) : NULL;
    }
    if (!v || v >= e)
        return -1;
    return (long)((want_key && key ? key : v) - src);
}

/* ---- lines, columns, excerpts ---- */

void loc_linecol(const char *src, size_t len, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    size_t i = (size_t)(loc_text_start(src, len) - src); /* a BOM is no column */
    if (off > len)
        off = len;
    for (; i < off; i++) {
        if (src[i] == '\n')
            l++, c = 1;
        else if (((unsigned char)src[i] & 0xC0) != 0x80)
            c++;
    }
    *line = l;
    *col = c;
}

/* Print SRC[a, b) with unprintable bytes as '?'; if CARET, print spaces (tabs
 * kept) instead, one per character shown. */
static void put_span(FILE *f, const char *src, size_t a, size_t b, int caret)
{
    const unsigned char *s = (const unsigned char *)src;
    for (size_t i = a; i < b;) {
        int n = s[i] >= 0x80 ? utf8_len(s + i, b - i) : 1;
        if (s[i] == '\t')
            fputc('\t', f);
        else if (caret)
            fputc(' ', f);
        else if (s[i] < 0x20 || s[i] == 0x7f || n == 0)
            fputc('?', f);
        else
            fwrite(s + i, 1, (size_t)n, f);
        i += n > 0 ? (size_t)n : 1;
    }
}

static size_t utf8_back(const char *src, size_t i, size_t min)
{
    while (i > min && ((unsigned char)src[i] & 0xC0) == 0x80)
        i--;
    return i;
}

void loc_excerpt(FILE *f, const char *src, size_t len, size_t off)
{
    int line, col;
    if (off > len)
        off = len;
    size_t ls = off, le = off;
    while (ls > 0 && src[ls - 1] != '\n')
        ls--;
    while (le < len && src[le] != '\n')
        le++;
    if (le > ls && src[le - 1] == '\r')
        le--;
    size_t a = ls, b = le;
    if (off - ls > 100)
        a = utf8_back(src, off - 60, ls);
    if (b - a > 160)
        b = utf8_back(src, a + 160 > off ? a + 160 : off + 1, a);
    if (b < off)
        b = off;
    loc_linecol(src, len, off, &line, &col);
    fprintf(f, "%6d | %s", line, a > ls ? "..." : "");
    put_span(f, src, a, b, 0);
    fprintf(f, "%s\n       | %s", b < le ? "..." : "", a > ls ? "   " : "");
    put_span(f, src, a, off, 1);
    fputs("^\n", f);
}
