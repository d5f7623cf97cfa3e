/*
 * The fixture shared by the host tests of the multiboot2 parser
 * (test_multiboot2.c, test_multiboot2_errors.c, test_multiboot2_qemu.c):
 * the info builder and the boot_info it is parsed into (poisoned before each
 * test), the parse of an exact-size heap copy of an info (so ASan catches
 * any read past it), module read-back, the checks of a sanitized map, and
 * the truncation of a valid info at every length.
 */
#ifndef MB2_FIXTURE_H
#define MB2_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../fuzz/mb2_builder.h"
#include "multiboot2.h"

static struct mb2b b;
static struct boot_info bi;

static inline int setup(void **state)
{
	(void)state;
	mb2b_init(&b);
	memset(&bi, 0xA5, sizeof(bi)); /* the parser must not rely on zeroes */
	return 0;
}

/*
 * The exact-size copy the last parse read: kept until the next parse, since
 * mb2_module() reads modules back from it (bi.info).
 */
static uint8_t *parsed;

/* After the last test: free the last parse's copy (kept for mb2_module). */
static inline int free_parsed(void **state)
{
	(void)state;
	free(parsed);
	parsed = NULL;
	return 0;
}

/* Parse the first `avail` bytes of `src`, copied into an exact-size buffer. */
static inline mm_status_t parse_bytes(const uint8_t *src, size_t avail)
{
	free(parsed);
	parsed = malloc(avail ? avail : 1);
	assert_non_null(parsed);
	memcpy(parsed, src, avail);
	return mb2_parse(parsed, avail, &bi);
}

/* Module i of the last parse, read back with mb2_module(). */
static inline struct boot_module mod(size_t i)
{
	struct boot_module m;

	assert_int_equal(mb2_module(&bi, i, &m), MM_OK);
	return m;
}

/* Finish the builder's info and parse all of it. */
static inline mm_status_t finish_and_parse(void)
{
	return parse_bytes(b.buf, mb2b_finish(&b));
}

static inline void expect_region(size_t i, uint64_t base, uint64_t end,
				 mm_region_type_t type)
{
	assert_true(i < bi.memmap.count);
	assert_int_equal(bi.memmap.regions[i].base, base);
	assert_int_equal(bi.memmap.regions[i].length, end - base);
	assert_int_equal(bi.memmap.regions[i].type, type);
}

/* Sorted, disjoint, non-empty: what mm_memmap_sanitize promises. */
static inline void expect_sane_map(const struct mm_memmap *map)
{
	assert_true(map->count <= MM_MEMMAP_CAPACITY);
	for (size_t i = 0; i < map->count; i++) {
		const struct mm_region *r = &map->regions[i];

		assert_true(r->length > 0);
		assert_true(r->base + r->length <= MM_PHYS_LIMIT);
		if (i > 0)
			assert_true(map->regions[i - 1].base +
					    map->regions[i - 1].length <=
				    r->base);
	}
}

/*
 * Every shorter readable length of the valid info [info, info + len) is
 * MM_ERR_INVALID, and so is every shorter total_size with as many bytes
 * readable (so the walk runs and meets the cut).
 */
static inline void check_truncations(const uint8_t *info, size_t len)
{
	uint8_t *orig = malloc(len);

	assert_non_null(orig);
	memcpy(orig, info, len);
	for (size_t avail = 0; avail < len; avail++)
		assert_int_equal(parse_bytes(orig, avail), MM_ERR_INVALID);
	for (size_t t = 16; t < len; t++) {
		mb2b_wr32(orig, (uint32_t)t);
		assert_int_equal(parse_bytes(orig, t), MM_ERR_INVALID);
	}
	free(orig);
}

#endif /* MB2_FIXTURE_H */
