/*
 * Private to the simulator (libmm/host): the machine's state, shared by
 * mm_sim.c (RAM, port, creation, strict mode, fault injection) and
 * mm_sim_mmu.c (walk, A/D bits, TLB fills, CPU accesses). Not on any
 * include path: only mm_sim.h is public.
 */
#ifndef MM_SIM_PRIV_H
#define MM_SIM_PRIV_H

#include "mm_sim.h"
#include "mm_sim_tlb.h"

#define WORDS_PER_FRAME (MM_PT_ENTRIES / 64u)
#define MAX_REPORTS	8u
#define MAX_DROPPED	64u
/*
 * What RAM nobody zeroed holds here: every byte 0xA5, so every word read
 * as an entry is present, PS, NX, with an address far beyond the RAM.
 */
#define POISON_BYTE	0xA5u

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

/*
 * Set bits (accessed / dirty) in the entry at pa, as the MMU does. They
 * change no translation, so the RAM generation stays.
 */
void sim_phys_set_ad(struct mm_sim *sim, mm_paddr_t pa, mm_pte_t bits);

/* The present-bit words of the table at pa, or NULL beyond the RAM. */
const uint64_t *sim_present_words(const struct mm_sim *sim, mm_paddr_t pa);

/* Entries for va left the TLB (refilled by sim_refill_dropped). */
void sim_note_drop(struct mm_sim *sim, mm_vaddr_t va);

/* Put back what was dropped since a fill of the unchanged tables. */
void sim_refill_dropped(struct mm_sim *sim);

/*
 * libmm just made the entry at window address w present with value pte:
 * when it points to a table, cache every translation below it at once.
 */
void sim_speculate(struct mm_sim *sim, mm_vaddr_t w, mm_pte_t pte);

#endif /* MM_SIM_PRIV_H */
