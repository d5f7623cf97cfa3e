/*
 * libFuzzer target for the memory map and the frame allocator. The input
 * builds a raw memory map (any types, overlaps, odd edges, wrapping
 * lengths), optionally sanitizes it (checked against the raw regions at
 * every boundary), initialises an allocator over it and then runs an
 * arbitrary sequence of operations. Each operation also runs on the
 * trivially correct reference of tests/common/frame_ref.h, one state byte
 * per frame with the lowest-first policy of mm/frame.h, and every status,
 * pfn and counter must agree;
 * mm_frame_check() runs after every step. Usable memory ends below
 * MAX_FRAMES, so one input runs in well under a millisecond.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame_ref.h"
#include "fuzz_check.h"
#include "mm/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FRAMES  8192u /* usable memory ends at or below 32 MiB */
#define MAX_REGIONS 16u
#define FRAME	    MM_FRAME_SIZE

/* The input, read front to back; reads past its end yield zeros. */
struct in {
	const uint8_t *p;
	size_t n;
};

struct run {
	struct in in;
	struct mm_memmap raw, map;
	struct frame_ref m;
	uint8_t st[MAX_FRAMES]; /* the reference's storage */
	struct mm_frames *fa;
	uint64_t *meta;
};

static uint64_t get(struct in *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->n > 0; i++, in->n--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* ---- the map ---------------------------------------------------------- */

/* Type from one byte: usable three times in eleven, a bad type rarely. */
static int pick_type(uint8_t b)
{
	if (b == 0xFF)
		return MM_REGION_TYPE_COUNT; /* rejected by mm_memmap_add */
	b %= MM_REGION_TYPE_COUNT + 2u;
	return b >= MM_REGION_TYPE_COUNT ? MM_REGION_USABLE : b;
}

/*
 * After mm_memmap_add of [s, e): the last region has the type and covers
 * [s, e), and no other region of that type touches it (all coalesced).
 */
static void check_added(const struct mm_memmap *map, uint64_t s, uint64_t e,
			mm_region_type_t type)
{
	const struct mm_region *last = &map->regions[map->count - 1];
	uint64_t lend = mm_region_end(last);

	CHECK(last->type == type && last->base <= s && e <= lend);
	for (size_t i = 0; i + 1 < map->count; i++) {
		const struct mm_region *g = &map->regions[i];

		CHECK(g->type != type || g->base > lend ||
		      mm_region_end(g) < last->base);
	}
}

/*
 * One raw region. Usable ones end at or below MAX_FRAMES (which bounds the
 * allocator); the others may lie anywhere, even wrap past 2^64.
 */
static void add_region(struct run *r)
{
	int type = pick_type((uint8_t)get(&r->in, 1));
	uint64_t base = get(&r->in, 2) % (MAX_FRAMES + 64u) * FRAME;
	uint64_t len = get(&r->in, 2) % (MAX_FRAMES + 64u) * FRAME;
	uint64_t odd = get(&r->in, 1);
	struct mm_memmap before = r->raw;
	mm_status_t st;

	base += (odd & 0xF) * 0x110;
	len += (odd >> 4) * 0x101;
	if (type != MM_REGION_USABLE && (odd & 0x88) == 0x88)
		len = UINT64_MAX - (odd & 7); /* wraps: cut at 2^64 - 1 */
	if (type == MM_REGION_USABLE && base + len > MAX_FRAMES * FRAME)
		len = base < MAX_FRAMES * FRAME ? MAX_FRAMES * FRAME - base : 0;
	st = mm_memmap_add(&r->raw, base, len, (mm_region_type_t)type);
	if (type == MM_REGION_TYPE_COUNT) {
		CHECK(st == MM_ERR_INVALID);
		CHECK(memcmp(&before, &r->raw, sizeof(before)) == 0);
		return;
	}
	CHECK(st == MM_OK);
	check_added(&r->raw, base, base + min64(len, UINT64_MAX - base),
		    (mm_region_type_t)type);
}

/* [start, end) of a region, clipped to the 52-bit physical space. */
static void clipped(const struct mm_region *g, uint64_t *start, uint64_t *end)
{
	*start = min64(g->base, MM_PHYS_LIMIT);
	*end = min64(g->base + min64(g->length, UINT64_MAX - g->base),
		     MM_PHYS_LIMIT);
}

/* Type the raw map gives address a (highest priority wins), -1 for none. */
static int raw_type_at(const struct mm_memmap *map, uint64_t a)
{
	int t = -1;

	for (size_t i = 0; i < map->count; i++) {
		uint64_t s, e;

		clipped(&map->regions[i], &s, &e);
		if (a >= s && a < e && (int)map->regions[i].type > t)
			t = (int)map->regions[i].type;
	}
	return t;
}

/* The sanitized map is sorted, disjoint, merged, and typed as the raw one. */
static void check_sanitized(const struct mm_memmap *raw,
			    const struct mm_memmap *map)
{
	struct mm_memmap again = *map;

	for (size_t i = 0; i < map->count; i++) {
		const struct mm_region *g = &map->regions[i];

		CHECK(g->length > 0 && g->base < MM_PHYS_LIMIT);
		CHECK(g->length <= MM_PHYS_LIMIT - g->base);
		CHECK(raw_type_at(raw, g->base) == (int)g->type);
		CHECK(raw_type_at(raw, g->base + g->length - 1) ==
		      (int)g->type);
		if (i == 0)
			continue;
		CHECK(g[-1].base + g[-1].length <= g->base);
		CHECK(g[-1].base + g[-1].length < g->base ||
		      g[-1].type != g->type);
	}
	for (size_t i = 0; i < raw->count; i++) {
		uint64_t s, e;

		clipped(&raw->regions[i], &s, &e);
		if (s >= e)
			continue;
		CHECK(raw_type_at(map, s) == raw_type_at(raw, s));
		CHECK(raw_type_at(map, e - 1) == raw_type_at(raw, e - 1));
		if (e < MM_PHYS_LIMIT)
			CHECK(raw_type_at(map, e) == raw_type_at(raw, e));
	}
	CHECK(mm_memmap_sanitize(&again) == MM_OK);
	CHECK(memcmp(&again, map, sizeof(again)) == 0);
}

/* ---- comparing ---------------------------------------------------------- */

/* A mismatch with the reference: print it and abort (a libFuzzer crash). */
static void ref_fail(void *ctx, const char *what, uint64_t got, uint64_t want)
{
	(void)ctx;
	fprintf(stderr, "frame_ref: %s = 0x%llx, reference 0x%llx\n", what,
		(unsigned long long)got, (unsigned long long)want);
	abort();
}

/* The allocator checks itself and agrees with the reference. */
static void compare(struct run *r, bool full)
{
	CHECK(mm_frame_check(r->fa) == MM_OK);
	frame_ref_compare(&r->m, r->fa, full);
}

/* ---- operations --------------------------------------------------------- */

/* A pfn in or a little past the tracked range. */
static uint64_t pick_pfn(struct run *r)
{
	return get(&r->in, 2) % (r->m.n + 80);
}

/* A count: small, a 2 MiB page, anything below 64 Ki, or 0. */
static uint64_t pick_count(struct run *r)
{
	uint64_t sel = get(&r->in, 1);

	switch (sel & 3) {
	case 0:
		return 1 + (sel >> 2);
	case 1:
		return MM_FRAMES_2M;
	case 2:
		return get(&r->in, 2);
	default:
		return sel == 0xFF ? 0 : 1 + get(&r->in, 1);
	}
}

static void op_alloc(struct run *r)
{
	uint64_t a = UINT64_MAX, b;
	mm_status_t want = frame_ref_alloc(&r->m, &b);

	CHECK_EQ(mm_frame_alloc(r->fa, &a), want);
	CHECK(want != MM_OK || a == b);
	CHECK(want == MM_OK || a == UINT64_MAX);
}

static void op_alloc_at(struct run *r)
{
	uint64_t f = pick_pfn(r);

	CHECK_EQ(mm_frame_alloc_at(r->fa, f), frame_ref_alloc_at(&r->m, f));
}

static void op_contig(struct run *r)
{
	uint64_t count = pick_count(r), sel = get(&r->in, 1);
	uint64_t align = (uint64_t)1 << (sel % 11), limit = MM_FRAME_NO_LIMIT;
	uint64_t a = UINT64_MAX, b = UINT64_MAX;
	mm_status_t want;

	if (sel >= 0xF0)
		align = sel & 1 ? 0 : 3 + (sel & 0xE); /* not a power of two */
	if (count == MM_FRAMES_2M && (sel & 0x10))
		align = MM_FRAMES_2M;
	if (sel & 0x20)
		limit = get(&r->in, 2);
	want = frame_ref_alloc_contig(&r->m, count, align, limit, &b);
	CHECK_EQ(mm_frame_alloc_contig(r->fa, count, align, limit, &a), want);
	CHECK_EQ(a, b);
}

static void op_free(struct run *r)
{
	uint64_t f = pick_pfn(r);

	CHECK_EQ(mm_frame_free(r->fa, f), frame_ref_free(&r->m, f, 1));
}

static void op_free_contig(struct run *r)
{
	uint64_t f = pick_pfn(r), count = pick_count(r);
	mm_status_t want;

	if (count == 0 && (get(&r->in, 1) & 1))
		count = UINT64_MAX - f + 1; /* wraps past 2^64 */
	want = frame_ref_free(&r->m, f, count);
	CHECK_EQ(mm_frame_free_contig(r->fa, f, count), want);
}

static void op_reserve(struct run *r)
{
	uint64_t base = pick_pfn(r) * FRAME + get(&r->in, 1) * 16;
	uint64_t len = get(&r->in, 2) * 3, sel = get(&r->in, 1);
	mm_status_t want;

	if (sel == 0xFF)
		len = UINT64_MAX - base + 2; /* wraps */
	else if (sel == 0xFE)
		len = 0;
	else if (sel & 1)
		len = 1 + (sel >> 1);
	want = frame_ref_reserve(&r->m, base, len);
	CHECK_EQ(mm_frame_reserve_bytes(r->fa, base, len), want);
}

/* Reserve every other frame of a stretch: fills the reserved table. */
static void op_reserve_comb(struct run *r)
{
	uint64_t f = pick_pfn(r), n = get(&r->in, 1) * 4;

	for (uint64_t i = 0; i < n && f + 2 * i < r->m.n; i++) {
		uint64_t pfn = f + 2 * i;
		mm_status_t want = frame_ref_reserve(&r->m, pfn * FRAME, 1);

		CHECK(mm_frame_reserve(r->fa, pfn, 1) == want); /* in frames */
	}
}

/* ---- one input ---------------------------------------------------------- */

/* Every byte of the descriptor still holds the 0xA5 fill. */
static bool untouched(const struct mm_frames *fa)
{
	const uint8_t *p = (const uint8_t *)fa;

	for (size_t i = 0; i < sizeof(*fa); i++) {
		if (p[i] != 0xA5)
			return false;
	}
	return true;
}

/* Build and maybe sanitize the map; false when init must (and did) fail. */
static bool setup(struct run *r)
{
	unsigned nreg = 1 + (unsigned)get(&r->in, 1) % MAX_REGIONS;
	uint64_t flags = get(&r->in, 1);
	size_t bytes;
	mm_status_t want;

	mm_memmap_init(&r->raw);
	for (unsigned i = 0; i < nreg; i++)
		add_region(r);
	r->map = r->raw;
	CHECK(mm_memmap_sanitize(&r->map) == MM_OK);
	check_sanitized(&r->raw, &r->map);
	frame_ref_init(&r->m, &r->map, r->st, MAX_FRAMES, ref_fail, NULL);
	bytes = mm_frame_metadata_bytes(&r->map);
	if (!(flags & 1))
		r->map = r->raw; /* init on the raw map: same result */
	CHECK((bytes == 0) == (r->m.n == 0));
	r->meta = malloc(bytes + 8);
	r->fa = malloc(sizeof(*r->fa));
	CHECK(r->meta != NULL && r->fa != NULL);
	memset(r->fa, 0xA5, sizeof(*r->fa));
	want = frame_ref_init_status(&r->m);
	if (flags & 2 && want == MM_OK && bytes >= 8) {
		CHECK(mm_frame_init(r->fa, &r->map, r->meta, bytes - 8) ==
		      MM_ERR_NOMEM);
		CHECK(mm_frame_init(r->fa, &r->map, (char *)r->meta + 4,
				    bytes) == MM_ERR_INVALID);
		CHECK(untouched(r->fa));
	}
	CHECK_EQ(mm_frame_init(r->fa, &r->map, r->meta, bytes), want);
	if (want != MM_OK) {
		CHECK(untouched(r->fa)); /* a failed init changes nothing */
		return false;
	}
	if (flags & 1) {
		CHECK(mm_memmap_usable_bytes(&r->map) == r->m.usable * FRAME);
		CHECK(mm_memmap_usable_end(&r->map) == r->m.n * FRAME);
	}
	compare(r, true);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const ops[])(struct run *) = {
		op_alloc, op_alloc,	  op_alloc_at, op_contig,	op_free,
		op_free,  op_free_contig, op_reserve,  op_reserve_comb,
	};
	static struct run run;
	struct run *r = &run;
	unsigned step = 0;

	r->in = (struct in){data, size};
	if (setup(r)) {
		while (r->in.n > 0) {
			uint8_t op = (uint8_t)get(&r->in, 1);

			ops[op % (sizeof(ops) / sizeof(ops[0]))](r);
			compare(r, (op & 0xE0) == 0xE0 || ++step % 64 == 0);
		}
		compare(r, true);
	}
	free(r->meta);
	free(r->fa);
	return 0;
}
