/* report_writer.h - one document written as HTML and Markdown at once.
 *
 * Prefix rw_.  Every text argument is plain text and is escaped here: for
 * HTML & < > " ' become entities, and the ':' of "://" too, so no URL
 * appears literally (control characters dropped); for Markdown
 * the characters that could start markup or HTML (\ ` * _ [ ] | ~ # !) are
 * backslash-escaped, & < > become entities, "://" and "www." get a
 * zero-width space so they do not autolink, and line breaks inside table
 * cells become spaces.  So no text from a scenario file
 * can inject HTML or Markdown.
 *
 * Ownership: the caller opens and closes both FILEs; either may be NULL.
 */
#ifndef RELSIM_REPORT_WRITER_H
#define RELSIM_REPORT_WRITER_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    FILE *html;
    FILE *md;
    int cols;          /* columns of the open table */
    const char *align; /* its 'l'/'r' per column (the caller's string, kept until rw_table_end) */
} rw_doc;

/* Escape TEXT for HTML element content or a quoted attribute. */
void rw_html_escape(FILE *f, const char *text);
/* Escape TEXT for Markdown; IN_TABLE also escapes | and flattens newlines. */
void rw_md_escape(FILE *f, const char *text, int in_table);

/* Page head (TITLE is plain text) with the inline style sheet, and its end. */
void rw_begin(rw_doc *d, const char *title);
void rw_end(rw_doc *d);

/* Heading of LEVEL (1-3) with anchor ID ([a-z0-9_-], may be NULL). */
void rw_heading(rw_doc *d, int level, const char *id, const char *text);
/* A paragraph of plain text (printf format). */
void rw_para(rw_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A highlighted box: KIND "warning" (red banner) or "note" (grey). */
void rw_box(rw_doc *d, const char *kind, const char *text);

/* Bulleted lists. */
void rw_list_begin(rw_doc *d);
void rw_item(rw_doc *d, const char *text);
/* An item "LABEL: TEXT" with LABEL in bold. */
void rw_item2(rw_doc *d, const char *label, const char *text);
void rw_list_end(rw_doc *d);

/* A table of N columns; ALIGN is a string of 'l'/'r' per column (the
 * header and every cell of the column), which must live until
 * rw_table_end(). */
void rw_table_begin(rw_doc *d, int n, const char *const *headers, const char *align);
/* One row of N cells; CLS (may be NULL) is a CSS class for cell CLS_COL
 * (e.g. "agrees" on the verdict cell). */
void rw_table_row(rw_doc *d, const char *const *cells, const char *cls, int cls_col);
/* A row whose cell LINK_COL is a link to the relative path HREF. */
void rw_table_row_link(rw_doc *d, const char *const *cells, int link_col, const char *href);
void rw_table_end(rw_doc *d);

/* A figure: the inline SVG (already sanitized; NULL if not rendered, then
 * MISSING explains it), TITLE and CAPTION in plain text; Markdown links
 * plots/NAME.svg. */
void rw_figure(rw_doc *d, const char *name, const char *title, const char *caption,
               const char *svg, const char *missing);

/* A table of contents entry list: pairs (id, text), N of them. */
void rw_toc(rw_doc *d, const char *const *ids, const char *const *texts, int n);

#endif
