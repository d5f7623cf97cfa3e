/*
 * XOmB's memory primitives (mm/exo.h) on the simulated machine in strict
 * TLB mode: each call's effect checked by user-mode accesses through the
 * simulated MMU, every error code of every call provoked with the whole
 * RAM and the allocator compared before and after, the invalidations
 * counted, and the ABI header's codes, flags and entry formula checked
 * against the module's. Hostile cases: tests/host/test_exo_hostile.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exo_fixture.h"
#include "xomb/abi.h"

/* The ABI and the module agree. */

/* MapperError codes and flags equal the ABI header's. */
static void test_abi_codes_and_flags(void **state)
{
	(void)state;
	assert_int_equal(MM_EXO_SUCCESS, XOMB_SUCCESS);
	assert_int_equal(MM_EXO_INVALID_FLAGS, XOMB_INVALID_FLAGS);
	assert_int_equal(MM_EXO_NOT_FREE, XOMB_NOT_FREE);
	assert_int_equal(MM_EXO_NOT_ALLOCATED, XOMB_NOT_ALLOCATED);
	assert_int_equal(MM_EXO_INVALID_SOURCE, XOMB_INVALID_SOURCE);
	assert_int_equal(MM_EXO_INVALID_TARGET, XOMB_INVALID_TARGET);
	assert_int_equal(MM_EXO_NOT_EMPTY, XOMB_NOT_EMPTY);
	assert_int_equal(MM_EXO_PRESENT, XOMB_PRESENT);
	assert_int_equal(MM_EXO_READONLY, XOMB_READONLY);
	assert_int_equal(MM_EXO_NOEXEC, XOMB_NOEXEC);
	assert_int_equal(MM_EXO_USER_FLAG(0), XOMB_USER_FLAG(0));
	assert_int_equal(MM_EXO_USER_FLAG(7), XOMB_USER_FLAG(7));
	assert_int_equal(MM_EXO_USER_FLAGS, MM_PTE_USER_BITS);
	assert_int_equal(MM_EXO_VA_MIN, XOMB_USER_MIN);
	assert_int_equal((uint64_t)MM_EXO_PML4_LIMIT << 39, XOMB_BITMAP_VA);
	assert_int_equal(MM_RECURSIVE_INDEX, XOMB_RECURSIVE_INDEX);
}

/* The ABI's entry formula names the same entries as MM_PTE_VA. */
static void test_abi_entry_formula(void **state)
{
	static const mm_vaddr_t vas[] = {0x10000, VA_A + 0x1234000,
					 0x00007F7FFFFFF000ull, 0};
	unsigned level, i;

	(void)state;
	for (i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		for (level = 0; level < MM_PT_LEVELS; level++)
			assert_int_equal(xomb_pte_addr(level, vas[i]),
					 ENT(level, vas[i]));
	}
}

/* mm_exo_init */

/* NULL pointers and a free zero frame are refused; x stays untouched. */
static void test_init_args(void **state)
{
	struct fx *fx = *state;
	struct mm_exo x = {NULL, 77, NULL};
	struct mm_vm no_frames = *fx->vm;
	mm_pfn_t pfn = MM_PADDR_TO_PFN(fx_frame(fx));

	no_frames.frames = NULL;

	assert_int_equal(mm_exo_init(NULL, fx->vm, fx->exo.zero_pfn),
			 MM_ERR_INVALID);
	assert_int_equal(mm_exo_init(&x, NULL, fx->exo.zero_pfn),
			 MM_ERR_INVALID);
	assert_int_equal(mm_exo_init(&x, &no_frames, fx->exo.zero_pfn),
			 MM_ERR_INVALID);
	assert_int_equal(mm_exo_init(&x, fx->vm, pfn), MM_ERR_INVALID);
	assert_null(x.vm);
	assert_int_equal(x.zero_pfn, 77);
	assert_int_equal(mm_exo_init(&x, fx->vm, fx->exo.zero_pfn), MM_OK);
	assert_ptr_equal(x.vm, fx->vm);
}

/* ALLOC_PAGE */

/* Tables at levels 3, 2, 1, then a data page: reachable by user mode. */
static void test_alloc_levels_user_access(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pa = fx_frame(fx);
	unsigned level;

	for (level = MM_PT_TOP; level > 0; level--) {
		mm_paddr_t t = fx_frame(fx);

		assert_int_equal(fx_alloc(fx, t, ENT(level, VA_A), P), 0);
		assert_int_equal(MM_PTE_ADDR(fx_pte(fx, level, VA_A)), t);
	}
	assert_int_equal(fx_alloc(fx, pa, ENT(0, VA_A), P), 0);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_WRITE | MM_SIM_USER), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_EXEC | MM_SIM_USER), MM_OK);
	assert_int_equal(fx_pa(fx, VA_A + 8), pa + 8);
	assert_true(fx_pte(fx, 0, VA_A) & MM_PTE_USER);
	assert_true(fx_pte(fx, 1, VA_A) & MM_PTE_USER);
	assert_false(
		mm_frame_is_free(mm_sim_frames(fx->sim), MM_PADDR_TO_PFN(pa)));
}

/* Whatever the frame held before, the new page and table read zeros. */
static void test_alloc_zeroes_frame(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t t = fx_frame(fx), pa = fx_frame(fx);
	uint64_t off;

	for (off = 0; off < MM_FRAME_SIZE; off += 8) {
		mm_sim_phys_write64(fx->sim, t + off, 0x8000000000000FFFull);
		mm_sim_phys_write64(fx->sim, pa + off, 0xDEADBEEFull + off);
	}
	fx_path(fx, VA_A, 1);
	assert_int_equal(fx_alloc(fx, t, ENT(1, VA_A), P), 0);
	assert_int_equal(fx_alloc(fx, pa, ENT(0, VA_A), P), 0);
	assert_int_equal(MM_PTE_ADDR(mm_sim_phys_read64(fx->sim, t)), pa);
	for (off = 0; off < MM_FRAME_SIZE; off += 8) {
		assert_int_equal(fx_rd(fx, VA_A + off), 0);
		if (off != 0)
			assert_int_equal(mm_sim_phys_read64(fx->sim, t + off),
					 0);
	}
}

/* ALLOC_PAGE invalidates nothing: its entries were not present. */
static void test_alloc_invalidations(void **state)
{
	struct fx *fx = *state;
	struct mm_sim_stats a, b;

	mm_sim_stats(fx->sim, &a);
	fx_path(fx, VA_A, 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, VA_A), P), 0);
	mm_sim_stats(fx->sim, &b);
	assert_int_equal(b.invlpg - a.invlpg, 0);
	assert_int_equal(b.full_flush, a.full_flush);
}

/* The fill count in the entry above follows allocations and unmaps. */
static void test_alloc_fill_count(void **state)
{
	struct fx *fx = *state;
	unsigned i;

	fx_path(fx, VA_A, 0);
	assert_int_equal(fx_count(fx, 3, VA_A), 1);
	assert_int_equal(fx_count(fx, 2, VA_A), 1);
	assert_int_equal(fx_count(fx, 1, VA_A), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(
			fx_alloc(fx, fx_frame(fx), ENT(0, VA_A + i * KiB4), P),
			0);
	assert_int_equal(fx_count(fx, 1, VA_A), 5);
	assert_int_equal(mm_exo_unmap_page(&fx->exo, ENT(0, VA_A + KiB4)), 0);
	assert_int_equal(fx_count(fx, 1, VA_A), 4);
}

/* Flags: READONLY refuses user writes, NOEXEC user execution. */
static void test_alloc_readonly_noexec(void **state)
{
	struct fx *fx = *state;
	unsigned u = MM_SIM_USER;

	fx_path(fx, VA_A, 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, VA_A), P | RO), 0);
	assert_int_equal(
		fx_alloc(fx, fx_frame(fx), ENT(0, VA_A + KiB4), P | NX), 0);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_READ | u), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_WRITE | u), MM_ERR_INVALID);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_EXEC | u), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A + KiB4, MM_SIM_WRITE | u), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A + KiB4, MM_SIM_EXEC | u),
			 MM_ERR_INVALID);
}

/* A NOEXEC table entry makes the executable page below it NX. */
static void test_alloc_noexec_table_restricts(void **state)
{
	struct fx *fx = *state;

	fx_path(fx, VA_A, 1);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(1, VA_A), P | NX), 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, VA_A), P), 0);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_EXEC | MM_SIM_USER),
			 MM_ERR_INVALID);
}

/* User flag n goes to PTE bit 11 (n = 0) or 51 + n (n = 1..7). */
static void test_alloc_user_bits_placement(void **state)
{
	struct fx *fx = *state;
	unsigned n;

	fx_path(fx, VA_A, 0);
	for (n = 0; n < MM_EXO_USER_FLAGS; n++) {
		mm_vaddr_t va = VA_A + n * KiB4;
		mm_pte_t bit =
			n == 0 ? (mm_pte_t)1 << 11 : (mm_pte_t)1 << (51 + n);

		assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, va),
					  P | MM_EXO_USER_FLAG(n)),
				 0);
		assert_int_equal(fx_pte(fx, 0, va) & EXO_TEST_USER_PTE, bit);
	}
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, VA_A + 9 * KiB4),
				  P | (0xFFull << 16)),
			 0);
	assert_int_equal(fx_pte(fx, 0, VA_A + 9 * KiB4) & EXO_TEST_USER_PTE,
			 EXO_TEST_USER_PTE);
}

/* Malformed or unowned entries: INVALID_TARGET, nothing changed. */
static void test_alloc_invalid_target(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pa = fx_frame(fx);
	mm_vaddr_t bad[] = {
		ENT(0, VA_A) + 4,	       /* misaligned */
		VA_A,			       /* not in the window */
		MM_WINDOW_END,		       /* just past the window */
		MM_WINDOW_START - 8,	       /* just before it */
		0x0000800000000000ull,	       /* non-canonical */
		ENT(3, VA_HIGH),	       /* kernel half */
		ENT(3, MM_WINDOW_START),       /* PML4[510] itself */
		ENT(3, XOMB_BITMAP_VA),	       /* the bitmap slot */
		ENT(0, VA_A),		       /* tables missing */
		ENT(1, VA_A),		       /* tables missing */
		ENT(0, XOMB_BITMAP_VA + KiB4), /* under slot 255 */
		ENT(2, 0xFFFFFF8000000000ull), /* kernel half, PML4 511 */
	};
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		FX_REFUSED(fx, fx_alloc(fx, pa, bad[i], P),
			   MM_EXO_INVALID_TARGET);
}

/* A leaf below MM_EXO_VA_MIN, or an occupied entry: INVALID_TARGET. */
static void test_alloc_target_low_or_occupied(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pa = fx_frame(fx);

	fx_path(fx, 0, 0);
	FX_REFUSED(fx, fx_alloc(fx, pa, ENT(0, 0), P), MM_EXO_INVALID_TARGET);
	FX_REFUSED(fx, fx_alloc(fx, pa, ENT(0, MM_EXO_VA_MIN - KiB4), P),
		   MM_EXO_INVALID_TARGET);
	assert_int_equal(fx_alloc(fx, pa, ENT(0, MM_EXO_VA_MIN), P), 0);
	FX_REFUSED(fx, fx_alloc(fx, fx_frame(fx), ENT(0, MM_EXO_VA_MIN), P),
		   MM_EXO_INVALID_TARGET);
	FX_REFUSED(fx, fx_alloc(fx, fx_frame(fx), ENT(1, 0), P),
		   MM_EXO_INVALID_TARGET);
}

/* Flags the entry cannot hold: INVALID_FLAGS, nothing changed. */
static void test_alloc_invalid_flags(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pa = fx_frame(fx);
	uint64_t leaf_bad[] = {0,
			       RO,
			       P | (1u << 3),
			       P | (1u << 9),  /* where OWNER lives */
			       P | (1u << 10), /* where GRANT lives */
			       P | (1u << 15),
			       P | MM_EXO_USER_FLAG(8), /* a ninth user bit */
			       P | ((uint64_t)1 << 63)};
	uint64_t table_bad[] = {P | RO, P | MM_EXO_USER_FLAG(0),
				P | MM_EXO_USER_FLAG(7)};
	unsigned i;

	fx_path(fx, VA_A, 0);
	for (i = 0; i < sizeof(leaf_bad) / sizeof(leaf_bad[0]); i++)
		FX_REFUSED(fx, fx_alloc(fx, pa, ENT(0, VA_A), leaf_bad[i]),
			   MM_EXO_INVALID_FLAGS);
	for (i = 0; i < sizeof(table_bad) / sizeof(table_bad[0]); i++)
		FX_REFUSED(fx, fx_alloc(fx, pa, ENT(3, VA_B), table_bad[i]),
			   MM_EXO_INVALID_FLAGS);
}

/* Without NX, NOEXEC cannot be honoured: INVALID_FLAGS. */
static void test_alloc_noexec_without_nx(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pa = fx_frame(fx);

	FX_REFUSED(fx, fx_alloc(fx, pa, ENT(3, VA_A), P | NX),
		   MM_EXO_INVALID_FLAGS);
	assert_int_equal(fx_alloc(fx, pa, ENT(3, VA_A), P), 0);
	assert_false(fx_pte(fx, 3, VA_A) & MM_PTE_NX);
}

/* Frames that are not free: NOT_FREE, nothing changed. */
static void test_alloc_not_free(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t own = fx_frame(fx);
	mm_pfn_t other;
	uint64_t bad[5];
	unsigned i;

	assert_int_equal(mm_frame_alloc(mm_sim_frames(fx->sim), &other), MM_OK);
	fx_path(fx, VA_A, 0);
	bad[0] = MM_PFN_TO_PADDR(other);	   /* another owner's */
	bad[1] = MM_PTE_ADDR(fx_pte(fx, 3, VA_A)); /* a table of ours */
	bad[2] = own + 8;			   /* misaligned */
	bad[3] = MM_PHYS_LIMIT;			   /* past 52 bits */
	bad[4] = ~(uint64_t)0 & ~(MM_FRAME_SIZE - 1u);
	for (i = 0; i < 5; i++)
		FX_REFUSED(fx, fx_alloc(fx, bad[i], ENT(0, VA_A), P),
			   MM_EXO_NOT_FREE);
}

/* The allocator refusing mid-call (all frames held back): NOT_FREE. */
static void test_alloc_fault_injection(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pa = fx_frame(fx);

	fx_path(fx, VA_A, 0);
	/* Armed inside: FX_REFUSED's snapshot runs an empty operation first. */
	FX_REFUSED(fx,
		   (mm_sim_fail_alloc_after(fx->sim, 0),
		    fx_alloc(fx, pa, ENT(0, VA_A), P)),
		   MM_EXO_NOT_FREE);
	assert_int_equal(fx_alloc(fx, pa, ENT(0, VA_A), P), 0);
}

/* REMAP_PAGE */

/* The page moves with its flags: same data at the new va, old va faults. */
static void test_remap_moves_page(void **state)
{
	struct fx *fx = *state;
	mm_vaddr_t to = VA_B + 5 * KiB4;
	mm_paddr_t pa = fx_frame(fx);
	struct mm_sim_stats a, b;

	fx_path(fx, VA_A, 0);
	fx_path(fx, to, 0);
	assert_int_equal(
		fx_alloc(fx, pa, ENT(0, VA_A), P | NX | MM_EXO_USER_FLAG(3)),
		0);
	fx_wr(fx, VA_A + 16, 0x1234);
	mm_sim_stats(fx->sim, &a);
	assert_int_equal(mm_exo_remap_page(&fx->exo, ENT(0, VA_A), ENT(0, to)),
			 0);
	mm_sim_stats(fx->sim, &b);
	assert_int_equal(b.invlpg - a.invlpg, 1);
	assert_int_equal(fx_rd(fx, to + 16), 0x1234);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER),
			 MM_ERR_NOT_MAPPED);
	assert_int_equal(fx_acc(fx, to, MM_SIM_EXEC | MM_SIM_USER),
			 MM_ERR_INVALID);
	assert_int_equal(fx_pa(fx, to), pa);
	assert_int_equal(fx_pte(fx, 0, to) & EXO_TEST_USER_PTE,
			 (mm_pte_t)1 << 54);
	assert_int_equal(fx_count(fx, 1, VA_A), 0);
	assert_int_equal(fx_count(fx, 1, to), 1);
}

/* Within one table the count is unchanged; the same entry is a no-op. */
static void test_remap_same_table_and_same_entry(void **state)
{
	struct fx *fx = *state;
	struct mm_sim_stats a, b;
	uint8_t *copy;

	fx_path(fx, VA_A, 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, VA_A), P), 0);
	assert_int_equal(
		mm_exo_remap_page(&fx->exo, ENT(0, VA_A), ENT(0, VA_A + KiB4)),
		0);
	assert_int_equal(fx_count(fx, 1, VA_A), 1);
	copy = fx_snapshot(fx);
	mm_sim_stats(fx->sim, &a);
	assert_int_equal(mm_exo_remap_page(&fx->exo, ENT(0, VA_A + KiB4),
					   ENT(0, VA_A + KiB4)),
			 0);
	mm_sim_stats(fx->sim, &b);
	fx_expect_unchanged(fx, copy);
	assert_int_equal(b.invlpg, a.invlpg);
}

/* Bad sources: INVALID_SOURCE, nothing changed. */
static void test_remap_invalid_source(void **state)
{
	struct fx *fx = *state;
	mm_vaddr_t to = ENT(0, VA_A + KiB4);

	fx_path(fx, VA_A, 0);
	FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, ENT(0, VA_A), to),
		   MM_EXO_INVALID_SOURCE); /* not present */
	FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, ENT(0, VA_A) + 1, to),
		   MM_EXO_INVALID_SOURCE);
	FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, ENT(0, VA_B), to),
		   MM_EXO_INVALID_SOURCE); /* no table */
	FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, ENT(1, VA_A), ENT(1, VA_B)),
		   MM_EXO_INVALID_SOURCE); /* a table entry */
	FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, ENT(1, VA_A), ENT(1, VA_A)),
		   MM_EXO_INVALID_SOURCE);
	FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, ENT(3, VA_HIGH), to),
		   MM_EXO_INVALID_SOURCE);
}

/* Bad targets: INVALID_TARGET, nothing changed. */
static void test_remap_invalid_target(void **state)
{
	struct fx *fx = *state;
	mm_vaddr_t from = ENT(0, VA_A);

	fx_path(fx, VA_A, 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), from, P), 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, VA_A + KiB4), P), 0);
	FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, from, ENT(0, VA_A + KiB4)),
		   MM_EXO_INVALID_TARGET); /* occupied */
	FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, from, ENT(0, VA_B)),
		   MM_EXO_INVALID_TARGET); /* no table */
	FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, from, ENT(3, VA_B)),
		   MM_EXO_INVALID_TARGET); /* data page as a table */
	FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, from, ENT(3, VA_HIGH)),
		   MM_EXO_INVALID_TARGET);
	FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, from, from + 3),
		   MM_EXO_INVALID_TARGET);
}

/* CHMOD_PAGE */

/* Read-only, then writable again; user bits change; A/D bits stay. */
static void test_chmod_leaf(void **state)
{
	struct fx *fx = *state;
	struct mm_sim_stats a, b;

	fx_path(fx, VA_A, 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, VA_A), P), 0);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_WRITE | MM_SIM_USER), MM_OK);
	mm_sim_stats(fx->sim, &a);
	assert_int_equal(mm_exo_chmod_page(&fx->exo, ENT(0, VA_A),
					   P | RO | MM_EXO_USER_FLAG(7)),
			 0);
	mm_sim_stats(fx->sim, &b);
	assert_int_equal(b.invlpg - a.invlpg, 1);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_WRITE | MM_SIM_USER),
			 MM_ERR_INVALID);
	assert_int_equal(fx_pte(fx, 0, VA_A) & EXO_TEST_USER_PTE,
			 (mm_pte_t)1 << 58);
	assert_int_equal(mm_exo_chmod_page(&fx->exo, ENT(0, VA_A), P | NX), 0);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_WRITE | MM_SIM_USER), MM_OK);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_EXEC | MM_SIM_USER),
			 MM_ERR_INVALID);
	assert_int_equal(fx_pte(fx, 0, VA_A) & EXO_TEST_USER_PTE, 0);
}

/* Unchanged flags: the entry is not written, nothing is invalidated. */
static void test_chmod_unchanged(void **state)
{
	struct fx *fx = *state;

	fx_path(fx, VA_A, 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, VA_A), P | RO), 0);
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, ENT(0, VA_A), P | RO),
		   MM_EXO_SUCCESS);
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, ENT(1, VA_A), P),
		   MM_EXO_SUCCESS);
}

/* An empty table's entry may change; a non-empty one: NOT_EMPTY. */
static void test_chmod_table(void **state)
{
	struct fx *fx = *state;

	fx_path(fx, VA_A, 0);
	assert_int_equal(mm_exo_chmod_page(&fx->exo, ENT(1, VA_A), P | NX), 0);
	assert_true(fx_pte(fx, 1, VA_A) & MM_PTE_NX);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, VA_A), P), 0);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_EXEC | MM_SIM_USER),
			 MM_ERR_INVALID);
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, ENT(1, VA_A), P),
		   MM_EXO_NOT_EMPTY);
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, ENT(2, VA_A), P | NX),
		   MM_EXO_NOT_EMPTY);
	assert_int_equal(fx_count(fx, 1, VA_A), 1);
}

/* Bad flags and bad sources are refused, nothing changed. */
static void test_chmod_errors(void **state)
{
	struct fx *fx = *state;
	mm_vaddr_t e = ENT(0, VA_A);

	fx_path(fx, VA_A, 0);
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, e, P),
		   MM_EXO_INVALID_SOURCE); /* not present */
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, ENT(0, VA_B), P),
		   MM_EXO_INVALID_SOURCE); /* no table */
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, e - 8u * 512u, P),
		   MM_EXO_INVALID_SOURCE);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), e, P), 0);
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, e, RO),
		   MM_EXO_INVALID_FLAGS); /* not present */
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, e, P | (1u << 9)),
		   MM_EXO_INVALID_FLAGS);
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, e, P | MM_EXO_USER_FLAG(8)),
		   MM_EXO_INVALID_FLAGS);
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, ENT(1, VA_A), P | RO),
		   MM_EXO_INVALID_FLAGS);
}

/* UNMAP_PAGE */

/* A data page: the va faults, the frame is free, one invlpg. */
static void test_unmap_leaf(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pa = fx_frame(fx);
	struct mm_sim_stats a, b;

	fx_path(fx, VA_A, 0);
	assert_int_equal(fx_alloc(fx, pa, ENT(0, VA_A), P), 0);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER), MM_OK);
	mm_sim_stats(fx->sim, &a);
	assert_int_equal(mm_exo_unmap_page(&fx->exo, ENT(0, VA_A)), 0);
	mm_sim_stats(fx->sim, &b);
	assert_int_equal(b.invlpg - a.invlpg, 1);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_READ | MM_SIM_USER),
			 MM_ERR_NOT_MAPPED);
	assert_true(
		mm_frame_is_free(mm_sim_frames(fx->sim), MM_PADDR_TO_PFN(pa)));
	assert_int_equal(fx_pte(fx, 0, VA_A), 0);
}

/* Tables go bottom-up: NOT_EMPTY while they hold entries. */
static void test_unmap_tables(void **state)
{
	struct fx *fx = *state;
	uint64_t before = fx_free_frames(fx);
	unsigned level;

	fx_path(fx, VA_A, 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, VA_A), P), 0);
	for (level = 1; level < MM_PT_LEVELS; level++)
		FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, ENT(level, VA_A)),
			   MM_EXO_NOT_EMPTY);
	for (level = 0; level < MM_PT_LEVELS; level++)
		assert_int_equal(mm_exo_unmap_page(&fx->exo, ENT(level, VA_A)),
				 0);
	assert_int_equal(fx_free_frames(fx), before);
	assert_int_equal(fx_pte(fx, 3, VA_A), 0);
	assert_false(mm_sim_tlb_has(fx->sim, MM_PT_TABLE_VA(2, VA_A)));
}

/* Frames the allocator did not hand out: NOT_ALLOCATED, unchanged. */
static void test_unmap_not_allocated(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t freed = fx_frame(fx);
	mm_paddr_t pas[] = {0, MM_SIM_PML4_PA, 0x100000000ull, freed};
	unsigned i;

	fx_path(fx, VA_A, 0);
	for (i = 0; i < sizeof(pas) / sizeof(pas[0]); i++) {
		mm_vaddr_t va = VA_A + i * KiB4;

		fx_poke_leaf(fx, va, pas[i] | MM_PTE_PRESENT | MM_PTE_USER);
		FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, ENT(0, va)),
			   MM_EXO_NOT_ALLOCATED);
	}
}

/* Not present, malformed, no table: INVALID_SOURCE. */
static void test_unmap_invalid_source(void **state)
{
	struct fx *fx = *state;

	fx_path(fx, VA_A, 0);
	FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, ENT(0, VA_A)),
		   MM_EXO_INVALID_SOURCE);
	FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, ENT(0, VA_B)),
		   MM_EXO_INVALID_SOURCE);
	FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, ENT(0, VA_A) + 2),
		   MM_EXO_INVALID_SOURCE);
	FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, ENT(3, MM_WINDOW_START)),
		   MM_EXO_INVALID_SOURCE);
	FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, ENT(2, VA_HIGH)),
		   MM_EXO_INVALID_SOURCE);
}

/* MAP_ZERO */

/* The zero page: reads zeros, refuses user writes, costs no invlpg. */
static void test_map_zero(void **state)
{
	struct fx *fx = *state;
	struct mm_sim_stats a, b;

	fx_path(fx, VA_A, 0);
	mm_sim_stats(fx->sim, &a);
	assert_int_equal(mm_exo_map_zero(&fx->exo, ENT(0, VA_A), P | RO), 0);
	assert_int_equal(
		mm_exo_map_zero(&fx->exo, ENT(0, VA_A + KiB4), P | RO | NX), 0);
	mm_sim_stats(fx->sim, &b);
	assert_int_equal(b.invlpg, a.invlpg);
	assert_int_equal(fx_rd(fx, VA_A + 64), 0);
	assert_int_equal(fx_pa(fx, VA_A), MM_PFN_TO_PADDR(fx->exo.zero_pfn));
	assert_int_equal(fx_pa(fx, VA_A + KiB4), fx_pa(fx, VA_A));
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_WRITE | MM_SIM_USER),
			 MM_ERR_INVALID);
	assert_int_equal(fx_acc(fx, VA_A + KiB4, MM_SIM_EXEC | MM_SIM_USER),
			 MM_ERR_INVALID);
	assert_int_equal(fx_count(fx, 1, VA_A), 2);
}

/* Unmapping the zero page clears the entry and keeps the page. */
static void test_map_zero_unmap_keeps_page(void **state)
{
	struct fx *fx = *state;
	uint64_t before;

	fx_path(fx, VA_A, 0);
	assert_int_equal(mm_exo_map_zero(&fx->exo, ENT(0, VA_A), P | RO), 0);
	assert_int_equal(
		mm_exo_remap_page(&fx->exo, ENT(0, VA_A), ENT(0, VA_A + KiB4)),
		0);
	before = fx_free_frames(fx);
	assert_int_equal(mm_exo_unmap_page(&fx->exo, ENT(0, VA_A + KiB4)), 0);
	assert_int_equal(fx_free_frames(fx), before);
	assert_false(
		mm_frame_is_free(mm_sim_frames(fx->sim), fx->exo.zero_pfn));
	assert_int_equal(fx_acc(fx, VA_A + KiB4, MM_SIM_READ | MM_SIM_USER),
			 MM_ERR_NOT_MAPPED);
}

/* Flags without READONLY or PRESENT, table levels, occupied: refused. */
static void test_map_zero_errors(void **state)
{
	struct fx *fx = *state;
	mm_vaddr_t e = ENT(0, VA_A);

	fx_path(fx, VA_A, 0);
	FX_REFUSED(fx, mm_exo_map_zero(&fx->exo, e, P), MM_EXO_INVALID_FLAGS);
	FX_REFUSED(fx, mm_exo_map_zero(&fx->exo, e, RO), MM_EXO_INVALID_FLAGS);
	FX_REFUSED(fx, mm_exo_map_zero(&fx->exo, e, P | RO | (1u << 5)),
		   MM_EXO_INVALID_FLAGS);
	FX_REFUSED(fx, mm_exo_map_zero(&fx->exo, ENT(3, VA_B), P | RO),
		   MM_EXO_INVALID_TARGET); /* a table level */
	FX_REFUSED(fx, mm_exo_map_zero(&fx->exo, ENT(0, VA_B), P | RO),
		   MM_EXO_INVALID_TARGET); /* no table */
	assert_int_equal(mm_exo_map_zero(&fx->exo, e, P | RO), 0);
	FX_REFUSED(fx, mm_exo_map_zero(&fx->exo, e, P | RO),
		   MM_EXO_INVALID_TARGET); /* occupied */
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
#define T_NO_NX(f)                                                             \
	cmocka_unit_test_setup_teardown(f, fx_setup_no_nx, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abi_codes_and_flags),
		cmocka_unit_test(test_abi_entry_formula),
		T(test_init_args),
		T(test_alloc_levels_user_access),
		T(test_alloc_zeroes_frame),
		T(test_alloc_invalidations),
		T(test_alloc_fill_count),
		T(test_alloc_readonly_noexec),
		T(test_alloc_noexec_table_restricts),
		T(test_alloc_user_bits_placement),
		T(test_alloc_invalid_target),
		T(test_alloc_target_low_or_occupied),
		T(test_alloc_invalid_flags),
		T_NO_NX(test_alloc_noexec_without_nx),
		T(test_alloc_not_free),
		T(test_alloc_fault_injection),
		T(test_remap_moves_page),
		T(test_remap_same_table_and_same_entry),
		T(test_remap_invalid_source),
		T(test_remap_invalid_target),
		T(test_chmod_leaf),
		T(test_chmod_unchanged),
		T(test_chmod_table),
		T(test_chmod_errors),
		T(test_unmap_leaf),
		T(test_unmap_tables),
		T(test_unmap_not_allocated),
		T(test_unmap_invalid_source),
		T(test_map_zero),
		T(test_map_zero_unmap_keeps_page),
		T(test_map_zero_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
