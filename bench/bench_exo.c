/*
 * Cost of XOmB's memory primitives (mm/exo.h) on the simulated machine:
 * nanoseconds and invlpg per call for ALLOC_PAGE (a data page into an
 * existing PT), CHMOD_PAGE (a change), REMAP_PAGE, UNMAP_PAGE and MAP_ZERO,
 * each over the 512 entries of one PT, median of the repetitions. Strict
 * TLB mode is off (it would measure the checker). Not a test: prints a
 * table and exits 0, or 1 when a call does not succeed.
 *   xomb_bench_exo [reps]
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "mm/exo.h"
#include "mm_sim.h"

#define RAM	       (64u << 20)
#define PAGES	       MM_PT_ENTRIES
#define VA_A	       0x0000100000000000ull
#define VA_B	       0x0000200000000000ull
#define P	       MM_EXO_PRESENT
#define ENT(level, va) ((mm_vaddr_t)MM_PTE_VA(level, va))

enum { B_ALLOC, B_CHMOD, B_REMAP, B_UNMAP, B_ZERO, B_UNMAP_ZERO, B_COUNT };

static const char *const names[B_COUNT] = {
	"ALLOC_PAGE (4 KiB)", "CHMOD_PAGE (change)", "REMAP_PAGE", "UNMAP_PAGE",
	"MAP_ZERO",	      "UNMAP_PAGE (zero)"};

struct timing {
	double ns;
	uint64_t invlpg;
};

static struct mm_sim *sim;
static struct mm_exo exo;
static mm_pfn_t next_pfn = 4096;

static uint64_t frame(void)
{
	while (!mm_frame_is_free(mm_sim_frames(sim), next_pfn))
		next_pfn++;
	return MM_PFN_TO_PADDR(next_pfn++);
}

static bool setup(void)
{
	mm_pfn_t zero;

	sim = mm_sim_create(RAM, MM_SIM_NX | MM_SIM_1G);
	if (sim == NULL || mm_frame_alloc(mm_sim_frames(sim), &zero) != MM_OK ||
	    mm_exo_init(&exo, mm_sim_vm(sim), zero) != MM_OK)
		return false;
	for (unsigned level = MM_PT_TOP; level > 0; level--) {
		if (mm_exo_alloc_page(&exo, frame(), ENT(level, VA_A), P) ||
		    mm_exo_alloc_page(&exo, frame(), ENT(level, VA_B), P))
			return false;
	}
	return true;
}

/* One primitive on every entry i of the PT; false if a call failed. */
static bool call(unsigned b, unsigned i)
{
	mm_vaddr_t a = VA_A + i * MM_PAGE_4K, t = VA_B + i * MM_PAGE_4K;

	switch (b) {
	case B_ALLOC:
		return mm_exo_alloc_page(&exo, frame(), ENT(0, a), P) == 0;
	case B_CHMOD:
		return mm_exo_chmod_page(&exo, ENT(0, a), P | MM_EXO_NOEXEC) ==
		       0;
	case B_REMAP:
		return mm_exo_remap_page(&exo, ENT(0, a), ENT(0, t)) == 0;
	case B_UNMAP:
		return mm_exo_unmap_page(&exo, ENT(0, t)) == 0;
	case B_ZERO:
		return mm_exo_map_zero(&exo, ENT(0, a), P | MM_EXO_READONLY) ==
		       0;
	default:
		return mm_exo_unmap_page(&exo, ENT(0, a)) == 0;
	}
}

/* Each primitive over the whole PT, in an order that leaves it empty. */
static bool round_once(struct timing *t)
{
	for (unsigned b = 0; b < B_COUNT; b++) {
		struct mm_sim_stats s0, s1;
		uint64_t t0;

		mm_sim_stats(sim, &s0);
		t0 = bench_now_ns();
		for (unsigned i = 0; i < PAGES; i++) {
			if (!call(b, i))
				return false;
		}
		t[b].ns = (double)(bench_now_ns() - t0) / PAGES;
		mm_sim_stats(sim, &s1);
		t[b].invlpg = s1.invlpg - s0.invlpg;
	}
	next_pfn = 4096;
	return true;
}

int main(int argc, char **argv)
{
	unsigned reps = argc > 1 ? (unsigned)atoi(argv[1]) : 21u;
	struct timing t[B_COUNT];
	double *ns;

	if (reps == 0 || !setup())
		return 1;
	ns = calloc((size_t)reps * B_COUNT, sizeof(*ns));
	if (ns == NULL)
		return 1;
	for (unsigned r = 0; r < reps; r++) {
		if (!round_once(t))
			return 1;
		for (unsigned b = 0; b < B_COUNT; b++)
			ns[b * reps + r] = t[b].ns;
	}
	printf("| primitive (simulator) | ns per call | invlpg per call |\n");
	printf("|---|---:|---:|\n");
	for (unsigned b = 0; b < B_COUNT; b++)
		printf("| %s | %.1f | %.2f |\n", names[b],
		       bench_median(&ns[b * reps], reps),
		       (double)t[b].invlpg / PAGES);
	free(ns);
	mm_sim_destroy(sim);
	return 0;
}
