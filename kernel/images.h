/*
 * Images (xomb/abi.h XOMB_IMAGES_VA): GRUB modules whose command line
 * reads `image NAME` are not run; every program the kernel starts gets a
 * read-only copy of each, listed on an info page, so its library OS can
 * load a child from it. Callers: one CPU, the program phase only.
 */
#ifndef XOMB_IMAGES_H
#define XOMB_IMAGES_H

#include <stdint.h>

#include "boot_info.h"
#include "mm/status.h"

/*
 * Parse a module command line. Returns 1 for an image (its name, NUL
 * included, in name), 0 for a module that is not one (no leading "image"
 * word), -1 for a malformed image line (no name, a name of
 * XOMB_IMAGE_NAME bytes or more, a word after it).
 */
int images_parse(const char *cmdline, char *name);

/*
 * Record every image module of bi (before any program runs); a malformed
 * image line or one past XOMB_IMAGES_MAX prints `user: FAIL ...` and
 * counts in the return value (0: all recorded).
 */
unsigned images_collect(const struct boot_info *bi);

/*
 * Copy every recorded image into the address space pml4 at
 * XOMB_IMAGES_VA, after the info page (mapped even when there are none,
 * its count 0). Caller holds kmem.lock;
 * the kernel's address space is current before and after. Errors:
 * MM_ERR_NOMEM, MM_ERR_INVALID (a module that cannot be mapped): what was
 * copied stays in pml4's user half, freed with it.
 */
mm_status_t images_map(uint64_t pml4);

#endif /* XOMB_IMAGES_H */
