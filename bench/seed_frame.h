/*
 * The seed's frame allocator (frame.rs of XOmB's first commit), modelled in
 * C as the benchmark baseline (bench/ only, never linked into libmm): a
 * static bitmap of 64-bit words with a fixed 16 GiB capacity, one bit per
 * 4 KiB frame (1 = used or reserved), a count of free frames and a "next
 * free" hint. Every rule below is the seed's; the seed's global spin lock
 * around each call is left out (one uncontended lock and unlock per call
 * that the baseline does not pay). Like libmm, not thread-safe: callers
 * serialize.
 */
#ifndef SEED_FRAME_H
#define SEED_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/memmap.h"

/* The seed's MAX_FRAMES: 16 GiB of 4 KiB frames; memory above is ignored. */
#define SEED_FRAME_CAPACITY ((uint64_t)1 << 22)
#define SEED_FRAME_WORDS    (SEED_FRAME_CAPACITY / 64)

/* The seed's FrameAllocatorError, plus success. */
enum seed_status {
	SEED_OK,
	SEED_OUT_OF_MEMORY,
	SEED_INVALID_FRAME,
	SEED_NOT_INITIALIZED,
};

/*
 * Set every word of the bitmap to all ones, then clear the bit of each
 * whole frame of each usable region of map one bit at a time, counting
 * each as usable and free (frames at or above the capacity are dropped).
 * The hint starts at frame 0. Cannot fail.
 */
void seed_frame_init(const struct mm_memmap *map);

/*
 * Allocate a frame into *pfn: SEED_OUT_OF_MEMORY at once when the free
 * count is 0; else search the words from the hint's word to the end of the
 * bitmap, then wrap from word 0 up to (not including) the hint's word,
 * skipping every word equal to all ones, and take the lowest clear bit of
 * the first other word (trailing zeros of its inverse). The hint becomes
 * that frame + 1. SEED_NOT_INITIALIZED before seed_frame_init(). A failed
 * call changes nothing.
 */
enum seed_status seed_frame_alloc(uint64_t *pfn);

/*
 * Free frame pfn: SEED_INVALID_FRAME at or above the capacity; SEED_OK and
 * nothing changed when its bit is already clear (a double free is
 * ignored); else clear the bit, count it free and move the hint back to
 * pfn if pfn is below it. As in the seed, a reserved frame (bit set, never
 * usable) is freed like any other. SEED_NOT_INITIALIZED before init.
 */
enum seed_status seed_frame_free(uint64_t pfn);

/* True iff pfn is within the capacity and its bit is set. */
bool seed_frame_used(uint64_t pfn);

/* The free count, the usable count and the hint (the seed's fields). */
uint64_t seed_frame_free_count(void);
uint64_t seed_frame_total_count(void);
uint64_t seed_frame_hint(void);

/*
 * Benchmark fast-forward: load a state the seed reaches by itself. Bit pfn
 * becomes used(ctx, pfn) for pfn < frames and set beyond; the free count
 * becomes the number of clear bits (the total count is left as it is) and
 * the hint becomes hint_pfn. The seed never leaves a free frame below its
 * hint (an allocation takes the lowest clear bit at or after the hint's
 * word, a free moves the hint back), so it always takes the lowest free
 * frame: after a run of {free; alloc} pairs its bitmap equals that of any
 * lowest-free-first allocator that saw the same frees, and its hint is the
 * last allocated frame + 1.
 */
void seed_frame_load(bool (*used)(void *ctx, uint64_t pfn), void *ctx,
		     uint64_t frames, uint64_t hint_pfn);

#endif /* SEED_FRAME_H */
