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

/* 4 KiB frames and pages: the unit every other size derives from. */
#define MM_PAGE_SHIFT 12u
#define MM_FRAME_SIZE ((uint64_t)1 << MM_PAGE_SHIFT)

/* Physical addresses are at most 52 bits wide on x86-64. */
#define MM_PHYS_BITS  52u
#define MM_PHYS_LIMIT ((uint64_t)1 << MM_PHYS_BITS)
#define MM_MAX_PFN    (MM_PHYS_LIMIT >> MM_PAGE_SHIFT)

/* A frame number <-> the physical address of the frame's first byte. */
#define MM_PFN_TO_PADDR(pfn) ((mm_paddr_t)(pfn) << MM_PAGE_SHIFT)
#define MM_PADDR_TO_PFN(pa)  ((mm_pfn_t)(pa) >> MM_PAGE_SHIFT)

#endif /* MM_TYPES_H */
