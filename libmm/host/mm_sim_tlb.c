/*
 * The simulator's TLB model: an open-addressing (linear probing) hash table
 * of translations keyed by page base and size, at most half full, with
 * backward-shift deletion so that lookups never wade through markers. Unlike a hardware TLB it never evicts: keeping every
 * translation until it is invalidated is the most hostile legal behaviour,
 * so a missing invalidation always shows.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mm/pte.h"
#include "mm_sim_tlb.h"

#define KEY_EMPTY 0u
#define MIN_CAP	  256u

static const unsigned page_shifts[] = {MM_PT_SHIFT(0), MM_PT_SHIFT(1),
				       MM_PT_SHIFT(2)};

static uint64_t tlb_key_of(mm_vaddr_t va, unsigned shift)
{
	return (va & ~(((uint64_t)1 << shift) - 1u)) | shift;
}

static size_t tlb_hash(uint64_t key, size_t cap)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1u);
}

static size_t tlb_next_slot(const struct sim_tlb *tlb, size_t i)
{
	return (i + 1u) & (tlb->cap - 1u);
}

/* Slot holding key, or NULL. */
static struct sim_tlb_slot *tlb_find(const struct sim_tlb *tlb, uint64_t key)
{
	size_t i = tlb_hash(key, tlb->cap);

	while (tlb->slots[i].key != KEY_EMPTY) {
		if (tlb->slots[i].key == key)
			return &tlb->slots[i];
		i = tlb_next_slot(tlb, i);
	}
	return NULL;
}

/* Insert into a table known to have an empty slot and no entry for key. */
static void tlb_place(struct sim_tlb *tlb, uint64_t key,
		      const struct sim_xlate *x)
{
	size_t i = tlb_hash(key, tlb->cap);

	while (tlb->slots[i].key != KEY_EMPTY)
		i = tlb_next_slot(tlb, i);
	tlb->slots[i].key = key;
	tlb->slots[i].x = *x;
	tlb->used++;
}

/*
 * Empty slot i, then move back every later entry of the probe run whose
 * home is not in (i, j]: linear probing without deletion markers.
 */
static void tlb_remove_at(struct sim_tlb *tlb, size_t i)
{
	size_t j = i;

	tlb->slots[i].key = KEY_EMPTY;
	tlb->used--;
	for (;;) {
		size_t home;

		j = tlb_next_slot(tlb, j);
		if (tlb->slots[j].key == KEY_EMPTY)
			return;
		home = tlb_hash(tlb->slots[j].key, tlb->cap);
		if (((j - home) & (tlb->cap - 1u)) <
		    ((j - i) & (tlb->cap - 1u)))
			continue;
		tlb->slots[i] = tlb->slots[j];
		tlb->slots[j].key = KEY_EMPTY;
		i = j;
	}
}

/* Rebuild with cap slots, keeping every entry or only the global ones. */
static void tlb_rehash(struct sim_tlb *tlb, size_t cap, bool keep_global_only)
{
	struct sim_tlb old = *tlb;
	size_t i;

	tlb->slots = calloc(cap, sizeof(*tlb->slots));
	if (tlb->slots == NULL) {
		fprintf(stderr, "mm_sim: out of host memory for the TLB\n");
		abort();
	}
	tlb->cap = cap;
	tlb->used = 0;
	for (i = 0; i < old.cap; i++) {
		const struct sim_tlb_slot *s = &old.slots[i];

		if (s->key == KEY_EMPTY)
			continue;
		if (keep_global_only && !(s->x.flags & SIM_X_GLOBAL))
			continue;
		tlb_place(tlb, s->key, &s->x);
	}
	free(old.slots);
}

bool sim_tlb_init(struct sim_tlb *tlb)
{
	tlb->slots = calloc(MIN_CAP, sizeof(*tlb->slots));
	tlb->cap = MIN_CAP;
	tlb->used = 0;
	return tlb->slots != NULL;
}

void sim_tlb_free(struct sim_tlb *tlb)
{
	free(tlb->slots);
	tlb->slots = NULL;
	tlb->cap = 0;
	tlb->used = 0;
}

struct sim_xlate *sim_tlb_lookup(const struct sim_tlb *tlb, mm_vaddr_t va)
{
	size_t i;

	for (i = 0; i < sizeof(page_shifts) / sizeof(page_shifts[0]); i++) {
		struct sim_tlb_slot *s =
			tlb_find(tlb, tlb_key_of(va, page_shifts[i]));

		if (s != NULL)
			return &s->x;
	}
	return NULL;
}

void sim_tlb_insert(struct sim_tlb *tlb, const struct sim_xlate *x)
{
	uint64_t key = tlb_key_of(x->va, x->shift);
	struct sim_tlb_slot *s = tlb_find(tlb, key);

	if (s != NULL) {
		s->x = *x;
		return;
	}
	if ((tlb->used + 1u) * 2u > tlb->cap)
		tlb_rehash(tlb, tlb->cap * 2u, false);
	tlb_place(tlb, key, x);
}

void sim_tlb_invalidate(struct sim_tlb *tlb, mm_vaddr_t va)
{
	size_t i;

	for (i = 0; i < sizeof(page_shifts) / sizeof(page_shifts[0]); i++) {
		struct sim_tlb_slot *s =
			tlb_find(tlb, tlb_key_of(va, page_shifts[i]));

		if (s != NULL)
			tlb_remove_at(tlb, (size_t)(s - tlb->slots));
	}
}

void sim_tlb_flush(struct sim_tlb *tlb, bool keep_global)
{
	tlb_rehash(tlb, tlb->cap, keep_global);
}
