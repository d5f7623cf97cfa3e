/*
 * libmm-private: the registry of mm/exo_proc.h shared by its three files,
 * exo_proc.c (records, processes), exo_map.c (maps, views, init) and
 * exo_res.c (resources, teardown). Not installed. Not thread-safe:
 * callers serialize.
 */
#ifndef MM_EXO_PROC_PRIV_H
#define MM_EXO_PROC_PRIV_H

#include "exo_priv.h"
#include "mm/exo_proc.h"
#include "mm/port.h"

#define PROC_NONE 0xFFFFFFFFu

/* Entry bits that stop a plain path, and those that occupy a slot. */
#define PROC_MARKS    (MM_PTE_OWNER | MM_PTE_GRANT)
#define PROC_OCCUPIED (MM_PTE_PRESENT | MM_PTE_OWNER)

enum proc_kind { PROC_KIND_FREE, PROC_KIND_PROCESS, PROC_KIND_RESOURCE };

/* One record: a process or a resource (free records chain through next). */
struct mm_proc_rec {
	mm_pfn_t pfn;		/* the root table's frame */
	mm_vaddr_t upcall[3];	/* process: MM_UPCALL_* - 1 */
	mm_vaddr_t link;	/* process: its link, in the parent's window */
	uint32_t kind;		/* enum proc_kind */
	uint32_t refs;		/* resource: grants */
	uint32_t level;		/* resource: level of the entries linking it */
	uint32_t orphan;	/* resource: its owner is gone */
	uint32_t parent, child; /* process tree */
	uint32_t next, prev;	/* siblings; free list */
};

/* A located entry of a process that is not current (through the views). */
struct proc_at {
	mm_pfn_t table[MM_PT_LEVELS]; /* tables on the path, root first */
	struct exo_ent e;
};

/* The port context of every mm_port_* call. */
static inline void *mm_proc_port(const struct mm_proc *p)
{
	return p->x->vm->port;
}

/* Entry bits of a kernel-only table entry or map page: P, W, NX if any. */
static inline mm_pte_t mm_proc_kbits(const struct mm_proc *p)
{
	mm_pte_t nx = (p->x->vm->features & MM_CPU_NX) ? MM_PTE_NX : 0;

	return MM_PTE_PRESENT | MM_PTE_WRITE | nx;
}

/* The id of record r of `kind`: its page in the process or resource map. */
static inline mm_vaddr_t mm_proc_id_va(unsigned kind, uint64_t r)
{
	if (kind == PROC_KIND_PROCESS)
		return MM_PROC_MAP_VA(r + MM_PROC_VIEWS);
	return MM_RES_MAP_VA(r + MM_PROC_VIEWS);
}

/* exo_map.c: map va to the frame pfn (kernel-only), or clear it. */
void mm_proc_map_set(struct mm_proc *p, mm_vaddr_t va, mm_pfn_t pfn);
void mm_proc_map_clear(struct mm_proc *p, mm_vaddr_t va);

/* exo_proc.c */
uint32_t mm_proc_lookup(const struct mm_proc *p, mm_pfn_t pfn);
uint32_t mm_proc_id_rec(const struct mm_proc *p, uint64_t id, unsigned kind);
uint32_t mm_proc_current(const struct mm_proc *p);
uint32_t mm_proc_rec_new(struct mm_proc *p, unsigned kind, mm_pfn_t pfn);
void mm_proc_rec_drop(struct mm_proc *p, uint32_t r);

/* exo_map.c: the views, plain paths, and the bracket of every call. */
mm_pte_t mm_proc_get(struct mm_proc *p, unsigned level, mm_pfn_t table,
		     unsigned idx);
bool mm_proc_find(struct mm_proc *p, uint32_t r, mm_vaddr_t addr,
		  struct proc_at *at, mm_pte_t *pte);
void mm_proc_fput(struct mm_proc *p, const struct proc_at *at, mm_pte_t old,
		  mm_pte_t pte);
bool mm_proc_own_entry(const struct mm_proc *p, mm_vaddr_t addr,
		       struct exo_ent *e, mm_pte_t *pte);
void mm_proc_begin(struct mm_proc *p);
void mm_proc_end(struct mm_proc *p);

/* exo_res.c: free a process's user half (all its children already gone). */
void mm_proc_free_user(struct mm_proc *p, mm_pfn_t root);

#endif /* MM_EXO_PROC_PRIV_H */
