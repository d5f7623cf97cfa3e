/*
 * XOmB's resources (mm/exo_proc.h) on the simulated machine in strict TLB
 * mode: the worked example of the README (build, load, grant, CHOWN,
 * upcall, yield, free), every error of ALLOC_RESOURCE, GRANT, REVOKE and
 * CHOWN with the RAM and the allocator compared before and after each
 * refusal, read-only grants, and a teardown proved by the allocator's free
 * count.
 */
#include "exo_proc_priv.h" /* white box: a reference count at its limit */
#include "proc_fixture.h"
#include "xomb/abi.h"

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

/*
 * ALLOC_RESOURCE invalidates nothing (mm/exo_proc.h): the root was zeroed
 * by its physical address and its entry was not present, so no translation
 * can be stale; the strict TLB model of the teardown would catch one that
 * was.
 */
static void test_alloc_resource_no_invlpg(void **state)
{
	struct px *px = *state;
	struct mm_sim_stats a, b;
	mm_paddr_t root;
	uint64_t rid;

	mm_sim_stats(px->fx.sim, &a);
	rid = px_res(px, VA_B);
	mm_sim_stats(px->fx.sim, &b);
	assert_int_equal(b.invlpg - a.invlpg, 0);
	assert_int_equal(b.full_flush - a.full_flush, 0);
	root = fx_pa(&px->fx, rid);
	for (unsigned i = 0; i < MM_PT_ENTRIES; i++)
		assert_int_equal(mm_sim_phys_read64(px->fx.sim, root + i * 8),
				 0);
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
#define T(f) cmocka_unit_test_setup_teardown(f, px_setup, px_teardown)
		T(test_worked_example),
		T(test_alloc_resource_errors),
		T(test_alloc_resource_no_invlpg),
		T(test_grant_readonly),
		T(test_grant_errors),
		T(test_teardown),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
