/*
 * Private to the frame allocator (libmm/frame*.c, never installed): the
 * summary rules, the reserved-run lookups of the hot path, and what one
 * frame*.c file asks of another. The representation it works on is drawn
 * at the top of frame.c. Not thread-safe: the allocator's caller
 * serializes every call.
 */
#ifndef MM_FRAME_INTERNAL_H
#define MM_FRAME_INTERNAL_H

#include "frame_bits.h"
#include "frame_tree.h"
#include "mm/frame.h"

/* Init relies on it: a map cannot have more holes than the table holds. */
_Static_assert(MM_MEMMAP_CAPACITY <= MM_FRAME_MAX_RESERVED,
	       "every gap of a map fits the reserved-range table");

/*
 * The summary rules, one definition each, used by the incremental updates
 * (frame.c), the build (frame_init.c) and the check (frame_check.c):
 *   avail bit of a leaf word:   it has a free frame, and it is not the
 *                               cursor (low_word: the lowest such word);
 *   empty bit of a leaf word:   all of its 64 frames are free;
 *   empty16m bit of an empty word: all 4096 frames of its group are free;
 *   chunk2m bit of an empty word:  it holds an aligned free 2 MiB run.
 */
static inline bool summary_avail(uint64_t leaf_word)
{
	return leaf_word != ALL_ONES;
}

static inline bool summary_empty(uint64_t leaf_word)
{
	return leaf_word == 0;
}

static inline bool summary_free16m(uint64_t empty_word)
{
	return empty_word == ALL_ONES;
}

static inline bool summary_free2m(uint64_t empty_word)
{
	return bits_ff_bytes(empty_word) != 0;
}

/* Index of the first reserved range ending after pfn (nresv if none). */
static inline size_t resv_search(const struct mm_frames *fa, mm_pfn_t pfn)
{
	size_t lo = 0, hi = fa->nresv;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fa->resv[mid].end <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* frame_resv.c: does a reserved range hold pfn? (a binary search) */
bool mm_frames_resv_find(const struct mm_frames *fa, mm_pfn_t pfn);

/*
 * A used frame: reserved (true) or allocated (false)? The hint answers
 * for most allocated frames inline; the search is out of line.
 */
static inline bool resv_holds(const struct mm_frames *fa, mm_pfn_t pfn)
{
	if (!bits_test(fa->resv_hint, pfn >> GROUP_SHIFT))
		return false;
	return mm_frames_resv_find(fa, pfn);
}

/*
 * frame.c: set (used) or clear frames [start, end), start < end <=
 * total_frames, and refresh the summaries and the cursor. The frames must
 * all be in the other state (checked by a debug assertion); counters are
 * the caller's.
 */
void mm_frames_mark(struct mm_frames *fa, mm_pfn_t start, mm_pfn_t end,
		    bool used);

/*
 * frame.c: put the cursor (low_word, next_word) on the lowest leaf word
 * with a free frame, which is none below leaf word `from`, and clear that
 * word's avail bit; every avail bit must be true before (init, or a range
 * rewrite). With no free frame, the cursor rests on the last leaf word.
 */
void mm_frames_cursor_seek(struct mm_frames *fa, uint64_t from);

/*
 * frame_resv.c: append [start, end) to the reserved ranges, above every
 * range already there (init builds them in address order).
 */
void mm_frames_resv_append(struct mm_frames *fa, mm_pfn_t start, mm_pfn_t end);

/*
 * frame_init.c: the avail.level[0] and empty words of leaf group ew
 * (leaf words [64 ew, min(64 ew + 64, leaf_words))), from the leaf.
 */
void mm_frames_leaf_summary(const uint64_t *leaf, uint64_t leaf_words,
			    uint64_t ew, uint64_t *avail, uint64_t *empty);

/*
 * frame_init.c: the empty16m and chunk2m.level[0] words of empty-vector
 * word group g (empty words [64 g, min(64 g + 64, group_words))).
 */
void mm_frames_empty_summary(const uint64_t *empty, uint64_t group_words,
			     uint64_t g, uint64_t *free16m, uint64_t *free2m);

#endif /* MM_FRAME_INTERNAL_H */
