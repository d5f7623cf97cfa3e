/*
 * Hostile programs that the kernel must kill, one attack per ELF: the
 * build compiles this file once per attack with -DHOSTILE=<function>, and
 * main() runs that function. Each attack must fault in ring 3; if it
 * returns, the program exits 0 and its expect=killed is not met, which
 * fails the boot test.
 */
#include "xomb/user.h"

#define KERNEL_TEXT 0xFFFFFFFF80101000ull
#define KERNEL_DATA 0xFFFFFFFF80120000ull

static volatile uint64_t sink;
static volatile uint8_t code_buf[64];

/* Read, write and run kernel addresses. */
static void kernel_read(void)
{
	sink = *(const volatile uint64_t *)KERNEL_TEXT;
}

static void kernel_write(void)
{
	*(volatile uint64_t *)KERNEL_DATA = 0xBAD;
}

static void kernel_exec(void)
{
	((void (*)(void))KERNEL_TEXT)();
}

static void null_read(void)
{
	uint64_t zero = 0;

	__asm__ volatile("" : "+r"(zero)); /* an address, not a null deref */
	sink = *(const volatile uint64_t *)zero;
}

/* Write its own leaf entry through the read-only window. */
static void pt_write(void)
{
	volatile uint64_t *e =
		(volatile uint64_t *)xomb_pte_addr(0, (uint64_t)&sink);

	*e |= 2; /* would make nothing new writable, but any write faults */
}

/* Read the kernel's page tables through the window (PML4[511] not User). */
static void pt_read_kernel(void)
{
	sink = *(const volatile uint64_t *)xomb_pte_addr(0, KERNEL_TEXT);
}

/*
 * Read the PML4 through the kernel's own alias of the window, PML4[509]
 * (Present | Writable, not User): supervisor-only, so a user #PF.
 */
static void pt_read_alias(void)
{
	sink = *(const volatile uint64_t *)0xFFFFFEFF7FBFD000ull;
}

/* Privileged instructions: each a #GP in ring 3. */
static void op_cli(void)
{
	__asm__ volatile("cli");
}

static void op_hlt(void)
{
	__asm__ volatile("hlt");
}

static void op_mov_cr3(void)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"((uint64_t)0) : "memory");
}

static void op_wrmsr(void)
{
	__asm__ volatile("wrmsr" : : "c"(0xC0000082u), "a"(0), "d"(0));
}

static void op_in(void)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"((uint16_t)0x3F8));
	sink = v;
}

static void op_out(void)
{
	__asm__ volatile("outl %0, %1" : : "a"(0x10u), "Nd"((uint16_t)0xF4));
}

static void op_lgdt(void)
{
	static const uint8_t desc[10];

	__asm__ volatile("lgdt %0" : : "m"(desc));
}

static void op_invlpg(void)
{
	__asm__ volatile("invlpg (%0)" : : "r"(&sink) : "memory");
}

/* The other ways into the kernel: SYSENTER (no SYSENTER_CS: #GP or #UD), a
 * software interrupt through a gate the program may not use (#GP). */
static void op_sysenter(void)
{
	__asm__ volatile("sysenter");
}

static void op_int80(void)
{
	__asm__ volatile("int $0x80");
}

/* Run code written into a writable (so NX) page. */
static void exec_writable(void)
{
	code_buf[0] = 0xC3; /* ret */
	((void (*)(void))(uintptr_t)code_buf)();
}

static void divide_by_zero(void)
{
	uint64_t zero = 0;

	__asm__ volatile("" : "+r"(zero));
	sink = 42 / zero;
}

static void op_ud2(void)
{
	__asm__ volatile("ud2");
}

/*
 * Set AC (and DF), then fault: the kernel must not go on with the
 * program's AC, which would turn SMAP off for it.
 */
static void flags_then_fault(void)
{
	__asm__ volatile("pushfq\n\t"
			 "orq $0x40400, (%rsp)\n\t"
			 "popfq\n\t"
			 "ud2");
}

static void op_int3(void)
{
	__asm__ volatile("int3");
}

/* Never 0: the compiler cannot see that the recursion has no end. */
static volatile uint64_t depth_limit = ~0ull;

/* Recursion until the stack runs into its unmapped guard page. */
static uint64_t recurse(uint64_t n)
{
	volatile uint8_t frame[512];

	if (n == depth_limit)
		return 0;
	frame[0] = (uint8_t)n;
	return recurse(n + 1) + frame[0];
}

static void stack_overflow(void)
{
	sink = recurse(0);
}

int main(void)
{
	HOSTILE();
	uprintf("hostile: survived the attack: the kernel let it through\n");
	return 0;
}
