/* loader_value.c - typed getters with range checks, and pool/client names.
 *
 * Each getter looks KEY up in OBJ (case-sensitively; duplicates are reported
 * elsewhere), checks its type and range, reports at the key path, and returns
 * 1 (present and valid, *out set), 0 (absent, *out untouched: the default
 * stays) or -1 (error reported).  Numbers are read from valuedouble only
 * (cJSON's valueint saturates); integers must have no fractional part.
 */
#include "loader/loader_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- describing values and ranges ---- */

char *ljson_describe(const cJSON *v, char *buf, size_t size)
{
    char tmp[64];
    if (cJSON_IsNumber(v))
        snprintf(buf, size, "%s", lnum_format(v->valuedouble, tmp, sizeof tmp));
    else if (cJSON_IsString(v))
        lstr_quote(v->valuestring, buf, size);
    else if (cJSON_IsTrue(v))
        snprintf(buf, size, "true");
    else if (cJSON_IsFalse(v))
        snprintf(buf, size, "false");
    else if (cJSON_IsNull(v))
        snprintf(buf, size, "null");
    else if (cJSON_IsObject(v))
        snprintf(buf, size, "an object");
    else if (cJSON_IsArray(v))
        snprintf(buf, size, "a list");
    else
        snprintf(buf, size, "an invalid value");
    return buf;
}

char *lrange_text(lrange r, char *buf, size_t size)
{
    char lo[40], hi[40];
    const char *what = r.integer ? "an integer" : "a number";
    lnum_format(r.lo, lo, sizeof lo);
    lnum_format(r.hi, hi, sizeof hi);
    if (r.lo == -HUGE_VAL && r.hi == HUGE_VAL)
        snprintf(buf, size, "%s", what);
    else if (r.hi == HUGE_VAL)
        snprintf(buf, size, "%s %s %s", what, r.lo_open ? ">" : ">=", lo);
    else if (r.lo == -HUGE_VAL)
        snprintf(buf, size, "%s %s %s", what, r.hi_open ? "<" : "<=", hi);
    else
        snprintf(buf, size, "%s in %c%s, %s%c", what, r.lo_open ? '(' : '[', lo, hi,
                 r.hi_open ? ')' : ']');
    return buf;
}

/* ---- numbers ---- */

int lv_check_num(lctx *c, const cJSON *v, lrange r, double *out)
{
    char want[96], got[96];
    if (!cJSON_IsNumber(v)) {
        lerr(c, AT_VALUE, "must be %s, got %s", lrange_text(r, want, sizeof want),
             ljson_describe(v, got, sizeof got));
        return -1;
    }
    double d = v->valuedouble;
    if (!isfinite(d)) {
        lerr(c, AT_VALUE, "number out of range (it overflows a double), expected %s",
             lrange_text(r, want, sizeof want));
        return -1;
    }
    if ((r.integer && d != floor(d)) || d < r.lo || (r.lo_open && d == r.lo) || d > r.hi ||
        (r.hi_open && d == r.hi)) {
        lerr(c, AT_VALUE, "must be %s, got %s", lrange_text(r, want, sizeof want),
             ljson_describe(v, got, sizeof got));
        return -1;
    }
    *out = d;
    return 1;
}

static void missing(lctx *c, const char *key, const char *expect)
{
    lpath_key(&c->path, key);
    lerr(c, AT_PARENT, "missing required key, expected %s", expect);
    lpath_pop(&c->path);
}

/* Common head of the getters: look KEY up, report it missing if REQUIRED
 * (EXPECT says what was expected). */
static const cJSON *fetch(lctx *c, const cJSON *obj, const char *key, int required,
                          const char *expect, int *rc)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *rc = 0;
    if (!v && required) {
        missing(c, key, expect);
        *rc = -1;
    }
    return v;
}

int lv_num(lctx *c, const cJSON *obj, const char *key, lrange r, int required, double *out)
{
    char want[96];
    int rc;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (required)
            missing(c, key, lrange_text(r, want, sizeof want));
        return required ? -1 : 0;
    }
    lpath_key(&c->path, key);
    rc = lv_check_num(c, v, r, out);
    lpath_pop(&c->path);
    return rc;
}

int lv_int(lctx *c, const cJSON *obj, const char *key, lrange r, int required, int *out)
{
    double d;
    r.integer = 1;
    int rc = lv_num(c, obj, key, r, required, &d);
    if (rc == 1)
        *out = (int)d;
    return rc;
}

/* ---- strings, enumerations, containers ---- */

static int wrong_type(lctx *c, const char *key, const cJSON *v, const char *expect)
{
    char got[96];
    lpath_key(&c->path, key);
    lerr(c, AT_VALUE, "must be %s, got %s", expect, ljson_describe(v, got, sizeof got));
    lpath_pop(&c->path);
    return -1;
}

int lv_str(lctx *c, const cJSON *obj, const char *key, int required, const char *expect,
           const char **out)
{
    int rc;
    const cJSON *v = fetch(c, obj, key, required, expect, &rc);
    if (!v)
        return rc;
    if (!cJSON_IsString(v))
        return wrong_type(c, key, v, expect);
    *out = v->valuestring;
    return 1;
}

static void enum_list(const lenum *tab, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (; tab->name && used + 1 < size; tab++) {
        int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", tab->name);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

int lv_check_enum(lctx *c, const cJSON *v, const lenum *tab, const lenum **out)
{
    char list[256], got[96];
    const char *names[32];
    int n = 0;
    if (cJSON_IsString(v))
        for (const lenum *e = tab; e->name; e++)
            if (!strcmp(e->name, v->valuestring)) {
                *out = e;
                return 1;
            }
    enum_list(tab, list, sizeof list);
    if (!cJSON_IsString(v)) {
        lerr(c, AT_VALUE, "must be one of %s, got %s", list, ljson_describe(v, got, sizeof got));
        return -1;
    }
    for (const lenum *e = tab; e->name && n < 32; e++)
        names[n++] = e->name;
    const char *hint = lsuggest(v->valuestring, names, n);
    lstr_quote(v->valuestring, got, sizeof got);
    if (hint)
        lerr(c, AT_VALUE, "must be one of %s, got %s (did you mean '%s'?)", list, got, hint);
    else
        lerr(c, AT_VALUE, "must be one of %s, got %s", list, got);
    return -1;
}

int lv_enum(lctx *c, const cJSON *obj, const char *key, const lenum *tab, int required,
            const lenum **out)
{
    char list[256], expect[300];
    int rc;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (required) {
            enum_list(tab, list, sizeof list);
            snprintf(expect, sizeof expect, "one of %s", list);
            missing(c, key, expect);
        }
        return required ? -1 : 0;
    }
    lpath_key(&c->path, key);
    rc = lv_check_enum(c, v, tab, out);
    lpath_pop(&c->path);
    return rc;
}

int lv_object(lctx *c, const cJSON *obj, const char *key, int required, const char *expect,
              const cJSON **out)
{
    int rc;
    const cJSON *v = fetch(c, obj, key, required, expect, &rc);
    if (!v)
        return rc;
    if (!cJSON_IsObject(v))
        return wrong_type(c, key, v, expect);
    *out = v;
    return 1;
}

int lv_array(lctx *c, const cJSON *obj, const char *key, int required, int min, int max,
             const char *expect, const cJSON **out)
{
    int rc;
    const cJSON *v = fetch(c, obj, key, required, expect, &rc);
    if (!v)
        return rc;
    if (!cJSON_IsArray(v))
        return wrong_type(c, key, v, expect);
    int n = cJSON_GetArraySize(v);
    if (n < min || n > max) {
        lpath_key(&c->path, key);
        if (n < min)
            lerr(c, AT_VALUE, "must have at least %d element%s, got %d", min, min == 1 ? "" : "s", n);
        else
            lerr(c, AT_VALUE, "too many elements (%d), at most %d", n, max);
        lpath_pop(&c->path);
        return -1;
    }
    *out = v;
    return 1;
}

/* ---- names of pools and clients ---- */

static const char *elem_name(const cJSON *e)
{
    const cJSON *nm = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "name") : NULL;
    return cJSON_IsString(nm) && loader_is_ident(nm->valuestring) ? nm->valuestring : NULL;
}

const char *lnames_label_of(const cJSON *arr, int i)
{
    const char *name = elem_name(cJSON_GetArrayItem(arr, i));
    const cJSON *e = arr ? arr->child : NULL;
    for (int j = 0; name && e && j < i; j++, e = e->next) {
        const char *other = elem_name(e);
        if (other && !strcmp(other, name))
            return NULL;
    }
    return name;
}

static int by_name(const void *a, const void *b)
{
    const struct lname_ent *x = a, *y = b;
    int d = strcmp(x->name, y->name);
    return d ? d : (x->idx > y->idx) - (x->idx < y->idx);
}

int lnames_init(lctx *c, lnames *t, const cJSON *arr, const char *what)
{
    memset(t, 0, sizeof *t);
    t->what = what;
    t->n = cJSON_GetArraySize(arr);
    t->label = calloc((size_t)t->n + 1, sizeof *t->label);
    t->sorted = calloc((size_t)t->n + 1, sizeof *t->sorted);
    if (!t->label || !t->sorted)
        return -1;
    int i = 0, m = 0;
    for (const cJSON *e = arr->child; e && i < t->n; e = e->next, i++)
        if ((t->label[i] = elem_name(e)))
            t->sorted[m++] = (struct lname_ent){t->label[i], i};
    qsort(t->sorted, (size_t)m, sizeof *t->sorted, by_name);
    int u = 0;
    for (int k = 0; k < m; k++) {
        if (u > 0 && !strcmp(t->sorted[u - 1].name, t->sorted[k].name)) {
            int dup = t->sorted[k].idx;
            t->label[dup] = NULL;
            lpath_index(&c->path, dup);
            lpath_key(&c->path, "name");
            lerr(c, AT_VALUE, "duplicate %s name '%s': names must be unique", what,
                 t->sorted[k].name);
            lpath_pop(&c->path);
            lpath_pop(&c->path);
            continue;
        }
        t->sorted[u++] = t->sorted[k];
    }
    t->nsorted = u;
    return 0;
}

void lnames_free(lnames *t)
{
    free(t->label);
    free(t->sorted);
    memset(t, 0, sizeof *t);
}

int lnames_find(const lnames *t, const char *name)
{
    int lo = 0, hi = t->nsorted - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2, d = strcmp(t->sorted[mid].name, name);
        if (d == 0)
            return t->sorted[mid].idx;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

void lnames_push(lctx *c, const lnames *t, int i)
{
    if (i < t->n && t->label[i])
        lpath_name(&c->path, t->label[i]);
    else
        lpath_index(&c->path, i);
}

/* "api, db, cache" in file order (at most 10). */
static void names_text(const lnames *t, char *buf, size_t size)
{
    size_t used = 0;
    int shown = 0;
    buf[0] = '\0';
    for (int i = 0; i < t->n; i++) {
        if (!t->label[i])
            continue;
        int w = shown == 10 ? snprintf(buf + used, size - used, ", ...")
                            : snprintf(buf + used, size - used, "%s%s", shown ? ", " : "", t->label[i]);
        if (w < 0 || (size_t)w >= size - used || shown++ == 10)
            break;
        used += (size_t)w;
    }
}

int lv_ref(lctx *c, const cJSON *obj, const char *key, const lnames *t, int required, int *idx)
{
    char expect[64], got[96], list[400];
    const char *name, *names[64];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v)) { /* absent or not a string: lv_str says which */
        snprintf(expect, sizeof expect, "the name of a %s", t->what);
        return lv_str(c, obj, key, required, expect, &name);
    }
    name = v->valuestring;
    int i = lnames_find(t, name);
    if (i >= 0) {
        *idx = i;
        return 1;
    }
    int n = 0;
    for (int k = 0; k < t->nsorted && n < 64; k++)
        names[n++] = t->sorted[k].name;
    const char *hint = lsuggest(name, names, n);
    names_text(t, list, sizeof list);
    lpath_key(&c->path, key);
    lerr(c, AT_VALUE, "no %s named %s%s%s%s; the %ss are: %s", t->what,
         lstr_quote(name, got, sizeof got), hint ? " (did you mean '" : "", hint ? hint : "",
         hint ? "'?)" : "", t->what, list[0] ? list : "(none valid)");
    lpath_pop(&c->path);
    return -1;
}
