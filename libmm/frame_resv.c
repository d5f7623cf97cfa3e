/*
 * Owns the frame allocator's reserved runs: the sorted table of disjoint,
 * non-touching [start, end) pfn ranges of reserved frames and its hint
 * bits, and mm_frame_reserve(), which grows it. The lookups of the hot
 * path (resv_search, resv_holds) are inline in frame_internal.h. Not
 * thread-safe: the allocator's caller serializes.
 */
#include "frame_internal.h"

/* Mark the resv_hint bits of the 4096-frame groups touching [start, end). */
static void resv_hint_mark(struct mm_frames *fa, mm_pfn_t start, mm_pfn_t end)
{
	bits_fill(fa->resv_hint, start >> GROUP_SHIFT,
		  ((end - 1) >> GROUP_SHIFT) + 1, true);
}

void mm_frames_resv_append(struct mm_frames *fa, mm_pfn_t start, mm_pfn_t end)
{
	/* init cannot run out: see the _Static_assert in frame_internal.h */
	MM_ASSERT(fa->nresv < MM_FRAME_MAX_RESERVED);
	MM_DEBUG_ASSERT(fa->nresv == 0 || fa->resv[fa->nresv - 1].end < start);
	fa->resv[fa->nresv].start = start;
	fa->resv[fa->nresv].end = end;
	fa->nresv++;
	resv_hint_mark(fa, start, end);
}

/*
 * Next piece of [*pos, end) outside every reserved range; *i is the index of
 * the first range that may still follow. False when none is left.
 */
static bool resv_gap_next(const struct mm_frames *fa, size_t *i, uint64_t *pos,
			  uint64_t end, struct mm_frame_range *gap)
{
	while (*pos < end) {
		const struct mm_frame_range *r =
			*i < fa->nresv ? &fa->resv[*i] : NULL;

		if (r && r->start <= *pos) {
			*pos = mm_max_u64(*pos, r->end);
			(*i)++;
			continue;
		}
		gap->start = *pos;
		gap->end = r ? mm_min_u64(end, r->start) : end;
		*pos = gap->end;
		return true;
	}
	return false;
}

/* Ranges [*lo, *hi) of resv[] that touch or overlap [start, end). */
static void resv_touching(const struct mm_frames *fa, uint64_t start,
			  uint64_t end, size_t *lo, size_t *hi)
{
	*lo = resv_search(fa, start);
	if (*lo > 0 && fa->resv[*lo - 1].end == start)
		(*lo)--;
	*hi = *lo;
	while (*hi < fa->nresv && fa->resv[*hi].start <= end)
		(*hi)++;
}

bool mm_frames_resv_find(const struct mm_frames *fa, mm_pfn_t pfn)
{
	size_t i = resv_search(fa, pfn);

	return i < fa->nresv && fa->resv[i].start <= pfn;
}

/* Replace ranges [lo, hi) of resv[] by one range covering them and r. */
static void resv_merge(struct mm_frames *fa, size_t lo, size_t hi,
		       struct mm_frame_range r)
{
	size_t n = fa->nresv, removed = hi - lo;

	if (removed > 0) {
		r.start = mm_min_u64(r.start, fa->resv[lo].start);
		r.end = mm_max_u64(r.end, fa->resv[hi - 1].end);
	}
	if (removed == 0) {
		for (size_t i = n; i > lo; i--)
			fa->resv[i] = fa->resv[i - 1];
	}
	for (size_t i = hi; removed > 1 && i < n; i++)
		fa->resv[i - removed + 1] = fa->resv[i];
	fa->resv[lo] = r;
	fa->nresv = n + 1 - removed;
}

/* MM_ERR_IN_USE if an allocated frame lies in [start, end). */
static mm_status_t resv_check_free(const struct mm_frames *fa, uint64_t start,
				   uint64_t end)
{
	size_t i = resv_search(fa, start);
	uint64_t pos = start;
	struct mm_frame_range gap;

	while (resv_gap_next(fa, &i, &pos, end, &gap)) {
		if (!bits_uniform(fa->leaf, gap.start, gap.end, false))
			return MM_ERR_IN_USE;
	}
	return MM_OK;
}

/* Mark the free frames of [start, end) used; returns how many. */
static uint64_t resv_mark_gaps(struct mm_frames *fa, uint64_t start,
			       uint64_t end)
{
	size_t i = resv_search(fa, start);
	uint64_t pos = start, n = 0;
	struct mm_frame_range gap;

	while (resv_gap_next(fa, &i, &pos, end, &gap)) {
		mm_frames_mark(fa, gap.start, gap.end, true);
		n += gap.end - gap.start;
	}
	return n;
}

mm_status_t mm_frame_reserve(struct mm_frames *fa, mm_pfn_t pfn, uint64_t count)
{
	struct mm_frame_range r;
	size_t lo, hi;
	uint64_t n;
	mm_status_t st;

	if (count == 0 || count > UINT64_MAX - pfn)
		return MM_ERR_INVALID;
	r.start = pfn;
	r.end = mm_min_u64(pfn + count, fa->total_frames);
	if (r.start >= r.end)
		return MM_OK;
	st = resv_check_free(fa, r.start, r.end);
	if (st != MM_OK)
		return st;
	resv_touching(fa, r.start, r.end, &lo, &hi);
	if (lo == hi && fa->nresv == MM_FRAME_MAX_RESERVED)
		return MM_ERR_NOMEM;
	n = resv_mark_gaps(fa, r.start, r.end);
	resv_merge(fa, lo, hi, r);
	resv_hint_mark(fa, r.start, r.end);
	MM_DEBUG_ASSERT(fa->free_frames >= n);
	fa->free_frames -= n;
	fa->reserved_frames += n;
	return MM_OK;
}

mm_status_t mm_frame_reserve_bytes(struct mm_frames *fa, mm_paddr_t base,
				   uint64_t length)
{
	mm_pfn_t first, last;

	if (length == 0 || length - 1 > UINT64_MAX - base)
		return MM_ERR_INVALID;
	first = MM_PADDR_TO_PFN(base);
	last = MM_PADDR_TO_PFN(base + (length - 1));
	return mm_frame_reserve(fa, first, last - first + 1);
}
