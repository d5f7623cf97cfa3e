/*
 * The helpers shared by the host tests of mm/paging.h on vm_fixture.h's
 * simulated machine (test_paging.c, test_paging_unmap.c,
 * test_paging_range.c): the simulator's counters, data frames from the
 * allocator, raw entries read through the window, and the expected
 * translation of an address; reads, writes, access checks and free frames
 * come from fx_sim.h.
 */
#ifndef PAGING_FIXTURE_H
#define PAGING_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mm/paging.h"
#include "mm/pte.h"
#include "mm_sim.h"
#include "vm_fixture.h"

/* Needs vm_fixture.h's struct fx. */
#include "fx_sim.h"

#define KiB4 MM_PAGE_4K
#define MiB2 MM_PAGE_2M
#define GiB1 MM_PAGE_1G
#define RW   MM_PROT_WRITE
#define RX   MM_PROT_EXEC
#define AD   (MM_PTE_ACCESSED | MM_PTE_DIRTY)

/* Regions with nothing mapped at the start of a test (lower half). */
#define VA_A	0x0000100000000000ull /* PML4 32 */
#define VA_B	0x0000200000000000ull /* PML4 64 */
#define VA_HIGH 0xFFFF800000000000ull
#define PA_FAR	0x0000000100000000ull /* 4 GiB: beyond the RAM */

static inline struct mm_sim_stats stats(const struct fx *fx)
{
	struct mm_sim_stats st;

	mm_sim_stats(fx->sim, &st);
	return st;
}

/* A data frame (4 KiB) or a 2 MiB-aligned run, from the allocator. */
static inline mm_paddr_t data_4k(const struct fx *fx)
{
	uint64_t pfn;

	assert_int_equal(mm_frame_alloc(mm_sim_frames(fx->sim), &pfn), MM_OK);
	return MM_PFN_TO_PADDR(pfn);
}

static inline mm_paddr_t data_2m(const struct fx *fx)
{
	uint64_t pfn;

	assert_int_equal(mm_frame_alloc_contig(mm_sim_frames(fx->sim),
					       MM_FRAMES_2M, MM_FRAMES_2M,
					       MM_FRAME_NO_LIMIT, &pfn),
			 MM_OK);
	return MM_PFN_TO_PADDR(pfn);
}

/* The raw entry of `level` for va, read through the window. */
static inline mm_pte_t entry(const struct fx *fx, unsigned level, mm_vaddr_t va)
{
	return mm_port_pte_read(fx->sim, MM_PTE_VA(level, va));
}

static inline void expect_xlate(const struct fx *fx, mm_vaddr_t va,
				mm_paddr_t pa, uint64_t size)
{
	mm_paddr_t got_pa = 0;
	uint64_t got_size = 0;

	assert_int_equal(mm_translate(fx->vm, va, &got_pa, &got_size, NULL),
			 MM_OK);
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_size, size);
}

#endif /* PAGING_FIXTURE_H */
