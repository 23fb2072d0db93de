/* progress.h - a progress bar on stderr: only on a terminal, at most a few
 * redraws a second, nothing under --quiet (or on MPI ranks other than 0). */
#ifndef RELSIM_PROGRESS_H
#define RELSIM_PROGRESS_H

typedef struct {
    int on;
    const char *label;
    double start, last_draw;
} progress_bar;

void progress_init(progress_bar *b, const char *label, int quiet);
void progress_update(progress_bar *b, int done, int total);
void progress_done(progress_bar *b);

#endif
