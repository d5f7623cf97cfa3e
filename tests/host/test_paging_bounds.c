/*
 * Paging at its boundaries: lengths that wrap past 2^64 onto a canonical
 * address, ranges that start or end exactly at an edge of the recursive
 * window, the top of the address space, the 52-bit physical limit, and
 * misaligned addresses for mm_protect. On the simulated machine in strict
 * TLB mode; every test ends with consistent tables, counts and allocator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mm/paging.h"
#include "mm/pte.h"
#include "mm_sim.h"

#define RAM	(16u << 20)
#define KiB4	MM_PAGE_4K
#define MiB2	MM_PAGE_2M
#define VA_A	0x0000100000000000ull  /* PML4 32, nothing mapped */
#define VA_TOP	0xFFFFFFFFFFFFF000ull  /* the last page of the address space */
#define PA_FAR	0x0000000100000000ull  /* 4 GiB: beyond the RAM */
#define PA_LAST (MM_PHYS_LIMIT - KiB4) /* the last 4 KiB frame of 52 bits */

static int setup(void **state)
{
	struct mm_sim *sim = mm_sim_create(RAM, MM_SIM_NX | MM_SIM_1G);

	if (sim == NULL)
		return -1;
	mm_sim_set_strict(sim, true);
	*state = sim;
	return 0;
}

static int teardown(void **state)
{
	struct mm_sim *sim = *state;
	struct mm_sim_stats st;
	int rc = 0;

	mm_sim_stats(sim, &st);
	if (st.stale_hits != 0 || st.strict_violations != 0 ||
	    mm_frame_check(mm_sim_frames(sim)) != MM_OK ||
	    mm_vm_check(mm_sim_vm(sim)) != MM_OK)
		rc = -1;
	mm_sim_destroy(sim);
	return rc;
}

static uint64_t free_frames(void **state)
{
	struct mm_frame_stats st;

	mm_frame_stats(mm_sim_frames(*state), &st);
	return st.free_frames;
}

/* The physical address va translates to, or ~0 when it is not mapped. */
static mm_paddr_t xlate(void **state, mm_vaddr_t va)
{
	mm_paddr_t pa;

	if (mm_translate(mm_sim_vm(*state), va, &pa, NULL, NULL) != MM_OK)
		return ~(mm_paddr_t)0;
	return pa;
}

/*
 * A length that wraps past 2^64 to land on a canonical address is refused
 * as a whole, and the page at the start stays mapped.
 */
static void test_unmap_range_length_wraps(void **state)
{
	struct mm_vm *vm = mm_sim_vm(*state);

	assert_int_equal(mm_map(vm, VA_TOP, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_unmap_range(vm, VA_TOP, VA_TOP), MM_ERR_INVALID);
	assert_int_equal(mm_unmap_range(vm, VA_TOP, 2u * KiB4), MM_ERR_INVALID);
	assert_int_equal(mm_map_range(vm, VA_TOP, PA_FAR, VA_TOP, 0),
			 MM_ERR_INVALID);
	assert_int_equal(xlate(state, VA_TOP), PA_FAR);
	/* Ending exactly at 2^64 does not wrap. */
	assert_int_equal(mm_unmap_range(vm, VA_TOP, KiB4), MM_OK);
	assert_int_equal(xlate(state, VA_TOP), ~(mm_paddr_t)0);
}

/*
 * [MM_WINDOW_END, ...) is outside the window: ranges that start exactly
 * there map and unmap; one page earlier is the window.
 */
static void test_range_at_window_end(void **state)
{
	struct mm_vm *vm = mm_sim_vm(*state);
	uint64_t before = free_frames(state);

	assert_int_equal(mm_map_range(vm, MM_WINDOW_END, PA_FAR, 2u * MiB2, 0),
			 MM_OK);
	assert_int_equal(xlate(state, MM_WINDOW_END + MiB2), PA_FAR + MiB2);
	assert_int_equal(
		mm_map_range(vm, MM_WINDOW_END - KiB4, PA_FAR, KiB4, 0),
		MM_ERR_OUT_OF_RANGE);
	assert_int_equal(mm_unmap_range(vm, MM_WINDOW_END - KiB4, 2u * KiB4),
			 MM_ERR_OUT_OF_RANGE);
	assert_int_equal(mm_map(vm, MM_WINDOW_END - KiB4, PA_FAR, KiB4, 0),
			 MM_ERR_OUT_OF_RANGE);
	assert_int_equal(mm_unmap_range(vm, MM_WINDOW_END, 2u * MiB2), MM_OK);
	assert_int_equal(xlate(state, MM_WINDOW_END), ~(mm_paddr_t)0);
	assert_int_equal(free_frames(state), before);
}

/* A range ending exactly at MM_WINDOW_START is fine; one page more is not. */
static void test_range_at_window_start(void **state)
{
	struct mm_vm *vm = mm_sim_vm(*state);
	mm_vaddr_t below = MM_WINDOW_START - MiB2;

	assert_int_equal(mm_map_range(vm, below, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_map_range(vm, below, PA_FAR, MiB2 + KiB4, 0),
			 MM_ERR_OUT_OF_RANGE);
	assert_int_equal(mm_unmap_range(vm, below, MiB2 + KiB4),
			 MM_ERR_OUT_OF_RANGE);
	assert_int_equal(xlate(state, below), PA_FAR);
	assert_int_equal(mm_unmap_range(vm, below, MiB2), MM_OK);
}

/* A page or a range may end exactly at the 52-bit physical limit. */
static void test_map_at_phys_limit(void **state)
{
	struct mm_vm *vm = mm_sim_vm(*state);

	assert_int_equal(mm_map(vm, VA_A, PA_LAST, KiB4, 0), MM_OK);
	assert_int_equal(xlate(state, VA_A + 0xFFF), MM_PHYS_LIMIT - 1u);
	assert_int_equal(
		mm_map_range(vm, VA_A + MiB2, MM_PHYS_LIMIT - MiB2, MiB2, 0),
		MM_OK);
	assert_int_equal(xlate(state, VA_A + 2u * MiB2 - 1u),
			 MM_PHYS_LIMIT - 1u);
	assert_int_equal(
		mm_map_range(vm, VA_A + 4u * MiB2, PA_LAST, 2u * KiB4, 0),
		MM_ERR_INVALID);
	assert_int_equal(mm_unmap_range(vm, VA_A, 2u * MiB2), MM_OK);
}

/*
 * mm_protect of an address that is not the start of a page is INVALID,
 * mapped or not: the argument is wrong before the tables are asked.
 */
static void test_protect_misaligned(void **state)
{
	struct mm_vm *vm = mm_sim_vm(*state);

	assert_int_equal(mm_protect(vm, VA_A + 8u, 0), MM_ERR_INVALID);
	assert_int_equal(mm_protect(vm, VA_A + 0xFFFu, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_protect(vm, VA_A + 8u, 0), MM_ERR_INVALID);
	assert_int_equal(mm_protect(vm, VA_A + KiB4, 0), MM_ERR_INVALID);
	assert_int_equal(mm_protect(vm, VA_A + MiB2, 0), MM_ERR_NOT_MAPPED);
	assert_int_equal(mm_protect(vm, VA_A, MM_PROT_WRITE), MM_OK);
	assert_int_equal(mm_unmap(vm, VA_A, NULL, NULL), MM_OK);
}

/*
 * An address one byte past a page start is INVALID for every call and
 * every page size, mapped or not, and nothing changes: the alignment
 * check covers bit 0 as well as the page's other low bits.
 */
static void test_va_one_byte_off(void **state)
{
	struct mm_vm *vm = mm_sim_vm(*state);
	uint64_t before = free_frames(state);
	unsigned prot = 0;

	assert_int_equal(mm_map(vm, VA_A + 1u, PA_FAR, KiB4, 0),
			 MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A + 1u, PA_FAR, MiB2, 0),
			 MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A + 1u, PA_FAR, MM_PAGE_1G, 0),
			 MM_ERR_INVALID);
	assert_int_equal(mm_map_range(vm, VA_A + 1u, PA_FAR, KiB4, 0),
			 MM_ERR_INVALID);
	assert_int_equal(xlate(state, VA_A), ~(mm_paddr_t)0);
	assert_int_equal(free_frames(state), before);
	assert_int_equal(mm_map(vm, VA_A, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_protect(vm, VA_A + 1u, MM_PROT_WRITE),
			 MM_ERR_INVALID);
	assert_int_equal(mm_unmap(vm, VA_A + 1u, NULL, NULL), MM_ERR_INVALID);
	assert_int_equal(mm_unmap_range(vm, VA_A + 1u, KiB4), MM_ERR_INVALID);
	assert_int_equal(mm_translate(vm, VA_A + 1u, NULL, NULL, &prot), MM_OK);
	assert_int_equal(prot & MM_PROT_WRITE, 0);
	assert_int_equal(mm_unmap(vm, VA_A, NULL, NULL), MM_OK);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unmap_range_length_wraps), T(test_range_at_window_end),
		T(test_range_at_window_start),	  T(test_map_at_phys_limit),
		T(test_protect_misaligned),	  T(test_va_one_byte_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
