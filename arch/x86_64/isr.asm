; Entry stubs for the 32 CPU exception vectors. Each stub pushes a dummy
; error code when the CPU pushes none, then the vector number, so that every
; exception reaches arch_exception() with the same frame layout
; (struct arch_trap_frame in idt.c). The C handler may change the saved
; RIP and RSP to resume elsewhere (expected faults).

extern arch_exception
global arch_isr_table

section .text
bits 64

%macro ISR_NOERR 1
isr%1:
	push qword 0
	push qword %1
	jmp isr_common
%endmacro

%macro ISR_ERR 1
isr%1:
	push qword %1
	jmp isr_common
%endmacro

; Vectors with a CPU-pushed error code: 8, 10-14, 17, 21, 29, 30.
%assign v 0
%rep 32
%if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
	ISR_ERR v
%else
	ISR_NOERR v
%endif
%assign v v + 1
%endrep

isr_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	cld
	mov rdi, rsp
	call arch_exception
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16
	iretq

section .rodata
align 8
arch_isr_table:
%assign v 0
%rep 32
	dq isr %+ v
%assign v v + 1
%endrep
