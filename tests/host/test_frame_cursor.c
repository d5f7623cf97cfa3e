/*
 * Tests of the frame allocator's cursor (low_word, next_word): the lowest
 * leaf word with a free frame, whose avail bit is held clear. Allocations
 * and frees around it, the searches that must read its leaf word
 * themselves, the metadata staying a function of the leaf, and the
 * self-check's cursor rules each broken on purpose.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mm/frame.h"

#define FRAME  4096u
#define BIT(i) ((uint64_t)1 << ((i) % 64))

static struct mm_frames fa;
static struct mm_memmap map;
static void *meta, *snap;
static size_t meta_bytes;

static int setup(void **state)
{
	(void)state;
	memset(&fa, 0x5A, sizeof(fa));
	mm_memmap_init(&map);
	meta = NULL;
	snap = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(meta);
	free(snap);
	return 0;
}

static void check_ok(void)
{
	assert_int_equal(mm_frame_check(&fa), MM_OK);
}

static void check_bad(void)
{
	assert_int_equal(mm_frame_check(&fa), MM_ERR_INVALID);
}

/*
 * 8192 frames: 0 reserved, 1..255 free, 256..511 reserved, 512..1023 free,
 * 1024 reserved, 1025..8191 free (two groups of 4096).
 */
static void init_std(void)
{
	assert_int_equal(mm_memmap_add(&map, 0x1000, 0xFF000, MM_REGION_USABLE),
			 MM_OK);
	assert_int_equal(
		mm_memmap_add(&map, 0x200000, 0x1E00000, MM_REGION_USABLE),
		MM_OK);
	assert_int_equal(
		mm_memmap_add(&map, 0x400000, 0x1000, MM_REGION_KERNEL), MM_OK);
	meta_bytes = mm_frame_metadata_bytes(&map);
	meta = malloc(meta_bytes);
	assert_non_null(meta);
	assert_int_equal(mm_frame_init(&fa, &map, meta, meta_bytes), MM_OK);
	check_ok();
}

static mm_pfn_t alloc_one(void)
{
	mm_pfn_t pfn = 0;

	assert_int_equal(mm_frame_alloc(&fa, &pfn), MM_OK);
	check_ok();
	return pfn;
}

static void free_one(mm_pfn_t pfn)
{
	assert_int_equal(mm_frame_free(&fa, pfn), MM_OK);
	check_ok();
}

static void snap_take(void)
{
	free(snap);
	snap = malloc(meta_bytes);
	assert_non_null(snap);
	memcpy(snap, meta, meta_bytes);
}

/* Every byte of the metadata is what snap_take saw. */
static void snap_same(void)
{
	assert_memory_equal(meta, snap, meta_bytes);
}

/* The avail bit of leaf word wi, as stored. */
static bool avail_bit(uint64_t wi)
{
	return (fa.avail.level[0][wi / 64] & BIT(wi)) != 0;
}

/* ---- the cursor follows the state ------------------------------------ */

/* Init puts the cursor on word 0 (frames 1..63 free), its bit clear. */
static void test_cursor_after_init(void **state)
{
	(void)state;
	init_std();
	assert_int_equal(fa.low_word, 0);
	assert_false(avail_bit(0));
	assert_true(avail_bit(1));
}

/* Filling the cursor word moves the cursor on, past the reserved words. */
static void test_cursor_moves_when_word_fills(void **state)
{
	(void)state;
	init_std();
	for (mm_pfn_t want = 1; want < 256; want++)
		assert_int_equal(alloc_one(), want);
	assert_int_equal(fa.low_word, 512 / 64); /* words 4..7 reserved */
	assert_false(avail_bit(8));
	assert_false(avail_bit(3)); /* full: clear because it is false */
}

/* A free below the cursor moves the cursor down; the alloc takes it back. */
static void test_cursor_free_below(void **state)
{
	(void)state;
	init_std();
	for (int i = 0; i < 200; i++)
		alloc_one();
	assert_int_equal(fa.low_word, 201 / 64);
	free_one(70);
	assert_int_equal(fa.low_word, 1);
	assert_true(avail_bit(201 / 64)); /* no longer the cursor */
	assert_int_equal(alloc_one(), 70);
	assert_int_equal(fa.low_word, 201 / 64);
	assert_int_equal(alloc_one(), 201);
}

/* Frees above the cursor set their word's bit; allocation order holds. */
static void test_cursor_free_above(void **state)
{
	(void)state;
	init_std();
	for (int i = 0; i < 200; i++)
		alloc_one();
	free_one(100);
	assert_int_equal(fa.low_word, 1);
	free_one(150);
	assert_int_equal(fa.low_word, 1);
	assert_true(avail_bit(2));
	assert_int_equal(alloc_one(), 100);
	assert_int_equal(fa.low_word, 2);
	assert_int_equal(alloc_one(), 150);
	assert_int_equal(alloc_one(), 201);
}

/* Exhaust the allocator, the last frame taken by a range (frame 5). */
static void exhaust_by_range(void)
{
	mm_pfn_t pfn = 0;

	while (mm_frame_alloc(&fa, &pfn) == MM_OK)
		;
	assert_int_equal(fa.low_word, 8192 / 64 - 1);
	free_one(5);
	assert_int_equal(fa.low_word, 0);
	assert_int_equal(
		mm_frame_alloc_contig(&fa, 1, 1, MM_FRAME_NO_LIMIT, &pfn),
		MM_OK);
	assert_int_equal(pfn, 5);
	check_ok();
	assert_int_equal(fa.free_frames, 0);
}

/* With nothing free the cursor rests on the last word; a free below it
 * takes it there. */
static void test_cursor_rests_when_nothing_free(void **state)
{
	(void)state;
	init_std();
	exhaust_by_range();
	assert_int_equal(fa.low_word, 8192 / 64 - 1);
	free_one(600);
	assert_int_equal(fa.low_word, 600 / 64);
	assert_false(avail_bit(600 / 64));
	assert_false(avail_bit(8192 / 64 - 1)); /* full, so not set */
	assert_int_equal(alloc_one(), 600);
	assert_int_equal(fa.low_word, 8192 / 64 - 1);
	free_one(8191); /* into the resting word itself */
	assert_int_equal(alloc_one(), 8191);
}

/* The same for a range freed below the resting cursor. */
static void test_cursor_rests_range_free(void **state)
{
	(void)state;
	init_std();
	exhaust_by_range();
	assert_int_equal(mm_frame_free_contig(&fa, 600, 3), MM_OK);
	check_ok();
	assert_int_equal(fa.low_word, 600 / 64);
	assert_int_equal(alloc_one(), 600);
}

/*
 * 1 GiB (a whole level-1 summary word): with the last group reserved, the
 * search after the cursor word fills climbs past the last level-0 word
 * and finds nothing.
 */
static void test_cursor_search_past_last_group(void **state)
{
	mm_pfn_t pfn = 0;

	(void)state;
	assert_int_equal(
		mm_memmap_add(&map, 0, (uint64_t)1 << 30, MM_REGION_USABLE),
		MM_OK);
	meta_bytes = mm_frame_metadata_bytes(&map);
	meta = malloc(meta_bytes);
	assert_non_null(meta);
	assert_int_equal(mm_frame_init(&fa, &map, meta, meta_bytes), MM_OK);
	assert_int_equal(mm_frame_reserve(&fa, 4032 * 64, 64 * 64), MM_OK);
	assert_int_equal(mm_frame_alloc_contig(&fa, 4031 * 64, 1,
					       MM_FRAME_NO_LIMIT, &pfn),
			 MM_OK);
	check_ok();
	assert_int_equal(fa.low_word, 4031);
	for (int i = 0; i < 64; i++)
		assert_int_equal(alloc_one(), 4031 * 64 + (mm_pfn_t)i);
	assert_int_equal(fa.free_frames, 0);
	assert_int_equal(fa.low_word, 4095); /* rests on the last word */
	assert_int_equal(mm_frame_alloc(&fa, &pfn), MM_ERR_NOMEM);
}

/* ---- searches that pass the cursor ------------------------------------ */

/* A contiguous search from frame 0 finds the free frames of the cursor
 * word, whose avail bit says nothing. */
static void test_contig_finds_cursor_word(void **state)
{
	mm_pfn_t pfn = 0;

	(void)state;
	init_std();
	for (int i = 0; i < 64; i++)
		alloc_one(); /* 1..64: word 0 full, cursor on word 1 */
	assert_int_equal(fa.low_word, 1);
	assert_int_equal(
		mm_frame_alloc_contig(&fa, 1, 1, MM_FRAME_NO_LIMIT, &pfn),
		MM_OK);
	assert_int_equal(pfn, 65);
	check_ok();
	assert_int_equal(
		mm_frame_alloc_contig(&fa, 4, 4, MM_FRAME_NO_LIMIT, &pfn),
		MM_OK);
	assert_int_equal(pfn, 68);
	check_ok();
}

/* free_contig below the cursor and a reserve over it move the cursor. */
static void test_range_ops_reset_cursor(void **state)
{
	(void)state;
	init_std();
	for (int i = 0; i < 200; i++)
		alloc_one();
	assert_int_equal(mm_frame_free_contig(&fa, 10, 5), MM_OK);
	check_ok();
	assert_int_equal(fa.low_word, 0);
	assert_int_equal(mm_frame_reserve(&fa, 10, 5), MM_OK);
	check_ok();
	assert_int_equal(fa.low_word, 201 / 64);
	assert_int_equal(alloc_one(), 201);
}

/* ---- the metadata is a function of the leaf --------------------------- */

/* Allocate n frames, then free them in reverse or in the same order. */
static void round_trip(unsigned n, bool reverse)
{
	mm_pfn_t got[300];

	assert_true(n <= 300);
	for (unsigned i = 0; i < n; i++)
		got[i] = alloc_one();
	for (unsigned i = 0; i < n; i++)
		free_one(got[reverse ? n - 1 - i : i]);
}

/*
 * Allocations that fill the cursor word, jump the reserved words or cross
 * into the next group, freed again in either order: every metadata byte
 * and the cursor are as before (a failed page-table map relies on it).
 */
static void test_round_trip_same_bytes(void **state)
{
	static const unsigned counts[] = {1, 63, 64, 255, 300};
	uint64_t low;

	(void)state;
	init_std();
	for (int i = 0; i < 40; i++)
		alloc_one();
	for (int step = 0; step < 2; step++) {
		snap_take();
		low = fa.low_word;
		for (unsigned k = 0; k < sizeof(counts) / sizeof(counts[0]);
		     k++) {
			round_trip(counts[k], k % 2 == 0);
			snap_same();
			assert_int_equal(fa.low_word, low);
		}
		/* again with the cursor in the second group */
		for (int i = 0; step == 0 && i < 4200; i++)
			alloc_one();
	}
}

/* Failed calls on a full allocator change no byte and leave the cursor. */
static void test_nomem_changes_nothing(void **state)
{
	mm_pfn_t pfn = 77;
	struct mm_frames before;

	(void)state;
	init_std();
	while (mm_frame_alloc(&fa, &pfn) == MM_OK)
		;
	snap_take();
	memcpy(&before, &fa, sizeof(fa));
	pfn = 77;
	assert_int_equal(mm_frame_alloc(&fa, &pfn), MM_ERR_NOMEM);
	assert_int_equal(
		mm_frame_alloc_contig(&fa, 1, 1, MM_FRAME_NO_LIMIT, &pfn),
		MM_ERR_NOMEM);
	assert_int_equal(pfn, 77);
	snap_same();
	assert_memory_equal(&fa, &before, sizeof(fa));
	check_ok();
}

/* ---- the self-check's cursor rules ------------------------------------ */

/* The cursor word's avail bit set (it has free frames) is rejected. */
static void test_check_cursor_bit_set(void **state)
{
	(void)state;
	init_std();
	fa.avail.level[0][0] |= BIT(0); /* the level-0 word stays non-zero */
	check_bad();
	fa.avail.level[0][0] &= ~BIT(0);
	check_ok();
}

/* A cursor on a full word while frames are free is rejected, and so is
 * one resting anywhere but on the last word when nothing is free. */
static void test_check_cursor_on_full_word(void **state)
{
	(void)state;
	init_std();
	fa.leaf[0] = ~(uint64_t)0; /* frames 1..63 taken behind its back */
	fa.free_frames -= 63;
	check_bad();
	fa.leaf[0] = 1;
	fa.free_frames += 63;
	check_ok();
	exhaust_by_range();
	fa.low_word = 0;
	fa.next_word = 1;
	check_bad();
	fa.low_word = 8192 / 64 - 1;
	fa.next_word = 8192 / 64;
	check_ok();
}

/* next_word at or below the cursor, past the leaf, or past a free word. */
static void test_check_bad_next_word(void **state)
{
	uint64_t save;

	(void)state;
	init_std();
	save = fa.next_word;
	fa.next_word = fa.low_word;
	check_bad();
	fa.next_word = 8192 / 64 + 1;
	check_bad();
	fa.next_word = 3; /* words 1 and 2 have free frames */
	check_bad();
	fa.next_word = save;
	check_ok();
	fa.low_word = 1; /* word 0 below it has free frames */
	fa.next_word = 2;
	check_bad();
	fa.low_word = 0;
	fa.next_word = save;
	check_ok();
}

/*
 * Frame 0 free below a cursor moved up behind the allocator's back, with
 * the avail bits made to match (word 0 set, the cursor's word clear): only
 * the rule that every word below the cursor is full can see it, and it must
 * see frame 0, the very first bit.
 */
static void test_check_frame_zero_below_cursor(void **state)
{
	(void)state;
	assert_int_equal(
		mm_memmap_add(&map, 0, 8192 * 4096ull, MM_REGION_USABLE),
		MM_OK);
	meta_bytes = mm_frame_metadata_bytes(&map);
	meta = malloc(meta_bytes);
	assert_non_null(meta);
	assert_int_equal(mm_frame_init(&fa, &map, meta, meta_bytes), MM_OK);
	for (int i = 0; i < 200; i++)
		alloc_one();
	free_one(0);
	assert_int_equal(fa.low_word, 0);
	fa.low_word = 3;
	fa.next_word = 4;
	fa.avail.level[0][0] |= BIT(0);
	fa.avail.level[0][0] &= ~BIT(3);
	check_bad();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_check_frame_zero_below_cursor),
		T(test_cursor_after_init),
		T(test_cursor_moves_when_word_fills),
		T(test_cursor_free_below),
		T(test_cursor_free_above),
		T(test_cursor_rests_when_nothing_free),
		T(test_cursor_rests_range_free),
		T(test_cursor_search_past_last_group),
		T(test_contig_finds_cursor_word),
		T(test_range_ops_reset_cursor),
		T(test_round_trip_same_bytes),
		T(test_nomem_changes_nothing),
		T(test_check_cursor_bit_set),
		T(test_check_cursor_on_full_word),
		T(test_check_bad_next_word),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
