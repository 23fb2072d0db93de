/* figures.h - every figure of a run folder or a sweep folder.
 *
 * Prefix fig_.  fig_make_run() / fig_make_sweep() read the output folder
 * (through rd_run and the CSV files of docs/OUTPUT.md), write one gnuplot
 * script + data per figure into the gp_ctx's plots folder, render them if it
 * renders, and list them (name, title, caption, status) in a fig_list for the
 * report.  A missing optional file or column skips that figure with a note in
 * the list; it is never an error.
 *
 * Ownership: the fig_list lives in caller memory (fig_list_init/destroy)
 * and owns its entries and notes.
 */
#ifndef RELSIM_FIGURES_H
#define RELSIM_FIGURES_H

#include "plots/gp.h"
#include "plots/plot_data.h"

typedef struct {
    char name[128];    /* file stem in plots/: NAME.svg, NAME.gp, NAME.dat */
    char title[256];   /* plain text (names are identifiers) */
    char caption[1024];/* one sentence: what to look at (plain text) */
    int status;        /* GP_RENDERED, GP_WRITTEN, GP_FAILED, GP_WRITE_ERROR */
} fig_entry;

typedef struct {
    fig_entry *figs;
    int n, cap;
    char **notes; /* why a figure was skipped, plain text */
    int nnotes, capnotes;
} fig_list;

void fig_list_init(fig_list *l);
void fig_list_destroy(fig_list *l);

/* All run figures for the folder of RD into G; 0, or -1 if out of memory. */
int fig_make_run(const rd_run *rd, gp_ctx *g, fig_list *out);

/* All sweep figures (sweep.json of RD) into G; 0, or -1 if out of memory. */
int fig_make_sweep(const rd_run *rd, gp_ctx *g, fig_list *out);

#endif
