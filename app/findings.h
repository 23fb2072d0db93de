/* findings.h - the run's conclusions in a few sentences, written from the
 * results (issue 16): SLO verdicts, whether the overload guard stopped a
 * retry storm and why, the largest causes of failed requests, model-check
 * disagreements.  Written once here, stored in results.json "findings"
 * (kind + text), printed first on the terminal and rendered first in the
 * report, so every reader sees the same words.
 *
 * Ownership: fd_list owns its strings; fd_list_free() releases them.
 */
#ifndef RELSIM_FINDINGS_H
#define RELSIM_FINDINGS_H

#include "app/execute.h"
#include "app/modelcheck.h"
#include "app/slo.h"

#include <stdio.h>

typedef struct {
    char kind[16]; /* "slo", "runaway", "failures", "model_check", "note" */
    char *text;    /* one or two sentences, owned */
    int bad;       /* 1: a problem (missed SLO, storm, disagreement) */
} fd_item;

typedef struct fd_list {
    fd_item *items;
    int n, cap;
} fd_list;

/* The findings of R (MC and SLOS may be NULL).  0, or -1 without memory. */
int fd_build(const exec_result *r, const mc_list *mc, const slo_list *slos, fd_list *out);
void fd_list_free(fd_list *l);

/* "Findings" and one bullet per item on OUT. */
void fd_print(FILE *out, const fd_list *l);

#endif
