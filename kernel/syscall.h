/*
 * The system calls of the basic ABI (user/include/xomb/abi.h): EXIT, WRITE,
 * YIELD, GETPID; any other number returns XOMB_ENOSYS. Entered from
 * uarch_syscall() (the SYSCALL entry) with the program's saved registers.
 */
#ifndef XOMB_SYSCALL_H
#define XOMB_SYSCALL_H

#include <stdint.h>

/*
 * For ktest only: when non-zero, the next system call returns to this rip
 * instead of the program's (then the value is cleared), to drive the real
 * return path, guard included, with a return address no program can make.
 */
extern uint64_t syscall_test_return_rip;

/*
 * WRITE's argument check and copy, on its own for ktest: bytes of the
 * running program's [buf, buf + len) to the console. Returns len, or
 * XOMB_ETOOBIG (len > XOMB_WRITE_MAX), XOMB_EFAULT (any byte not mapped
 * user-readable in the caller's own tables); nothing is read then.
 */
int64_t syscall_write(uint64_t buf, uint64_t len);

#endif /* XOMB_SYSCALL_H */
