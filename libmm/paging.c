/*
 * x86-64 page-table editing through the recursive entry PML4[510]: mapping,
 * unmapping, protecting and translating pages of 4 KiB, 2 MiB and 1 GiB.
 * Every table is reached at its fixed address in the recursive window
 * (mm/pte.h), through mm_port_pte_read / _write, so the same file runs in
 * the kernel on the live tables and on the host in the simulated machine.
 * This file owns the policy: tables come from the frame allocator and go
 * back when they empty; every change to a present entry is followed by the
 * invlpg of every address that used it; linking a new table needs none.
 *
 * Public functions check every argument and every conflict first and only
 * then act; the helpers they call assume valid input and cannot fail, except
 * for running out of frames, which is handled before any entry is written.
 * No libc: this compiles freestanding.
 */
#include "mm/paging.h"
#include "mm/assert.h"
#include "mm/port.h"
#include "mm/pte.h"
#include "pt.h"

/* Flags of an entry that points to a table; USER is added as needed. */
#define TABLE_FLAGS (MM_PTE_PRESENT | MM_PTE_WRITE)

/* Levels of the pages of each size. */
#define LEVEL_4K   0u
#define LEVEL_2M   1u
#define LEVEL_1G   2u
#define LEVEL_NONE MM_PT_LEVELS

/*
 * The one walk. A canonical virtual address splits into four table indexes
 * and the offset in the page:
 *
 *   63      48 47    39 38    30 29    21 20    12 11         0
 *  +----------+--------+--------+--------+--------+------------+
 *  | sign ext |  PML4  |  PDPT  |   PD   |   PT   |   offset   |
 *  +----------+--------+--------+--------+--------+------------+
 *     level:      3        2        1        0
 *
 * Descend from the PML4 towards level `stop` and return the level where the
 * walk ended: `stop` itself, the first entry that is not present, or a PS
 * entry (a 1 GiB page at level 2, a 2 MiB page at level 1). *pte receives
 * the entry found there.
 */
static unsigned walk(const struct mm_vm *vm, mm_vaddr_t va, unsigned stop,
		     mm_pte_t *pte)
{
	unsigned level;

	for (level = MM_PT_TOP;; level--) {
		*pte = mm_pt_read(vm, level, va);
		if (level == stop || !(*pte & MM_PTE_PRESENT) ||
		    (*pte & MM_PTE_PS))
			return level;
	}
}

/* Physical base of the page an entry of `level` maps. */
static mm_paddr_t leaf_pa(mm_pte_t pte, unsigned level)
{
	return MM_PTE_ADDR(pte) & ~(MM_PT_SPAN(level) - 1u);
}

/* Argument checks. */

/* The level of a page of size bytes; LEVEL_NONE for any other size. */
static unsigned size_level(uint64_t size)
{
	if (size == MM_PAGE_4K)
		return LEVEL_4K;
	if (size == MM_PAGE_2M)
		return LEVEL_2M;
	if (size == MM_PAGE_1G)
		return LEVEL_1G;
	return LEVEL_NONE;
}

/* Known bits only; WRITE and EXEC together only with ALLOW_WX. */
static mm_status_t check_prot(unsigned prot)
{
	unsigned wx = MM_PROT_WRITE | MM_PROT_EXEC;

	if (prot & ~MM_PROT_ALL)
		return MM_ERR_INVALID;
	if ((prot & wx) == wx && !(prot & MM_PROT_ALLOW_WX))
		return MM_ERR_INVALID;
	return MM_OK;
}

/* va canonical, aligned to align, and outside the recursive window. */
static mm_status_t check_va(mm_vaddr_t va, uint64_t align)
{
	if (!MM_VA_CANONICAL(va) || (va & (align - 1u)))
		return MM_ERR_INVALID;
	if (va >= MM_WINDOW_START && va < MM_WINDOW_END)
		return MM_ERR_OUT_OF_RANGE;
	return MM_OK;
}

/* [pa, pa + length) aligned to align and inside the 52-bit space. */
static mm_status_t check_pa(mm_paddr_t pa, uint64_t length, uint64_t align)
{
	if ((pa & (align - 1u)) || pa >= MM_PHYS_LIMIT ||
	    length > MM_PHYS_LIMIT - pa)
		return MM_ERR_INVALID;
	return MM_OK;
}

/*
 * [va, va + length): 4 KiB granular, non-empty, not wrapping past 2^64,
 * inside one canonical half and disjoint from the recursive window.
 */
static mm_status_t check_range(mm_vaddr_t va, uint64_t length)
{
	mm_vaddr_t last = va + length - 1u;

	if (length == 0 || ((va | length) & (MM_FRAME_SIZE - 1u)))
		return MM_ERR_INVALID;
	if (last < va || !MM_VA_CANONICAL(va) || !MM_VA_CANONICAL(last) ||
	    ((va ^ last) >> (MM_VA_BITS - 1u)) != 0)
		return MM_ERR_INVALID;
	if (va < MM_WINDOW_END && last >= MM_WINDOW_START)
		return MM_ERR_OUT_OF_RANGE;
	return MM_OK;
}

/* The arguments of mm_map(); conflicts with the tables are check_free()'s. */
static mm_status_t check_map(const struct mm_vm *vm, mm_vaddr_t va,
			     mm_paddr_t pa, uint64_t size, unsigned prot)
{
	unsigned level = size_level(size);
	mm_status_t st;

	if (vm == NULL || level == LEVEL_NONE)
		return MM_ERR_INVALID;
	st = check_prot(prot);
	if (st == MM_OK)
		st = check_va(va, size);
	if (st == MM_OK)
		st = check_pa(pa, size, size);
	if (st == MM_OK && level == LEVEL_1G && !(vm->features & MM_CPU_1G))
		st = MM_ERR_UNSUPPORTED;
	return st;
}

/* Translating protections. */

/* The leaf entry bits for prot at level (all but the address). */
static mm_pte_t prot_bits(const struct mm_vm *vm, unsigned prot, unsigned level)
{
	mm_pte_t pte = MM_PTE_PRESENT;

	if (prot & MM_PROT_WRITE)
		pte |= MM_PTE_WRITE;
	if (prot & MM_PROT_USER)
		pte |= MM_PTE_USER;
	if (prot & MM_PROT_GLOBAL)
		pte |= MM_PTE_GLOBAL;
	if (prot & MM_PROT_NOCACHE)
		pte |= MM_PTE_PCD;
	if (prot & MM_PROT_WRITETHROUGH)
		pte |= MM_PTE_PWT;
	/* Without NX bit 63 is reserved: setting it would fault. */
	if (!(prot & MM_PROT_EXEC) && (vm->features & MM_CPU_NX))
		pte |= MM_PTE_NX;
	if (level > LEVEL_4K)
		pte |= MM_PTE_PS;
	return pte;
}

/* The prot of a leaf entry, such that mm_protect() with it changes nothing. */
static unsigned pte_prot(mm_pte_t pte)
{
	unsigned prot = 0;

	if (pte & MM_PTE_WRITE)
		prot |= MM_PROT_WRITE;
	if (pte & MM_PTE_USER)
		prot |= MM_PROT_USER;
	if (pte & MM_PTE_GLOBAL)
		prot |= MM_PROT_GLOBAL;
	if (pte & MM_PTE_PCD)
		prot |= MM_PROT_NOCACHE;
	if (pte & MM_PTE_PWT)
		prot |= MM_PROT_WRITETHROUGH;
	if (!(pte & MM_PTE_NX))
		prot |= MM_PROT_EXEC;
	if ((prot & MM_PROT_WRITE) && (prot & MM_PROT_EXEC))
		prot |= MM_PROT_ALLOW_WX;
	return prot;
}

/* Invalidation and table life cycle. */

/*
 * Invalidate every translation that used the leaf entry of `level` for va:
 * the page itself and, for a huge page, the recursive-window addresses
 * where the entry acts as a leaf too (where the tables below it would be:
 * a 2 MiB entry is the 4 KiB page at MM_PT_TABLE_VA(0, va); a 1 GiB entry
 * the 4 KiB page at MM_PT_TABLE_VA(1, va) and the 2 MiB page around
 * MM_PT_TABLE_VA(0, va)). Left cached, such an alias would make the next
 * table created there be written into the old huge page.
 */
static void invalidate_leaf(struct mm_vm *vm, mm_vaddr_t va, unsigned level)
{
	mm_port_invlpg(vm->port, va);
	while (level-- > 0)
		mm_port_invlpg(vm->port, MM_PT_TABLE_VA(level, va));
}

/* Give a table's frame back; it came from the allocator, so this succeeds. */
static void free_frame(struct mm_vm *vm, uint64_t pfn)
{
	mm_status_t st = mm_frame_free(vm->frames, pfn);

	MM_ASSERT(st == MM_OK);
}

/* Unlink the empty table of `level` that maps va, invalidate it, free it. */
static void free_table(struct mm_vm *vm, unsigned level, mm_vaddr_t va)
{
	mm_pte_t parent = mm_pt_read(vm, level + 1u, va);

	MM_ASSERT((parent & MM_PTE_PRESENT) && !(parent & MM_PTE_PS));
	mm_pt_write(vm, level + 1u, va, 0);
	mm_port_invlpg(vm->port, MM_PT_TABLE_VA(level, va));
	free_frame(vm, MM_PADDR_TO_PFN(MM_PTE_ADDR(parent)));
}

/*
 * Free the tables on va's path, from `level` up, while they are empty: one
 * read of the parent's fill count each (pt.h).
 */
static void free_empty_tables(struct mm_vm *vm, mm_vaddr_t va, unsigned level)
{
	for (; level < MM_PT_TOP; level++) {
		if (mm_pt_count(vm, level, va) != 0)
			return;
		free_table(vm, level, va);
	}
}

/* Allocate n frames for tables, all or none. Errors: MM_ERR_NOMEM. */
static mm_status_t alloc_tables(struct mm_vm *vm, uint64_t *pfns, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (mm_frame_alloc(vm->frames, &pfns[i]) == MM_OK)
			continue;
		while (i-- > 0)
			free_frame(vm, pfns[i]);
		return MM_ERR_NOMEM;
	}
	return MM_OK;
}

/*
 * Link the new tables pfns[] below the entries of levels (leaf, from] on
 * va's path, each zeroed through the window once linked. The entries were
 * not present, so no translation can be cached for them: no invalidation.
 */
static void link_tables(struct mm_vm *vm, mm_vaddr_t va, unsigned from,
			unsigned leaf, const uint64_t *pfns, mm_pte_t user)
{
	unsigned level;

	for (level = from; level > leaf; level--) {
		mm_paddr_t pa = MM_PFN_TO_PADDR(pfns[from - level]);

		MM_ASSERT(mm_pt_read(vm, level, va) == 0);
		mm_pt_write(vm, level, va, pa | TABLE_FLAGS | user);
		mm_port_table_zero(vm->port, MM_PT_TABLE_VA(level - 1u, va));
	}
}

/*
 * x86 checks U/S at every level: give USER to the table entries above the
 * leaf of `level` on va's path (all present) that lack it.
 */
static void grant_user(struct mm_vm *vm, mm_vaddr_t va, unsigned level)
{
	unsigned l;

	for (l = MM_PT_TOP; l > level; l--) {
		mm_pte_t pte = mm_pt_read(vm, l, va);

		if (pte & MM_PTE_USER)
			continue;
		mm_pt_write(vm, l, va, pte | MM_PTE_USER);
		mm_port_invlpg(vm->port, va);
	}
}

/* Single pages. */

/*
 * Can a page of `leaf` level go at va? *stop receives the level where the
 * walk ended at a non-present entry: the tables of levels [leaf, *stop) are
 * missing, *stop - leaf of them. Errors: MM_ERR_HUGE_CONFLICT, MM_ERR_MAPPED.
 */
static mm_status_t check_free(const struct mm_vm *vm, mm_vaddr_t va,
			      unsigned leaf, unsigned *stop)
{
	mm_pte_t pte;

	*stop = walk(vm, va, leaf, &pte);
	if (!(pte & MM_PTE_PRESENT))
		return MM_OK;
	if (*stop > leaf)
		return MM_ERR_HUGE_CONFLICT; /* a huge page covers va */
	if (leaf == LEVEL_4K || (pte & MM_PTE_PS))
		return MM_ERR_MAPPED;
	return MM_ERR_HUGE_CONFLICT; /* tables exist where the page would go */
}

/*
 * Map one page (USER is granted to the tables above by the caller).
 * Errors: those of check_free(), MM_ERR_NOMEM; nothing changes on failure.
 */
static mm_status_t map_page(struct mm_vm *vm, mm_vaddr_t va, mm_paddr_t pa,
			    unsigned leaf, unsigned prot)
{
	uint64_t pfns[MM_PT_LEVELS];
	unsigned stop;
	mm_status_t st = check_free(vm, va, leaf, &stop);

	if (st == MM_OK)
		st = alloc_tables(vm, pfns, stop - leaf);
	if (st != MM_OK)
		return st;
	link_tables(vm, va, stop, leaf, pfns,
		    (prot & MM_PROT_USER) ? MM_PTE_USER : 0);
	mm_pt_write(vm, leaf, va, pa | prot_bits(vm, prot, leaf));
	return MM_OK;
}

/* Remove the present leaf of `level` at va (its start), free empty tables. */
static void unmap_page(struct mm_vm *vm, mm_vaddr_t va, unsigned level)
{
	mm_pt_write(vm, level, va, 0);
	invalidate_leaf(vm, va, level);
	free_empty_tables(vm, va, level);
}

/*
 * The leaf that starts at va: *level and *pte receive it.
 * Errors: MM_ERR_NOT_MAPPED; MM_ERR_INVALID when va is inside the page.
 */
static mm_status_t find_page(const struct mm_vm *vm, mm_vaddr_t va,
			     unsigned *level, mm_pte_t *pte)
{
	*level = walk(vm, va, LEVEL_4K, pte);
	if (!(*pte & MM_PTE_PRESENT))
		return MM_ERR_NOT_MAPPED;
	if (va & (MM_PT_SPAN(*level) - 1u))
		return MM_ERR_INVALID;
	return MM_OK;
}

/* Ranges. */

/*
 * Level of the largest page that fits at va / pa with left bytes to go.
 * Stepping through a range with it gives the same pages every time, so
 * check_range_free(), map_pages() and grant_user_range() visit the same
 * pages in the same order.
 */
static unsigned range_level(const struct mm_vm *vm, mm_vaddr_t va,
			    mm_paddr_t pa, uint64_t left)
{
	unsigned level = (vm->features & MM_CPU_1G) ? LEVEL_1G : LEVEL_2M;

	for (; level > LEVEL_4K; level--) {
		uint64_t span = MM_PT_SPAN(level);

		if (((va | pa) & (span - 1u)) == 0 && left >= span)
			break;
	}
	return level;
}

/* Can every page of the range go where it would? Errors: check_free()'s. */
static mm_status_t check_range_free(const struct mm_vm *vm, mm_vaddr_t va,
				    mm_paddr_t pa, uint64_t length)
{
	uint64_t done;
	unsigned level, stop;
	mm_status_t st = MM_OK;

	for (done = 0; done < length && st == MM_OK;
	     done += MM_PT_SPAN(level)) {
		level = range_level(vm, va + done, pa + done, length - done);
		st = check_free(vm, va + done, level, &stop);
	}
	return st;
}

/* Unmap every page in [va, va + length), whose ends no page straddles. */
static void unmap_pages(struct mm_vm *vm, mm_vaddr_t va, uint64_t length)
{
	uint64_t done = 0;

	while (done < length) {
		mm_vaddr_t cur = va + done;
		mm_pte_t pte;
		unsigned level = walk(vm, cur, LEVEL_4K, &pte);
		uint64_t span = MM_PT_SPAN(level);

		if (pte & MM_PTE_PRESENT) {
			MM_ASSERT((cur & (span - 1u)) == 0);
			unmap_page(vm, cur, level);
		}
		done += span - (cur & (span - 1u));
	}
}

/*
 * Map [va, va + length), already checked free, page by page; when frames
 * run out (MM_ERR_NOMEM, the only error left) undo everything.
 */
static mm_status_t map_pages(struct mm_vm *vm, mm_vaddr_t va, mm_paddr_t pa,
			     uint64_t length, unsigned prot)
{
	uint64_t done;
	unsigned level;
	mm_status_t st;

	for (done = 0; done < length; done += MM_PT_SPAN(level)) {
		level = range_level(vm, va + done, pa + done, length - done);
		st = map_page(vm, va + done, pa + done, level, prot);
		if (st != MM_OK) {
			unmap_pages(vm, va, done);
			return st;
		}
	}
	return MM_OK;
}

/* grant_user() for every page of a range that map_pages() mapped. */
static void grant_user_range(struct mm_vm *vm, mm_vaddr_t va, mm_paddr_t pa,
			     uint64_t length)
{
	uint64_t done;
	unsigned level;

	for (done = 0; done < length; done += MM_PT_SPAN(level)) {
		level = range_level(vm, va + done, pa + done, length - done);
		grant_user(vm, va + done, level);
	}
}

/* True iff a present page holds both boundary - 1 and boundary. */
static bool straddles(const struct mm_vm *vm, mm_vaddr_t boundary)
{
	mm_pte_t pte;
	unsigned level;

	if (!MM_VA_CANONICAL(boundary) ||
	    (boundary >= MM_WINDOW_START && boundary < MM_WINDOW_END))
		return false;
	level = walk(vm, boundary, LEVEL_4K, &pte);
	return (pte & MM_PTE_PRESENT) &&
	       (boundary & (MM_PT_SPAN(level) - 1u)) != 0;
}

/* Public entry points. */

mm_status_t mm_vm_init(struct mm_vm *vm, struct mm_frames *frames, void *port)
{
	if (vm == NULL || frames == NULL)
		return MM_ERR_INVALID;
	vm->frames = frames;
	vm->port = port;
	vm->features = mm_port_cpu_features(port);
	mm_port_op_begin(port);
	mm_pt_recount(vm);
	mm_port_op_end(port);
	return MM_OK;
}

mm_status_t mm_vm_check(const struct mm_vm *vm)
{
	mm_status_t st;

	if (vm == NULL)
		return MM_ERR_INVALID;
	mm_port_op_begin(vm->port);
	st = mm_pt_check(vm);
	mm_port_op_end(vm->port);
	return st;
}

mm_status_t mm_map(struct mm_vm *vm, mm_vaddr_t va, mm_paddr_t pa,
		   uint64_t size, unsigned prot)
{
	mm_status_t st = check_map(vm, va, pa, size, prot);
	unsigned leaf = size_level(size);

	if (st != MM_OK)
		return st;
	mm_port_op_begin(vm->port);
	st = map_page(vm, va, pa, leaf, prot);
	if (st == MM_OK && (prot & MM_PROT_USER))
		grant_user(vm, va, leaf);
	mm_port_op_end(vm->port);
	return st;
}

mm_status_t mm_unmap(struct mm_vm *vm, mm_vaddr_t va, mm_paddr_t *pa_out,
		     uint64_t *size_out)
{
	unsigned level;
	mm_pte_t pte;
	mm_status_t st = vm == NULL ? MM_ERR_INVALID : check_va(va, MM_PAGE_4K);

	if (st != MM_OK)
		return st;
	mm_port_op_begin(vm->port);
	st = find_page(vm, va, &level, &pte);
	if (st == MM_OK)
		unmap_page(vm, va, level);
	mm_port_op_end(vm->port);
	if (st == MM_OK && pa_out != NULL)
		*pa_out = leaf_pa(pte, level);
	if (st == MM_OK && size_out != NULL)
		*size_out = MM_PT_SPAN(level);
	return st;
}

/* Replace the leaf's protection, keeping its address and A/D bits. */
static void protect_page(struct mm_vm *vm, mm_vaddr_t va, unsigned level,
			 mm_pte_t pte, unsigned prot)
{
	mm_pte_t keep = MM_PTE_ACCESSED | MM_PTE_DIRTY;
	mm_pte_t now =
		leaf_pa(pte, level) | (pte & keep) | prot_bits(vm, prot, level);

	if (prot & MM_PROT_USER)
		grant_user(vm, va, level);
	if (now == pte)
		return;
	mm_pt_write(vm, level, va, now);
	invalidate_leaf(vm, va, level);
}

mm_status_t mm_protect(struct mm_vm *vm, mm_vaddr_t va, unsigned prot)
{
	unsigned level;
	mm_pte_t pte;
	mm_status_t st = vm == NULL ? MM_ERR_INVALID : check_prot(prot);

	if (st == MM_OK)
		st = check_va(va, MM_PAGE_4K);
	if (st != MM_OK)
		return st;
	mm_port_op_begin(vm->port);
	st = find_page(vm, va, &level, &pte);
	if (st == MM_OK)
		protect_page(vm, va, level, pte, prot);
	mm_port_op_end(vm->port);
	return st;
}

mm_status_t mm_translate(struct mm_vm *vm, mm_vaddr_t va, mm_paddr_t *pa_out,
			 uint64_t *size_out, unsigned *prot_out)
{
	unsigned level;
	mm_pte_t pte;
	uint64_t span;

	if (vm == NULL || !MM_VA_CANONICAL(va))
		return MM_ERR_INVALID;
	mm_port_op_begin(vm->port);
	level = walk(vm, va, LEVEL_4K, &pte);
	mm_port_op_end(vm->port);
	if (!(pte & MM_PTE_PRESENT))
		return MM_ERR_NOT_MAPPED;
	span = MM_PT_SPAN(level);
	if (pa_out != NULL)
		*pa_out = leaf_pa(pte, level) + (va & (span - 1u));
	if (size_out != NULL)
		*size_out = span;
	if (prot_out != NULL)
		*prot_out = pte_prot(pte);
	return MM_OK;
}

mm_status_t mm_map_range(struct mm_vm *vm, mm_vaddr_t va, mm_paddr_t pa,
			 uint64_t length, unsigned prot)
{
	mm_status_t st = vm == NULL ? MM_ERR_INVALID : check_range(va, length);

	if (st == MM_OK)
		st = check_pa(pa, length, MM_PAGE_4K);
	if (st == MM_OK)
		st = check_prot(prot);
	if (st != MM_OK)
		return st;
	mm_port_op_begin(vm->port);
	st = check_range_free(vm, va, pa, length);
	if (st == MM_OK)
		st = map_pages(vm, va, pa, length, prot);
	if (st == MM_OK && (prot & MM_PROT_USER))
		grant_user_range(vm, va, pa, length);
	mm_port_op_end(vm->port);
	return st;
}

mm_status_t mm_unmap_range(struct mm_vm *vm, mm_vaddr_t va, uint64_t length)
{
	mm_status_t st = vm == NULL ? MM_ERR_INVALID : check_range(va, length);

	if (st != MM_OK)
		return st;
	mm_port_op_begin(vm->port);
	if (straddles(vm, va) || straddles(vm, va + length))
		st = MM_ERR_HUGE_CONFLICT;
	else
		unmap_pages(vm, va, length);
	mm_port_op_end(vm->port);
	return st;
}
