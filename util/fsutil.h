/* fsutil.h - small file-system helpers shared by every writer.
 *
 * Outputs are written atomically: to "PATH.tmp.PID" first, then renamed, so a
 * crash never leaves a half-written file under the final name.
 */
#ifndef RELSIM_FSUTIL_H
#define RELSIM_FSUTIL_H

#include <stddef.h>
#include <stdio.h>

/* Create DIR and its parents (like mkdir -p). 0 or -1 with errno set. */
int fs_mkdirs(const char *dir);

/* Write LEN bytes of DATA to PATH atomically. 0 or -1 with errno set. */
int fs_write_atomic(const char *path, const void *data, size_t len);

/* Atomic writing through stdio: fs_open_atomic() gives a FILE* on a temporary
 * name; fs_commit_atomic() closes it and renames it to PATH (0, or -1 and the
 * temporary removed); fs_abort_atomic() closes and removes it.  */
typedef struct {
    FILE *f;
    char path[4096];
    char tmp[4200];
} fs_atomic;
int fs_open_atomic(fs_atomic *a, const char *path);
int fs_commit_atomic(fs_atomic *a);
void fs_abort_atomic(fs_atomic *a);

/* Read a whole file into a NUL-terminated buffer (caller frees).  Refuses
 * directories and files larger than MAX bytes (errno EISDIR / EFBIG).
 * Returns NULL with errno set. *LEN gets the length without the NUL. */
char *fs_read_file(const char *path, size_t max, size_t *len);

/* Join DIR and NAME into BUF ("dir/name"); returns BUF, or NULL if too long. */
char *fs_join(char *buf, size_t size, const char *dir, const char *name);

#endif
