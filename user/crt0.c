/*
 * The program entry: the kernel starts _start in ring 3 with rsp 16-byte
 * aligned at the top of the stack, rdi and rsi processIds (xomb/user.h)
 * and every other register zero. _start
 * records rsp, calls main() (the call leaves rsp as the ABI expects at a
 * function entry) and passes main's value to EXIT.
 */
#include "xomb/user.h"

uint64_t xomb_start_rsp;
uint64_t xomb_self_pid;
uint64_t xomb_caller_pid;

/* Keeps the read-only and the data segment non-empty in every program. */
const char xomb_runtime_tag[] = "xomb-user-runtime";
volatile uint64_t xomb_runtime_data = 1;

_Noreturn void xomb_start(void);

__asm__(".section .text.start, \"ax\", @progbits\n"
	".globl _start\n"
	"_start:\n"
	"	movq %rsp, xomb_start_rsp(%rip)\n"
	"	movq %rsi, xomb_self_pid(%rip)\n"
	"	movq %rdi, xomb_caller_pid(%rip)\n"
	"	xorl %ebp, %ebp\n"
	"	call xomb_start\n"
	"	ud2\n"
	".previous\n");

_Noreturn void xomb_start(void)
{
	xomb_exit((uint64_t)main());
}
