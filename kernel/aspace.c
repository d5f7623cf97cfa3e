/*
 * Owns the per-program address spaces: the shared kernel half, building a
 * PML4, switching, and tearing a user half down to the last frame. See
 * aspace.h for the layout and the two recursive entries.
 */
#include "aspace.h"

#include "arch.h"
#include "exok.h"
#include "kmem.h"
#include "mm/exo_proc.h"
#include "mm/port.h"
#include "panic.h"

#define PAGE		 MM_FRAME_SIZE
#define KERNEL_HALF_SLOT (MM_PT_ENTRIES / 2u) /* PML4[256]: the kernel half */
#define USER_SLOTS	 EXOK_BITMAP_SLOT /* 255: the shared bitmap export */

static uint64_t kernel_pml4;

/* The PML4 entry of slot i in the live PML4 (read through the port). */
static mm_pte_t aspace_pml4_read(unsigned i)
{
	return mm_port_pte_read(NULL, MM_RECURSIVE_PML4 + i * MM_PTE_SIZE);
}

static void aspace_pml4_write(unsigned i, mm_pte_t pte)
{
	mm_port_pte_write(NULL, MM_RECURSIVE_PML4 + i * MM_PTE_SIZE, pte);
}

static bool aspace_shared_slot(unsigned i)
{
	return (i >= KERNEL_HALF_SLOT && i != MM_RECURSIVE_INDEX &&
		i != ARCH_ALIAS_INDEX && i != MM_PROC_MAP_INDEX &&
		i != MM_RES_MAP_INDEX) ||
	       i == EXOK_BITMAP_SLOT;
}

static mm_pte_t aspace_nx(void)
{
	return arch_cpu_features()->nx ? MM_PTE_NX : 0;
}

static uint64_t aspace_alloc_frame(void)
{
	uint64_t pfn;
	mm_status_t st = mm_frame_alloc(&kmem.frames, &pfn);

	if (st != MM_OK)
		panic("aspace: no frame for a kernel table: %s",
		      mm_status_str(st));
	return MM_PFN_TO_PADDR(pfn);
}

static void aspace_free_frame(uint64_t pa)
{
	mm_status_t st = mm_frame_free(&kmem.frames, MM_PADDR_TO_PFN(pa));

	if (st != MM_OK)
		panic("aspace: freeing frame %#lx: %s", pa, mm_status_str(st));
}

void *aspace_kmap(uint64_t pa)
{
	mm_status_t st =
		mm_map(&kmem.vm, ASPACE_KMAP_VA, pa, MM_PAGE_4K, MM_PROT_WRITE);

	if (st != MM_OK)
		panic("aspace: kmap %#lx: %s", pa, mm_status_str(st));
	return (void *)ASPACE_KMAP_VA;
}

void aspace_kunmap(void)
{
	mm_status_t st = mm_unmap(&kmem.vm, ASPACE_KMAP_VA, NULL, NULL);

	if (st != MM_OK)
		panic("aspace: kunmap: %s", mm_status_str(st));
}

/* A frame full of zeros, for a table or a page, not reachable yet. */
static uint64_t aspace_zeroed_frame(void)
{
	uint64_t pa = aspace_alloc_frame();
	volatile uint64_t *p = aspace_kmap(pa);

	for (unsigned i = 0; i < PAGE / sizeof(*p); i++)
		p[i] = 0;
	aspace_kunmap();
	return pa;
}

void aspace_init(void)
{
	mm_status_t st;

	kernel_pml4 = arch_pml4_phys();
	st = mm_map(&kmem.vm, ASPACE_SCRATCH, aspace_alloc_frame(), MM_PAGE_4K,
		    0);
	if (st != MM_OK)
		panic("aspace: scratch anchor: %s", mm_status_str(st));
	for (unsigned i = KERNEL_HALF_SLOT; i < MM_PT_ENTRIES; i++) {
		if (aspace_shared_slot(i) &&
		    !(aspace_pml4_read(i) & MM_PTE_PRESENT))
			aspace_pml4_write(i, aspace_zeroed_frame() |
						     MM_PTE_PRESENT |
						     MM_PTE_WRITE);
	}
	/* Those entries were written behind libmm: recount (mm/paging.h). */
	st = mm_vm_init(&kmem.vm, &kmem.frames, NULL);
	if (st != MM_OK)
		panic("aspace: mm_vm_init: %s", mm_status_str(st));
}

uint64_t aspace_kernel(void)
{
	return kernel_pml4;
}

/*
 * libmm's fill count of the new PML4 (mm/paging.h): its present entries,
 * in the count bits of both entries that point to it.
 */
static void aspace_set_count(volatile uint64_t *p)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < MM_PT_ENTRIES; i++)
		n += (p[i] & MM_PTE_PRESENT) != 0;
	p[MM_RECURSIVE_INDEX] |= n << MM_PTE_COUNT_SHIFT;
	p[ARCH_ALIAS_INDEX] |= n << MM_PTE_COUNT_SHIFT;
}

/* Fill the new PML4 at p (physical pa) from the live one. */
static void aspace_fill(volatile uint64_t *p, uint64_t pa)
{
	for (unsigned i = 0; i < MM_PT_ENTRIES; i++) {
		mm_pte_t e = aspace_shared_slot(i) ? aspace_pml4_read(i) : 0;

		if (aspace_shared_slot(i) && !(e & MM_PTE_PRESENT))
			panic("aspace: kernel-half PML4[%u] lost its PDPT", i);
		p[i] = e;
	}
	p[MM_RECURSIVE_INDEX] = pa | MM_PTE_PRESENT | MM_PTE_USER | aspace_nx();
	p[ARCH_ALIAS_INDEX] = pa | MM_PTE_PRESENT | MM_PTE_WRITE | aspace_nx();
	aspace_set_count(p);
}

mm_status_t aspace_create(uint64_t *pml4)
{
	uint64_t pfn, pa;

	if (mm_frame_alloc(&kmem.frames, &pfn) != MM_OK)
		return MM_ERR_NOMEM;
	pa = MM_PFN_TO_PADDR(pfn);
	aspace_fill(aspace_kmap(pa), pa);
	aspace_kunmap();
	*pml4 = pa;
	return MM_OK;
}

void aspace_switch(uint64_t pml4)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(pml4) : "memory");
}

uint64_t aspace_current(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v & MM_PTE_ADDR_MASK;
}

/* Free the frames a leaf entry of `level` maps (a huge page: all of them). */
static void aspace_free_leaf(unsigned level, mm_pte_t e)
{
	mm_status_t st;

	if (exok_kernel_frame(MM_PTE_ADDR(e)))
		return; /* the zero page a program mapped: the kernel's */
	st = mm_frame_free_contig(&kmem.frames, MM_PADDR_TO_PFN(MM_PTE_ADDR(e)),
				  MM_PT_SPAN(level) / PAGE);
	if (st != MM_OK)
		panic("aspace: freeing a user page at %#lx: %s", MM_PTE_ADDR(e),
		      mm_status_str(st));
}

/*
 * Free what the entries of the table of `level` that maps base hold:
 * frames of leaves (a huge leaf: all its frames) and, below, whole tables.
 * `count` entries from base on (the PML4: only the user half).
 */
static void aspace_free_level(unsigned level, mm_vaddr_t base, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		mm_vaddr_t va = base + i * MM_PT_SPAN(level);
		mm_pte_t e = mm_port_pte_read(NULL, MM_PTE_VA(level, va));

		if (!(e & MM_PTE_PRESENT))
			continue;
		if (level == 0 || (e & MM_PTE_PS)) {
			aspace_free_leaf(level, e);
			continue;
		}
		aspace_free_level(level - 1u, va, MM_PT_ENTRIES);
		aspace_free_frame(MM_PTE_ADDR(e));
	}
}

void aspace_destroy(uint64_t pml4)
{
	aspace_switch(pml4);
	aspace_free_level(MM_PT_TOP, 0, USER_SLOTS);
	aspace_switch(kernel_pml4);
	aspace_free_frame(pml4);
}

static uint64_t aspace_module_span(uint64_t pa, uint64_t len)
{
	uint64_t first = pa & ~(PAGE - 1);

	return ((pa + len + PAGE - 1) & ~(PAGE - 1)) - first;
}

mm_status_t aspace_map_module(uint64_t pa, uint64_t len, const void **out)
{
	uint64_t first = pa & ~(PAGE - 1);
	mm_status_t st;

	if (len == 0 || len > ASPACE_MODULE_MAX - PAGE)
		return MM_ERR_INVALID;
	st = mm_map_range(&kmem.vm, ASPACE_MODULE_VA, first,
			  aspace_module_span(pa, len), 0);
	if (st != MM_OK)
		return st;
	*out = (const void *)(ASPACE_MODULE_VA + (pa - first));
	return MM_OK;
}

void aspace_unmap_module(uint64_t pa, uint64_t len)
{
	mm_status_t st = mm_unmap_range(&kmem.vm, ASPACE_MODULE_VA,
					aspace_module_span(pa, len));

	if (st != MM_OK)
		panic("aspace: unmapping a module: %s", mm_status_str(st));
}
