/*
 * The simulated machine behind mm/port.h in hosted builds: RAM as a byte
 * array, CR3, the x86-64 page walk (P, R/W, U/S, NX under EFER.NXE, PS at
 * PD and PDPT level, reserved bits), the TLB model of mm_sim_tlb.c, strict
 * mode and fault injection. Besides the RAM it keeps one bit per 8-byte
 * word telling whether the word has its present bit set, so that filling
 * the TLB with every translation walks only present entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/memmap.h"
#include "mm/pte.h"
#include "mm_sim.h"
#include "mm_sim_tlb.h"

#define MIN_RAM		((uint64_t)1 << 20)
#define MAX_RAM		((uint64_t)1 << 32)
#define WORDS_PER_FRAME (MM_PT_ENTRIES / 64u)
#define META_PA		(MM_SIM_PML4_PA + MM_FRAME_SIZE)
#define MAX_REPORTS	8u
#define MAX_DROPPED	64u

struct mm_sim {
	uint8_t *ram;
	uint64_t ram_bytes;
	uint64_t *present; /* WORDS_PER_FRAME words per frame */
	mm_paddr_t cr3;
	uint32_t features;
	struct mm_vm vm;
	struct mm_frames frames;
	struct sim_tlb tlb;
	bool strict, strict_abort;
	uint64_t gen;	   /* bumped by every RAM write */
	bool fill_needed;  /* RAM written since the last fill */
	bool check_needed; /* RAM written since the last strict check */
	mm_vaddr_t dropped[MAX_DROPPED]; /* TLB drops since the last fill */
	size_t ndropped;
	unsigned depth;	    /* nesting of op_begin / op_end */
	int64_t fail_after; /* armed fault injection, or negative */
	uint64_t *claimed;  /* frames held back during the operation */
	size_t nclaimed, claim_cap;
	struct mm_sim_stats st;
};

static _Noreturn void fail(const char *what)
{
	fprintf(stderr, "mm_sim: %s\n", what);
	abort();
}

static _Noreturn void die(const char *what, mm_vaddr_t va)
{
	fprintf(stderr, "mm_sim: %s at va 0x%016llx\n", what,
		(unsigned long long)va);
	abort();
}

/* Physical memory and the present-bit index. */

uint64_t mm_sim_phys_read64(const struct mm_sim *sim, mm_paddr_t pa)
{
	uint64_t v;

	if (pa >= sim->ram_bytes || pa + 8u > sim->ram_bytes)
		return 0;
	memcpy(&v, sim->ram + pa, sizeof(v));
	return v;
}

void mm_sim_phys_write64(struct mm_sim *sim, mm_paddr_t pa, uint64_t value)
{
	unsigned slot = (unsigned)(pa >> 3) & (MM_PT_ENTRIES - 1u);
	uint64_t *word;
	uint64_t bit = (uint64_t)1 << (slot % 64u);

	if (pa >= sim->ram_bytes || pa + 8u > sim->ram_bytes || (pa & 7u))
		return;
	memcpy(sim->ram + pa, &value, sizeof(value));
	sim->gen++;
	sim->fill_needed = true;
	sim->check_needed = true;
	word = &sim->present[MM_PADDR_TO_PFN(pa) * WORDS_PER_FRAME +
			     slot / 64u];
	*word = (value & MM_PTE_PRESENT) ? (*word | bit) : (*word & ~bit);
}

static void phys_zero_frame(struct mm_sim *sim, mm_paddr_t pa)
{
	uint64_t pfn = MM_PADDR_TO_PFN(pa);

	if (pa >= sim->ram_bytes)
		return;
	memset(sim->ram + MM_PFN_TO_PADDR(pfn), 0, MM_FRAME_SIZE);
	sim->gen++;
	sim->fill_needed = true;
	sim->check_needed = true;
	memset(&sim->present[pfn * WORDS_PER_FRAME], 0,
	       WORDS_PER_FRAME * sizeof(uint64_t));
}

/* The present-bit words of the table at pa, or NULL beyond the RAM. */
static const uint64_t *present_words(const struct mm_sim *sim, mm_paddr_t pa)
{
	if (pa >= sim->ram_bytes)
		return NULL;
	return &sim->present[MM_PADDR_TO_PFN(pa) * WORDS_PER_FRAME];
}

/*
 * Entries for va left the TLB. While the RAM is unchanged since the last
 * fill, refilling only these addresses restores what a fill would give.
 */
static void note_drop(struct mm_sim *sim, mm_vaddr_t va)
{
	if (sim->ndropped < MAX_DROPPED)
		sim->dropped[sim->ndropped++] = va;
	else
		sim->fill_needed = true;
}

/* The page walk. */

static bool nxe(const struct mm_sim *sim)
{
	return (sim->features & MM_SIM_NX) != 0;
}

/* Address bits a PS entry of `level` must leave zero: [13, shift). */
static uint64_t huge_reserved(unsigned level)
{
	return (MM_PT_SPAN(level) - 1u) &
	       ~(MM_PTE_PAT_HUGE | (MM_FRAME_SIZE - 1u));
}

/* A present entry with a reserved bit set faults (4.5 of the SDM). */
static bool reserved(const struct mm_sim *sim, mm_pte_t pte, unsigned level)
{
	if ((pte & MM_PTE_NX) && !nxe(sim))
		return true;
	if (level == 0 || !(pte & MM_PTE_PS))
		return false;
	if (level == MM_PT_TOP)
		return true;
	if (level == 2 && !(sim->features & MM_SIM_1G))
		return true;
	return (pte & huge_reserved(level)) != 0;
}

static bool is_leaf(mm_pte_t pte, unsigned level)
{
	return level == 0 || (pte & MM_PTE_PS);
}

/* Rights after one more level: write and user must hold at every level. */
static unsigned combine(const struct mm_sim *sim, unsigned flags, mm_pte_t pte)
{
	if (!(pte & MM_PTE_WRITE))
		flags &= ~SIM_X_WRITE;
	if (!(pte & MM_PTE_USER))
		flags &= ~SIM_X_USER;
	if (nxe(sim) && (pte & MM_PTE_NX))
		flags |= SIM_X_NX;
	return flags;
}

static void make_xlate(struct sim_xlate *x, mm_vaddr_t va, mm_pte_t pte,
		       unsigned level, unsigned flags)
{
	uint64_t span = MM_PT_SPAN(level);

	x->va = va & ~(span - 1u);
	x->pa = MM_PTE_ADDR(pte) & ~(span - 1u);
	x->shift = MM_PT_SHIFT(level);
	x->flags = flags | ((pte & MM_PTE_GLOBAL) ? SIM_X_GLOBAL : 0u);
	x->gen = 0;
}

/*
 * The translation of va from the tables, ignoring the TLB.
 * Errors: MM_ERR_NOT_MAPPED, MM_ERR_INVALID (reserved bit).
 */
static mm_status_t walk(const struct mm_sim *sim, mm_vaddr_t va,
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
		if (reserved(sim, pte, level))
			return MM_ERR_INVALID;
		flags = combine(sim, flags, pte);
		if (is_leaf(pte, level)) {
			make_xlate(x, va, pte, level, flags);
			return MM_OK;
		}
		table = MM_PTE_ADDR(pte);
	}
}

/* True iff the tables no longer give exactly the cached translation x. */
static bool stale(const struct mm_sim *sim, const struct sim_xlate *x)
{
	struct sim_xlate now;

	if (walk(sim, x->va, &now) != MM_OK)
		return true;
	return now.va != x->va || now.pa != x->pa || now.shift != x->shift ||
	       now.flags != x->flags;
}

/* Filling the TLB with every valid translation. */

static void fill_table(struct mm_sim *sim, mm_paddr_t table, unsigned level,
		       mm_vaddr_t prefix, unsigned flags);

static void fill_entry(struct mm_sim *sim, mm_paddr_t table, unsigned level,
		       mm_vaddr_t prefix, unsigned flags, unsigned idx)
{
	mm_pte_t pte = mm_sim_phys_read64(sim, table + idx * MM_PTE_SIZE);
	mm_vaddr_t va = MM_VA_SIGN_EXTEND(prefix | MM_PT_FIELD(level, idx));
	struct sim_xlate x;

	if (reserved(sim, pte, level))
		return;
	flags = combine(sim, flags, pte);
	if (!is_leaf(pte, level)) {
		fill_table(sim, MM_PTE_ADDR(pte), level - 1u, va, flags);
		return;
	}
	make_xlate(&x, va, pte, level, flags);
	x.gen = sim->gen;
	sim_tlb_insert(&sim->tlb, &x);
}

static void fill_table(struct mm_sim *sim, mm_paddr_t table, unsigned level,
		       mm_vaddr_t prefix, unsigned flags)
{
	const uint64_t *words = present_words(sim, table);
	unsigned w;

	for (w = 0; words != NULL && w < WORDS_PER_FRAME; w++) {
		uint64_t bits = words[w];

		while (bits != 0) {
			unsigned idx =
				w * 64u + (unsigned)__builtin_ctzll(bits);

			bits &= bits - 1u;
			fill_entry(sim, table, level, prefix, flags, idx);
		}
	}
}

void mm_sim_tlb_fill(struct mm_sim *sim)
{
	fill_table(sim, sim->cr3, MM_PT_TOP, 0, SIM_X_WRITE | SIM_X_USER);
	sim->fill_needed = false;
	sim->ndropped = 0;
}

/* Cache again the translations of every size that covered va, if valid. */
static void refill_one(struct mm_sim *sim, mm_vaddr_t va)
{
	struct sim_xlate x;
	unsigned shift;

	for (shift = MM_PT_SHIFT(0); shift <= MM_PT_SHIFT(2);
	     shift += MM_PT_INDEX_BITS) {
		mm_vaddr_t base = va & ~(((uint64_t)1 << shift) - 1u);

		if (walk(sim, base, &x) != MM_OK || x.shift != shift)
			continue;
		x.gen = sim->gen;
		sim_tlb_insert(&sim->tlb, &x);
	}
}

/* Put back what was dropped since a fill of the unchanged tables. */
static void refill_dropped(struct mm_sim *sim)
{
	while (sim->ndropped > 0)
		refill_one(sim, sim->dropped[--sim->ndropped]);
}

static void report(const struct sim_xlate *x)
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

		if (s->key == 0 || !stale(sim, &s->x))
			continue;
		if (sim->strict_abort && bad < MAX_REPORTS)
			report(&s->x);
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

static bool access_valid(unsigned access)
{
	unsigned kind = access & ~MM_SIM_USER;

	return kind == MM_SIM_READ || kind == MM_SIM_WRITE ||
	       kind == MM_SIM_EXEC;
}

static bool permitted(const struct sim_xlate *x, unsigned access)
{
	if ((access & MM_SIM_WRITE) && !(x->flags & SIM_X_WRITE))
		return false;
	if ((access & MM_SIM_USER) && !(x->flags & SIM_X_USER))
		return false;
	return !((access & MM_SIM_EXEC) && (x->flags & SIM_X_NX));
}

/* The translation of va as the CPU sees it: TLB first, then the walk. */
static mm_status_t translate(struct mm_sim *sim, mm_vaddr_t va,
			     struct sim_xlate *x)
{
	struct sim_xlate *hit = sim_tlb_lookup(&sim->tlb, va);
	mm_status_t st;

	if (hit != NULL) {
		sim->st.tlb_hits++;
		/* Matched at this RAM generation: it still does. */
		if (hit->gen != sim->gen && stale(sim, hit))
			sim->st.stale_hits++;
		else
			hit->gen = sim->gen;
		*x = *hit;
		return MM_OK;
	}
	sim->st.tlb_misses++;
	st = walk(sim, va, x);
	x->gen = sim->gen;
	if (st == MM_OK)
		sim_tlb_insert(&sim->tlb, x);
	return st;
}

mm_status_t mm_sim_access(struct mm_sim *sim, mm_vaddr_t va, unsigned access,
			  mm_paddr_t *pa_out)
{
	struct sim_xlate x;
	mm_status_t st;

	if (!access_valid(access) || !MM_VA_CANONICAL(va))
		return MM_ERR_INVALID;
	st = translate(sim, va, &x);
	if (st != MM_OK)
		return st;
	if (!permitted(&x, access)) {
		sim_tlb_invalidate(&sim->tlb, va);
		note_drop(sim, va);
		return MM_ERR_INVALID;
	}
	if (pa_out != NULL)
		*pa_out = x.pa + (va - x.va);
	return MM_OK;
}

/* Translate an 8-byte supervisor access to a physical address in RAM. */
static mm_status_t access64(struct mm_sim *sim, mm_vaddr_t va, unsigned access,
			    mm_paddr_t *pa)
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
	mm_status_t st = access64(sim, va, MM_SIM_READ, &pa);

	if (st == MM_OK)
		*value = mm_sim_phys_read64(sim, pa);
	return st;
}

mm_status_t mm_sim_write64(struct mm_sim *sim, mm_vaddr_t va, uint64_t value)
{
	mm_paddr_t pa;
	mm_status_t st = access64(sim, va, MM_SIM_WRITE, &pa);

	if (st == MM_OK)
		mm_sim_phys_write64(sim, pa, value);
	return st;
}

/* Fault injection. */

void mm_sim_fail_alloc_after(struct mm_sim *sim, int64_t n)
{
	sim->fail_after = n;
}

/* Hold back every free frame but fail_after of them. */
static void claim_frames(struct mm_sim *sim)
{
	uint64_t keep = (uint64_t)sim->fail_after;
	uint64_t pfn;
	size_t n = 0;

	while (n < sim->claim_cap &&
	       mm_frame_alloc(&sim->frames, &pfn) == MM_OK)
		sim->claimed[n++] = pfn;
	while (keep > 0 && n > 0) {
		if (mm_frame_free(&sim->frames, sim->claimed[--n]) != MM_OK)
			fail("fault injection could not free a frame");
		keep--;
	}
	sim->nclaimed = n;
	sim->fail_after = -1;
}

static void release_frames(struct mm_sim *sim)
{
	while (sim->nclaimed > 0) {
		uint64_t pfn = sim->claimed[--sim->nclaimed];

		if (mm_frame_free(&sim->frames, pfn) != MM_OK)
			fail("fault injection could not give a frame back");
	}
}

/* The port. */

static mm_paddr_t window_pa(struct mm_sim *sim, mm_vaddr_t va, unsigned acc)
{
	mm_paddr_t pa;

	if (va & 7u)
		die("libmm accessed a misaligned page-table entry", va);
	if (mm_sim_access(sim, va, acc, &pa) != MM_OK)
		die("libmm's page-table access faulted", va);
	return pa;
}

mm_pte_t mm_port_pte_read(void *ctx, mm_vaddr_t va)
{
	struct mm_sim *sim = ctx;

	return mm_sim_phys_read64(sim, window_pa(sim, va, MM_SIM_READ));
}

void mm_port_pte_write(void *ctx, mm_vaddr_t va, mm_pte_t pte)
{
	struct mm_sim *sim = ctx;

	mm_sim_phys_write64(sim, window_pa(sim, va, MM_SIM_WRITE), pte);
}

void mm_port_table_zero(void *ctx, mm_vaddr_t va)
{
	struct mm_sim *sim = ctx;

	if (va & (MM_FRAME_SIZE - 1u))
		die("libmm zeroed a misaligned table", va);
	phys_zero_frame(sim, window_pa(sim, va, MM_SIM_WRITE));
}

void mm_port_invlpg(void *ctx, mm_vaddr_t va)
{
	struct mm_sim *sim = ctx;

	sim->st.invlpg++;
	sim_tlb_invalidate(&sim->tlb, va);
	note_drop(sim, va);
}

void mm_port_flush_all(void *ctx)
{
	struct mm_sim *sim = ctx;

	sim->st.full_flush++;
	sim_tlb_flush(&sim->tlb, true);
	sim->fill_needed = true;
}

uint32_t mm_port_cpu_features(void *ctx)
{
	const struct mm_sim *sim = ctx;

	return sim->features;
}

void mm_port_op_begin(void *ctx)
{
	struct mm_sim *sim = ctx;

	if (sim->depth++ > 0)
		return;
	if (sim->fail_after >= 0)
		claim_frames(sim);
	/* RAM unchanged since the last fill: only drops need to come back. */
	if (sim->strict && sim->fill_needed)
		mm_sim_tlb_fill(sim);
	else if (sim->strict)
		refill_dropped(sim);
}

void mm_port_op_end(void *ctx)
{
	struct mm_sim *sim = ctx;

	if (sim->depth == 0)
		fail("op_end without op_begin");
	if (--sim->depth > 0)
		return;
	release_frames(sim);
	sim->st.ops++;
	/* Unchanged tables since the last check: the answer is the same. */
	if (sim->strict && sim->check_needed && mm_sim_tlb_check(sim) != 0 &&
	    sim->strict_abort)
		fail("strict mode: stale TLB entries after an operation");
}

/* Creation and accessors. */

/* Memory map, frame allocator and its metadata in the simulated RAM. */
static bool init_frames(struct mm_sim *sim)
{
	struct mm_memmap *map = malloc(sizeof(*map));
	struct mm_frame_stats fs;
	size_t meta;
	bool ok = false;

	if (map == NULL)
		return false;
	mm_memmap_init(map);
	if (mm_memmap_add(map, 0, sim->ram_bytes, MM_REGION_USABLE) != MM_OK ||
	    mm_memmap_sanitize(map) != MM_OK)
		goto out_free_map;
	meta = mm_frame_metadata_bytes(map);
	if (META_PA + meta > sim->ram_bytes ||
	    mm_frame_init(&sim->frames, map, sim->ram + META_PA, meta) !=
		    MM_OK ||
	    mm_frame_reserve(&sim->frames, 0, META_PA + meta) != MM_OK)
		goto out_free_map;
	mm_frame_stats(&sim->frames, &fs);
	sim->claim_cap = (size_t)fs.total_frames;
	sim->claimed = malloc(sim->claim_cap * sizeof(uint64_t));
	ok = sim->claimed != NULL;
out_free_map:
	free(map);
	return ok;
}

static bool create_args_valid(uint64_t phys_bytes, uint32_t features)
{
	return phys_bytes >= MIN_RAM && phys_bytes <= MAX_RAM &&
	       (phys_bytes & (MM_FRAME_SIZE - 1u)) == 0 &&
	       (features & ~(uint32_t)(MM_SIM_NX | MM_SIM_1G)) == 0;
}

struct mm_sim *mm_sim_create(uint64_t phys_bytes, uint32_t features)
{
	struct mm_sim *sim;

	if (!create_args_valid(phys_bytes, features))
		return NULL;
	sim = calloc(1, sizeof(*sim));
	if (sim == NULL)
		return NULL;
	sim->ram_bytes = phys_bytes;
	sim->features = features;
	sim->strict_abort = true;
	sim->fail_after = -1;
	sim->gen = 1;
	sim->ram = calloc(1, (size_t)phys_bytes);
	sim->present = calloc((size_t)MM_PADDR_TO_PFN(phys_bytes),
			      WORDS_PER_FRAME * sizeof(uint64_t));
	if (sim->ram == NULL || sim->present == NULL ||
	    !sim_tlb_init(&sim->tlb) || !init_frames(sim)) {
		mm_sim_destroy(sim);
		return NULL;
	}
	mm_sim_phys_write64(sim,
			    MM_SIM_PML4_PA + MM_RECURSIVE_INDEX * MM_PTE_SIZE,
			    MM_SIM_PML4_PA | MM_PTE_PRESENT | MM_PTE_WRITE);
	sim->cr3 = MM_SIM_PML4_PA;
	if (mm_vm_init(&sim->vm, &sim->frames, sim) != MM_OK) {
		mm_sim_destroy(sim);
		return NULL;
	}
	/* A fresh machine: what mm_vm_init's recount cached and counted goes. */
	sim_tlb_flush(&sim->tlb, false);
	memset(&sim->st, 0, sizeof(sim->st));
	return sim;
}

void mm_sim_destroy(struct mm_sim *sim)
{
	if (sim == NULL)
		return;
	sim_tlb_free(&sim->tlb);
	free(sim->claimed);
	free(sim->present);
	free(sim->ram);
	free(sim);
}

struct mm_vm *mm_sim_vm(struct mm_sim *sim)
{
	return &sim->vm;
}

struct mm_frames *mm_sim_frames(struct mm_sim *sim)
{
	return &sim->frames;
}

const uint8_t *mm_sim_ram(const struct mm_sim *sim)
{
	return sim->ram;
}

uint64_t mm_sim_ram_bytes(const struct mm_sim *sim)
{
	return sim->ram_bytes;
}

mm_paddr_t mm_sim_cr3(const struct mm_sim *sim)
{
	return sim->cr3;
}

void mm_sim_set_strict(struct mm_sim *sim, bool on)
{
	sim->strict = on;
}

void mm_sim_set_strict_abort(struct mm_sim *sim, bool abort_on_violation)
{
	sim->strict_abort = abort_on_violation;
}

void mm_sim_stats(const struct mm_sim *sim, struct mm_sim_stats *st)
{
	*st = sim->st;
	st->tlb_entries = sim->tlb.used;
}

/* Several address spaces. */

mm_status_t mm_sim_load_cr3(struct mm_sim *sim, mm_paddr_t pa)
{
	if ((pa & (MM_FRAME_SIZE - 1u)) || pa >= sim->ram_bytes ||
	    sim->depth != 0)
		return MM_ERR_INVALID;
	sim->cr3 = pa;
	sim_tlb_flush(&sim->tlb, true);
	sim->fill_needed = true;
	sim->check_needed = true;
	sim->ndropped = 0;
	return MM_OK;
}
