/*
 * Test bookkeeping for the test programs: one line per failed check, one
 * summary line that the boot tests read.
 */
#include "xomb/user.h"

void utest_check(struct utest *t, int ok, const char *what, int line)
{
	if (ok) {
		t->passed++;
		return;
	}
	t->failed++;
	uprintf("utest: FAIL %s line %d: %s\n", t->program, line, what);
}

int utest_report(const struct utest *t)
{
	uprintf("utest: %u passed, %u failed\n", t->passed, t->failed);
	return t->failed == 0 && t->passed > 0 ? 0 : 1;
}
