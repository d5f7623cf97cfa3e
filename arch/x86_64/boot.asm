; The machine's first instructions: the multiboot2 header, the 32-bit entry
; that a multiboot2 loader (GRUB, BIOS or UEFI) jumps to, the CPU checks, the
; boot page tables, and the switch to 64-bit long mode in the higher half.
; On any failure before long mode it prints one line on COM1 and halts.
;
; Boot page tables live in the kernel image's own BSS (no fixed physical
; scratch addresses: GRUB places the multiboot2 info right after the kernel
; under BIOS and at 0x4000 under UEFI):
;   PML4[0]   -> boot_pdpt_low: identity map of the first GiB with 2 MiB
;                pages, only for the jump; kmain removes it.
;   PML4[510] -> the PML4 itself (the recursive window libmm edits through).
;   PML4[511] -> boot_pdpt_high:
;                [510] -> boot_pd_kernel -> boot_pt_kernel: the image, 4 KiB
;                         pages at 0xFFFFFFFF80000000 + phys, exactly its
;                         physical extent;
;                [511] -> boot_pd_window: 2 MiB pages set up by C code
;                         (arch_window_map) before any allocator exists.

; KERNEL_VMA, the PML4/PDPT slots, RECURSIVE_SLOT, the multiboot2 magics,
; the PTE bits, KERNEL_PTS (page tables for ARCH_BOOT_IMAGE_LIMIT) and
; BOOT_STACK_BYTES: generated from their C definitions (boot_consts.c).
%include "boot_consts.inc"

%define COM1            0x3F8
%define V2P(x)          ((x) - KERNEL_VMA)

extern _kernel_phys_start, _kernel_phys_end
extern _bss_phys_start, _bss_phys_end
extern kmain

global _start
global boot_pml4, boot_pdpt_low, boot_pd_low, boot_pdpt_high
global boot_pd_kernel, boot_pt_kernel, boot_pd_window
global boot_stack_top, boot_magic, boot_info_phys
global boot_cpuid_ext_edx, boot_cpuid_max_ext, arch_gdt_reload
global boot_stack_guard, arch_gdt

; ---------------------------------------------------------------------------
section .multiboot
align 8
mb2_header:
	dd MB2_HDR_MAGIC
	dd 0                                    ; i386 protected mode entry
	dd mb2_header_end - mb2_header
	dd 0x100000000 - (MB2_HDR_MAGIC + (mb2_header_end - mb2_header))
	; No EFI boot-services tag: GRUB EFI exits boot services and enters
	; the 32-bit entry below exactly as under BIOS.
	align 8
	dw 0                                    ; end tag
	dw 0
	dd 8
mb2_header_end:

; ---------------------------------------------------------------------------
section .boot.text progbits alloc exec nowrite align=16
bits 32

_start:
	cli
	cld
	mov esp, boot32_stack_top
	mov [V2P(boot_magic)], eax
	mov [V2P(boot_info_phys)], ebx
	call serial_init32

	cmp dword [V2P(boot_magic)], MB2_BOOT_MAGIC
	mov esi, msg_no_mb2
	jne fail32

	call has_cpuid
	mov esi, msg_no_cpuid
	jz fail32

	mov eax, 0x80000000
	cpuid
	mov [V2P(boot_cpuid_max_ext)], eax
	cmp eax, 0x80000001
	mov esi, msg_no_lm
	jb fail32
	mov eax, 0x80000001
	cpuid
	mov [V2P(boot_cpuid_ext_edx)], edx
	test edx, CPUID_EXT_LM
	jz fail32

	call zero_bss32
	call build_tables32
	jmp enter_long_mode

; ZF=0 iff the CPUID instruction exists (EFLAGS.ID can be toggled).
has_cpuid:
	pushfd
	pop eax
	mov ecx, eax
	xor eax, 1 << 21
	push eax
	popfd
	pushfd
	pop eax
	push ecx
	popfd
	xor eax, ecx
	ret

zero_bss32:
	mov edi, _bss_phys_start
	mov ecx, _bss_phys_end
	sub ecx, edi
	shr ecx, 2
	xor eax, eax
	rep stosd
	ret

build_tables32:
	; PML4
	mov eax, V2P(boot_pdpt_low)
	or eax, PTE_P | PTE_W
	mov [V2P(boot_pml4)], eax
	mov eax, V2P(boot_pml4)
	or eax, PTE_P | PTE_W
	mov [V2P(boot_pml4) + RECURSIVE_SLOT * 8], eax
	mov eax, V2P(boot_pdpt_high)
	or eax, PTE_P | PTE_W
	mov [V2P(boot_pml4) + KERNEL_PML4_SLOT * 8], eax
	; identity map of the first GiB: 512 x 2 MiB
	mov eax, V2P(boot_pd_low)
	or eax, PTE_P | PTE_W
	mov [V2P(boot_pdpt_low)], eax
	mov edi, V2P(boot_pd_low)
	mov eax, PTE_P | PTE_W | PTE_PS
	mov ecx, 512
.ident:
	mov [edi], eax
	add eax, 0x200000
	add edi, 8
	loop .ident
	; kernel window (-2 GiB) and early-mapping window (-1 GiB)
	mov eax, V2P(boot_pd_kernel)
	or eax, PTE_P | PTE_W
	mov [V2P(boot_pdpt_high) + KERNEL_PDPT_SLOT * 8], eax
	mov eax, V2P(boot_pd_window)
	or eax, PTE_P | PTE_W
	mov [V2P(boot_pdpt_high) + WINDOW_PDPT_SLOT * 8], eax
	mov edi, V2P(boot_pd_kernel)
	mov eax, V2P(boot_pt_kernel)
	or eax, PTE_P | PTE_W
	mov ecx, KERNEL_PTS
.pts:
	mov [edi], eax
	add eax, 4096
	add edi, 8
	loop .pts
	; the image itself, [_kernel_phys_start, _kernel_phys_end), 4 KiB pages
	mov eax, _kernel_phys_start
.page:
	mov edi, eax
	shr edi, 12
	lea edi, [V2P(boot_pt_kernel) + edi * 8]
	mov edx, eax
	or edx, PTE_P | PTE_W
	mov [edi], edx
	add eax, 4096
	cmp eax, _kernel_phys_end
	jb .page
	ret

enter_long_mode:
	mov eax, cr4
	or eax, 1 << 5                          ; PAE
	mov cr4, eax
	mov eax, V2P(boot_pml4)
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, 1 << 8                          ; LME
	test dword [V2P(boot_cpuid_ext_edx)], CPUID_EXT_NX
	jz .no_nx
	or eax, EFER_NXE                        ; only when CPUID has NX
.no_nx:
	wrmsr
	mov eax, cr0
	or eax, (1 << 31) | (1 << 16) | 1       ; PG, WP, PE
	mov cr0, eax
	lgdt [gdt_ptr32]
	jmp 0x08:long_mode_low

; Print the NUL-terminated string at esi on COM1, wait until the UART has
; sent it all, and halt for good.
fail32:
	call puts32
.wait:
	mov dx, COM1 + 5
	in al, dx
	test al, 0x40                           ; transmitter empty
	jz .wait
.halt:
	cli
	hlt
	jmp .halt

puts32:
	lodsb
	test al, al
	jz .done
	mov ah, al
.busy:
	mov dx, COM1 + 5
	in al, dx
	test al, 0x20                           ; holding register empty
	jz .busy
	mov al, ah
	mov dx, COM1
	out dx, al
	jmp puts32
.done:
	ret

; 115200 8N1, FIFOs on, no interrupts.
serial_init32:
	mov dx, COM1 + 1
	xor al, al
	out dx, al
	mov dx, COM1 + 3
	mov al, 0x80
	out dx, al
	mov dx, COM1
	mov al, 1
	out dx, al
	mov dx, COM1 + 1
	xor al, al
	out dx, al
	mov dx, COM1 + 3
	mov al, 0x03
	out dx, al
	mov dx, COM1 + 2
	mov al, 0xC7
	out dx, al
	mov dx, COM1 + 4
	mov al, 0x03
	out dx, al
	ret

bits 64
long_mode_low:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rax, long_mode_high
	jmp rax

; ---------------------------------------------------------------------------
section .boot.data progbits alloc noexec write align=16
gdt_ptr32:
	dw gdt_end - arch_gdt - 1
	dd V2P(arch_gdt)

msg_no_mb2:
	db "xomb: boot failed: not started by a multiboot2 loader", 13, 10, 0
msg_no_cpuid:
	db "xomb: boot failed: this CPU has no CPUID instruction", 13, 10, 0
msg_no_lm:
	db "xomb: boot failed: this CPU has no 64-bit long mode", 13, 10, 0

align 16
boot32_stack:
	times 256 db 0
boot32_stack_top:

; ---------------------------------------------------------------------------
section .text
bits 64

long_mode_high:
	mov rsp, boot_stack_top
	xor ebp, ebp
	call arch_gdt_reload
	mov edi, [rel boot_magic]
	mov esi, [rel boot_info_phys]
	call kmain
.halt:
	cli
	hlt
	jmp .halt

; Load the higher-half GDT and reload every segment register from it, so
; nothing depends on the identity map any more.
arch_gdt_reload:
	lgdt [rel gdt_ptr64]
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	pop rax
	push qword 0x08
	push rax
	retfq

; ---------------------------------------------------------------------------
section .data
align 16
; Accessed bits preset, so the CPU only ever writes the TSS busy bit.
arch_gdt:
	dq 0
	dq 0x00AF9B000000FFFF                   ; 0x08: 64-bit code
	dq 0x00CF93000000FFFF                   ; 0x10: data
	dq 0, 0                                 ; 0x18: TSS, filled by idt.c
gdt_end:
gdt_ptr64:
	dw gdt_end - arch_gdt - 1
	dq arch_gdt

boot_magic:             dd 0
boot_info_phys:         dd 0
boot_cpuid_max_ext:     dd 0
boot_cpuid_ext_edx:     dd 0

; ---------------------------------------------------------------------------
section .bss
alignb 4096
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pd_low:    resb 4096
boot_pdpt_high: resb 4096
boot_pd_kernel: resb 4096
boot_pd_window: resb 4096
boot_pt_kernel: resb 4096 * KERNEL_PTS
boot_stack_guard: resb 4096            ; unmapped by kmem: overflow faults
boot_stack:     resb BOOT_STACK_BYTES
boot_stack_top:
