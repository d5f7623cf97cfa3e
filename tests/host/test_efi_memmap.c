/* Tests of the UEFI memory map conversion: type policy, stride, overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "efi_memmap.h"

#define PAGE 4096u

static struct mm_memmap map;
static uint8_t descs[300 * 64 + 64];

static int setup(void **state)
{
	(void)state;
	memset(descs, 0xEE, sizeof(descs));
	mm_memmap_init(&map);
	return 0;
}

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

/* Write descriptor i of stride `size` into descs. */
static void put_desc(size_t i, size_t size, uint32_t type, uint64_t phys,
		     uint64_t pages)
{
	uint8_t *d = descs + i * size;

	wr32(d + EFI_MD_TYPE_OFF, type);
	wr32(d + 4, 0);
	wr64(d + EFI_MD_PHYS_OFF, phys);
	wr64(d + EFI_MD_VIRT_OFF, 0);
	wr64(d + EFI_MD_PAGES_OFF, pages);
	wr64(d + EFI_MD_ATTR_OFF, 0xF);
}

static void expect_region(size_t i, uint64_t base, uint64_t length,
			  mm_region_type_t type)
{
	assert_true(i < map.count);
	assert_int_equal(map.regions[i].base, base);
	assert_int_equal(map.regions[i].length, length);
	assert_int_equal(map.regions[i].type, type);
}

/* Every EFI type maps as the boot-services-exited policy says. */
static void test_memtype_every_type(void **state)
{
	static const struct {
		uint32_t efi;
		mm_region_type_t mm;
	} cases[] = {
		{EFI_RESERVED_MEMORY_TYPE, MM_REGION_RESERVED},
		{EFI_LOADER_CODE, MM_REGION_BOOTLOADER_RECLAIMABLE},
		{EFI_LOADER_DATA, MM_REGION_BOOTLOADER_RECLAIMABLE},
		{EFI_BOOT_SERVICES_CODE, MM_REGION_USABLE},
		{EFI_BOOT_SERVICES_DATA, MM_REGION_USABLE},
		{EFI_RUNTIME_SERVICES_CODE, MM_REGION_RESERVED},
		{EFI_RUNTIME_SERVICES_DATA, MM_REGION_RESERVED},
		{EFI_CONVENTIONAL_MEMORY, MM_REGION_USABLE},
		{EFI_UNUSABLE_MEMORY, MM_REGION_BAD},
		{EFI_ACPI_RECLAIM_MEMORY, MM_REGION_ACPI_RECLAIMABLE},
		{EFI_ACPI_MEMORY_NVS, MM_REGION_ACPI_NVS},
		{EFI_MEMORY_MAPPED_IO, MM_REGION_RESERVED},
		{EFI_MEMORY_MAPPED_IO_PORT_SPACE, MM_REGION_RESERVED},
		{EFI_PAL_CODE, MM_REGION_RESERVED},
		{EFI_PERSISTENT_MEMORY, MM_REGION_RESERVED},
		{15, MM_REGION_UNKNOWN}, /* unaccepted memory (UEFI 2.9) */
		{16, MM_REGION_UNKNOWN},
		{0x70000000u, MM_REGION_UNKNOWN}, /* OEM range */
		{0x80000000u, MM_REGION_UNKNOWN}, /* OS range */
		{UINT32_MAX, MM_REGION_UNKNOWN},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(efi_memtype_to_region(cases[i].efi),
				 cases[i].mm);
}

/* Each descriptor of the map becomes one region of the mapped type. */
static void test_convert_every_type(void **state)
{
	(void)state;
	for (uint32_t t = 0; t <= EFI_PERSISTENT_MEMORY; t++)
		put_desc(t, EFI_MD_MIN_SIZE, t, (uint64_t)t * 2 * PAGE, 1);
	assert_int_equal(efi_memmap_convert(descs, 15 * EFI_MD_MIN_SIZE,
					    EFI_MD_MIN_SIZE, &map),
			 MM_OK);
	assert_int_equal(map.count, 15);
	for (uint32_t t = 0; t <= EFI_PERSISTENT_MEMORY; t++)
		expect_region(t, (uint64_t)t * 2 * PAGE, PAGE,
			      efi_memtype_to_region(t));
}

/* A descriptor_size above 40 is honoured as the stride. */
static void test_convert_stride_honoured(void **state)
{
	(void)state;
	put_desc(0, 48, EFI_CONVENTIONAL_MEMORY, 0x100000, 16);
	put_desc(1, 48, EFI_ACPI_MEMORY_NVS, 0x200000, 2);
	put_desc(2, 48, EFI_UNUSABLE_MEMORY, 0x300000, 1);
	assert_int_equal(efi_memmap_convert(descs, 3 * 48, 48, &map), MM_OK);
	assert_int_equal(map.count, 3);
	expect_region(0, 0x100000, 16 * PAGE, MM_REGION_USABLE);
	expect_region(1, 0x200000, 2 * PAGE, MM_REGION_ACPI_NVS);
	expect_region(2, 0x300000, PAGE, MM_REGION_BAD);
}

/* Bytes after the last whole descriptor are ignored. */
static void test_convert_trailing_bytes_ignored(void **state)
{
	(void)state;
	put_desc(0, 40, EFI_CONVENTIONAL_MEMORY, 0, 1);
	put_desc(1, 40, EFI_CONVENTIONAL_MEMORY, 0x10000, 1);
	assert_int_equal(efi_memmap_convert(descs, 40 + 39, 40, &map), MM_OK);
	assert_int_equal(map.count, 1);
	expect_region(0, 0, PAGE, MM_REGION_USABLE);
}

/* An empty or sub-descriptor buffer appends nothing and succeeds. */
static void test_convert_empty(void **state)
{
	(void)state;
	assert_int_equal(efi_memmap_convert(descs, 0, 40, &map), MM_OK);
	assert_int_equal(efi_memmap_convert(descs, 39, 40, &map), MM_OK);
	assert_int_equal(map.count, 0);
}

/* A descriptor_size below 40 (or 0) or a NULL argument is MM_ERR_INVALID. */
static void test_convert_bad_args(void **state)
{
	(void)state;
	put_desc(0, 40, EFI_CONVENTIONAL_MEMORY, 0, 1);
	assert_int_equal(efi_memmap_convert(descs, 40, 0, &map),
			 MM_ERR_INVALID);
	assert_int_equal(efi_memmap_convert(descs, 40, 39, &map),
			 MM_ERR_INVALID);
	assert_int_equal(efi_memmap_convert(NULL, 40, 40, &map),
			 MM_ERR_INVALID);
	assert_int_equal(efi_memmap_convert(descs, 40, 40, NULL),
			 MM_ERR_INVALID);
	assert_int_equal(map.count, 0);
}

/* A page count whose byte size overflows 64 bits is MM_ERR_INVALID. */
static void test_convert_pages_overflow(void **state)
{
	(void)state;
	put_desc(0, 40, EFI_CONVENTIONAL_MEMORY, 0, 1);
	put_desc(1, 40, EFI_RESERVED_MEMORY_TYPE, 0x10000,
		 (UINT64_MAX >> 12) + 1);
	assert_int_equal(efi_memmap_convert(descs, 80, 40, &map),
			 MM_ERR_INVALID);
	put_desc(1, 40, EFI_RESERVED_MEMORY_TYPE, 0x10000, UINT64_MAX);
	mm_memmap_init(&map);
	assert_int_equal(efi_memmap_convert(descs, 80, 40, &map),
			 MM_ERR_INVALID);
}

/*
 * The largest page count that fits is accepted; the end is cut at 2^64-1
 * (two overlapping reserved descriptors coalesce into one region).
 */
static void test_convert_pages_max(void **state)
{
	(void)state;
	put_desc(0, 40, EFI_RESERVED_MEMORY_TYPE, 0, UINT64_MAX >> 12);
	assert_int_equal(efi_memmap_convert(descs, 40, 40, &map), MM_OK);
	assert_int_equal(map.count, 1);
	expect_region(0, 0, UINT64_MAX - 4095, MM_REGION_RESERVED);
	mm_memmap_init(&map);
	put_desc(1, 40, EFI_RESERVED_MEMORY_TYPE, 0x10000, UINT64_MAX >> 12);
	assert_int_equal(efi_memmap_convert(descs, 80, 40, &map), MM_OK);
	assert_int_equal(map.count, 1);
	expect_region(0, 0, UINT64_MAX, MM_REGION_RESERVED);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(map.count, 1);
	expect_region(0, 0, MM_PHYS_LIMIT, MM_REGION_RESERVED);
}

/* Descriptors of zero pages take no slot. */
static void test_convert_zero_pages_skipped(void **state)
{
	(void)state;
	put_desc(0, 40, EFI_CONVENTIONAL_MEMORY, 0, 0);
	put_desc(1, 40, EFI_ACPI_MEMORY_NVS, 0x5000, 0);
	assert_int_equal(efi_memmap_convert(descs, 80, 40, &map), MM_OK);
	assert_int_equal(map.count, 0);
}

/*
 * Touching descriptors of one region type share a slot, in any order (a
 * later one joins the region it touches, which moves to the end); others
 * do not.
 */
static void test_convert_coalesces_touching(void **state)
{
	(void)state;
	put_desc(0, 40, EFI_CONVENTIONAL_MEMORY, 0, 1);
	put_desc(1, 40, EFI_BOOT_SERVICES_CODE, PAGE, 2);
	put_desc(2, 40, EFI_BOOT_SERVICES_DATA, 3 * PAGE, 1);
	put_desc(3, 40, EFI_LOADER_DATA, 4 * PAGE, 1);
	put_desc(4, 40, EFI_LOADER_CODE, 5 * PAGE, 1);
	put_desc(5, 40, EFI_CONVENTIONAL_MEMORY, 7 * PAGE, 1); /* gap */
	put_desc(6, 40, EFI_CONVENTIONAL_MEMORY, 6 * PAGE, 1); /* before */
	assert_int_equal(efi_memmap_convert(descs, 7 * 40, 40, &map), MM_OK);
	assert_int_equal(map.count, 3);
	expect_region(0, 0, 4 * PAGE, MM_REGION_USABLE);
	expect_region(1, 4 * PAGE, 2 * PAGE, MM_REGION_BOOTLOADER_RECLAIMABLE);
	expect_region(2, 6 * PAGE, 2 * PAGE, MM_REGION_USABLE);
}

/*
 * A region in the map before the call coalesces like any other (one rule
 * for every boot path: mm_memmap_add()).
 */
static void test_convert_joins_prior_regions(void **state)
{
	(void)state;
	assert_int_equal(mm_memmap_add(&map, 0, PAGE, MM_REGION_USABLE), MM_OK);
	put_desc(0, 40, EFI_CONVENTIONAL_MEMORY, PAGE, 1);
	assert_int_equal(efi_memmap_convert(descs, 40, 40, &map), MM_OK);
	assert_int_equal(map.count, 1);
	expect_region(0, 0, 2 * PAGE, MM_REGION_USABLE);
}

/* Coalescing stops rather than wrapping past 2^64. */
static void test_convert_coalesce_no_wrap(void **state)
{
	(void)state;
	put_desc(0, 40, EFI_RESERVED_MEMORY_TYPE, 0, UINT64_MAX >> 13);
	put_desc(1, 40, EFI_RESERVED_MEMORY_TYPE, (UINT64_MAX >> 13) << 12,
		 UINT64_MAX >> 12);
	assert_int_equal(efi_memmap_convert(descs, 80, 40, &map), MM_OK);
	assert_int_equal(map.count, 1);
	assert_int_equal(map.regions[0].base, 0);
	assert_int_equal(map.regions[0].length, UINT64_MAX);
}

/* More separate regions than the map holds is MM_ERR_NOMEM. */
static void test_convert_too_many_nomem(void **state)
{
	size_t n = MM_MEMMAP_CAPACITY + 1;

	(void)state;
	for (size_t i = 0; i < n; i++)
		put_desc(i, 40, EFI_CONVENTIONAL_MEMORY, i * 2 * PAGE, 1);
	assert_int_equal(efi_memmap_convert(descs, n * 40, 40, &map),
			 MM_ERR_NOMEM);
	assert_int_equal(map.count, MM_MEMMAP_CAPACITY);
	mm_memmap_init(&map);
	assert_int_equal(efi_memmap_convert(descs, (n - 1) * 40, 40, &map),
			 MM_OK);
	assert_int_equal(map.count, MM_MEMMAP_CAPACITY);
}

/* Descriptors at an odd address are read correctly. */
static void test_convert_unaligned_buffer(void **state)
{
	static uint8_t odd[1 + 2 * 40];

	(void)state;
	put_desc(0, 40, EFI_CONVENTIONAL_MEMORY, 0x123000, 3);
	put_desc(1, 40, EFI_ACPI_RECLAIM_MEMORY, 0x200000, 1);
	memcpy(odd + 1, descs, 80);
	assert_int_equal(efi_memmap_convert(odd + 1, 80, 40, &map), MM_OK);
	assert_int_equal(map.count, 2);
	expect_region(0, 0x123000, 3 * PAGE, MM_REGION_USABLE);
	expect_region(1, 0x200000, PAGE, MM_REGION_ACPI_RECLAIMABLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_memtype_every_type, setup),
		cmocka_unit_test_setup(test_convert_every_type, setup),
		cmocka_unit_test_setup(test_convert_stride_honoured, setup),
		cmocka_unit_test_setup(test_convert_trailing_bytes_ignored,
				       setup),
		cmocka_unit_test_setup(test_convert_empty, setup),
		cmocka_unit_test_setup(test_convert_bad_args, setup),
		cmocka_unit_test_setup(test_convert_pages_overflow, setup),
		cmocka_unit_test_setup(test_convert_pages_max, setup),
		cmocka_unit_test_setup(test_convert_zero_pages_skipped, setup),
		cmocka_unit_test_setup(test_convert_coalesces_touching, setup),
		cmocka_unit_test_setup(test_convert_joins_prior_regions, setup),
		cmocka_unit_test_setup(test_convert_coalesce_no_wrap, setup),
		cmocka_unit_test_setup(test_convert_too_many_nomem, setup),
		cmocka_unit_test_setup(test_convert_unaligned_buffer, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
