/*
 * The kernel's implementation of mm/port.h: page-table entries are read and
 * written where the recursive window puts them, invalidation is invlpg or a
 * CR3 reload, CPU features come from the boot-time probe, and a libmm
 * assertion panics. The ctx argument is unused.
 */
#include "mm/port.h"

#include "arch.h"
#include "cpu.h"
#include "panic.h"

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
	invlpg(va);
}

void mm_port_flush_all(void *ctx)
{
	(void)ctx;
	reload_cr3();
}

uint32_t mm_port_cpu_features(void *ctx)
{
	const struct arch_cpu *cpu = arch_cpu_features();
	uint32_t f = 0;

	(void)ctx;
	if (cpu->nx)
		f |= MM_CPU_NX;
	if (cpu->pg1g)
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
	panic("libmm assertion failed at %s:%d: %s", file, line, expr);
}
