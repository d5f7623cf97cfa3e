/*
 * Paging through the recursive mapping, on the simulated machine in strict
 * TLB mode: mm_vm_init, then mm_map of every page size and its errors
 * (huge-page conflicts, CPUs without NX or 1 GiB pages, attributes, user
 * and NX bits, the recursive window), checked by translating and by reading
 * and writing through the simulated MMU, and mm_translate. Unmap and
 * protect are in test_paging_unmap.c, ranges, fault injection and frame
 * accounting in test_paging_range.c.
 */
#include "paging_fixture.h"

/* mm_vm_init */

/* NULL context or allocator is refused; features come from the port. */
static void test_vm_init_args(void **state)
{
	struct fx *fx = *state;
	struct mm_vm vm;

	assert_int_equal(mm_vm_init(NULL, mm_sim_frames(fx->sim), fx->sim),
			 MM_ERR_INVALID);
	assert_int_equal(mm_vm_init(&vm, NULL, fx->sim), MM_ERR_INVALID);
	assert_int_equal(mm_vm_init(&vm, mm_sim_frames(fx->sim), fx->sim),
			 MM_OK);
	assert_int_equal(vm.features, MM_CPU_NX | MM_CPU_1G);
	assert_ptr_equal(vm.port, fx->sim);
}

/* mm_map / mm_translate */

/* A 4 KiB page: translate, read and write reach its frame. */
static void test_map_4k_read_write(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pa = data_4k(fx);
	unsigned prot = 0;

	assert_int_equal(mm_map(fx->vm, VA_A, pa, KiB4, RW), MM_OK);
	expect_xlate(fx, VA_A + 0x10, pa + 0x10, KiB4);
	fx_wr(fx, VA_A + 0x18, 0x1234);
	assert_int_equal(mm_sim_phys_read64(fx->sim, pa + 0x18), 0x1234);
	assert_int_equal(fx_rd(fx, VA_A + 0x18), 0x1234);
	assert_int_equal(mm_translate(fx->vm, VA_A, NULL, NULL, &prot), MM_OK);
	assert_int_equal(prot, RW);
	assert_int_equal(mm_translate(fx->vm, VA_A + KiB4, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
}

/* A 2 MiB page maps its whole run, translate gives size and offset. */
static void test_map_2m(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pa = data_2m(fx);

	assert_int_equal(mm_map(fx->vm, VA_A, pa, MiB2, RW), MM_OK);
	expect_xlate(fx, VA_A + 0x1FF008, pa + 0x1FF008, MiB2);
	fx_wr(fx, VA_A + 0x1FF008, 77);
	assert_int_equal(mm_sim_phys_read64(fx->sim, pa + 0x1FF008), 77);
	assert_true(entry(fx, 1, VA_A) & MM_PTE_PS);
}

/* A 1 GiB page of the RAM at pa 0 reads every frame by offset. */
static void test_map_1g(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_A, 0, GiB1, 0), MM_OK);
	expect_xlate(fx, VA_A + 0x3FFFF123ull, 0x3FFFF123ull, GiB1);
	mm_sim_phys_write64(fx->sim, 0x123000, 42);
	assert_int_equal(fx_rd(fx, VA_A + 0x123000), 42);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_WRITE), MM_ERR_INVALID);
	assert_true(entry(fx, 2, VA_A) & MM_PTE_PS);
}

/* Two virtual pages on one frame see each other's writes. */
static void test_map_aliasing(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pa = data_4k(fx);

	assert_int_equal(mm_map(fx->vm, VA_A, pa, KiB4, RW), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_B + 0x5000, pa, KiB4, RW), MM_OK);
	fx_wr(fx, VA_A + 0x100, 0xabcdef);
	assert_int_equal(fx_rd(fx, VA_B + 0x5100), 0xabcdef);
	fx_wr(fx, VA_B + 0x5200, 9);
	assert_int_equal(fx_rd(fx, VA_A + 0x200), 9);
}

/* Remapping a page to another frame shows the new frame's contents. */
static void test_map_remap_reads_new_frame(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t a = data_4k(fx), b = data_4k(fx);
	mm_paddr_t got = 0;
	uint64_t size = 0;

	mm_sim_phys_write64(fx->sim, a, 111);
	mm_sim_phys_write64(fx->sim, b, 222);
	assert_int_equal(mm_map(fx->vm, VA_A, a, KiB4, 0), MM_OK);
	assert_int_equal(fx_rd(fx, VA_A), 111);
	assert_int_equal(mm_unmap(fx->vm, VA_A, &got, &size), MM_OK);
	assert_int_equal(got, a);
	assert_int_equal(size, KiB4);
	assert_int_equal(mm_map(fx->vm, VA_A, b, KiB4, 0), MM_OK);
	assert_int_equal(fx_rd(fx, VA_A), 222);
}

/* Bad size, prot, alignment, canonical form and pa are MM_ERR_INVALID. */
static void test_map_invalid_args(void **state)
{
	struct fx *fx = *state;
	struct mm_vm *vm = fx->vm;
	uint64_t before = fx_free_frames(fx);

	assert_int_equal(mm_map(NULL, VA_A, 0, KiB4, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A, 0, 8192, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A, 0, 0, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A, 0, KiB4, 1u << 7), MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A, 0, KiB4, RW | RX), MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A + 8, 0, KiB4, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A, 0x800, KiB4, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A + KiB4, 0, MiB2, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A, KiB4, MiB2, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A + MiB2, 0, GiB1, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A, MiB2, GiB1, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, 0x0000800000000000ull, 0, KiB4, 0),
			 MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A, MM_PHYS_LIMIT, KiB4, 0),
			 MM_ERR_INVALID);
	assert_int_equal(mm_map(vm, VA_A, MM_PHYS_LIMIT - KiB4, MiB2, 0),
			 MM_ERR_INVALID);
	assert_int_equal(fx_free_frames(fx), before);
	assert_int_equal(stats(fx).ops, 0);
}

/* W|X needs MM_PROT_ALLOW_WX; with it the page is writable and executable. */
static void test_map_wx_allowed_explicitly(void **state)
{
	struct fx *fx = *state;
	unsigned prot = 0;

	assert_int_equal(mm_map(fx->vm, VA_A, data_4k(fx), KiB4,
				RW | RX | MM_PROT_ALLOW_WX),
			 MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_WRITE), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_EXEC), MM_OK);
	assert_int_equal(mm_translate(fx->vm, VA_A, NULL, NULL, &prot), MM_OK);
	assert_int_equal(prot, RW | RX | MM_PROT_ALLOW_WX);
}

/* The recursive window cannot be mapped: MM_ERR_OUT_OF_RANGE. */
static void test_map_recursive_window(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, MM_WINDOW_START, 0, KiB4, 0),
			 MM_ERR_OUT_OF_RANGE);
	assert_int_equal(mm_map(fx->vm, MM_RECURSIVE_PML4, 0, KiB4, 0),
			 MM_ERR_OUT_OF_RANGE);
	assert_int_equal(mm_map(fx->vm, MM_WINDOW_END - GiB1, 0, GiB1, 0),
			 MM_ERR_OUT_OF_RANGE);
	assert_int_equal(mm_map(fx->vm, MM_WINDOW_END, 0, KiB4, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, MM_WINDOW_START - KiB4, 0, KiB4, 0),
			 MM_OK);
}

/* Mapping a mapped page is MM_ERR_MAPPED, at every size. */
static void test_map_already_mapped(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A + MiB2, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_B, PA_FAR, GiB1, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A, 0, KiB4, RW), MM_ERR_MAPPED);
	assert_int_equal(mm_map(fx->vm, VA_A + MiB2, 0, MiB2, 0),
			 MM_ERR_MAPPED);
	assert_int_equal(mm_map(fx->vm, VA_B, 0, GiB1, 0), MM_ERR_MAPPED);
	expect_xlate(fx, VA_A, PA_FAR, KiB4);
}

/* Small under huge and huge over tables are MM_ERR_HUGE_CONFLICT. */
static void test_map_huge_conflicts(void **state)
{
	struct fx *fx = *state;
	struct mm_vm *vm = fx->vm;
	uint64_t before;

	assert_int_equal(mm_map(vm, VA_A, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_map(vm, VA_B, PA_FAR, GiB1, 0), MM_OK);
	assert_int_equal(mm_map(vm, VA_A + MiB2 + KiB4, 0, KiB4, 0), MM_OK);
	before = fx_free_frames(fx);
	assert_int_equal(mm_map(vm, VA_A + KiB4, 0, KiB4, 0),
			 MM_ERR_HUGE_CONFLICT);
	assert_int_equal(mm_map(vm, VA_B + 5 * KiB4, 0, KiB4, 0),
			 MM_ERR_HUGE_CONFLICT);
	assert_int_equal(mm_map(vm, VA_B + MiB2, 0, MiB2, 0),
			 MM_ERR_HUGE_CONFLICT);
	assert_int_equal(mm_map(vm, VA_A + MiB2, 0, MiB2, 0),
			 MM_ERR_HUGE_CONFLICT);
	assert_int_equal(mm_map(vm, VA_A, 0, GiB1, 0), MM_ERR_HUGE_CONFLICT);
	assert_int_equal(fx_free_frames(fx), before);
}

/* A CPU without 1 GiB pages: map refuses, map_range falls back to 2 MiB. */
static void test_map_1g_unsupported(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, GiB1, 0),
			 MM_ERR_UNSUPPORTED);
	assert_int_equal(mm_map_range(fx->vm, VA_A, PA_FAR, GiB1, 0), MM_OK);
	expect_xlate(fx, VA_A, PA_FAR, MiB2);
	expect_xlate(fx, VA_A + GiB1 - 8, PA_FAR + GiB1 - 8, MiB2);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A, GiB1), MM_OK);
	assert_int_equal(mm_translate(fx->vm, VA_A, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
}

/* Without NX no entry ever has bit 63 and every page is executable. */
static void test_map_no_nx_cpu(void **state)
{
	struct fx *fx = *state;
	unsigned prot = 0;

	assert_int_equal(mm_map(fx->vm, VA_A, data_4k(fx), KiB4, RW), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_B, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_protect(fx->vm, VA_B, MM_PROT_USER), MM_OK);
	assert_int_equal(
		mm_map_range(fx->vm, VA_A + GiB1, PA_FAR, GiB1 + 3 * KiB4, 0),
		MM_OK);
	assert_false(entry(fx, 0, VA_A) & MM_PTE_NX);
	assert_false(entry(fx, 1, VA_B) & MM_PTE_NX);
	assert_false(entry(fx, 2, VA_A + GiB1) & MM_PTE_NX);
	assert_false(entry(fx, 0, VA_A + 2 * GiB1) & MM_PTE_NX);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_EXEC), MM_OK);
	assert_int_equal(fx_acc(fx, VA_B, MM_SIM_EXEC), MM_OK);
	assert_int_equal(mm_translate(fx->vm, VA_A, NULL, NULL, &prot), MM_OK);
	assert_int_equal(prot, RW | RX | MM_PROT_ALLOW_WX);
}

/* Supervisor and user pages: USER reaches the intermediate entries. */
static void test_map_user_propagates(void **state)
{
	struct fx *fx = *state;
	unsigned level;

	assert_int_equal(mm_map(fx->vm, VA_A, data_4k(fx), KiB4, RW), MM_OK);
	assert_false(entry(fx, 1, VA_A) & MM_PTE_USER);
	assert_int_equal(mm_map(fx->vm, VA_A + KiB4, data_4k(fx), KiB4,
				RW | MM_PROT_USER),
			 MM_OK);
	for (level = 1; level < MM_PT_LEVELS; level++)
		assert_true(entry(fx, level, VA_A) & MM_PTE_USER);
	assert_int_equal(fx_acc(fx, VA_A + KiB4, MM_SIM_WRITE | MM_SIM_USER),
			 MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER),
			 MM_ERR_INVALID);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_WRITE), MM_OK);
}

/* Non-EXEC pages are NX: fetches fault, reads work. */
static void test_map_nx(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_A, data_4k(fx), KiB4, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_B, data_4k(fx), KiB4, RX), MM_OK);
	assert_true(entry(fx, 0, VA_A) & MM_PTE_NX);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_EXEC), MM_ERR_INVALID);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_READ), MM_OK);
	assert_int_equal(fx_acc(fx, VA_B, MM_SIM_EXEC), MM_OK);
	assert_int_equal(fx_acc(fx, VA_B, MM_SIM_WRITE), MM_ERR_INVALID);
}

/* Cache and global attributes land in the entry and come back. */
static void test_map_attributes(void **state)
{
	struct fx *fx = *state;
	unsigned want = MM_PROT_GLOBAL | MM_PROT_NOCACHE |
			MM_PROT_WRITETHROUGH | MM_PROT_USER;
	unsigned prot = 0;
	mm_pte_t pte;

	assert_int_equal(mm_map(fx->vm, VA_HIGH, PA_FAR, MiB2, want), MM_OK);
	pte = entry(fx, 1, VA_HIGH);
	assert_true(pte & MM_PTE_GLOBAL);
	assert_true(pte & MM_PTE_PCD);
	assert_true(pte & MM_PTE_PWT);
	assert_int_equal(mm_translate(fx->vm, VA_HIGH, NULL, NULL, &prot),
			 MM_OK);
	assert_int_equal(prot, want);
}

/* Translate refuses non-canonical addresses and reads the window too. */
static void test_translate_window_and_errors(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_translate(NULL, VA_A, NULL, NULL, NULL),
			 MM_ERR_INVALID);
	assert_int_equal(
		mm_translate(fx->vm, 0x0001000000000000ull, NULL, NULL, NULL),
		MM_ERR_INVALID);
	expect_xlate(fx, MM_RECURSIVE_PML4 + 8, mm_sim_cr3(fx->sim) + 8, KiB4);
	assert_int_equal(
		mm_translate(fx->vm, MM_PT_TABLE_VA(0, VA_A), NULL, NULL, NULL),
		MM_ERR_NOT_MAPPED);
}

#define T(f)	   cmocka_unit_test_setup_teardown(f, setup, teardown)
#define T_NO_NX(f) cmocka_unit_test_setup_teardown(f, setup_no_nx, teardown)
#define T_NO_1G(f) cmocka_unit_test_setup_teardown(f, setup_no_1g, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vm_init_args),
		T(test_map_4k_read_write),
		T(test_map_2m),
		T(test_map_1g),
		T(test_map_aliasing),
		T(test_map_remap_reads_new_frame),
		T(test_map_invalid_args),
		T(test_map_wx_allowed_explicitly),
		T(test_map_recursive_window),
		T(test_map_already_mapped),
		T(test_map_huge_conflicts),
		T_NO_1G(test_map_1g_unsupported),
		T_NO_NX(test_map_no_nx_cpu),
		T(test_map_user_propagates),
		T(test_map_nx),
		T(test_map_attributes),
		T(test_translate_window_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
