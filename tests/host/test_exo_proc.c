/*
 * XOmB's processes and resources (mm/exo_proc.h) on the simulated machine
 * in strict TLB mode, with several PML4s, CR3 switches and user-mode
 * accesses: each call's effect, every error code of every call with the
 * RAM and the allocator compared before and after each refusal, teardown
 * proved by the allocator's free count, and the ABI's codes. The hostile
 * cases are in test_exo_proc_hostile.c.
 */
#include "exo_proc_priv.h" /* white box: a reference count at its limit */
#include "proc_fixture.h"
#include "xomb/abi.h"

#define VA_C  0x0000300000000000ull /* PML4 96 */
#define VA_D  0x0000400000000000ull /* PML4 128 */
#define LINK  ENT(3, VA_C)
#define LINK2 ENT(3, VA_D)

/* The codes equal the ABI's. */
static void test_abi_codes(void **state)
{
	(void)state;
	assert_int_equal(MM_PROC_SUCCESS, XOMB_SUCCESS);
	assert_int_equal(MM_PROC_INVALID_FLAGS, XOMB_INVALID_FLAGS);
	assert_int_equal(MM_PROC_NOT_FREE, XOMB_NOT_FREE);
	assert_int_equal(MM_PROC_INVALID_SOURCE, XOMB_INVALID_SOURCE);
	assert_int_equal(MM_PROC_INVALID_TARGET, XOMB_INVALID_TARGET);
	assert_int_equal(MM_PROC_NO_ROOM, XOMB_NO_ROOM);
}

/* mm_sim_load_cr3 refuses a bad frame; a switch drops non-global entries. */
static void test_sim_load_cr3(void **state)
{
	struct px *px = *state;
	unsigned l;

	assert_int_equal(mm_sim_load_cr3(px->fx.sim, MM_SIM_PML4_PA + 8),
			 MM_ERR_INVALID);
	/* every low bit counts, bit 0 too (CR3 holds a frame address) */
	assert_int_equal(mm_sim_load_cr3(px->fx.sim, MM_SIM_PML4_PA + 1),
			 MM_ERR_INVALID);
	assert_int_equal(mm_sim_load_cr3(px->fx.sim, RAM), MM_ERR_INVALID);
	px_page(px, VA_A, 5);
	assert_int_equal(px_user(px, VA_A, MM_SIM_READ), MM_OK);
	assert_true(mm_sim_tlb_has(px->fx.sim, VA_A));
	assert_int_equal(mm_sim_load_cr3(px->fx.sim, MM_SIM_PML4_PA), MM_OK);
	assert_false(mm_sim_tlb_has(px->fx.sim, VA_A));
	assert_int_equal(fx_rd(&px->fx, VA_A), 5);
	for (l = 0; l < MM_PT_LEVELS; l++)
		assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(l, VA_A)),
				 0);
}

/* mm_proc_init: bad arguments, a bound context, taken slots: refused. */
static void test_init_args(void **state)
{
	struct px *px = *state;
	struct mm_proc q;
	struct mm_exo x2 = px->fx.exo;
	uint64_t pid, mem[64];

	x2.proc = NULL;
	x2.vm = NULL;
	assert_int_equal(mm_proc_init(&q, &x2, mem, sizeof(mem), &pid),
			 MM_ERR_INVALID);
	x2.vm = px->fx.vm;
	assert_int_equal(mm_proc_init(NULL, &x2, mem, sizeof(mem), &pid),
			 MM_ERR_INVALID);
	assert_int_equal(mm_proc_init(&q, NULL, mem, sizeof(mem), &pid),
			 MM_ERR_INVALID);
	assert_int_equal(mm_proc_init(&q, &x2, NULL, sizeof(mem), &pid),
			 MM_ERR_INVALID);
	assert_int_equal(mm_proc_init(&q, &x2, mem, sizeof(mem), NULL),
			 MM_ERR_INVALID);
	assert_int_equal(mm_proc_init(&q, &x2, (uint8_t *)mem + 4,
				      sizeof(mem) - 8, &pid),
			 MM_ERR_INVALID);
	assert_int_equal(mm_proc_init(&q, &x2, mem, 8, &pid), MM_ERR_INVALID);
	/* PML4[507] and [508] are taken: by the first registry. */
	assert_int_equal(mm_proc_init(&q, &x2, mem, sizeof(mem), &pid),
			 MM_ERR_INVALID);
	/* A context already bound. */
	assert_int_equal(mm_proc_init(&q, &px->fx.exo, mem, sizeof(mem), &pid),
			 MM_ERR_INVALID);
	assert_true(px->init_pid > 0xff);
	assert_int_equal(px->init_pid, MM_PROC_MAP_VA(MM_PROC_VIEWS));
}

/* Out of frames for the maps: MM_ERR_NOMEM, nothing changed; then OK. */
static void test_init_fault_injection(void **state)
{
	struct px *px = *state;
	uint64_t pid, free0 = fx_free_frames(&px->fx);
	int64_t n;

	assert_int_equal(mm_proc_fini(&px->proc), MM_OK);
	assert_int_equal(fx_free_frames(&px->fx), free0 + 6);
	for (n = 0; n < 6; n++) {
		mm_sim_fail_alloc_after(px->fx.sim, n);
		assert_int_equal(
			mm_proc_init(&px->proc, &px->fx.exo, px->mem,
				     mm_proc_metadata_bytes(PX_RECORDS), &pid),
			MM_ERR_NOMEM);
		assert_null(px->fx.exo.proc);
		assert_int_equal(fx_free_frames(&px->fx), free0 + 6);
		assert_int_equal(fx_pte(&px->fx, 3, MM_PROC_MAP_VA(0)), 0);
		assert_int_equal(fx_pte(&px->fx, 3, MM_RES_MAP_VA(0)), 0);
		assert_int_equal(mm_vm_check(px->fx.vm), MM_OK);
	}
	assert_int_equal(mm_proc_init(&px->proc, &px->fx.exo, px->mem,
				      mm_proc_metadata_bytes(PX_RECORDS), &pid),
			 MM_OK);
	assert_int_equal(pid, px->init_pid);
	assert_int_equal(fx_free_frames(&px->fx), free0);
}

/* fini: only from init, with nothing left. */
static void test_fini_refused(void **state)
{
	struct px *px = *state;
	uint64_t pid = px_child(px, LINK), rid;

	assert_int_equal(mm_proc_fini(NULL), MM_ERR_INVALID);
	assert_int_equal(mm_proc_fini(&px->proc), MM_ERR_INVALID);
	px_switch(px, pid);
	assert_int_equal(mm_proc_fini(&px->proc), MM_ERR_INVALID);
	px_home(px);
	assert_int_equal(mm_proc_free_process(&px->proc, pid, LINK), 0);
	rid = px_res(px, VA_B);
	assert_int_equal(mm_proc_fini(&px->proc), MM_ERR_INVALID);
	(void)rid;
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_B)), 0);
}

/* Re-initialise after a test that called mm_proc_fini(). */
static void reinit(struct px *px)
{
	uint64_t pid;

	assert_int_equal(mm_proc_init(&px->proc, &px->fx.exo, px->mem,
				      mm_proc_metadata_bytes(PX_RECORDS), &pid),
			 MM_OK);
	assert_int_equal(pid, px->init_pid);
}

/*
 * Metadata that is not 8-byte aligned, by any amount (the odd ones too),
 * is refused with nothing built, every other argument being valid.
 */
static void test_init_misaligned(void **state)
{
	struct px *px = *state;
	uint64_t bytes = mm_proc_metadata_bytes(PX_RECORDS) - 8u, pid = 0;
	uint64_t free0;

	assert_int_equal(mm_proc_fini(&px->proc), MM_OK);
	free0 = fx_free_frames(&px->fx);
	for (unsigned off = 1; off < 8; off++) {
		assert_int_equal(mm_proc_init(&px->proc, &px->fx.exo,
					      (uint8_t *)px->mem + off, bytes,
					      &pid),
				 MM_ERR_INVALID);
		assert_null(px->fx.exo.proc);
		assert_int_equal(fx_free_frames(&px->fx), free0);
	}
	reinit(px);
}

/*
 * Without a registry an OWNER entry is a plain table entry to UNMAP_PAGE;
 * PML4[508] taken alone also refuses init.
 */
static void test_without_registry(void **state)
{
	struct px *px = *state;
	uint64_t pid;
	mm_pfn_t pfn;

	assert_int_equal(mm_proc_fini(&px->proc), MM_OK);
	fx_path(&px->fx, VA_A, 0);
	fx_set_bits(&px->fx, 1, VA_A, MM_PTE_OWNER);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(1, VA_A)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(2, VA_A)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_A)), 0);
	assert_int_equal(mm_frame_alloc(mm_sim_frames(px->fx.sim), &pfn),
			 MM_OK);
	assert_int_equal(mm_map(px->fx.vm, MM_RES_MAP_VA(0),
				MM_PFN_TO_PADDR(pfn), MM_PAGE_4K,
				MM_PROT_WRITE),
			 MM_OK);
	assert_int_equal(mm_proc_init(&px->proc, &px->fx.exo, px->mem,
				      mm_proc_metadata_bytes(PX_RECORDS), &pid),
			 MM_ERR_INVALID);
	assert_int_equal(mm_unmap(px->fx.vm, MM_RES_MAP_VA(0), NULL, NULL),
			 MM_OK);
	assert_int_equal(mm_frame_free(mm_sim_frames(px->fx.sim), pfn), MM_OK);
	reinit(px);
}

/* The most records the maps address: 262141, with 514 PTs per map. */
static void test_init_max_records(void **state)
{
	struct px *px = *state;
	uint64_t bytes = mm_proc_metadata_bytes(MM_PROC_MAX + 100u), pid;
	uint64_t free0 = fx_free_frames(&px->fx);
	void *mem = malloc(bytes);

	assert_non_null(mem);
	assert_int_equal(mm_proc_fini(&px->proc), MM_OK);
	assert_int_equal(mm_proc_init(&px->proc, &px->fx.exo, mem, bytes, &pid),
			 MM_OK);
	assert_int_equal(px->proc.cap, MM_PROC_MAX);
	assert_int_equal(fx_free_frames(&px->fx),
			 free0 + 6 - 2 * (2 + MM_PT_ENTRIES));
	assert_int_equal(mm_proc_fini(&px->proc), MM_OK);
	free(mem);
	reinit(px);
}

/*
 * Run in a copy of init's PML4 written into the frame at pa: the same
 * mappings, its recursive entry pointing to the copy.
 */
static void space_copy(struct px *px, mm_paddr_t pa)
{
	unsigned i;

	for (i = 0; i < MM_PT_ENTRIES; i++) {
		mm_pte_t e =
			mm_sim_phys_read64(px->fx.sim, MM_SIM_PML4_PA + i * 8);

		if (i == MM_RECURSIVE_INDEX)
			e = (e & ~MM_PTE_ADDR_MASK) | pa;
		mm_sim_phys_write64(px->fx.sim, pa + i * 8, e);
	}
	assert_int_equal(mm_sim_load_cr3(px->fx.sim, pa), MM_OK);
}

/*
 * An address space no one registered (a copy of init's PML4 made behind
 * libmm's back) is no process: it cannot allocate, its yields pass 0.
 */
static void test_unregistered_space(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	struct mm_proc_enter in = {0, 0, 0};
	uint64_t pid = px_child(px, LINK), id = 0;
	mm_pfn_t pfn;
	mm_paddr_t pa;

	assert_int_equal(mm_proc_map_upcall(p, pid, MM_UPCALL_YIELD, UPC), 0);
	assert_int_equal(mm_frame_alloc(mm_sim_frames(px->fx.sim), &pfn),
			 MM_OK);
	pa = MM_PFN_TO_PADDR(pfn);
	space_copy(px, pa);
	assert_int_equal(
		mm_proc_alloc_process(p, fx_frame(&px->fx), ENT(3, VA_B), &id),
		MM_PROC_INVALID_TARGET);
	assert_int_equal(
		mm_proc_alloc_resource(p, fx_frame(&px->fx), ENT(3, VA_B), &id),
		MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_map_upcall(p, pid, MM_UPCALL_YIELD, UPC),
			 MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_current_upcall(p, MM_UPCALL_YIELD, &in),
			 MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_yield(p, pid, &in), 0);
	assert_int_equal(in.arg, 0);
	/* The copy holds init's link, but it is not init. */
	assert_int_equal(mm_proc_free_process(p, pid, LINK),
			 MM_PROC_INVALID_SOURCE);
	assert_int_equal(mm_proc_kill(p, pid), 0);
	assert_int_equal(mm_sim_load_cr3(px->fx.sim, MM_SIM_PML4_PA), MM_OK);
	assert_int_equal(fx_pte(&px->fx, 3, VA_C), 0);
	assert_int_equal(mm_frame_free(mm_sim_frames(px->fx.sim), pfn), MM_OK);
	assert_int_equal(id, 0);
}

/*
 * A resource's root as the current PML4 (a kernel fault, never a call's
 * doing): the current space is then no process, so calls that act as the
 * caller are refused as in an unregistered space. The root's bytes are put
 * back before the fixture's teardown frees the resource.
 */
static void test_resource_space_not_process(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	struct mm_proc_enter in = {0, 0, 0};
	uint64_t pid = px_child(px, LINK), rid = px_res(px, VA_B), id = 0;
	uint64_t saved[MM_PT_ENTRIES];
	mm_paddr_t root = fx_pa(&px->fx, rid);
	unsigned i;

	for (i = 0; i < MM_PT_ENTRIES; i++)
		saved[i] = mm_sim_phys_read64(px->fx.sim, root + i * 8);
	space_copy(px, root);
	assert_int_equal(
		mm_proc_alloc_process(p, fx_frame(&px->fx), LINK2, &id),
		MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_map_upcall(p, pid, MM_UPCALL_YIELD, UPC),
			 MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_current_upcall(p, MM_UPCALL_YIELD, &in),
			 MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_sim_load_cr3(px->fx.sim, MM_SIM_PML4_PA), MM_OK);
	for (i = 0; i < MM_PT_ENTRIES; i++)
		mm_sim_phys_write64(px->fx.sim, root + i * 8, saved[i]);
	assert_int_equal(id, 0);
	/* back home, init's call on its child is taken */
	assert_int_equal(mm_proc_map_upcall(p, pid, MM_UPCALL_YIELD, UPC),
			 MM_PROC_SUCCESS);
}

/*
 * A view asked again for the table it shows is left as it is, though the
 * MMU has set its A bit by reading through it: no write, no invlpg. A
 * view moved to another table is invalidated; the end of the call clears
 * each view used.
 */
static void test_view_reused(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	uint64_t rid = px_res(px, VA_B), pid = px_child(px, LINK);
	mm_pfn_t res = MM_PADDR_TO_PFN(fx_pa(&px->fx, rid));
	mm_pfn_t pml4 = MM_PADDR_TO_PFN(fx_pa(&px->fx, pid));
	struct mm_sim_stats a, b;

	mm_sim_phys_write64(px->fx.sim, MM_PFN_TO_PADDR(res) + 8, 0x1234000);
	mm_proc_begin(p);
	mm_sim_stats(px->fx.sim, &a);
	assert_int_equal(mm_proc_get(p, 1, res, 0), 0);
	assert_int_equal(mm_proc_get(p, 1, res, 1), 0x1234000);
	mm_sim_stats(px->fx.sim, &b);
	assert_int_equal(b.invlpg - a.invlpg, 0);
	assert_int_equal(mm_proc_get(p, 1, pml4, MM_RECURSIVE_INDEX) &
				 MM_PTE_ADDR_MASK,
			 MM_PFN_TO_PADDR(pml4));
	mm_sim_stats(px->fx.sim, &a);
	assert_int_equal(a.invlpg - b.invlpg, 1);
	mm_proc_end(p);
	mm_sim_stats(px->fx.sim, &b);
	assert_int_equal(b.invlpg - a.invlpg, 1);
	mm_sim_phys_write64(px->fx.sim, MM_PFN_TO_PADDR(res) + 8, 0);
}

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
	reinit(px);
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

/* Resources */

/*
 * The worked example: a parent builds a resource, loads it, grants it to
 * a child, hands it over with CHOWN, sets the upcall and yields; the child
 * runs in it and can change it; freeing the child frees it all.
 */
static void test_worked_example(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	struct mm_proc_enter in;
	uint64_t free0 = fx_free_frames(&px->fx);
	uint64_t pid = px_child(px, LINK), rid = px_res(px, VA_B);

	px_page(px, VA_B + 0x10000, 0xC0DE);
	assert_int_equal(
		mm_proc_grant(p, rid, ENT(3, VA_B), pid, ENT(3, VA_A), P), 0);
	assert_int_equal(mm_proc_chown(p, rid, ENT(3, VA_B), pid, ENT(3, VA_A)),
			 0);
	assert_true(fx_pte(&px->fx, 3, VA_B) & MM_PTE_GRANT);
	assert_int_equal(
		mm_proc_map_upcall(p, pid, MM_UPCALL_YIELD, VA_A + 0x10000), 0);
	assert_int_equal(mm_proc_yield(p, pid, &in), 0);
	assert_int_equal(mm_sim_load_cr3(px->fx.sim, in.cr3), MM_OK);
	assert_int_equal(mm_vm_check(px->fx.vm), MM_OK);
	assert_int_equal(fx_rd(&px->fx, VA_A + 0x10000), 0xC0DE);
	assert_int_equal(px_user(px, VA_A + 0x10000, MM_SIM_WRITE), MM_OK);
	assert_true(fx_pte(&px->fx, 3, VA_A) & MM_PTE_OWNER);
	px_page(px, VA_A + 0x20000, 7);
	assert_int_equal(mm_proc_yield(p, in.arg, &in), MM_PROC_INVALID_TARGET);
	px_home(px);
	assert_int_equal(fx_rd(&px->fx, VA_B + 0x20000), 7);
	/* The parent may no longer change it. */
	PX_REFUSED(px, mm_exo_unmap_page(&px->fx.exo, ENT(0, VA_B + 0x20000)),
		   MM_EXO_INVALID_SOURCE);
	assert_int_equal(mm_proc_free_process(p, pid, LINK), 0);
	/* The parent's grant went with the resource? No: it still holds it. */
	assert_int_equal(fx_rd(&px->fx, VA_B + 0x20000), 7);
	assert_int_equal(px->proc.nres, 1);
	assert_int_equal(fx_free_frames(&px->fx), free0 - 5);
}

/* Every error of ALLOC_RESOURCE. */
static void test_alloc_resource_errors(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	uint64_t rid = 0, r2, r1;
	mm_paddr_t pa = fx_frame(&px->fx);

	fx_path(&px->fx, VA_A, 0);
	PX_REFUSED(px, mm_proc_alloc_resource(p, pa, ENT(0, VA_A), &rid),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_alloc_resource(p, pa, ENT(3, VA_A), &rid),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_alloc_resource(p, pa, 12, &rid),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_alloc_resource(p, pa + 1, ENT(3, VA_B), &rid),
		   MM_PROC_NOT_FREE);
	PX_REFUSED(
		px,
		mm_proc_alloc_resource(p, MM_SIM_PML4_PA, ENT(3, VA_B), &rid),
		MM_PROC_NOT_FREE);
	r2 = px_res(px, VA_B);
	/* No resource inside a resource. */
	fx_path(&px->fx, VA_B, 2);
	PX_REFUSED(px, mm_proc_alloc_resource(p, pa, ENT(2, VA_B), &rid),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_alloc_resource(p, pa, ENT(1, VA_B), &rid),
		   MM_PROC_INVALID_TARGET);
	assert_int_equal(rid, 0);
	/* PD- and PT-rooted resources. */
	assert_int_equal(
		mm_proc_alloc_resource(p, pa, ENT(1, VA_A + MM_PAGE_2M), &r1),
		0);
	assert_int_equal(
		mm_exo_unmap_page(&px->fx.exo, ENT(1, VA_A + MM_PAGE_2M)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_B)), 0);
	for (unsigned l = 1; l < 4; l++)
		assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(l, VA_A)),
				 0);
	(void)r2;
	(void)r1;
}

/* A read-only grant: the grantee reads, never writes or changes it. */
static void test_grant_readonly(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	uint64_t pid = px_child(px, LINK), rid = px_res(px, VA_B);

	px_page(px, VA_B, 99);
	assert_int_equal(mm_proc_grant(p, rid, ENT(3, VA_B), pid, ENT(3, VA_A),
				       P | RO | NX),
			 0);
	px_switch(px, pid);
	assert_int_equal(px_user(px, VA_A, MM_SIM_READ), MM_OK);
	assert_int_equal(fx_rd(&px->fx, VA_A), 99);
	assert_int_equal(px_user(px, VA_A, MM_SIM_WRITE), MM_ERR_INVALID);
	assert_int_equal(px_user(px, VA_A, MM_SIM_EXEC), MM_ERR_INVALID);
	PX_REFUSED(px, mm_exo_unmap_page(&px->fx.exo, ENT(0, VA_A)),
		   MM_EXO_INVALID_SOURCE);
	PX_REFUSED(px, mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_A)),
		   MM_EXO_INVALID_SOURCE);
	px_home(px);
	/* Granted: the owner cannot unmap its (empty or not) root. */
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(0, VA_B)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(1, VA_B)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(2, VA_B)), 0);
	PX_REFUSED(px, mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_B)),
		   MM_EXO_NOT_EMPTY);
	assert_int_equal(
		mm_proc_revoke(p, rid, ENT(3, VA_B), pid, ENT(3, VA_A)), 0);
	px_switch(px, pid);
	assert_int_equal(px_user(px, VA_A, MM_SIM_READ), MM_ERR_NOT_MAPPED);
	px_home(px);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_B)), 0);
	/* The freed resource's id is refused. */
	PX_REFUSED(px,
		   mm_proc_grant(p, rid, ENT(3, VA_B), pid, ENT(3, VA_A), P),
		   MM_PROC_INVALID_SOURCE);
	assert_int_equal(mm_proc_free_process(p, pid, LINK), 0);
}

/* Every error of GRANT, REVOKE and CHOWN. */
static void test_grant_errors(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	uint64_t pid = px_child(px, LINK), rid = px_res(px, VA_B);
	uint64_t other = px_res(px, VA_D);
	mm_vaddr_t own = ENT(3, VA_B), tgt = ENT(3, VA_A);

	/* Source: the id, the entry, their match. */
	PX_REFUSED(px, mm_proc_grant(p, rid + 8, own, pid, tgt, P),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_grant(p, pid, own, pid, tgt, P),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_grant(p, rid, ENT(3, VA_D), pid, tgt, P),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_grant(p, rid, LINK, pid, tgt, P),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_grant(p, rid, own + 1, pid, tgt, P),
		   MM_PROC_INVALID_SOURCE);
	/* Flags. */
	PX_REFUSED(px, mm_proc_grant(p, rid, own, pid, tgt, RO),
		   MM_PROC_INVALID_FLAGS);
	PX_REFUSED(px, mm_proc_grant(p, rid, own, pid, tgt, P | 8),
		   MM_PROC_INVALID_FLAGS);
	PX_REFUSED(
		px,
		mm_proc_grant(p, rid, own, pid, tgt, P | MM_EXO_USER_FLAG(0)),
		MM_PROC_INVALID_FLAGS);
	/* Target: the process, the entry. */
	PX_REFUSED(px, mm_proc_grant(p, rid, own, px->init_pid, tgt, P),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_grant(p, rid, own, rid, tgt, P),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_grant(p, rid, own, pid, ENT(2, VA_A), P),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_grant(p, rid, own, pid, ENT(3, VA_HIGH), P),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px,
		   mm_proc_grant(p, rid, own, pid, ENT(3, MM_WINDOW_START), P),
		   MM_PROC_INVALID_TARGET);
	/* A target of another level, where the child has a table. */
	px_switch(px, pid);
	fx_path(&px->fx, VA_C, 2);
	px_home(px);
	PX_REFUSED(px, mm_proc_grant(p, rid, own, pid, ENT(2, VA_C), P),
		   MM_PROC_INVALID_TARGET);
	/* The count at its limit. */
	p->rec[(rid - MM_RES_MAP_VA(MM_PROC_VIEWS)) >> 12].refs = UINT32_MAX;
	PX_REFUSED(px, mm_proc_grant(p, rid, own, pid, tgt, P),
		   MM_PROC_NO_ROOM);
	p->rec[(rid - MM_RES_MAP_VA(MM_PROC_VIEWS)) >> 12].refs = 0;
	assert_int_equal(mm_proc_grant(p, rid, own, pid, tgt, P), 0);
	PX_REFUSED(px, mm_proc_grant(p, rid, own, pid, tgt, P),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_grant(p, other, ENT(3, VA_D), pid, tgt, P),
		   MM_PROC_INVALID_TARGET);
	/* REVOKE: not the grant of this resource, not this process. */
	PX_REFUSED(px, mm_proc_revoke(p, other, ENT(3, VA_D), pid, tgt),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_revoke(p, rid, own, pid, ENT(3, VA_D)),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_revoke(p, rid, own, px->init_pid, tgt),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_revoke(p, rid, ENT(3, VA_D), pid, tgt),
		   MM_PROC_INVALID_SOURCE);
	/* CHOWN: only the one grant there is. */
	assert_int_equal(mm_proc_grant(p, rid, own, pid, ENT(3, VA_D), P), 0);
	PX_REFUSED(px, mm_proc_chown(p, rid, own, pid, tgt),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_chown(p, rid, ENT(3, VA_D), pid, tgt),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_chown(p, other, ENT(3, VA_D), pid, tgt),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_chown(p, rid, own, px->init_pid, tgt),
		   MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_revoke(p, rid, own, pid, ENT(3, VA_D)), 0);
	assert_int_equal(mm_proc_chown(p, rid, own, pid, tgt), 0);
	PX_REFUSED(px, mm_proc_chown(p, rid, own, pid, tgt),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_revoke(p, rid, own, pid, tgt),
		   MM_PROC_INVALID_SOURCE);
	assert_int_equal(mm_proc_free_process(p, pid, LINK), 0);
	/* init still holds a grant of the orphaned resource. */
	assert_int_equal(p->nres, 2);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_D)), 0);
}

/*
 * Teardown: A owns B and C; B owns R, granted to C and to init; C holds a
 * grant of init's S. Freeing B frees B's own memory and orphans R (C and
 * init still read it); killing C revokes S (init may free it again) and
 * drops one grant of R, which lives on in init's grant. Every frame is
 * accounted for.
 */
static void test_teardown(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	uint64_t free0 = fx_free_frames(&px->fx), a, b, c, r, s;

	s = px_res(px, VA_D);
	px_page(px, VA_D, 4);
	a = px_child(px, LINK);
	px_switch(px, a);
	b = px_child(px, ENT(3, VA_A));
	c = px_child(px, ENT(3, VA_B));
	px_switch(px, b);
	r = px_res(px, VA_B);
	px_page(px, VA_B + 0x5000, 55);
	px_page(px, VA_C, 66); /* B's own memory */
	assert_int_equal(
		mm_proc_grant(p, r, ENT(3, VA_B), c, ENT(3, VA_C), P | RO), 0);
	assert_int_equal(mm_proc_grant(p, r, ENT(3, VA_B), px->init_pid,
				       ENT(3, VA_A), P | RO),
			 0);
	px_home(px);
	assert_int_equal(mm_proc_grant(p, s, ENT(3, VA_D), c, ENT(3, VA_D), P),
			 0);
	assert_int_equal(fx_rd(&px->fx, VA_A + 0x5000), 55);
	/* A frees B: R is orphaned, still readable by init and C. */
	px_switch(px, a);
	assert_int_equal(mm_proc_free_process(p, b, ENT(3, VA_A)), 0);
	px_switch(px, c);
	assert_int_equal(fx_rd(&px->fx, VA_C + 0x5000), 55);
	assert_int_equal(fx_rd(&px->fx, VA_D), 4);
	px_home(px);
	assert_int_equal(fx_rd(&px->fx, VA_A + 0x5000), 55);
	PX_REFUSED(px, mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_D)),
		   MM_EXO_NOT_EMPTY);
	/* The kernel kills C: S's grant and R's grant go. */
	assert_int_equal(mm_proc_kill(p, c), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(0, VA_D)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(1, VA_D)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(2, VA_D)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_D)), 0);
	/* init's grant of R keeps R: its root, PD, PT and page. */
	assert_int_equal(p->nres, 1);
	assert_int_equal(fx_free_frames(&px->fx), free0 - 1 - 4);
	assert_int_equal(mm_proc_free_process(p, a, LINK), 0);
	assert_int_equal(fx_free_frames(&px->fx), free0 - 4);
	assert_int_equal(fx_rd(&px->fx, VA_A + 0x5000), 55);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abi_codes),
#define T(f) cmocka_unit_test_setup_teardown(f, px_setup, px_teardown)
		T(test_sim_load_cr3),
		T(test_init_args),
		T(test_init_fault_injection),
		T(test_init_misaligned),
		T(test_fini_refused),
		T(test_without_registry),
		T(test_init_max_records),
		T(test_unregistered_space),
		T(test_resource_space_not_process),
		T(test_view_reused),
		T(test_alloc_process),
		T(test_alloc_process_levels),
		T(test_alloc_process_errors),
		T(test_no_room),
		T(test_registry_full),
		T(test_yield),
		T(test_map_upcall),
		T(test_free_process_errors),
		T(test_kill),
		T(test_worked_example),
		T(test_alloc_resource_errors),
		T(test_grant_readonly),
		T(test_grant_errors),
		T(test_teardown),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
