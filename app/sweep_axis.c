/* sweep_axis.c - `--vary` lists and ranges; see sweep_axis.h. */
#include "app/sweep_axis.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "relsim sweep: OPT ARG: message" on stderr; returns -1. */
int sweep_usage(const char *opt, const char *arg, const char *fmt, const char *detail)
{
    fprintf(stderr, "relsim sweep: %s%s%s%s", arg ? opt : "", arg ? " " : "", arg ? arg : "", arg ? ": " : "");
    fprintf(stderr, fmt, detail ? detail : "");
    fputc('\n', stderr);
    return -1;
}

#define usage(arg, fmt, detail) sweep_usage("--vary", arg, fmt, detail)

/* ---- --vary parsing ------------------------------------------------------- */

static int push_val(sw_axis *a, const char *text, size_t len)
{
    char **v = realloc(a->vals, (size_t)(a->n + 1) * sizeof *v);
    if (!v)
        return -1;
    a->vals = v;
    if (!(v[a->n] = strndup(text, len)))
        return -1;
    a->n++;
    return 0;
}

const char *sweep_next_item(const char *s, char sep, const char **b, const char **e)
{
    int depth = 0, quoted = 0;
    const char *p = s;
    for (; *p; p++) {
        if (quoted && *p == '\\' && p[1]) {
            p++;
            continue;
        }
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && (*p == '[' || *p == '{'))
            depth++;
        else if (!quoted && (*p == ']' || *p == '}'))
            depth--;
        else if (*p == sep && !quoted && depth <= 0)
            break;
    }
    *b = s;
    *e = p;
    while (*b < *e && isspace((unsigned char)**b))
        (*b)++;
    while (*e > *b && isspace((unsigned char)(*e)[-1]))
        (*e)--;
    return p;
}

/* Split "a,b,{"x":1,"y":2},"c,d"" on the commas outside quotes and brackets. */
int sweep_split_list(sw_axis *a, const char *s)
{
    for (;;) {
        const char *b, *e, *end = sweep_next_item(s, ',', &b, &e);
        if (b == e)
            return sweep_usage(a->opt ? a->opt : "--vary", a->arg, "empty value in the list (expected V1,V2,...)", NULL);
        if (push_val(a, b, (size_t)(e - b)))
            return usage(NULL, "out of memory", NULL);
        if (*end == '\0')
            return 0;
        s = end + 1;
    }
}

/* A whole number-looking text: strtod consumes all of it. */
static int parse_num(const char *s, size_t len, double *out)
{
    char buf[64], *end;
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    *out = strtod(buf, &end);
    return (end != buf && *end == '\0' && isfinite(*out)) ? 0 : -1;
}

/* Does S look like lo:hi[:step] (first part a number, not quoted JSON)? */
static int looks_like_range(const char *s)
{
    double x;
    const char *c = strchr(s, ':');
    return c && !strpbrk(s, ",\"[{") && parse_num(s, (size_t)(c - s), &x) == 0;
}

/* lo:hi:step -> lo, lo+step, ..., hi included when on the grid (within
 * 1e-9 steps); values printed with 15 digits so 0.1+0.2 stays 0.3. */
static int expand_range(sw_axis *a, const char *s)
{
    double v[3];
    int k = 0;
    for (const char *p = s; k < 3; k++) {
        const char *c = strchr(p, ':');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (parse_num(p, len, &v[k]))
            return usage(a->arg, "a range is lo:hi:step with three numbers", NULL);
        if (!c) {
            k++;
            break;
        }
        p = c + 1;
        if (k == 2)
            return usage(a->arg, "a range is lo:hi:step with three numbers", NULL);
    }
    if (k != 3)
        return usage(a->arg, "a range is lo:hi:step with three numbers (the step is missing)", NULL);
    double lo = v[0], hi = v[1], step = v[2];
    if (!(step > 0))
        return usage(a->arg, "the step of a range must be > 0", NULL);
    if (lo > hi)
        return usage(a->arg, "lo > hi in the range lo:hi:step", NULL);
    double span = (hi - lo) / step;
    if (!(span < SW_MAX_POINTS))
        return usage(a->arg, "the range has more than 10000 values", NULL);
    int n = (int)floor(span + 1e-9) + 1;
    for (int i = 0; i < n; i++) {
        char buf[64];
        double x = lo + i * step;
        if (i == n - 1 && fabs(x - hi) <= 1e-9 * step)
            x = hi;
        int len = snprintf(buf, sizeof buf, "%.15g", x);
        if (push_val(a, buf, (size_t)len))
            return usage(a->arg, "out of memory", NULL);
    }
    return 0;
}

int sweep_axis_parse(sw_axis *a, const char *arg)
{
    const char *eq = strchr(arg, '=');
    memset(a, 0, sizeof *a);
    a->arg = arg;
    if (!eq || eq == arg)
        return usage(arg, "expected PATH=V1,V2,... or PATH=lo:hi:step", NULL);
    if (!(a->path = strndup(arg, (size_t)(eq - arg))))
        return usage(arg, "out of memory", NULL);
    const char *s = eq + 1;
    if (!*s || strspn(s, " \t") == strlen(s))
        return usage(arg, "empty list of values for %s", a->path);
    return looks_like_range(s) ? expand_range(a, s) : sweep_split_list(a, s);
}

void sweep_axes_free(sw_axis *ax, int n)
{
    for (int i = 0; ax && i < n; i++) {
        for (int k = 0; k < ax[i].n; k++)
            free(ax[i].vals[k]);
        free(ax[i].vals);
        free(ax[i].path);
    }
    free(ax);
}
