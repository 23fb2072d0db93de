/* plot_svg.c - SVG cleaning for inline use: no prolog, no <script>, prefixed ids. */
#include "plots/plot_svg.h"

#include "util/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SVG_MAX_BYTES ((size_t)32 << 20)

/* First case-insensitive occurrence of NEEDLE in HAY, or NULL. */
static const char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (!strncasecmp(p, needle, n))
            return p;
    return NULL;
}

/* Length of the reference prefix at P that must be followed by the id
 * prefix: id=" id=' href="# href='# url(# ; 0 if none. */
static size_t ref_at(const char *p, const char *start)
{
    static const char *const pats[] = {"id=\"", "id='", "href=\"#", "href='#", "url(#"};
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
        size_t n = strlen(pats[i]);
        if (strncmp(p, pats[i], n))
            continue;
        /* attribute names must start after whitespace or ':' (xlink:href) */
        if (pats[i][0] != 'u' && p > start && !strchr(" \t\r\n:", p[-1]))
            continue;
        return n;
    }
    return 0;
}

char *svg_clean(const char *in, const char *prefix)
{
    const char *p = find_ci(in, "<svg");
    if (!p)
        return NULL;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        return NULL;
    const char *start = p;
    while (*p) {
        if (*p == '<' && !strncasecmp(p, "<script", 7)) {
            const char *end = find_ci(p, "</script");
            if (!end)
                break; /* unterminated script: drop the rest */
            const char *gt = strchr(end, '>');
            p = gt ? gt + 1 : end + 8;
            continue;
        }
        if (!strncmp(p, "<title>Gnuplot</title>", 22)) {
            p += 22; /* gnuplot's generic tooltip */
            continue;
        }
        size_t n = ref_at(p, start);
        if (n) {
            fwrite(p, 1, n, f);
            fprintf(f, "%s-", prefix);
            p += n;
            continue;
        }
        fputc(*p++, f);
    }
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

char *svg_inline(const char *path, const char *prefix)
{
    char *buf = fs_read_file(path, SVG_MAX_BYTES, NULL);
    if (!buf)
        return NULL;
    char *out = svg_clean(buf, prefix);
    free(buf);
    return out;
}
