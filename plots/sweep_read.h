/* sweep_read.h - a sweep.json read one point at a time, in memory that does
 * not grow with its text.
 *
 * Prefix swr_.  A sweep.json holds about 28 kB of text per point; parsed
 * whole into a cJSON tree it took about 170 kB per point (1.8 GB at 10 000
 * points).  swr_open() reads the file one value at a time instead
 * (plots/json_scan.h) and parses with cJSON only what the sweep figures
 * and tables use (plots/plot_sweep.c, plots/report_sweep.c): of every point
 * its index, dir, values, and the value and paired difference of every
 * headline metric (plots/plot_metrics.h), kept in about 1 kB; of every
 * objective's points their index, confident rank and verdict; every other
 * top-level member but "outcome" (which no figure shows), kept as it is in
 * a cJSON object without "points".  What is not used (the other metrics,
 * the unpaired differences, the outcome shares) is passed over unparsed:
 * only its brackets and strings are checked, so a sweep.json spoiled there
 * still reports.
 *
 * Ownership: an swr_points owns its points, names and values; the rest
 * object returned by swr_open() belongs to the caller (cJSON_Delete).
 */
#ifndef RELSIM_SWEEP_READ_H
#define RELSIM_SWEEP_READ_H

#include "plots/plot_data.h"

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct swr_points swr_points;

/* Read the sweep.json at PATH: *REST gets the document without "points",
 * *PTS its points.  0; 1 when the file does not exist; -1 with
 * "PATH:LINE:COL: not valid JSON" (or the system's reason) in ERR. */
int swr_open(const char *path, cJSON **rest, swr_points **pts, char *err, size_t n);
void swr_free(swr_points *p); /* NULL is fine */

/* Number of points (elements of "points"). */
int swr_count(const swr_points *p);

/* Point I's "index" (DFLT when absent), "dir" (NULL), "values" object (NULL). */
double swr_index(const swr_points *p, int i, double dflt);
const char *swr_dir(const swr_points *p, int i);
const cJSON *swr_values(const swr_points *p, int i);

/* Point I's headline METRIC of entity ENT of KIND ("pools" or "clients"):
 * its value (DIFF 0: points[I].KIND.ENT.METRIC) or its paired difference
 * from the baseline (DIFF 1: points[I].diff.KIND.ENT.METRIC, or the older
 * points[I].diff.ENT.METRIC) into *S.  0, or -1 if the file has none. */
int swr_stat(const swr_points *p, int i, int diff, const char *kind, const char *ent,
             const char *metric, rd_stat *s);

/* The key of member E of the first point's KIND object (NULL past the end). */
const char *swr_entity(const swr_points *p, const char *kind, int e);

/* A statistic object ({"mean", "ci95": [lo, hi], "stddev", "n"}) into *S.
 * 0, or -1 if NODE is not one. */
int swr_stat_json(const cJSON *node, rd_stat *s);

#endif
