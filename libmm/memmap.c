/*
 * Owns the boot memory map: collecting raw firmware regions and turning them
 * into a sorted list of disjoint regions (sanitize). Everything works in
 * place inside struct mm_memmap, with O(n) stack scratch, because it runs
 * before any allocator exists.
 */
#include "mm/memmap.h"

#include "mm/arith.h"

/* Every boundary of every region, plus room for none: 2 per region. */
#define MAX_POINTS (2u * MM_MEMMAP_CAPACITY)
#define NO_TYPE	   (-1)

void mm_memmap_init(struct mm_memmap *map)
{
	map->count = 0;
}

/* Index of a region of this type overlapping or touching [s, e), or count. */
static size_t memmap_touching(const struct mm_memmap *map, uint64_t s,
			      uint64_t e, mm_region_type_t type)
{
	size_t i = 0;

	for (; i < map->count; i++) {
		const struct mm_region *r = &map->regions[i];

		if (r->type == type && r->base <= e && s <= mm_region_end(r))
			break;
	}
	return i;
}

/* Remove region i, keeping the order of the others. */
static void memmap_remove(struct mm_memmap *map, size_t i)
{
	for (map->count--; i < map->count; i++)
		map->regions[i] = map->regions[i + 1];
}

mm_status_t mm_memmap_add(struct mm_memmap *map, uint64_t base, uint64_t length,
			  mm_region_type_t type)
{
	uint64_t end = base + mm_min_u64(length, UINT64_MAX - base);
	struct mm_region *r;
	size_t i;

	if ((unsigned)type >= MM_REGION_TYPE_COUNT)
		return MM_ERR_INVALID;
	i = memmap_touching(map, base, end, type);
	if (i == map->count && map->count >= MM_MEMMAP_CAPACITY)
		return MM_ERR_NOMEM;
	for (; i < map->count; i = memmap_touching(map, base, end, type)) {
		base = mm_min_u64(base, map->regions[i].base);
		end = mm_max_u64(end, mm_region_end(&map->regions[i]));
		memmap_remove(map, i);
	}
	r = &map->regions[map->count++];
	r->base = base;
	r->length = end - base;
	r->type = type;
	return MM_OK;
}

/* [start, end) of r clipped to the 52-bit physical space. */
static void memmap_clip(const struct mm_region *r, uint64_t *start,
			uint64_t *end)
{
	*start = mm_min_u64(r->base, MM_PHYS_LIMIT);
	*end = mm_min_u64(mm_region_end(r), MM_PHYS_LIMIT);
}

/* Sorted, de-duplicated region boundaries; returns how many. */
static size_t memmap_points(const struct mm_memmap *map, uint64_t *pts)
{
	size_t n = 0;

	for (size_t i = 0; i < map->count; i++) {
		uint64_t s, e;

		memmap_clip(&map->regions[i], &s, &e);
		if (s < e) {
			pts[n++] = s;
			pts[n++] = e;
		}
	}
	for (size_t i = 1; i < n; i++) { /* insertion sort: n is small */
		uint64_t v = pts[i];
		size_t j = i;

		for (; j > 0 && pts[j - 1] > v; j--)
			pts[j] = pts[j - 1];
		pts[j] = v;
	}
	size_t out = 0;
	for (size_t i = 0; i < n; i++)
		if (out == 0 || pts[out - 1] != pts[i])
			pts[out++] = pts[i];
	return out;
}

/* Winning type over [s, e), which no boundary splits; NO_TYPE if none. */
static int memmap_type_at(const struct mm_memmap *map, uint64_t s, uint64_t e)
{
	int best = NO_TYPE;

	for (size_t i = 0; i < map->count; i++) {
		uint64_t rs, re;

		memmap_clip(&map->regions[i], &rs, &re);
		if (rs <= s && e <= re && (int)map->regions[i].type > best)
			best = (int)map->regions[i].type;
	}
	return best;
}

/*
 * Elementary interval i is [pts[i], pts[i + 1]); it starts a new output
 * region unless it continues the previous one with the same type.
 */
static bool memmap_starts_region(const int8_t *types, size_t i)
{
	return types[i] != NO_TYPE && (i == 0 || types[i - 1] != types[i]);
}

mm_status_t mm_memmap_sanitize(struct mm_memmap *map)
{
	uint64_t pts[MAX_POINTS];
	int8_t types[MAX_POINTS];
	size_t npts = memmap_points(map, pts);
	size_t nout = 0;

	for (size_t i = 0; i + 1 < npts; i++) {
		types[i] = (int8_t)memmap_type_at(map, pts[i], pts[i + 1]);
		nout += memmap_starts_region(types, i);
	}
	if (nout > MM_MEMMAP_CAPACITY)
		return MM_ERR_NOMEM;

	map->count = 0;
	for (size_t i = 0; i + 1 < npts; i++) {
		struct mm_region *r;

		if (types[i] == NO_TYPE)
			continue;
		if (!memmap_starts_region(types, i)) {
			r = &map->regions[map->count - 1];
			r->length = pts[i + 1] - r->base;
			continue;
		}
		r = &map->regions[map->count++];
		r->base = pts[i];
		r->length = pts[i + 1] - pts[i];
		r->type = (mm_region_type_t)types[i];
	}
	return MM_OK;
}

/* Whole frames of usable region r as [*first, *end) byte addresses. */
static bool memmap_usable_frames(const struct mm_region *r, uint64_t *first,
				 uint64_t *end)
{
	if (r->type != MM_REGION_USABLE ||
	    r->base > UINT64_MAX - (MM_FRAME_SIZE - 1))
		return false;
	*first = mm_align_up_u64(r->base, MM_FRAME_SIZE);
	*end = mm_align_down_u64(mm_region_end(r), MM_FRAME_SIZE);
	return *first < *end;
}

uint64_t mm_memmap_usable_bytes(const struct mm_memmap *map)
{
	uint64_t total = 0;

	for (size_t i = 0; i < map->count; i++) {
		uint64_t first, end;

		if (memmap_usable_frames(&map->regions[i], &first, &end))
			total += end - first;
	}
	return total;
}

uint64_t mm_memmap_usable_end(const struct mm_memmap *map)
{
	uint64_t top = 0;

	for (size_t i = 0; i < map->count; i++) {
		uint64_t first, end;

		if (memmap_usable_frames(&map->regions[i], &first, &end) &&
		    end > top)
			top = end;
	}
	return top;
}

const char *mm_region_type_str(mm_region_type_t type)
{
	static const char *const names[MM_REGION_TYPE_COUNT] = {
		[MM_REGION_USABLE] = "usable",
		[MM_REGION_BOOTLOADER_RECLAIMABLE] = "bootloader",
		[MM_REGION_ACPI_RECLAIMABLE] = "acpi-reclaim",
		[MM_REGION_KERNEL] = "kernel",
		[MM_REGION_FRAMEBUFFER] = "framebuffer",
		[MM_REGION_ACPI_NVS] = "acpi-nvs",
		[MM_REGION_UNKNOWN] = "unknown",
		[MM_REGION_RESERVED] = "reserved",
		[MM_REGION_BAD] = "bad",
	};

	if ((unsigned)type >= MM_REGION_TYPE_COUNT)
		return "invalid";
	return names[type];
}
