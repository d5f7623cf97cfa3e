/*
 * Tests of the frame allocator at its edges: the 52-bit physical limit,
 * maps of exactly the region capacity, a free 1 GiB run past the first
 * 64 GiB, whole-space ranges, the frame-unit reserve call, a corrupted
 * reserved range, and the debug assertions at state changes (death tests:
 * a deliberately corrupted allocator must abort in a child process).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mm/assert.h"
#include "mm/frame.h"

#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)
#define FRAME  4096u

static struct mm_frames *fa;
static struct mm_memmap map;
static void *meta;

static int setup(void **state)
{
	(void)state;
	fa = malloc(sizeof(*fa));
	assert_non_null(fa);
	memset(fa, 0x5A, sizeof(*fa));
	mm_memmap_init(&map);
	meta = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(fa);
	free(meta);
	return 0;
}

static void add(uint64_t base, uint64_t length, mm_region_type_t type)
{
	assert_int_equal(mm_memmap_add(&map, base, length, type), MM_OK);
}

static void init_ok(void)
{
	size_t bytes = mm_frame_metadata_bytes(&map);

	assert_true(bytes > 0);
	meta = malloc(bytes);
	assert_non_null(meta);
	assert_int_equal(mm_frame_init(fa, &map, meta, bytes), MM_OK);
	assert_int_equal(mm_frame_check(fa), MM_OK);
}

static struct mm_frame_stats stats(void)
{
	struct mm_frame_stats st;

	mm_frame_stats(fa, &st);
	return st;
}

/* Words of a summary tree over n words: n, n/64, ... down to 1. */
static uint64_t tree_words(uint64_t n)
{
	uint64_t sum = n;

	while (n > 1) {
		n = (n + 63) / 64;
		sum += n;
	}
	return sum;
}

/* ---- the 52-bit physical limit ------------------------------------------ */

/*
 * A usable region ending exactly at 2^52 tracks 2^40 frames: the metadata
 * size is the layout's formula, and a buffer too small is NOMEM, untouched.
 */
static void test_map_ends_at_phys_limit(void **state)
{
	uint64_t frames = MM_PHYS_LIMIT / FRAME, leaf = frames / 64;
	uint64_t groups = leaf / 64, top = groups / 64;
	uint64_t words =
		leaf + groups + 2 * top + tree_words(groups) + tree_words(top);
	uint64_t small[8];
	struct mm_frames before;

	(void)state;
	add(MM_PHYS_LIMIT - MiB(64), MiB(64), MM_REGION_USABLE);
	add(MM_PHYS_LIMIT, MiB(64), MM_REGION_USABLE); /* clipped away */
	assert_int_equal(mm_frame_metadata_bytes(&map), words * 8);
	memcpy(&before, fa, sizeof(before));
	assert_int_equal(mm_frame_init(fa, &map, small, sizeof(small)),
			 MM_ERR_NOMEM);
	assert_memory_equal(&before, fa, sizeof(before));
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	assert_int_equal(map.count, 1);
	assert_int_equal(mm_memmap_usable_end(&map), MM_PHYS_LIMIT);
}

/* A reserved region ending at 2^52 above the usable one changes nothing. */
static void test_reserved_to_phys_limit(void **state)
{
	(void)state;
	add(0, MiB(1), MM_REGION_USABLE);
	add(MiB(1), MM_PHYS_LIMIT - MiB(1), MM_REGION_RESERVED);
	init_ok();
	assert_int_equal(stats().total_frames, MiB(1) / FRAME);
	assert_int_equal(stats().free_frames, MiB(1) / FRAME);
}

/* ---- odd maps ------------------------------------------------------------ */

/* A zero-length reserved region at an unaligned address reserves nothing. */
static void test_zero_length_nonusable_unaligned(void **state)
{
	(void)state;
	add(0, MiB(1), MM_REGION_USABLE);
	add(0x12345, 0, MM_REGION_RESERVED);
	add(0x23457, 0, MM_REGION_BAD);
	init_ok();
	assert_int_equal(stats().free_frames, MiB(1) / FRAME);
	assert_int_equal(stats().reserved_frames, 0);
	assert_true(mm_frame_is_free(fa, 0x12345 / FRAME));
	assert_true(mm_frame_is_free(fa, 0x23457 / FRAME));
}

/*
 * Exactly MM_MEMMAP_CAPACITY regions (usable frames between reserved ones)
 * init; one more is MM_ERR_INVALID with metadata 0 and *fa untouched.
 */
static void test_init_exact_region_capacity(void **state)
{
	struct mm_frames before;
	uint64_t buf[64];

	(void)state;
	for (unsigned i = 0; i < MM_MEMMAP_CAPACITY; i++)
		add((uint64_t)i * FRAME, FRAME,
		    i % 2 ? MM_REGION_RESERVED : MM_REGION_USABLE);
	assert_int_equal(map.count, MM_MEMMAP_CAPACITY);
	init_ok();
	assert_int_equal(stats().free_frames, MM_MEMMAP_CAPACITY / 2);
	assert_int_equal(fa->nresv, MM_MEMMAP_CAPACITY / 2 - 1);
	map.count = MM_MEMMAP_CAPACITY + 1; /* written by hand: too many */
	assert_int_equal(mm_frame_metadata_bytes(&map), 0);
	memcpy(&before, fa, sizeof(before));
	assert_int_equal(mm_frame_init(fa, &map, buf, sizeof(buf)),
			 MM_ERR_INVALID);
	assert_memory_equal(&before, fa, sizeof(before));
}

/*
 * A raw map that sanitize refuses (its overlaps would need more than the
 * capacity) is refused by init too: one rule, sanitize's.
 */
static void test_init_unsanitizable_raw_map(void **state)
{
	uint64_t buf[64];

	(void)state;
	for (unsigned i = 0; i < MM_MEMMAP_CAPACITY / 2; i++) {
		add(MiB(4) * i, MiB(3), MM_REGION_USABLE);
		add(MiB(4) * i + MiB(1), MiB(1), MM_REGION_RESERVED);
	}
	assert_int_equal(mm_frame_metadata_bytes(&map), 0);
	assert_int_equal(mm_frame_init(fa, &map, buf, sizeof(buf)),
			 MM_ERR_INVALID);
}

/* ---- big spaces ---------------------------------------------------------- */

/*
 * Above 64 GiB (the second empty16m word) the only free 1 GiB run is found;
 * one frame taken from it leaves none.
 */
static void test_only_free_1g_at_top_over_64g(void **state)
{
	mm_pfn_t top = GiB(65) / FRAME, pfn = 0;

	(void)state;
	add(0, GiB(66), MM_REGION_USABLE);
	init_ok();
	assert_int_equal(mm_frame_reserve(fa, 0, top), MM_OK);
	assert_int_equal(stats().free_1g_runs, 1);
	assert_int_equal(mm_frame_alloc_contig(fa, MM_FRAMES_1G, MM_FRAMES_1G,
					       MM_FRAME_NO_LIMIT, &pfn),
			 MM_OK);
	assert_int_equal(pfn, top);
	assert_int_equal(mm_frame_free(fa, top + 5), MM_OK);
	assert_int_equal(mm_frame_alloc_contig(fa, MM_FRAMES_1G, MM_FRAMES_1G,
					       MM_FRAME_NO_LIMIT, &pfn),
			 MM_ERR_NOMEM);
	assert_int_equal(mm_frame_check(fa), MM_OK);
}

/* ---- whole-space ranges ---------------------------------------------------- */

/*
 * mm_frame_free_contig(fa, 0, UINT64_MAX) runs past the tracked frames:
 * OUT_OF_RANGE when all are allocated, NOT_ALLOCATED when one is free;
 * from pfn 1 the range wraps: INVALID. Nothing changes.
 */
static void test_free_contig_whole_space(void **state)
{
	mm_pfn_t pfn;

	(void)state;
	add(0, 64 * FRAME, MM_REGION_USABLE);
	init_ok();
	while (mm_frame_alloc(fa, &pfn) == MM_OK)
		;
	assert_int_equal(mm_frame_free_contig(fa, 0, UINT64_MAX),
			 MM_ERR_OUT_OF_RANGE);
	assert_int_equal(mm_frame_free_contig(fa, 1, UINT64_MAX),
			 MM_ERR_INVALID);
	assert_int_equal(mm_frame_free(fa, 7), MM_OK);
	assert_int_equal(mm_frame_free_contig(fa, 0, UINT64_MAX),
			 MM_ERR_NOT_ALLOCATED);
	assert_int_equal(stats().free_frames, 1);
	assert_int_equal(mm_frame_check(fa), MM_OK);
}

/* ---- reserve in frames --------------------------------------------------- */

/*
 * mm_frame_reserve counts frames: count 0 and wrapping ranges are INVALID,
 * the range past the tracked end is skipped, and it equals the byte twin.
 */
static void test_reserve_frames_unit(void **state)
{
	(void)state;
	add(0, 64 * FRAME, MM_REGION_USABLE);
	init_ok();
	assert_int_equal(mm_frame_reserve(fa, 3, 0), MM_ERR_INVALID);
	assert_int_equal(mm_frame_reserve(fa, 3, UINT64_MAX), MM_ERR_INVALID);
	assert_int_equal(mm_frame_reserve(fa, 60, 100), MM_OK);
	assert_int_equal(stats().reserved_frames, 4);
	assert_int_equal(mm_frame_reserve(fa, 1000, 1), MM_OK);
	assert_int_equal(mm_frame_reserve(fa, 10, 2), MM_OK);
	assert_true(mm_frame_is_reserved(fa, 10) &&
		    mm_frame_is_reserved(fa, 11));
	assert_false(mm_frame_is_reserved(fa, 12));
	assert_int_equal(mm_frame_reserve_bytes(fa, 20 * FRAME + 1, FRAME),
			 MM_OK); /* touches frames 20 and 21 */
	assert_true(mm_frame_is_reserved(fa, 21));
	assert_int_equal(stats().reserved_frames, 8);
	assert_int_equal(mm_frame_check(fa), MM_OK);
}

/* A reserved range corrupted to start == end fails the self-check. */
static void test_check_resv_empty_range(void **state)
{
	(void)state;
	add(0, 64 * FRAME, MM_REGION_USABLE);
	init_ok();
	assert_int_equal(mm_frame_reserve(fa, 10, 1), MM_OK);
	assert_int_equal(fa->nresv, 1);
	fa->resv[0].end = fa->resv[0].start;
	fa->reserved_frames = 0;
	assert_int_equal(mm_frame_check(fa), MM_ERR_INVALID);
}

/*
 * A full allocator: no free run at all (largest_free_run 0, not the run of
 * one frame a word scan could claim), a reservation that starts exactly at
 * the tracked end changes nothing, and a low_word past the last leaf word
 * fails the self-check even though every frame below it is used.
 */
static void test_full_allocator_edges(void **state)
{
	struct mm_frames before;
	mm_pfn_t pfn;

	(void)state;
	add(0, 128 * FRAME, MM_REGION_USABLE);
	init_ok();
	while (mm_frame_alloc(fa, &pfn) == MM_OK)
		continue;
	assert_int_equal(stats().free_frames, 0);
	assert_int_equal(stats().largest_free_run, 0);
	before = *fa;
	assert_int_equal(mm_frame_reserve(fa, 128, 1), MM_OK);
	assert_memory_equal(&before, fa, sizeof(before));
	assert_int_equal(mm_frame_check(fa), MM_OK);
	fa->low_word = 2; /* the number of leaf words: one past the last */
	assert_int_equal(mm_frame_check(fa), MM_ERR_INVALID);
}

/*
 * A map of exactly 64 groups of 4096 frames (1 GiB): the reserved-hint
 * bitmap is one whole word. Reserving the last frame marks the last group
 * and nothing past it: the self-check holds, the 1 GiB run is gone, and
 * every other frame is still handed out.
 */
static void test_reserve_last_frame_of_whole_hint_word(void **state)
{
	uint64_t n = 0;
	mm_pfn_t pfn;

	(void)state;
	add(0, GiB(1), MM_REGION_USABLE);
	init_ok();
	assert_int_equal(mm_frame_reserve(fa, GiB(1) / FRAME - 1u, 1), MM_OK);
	assert_int_equal(mm_frame_check(fa), MM_OK);
	assert_int_equal(stats().free_1g_runs, 0);
	while (mm_frame_alloc(fa, &pfn) == MM_OK)
		n++;
	assert_int_equal(n, GiB(1) / FRAME - 1u);
	assert_int_equal(mm_frame_check(fa), MM_OK);
}

/* ---- debug assertions at state changes (death tests) ---------------------- */

/*
 * Run fn in a child; true iff it died by SIGABRT after printing a libmm
 * assertion message (so any other crash does not count).
 */
static bool dies_by_assert(void (*fn)(void))
{
	int fds[2], status;
	char buf[512] = {0};
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		fn();
		_exit(0);
	}
	close(fds[1]);
	assert_true(read(fds[0], buf, sizeof(buf) - 1) >= 0);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT &&
	       strstr(buf, "libmm assertion failed") != NULL;
}

/* A leaf bit set behind the summaries' back inside a free 2 MiB run. */
static void contig_over_corrupt_leaf(void)
{
	mm_pfn_t pfn;

	fa->leaf[8] |= 1; /* frame 512: first of the second 2 MiB run */
	fa->leaf[0] = ~(uint64_t)0; /* and the first run is no longer free */
	fa->empty[0] &= ~(uint64_t)0xFF;
	mm_frame_alloc_contig(fa, MM_FRAMES_2M, MM_FRAMES_2M, MM_FRAME_NO_LIMIT,
			      &pfn);
}

/* Leaf words 0 and 1 filled behind the avail summary's back. */
static void alloc_over_stale_summary(void)
{
	mm_pfn_t pfn;

	fa->leaf[0] = ~(uint64_t)0;
	fa->leaf[1] = ~(uint64_t)0;
	mm_frame_alloc(fa, &pfn);
}

/* The free counter says 0 while the bitmap has free frames. */
static void alloc_with_zero_counter(void)
{
	mm_pfn_t pfn;

	fa->free_frames = 0;
	mm_frame_alloc(fa, &pfn);
}

/* The free counter says every frame is free while one is allocated. */
static void free_with_full_counter(void)
{
	fa->free_frames = fa->total_frames;
	mm_frame_free(fa, 0);
}

/* The free counter says 0 while the frame to reserve is free. */
static void reserve_with_zero_counter(void)
{
	fa->free_frames = 0;
	mm_frame_reserve(fa, 100, 1);
}

/*
 * The cursor word's avail bit set behind the allocator's back (it is held
 * clear): a free at the cursor gives the bit back, and finds it set.
 */
static void free_at_cursor_with_bit_set(void)
{
	uint64_t c = fa->low_word;

	fa->avail.level[0][c >> 6] |= (uint64_t)1 << (c & 63);
	mm_frame_free_contig(fa, 0, 1);
}

/* The same, for a contiguous free (its counter check comes last). */
static void free_contig_with_full_counter(void)
{
	fa->free_frames = fa->total_frames;
	mm_frame_free_contig(fa, 0, 1);
}

/*
 * Each corruption trips a debug assertion at the state change that would
 * spread it; the untouched allocator in the parent still checks clean.
 */
static void test_debug_asserts_trip(void **state)
{
	mm_pfn_t pfn;

	(void)state;
	if (!MM_DEBUG_ON)
		skip(); /* Release build: the assertions are compiled out */
	add(0, MiB(8), MM_REGION_USABLE);
	init_ok();
	assert_true(dies_by_assert(contig_over_corrupt_leaf));
	assert_true(dies_by_assert(alloc_over_stale_summary));
	assert_true(dies_by_assert(alloc_with_zero_counter));
	assert_int_equal(mm_frame_alloc(fa, &pfn), MM_OK);
	assert_int_equal(pfn, 0);
	assert_true(dies_by_assert(free_with_full_counter));
	assert_true(dies_by_assert(free_contig_with_full_counter));
	assert_true(dies_by_assert(free_at_cursor_with_bit_set));
	assert_true(dies_by_assert(reserve_with_zero_counter));
	assert_int_equal(mm_frame_check(fa), MM_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_map_ends_at_phys_limit),
		T(test_reserved_to_phys_limit),
		T(test_zero_length_nonusable_unaligned),
		T(test_init_exact_region_capacity),
		T(test_init_unsanitizable_raw_map),
		T(test_only_free_1g_at_top_over_64g),
		T(test_free_contig_whole_space),
		T(test_reserve_frames_unit),
		T(test_check_resv_empty_range),
		T(test_full_allocator_edges),
		T(test_reserve_last_frame_of_whole_hint_word),
		T(test_debug_asserts_trip),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
