/*
 * The basic system calls as functions (user/include/xomb/abi.h numbers).
 */
#include "xomb/user.h"

_Noreturn void xomb_exit(uint64_t code)
{
	xomb_syscall2(XOMB_SYS_EXIT, code, 0);
	for (;;)
		__asm__ volatile("ud2");
}

int64_t xomb_write(const void *buf, uint64_t len)
{
	return xomb_syscall2(XOMB_SYS_WRITE, (uint64_t)buf, len);
}

int64_t xomb_yield(void)
{
	return xomb_syscall2(XOMB_SYS_YIELD, 0, 0);
}

int64_t xomb_getpid(void)
{
	return xomb_syscall2(XOMB_SYS_GETPID, 0, 0);
}
