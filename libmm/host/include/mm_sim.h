/*
 * The simulated machine (hosted builds only): physical memory as a byte
 * array, a fake CR3, a software page walk with the x86-64 rules and a TLB
 * model that may keep any translation that was valid at some moment until it
 * is invalidated. It implements mm/port.h, so libmm's page-table accesses go
 * through this MMU and TLB exactly as they would on hardware: a missing
 * invalidation makes libmm read a stale table here too.
 *
 * The simulated CPU has CR0.WP = 1 (supervisor writes to read-only pages
 * fault), CR4.PGE = 1 (global entries survive a CR3 reload), a 52-bit
 * physical address width, and EFER.NXE = 1 exactly when it has MM_SIM_NX.
 * It is as unforgiving as hardware:
 *  - RAM nobody zeroed holds garbage: every frame is poisoned at creation
 *    (bytes 0xA5: as an entry, present, PS, NX, far beyond the RAM), and a
 *    table frame again when libmm frees it (mm_port_table_freed);
 *  - a walk for an access sets Accessed in every entry it uses and a write
 *    sets Dirty in the leaf (again when the cached translation was clean),
 *    as does caching a translation in a fill;
 *  - when libmm makes an entry that points to a table present, the MMU at
 *    once walks below it and caches what it finds (speculative
 *    paging-structure caching), so a table linked before it was zeroed
 *    leaves stale entries.
 *
 * Not thread-safe: one thread drives a machine at a time.
 */
#ifndef MM_SIM_H
#define MM_SIM_H

#include "mm/frame.h"
#include "mm/paging.h"
#include "mm/port.h"

/* Features of the simulated CPU (mm_sim_create). */
#define MM_SIM_NX MM_CPU_NX
#define MM_SIM_1G MM_CPU_1G

/* One CPU access (mm_sim_access): exactly one of R/W/X, optionally USER. */
#define MM_SIM_READ  (1u << 0)
#define MM_SIM_WRITE (1u << 1)
#define MM_SIM_EXEC  (1u << 2)
#define MM_SIM_USER  (1u << 3) /* CPL 3; without it the access is CPL 0 */

/* Physical layout: frame 0 stays unused, the PML4 sits in frame 1. */
#define MM_SIM_PML4_PA ((mm_paddr_t)MM_FRAME_SIZE)

struct mm_sim;

/* The simulator's counters, copied by mm_sim_stats(). */
struct mm_sim_stats {
	uint64_t invlpg;     /* mm_port_invlpg calls */
	uint64_t full_flush; /* mm_sim_flush_all calls */
	uint64_t tlb_hits;   /* accesses answered by the TLB */
	uint64_t tlb_misses; /* accesses that walked the tables */
	uint64_t stale_hits; /* hits on an entry the tables disagree with */
	uint64_t strict_violations; /* stale entries found by strict op_end */
	uint64_t tlb_entries;	    /* translations cached right now */
	uint64_t ops;		    /* completed op_begin / op_end pairs */
};

/*
 * A machine with phys_bytes of RAM (a multiple of 4 KiB, at least 1 MiB, at
 * most 4 GiB) and the given MM_SIM_* features: a PML4 whose entry
 * MM_RECURSIVE_INDEX points to itself is loaded in CR3, and a frame
 * allocator covers the RAM minus frame 0, the PML4 and the allocator's
 * metadata (which live in the simulated RAM). Strict mode is off; strict
 * violations abort. Returns NULL for bad arguments or when the host is out
 * of memory.
 */
struct mm_sim *mm_sim_create(uint64_t phys_bytes, uint32_t features);

/* Release everything mm_sim_create() allocated. NULL is a no-op. */
void mm_sim_destroy(struct mm_sim *sim);

/* The paging context bound to this machine, for mm_map() and friends. */
struct mm_vm *mm_sim_vm(struct mm_sim *sim);

/* The frame allocator over the simulated RAM. */
struct mm_frames *mm_sim_frames(struct mm_sim *sim);

/*
 * One CPU access to va (MM_SIM_READ, _WRITE or _EXEC, optionally | USER)
 * through the TLB and, on a miss, the page walk (which fills the TLB).
 * *pa_out (may be NULL) receives the physical address. Errors:
 * MM_ERR_NOT_MAPPED (a non-present entry on the way), MM_ERR_INVALID
 * (protection or reserved-bit fault, non-canonical va, bad access bits).
 * A fault drops the TLB entries for va, as on hardware.
 */
mm_status_t mm_sim_access(struct mm_sim *sim, mm_vaddr_t va, unsigned access,
			  mm_paddr_t *pa_out);

/*
 * Supervisor read / write of the 8 bytes at va (8-byte aligned) through the
 * MMU. Errors: those of mm_sim_access(), MM_ERR_INVALID for a misaligned va,
 * MM_ERR_OUT_OF_RANGE when va maps to physical memory beyond the RAM.
 * A failed call reads or writes nothing.
 */
mm_status_t mm_sim_read64(struct mm_sim *sim, mm_vaddr_t va, uint64_t *value);
mm_status_t mm_sim_write64(struct mm_sim *sim, mm_vaddr_t va, uint64_t value);

/*
 * Physical memory, bypassing the MMU and the TLB (a test editing a PTE
 * behind libmm's back). pa must be 8-byte aligned; reads beyond the RAM
 * return 0, and writes there or to a misaligned pa are dropped.
 */
uint64_t mm_sim_phys_read64(const struct mm_sim *sim, mm_paddr_t pa);
void mm_sim_phys_write64(struct mm_sim *sim, mm_paddr_t pa, uint64_t value);

/* The whole RAM, read-only (for comparing raw table memory), and its size. */
const uint8_t *mm_sim_ram(const struct mm_sim *sim);
uint64_t mm_sim_ram_bytes(const struct mm_sim *sim);

/* The physical address loaded in CR3 (the PML4). */
mm_paddr_t mm_sim_cr3(const struct mm_sim *sim);

/*
 * Strict mode: mm_port_op_begin() preloads the TLB with every valid
 * translation (the recursive window included) and mm_port_op_end() compares
 * every cached entry with the tables; each disagreement counts as a strict
 * violation and, unless mm_sim_set_strict_abort(sim, false), prints it and
 * aborts. Work that cannot change the outcome is skipped: no fill when the
 * RAM is unchanged since the last one (only the entries dropped since are
 * walked again), no check when the RAM is unchanged since the last check.
 */
void mm_sim_set_strict(struct mm_sim *sim, bool on);
void mm_sim_set_strict_abort(struct mm_sim *sim, bool abort_on_violation);

/* Copy the counters. */
void mm_sim_stats(const struct mm_sim *sim, struct mm_sim_stats *st);

/*
 * Preload the TLB with every valid translation now (what strict op_begin
 * does), and check every cached entry against the tables now (what strict
 * op_end does): returns the number of disagreeing entries, also added to
 * strict_violations, without aborting.
 */
void mm_sim_tlb_fill(struct mm_sim *sim);
uint64_t mm_sim_tlb_check(struct mm_sim *sim);

/* A CR3 reload: drop every non-global TLB entry (counted in full_flush). */
void mm_sim_flush_all(struct mm_sim *sim);

/* True iff the TLB caches a translation covering va. */
bool mm_sim_tlb_has(const struct mm_sim *sim, mm_vaddr_t va);

/*
 * Fault injection: during the next paging operation (the next outermost
 * op_begin / op_end pair) only n frame allocations succeed; later ones fail
 * with MM_ERR_NOMEM. The frame allocator itself is not touched: op_begin
 * claims every free frame but n through its public API and op_end gives
 * them back, so the free count seen after the operation is unaffected.
 * A negative n disarms.
 */
void mm_sim_fail_alloc_after(struct mm_sim *sim, int64_t n);

/*
 * Several address spaces (XOmB processes, mm/exo_proc.h): load CR3 with
 * the PML4 at pa, as `mov cr3` does with CR4.PGE set: every non-global
 * translation leaves the TLB, global ones stay. libmm then edits the new
 * address space through its recursive entry, which that PML4 must hold
 * (mm/exo_proc.h's ALLOC_PROCESS builds such roots). Errors:
 * MM_ERR_INVALID for a pa that is not 4 KiB-aligned or not below the RAM
 * size, or a call between op_begin and op_end; nothing changes then.
 */
mm_status_t mm_sim_load_cr3(struct mm_sim *sim, mm_paddr_t pa);

#endif /* MM_SIM_H */
