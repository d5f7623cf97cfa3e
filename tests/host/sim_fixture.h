/*
 * The fixture shared by the host tests of the simulated machine
 * (test_sim.c, test_sim_port.c, test_sim_strict.c): a 16 MiB machine with
 * or without NX and 1 GiB pages, and page tables built by hand with
 * physical writes (zeroed frames, a mapping down to any level, the physical
 * address of an entry), so libmm's paging code is not involved.
 */
#ifndef SIM_FIXTURE_H
#define SIM_FIXTURE_H

/* Before any system header: fork, waitpid (the death tests). */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mm/pte.h"
#include "mm_sim.h"

#define RAM    (16u << 20)
#define VA_A   0x0000000040201000ull /* PML4 0, PDPT 1, PD 1, PT 1 */
#define VA_B   0x0000000040202000ull /* next to VA_A */
#define DATA_A 0x00300000ull
#define DATA_B 0x00301000ull
#define LEAF   (MM_PTE_PRESENT | MM_PTE_WRITE)
#define TABLE  (MM_PTE_PRESENT | MM_PTE_WRITE | MM_PTE_USER)

static inline int setup_nx_1g(void **state)
{
	*state = mm_sim_create(RAM, MM_SIM_NX | MM_SIM_1G);
	return *state == NULL ? -1 : 0;
}

static inline int setup_plain(void **state)
{
	*state = mm_sim_create(RAM, 0);
	return *state == NULL ? -1 : 0;
}

static inline int teardown(void **state)
{
	mm_sim_destroy(*state);
	return 0;
}

/* A zeroed frame from the simulator's allocator. */
static inline mm_paddr_t new_frame(struct mm_sim *sim)
{
	uint64_t pfn;

	assert_int_equal(mm_frame_alloc(mm_sim_frames(sim), &pfn), MM_OK);
	mm_port_table_zero(sim, MM_PFN_TO_PADDR(pfn));
	return MM_PFN_TO_PADDR(pfn);
}

/*
 * Map va by hand: tables down to `level` (created with TABLE flags), then
 * the entry `leaf` there. Returns the physical address of that entry.
 */
static inline mm_paddr_t hand_map(struct mm_sim *sim, mm_vaddr_t va,
				  unsigned level, mm_pte_t leaf)
{
	mm_paddr_t table = mm_sim_cr3(sim);
	unsigned l;

	for (l = MM_PT_TOP; l > level; l--) {
		mm_paddr_t slot = table + 8u * MM_PT_INDEX(l, va);
		mm_pte_t pte = mm_sim_phys_read64(sim, slot);

		if (!(pte & MM_PTE_PRESENT)) {
			pte = new_frame(sim) | TABLE;
			mm_sim_phys_write64(sim, slot, pte);
		}
		table = MM_PTE_ADDR(pte);
	}
	mm_sim_phys_write64(sim, table + 8u * MM_PT_INDEX(level, va), leaf);
	return table + 8u * MM_PT_INDEX(level, va);
}

/* Entry of va at `level` (whose tables exist). */
static inline mm_paddr_t entry_pa(struct mm_sim *sim, mm_vaddr_t va,
				  unsigned level)
{
	mm_paddr_t table = mm_sim_cr3(sim);
	unsigned l;

	for (l = MM_PT_TOP; l > level; l--)
		table = MM_PTE_ADDR(mm_sim_phys_read64(
			sim, table + 8u * MM_PT_INDEX(l, va)));
	return table + 8u * MM_PT_INDEX(level, va);
}

static inline struct mm_sim_stats stats(struct mm_sim *sim)
{
	struct mm_sim_stats st;

	mm_sim_stats(sim, &st);
	return st;
}

#endif /* SIM_FIXTURE_H */
