/* cmd_formula.c - `relsim formula`: evaluate one analytic formula.
 *
 *   relsim formula NAME key=value ... [--json]
 *   relsim formula --list | --help | NAME --help
 *
 * Everything shown (the list, the help pages, input checks) comes from the
 * table in models/analytic.c, so a formula added there appears here at once.
 * Bad input (missing, unknown, duplicated, non-numeric or out-of-range keys,
 * or inputs with no finite value) exits 2 with a message naming the input.
 */
#include "app/cmd.h"
#include "models/analytic.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "relsim formula"

static const char *help_text =
    "usage:\n"
    "  relsim formula NAME key=value ... [--json]   evaluate one formula\n"
    "  relsim formula --list                        every formula, its inputs and meaning\n"
    "  relsim formula NAME --help                   one formula: inputs, domains, reading\n"
    "\n"
    "Prints the value and a one-line explanation, or with --json exactly one line:\n"
    "  {\"formula\":\"t_timeout\",\"inputs\":{\"mu\":10,\"p\":0.01},\"value\":0.460517...}\n"
    "Units: time in seconds, rates per second, probabilities in [0, 1].\n"
    "\n"
    "How the design document's formulas are read:\n"
    "  T_timeout  printed as (1/mu) ln(1 - P_timeout), which is negative for every\n"
    "             P_timeout in (0,1).  With response times ~ Exp(mu), the timeout\n"
    "             that cuts off a fraction p of healthy attempts is\n"
    "                 T = -ln(p) / mu        (relsim formula t_timeout mu=.. p=..)\n"
    "             i.e. the printed formula with its sign fixed and P read as the\n"
    "             probability of finishing in time, 1 - p.  For a server that is an\n"
    "             M/M/1 queue (service rate K, arrival rate r) the response time is\n"
    "             Exp(K - r): use mu_eff = K - r.\n"
    "  P_retry    1 - e^{-lambda t} for t <= T_max, 0 after: the exponential_random\n"
    "             backoff draws d ~ Exp(lambda) and abandons the retry if d > T_max;\n"
    "             p_retry returns the printed function, 0 included, and\n"
    "             p_retry_fires = 1 - e^{-lambda T_max} is the share of retries sent.\n"
    "  Q_balance  N rho / K = offered load in Erlangs = mean busy servers when\n"
    "             rho < K (each server's utilisation is rho/K).\n"
    "  P_failure, P_recovery  1 - e^{-lambda t}: CDFs of the up and down times.\n"
    "\n"
    "Examples:\n"
    "  relsim formula t_timeout mu=10 p=0.01\n"
    "  relsim formula t_timeout mu=25 p=0.001      # M/M/1, K=100, r=75: mu_eff=25\n"
    "  relsim formula machine_repair n=3 c=1 k=2 lambda=0.05 mu=0.2 --json\n"
    "  relsim formula erlang_c c=8 lambda=600 mu=100\n"
    "\n"
    "Exit status: 0 ok; 2 unknown formula, missing/unknown/duplicated/non-numeric\n"
    "or out-of-range input, or inputs with no finite value (e.g. an unstable queue).\n"
    "Formulas: docs/FORMULAS.md.  `relsim formula --list` for the full list.\n";

/* ---- did you mean ---------------------------------------------------- */

/* Case-insensitive Levenshtein distance; strings longer than 63 are far. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 1000;
    int row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            int best = diag + !same;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The candidate closest to word if it is close enough (or contains word),
 * else NULL.  names[i] is read through get(ctx, i). */
static const char *closest(const char *word, size_t n, const char *(*get)(const void *, size_t),
                           const void *ctx)
{
    const char *best = NULL;
    int bestd = 1000, limit = (int)strlen(word) / 3 > 2 ? (int)strlen(word) / 3 : 2;
    for (size_t i = 0; i < n; i++) {
        const char *cand = get(ctx, i);
        int d = edit_distance(word, cand);
        if (strlen(word) >= 3 && strstr(cand, word))
            d = d < 1 ? d : 1;
        if (d < bestd) {
            bestd = d;
            best = cand;
        }
    }
    return bestd <= limit ? best : NULL;
}

static const char *formula_name_at(const void *ctx, size_t i)
{
    return ((const an_formula *)ctx)[i].name;
}

static const char *input_name_at(const void *ctx, size_t i)
{
    return ((const an_formula *)ctx)->inputs[i].name;
}

/* ---- listing and help -------------------------------------------------- */

/* "t_timeout(mu, p)" into buf. */
static const char *signature(const an_formula *f, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "%s(", f->name);
    for (int i = 0; i < f->n_inputs && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                                 f->inputs[i].name);
    if (used < size)
        snprintf(buf + used, size - used, ")");
    return buf;
}

static int print_list(void)
{
    size_t n;
    const an_formula *t = an_formulas(&n);
    char sig[160];
    printf("Formulas (relsim formula NAME key=value ... [--json]; NAME --help for details):\n\n");
    for (size_t i = 0; i < n; i++)
        printf("  %s\n      %s\n", signature(&t[i], sig, sizeof sig), t[i].meaning);
    return EXIT_OK;
}

/* Prints "  name  domain  meaning" for each input to fp. */
static void print_inputs(FILE *fp, const an_formula *f)
{
    char dom[64];
    for (int i = 0; i < f->n_inputs; i++)
        fprintf(fp, "  %-7s %-24s %s\n", f->inputs[i].name,
                an_input_domain(&f->inputs[i], dom, sizeof dom), f->inputs[i].meaning);
}

static void print_result_line(const an_formula *f, const double *x, double v);

/* Parses the formula's example into x (the table's examples are well formed). */
static int example_inputs(const an_formula *f, double *x)
{
    char buf[256];
    int seen = 0;
    snprintf(buf, sizeof buf, "%s", f->example);
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        for (int i = 0; eq && i < f->n_inputs; i++)
            if (!strncmp(f->inputs[i].name, tok, (size_t)(eq - tok)) &&
                strlen(f->inputs[i].name) == (size_t)(eq - tok)) {
                x[i] = strtod(eq + 1, NULL);
                seen++;
            }
    }
    return seen == f->n_inputs;
}

static int print_formula_help(const an_formula *f)
{
    printf("usage: relsim formula %s", f->name);
    for (int i = 0; i < f->n_inputs; i++)
        printf(" %s=...", f->inputs[i].name);
    printf(" [--json]\n\n  %s = %s", f->name, f->formula);
    printf("   [%s]\n  %s\n\ninputs:\n", f->unit, f->meaning);
    print_inputs(stdout, f);
    if (f->notes)
        printf("\n%s\n", f->notes);
    double x[AN_MAX_INPUTS], v;
    if (example_inputs(f, x) && an_formula_eval(f, x, &v, NULL) == AN_OK) {
        printf("\nexample:\n  $ relsim formula %s %s\n  ", f->name, f->example);
        print_result_line(f, x, v);
    }
    return EXIT_OK;
}

/* ---- evaluation and output -------------------------------------------- */

static void print_result_line(const an_formula *f, const double *x, double v)
{
    printf("%s(", f->name);
    for (int i = 0; i < f->n_inputs; i++)
        printf("%s%s=%.15g", i ? ", " : "", f->inputs[i].name, x[i]);
    printf(") = %.15g", v);
    if (strcmp(f->unit, "probability"))
        printf(" %s", f->unit);
    printf("\n");
}

static int print_text(const an_formula *f, const double *x, double v)
{
    print_result_line(f, x, v);
    printf("  %s: %s\n", f->formula, f->meaning);
    return EXIT_OK;
}

static int print_json(const an_formula *f, const double *x, double v, const char *warning)
{
    cJSON *root = cJSON_CreateObject(), *in = cJSON_CreateObject();
    int ok = root && in && cJSON_AddStringToObject(root, "formula", f->name);
    ok = ok && cJSON_AddItemToObject(root, "inputs", in);
    if (!ok)
        cJSON_Delete(in); /* not yet owned by root */
    for (int i = 0; ok && i < f->n_inputs; i++)
        ok = cJSON_AddNumberToObject(in, f->inputs[i].name, x[i]) != NULL;
    ok = ok && cJSON_AddNumberToObject(root, "value", v);
    if (ok && warning)
        ok = cJSON_AddStringToObject(root, "warning", warning) != NULL;
    char *s = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!s) {
        fprintf(stderr, PROG ": out of memory\n");
        return EXIT_FAIL;
    }
    puts(s);
    cJSON_free(s);
    return EXIT_OK;
}

/* ---- argument parsing ------------------------------------------------- */

typedef struct {
    const char *name;  /* formula name, or NULL */
    int json, help, list;
    int n_pairs;
    char **pairs;      /* the key=value arguments, in order (points into argv) */
} args;

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, PROG ": %s '%s'\n(try: relsim formula --help)\n", msg, arg);
    return EXIT_USAGE;
}

/* Sorts argv into flags, the formula name and key=value pairs. */
static int parse_args(int argc, char **argv, args *a, char **pairs)
{
    memset(a, 0, sizeof *a);
    a->pairs = pairs;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "--json"))
            a->json = 1;
        else if (!strcmp(s, "--help") || !strcmp(s, "-h"))
            a->help = 1;
        else if (!strcmp(s, "--list") || !strcmp(s, "-l"))
            a->list = 1;
        else if (s[0] == '-' && s[1] != '\0')
            return usage_error("unknown option", s);
        else if (strchr(s, '='))
            a->pairs[a->n_pairs++] = argv[i];
        else if (!a->name)
            a->name = s;
        else
            return usage_error("unexpected argument (inputs are written key=value):", s);
    }
    return EXIT_OK;
}

/* The formula called name, or a message with a suggestion and NULL. */
static const an_formula *find_formula(const char *name)
{
    const an_formula *f = an_formula_find(name);
    if (f)
        return f;
    size_t n;
    const an_formula *t = an_formulas(&n);
    const char *s = closest(name, n, formula_name_at, t);
    fprintf(stderr, PROG ": unknown formula '%s'", name);
    if (s)
        fprintf(stderr, " (did you mean '%s'?)", s);
    fprintf(stderr, "\n(relsim formula --list shows every formula)\n");
    return NULL;
}

/* What input i expects, in words: "real in (0, 1) (meaning)". */
static void print_expected(const an_formula *f, int i)
{
    char dom[64];
    fprintf(stderr, "expected %s %s (%s)\n", f->inputs[i].name,
            an_input_domain(&f->inputs[i], dom, sizeof dom), f->inputs[i].meaning);
}

/* Parses a number: the whole string, finite ("nan" and "inf" are not
 * numbers here).  Returns 0 on success. */
static int parse_number(const char *s, double *v)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return -1;
    *v = strtod(s, &end);
    return (*end || end == s || !isfinite(*v)) ? -1 : 0;
}

/* Stores one key=value into x; set[] marks the inputs seen. */
static int take_pair(const an_formula *f, const char *pair, double *x, const char **set)
{
    const char *eq = strchr(pair, '=');
    size_t klen = (size_t)(eq - pair);
    int i = 0;
    while (i < f->n_inputs &&
           (strlen(f->inputs[i].name) != klen || strncmp(f->inputs[i].name, pair, klen)))
        i++;
    if (klen == 0) {
        fprintf(stderr, PROG " %s: argument '%s' has no input name before '='\n", f->name, pair);
        return EXIT_USAGE;
    }
    if (i == f->n_inputs) {
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(klen < 63 ? klen : 63), pair);
        const char *s = closest(key, (size_t)f->n_inputs, input_name_at, f);
        fprintf(stderr, PROG " %s: unknown input '%s'", f->name, key);
        if (s)
            fprintf(stderr, " (did you mean '%s'?)", s);
        fprintf(stderr, "; its inputs are:\n");
        print_inputs(stderr, f);
        return EXIT_USAGE;
    }
    if (set[i]) {
        fprintf(stderr, PROG " %s: input %s given twice ('%s' and '%s')\n", f->name,
                f->inputs[i].name, set[i], pair);
        return EXIT_USAGE;
    }
    set[i] = pair;
    if (parse_number(eq + 1, &x[i])) {
        fprintf(stderr, PROG " %s: %s='%s' is not a finite number; ", f->name, f->inputs[i].name,
                eq + 1);
        print_expected(f, i);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* Reads every pair into x; every input must be given exactly once.
 * set[i] receives the argument that gave input i ("mu=10"). */
static int collect_inputs(const an_formula *f, const args *a, double *x, const char **set)
{
    for (int p = 0; p < a->n_pairs; p++) {
        int rc = take_pair(f, a->pairs[p], x, set);
        if (rc)
            return rc;
    }
    int missing = 0;
    for (int i = 0; i < f->n_inputs; i++)
        if (!set[i]) {
            fprintf(stderr, PROG " %s: missing input %s; ", f->name, f->inputs[i].name);
            print_expected(f, i);
            missing = 1;
        }
    if (missing)
        fprintf(stderr, "(example: relsim formula %s %s)\n", f->name, f->example);
    return missing ? EXIT_USAGE : EXIT_OK;
}

/* Says why the evaluation failed, naming the blamed input as the user
 * wrote it (set[i] is "name=text"). */
static int eval_error(const an_formula *f, const char **set, int st, const an_diag *d)
{
    if (d->input >= 0) {
        const char *what = st == AN_EUNSTABLE ? "makes the queue unstable" : "is out of range";
        fprintf(stderr, PROG " %s: %s %s", f->name, set[d->input], what);
        if (!d->expected) { /* outside its own domain */
            fprintf(stderr, "; ");
            print_expected(f, d->input);
            return EXIT_USAGE;
        }
        fprintf(stderr, " given");
        for (int i = 0; i < f->n_inputs; i++)
            if (i != d->input)
                fprintf(stderr, " %s", set[i]);
        fprintf(stderr, "; expected %s\n", d->expected);
        return EXIT_USAGE;
    }
    fprintf(stderr, PROG " %s: no finite value for", f->name);
    for (int i = 0; i < f->n_inputs; i++)
        fprintf(stderr, " %s", set[i]);
    const char *why = st == AN_ERANGE ? "the result overflows" : an_strerror(st);
    fprintf(stderr, " (%s); expected %s\n", why,
            d->expected ? d->expected : "inputs inside the formula's domain");
    return EXIT_USAGE;
}

static int evaluate(const an_formula *f, const args *a)
{
    double x[AN_MAX_INPUTS] = {0}, v;
    const char *set[AN_MAX_INPUTS] = {0};
    an_diag d;
    int rc = collect_inputs(f, a, x, set);
    if (rc)
        return rc;
    int st = an_formula_eval(f, x, &v, &d);
    if (st != AN_OK)
        return eval_error(f, set, st, &d);
    if (d.warning)
        fprintf(stderr, PROG " %s: warning: %s\n", f->name, d.warning);
    return a->json ? print_json(f, x, v, d.warning) : print_text(f, x, v);
}

/* Flushes stdout; a failed write (full disk, closed pipe) is exit 1. */
static int finish(int rc)
{
    if (fflush(stdout) == EOF || ferror(stdout)) {
        fprintf(stderr, PROG ": cannot write the output\n");
        return rc ? rc : EXIT_FAIL;
    }
    return rc;
}

static int dispatch(const args *a)
{
    if (a->list && !a->name && !a->n_pairs)
        return print_list();
    if (a->list)
        return usage_error("--list takes no other arguments; got", a->name ? a->name : a->pairs[0]);
    if (!a->name && a->help)
        return fputs(help_text, stdout) == EOF ? EXIT_FAIL : EXIT_OK;
    if (!a->name) {
        fprintf(stderr, PROG ": which formula? usage: relsim formula NAME key=value ... [--json]\n"
                        "(relsim formula --list shows every formula, --help explains)\n");
        return EXIT_USAGE;
    }
    const an_formula *f = find_formula(a->name);
    if (!f)
        return EXIT_USAGE;
    return a->help ? print_formula_help(f) : evaluate(f, a);
}

int cmd_formula(int argc, char **argv)
{
    char **pairs = calloc(argc > 0 ? (size_t)argc : 1, sizeof *pairs);
    args a;
    if (!pairs) {
        fprintf(stderr, PROG ": out of memory\n");
        return EXIT_FAIL;
    }
    int rc = parse_args(argc, argv, &a, pairs);
    if (rc == EXIT_OK)
        rc = dispatch(&a);
    free(pairs);
    return finish(rc);
}
