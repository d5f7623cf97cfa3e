/*
 * What arch/x86_64 offers the kernel for ring 3: the GDT selectors, the
 * frame the system-call entry saves, entering a program and coming back
 * from it, the return-path guard, SMEP/SMAP, and the user-access window
 * (stac/clac) for copies from user buffers.
 *
 * One CPU, one program at a time: the entry code keeps its state in
 * globals, and every function here runs with interrupts off.
 */
#ifndef XOMB_ARCH_UARCH_H
#define XOMB_ARCH_UARCH_H

#include <stdbool.h>
#include <stdint.h>

/*
 * GDT layout. SYSCALL loads CS = STAR[47:32] and SS = that + 8; SYSRET to
 * 64-bit loads CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8 (RPL 3), so
 * user data must sit right below user code.
 */
#define GDT_KERNEL_CS 0x08u
#define GDT_KERNEL_DS 0x10u
#define GDT_USER_DS   0x18u
#define GDT_USER_CS   0x20u
#define GDT_TSS	      0x28u
#define GDT_RPL3      3u

/* The end of the lower canonical half: a return rip must lie below it. */
#define UARCH_USER_HALF_END 0x0000800000000000ull

/*
 * What the system-call entry (uentry.asm) saves on the kernel stack, in
 * this order; rip and rflags are the rcx and r11 SYSCALL left, rsp the
 * program's own. The kernel writes the result into rax; every other field
 * goes back unchanged, so no kernel value reaches the program.
 */
struct uarch_frame {
	uint64_t r15, r14, r13, r12, r10, r9, r8, rdx, rsi, rdi, rbp, rbx, rax;
	uint64_t rip, rflags, rsp;
};

/* How the last program run ended (uarch_leave()'s value). */
#define UARCH_KILL_RETURN 256u /* "vector" of a refused return rip */

/*
 * Load the kernel GDT with user segments and the TSS (IST stack for NMI,
 * #DF, #MC; rsp0 = the kernel stack of ring-3 entries). Called once, from
 * arch_idt_init().
 */
void arch_gdt_init(void);

/* The TSS IST slot that NMI, #DF and #MC use. */
#define ARCH_IST_CRITICAL 1u

/*
 * Set EFER.SCE, STAR, LSTAR, SFMASK (IF TF DF AC NT cleared on entry) and
 * turn on SMEP and SMAP when CPUID reports them. Once, before any program.
 */
void uarch_init(void);

/* What uarch_init() turned on. */
bool uarch_smep(void);
bool uarch_smap(void);

/*
 * Enter ring 3 at rip with rsp and rdi = rsi = arg, every other register zero,
 * interrupts off. Returns when the kernel calls uarch_leave() (program exit or kill),
 * with uarch_leave()'s value. The caller has loaded the program's CR3.
 */
uint64_t uarch_enter(uint64_t rip, uint64_t rsp, uint64_t arg);

/*
 * Abandon the current kernel stack (a system call or a user fault) and
 * enter ring 3 at rip (a lower-half address: the caller checks) with rsp,
 * rdi = a0, rsi = a1, rdx = a2, rcx = a3, every other register zero,
 * interrupts off, in the current address space. The uarch_enter() that
 * started the program is still the one uarch_leave() returns from.
 */
_Noreturn void uarch_upcall(uint64_t rip, uint64_t rsp, uint64_t a0,
			    uint64_t a1, uint64_t a2, uint64_t a3);

/*
 * Abandon the current kernel stack (a system call or a user fault) and
 * return to ring 3 from the system call saved in *f (a copy of the frame
 * uarch_syscall() was given, in the current address space, rax its
 * result), through the return-path guard and SYSRET like any system call.
 */
_Noreturn void uarch_resume(const struct uarch_frame *f);

/*
 * Abandon the current kernel stack (a system call or a user fault) and
 * return `value` from the uarch_enter() that started the program.
 */
_Noreturn void uarch_leave(uint64_t value);

/*
 * The return-path guard: called by the system-call exit with the frame
 * about to be restored. A rip outside the lower canonical half (SYSRET
 * would take a #GP in ring 0 on a non-canonical one) kills the program
 * through uarch_user_killed(); anything else returns and SYSRET follows.
 */
void uarch_return_guard(const struct uarch_frame *f);

/* RFLAGS now, and the bits the kernel must never run with. */
uint64_t uarch_rflags(void);
#define UARCH_RFLAGS_DF (1ull << 10)
#define UARCH_RFLAGS_AC (1ull << 18) /* set: SMAP does not apply */

/* Open / close the user-access window around a copy (no-ops without SMAP). */
void uarch_user_access_begin(void);
void uarch_user_access_end(void);

/*
 * Implemented by the kernel: the system call in f (number in rax), result
 * written into f->rax. May not return (exit, kill).
 */
void uarch_syscall(struct uarch_frame *f);

/*
 * Implemented by the kernel: the running program raised exception `vector`
 * at rip (cr2 for a page fault), or (vector UARCH_KILL_RETURN) asked to
 * return to rip; kill it. Never returns to the program.
 */
_Noreturn void uarch_user_killed(uint64_t vector, uint64_t error, uint64_t rip,
				 uint64_t cr2);

#endif /* XOMB_ARCH_UARCH_H */
