/*
 * The seed's frame allocator, reimplemented in C as the benchmark baseline
 * (bench/ only, never linked into libmm): a flat bitmap, one bit per 4 KiB
 * frame (1 = used), in a statically sized array of fixed 16 GiB capacity,
 * with a "next free" hint.
 */
#ifndef SEED_FRAME_H
#define SEED_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/memmap.h"

/* Fixed capacity: 16 GiB of 4 KiB frames. Memory above it is ignored. */
#define SEED_FRAME_CAPACITY ((uint64_t)1 << 22)

/*
 * Mark every frame of the capacity used, one bit at a time, then free the
 * whole frames of each usable region of map one bit at a time (frames
 * beyond the capacity are dropped); the hint starts at frame 0.
 */
void seed_frame_init(const struct mm_memmap *map);

/*
 * Test one bit at a time from the hint to the end of the bitmap, then wrap
 * to frame 0 once and test up to the hint. On success the frame is marked
 * used, the hint moves just past it and *pfn receives it; false when no
 * frame is free.
 */
bool seed_frame_alloc(uint64_t *pfn);

/*
 * Clear the bit of pfn (no double-free or reserved check, as in the seed)
 * and move the hint back to pfn if pfn is lower. False only beyond the
 * capacity.
 */
bool seed_frame_free(uint64_t pfn);

/*
 * Benchmark fast-forward: load a state the seed reaches by itself. Bit pfn
 * becomes used(ctx, pfn) for pfn < frames and used beyond; the hint becomes
 * hint_pfn. With the same frees, the seed (lowest free frame at or after a
 * hint that never passes a free frame) allocates exactly what any
 * lowest-free-first allocator allocates, so after a run of {free; alloc}
 * pairs its bitmap equals that allocator's and its hint is the last
 * allocated frame + 1.
 */
void seed_frame_load(bool (*used)(void *ctx, uint64_t pfn), void *ctx,
		     uint64_t frames, uint64_t hint_pfn);

/*
 * Sensitivity check only, not the seed: when on, searches step over whole
 * 64-bit words of used frames (xomb_bench --seed-word-skip). Off by default.
 */
void seed_frame_set_word_skip(bool on);

/* True iff pfn is within the capacity and its bit is set. */
bool seed_frame_used(uint64_t pfn);

#endif /* SEED_FRAME_H */
