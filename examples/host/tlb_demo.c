/*
 * libmm on the host: a simulated machine (64 MiB of RAM, NX), DEMO_PAGES
 * pages mapped, written and read back through the simulated MMU, then
 * unmapped and checked to fault, and the TLB counters printed. Strict mode
 * is on, so a missing TLB invalidation in libmm would abort the program.
 * Exit status 0 when every step did what libmm's contracts promise.
 */
#include <inttypes.h>
#include <stdio.h>

#include "mm_sim.h"

#define DEMO_PAGES 16u
#define DEMO_VA	   0xFFFFC00000000000ull /* kernel half, outside the window */

static int demo_fail(const char *what, mm_status_t st)
{
	fprintf(stderr, "tlb_demo: %s: %s\n", what, mm_status_str(st));
	return 1;
}

/* Map page i to a fresh frame and write its number through the MMU. */
static int demo_map(struct mm_sim *sim, unsigned i)
{
	mm_vaddr_t va = DEMO_VA + i * MM_PAGE_4K;
	uint64_t value = 0;
	mm_pfn_t pfn;
	mm_status_t st;

	st = mm_frame_alloc(mm_sim_frames(sim), &pfn);
	if (st == MM_OK)
		st = mm_map(mm_sim_vm(sim), va, MM_PFN_TO_PADDR(pfn),
			    MM_PAGE_4K, MM_PROT_WRITE);
	if (st == MM_OK)
		st = mm_sim_write64(sim, va, i);
	if (st == MM_OK)
		st = mm_sim_read64(sim, va, &value);
	if (st == MM_OK && value != i)
		st = MM_ERR_INVALID;
	return st == MM_OK ? 0 : demo_fail("map", st);
}

/* Unmap page i, free its frame, and check that an access now faults. */
static int demo_unmap(struct mm_sim *sim, unsigned i)
{
	mm_vaddr_t va = DEMO_VA + i * MM_PAGE_4K;
	mm_paddr_t pa;
	uint64_t size, value;
	mm_status_t st;

	st = mm_unmap(mm_sim_vm(sim), va, &pa, &size);
	if (st == MM_OK)
		st = mm_frame_free(mm_sim_frames(sim), MM_PADDR_TO_PFN(pa));
	if (st != MM_OK)
		return demo_fail("unmap", st);
	st = mm_sim_read64(sim, va, &value);
	if (st != MM_ERR_NOT_MAPPED)
		return demo_fail("read after unmap", st);
	return 0;
}

static void demo_print(const struct mm_sim *sim)
{
	struct mm_sim_stats st;

	mm_sim_stats(sim, &st);
	printf("tlb: hits=%" PRIu64 " misses=%" PRIu64 " invlpg=%" PRIu64
	       " full_flush=%" PRIu64 " stale_hits=%" PRIu64
	       " strict_violations=%" PRIu64 "\n",
	       st.tlb_hits, st.tlb_misses, st.invlpg, st.full_flush,
	       st.stale_hits, st.strict_violations);
}

int main(void)
{
	struct mm_sim *sim = mm_sim_create(64u << 20, MM_SIM_NX);
	struct mm_frame_stats before, after;
	unsigned n;
	int bad = 0;

	if (sim == NULL)
		return demo_fail("mm_sim_create", MM_ERR_NOMEM);
	mm_sim_set_strict(sim, true);
	mm_frame_stats(mm_sim_frames(sim), &before);
	for (n = 0; n < DEMO_PAGES && !bad; n++)
		bad = demo_map(sim, n);
	printf("tlb_demo: mapped %u pages at 0x%llx\n", n,
	       (unsigned long long)DEMO_VA);
	for (n = 0; n < DEMO_PAGES && !bad; n++)
		bad = demo_unmap(sim, n);
	mm_frame_stats(mm_sim_frames(sim), &after);
	printf("tlb_demo: unmapped %u pages, free frames %" PRIu64
	       " before, %" PRIu64 " after\n",
	       n, before.free_frames, after.free_frames);
	demo_print(sim);
	if (after.free_frames != before.free_frames)
		bad = demo_fail("frames leaked", MM_ERR_NOMEM);
	mm_sim_destroy(sim);
	return bad;
}
