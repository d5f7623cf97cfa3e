/*
 * ktest: the in-kernel test runner. It runs libmm against the real MMU after
 * boot and prints one line per test ("ktest: PASS name" or "ktest: FAIL
 * name" after the reason) and returns the totals for the summary line.
 */
#ifndef XOMB_KTEST_H
#define XOMB_KTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "boot_info.h"
#include "mm/status.h"

struct ktest_result {
	unsigned passed, failed;
};

/* One test: returns true when it passed. */
struct ktest {
	const char *name;
	bool (*run)(void);
};

/* The test tables, one per file. */
extern const struct ktest ktest_frame_tests[];
extern const size_t ktest_frame_count;
extern const struct ktest ktest_paging_tests[];
extern const size_t ktest_paging_count;

extern const struct ktest ktest_user_tests[];
extern const size_t ktest_user_count;
extern const struct ktest ktest_exok_tests[];
extern const size_t ktest_exok_count;

/* The boot info ktest_run() was given, for the tests. */
extern const struct boot_info *ktest_boot;

/*
 * Run every test once, in table order. With "ktest.fail=1" on the kernel
 * command line one extra test fails on purpose (to prove that the boot
 * tests notice a failure); with "ktest.crash=1" the kernel then touches an
 * unmapped address, which the exception handler must report.
 */
void ktest_run(const struct boot_info *bi, struct ktest_result *out);

/*
 * Run the n tests of table t, adding to *out (for tables that need setup
 * after ktest_run(), like the user-mode tests).
 */
void ktest_run_table(const struct ktest *t, size_t n, struct ktest_result *out);

/* Report a failed check; used through the macros below. */
void ktest_note(int line, const char *expr);
void ktest_note_status(int line, const char *expr, mm_status_t got,
		       mm_status_t want);

/* Fail the current test (return false) unless cond holds. */
#define KT_CHECK(cond)                                                         \
	do {                                                                   \
		if (!(cond)) {                                                 \
			ktest_note(__LINE__, #cond);                           \
			return false;                                          \
		}                                                              \
	} while (0)

/* Fail the current test unless expr yields status want. */
#define KT_STATUS(expr, want)                                                  \
	do {                                                                   \
		mm_status_t st_ = (expr);                                      \
		if (st_ != (want)) {                                           \
			ktest_note_status(__LINE__, #expr, st_, (want));       \
			return false;                                          \
		}                                                              \
	} while (0)

#define KT_OK(expr) KT_STATUS(expr, MM_OK)

#endif /* XOMB_KTEST_H */
