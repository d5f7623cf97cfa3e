/*
 * XOmB's processes, resources and upcalls (docs/PROCESS.md, RESOURCE.md,
 * UPCALL.md of xomboverlord/xomb), the portable part: the kernel's
 * system-call layer decodes registers, calls these, and for YIELD_PROCESS
 * loads CR3 and enters the upcall they name. A process is a PML4; a
 * resource is a page-table subtree; ownership is read from the tables
 * (mm/pte.h's OWNER and GRANT bits). Errors are ProcessError /
 * ResourceError (mm_proc_err_t), whose values are the ABI's XOMB_* codes.
 *
 * Kernel state: only what the documents name. The process map (PML4[507])
 * and the resource map (PML4[508]) are kernel-half subtrees shared by every
 * address space; per record (one per process or resource, in memory the
 * caller hands over, sized at boot) the root frame, the upcalls, a
 * resource's reference count and a process's parent; and a hash table from
 * a root's frame to its record.
 *
 * Ids. Record r has map slot s = r + MM_PROC_VIEWS; its id is the kernel
 * virtual address MM_PROC_MAP_VA(s) (processes) or MM_RES_MAP_VA(s)
 * (resources), where the map's PT maps the root frame as a kernel-only,
 * writable, NX data page: an id is "its address in the map", > 0xff, and
 * resolves to the root's frame by one read of the map's entry. The first
 * MM_PROC_VIEWS slots of the process map are the kernel's views: one per
 * level, through which it reads and writes the tables of a process that
 * is not current (each re-pointing costs one invlpg; every call that used
 * a view clears it again before it returns). An id is valid when it is
 * page-aligned, inside its map's slots, and its record is live and of the
 * right kind; anything else (forged, misaligned, outside the maps, a freed
 * process or resource) is refused.
 *
 * Process links (how a walk knows it is at a process root). ALLOC_PROCESS
 * links the child's PML4 into the parent at processAddress as a NON-PRESENT
 * entry holding the root's address and OWNER: the MMU never follows it, no
 * libmm walk descends into it (they all require PRESENT), so the child's
 * kernel half, bitmap slot and recursive windows are never under the
 * parent's tree; mm_exo's calls refuse it (ALLOC_PAGE: not empty;
 * UNMAP/CHMOD/REMAP: not present), and the table holding it is never empty
 * (pt.h counts it). is_mapped for a process compares that entry's address
 * with the frame the processId resolves to.
 *
 * Plain paths. A process link, a resource's root entry (ALLOC_RESOURCE), a
 * granted entry and both entries of CHOWN must lie on a plain path: every
 * entry above them present, not huge, neither OWNER nor GRANT. So a
 * resource never contains another resource, a grant or a process link, a
 * table is reachable once in any address space, and what one process
 * changes is never an alias in the current address space.
 *
 * TLB. Changes to the current address space are invalidated with invlpg as
 * mm/exo.h does; grants, revocations, owner changes and teardown write only
 * tables of processes that are not current (GRANT/REVOKE/CHOWN refuse the
 * current process as target, FREE/KILL refuse it), which the CR3 load of
 * the next switch covers; each change of a map or view entry is one invlpg.
 *
 * Check, then act: a refused call changes nothing. Not thread-safe:
 * callers serialize every call (as for all of libmm).
 */
#ifndef MM_EXO_PROC_H
#define MM_EXO_PROC_H

#include "mm/exo.h"
#include "mm/types.h"

/* ProcessError / ResourceError; the values are the ABI's XOMB_* codes. */
typedef enum {
	MM_PROC_SUCCESS = 0,
	MM_PROC_INVALID_FLAGS = 1,
	MM_PROC_NOT_FREE = 2,
	MM_PROC_INVALID_SOURCE = 4,
	MM_PROC_INVALID_TARGET = 5,
	MM_PROC_NO_ROOM = 6
} mm_proc_err_t;

/* Upcalls (docs/UPCALL.md). */
#define MM_UPCALL_YIELD 1u
#define MM_UPCALL_FREE	2u
#define MM_UPCALL_FAULT 3u

/* The maps: PML4 slots, the views, and the address of map slot s. */
#define MM_PROC_MAP_INDEX 507u
#define MM_RES_MAP_INDEX  508u
#define MM_PROC_VIEWS	  MM_PT_LEVELS
#define MM_PROC_MAP_VA(s)                                                      \
	((mm_vaddr_t)MM_VA_SIGN_EXTEND(                                        \
		MM_PT_FIELD(MM_PT_TOP, MM_PROC_MAP_INDEX) +                    \
		(uint64_t)(s)*MM_FRAME_SIZE))
#define MM_RES_MAP_VA(s)                                                       \
	((mm_vaddr_t)MM_VA_SIGN_EXTEND(                                        \
		MM_PT_FIELD(MM_PT_TOP, MM_RES_MAP_INDEX) +                     \
		(uint64_t)(s)*MM_FRAME_SIZE))
/* One PD of PTs per map: at most this many records. */
#define MM_PROC_MAX (MM_PT_ENTRIES * MM_PT_ENTRIES - MM_PROC_VIEWS)

struct mm_proc_rec;

/* The registry. Fields are private to exo_proc.c. */
struct mm_proc {
	struct mm_exo *x;	 /* the context this registry is bound to */
	struct mm_proc_rec *rec; /* cap records, in the caller's memory */
	uint32_t *hash;		 /* frame -> record + 1, hmask + 1 slots */
	uint32_t cap;		 /* records */
	uint32_t hmask;		 /* hash slots - 1 (a power of two - 1) */
	uint32_t free_head;	 /* first free record */
	uint32_t init;		 /* init's record */
	uint32_t nproc;		 /* live processes, init included */
	uint32_t nres;		 /* live resources */
	uint64_t made_proc;	 /* processes created since init */
	uint64_t made_res;	 /* resources created since init */
	unsigned views;		 /* views in use (a bit per level) */
};

/* Bytes of caller memory mm_proc_init() needs for `records` records. */
uint64_t mm_proc_metadata_bytes(uint64_t records);

/*
 * Build the process and resource maps in the current address space (frames
 * from x->vm->frames, enough PTs for the records that fit in [mem, mem +
 * bytes)), register the current address space as the first process (init,
 * which has no parent and is never freed), bind p to x (x->proc = p) and
 * put init's processId in *init_pid. Every PML4 made afterwards by
 * ALLOC_PROCESS shares the maps; one made otherwise must copy PML4[507]
 * and [508]. Errors: MM_ERR_INVALID (NULL pointer, mem not 8-byte aligned,
 * x already bound, PML4[507] or [508] in use, no room for 1 record);
 * MM_ERR_NOMEM (out of frames for the maps). Nothing changes on failure.
 */
mm_status_t mm_proc_init(struct mm_proc *p, struct mm_exo *x, void *mem,
			 uint64_t bytes, uint64_t *init_pid);

/*
 * Undo mm_proc_init() from init's address space once only init remains
 * and it owns no resource: the maps' frames go back to the allocator and
 * x is unbound. Errors: MM_ERR_INVALID (not init's address space, another
 * process or a resource left); nothing changes then.
 */
mm_status_t mm_proc_fini(struct mm_proc *p);

/*
 * ALLOC_PROCESS: claim phys as the new process's PML4: zeroed, its kernel
 * half (slots [255, 512): bitmap, kernel, maps) copied from the current
 * PML4 with every entry that points to the current PML4 itself (recursive
 * windows) pointed to the new one; link it at the caller's empty entry
 * processAddress (any level, plain path) as a process link; record the
 * caller as its parent. *pid receives the processId. Errors, in the order
 * checked: INVALID_TARGET (processAddress malformed, not on a plain path,
 * not empty; or the caller is not a registered process); NO_ROOM (no free
 * record); NOT_FREE (phys unaligned, beyond the allocator's frames,
 * allocated or reserved). Invalidation: none (a new map slot and a
 * non-present link are not cached).
 */
mm_proc_err_t mm_proc_alloc_process(struct mm_proc *p, uint64_t phys,
				    mm_vaddr_t paddr, uint64_t *pid);

/* What the kernel does for a YIELD_PROCESS that succeeds. */
struct mm_proc_enter {
	mm_paddr_t cr3;	  /* load this PML4 */
	mm_vaddr_t entry; /* jump to this user address */
	uint64_t arg;	  /* with this argument: the caller's processId */
};

/*
 * YIELD_PROCESS, the portable part: *out receives the target's PML4, its
 * onYield upcall and the caller's processId (0 when the current address
 * space is not a registered process). Nothing changes. Errors:
 * INVALID_TARGET (pid not a live process, or it has no onYield).
 */
mm_proc_err_t mm_proc_yield(struct mm_proc *p, uint64_t pid,
			    struct mm_proc_enter *out);

/*
 * FREE_PROCESS: only the parent (is_mapped: processAddress is a process
 * link, on a plain path of the current address space, to the frame pid
 * resolves to). Then teardown: every process the child owns is freed
 * first (deepest first, no recursion), every grant it holds is revoked,
 * every resource it owns is freed (or, while still granted to others,
 * kept until its last grant goes), every other frame of its user half
 * goes back to the allocator, its PML4 too, and the link is cleared. This
 * is the teardown only: entering the child's onFree first is the kernel's
 * part (mm_proc_free_upcall() below; the processes the child owns are
 * torn down without their onFree). Errors: INVALID_SOURCE (pid not a live
 * process, not the caller's child; processAddress not its link).
 */
mm_proc_err_t mm_proc_free_process(struct mm_proc *p, uint64_t pid,
				   mm_vaddr_t paddr);

/*
 * FREE_PROCESS, the first half: the same check as mm_proc_free_process()
 * (same error), then *out receives the child's PML4, its onFree upcall (0
 * when it has none: the kernel frees at once) and the caller's processId,
 * the argument onFree is entered with. Nothing changes: the kernel enters
 * the upcall, and when the child hands control back (or is killed) loads
 * the caller's PML4 again and calls mm_proc_free_process().
 */
mm_proc_err_t mm_proc_free_upcall(struct mm_proc *p, uint64_t pid,
				  mm_vaddr_t paddr, struct mm_proc_enter *out);

/*
 * The kernel kills a process (a fault without onFault): teardown as
 * FREE_PROCESS, and its link in the parent's tables is cleared. Errors:
 * INVALID_TARGET (pid not a live process, init, or the current process:
 * the kernel switches away first).
 */
mm_proc_err_t mm_proc_kill(struct mm_proc *p, uint64_t pid);

/*
 * MAP_UPCALL: set upcall `which` (MM_UPCALL_*) of process pid to entry, a
 * user address in [MM_EXO_VA_MIN, the bitmap slot), or 0 to unset it. Only
 * the process itself or its parent. Errors: INVALID_TARGET (pid not a
 * live process, or neither the caller nor its child); INVALID_FLAGS
 * (unknown which); INVALID_SOURCE (entry not such a user address).
 */
mm_proc_err_t mm_proc_map_upcall(struct mm_proc *p, uint64_t pid,
				 unsigned which, mm_vaddr_t entry);

/*
 * The current process's upcall `which` (for a fault: MM_UPCALL_FAULT):
 * *out as for YIELD (cr3 unchanged: the current PML4, arg: its own
 * processId). Errors: INVALID_TARGET (no registered current process, or
 * the upcall is unset: the kernel kills the process).
 */
mm_proc_err_t mm_proc_current_upcall(struct mm_proc *p, unsigned which,
				     struct mm_proc_enter *out);

/*
 * ALLOC_RESOURCE: claim phys as the root table of a new resource, linked
 * at the caller's empty entry resourceAddress (level 1-3, plain path) as a
 * present, writable user table entry with OWNER; the root's level is one
 * below. *rid receives the resourceId. Errors: INVALID_TARGET (entry
 * malformed, a leaf entry, not on a plain path, not empty; or the caller
 * is not a registered process); NO_ROOM; NOT_FREE. No invlpg: the root is
 * zeroed by its physical address before the entry, which was not present,
 * links it.
 */
mm_proc_err_t mm_proc_alloc_resource(struct mm_proc *p, uint64_t phys,
				     mm_vaddr_t raddr, uint64_t *rid);

/*
 * GRANT_RESOURCE: link the resource rid, which the caller owns at raddr
 * (is_mapped: raddr's entry is present, OWNER, on a plain path, at the
 * resource's level, and points to rid's root frame), into process pid (not
 * the caller) at the empty entry target of pid's own window (same level,
 * plain path in pid's tables), with GRANT and flags: PRESENT required,
 * READONLY and NOEXEC allowed, nothing else. The reference count goes up.
 * Errors, in order: INVALID_SOURCE (rid or raddr); INVALID_FLAGS;
 * INVALID_TARGET (pid not a live process or the caller; target malformed,
 * another level, not on a plain path, not empty); NO_ROOM (the count
 * would overflow).
 */
mm_proc_err_t mm_proc_grant(struct mm_proc *p, uint64_t rid, mm_vaddr_t raddr,
			    uint64_t pid, mm_vaddr_t target, uint64_t flags);

/*
 * REVOKE_RESOURCE: clear pid's granted entry target of the resource rid
 * the caller owns at raddr; the count goes down. Errors: INVALID_SOURCE
 * (as GRANT); INVALID_TARGET (pid not a live process or the caller; target
 * not a GRANT entry of this resource on a plain path of pid's tables).
 */
mm_proc_err_t mm_proc_revoke(struct mm_proc *p, uint64_t rid, mm_vaddr_t raddr,
			     uint64_t pid, mm_vaddr_t target);

/*
 * CHOWN_RESOURCE: pid's granted entry target becomes the owner (OWNER, the
 * caller's access bits and fill count) and the caller's entry at raddr a
 * grant (only its OWNER mark becomes GRANT: no translation changes). Only
 * while that grant is the resource's only one (count 1), so the new owner
 * holds no second link. Errors: INVALID_SOURCE (as GRANT); INVALID_TARGET
 * (as REVOKE, or the count is not 1).
 */
mm_proc_err_t mm_proc_chown(struct mm_proc *p, uint64_t rid, mm_vaddr_t raddr,
			    uint64_t pid, mm_vaddr_t target);

#endif /* MM_EXO_PROC_H */
