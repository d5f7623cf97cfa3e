/*
 * The minimal kernel's entry: what a real kernel does once its boot code
 * has set up a stack, long mode and the recursive PML4 entry. It sets up
 * the frame allocator with the image reserved, exercises it, maps and
 * unmaps one page in the live tables, and halts. The physical extent of the
 * image comes from the linker script (link.ld).
 */
#include "mini.h"

#define MINI_KERNEL_VMA 0xFFFFFFFF80000000ull

extern char mini_image_start[], mini_image_end[];

_Noreturn void _start(void);

_Noreturn void _start(void)
{
	static struct mm_frames fa;
	static struct mm_vm vm;
	mm_paddr_t image = (mm_vaddr_t)mini_image_start - MINI_KERNEL_VMA;
	uint64_t len = (uint64_t)(mini_image_end - mini_image_start);
	mm_status_t st;

	st = mini_frames_init(&fa, image, len);
	if (st == MM_OK)
		st = mini_frames_exercise(&fa);
	if (st == MM_OK)
		st = mm_vm_init(&vm, &fa, NULL);
	if (st == MM_OK)
		st = mini_map_page(&vm, &fa);
	for (;;)
		__asm__ volatile("hlt" : : "r"(st));
}
