/*
 * The memory primitives as functions (xomb/exo.h): registers in, the
 * MapperError code out.
 */
#include "xomb/exo.h"

#include "xomb/user.h"

int64_t xomb_alloc_page(uint64_t phys, uint64_t entry, uint64_t flags)
{
	return xomb_syscall6(XOMB_SYS_ALLOC_PAGE, phys, entry, flags, 0, 0, 0);
}

int64_t xomb_remap_page(uint64_t entry, uint64_t target)
{
	return xomb_syscall2(XOMB_SYS_REMAP_PAGE, entry, target);
}

int64_t xomb_chmod_page(uint64_t entry, uint64_t flags)
{
	return xomb_syscall2(XOMB_SYS_CHMOD_PAGE, entry, flags);
}

int64_t xomb_unmap_page(uint64_t entry)
{
	return xomb_syscall2(XOMB_SYS_UNMAP_PAGE, entry, 0);
}

int64_t xomb_map_zero(uint64_t entry, uint64_t flags)
{
	return xomb_syscall2(XOMB_SYS_MAP_ZERO, entry, flags);
}
