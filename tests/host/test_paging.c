/*
 * Paging through the recursive mapping, on the simulated machine in strict
 * TLB mode: every operation, page size and error of mm/paging.h, checked by
 * translating and by reading and writing through the simulated MMU;
 * invalidation counts; table life cycle and frame accounting; CPUs without
 * NX or 1 GiB pages; fault injection on every table allocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mm/paging.h"
#include "mm/pte.h"
#include "mm_sim.h"
#include "vm_fixture.h"

#define KiB4 MM_PAGE_4K
#define MiB2 MM_PAGE_2M
#define GiB1 MM_PAGE_1G
#define RW   MM_PROT_WRITE
#define RX   MM_PROT_EXEC
#define AD   (MM_PTE_ACCESSED | MM_PTE_DIRTY)

/* Regions with nothing mapped at the start of a test (lower half). */
#define VA_A	0x0000100000000000ull /* PML4 32 */
#define VA_B	0x0000200000000000ull /* PML4 64 */
#define VA_HIGH 0xFFFF800000000000ull
#define PA_FAR	0x0000000100000000ull /* 4 GiB: beyond the RAM */

/* Helpers. */

static struct mm_sim_stats stats(const struct fx *fx)
{
	struct mm_sim_stats st;

	mm_sim_stats(fx->sim, &st);
	return st;
}

static uint64_t free_frames(const struct fx *fx)
{
	struct mm_frame_stats fs;

	mm_frame_stats(mm_sim_frames(fx->sim), &fs);
	return fs.free_frames;
}

/* A data frame (4 KiB) or a 2 MiB-aligned run, from the allocator. */
static mm_paddr_t data_4k(const struct fx *fx)
{
	uint64_t pfn;

	assert_int_equal(mm_frame_alloc(mm_sim_frames(fx->sim), &pfn), MM_OK);
	return MM_PFN_TO_PADDR(pfn);
}

static mm_paddr_t data_2m(const struct fx *fx)
{
	uint64_t pfn;

	assert_int_equal(mm_frame_alloc_contig(mm_sim_frames(fx->sim),
					       MM_FRAMES_2M, MM_FRAMES_2M,
					       MM_FRAME_NO_LIMIT, &pfn),
			 MM_OK);
	return MM_PFN_TO_PADDR(pfn);
}

static uint64_t rd(const struct fx *fx, mm_vaddr_t va)
{
	uint64_t v = 0;

	assert_int_equal(mm_sim_read64(fx->sim, va, &v), MM_OK);
	return v;
}

static void wr(const struct fx *fx, mm_vaddr_t va, uint64_t v)
{
	assert_int_equal(mm_sim_write64(fx->sim, va, v), MM_OK);
}

static mm_status_t acc(const struct fx *fx, mm_vaddr_t va, unsigned access)
{
	return mm_sim_access(fx->sim, va, access, NULL);
}

/* The raw entry of `level` for va, read through the window. */
static mm_pte_t entry(const struct fx *fx, unsigned level, mm_vaddr_t va)
{
	return mm_port_pte_read(fx->sim, MM_PTE_VA(level, va));
}

static void expect_xlate(const struct fx *fx, mm_vaddr_t va, mm_paddr_t pa,
			 uint64_t size)
{
	mm_paddr_t got_pa = 0;
	uint64_t got_size = 0;

	assert_int_equal(mm_translate(fx->vm, va, &got_pa, &got_size, NULL),
			 MM_OK);
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_size, size);
}

/*
 * Snapshot of the whole simulated RAM, to prove a failure changed nothing
 * but the accessed / dirty bits the simulated MMU sets on its own.
 */
static uint8_t *snapshot(const struct fx *fx)
{
	uint8_t *copy = malloc(mm_sim_ram_bytes(fx->sim));

	assert_non_null(copy);
	memcpy(copy, mm_sim_ram(fx->sim), mm_sim_ram_bytes(fx->sim));
	return copy;
}

static void expect_unchanged(const struct fx *fx, uint8_t *copy)
{
	const uint8_t *ram = mm_sim_ram(fx->sim);
	uint64_t i, was, now, diffs = 0;

	for (i = 0; i < mm_sim_ram_bytes(fx->sim); i += 8u) {
		memcpy(&was, copy + i, sizeof(was));
		memcpy(&now, ram + i, sizeof(now));
		diffs += ((was ^ now) & ~(uint64_t)AD) != 0;
	}
	free(copy);
	assert_int_equal(diffs, 0);
}

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
	wr(fx, VA_A + 0x18, 0x1234);
	assert_int_equal(mm_sim_phys_read64(fx->sim, pa + 0x18), 0x1234);
	assert_int_equal(rd(fx, VA_A + 0x18), 0x1234);
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
	wr(fx, VA_A + 0x1FF008, 77);
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
	assert_int_equal(rd(fx, VA_A + 0x123000), 42);
	assert_int_equal(acc(fx, VA_A, MM_SIM_WRITE), MM_ERR_INVALID);
	assert_true(entry(fx, 2, VA_A) & MM_PTE_PS);
}

/* Two virtual pages on one frame see each other's writes. */
static void test_map_aliasing(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pa = data_4k(fx);

	assert_int_equal(mm_map(fx->vm, VA_A, pa, KiB4, RW), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_B + 0x5000, pa, KiB4, RW), MM_OK);
	wr(fx, VA_A + 0x100, 0xabcdef);
	assert_int_equal(rd(fx, VA_B + 0x5100), 0xabcdef);
	wr(fx, VA_B + 0x5200, 9);
	assert_int_equal(rd(fx, VA_A + 0x200), 9);
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
	assert_int_equal(rd(fx, VA_A), 111);
	assert_int_equal(mm_unmap(fx->vm, VA_A, &got, &size), MM_OK);
	assert_int_equal(got, a);
	assert_int_equal(size, KiB4);
	assert_int_equal(mm_map(fx->vm, VA_A, b, KiB4, 0), MM_OK);
	assert_int_equal(rd(fx, VA_A), 222);
}

/* Bad size, prot, alignment, canonical form and pa are MM_ERR_INVALID. */
static void test_map_invalid_args(void **state)
{
	struct fx *fx = *state;
	struct mm_vm *vm = fx->vm;
	uint64_t before = free_frames(fx);

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
	assert_int_equal(free_frames(fx), before);
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
	assert_int_equal(acc(fx, VA_A, MM_SIM_WRITE), MM_OK);
	assert_int_equal(acc(fx, VA_A, MM_SIM_EXEC), MM_OK);
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
	before = free_frames(fx);
	assert_int_equal(mm_map(vm, VA_A + KiB4, 0, KiB4, 0),
			 MM_ERR_HUGE_CONFLICT);
	assert_int_equal(mm_map(vm, VA_B + 5 * KiB4, 0, KiB4, 0),
			 MM_ERR_HUGE_CONFLICT);
	assert_int_equal(mm_map(vm, VA_B + MiB2, 0, MiB2, 0),
			 MM_ERR_HUGE_CONFLICT);
	assert_int_equal(mm_map(vm, VA_A + MiB2, 0, MiB2, 0),
			 MM_ERR_HUGE_CONFLICT);
	assert_int_equal(mm_map(vm, VA_A, 0, GiB1, 0), MM_ERR_HUGE_CONFLICT);
	assert_int_equal(free_frames(fx), before);
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
	assert_int_equal(acc(fx, VA_A, MM_SIM_EXEC), MM_OK);
	assert_int_equal(acc(fx, VA_B, MM_SIM_EXEC), MM_OK);
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
	assert_int_equal(acc(fx, VA_A + KiB4, MM_SIM_WRITE | MM_SIM_USER),
			 MM_OK);
	assert_int_equal(acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER),
			 MM_ERR_INVALID);
	assert_int_equal(acc(fx, VA_A, MM_SIM_WRITE), MM_OK);
}

/* Non-EXEC pages are NX: fetches fault, reads work. */
static void test_map_nx(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_A, data_4k(fx), KiB4, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_B, data_4k(fx), KiB4, RX), MM_OK);
	assert_true(entry(fx, 0, VA_A) & MM_PTE_NX);
	assert_int_equal(acc(fx, VA_A, MM_SIM_EXEC), MM_ERR_INVALID);
	assert_int_equal(acc(fx, VA_A, MM_SIM_READ), MM_OK);
	assert_int_equal(acc(fx, VA_B, MM_SIM_EXEC), MM_OK);
	assert_int_equal(acc(fx, VA_B, MM_SIM_WRITE), MM_ERR_INVALID);
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

/* mm_unmap */

/* Unmap returns what was mapped; the page then faults. */
static void test_unmap_sizes(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pa = 0;
	uint64_t size = 0;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_B, PA_FAR, GiB1, 0), MM_OK);
	assert_int_equal(acc(fx, VA_A, MM_SIM_READ), MM_OK);
	assert_int_equal(mm_unmap(fx->vm, VA_A, &pa, &size), MM_OK);
	assert_int_equal(pa, PA_FAR);
	assert_int_equal(size, MiB2);
	assert_int_equal(mm_unmap(fx->vm, VA_B, NULL, &size), MM_OK);
	assert_int_equal(size, GiB1);
	assert_int_equal(acc(fx, VA_A, MM_SIM_READ), MM_ERR_NOT_MAPPED);
	assert_int_equal(acc(fx, VA_B, MM_SIM_READ), MM_ERR_NOT_MAPPED);
}

/* Unmap errors: not mapped, inside a huge page, misaligned, window. */
static void test_unmap_errors(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_unmap(NULL, VA_A, NULL, NULL), MM_ERR_INVALID);
	assert_int_equal(mm_unmap(fx->vm, VA_B, NULL, NULL), MM_ERR_NOT_MAPPED);
	assert_int_equal(mm_unmap(fx->vm, VA_A + KiB4, NULL, NULL),
			 MM_ERR_INVALID);
	assert_int_equal(mm_unmap(fx->vm, VA_A + 8, NULL, NULL),
			 MM_ERR_INVALID);
	assert_int_equal(mm_unmap(fx->vm, 0x0000800000000000ull, NULL, NULL),
			 MM_ERR_INVALID);
	assert_int_equal(mm_unmap(fx->vm, MM_RECURSIVE_PML4, NULL, NULL),
			 MM_ERR_OUT_OF_RANGE);
	expect_xlate(fx, VA_A, PA_FAR, MiB2);
}

/* Mapping and unmapping everything gives every table frame back. */
static void test_unmap_frees_tables(void **state)
{
	struct fx *fx = *state;
	uint64_t before = free_frames(fx);

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(free_frames(fx), before - 3);
	assert_int_equal(mm_map(fx->vm, VA_A + KiB4, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A + GiB1, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(free_frames(fx), before - 4);
	assert_int_equal(mm_unmap(fx->vm, VA_A, NULL, NULL), MM_OK);
	assert_int_equal(free_frames(fx), before - 4);
	assert_int_equal(mm_unmap(fx->vm, VA_A + KiB4, NULL, NULL), MM_OK);
	assert_int_equal(free_frames(fx), before - 2);
	assert_int_equal(mm_unmap(fx->vm, VA_A + GiB1, NULL, NULL), MM_OK);
	assert_int_equal(free_frames(fx), before);
	assert_int_equal(entry(fx, 3, VA_A), 0);
}

/* Freeing tables invalidates their window addresses: one invlpg each. */
static void test_unmap_invalidates_freed_tables(void **state)
{
	struct fx *fx = *state;
	unsigned level;
	uint64_t before;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, KiB4, 0), MM_OK);
	for (level = 0; level < MM_PT_TOP; level++) {
		assert_int_equal(
			acc(fx, MM_PT_TABLE_VA(level, VA_A), MM_SIM_READ),
			MM_OK);
		assert_true(
			mm_sim_tlb_has(fx->sim, MM_PT_TABLE_VA(level, VA_A)));
	}
	before = stats(fx).invlpg;
	assert_int_equal(mm_unmap(fx->vm, VA_A, NULL, NULL), MM_OK);
	assert_int_equal(stats(fx).invlpg - before, 1 + 3);
	for (level = 0; level < MM_PT_TOP; level++)
		assert_false(
			mm_sim_tlb_has(fx->sim, MM_PT_TABLE_VA(level, VA_A)));
	assert_false(mm_sim_tlb_has(fx->sim, VA_A));
}

/* Unmap of one page among others: exactly one invlpg per size. */
static void test_unmap_invlpg_counts(void **state)
{
	struct fx *fx = *state;
	uint64_t before;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A + KiB4, PA_FAR, KiB4, 0), MM_OK);
	before = stats(fx).invlpg;
	assert_int_equal(mm_unmap(fx->vm, VA_A, NULL, NULL), MM_OK);
	assert_int_equal(stats(fx).invlpg - before, 1);
	/* A huge page is also a leaf of the window: one invlpg per alias. */
	assert_int_equal(mm_map(fx->vm, VA_A + MiB2, PA_FAR, MiB2, 0), MM_OK);
	before = stats(fx).invlpg;
	assert_int_equal(mm_unmap(fx->vm, VA_A + MiB2, NULL, NULL), MM_OK);
	assert_int_equal(stats(fx).invlpg - before, 2);
	assert_int_equal(mm_map(fx->vm, VA_A + GiB1, PA_FAR, GiB1, 0), MM_OK);
	before = stats(fx).invlpg;
	assert_int_equal(mm_unmap(fx->vm, VA_A + GiB1, NULL, NULL), MM_OK);
	assert_int_equal(stats(fx).invlpg - before, 3);
	assert_int_equal(stats(fx).full_flush, 0);
}

/* After a 2 MiB page goes, a new table at its place is really zeroed. */
static void test_unmap_huge_then_small(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t big = data_2m(fx);

	mm_sim_phys_write64(fx->sim, big, 0x5555);
	mm_sim_phys_write64(fx->sim, big + 8, 0);
	assert_int_equal(mm_map(fx->vm, VA_A, big, MiB2, 0), MM_OK);
	/* Cache the window alias of the huge page, as a CPU may. */
	assert_int_equal(acc(fx, MM_PT_TABLE_VA(0, VA_A), MM_SIM_READ), MM_OK);
	assert_int_equal(mm_unmap(fx->vm, VA_A, NULL, NULL), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A + KiB4, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_sim_phys_read64(fx->sim, big), 0x5555);
	assert_int_equal(mm_sim_phys_read64(fx->sim, big + 8), 0);
	expect_xlate(fx, VA_A + KiB4, PA_FAR, KiB4);
	assert_int_equal(mm_translate(fx->vm, VA_A, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
}

/* A global page is still invalidated by unmap (invlpg drops globals). */
static void test_unmap_global(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_HIGH, PA_FAR, KiB4, MM_PROT_GLOBAL),
			 MM_OK);
	assert_int_equal(acc(fx, VA_HIGH, MM_SIM_READ), MM_OK);
	mm_sim_flush_all(fx->sim);
	assert_true(mm_sim_tlb_has(fx->sim, VA_HIGH));
	assert_int_equal(mm_unmap(fx->vm, VA_HIGH, NULL, NULL), MM_OK);
	assert_false(mm_sim_tlb_has(fx->sim, VA_HIGH));
	assert_int_equal(acc(fx, VA_HIGH, MM_SIM_READ), MM_ERR_NOT_MAPPED);
}

/* mm_protect */

/* Read-only, then writable again; one invlpg per change, none if equal. */
static void test_protect_4k(void **state)
{
	struct fx *fx = *state;
	uint64_t before;

	assert_int_equal(mm_map(fx->vm, VA_A, data_4k(fx), KiB4, RW), MM_OK);
	wr(fx, VA_A, 1);
	/* The simulated MMU recorded the write: A and D, kept by protect. */
	assert_int_equal(entry(fx, 0, VA_A) & AD, AD);
	before = stats(fx).invlpg;
	assert_int_equal(mm_protect(fx->vm, VA_A, 0), MM_OK);
	assert_int_equal(entry(fx, 0, VA_A) & AD, AD);
	assert_int_equal(stats(fx).invlpg - before, 1);
	assert_int_equal(acc(fx, VA_A, MM_SIM_WRITE), MM_ERR_INVALID);
	assert_int_equal(rd(fx, VA_A), 1);
	assert_int_equal(mm_protect(fx->vm, VA_A, 0), MM_OK);
	assert_int_equal(stats(fx).invlpg - before, 1);
	assert_int_equal(mm_protect(fx->vm, VA_A, RW), MM_OK);
	wr(fx, VA_A, 2);
	assert_int_equal(mm_protect(fx->vm, VA_A, RX), MM_OK);
	assert_int_equal(acc(fx, VA_A, MM_SIM_EXEC), MM_OK);
	assert_int_equal(acc(fx, VA_A, MM_SIM_WRITE), MM_ERR_INVALID);
}

/* Protect to USER opens the page (and its tables) to user mode. */
static void test_protect_user(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_A, data_4k(fx), KiB4, 0), MM_OK);
	assert_int_equal(acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER),
			 MM_ERR_INVALID);
	assert_int_equal(mm_protect(fx->vm, VA_A, MM_PROT_USER), MM_OK);
	assert_int_equal(acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER), MM_OK);
	assert_int_equal(mm_protect(fx->vm, VA_A, 0), MM_OK);
	assert_int_equal(acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER),
			 MM_ERR_INVALID);
}

/* Huge pages keep their address and size under protect. */
static void test_protect_huge(void **state)
{
	struct fx *fx = *state;
	uint64_t before;

	assert_int_equal(mm_map(fx->vm, VA_A, data_2m(fx), MiB2, RW), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_B, PA_FAR, GiB1, RW), MM_OK);
	assert_int_equal(acc(fx, VA_A, MM_SIM_WRITE), MM_OK);
	before = stats(fx).invlpg;
	assert_int_equal(mm_protect(fx->vm, VA_A, 0), MM_OK);
	assert_int_equal(stats(fx).invlpg - before, 2);
	assert_int_equal(mm_protect(fx->vm, VA_B, RX), MM_OK);
	assert_int_equal(stats(fx).invlpg - before, 2 + 3);
	assert_int_equal(acc(fx, VA_A + 0x1000, MM_SIM_WRITE), MM_ERR_INVALID);
	assert_int_equal(acc(fx, VA_B + MiB2, MM_SIM_EXEC), MM_OK);
	assert_int_equal(acc(fx, VA_B, MM_SIM_WRITE), MM_ERR_INVALID);
	expect_xlate(fx, VA_B + 0x1234, PA_FAR + 0x1234, GiB1);
}

/* Protect errors leave the page as it was. */
static void test_protect_errors(void **state)
{
	struct fx *fx = *state;
	unsigned prot = 0;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, MiB2, RW), MM_OK);
	assert_int_equal(mm_protect(NULL, VA_A, 0), MM_ERR_INVALID);
	assert_int_equal(mm_protect(fx->vm, VA_A, RW | RX), MM_ERR_INVALID);
	assert_int_equal(mm_protect(fx->vm, VA_A, 1u << 9), MM_ERR_INVALID);
	assert_int_equal(mm_protect(fx->vm, VA_A + KiB4, 0), MM_ERR_INVALID);
	assert_int_equal(mm_protect(fx->vm, VA_A + 1, 0), MM_ERR_INVALID);
	assert_int_equal(mm_protect(fx->vm, VA_B, 0), MM_ERR_NOT_MAPPED);
	assert_int_equal(mm_protect(fx->vm, MM_WINDOW_START, 0),
			 MM_ERR_OUT_OF_RANGE);
	assert_int_equal(mm_translate(fx->vm, VA_A, NULL, NULL, &prot), MM_OK);
	assert_int_equal(prot, RW);
}

/* mm_map_range / mm_unmap_range */

/* The largest pages that fit: 4K up to 2M alignment, 1G, 2M, 4K tail. */
static void test_map_range_page_sizes(void **state)
{
	struct fx *fx = *state;
	mm_vaddr_t va = VA_A + GiB1 - MiB2 - 2 * KiB4;
	mm_paddr_t pa = PA_FAR + GiB1 - MiB2 - 2 * KiB4;
	uint64_t len = 2 * KiB4 + MiB2 + GiB1 + MiB2 + KiB4;

	assert_int_equal(mm_map_range(fx->vm, va, pa, len, RW), MM_OK);
	expect_xlate(fx, va, pa, KiB4);
	expect_xlate(fx, va + KiB4, pa + KiB4, KiB4);
	expect_xlate(fx, va + 2 * KiB4, pa + 2 * KiB4, MiB2);
	expect_xlate(fx, VA_A + GiB1, PA_FAR + GiB1, GiB1);
	expect_xlate(fx, VA_A + 2 * GiB1, PA_FAR + 2 * GiB1, MiB2);
	expect_xlate(fx, VA_A + 2 * GiB1 + MiB2, PA_FAR + 2 * GiB1 + MiB2,
		     KiB4);
	assert_int_equal(mm_translate(fx->vm, va + len, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
	assert_int_equal(mm_unmap_range(fx->vm, va, len), MM_OK);
	assert_int_equal(mm_translate(fx->vm, VA_A + GiB1, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
}

/* Misaligned pa forces 4 KiB pages even over an aligned va. */
static void test_map_range_pa_alignment(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map_range(fx->vm, VA_A, PA_FAR + KiB4, MiB2, 0),
			 MM_OK);
	expect_xlate(fx, VA_A + MiB2 - KiB4, PA_FAR + MiB2, KiB4);
}

/* 512 pages into an empty region: no full flush and no invlpg at all. */
static void test_map_range_no_flush(void **state)
{
	struct fx *fx = *state;
	unsigned i;

	for (i = 0; i < 512; i++)
		assert_int_equal(mm_map(fx->vm, VA_A + i * KiB4,
					PA_FAR + i * KiB4, KiB4, RW),
				 MM_OK);
	assert_int_equal(mm_map_range(fx->vm, VA_B + KiB4, PA_FAR, MiB2, 0),
			 MM_OK);
	assert_int_equal(stats(fx).invlpg, 0);
	assert_int_equal(stats(fx).full_flush, 0);
	expect_xlate(fx, VA_A + 511 * KiB4, PA_FAR + 511 * KiB4, KiB4);
}

/* Range errors: nothing is mapped when any page is taken or args are bad. */
static void test_map_range_errors(void **state)
{
	struct fx *fx = *state;
	struct mm_vm *vm = fx->vm;
	uint64_t before;

	assert_int_equal(mm_map(vm, VA_A + 3 * KiB4, PA_FAR, KiB4, 0), MM_OK);
	before = free_frames(fx);
	assert_int_equal(mm_map_range(vm, VA_A, 0, 8 * KiB4, 0), MM_ERR_MAPPED);
	assert_int_equal(mm_map_range(NULL, VA_A, 0, KiB4, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map_range(vm, VA_B, 0, 0, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map_range(vm, VA_B, 0, 100, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map_range(vm, VA_B + 1, 0, KiB4, 0),
			 MM_ERR_INVALID);
	assert_int_equal(mm_map_range(vm, VA_B, 1, KiB4, 0), MM_ERR_INVALID);
	assert_int_equal(mm_map_range(vm, VA_B, 0, KiB4, RW | RX),
			 MM_ERR_INVALID);
	assert_int_equal(
		mm_map_range(vm, 0x00007FFFFFFFF000ull, 0, 2 * KiB4, 0),
		MM_ERR_INVALID);
	assert_int_equal(
		mm_map_range(vm, 0xFFFFFFFFFFFFF000ull, 0, 2 * KiB4, 0),
		MM_ERR_INVALID);
	assert_int_equal(
		mm_map_range(vm, VA_B, MM_PHYS_LIMIT - KiB4, 2 * KiB4, 0),
		MM_ERR_INVALID);
	assert_int_equal(
		mm_map_range(vm, MM_WINDOW_START - KiB4, 0, 2 * KiB4, 0),
		MM_ERR_OUT_OF_RANGE);
	assert_int_equal(free_frames(fx), before);
	assert_int_equal(mm_translate(vm, VA_A, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
}

/* A range hitting a huge page is refused as a conflict. */
static void test_map_range_huge_conflict(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_A + MiB2, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_map_range(fx->vm, VA_A, 0, MiB2 + KiB4, 0),
			 MM_ERR_HUGE_CONFLICT);
	assert_int_equal(mm_translate(fx->vm, VA_A, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
}

/* Unmap range removes every page inside, skipping holes. */
static void test_unmap_range_holes(void **state)
{
	struct fx *fx = *state;
	uint64_t before = free_frames(fx);

	assert_int_equal(mm_map(fx->vm, VA_A + KiB4, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A + MiB2, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A + GiB1, PA_FAR, GiB1, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_B, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A, VA_B - VA_A), MM_OK);
	assert_int_equal(mm_translate(fx->vm, VA_A + GiB1, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
	assert_int_equal(mm_translate(fx->vm, VA_A + MiB2, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
	expect_xlate(fx, VA_B, PA_FAR, KiB4);
	assert_int_equal(mm_unmap_range(fx->vm, VA_B, KiB4), MM_OK);
	assert_int_equal(free_frames(fx), before);
	/* An empty range is fine too. */
	assert_int_equal(mm_unmap_range(fx->vm, VA_A, GiB1), MM_OK);
}

/* A huge page straddling either end is a conflict; nothing is unmapped. */
static void test_unmap_range_straddle(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, MiB2, 0), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A + MiB2, PA_FAR, KiB4, 0), MM_OK);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A + KiB4, MiB2),
			 MM_ERR_HUGE_CONFLICT);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A - KiB4, 2 * KiB4),
			 MM_ERR_HUGE_CONFLICT);
	expect_xlate(fx, VA_A + MiB2, PA_FAR, KiB4);
	expect_xlate(fx, VA_A, PA_FAR, MiB2);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A, MiB2 + KiB4), MM_OK);
	assert_int_equal(mm_translate(fx->vm, VA_A + MiB2, NULL, NULL, NULL),
			 MM_ERR_NOT_MAPPED);
}

/* Unmap range argument errors. */
static void test_unmap_range_errors(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(mm_unmap_range(NULL, VA_A, KiB4), MM_ERR_INVALID);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A, 0), MM_ERR_INVALID);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A + 8, KiB4),
			 MM_ERR_INVALID);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A, KiB4 + 1),
			 MM_ERR_INVALID);
	assert_int_equal(
		mm_unmap_range(fx->vm, 0x00007FFFFFFFF000ull, 2 * KiB4),
		MM_ERR_INVALID);
	assert_int_equal(mm_unmap_range(fx->vm, MM_WINDOW_END - KiB4, KiB4),
			 MM_ERR_OUT_OF_RANGE);
	/* Ranges ending at the canonical hole or at the window are fine. */
	assert_int_equal(mm_unmap_range(fx->vm, 0x00007FFFFFFFF000ull, KiB4),
			 MM_OK);
	assert_int_equal(mm_unmap_range(fx->vm, MM_WINDOW_START - KiB4, KiB4),
			 MM_OK);
	/* Up to the very top of the address space is valid. */
	assert_int_equal(mm_map(fx->vm, 0xFFFFFFFFFFE00000ull, PA_FAR, MiB2, 0),
			 MM_OK);
	assert_int_equal(mm_unmap_range(fx->vm, 0xFFFFFFFFFFFFF000ull, KiB4),
			 MM_ERR_HUGE_CONFLICT);
	assert_int_equal(
		mm_unmap_range(fx->vm, 0xFFFFFFFF80000000ull, 0x80000000ull),
		MM_OK);
	assert_int_equal(
		mm_translate(fx->vm, 0xFFFFFFFFFFE00000ull, NULL, NULL, NULL),
		MM_ERR_NOT_MAPPED);
}

/*
 * Both range calls refuse [va, va + length) when it wraps past 2^64, ends
 * in or starts in the non-canonical hole, or spans both halves; nothing
 * changes.
 */
static void test_range_bounds_invalid(void **state)
{
	static const struct {
		mm_vaddr_t va;
		uint64_t length;
	} bad[] = {
		{0xFFFFFFFFFFFFF000ull, 2 * KiB4},		/* wraps */
		{0xFFFFFFFFFFE00000ull, 0xFFFFFFFFFFE00000ull}, /* wraps */
		{0x00007FFFFFFFF000ull, 2 * KiB4},		/* last byte */
		{0x00007FFFFFE00000ull, GiB1},			/* last byte */
		{0x0000800000000000ull, KiB4},			/* va */
		{0xFFFF7FFFFFFFF000ull, 2 * KiB4},		/* va */
		{0x0000000000001000ull, 0xFFFF800000000000ull}, /* halves */
	};
	struct fx *fx = *state;
	uint64_t before = free_frames(fx);
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
			mm_map_range(fx->vm, bad[i].va, 0, bad[i].length, 0),
			MM_ERR_INVALID);
		assert_int_equal(
			mm_unmap_range(fx->vm, bad[i].va, bad[i].length),
			MM_ERR_INVALID);
	}
	assert_int_equal(free_frames(fx), before);
	assert_int_equal(stats(fx).invlpg, 0);
}

/* Fault injection */

/*
 * Make allocation n fail for n = 0 .. tables - 1 while mapping one page
 * that needs `tables` new tables, then let it succeed.
 */
static void inject_map(struct fx *fx, mm_vaddr_t va, uint64_t size,
		       unsigned tables)
{
	unsigned n;

	for (n = 0; n < tables; n++) {
		uint64_t before = free_frames(fx);
		uint8_t *copy = snapshot(fx);

		mm_sim_fail_alloc_after(fx->sim, n);
		assert_int_equal(mm_map(fx->vm, va, PA_FAR, size, RW),
				 MM_ERR_NOMEM);
		assert_int_equal(free_frames(fx), before);
		expect_unchanged(fx, copy);
		assert_int_equal(mm_frame_check(mm_sim_frames(fx->sim)), MM_OK);
	}
	mm_sim_fail_alloc_after(fx->sim, tables);
	assert_int_equal(mm_map(fx->vm, va, PA_FAR, size, RW), MM_OK);
}

/* Maps needing 3, 2, 1 and 0 tables fail cleanly at every allocation. */
static void test_inject_map(void **state)
{
	struct fx *fx = *state;
	uint64_t before = free_frames(fx);

	inject_map(fx, VA_A, KiB4, 3);
	inject_map(fx, VA_A + GiB1, KiB4, 2);
	inject_map(fx, VA_A + MiB2, KiB4, 1);
	inject_map(fx, VA_A + KiB4, KiB4, 0);
	inject_map(fx, VA_B, MiB2, 2);
	inject_map(fx, VA_HIGH, GiB1, 1);
	assert_int_equal(free_frames(fx), before - 6 - 1 - 2);
	assert_int_equal(mm_unmap_range(fx->vm, VA_A, VA_B - VA_A + MiB2),
			 MM_OK);
	assert_int_equal(mm_unmap(fx->vm, VA_HIGH, NULL, NULL), MM_OK);
	assert_int_equal(free_frames(fx), before);
}

/* A user range that fails halfway takes back pages, tables and U bits. */
static void test_inject_map_range(void **state)
{
	struct fx *fx = *state;
	/* Four 4K pages across a 1 GiB line: PT, then PD + PT, are needed. */
	mm_vaddr_t va = VA_A + GiB1 - 2 * KiB4;
	mm_paddr_t pa = PA_FAR + KiB4;
	unsigned n, need = 3;
	uint64_t before;

	assert_int_equal(mm_map(fx->vm, VA_A, PA_FAR, KiB4, 0), MM_OK);
	before = free_frames(fx);
	for (n = 0; n < need; n++) {
		uint8_t *copy = snapshot(fx);

		mm_sim_fail_alloc_after(fx->sim, n);
		assert_int_equal(
			mm_map_range(fx->vm, va, pa, 4 * KiB4, MM_PROT_USER),
			MM_ERR_NOMEM);
		assert_int_equal(free_frames(fx), before);
		expect_unchanged(fx, copy);
	}
	mm_sim_fail_alloc_after(fx->sim, need);
	assert_int_equal(mm_map_range(fx->vm, va, pa, 4 * KiB4, MM_PROT_USER),
			 MM_OK);
	assert_int_equal(free_frames(fx), before - need);
	assert_int_equal(acc(fx, va, MM_SIM_READ | MM_SIM_USER), MM_OK);
	assert_int_equal(acc(fx, va + 3 * KiB4, MM_SIM_READ | MM_SIM_USER),
			 MM_OK);
	assert_int_equal(acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER),
			 MM_ERR_INVALID);
}

/* Map and unmap a mixture; every table frame comes back. */
static void test_frame_accounting(void **state)
{
	struct fx *fx = *state;
	uint64_t before = free_frames(fx);
	unsigned i;

	for (i = 0; i < 40; i++)
		assert_int_equal(mm_map(fx->vm, VA_A + i * 0x201000ull, PA_FAR,
					KiB4, MM_PROT_USER),
				 MM_OK);
	assert_int_equal(
		mm_map_range(fx->vm, VA_B - MiB2, 0, GiB1 + 2 * MiB2, RW),
		MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_HIGH, PA_FAR, GiB1, 0), MM_OK);
	assert_true(free_frames(fx) < before);
	for (i = 0; i < 40; i++)
		assert_int_equal(
			mm_unmap(fx->vm, VA_A + i * 0x201000ull, NULL, NULL),
			MM_OK);
	assert_int_equal(mm_unmap_range(fx->vm, VA_B - MiB2, GiB1 + 2 * MiB2),
			 MM_OK);
	assert_int_equal(mm_unmap(fx->vm, VA_HIGH, NULL, NULL), MM_OK);
	assert_int_equal(free_frames(fx), before);
	assert_int_equal(stats(fx).full_flush, 0);
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
		T(test_unmap_sizes),
		T(test_unmap_errors),
		T(test_unmap_frees_tables),
		T(test_unmap_invalidates_freed_tables),
		T(test_unmap_invlpg_counts),
		T(test_unmap_huge_then_small),
		T(test_unmap_global),
		T(test_protect_4k),
		T(test_protect_user),
		T(test_protect_huge),
		T(test_protect_errors),
		T(test_map_range_page_sizes),
		T(test_map_range_pa_alignment),
		T(test_map_range_no_flush),
		T(test_map_range_errors),
		T(test_map_range_huge_conflict),
		T(test_unmap_range_holes),
		T(test_unmap_range_straddle),
		T(test_unmap_range_errors),
		T(test_range_bounds_invalid),
		T(test_inject_map),
		T(test_inject_map_range),
		T(test_frame_accounting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
