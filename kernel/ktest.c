/*
 * Owns the test runner: table walking, the per-test and failure lines, the
 * totals, the deliberate failure selected by "ktest.fail=1" and the
 * deliberate unexpected page fault selected by "ktest.crash=1".
 */
#include "ktest.h"

#include <stdint.h>

#include "cmdline.h"
#include "kmem.h"
#include "kprintf.h"

const struct boot_info *ktest_boot;
static const char *current;

void ktest_note(int line, const char *expr)
{
	kprintf("ktest:   %s: line %d: check failed: %s\n", current, line,
		expr);
}

void ktest_note_status(int line, const char *expr, mm_status_t got,
		       mm_status_t want)
{
	kprintf("ktest:   %s: line %d: %s returned %s, expected %s\n", current,
		line, expr, mm_status_str(got), mm_status_str(want));
}

/* Fails on purpose: proves the boot tests notice a failing kernel. */
static bool deliberate_failure(void)
{
	KT_CHECK(!"ktest.fail=1 on the command line");
	return true;
}

/*
 * Touch an unmapped address outside any probe: the exception handler must
 * report it and leave with the exception code (ktest.crash=1).
 */
static void crash_on_purpose(void)
{
	uintptr_t va = 0x10;

	kprintf("ktest: ktest.crash=1: reading unmapped address %#lx\n", va);
	__asm__ volatile("" : "+r"(va)); /* an address, not a null deref */
	(void)*(volatile uint64_t *)va;
}

static void run_one(const struct ktest *t, struct ktest_result *out)
{
	bool ok;

	current = t->name;
	kmem_lock();
	ok = t->run();
	kmem_unlock();
	kprintf("ktest: %s %s\n", ok ? "PASS" : "FAIL", t->name);
	if (ok)
		out->passed++;
	else
		out->failed++;
}

void ktest_run_table(const struct ktest *t, size_t n, struct ktest_result *out)
{
	for (size_t i = 0; i < n; i++)
		run_one(&t[i], out);
}

void ktest_run(const struct boot_info *bi, struct ktest_result *out)
{
	static const struct ktest fail = {"deliberate_failure",
					  deliberate_failure};

	ktest_boot = bi;
	*out = (struct ktest_result){0};
	ktest_run_table(ktest_frame_tests, ktest_frame_count, out);
	ktest_run_table(ktest_paging_tests, ktest_paging_count, out);
	if (cmdline_has(bi->cmdline, "ktest.fail=1"))
		run_one(&fail, out);
	if (cmdline_has(bi->cmdline, "ktest.crash=1"))
		crash_on_purpose();
}
