/*
 * The fixture of the tests of mm/exo_proc.h (test_exo_proc.c,
 * test_exo_proc_life.c, test_exo_proc_resource.c, test_exo_proc_hostile.c,
 * test_exo_proc_free.c): exo_fixture.h's strict-TLB machine plus the
 * process registry (set up again after a test's mm_proc_fini), two more
 * PML4 slots for links, switches between address spaces (YIELD's CR3 load),
 * children made by ALLOC_PROCESS, resources made and filled from the
 * current process, and PX_REFUSED: the call returns the code and leaves
 * the RAM byte for byte and the allocator as they were (a call that looked
 * into another process's tables may have invalidated the kernel's view
 * pages, so invalidations are not compared).
 */
#ifndef PROC_FIXTURE_H
#define PROC_FIXTURE_H

#include "exo_fixture.h"
#include "mm/exo_proc.h"

#define PX_RECORDS 64u
#define UPC	   0x400000ull		 /* an upcall address */
#define VA_C	   0x0000300000000000ull /* PML4 96 */
#define VA_D	   0x0000400000000000ull /* PML4 128 */
#define LINK	   ENT(3, VA_C)
#define LINK2	   ENT(3, VA_D)

struct px {
	struct fx fx;
	struct mm_proc proc;
	void *mem;
	uint64_t init_pid;
	uint64_t base_free; /* free frames right after mm_proc_init */
};

static inline int px_setup_n(void **state, uint64_t records)
{
	struct fx *f;
	struct px *px;

	if (fx_setup(state) != 0)
		return -1;
	f = *state;
	px = calloc(1, sizeof(*px));
	if (px == NULL)
		return -1;
	px->fx = *f;
	free(f);
	px->mem = malloc(mm_proc_metadata_bytes(records));
	if (px->mem == NULL || mm_proc_init(&px->proc, &px->fx.exo, px->mem,
					    mm_proc_metadata_bytes(records),
					    &px->init_pid) != MM_OK)
		return -1;
	px->base_free = fx_free_frames(&px->fx);
	*state = px;
	return 0;
}

static inline int px_setup(void **state)
{
	return px_setup_n(state, PX_RECORDS);
}

/* Back in init, every test's processes freed: no frame leaked. */
static inline int px_teardown(void **state)
{
	struct px *px = *state;
	int rc = 0;

	if (mm_sim_cr3(px->fx.sim) != MM_SIM_PML4_PA)
		rc = -1;
	if (rc == 0 && px->proc.nproc == 1 && px->proc.nres == 0) {
		if (fx_free_frames(&px->fx) != px->base_free ||
		    mm_proc_fini(&px->proc) != MM_OK)
			rc = -1;
	}
	*state = malloc(sizeof(struct fx));
	memcpy(*state, &px->fx, sizeof(struct fx));
	free(px->mem);
	free(px);
	if (fx_teardown(state) != 0)
		rc = -1;
	return rc;
}

/* Load the PML4 of process pid (what the kernel does after YIELD). */
/* Re-initialise after a test that called mm_proc_fini(). */
static inline void px_reinit(struct px *px)
{
	uint64_t pid;

	assert_int_equal(mm_proc_init(&px->proc, &px->fx.exo, px->mem,
				      mm_proc_metadata_bytes(PX_RECORDS), &pid),
			 MM_OK);
	assert_int_equal(pid, px->init_pid);
}

static inline void px_switch(struct px *px, uint64_t pid)
{
	assert_int_equal(mm_sim_load_cr3(px->fx.sim, fx_pa(&px->fx, pid)),
			 MM_OK);
	assert_int_equal(mm_vm_check(px->fx.vm), MM_OK);
}

/* Back to init. */
static inline void px_home(struct px *px)
{
	px_switch(px, px->init_pid);
}

/* A child of the current process linked at `link`. */
static inline uint64_t px_child(struct px *px, mm_vaddr_t link)
{
	uint64_t pid = 0;

	assert_int_equal(
		mm_proc_alloc_process(&px->proc, fx_frame(&px->fx), link, &pid),
		MM_PROC_SUCCESS);
	return pid;
}

/* A resource of the current process whose root entry is ENT(3, va). */
static inline uint64_t px_res(struct px *px, mm_vaddr_t va)
{
	uint64_t rid = 0;

	assert_int_equal(mm_proc_alloc_resource(&px->proc, fx_frame(&px->fx),
						ENT(3, va), &rid),
			 MM_PROC_SUCCESS);
	return rid;
}

/* A data page at va inside the current process's tables, holding v. */
static inline void px_page(struct px *px, mm_vaddr_t va, uint64_t v)
{
	fx_path(&px->fx, va, 0);
	assert_int_equal(fx_alloc(&px->fx, fx_frame(&px->fx), ENT(0, va), P),
			 MM_EXO_SUCCESS);
	fx_wr(&px->fx, va, v);
}

static inline mm_status_t px_user(struct px *px, mm_vaddr_t va, unsigned access)
{
	return mm_sim_access(px->fx.sim, va, access | MM_SIM_USER, NULL);
}

/* The RAM and the allocator, before and after a refused call. */
struct px_state {
	uint8_t *ram;
	struct mm_frame_stats fs;
};

static inline void px_take(const struct px *px, struct px_state *s)
{
	s->ram = fx_snapshot(&px->fx);
	mm_frame_stats(mm_sim_frames(px->fx.sim), &s->fs);
}

static inline void px_same(const struct px *px, struct px_state *s)
{
	struct mm_frame_stats fs;

	mm_frame_stats(mm_sim_frames(px->fx.sim), &fs);
	fx_expect_unchanged(&px->fx, s->ram);
	assert_memory_equal(&fs, &s->fs, sizeof(fs));
}

#define PX_REFUSED(px, call, code)                                             \
	do {                                                                   \
		struct px_state s_;                                            \
		px_take((px), &s_);                                            \
		assert_int_equal((call), (code));                              \
		px_same((px), &s_);                                            \
	} while (0)

#endif /* PROC_FIXTURE_H */
