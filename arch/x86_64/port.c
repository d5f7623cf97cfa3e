/*
 * The kernel's implementation of mm/port.h: page-table entries are read and
 * written where the recursive window puts them, invalidation is invlpg or a
 * CR3 reload, CPU features come from the boot-time probe, and a libmm
 * assertion panics. The ctx argument is unused.
 *
 * Every table access goes through the supervisor-only alias of the window:
 * libmm computes addresses in the PML4[510] window, which programs may read
 * (Present | User, never Writable); the port turns the leading run of 510
 * index fields into ARCH_ALIAS_INDEX (PML4[509]: Present | Writable, no
 * User), so the kernel never writes through a read-only entry (CR0.WP stays
 * on) and never touches a user-accessible page (SMAP stays on). An invlpg
 * of a window address drops both aliases, and PML4[509] follows the fill
 * count libmm keeps in PML4[510].
 */
#include "mm/port.h"

#include "arch.h"
#include "cpu.h"
#include "mm/paging.h"
#include "mm/pte.h"
#include "panic.h"

/* The supervisor alias of window address va; other addresses unchanged. */
static mm_vaddr_t port_alias(mm_vaddr_t va)
{
	unsigned level;

	if (va < MM_WINDOW_START || va >= MM_WINDOW_END)
		return va;
	for (level = MM_PT_TOP + 1u; level-- > 0;) {
		if (MM_PT_INDEX(level, va) != MM_RECURSIVE_INDEX)
			break;
		va ^= MM_PT_FIELD(level, MM_RECURSIVE_INDEX ^ ARCH_ALIAS_INDEX);
	}
	return va;
}

mm_pte_t mm_port_pte_read(void *ctx, mm_vaddr_t va)
{
	(void)ctx;
	return *(volatile mm_pte_t *)port_alias(va);
}

/* PML4[i] of the live PML4, through the supervisor alias. */
#define PORT_PML4_ENTRY(i)                                                     \
	((volatile mm_pte_t *)port_alias(MM_RECURSIVE_PML4 + (i)*MM_PTE_SIZE))

void mm_port_pte_write(void *ctx, mm_vaddr_t va, mm_pte_t pte)
{
	(void)ctx;
	*(volatile mm_pte_t *)port_alias(va) = pte;
	/*
	 * PML4[510] holds the PML4's fill count (mm/paging.h); the alias
	 * PML4[509] points to the same table, so it carries the same count.
	 */
	if (va == MM_RECURSIVE_PML4 + MM_RECURSIVE_INDEX * MM_PTE_SIZE) {
		volatile mm_pte_t *alias = PORT_PML4_ENTRY(ARCH_ALIAS_INDEX);

		*alias = (*alias & ~MM_PTE_COUNT_MASK) |
			 (pte & MM_PTE_COUNT_MASK);
	}
}

void mm_port_table_zero(void *ctx, mm_vaddr_t va)
{
	volatile uint64_t *p = (volatile uint64_t *)port_alias(va);

	(void)ctx;
	for (unsigned i = 0; i < MM_FRAME_SIZE / sizeof(*p); i++)
		p[i] = 0;
}

void mm_port_invlpg(void *ctx, mm_vaddr_t va)
{
	mm_vaddr_t alias = port_alias(va);

	(void)ctx;
	invlpg(va);
	if (alias != va)
		invlpg(alias);
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
