/*
 * Owns the boot-time memory setup: where the frame allocator's metadata goes
 * (first fit in a usable region of the map, clear of everything the kernel
 * must keep), what gets reserved, and the switch from the boot page tables'
 * coarse permissions to a W^X kernel image edited through libmm.
 */
#include "kmem.h"

#include "arch.h"
#include "kprintf.h"
#include "mm/arith.h"
#include "multiboot2.h"
#include "panic.h"

struct kmem kmem;

void kmem_lock(void)
{
	spin_lock(&kmem.lock);
}

void kmem_unlock(void)
{
	spin_unlock(&kmem.lock);
}

/* Record the frames touching the physical range [start, end). */
static void add_reserved(uint64_t start, uint64_t end)
{
	if (end <= start)
		return;
	if (kmem.nreserved == KMEM_MAX_RESERVED)
		panic("kmem: more than %u reserved ranges", KMEM_MAX_RESERVED);
	kmem.reserved[kmem.nreserved++] = (struct mm_frame_range){
		MM_PADDR_TO_PFN(start), MM_PADDR_TO_PFN_UP(end)};
}

/* The frames touching module i; panics if the boot info cannot give it. */
static struct mm_frame_range module_range(const struct boot_info *bi, size_t i)
{
	struct boot_module m;

	if (mb2_module(bi, i, &m) != MM_OK)
		panic("kmem: module %zu of the boot info is unreadable", i);
	if (m.end <= m.start)
		return (struct mm_frame_range){0, 0};
	return (struct mm_frame_range){MM_PADDR_TO_PFN(m.start),
				       MM_PADDR_TO_PFN_UP(m.end)};
}

/*
 * Everything the metadata must avoid but the modules, i.e. all fixed
 * reservations but itself; the modules (any number) are looked up in the
 * boot info when needed.
 */
static void collect_reserved(const struct boot_info *bi, uint64_t info_phys,
			     uint64_t info_size)
{
	add_reserved(0, KMEM_LOW_LIMIT);
	add_reserved(bi->kernel_phys_start, bi->kernel_phys_end);
	add_reserved(info_phys, info_phys + info_size);
}

static bool overlaps(const struct mm_frame_range *r, mm_pfn_t pfn, uint64_t n)
{
	return r->start < r->end && pfn < r->end && r->start < pfn + n;
}

/*
 * The end of the first reservation (fixed or module) that frames [pfn,
 * pfn + n) overlap, or 0 for none.
 */
static mm_pfn_t clash(const struct boot_info *bi, mm_pfn_t pfn, uint64_t n)
{
	for (size_t i = 0; i < kmem.nreserved; i++) {
		if (overlaps(&kmem.reserved[i], pfn, n))
			return kmem.reserved[i].end;
	}
	for (size_t i = 0; i < bi->module_count; i++) {
		struct mm_frame_range r = module_range(bi, i);

		if (overlaps(&r, pfn, n))
			return r.end;
	}
	return 0;
}

/* First fit of n frames in the whole frames of region rg, or 0 for none. */
static mm_pfn_t fit_in(const struct boot_info *bi, const struct mm_region *rg,
		       uint64_t n)
{
	mm_pfn_t end = MM_PADDR_TO_PFN(mm_region_end(rg));
	mm_pfn_t at = MM_PADDR_TO_PFN_UP(rg->base);
	mm_pfn_t past;

	while (at + n <= end && (past = clash(bi, at, n)) != 0)
		at = past;
	return at + n <= end && at != 0 ? at : 0;
}

static uint64_t place_metadata(const struct boot_info *bi, uint64_t len)
{
	const struct mm_memmap *map = &bi->memmap;

	for (size_t i = 0; i < map->count; i++) {
		const struct mm_region *rg = &map->regions[i];
		mm_pfn_t at;

		if (rg->type != MM_REGION_USABLE)
			continue;
		at = fit_in(bi, rg, MM_PADDR_TO_PFN(len));
		if (at)
			return MM_PFN_TO_PADDR(at);
	}
	panic("kmem: no usable region holds %lu bytes of allocator metadata",
	      len);
}

static void reserve(const struct mm_frame_range *r)
{
	mm_status_t st;

	if (r->end <= r->start)
		return;
	st = mm_frame_reserve(&kmem.frames, r->start, r->end - r->start);
	if (st != MM_OK)
		panic("kmem: reserving frames [%#lx, %#lx): %s", r->start,
		      r->end, mm_status_str(st));
}

static void reserve_all(const struct boot_info *bi)
{
	for (size_t i = 0; i < kmem.nreserved; i++)
		reserve(&kmem.reserved[i]);
	for (size_t i = 0; i < bi->module_count; i++) {
		struct mm_frame_range r = module_range(bi, i);

		reserve(&r);
	}
}

static void init_frames(const struct boot_info *bi, uint64_t info_phys,
			uint64_t info_size)
{
	const struct mm_memmap *map = &bi->memmap;
	uint64_t len =
		mm_align_up_u64(mm_frame_metadata_bytes(map), MM_FRAME_SIZE);
	void *meta;
	mm_status_t st;

	if (len == 0)
		panic("kmem: the memory map has no usable frame");
	collect_reserved(bi, info_phys, info_size);
	kmem.meta_phys = place_metadata(bi, len);
	kmem.meta_bytes = len;
	meta = arch_window_map(kmem.meta_phys, len);
	if (meta == NULL)
		panic("kmem: %lu bytes of metadata exceed the early window",
		      len);
	st = mm_frame_init(&kmem.frames, map, meta, len);
	if (st != MM_OK)
		panic("kmem: mm_frame_init: %s", mm_status_str(st));
	add_reserved(kmem.meta_phys, kmem.meta_phys + len);
	reserve_all(bi);
	mm_frame_stats(&kmem.frames, &kmem.boot_stats);
}

/* mm_protect() every 4 KiB page of [start, end). */
static void protect(const char *what, uintptr_t start, uintptr_t end,
		    unsigned prot)
{
	for (uintptr_t va = start; va < end; va += MM_FRAME_SIZE) {
		mm_status_t st = mm_protect(&kmem.vm, va, prot);

		if (st != MM_OK)
			panic("kmem: protecting %s page %#lx: %s", what, va,
			      mm_status_str(st));
	}
}

static void init_paging(void)
{
	mm_status_t st;

	arch_alias_install();
	st = mm_vm_init(&kmem.vm, &kmem.frames, NULL);
	if (st != MM_OK)
		panic("kmem: mm_vm_init: %s", mm_status_str(st));
	arch_identity_unmap();
	protect("boot", (uintptr_t)_kernel_virt_start, (uintptr_t)_text_start,
		0);
	protect("text", (uintptr_t)_text_start, (uintptr_t)_text_end,
		MM_PROT_EXEC);
	protect("rodata", (uintptr_t)_rodata_start, (uintptr_t)_rodata_end, 0);
	protect("data", (uintptr_t)_data_start, (uintptr_t)_data_end,
		MM_PROT_WRITE);
	st = mm_unmap(&kmem.vm, (uintptr_t)boot_stack_guard, NULL, NULL);
	if (st != MM_OK)
		panic("kmem: unmapping the stack guard: %s", mm_status_str(st));
}

void kmem_init_frames(const struct boot_info *bi, uint64_t info_phys,
		      uint64_t info_size)
{
	kmem_lock();
	init_frames(bi, info_phys, info_size);
	kmem_unlock();
}

void kmem_init_paging(void)
{
	kmem_lock();
	init_paging();
	kmem_unlock();
}
