/*
 * The user-pointer check (mm/uaccess.h) on the simulated machine in strict
 * TLB mode. Every verdict is compared with what the simulated CPU does: a
 * range mm_user_check() accepts must be readable (writable) by ring-3
 * accesses (mm_sim_access with MM_SIM_USER) on every page, and a refused one
 * must fault on some page with the same code. Every error is provoked,
 * entries are edited behind libmm's back to build what libmm never builds
 * (user only on the leaf, a read-only table, reserved bits), and a
 * randomized model test (fixed seed, >= 10^5 checks) compares it with the
 * per-page CPU accesses.
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
#include "mm/uaccess.h"
#include "mm_sim.h"
#include "vm_fixture.h"
#include "xorshift.h"

#define KiB4  MM_PAGE_4K
#define MiB2  MM_PAGE_2M
#define GiB1  MM_PAGE_1G
#define UR    MM_PROT_USER
#define URW   (MM_PROT_USER | MM_PROT_WRITE)
#define NOMAX UINT64_MAX

#define VA_A	0x0000100000000000ull /* PML4 32: nothing mapped at start */
#define VA_TOP	MM_USER_HALF_END      /* first address past the user half */
#define VA_HIGH 0xFFFF800000000000ull
#define PA_FAR	0x0000000100000000ull /* 4 GiB: no access touches the RAM */

/* Helpers. */

static void map(const struct fx *fx, mm_vaddr_t va, mm_paddr_t pa,
		uint64_t size, unsigned prot)
{
	assert_int_equal(mm_map(fx->vm, va, pa, size, prot), MM_OK);
}

/*
 * Set and clear bits of the entry of `level` that maps va, behind libmm's
 * back (through physical memory), then flush the TLB as the editor of a
 * live entry must.
 */
static void poke(const struct fx *fx, unsigned level, mm_vaddr_t va,
		 mm_pte_t set, mm_pte_t clear)
{
	mm_paddr_t pa;
	mm_pte_t pte;

	assert_int_equal(
		mm_translate(fx->vm, MM_PTE_VA(level, va), &pa, NULL, NULL),
		MM_OK);
	pte = mm_sim_phys_read64(fx->sim, pa);
	mm_sim_phys_write64(fx->sim, pa, (pte | set) & ~clear);
	mm_sim_flush_all(fx->sim);
}

/*
 * What ring 3 gets for [va, va + len): the range rules, then one user access
 * per 4 KiB page (at va itself for the first), lowest first.
 */
static mm_status_t cpu(const struct fx *fx, mm_vaddr_t va, uint64_t len,
		       bool write, uint64_t max)
{
	unsigned kind = (write ? MM_SIM_WRITE : MM_SIM_READ) | MM_SIM_USER;
	mm_vaddr_t last = va + len - 1u;

	if (len == 0)
		return MM_OK;
	if (len > max || last < va || last >= VA_TOP)
		return MM_ERR_INVALID;
	for (mm_vaddr_t a = va;; a = (a & ~(KiB4 - 1u)) + KiB4) {
		mm_status_t st = mm_sim_access(fx->sim, a, kind, NULL);

		if (st != MM_OK)
			return st;
		if ((last & ~(KiB4 - 1u)) == (a & ~(KiB4 - 1u)))
			return MM_OK;
	}
}

/* mm_user_check gives want, and the CPU agrees. */
static void expect(const struct fx *fx, mm_vaddr_t va, uint64_t len, bool write,
		   mm_status_t want)
{
	assert_int_equal(mm_user_check(fx->vm, va, len, write, NOMAX), want);
	assert_int_equal(cpu(fx, va, len, write, NOMAX), want);
}

static uint64_t accesses(const struct fx *fx)
{
	struct mm_sim_stats st;

	mm_sim_stats(fx->sim, &st);
	return st.tlb_hits + st.tlb_misses;
}

/* Arguments and ranges. */

/* len 0 is MM_OK for any va, and reads no entry. */
static void test_uaccess_len_zero(void **state)
{
	struct fx *fx = *state;
	uint64_t before = accesses(fx);
	struct mm_sim_stats st;

	assert_int_equal(mm_user_check(fx->vm, VA_A, 0, true, 0), MM_OK);
	assert_int_equal(mm_user_check(fx->vm, VA_HIGH, 0, false, 0), MM_OK);
	assert_int_equal(mm_user_check(fx->vm, UINT64_MAX, 0, true, 0), MM_OK);
	assert_int_equal(accesses(fx), before);
	mm_sim_stats(fx->sim, &st);
	assert_int_equal(st.ops, 0);
}

/* A NULL context: MM_ERR_INVALID (even for len 0). */
static void test_uaccess_vm_null(void **state)
{
	(void)state;
	assert_int_equal(mm_user_check(NULL, VA_A, 8, false, NOMAX),
			 MM_ERR_INVALID);
	assert_int_equal(mm_user_check(NULL, VA_A, 0, false, NOMAX),
			 MM_ERR_INVALID);
}

/* len == max is checked, len == max + 1 is MM_ERR_INVALID. */
static void test_uaccess_len_over_max(void **state)
{
	struct fx *fx = *state;

	map(fx, VA_A, PA_FAR, KiB4, UR);
	map(fx, VA_A + KiB4, PA_FAR, KiB4, UR);
	assert_int_equal(mm_user_check(fx->vm, VA_A, 4096, false, 4096), MM_OK);
	assert_int_equal(mm_user_check(fx->vm, VA_A, 4097, false, 4096),
			 MM_ERR_INVALID);
	assert_int_equal(mm_user_check(fx->vm, VA_A, 1, false, 0),
			 MM_ERR_INVALID);
}

/* A range wrapping past 2^64: MM_ERR_INVALID. */
static void test_uaccess_wrap(void **state)
{
	struct fx *fx = *state;

	expect(fx, UINT64_MAX - 10, 100, false, MM_ERR_INVALID);
	expect(fx, VA_A, UINT64_MAX, false, MM_ERR_INVALID);
	expect(fx, 1, UINT64_MAX, false, MM_ERR_INVALID);
	expect(fx, 0, VA_TOP + 1, false, MM_ERR_INVALID);
	expect(fx, 0, VA_TOP, false, MM_ERR_NOT_MAPPED); /* the whole half */
}

/* A kernel-half page, even mapped with USER, and the window: refused. */
static void test_uaccess_kernel_half(void **state)
{
	struct fx *fx = *state;

	map(fx, VA_HIGH, PA_FAR, KiB4, URW);
	assert_int_equal(mm_sim_access(fx->sim, VA_HIGH,
				       MM_SIM_READ | MM_SIM_USER, NULL),
			 MM_OK);
	assert_int_equal(mm_user_check(fx->vm, VA_HIGH, 8, false, NOMAX),
			 MM_ERR_INVALID);
	assert_int_equal(
		mm_user_check(fx->vm, MM_RECURSIVE_PML4, 8, false, NOMAX),
		MM_ERR_INVALID);
	assert_int_equal(
		mm_user_check(fx->vm, MM_PTE_VA(0, VA_HIGH), 8, false, NOMAX),
		MM_ERR_INVALID);
}

/* The last user page is accepted; one byte past it, or beyond: refused. */
static void test_uaccess_top_of_user_half(void **state)
{
	struct fx *fx = *state;

	map(fx, VA_TOP - KiB4, PA_FAR, KiB4, URW);
	expect(fx, VA_TOP - KiB4, KiB4, true, MM_OK);
	expect(fx, VA_TOP - 1, 1, true, MM_OK);
	expect(fx, VA_TOP - KiB4, KiB4 + 1, false, MM_ERR_INVALID);
	expect(fx, VA_TOP - 1, 2, false, MM_ERR_INVALID);
	expect(fx, VA_TOP, 1, false, MM_ERR_INVALID);
	assert_int_equal(
		mm_user_check(fx->vm, VA_TOP + 0x1000, 1, false, NOMAX),
		MM_ERR_INVALID); /* non-canonical */
	expect(fx, VA_HIGH - 1, 1, false, MM_ERR_INVALID);
}

/* Page presence. */

/* Nothing mapped, or a later page missing: MM_ERR_NOT_MAPPED. */
static void test_uaccess_not_mapped(void **state)
{
	struct fx *fx = *state;

	expect(fx, VA_A, 8, false, MM_ERR_NOT_MAPPED);
	expect(fx, 0, 1, false, MM_ERR_NOT_MAPPED);
	map(fx, VA_A, PA_FAR, KiB4, URW);
	expect(fx, VA_A, KiB4, true, MM_OK);
	expect(fx, VA_A + 8, KiB4, false, MM_ERR_NOT_MAPPED);
	expect(fx, VA_A - 1, 2, false, MM_ERR_NOT_MAPPED);
	map(fx, VA_A + 2 * KiB4, PA_FAR, KiB4, URW);
	expect(fx, VA_A, 3 * KiB4, false, MM_ERR_NOT_MAPPED); /* a hole */
}

/* A present page without USER: MM_ERR_INVALID. */
static void test_uaccess_not_user(void **state)
{
	struct fx *fx = *state;

	map(fx, VA_A, PA_FAR, KiB4, MM_PROT_WRITE);
	expect(fx, VA_A, 1, false, MM_ERR_INVALID);
	expect(fx, VA_A, 1, true, MM_ERR_INVALID);
}

/* The lowest failing page gives the error. */
static void test_uaccess_lowest_error_wins(void **state)
{
	struct fx *fx = *state;

	map(fx, VA_A, PA_FAR, KiB4, 0);			   /* not user */
	map(fx, VA_A + 2 * KiB4, PA_FAR, KiB4, UR);	   /* user */
	expect(fx, VA_A, 2 * KiB4, false, MM_ERR_INVALID); /* then hole */
	expect(fx, VA_A + KiB4, 2 * KiB4, false, MM_ERR_NOT_MAPPED);
	expect(fx, VA_A + 2 * KiB4, KiB4, false, MM_OK);
}

/* Rights at every level. */

/* USER on the leaf only (tables without it): MM_ERR_INVALID. */
static void test_uaccess_user_only_on_leaf(void **state)
{
	struct fx *fx = *state;

	map(fx, VA_A, PA_FAR, KiB4, MM_PROT_WRITE);
	poke(fx, 0, VA_A, MM_PTE_USER, 0);
	expect(fx, VA_A, 8, false, MM_ERR_INVALID);
}

/* USER cleared on one table above the leaf, each level: MM_ERR_INVALID. */
static void test_uaccess_table_not_user(void **state)
{
	struct fx *fx = *state;

	for (unsigned level = 1; level < MM_PT_LEVELS; level++) {
		mm_vaddr_t va = VA_A + level * MiB2 * 512 * 512;

		map(fx, va, PA_FAR, KiB4, URW);
		expect(fx, va, 8, true, MM_OK);
		poke(fx, level, va, 0, MM_PTE_USER);
		expect(fx, va, 8, false, MM_ERR_INVALID);
		expect(fx, va, 8, true, MM_ERR_INVALID);
	}
}

/* A read-only leaf: reading is fine, writing MM_ERR_INVALID. */
static void test_uaccess_write_read_only_leaf(void **state)
{
	struct fx *fx = *state;

	map(fx, VA_A, PA_FAR, KiB4, UR);
	map(fx, VA_A + KiB4, PA_FAR, KiB4, URW);
	expect(fx, VA_A, 2 * KiB4, false, MM_OK);
	expect(fx, VA_A, 2 * KiB4, true, MM_ERR_INVALID);
	expect(fx, VA_A + KiB4, KiB4, true, MM_OK);
}

/* A read-only table above a writable leaf, each level: write refused. */
static void test_uaccess_write_read_only_table(void **state)
{
	struct fx *fx = *state;

	for (unsigned level = 1; level < MM_PT_LEVELS; level++) {
		mm_vaddr_t va = VA_A + level * MiB2 * 512 * 512;

		map(fx, va, PA_FAR, KiB4, URW);
		poke(fx, level, va, 0, MM_PTE_WRITE);
		expect(fx, va, 8, false, MM_OK);
		expect(fx, va, 8, true, MM_ERR_INVALID);
	}
}

/* NX does not matter to a data access. */
static void test_uaccess_nx_irrelevant(void **state)
{
	struct fx *fx = *state;

	map(fx, VA_A, PA_FAR, KiB4, URW); /* no EXEC: NX set */
	map(fx, VA_A + KiB4, PA_FAR, KiB4, UR | MM_PROT_EXEC);
	expect(fx, VA_A, 2 * KiB4, false, MM_OK);
}

/* Huge pages. */

/* Inside and across 2 MiB pages and into a 4 KiB one: accepted. */
static void test_uaccess_huge_2m(void **state)
{
	struct fx *fx = *state;

	map(fx, VA_A, 0, MiB2, URW);
	map(fx, VA_A + MiB2, MiB2, MiB2, UR);
	map(fx, VA_A + 2 * MiB2, PA_FAR, KiB4, URW);
	expect(fx, VA_A + 12345, MiB2, false, MM_OK);
	expect(fx, VA_A + MiB2 - 8, 16, true, MM_ERR_INVALID);
	expect(fx, VA_A + 8, MiB2 - 8, true, MM_OK);
	expect(fx, VA_A + MiB2, MiB2 + KiB4, false, MM_OK);
	expect(fx, VA_A + MiB2, MiB2 + KiB4 + 1, false, MM_ERR_NOT_MAPPED);
}

/* A 1 GiB page is walked once: a few entry reads, not one per 4 KiB. */
static void test_uaccess_huge_1g_cost(void **state)
{
	struct fx *fx = *state;
	uint64_t before;

	map(fx, VA_A, 0, GiB1, URW);
	before = accesses(fx);
	assert_int_equal(mm_user_check(fx->vm, VA_A, GiB1, true, NOMAX), MM_OK);
	assert_true(accesses(fx) - before <= 4);
	expect(fx, VA_A + GiB1 - 1, 1, true, MM_OK);
	expect(fx, VA_A + GiB1 - 1, 2, true, MM_ERR_NOT_MAPPED);
	poke(fx, 2, VA_A, 0, MM_PTE_USER);
	expect(fx, VA_A + 5 * MiB2, 8, false, MM_ERR_INVALID);
}

/* Reserved bits: what the MMU refuses, the check refuses. */

/* NX on a CPU without NX (EFER.NXE = 0) is reserved: MM_ERR_INVALID. */
static void test_uaccess_reserved_nx(void **state)
{
	struct fx *fx = *state;

	map(fx, VA_A, PA_FAR, KiB4, URW);
	expect(fx, VA_A, 8, true, MM_OK);
	poke(fx, 0, VA_A, MM_PTE_NX, 0);
	expect(fx, VA_A, 8, false, MM_ERR_INVALID);
}

/* PS in a PML4 entry is reserved: MM_ERR_INVALID. */
static void test_uaccess_reserved_ps_pml4(void **state)
{
	struct fx *fx = *state;

	map(fx, VA_A, PA_FAR, KiB4, URW);
	poke(fx, 3, VA_A, MM_PTE_PS, 0);
	expect(fx, VA_A, 8, false, MM_ERR_INVALID);
}

/* A 1 GiB page on a CPU without them is reserved: MM_ERR_INVALID. */
static void test_uaccess_reserved_1g_unsupported(void **state)
{
	struct fx *fx = *state;

	map(fx, VA_A, PA_FAR, KiB4, URW);
	poke(fx, 2, VA_A, MM_PTE_PS, MM_PTE_ADDR_MASK);
	expect(fx, VA_A, 8, false, MM_ERR_INVALID);
}

/* An address bit below a 2 MiB page's size is reserved: MM_ERR_INVALID. */
static void test_uaccess_reserved_huge_addr_bit(void **state)
{
	struct fx *fx = *state;

	map(fx, VA_A, 0, MiB2, URW);
	poke(fx, 1, VA_A, MM_PTE_PAT_HUGE, 0); /* PAT: not reserved */
	expect(fx, VA_A, 8, true, MM_OK);
	poke(fx, 1, VA_A, (mm_pte_t)1 << 13, 0);
	expect(fx, VA_A, 8, false, MM_ERR_INVALID);
}

/* Randomized model test. */

#define MODEL_BASE   (VA_TOP - 8 * MiB2) /* the top of the user half */
#define MODEL_SPAN   (8 * MiB2)
#define MODEL_ROUNDS 100
#define MODEL_CHECKS 1000 /* per round: 10^5 in all */
#define MODEL_SEED   0x5eed0ace55ull

static unsigned model_prot(uint64_t *rng)
{
	uint64_t r = xorshift64star(rng);
	unsigned prot = (r & 3) ? MM_PROT_USER : 0;

	return prot | ((r & 4) ? MM_PROT_WRITE : 0);
}

/* One 2 MiB chunk: a huge page, or runs of 4 KiB pages and holes. */
static void model_chunk(const struct fx *fx, uint64_t *rng, mm_vaddr_t chunk)
{
	uint64_t off = 0;

	if (xorshift64star(rng) % 4 == 0) {
		map(fx, chunk, 0, MiB2, model_prot(rng));
		return;
	}
	while (off < MiB2) {
		uint64_t run = (1 + xorshift64star(rng) % 64) * KiB4;

		if (run > MiB2 - off)
			run = MiB2 - off;
		if (xorshift64star(rng) % 4 != 0)
			assert_int_equal(mm_map_range(fx->vm, chunk + off,
						      PA_FAR + KiB4, run,
						      model_prot(rng)),
					 MM_OK);
		off += run;
	}
}

/* The PD entry that maps chunk, when present; else 0. */
static mm_pte_t model_pde(const struct fx *fx, mm_vaddr_t chunk)
{
	uint64_t pde;

	if (mm_sim_read64(fx->sim, MM_PTE_VA(1, chunk), &pde) != MM_OK)
		return 0; /* no PD */
	return pde & MM_PTE_PRESENT ? pde : 0;
}

/*
 * Now and then strip USER or WRITE from the PD entry above a chunk (a table
 * or a 2 MiB page): what libmm never builds, the check must still judge.
 */
static void model_poke(const struct fx *fx, uint64_t *rng, mm_vaddr_t chunk)
{
	uint64_t r = xorshift64star(rng);

	if (r % 8 == 0 && model_pde(fx, chunk) != 0)
		poke(fx, 1, chunk, 0, (r & 8) ? MM_PTE_USER : MM_PTE_WRITE);
}

/*
 * Give the PD entries back USER and WRITE (libmm writes the tables below
 * through them), then unmap everything: an empty region.
 */
static void model_clear(const struct fx *fx)
{
	for (mm_vaddr_t c = MODEL_BASE; c < MODEL_BASE + MODEL_SPAN;
	     c += MiB2) {
		if (model_pde(fx, c) != 0)
			poke(fx, 1, c, MM_PTE_USER | MM_PTE_WRITE, 0);
	}
	assert_int_equal(mm_unmap_range(fx->vm, MODEL_BASE, MODEL_SPAN), MM_OK);
}

static void model_build(const struct fx *fx, uint64_t *rng)
{
	model_clear(fx);
	for (mm_vaddr_t c = MODEL_BASE; c < MODEL_BASE + MODEL_SPAN;
	     c += MiB2) {
		model_chunk(fx, rng, c);
		model_poke(fx, rng, c);
	}
}

/* A range around the model region: mostly short, sometimes long. */
static void model_range(uint64_t *rng, mm_vaddr_t *va, uint64_t *len)
{
	uint64_t r = xorshift64star(rng);

	*va = MODEL_BASE - 4 * KiB4 +
	      xorshift64star(rng) % (MODEL_SPAN + 8 * KiB4);
	if (r % 64 == 0) /* up to two 2 MiB boundaries crossed */
		*len = xorshift64star(rng) % (1100 * KiB4);
	else
		*len = xorshift64star(rng) % (8 * KiB4);
	if (r % 64 == 1)
		*len = UINT64_MAX - xorshift64star(rng) % KiB4; /* wraps */
}

/* >= 10^5 random checks agree with the per-page ring-3 accesses. */
static void test_uaccess_model(void **state)
{
	struct fx *fx = *state;
	uint64_t rng = MODEL_SEED, counts[MM_STATUS_COUNT] = {0};

	for (unsigned round = 0; round < MODEL_ROUNDS; round++) {
		model_build(fx, &rng);
		for (unsigned i = 0; i < MODEL_CHECKS; i++) {
			mm_vaddr_t va;
			uint64_t len, max = xorshift64star(&rng) % (64 * KiB4);
			bool write = xorshift64star(&rng) & 1;
			mm_status_t got;

			model_range(&rng, &va, &len);
			if (i % 2)
				max = NOMAX;
			got = mm_user_check(fx->vm, va, len, write, max);
			assert_int_equal(got, cpu(fx, va, len, write, max));
			counts[got]++;
		}
	}
	print_message("model: ok=%llu invalid=%llu not_mapped=%llu\n",
		      (unsigned long long)counts[MM_OK],
		      (unsigned long long)counts[MM_ERR_INVALID],
		      (unsigned long long)counts[MM_ERR_NOT_MAPPED]);
	/* Every outcome happened often: the test can see each kind. */
	assert_true(counts[MM_OK] > 10000);
	assert_true(counts[MM_ERR_INVALID] > 10000);
	assert_true(counts[MM_ERR_NOT_MAPPED] > 10000);
}

#define T(name)	   cmocka_unit_test_setup_teardown(name, setup, teardown)
#define T_NO_NX(n) cmocka_unit_test_setup_teardown(n, setup_no_nx, teardown)
#define T_NO_1G(n) cmocka_unit_test_setup_teardown(n, setup_no_1g, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_uaccess_len_zero),
		T(test_uaccess_vm_null),
		T(test_uaccess_len_over_max),
		T(test_uaccess_wrap),
		T(test_uaccess_kernel_half),
		T(test_uaccess_top_of_user_half),
		T(test_uaccess_not_mapped),
		T(test_uaccess_not_user),
		T(test_uaccess_lowest_error_wins),
		T(test_uaccess_user_only_on_leaf),
		T(test_uaccess_table_not_user),
		T(test_uaccess_write_read_only_leaf),
		T(test_uaccess_write_read_only_table),
		T(test_uaccess_nx_irrelevant),
		T(test_uaccess_huge_2m),
		T(test_uaccess_huge_1g_cost),
		T_NO_NX(test_uaccess_reserved_nx),
		T(test_uaccess_reserved_ps_pml4),
		T_NO_1G(test_uaccess_reserved_1g_unsupported),
		T(test_uaccess_reserved_huge_addr_bit),
		T(test_uaccess_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
