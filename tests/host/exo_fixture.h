/*
 * The fixture shared by the host tests of mm/exo.h (test_exo.c,
 * test_exo_hostile.c): a simulated machine in strict TLB mode with a zero
 * page and an mm_exo context, entry names, physical reads of entries,
 * user-mode accesses, and FX_REFUSED, which checks that a call returns an
 * error and changed nothing (RAM byte for byte, the allocator's counters,
 * invalidations).
 */
#ifndef EXO_FIXTURE_H
#define EXO_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mm/exo.h"
#include "mm/port.h"
#include "mm/pte.h"
#include "mm_sim.h"

#define RAM	(16u << 20)
#define KiB4	MM_PAGE_4K
#define P	MM_EXO_PRESENT
#define RO	MM_EXO_READONLY
#define NX	MM_EXO_NOEXEC
#define VA_A	0x0000100000000000ull /* PML4 32 */
#define VA_B	0x0000200000000000ull /* PML4 64 */
#define VA_HIGH 0xFFFF800000000000ull /* kernel half, PML4 256 */

/* The window address naming the entry of `level` for va. */
#define ENT(level, va) ((mm_vaddr_t)MM_PTE_VA(level, va))

/* The PTE bits holding the 8 user flags: 11 and 52-58. */
#define EXO_TEST_USER_PTE (((mm_pte_t)1 << 11) | ((mm_pte_t)0x7F << 52))

struct fx {
	struct mm_sim *sim;
	struct mm_vm *vm;
	struct mm_exo exo;
	mm_pfn_t next; /* where fx_frame() looks for a free frame */
};

#include "fx_sim.h"

static inline int fx_setup_features(void **state, uint32_t features)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	mm_pfn_t zero;

	if (fx == NULL)
		return -1;
	fx->sim = mm_sim_create(RAM, features);
	if (fx->sim == NULL ||
	    mm_frame_alloc(mm_sim_frames(fx->sim), &zero) != MM_OK ||
	    (mm_port_table_zero(fx->sim, MM_PFN_TO_PADDR(zero)), false) ||
	    mm_exo_init(&fx->exo, mm_sim_vm(fx->sim), zero) != MM_OK) {
		mm_sim_destroy(fx->sim);
		free(fx);
		return -1;
	}
	mm_sim_set_strict(fx->sim, true);
	fx->vm = mm_sim_vm(fx->sim);
	fx->next = 1024; /* 4 MiB: above the allocator's metadata */
	*state = fx;
	return 0;
}

static inline int fx_setup(void **state)
{
	return fx_setup_features(state, MM_SIM_NX | MM_SIM_1G);
}

static inline int fx_setup_no_nx(void **state)
{
	return fx_setup_features(state, MM_SIM_1G);
}

/*
 * Every test ends with no stale TLB hit, a consistent allocator and exact
 * fill counts.
 */
static inline int fx_teardown(void **state)
{
	struct fx *fx = *state;
	struct mm_sim_stats st;
	int rc = 0;

	mm_sim_stats(fx->sim, &st);
	if (st.stale_hits != 0 || st.strict_violations != 0 ||
	    mm_frame_check(mm_sim_frames(fx->sim)) != MM_OK ||
	    mm_vm_check(fx->vm) != MM_OK)
		rc = -1;
	mm_sim_destroy(fx->sim);
	free(fx);
	return rc;
}

/* A free frame (left free: ALLOC_PAGE claims it), a new one each call. */
static inline mm_paddr_t fx_frame(struct fx *fx)
{
	while (!mm_frame_is_free(mm_sim_frames(fx->sim), fx->next))
		fx->next++;
	return MM_PFN_TO_PADDR(fx->next++);
}

static inline mm_exo_err_t fx_alloc(struct fx *fx, uint64_t pa,
				    mm_vaddr_t entry, uint64_t flags)
{
	return mm_exo_alloc_page(&fx->exo, pa, entry, flags);
}

/* The entry of `level` for va read from physical memory; 0 if no table. */
static inline mm_pte_t fx_pte(const struct fx *fx, unsigned level,
			      mm_vaddr_t va)
{
	mm_paddr_t table = mm_sim_cr3(fx->sim);
	unsigned l;

	for (l = MM_PT_TOP;; l--) {
		mm_pte_t e = mm_sim_phys_read64(
			fx->sim, table + MM_PT_INDEX(l, va) * MM_PTE_SIZE);

		if (l == level)
			return e;
		if (!(e & MM_PTE_PRESENT))
			return 0;
		table = MM_PTE_ADDR(e);
	}
}

/* The fill count held by the entry of `level` for va. */
static inline unsigned fx_count(const struct fx *fx, unsigned level,
				mm_vaddr_t va)
{
	return (unsigned)((fx_pte(fx, level, va) & MM_PTE_COUNT_MASK) >>
			  MM_PTE_COUNT_SHIFT);
}

/* Tables of levels (level, 3] on va's path, made by ALLOC_PAGE. */
static inline void fx_path(struct fx *fx, mm_vaddr_t va, unsigned level)
{
	unsigned l;

	for (l = MM_PT_TOP; l > level; l--) {
		if (fx_pte(fx, l, va) & MM_PTE_PRESENT)
			continue;
		assert_int_equal(fx_alloc(fx, fx_frame(fx), ENT(l, va), P), 0);
	}
}

/*
 * Write a leaf behind libmm's back into the empty entry of an existing PT
 * (as another part of the kernel would), keeping the fill count (which
 * counts present entries only).
 */
static inline void fx_poke_leaf(struct fx *fx, mm_vaddr_t va, mm_pte_t pte)
{
	mm_pte_t pd = fx_pte(fx, 1, va);
	mm_paddr_t pd_pa = MM_PTE_ADDR(fx_pte(fx, 2, va)) +
			   MM_PT_INDEX(1, va) * MM_PTE_SIZE;

	assert_true(pd & MM_PTE_PRESENT);
	assert_int_equal(fx_pte(fx, 0, va), 0);
	mm_sim_phys_write64(fx->sim,
			    MM_PTE_ADDR(pd) + MM_PT_INDEX(0, va) * MM_PTE_SIZE,
			    pte);
	if (pte & MM_PTE_PRESENT)
		mm_sim_phys_write64(fx->sim, pd_pa,
				    pd + ((mm_pte_t)1 << MM_PTE_COUNT_SHIFT));
}

/* Set bits in the present entry of `level` for va, behind libmm's back. */
static inline void fx_set_bits(struct fx *fx, unsigned level, mm_vaddr_t va,
			       mm_pte_t bits)
{
	mm_paddr_t table = mm_sim_cr3(fx->sim);
	unsigned l;

	for (l = MM_PT_TOP; l > level; l--)
		table = MM_PTE_ADDR(mm_sim_phys_read64(
			fx->sim, table + MM_PT_INDEX(l, va) * MM_PTE_SIZE));
	table += MM_PT_INDEX(level, va) * MM_PTE_SIZE;
	mm_sim_phys_write64(fx->sim, table,
			    mm_sim_phys_read64(fx->sim, table) | bits);
}

/* The physical address a supervisor read of va reaches. */
static inline mm_paddr_t fx_pa(const struct fx *fx, mm_vaddr_t va)
{
	mm_paddr_t pa = 0;

	assert_int_equal(mm_sim_access(fx->sim, va, MM_SIM_READ, &pa), MM_OK);
	return pa;
}

/*
 * A copy of the whole simulated RAM (tables and allocator metadata). The MMU
 * sets Accessed in every entry it uses, and strict mode's TLB fill uses them
 * all: one empty operation first, so the copy already holds the A bits any
 * walk would set and a refused call must change no byte.
 */
static inline uint8_t *fx_snapshot(const struct fx *fx)
{
	uint8_t *copy = malloc(mm_sim_ram_bytes(fx->sim));

	mm_port_op_begin(fx->sim);
	mm_port_op_end(fx->sim);

	assert_non_null(copy);
	memcpy(copy, mm_sim_ram(fx->sim), mm_sim_ram_bytes(fx->sim));
	return copy;
}

static inline void fx_expect_unchanged(const struct fx *fx, uint8_t *copy)
{
	int diff = memcmp(copy, mm_sim_ram(fx->sim), mm_sim_ram_bytes(fx->sim));

	free(copy);
	assert_int_equal(diff, 0);
}

/* What a refused call must leave as it was. */
struct fx_state {
	uint8_t *ram;
	struct mm_frame_stats fs;
	struct mm_sim_stats st;
};

static inline void fx_state_take(const struct fx *fx, struct fx_state *s)
{
	s->ram = fx_snapshot(fx);
	mm_frame_stats(mm_sim_frames(fx->sim), &s->fs);
	mm_sim_stats(fx->sim, &s->st);
}

static inline void fx_state_same(const struct fx *fx, struct fx_state *s)
{
	struct mm_frame_stats fs;
	struct mm_sim_stats st;

	mm_frame_stats(mm_sim_frames(fx->sim), &fs);
	mm_sim_stats(fx->sim, &st);
	fx_expect_unchanged(fx, s->ram);
	assert_memory_equal(&fs, &s->fs, sizeof(fs));
	assert_int_equal(st.invlpg, s->st.invlpg);
	assert_int_equal(st.full_flush, s->st.full_flush);
}

/* call returns code and changes nothing. */
#define FX_REFUSED(fx, call, code)                                             \
	do {                                                                   \
		struct fx_state s_;                                            \
		fx_state_take((fx), &s_);                                      \
		assert_int_equal((call), (code));                              \
		fx_state_same((fx), &s_);                                      \
	} while (0)

#endif /* EXO_FIXTURE_H */
