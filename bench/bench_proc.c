/*
 * Cost of XOmB's process and resource primitives (mm/exo_proc.h) on the
 * simulated machine, the second table of xomb_bench_exo: ns, invlpg and
 * frames given back to the allocator per call, ns the median over the
 * rounds. A row is a batch of calls timed together; what they need
 * (frames picked, children filled with pages) is made before the clock
 * starts. Each row checks itself: every call must succeed and the round
 * must change the allocator's free count by exactly what the row says (0
 * for a pair, every frame of the child for FREE_PROCESS), and the
 * allocator and tables must pass their self-checks; otherwise the run
 * stops and prints no figure. Each row's call is one out-of-line function
 * of its own (bp_*), whose instructions callgrind_exo.sh counts.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "bench_exo.h"
#include "mm/exo_proc.h"

#define CALLS		 512u  /* calls per round of the single-call rows */
#define KIDS		 8u    /* children freed per round by FREE_PROCESS */
#define RECORDS		 1024u /* CALLS live resources, and the children */
#define P		 MM_EXO_PRESENT
#define ENT(level, va)	 BENCH_ENT(level, va)
#define VA_KID		 0x0000100000000000ull /* a child's pages or PD */
#define VA_LINK		 0x0000300000000000ull /* init: the children's links */
#define VA_RES		 0x0000400000000000ull /* init: a PD of resources */
#define VA_OWN		 0x0000500000000000ull /* init: the granted resource */
#define UPC		 0x400000ull	       /* an onYield address */
/* Entry i of the table of `level` on va's path, and init's link k. */
#define AT(level, va, i) ENT(level, (va) + (uint64_t)(i)*MM_PT_SPAN(level))
#define LINK(k)		 AT(MM_PT_TOP, VA_LINK, k)
/* A row's call: out of line under its own name, for callgrind. */
#define BP_CALL		 static __attribute__((noinline)) bool

struct row {
	const char *name;
	unsigned calls;		  /* timed calls per round */
	bool (*before)(void);	  /* untimed: what the calls need, or NULL */
	bool (*call)(unsigned i); /* call i of the round; false if it failed */
	int64_t frames;		  /* free frames each call gives back */
};

struct cost {
	double ns;
	uint64_t invlpg;
};

static struct bench_exo *m;
static struct mm_proc proc;
static void *mem;
static uint64_t init_pid, free_base;
static uint64_t kid, rid;    /* the grants' child and resource */
static mm_paddr_t kid_root;  /* kid's PML4 */
static mm_paddr_t pa[CALLS]; /* frames the round's calls claim */
static uint64_t rids[CALLS]; /* the round's resources */
static uint64_t kids64[KIDS], kids512[KIDS];

/* Frames for the round's calls, picked before the clock starts. */
static bool pick(void)
{
	m->next = BENCH_EXO_FIRST_PFN;
	for (unsigned i = 0; i < CALLS; i++)
		pa[i] = bench_exo_frame(m);
	return true;
}

/*
 * A child with PML4 root, linked in init at LINK(k), with tables down to
 * `level` at VA_KID and n pages in its PT (level 0).
 */
static bool kid_make(mm_paddr_t root, unsigned k, unsigned level, unsigned n,
		     uint64_t *pid)
{
	bool ok;

	if (mm_proc_alloc_process(&proc, root, LINK(k), pid) !=
		    MM_PROC_SUCCESS ||
	    mm_sim_load_cr3(m->sim, root) != MM_OK)
		return false;
	ok = bench_exo_path(m, VA_KID, level);
	for (unsigned i = 0; ok && i < n; i++)
		ok = mm_exo_alloc_page(&m->exo, bench_exo_frame(m),
				       AT(0, VA_KID, i), P) == MM_EXO_SUCCESS;
	return mm_sim_load_cr3(m->sim, MM_SIM_PML4_PA) == MM_OK && ok;
}

/* KIDS children of n pages each, at LINK(0) ... LINK(KIDS - 1). */
static bool kids_make(uint64_t *pids, unsigned n)
{
	m->next = BENCH_EXO_FIRST_PFN;
	for (unsigned k = 0; k < KIDS; k++) {
		if (!kid_make(bench_exo_frame(m), k, 0, n, &pids[k]))
			return false;
	}
	return true;
}

static bool kids_64(void)
{
	return kids_make(kids64, 64);
}

static bool kids_512(void)
{
	return kids_make(kids512, 512);
}

BP_CALL bp_pair(unsigned i)
{
	uint64_t pid = 0;

	return mm_proc_alloc_process(&proc, pa[i], LINK(0), &pid) ==
		       MM_PROC_SUCCESS &&
	       mm_proc_free_process(&proc, pid, LINK(0)) == MM_PROC_SUCCESS;
}

BP_CALL bp_kill(unsigned i)
{
	uint64_t pid = 0;

	return mm_proc_alloc_process(&proc, pa[i], LINK(0), &pid) ==
		       MM_PROC_SUCCESS &&
	       mm_proc_kill(&proc, pid) == MM_PROC_SUCCESS;
}

BP_CALL bp_free64(unsigned i)
{
	return mm_proc_free_process(&proc, kids64[i], LINK(i)) ==
	       MM_PROC_SUCCESS;
}

BP_CALL bp_free512(unsigned i)
{
	return mm_proc_free_process(&proc, kids512[i], LINK(i)) ==
	       MM_PROC_SUCCESS;
}

BP_CALL bp_res(unsigned i)
{
	return mm_proc_alloc_resource(&proc, pa[i], AT(1, VA_RES, i),
				      &rids[i]) == MM_PROC_SUCCESS;
}

/* The owner unmaps an empty, ungranted resource's root: it is freed. */
BP_CALL bp_unres(unsigned i)
{
	return mm_exo_unmap_page(&m->exo, AT(1, VA_RES, i)) == MM_EXO_SUCCESS;
}

BP_CALL bp_grant(unsigned i)
{
	return mm_proc_grant(&proc, rid, ENT(1, VA_OWN), kid, AT(1, VA_KID, i),
			     P) == MM_PROC_SUCCESS;
}

BP_CALL bp_revoke(unsigned i)
{
	return mm_proc_revoke(&proc, rid, ENT(1, VA_OWN), kid,
			      AT(1, VA_KID, i)) == MM_PROC_SUCCESS;
}

BP_CALL bp_upcall(unsigned i)
{
	return mm_proc_map_upcall(&proc, kid, MM_UPCALL_YIELD, UPC + i * 16) ==
	       MM_PROC_SUCCESS;
}

/* YIELD names kid's PML4, the last onYield set and init as the caller. */
BP_CALL bp_yield(unsigned i)
{
	struct mm_proc_enter in = {0};

	(void)i;
	return mm_proc_yield(&proc, kid, &in) == MM_PROC_SUCCESS &&
	       in.cr3 == kid_root && in.entry == UPC + (CALLS - 1u) * 16 &&
	       in.arg == init_pid;
}

/* In round order: the resource rows free what ALLOC_RESOURCE made. */
static const struct row rows[] = {
	{"ALLOC_PROCESS + FREE_PROCESS (empty child)", CALLS, pick, bp_pair, 0},
	{"ALLOC_PROCESS + kill (empty child)", CALLS, pick, bp_kill, 0},
	{"FREE_PROCESS (64 pages)", KIDS, kids_64, bp_free64,
	 64 + MM_PT_LEVELS},
	{"FREE_PROCESS (512 pages)", KIDS, kids_512, bp_free512,
	 512 + MM_PT_LEVELS},
	{"ALLOC_RESOURCE (a PT)", CALLS, pick, bp_res, -1},
	{"UNMAP_PAGE (an empty resource's root)", CALLS, NULL, bp_unres, 1},
	{"GRANT_RESOURCE", CALLS, NULL, bp_grant, 0},
	{"REVOKE_RESOURCE", CALLS, NULL, bp_revoke, 0},
	{"MAP_UPCALL", CALLS, NULL, bp_upcall, 0},
	{"YIELD_PROCESS", CALLS, NULL, bp_yield, 0},
};

#define ROWS (sizeof(rows) / sizeof(rows[0]))

/* One round of row r: its calls timed, then checked. */
static bool row_round(const struct row *r, struct cost *c)
{
	struct mm_sim_stats s0, s1;
	uint64_t free0, t0;

	if (r->before != NULL && !r->before())
		return false;
	free0 = bench_exo_free(m);
	mm_sim_stats(m->sim, &s0);
	t0 = bench_now_ns();
	for (unsigned i = 0; i < r->calls; i++) {
		if (!r->call(i)) {
			fprintf(stderr, "bench_proc: %s: call %u failed\n",
				r->name, i);
			return false;
		}
	}
	c->ns = (double)(bench_now_ns() - t0) / r->calls;
	mm_sim_stats(m->sim, &s1);
	c->invlpg = s1.invlpg - s0.invlpg;
	if ((int64_t)(bench_exo_free(m) - free0) != r->frames * r->calls ||
	    mm_frame_check(mm_sim_frames(m->sim)) != MM_OK ||
	    mm_vm_check(mm_sim_vm(m->sim)) != MM_OK) {
		fprintf(stderr, "bench_proc: %s: frames or tables wrong\n",
			r->name);
		return false;
	}
	return true;
}

/*
 * The registry on init, PDs at VA_RES and VA_OWN, the granted resource
 * and its grantee, a child with a PD at VA_KID.
 */
static bool setup(void)
{
	uint64_t bytes = mm_proc_metadata_bytes(RECORDS);

	mem = malloc(bytes);
	if (mem == NULL ||
	    mm_proc_init(&proc, &m->exo, mem, bytes, &init_pid) != MM_OK)
		return false;
	if (!bench_exo_path(m, VA_RES, 1) || !bench_exo_path(m, VA_OWN, 1))
		return false;
	free_base = bench_exo_free(m);
	kid_root = bench_exo_frame(m);
	return mm_proc_alloc_resource(&proc, bench_exo_frame(m), ENT(1, VA_OWN),
				      &rid) == MM_PROC_SUCCESS &&
	       kid_make(kid_root, KIDS, 1, 0, &kid);
}

/* Everything setup() made goes back: the count is as it was. */
static bool teardown(void)
{
	return mm_proc_free_process(&proc, kid, LINK(KIDS)) ==
		       MM_PROC_SUCCESS &&
	       mm_exo_unmap_page(&m->exo, ENT(1, VA_OWN)) == MM_EXO_SUCCESS &&
	       bench_exo_free(m) == free_base && mm_proc_fini(&proc) == MM_OK;
}

static bool rounds(unsigned reps, struct cost *c, double *ns)
{
	for (unsigned r = 0; r < reps; r++) {
		for (size_t i = 0; i < ROWS; i++) {
			if (!row_round(&rows[i], &c[i]))
				return false;
			ns[i * reps + r] = c[i].ns;
		}
	}
	return true;
}

static void print(unsigned reps, const struct cost *c, double *ns)
{
	printf("\n| process primitive (simulator) | ns per call | "
	       "invlpg per call | frames freed per call |\n");
	printf("|---|---:|---:|---:|\n");
	for (size_t i = 0; i < ROWS; i++)
		printf("| %s | %.1f | %.2f | %lld |\n", rows[i].name,
		       bench_median(&ns[i * reps], reps),
		       (double)c[i].invlpg / rows[i].calls,
		       (long long)rows[i].frames);
}

bool bench_proc_run(struct bench_exo *b, unsigned reps)
{
	struct cost c[ROWS];
	double *ns = calloc((size_t)reps * ROWS, sizeof(*ns));
	bool ok;

	m = b;
	ok = ns != NULL && setup() && rounds(reps, c, ns) && teardown();
	if (ok)
		print(reps, c, ns);
	else
		fprintf(stderr, "bench_proc: stopped, no figures\n");
	free(ns);
	free(mem);
	return ok;
}
