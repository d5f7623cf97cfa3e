/*
 * Utilities of the host benchmarks: the monotonic clock and its overhead, a
 * fixed-seed xorshift64* generator, medians, the huge-page memory that
 * libmm's metadata and the memory floor share, and the PC-like memory map
 * all frame workloads share.
 */
#define _DEFAULT_SOURCE /* madvise */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "bench.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double bench_clock_overhead_ns(void)
{
	static double cached = -1.0;
	uint64_t v[1001];

	if (cached >= 0.0)
		return cached;
	for (size_t i = 0; i < 1001; i++) {
		uint64_t t0 = bench_now_ns();
		v[i] = bench_now_ns() - t0;
	}
	cached = bench_median_u64(v, 1001);
	return cached;
}

uint64_t bench_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double bench_median_u64(uint64_t *v, size_t n)
{
	double *d = malloc(n * sizeof(*d));
	double m;

	if (!d)
		abort();
	for (size_t i = 0; i < n; i++)
		d[i] = (double)v[i];
	m = bench_median(d, n);
	free(d);
	return m;
}

void *bench_huge_alloc(size_t bytes)
{
	size_t size = (bytes + BENCH_HUGE_PAGE - 1) & ~(BENCH_HUGE_PAGE - 1);
	void *p = aligned_alloc(BENCH_HUGE_PAGE, size ? size : BENCH_HUGE_PAGE);

	if (!p)
		return NULL;
	/* Only a hint: without THP the figures include 4 KiB TLB misses. */
	(void)madvise(p, size, MADV_HUGEPAGE);
	memset(p, 0xA5, size);
	return p;
}

void bench_map_build(struct mm_memmap *map, uint64_t frames)
{
	uint64_t low = (uint64_t)BENCH_LOW_START << MM_PAGE_SHIFT;
	uint64_t hole = (uint64_t)BENCH_LOW_END << MM_PAGE_SHIFT;
	uint64_t high = (uint64_t)BENCH_HIGH_START << MM_PAGE_SHIFT;

	mm_memmap_init(map);
	mm_memmap_add(map, 0, low, MM_REGION_RESERVED);
	mm_memmap_add(map, low, hole - low, MM_REGION_USABLE);
	mm_memmap_add(map, hole, high - hole, MM_REGION_RESERVED);
	mm_memmap_add(map, high, (frames << MM_PAGE_SHIFT) - high,
		      MM_REGION_USABLE);
	mm_memmap_sanitize(map);
}

uint64_t bench_map_usable(uint64_t frames)
{
	return (BENCH_LOW_END - BENCH_LOW_START) + (frames - BENCH_HIGH_START);
}
