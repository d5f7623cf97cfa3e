/*
 * The child program of proc_init (issue 14): a normal C program, built
 * like every test program, that the kernel never starts. proc_init finds
 * it among the image modules, loads its ELF into resources it builds and
 * hands them over; the child's onYield is _start, so main() runs on every
 * yield to it (globals persist; the stack starts afresh) and never
 * returns: it yields back. Its role comes from the mailbox:
 *   reader:  reads the shared read-only word;
 *   writer:  writes it, faults into onFault, which yields to the parent;
 *   hostile: every process and resource call on its sibling's ids and
 *            resources and on its parent, each refused with the
 *            documented code (its own `utest:` line).
 * Its onFree records its arguments, checks that no other yield is let
 * through, and hands control back as the mailbox says (yield, EXIT, fault).
 */
#include "proc_child.h"

#include "libos.h"

#define BOX ((volatile struct child_box *)CHILD_BOX)

static struct utest t = {"proc_child", 0, 0};
/* Not 0: an onFault entered by mistake would record a visible cr2. */
static volatile uint64_t *volatile at_bad = (volatile uint64_t *)8;

static int64_t sys(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2,
		   uint64_t a3, uint64_t a4)
{
	return xomb_syscall6(n, a0, a1, a2, a3, a4, 0);
}

/* Yield to pid; a refused yield ends in ud2 (killed: the boot test sees). */
static _Noreturn void back(uint64_t pid)
{
	sys(XOMB_SYS_YIELD_PROCESS, pid, 0, 0, 0, 0);
	for (;;)
		__asm__ volatile("ud2");
}

static void on_fault(uint64_t self, uint64_t cr2)
{
	(void)self;
	BOX->fault_addr = cr2;
	back(BOX->parent);
}

/*
 * Inside its own onFree: a child of its own, with an onFree, freed at
 * once (one free pending at a time): the call returns SUCCESS here.
 */
static void free_nested(void)
{
	uint64_t link = xomb_pte_addr(3, CHILD_NESTED);
	uint64_t pa = libos_free_frame(0);
	int64_t r = XOMB_NOT_FREE;

	while (pa != 0 && r == XOMB_NOT_FREE) {
		r = sys(XOMB_SYS_ALLOC_PROCESS, pa, link, 0, 0, 0);
		pa = libos_free_frame(pa + LIBOS_PAGE);
	}
	BOX->nested_pid = (uint64_t)r;
	if (sys(XOMB_SYS_MAP_UPCALL, (uint64_t)r, XOMB_UPCALL_FREE,
		(uint64_t)on_fault, 0, 0) == XOMB_SUCCESS)
		BOX->nested_free =
			sys(XOMB_SYS_FREE_PROCESS, (uint64_t)r, link, 0, 0, 0);
}

static void on_free(uint64_t parent, uint64_t self)
{
	BOX->freed_by = parent;
	BOX->free_self = self;
	BOX->free_yield_self = sys(XOMB_SYS_YIELD_PROCESS, self, 0, 0, 0, 0);
	if (BOX->sib != 0)
		BOX->free_yield_sib =
			sys(XOMB_SYS_YIELD_PROCESS, BOX->sib, 0, 0, 0, 0);
	if (BOX->free_how == CHILD_FREE_YIELD)
		free_nested();
	if (BOX->free_how == CHILD_FREE_EXIT)
		xomb_exit(0);
	if (BOX->free_how == CHILD_FREE_FAULT)
		*at_bad = 1;
	back(parent);
}

/* Process calls on the sibling and the parent: none is the caller's. */
static void hostile_procs(void)
{
	volatile struct child_box *b = BOX;
	uint64_t own = xomb_pte_addr(3, CHILD_CODE);

	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, b->sib, XOMB_UPCALL_YIELD, 0x400000,
		       0, 0) == XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, b->sib, XOMB_UPCALL_FREE, 0x400000,
		       0, 0) == XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, b->parent, XOMB_UPCALL_YIELD,
		       0x400000, 0, 0) == XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, b->sib, b->sib_link, 0, 0, 0) ==
			   XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, b->sib, own, 0, 0, 0) ==
			   XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, b->parent, b->sib_link, 0, 0,
		       0) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, b->parent, own, 0, 0, 0) ==
			   XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, xomb_self_pid, b->sib_link, 0, 0,
		       0) == XOMB_INVALID_SOURCE);
}

/* Resource calls on what it was only granted and on the sibling's. */
static void hostile_resources(void)
{
	volatile struct child_box *b = BOX;
	uint64_t sh = xomb_pte_addr(3, CHILD_SHARED);
	uint64_t own = xomb_pte_addr(3, CHILD_CODE);
	uint64_t free_e = xomb_pte_addr(3, CHILD_SLOT(9));

	/* The shared resource: granted to it, not owned. */
	UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, b->shared, sh, b->sib, free_e,
		       XOMB_PRESENT | XOMB_READONLY) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_REVOKE_RESOURCE, b->shared, sh, b->sib, sh,
		       0) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_CHOWN_RESOURCE, b->shared, sh, b->sib, sh, 0) ==
			   XOMB_INVALID_SOURCE);
	/* The sibling's code: not at the child's own entry. */
	UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, b->sib_code, own, b->sib,
		       free_e, XOMB_PRESENT) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_REVOKE_RESOURCE, b->sib_code, own, b->parent,
		       b->parent_code, 0) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_CHOWN_RESOURCE, b->sib_code, own, b->sib, own,
		       0) == XOMB_INVALID_SOURCE);
	/* Its own code, given to where the sibling holds no grant of it. */
	UCHECK(&t, sys(XOMB_SYS_CHOWN_RESOURCE, b->own_code, own, b->sib, own,
		       0) == XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_REVOKE_RESOURCE, b->own_code, own, b->sib, own,
		       0) == XOMB_INVALID_TARGET);
}

int main(void)
{
	volatile struct child_box *b = BOX;

	if (b->runs++ == 0) {
		b->self = xomb_self_pid;
		b->caller = xomb_caller_pid;
		UCHECK(&t,
		       sys(XOMB_SYS_MAP_UPCALL, xomb_self_pid, XOMB_UPCALL_FREE,
			   (uint64_t)on_free, 0, 0) == XOMB_SUCCESS);
		UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, xomb_self_pid,
			       XOMB_UPCALL_FAULT, (uint64_t)on_fault, 0,
			       0) == XOMB_SUCCESS);
	}
	b->passed = t.passed;
	b->failed = t.failed;
	if (b->role == CHILD_READER)
		b->seen = *(volatile uint64_t *)CHILD_SHARED;
	if (b->role == CHILD_WRITER)
		*(volatile uint64_t *)CHILD_SHARED = 1; /* read-only: faults */
	if (b->role == CHILD_HOSTILE) {
		hostile_procs();
		hostile_resources();
		utest_report(&t);
	}
	b->passed = t.passed;
	b->failed = t.failed;
	back(xomb_caller_pid);
}
