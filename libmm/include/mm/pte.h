/*
 * x86-64 page-table entries and table geometry. Everything is derived from
 * three widths: the page offset (MM_PAGE_SHIFT), the index of one table level
 * (MM_PT_INDEX_BITS) and the number of levels. The recursive-window addresses
 * are computed from MM_RECURSIVE_INDEX; tests check them against the seed's
 * constants.
 *
 * Levels are numbered from the leaf up: 0 = PT, 1 = PD, 2 = PDPT, 3 = PML4.
 */
#ifndef MM_PTE_H
#define MM_PTE_H

#include "mm/types.h"

/* Entry bits (Intel SDM vol. 3, 4.5). */
#define MM_PTE_PRESENT	((mm_pte_t)1 << 0)
#define MM_PTE_WRITE	((mm_pte_t)1 << 1)
#define MM_PTE_USER	((mm_pte_t)1 << 2)
#define MM_PTE_PWT	((mm_pte_t)1 << 3)
#define MM_PTE_PCD	((mm_pte_t)1 << 4)
#define MM_PTE_ACCESSED ((mm_pte_t)1 << 5)
#define MM_PTE_DIRTY	((mm_pte_t)1 << 6)
#define MM_PTE_PS	((mm_pte_t)1 << 7) /* PD / PDPT: 2 MiB / 1 GiB page */
#define MM_PTE_GLOBAL	((mm_pte_t)1 << 8)
#define MM_PTE_PAT_HUGE ((mm_pte_t)1 << 12) /* PAT bit of a PS entry */
#define MM_PTE_NX	((mm_pte_t)1 << 63)

/*
 * Software bits: bits the MMU ignores, and who owns each of them. Bits 9-11
 * are ignored at every level; bits 52-62 are ignored in an entry that points
 * to a table, and bits 52-58 in a leaf (59-62 are protection keys when
 * CR4.PKE is set, so they stay clear). The budget is fixed here, once:
 *
 *   bit  9      OWNER  (kernel-only, XOmB: the entry owns what it maps)
 *   bit 10      GRANT  (kernel-only, XOmB: the entry was granted to it)
 *   bit 11      user bit 0 (library-OS-defined, leaves only)
 *   bits 52-58  user bits 1-7 (library-OS-defined, leaves only)
 *   bits 52-61  in an entry that points to a table: the number of present
 *               entries in that table (0..512), so emptiness is O(1)
 */
#define MM_PTE_OWNER	   ((mm_pte_t)1 << 9)
#define MM_PTE_GRANT	   ((mm_pte_t)1 << 10)
#define MM_PTE_COUNT_SHIFT 52u
#define MM_PTE_COUNT_BITS  10u
#define MM_PTE_COUNT_MASK                                                      \
	((((mm_pte_t)1 << MM_PTE_COUNT_BITS) - 1u) << MM_PTE_COUNT_SHIFT)
/* The fill count of an entry that points to a table; pte with count n. */
#define MM_PTE_COUNT(pte)                                                      \
	((unsigned)(((pte)&MM_PTE_COUNT_MASK) >> MM_PTE_COUNT_SHIFT))
#define MM_PTE_WITH_COUNT(pte, n)                                              \
	(((pte) & ~MM_PTE_COUNT_MASK) | ((mm_pte_t)(n) << MM_PTE_COUNT_SHIFT))
#define MM_PTE_USER_BIT0     ((mm_pte_t)1 << 11)
#define MM_PTE_USER_HI_SHIFT 52u
#define MM_PTE_USER_HI_BITS  7u
#define MM_PTE_USER_BITS     (1u + MM_PTE_USER_HI_BITS)

/* Physical address bits [12, 52) of an entry. */
#define MM_PTE_ADDR_MASK ((MM_PHYS_LIMIT - 1) & ~(MM_FRAME_SIZE - 1))
#define MM_PTE_ADDR(pte) ((mm_paddr_t)((pte)&MM_PTE_ADDR_MASK))

/* Table geometry. */
#define MM_PT_INDEX_BITS 9u
#define MM_PT_ENTRIES	 (1u << MM_PT_INDEX_BITS)
#define MM_PT_LEVELS	 4u
#define MM_PT_TOP	 (MM_PT_LEVELS - 1u) /* the PML4 level */
#define MM_PTE_SIZE	 ((uint64_t)sizeof(mm_pte_t))

/* Bit where the index of `level` starts, and the bytes one entry maps. */
#define MM_PT_SHIFT(level) (MM_PAGE_SHIFT + (level)*MM_PT_INDEX_BITS)
#define MM_PT_SPAN(level)  ((uint64_t)1 << MM_PT_SHIFT(level))
#define MM_PT_INDEX(level, va)                                                 \
	((unsigned)(((uint64_t)(va) >> MM_PT_SHIFT(level)) &                   \
		    (MM_PT_ENTRIES - 1u)))

/* Virtual addresses: 48 bits, sign-extended from bit 47. */
#define MM_VA_BITS	MM_PT_SHIFT(MM_PT_LEVELS)
#define MM_VA_HIGH_BITS (~(uint64_t)0 << MM_VA_BITS)
#define MM_VA_SIGN_BIT	((uint64_t)1 << (MM_VA_BITS - 1u))
/*
 * Bits 63..48 become copies of bit 47. Branch-free: flipping the sign bit
 * and subtracting it again borrows through the high bits exactly when it
 * was set (unsigned arithmetic, modulo 2^64).
 */
#define MM_VA_SIGN_EXTEND(va)                                                  \
	((((uint64_t)(va) & ~MM_VA_HIGH_BITS) ^ MM_VA_SIGN_BIT) -              \
	 MM_VA_SIGN_BIT)
#define MM_VA_CANONICAL(va) (MM_VA_SIGN_EXTEND(va) == (uint64_t)(va))

/*
 * The recursive window. With PML4[r] pointing at the PML4 itself, a virtual
 * address whose top (level + 1) indexes are all r reaches the table of
 * `level` that maps va: the remaining index fields are va's own upper
 * indexes, shifted down by (level + 1) fields.
 *
 * MM_PT_WINDOW_PREFIX(level): r placed in the top (level + 1) index fields.
 * MM_PT_TABLE_VA(level, va):  the table of `level` that maps va.
 * MM_PTE_VA(level, va):       the entry of `level` that maps va.
 */
#define MM_RECURSIVE_INDEX	510u
#define MM_RECURSIVE_R		((uint64_t)MM_RECURSIVE_INDEX)
#define MM_PT_FIELD(level, idx) ((uint64_t)(idx) << MM_PT_SHIFT(level))
/*
 * r repeated in the top (level + 1) fields, branch-free: r in the lowest of
 * them times 1 + 2^9 + ... + 2^(9 * level), the low (level + 1) terms of
 * the constant geometric sum (2^(9 * 4) - 1) / (2^9 - 1). r < 512: no field
 * carries.
 */
#define MM_PT_FIELD_ONES                                                       \
	((((uint64_t)1 << (MM_PT_LEVELS * MM_PT_INDEX_BITS)) - 1u) /           \
	 (MM_PT_ENTRIES - 1u))
#define MM_PT_WINDOW_REPEAT(level)                                             \
	(MM_PT_FIELD_ONES &                                                    \
	 (((uint64_t)1 << (((level) + 1u) * MM_PT_INDEX_BITS)) - 1u))
#define MM_PT_WINDOW_PREFIX(level)                                             \
	(MM_PT_FIELD(MM_PT_TOP - (level), MM_RECURSIVE_R) *                    \
	 MM_PT_WINDOW_REPEAT(level))
#define MM_PT_WINDOW_MASK(level)                                               \
	((MM_PT_SPAN(MM_PT_TOP - (level)) - 1u) & ~(MM_FRAME_SIZE - 1u))
#define MM_PT_TABLE_VA(level, va)                                              \
	((mm_vaddr_t)MM_VA_SIGN_EXTEND(                                        \
		MM_PT_WINDOW_PREFIX(level) |                                   \
		(((uint64_t)(va) >> (((level) + 1u) * MM_PT_INDEX_BITS)) &     \
		 MM_PT_WINDOW_MASK(level))))
#define MM_PTE_VA(level, va)                                                   \
	(MM_PT_TABLE_VA(level, va) + MM_PT_INDEX(level, va) * MM_PTE_SIZE)

/* [MM_WINDOW_START, MM_WINDOW_END): everything PML4[r] maps. */
#define MM_WINDOW_START ((mm_vaddr_t)MM_PT_TABLE_VA(0, 0))
#define MM_WINDOW_END	(MM_WINDOW_START + MM_PT_SPAN(MM_PT_TOP))

#endif /* MM_PTE_H */
