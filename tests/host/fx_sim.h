/*
 * Reads, writes and user or supervisor access checks through a test
 * fixture's simulated MMU, and the free frames of its allocator: shared by
 * the fixtures whose struct fx holds the machine as `sim` (exo_fixture.h,
 * and vm_fixture.h through paging_fixture.h). Include it after that
 * struct fx is defined.
 */
#ifndef FX_SIM_H
#define FX_SIM_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mm_sim.h"

static inline mm_status_t fx_acc(const struct fx *fx, mm_vaddr_t va,
				 unsigned access)
{
	return mm_sim_access(fx->sim, va, access, NULL);
}

static inline uint64_t fx_rd(const struct fx *fx, mm_vaddr_t va)
{
	uint64_t v = 0;

	assert_int_equal(mm_sim_read64(fx->sim, va, &v), MM_OK);
	return v;
}

static inline void fx_wr(const struct fx *fx, mm_vaddr_t va, uint64_t v)
{
	assert_int_equal(mm_sim_write64(fx->sim, va, v), MM_OK);
}

static inline uint64_t fx_free_frames(const struct fx *fx)
{
	struct mm_frame_stats fs;

	mm_frame_stats(mm_sim_frames(fx->sim), &fs);
	return fs.free_frames;
}

#endif /* FX_SIM_H */
