/*
 * The memory floor beside every steady figure: the cost of one random
 * dependent load over an array the size of libmm's leaf bitmap, on the same
 * kind of memory as libmm's metadata (bench_huge_alloc). The lines of the
 * array form one random cycle, so each load's address depends on the
 * previous load and no prefetcher can guess it. Beside it, the same lines
 * in the same order read by independent loads (addresses from a list), so
 * the CPU can overlap their misses: what a stream of unrelated frees can
 * reach at best.
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
static uint32_t *floor_order(size_t n)
{
	uint32_t *order = malloc(n * sizeof(*order));
	uint64_t rng = FLOOR_SEED;

	if (!order)
		return NULL;
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(bench_rand(&rng) % (i + 1));
		uint32_t t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	return order;
}

bool bench_floor_init(struct bench_floor *f, size_t bytes)
{
	uint32_t *order;

	f->lines = bytes / FLOOR_LINE;
	f->base = f->lines && f->lines <= UINT32_MAX ? bench_huge_alloc(bytes)
						     : NULL;
	f->order = order = f->base ? floor_order(f->lines) : NULL;
	if (!order) {
		bench_floor_destroy(f);
		return false;
	}
	for (size_t k = 0; k < f->lines; k++) {
		size_t from = order[k], to = order[(k + 1) % f->lines];

		f->base[from * FLOOR_SLOTS] = &f->base[to * FLOOR_SLOTS];
	}
	f->pos = &f->base[order[0] * FLOOR_SLOTS];
	/* Half a cycle apart: neither reads lines the other just loaded. */
	f->next = f->lines / 2;
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

double bench_floor_indep_chunk(struct bench_floor *f)
{
	uintptr_t sum = 0;
	size_t i = f->next;
	uint64_t t0 = bench_now_ns();

	for (unsigned k = 0; k < BENCH_FLOOR_CHUNK; k++) {
		sum += (uintptr_t)f->base[(size_t)f->order[i] * FLOOR_SLOTS];
		i = i + 1 < f->lines ? i + 1 : 0;
	}
	t0 = bench_now_ns() - t0;
	f->next = i;
	f->sink += sum;
	return (double)t0 / BENCH_FLOOR_CHUNK;
}

void bench_floor_destroy(struct bench_floor *f)
{
	free(f->base);
	free(f->order);
	f->base = f->pos = NULL;
	f->order = NULL;
	f->lines = 0;
}
