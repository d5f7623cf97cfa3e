/*
 * Owns the argument checks of the system calls (see sysargs.h): the
 * decision only; syscall.c does the copying.
 */
#include "sysargs.h"

#include "mm/uaccess.h"
#include "xomb/abi.h"

int64_t sysargs_write(struct mm_vm *vm, uint64_t buf, uint64_t len)
{
	if (len > XOMB_WRITE_MAX)
		return XOMB_ETOOBIG;
	if (mm_user_check(vm, buf, len, false, XOMB_WRITE_MAX) != MM_OK)
		return XOMB_EFAULT;
	return 0;
}
