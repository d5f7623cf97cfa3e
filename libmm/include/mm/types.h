/*
 * Basic types and geometry shared by every libmm module: distinct integer
 * types for physical addresses, virtual addresses and page-table entries,
 * and the 4 KiB frame size everything else is derived from.
 */
#ifndef MM_TYPES_H
#define MM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t mm_paddr_t; /* physical address */
typedef uint64_t mm_vaddr_t; /* virtual address */
typedef uint64_t mm_pte_t;   /* one page-table entry, any level */
typedef uint64_t mm_pfn_t;   /* physical frame number: paddr >> 12 */

/* The 4 KiB frame: the one definition (mm/paging.h's MM_PAGE_4K aliases it). */
#define MM_PAGE_SHIFT 12u
#define MM_FRAME_SIZE ((uint64_t)1 << MM_PAGE_SHIFT)

/* Physical addresses are at most 52 bits wide on x86-64. */
#define MM_PHYS_BITS  52u
#define MM_PHYS_LIMIT ((uint64_t)1 << MM_PHYS_BITS)

/*
 * The only conversions between frame numbers and byte addresses:
 * MM_PADDR_TO_PFN rounds down (the frame holding pa), MM_PADDR_TO_PFN_UP
 * rounds up (the first frame starting at or after pa; exact for every pa,
 * 2^64 - 1 included).
 */
#define MM_PFN_TO_PADDR(pfn) ((mm_paddr_t)(pfn) << MM_PAGE_SHIFT)
#define MM_PADDR_TO_PFN(pa)  ((mm_pfn_t)(pa) >> MM_PAGE_SHIFT)
#define MM_PADDR_TO_PFN_UP(pa)                                                 \
	(MM_PADDR_TO_PFN(pa) + (((mm_paddr_t)(pa) & (MM_FRAME_SIZE - 1)) != 0))

#endif /* MM_TYPES_H */
