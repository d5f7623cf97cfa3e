/*
 * Hostile calls on processes and resources (issue 14): ids of others
 * (init, the program's parent), forged ids (misaligned, the kernel's view
 * slots, past the records, a resource id as a process id and back), ids
 * outside the maps, freeing the parent, bad upcall addresses, bad frames
 * and entries. Every call is refused with the documented code.
 *
 * With HOSTILE_PROC=fault_loop instead: an onFault upcall that faults
 * itself must get the program killed, not entered again forever.
 */
#include "libos.h"

#define MAP_VA(slot, s)                                                        \
	(0xFFFF000000000000ull | ((uint64_t)(slot) << 39) | (uint64_t)(s) << 12)
#define INIT_PID MAP_VA(507, 4) /* record 0: init, after 4 views */
#define VIEW	 MAP_VA(507, 0)
#define PAST	 MAP_VA(507, 511u * 512u)
#define OUTSIDE	 0xFFFF800000000000ull
#define LINK	 xomb_pte_addr(3, 6ull << 39)
#define UP_YIELD 1u
#define UP_FAULT 3u

static struct utest t = {"hostile_proc", 0, 0};

static int64_t sys(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2,
		   uint64_t a3, uint64_t a4)
{
	return xomb_syscall6(n, a0, a1, a2, a3, a4, 0);
}

/* Every process call on ids that are not the caller's to use. */
static void bad_pids(void)
{
	const uint64_t ids[] = {
		INIT_PID,	   VIEW,	  PAST, OUTSIDE, 0, 0x1000,
		xomb_self_pid + 8, MAP_VA(508, 4)};

	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		uint64_t id = ids[i];

		UCHECK(&t, sys(XOMB_SYS_YIELD_PROCESS, id, 0, 0, 0, 0) ==
				   XOMB_INVALID_TARGET);
		UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, id, UP_YIELD, 0x400000, 0,
			       0) == XOMB_INVALID_TARGET);
		UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, id, LINK, 0, 0, 0) ==
				   XOMB_INVALID_SOURCE);
	}
	/* Freeing itself or its parent: it holds no link to either. */
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, xomb_self_pid, LINK, 0, 0, 0) ==
			   XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_YIELD_PROCESS, xomb_self_pid, 0, 0, 0, 0) ==
			   XOMB_INVALID_TARGET); /* no onYield */
}

/* Resource calls with ids that name no resource of the caller. */
static void bad_rids(void)
{
	const uint64_t ids[] = {MAP_VA(508, 4), MAP_VA(508, 0), OUTSIDE,
				INIT_PID,	xomb_self_pid,	0x10000};
	uint64_t e = xomb_pte_addr(3, 2ull << 39);

	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		uint64_t id = ids[i];

		UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, id, e, INIT_PID, e,
			       XOMB_PRESENT) == XOMB_INVALID_SOURCE);
		UCHECK(&t, sys(XOMB_SYS_REVOKE_RESOURCE, id, e, INIT_PID, e,
			       0) == XOMB_INVALID_SOURCE);
		UCHECK(&t, sys(XOMB_SYS_CHOWN_RESOURCE, id, e, INIT_PID, e,
			       0) == XOMB_INVALID_SOURCE);
	}
}

/* Allocation and upcall arguments outside what the caller may name. */
static void bad_args(void)
{
	uint64_t pa = libos_free_frame(0);

	UCHECK(&t,
	       sys(XOMB_SYS_ALLOC_PROCESS, 0, LINK, 0, 0, 0) == XOMB_NOT_FREE);
	UCHECK(&t, sys(XOMB_SYS_ALLOC_PROCESS, pa,
		       xomb_pte_addr(3, 0xFFFF800000000000ull), 0, 0,
		       0) == XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_ALLOC_PROCESS, pa, LINK + 4, 0, 0, 0) ==
			   XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_ALLOC_RESOURCE, pa, xomb_pte_addr(0, 0x400000),
		       0, 0, 0) == XOMB_INVALID_TARGET);
	UCHECK(&t,
	       sys(XOMB_SYS_ALLOC_RESOURCE, pa, xomb_pte_addr(3, 255ull << 39),
		   0, 0, 0) == XOMB_INVALID_TARGET); /* the bitmap slot */
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, xomb_self_pid, UP_YIELD,
		       0xFFFFFFFF80100000ull, 0, 0) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, xomb_self_pid, UP_YIELD,
		       0x0000800000000000ull, 0, 0) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, xomb_self_pid, UP_FAULT, 0x1000, 0,
		       0) == XOMB_INVALID_SOURCE);
	/* onFree in the kernel half, non-canonical, in the bitmap slot. */
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, xomb_self_pid, XOMB_UPCALL_FREE,
		       0xFFFFFFFF80100000ull, 0, 0) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, xomb_self_pid, XOMB_UPCALL_FREE,
		       0x0000800000000000ull, 0, 0) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, xomb_self_pid, XOMB_UPCALL_FREE,
		       XOMB_BITMAP_VA, 0, 0) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, xomb_self_pid, XOMB_UPCALL_FREE,
		       0x00FF800000000000ull, 0, 0) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, xomb_self_pid, 0, 0x400000, 0, 0) ==
			   XOMB_INVALID_FLAGS);
	UCHECK(&t, xomb_frame_free(pa >> 12)); /* nothing was claimed */
}

#ifdef HOSTILE_PROC
/* Addresses the compiler cannot see through. */
static volatile uint64_t *volatile at_null = (volatile uint64_t *)0;
static volatile uint64_t *volatile at_eight = (volatile uint64_t *)8;

/*
 * onFault that faults again (a read at 8: the kill line shows cr2=0x8, so
 * the upcall was entered): the kernel must kill, not re-enter it.
 */
static void fault_again(void)
{
	(void)*at_eight;
}

int main(void)
{
	if (sys(XOMB_SYS_MAP_UPCALL, xomb_self_pid, UP_FAULT,
		(uint64_t)fault_again, 0, 0) != XOMB_SUCCESS)
		return 1; /* exited: the boot test reports the unmet expect */
	(void)*at_null;
	return 2;
}
#else
int main(void)
{
	bad_pids();
	bad_rids();
	bad_args();
	return utest_report(&t);
}
#endif
