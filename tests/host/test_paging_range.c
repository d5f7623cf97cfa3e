/*
 * mm_map_range and mm_unmap_range on the simulated machine in strict TLB
 * mode: the largest page sizes that fit, misaligned physical addresses, no
 * flush into an empty region, holes, huge pages straddling either end, and
 * every argument error; then fault injection on every table allocation of
 * a map and a user range, and the frame accounting of a mixed workload.
 */
#include "paging_fixture.h"

/*
 * Snapshot of the whole simulated RAM, to prove a failure changed nothing
 * but the accessed / dirty bits the simulated MMU sets on its own.
 */
static uint8_t *snapshot(const struct fx *fx)
{
	uint8_t *copy = malloc(mm_sim_ram_bytes(fx->sim));

	assert_non_null(copy);
	memcpy(copy, mm_sim_ram(fx->sim), mm_sim_ram_bytes(fx->sim));
	return copy;
}

static void expect_unchanged(const struct fx *fx, uint8_t *copy)
{
	const uint8_t *ram = mm_sim_ram(fx->sim);
	uint64_t i, was, now, diffs = 0;

	for (i = 0; i < mm_sim_ram_bytes(fx->sim); i += 8u) {
		memcpy(&was, copy + i, sizeof(was));
		memcpy(&now, ram + i, sizeof(now));
		diffs += ((was ^ now) & ~(uint64_t)AD) != 0;
	}
	free(copy);
	assert_int_equal(diffs, 0);
}

/* mm_map_range / mm_unmap_range */

/* The largest pages that fit: 4K up to 2M alignment, 1G, 2M, 4K tail. */
static void test_map_range_page_sizes(void **state)
{
	struct fx *fx = *state;
	mm_vaddr_t va = VA_A + GiB1 - MiB2 - 2 * KiB4;
	mm_paddr_t pa = PA_FAR + GiB1 - MiB2 - 2 * KiB4;
	uint64_t len = 2 * KiB4 + MiB2 + GiB1 + MiB2 + KiB4;

	assert_int_equal(mm_map_range(fx->vm, va, pa, len, RW), MM_OK);
	expect_xlate(fx, va, pa, KiB4);
	expect_xlate(fx, va + KiB4, pa + KiB4, KiB4);
	expect_xlate(fx, va + 2 * KiB4, pa + 2 * KiB4, MiB2);
	expect_xlate(fx, VA_A + GiB1, PA_FAR + GiB1, GiB1);
	expect_xlate(fx, VA_A + 2 * GiB1, PA_FAR + 2 * GiB1, MiB2);
	expect_xlate(fx, VA_A + 2 * GiB1 + MiB2, PA_FAR + 2 * GiB1 + MiB2,
		     KiB4);
	assert_int_equal(mm_translate(fx->vm, va + len, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
	assert_int_equal(mm_unmap_range(fx->vm, va, len), MM_OK);
	assert_int_equal(mm_translate(fx->vm, VA_A + GiB1, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
}

/* Misaligned pa forces 4 KiB pages even over an aligned va. */
static void test_map_range_pa_alignment(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map_range(fx->vm, VA_A, PA_FAR + KiB4, MiB2, 0),
			 MM_OK);
	expect_xlate(fx, VA_A + MiB2 - KiB4, PA_FAR + MiB2, KiB4);
}

/* 512 pages into an empty region: no full flush and no invlpg at all. */
static void test_map_range_no_flush(void **state)
{
	struct fx *fx = *state;
	unsigned i;

	for (i = 0; i < 512; i++)
		assert_int_equal(mm_map(fx->vm, VA_A + i * KiB4,
					PA_FAR + i * KiB4, KiB4, RW),
				 MM_OK);
	assert_int_equal(mm_map_range(fx->vm, VA_B + KiB4, PA_FAR, MiB2, 0),
			 MM_OK);
	assert_int_equal(stats(fx).invlpg, 0);
	assert_int_equal(stats(fx).full_flush, 0);
	expect_xlate(fx, VA_A + 511 * KiB4, PA_FAR + 511 * KiB4, KiB4);
}

/* Range errors: nothing is mapped when any page is taken or args are bad. */
static void test_map_range_errors(void **state)
{
	struct fx *fx = *state;
	struct mm_vm *vm = fx->vm;
	uint64_t before;

	assert_int_equal(mm_map(vm, VA_A + 3 * KiB4, PA_FAR, KiB4, 0), MM_OK);
	before = fx_free_frames(fx);
	assert_int_equal(mm_map_range(vm, VA_A, 0, 8 * KiB4, 0), MM_ERR_MAPPED);
	assert_int_equal(mm_map_range(NULL, VA_A, 0, KiB4, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map_range(vm, VA_B, 0, 0, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map_range(vm, VA_B, 0, 100, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map_range(vm, VA_B + 1, 0, KiB4, 0),
			 MM_ERR_INVALID);
	assert_int_equal(mm_map_range(vm, VA_B, 1, KiB4, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map_range(vm, VA_B, 0, KiB4, RW | RX),
			 MM_ERR_INVALID);
	assert_int_equal(
		mm_map_range(vm, 0x00007FFFFFFFF000ull, 0, 2 * KiB4, 0),
		MM_ERR_INVALID);
	assert_int_equal(
		mm_map_range(vm, 0xFFFFFFFFFFFFF000ull, 0, 2 * KiB4, 0),
		MM_ERR_INVALID);
	assert_int_equal(
		mm_map_range(vm, VA_B, MM_PHYS_LIMIT - KiB4, 2 * KiB4, 0),
		MM_ERR_INVALID);
	assert_int_equal(
		mm_map_range(vm, MM_WINDOW_START - KiB4, 0, 2 * KiB4, 0),
		MM_ERR_OUT_OF_RANGE);
	assert_int_equal(fx_free_frames(fx), before);
	assert_int_equal(mm_translate(vm, VA_A, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
}

/* A range hitting a huge page is refused as a conflict. */
static void test_map_range_huge_conflict(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_A + MiB2, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_map_range(fx->vm, VA_A, 0, MiB2 + KiB4, 0),
			 MM_ERR_HUGE_CONFLICT);
	assert_int_equal(mm_translate(fx->vm, VA_A, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
}

/* Unmap range removes every page inside, skipping holes. */
static void test_unmap_range_holes(void **state)
{
	struct fx *fx = *state;
	uint64_t before = fx_free_frames(fx);

	assert_int_equal(mm_map(fx->vm, VA_A + KiB4, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A + MiB2, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A + GiB1, PA_FAR, GiB1, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_B, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A, VA_B - VA_A), MM_OK);
	assert_int_equal(mm_translate(fx->vm, VA_A + GiB1, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
	assert_int_equal(mm_translate(fx->vm, VA_A + MiB2, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
	expect_xlate(fx, VA_B, PA_FAR, KiB4);
	assert_int_equal(mm_unmap_range(fx->vm, VA_B, KiB4), MM_OK);
	assert_int_equal(fx_free_frames(fx), before);
	/* An empty range is fine too. */
	assert_int_equal(mm_unmap_range(fx->vm, VA_A, GiB1), MM_OK);
}

/* A huge page straddling either end is a conflict; nothing is unmapped. */
static void test_unmap_range_straddle(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A + MiB2, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A + KiB4, MiB2),
			 MM_ERR_HUGE_CONFLICT);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A - KiB4, 2 * KiB4),
			 MM_ERR_HUGE_CONFLICT);
	expect_xlate(fx, VA_A + MiB2, PA_FAR, KiB4);
	expect_xlate(fx, VA_A, PA_FAR, MiB2);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A, MiB2 + KiB4), MM_OK);
	assert_int_equal(mm_translate(fx->vm, VA_A + MiB2, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
}

/* Unmap range argument errors. */
static void test_unmap_range_errors(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_unmap_range(NULL, VA_A, KiB4), MM_ERR_INVALID);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A, 0), MM_ERR_INVALID);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A + 8, KiB4),
			 MM_ERR_INVALID);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A, KiB4 + 1),
			 MM_ERR_INVALID);
	assert_int_equal(
		mm_unmap_range(fx->vm, 0x00007FFFFFFFF000ull, 2 * KiB4),
		MM_ERR_INVALID);
	assert_int_equal(mm_unmap_range(fx->vm, MM_WINDOW_END - KiB4, KiB4),
			 MM_ERR_OUT_OF_RANGE);
	/* Ranges ending at the canonical hole or at the window are fine. */
	assert_int_equal(mm_unmap_range(fx->vm, 0x00007FFFFFFFF000ull, KiB4),
			 MM_OK);
	assert_int_equal(mm_unmap_range(fx->vm, MM_WINDOW_START - KiB4, KiB4),
			 MM_OK);
	/* Up to the very top of the address space is valid. */
	assert_int_equal(mm_map(fx->vm, 0xFFFFFFFFFFE00000ull, PA_FAR, MiB2, 0),
			 MM_OK);
	assert_int_equal(mm_unmap_range(fx->vm, 0xFFFFFFFFFFFFF000ull, KiB4),
			 MM_ERR_HUGE_CONFLICT);
	assert_int_equal(
		mm_unmap_range(fx->vm, 0xFFFFFFFF80000000ull, 0x80000000ull),
		MM_OK);
	assert_int_equal(
		mm_translate(fx->vm, 0xFFFFFFFFFFE00000ull, NULL, NULL, NULL),
		MM_ERR_NOT_MAPPED);
}

/*
 * Both range calls refuse [va, va + length) when it wraps past 2^64, ends
 * in or starts in the non-canonical hole, or spans both halves; nothing
 * changes.
 */
static void test_range_bounds_invalid(void **state)
{
	static const struct {
		mm_vaddr_t va;
		uint64_t length;
	} bad[] = {
		{0xFFFFFFFFFFFFF000ull, 2 * KiB4},		/* wraps */
		{0xFFFFFFFFFFE00000ull, 0xFFFFFFFFFFE00000ull}, /* wraps */
		{0x00007FFFFFFFF000ull, 2 * KiB4},		/* last byte */
		{0x00007FFFFFE00000ull, GiB1},			/* last byte */
		{0x0000800000000000ull, KiB4},			/* va */
		{0xFFFF7FFFFFFFF000ull, 2 * KiB4},		/* va */
		{0x0000000000001000ull, 0xFFFF800000000000ull}, /* halves */
	};
	struct fx *fx = *state;
	uint64_t before = fx_free_frames(fx);
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
			mm_map_range(fx->vm, bad[i].va, 0, bad[i].length, 0),
			MM_ERR_INVALID);
		assert_int_equal(
			mm_unmap_range(fx->vm, bad[i].va, bad[i].length),
			MM_ERR_INVALID);
	}
	assert_int_equal(fx_free_frames(fx), before);
	assert_int_equal(stats(fx).invlpg, 0);
}

/* Fault injection */

/*
 * Make allocation n fail for n = 0 .. tables - 1 while mapping one page
 * that needs `tables` new tables, then let it succeed.
 */
static void inject_map(struct fx *fx, mm_vaddr_t va, uint64_t size,
		       unsigned tables)
{
	unsigned n;

	for (n = 0; n < tables; n++) {
		uint64_t before = fx_free_frames(fx);
		uint8_t *copy = snapshot(fx);

		mm_sim_fail_alloc_after(fx->sim, n);
		assert_int_equal(mm_map(fx->vm, va, PA_FAR, size, RW),
				 MM_ERR_NOMEM);
		assert_int_equal(fx_free_frames(fx), before);
		expect_unchanged(fx, copy);
		assert_int_equal(mm_frame_check(mm_sim_frames(fx->sim)), MM_OK);
	}
	mm_sim_fail_alloc_after(fx->sim, tables);
	assert_int_equal(mm_map(fx->vm, va, PA_FAR, size, RW), MM_OK);
}

/* Maps needing 3, 2, 1 and 0 tables fail cleanly at every allocation. */
static void test_inject_map(void **state)
{
	struct fx *fx = *state;
	uint64_t before = fx_free_frames(fx);

	inject_map(fx, VA_A, KiB4, 3);
	inject_map(fx, VA_A + GiB1, KiB4, 2);
	inject_map(fx, VA_A + MiB2, KiB4, 1);
	inject_map(fx, VA_A + KiB4, KiB4, 0);
	inject_map(fx, VA_B, MiB2, 2);
	inject_map(fx, VA_HIGH, GiB1, 1);
	assert_int_equal(fx_free_frames(fx), before - 6 - 1 - 2);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A, VA_B - VA_A + MiB2),
			 MM_OK);
	assert_int_equal(mm_unmap(fx->vm, VA_HIGH, NULL, NULL), MM_OK);
	assert_int_equal(fx_free_frames(fx), before);
}

/* A user range that fails halfway takes back pages, tables and U bits. */
static void test_inject_map_range(void **state)
{
	struct fx *fx = *state;
	/* Four 4K pages across a 1 GiB line: PT, then PD + PT, are needed. */
	mm_vaddr_t va = VA_A + GiB1 - 2 * KiB4;
	mm_paddr_t pa = PA_FAR + KiB4;
	unsigned n, need = 3;
	uint64_t before;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, KiB4, 0), MM_OK);
	before = fx_free_frames(fx);
	for (n = 0; n < need; n++) {
		uint8_t *copy = snapshot(fx);

		mm_sim_fail_alloc_after(fx->sim, n);
		assert_int_equal(
			mm_map_range(fx->vm, va, pa, 4 * KiB4, MM_PROT_USER),
			MM_ERR_NOMEM);
		assert_int_equal(fx_free_frames(fx), before);
		expect_unchanged(fx, copy);
	}
	mm_sim_fail_alloc_after(fx->sim, need);
	assert_int_equal(mm_map_range(fx->vm, va, pa, 4 * KiB4, MM_PROT_USER),
			 MM_OK);
	assert_int_equal(fx_free_frames(fx), before - need);
	assert_int_equal(fx_acc(fx, va, MM_SIM_READ | MM_SIM_USER), MM_OK);
	assert_int_equal(fx_acc(fx, va + 3 * KiB4, MM_SIM_READ | MM_SIM_USER),
			 MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER),
			 MM_ERR_INVALID);
}

/* Map and unmap a mixture; every table frame comes back. */
static void test_frame_accounting(void **state)
{
	struct fx *fx = *state;
	uint64_t before = fx_free_frames(fx);
	unsigned i;

	for (i = 0; i < 40; i++)
		assert_int_equal(mm_map(fx->vm, VA_A + i * 0x201000ull, PA_FAR,
					KiB4, MM_PROT_USER),
				 MM_OK);
	assert_int_equal(
		mm_map_range(fx->vm, VA_B - MiB2, 0, GiB1 + 2 * MiB2, RW),
		MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_HIGH, PA_FAR, GiB1, 0), MM_OK);
	assert_true(fx_free_frames(fx) < before);
	for (i = 0; i < 40; i++)
		assert_int_equal(
			mm_unmap(fx->vm, VA_A + i * 0x201000ull, NULL, NULL),
			MM_OK);
	assert_int_equal(mm_unmap_range(fx->vm, VA_B - MiB2, GiB1 + 2 * MiB2),
			 MM_OK);
	assert_int_equal(mm_unmap(fx->vm, VA_HIGH, NULL, NULL), MM_OK);
	assert_int_equal(fx_free_frames(fx), before);
	assert_int_equal(stats(fx).full_flush, 0);
}

#define T(f)	   cmocka_unit_test_setup_teardown(f, setup, teardown)
#define T_NO_NX(f) cmocka_unit_test_setup_teardown(f, setup_no_nx, teardown)
#define T_NO_1G(f) cmocka_unit_test_setup_teardown(f, setup_no_1g, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_map_range_page_sizes),	 T(test_map_range_pa_alignment),
		T(test_map_range_no_flush),	 T(test_map_range_errors),
		T(test_map_range_huge_conflict), T(test_unmap_range_holes),
		T(test_unmap_range_straddle),	 T(test_unmap_range_errors),
		T(test_range_bounds_invalid),	 T(test_inject_map),
		T(test_inject_map_range),	 T(test_frame_accounting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
