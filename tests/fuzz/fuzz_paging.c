/*
 * libFuzzer target for paging: an arbitrary sequence of mm_map, mm_unmap,
 * mm_protect, mm_map_range and mm_unmap_range on the simulated machine in
 * strict TLB mode (a missing invalidation aborts), checked against a
 * reference list of mappings that predicts every status. After each step
 * mm_translate and simulated CPU accesses (read, write, exec, user) are
 * compared with the reference at the addresses the step touched and at a
 * few the input picks; malformed calls (non-canonical, misaligned, inside
 * the recursive window) must fail and change nothing. At the end every
 * mapping is removed and every table frame must be back in the allocator.
 * Virtual addresses come from a few slots per level in both canonical
 * halves, so tables are created, shared and freed all the time. The
 * reference and the comparisons are the model shared with the model test
 * (tests/common/paging_ref.h); here a mismatch aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_check.h"
#include "mm/paging.h"
#include "mm/pte.h"
#include "mm_sim.h"
#include "paging_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM	     (8u << 20)
#define KiB4	     MM_PAGE_4K
#define MiB2	     MM_PAGE_2M
#define GiB1	     MM_PAGE_1G
#define MAX_MAPS     2048u /* reference capacity; bigger steps are skipped */
#define MAX_RANGE_PG 600u  /* pages one mm_map_range may create */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const mm_vaddr_t l4_base[] = {0x0000010000000000ull,
				     0xFFFF800000000000ull};
static const unsigned l3_idx[] = {0, 1, 511};
static const unsigned l2_idx[] = {0, 1, 511};
static const unsigned l1_idx[] = {0, 1, 2, 3, 510, 511};

struct in {
	const uint8_t *p;
	size_t n;
};

struct run {
	struct in in;
	struct mm_sim *sim;
	struct mm_vm *vm;
	uint32_t features;
	struct paging_ref ref;
	struct paging_ref_map maps[MAX_MAPS]; /* the reference's storage */
};

/* A mismatch with the reference: print it and abort. */
static void ref_fail(void *ctx, const char *what, uint64_t got, uint64_t want)
{
	(void)ctx;
	fprintf(stderr, "fuzz_paging: %s = 0x%llx, reference 0x%llx\n", what,
		(unsigned long long)got, (unsigned long long)want);
	abort();
}

static uint64_t get(struct in *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->n > 0; i++, in->n--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

/* ---- inputs -------------------------------------------------------------- */

/* A va aligned to size in one of the slots. */
static mm_vaddr_t pick_va(struct run *r, uint64_t size)
{
	uint64_t s = get(&r->in, 1);
	mm_vaddr_t va = l4_base[s & 1] + l3_idx[(s >> 1) % 3] * GiB1;

	if (size <= MiB2)
		va += l2_idx[(s >> 3) % 3] * MiB2;
	if (size == KiB4)
		va += l1_idx[(s >> 5) % 6] * KiB4;
	return va;
}

static uint64_t pick_size(struct run *r)
{
	static const uint64_t sizes[] = {KiB4, KiB4, KiB4, MiB2, MiB2, GiB1};

	return sizes[get(&r->in, 1) % COUNT(sizes)];
}

/* A pa aligned to size below 1 TiB (mostly MMIO: the RAM is small). */
static mm_paddr_t pick_pa(struct run *r, uint64_t size)
{
	return (get(&r->in, 4) << 12) & (((uint64_t)1 << 40) - size);
}

/* Any protection; WRITE | EXEC mostly with ALLOW_WX; rarely a bad bit. */
static unsigned pick_prot(struct run *r)
{
	unsigned b = (unsigned)get(&r->in, 1);
	unsigned prot = b & (MM_PROT_ALLOW_WX - 1u);
	unsigned wx = MM_PROT_WRITE | MM_PROT_EXEC;

	if ((prot & wx) == wx && !(b & 0x40))
		prot |= MM_PROT_ALLOW_WX;
	if (b == 0xFF)
		prot = MM_PROT_ALL + 1u;
	return prot;
}

static bool prot_ok(unsigned prot)
{
	unsigned wx = MM_PROT_WRITE | MM_PROT_EXEC;

	return !(prot & ~MM_PROT_ALL) &&
	       ((prot & wx) != wx || (prot & MM_PROT_ALLOW_WX));
}

/* ---- comparing ------------------------------------------------------------- */

static uint64_t free_frames(struct run *r)
{
	return paging_ref_free_frames(r->sim);
}

static void check_at(struct run *r, mm_vaddr_t va)
{
	paging_ref_check_at(&r->ref, r->sim, va);
}

/* The first, the last and a middle 8 bytes of [va, va + size). */
static void check_span(struct run *r, mm_vaddr_t va, uint64_t size)
{
	paging_ref_check_span(&r->ref, r->sim, va, size,
			      size / 2 & ~(uint64_t)7);
}

static void check_all(struct run *r)
{
	for (size_t i = 0; i < r->ref.n; i++)
		check_span(r, r->maps[i].va, r->maps[i].size);
	CHECK_EQ(mm_frame_check(mm_sim_frames(r->sim)), MM_OK);
	CHECK_EQ(mm_vm_check(mm_sim_vm(r->sim)), MM_OK);
}

/* ---- operations ------------------------------------------------------------ */

/* Arm fault injection (0 to 3 table frames) for one step in eight. */
static bool maybe_inject(struct run *r, uint8_t op)
{
	if ((op & 0x38) != 0x38)
		return false;
	mm_sim_fail_alloc_after(r->sim, (int64_t)(get(&r->in, 1) % 4));
	return true;
}

/* Judge a map's status (see paging_ref_judge_map), injection disarmed. */
static bool map_applies(struct run *r, mm_status_t st, mm_status_t want,
			bool injected, uint64_t free_before)
{
	mm_sim_fail_alloc_after(r->sim, -1);
	return paging_ref_judge_map(&r->ref, r->sim, st, want, injected,
				    free_before);
}

static void op_map(struct run *r, uint8_t op)
{
	uint64_t size = pick_size(r), before = free_frames(r);
	mm_vaddr_t va = pick_va(r, size);
	mm_paddr_t pa = pick_pa(r, size);
	unsigned prot = pick_prot(r);
	mm_status_t want = MM_OK;
	bool injected;

	if (!prot_ok(prot))
		want = MM_ERR_INVALID;
	else if (size == GiB1 && !(r->features & MM_SIM_1G))
		want = MM_ERR_UNSUPPORTED;
	else
		want = paging_ref_map_status(&r->ref, va, size);
	if (want == MM_OK && r->ref.n == MAX_MAPS)
		return;
	injected = want == MM_OK && maybe_inject(r, op);
	if (map_applies(r, mm_map(r->vm, va, pa, size, prot), want, injected,
			before))
		paging_ref_add(&r->ref, va, pa, size, prot);
	check_span(r, va, size);
}

/* A va of an existing mapping (maybe inside it), or of a slot. */
static mm_vaddr_t pick_target(struct run *r)
{
	uint64_t s = get(&r->in, 2);
	mm_vaddr_t va;

	if (r->ref.n == 0 || (s & 3) == 0)
		return pick_va(r, pick_size(r));
	va = r->maps[(s >> 2) % r->ref.n].va;
	if ((s & 3) == 1 && r->maps[(s >> 2) % r->ref.n].size > KiB4)
		va += KiB4 * (1 + get(&r->in, 1));
	return va;
}

static void op_unmap(struct run *r, uint8_t op)
{
	mm_vaddr_t va = pick_target(r);
	struct paging_ref_map *m;
	mm_status_t want = paging_ref_find(&r->ref, va, &m);
	mm_paddr_t pa = 0;
	uint64_t size = 0;

	(void)op;
	CHECK_EQ(mm_unmap(r->vm, va, &pa, &size), want);
	if (want == MM_OK) {
		paging_ref_unmap(&r->ref, m, pa, size);
		check_span(r, va, size);
	}
	check_at(r, va);
}

static void op_protect(struct run *r, uint8_t op)
{
	mm_vaddr_t va = pick_target(r);
	unsigned prot = pick_prot(r);
	struct paging_ref_map *m;
	mm_status_t want = paging_ref_find(&r->ref, va, &m);

	(void)op;
	if (!prot_ok(prot))
		want = MM_ERR_INVALID;
	CHECK_EQ(mm_protect(r->vm, va, prot), want);
	if (want == MM_OK)
		m->prot = prot;
	if (m != NULL)
		check_span(r, m->va, m->size);
}

/* A range length: some 4 KiB pages, some 2 MiB, or some 1 GiB ones. */
static uint64_t pick_length(struct run *r)
{
	uint64_t s = get(&r->in, 1);

	switch (s & 3) {
	case 0:
		return KiB4 * (1 + (s >> 2));
	case 1:
		return MiB2 * (1 + (s >> 6)) + KiB4 * ((s >> 2) & 15);
	case 2:
		return GiB1 * (1 + ((s >> 2) & 1)) + MiB2 * ((s >> 3) & 3);
	default:
		return s == 0xFF ? 0 : KiB4 * (s >> 2) * 17;
	}
}

static void op_map_range(struct run *r, uint8_t op)
{
	mm_vaddr_t va = pick_va(r, KiB4) + KiB4 * get(&r->in, 1);
	uint64_t len = pick_length(r), pages, before = free_frames(r);
	mm_paddr_t pa = pick_pa(r, GiB1);
	unsigned prot = pick_prot(r), sel = (unsigned)get(&r->in, 1);
	mm_status_t want;
	bool injected;

	pa += (sel & 1) ? (va & (GiB1 - 1u)) : KiB4 * (sel >> 1);
	if (len == 0 || !prot_ok(prot))
		want = MM_ERR_INVALID;
	else
		want = paging_ref_range_status(&r->ref, va, pa, len,
					       MAX_RANGE_PG, &pages);
	if (want == MM_OK &&
	    (pages > MAX_RANGE_PG || r->ref.n + pages > MAX_MAPS))
		return;
	injected = want == MM_OK && maybe_inject(r, op);
	if (!map_applies(r, mm_map_range(r->vm, va, pa, len, prot), want,
			 injected, before))
		return;
	paging_ref_add_range(&r->ref, va, pa, len, prot);
	for (uint64_t done = 0; done < len;) {
		uint64_t size = paging_ref_range_page(&r->ref, va + done,
						      pa + done, len - done);

		check_span(r, va + done, size);
		done += size;
	}
}

static void op_unmap_range(struct run *r, uint8_t op)
{
	mm_vaddr_t va = pick_va(r, KiB4) + KiB4 * get(&r->in, 1);
	uint64_t len = pick_length(r);
	mm_status_t want = MM_ERR_INVALID;

	(void)op;
	if (len > 0)
		want = paging_ref_unmap_range_status(&r->ref, va, len);
	CHECK_EQ(mm_unmap_range(r->vm, va, len), want);
	if (want == MM_OK)
		paging_ref_remove_range(&r->ref, va, len);
	if (len > 0) {
		check_at(r, va);
		check_at(r, va + len - 8u);
	}
}

/* A malformed va: not canonical, in the recursive window, or misaligned. */
static mm_vaddr_t wild_va(struct run *r, unsigned kind, mm_status_t *want)
{
	mm_vaddr_t va = pick_va(r, KiB4);
	uint64_t v = get(&r->in, 4);

	*want = MM_ERR_INVALID;
	if (kind == 0)
		return (va & ~MM_VA_HIGH_BITS) | ((uint64_t)1 << 47);
	if (kind == 1) {
		*want = MM_ERR_OUT_OF_RANGE;
		return MM_WINDOW_START + ((v << 12) & (GiB1 * 512 - 1u));
	}
	return va + (8u << (v % 9));
}

/*
 * A malformed call: non-canonical, misaligned or inside the recursive
 * window, a range crossing the canonical hole, a bad size, a pa past 52
 * bits. It must fail as documented and change nothing (the frame count
 * here, the mappings at the next checks).
 */
static void op_wild(struct run *r, uint8_t op)
{
	uint64_t s = get(&r->in, 1), before = free_frames(r);
	mm_status_t want, st;
	mm_vaddr_t va = wild_va(r, (unsigned)(s % 3), &want);
	mm_vaddr_t hole = ((uint64_t)1 << 47) - KiB4;

	(void)op;
	switch ((s >> 2) % 9) {
	case 0:
		st = mm_map(r->vm, va, 0, KiB4, 0);
		break;
	case 1:
		st = mm_unmap(r->vm, va, NULL, NULL);
		break;
	case 2:
		st = mm_protect(r->vm, va, 0);
		break;
	case 3:
		st = mm_map_range(r->vm, va, 0, 2 * KiB4, 0);
		break;
	case 4:
		st = mm_unmap_range(r->vm, va, KiB4);
		break;
	case 5: /* not a page size */
		st = mm_map(r->vm, pick_va(r, MiB2), 0, 3 * KiB4, 0);
		want = MM_ERR_INVALID;
		break;
	case 6: /* pa past the 52-bit space */
		st = mm_map(r->vm, pick_va(r, KiB4), MM_PHYS_LIMIT, KiB4, 0);
		want = MM_ERR_INVALID;
		break;
	case 7:
		st = mm_map_range(r->vm, pick_va(r, KiB4), MM_PHYS_LIMIT - KiB4,
				  2 * KiB4, 0);
		want = MM_ERR_INVALID;
		break;
	default: /* across the canonical hole */
		st = (s & 1) ? mm_map_range(r->vm, hole, 0, 2 * KiB4, 0)
			     : mm_unmap_range(r->vm, hole, 2 * KiB4);
		want = MM_ERR_INVALID;
		break;
	}
	CHECK_EQ(st, want);
	CHECK(free_frames(r) == before);
}

/* Addresses the input picks, anywhere in the slots. */
static void op_probe(struct run *r, uint8_t op)
{
	(void)op;
	for (unsigned i = 0; i < 4; i++)
		check_at(r, pick_va(r, KiB4) + (get(&r->in, 2) << 3));
}

/* ---- one input ------------------------------------------------------------- */

/*
 * Remove everything: each slot's whole 512 GiB at once, then what is left
 * (ranges may run past a slot) page by page.
 */
static void teardown(struct run *r, uint64_t free_at_start)
{
	struct mm_sim_stats st;

	for (size_t i = 0; i < COUNT(l4_base); i++) {
		CHECK_EQ(mm_unmap_range(r->vm, l4_base[i], GiB1 * 512), MM_OK);
		paging_ref_remove_range(&r->ref, l4_base[i], GiB1 * 512);
	}
	for (; r->ref.n > 0; r->ref.n--)
		CHECK(mm_unmap(r->vm, r->maps[r->ref.n - 1].va, NULL, NULL) ==
		      MM_OK);
	CHECK(free_frames(r) == free_at_start);
	CHECK_EQ(mm_frame_check(mm_sim_frames(r->sim)), MM_OK);
	mm_sim_stats(r->sim, &st);
	CHECK(st.stale_hits == 0 && st.strict_violations == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const ops[])(struct run *, uint8_t) = {
		op_map,	      op_map,	      op_unmap, op_protect,
		op_map_range, op_unmap_range, op_wild,	op_probe,
	};
	static struct run run;
	struct run *r = &run;
	uint64_t free_at_start;

	r->in = (struct in){data, size};
	r->features = (uint32_t)get(&r->in, 1) & (MM_SIM_NX | MM_SIM_1G);
	paging_ref_init(&r->ref, r->maps, MAX_MAPS, r->features, ref_fail,
			NULL);
	r->sim = mm_sim_create(RAM, r->features);
	CHECK(r->sim != NULL);
	r->vm = mm_sim_vm(r->sim);
	mm_sim_set_strict(r->sim, true);
	free_at_start = free_frames(r);
	while (r->in.n > 0) {
		uint8_t op = (uint8_t)get(&r->in, 1);

		ops[op % COUNT(ops)](r, op);
		if ((op & 0xC0) == 0xC0)
			check_all(r);
	}
	check_all(r);
	teardown(r, free_at_start);
	mm_sim_destroy(r->sim);
	return 0;
}
