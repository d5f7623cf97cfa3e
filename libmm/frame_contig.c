/*
 * Owns the frame allocator's contiguous runs: the searches (a free 2 MiB or
 * 1 GiB page from the summaries, any other run by stepping from free frame
 * to used frame, skipping wholly free groups of 4096 frames) and the
 * public mm_frame_alloc_contig / mm_frame_free_contig, which mark the run
 * through mm_frames_mark() (frame.c). Off the single-frame hot path, so
 * kept apart from it.
 */
#include "frame_internal.h"

/* ---- searches --------------------------------------------------------- */

/*
 * Lowest free frame >= pos; false when there is none. The search starts at
 * the cursor word at the lowest (every word below it is full), whose leaf
 * word it reads itself: its avail bit is held clear.
 */
static bool find_next_free(const struct mm_frames *fa, uint64_t pos,
			   uint64_t *out)
{
	uint64_t wi, w;

	pos = mm_max_u64(pos, fa->low_word << WORD_SHIFT);
	wi = pos >> WORD_SHIFT;
	if (pos >= fa->total_frames)
		return false;
	w = ~fa->leaf[wi] & (ALL_ONES << (pos & (WORD_BITS - 1)));
	if (w == 0) {
		wi = tree_next(&fa->avail, wi + 1);
		if (wi == TREE_NONE)
			return false;
		w = ~fa->leaf[wi];
	}
	*out = (wi << WORD_SHIFT) | bits_ctz(w);
	return true;
}

/* First used frame in [start, end), or end; skips free groups whole. */
static uint64_t find_first_used(const struct mm_frames *fa, uint64_t start,
				uint64_t end)
{
	uint64_t pos = start;

	while (pos < end) {
		uint64_t wi = pos >> WORD_SHIFT, w;

		if ((pos & (GROUP_FRAMES - 1)) == 0 &&
		    end - pos >= GROUP_FRAMES &&
		    summary_free16m(fa->empty[pos >> GROUP_SHIFT])) {
			pos += GROUP_FRAMES;
			continue;
		}
		w = fa->leaf[wi] & (ALL_ONES << (pos & (WORD_BITS - 1)));
		if (w)
			return mm_min_u64(end,
					  (wi << WORD_SHIFT) + bits_ctz(w));
		pos = (wi + 1) << WORD_SHIFT;
	}
	return end;
}

/* Lowest free, 2 MiB-aligned run of 512 frames. */
static bool find_2m(const struct mm_frames *fa, uint64_t *out)
{
	uint64_t ew;

	if (!tree_first(&fa->chunk2m, &ew))
		return false;
	*out = (ew << GROUP_SHIFT) |
	       ((uint64_t)bits_ctz(bits_ff_bytes(fa->empty[ew])) << WORD_SHIFT);
	return true;
}

/* Lowest free, 1 GiB-aligned run of 262144 frames. */
static bool find_1g(const struct mm_frames *fa, uint64_t *out)
{
	uint64_t words = mm_div_up_u64(fa->avail.words[0], WORD_BITS);

	for (uint64_t g = 0; g < words; g++) {
		if (summary_free16m(fa->empty16m[g])) {
			*out = g << (3 * WORD_SHIFT);
			return true;
		}
	}
	return false;
}

/*
 * Lowest run of count free frames starting at a multiple of align and
 * ending at or below limit: the first free frame >= pos, aligned up; on a
 * used frame inside the run, start again past it.
 */
static bool find_run(const struct mm_frames *fa, uint64_t count, uint64_t align,
		     uint64_t limit, uint64_t *out)
{
	uint64_t pos = 0, f;

	while (find_next_free(fa, pos, &f)) {
		uint64_t s = f & ~(align - 1), used;

		s += s < f ? align : 0;
		if (s > limit || limit - s < count)
			return false;
		used = find_first_used(fa, s, s + count);
		if (used == s + count) {
			*out = s;
			return true;
		}
		pos = used + 1;
	}
	return false;
}

static bool find_contig(const struct mm_frames *fa, uint64_t count,
			uint64_t align, uint64_t limit, uint64_t *out)
{
	bool found;

	if (count == MM_FRAMES_2M && align == MM_FRAMES_2M)
		found = find_2m(fa, out);
	else if (count == MM_FRAMES_1G && align == MM_FRAMES_1G)
		found = find_1g(fa, out);
	else
		return find_run(fa, count, align, limit, out);
	return found && *out + count <= limit;
}

/* ---- public API -------------------------------------------------------- */

mm_status_t mm_frame_alloc_contig(struct mm_frames *fa, uint64_t count,
				  uint64_t align_frames, mm_pfn_t limit_pfn,
				  mm_pfn_t *pfn)
{
	uint64_t start;

	if (count == 0 || align_frames == 0 ||
	    (align_frames & (align_frames - 1)) != 0)
		return MM_ERR_INVALID;
	if (!find_contig(fa, count, align_frames,
			 mm_min_u64(limit_pfn, fa->total_frames), &start))
		return MM_ERR_NOMEM;
	mm_frames_mark(fa, start, start + count, true);
	MM_DEBUG_ASSERT(fa->free_frames >= count);
	fa->free_frames -= count;
	*pfn = start;
	return MM_OK;
}

mm_status_t mm_frame_free_contig(struct mm_frames *fa, mm_pfn_t pfn,
				 uint64_t count)
{
	uint64_t end, stop, first_free;
	size_t i;

	if (count == 0 || count > UINT64_MAX - pfn)
		return MM_ERR_INVALID;
	if (pfn >= fa->total_frames)
		return MM_ERR_OUT_OF_RANGE;
	end = pfn + count;
	stop = mm_min_u64(end, fa->total_frames);
	first_free = bits_scan(fa->leaf, pfn, stop, false);
	i = resv_search(fa, pfn);
	if (i < fa->nresv && fa->resv[i].start < first_free)
		return MM_ERR_RESERVED;
	if (first_free < stop)
		return MM_ERR_NOT_ALLOCATED;
	if (stop < end)
		return MM_ERR_OUT_OF_RANGE;
	mm_frames_mark(fa, pfn, end, false);
	MM_DEBUG_ASSERT(fa->free_frames + fa->reserved_frames + count <=
			fa->total_frames);
	fa->free_frames += count;
	return MM_OK;
}
