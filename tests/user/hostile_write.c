/*
 * WRITE with every kind of bad buffer: each must be refused with the
 * right error and nothing printed, and the program goes on (expect=exit).
 */
#include "xomb/user.h"

#define PAGE 4096ull

static struct utest t = {"hostile_write", 0, 0};

static const char msg[] = "x";

static int64_t wr(uint64_t buf, uint64_t len)
{
	return xomb_write((const void *)buf, len);
}

static void test_kernel_and_hole(void)
{
	UCHECK(&t, wr(0xFFFFFFFF80100000ull, 8) == XOMB_EFAULT); /* text */
	UCHECK(&t, wr(0xFFFFFFFF80120000ull, 8) == XOMB_EFAULT); /* data */
	UCHECK(&t, wr(0xFFFF800000000000ull, 1) == XOMB_EFAULT);
	UCHECK(&t, wr(0x0000800000000000ull, 1) == XOMB_EFAULT); /* hole */
	UCHECK(&t, wr(0x8000000000000000ull, 1) == XOMB_EFAULT);
	/* the kernel's tables through the window */
	UCHECK(&t,
	       wr(xomb_pte_addr(0, 0xFFFFFFFF80100000ull), 8) == XOMB_EFAULT);
	UCHECK(&t,
	       wr(xomb_pte_addr(1, 0xFFFFFFFF80100000ull), 8) == XOMB_EFAULT);
}

static void test_unmapped(void)
{
	uint64_t stack_low = XOMB_STACK_TOP - XOMB_STACK_PAGES * PAGE;

	UCHECK(&t, wr(0, 1) == XOMB_EFAULT);
	UCHECK(&t, wr(0x1000, 1) == XOMB_EFAULT);
	UCHECK(&t, wr(0x10000000, 16) == XOMB_EFAULT);
	UCHECK(&t, wr(stack_low - 8, 16) == XOMB_EFAULT); /* guard page */
	UCHECK(&t, wr(stack_low - PAGE, 1) == XOMB_EFAULT);
	UCHECK(&t, wr(XOMB_STACK_TOP - 8, 16) == XOMB_EFAULT); /* past top */
	UCHECK(&t, wr(0x00007FFFFFFFF000ull, 1) == XOMB_EFAULT);
}

static void test_wrap_and_size(void)
{
	UCHECK(&t, wr(0xFFFFFFFFFFFFF800ull, 0x1000) == XOMB_EFAULT);
	UCHECK(&t, wr(0xFFFFFFFFFFFFFFFFull, 2) == XOMB_EFAULT);
	UCHECK(&t, wr(0x00007FFFFFFFFFFFull, 2) == XOMB_EFAULT);
	UCHECK(&t, wr((uint64_t)msg, XOMB_WRITE_MAX + 1) == XOMB_ETOOBIG);
	UCHECK(&t, wr((uint64_t)msg, 1ull << 63) == XOMB_ETOOBIG);
	UCHECK(&t, wr((uint64_t)msg, ~0ull) == XOMB_ETOOBIG);
	UCHECK(&t, wr((uint64_t)msg, 1) == 1);
}

int main(void)
{
	test_kernel_and_hole();
	test_unmapped();
	test_wrap_and_size();
	uprintf("\n");
	return utest_report(&t);
}
