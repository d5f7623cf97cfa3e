/*
 * An init library OS (issue 14): it starts two children from code it
 * carries (the child images are embedded machine code, position
 * independent), each in a resource it builds (ALLOC_RESOURCE, pages,
 * copying), grants it (GRANT_RESOURCE) and hands over (CHOWN_RESOURCE);
 * it shares a read-only resource with both, yields to the first (which
 * reads it and yields back: onYield), then to the second (which writes it,
 * faults into its onFault upcall and yields back), revokes the shared
 * resource, frees both children and checks every refusal on the way.
 *
 * The parent's onYield upcall starts on a fresh stack (exoproc.h), so all
 * state lives in globals and the scenario goes on from stage to stage.
 */
#include "libos.h"

#define SLOT(n)	    ((uint64_t)(n) << XOMB_PT_SHIFT(3))
#define CODE_A	    SLOT(2) /* child A's code resource */
#define CODE_B	    SLOT(3) /* child B's code resource */
#define MARK	    SLOT(4) /* written by B's onFree */
#define SHARED	    SLOT(5) /* the read-only resource of both */
#define LINK_A	    xomb_pte_addr(3, SLOT(6))
#define LINK_B	    xomb_pte_addr(3, SLOT(7))
#define SHARED_WORD 0x5A5A5A5A5A5Aull
#define FORGED	    0xFFFFFD8000001000ull /* the map's slot, not a record */
#define OUTSIDE	    0xFFFF800000000000ull /* outside both maps */
#define UP_YIELD    XOMB_UPCALL_YIELD
#define UP_FREE	    XOMB_UPCALL_FREE
#define UP_FAULT    XOMB_UPCALL_FAULT

/*
 * The child code, at offsets of its code page:
 *   0x00 onYield: yield back to the caller (rdi holds its processId).
 *   0x10 onFault: yield to the parent, whose id sits at 0x100.
 *   0x20 onYield of the writer: write the shared page (read-only: faults).
 *   0x40 onYield of the reader: read the shared page, then as 0x00.
 *   0x60 onFree of the writer: store rdi (the parent's id) at MARK and
 *        yield back to the parent. The reader's onFree is the ud2 at 0x07:
 *        killed in onFree, the parent still gets control back.
 */
static const uint8_t child_code[] = {
	/* 0x00 */ 0xB8, 0x16, 0, 0, 0, 0x0F, 0x05, 0x0F, 0x0B, 0x90, 0x90,
	0x90, 0x90, 0x90, 0x90, 0x90,
	/* 0x10: mov rdi, [rip + 0xE9]; mov eax, 22; syscall; ud2 */
	0x48, 0x8B, 0x3D, 0xE9, 0, 0, 0, 0xB8, 0x16, 0, 0, 0, 0x0F, 0x05, 0x0F,
	0x0B,
	/* 0x20: movabs rax, SHARED; mov byte [rax], 1; ud2 */
	0x48, 0xB8, 0, 0, 0, 0, 0x80, 0x02, 0, 0, 0xC6, 0x00, 0x01, 0x0F, 0x0B,
	0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
	0x90, 0x90, 0x90, 0x90, 0x90,
	/* 0x40: movabs rax, SHARED; mov rax, [rax]; mov eax, 22; syscall */
	0x48, 0xB8, 0, 0, 0, 0, 0x80, 0x02, 0, 0, 0x48, 0x8B, 0x00, 0xB8, 0x16,
	0, 0, 0, 0x0F, 0x05, 0x0F, 0x0B, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
	0x90, 0x90, 0x90, 0x90,
	/* 0x60: movabs rax, MARK; mov [rax], rdi; mov eax, 22; syscall; ud2 */
	0x48, 0xB8, 0, 0, 0, 0, 0x00, 0x02, 0, 0, 0x48, 0x89, 0x38, 0xB8, 0x16,
	0, 0, 0, 0x0F, 0x05, 0x0F, 0x0B};

_Static_assert(SHARED == 0x0000028000000000ull, "child_code's SHARED bytes");
_Static_assert(MARK == 0x0000020000000000ull, "child_code's MARK bytes");

static struct utest t = {"proc_init", 0, 0};
static uint64_t pid_a, pid_b, rid_a, rid_b, rid_s, rid_m;
static volatile unsigned stage;

static int64_t sys(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2,
		   uint64_t a3, uint64_t a4)
{
	return xomb_syscall6(n, a0, a1, a2, a3, a4, 0);
}

/* ALLOC_PROCESS / ALLOC_RESOURCE (nr) on the lowest free frame. */
static uint64_t alloc_id(uint64_t nr, uint64_t entry)
{
	uint64_t pa = libos_free_frame(0);
	int64_t r = XOMB_NOT_FREE;

	while (pa != 0 && r == XOMB_NOT_FREE) {
		r = sys(nr, pa, entry, 0, 0, 0);
		pa = libos_free_frame(pa + LIBOS_PAGE);
	}
	/* ids are kernel addresses (negative as int64_t); codes are small */
	return r < -0xff || r > 0xff ? (uint64_t)r : 0;
}

/* A resource at va holding child_code (and the parent's id at 0x100). */
static uint64_t build_code(uint64_t va)
{
	uint64_t rid = alloc_id(XOMB_SYS_ALLOC_RESOURCE, xomb_pte_addr(3, va));
	volatile uint8_t *p = (volatile uint8_t *)va;

	UCHECK(&t, rid != 0);
	UCHECK(&t, libos_page(va, LIBOS_RW) != 0);
	for (unsigned i = 0; i < sizeof(child_code); i++)
		p[i] = child_code[i];
	*(volatile uint64_t *)(va + 0x100) = xomb_self_pid;
	UCHECK(&t,
	       xomb_chmod_page(xomb_pte_addr(0, va), LIBOS_RO) == XOMB_SUCCESS);
	return rid;
}

/* Grant the code resource at va to pid, then hand it over. */
static void give_code(uint64_t rid, uint64_t va, uint64_t pid)
{
	uint64_t e = xomb_pte_addr(3, va);

	UCHECK(&t, sys(XOMB_SYS_CHOWN_RESOURCE, rid, e, pid, e, 0) ==
			   XOMB_INVALID_TARGET); /* not granted yet */
	UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, rid, e, pid, e, XOMB_PRESENT) ==
			   XOMB_SUCCESS);
	UCHECK(&t,
	       sys(XOMB_SYS_CHOWN_RESOURCE, rid, e, pid, e, 0) == XOMB_SUCCESS);
	/* Now only granted: the parent may not grant it on. */
	UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, rid, e,
		       pid_b == pid ? pid_a : pid_b, e,
		       XOMB_PRESENT) == XOMB_INVALID_SOURCE);
}

static void share(void)
{
	uint64_t e = xomb_pte_addr(3, SHARED);

	rid_s = alloc_id(XOMB_SYS_ALLOC_RESOURCE, e);
	UCHECK(&t, rid_s != 0 && libos_page(SHARED, LIBOS_RW) != 0);
	*(volatile uint64_t *)SHARED = SHARED_WORD;
	UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, rid_s, e, pid_a, e,
		       XOMB_PRESENT | 8u) == XOMB_INVALID_FLAGS);
	UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, rid_s, e, pid_a, e, LIBOS_RO) ==
			   XOMB_SUCCESS);
	UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, rid_s, e, pid_b, e, LIBOS_RO) ==
			   XOMB_SUCCESS);
	UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, rid_s, e, xomb_self_pid, e,
		       LIBOS_RO) == XOMB_INVALID_TARGET);
	e = xomb_pte_addr(3, MARK);
	rid_m = alloc_id(XOMB_SYS_ALLOC_RESOURCE, e);
	UCHECK(&t, rid_m != 0 && libos_page(MARK, LIBOS_RW) != 0);
	UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, rid_m, e, pid_b, e,
		       XOMB_PRESENT) == XOMB_SUCCESS);
}

/*
 * FREE_PROCESS enters onFree: B stores the parent's id at MARK and yields
 * back; A is killed in its onFree (ud2). Both come back here with SUCCESS,
 * torn down: their grants gone, MARK's count back to none.
 */
static void free_children(void)
{
	uint64_t e = xomb_pte_addr(3, MARK);

	UCHECK(&t, *(volatile uint64_t *)MARK == 0);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, pid_b, LINK_B, 0, 0, 0) ==
			   XOMB_SUCCESS);
	UCHECK(&t, *(volatile uint64_t *)MARK == xomb_self_pid);
	UCHECK(&t, sys(XOMB_SYS_REVOKE_RESOURCE, rid_m, e, pid_b, e, 0) ==
			   XOMB_INVALID_TARGET); /* revoked by the teardown */
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, pid_a, LINK_A, 0, 0, 0) ==
			   XOMB_SUCCESS);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, pid_a, LINK_A, 0, 0, 0) ==
			   XOMB_INVALID_SOURCE);
}

/* Forged, foreign and out-of-map ids: every call refused. */
static void refusals(void)
{
	UCHECK(&t, sys(XOMB_SYS_YIELD_PROCESS, FORGED, 0, 0, 0, 0) ==
			   XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_YIELD_PROCESS, OUTSIDE, 0, 0, 0, 0) ==
			   XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, FORGED, UP_YIELD, CODE_A, 0, 0) ==
			   XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, pid_a, 9u, CODE_A, 0, 0) ==
			   XOMB_INVALID_FLAGS);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, pid_a, UP_YIELD,
		       0xFFFFFFFF80100000ull, 0, 0) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, pid_a, LINK_B, 0, 0, 0) ==
			   XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, OUTSIDE, LINK_A, 0, 0, 0) ==
			   XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, xomb_self_pid, LINK_A, 0, 0, 0) ==
			   XOMB_INVALID_SOURCE);
	UCHECK(&t,
	       sys(XOMB_SYS_REVOKE_RESOURCE, FORGED, xomb_pte_addr(3, SHARED),
		   pid_a, xomb_pte_addr(3, SHARED), 0) == XOMB_INVALID_SOURCE);
}

static void finish(void)
{
	uint64_t e = xomb_pte_addr(3, SHARED);

	UCHECK(&t, sys(XOMB_SYS_REVOKE_RESOURCE, rid_s, e, pid_a, e, 0) ==
			   XOMB_SUCCESS);
	UCHECK(&t, sys(XOMB_SYS_REVOKE_RESOURCE, rid_s, e, pid_a, e, 0) ==
			   XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_REVOKE_RESOURCE, rid_s, e, pid_b, e, 0) ==
			   XOMB_SUCCESS);
	free_children();
	UCHECK(&t, sys(XOMB_SYS_YIELD_PROCESS, pid_a, 0, 0, 0, 0) ==
			   XOMB_INVALID_TARGET); /* freed */
	UCHECK(&t, *(volatile uint64_t *)SHARED == SHARED_WORD);
	uprintf("proc_init: children started, yielded back, freed\n");
	xomb_exit((uint64_t)utest_report(&t));
}

/* The parent's onYield: caller is the processId that yielded to it. */
static void on_yield(uint64_t caller)
{
	if (stage == 1) {
		UCHECK(&t, caller == pid_a);
		stage = 2;
		sys(XOMB_SYS_YIELD_PROCESS, pid_b, 0, 0, 0, 0);
		UCHECK(&t, 0); /* the yield returned */
	} else {
		UCHECK(&t, stage == 2 && caller == pid_b);
	}
	finish();
}

int main(void)
{
	UCHECK(&t, xomb_self_pid > 0xff && xomb_self_pid >= FORGED - 0x1000);
	pid_a = alloc_id(XOMB_SYS_ALLOC_PROCESS, LINK_A);
	pid_b = alloc_id(XOMB_SYS_ALLOC_PROCESS, LINK_B);
	UCHECK(&t, pid_a != 0 && pid_b != 0 && pid_a != pid_b);
	UCHECK(&t, sys(XOMB_SYS_YIELD_PROCESS, pid_a, 0, 0, 0, 0) ==
			   XOMB_INVALID_TARGET); /* no onYield yet */
	rid_a = build_code(CODE_A);
	rid_b = build_code(CODE_B);
	give_code(rid_a, CODE_A, pid_a);
	give_code(rid_b, CODE_B, pid_b);
	share();
	refusals();
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, xomb_self_pid, UP_YIELD,
		       (uint64_t)on_yield, 0, 0) == XOMB_SUCCESS);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, pid_a, UP_YIELD, CODE_A + 0x40, 0,
		       0) == XOMB_SUCCESS);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, pid_b, UP_YIELD, CODE_B + 0x20, 0,
		       0) == XOMB_SUCCESS);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, pid_b, UP_FAULT, CODE_B + 0x10, 0,
		       0) == XOMB_SUCCESS);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, pid_b, UP_FREE, CODE_B + 0x60, 0,
		       0) == XOMB_SUCCESS);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, pid_a, UP_FREE, CODE_A + 0x07, 0,
		       0) == XOMB_SUCCESS);
	stage = 1;
	sys(XOMB_SYS_YIELD_PROCESS, pid_a, 0, 0, 0, 0);
	UCHECK(&t, 0); /* the yield returned */
	return utest_report(&t);
}
