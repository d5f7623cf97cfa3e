/*
 * The minimal kernel's use of libmm (see mini.h). Freestanding C: it uses
 * nothing but libmm and the compiler's own headers.
 */
#include "mini.h"

/* Allocator metadata for up to 4 GiB of RAM: ~1.03 bits per frame. */
static uint64_t mini_metadata[20000];

mm_status_t mini_frames_init(struct mm_frames *fa, mm_paddr_t image_pa,
			     uint64_t image_len)
{
	static struct mm_memmap map;
	mm_status_t st;

	mm_memmap_init(&map);
	st = mm_memmap_add(&map, 0, 0x9F000, MM_REGION_USABLE);
	if (st == MM_OK)
		st = mm_memmap_add(&map, 0xF0000, 0x10000, MM_REGION_RESERVED);
	if (st == MM_OK)
		st = mm_memmap_add(&map, 0x100000, 0x7F00000, MM_REGION_USABLE);
	if (st == MM_OK)
		st = mm_memmap_sanitize(&map);
	if (st == MM_OK)
		st = mm_frame_init(fa, &map, mini_metadata,
				   sizeof(mini_metadata));
	if (st == MM_OK)
		st = mm_frame_reserve(fa, image_pa, image_len);
	return st;
}

mm_status_t mini_frames_exercise(struct mm_frames *fa)
{
	struct mm_frame_stats before, after;
	mm_pfn_t one, run;
	mm_status_t st;

	mm_frame_stats(fa, &before);
	st = mm_frame_alloc(fa, &one);
	if (st != MM_OK)
		return st;
	st = mm_frame_alloc_contig(fa, MM_FRAMES_2M, MM_FRAMES_2M,
				   MM_FRAME_NO_LIMIT, &run);
	if (st == MM_OK)
		st = mm_frame_free_contig(fa, run, MM_FRAMES_2M);
	if (st == MM_OK)
		st = mm_frame_free(fa, one);
	if (st != MM_OK)
		return st;
	mm_frame_stats(fa, &after);
	if (after.free_frames != before.free_frames)
		return MM_ERR_NOT_ALLOCATED;
	return mm_frame_check(fa);
}

/* MM_OK iff MINI_VA translates to a writable 4 KiB page at pa. */
static mm_status_t mini_check_page(struct mm_vm *vm, mm_paddr_t pa)
{
	mm_paddr_t got;
	uint64_t size;
	unsigned prot;
	mm_status_t st;

	st = mm_translate(vm, MINI_VA, &got, &size, &prot);
	if (st != MM_OK)
		return st;
	if (got != pa || size != MM_PAGE_4K || !(prot & MM_PROT_WRITE))
		return MM_ERR_INVALID;
	return MM_OK;
}

mm_status_t mini_map_page(struct mm_vm *vm, struct mm_frames *fa)
{
	mm_pfn_t pfn;
	mm_status_t st, unmapped;

	st = mm_frame_alloc(fa, &pfn);
	if (st != MM_OK)
		return st;
	st = mm_map(vm, MINI_VA, MM_PFN_TO_PADDR(pfn), MM_PAGE_4K,
		    MM_PROT_WRITE);
	if (st != MM_OK) {
		mm_frame_free(fa, pfn);
		return st;
	}
	st = mini_check_page(vm, MM_PFN_TO_PADDR(pfn));
	unmapped = mm_unmap(vm, MINI_VA, NULL, NULL);
	if (st == MM_OK)
		st = unmapped;
	/* A page that is still mapped keeps its frame. */
	if (unmapped == MM_OK && mm_frame_free(fa, pfn) != MM_OK)
		st = MM_ERR_NOT_ALLOCATED;
	return st;
}
