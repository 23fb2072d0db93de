/* sweep_axis.h - parsing one `--vary PATH=V1,V2,...` or `PATH=lo:hi:step`
 * into the value texts a sweep applies through the loader.
 *
 * Values are split on commas outside quotes and brackets (so JSON objects
 * and arrays survive); a range lists lo, lo+step, ... and includes hi when
 * it is on the grid within 1e-9 steps.  Errors are printed to stderr as
 * "relsim sweep: --vary ARG: what is wrong".
 *
 * Ownership: an sw_axis owns its path and value texts; sweep_axes_free()
 * releases an array of them.
 */
#ifndef RELSIM_SWEEP_AXIS_H
#define RELSIM_SWEEP_AXIS_H

#define SW_MAX_POINTS 10000 /* grid points (and values of one range) */

/* One --vary: a path and the value texts given to loader_set_as(). */
typedef struct {
    const char *opt; /* "--vary" (NULL) or "--baseline", for messages */
    const char *arg; /* the option's argument PATH=..., for messages */
    char *path;      /* owned */
    char **vals;     /* owned texts */
    int n;
    int variant;     /* the variants' axis: path "variant", vals their names */
} sw_axis;

/* Parse ARG (PATH=...) into *A (overwritten).  0, or -1 after printing;
 * on failure *A may hold partial allocations: free it with sweep_axes_free. */
int sweep_axis_parse(sw_axis *a, const char *arg);

/* Split S on commas outside quotes and brackets into A's value texts
 * (appended).  0, or -1 after printing. */
int sweep_split_list(sw_axis *a, const char *s);

/* The item of S that ends at the first SEP outside quotes and brackets (or at
 * the end): its text without surrounding spaces in [*B, *E).  Returns where
 * it ended (the SEP, or the final NUL). */
const char *sweep_next_item(const char *s, char sep, const char **b, const char **e);

/* Free N axes and the array itself.  NULL is fine. */
void sweep_axes_free(sw_axis *ax, int n);

/* Print "relsim sweep: OPT ARG: " + FMT (with DETAIL) and return -1. */
int sweep_usage(const char *opt, const char *arg, const char *fmt, const char *detail);

#endif
