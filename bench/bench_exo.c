/*
 * Cost of XOmB's memory primitives (mm/exo.h) on the simulated machine:
 * nanoseconds and invlpg per call for ALLOC_PAGE (a data page into an
 * existing PT), CHMOD_PAGE (a change), REMAP_PAGE, UNMAP_PAGE and MAP_ZERO,
 * each over the 512 entries of one PT, median of the repetitions. Strict
 * TLB mode is off (it would measure the checker). Then, on the same
 * machine, the process and resource primitives (bench_proc.c) in a second
 * table. Not a test: prints the tables and exits 0, or 1 when a call does
 * not succeed. `mem` or `proc` runs one table only (callgrind_exo.sh
 * counts each alone).
 *   xomb_bench_exo [reps [mem|proc]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_exo.h"
#include "mm/port.h"

#define RAM	       (64u << 20)
#define PAGES	       MM_PT_ENTRIES
#define VA_A	       0x0000100000000000ull
#define VA_B	       0x0000200000000000ull
#define P	       MM_EXO_PRESENT
#define ENT(level, va) BENCH_ENT(level, va)

enum { B_ALLOC, B_CHMOD, B_REMAP, B_UNMAP, B_ZERO, B_UNMAP_ZERO, B_COUNT };

static const char *const names[B_COUNT] = {
	"ALLOC_PAGE (4 KiB)", "CHMOD_PAGE (change)", "REMAP_PAGE", "UNMAP_PAGE",
	"MAP_ZERO",	      "UNMAP_PAGE (zero)"};

struct timing {
	double ns;
	uint64_t invlpg;
};

static struct bench_exo m = {.next = BENCH_EXO_FIRST_PFN};

mm_paddr_t bench_exo_frame(struct bench_exo *b)
{
	while (!mm_frame_is_free(mm_sim_frames(b->sim), b->next))
		b->next++;
	return MM_PFN_TO_PADDR(b->next++);
}

uint64_t bench_exo_free(const struct bench_exo *b)
{
	struct mm_frame_stats fs;

	mm_frame_stats(mm_sim_frames(b->sim), &fs);
	return fs.free_frames;
}

bool bench_exo_path(struct bench_exo *b, mm_vaddr_t va, unsigned level)
{
	for (unsigned l = MM_PT_TOP; l > level; l--) {
		if (mm_exo_alloc_page(&b->exo, bench_exo_frame(b), ENT(l, va),
				      P) != MM_EXO_SUCCESS)
			return false;
	}
	return true;
}

static uint64_t frame(void)
{
	return bench_exo_frame(&m);
}

static bool setup(void)
{
	mm_pfn_t zero;

	m.sim = mm_sim_create(RAM, MM_SIM_NX | MM_SIM_1G);
	if (m.sim == NULL ||
	    mm_frame_alloc(mm_sim_frames(m.sim), &zero) != MM_OK ||
	    (mm_port_table_zero(m.sim, MM_PFN_TO_PADDR(zero)), false) ||
	    mm_exo_init(&m.exo, mm_sim_vm(m.sim), zero) != MM_OK)
		return false;
	return bench_exo_path(&m, VA_A, 0) && bench_exo_path(&m, VA_B, 0);
}

/* One primitive on every entry i of the PT; false if a call failed. */
static bool call(unsigned b, unsigned i)
{
	mm_vaddr_t a = VA_A + i * MM_PAGE_4K, t = VA_B + i * MM_PAGE_4K;

	switch (b) {
	case B_ALLOC:
		return mm_exo_alloc_page(&m.exo, frame(), ENT(0, a), P) == 0;
	case B_CHMOD:
		return mm_exo_chmod_page(&m.exo, ENT(0, a),
					 P | MM_EXO_NOEXEC) == 0;
	case B_REMAP:
		return mm_exo_remap_page(&m.exo, ENT(0, a), ENT(0, t)) == 0;
	case B_UNMAP:
		return mm_exo_unmap_page(&m.exo, ENT(0, t)) == 0;
	case B_ZERO:
		return mm_exo_map_zero(&m.exo, ENT(0, a),
				       P | MM_EXO_READONLY) == 0;
	default:
		return mm_exo_unmap_page(&m.exo, ENT(0, a)) == 0;
	}
}

/* Each primitive over the whole PT, in an order that leaves it empty. */
static bool round_once(struct timing *t)
{
	for (unsigned b = 0; b < B_COUNT; b++) {
		struct mm_sim_stats s0, s1;
		uint64_t t0;

		mm_sim_stats(m.sim, &s0);
		t0 = bench_now_ns();
		for (unsigned i = 0; i < PAGES; i++) {
			if (!call(b, i))
				return false;
		}
		t[b].ns = (double)(bench_now_ns() - t0) / PAGES;
		mm_sim_stats(m.sim, &s1);
		t[b].invlpg = s1.invlpg - s0.invlpg;
	}
	m.next = BENCH_EXO_FIRST_PFN;
	return true;
}

/* The memory rows: reps rounds, then their table. */
static bool mem_run(unsigned reps)
{
	struct timing t[B_COUNT];
	double *ns = calloc((size_t)reps * B_COUNT, sizeof(*ns));

	if (ns == NULL)
		return false;
	for (unsigned r = 0; r < reps; r++) {
		if (!round_once(t)) {
			free(ns);
			return false;
		}
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
	return true;
}

int main(int argc, char **argv)
{
	unsigned reps = argc > 1 ? (unsigned)atoi(argv[1]) : 21u;
	const char *only = argc > 2 ? argv[2] : "";
	bool mem = !strcmp(only, "") || !strcmp(only, "mem");
	bool proc = !strcmp(only, "") || !strcmp(only, "proc");
	bool ok;

	if (reps == 0 || (!mem && !proc) || !setup())
		return 1;
	ok = (!mem || mem_run(reps)) && (!proc || bench_proc_run(&m, reps));
	mm_sim_destroy(m.sim);
	return ok ? 0 : 1;
}
