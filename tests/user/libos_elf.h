/*
 * A library OS's ELF loader: it parses an ELF64 executable itself (no
 * libc) and builds its pages with XOmB's primitives, for a child process
 * whose tables the caller hands over afterwards (tests/user/proc_init.c).
 */
#ifndef LIBOS_ELF_H
#define LIBOS_ELF_H

#include <stdint.h>

#include "libos.h"

/*
 * Load the ELF64 executable [img, img + size) into the current address
 * space at base + vaddr for every PT_LOAD segment: each page a fresh frame
 * (libos_page), the file's bytes copied, the rest zero, then its final
 * flags (read-only unless PF_W, NOEXEC unless PF_X). Accepted: x86-64
 * little-endian ET_EXEC, 56-byte program headers inside the image,
 * segments inside the image with filesz <= memsz, page-aligned vaddr in
 * [XOMB_USER_MIN, span), no page of two segments, at least one segment,
 * the entry inside an executable one. *entry receives e_entry. Returns
 * XOMB_SUCCESS; XOMB_INVALID_SOURCE for an image it refuses (checked
 * before any page is made); else the first refusal of the kernel (pages
 * made so far stay mapped).
 */
int64_t libos_elf_load(const uint8_t *img, uint64_t size, uint64_t base,
		       uint64_t span, uint64_t *entry);

/* The image named name on the kernel's info page (xomb/abi.h), or 0. */
const struct xomb_image *libos_image(const char *name);

#endif /* LIBOS_ELF_H */
