/*
 * The reference model of mm/exo_proc.h (proc_ref.h): the model's rules,
 * the calls they predict, and the checks through simulated user accesses.
 */
#include <stdlib.h>
#include <string.h>

#include "mm/pte.h"
#include "proc_ref.h"

#define SLOT_VA(s) ((mm_vaddr_t)(s) << MM_PT_SHIFT(MM_PT_TOP))
#define ENT(l, va) ((mm_vaddr_t)MM_PTE_VA(l, va))
#define FORGED	   0xFFFFFD8000123000ull
#define UPC	   0x400000ull

enum {
	OP_SWITCH,
	OP_APROC,
	OP_FREE,
	OP_KILL,
	OP_UPCALL,
	OP_YIELD,
	OP_ARES,
	OP_FILL,
	OP_EMPTY,
	OP_UNROOT,
	OP_GRANT,
	OP_REVOKE,
	OP_CHOWN,
	OP_PLAIN,
	OP_UNPLAIN,
	OP_WRITE,
	OP_N
};

static void expect(struct pref *m, const char *what, uint64_t got,
		   uint64_t want)
{
	if (got != want)
		m->fail(m->ctx, what, got, want);
}

/* Frames and ids. */

/* A free frame (c < 0x80) or one that is not (frame 1: init's PML4). */
static uint64_t pref_frame(struct pref *m, uint8_t c)
{
	uint64_t n = PREF_RAM >> MM_PAGE_SHIFT;

	if (c & 0x80)
		return MM_SIM_PML4_PA;
	while (!mm_frame_is_free(mm_sim_frames(m->sim), m->next_frame))
		m->next_frame =
			m->next_frame + 1u < n ? m->next_frame + 1u : 256u;
	return MM_PFN_TO_PADDR(m->next_frame);
}

static int pref_by_pid(const struct pref *m, uint64_t pid)
{
	unsigned i;

	for (i = 0; i < PREF_PROCS; i++) {
		if (m->p[i].alive && m->p[i].pid == pid)
			return (int)i;
	}
	return -1;
}

static int pref_by_rid(const struct pref *m, uint64_t rid)
{
	unsigned i;

	for (i = 0; i < PREF_RES; i++) {
		if (m->r[i].alive && m->r[i].rid == rid)
			return (int)i;
	}
	return -1;
}

/* The id of model process i: live, stale (maybe reused) or forged. */
static uint64_t pref_pid(const struct pref *m, unsigned i)
{
	return m->p[i].pid != 0 ? m->p[i].pid : FORGED;
}

static uint64_t pref_rid(const struct pref *m, unsigned i)
{
	return m->r[i].rid != 0 ? m->r[i].rid : FORGED;
}

static int pref_free_proc(const struct pref *m)
{
	unsigned i;

	for (i = 1; i < PREF_PROCS; i++) {
		if (!m->p[i].alive)
			return (int)i;
	}
	return -1;
}

static int pref_free_res(const struct pref *m)
{
	unsigned i;

	for (i = 0; i < PREF_RES; i++) {
		if (!m->r[i].alive)
			return (int)i;
	}
	return -1;
}

/* Frames the model's objects hold (init's PML4 is not the allocator's). */
static uint64_t pref_held(const struct pref *m)
{
	uint64_t n = 0;
	unsigned i, s;

	for (i = 0; i < PREF_PROCS; i++) {
		n += (m->p[i].alive && i != 0) ? 1u : 0u;
		for (s = 1; m->p[i].alive && s <= PREF_SLOTS; s++)
			n += m->p[i].kind[s] == PREF_PLAIN ? 4u : 0u;
	}
	for (i = 0; i < PREF_RES; i++)
		n += m->r[i].alive ? (m->r[i].has_page ? 4u : 1u) : 0u;
	return n;
}

/* The model's teardown. */

static void pref_res_gone(struct pref *m, int r)
{
	m->r[r].alive = false;
	m->records--;
}

static void pref_destroy_proc(struct pref *m, int t)
{
	struct pref_proc *p = &m->p[t];
	unsigned s;

	for (s = 1; s <= PREF_SLOTS; s++) {
		struct pref_res *r = &m->r[p->obj[s]];

		if (p->kind[s] == PREF_LINK)
			pref_destroy_proc(m, p->obj[s]);
		else if (p->kind[s] == PREF_OWN && r->refs > 0)
			r->orphan = true;
		else if (p->kind[s] == PREF_OWN)
			pref_res_gone(m, p->obj[s]);
		else if (p->kind[s] == PREF_GRANT && --r->refs == 0 &&
			 r->orphan)
			pref_res_gone(m, p->obj[s]);
		p->kind[s] = PREF_EMPTY;
	}
	p->alive = false;
	m->records--;
}

static bool pref_above(const struct pref *m, int t, int below)
{
	for (; below >= 0; below = m->p[below].parent) {
		if (below == t)
			return true;
	}
	return false;
}

/* Slot of process i holding `kind` (and object obj, if >= 0), from s on. */
static unsigned pref_find(const struct pref *m, int i, unsigned kind, int obj,
			  unsigned s)
{
	unsigned k;

	for (k = 0; k < PREF_SLOTS; k++) {
		unsigned t = 1u + (s - 1u + k) % PREF_SLOTS;

		if (m->p[i].kind[t] == kind &&
		    (obj < 0 || m->p[i].obj[t] == obj))
			return t;
	}
	return s;
}

/* A live process from index b on, or b itself (maybe dead). */
static unsigned pref_live(const struct pref *m, unsigned b)
{
	unsigned k;

	for (k = 0; k < PREF_PROCS; k++) {
		if (m->p[(b + k) % PREF_PROCS].alive)
			return (b + k) % PREF_PROCS;
	}
	return b;
}

/* A process holding a grant of resource r, or t. */
static int pref_holder(const struct pref *m, int r, int t)
{
	unsigned i;

	for (i = 1; i < PREF_PROCS; i++) {
		if (m->p[i].alive && (int)i != m->cur &&
		    m->p[i].kind[pref_find(m, (int)i, PREF_GRANT, r, 1)] ==
			    PREF_GRANT &&
		    m->p[i].obj[pref_find(m, (int)i, PREF_GRANT, r, 1)] == r)
			return (int)i;
	}
	return t;
}

/* Processes. */

static void pref_load(struct pref *m, int t)
{
	mm_paddr_t pa = 0;

	expect(m, "pid readable",
	       mm_sim_access(m->sim, m->p[t].pid, MM_SIM_READ, &pa), MM_OK);
	expect(m, "load cr3", mm_sim_load_cr3(m->sim, pa), MM_OK);
	m->cur = t;
}

/*
 * What ALLOC_PROCESS and ALLOC_RESOURCE must answer for slot s of the
 * current process and frame choice c, in the order the calls check.
 */
static unsigned pref_alloc_want(const struct pref *m,
				const struct pref_proc *cp, unsigned s,
				uint8_t c)
{
	if (cp->kind[s] != PREF_EMPTY)
		return MM_PROC_INVALID_TARGET;
	if (m->records == PREF_RECORDS)
		return MM_PROC_NO_ROOM;
	if (c & 0x80)
		return MM_PROC_NOT_FREE;
	return MM_PROC_SUCCESS;
}

static unsigned op_aproc(struct pref *m, unsigned s, uint8_t c)
{
	struct pref_proc *cp = &m->p[m->cur];
	int n = pref_free_proc(m);
	uint64_t pid = 0, pa = pref_frame(m, c);
	unsigned want = pref_alloc_want(m, cp, s, c), got;

	if (want == MM_PROC_SUCCESS && n < 0)
		return 8; /* the model is full: skipped */
	got = mm_proc_alloc_process(&m->proc, pa, ENT(3, SLOT_VA(s)), &pid);
	expect(m, "ALLOC_PROCESS", got, want);
	if (got != MM_PROC_SUCCESS)
		return got;
	m->p[n] = (struct pref_proc){
		.alive = true, .pid = pid, .parent = m->cur, .link = (int)s};
	cp->kind[s] = PREF_LINK;
	cp->obj[s] = n;
	m->records++;
	return got;
}

static unsigned op_free(struct pref *m, unsigned s, uint8_t b)
{
	uint64_t pid;

	if (b & 0x80) {
		s = pref_find(m, m->cur, PREF_LINK, -1, s);
		if (m->p[m->cur].kind[s] == PREF_LINK && (b & 0x40))
			b = (uint8_t)m->p[m->cur].obj[s];
	}
	pid = pref_pid(m, b % PREF_PROCS);
	int t = pref_by_pid(m, pid);
	struct pref_proc *cp = &m->p[m->cur];
	unsigned want = MM_PROC_INVALID_SOURCE, got;

	if (t >= 0 && cp->kind[s] == PREF_LINK && cp->obj[s] == t)
		want = MM_PROC_SUCCESS;
	got = mm_proc_free_process(&m->proc, pid, ENT(3, SLOT_VA(s)));
	expect(m, "FREE_PROCESS", got, want);
	if (got == MM_PROC_SUCCESS) {
		pref_destroy_proc(m, t);
		cp->kind[s] = PREF_EMPTY;
	}
	return got;
}

static unsigned op_kill(struct pref *m, uint8_t b)
{
	uint64_t pid = pref_pid(m, b % PREF_PROCS);
	int t = pref_by_pid(m, pid);
	unsigned want = MM_PROC_INVALID_TARGET, got;

	if (t > 0 && !pref_above(m, t, m->cur))
		want = MM_PROC_SUCCESS;
	got = mm_proc_kill(&m->proc, pid);
	expect(m, "kill", got, want);
	if (got == MM_PROC_SUCCESS) {
		m->p[m->p[t].parent].kind[m->p[t].link] = PREF_EMPTY;
		pref_destroy_proc(m, t);
	}
	return got;
}

static unsigned op_upcall(struct pref *m, uint8_t b, uint8_t c)
{
	static const mm_vaddr_t entries[4] = {UPC, 0, 0xFFFF800000000000ull,
					      0x1000};
	uint64_t pid = pref_pid(m, b % PREF_PROCS);
	int t = pref_by_pid(m, pid);
	unsigned which = c % 5u, want = MM_PROC_SUCCESS, got;
	mm_vaddr_t entry = entries[(c >> 3) % 4u];

	if (t < 0 || (t != m->cur && m->p[t].parent != m->cur))
		want = MM_PROC_INVALID_TARGET;
	else if (which == 0 || which > 3)
		want = MM_PROC_INVALID_FLAGS;
	else if (entry != 0 && entry != UPC)
		want = MM_PROC_INVALID_SOURCE;
	got = mm_proc_map_upcall(&m->proc, pid, which, entry);
	expect(m, "MAP_UPCALL", got, want);
	if (got == MM_PROC_SUCCESS && which == MM_UPCALL_YIELD)
		m->p[t].has_yield = entry != 0;
	return got;
}

static unsigned op_yield(struct pref *m, uint8_t b)
{
	uint64_t pid = pref_pid(m, b % PREF_PROCS);
	int t = pref_by_pid(m, pid);
	struct mm_proc_enter in = {0, 0, 0};
	unsigned want = MM_PROC_INVALID_TARGET, got;

	if (t >= 0 && m->p[t].has_yield)
		want = MM_PROC_SUCCESS;
	got = mm_proc_yield(&m->proc, pid, &in);
	expect(m, "YIELD_PROCESS", got, want);
	if (got != MM_PROC_SUCCESS)
		return got;
	expect(m, "YIELD arg", in.arg, m->p[m->cur].pid);
	expect(m, "YIELD entry", in.entry, UPC);
	expect(m, "YIELD cr3", mm_sim_load_cr3(m->sim, in.cr3), MM_OK);
	m->cur = t;
	return got;
}

/* Resources. */

static unsigned op_ares(struct pref *m, unsigned s, uint8_t c)
{
	struct pref_proc *cp = &m->p[m->cur];
	int n = pref_free_res(m);
	uint64_t rid = 0, pa = pref_frame(m, c);
	unsigned want = pref_alloc_want(m, cp, s, c), got;

	if (want == MM_PROC_SUCCESS && n < 0)
		return 8;
	got = mm_proc_alloc_resource(&m->proc, pa, ENT(3, SLOT_VA(s)), &rid);
	expect(m, "ALLOC_RESOURCE", got, want);
	if (got != MM_PROC_SUCCESS)
		return got;
	m->r[n] = (struct pref_res){.alive = true, .rid = rid};
	cp->kind[s] = PREF_OWN;
	cp->obj[s] = n;
	m->records++;
	return got;
}

/* Tables from level `from` down to a page at va, values v. */
static void pref_build(struct pref *m, mm_vaddr_t va, unsigned from, uint64_t v)
{
	unsigned l;

	for (l = from + 1u; l-- > 0;)
		expect(m, "ALLOC_PAGE",
		       mm_exo_alloc_page(&m->exo, pref_frame(m, 0), ENT(l, va),
					 MM_EXO_PRESENT),
		       MM_EXO_SUCCESS);
	expect(m, "write", mm_sim_write64(m->sim, va, v), MM_OK);
}

static void pref_unbuild(struct pref *m, mm_vaddr_t va, unsigned to)
{
	unsigned l;

	for (l = 0; l <= to; l++)
		expect(m, "UNMAP_PAGE", mm_exo_unmap_page(&m->exo, ENT(l, va)),
		       MM_EXO_SUCCESS);
}

static unsigned op_fill(struct pref *m, unsigned s, uint8_t c)
{
	struct pref_proc *cp = &m->p[m->cur];
	struct pref_res *r = &m->r[cp->obj[s]];
	mm_vaddr_t va = SLOT_VA(s);

	if (cp->kind[s] == PREF_OWN && !r->has_page) {
		r->value = 0x1000u + c;
		pref_build(m, va, 2, r->value);
		r->has_page = true;
		return 0;
	}
	expect(m, "ALLOC_PAGE in a slot",
	       mm_exo_alloc_page(&m->exo, pref_frame(m, 0), ENT(2, va),
				 MM_EXO_PRESENT),
	       MM_EXO_INVALID_TARGET);
	return MM_EXO_INVALID_TARGET;
}

static unsigned op_empty(struct pref *m, unsigned s)
{
	struct pref_proc *cp = &m->p[m->cur];
	struct pref_res *r = &m->r[cp->obj[s]];

	if (cp->kind[s] == PREF_PLAIN)
		return 8;
	if (cp->kind[s] == PREF_OWN && r->has_page) {
		pref_unbuild(m, SLOT_VA(s), 2);
		r->has_page = false;
		return 0;
	}
	expect(m, "UNMAP_PAGE in a slot",
	       mm_exo_unmap_page(&m->exo, ENT(0, SLOT_VA(s))),
	       MM_EXO_INVALID_SOURCE);
	return MM_EXO_INVALID_SOURCE;
}

static unsigned op_unroot(struct pref *m, unsigned s)
{
	struct pref_proc *cp = &m->p[m->cur];
	struct pref_res *r = &m->r[cp->obj[s]];
	unsigned want = MM_EXO_INVALID_SOURCE, got;

	if (cp->kind[s] == PREF_PLAIN ||
	    (cp->kind[s] == PREF_OWN && (r->has_page || r->refs > 0)))
		want = MM_EXO_NOT_EMPTY;
	else if (cp->kind[s] == PREF_OWN)
		want = MM_EXO_SUCCESS;
	got = mm_exo_unmap_page(&m->exo, ENT(3, SLOT_VA(s)));
	expect(m, "UNMAP_PAGE of a root", got, want);
	if (got == MM_EXO_SUCCESS) {
		pref_res_gone(m, cp->obj[s]);
		cp->kind[s] = PREF_EMPTY;
	}
	return got;
}

/* GRANT, REVOKE, CHOWN: the resource named, and whether the source holds. */
static int pref_source(const struct pref *m, unsigned s, uint8_t c,
		       uint64_t *rid)
{
	const struct pref_proc *cp = &m->p[m->cur];
	int r;

	if ((c & 1u) && (cp->kind[s] == PREF_OWN || cp->kind[s] == PREF_GRANT))
		*rid = m->r[cp->obj[s]].rid;
	else
		*rid = pref_rid(m, (c >> 1) % PREF_RES);
	r = pref_by_rid(m, *rid);
	if (r < 0 || cp->kind[s] != PREF_OWN || cp->obj[s] != r)
		return -1;
	return r;
}

static unsigned op_share(struct pref *m, unsigned op, unsigned s, uint8_t b,
			 uint8_t c)
{
	/* Never init as the target (see pref_call). */
	unsigned tb = 1u + b % (PREF_PROCS - 1u);

	if (c & 0x10)
		tb = pref_live(m, tb) == 0 ? tb : pref_live(m, tb);
	uint64_t rid, pid = pref_pid(m, tb);
	int r, t = pref_by_pid(m, pid);
	unsigned ts = 1u + (b >> 4) % PREF_SLOTS, want = MM_PROC_SUCCESS, got;

	if (c & 0x20) {
		s = pref_find(m, m->cur, PREF_OWN, -1, s);
		c |= 1u;
	}
	r = pref_source(m, s, c, &rid);
	if (op != OP_GRANT && r >= 0 && (c & 0x08))
		t = pref_holder(m, r, t);
	if (t >= 0 && (c & 0x08))
		ts = pref_find(m, t, op == OP_GRANT ? PREF_EMPTY : PREF_GRANT,
			       op == OP_GRANT ? -1 : r, ts);
	pid = t >= 0 ? m->p[t].pid : pid;
	uint64_t flags = MM_EXO_PRESENT | ((c & 0x40) ? MM_EXO_READONLY : 0);
	struct pref_proc *tp = t >= 0 ? &m->p[t] : NULL;
	bool granted =
		tp != NULL && tp->kind[ts] == PREF_GRANT && tp->obj[ts] == r;

	if (op == OP_GRANT && (c & 0x87) == 0x87)
		flags = MM_EXO_READONLY;
	if (r < 0)
		want = MM_PROC_INVALID_SOURCE;
	else if (op == OP_GRANT && !(flags & MM_EXO_PRESENT))
		want = MM_PROC_INVALID_FLAGS;
	else if (t < 0 || t == m->cur)
		want = MM_PROC_INVALID_TARGET;
	else if (op == OP_GRANT && tp->kind[ts] != PREF_EMPTY)
		want = MM_PROC_INVALID_TARGET;
	else if (op != OP_GRANT && !granted)
		want = MM_PROC_INVALID_TARGET;
	else if (op == OP_CHOWN && m->r[r].refs != 1)
		want = MM_PROC_INVALID_TARGET;
	if (op == OP_GRANT)
		got = mm_proc_grant(&m->proc, rid, ENT(3, SLOT_VA(s)), pid,
				    ENT(3, SLOT_VA(ts)), flags);
	else if (op == OP_REVOKE)
		got = mm_proc_revoke(&m->proc, rid, ENT(3, SLOT_VA(s)), pid,
				     ENT(3, SLOT_VA(ts)));
	else
		got = mm_proc_chown(&m->proc, rid, ENT(3, SLOT_VA(s)), pid,
				    ENT(3, SLOT_VA(ts)));
	expect(m, "GRANT/REVOKE/CHOWN", got, want);
	if (got != MM_PROC_SUCCESS)
		return got;
	if (op == OP_GRANT) {
		tp->kind[ts] = PREF_GRANT;
		tp->obj[ts] = r;
		tp->ro[ts] = (flags & MM_EXO_READONLY) != 0;
		m->r[r].refs++;
	} else if (op == OP_REVOKE) {
		tp->kind[ts] = PREF_EMPTY;
		m->r[r].refs--;
	} else {
		tp->kind[ts] = PREF_OWN;
		tp->ro[ts] = false;
		m->p[m->cur].kind[s] = PREF_GRANT;
		m->p[m->cur].ro[s] = false;
	}
	return got;
}

/* Private memory and user writes. */

static unsigned op_plain(struct pref *m, unsigned s, uint8_t c, bool make)
{
	struct pref_proc *cp = &m->p[m->cur];

	if (make && cp->kind[s] == PREF_EMPTY) {
		cp->val[s] = 0x2000u + c;
		pref_build(m, SLOT_VA(s), MM_PT_TOP, cp->val[s]);
		cp->kind[s] = PREF_PLAIN;
		return 0;
	}
	if (!make && cp->kind[s] == PREF_PLAIN) {
		pref_unbuild(m, SLOT_VA(s), MM_PT_TOP);
		cp->kind[s] = PREF_EMPTY;
		return 0;
	}
	if (!make)
		return 8;
	expect(m, "ALLOC_PAGE of a slot",
	       mm_exo_alloc_page(&m->exo, pref_frame(m, 0), ENT(3, SLOT_VA(s)),
				 MM_EXO_PRESENT),
	       MM_EXO_INVALID_TARGET);
	return MM_EXO_INVALID_TARGET;
}

/* What a user access to slot s of process i gives, and the word there. */
static mm_status_t pref_want(const struct pref *m, int i, unsigned s,
			     bool write, uint64_t *v)
{
	const struct pref_proc *p = &m->p[i];
	const struct pref_res *r = &m->r[p->obj[s]];

	if (p->kind[s] == PREF_PLAIN) {
		*v = p->val[s];
		return MM_OK;
	}
	if ((p->kind[s] != PREF_OWN && p->kind[s] != PREF_GRANT) ||
	    !r->has_page)
		return MM_ERR_NOT_MAPPED;
	*v = r->value;
	return write && p->kind[s] == PREF_GRANT && p->ro[s] ? MM_ERR_INVALID
							     : MM_OK;
}

static unsigned op_write(struct pref *m, unsigned s, uint8_t c)
{
	struct pref_proc *cp = &m->p[m->cur];
	mm_vaddr_t va = SLOT_VA(s);
	uint64_t v = 0;
	mm_paddr_t pa = 0;
	mm_status_t want = pref_want(m, m->cur, s, true, &v), got;

	got = mm_sim_access(m->sim, va, MM_SIM_WRITE | MM_SIM_USER, &pa);
	expect(m, "user write", got, want);
	if (got != MM_OK)
		return got;
	v = 0x3000u + c;
	mm_sim_phys_write64(m->sim, pa, v);
	if (cp->kind[s] == PREF_PLAIN)
		cp->val[s] = v;
	else
		m->r[cp->obj[s]].value = v;
	return got;
}

/* Checks. */

static void pref_check_slots(struct pref *m)
{
	unsigned s;

	for (s = 1; s <= PREF_SLOTS; s++) {
		mm_vaddr_t va = SLOT_VA(s);
		uint64_t v = 0;
		mm_paddr_t pa = 0;
		mm_status_t rd = pref_want(m, m->cur, s, false, &v);
		mm_status_t wr = pref_want(m, m->cur, s, true, &v);

		expect(m, "user read",
		       mm_sim_access(m->sim, va, MM_SIM_READ | MM_SIM_USER,
				     &pa),
		       rd);
		if (rd == MM_OK)
			expect(m, "word", mm_sim_phys_read64(m->sim, pa), v);
		expect(m, "user write may",
		       mm_sim_access(m->sim, va, MM_SIM_WRITE | MM_SIM_USER,
				     NULL),
		       wr);
	}
}

static void pref_check_frames(struct pref *m)
{
	struct mm_frame_stats fs;

	mm_frame_stats(mm_sim_frames(m->sim), &fs);
	expect(m, "free frames", fs.free_frames, m->base_free - pref_held(m));
	expect(m, "records", m->proc.nproc + m->proc.nres, m->records);
}

static unsigned pref_call(struct pref *m, unsigned op, uint8_t a, uint8_t b,
			  uint8_t c)
{
	unsigned s = 1u + a % PREF_SLOTS;
	int t = (int)(b % PREF_PROCS);

	/*
	 * init only makes and frees processes: a grant it held of a resource
	 * whose owner died could never go (a grantee cannot drop a grant).
	 */
	if (m->cur == 0 && op >= OP_ARES) {
		if (pref_live(m, 1) == 0)
			return 8;
		pref_load(m, (int)pref_live(m, 1));
	}
	/* Mostly an empty slot for what needs one. */
	if ((op == OP_APROC || op == OP_ARES || op == OP_PLAIN) && (a & 0x80))
		s = pref_find(m, m->cur, PREF_EMPTY, -1, s);
	if ((op == OP_FILL || op == OP_EMPTY || op == OP_UNROOT) && (a & 0x80))
		s = pref_find(m, m->cur, PREF_OWN, -1, s);

	switch (op) {
	case OP_SWITCH:
		t = (int)pref_live(m, (unsigned)t);
		pref_load(m, t);
		return 0;
	case OP_APROC:
		return op_aproc(m, s, c);
	case OP_FREE:
		return op_free(m, s, b);
	case OP_KILL:
		return op_kill(m, b);
	case OP_UPCALL:
		return op_upcall(m, b, c);
	case OP_YIELD:
		return op_yield(m, b);
	case OP_ARES:
		return op_ares(m, s, c);
	case OP_FILL:
		return op_fill(m, s, c);
	case OP_EMPTY:
		return op_empty(m, s);
	case OP_UNROOT:
		return op_unroot(m, s);
	case OP_PLAIN:
	case OP_UNPLAIN:
		return op_plain(m, s, c, op == OP_PLAIN);
	case OP_WRITE:
		return op_write(m, s, c);
	default:
		return op_share(m, op, s, b, c);
	}
}

/* How often each call comes: sharing and building weigh most. */
static const uint8_t pref_ops[] = {
	OP_SWITCH, OP_SWITCH, OP_APROC, OP_APROC, OP_FREE,    OP_KILL,
	OP_UPCALL, OP_YIELD,  OP_ARES,	OP_ARES,  OP_FILL,    OP_FILL,
	OP_EMPTY,  OP_UNROOT, OP_GRANT, OP_GRANT, OP_GRANT,   OP_REVOKE,
	OP_REVOKE, OP_CHOWN,  OP_CHOWN, OP_PLAIN, OP_UNPLAIN, OP_WRITE,
	OP_WRITE,  OP_UPCALL, OP_YIELD, OP_APROC, OP_FREE,    OP_GRANT,
	OP_FILL,   OP_WRITE};

void pref_step(struct pref *m, uint8_t op, uint8_t a, uint8_t b, uint8_t c)
{
	unsigned o = pref_ops[op % sizeof(pref_ops)];
	unsigned code = pref_call(m, o, a, b, c);

	m->tally[o][code < 8u ? code : 7u]++;
	m->steps++;
	pref_check_slots(m);
	pref_check_frames(m);
}

void pref_check_all(struct pref *m)
{
	int cur = m->cur;
	unsigned i;

	for (i = 0; i < PREF_PROCS; i++) {
		if (!m->p[i].alive)
			continue;
		pref_load(m, (int)i);
		pref_check_slots(m);
		expect(m, "fill counts", mm_vm_check(mm_sim_vm(m->sim)), MM_OK);
	}
	pref_load(m, cur);
	expect(m, "allocator", mm_frame_check(mm_sim_frames(m->sim)), MM_OK);
	pref_check_frames(m);
}

bool pref_init(struct pref *m, pref_fail_fn fail, void *ctx)
{
	mm_pfn_t zero;
	uint64_t bytes = mm_proc_metadata_bytes(PREF_RECORDS), pid;
	struct mm_frame_stats fs;

	memset(m, 0, sizeof(*m));
	m->fail = fail;
	m->ctx = ctx;
	m->sim = mm_sim_create(PREF_RAM, MM_SIM_NX);
	m->mem = malloc(bytes);
	if (m->sim == NULL || m->mem == NULL ||
	    mm_frame_alloc(mm_sim_frames(m->sim), &zero) != MM_OK ||
	    mm_exo_init(&m->exo, mm_sim_vm(m->sim), zero) != MM_OK ||
	    mm_proc_init(&m->proc, &m->exo, m->mem, bytes, &pid) != MM_OK) {
		pref_destroy(m);
		return false;
	}
	mm_sim_set_strict(m->sim, true);
	mm_frame_stats(mm_sim_frames(m->sim), &fs);
	m->base_free = fs.free_frames;
	m->next_frame = 256u;
	m->p[0] = (struct pref_proc){.alive = true, .pid = pid, .parent = -1};
	m->records = 1;
	return true;
}

void pref_finish(struct pref *m)
{
	unsigned i, s;
	bool orphans = false;

	pref_load(m, 0);
	for (i = 1; i < PREF_PROCS; i++) {
		if (m->p[i].alive && m->p[i].parent == 0)
			op_kill(m, (uint8_t)i);
	}
	for (s = 1; s <= PREF_SLOTS; s++) {
		if (m->p[0].kind[s] == PREF_OWN &&
		    m->r[m->p[0].obj[s]].has_page)
			op_empty(m, s);
		if (m->p[0].kind[s] == PREF_OWN)
			op_unroot(m, s);
		op_plain(m, s, 0, false);
		orphans |= m->p[0].kind[s] == PREF_GRANT;
	}
	pref_check_frames(m);
	if (!orphans)
		expect(m, "fini", mm_proc_fini(&m->proc), MM_OK);
}

void pref_destroy(struct pref *m)
{
	mm_sim_destroy(m->sim);
	free(m->mem);
	m->sim = NULL;
	m->mem = NULL;
}
