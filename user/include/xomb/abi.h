/*
 * The XOmB-C system-call ABI: the one header shared by the kernel, the user
 * runtime and every program. It depends on nothing but <stdint.h>, so a
 * library OS built elsewhere can include it alone. shared/DESIGN.md
 * ("Exokernel interface") is the contract this header spells out; XOmB's
 * own documents (docs/MEMORY.md, PROCESS.md, RESOURCE.md, UPCALL.md of
 * xomboverlord/xomb) define the primitives.
 *
 * Calling convention: the `syscall` instruction; number in rax; arguments in
 * rdi, rsi, rdx, r10, r8, r9; result in rax; rcx and r11 clobbered, every
 * other register preserved. The basic calls return >= 0 on success and a
 * negative XOMB_E* on error; the exokernel calls return the documents' error
 * codes (0 = success) or, for the allocating calls, an id > 0xff.
 */
#ifndef XOMB_ABI_H
#define XOMB_ABI_H

#include <stdint.h>

/* System call numbers. */
#define XOMB_SYS_EXIT		 0  /* (code): never returns */
#define XOMB_SYS_WRITE		 1  /* (buf, len): bytes to the console */
#define XOMB_SYS_YIELD		 2  /* (): give up the CPU */
#define XOMB_SYS_GETPID		 3  /* (): the caller's process id */
#define XOMB_SYS_ALLOC_PAGE	 16 /* (phys, entry, flags) */
#define XOMB_SYS_REMAP_PAGE	 17 /* (entry, target) */
#define XOMB_SYS_CHMOD_PAGE	 18 /* (entry, flags) */
#define XOMB_SYS_UNMAP_PAGE	 19 /* (entry) */
#define XOMB_SYS_MAP_ZERO	 20 /* (entry, flags) */
#define XOMB_SYS_ALLOC_PROCESS	 21 /* (phys, processAddress) */
#define XOMB_SYS_YIELD_PROCESS	 22 /* (processId) */
#define XOMB_SYS_FREE_PROCESS	 23 /* (processId, processAddress) */
#define XOMB_SYS_MAP_UPCALL	 24 /* (processId, which, entry point) */
#define XOMB_SYS_ALLOC_RESOURCE	 25 /* (phys, resourceAddress) */
#define XOMB_SYS_GRANT_RESOURCE	 26 /* (rid, raddr, pid, target, flags) */
#define XOMB_SYS_REVOKE_RESOURCE 27
#define XOMB_SYS_CHOWN_RESOURCE	 28

/*
 * Upcalls (MAP_UPCALL's `which`) and how each is entered: in ring 3, rsp =
 * XOMB_STACK_TOP of the entered process (its stack starts afresh), IF off,
 * every register zero but these:
 *   onYield (YIELD_PROCESS): rdi = the caller's processId, rsi = its own.
 *   onFree (FREE_PROCESS): rdi = the parent's processId, rsi = its own.
 *   onFault (a page fault): rdi = its own processId, rsi = the faulting
 *     address (cr2), rdx = the error code, rcx = the faulting rip.
 * A program's _start is entered like onYield, both ids its own.
 *
 * FREE_PROCESS(processId, processAddress) and onFree. Only the parent may
 * call it (INVALID_SOURCE otherwise: nothing happens). A child without
 * onFree is torn down at once. Otherwise the kernel enters the child's
 * onFree; the child releases what it wants and hands control back by
 * YIELD_PROCESS(parent) or EXIT (any other YIELD_PROCESS is refused with
 * INVALID_TARGET), or is killed by a fault (its onFault is not entered) or
 * a refused return. Either way the kernel then tears the child down:
 * every frame reachable only through it back to the allocator, its grants
 * revoked, the processes it owns freed in turn (their onFree not entered)
 * and the parent's FREE_PROCESS returns SUCCESS, every other register as
 * the parent left it. One free at a time: a FREE_PROCESS the child makes
 * in its onFree tears that grandchild down at once.
 */
#define XOMB_UPCALL_YIELD 1u
#define XOMB_UPCALL_FREE  2u
#define XOMB_UPCALL_FAULT 3u

/* Errors of the basic calls (negative in rax). */
#define XOMB_EINVAL  (-1) /* a bad argument */
#define XOMB_EFAULT  (-2) /* a buffer not readable by the caller */
#define XOMB_ENOSYS  (-3) /* no such system call */
#define XOMB_ETOOBIG (-4) /* a length over XOMB_WRITE_MAX */

/* WRITE accepts at most this many bytes per call. */
#define XOMB_WRITE_MAX 4096u

/* MapperError (docs/MEMORY.md), ProcessError / ResourceError. */
#define XOMB_SUCCESS	    0
#define XOMB_INVALID_FLAGS  1
#define XOMB_NOT_FREE	    2
#define XOMB_NOT_ALLOCATED  3
#define XOMB_INVALID_SOURCE 4
#define XOMB_INVALID_TARGET 5
#define XOMB_NOT_EMPTY	    6 /* MapperError: a table that still maps */
#define XOMB_NO_ROOM	    6 /* ProcessError / ResourceError */

/* Flags of the exokernel calls, least significant bit first. */
#define XOMB_PRESENT	     (1u << 0)
#define XOMB_READONLY	     (1u << 1)
#define XOMB_NOEXEC	     (1u << 2)
#define XOMB_USER_FLAG_SHIFT 16u /* bits 16 and up: library-OS-defined */
#define XOMB_USER_FLAG(n)    ((uint64_t)1 << (XOMB_USER_FLAG_SHIFT + (n)))

/*
 * The user half of every address space. Programs are loaded and run in
 * [XOMB_USER_MIN, XOMB_USER_END); the last user PML4 slot (255) holds the
 * frame bitmap; the stack grows down from XOMB_STACK_TOP, with one unmapped
 * guard page below its XOMB_STACK_PAGES pages.
 */
#define XOMB_USER_MIN	 0x0000000000010000ull
#define XOMB_USER_END	 0x00007F8000000000ull
#define XOMB_BITMAP_VA	 0x00007F8000000000ull /* bit i: frame i, 1 = not free */
#define XOMB_STACK_TOP	 0x00007F0000000000ull
#define XOMB_STACK_PAGES 16u

/*
 * The frame bitmap (PML4 slot 255, read-only, user, NX in every address
 * space): the frame allocator's live leaf bitmap, not a copy. Bit i (bit
 * i % 8 of byte i / 8) is frame i (physical i * 4096): 1 = not free
 * (allocated, reserved, kernel, page table), 0 = free now. Its length is
 * read at run time from the info page below: `frames` bits stand for
 * frames (every frame at or past `frames` is not free, and the bits of
 * the last 64-bit word at or past it read 1); `bytes` bytes from
 * XOMB_BITMAP_VA are the bitmap. Bytes past `bytes` on its last page are
 * the allocator's other metadata and mean nothing to a program.
 */
#define XOMB_BITMAP_INFO_VA 0x00007FC000000000ull
struct xomb_bitmap_info {
	uint64_t frames; /* frames the bitmap tracks: [0, frames) */
	uint64_t bytes;	 /* bytes of the bitmap: 8 * ceil(frames / 64) */
};

/*
 * Images: every GRUB module whose command line reads `image NAME` is not
 * run as a program; the kernel copies each into every program it starts
 * (not into the processes a program makes), read-only, user, NX, in PML4
 * slot 252: the info page struct xomb_images at XOMB_IMAGES_VA, then each
 * image from a page boundary, at XOMB_IMAGES_VA + offset, `size` bytes
 * (the rest of its last page reads 0). The info page is there in every
 * program, count 0 when the boot has no images; program segments may not
 * lie at or above XOMB_IMAGES_VA. A library OS
 * loads children from them (tests/user/proc_init.c parses an ELF).
 */
#define XOMB_IMAGES_VA	 0x00007E0000000000ull
#define XOMB_IMAGES_SPAN 0x0000008000000000ull /* one PML4 slot */
#define XOMB_IMAGES_MAX	 8u
#define XOMB_IMAGE_NAME	 48u /* bytes of a name, NUL included */
struct xomb_image {
	char name[XOMB_IMAGE_NAME]; /* NUL-terminated */
	uint64_t offset;	    /* from XOMB_IMAGES_VA, page-aligned */
	uint64_t size;		    /* bytes */
};
struct xomb_images {
	uint64_t count; /* images listed below */
	struct xomb_image image[XOMB_IMAGES_MAX];
};

/*
 * Page-table entries are named by their address in the recursive window
 * (PML4[510]) of the caller's own address space. Levels count from the leaf:
 * 0 = PT, 1 = PD, 2 = PDPT, 3 = PML4. The window is read-only to programs.
 */
#define XOMB_RECURSIVE_INDEX 510ull
#define XOMB_PT_SHIFT(level) (12u + 9u * (level))
/* The index field of `level` holding r; r placed in the top (level + 1). */
#define XOMB_WINDOW_FIELD(level)                                               \
	((uint64_t)XOMB_RECURSIVE_INDEX << XOMB_PT_SHIFT(level))
static inline uint64_t xomb_pte_addr(unsigned level, uint64_t va)
{
	uint64_t a = 0xFFFF000000000000ull;
	unsigned l;

	for (l = 0; l <= level; l++)
		a |= XOMB_WINDOW_FIELD(3u - l);
	va &= 0x0000FFFFFFFFFFFFull; /* 48-bit virtual address */
	return a | ((va >> (9u * (level + 1u))) & ~(uint64_t)7 &
		    ((1ull << XOMB_PT_SHIFT(3u - level)) - 1u));
}

#endif /* XOMB_ABI_H */
