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

#endif /* MM_ASSERT_H */
