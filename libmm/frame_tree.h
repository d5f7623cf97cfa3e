/*
 * Private to the frame allocator: the summary tree over a bit vector
 * (struct mm_frame_tree, declared in mm/frame.h because the descriptor
 * embeds it). Level 0 is the vector; bit i of level k + 1 is set iff word i
 * of level k is non-zero (tree_rule()). The updates and searches of the hot
 * path are static inline here; layout, rebuild and check live in
 * frame_tree.c. Not thread-safe: the allocator's caller serializes.
 */
#ifndef MM_FRAME_TREE_H
#define MM_FRAME_TREE_H

#include "frame_bits.h"
#include "mm/frame.h"

/* The summary rule of every tree level: a word is summarized iff non-zero. */
static inline bool tree_rule(uint64_t w)
{
	return w != 0;
}

/*
 * Toggle bit i of level k and carry upwards while a word turns zero or
 * non-zero (out of line: the hot path calls it only for such a turn).
 */
void mm_frames_tree_carry(struct mm_frame_tree *t, unsigned k, uint64_t i);

/* What tree_next returns when there is no set bit. */
#define TREE_NONE UINT64_MAX

/*
 * Lowest set bit of level 0 under a set bit of level >= 1 at index >= from
 * of level 1 (the rest of tree_next, out of line); TREE_NONE when none.
 */
uint64_t mm_frames_tree_climb(const struct mm_frame_tree *t, uint64_t from);

/*
 * Store v as word wi of level 0 and carry the change upwards while a word
 * turns zero or non-zero.
 */
static inline void tree_store(struct mm_frame_tree *t, uint64_t wi, uint64_t v)
{
	for (unsigned k = 0;; k++) {
		uint64_t old = t->level[k][wi];

		t->level[k][wi] = v;
		if (k + 1 == t->depth || tree_rule(old) == tree_rule(v))
			return;
		v = t->level[k + 1][wi >> WORD_SHIFT] ^ bits_bit(wi);
		wi >>= WORD_SHIFT;
	}
}

/*
 * Toggle bit i of level 0 and carry upwards: a one-bit change turns a word
 * zero or non-zero iff it was or becomes zero.
 */
static inline void tree_flip(struct mm_frame_tree *t, uint64_t i)
{
	mm_frames_tree_carry(t, 0, i);
}

/*
 * Set bit i of level 0, which is clear. Only a word that was zero carries
 * upwards, so the common case is one read-modify-write, inline.
 */
static inline void tree_set(struct mm_frame_tree *t, uint64_t i)
{
	uint64_t *w = &t->level[0][i >> WORD_SHIFT], old = *w;

	MM_DEBUG_ASSERT((old & bits_bit(i)) == 0);
	*w = old | bits_bit(i);
	if (!tree_rule(old))
		mm_frames_tree_carry(t, 1, i >> WORD_SHIFT);
}

/* Clear bit i of level 0, which is set; only a word turned zero carries. */
static inline void tree_clear(struct mm_frame_tree *t, uint64_t i)
{
	uint64_t *w = &t->level[0][i >> WORD_SHIFT], v = *w & ~bits_bit(i);

	MM_DEBUG_ASSERT((*w & bits_bit(i)) != 0);
	*w = v;
	if (!tree_rule(v))
		mm_frames_tree_carry(t, 1, i >> WORD_SHIFT);
}

/* Lowest set level-0 bit under set bit i of level k. */
static inline uint64_t tree_descend(const struct mm_frame_tree *t, unsigned k,
				    uint64_t i)
{
	while (k > 0) {
		k--;
		MM_ASSERT(t->level[k][i] != 0);
		i = (i << WORD_SHIFT) | bits_ctz(t->level[k][i]);
	}
	return i;
}

/* Lowest set bit of level 0; false when there is none. */
static inline bool tree_first(const struct mm_frame_tree *t, uint64_t *out)
{
	uint64_t top = t->level[t->depth - 1][0];

	if (top == 0)
		return false;
	*out = tree_descend(t, t->depth - 1, bits_ctz(top));
	return true;
}

/*
 * Lowest set bit of level 0 at index >= from; TREE_NONE when there is
 * none. The rest of from's level-0 word is looked at inline (the common
 * case); the climb, if it must, is out of line.
 */
static inline uint64_t tree_next(const struct mm_frame_tree *t, uint64_t from)
{
	uint64_t wi = from >> WORD_SHIFT, w;

	if (wi >= t->words[0])
		return TREE_NONE;
	w = t->level[0][wi] & (ALL_ONES << (from & (WORD_BITS - 1)));
	if (w)
		return (wi << WORD_SHIFT) | bits_ctz(w);
	return mm_frames_tree_climb(t, wi + 1);
}

/*
 * Clear and return the lowest set bit of level 0 at index >= from, or
 * TREE_NONE (nothing changed): tree_next, then tree_clear of the bit.
 */
uint64_t mm_frames_tree_take(struct mm_frame_tree *t, uint64_t from);

/*
 * The common case of mm_frames_tree_take, inline: when the lowest set bit
 * at index >= from is in from's own level-0 word, clear it, store its
 * index in *out and return true; otherwise change nothing and return
 * false. The search and the clear share one load. When the word turns
 * zero, *emptied is true and the levels above are not yet updated: the
 * caller then owes mm_frames_tree_carry(t, 1, *out >> WORD_SHIFT) (left
 * to it so that the call can come last, after its own stores).
 */
static inline bool tree_take_near(struct mm_frame_tree *t, uint64_t from,
				  uint64_t *out, bool *emptied)
{
	uint64_t wi = from >> WORD_SHIFT, w, m, rest;

	if (FRAME_UNLIKELY(wi >= t->words[0]))
		return false;
	w = t->level[0][wi];
	m = w & (ALL_ONES << (from & (WORD_BITS - 1)));
	if (FRAME_UNLIKELY(m == 0))
		return false;
	/*
	 * w without the lowest set bit of m: above that bit m - 1 equals m,
	 * which is w there; the bit itself is 0 in m - 1; below it m - 1 is
	 * all ones, which keeps w's bits below `from` and w's bits from
	 * `from` up to it, which are 0 (else m would have a lower bit).
	 */
	rest = w & (m - 1);
	t->level[0][wi] = rest;
	*emptied = !tree_rule(rest);
	*out = (wi << WORD_SHIFT) | bits_ctz(m);
	return true;
}

/* Next `words` words of the metadata at base (NULL when only measuring). */
static inline uint64_t *tree_carve(uint64_t *base, uint64_t *used,
				   uint64_t words)
{
	uint64_t *p = base ? base + *used : NULL;

	*used += words;
	return p;
}

/*
 * Word i of a summary over vector below[0, n): bit j is
 * tree_rule(below[64i + j]).
 */
uint64_t mm_frames_tree_word(const uint64_t *below, uint64_t n, uint64_t i);

/*
 * Lay out a tree over a level 0 of `words` words at base + *used words on,
 * advancing *used (base NULL: only measure). Unused levels become NULL / 0.
 */
void mm_frames_tree_layout(struct mm_frame_tree *t, uint64_t words,
			   uint64_t *base, uint64_t *used);

/* Rebuild levels [from, depth) from the level below each; from >= 1. */
void mm_frames_tree_build(struct mm_frame_tree *t, unsigned from);

/* True iff the shape is sane and every level >= 1 agrees with the rule. */
bool mm_frames_tree_check(const struct mm_frame_tree *t);

/* Field-by-field copy (a struct copy would read uninitialised padding). */
void mm_frames_tree_copy(struct mm_frame_tree *to,
			 const struct mm_frame_tree *from);

#endif /* MM_FRAME_TREE_H */
