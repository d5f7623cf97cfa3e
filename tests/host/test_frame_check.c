/*
 * Tests of the frame allocator's self-check, mm_frame_check: a deep copy of
 * a healthy allocator is corrupted one field at a time (counters, cursor,
 * reserved ranges and marks, summary levels, tree shapes, padding bits) and
 * each corruption must be reported as MM_ERR_INVALID.
 */
#include "frame_fixture.h"

/* A deep copy of the allocator to corrupt (see copy_take). */
static struct mm_frames bad;

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
		T(test_check_detects_corruption), T(test_check_padding),
		T(test_check_bad_counters),	  T(test_check_bad_low_word),
		T(test_check_bad_resv_table),	  T(test_check_bad_resv_marks),
		T(test_check_bad_level0),	  T(test_check_bad_tree_shape),
		T(test_check_bad_upper_levels),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
