/* cmd_check.c - `relsim check SCENARIO.json [--set PATH=VALUE ...] [--resolved]
 *                 [--variants FILE] [--variant NAME:PATH=VALUE;...]`.
 *
 * Validate only: parse, apply the overrides, check every value.  Exits 0
 * when the scenario is valid, after printing one line (the work estimate,
 * app/workest.h) or, with --resolved, the scenario with every default filled
 * in (as scenario.resolved.json, JSON only); otherwise prints every problem
 * found (file:line:column, key path, what was expected) on stderr and exits 2.
 * With variants (app/sweep_variant.h) every variant of the scenario is
 * checked as `relsim sweep` would build it, one line each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cmd.h"
#include "app/sweep_variant.h"
#include "app/workest.h"
#include "loader/loader.h"

static const char *check_usage =
    "usage: relsim check SCENARIO.json [--set PATH=VALUE ...] [--resolved]\n"
    "\n"
    "Parse SCENARIO.json, apply the overrides and check every value.  If the\n"
    "scenario is valid, prints one line (entities, expected events per replication,\n"
    "estimated wall time on one core at the benchmark's speed; with --resolved the\n"
    "resolved scenario instead) and exits 0;\n"
    "otherwise prints each problem (file:line:column, key path, what was expected)\n"
    "on stderr and exits 2.  Expected work above limits.max_events is a problem too.\n"
    "\n"
    "  --set PATH=VALUE   override a value (repeatable), e.g.\n"
    "                       --set horizon=7200\n"
    "                       --set clients.web.retry.max_attempts=5\n"
    "                       --set clients.web.breaker.kind=failure_rate\n"
    "                       --set 'events[0].at=120'\n"
    "                     PATH names pools and clients by name; VALUE is JSON, a bare\n"
    "                     word is a string, null removes the key.\n"
    "  --resolved         print the scenario with every default filled in (the\n"
    "                     scenario.resolved.json a run would write)\n"
    "  --variants FILE    check every variant of a variants file (as `relsim sweep\n"
    "                     --variants` builds them; docs/COMPARING.md), one line each\n"
    "  --variant NAME:PATH=VALUE;...  the same for one variant (repeatable)\n"
    "  -h, --help         this help\n"
    "\n"
    "The scenario format is described in docs/SCENARIO.md.\n";

static int usage_error(const char *fmt, const char *arg, char **sets)
{
    fputs("relsim check: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (try: relsim check --help)\n", stderr);
    free(sets);
    return EXIT_USAGE;
}

/* Build one variant of BASE; print its line.  0, or -1 after printing why. */
static int check_variant(const loader_doc *base, const sw_variant *v, const char *file)
{
    scenario s;
    loader_doc *d = loader_clone(base);
    if (!d) {
        fputs("relsim check: out of memory\n", stderr);
        return -1;
    }
    int rc = sweep_variant_apply(v, d, stderr);
    if (rc == 0 && (rc = loader_build(d, &s, stderr)) == 0) {
        if ((rc = we_refuse_if_too_big(&s, file, stderr)) == 0) {
            we_estimate e;
            char line[600];
            we_estimate_of(&s, &e);
            we_describe(&s, &e, line, sizeof line);
            printf("variant %s: %s\n", v->name, line);
        }
        scenario_free(&s);
    }
    loader_close(d);
    return rc;
}

/* Every variant of VFILE and VARGS applied to FILE (after SETS). */
static int check_variants(const char *file, char **sets, int nsets, const char *vfile, char **vargs,
                          int nvargs)
{
    sw_variants vs;
    int rc = 0;
    loader_doc *d = loader_open(file, stderr);
    for (int i = 0; d && i < nsets; i++)
        rc |= loader_set(d, sets[i], stderr);
    if (!d || rc || sweep_variants_parse(&vs, vfile, vargs, nvargs, stderr)) {
        if (d && !rc)
            sweep_variants_free(&vs);
        loader_close(d);
        return EXIT_USAGE;
    }
    for (int i = 0; i < vs.n; i++) /* every variant, so every problem is shown */
        rc |= check_variant(d, &vs.v[i], file);
    sweep_variants_free(&vs);
    loader_close(d);
    return rc ? EXIT_USAGE : EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
    const char *file = NULL, *vfile = NULL;
    int nsets = 0, only_files = 0, resolved = 0, nvargs = 0;
    /* --set and --variant texts share one array: sets from the front, variants from the back */
    char **sets = calloc((size_t)argc + 1, sizeof *sets), **vargs = sets ? sets + argc : NULL;
    if (!sets) {
        fputs("relsim check: out of memory\n", stderr);
        return EXIT_FAIL;
    }
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (!only_files && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
            fputs(check_usage, stdout);
            free(sets);
            return EXIT_OK;
        } else if (!only_files && !strcmp(a, "--set")) {
            if (i + 1 >= argc)
                return usage_error("%s needs PATH=VALUE", a, sets);
            sets[nsets++] = argv[++i];
        } else if (!only_files && !strncmp(a, "--set=", 6)) {
            sets[nsets++] = a + 6;
        } else if (!only_files && !strcmp(a, "--resolved")) {
            resolved = 1;
        } else if (!only_files && (!strcmp(a, "--variants") || !strcmp(a, "--variant"))) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a, sets);
            if (a[9] == 's' && vfile)
                return usage_error("%s is given twice", a, sets);
            if (a[9] == 's')
                vfile = argv[++i];
            else
                *--vargs = argv[++i], nvargs++;
        } else if (!only_files && !strcmp(a, "--")) {
            only_files = 1;
        } else if (!only_files && a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", a, sets);
        } else if (file) {
            return usage_error("one scenario file at a time (extra: '%s')", a, sets);
        } else {
            file = a;
        }
    }
    if (!file)
        return usage_error("%s", "missing SCENARIO.json", sets);
    if ((vfile || nvargs) && resolved)
        return usage_error("%s", "--resolved prints one scenario: give the variant's changes with --set", sets);
    if (vfile || nvargs) {
        for (int k = 0; k < nvargs / 2; k++) { /* back into command-line order */
            char *t = vargs[k];
            vargs[k] = vargs[nvargs - 1 - k];
            vargs[nvargs - 1 - k] = t;
        }
        int rc = check_variants(file, sets, nsets, vfile, vargs, nvargs);
        free(sets);
        return rc;
    }
    scenario s;
    int rc = loader_load(file, sets, nsets, &s, stderr);
    if (rc == 0 && we_refuse_if_too_big(&s, file, stderr)) {
        scenario_free(&s);
        rc = -1;
    }
    free(sets);
    if (rc != 0)
        return EXIT_USAGE;
    int out = EXIT_OK;
    if (!resolved) {
        we_estimate e;
        char line[600];
        we_estimate_of(&s, &e);
        we_describe(&s, &e, line, sizeof line);
        printf("%s\n", line);
    } else {
        char *text = loader_resolved_json(&s);
        if (text)
            puts(text);
        else
            fputs("relsim check: out of memory\n", stderr);
        out = text ? EXIT_OK : EXIT_FAIL;
        free(text);
    }
    scenario_free(&s);
    return out;
}
