; Fault probes for ktest: one memory access each, with an armed
; arch_fault_expect record (struct arch_fault_expect in arch.h) so that a
; fault resumes at the probe's .fault label with the stack as it was on
; entry, and the probe returns 1 instead of the kernel dying.

extern arch_fault_expect
global arch_probe_read, arch_probe_write, arch_probe_exec

%define FX_ARMED 0
%define FX_RIP   8
%define FX_RSP   16

section .text
bits 64

%macro ARM 0
	lea rax, [rel .fault]
	mov [rel arch_fault_expect + FX_RIP], rax
	mov [rel arch_fault_expect + FX_RSP], rsp
	mov qword [rel arch_fault_expect + FX_ARMED], 1
%endmacro

%macro DISARM_RET 0
	mov qword [rel arch_fault_expect + FX_ARMED], 0
	xor eax, eax
	ret
.fault:
	mov eax, 1
	ret
%endmacro

; int arch_probe_read(uint64_t va, uint64_t *out)
arch_probe_read:
	ARM
	mov rax, [rdi]
	mov [rsi], rax
	DISARM_RET

; int arch_probe_write(uint64_t va, uint64_t val)
arch_probe_write:
	ARM
	mov [rdi], rsi
	DISARM_RET

; int arch_probe_exec(uint64_t va)
arch_probe_exec:
	ARM
	call rdi
	DISARM_RET
