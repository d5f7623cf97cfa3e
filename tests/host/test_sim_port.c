/*
 * The simulated machine's side of mm/port.h and the bits its MMU writes:
 * table frames zeroed and freed (poisoned), the checks that stop libmm at
 * once on a misaligned entry or a bad table frame (death tests, in a child
 * process), accessed and dirty bits set by walks and never by a fault, and
 * fault injection into the frame allocator inside an op.
 */
#include "sim_fixture.h"

/* The poison byte 0xA5 in every byte of a word. */
#define POISON 0xA5A5A5A5A5A5A5A5ull

/*
 * A frame nobody zeroed holds garbage; table_zero clears a frame by its
 * physical address; table_freed makes it garbage again.
 */
static void test_port_table_zero_and_freed(void **state)
{
	struct mm_sim *sim = *state;
	uint64_t pfn;
	mm_paddr_t pa;
	unsigned i;

	assert_int_equal(mm_frame_alloc(mm_sim_frames(sim), &pfn), MM_OK);
	pa = MM_PFN_TO_PADDR(pfn);
	assert_int_equal(mm_sim_phys_read64(sim, pa), POISON);
	assert_int_equal(mm_sim_phys_read64(sim, pa + MM_FRAME_SIZE - 8u),
			 POISON);
	mm_port_table_zero(sim, pa);
	for (i = 0; i < MM_PT_ENTRIES; i++)
		assert_int_equal(mm_sim_phys_read64(sim, pa + 8u * i), 0);
	mm_port_table_freed(sim, pa);
	for (i = 0; i < MM_PT_ENTRIES; i++)
		assert_int_equal(mm_sim_phys_read64(sim, pa + 8u * i), POISON);
	assert_int_equal(mm_port_cpu_features(sim), MM_SIM_NX | MM_SIM_1G);
}

/* A walk sets A in every entry it uses; a write sets D in the leaf only. */
static void test_walk_sets_accessed_dirty(void **state)
{
	struct mm_sim *sim = *state;
	mm_pte_t ad = MM_PTE_ACCESSED | MM_PTE_DIRTY;
	unsigned l;

	hand_map(sim, VA_A, 0, DATA_A | LEAF);
	for (l = 0; l < MM_PT_LEVELS; l++)
		assert_int_equal(
			mm_sim_phys_read64(sim, entry_pa(sim, VA_A, l)) & ad,
			0);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, NULL), MM_OK);
	for (l = 0; l < MM_PT_LEVELS; l++)
		assert_int_equal(
			mm_sim_phys_read64(sim, entry_pa(sim, VA_A, l)) & ad,
			MM_PTE_ACCESSED);
	/* A hit on a clean cached translation walks again to set D. */
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_WRITE, NULL), MM_OK);
	assert_int_equal(stats(sim).tlb_misses, 1);
	assert_int_equal(mm_sim_phys_read64(sim, entry_pa(sim, VA_A, 0)) & ad,
			 ad);
	for (l = 1; l < MM_PT_LEVELS; l++)
		assert_int_equal(
			mm_sim_phys_read64(sim, entry_pa(sim, VA_A, l)) & ad,
			MM_PTE_ACCESSED);
}

/*
 * The entry in the last 8 bytes of the RAM (entry 511 of a page table in
 * the last frame) gets A on a read and D on a write like any other.
 */
static void test_accessed_dirty_at_end_of_ram(void **state)
{
	struct mm_sim *sim = *state;
	mm_vaddr_t va = VA_A - MM_FRAME_SIZE + 511u * MM_FRAME_SIZE;
	mm_paddr_t last = RAM - 8u;

	hand_map(sim, va, 1, (RAM - MM_FRAME_SIZE) | TABLE);
	mm_sim_phys_write64(sim, last, DATA_A | LEAF);
	assert_int_equal(entry_pa(sim, va, 0), last);
	assert_int_equal(mm_sim_access(sim, va, MM_SIM_READ, NULL), MM_OK);
	assert_int_equal(mm_sim_phys_read64(sim, last),
			 DATA_A | LEAF | MM_PTE_ACCESSED);
	assert_int_equal(mm_sim_access(sim, va, MM_SIM_WRITE, NULL), MM_OK);
	assert_int_equal(mm_sim_phys_read64(sim, last),
			 DATA_A | LEAF | MM_PTE_ACCESSED | MM_PTE_DIRTY);
}

/*
 * A write that hits a clean cached translation whose leaf is gone walks
 * again to set D, finds nothing to mark and still uses the stale entry.
 */
static void test_write_hit_on_stale_clean_entry(void **state)
{
	struct mm_sim *sim = *state;
	mm_paddr_t pte = hand_map(sim, VA_A, 0, DATA_A | LEAF);

	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, NULL), MM_OK);
	mm_sim_phys_write64(sim, pte, 0);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_WRITE, NULL), MM_OK);
	assert_int_equal(stats(sim).stale_hits, 1);
	assert_int_equal(mm_sim_phys_read64(sim, pte), 0);
}

/* A faulting access sets no A bit. */
static void test_walk_fault_sets_nothing(void **state)
{
	struct mm_sim *sim = *state;

	hand_map(sim, VA_A, 0, DATA_A | MM_PTE_PRESENT);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_WRITE, NULL),
			 MM_ERR_INVALID);
	assert_int_equal(mm_sim_phys_read64(sim, entry_pa(sim, VA_A, 0)) &
				 MM_PTE_ACCESSED,
			 0);
}

/* True iff fn(sim, pa) kills the process with SIGABRT (run in a child). */
static bool sim_aborts(struct mm_sim *sim, void (*fn)(void *, mm_paddr_t),
		       mm_paddr_t pa)
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		fclose(stderr); /* the report goes nowhere: quiet run */
		fn(sim, pa);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void pte_read_at(void *sim, mm_paddr_t va)
{
	(void)mm_port_pte_read(sim, va);
}

/* libmm reading a page-table entry at a misaligned address stops at once. */
static void test_port_pte_misaligned_dies(void **state)
{
	struct mm_sim *sim = *state;

	assert_true(sim_aborts(sim, pte_read_at, MM_PTE_VA(3, 0) + 4u));
	assert_false(sim_aborts(sim, pte_read_at, MM_PTE_VA(3, 0)));
}

/*
 * Zeroing or freeing a table frame that is misaligned or beyond the RAM is
 * a libmm bug the simulator stops at once; a good frame passes.
 */
static void test_port_table_frame_checked(void **state)
{
	struct mm_sim *sim = *state;
	mm_pfn_t pfn;

	assert_true(sim_aborts(sim, mm_port_table_zero, 8));
	assert_true(sim_aborts(sim, mm_port_table_zero, RAM));
	assert_true(sim_aborts(sim, mm_port_table_freed, RAM + 4096u));
	assert_int_equal(mm_frame_alloc(mm_sim_frames(sim), &pfn), MM_OK);
	assert_false(sim_aborts(sim, mm_port_table_zero, MM_PFN_TO_PADDR(pfn)));
}

/* Fault injection asked to keep more frames than are free: none is held. */
static void test_fail_alloc_after_more_than_free(void **state)
{
	struct mm_sim *sim = *state;
	struct mm_frames *fa = mm_sim_frames(sim);
	struct mm_frame_stats before, during;

	mm_frame_stats(fa, &before);
	mm_sim_fail_alloc_after(sim, (int64_t)before.free_frames + 5);
	mm_port_op_begin(sim);
	mm_frame_stats(fa, &during);
	mm_port_op_end(sim);
	assert_int_equal(during.free_frames, before.free_frames);
}

/* Fault injection: n allocations succeed inside the op, then NOMEM. */
static void test_fail_alloc_after(void **state)
{
	struct mm_sim *sim = *state;
	struct mm_frames *fa = mm_sim_frames(sim);
	struct mm_frame_stats before, after;
	uint64_t a, b, c;

	mm_frame_stats(fa, &before);
	mm_sim_fail_alloc_after(sim, 2);
	mm_port_op_begin(sim);
	assert_int_equal(mm_frame_alloc(fa, &a), MM_OK);
	assert_int_equal(mm_frame_alloc(fa, &b), MM_OK);
	assert_int_equal(mm_frame_alloc(fa, &c), MM_ERR_NOMEM);
	assert_int_equal(mm_frame_free(fa, a), MM_OK);
	assert_int_equal(mm_frame_free(fa, b), MM_OK);
	mm_port_op_end(sim);
	mm_frame_stats(fa, &after);
	assert_int_equal(after.free_frames, before.free_frames);
	assert_int_equal(mm_frame_check(fa), MM_OK);
	/* Disarmed after one operation. */
	mm_port_op_begin(sim);
	assert_int_equal(mm_frame_alloc(fa, &c), MM_OK);
	assert_int_equal(mm_frame_free(fa, c), MM_OK);
	mm_port_op_end(sim);
}

/* Fault injection with n = 0: the first allocation fails. */
static void test_fail_alloc_after_zero(void **state)
{
	struct mm_sim *sim = *state;
	uint64_t pfn;

	mm_sim_fail_alloc_after(sim, 0);
	mm_port_op_begin(sim);
	assert_int_equal(mm_frame_alloc(mm_sim_frames(sim), &pfn),
			 MM_ERR_NOMEM);
	mm_port_op_end(sim);
	mm_sim_fail_alloc_after(sim, 5);
	mm_sim_fail_alloc_after(sim, -1);
	mm_port_op_begin(sim);
	assert_int_equal(mm_frame_alloc(mm_sim_frames(sim), &pfn), MM_OK);
	mm_port_op_end(sim);
}

#define SIM_TEST(f, setup) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_port_table_zero_and_freed, setup_nx_1g),
		SIM_TEST(test_port_table_frame_checked, setup_nx_1g),
		SIM_TEST(test_port_pte_misaligned_dies, setup_nx_1g),
		SIM_TEST(test_walk_sets_accessed_dirty, setup_nx_1g),
		SIM_TEST(test_accessed_dirty_at_end_of_ram, setup_nx_1g),
		SIM_TEST(test_walk_fault_sets_nothing, setup_nx_1g),
		SIM_TEST(test_write_hit_on_stale_clean_entry, setup_nx_1g),
		SIM_TEST(test_fail_alloc_after_more_than_free, setup_nx_1g),
		SIM_TEST(test_fail_alloc_after, setup_nx_1g),
		SIM_TEST(test_fail_alloc_after_zero, setup_nx_1g),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
