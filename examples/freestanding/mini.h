/*
 * The logic of the minimal kernel: what a kernel does with libmm at boot.
 * The same code runs in the freestanding ELF (start.c, with port.c) and in
 * its hosted twin (twin.c, on libmm's simulated machine).
 */
#ifndef MINI_H
#define MINI_H

#include "mm/frame.h"
#include "mm/paging.h"

/* Where mini_map_page() puts its page: kernel half, outside the window. */
#define MINI_VA 0xFFFFC00000000000ull

/*
 * The frame allocator over the memory map a BIOS reports for a 128 MiB
 * machine, with [image_pa, image_pa + image_len) (the kernel image)
 * reserved. Returns the first failing libmm status.
 */
mm_status_t mini_frames_init(struct mm_frames *fa, mm_paddr_t image_pa,
			     uint64_t image_len);

/*
 * Allocate a frame and an aligned 2 MiB run, free both, and check that the
 * allocator's figures are back where they were and mm_frame_check() holds.
 */
mm_status_t mini_frames_exercise(struct mm_frames *fa);

/*
 * Map a fresh frame writable at MINI_VA in the live tables of vm, check the
 * translation, unmap it and free the frame.
 */
mm_status_t mini_map_page(struct mm_vm *vm, struct mm_frames *fa);

#endif /* MINI_H */
