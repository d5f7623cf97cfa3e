/*
 * The kernel's memory: the one frame allocator, the paging context over the
 * live tables, and the physical ranges the kernel reserved at boot.
 */
#ifndef XOMB_KMEM_H
#define XOMB_KMEM_H

#include <stdint.h>

#include "boot_info.h"
#include "mm/frame.h"
#include "mm/paging.h"
#include "spinlock.h"

/*
 * Fixed ranges reserved at boot: low memory, image, info, metadata. The
 * modules, any number of them, are reserved straight from the boot info.
 */
#define KMEM_MAX_RESERVED 4u

/* Low memory kept away from the allocator: BIOS data, EBDA, real mode. */
#define KMEM_LOW_LIMIT 0x100000ull

/*
 * The one frame allocator and address space. Whoever calls libmm on them
 * holds `lock` (kmem_lock): setup here, and ktest around each test.
 */
struct kmem {
	struct spinlock lock;
	struct mm_frames frames;
	struct mm_vm vm;
	uint64_t meta_phys;  /* allocator metadata: physical base */
	uint64_t meta_bytes; /* and size */
	size_t nreserved;
	struct mm_frame_range
		reserved[KMEM_MAX_RESERVED]; /* pfns [start, end) */
	struct mm_frame_stats boot_stats; /* right after kmem_init_frames() */
};

extern struct kmem kmem;

/* Take / release kmem.lock. */
void kmem_lock(void);
void kmem_unlock(void);

/*
 * Set up the frame allocator over bi->memmap: place its metadata in usable
 * RAM from the map itself (mapped through the early window), then reserve
 * low memory, the kernel image, the boot info [info_phys, + info_size), the
 * modules and the metadata. Panics when no usable region can hold the
 * metadata or libmm refuses; nothing to undo then.
 */
void kmem_init_frames(const struct boot_info *bi, uint64_t info_phys,
		      uint64_t info_size);

/*
 * Bind libmm paging to the live tables (recursive entry PML4[510]), drop
 * the boot identity map and remap the kernel image W^X in 4 KiB pages: text
 * read+exec, rodata read-only, data and bss read-write, the last two NX;
 * the guard page below the boot stack is unmapped.
 * Panics on any libmm error.
 */
void kmem_init_paging(void);

#endif /* XOMB_KMEM_H */
