/*
 * XOmB's resources (mm/exo_proc.h): ALLOC_RESOURCE, GRANT_RESOURCE,
 * REVOKE_RESOURCE, CHOWN_RESOURCE, UNMAP_PAGE's part for a resource's root
 * (exo_priv.h), and the teardown of a user half: what a freed process held
 * goes back to the allocator, its grants are revoked, the resources it
 * owned are freed or, while still granted, kept until their last grant
 * goes. The registry, maps and views are exo_proc.c's. No libc: this
 * compiles freestanding.
 */
#include "exo_proc_priv.h"
#include "mm/assert.h"
#include "mm/port.h"
#include "pt.h"

/* Teardown. */

static void res_free_table(struct mm_proc *p, unsigned level, mm_pfn_t pfn,
			   unsigned limit);

/* A frame a freed entry mapped: back to the allocator unless it is the
 * zero page or a frame the allocator did not hand out (kept as it is). */
static void res_free_frame(struct mm_proc *p, mm_paddr_t pa)
{
	mm_pfn_t pfn = MM_PADDR_TO_PFN(pa);

	if (pfn != p->x->zero_pfn)
		(void)mm_frame_free(p->x->vm->frames, pfn);
}

/* Every present OWNER entry links a registered resource's root. */
static uint32_t res_of(const struct mm_proc *p, mm_pte_t pte)
{
	uint32_t r = mm_proc_lookup(p, MM_PADDR_TO_PFN(MM_PTE_ADDR(pte)));

	MM_ASSERT(r != PROC_NONE && p->rec[r].kind == PROC_KIND_RESOURCE);
	return r;
}

/* Resource r: its tables, pages and root frame freed, its record dropped. */
static void res_release(struct mm_proc *p, uint32_t r)
{
	struct mm_proc_rec *c = &p->rec[r];

	res_free_table(p, c->level - 1u, c->pfn, MM_PT_ENTRIES);
	res_free_frame(p, MM_PFN_TO_PADDR(c->pfn));
	mm_proc_rec_drop(p, r);
}

/*
 * A resource link (OWNER or GRANT) goes away with the table holding it: a
 * grant drops one reference, the owner leaves the resource orphaned; the
 * resource goes when it is orphaned and no grant is left.
 */
static void res_drop_link(struct mm_proc *p, mm_pte_t pte)
{
	uint32_t r = res_of(p, pte);
	struct mm_proc_rec *c = &p->rec[r];

	if (pte & MM_PTE_GRANT)
		c->refs--;
	else
		c->orphan = 1;
	if (c->refs == 0 && c->orphan)
		res_release(p, r);
}

/* The present entry pte of a table of `level` being freed. */
static void res_free_entry(struct mm_proc *p, unsigned level, mm_pte_t pte)
{
	mm_paddr_t pa = MM_PTE_ADDR(pte);

	if (pte & PROC_MARKS) {
		res_drop_link(p, pte);
		return;
	}
	if (level == 0) {
		res_free_frame(p, pa);
		return;
	}
	if (pte & MM_PTE_PS)
		return;
	res_free_table(p, level - 1u, MM_PADDR_TO_PFN(pa), MM_PT_ENTRIES);
	res_free_frame(p, pa);
}

/*
 * Free what entries [0, limit) of the table pfn of `level` hold. Depth at
 * most MM_PT_LEVELS: a resource's tables lie below the entry linking it,
 * so each level uses its own view. Process links (non-present) are
 * skipped: the processes they named were freed first.
 */
static void res_free_table(struct mm_proc *p, unsigned level, mm_pfn_t pfn,
			   unsigned limit)
{
	unsigned i;

	for (i = 0; i < limit; i++) {
		mm_pte_t pte = mm_proc_get(p, level, pfn, i);

		if (pte & MM_PTE_PRESENT)
			res_free_entry(p, level, pte);
	}
}

void mm_proc_free_user(struct mm_proc *p, mm_pfn_t root)
{
	res_free_table(p, MM_PT_TOP, root, MM_EXO_PML4_LIMIT);
}

/* UNMAP_PAGE of a resource's root entry (exo_mem.c). */

bool mm_proc_root_busy(const struct mm_proc *p, mm_pte_t pte)
{
	return p->rec[res_of(p, pte)].refs != 0;
}

void mm_proc_forget_root(struct mm_proc *p, mm_pte_t pte)
{
	mm_proc_rec_drop(p, res_of(p, pte));
}

/* ALLOC_RESOURCE. */

mm_proc_err_t mm_proc_alloc_resource(struct mm_proc *p, uint64_t phys,
				     mm_vaddr_t raddr, uint64_t *rid)
{
	struct exo_ent e;
	mm_pte_t pte = 0;
	uint32_t r;
	mm_proc_err_t err = MM_PROC_SUCCESS;

	MM_ASSERT(p != NULL && rid != NULL);
	mm_proc_begin(p);
	if (mm_proc_current(p) == PROC_NONE ||
	    !mm_proc_own_entry(p, raddr, &e, &pte) || e.level == 0 || pte != 0)
		err = MM_PROC_INVALID_TARGET;
	else if (p->free_head == PROC_NONE)
		err = MM_PROC_NO_ROOM;
	else if (!mm_exo_claim(p->x, phys))
		err = MM_PROC_NOT_FREE;
	if (err == MM_PROC_SUCCESS) {
		r = mm_proc_rec_new(p, PROC_KIND_RESOURCE,
				    MM_PADDR_TO_PFN(phys));
		p->rec[r].level = e.level;
		mm_exo_link_new(p->x, &e, phys,
				mm_exo_flags_bits(MM_EXO_PRESENT) |
					MM_PTE_OWNER);
		*rid = MM_RES_MAP_VA(r + MM_PROC_VIEWS);
	}
	mm_proc_end(p);
	return err;
}

/* GRANT, REVOKE, CHOWN. */

/* What the three calls share: the resource, the caller's entry, the target. */
struct res_call {
	uint32_t res, proc;
	struct exo_ent own;
	mm_pte_t own_pte, tgt_pte;
	struct proc_at at;
};

/*
 * is_mapped for a resource: rid is a live resource and raddr the caller's
 * OWNER entry of it (plain path, its level), which resolves to the same
 * frame as rid. INVALID_SOURCE otherwise.
 */
static mm_proc_err_t res_check_source(struct mm_proc *p, uint64_t rid,
				      mm_vaddr_t raddr, struct res_call *c)
{
	mm_pte_t look = MM_PTE_PRESENT | PROC_MARKS;

	c->res = mm_proc_id_rec(p, rid, PROC_KIND_RESOURCE);
	if (c->res == PROC_NONE ||
	    !mm_proc_own_entry(p, raddr, &c->own, &c->own_pte) ||
	    (c->own_pte & look) != (MM_PTE_PRESENT | MM_PTE_OWNER) ||
	    MM_PTE_ADDR(c->own_pte) !=
		    MM_PTE_ADDR(mm_pt_read(p->x->vm, 0, rid)))
		return MM_PROC_INVALID_SOURCE;
	return MM_PROC_SUCCESS;
}

/*
 * The target: pid a live process other than the caller, and target an
 * entry of the resource's level on a plain path of pid's tables.
 */
static mm_proc_err_t res_check_target(struct mm_proc *p, uint64_t pid,
				      mm_vaddr_t target, struct res_call *c)
{
	c->proc = mm_proc_id_rec(p, pid, PROC_KIND_PROCESS);
	if (c->proc == PROC_NONE || c->proc == mm_proc_current(p) ||
	    !mm_proc_find(p, c->proc, target, &c->at, &c->tgt_pte) ||
	    c->at.e.level != c->own.level)
		return MM_PROC_INVALID_TARGET;
	return MM_PROC_SUCCESS;
}

/* The target entry is a grant of this very resource. */
static bool res_is_grant(const struct res_call *c)
{
	mm_pte_t look = MM_PTE_PRESENT | PROC_MARKS;

	return (c->tgt_pte & look) == (MM_PTE_PRESENT | MM_PTE_GRANT) &&
	       MM_PTE_ADDR(c->tgt_pte) == MM_PTE_ADDR(c->own_pte);
}

/* GRANT's flags: PRESENT required; READONLY, NOEXEC (with NX) allowed. */
static bool res_flags_ok(const struct mm_proc *p, uint64_t flags)
{
	uint64_t allowed = MM_EXO_PRESENT | MM_EXO_READONLY | MM_EXO_NOEXEC;

	return !(flags & ~allowed) && mm_exo_flags_valid(p->x, flags, 0);
}

mm_proc_err_t mm_proc_grant(struct mm_proc *p, uint64_t rid, mm_vaddr_t raddr,
			    uint64_t pid, mm_vaddr_t target, uint64_t flags)
{
	struct res_call c;
	mm_proc_err_t err;

	MM_ASSERT(p != NULL);
	mm_proc_begin(p);
	err = res_check_source(p, rid, raddr, &c);
	if (err == MM_PROC_SUCCESS && !res_flags_ok(p, flags))
		err = MM_PROC_INVALID_FLAGS;
	if (err == MM_PROC_SUCCESS)
		err = res_check_target(p, pid, target, &c);
	if (err == MM_PROC_SUCCESS && c.tgt_pte != 0)
		err = MM_PROC_INVALID_TARGET;
	if (err == MM_PROC_SUCCESS && p->rec[c.res].refs == UINT32_MAX)
		err = MM_PROC_NO_ROOM;
	if (err == MM_PROC_SUCCESS) {
		mm_proc_fput(p, &c.at, 0,
			     MM_PTE_ADDR(c.own_pte) | mm_exo_flags_bits(flags) |
				     MM_PTE_GRANT);
		p->rec[c.res].refs++;
	}
	mm_proc_end(p);
	return err;
}

/*
 * The checks REVOKE and CHOWN share: the caller owns the resource rid at
 * raddr, process pid exists with its entry target, and that entry holds a
 * grant of this very resource (else INVALID_TARGET). *c is filled for the
 * action.
 */
static mm_proc_err_t res_check_grantee(struct mm_proc *p, uint64_t rid,
				       mm_vaddr_t raddr, uint64_t pid,
				       mm_vaddr_t target, struct res_call *c)
{
	mm_proc_err_t err = res_check_source(p, rid, raddr, c);

	if (err == MM_PROC_SUCCESS)
		err = res_check_target(p, pid, target, c);
	if (err == MM_PROC_SUCCESS && !res_is_grant(c))
		err = MM_PROC_INVALID_TARGET;
	return err;
}

mm_proc_err_t mm_proc_revoke(struct mm_proc *p, uint64_t rid, mm_vaddr_t raddr,
			     uint64_t pid, mm_vaddr_t target)
{
	struct res_call c;
	mm_proc_err_t err;

	MM_ASSERT(p != NULL);
	mm_proc_begin(p);
	err = res_check_grantee(p, rid, raddr, pid, target, &c);
	if (err == MM_PROC_SUCCESS) {
		mm_proc_fput(p, &c.at, c.tgt_pte, 0);
		p->rec[c.res].refs--;
	}
	mm_proc_end(p);
	return err;
}

mm_proc_err_t mm_proc_chown(struct mm_proc *p, uint64_t rid, mm_vaddr_t raddr,
			    uint64_t pid, mm_vaddr_t target)
{
	struct res_call c;
	mm_proc_err_t err;

	MM_ASSERT(p != NULL);
	mm_proc_begin(p);
	err = res_check_grantee(p, rid, raddr, pid, target, &c);
	if (err == MM_PROC_SUCCESS && p->rec[c.res].refs != 1u)
		err = MM_PROC_INVALID_TARGET;
	if (err == MM_PROC_SUCCESS) {
		mm_proc_fput(p, &c.at, c.tgt_pte, c.own_pte);
		mm_pt_write(p->x->vm, c.own.level, c.own.va,
			    (c.own_pte & ~MM_PTE_OWNER) | MM_PTE_GRANT);
	}
	mm_proc_end(p);
	return err;
}
