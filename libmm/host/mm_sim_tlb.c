/*
 * The simulator's TLB model: an open-addressing hash table of translations
 * keyed by page base and size, with deleted markers, grown or cleaned when
 * three quarters full. Unlike a hardware TLB it never evicts: keeping every
 * translation until it is invalidated is the most hostile legal behaviour,
 * so a missing invalidation always shows.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mm/pte.h"
#include "mm_sim_tlb.h"

#define KEY_EMPTY   0u
#define KEY_DELETED 1u
#define MIN_CAP	    256u

static const unsigned page_shifts[] = {MM_PT_SHIFT(0), MM_PT_SHIFT(1),
				       MM_PT_SHIFT(2)};

static uint64_t key_of(mm_vaddr_t va, unsigned shift)
{
	return (va & ~(((uint64_t)1 << shift) - 1u)) | shift;
}

static size_t hash(uint64_t key, size_t cap)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1u);
}

/* Slot holding key, or NULL. */
static struct sim_tlb_slot *find(const struct sim_tlb *tlb, uint64_t key)
{
	size_t i = hash(key, tlb->cap);

	while (tlb->slots[i].key != KEY_EMPTY) {
		if (tlb->slots[i].key == key)
			return &tlb->slots[i];
		i = (i + 1u) & (tlb->cap - 1u);
	}
	return NULL;
}

/* Insert into a table known to have an empty slot and no entry for key. */
static void place(struct sim_tlb *tlb, uint64_t key, const struct sim_xlate *x)
{
	size_t i = hash(key, tlb->cap);

	while (tlb->slots[i].key > KEY_DELETED)
		i = (i + 1u) & (tlb->cap - 1u);
	if (tlb->slots[i].key == KEY_DELETED)
		tlb->deleted--;
	tlb->slots[i].key = key;
	tlb->slots[i].x = *x;
	tlb->used++;
}

static void rehash(struct sim_tlb *tlb, size_t cap)
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
	tlb->deleted = 0;
	for (i = 0; i < old.cap; i++) {
		if (old.slots[i].key > KEY_DELETED)
			place(tlb, old.slots[i].key, &old.slots[i].x);
	}
	free(old.slots);
}

bool sim_tlb_init(struct sim_tlb *tlb)
{
	tlb->slots = calloc(MIN_CAP, sizeof(*tlb->slots));
	tlb->cap = MIN_CAP;
	tlb->used = 0;
	tlb->deleted = 0;
	return tlb->slots != NULL;
}

void sim_tlb_free(struct sim_tlb *tlb)
{
	free(tlb->slots);
	tlb->slots = NULL;
	tlb->cap = 0;
}

const struct sim_xlate *sim_tlb_lookup(const struct sim_tlb *tlb, mm_vaddr_t va)
{
	size_t i;

	for (i = 0; i < sizeof(page_shifts) / sizeof(page_shifts[0]); i++) {
		struct sim_tlb_slot *s = find(tlb, key_of(va, page_shifts[i]));

		if (s != NULL)
			return &s->x;
	}
	return NULL;
}

void sim_tlb_insert(struct sim_tlb *tlb, const struct sim_xlate *x)
{
	uint64_t key = key_of(x->va, x->shift);
	struct sim_tlb_slot *s = find(tlb, key);

	if (s != NULL) {
		s->x = *x;
		return;
	}
	if ((tlb->used + tlb->deleted + 1u) * 4u > tlb->cap * 3u) {
		size_t cap = tlb->cap;

		while ((tlb->used + 1u) * 2u > cap)
			cap *= 2u;
		rehash(tlb, cap);
	}
	place(tlb, key, x);
}

void sim_tlb_invalidate(struct sim_tlb *tlb, mm_vaddr_t va)
{
	size_t i;

	for (i = 0; i < sizeof(page_shifts) / sizeof(page_shifts[0]); i++) {
		struct sim_tlb_slot *s = find(tlb, key_of(va, page_shifts[i]));

		if (s == NULL)
			continue;
		s->key = KEY_DELETED;
		tlb->used--;
		tlb->deleted++;
	}
}

void sim_tlb_flush(struct sim_tlb *tlb, bool keep_global)
{
	size_t i;

	for (i = 0; i < tlb->cap; i++) {
		struct sim_tlb_slot *s = &tlb->slots[i];

		if (s->key <= KEY_DELETED)
			continue;
		if (keep_global && (s->x.flags & SIM_X_GLOBAL))
			continue;
		s->key = KEY_DELETED;
		tlb->used--;
		tlb->deleted++;
	}
	if (tlb->used == 0) {
		for (i = 0; i < tlb->cap; i++)
			tlb->slots[i].key = KEY_EMPTY;
		tlb->deleted = 0;
	}
}
