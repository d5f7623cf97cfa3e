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
	for (unsigned k = 0; k < t->depth; k++) {
		uint64_t *w = &t->level[k][i >> WORD_SHIFT];
		uint64_t old = *w;

		*w = old ^ bits_bit(i);
		if (tree_rule(old) && tree_rule(*w))
			return;
		i >>= WORD_SHIFT;
	}
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

/* Lowest set bit of level 0 at index >= from; false when there is none. */
static inline bool tree_next(const struct mm_frame_tree *t, uint64_t from,
			     uint64_t *out)
{
	for (unsigned k = 0; k < t->depth; k++) {
		uint64_t wi = from >> WORD_SHIFT;
		uint64_t w;

		if (wi >= t->words[k])
			return false;
		w = t->level[k][wi] & (ALL_ONES << (from & (WORD_BITS - 1)));
		if (w) {
			*out = tree_descend(t, k,
					    (wi << WORD_SHIFT) | bits_ctz(w));
			return true;
		}
		from = wi + 1;
	}
	return false;
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
