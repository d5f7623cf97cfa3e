/*
 * The reference model of paging shared by the randomized model test
 * (tests/host/test_paging_model.c) and the paging fuzzer
 * (tests/fuzz/fuzz_paging.c): an unordered list of mappings, the statuses
 * mm_map, mm_unmap, mm_protect, mm_map_range and mm_unmap_range must give
 * against it, and the comparison of mm_translate and simulated CPU accesses
 * with it. A mismatch goes to the fail callback given at init, which each
 * side maps to its own failure (a CMocka failure, abort()).
 */
#ifndef PAGING_REF_H
#define PAGING_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/paging.h"
#include "mm_sim.h"

/* One mapped page of the reference: [va, va + size) -> pa, prot. */
struct paging_ref_map {
	mm_vaddr_t va;
	mm_paddr_t pa;
	uint64_t size;
	unsigned prot;
};

/*
 * Reports that what (an expression, as text) is got where the reference
 * says want. Must not return (fail the test, abort).
 */
typedef void (*paging_ref_fail_fn)(void *ctx, const char *what, uint64_t got,
				   uint64_t want);

struct paging_ref {
	struct paging_ref_map *maps; /* caller's storage, unordered */
	size_t n, cap;
	uint32_t features; /* MM_SIM_NX, MM_SIM_1G of the machine */
	paging_ref_fail_fn fail;
	void *ctx;
};

/* got == want, else report what through ref->fail. */
#define PAGING_REF_EXPECT(ref, got, want)                                      \
	paging_ref_expect((ref), #got, (uint64_t)(got), (uint64_t)(want))

/*
 * Empty reference over maps[0, cap) for a machine with features; mismatches
 * go to fail(ctx, ...).
 */
void paging_ref_init(struct paging_ref *ref, struct paging_ref_map *maps,
		     size_t cap, uint32_t features, paging_ref_fail_fn fail,
		     void *ctx);

/* Reports a mismatch through ref->fail unless got == want. */
void paging_ref_expect(const struct paging_ref *ref, const char *what,
		       uint64_t got, uint64_t want);

/* The mapping holding va, or NULL. */
struct paging_ref_map *paging_ref_covering(const struct paging_ref *ref,
					   mm_vaddr_t va);

/*
 * Status of mm_map of one page of size at va, the arguments being valid
 * (tables exist iff pages below them do).
 */
mm_status_t paging_ref_map_status(const struct paging_ref *ref, mm_vaddr_t va,
				  uint64_t size);

/*
 * Status of mm_unmap or mm_protect of va, arguments valid; *m: the mapping
 * holding va, or NULL.
 */
mm_status_t paging_ref_find(const struct paging_ref *ref, mm_vaddr_t va,
			    struct paging_ref_map **m);

/* Size of the page mm_map_range picks at va / pa with left bytes to go. */
uint64_t paging_ref_range_page(const struct paging_ref *ref, mm_vaddr_t va,
			       mm_paddr_t pa, uint64_t left);

/*
 * Status of mm_map_range of [va, va + len) at pa, arguments valid: that of
 * the first page that cannot be mapped. *pages: the pages looked at (the
 * count stops past max_pages).
 */
mm_status_t paging_ref_range_status(const struct paging_ref *ref, mm_vaddr_t va,
				    mm_paddr_t pa, uint64_t len,
				    uint64_t max_pages, uint64_t *pages);

/*
 * Status of mm_unmap_range of [va, va + len), len > 0, arguments valid:
 * MM_ERR_HUGE_CONFLICT iff a mapping straddles va or va + len.
 */
mm_status_t paging_ref_unmap_range_status(const struct paging_ref *ref,
					  mm_vaddr_t va, uint64_t len);

/* Adds a mapping; reports a full reference as a mismatch. */
void paging_ref_add(struct paging_ref *ref, mm_vaddr_t va, mm_paddr_t pa,
		    uint64_t size, unsigned prot);

/* Adds the pages mm_map_range maps for [va, va + len) at pa. */
void paging_ref_add_range(struct paging_ref *ref, mm_vaddr_t va, mm_paddr_t pa,
			  uint64_t len, unsigned prot);

/* Removes m, a mapping of ref (the last one takes its place). */
void paging_ref_remove(struct paging_ref *ref, struct paging_ref_map *m);

/*
 * Compares what a successful mm_unmap returned (pa, size) with m, then
 * removes m.
 */
void paging_ref_unmap(struct paging_ref *ref, struct paging_ref_map *m,
		      mm_paddr_t pa, uint64_t size);

/* Removes every mapping starting in [va, va + len). */
void paging_ref_remove_range(struct paging_ref *ref, mm_vaddr_t va,
			     uint64_t len);

/* Free frames of the machine's allocator. */
uint64_t paging_ref_free_frames(struct mm_sim *sim);

/*
 * Judges a map's (or map_range's) status st against want. With injected
 * (frame allocations limited) MM_ERR_NOMEM may replace MM_OK, and then the
 * free frame count must still be free_before. True iff the reference must
 * apply the map.
 */
bool paging_ref_judge_map(const struct paging_ref *ref, struct mm_sim *sim,
			  mm_status_t st, mm_status_t want, bool injected,
			  uint64_t free_before);

/*
 * Compares the machine with the reference at va: mm_translate's status,
 * pa, size and prot, and the status (and pa) of a read, a write, an exec
 * and a user read.
 */
void paging_ref_check_at(const struct paging_ref *ref, struct mm_sim *sim,
			 mm_vaddr_t va);

/*
 * paging_ref_check_at() at va, at the last 8 bytes of [va, va + size) and
 * at va + mid.
 */
void paging_ref_check_span(const struct paging_ref *ref, struct mm_sim *sim,
			   mm_vaddr_t va, uint64_t size, uint64_t mid);

#endif /* PAGING_REF_H */
