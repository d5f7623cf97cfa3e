/*
 * The simulated machine itself: creation, the x86-64 walk rules (present,
 * write, user, NX, PS at each level, reserved bits), access arguments and
 * the end of the RAM, and the recursive window. Tables are built by hand
 * with physical writes, so libmm's paging code is not involved. The port
 * and accessed/dirty bits are in test_sim_port.c, the TLB model and strict
 * mode in test_sim_strict.c (its internals in test_sim_tlb.c).
 */
#include "sim_fixture.h"

/* Bad sizes and unknown features are refused with NULL. */
static void test_create_bad_args(void **state)
{
	(void)state;
	assert_null(mm_sim_create(0, 0));
	assert_null(mm_sim_create(RAM + 1u, 0));
	assert_null(mm_sim_create(4096, 0));
	assert_null(mm_sim_create((uint64_t)8 << 30, 0));
	assert_null(mm_sim_create(RAM, 1u << 7));
	assert_null(mm_sim_create(((uint64_t)1 << 20) - 4096u, 0));
	mm_sim_destroy(NULL);
}

/* The smallest machine there is, 1 MiB, is made. */
static void test_create_size_bounds(void **state)
{
	struct mm_sim *sim = mm_sim_create((uint64_t)1 << 20, 0);

	(void)state;
	assert_non_null(sim);
	mm_sim_destroy(sim);
}

/*
 * CR3 holds the PML4 whose entry 510 points to itself and holds the PML4's
 * fill count: 1, the recursive entry itself.
 */
static void test_create_recursive_pml4(void **state)
{
	struct mm_sim *sim = *state;
	mm_paddr_t cr3 = mm_sim_cr3(sim);
	mm_paddr_t pa;

	assert_int_equal(cr3, MM_SIM_PML4_PA);
	assert_int_equal(
		mm_sim_phys_read64(sim, cr3 + 8u * 510u) &
			~(MM_PTE_ACCESSED | MM_PTE_DIRTY),
		MM_PTE_WITH_COUNT(cr3 | MM_PTE_PRESENT | MM_PTE_WRITE, 1u));
	assert_int_equal(
		mm_sim_access(sim, MM_RECURSIVE_PML4, MM_SIM_READ, &pa), MM_OK);
	assert_int_equal(pa, cr3);
	assert_int_equal(mm_sim_ram_bytes(sim), RAM);
	assert_non_null(mm_sim_vm(sim));
	assert_ptr_equal(mm_sim_vm(sim)->port, sim);
}

/* Frame 0, the PML4 and the metadata are reserved; the rest is free. */
static void test_create_frames(void **state)
{
	struct mm_sim *sim = *state;
	struct mm_frames *fa = mm_sim_frames(sim);
	struct mm_frame_stats fs;

	mm_frame_stats(fa, &fs);
	assert_int_equal(fs.total_frames, RAM / 4096u);
	assert_true(mm_frame_is_reserved(fa, 0));
	assert_true(mm_frame_is_reserved(fa, 1));
	assert_true(mm_frame_is_reserved(fa, 2));
	assert_true(fs.free_frames > fs.total_frames - 16u);
	assert_int_equal(fs.free_frames + fs.reserved_frames, fs.total_frames);
	assert_int_equal(mm_frame_check(fa), MM_OK);
}

/* A 4 KiB page reads and writes its frame; nothing else is mapped. */
static void test_walk_4k(void **state)
{
	struct mm_sim *sim = *state;
	mm_paddr_t pa;
	uint64_t v;

	hand_map(sim, VA_A, 0, DATA_A | LEAF);
	assert_int_equal(mm_sim_access(sim, VA_A + 0x123, MM_SIM_READ, &pa),
			 MM_OK);
	assert_int_equal(pa, DATA_A + 0x123);
	assert_int_equal(mm_sim_write64(sim, VA_A + 8, 0xfeedull), MM_OK);
	assert_int_equal(mm_sim_phys_read64(sim, DATA_A + 8), 0xfeedull);
	assert_int_equal(mm_sim_read64(sim, VA_A + 8, &v), MM_OK);
	assert_int_equal(v, 0xfeedull);
	assert_int_equal(mm_sim_access(sim, VA_B, MM_SIM_READ, NULL),
			 MM_ERR_NOT_MAPPED);
	assert_int_equal(mm_sim_access(sim, 0x7000000000ull, MM_SIM_READ, NULL),
			 MM_ERR_NOT_MAPPED);
}

/* Bad access bits, non-canonical and misaligned addresses are refused. */
static void test_access_bad_args(void **state)
{
	struct mm_sim *sim = *state;
	uint64_t v = 0;

	hand_map(sim, VA_A, 0, DATA_A | LEAF);
	assert_int_equal(mm_sim_access(sim, VA_A, 0, NULL), MM_ERR_INVALID);
	assert_int_equal(
		mm_sim_access(sim, VA_A, MM_SIM_READ | MM_SIM_WRITE, NULL),
		MM_ERR_INVALID);
	assert_int_equal(
		mm_sim_access(sim, 0x0000800000000000ull, MM_SIM_READ, NULL),
		MM_ERR_INVALID);
	assert_int_equal(mm_sim_read64(sim, VA_A + 4, &v), MM_ERR_INVALID);
	assert_int_equal(mm_sim_write64(sim, VA_A + 4, 1), MM_ERR_INVALID);
	/* every misaligned offset, the odd ones too */
	for (unsigned off = 1; off < 8; off++)
		assert_int_equal(mm_sim_read64(sim, VA_A + off, &v),
				 MM_ERR_INVALID);
	assert_int_equal(mm_sim_read64(sim, VA_B, &v), MM_ERR_NOT_MAPPED);
}

/* A page beyond the RAM translates but cannot be read or written. */
static void test_access_beyond_ram(void **state)
{
	struct mm_sim *sim = *state;
	uint64_t v = 0;
	mm_paddr_t pa;

	hand_map(sim, VA_A, 0, ((mm_paddr_t)1 << 40) | LEAF);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, &pa), MM_OK);
	assert_int_equal(pa, (mm_paddr_t)1 << 40);
	assert_int_equal(mm_sim_read64(sim, VA_A, &v), MM_ERR_OUT_OF_RANGE);
	assert_int_equal(mm_sim_write64(sim, VA_A, 1), MM_ERR_OUT_OF_RANGE);
	assert_int_equal(mm_sim_phys_read64(sim, (mm_paddr_t)1 << 40), 0);
	mm_sim_phys_write64(sim, (mm_paddr_t)1 << 40, 5); /* dropped */
}

/*
 * A physical write at a misaligned address is dropped, whatever the
 * misalignment (odd ones too): neither word it would touch changes.
 */
static void test_phys_write_misaligned(void **state)
{
	struct mm_sim *sim = *state;

	mm_sim_phys_write64(sim, DATA_A, 1);
	mm_sim_phys_write64(sim, DATA_A + 8, 2);
	for (unsigned off = 1; off < 8; off++) {
		mm_sim_phys_write64(sim, DATA_A + off, ~0ull);
		assert_int_equal(mm_sim_phys_read64(sim, DATA_A), 1);
		assert_int_equal(mm_sim_phys_read64(sim, DATA_A + 8), 2);
	}
	mm_sim_phys_write64(sim, DATA_A + 8, ~0ull);
	assert_int_equal(mm_sim_phys_read64(sim, DATA_A + 8), ~0ull);
	assert_int_equal(mm_sim_phys_read64(sim, DATA_A), 1);
}

/* CR0.WP: even a supervisor write to a read-only page faults. */
static void test_walk_write_to_read_only(void **state)
{
	struct mm_sim *sim = *state;

	hand_map(sim, VA_A, 0, DATA_A | MM_PTE_PRESENT);
	mm_sim_phys_write64(sim, DATA_A, 0);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, NULL), MM_OK);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_WRITE, NULL),
			 MM_ERR_INVALID);
	assert_int_equal(mm_sim_write64(sim, VA_A, 1), MM_ERR_INVALID);
	assert_int_equal(mm_sim_phys_read64(sim, DATA_A), 0);
}

/* A read-only table entry makes everything below it read-only. */
static void test_walk_write_needs_every_level(void **state)
{
	struct mm_sim *sim = *state;
	mm_paddr_t pde;

	hand_map(sim, VA_A, 0, DATA_A | LEAF);
	pde = entry_pa(sim, VA_A, 1);
	mm_sim_phys_write64(sim, pde,
			    mm_sim_phys_read64(sim, pde) & ~MM_PTE_WRITE);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_WRITE, NULL),
			 MM_ERR_INVALID);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, NULL), MM_OK);
}

/* User accesses need U at every level; supervisor may touch user pages. */
static void test_walk_user_rules(void **state)
{
	struct mm_sim *sim = *state;
	mm_paddr_t pde;

	hand_map(sim, VA_A, 0, DATA_A | LEAF);
	hand_map(sim, VA_B, 0, DATA_B | LEAF | MM_PTE_USER);
	assert_int_equal(
		mm_sim_access(sim, VA_A, MM_SIM_READ | MM_SIM_USER, NULL),
		MM_ERR_INVALID);
	assert_int_equal(
		mm_sim_access(sim, VA_B, MM_SIM_WRITE | MM_SIM_USER, NULL),
		MM_OK);
	assert_int_equal(mm_sim_access(sim, VA_B, MM_SIM_WRITE, NULL), MM_OK);
	pde = entry_pa(sim, VA_B, 1);
	mm_sim_phys_write64(sim, pde,
			    mm_sim_phys_read64(sim, pde) & ~MM_PTE_USER);
	mm_port_invlpg(sim, VA_B);
	assert_int_equal(
		mm_sim_access(sim, VA_B, MM_SIM_READ | MM_SIM_USER, NULL),
		MM_ERR_INVALID);
}

/* With EFER.NXE, NX at any level forbids instruction fetches. */
static void test_walk_nx(void **state)
{
	struct mm_sim *sim = *state;
	mm_paddr_t pde;

	hand_map(sim, VA_A, 0, DATA_A | LEAF | MM_PTE_NX);
	hand_map(sim, VA_B, 0, DATA_B | LEAF);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_EXEC, NULL),
			 MM_ERR_INVALID);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, NULL), MM_OK);
	assert_int_equal(mm_sim_access(sim, VA_B, MM_SIM_EXEC, NULL), MM_OK);
	pde = entry_pa(sim, VA_B, 1);
	mm_sim_phys_write64(sim, pde, mm_sim_phys_read64(sim, pde) | MM_PTE_NX);
	mm_port_invlpg(sim, VA_B);
	assert_int_equal(mm_sim_access(sim, VA_B, MM_SIM_EXEC, NULL),
			 MM_ERR_INVALID);
}

/* Without NX, bit 63 is reserved: any access through it faults. */
static void test_walk_nx_reserved_without_nxe(void **state)
{
	struct mm_sim *sim = *state;

	hand_map(sim, VA_A, 0, DATA_A | LEAF | MM_PTE_NX);
	hand_map(sim, VA_B, 0, DATA_B | LEAF);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_READ, NULL),
			 MM_ERR_INVALID);
	assert_int_equal(mm_sim_access(sim, VA_B, MM_SIM_EXEC, NULL), MM_OK);
}

/* A PS entry in the PD maps 2 MiB; the walk adds the 21-bit offset. */
static void test_walk_2m(void **state)
{
	struct mm_sim *sim = *state;
	mm_vaddr_t va = 0x0000000080000000ull;
	mm_paddr_t pa;

	hand_map(sim, va, 1, 0x00400000ull | LEAF | MM_PTE_PS);
	assert_int_equal(mm_sim_access(sim, va + 0x1FF008, MM_SIM_READ, &pa),
			 MM_OK);
	assert_int_equal(pa, 0x005FF008ull);
}

/*
 * Bits 52-62 of an entry that points to a table are ignored (libmm keeps
 * its fill counts there): the walk gives the same frame, no fault.
 */
static void test_walk_ignores_table_high_bits(void **state)
{
	struct mm_sim *sim = *state;
	mm_pte_t high =
		(((mm_pte_t)1 << 63) - 1u) & ~(((mm_pte_t)1 << 52) - 1u);
	mm_paddr_t pa = 0;
	unsigned l;

	hand_map(sim, VA_A, 0, DATA_A | LEAF | MM_PTE_USER);
	for (l = 1; l <= MM_PT_TOP; l++) {
		mm_paddr_t e = entry_pa(sim, VA_A, l);

		mm_sim_phys_write64(sim, e, mm_sim_phys_read64(sim, e) | high);
	}
	assert_int_equal(
		mm_sim_access(sim, VA_A, MM_SIM_WRITE | MM_SIM_USER, &pa),
		MM_OK);
	assert_int_equal(pa, DATA_A);
	assert_int_equal(mm_sim_access(sim, VA_A, MM_SIM_EXEC, NULL), MM_OK);
}

/* Address bits [13, 21) of a 2 MiB entry are reserved. */
static void test_walk_2m_reserved_bits(void **state)
{
	struct mm_sim *sim = *state;
	mm_vaddr_t va = 0x0000000080000000ull;

	hand_map(sim, va, 1, 0x00402000ull | LEAF | MM_PTE_PS);
	assert_int_equal(mm_sim_access(sim, va, MM_SIM_READ, NULL),
			 MM_ERR_INVALID);
}

/* A PS entry in the PDPT maps 1 GiB when the CPU has 1 GiB pages. */
static void test_walk_1g(void **state)
{
	struct mm_sim *sim = *state;
	mm_vaddr_t va = 0x0000008000000000ull;
	mm_paddr_t pa;

	hand_map(sim, va, 2, 0x40000000ull | LEAF | MM_PTE_PS);
	assert_int_equal(
		mm_sim_access(sim, va + 0x3FFFF000ull, MM_SIM_READ, &pa),
		MM_OK);
	assert_int_equal(pa, 0x7FFFF000ull);
}

/* Without 1 GiB support, PS in the PDPT is a reserved-bit fault. */
static void test_walk_1g_reserved_without_support(void **state)
{
	struct mm_sim *sim = *state;
	mm_vaddr_t va = 0x0000008000000000ull;

	hand_map(sim, va, 2, 0x40000000ull | LEAF | MM_PTE_PS);
	assert_int_equal(mm_sim_access(sim, va, MM_SIM_READ, NULL),
			 MM_ERR_INVALID);
}

/* PS in a PML4 entry is reserved. */
static void test_walk_ps_in_pml4_reserved(void **state)
{
	struct mm_sim *sim = *state;

	mm_sim_phys_write64(sim, mm_sim_cr3(sim) + 8u * 3u, LEAF | MM_PTE_PS);
	assert_int_equal(
		mm_sim_access(sim, (mm_vaddr_t)3 << 39, MM_SIM_READ, NULL),
		MM_ERR_INVALID);
}

/* Tables appear in the recursive window at the addresses of mm/pte.h. */
static void test_window_reaches_tables(void **state)
{
	struct mm_sim *sim = *state;
	unsigned level;
	uint64_t v;

	hand_map(sim, VA_A, 0, DATA_A | LEAF);
	for (level = 0; level < MM_PT_LEVELS; level++) {
		mm_paddr_t pa;

		assert_int_equal(mm_sim_access(sim, MM_PTE_VA(level, VA_A),
					       MM_SIM_READ, &pa),
				 MM_OK);
		assert_int_equal(pa, entry_pa(sim, VA_A, level));
	}
	assert_int_equal(mm_sim_read64(sim, MM_PTE_VA(0, VA_A), &v), MM_OK);
	assert_int_equal(v, DATA_A | LEAF);
	assert_int_equal(mm_port_pte_read(sim, MM_PTE_VA(0, VA_A)), v);
	mm_port_pte_write(sim, MM_PTE_VA(0, VA_A), DATA_B | LEAF);
	assert_int_equal(mm_sim_phys_read64(sim, entry_pa(sim, VA_A, 0)),
			 DATA_B | LEAF);
	/* Window pages are supervisor-only: PML4[510] has no U. */
	assert_int_equal(mm_sim_access(sim, MM_PTE_VA(0, VA_A),
				       MM_SIM_READ | MM_SIM_USER, NULL),
			 MM_ERR_INVALID);
}

/* A 2 MiB entry is also a 4 KiB leaf of the window, where a PT would be. */
static void test_window_alias_of_huge_page(void **state)
{
	struct mm_sim *sim = *state;
	mm_vaddr_t va = 0x0000000080000000ull;
	mm_paddr_t pa;

	hand_map(sim, va, 1, 0x00400000ull | LEAF | MM_PTE_PS);
	assert_int_equal(
		mm_sim_access(sim, MM_PT_TABLE_VA(0, va), MM_SIM_READ, &pa),
		MM_OK);
	assert_int_equal(pa, 0x00400000ull);
}

#define SIM_TEST(f, setup) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_bad_args),
		cmocka_unit_test(test_create_size_bounds),
		SIM_TEST(test_create_recursive_pml4, setup_nx_1g),
		SIM_TEST(test_create_frames, setup_nx_1g),
		SIM_TEST(test_walk_4k, setup_nx_1g),
		SIM_TEST(test_walk_ignores_table_high_bits, setup_nx_1g),
		SIM_TEST(test_walk_ignores_table_high_bits, setup_plain),
		SIM_TEST(test_access_bad_args, setup_nx_1g),
		SIM_TEST(test_access_beyond_ram, setup_nx_1g),
		SIM_TEST(test_walk_write_to_read_only, setup_nx_1g),
		SIM_TEST(test_walk_write_needs_every_level, setup_nx_1g),
		SIM_TEST(test_walk_user_rules, setup_nx_1g),
		SIM_TEST(test_walk_nx, setup_nx_1g),
		SIM_TEST(test_walk_nx_reserved_without_nxe, setup_plain),
		SIM_TEST(test_walk_2m, setup_nx_1g),
		SIM_TEST(test_walk_2m_reserved_bits, setup_nx_1g),
		SIM_TEST(test_walk_1g, setup_nx_1g),
		SIM_TEST(test_walk_1g_reserved_without_support, setup_plain),
		SIM_TEST(test_walk_ps_in_pml4_reserved, setup_nx_1g),
		SIM_TEST(test_window_reaches_tables, setup_nx_1g),
		SIM_TEST(test_window_alias_of_huge_page, setup_nx_1g),
		SIM_TEST(test_phys_write_misaligned, setup_nx_1g),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
