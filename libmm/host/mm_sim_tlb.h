/*
 * Private to the simulator: the TLB model, a hash table of translations
 * keyed by (page base, page size). Any number of entries; lookups check the
 * three page sizes that could cover an address.
 */
#ifndef MM_SIM_TLB_H
#define MM_SIM_TLB_H

#include "mm/types.h"

/* Effective rights of a translation (all levels combined). */
#define SIM_X_WRITE  (1u << 0)
#define SIM_X_USER   (1u << 1)
#define SIM_X_NX     (1u << 2)
#define SIM_X_GLOBAL (1u << 3)

/* One translation: [va, va + 2^shift) -> [pa, pa + 2^shift). */
struct sim_xlate {
	mm_vaddr_t va;
	mm_paddr_t pa;
	unsigned shift;
	unsigned flags;
	bool dirty;   /* the leaf's D bit was set when this was cached */
	uint64_t gen; /* RAM generation when it last matched the tables */
};

struct sim_tlb_slot {
	uint64_t key; /* va | shift; 0 empty */
	struct sim_xlate x;
};

struct sim_tlb {
	struct sim_tlb_slot *slots;
	size_t cap; /* a power of two */
	size_t used;
};

/* Empty TLB; false when the host is out of memory. */
bool sim_tlb_init(struct sim_tlb *tlb);
void sim_tlb_free(struct sim_tlb *tlb);

/* The cached translation covering va (smallest page first), or NULL. */
struct sim_xlate *sim_tlb_lookup(const struct sim_tlb *tlb, mm_vaddr_t va);

/* Cache x, replacing an entry for the same page; aborts when out of memory. */
void sim_tlb_insert(struct sim_tlb *tlb, const struct sim_xlate *x);

/* Drop every entry covering va (invlpg). */
void sim_tlb_invalidate(struct sim_tlb *tlb, mm_vaddr_t va);

/* Drop every entry, or every non-global one when keep_global. */
void sim_tlb_flush(struct sim_tlb *tlb, bool keep_global);

#endif /* MM_SIM_TLB_H */
