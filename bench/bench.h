/*
 * Shared pieces of the host benchmarks: the clock, a fixed-seed random
 * generator, medians, the table of results, and the interface through which
 * one workload drives either libmm's frame allocator or the seed baseline.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mm/memmap.h"

/* The physical layout every frame benchmark uses (see bench_map_build). */
#define BENCH_LOW_START	 1u	/* frame 0 reserved (real-mode IVT) */
#define BENCH_LOW_END	 0x9Fu	/* [0x9F000, 0x100000) reserved (VGA, BIOS) */
#define BENCH_HIGH_START 0x100u /* usable from 1 MiB to the end */

/* Marks "not measured" in a result (the seed cannot run the workload). */
#define BENCH_NONE (-1.0)

/* The huge page size the kernel maps libmm's metadata with. */
#define BENCH_HUGE_PAGE ((size_t)2 << 20)

/*
 * One frame allocator under test. The workloads only call through these
 * pointers, so libmm and the seed pay the same harness cost (one indirect
 * call per operation). contig is NULL when the allocator has none.
 */
struct bench_impl {
	const char *name;
	void *ctx;
	uint64_t max_frames; /* largest N it can track (UINT64_MAX: any) */
	bool hinted;	     /* keeps a "next free" hint (the seed) */
	bool (*init)(void *ctx, const struct mm_memmap *map);
	bool (*alloc)(void *ctx, uint64_t *pfn);
	bool (*free)(void *ctx, uint64_t pfn);
	bool (*used)(void *ctx, uint64_t pfn); /* allocated or reserved */
	bool (*contig)(void *ctx, uint64_t count, uint64_t *pfn);
	/* Fast-forward (the seed): see seed_frame_load(). NULL for libmm. */
	void (*load)(bool (*used)(void *ctx, uint64_t pfn), void *used_ctx,
		     uint64_t frames, uint64_t hint);
	uint64_t rng; /* workload-private random state */
};

/* One line of the final table. seed_ns is BENCH_NONE where not measured. */
struct bench_result {
	char workload[24];
	uint64_t frames;
	double libmm_ns;
	double seed_ns;
	double floor_ns;    /* steady: the memory floor, else BENCH_NONE */
	double indep_ns;    /* steady: independent loads, else BENCH_NONE */
	unsigned libmm_ops; /* timed operations per repetition */
	unsigned seed_ops;
};

/* Monotonic time in nanoseconds. */
uint64_t bench_now_ns(void);

/* Median cost of one empty bench_now_ns() pair, measured once. */
double bench_clock_overhead_ns(void);

/* Next value of a xorshift64* generator; *state must be non-zero. */
uint64_t bench_rand(uint64_t *state);

/* Median of n values (n >= 1); reorders v. */
double bench_median(double *v, size_t n);

/* Median of n integer samples (n >= 1); reorders v. */
double bench_median_u64(uint64_t *v, size_t n);

/*
 * bytes of memory like libmm's metadata: 2 MiB-aligned (size rounded up to
 * 2 MiB), transparent huge pages asked for (madvise, a hint only), every
 * byte written once so no page fault is ever timed. NULL when out of host
 * memory; release with free().
 */
void *bench_huge_alloc(size_t bytes);

/*
 * The memory floor: a random dependent load (pointer chase over one random
 * cyclic permutation of the 64-byte lines of an array) on bench_huge_alloc()
 * memory. A random free must touch one random line of libmm's leaf bitmap,
 * so one such load over an array of that size is the physical floor of a
 * {free; alloc} pair.
 */
struct bench_floor {
	void **base; /* the array; each line's first word points to the next */
	void **pos;  /* where the chase stands */
	uint32_t *order; /* the lines in the order of the cycle */
	size_t next;	 /* independent loads: next index into order */
	size_t lines;
	uintptr_t sink; /* what the independent loads read (kept, unused) */
};

/* libmm's leaf bitmap for `frames` frames (one bit each), in whole lines. */
size_t bench_floor_bytes(uint64_t frames);

/* Build the chase over `bytes` (>= 64); false when out of host memory. */
bool bench_floor_init(struct bench_floor *f, size_t bytes);

/* Dependent loads per chunk of bench_floor_chunk(). */
#define BENCH_FLOOR_CHUNK 256u

/*
 * Chase BENCH_FLOOR_CHUNK loads on from where the last call stopped;
 * returns the ns per load, the clock read around the loads only.
 */
double bench_floor_chunk(struct bench_floor *f);

/*
 * The same lines in the same order, but BENCH_FLOOR_CHUNK independent loads
 * (addresses from the order list, not from the loaded values), so their
 * misses may overlap; returns the ns per load.
 */
double bench_floor_indep_chunk(struct bench_floor *f);

/* Release the array (a zeroed or destroyed floor is fine). */
void bench_floor_destroy(struct bench_floor *f);

/* True iff frame pfn lies in a usable region of the benchmark map. */
static inline bool bench_pfn_usable(uint64_t pfn, uint64_t frames)
{
	return (pfn >= BENCH_LOW_START && pfn < BENCH_LOW_END) ||
	       (pfn >= BENCH_HIGH_START && pfn < frames);
}

/*
 * Fill *map with a PC-like layout tracking exactly `frames` frames (frames
 * >= 512): frame 0 reserved, [4 KiB, 636 KiB) usable, the legacy hole
 * [636 KiB, 1 MiB) reserved, [1 MiB, frames * 4 KiB) usable.
 */
void bench_map_build(struct mm_memmap *map, uint64_t frames);

/* Usable frames of the map built for `frames`. */
uint64_t bench_map_usable(uint64_t frames);

/*
 * The two allocators. bench_libmm_impl allocates its metadata for up to
 * max_frames frames and touches it once, so timing never sees page faults.
 * Both return false when out of host memory.
 */
bool bench_libmm_impl(struct bench_impl *im, uint64_t max_frames);
void bench_libmm_impl_destroy(struct bench_impl *im);
void bench_seed_impl(struct bench_impl *im);

/* libmm's metadata size for the benchmark map of `frames` frames. */
size_t bench_libmm_metadata_bytes(uint64_t frames);

/*
 * Free and re-allocate victims[0..n) pairwise: {free victims[i]; allocate
 * one}. Kept out of line under a fixed name so that callgrind can count
 * exactly this loop (--toggle-collect=bench_run_pairs). taken[i]
 * receives the frame allocated by pair i; returns the sum of them.
 */
uint64_t bench_run_pairs(struct bench_impl *im, const uint64_t *victims,
			 size_t n, uint64_t *taken);

/* Options shared by the frame workloads. */
struct bench_opts {
	unsigned reps;	       /* repetitions per workload (odd) */
	unsigned steady_ops;   /* libmm steady pairs per repetition */
	unsigned cmp_ops;      /* seed steady pairs per repetition, at most */
	double seed_budget_ms; /* the seed stops early past this budget */
	unsigned last_samples; /* libmm lastframe allocations per repetition */
	unsigned seed_last;    /* seed lastframe allocations per repetition */
	bool quiet;	       /* no progress on stderr */
};

/*
 * Run workload `name` for `frames` frames, libmm and (where it can run) the
 * seed interleaved rep by rep; fill *res. Returns false for an unknown
 * workload or a setup failure (message on stderr).
 */
bool bench_frame_workload(const char *name, uint64_t frames,
			  struct bench_impl *libmm, struct bench_impl *seed,
			  const struct bench_opts *opt,
			  struct bench_result *res);

/*
 * Callgrind mode: set up steady workload `name` (on ref, then fast-forwarded
 * into im when im is the seed; im == ref for libmm) and run exactly `ops`
 * pairs (0 allowed) on im, untimed. Returns the pairs done, or -1.
 */
long bench_frame_steady_count(const char *name, uint64_t frames,
			      struct bench_impl *ref, struct bench_impl *im,
			      unsigned long ops);

/*
 * Judge the results against the targets (metadata_bits: the
 * largest libmm metadata size per frame measured): `bench: target` lines
 * on stdout and, when md is non-NULL, a Markdown table.
 */
void bench_targets_report(const struct bench_result *r, size_t n,
			  double metadata_bits, FILE *md);

/*
 * The paging benchmark on the host simulator: prints its own table and
 * machine-readable lines to stdout and, when md is non-NULL, a Markdown
 * table to md. Returns false when the simulator cannot be set up.
 */
bool bench_paging_run(unsigned reps, FILE *md);

#endif /* BENCH_H */
