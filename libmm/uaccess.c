/*
 * Owns the user-pointer check (mm/uaccess.h): the walk that tells whether a
 * ring-3 access to a page would succeed, with the rights of the levels
 * combined as the MMU combines them, and the loop over the pages of a
 * range. Entries are read through the recursive window (mm_port_pte_read),
 * so this runs unchanged on the live tables and in the simulator. It only
 * reads: no entry is written and no TLB entry invalidated.
 */
#include "mm/uaccess.h"
#include "mm/port.h"
#include "mm/pte.h"

/* The level where a PS entry maps a 1 GiB page (the PDPT). */
#define UACCESS_LEVEL_1G 2u

/* Address bits a PS entry of `level` must leave zero: [13, shift). */
static mm_pte_t uaccess_huge_reserved(unsigned level)
{
	return (MM_PT_SPAN(level) - 1u) &
	       ~(MM_PTE_PAT_HUGE | (MM_FRAME_SIZE - 1u));
}

/* A present entry the MMU would refuse with a reserved-bit fault. */
static bool uaccess_reserved(const struct mm_vm *vm, mm_pte_t pte,
			     unsigned level)
{
	if ((pte & MM_PTE_NX) && !(vm->features & MM_CPU_NX))
		return true;
	if (level == 0 || !(pte & MM_PTE_PS))
		return false;
	if (level == MM_PT_TOP)
		return true;
	if (level == UACCESS_LEVEL_1G && !(vm->features & MM_CPU_1G))
		return true;
	return (pte & uaccess_huge_reserved(level)) != 0;
}

/*
 * The walk of one page, in the one-loop form of paging.c's walk (the
 * address bit layout is drawn there): descend from the PML4 to the entry
 * that maps va (level 0, or a PS entry), ANDing the U/S and R/W bits of
 * every level, as the MMU does. *span receives the size of the page found.
 * Errors: MM_ERR_NOT_MAPPED (an entry on the way not present),
 * MM_ERR_INVALID (a reserved bit, or a right of `need` missing at a level).
 */
static mm_status_t uaccess_page(const struct mm_vm *vm, mm_vaddr_t va,
				mm_pte_t need, uint64_t *span)
{
	mm_pte_t rights = need;
	unsigned level;

	for (level = MM_PT_TOP;; level--) {
		mm_pte_t pte = mm_port_pte_read(vm->port, MM_PTE_VA(level, va));

		if (!(pte & MM_PTE_PRESENT))
			return MM_ERR_NOT_MAPPED;
		if (uaccess_reserved(vm, pte, level))
			return MM_ERR_INVALID;
		rights &= pte;
		if (level == 0 || (pte & MM_PTE_PS))
			break;
	}
	*span = MM_PT_SPAN(level);
	return rights == need ? MM_OK : MM_ERR_INVALID;
}

/* Every page of [va, last], last < MM_USER_HALF_END, lowest first. */
static mm_status_t uaccess_range(const struct mm_vm *vm, mm_vaddr_t va,
				 mm_vaddr_t last, mm_pte_t need)
{
	mm_vaddr_t page = va;
	uint64_t span;
	mm_status_t st;

	for (;;) {
		st = uaccess_page(vm, page, need, &span);
		if (st != MM_OK)
			return st;
		page = (page & ~(span - 1u)) + span;
		if (page > last)
			return MM_OK;
	}
}

mm_status_t mm_user_check(struct mm_vm *vm, mm_vaddr_t va, uint64_t len,
			  bool write, uint64_t max)
{
	mm_pte_t need = MM_PTE_USER | (write ? MM_PTE_WRITE : 0);
	mm_status_t st;

	if (vm == NULL)
		return MM_ERR_INVALID;
	if (len == 0)
		return MM_OK;
	if (len > max || len - 1u > MM_USER_HALF_END - 1u ||
	    va > MM_USER_HALF_END - len)
		return MM_ERR_INVALID;
	mm_port_op_begin(vm->port);
	st = uaccess_range(vm, va, va + (len - 1u), need);
	mm_port_op_end(vm->port);
	return st;
}
