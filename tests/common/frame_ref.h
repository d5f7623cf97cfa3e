/*
 * The reference model of the frame allocator shared by the randomized model
 * test (tests/host/test_frame_model.c) and the frame fuzzer
 * (tests/fuzz/fuzz_frame.c): one state byte per tracked frame, the
 * lowest-first policy of mm/frame.h, the statuses every allocator call must
 * give against it, and the comparison of mm_frame_stats() and the per-frame
 * predicates with it. A mismatch goes to the fail callback given at init,
 * which each side maps to its own failure (a CMocka failure, abort()).
 */
#ifndef FRAME_REF_H
#define FRAME_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/frame.h"

/* State of one frame of the reference. */
enum { FRAME_REF_FREE, FRAME_REF_ALLOC, FRAME_REF_RESV };

/*
 * Reports that what (an expression, as text) is got where the reference
 * says want. Must not return (fail the test, abort).
 */
typedef void (*frame_ref_fail_fn)(void *ctx, const char *what, uint64_t got,
				  uint64_t want);

struct frame_ref {
	uint8_t *st;	 /* caller's storage: state of pfns [0, n) */
	uint64_t n;	 /* tracked frames */
	uint64_t low;	 /* every frame below it is not free */
	uint64_t runs;	 /* maximal runs of reserved frames */
	uint64_t usable; /* free frames right after init */
	frame_ref_fail_fn fail;
	void *ctx;
};

/* got == want, else report what through ref->fail. */
#define FRAME_REF_EXPECT(ref, got, want)                                       \
	frame_ref_expect((ref), #got, (uint64_t)(got), (uint64_t)(want))

/*
 * Frames the reference tracks for map (sanitized or not): up to the highest
 * frame the union of its usable regions holds whole.
 */
uint64_t frame_ref_frames(const struct mm_memmap *map);

/*
 * Reference of a fresh allocator over map, in st[0, cap): a frame is free
 * iff the usable union holds it whole and no other type touches it.
 * Mismatches go to fail(ctx, ...); a cap below frame_ref_frames(map) is
 * reported as one.
 */
void frame_ref_init(struct frame_ref *ref, const struct mm_memmap *map,
		    uint8_t *st, uint64_t cap, frame_ref_fail_fn fail,
		    void *ctx);

/* Reports a mismatch through ref->fail unless got == want. */
void frame_ref_expect(const struct frame_ref *ref, const char *what,
		      uint64_t got, uint64_t want);

/*
 * Status mm_frame_init() must give for the map of the reference:
 * MM_ERR_INVALID without a free frame, MM_ERR_NOMEM when the reserved runs
 * overflow the table, else MM_OK.
 */
mm_status_t frame_ref_init_status(const struct frame_ref *ref);

/* Frames of the reference in state (FRAME_REF_*). */
uint64_t frame_ref_count(const struct frame_ref *ref, int state);

/* mm_frame_alloc(): takes the lowest free frame into *pfn. */
mm_status_t frame_ref_alloc(struct frame_ref *ref, uint64_t *pfn);

/* mm_frame_alloc_at(): takes frame pfn. */
mm_status_t frame_ref_alloc_at(struct frame_ref *ref, uint64_t pfn);

/*
 * mm_frame_alloc_contig(): takes the lowest free run of count frames
 * starting at a multiple of align and ending at or below limit into *pfn.
 * *pfn is left alone on failure.
 */
mm_status_t frame_ref_alloc_contig(struct frame_ref *ref, uint64_t count,
				   uint64_t align, uint64_t limit,
				   uint64_t *pfn);

/*
 * mm_frame_free_contig(): frees [pfn, pfn + count), all allocated, else
 * changes nothing and gives the status of the first offending frame.
 */
mm_status_t frame_ref_free(struct frame_ref *ref, uint64_t pfn, uint64_t count);

/*
 * mm_frame_reserve(): reserves every tracked frame [base, base + len)
 * touches. MM_ERR_IN_USE if one is allocated; MM_ERR_NOMEM if the reserved
 * runs would overflow the allocator's table (MM_FRAME_MAX_RESERVED).
 */
mm_status_t frame_ref_reserve(struct frame_ref *ref, uint64_t base,
			      uint64_t len);

/*
 * Compares mm_frame_stats() of fa with the reference: the frame counts, and
 * with full also the free 2 MiB and 1 GiB runs, the largest free run, the
 * reserved-run count of the reference itself and mm_frame_is_free() /
 * mm_frame_is_reserved() of every frame up to 70 past the tracked ones.
 */
void frame_ref_compare(const struct frame_ref *ref, const struct mm_frames *fa,
		       bool full);

#endif /* FRAME_REF_H */
