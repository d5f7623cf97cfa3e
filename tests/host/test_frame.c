/*
 * Tests of the physical frame allocator: every public function, every error
 * code (and that the failed call changed nothing), word and summary
 * boundaries, odd maps, big maps, and the self-check itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mm/frame.h"

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)
#define TiB(x) ((uint64_t)(x) << 40)
#define FRAME  4096u

/* The allocator under test and what it was built from. */
static struct mm_frames *fa;
static struct mm_memmap map;
static void *meta;
static size_t meta_bytes;

/* A copy of the whole state, to prove a failed call changed nothing. */
static struct mm_frames *snap_fa;
static void *snap_meta;
static struct mm_frame_stats snap_st;

/* A deep copy of the allocator to corrupt (see copy_take). */
static struct mm_frames bad;
static void *bad_meta;

static int setup(void **state)
{
	(void)state;
	fa = malloc(sizeof(*fa));
	snap_fa = malloc(sizeof(*snap_fa));
	assert_non_null(fa);
	assert_non_null(snap_fa);
	memset(fa, 0x5A, sizeof(*fa));
	mm_memmap_init(&map);
	meta = NULL;
	snap_meta = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(fa);
	free(snap_fa);
	free(meta);
	free(snap_meta);
	free(bad_meta);
	bad_meta = NULL;
	return 0;
}

static void add(uint64_t base, uint64_t length, mm_region_type_t type)
{
	assert_int_equal(mm_memmap_add(&map, base, length, type), MM_OK);
}

static void check_ok(void)
{
	assert_int_equal(mm_frame_check(fa), MM_OK);
}

/* Assert the status of a mutating call, then the full self-check. */
#define expect_op(call, status)                                                \
	do {                                                                   \
		assert_int_equal((call), (status));                            \
		check_ok();                                                    \
	} while (0)

/* Build the allocator over map with exactly the metadata it asks for. */
static void init_ok(void)
{
	meta_bytes = mm_frame_metadata_bytes(&map);
	assert_true(meta_bytes > 0);
	meta = malloc(meta_bytes);
	assert_non_null(meta);
	assert_int_equal(mm_frame_init(fa, &map, meta, meta_bytes), MM_OK);
	check_ok();
}

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

static struct mm_frame_stats stats(void)
{
	struct mm_frame_stats st;

	mm_frame_stats(fa, &st);
	return st;
}

static void snap_take(void)
{
	memcpy(snap_fa, fa, sizeof(*fa));
	free(snap_meta);
	snap_meta = malloc(meta_bytes);
	assert_non_null(snap_meta);
	memcpy(snap_meta, meta, meta_bytes);
	snap_st = stats();
}

/* Descriptor, metadata and stats are byte-for-byte what snap_take saw. */
static void snap_same(void)
{
	struct mm_frame_stats st = stats();

	assert_memory_equal(fa, snap_fa, sizeof(*fa));
	assert_memory_equal(meta, snap_meta, meta_bytes);
	assert_memory_equal(&st, &snap_st, sizeof(st));
	check_ok();
}

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

/*
 * The standard map, 8192 frames: usable frames [1, 256) and [512, 8192),
 * a reserved region [256, 512), the kernel at frame 1024.
 */
static void std_map(void)
{
	add(0x1000, 0xFF000, MM_REGION_USABLE);
	add(0x100000, 0x100000, MM_REGION_RESERVED);
	add(0x200000, 0x1E00000, MM_REGION_USABLE);
	add(0x400000, 0x1000, MM_REGION_KERNEL);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	init_ok();
}

#define STD_FREE (255u + 7680u - 1u)

/* Allocate frames one by one until exhaustion; returns how many. */
static uint64_t alloc_all(void)
{
	uint64_t pfn, n = 0;

	while (mm_frame_alloc(fa, &pfn) == MM_OK)
		n++;
	check_ok();
	return n;
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

/* ---- check -------------------------------------------------------------- */

/* Corrupt one thing at a time: check reports MM_ERR_INVALID each time. */
static void test_check_detects_corruption(void **state)
{
	uint64_t save;

	(void)state;
	std_map();
	save = fa->leaf[10];
	fa->leaf[10] ^= 1; /* bitmap disagrees with the free counter */
	assert_int_equal(mm_frame_check(fa), MM_ERR_INVALID);
	fa->leaf[10] = save;
	fa->free_frames++;
	assert_int_equal(mm_frame_check(fa), MM_ERR_INVALID);
	fa->free_frames--;
	fa->empty[0] ^= 1u << 20;
	assert_int_equal(mm_frame_check(fa), MM_ERR_INVALID);
	fa->empty[0] ^= 1u << 20;
	fa->avail.level[1][0] ^= 1;
	assert_int_equal(mm_frame_check(fa), MM_ERR_INVALID);
	fa->avail.level[1][0] ^= 1;
	fa->chunk2m.level[0][0] ^= 1;
	assert_int_equal(mm_frame_check(fa), MM_ERR_INVALID);
	fa->chunk2m.level[0][0] ^= 1;
	fa->resv_hint[0] &= ~(uint64_t)1; /* group 0 holds frame 1024 */
	assert_int_equal(mm_frame_check(fa), MM_ERR_INVALID);
	fa->resv_hint[0] |= 1;
	fa->resv[1].end++;
	assert_int_equal(mm_frame_check(fa), MM_ERR_INVALID);
	fa->resv[1].end--;
	check_ok();
}

/*
 * One corruption per check: `bad` is a deep copy of fa (descriptor and
 * metadata, pointers moved to the copy) that a test spoils in one way;
 * the check must reject it while fa itself still passes.
 */

static uint64_t *rebase(uint64_t *p)
{
	return p ? (uint64_t *)((char *)bad_meta + ((char *)p - (char *)meta))
		 : NULL;
}

static void rebase_tree(struct mm_frame_tree *t)
{
	for (unsigned k = 0; k < MM_FRAME_TREE_LEVELS; k++)
		t->level[k] = rebase(t->level[k]);
}

static void copy_take(void)
{
	free(bad_meta);
	bad_meta = malloc(meta_bytes);
	assert_non_null(bad_meta);
	memcpy(bad_meta, meta, meta_bytes);
	memcpy(&bad, fa, sizeof(bad));
	bad.leaf = rebase(bad.leaf);
	bad.empty = rebase(bad.empty);
	bad.empty16m = rebase(bad.empty16m);
	bad.resv_hint = rebase(bad.resv_hint);
	rebase_tree(&bad.avail);
	rebase_tree(&bad.chunk2m);
	assert_int_equal(mm_frame_check(&bad), MM_OK);
}

static void expect_corrupt(void)
{
	assert_int_equal(mm_frame_check(&bad), MM_ERR_INVALID);
	check_ok();
	free(bad_meta);
	bad_meta = NULL;
}

/* The standard map with one allocated frame (600), copied. */
static void corrupt_setup(void)
{
	std_map();
	expect_op(mm_frame_alloc_at(fa, 600), MM_OK);
	copy_take();
}

/* Counters: total 0, free or reserved off by one, usable past total. */
static void test_check_bad_counters(void **state)
{
	(void)state;
	corrupt_setup();
	bad.total_frames = 0;
	expect_corrupt();
	copy_take();
	bad.free_frames++;
	expect_corrupt();
	copy_take();
	bad.reserved_frames--;
	expect_corrupt();
	copy_take();
	bad.usable_frames = bad.total_frames + 1;
	expect_corrupt();
}

/* low_word past the end, or above a word with a free frame. */
static void test_check_bad_low_word(void **state)
{
	(void)state;
	corrupt_setup();
	bad.low_word = bad.total_frames / 64;
	expect_corrupt();
	copy_take();
	bad.low_word = 1; /* word 0 holds free frames */
	expect_corrupt();
}

/* The reserved-range table: too long, empty or late range, neighbours. */
static void test_check_bad_resv_table(void **state)
{
	(void)state;
	corrupt_setup();
	assert_int_equal(fa->nresv, 3); /* [0,1) [256,512) [1024,1025) */
	bad.nresv = MM_FRAME_MAX_RESERVED + 1;
	expect_corrupt();
	copy_take();
	bad.resv[1].end = bad.resv[1].start; /* empty */
	expect_corrupt();
	copy_take();
	bad.resv[2].end = bad.total_frames + 1;
	expect_corrupt();
	copy_take();
	bad.resv[1].start = bad.resv[0].end; /* touches its neighbour */
	expect_corrupt();
}

/* A reserved frame whose leaf bit is clear, or whose hint bit is. */
static void test_check_bad_resv_marks(void **state)
{
	(void)state;
	corrupt_setup();
	bad.leaf[300 / 64] &= ~((uint64_t)1 << (300 % 64));
	expect_corrupt();
	copy_take();
	bad.resv_hint[0] &= ~((uint64_t)1 << (300 / 4096));
	expect_corrupt();
}

/* Level-0 summaries disagreeing with the leaf or the empty words. */
static void test_check_bad_level0(void **state)
{
	(void)state;
	corrupt_setup();
	bad.avail.level[0][1] ^= 1;
	expect_corrupt();
	copy_take();
	bad.empty[1] ^= 1;
	expect_corrupt();
	copy_take();
	bad.empty16m[0] ^= 2;
	expect_corrupt();
	copy_take();
	bad.chunk2m.level[0][0] ^= 1;
	expect_corrupt();
}

/* Tree shapes: level-0 sizes, depth 0, too deep, top not one word. */
static void test_check_bad_tree_shape(void **state)
{
	(void)state;
	corrupt_setup();
	bad.avail.words[0]++;
	expect_corrupt();
	copy_take();
	bad.chunk2m.words[0]++;
	expect_corrupt();
	copy_take();
	bad.avail.depth = 0;
	expect_corrupt();
	copy_take();
	bad.chunk2m.depth = MM_FRAME_TREE_LEVELS + 1;
	expect_corrupt();
	copy_take();
	bad.avail.depth = 1; /* level 0 has two words */
	expect_corrupt();
}

/* Upper tree levels disagreeing with the level below, in both trees. */
static void test_check_bad_upper_levels(void **state)
{
	(void)state;
	add(0, GiB(2), MM_REGION_USABLE); /* 128 groups, 2 empty16m words */
	init_ok();
	assert_int_equal(fa->avail.depth, 3);
	assert_int_equal(fa->chunk2m.depth, 2);
	copy_take();
	bad.avail.level[1][0] ^= (uint64_t)1 << 63;
	expect_corrupt();
	copy_take();
	bad.avail.level[2][0] ^= 2;
	expect_corrupt();
	copy_take();
	bad.chunk2m.level[1][0] ^= 4;
	expect_corrupt();
}

/* Padding bits past the last frame must stay set. */
static void test_check_padding(void **state)
{
	(void)state;
	add(0, 100 * FRAME, MM_REGION_USABLE);
	init_ok();
	assert_int_equal(fa->leaf[1] >> 36, (uint64_t)0xFFFFFFF);
	fa->leaf[1] &= ~((uint64_t)1 << 63);
	assert_int_equal(mm_frame_check(fa), MM_ERR_INVALID);
	fa->leaf[1] |= (uint64_t)1 << 63;
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
		T(test_reserve_invalid_and_outside),
		T(test_reserve_partial_frames),
		T(test_reserve_in_use),
		T(test_reserve_merges),
		T(test_reserve_table_full),
		T(test_stats_runs),
		T(test_stats_largest_run_in_words),
		T(test_check_detects_corruption),
		T(test_check_padding),
		T(test_check_bad_counters),
		T(test_check_bad_low_word),
		T(test_check_bad_resv_table),
		T(test_check_bad_resv_marks),
		T(test_check_bad_level0),
		T(test_check_bad_tree_shape),
		T(test_check_bad_upper_levels),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
