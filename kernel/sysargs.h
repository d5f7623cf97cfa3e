/*
 * The argument checks of the system calls, kept apart from the calls so
 * they are portable: decided from the registers and the caller's own page
 * tables alone, touching no byte of user memory. Compiled into the kernel
 * (syscall.c) and into the host tests, where the simulator's ring-3
 * accesses confirm every verdict. Not thread-safe: the caller holds what
 * serializes access to vm (kmem.lock in the kernel).
 */
#ifndef XOMB_SYSARGS_H
#define XOMB_SYSARGS_H

#include <stdint.h>

#include "mm/paging.h"

/*
 * WRITE(buf, len): 0 when the kernel may read [buf, buf + len) on the
 * caller's behalf, i.e. every byte lies in the user half and its page is
 * present and user-accessible at every level of vm's current tables (len
 * 0: always 0, nothing is looked at). Else XOMB_ETOOBIG (len over
 * XOMB_WRITE_MAX, checked first) or XOMB_EFAULT (kernel half,
 * non-canonical, wrapping past 2^64, a page not present, or one the
 * program itself could not read). Changes nothing.
 */
int64_t sysargs_write(struct mm_vm *vm, uint64_t buf, uint64_t len);

#endif /* XOMB_SYSARGS_H */
