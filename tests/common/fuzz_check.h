/*
 * Assertions of the fuzz targets: a failed check prints where and what, then
 * aborts, which libFuzzer reports as a crash and saves the input.
 */
#ifndef XOMB_TEST_FUZZ_CHECK_H
#define XOMB_TEST_FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* a == b (compared as uint64_t), else print both and abort. */
#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);               \
		if (a_ != b_) {                                                \
			fprintf(stderr, "%s:%d: %s = 0x%llx, %s = 0x%llx\n",   \
				__FILE__, __LINE__, #a,                        \
				(unsigned long long)a_, #b,                    \
				(unsigned long long)b_);                       \
			abort();                                               \
		}                                                              \
	} while (0)

/* cond holds, else print it and abort. */
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

#endif /* XOMB_TEST_FUZZ_CHECK_H */
