/*
 * The seed baseline: a C model of the seed's flat-bitmap frame allocator
 * (frame.rs), kept only for the benchmarks and checked by
 * bench/seed_frame_test.c. It owns one static array of SEED_FRAME_WORDS
 * 64-bit words, the free and usable counts and the hint, and follows the
 * seed's code rule by rule: init writes whole words of ones and frees
 * usable frames one bit at a time; allocation skips words equal to all
 * ones from the hint's word on, then wraps once; a double free is ignored.
 * Left out: the global spin lock taken around each call, and the calls the
 * benchmarks never make (allocate_specific, reserve_kernel).
 */
#include "seed_frame.h"

static uint64_t bitmap[SEED_FRAME_WORDS];
static uint64_t total_frames, free_frames, hint;
static bool initialized;

static bool seed_is_allocated(uint64_t pfn)
{
	return (bitmap[pfn / 64] >> (pfn % 64)) & 1u;
}

static void seed_mark_used(uint64_t pfn)
{
	bitmap[pfn / 64] |= (uint64_t)1 << (pfn % 64);
}

static void seed_mark_free(uint64_t pfn)
{
	bitmap[pfn / 64] &= ~((uint64_t)1 << (pfn % 64));
}

/* The whole frames of [base, base + length), one bit at a time. */
static void seed_free_region(uint64_t base, uint64_t length)
{
	uint64_t first = base >> MM_PAGE_SHIFT;
	uint64_t last = (base + length) >> MM_PAGE_SHIFT;

	if (base & (MM_FRAME_SIZE - 1))
		first++;
	for (uint64_t pfn = first; pfn < last; pfn++) {
		if (pfn < SEED_FRAME_CAPACITY) {
			seed_mark_free(pfn);
			total_frames++;
			free_frames++;
		}
	}
}

void seed_frame_init(const struct mm_memmap *map)
{
	for (uint64_t w = 0; w < SEED_FRAME_WORDS; w++)
		bitmap[w] = ~(uint64_t)0;
	total_frames = 0;
	free_frames = 0;
	for (size_t r = 0; r < map->count; r++) {
		const struct mm_region *reg = &map->regions[r];

		if (reg->type == MM_REGION_USABLE)
			seed_free_region(reg->base, reg->length);
	}
	initialized = true;
	hint = 0;
}

/* First word in [from, to) that is not all ones, or `to`. */
static uint64_t seed_scan(uint64_t from, uint64_t to)
{
	uint64_t w = from;

	while (w < to && bitmap[w] == ~(uint64_t)0)
		w++;
	return w;
}

enum seed_status seed_frame_alloc(uint64_t *pfn)
{
	uint64_t start, w, frame;

	if (!initialized)
		return SEED_NOT_INITIALIZED;
	if (free_frames == 0)
		return SEED_OUT_OF_MEMORY;
	start = hint / 64;
	w = seed_scan(start, SEED_FRAME_WORDS);
	if (w == SEED_FRAME_WORDS) {
		w = seed_scan(0, start);
		if (w == start)
			return SEED_OUT_OF_MEMORY;
	}
	frame = w * 64 + (uint64_t)__builtin_ctzll(~bitmap[w]);
	seed_mark_used(frame);
	free_frames--;
	hint = frame + 1;
	*pfn = frame;
	return SEED_OK;
}

enum seed_status seed_frame_free(uint64_t pfn)
{
	if (!initialized)
		return SEED_NOT_INITIALIZED;
	if (pfn >= SEED_FRAME_CAPACITY)
		return SEED_INVALID_FRAME;
	if (!seed_is_allocated(pfn))
		return SEED_OK;
	seed_mark_free(pfn);
	free_frames++;
	if (pfn < hint)
		hint = pfn;
	return SEED_OK;
}

bool seed_frame_used(uint64_t pfn)
{
	return pfn < SEED_FRAME_CAPACITY && seed_is_allocated(pfn);
}

uint64_t seed_frame_free_count(void)
{
	return free_frames;
}

uint64_t seed_frame_total_count(void)
{
	return total_frames;
}

uint64_t seed_frame_hint(void)
{
	return hint;
}

void seed_frame_load(bool (*used)(void *ctx, uint64_t pfn), void *ctx,
		     uint64_t frames, uint64_t hint_pfn)
{
	free_frames = 0;
	for (uint64_t pfn = 0; pfn < SEED_FRAME_CAPACITY; pfn++) {
		if (pfn >= frames || used(ctx, pfn)) {
			seed_mark_used(pfn);
		} else {
			seed_mark_free(pfn);
			free_frames++;
		}
	}
	hint = hint_pfn;
}
