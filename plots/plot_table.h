/* plot_table.h - read a small CSV file (a header line, then rows) into memory.
 *
 * Prefix tab_.  The output folder's CSV files have a header naming the
 * columns; fields are never quoted (names are identifiers, numbers may be
 * empty).  Reading is tolerant: a short row reads as empty fields, '\r' is
 * dropped, blank lines are skipped, an unparsable number reads as NaN.
 *
 * Ownership: tab_load() returns a table that owns all its strings;
 * tab_free() releases it (tab_free(NULL) is a no-op).
 */
#ifndef RELSIM_PLOT_TABLE_H
#define RELSIM_PLOT_TABLE_H

#include <stddef.h>

typedef struct tab_table tab_table;

/* Load PATH.  NULL if it does not exist or cannot be read (errno set);
 * a file with only a header gives a table with 0 rows. */
tab_table *tab_load(const char *path);
void tab_free(tab_table *t);

int tab_rows(const tab_table *t);
int tab_cols(const tab_table *t);
/* Index of the column named NAME, or -1. */
int tab_col(const tab_table *t, const char *name);
/* Field as text ("" when missing or out of range); never NULL. */
const char *tab_str(const tab_table *t, int row, int col);
/* Field as a number; NaN when empty, missing or not a number. */
double tab_num(const tab_table *t, int row, int col);

#endif
