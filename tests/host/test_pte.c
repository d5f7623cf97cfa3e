/*
 * Page-table geometry and the recursive-window formulas of mm/pte.h,
 * checked against the seed's constants and formulas for index 510.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mm/paging.h"
#include "mm/pte.h"

/* Addresses spread over both halves and every index field. */
static const uint64_t sample_va[] = {
	0x0000000000000000ull, 0x0000000000001000ull, 0x00000000003FF000ull,
	0x0000000040000000ull, 0x00007F1234567000ull, 0x00007FFFFFFFF000ull,
	0xFFFF800000000000ull, 0xFFFFFFFF80000000ull, 0xFFFFFF7FBFDFE000ull,
	0xFFFFFFFFFFFFF000ull, 0x0000123456789ABCull, 0xFFFF8BADF00DD000ull,
};

#define NSAMPLES (sizeof(sample_va) / sizeof(sample_va[0]))

/* The seed's hand-written formulas for the recursive index 510. */
static uint64_t seed_pdpt(uint64_t va)
{
	return 0xFFFFFF7FBFC00000ull + ((va >> 27) & 0x1FF000ull);
}

static uint64_t seed_pd(uint64_t va)
{
	return 0xFFFFFF7F80000000ull + ((va >> 18) & 0x3FFFF000ull);
}

static uint64_t seed_pt(uint64_t va)
{
	return 0xFFFFFF0000000000ull + ((va >> 9) & 0x7FFFFFF000ull);
}

/* Geometry follows from the widths: 4 KiB pages, 512 entries, 48 bits. */
static void test_geometry_from_widths(void **state)
{
	(void)state;
	assert_int_equal(MM_PT_ENTRIES, 512);
	assert_int_equal(MM_PT_SHIFT(0), 12);
	assert_int_equal(MM_PT_SHIFT(1), 21);
	assert_int_equal(MM_PT_SHIFT(2), 30);
	assert_int_equal(MM_PT_SHIFT(3), 39);
	assert_int_equal(MM_VA_BITS, 48);
	assert_int_equal(MM_PT_SPAN(0), MM_PAGE_4K);
	assert_int_equal(MM_PT_SPAN(1), MM_PAGE_2M);
	assert_int_equal(MM_PT_SPAN(2), MM_PAGE_1G);
	assert_int_equal(MM_PTE_ADDR_MASK, 0x000FFFFFFFFFF000ull);
}

/* MM_PT_INDEX picks the four 9-bit fields of an address. */
static void test_index_fields(void **state)
{
	uint64_t va = ((uint64_t)0x1A3 << 39) | ((uint64_t)0x0F7 << 30) |
		      ((uint64_t)0x155 << 21) | ((uint64_t)0x0AA << 12) | 0x123;

	(void)state;
	assert_int_equal(MM_PT_INDEX(3, va), 0x1A3);
	assert_int_equal(MM_PT_INDEX(2, va), 0x0F7);
	assert_int_equal(MM_PT_INDEX(1, va), 0x155);
	assert_int_equal(MM_PT_INDEX(0, va), 0x0AA);
	assert_int_equal(MM_PT_INDEX(3, MM_VA_SIGN_EXTEND(va)), 0x1A3);
}

/* Canonical means bits 63..48 copy bit 47. */
static void test_canonical(void **state)
{
	(void)state;
	assert_true(MM_VA_CANONICAL(0x00007FFFFFFFFFFFull));
	assert_true(MM_VA_CANONICAL(0xFFFF800000000000ull));
	assert_false(MM_VA_CANONICAL(0x0000800000000000ull));
	assert_false(MM_VA_CANONICAL(0xFFFF7FFFFFFFFFFFull));
	assert_false(MM_VA_CANONICAL(0x0001000000000000ull));
	assert_int_equal(MM_VA_SIGN_EXTEND(0x0000800000000000ull),
			 0xFFFF800000000000ull);
	assert_int_equal(MM_VA_SIGN_EXTEND(0xFFFF7FFFFFFFF000ull),
			 0x00007FFFFFFFF000ull);
	assert_int_equal(MM_VA_SIGN_EXTEND(0x1234FFFFFFFFFFFFull),
			 0xFFFFFFFFFFFFFFFFull);
	assert_int_equal(MM_VA_SIGN_EXTEND(0), 0);
}

/* The window starts at 0xFFFFFF0000000000; the PML4 is at ...BFDFE000. */
static void test_window_constants(void **state)
{
	(void)state;
	assert_int_equal(MM_RECURSIVE_INDEX, 510);
	assert_int_equal(MM_WINDOW_START, MM_RECURSIVE_BASE);
	assert_int_equal(MM_WINDOW_START, 0xFFFFFF0000000000ull);
	assert_int_equal(MM_WINDOW_END, 0xFFFFFF8000000000ull);
	assert_int_equal(MM_PT_TABLE_VA(3, 0), MM_RECURSIVE_PML4);
	assert_int_equal(MM_PT_TABLE_VA(3, 0), 0xFFFFFF7FBFDFE000ull);
	assert_int_equal(MM_PT_TABLE_VA(2, 0), 0xFFFFFF7FBFC00000ull);
	assert_int_equal(MM_PT_TABLE_VA(1, 0), 0xFFFFFF7F80000000ull);
	assert_int_equal(MM_PT_TABLE_VA(0, 0), 0xFFFFFF0000000000ull);
}

/* The prefix of each level is 510 in its top (level + 1) index fields. */
static void test_window_prefix_per_level(void **state)
{
	unsigned level;

	(void)state;
	assert_int_equal(MM_PT_FIELD_ONES, 0x8040201u); /* 1 in each field */
	assert_int_equal(MM_PT_WINDOW_PREFIX(0), 0x0000FF0000000000ull);
	assert_int_equal(MM_PT_WINDOW_PREFIX(1), 0x0000FF7F80000000ull);
	assert_int_equal(MM_PT_WINDOW_PREFIX(2), 0x0000FF7FBFC00000ull);
	assert_int_equal(MM_PT_WINDOW_PREFIX(3), 0x0000FF7FBFDFE000ull);
	for (level = 0; level < MM_PT_LEVELS; level++) {
		uint64_t p = MM_PT_WINDOW_PREFIX(level);
		unsigned k;

		for (k = 0; k < MM_PT_LEVELS; k++)
			assert_int_equal(MM_PT_INDEX(k, p),
					 k >= MM_PT_TOP - level ? 510u : 0u);
		assert_int_equal(p & (MM_FRAME_SIZE - 1u), 0);
	}
}

/* Every table address agrees with the seed's formula for index 510. */
static void test_window_matches_seed(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NSAMPLES; i++) {
		uint64_t va = sample_va[i];

		assert_int_equal(MM_PT_TABLE_VA(3, va), 0xFFFFFF7FBFDFE000ull);
		assert_int_equal(MM_PT_TABLE_VA(2, va), seed_pdpt(va));
		assert_int_equal(MM_PT_TABLE_VA(1, va), seed_pd(va));
		assert_int_equal(MM_PT_TABLE_VA(0, va), seed_pt(va));
	}
}

/* An entry address is its table plus 8 * the index of its level. */
static void test_pte_va_is_table_plus_index(void **state)
{
	size_t i;
	unsigned level;

	(void)state;
	for (i = 0; i < NSAMPLES; i++) {
		for (level = 0; level < MM_PT_LEVELS; level++) {
			uint64_t va = sample_va[i];

			assert_int_equal(MM_PTE_VA(level, va),
					 MM_PT_TABLE_VA(level, va) +
						 8u * MM_PT_INDEX(level, va));
		}
	}
}

/*
 * The window is self-similar: the entry that maps a level's table is the
 * next level's entry for va (so the walk through the recursive slot lands
 * on the same table the hardware walk uses).
 */
static void test_window_recursion(void **state)
{
	size_t i;
	unsigned level;

	(void)state;
	for (i = 0; i < NSAMPLES; i++) {
		for (level = 0; level < MM_PT_TOP; level++) {
			uint64_t va = sample_va[i];
			uint64_t table = MM_PT_TABLE_VA(level, va);

			assert_int_equal(MM_PTE_VA(0, table),
					 MM_PTE_VA(level + 1u, va));
			assert_true(table >= MM_WINDOW_START);
			assert_true(table < MM_WINDOW_END);
		}
	}
}

/* Entry bits sit where the SDM puts them. */
static void test_entry_bits(void **state)
{
	(void)state;
	assert_int_equal(MM_PTE_PRESENT, 0x1);
	assert_int_equal(MM_PTE_WRITE, 0x2);
	assert_int_equal(MM_PTE_USER, 0x4);
	assert_int_equal(MM_PTE_PS, 0x80);
	assert_int_equal(MM_PTE_GLOBAL, 0x100);
	assert_int_equal(MM_PTE_NX, 0x8000000000000000ull);
	assert_int_equal(MM_PTE_ADDR(0x8000123456789FFFull), 0x123456789000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry_from_widths),
		cmocka_unit_test(test_index_fields),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_window_constants),
		cmocka_unit_test(test_window_prefix_per_level),
		cmocka_unit_test(test_window_matches_seed),
		cmocka_unit_test(test_pte_va_is_table_plus_index),
		cmocka_unit_test(test_window_recursion),
		cmocka_unit_test(test_entry_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
