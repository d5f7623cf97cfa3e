/*
 * What proc_init and its children (proc_child.c, an ELF image module
 * loaded by proc_init itself) agree on: where the child sees its
 * resources, and the mailbox page the parent owns and grants writable.
 */
#ifndef PROC_CHILD_H
#define PROC_CHILD_H

#include <stdint.h>

#define CHILD_SLOT(n)	  ((uint64_t)(n) << XOMB_PT_SHIFT(3))
#define CHILD_CODE	  CHILD_SLOT(0)	  /* the ELF's segments */
#define CHILD_BOX	  CHILD_SLOT(4)	  /* the mailbox */
#define CHILD_SHARED	  CHILD_SLOT(5)	  /* granted read-only */
#define CHILD_NESTED	  CHILD_SLOT(9)	  /* the link to its own child */
#define CHILD_STACK	  CHILD_SLOT(253) /* holds XOMB_STACK_TOP */
#define CHILD_STACK_PAGES 4u
#define CHILD_IMAGE	  "proc_child"
#define CHILD_SHARED_WORD 0x5A5A5A5A5A5Aull

enum child_role { CHILD_READER = 1, CHILD_WRITER, CHILD_HOSTILE };

/* How the child hands control back from its onFree. */
enum child_free { CHILD_FREE_YIELD = 1, CHILD_FREE_EXIT, CHILD_FREE_FAULT };

struct child_box {
	/* Written by the parent before the first yield. */
	uint64_t role, free_how;
	uint64_t parent;      /* the parent's processId */
	uint64_t sib;	      /* a sibling's processId */
	uint64_t sib_code;    /* the sibling's code resourceId */
	uint64_t sib_link;    /* the parent's link to the sibling */
	uint64_t parent_code; /* the parent's entry of its grant of it */
	uint64_t shared;      /* the shared resourceId (only granted) */
	uint64_t own_code;    /* the child's own code resourceId */
	/* Written by the child. */
	uint64_t runs;		      /* times main ran (onYield entries) */
	uint64_t self, caller;	      /* _start's rsi and rdi, first run */
	uint64_t seen;		      /* reader: the shared word */
	uint64_t fault_addr;	      /* writer: cr2 in its onFault */
	uint64_t freed_by, free_self; /* onFree's rdi and rsi */
	int64_t free_yield_self;      /* onFree: YIELD_PROCESS(itself) */
	int64_t free_yield_sib;	      /* onFree: YIELD_PROCESS(sibling) */
	uint64_t passed, failed;      /* its checks */
	int64_t nested_free; /* onFree: FREE_PROCESS of its own child */
	uint64_t nested_pid; /* that child's processId */
};

#endif /* PROC_CHILD_H */
