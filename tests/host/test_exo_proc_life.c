/*
 * XOmB's process calls (mm/exo_proc.h) on the simulated machine in strict
 * TLB mode, with several PML4s, CR3 switches and user-mode accesses:
 * ALLOC_PROCESS (a link at every level, every error, no room, registries
 * filled to exactly their metadata), YIELD_PROCESS, MAP_UPCALL,
 * FREE_PROCESS and the kernel's kill; every refusal leaves the RAM and the
 * allocator as they were.
 */
#include "exo_proc_priv.h" /* white box: a reference count at its limit */
#include "proc_fixture.h"
#include "xomb/abi.h"

/* ALLOC_PROCESS */

/*
 * A child: a non-present OWNER link holding its PML4; the PML4 is empty
 * in the user half, shares the kernel half, and its recursive entry points
 * to itself; the child runs in it and frees back every frame.
 */
static void test_alloc_process(void **state)
{
	struct px *px = *state;
	uint64_t free0 = fx_free_frames(&px->fx);
	uint64_t pid = px_child(px, LINK);
	mm_paddr_t root = fx_pa(&px->fx, pid);
	mm_pte_t link = fx_pte(&px->fx, 3, VA_C);
	unsigned i;

	assert_true(pid > 0xff);
	assert_int_equal(link, root | MM_PTE_OWNER);
	for (i = 0; i < MM_EXO_PML4_LIMIT; i++)
		assert_int_equal(mm_sim_phys_read64(px->fx.sim, root + i * 8),
				 0);
	for (i = 256; i < MM_PT_ENTRIES; i++) {
		mm_pte_t mine =
			mm_sim_phys_read64(px->fx.sim, MM_SIM_PML4_PA + i * 8);
		mm_pte_t its = mm_sim_phys_read64(px->fx.sim, root + i * 8);

		if (i == MM_RECURSIVE_INDEX)
			assert_int_equal(MM_PTE_ADDR(its), root);
		else
			assert_int_equal(its, mine);
	}
	assert_int_equal(fx_free_frames(&px->fx), free0 - 1);
	px_switch(px, pid);
	assert_int_equal(mm_sim_cr3(px->fx.sim), root);
	assert_int_equal(px_user(px, VA_C, MM_SIM_READ), MM_ERR_NOT_MAPPED);
	px_page(px, VA_A, 42);
	assert_int_equal(px_user(px, VA_A, MM_SIM_WRITE), MM_OK);
	/* The zero page and a huge page the kernel mapped: never freed. */
	assert_int_equal(
		mm_exo_map_zero(&px->fx.exo, ENT(0, VA_A + KiB4), P | RO), 0);
	assert_int_equal(
		mm_map(px->fx.vm, VA_B, 8u << 20, MM_PAGE_2M, MM_PROT_USER),
		MM_OK);
	assert_int_equal(px_user(px, VA_B, MM_SIM_READ), MM_OK);
	px_home(px);
	assert_int_equal(px_user(px, VA_A, MM_SIM_READ), MM_ERR_NOT_MAPPED);
	assert_int_equal(mm_proc_free_process(&px->proc, pid, LINK), 0);
	assert_int_equal(fx_pte(&px->fx, 3, VA_C), 0);
	assert_int_equal(fx_free_frames(&px->fx), free0);
	assert_false(mm_frame_is_free(mm_sim_frames(px->fx.sim),
				      px->fx.exo.zero_pfn));
}

/* A link at every level of an owned, plain path. */
static void test_alloc_process_levels(void **state)
{
	struct px *px = *state;
	uint64_t pids[MM_PT_LEVELS];
	unsigned level;

	fx_path(&px->fx, VA_A, 0);
	for (level = 0; level < MM_PT_LEVELS; level++)
		pids[level] =
			px_child(px, ENT(level, VA_A + MM_PT_SPAN(level)));
	assert_int_equal(fx_count(&px->fx, 1, VA_A), 1);
	/* The table holding a link is not empty. */
	PX_REFUSED(px, mm_exo_unmap_page(&px->fx.exo, ENT(1, VA_A)),
		   MM_EXO_NOT_EMPTY);
	for (level = 0; level < MM_PT_LEVELS; level++)
		assert_int_equal(mm_proc_free_process(
					 &px->proc, pids[level],
					 ENT(level, VA_A + MM_PT_SPAN(level))),
				 0);
	for (level = 1; level < MM_PT_LEVELS; level++)
		assert_int_equal(
			mm_exo_unmap_page(&px->fx.exo, ENT(level, VA_A)), 0);
}

/* Every error of ALLOC_PROCESS, nothing changed. */
static void test_alloc_process_errors(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	uint64_t pid = 0, rid = px_res(px, VA_B), used;
	mm_paddr_t pa = fx_frame(&px->fx);
	unsigned level;

	fx_path(&px->fx, VA_A, 0);
	px_page(px, VA_A, 1);
	fx_path(&px->fx, VA_B, 0);
	PX_REFUSED(px, mm_proc_alloc_process(p, pa, ENT(0, VA_A), &pid),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_alloc_process(p, pa, ENT(0, VA_A) + 4, &pid),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_alloc_process(p, pa, VA_A, &pid),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_alloc_process(p, pa, ENT(3, VA_HIGH), &pid),
		   MM_PROC_INVALID_TARGET);
	/* Inside a resource: not a plain path. */
	PX_REFUSED(px, mm_proc_alloc_process(p, pa, ENT(0, VA_B + KiB4), &pid),
		   MM_PROC_INVALID_TARGET);
	/* Below a link: the link is not present. */
	used = px_child(px, LINK);
	PX_REFUSED(px, mm_proc_alloc_process(p, pa, ENT(2, VA_C), &pid),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_alloc_process(p, pa, LINK, &pid),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px,
		   mm_proc_alloc_process(p, pa + 8, ENT(0, VA_A + KiB4), &pid),
		   MM_PROC_NOT_FREE);
	PX_REFUSED(px,
		   mm_proc_alloc_process(p, MM_PHYS_LIMIT, ENT(0, VA_A + KiB4),
					 &pid),
		   MM_PROC_NOT_FREE);
	PX_REFUSED(px,
		   mm_proc_alloc_process(p, fx_pa(&px->fx, VA_A),
					 ENT(0, VA_A + KiB4), &pid),
		   MM_PROC_NOT_FREE);
	PX_REFUSED(px,
		   mm_proc_alloc_process(p, MM_SIM_PML4_PA, ENT(0, VA_A + KiB4),
					 &pid),
		   MM_PROC_NOT_FREE);
	assert_int_equal(pid, 0);
	assert_int_equal(mm_proc_free_process(p, used, LINK), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_B)),
			 MM_EXO_NOT_EMPTY);
	(void)rid;
	for (level = 0; level < MM_PT_LEVELS; level++) {
		if (level > 0)
			assert_int_equal(mm_exo_unmap_page(&px->fx.exo,
							   ENT(level, VA_B)),
					 0);
		assert_int_equal(
			mm_exo_unmap_page(&px->fx.exo, ENT(level, VA_A)), 0);
	}
}

/* NO_ROOM when every record is taken, for processes and resources. */
static void test_no_room(void **state)
{
	struct px *px = *state;
	uint64_t pids[PX_RECORDS], id = 0;
	unsigned n = 0, i;
	mm_paddr_t pa = fx_frame(&px->fx);

	fx_path(&px->fx, VA_A, 0);
	while (px->proc.free_head != 0xFFFFFFFFu) {
		pids[n] = px_child(px, ENT(0, VA_A + n * KiB4));
		n++;
	}
	assert_int_equal(n, PX_RECORDS - 1);
	PX_REFUSED(px, mm_proc_alloc_process(&px->proc, pa, ENT(0, VA_B), &id),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_alloc_process(&px->proc, pa, ENT(3, VA_B), &id),
		   MM_PROC_NO_ROOM);
	PX_REFUSED(px, mm_proc_alloc_resource(&px->proc, pa, ENT(3, VA_B), &id),
		   MM_PROC_NO_ROOM);
	for (i = 0; i < n; i++)
		assert_int_equal(mm_proc_free_process(&px->proc, pids[i],
						      ENT(0, VA_A + i * KiB4)),
				 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(1, VA_A)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(2, VA_A)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_A)), 0);
}

/* Words of poison checked after the registry's metadata. */
#define GUARD_WORDS 64u
#define FULL_MAX    8u /* the most records fill_registry() takes */

static void registry_found(struct px *px, const mm_paddr_t *pa,
			   const uint64_t *ids, uint32_t n)
{
	const struct mm_proc *p = &px->proc;
	uint32_t i, kind;
	mm_pfn_t pfn;
	bool ours;

	for (i = 0; i < n; i++) {
		kind = i + 1u < n ? PROC_KIND_PROCESS : PROC_KIND_RESOURCE;
		assert_int_not_equal(mm_proc_id_rec(p, ids[i], kind),
				     PROC_NONE);
		assert_int_equal(mm_proc_lookup(p, MM_PADDR_TO_PFN(pa[i])),
				 mm_proc_id_rec(p, ids[i], kind));
	}
	assert_int_equal(mm_proc_lookup(p, MM_PADDR_TO_PFN(MM_SIM_PML4_PA)),
			 p->init);
	for (pfn = 0; pfn < 2u * RAM / KiB4; pfn++) {
		ours = MM_PFN_TO_PADDR(pfn) == MM_SIM_PML4_PA;
		for (i = 0; i < n; i++)
			ours = ours || MM_PFN_TO_PADDR(pfn) == pa[i];
		if (!ours)
			assert_int_equal(mm_proc_lookup(p, pfn), PROC_NONE);
	}
}

/*
 * A registry of cap records (init's and cap - 1 more: processes, the last
 * a resource) in metadata of exactly mm_proc_metadata_bytes(cap) laid in
 * poisoned memory with a guard after it: every record found by its frame,
 * no other frame found, one more refused with NO_ROOM, nothing written
 * past the metadata. Then freed, and the fixture's registry back.
 */
static void fill_registry(struct px *px, uint32_t cap)
{
	struct mm_proc *p = &px->proc;
	uint64_t bytes = mm_proc_metadata_bytes(cap), ids[FULL_MAX], pid, w;
	uint64_t *mem = malloc(bytes + GUARD_WORDS * 8u);
	mm_paddr_t pa[FULL_MAX];
	uint32_t i, n = cap - 1u;

	assert_non_null(mem);
	memset(mem, 0xA5, bytes + GUARD_WORDS * 8u);
	assert_int_equal(mm_proc_fini(p), MM_OK);
	assert_int_equal(mm_proc_init(p, &px->fx.exo, mem, bytes, &pid), MM_OK);
	assert_int_equal(p->cap, cap);
	fx_path(&px->fx, VA_A, 0);
	for (i = 0; i + 1u < n; i++) {
		pa[i] = fx_frame(&px->fx);
		assert_int_equal(mm_proc_alloc_process(p, pa[i],
						       ENT(0, VA_A + i * KiB4),
						       &ids[i]),
				 MM_PROC_SUCCESS);
	}
	pa[i] = fx_frame(&px->fx);
	assert_int_equal(
		mm_proc_alloc_resource(p, pa[i], ENT(3, VA_B), &ids[i]),
		MM_PROC_SUCCESS);
	registry_found(px, pa, ids, n);
	PX_REFUSED(
		px,
		mm_proc_alloc_process(p, fx_frame(&px->fx), ENT(3, VA_D), &pid),
		MM_PROC_NO_ROOM);
	for (w = bytes / 8u; w < bytes / 8u + GUARD_WORDS; w++)
		assert_int_equal(mem[w], 0xA5A5A5A5A5A5A5A5ull);
	for (i = 0; i + 1u < n; i++)
		assert_int_equal(mm_proc_free_process(p, ids[i],
						      ENT(0, VA_A + i * KiB4)),
				 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_B)), 0);
	for (i = 1; i < MM_PT_LEVELS; i++)
		assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(i, VA_A)),
				 0);
	assert_int_equal(mm_proc_fini(p), MM_OK);
	free(mem);
	px_reinit(px);
}

/*
 * Full registries whose hash is 8 slots for 3 records and 16 for 5, 6
 * and 8 (the smallest power of two >= 2 records): a hash too small for the
 * records loops or misses, one too large overruns the metadata, a slot
 * left unzeroed is found as a record.
 */
static void test_registry_full(void **state)
{
	static const uint32_t caps[] = {3, 5, 6, 8};
	unsigned k;

	for (k = 0; k < sizeof(caps) / sizeof(caps[0]); k++)
		fill_registry(*state, caps[k]);
}

/* YIELD_PROCESS and MAP_UPCALL */

/* YIELD gives the PML4, onYield and the caller's id; errors otherwise. */
static void test_yield(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	struct mm_proc_enter in = {0, 0, 0};
	uint64_t pid = px_child(px, LINK);

	PX_REFUSED(px, mm_proc_yield(p, pid, &in), MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_map_upcall(p, pid, MM_UPCALL_YIELD, UPC), 0);
	assert_int_equal(mm_proc_yield(p, pid, &in), 0);
	assert_int_equal(in.cr3, fx_pa(&px->fx, pid));
	assert_int_equal(in.entry, UPC);
	assert_int_equal(in.arg, px->init_pid);
	px_switch(px, pid);
	assert_int_equal(
		mm_proc_map_upcall(p, px->init_pid, MM_UPCALL_YIELD, UPC),
		MM_PROC_INVALID_TARGET);
	/* A yield to oneself is a yield. */
	assert_int_equal(mm_proc_yield(p, pid, &in), 0);
	assert_int_equal(in.arg, pid);
	PX_REFUSED(px, mm_proc_yield(p, px->init_pid, &in),
		   MM_PROC_INVALID_TARGET);
	px_home(px);
	PX_REFUSED(px, mm_proc_yield(p, pid + 8, &in), MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_yield(p, 0, &in), MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_yield(p, MM_PROC_MAP_VA(0), &in),
		   MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_free_process(p, pid, LINK), 0);
	PX_REFUSED(px, mm_proc_yield(p, pid, &in), MM_PROC_INVALID_TARGET);
}

/* MAP_UPCALL: self or parent only; which and entry checked. */
static void test_map_upcall(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	struct mm_proc_enter in;
	uint64_t a = px_child(px, LINK), b = px_child(px, LINK2), c;

	px_switch(px, a);
	c = px_child(px, LINK);
	assert_int_equal(mm_proc_map_upcall(p, a, MM_UPCALL_FAULT, UPC), 0);
	assert_int_equal(mm_proc_map_upcall(p, c, MM_UPCALL_FREE, UPC), 0);
	assert_int_equal(mm_proc_map_upcall(p, b, MM_UPCALL_YIELD, UPC),
			 MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_current_upcall(p, MM_UPCALL_FAULT, &in), 0);
	assert_int_equal(in.entry, UPC);
	assert_int_equal(in.arg, a);
	assert_int_equal(mm_proc_current_upcall(p, MM_UPCALL_YIELD, &in),
			 MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_current_upcall(p, 0, &in),
			 MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_current_upcall(p, 4, &in),
			 MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_map_upcall(p, a, 0, UPC),
			 MM_PROC_INVALID_FLAGS);
	assert_int_equal(mm_proc_map_upcall(p, a, 4, UPC),
			 MM_PROC_INVALID_FLAGS);
	assert_int_equal(mm_proc_map_upcall(p, a, 1, VA_HIGH),
			 MM_PROC_INVALID_SOURCE);
	assert_int_equal(mm_proc_map_upcall(p, a, 1, MM_EXO_VA_MIN - 1),
			 MM_PROC_INVALID_SOURCE);
	assert_int_equal(mm_proc_map_upcall(p, a, 1, XOMB_BITMAP_VA),
			 MM_PROC_INVALID_SOURCE);
	assert_int_equal(mm_proc_map_upcall(p, a, 1, XOMB_BITMAP_VA - 1), 0);
	assert_int_equal(mm_proc_map_upcall(p, a, 1, 0), 0);
	assert_int_equal(mm_proc_map_upcall(p, a + 1, 1, UPC),
			 MM_PROC_INVALID_TARGET);
	px_switch(px, c);
	/* The grandparent's child is not c's. */
	assert_int_equal(mm_proc_map_upcall(p, a, MM_UPCALL_YIELD, UPC),
			 MM_PROC_INVALID_TARGET);
	px_home(px);
	assert_int_equal(mm_proc_map_upcall(p, c, MM_UPCALL_YIELD, UPC),
			 MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_free_process(p, a, LINK), 0);
	assert_int_equal(mm_proc_free_process(p, b, LINK2), 0);
}

/* FREE_PROCESS and kill */

/* Only the parent, through the link: INVALID_SOURCE otherwise. */
static void test_free_process_errors(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	uint64_t a = px_child(px, LINK), b = px_child(px, LINK2);

	PX_REFUSED(px, mm_proc_free_process(p, a, LINK2),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_free_process(p, a, LINK + 8 * 4),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_free_process(p, a, LINK + 1),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_free_process(p, a + 4, LINK),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_free_process(p, px->init_pid, LINK),
		   MM_PROC_INVALID_SOURCE);
	px_switch(px, a);
	PX_REFUSED(px, mm_proc_free_process(p, px->init_pid, LINK),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_free_process(p, a, LINK),
		   MM_PROC_INVALID_SOURCE);
	px_home(px);
	assert_int_equal(mm_proc_free_process(p, a, LINK), 0);
	PX_REFUSED(px, mm_proc_free_process(p, a, LINK),
		   MM_PROC_INVALID_SOURCE);
	assert_int_equal(mm_proc_free_process(p, b, LINK2), 0);
}

/* The kernel kills a grandchild from init: its parent's link is cleared. */
static void test_kill(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	uint64_t a = px_child(px, LINK), c, d;
	uint64_t free0;

	px_switch(px, a);
	fx_path(&px->fx, VA_A, 0);
	c = px_child(px, ENT(0, VA_A));
	d = px_child(px, LINK);
	px_switch(px, c);
	assert_int_equal(mm_proc_kill(p, a), MM_PROC_INVALID_TARGET);
	px_switch(px, a);
	free0 = fx_free_frames(&px->fx);
	assert_int_equal(mm_proc_kill(p, a), MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_kill(p, px->init_pid), MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_kill(p, d), 0);
	assert_int_equal(fx_pte(&px->fx, 3, VA_C), 0);
	assert_int_equal(fx_free_frames(&px->fx), free0 + 1);
	px_home(px);
	assert_int_equal(mm_proc_kill(p, c), 0);
	assert_int_equal(mm_proc_kill(p, c), MM_PROC_INVALID_TARGET);
	px_switch(px, a);
	assert_int_equal(fx_pte(&px->fx, 0, VA_A), 0);
	assert_int_equal(fx_count(&px->fx, 1, VA_A), 0);
	px_home(px);
	assert_int_equal(mm_proc_kill(p, a), 0);
	assert_int_equal(fx_pte(&px->fx, 3, VA_C), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, px_setup, px_teardown)
		T(test_alloc_process),
		T(test_alloc_process_levels),
		T(test_alloc_process_errors),
		T(test_no_room),
		T(test_registry_full),
		T(test_yield),
		T(test_map_upcall),
		T(test_free_process_errors),
		T(test_kill),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
