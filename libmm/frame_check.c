/*
 * Owns what the frame allocator says about itself: mm_frame_stats() and
 * mm_frame_check(), which recounts everything from the bitmap and the
 * reserved runs and compares it with the counters and every summary. Read
 * only; not thread-safe: the allocator's caller serializes.
 */
#include "frame_internal.h"

/* Longest run of zero bits inside one word. */
static uint64_t stat_zero_run(uint64_t w)
{
	uint64_t best = 0, pos = 0;

	while (pos < WORD_BITS) {
		uint64_t rest = w >> pos;
		uint64_t zeros = rest ? bits_ctz(rest) : WORD_BITS - pos;
		uint64_t ones;

		best = mm_max_u64(best, zeros);
		pos += zeros;
		/* skip the ones at pos; none left below the top ends the word */
		ones = pos < WORD_BITS ? ~(w >> pos) : 0;
		pos += ones ? bits_ctz(ones) : WORD_BITS;
	}
	return best;
}

/* Longest run of free frames, a leaf word at a time. */
static uint64_t stat_largest_free_run(const struct mm_frames *fa)
{
	uint64_t best = 0, run = 0;
	uint64_t words = mm_div_up_u64(fa->total_frames, WORD_BITS);

	for (uint64_t wi = 0; wi < words; wi++) {
		uint64_t w = fa->leaf[wi];

		if (summary_empty(w)) {
			run += WORD_BITS;
			continue;
		}
		best = mm_max_u64(best, run + bits_ctz(w));
		best = mm_max_u64(best, stat_zero_run(w));
		run = (uint64_t)__builtin_clzll(w);
	}
	return mm_max_u64(best, run);
}

void mm_frame_stats(const struct mm_frames *fa, struct mm_frame_stats *st)
{
	uint64_t groups = fa->avail.words[0];

	st->total_frames = fa->total_frames;
	st->usable_frames = fa->usable_frames;
	st->free_frames = fa->free_frames;
	st->reserved_frames = fa->reserved_frames;
	st->allocated_frames =
		fa->total_frames - fa->free_frames - fa->reserved_frames;
	st->free_2m_runs = 0;
	for (uint64_t ew = 0; ew < groups; ew++)
		st->free_2m_runs += bits_popcount(bits_ff_bytes(fa->empty[ew]));
	st->free_1g_runs = 0;
	for (uint64_t g = 0; g < mm_div_up_u64(groups, WORD_BITS); g++)
		st->free_1g_runs += summary_free16m(fa->empty16m[g]);
	st->largest_free_run = stat_largest_free_run(fa);
}

/* Bits of leaf word wi that stand for tracked frames. */
static uint64_t check_tracked_mask(uint64_t frames, uint64_t wi)
{
	uint64_t first = wi << WORD_SHIFT;

	return bits_mask(0, mm_min_u64(WORD_BITS, frames - first));
}

/* Free frames recounted from the bitmap. */
static uint64_t check_count_free(const uint64_t *leaf, uint64_t frames)
{
	uint64_t n = 0, words = mm_div_up_u64(frames, WORD_BITS);

	for (uint64_t wi = 0; wi < words; wi++)
		n += bits_popcount(~leaf[wi] & check_tracked_mask(frames, wi));
	return n;
}

/* Ranges sorted, disjoint, non-empty, used and hinted; *reserved recounted. */
static bool check_resv(const struct mm_frames *fa, uint64_t *reserved)
{
	*reserved = 0;
	if (fa->nresv > MM_FRAME_MAX_RESERVED)
		return false;
	for (size_t i = 0; i < fa->nresv; i++) {
		const struct mm_frame_range *r = &fa->resv[i];
		uint64_t hint_end = ((r->end - 1) >> GROUP_SHIFT) + 1;

		if (r->start >= r->end || r->end > fa->total_frames)
			return false;
		if (i > 0 && fa->resv[i - 1].end >= r->start)
			return false;
		if (!bits_uniform(fa->leaf, r->start, r->end, true))
			return false;
		if (!bits_uniform(fa->resv_hint, r->start >> GROUP_SHIFT,
				  hint_end, true))
			return false;
		*reserved += r->end - r->start;
	}
	return true;
}

/*
 * The cursor: low_word is the lowest leaf word with a free frame (with
 * none free, the last word), and the words strictly between it and
 * next_word are full.
 */
static bool check_cursor(const struct mm_frames *fa, uint64_t words)
{
	uint64_t c = fa->low_word, next = fa->next_word;

	if (c >= words || next <= c || next > words)
		return false;
	if (!bits_uniform(fa->leaf, 0, c << WORD_SHIFT, true) ||
	    !bits_uniform(fa->leaf, (c + 1) << WORD_SHIFT, next << WORD_SHIFT,
			  true))
		return false;
	if (summary_avail(fa->leaf[c]))
		return true;
	return fa->free_frames == 0 && c == words - 1; /* it rests */
}

static bool check_counts(const struct mm_frames *fa)
{
	uint64_t n = fa->total_frames, words = mm_div_up_u64(n, WORD_BITS);
	uint64_t pad = ~check_tracked_mask(n, words - 1), reserved;

	if (n == 0 || (fa->leaf[words - 1] & pad) != pad)
		return false;
	if (!check_cursor(fa, words))
		return false;
	if (!check_resv(fa, &reserved) || reserved != fa->reserved_frames)
		return false;
	if (check_count_free(fa->leaf, n) != fa->free_frames)
		return false;
	/*
	 * free + reserved <= n follows: both match recounts, and the frames
	 * of the reserved ranges are used, so the two recounts are disjoint.
	 */
	return fa->usable_frames <= n;
}

static bool check_summaries(const struct mm_frames *fa)
{
	uint64_t leaf_words = mm_div_up_u64(fa->total_frames, WORD_BITS);
	uint64_t groups = mm_div_up_u64(leaf_words, WORD_BITS), a, b;

	if (fa->avail.words[0] != groups ||
	    fa->chunk2m.words[0] != mm_div_up_u64(groups, WORD_BITS))
		return false;
	for (uint64_t ew = 0; ew < groups; ew++) {
		mm_frames_leaf_summary(fa->leaf, leaf_words, ew, &a, &b);
		if (ew == fa->low_word >> WORD_SHIFT)
			a &= ~bits_bit(fa->low_word); /* held clear */
		if (a != fa->avail.level[0][ew] || b != fa->empty[ew])
			return false;
	}
	for (uint64_t g = 0; g < fa->chunk2m.words[0]; g++) {
		mm_frames_empty_summary(fa->empty, groups, g, &a, &b);
		if (a != fa->empty16m[g] || b != fa->chunk2m.level[0][g])
			return false;
	}
	return mm_frames_tree_check(&fa->avail) &&
	       mm_frames_tree_check(&fa->chunk2m);
}

mm_status_t mm_frame_check(const struct mm_frames *fa)
{
	if (!check_counts(fa) || !check_summaries(fa))
		return MM_ERR_INVALID;
	return MM_OK;
}
