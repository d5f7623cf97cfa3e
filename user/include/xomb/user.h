/*
 * The XOmB-C user runtime: what a program links against. Freestanding, no
 * libc: crt0 (_start calls main() and passes its value to EXIT), one
 * wrapper per basic system call, a small formatted print, memset/memcpy for
 * the compiler, and the utest helpers the test programs report with.
 * The ABI itself (numbers, errors, layout) is xomb/abi.h.
 */
#ifndef XOMB_USER_H
#define XOMB_USER_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "xomb/abi.h"

/* The program's entry after crt0: its value goes to EXIT. */
int main(void);

/* rsp as the kernel handed it to _start (crt0 records it). */
extern uint64_t xomb_start_rsp;

/*
 * The program's own processId (mm/exo_proc.h, > 0xff) and the processId
 * that handed it control: the kernel enters _start with rdi = the caller,
 * rsi = its own (a program the kernel starts: both its own; a child whose
 * onYield is _start: the yielding parent and itself), every other
 * register but rsp zero; crt0 keeps both.
 */
extern uint64_t xomb_self_pid;
extern uint64_t xomb_caller_pid;

/*
 * One system call: number n, up to six arguments in rdi, rsi, rdx, r10, r8,
 * r9; the result from rax. rcx and r11 are clobbered, nothing else.
 */
static inline int64_t xomb_syscall6(uint64_t n, uint64_t a0, uint64_t a1,
				    uint64_t a2, uint64_t a3, uint64_t a4,
				    uint64_t a5)
{
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;
	int64_t ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline int64_t xomb_syscall2(uint64_t n, uint64_t a0, uint64_t a1)
{
	return xomb_syscall6(n, a0, a1, 0, 0, 0, 0);
}

/* EXIT(code): never returns. */
_Noreturn void xomb_exit(uint64_t code);

/* WRITE(buf, len): len, or XOMB_EFAULT / XOMB_ETOOBIG. */
int64_t xomb_write(const void *buf, uint64_t len);

/* YIELD(): 0. */
int64_t xomb_yield(void);

/* GETPID(): the caller's process id (> 0). */
int64_t xomb_getpid(void);

/*
 * Format into an internal buffer and WRITE it. Conversions: %c %s %d %u %x
 * %p %%, length l (64-bit), flags '0' and '#', a decimal width. Returns
 * WRITE's result for the formatted bytes (output over 512 bytes is cut).
 */
int64_t uprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t uvprintf(const char *fmt, va_list ap);

/* The length of a NUL-terminated string. */
size_t ustrlen(const char *s);

/* Test bookkeeping: counts checks; a failed one prints its line. */
struct utest {
	const char *program;
	unsigned passed, failed;
};

void utest_check(struct utest *t, int ok, const char *what, int line);

/* Print "utest: N passed, M failed"; returns 0 when none failed, else 1. */
int utest_report(const struct utest *t);

#define UCHECK(t, cond) utest_check((t), (cond) ? 1 : 0, #cond, __LINE__)

#endif /* XOMB_USER_H */
