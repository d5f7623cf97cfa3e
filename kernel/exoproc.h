/*
 * XOmB's processes, resources and upcalls in the kernel (issue 14): the
 * registry of mm/exo_proc.h set up at boot, every program the kernel
 * starts registered as a process, and the decode of system calls 21-28.
 *
 * Layout. The process and resource maps (PML4[507], [508]) are built by
 * mm_proc_init() in the kernel's init address space (a PML4 made by
 * aspace_create(), never run), and every program's PML4 is made from it by
 * ALLOC_PROCESS, linked at init's entry EXOPROC_LINK, so it shares both
 * maps and the kernel half; processes a program makes copy them from it.
 * The registry's records live in shared kernel memory at
 * ASPACE_REGISTRY_VA, one record per EXOPROC_FRAMES_PER_RECORD frames of
 * RAM (at least EXOPROC_MIN_RECORDS, at most MM_PROC_MAX), sized at boot.
 *
 * A program's run. The kernel registers the program as a child of init,
 * runs it, and when any process of it EXITs or is killed (a fault without
 * an onFault upcall, or a fault inside its own onFault upcall before any
 * system call), the run ends: the kernel frees the program's root process
 * with FREE_PROCESS from init, which tears down every process and resource
 * the program created (mm_proc_free_process), so frames_leaked covers all.
 *
 * Upcalls. YIELD_PROCESS and a page fault with an onFault upcall enter the
 * upcall in ring 3 with rsp = XOMB_STACK_TOP of the target (a process maps
 * its own stack there; entering an upcall starts it afresh), rflags with
 * IF off, every register zero except: onYield rdi = the caller's
 * processId; onFault rdi = the faulting processId, rsi = cr2, rdx = the
 * error code, rcx = the faulting rip. onYield and onFree also get rsi =
 * the entered process's own processId (a program's _start too: rdi = rsi
 * = its processId).
 *
 * FREE_PROCESS (xomb/abi.h "FREE_PROCESS and onFree"). After the portable
 * check (mm_proc_free_upcall), a child without onFree is torn down at
 * once. Otherwise the kernel saves the parent's system-call frame, enters
 * the child's onFree (rdi = the parent's processId, rsi = the child's),
 * and waits for the child to hand control back: YIELD_PROCESS to the
 * parent, EXIT, or being killed (any fault or refused return: onFault is
 * not entered during onFree). Then it loads the parent's PML4, tears the
 * child down (mm_proc_free_process) and resumes the parent's FREE_PROCESS
 * call with its result in rax, every other register as the parent left
 * it. While a free is pending the child may YIELD_PROCESS to nobody else
 * (INVALID_TARGET), and a FREE_PROCESS it makes tears down at once
 * without entering that grandchild's onFree (one pending free at a time).
 *
 * Callers: one CPU; exoproc_init() and exoproc_create()/_destroy() with
 * kmem.lock held, exoproc_syscall() and exoproc_fault() without it.
 */
#ifndef XOMB_EXOPROC_H
#define XOMB_EXOPROC_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/exo_proc.h"
#include "uarch.h"

#define EXOPROC_FRAMES_PER_RECORD 16u
#define EXOPROC_MIN_RECORDS	  64u

/* What boot set up, for tests and the summary. */
struct exoproc {
	struct mm_proc p;
	uint64_t init_pml4; /* the init address space (physical) */
	uint64_t init_pid;
	uint64_t records;   /* the registry's capacity */
	uint64_t base_proc; /* p.made_proc when the program phase began */
	uint64_t base_res;
	bool in_fault; /* in an onFault upcall, no system call since */
	struct exoproc_free {
		bool pending;	 /* a child is in its onFree */
		uint64_t child;	 /* its processId */
		uint64_t parent; /* the caller of FREE_PROCESS */
		uint64_t link;	 /* processAddress, in the parent */
		uint64_t cr3;	 /* the parent's PML4 */
		uint64_t frees;	 /* onFree upcalls entered (a figure) */
		struct uarch_frame frame; /* the parent's call, resumed */
	} fr;
};

extern struct exoproc exoproc;

/*
 * Boot, after exok_init(): make init's address space, map the registry
 * memory, mm_proc_init(). Panics when frames run out (boot).
 */
void exoproc_init(void);

/*
 * A new program address space, registered as a process (child of init):
 * *pml4 its PML4, *pid its processId. Errors: MM_ERR_NOMEM (no frame, no
 * record, or the link is in use: nothing allocated then). The kernel's
 * address space is current on return.
 */
mm_status_t exoproc_create(uint64_t *pml4, uint64_t *pid);

/*
 * Free the program pid and everything it created (FREE_PROCESS from
 * init). Panics when libmm refuses (the kernel's own bookkeeping is
 * wrong). The kernel's address space is current on return.
 */
void exoproc_destroy(uint64_t pid);

/*
 * System call f->rax (21-28) of the running program on the current
 * address space; the ProcessError/ResourceError code. A successful
 * YIELD_PROCESS rewrites f to enter the target's onYield (CR3 loaded).
 */
int64_t exoproc_syscall(struct uarch_frame *f);

/*
 * A page fault in ring 3: when the current process has an onFault upcall
 * (and is not already in it without a system call since), enter it (never
 * returns); else return and the kernel kills the program.
 */
void exoproc_fault(uint64_t error, uint64_t rip, uint64_t cr2);

/*
 * The running process ends (EXIT or a kill): when it is a child in its
 * onFree, tear it down and resume the parent's FREE_PROCESS (never
 * returns); otherwise return and the program ends. `why` names the end
 * for the console line (NULL: EXIT, no line).
 */
void exoproc_end(const char *why, uint64_t vector, uint64_t rip);

/* A system call arrived: the process is out of its fault upcall. */
void exoproc_syscall_seen(void);

#endif /* XOMB_EXOPROC_H */
