/*
 * Owns the kernel's GDT and TSS. boot.asm enters long mode with a minimal
 * GDT; this one adds the ring-3 segments in the order SYSRET needs (user
 * data, then user code) and the TSS, whose rsp0 is the stack the CPU
 * switches to when an exception or interrupt arrives in ring 3 and whose
 * IST gives NMI, #DF and #MC a stack of their own.
 */
#include <stdint.h>

#include "uarch.h"

#define DESC_KERNEL_CODE 0x00AF9B000000FFFFull /* 64-bit, DPL 0, accessed */
#define DESC_KERNEL_DATA 0x00CF93000000FFFFull
#define DESC_USER_DATA	 0x00CFF3000000FFFFull /* DPL 3 */
#define DESC_USER_CODE	 0x00AFFB000000FFFFull /* 64-bit, DPL 3 */
#define TSS_AVAILABLE	 0x89ull /* present, 64-bit TSS (available) */
#define GDT_SLOTS	 7u	 /* null, 4 segments, TSS (two slots) */
#define IST_BYTES	 8192u

/* The 64-bit TSS: rsp0 and the interrupt stack table are used. */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* The kernel stack of ring-3 entries (uentry.asm). */
extern char uarch_kstack_top[];

static uint64_t gdt[GDT_SLOTS] __attribute__((aligned(16)));
static struct tss tss;
static uint8_t ist_stack[IST_BYTES] __attribute__((aligned(16)));

static void gdt_set_tss(void)
{
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
	unsigned slot = GDT_TSS / sizeof(uint64_t);

	gdt[slot] = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 |
		    TSS_AVAILABLE << 40 | ((limit >> 16) & 0xF) << 48 |
		    ((base >> 24) & 0xFF) << 56;
	gdt[slot + 1] = base >> 32;
}

/* lgdt, then reload CS by a far return and the data segments. */
static void gdt_load(void)
{
	struct gdt_ptr ptr = {sizeof(gdt) - 1, (uint64_t)gdt};

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(ptr), "i"((uint64_t)GDT_KERNEL_CS),
			   "r"(GDT_KERNEL_DS), "r"(GDT_TSS)
			 : "rax", "memory");
}

void arch_gdt_init(void)
{
	gdt[GDT_KERNEL_CS / 8] = DESC_KERNEL_CODE;
	gdt[GDT_KERNEL_DS / 8] = DESC_KERNEL_DATA;
	gdt[GDT_USER_DS / 8] = DESC_USER_DATA;
	gdt[GDT_USER_CS / 8] = DESC_USER_CODE;
	tss.rsp[0] = (uint64_t)uarch_kstack_top;
	tss.ist[ARCH_IST_CRITICAL - 1] =
		(uint64_t)ist_stack + sizeof(ist_stack);
	tss.iomap_base = sizeof(tss); /* no I/O bitmap: every port refused */
	gdt_set_tss();
	gdt_load();
}
