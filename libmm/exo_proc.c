/*
 * XOmB's processes (mm/exo_proc.h): the registry (records, the hash from a
 * root's frame to its record, the process tree), and ALLOC_PROCESS,
 * YIELD_PROCESS, FREE_PROCESS, MAP_UPCALL and the kernel's kill. The maps
 * in PML4[507] / [508], the views and init are in exo_map.c; resources and
 * the teardown of a user half in exo_res.c. Entries are decoded, ownership walks done and
 * tables linked by exo_mem.c (exo_priv.h); every entry of the current
 * address space is written through pt.h. No libc: this compiles
 * freestanding.
 */
#include "exo_proc_priv.h"
#include "mm/assert.h"
#include "mm/port.h"
#include "pt.h"

#define PROC_HASH_MUL 0x9E3779B97F4A7C15ull

/* The hash from a root's frame to its record (linear probing). */

static uint32_t proc_home(const struct mm_proc *p, mm_pfn_t pfn)
{
	return (uint32_t)((pfn * PROC_HASH_MUL) >> 32) & p->hmask;
}

uint32_t mm_proc_lookup(const struct mm_proc *p, mm_pfn_t pfn)
{
	uint32_t i;

	for (i = proc_home(p, pfn); p->hash[i] != 0; i = (i + 1u) & p->hmask) {
		if (p->rec[p->hash[i] - 1u].pfn == pfn)
			return p->hash[i] - 1u;
	}
	return PROC_NONE;
}

static void proc_hash_add(struct mm_proc *p, uint32_t r)
{
	uint32_t i = proc_home(p, p->rec[r].pfn);

	while (p->hash[i] != 0)
		i = (i + 1u) & p->hmask;
	p->hash[i] = r + 1u;
}

/* Remove r, moving back each later entry its home allows (no tombstones). */
static void proc_hash_del(struct mm_proc *p, uint32_t r)
{
	uint32_t i = proc_home(p, p->rec[r].pfn), j;

	while (p->hash[i] != r + 1u)
		i = (i + 1u) & p->hmask;
	for (j = (i + 1u) & p->hmask; p->hash[j] != 0;
	     j = (j + 1u) & p->hmask) {
		uint32_t home = proc_home(p, p->rec[p->hash[j] - 1u].pfn);

		if (((j - home) & p->hmask) < ((j - i) & p->hmask))
			continue;
		p->hash[i] = p->hash[j];
		i = j;
	}
	p->hash[i] = 0;
}

/* Records. */

uint32_t mm_proc_rec_new(struct mm_proc *p, unsigned kind, mm_pfn_t pfn)
{
	uint32_t r = p->free_head;
	struct mm_proc_rec *c = &p->rec[r];

	MM_ASSERT(r != PROC_NONE);
	p->free_head = c->next;
	*c = (struct mm_proc_rec){.pfn = pfn,
				  .kind = kind,
				  .parent = PROC_NONE,
				  .child = PROC_NONE,
				  .next = PROC_NONE,
				  .prev = PROC_NONE};
	proc_hash_add(p, r);
	mm_proc_map_set(p, mm_proc_id_va(kind, r), pfn);
	if (kind == PROC_KIND_PROCESS) {
		p->nproc++;
		p->made_proc++;
	} else {
		p->nres++;
		p->made_res++;
	}
	return r;
}

void mm_proc_rec_drop(struct mm_proc *p, uint32_t r)
{
	struct mm_proc_rec *c = &p->rec[r];

	mm_proc_map_clear(p, mm_proc_id_va(c->kind, r));
	proc_hash_del(p, r);
	if (c->kind == PROC_KIND_PROCESS)
		p->nproc--;
	else
		p->nres--;
	c->kind = PROC_KIND_FREE;
	c->next = p->free_head;
	p->free_head = r;
}

/* The record of a valid id of `kind`: page-aligned, in the map, live. */
uint32_t mm_proc_id_rec(const struct mm_proc *p, uint64_t id, unsigned kind)
{
	uint64_t off = id - mm_proc_id_va(kind, 0);
	uint64_t r = off >> MM_PAGE_SHIFT;

	if ((off & (MM_FRAME_SIZE - 1u)) || r >= p->cap ||
	    p->rec[r].kind != kind)
		return PROC_NONE;
	MM_ASSERT(MM_PTE_ADDR(mm_pt_read(p->x->vm, 0, id)) ==
		  MM_PFN_TO_PADDR(p->rec[r].pfn));
	return (uint32_t)r;
}

/* The current address space's process record, or PROC_NONE. */
uint32_t mm_proc_current(const struct mm_proc *p)
{
	mm_pte_t self = mm_pt_read(p->x->vm, MM_PT_TOP, MM_WINDOW_START);
	uint32_t r = mm_proc_lookup(p, MM_PADDR_TO_PFN(MM_PTE_ADDR(self)));

	if (r == PROC_NONE || p->rec[r].kind != PROC_KIND_PROCESS)
		return PROC_NONE;
	return r;
}

/* The process tree. */

static void proc_tree_add(struct mm_proc *p, uint32_t r, uint32_t parent)
{
	struct mm_proc_rec *c = &p->rec[r];

	c->parent = parent;
	c->next = p->rec[parent].child;
	if (c->next != PROC_NONE)
		p->rec[c->next].prev = r;
	p->rec[parent].child = r;
}

static void proc_tree_del(struct mm_proc *p, uint32_t r)
{
	struct mm_proc_rec *c = &p->rec[r];

	if (c->prev != PROC_NONE)
		p->rec[c->prev].next = c->next;
	else
		p->rec[c->parent].child = c->next;
	if (c->next != PROC_NONE)
		p->rec[c->next].prev = c->prev;
}

/* ALLOC_PROCESS. */

/*
 * The new PML4 at pa, seen at the kernel address va: zeroed (by its
 * physical address, before anything maps it as a table), then slots
 * [MM_EXO_PML4_LIMIT, 512) of the current PML4, each entry pointing to
 * the current PML4 itself re-pointed to the new one; its count (in the
 * recursive entry) is the number of occupied slots.
 */
static void proc_root_fill(struct mm_proc *p, mm_vaddr_t va, mm_paddr_t pa)
{
	mm_paddr_t cur =
		MM_PTE_ADDR(mm_pt_read(p->x->vm, MM_PT_TOP, MM_WINDOW_START));
	unsigned i, n = 0;

	mm_port_table_zero(mm_proc_port(p), pa);
	for (i = MM_EXO_PML4_LIMIT; i < MM_PT_ENTRIES; i++) {
		mm_pte_t e = mm_pt_read(
			p->x->vm, MM_PT_TOP,
			MM_VA_SIGN_EXTEND(MM_PT_FIELD(MM_PT_TOP, i)));

		if ((e & MM_PTE_PRESENT) && MM_PTE_ADDR(e) == cur)
			e = (e & ~MM_PTE_ADDR_MASK) | pa;
		n += (e & PROC_OCCUPIED) ? 1u : 0u;
		mm_port_pte_write(mm_proc_port(p), va + i * MM_PTE_SIZE, e);
	}
	va += MM_RECURSIVE_INDEX * MM_PTE_SIZE;
	mm_port_pte_write(
		mm_proc_port(p), va,
		MM_PTE_WITH_COUNT(mm_port_pte_read(mm_proc_port(p), va), n));
}

mm_proc_err_t mm_proc_alloc_process(struct mm_proc *p, uint64_t phys,
				    mm_vaddr_t paddr, uint64_t *pid)
{
	uint32_t parent, r;
	struct exo_ent e;
	mm_pte_t pte = 0;
	mm_proc_err_t err = MM_PROC_SUCCESS;

	MM_ASSERT(p != NULL && pid != NULL);
	mm_proc_begin(p);
	parent = mm_proc_current(p);
	if (parent == PROC_NONE || !mm_proc_own_entry(p, paddr, &e, &pte) ||
	    pte != 0)
		err = MM_PROC_INVALID_TARGET;
	else if (p->free_head == PROC_NONE)
		err = MM_PROC_NO_ROOM;
	else if (!mm_exo_claim(p->x, phys))
		err = MM_PROC_NOT_FREE;
	if (err == MM_PROC_SUCCESS) {
		r = mm_proc_rec_new(p, PROC_KIND_PROCESS,
				    MM_PADDR_TO_PFN(phys));
		proc_root_fill(p, mm_proc_id_va(PROC_KIND_PROCESS, r), phys);
		mm_pt_write(p->x->vm, e.level, e.va, phys | MM_PTE_OWNER);
		p->rec[r].link = paddr;
		proc_tree_add(p, r, parent);
		*pid = mm_proc_id_va(PROC_KIND_PROCESS, r);
	}
	mm_proc_end(p);
	return err;
}

/* YIELD_PROCESS and upcalls. */

static void proc_enter(const struct mm_proc *p, uint32_t r, unsigned which,
		       uint64_t arg, struct mm_proc_enter *out)
{
	out->cr3 = MM_PFN_TO_PADDR(p->rec[r].pfn);
	out->entry = p->rec[r].upcall[which - 1u];
	out->arg = arg;
}

mm_proc_err_t mm_proc_yield(struct mm_proc *p, uint64_t pid,
			    struct mm_proc_enter *out)
{
	uint32_t r, cur;
	mm_proc_err_t err = MM_PROC_INVALID_TARGET;

	MM_ASSERT(p != NULL && out != NULL);
	mm_proc_begin(p);
	r = mm_proc_id_rec(p, pid, PROC_KIND_PROCESS);
	cur = mm_proc_current(p);
	if (r != PROC_NONE && p->rec[r].upcall[MM_UPCALL_YIELD - 1u] != 0) {
		proc_enter(p, r, MM_UPCALL_YIELD,
			   cur == PROC_NONE
				   ? 0
				   : mm_proc_id_va(PROC_KIND_PROCESS, cur),
			   out);
		err = MM_PROC_SUCCESS;
	}
	mm_proc_end(p);
	return err;
}

mm_proc_err_t mm_proc_current_upcall(struct mm_proc *p, unsigned which,
				     struct mm_proc_enter *out)
{
	uint32_t cur;
	mm_proc_err_t err = MM_PROC_INVALID_TARGET;

	MM_ASSERT(p != NULL && out != NULL);
	cur = mm_proc_current(p);
	if (cur != PROC_NONE && which - 1u < 3u &&
	    p->rec[cur].upcall[which - 1u] != 0) {
		proc_enter(p, cur, which, mm_proc_id_va(PROC_KIND_PROCESS, cur),
			   out);
		err = MM_PROC_SUCCESS;
	}
	return err;
}

/* A user address an upcall may name, or 0. */
static bool proc_upcall_ok(mm_vaddr_t entry)
{
	return entry == 0 ||
	       (entry >= MM_EXO_VA_MIN &&
		entry < MM_PT_FIELD(MM_PT_TOP, MM_EXO_PML4_LIMIT));
}

mm_proc_err_t mm_proc_map_upcall(struct mm_proc *p, uint64_t pid,
				 unsigned which, mm_vaddr_t entry)
{
	uint32_t r, cur;
	mm_proc_err_t err = MM_PROC_SUCCESS;

	MM_ASSERT(p != NULL);
	r = mm_proc_id_rec(p, pid, PROC_KIND_PROCESS);
	cur = mm_proc_current(p);
	if (r == PROC_NONE || cur == PROC_NONE ||
	    (r != cur && p->rec[r].parent != cur))
		err = MM_PROC_INVALID_TARGET;
	else if (which - 1u >= 3u)
		err = MM_PROC_INVALID_FLAGS;
	else if (!proc_upcall_ok(entry))
		err = MM_PROC_INVALID_SOURCE;
	else
		p->rec[r].upcall[which - 1u] = entry;
	return err;
}

/* Teardown. */

/*
 * Free process top and everything it owns, deepest descendant first: a
 * loop over the process tree, no recursion however deep it is. None of
 * these processes is current.
 */
static void proc_destroy(struct mm_proc *p, uint32_t top)
{
	uint32_t cur = top;

	for (;;) {
		struct mm_proc_rec *c = &p->rec[cur];
		uint32_t up = c->parent;

		if (c->child != PROC_NONE) {
			cur = c->child;
			continue;
		}
		mm_proc_free_user(p, c->pfn);
		(void)mm_frame_free(p->x->vm->frames, c->pfn);
		proc_tree_del(p, cur);
		mm_proc_rec_drop(p, cur);
		if (cur == top)
			return;
		cur = up;
	}
}

/*
 * FREE_PROCESS's check: pid is a live child of the current process linked
 * at paddr (is_mapped); its record, and the link's entry in *e.
 */
static uint32_t proc_free_check(struct mm_proc *p, uint64_t pid,
				mm_vaddr_t paddr, struct exo_ent *e)
{
	mm_pte_t pte = 0;
	uint32_t r = mm_proc_id_rec(p, pid, PROC_KIND_PROCESS);

	/* A copy of the parent's PML4 made behind libmm's back is not it. */
	if (r != PROC_NONE && p->rec[r].parent == mm_proc_current(p) &&
	    mm_proc_own_entry(p, paddr, e, &pte) &&
	    (pte & PROC_OCCUPIED) == MM_PTE_OWNER &&
	    MM_PTE_ADDR(pte) == MM_PTE_ADDR(mm_pt_read(p->x->vm, 0, pid)))
		return r;
	return PROC_NONE;
}

mm_proc_err_t mm_proc_free_upcall(struct mm_proc *p, uint64_t pid,
				  mm_vaddr_t paddr, struct mm_proc_enter *out)
{
	struct exo_ent e;
	uint32_t r;

	MM_ASSERT(p != NULL && out != NULL);
	mm_proc_begin(p);
	r = proc_free_check(p, pid, paddr, &e);
	if (r != PROC_NONE)
		proc_enter(p, r, MM_UPCALL_FREE,
			   mm_proc_id_va(PROC_KIND_PROCESS, p->rec[r].parent),
			   out);
	mm_proc_end(p);
	return r == PROC_NONE ? MM_PROC_INVALID_SOURCE : MM_PROC_SUCCESS;
}

mm_proc_err_t mm_proc_free_process(struct mm_proc *p, uint64_t pid,
				   mm_vaddr_t paddr)
{
	struct exo_ent e;
	uint32_t r;

	MM_ASSERT(p != NULL);
	mm_proc_begin(p);
	r = proc_free_check(p, pid, paddr, &e);
	if (r != PROC_NONE) {
		proc_destroy(p, r);
		mm_pt_write(p->x->vm, e.level, e.va, 0);
	}
	mm_proc_end(p);
	return r == PROC_NONE ? MM_PROC_INVALID_SOURCE : MM_PROC_SUCCESS;
}

/* Clear process r's link in its parent's tables (current or not). */
static void proc_unlink(struct mm_proc *p, uint32_t r)
{
	uint32_t parent = p->rec[r].parent;
	struct proc_at at;
	mm_pte_t pte = 0;
	bool found;

	if (parent == mm_proc_current(p)) {
		found = mm_proc_own_entry(p, p->rec[r].link, &at.e, &pte);
		MM_ASSERT(found &&
			  MM_PTE_ADDR(pte) == MM_PFN_TO_PADDR(p->rec[r].pfn));
		mm_pt_write(p->x->vm, at.e.level, at.e.va, 0);
		return;
	}
	found = mm_proc_find(p, parent, p->rec[r].link, &at, &pte);
	MM_ASSERT(found && MM_PTE_ADDR(pte) == MM_PFN_TO_PADDR(p->rec[r].pfn));
	mm_proc_fput(p, &at, pte, 0);
}

/* r is below, or one of below's ancestors. */
static bool proc_is_above(const struct mm_proc *p, uint32_t r, uint32_t below)
{
	for (; below != PROC_NONE; below = p->rec[below].parent) {
		if (below == r)
			return true;
	}
	return false;
}

mm_proc_err_t mm_proc_kill(struct mm_proc *p, uint64_t pid)
{
	uint32_t r;
	mm_proc_err_t err = MM_PROC_INVALID_TARGET;

	MM_ASSERT(p != NULL);
	mm_proc_begin(p);
	r = mm_proc_id_rec(p, pid, PROC_KIND_PROCESS);
	if (r != PROC_NONE && r != p->init &&
	    !proc_is_above(p, r, mm_proc_current(p))) {
		proc_unlink(p, r);
		proc_destroy(p, r);
		err = MM_PROC_SUCCESS;
	}
	mm_proc_end(p);
	return err;
}
