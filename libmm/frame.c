/*
 * Owns the physical frame allocator: the bitmap of every 4 KiB frame up to
 * the highest usable address, the summaries that make every search
 * O(log64 N) word reads whatever the fill level, the table of reserved
 * ranges, and the invariant checker. It never allocates: the caller hands
 * it the descriptor and the metadata memory. Compiled both hosted and
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
 *   resv[]    sorted, disjoint, non-touching [start, end) pfn ranges of
 *             reserved frames (map holes and mm_frame_reserve()); their
 *             leaf bits are set. A used bit is reserved iff a range holds
 *             it; the hint spares the search for allocated frames. One
 *             hint bit covers 4096 frames so that the whole hint stays in
 *             cache (512 bytes for 64 GiB): freeing a frame then costs one
 *             random cache line, the leaf word's, not two.
 *
 *   low_word  every leaf word below it is full: a single allocation looks
 *             there first and asks the avail tree only when it is full.
 *
 * Bits of the last leaf word at or past N are set forever and never
 * counted; bits of a summary word past the end of the vector below are 0.
 * Every state change refreshes the summaries bottom-up and stops as soon
 * as a bit does not flip, so the common case touches one or two words;
 * whole leaf words of a range are stored at once, their summary bits set
 * without looking (all used: not available, not empty).
 *
 * Init walks the map once for N and once to build: the walk yields the
 * stretches of free frames in address order (whole frames of the usable
 * union that no non-usable region touches, as after sanitizing), and the
 * leaf is laid down a group of 64 words at a time: a group no stretch
 * touches or one stretch covers is 64 constant stores and known summary
 * bits; only the few groups a stretch edge cuts are read back. The gaps
 * between stretches are the reserved ranges; empty16m, chunk2m.level[0]
 * and avail.level[1] are folded in the same pass, the small upper tree
 * levels after it.
 */
#include "mm/frame.h"

#include "mm/assert.h"

#define WORD_SHIFT    6u
#define WORD_BITS     (1u << WORD_SHIFT)
#define GROUP_SHIFT   (2u * WORD_SHIFT) /* frames under one empty bit-word */
#define GROUP_FRAMES  ((uint64_t)1 << GROUP_SHIFT)
#define ALL_ONES      (~(uint64_t)0)
#define BYTE_LOW_BITS 0x0101010101010101ull

/* Init relies on it: a map cannot have more holes than the table holds. */
_Static_assert(MM_MEMMAP_CAPACITY <= MM_FRAME_MAX_RESERVED,
	       "every gap of a map fits the reserved-range table");

/* ---- bit and word operations ---------------------------------------- */

static uint64_t bit(uint64_t i)
{
	return (uint64_t)1 << (i & (WORD_BITS - 1));
}

static unsigned ctz64(uint64_t x)
{
	return (unsigned)__builtin_ctzll(x);
}

/* Population count without a libgcc call (freestanding, no POPCNT). */
static unsigned popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * BYTE_LOW_BITS) >> 56);
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

/* Bits [lo, hi) of a word, 0 <= lo < hi <= 64. */
static uint64_t bits_mask(uint64_t lo, uint64_t hi)
{
	uint64_t below = hi >= WORD_BITS ? ALL_ONES : bit(hi) - 1;

	return below & (ALL_ONES << lo);
}

/* Bit 8k set iff byte k of w is 0xFF (an aligned run of 8 ones). */
static uint64_t ff_bytes(uint64_t w)
{
	w &= w >> 1;
	w &= w >> 2;
	w &= w >> 4;
	return w & BYTE_LOW_BITS;
}

static bool test_bit(const uint64_t *v, uint64_t i)
{
	return (v[i >> WORD_SHIFT] & bit(i)) != 0;
}

static void word_apply(uint64_t *w, uint64_t m, bool set)
{
	*w = set ? *w | m : *w & ~m;
}

/* Set or clear bits [start, end), start < end, of vector v. */
static void bits_fill(uint64_t *v, uint64_t start, uint64_t end, bool set)
{
	uint64_t first = start >> WORD_SHIFT, last = (end - 1) >> WORD_SHIFT;

	MM_ASSERT(start < end);
	if (first == last) {
		word_apply(&v[first],
			   bits_mask(start & (WORD_BITS - 1),
				     end - (first << WORD_SHIFT)),
			   set);
		return;
	}
	word_apply(&v[first], bits_mask(start & (WORD_BITS - 1), WORD_BITS),
		   set);
	for (uint64_t wi = first + 1; set && wi < last; wi++)
		v[wi] = ALL_ONES;
	for (uint64_t wi = first + 1; !set && wi < last; wi++)
		v[wi] = 0;
	word_apply(&v[last], bits_mask(0, end - (last << WORD_SHIFT)), set);
}

/* First index in [pos, end) whose bit in v equals set, or end. */
static uint64_t bits_scan(const uint64_t *v, uint64_t pos, uint64_t end,
			  bool set)
{
	while (pos < end) {
		uint64_t wi = pos >> WORD_SHIFT;
		uint64_t w = set ? v[wi] : ~v[wi];

		w &= ALL_ONES << (pos & (WORD_BITS - 1));
		if (w)
			return min64(end, (wi << WORD_SHIFT) + ctz64(w));
		pos = (wi + 1) << WORD_SHIFT;
	}
	return end;
}

/* Longest run of zero bits inside one word. */
static uint64_t longest_zero_run(uint64_t w)
{
	uint64_t best = 0, pos = 0;

	while (pos < WORD_BITS) {
		uint64_t rest = w >> pos;
		uint64_t zeros = rest ? ctz64(rest) : WORD_BITS - pos;
		uint64_t ones;

		best = max64(best, zeros);
		pos += zeros;
		/* skip the ones at pos; none left below the top ends the word */
		ones = pos < WORD_BITS ? ~(w >> pos) : 0;
		pos += ones ? ctz64(ones) : WORD_BITS;
	}
	return best;
}

/* ---- summary trees --------------------------------------------------- */

/*
 * Store v as word wi of level 0 and carry the change upwards while a word
 * turns zero or non-zero.
 */
static void tree_store(struct mm_frame_tree *t, uint64_t wi, uint64_t v)
{
	for (unsigned k = 0;; k++) {
		uint64_t old = t->level[k][wi];

		t->level[k][wi] = v;
		if (k + 1 == t->depth || (old == 0) == (v == 0))
			return;
		v = t->level[k + 1][wi >> WORD_SHIFT] ^ bit(wi);
		wi >>= WORD_SHIFT;
	}
}

/*
 * Toggle bit i of level 0 and carry upwards: a one-bit change turns a word
 * zero or non-zero iff it was or becomes zero.
 */
static void tree_flip(struct mm_frame_tree *t, uint64_t i)
{
	for (unsigned k = 0; k < t->depth; k++) {
		uint64_t *w = &t->level[k][i >> WORD_SHIFT];
		uint64_t old = *w;

		*w = old ^ bit(i);
		if (old != 0 && *w != 0)
			return;
		i >>= WORD_SHIFT;
	}
}

/* Lowest set level-0 bit under set bit i of level k. */
static uint64_t tree_descend(const struct mm_frame_tree *t, unsigned k,
			     uint64_t i)
{
	while (k > 0) {
		k--;
		MM_ASSERT(t->level[k][i] != 0);
		i = (i << WORD_SHIFT) | ctz64(t->level[k][i]);
	}
	return i;
}

/* Lowest set bit of level 0; false when there is none. */
static bool tree_first(const struct mm_frame_tree *t, uint64_t *out)
{
	uint64_t top = t->level[t->depth - 1][0];

	if (top == 0)
		return false;
	*out = tree_descend(t, t->depth - 1, ctz64(top));
	return true;
}

/* Lowest set bit of level 0 at index >= from; false when there is none. */
static bool tree_next(const struct mm_frame_tree *t, uint64_t from,
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
					    (wi << WORD_SHIFT) | ctz64(w));
			return true;
		}
		from = wi + 1;
	}
	return false;
}

/* Word i of a summary over vector below[0, n): bit j = below[64i+j] != 0. */
static uint64_t nonzero_word(const uint64_t *below, uint64_t n, uint64_t i)
{
	uint64_t w = 0, first = i << WORD_SHIFT;
	uint64_t stop = min64(n, first + WORD_BITS);

	for (uint64_t j = first; j < stop; j++)
		w |= below[j] != 0 ? bit(j) : 0;
	return w;
}

/* ---- layout ---------------------------------------------------------- */

/* Where every array lives inside the metadata, for a given frame count. */
struct layout {
	uint64_t frames, leaf_words, group_words, top_words;
	uint64_t *leaf, *empty, *empty16m, *hint;
	struct mm_frame_tree avail, chunk2m;
	uint64_t bytes;
};

/* Next `words` words of the metadata (NULL when only measuring). */
static uint64_t *carve(uint64_t *base, uint64_t *used, uint64_t words)
{
	uint64_t *p = base ? base + *used : NULL;

	*used += words;
	return p;
}

static void tree_layout(struct mm_frame_tree *t, uint64_t words, uint64_t *base,
			uint64_t *used)
{
	unsigned k = 0;

	for (;;) {
		MM_ASSERT(k < MM_FRAME_TREE_LEVELS);
		t->words[k] = words;
		t->level[k] = carve(base, used, words);
		k++;
		if (words == 1)
			break;
		words = div_up(words, WORD_BITS);
	}
	t->depth = k;
	for (; k < MM_FRAME_TREE_LEVELS; k++) {
		t->words[k] = 0;
		t->level[k] = NULL;
	}
}

static void layout_compute(struct layout *lo, uint64_t frames, uint64_t *base)
{
	uint64_t used = 0;

	lo->frames = frames;
	lo->leaf_words = div_up(frames, WORD_BITS);
	lo->group_words = div_up(lo->leaf_words, WORD_BITS);
	lo->top_words = div_up(lo->group_words, WORD_BITS);
	lo->leaf = carve(base, &used, lo->leaf_words);
	lo->empty = carve(base, &used, lo->group_words);
	lo->hint = carve(base, &used, lo->top_words);
	lo->empty16m = carve(base, &used, lo->top_words);
	tree_layout(&lo->avail, lo->group_words, base, &used);
	tree_layout(&lo->chunk2m, lo->top_words, base, &used);
	lo->bytes = used * sizeof(uint64_t);
}

/* ---- the memory map --------------------------------------------------- */

static uint64_t region_end(const struct mm_region *r)
{
	uint64_t end = r->length > UINT64_MAX - r->base ? UINT64_MAX
							: r->base + r->length;

	return min64(end, MM_PHYS_LIMIT);
}

/* Indices of the non-empty regions of one kind (usable or not), by base. */
static size_t regions_sorted(const struct mm_memmap *map, bool usable,
			     uint16_t *idx)
{
	size_t n = 0, j;

	for (size_t i = 0; i < map->count; i++) {
		const struct mm_region *r = &map->regions[i];

		if ((r->type == MM_REGION_USABLE) != usable ||
		    r->base >= region_end(r))
			continue;
		for (j = n; j > 0 && map->regions[idx[j - 1]].base > r->base;
		     j--)
			idx[j] = idx[j - 1];
		idx[j] = (uint16_t)i;
		n++;
	}
	return n;
}

/*
 * The free frames of a map in address order: the whole frames of the union
 * of its usable regions that no non-usable region touches, which are the
 * whole usable frames of the sanitized map. Two sorted cursors: usable
 * unions (k) and non-usable regions (j); pos only moves up within a union,
 * so a non-usable region ending at or below pos is passed for good.
 */
struct map_walk {
	const struct mm_memmap *map;
	uint16_t use[MM_MEMMAP_CAPACITY], non[MM_MEMMAP_CAPACITY];
	size_t nuse, nnon, k, j;
	uint64_t pos, end; /* what is left of the current union: [pos, end) */
};

static void walk_start(struct map_walk *w, const struct mm_memmap *map)
{
	w->map = map;
	w->nuse = regions_sorted(map, true, w->use);
	w->nnon = regions_sorted(map, false, w->non);
	w->k = 0;
	w->j = 0;
	w->pos = 0;
	w->end = 0;
}

/*
 * Whole frames [pos, end) of the next union of overlapping or touching
 * usable regions (possibly none); false at the end. A frame split between
 * two touching regions is whole in their union.
 */
static bool union_next(struct map_walk *w)
{
	const struct mm_region *r;
	uint64_t end;

	if (w->k >= w->nuse)
		return false;
	r = &w->map->regions[w->use[w->k++]];
	w->pos = div_up(r->base, MM_FRAME_SIZE);
	end = region_end(r);
	while (w->k < w->nuse && w->map->regions[w->use[w->k]].base <= end) {
		r = &w->map->regions[w->use[w->k++]];
		end = max64(end, region_end(r));
	}
	w->end = end >> MM_PAGE_SHIFT;
	return true;
}

/*
 * The first non-usable region not below pos, as the frames [*first, *last)
 * it touches (partial frames count whole); false when none is left.
 */
static bool nonusable_next(struct map_walk *w, uint64_t *first, uint64_t *last)
{
	for (; w->j < w->nnon; w->j++) {
		const struct mm_region *r = &w->map->regions[w->non[w->j]];

		*first = r->base >> MM_PAGE_SHIFT;
		*last = div_up(region_end(r), MM_FRAME_SIZE);
		if (*last > w->pos)
			return true;
	}
	return false;
}

/* Next non-empty stretch [*first, *last) of free frames; false at the end. */
static bool walk_next(struct map_walk *w, uint64_t *first, uint64_t *last)
{
	uint64_t nfirst, nlast;
	bool non;

	for (;;) {
		if (w->pos >= w->end) {
			if (!union_next(w))
				return false;
			continue;
		}
		non = nonusable_next(w, &nfirst, &nlast);
		if (non && nfirst <= w->pos) {
			w->pos = nlast;
			continue;
		}
		*first = w->pos;
		*last = non ? min64(w->end, nfirst) : w->end;
		w->pos = *last;
		return true;
	}
}

/* Frames to track: the end of the highest free frame. */
static uint64_t map_frames(const struct mm_memmap *map)
{
	struct map_walk w;
	uint64_t frames = 0, first, last;

	walk_start(&w, map);
	while (walk_next(&w, &first, &last))
		frames = last;
	return frames;
}

/* Bits of leaf word wi that stand for tracked frames. */
static uint64_t tracked_mask(uint64_t frames, uint64_t wi)
{
	uint64_t first = wi << WORD_SHIFT;

	return bits_mask(0, min64(WORD_BITS, frames - first));
}

static uint64_t count_free(const uint64_t *leaf, uint64_t frames)
{
	uint64_t n = 0, words = div_up(frames, WORD_BITS);

	for (uint64_t wi = 0; wi < words; wi++)
		n += popcount64(~leaf[wi] & tracked_mask(frames, wi));
	return n;
}

/* ---- summaries from the leaf ------------------------------------------ */

/* Group ew of the leaf: its avail.level[0] word and its empty word. */
static void leaf_group(const uint64_t *leaf, uint64_t leaf_words, uint64_t ew,
		       uint64_t *avail, uint64_t *empty)
{
	uint64_t first = ew << WORD_SHIFT;
	uint64_t stop = min64(leaf_words, first + WORD_BITS);

	*avail = 0;
	*empty = 0;
	for (uint64_t wi = first; wi < stop; wi++) {
		*avail |= leaf[wi] != ALL_ONES ? bit(wi) : 0;
		*empty |= leaf[wi] == 0 ? bit(wi) : 0;
	}
}

/* Group g of the empty vector: its empty16m word and chunk2m.level[0]. */
static void empty_group(const uint64_t *empty, uint64_t group_words, uint64_t g,
			uint64_t *e16m, uint64_t *c2m)
{
	uint64_t first = g << WORD_SHIFT;
	uint64_t stop = min64(group_words, first + WORD_BITS);

	*e16m = 0;
	*c2m = 0;
	for (uint64_t ew = first; ew < stop; ew++) {
		*e16m |= empty[ew] == ALL_ONES ? bit(ew) : 0;
		*c2m |= ff_bytes(empty[ew]) != 0 ? bit(ew) : 0;
	}
}

/* Levels [from, depth) of a tree from the level below each. */
static void tree_build_upper(struct mm_frame_tree *t, unsigned from)
{
	for (unsigned k = from; k < t->depth; k++) {
		for (uint64_t i = 0; i < t->words[k]; i++)
			t->level[k][i] = nonzero_word(t->level[k - 1],
						      t->words[k - 1], i);
	}
}

/* ---- reserved ranges -------------------------------------------------- */

/* Index of the first reserved range ending after pfn (nresv if none). */
static size_t resv_search(const struct mm_frames *fa, uint64_t pfn)
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

/* A used frame: reserved (true) or allocated (false)? */
static inline bool used_is_reserved(const struct mm_frames *fa, uint64_t pfn)
{
	size_t i;

	if (!test_bit(fa->resv_hint, pfn >> GROUP_SHIFT))
		return false;
	i = resv_search(fa, pfn);
	return i < fa->nresv && fa->resv[i].start <= pfn;
}

/* Mark the resv_hint bits of the 4096-frame groups touching [start, end). */
static void hint_mark(struct mm_frames *fa, uint64_t start, uint64_t end)
{
	bits_fill(fa->resv_hint, start >> GROUP_SHIFT,
		  ((end - 1) >> GROUP_SHIFT) + 1, true);
}

/*
 * Next piece of [*pos, end) outside every reserved range; *i is the index of
 * the first range that may still follow. False when none is left.
 */
static bool gap_next(const struct mm_frames *fa, size_t *i, uint64_t *pos,
		     uint64_t end, struct mm_frame_range *gap)
{
	while (*pos < end) {
		const struct mm_frame_range *r =
			*i < fa->nresv ? &fa->resv[*i] : NULL;

		if (r && r->start <= *pos) {
			*pos = max64(*pos, r->end);
			(*i)++;
			continue;
		}
		gap->start = *pos;
		gap->end = r ? min64(end, r->start) : end;
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

/* Replace ranges [lo, hi) of resv[] by one range covering them and r. */
static void resv_merge(struct mm_frames *fa, size_t lo, size_t hi,
		       struct mm_frame_range r)
{
	size_t n = fa->nresv, removed = hi - lo;

	if (removed > 0) {
		r.start = min64(r.start, fa->resv[lo].start);
		r.end = max64(r.end, fa->resv[hi - 1].end);
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

/* ---- leaf changes with summary upkeep --------------------------------- */

/* Store v as empty word ew and refresh empty16m and chunk2m. */
static void empty_store(struct mm_frames *fa, uint64_t ew, uint64_t v)
{
	uint64_t old = fa->empty[ew];

	fa->empty[ew] = v;
	if ((old == ALL_ONES) != (v == ALL_ONES))
		fa->empty16m[ew >> WORD_SHIFT] ^= bit(ew);
	if ((ff_bytes(old) != 0) != (ff_bytes(v) != 0))
		tree_flip(&fa->chunk2m, ew);
}

/* Store v as leaf word wi and refresh every summary above it. */
static inline void leaf_store(struct mm_frames *fa, uint64_t wi, uint64_t v)
{
	uint64_t old = fa->leaf[wi];
	uint64_t ew = wi >> WORD_SHIFT;

	fa->leaf[wi] = v;
	if ((old == ALL_ONES) != (v == ALL_ONES))
		tree_flip(&fa->avail, wi);
	if ((old == 0) != (v == 0))
		empty_store(fa, ew, fa->empty[ew] ^ bit(wi));
}

/*
 * Set (used) or clear frames [start, end), which lie in one group of 4096,
 * a bit at a time, then refresh the group's summary words once.
 */
static void group_mark_bits(struct mm_frames *fa, uint64_t start, uint64_t end,
			    bool used)
{
	uint64_t ew = start >> GROUP_SHIFT, avail_flips = 0, empty_flips = 0;

	while (start < end) {
		uint64_t wi = start >> WORD_SHIFT;
		uint64_t stop = min64(end, (wi + 1) << WORD_SHIFT);
		uint64_t m = bits_mask(start & (WORD_BITS - 1),
				       stop - (wi << WORD_SHIFT));
		uint64_t old = fa->leaf[wi];
		uint64_t v = used ? old | m : old & ~m;

		fa->leaf[wi] = v;
		avail_flips |=
			(old == ALL_ONES) != (v == ALL_ONES) ? bit(wi) : 0;
		empty_flips |= (old == 0) != (v == 0) ? bit(wi) : 0;
		start = stop;
	}
	if (avail_flips)
		tree_store(&fa->avail, ew,
			   fa->avail.level[0][ew] ^ avail_flips);
	if (empty_flips)
		empty_store(fa, ew, fa->empty[ew] ^ empty_flips);
}

/*
 * Mark the whole leaf words [wi, wi + n) of one group all used or all free:
 * their summary bits are known without looking (used: not available, not
 * empty), so this is n stores and one refresh per summary.
 */
static void words_mark(struct mm_frames *fa, uint64_t wi, uint64_t n, bool used)
{
	uint64_t ew = wi >> WORD_SHIFT, lo = wi & (WORD_BITS - 1);
	uint64_t m = bits_mask(lo, lo + n), v = used ? ALL_ONES : 0;

	for (uint64_t i = 0; i < n; i++)
		fa->leaf[wi + i] = v;
	tree_store(&fa->avail, ew, (fa->avail.level[0][ew] & ~m) | (~v & m));
	empty_store(fa, ew, (fa->empty[ew] & ~m) | (~v & m));
}

/*
 * Set (used) or clear frames [start, end) of one group: the whole words in
 * the middle at once, the cut words at either edge bit by bit.
 */
static void group_mark(struct mm_frames *fa, uint64_t start, uint64_t end,
		       bool used)
{
	uint64_t first = div_up(start, WORD_BITS), last = end >> WORD_SHIFT;

	if (first >= last) {
		group_mark_bits(fa, start, end, used);
		return;
	}
	if (start < first << WORD_SHIFT)
		group_mark_bits(fa, start, first << WORD_SHIFT, used);
	words_mark(fa, first, last - first, used);
	if (last << WORD_SHIFT < end)
		group_mark_bits(fa, last << WORD_SHIFT, end, used);
}

/* Set (used) or clear frames [start, end) and refresh the summaries. */
static void range_mark(struct mm_frames *fa, uint64_t start, uint64_t end,
		       bool used)
{
	while (start < end) {
		uint64_t stop = min64(end, (start | (GROUP_FRAMES - 1)) + 1);

		group_mark(fa, start, stop, used);
		start = stop;
	}
}

/* ---- searches --------------------------------------------------------- */

/* Lowest free frame >= pos; false when there is none. */
static bool next_free(const struct mm_frames *fa, uint64_t pos, uint64_t *out)
{
	uint64_t wi = pos >> WORD_SHIFT, w;

	if (pos >= fa->total_frames)
		return false;
	w = ~fa->leaf[wi] & (ALL_ONES << (pos & (WORD_BITS - 1)));
	if (w == 0) {
		if (!tree_next(&fa->avail, wi + 1, &wi))
			return false;
		w = ~fa->leaf[wi];
	}
	*out = (wi << WORD_SHIFT) | ctz64(w);
	return true;
}

/* First used frame in [start, end), or end; skips free groups whole. */
static uint64_t first_used(const struct mm_frames *fa, uint64_t start,
			   uint64_t end)
{
	uint64_t pos = start;

	while (pos < end) {
		uint64_t wi = pos >> WORD_SHIFT, w;

		if ((pos & (GROUP_FRAMES - 1)) == 0 &&
		    end - pos >= GROUP_FRAMES &&
		    fa->empty[pos >> GROUP_SHIFT] == ALL_ONES) {
			pos += GROUP_FRAMES;
			continue;
		}
		w = fa->leaf[wi] & (ALL_ONES << (pos & (WORD_BITS - 1)));
		if (w)
			return min64(end, (wi << WORD_SHIFT) + ctz64(w));
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
	       ((uint64_t)ctz64(ff_bytes(fa->empty[ew])) << WORD_SHIFT);
	return true;
}

/* Lowest free, 1 GiB-aligned run of 262144 frames. */
static bool find_1g(const struct mm_frames *fa, uint64_t *out)
{
	uint64_t words = fa->avail.words[0];

	words = div_up(words, WORD_BITS);
	for (uint64_t g = 0; g < words; g++) {
		if (fa->empty16m[g] == ALL_ONES) {
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

	while (next_free(fa, pos, &f)) {
		uint64_t s = f & ~(align - 1), used;

		s += s < f ? align : 0;
		if (s > limit || limit - s < count)
			return false;
		used = first_used(fa, s, s + count);
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

size_t mm_frame_metadata_bytes(const struct mm_memmap *map)
{
	struct layout lo;
	uint64_t frames;

	if (map->count > MM_MEMMAP_CAPACITY)
		return 0;
	frames = map_frames(map);
	if (frames == 0)
		return 0;
	layout_compute(&lo, frames, NULL);
	return (size_t)lo.bytes;
}

/*
 * Initialisation lays the leaf down group by group (64 leaf words, 4096
 * frames) straight from the walk over the map, writing each group's avail
 * and empty words as it goes: uniform groups are constant stores, only the
 * groups a stretch edge cuts are read back. The gaps between stretches are
 * the reserved ranges.
 */
struct build {
	struct map_walk w;
	uint64_t first, last; /* current stretch; UINT64_MAX when none left */
	uint64_t end;	      /* end of the previous stretch */
	uint64_t free;
	uint64_t e16m, c2m, a1; /* words above the current 64 groups */
};

/*
 * Append [start, end) to the reserved ranges. They cannot run out: a
 * stretch ends at the end of a usable union or where a non-usable region
 * starts (and pos then passes that region), so a map of at most
 * MM_MEMMAP_CAPACITY regions gives at most that many stretches, each with
 * at most one gap below it.
 */
static void resv_append(struct mm_frames *fa, uint64_t start, uint64_t end)
{
	MM_ASSERT(fa->nresv < MM_FRAME_MAX_RESERVED);
	fa->resv[fa->nresv].start = start;
	fa->resv[fa->nresv].end = end;
	fa->nresv++;
	hint_mark(fa, start, end);
}

static void build_start(struct build *b, const struct mm_memmap *map)
{
	walk_start(&b->w, map);
	b->first = 0;
	b->last = 0; /* fetch the first stretch at the first group */
	b->end = 0;
	b->free = 0;
	b->e16m = 0;
	b->c2m = 0;
	b->a1 = 0;
}

/* Fetch the next stretch; record the gap below it as reserved. */
static void stretch_next(struct mm_frames *fa, struct build *b)
{
	if (!walk_next(&b->w, &b->first, &b->last)) {
		b->first = UINT64_MAX;
		b->last = UINT64_MAX;
		return;
	}
	if (b->first > b->end)
		resv_append(fa, b->end, b->first);
	b->free += b->last - b->first;
	b->end = b->last;
}

static void words_fill(uint64_t *w, uint64_t n, uint64_t v)
{
	for (uint64_t i = 0; i < n; i++)
		w[i] = v;
}

/* Leaf words of a cut or short group: all used, then the stretches in it. */
static void group_build_mixed(struct mm_frames *fa, struct build *b,
			      uint64_t start, uint64_t end)
{
	words_fill(fa->leaf + (start >> WORD_SHIFT),
		   (end - start) >> WORD_SHIFT, ALL_ONES);
	while (b->first < end) {
		bits_fill(fa->leaf, max64(b->first, start), min64(b->last, end),
			  false);
		if (b->last > end)
			return;
		stretch_next(fa, b);
	}
}

/*
 * A whole group [start, start + GROUP_FRAMES) that no stretch touches (all
 * used, *v = ~0) or that one stretch covers (all free, *v = 0)?
 */
static bool group_uniform(const struct build *b, uint64_t start, uint64_t *v)
{
	uint64_t end = start + GROUP_FRAMES;

	*v = b->first >= end ? ALL_ONES : 0;
	return b->first >= end || (b->first <= start && b->last >= end);
}

/* Leaf words of group ew (nwords of them) and its level-0 summary words. */
static void group_build(struct mm_frames *fa, struct build *b, uint64_t ew,
			uint64_t nwords)
{
	uint64_t start = ew << GROUP_SHIFT, v;
	uint64_t *leaf = fa->leaf + (ew << WORD_SHIFT);

	while (b->last <= start)
		stretch_next(fa, b);
	if (nwords == WORD_BITS && group_uniform(b, start, &v)) {
		for (unsigned i = 0; i < WORD_BITS; i++) /* vector stores */
			leaf[i] = v;
		fa->avail.level[0][ew] = ~v;
		fa->empty[ew] = ~v;
		return;
	}
	group_build_mixed(fa, b, start, start + (nwords << WORD_SHIFT));
	leaf_group(fa->leaf, ew * WORD_BITS + nwords, ew,
		   &fa->avail.level[0][ew], &fa->empty[ew]);
}

/*
 * Fold the empty and avail words of group ew into the words above them
 * (empty16m, chunk2m.level[0], avail.level[1]); store those after the last
 * of 64 groups or of all groups.
 */
static void group_fold(struct mm_frames *fa, struct build *b, uint64_t ew,
		       bool last)
{
	uint64_t e = fa->empty[ew], g = ew >> WORD_SHIFT;

	b->e16m |= e == ALL_ONES ? bit(ew) : 0;
	b->c2m |= ff_bytes(e) != 0 ? bit(ew) : 0;
	b->a1 |= fa->avail.level[0][ew] != 0 ? bit(ew) : 0;
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
static uint64_t leaf_build(struct mm_frames *fa, const struct layout *lo,
			   const struct mm_memmap *map)
{
	struct build b;

	build_start(&b, map);
	words_fill(fa->resv_hint, lo->top_words, 0);
	fa->nresv = 0;
	for (uint64_t ew = 0; ew < lo->group_words; ew++) {
		uint64_t nwords =
			min64(WORD_BITS, lo->leaf_words - (ew << WORD_SHIFT));

		group_build(fa, &b, ew, nwords);
		group_fold(fa, &b, ew, ew + 1 == lo->group_words);
	}
	MM_ASSERT(b.end == lo->frames);
	tree_build_upper(&fa->avail, 2);
	tree_build_upper(&fa->chunk2m, 1);
	return b.free;
}

/*
 * Copy a tree field by field: a struct copy would also copy the padding
 * after depth, undefined in a layout on the stack.
 */
static void tree_copy(struct mm_frame_tree *to,
		      const struct mm_frame_tree *from)
{
	for (unsigned k = 0; k < MM_FRAME_TREE_LEVELS; k++) {
		to->level[k] = from->level[k];
		to->words[k] = from->words[k];
	}
	to->depth = from->depth;
}

/* Fill *fa from a layout that fits the metadata. */
static void install(struct mm_frames *fa, const struct layout *lo,
		    const struct mm_memmap *map)
{
	fa->total_frames = lo->frames;
	fa->leaf = lo->leaf;
	fa->empty = lo->empty;
	fa->empty16m = lo->empty16m;
	fa->resv_hint = lo->hint;
	tree_copy(&fa->avail, &lo->avail);
	tree_copy(&fa->chunk2m, &lo->chunk2m);
	fa->low_word = 0;
	fa->free_frames = leaf_build(fa, lo, map);
	fa->usable_frames = fa->free_frames;
	fa->reserved_frames = lo->frames - fa->free_frames;
}

mm_status_t mm_frame_init(struct mm_frames *fa, const struct mm_memmap *map,
			  void *metadata, size_t metadata_bytes)
{
	struct layout lo;
	uint64_t frames;

	if (!fa || !map || !metadata || ((uintptr_t)metadata & 7u) != 0 ||
	    map->count > MM_MEMMAP_CAPACITY)
		return MM_ERR_INVALID;
	frames = map_frames(map);
	if (frames == 0)
		return MM_ERR_INVALID;
	layout_compute(&lo, frames, metadata);
	if (metadata_bytes < lo.bytes)
		return MM_ERR_NOMEM;
	install(fa, &lo, map);
	return MM_OK;
}

/* MM_ERR_IN_USE if an allocated frame lies in [start, end). */
static mm_status_t reserve_check(const struct mm_frames *fa, uint64_t start,
				 uint64_t end)
{
	size_t i = resv_search(fa, start);
	uint64_t pos = start;
	struct mm_frame_range gap;

	while (gap_next(fa, &i, &pos, end, &gap)) {
		if (bits_scan(fa->leaf, gap.start, gap.end, true) != gap.end)
			return MM_ERR_IN_USE;
	}
	return MM_OK;
}

/* Mark the free frames of [start, end) used; returns how many. */
static uint64_t reserve_gaps(struct mm_frames *fa, uint64_t start, uint64_t end)
{
	size_t i = resv_search(fa, start);
	uint64_t pos = start, n = 0;
	struct mm_frame_range gap;

	while (gap_next(fa, &i, &pos, end, &gap)) {
		range_mark(fa, gap.start, gap.end, true);
		n += gap.end - gap.start;
	}
	return n;
}

mm_status_t mm_frame_reserve(struct mm_frames *fa, mm_paddr_t base,
			     uint64_t length)
{
	struct mm_frame_range r;
	size_t lo, hi;
	uint64_t n;
	mm_status_t st;

	if (length == 0 || length - 1 > UINT64_MAX - base)
		return MM_ERR_INVALID;
	r.start = base >> MM_PAGE_SHIFT;
	r.end = min64(((base + (length - 1)) >> MM_PAGE_SHIFT) + 1,
		      fa->total_frames);
	if (r.start >= r.end)
		return MM_OK;
	st = reserve_check(fa, r.start, r.end);
	if (st != MM_OK)
		return st;
	resv_touching(fa, r.start, r.end, &lo, &hi);
	if (lo == hi && fa->nresv == MM_FRAME_MAX_RESERVED)
		return MM_ERR_NOMEM;
	n = reserve_gaps(fa, r.start, r.end);
	resv_merge(fa, lo, hi, r);
	hint_mark(fa, r.start, r.end);
	fa->free_frames -= n;
	fa->reserved_frames += n;
	return MM_OK;
}

mm_status_t mm_frame_alloc(struct mm_frames *fa, uint64_t *pfn)
{
	uint64_t wi = fa->low_word, w = fa->leaf[wi];
	unsigned b;

	if (w == ALL_ONES) {
		/* every word up to low_word is full: the tree finds the rest */
		if (!tree_next(&fa->avail, wi + 1, &wi))
			return MM_ERR_NOMEM;
		fa->low_word = wi;
		w = fa->leaf[wi];
	}
	b = ctz64(~w);
	leaf_store(fa, wi, w | bit(b));
	fa->free_frames--;
	*pfn = (wi << WORD_SHIFT) | b;
	return MM_OK;
}

mm_status_t mm_frame_alloc_at(struct mm_frames *fa, uint64_t pfn)
{
	uint64_t wi = pfn >> WORD_SHIFT;

	if (pfn >= fa->total_frames)
		return MM_ERR_OUT_OF_RANGE;
	if (fa->leaf[wi] & bit(pfn))
		return used_is_reserved(fa, pfn) ? MM_ERR_RESERVED
						 : MM_ERR_IN_USE;
	leaf_store(fa, wi, fa->leaf[wi] | bit(pfn));
	fa->free_frames--;
	return MM_OK;
}

mm_status_t mm_frame_alloc_contig(struct mm_frames *fa, uint64_t count,
				  uint64_t align_frames, uint64_t limit_pfn,
				  uint64_t *pfn)
{
	uint64_t start;

	if (count == 0 || align_frames == 0 ||
	    (align_frames & (align_frames - 1)) != 0)
		return MM_ERR_INVALID;
	if (!find_contig(fa, count, align_frames,
			 min64(limit_pfn, fa->total_frames), &start))
		return MM_ERR_NOMEM;
	range_mark(fa, start, start + count, true);
	fa->free_frames -= count;
	*pfn = start;
	return MM_OK;
}

mm_status_t mm_frame_free(struct mm_frames *fa, uint64_t pfn)
{
	uint64_t wi = pfn >> WORD_SHIFT;

	if (pfn >= fa->total_frames)
		return MM_ERR_OUT_OF_RANGE;
	if ((fa->leaf[wi] & bit(pfn)) == 0)
		return MM_ERR_NOT_ALLOCATED;
	if (used_is_reserved(fa, pfn))
		return MM_ERR_RESERVED;
	leaf_store(fa, wi, fa->leaf[wi] & ~bit(pfn));
	fa->low_word = min64(fa->low_word, wi);
	fa->free_frames++;
	return MM_OK;
}

mm_status_t mm_frame_free_contig(struct mm_frames *fa, uint64_t pfn,
				 uint64_t count)
{
	uint64_t end, stop, first_free;
	size_t i;

	if (count == 0 || count > UINT64_MAX - pfn)
		return MM_ERR_INVALID;
	if (pfn >= fa->total_frames)
		return MM_ERR_OUT_OF_RANGE;
	end = pfn + count;
	stop = min64(end, fa->total_frames);
	first_free = bits_scan(fa->leaf, pfn, stop, false);
	i = resv_search(fa, pfn);
	if (i < fa->nresv && fa->resv[i].start < first_free)
		return MM_ERR_RESERVED;
	if (first_free < stop)
		return MM_ERR_NOT_ALLOCATED;
	if (stop < end)
		return MM_ERR_OUT_OF_RANGE;
	range_mark(fa, pfn, end, false);
	fa->low_word = min64(fa->low_word, pfn >> WORD_SHIFT);
	fa->free_frames += count;
	return MM_OK;
}

bool mm_frame_is_free(const struct mm_frames *fa, uint64_t pfn)
{
	return pfn < fa->total_frames && !test_bit(fa->leaf, pfn);
}

bool mm_frame_is_reserved(const struct mm_frames *fa, uint64_t pfn)
{
	return pfn < fa->total_frames && test_bit(fa->leaf, pfn) &&
	       used_is_reserved(fa, pfn);
}

/* Longest run of free frames, a leaf word at a time. */
static uint64_t largest_free_run(const struct mm_frames *fa)
{
	uint64_t best = 0, run = 0, words = div_up(fa->total_frames, WORD_BITS);

	for (uint64_t wi = 0; wi < words; wi++) {
		uint64_t w = fa->leaf[wi];

		if (w == 0) {
			run += WORD_BITS;
			continue;
		}
		best = max64(best, run + ctz64(w));
		best = max64(best, longest_zero_run(w));
		run = (uint64_t)__builtin_clzll(w);
	}
	return max64(best, run);
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
		st->free_2m_runs += popcount64(ff_bytes(fa->empty[ew]));
	st->free_1g_runs = 0;
	for (uint64_t g = 0; g < div_up(groups, WORD_BITS); g++)
		st->free_1g_runs += fa->empty16m[g] == ALL_ONES;
	st->largest_free_run = largest_free_run(fa);
}

/* ---- self-check -------------------------------------------------------- */

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
		if (bits_scan(fa->leaf, r->start, r->end, false) != r->end)
			return false;
		if (bits_scan(fa->resv_hint, r->start >> GROUP_SHIFT, hint_end,
			      false) != hint_end)
			return false;
		*reserved += r->end - r->start;
	}
	return true;
}

static bool check_counts(const struct mm_frames *fa)
{
	uint64_t n = fa->total_frames, words = div_up(n, WORD_BITS);
	uint64_t pad = ~tracked_mask(n, words - 1), reserved;

	if (n == 0 || (fa->leaf[words - 1] & pad) != pad)
		return false;
	if (fa->low_word >= words ||
	    bits_scan(fa->leaf, 0, fa->low_word << WORD_SHIFT, false) !=
		    fa->low_word << WORD_SHIFT)
		return false;
	if (!check_resv(fa, &reserved) || reserved != fa->reserved_frames)
		return false;
	if (count_free(fa->leaf, n) != fa->free_frames)
		return false;
	/*
	 * free + reserved <= n follows: both match recounts, and the frames
	 * of the reserved ranges are used, so the two recounts are disjoint.
	 */
	return fa->usable_frames <= n;
}

static bool check_tree(const struct mm_frame_tree *t)
{
	if (t->depth == 0 || t->depth > MM_FRAME_TREE_LEVELS ||
	    t->words[t->depth - 1] != 1)
		return false;
	for (unsigned k = 1; k < t->depth; k++) {
		for (uint64_t i = 0; i < t->words[k]; i++) {
			if (t->level[k][i] !=
			    nonzero_word(t->level[k - 1], t->words[k - 1], i))
				return false;
		}
	}
	return true;
}

static bool check_summaries(const struct mm_frames *fa)
{
	uint64_t leaf_words = div_up(fa->total_frames, WORD_BITS);
	uint64_t groups = div_up(leaf_words, WORD_BITS), a, b;

	if (fa->avail.words[0] != groups ||
	    fa->chunk2m.words[0] != div_up(groups, WORD_BITS))
		return false;
	for (uint64_t ew = 0; ew < groups; ew++) {
		leaf_group(fa->leaf, leaf_words, ew, &a, &b);
		if (a != fa->avail.level[0][ew] || b != fa->empty[ew])
			return false;
	}
	for (uint64_t g = 0; g < fa->chunk2m.words[0]; g++) {
		empty_group(fa->empty, groups, g, &a, &b);
		if (a != fa->empty16m[g] || b != fa->chunk2m.level[0][g])
			return false;
	}
	return check_tree(&fa->avail) && check_tree(&fa->chunk2m);
}

mm_status_t mm_frame_check(const struct mm_frames *fa)
{
	if (!check_counts(fa) || !check_summaries(fa))
		return MM_ERR_INVALID;
	return MM_OK;
}
