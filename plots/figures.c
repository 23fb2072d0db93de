/* figures.c - the figure list, helpers shared by every figure, and the run driver. */
#include "plots/plot_fig.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void fig_list_init(fig_list *l) { memset(l, 0, sizeof *l); }

void fig_list_destroy(fig_list *l)
{
    for (int i = 0; i < l->nnotes; i++)
        free(l->notes[i]);
    free(l->notes);
    free(l->figs);
    memset(l, 0, sizeof *l);
}

void fig_add(fig_run *c, const char *name, const char *title, const char *caption, int status)
{
    fig_list *l = c->out;
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 16;
        fig_entry *v = realloc(l->figs, cap * sizeof *v);
        if (!v) {
            c->oom = 1;
            return;
        }
        l->figs = v;
        l->cap = cap;
    }
    fig_entry *e = &l->figs[l->n++];
    gp_safe_name(e->name, sizeof e->name, name); /* the stem gp_fig_begin used */
    snprintf(e->title, sizeof e->title, "%s", title);
    snprintf(e->caption, sizeof e->caption, "%s", caption);
    e->status = status;
}

void fig_note(fig_list *l, int *oom, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (l->nnotes == l->capnotes) {
        int cap = l->capnotes ? 2 * l->capnotes : 8;
        char **v = realloc(l->notes, cap * sizeof *v);
        if (!v) {
            *oom = 1;
            return;
        }
        l->notes = v;
        l->capnotes = cap;
    }
    if (!(l->notes[l->nnotes] = strdup(buf)))
        *oom = 1;
    else
        l->nnotes++;
}

const char *fig_color(int i)
{
    static const char *const pal[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#000000", "#999999"};
    return pal[(i < 0 ? -i : i) % 8];
}

char *fig_title_expr(char *buf, size_t n, const char *title, const char *scn)
{
    char q1[600], q2[300];
    gp_quote(q1, sizeof q1, title);
    if (scn && *scn) {
        gp_quote(q2, 100, scn); /* keep the subtitle short */
        snprintf(buf, n, "%s.\"\\n\".'scenario: '.%s", q1, q2);
    } else {
        snprintf(buf, n, "%s", q1);
    }
    return buf;
}

void fig_title(FILE *f, const char *title, const char *scn)
{
    char e[1000];
    fprintf(f, "set title %s\n", fig_title_expr(e, sizeof e, title, scn));
}

char *fig_qtext(char *buf, size_t n, const char *pre, const char *name, const char *post)
{
    char text[512];
    snprintf(text, sizeof text, "%s%s%s", pre, name, post);
    return gp_quote(buf, n, text);
}

void fig_set_text(FILE *f, const char *what, const char *text)
{
    char q[600];
    fprintf(f, "set %s %s\n", what, gp_quote(q, sizeof q, text));
}

void fig_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.9g", v);
    else
        fputs("NaN", f);
}

void fig_panel(FILE *f, double bottom, double top)
{
    fprintf(f, "set lmargin at screen 0.115\nset rmargin at screen 0.72\n"
               "set bmargin at screen %.3f\nset tmargin at screen %.3f\n", bottom, top);
}

/* One shaded rectangle from X0 to X1 with label TEXT at its top. */
static void shade(FILE *f, int *obj, double x0, double x1, const char *color, const char *text)
{
    char q[200];
    fprintf(f, "set object %d rect from first %.9g, graph 0 to first %.9g, graph 1 behind "
               "fc rgb '%s' fs solid 0.35 noborder\n", (*obj)++, x0, x1, color);
    fprintf(f, "set label %d %s at first %.9g, graph 1 left offset 0,0.6 font ',9' "
               "textcolor rgb '#777777' front\n", 1000 + *obj, gp_quote(q, sizeof q, text), x0);
}

int fig_shade_events(const fig_run *c, FILE *f, const char *pool, const char *client, int *obj)
{
    int shaded = 0;
    if (c->warmup > 0)
        shade(f, obj, 0, c->warmup, "#dddddd", "warmup");
    int n = rd_count(c->rd, RD_SCENARIO, "events");
    for (int i = 0; i < n && i < 40; i++) {
        const char *kind = rd_str(c->rd, RD_SCENARIO, "events.%d.kind", i);
        const char *p = rd_str(c->rd, RD_SCENARIO, "events.%d.pool", i);
        const char *cl = rd_str(c->rd, RD_SCENARIO, "events.%d.client", i);
        double at = rd_num(c->rd, RD_SCENARIO, NAN, "events.%d.at", i);
        double dur = rd_num(c->rd, RD_SCENARIO, 0, "events.%d.duration", i);
        if (!kind || !isfinite(at) || !(dur > 0))
            continue;
        int mine = (!pool && !client) || (pool && p && !strcmp(p, pool)) || (client && cl && !strcmp(cl, client));
        if (!mine)
            continue;
        char text[160];
        if (!strcmp(kind, "fail"))
            snprintf(text, sizeof text, "forced failure: %g servers",
                     rd_num(c->rd, RD_SCENARIO, 0, "events.%d.servers", i));
        else if (!strcmp(kind, "load"))
            snprintf(text, sizeof text, "load x%g",
                     rd_num(c->rd, RD_SCENARIO, 1, "events.%d.multiplier", i));
        else
            snprintf(text, sizeof text, "%s", kind);
        shade(f, obj, at, fmin(at + dur, c->horizon > 0 ? c->horizon : at + dur),
              strcmp(kind, "fail") ? "#fbe3b4" : "#f6c9c0", text);
        shaded++;
    }
    return shaded;
}

int fig_ts_col(const tab_table *ts, const char *fmt, const char *name)
{
    char col[256];
    snprintf(col, sizeof col, fmt, name);
    int c = tab_col(ts, col);
    return (c >= 0 && isfinite(fig_ts_max(ts, c))) ? c : -1; /* all empty: as if missing */
}

void fig_empty_plot(FILE *f, const char *text)
{
    char q[300];
    fprintf(f, "set yrange [0:1]\nset label 990 %s at graph 0.5, 0.5 center textcolor rgb "
               "'#777777'\nplot NaN notitle\nunset label 990\n", gp_quote(q, sizeof q, text));
}

void fig_ts_write(FILE *f, const tab_table *ts, const int *cols, int n)
{
    int c0 = tab_col(ts, "t_start"), c1 = tab_col(ts, "t_end");
    for (int r = 0; r < tab_rows(ts); r++) {
        double t0 = tab_num(ts, r, c0), t1 = tab_num(ts, r, c1);
        double t = isfinite(t1) ? (t0 + t1) / 2 : t0;
        if (!isfinite(t))
            continue;
        fig_num(f, t);
        for (int i = 0; i < n; i++) {
            fputc(' ', f);
            fig_num(f, cols[i] >= 0 ? tab_num(ts, r, cols[i]) : NAN);
        }
        fputc('\n', f);
    }
}

double fig_ts_max(const tab_table *ts, int col)
{
    double m = NAN;
    for (int r = 0; r < tab_rows(ts); r++) {
        double v = tab_num(ts, r, col);
        if (isfinite(v) && !(v <= m))
            m = v;
    }
    return m;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double *fig_sorted(const double *v, int *n)
{
    double *s = malloc((*n > 0 ? *n : 1) * sizeof *s);
    int m = 0;
    for (int i = 0; s && i < *n; i++)
        if (isfinite(v[i]))
            s[m++] = v[i];
    if (s)
        qsort(s, m, sizeof *s, cmp_double);
    *n = m;
    return s;
}

double fig_quantile(const double *x, int n, double q)
{
    if (n <= 0)
        return NAN;
    double pos = q * (n - 1);
    int i = (int)pos;
    if (i >= n - 1)
        return x[n - 1];
    return x[i] + (pos - i) * (x[i + 1] - x[i]);
}

void fig_write_ecdf(FILE *f, const double *x, int n, double scale, int maxpts)
{
    /* rows (x_j, F(x_j)) for 'with steps': flat at F(x_j) until x_{j+1} */
    int stride = n > maxpts ? (n + maxpts - 1) / maxpts : 1;
    fputs("0 0\n", f);
    for (int j = stride - 1;; j += stride) {
        if (j > n - 1)
            j = n - 1;
        if (j < 0)
            break;
        fig_num(f, x[j]);
        fputc(' ', f);
        fig_num(f, scale * (j + 1) / n);
        fputc('\n', f);
        if (j == n - 1)
            break;
    }
}

/* gnuplot expression of a named dist's CDF; see fig_dist_cdf. */
int fig_dist_cdf(const rd_run *rd, const char *path, char *buf, size_t n, char *desc, size_t dn)
{
    const char *d = rd_str(rd, RD_SCENARIO, "%s.dist", path);
#define P(k) rd_num(rd, RD_SCENARIO, NAN, "%s." k, path)
    if (!d)
        return -1;
    if (!strcmp(d, "exponential") && P("rate") > 0) {
        snprintf(buf, n, "(1 - exp(-%.12g*x))", P("rate"));
        snprintf(desc, dn, "exponential, rate %g /s (mean %g s)", P("rate"), 1 / P("rate"));
    } else if (!strcmp(d, "deterministic") && P("value") >= 0) {
        snprintf(buf, n, "(x >= %.12g ? 1 : 0)", P("value"));
        snprintf(desc, dn, "deterministic, %g s", P("value"));
    } else if (!strcmp(d, "weibull") && P("shape") > 0 && P("scale") > 0) {
        snprintf(buf, n, "(x > 0 ? 1 - exp(-(x/%.12g)**%.12g) : 0)", P("scale"), P("shape"));
        snprintf(desc, dn, "Weibull, shape %g, scale %g s", P("shape"), P("scale"));
    } else if (!strcmp(d, "lognormal") && P("sigma") > 0 && isfinite(P("mu"))) {
        snprintf(buf, n, "(x > 0 ? norm((log(x) - (%.12g))/%.12g) : 0)", P("mu"), P("sigma"));
        snprintf(desc, dn, "lognormal, mu %g, sigma %g", P("mu"), P("sigma"));
    } else if (!strcmp(d, "gamma") && P("shape") > 0 && P("scale") > 0) {
        snprintf(buf, n, "(x > 0 ? igamma(%.12g, x/%.12g) : 0)", P("shape"), P("scale"));
        snprintf(desc, dn, "gamma, shape %g, scale %g s", P("shape"), P("scale"));
    } else {
        return -1;
    }
#undef P
    return 0;
}

/* Number of pools or clients (KIND "pools"/"clients") and the I-th name,
 * from results.json, else scenario.json. */
static int entity_count(const rd_run *rd, const char *kind)
{
    int n = rd_count(rd, RD_RESULTS, "%s", kind);
    return n ? n : rd_count(rd, RD_SCENARIO, "%s", kind);
}

static const char *entity_name(const rd_run *rd, const char *kind, int i)
{
    if (rd_count(rd, RD_RESULTS, "%s", kind))
        return rd_key(rd, RD_RESULTS, i, "%s", kind);
    return rd_key(rd, RD_SCENARIO, i, "%s", kind);
}

int fig_make_run(const rd_run *rd, gp_ctx *g, fig_list *out)
{
    char path[4300];
    fig_run c = {.rd = rd, .gp = g, .out = out};
    snprintf(path, sizeof path, "%s/timeseries.csv", rd_outdir(rd));
    c.ts = tab_load(path);
    if (c.ts && (tab_rows(c.ts) == 0 || tab_col(c.ts, "t_start") < 0)) {
        tab_free(c.ts);
        c.ts = NULL;
        fig_note(out, &c.oom, "timeseries.csv has no rows or no t_start column: the figures over "
                 "time are skipped.");
    } else if (!c.ts) {
        fig_note(out, &c.oom, "timeseries.csv is missing: the figures over time are skipped.");
    }
    c.horizon = rd_num(rd, RD_RESULTS, NAN, "horizon");
    if (!(c.horizon > 0))
        c.horizon = rd_num(rd, RD_SCENARIO, NAN, "horizon");
    /* no replication finished and the overload guard stopped one: its series
     * ends there, so the time axes do too (the storm fills the figure) */
    double stopped = rd_num(rd, RD_RESULTS, NAN, "runaway.t");
    if (rd_num(rd, RD_RESULTS, 1, "replications") == 0 && stopped > 0 && stopped < c.horizon)
        c.horizon = stopped;
    c.warmup = rd_num(rd, RD_RESULTS, rd_num(rd, RD_SCENARIO, 0, "warmup"), "warmup");
    c.scn = rd_str(rd, RD_RESULTS, "scenario.name");
    if (!c.scn)
        c.scn = rd_str(rd, RD_SCENARIO, "name");
    if (!c.scn)
        c.scn = "";
    int np = entity_count(rd, "pools"), nc = entity_count(rd, "clients");
    for (int i = 0; i < np; i++)
        if (entity_name(rd, "pools", i))
            fig_pool_up(&c, entity_name(rd, "pools", i));
    for (int i = 0; i < nc; i++)
        if (entity_name(rd, "clients", i))
            fig_client_traffic(&c, entity_name(rd, "clients", i));
    if (c.ts && nc > 0) {
        const char **names = calloc((size_t)nc, sizeof *names);
        if (!names)
            c.oom = 1;
        for (int i = 0; names && i < nc; i++)
            names[i] = entity_name(rd, "clients", i);
        for (int i = 0; names && i < np; i++)
            if (entity_name(rd, "pools", i))
                fig_pool_detect(&c, entity_name(rd, "pools", i), names, nc);
        free(names);
        for (int i = 0; i < nc; i++)
            if (entity_name(rd, "clients", i))
                fig_detection(&c, entity_name(rd, "clients", i));
    }
    for (int i = 0; i < np; i++)
        if (entity_name(rd, "pools", i))
            fig_limit(&c, 1, entity_name(rd, "pools", i));
    for (int i = 0; i < nc; i++)
        if (entity_name(rd, "clients", i))
            fig_limit(&c, 0, entity_name(rd, "clients", i));
    fig_slo_burn(&c);
    fig_latency(&c);
    fig_breakers(&c);
    for (int i = 0; i < np; i++)
        if (entity_name(rd, "pools", i))
            fig_updown(&c, entity_name(rd, "pools", i));
    for (int i = 0; i < nc; i++)
        if (entity_name(rd, "clients", i))
            fig_retry_delays(&c, entity_name(rd, "clients", i));
    fig_outcomes(&c);
    for (int i = 0; i < np; i++)
        if (entity_name(rd, "pools", i))
            fig_pool_load(&c, entity_name(rd, "pools", i));
    tab_free(c.ts);
    return c.oom ? -1 : 0;
}
