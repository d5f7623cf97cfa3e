/*
 * The simulator's TLB model (libmm/host/mm_sim_tlb.h, white box: the slot
 * array is read to learn where a key lands): probe runs of colliding
 * entries, found whole, shortened by invalidation and kept across growth.
 * A lookup that misses must stop at the first empty slot, so a run that
 * skipped slots would walk a full parity class forever.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mm_sim_tlb.h"

#define PAGE	 4096u
#define RUN	 128u /* the most entries a table of 256 slots holds */
#define PA_BASE	 0x40000000ull
#define VA_LIMIT (1u << 20) /* candidate pages searched for collisions */
#define FAR	 0x0000700000000000ull /* a page beyond every candidate */

static struct sim_xlate xlate_of(mm_vaddr_t va)
{
	struct sim_xlate x;

	memset(&x, 0, sizeof(x));
	x.va = va;
	x.pa = PA_BASE + va;
	x.shift = 12;
	x.flags = SIM_X_WRITE;
	return x;
}

/* The slot va's 4 KiB entry takes in the empty table tlb (its home). */
static size_t home_of(struct sim_tlb *tlb, mm_vaddr_t va)
{
	struct sim_xlate x = xlate_of(va);
	size_t i, home = tlb->cap;

	assert_int_equal(tlb->used, 0);
	sim_tlb_insert(tlb, &x);
	for (i = 0; i < tlb->cap; i++)
		if (tlb->slots[i].key != 0)
			home = i;
	sim_tlb_invalidate(tlb, va);
	assert_int_equal(tlb->used, 0);
	assert_true(home < tlb->cap);
	return home;
}

/* n pages whose entries share one home slot of a 256-slot table. */
static void colliding_pages(struct sim_tlb *tlb, mm_vaddr_t *va, unsigned n)
{
	size_t home = home_of(tlb, PAGE);
	unsigned k = 0;
	mm_vaddr_t v;

	for (v = PAGE; v < (mm_vaddr_t)VA_LIMIT * PAGE && k < n; v += PAGE)
		if (home_of(tlb, v) == home)
			va[k++] = v;
	assert_int_equal(k, n);
}

static void expect_found(const struct sim_tlb *tlb, mm_vaddr_t va)
{
	const struct sim_xlate *x = sim_tlb_lookup(tlb, va + 0x123u);

	assert_non_null(x);
	assert_int_equal(x->va, va);
	assert_int_equal(x->pa, PA_BASE + va);
}

static bool in_run(const mm_vaddr_t *va, unsigned n, mm_vaddr_t v)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (va[i] == v)
			return true;
	return false;
}

/*
 * The run is found; every other page of the first 16 MiB misses (its
 * lookups probe from homes all over the table, the run's home included).
 */
static void expect_misses(const struct sim_tlb *tlb, const mm_vaddr_t *va,
			  unsigned n)
{
	unsigned i;
	mm_vaddr_t v;

	for (v = 0; v < (mm_vaddr_t)4096u * PAGE; v += PAGE)
		if (!in_run(va, n, v))
			assert_null(sim_tlb_lookup(tlb, v));
	for (i = 0; i < n; i++)
		expect_found(tlb, va[i]);
}

/*
 * RUN entries with one home fill RUN consecutive slots of a table of 256:
 * each is found, every other page misses; dropping every other entry of
 * the run keeps the rest findable; one entry more grows the table and
 * keeps them all.
 */
static void test_tlb_colliding_run(void **state)
{
	struct sim_tlb tlb;
	mm_vaddr_t va[RUN];
	struct sim_xlate x;
	unsigned i;

	(void)state;
	assert_true(sim_tlb_init(&tlb));
	assert_int_equal(tlb.cap, 256);
	colliding_pages(&tlb, va, RUN);
	for (i = 0; i < RUN; i++) {
		x = xlate_of(va[i]);
		sim_tlb_insert(&tlb, &x);
	}
	assert_int_equal(tlb.cap, 256);
	assert_int_equal(tlb.used, RUN);
	expect_misses(&tlb, va, RUN);
	for (i = 0; i < RUN; i += 2)
		sim_tlb_invalidate(&tlb, va[i]);
	assert_int_equal(tlb.used, RUN / 2u);
	for (i = 0; i < RUN; i++)
		if (i % 2u == 0)
			assert_null(sim_tlb_lookup(&tlb, va[i]));
		else
			expect_found(&tlb, va[i]);
	for (i = 0; i < RUN; i += 2) {
		x = xlate_of(va[i]);
		sim_tlb_insert(&tlb, &x);
	}
	x = xlate_of(FAR);
	sim_tlb_insert(&tlb, &x);
	assert_int_equal(tlb.cap, 512);
	expect_found(&tlb, FAR);
	expect_misses(&tlb, va, RUN);
	sim_tlb_free(&tlb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tlb_colliding_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
