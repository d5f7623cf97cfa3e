/*
 * The validating front end of the ELF64 program loader: decides whether a
 * GRUB module is a static x86-64 executable that may be loaded into a user
 * address space, and then describes its PT_LOAD segments one by one.
 * Portable (no libc): compiled into the freestanding kernel, the host tests
 * and the fuzzers. It never reads outside [img, img + size) and reads every
 * field byte by byte, so neither the image's alignment nor its content can
 * make it fault.
 */
#ifndef XOMB_ELF_H
#define XOMB_ELF_H

#include <stddef.h>
#include <stdint.h>

/* Wire-format sizes and the values the checker accepts (System V gABI). */
#define ELF_EHDR_SIZE  64u
#define ELF_PHDR_SIZE  56u
#define ELF_CLASS64    2u
#define ELF_DATA_LSB   1u
#define ELF_VERSION    1u
#define ELF_ET_EXEC    2u
#define ELF_EM_X86_64  62u
#define ELF_PT_LOAD    1u
#define ELF_PT_DYNAMIC 2u
#define ELF_PT_INTERP  3u
#define ELF_PT_SHLIB   5u
#define ELF_PF_X       1u
#define ELF_PF_W       2u
#define ELF_PF_R       4u
#define ELF_PAGE_SIZE  4096u
/* At most this many program headers (e_phnum); a static linker emits ~10. */
#define ELF_PHNUM_MAX  256u

/* The virtual range segments may occupy: [start, end), page-aligned. */
struct elf_limits {
	uint64_t start, end;
};

/* One PT_LOAD, as elf_segment() reports it. */
struct elf_segment {
	uint64_t vaddr;	 /* first byte (not page-aligned in general) */
	uint64_t memsz;	 /* bytes in memory, >= filesz, > 0 */
	uint64_t offset; /* file offset of the filesz bytes to copy */
	uint64_t filesz; /* the rest, [vaddr + filesz, vaddr + memsz), is 0 */
	unsigned prot;	 /* MM_PROT_WRITE or MM_PROT_EXEC (mm/paging.h) or 0;
			    never both; read is implied; no MM_PROT_USER */
};

/* What elf_check() learnt about a loadable image. */
struct elf_image {
	uint64_t entry;	    /* e_entry, inside an executable PT_LOAD */
	unsigned nsegments; /* PT_LOAD headers, 1 .. ELF_PHNUM_MAX */
	uint64_t phoff;	    /* e_phoff: the program header table */
	unsigned phnum;	    /* e_phnum, 1 .. ELF_PHNUM_MAX */
};

/*
 * Decide whether the size bytes at img are a loadable program whose segments
 * all lie inside *lim; on success fill *out and return NULL. Otherwise
 * return a short reason (lower case, words joined by '_', no spaces; a
 * static string) and leave *out unspecified. Accepted means all of:
 *
 * - the ELF header: magic, ELFCLASS64, ELFDATA2LSB, EI_VERSION and e_version
 *   1, ET_EXEC (ET_DYN, i.e. PIE, is refused), EM_X86_64, e_ehsize 64,
 *   e_phentsize 56, 1 <= e_phnum <= ELF_PHNUM_MAX (so PN_XNUM, 0xffff, is
 *   refused), the header table [e_phoff, e_phoff + 56 * e_phnum) inside the
 *   image without overflow. EI_OSABI, e_flags and the section headers are
 *   ignored (the loader never reads sections).
 * - no PT_INTERP, PT_DYNAMIC or PT_SHLIB header (static executables only);
 *   other non-PT_LOAD headers (PT_NOTE, PT_PHDR, PT_TLS, PT_GNU_STACK, ...)
 *   are ignored: the user stack is never executable whatever PT_GNU_STACK
 *   says.
 * - every PT_LOAD: p_flags has PF_R and no bit beyond PF_R | PF_W | PF_X
 *   (x86-64 pages are always readable, so a segment claiming otherwise is
 *   refused rather than silently widened), not both PF_W and PF_X;
 *   0 < p_memsz, p_filesz <= p_memsz; [p_offset, p_offset + p_filesz)
 *   inside the image without overflow; p_vaddr % 4096 == p_offset % 4096;
 *   p_align 0 or 1 (no constraint) or a power of two >= 4096 with
 *   p_vaddr % p_align == p_offset % p_align; [page_down(p_vaddr),
 *   page_up(p_vaddr + p_memsz)) computed without wrap and inside *lim.
 * - the PT_LOADs in ascending p_vaddr order, as the gABI requires, and no
 *   page shared by two of them (so each page gets one protection).
 * - at least one PT_LOAD, and e_entry inside [p_vaddr, p_vaddr + p_memsz)
 *   of a PT_LOAD with PF_X.
 *
 * Reasons: bad_args (img, lim or out NULL), bad_limits (*lim empty or not
 * page-aligned), too_small, bad_magic, not_elf64, not_little_endian,
 * bad_version, not_exec, not_x86_64, bad_ehsize, bad_phentsize, no_phdrs,
 * too_many_phdrs, phdrs_outside, interp, dynamic, shlib, bad_flags,
 * not_readable, write_and_exec, empty_segment, filesz_gt_memsz,
 * segment_outside_file, misaligned, bad_align, segment_wraps,
 * outside_limits, segments_unsorted, segments_overlap, no_load_segment,
 * entry_not_exec. Headers are checked in table order and the first
 * failing rule names the reason.
 *
 * Cost O(e_phnum). Reentrant: no state beyond its arguments.
 */
const char *elf_check(const void *img, size_t size,
		      const struct elf_limits *lim, struct elf_image *out);

/*
 * Describe the i-th PT_LOAD (in table order, so in ascending vaddr) of an
 * image that elf_check() accepted into *im. Preconditions (asserted): i <
 * im->nsegments, and img is the unchanged image elf_check() read. Cannot
 * fail. Cost O(e_phnum). Reentrant.
 */
void elf_segment(const void *img, const struct elf_image *im, unsigned i,
		 struct elf_segment *out);

#endif /* XOMB_ELF_H */
