/*
 * XOmB's processes and resources (mm/exo_proc.h) on the simulated machine
 * in strict TLB mode: the ABI's codes, the registry's set-up (arguments,
 * fault injection, misaligned and maximal metadata, fini, the calls without
 * a registry) and the address spaces the calls accept (an unregistered
 * PML4, a resource root as CR3, the kernel's reused table views). Process
 * calls are in test_exo_proc_life.c, resources in test_exo_proc_resource.c,
 * the hostile cases in test_exo_proc_hostile.c.
 */
#include "exo_proc_priv.h" /* white box: a reference count at its limit */
#include "proc_fixture.h"
#include "xomb/abi.h"

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
	px_reinit(px);
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
	px_reinit(px);
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
	px_reinit(px);
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
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
