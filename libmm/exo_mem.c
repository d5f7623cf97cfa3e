/*
 * XOmB's memory primitives (mm/exo.h): ALLOC_PAGE, REMAP_PAGE, CHMOD_PAGE,
 * UNMAP_PAGE and MAP_ZERO on the current address space. This file owns the
 * decoding of an entry named by its window address, the ownership walk
 * and the translation of the ABI's flags into entry bits; every entry is
 * written through pt.h, which keeps the tables' fill counts.
 *
 * Each public call checks everything first (helpers named exo_check_*)
 * and only then acts through helpers that cannot fail. The frame claim of
 * ALLOC_PAGE and the frame release of UNMAP_PAGE are both the last check
 * and the first change: the allocator refuses without changing anything.
 * No libc: this compiles freestanding.
 */
#include "exo_priv.h"
#include "mm/assert.h"
#include "mm/exo.h"
#include "mm/port.h"
#include "mm/pte.h"
#include "pt.h"

#define EXO_LEAF 0u

/* The user flags, as flag bits, and the entry bits the flags decide. */
#define EXO_USER_FLAGS (MM_EXO_USER_FLAG_MASK << MM_EXO_USER_SHIFT)
#define EXO_USER_HI_PTE                                                        \
	((((mm_pte_t)1 << MM_PTE_USER_HI_BITS) - 1u) << MM_PTE_USER_HI_SHIFT)
#define EXO_TABLE_PTE_BITS                                                     \
	(MM_PTE_PRESENT | MM_PTE_WRITE | MM_PTE_USER | MM_PTE_NX)
#define EXO_LEAF_PTE_BITS                                                      \
	(EXO_TABLE_PTE_BITS | MM_PTE_USER_BIT0 | EXO_USER_HI_PTE)

/* Entry access through the recursive window (pt.h). */

static mm_pte_t exo_read(const struct mm_exo *x, unsigned level, mm_vaddr_t va)
{
	return mm_pt_read(x->vm, level, va);
}

/*
 * Write the entry of `level` for va; mm_pt_write() keeps the fill count of
 * its table in the entry above. Every entry this file writes goes through
 * here. The count bits are ignored by the MMU, so the count update makes
 * nothing stale.
 */
static void exo_pte_set(struct mm_exo *x, unsigned level, mm_vaddr_t va,
			mm_pte_t pte)
{
	mm_pt_write(x->vm, level, va, pte);
}

/*
 * The one address that names what an entry maps, and that each change of
 * the entry invalidates: the data page's va for a leaf, the window address
 * of the table for a table entry (the entry is that window page's leaf).
 */
static mm_vaddr_t exo_mapped_va(const struct exo_ent *e)
{
	if (e->level == EXO_LEAF)
		return e->va;
	return MM_PT_TABLE_VA(e->level - 1u, e->va);
}

/* Checks. */

/*
 * Decode a window address: entry == MM_PTE_VA(level, va) for exactly one
 * level whose va lies in a callable PML4 slot. Below the top window field,
 * an entry of `level` holds va's index bits [12 + 9 * level, 48) at bits
 * [3, 39 - 9 * level): va is those bits shifted up by 9 * (level + 1).
 * The round trip through MM_PTE_VA is the whole check: it rebuilds only
 * 8-byte aligned addresses inside the window, and only one level can
 * match (at any other, va's PML4 index would be the recursive 510).
 */
static bool exo_decode(mm_vaddr_t entry, struct exo_ent *e)
{
	unsigned level;

	for (level = 0; level < MM_PT_LEVELS; level++) {
		uint64_t low = entry & (MM_PT_SPAN(MM_PT_TOP - level) - 1u);
		mm_vaddr_t va = low << ((level + 1u) * MM_PT_INDEX_BITS);

		if (MM_PT_INDEX(MM_PT_TOP, va) >= MM_EXO_PML4_LIMIT ||
		    MM_PTE_VA(level, va) != entry)
			continue;
		e->level = level;
		e->va = va;
		return level != EXO_LEAF || va >= MM_EXO_VA_MIN;
	}
	return false;
}

/*
 * The entry's table exists and is the caller's: every entry above it on
 * the walk from the PML4 is a present table entry without GRANT.
 */
static bool exo_owned(const struct mm_exo *x, const struct exo_ent *e)
{
	return mm_exo_path_clear(x, e, MM_PTE_GRANT);
}

bool mm_exo_path_clear(const struct mm_exo *x, const struct exo_ent *e,
		       mm_pte_t refuse)
{
	mm_pte_t want = MM_PTE_PRESENT;
	mm_pte_t look = MM_PTE_PRESENT | MM_PTE_PS | refuse;
	unsigned level;

	for (level = MM_PT_TOP; level > e->level; level--) {
		if ((exo_read(x, level, e->va) & look) != want)
			return false;
	}
	return true;
}

/* An empty entry of an owned table: where a page may go. */
static mm_exo_err_t exo_check_target(const struct mm_exo *x, mm_vaddr_t entry,
				     struct exo_ent *e)
{
	if (!exo_decode(entry, e) || !exo_owned(x, e) ||
	    exo_read(x, e->level, e->va) != 0)
		return MM_EXO_INVALID_TARGET;
	return MM_EXO_SUCCESS;
}

/*
 * A present entry of an owned table, neither granted nor a huge page:
 * a mapping the caller may change. *pte receives the entry.
 */
static mm_exo_err_t exo_check_source(const struct mm_exo *x, mm_vaddr_t entry,
				     struct exo_ent *e, mm_pte_t *pte)
{
	mm_pte_t look = MM_PTE_PRESENT | MM_PTE_PS | MM_PTE_GRANT;

	if (!exo_decode(entry, e) || !exo_owned(x, e))
		return MM_EXO_INVALID_SOURCE;
	*pte = exo_read(x, e->level, e->va);
	if ((*pte & look) != MM_PTE_PRESENT)
		return MM_EXO_INVALID_SOURCE;
	return MM_EXO_SUCCESS;
}

/*
 * Flags an entry of `level` can hold: PRESENT, known bits only, NOEXEC
 * only with NX; READONLY and user bits only on a leaf.
 */
static bool exo_flags_ok(const struct mm_exo *x, uint64_t flags, unsigned level)
{
	uint64_t leaf_only = MM_EXO_READONLY | EXO_USER_FLAGS;

	if ((flags & ~MM_EXO_FLAGS_ALL) || !(flags & MM_EXO_PRESENT))
		return false;
	if (level != EXO_LEAF && (flags & leaf_only))
		return false;
	return !(flags & MM_EXO_NOEXEC) || (x->vm->features & MM_CPU_NX);
}

/* The entry maps the zero page. */
static bool exo_is_zero(const struct mm_exo *x, mm_pte_t pte)
{
	return MM_PTE_ADDR(pte) == MM_PFN_TO_PADDR(x->zero_pfn);
}

/* Claim the frame at phys: the allocator's answer, nothing changed if no. */
static bool exo_claim(const struct mm_exo *x, uint64_t phys)
{
	if ((phys & (MM_FRAME_SIZE - 1u)) || phys >= MM_PHYS_LIMIT)
		return false;
	return mm_frame_alloc_at(x->vm->frames, MM_PADDR_TO_PFN(phys)) == MM_OK;
}

/* Actions. */

/* The entry bits of valid flags: USER always, user flags in free bits. */
static mm_pte_t exo_flags_pte(uint64_t flags)
{
	uint64_t user = (flags >> MM_EXO_USER_SHIFT) & MM_EXO_USER_FLAG_MASK;
	mm_pte_t pte = MM_PTE_PRESENT | MM_PTE_USER;

	if (!(flags & MM_EXO_READONLY))
		pte |= MM_PTE_WRITE;
	if (flags & MM_EXO_NOEXEC)
		pte |= MM_PTE_NX;
	if (user & 1u)
		pte |= MM_PTE_USER_BIT0;
	return pte | ((mm_pte_t)(user >> 1) << MM_PTE_USER_HI_SHIFT);
}

/*
 * Map the claimed frame pa at the empty entry e with entry bits `bits`. The
 * frame is zeroed by its physical address before the entry makes it
 * reachable, so neither the program nor a speculative walk ever sees its
 * old contents; the entry was not present, so nothing cached is stale and
 * no invalidation is needed.
 */
static void exo_install(struct mm_exo *x, const struct exo_ent *e,
			mm_paddr_t pa, mm_pte_t bits)
{
	mm_port_table_zero(x->vm->port, pa);
	exo_pte_set(x, e->level, e->va, pa | bits);
}

/* Public entry points. */

mm_status_t mm_exo_init(struct mm_exo *x, struct mm_vm *vm, mm_pfn_t zero_pfn)
{
	if (x == NULL || vm == NULL || vm->frames == NULL ||
	    mm_frame_is_free(vm->frames, zero_pfn))
		return MM_ERR_INVALID;
	x->vm = vm;
	x->zero_pfn = zero_pfn;
	x->proc = NULL;
	return MM_OK;
}

mm_exo_err_t mm_exo_alloc_page(struct mm_exo *x, uint64_t phys,
			       mm_vaddr_t entry, uint64_t flags)
{
	struct exo_ent e;
	mm_exo_err_t err;

	MM_ASSERT(x != NULL);
	mm_port_op_begin(x->vm->port);
	err = exo_check_target(x, entry, &e);
	if (err == MM_EXO_SUCCESS && !exo_flags_ok(x, flags, e.level))
		err = MM_EXO_INVALID_FLAGS;
	if (err == MM_EXO_SUCCESS && !exo_claim(x, phys))
		err = MM_EXO_NOT_FREE;
	if (err == MM_EXO_SUCCESS)
		exo_install(x, &e, phys, exo_flags_pte(flags));
	mm_port_op_end(x->vm->port);
	return err;
}

/* Move the leaf pte from src to the empty leaf dst, as one call. */
static void exo_move(struct mm_exo *x, const struct exo_ent *src,
		     const struct exo_ent *dst, mm_pte_t pte)
{
	exo_pte_set(x, EXO_LEAF, dst->va, pte);
	exo_pte_set(x, EXO_LEAF, src->va, 0);
	mm_port_invlpg(x->vm->port, src->va);
}

mm_exo_err_t mm_exo_remap_page(struct mm_exo *x, mm_vaddr_t entry,
			       mm_vaddr_t target)
{
	struct exo_ent src, dst;
	mm_pte_t pte = 0;
	mm_exo_err_t err;

	MM_ASSERT(x != NULL);
	mm_port_op_begin(x->vm->port);
	err = exo_check_source(x, entry, &src, &pte);
	if (err == MM_EXO_SUCCESS && src.level != EXO_LEAF)
		err = MM_EXO_INVALID_SOURCE;
	if (err == MM_EXO_SUCCESS && target != entry) {
		err = exo_check_target(x, target, &dst);
		if (err == MM_EXO_SUCCESS && dst.level != EXO_LEAF)
			err = MM_EXO_INVALID_TARGET;
		if (err == MM_EXO_SUCCESS)
			exo_move(x, &src, &dst, pte);
	}
	mm_port_op_end(x->vm->port);
	return err;
}

/*
 * The entry CHMOD_PAGE makes of pte with valid flags: the flag bits
 * replaced, everything else (frame, accessed / dirty, a table's fill count,
 * OWNER) kept.
 */
static mm_pte_t exo_chmod_pte(mm_pte_t pte, uint64_t flags, unsigned level)
{
	mm_pte_t mask =
		level == EXO_LEAF ? EXO_LEAF_PTE_BITS : EXO_TABLE_PTE_BITS;

	return (pte & ~mask) | exo_flags_pte(flags);
}

/* Validate CHMOD_PAGE's flags for the entry pte of e; *now: the new entry. */
static mm_exo_err_t exo_check_chmod(const struct mm_exo *x,
				    const struct exo_ent *e, mm_pte_t pte,
				    uint64_t flags, mm_pte_t *now)
{
	if (!exo_flags_ok(x, flags, e->level) ||
	    (exo_is_zero(x, pte) && !(flags & MM_EXO_READONLY)))
		return MM_EXO_INVALID_FLAGS;
	*now = exo_chmod_pte(pte, flags, e->level);
	if (*now != pte && e->level != EXO_LEAF && MM_PTE_COUNT(pte) != 0)
		return MM_EXO_NOT_EMPTY;
	return MM_EXO_SUCCESS;
}

mm_exo_err_t mm_exo_chmod_page(struct mm_exo *x, mm_vaddr_t entry,
			       uint64_t flags)
{
	struct exo_ent e;
	mm_pte_t pte = 0, now = 0;
	mm_exo_err_t err;

	MM_ASSERT(x != NULL);
	mm_port_op_begin(x->vm->port);
	err = exo_check_source(x, entry, &e, &pte);
	if (err == MM_EXO_SUCCESS)
		err = exo_check_chmod(x, &e, pte, flags, &now);
	if (err == MM_EXO_SUCCESS && now != pte) {
		exo_pte_set(x, e.level, e.va, now);
		mm_port_invlpg(x->vm->port, exo_mapped_va(&e));
	}
	mm_port_op_end(x->vm->port);
	return err;
}

/*
 * Release what the entry pte maps: nothing for the zero page, else the
 * frame goes back to the allocator. Errors: NOT_ALLOCATED when the
 * allocator refuses (reserved, beyond its frames, free), nothing changed.
 */
static mm_exo_err_t exo_release(struct mm_exo *x, mm_pte_t pte)
{
	if (exo_is_zero(x, pte))
		return MM_EXO_SUCCESS;
	if (mm_frame_free(x->vm->frames, MM_PADDR_TO_PFN(MM_PTE_ADDR(pte))) !=
	    MM_OK)
		return MM_EXO_NOT_ALLOCATED;
	return MM_EXO_SUCCESS;
}

/* An OWNER table entry whose resource still has grantees (exo_proc.c). */
static bool exo_granted(const struct mm_exo *x, mm_pte_t pte)
{
	return (pte & MM_PTE_OWNER) && x->proc != NULL &&
	       mm_proc_root_busy(x->proc, pte);
}

mm_exo_err_t mm_exo_unmap_page(struct mm_exo *x, mm_vaddr_t entry)
{
	struct exo_ent e;
	mm_pte_t pte = 0;
	mm_exo_err_t err;

	MM_ASSERT(x != NULL);
	mm_port_op_begin(x->vm->port);
	err = exo_check_source(x, entry, &e, &pte);
	if (err == MM_EXO_SUCCESS && e.level != EXO_LEAF &&
	    (MM_PTE_COUNT(pte) != 0 || exo_granted(x, pte)))
		err = MM_EXO_NOT_EMPTY;
	if (err == MM_EXO_SUCCESS)
		err = exo_release(x, pte);
	if (err == MM_EXO_SUCCESS) {
		exo_pte_set(x, e.level, e.va, 0);
		mm_port_invlpg(x->vm->port, exo_mapped_va(&e));
		if ((pte & MM_PTE_OWNER) && x->proc != NULL)
			mm_proc_forget_root(x->proc, pte);
	}
	mm_port_op_end(x->vm->port);
	return err;
}

mm_exo_err_t mm_exo_map_zero(struct mm_exo *x, mm_vaddr_t entry, uint64_t flags)
{
	struct exo_ent e;
	mm_exo_err_t err;

	MM_ASSERT(x != NULL);
	mm_port_op_begin(x->vm->port);
	err = exo_check_target(x, entry, &e);
	if (err == MM_EXO_SUCCESS && e.level != EXO_LEAF)
		err = MM_EXO_INVALID_TARGET;
	if (err == MM_EXO_SUCCESS &&
	    (!exo_flags_ok(x, flags, EXO_LEAF) || !(flags & MM_EXO_READONLY)))
		err = MM_EXO_INVALID_FLAGS;
	if (err == MM_EXO_SUCCESS)
		exo_pte_set(x, EXO_LEAF, e.va,
			    MM_PFN_TO_PADDR(x->zero_pfn) |
				    exo_flags_pte(flags));
	mm_port_op_end(x->vm->port);
	return err;
}

/* The private interface of exo_priv.h, for exo_proc.c. */

bool mm_exo_decode(mm_vaddr_t entry, struct exo_ent *e)
{
	return exo_decode(entry, e);
}

bool mm_exo_flags_valid(const struct mm_exo *x, uint64_t flags, unsigned level)
{
	return exo_flags_ok(x, flags, level);
}

mm_pte_t mm_exo_flags_bits(uint64_t flags)
{
	return exo_flags_pte(flags);
}

void mm_exo_link_new(struct mm_exo *x, const struct exo_ent *e, mm_paddr_t pa,
		     mm_pte_t bits)
{
	exo_install(x, e, pa, bits);
}

bool mm_exo_claim(const struct mm_exo *x, uint64_t phys)
{
	return exo_claim(x, phys);
}
