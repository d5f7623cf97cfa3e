/*
 * A hostile library OS against mm/exo.h, on the simulated machine in strict
 * TLB mode: every rule the kernel will enforce for user programs, proved at
 * the libmm level. Claiming frames that are not free (the allocator's
 * reserved frames, its metadata, page tables, another owner's frame, the
 * zero page, frames beyond the RAM); naming entries in the kernel half, the
 * recursive slot, the bitmap slot, under a huge page or in a granted
 * subtree; flags that would set OWNER or GRANT; turning a data page into a
 * table; writing the zero page; reading what a freed page held. Each is
 * refused with the documented code and changes nothing.
 */
#include "exo_fixture.h"

/* Frames of the kernel and the allocator. */

/* Reserved frames (frame 0, the PML4, the allocator's metadata: reserved
 * as the kernel's image is) cannot be claimed: NOT_FREE. */
static void test_claim_reserved_frames(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pas[] = {0, MM_SIM_PML4_PA, MM_SIM_PML4_PA + KiB4};
	unsigned i;

	fx_path(fx, VA_A, 0);
	for (i = 0; i < sizeof(pas) / sizeof(pas[0]); i++) {
		assert_true(mm_frame_is_reserved(mm_sim_frames(fx->sim),
						 MM_PADDR_TO_PFN(pas[i])));
		FX_REFUSED(fx, fx_alloc(fx, pas[i], ENT(0, VA_A), P),
			   MM_EXO_NOT_FREE);
		FX_REFUSED(fx, fx_alloc(fx, pas[i], ENT(3, VA_B), P),
			   MM_EXO_NOT_FREE);
	}
}

/* Frames handed out: a kernel page table, another owner's page, one of
 * our own tables, the zero page: NOT_FREE. */
static void test_claim_allocated_frames(void **state)
{
	struct fx *fx = *state;
	mm_pfn_t other;
	mm_paddr_t kernel_pt, pas[4];
	unsigned i;

	assert_int_equal(mm_frame_alloc(mm_sim_frames(fx->sim), &other), MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_HIGH, MM_PFN_TO_PADDR(other),
				MM_PAGE_4K, MM_PROT_WRITE),
			 MM_OK);
	kernel_pt = MM_PTE_ADDR(fx_pte(fx, 1, VA_HIGH));
	fx_path(fx, VA_A, 0);
	pas[0] = kernel_pt;
	pas[1] = MM_PFN_TO_PADDR(other);
	pas[2] = MM_PTE_ADDR(fx_pte(fx, 1, VA_A));
	pas[3] = MM_PFN_TO_PADDR(fx->exo.zero_pfn);
	for (i = 0; i < 4; i++)
		FX_REFUSED(fx, fx_alloc(fx, pas[i], ENT(0, VA_A), P),
			   MM_EXO_NOT_FREE);
}

/* Frames beyond the RAM (MMIO, nothing) cannot be claimed: NOT_FREE. */
static void test_claim_beyond_ram(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pas[] = {RAM, RAM + KiB4, 0x100000000ull,
			    MM_PHYS_LIMIT - KiB4, 0xFEE00000ull};
	unsigned i;

	fx_path(fx, VA_A, 0);
	for (i = 0; i < sizeof(pas) / sizeof(pas[0]); i++)
		FX_REFUSED(fx, fx_alloc(fx, pas[i], ENT(0, VA_A), P),
			   MM_EXO_NOT_FREE);
}

/* Entries the caller does not own. */

/* The kernel's tables (kernel half): every call refused, the kernel's
 * mapping unchanged. */
static void test_kernel_half_entries(void **state)
{
	struct fx *fx = *state;
	mm_vaddr_t va = VA_HIGH + 0x200000;
	mm_pfn_t pfn;
	unsigned level;

	assert_int_equal(mm_frame_alloc(mm_sim_frames(fx->sim), &pfn), MM_OK);
	assert_int_equal(mm_map(fx->vm, va, MM_PFN_TO_PADDR(pfn), MM_PAGE_4K,
				MM_PROT_WRITE),
			 MM_OK);
	fx_path(fx, VA_A, 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, VA_A), P), 0);
	for (level = 0; level < MM_PT_LEVELS; level++) {
		mm_vaddr_t e = ENT(level, va), free_e = ENT(level, va + KiB4);

		FX_REFUSED(fx, fx_alloc(fx, fx_frame(fx), free_e, P),
			   MM_EXO_INVALID_TARGET);
		FX_REFUSED(fx, mm_exo_map_zero(&fx->exo, free_e, P | RO),
			   MM_EXO_INVALID_TARGET);
		FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, e),
			   MM_EXO_INVALID_SOURCE);
		FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, e, P),
			   MM_EXO_INVALID_SOURCE);
		FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, e, ENT(0, VA_B)),
			   MM_EXO_INVALID_SOURCE);
		FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, ENT(0, VA_A), e),
			   MM_EXO_INVALID_TARGET);
	}
	assert_int_equal(fx_pa(fx, va), MM_PFN_TO_PADDR(pfn));
}

/* The recursive entry and the bitmap slot are never the caller's. */
static void test_recursive_and_bitmap_slots(void **state)
{
	struct fx *fx = *state;
	mm_vaddr_t self = ENT(3, MM_WINDOW_START);
	mm_vaddr_t bitmap = ENT(3, 0x00007F8000000000ull);

	FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, self),
		   MM_EXO_INVALID_SOURCE);
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, self, P | NX),
		   MM_EXO_INVALID_SOURCE);
	FX_REFUSED(fx, fx_alloc(fx, fx_frame(fx), bitmap, P),
		   MM_EXO_INVALID_TARGET);
	FX_REFUSED(fx, mm_exo_map_zero(&fx->exo, bitmap, P | RO),
		   MM_EXO_INVALID_TARGET);
	/* The window stays out of user reach. */
	assert_int_equal(fx_acc(fx, self, MM_SIM_READ | MM_SIM_USER),
			 MM_ERR_INVALID);
}

/* Entries under a GRANT entry at any level above: refused, every call. */
static void test_granted_subtree(void **state)
{
	struct fx *fx = *state;
	unsigned granted;

	for (granted = MM_PT_TOP; granted > 0; granted--) {
		mm_vaddr_t va = VA_A + ((uint64_t)granted << 39);
		mm_vaddr_t e = ENT(0, va), e2 = ENT(0, va + KiB4);

		fx_path(fx, va, 0);
		assert_int_equal(fx_alloc(fx, fx_frame(fx), e, P), 0);
		fx_set_bits(fx, granted, va, MM_PTE_GRANT);
		FX_REFUSED(fx, fx_alloc(fx, fx_frame(fx), e2, P),
			   MM_EXO_INVALID_TARGET);
		FX_REFUSED(fx, mm_exo_map_zero(&fx->exo, e2, P | RO),
			   MM_EXO_INVALID_TARGET);
		FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, e),
			   MM_EXO_INVALID_SOURCE);
		FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, e, P | RO),
			   MM_EXO_INVALID_SOURCE);
		FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, e, e2),
			   MM_EXO_INVALID_SOURCE);
	}
}

/* A granted entry itself: neither unmapped, changed, nor a move target's
 * parent; a page cannot be moved into or out of the granted subtree. */
static void test_granted_entry_itself(void **state)
{
	struct fx *fx = *state;
	mm_vaddr_t mine = VA_B + 0x10000;

	fx_path(fx, VA_A, 1);
	fx_path(fx, mine, 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(1, VA_A), P), 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, mine), P), 0);
	fx_set_bits(fx, 1, VA_A, MM_PTE_GRANT);
	FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, ENT(1, VA_A)),
		   MM_EXO_INVALID_SOURCE);
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, ENT(1, VA_A), P | NX),
		   MM_EXO_INVALID_SOURCE);
	FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, ENT(0, mine), ENT(0, VA_A)),
		   MM_EXO_INVALID_TARGET);
}

/* Entries under a huge page the kernel mapped are in no table; the huge
 * entry itself is not a page the calls manage. */
static void test_huge_page_entries(void **state)
{
	struct fx *fx = *state;
	mm_pfn_t pfn;

	fx_path(fx, VA_A, 1);
	assert_int_equal(mm_frame_alloc_contig(mm_sim_frames(fx->sim),
					       MM_FRAMES_2M, MM_FRAMES_2M,
					       MM_FRAME_NO_LIMIT, &pfn),
			 MM_OK);
	assert_int_equal(mm_map(fx->vm, VA_A, MM_PFN_TO_PADDR(pfn), MM_PAGE_2M,
				MM_PROT_WRITE | MM_PROT_USER),
			 MM_OK);
	FX_REFUSED(fx, fx_alloc(fx, fx_frame(fx), ENT(0, VA_A + KiB4), P),
		   MM_EXO_INVALID_TARGET);
	FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, ENT(1, VA_A)),
		   MM_EXO_INVALID_SOURCE);
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, ENT(1, VA_A), P),
		   MM_EXO_INVALID_SOURCE);
	FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, ENT(0, VA_A)),
		   MM_EXO_INVALID_SOURCE);
}

/* A non-present entry that still holds bits is neither empty nor mapped. */
static void test_nonpresent_leftover_entry(void **state)
{
	struct fx *fx = *state;

	fx_path(fx, VA_A, 0);
	fx_poke_leaf(fx, VA_A, MM_PFN_TO_PADDR(fx->next + 100));
	FX_REFUSED(fx, fx_alloc(fx, fx_frame(fx), ENT(0, VA_A), P),
		   MM_EXO_INVALID_TARGET);
	FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, ENT(0, VA_A)),
		   MM_EXO_INVALID_SOURCE);
}

/* Flags. */

/* Every single flag bit: only Present, ReadOnly, NoExecute and the eight
 * user bits are accepted; OWNER and GRANT never reach an entry. */
static void test_every_flag_bit(void **state)
{
	struct fx *fx = *state;
	uint64_t ok = P | RO | NX | ((uint64_t)0xFF << 16);
	unsigned bit;

	fx_path(fx, VA_A, 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, VA_A), P), 0);
	for (bit = 1; bit < 64; bit++) {
		uint64_t flags = P | ((uint64_t)1 << bit);
		int want = (ok >> bit) & 1u ? MM_EXO_SUCCESS
					    : MM_EXO_INVALID_FLAGS;

		if (want == MM_EXO_SUCCESS) {
			assert_int_equal(mm_exo_chmod_page(&fx->exo,
							   ENT(0, VA_A), flags),
					 want);
			continue;
		}
		FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, ENT(0, VA_A), flags),
			   want);
	}
}

/* All 1024 valid flag combinations: the entry holds exactly them, never
 * OWNER, GRANT, protection-key or other kernel bits. */
static void test_flag_combinations_exact(void **state)
{
	struct fx *fx = *state;
	mm_pte_t kernel_bits = MM_PTE_OWNER | MM_PTE_GRANT | MM_PTE_PS |
			       MM_PTE_GLOBAL | MM_PTE_PCD | MM_PTE_PWT |
			       ((mm_pte_t)0xF << 59);
	uint64_t combo;

	fx_path(fx, VA_A, 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(0, VA_A), P), 0);
	for (combo = 0; combo < 1024; combo++) {
		uint64_t flags = P | ((combo & 3u) << 1) | ((combo >> 2) << 16);
		mm_pte_t pte, user = 0;
		unsigned n;

		assert_int_equal(
			mm_exo_chmod_page(&fx->exo, ENT(0, VA_A), flags), 0);
		pte = fx_pte(fx, 0, VA_A);
		for (n = 0; n < 8; n++) {
			if (flags & MM_EXO_USER_FLAG(n))
				user |= n == 0 ? (mm_pte_t)1 << 11
					       : (mm_pte_t)1 << (51 + n);
		}
		assert_int_equal(pte & kernel_bits, 0);
		assert_int_equal(pte & EXO_TEST_USER_PTE, user);
		assert_int_equal(!(pte & MM_PTE_WRITE), !!(flags & RO));
		assert_int_equal(!!(pte & MM_PTE_NX), !!(flags & NX));
		assert_true(pte & MM_PTE_USER);
	}
}

/* Data pages and tables. */

/* A data page full of forged entries never becomes a table. */
static void test_data_page_never_a_table(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t forged =
		MM_SIM_PML4_PA | MM_PTE_PRESENT | MM_PTE_WRITE | MM_PTE_USER;
	mm_vaddr_t e = ENT(0, VA_A);
	uint64_t off;

	fx_path(fx, VA_A, 0);
	assert_int_equal(fx_alloc(fx, fx_frame(fx), e, P), 0);
	for (off = 0; off < MM_FRAME_SIZE; off += 8)
		fx_wr(fx, VA_A + off, forged);
	FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, e, ENT(3, VA_B)),
		   MM_EXO_INVALID_TARGET);
	FX_REFUSED(fx,
		   mm_exo_remap_page(&fx->exo, e, ENT(2, VA_A + 0x40000000)),
		   MM_EXO_INVALID_TARGET);
	FX_REFUSED(fx, mm_exo_remap_page(&fx->exo, ENT(1, VA_A), ENT(1, VA_B)),
		   MM_EXO_INVALID_SOURCE);
	/* Claiming the same frame again as a table is NOT_FREE. */
	FX_REFUSED(fx, fx_alloc(fx, fx_pa(fx, VA_A), ENT(3, VA_B), P),
		   MM_EXO_NOT_FREE);
}

/* A table that still maps a page cannot be freed and re-claimed. */
static void test_table_with_pages_not_freed(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pt;

	fx_path(fx, VA_A, 0);
	pt = MM_PTE_ADDR(fx_pte(fx, 1, VA_A));
	assert_int_equal(
		fx_alloc(fx, fx_frame(fx), ENT(0, VA_A + 511 * KiB4), P), 0);
	FX_REFUSED(fx, mm_exo_unmap_page(&fx->exo, ENT(1, VA_A)),
		   MM_EXO_NOT_EMPTY);
	FX_REFUSED(fx, fx_alloc(fx, pt, ENT(3, VA_B), P), MM_EXO_NOT_FREE);
}

/* The zero page. */

/* Never writable: CHMOD without READONLY is refused, user writes fault,
 * and its content stays zero. */
static void test_zero_page_stays_read_only(void **state)
{
	struct fx *fx = *state;
	mm_vaddr_t e = ENT(0, VA_A);
	uint64_t off;

	fx_path(fx, VA_A, 0);
	assert_int_equal(mm_exo_map_zero(&fx->exo, e, P | RO), 0);
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, e, P), MM_EXO_INVALID_FLAGS);
	FX_REFUSED(fx, mm_exo_chmod_page(&fx->exo, e, P | NX),
		   MM_EXO_INVALID_FLAGS);
	assert_int_equal(mm_exo_chmod_page(&fx->exo, e, P | RO | NX), 0);
	assert_int_equal(fx_acc(fx, VA_A, MM_SIM_WRITE | MM_SIM_USER),
			 MM_ERR_INVALID);
	for (off = 0; off < MM_FRAME_SIZE; off += 8)
		assert_int_equal(
			mm_sim_phys_read64(fx->sim,
					   MM_PFN_TO_PADDR(fx->exo.zero_pfn) +
						   off),
			0);
}

/* Nothing leaks. */

/* A page written, freed and claimed again (as data or as a table) reads
 * zeros: nothing passes from one owner to the next. */
static void test_reclaimed_frame_reads_zeros(void **state)
{
	struct fx *fx = *state;
	mm_paddr_t pa = fx_frame(fx);
	mm_vaddr_t other = VA_B + 0x123000;
	uint64_t off;

	fx_path(fx, VA_A, 0);
	fx_path(fx, other, 0);
	assert_int_equal(fx_alloc(fx, pa, ENT(0, VA_A), P), 0);
	for (off = 0; off < MM_FRAME_SIZE; off += 8)
		fx_wr(fx, VA_A + off, MM_SIM_PML4_PA | 0x7);
	assert_int_equal(mm_exo_unmap_page(&fx->exo, ENT(0, VA_A)), 0);
	assert_int_equal(fx_alloc(fx, pa, ENT(0, other), P | RO), 0);
	for (off = 0; off < MM_FRAME_SIZE; off += 8)
		assert_int_equal(fx_rd(fx, other + off), 0);
	for (off = 0; off < MM_FRAME_SIZE; off += 8)
		mm_sim_phys_write64(fx->sim, pa + off, MM_SIM_PML4_PA | 0x7);
	assert_int_equal(mm_exo_unmap_page(&fx->exo, ENT(0, other)), 0);
	assert_int_equal(fx_alloc(fx, pa, ENT(3, 0x0000300000000000ull), P), 0);
	assert_int_equal(fx_count(fx, 3, 0x0000300000000000ull), 0);
	for (off = 0; off < MM_FRAME_SIZE; off += 8)
		assert_int_equal(mm_sim_phys_read64(fx->sim, pa + off), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_claim_reserved_frames),
		T(test_claim_allocated_frames),
		T(test_claim_beyond_ram),
		T(test_kernel_half_entries),
		T(test_recursive_and_bitmap_slots),
		T(test_granted_subtree),
		T(test_granted_entry_itself),
		T(test_huge_page_entries),
		T(test_nonpresent_leftover_entry),
		T(test_every_flag_bit),
		T(test_flag_combinations_exact),
		T(test_data_page_never_a_table),
		T(test_table_with_pages_not_freed),
		T(test_zero_page_stays_read_only),
		T(test_reclaimed_frame_reads_zeros),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
