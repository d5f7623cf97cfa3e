/*
 * The reference model of XOmB's memory primitives (mm/exo.h), shared by the
 * randomized model test (tests/host/test_exo_model.c) and the fuzzer
 * (tests/fuzz/fuzz_exo.c): who owns what. A small universe of entries
 * (three PML4 slots, both ends of each table below them) with, for each,
 * whether it is present, its frame, its flags, whether it is granted and
 * the token its data page holds; and for each frame of the RAM (and some
 * beyond it) whether it is free, held by an entry, or someone else's.
 *
 * exo_ref_step() turns two random words into one call (an entry of the
 * universe or a malformed one, flags, a frame), predicts its result and
 * its invlpg count from the model's own rules, runs it on the simulated
 * machine (strict TLB mode) and compares: the result, the invalidations,
 * the entries and frames it touched, and user-mode read / write / exec of
 * the pages it touched. exo_ref_check_all() compares everything. A
 * mismatch goes to the fail callback given at init.
 */
#ifndef EXO_REF_H
#define EXO_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/exo.h"
#include "mm_sim.h"

#define EXO_REF_RAM    (4u << 20)
#define EXO_REF_FRAMES ((EXO_REF_RAM >> 12) + 64u) /* and 64 beyond RAM */
#define EXO_REF_NODES  (3u + 6u + 12u + 48u)	   /* levels 3, 2, 1, 0 */
#define EXO_REF_CODES  7u			   /* MapperError values */

enum {
	EXO_OP_ALLOC,
	EXO_OP_REMAP,
	EXO_OP_CHMOD,
	EXO_OP_UNMAP,
	EXO_OP_ZERO,
	EXO_OP_GRANT, /* set / clear GRANT by hand, as issue 14 will */
	EXO_OP_COUNT
};

/* Reports what = got where the model says want. Must not return. */
typedef void (*exo_ref_fail_fn)(void *ctx, const char *what, uint64_t got,
				uint64_t want);

struct exo_ref_node {
	bool present, granted;
	uint64_t pa, flags;
	uint64_t token; /* a leaf's first word (0 for the zero page) */
};

struct exo_ref {
	struct mm_sim *sim;
	struct mm_exo exo;
	uint32_t features;
	struct exo_ref_node node[EXO_REF_NODES];
	uint8_t frame[EXO_REF_FRAMES]; /* EXO_REF_FREE, _HELD, _OTHER */
	uint64_t free_frames;	       /* EXO_REF_FREE frames in RAM */
	uint64_t steps;
	uint64_t tally[EXO_OP_COUNT][EXO_REF_CODES];
	exo_ref_fail_fn fail;
	void *ctx;
};

/*
 * A machine of EXO_REF_RAM with features (MM_SIM_NX or not), strict, with
 * a zero page, and an empty model of it. Returns false when the host is
 * out of memory (nothing to free then).
 */
bool exo_ref_init(struct exo_ref *ref, uint32_t features, exo_ref_fail_fn fail,
		  void *ctx);

/* Destroy the machine. */
void exo_ref_fini(struct exo_ref *ref);

/* One call chosen by a and b, predicted, run and compared. */
void exo_ref_step(struct exo_ref *ref, uint64_t a, uint64_t b);

/*
 * Compare every entry of the universe, every frame's state, the
 * allocator's free count and self-check, and the fill counts.
 */
void exo_ref_check_all(struct exo_ref *ref);

/*
 * Clear every grant, unmap every entry bottom-up through the primitives,
 * and check that every frame the model ever saw free is free again.
 */
void exo_ref_drain(struct exo_ref *ref);

#endif /* EXO_REF_H */
