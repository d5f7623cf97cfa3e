/*
 * XOmB's memory primitives for a library OS (system calls 16-20 of
 * xomb/abi.h) and the read-only frame bitmap every address space has.
 * Each call returns the kernel's MapperError code: XOMB_SUCCESS (0) or
 * XOMB_INVALID_FLAGS ... XOMB_NOT_EMPTY; a refused call changes nothing.
 * Entries are named by their address in the caller's recursive window:
 * xomb_pte_addr(level, va).
 */
#ifndef XOMB_EXO_H
#define XOMB_EXO_H

#include <stdint.h>

#include "xomb/abi.h"

/* ALLOC_PAGE: claim frame phys, zeroed, at the empty entry with flags. */
int64_t xomb_alloc_page(uint64_t phys, uint64_t entry, uint64_t flags);

/* REMAP_PAGE: move the data page at entry to the empty entry target. */
int64_t xomb_remap_page(uint64_t entry, uint64_t target);

/* CHMOD_PAGE: new flags on the present entry. */
int64_t xomb_chmod_page(uint64_t entry, uint64_t flags);

/* UNMAP_PAGE: clear the entry and free its frame (a table: when empty). */
int64_t xomb_unmap_page(uint64_t entry);

/* MAP_ZERO: the kernel's zero page, read-only, at the empty leaf entry. */
int64_t xomb_map_zero(uint64_t entry, uint64_t flags);

/* The bitmap's info page (its length), read-only. */
static inline const volatile struct xomb_bitmap_info *xomb_bitmap_info(void)
{
	return (const volatile struct xomb_bitmap_info *)XOMB_BITMAP_INFO_VA;
}

/*
 * True when frame pfn is free right now (bit 0); frames at or past the
 * info page's `frames` never are.
 */
static inline int xomb_frame_free(uint64_t pfn)
{
	const volatile uint8_t *b = (const volatile uint8_t *)XOMB_BITMAP_VA;

	if (pfn >= xomb_bitmap_info()->frames)
		return 0;
	return !((b[pfn / 8u] >> (pfn % 8u)) & 1u);
}

/* The entry at window address entry, read through the window. */
static inline uint64_t xomb_pte_read(uint64_t entry)
{
	return *(const volatile uint64_t *)entry;
}

#endif /* XOMB_EXO_H */
