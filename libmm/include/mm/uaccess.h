/*
 * Checks of user-supplied memory ranges against the current address space:
 * before the kernel touches a buffer a program named in a system call, it
 * asks whether a ring-3 access to every byte of it would succeed right now.
 */
#ifndef MM_UACCESS_H
#define MM_UACCESS_H

#include "mm/paging.h"
#include "mm/status.h"
#include "mm/types.h"

/* The user half: [0, MM_USER_HALF_END), below the canonical hole. */
#define MM_USER_HALF_END ((mm_vaddr_t)MM_VA_SIGN_BIT)

/*
 * Check that [va, va + len) could be read (or, when write is true, written)
 * by ring 3 in the address space vm edits (the tables loaded in CR3):
 * the range does not wrap, lies in the user half, len <= max, and every page
 * in it is present with U/S set at every level of its walk (and R/W at
 * every level when write), with no reserved bit set in any entry on the way
 * (NX without EFER.NXE, PS in the PML4, a 1 GiB page on a CPU without them,
 * address bits of a huge page below its size). These are the x86-64 rules
 * for a user-mode access; the kernel (CR0.WP = 1) may then access the range
 * at CPL 0 with the same outcome. Execute permission is not considered:
 * the supervisor only reads and writes user data, so NX does not matter.
 * 4 KiB, 2 MiB and 1 GiB pages are each walked once, in ascending order.
 *
 * len 0: MM_OK, without reading any table (and whatever va is): an empty
 * buffer is never touched.
 *
 * Errors (the codes mm_sim_access reports for the same access):
 *   MM_ERR_INVALID: vm NULL; len > max; va + len wraps past 2^64; a byte of
 *     the range at or above MM_USER_HALF_END (kernel half or non-canonical);
 *     a page present but not user-accessible, or not writable when write,
 *     or with a reserved bit set.
 *   MM_ERR_NOT_MAPPED: a page of the range (or a table above it) is not
 *     present.
 * When several pages fail, the lowest one gives the error. Nothing is
 * changed, whatever the outcome.
 *
 * Cost: O(pages in the range), at most four entry reads per page, through
 * mm_port_pte_read. Not thread-safe (as all of libmm): the caller keeps the
 * tables from changing until it has finished with the range.
 */
mm_status_t mm_user_check(struct mm_vm *vm, mm_vaddr_t va, uint64_t len,
			  bool write, uint64_t max);

#endif /* MM_UACCESS_H */
