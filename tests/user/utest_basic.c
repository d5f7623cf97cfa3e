/*
 * What a well-behaved program may rely on: the start state (rsp 16-byte
 * aligned at the stack top, data and bss as the ELF says), every basic
 * system call, the registers a system call preserves, and its own page
 * tables readable through the recursive window.
 */
#include "xomb/user.h"

static struct utest t = {"utest_basic", 0, 0};

static uint64_t bss_words[64];
static volatile uint64_t data_word = 0x1122334455667788ull;
static const char rodata[] = "rodata";

static void test_start_state(void)
{
	UCHECK(&t, xomb_start_rsp == XOMB_STACK_TOP);
	UCHECK(&t, xomb_start_rsp % 16 == 0);
	for (unsigned i = 0; i < 64; i++)
		UCHECK(&t, bss_words[i] == 0);
	UCHECK(&t, data_word == 0x1122334455667788ull);
	UCHECK(&t, rodata[0] == 'r' && rodata[6] == 0);
}

static void test_calls(void)
{
	static const char msg[] = "utest_basic: WRITE works\n";

	UCHECK(&t, xomb_getpid() > 0);
	UCHECK(&t, xomb_yield() == 0);
	UCHECK(&t, xomb_write(msg, sizeof(msg) - 1) == sizeof(msg) - 1);
	UCHECK(&t, xomb_write(msg, 0) == 0);
	UCHECK(&t, xomb_write(msg, XOMB_WRITE_MAX + 1) == XOMB_ETOOBIG);
	UCHECK(&t, xomb_syscall2(4, 0, 0) == XOMB_ENOSYS);
	UCHECK(&t, xomb_syscall2(~0ull, 0, 0) == XOMB_ENOSYS);
}

/*
 * Every register but rax, rcx and r11 keeps its value across a system
 * call; rcx comes back as the address after `syscall` and r11 as rflags.
 * Returns the number of registers that changed (0 expected).
 */
/* What the asm below stores: rcx after the call, the address after it. */
uint64_t regs_rcx, regs_ret;

static uint64_t preserved_mismatches(void)
{
	uint64_t bad;

	__asm__ volatile("push %%rbx\n\t"
			 "push %%rbp\n\t"
			 "push %%r12\n\t"
			 "push %%r13\n\t"
			 "push %%r14\n\t"
			 "push %%r15\n\t"
			 "movabs $0x1111111111111111, %%rbx\n\t"
			 "movabs $0x2222222222222222, %%rbp\n\t"
			 "movabs $0x3333333333333333, %%rdi\n\t"
			 "movabs $0x4444444444444444, %%rsi\n\t"
			 "movabs $0x5555555555555555, %%rdx\n\t"
			 "movabs $0x6666666666666666, %%r8\n\t"
			 "movabs $0x7777777777777777, %%r9\n\t"
			 "movabs $0x8888888888888888, %%r10\n\t"
			 "movabs $0x9999999999999999, %%r12\n\t"
			 "movabs $0xaaaaaaaaaaaaaaaa, %%r13\n\t"
			 "movabs $0xbbbbbbbbbbbbbbbb, %%r14\n\t"
			 "movabs $0xcccccccccccccccc, %%r15\n\t"
			 "mov $3, %%eax\n\t"
			 "syscall\n"
			 "1:\n\t"
			 "mov %%rcx, regs_rcx(%%rip)\n\t"
			 "lea 1b(%%rip), %%rax\n\t"
			 "mov %%rax, regs_ret(%%rip)\n\t"
			 "xor %%eax, %%eax\n\t"
			 "movabs $0x1111111111111111, %%rcx\n\t"
			 "cmp %%rcx, %%rbx\n\t setne %%cl\n\t movzbl %%cl, "
			 "%%ecx\n\t add %%rcx, %%rax\n\t"
			 "movabs $0x2222222222222222, %%rcx\n\t"
			 "cmp %%rcx, %%rbp\n\t setne %%cl\n\t movzbl %%cl, "
			 "%%ecx\n\t add %%rcx, %%rax\n\t"
			 "movabs $0x3333333333333333, %%rcx\n\t"
			 "cmp %%rcx, %%rdi\n\t setne %%cl\n\t movzbl %%cl, "
			 "%%ecx\n\t add %%rcx, %%rax\n\t"
			 "movabs $0x4444444444444444, %%rcx\n\t"
			 "cmp %%rcx, %%rsi\n\t setne %%cl\n\t movzbl %%cl, "
			 "%%ecx\n\t add %%rcx, %%rax\n\t"
			 "movabs $0x5555555555555555, %%rcx\n\t"
			 "cmp %%rcx, %%rdx\n\t setne %%cl\n\t movzbl %%cl, "
			 "%%ecx\n\t add %%rcx, %%rax\n\t"
			 "movabs $0x6666666666666666, %%rcx\n\t"
			 "cmp %%rcx, %%r8\n\t setne %%cl\n\t movzbl %%cl, "
			 "%%ecx\n\t add %%rcx, %%rax\n\t"
			 "movabs $0x7777777777777777, %%rcx\n\t"
			 "cmp %%rcx, %%r9\n\t setne %%cl\n\t movzbl %%cl, "
			 "%%ecx\n\t add %%rcx, %%rax\n\t"
			 "movabs $0x8888888888888888, %%rcx\n\t"
			 "cmp %%rcx, %%r10\n\t setne %%cl\n\t movzbl %%cl, "
			 "%%ecx\n\t add %%rcx, %%rax\n\t"
			 "movabs $0x9999999999999999, %%rcx\n\t"
			 "cmp %%rcx, %%r12\n\t setne %%cl\n\t movzbl %%cl, "
			 "%%ecx\n\t add %%rcx, %%rax\n\t"
			 "movabs $0xaaaaaaaaaaaaaaaa, %%rcx\n\t"
			 "cmp %%rcx, %%r13\n\t setne %%cl\n\t movzbl %%cl, "
			 "%%ecx\n\t add %%rcx, %%rax\n\t"
			 "movabs $0xbbbbbbbbbbbbbbbb, %%rcx\n\t"
			 "cmp %%rcx, %%r14\n\t setne %%cl\n\t movzbl %%cl, "
			 "%%ecx\n\t add %%rcx, %%rax\n\t"
			 "movabs $0xcccccccccccccccc, %%rcx\n\t"
			 "cmp %%rcx, %%r15\n\t setne %%cl\n\t movzbl %%cl, "
			 "%%ecx\n\t add %%rcx, %%rax\n\t"
			 "pop %%r15\n\t"
			 "pop %%r14\n\t"
			 "pop %%r13\n\t"
			 "pop %%r12\n\t"
			 "pop %%rbp\n\t"
			 "pop %%rbx\n\t"
			 : "=a"(bad)
			 :
			 : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
			   "memory", "cc");
	return bad;
}

static void test_registers(void)
{
	UCHECK(&t, preserved_mismatches() == 0);
	UCHECK(&t, regs_rcx == regs_ret && regs_ret != 0);
}

/* The PTE of va at `level`, read through the window. */
static uint64_t pte(unsigned level, const volatile void *va)
{
	return *(const volatile uint64_t *)xomb_pte_addr(level, (uint64_t)va);
}

static void test_own_tables(void)
{
	uint64_t leaf = pte(0, &data_word);
	uint64_t code = pte(0, (const void *)main);

	UCHECK(&t, (leaf & 7) == 7); /* present, writable, user */
	UCHECK(&t, (code & 7) == 5); /* present, read-only, user */
	for (unsigned l = 1; l < 4; l++)
		UCHECK(&t, (pte(l, &data_word) & 5) == 5);
	UCHECK(&t, (pte(3, (const void *)0xFFFFFF0000000000ull) & 7) == 5);
}

int main(void)
{
	test_start_state();
	test_calls();
	test_registers();
	test_own_tables();
	return utest_report(&t);
}
