/*
 * Owns the boot memory map: collecting raw firmware regions and turning them
 * into a sorted list of disjoint regions (sanitize). Everything works in
 * place inside struct mm_memmap, with O(n) stack scratch, because it runs
 * before any allocator exists.
 */
#include "mm/memmap.h"

/* Every boundary of every region, plus room for none: 2 per region. */
#define MAX_POINTS (2u * MM_MEMMAP_CAPACITY)
#define NO_TYPE	   (-1)

void mm_memmap_init(struct mm_memmap *map)
{
	map->count = 0;
}

mm_status_t mm_memmap_add(struct mm_memmap *map, uint64_t base, uint64_t length,
			  mm_region_type_t type)
{
	struct mm_region *r;

	if ((unsigned)type >= MM_REGION_TYPE_COUNT)
		return MM_ERR_INVALID;
	if (map->count >= MM_MEMMAP_CAPACITY)
		return MM_ERR_NOMEM;
	if (length > UINT64_MAX - base)
		length = UINT64_MAX - base;
	r = &map->regions[map->count++];
	r->base = base;
	r->length = length;
	r->type = type;
	return MM_OK;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* End of r, saturated at 2^64 - 1 even for a region written by hand. */
static uint64_t region_end(const struct mm_region *r)
{
	return r->base + min_u64(r->length, UINT64_MAX - r->base);
}

/* [start, end) of r clipped to the 52-bit physical space. */
static void clip(const struct mm_region *r, uint64_t *start, uint64_t *end)
{
	*start = min_u64(r->base, MM_PHYS_LIMIT);
	*end = min_u64(region_end(r), MM_PHYS_LIMIT);
}

/* Sorted, de-duplicated region boundaries; returns how many. */
static size_t collect_points(const struct mm_memmap *map, uint64_t *pts)
{
	size_t n = 0;

	for (size_t i = 0; i < map->count; i++) {
		uint64_t s, e;

		clip(&map->regions[i], &s, &e);
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
static int type_at(const struct mm_memmap *map, uint64_t s, uint64_t e)
{
	int best = NO_TYPE;

	for (size_t i = 0; i < map->count; i++) {
		uint64_t rs, re;

		clip(&map->regions[i], &rs, &re);
		if (rs <= s && e <= re && (int)map->regions[i].type > best)
			best = (int)map->regions[i].type;
	}
	return best;
}

/*
 * Elementary interval i is [pts[i], pts[i + 1]); it starts a new output
 * region unless it continues the previous one with the same type.
 */
static bool starts_region(const int8_t *types, size_t i)
{
	return types[i] != NO_TYPE && (i == 0 || types[i - 1] != types[i]);
}

mm_status_t mm_memmap_sanitize(struct mm_memmap *map)
{
	uint64_t pts[MAX_POINTS];
	int8_t types[MAX_POINTS];
	size_t npts = collect_points(map, pts);
	size_t nout = 0;

	for (size_t i = 0; i + 1 < npts; i++) {
		types[i] = (int8_t)type_at(map, pts[i], pts[i + 1]);
		nout += starts_region(types, i);
	}
	if (nout > MM_MEMMAP_CAPACITY)
		return MM_ERR_NOMEM;

	map->count = 0;
	for (size_t i = 0; i + 1 < npts; i++) {
		struct mm_region *r;

		if (types[i] == NO_TYPE)
			continue;
		if (!starts_region(types, i)) {
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
static bool usable_frames(const struct mm_region *r, uint64_t *first,
			  uint64_t *end)
{
	uint64_t mask = MM_FRAME_SIZE - 1;

	if (r->type != MM_REGION_USABLE || r->base > UINT64_MAX - mask)
		return false;
	*first = (r->base + mask) & ~mask;
	*end = region_end(r) & ~mask;
	return *first < *end;
}

uint64_t mm_memmap_usable_bytes(const struct mm_memmap *map)
{
	uint64_t total = 0;

	for (size_t i = 0; i < map->count; i++) {
		uint64_t first, end;

		if (usable_frames(&map->regions[i], &first, &end))
			total += end - first;
	}
	return total;
}

uint64_t mm_memmap_usable_end(const struct mm_memmap *map)
{
	uint64_t top = 0;

	for (size_t i = 0; i < map->count; i++) {
		uint64_t first, end;

		if (usable_frames(&map->regions[i], &first, &end) && end > top)
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
