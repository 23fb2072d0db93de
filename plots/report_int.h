/* report_int.h - the sections of a report; internal to plots/report*.c.
 *
 * Prefix report_.  Each section function writes into an rw_doc from the
 * documents of an rd_run; text from scenario files goes through the
 * writer's escaping, never straight into the page.
 */
#ifndef RELSIM_REPORT_INT_H
#define RELSIM_REPORT_INT_H

#include "plots/plot_data.h"
#include "plots/report_writer.h"

#include <stddef.h>

/* A number for people: "n/a" for NaN, integers in full, else 4 significant
 * digits.  Returns BUF. */
char *report_num(char *buf, size_t n, double x);
/* Decimals that show the half-width of [LO, HI] with 2 significant digits
 * (0..12), or -1 if the interval is empty or not finite. */
int report_decimals(double lo, double hi);
/* Mean and "[low, high]" of S with as many decimals as the CI resolves. */
void report_stat(const rd_stat *s, char *mean, size_t mn, char *ci, size_t cn);
/* "2.85 nines" for an availability A (">= 15 nines" at 1, "" for NaN). */
char *report_nines(char *buf, size_t n, double a);

/* The scenario in plain words (report_words.c). */
void report_scenario(rw_doc *d, const rd_run *rd);

/* Run sections (report_run.c). */
void report_results(rw_doc *d, const rd_run *rd);
void report_model_check(rw_doc *d, const rd_run *rd);
/* The exact solution (solve.json from `relsim solve`), if the folder has one. */
void report_exact(rw_doc *d, const rd_run *rd);
void report_metadata(rw_doc *d, const rd_run *rd);

/* Sweep sections (report_sweep.c); LINKS = 1 links each point's folder to
 * its report.html when there is one. */
void report_sweep_grid(rw_doc *d, const rd_run *rd, int links);

#endif
