/* Tests of the status-code names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mm/status.h"

/* Every code has its own non-NULL name, spelled like the enum. */
static void test_status_str_distinct(void **state)
{
	(void)state;
	for (int i = 0; i < MM_STATUS_COUNT; i++) {
		const char *a = mm_status_str((mm_status_t)i);
		assert_non_null(a);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(a,
						mm_status_str((mm_status_t)j));
	}
	assert_string_equal(mm_status_str(MM_OK), "MM_OK");
	assert_string_equal(mm_status_str(MM_ERR_HUGE_CONFLICT),
			    "MM_ERR_HUGE_CONFLICT");
}

/* A value outside the enum still yields a name, never NULL. */
static void test_status_str_out_of_range(void **state)
{
	(void)state;
	assert_string_equal(mm_status_str(MM_STATUS_COUNT), "MM_ERR_?");
	assert_string_equal(mm_status_str((mm_status_t)-1), "MM_ERR_?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_str_distinct),
		cmocka_unit_test(test_status_str_out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
