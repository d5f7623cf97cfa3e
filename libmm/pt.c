/*
 * The one writer of page-table entries and keeper of table fill counts
 * (pt.h): entries are read and written through the recursive window, and
 * every change of whether an entry is occupied (present, or a process link)
 * moves the count held in its parent entry, so a table's emptiness is one read. Also the recount that gives
 * tables built before libmm their counts, and the check that recounts.
 * No libc: this compiles freestanding.
 */
#include "pt.h"

#include "mm/assert.h"
#include "mm/port.h"

/*
 * The entry that holds the count of the table of `level` that maps va: the
 * entry of level + 1 on va's path, or for the PML4 the recursive entry.
 */
static mm_vaddr_t pt_parent_va(unsigned level, mm_vaddr_t va)
{
	if (level == MM_PT_TOP)
		return MM_PTE_VA(MM_PT_TOP, MM_WINDOW_START);
	return MM_PTE_VA(level + 1u, va);
}

/*
 * True iff pte occupies its slot: present, or a process link (OWNER on a
 * non-present entry, mm/exo_proc.h), which the count must keep so that a
 * table holding a link never looks empty.
 */
static bool pt_occupied(mm_pte_t pte)
{
	return (pte & (MM_PTE_PRESENT | MM_PTE_OWNER)) != 0;
}

/* True iff pte is present and points to a table (at level > 0). */
static bool pt_is_table(mm_pte_t pte, unsigned level)
{
	return level > 0 && (pte & MM_PTE_PRESENT) && !(pte & MM_PTE_PS);
}

mm_pte_t mm_pt_read(const struct mm_vm *vm, unsigned level, mm_vaddr_t va)
{
	return mm_port_pte_read(vm->port, MM_PTE_VA(level, va));
}

unsigned mm_pt_count(const struct mm_vm *vm, unsigned level, mm_vaddr_t va)
{
	return MM_PTE_COUNT(
		mm_port_pte_read(vm->port, pt_parent_va(level, va)));
}

/* Add delta (+1 or -1) to the count of the table of `level` that maps va. */
static void pt_count_add(struct mm_vm *vm, unsigned level, mm_vaddr_t va,
			 int delta)
{
	mm_vaddr_t at = pt_parent_va(level, va);
	mm_pte_t parent = mm_port_pte_read(vm->port, at);
	unsigned n = MM_PTE_COUNT(parent);

	MM_ASSERT(pt_is_table(parent, level + 1u));
	MM_ASSERT(delta > 0 ? n < MM_PT_ENTRIES : n > 0);
	n = delta > 0 ? n + 1u : n - 1u;
	mm_port_pte_write(vm->port, at, MM_PTE_WITH_COUNT(parent, n));
}

void mm_pt_replace(struct mm_vm *vm, unsigned level, mm_vaddr_t va,
		   mm_pte_t old, mm_pte_t pte)
{
	mm_port_pte_write(vm->port, MM_PTE_VA(level, va), pte);
	if (pt_occupied(old) != pt_occupied(pte))
		pt_count_add(vm, level, va, pt_occupied(pte) ? 1 : -1);
}

void mm_pt_write(struct mm_vm *vm, unsigned level, mm_vaddr_t va, mm_pte_t pte)
{
	mm_pt_replace(vm, level, va, mm_pt_read(vm, level, va), pte);
}

/* Recount and check. */

/*
 * Count the present entries of the table of `level` whose indexes above
 * `level` are those of prefix, recounting every table below it first.
 * With fix, wrong counts below are rewritten; without, *bad counts them.
 * The recursive entry is counted but not followed.
 */
static unsigned pt_recount_table(const struct mm_vm *vm, unsigned level,
				 uint64_t prefix, bool fix, unsigned *bad)
{
	unsigned i, n = 0;

	for (i = 0; i < MM_PT_ENTRIES; i++) {
		mm_vaddr_t va =
			MM_VA_SIGN_EXTEND(prefix | MM_PT_FIELD(level, i));
		mm_pte_t pte = mm_pt_read(vm, level, va);
		unsigned below;

		n += pt_occupied(pte) ? 1u : 0u;
		if (!pt_is_table(pte, level) || (pte & MM_PTE_GRANT) ||
		    (level == MM_PT_TOP && i == MM_RECURSIVE_INDEX))
			continue;
		below = pt_recount_table(vm, level - 1u, va, fix, bad);
		if (below == MM_PTE_COUNT(pte))
			continue;
		*bad += 1u;
		if (fix)
			mm_port_pte_write(vm->port, MM_PTE_VA(level, va),
					  MM_PTE_WITH_COUNT(pte, below));
	}
	return n;
}

/* Recount everything; the PML4's count goes to the recursive entry. */
static unsigned pt_recount_all(const struct mm_vm *vm, bool fix)
{
	mm_vaddr_t at = pt_parent_va(MM_PT_TOP, 0);
	unsigned bad = 0;
	unsigned n = pt_recount_table(vm, MM_PT_TOP, 0, fix, &bad);
	mm_pte_t self = mm_port_pte_read(vm->port, at);

	if (MM_PTE_COUNT(self) == n)
		return bad;
	if (fix)
		mm_port_pte_write(vm->port, at, MM_PTE_WITH_COUNT(self, n));
	return bad + 1u;
}

void mm_pt_recount(struct mm_vm *vm)
{
	(void)pt_recount_all(vm, true);
}

mm_status_t mm_pt_check(const struct mm_vm *vm)
{
	return pt_recount_all(vm, false) == 0 ? MM_OK : MM_ERR_INVALID;
}
