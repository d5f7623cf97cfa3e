/*
 * The exokernel's memory primitives in the kernel (issue 13): the one zero
 * page, the frame bitmap exported read-only to every program, and the
 * system calls ALLOC_PAGE, REMAP_PAGE, CHMOD_PAGE, UNMAP_PAGE and MAP_ZERO,
 * which only decode registers and call mm/exo.h on the current address
 * space.
 *
 * The export (user/include/xomb/abi.h): the frame allocator's live leaf
 * bitmap (the first array of its metadata, so its first byte sits at
 * kmem.meta_phys) mapped read-only, user, NX at XOMB_BITMAP_VA, and one
 * read-only page at XOMB_BITMAP_INFO_VA holding struct xomb_bitmap_info.
 * Both live in PML4 slot EXOK_BITMAP_SLOT of the kernel's PML4, whose
 * tables are built once at boot; aspace.c copies that slot into every
 * program's PML4 and never frees what is under it.
 *
 * Callers hold kmem.lock around exok_init(); exok_syscall() takes it.
 */
#ifndef XOMB_EXOK_H
#define XOMB_EXOK_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/exo.h"

/*
 * The PML4 slot of the bitmap export: the last slot of the user half, the
 * first one mm/exo.h never lets a program touch.
 */
#define EXOK_BITMAP_SLOT MM_EXO_PML4_LIMIT

/* What exok_init() set up, for the kernel tests. */
struct exok {
	struct mm_exo x;       /* kmem.vm and the zero page */
	uint64_t frames;       /* bits of the bitmap that stand for frames */
	uint64_t bitmap_bytes; /* bytes of the leaf: frames / 64 words */
	uint64_t bitmap_pages; /* 4 KiB pages mapped at XOMB_BITMAP_VA */
	uint64_t info_phys;    /* the info page's frame */
};

extern struct exok exok;

/*
 * Boot, after aspace_init() and before the first aspace_create(): claim and
 * zero the zero page, bind exok.x, map the leaf bitmap and the info page in
 * the kernel's PML4 slot EXOK_BITMAP_SLOT. Panics when frames run out or
 * libmm refuses (boot: nothing to undo).
 */
void exok_init(void);

/*
 * System call nr (XOMB_SYS_ALLOC_PAGE .. XOMB_SYS_MAP_ZERO) with arguments
 * a0-a2 (rdi, rsi, rdx) on the running program's address space: the
 * MapperError code of mm/exo.h (0 = success). Any other nr: XOMB_ENOSYS.
 */
int64_t exok_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);

/* True for a frame teardown must not free: the zero page. */
bool exok_kernel_frame(uint64_t pa);

#endif /* XOMB_EXOK_H */
