/* loader_set.c - "PATH=VALUE" overrides (--set, --vary) and key-path parsing.
 *
 * PATH is the key path of error messages: keys separated by dots, pool and
 * client elements by name (pools.api.service.rate) or by index (pools[0]),
 * other list elements by index (events[1].at, retry.retry_on[0]).  VALUE is
 * JSON; a bare word that is not JSON is a string; null removes the key.
 *
 * An override is checked against the schema and the tree first (dry run) and
 * applied only if the whole path is good, so a failed override changes
 * nothing (short of running out of memory).  Intermediate objects the schema allows are created.  Each applied
 * override is recorded with its canonical path so that later validation
 * errors under it name the override instead of a file position.
 */
#include "loader/loader_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- parsing and looking up paths ---- */

int lpath_parse(char *buf, lpath *p, const char **why)
{
    char *s = buf;
    memset(p, 0, sizeof *p);
    for (;;) {
        char *k = s;
        while (*s && *s != '.' && *s != '[' && *s != ']')
            s++;
        if (s == k) {
            *why = p->n ? "empty key in the path" : "the path must start with a key";
            return -1;
        }
        char ch = *s;
        *s = '\0';
        lpath_key(p, k);
        while (ch == '[') {
            char *end;
            s++;
            if (!isdigit((unsigned char)*s)) {
                *why = "expected an index [N] with N >= 0";
                return -1;
            }
            long idx = strtol(s, &end, 10);
            if (*end != ']' || idx > 100000000) {
                *why = "expected an index [N] with N >= 0";
                return -1;
            }
            lpath_index(p, (int)idx);
            s = end + 1;
            ch = *s;
        }
        if (ch == '\0')
            break;
        if (ch != '.') {
            *why = "expected '.' or '[' between keys";
            return -1;
        }
        s++;
    }
    if (p->overflow) {
        *why = "the path is too deep";
        return -1;
    }
    return 0;
}

/* Index of the first element of ARR whose "name" is NAME, or -1. */
static int named_index(const cJSON *arr, const char *name)
{
    int i = 0;
    for (const cJSON *e = arr ? arr->child : NULL; e; e = e->next, i++) {
        const cJSON *nm = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "name") : NULL;
        if (cJSON_IsString(nm) && !strcmp(nm->valuestring, name))
            return i;
    }
    return -1;
}

const cJSON *lfind(const cJSON *root, const lpath *p)
{
    const cJSON *v = root;
    for (int i = 0; i < p->n && v; i++) {
        const lcomp *c = &p->c[i];
        if (c->kind == LC_INDEX)
            v = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, c->idx) : NULL;
        else if (cJSON_IsObject(v))
            v = cJSON_GetObjectItemCaseSensitive(v, c->s);
        else if (cJSON_IsArray(v))
            v = cJSON_GetArrayItem(v, named_index(v, c->s));
        else
            v = NULL;
    }
    return v;
}

/* ---- the override walk ---- */

typedef struct {
    loader_doc *d;
    FILE *err;
    const char *origin, *assign;
    lpath p;       /* as typed */
    lpath done;    /* canonical, up to where the walk is */
    int record_up; /* record the parent path (list element added or removed) */
    int relabel;   /* a named element was replaced: record it under its new name */
    int attached;  /* VALUE now belongs to the tree */
    char canon[512]; /* the path recorded for the override */
    char alias[512]; /* the same with indexes instead of names */
} lset;

enum { SET_OK = 0, SET_BAD = -1, SET_OOM = -2 };

static int set_fail(lset *ls, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int set_fail(lset *ls, const char *fmt, ...)
{
    char path[512], msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(ls->err, "%s %s: %s: %s\n", ls->origin, ls->assign,
            lpath_format(&ls->done, path, sizeof path), msg);
    return SET_BAD;
}

static int no_such_name(lset *ls, const lschema *sch, const cJSON *arr, const char *name)
{
    const char *names[64] = {NULL};
    char list[400] = "", got[96];
    size_t used = 0;
    int n = 0, size = arr ? cJSON_GetArraySize(arr) : 0;
    for (int i = 0; i < size && n < 64; i++) {
        const char *label = lnames_label_of(arr, i);
        if (!label)
            continue;
        names[n++] = label;
        int w = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", label);
        if (w > 0 && (size_t)w < sizeof list - used)
            used += (size_t)w;
    }
    const char *hint = lsuggest(name, names, n);
    return set_fail(ls, "no %s named %s%s%s%s; the %ss are: %s", sch->what,
                    lstr_quote(name, got, sizeof got), hint ? " (did you mean '" : "",
                    hint ? hint : "", hint ? "'?)" : "", sch->what, n ? list : "(none)");
}

static int container_ok(const cJSON *v, const lschema *s)
{
    return s->type == LS_OBJECT ? cJSON_IsObject(v) : cJSON_IsArray(v);
}

static cJSON *new_container(const lschema *s)
{
    return s->type == LS_OBJECT ? cJSON_CreateObject() : cJSON_CreateArray();
}

/* Set, replace or (VALUE null) remove OBJ.KEY. */
static int put_member(lset *ls, cJSON *obj, const char *key, cJSON *value)
{
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsNull(value)) {
        if (old)
            cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
        return SET_OK;
    }
    int ok = old ? cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value)
                 : cJSON_AddItemToObject(obj, key, value);
    ls->attached = ok != 0;
    return ok ? SET_OK : SET_OOM;
}

static int put_element(lset *ls, cJSON *arr, int idx, cJSON *value)
{
    int size = cJSON_GetArraySize(arr), ok;
    if (cJSON_IsNull(value)) {
        if (idx < size)
            cJSON_DeleteItemFromArray(arr, idx);
        return SET_OK;
    }
    ok = idx < size ? cJSON_ReplaceItemInArray(arr, idx, value) : cJSON_AddItemToArray(arr, value);
    ls->attached = ok != 0;
    return ok ? SET_OK : SET_OOM;
}

/* One key step of the walk: *CUR (an object, or NULL past a missing node in a
 * dry run) -> its member C->s described by *SCH. */
static int step_key(lset *ls, int apply, int last, cJSON **cur, const lschema **sch,
                    const lcomp *c, cJSON *value)
{
    char msg[600], got[96];
    const lkey *k = lschema_key(*sch, c->s);
    lpath_key(&ls->done, c->s);
    if (!k)
        return set_fail(ls, "%s", lschema_unknown_text(*sch, c->s, msg, sizeof msg));
    cJSON *child = *cur ? cJSON_GetObjectItemCaseSensitive(*cur, c->s) : NULL;
    if (last)
        return apply ? put_member(ls, *cur, c->s, value) : SET_OK;
    const lschema *next = k->sub;
    if (!next)
        return set_fail(ls, "is a single value, it has no keys or elements inside");
    if (child && !container_ok(child, next)) {
        if (!next->scalar_ok)
            return set_fail(ls, "is %s, not %s: set it as a whole", ljson_describe(child, got, sizeof got),
                            next->type == LS_OBJECT ? "an object" : "a list");
        child = NULL; /* e.g. timeout: a number becomes {"p_timeout": p} */
        if (apply && !cJSON_IsNull(value))
            cJSON_DeleteItemFromObjectCaseSensitive(*cur, c->s);
    }
    if (!child && apply) {
        if (cJSON_IsNull(value))
            return 1; /* removing something inside what is not there */
        if (!(child = new_container(next)) || !cJSON_AddItemToObject(*cur, c->s, child)) {
            cJSON_Delete(child);
            return SET_OOM;
        }
    }
    *cur = child;
    *sch = next;
    return SET_OK;
}

/* Push element IDX of a list as its NAME if it has one (keeping the index). */
static void push_elem(lpath *p, const char *name, int idx)
{
    if (name)
        lpath_name(p, name);
    else
        lpath_index(p, idx);
    if (p->n > 0 && !p->overflow)
        p->c[p->n - 1].idx = idx;
}

/* One element step: *CUR (a list or NULL) -> element C (by index or name). */
static int step_elem(lset *ls, int apply, int last, cJSON **cur, const lschema **sch,
                     const lcomp *c, cJSON *value)
{
    char got[96];
    int size = *cur ? cJSON_GetArraySize(*cur) : 0, idx = c->idx;
    if (c->kind != LC_INDEX) {
        if ((*sch)->type != LS_NAMED) {
            lpath_key(&ls->done, c->s);
            return set_fail(ls, "this list is indexed: use [N]");
        }
        if ((idx = named_index(*cur, c->s)) < 0) {
            lpath_key(&ls->done, c->s);
            return no_such_name(ls, *sch, *cur, c->s);
        }
    }
    const char *label = (*sch)->type == LS_NAMED && idx < size ? lnames_label_of(*cur, idx) : NULL;
    push_elem(&ls->done, label, idx);
    if (idx > size)
        return set_fail(ls, "no such element: the list has %d (use [%d] to add one)", size, size);
    if (last) {
        ls->record_up = idx == size || cJSON_IsNull(value);
        if (!apply)
            return SET_OK;
        int rc = put_element(ls, *cur, idx, value);
        if (rc == SET_OK && !ls->record_up && (*sch)->type == LS_NAMED) {
            lpath_pop(&ls->done);
            push_elem(&ls->done, lnames_label_of(*cur, idx), idx);
            ls->relabel = 1;
        }
        return rc;
    }
    cJSON *child = idx < size ? cJSON_GetArrayItem(*cur, idx) : NULL;
    if (!(*sch)->elem)
        return set_fail(ls, "is a single value, it has no keys inside");
    if (child && !cJSON_IsObject(child))
        return set_fail(ls, "is %s, not an object: set it as a whole", ljson_describe(child, got, sizeof got));
    if (!child && apply) {
        if (cJSON_IsNull(value))
            return 1;
        if (!(child = cJSON_CreateObject()) || !cJSON_AddItemToArray(*cur, child)) {
            cJSON_Delete(child);
            return SET_OOM;
        }
    }
    if (!child && idx == size)
        ls->record_up = 1;
    *cur = child;
    *sch = (*sch)->elem;
    return SET_OK;
}

/* Walk the path (apply = 0: only check it).  SET_OK, SET_BAD or SET_OOM. */
static int walk(lset *ls, int apply, cJSON *value)
{
    cJSON *cur = ls->d->root;
    const lschema *sch = &ls_root;
    memset(&ls->done, 0, sizeof ls->done);
    ls->record_up = 0;
    for (int i = 0; i < ls->p.n; i++) {
        const lcomp *c = &ls->p.c[i];
        int last = i == ls->p.n - 1, rc;
        if (sch->type == LS_OBJECT && c->kind == LC_INDEX) {
            lpath_index(&ls->done, c->idx);
            return set_fail(ls, "this is a %s object, not a list", sch->what);
        }
        if (sch->type == LS_OBJECT)
            rc = step_key(ls, apply, last, &cur, &sch, c, value);
        else
            rc = step_elem(ls, apply, last, &cur, &sch, c, value);
        if (rc != SET_OK)
            return rc > 0 ? SET_OK : rc;
    }
    return SET_OK;
}

/* ---- the override ---- */

/* Does TEXT hold the escape \u0000 (a NUL, which would cut C strings short)? */
static int has_nul_escape(const char *text)
{
    const char *e = text + strlen(text);
    unsigned cp;
    for (const char *p = text; *p; p++)
        if (*p == '\\' && p[1]) {
            if (p[1] == 'u' && loc_hex4(p + 2, e, &cp) == 0 && cp == 0)
                return 1;
            p++;
        }
    return 0;
}

static cJSON *parse_value(const char *text, int *bad)
{
    const char *end = NULL, *t = text + strspn(text, " \t\r\n");
    *bad = has_nul_escape(text) ? 2 : 0;
    if (*bad)
        return NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(text, strlen(text) + 1, &end, 1);
    if (v)
        return v;
    if (*t == '{' || *t == '[' || *t == '"') {
        *bad = 1; /* looks like JSON but is not: do not turn a typo into a string */
        return NULL;
    }
    return cJSON_CreateString(text);
}

/* The canonical path of the override, from the walk just done.  Labels in
 * ls->done point into the tree: call it before the tree changes (or, for a
 * replaced element, right after, when only that element is named). */
static void canon_path(lset *ls)
{
    lpath at = ls->done;
    if (ls->record_up && at.n > 1)
        at.n--;
    lpath_format(&at, ls->canon, sizeof ls->canon);
    for (int i = 0; i < at.n; i++)
        if (at.c[i].kind == LC_NAME)
            at.c[i].kind = LC_INDEX;
    lpath_format(&at, ls->alias, sizeof ls->alias);
}

static int record(lset *ls, const char *origin, const char *assign)
{
    loader_override *grown = realloc(ls->d->sets, ((size_t)ls->d->nsets + 1) * sizeof *grown);
    if (!grown)
        return SET_OOM;
    ls->d->sets = grown;
    loader_override *o = &grown[ls->d->nsets];
    o->origin = strdup(origin);
    o->assign = strdup(assign);
    o->path = strdup(ls->canon);
    o->alias = strdup(ls->alias);
    if (!o->origin || !o->assign || !o->path || !o->alias) {
        free(o->origin);
        free(o->assign);
        free(o->path);
        free(o->alias);
        return SET_OOM;
    }
    ls->d->nsets++;
    return SET_OK;
}

int loader_set_as(loader_doc *d, const char *assignment, const char *origin, FILE *err)
{
    const char *eq = strchr(assignment, '='), *why = NULL;
    lset ls;
    int bad, rc;
    memset(&ls, 0, sizeof ls);
    ls.d = d, ls.err = err, ls.origin = origin, ls.assign = assignment;
    if (!eq || eq == assignment) {
        fprintf(err, "%s %s: expected PATH=VALUE, e.g. clients.web.timeout=0.2\n", origin, assignment);
        return -1;
    }
    char *path = strndup(assignment, (size_t)(eq - assignment));
    cJSON *value = path ? parse_value(eq + 1, &bad) : NULL;
    if (path && lpath_parse(path, &ls.p, &why) != 0) {
        fprintf(err, "%s %s: bad path: %s\n", origin, assignment, why);
        rc = SET_BAD;
    } else if (path && bad == 2) {
        fprintf(err, "%s %s: \\u0000 (a NUL character) cannot be used in a value\n", origin,
                assignment);
        rc = SET_BAD;
    } else if (path && bad) {
        fprintf(err, "%s %s: the value is not valid JSON (quote strings as '\"text\"')\n", origin,
                assignment);
        rc = SET_BAD;
    } else if (!value) {
        rc = SET_OOM;
    } else if ((rc = walk(&ls, 0, value)) == SET_OK) {
        canon_path(&ls);
        if ((rc = walk(&ls, 1, value)) == SET_OK) {
            if (ls.relabel)
                canon_path(&ls);
            rc = record(&ls, origin, assignment);
        }
    }
    if (rc == SET_OOM)
        fprintf(err, "%s %s: out of memory\n", origin, assignment);
    if (!ls.attached)
        cJSON_Delete(value);
    free(path);
    return rc == SET_OK ? 0 : -1;
}

int loader_set(loader_doc *d, const char *assignment, FILE *err)
{
    return loader_set_as(d, assignment, "--set", err);
}
