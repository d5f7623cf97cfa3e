/*
 * The constants that boot.asm, probe.asm and linker.ld share with C, each
 * taken from its one definition in a C header and evaluated by the kernel's
 * own compiler. Never linked: the build compiles this file, copies the
 * section .xomb_consts out of the object ("<where> <NAME> <value>" lines)
 * and cmake/boot_consts.cmake writes boot_consts.inc (NASM %defines, where
 * "asm" or "both") and boot_consts.ld (linker-script symbols, where "ld" or
 * "both"). A layout that the boot code cannot honour fails the build here.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "cpu.h"
#include "mm/paging.h"
#include "mm/pte.h"
#include "multiboot2.h"
#include "xomb/abi.h"

/* The page-table level whose entries map 1 GiB each. */
#define BOOT_PDPT_LEVEL (MM_PT_TOP - 1u)

/* boot.asm maps the image with PD[0..] of the kernel's PDPT slot. */
_Static_assert(KERNEL_VMA % MM_PAGE_1G == 0,
	       "KERNEL_VMA must start a PDPT entry (1 GiB aligned)");
/* boot_pdpt_high holds both the kernel slot and the early window. */
_Static_assert(MM_PT_INDEX(MM_PT_TOP, ARCH_WINDOW_BASE) ==
		       MM_PT_INDEX(MM_PT_TOP, KERNEL_VMA),
	       "the early window must share the kernel's PML4 entry");
_Static_assert(MM_PT_INDEX(BOOT_PDPT_LEVEL, ARCH_WINDOW_BASE) !=
		       MM_PT_INDEX(BOOT_PDPT_LEVEL, KERNEL_VMA),
	       "the early window and the kernel need distinct PDPT entries");
_Static_assert(ARCH_WINDOW_BASE % MM_PAGE_1G == 0 &&
		       ARCH_WINDOW_BYTES == MM_PAGE_1G,
	       "the early window is one whole PDPT entry");
/* PML4[0] is the boot identity map; the kernel's slot is not recursive. */
_Static_assert(MM_RECURSIVE_INDEX != 0 &&
		       MM_RECURSIVE_INDEX != MM_PT_INDEX(MM_PT_TOP, KERNEL_VMA),
	       "the recursive slot collides with a boot mapping");
/* The user ABI keeps its own copy (it includes nothing but stdint.h). */
_Static_assert(XOMB_RECURSIVE_INDEX == MM_RECURSIVE_INDEX,
	       "xomb/abi.h and mm/pte.h disagree on the recursive slot");
_Static_assert(ARCH_BOOT_IMAGE_LIMIT % MM_PAGE_2M == 0 &&
		       ARCH_BOOT_IMAGE_LIMIT > 0 &&
		       ARCH_BOOT_IMAGE_LIMIT <= MM_PAGE_1G,
	       "the boot page tables map whole 2 MiB steps inside one PD");
_Static_assert(ARCH_BOOT_STACK_BYTES % MM_PAGE_4K == 0 &&
		       ARCH_BOOT_STACK_BYTES > 0,
	       "the boot stack is whole pages (its guard page is below it)");

/*
 * One "<where> <NAME> <value>" line in section .xomb_consts; the value as
 * an immediate operand, which AT&T syntax may prefix with "$".
 */
#define BOOT_CONST(where, name, value)                                         \
	__asm__ volatile(".pushsection .xomb_consts,\"\",@progbits\n"          \
			 ".ascii \"" #where " " #name " %0\\n\"\n"             \
			 ".popsection" ::"i"((uint64_t)(value)))

void boot_consts_emit(void);

void boot_consts_emit(void)
{
	BOOT_CONST(both, KERNEL_VMA, KERNEL_VMA);
	BOOT_CONST(ld, KERNEL_IMAGE_LIMIT, ARCH_BOOT_IMAGE_LIMIT);
	BOOT_CONST(asm, KERNEL_PTS, ARCH_BOOT_IMAGE_LIMIT / MM_PAGE_2M);
	BOOT_CONST(asm, KERNEL_PML4_SLOT, MM_PT_INDEX(MM_PT_TOP, KERNEL_VMA));
	BOOT_CONST(asm, KERNEL_PDPT_SLOT,
		   MM_PT_INDEX(BOOT_PDPT_LEVEL, KERNEL_VMA));
	BOOT_CONST(asm, WINDOW_PDPT_SLOT,
		   MM_PT_INDEX(BOOT_PDPT_LEVEL, ARCH_WINDOW_BASE));
	BOOT_CONST(asm, RECURSIVE_SLOT, MM_RECURSIVE_INDEX);
	BOOT_CONST(asm, BOOT_STACK_BYTES, ARCH_BOOT_STACK_BYTES);
	BOOT_CONST(asm, MB2_HDR_MAGIC, MB2_HEADER_MAGIC);
	BOOT_CONST(asm, MB2_BOOT_MAGIC, MB2_BOOTLOADER_MAGIC);
	BOOT_CONST(asm, PTE_P, MM_PTE_PRESENT);
	BOOT_CONST(asm, PTE_W, MM_PTE_WRITE);
	BOOT_CONST(asm, PTE_PS, MM_PTE_PS);
	BOOT_CONST(asm, MSR_EFER, MSR_EFER);
	BOOT_CONST(asm, EFER_NXE, EFER_NXE);
	BOOT_CONST(asm, CPUID_EXT_LM, CPUID_EXT_LM);
	BOOT_CONST(asm, CPUID_EXT_NX, CPUID_EXT_NX);
	BOOT_CONST(asm, FX_ARMED, offsetof(struct arch_fault_expect, armed));
	BOOT_CONST(asm, FX_RIP,
		   offsetof(struct arch_fault_expect, recover_rip));
	BOOT_CONST(asm, FX_RSP,
		   offsetof(struct arch_fault_expect, recover_rsp));
}
