/* sweep_variant.c - named variants for `relsim sweep`; see sweep_variant.h. */
#include "app/sweep_variant.h"
#include "app/sweep_axis.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define WHAT "variants file"

/* ---- building the list -------------------------------------------------------- */

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SW_VARIANT_NAME_MAX)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
            return 0;
    return 1;
}

/* A new variant called NAME at the end of VS, or NULL on ENOMEM. */
static sw_variant *add_variant(sw_variants *vs, const char *name, size_t len)
{
    sw_variant *grown = realloc(vs->v, (size_t)(vs->n + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    vs->v = grown;
    sw_variant *v = &grown[vs->n];
    memset(v, 0, sizeof *v);
    if (!(v->name = strndup(name, len)))
        return NULL;
    vs->n++;
    return v;
}

/* Append the change ASSIGN (taken) written at ORIGIN (taken).  0 or -1 (ENOMEM). */
static int add_set(sw_variant *v, char *assign, char *origin)
{
    char **a = realloc(v->assign, (size_t)(v->nsets + 1) * sizeof *a);
    if (a)
        v->assign = a;
    char **o = a ? realloc(v->origin, (size_t)(v->nsets + 1) * sizeof *o) : NULL;
    if (o)
        v->origin = o;
    if (!a || !o || !assign || !origin) {
        free(assign);
        free(origin);
        return -1;
    }
    v->assign[v->nsets] = assign;
    v->origin[v->nsets] = origin;
    v->nsets++;
    return 0;
}

static char *joined(const char *a, const char *sep, const char *b)
{
    size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, sep, b);
    return s;
}

/* ---- --variant NAME:PATH=VALUE;PATH=VALUE ------------------------------------- */

static int arg_error(FILE *err, const char *arg, const char *msg, const char *detail)
{
    fprintf(err, "relsim sweep: --variant %s: %s%s\n", arg, msg, detail ? detail : "");
    return -1;
}

/* Split S on the semicolons outside quotes and brackets into V's changes. */
static int split_sets(sw_variant *v, const char *s, const char *arg, FILE *err)
{
    for (;;) {
        const char *b, *e, *p = sweep_next_item(s, ';', &b, &e);
        if (b == e)
            return arg_error(err, arg, "empty change (expected NAME:PATH=VALUE;PATH=VALUE...)", NULL);
        char *assign = strndup(b, (size_t)(e - b));
        if (assign && (!strchr(assign, '=') || *assign == '=')) {
            arg_error(err, arg, "expected PATH=VALUE, got ", assign);
            free(assign);
            return -1;
        }
        char origin[128];
        snprintf(origin, sizeof origin, "--variant %s:", v->name);
        if (add_set(v, assign, strdup(origin)))
            return arg_error(err, arg, "out of memory", NULL);
        if (*p == '\0')
            return 0;
        s = p + 1;
    }
}

static int parse_arg(sw_variants *vs, const char *arg, FILE *err)
{
    const char *colon = strchr(arg, ':');
    size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
    char name[SW_VARIANT_NAME_MAX + 1] = "";
    if (len <= SW_VARIANT_NAME_MAX)
        snprintf(name, sizeof name, "%.*s", (int)len, arg);
    if (!valid_name(name))
        return arg_error(err, arg, "expected NAME:PATH=VALUE;PATH=VALUE... with a NAME of 1 to 63 "
                                   "letters, digits, '_' or '-'", NULL);
    if (sweep_variants_find(vs, name) >= 0)
        return arg_error(err, arg, "two variants are called ", name);
    sw_variant *v = add_variant(vs, arg, len);
    if (!v)
        return arg_error(err, arg, "out of memory", NULL);
    const char *rest = colon ? colon + 1 : "";
    if (strspn(rest, " \t") == strlen(rest))
        return 0; /* NAME or NAME: the scenario unchanged */
    return split_sets(v, rest, arg, err);
}

/* ---- the variants file ------------------------------------------------------------ */

/* Is KEY one of the NULL-terminated KNOWN?  Else report it at PATH.KEY. */
static int known_key(const loader_doc *d, const char *path, const char *key, const char *const *known,
                     FILE *err)
{
    char list[160] = "";
    for (int i = 0; known[i]; i++) {
        if (!strcmp(known[i], key))
            return 0;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", known[i]);
    }
    return loader_error_at(d, path, key, 1, err, "unknown key; expected one of: %s", list);
}

/* Is M the second member of OBJ with its key (cJSON keeps duplicates)?  Reported. */
static int no_duplicate(const loader_doc *d, const char *path, const cJSON *obj, const cJSON *m,
                        FILE *err)
{
    for (const cJSON *o = obj->child; o && o != m; o = o->next)
        if (!strcmp(o->string, m->string))
            return loader_error_at(d, path, m->string, 1, err, "appears twice in the same object");
    return 0;
}

/* A string member, or an error at it. */
static int want_string(const loader_doc *d, const char *path, const cJSON *m, FILE *err)
{
    if (cJSON_IsString(m))
        return 0;
    return loader_error_at(d, path, m->string, 0, err, "must be a string");
}

/* "set": {PATH: VALUE, ...} of variant V at PATH (variants[i]). */
static int file_sets(sw_variant *v, const loader_doc *d, const char *path, const cJSON *set, FILE *err)
{
    char at[600];
    snprintf(at, sizeof at, "%s.set", path);
    if (!cJSON_IsObject(set))
        return loader_error_at(d, path, "set", 0, err,
                               "must be an object {\"PATH\": VALUE, ...}, e.g. {\"clients.web.timeout\": 0.2}");
    for (const cJSON *m = set->child; m; m = m->next) {
        if (no_duplicate(d, at, set, m, err))
            return -1;
        if (!m->string[0] || strchr(m->string, '='))
            return loader_error_at(d, at, m->string, 1, err,
                                   "expected a scenario path such as \"pools.api.admission\"");
        char *text = cJSON_PrintUnformatted(m);
        char *assign = text ? joined(m->string, "=", text) : NULL;
        cJSON_free(text);
        char where[700], *origin;
        loader_where(d, at, m->string, 0, where, sizeof where);
        char tail[SW_VARIANT_NAME_MAX + 16];
        snprintf(tail, sizeof tail, "variant %s:", v->name);
        origin = joined(where, ": ", tail);
        if (add_set(v, assign, origin)) {
            fprintf(err, "relsim sweep: out of memory\n");
            return -1;
        }
    }
    return 0;
}

/* Element I of "variants". */
static int file_variant(sw_variants *vs, const loader_doc *d, int i, const cJSON *e, FILE *err)
{
    static const char *const keys[] = {"name", "description", "set", NULL};
    char path[64];
    snprintf(path, sizeof path, "variants[%d]", i);
    if (!cJSON_IsObject(e))
        return loader_error_at(d, path, NULL, 0, err,
                               "must be an object {\"name\": ..., \"set\": {\"PATH\": VALUE, ...}}");
    for (const cJSON *m = e->child; m; m = m->next)
        if (known_key(d, path, m->string, keys, err) || no_duplicate(d, path, e, m, err))
            return -1;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(e, "description");
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(e, "set");
    if (!name)
        return loader_error_at(d, path, NULL, 0, err, "missing \"name\"");
    if (want_string(d, path, name, err) || (desc && want_string(d, path, desc, err)))
        return -1;
    if (!valid_name(name->valuestring))
        return loader_error_at(d, path, "name", 0, err, "must be 1 to 63 letters, digits, '_' or '-'");
    int dup = sweep_variants_find(vs, name->valuestring);
    if (dup >= 0) {
        char first[32];
        snprintf(first, sizeof first, "variants[%d]", dup);
        char at[600];
        loader_where(d, first, NULL, 0, at, sizeof at);
        return loader_error_at(d, path, "name", 0, err, "two variants are called %s (the other is at %s)",
                               name->valuestring, at);
    }
    sw_variant *v = add_variant(vs, name->valuestring, strlen(name->valuestring));
    if (!v || (desc && !(v->description = strdup(desc->valuestring)))) {
        fprintf(err, "relsim sweep: out of memory\n");
        return -1;
    }
    return set ? file_sets(v, d, path, set, err) : 0;
}

/* The top level: {"description", "baseline", "variants": [...]}. */
static int file_parse(sw_variants *vs, const loader_doc *d, FILE *err)
{
    static const char *const keys[] = {"description", "baseline", "variants", NULL};
    const cJSON *root = loader_tree(d);
    for (const cJSON *m = root->child; m; m = m->next)
        if (known_key(d, "", m->string, keys, err) || no_duplicate(d, "", root, m, err))
            return -1;
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(root, "description");
    const cJSON *base = cJSON_GetObjectItemCaseSensitive(root, "baseline");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "variants");
    if ((desc && want_string(d, "", desc, err)) || (base && want_string(d, "", base, err)))
        return -1;
    if (!list)
        return loader_error_at(d, "", NULL, 0, err,
                               "missing \"variants\": [{\"name\": ..., \"set\": {\"PATH\": VALUE, ...}}, ...]");
    if (!cJSON_IsArray(list) || !list->child)
        return loader_error_at(d, "", "variants", 0, err,
                               "must be a non-empty list [{\"name\": ..., \"set\": {...}}, ...]");
    int i = 0;
    for (const cJSON *e = list->child; e; e = e->next, i++)
        if (file_variant(vs, d, i, e, err))
            return -1;
    if (base && sweep_variants_find(vs, base->valuestring) < 0)
        return loader_error_at(d, "", "baseline", 0, err, "no variant is called \"%s\"", base->valuestring);
    if (base && !(vs->baseline = strdup(base->valuestring))) {
        fprintf(err, "relsim sweep: out of memory\n");
        return -1;
    }
    return 0;
}

int sweep_variants_parse(sw_variants *vs, const char *file, char *const *args, int nargs, FILE *err)
{
    memset(vs, 0, sizeof *vs);
    if (file) {
        loader_doc *d = loader_open_as(file, WHAT, err);
        if (!d)
            return -1;
        int rc = (vs->file = strdup(file)) ? file_parse(vs, d, err) : -1;
        loader_close(d);
        if (rc)
            return -1;
    }
    for (int i = 0; i < nargs; i++)
        if (parse_arg(vs, args[i], err))
            return -1;
    return 0;
}

/* ---- using them ---------------------------------------------------------------------- */

int sweep_variant_apply(const sw_variant *v, loader_doc *d, FILE *err)
{
    for (int k = 0; k < v->nsets; k++)
        if (loader_set_as(d, v->assign[k], v->origin[k], err))
            return -1;
    return 0;
}

int sweep_variants_find(const sw_variants *vs, const char *name)
{
    for (int i = 0; i < vs->n; i++)
        if (!strcmp(vs->v[i].name, name))
            return i;
    return -1;
}

int sweep_variant_overwritten(const sw_variant *v, const char *path)
{
    size_t n = strlen(path);
    for (int k = 0; k < v->nsets; k++) {
        const char *a = v->assign[k], *eq = strchr(a, '=');
        /* the change's path is PATH, or PATH.x / PATH[i]... */
        if ((size_t)(eq - a) >= n && !strncmp(a, path, n) && (a[n] == '=' || a[n] == '.' || a[n] == '['))
            return k;
    }
    return -1;
}

cJSON *sweep_variants_json(const sw_variants *vs)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; arr && i < vs->n; i++) {
        const sw_variant *v = &vs->v[i];
        cJSON *o = cJSON_CreateObject(), *set = cJSON_AddObjectToObject(o, "set");
        cJSON_AddStringToObject(o, "name", v->name);
        if (v->description)
            cJSON_AddStringToObject(o, "description", v->description);
        for (int k = 0; set && k < v->nsets; k++) {
            const char *eq = strchr(v->assign[k], '=');
            char *path = strndup(v->assign[k], (size_t)(eq - v->assign[k]));
            cJSON *val = cJSON_Parse(eq + 1);
            if (!val)
                val = cJSON_CreateString(eq + 1); /* a bare word, as the loader reads it */
            if (path)
                cJSON_AddItemToObject(set, path, val);
            else
                cJSON_Delete(val);
            free(path);
        }
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

void sweep_variants_free(sw_variants *vs)
{
    for (int i = 0; vs->v && i < vs->n; i++) {
        sw_variant *v = &vs->v[i];
        for (int k = 0; k < v->nsets; k++) {
            free(v->assign[k]);
            free(v->origin[k]);
        }
        free(v->assign);
        free(v->origin);
        free(v->name);
        free(v->description);
    }
    free(vs->v);
    free(vs->baseline);
    free(vs->file);
    memset(vs, 0, sizeof *vs);
}
