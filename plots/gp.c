/* gp.c - gnuplot figures: script + data written atomically, rendered by fork/exec. */
#include "plots/gp.h"

#include "util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int gp_available(void)
{
    const char *path = getenv("PATH");
    char dir[4096], file[4200];
    struct stat st;
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        if (len < sizeof dir) {
            memcpy(dir, path, len);
            dir[len] = '\0';
            snprintf(file, sizeof file, "%s/gnuplot", len ? dir : ".");
            if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0)
                return 1;
        }
        path += len + (path[len] == ':');
    }
    return 0;
}

int gp_init(gp_ctx *g, const char *dir, int render, FILE *log)
{
    memset(g, 0, sizeof *g);
    g->log = log;
    g->render = render;
    if (strlen(dir) >= sizeof g->dir) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(g->dir, dir);
    g->have_gnuplot = gp_available();
    return fs_mkdirs(dir);
}

char *gp_quote(char *buf, size_t n, const char *text)
{
    size_t o = 0;
    int cut = 0;
    if (n < 3) {
        if (n)
            buf[0] = '\0';
        return buf;
    }
    buf[o++] = '\'';
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            continue; /* control characters (newlines would end the command) */
        size_t need = (*p == '\'') ? 2 : 1;
        if (o + need + 2 > n) {
            cut = (*p & 0xC0) == 0x80; /* stopped inside a UTF-8 sequence */
            break;
        }
        buf[o++] = (char)*p;
        if (*p == '\'')
            buf[o++] = '\'';
    }
    while (cut && o > 1 && ((unsigned char)buf[o - 1] & 0xC0) == 0x80)
        o--; /* never leave a cut UTF-8 sequence: drop its continuation bytes... */
    if (cut && o > 1 && ((unsigned char)buf[o - 1] & 0xC0) == 0xC0)
        o--; /* ...and its lead byte */
    buf[o++] = '\'';
    buf[o] = '\0';
    return buf;
}

void gp_safe_name(char *out, size_t n, const char *name)
{
    size_t o = 0;
    for (const char *p = name; *p && o + 1 < n; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
        out[o++] = ok ? c : '_';
    }
    out[o] = '\0';
}

/* Print TEXT on F as a comment body: control characters become spaces. */
static void put_comment_text(FILE *f, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
}

static void preamble(gp_fig *f, const char *about, int w, int h)
{
    const char *n = f->name;
    FILE *o = f->gp;
    fprintf(o, "# relsim figure %s: ", n);
    put_comment_text(o, about);
    fprintf(o, "\n# Render again:  gnuplot %s.gp              (writes %s.svg)\n", n, n);
    fprintf(o, "# As PNG:        gnuplot -e \"png=1\" %s.gp   (writes %s.png)\n", n, n);
    fprintf(o, "# Data: %s.dat, blocks separated by two blank lines, chosen with 'index N'.\n", n);
    fputs("set encoding utf8\n"
          "if (!exists(\"png\")) png = 0\n", o);
    fprintf(o, "if (!exists(\"outfile\")) outfile = png ? '%s.png' : '%s.svg'\n", n, n);
    fprintf(o, "if (png) {\n"
               "    set terminal pngcairo size %d,%d noenhanced font 'Sans,10' background '#ffffff'\n"
               "} else {\n"
               "    set terminal svg size %d,%d noenhanced font 'Helvetica,13' background '#ffffff'\n"
               "}\n", w, h, w, h);
    fputs("set output outfile\n"
          "set datafile missing 'NaN'\n"
          "set border 3 lc rgb '#555555'\n"
          "set tics nomirror out scale 0.6 textcolor rgb '#333333'\n"
          "set grid lc rgb '#e4e4e4' lw 1 dt solid\n"
          "set key outside right top vertical Left reverse samplen 2.5 spacing 1.2 box lc rgb '#cccccc'\n"
          "set title font ',14'\n"
          "set style fill solid 0.85 noborder\n", o);
}

int gp_fig_begin(gp_fig *f, const char *name, const char *about, int w, int h)
{
    memset(f, 0, sizeof *f);
    gp_safe_name(f->name, sizeof f->name, name);
    f->gp = open_memstream(&f->gp_buf, &f->gp_len);
    f->dat = open_memstream(&f->dat_buf, &f->dat_len);
    if (!f->gp || !f->dat) {
        gp_fig_discard(f);
        return -1;
    }
    preamble(f, about, w, h);
    fprintf(f->dat, "# relsim figure %s: data blocks for %s.gp\n", f->name, f->name);
    return 0;
}

int gp_fig_block(gp_fig *f, const char *comment)
{
    if (f->blocks > 0)
        fputs("\n\n", f->dat);
    fputs("# [index ", f->dat);
    fprintf(f->dat, "%d] ", f->blocks);
    put_comment_text(f->dat, comment);
    fputc('\n', f->dat);
    return f->blocks++;
}

const char *gp_fig_datname(const gp_fig *f, char *buf, size_t n)
{
    snprintf(buf, n, "%s.dat", f->name);
    return buf;
}

void gp_fig_discard(gp_fig *f)
{
    if (f->gp)
        fclose(f->gp);
    if (f->dat)
        fclose(f->dat);
    free(f->gp_buf);
    free(f->dat_buf);
    memset(f, 0, sizeof *f);
}

/* Write DIR/STEM.EXT atomically from BUF. */
static int write_file(const gp_ctx *g, const char *stem, const char *ext, const char *buf,
                      size_t len)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s.%s", g->dir, stem, ext);
    if (fs_write_atomic(path, buf, len) == 0)
        return 0;
    if (g->log)
        fprintf(g->log, "relsim: cannot write %s: %s\n", path, strerror(errno));
    return -1;
}

/* Print up to 6 lines of gnuplot's messages, indented, on LOG. */
static void log_messages(FILE *log, const char *msg)
{
    int lines = 0;
    for (const char *p = msg; *p && lines < 6; lines++) {
        size_t len = strcspn(p, "\n");
        if (len)
            fprintf(log, "    %.*s\n", (int)len, p);
        p += len + (p[len] == '\n');
    }
}

/* Render F's script in G's folder to F.svg via a temporary file. */
static int render(gp_ctx *g, const gp_fig *f)
{
    char tmp[256], path_tmp[4400], path_svg[4400], script[160], err[4096];
    struct stat st;
    snprintf(tmp, sizeof tmp, "%s.svg.tmp.%ld", f->name, (long)getpid());
    snprintf(script, sizeof script, "%s.gp", f->name);
    snprintf(path_tmp, sizeof path_tmp, "%s/%s", g->dir, tmp);
    snprintf(path_svg, sizeof path_svg, "%s/%s.svg", g->dir, f->name);
    int rc = gp_run(g->dir, script, tmp, err, sizeof err);
    if (rc == 0 && stat(path_tmp, &st) == 0 && st.st_size > 0 && rename(path_tmp, path_svg) == 0)
        return GP_RENDERED;
    unlink(path_tmp);
    if (g->log) {
        if (rc == 0)
            fprintf(g->log, "relsim: gnuplot wrote no %s.svg\n", f->name);
        else
            fprintf(g->log, "relsim: gnuplot failed on %s/%s (exit status %d):\n", g->dir, script,
                    rc);
        log_messages(g->log, err);
    }
    return GP_FAILED;
}

int gp_fig_end(gp_ctx *g, gp_fig *f)
{
    int bad = 0;
    fputs("unset output\n", f->gp);
    bad |= fclose(f->gp) != 0;
    bad |= fclose(f->dat) != 0;
    f->gp = f->dat = NULL;
    int rc = GP_WRITE_ERROR;
    if (!bad && write_file(g, f->name, "gp", f->gp_buf, f->gp_len) == 0 &&
        write_file(g, f->name, "dat", f->dat_buf, f->dat_len) == 0) {
        g->written++;
        rc = GP_WRITTEN;
        if (g->render && g->have_gnuplot)
            rc = render(g, f);
    }
    if (rc == GP_RENDERED)
        g->rendered++;
    else if (rc == GP_FAILED)
        g->failed++;
    else if (rc == GP_WRITE_ERROR)
        g->write_errors++;
    gp_fig_discard(f);
    return rc;
}

/* In the child: run gnuplot in DIR with stderr on fd ERRFD. Never returns. */
static void child_exec(const char *dir, char *const argv[], int errfd)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
    }
    dup2(errfd, 2);
    if (chdir(dir) != 0)
        _exit(126);
    execvp("gnuplot", argv);
    _exit(127);
}

/* Read FD to EOF, keeping the first N-1 bytes in BUF (NUL-terminated). */
static void slurp(int fd, char *buf, size_t n)
{
    size_t used = 0;
    char chunk[1024];
    for (;;) {
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        size_t keep = (n > used + 1) ? n - used - 1 : 0;
        if (keep > (size_t)got)
            keep = (size_t)got;
        memcpy(buf + used, chunk, keep);
        used += keep;
    }
    if (n)
        buf[used] = '\0';
}

int gp_run(const char *dir, const char *script, const char *outfile, char *errbuf, size_t n)
{
    char setout[512];
    char *argv[5];
    int argc = 0, fds[2];
    if (n)
        errbuf[0] = '\0';
    argv[argc++] = "gnuplot";
    if (outfile) {
        snprintf(setout, sizeof setout, "outfile='%s'", outfile);
        argv[argc++] = "-e";
        argv[argc++] = setout;
    }
    argv[argc++] = (char *)script;
    argv[argc] = NULL;
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0)
        child_exec(dir, argv, fds[1]);
    close(fds[1]);
    slurp(fds[0], errbuf, n);
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
