/*
 * The kernel's implementation of mm/port.h: page-table entries are read and
 * written where the recursive window puts them, invalidation is invlpg, a
 * new table is zeroed through a scratch page before libmm links it, CPU
 * features come from the boot-time probe, and a libmm assertion panics.
 * The ctx argument is unused. Callers serialize (kmem's lock), which also
 * makes the one scratch page safe.
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

/*
 * The scratch page: the page of physical 0 in the kernel window. The image
 * is linked at 1 MiB, so boot.asm never maps it, yet its page table (the
 * first boot_pt_kernel) exists. Mapped only inside mm_port_table_zero().
 */
#define PORT_SCRATCH_VA KERNEL_VMA

/*
 * Map pa at the scratch page as data (never as a table, so no CPU walks its
 * contents), zero it, unmap it again. The entry is written behind libmm's
 * fill count, which is right again when this returns.
 */
void mm_port_table_zero(void *ctx, mm_paddr_t pa)
{
	volatile mm_pte_t *pte =
		(volatile mm_pte_t *)port_alias(MM_PTE_VA(0, PORT_SCRATCH_VA));
	volatile uint64_t *p = (volatile uint64_t *)PORT_SCRATCH_VA;
	mm_pte_t nx = arch_cpu_features()->nx ? MM_PTE_NX : 0;

	(void)ctx;
	if (*pte != 0)
		panic("port: scratch page %#lx already mapped",
		      (unsigned long)PORT_SCRATCH_VA);
	*pte = pa | MM_PTE_PRESENT | MM_PTE_WRITE | nx;
	for (unsigned i = 0; i < MM_FRAME_SIZE / sizeof(*p); i++)
		p[i] = 0;
	*pte = 0;
	invlpg(PORT_SCRATCH_VA);
}

void mm_port_table_freed(void *ctx, mm_paddr_t pa)
{
	(void)ctx;
	(void)pa;
}

void mm_port_invlpg(void *ctx, mm_vaddr_t va)
{
	mm_vaddr_t alias = port_alias(va);

	(void)ctx;
	invlpg(va);
	if (alias != va)
		invlpg(alias);
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
