/*
 * Tests of the physical frame allocator's set-up: the metadata size it asks
 * for and mm_frame_init on every kind of map (bad arguments, no usable
 * frame, too little metadata, unaligned, overlapping and touching regions,
 * raw maps compared with their sanitized copies, big and sparse maps).
 * Allocation is in test_frame_alloc.c, reservations and statistics in
 * test_frame_reserve.c, the self-check in test_frame_check.c.
 */
#include "frame_fixture.h"

/*
 * Init on the sanitized copy of map with the metadata size it asks for
 * gives the same stats and frame states as fa (built from map itself).
 */
static void assert_same_as_sanitized(void)
{
	struct mm_memmap clean = map;
	struct mm_frames *other = malloc(sizeof(*other));
	struct mm_frame_stats a = stats(), b;
	size_t bytes;
	void *buf;

	assert_non_null(other);
	assert_int_equal(mm_memmap_sanitize(&clean), MM_OK);
	bytes = mm_frame_metadata_bytes(&clean);
	assert_int_equal(bytes, mm_frame_metadata_bytes(&map));
	buf = malloc(bytes);
	assert_non_null(buf);
	assert_int_equal(mm_frame_init(other, &clean, buf, bytes), MM_OK);
	assert_int_equal(mm_frame_init(fa, &map, meta, bytes), MM_OK);
	mm_frame_stats(other, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	for (uint64_t f = 0; f <= a.total_frames; f++) {
		assert_int_equal(mm_frame_is_free(fa, f),
				 mm_frame_is_free(other, f));
		assert_int_equal(mm_frame_is_reserved(fa, f),
				 mm_frame_is_reserved(other, f));
	}
	assert_int_equal(other->nresv, fa->nresv);
	assert_memory_equal(other->resv, fa->resv,
			    fa->nresv * sizeof(fa->resv[0]));
	free(buf);
	free(other);
}

/* ---- metadata size --------------------------------------------------- */

/* No usable frame, or a map with too many regions: no metadata. */
static void test_metadata_bytes_no_usable(void **state)
{
	(void)state;
	assert_int_equal(mm_frame_metadata_bytes(&map), 0);
	add(0, MiB(1), MM_REGION_RESERVED);
	add(MiB(1) + 1, FRAME, MM_REGION_USABLE); /* no whole frame */
	assert_int_equal(mm_frame_metadata_bytes(&map), 0);
	add(MiB(4), MiB(1), MM_REGION_USABLE);
	assert_true(mm_frame_metadata_bytes(&map) > 0);
	map.count = MM_MEMMAP_CAPACITY + 1; /* corrupt: too many regions */
	assert_int_equal(mm_frame_metadata_bytes(&map), 0);
}

/* One word per array for a single-word map: leaf, empty, hint, 1g, 2 trees. */
static void test_metadata_bytes_small_exact(void **state)
{
	(void)state;
	add(0, 64 * FRAME, MM_REGION_USABLE);
	assert_int_equal(mm_frame_metadata_bytes(&map), 6 * 8);
}

/* 1 TiB of frames: ~33 MiB, under 1.1 bits per frame with all summaries. */
static void test_metadata_bytes_1tib(void **state)
{
	uint64_t frames = TiB(1) / FRAME, leaf = frames / 64;
	uint64_t empty = leaf / 64, top = empty / 64;
	uint64_t words =
		leaf + empty + 2 * top + (empty + top + top / 64 + 1) +
		(top + top / 64 + 1); /* leaf, empty, hint + 1g, trees */

	(void)state;
	add(0, TiB(1), MM_REGION_USABLE);
	assert_int_equal(mm_frame_metadata_bytes(&map), words * 8);
	assert_true(mm_frame_metadata_bytes(&map) * 8 * 10 <= frames * 11);
}

/* ---- init ------------------------------------------------------------ */

/* NULL pointers, misaligned metadata, an oversized count: INVALID. */
static void test_init_invalid_args(void **state)
{
	uint64_t buf[64];
	struct mm_frames *before = malloc(sizeof(*before));

	(void)state;
	assert_non_null(before);
	add(0, 64 * FRAME, MM_REGION_USABLE);
	memcpy(before, fa, sizeof(*fa));
	assert_int_equal(mm_frame_init(NULL, &map, buf, sizeof(buf)),
			 MM_ERR_INVALID);
	assert_int_equal(mm_frame_init(fa, NULL, buf, sizeof(buf)),
			 MM_ERR_INVALID);
	assert_int_equal(mm_frame_init(fa, &map, NULL, sizeof(buf)),
			 MM_ERR_INVALID);
	assert_int_equal(
		mm_frame_init(fa, &map, (char *)buf + 4, sizeof(buf) - 8),
		MM_ERR_INVALID);
	map.count = MM_MEMMAP_CAPACITY + 1;
	assert_int_equal(mm_frame_init(fa, &map, buf, sizeof(buf)),
			 MM_ERR_INVALID);
	assert_memory_equal(fa, before, sizeof(*fa));
	free(before);
}

/* Empty map, reserved-only map, sub-frame usable, covered usable: INVALID. */
static void test_init_no_usable_frame(void **state)
{
	uint64_t buf[64];

	(void)state;
	assert_int_equal(mm_frame_init(fa, &map, buf, sizeof(buf)),
			 MM_ERR_INVALID);
	add(0, MiB(1), MM_REGION_RESERVED);
	assert_int_equal(mm_frame_init(fa, &map, buf, sizeof(buf)),
			 MM_ERR_INVALID);
	add(MiB(1) + 1, FRAME, MM_REGION_USABLE);
	assert_int_equal(mm_frame_init(fa, &map, buf, sizeof(buf)),
			 MM_ERR_INVALID);
	/* unsanitized: a whole usable frame hidden under a reserved one */
	add(MiB(2), FRAME, MM_REGION_USABLE);
	add(MiB(2) + 100, 1, MM_REGION_BAD);
	memcpy(snap_fa, fa, sizeof(*fa));
	assert_true(mm_frame_metadata_bytes(&map) <= sizeof(buf));
	assert_int_equal(mm_frame_init(fa, &map, buf, sizeof(buf)),
			 MM_ERR_INVALID);
	assert_memory_equal(fa, snap_fa, sizeof(*fa));
}

/* Metadata one word short: NOMEM, descriptor untouched. */
static void test_init_metadata_too_small(void **state)
{
	struct mm_frames *before = malloc(sizeof(*before));
	size_t need;
	void *buf;

	(void)state;
	assert_non_null(before);
	add(0, MiB(64), MM_REGION_USABLE);
	need = mm_frame_metadata_bytes(&map);
	buf = malloc(need);
	assert_non_null(buf);
	memcpy(before, fa, sizeof(*fa));
	assert_int_equal(mm_frame_init(fa, &map, buf, need - 8), MM_ERR_NOMEM);
	assert_int_equal(mm_frame_init(fa, &map, buf, 0), MM_ERR_NOMEM);
	assert_memory_equal(fa, before, sizeof(*fa));
	assert_int_equal(mm_frame_init(fa, &map, buf, need), MM_OK);
	assert_int_equal(mm_frame_check(fa), MM_OK);
	free(buf);
	free(before);
}

/* The standard map: counters, resv ranges, and frame states as drawn. */
static void test_init_std_map_counts(void **state)
{
	struct mm_frame_stats st;

	(void)state;
	std_map();
	st = stats();
	assert_int_equal(st.total_frames, 8192);
	assert_int_equal(st.usable_frames, STD_FREE);
	assert_int_equal(st.free_frames, STD_FREE);
	assert_int_equal(st.allocated_frames, 0);
	assert_int_equal(st.reserved_frames, 8192 - STD_FREE);
	assert_true(mm_frame_is_reserved(fa, 0));
	assert_true(mm_frame_is_free(fa, 1));
	assert_true(mm_frame_is_free(fa, 255));
	assert_true(mm_frame_is_reserved(fa, 256));
	assert_true(mm_frame_is_reserved(fa, 511));
	assert_true(mm_frame_is_free(fa, 512));
	assert_true(mm_frame_is_reserved(fa, 1024));
	assert_true(mm_frame_is_free(fa, 8191));
	assert_false(mm_frame_is_free(fa, 8192));
	assert_false(mm_frame_is_reserved(fa, 8192));
	assert_false(mm_frame_is_reserved(fa, UINT64_MAX));
}

/* Tree slots past the depth are NULL / 0, whatever *fa held before. */
static void test_init_unused_tree_slots_zero(void **state)
{
	(void)state;
	std_map(); /* fa was filled with 0x5A bytes by setup */
	for (unsigned k = fa->avail.depth; k < MM_FRAME_TREE_LEVELS; k++) {
		assert_null(fa->avail.level[k]);
		assert_int_equal(fa->avail.words[k], 0);
	}
	for (unsigned k = fa->chunk2m.depth; k < MM_FRAME_TREE_LEVELS; k++) {
		assert_null(fa->chunk2m.level[k]);
		assert_int_equal(fa->chunk2m.words[k], 0);
	}
}

/* Partial frames at unaligned region edges are not usable nor tracked. */
static void test_init_unaligned_edges(void **state)
{
	(void)state;
	add(0x1800, 0x10800 - 0x1800, MM_REGION_USABLE); /* ends mid-frame */
	init_ok();
	assert_int_equal(stats().total_frames, 16);
	assert_int_equal(stats().free_frames, 14);
	assert_true(mm_frame_is_reserved(fa, 0));
	assert_true(mm_frame_is_reserved(fa, 1));
	assert_true(mm_frame_is_free(fa, 2));
	assert_true(mm_frame_is_free(fa, 15));
	assert_false(mm_frame_is_free(fa, 16));
}

/* Overlapping usable regions of an unsanitized map are counted once. */
static void test_init_overlapping_usable_once(void **state)
{
	(void)state;
	add(0, MiB(2), MM_REGION_USABLE);
	add(MiB(1), MiB(2), MM_REGION_USABLE);
	add(MiB(1), MiB(1), MM_REGION_USABLE);
	init_ok();
	assert_int_equal(stats().total_frames, 768);
	assert_int_equal(stats().free_frames, 768);
	assert_int_equal(stats().usable_frames, 768);
}

/* Touching usable regions, listed out of order, make a split frame whole. */
static void test_init_touching_usable_split_frame(void **state)
{
	(void)state;
	add(0x1800, 0x3000 - 0x1800, MM_REGION_USABLE); /* frames 2, half 1 */
	add(0x5000, 0x800, MM_REGION_USABLE);		/* half of frame 5 */
	add(0, 0x1800, MM_REGION_USABLE);		/* frame 0, half 1 */
	add(0x3000, 0x1000, MM_REGION_USABLE);		/* frame 3 */
	init_ok();
	assert_int_equal(stats().total_frames, 4);
	assert_int_equal(stats().free_frames, 4);
	assert_int_equal(mm_frame_metadata_bytes(&map), 6 * 8);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(mm_memmap_usable_end(&map), 4 * FRAME);
}

/* Unsanitized: a non-usable region wins wherever it touches usable. */
static void test_init_nonusable_wins(void **state)
{
	(void)state;
	add(0, MiB(1), MM_REGION_USABLE);
	add(5 * FRAME + 1, FRAME - 2, MM_REGION_ACPI_NVS); /* inside frame 5 */
	add(9 * FRAME - 1, 2, MM_REGION_BAD);		   /* frames 8 and 9 */
	add(MiB(1) - FRAME, FRAME, MM_REGION_RESERVED);	   /* the last one */
	add(0, MiB(1), MM_REGION_USABLE);		   /* usable again */
	init_ok();
	assert_int_equal(stats().total_frames, 255); /* 255 is not tracked */
	assert_int_equal(stats().free_frames, 255 - 3);
	assert_true(mm_frame_is_reserved(fa, 5));
	assert_true(mm_frame_is_reserved(fa, 8));
	assert_true(mm_frame_is_reserved(fa, 9));
	assert_true(mm_frame_is_free(fa, 10));
	assert_true(mm_frame_is_free(fa, 254));
	assert_false(mm_frame_is_reserved(fa, 255));
	assert_same_as_sanitized();
}

/*
 * Unsanitized: a reserved region over the top of the usable one lowers the
 * tracked end as sanitizing would; init fits the sanitized map's metadata.
 */
static void test_init_raw_top_reserved_as_sanitized(void **state)
{
	struct mm_frame_stats st;

	(void)state;
	add(MiB(1), MiB(7), MM_REGION_USABLE);
	add(MiB(6), MiB(4), MM_REGION_RESERVED);
	init_ok();
	st = stats();
	assert_int_equal(st.total_frames, 1536);
	assert_int_equal(st.reserved_frames, 256);
	assert_int_equal(st.free_frames, 1280);
	assert_false(mm_frame_is_reserved(fa, 1536));
	assert_same_as_sanitized();
}

/* Unsanitized: reserved pieces inside, below and across usable unions. */
static void test_init_raw_many_holes_as_sanitized(void **state)
{
	(void)state;
	add(MiB(4), MiB(4), MM_REGION_USABLE);
	add(0, MiB(2), MM_REGION_USABLE);
	add(MiB(1) + 5, 10, MM_REGION_BAD);
	add(MiB(1) + 100, MiB(4), MM_REGION_ACPI_NVS); /* across the gap */
	add(MiB(6), FRAME, MM_REGION_KERNEL);
	add(MiB(6) + FRAME, FRAME, MM_REGION_RESERVED); /* touches kernel */
	add(MiB(7) - 1, 2, MM_REGION_FRAMEBUFFER);
	add(MiB(8) - FRAME, MiB(1), MM_REGION_RESERVED); /* the top frame */
	init_ok();
	assert_int_equal(stats().total_frames, MiB(8) / FRAME - 1);
	assert_same_as_sanitized();
}

/* Raw regions past 2^52 are dropped; a length wrapping 2^64 saturates. */
static void test_init_raw_clipped_regions(void **state)
{
	uint64_t limit = (uint64_t)1 << 52;

	(void)state;
	add(0, MiB(2), MM_REGION_USABLE);
	/* written by hand: mm_memmap_add would cut them */
	map.regions[map.count++] = (struct mm_region){
		.base = MiB(1), .length = UINT64_MAX, .type = MM_REGION_BAD};
	map.regions[map.count++] = (struct mm_region){
		.base = limit, .length = GiB(1), .type = MM_REGION_USABLE};
	map.regions[map.count++] = (struct mm_region){
		.base = limit + FRAME, .length = 1, .type = MM_REGION_RESERVED};
	init_ok();
	assert_int_equal(stats().total_frames, 256);
	assert_int_equal(stats().free_frames, 256);
	assert_same_as_sanitized();
}

/* 17 GiB: no cap, the last frame is tracked and allocatable. */
static void test_init_large_map(void **state)
{
	uint64_t last = GiB(17) / FRAME - 1;

	(void)state;
	add(0, GiB(3), MM_REGION_USABLE);
	add(GiB(4), GiB(13), MM_REGION_USABLE);
	init_ok();
	assert_int_equal(stats().total_frames, last + 1);
	assert_int_equal(stats().free_frames, GiB(16) / FRAME);
	assert_int_equal(stats().free_1g_runs, 16);
	expect_op(mm_frame_alloc_at(fa, last), MM_OK);
	expect_op(mm_frame_alloc_at(fa, last + 1), MM_ERR_OUT_OF_RANGE);
	expect_op(mm_frame_free(fa, last), MM_OK);
	check_ok();
}

/* 1 TiB span whose only usable frame is the last: alloc finds it. */
static void test_init_only_last_frame_of_1tib(void **state)
{
	uint64_t pfn = 0;

	(void)state;
	add(0, TiB(1) - FRAME, MM_REGION_RESERVED);
	add(TiB(1) - FRAME, FRAME, MM_REGION_USABLE);
	init_ok();
	assert_true(meta_bytes > MiB(32) && meta_bytes < MiB(34));
	assert_int_equal(stats().total_frames, TiB(1) / FRAME);
	assert_int_equal(stats().free_frames, 1);
	expect_op(mm_frame_alloc(fa, &pfn), MM_OK);
	assert_int_equal(pfn, TiB(1) / FRAME - 1);
	snap_take();
	expect_op(mm_frame_alloc(fa, &pfn), MM_ERR_NOMEM);
	snap_same();
	expect_op(mm_frame_free(fa, TiB(1) / FRAME - 1), MM_OK);
	check_ok();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_metadata_bytes_no_usable),
		T(test_metadata_bytes_small_exact),
		T(test_metadata_bytes_1tib),
		T(test_init_invalid_args),
		T(test_init_no_usable_frame),
		T(test_init_metadata_too_small),
		T(test_init_std_map_counts),
		T(test_init_unused_tree_slots_zero),
		T(test_init_unaligned_edges),
		T(test_init_overlapping_usable_once),
		T(test_init_touching_usable_split_frame),
		T(test_init_nonusable_wins),
		T(test_init_raw_top_reserved_as_sanitized),
		T(test_init_raw_many_holes_as_sanitized),
		T(test_init_raw_clipped_regions),
		T(test_init_large_map),
		T(test_init_only_last_frame_of_1tib),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
