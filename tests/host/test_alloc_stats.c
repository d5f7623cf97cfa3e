/*
 * The frame allocator's run counts (mm_frame_stats) over maps that are
 * free from frame 0 on: every one of the first 4096 frames free makes the
 * summary words next to the 1 GiB summary all ones, so a count that read
 * one word too far would find one run too many. Kept out of
 * test_frame*.c, which change with the allocator's hot path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "mm/frame.h"

#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

/* Stats of an allocator over [0, bytes), every frame free. */
static struct mm_frame_stats free_from_zero(uint64_t bytes)
{
	struct mm_frames fa;
	struct mm_memmap map;
	struct mm_frame_stats st;
	size_t meta_bytes;
	void *meta;

	mm_memmap_init(&map);
	assert_int_equal(mm_memmap_add(&map, 0, bytes, MM_REGION_USABLE),
			 MM_OK);
	meta_bytes = mm_frame_metadata_bytes(&map);
	assert_true(meta_bytes > 0);
	meta = malloc(meta_bytes);
	assert_non_null(meta);
	assert_int_equal(mm_frame_init(&fa, &map, meta, meta_bytes), MM_OK);
	assert_int_equal(mm_frame_check(&fa), MM_OK);
	mm_frame_stats(&fa, &st);
	free(meta);
	return st;
}

/* 16 MiB to 3 GiB free from 0: exactly size / 1 GiB runs of 1 GiB. */
static void test_free_runs_from_zero(void **state)
{
	static const uint64_t sizes[] = {MiB(16), MiB(32), GiB(1), GiB(3)};
	struct mm_frame_stats st;

	(void)state;
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		st = free_from_zero(sizes[i]);
		assert_int_equal(st.free_frames, sizes[i] / MM_FRAME_SIZE);
		assert_int_equal(st.free_2m_runs, sizes[i] / MiB(2));
		assert_int_equal(st.free_1g_runs, sizes[i] / GiB(1));
		assert_int_equal(st.largest_free_run, sizes[i] / MM_FRAME_SIZE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_runs_from_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
