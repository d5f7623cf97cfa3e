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
#define FLOOR_CHUNK 256u
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

/* FLOOR_CHUNK dependent loads from *pos; the clock around them only. */
static uint64_t floor_chunk(void ***pos)
{
	void **p = *pos;
	uint64_t t0 = bench_now_ns();

	for (unsigned k = 0; k < FLOOR_CHUNK; k++)
		p = (void **)*p;
	t0 = bench_now_ns() - t0;
	*pos = p;
	return t0;
}

double bench_floor_run(struct bench_floor *f, size_t loads)
{
	size_t chunks = (loads + FLOOR_CHUNK - 1) / FLOOR_CHUNK;
	double *rate = malloc((chunks ? chunks : 1) * sizeof(*rate));
	double m;

	if (!rate)
		return BENCH_NONE;
	for (size_t c = 0; c < chunks; c++)
		rate[c] = (double)floor_chunk(&f->pos) / FLOOR_CHUNK;
	m = chunks ? bench_median(rate, chunks) : BENCH_NONE;
	free(rate);
	return m;
}

void bench_floor_destroy(struct bench_floor *f)
{
	free(f->base);
	f->base = f->pos = NULL;
	f->lines = 0;
}
