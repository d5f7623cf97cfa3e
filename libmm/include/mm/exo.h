/*
 * XOmB's memory primitives (docs/MEMORY.md of xomboverlord/xomb): the five
 * calls through which a library OS manages the page tables of its own
 * address space. They act on the CURRENT address space, which they edit
 * through the recursive window (PML4[510]) like paging.c, and return
 * XOmB's MapperError codes, which equal XOMB_* of user/include/xomb/abi.h.
 * The kernel's system-call layer only decodes registers and calls them.
 *
 * Entries. A program names a page-table entry by that entry's own address
 * in the recursive window (MM_PTE_VA(level, va) of mm/pte.h): 8-byte
 * aligned, canonical, inside the window, and for an address va of the user
 * half whose PML4 index is below MM_EXO_PML4_LIMIT (never the kernel half,
 * never the recursive slot, never the frame-bitmap slot 255). An entry of
 * level 0 (a PT) maps a 4 KiB data page, whose va must be at least
 * MM_EXO_VA_MIN; an entry of levels 1-3 holds a table. The entry's table
 * must exist and be owned: the walk from the PML4 (always an owner) down
 * to it crosses only present, non-huge table entries without MM_PTE_GRANT.
 * An entry that itself carries MM_PTE_GRANT or maps a huge page is not
 * the caller's to change either.
 *
 * Flags (the ABI's, least significant bit first): MM_EXO_PRESENT,
 * MM_EXO_READONLY, MM_EXO_NOEXEC, and MM_EXO_USER_FLAGS user bits from bit
 * 16, stored in the free bits of a leaf (mm/pte.h: flag bit 16 -> PTE bit
 * 11, flag bits 17-23 -> PTE bits 52-58). Every call that takes flags
 * requires PRESENT; any other bit is INVALID_FLAGS, as are NOEXEC on a CPU
 * without NX, and READONLY or user bits on a table entry (bits 52-61 of a
 * table entry hold its table's fill count; a read-only table entry would
 * make the tables below it unwritable through the window, as CR0.WP is on).
 * OWNER and GRANT cannot be expressed by flags. Every entry written carries
 * MM_PTE_USER; a NOEXEC table entry makes everything below it NX.
 *
 * Invalidation: each call invalidates exactly the translations it makes
 * stale, with invlpg (the data page's va, or the window address of a
 * changed or freed table); never a full flush. A new entry makes nothing
 * stale: its frame is zeroed by physical address before it is mapped.
 *
 * Check, then act: every argument and every condition is checked before
 * the first change, so a refused call changes nothing (tables, allocator,
 * TLB-visible state). libmm is not thread-safe: callers serialize every
 * call on one address space and on the frame allocator.
 */
#ifndef MM_EXO_H
#define MM_EXO_H

#include "mm/paging.h"
#include "mm/types.h"

/* MapperError (docs/MEMORY.md); the values are the ABI's XOMB_* codes. */
typedef enum {
	MM_EXO_SUCCESS = 0,
	MM_EXO_INVALID_FLAGS = 1,
	MM_EXO_NOT_FREE = 2,
	MM_EXO_NOT_ALLOCATED = 3,
	MM_EXO_INVALID_SOURCE = 4,
	MM_EXO_INVALID_TARGET = 5,
	MM_EXO_NOT_EMPTY = 6
} mm_exo_err_t;

/* Flags of the calls (the ABI's XOMB_PRESENT ... XOMB_USER_FLAG(n)). */
#define MM_EXO_PRESENT	      ((uint64_t)1 << 0)
#define MM_EXO_READONLY	      ((uint64_t)1 << 1)
#define MM_EXO_NOEXEC	      ((uint64_t)1 << 2)
#define MM_EXO_USER_SHIFT     16u
#define MM_EXO_USER_FLAGS     8u /* mm/pte.h: MM_PTE_USER_BITS */
#define MM_EXO_USER_FLAG(n)   ((uint64_t)1 << (MM_EXO_USER_SHIFT + (n)))
#define MM_EXO_USER_FLAG_MASK (((uint64_t)1 << MM_EXO_USER_FLAGS) - 1u)
#define MM_EXO_FLAGS_ALL                                                       \
	(MM_EXO_PRESENT | MM_EXO_READONLY | MM_EXO_NOEXEC |                    \
	 (MM_EXO_USER_FLAG_MASK << MM_EXO_USER_SHIFT))

/*
 * The part of the user half the calls may touch: PML4 slots [0, 255) (255
 * holds the frame bitmap), and data pages from MM_EXO_VA_MIN up (the ABI's
 * XOMB_USER_MIN: the lowest pages stay unmapped to catch NULL pointers).
 */
#define MM_EXO_PML4_LIMIT 255u
#define MM_EXO_VA_MIN	  ((mm_vaddr_t)0x10000)

struct mm_proc;

/*
 * A context: the live address space, the kernel's one zero page, and the
 * process and resource registry (mm/exo_proc.h) once mm_proc_init() binds
 * it (NULL until then: no OWNER entry is then a resource).
 */
struct mm_exo {
	struct mm_vm *vm;     /* tables, frame allocator, port, CPU features */
	mm_pfn_t zero_pfn;    /* the zero page: all zeros, never freed */
	struct mm_proc *proc; /* processes and resources, or NULL */
};

/*
 * Bind x to vm and to the zero page zero_pfn, a frame the caller has
 * claimed from vm->frames (allocated or reserved, so no one else gets it)
 * and filled with zeros; MAP_ZERO maps it read-only, UNMAP_PAGE never frees
 * it. Errors: MM_ERR_INVALID for a NULL pointer or a zero_pfn the
 * allocator reports free; x is untouched then.
 */
mm_status_t mm_exo_init(struct mm_exo *x, struct mm_vm *vm, mm_pfn_t zero_pfn);

/*
 * ALLOC_PAGE: claim the physical page phys (mm_frame_alloc_at), zero it
 * while only the kernel can reach it, then map it at the empty entry with
 * flags: a data page at level 0, a new empty table above. Errors, in the
 * order checked: INVALID_TARGET (entry malformed, outside the user half,
 * below MM_EXO_VA_MIN, its table missing or not owned, or the entry
 * already present); INVALID_FLAGS; NOT_FREE (phys not 4 KiB aligned,
 * beyond the allocator's frames, allocated or reserved). No invalidation:
 * the frame is zeroed before the entry, which was not present, maps it.
 */
mm_exo_err_t mm_exo_alloc_page(struct mm_exo *x, uint64_t phys,
			       mm_vaddr_t entry, uint64_t flags);

/*
 * REMAP_PAGE: move the data page mapped at entry to the empty entry target
 * in one step, keeping its flags; SUCCESS without a change when both name
 * the same entry. Only data pages move (a table would take every
 * translation below it along). Errors: INVALID_SOURCE (entry malformed,
 * not owned, not present, or not a level-0 entry); INVALID_TARGET (target
 * malformed, not owned, not at level 0, or present). One invlpg (the old
 * va).
 */
mm_exo_err_t mm_exo_remap_page(struct mm_exo *x, mm_vaddr_t entry,
			       mm_vaddr_t target);

/*
 * CHMOD_PAGE: give the present entry new flags, keeping its frame (and a
 * table entry's fill count). The zero page stays read-only. A table entry
 * may change only while its table is empty (otherwise every translation
 * below would be stale). Errors: INVALID_SOURCE (entry malformed, not
 * owned, not present); INVALID_FLAGS (also: zero page without READONLY);
 * NOT_EMPTY (a change to a non-empty table's entry). An unchanged entry is
 * not written; a changed one costs one invlpg.
 */
mm_exo_err_t mm_exo_chmod_page(struct mm_exo *x, mm_vaddr_t entry,
			       uint64_t flags);

/*
 * UNMAP_PAGE: clear the present entry and free its frame; for the zero
 * page only clear it. A table entry only when its table is empty (O(1):
 * the fill count). Errors: INVALID_SOURCE (entry malformed, not owned, not
 * present); NOT_EMPTY (the table still has entries, or the entry is the
 * OWNER entry of a resource still granted, mm/exo_proc.h; unmapping the
 * empty root of a resource frees the resource); NOT_ALLOCATED (the
 * frame is not one the allocator has handed out: reserved, beyond its
 * range, or free). One invlpg.
 */
mm_exo_err_t mm_exo_unmap_page(struct mm_exo *x, mm_vaddr_t entry);

/*
 * MAP_ZERO: map the zero page at the empty level-0 entry, read-only.
 * Errors: INVALID_TARGET (as ALLOC_PAGE, or a table-level entry);
 * INVALID_FLAGS (also: flags without READONLY). No invalidation (the entry
 * was not present).
 */
mm_exo_err_t mm_exo_map_zero(struct mm_exo *x, mm_vaddr_t entry,
			     uint64_t flags);

#endif /* MM_EXO_H */
