/*
 * The simulated machine behind mm/port.h in hosted builds: RAM as a byte
 * array (poisoned until zeroed), CR3, the port libmm calls, strict mode,
 * fault injection, creation and accessors. The MMU itself (walk, A/D
 * bits, TLB fills, CPU accesses) is mm_sim_mmu.c. Besides the RAM it
 * keeps one bit per 8-byte word telling whether the word has its present
 * bit set, so that filling the TLB with every translation walks only
 * present entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/memmap.h"
#include "mm/pte.h"
#include "mm_sim.h"
#include "mm_sim_priv.h"

#define MIN_RAM ((uint64_t)1 << 20)
#define MAX_RAM ((uint64_t)1 << 32)
#define META_PA (MM_SIM_PML4_PA + MM_FRAME_SIZE)

static _Noreturn void sim_fail(const char *what)
{
	fprintf(stderr, "mm_sim: %s\n", what);
	abort();
}

static _Noreturn void sim_die(const char *what, mm_vaddr_t va)
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

/*
 * Fill the frame at pa (in the RAM: callers check) with byte: 0 (zeroed)
 * or POISON_BYTE (garbage).
 */
static void sim_phys_fill_frame(struct mm_sim *sim, mm_paddr_t pa, uint8_t byte)
{
	uint64_t pfn = MM_PADDR_TO_PFN(pa);
	int present = (byte & MM_PTE_PRESENT) ? 0xFF : 0;

	memset(sim->ram + MM_PFN_TO_PADDR(pfn), byte, MM_FRAME_SIZE);
	sim->gen++;
	sim->fill_needed = true;
	sim->check_needed = true;
	memset(&sim->present[pfn * WORDS_PER_FRAME], present,
	       WORDS_PER_FRAME * sizeof(uint64_t));
}

/*
 * Set bits (accessed / dirty) in the entry at pa, as the MMU does. They
 * change no translation, so the RAM generation stays: cached entries need
 * no recheck and strict mode no refill.
 */
void sim_phys_set_ad(struct mm_sim *sim, mm_paddr_t pa, mm_pte_t bits)
{
	mm_pte_t pte = mm_sim_phys_read64(sim, pa);

	if ((pte & bits) != bits && pa + 8u <= sim->ram_bytes)
		memcpy(sim->ram + pa, &(mm_pte_t){pte | bits}, sizeof(pte));
}

/* The present-bit words of the table at pa, or NULL beyond the RAM. */
const uint64_t *sim_present_words(const struct mm_sim *sim, mm_paddr_t pa)
{
	if (pa >= sim->ram_bytes)
		return NULL;
	return &sim->present[MM_PADDR_TO_PFN(pa) * WORDS_PER_FRAME];
}

/*
 * Entries for va left the TLB. While the RAM is unchanged since the last
 * fill, refilling only these addresses restores what a fill would give.
 */
void sim_note_drop(struct mm_sim *sim, mm_vaddr_t va)
{
	if (sim->ndropped < MAX_DROPPED)
		sim->dropped[sim->ndropped++] = va;
	else
		sim->fill_needed = true;
}

/* Fault injection. */

void mm_sim_fail_alloc_after(struct mm_sim *sim, int64_t n)
{
	sim->fail_after = n;
}

/* Hold back every free frame but fail_after of them. */
static void sim_claim_frames(struct mm_sim *sim)
{
	uint64_t keep = (uint64_t)sim->fail_after;
	uint64_t pfn;
	size_t n = 0;

	while (n < sim->claim_cap &&
	       mm_frame_alloc(&sim->frames, &pfn) == MM_OK)
		sim->claimed[n++] = pfn;
	while (keep > 0 && n > 0) {
		if (mm_frame_free(&sim->frames, sim->claimed[--n]) != MM_OK)
			sim_fail("fault injection could not free a frame");
		keep--;
	}
	sim->nclaimed = n;
	sim->fail_after = -1;
}

static void sim_release_frames(struct mm_sim *sim)
{
	while (sim->nclaimed > 0) {
		uint64_t pfn = sim->claimed[--sim->nclaimed];

		if (mm_frame_free(&sim->frames, pfn) != MM_OK)
			sim_fail("fault injection could not give a frame back");
	}
}

/* The port. */

static mm_paddr_t sim_window_pa(struct mm_sim *sim, mm_vaddr_t va, unsigned acc)
{
	mm_paddr_t pa;

	if (va & 7u)
		sim_die("libmm accessed a misaligned page-table entry", va);
	if (mm_sim_access(sim, va, acc, &pa) != MM_OK)
		sim_die("libmm's page-table access faulted", va);
	return pa;
}

mm_pte_t mm_port_pte_read(void *ctx, mm_vaddr_t va)
{
	struct mm_sim *sim = ctx;

	return mm_sim_phys_read64(sim, sim_window_pa(sim, va, MM_SIM_READ));
}

void mm_port_pte_write(void *ctx, mm_vaddr_t va, mm_pte_t pte)
{
	struct mm_sim *sim = ctx;
	mm_paddr_t pa = sim_window_pa(sim, va, MM_SIM_WRITE);
	mm_pte_t old = mm_sim_phys_read64(sim, pa);

	mm_sim_phys_write64(sim, pa, pte);
	if (!(old & MM_PTE_PRESENT) && (pte & MM_PTE_PRESENT))
		sim_speculate(sim, va, pte);
}

/* The frame at pa, which libmm is about to link as a table, in the RAM. */
static void sim_check_table_frame(const struct mm_sim *sim, mm_paddr_t pa,
				  const char *what)
{
	if ((pa & (MM_FRAME_SIZE - 1u)) || pa >= sim->ram_bytes)
		sim_die(what, pa);
}

void mm_port_table_zero(void *ctx, mm_paddr_t pa)
{
	struct mm_sim *sim = ctx;

	sim_check_table_frame(sim, pa, "libmm zeroed a table frame not in RAM");
	sim_phys_fill_frame(sim, pa, 0);
}

void mm_port_table_freed(void *ctx, mm_paddr_t pa)
{
	struct mm_sim *sim = ctx;

	sim_check_table_frame(sim, pa, "libmm freed a table frame not in RAM");
	sim_phys_fill_frame(sim, pa, POISON_BYTE);
}

void mm_port_invlpg(void *ctx, mm_vaddr_t va)
{
	struct mm_sim *sim = ctx;

	sim->st.invlpg++;
	sim_tlb_invalidate(&sim->tlb, va);
	sim_note_drop(sim, va);
}

void mm_sim_flush_all(struct mm_sim *sim)
{
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
		sim_claim_frames(sim);
	/* RAM unchanged since the last fill: only drops need to come back. */
	if (sim->strict && sim->fill_needed)
		mm_sim_tlb_fill(sim);
	else if (sim->strict)
		sim_refill_dropped(sim);
}

void mm_port_op_end(void *ctx)
{
	struct mm_sim *sim = ctx;

	if (sim->depth == 0)
		sim_fail("op_end without op_begin");
	if (--sim->depth > 0)
		return;
	sim_release_frames(sim);
	sim->st.ops++;
	/* Unchanged tables since the last check: the answer is the same. */
	if (sim->strict && sim->check_needed && mm_sim_tlb_check(sim) != 0 &&
	    sim->strict_abort)
		sim_fail("strict mode: stale TLB entries after an operation");
}

/* Creation and accessors. */

/* Memory map, frame allocator and its metadata in the simulated RAM. */
static bool sim_init_frames(struct mm_sim *sim)
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
	    mm_frame_reserve_bytes(&sim->frames, 0, META_PA + meta) != MM_OK)
		goto out_free_map;
	mm_frame_stats(&sim->frames, &fs);
	sim->claim_cap = (size_t)fs.total_frames;
	sim->claimed = malloc(sim->claim_cap * sizeof(uint64_t));
	ok = sim->claimed != NULL;
out_free_map:
	free(map);
	return ok;
}

static bool sim_create_args_valid(uint64_t phys_bytes, uint32_t features)
{
	return phys_bytes >= MIN_RAM && phys_bytes <= MAX_RAM &&
	       (phys_bytes & (MM_FRAME_SIZE - 1u)) == 0 &&
	       (features & ~(uint32_t)(MM_SIM_NX | MM_SIM_1G)) == 0;
}

struct mm_sim *mm_sim_create(uint64_t phys_bytes, uint32_t features)
{
	struct mm_sim *sim;

	if (!sim_create_args_valid(phys_bytes, features))
		return NULL;
	sim = calloc(1, sizeof(*sim));
	if (sim == NULL)
		return NULL;
	sim->ram_bytes = phys_bytes;
	sim->features = features;
	sim->strict_abort = true;
	sim->fail_after = -1;
	sim->gen = 1;
	sim->ram = malloc((size_t)phys_bytes);
	sim->present = malloc((size_t)MM_PADDR_TO_PFN(phys_bytes) *
			      WORDS_PER_FRAME * sizeof(uint64_t));
	if (sim->ram == NULL || sim->present == NULL ||
	    !sim_tlb_init(&sim->tlb)) {
		mm_sim_destroy(sim);
		return NULL;
	}
	/* RAM nobody zeroed: garbage everywhere, then a clean PML4. */
	memset(sim->ram, POISON_BYTE, (size_t)phys_bytes);
	memset(sim->present, 0xFF,
	       (size_t)MM_PADDR_TO_PFN(phys_bytes) * WORDS_PER_FRAME *
		       sizeof(uint64_t));
	sim_phys_fill_frame(sim, MM_SIM_PML4_PA, 0);
	if (!sim_init_frames(sim)) {
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
