/*
 * Catching libmm's assertions in a host test: this header defines
 * mm_port_assert_fail(), which replaces the library's assert_host.c at link
 * time, so include it in exactly one source file of a test executable.
 * EXPECT_ASSERT(op, what) runs op and requires it to trip the assertion
 * whose text contains what (the failing call jumps back here); an
 * assertion outside EXPECT_ASSERT prints itself and aborts, as the
 * library's would.
 */
#ifndef ASSERT_CATCH_H
#define ASSERT_CATCH_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mm/port.h"

static jmp_buf assert_env;
static bool assert_armed;
static char assert_expr[128];

_Noreturn void mm_port_assert_fail(const char *file, int line, const char *expr)
{
	(void)file;
	(void)line;
	if (!assert_armed) {
		print_error("libmm assertion failed: %s\n", expr);
		abort();
	}
	strncpy(assert_expr, expr, sizeof(assert_expr) - 1u);
	longjmp(assert_env, 1);
}

/* Run op; it must trip the libmm assertion whose text contains what. */
#define EXPECT_ASSERT(op, what)                                                \
	do {                                                                   \
		assert_armed = true;                                           \
		if (setjmp(assert_env) == 0) {                                 \
			op;                                                    \
			fail_msg("no assertion tripped: %s", #op);             \
		}                                                              \
		assert_armed = false;                                          \
		assert_non_null(strstr(assert_expr, what));                    \
	} while (0)

#endif /* ASSERT_CATCH_H */
