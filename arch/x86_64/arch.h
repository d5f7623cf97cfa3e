/*
 * What arch/x86_64 offers the rest of the kernel: the image layout from the
 * linker script, what the boot code found out about the CPU, the early
 * mapping window, the IDT with its expected-fault hook, the fault probes
 * ktest uses, and leaving the emulator with an exit code.
 */
#ifndef XOMB_ARCH_H
#define XOMB_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Constants boot.asm and linker.ld read too: the build generates their
 * copies from these definitions (boot_consts.c), so change them here only.
 * KERNEL_VMA: where the image is linked (virtual = KERNEL_VMA + physical).
 * ARCH_BOOT_IMAGE_LIMIT: the boot page tables map physical [0, limit) at
 * KERNEL_VMA, so the image must end below it (the linker script asserts).
 * ARCH_BOOT_STACK_BYTES: the boot stack kmain runs on, above its guard page.
 */
#define KERNEL_VMA	      0xFFFFFFFF80000000ull
#define ARCH_BOOT_IMAGE_LIMIT (8ull << 20)
#define ARCH_BOOT_STACK_BYTES 16384u

/* Virtual base of the early-mapping window (PML4[511], PDPT[511]). */
#define ARCH_WINDOW_BASE  0xFFFFFFFFC0000000ull
#define ARCH_WINDOW_BYTES (1ull << 30)

/* Linker-script symbols: use their addresses only. */
extern char _kernel_phys_start[], _kernel_phys_end[];
extern char _kernel_virt_start[], _kernel_virt_end[];
extern char _text_start[], _text_end[], _rodata_start[], _rodata_end[];
extern char _data_start[], _data_end[];

/* The page below the boot stack, unmapped once paging is set up. */
extern char boot_stack_guard[];

/* Recorded by boot.asm before long mode. */
extern uint32_t boot_magic, boot_info_phys;
extern uint32_t boot_cpuid_max_ext, boot_cpuid_ext_edx;

/* isa-debug-exit values (QEMU exits with value * 2 + 1). */
#define ARCH_EXIT_PASS	    0x10u
#define ARCH_EXIT_FAIL	    0x11u
#define ARCH_EXIT_EXCEPTION 0x12u

/* CPU features found by CPUID; NX is only used when EFER.NXE is on. */
struct arch_cpu {
	bool nx;   /* CPUID has NX and boot.asm set EFER.NXE */
	bool pg1g; /* CPUID has 1 GiB pages */
	bool wp;   /* CR0.WP is on: the kernel cannot write read-only pages */
};

/* Fill *cpu from CPUID and the control registers. */
void arch_cpu_probe(struct arch_cpu *cpu);

/* The features found by the last arch_cpu_probe() (for mm/port.h). */
const struct arch_cpu *arch_cpu_features(void);

/*
 * Map [pa, pa + length) read-write, non-executable in the early window with
 * 2 MiB pages and return the virtual address of pa; NULL when the window is
 * full or length is 0. For boot data (the multiboot2 info) and the frame
 * allocator's metadata, before any allocator exists. Mappings stay forever.
 */
void *arch_window_map(uint64_t pa, uint64_t length);

/*
 * The supervisor-only alias of the recursive window: PML4[509] points to
 * the PML4 like PML4[510] does, Present | Writable | NX without User. The
 * kernel port edits tables only through it (port.c), so PML4[510] can be
 * read-only and user-readable in a program's address space.
 */
#define ARCH_ALIAS_INDEX 509u

/* Install PML4[509] in the live PML4 (before the port is first used). */
void arch_alias_install(void);

/* Drop the boot identity map of the first GiB (PML4[0]) and flush. */
void arch_identity_unmap(void);

/* Physical address of the active PML4 (CR3). */
uint64_t arch_pml4_phys(void);

/*
 * Install the TSS (an IST stack for NMI, #DF, #MC) and the IDT: all 32
 * exception vectors go to the reporting handler.
 */
void arch_idt_init(void);

/*
 * An expected fault: while armed, the next CPU exception is recorded here
 * and execution resumes at recover_rip with recover_rsp instead of being
 * fatal. Only the fault probes below arm it. Field offsets are used by
 * probe.asm; keep the order.
 */
struct arch_fault_expect {
	uint64_t armed;
	uint64_t recover_rip;
	uint64_t recover_rsp;
	uint64_t vector;
	uint64_t error;
	uint64_t cr2;
	uint64_t rip;
};

extern struct arch_fault_expect arch_fault_expect;

/*
 * Fault probes: perform one access; return 0 when it completed, 1 when it
 * faulted (arch_fault_expect then holds vector, error code, CR2 and RIP).
 * arch_probe_exec calls code at va, which must return.
 */
int arch_probe_read(uint64_t va, uint64_t *out);
int arch_probe_write(uint64_t va, uint64_t val);
int arch_probe_exec(uint64_t va);

/*
 * Drain the UART, then leave QEMU through isa-debug-exit with code, or Bochs
 * through its shutdown port; elsewhere, halt.
 */
_Noreturn void arch_exit(uint32_t code);

#endif /* XOMB_ARCH_H */
