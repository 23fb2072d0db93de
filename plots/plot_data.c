/* plot_data.c - JSON documents of an output folder, addressed by dotted paths. */
#include "plots/plot_data.h"
#include "plots/sweep_read.h"

#include "loader/loader.h"
#include "util/fsutil.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RD_MAX_BYTES ((size_t)512 << 20)
#define RD_PATH_MAX 1024

/* RD_SCENARIO is scenario.resolved.json, or an older folder's scenario.json
 * (load_scenario). */
static const char *const doc_file[RD_NDOCS] = {"results.json", "scenario.resolved.json", "sweep.json",
                                                 "solve.json"};

struct rd_run {
    char outdir[4096];
    cJSON *doc[RD_NDOCS]; /* RD_SWEEP without its "points": */
    swr_points *points;   /* sweep.json's points, what the figures use of them */
    char warn[2048];
    int scn_point; /* the scenario taken from this sweep point's folder, or -1 */
    /* the last array element reached by index: the figures walk a sweep's
     * points in order, and cJSON finds element i by walking i links, so
     * without it a 10 000-point sweep took O(points^2) steps per series */
    struct {
        const cJSON *array, *item;
        long index;
    } cursor;
};

/* Line and column (1-based) of offset OFF in BUF. */
static void line_col(const char *buf, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && buf[i]; i++) {
        if (buf[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* Parse OUTDIR/NAME into *OUT; 0, 1 if the file does not exist, -1 with a
 * message in ERR on a read or syntax error. */
static int load_doc(const char *outdir, const char *name, cJSON **out, char *err, size_t n)
{
    char path[4200];
    size_t len;
    *out = NULL;
    if (!fs_join(path, sizeof path, outdir, name)) {
        snprintf(err, n, "%s/%s: path too long", outdir, name);
        return -1;
    }
    char *buf = fs_read_file(path, RD_MAX_BYTES, &len);
    if (!buf) {
        if (errno == ENOENT)
            return 1;
        snprintf(err, n, "%s: %s", path, strerror(errno));
        return -1;
    }
    const char *end = NULL;
    *out = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);
    if (!*out) {
        int line, col;
        line_col(buf, end ? (size_t)(end - buf) : 0, &line, &col);
        snprintf(err, n, "%s:%d:%d: not valid JSON", path, line, col);
    }
    free(buf);
    return *out ? 0 : -1;
}

/* *DOC is a folder's scenario.json from before scenario.resolved.json
 * existed: the user's file after overrides, without defaults.  Replace it by
 * what the loader makes of it, every default filled in; keep it as it is if
 * the loader refuses it (an edited or foreign file). */
static void resolve_old(cJSON **doc)
{
    char *text = cJSON_PrintUnformatted(*doc), *res = NULL;
    FILE *sink = fopen("/dev/null", "w");
    loader_doc *d = text && sink ? loader_open_text("scenario.json", text, strlen(text), sink) : NULL;
    scenario s;
    if (d && loader_build(d, &s, sink) == 0) {
        res = loader_resolved_json(&s);
        scenario_free(&s);
    }
    cJSON *r = res ? cJSON_Parse(res) : NULL;
    if (r) {
        cJSON_Delete(*doc);
        *doc = r;
    }
    loader_close(d);
    if (sink)
        fclose(sink);
    free(res);
    free(text);
}

/* The configuration the run in DIR used (see load_doc for the return). */
static int load_scenario(const char *dir, cJSON **out, char *err, size_t n)
{
    int st = load_doc(dir, "scenario.resolved.json", out, err, n);
    if (st != 1)
        return st;
    st = load_doc(dir, "scenario.json", out, err, n);
    if (st == 0)
        resolve_old(out);
    return st;
}

static void add_warning(rd_run *r, const char *msg)
{
    size_t used = strlen(r->warn);
    snprintf(r->warn + used, sizeof r->warn - used, "%s\n", msg);
}

/* A sweep folder without its own scenario.json: read the baseline point's
 * (points[baseline].dir/scenario.json), if it is a plain sub-folder. */
static void point_scenario(rd_run *r)
{
    int base = rd_int(r, RD_SWEEP, 0, "baseline");
    const char *dir = swr_dir(r->points, base);
    char sub[4200], msg[4600];
    if (!dir || strchr(dir, '/') || !strcmp(dir, "..") || !fs_join(sub, sizeof sub, r->outdir, dir))
        return;
    if (load_scenario(sub, &r->doc[RD_SCENARIO], msg, sizeof msg) == 0)
        r->scn_point = base;
}

/* OUTDIR/sweep.json, point by point (see load_doc for the return). */
static int load_sweep(rd_run *r, char *err, size_t n)
{
    char path[4200];
    if (!fs_join(path, sizeof path, r->outdir, doc_file[RD_SWEEP])) {
        snprintf(err, n, "%s/%s: path too long", r->outdir, doc_file[RD_SWEEP]);
        return -1;
    }
    return swr_open(path, &r->doc[RD_SWEEP], &r->points, err, n);
}

rd_run *rd_open(const char *outdir, char *err, size_t errsz)
{
    rd_run *r = calloc(1, sizeof *r);
    char msg[4600];
    if (!r || strlen(outdir) >= sizeof r->outdir) {
        snprintf(err, errsz, "%s", r ? "output folder path too long" : "out of memory");
        free(r);
        return NULL;
    }
    strcpy(r->outdir, outdir);
    int st[RD_NDOCS];
    for (int d = 0; d < RD_NDOCS; d++) {
        msg[0] = '\0';
        st[d] = d == RD_SCENARIO ? load_scenario(outdir, &r->doc[d], msg, sizeof msg)
                : d == RD_SWEEP  ? load_sweep(r, msg, sizeof msg)
                                 : load_doc(outdir, doc_file[d], &r->doc[d], msg, sizeof msg);
        if (st[d] < 0)
            add_warning(r, msg);
    }
    r->scn_point = -1;
    if (r->doc[RD_SWEEP] && !r->doc[RD_SCENARIO])
        point_scenario(r);
    if (r->doc[RD_RESULTS] || r->doc[RD_SWEEP])
        return r;
    if (st[RD_RESULTS] < 0 || st[RD_SWEEP] < 0)
        snprintf(err, errsz, "%s", r->warn);
    else
        snprintf(err, errsz, "%s: no results.json or sweep.json (not a relsim output folder)", outdir);
    size_t l = strlen(err);
    if (l && err[l - 1] == '\n')
        err[l - 1] = '\0';
    rd_free(r);
    return NULL;
}

void rd_free(rd_run *r)
{
    if (!r)
        return;
    for (int d = 0; d < RD_NDOCS; d++)
        cJSON_Delete(r->doc[d]);
    swr_free(r->points);
    free(r);
}

const char *rd_outdir(const rd_run *r) { return r->outdir; }
int rd_has(const rd_run *r, rd_doc d) { return r && d < RD_NDOCS && r->doc[d] != NULL; }
const char *rd_warnings(const rd_run *r) { return r->warn; }
int rd_scenario_point(const rd_run *r) { return r->scn_point; }

/* Element IDX of ARRAY, walking on from the cursor when it is further on in
 * the same array (the documents never change once loaded). */
static const cJSON *array_item(rd_run *r, const cJSON *array, long idx)
{
    const cJSON *el = array->child;
    long at = 0;
    if (r->cursor.array == array && r->cursor.item && r->cursor.index <= idx) {
        el = r->cursor.item;
        at = r->cursor.index;
    }
    for (; el && at < idx; at++)
        el = el->next;
    if (el) {
        r->cursor.array = array;
        r->cursor.item = el;
        r->cursor.index = idx;
    }
    return el;
}

/* One step of a path: member KEY of an object, or element of an array by
 * decimal index or by its "name" member. */
static const cJSON *step(rd_run *r, const cJSON *node, const char *key)
{
    if (cJSON_IsObject(node))
        return cJSON_GetObjectItemCaseSensitive(node, key);
    if (!cJSON_IsArray(node))
        return NULL;
    char *end;
    long idx = strtol(key, &end, 10);
    if (*key && !*end)
        return idx >= 0 ? array_item(r, node, idx) : NULL;
    const cJSON *el;
    cJSON_ArrayForEach(el, node) {
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(el, "name");
        if (cJSON_IsString(nm) && !strcmp(nm->valuestring, key))
            return el;
    }
    return NULL;
}

static const cJSON *vfind(const rd_run *r, rd_doc d, const char *fmt, va_list ap)
{
    char path[RD_PATH_MAX];
    if (!r || d >= RD_NDOCS || !r->doc[d])
        return NULL;
    int n = vsnprintf(path, sizeof path, fmt, ap);
    if (n < 0 || (size_t)n >= sizeof path)
        return NULL;
    const cJSON *node = r->doc[d];
    for (char *seg = path; node && *seg;) {
        char *dot = strchr(seg, '.');
        if (dot)
            *dot = '\0';
        node = step((rd_run *)r, node, seg); /* the cursor is a cache, not state */
        if (!dot)
            break;
        seg = dot + 1;
    }
    return node;
}

#define FIND(node, r, d, fmt)               \
    const cJSON *node;                      \
    do {                                    \
        va_list ap_;                        \
        va_start(ap_, fmt);                 \
        node = vfind((r), (d), (fmt), ap_); \
        va_end(ap_);                        \
    } while (0)

int rd_exists(const rd_run *r, rd_doc d, const char *fmt, ...)
{
    FIND(node, r, d, fmt);
    return node != NULL;
}

static double as_num(const cJSON *n, double dflt)
{
    if (cJSON_IsNumber(n))
        return n->valuedouble;
    return cJSON_IsNull(n) ? NAN : dflt;
}

double rd_num(const rd_run *r, rd_doc d, double dflt, const char *fmt, ...)
{
    FIND(node, r, d, fmt);
    return as_num(node, dflt);
}

int rd_int_of(double v, int dflt)
{
    return isfinite(v) && fabs(v) <= RD_INT_MAX && v == floor(v) ? (int)v : dflt;
}

int rd_int(const rd_run *r, rd_doc d, int dflt, const char *fmt, ...)
{
    FIND(node, r, d, fmt);
    return rd_int_of(as_num(node, dflt), dflt);
}

const char *rd_str(const rd_run *r, rd_doc d, const char *fmt, ...)
{
    FIND(node, r, d, fmt);
    return cJSON_IsString(node) ? node->valuestring : NULL;
}

int rd_bool(const rd_run *r, rd_doc d, int dflt, const char *fmt, ...)
{
    FIND(node, r, d, fmt);
    return cJSON_IsBool(node) ? cJSON_IsTrue(node) : dflt;
}

int rd_stat_at(const rd_run *r, rd_doc d, rd_stat *s, const char *fmt, ...)
{
    FIND(node, r, d, fmt);
    return swr_stat_json(node, s);
}

int rd_count(const rd_run *r, rd_doc d, const char *fmt, ...)
{
    FIND(node, r, d, fmt);
    return (cJSON_IsObject(node) || cJSON_IsArray(node)) ? cJSON_GetArraySize(node) : 0;
}

const char *rd_key(const rd_run *r, rd_doc d, int i, const char *fmt, ...)
{
    FIND(node, r, d, fmt);
    const cJSON *el = (cJSON_IsObject(node) || cJSON_IsArray(node)) ? cJSON_GetArrayItem(node, i)
                                                                     : NULL;
    if (!el)
        return NULL;
    if (cJSON_IsObject(node))
        return el->string;
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(el, "name");
    return cJSON_IsString(nm) ? nm->valuestring : NULL;
}

/* Display text of a scalar node into BUF; NULL if not a scalar. */
static char *scalar_text(const cJSON *node, char *buf, size_t n)
{
    if (cJSON_IsString(node))
        snprintf(buf, n, "%s", node->valuestring);
    else if (cJSON_IsNumber(node))
        snprintf(buf, n, "%.10g", node->valuedouble);
    else if (cJSON_IsBool(node))
        snprintf(buf, n, "%s", cJSON_IsTrue(node) ? "true" : "false");
    else
        return NULL;
    return buf;
}

int rd_sweep_value(const rd_run *r, int point, const char *path, double *num, char *txt,
                   size_t n)
{
    *num = NAN;
    if (n)
        txt[0] = '\0';
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r ? swr_values(r->points, point) : NULL, path);
    if (!scalar_text(v, txt, n))
        return -1;
    if (cJSON_IsNumber(v))
        *num = v->valuedouble;
    return cJSON_IsNumber(v) ? 1 : 0;
}

int rd_sweep_count(const rd_run *r) { return r ? swr_count(r->points) : 0; }
double rd_sweep_index(const rd_run *r, int p, double dflt) { return r ? swr_index(r->points, p, dflt) : dflt; }
const char *rd_sweep_dir(const rd_run *r, int p) { return r ? swr_dir(r->points, p) : NULL; }

int rd_sweep_stat(const rd_run *r, int p, int diff, const char *kind, const char *ent, const char *metric,
                  rd_stat *s)
{
    return r ? swr_stat(r->points, p, diff, kind, ent, metric, s) : -1;
}

const char *rd_sweep_entity(const rd_run *r, const char *kind, int e)
{
    return r ? swr_entity(r->points, kind, e) : NULL;
}
