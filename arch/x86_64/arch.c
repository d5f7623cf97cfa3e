/*
 * Owns the machine-level services that have no better home: the CPU feature
 * probe, the early-mapping window (2 MiB pages in boot_pd_window, for boot
 * data and allocator metadata before any allocator exists), dropping the
 * boot identity map, and leaving the emulator.
 */
#include "arch.h"

#include "cpu.h"
#include "mm/paging.h"
#include "serial.h"

#define PTE_P	     (1ull << 0)
#define PTE_W	     (1ull << 1)
#define PTE_PS	     (1ull << 7)
#define PTE_NX	     (1ull << 63)
#define WINDOW_SLOTS 512u

#define ISA_DEBUG_EXIT_PORT 0xF4u
#define BOCHS_SHUTDOWN_PORT 0x8900u

extern uint64_t boot_pd_window[WINDOW_SLOTS];

static struct arch_cpu cpu_features;
static unsigned window_next;

void arch_cpu_probe(struct arch_cpu *cpu)
{
	uint32_t edx = boot_cpuid_ext_edx;

	cpu->nx = (edx & CPUID_EXT_NX) && (rdmsr(MSR_EFER) & EFER_NXE);
	cpu->pg1g = (edx & CPUID_EXT_1G) != 0;
	cpu->wp = (read_cr0() & CR0_WP) != 0;
	cpu_features = *cpu;
}

const struct arch_cpu *arch_cpu_features(void)
{
	return &cpu_features;
}

void *arch_window_map(uint64_t pa, uint64_t length)
{
	uint64_t first = pa & ~(MM_PAGE_2M - 1);
	uint64_t end = (pa + length + MM_PAGE_2M - 1) & ~(MM_PAGE_2M - 1);
	uint64_t count = (end - first) / MM_PAGE_2M;
	uint64_t flags = PTE_P | PTE_W | PTE_PS;
	unsigned slot = window_next;

	if (length == 0 || end <= first || count > WINDOW_SLOTS - slot)
		return NULL;
	if (cpu_features.nx)
		flags |= PTE_NX;
	for (uint64_t i = 0; i < count; i++)
		boot_pd_window[slot + i] = (first + i * MM_PAGE_2M) | flags;
	window_next = slot + (unsigned)count;
	return (void *)(ARCH_WINDOW_BASE + slot * MM_PAGE_2M + (pa - first));
}

void arch_alias_install(void)
{
	volatile uint64_t *pml4 = (volatile uint64_t *)MM_RECURSIVE_PML4;
	uint64_t nx = cpu_features.nx ? PTE_NX : 0;

	pml4[ARCH_ALIAS_INDEX] =
		(read_cr3() & ~(MM_FRAME_SIZE - 1)) | PTE_P | PTE_W | nx;
}

void arch_identity_unmap(void)
{
	volatile uint64_t *pml4 = (volatile uint64_t *)MM_RECURSIVE_PML4;

	pml4[0] = 0;
	reload_cr3();
}

uint64_t arch_pml4_phys(void)
{
	return read_cr3() & ~(MM_FRAME_SIZE - 1);
}

_Noreturn void arch_exit(uint32_t code)
{
	static const char shutdown[] = "Shutdown";

	serial_flush();
	outl(ISA_DEBUG_EXIT_PORT, code);
	for (const char *p = shutdown; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	halt_forever();
}
