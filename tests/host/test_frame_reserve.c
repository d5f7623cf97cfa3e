/*
 * Tests of the frame allocator's reservations and statistics: mm_frame_reserve
 * (bad ranges, partial frames, an allocated frame, merging, a full range
 * table) and the free-run figures of mm_frame_stats across word edges.
 */
#include "frame_fixture.h"

/* Free frames recounted one by one from the bitmap. */
static uint64_t recount_free(void)
{
	uint64_t n = 0;

	for (uint64_t f = 0; f < fa->total_frames; f++)
		n += mm_frame_is_free(fa, f);
	return n;
}

/* Reserved frames recounted from the reserved ranges, each all reserved. */
static uint64_t recount_reserved(void)
{
	uint64_t n = 0;

	for (size_t i = 0; i < fa->nresv; i++) {
		for (uint64_t f = fa->resv[i].start; f < fa->resv[i].end; f++)
			assert_true(mm_frame_is_reserved(fa, f));
		n += fa->resv[i].end - fa->resv[i].start;
	}
	return n;
}

/* ---- reserve ----------------------------------------------------------- */

/* length 0 or a wrapping range: INVALID; beyond the end: OK, no change. */
static void test_reserve_invalid_and_outside(void **state)
{
	(void)state;
	std_map();
	snap_take();
	expect_op(mm_frame_reserve_bytes(fa, 0x3000, 0), MM_ERR_INVALID);
	expect_op(mm_frame_reserve_bytes(fa, UINT64_MAX, 2), MM_ERR_INVALID);
	expect_op(mm_frame_reserve_bytes(fa, 8192 * FRAME, GiB(1)), MM_OK);
	expect_op(mm_frame_reserve_bytes(fa, 0, 1), MM_OK); /* reserved */
	expect_op(mm_frame_reserve_bytes(fa, 0x100000, 0x100000), MM_OK);
	snap_same();
	expect_op(mm_frame_reserve_bytes(fa, UINT64_MAX, 1), MM_OK);
	expect_op(mm_frame_reserve_bytes(fa, 0, UINT64_MAX), MM_OK);
	assert_int_equal(stats().free_frames, 0);
	assert_int_equal(stats().reserved_frames, 8192);
	check_ok();
}

/* Partial frames count whole; reserved frames can't be claimed or freed. */
static void test_reserve_partial_frames(void **state)
{
	uint64_t pfn;

	(void)state;
	std_map();
	expect_op(mm_frame_reserve_bytes(fa, 0x1FFF, 2), MM_OK); /* 1, 2 */
	check_ok();
	assert_true(mm_frame_is_reserved(fa, 1));
	assert_true(mm_frame_is_reserved(fa, 2));
	assert_true(mm_frame_is_free(fa, 3));
	assert_int_equal(stats().free_frames, STD_FREE - 2);
	assert_int_equal(stats().reserved_frames, 8192 - STD_FREE + 2);
	expect_op(mm_frame_alloc(fa, &pfn), MM_OK);
	assert_int_equal(pfn, 3);
	expect_op(mm_frame_alloc_at(fa, 2), MM_ERR_RESERVED);
	expect_op(mm_frame_free(fa, 1), MM_ERR_RESERVED);
	/* the reserved range now touches frame 0: one merged range */
	expect_op(mm_frame_free_contig(fa, 0, 4), MM_ERR_RESERVED);
	check_ok();
}

/* Reserving over an allocated frame is IN_USE and changes nothing. */
static void test_reserve_in_use(void **state)
{
	(void)state;
	std_map();
	expect_op(mm_frame_alloc_at(fa, 4000), MM_OK);
	snap_take();
	expect_op(mm_frame_reserve_bytes(fa, 3000 * FRAME, 2000 * FRAME),
		  MM_ERR_IN_USE);
	expect_op(mm_frame_reserve_bytes(fa, 4000 * FRAME + 4095, 1),
		  MM_ERR_IN_USE);
	expect_op(mm_frame_reserve_bytes(fa, 0, 8192 * FRAME), MM_ERR_IN_USE);
	snap_same();
	expect_op(mm_frame_reserve_bytes(fa, 3000 * FRAME, 1000 * FRAME),
		  MM_OK);
	expect_op(mm_frame_reserve_bytes(fa, 4001 * FRAME, 1000 * FRAME),
		  MM_OK);
	expect_op(mm_frame_free(fa, 4000), MM_OK);
	expect_op(mm_frame_reserve_bytes(fa, 4000 * FRAME, FRAME), MM_OK);
	assert_true(mm_frame_is_reserved(fa, 4000));
	check_ok();
}

/* Adjacent and overlapping reservations merge into one range. */
static void test_reserve_merges(void **state)
{
	(void)state;
	std_map();
	expect_op(mm_frame_reserve_bytes(fa, 2000 * FRAME, 10 * FRAME), MM_OK);
	expect_op(mm_frame_reserve_bytes(fa, 2020 * FRAME, 10 * FRAME), MM_OK);
	assert_int_equal(fa->nresv, 5);
	expect_op(mm_frame_reserve_bytes(fa, 2010 * FRAME, 10 * FRAME), MM_OK);
	assert_int_equal(fa->nresv, 4);
	expect_op(mm_frame_reserve_bytes(fa, 1990 * FRAME, 60 * FRAME), MM_OK);
	assert_int_equal(fa->nresv, 4);
	expect_op(mm_frame_reserve_bytes(fa, 1025 * FRAME, 975 * FRAME), MM_OK);
	assert_int_equal(fa->nresv, 3); /* joined the kernel frame's range */
	assert_int_equal(stats().reserved_frames, 8192 - STD_FREE + 1025);
	check_ok();
}

/* The reserved-range table full: NOMEM, nothing changes; merges still OK. */
static void test_reserve_table_full(void **state)
{
	uint64_t f = 2000;

	(void)state;
	std_map();
	while (fa->nresv < MM_FRAME_MAX_RESERVED) {
		expect_op(mm_frame_reserve_bytes(fa, f * FRAME, FRAME), MM_OK);
		f += 2;
	}
	check_ok();
	snap_take();
	expect_op(mm_frame_reserve_bytes(fa, (f + 1) * FRAME, FRAME),
		  MM_ERR_NOMEM);
	expect_op(mm_frame_reserve_bytes(fa, 8000 * FRAME, FRAME),
		  MM_ERR_NOMEM);
	snap_same();
	/* touching an existing range needs no new entry */
	expect_op(mm_frame_reserve_bytes(fa, (f - 1) * FRAME, FRAME), MM_OK);
	/* bridging two ranges frees an entry */
	expect_op(mm_frame_reserve_bytes(fa, 2001 * FRAME, FRAME), MM_OK);
	assert_int_equal(fa->nresv, MM_FRAME_MAX_RESERVED - 1);
	expect_op(mm_frame_reserve_bytes(fa, 8000 * FRAME, FRAME), MM_OK);
	check_ok();
}

/* ---- stats -------------------------------------------------------------- */

/* Run figures: 2 MiB and 1 GiB pages and the longest free run. */
static void test_stats_runs(void **state)
{
	struct mm_frame_stats st;

	(void)state;
	std_map();
	st = stats();
	assert_int_equal(st.free_2m_runs, 14);
	assert_int_equal(st.free_1g_runs, 0);
	assert_int_equal(st.largest_free_run, 8192 - 1025);
	expect_op(mm_frame_alloc_at(fa, 5000), MM_OK);
	st = stats();
	assert_int_equal(st.free_2m_runs, 13);
	assert_int_equal(st.largest_free_run, 5000 - 1025);
	assert_int_equal(st.allocated_frames, 1);
	assert_int_equal(st.free_frames, recount_free());
	assert_int_equal(st.reserved_frames, recount_reserved());
	expect_op(mm_frame_alloc_contig(fa, 5000 - 1025, 1, MM_FRAME_NO_LIMIT,
					&(uint64_t){0}),
		  MM_OK);
	assert_int_equal(stats().largest_free_run, 8192 - 5001);
}

/* Free runs crossing word edges and inside one word are measured right. */
static void test_stats_largest_run_in_words(void **state)
{
	(void)state;
	add(0, 256 * FRAME, MM_REGION_USABLE);
	init_ok();
	for (uint64_t f = 0; f < 256; f++) {
		if (f != 10 && f != 30 && !(f >= 60 && f < 130))
			expect_op(mm_frame_alloc_at(fa, f), MM_OK);
	}
	assert_int_equal(stats().largest_free_run, 70);
	expect_op(mm_frame_alloc_at(fa, 100), MM_OK);
	assert_int_equal(stats().largest_free_run, 40);
	expect_op(mm_frame_alloc_contig(fa, 40, 1, MM_FRAME_NO_LIMIT,
					&(uint64_t){0}),
		  MM_OK);
	assert_int_equal(stats().largest_free_run, 29);
	check_ok();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_reserve_invalid_and_outside),
		T(test_reserve_partial_frames),
		T(test_reserve_in_use),
		T(test_reserve_merges),
		T(test_reserve_table_full),
		T(test_stats_runs),
		T(test_stats_largest_run_in_words),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
