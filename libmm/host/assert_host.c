/*
 * The hosted home of MM_ASSERT: report the failed invariant and abort, which
 * fails the running test (ctest sees the signal) or the fuzzer.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mm/port.h"

_Noreturn void mm_port_assert_fail(const char *file, int line, const char *expr)
{
	fprintf(stderr, "%s:%d: libmm assertion failed: %s\n", file, line,
		expr);
	abort();
}
