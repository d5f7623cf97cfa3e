/*
 * The simulated machine's TLB model seen from outside, and strict mode:
 * speculative caching below a newly linked table, staleness without invlpg,
 * faults dropping entries, global entries surviving a full flush, huge-page
 * invalidation, fill and check, and strict mode's reports, nesting, refills
 * and abort (death tests, in a child process). The TLB's internals are
 * tested white box in test_sim_tlb.c.
 */
#include "sim_fixture.h"

/* VA_A's neighbour 2 MiB up: same PD, its own (missing) PT. */
#define VA_C 0x0000000040400000ull

/*
 * Linking a table that still holds garbage: the MMU walks below the new
 * entry at once and caches what it finds; zeroing the table afterwards
 * leaves those entries stale, and using one counts as a stale hit.
 */
static void test_speculative_caching_of_garbage(void **state)
{
	struct mm_sim *sim = *state;
	uint64_t pfn;
	mm_paddr_t pt;

	hand_map(sim, VA_A, 0, DATA_A | LEAF);
	assert_int_equal(mm_frame_alloc(mm_sim_frames(sim), &pfn), MM_OK);
	pt = MM_PFN_TO_PADDR(pfn);
	mm_port_pte_write(sim, MM_PTE_VA(1, VA_C), pt | TABLE);
	assert_true(mm_sim_tlb_has(sim, VA_C));
	assert_true(mm_sim_tlb_has(sim, VA_C + 511u * MM_FRAME_SIZE));
	mm_port_table_zero(sim, pt);
	assert_int_equal(mm_sim_access(sim, VA_C, MM_SIM_READ, NULL), MM_OK);
	assert_int_equal(stats(sim).stale_hits, 1);
}

/* Linking a zeroed table caches nothing below it. */
static void test_speculative_caching_of_zeroed_table(void **state)
{
	struct mm_sim *sim = *state;

	hand_map(sim, VA_A, 0, DATA_A | LEAF);
	mm_port_pte_write(sim, MM_PTE_VA(1, VA_C), new_frame(sim) | TABLE);
	assert_false(mm_sim_tlb_has(sim, VA_C));
	assert_int_equal(mm_sim_access(sim, VA_C, MM_SIM_READ, NULL),
			 MM_ERR_NOT_MAPPED);
	assert_int_equal(stats(sim).stale_hits, 0);
}

/* Editing a PTE without invlpg: the TLB still answers with the old frame. */
static void test_tlb_stale_without_invlpg(void **state)
{
	struct mm_sim *sim = *state;
	mm_paddr_t pte = hand_map(sim, VA_A, 0, DATA_A | LEAF);
	mm_paddr_t pa;

	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, &pa), MM_OK);
	assert_int_equal(stats(sim).tlb_misses, 1);
	mm_sim_phys_write64(sim, pte, DATA_B | LEAF);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, &pa), MM_OK);
	assert_int_equal(pa, DATA_A);
	assert_int_equal(stats(sim).tlb_hits, 1);
	assert_int_equal(stats(sim).stale_hits, 1);
	mm_port_invlpg(sim, VA_A);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, &pa), MM_OK);
	assert_int_equal(pa, DATA_B);
	assert_int_equal(stats(sim).stale_hits, 1);
	assert_int_equal(stats(sim).invlpg, 1);
	assert_int_equal(stats(sim).tlb_misses, 2);
}

/* A cleared PTE still translates from the TLB until invalidated. */
static void test_tlb_keeps_unmapped_page(void **state)
{
	struct mm_sim *sim = *state;
	mm_paddr_t pte = hand_map(sim, VA_A, 0, DATA_A | LEAF);

	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, NULL), MM_OK);
	mm_sim_phys_write64(sim, pte, 0);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, NULL), MM_OK);
	assert_int_equal(stats(sim).stale_hits, 1);
	mm_port_invlpg(sim, VA_A);
	assert_false(mm_sim_tlb_has(sim, VA_A));
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, NULL),
			 MM_ERR_NOT_MAPPED);
}

/* A protection fault drops the cached entry, as a page fault does. */
static void test_tlb_fault_drops_entry(void **state)
{
	struct mm_sim *sim = *state;

	hand_map(sim, VA_A, 0, DATA_A | MM_PTE_PRESENT);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, NULL), MM_OK);
	assert_true(mm_sim_tlb_has(sim, VA_A));
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_WRITE, NULL),
			 MM_ERR_INVALID);
	assert_false(mm_sim_tlb_has(sim, VA_A));
}

/* A full flush drops non-global entries only; invlpg drops globals too. */
static void test_tlb_global_survives_full_flush(void **state)
{
	struct mm_sim *sim = *state;

	hand_map(sim, VA_A, 0, DATA_A | LEAF | MM_PTE_GLOBAL);
	hand_map(sim, VA_B, 0, DATA_B | LEAF);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, NULL), MM_OK);
	assert_int_equal(mm_sim_access(sim, VA_B, MM_SIM_READ, NULL), MM_OK);
	mm_sim_flush_all(sim);
	assert_true(mm_sim_tlb_has(sim, VA_A));
	assert_false(mm_sim_tlb_has(sim, VA_B));
	assert_int_equal(stats(sim).full_flush, 1);
	assert_int_equal(stats(sim).tlb_entries, 1);
	mm_port_invlpg(sim, VA_A);
	assert_false(mm_sim_tlb_has(sim, VA_A));
	assert_int_equal(stats(sim).tlb_entries, 0);
}

/* invlpg drops 2 MiB and 1 GiB entries covering the address. */
static void test_tlb_invlpg_huge(void **state)
{
	struct mm_sim *sim = *state;
	mm_vaddr_t va2m = 0x0000000080000000ull;
	mm_vaddr_t va1g = 0x0000008000000000ull;

	hand_map(sim, va2m, 1, 0x00400000ull | LEAF | MM_PTE_PS);
	hand_map(sim, va1g, 2, 0x40000000ull | LEAF | MM_PTE_PS);
	assert_int_equal(mm_sim_access(sim, va2m, MM_SIM_READ, NULL), MM_OK);
	assert_int_equal(mm_sim_access(sim, va1g, MM_SIM_READ, NULL), MM_OK);
	assert_true(mm_sim_tlb_has(sim, va2m + 0x1FF000));
	mm_port_invlpg(sim, va2m + 0x1FF000);
	mm_port_invlpg(sim, va1g + 0x3FFFF000ull);
	assert_false(mm_sim_tlb_has(sim, va2m));
	assert_false(mm_sim_tlb_has(sim, va1g));
}

/* Fill caches every translation, the window included; check finds none. */
static void test_tlb_fill_and_check(void **state)
{
	struct mm_sim *sim = *state;

	hand_map(sim, VA_A, 0, DATA_A | LEAF);
	mm_sim_tlb_fill(sim);
	assert_true(mm_sim_tlb_has(sim, VA_A));
	assert_true(mm_sim_tlb_has(sim, MM_RECURSIVE_PML4));
	assert_true(mm_sim_tlb_has(sim, MM_PT_TABLE_VA(0, VA_A)));
	assert_true(mm_sim_tlb_has(sim, MM_PT_TABLE_VA(1, VA_A)));
	assert_true(mm_sim_tlb_has(sim, MM_PT_TABLE_VA(2, VA_A)));
	assert_false(mm_sim_tlb_has(sim, VA_B));
	/* 1 page + PML4 + PDPT + PD + PT through the window. */
	assert_int_equal(stats(sim).tlb_entries, 5);
	assert_int_equal(mm_sim_tlb_check(sim), 0);
}

/*
 * Fill caches only what a walk would give: not a leaf with a reserved bit
 * (NX without NXE), nothing below a table beyond the RAM (it reads as
 * zeros), though the window page of that table itself is a translation.
 * One such table is far out, one in the first frame past the RAM, whose
 * present-bit words the fill must not look for past the map of the RAM's
 * frames (ASan would see it).
 */
static void test_tlb_fill_skips_unusable(void **state)
{
	struct mm_sim *sim = *state;
	mm_vaddr_t far = (mm_vaddr_t)1 << MM_PT_SHIFT(3);  /* PML4 slot 1 */
	mm_vaddr_t edge = (mm_vaddr_t)2 << MM_PT_SHIFT(3); /* PML4 slot 2 */

	hand_map(sim, VA_A, 0, DATA_A | LEAF | MM_PTE_NX);
	hand_map(sim, VA_B, 0, DATA_B | LEAF);
	mm_sim_phys_write64(sim, mm_sim_cr3(sim) + 8u,
			    ((mm_paddr_t)1 << 40) | TABLE);
	mm_sim_phys_write64(sim, mm_sim_cr3(sim) + 16u, RAM | TABLE);
	mm_sim_tlb_fill(sim);
	assert_false(mm_sim_tlb_has(sim, VA_A));
	assert_true(mm_sim_tlb_has(sim, VA_B));
	assert_true(mm_sim_tlb_has(sim, MM_PT_TABLE_VA(2, far)));
	assert_false(mm_sim_tlb_has(sim, MM_PT_TABLE_VA(1, far)));
	assert_false(mm_sim_tlb_has(sim, far));
	assert_true(mm_sim_tlb_has(sim, MM_PT_TABLE_VA(2, edge)));
	assert_false(mm_sim_tlb_has(sim, MM_PT_TABLE_VA(1, edge)));
	assert_false(mm_sim_tlb_has(sim, edge));
	/* VA_B + PML4 + VA_A's PDPT, PD, PT + the two far PDPTs, 4 KiB pages */
	assert_int_equal(stats(sim).tlb_entries, 7);
	assert_int_equal(mm_sim_tlb_check(sim), 0);
}

/* Strict mode: a PTE edited without invlpg inside an op is a violation. */
static void test_strict_reports_missing_invlpg(void **state)
{
	struct mm_sim *sim = *state;
	mm_paddr_t pte = hand_map(sim, VA_A, 0, DATA_A | LEAF);

	mm_sim_set_strict(sim, true);
	mm_sim_set_strict_abort(sim, false);
	mm_port_op_begin(sim);
	mm_port_pte_write(sim, MM_PTE_VA(0, VA_A), DATA_B | LEAF);
	mm_port_op_end(sim);
	assert_int_equal(stats(sim).strict_violations, 1);
	mm_port_op_begin(sim);
	mm_sim_phys_write64(sim, pte, DATA_A | LEAF);
	mm_port_invlpg(sim, VA_A);
	mm_port_op_end(sim);
	assert_int_equal(stats(sim).strict_violations, 1);
	assert_int_equal(stats(sim).ops, 2);
}

/* Strict mode with nested brackets checks once, at the outermost end. */
static void test_strict_nested_ops(void **state)
{
	struct mm_sim *sim = *state;

	hand_map(sim, VA_A, 0, DATA_A | LEAF);
	mm_sim_set_strict(sim, true);
	mm_sim_set_strict_abort(sim, false);
	mm_port_op_begin(sim);
	mm_port_op_begin(sim);
	mm_port_op_end(sim);
	assert_int_equal(stats(sim).ops, 0);
	mm_port_op_end(sim);
	assert_int_equal(stats(sim).ops, 1);
	assert_int_equal(stats(sim).strict_violations, 0);
}

/* By default a strict violation aborts the process (the test fails). */
static void test_strict_aborts_by_default(void **state)
{
	struct mm_sim *sim = *state;
	int status = 0;
	pid_t pid;

	hand_map(sim, VA_A, 0, DATA_A | LEAF);
	mm_sim_set_strict(sim, true);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The child shows the report on a closed stream: quiet run. */
		fclose(stderr);
		mm_port_op_begin(sim);
		mm_port_pte_write(sim, MM_PTE_VA(0, VA_A), DATA_B | LEAF);
		mm_port_op_end(sim);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

/*
 * The recursive entry turned present through the port (possible only
 * through a stale cached window translation, the entry having been
 * cleared behind the simulator's back) is a PML4 entry: what the MMU may
 * cache below it speculatively are window addresses, not the pages the
 * tables map.
 */
static void test_speculate_below_recursive_entry(void **state)
{
	struct mm_sim *sim = *state;
	mm_vaddr_t w = MM_PTE_VA(MM_PT_TOP, MM_WINDOW_START);
	mm_paddr_t at = mm_sim_cr3(sim) + 8u * MM_RECURSIVE_INDEX;
	mm_pte_t self = mm_sim_phys_read64(sim, at);

	hand_map(sim, VA_A, 0, DATA_A | LEAF);
	assert_int_equal(mm_port_pte_read(sim, w), self);
	mm_sim_phys_write64(sim, at, 0);
	mm_port_pte_write(sim, w, self);
	assert_int_equal(mm_sim_phys_read64(sim, at), self);
	assert_true(mm_sim_tlb_has(sim, MM_PTE_VA(0, VA_A)));
	assert_false(mm_sim_tlb_has(sim, VA_A));
}

/*
 * Before it aborts, strict mode names the stale entry on stderr: its va,
 * its pa and that an invalidation is missing.
 */
static void test_strict_report_names_stale_entry(void **state)
{
	struct mm_sim *sim = *state;
	char out[512] = {0};
	int fd[2], status = 0;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	hand_map(sim, VA_A, 0, DATA_A | LEAF);
	mm_sim_set_strict(sim, true);
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 2);
		mm_port_op_begin(sim);
		mm_port_pte_write(sim, MM_PTE_VA(0, VA_A), DATA_B | LEAF);
		mm_port_op_end(sim);
		_exit(0);
	}
	close(fd[1]);
	while (got + 1 < sizeof(out) &&
	       (n = read(fd[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)n;
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	assert_non_null(strstr(out, "stale TLB entry va 0x0000000040201000 "
				    "-> pa 0x300000"));
	assert_non_null(strstr(out, "a missing invalidation"));
}

/* Strict op_begin puts back entries dropped since the last fill. */
static void test_strict_refills_dropped(void **state)
{
	struct mm_sim *sim = *state;

	hand_map(sim, VA_A, 0, DATA_A | MM_PTE_PRESENT);
	hand_map(sim, VA_B, 0, DATA_B | LEAF);
	mm_sim_set_strict(sim, true);
	mm_port_op_begin(sim);
	mm_port_op_end(sim);
	assert_true(mm_sim_tlb_has(sim, VA_A));
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_WRITE, NULL),
			 MM_ERR_INVALID);
	mm_port_invlpg(sim, VA_B);
	assert_false(mm_sim_tlb_has(sim, VA_A));
	assert_false(mm_sim_tlb_has(sim, VA_B));
	mm_port_op_begin(sim);
	assert_true(mm_sim_tlb_has(sim, VA_A));
	assert_true(mm_sim_tlb_has(sim, VA_B));
	mm_port_op_end(sim);
	assert_int_equal(stats(sim).strict_violations, 0);
}

/*
 * The same for huge pages: a 2 MiB and a 1 GiB translation dropped by an
 * invlpg anywhere inside them come back at the next strict op_begin, so a
 * change of their entry without invalidation is still seen as stale.
 */
static void test_strict_refills_dropped_huge(void **state)
{
	struct mm_sim *sim = *state;
	mm_vaddr_t va2m = 0x0000000080000000ull;
	mm_vaddr_t va1g = 0x0000008000000000ull;
	mm_paddr_t e1g;

	hand_map(sim, va2m, 1, 0x00400000ull | LEAF | MM_PTE_PS);
	e1g = hand_map(sim, va1g, 2, 0x40000000ull | LEAF | MM_PTE_PS);
	mm_sim_set_strict(sim, true);
	mm_sim_set_strict_abort(sim, false);
	mm_port_op_begin(sim);
	mm_port_op_end(sim);
	mm_port_invlpg(sim, va2m + 0x1FF000);
	mm_port_invlpg(sim, va1g + 0x3FFFF000ull);
	assert_false(mm_sim_tlb_has(sim, va2m));
	assert_false(mm_sim_tlb_has(sim, va1g));
	mm_port_op_begin(sim);
	assert_true(mm_sim_tlb_has(sim, va2m));
	assert_true(mm_sim_tlb_has(sim, va1g));
	mm_sim_phys_write64(sim, e1g, 0x80000000ull | LEAF | MM_PTE_PS);
	mm_port_op_end(sim);
	/*
	 * The 1 GiB page and the entry's two aliases in the recursive window
	 * (a 2 MiB page through PML4[510] once, a 4 KiB page through it twice)
	 */
	assert_int_equal(stats(sim).strict_violations, 3);
}

#define SIM_TEST(f, setup) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_speculative_caching_of_garbage, setup_nx_1g),
		SIM_TEST(test_speculative_caching_of_zeroed_table, setup_nx_1g),
		SIM_TEST(test_tlb_stale_without_invlpg, setup_nx_1g),
		SIM_TEST(test_tlb_keeps_unmapped_page, setup_nx_1g),
		SIM_TEST(test_tlb_fault_drops_entry, setup_nx_1g),
		SIM_TEST(test_tlb_global_survives_full_flush, setup_nx_1g),
		SIM_TEST(test_tlb_invlpg_huge, setup_nx_1g),
		SIM_TEST(test_tlb_fill_and_check, setup_nx_1g),
		SIM_TEST(test_tlb_fill_skips_unusable, setup_plain),
		SIM_TEST(test_strict_reports_missing_invlpg, setup_nx_1g),
		SIM_TEST(test_strict_nested_ops, setup_nx_1g),
		SIM_TEST(test_strict_refills_dropped, setup_nx_1g),
		SIM_TEST(test_strict_refills_dropped_huge, setup_nx_1g),
		SIM_TEST(test_strict_aborts_by_default, setup_nx_1g),
		SIM_TEST(test_strict_report_names_stale_entry, setup_nx_1g),
		SIM_TEST(test_speculate_below_recursive_entry, setup_nx_1g),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
