/*
 * Self-test of the seed baseline (registered with ctest as
 * bench.seed_frame_test): the observable behaviour of bench/seed_frame.c
 * against the seed's rules (frame.rs), so that the benchmarks' baseline
 * cannot drift from the seed. Covers init (whole words of ones, whole
 * usable frames only, capacity), the frame returned after given sequences,
 * the hint, double free, freeing a reserved frame, out-of-memory, the wrap
 * and the word-granular start of the search, and a randomized comparison
 * with a bit-at-a-time reference written straight from the seed's rules.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "fuzz_check.h"
#include "seed_frame.h"
#include "xorshift.h"

#define FRAMES	 ((uint64_t)1 << 20) /* the benchmarks' 4 GiB map */
#define REF_SIZE 4096u		     /* frames of the randomized test's map */

static struct mm_memmap map;

static void init_bench_map(uint64_t frames)
{
	bench_map_build(&map, frames);
	seed_frame_init(&map);
}

/* Before init, both calls say so and change nothing. */
static void test_not_initialized(void)
{
	uint64_t pfn = 77;

	CHECK_EQ(seed_frame_alloc(&pfn), SEED_NOT_INITIALIZED);
	CHECK_EQ(pfn, 77);
	CHECK_EQ(seed_frame_free(5), SEED_NOT_INITIALIZED);
}

/* Usable frames free and counted; reserved ones and the rest used. */
static void test_init_bench_map(void)
{
	init_bench_map(FRAMES);
	CHECK_EQ(seed_frame_total_count(), bench_map_usable(FRAMES));
	CHECK_EQ(seed_frame_free_count(), bench_map_usable(FRAMES));
	CHECK_EQ(seed_frame_hint(), 0);
	CHECK(seed_frame_used(0));
	CHECK(!seed_frame_used(BENCH_LOW_START));
	CHECK(!seed_frame_used(BENCH_LOW_END - 1));
	CHECK(seed_frame_used(BENCH_LOW_END));
	CHECK(seed_frame_used(BENCH_HIGH_START - 1));
	CHECK(!seed_frame_used(BENCH_HIGH_START));
	CHECK(!seed_frame_used(FRAMES - 1));
	CHECK(seed_frame_used(FRAMES));
	CHECK(seed_frame_used(SEED_FRAME_CAPACITY - 1));
	CHECK(!seed_frame_used(SEED_FRAME_CAPACITY));
}

/* Partial frames at either end of a region stay used; beyond 16 GiB too. */
static void test_init_partial_and_capacity(void)
{
	uint64_t cap = SEED_FRAME_CAPACITY << MM_PAGE_SHIFT;

	mm_memmap_init(&map);
	CHECK_EQ(mm_memmap_add(&map, 0x1800, 0x3000, MM_REGION_USABLE), MM_OK);
	CHECK_EQ(mm_memmap_add(&map, cap - 0x2000, 0x10000, MM_REGION_USABLE),
		 MM_OK);
	seed_frame_init(&map);
	CHECK(seed_frame_used(1));
	CHECK(!seed_frame_used(2) && !seed_frame_used(3));
	CHECK(seed_frame_used(4));
	CHECK(!seed_frame_used(SEED_FRAME_CAPACITY - 2));
	CHECK(!seed_frame_used(SEED_FRAME_CAPACITY - 1));
	CHECK_EQ(seed_frame_total_count(), 4);
	CHECK_EQ(seed_frame_free_count(), 4);
}

/* Lowest free frame first: the low area, then past the legacy hole. */
static void test_alloc_sequence(void)
{
	uint64_t pfn;

	init_bench_map(FRAMES);
	for (uint64_t want = BENCH_LOW_START; want < BENCH_LOW_END; want++) {
		CHECK_EQ(seed_frame_alloc(&pfn), SEED_OK);
		CHECK_EQ(pfn, want);
		CHECK_EQ(seed_frame_hint(), want + 1);
	}
	CHECK_EQ(seed_frame_alloc(&pfn), SEED_OK);
	CHECK_EQ(pfn, BENCH_HIGH_START);
	CHECK_EQ(seed_frame_hint(), BENCH_HIGH_START + 1);
	CHECK_EQ(seed_frame_free_count(), bench_map_usable(FRAMES) - 0x9F);
}

/* A free moves the hint back only when below it; allocs refill from it. */
static void test_free_moves_hint_back(void)
{
	uint64_t pfn, free0;

	init_bench_map(FRAMES);
	for (int i = 0; i < 200; i++)
		CHECK_EQ(seed_frame_alloc(&pfn), SEED_OK);
	free0 = seed_frame_free_count();
	CHECK_EQ(seed_frame_free(0x50), SEED_OK);
	CHECK_EQ(seed_frame_hint(), 0x50);
	CHECK_EQ(seed_frame_free(0x60), SEED_OK);
	CHECK_EQ(seed_frame_hint(), 0x50);
	CHECK_EQ(seed_frame_free_count(), free0 + 2);
	CHECK_EQ(seed_frame_alloc(&pfn), SEED_OK);
	CHECK_EQ(pfn, 0x50);
	CHECK_EQ(seed_frame_alloc(&pfn), SEED_OK);
	CHECK_EQ(pfn, 0x60);
	CHECK_EQ(seed_frame_hint(), 0x61);
	CHECK_EQ(seed_frame_alloc(&pfn), SEED_OK);
	CHECK_EQ(pfn, BENCH_HIGH_START + 200 - 0x9E);
}

/* A double free succeeds and changes nothing; the frame is handed once. */
static void test_double_free_ignored(void)
{
	uint64_t pfn, free0, hint0;

	init_bench_map(FRAMES);
	for (int i = 0; i < 100; i++)
		CHECK_EQ(seed_frame_alloc(&pfn), SEED_OK);
	CHECK_EQ(seed_frame_free(0x40), SEED_OK);
	free0 = seed_frame_free_count();
	hint0 = seed_frame_hint();
	CHECK_EQ(seed_frame_free(0x40), SEED_OK);
	CHECK_EQ(seed_frame_free(FRAMES - 1), SEED_OK); /* never allocated */
	CHECK_EQ(seed_frame_free_count(), free0);
	CHECK_EQ(seed_frame_hint(), hint0);
	CHECK_EQ(seed_frame_alloc(&pfn), SEED_OK);
	CHECK_EQ(pfn, 0x40);
	CHECK_EQ(seed_frame_alloc(&pfn), SEED_OK);
	CHECK(pfn != 0x40);
}

/* As in the seed: a reserved frame is freed like any other, then handed. */
static void test_free_reserved_frame(void)
{
	uint64_t pfn, free0;

	init_bench_map(FRAMES);
	free0 = seed_frame_free_count();
	CHECK_EQ(seed_frame_free(0), SEED_OK);
	CHECK_EQ(seed_frame_free_count(), free0 + 1);
	CHECK_EQ(seed_frame_alloc(&pfn), SEED_OK);
	CHECK_EQ(pfn, 0);
	CHECK_EQ(seed_frame_free(SEED_FRAME_CAPACITY), SEED_INVALID_FRAME);
	CHECK_EQ(seed_frame_free_count(), free0);
}

/* Free count 0: out of memory, nothing changed; one free makes one more. */
static void test_out_of_memory(void)
{
	uint64_t pfn = 0, n = 0, hint0;

	init_bench_map(4096);
	while (seed_frame_alloc(&pfn) == SEED_OK)
		n++;
	CHECK_EQ(n, bench_map_usable(4096));
	CHECK_EQ(seed_frame_free_count(), 0);
	hint0 = seed_frame_hint();
	pfn = 12345;
	CHECK_EQ(seed_frame_alloc(&pfn), SEED_OUT_OF_MEMORY);
	CHECK_EQ(pfn, 12345);
	CHECK_EQ(seed_frame_hint(), hint0);
	CHECK_EQ(seed_frame_free(300), SEED_OK);
	CHECK_EQ(seed_frame_alloc(&pfn), SEED_OK);
	CHECK_EQ(pfn, 300);
	CHECK_EQ(seed_frame_alloc(&pfn), SEED_OUT_OF_MEMORY);
}

static uint64_t only_free; /* the one free frame of only_one_free() */

static bool only_one_free(void *ctx, uint64_t pfn)
{
	(void)ctx;
	return pfn != only_free;
}

/*
 * The search starts at the first bit of the hint's word, so a free bit
 * below the hint in that word is found; a free frame in an earlier word is
 * found by the wrap; a hint at the capacity wraps at once.
 */
static void test_hint_word_and_wrap(void)
{
	static const uint64_t cases[][3] = {
		/* free frame, hint, frame expected */
		{64 + 3, 64 + 10, 64 + 3},
		{10, 1000, 10},
		{FRAMES - 1, SEED_FRAME_CAPACITY, FRAMES - 1},
	};
	uint64_t pfn;

	init_bench_map(FRAMES);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		only_free = cases[i][0];
		seed_frame_load(only_one_free, NULL, FRAMES, cases[i][1]);
		CHECK_EQ(seed_frame_free_count(), 1);
		CHECK_EQ(seed_frame_alloc(&pfn), SEED_OK);
		CHECK_EQ(pfn, cases[i][2]);
		CHECK_EQ(seed_frame_hint(), cases[i][2] + 1);
		CHECK_EQ(seed_frame_free_count(), 0);
	}
}

/* The seed's rules, one bit at a time over [0, REF_SIZE). */
struct ref {
	bool used[REF_SIZE];
	uint64_t free, hint;
};

static bool ref_alloc(struct ref *r, uint64_t *pfn)
{
	uint64_t start = r->hint / 64 * 64, i;

	if (r->free == 0)
		return false;
	for (i = start; i < REF_SIZE && r->used[i]; i++)
		;
	if (i == REF_SIZE) {
		for (i = 0; i < start && r->used[i]; i++)
			;
	}
	r->used[i] = true;
	r->free--;
	r->hint = i + 1;
	*pfn = i;
	return true;
}

static void ref_free(struct ref *r, uint64_t pfn)
{
	if (pfn >= REF_SIZE || !r->used[pfn])
		return;
	r->used[pfn] = false;
	r->free++;
	r->hint = pfn < r->hint ? pfn : r->hint;
}

static void ref_init(struct ref *r)
{
	memset(r, 0, sizeof(*r));
	for (uint64_t pfn = 0; pfn < REF_SIZE; pfn++) {
		r->used[pfn] = !bench_pfn_usable(pfn, REF_SIZE);
		r->free += !r->used[pfn];
	}
}

/* One random step on both; everything observable must agree. */
static void random_step(struct ref *r, uint64_t *rng)
{
	uint64_t x = xorshift64star(rng), pfn = 0, want = 0;

	if (x % 100 < 48) {
		pfn = (x >> 8) % REF_SIZE;
		ref_free(r, pfn);
		CHECK_EQ(seed_frame_free(pfn), SEED_OK);
	} else {
		bool ok = ref_alloc(r, &want);

		CHECK_EQ(seed_frame_alloc(&pfn),
			 ok ? SEED_OK : SEED_OUT_OF_MEMORY);
		CHECK_EQ(pfn, want);
	}
	CHECK_EQ(seed_frame_free_count(), r->free);
	CHECK_EQ(seed_frame_hint(), r->hint);
}

/* 200 000 random frees (also double and reserved) and allocations. */
static void test_random_against_reference(void)
{
	static struct ref r;
	uint64_t rng = 0x243F6A8885A308D3ull;

	init_bench_map(REF_SIZE);
	ref_init(&r);
	for (int step = 0; step < 200000; step++)
		random_step(&r, &rng);
	for (uint64_t pfn = 0; pfn < REF_SIZE; pfn++)
		CHECK_EQ(seed_frame_used(pfn), r.used[pfn]);
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{"not_initialized", test_not_initialized}, /* first: before init */
	{"init_bench_map", test_init_bench_map},
	{"init_partial_and_capacity", test_init_partial_and_capacity},
	{"alloc_sequence", test_alloc_sequence},
	{"free_moves_hint_back", test_free_moves_hint_back},
	{"double_free_ignored", test_double_free_ignored},
	{"free_reserved_frame", test_free_reserved_frame},
	{"out_of_memory", test_out_of_memory},
	{"hint_word_and_wrap", test_hint_word_and_wrap},
	{"random_against_reference", test_random_against_reference},
};

int main(void)
{
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		printf("seed_frame_test: %s\n", tests[i].name);
		fflush(stdout);
		tests[i].fn();
	}
	printf("seed_frame_test: all %zu passed\n",
	       sizeof(tests) / sizeof(tests[0]));
	return 0;
}
