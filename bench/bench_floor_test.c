/*
 * Self-test of the memory floor (registered with ctest as
 * bench.floor_test): the chase must be one cycle through every line of the
 * array, else the floor would stay in a few cached lines and look low; the
 * independent loads must read every line too; the array is sized like
 * libmm's leaf bitmap. No timing is asserted.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "fuzz_check.h"

#define LINE_SLOTS (64u / sizeof(void *))

/* A line's index from a pointer to its first word. */
static size_t line_of(const struct bench_floor *f, void **p)
{
	return (size_t)(p - f->base) / LINE_SLOTS;
}

/* Leaf bitmap size: one bit per frame, rounded up to whole lines. */
static void test_bytes(void)
{
	CHECK_EQ(bench_floor_bytes(1), 64);
	CHECK_EQ(bench_floor_bytes(512), 64);
	CHECK_EQ(bench_floor_bytes(513), 128);
	CHECK_EQ(bench_floor_bytes((uint64_t)1 << 20), 128u << 10);
	CHECK_EQ(bench_floor_bytes((uint64_t)1 << 24), 2u << 20);
}

/* From the start, the chase visits every line once, then is back. */
static void check_one_cycle(size_t bytes)
{
	struct bench_floor f = {0};
	unsigned char *seen;
	void **p;

	CHECK(bench_floor_init(&f, bytes));
	CHECK_EQ(f.lines, bytes / 64);
	seen = calloc(f.lines, 1);
	CHECK(seen);
	p = f.pos;
	for (size_t k = 0; k < f.lines; k++) {
		size_t line = line_of(&f, p);

		CHECK(line < f.lines);
		CHECK(!seen[line]);
		seen[line] = 1;
		p = (void **)*p;
	}
	CHECK(p == f.pos);
	free(seen);
	bench_floor_destroy(&f);
	CHECK(f.base == NULL && f.order == NULL && f.lines == 0);
}

static void test_cycle(void)
{
	check_one_cycle(64);
	check_one_cycle(4096);
	check_one_cycle(128u << 10);
	check_one_cycle(2u << 20);
}

/* The independent loads' list is a permutation of the lines. */
static void test_order_is_permutation(void)
{
	struct bench_floor f = {0};
	unsigned char *seen;

	CHECK(bench_floor_init(&f, 64u << 10));
	seen = calloc(f.lines, 1);
	CHECK(seen);
	for (size_t k = 0; k < f.lines; k++) {
		CHECK(f.order[k] < f.lines);
		CHECK(!seen[f.order[k]]);
		seen[f.order[k]] = 1;
	}
	free(seen);
	bench_floor_destroy(&f);
}

/* Chunks run and keep the chase on the cycle; an empty array is refused. */
static void test_chunks_and_refusal(void)
{
	struct bench_floor f = {0};

	CHECK(bench_floor_init(&f, 4096));
	CHECK(bench_floor_chunk(&f) >= 0);
	CHECK(bench_floor_indep_chunk(&f) >= 0);
	CHECK(line_of(&f, f.pos) < f.lines);
	CHECK_EQ(f.next, (f.lines / 2 + BENCH_FLOOR_CHUNK) % f.lines);
	bench_floor_destroy(&f);
	CHECK(!bench_floor_init(&f, 63));
	CHECK(f.base == NULL);
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{"bytes", test_bytes},
	{"cycle", test_cycle},
	{"order_is_permutation", test_order_is_permutation},
	{"chunks_and_refusal", test_chunks_and_refusal},
};

int main(void)
{
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		printf("bench_floor_test: %s\n", tests[i].name);
		fflush(stdout);
		tests[i].fn();
	}
	printf("bench_floor_test: all %zu passed\n",
	       sizeof(tests) / sizeof(tests[0]));
	return 0;
}
