/*
 * XOmB's processes (mm/exo_proc.h): the registry (records, the hash from a
 * root's frame to its record, the process tree), the process and resource
 * maps in PML4[507] / [508], the kernel's views into tables of processes
 * that are not current, and ALLOC_PROCESS, YIELD_PROCESS, FREE_PROCESS,
 * MAP_UPCALL and the kernel's kill. Resources and the teardown of a user
 * half are in exo_res.c. Entries are decoded, ownership walks done and
 * tables linked by exo_mem.c (exo_priv.h); every entry of the current
 * address space is written through pt.h. No libc: this compiles
 * freestanding.
 */
#include "exo_proc_priv.h"
#include "mm/assert.h"
#include "mm/port.h"
#include "pt.h"

#define PROC_HASH_MUL  0x9E3779B97F4A7C15ull
#define PROC_REC_BYTES (sizeof(struct mm_proc_rec) + 4u * sizeof(uint32_t))

/* Small accessors. */

static void *proc_port(const struct mm_proc *p)
{
	return p->x->vm->port;
}

/* Entry bits of a kernel-only table entry or map page: P, W, NX if any. */
static mm_pte_t proc_kbits(const struct mm_proc *p)
{
	mm_pte_t nx = (p->x->vm->features & MM_CPU_NX) ? MM_PTE_NX : 0;

	return MM_PTE_PRESENT | MM_PTE_WRITE | nx;
}

static mm_vaddr_t proc_id_va(unsigned kind, uint64_t r)
{
	if (kind == PROC_KIND_PROCESS)
		return MM_PROC_MAP_VA(r + MM_PROC_VIEWS);
	return MM_RES_MAP_VA(r + MM_PROC_VIEWS);
}

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

/* Map pages: an id's page or a view. */

static void proc_map_set(struct mm_proc *p, mm_vaddr_t va, mm_pfn_t pfn)
{
	mm_pte_t want = MM_PFN_TO_PADDR(pfn) | proc_kbits(p);
	mm_pte_t old = mm_pt_read(p->x->vm, 0, va);

	if (old == want)
		return;
	mm_pt_write(p->x->vm, 0, va, want);
	if (old & MM_PTE_PRESENT)
		mm_port_invlpg(proc_port(p), va);
}

static void proc_map_clear(struct mm_proc *p, mm_vaddr_t va)
{
	mm_pt_write(p->x->vm, 0, va, 0);
	mm_port_invlpg(proc_port(p), va);
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
	proc_map_set(p, proc_id_va(kind, r), pfn);
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

	proc_map_clear(p, proc_id_va(c->kind, r));
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
	uint64_t off = id - proc_id_va(kind, 0);
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

/* Views: tables of processes that are not current. */

static mm_vaddr_t proc_view(struct mm_proc *p, unsigned level, mm_pfn_t pfn)
{
	mm_vaddr_t va = MM_PROC_MAP_VA(level);

	proc_map_set(p, va, pfn);
	p->views |= 1u << level;
	return va;
}

mm_pte_t mm_proc_get(struct mm_proc *p, unsigned level, mm_pfn_t table,
		     unsigned idx)
{
	return mm_port_pte_read(proc_port(p),
				proc_view(p, level, table) + idx * MM_PTE_SIZE);
}

static void proc_put(struct mm_proc *p, unsigned level, mm_pfn_t table,
		     unsigned idx, mm_pte_t pte)
{
	mm_port_pte_write(proc_port(p),
			  proc_view(p, level, table) + idx * MM_PTE_SIZE, pte);
}

/*
 * Locate the entry that addr names in process r's own window: the walk
 * from r's PML4 must be a plain path. *pte receives the entry.
 */
bool mm_proc_find(struct mm_proc *p, uint32_t r, mm_vaddr_t addr,
		  struct proc_at *at, mm_pte_t *pte)
{
	mm_pte_t look = MM_PTE_PRESENT | MM_PTE_PS | PROC_MARKS;
	mm_pfn_t pfn = p->rec[r].pfn;
	unsigned level;

	if (!mm_exo_decode(addr, &at->e))
		return false;
	for (level = MM_PT_TOP; level > at->e.level; level--) {
		mm_pte_t up = mm_proc_get(p, level, pfn,
					  MM_PT_INDEX(level, at->e.va));

		at->table[level] = pfn;
		if ((up & look) != MM_PTE_PRESENT)
			return false;
		pfn = MM_PADDR_TO_PFN(MM_PTE_ADDR(up));
	}
	at->table[at->e.level] = pfn;
	*pte = mm_proc_get(p, at->e.level, pfn,
			   MM_PT_INDEX(at->e.level, at->e.va));
	return true;
}

/*
 * Write pte over old at the located entry and keep its table's fill count
 * (in the entry above, or for a PML4 in its recursive entry), as pt.h does
 * for the current address space.
 */
void mm_proc_fput(struct mm_proc *p, const struct proc_at *at, mm_pte_t old,
		  mm_pte_t pte)
{
	unsigned l = at->e.level, up = l + 1u, idx;
	bool was = (old & PROC_OCCUPIED) != 0, now = (pte & PROC_OCCUPIED) != 0;
	mm_pte_t parent;

	proc_put(p, l, at->table[l], MM_PT_INDEX(l, at->e.va), pte);
	if (was == now)
		return;
	if (l == MM_PT_TOP) {
		up = MM_PT_TOP;
		idx = MM_RECURSIVE_INDEX;
	} else {
		idx = MM_PT_INDEX(up, at->e.va);
	}
	parent = mm_proc_get(p, up, at->table[up], idx);
	parent = MM_PTE_WITH_COUNT(parent, now ? MM_PTE_COUNT(parent) + 1u
					       : MM_PTE_COUNT(parent) - 1u);
	proc_put(p, up, at->table[up], idx, parent);
}

/* The caller's entry named by addr, on a plain path of its own tables. */
bool mm_proc_own_entry(const struct mm_proc *p, mm_vaddr_t addr,
		       struct exo_ent *e, mm_pte_t *pte)
{
	if (!mm_exo_decode(addr, e) || !mm_exo_path_clear(p->x, e, PROC_MARKS))
		return false;
	*pte = mm_pt_read(p->x->vm, e->level, e->va);
	return true;
}

/* Every call: one operation for the port; the views cleared at its end. */
void mm_proc_begin(struct mm_proc *p)
{
	mm_port_op_begin(proc_port(p));
}

void mm_proc_end(struct mm_proc *p)
{
	unsigned level;

	for (level = 0; level < MM_PROC_VIEWS; level++) {
		if (p->views & (1u << level))
			proc_map_clear(p, MM_PROC_MAP_VA(level));
	}
	p->views = 0;
	mm_port_op_end(proc_port(p));
}

/* The maps. */

static mm_vaddr_t proc_map_base(unsigned kind)
{
	return proc_id_va(kind, 0) - MM_PROC_VIEWS * MM_FRAME_SIZE;
}

/* Link a new, zeroed kernel table at the entry of `level` for va. */
static bool proc_table_new(struct mm_proc *p, unsigned level, mm_vaddr_t va)
{
	struct exo_ent e = {level, va};
	mm_pfn_t pfn;

	if (mm_frame_alloc(p->x->vm->frames, &pfn) != MM_OK)
		return false;
	mm_exo_link_new(p->x, &e, MM_PFN_TO_PADDR(pfn), proc_kbits(p));
	return true;
}

/* Unlink and free the kernel table at the entry of `level` for va, if any. */
static void proc_table_drop(struct mm_proc *p, unsigned level, mm_vaddr_t va)
{
	mm_pte_t pte = mm_pt_read(p->x->vm, level, va);

	if (!(pte & MM_PTE_PRESENT))
		return;
	mm_pt_write(p->x->vm, level, va, 0);
	mm_port_invlpg(proc_port(p), MM_PT_TABLE_VA(level - 1u, va));
	(void)mm_frame_free(p->x->vm->frames,
			    MM_PADDR_TO_PFN(MM_PTE_ADDR(pte)));
}

/* PTs each map needs: the views' slots and one per record. */
static unsigned proc_map_pts(const struct mm_proc *p)
{
	return (p->cap + MM_PROC_VIEWS + MM_PT_ENTRIES - 1u) / MM_PT_ENTRIES;
}

static bool proc_maps_build(struct mm_proc *p)
{
	unsigned kinds[2] = {PROC_KIND_PROCESS, PROC_KIND_RESOURCE}, i, k;

	for (i = 0; i < 2u; i++) {
		mm_vaddr_t va = proc_map_base(kinds[i]);

		if (!proc_table_new(p, MM_PT_TOP, va) ||
		    !proc_table_new(p, 2, va))
			return false;
		for (k = 0; k < proc_map_pts(p); k++) {
			if (!proc_table_new(p, 1, va + k * MM_PT_SPAN(1)))
				return false;
		}
	}
	return true;
}

/* Free whatever proc_maps_build() linked (all of it, or part). */
static void proc_maps_undo(struct mm_proc *p)
{
	unsigned kinds[2] = {PROC_KIND_PROCESS, PROC_KIND_RESOURCE}, i, k;

	for (i = 0; i < 2u; i++) {
		mm_vaddr_t va = proc_map_base(kinds[i]);

		if (!(mm_pt_read(p->x->vm, MM_PT_TOP, va) & MM_PTE_PRESENT))
			continue;
		if (mm_pt_read(p->x->vm, 2, va) & MM_PTE_PRESENT) {
			for (k = 0; k < proc_map_pts(p); k++)
				proc_table_drop(p, 1, va + k * MM_PT_SPAN(1));
			proc_table_drop(p, 2, va);
		}
		proc_table_drop(p, MM_PT_TOP, va);
	}
}

/* Init and fini. */

uint64_t mm_proc_metadata_bytes(uint64_t records)
{
	return records * PROC_REC_BYTES;
}

/* Lay the records and the hash out in mem; every record free. */
static void proc_layout(struct mm_proc *p, struct mm_exo *x, void *mem,
			uint32_t cap)
{
	uint32_t r, hsize = 1;

	while (hsize < 2u * cap)
		hsize <<= 1;
	*p = (struct mm_proc){.x = x, .rec = mem, .cap = cap};
	p->hash = (uint32_t *)(p->rec + cap);
	p->hmask = hsize - 1u;
	for (r = 0; r < hsize; r++)
		p->hash[r] = 0;
	for (r = 0; r < cap; r++) {
		p->rec[r].kind = PROC_KIND_FREE;
		p->rec[r].next = r + 1u < cap ? r + 1u : PROC_NONE;
	}
	p->free_head = 0;
}

static bool proc_init_ok(const struct mm_proc *p, const struct mm_exo *x,
			 const void *mem, const uint64_t *init_pid)
{
	if (p == NULL || x == NULL || x->vm == NULL || mem == NULL ||
	    init_pid == NULL || ((uintptr_t)mem & 7u) || x->proc != NULL)
		return false;
	return !(mm_pt_read(x->vm, MM_PT_TOP,
			    proc_map_base(PROC_KIND_PROCESS)) &
		 PROC_OCCUPIED) &&
	       !(mm_pt_read(x->vm, MM_PT_TOP,
			    proc_map_base(PROC_KIND_RESOURCE)) &
		 PROC_OCCUPIED);
}

mm_status_t mm_proc_init(struct mm_proc *p, struct mm_exo *x, void *mem,
			 uint64_t bytes, uint64_t *init_pid)
{
	uint64_t cap = bytes / PROC_REC_BYTES;
	mm_pte_t self;

	if (cap > MM_PROC_MAX)
		cap = MM_PROC_MAX;
	if (cap == 0 || !proc_init_ok(p, x, mem, init_pid))
		return MM_ERR_INVALID;
	proc_layout(p, x, mem, (uint32_t)cap);
	mm_proc_begin(p);
	if (!proc_maps_build(p)) {
		proc_maps_undo(p);
		mm_proc_end(p);
		return MM_ERR_NOMEM;
	}
	self = mm_pt_read(x->vm, MM_PT_TOP, MM_WINDOW_START);
	p->init = mm_proc_rec_new(p, PROC_KIND_PROCESS,
				  MM_PADDR_TO_PFN(MM_PTE_ADDR(self)));
	mm_proc_end(p);
	x->proc = p;
	*init_pid = proc_id_va(PROC_KIND_PROCESS, p->init);
	return MM_OK;
}

mm_status_t mm_proc_fini(struct mm_proc *p)
{
	if (p == NULL || mm_proc_current(p) != p->init || p->nproc != 1u ||
	    p->nres != 0)
		return MM_ERR_INVALID;
	mm_proc_begin(p);
	mm_proc_rec_drop(p, p->init);
	proc_maps_undo(p);
	mm_proc_end(p);
	p->x->proc = NULL;
	return MM_OK;
}

/* ALLOC_PROCESS. */

/*
 * The new PML4 at pa, seen at the kernel address va: zeroed, then slots
 * [MM_EXO_PML4_LIMIT, 512) of the current PML4, each entry pointing to
 * the current PML4 itself re-pointed to the new one; its count (in the
 * recursive entry) is the number of occupied slots.
 */
static void proc_root_fill(struct mm_proc *p, mm_vaddr_t va, mm_paddr_t pa)
{
	mm_paddr_t cur =
		MM_PTE_ADDR(mm_pt_read(p->x->vm, MM_PT_TOP, MM_WINDOW_START));
	unsigned i, n = 0;

	mm_port_table_zero(proc_port(p), va);
	for (i = MM_EXO_PML4_LIMIT; i < MM_PT_ENTRIES; i++) {
		mm_pte_t e = mm_pt_read(
			p->x->vm, MM_PT_TOP,
			MM_VA_SIGN_EXTEND(MM_PT_FIELD(MM_PT_TOP, i)));

		if ((e & MM_PTE_PRESENT) && MM_PTE_ADDR(e) == cur)
			e = (e & ~MM_PTE_ADDR_MASK) | pa;
		n += (e & PROC_OCCUPIED) ? 1u : 0u;
		mm_port_pte_write(proc_port(p), va + i * MM_PTE_SIZE, e);
	}
	va += MM_RECURSIVE_INDEX * MM_PTE_SIZE;
	mm_port_pte_write(
		proc_port(p), va,
		MM_PTE_WITH_COUNT(mm_port_pte_read(proc_port(p), va), n));
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
		proc_root_fill(p, proc_id_va(PROC_KIND_PROCESS, r), phys);
		mm_pt_write(p->x->vm, e.level, e.va, phys | MM_PTE_OWNER);
		p->rec[r].link = paddr;
		proc_tree_add(p, r, parent);
		*pid = proc_id_va(PROC_KIND_PROCESS, r);
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
				   : proc_id_va(PROC_KIND_PROCESS, cur),
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
		proc_enter(p, cur, which, proc_id_va(PROC_KIND_PROCESS, cur),
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

mm_proc_err_t mm_proc_free_process(struct mm_proc *p, uint64_t pid,
				   mm_vaddr_t paddr)
{
	struct exo_ent e;
	mm_pte_t pte = 0;
	uint32_t r;
	mm_proc_err_t err = MM_PROC_INVALID_SOURCE;

	MM_ASSERT(p != NULL);
	mm_proc_begin(p);
	r = mm_proc_id_rec(p, pid, PROC_KIND_PROCESS);
	/* A copy of the parent's PML4 made behind libmm's back is not it. */
	if (r != PROC_NONE && p->rec[r].parent == mm_proc_current(p) &&
	    mm_proc_own_entry(p, paddr, &e, &pte) &&
	    (pte & PROC_OCCUPIED) == MM_PTE_OWNER &&
	    MM_PTE_ADDR(pte) == MM_PTE_ADDR(mm_pt_read(p->x->vm, 0, pid))) {
		proc_destroy(p, r);
		mm_pt_write(p->x->vm, e.level, e.va, 0);
		err = MM_PROC_SUCCESS;
	}
	mm_proc_end(p);
	return err;
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
