/*
 * The reference model of the frame allocator (see frame_ref.h): a state
 * byte per frame, the rules that predict every status and pfn of the
 * allocator calls, and the comparison of an allocator with it. The callers
 * pick the operations and their arguments; the model owns the answers.
 */
#include "frame_ref.h"

#include <string.h>

#define FRAME MM_FRAME_SIZE

/* ---- the map ------------------------------------------------------------ */

/* Bytes [start, end) lie inside the union of the usable regions. */
static bool usable_union(const struct mm_memmap *map, uint64_t start,
			 uint64_t end)
{
	bool moved = true;

	while (start < end && moved) {
		moved = false;
		for (size_t i = 0; i < map->count; i++) {
			const struct mm_region *g = &map->regions[i];

			if (g->type == MM_REGION_USABLE && g->base <= start &&
			    start - g->base < g->length) {
				start = g->base + g->length;
				moved = true;
			}
		}
	}
	return start >= end;
}

uint64_t frame_ref_frames(const struct mm_memmap *map)
{
	uint64_t top = 0;

	for (size_t i = 0; i < map->count; i++) {
		const struct mm_region *g = &map->regions[i];

		if (g->type == MM_REGION_USABLE &&
		    (g->base + g->length) / FRAME > top)
			top = (g->base + g->length) / FRAME;
	}
	while (top > 0 && !usable_union(map, (top - 1) * FRAME, top * FRAME))
		top--;
	return top;
}

/* Marks reserved every tracked frame the non-empty region g touches. */
static void reserve_region(struct frame_ref *ref, const struct mm_region *g)
{
	uint64_t end = g->base + g->length; /* mm_memmap_add caps at 2^64-1 */
	uint64_t last = end / FRAME + (end % FRAME != 0);

	for (uint64_t f = g->base / FRAME; f < last && f < ref->n; f++)
		ref->st[f] = FRAME_REF_RESV;
}

/* Maximal runs of reserved frames: the size the reserved table needs. */
static uint64_t count_runs(const struct frame_ref *ref)
{
	uint64_t n = 0;

	for (uint64_t f = 0; f < ref->n; f++)
		n += ref->st[f] == FRAME_REF_RESV &&
		     (f == 0 || ref->st[f - 1] != FRAME_REF_RESV);
	return n;
}

void frame_ref_init(struct frame_ref *ref, const struct mm_memmap *map,
		    uint8_t *st, uint64_t cap, frame_ref_fail_fn fail,
		    void *ctx)
{
	*ref = (struct frame_ref){st, frame_ref_frames(map), 0, 0, 0, fail,
				  ctx};
	FRAME_REF_EXPECT(ref, ref->n <= cap, true);
	for (uint64_t f = 0; f < ref->n; f++)
		st[f] = usable_union(map, f * FRAME, f * FRAME + FRAME)
				? FRAME_REF_FREE
				: FRAME_REF_RESV;
	for (size_t i = 0; i < map->count; i++) {
		if (map->regions[i].type != MM_REGION_USABLE &&
		    map->regions[i].length > 0)
			reserve_region(ref, &map->regions[i]);
	}
	ref->runs = count_runs(ref);
	ref->usable = frame_ref_count(ref, FRAME_REF_FREE);
}

void frame_ref_expect(const struct frame_ref *ref, const char *what,
		      uint64_t got, uint64_t want)
{
	if (got != want)
		ref->fail(ref->ctx, what, got, want);
}

mm_status_t frame_ref_init_status(const struct frame_ref *ref)
{
	if (ref->usable == 0)
		return MM_ERR_INVALID;
	if (ref->runs > MM_FRAME_MAX_RESERVED)
		return MM_ERR_NOMEM;
	return MM_OK;
}

uint64_t frame_ref_count(const struct frame_ref *ref, int state)
{
	uint64_t n = 0;

	for (uint64_t f = 0; f < ref->n; f++)
		n += ref->st[f] == state;
	return n;
}

/* ---- the operations ----------------------------------------------------- */

mm_status_t frame_ref_alloc(struct frame_ref *ref, uint64_t *pfn)
{
	while (ref->low < ref->n && ref->st[ref->low] != FRAME_REF_FREE)
		ref->low++;
	if (ref->low == ref->n)
		return MM_ERR_NOMEM;
	ref->st[ref->low] = FRAME_REF_ALLOC;
	*pfn = ref->low;
	return MM_OK;
}

mm_status_t frame_ref_alloc_at(struct frame_ref *ref, uint64_t pfn)
{
	if (pfn >= ref->n)
		return MM_ERR_OUT_OF_RANGE;
	if (ref->st[pfn] == FRAME_REF_RESV)
		return MM_ERR_RESERVED;
	if (ref->st[pfn] == FRAME_REF_ALLOC)
		return MM_ERR_IN_USE;
	ref->st[pfn] = FRAME_REF_ALLOC;
	return MM_OK;
}

mm_status_t frame_ref_alloc_contig(struct frame_ref *ref, uint64_t count,
				   uint64_t align, uint64_t limit,
				   uint64_t *pfn)
{
	uint64_t lim = limit < ref->n ? limit : ref->n;

	if (count == 0 || align == 0 || (align & (align - 1)) != 0)
		return MM_ERR_INVALID;
	/* no free frame below low: start at its first aligned pfn */
	for (uint64_t s = (ref->low + align - 1) / align * align;
	     s < lim && lim - s >= count;) {
		uint64_t f = s;

		while (f - s < count && ref->st[f] == FRAME_REF_FREE)
			f++;
		if (f - s == count) {
			memset(&ref->st[s], FRAME_REF_ALLOC, count);
			*pfn = s;
			return MM_OK;
		}
		s = (f / align + 1) * align; /* first aligned start past f */
	}
	return MM_ERR_NOMEM;
}

/* Status of freeing [pfn, pfn + count): the first offending frame's. */
static mm_status_t free_status(const struct frame_ref *ref, uint64_t pfn,
			       uint64_t count)
{
	if (count == 0 || count > UINT64_MAX - pfn)
		return MM_ERR_INVALID;
	for (uint64_t f = pfn; f - pfn < count; f++) {
		if (f >= ref->n)
			return MM_ERR_OUT_OF_RANGE;
		if (ref->st[f] == FRAME_REF_FREE)
			return MM_ERR_NOT_ALLOCATED;
		if (ref->st[f] == FRAME_REF_RESV)
			return MM_ERR_RESERVED;
	}
	return MM_OK;
}

mm_status_t frame_ref_free(struct frame_ref *ref, uint64_t pfn, uint64_t count)
{
	mm_status_t st = free_status(ref, pfn, count);

	if (st != MM_OK)
		return st;
	memset(&ref->st[pfn], FRAME_REF_FREE, count);
	if (pfn < ref->low)
		ref->low = pfn;
	return MM_OK;
}

/* Reserved runs meeting [lo, hi): those a reservation there merges. */
static uint64_t runs_meeting(const struct frame_ref *ref, uint64_t lo,
			     uint64_t hi)
{
	uint64_t n = 0;

	for (uint64_t f = lo; f < hi; f++)
		n += ref->st[f] == FRAME_REF_RESV &&
		     (f == lo || ref->st[f - 1] != FRAME_REF_RESV);
	return n;
}

mm_status_t frame_ref_reserve(struct frame_ref *ref, uint64_t base,
			      uint64_t len)
{
	uint64_t first, last, runs;

	if (len == 0 || len - 1 > UINT64_MAX - base)
		return MM_ERR_INVALID;
	first = base / FRAME;
	last = (base + (len - 1)) / FRAME + 1;
	last = last < ref->n ? last : ref->n;
	for (uint64_t f = first; f < last; f++) {
		if (ref->st[f] == FRAME_REF_ALLOC)
			return MM_ERR_IN_USE;
	}
	if (first >= last)
		return MM_OK;
	/* [first, last) and every run touching it become one run */
	runs = ref->runs + 1 -
	       runs_meeting(ref, first ? first - 1 : 0,
			    last < ref->n ? last + 1 : ref->n);
	if (runs > MM_FRAME_MAX_RESERVED)
		return MM_ERR_NOMEM;
	memset(&ref->st[first], FRAME_REF_RESV, last - first);
	ref->runs = runs;
	return MM_OK;
}

/* ---- comparing ---------------------------------------------------------- */

/* Free runs of size frames starting at multiples of size. */
static uint64_t aligned_runs(const struct frame_ref *ref, uint64_t size)
{
	uint64_t n = 0;

	for (uint64_t s = 0; s + size <= ref->n; s += size) {
		uint64_t f = s;

		while (f - s < size && ref->st[f] == FRAME_REF_FREE)
			f++;
		n += f - s == size;
	}
	return n;
}

static uint64_t largest_run(const struct frame_ref *ref)
{
	uint64_t best = 0, run = 0;

	for (uint64_t f = 0; f < ref->n; f++) {
		run = ref->st[f] == FRAME_REF_FREE ? run + 1 : 0;
		best = run > best ? run : best;
	}
	return best;
}

/* The per-frame predicates of fa agree with the reference up to n + 70. */
static void compare_frames(const struct frame_ref *ref,
			   const struct mm_frames *fa)
{
	for (uint64_t f = 0; f < ref->n + 70; f++) {
		bool in = f < ref->n;

		FRAME_REF_EXPECT(ref, mm_frame_is_free(fa, f),
				 in && ref->st[f] == FRAME_REF_FREE);
		FRAME_REF_EXPECT(ref, mm_frame_is_reserved(fa, f),
				 in && ref->st[f] == FRAME_REF_RESV);
	}
}

void frame_ref_compare(const struct frame_ref *ref, const struct mm_frames *fa,
		       bool full)
{
	uint64_t count[3] = {0, 0, 0};
	struct mm_frame_stats st;

	for (uint64_t f = 0; f < ref->n; f++)
		count[ref->st[f]]++;
	mm_frame_stats(fa, &st);
	FRAME_REF_EXPECT(ref, st.total_frames, ref->n);
	FRAME_REF_EXPECT(ref, st.usable_frames, ref->usable);
	FRAME_REF_EXPECT(ref, st.free_frames, count[FRAME_REF_FREE]);
	FRAME_REF_EXPECT(ref, st.allocated_frames, count[FRAME_REF_ALLOC]);
	FRAME_REF_EXPECT(ref, st.reserved_frames, count[FRAME_REF_RESV]);
	if (!full)
		return;
	FRAME_REF_EXPECT(ref, st.free_2m_runs, aligned_runs(ref, MM_FRAMES_2M));
	FRAME_REF_EXPECT(ref, st.free_1g_runs, aligned_runs(ref, MM_FRAMES_1G));
	FRAME_REF_EXPECT(ref, st.largest_free_run, largest_run(ref));
	FRAME_REF_EXPECT(ref, ref->runs, count_runs(ref));
	compare_frames(ref, fa);
}
