/* json_scan.h - a JSON file read one value at a time, so that cJSON parses
 * only the values the reader wants, one after another, never the document.
 *
 * Prefix js_.  The scanner does not parse JSON: it finds where a value ends
 * (brackets counted outside strings) and hands that byte range to cJSON;
 * js_skip() passes over a value the reader does not use, checking only its
 * brackets and strings.  The file is read through a 64 kB window and the
 * value being cut out is the only other buffer, so memory follows the
 * largest value taken, not the file.  Errors are reported as
 * "PATH:LINE:COL: not valid JSON" at the byte cJSON (or the scanner) stops.
 *
 * Ownership: a js_scan owns its FILE and buffers (js_close); values from
 * js_take() belong to the caller (cJSON_Delete).
 */
#ifndef RELSIM_JSON_SCAN_H
#define RELSIM_JSON_SCAN_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct js_scan js_scan;

/* Open PATH; NULL with errno set. */
js_scan *js_open(const char *path);
void js_close(js_scan *s); /* NULL is fine */

/* The next character that is not white space (not consumed), or EOF. */
int js_peek(js_scan *s);

/* Cut out and parse the next value; NULL after an error (js_error). */
cJSON *js_take(js_scan *s);

/* Pass over the next value.  0, or -1 after an error. */
int js_skip(js_scan *s);

/* The next value is an object: call EACH for every member, in file order,
 * with its key; EACH must consume the member's value (js_take, js_skip,
 * js_each_*) and return 0, or -1 to stop.  0, or -1 after an error. */
int js_each_member(js_scan *s, int (*each)(js_scan *s, void *ctx, const char *key), void *ctx);

/* The next value is an array: call EACH for every element (which it must
 * consume).  0, or -1 after an error. */
int js_each_element(js_scan *s, int (*each)(js_scan *s, void *ctx), void *ctx);

/* Nothing but white space is left.  0, or -1 after an error. */
int js_end(js_scan *s);

/* Mark an error at the current position (e.g. out of memory in a
 * callback); -1. */
int js_fail(js_scan *s);

/* After an error: "PATH:LINE:COL: not valid JSON", or the read error, in
 * ERR. */
void js_error(js_scan *s, const char *path, char *err, size_t n);

#endif
