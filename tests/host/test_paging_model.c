/*
 * Randomized model test of paging: map, unmap, protect, map_range and
 * unmap_range run on the simulated machine (strict TLB mode) and on a
 * reference list of mappings, whose rules predict every status. After every
 * step mm_translate and simulated accesses are compared with the reference
 * at the addresses just touched and at random ones; every few thousand steps
 * at all of them. The reference and the comparisons are the model shared
 * with the paging fuzzer (tests/common/paging_ref.h); here a mismatch fails
 * the test. One map in 16 runs with only a few frame allocations
 * allowed: it must either succeed or fail with MM_ERR_NOMEM having changed
 * nothing. The address space is a few small regions spread over two
 * PML4 slots in both halves, so tables are created and freed all the time.
 * Fixed seeds: a failure replays exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "xorshift.h"

#include "mm/paging.h"
#include "mm/pte.h"
#include "mm_sim.h"
#include "paging_ref.h"

#define RAM		 (16u << 20)
#define KiB4		 MM_PAGE_4K
#define MiB2		 MM_PAGE_2M
#define GiB1		 MM_PAGE_1G
#define MAX_MAPS	 8192u
#define FULL_CHECK_EVERY 2000u
#define FEATURES	 (MM_SIM_NX | MM_SIM_1G)

enum { OP_MAP, OP_UNMAP, OP_PROTECT, OP_MAP_RANGE, OP_UNMAP_RANGE, OP_COUNT };

/* Index choices per level: both ends and the first few, as the tests use. */
static const mm_vaddr_t l4_base[] = {0x0000010000000000ull,
				     0xFFFF800000000000ull};
static const unsigned l3_idx[] = {0, 1, 511};
static const unsigned l2_idx[] = {0, 1, 511};
static const unsigned l1_idx[] = {0, 1, 2, 3, 510, 511};

#define PICK(r, a) ((a)[next(r) % (sizeof(a) / sizeof((a)[0]))])

struct run {
	struct mm_sim *sim;
	struct mm_vm *vm;
	struct paging_ref ref;
	struct paging_ref_map maps[MAX_MAPS]; /* the reference's storage */
	uint64_t rng, step;
	uint64_t tally[OP_COUNT][MM_STATUS_COUNT];
};

/* A mismatch with the reference fails the test at the current step. */
static void ref_fail(void *ctx, const char *what, uint64_t got, uint64_t want)
{
	const struct run *r = ctx;

	print_error("step %llu: %s = 0x%llx, model 0x%llx\n",
		    (unsigned long long)r->step, what, (unsigned long long)got,
		    (unsigned long long)want);
	fail();
}

static uint64_t next(struct run *r)
{
	return xorshift64star(&r->rng);
}

/* Random addresses and protections. */

static mm_vaddr_t slot_va(struct run *r, uint64_t size)
{
	mm_vaddr_t va = PICK(r, l4_base) + PICK(r, l3_idx) * GiB1;

	if (size <= MiB2)
		va += PICK(r, l2_idx) * MiB2;
	if (size == KiB4)
		va += PICK(r, l1_idx) * KiB4;
	return va;
}

static uint64_t random_size(struct run *r)
{
	static const uint64_t sizes[] = {KiB4, KiB4, KiB4, KiB4,
					 MiB2, MiB2, GiB1};

	return PICK(r, sizes);
}

/* A physical address aligned to size, anywhere in a 1 TiB space. */
static mm_paddr_t random_pa(struct run *r, uint64_t size)
{
	return (next(r) % ((uint64_t)1 << 40)) & ~(size - 1u);
}

static unsigned random_prot(struct run *r)
{
	unsigned prot =
		(unsigned)next(r) &
		(MM_PROT_WRITE | MM_PROT_EXEC | MM_PROT_USER | MM_PROT_GLOBAL |
		 MM_PROT_NOCACHE | MM_PROT_WRITETHROUGH);

	if ((prot & MM_PROT_WRITE) && (prot & MM_PROT_EXEC))
		prot |= MM_PROT_ALLOW_WX;
	return prot;
}

/* Checking the machine against the reference. */

/* The start, the last byte and one random byte of [va, va + size). */
static void check_span(struct run *r, mm_vaddr_t va, uint64_t size)
{
	uint64_t mid = (next(r) % size) & ~(uint64_t)7;

	paging_ref_check_span(&r->ref, r->sim, va, size, mid);
}

static void check_at(struct run *r, mm_vaddr_t va)
{
	paging_ref_check_at(&r->ref, r->sim, va);
}

static void check_all(struct run *r)
{
	size_t i;

	for (i = 0; i < r->ref.n; i++)
		check_span(r, r->maps[i].va, r->maps[i].size);
	for (i = 0; i < 64; i++)
		check_at(r, slot_va(r, KiB4));
	PAGING_REF_EXPECT(&r->ref, mm_frame_check(mm_sim_frames(r->sim)),
			  MM_OK);
	PAGING_REF_EXPECT(&r->ref, mm_vm_check(mm_sim_vm(r->sim)), MM_OK);
}

/* One map in 16 may allocate only 0 to 3 frames (fault injection). */
static bool maybe_inject(struct run *r)
{
	if (next(r) % 16 != 0)
		return false;
	mm_sim_fail_alloc_after(r->sim, (int64_t)(next(r) % 4));
	return true;
}

/* Operations: each runs on both sides and compares. */

static mm_status_t op_map(struct run *r, mm_vaddr_t *va, uint64_t *size)
{
	mm_paddr_t pa = random_pa(r, *size = random_size(r));
	unsigned prot = random_prot(r);
	mm_status_t want =
		paging_ref_map_status(&r->ref, *va = slot_va(r, *size), *size);
	bool injected = maybe_inject(r);
	uint64_t free_before = injected ? paging_ref_free_frames(r->sim) : 0;
	mm_status_t st = mm_map(r->vm, *va, pa, *size, prot);

	/* Under fault injection NOMEM may replace OK, changing nothing. */
	if (paging_ref_judge_map(&r->ref, r->sim, st, want, injected,
				 free_before))
		paging_ref_add(&r->ref, *va, pa, *size, prot);
	return st;
}

/* An address to unmap or protect: mostly a mapped one, sometimes not. */
static mm_vaddr_t target(struct run *r)
{
	if (r->ref.n > 0 && next(r) % 4 != 0) {
		const struct paging_ref_map *m = &r->maps[next(r) % r->ref.n];

		/* Sometimes inside a huge page: MM_ERR_INVALID. */
		if (m->size > KiB4 && next(r) % 8 == 0)
			return m->va + KiB4;
		return m->va;
	}
	return slot_va(r, random_size(r));
}

static mm_status_t op_unmap(struct run *r, mm_vaddr_t *va, uint64_t *size)
{
	struct paging_ref_map *m;
	mm_paddr_t pa = 0;
	mm_status_t want = paging_ref_find(&r->ref, *va = target(r), &m);
	mm_status_t st = mm_unmap(r->vm, *va, &pa, size);

	PAGING_REF_EXPECT(&r->ref, st, want);
	if (st != MM_OK) {
		*size = KiB4;
		return st;
	}
	paging_ref_unmap(&r->ref, m, pa, *size);
	return st;
}

static mm_status_t op_protect(struct run *r, mm_vaddr_t *va, uint64_t *size)
{
	struct paging_ref_map *m;
	unsigned prot = random_prot(r);
	mm_status_t want = paging_ref_find(&r->ref, *va = target(r), &m);
	mm_status_t st = mm_protect(r->vm, *va, prot);

	PAGING_REF_EXPECT(&r->ref, st, want);
	*size = st == MM_OK ? m->size : KiB4;
	if (st == MM_OK)
		m->prot = prot;
	return st;
}

/*
 * A range of a few pages or, from a 2 MiB-aligned va (so that it does not
 * turn into thousands of 4 KiB pages), a few 2 MiB pages or a 1 GiB page,
 * with a tail.
 */
static uint64_t random_length(struct run *r, mm_vaddr_t va, bool aligned)
{
	uint64_t pages = 1 + next(r) % 8;

	if (!aligned || (va & (MiB2 - 1u)) != 0 || next(r) % 2 == 0)
		return pages * KiB4;
	if ((va & (GiB1 - 1u)) == 0 && next(r) % 4 == 0)
		return GiB1 + (next(r) % 3) * MiB2 + (next(r) % 3) * KiB4;
	return (1 + next(r) % 3) * MiB2 + (next(r) % 3) * KiB4;
}

static mm_status_t op_map_range(struct run *r, mm_vaddr_t *va, uint64_t *len)
{
	bool aligned = next(r) % 2 == 0;
	mm_paddr_t pa;
	unsigned prot = random_prot(r);
	uint64_t free_before = 0, pages;
	mm_status_t want, st;
	bool injected;

	*va = slot_va(r, random_size(r));
	*len = random_length(r, *va, aligned);
	/* Aligned: pa agrees with va modulo 1 GiB, so huge pages fit. */
	pa = aligned ? random_pa(r, GiB1) + (*va & (GiB1 - 1u))
		     : random_pa(r, KiB4);
	want = paging_ref_range_status(&r->ref, *va, pa, *len, UINT64_MAX,
				       &pages);
	injected = maybe_inject(r);
	if (injected)
		free_before = paging_ref_free_frames(r->sim);
	st = mm_map_range(r->vm, *va, pa, *len, prot);
	if (paging_ref_judge_map(&r->ref, r->sim, st, want, injected,
				 free_before))
		paging_ref_add_range(&r->ref, *va, pa, *len, prot);
	return st;
}

static mm_status_t op_unmap_range(struct run *r, mm_vaddr_t *va, uint64_t *len)
{
	static const uint64_t sizes[] = {KiB4, MiB2, GiB1};
	mm_status_t want, st;

	*va = slot_va(r, PICK(r, sizes));
	*len = random_length(r, *va, true);
	want = paging_ref_unmap_range_status(&r->ref, *va, *len);
	st = mm_unmap_range(r->vm, *va, *len);
	PAGING_REF_EXPECT(&r->ref, st, want);
	if (st == MM_OK)
		paging_ref_remove_range(&r->ref, *va, *len);
	return st;
}

static void step(struct run *r)
{
	static const unsigned weights[OP_COUNT] = {30, 22, 18, 15, 15};
	unsigned pick = (unsigned)(next(r) % 100), op = 0;
	mm_vaddr_t va = 0;
	uint64_t size = KiB4;
	mm_status_t st;

	while (pick >= weights[op])
		pick -= weights[op++];
	if (op == OP_MAP)
		st = op_map(r, &va, &size);
	else if (op == OP_UNMAP)
		st = op_unmap(r, &va, &size);
	else if (op == OP_PROTECT)
		st = op_protect(r, &va, &size);
	else if (op == OP_MAP_RANGE)
		st = op_map_range(r, &va, &size);
	else
		st = op_unmap_range(r, &va, &size);
	r->tally[op][st]++;
	check_span(r, va, size);
	check_at(r, slot_va(r, KiB4));
}

static void run_seed(uint64_t seed, unsigned steps)
{
	struct run *r = calloc(1, sizeof(*r));
	struct mm_frame_stats before, after;
	struct mm_sim_stats st;

	assert_non_null(r);
	r->sim = mm_sim_create(RAM, FEATURES);
	assert_non_null(r->sim);
	mm_sim_set_strict(r->sim, true);
	r->vm = mm_sim_vm(r->sim);
	paging_ref_init(&r->ref, r->maps, MAX_MAPS, FEATURES, ref_fail, r);
	r->rng = seed;
	mm_frame_stats(mm_sim_frames(r->sim), &before);
	for (r->step = 0; r->step < steps; r->step++) {
		step(r);
		if (r->step % FULL_CHECK_EVERY == 0)
			check_all(r);
	}
	check_all(r);
	/* Every outcome of every operation happened. */
	assert_true(r->tally[OP_MAP][MM_OK] > 0);
	assert_true(r->tally[OP_MAP][MM_ERR_MAPPED] > 0);
	assert_true(r->tally[OP_MAP][MM_ERR_HUGE_CONFLICT] > 0);
	assert_true(r->tally[OP_UNMAP][MM_OK] > 0);
	assert_true(r->tally[OP_UNMAP][MM_ERR_NOT_MAPPED] > 0);
	assert_true(r->tally[OP_UNMAP][MM_ERR_INVALID] > 0);
	assert_true(r->tally[OP_PROTECT][MM_OK] > 0);
	assert_true(r->tally[OP_MAP_RANGE][MM_OK] > 0);
	assert_true(r->tally[OP_MAP_RANGE][MM_ERR_HUGE_CONFLICT] > 0);
	assert_true(r->tally[OP_MAP][MM_ERR_NOMEM] > 0);
	assert_true(r->tally[OP_MAP_RANGE][MM_ERR_NOMEM] > 0);
	assert_true(r->tally[OP_UNMAP_RANGE][MM_OK] > 0);
	assert_true(r->tally[OP_UNMAP_RANGE][MM_ERR_HUGE_CONFLICT] > 0);
	/* Unmapping everything gives every table frame back. */
	/* Ranges may run from a region into the next PML4 slot. */
	assert_int_equal(mm_unmap_range(r->vm, l4_base[0], 1024 * GiB1), MM_OK);
	assert_int_equal(mm_unmap_range(r->vm, l4_base[1], 1024 * GiB1), MM_OK);
	mm_frame_stats(mm_sim_frames(r->sim), &after);
	assert_int_equal(after.free_frames, before.free_frames);
	assert_int_equal(mm_frame_check(mm_sim_frames(r->sim)), MM_OK);
	mm_sim_stats(r->sim, &st);
	assert_int_equal(st.stale_hits, 0);
	assert_int_equal(st.strict_violations, 0);
	assert_int_equal(st.full_flush, 0);
	mm_sim_destroy(r->sim);
	free(r);
}

/* Seed 1: the model and the machine agree on 30000 random steps. */
static void test_model_seed1(void **state)
{
	(void)state;
	run_seed(0x9E3779B97F4A7C15ull, 30000);
}

/* Seed 2: the model and the machine agree on 30000 random steps. */
static void test_model_seed2(void **state)
{
	(void)state;
	run_seed(0xD1B54A32D192ED03ull, 30000);
}

/* Seed 3: the model and the machine agree on 40000 random steps. */
static void test_model_seed3(void **state)
{
	(void)state;
	run_seed(0x0123456789ABCDEFull, 40000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_seed1),
		cmocka_unit_test(test_model_seed2),
		cmocka_unit_test(test_model_seed3),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
