/*
 * Owns the IDT and the C side of exception handling. Every one of the 32
 * exception vectors goes to arch_exception(): an exception raised in ring 3
 * kills the running program (uarch_user_killed); an armed expected-fault record
 * (set by the ktest fault probes) turns the fault into a recorded event and
 * resumes at its recovery point; anything else is fatal and reported with
 * vector, error code, CR2 and RIP before leaving with ARCH_EXIT_EXCEPTION.
 */
#include <stdint.h>

#include "arch.h"
#include "cpu.h"
#include "kprintf.h"
#include "uarch.h"

#define IDT_VECTORS 32u
#define GATE_INTR   0x8Eu /* present, DPL 0, 64-bit interrupt gate */
#define GATE_DPL3   0x60u /* `int3` allowed from ring 3 */
#define VECTOR_BP   3u
#define CPL_MASK    3u

/* The frame isr.asm builds: pushed registers, then vector, error, CPU frame. */
struct arch_trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t zero;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const uint64_t arch_isr_table[IDT_VECTORS];

struct arch_fault_expect arch_fault_expect;
static struct idt_gate idt[IDT_VECTORS];

static const char *const names[IDT_VECTORS] = {
	"divide error",
	"debug",
	"NMI",
	"breakpoint",
	"overflow",
	"bound range",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor overrun",
	"invalid TSS",
	"segment not present",
	"stack fault",
	"general protection",
	"page fault",
	"reserved",
	"x87 FP error",
	"alignment check",
	"machine check",
	"SIMD FP error",
	"virtualization",
	"control protection",
	"reserved",
	"reserved",
	"reserved",
	"reserved",
	"reserved",
	"reserved",
	"hypervisor injection",
	"VMM communication",
	"security",
	"reserved",
};

/* Called by isr.asm for every exception, on the faulting or IST stack. */
void arch_exception(struct arch_trap_frame *f);

static uint8_t ist_of(unsigned vector)
{
	return vector == 2 || vector == 8 || vector == 18 ? ARCH_IST_CRITICAL
							  : 0;
}

void arch_idt_init(void)
{
	struct idt_ptr ptr = {sizeof(idt) - 1, (uint64_t)idt};

	arch_gdt_init();
	for (unsigned v = 0; v < IDT_VECTORS; v++) {
		uint64_t off = arch_isr_table[v];

		idt[v] = (struct idt_gate){
			.offset_lo = (uint16_t)off,
			.selector = GDT_KERNEL_CS,
			.ist = ist_of(v),
			.type = GATE_INTR | (v == VECTOR_BP ? GATE_DPL3 : 0),
			.offset_mid = (uint16_t)(off >> 16),
			.offset_hi = (uint32_t)(off >> 32),
		};
	}
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

/* Record the fault in the armed record and resume at its recovery point. */
static void recover(struct arch_trap_frame *f, uint64_t cr2)
{
	struct arch_fault_expect *fx = &arch_fault_expect;

	fx->vector = f->vector;
	fx->error = f->error;
	fx->cr2 = cr2;
	fx->rip = f->rip;
	fx->armed = 0;
	f->rip = fx->recover_rip;
	f->rsp = fx->recover_rsp;
}

void arch_exception(struct arch_trap_frame *f)
{
	uint64_t cr2 = read_cr2();

	if ((f->cs & CPL_MASK) == GDT_RPL3)
		uarch_user_killed(f->vector, f->error, f->rip, cr2);
	if (arch_fault_expect.armed) {
		recover(f, cr2);
		return;
	}
	kprintf("\nxomb: unexpected exception %lu (%s) error=%#lx cr2=%#lx "
		"rip=%#lx\n",
		f->vector, f->vector < IDT_VECTORS ? names[f->vector] : "?",
		f->error, cr2, f->rip);
	kprintf("  rax=%#lx rbx=%#lx rcx=%#lx rdx=%#lx\n", f->rax, f->rbx,
		f->rcx, f->rdx);
	kprintf("  rsi=%#lx rdi=%#lx rbp=%#lx rsp=%#lx\n", f->rsi, f->rdi,
		f->rbp, f->rsp);
	arch_exit(ARCH_EXIT_EXCEPTION);
}
