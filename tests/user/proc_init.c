/*
 * An init library OS (issue 14). It finds the child program among the
 * kernel's image modules (xomb/abi.h XOMB_IMAGES_VA), and for each of
 * three children parses that ELF itself and copies its segments into a
 * resource it builds (ALLOC_RESOURCE + ALLOC_PAGE), builds a stack
 * resource, grants both and hands them over (CHOWN_RESOURCE), grants a
 * mailbox page it keeps, and sets the child's onYield to the ELF's entry.
 * It shares a read-only resource with all three, yields to the reader
 * (which reads it and yields back), the writer (which writes it, faults
 * into its onFault and yields back) and the hostile child (which tries
 * every call on its sibling's and its parent's ids, all refused), then
 * frees them: each onFree runs (yielding back, EXITing, faulting) and the
 * parent's FREE_PROCESS returns SUCCESS every time.
 *
 * The parent's onYield upcall starts on a fresh stack (exoproc.h), so all
 * state lives in globals and the scenario goes on from stage to stage.
 */
#include "libos.h"
#include "libos_elf.h"
#include "proc_child.h"

#define SLOT(n)	 ((uint64_t)(n) << XOMB_PT_SHIFT(3))
#define CODE(i)	 SLOT(16u + (i)) /* child i's code resource, built here */
#define STACK(i) SLOT(20u + (i)) /* its stack resource */
#define BOX(i)	 SLOT(24u + (i)) /* its mailbox (the parent keeps it) */
#define LINK(i)	 xomb_pte_addr(3, SLOT(28u + (i)))
#define SHARED	 CHILD_SHARED	       /* the read-only resource of all three */
#define FORGED	 0xFFFFFD8000001000ull /* the map's slot, not a record */
#define OUTSIDE	 0xFFFF800000000000ull /* outside both maps */
#define NCHILD	 3u
#define READER	 0u
#define WRITER	 1u
#define HOSTILE	 2u
#define UP_YIELD XOMB_UPCALL_YIELD
#define UP_FAULT XOMB_UPCALL_FAULT

static struct utest t = {"proc_init", 0, 0};
static uint64_t pid[NCHILD], code_rid[NCHILD], rid_s;
static volatile unsigned stage;

static int64_t sys(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2,
		   uint64_t a3, uint64_t a4)
{
	return xomb_syscall6(n, a0, a1, a2, a3, a4, 0);
}

static volatile struct child_box *box(unsigned i)
{
	return (volatile struct child_box *)BOX(i);
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

/* Grant the resource at va to child i at its entry `at`, then hand over. */
static void give(uint64_t rid, uint64_t va, unsigned i, uint64_t at)
{
	uint64_t e = xomb_pte_addr(3, va);

	UCHECK(&t, sys(XOMB_SYS_CHOWN_RESOURCE, rid, e, pid[i], at, 0) ==
			   XOMB_INVALID_TARGET); /* not granted yet */
	UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, rid, e, pid[i], at,
		       XOMB_PRESENT) == XOMB_SUCCESS);
	UCHECK(&t, sys(XOMB_SYS_CHOWN_RESOURCE, rid, e, pid[i], at, 0) ==
			   XOMB_SUCCESS);
	/* Now only granted: the parent may not grant it on. */
	UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, rid, e, pid[(i + 1u) % NCHILD],
		       at, XOMB_PRESENT) == XOMB_INVALID_SOURCE);
}

/*
 * A field of the image's last PT_LOAD header (8: p_offset, 16: p_vaddr),
 * read here apart from the loader, to aim the refusals below.
 */
static uint64_t last_load(const uint8_t *img, unsigned field)
{
	uint64_t phoff = *(const uint64_t *)(img + 32);
	unsigned phnum = *(const uint16_t *)(img + 56), last = 0;

	for (unsigned i = 0; i < phnum; i++) {
		if (*(const uint32_t *)(img + phoff + 56u * i) == 1u)
			last = i;
	}
	return *(const uint64_t *)(img + phoff + 56u * last + field);
}

/* Child i's code from the ELF image; its entry in *entry. */
static void build_code(unsigned i, const struct xomb_image *im, uint64_t *entry)
{
	const uint8_t *img = (const uint8_t *)(XOMB_IMAGES_VA + im->offset);

	code_rid[i] =
		alloc_id(XOMB_SYS_ALLOC_RESOURCE, xomb_pte_addr(3, CODE(i)));
	UCHECK(&t, code_rid[i] != 0);
	UCHECK(&t, libos_elf_load(img, im->size, CODE(i), SLOT(1), entry) ==
			   XOMB_SUCCESS);
	/*
	 * Refused before any page is made: an image cut in its header, one
	 * cut one byte into its last segment's file bytes, a span ending one
	 * byte into that segment.
	 */
	UCHECK(&t, libos_elf_load(img, 40, CODE(i), SLOT(1), entry) ==
			   XOMB_INVALID_SOURCE);
	UCHECK(&t, libos_elf_load(img, last_load(img, 8u) + 1u, CODE(i),
				  SLOT(1), entry) == XOMB_INVALID_SOURCE);
	UCHECK(&t,
	       libos_elf_load(img, im->size, CODE(i), last_load(img, 16u) + 1u,
			      entry) == XOMB_INVALID_SOURCE);
}

/* Child i's stack: CHILD_STACK_PAGES pages under XOMB_STACK_TOP. */
static uint64_t build_stack(unsigned i)
{
	uint64_t rid =
		alloc_id(XOMB_SYS_ALLOC_RESOURCE, xomb_pte_addr(3, STACK(i)));
	uint64_t top = STACK(i) + (XOMB_STACK_TOP - CHILD_STACK);

	UCHECK(&t, rid != 0);
	for (unsigned k = 1; k <= CHILD_STACK_PAGES; k++)
		UCHECK(&t, libos_page(top - k * LIBOS_PAGE, LIBOS_RW) != 0);
	return rid;
}

/* Child i: process, code, stack, mailbox (granted, kept), onYield. */
static void build_child(unsigned i, const struct xomb_image *im,
			enum child_role role, enum child_free how)
{
	uint64_t entry = 0, rid_stack, rid_box;

	pid[i] = alloc_id(XOMB_SYS_ALLOC_PROCESS, LINK(i));
	UCHECK(&t, pid[i] != 0);
	UCHECK(&t, sys(XOMB_SYS_YIELD_PROCESS, pid[i], 0, 0, 0, 0) ==
			   XOMB_INVALID_TARGET); /* no onYield yet */
	build_code(i, im, &entry);
	rid_stack = build_stack(i);
	rid_box = alloc_id(XOMB_SYS_ALLOC_RESOURCE, xomb_pte_addr(3, BOX(i)));
	UCHECK(&t, rid_box != 0 && libos_page(BOX(i), LIBOS_RW) != 0);
	box(i)->role = role;
	box(i)->free_how = how;
	box(i)->parent = xomb_self_pid;
	box(i)->own_code = code_rid[i];
	give(code_rid[i], CODE(i), i, xomb_pte_addr(3, CHILD_CODE));
	give(rid_stack, STACK(i), i, xomb_pte_addr(3, CHILD_STACK));
	UCHECK(&t,
	       sys(XOMB_SYS_GRANT_RESOURCE, rid_box, xomb_pte_addr(3, BOX(i)),
		   pid[i], xomb_pte_addr(3, CHILD_BOX), XOMB_PRESENT) == 0);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, pid[i], UP_YIELD, entry, 0, 0) ==
			   XOMB_SUCCESS);
}

/* What the hostile child needs to aim at its sibling and its parent. */
static void aim(unsigned i, unsigned sib)
{
	box(i)->sib = pid[sib];
	box(i)->sib_code = code_rid[sib];
	box(i)->sib_link = LINK(sib);
	box(i)->parent_code = xomb_pte_addr(3, CODE(sib));
	box(i)->shared = rid_s;
}

static void share(void)
{
	uint64_t e = xomb_pte_addr(3, SHARED);

	rid_s = alloc_id(XOMB_SYS_ALLOC_RESOURCE, e);
	UCHECK(&t, rid_s != 0 && libos_page(SHARED, LIBOS_RW) != 0);
	*(volatile uint64_t *)SHARED = CHILD_SHARED_WORD;
	UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, rid_s, e, pid[READER], e,
		       XOMB_PRESENT | 8u) == XOMB_INVALID_FLAGS);
	for (unsigned i = 0; i < NCHILD; i++)
		UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, rid_s, e, pid[i], e,
			       LIBOS_RO) == XOMB_SUCCESS);
	UCHECK(&t, sys(XOMB_SYS_GRANT_RESOURCE, rid_s, e, xomb_self_pid, e,
		       LIBOS_RO) == XOMB_INVALID_TARGET);
}

/* Forged, foreign and out-of-map ids: every call refused. */
static void refusals(void)
{
	UCHECK(&t, sys(XOMB_SYS_YIELD_PROCESS, FORGED, 0, 0, 0, 0) ==
			   XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_YIELD_PROCESS, OUTSIDE, 0, 0, 0, 0) ==
			   XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, FORGED, UP_YIELD, 0x400000, 0, 0) ==
			   XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, pid[READER], 9u, 0x400000, 0, 0) ==
			   XOMB_INVALID_FLAGS);
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, pid[READER], UP_YIELD,
		       0xFFFFFFFF80100000ull, 0, 0) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, pid[READER], LINK(WRITER), 0, 0,
		       0) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, OUTSIDE, LINK(READER), 0, 0, 0) ==
			   XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, xomb_self_pid, LINK(READER), 0, 0,
		       0) == XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_REVOKE_RESOURCE, FORGED,
		       xomb_pte_addr(3, SHARED), pid[READER],
		       xomb_pte_addr(3, SHARED), 0) == XOMB_INVALID_SOURCE);
}

/* FREE_PROCESS of child i: its onFree ran with the parent's id. */
static void free_child(unsigned i)
{
	volatile struct child_box *b = box(i);

	UCHECK(&t, b->freed_by == 0);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, pid[i], LINK(i), 0, 0, 0) ==
			   XOMB_SUCCESS);
	UCHECK(&t, b->freed_by == xomb_self_pid);
	UCHECK(&t, b->free_self == pid[i]);
	UCHECK(&t, b->free_yield_self == XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_FREE_PROCESS, pid[i], LINK(i), 0, 0, 0) ==
			   XOMB_INVALID_SOURCE);
	UCHECK(&t, sys(XOMB_SYS_YIELD_PROCESS, pid[i], 0, 0, 0, 0) ==
			   XOMB_INVALID_TARGET);
}

static void finish(void)
{
	uint64_t e = xomb_pte_addr(3, SHARED);

	UCHECK(&t, sys(XOMB_SYS_REVOKE_RESOURCE, rid_s, e, pid[READER], e, 0) ==
			   XOMB_SUCCESS);
	UCHECK(&t, sys(XOMB_SYS_REVOKE_RESOURCE, rid_s, e, pid[READER], e, 0) ==
			   XOMB_INVALID_TARGET);
	UCHECK(&t, sys(XOMB_SYS_REVOKE_RESOURCE, rid_s, e, pid[WRITER], e, 0) ==
			   XOMB_SUCCESS);
	free_child(WRITER);  /* onFree yields back */
	free_child(READER);  /* onFree EXITs */
	free_child(HOSTILE); /* onFree faults: killed */
	/* Killed in onFree (a write at 8): its onFault was not entered. */
	UCHECK(&t, box(HOSTILE)->fault_addr == 0);
	/* The hostile child's grant went with it. */
	UCHECK(&t, sys(XOMB_SYS_REVOKE_RESOURCE, rid_s, e, pid[HOSTILE], e,
		       0) == XOMB_INVALID_TARGET);
	UCHECK(&t, box(WRITER)->free_yield_sib == XOMB_INVALID_TARGET);
	/* W's own child, freed in W's onFree: at once, SUCCESS, gone. */
	UCHECK(&t, box(WRITER)->nested_pid > 0xff ||
			   (int64_t)box(WRITER)->nested_pid < -0xff);
	UCHECK(&t, box(WRITER)->nested_free == XOMB_SUCCESS);
	UCHECK(&t, sys(XOMB_SYS_YIELD_PROCESS, box(WRITER)->nested_pid, 0, 0, 0,
		       0) == XOMB_INVALID_TARGET);
	UCHECK(&t, *(volatile uint64_t *)SHARED == CHILD_SHARED_WORD);
	uprintf("proc_init: children loaded from an ELF image, yielded back, "
		"freed through onFree\n");
	xomb_exit((uint64_t)utest_report(&t));
}

/* Child i ran once, as caller, with its own id and the parent's. */
static void check_run(unsigned i, uint64_t caller)
{
	volatile struct child_box *b = box(i);

	UCHECK(&t, caller == pid[i]);
	UCHECK(&t, b->runs == 1 && b->self == pid[i]);
	UCHECK(&t, b->caller == xomb_self_pid);
	UCHECK(&t, b->failed == 0 && b->passed >= 2);
}

/* The parent's onYield: caller is the processId that yielded to it. */
static void on_yield(uint64_t caller)
{
	unsigned s = stage;

	check_run(s, caller);
	if (s == READER)
		UCHECK(&t, box(READER)->seen == CHILD_SHARED_WORD);
	if (s == WRITER)
		UCHECK(&t, box(WRITER)->fault_addr == SHARED);
	if (s == HOSTILE)
		UCHECK(&t, box(HOSTILE)->passed == 18); /* 2 + 16 refusals */
	if (s + 1u < NCHILD) {
		stage = s + 1u;
		sys(XOMB_SYS_YIELD_PROCESS, pid[s + 1u], 0, 0, 0, 0);
		UCHECK(&t, 0); /* the yield returned */
	}
	finish();
}

int main(void)
{
	const struct xomb_image *im = libos_image(CHILD_IMAGE);

	UCHECK(&t, xomb_self_pid > 0xff && xomb_self_pid >= FORGED - 0x1000);
	UCHECK(&t, xomb_caller_pid == xomb_self_pid);
	UCHECK(&t, im != 0 && libos_image("no_such_image") == 0);
	if (im == 0)
		return utest_report(&t);
	build_child(READER, im, CHILD_READER, CHILD_FREE_EXIT);
	build_child(WRITER, im, CHILD_WRITER, CHILD_FREE_YIELD);
	build_child(HOSTILE, im, CHILD_HOSTILE, CHILD_FREE_FAULT);
	share();
	aim(HOSTILE, READER);
	box(WRITER)->sib = pid[READER];
	refusals();
	UCHECK(&t, sys(XOMB_SYS_MAP_UPCALL, xomb_self_pid, UP_YIELD,
		       (uint64_t)on_yield, 0, 0) == XOMB_SUCCESS);
	stage = READER;
	sys(XOMB_SYS_YIELD_PROCESS, pid[READER], 0, 0, 0, 0);
	UCHECK(&t, 0); /* the yield returned */
	return utest_report(&t);
}
