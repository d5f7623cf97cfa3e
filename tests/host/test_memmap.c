/* Tests of the boot memory map: add, sanitize, usable accounting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mm/memmap.h"

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)

static struct mm_memmap map;

static int setup(void **state)
{
	(void)state;
	memset(&map, 0xA5,
	       sizeof(map)); /* init must not rely on zeroed memory */
	mm_memmap_init(&map);
	return 0;
}

static void add(uint64_t base, uint64_t length, mm_region_type_t type)
{
	assert_int_equal(mm_memmap_add(&map, base, length, type), MM_OK);
}

static void expect_region(size_t i, uint64_t base, uint64_t length,
			  mm_region_type_t type)
{
	assert_true(i < map.count);
	assert_int_equal(map.regions[i].base, base);
	assert_int_equal(map.regions[i].length, length);
	assert_int_equal(map.regions[i].type, type);
}

/*
 * A usable region in the last 4 KiB below 2^64 (clipped to end there)
 * holds no whole frame, whatever its base: rounding its base up to a frame
 * must not wrap to 0 and count the whole address space.
 */
static void test_usable_in_last_frame_of_u64(void **state)
{
	(void)state;
	for (uint64_t base = UINT64_MAX - 4097u; base != 0; base++) {
		mm_memmap_init(&map);
		add(base, 100, MM_REGION_USABLE);
		assert_int_equal(mm_memmap_usable_bytes(&map), 0);
		assert_int_equal(mm_memmap_usable_end(&map), 0);
	}
}

/* A fresh map is empty and has no usable memory. */
static void test_init_empty(void **state)
{
	(void)state;
	assert_int_equal(map.count, 0);
	assert_int_equal(mm_memmap_usable_bytes(&map), 0);
	assert_int_equal(mm_memmap_usable_end(&map), 0);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(map.count, 0);
}

/* An unknown type is MM_ERR_INVALID and adds nothing. */
static void test_add_invalid_type(void **state)
{
	(void)state;
	assert_int_equal(mm_memmap_add(&map, 0, 4096, MM_REGION_TYPE_COUNT),
			 MM_ERR_INVALID);
	assert_int_equal(mm_memmap_add(&map, 0, 4096, (mm_region_type_t)-1),
			 MM_ERR_INVALID);
	assert_int_equal(map.count, 0);
}

/* The region past capacity is MM_ERR_NOMEM, never a silent drop. */
static void test_add_full(void **state)
{
	(void)state;
	for (unsigned i = 0; i < MM_MEMMAP_CAPACITY; i++)
		add(MiB(2) * i, KiB(4), MM_REGION_USABLE);
	struct mm_memmap before = map;
	assert_int_equal(
		mm_memmap_add(&map, MiB(1024), KiB(4), MM_REGION_USABLE),
		MM_ERR_NOMEM);
	assert_memory_equal(&before, &map, sizeof(map));
	assert_true(MM_MEMMAP_CAPACITY >= 128);
}

/* A range that would wrap past 2^64 is cut at 2^64 - 1. */
static void test_add_wrapping_cut(void **state)
{
	(void)state;
	add(UINT64_MAX - 10, 100, MM_REGION_RESERVED);
	expect_region(0, UINT64_MAX - 10, 10, MM_REGION_RESERVED);
}

/*
 * Touching or overlapping regions of one type coalesce in add, in any
 * order; other types and gaps keep their own slot.
 */
static void test_add_coalesces_same_type(void **state)
{
	(void)state;
	add(MiB(1), MiB(1), MM_REGION_USABLE);
	add(MiB(4), MiB(1), MM_REGION_USABLE);
	add(MiB(2), MiB(1), MM_REGION_RESERVED); /* touches, other type */
	add(0, MiB(1), MM_REGION_USABLE);	 /* touches region 0 below */
	assert_int_equal(map.count, 3);
	expect_region(2, 0, MiB(2), MM_REGION_USABLE);
	add(MiB(1) + 5, MiB(3), MM_REGION_USABLE); /* overlaps and bridges */
	assert_int_equal(map.count, 2);
	expect_region(0, MiB(2), MiB(1), MM_REGION_RESERVED);
	expect_region(1, 0, MiB(5), MM_REGION_USABLE);
	add(MiB(7), 0, MM_REGION_USABLE); /* empty, apart: its own slot */
	add(MiB(5), 0, MM_REGION_USABLE); /* empty, touching: absorbed */
	assert_int_equal(map.count, 3);
	expect_region(1, MiB(7), 0, MM_REGION_USABLE);
	expect_region(2, 0, MiB(5), MM_REGION_USABLE);
}

/* A full map still takes a region that coalesces; a failed add is a no-op. */
static void test_add_full_coalesces(void **state)
{
	(void)state;
	for (unsigned i = 0; i < MM_MEMMAP_CAPACITY; i++)
		add(MiB(2) * i, KiB(4), MM_REGION_USABLE);
	add(KiB(4), KiB(4), MM_REGION_USABLE); /* touches region 0 */
	assert_int_equal(map.count, MM_MEMMAP_CAPACITY);
	expect_region(MM_MEMMAP_CAPACITY - 1, 0, KiB(8), MM_REGION_USABLE);
	struct mm_memmap before = map;
	assert_int_equal(mm_memmap_add(&map, KiB(8), KiB(4), MM_REGION_BAD),
			 MM_ERR_NOMEM);
	assert_memory_equal(&before, &map, sizeof(map));
}

/* An unknown firmware type is never usable: it wins over usable. */
static void test_unknown_type_not_usable(void **state)
{
	(void)state;
	add(0, MiB(4), MM_REGION_USABLE);
	add(MiB(1), MiB(1), MM_REGION_UNKNOWN);
	add(MiB(8), MiB(1), MM_REGION_UNKNOWN);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(map.count, 4);
	expect_region(1, MiB(1), MiB(1), MM_REGION_UNKNOWN);
	assert_int_equal(mm_memmap_usable_bytes(&map), MiB(3));
	assert_int_equal(mm_memmap_usable_end(&map), MiB(4));
	assert_string_equal(mm_region_type_str(MM_REGION_UNKNOWN), "unknown");
}

/* A region's end saturates at 2^64 - 1 however its length was written. */
static void test_region_end_saturates(void **state)
{
	struct mm_region r = {UINT64_MAX - 10, 100, MM_REGION_USABLE};

	(void)state;
	assert_int_equal(mm_region_end(&r), UINT64_MAX);
	r.length = 10;
	assert_int_equal(mm_region_end(&r), UINT64_MAX);
	r.length = 9;
	assert_int_equal(mm_region_end(&r), UINT64_MAX - 1);
}

/* Sanitize sorts by base and merges touching regions of one type. */
static void test_sanitize_sorts_and_merges(void **state)
{
	(void)state;
	add(MiB(8), MiB(8), MM_REGION_USABLE);
	add(MiB(1), MiB(1), MM_REGION_RESERVED);
	add(MiB(2), MiB(6), MM_REGION_USABLE);
	add(0, MiB(1), MM_REGION_USABLE);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(map.count, 3);
	expect_region(0, 0, MiB(1), MM_REGION_USABLE);
	expect_region(1, MiB(1), MiB(1), MM_REGION_RESERVED);
	expect_region(2, MiB(2), MiB(14), MM_REGION_USABLE);
}

/* A reserved hole inside a usable region splits it in three. */
static void test_sanitize_hole_splits_usable(void **state)
{
	(void)state;
	add(0, MiB(16), MM_REGION_USABLE);
	add(MiB(4), MiB(1), MM_REGION_ACPI_NVS);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(map.count, 3);
	expect_region(0, 0, MiB(4), MM_REGION_USABLE);
	expect_region(1, MiB(4), MiB(1), MM_REGION_ACPI_NVS);
	expect_region(2, MiB(5), MiB(11), MM_REGION_USABLE);
}

/* Usable inside or partly over a non-usable region loses the overlap. */
static void test_sanitize_nonusable_wins(void **state)
{
	(void)state;
	add(MiB(1), MiB(4), MM_REGION_RESERVED);
	add(MiB(2), MiB(1), MM_REGION_USABLE);
	add(MiB(4), MiB(4), MM_REGION_USABLE);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(map.count, 2);
	expect_region(0, MiB(1), MiB(4), MM_REGION_RESERVED);
	expect_region(1, MiB(5), MiB(3), MM_REGION_USABLE);
}

/* Overlapping usable regions are counted once. */
static void test_sanitize_overlapping_usable_once(void **state)
{
	(void)state;
	add(0, MiB(8), MM_REGION_USABLE);
	add(MiB(4), MiB(8), MM_REGION_USABLE);
	add(MiB(2), MiB(1), MM_REGION_USABLE);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(map.count, 1);
	expect_region(0, 0, MiB(12), MM_REGION_USABLE);
	assert_int_equal(mm_memmap_usable_bytes(&map), MiB(12));
}

/* Among non-usable types the later enum value wins; BAD beats all. */
static void test_sanitize_priority_order(void **state)
{
	(void)state;
	add(0, MiB(4), MM_REGION_ACPI_RECLAIMABLE);
	add(MiB(1), MiB(2), MM_REGION_RESERVED);
	add(MiB(2), KiB(4), MM_REGION_BAD);
	add(0, MiB(1), MM_REGION_BOOTLOADER_RECLAIMABLE);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(map.count, 5);
	expect_region(0, 0, MiB(1), MM_REGION_ACPI_RECLAIMABLE);
	expect_region(1, MiB(1), MiB(1), MM_REGION_RESERVED);
	expect_region(2, MiB(2), KiB(4), MM_REGION_BAD);
	expect_region(3, MiB(2) + KiB(4), MiB(1) - KiB(4), MM_REGION_RESERVED);
	expect_region(4, MiB(3), MiB(1), MM_REGION_ACPI_RECLAIMABLE);
}

/* Regions are clipped to 52 bits; empty and out-of-space ones vanish. */
static void test_sanitize_clips_and_drops(void **state)
{
	(void)state;
	add(MM_PHYS_LIMIT - MiB(1), MiB(4), MM_REGION_USABLE);
	add(MM_PHYS_LIMIT + MiB(1), MiB(4), MM_REGION_USABLE);
	add(MiB(1), 0, MM_REGION_RESERVED);
	add(UINT64_MAX - 10, 100, MM_REGION_BAD);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(map.count, 1);
	expect_region(0, MM_PHYS_LIMIT - MiB(1), MiB(1), MM_REGION_USABLE);
	assert_int_equal(mm_memmap_usable_end(&map), MM_PHYS_LIMIT);
}

/* Sanitizing a sanitized map changes nothing. */
static void test_sanitize_idempotent(void **state)
{
	(void)state;
	add(MiB(3), MiB(5), MM_REGION_USABLE);
	add(0, MiB(4), MM_REGION_RESERVED);
	add(MiB(6), KiB(8), MM_REGION_KERNEL);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	struct mm_memmap once = map;
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(map.count, once.count);
	assert_memory_equal(map.regions, once.regions,
			    once.count * sizeof(once.regions[0]));
}

/* A resolution needing more than the capacity is NOMEM, map untouched. */
static void test_sanitize_overflow_unchanged(void **state)
{
	(void)state;
	for (unsigned i = 0; i < MM_MEMMAP_CAPACITY / 2; i++) {
		add(MiB(4) * i, MiB(3), MM_REGION_USABLE);
		add(MiB(4) * i + MiB(1), MiB(1), MM_REGION_RESERVED);
	}
	struct mm_memmap before = map;
	assert_int_equal(mm_memmap_sanitize(&map), MM_ERR_NOMEM);
	assert_memory_equal(&before, &map, sizeof(map));
}

/* Exactly capacity output regions still fit. */
static void test_sanitize_exact_capacity(void **state)
{
	(void)state;
	for (unsigned i = 0; i < MM_MEMMAP_CAPACITY; i++)
		add(MiB(2) * i, MiB(1),
		    i % 2 ? MM_REGION_RESERVED : MM_REGION_USABLE);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(map.count, MM_MEMMAP_CAPACITY);
}

/* Only whole frames inside usable regions count. */
static void test_usable_bytes_whole_frames(void **state)
{
	(void)state;
	add(0x1800, 0x2000, MM_REGION_USABLE);	 /* [0x1800,0x3800): 1 frame */
	add(MiB(1) + 1, 4094, MM_REGION_USABLE); /* no whole frame */
	add(MiB(2), MiB(1), MM_REGION_RESERVED);
	add(MiB(4), KiB(8) + 1, MM_REGION_USABLE); /* 2 frames */
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(mm_memmap_usable_bytes(&map), KiB(12));
	assert_int_equal(mm_memmap_usable_end(&map), MiB(4) + KiB(8));
}

/* Usable end ignores non-usable regions above the highest usable one. */
static void test_usable_end_ignores_reserved(void **state)
{
	(void)state;
	add(0, MiB(1), MM_REGION_USABLE);
	add(MiB(512), MiB(1), MM_REGION_RESERVED);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(mm_memmap_usable_end(&map), MiB(1));
}

/* The highest usable end is found in an unsorted, unsanitized map too. */
static void test_usable_end_unsorted(void **state)
{
	(void)state;
	add(MiB(64), MiB(1), MM_REGION_USABLE);
	add(0, MiB(1), MM_REGION_USABLE);
	add(MiB(8), MiB(1) + 100, MM_REGION_USABLE);
	assert_int_equal(mm_memmap_usable_end(&map), MiB(65));
}

/* A region near 2^64 written by hand neither wraps nor counts. */
static void test_usable_bytes_top_of_space(void **state)
{
	(void)state;
	map.regions[0] =
		(struct mm_region){UINT64_MAX - 100, 1000, MM_REGION_USABLE};
	map.count = 1;
	assert_int_equal(mm_memmap_usable_bytes(&map), 0);
	assert_int_equal(mm_memmap_usable_end(&map), 0);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(map.count, 0);
}

/* Every type has a distinct name; an unknown value has one too. */
static void test_type_str_names(void **state)
{
	(void)state;
	for (int i = 0; i < MM_REGION_TYPE_COUNT; i++) {
		const char *a = mm_region_type_str((mm_region_type_t)i);
		assert_non_null(a);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(
				a, mm_region_type_str((mm_region_type_t)j));
	}
	assert_string_equal(mm_region_type_str(MM_REGION_USABLE), "usable");
	assert_string_equal(mm_region_type_str(MM_REGION_TYPE_COUNT),
			    "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, setup)
		T(test_init_empty),
		T(test_usable_in_last_frame_of_u64),
		T(test_add_invalid_type),
		T(test_add_full),
		T(test_add_wrapping_cut),
		T(test_add_coalesces_same_type),
		T(test_add_full_coalesces),
		T(test_unknown_type_not_usable),
		T(test_region_end_saturates),
		T(test_sanitize_sorts_and_merges),
		T(test_sanitize_hole_splits_usable),
		T(test_sanitize_nonusable_wins),
		T(test_sanitize_overlapping_usable_once),
		T(test_sanitize_priority_order),
		T(test_sanitize_clips_and_drops),
		T(test_sanitize_idempotent),
		T(test_sanitize_overflow_unchanged),
		T(test_sanitize_exact_capacity),
		T(test_usable_bytes_whole_frames),
		T(test_usable_end_ignores_reserved),
		T(test_usable_end_unsorted),
		T(test_usable_bytes_top_of_space),
		T(test_type_str_names),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
