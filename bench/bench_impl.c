/*
 * The two allocators behind struct bench_impl: libmm's frame allocator
 * (metadata on the host heap, touched once before any timing) and the seed
 * baseline of seed_frame.c. Adapters only: no policy lives here.
 *
 * The metadata comes from bench_huge_alloc() (2 MiB-aligned, transparent
 * huge pages asked for), as the kernel maps it with 2 MiB pages
 * (arch_window_map): a random bitmap access then costs a cache miss but no
 * 4 KiB TLB miss, as it would in the kernel.
 */
#include <stdlib.h>

#include "bench.h"
#include "mm/frame.h"
#include "seed_frame.h"

struct libmm_ctx {
	struct mm_frames fa;
	void *meta;
	size_t meta_bytes;
};

static bool libmm_init(void *ctx, const struct mm_memmap *map)
{
	struct libmm_ctx *c = ctx;

	return mm_frame_init(&c->fa, map, c->meta, c->meta_bytes) == MM_OK;
}

static bool libmm_alloc(void *ctx, uint64_t *pfn)
{
	return mm_frame_alloc(&((struct libmm_ctx *)ctx)->fa, pfn) == MM_OK;
}

static bool libmm_free(void *ctx, uint64_t pfn)
{
	return mm_frame_free(&((struct libmm_ctx *)ctx)->fa, pfn) == MM_OK;
}

static bool libmm_used(void *ctx, uint64_t pfn)
{
	return !mm_frame_is_free(&((struct libmm_ctx *)ctx)->fa, pfn);
}

static bool libmm_contig(void *ctx, uint64_t count, uint64_t *pfn)
{
	struct mm_frames *fa = &((struct libmm_ctx *)ctx)->fa;

	return mm_frame_alloc_contig(fa, count, count, MM_FRAME_NO_LIMIT,
				     pfn) == MM_OK;
}

size_t bench_libmm_metadata_bytes(uint64_t frames)
{
	static struct mm_memmap map;

	bench_map_build(&map, frames);
	return mm_frame_metadata_bytes(&map);
}

bool bench_libmm_impl(struct bench_impl *im, uint64_t max_frames)
{
	struct libmm_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return false;
	c->meta_bytes = bench_libmm_metadata_bytes(max_frames);
	c->meta = bench_huge_alloc(c->meta_bytes);
	if (!c->meta) {
		free(c);
		return false;
	}
	*im = (struct bench_impl){
		.name = "libmm",
		.ctx = c,
		.max_frames = UINT64_MAX,
		.init = libmm_init,
		.alloc = libmm_alloc,
		.free = libmm_free,
		.used = libmm_used,
		.contig = libmm_contig,
	};
	return true;
}

void bench_libmm_impl_destroy(struct bench_impl *im)
{
	struct libmm_ctx *c = im->ctx;

	free(c->meta);
	free(c);
	im->ctx = NULL;
}

static bool seed_init(void *ctx, const struct mm_memmap *map)
{
	(void)ctx;
	seed_frame_init(map);
	return true;
}

static bool seed_alloc(void *ctx, uint64_t *pfn)
{
	(void)ctx;
	return seed_frame_alloc(pfn) == SEED_OK;
}

static bool seed_free(void *ctx, uint64_t pfn)
{
	(void)ctx;
	return seed_frame_free(pfn) == SEED_OK;
}

static bool seed_used(void *ctx, uint64_t pfn)
{
	(void)ctx;
	return seed_frame_used(pfn);
}

void bench_seed_impl(struct bench_impl *im)
{
	*im = (struct bench_impl){
		.name = "seed",
		.max_frames = SEED_FRAME_CAPACITY,
		.hinted = true,
		.load = seed_frame_load,
		.init = seed_init,
		.alloc = seed_alloc,
		.free = seed_free,
		.used = seed_used,
	};
}
