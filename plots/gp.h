/* gp.h - write gnuplot figures (NAME.gp + NAME.dat) and render them to SVG.
 *
 * Prefix gp_.  A figure is built in memory: gp_fig_begin() opens a script
 * (with a standard preamble: SVG terminal, or PNG with  gnuplot -e "png=1"
 * NAME.gp) and a data file; the caller prints gnuplot commands to fig->gp and
 * data blocks to fig->dat (gp_fig_block() starts block number 0, 1, ... that
 * the script selects with  'NAME.dat' index N ); gp_fig_end() writes both
 * files atomically into the plots folder and runs gnuplot there with
 * fork/exec (no shell), waiting for it and checking its exit status.  The
 * SVG is rendered to a temporary name and renamed into place.
 *
 * User text goes into scripts only through gp_quote() (a single-quoted
 * gnuplot string; gnuplot expands backquotes inside double quotes).  Scripts
 * use the noenhanced text mode, so _ ^ @ in names print literally.
 *
 * Ownership: gp_ctx lives in caller memory (gp_init/gp_destroy); a gp_fig
 * too, owned by the caller between gp_fig_begin and gp_fig_end/discard.
 */
#ifndef RELSIM_GP_H
#define RELSIM_GP_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    char dir[4096];  /* the plots folder (OUTDIR/plots) */
    int render;      /* 0: write scripts and data only */
    int have_gnuplot;/* gnuplot found on PATH */
    int written;     /* figures whose .gp/.dat were written */
    int rendered;    /* figures rendered to SVG */
    int failed;      /* figures gnuplot failed on */
    int write_errors;/* .gp/.dat/.svg that could not be written */
    FILE *log;       /* warnings go here (may be NULL) */
} gp_ctx;

/* Set up G for the plots folder DIR (created if needed).  RENDER = 0 never
 * runs gnuplot.  0, or -1 if DIR cannot be created (errno set). */
int gp_init(gp_ctx *g, const char *dir, int render, FILE *log);

/* 1 if an executable named gnuplot is on $PATH. */
int gp_available(void);

/* Quote TEXT as a gnuplot single-quoted string into BUF (size N): ' doubled,
 * control characters dropped, cut (at a UTF-8 boundary) to fit.  Returns BUF. */
char *gp_quote(char *buf, size_t n, const char *text);

/* Copy NAME into OUT (size N) keeping [A-Za-z0-9_-], other bytes become _:
 * the file stem of a figure. */
void gp_safe_name(char *out, size_t n, const char *name);

typedef struct {
    char name[128];  /* file stem: NAME.gp, NAME.dat, NAME.svg */
    FILE *gp;        /* write the script here */
    FILE *dat;       /* write the data here */
    char *gp_buf, *dat_buf;
    size_t gp_len, dat_len;
    int blocks;      /* data blocks started so far */
} gp_fig;

/* Start figure NAME ([A-Za-z0-9_-], other characters become _) of W x H
 * pixels; ABOUT is a one-line comment for the script's head (plain text).
 * 0, or -1 on allocation failure. */
int gp_fig_begin(gp_fig *f, const char *name, const char *about, int w, int h);

/* Start a new data block, headed by comment line(s) COMMENT; returns its
 * index for the script's  index N. */
int gp_fig_block(gp_fig *f, const char *comment);

/* Name of the data file ("NAME.dat", for  plot 'NAME.dat' ...). */
const char *gp_fig_datname(const gp_fig *f, char *buf, size_t n);

/* Write NAME.gp and NAME.dat, render NAME.svg if G renders, free F.
 * Returns GP_RENDERED, GP_WRITTEN (scripts only: not rendering or no
 * gnuplot), GP_FAILED (gnuplot exited non-zero; its messages are on G's
 * log) or GP_WRITE_ERROR. */
enum { GP_RENDERED = 0, GP_WRITTEN = 1, GP_FAILED = 2, GP_WRITE_ERROR = 3 };
int gp_fig_end(gp_ctx *g, gp_fig *f);

/* Free F without writing anything. */
void gp_fig_discard(gp_fig *f);

/* Run gnuplot on SCRIPT in folder DIR with  -e "outfile='OUTFILE'"  (OUTFILE
 * NULL: none).  Returns the exit status, 127 if gnuplot could not be
 * started, -1 if fork failed.  Up to N bytes of its stderr land in ERRBUF. */
int gp_run(const char *dir, const char *script, const char *outfile, char *errbuf, size_t n);

#endif
