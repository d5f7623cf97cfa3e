/*
 * The boot-method-agnostic physical memory map. Boot code (multiboot2 today,
 * UEFI next) adds raw regions as the firmware reports them; sanitize turns
 * them into a sorted, non-overlapping list that the frame allocator trusts.
 *
 * Not thread-safe: libmm takes no locks; callers serialize the calls on one
 * map (boot code builds it before any other CPU runs).
 */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include "mm/status.h"
#include "mm/types.h"

/*
 * Region types. Overlaps are resolved by priority: the type listed later
 * wins, so any non-usable type wins over MM_REGION_USABLE and BAD wins
 * over everything. MM_REGION_UNKNOWN is what boot code gives a firmware
 * type it does not know: never usable.
 */
typedef enum {
	MM_REGION_USABLE = 0,
	MM_REGION_BOOTLOADER_RECLAIMABLE,
	MM_REGION_ACPI_RECLAIMABLE,
	MM_REGION_KERNEL,
	MM_REGION_FRAMEBUFFER,
	MM_REGION_ACPI_NVS,
	MM_REGION_UNKNOWN,
	MM_REGION_RESERVED,
	MM_REGION_BAD,
	MM_REGION_TYPE_COUNT /* number of types; not a type */
} mm_region_type_t;

/* One physical range [base, base + length) of one type. */
struct mm_region {
	uint64_t base;	       /* first byte */
	uint64_t length;       /* bytes */
	mm_region_type_t type; /* what the range holds */
};

/* Fixed capacity: the map lives in boot code before any allocator exists. */
#define MM_MEMMAP_CAPACITY 256u

/* A memory map: regions[0, count) as added or, after sanitizing, sorted. */
struct mm_memmap {
	size_t count;				      /* regions in use */
	struct mm_region regions[MM_MEMMAP_CAPACITY]; /* the map */
};

/*
 * End (exclusive) of r, saturated at 2^64 - 1: a region written by hand may
 * have a length that wraps. The one definition of a region's end.
 */
static inline uint64_t mm_region_end(const struct mm_region *r)
{
	uint64_t room = UINT64_MAX - r->base;

	return r->base + (r->length < room ? r->length : room);
}

/* Empty the map. */
void mm_memmap_init(struct mm_memmap *map);

/*
 * Add region [base, base + length) of the given type as reported; a range
 * that would wrap past 2^64 is cut at 2^64 - 1. Regions of the same type
 * that overlap or touch it are coalesced with it: they are removed and one
 * region covering them all is appended, so a firmware map of more entries
 * than the capacity fits when its entries merge (this changes nothing that
 * mm_memmap_sanitize() would produce). Empty regions are accepted (sanitize
 * drops them).
 * Errors: MM_ERR_INVALID for a type >= MM_REGION_TYPE_COUNT; MM_ERR_NOMEM
 * when the map holds MM_MEMMAP_CAPACITY regions and none of them coalesces
 * with the new one. A failed call changes nothing.
 */
mm_status_t mm_memmap_add(struct mm_memmap *map, uint64_t base, uint64_t length,
			  mm_region_type_t type);

/*
 * Normalise the map: clip to the 52-bit physical space, resolve overlaps by
 * type priority (any non-usable type beats usable), merge touching regions of
 * one type, drop empty ones, and sort by base. Idempotent.
 * Errors: MM_ERR_NOMEM when resolving overlaps would need more than
 * MM_MEMMAP_CAPACITY regions; the map is then unchanged.
 */
mm_status_t mm_memmap_sanitize(struct mm_memmap *map);

/*
 * Bytes in whole 4 KiB frames that lie inside usable regions. Partial frames
 * at region edges do not count. Precondition: the map is sanitized.
 */
uint64_t mm_memmap_usable_bytes(const struct mm_memmap *map);

/*
 * End (exclusive) of the highest usable whole frame, 0 when there is none.
 * Any map: the regions need not be sorted.
 */
uint64_t mm_memmap_usable_end(const struct mm_memmap *map);

/* Short lower-case name of a region type ("usable", "reserved", ...). */
const char *mm_region_type_str(mm_region_type_t type);

#endif /* MM_MEMMAP_H */
