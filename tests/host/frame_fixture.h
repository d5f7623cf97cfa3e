/*
 * The fixture shared by the host tests of the frame allocator (test_frame.c,
 * test_frame_alloc.c, test_frame_reserve.c, test_frame_check.c): the
 * allocator under test and the map it is built from, a snapshot to prove a
 * failed call changed nothing, the standard 8192-frame map, and the
 * metadata of the deep copy the self-check tests corrupt (freed by the
 * teardown).
 */
#ifndef FRAME_FIXTURE_H
#define FRAME_FIXTURE_H

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

/* The metadata of the deep copy test_frame_check.c corrupts. */
static void *bad_meta;

static inline int setup(void **state)
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

static inline int teardown(void **state)
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

static inline void add(uint64_t base, uint64_t length, mm_region_type_t type)
{
	assert_int_equal(mm_memmap_add(&map, base, length, type), MM_OK);
}

static inline void check_ok(void)
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
static inline void init_ok(void)
{
	meta_bytes = mm_frame_metadata_bytes(&map);
	assert_true(meta_bytes > 0);
	meta = malloc(meta_bytes);
	assert_non_null(meta);
	assert_int_equal(mm_frame_init(fa, &map, meta, meta_bytes), MM_OK);
	check_ok();
}

static inline struct mm_frame_stats stats(void)
{
	struct mm_frame_stats st;

	mm_frame_stats(fa, &st);
	return st;
}

static inline void snap_take(void)
{
	memcpy(snap_fa, fa, sizeof(*fa));
	free(snap_meta);
	snap_meta = malloc(meta_bytes);
	assert_non_null(snap_meta);
	memcpy(snap_meta, meta, meta_bytes);
	snap_st = stats();
}

/* Descriptor, metadata and stats are byte-for-byte what snap_take saw. */
static inline void snap_same(void)
{
	struct mm_frame_stats st = stats();

	assert_memory_equal(fa, snap_fa, sizeof(*fa));
	assert_memory_equal(meta, snap_meta, meta_bytes);
	assert_memory_equal(&st, &snap_st, sizeof(st));
	check_ok();
}

/*
 * The standard map, 8192 frames: usable frames [1, 256) and [512, 8192),
 * a reserved region [256, 512), the kernel at frame 1024.
 */
static inline void std_map(void)
{
	add(0x1000, 0xFF000, MM_REGION_USABLE);
	add(0x100000, 0x100000, MM_REGION_RESERVED);
	add(0x200000, 0x1E00000, MM_REGION_USABLE);
	add(0x400000, 0x1000, MM_REGION_KERNEL);
	assert_int_equal(mm_memmap_sanitize(&map), MM_OK);
	init_ok();
}

#define STD_FREE (255u + 7680u - 1u)

#endif /* FRAME_FIXTURE_H */
