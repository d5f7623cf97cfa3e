/*
 * Owns the kernel side of XOmB's processes, resources and upcalls: the
 * registry and init's address space set up at boot, programs as processes,
 * the decode of system calls 21-28 into mm/exo_proc.h, and entering
 * upcalls. See exoproc.h.
 */
#include "exoproc.h"

#include "aspace.h"
#include "exok.h"
#include "kmem.h"
#include "kprintf.h"
#include "mm/port.h"
#include "panic.h"
#include "xomb/abi.h"

#define PAGE	     MM_FRAME_SIZE
#define PF_ERR_USER  4u
#define USER_RFLAGS  0x002u /* IF off, as uarch_enter() */
#define EXOPROC_SLOT 1u	    /* init's PML4 entry holding the program */
#define EXOPROC_LINK                                                           \
	MM_PTE_VA(MM_PT_TOP, (mm_vaddr_t)EXOPROC_SLOT *MM_PT_SPAN(MM_PT_TOP))

struct exoproc exoproc;

/* The records for this much RAM: one per EXOPROC_FRAMES_PER_RECORD. */
static uint64_t exoproc_records(void)
{
	struct mm_frame_stats s;
	uint64_t n;

	mm_frame_stats(&kmem.frames, &s);
	n = s.total_frames / EXOPROC_FRAMES_PER_RECORD;
	if (n < EXOPROC_MIN_RECORDS)
		n = EXOPROC_MIN_RECORDS;
	return n > MM_PROC_MAX ? MM_PROC_MAX : n;
}

/* Map `pages` zeroed, writable, NX frames at ASPACE_REGISTRY_VA. */
static void exoproc_map_registry(uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t pfn;
		volatile uint64_t *p;

		if (mm_frame_alloc(&kmem.frames, &pfn) != MM_OK)
			panic("exoproc: no frame for the registry");
		if (mm_map(&kmem.vm, ASPACE_REGISTRY_VA + i * PAGE,
			   MM_PFN_TO_PADDR(pfn), MM_PAGE_4K,
			   MM_PROT_WRITE) != MM_OK)
			panic("exoproc: mapping the registry");
		p = (volatile uint64_t *)(ASPACE_REGISTRY_VA + i * PAGE);
		for (unsigned j = 0; j < PAGE / sizeof(*p); j++)
			p[j] = 0;
	}
}

void exoproc_init(void)
{
	uint64_t bytes, pages;
	mm_status_t st;

	exoproc.records = exoproc_records();
	bytes = mm_proc_metadata_bytes(exoproc.records);
	pages = (bytes + PAGE - 1u) / PAGE;
	if (pages * PAGE > ASPACE_REGISTRY_MAX)
		panic("exoproc: registry of %lu bytes too large", bytes);
	exoproc_map_registry(pages);
	if (aspace_create(&exoproc.init_pml4) != MM_OK)
		panic("exoproc: no frame for init's PML4");
	aspace_switch(exoproc.init_pml4);
	st = mm_proc_init(&exoproc.p, &exok.x, (void *)ASPACE_REGISTRY_VA,
			  pages * PAGE, &exoproc.init_pid);
	aspace_switch(aspace_kernel());
	if (st != MM_OK)
		panic("exoproc: mm_proc_init: %s", mm_status_str(st));
}

mm_status_t exoproc_create(uint64_t *pml4, uint64_t *pid)
{
	uint64_t pfn;
	mm_proc_err_t e;

	if (mm_frame_alloc(&kmem.frames, &pfn) != MM_OK)
		return MM_ERR_NOMEM;
	/* ALLOC_PROCESS claims the frame itself: hand it back first. */
	mm_frame_free(&kmem.frames, pfn);
	aspace_switch(exoproc.init_pml4);
	e = mm_proc_alloc_process(&exoproc.p, MM_PFN_TO_PADDR(pfn),
				  EXOPROC_LINK, pid);
	aspace_switch(aspace_kernel());
	if (e != MM_PROC_SUCCESS)
		return MM_ERR_NOMEM;
	*pml4 = MM_PFN_TO_PADDR(pfn);
	return MM_OK;
}

void exoproc_destroy(uint64_t pid)
{
	mm_proc_err_t e;

	aspace_switch(exoproc.init_pml4);
	e = mm_proc_free_process(&exoproc.p, pid, EXOPROC_LINK);
	aspace_switch(aspace_kernel());
	if (e != MM_PROC_SUCCESS)
		panic("exoproc: freeing program process %#lx: error %d", pid,
		      (int)e);
}

/*
 * Rewrite f so the system-call return enters `in` in ring 3, rsi = self
 * (the entered process's own processId).
 */
static void exoproc_enter_frame(struct uarch_frame *f,
				const struct mm_proc_enter *in, uint64_t self)
{
	*f = (struct uarch_frame){0};
	f->rip = in->entry;
	f->rdi = in->arg;
	f->rsi = self;
	f->rsp = XOMB_STACK_TOP;
	f->rflags = USER_RFLAGS;
	aspace_switch(in->cr3);
}

/* Tear the pending free's child down from its parent; resume the parent. */
static _Noreturn void exoproc_free_finish(void)
{
	struct exoproc_free *fr = &exoproc.fr;
	mm_proc_err_t e;

	uarch_user_access_end(); /* a fault may have left the child's AC */
	fr->pending = false;
	exoproc.in_fault = false;
	aspace_switch(fr->cr3);
	kmem_lock();
	e = mm_proc_free_process(&exoproc.p, fr->child, fr->link);
	kmem_unlock();
	fr->frame.rax = (uint64_t)e;
	uarch_resume(&fr->frame);
}

static int64_t exoproc_yield(struct uarch_frame *f)
{
	struct mm_proc_enter in;
	uint64_t target = f->rdi;
	mm_proc_err_t e;

	if (exoproc.fr.pending) {
		if (target == exoproc.fr.parent)
			exoproc_free_finish();
		return MM_PROC_INVALID_TARGET;
	}
	kmem_lock();
	e = mm_proc_yield(&exoproc.p, target, &in);
	kmem_unlock();
	if (e != MM_PROC_SUCCESS)
		return e;
	if (in.entry >= UARCH_USER_HALF_END)
		return MM_PROC_INVALID_TARGET;
	exoproc_enter_frame(f, &in, target);
	return 0;
}

/* Record the pending free of f's call; true when onFree is to be entered. */
static bool exoproc_free_start(const struct uarch_frame *f,
			       const struct mm_proc_enter *in)
{
	struct exoproc_free *fr = &exoproc.fr;

	if (fr->pending || in->entry == 0 || in->entry >= UARCH_USER_HALF_END)
		return false;
	fr->pending = true;
	fr->child = f->rdi;
	fr->parent = in->arg;
	fr->link = f->rsi;
	fr->cr3 = aspace_current();
	fr->frame = *f;
	fr->frees++;
	return true;
}

/* FREE_PROCESS: enter the child's onFree, or tear it down at once. */
static int64_t exoproc_free(struct uarch_frame *f)
{
	struct mm_proc_enter in;
	uint64_t child = f->rdi;
	mm_proc_err_t e;
	bool upcall = false;

	kmem_lock();
	e = mm_proc_free_upcall(&exoproc.p, child, f->rsi, &in);
	if (e == MM_PROC_SUCCESS) {
		upcall = exoproc_free_start(f, &in);
		if (!upcall)
			e = mm_proc_free_process(&exoproc.p, child, f->rsi);
	}
	kmem_unlock();
	if (upcall)
		exoproc_enter_frame(f, &in, child);
	return e;
}

void exoproc_end(const char *why, uint64_t vector, uint64_t rip)
{
	if (!exoproc.fr.pending)
		return;
	if (why != NULL)
		kprintf("user: onFree of process %#lx killed reason=%s "
			"vector=%lu rip=%#lx\n",
			exoproc.fr.child, why, vector, rip);
	exoproc_free_finish();
}

/* Calls 21 and 23-28 on the current address space. */
static int64_t exoproc_call(const struct uarch_frame *f)
{
	struct mm_proc *p = &exoproc.p;
	uint64_t id = 0;
	mm_proc_err_t e;

	switch (f->rax) {
	case XOMB_SYS_ALLOC_PROCESS:
		e = mm_proc_alloc_process(p, f->rdi, f->rsi, &id);
		break;
	case XOMB_SYS_MAP_UPCALL:
		return mm_proc_map_upcall(p, f->rdi, (unsigned)f->rsi, f->rdx);
	case XOMB_SYS_ALLOC_RESOURCE:
		e = mm_proc_alloc_resource(p, f->rdi, f->rsi, &id);
		break;
	case XOMB_SYS_GRANT_RESOURCE:
		return mm_proc_grant(p, f->rdi, f->rsi, f->rdx, f->r10, f->r8);
	case XOMB_SYS_REVOKE_RESOURCE:
		return mm_proc_revoke(p, f->rdi, f->rsi, f->rdx, f->r10);
	case XOMB_SYS_CHOWN_RESOURCE:
		return mm_proc_chown(p, f->rdi, f->rsi, f->rdx, f->r10);
	default:
		return XOMB_ENOSYS;
	}
	return e == MM_PROC_SUCCESS ? (int64_t)id : e;
}

/* The current address space shares the maps (a program's, not a bare one). */
static bool exoproc_has_maps(void)
{
	return mm_port_pte_read(NULL, MM_RECURSIVE_PML4 +
					      MM_PROC_MAP_INDEX * MM_PTE_SIZE) &
	       MM_PTE_PRESENT;
}

int64_t exoproc_syscall(struct uarch_frame *f)
{
	int64_t r;

	if (!exoproc_has_maps())
		return MM_PROC_INVALID_TARGET;
	if (f->rax == XOMB_SYS_YIELD_PROCESS)
		return exoproc_yield(f);
	if (f->rax == XOMB_SYS_FREE_PROCESS)
		return exoproc_free(f);
	kmem_lock();
	r = exoproc_call(f);
	kmem_unlock();
	return r;
}

void exoproc_syscall_seen(void)
{
	exoproc.in_fault = false;
}

void exoproc_fault(uint64_t error, uint64_t rip, uint64_t cr2)
{
	struct mm_proc_enter in;
	mm_proc_err_t e;

	if (exoproc.in_fault || exoproc.fr.pending || !(error & PF_ERR_USER))
		return;
	kmem_lock();
	e = mm_proc_current_upcall(&exoproc.p, MM_UPCALL_FAULT, &in);
	kmem_unlock();
	if (e != MM_PROC_SUCCESS || in.entry >= UARCH_USER_HALF_END)
		return;
	exoproc.in_fault = true;
	uarch_upcall(in.entry, XOMB_STACK_TOP, in.arg, cr2, error, rip);
}
