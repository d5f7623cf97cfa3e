/*
 * The minimal kernel's mm/port.h: every function libmm calls. Page-table
 * entries are read and written where the recursive window puts them (libmm
 * hands over window addresses), invalidation is invlpg or a CR3 reload, the
 * CPU features come from CPUID and EFER, and a failed libmm assertion stops
 * the CPU. ctx (the port argument of mm_vm_init()) is unused.
 */
#include "mm/port.h"

#define MINI_MSR_EFER	   0xC0000080u
#define MINI_EFER_NXE	   (1u << 11)
#define MINI_CPUID_EXT	   0x80000001u
#define MINI_CPUID_PDPE1GB (1u << 26)

mm_pte_t mm_port_pte_read(void *ctx, mm_vaddr_t va)
{
	(void)ctx;
	return *(volatile mm_pte_t *)va;
}

void mm_port_pte_write(void *ctx, mm_vaddr_t va, mm_pte_t pte)
{
	(void)ctx;
	*(volatile mm_pte_t *)va = pte;
}

void mm_port_table_zero(void *ctx, mm_vaddr_t va)
{
	volatile uint64_t *p = (volatile uint64_t *)va;

	(void)ctx;
	for (unsigned i = 0; i < MM_FRAME_SIZE / sizeof(*p); i++)
		p[i] = 0;
}

void mm_port_invlpg(void *ctx, mm_vaddr_t va)
{
	(void)ctx;
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

void mm_port_flush_all(void *ctx)
{
	uint64_t cr3;

	(void)ctx;
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	__asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

uint32_t mm_port_cpu_features(void *ctx)
{
	uint32_t eax = MINI_CPUID_EXT, ebx, ecx = 0, edx, lo, hi;
	uint32_t f = 0;

	(void)ctx;
	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MINI_MSR_EFER));
	if (lo & MINI_EFER_NXE)
		f |= MM_CPU_NX;
	if (edx & MINI_CPUID_PDPE1GB)
		f |= MM_CPU_1G;
	return f;
}

void mm_port_op_begin(void *ctx)
{
	(void)ctx;
}

void mm_port_op_end(void *ctx)
{
	(void)ctx;
}

_Noreturn void mm_port_assert_fail(const char *file, int line, const char *expr)
{
	(void)file;
	(void)line;
	(void)expr;
	for (;;)
		__asm__ volatile("cli; hlt");
}
