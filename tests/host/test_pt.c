/*
 * Table fill counts (libmm/pt.c, through the public API): every entry that
 * points to a table holds the number of present entries of that table, the
 * recursive entry holds the PML4's; mm_vm_init() recounts tables built
 * behind libmm's back; mm_vm_check() finds a wrong count; the assertions at
 * count changes trip on a corrupted count. On the simulated machine in
 * strict TLB mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assert_catch.h"
#include "mm/paging.h"
#include "mm/pte.h"
#include "mm_sim.h"

#define RAM  (64u << 20)
#define KiB4 MM_PAGE_4K
#define MiB2 MM_PAGE_2M
#define GiB1 MM_PAGE_1G
#define VA_A 0x0000100000000000ull /* PML4 32, nothing mapped */
#define PA_A 0x0000000100000000ull /* 4 GiB: beyond the RAM */

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
	mm_sim_destroy(*state);
	return 0;
}

static struct mm_vm *vm_of(void **state)
{
	return mm_sim_vm(*state);
}

/* The entry of `level` that maps va, read through the window. */
static mm_pte_t entry(void **state, unsigned level, mm_vaddr_t va)
{
	return mm_port_pte_read(*state, MM_PTE_VA(level, va));
}

/* The fill count of the table of `level` that maps va. */
static unsigned count_of(void **state, unsigned level, mm_vaddr_t va)
{
	if (level == MM_PT_TOP)
		return MM_PTE_COUNT(entry(state, MM_PT_TOP, MM_WINDOW_START));
	return MM_PTE_COUNT(entry(state, level + 1u, va));
}

static uint64_t free_frames(void **state)
{
	struct mm_frame_stats st;

	mm_frame_stats(mm_sim_frames(*state), &st);
	return st.free_frames;
}

/* Overwrite the count bits of the entry of `level` that maps va. */
static void set_count(void **state, unsigned level, mm_vaddr_t va, unsigned n)
{
	mm_vaddr_t at = MM_PTE_VA(level, va);

	mm_port_pte_write(*state, at,
			  MM_PTE_WITH_COUNT(mm_port_pte_read(*state, at), n));
}

/* A fresh machine: the PML4 holds the recursive entry only. */
static void test_count_fresh_machine(void **state)
{
	assert_int_equal(count_of(state, MM_PT_TOP, 0), 1);
	assert_int_equal(mm_vm_check(vm_of(state)), MM_OK);
}

/* Mapping and unmapping 4 KiB pages moves the count of every level. */
static void test_count_map_unmap_4k(void **state)
{
	struct mm_vm *vm = vm_of(state);
	unsigned level;

	assert_int_equal(mm_map(vm, VA_A, PA_A, KiB4, 0), MM_OK);
	for (level = 0; level < MM_PT_TOP; level++)
		assert_int_equal(count_of(state, level, VA_A), 1);
	assert_int_equal(count_of(state, MM_PT_TOP, VA_A), 2);
	assert_int_equal(mm_map(vm, VA_A + KiB4, PA_A, KiB4, 0), MM_OK);
	assert_int_equal(count_of(state, 0, VA_A), 2);
	assert_int_equal(count_of(state, 1, VA_A), 1);
	assert_int_equal(mm_vm_check(vm), MM_OK);
	assert_int_equal(mm_unmap(vm, VA_A, NULL, NULL), MM_OK);
	assert_int_equal(count_of(state, 0, VA_A), 1);
	assert_int_equal(mm_vm_check(vm), MM_OK);
	assert_int_equal(mm_unmap(vm, VA_A + KiB4, NULL, NULL), MM_OK);
	assert_int_equal(count_of(state, MM_PT_TOP, VA_A), 1);
	assert_int_equal(mm_vm_check(vm), MM_OK);
}

/* A 2 MiB and a 1 GiB page count once in the PD and the PDPT. */
static void test_count_huge(void **state)
{
	struct mm_vm *vm = vm_of(state);

	assert_int_equal(mm_map(vm, VA_A, PA_A, MiB2, 0), MM_OK);
	assert_int_equal(mm_map(vm, VA_A + GiB1, PA_A, GiB1, 0), MM_OK);
	assert_int_equal(count_of(state, 1, VA_A), 1);
	assert_int_equal(count_of(state, 2, VA_A), 2);
	assert_int_equal(count_of(state, 3, VA_A), 2);
	assert_int_equal(mm_vm_check(vm), MM_OK);
	assert_int_equal(mm_unmap(vm, VA_A, NULL, NULL), MM_OK);
	assert_int_equal(count_of(state, 2, VA_A), 1);
	assert_int_equal(mm_unmap(vm, VA_A + GiB1, NULL, NULL), MM_OK);
	assert_int_equal(count_of(state, MM_PT_TOP, VA_A), 1);
}

/*
 * A full table counts 512 (the top count bit, 61, set in a PD entry): the
 * MMU ignores it, and unmapping one page takes it to 511.
 */
static void test_count_full_table(void **state)
{
	struct mm_vm *vm = vm_of(state);
	mm_paddr_t pa = 0;
	uint64_t before = free_frames(state);

	/* pa 4 KiB-aligned only: 512 pages of 4 KiB in one table. */
	assert_int_equal(mm_map_range(vm, VA_A, PA_A + KiB4, MiB2, 0), MM_OK);
	assert_int_equal(count_of(state, 0, VA_A), MM_PT_ENTRIES);
	assert_true(entry(state, 1, VA_A) & ((mm_pte_t)1 << 61));
	assert_int_equal(
		mm_sim_access(*state, VA_A + MiB2 - 1u, MM_SIM_READ, &pa),
		MM_OK);
	assert_int_equal(pa, PA_A + KiB4 + MiB2 - 1u);
	assert_int_equal(mm_vm_check(vm), MM_OK);
	assert_int_equal(mm_unmap(vm, VA_A + KiB4, NULL, NULL), MM_OK);
	assert_int_equal(count_of(state, 0, VA_A), MM_PT_ENTRIES - 1u);
	assert_int_equal(mm_unmap_range(vm, VA_A, MiB2), MM_OK);
	assert_int_equal(free_frames(state), before);
	assert_int_equal(mm_vm_check(vm), MM_OK);
}

/* A wrong count anywhere, the recursive entry's included, fails the check. */
static void test_check_finds_wrong_count(void **state)
{
	struct mm_vm *vm = vm_of(state);
	unsigned level;

	assert_int_equal(mm_vm_check(NULL), MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A, PA_A, KiB4, 0), MM_OK);
	for (level = 0; level < MM_PT_TOP; level++) {
		set_count(state, level + 1u, VA_A, 2);
		assert_int_equal(mm_vm_check(vm), MM_ERR_INVALID);
		set_count(state, level + 1u, VA_A, 1);
		assert_int_equal(mm_vm_check(vm), MM_OK);
	}
	set_count(state, MM_PT_TOP, MM_WINDOW_START, 1);
	assert_int_equal(mm_vm_check(vm), MM_ERR_INVALID);
	set_count(state, MM_PT_TOP, MM_WINDOW_START, 2);
	assert_int_equal(mm_vm_check(vm), MM_OK);
}

/*
 * Index 510 is the recursive slot only in the PML4: below it, entry 510 of
 * a PDPT, PD or PT is a plain entry whose table's count is checked and
 * recounted like any other.
 */
static void test_count_at_index_510_below_pml4(void **state)
{
	struct mm_vm *vm = vm_of(state);
	mm_vaddr_t va = VA_A | MM_PT_FIELD(2, MM_RECURSIVE_INDEX) |
			MM_PT_FIELD(1, MM_RECURSIVE_INDEX) |
			MM_PT_FIELD(0, MM_RECURSIVE_INDEX);
	unsigned level;

	assert_int_equal(mm_map(vm, va, PA_A, KiB4, 0), MM_OK);
	for (level = 0; level < MM_PT_TOP; level++) {
		set_count(state, level + 1u, va, 2);
		assert_int_equal(mm_vm_check(vm), MM_ERR_INVALID);
		assert_int_equal(mm_vm_init(vm, mm_sim_frames(*state), *state),
				 MM_OK);
		assert_int_equal(count_of(state, level, va), 1);
		assert_int_equal(mm_vm_check(vm), MM_OK);
	}
	assert_int_equal(mm_unmap(vm, va, NULL, NULL), MM_OK);
}

/*
 * Tables written behind libmm's back (as the kernel's boot tables are) get
 * their counts from mm_vm_init(); libmm then frees them when they empty.
 */
static void test_vm_init_recounts(void **state)
{
	struct mm_vm *vm = vm_of(state);
	uint64_t before = free_frames(state);
	unsigned level;

	assert_int_equal(mm_map(vm, VA_A, PA_A, KiB4, 0), MM_OK);
	assert_int_equal(mm_map(vm, VA_A + MiB2, PA_A, KiB4, 0), MM_OK);
	for (level = 1; level <= MM_PT_TOP; level++)
		set_count(state, level, VA_A, 0);
	set_count(state, MM_PT_TOP, MM_WINDOW_START, 0);
	assert_int_equal(mm_vm_check(vm), MM_ERR_INVALID);
	assert_int_equal(mm_vm_init(vm, mm_sim_frames(*state), *state), MM_OK);
	assert_int_equal(mm_vm_check(vm), MM_OK);
	assert_int_equal(count_of(state, 1, VA_A), 2);
	assert_int_equal(count_of(state, MM_PT_TOP, VA_A), 2);
	assert_int_equal(mm_unmap(vm, VA_A, NULL, NULL), MM_OK);
	assert_int_equal(mm_unmap(vm, VA_A + MiB2, NULL, NULL), MM_OK);
	assert_int_equal(free_frames(state), before);
}

/* A count corrupted to 0 under a present entry trips the underflow check. */
static void test_assert_count_underflow(void **state)
{
	struct mm_vm *vm = vm_of(state);

	assert_int_equal(mm_map(vm, VA_A, PA_A, KiB4, 0), MM_OK);
	set_count(state, 1, VA_A, 0);
	mm_sim_set_strict(*state, false); /* the assertion, not the TLB */
	EXPECT_ASSERT(mm_unmap(vm, VA_A, NULL, NULL), "n > 0");
}

/* A count corrupted to 512 trips the overflow check on the next map. */
static void test_assert_count_overflow(void **state)
{
	struct mm_vm *vm = vm_of(state);

	assert_int_equal(mm_map(vm, VA_A, PA_A, KiB4, 0), MM_OK);
	set_count(state, 1, VA_A, MM_PT_ENTRIES);
	mm_sim_set_strict(*state, false); /* the assertion, not the TLB */
	EXPECT_ASSERT(mm_map(vm, VA_A + KiB4, PA_A, KiB4, 0),
		      "n < MM_PT_ENTRIES");
}

/* A non-present but non-zero entry is not linked over. */
static void test_assert_link_over_garbage(void **state)
{
	struct mm_vm *vm = vm_of(state);

	assert_int_equal(mm_map(vm, VA_A, PA_A, KiB4, 0), MM_OK);
	mm_port_pte_write(*state, MM_PTE_VA(1, VA_A + MiB2), MM_PTE_WRITE);
	mm_sim_set_strict(*state, false); /* the assertion, not the TLB */
	EXPECT_ASSERT(mm_map(vm, VA_A + MiB2, PA_A, KiB4, 0), "== 0");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_count_fresh_machine),
		T(test_count_map_unmap_4k),
		T(test_count_huge),
		T(test_count_full_table),
		T(test_check_finds_wrong_count),
		T(test_count_at_index_510_below_pml4),
		T(test_vm_init_recounts),
		T(test_assert_count_underflow),
		T(test_assert_count_overflow),
		T(test_assert_link_over_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
