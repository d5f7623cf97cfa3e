/*
 * System calls the kernel must refuse or survive, expect=exit: unknown
 * numbers (the whole of rax counts, so WRITE's number with high bits set
 * is unknown too) return XOMB_ENOSYS; a SYSCALL made with rsp pointing at
 * kernel memory, at the non-canonical hole or at 0 is served normally,
 * because the entry never uses the program's stack.
 */
#include "xomb/user.h"

static struct utest t = {"hostile_syscalls", 0, 0};

static void test_unknown_numbers(void)
{
	static const uint64_t nums[] = {4,
					15,
					29,
					255,
					1000,
					1ull << 32,
					(1ull << 32) | XOMB_SYS_WRITE,
					1ull << 63,
					~0ull};
	static const char msg[] = "must not appear\n";

	for (unsigned i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		UCHECK(&t,
		       xomb_syscall6(nums[i], (uint64_t)msg, sizeof(msg) - 1, 0,
				     0, 0, 0) == XOMB_ENOSYS);
}

/* GETPID with rsp = bad, rsp restored afterwards; the result. */
static int64_t getpid_with_rsp(uint64_t bad)
{
	int64_t ret;

	__asm__ volatile("mov %%rsp, %%rbx\n\t"
			 "mov %[bad], %%rsp\n\t"
			 "syscall\n\t"
			 "mov %%rbx, %%rsp"
			 : "=a"(ret)
			 : "a"((uint64_t)XOMB_SYS_GETPID), [bad] "r"(bad)
			 : "rbx", "rcx", "r11", "memory");
	return ret;
}

static void test_bad_stack(void)
{
	int64_t pid = xomb_getpid();

	UCHECK(&t, pid > 0);
	UCHECK(&t, getpid_with_rsp(0xFFFFFFFF80120000ull) == pid);
	UCHECK(&t, getpid_with_rsp(0xFFFFFF7FBFDFE000ull) == pid);
	UCHECK(&t, getpid_with_rsp(0x0000800000000000ull) == pid);
	UCHECK(&t, getpid_with_rsp(0) == pid);
}

int main(void)
{
	test_unknown_numbers();
	test_bad_stack();
	return utest_report(&t);
}
