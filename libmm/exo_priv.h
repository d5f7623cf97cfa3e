/*
 * libmm-private: what XOmB's process and resource calls (exo_proc.c) reuse
 * of the memory primitives (exo_mem.c), so that an entry is decoded, an
 * ownership walk done and flags turned into entry bits in one place only.
 * Not installed. Not thread-safe: callers serialize (as for all of libmm).
 */
#ifndef MM_EXO_PRIV_H
#define MM_EXO_PRIV_H

#include "mm/exo.h"
#include "mm/pte.h"

/* A decoded entry: its level and the page-aligned va it maps. */
struct exo_ent {
	unsigned level;
	mm_vaddr_t va;
};

/*
 * Decode a window address naming an entry of the callable user half
 * (mm/exo.h, "Entries"). False for anything else; *e is then undefined.
 */
bool mm_exo_decode(mm_vaddr_t entry, struct exo_ent *e);

/*
 * The walk from the PML4 down to e's table crosses only present table
 * entries carrying none of MM_PTE_PS and `refuse` (mm/exo.h's ownership
 * walk is refuse = MM_PTE_GRANT).
 */
bool mm_exo_path_clear(const struct mm_exo *x, const struct exo_ent *e,
		       mm_pte_t refuse);

/*
 * Flags valid for an entry of `level` (mm/exo.h, "Flags"), and the entry
 * bits of valid flags (PRESENT | USER, WRITE unless READONLY, ...).
 */
bool mm_exo_flags_valid(const struct mm_exo *x, uint64_t flags, unsigned level);
mm_pte_t mm_exo_flags_bits(uint64_t flags);

/*
 * Claim the frame at phys for the caller (ALLOC_PAGE's NOT_FREE test and
 * claim): false, nothing changed, when phys is unaligned, beyond 52 bits,
 * or the allocator refuses it.
 */
bool mm_exo_claim(const struct mm_exo *x, uint64_t phys);

/*
 * Map the claimed frame pa, zeroed first, at the empty entry e with entry
 * bits `bits` (ALLOC_PAGE's last step): one invlpg.
 */
void mm_exo_link_new(struct mm_exo *x, const struct exo_ent *e, mm_paddr_t pa,
		     mm_pte_t bits);

/*
 * The resource calls' part of UNMAP_PAGE of an OWNER table entry pte
 * (exo_proc.c): true when the resource is still granted (UNMAP_PAGE then
 * fails with NOT_EMPTY); mm_proc_forget_root() drops the resource from the
 * kernel's resource map once UNMAP_PAGE has freed its root.
 */
struct mm_proc;
bool mm_proc_root_busy(const struct mm_proc *p, mm_pte_t pte);
void mm_proc_forget_root(struct mm_proc *p, mm_pte_t pte);

#endif /* MM_EXO_PRIV_H */
