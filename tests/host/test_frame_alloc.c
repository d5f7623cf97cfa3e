/*
 * Tests of the frame allocator's allocation and release: single frames
 * (lowest first, exhaustion, word and summary boundaries, alloc_at), aligned
 * contiguous runs under a limit (2 MiB and 1 GiB pages, DMA), and
 * free_contig; every error code, and that each failed call changed nothing.
 */
#include "frame_fixture.h"

/* Allocate frames one by one until exhaustion; returns how many. */
static uint64_t alloc_all(void)
{
	uint64_t pfn, n = 0;

	while (mm_frame_alloc(fa, &pfn) == MM_OK)
		n++;
	check_ok();
	return n;
}

/* ---- single frames ---------------------------------------------------- */

/* Allocation takes the lowest free frame, skipping reserved ones. */
static void test_alloc_lowest_first(void **state)
{
	uint64_t pfn = 0;

	(void)state;
	std_map();
	expect_op(mm_frame_alloc(fa, &pfn), MM_OK);
	assert_int_equal(pfn, 1);
	expect_op(mm_frame_alloc_at(fa, 2), MM_OK);
	expect_op(mm_frame_alloc(fa, &pfn), MM_OK);
	assert_int_equal(pfn, 3);
	for (uint64_t i = 4; i < 256; i++)
		expect_op(mm_frame_alloc(fa, &pfn), MM_OK);
	expect_op(mm_frame_alloc(fa, &pfn), MM_OK);
	assert_int_equal(pfn, 512);
	expect_op(mm_frame_free(fa, 77), MM_OK);
	expect_op(mm_frame_alloc(fa, &pfn), MM_OK);
	assert_int_equal(pfn, 77);
	check_ok();
}

/* Exhaustion gives NOMEM and changes nothing; freeing all restores init. */
static void test_alloc_exhaust_then_free_all(void **state)
{
	struct mm_frame_stats initial, now;
	uint64_t pfn = 12345;

	(void)state;
	std_map();
	initial = stats();
	assert_int_equal(alloc_all(), STD_FREE);
	assert_int_equal(stats().free_frames, 0);
	assert_int_equal(stats().largest_free_run, 0);
	assert_int_equal(stats().free_2m_runs, 0);
	snap_take();
	expect_op(mm_frame_alloc(fa, &pfn), MM_ERR_NOMEM);
	expect_op(mm_frame_alloc_contig(fa, 1, 1, MM_FRAME_NO_LIMIT, &pfn),
		  MM_ERR_NOMEM);
	assert_int_equal(pfn, 12345);
	snap_same();
	expect_op(mm_frame_free_contig(fa, 1, 255), MM_OK);
	expect_op(mm_frame_free_contig(fa, 512, 512), MM_OK);
	check_ok();
	expect_op(mm_frame_free_contig(fa, 1025, 8192 - 1025), MM_OK);
	check_ok();
	now = stats();
	assert_memory_equal(&now, &initial, sizeof(now));
}

/* Word and summary boundaries: 63/64, 4095/4096, 262143/262144, the end. */
static void test_alloc_at_boundaries(void **state)
{
	static const uint64_t pfns[] = {0,    63,     64,     4095,
					4096, 262143, 262144, 524287};
	uint64_t pfn;

	(void)state;
	add(0, GiB(2), MM_REGION_USABLE);
	init_ok();
	assert_int_equal(stats().free_1g_runs, 2);
	for (size_t i = 0; i < sizeof(pfns) / sizeof(pfns[0]); i++) {
		expect_op(mm_frame_alloc_at(fa, pfns[i]), MM_OK);
		check_ok();
		assert_false(mm_frame_is_free(fa, pfns[i]));
	}
	assert_int_equal(stats().free_1g_runs, 0);
	assert_int_equal(stats().free_2m_runs, 1024 - 6);
	expect_op(mm_frame_alloc(fa, &pfn), MM_OK);
	assert_int_equal(pfn, 1);
	for (size_t i = 0; i < sizeof(pfns) / sizeof(pfns[0]); i++) {
		expect_op(mm_frame_free(fa, pfns[i]), MM_OK);
		check_ok();
	}
	expect_op(mm_frame_free(fa, 1), MM_OK);
	assert_int_equal(stats().free_1g_runs, 2);
	assert_int_equal(stats().free_frames, 524288);
}

/* Filling a whole 4096-frame group and a whole leaf word one by one. */
static void test_alloc_fills_groups(void **state)
{
	uint64_t pfn;

	(void)state;
	add(0, 3 * 4096 * FRAME, MM_REGION_USABLE);
	init_ok();
	for (uint64_t i = 0; i < 4096 + 64; i++) {
		expect_op(mm_frame_alloc(fa, &pfn), MM_OK);
		assert_int_equal(pfn, i);
		if (i % 61 == 0 || i == 4095 || i == 4096)
			check_ok();
	}
	check_ok();
	assert_int_equal(stats().free_2m_runs, 8 + 7);
}

/* alloc_at: OUT_OF_RANGE, RESERVED, IN_USE; each failure changes nothing. */
static void test_alloc_at_errors(void **state)
{
	(void)state;
	std_map();
	expect_op(mm_frame_alloc_at(fa, 600), MM_OK);
	snap_take();
	expect_op(mm_frame_alloc_at(fa, 8192), MM_ERR_OUT_OF_RANGE);
	expect_op(mm_frame_alloc_at(fa, UINT64_MAX), MM_ERR_OUT_OF_RANGE);
	expect_op(mm_frame_alloc_at(fa, 0), MM_ERR_RESERVED);
	expect_op(mm_frame_alloc_at(fa, 300), MM_ERR_RESERVED);
	expect_op(mm_frame_alloc_at(fa, 1024), MM_ERR_RESERVED);
	expect_op(mm_frame_alloc_at(fa, 600), MM_ERR_IN_USE);
	snap_same();
}

/* free: OUT_OF_RANGE, RESERVED, NOT_ALLOCATED (double free); no change. */
static void test_free_errors(void **state)
{
	(void)state;
	std_map();
	expect_op(mm_frame_alloc_at(fa, 700), MM_OK);
	expect_op(mm_frame_free(fa, 700), MM_OK);
	snap_take();
	expect_op(mm_frame_free(fa, 700), MM_ERR_NOT_ALLOCATED);
	expect_op(mm_frame_free(fa, 1), MM_ERR_NOT_ALLOCATED);
	expect_op(mm_frame_free(fa, 0), MM_ERR_RESERVED);
	expect_op(mm_frame_free(fa, 511), MM_ERR_RESERVED);
	expect_op(mm_frame_free(fa, 8192), MM_ERR_OUT_OF_RANGE);
	expect_op(mm_frame_free(fa, UINT64_MAX), MM_ERR_OUT_OF_RANGE);
	snap_same();
}

/* ---- contiguous runs --------------------------------------------------- */

/* count 0, align 0, align not a power of two: INVALID, nothing changes. */
static void test_contig_invalid(void **state)
{
	uint64_t pfn = 99;

	(void)state;
	std_map();
	snap_take();
	expect_op(mm_frame_alloc_contig(fa, 0, 1, MM_FRAME_NO_LIMIT, &pfn),
		  MM_ERR_INVALID);
	expect_op(mm_frame_alloc_contig(fa, 1, 0, MM_FRAME_NO_LIMIT, &pfn),
		  MM_ERR_INVALID);
	expect_op(mm_frame_alloc_contig(fa, 1, 3, MM_FRAME_NO_LIMIT, &pfn),
		  MM_ERR_INVALID);
	expect_op(mm_frame_alloc_contig(fa, 4, 96, MM_FRAME_NO_LIMIT, &pfn),
		  MM_ERR_INVALID);
	assert_int_equal(pfn, 99);
	snap_same();
}

/* No room, a limit below every run, a huge align: NOMEM, nothing changes. */
static void test_contig_nomem(void **state)
{
	uint64_t pfn = 99;

	(void)state;
	std_map();
	snap_take();
	expect_op(mm_frame_alloc_contig(fa, 7681, 1, MM_FRAME_NO_LIMIT, &pfn),
		  MM_ERR_NOMEM);
	expect_op(mm_frame_alloc_contig(fa, 2, 1, 2, &pfn), MM_ERR_NOMEM);
	expect_op(mm_frame_alloc_contig(fa, 1, 1, 0, &pfn), MM_ERR_NOMEM);
	expect_op(mm_frame_alloc_contig(fa, 1, (uint64_t)1 << 63,
					MM_FRAME_NO_LIMIT, &pfn),
		  MM_ERR_NOMEM);
	expect_op(mm_frame_alloc_contig(fa, 512, 512, 1023, &pfn),
		  MM_ERR_NOMEM);
	expect_op(mm_frame_alloc_contig(fa, UINT64_MAX, 1, MM_FRAME_NO_LIMIT,
					&pfn),
		  MM_ERR_NOMEM);
	expect_op(mm_frame_alloc_contig(fa, MM_FRAMES_1G, MM_FRAMES_1G,
					MM_FRAME_NO_LIMIT, &pfn),
		  MM_ERR_NOMEM);
	assert_int_equal(pfn, 99);
	snap_same();
}

/* Aligned runs start at a multiple of align, lowest first, skipping holes. */
static void test_contig_align_and_skip(void **state)
{
	uint64_t pfn = 0;

	(void)state;
	std_map();
	expect_op(mm_frame_alloc_contig(fa, 3, 1, MM_FRAME_NO_LIMIT, &pfn),
		  MM_OK);
	assert_int_equal(pfn, 1);
	expect_op(mm_frame_alloc_contig(fa, 5, 8, MM_FRAME_NO_LIMIT, &pfn),
		  MM_OK);
	assert_int_equal(pfn, 8);
	expect_op(mm_frame_alloc_at(fa, 20), MM_OK);
	/* [16, 36) holds the allocated frame 20: the run moves past it */
	expect_op(mm_frame_alloc_contig(fa, 20, 1, MM_FRAME_NO_LIMIT, &pfn),
		  MM_OK);
	assert_int_equal(pfn, 21);
	/* 300 frames fit neither below 256 nor before the kernel frame */
	expect_op(mm_frame_alloc_contig(fa, 300, 256, MM_FRAME_NO_LIMIT, &pfn),
		  MM_OK);
	assert_int_equal(pfn, 512);
	expect_op(mm_frame_alloc_contig(fa, 600, 1, MM_FRAME_NO_LIMIT, &pfn),
		  MM_OK);
	assert_int_equal(pfn, 1025);
	assert_int_equal(stats().free_frames,
			 STD_FREE - 3 - 5 - 1 - 20 - 300 - 600);
	check_ok();
}

/* A run whose only candidate is cut by the very last frame: NOMEM. */
static void test_contig_blocked_by_last_frame(void **state)
{
	uint64_t pfn = 99;

	(void)state;
	add(0, 128 * FRAME, MM_REGION_USABLE);
	init_ok();
	expect_op(mm_frame_alloc_at(fa, 0), MM_OK);
	expect_op(mm_frame_alloc_at(fa, 127), MM_OK);
	snap_take();
	expect_op(mm_frame_alloc_contig(fa, 64, 64, MM_FRAME_NO_LIMIT, &pfn),
		  MM_ERR_NOMEM);
	assert_int_equal(pfn, 99);
	snap_same();
	expect_op(mm_frame_alloc_contig(fa, 63, 64, MM_FRAME_NO_LIMIT, &pfn),
		  MM_OK);
	assert_int_equal(pfn, 64);
}

/* A limit keeps the run's end at or below it; exactly at the end works. */
static void test_contig_limit(void **state)
{
	uint64_t pfn = 0;

	(void)state;
	std_map();
	expect_op(mm_frame_alloc_contig(fa, 255, 1, 256, &pfn), MM_OK);
	assert_int_equal(pfn, 1);
	expect_op(mm_frame_alloc_contig(fa, 1, 1, 513, &pfn), MM_OK);
	assert_int_equal(pfn, 512);
	snap_take();
	expect_op(mm_frame_alloc_contig(fa, 1, 1, 513, &pfn), MM_ERR_NOMEM);
	snap_same();
	expect_op(mm_frame_alloc_contig(fa, 64, 64, 8192, &pfn), MM_OK);
	assert_int_equal(pfn, 576);
	expect_op(mm_frame_alloc_contig(fa, 64, 1, 8192, &pfn), MM_OK);
	assert_int_equal(pfn, 640); /* [513, 576) is one frame short */
	expect_op(mm_frame_alloc_contig(fa, 63, 1, 8192, &pfn), MM_OK);
	assert_int_equal(pfn, 513);
	check_ok();
}

/* 2 MiB pages come from the summary, lowest first, under a limit. */
static void test_contig_2m(void **state)
{
	uint64_t pfn = 0, runs;

	(void)state;
	std_map();
	runs = stats().free_2m_runs; /* [1024, 1536) has the kernel frame */
	assert_int_equal(runs, 14);
	expect_op(mm_frame_alloc_contig(fa, 512, 512, MM_FRAME_NO_LIMIT, &pfn),
		  MM_OK);
	assert_int_equal(pfn, 512);
	assert_int_equal(stats().free_2m_runs, runs - 1);
	expect_op(mm_frame_alloc_at(fa, 2048 + 511), MM_OK);
	expect_op(mm_frame_alloc_contig(fa, 512, 512, MM_FRAME_NO_LIMIT, &pfn),
		  MM_OK);
	assert_int_equal(pfn, 1536);
	snap_take();
	expect_op(mm_frame_alloc_contig(fa, 512, 512, 3000, &pfn),
		  MM_ERR_NOMEM);
	snap_same();
	expect_op(mm_frame_free_contig(fa, 512, 512), MM_OK);
	expect_op(mm_frame_alloc_contig(fa, 512, 512, 1024, &pfn), MM_OK);
	assert_int_equal(pfn, 512);
	assert_int_equal(stats().free_2m_runs, runs - 3);
	check_ok();
}

/* 1 GiB pages from the summary; a < 4 GiB DMA limit is honoured. */
static void test_contig_1g_and_dma(void **state)
{
	uint64_t pfn = 0, g = MM_FRAMES_1G;

	(void)state;
	add(0, GiB(5), MM_REGION_USABLE);
	add(GiB(1) + MiB(3), FRAME, MM_REGION_RESERVED);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	init_ok();
	assert_int_equal(stats().free_1g_runs, 4);
	expect_op(mm_frame_alloc_contig(fa, g, g, MM_FRAME_NO_LIMIT, &pfn),
		  MM_OK);
	assert_int_equal(pfn, 0);
	expect_op(mm_frame_alloc_contig(fa, g, g, GiB(4) / FRAME, &pfn), MM_OK);
	assert_int_equal(pfn, 2 * g);
	expect_op(mm_frame_alloc_contig(fa, g, g, GiB(4) / FRAME, &pfn), MM_OK);
	assert_int_equal(pfn, 3 * g);
	snap_take();
	expect_op(mm_frame_alloc_contig(fa, g, g, GiB(4) / FRAME, &pfn),
		  MM_ERR_NOMEM);
	expect_op(mm_frame_alloc_contig(fa, g, 1, GiB(4) / FRAME, &pfn),
		  MM_ERR_NOMEM);
	snap_same();
	/* a DMA buffer below 4 GiB fits after the reserved frame g + 768 */
	expect_op(mm_frame_alloc_contig(fa, 1000, 16, GiB(4) / FRAME, &pfn),
		  MM_OK);
	assert_int_equal(pfn, g + 784);
	assert_int_equal(stats().free_1g_runs, 1);
	expect_op(mm_frame_free_contig(fa, 2 * g, g), MM_OK);
	assert_int_equal(stats().free_1g_runs, 2);
	/* [g + 1784, 3g) beats the untouched fifth gigabyte */
	assert_int_equal(stats().largest_free_run, 2 * g - 1784);
	check_ok();
}

/* ---- free_contig ------------------------------------------------------- */

/* count 0 or a wrapping range: INVALID; nothing changes. */
static void test_free_contig_invalid(void **state)
{
	(void)state;
	std_map();
	snap_take();
	expect_op(mm_frame_free_contig(fa, 1, 0), MM_ERR_INVALID);
	expect_op(mm_frame_free_contig(fa, 2, UINT64_MAX), MM_ERR_INVALID);
	expect_op(mm_frame_free_contig(fa, UINT64_MAX, 2), MM_ERR_INVALID);
	snap_same();
}

/* The first offending frame decides; a partial failure changes nothing. */
static void test_free_contig_partial_failures(void **state)
{
	uint64_t pfn;

	(void)state;
	std_map();
	expect_op(mm_frame_alloc_contig(fa, 255, 1, MM_FRAME_NO_LIMIT, &pfn),
		  MM_OK);
	expect_op(mm_frame_alloc_contig(fa, 7000, 1, MM_FRAME_NO_LIMIT, &pfn),
		  MM_OK);
	assert_int_equal(pfn, 1025);
	expect_op(mm_frame_free(fa, 100), MM_OK);
	for (uint64_t f = 1020; f < 1024; f++)
		expect_op(mm_frame_alloc_at(fa, f), MM_OK);
	snap_take();
	expect_op(mm_frame_free_contig(fa, 50, 100), /* hits 100 */
		  MM_ERR_NOT_ALLOCATED);
	expect_op(mm_frame_free_contig(fa, 200, 100), /* hits 256 */
		  MM_ERR_RESERVED);
	expect_op(mm_frame_free_contig(fa, 0, 10), MM_ERR_RESERVED);
	expect_op(mm_frame_free_contig(fa, 90, 300), /* 100 first */
		  MM_ERR_NOT_ALLOCATED);
	expect_op(mm_frame_free_contig(fa, 1020, 10), /* 1024 */
		  MM_ERR_RESERVED);
	expect_op(mm_frame_free_contig(fa, 8000, 8192), /* past end */
		  MM_ERR_NOT_ALLOCATED);
	expect_op(mm_frame_free_contig(fa, 8190, 3), MM_ERR_NOT_ALLOCATED);
	expect_op(mm_frame_free_contig(fa, 8192, 1), MM_ERR_OUT_OF_RANGE);
	snap_same();
	expect_op(mm_frame_alloc_contig(fa, 508, 1, MM_FRAME_NO_LIMIT, &pfn),
		  MM_OK);
	assert_int_equal(pfn, 512);
	expect_op(mm_frame_alloc_contig(fa, 167, 1, MM_FRAME_NO_LIMIT, &pfn),
		  MM_OK);
	assert_int_equal(pfn, 8025);
	snap_take();
	expect_op(mm_frame_free_contig(fa, 8100, 93), MM_ERR_OUT_OF_RANGE);
	snap_same();
	expect_op(mm_frame_free_contig(fa, 8100, 92), MM_OK);
	expect_op(mm_frame_free_contig(fa, 1025, 8100 - 1025), MM_OK);
	check_ok();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_alloc_lowest_first),
		T(test_alloc_exhaust_then_free_all),
		T(test_alloc_at_boundaries),
		T(test_alloc_fills_groups),
		T(test_alloc_at_errors),
		T(test_free_errors),
		T(test_contig_invalid),
		T(test_contig_nomem),
		T(test_contig_align_and_skip),
		T(test_contig_blocked_by_last_frame),
		T(test_contig_limit),
		T(test_contig_2m),
		T(test_contig_1g_and_dma),
		T(test_free_contig_invalid),
		T(test_free_contig_partial_failures),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
