/*
 * Frame allocator cases the mutation runs (make mutate) found untested:
 * run counts (mm_frame_stats) over maps free from frame 0 on, and
 * contiguous runs aligned to 1 GiB that are not 1 GiB long (the summary
 * lookup serves only the 1 GiB / 1 GiB case). Kept out of test_frame*.c,
 * which change with the allocator's hot-path work.
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

/* An allocator over [0, bytes), every frame free; *meta to be freed. */
static void init_from_zero(struct mm_frames *fa, uint64_t bytes, void **meta)
{
	struct mm_memmap map;
	size_t meta_bytes;

	mm_memmap_init(&map);
	assert_int_equal(mm_memmap_add(&map, 0, bytes, MM_REGION_USABLE),
			 MM_OK);
	meta_bytes = mm_frame_metadata_bytes(&map);
	assert_true(meta_bytes > 0);
	*meta = malloc(meta_bytes);
	assert_non_null(*meta);
	assert_int_equal(mm_frame_init(fa, &map, *meta, meta_bytes), MM_OK);
	assert_int_equal(mm_frame_check(fa), MM_OK);
}

/* Stats of an allocator over [0, bytes), every frame free. */
static struct mm_frame_stats free_from_zero(uint64_t bytes)
{
	struct mm_frames fa;
	struct mm_frame_stats st;
	void *meta;

	init_from_zero(&fa, bytes, &meta);
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

/*
 * Over [0, 3 GiB) with frame 1 taken (so the first GiB is no free 1 GiB
 * run), runs aligned to 1 GiB: 1 frame at frame 0, 2 frames at 1 GiB
 * (frame 1 is taken), 2 GiB at 1 GiB, then 1 GiB long none, and after the
 * 2 GiB are freed, 1 GiB long at 1 GiB.
 */
static void test_contig_aligned_1g_not_1g_long(void **state)
{
	struct mm_frames fa;
	mm_pfn_t pfn = 0;
	void *meta;

	(void)state;
	init_from_zero(&fa, GiB(3), &meta);
	assert_int_equal(mm_frame_alloc_at(&fa, 1), MM_OK);
	assert_int_equal(mm_frame_alloc_contig(&fa, 1, MM_FRAMES_1G,
					       MM_FRAME_NO_LIMIT, &pfn),
			 MM_OK);
	assert_int_equal(pfn, 0);
	assert_int_equal(mm_frame_alloc_contig(&fa, 2, MM_FRAMES_1G,
					       MM_FRAME_NO_LIMIT, &pfn),
			 MM_OK);
	assert_int_equal(pfn, MM_FRAMES_1G);
	assert_int_equal(mm_frame_free_contig(&fa, pfn, 2), MM_OK);
	assert_int_equal(mm_frame_alloc_contig(&fa, 2 * MM_FRAMES_1G,
					       MM_FRAMES_1G, MM_FRAME_NO_LIMIT,
					       &pfn),
			 MM_OK);
	assert_int_equal(pfn, MM_FRAMES_1G);
	assert_int_equal(mm_frame_alloc_contig(&fa, MM_FRAMES_1G, MM_FRAMES_1G,
					       MM_FRAME_NO_LIMIT, &pfn),
			 MM_ERR_NOMEM);
	assert_int_equal(
		mm_frame_free_contig(&fa, MM_FRAMES_1G, 2 * MM_FRAMES_1G),
		MM_OK);
	assert_int_equal(mm_frame_alloc_contig(&fa, MM_FRAMES_1G, MM_FRAMES_1G,
					       MM_FRAME_NO_LIMIT, &pfn),
			 MM_OK);
	assert_int_equal(pfn, MM_FRAMES_1G);
	assert_int_equal(mm_frame_check(&fa), MM_OK);
	free(meta);
}

/*
 * Reserved runs must not touch: [11, 21) next to [21, 30) fails
 * mm_frame_check even with every other rule kept (the frames used, the
 * reserved count right), and passes again once restored.
 */
static void test_check_touching_reserved_runs(void **state)
{
	struct mm_frames fa;
	void *meta;

	(void)state;
	init_from_zero(&fa, MiB(16), &meta);
	assert_int_equal(mm_frame_reserve(&fa, 10, 10), MM_OK);
	assert_int_equal(mm_frame_reserve(&fa, 21, 9), MM_OK);
	assert_int_equal(mm_frame_alloc_at(&fa, 20), MM_OK);
	assert_int_equal(fa.nresv, 2);
	assert_int_equal(fa.resv[0].end, 20);
	assert_int_equal(fa.resv[1].start, 21);
	assert_int_equal(mm_frame_check(&fa), MM_OK);
	fa.resv[0].start = 11;
	fa.resv[0].end = 21;
	assert_int_not_equal(mm_frame_check(&fa), MM_OK);
	fa.resv[0].start = 10;
	fa.resv[0].end = 20;
	assert_int_equal(mm_frame_check(&fa), MM_OK);
	free(meta);
}

/*
 * A run whose search walks word by word into a wholly free group of 4096
 * frames (it started at the group's first frame, which the group skip
 * only takes at a group boundary) must still look at every frame of the
 * next group: frame 4100 is used, so the first 8192 free frames start at
 * 4101, not 0.
 */
static void test_contig_run_past_free_group(void **state)
{
	struct mm_frames fa;
	mm_pfn_t pfn;
	void *meta;

	(void)state;
	init_from_zero(&fa, MiB(64), &meta);
	assert_int_equal(mm_frame_alloc_at(&fa, 4100), MM_OK);
	assert_int_equal(
		mm_frame_alloc_contig(&fa, 8192, 1, MM_FRAME_NO_LIMIT, &pfn),
		MM_OK);
	assert_int_equal(pfn, 4101);
	assert_false(mm_frame_is_free(&fa, 4101 + 8191));
	assert_true(mm_frame_is_free(&fa, 4101 + 8192));
	assert_true(mm_frame_is_free(&fa, 0));
	assert_int_equal(mm_frame_check(&fa), MM_OK);
	free(meta);
}

/*
 * The length of a summary vector is part of the layout: one recorded
 * length off by one, the other right, fails mm_frame_check; restored, it
 * passes again. The last group of 4096 frames is made full first, so that
 * the avail vector one word short still looks like a well-formed tree
 * (its last word is 0): only the length check can tell.
 */
static void test_check_summary_lengths(void **state)
{
	struct mm_frames fa;
	uint64_t avail, chunk;
	void *meta;

	(void)state;
	init_from_zero(&fa, MiB(64), &meta);
	for (mm_pfn_t pfn = 3 * 4096; pfn < 4 * 4096; pfn++)
		assert_int_equal(mm_frame_alloc_at(&fa, pfn), MM_OK);
	assert_int_equal(fa.total_frames, 4 * 4096);
	avail = fa.avail.words[0];
	chunk = fa.chunk2m.words[0];
	fa.avail.words[0] = avail - 1;
	assert_int_equal(mm_frame_check(&fa), MM_ERR_INVALID);
	fa.avail.words[0] = avail;
	fa.chunk2m.words[0] = chunk + 1;
	assert_int_equal(mm_frame_check(&fa), MM_ERR_INVALID);
	fa.chunk2m.words[0] = chunk;
	assert_int_equal(mm_frame_check(&fa), MM_OK);
	free(meta);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_runs_from_zero),
		cmocka_unit_test(test_contig_aligned_1g_not_1g_long),
		cmocka_unit_test(test_check_touching_reserved_runs),
		cmocka_unit_test(test_contig_run_past_free_group),
		cmocka_unit_test(test_check_summary_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
