/* report_writer.c - HTML + Markdown writer with escaping of all text. */
#include "plots/report_writer.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>

void rw_html_escape(FILE *f, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        case ':': /* "://" as an entity: no URL appears literally in the page */
            fputs(strncmp((const char *)p + 1, "//", 2) ? ":" : "&#58;", f);
            break;
        default:
            if (*p >= 0x20 || *p == '\n' || *p == '\t')
                fputc(*p, f);
        }
    }
}

void rw_md_escape(FILE *f, const char *text, int in_table)
{
    const char *s = text ? text : "";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            fputc(in_table || *p == '\t' ? ' ' : '\n', f);
            continue;
        }
        if (*p < 0x20 || *p == 0x7f)
            continue;
        if (*p == '&')
            fputs("&amp;", f);
        else if (*p == '<')
            fputs("&lt;", f);
        else if (*p == '>')
            fputs("&gt;", f);
        else if (strchr("\\`*_[]|~#!", *p))
            fprintf(f, "\\%c", *p);
        else if ((*p == ':' && !strncmp((const char *)p + 1, "//", 2)) ||
                 (*p == '.' && p - (const unsigned char *)s >= 3 &&
                  !strncasecmp((const char *)p - 3, "www", 3)))
            fprintf(f, "%c\xe2\x80\x8b", *p); /* a zero-width space: no autolink */
        else
            fputc(*p, f);
    }
}

static const char *style =
    ":root{--fg:#1f2328;--muted:#5f6b76;--line:#d8dee4;--soft:#f6f8fa;--accent:#0072B2;"
    "--bad:#b3261e;--ok:#1a7f37}\n"
    "*{box-sizing:border-box}\n"
    "body{font:15px/1.55 system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
    "color:var(--fg);max-width:1040px;margin:0 auto;padding:24px 28px 60px}\n"
    "h1{font-size:1.7em;margin:.2em 0 .1em}h2{font-size:1.3em;margin:2.2em 0 .6em;"
    "padding-bottom:.25em;border-bottom:1px solid var(--line)}h3{font-size:1.05em;margin:1.4em 0 .4em}\n"
    "p{margin:.5em 0}.sub{color:var(--muted);margin-top:0}\n"
    "table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em;width:100%}\n"
    "th,td{padding:.32em .75em;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n"
    "th{background:var(--soft);font-weight:600}td.r,th.r{text-align:right;"
    "font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "tr:hover td{background:#fafbfc}\n"
    ".warning{background:#fdecea;border:1px solid #f1b8b3;color:#7a1a12;padding:.8em 1.1em;"
    "border-radius:6px;margin:1em 0;font-weight:600}\n"
    ".note{background:var(--soft);border-left:4px solid #9aa5b1;padding:.5em 1em;margin:.8em 0}\n"
    ".agrees{color:var(--ok);font-weight:600}.disagrees{color:var(--bad);font-weight:600}"
    ".other{color:var(--muted);font-weight:600}\n"
    "figure{margin:1.8em 0;break-inside:avoid;page-break-inside:avoid}\n"
    "figure svg{max-width:100%;height:auto;display:block;border:1px solid var(--line);border-radius:4px}\n"
    "figcaption{color:var(--muted);font-size:.93em;margin-top:.4em}figcaption b{color:var(--fg)}\n"
    ".missing{border:1px dashed #9aa5b1;padding:1.2em;background:var(--soft);color:var(--muted)}\n"
    "code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--soft);"
    "padding:.1em .35em;border-radius:4px}\n"
    "pre{background:var(--soft);padding:.6em .9em;border-radius:6px;overflow-x:auto}\n"
    "nav{background:var(--soft);padding:.6em 1.1em;border-radius:6px;margin:1em 0}"
    "nav ul{margin:.2em 0;padding-left:1.2em;columns:2}\n"
    "a{color:var(--accent)}\n"
    "@media print{body{max-width:none;padding:0;font-size:10.5pt}nav{display:none}"
    "h2{break-after:avoid;page-break-after:avoid}table,figure,tr{break-inside:avoid;"
    "page-break-inside:avoid}figure svg{border:none}a{color:inherit;text-decoration:none}"
    "tr:hover td{background:none}.warning{border:2px solid #7a1a12}}\n";

void rw_begin(rw_doc *d, const char *title)
{
    if (d->html) {
        fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
              "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
              "style-src 'unsafe-inline'; img-src data:\">\n<title>", d->html);
        rw_html_escape(d->html, title);
        fprintf(d->html, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", style);
    }
    rw_heading(d, 1, "top", title);
}

void rw_end(rw_doc *d)
{
    if (d->html)
        fputs("</main>\n</body>\n</html>\n", d->html);
}

void rw_heading(rw_doc *d, int level, const char *id, const char *text)
{
    if (d->html) {
        fprintf(d->html, "<h%d", level);
        if (id) {
            fputs(" id=\"", d->html);
            rw_html_escape(d->html, id);
            fputc('"', d->html);
        }
        fputc('>', d->html);
        rw_html_escape(d->html, text);
        fprintf(d->html, "</h%d>\n", level);
    }
    if (d->md) {
        fprintf(d->md, "\n%.*s ", level, "###");
        rw_md_escape(d->md, text, 1);
        fputs("\n\n", d->md);
    }
}

static void para(rw_doc *d, const char *cls, const char *text)
{
    if (d->html) {
        fprintf(d->html, cls ? "<p class=\"%s\">" : "<p>", cls);
        rw_html_escape(d->html, text);
        fputs("</p>\n", d->html);
    }
    if (d->md) {
        rw_md_escape(d->md, text, 0);
        fputs("\n\n", d->md);
    }
}

void rw_para(rw_doc *d, const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    para(d, NULL, buf);
}

void rw_box(rw_doc *d, const char *kind, const char *text)
{
    if (d->html) {
        fprintf(d->html, "<div class=\"%s\" role=\"%s\">", kind,
                strcmp(kind, "warning") ? "note" : "alert");
        rw_html_escape(d->html, text);
        fputs("</div>\n", d->html);
    }
    if (d->md) {
        fprintf(d->md, "> **%s:** ", strcmp(kind, "warning") ? "Note" : "Warning");
        rw_md_escape(d->md, text, 1);
        fputs("\n\n", d->md);
    }
}

void rw_list_begin(rw_doc *d)
{
    if (d->html)
        fputs("<ul>\n", d->html);
}

void rw_item2(rw_doc *d, const char *label, const char *text)
{
    if (d->html) {
        fputs("<li>", d->html);
        if (label) {
            fputs("<b>", d->html);
            rw_html_escape(d->html, label);
            fputs(":</b> ", d->html);
        }
        rw_html_escape(d->html, text);
        fputs("</li>\n", d->html);
    }
    if (d->md) {
        fputs("- ", d->md);
        if (label) {
            fputs("**", d->md);
            rw_md_escape(d->md, label, 1);
            fputs(":** ", d->md);
        }
        rw_md_escape(d->md, text, 1);
        fputc('\n', d->md);
    }
}

void rw_item(rw_doc *d, const char *text) { rw_item2(d, NULL, text); }

void rw_list_end(rw_doc *d)
{
    if (d->html)
        fputs("</ul>\n", d->html);
    if (d->md)
        fputc('\n', d->md);
}

void rw_table_begin(rw_doc *d, int n, const char *const *headers, const char *align)
{
    d->cols = n;
    d->align = align;
    if (d->html) {
        fputs("<table>\n<thead><tr>", d->html);
        for (int i = 0; i < n; i++) {
            fputs(align[i] == 'r' ? "<th class=\"r\">" : "<th>", d->html);
            rw_html_escape(d->html, headers[i]);
            fputs("</th>", d->html);
        }
        fputs("</tr></thead>\n<tbody>\n", d->html);
    }
    if (d->md) {
        fputs("|", d->md);
        for (int i = 0; i < n; i++) {
            fputc(' ', d->md);
            rw_md_escape(d->md, headers[i], 1);
            fputs(" |", d->md);
        }
        fputs("\n|", d->md);
        for (int i = 0; i < n; i++)
            fputs(align[i] == 'r' ? " ---: |" : " --- |", d->md);
        fputc('\n', d->md);
    }
}

static void row(rw_doc *d, const char *const *cells, const char *cls, int cls_col, int link_col,
                const char *href)
{
    if (d->html) {
        fputs("<tr>", d->html);
        for (int i = 0; i < d->cols; i++) {
            const char *c = cells[i] ? cells[i] : "";
            int right = d->align[i] == 'r'; /* a cell aligns as its column's header */
            const char *c2 = (cls && i == cls_col) ? cls : "";
            if (right || *c2) {
                fprintf(d->html, "<td class=\"%s%s", right ? "r" : "", right && *c2 ? " " : "");
                rw_html_escape(d->html, c2);
                fputs("\">", d->html);
            } else {
                fputs("<td>", d->html);
            }
            if (href && i == link_col) {
                fputs("<a href=\"", d->html);
                rw_html_escape(d->html, href);
                fputs("\">", d->html);
            }
            rw_html_escape(d->html, c);
            fputs(href && i == link_col ? "</a></td>" : "</td>", d->html);
        }
        fputs("</tr>\n", d->html);
    }
    if (d->md) {
        fputs("|", d->md);
        for (int i = 0; i < d->cols; i++) {
            fputc(' ', d->md);
            rw_md_escape(d->md, cells[i] ? cells[i] : "", 1);
            fputs(" |", d->md);
        }
        fputc('\n', d->md);
    }
}

void rw_table_row(rw_doc *d, const char *const *cells, const char *cls, int cls_col)
{
    row(d, cells, cls, cls_col, -1, NULL);
}

void rw_table_row_link(rw_doc *d, const char *const *cells, int link_col, const char *href)
{
    row(d, cells, NULL, -1, link_col, href);
}

void rw_table_end(rw_doc *d)
{
    if (d->html)
        fputs("</tbody>\n</table>\n", d->html);
    if (d->md)
        fputc('\n', d->md);
    d->cols = 0;
    d->align = NULL;
}

void rw_figure(rw_doc *d, const char *name, const char *title, const char *caption,
               const char *svg, const char *missing)
{
    if (d->html) {
        fputs("<figure id=\"fig-", d->html);
        rw_html_escape(d->html, name);
        fputs("\">\n", d->html);
        if (svg) {
            fputs(svg, d->html);
        } else {
            fputs("<div class=\"missing\">", d->html);
            rw_html_escape(d->html, missing);
            fputs("</div>", d->html);
        }
        fputs("\n<figcaption><b>", d->html);
        rw_html_escape(d->html, title);
        fputs(".</b> ", d->html);
        rw_html_escape(d->html, caption);
        fputs("</figcaption>\n</figure>\n", d->html);
    }
    if (d->md) {
        fputs("![", d->md);
        rw_md_escape(d->md, title, 1);
        fprintf(d->md, "](plots/%s.svg)\n\n*", name);
        rw_md_escape(d->md, caption, 1);
        fputs("*\n\n", d->md);
        if (!svg && missing) {
            rw_md_escape(d->md, missing, 1);
            fputs("\n\n", d->md);
        }
    }
}

void rw_toc(rw_doc *d, const char *const *ids, const char *const *texts, int n)
{
    if (d->html) {
        fputs("<nav aria-label=\"contents\"><b>Contents</b>\n<ul>\n", d->html);
        for (int i = 0; i < n; i++) {
            fputs("<li><a href=\"#", d->html);
            rw_html_escape(d->html, ids[i]);
            fputs("\">", d->html);
            rw_html_escape(d->html, texts[i]);
            fputs("</a></li>\n", d->html);
        }
        fputs("</ul>\n</nav>\n", d->html);
    }
}
