/*
 * libmm-private: the one writer of page-table entries and keeper of table
 * fill counts. Every libmm module that changes an entry (paging.c, the XOmB
 * primitives) goes through mm_pt_write(), so the counts stay exact.
 *
 * The count: an entry that points to a table holds in MM_PTE_COUNT_* (bits
 * 52-61, ignored by the MMU in such an entry) the number of occupied
 * entries of that table, 0..512: present entries and process links (OWNER
 * on a non-present entry, mm/exo_proc.h). An entry carrying GRANT links a
 * table another entry owns: only the owner's entry keeps its count, the
 * recount neither follows nor checks a GRANT entry. Whether a table is empty is then one read of its
 * parent entry. The PML4 has no parent but the recursive entry
 * PML4[MM_RECURSIVE_INDEX], which points to the PML4 itself: that entry
 * holds the PML4's count (itself included).
 *
 * Tables that existed before libmm (the kernel's boot tables, the
 * simulator's first PML4) carry no counts: mm_pt_recount() walks every
 * table once and writes them; mm_vm_init() calls it. Whoever edits an entry
 * behind libmm's back afterwards must call mm_vm_init() again.
 *
 * Through the recursive window an entry that points to a table also acts as
 * a leaf (the table's own page). There bits 52-58 are ignored and 59-62
 * would select a protection key with CR4.PKE / CR4.PKS: the window is
 * supervisor-only and the kernel leaves CR4.PKS off, so a count >= 128 is
 * harmless; turning PKS on requires moving the count.
 *
 * Not thread-safe: callers serialize (as for all of libmm).
 */
#ifndef MM_PT_H
#define MM_PT_H

#include "mm/paging.h"
#include "mm/pte.h"
#include "mm/status.h"

/* The entry of `level` that maps va, read through the recursive window. */
mm_pte_t mm_pt_read(const struct mm_vm *vm, unsigned level, mm_vaddr_t va);

/*
 * Write the entry of `level` that maps va. When the entry becomes occupied
 * or not occupied, the count in its parent entry (for level MM_PT_TOP: the
 * recursive entry) goes up or down by one; the parent must be present and
 * point to a table. The count bits of pte itself are written as given: a
 * caller rewriting a table entry keeps the count it read, a caller linking
 * a new, zeroed table gives 0. No invalidation is done here.
 */
void mm_pt_write(struct mm_vm *vm, unsigned level, mm_vaddr_t va, mm_pte_t pte);

/*
 * mm_pt_write() for a caller that has just read the entry: old is its
 * current value (only its present bit is used), which saves one read.
 */
void mm_pt_replace(struct mm_vm *vm, unsigned level, mm_vaddr_t va,
		   mm_pte_t old, mm_pte_t pte);

/* Present entries of the table of `level` that maps va (which must exist). */
unsigned mm_pt_count(const struct mm_vm *vm, unsigned level, mm_vaddr_t va);

/*
 * Walk every table reachable from the PML4 (not through the recursive
 * entry) and write each table's count into the entry that points to it.
 * Changes only count bits, so no translation changes. Cost: 512 reads per
 * existing table.
 */
void mm_pt_recount(struct mm_vm *vm);

/*
 * Recount as mm_pt_recount() does and compare, writing nothing. Returns
 * MM_OK, or MM_ERR_INVALID when a stored count disagrees.
 */
mm_status_t mm_pt_check(const struct mm_vm *vm);

#endif /* MM_PT_H */
