/*
 * mm_unmap and mm_protect on the simulated machine in strict TLB mode:
 * what unmap returns and that the page then faults, every error, table
 * frames given back and their window addresses invalidated, invalidation
 * counts per page size, a huge page replaced by a zeroed table, global
 * pages; protect of 4 KiB and huge pages, to user mode, and its errors.
 */
#include "paging_fixture.h"

/* mm_unmap */

/* Unmap returns what was mapped; the page then faults. */
static void test_unmap_sizes(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pa = 0;
	uint64_t size = 0;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_B, PA_FAR, GiB1, 0), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_READ), MM_OK);
	assert_int_equal(mm_unmap(fx->vm, VA_A, &pa, &size), MM_OK);
	assert_int_equal(pa, PA_FAR);
	assert_int_equal(size, MiB2);
	assert_int_equal(mm_unmap(fx->vm, VA_B, NULL, &size), MM_OK);
	assert_int_equal(size, GiB1);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_READ), MM_ERR_NOT_MAPPED);
	assert_int_equal(fx_acc(fx, VA_B, MM_SIM_READ), MM_ERR_NOT_MAPPED);
}

/* Unmap errors: not mapped, inside a huge page, misaligned, window. */
static void test_unmap_errors(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_unmap(NULL, VA_A, NULL, NULL), MM_ERR_INVALID);
	assert_int_equal(mm_unmap(fx->vm, VA_B, NULL, NULL), MM_ERR_NOT_MAPPED);
	assert_int_equal(mm_unmap(fx->vm, VA_A + KiB4, NULL, NULL),
			 MM_ERR_INVALID);
	assert_int_equal(mm_unmap(fx->vm, VA_A + 8, NULL, NULL),
			 MM_ERR_INVALID);
	assert_int_equal(mm_unmap(fx->vm, 0x0000800000000000ull, NULL, NULL),
			 MM_ERR_INVALID);
	assert_int_equal(mm_unmap(fx->vm, MM_RECURSIVE_PML4, NULL, NULL),
			 MM_ERR_OUT_OF_RANGE);
	expect_xlate(fx, VA_A, PA_FAR, MiB2);
}

/* Mapping and unmapping everything gives every table frame back. */
static void test_unmap_frees_tables(void **state)
{
	struct fx *fx = *state;
	uint64_t before = fx_free_frames(fx);

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(fx_free_frames(fx), before - 3);
	assert_int_equal(mm_map(fx->vm, VA_A + KiB4, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A + GiB1, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(fx_free_frames(fx), before - 4);
	assert_int_equal(mm_unmap(fx->vm, VA_A, NULL, NULL), MM_OK);
	assert_int_equal(fx_free_frames(fx), before - 4);
	assert_int_equal(mm_unmap(fx->vm, VA_A + KiB4, NULL, NULL), MM_OK);
	assert_int_equal(fx_free_frames(fx), before - 2);
	assert_int_equal(mm_unmap(fx->vm, VA_A + GiB1, NULL, NULL), MM_OK);
	assert_int_equal(fx_free_frames(fx), before);
	assert_int_equal(entry(fx, 3, VA_A), 0);
}

/* Freeing tables invalidates their window addresses: one invlpg each. */
static void test_unmap_invalidates_freed_tables(void **state)
{
	struct fx *fx = *state;
	unsigned level;
	uint64_t before;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, KiB4, 0), MM_OK);
	for (level = 0; level < MM_PT_TOP; level++) {
		assert_int_equal(
			fx_acc(fx, MM_PT_TABLE_VA(level, VA_A), MM_SIM_READ),
			MM_OK);
		assert_true(
			mm_sim_tlb_has(fx->sim, MM_PT_TABLE_VA(level, VA_A)));
	}
	before = stats(fx).invlpg;
	assert_int_equal(mm_unmap(fx->vm, VA_A, NULL, NULL), MM_OK);
	assert_int_equal(stats(fx).invlpg - before, 1 + 3);
	for (level = 0; level < MM_PT_TOP; level++)
		assert_false(
			mm_sim_tlb_has(fx->sim, MM_PT_TABLE_VA(level, VA_A)));
	assert_false(mm_sim_tlb_has(fx->sim, VA_A));
}

/* Unmap of one page among others: exactly one invlpg per size. */
static void test_unmap_invlpg_counts(void **state)
{
	struct fx *fx = *state;
	uint64_t before;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A + KiB4, PA_FAR, KiB4, 0), MM_OK);
	before = stats(fx).invlpg;
	assert_int_equal(mm_unmap(fx->vm, VA_A, NULL, NULL), MM_OK);
	assert_int_equal(stats(fx).invlpg - before, 1);
	/* A huge page is also a leaf of the window: one invlpg per alias. */
	assert_int_equal(mm_map(fx->vm, VA_A + MiB2, PA_FAR, MiB2, 0), MM_OK);
	before = stats(fx).invlpg;
	assert_int_equal(mm_unmap(fx->vm, VA_A + MiB2, NULL, NULL), MM_OK);
	assert_int_equal(stats(fx).invlpg - before, 2);
	assert_int_equal(mm_map(fx->vm, VA_A + GiB1, PA_FAR, GiB1, 0), MM_OK);
	before = stats(fx).invlpg;
	assert_int_equal(mm_unmap(fx->vm, VA_A + GiB1, NULL, NULL), MM_OK);
	assert_int_equal(stats(fx).invlpg - before, 3);
	assert_int_equal(stats(fx).full_flush, 0);
}

/* After a 2 MiB page goes, a new table at its place is really zeroed. */
static void test_unmap_huge_then_small(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t big = data_2m(fx);

	mm_sim_phys_write64(fx->sim, big, 0x5555);
	mm_sim_phys_write64(fx->sim, big + 8, 0);
	assert_int_equal(mm_map(fx->vm, VA_A, big, MiB2, 0), MM_OK);
	/* Cache the window alias of the huge page, as a CPU may. */
	assert_int_equal(fx_acc(fx, MM_PT_TABLE_VA(0, VA_A), MM_SIM_READ),
			 MM_OK);
	assert_int_equal(mm_unmap(fx->vm, VA_A, NULL, NULL), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A + KiB4, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_sim_phys_read64(fx->sim, big), 0x5555);
	assert_int_equal(mm_sim_phys_read64(fx->sim, big + 8), 0);
	expect_xlate(fx, VA_A + KiB4, PA_FAR, KiB4);
	assert_int_equal(mm_translate(fx->vm, VA_A, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
}

/* A global page is still invalidated by unmap (invlpg drops globals). */
static void test_unmap_global(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_HIGH, PA_FAR, KiB4, MM_PROT_GLOBAL),
			 MM_OK);
	assert_int_equal(fx_acc(fx, VA_HIGH, MM_SIM_READ), MM_OK);
	mm_sim_flush_all(fx->sim);
	assert_true(mm_sim_tlb_has(fx->sim, VA_HIGH));
	assert_int_equal(mm_unmap(fx->vm, VA_HIGH, NULL, NULL), MM_OK);
	assert_false(mm_sim_tlb_has(fx->sim, VA_HIGH));
	assert_int_equal(fx_acc(fx, VA_HIGH, MM_SIM_READ), MM_ERR_NOT_MAPPED);
}

/* mm_protect */

/* Read-only, then writable again; one invlpg per change, none if equal. */
static void test_protect_4k(void **state)
{
	struct fx *fx = *state;
	uint64_t before;

	assert_int_equal(mm_map(fx->vm, VA_A, data_4k(fx), KiB4, RW), MM_OK);
	fx_wr(fx, VA_A, 1);
	/* The simulated MMU recorded the write: A and D, kept by protect. */
	assert_int_equal(entry(fx, 0, VA_A) & AD, AD);
	before = stats(fx).invlpg;
	assert_int_equal(mm_protect(fx->vm, VA_A, 0), MM_OK);
	assert_int_equal(entry(fx, 0, VA_A) & AD, AD);
	assert_int_equal(stats(fx).invlpg - before, 1);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_WRITE), MM_ERR_INVALID);
	assert_int_equal(fx_rd(fx, VA_A), 1);
	assert_int_equal(mm_protect(fx->vm, VA_A, 0), MM_OK);
	assert_int_equal(stats(fx).invlpg - before, 1);
	assert_int_equal(mm_protect(fx->vm, VA_A, RW), MM_OK);
	fx_wr(fx, VA_A, 2);
	assert_int_equal(mm_protect(fx->vm, VA_A, RX), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_EXEC), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_WRITE), MM_ERR_INVALID);
}

/* Protect to USER opens the page (and its tables) to user mode. */
static void test_protect_user(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_A, data_4k(fx), KiB4, 0), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER),
			 MM_ERR_INVALID);
	assert_int_equal(mm_protect(fx->vm, VA_A, MM_PROT_USER), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER), MM_OK);
	assert_int_equal(mm_protect(fx->vm, VA_A, 0), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER),
			 MM_ERR_INVALID);
}

/* Huge pages keep their address and size under protect. */
static void test_protect_huge(void **state)
{
	struct fx *fx = *state;
	uint64_t before;

	assert_int_equal(mm_map(fx->vm, VA_A, data_2m(fx), MiB2, RW), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_B, PA_FAR, GiB1, RW), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_WRITE), MM_OK);
	before = stats(fx).invlpg;
	assert_int_equal(mm_protect(fx->vm, VA_A, 0), MM_OK);
	assert_int_equal(stats(fx).invlpg - before, 2);
	assert_int_equal(mm_protect(fx->vm, VA_B, RX), MM_OK);
	assert_int_equal(stats(fx).invlpg - before, 2 + 3);
	assert_int_equal(fx_acc(fx, VA_A + 0x1000, MM_SIM_WRITE),
			 MM_ERR_INVALID);
	assert_int_equal(fx_acc(fx, VA_B + MiB2, MM_SIM_EXEC), MM_OK);
	assert_int_equal(fx_acc(fx, VA_B, MM_SIM_WRITE), MM_ERR_INVALID);
	expect_xlate(fx, VA_B + 0x1234, PA_FAR + 0x1234, GiB1);
}

/* Protect errors leave the page as it was. */
static void test_protect_errors(void **state)
{
	struct fx *fx = *state;
	unsigned prot = 0;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, MiB2, RW), MM_OK);
	assert_int_equal(mm_protect(NULL, VA_A, 0), MM_ERR_INVALID);
	assert_int_equal(mm_protect(fx->vm, VA_A, RW | RX), MM_ERR_INVALID);
	assert_int_equal(mm_protect(fx->vm, VA_A, 1u << 9), MM_ERR_INVALID);
	assert_int_equal(mm_protect(fx->vm, VA_A + KiB4, 0), MM_ERR_INVALID);
	assert_int_equal(mm_protect(fx->vm, VA_A + 1, 0), MM_ERR_INVALID);
	assert_int_equal(mm_protect(fx->vm, VA_B, 0), MM_ERR_NOT_MAPPED);
	assert_int_equal(mm_protect(fx->vm, MM_WINDOW_START, 0),
			 MM_ERR_OUT_OF_RANGE);
	assert_int_equal(mm_translate(fx->vm, VA_A, NULL, NULL, &prot), MM_OK);
	assert_int_equal(prot, RW);
}

#define T(f)	   cmocka_unit_test_setup_teardown(f, setup, teardown)
#define T_NO_NX(f) cmocka_unit_test_setup_teardown(f, setup_no_nx, teardown)
#define T_NO_1G(f) cmocka_unit_test_setup_teardown(f, setup_no_1g, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unmap_sizes),
		T(test_unmap_errors),
		T(test_unmap_frees_tables),
		T(test_unmap_invalidates_freed_tables),
		T(test_unmap_invlpg_counts),
		T(test_unmap_huge_then_small),
		T(test_unmap_global),
		T(test_protect_4k),
		T(test_protect_user),
		T(test_protect_huge),
		T(test_protect_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
