/*
 * A minimal library OS's memory manager over XOmB's primitives, shared by
 * the demo and the hostile programs: a frame allocator that reads the
 * exported bitmap and claims frames with ALLOC_PAGE, and page-table
 * building level by level, every entry named by its window address.
 */
#ifndef LIBOS_H
#define LIBOS_H

#include <stdint.h>

#include "xomb/exo.h"
#include "xomb/user.h"

#define LIBOS_PAGE	0x1000ull
#define LIBOS_ADDR_MASK 0x000FFFFFFFFFF000ull /* frame bits of an entry */
#define LIBOS_RW	((uint64_t)XOMB_PRESENT)
#define LIBOS_RO	((uint64_t)(XOMB_PRESENT | XOMB_READONLY))

/* Bytes one entry of `level` maps: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
#define LIBOS_SPAN(level) (1ull << XOMB_PT_SHIFT(level))

/*
 * Claim the lowest free frame at or above physical `from` that the bitmap
 * shows free and ALLOC_PAGE accepts, for the empty entry with flags.
 * Returns its physical address, or 0 when the call fails otherwise (its
 * code in *err) or no frame is left (*err = XOMB_NOT_FREE).
 */
uint64_t libos_claim(uint64_t from, uint64_t entry, uint64_t flags,
		     int64_t *err);

/* The lowest frame at or above `from` the bitmap shows free; 0: none. */
uint64_t libos_free_frame(uint64_t from);

/*
 * Make the PDPT, PD and PT that map va exist (the missing ones claimed with
 * ALLOC_PAGE, levels 3, 2, 1 in turn). Returns XOMB_SUCCESS or the first
 * refusal.
 */
int64_t libos_tables(uint64_t va);

/* Map a fresh zeroed page at va (tables made as needed): the frame or 0. */
uint64_t libos_page(uint64_t va, uint64_t flags);

/* Bit pfn of the exported bitmap (1 = not free), or 1 past its end. */
int libos_bit(uint64_t pfn);

#endif /* LIBOS_H */
