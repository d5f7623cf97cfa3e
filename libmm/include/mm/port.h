/*
 * What an environment supplies to libmm. libmm calls these functions and
 * never includes anything from arch/ or kernel/; the kernel port
 * (arch/x86_64) and the hosted simulator (libmm/host) each define all of
 * them, and the linker picks one. `ctx` is the opaque environment handle
 * stored in struct mm_vm (the kernel ignores it; the host passes its
 * struct mm_sim).
 *
 * What the freestanding library (libmm_kernel.a: CMake libmm::kernel,
 * pkg-config libmm-kernel) demands of the kernel that links it:
 *  - every function declared below, defined by the kernel. A missing one
 *    that libmm calls fails the link naming it: undefined reference to
 *    `mm_port_invlpg'.
 *  - memset, memcpy, memmove and memcmp, which GCC and Clang may call from
 *    any freestanding code (struct copies, zeroing). libmm needs nothing
 *    else: no other libc function, no allocator, no libgcc.
 *  - its code model and ABI, for the kernel's own code too: -ffreestanding
 *    -m64 -mno-red-zone (interrupts may arrive in kernel code)
 *    -mgeneral-regs-only (no SSE state in the kernel) -mcmodel=kernel -fno-pic
 *    -fno-pie -fno-stack-protector, linked -nostdlib -static. libmm::kernel
 *    and libmm-kernel.pc carry these flags.
 *  - a link address in the top 2 GiB of the address space
 *    (0xFFFFFFFF80000000 and up), which -mcmodel=kernel assumes.
 *  - PML4[MM_RECURSIVE_INDEX] (510) holding the PML4's own physical address
 *    before mm_vm_init(): libmm reaches every table through that window.
 *  - one caller at a time: libmm is not thread-safe, callers serialize.
 */
#ifndef MM_PORT_H
#define MM_PORT_H

#include "mm/types.h"

/* CPU features, as reported by mm_port_cpu_features(). */
#define MM_CPU_NX (1u << 0) /* EFER.NXE is on: bit 63 of an entry is NX */
#define MM_CPU_1G (1u << 1) /* 1 GiB pages (CPUID pdpe1gb) */

/*
 * Read / write the page-table entry at virtual address va, which lies in the
 * recursive window. The kernel dereferences va; the host translates it through
 * its simulated MMU and TLB exactly as the CPU would.
 */
mm_pte_t mm_port_pte_read(void *ctx, mm_vaddr_t va);
void mm_port_pte_write(void *ctx, mm_vaddr_t va, mm_pte_t pte);

/* Zero the 4 KiB page-table page at window address va (page-aligned). */
void mm_port_table_zero(void *ctx, mm_vaddr_t va);

/* Invalidate the TLB entry for va on this CPU (invlpg). */
void mm_port_invlpg(void *ctx, mm_vaddr_t va);

/* Flush all non-global TLB entries (CR3 reload). */
void mm_port_flush_all(void *ctx);

/* MM_CPU_* bits the CPU supports and the environment has enabled. */
uint32_t mm_port_cpu_features(void *ctx);

/*
 * Bracket one public paging operation. The kernel does nothing here; the host
 * simulator's strict mode preloads every valid translation into its TLB
 * model at begin and, at end, reports any cached entry that no longer
 * matches the tables (a missing invalidation).
 */
void mm_port_op_begin(void *ctx);
void mm_port_op_end(void *ctx);

/*
 * A libmm invariant failed: never returns. Host: prints and aborts, failing
 * the test. Kernel: panics with file, line and message on serial.
 */
_Noreturn void mm_port_assert_fail(const char *file, int line,
				   const char *expr);

#endif /* MM_PORT_H */
