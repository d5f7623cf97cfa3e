/*
 * Programs: a process is an address space (one PML4) with an entry point;
 * one runs at a time, on the one CPU, until it exits or the kernel kills
 * it. Callers hold kmem.lock around every call; proc_run() releases it
 * while the program runs and takes it again before returning.
 */
#ifndef XOMB_PROC_H
#define XOMB_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/status.h"

enum proc_end {
	PROC_EXITED, /* EXIT(code) */
	PROC_KILLED, /* a fault in ring 3 or a refused return */
};

struct proc {
	unsigned pid;
	const char *name;
	uint64_t pml4;	/* physical; 0 when there is no address space */
	uint64_t xpid;	/* its processId (exoproc.h) while pml4 != 0 */
	uint64_t entry; /* ELF entry point */
	enum proc_end end;
	uint64_t code;	 /* EXIT's argument */
	uint64_t vector; /* killed: the exception, or UARCH_KILL_RETURN */
};

/*
 * Validate the ELF image [img, img + size) and build p's address space
 * from it: every PT_LOAD page copied or zeroed, mapped with the segment's
 * protection plus USER; XOMB_STACK_PAGES of stack below XOMB_STACK_TOP with
 * an unmapped guard page under them. Returns NULL on success, else the
 * reason (an elf_check() reason or "out_of_memory"); nothing of the program
 * is left allocated then. The kernel's address space is current on return.
 */
const char *proc_load(struct proc *p, const void *img, size_t size);

/*
 * Run p in ring 3 from its entry, rsp = XOMB_STACK_TOP, until it exits or
 * is killed; p->end and p->code say which. The kernel's address space is
 * current on return.
 */
void proc_run(struct proc *p);

/*
 * One user page at va of the current address space: a zeroed frame with
 * `n` bytes from src at offset `at` (n + at <= 4096), mapped with prot |
 * USER. Errors: MM_ERR_NOMEM (no frame) or mm_map's (va in use): nothing
 * allocated then. Caller holds kmem.lock.
 */
mm_status_t proc_map_page(uint64_t va, const uint8_t *src, uint64_t at,
			  uint64_t n, unsigned prot);

/* Free everything p's address space holds (after proc_run or on its own). */
void proc_destroy(struct proc *p);

/* The running program (NULL in the kernel). */
struct proc *proc_current(void);

/* End the running program with EXIT(code). */
_Noreturn void proc_exit(uint64_t code);

#endif /* XOMB_PROC_H */
