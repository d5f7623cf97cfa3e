/*
 * The reference model of mm/exo.h (exo_ref.h): the rules of docs/MEMORY.md
 * as this project decided them, written again from the model's side, over
 * a fixed universe of entries and the frames of a small machine.
 */
#include "exo_ref.h"

#include <stdlib.h>

#include "mm/pte.h"

#define EXO_REF_FREE  0u
#define EXO_REF_HELD  1u /* mapped by an entry of the universe */
#define EXO_REF_OTHER 2u /* reserved, allocated elsewhere, beyond RAM */

#define REF_EXPECT(ref, got, want)                                             \
	ref_expect((ref), #got, (uint64_t)(got), (uint64_t)(want))

/* The universe: PML4 slots, then both ends of each table below. */
static const unsigned ref_l3[] = {1, 2, 254};
static const unsigned ref_l2[] = {0, 511};
static const unsigned ref_l1[] = {0, 511};
static const unsigned ref_l0[] = {0, 1, 2, 511};

#define L3N 3u
#define L2N 2u
#define L1N 2u
#define L0N 4u
#define ID2 L3N			    /* first level-2 node */
#define ID1 (ID2 + L3N * L2N)	    /* first level-1 node */
#define ID0 (ID1 + L3N * L2N * L1N) /* first leaf */

static void ref_expect(const struct exo_ref *ref, const char *what,
		       uint64_t got, uint64_t want)
{
	if (got != want)
		ref->fail(ref->ctx, what, got, want);
}

/* Geometry of the universe. */

static unsigned ref_level(unsigned id)
{
	return id < ID2 ? 3u : id < ID1 ? 2u : id < ID0 ? 1u : 0u;
}

/* The position of id among the nodes of its level. */
static unsigned ref_pos(unsigned id)
{
	static const unsigned first[] = {ID0, ID1, ID2, 0};

	return id - first[ref_level(id)];
}

static mm_vaddr_t ref_va(unsigned id)
{
	unsigned level = ref_level(id), pos = ref_pos(id);
	mm_vaddr_t va = 0;

	if (level == 0) {
		va |= (mm_vaddr_t)ref_l0[pos % L0N] << 12;
		pos /= L0N;
	}
	if (level <= 1) {
		va |= (mm_vaddr_t)ref_l1[pos % L1N] << 21;
		pos /= L1N;
	}
	if (level <= 2) {
		va |= (mm_vaddr_t)ref_l2[pos % L2N] << 30;
		pos /= L2N;
	}
	return va | (mm_vaddr_t)ref_l3[pos] << 39;
}

/* The node whose table holds id's entry; only for levels < 3. */
static unsigned ref_parent(unsigned id)
{
	static const unsigned first[] = {ID0, ID1, ID2, 0};
	static const unsigned fan[] = {L0N, L1N, L2N};
	unsigned level = ref_level(id);

	return first[level + 1u] + ref_pos(id) / fan[level];
}

static unsigned ref_children(const struct exo_ref *ref, unsigned id)
{
	unsigned c, n = 0;

	for (c = ID2; c < EXO_REF_NODES; c++) {
		if (ref_level(c) + 1u == ref_level(id) && ref_parent(c) == id &&
		    ref->node[c].present)
			n++;
	}
	return n;
}

/* The rules. */

/* id's table exists and is owned: every node above present, not granted. */
static bool ref_owned(const struct exo_ref *ref, unsigned id)
{
	while (ref_level(id) < 3u) {
		id = ref_parent(id);
		if (!ref->node[id].present || ref->node[id].granted)
			return false;
	}
	return true;
}

static bool ref_flags_ok(const struct exo_ref *ref, uint64_t flags,
			 unsigned level)
{
	uint64_t user = (uint64_t)0xFF << 16;
	uint64_t known =
		MM_EXO_PRESENT | MM_EXO_READONLY | MM_EXO_NOEXEC | user;

	if ((flags & ~known) || !(flags & MM_EXO_PRESENT))
		return false;
	if (level > 0 && (flags & (MM_EXO_READONLY | user)))
		return false;
	return !(flags & MM_EXO_NOEXEC) || (ref->features & MM_SIM_NX);
}

/* The entry the model expects for id. */
static mm_pte_t ref_pte(const struct exo_ref *ref, unsigned id)
{
	const struct exo_ref_node *n = &ref->node[id];
	mm_pte_t pte = MM_PTE_PRESENT | MM_PTE_USER | n->pa;
	unsigned b;

	if (!n->present)
		return 0;
	if (!(n->flags & MM_EXO_READONLY))
		pte |= MM_PTE_WRITE;
	if (n->flags & MM_EXO_NOEXEC)
		pte |= MM_PTE_NX;
	for (b = 0; b < 8; b++) {
		if (n->flags & ((uint64_t)1 << (16 + b)))
			pte |= (mm_pte_t)1 << (b == 0 ? 11 : 51 + b);
	}
	if (n->granted)
		pte |= MM_PTE_GRANT;
	if (ref_level(id) > 0)
		pte |= (mm_pte_t)ref_children(ref, id) << 52;
	return pte;
}

/* The machine's side. */

/* The entry for id from physical memory (0 when its table is missing). */
static mm_pte_t ref_real_pte(const struct exo_ref *ref, unsigned id)
{
	mm_paddr_t table = mm_sim_cr3(ref->sim);
	mm_vaddr_t va = ref_va(id);
	unsigned l;

	for (l = 3;; l--) {
		mm_pte_t e = mm_sim_phys_read64(
			ref->sim, table + MM_PT_INDEX(l, va) * MM_PTE_SIZE);

		if (l == ref_level(id))
			return e;
		if (!(e & MM_PTE_PRESENT))
			return 0;
		table = MM_PTE_ADDR(e);
	}
}

static mm_paddr_t ref_entry_pa(const struct exo_ref *ref, unsigned id)
{
	mm_paddr_t table = mm_sim_cr3(ref->sim);
	mm_vaddr_t va = ref_va(id);
	unsigned l;

	for (l = 3; l > ref_level(id); l--)
		table = MM_PTE_ADDR(mm_sim_phys_read64(
			ref->sim, table + MM_PT_INDEX(l, va) * MM_PTE_SIZE));
	return table + MM_PT_INDEX(ref_level(id), va) * MM_PTE_SIZE;
}

static bool ref_page_zero(const struct exo_ref *ref, mm_paddr_t pa)
{
	uint64_t off;

	for (off = 0; off < MM_FRAME_SIZE; off += 8) {
		if (mm_sim_phys_read64(ref->sim, pa + off) != 0)
			return false;
	}
	return true;
}

/* User read / write / exec of leaf id against the model. */
static void ref_check_access(struct exo_ref *ref, unsigned id)
{
	mm_vaddr_t va = ref_va(id) + 8;
	bool mapped = true, nx = false;
	const struct exo_ref_node *n = &ref->node[id];
	mm_paddr_t pa = 0;
	unsigned a;

	for (a = id;; a = ref_parent(a)) {
		mapped = mapped && ref->node[a].present;
		nx = nx || (ref->node[a].flags & MM_EXO_NOEXEC);
		if (ref_level(a) == 3)
			break;
	}
	REF_EXPECT(ref,
		   mm_sim_access(ref->sim, va, MM_SIM_READ | MM_SIM_USER, &pa),
		   mapped ? MM_OK : MM_ERR_NOT_MAPPED);
	if (!mapped)
		return;
	REF_EXPECT(ref, pa, n->pa + 8);
	REF_EXPECT(ref, mm_sim_phys_read64(ref->sim, n->pa), n->token);
	REF_EXPECT(
		ref,
		mm_sim_access(ref->sim, va, MM_SIM_WRITE | MM_SIM_USER, NULL),
		(n->flags & MM_EXO_READONLY) ? MM_ERR_INVALID : MM_OK);
	REF_EXPECT(ref,
		   mm_sim_access(ref->sim, va, MM_SIM_EXEC | MM_SIM_USER, NULL),
		   nx ? MM_ERR_INVALID : MM_OK);
}

/* id's entry, its parent's (the count) and, for a leaf, user access. */
static void ref_check_node(struct exo_ref *ref, unsigned id)
{
	REF_EXPECT(ref, ref_real_pte(ref, id), ref_pte(ref, id));
	if (ref_level(id) < 3)
		REF_EXPECT(ref, ref_real_pte(ref, ref_parent(id)),
			   ref_pte(ref, ref_parent(id)));
	if (ref_level(id) == 0)
		ref_check_access(ref, id);
}

static void ref_check_frame(struct exo_ref *ref, mm_pfn_t pfn)
{
	if (pfn >= EXO_REF_FRAMES)
		return;
	REF_EXPECT(ref, mm_frame_is_free(mm_sim_frames(ref->sim), pfn),
		   ref->frame[pfn] == EXO_REF_FREE);
}

/* Init, teardown. */

bool exo_ref_init(struct exo_ref *ref, uint32_t features, exo_ref_fail_fn fail,
		  void *ctx)
{
	struct mm_frames *fa;
	mm_pfn_t zero, pfn;

	*ref = (struct exo_ref){.features = features, .fail = fail, .ctx = ctx};
	ref->sim = mm_sim_create(EXO_REF_RAM, features);
	if (ref->sim == NULL)
		return false;
	fa = mm_sim_frames(ref->sim);
	if (mm_frame_alloc(fa, &zero) != MM_OK ||
	    mm_exo_init(&ref->exo, mm_sim_vm(ref->sim), zero) != MM_OK) {
		mm_sim_destroy(ref->sim);
		return false;
	}
	mm_sim_set_strict(ref->sim, true);
	for (pfn = 0; pfn < EXO_REF_FRAMES; pfn++) {
		bool is_free = mm_frame_is_free(fa, pfn);

		ref->frame[pfn] = is_free ? EXO_REF_FREE : EXO_REF_OTHER;
		ref->free_frames += is_free;
	}
	return true;
}

void exo_ref_fini(struct exo_ref *ref)
{
	mm_sim_destroy(ref->sim);
	ref->sim = NULL;
}

/* Choosing a call. */

/* Malformed entries: refused whatever the tables hold. */
static mm_vaddr_t ref_bad_entry(uint64_t r)
{
	mm_vaddr_t kernel = 0xFFFF800000000000ull + ((r >> 8) & 0xFF) * 4096;
	unsigned level = (unsigned)(r >> 4) & 3u;

	switch (r % 7u) {
	case 0:
		return MM_PTE_VA(level, ref_va(ID0)) + 1u + (r >> 16) % 7u;
	case 1:
		return MM_PTE_VA(level, kernel);
	case 2:
		return MM_PTE_VA(3, MM_WINDOW_START); /* PML4[510] */
	case 3:
		return MM_PTE_VA(level, 0x00007F8000000000ull); /* bitmap */
	case 4:
		return MM_PTE_VA(0, (r >> 16) % 16u * 4096u); /* < VA_MIN */
	case 5:
		return ref_va(ID0 + (unsigned)(r >> 16) % 48u); /* a user va */
	default:
		return MM_WINDOW_END + ((r >> 16) & 0xFFF) * 8u;
	}
}

/* What a call wants of its entry, so that most calls can succeed. */
enum ref_want {
	WANT_TARGET,
	WANT_LEAF_TARGET,
	WANT_SOURCE,
	WANT_LEAF_SOURCE,
	WANT_PRESENT
};

static bool ref_target_ok(const struct exo_ref *ref, unsigned id);
static bool ref_source_ok(const struct exo_ref *ref, unsigned id);

static bool ref_fits(const struct exo_ref *ref, unsigned id, enum ref_want want)
{
	bool leaf = ref_level(id) == 0;

	switch (want) {
	case WANT_TARGET:
		return ref_target_ok(ref, id);
	case WANT_LEAF_TARGET:
		return leaf && ref_target_ok(ref, id);
	case WANT_SOURCE:
		return ref_source_ok(ref, id);
	case WANT_LEAF_SOURCE:
		return leaf && ref_source_ok(ref, id);
	default:
		return ref->node[id].present;
	}
}

/*
 * An entry: 1 in 16 a malformed one (*id = EXO_REF_NODES), 1 in 4 any
 * node of the universe (leaves and tables about equally often), else the
 * first node from a random start that the call can use, if any.
 */
static mm_vaddr_t ref_pick_entry(const struct exo_ref *ref, uint64_t r,
				 enum ref_want want, unsigned *id)
{
	unsigned start = (unsigned)((r >> 6) % EXO_REF_NODES), i;

	if ((r & 15u) == 0) {
		*id = EXO_REF_NODES;
		return ref_bad_entry(r >> 4);
	}
	*id = (r >> 4) & 1u ? ID0 + (unsigned)((r >> 6) % (L3N * 16u))
			    : (unsigned)((r >> 6) % ID0);
	for (i = 0; (r & 48u) != 0 && i < EXO_REF_NODES; i++) {
		unsigned c = (start + i) % EXO_REF_NODES;

		if (ref_fits(ref, c, want)) {
			*id = c;
			break;
		}
	}
	return MM_PTE_VA(ref_level(*id), ref_va(*id));
}

/* Flags for an entry of `level`: mostly valid, sometimes not. */
static uint64_t ref_pick_flags(uint64_t r, unsigned level)
{
	uint64_t f = MM_EXO_PRESENT;
	unsigned bad;

	if (r & 1u)
		f |= MM_EXO_READONLY;
	if (r & 2u)
		f |= MM_EXO_NOEXEC;
	if (r & 4u)
		f |= ((r >> 8) & 0xFF) << 16;
	if (level > 0 && (r & 0x30u) != 0)
		f &= ~(MM_EXO_READONLY | ((uint64_t)0xFF << 16));
	switch ((r >> 16) & 15u) {
	case 0:
		return f & ~MM_EXO_PRESENT;
	case 1:
		bad = 3u + (unsigned)((r >> 20) % 53u); /* 3..15, 24..63 */
		return f | (uint64_t)1 << (bad < 16u ? bad : bad + 8u);
	default:
		return f;
	}
}

/* A physical address: mostly a frame the model calls free. */
static uint64_t ref_pick_phys(const struct exo_ref *ref, uint64_t r)
{
	mm_pfn_t pfn = (r >> 8) % EXO_REF_FRAMES;
	unsigned i;

	switch (r & 15u) {
	case 0:
		return MM_PFN_TO_PADDR(pfn) + 8u; /* misaligned */
	case 1:
		return MM_PHYS_LIMIT + MM_PFN_TO_PADDR(pfn);
	case 2:
	case 3:
		return MM_PFN_TO_PADDR(pfn);
	default:
		for (i = 0; i < EXO_REF_FRAMES; i++) {
			if (ref->frame[(pfn + i) % EXO_REF_FRAMES] ==
			    EXO_REF_FREE)
				return MM_PFN_TO_PADDR((pfn + i) %
						       EXO_REF_FRAMES);
		}
		return MM_PFN_TO_PADDR(pfn);
	}
}

/* The model's side of each call: predict, and update when it succeeds. */

static bool ref_target_ok(const struct exo_ref *ref, unsigned id)
{
	return id < EXO_REF_NODES && ref_owned(ref, id) &&
	       !ref->node[id].present;
}

static bool ref_source_ok(const struct exo_ref *ref, unsigned id)
{
	return id < EXO_REF_NODES && ref_owned(ref, id) &&
	       ref->node[id].present && !ref->node[id].granted;
}

static bool ref_frame_free(const struct exo_ref *ref, uint64_t phys)
{
	if ((phys & 0xFFFu) || phys >= MM_PHYS_LIMIT)
		return false;
	return (phys >> 12) < EXO_REF_FRAMES &&
	       ref->frame[phys >> 12] == EXO_REF_FREE;
}

static unsigned ref_alloc(struct exo_ref *ref, uint64_t phys, unsigned id,
			  uint64_t flags, unsigned *inval)
{
	if (!ref_target_ok(ref, id))
		return MM_EXO_INVALID_TARGET;
	if (!ref_flags_ok(ref, flags, ref_level(id)))
		return MM_EXO_INVALID_FLAGS;
	if (!ref_frame_free(ref, phys))
		return MM_EXO_NOT_FREE;
	ref->node[id] = (struct exo_ref_node){true, false, phys, flags, 0};
	ref->frame[phys >> 12] = EXO_REF_HELD;
	ref->free_frames--;
	*inval = 1;
	return MM_EXO_SUCCESS;
}

static unsigned ref_remap(struct exo_ref *ref, unsigned src, unsigned dst,
			  unsigned *inval)
{
	if (!ref_source_ok(ref, src) || ref_level(src) != 0)
		return MM_EXO_INVALID_SOURCE;
	if (src == dst)
		return MM_EXO_SUCCESS;
	if (!ref_target_ok(ref, dst) || ref_level(dst) != 0)
		return MM_EXO_INVALID_TARGET;
	ref->node[dst] = ref->node[src];
	ref->node[src] = (struct exo_ref_node){0};
	*inval = 1;
	return MM_EXO_SUCCESS;
}

static unsigned ref_chmod(struct exo_ref *ref, unsigned id, uint64_t flags,
			  unsigned *inval)
{
	struct exo_ref_node *n = &ref->node[id];

	if (!ref_source_ok(ref, id))
		return MM_EXO_INVALID_SOURCE;
	if (!ref_flags_ok(ref, flags, ref_level(id)) ||
	    (n->pa == ref->exo.zero_pfn << 12 && !(flags & MM_EXO_READONLY)))
		return MM_EXO_INVALID_FLAGS;
	if (flags == n->flags)
		return MM_EXO_SUCCESS;
	if (ref_level(id) > 0 && ref_children(ref, id) > 0)
		return MM_EXO_NOT_EMPTY;
	n->flags = flags;
	*inval = 1;
	return MM_EXO_SUCCESS;
}

static unsigned ref_unmap(struct exo_ref *ref, unsigned id, unsigned *inval)
{
	struct exo_ref_node *n = &ref->node[id];

	if (!ref_source_ok(ref, id))
		return MM_EXO_INVALID_SOURCE;
	if (ref_level(id) > 0 && ref_children(ref, id) > 0)
		return MM_EXO_NOT_EMPTY;
	if (n->pa != ref->exo.zero_pfn << 12) {
		ref->frame[n->pa >> 12] = EXO_REF_FREE;
		ref->free_frames++;
	}
	*n = (struct exo_ref_node){0};
	*inval = 1;
	return MM_EXO_SUCCESS;
}

static unsigned ref_zero(struct exo_ref *ref, unsigned id, uint64_t flags)
{
	if (!ref_target_ok(ref, id) || ref_level(id) != 0)
		return MM_EXO_INVALID_TARGET;
	if (!ref_flags_ok(ref, flags, 0) || !(flags & MM_EXO_READONLY))
		return MM_EXO_INVALID_FLAGS;
	ref->node[id] = (struct exo_ref_node){
		true, false, ref->exo.zero_pfn << 12, flags, 0};
	return MM_EXO_SUCCESS;
}

/*
 * Clear GRANT on a present entry, or set it when set is true, behind
 * libmm's back (as issue 14's GRANT_RESOURCE will write it).
 */
static void ref_grant(struct exo_ref *ref, unsigned id, bool set)
{
	struct exo_ref_node *n = &ref->node[id];
	mm_paddr_t at;

	if (id >= EXO_REF_NODES || !n->present || (!n->granted && !set))
		return;
	at = ref_entry_pa(ref, id);
	mm_sim_phys_write64(ref->sim, at,
			    mm_sim_phys_read64(ref->sim, at) ^ MM_PTE_GRANT);
	n->granted = !n->granted;
}

/* One step. */

struct ref_call {
	unsigned op, id, id2;
	mm_vaddr_t entry, target;
	uint64_t flags, phys;
};

static unsigned ref_predict(struct exo_ref *ref, const struct ref_call *c,
			    unsigned *inval)
{
	switch (c->op) {
	case EXO_OP_ALLOC:
		return ref_alloc(ref, c->phys, c->id, c->flags, inval);
	case EXO_OP_REMAP:
		return ref_remap(ref, c->id, c->id2, inval);
	case EXO_OP_CHMOD:
		return ref_chmod(ref, c->id, c->flags, inval);
	case EXO_OP_UNMAP:
		return ref_unmap(ref, c->id, inval);
	default:
		return ref_zero(ref, c->id, c->flags);
	}
}

static unsigned ref_run(struct exo_ref *ref, const struct ref_call *c)
{
	struct mm_exo *x = &ref->exo;

	switch (c->op) {
	case EXO_OP_ALLOC:
		return mm_exo_alloc_page(x, c->phys, c->entry, c->flags);
	case EXO_OP_REMAP:
		return mm_exo_remap_page(x, c->entry, c->target);
	case EXO_OP_CHMOD:
		return mm_exo_chmod_page(x, c->entry, c->flags);
	case EXO_OP_UNMAP:
		return mm_exo_unmap_page(x, c->entry);
	default:
		return mm_exo_map_zero(x, c->entry, c->flags);
	}
}

static void ref_choose(const struct exo_ref *ref, uint64_t a, uint64_t b,
		       struct ref_call *c)
{
	static const unsigned ops[16] = {
		EXO_OP_ALLOC, EXO_OP_ALLOC, EXO_OP_ALLOC, EXO_OP_ALLOC,
		EXO_OP_ALLOC, EXO_OP_REMAP, EXO_OP_REMAP, EXO_OP_CHMOD,
		EXO_OP_CHMOD, EXO_OP_UNMAP, EXO_OP_UNMAP, EXO_OP_UNMAP,
		EXO_OP_UNMAP, EXO_OP_ZERO,  EXO_OP_ZERO,  EXO_OP_GRANT};
	static const enum ref_want want[EXO_OP_COUNT] = {
		[EXO_OP_ALLOC] = WANT_TARGET,
		[EXO_OP_REMAP] = WANT_LEAF_SOURCE,
		[EXO_OP_CHMOD] = WANT_SOURCE,
		[EXO_OP_UNMAP] = WANT_SOURCE,
		[EXO_OP_ZERO] = WANT_LEAF_TARGET,
		[EXO_OP_GRANT] = WANT_PRESENT};

	c->op = ops[a & 15u];
	c->entry = ref_pick_entry(ref, a >> 4, want[c->op], &c->id);
	c->id2 = c->id;
	c->target = c->entry;
	if ((b >> 62) != 0)
		c->target = ref_pick_entry(ref, b, WANT_LEAF_TARGET, &c->id2);
	c->flags = ref_pick_flags(a >> 24,
				  c->id < EXO_REF_NODES ? ref_level(c->id) : 0);
	c->phys = ref_pick_phys(ref, b >> 12);
}

/* After a successful call: data page zeroed and tagged, or table zero. */
static void ref_after_alloc(struct exo_ref *ref, const struct ref_call *c)
{
	struct exo_ref_node *n = &ref->node[c->id];

	if (ref_level(c->id) > 0) {
		REF_EXPECT(ref, ref_page_zero(ref, n->pa), true);
		return;
	}
	REF_EXPECT(ref, ref_page_zero(ref, n->pa), true);
	n->token = ref->steps | (uint64_t)1 << 62;
	mm_sim_phys_write64(ref->sim, n->pa, n->token);
}

void exo_ref_step(struct exo_ref *ref, uint64_t a, uint64_t b)
{
	struct mm_sim_stats before, after;
	struct ref_call c;
	unsigned want, got, inval = 0;

	ref->steps++;
	ref_choose(ref, a, b, &c);
	if (c.op == EXO_OP_GRANT) {
		ref_grant(ref, c.id, (b & 3u) == 0); /* set 1 in 4 */
		return;
	}
	want = ref_predict(ref, &c, &inval);
	mm_sim_stats(ref->sim, &before);
	got = ref_run(ref, &c);
	mm_sim_stats(ref->sim, &after);
	REF_EXPECT(ref, got, want);
	REF_EXPECT(ref, after.invlpg - before.invlpg, inval);
	REF_EXPECT(ref, after.full_flush, before.full_flush);
	ref->tally[c.op][got < EXO_REF_CODES ? got : 0]++;
	if (got == MM_EXO_SUCCESS && c.op == EXO_OP_ALLOC)
		ref_after_alloc(ref, &c);
	if (c.phys < MM_PHYS_LIMIT)
		ref_check_frame(ref, c.phys >> 12);
	if (c.id < EXO_REF_NODES)
		ref_check_node(ref, c.id);
	if (c.id2 < EXO_REF_NODES)
		ref_check_node(ref, c.id2);
}

void exo_ref_check_all(struct exo_ref *ref)
{
	struct mm_frame_stats fs;
	mm_pfn_t pfn;
	unsigned id;

	for (id = 0; id < EXO_REF_NODES; id++)
		ref_check_node(ref, id);
	for (pfn = 0; pfn < EXO_REF_FRAMES; pfn++)
		ref_check_frame(ref, pfn);
	mm_frame_stats(mm_sim_frames(ref->sim), &fs);
	REF_EXPECT(ref, fs.free_frames, ref->free_frames);
	REF_EXPECT(ref, mm_frame_check(mm_sim_frames(ref->sim)), MM_OK);
	REF_EXPECT(ref, mm_vm_check(mm_sim_vm(ref->sim)), MM_OK);
}

void exo_ref_drain(struct exo_ref *ref)
{
	unsigned id, level;

	for (id = 0; id < EXO_REF_NODES; id++) {
		if (ref->node[id].granted)
			ref_grant(ref, id, false);
	}
	for (level = 0; level < 4; level++) {
		for (id = 0; id < EXO_REF_NODES; id++) {
			unsigned inval = 0;

			if (ref_level(id) != level || !ref->node[id].present)
				continue;
			REF_EXPECT(ref, ref_unmap(ref, id, &inval),
				   MM_EXO_SUCCESS);
			REF_EXPECT(
				ref,
				mm_exo_unmap_page(&ref->exo,
						  MM_PTE_VA(level, ref_va(id))),
				MM_EXO_SUCCESS);
		}
	}
	for (id = 0; id < EXO_REF_FRAMES; id++)
		REF_EXPECT(ref, ref->frame[id] == EXO_REF_HELD, false);
	exo_ref_check_all(ref);
}
