/* plot_table.c - tolerant CSV reader for the output folder's tables. */
#include "plots/plot_table.h"

#include "util/fsutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TAB_MAX_BYTES ((size_t)256 << 20)

struct tab_table {
    char *buf;     /* the file, with separators replaced by NULs */
    char **cell;   /* rows x ncol pointers into buf (NULL = missing) */
    char **names;  /* ncol pointers into buf */
    int nrow, ncol;
};

/* Split line L (NUL-terminated, no newline) at commas into at most MAX
 * fields stored in OUT; returns the number of fields found. */
static int split_line(char *l, char **out, int max)
{
    int n = 0;
    for (;;) {
        char *c = strchr(l, ',');
        if (n < max)
            out[n] = l;
        n++;
        if (!c)
            break;
        *c = '\0';
        l = c + 1;
    }
    return n;
}

/* Cut BUF into lines in place (dropping '\r' and blank lines); returns the
 * count and fills *LINES (caller frees). */
static int cut_lines(char *buf, char ***lines)
{
    int n = 0, cap = 64;
    char **v = malloc(cap * sizeof *v);
    for (char *p = buf; v && *p;) {
        char *e = strchr(p, '\n');
        if (e)
            *e = '\0';
        size_t len = strlen(p);
        while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
            p[--len] = '\0';
        if (len) {
            if (n == cap) {
                char **nv = realloc(v, 2 * cap * sizeof *v);
                if (!nv) {
                    free(v);
                    return -1;
                }
                v = nv;
                cap *= 2;
            }
            v[n++] = p;
        }
        if (!e)
            break;
        p = e + 1;
    }
    *lines = v;
    return v ? n : -1;
}

tab_table *tab_load(const char *path)
{
    tab_table *t = calloc(1, sizeof *t);
    char **lines = NULL;
    if (!t || !(t->buf = fs_read_file(path, TAB_MAX_BYTES, NULL)))
        goto fail;
    int n = cut_lines(t->buf, &lines);
    if (n < 1)
        goto fail;
    t->ncol = 1;
    for (const char *c = lines[0]; *c; c++)
        t->ncol += *c == ',';
    t->names = calloc(t->ncol, sizeof *t->names);
    t->cell = calloc((size_t)(n - 1) * t->ncol + 1, sizeof *t->cell);
    if (!t->names || !t->cell)
        goto fail;
    split_line(lines[0], t->names, t->ncol);
    for (int i = 1; i < n; i++)
        split_line(lines[i], t->cell + (size_t)(i - 1) * t->ncol, t->ncol);
    t->nrow = n - 1;
    free(lines);
    return t;
fail:
    free(lines);
    tab_free(t);
    return NULL;
}

void tab_free(tab_table *t)
{
    if (!t)
        return;
    free(t->buf);
    free(t->cell);
    free(t->names);
    free(t);
}

int tab_rows(const tab_table *t) { return t ? t->nrow : 0; }
int tab_cols(const tab_table *t) { return t ? t->ncol : 0; }

int tab_col(const tab_table *t, const char *name)
{
    for (int c = 0; t && c < t->ncol; c++)
        if (!strcmp(t->names[c], name))
            return c;
    return -1;
}

const char *tab_str(const tab_table *t, int row, int col)
{
    if (!t || row < 0 || row >= t->nrow || col < 0 || col >= t->ncol)
        return "";
    const char *s = t->cell[(size_t)row * t->ncol + col];
    return s ? s : "";
}

double tab_num(const tab_table *t, int row, int col)
{
    const char *s = tab_str(t, row, col);
    char *end;
    while (*s == ' ')
        s++;
    if (!*s)
        return NAN;
    double v = strtod(s, &end);
    while (*end == ' ')
        end++;
    return *end ? NAN : v;
}
