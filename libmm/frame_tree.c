/*
 * Owns the cold half of the frame allocator's summary trees: where their
 * levels live in the metadata, rebuilding the upper levels after init, and
 * checking them. The hot half (store, flip, search) is inline in
 * frame_tree.h. Not thread-safe: the allocator's caller serializes.
 */
#include "frame_tree.h"

void mm_frames_tree_carry(struct mm_frame_tree *t, unsigned k, uint64_t i)
{
	for (; k < t->depth; k++) {
		uint64_t *w = &t->level[k][i >> WORD_SHIFT];
		uint64_t old = *w;

		*w = old ^ bits_bit(i);
		if (tree_rule(old) && tree_rule(*w))
			return;
		i >>= WORD_SHIFT;
	}
}

uint64_t mm_frames_tree_climb(const struct mm_frame_tree *t, uint64_t from)
{
	for (unsigned k = 1; k < t->depth; k++) {
		uint64_t wi = from >> WORD_SHIFT;
		uint64_t w;

		if (wi >= t->words[k])
			return TREE_NONE;
		w = t->level[k][wi] & (ALL_ONES << (from & (WORD_BITS - 1)));
		if (w)
			return tree_descend(t, k,
					    (wi << WORD_SHIFT) | bits_ctz(w));
		from = wi + 1;
	}
	return TREE_NONE;
}

uint64_t mm_frames_tree_take(struct mm_frame_tree *t, uint64_t from)
{
	uint64_t i = tree_next(t, from);

	if (i != TREE_NONE)
		tree_clear(t, i);
	return i;
}

uint64_t mm_frames_tree_word(const uint64_t *below, uint64_t n, uint64_t i)
{
	uint64_t w = 0, first = i << WORD_SHIFT;
	uint64_t stop = mm_min_u64(n, first + WORD_BITS);

	for (uint64_t j = first; j < stop; j++)
		w |= tree_rule(below[j]) ? bits_bit(j) : 0;
	return w;
}

void mm_frames_tree_layout(struct mm_frame_tree *t, uint64_t words,
			   uint64_t *base, uint64_t *used)
{
	unsigned k = 0;

	for (;;) {
		MM_ASSERT(k < MM_FRAME_TREE_LEVELS);
		t->words[k] = words;
		t->level[k] = tree_carve(base, used, words);
		k++;
		if (words == 1)
			break;
		words = mm_div_up_u64(words, WORD_BITS);
	}
	t->depth = k;
	for (; k < MM_FRAME_TREE_LEVELS; k++) {
		t->words[k] = 0;
		t->level[k] = NULL;
	}
}

void mm_frames_tree_build(struct mm_frame_tree *t, unsigned from)
{
	for (unsigned k = from; k < t->depth; k++) {
		for (uint64_t i = 0; i < t->words[k]; i++)
			t->level[k][i] = mm_frames_tree_word(
				t->level[k - 1], t->words[k - 1], i);
	}
}

bool mm_frames_tree_check(const struct mm_frame_tree *t)
{
	if (t->depth == 0 || t->depth > MM_FRAME_TREE_LEVELS ||
	    t->words[t->depth - 1] != 1)
		return false;
	for (unsigned k = 1; k < t->depth; k++) {
		for (uint64_t i = 0; i < t->words[k]; i++) {
			if (t->level[k][i] !=
			    mm_frames_tree_word(t->level[k - 1],
						t->words[k - 1], i))
				return false;
		}
	}
	return true;
}

void mm_frames_tree_copy(struct mm_frame_tree *to,
			 const struct mm_frame_tree *from)
{
	for (unsigned k = 0; k < MM_FRAME_TREE_LEVELS; k++) {
		to->level[k] = from->level[k];
		to->words[k] = from->words[k];
	}
	to->depth = from->depth;
}
