/*
 * The simulated MMU: the x86-64 page walk (P, R/W, U/S, NX under
 * EFER.NXE, PS at PD and PDPT level, reserved bits), the accessed and
 * dirty bits it writes back, filling the TLB model (mm_sim_tlb.c) with
 * every valid translation or speculatively below a new table entry, the
 * strict check of cached entries, and CPU accesses through TLB and walk.
 */
#include <stdio.h>

#include "mm/pte.h"
#include "mm_sim_priv.h"

/* The page walk. */

static bool sim_nxe(const struct mm_sim *sim)
{
	return (sim->features & MM_SIM_NX) != 0;
}

/* Address bits a PS entry of `level` must leave zero: [13, shift). */
static uint64_t sim_huge_reserved(unsigned level)
{
	return (MM_PT_SPAN(level) - 1u) &
	       ~(MM_PTE_PAT_HUGE | (MM_FRAME_SIZE - 1u));
}

/* A present entry with a reserved bit set faults (4.5 of the SDM). */
static bool sim_reserved(const struct mm_sim *sim, mm_pte_t pte, unsigned level)
{
	if ((pte & MM_PTE_NX) && !sim_nxe(sim))
		return true;
	if (level == 0 || !(pte & MM_PTE_PS))
		return false;
	if (level == MM_PT_TOP)
		return true;
	if (level == 2 && !(sim->features & MM_SIM_1G))
		return true;
	return (pte & sim_huge_reserved(level)) != 0;
}

static bool sim_is_leaf(mm_pte_t pte, unsigned level)
{
	return level == 0 || (pte & MM_PTE_PS);
}

/* Rights after one more level: write and user must hold at every level. */
static unsigned sim_combine(const struct mm_sim *sim, unsigned flags,
			    mm_pte_t pte)
{
	if (!(pte & MM_PTE_WRITE))
		flags &= ~SIM_X_WRITE;
	if (!(pte & MM_PTE_USER))
		flags &= ~SIM_X_USER;
	if (sim_nxe(sim) && (pte & MM_PTE_NX))
		flags |= SIM_X_NX;
	return flags;
}

static void sim_make_xlate(struct sim_xlate *x, mm_vaddr_t va, mm_pte_t pte,
			   unsigned level, unsigned flags)
{
	uint64_t span = MM_PT_SPAN(level);

	x->va = va & ~(span - 1u);
	x->pa = MM_PTE_ADDR(pte) & ~(span - 1u);
	x->shift = MM_PT_SHIFT(level);
	x->flags = flags | ((pte & MM_PTE_GLOBAL) ? SIM_X_GLOBAL : 0u);
	x->dirty = (pte & MM_PTE_DIRTY) != 0;
	x->gen = 0;
}

/*
 * The translation of va from the tables, ignoring the TLB.
 * Errors: MM_ERR_NOT_MAPPED, MM_ERR_INVALID (reserved bit).
 */
static mm_status_t sim_walk(const struct mm_sim *sim, mm_vaddr_t va,
			    struct sim_xlate *x)
{
	mm_paddr_t table = sim->cr3;
	unsigned flags = SIM_X_WRITE | SIM_X_USER;
	unsigned level;

	for (level = MM_PT_TOP;; level--) {
		mm_pte_t pte = mm_sim_phys_read64(
			sim, table + MM_PT_INDEX(level, va) * MM_PTE_SIZE);

		if (!(pte & MM_PTE_PRESENT))
			return MM_ERR_NOT_MAPPED;
		if (sim_reserved(sim, pte, level))
			return MM_ERR_INVALID;
		flags = sim_combine(sim, flags, pte);
		if (sim_is_leaf(pte, level)) {
			sim_make_xlate(x, va, pte, level, flags);
			return MM_OK;
		}
		table = MM_PTE_ADDR(pte);
	}
}

/* True iff the tables no longer give exactly the cached translation x. */
static bool sim_stale(const struct mm_sim *sim, const struct sim_xlate *x)
{
	struct sim_xlate now;

	if (sim_walk(sim, x->va, &now) != MM_OK)
		return true;
	return now.va != x->va || now.pa != x->pa || now.shift != x->shift ||
	       now.flags != x->flags;
}

/*
 * What the MMU writes back after walking for an access: A in every entry
 * the walk used, and D in the leaf for a write.
 */
static void sim_mark_walk(struct mm_sim *sim, mm_vaddr_t va, bool write)
{
	mm_paddr_t table = sim->cr3;
	unsigned level;

	for (level = MM_PT_TOP;; level--) {
		mm_paddr_t at = table + MM_PT_INDEX(level, va) * MM_PTE_SIZE;
		mm_pte_t pte = mm_sim_phys_read64(sim, at);

		if (!(pte & MM_PTE_PRESENT) || sim_reserved(sim, pte, level))
			return;
		if (sim_is_leaf(pte, level)) {
			sim_phys_set_ad(sim, at,
					MM_PTE_ACCESSED |
						(write ? MM_PTE_DIRTY : 0u));
			return;
		}
		sim_phys_set_ad(sim, at, MM_PTE_ACCESSED);
		table = MM_PTE_ADDR(pte);
	}
}

/* Filling the TLB with every valid translation. */

static void sim_fill_table(struct mm_sim *sim, mm_paddr_t table, unsigned level,
			   mm_vaddr_t prefix, unsigned flags);

static void sim_fill_entry(struct mm_sim *sim, mm_paddr_t table, unsigned level,
			   mm_vaddr_t prefix, unsigned flags, unsigned idx)
{
	mm_pte_t pte = mm_sim_phys_read64(sim, table + idx * MM_PTE_SIZE);
	mm_vaddr_t va = MM_VA_SIGN_EXTEND(prefix | MM_PT_FIELD(level, idx));
	struct sim_xlate x;

	if (sim_reserved(sim, pte, level))
		return;
	/* Caching what an entry gives sets its A bit, as on a CPU. */
	sim_phys_set_ad(sim, table + idx * MM_PTE_SIZE, MM_PTE_ACCESSED);
	flags = sim_combine(sim, flags, pte);
	if (!sim_is_leaf(pte, level)) {
		sim_fill_table(sim, MM_PTE_ADDR(pte), level - 1u, va, flags);
		return;
	}
	sim_make_xlate(&x, va, pte, level, flags);
	x.gen = sim->gen;
	sim_tlb_insert(&sim->tlb, &x);
}

static void sim_fill_table(struct mm_sim *sim, mm_paddr_t table, unsigned level,
			   mm_vaddr_t prefix, unsigned flags)
{
	const uint64_t *words = sim_present_words(sim, table);
	unsigned w;

	for (w = 0; words != NULL && w < WORDS_PER_FRAME; w++) {
		uint64_t bits = words[w];

		while (bits != 0) {
			unsigned idx =
				w * 64u + (unsigned)__builtin_ctzll(bits);

			bits &= bits - 1u;
			sim_fill_entry(sim, table, level, prefix, flags, idx);
		}
	}
}

void mm_sim_tlb_fill(struct mm_sim *sim)
{
	sim_fill_table(sim, sim->cr3, MM_PT_TOP, 0, SIM_X_WRITE | SIM_X_USER);
	sim->fill_needed = false;
	sim->ndropped = 0;
}

/* Cache again the translations of every size that covered va, if valid. */
static void sim_refill_one(struct mm_sim *sim, mm_vaddr_t va)
{
	struct sim_xlate x = {0}; /* shift 0: no size, until a walk fills it */
	unsigned shift;

	for (shift = MM_PT_SHIFT(0); shift <= MM_PT_SHIFT(2);
	     shift += MM_PT_INDEX_BITS) {
		mm_vaddr_t base = va & ~(((uint64_t)1 << shift) - 1u);

		if (sim_walk(sim, base, &x) != MM_OK || x.shift != shift)
			continue;
		x.gen = sim->gen;
		sim_tlb_insert(&sim->tlb, &x);
	}
}

/* Put back what was dropped since a fill of the unchanged tables. */
void sim_refill_dropped(struct mm_sim *sim)
{
	while (sim->ndropped > 0)
		sim_refill_one(sim, sim->dropped[--sim->ndropped]);
}

static void sim_report(const struct sim_xlate *x)
{
	fprintf(stderr,
		"mm_sim: stale TLB entry va 0x%016llx -> pa 0x%llx (2^%u "
		"bytes, flags 0x%x): a missing invalidation\n",
		(unsigned long long)x->va, (unsigned long long)x->pa, x->shift,
		x->flags);
}

uint64_t mm_sim_tlb_check(struct mm_sim *sim)
{
	uint64_t bad = 0;
	size_t i;

	for (i = 0; i < sim->tlb.cap; i++) {
		const struct sim_tlb_slot *s = &sim->tlb.slots[i];

		if (s->key == 0 || !sim_stale(sim, &s->x))
			continue;
		if (sim->strict_abort && bad < MAX_REPORTS)
			sim_report(&s->x);
		bad++;
	}
	sim->st.strict_violations += bad;
	sim->check_needed = false;
	return bad;
}

bool mm_sim_tlb_has(const struct mm_sim *sim, mm_vaddr_t va)
{
	return sim_tlb_lookup(&sim->tlb, va) != NULL;
}

/* CPU accesses. */

static bool sim_access_valid(unsigned access)
{
	unsigned kind = access & ~MM_SIM_USER;

	return kind == MM_SIM_READ || kind == MM_SIM_WRITE ||
	       kind == MM_SIM_EXEC;
}

static bool sim_permitted(const struct sim_xlate *x, unsigned access)
{
	if ((access & MM_SIM_WRITE) && !(x->flags & SIM_X_WRITE))
		return false;
	if ((access & MM_SIM_USER) && !(x->flags & SIM_X_USER))
		return false;
	return !((access & MM_SIM_EXEC) && (x->flags & SIM_X_NX));
}

/* The translation of va as the CPU sees it: TLB first, then the walk. */
static mm_status_t sim_translate(struct mm_sim *sim, mm_vaddr_t va,
				 struct sim_xlate *x, bool *was_hit)
{
	struct sim_xlate *hit = sim_tlb_lookup(&sim->tlb, va);
	mm_status_t st;

	*was_hit = hit != NULL;
	if (hit != NULL) {
		sim->st.tlb_hits++;
		/* Matched at this RAM generation: it still does. */
		if (hit->gen != sim->gen && sim_stale(sim, hit))
			sim->st.stale_hits++;
		else
			hit->gen = sim->gen;
		*x = *hit;
		return MM_OK;
	}
	sim->st.tlb_misses++;
	st = sim_walk(sim, va, x);
	x->gen = sim->gen;
	if (st == MM_OK)
		sim_tlb_insert(&sim->tlb, x);
	return st;
}

/*
 * A and D after a permitted access: a walk sets A along its way; a write
 * sets D in the leaf, walking again when the cached translation was not
 * dirty yet (as a CPU does), after which the cached one is.
 */
static void sim_record_use(struct mm_sim *sim, mm_vaddr_t va, bool hit,
			   const struct sim_xlate *x, bool write)
{
	struct sim_xlate *cached;

	if (hit && (!write || x->dirty))
		return;
	sim_mark_walk(sim, va, write);
	cached = sim_tlb_lookup(&sim->tlb, va);
	if (write && cached != NULL)
		cached->dirty = true;
}

mm_status_t mm_sim_access(struct mm_sim *sim, mm_vaddr_t va, unsigned access,
			  mm_paddr_t *pa_out)
{
	struct sim_xlate x;
	bool hit;
	mm_status_t st;

	if (!sim_access_valid(access) || !MM_VA_CANONICAL(va))
		return MM_ERR_INVALID;
	st = sim_translate(sim, va, &x, &hit);
	if (st != MM_OK)
		return st;
	if (!sim_permitted(&x, access)) {
		sim_tlb_invalidate(&sim->tlb, va);
		sim_note_drop(sim, va);
		return MM_ERR_INVALID;
	}
	sim_record_use(sim, va, hit, &x, (access & MM_SIM_WRITE) != 0);
	if (pa_out != NULL)
		*pa_out = x.pa + (va - x.va);
	return MM_OK;
}

/* Translate an 8-byte supervisor access to a physical address in RAM. */
static mm_status_t sim_access64(struct mm_sim *sim, mm_vaddr_t va,
				unsigned access, mm_paddr_t *pa)
{
	mm_status_t st;

	if (va & 7u)
		return MM_ERR_INVALID;
	st = mm_sim_access(sim, va, access, pa);
	if (st != MM_OK)
		return st;
	return *pa < sim->ram_bytes ? MM_OK : MM_ERR_OUT_OF_RANGE;
}

mm_status_t mm_sim_read64(struct mm_sim *sim, mm_vaddr_t va, uint64_t *value)
{
	mm_paddr_t pa;
	mm_status_t st = sim_access64(sim, va, MM_SIM_READ, &pa);

	if (st == MM_OK)
		*value = mm_sim_phys_read64(sim, pa);
	return st;
}

mm_status_t mm_sim_write64(struct mm_sim *sim, mm_vaddr_t va, uint64_t value)
{
	mm_paddr_t pa;
	mm_status_t st = sim_access64(sim, va, MM_SIM_WRITE, &pa);

	if (st == MM_OK)
		mm_sim_phys_write64(sim, pa, value);
	return st;
}

/*
 * The entry at window address w: its level, and the address it maps
 * (aligned to its span). A window address of level L repeats the
 * recursive index in its top L + 1 fields; libmm never maps inside the
 * window, so the first field that differs ends the repetition.
 */
static unsigned sim_window_entry(mm_vaddr_t w, mm_vaddr_t *va)
{
	unsigned level = 0;

	while (level < MM_PT_TOP &&
	       MM_PT_INDEX(MM_PT_TOP - level - 1u, w) == MM_RECURSIVE_INDEX)
		level++;
	*va = MM_VA_SIGN_EXTEND(
		((w & MM_PT_WINDOW_MASK(level))
		 << ((level + 1u) * MM_PT_INDEX_BITS)) |
		MM_PT_FIELD(level, (w >> 3) & (MM_PT_ENTRIES - 1u)));
	return level;
}

/*
 * Speculative paging-structure caching (SDM 4.10.3: the caches may be
 * filled at any time, for speculative accesses too): the entry of `level`
 * for va just became present; when it points to a table, walk below it at
 * once and cache every translation found there. A table that still held
 * garbage leaves cached entries that are stale once it is zeroed.
 */
static void sim_speculate_below(struct mm_sim *sim, unsigned level,
				mm_vaddr_t va)
{
	mm_paddr_t table = sim->cr3;
	unsigned flags = SIM_X_WRITE | SIM_X_USER;
	unsigned l;

	for (l = MM_PT_TOP; l > level; l--) {
		mm_pte_t pte = mm_sim_phys_read64(
			sim, table + MM_PT_INDEX(l, va) * MM_PTE_SIZE);

		if (!(pte & MM_PTE_PRESENT) || sim_is_leaf(pte, l) ||
		    sim_reserved(sim, pte, l))
			return;
		flags = sim_combine(sim, flags, pte);
		table = MM_PTE_ADDR(pte);
	}
	sim_fill_entry(sim, table, level, va & ~(MM_PT_SPAN(level + 1u) - 1u),
		       flags, MM_PT_INDEX(level, va));
}

void sim_speculate(struct mm_sim *sim, mm_vaddr_t w, mm_pte_t pte)
{
	mm_vaddr_t va;
	unsigned level = sim_window_entry(w, &va);

	if (!sim_is_leaf(pte, level))
		sim_speculate_below(sim, level, va);
}
