/* progress.c - "label [#####.....] 12/40  3.1/s  ETA 9s" redrawn with \r. */
#include "app/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_REDRAW 0.2 /* seconds between redraws of the bar */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void progress_init(progress_bar *b, const char *label, int quiet)
{
    b->on = !quiet && isatty(2);
    b->label = label;
    b->start = now();
    b->last_draw = 0;
}

void progress_update(progress_bar *b, int done, int total)
{
    if (!b->on || total <= 0)
        return;
    double t = now();
    if (t - b->last_draw < PROGRESS_REDRAW && done < total)
        return;
    b->last_draw = t;
    double el = t - b->start, rate = el > 0 ? done / el : 0;
    int width = 30, fill = (int)((double)width * done / total);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    if (done > 0 && done < total)
        fprintf(stderr, "\r%s [%s] %d/%d  %.1f/s  ETA %.0fs   ", b->label, bar, done, total, rate,
                (total - done) / (rate > 0 ? rate : 1));
    else
        fprintf(stderr, "\r%s [%s] %d/%d  %.1f/s            ", b->label, bar, done, total, rate);
    fflush(stderr);
}

void progress_done(progress_bar *b)
{
    if (b->on) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}
