/*
 * The memory floor beside every steady figure: the cost of one random
 * dependent load over an array the size of libmm's leaf bitmap, on the same
 * kind of memory as libmm's metadata (bench_huge_alloc). The lines of the
 * array form one random cycle, so each load's address depends on the
 * previous load and no prefetcher can guess it.
 */
#include <stdlib.h>

#include "bench.h"

#define FLOOR_LINE  64u
#define FLOOR_SEED  0x6A09E667F3BCC909ull
#define FLOOR_SLOTS (FLOOR_LINE / sizeof(void *))

size_t bench_floor_bytes(uint64_t frames)
{
	uint64_t bytes = (frames + 7) / 8;

	return (size_t)((bytes + FLOOR_LINE - 1) / FLOOR_LINE * FLOOR_LINE);
}

/* A random order of the lines [0, n): Fisher-Yates from a fixed seed. */
static size_t *floor_order(size_t n)
{
	size_t *order = malloc(n * sizeof(*order));
	uint64_t rng = FLOOR_SEED;

	if (!order)
		return NULL;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(bench_rand(&rng) % (i + 1));
		size_t t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	return order;
}

bool bench_floor_init(struct bench_floor *f, size_t bytes)
{
	size_t *order;

	f->lines = bytes / FLOOR_LINE;
	f->base = f->lines ? bench_huge_alloc(bytes) : NULL;
	order = f->base ? floor_order(f->lines) : NULL;
	if (!order) {
		bench_floor_destroy(f);
		return false;
	}
	for (size_t k = 0; k < f->lines; k++) {
		size_t from = order[k], to = order[(k + 1) % f->lines];

		f->base[from * FLOOR_SLOTS] = &f->base[to * FLOOR_SLOTS];
	}
	f->pos = &f->base[order[0] * FLOOR_SLOTS];
	free(order);
	return true;
}

double bench_floor_chunk(struct bench_floor *f)
{
	void **p = f->pos;
	uint64_t t0 = bench_now_ns();

	for (unsigned k = 0; k < BENCH_FLOOR_CHUNK; k++)
		p = (void **)*p;
	t0 = bench_now_ns() - t0;
	f->pos = p;
	return (double)t0 / BENCH_FLOOR_CHUNK;
}

void bench_floor_destroy(struct bench_floor *f)
{
	free(f->base);
	f->base = f->pos = NULL;
	f->lines = 0;
}
