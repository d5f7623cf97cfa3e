/*
 * Owns the frame allocator's birth: where every array lives inside the
 * caller's metadata (the layout), and mm_frame_init(), which lays the
 * bitmap, every summary and the reserved runs down in one pass over the
 * sanitized memory map. It also owns the summary words of a group built
 * from the level below (used again by the self-check). Not thread-safe:
 * the allocator's caller serializes.
 *
 * Init sanitizes a bounded copy of the map (mm_memmap_sanitize(): the one
 * place that knows how overlapping regions resolve), so a raw map gives
 * exactly what its sanitized copy gives. The free frames are then the whole
 * frames of each usable region, in address order ("stretches"); the gaps
 * between them are the reserved ranges. The leaf is laid down a group of
 * 64 words at a time: a group no stretch touches or one stretch covers is
 * 64 constant stores and known summary bits; only the few groups a stretch
 * edge cuts are read back. empty16m, chunk2m.level[0] and avail.level[1]
 * are folded in the same pass, the small upper tree levels after it.
 *
 * Stack: the copy is one struct mm_memmap (6 KiB) and sanitizing it needs
 * about 4.5 KiB more; the kernel's 16 KiB boot stack (boot.asm) holds both.
 */
#include "frame_internal.h"

/* Where every array lives inside the metadata, for a given frame count. */
struct layout {
	uint64_t frames, leaf_words, group_words, top_words;
	uint64_t *leaf, *empty, *empty16m, *hint;
	struct mm_frame_tree avail, chunk2m;
	uint64_t bytes;
};

static void layout_compute(struct layout *lo, uint64_t frames, uint64_t *base)
{
	uint64_t used = 0;

	lo->frames = frames;
	lo->leaf_words = mm_div_up_u64(frames, WORD_BITS);
	lo->group_words = mm_div_up_u64(lo->leaf_words, WORD_BITS);
	lo->top_words = mm_div_up_u64(lo->group_words, WORD_BITS);
	lo->leaf = tree_carve(base, &used, lo->leaf_words);
	lo->empty = tree_carve(base, &used, lo->group_words);
	lo->hint = tree_carve(base, &used, lo->top_words);
	lo->empty16m = tree_carve(base, &used, lo->top_words);
	mm_frames_tree_layout(&lo->avail, lo->group_words, base, &used);
	mm_frames_tree_layout(&lo->chunk2m, lo->top_words, base, &used);
	lo->bytes = used * sizeof(uint64_t);
}

/*
 * *out = the sanitized copy of map, and the frames to track (the end of its
 * highest usable whole frame). MM_ERR_INVALID for more than
 * MM_MEMMAP_CAPACITY regions, a map sanitize refuses, or no usable frame.
 */
static mm_status_t init_sanitized(const struct mm_memmap *map,
				  struct mm_memmap *out, uint64_t *frames)
{
	if (map->count > MM_MEMMAP_CAPACITY)
		return MM_ERR_INVALID;
	out->count = map->count;
	for (size_t i = 0; i < map->count; i++)
		out->regions[i] = map->regions[i];
	if (mm_memmap_sanitize(out) != MM_OK)
		return MM_ERR_INVALID;
	*frames = MM_PADDR_TO_PFN(mm_memmap_usable_end(out));
	return *frames == 0 ? MM_ERR_INVALID : MM_OK;
}

size_t mm_frame_metadata_bytes(const struct mm_memmap *map)
{
	struct mm_memmap clean;
	struct layout lo;
	uint64_t frames;

	if (init_sanitized(map, &clean, &frames) != MM_OK)
		return 0;
	layout_compute(&lo, frames, NULL);
	return (size_t)lo.bytes;
}

void mm_frames_leaf_summary(const uint64_t *leaf, uint64_t leaf_words,
			    uint64_t ew, uint64_t *avail, uint64_t *empty)
{
	uint64_t first = ew << WORD_SHIFT;
	uint64_t stop = mm_min_u64(leaf_words, first + WORD_BITS);

	*avail = 0;
	*empty = 0;
	for (uint64_t wi = first; wi < stop; wi++) {
		*avail |= summary_avail(leaf[wi]) ? bits_bit(wi) : 0;
		*empty |= summary_empty(leaf[wi]) ? bits_bit(wi) : 0;
	}
}

void mm_frames_empty_summary(const uint64_t *empty, uint64_t group_words,
			     uint64_t g, uint64_t *free16m, uint64_t *free2m)
{
	uint64_t first = g << WORD_SHIFT;
	uint64_t stop = mm_min_u64(group_words, first + WORD_BITS);

	*free16m = 0;
	*free2m = 0;
	for (uint64_t ew = first; ew < stop; ew++) {
		*free16m |= summary_free16m(empty[ew]) ? bits_bit(ew) : 0;
		*free2m |= summary_free2m(empty[ew]) ? bits_bit(ew) : 0;
	}
}

/* The pass that lays the leaf down, group by group. */
struct build {
	const struct mm_memmap *map; /* sanitized */
	size_t next;		     /* next region to look at */
	uint64_t first, last; /* current stretch; UINT64_MAX when none left */
	uint64_t end;	      /* end of the previous stretch */
	uint64_t free;
	uint64_t e16m, c2m, a1; /* words above the current 64 groups */
};

static void build_start(struct build *b, const struct mm_memmap *map)
{
	b->map = map;
	b->next = 0;
	b->first = 0;
	b->last = 0; /* fetch the first stretch at the first group */
	b->end = 0;
	b->free = 0;
	b->e16m = 0;
	b->c2m = 0;
	b->a1 = 0;
}

/* Whole frames [*first, *last) of the next usable region; false at the end. */
static bool build_region_next(struct build *b, uint64_t *first, uint64_t *last)
{
	while (b->next < b->map->count) {
		const struct mm_region *r = &b->map->regions[b->next++];

		*first = MM_PADDR_TO_PFN_UP(r->base);
		*last = MM_PADDR_TO_PFN(mm_region_end(r));
		if (r->type == MM_REGION_USABLE && *first < *last)
			return true;
	}
	return false;
}

/* Fetch the next stretch; record the gap below it as reserved. */
static void build_stretch_next(struct mm_frames *fa, struct build *b)
{
	if (!build_region_next(b, &b->first, &b->last)) {
		b->first = UINT64_MAX;
		b->last = UINT64_MAX;
		return;
	}
	if (b->first > b->end)
		mm_frames_resv_append(fa, b->end, b->first);
	b->free += b->last - b->first;
	b->end = b->last;
}

static void build_words_fill(uint64_t *w, uint64_t n, uint64_t v)
{
	for (uint64_t i = 0; i < n; i++)
		w[i] = v;
}

/* Leaf words of a cut or short group: all used, then the stretches in it. */
static void build_group_mixed(struct mm_frames *fa, struct build *b,
			      uint64_t start, uint64_t end)
{
	build_words_fill(fa->leaf + (start >> WORD_SHIFT),
			 (end - start) >> WORD_SHIFT, ALL_ONES);
	while (b->first < end) {
		bits_fill(fa->leaf, mm_max_u64(b->first, start),
			  mm_min_u64(b->last, end), false);
		if (b->last > end)
			return;
		build_stretch_next(fa, b);
	}
}

/*
 * A whole group [start, start + GROUP_FRAMES) that no stretch touches (all
 * used, *v = ~0) or that one stretch covers (all free, *v = 0)?
 */
static bool build_group_uniform(const struct build *b, uint64_t start,
				uint64_t *v)
{
	uint64_t end = start + GROUP_FRAMES;

	*v = b->first >= end ? ALL_ONES : 0;
	return b->first >= end || (b->first <= start && b->last >= end);
}

/* Leaf words of group ew (nwords of them) and its level-0 summary words. */
static void build_group(struct mm_frames *fa, struct build *b, uint64_t ew,
			uint64_t nwords)
{
	uint64_t start = ew << GROUP_SHIFT, v;
	uint64_t *leaf = fa->leaf + (ew << WORD_SHIFT);

	while (b->last <= start)
		build_stretch_next(fa, b);
	if (nwords == WORD_BITS && build_group_uniform(b, start, &v)) {
		for (unsigned i = 0; i < WORD_BITS; i++) /* vector stores */
			leaf[i] = v;
		fa->avail.level[0][ew] = summary_avail(v) ? ALL_ONES : 0;
		fa->empty[ew] = summary_empty(v) ? ALL_ONES : 0;
		return;
	}
	build_group_mixed(fa, b, start, start + (nwords << WORD_SHIFT));
	mm_frames_leaf_summary(fa->leaf, ew * WORD_BITS + nwords, ew,
			       &fa->avail.level[0][ew], &fa->empty[ew]);
}

/*
 * Fold the empty and avail words of group ew into the words above them
 * (empty16m, chunk2m.level[0], avail.level[1]); store those after the last
 * of 64 groups or of all groups.
 */
static void build_fold(struct mm_frames *fa, struct build *b, uint64_t ew,
		       bool last)
{
	uint64_t e = fa->empty[ew], g = ew >> WORD_SHIFT;

	b->e16m |= summary_free16m(e) ? bits_bit(ew) : 0;
	b->c2m |= summary_free2m(e) ? bits_bit(ew) : 0;
	b->a1 |= tree_rule(fa->avail.level[0][ew]) ? bits_bit(ew) : 0;
	if ((ew & (WORD_BITS - 1)) != WORD_BITS - 1 && !last)
		return;
	fa->empty16m[g] = b->e16m;
	fa->chunk2m.level[0][g] = b->c2m;
	if (fa->avail.depth > 1)
		fa->avail.level[1][g] = b->a1;
	b->e16m = 0;
	b->c2m = 0;
	b->a1 = 0;
}

/* The leaf, every summary and the reserved ranges; returns the free count. */
static uint64_t build_all(struct mm_frames *fa, const struct layout *lo,
			  const struct mm_memmap *map)
{
	struct build b;

	build_start(&b, map);
	build_words_fill(fa->resv_hint, lo->top_words, 0);
	fa->nresv = 0;
	for (uint64_t ew = 0; ew < lo->group_words; ew++) {
		uint64_t nwords = mm_min_u64(
			WORD_BITS, lo->leaf_words - (ew << WORD_SHIFT));

		build_group(fa, &b, ew, nwords);
		build_fold(fa, &b, ew, ew + 1 == lo->group_words);
	}
	MM_ASSERT(b.end == lo->frames);
	mm_frames_tree_build(&fa->avail, 2);
	mm_frames_tree_build(&fa->chunk2m, 1);
	return b.free;
}

/* Fill *fa from a layout that fits the metadata and the sanitized map. */
static void init_install(struct mm_frames *fa, const struct layout *lo,
			 const struct mm_memmap *map)
{
	fa->total_frames = lo->frames;
	fa->leaf = lo->leaf;
	fa->empty = lo->empty;
	fa->empty16m = lo->empty16m;
	fa->resv_hint = lo->hint;
	mm_frames_tree_copy(&fa->avail, &lo->avail);
	mm_frames_tree_copy(&fa->chunk2m, &lo->chunk2m);
	fa->free_frames = build_all(fa, lo, map);
	mm_frames_cursor_seek(fa, 0);
	fa->usable_frames = fa->free_frames;
	fa->reserved_frames = lo->frames - fa->free_frames;
}

mm_status_t mm_frame_init(struct mm_frames *fa, const struct mm_memmap *map,
			  void *metadata, size_t metadata_bytes)
{
	struct mm_memmap clean;
	struct layout lo;
	uint64_t frames;

	if (!fa || !map || !metadata || ((uintptr_t)metadata & 7u) != 0)
		return MM_ERR_INVALID;
	if (init_sanitized(map, &clean, &frames) != MM_OK)
		return MM_ERR_INVALID;
	layout_compute(&lo, frames, metadata);
	if (metadata_bytes < lo.bytes)
		return MM_ERR_NOMEM;
	init_install(fa, &lo, &clean);
	return MM_OK;
}
