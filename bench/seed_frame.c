/*
 * The seed baseline: a faithful C model of the seed's flat-bitmap frame
 * allocator, kept only for the benchmarks. It owns one static bitmap of
 * SEED_FRAME_CAPACITY bits and the hint. Everything is done one bit at a
 * time on purpose: the seed has no word-at-a-time skip of full words, no
 * summary levels, no contiguous allocation and no error checking, and
 * modelling it any faster would flatter the comparison.
 */
#include <string.h>

#include "seed_frame.h"

static uint8_t bitmap[SEED_FRAME_CAPACITY / 8];
static uint64_t hint;

static bool test_bit(uint64_t i)
{
	return (bitmap[i >> 3] >> (i & 7u)) & 1u;
}

static void set_bit(uint64_t i)
{
	bitmap[i >> 3] |= (uint8_t)(1u << (i & 7u));
}

static void clear_bit(uint64_t i)
{
	bitmap[i >> 3] &= (uint8_t) ~(1u << (i & 7u));
}

/* Free the whole frames of [base, base + length) below the capacity. */
static void free_region(uint64_t base, uint64_t length)
{
	uint64_t first = (base + MM_FRAME_SIZE - 1) >> MM_PAGE_SHIFT;
	uint64_t end = (base + length) >> MM_PAGE_SHIFT;

	if (end > SEED_FRAME_CAPACITY)
		end = SEED_FRAME_CAPACITY;
	for (uint64_t i = first; i < end; i++)
		clear_bit(i);
}

void seed_frame_init(const struct mm_memmap *map)
{
	for (uint64_t i = 0; i < SEED_FRAME_CAPACITY; i++)
		set_bit(i);
	for (size_t r = 0; r < map->count; r++) {
		const struct mm_region *reg = &map->regions[r];

		if (reg->type == MM_REGION_USABLE)
			free_region(reg->base, reg->length);
	}
	hint = 0;
}

/* First clear bit in [from, to), or `to` when there is none. */
static uint64_t scan_bits(uint64_t from, uint64_t to)
{
	uint64_t i = from;

	while (i < to && test_bit(i))
		i++;
	return i;
}

/* The same, stepping over whole 64-bit words of ones (not the seed). */
static uint64_t scan_words(uint64_t from, uint64_t to)
{
	uint64_t i = from, w;

	while (i < to && (i & 63u) && test_bit(i))
		i++;
	while (i + 64 <= to) {
		memcpy(&w, &bitmap[i >> 3], sizeof(w));
		if (w != UINT64_MAX)
			break;
		i += 64;
	}
	return scan_bits(i, to);
}

static uint64_t (*scan)(uint64_t from, uint64_t to) = scan_bits;

void seed_frame_set_word_skip(bool on)
{
	scan = on ? scan_words : scan_bits;
}

bool seed_frame_alloc(uint64_t *pfn)
{
	uint64_t i = scan(hint, SEED_FRAME_CAPACITY);

	if (i == SEED_FRAME_CAPACITY) {
		i = scan(0, hint);
		if (i == hint)
			return false;
	}
	set_bit(i);
	hint = i + 1;
	*pfn = i;
	return true;
}

bool seed_frame_free(uint64_t pfn)
{
	if (pfn >= SEED_FRAME_CAPACITY)
		return false;
	clear_bit(pfn);
	if (pfn < hint)
		hint = pfn;
	return true;
}

bool seed_frame_used(uint64_t pfn)
{
	return pfn < SEED_FRAME_CAPACITY && test_bit(pfn);
}

void seed_frame_load(bool (*used)(void *ctx, uint64_t pfn), void *ctx,
		     uint64_t frames, uint64_t hint_pfn)
{
	for (uint64_t i = 0; i < SEED_FRAME_CAPACITY; i++) {
		if (i >= frames || used(ctx, i))
			set_bit(i);
		else
			clear_bit(i);
	}
	hint = hint_pfn;
}
