/*
 * The simulated machine itself: creation, the x86-64 walk rules (present,
 * write, user, NX, PS at each level, reserved bits), the recursive window,
 * the TLB model (staleness, invlpg, global entries surviving a full flush),
 * strict mode, counters and fault injection. Tables are built by hand with
 * physical writes, so libmm's paging code is not involved.
 */
#define _POSIX_C_SOURCE 200809L /* fork, waitpid */

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mm/pte.h"
#include "mm_sim.h"

#define RAM    (16u << 20)
#define VA_A   0x0000000040201000ull /* PML4 0, PDPT 1, PD 1, PT 1 */
#define VA_B   0x0000000040202000ull /* next to VA_A */
#define DATA_A 0x00300000ull
#define DATA_B 0x00301000ull
#define LEAF   (MM_PTE_PRESENT | MM_PTE_WRITE)
#define TABLE  (MM_PTE_PRESENT | MM_PTE_WRITE | MM_PTE_USER)

static int setup_nx_1g(void **state)
{
	*state = mm_sim_create(RAM, MM_SIM_NX | MM_SIM_1G);
	return *state == NULL ? -1 : 0;
}

static int setup_plain(void **state)
{
	*state = mm_sim_create(RAM, 0);
	return *state == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	mm_sim_destroy(*state);
	return 0;
}

/* A zeroed frame from the simulator's allocator. */
static mm_paddr_t new_frame(struct mm_sim *sim)
{
	uint64_t pfn;

	assert_int_equal(mm_frame_alloc(mm_sim_frames(sim), &pfn), MM_OK);
	mm_port_table_zero(sim, MM_PFN_TO_PADDR(pfn));
	return MM_PFN_TO_PADDR(pfn);
}

/*
 * Map va by hand: tables down to `level` (created with TABLE flags), then
 * the entry `leaf` there. Returns the physical address of that entry.
 */
static mm_paddr_t hand_map(struct mm_sim *sim, mm_vaddr_t va, unsigned level,
			   mm_pte_t leaf)
{
	mm_paddr_t table = mm_sim_cr3(sim);
	unsigned l;

	for (l = MM_PT_TOP; l > level; l--) {
		mm_paddr_t slot = table + 8u * MM_PT_INDEX(l, va);
		mm_pte_t pte = mm_sim_phys_read64(sim, slot);

		if (!(pte & MM_PTE_PRESENT)) {
			pte = new_frame(sim) | TABLE;
			mm_sim_phys_write64(sim, slot, pte);
		}
		table = MM_PTE_ADDR(pte);
	}
	mm_sim_phys_write64(sim, table + 8u * MM_PT_INDEX(level, va), leaf);
	return table + 8u * MM_PT_INDEX(level, va);
}

/* Entry of va at `level` (whose tables exist). */
static mm_paddr_t entry_pa(struct mm_sim *sim, mm_vaddr_t va, unsigned level)
{
	mm_paddr_t table = mm_sim_cr3(sim);
	unsigned l;

	for (l = MM_PT_TOP; l > level; l--)
		table = MM_PTE_ADDR(mm_sim_phys_read64(
			sim, table + 8u * MM_PT_INDEX(l, va)));
	return table + 8u * MM_PT_INDEX(level, va);
}

static struct mm_sim_stats stats(struct mm_sim *sim)
{
	struct mm_sim_stats st;

	mm_sim_stats(sim, &st);
	return st;
}

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
 */
static void test_tlb_fill_skips_unusable(void **state)
{
	struct mm_sim *sim = *state;
	mm_vaddr_t far = (mm_vaddr_t)1 << MM_PT_SHIFT(3); /* PML4 slot 1 */

	hand_map(sim, VA_A, 0, DATA_A | LEAF | MM_PTE_NX);
	hand_map(sim, VA_B, 0, DATA_B | LEAF);
	mm_sim_phys_write64(sim, mm_sim_cr3(sim) + 8u,
			    ((mm_paddr_t)1 << 40) | TABLE);
	mm_sim_tlb_fill(sim);
	assert_false(mm_sim_tlb_has(sim, VA_A));
	assert_true(mm_sim_tlb_has(sim, VA_B));
	assert_true(mm_sim_tlb_has(sim, MM_PT_TABLE_VA(2, far)));
	assert_false(mm_sim_tlb_has(sim, MM_PT_TABLE_VA(1, far)));
	assert_false(mm_sim_tlb_has(sim, far));
	/* VA_B + PML4 + VA_A's PDPT, PD, PT + the far PDPT, as 4 KiB pages. */
	assert_int_equal(stats(sim).tlb_entries, 6);
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
		SIM_TEST(test_port_table_zero_and_freed, setup_nx_1g),
		SIM_TEST(test_port_table_frame_checked, setup_nx_1g),
		SIM_TEST(test_port_pte_misaligned_dies, setup_nx_1g),
		SIM_TEST(test_walk_sets_accessed_dirty, setup_nx_1g),
		SIM_TEST(test_accessed_dirty_at_end_of_ram, setup_nx_1g),
		SIM_TEST(test_phys_write_misaligned, setup_nx_1g),
		SIM_TEST(test_walk_fault_sets_nothing, setup_nx_1g),
		SIM_TEST(test_write_hit_on_stale_clean_entry, setup_nx_1g),
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
		SIM_TEST(test_fail_alloc_after_more_than_free, setup_nx_1g),
		SIM_TEST(test_strict_aborts_by_default, setup_nx_1g),
		SIM_TEST(test_strict_report_names_stale_entry, setup_nx_1g),
		SIM_TEST(test_speculate_below_recursive_entry, setup_nx_1g),
		SIM_TEST(test_fail_alloc_after, setup_nx_1g),
		SIM_TEST(test_fail_alloc_after_zero, setup_nx_1g),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
