/*
 * Owns the kernel side of XOmB's memory primitives: the zero page, the
 * read-only export of the frame bitmap and its info page, and the decode
 * of system calls 16-20 into mm/exo.h. See exok.h for the layout.
 */
#include "exok.h"

#include "aspace.h"
#include "kmem.h"
#include "panic.h"
#include "xomb/abi.h"

#define PAGE	   MM_FRAME_SIZE
#define SLOT_SPAN  MM_PT_SPAN(MM_PT_TOP)
#define BITMAP_MAX (MM_PHYS_LIMIT / PAGE / 8u) /* bytes for 2^52 of RAM */

/* The ABI's addresses lie in the slot, the largest bitmap below the info. */
_Static_assert(XOMB_BITMAP_VA == EXOK_BITMAP_SLOT * SLOT_SPAN,
	       "XOMB_BITMAP_VA starts PML4 slot EXOK_BITMAP_SLOT");
_Static_assert(XOMB_BITMAP_INFO_VA / SLOT_SPAN == EXOK_BITMAP_SLOT &&
		       XOMB_BITMAP_VA + BITMAP_MAX <= XOMB_BITMAP_INFO_VA,
	       "the info page lies in the slot, past any bitmap");
_Static_assert(XOMB_BITMAP_INFO_VA % PAGE == 0, "the info page is a page");

struct exok exok;

static uint64_t exok_div_up(uint64_t n, uint64_t d)
{
	return (n + d - 1u) / d;
}

/* A claimed frame, zeroed (then written with `info` when it is non-NULL). */
static uint64_t exok_frame(const struct xomb_bitmap_info *info)
{
	uint64_t pfn;
	volatile uint64_t *p;
	mm_status_t st = mm_frame_alloc(&kmem.frames, &pfn);

	if (st != MM_OK)
		panic("exok: no frame: %s", mm_status_str(st));
	p = aspace_kmap(MM_PFN_TO_PADDR(pfn));
	for (unsigned i = 0; i < PAGE / sizeof(*p); i++)
		p[i] = 0;
	if (info != NULL) {
		p[0] = info->frames;
		p[1] = info->bytes;
	}
	aspace_kunmap();
	return MM_PFN_TO_PADDR(pfn);
}

/* Map pa at va: read-only, user, NX (no MM_PROT_EXEC). */
static void exok_map_ro(uint64_t va, uint64_t pa)
{
	mm_status_t st = mm_map(&kmem.vm, va, pa, MM_PAGE_4K, MM_PROT_USER);

	if (st != MM_OK)
		panic("exok: mapping %#lx at %#lx: %s", pa, va,
		      mm_status_str(st));
}

void exok_init(void)
{
	struct mm_frame_stats s;
	struct xomb_bitmap_info info;
	uint64_t zero = exok_frame(NULL);

	if (mm_exo_init(&exok.x, &kmem.vm, MM_PADDR_TO_PFN(zero)) != MM_OK)
		panic("exok: mm_exo_init refused the zero page");
	mm_frame_stats(&kmem.frames, &s);
	exok.frames = s.total_frames;
	exok.bitmap_bytes = exok_div_up(s.total_frames, 64u) * 8u;
	exok.bitmap_pages = exok_div_up(exok.bitmap_bytes, PAGE);
	for (uint64_t i = 0; i < exok.bitmap_pages; i++)
		exok_map_ro(XOMB_BITMAP_VA + i * PAGE,
			    kmem.meta_phys + i * PAGE);
	info.frames = exok.frames;
	info.bytes = exok.bitmap_bytes;
	exok.info_phys = exok_frame(&info);
	exok_map_ro(XOMB_BITMAP_INFO_VA, exok.info_phys);
}

bool exok_kernel_frame(uint64_t pa)
{
	return pa == MM_PFN_TO_PADDR(exok.x.zero_pfn);
}

/* The primitive nr names, on the current address space. */
static int64_t exok_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct mm_exo *x = &exok.x;

	switch (nr) {
	case XOMB_SYS_ALLOC_PAGE:
		return mm_exo_alloc_page(x, a0, a1, a2);
	case XOMB_SYS_REMAP_PAGE:
		return mm_exo_remap_page(x, a0, a1);
	case XOMB_SYS_CHMOD_PAGE:
		return mm_exo_chmod_page(x, a0, a1);
	case XOMB_SYS_UNMAP_PAGE:
		return mm_exo_unmap_page(x, a0);
	case XOMB_SYS_MAP_ZERO:
		return mm_exo_map_zero(x, a0, a1);
	default:
		return XOMB_ENOSYS;
	}
}

int64_t exok_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	int64_t r;

	kmem_lock();
	r = exok_call(nr, a0, a1, a2);
	kmem_unlock();
	return r;
}
