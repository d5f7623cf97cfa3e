; Ring 3 entry and exit: the SYSCALL entry (LSTAR), entering a program with
; IRETQ, and uarch_leave(), which abandons whatever kernel stack the program
; left us on and returns from the uarch_enter() that started it.
;
; The SYSCALL entry switches to the kernel stack at once and never uses the
; program's rsp: it is only stored, so a program may point it anywhere.
; It saves every register the program had (struct uarch_frame in uarch.h),
; lets the kernel write the result into the saved rax, runs the return-path
; guard, restores every saved register and returns with SYSRET: rcx and r11
; hold the program's own rip and rflags, rax the result, everything else
; what the program had, so no kernel value is left in any register.
; One CPU, interrupts off throughout (SFMASK clears IF): plain globals.

extern uarch_syscall, uarch_return_guard
global uarch_syscall_entry, uarch_enter, uarch_leave, uarch_upcall
global uarch_resume
global uarch_kstack_top

%define USER_CS     0x23                ; GDT_USER_CS | 3 (uarch.h)
%define USER_DS     0x1B                ; GDT_USER_DS | 3
%define USER_RFLAGS 0x002               ; IF off: the kernel takes no IRQs
%define KERNEL_RFLAGS 0x002             ; IF, DF, AC, TF, NT all clear

; Zero every register that is never an argument on entry to ring 3 (rax,
; rbx, rbp, r8-r15): whatever the kernel left there must not reach the
; program. rdi, rsi, rdx, rcx are the argument registers; each entry path
; zeroes the ones it does not pass.
%macro ZERO_NON_ARGS 0
	xor eax, eax
	xor ebx, ebx
	xor ebp, ebp
	xor r8d, r8d
	xor r9d, r9d
	xor r10d, r10d
	xor r11d, r11d
	xor r12d, r12d
	xor r13d, r13d
	xor r14d, r14d
	xor r15d, r15d
%endmacro

section .text
bits 64

uarch_syscall_entry:
	mov [rel user_rsp], rsp
	lea rsp, [rel uarch_kstack_top]
	push qword [rel user_rsp]
	push r11
	push rcx
	push rax
	push rbx
	push rbp
	push rdi
	push rsi
	push rdx
	push r8
	push r9
	push r10
	push r12
	push r13
	push r14
	push r15
	mov rdi, rsp
	call uarch_syscall
syscall_exit:
	mov rdi, rsp
	call uarch_return_guard
	pop r15
	pop r14
	pop r13
	pop r12
	pop r10
	pop r9
	pop r8
	pop rdx
	pop rsi
	pop rdi
	pop rbp
	pop rbx
	pop rax
	pop rcx
	pop r11
	pop rsp
	o64 sysret

; uint64_t uarch_enter(uint64_t rip, uint64_t rsp, uint64_t arg)
uarch_enter:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	mov [rel resume_rsp], rsp
	push qword USER_DS
	push rsi
	push qword USER_RFLAGS
	push qword USER_CS
	push rdi
	mov rdi, rdx
	mov rsi, rdx
	xor ecx, ecx
	xor edx, edx
	ZERO_NON_ARGS
	iretq

; _Noreturn void uarch_upcall(rip, rsp, a0, a1, a2, a3)
; Abandon the current kernel stack and enter ring 3 at rip with rsp, the
; four arguments in rdi, rsi, rdx, rcx, every other register zero. The
; uarch_enter() that started the program stays the one uarch_leave()
; returns from (its stack is resume_rsp, not this one).
uarch_upcall:
	lea rsp, [rel uarch_kstack_top]
	push qword USER_DS
	push rsi
	push qword USER_RFLAGS
	push qword USER_CS
	push rdi
	mov rdi, rdx
	mov rsi, rcx
	mov rdx, r8
	mov rcx, r9
	ZERO_NON_ARGS
	iretq

; _Noreturn void uarch_resume(const struct uarch_frame *f)
; Abandon the current kernel stack and return from the system call saved in
; *f as the SYSCALL entry does: the frame copied to where the entry keeps
; it, then the return-path guard, every register restored, SYSRET.
%define FRAME_QWORDS 16                 ; struct uarch_frame
uarch_resume:
	cld
	lea rsp, [rel uarch_kstack_top - FRAME_QWORDS * 8]
	mov rsi, rdi
	mov rdi, rsp
	mov ecx, FRAME_QWORDS
	rep movsq
	jmp syscall_exit

; _Noreturn void uarch_leave(uint64_t value)
; Also resets RFLAGS: an exception in ring 3 enters the kernel with the
; program's AC (interrupt gates do not clear it), which would switch SMAP
; off for the kernel from then on.
uarch_leave:
	mov rsp, [rel resume_rsp]
	push qword KERNEL_RFLAGS
	popfq
	mov rax, rdi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

section .bss
alignb 16
user_rsp:       resq 1
resume_rsp:     resq 1
alignb 4096
uarch_kstack:   resb 16384
uarch_kstack_top:
