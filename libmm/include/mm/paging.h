/*
 * x86-64 4-level page tables, edited only through the recursive entry
 * PML4[510]: every table is reached at a fixed virtual address of the
 * recursive window, so no physical-memory map is needed. Intermediate tables
 * come from the frame allocator and go back to it when they empty.
 *
 * Every action validates all arguments first and changes nothing on failure.
 */
#ifndef MM_PAGING_H
#define MM_PAGING_H

#include "mm/frame.h"
#include "mm/pte.h"
#include "mm/status.h"
#include "mm/types.h"

/* Page sizes: the byte size of the page. */
#define MM_PAGE_4K ((uint64_t)1 << 12)
#define MM_PAGE_2M ((uint64_t)1 << 21)
#define MM_PAGE_1G ((uint64_t)1 << 30)

/* Portable protection flags; read access is always implied. */
#define MM_PROT_WRITE	     (1u << 0)
#define MM_PROT_EXEC	     (1u << 1) /* without it: NX where the CPU has NX */
#define MM_PROT_USER	     (1u << 2)
#define MM_PROT_GLOBAL	     (1u << 3) /* survives a CR3 reload */
#define MM_PROT_NOCACHE	     (1u << 4) /* PCD */
#define MM_PROT_WRITETHROUGH (1u << 5) /* PWT */
#define MM_PROT_ALLOW_WX     (1u << 6) /* permit WRITE | EXEC together */
#define MM_PROT_ALL	     ((1u << 7) - 1u)

/*
 * The recursive slot (MM_RECURSIVE_INDEX, in mm/pte.h, which derives every
 * window address from it) and the window it opens.
 */
#define MM_RECURSIVE_BASE 0xFFFFFF0000000000ull
#define MM_RECURSIVE_PML4 0xFFFFFF7FBFDFE000ull

/* A paging context: the live address space of one CPU. */
struct mm_vm {
	struct mm_frames *frames; /* where intermediate tables come from */
	void *port;		  /* handed to every mm_port_* call */
	uint32_t features;	  /* MM_CPU_* bits, read at init */
};

/*
 * Bind a context to the live tables (reached through the recursive entry,
 * which must already be installed), to a frame allocator and to a port
 * context, and give every existing table its fill count (bits
 * MM_PTE_COUNT_* of the entry pointing to it; the PML4's own count is in
 * the recursive entry): 512 entry reads per existing table, only count
 * bits written, no translation changed. Tables edited behind libmm's back
 * need mm_vm_init() again. Errors: MM_ERR_INVALID for NULL vm or frames
 * (nothing changed).
 */
mm_status_t mm_vm_init(struct mm_vm *vm, struct mm_frames *frames, void *port);

/*
 * Self-check: recount the present entries of every table and compare with
 * the fill counts; writes nothing. Returns MM_OK, or MM_ERR_INVALID for a
 * NULL vm or the first count that disagrees. Cost: 512 entry reads per
 * table. For tests and fuzzers, after every operation.
 */
mm_status_t mm_vm_check(const struct mm_vm *vm);

/*
 * Map one page of the given size at va to pa with prot. Missing tables are
 * allocated, linked and zeroed through the window; linking a table changes
 * no present entry, so it needs no invalidation at all. With MM_PROT_USER the
 * table entries above the page get USER too (one invlpg of va for each that
 * lacked it): x86 checks U/S at every level. pa may lie outside RAM (MMIO).
 * Errors: MM_ERR_INVALID (bad size or prot bits, va/pa misaligned for size,
 * non-canonical va, WRITE|EXEC without ALLOW_WX, pa beyond 52 bits);
 * MM_ERR_OUT_OF_RANGE (va inside the recursive window);
 * MM_ERR_UNSUPPORTED (1 GiB without CPU support); MM_ERR_MAPPED (already
 * mapped); MM_ERR_HUGE_CONFLICT (a huge page covers va, or a huge page is
 * asked where smaller tables exist); MM_ERR_NOMEM (out of frames for tables,
 * none left behind).
 */
mm_status_t mm_map(struct mm_vm *vm, mm_vaddr_t va, mm_paddr_t pa,
		   uint64_t size, unsigned prot);

/*
 * Remove the page that starts at va (any size), invalidate it, and free
 * tables that became empty (so no empty table outlives an operation).
 * Invalidation: invlpg of va; for a 2 MiB or 1 GiB page also of the window
 * addresses where the entry acts as a leaf (MM_PT_TABLE_VA of the levels
 * below: 1 more for 2 MiB, 2 more for 1 GiB); for each freed table, invlpg
 * of its window address. pa_out / size_out receive what was mapped (either
 * may be NULL). Errors: MM_ERR_INVALID (non-canonical or not 4 KiB-aligned
 * va, or va not the start of its page); MM_ERR_OUT_OF_RANGE (recursive
 * window); MM_ERR_NOT_MAPPED.
 */
mm_status_t mm_unmap(struct mm_vm *vm, mm_vaddr_t va, mm_paddr_t *pa_out,
		     uint64_t *size_out);

/*
 * Replace the protection of the page that starts at va (any size), keeping
 * its address, size and accessed/dirty bits, and invalidate it as mm_unmap
 * does; an unchanged entry is neither written nor invalidated. USER is
 * granted to the tables above as in mm_map. Errors as mm_unmap, plus the
 * prot errors of mm_map.
 */
mm_status_t mm_protect(struct mm_vm *vm, mm_vaddr_t va, unsigned prot);

/*
 * Look up any address va, the recursive window included: physical address
 * of va itself, size and prot of the page holding it (each out pointer may
 * be NULL). prot is what the leaf entry grants, in a form mm_protect()
 * accepts back unchanged: EXEC when the entry is not NX (always, on a CPU
 * without NX), and ALLOW_WX whenever both WRITE and EXEC are set.
 * Errors: MM_ERR_INVALID (NULL vm, non-canonical va), MM_ERR_NOT_MAPPED.
 */
mm_status_t mm_translate(struct mm_vm *vm, mm_vaddr_t va, mm_paddr_t *pa_out,
			 uint64_t *size_out, unsigned *prot_out);

/*
 * Map [va, va + length) to [pa, pa + length) with the largest pages that fit
 * alignment and length (1 GiB only when the CPU has it, else 2 MiB). All or
 * nothing: every page is checked before any is mapped, and running out of
 * frames midway unmaps what was mapped and frees its tables.
 * Errors: as mm_map for the first page that cannot be mapped;
 * MM_ERR_INVALID for length 0 or not a multiple of 4 KiB, a range wrapping
 * past 2^64, leaving its canonical half or the 52-bit physical space;
 * MM_ERR_OUT_OF_RANGE when it overlaps the recursive window.
 */
mm_status_t mm_map_range(struct mm_vm *vm, mm_vaddr_t va, mm_paddr_t pa,
			 uint64_t length, unsigned prot);

/*
 * Unmap every page inside [va, va + length) as mm_unmap does; unmapped holes
 * are skipped a whole table span at a time.
 * Errors: MM_ERR_INVALID (misaligned, length 0, non-canonical, wrapping
 * past 2^64, leaving its canonical half); MM_ERR_OUT_OF_RANGE (overlaps the recursive window);
 * MM_ERR_HUGE_CONFLICT when a huge page straddles an end of the range.
 * Nothing changes on failure.
 */
mm_status_t mm_unmap_range(struct mm_vm *vm, mm_vaddr_t va, uint64_t length);

#endif /* MM_PAGING_H */
