/* same_stat.h - are two statistics read from a sweep.json (rd_stat) the
 * same bits?  Shared by the sweep reader's unit test (test_sweep_read.c)
 * and its fuzz harness (fuzz/fuzz_sweep_read.c), which both compare two
 * reads of one file; no cmocka here, the harness does not link it. */
#ifndef RELSIM_TESTS_SAME_STAT_H
#define RELSIM_TESTS_SAME_STAT_H

#include "plots/plot_data.h"

#include <math.h>
#include <string.h>

/* 1 if every field of A and B is bit-identical (NaN equal to NaN). */
static inline int same_stat(const rd_stat *a, const rd_stat *b)
{
    const double x[5] = {a->mean, a->lo, a->hi, a->sd, a->n}, y[5] = {b->mean, b->lo, b->hi, b->sd, b->n};
    for (int i = 0; i < 5; i++)
        if (!(isnan(x[i]) && isnan(y[i])) && memcmp(&x[i], &y[i], sizeof x[i]))
            return 0;
    return 1;
}

#endif
