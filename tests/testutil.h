/* testutil.h - helpers shared by the cmocka tests.
 *
 * cmocka's assert_float_equal converts to float; assert_close compares doubles
 * and prints expected and actual, one line per check.
 */
#ifndef RELSIM_TESTUTIL_H
#define RELSIM_TESTUTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

/* |actual - expected| <= tol, printed either way so logs show the margin. */
#define assert_close(actual, expected, tol) \
    testutil_close((actual), (expected), (tol), #actual, __FILE__, __LINE__)

static inline void testutil_close(double a, double e, double tol, const char *what,
                                  const char *file, int line)
{
    int ok = isfinite(a) && fabs(a - e) <= tol;
    print_message("%s %s = %.10g, expected %.10g +- %.3g (%s:%d)\n", ok ? "ok  " : "FAIL",
                  what, a, e, tol, file, line);
    if (!ok)
        _fail(file, line);
}

#endif
