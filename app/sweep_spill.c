/* sweep_spill.c - the points' printed outputs on disk (app/sweep_spill.h). */
#include "app/sweep_spill.h"
#include "util/fsutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

int swspill_open(sweep *s)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/.sweep-spill.%ld", s->out, (long)getpid());
    if (fs_mkdirs(s->out) == 0 && (s->spill = fopen(path, "w+b")))
        unlink(path); /* gone once closed, even after a crash */
    if (!s->spill)
        fprintf(stderr, "relsim sweep: %s: %s\n", path, strerror(errno));
    return s->spill ? 0 : -1;
}

void swspill_close(sweep *s)
{
    if (s->spill)
        fclose(s->spill);
    s->spill = NULL;
}

int swspill_put(sweep *s, sw_point *pt, const char *json, const char *csv)
{
    size_t nj = strlen(json), nc = strlen(csv);
    int rc = -1;
    if (!s->spill) {
        errno = EBADF;
        return -1;
    }
    flockfile(s->spill); /* the seek, the offset and the two writes together */
    if (fseeko(s->spill, 0, SEEK_END) == 0 && (pt->spill_at = (long long)ftello(s->spill)) >= 0 &&
        fwrite(json, 1, nj, s->spill) == nj && fwrite(csv, 1, nc, s->spill) == nc) {
        pt->json_len = (int)nj;
        pt->csv_len = (int)nc;
        rc = 0;
    }
    funlockfile(s->spill);
    return rc;
}

int swspill_copy(const sweep *s, const sw_point *pt, int csv, FILE *f)
{
    char buf[65536];
    long long at = pt->spill_at + (csv ? pt->json_len : 0);
    size_t left = (size_t)(csv ? pt->csv_len : pt->json_len);
    if (!s->spill || fseeko(s->spill, (off_t)at, SEEK_SET)) {
        errno = s->spill ? errno : EBADF;
        return -1;
    }
    while (left > 0) {
        size_t n = fread(buf, 1, left < sizeof buf ? left : sizeof buf, s->spill);
        if (n == 0) {
            errno = ferror(s->spill) ? EIO : ENODATA;
            return -1;
        }
        if (fwrite(buf, 1, n, f) != n)
            return -1;
        left -= n;
    }
    return 0;
}
