/*
 * What the two tables of xomb_bench_exo share: bench_exo.c's simulated
 * machine with its mm_exo context (the memory primitives) and
 * bench_proc.c's process and resource primitives, which run on the same
 * machine after the memory rows.
 */
#ifndef BENCH_EXO_H
#define BENCH_EXO_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/exo.h"
#include "mm_sim.h"

/* The window address naming the entry of `level` for va. */
#define BENCH_ENT(level, va) ((mm_vaddr_t)MM_PTE_VA(level, va))

/* Frames below this one are never picked (the allocator's metadata). */
#define BENCH_EXO_FIRST_PFN 4096u

struct bench_exo {
	struct mm_sim *sim;
	struct mm_exo exo;
	mm_pfn_t next; /* where bench_exo_frame() looks next */
};

/* A free frame at or above b->next, left free: a primitive claims it. */
mm_paddr_t bench_exo_frame(struct bench_exo *b);

/* The allocator's free frames. */
uint64_t bench_exo_free(const struct bench_exo *b);

/*
 * Tables of levels (level, MM_PT_TOP] on va's path in the current address
 * space, made by ALLOC_PAGE where absent; false if a call failed.
 */
bool bench_exo_path(struct bench_exo *b, mm_vaddr_t va, unsigned level);

/*
 * The process and resource rows (bench_proc.c): reps rounds on b's
 * machine, a table on stdout. False (message on stderr) when a call fails
 * or a round leaves the allocator other than the row expects.
 */
bool bench_proc_run(struct bench_exo *b, unsigned reps);

#endif /* BENCH_EXO_H */
