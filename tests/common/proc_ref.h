/*
 * The reference model of XOmB's processes and resources (mm/exo_proc.h),
 * shared by the randomized model test (tests/host/test_exo_proc_model.c)
 * and the fuzzer (tests/fuzz/fuzz_exo_proc.c): a population of processes
 * (who is whose parent, which is current) and resources (owner, grants,
 * orphaned, the word their page holds), each process's PML4 slots
 * [1, PREF_SLOTS] holding nothing, a child's link, a resource it owns, a
 * grant (read-only or not) or private memory.
 *
 * pref_step() turns four random bytes into one call (ALLOC/FREE/YIELD
 * PROCESS, kill, MAP_UPCALL, ALLOC/GRANT/REVOKE/CHOWN RESOURCE, filling or
 * emptying a resource through mm/exo.h, unmapping its root, private
 * memory, a user write), predicts its result from the model's rules, runs
 * it on the simulated machine (strict TLB mode, aborting on a stale
 * translation) and compares; then checks every slot of the current
 * process by user-mode reads and writes, and the allocator's free count
 * against the frames the model says are held. A mismatch goes to the fail
 * callback.
 */
#ifndef PROC_REF_H
#define PROC_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/exo_proc.h"
#include "mm_sim.h"

#define PREF_RAM     (8u << 20)
#define PREF_SLOTS   12u
#define PREF_PROCS   12u
#define PREF_RES     20u
#define PREF_RECORDS 16u /* fewer than both: NO_ROOM happens */

enum pref_kind { PREF_EMPTY, PREF_LINK, PREF_OWN, PREF_GRANT, PREF_PLAIN };

/* Reports what = got where the model says want. Must not return. */
typedef void (*pref_fail_fn)(void *ctx, const char *what, uint64_t got,
			     uint64_t want);

struct pref_proc {
	bool alive, has_yield;
	uint64_t pid;
	int parent, link; /* parent's index and the slot of the link there */
	uint8_t kind[PREF_SLOTS + 1u];
	int obj[PREF_SLOTS + 1u];      /* child or resource index */
	bool ro[PREF_SLOTS + 1u];      /* a read-only grant */
	uint64_t val[PREF_SLOTS + 1u]; /* private memory's word */
};

struct pref_res {
	bool alive, orphan, has_page;
	uint64_t rid, value;
	unsigned refs;
};

struct pref {
	struct mm_sim *sim;
	struct mm_exo exo;
	struct mm_proc proc;
	void *mem;
	struct pref_proc p[PREF_PROCS];
	struct pref_res r[PREF_RES];
	int cur;
	unsigned records; /* live records: processes and resources */
	uint64_t base_free, next_frame, steps;
	uint64_t tally[16][8]; /* op x result code */
	pref_fail_fn fail;
	void *ctx;
};

/* A machine in strict mode with the registry; false if out of memory. */
bool pref_init(struct pref *m, pref_fail_fn fail, void *ctx);

/* One call from four random bytes, checked. */
void pref_step(struct pref *m, uint8_t op, uint8_t a, uint8_t b, uint8_t c);

/*
 * Every process's slots (switching to each), the fill counts of every
 * address space and the allocator; then back to the current process.
 */
void pref_check_all(struct pref *m);

/*
 * Kill every process but init, free init's resources and memory, then
 * mm_proc_fini(): every frame must be back.
 */
void pref_finish(struct pref *m);

void pref_destroy(struct pref *m);

#endif /* PROC_REF_H */
