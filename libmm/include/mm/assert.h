/*
 * The one assert macro. It checks preconditions that the public entry points
 * have already validated, so it can only fire on a libmm bug. It is always
 * compiled in: a corrupted page table is worse than a branch.
 */
#ifndef MM_ASSERT_H
#define MM_ASSERT_H

#include "mm/port.h"

/* Calls mm_port_assert_fail() (which never returns) unless cond holds. */
#define MM_ASSERT(cond)                                                        \
	do {                                                                   \
		if (!(cond))                                                   \
			mm_port_assert_fail(__FILE__, __LINE__, #cond);        \
	} while (0)

/*
 * MM_DEBUG_ASSERT(cond): the checks at state changes that would cost the hot
 * path (a word that must change, a range that must be uniformly free, a
 * counter that must not underflow). Evaluated when MM_DEBUG is defined
 * (libmm/CMakeLists.txt defines it in every build type but Release: the
 * tests, fuzzers and the kernel have it, the benchmarks do not); otherwise
 * type-checked and never evaluated. MM_DEBUG_ON says which.
 */
#ifdef MM_DEBUG
#define MM_DEBUG_ON 1
#else
#define MM_DEBUG_ON 0
#endif

/* Fails like MM_ASSERT(cond) when MM_DEBUG_ON; never evaluates cond else. */
#define MM_DEBUG_ASSERT(cond)                                                  \
	do {                                                                   \
		if (MM_DEBUG_ON && !(cond))                                    \
			mm_port_assert_fail(__FILE__, __LINE__, #cond);        \
	} while (0)

#endif /* MM_ASSERT_H */
