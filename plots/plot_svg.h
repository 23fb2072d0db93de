/* plot_svg.h - prepare a gnuplot SVG file for inlining into an HTML page.
 *
 * Prefix svg_.  The SVG comes from gnuplot and is trusted, but it is still
 * cleaned: everything before <svg (XML prolog, DOCTYPE) is dropped, every
 * <script> element is removed (and gnuplot's generic <title>), and every id (with its href="#..." and
 * url(#...) references) gets a per-figure prefix, so several figures in one
 * page do not share ids.
 */
#ifndef RELSIM_PLOT_SVG_H
#define RELSIM_PLOT_SVG_H

#include <stddef.h>

/* Read PATH and return the cleaned SVG text (caller frees), or NULL if the
 * file is missing, too large, or has no <svg element.  PREFIX is prepended
 * to ids ([A-Za-z0-9_-]). */
char *svg_inline(const char *path, const char *prefix);

/* Clean SVG text IN (NUL-terminated) as above; caller frees; NULL if it
 * has no <svg element or memory runs out. */
char *svg_clean(const char *in, const char *prefix);

#endif
