/*
 * The fixture shared by the host tests of mm/paging.h and mm/uaccess.h
 * (test_paging.c, test_paging_unmap.c and test_paging_range.c through
 * paging_fixture.h, test_uaccess.c): a 64 MiB simulated machine in strict
 * TLB mode with its address space, set up with all CPU features or without
 * NX or 1 GiB pages, and a teardown that fails the test on any stale TLB
 * hit, strict violation, allocator or table-count inconsistency.
 */
#ifndef VM_FIXTURE_H
#define VM_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "mm/paging.h"
#include "mm_sim.h"

#define VM_FIXTURE_RAM (64u << 20)

struct fx {
	struct mm_sim *sim;
	struct mm_vm *vm;
};

static inline int setup_features(void **state, uint32_t features)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	fx->sim = mm_sim_create(VM_FIXTURE_RAM, features);
	if (fx->sim == NULL) {
		free(fx);
		return -1;
	}
	mm_sim_set_strict(fx->sim, true);
	fx->vm = mm_sim_vm(fx->sim);
	*state = fx;
	return 0;
}

static inline int setup(void **state)
{
	return setup_features(state, MM_SIM_NX | MM_SIM_1G);
}

static inline int setup_no_nx(void **state)
{
	return setup_features(state, MM_SIM_1G);
}

static inline int setup_no_1g(void **state)
{
	return setup_features(state, MM_SIM_NX);
}

/* Every test ends with no stale TLB hit and a consistent allocator. */
static inline int teardown(void **state)
{
	struct fx *fx = *state;
	struct mm_sim_stats st;
	int rc = 0;

	mm_sim_stats(fx->sim, &st);
	if (st.stale_hits != 0 || st.strict_violations != 0 ||
	    mm_frame_check(mm_sim_frames(fx->sim)) != MM_OK ||
	    mm_vm_check(fx->vm) != MM_OK) {
		print_error("stale hits %llu, strict violations %llu\n",
			    (unsigned long long)st.stale_hits,
			    (unsigned long long)st.strict_violations);
		rc = -1;
	}
	mm_sim_destroy(fx->sim);
	free(fx);
	return rc;
}

#endif /* VM_FIXTURE_H */
