/*
 * The kernel's half of XOmB's processes and resources (mm/exo_proc.h): the
 * process and resource maps in PML4[507] / [508] (built at init, freed at
 * fini), the pages they map, the views through which the kernel reads and
 * writes tables of processes that are not current, the current address
 * space's entries on plain paths, and init / fini of the registry. Every
 * entry of the current address space is written through pt.h. No libc:
 * this compiles freestanding.
 */
#include "exo_proc_priv.h"
#include "mm/assert.h"
#include "mm/port.h"
#include "pt.h"

#define PROC_REC_BYTES (sizeof(struct mm_proc_rec) + 4u * sizeof(uint32_t))

/* Map pages: an id's page or a view. */

void mm_proc_map_set(struct mm_proc *p, mm_vaddr_t va, mm_pfn_t pfn)
{
	mm_pte_t want = MM_PFN_TO_PADDR(pfn) | mm_proc_kbits(p);
	mm_pte_t old = mm_pt_read(p->x->vm, 0, va);

	/* A and D, which the MMU sets on a page it used, change no mapping */
	if ((old & ~(MM_PTE_ACCESSED | MM_PTE_DIRTY)) == want)
		return;
	mm_pt_write(p->x->vm, 0, va, want);
	if (old & MM_PTE_PRESENT)
		mm_port_invlpg(mm_proc_port(p), va);
}

void mm_proc_map_clear(struct mm_proc *p, mm_vaddr_t va)
{
	mm_pt_write(p->x->vm, 0, va, 0);
	mm_port_invlpg(mm_proc_port(p), va);
}

/* Views: tables of processes that are not current. */

static mm_vaddr_t proc_view(struct mm_proc *p, unsigned level, mm_pfn_t pfn)
{
	mm_vaddr_t va = MM_PROC_MAP_VA(level);

	mm_proc_map_set(p, va, pfn);
	p->views |= 1u << level;
	return va;
}

mm_pte_t mm_proc_get(struct mm_proc *p, unsigned level, mm_pfn_t table,
		     unsigned idx)
{
	return mm_port_pte_read(mm_proc_port(p),
				proc_view(p, level, table) + idx * MM_PTE_SIZE);
}

static void proc_put(struct mm_proc *p, unsigned level, mm_pfn_t table,
		     unsigned idx, mm_pte_t pte)
{
	mm_port_pte_write(mm_proc_port(p),
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
	mm_port_op_begin(mm_proc_port(p));
}

void mm_proc_end(struct mm_proc *p)
{
	unsigned level;

	for (level = 0; level < MM_PROC_VIEWS; level++) {
		if (p->views & (1u << level))
			mm_proc_map_clear(p, MM_PROC_MAP_VA(level));
	}
	p->views = 0;
	mm_port_op_end(mm_proc_port(p));
}

/* The maps. */

static mm_vaddr_t proc_map_base(unsigned kind)
{
	return mm_proc_id_va(kind, 0) - MM_PROC_VIEWS * MM_FRAME_SIZE;
}

/* Link a new, zeroed kernel table at the entry of `level` for va. */
static bool proc_table_new(struct mm_proc *p, unsigned level, mm_vaddr_t va)
{
	struct exo_ent e = {level, va};
	mm_pfn_t pfn;

	if (mm_frame_alloc(p->x->vm->frames, &pfn) != MM_OK)
		return false;
	mm_exo_link_new(p->x, &e, MM_PFN_TO_PADDR(pfn), mm_proc_kbits(p));
	return true;
}

/* Unlink and free the kernel table at the entry of `level` for va, if any. */
static void proc_table_drop(struct mm_proc *p, unsigned level, mm_vaddr_t va)
{
	mm_pte_t pte = mm_pt_read(p->x->vm, level, va);

	if (!(pte & MM_PTE_PRESENT))
		return;
	mm_pt_write(p->x->vm, level, va, 0);
	mm_port_invlpg(mm_proc_port(p), MM_PT_TABLE_VA(level - 1u, va));
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
	*init_pid = mm_proc_id_va(PROC_KIND_PROCESS, p->init);
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
