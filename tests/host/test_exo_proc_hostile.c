/*
 * Hostile use of XOmB's processes and resources (mm/exo_proc.h): a parent
 * reaching into its child's PML4 through the link, grantees acting as
 * owners, forged and stale ids, a child freeing its parent, teardown that
 * must not touch what others own. Every call refused with the documented
 * code and nothing changed; strict TLB mode throughout (the fixture's
 * teardown fails on any stale translation).
 */
#include "proc_fixture.h"

/* Every mm_exo call on the link and on anything below it: refused. */
static void test_parent_cannot_enter_child_root(void **state)
{
	struct px *px = *state;
	struct mm_exo *x = &px->fx.exo;
	uint64_t pid = px_child(px, LINK), rid = 0;
	mm_vaddr_t below[] = {ENT(2, VA_C), ENT(1, VA_C), ENT(0, VA_C),
			      ENT(2, VA_C + 255ull * MM_PAGE_1G),
			      ENT(2, VA_C + 510ull * MM_PAGE_1G)};
	unsigned i;

	PX_REFUSED(px, fx_alloc(&px->fx, fx_frame(&px->fx), LINK, P),
		   MM_EXO_INVALID_TARGET);
	PX_REFUSED(px, mm_exo_map_zero(x, LINK, P | RO), MM_EXO_INVALID_TARGET);
	PX_REFUSED(px, mm_exo_unmap_page(x, LINK), MM_EXO_INVALID_SOURCE);
	PX_REFUSED(px, mm_exo_chmod_page(x, LINK, P), MM_EXO_INVALID_SOURCE);
	PX_REFUSED(px, mm_exo_remap_page(x, LINK, ENT(0, VA_A)),
		   MM_EXO_INVALID_SOURCE);
	for (i = 0; i < sizeof(below) / sizeof(below[0]); i++) {
		PX_REFUSED(px,
			   fx_alloc(&px->fx, fx_frame(&px->fx), below[i], P),
			   MM_EXO_INVALID_TARGET);
		PX_REFUSED(px, mm_exo_unmap_page(x, below[i]),
			   MM_EXO_INVALID_SOURCE);
		PX_REFUSED(px, mm_exo_chmod_page(x, below[i], P),
			   MM_EXO_INVALID_SOURCE);
		PX_REFUSED(px,
			   mm_proc_alloc_resource(&px->proc, fx_frame(&px->fx),
						  below[i], &rid),
			   MM_PROC_INVALID_TARGET);
		PX_REFUSED(px,
			   mm_proc_alloc_process(&px->proc, fx_frame(&px->fx),
						 below[i], &rid),
			   MM_PROC_INVALID_TARGET);
	}
	/* Nothing of the child is reachable from the parent's user mode. */
	assert_int_equal(px_user(px, VA_C, MM_SIM_READ), MM_ERR_NOT_MAPPED);
	assert_int_equal(px_user(px, VA_C + 510ull * MM_PAGE_1G, MM_SIM_READ),
			 MM_ERR_NOT_MAPPED);
	assert_int_equal(mm_proc_free_process(&px->proc, pid, LINK), 0);
}

/* Grants into the child's kernel half, bitmap slot or windows: refused. */
static void test_grant_into_child_kernel_half(void **state)
{
	struct px *px = *state;
	uint64_t pid = px_child(px, LINK), rid = px_res(px, VA_B);
	mm_vaddr_t bad[] = {ENT(3, 0x00007F8000000000ull),
			    ENT(3, MM_WINDOW_START),
			    ENT(3, VA_HIGH),
			    ENT(3, MM_PROC_MAP_VA(0)),
			    ENT(3, MM_RES_MAP_VA(0)),
			    MM_PROC_MAP_VA(MM_PROC_VIEWS)};
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		PX_REFUSED(px,
			   mm_proc_grant(&px->proc, rid, ENT(3, VA_B), pid,
					 bad[i], P),
			   MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_free_process(&px->proc, pid, LINK), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_B)), 0);
}

/*
 * Grants land only on plain paths of the target: never inside a resource
 * it owns (which others may see) nor inside one it was granted.
 */
static void test_grant_inside_resources(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	uint64_t a = px_child(px, LINK), big = px_res(px, VA_D), small, own;

	fx_path(&px->fx, VA_B, 2);
	assert_int_equal(mm_proc_alloc_resource(p, fx_frame(&px->fx),
						ENT(2, VA_B), &small),
			 0);
	assert_int_equal(
		mm_proc_grant(p, big, ENT(3, VA_D), a, ENT(3, VA_D), P), 0);
	px_switch(px, a);
	own = px_res(px, VA_A);
	px_home(px);
	PX_REFUSED(px,
		   mm_proc_grant(p, small, ENT(2, VA_B), a,
				 ENT(2, VA_A + MM_PAGE_1G), P),
		   MM_PROC_INVALID_TARGET);
	PX_REFUSED(px,
		   mm_proc_grant(p, small, ENT(2, VA_B), a,
				 ENT(2, VA_D + MM_PAGE_1G), P),
		   MM_PROC_INVALID_TARGET);
	assert_int_equal(mm_proc_free_process(p, a, LINK), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(2, VA_B)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_B)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_D)), 0);
	(void)own;
}

/* A grantee: no change inside, no grant, no chown, no revoke. */
static void test_grantee_is_not_owner(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	struct mm_exo *x = &px->fx.exo;
	uint64_t a = px_child(px, LINK), b = px_child(px, ENT(3, VA_D)),
		 rid = px_res(px, VA_B), r2;

	px_page(px, VA_B, 1);
	assert_int_equal(
		mm_proc_grant(p, rid, ENT(3, VA_B), a, ENT(3, VA_B), P), 0);
	px_switch(px, a);
	PX_REFUSED(px, mm_exo_chmod_page(x, ENT(0, VA_B), P | RO),
		   MM_EXO_INVALID_SOURCE);
	PX_REFUSED(px, mm_exo_unmap_page(x, ENT(0, VA_B)),
		   MM_EXO_INVALID_SOURCE);
	PX_REFUSED(px,
		   fx_alloc(&px->fx, fx_frame(&px->fx), ENT(0, VA_B + KiB4), P),
		   MM_EXO_INVALID_TARGET);
	PX_REFUSED(
		px,
		mm_proc_alloc_resource(p, fx_frame(&px->fx), ENT(1, VA_B), &r2),
		MM_PROC_INVALID_TARGET);
	PX_REFUSED(px, mm_proc_grant(p, rid, ENT(3, VA_B), b, ENT(3, VA_B), P),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_chown(p, rid, ENT(3, VA_B), a, ENT(3, VA_B)),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px,
		   mm_proc_revoke(p, rid, ENT(3, VA_B), px->init_pid,
				  ENT(3, VA_B)),
		   MM_PROC_INVALID_SOURCE);
	/* Nor can it free its parent or a sibling. */
	PX_REFUSED(px, mm_proc_free_process(p, px->init_pid, ENT(3, VA_B)),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_free_process(p, b, ENT(3, VA_B)),
		   MM_PROC_INVALID_SOURCE);
	px_home(px);
	assert_int_equal(mm_proc_free_process(p, a, LINK), 0);
	assert_int_equal(mm_proc_free_process(p, b, ENT(3, VA_D)), 0);
	/* a's grant went with a: init may free its resource again. */
	assert_int_equal(mm_exo_unmap_page(x, ENT(0, VA_B)), 0);
	assert_int_equal(mm_exo_unmap_page(x, ENT(1, VA_B)), 0);
	assert_int_equal(mm_exo_unmap_page(x, ENT(2, VA_B)), 0);
	assert_int_equal(mm_exo_unmap_page(x, ENT(3, VA_B)), 0);
}

/* Forged, misaligned, foreign-map, view and stale ids: refused. */
static void test_forged_ids(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	struct mm_proc_enter in;
	uint64_t pid = px_child(px, LINK), rid = px_res(px, VA_B);
	uint64_t stale = px_child(px, ENT(3, VA_D));
	uint64_t bad[] = {0,
			  1,
			  0xff,
			  VA_A,
			  VA_HIGH,
			  pid + 1,
			  pid + 8,
			  pid - MM_FRAME_SIZE * 64,
			  MM_PROC_MAP_VA(0),
			  MM_PROC_MAP_VA(MM_PROC_VIEWS - 1),
			  MM_PROC_MAP_VA(MM_PROC_VIEWS + PX_RECORDS),
			  MM_PROC_MAP_VA(MM_PROC_VIEWS + 40),
			  MM_RES_MAP_VA(MM_PROC_VIEWS),
			  rid,
			  stale,
			  ~0ull};
	unsigned i;

	assert_int_equal(mm_proc_free_process(p, stale, ENT(3, VA_D)), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		PX_REFUSED(px, mm_proc_yield(p, bad[i], &in),
			   MM_PROC_INVALID_TARGET);
		PX_REFUSED(px, mm_proc_free_process(p, bad[i], LINK),
			   MM_PROC_INVALID_SOURCE);
		PX_REFUSED(px, mm_proc_kill(p, bad[i]), MM_PROC_INVALID_TARGET);
		PX_REFUSED(px, mm_proc_map_upcall(p, bad[i], 1, UPC),
			   MM_PROC_INVALID_TARGET);
		PX_REFUSED(px,
			   mm_proc_grant(p, rid, ENT(3, VA_B), bad[i],
					 ENT(3, VA_A), P),
			   MM_PROC_INVALID_TARGET);
		if (bad[i] == rid)
			continue;
		PX_REFUSED(px,
			   mm_proc_grant(p, bad[i], ENT(3, VA_B), pid,
					 ENT(3, VA_A), P),
			   MM_PROC_INVALID_SOURCE);
	}
	assert_int_equal(mm_proc_free_process(p, pid, LINK), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_B)), 0);
	PX_REFUSED(px, mm_proc_chown(p, rid, ENT(3, VA_B), pid, ENT(3, VA_A)),
		   MM_PROC_INVALID_SOURCE);
}

/* The frames of tables, maps and roots cannot become a process or resource. */
static void test_claim_kernel_frames(void **state)
{
	struct px *px = *state;
	uint64_t pid = px_child(px, LINK), id = 0;
	/* Its root, init's, a map's PDPT and PT, frame 0. */
	mm_paddr_t frames[] = {
		fx_pa(&px->fx, pid), fx_pa(&px->fx, px->init_pid),
		MM_PTE_ADDR(fx_pte(&px->fx, 3, MM_PROC_MAP_VA(0))),
		MM_PTE_ADDR(fx_pte(&px->fx, 1, MM_RES_MAP_VA(0))), 0};
	unsigned i;

	for (i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		PX_REFUSED(px,
			   mm_proc_alloc_process(&px->proc, frames[i],
						 ENT(3, VA_A), &id),
			   MM_PROC_NOT_FREE);
		PX_REFUSED(px,
			   mm_proc_alloc_resource(&px->proc, frames[i],
						  ENT(3, VA_A), &id),
			   MM_PROC_NOT_FREE);
	}
	assert_int_equal(mm_proc_free_process(&px->proc, pid, LINK), 0);
}

/*
 * Freeing one child takes nothing from its sibling: the sibling's own
 * memory, its resource and the grant it holds from init all survive; the
 * kernel's maps and init's tables too.
 */
static void test_teardown_spares_others(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	uint64_t a = px_child(px, LINK), b = px_child(px, ENT(3, VA_D));
	uint64_t s = px_res(px, VA_B), free_b;

	px_page(px, VA_B, 3);
	assert_int_equal(mm_proc_grant(p, s, ENT(3, VA_B), a, ENT(3, VA_B), P),
			 0);
	assert_int_equal(mm_proc_grant(p, s, ENT(3, VA_B), b, ENT(3, VA_B), P),
			 0);
	px_switch(px, b);
	px_page(px, VA_A, 8);
	px_res(px, VA_C);
	px_page(px, VA_C, 9);
	px_switch(px, a);
	px_page(px, VA_A, 10);
	px_home(px);
	free_b = fx_free_frames(&px->fx);
	assert_int_equal(mm_proc_free_process(p, a, LINK), 0);
	/* a's root, its PDPT, PD, PT and page. */
	assert_int_equal(fx_free_frames(&px->fx), free_b + 5);
	assert_int_equal(fx_rd(&px->fx, VA_B), 3);
	px_switch(px, b);
	assert_int_equal(fx_rd(&px->fx, VA_A), 8);
	assert_int_equal(fx_rd(&px->fx, VA_B), 3);
	assert_int_equal(fx_rd(&px->fx, VA_C), 9);
	px_home(px);
	assert_int_equal(mm_proc_free_process(p, b, ENT(3, VA_D)), 0);
	assert_int_equal(p->nproc, 1);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(0, VA_B)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(1, VA_B)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(2, VA_B)), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_B)), 0);
}

/* A chain of 41 nested processes is freed in one call, no recursion. */
static void test_deep_chain(void **state)
{
	struct px *px = *state;
	uint64_t top = px_child(px, LINK), pid = top;
	unsigned i;

	for (i = 0; i < 40; i++) {
		px_switch(px, pid);
		pid = px_child(px, LINK);
		px_page(px, VA_A, i);
	}
	px_home(px);
	assert_int_equal(px->proc.nproc, 42);
	assert_int_equal(mm_proc_free_process(&px->proc, top, LINK), 0);
	assert_int_equal(px->proc.nproc, 1);
}

/* A resource shared with a killed process: the kill revokes it. */
static void test_kill_revokes(void **state)
{
	struct px *px = *state;
	uint64_t a = px_child(px, LINK), rid = px_res(px, VA_B);

	assert_int_equal(
		mm_proc_grant(&px->proc, rid, ENT(3, VA_B), a, ENT(3, VA_A), P),
		0);
	PX_REFUSED(px, mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_B)),
		   MM_EXO_NOT_EMPTY);
	assert_int_equal(mm_proc_kill(&px->proc, a), 0);
	assert_int_equal(fx_pte(&px->fx, 3, VA_C), 0);
	assert_int_equal(mm_exo_unmap_page(&px->fx.exo, ENT(3, VA_B)), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, px_setup, px_teardown)
	const struct CMUnitTest tests[] = {
		T(test_parent_cannot_enter_child_root),
		T(test_grant_into_child_kernel_half),
		T(test_grant_inside_resources),
		T(test_grantee_is_not_owner),
		T(test_forged_ids),
		T(test_claim_kernel_frames),
		T(test_teardown_spares_others),
		T(test_deep_chain),
		T(test_kill_revokes),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
