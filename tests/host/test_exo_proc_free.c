/*
 * FREE_PROCESS in two halves (mm/exo_proc.h): mm_proc_free_upcall() names
 * the child's onFree (its PML4, the entry, the parent's processId) and
 * changes nothing, with the same refusals as mm_proc_free_process(); the
 * kernel then runs the child (which may change its own tables), comes back
 * to the parent and tears the child down. Strict TLB mode throughout.
 */
#include "assert_catch.h"
#include "proc_fixture.h"

#define VA_E	0x0000500000000000ull /* PML4 160: the child's own page */
#define ON_FREE 0x401000ull

/* Without onFree: entry 0, so the kernel frees at once. */
static void test_free_upcall_unset(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	struct mm_proc_enter in = {1, 1, 1};
	uint64_t pid = px_child(px, LINK);

	PX_REFUSED(px, mm_proc_free_upcall(p, pid, LINK, &in), 0);
	assert_int_equal(in.entry, 0);
	assert_int_equal(in.cr3, fx_pa(&px->fx, pid));
	assert_int_equal(in.arg, px->init_pid);
	assert_int_equal(mm_proc_free_process(p, pid, LINK), 0);
}

/* With onFree: the child's PML4, the entry and the parent's id. */
static void test_free_upcall_entry(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	struct mm_proc_enter in = {0, 0, 0};
	uint64_t a = px_child(px, LINK), b;

	assert_int_equal(mm_proc_map_upcall(p, a, MM_UPCALL_FREE, ON_FREE), 0);
	px_switch(px, a);
	b = px_child(px, LINK2);
	assert_int_equal(mm_proc_map_upcall(p, b, MM_UPCALL_FREE, UPC), 0);
	/* The grandchild's onFree is a's to ask for, with a's id. */
	assert_int_equal(mm_proc_free_upcall(p, b, LINK2, &in), 0);
	assert_int_equal(in.entry, UPC);
	assert_int_equal(in.arg, a);
	px_home(px);
	PX_REFUSED(px, mm_proc_free_upcall(p, a, LINK, &in), 0);
	assert_int_equal(in.cr3, fx_pa(&px->fx, a));
	assert_int_equal(in.entry, ON_FREE);
	assert_int_equal(in.arg, px->init_pid);
	/* What the child does in onFree, then back to the parent. */
	px_switch(px, a);
	px_page(px, VA_E, 0x5eed);
	px_home(px);
	assert_int_equal(mm_proc_free_process(p, a, LINK), 0);
	assert_int_equal(fx_pte(&px->fx, 3, VA_C), 0);
	assert_int_equal(px->proc.nproc, 1);
}

/* The same refusals as FREE_PROCESS, nothing changed, *out untouched. */
static void test_free_upcall_refused(void **state)
{
	struct px *px = *state;
	struct mm_proc *p = &px->proc;
	struct mm_proc_enter in = {7, 7, 7};
	uint64_t a = px_child(px, LINK), b = px_child(px, LINK2);

	assert_int_equal(mm_proc_map_upcall(p, a, MM_UPCALL_FREE, ON_FREE), 0);
	PX_REFUSED(px, mm_proc_free_upcall(p, a, LINK2, &in),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_free_upcall(p, a, LINK + 8, &in),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_free_upcall(p, a + 8, LINK, &in),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_free_upcall(p, px->init_pid, LINK, &in),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_free_upcall(p, 0, LINK, &in),
		   MM_PROC_INVALID_SOURCE);
	/* The child on its parent, and on its sibling. */
	px_switch(px, a);
	PX_REFUSED(px, mm_proc_free_upcall(p, px->init_pid, LINK, &in),
		   MM_PROC_INVALID_SOURCE);
	PX_REFUSED(px, mm_proc_free_upcall(p, b, LINK2, &in),
		   MM_PROC_INVALID_SOURCE);
	px_home(px);
	assert_int_equal(in.cr3, 7);
	assert_int_equal(in.entry, 7);
	assert_int_equal(in.arg, 7);
	assert_int_equal(mm_proc_free_process(p, a, LINK), 0);
	PX_REFUSED(px, mm_proc_free_upcall(p, a, LINK, &in),
		   MM_PROC_INVALID_SOURCE);
	assert_int_equal(mm_proc_free_process(p, b, LINK2), 0);
}

/*
 * A NULL out breaks the contract: the assertion stops the call before it
 * changes anything (it would otherwise write through NULL).
 */
static void test_free_upcall_null_out(void **state)
{
	struct px *px = *state;
	uint64_t a = px_child(px, LINK);

	assert_int_equal(
		mm_proc_map_upcall(&px->proc, a, MM_UPCALL_FREE, ON_FREE), 0);
	EXPECT_ASSERT((void)mm_proc_free_upcall(&px->proc, a, LINK, NULL),
		      "out != NULL");
	assert_int_equal(mm_proc_free_process(&px->proc, a, LINK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, px_setup, px_teardown)
		T(test_free_upcall_unset),
		T(test_free_upcall_entry),
		T(test_free_upcall_refused),
		T(test_free_upcall_null_out),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
