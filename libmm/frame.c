/*
 * Owns the frame allocator's hot path: the public alloc / free calls of
 * single frames and the marking of frames with the summary upkeep. The
 * contiguous runs (their searches and calls) are in frame_contig.c, layout
 * and init in frame_init.c, the reserved runs in frame_resv.c, statistics
 * and the self-check in frame_check.c, the bit and tree helpers in
 * frame_bits.h / frame_tree.[ch]. It never allocates: the caller hands it
 * the descriptor and the metadata memory. Compiled both hosted and
 * freestanding, so it uses no libc at all.
 *
 * Structure (N = total_frames, one row = one bit vector, "word" = uint64_t):
 *
 *   leaf      [N bits]        1 = frame used (allocated or reserved)
 *      |  one bit per leaf word
 *      +-- avail.level[0]     1 = leaf word has a free bit (!= ~0)
 *      |      avail.level[k+1] bit i = avail.level[k] word i != 0,
 *      |      up to a level of one word: lowest free frame = ctz per level
 *      +-- empty              1 = leaf word == 0 (64 free frames)
 *             |  one bit per empty word (a group of 4096 frames)
 *             +-- resv_hint   1 = the group may hold reserved frames
 *             +-- empty16m    1 = empty word == ~0 (4096 free frames);
 *             |               an empty16m word == ~0 is a free 1 GiB page
 *             +-- chunk2m.level[0]  1 = empty word holds an aligned 0xFF
 *                    byte (a free 2 MiB page); upper levels as for avail
 *
 * (the rules are the summary_* predicates of frame_internal.h)
 *
 *   resv[]    sorted, disjoint, non-touching [start, end) pfn ranges of
 *             reserved frames (map holes and mm_frame_reserve()); their
 *             leaf bits are set. A used bit is reserved iff a range holds
 *             it; the hint spares the search for allocated frames. One
 *             hint bit covers 4096 frames so that the whole hint stays in
 *             cache (512 bytes for 64 GiB): freeing a frame then costs one
 *             random cache line, the leaf word's, not two.
 *
 *   low_word  the cursor: the lowest leaf word with a free frame (the
 *             last word when none is free; every word below it is full).
 *             Its avail bit is held clear, so a single allocation takes
 *             from it without a search and a free into it, or below it,
 *             flips no bit of the word it frees into; the tree is
 *             searched when the cursor word fills, from next_word on.
 *   next_word leaf words strictly between low_word and next_word are full
 *             (a hint kept in the descriptor, never in the metadata).
 *
 * The metadata is a function of the leaf alone (the cursor is), so a
 * sequence of calls that leaves the leaf as it was leaves every byte of
 * the metadata as it was.
 *
 * Bits of the last leaf word at or past N are set forever and never
 * counted; bits of a summary word past the end of the vector below are 0.
 * Every state change refreshes the summaries bottom-up and stops as soon
 * as a bit does not flip, so the common case touches one or two words;
 * whole leaf words of a range are stored at once, their summary bits set
 * without looking (all used: not available, not empty).
 */
#include "frame_internal.h"

/* ---- the cursor (low_word) -------------------------------------------- */

/* Make leaf word wi, whose avail bit has just been cleared, the cursor. */
static inline void cursor_set(struct mm_frames *fa, uint64_t wi)
{
	MM_DEBUG_ASSERT(summary_avail(fa->leaf[wi])); /* its bit said so */
	fa->low_word = wi;
	fa->next_word = wi + 1;
}

/* Nothing is free: the cursor rests on the last leaf word. */
static void cursor_rest(struct mm_frames *fa)
{
	uint64_t words = mm_div_up_u64(fa->total_frames, WORD_BITS);

	fa->low_word = words - 1;
	fa->next_word = words;
}

/*
 * The hot functions below return MM_OK where a void would do: their
 * callers end with `return f(...)`, a jump, so that the fast path of
 * mm_frame_alloc / mm_frame_free saves no registers for calls it rarely
 * makes.
 */

/* The cursor word has just filled: the general case of cursor_advance. */
static FRAME_NOINLINE mm_status_t cursor_advance_far(struct mm_frames *fa)
{
	uint64_t f = mm_frames_tree_take(&fa->avail, fa->next_word);

	if (f != TREE_NONE)
		cursor_set(fa, f);
	else
		cursor_rest(fa);
	return MM_OK;
}

/*
 * Out of line, the rare end of a change of leaf word wi's avail bit that
 * turned its avail word zero or non-zero: the levels above.
 */
static FRAME_NOINLINE mm_status_t avail_carry(struct mm_frames *fa, uint64_t wi)
{
	mm_frames_tree_carry(&fa->avail, 1, wi >> WORD_SHIFT);
	return MM_OK;
}

/*
 * The cursor word has just filled: move the cursor to the lowest word with
 * a free frame, found from next_word on, or let it rest. Inline when the
 * next one is in next_word's avail word; the carry, when that word turns
 * zero, comes last.
 */
static inline mm_status_t cursor_advance(struct mm_frames *fa)
{
	uint64_t f;
	bool emptied;

	if (FRAME_UNLIKELY(
		    !tree_take_near(&fa->avail, fa->next_word, &f, &emptied)))
		return cursor_advance_far(fa);
	cursor_set(fa, f);
	return FRAME_UNLIKELY(emptied) ? avail_carry(fa, f) : MM_OK;
}

/* tree_set on the avail tree: set the avail bit of leaf word wi. */
static inline mm_status_t avail_set(struct mm_frames *fa, uint64_t wi)
{
	uint64_t *w = &fa->avail.level[0][wi >> WORD_SHIFT], old = *w;

	MM_DEBUG_ASSERT((old & bits_bit(wi)) == 0);
	*w = old | bits_bit(wi);
	if (FRAME_LIKELY(tree_rule(old)))
		return MM_OK;
	return avail_carry(fa, wi);
}

/*
 * Store v, which has a free frame, as leaf word wi, below the cursor word
 * c (so wi was full, its avail bit clear): wi becomes the cursor. True
 * when c must get its avail bit back: when it has a free frame (it has
 * none only when it rests on the last word, nothing being free).
 */
static inline bool cursor_lower(struct mm_frames *fa, uint64_t c, uint64_t wi,
				uint64_t v)
{
	bool cfree = summary_avail(fa->leaf[c]); /* read before the stores */

	fa->leaf[wi] = v;
	fa->next_word = c;
	fa->low_word = wi;
	return cfree;
}

/* The cursor's avail bit made true, before a range rewrite of the tree. */
static void cursor_release(struct mm_frames *fa)
{
	uint64_t c = fa->low_word;

	if (summary_avail(fa->leaf[c]))
		tree_set(&fa->avail, c);
}

void mm_frames_cursor_seek(struct mm_frames *fa, uint64_t from)
{
	uint64_t f = mm_frames_tree_take(&fa->avail, from);

	MM_ASSERT(f != TREE_NONE); /* callers have just made a frame free */
	cursor_set(fa, f);
}

/* ---- leaf changes with summary upkeep --------------------------------- */

/* Store v as empty word ew and refresh empty16m and chunk2m. */
static void mark_empty_store(struct mm_frames *fa, uint64_t ew, uint64_t v)
{
	uint64_t old = fa->empty[ew];

	fa->empty[ew] = v;
	if (summary_free16m(old) != summary_free16m(v))
		fa->empty16m[ew >> WORD_SHIFT] ^= bits_bit(ew);
	if (summary_free2m(old) != summary_free2m(v))
		tree_flip(&fa->chunk2m, ew);
}

/*
 * Set (used) or clear frames [start, end), which lie in one group of 4096,
 * a bit at a time, then refresh the group's summary words once.
 */
static void mark_group_bits(struct mm_frames *fa, uint64_t start, uint64_t end,
			    bool used)
{
	uint64_t ew = start >> GROUP_SHIFT, avail_flips = 0, empty_flips = 0;

	while (start < end) {
		uint64_t wi = start >> WORD_SHIFT;
		uint64_t stop = mm_min_u64(end, (wi + 1) << WORD_SHIFT);
		uint64_t m = bits_mask(start & (WORD_BITS - 1),
				       stop - (wi << WORD_SHIFT));
		uint64_t old = fa->leaf[wi];
		uint64_t v = used ? old | m : old & ~m;

		fa->leaf[wi] = v;
		avail_flips |= summary_avail(old) != summary_avail(v)
				       ? bits_bit(wi)
				       : 0;
		empty_flips |= summary_empty(old) != summary_empty(v)
				       ? bits_bit(wi)
				       : 0;
		start = stop;
	}
	if (avail_flips)
		tree_store(&fa->avail, ew,
			   fa->avail.level[0][ew] ^ avail_flips);
	if (empty_flips)
		mark_empty_store(fa, ew, fa->empty[ew] ^ empty_flips);
}

/*
 * Mark the whole leaf words [wi, wi + n) of one group all used or all free:
 * their summary bits follow from the rules without looking, so this is n
 * stores and one refresh per summary.
 */
static void mark_words(struct mm_frames *fa, uint64_t wi, uint64_t n, bool used)
{
	uint64_t ew = wi >> WORD_SHIFT, lo = wi & (WORD_BITS - 1);
	uint64_t m = bits_mask(lo, lo + n), v = used ? ALL_ONES : 0;
	uint64_t avail = summary_avail(v) ? m : 0;
	uint64_t empty = summary_empty(v) ? m : 0;

	for (uint64_t i = 0; i < n; i++)
		fa->leaf[wi + i] = v;
	tree_store(&fa->avail, ew, (fa->avail.level[0][ew] & ~m) | avail);
	mark_empty_store(fa, ew, (fa->empty[ew] & ~m) | empty);
}

/*
 * Set (used) or clear frames [start, end) of one group: the whole words in
 * the middle at once, the cut words at either edge bit by bit.
 */
static void mark_group(struct mm_frames *fa, uint64_t start, uint64_t end,
		       bool used)
{
	uint64_t first = mm_div_up_u64(start, WORD_BITS);
	uint64_t last = end >> WORD_SHIFT;

	if (first >= last) {
		mark_group_bits(fa, start, end, used);
		return;
	}
	if (start < first << WORD_SHIFT)
		mark_group_bits(fa, start, first << WORD_SHIFT, used);
	mark_words(fa, first, last - first, used);
	if (last << WORD_SHIFT < end)
		mark_group_bits(fa, last << WORD_SHIFT, end, used);
}

/* Set (used) or clear frames [start, end), a group of 4096 at a time. */
static void mark_range(struct mm_frames *fa, uint64_t start, uint64_t end,
		       bool used)
{
	while (start < end) {
		uint64_t stop =
			mm_min_u64(end, (start | (GROUP_FRAMES - 1)) + 1);

		mark_group(fa, start, stop, used);
		start = stop;
	}
}

/*
 * Frames of the cursor word were marked used. The range flips may have
 * toggled its held-clear avail bit (they take it for true): clear it
 * again, and if the word filled, move the cursor on. The words between
 * the cursor and next_word were full and still are.
 */
static void mark_used_over_cursor(struct mm_frames *fa)
{
	uint64_t c = fa->low_word;

	if (bits_test(fa->avail.level[0], c))
		tree_clear(&fa->avail, c);
	if (!summary_avail(fa->leaf[c]))
		cursor_advance_far(fa); /* the general case: not a hot path */
}

/*
 * Clear frames [start, end), from leaf word first on. Freeing at or below
 * the cursor word (where it rests when nothing is free) changes the
 * cursor: its bit is made true for the range flips, then the cursor is
 * sought from the lower of the two words.
 */
static FRAME_NOINLINE void mark_free_range(struct mm_frames *fa, uint64_t start,
					   uint64_t end)
{
	uint64_t c = fa->low_word, first = start >> WORD_SHIFT;

	if (first > c) { /* so the cursor word has a free frame */
		mark_range(fa, start, end, false);
		fa->next_word = mm_min_u64(fa->next_word, first);
		return;
	}
	cursor_release(fa);
	mark_range(fa, start, end, false);
	mm_frames_cursor_seek(fa, mm_min_u64(first, c));
}

void mm_frames_mark(struct mm_frames *fa, mm_pfn_t start, mm_pfn_t end,
		    bool used)
{
	uint64_t c = fa->low_word;

	MM_DEBUG_ASSERT(bits_uniform(fa->leaf, start, end, !used));
	if (!used) {
		mark_free_range(fa, start, end);
		return;
	}
	mark_range(fa, start, end, true);
	/* no used range lies below the cursor word: those words are full */
	if (start >> WORD_SHIFT <= c)
		mark_used_over_cursor(fa);
}

/*
 * Store v, old with one frame freed, as leaf word wi at or above the
 * cursor word c. True when wi must get its avail bit: it was full and it
 * is not the cursor. Above the cursor, the words between the cursor and
 * wi are no longer known full: next_word moves down to wi if above it.
 */
static inline bool free_at_or_above(struct mm_frames *fa, uint64_t c,
				    uint64_t wi, uint64_t old, uint64_t v,
				    uint64_t next)
{
	fa->leaf[wi] = v;
	if (wi == c)
		return false;
	fa->next_word = mm_min_u64(next, wi);
	return !summary_avail(old);
}

/*
 * Free frame `bit` (its mask) of leaf word wi, which was old, and keep the
 * cursor the lowest word with a free frame: below it, wi becomes the
 * cursor (wi was full then, so its avail bit is clear as a cursor's must
 * be); above it, wi gains its avail bit if old was full. With nothing
 * free the cursor rests on the last word, so wi is not above it. Every
 * field it needs is read before the first store (a store through a
 * uint64_t pointer may alias them, so reading later would reload them).
 *
 * Below the cursor every word is full, so the new word there is known
 * without old: ~bit. Stored so, it does not wait for old, a likely cache
 * miss; the allocation that follows reads it back (wi is the cursor now)
 * and can go on while the miss is still outstanding.
 */
static inline mm_status_t free_store(struct mm_frames *fa, uint64_t wi,
				     uint64_t old, uint64_t bit)
{
	uint64_t c = fa->low_word, next = fa->next_word;
	uint64_t gains = wi < c ? c : wi; /* whose avail bit may turn true */
	bool set;

	if (wi < c) {
		MM_DEBUG_ASSERT(!summary_avail(old));
		set = cursor_lower(fa, c, wi, ~bit);
	} else {
		set = free_at_or_above(fa, c, wi, old, old & ~bit, next);
	}
	/* one avail_set for both: its code, and its registers, once */
	return set ? avail_set(fa, gains) : MM_OK;
}

/*
 * free_store for a word the free has made empty (old was just the freed
 * frame), then its empty bit.
 */
static FRAME_NOINLINE mm_status_t free_store_empty(struct mm_frames *fa,
						   uint64_t wi, uint64_t old)
{
	uint64_t ew = wi >> WORD_SHIFT;

	free_store(fa, wi, old, old);
	mark_empty_store(fa, ew, fa->empty[ew] | bits_bit(wi));
	return MM_OK;
}

/* Free pfn, known used and not reserved. */
static inline mm_status_t free_used(struct mm_frames *fa, mm_pfn_t pfn)
{
	uint64_t wi = pfn >> WORD_SHIFT, old = fa->leaf[wi];

	MM_DEBUG_ASSERT(fa->free_frames + fa->reserved_frames <
			fa->total_frames);
	fa->free_frames++;
	if (FRAME_UNLIKELY(summary_empty(old & ~bits_bit(pfn))))
		return free_store_empty(fa, wi, old);
	return free_store(fa, wi, old, bits_bit(pfn));
}

/* Frame pfn < total_frames in a group the hint marks: mm_frame_free. */
static FRAME_NOINLINE mm_status_t free_hinted(struct mm_frames *fa,
					      mm_pfn_t pfn)
{
	if (!bits_test(fa->leaf, pfn))
		return MM_ERR_NOT_ALLOCATED;
	if (mm_frames_resv_find(fa, pfn))
		return MM_ERR_RESERVED;
	return free_used(fa, pfn);
}

/*
 * Old, an empty word, has just had a frame taken: clear its empty bit. v
 * has 63 free frames, so the cursor stays.
 */
static FRAME_NOINLINE mm_status_t alloc_store_empty(struct mm_frames *fa,
						    uint64_t wi)
{
	uint64_t ew = wi >> WORD_SHIFT;

	mark_empty_store(fa, ew, fa->empty[ew] & ~bits_bit(wi));
	return MM_OK;
}

/*
 * Store v, old with one more frame used, as the cursor word wi (its avail
 * bit stays clear); when it fills, the cursor moves on.
 */
static inline mm_status_t alloc_store(struct mm_frames *fa, uint64_t wi,
				      uint64_t old, uint64_t v)
{
	fa->leaf[wi] = v;
	if (FRAME_UNLIKELY(summary_empty(old)))
		return alloc_store_empty(fa, wi);
	if (!summary_avail(v))
		return cursor_advance(fa);
	return MM_OK;
}

/* The same for a word above the cursor: its avail bit clears if it fills. */
static void alloc_at_store(struct mm_frames *fa, uint64_t wi, uint64_t old,
			   uint64_t v)
{
	uint64_t ew = wi >> WORD_SHIFT;

	fa->leaf[wi] = v;
	if (summary_empty(old))
		mark_empty_store(fa, ew, fa->empty[ew] & ~bits_bit(wi));
	if (!summary_avail(v))
		tree_clear(&fa->avail, wi);
}

/* ---- public API -------------------------------------------------------- */

mm_status_t mm_frame_alloc(struct mm_frames *fa, mm_pfn_t *pfn)
{
	uint64_t wi = fa->low_word, w = fa->leaf[wi];

	if (FRAME_UNLIKELY(!summary_avail(w))) {
		/* the lowest word with a free frame is full: none is free */
		MM_DEBUG_ASSERT(fa->free_frames == 0);
		return MM_ERR_NOMEM;
	}
	MM_DEBUG_ASSERT(fa->free_frames > 0);
	fa->free_frames--;
	*pfn = (wi << WORD_SHIFT) | bits_ctz(~w);
	/* w | (w + 1) is w with its lowest clear bit set: the carry of + 1
	 * runs through the ones below that bit and stops on it */
	return alloc_store(fa, wi, w, w | (w + 1));
}

mm_status_t mm_frame_alloc_at(struct mm_frames *fa, mm_pfn_t pfn)
{
	uint64_t wi = pfn >> WORD_SHIFT, old;

	if (pfn >= fa->total_frames)
		return MM_ERR_OUT_OF_RANGE;
	if (fa->leaf[wi] & bits_bit(pfn))
		return resv_holds(fa, pfn) ? MM_ERR_RESERVED : MM_ERR_IN_USE;
	MM_DEBUG_ASSERT(fa->free_frames > 0);
	fa->free_frames--;
	old = fa->leaf[wi];
	if (wi == fa->low_word)
		alloc_store(fa, wi, old, old | bits_bit(pfn));
	else
		alloc_at_store(fa, wi, old, old | bits_bit(pfn));
	return MM_OK;
}

mm_status_t mm_frame_free(struct mm_frames *fa, mm_pfn_t pfn)
{
	uint64_t wi = pfn >> WORD_SHIFT;

	if (pfn >= fa->total_frames)
		return MM_ERR_OUT_OF_RANGE;
	/*
	 * A group the hint marks goes out of line, checks and all (tested
	 * first, the hint's registers are free again for the rest).
	 */
	if (FRAME_UNLIKELY(bits_test(fa->resv_hint, pfn >> GROUP_SHIFT)))
		return free_hinted(fa, pfn);
	if (!bits_has(fa->leaf[wi], pfn))
		return MM_ERR_NOT_ALLOCATED;
	return free_used(fa, pfn);
}

bool mm_frame_is_free(const struct mm_frames *fa, mm_pfn_t pfn)
{
	return pfn < fa->total_frames && !bits_test(fa->leaf, pfn);
}

bool mm_frame_is_reserved(const struct mm_frames *fa, mm_pfn_t pfn)
{
	return pfn < fa->total_frames && bits_test(fa->leaf, pfn) &&
	       resv_holds(fa, pfn);
}
