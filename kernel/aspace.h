/*
 * Address spaces: one PML4 per program. The kernel half (PML4[256..511])
 * is shared: at aspace_init() every kernel-half PML4 entry gets a PDPT that
 * lives for good, and each new PML4 copies those entries, so a kernel
 * mapping made later is seen in every address space. Each PML4 points to
 * itself twice: PML4[510] (Present | User, read-only: the window through
 * which a program reads its own tables and libmm names entries) and
 * PML4[509] (Present | Writable, supervisor only: the alias the kernel port
 * edits through, arch.h ARCH_ALIAS_INDEX). Switching is a CR3 write.
 * PML4[255], the frame-bitmap export (exok.h), is shared the same way:
 * copied from the kernel's PML4, never freed with a program.
 *
 * Callers hold kmem.lock (one CPU, no concurrency).
 */
#ifndef XOMB_ASPACE_H
#define XOMB_ASPACE_H

#include <stddef.h>
#include <stdint.h>

#include "mm/status.h"

/*
 * PML4[506] holds the kernel's own scratch mappings for user-mode support:
 * its first page stays mapped for good (so the tables under it never empty
 * and are never freed under another address space), the second is the
 * one-frame mapping slot of aspace_kmap(), and from ASPACE_MODULE_VA on the
 * program images are mapped read-only while they are loaded.
 */
#define ASPACE_SCRATCH	  0xFFFFFD0000000000ull
#define ASPACE_KMAP_VA	  (ASPACE_SCRATCH + 0x1000ull)
#define ASPACE_MODULE_VA  (ASPACE_SCRATCH + 0x40000000ull)
#define ASPACE_MODULE_MAX (0x7F80000000ull - 0x40000000ull) /* bytes */

/*
 * The process registry's records (exoproc.h) sit in the last 2 GiB of the
 * scratch slot. PML4[507] and [508] are the process and resource maps
 * (mm/exo_proc.h): not shared by aspace_create(), which leaves them empty;
 * mm_proc_init() builds them in init's address space and ALLOC_PROCESS
 * copies them into every process.
 */
#define ASPACE_REGISTRY_VA  (ASPACE_SCRATCH + 0x7F80000000ull)
#define ASPACE_REGISTRY_MAX 0x80000000ull /* bytes */

/*
 * Give every kernel-half PML4 slot but 509 and 510 a PDPT, map the scratch
 * anchor, remember the kernel's PML4. Panics when frames run out (boot).
 */
void aspace_init(void);

/* Physical address of the kernel's own PML4 (no program). */
uint64_t aspace_kernel(void);

/*
 * A new address space: a zeroed user half, the shared kernel half, the two
 * recursive entries. *pml4 receives its physical address.
 * Errors: MM_ERR_NOMEM (nothing allocated then).
 */
mm_status_t aspace_create(uint64_t *pml4);

/* Load CR3 with pml4 (a value from aspace_create or aspace_kernel). */
void aspace_switch(uint64_t pml4);

/* The PML4 loaded now (CR3's address bits). */
uint64_t aspace_current(void);

/*
 * Free every frame and table of the user half of pml4 (slots 0-254: not
 * the shared bitmap slot 255, not the zero page, exok_kernel_frame()),
 * then the PML4 itself; the kernel's address space is current afterwards. pml4 must not
 * be used again.
 */
void aspace_destroy(uint64_t pml4);

/*
 * Map frame pa at ASPACE_KMAP_VA (read-write, NX) and return that address;
 * aspace_kunmap() removes it. One at a time. Errors: MM_ERR_NOMEM never
 * (the slot's tables exist); a libmm refusal panics.
 */
void *aspace_kmap(uint64_t pa);
void aspace_kunmap(void);

/*
 * Map the physical range [pa, pa + len) read-only at ASPACE_MODULE_VA and
 * return the address of pa in it; aspace_unmap_module(len) with the same
 * pa and len removes it. Errors: MM_ERR_INVALID (len 0 or over
 * ASPACE_MODULE_MAX), MM_ERR_NOMEM.
 */
mm_status_t aspace_map_module(uint64_t pa, uint64_t len, const void **out);
void aspace_unmap_module(uint64_t pa, uint64_t len);

#endif /* XOMB_ASPACE_H */
