/*
 * The multiboot2 boot information parser: turns the tag list a multiboot2
 * loader (GRUB) leaves in memory into a struct boot_info. Compiled into the
 * freestanding kernel, the host tests and the fuzzers.
 */
#ifndef XOMB_MULTIBOOT2_H
#define XOMB_MULTIBOOT2_H

#include <stddef.h>
#include <stdint.h>

#include "boot_info.h"
#include "mm/status.h"

/* Value in EAX when a multiboot2 loader jumps to the kernel. */
#define MB2_BOOTLOADER_MAGIC 0x36d76289u
/* First field of the kernel's multiboot2 header (boot.asm). */
#define MB2_HEADER_MAGIC     0xe85250d6u

/* The info and every tag in it start on an 8-byte boundary. */
#define MB2_INFO_ALIGN 8u
#define MB2_TAG_ALIGN  8u

/* Boot information tag types. */
#define MB2_TAG_END		0u
#define MB2_TAG_CMDLINE		1u
#define MB2_TAG_BOOTLOADER_NAME 2u
#define MB2_TAG_MODULE		3u
#define MB2_TAG_BASIC_MEMINFO	4u
#define MB2_TAG_BOOTDEV		5u
#define MB2_TAG_MMAP		6u
#define MB2_TAG_VBE		7u
#define MB2_TAG_FRAMEBUFFER	8u
#define MB2_TAG_ELF_SECTIONS	9u
#define MB2_TAG_APM		10u
#define MB2_TAG_EFI32		11u
#define MB2_TAG_EFI64		12u
#define MB2_TAG_SMBIOS		13u
#define MB2_TAG_ACPI_OLD	14u
#define MB2_TAG_ACPI_NEW	15u
#define MB2_TAG_NETWORK		16u
#define MB2_TAG_EFI_MMAP	17u
#define MB2_TAG_EFI_BS		18u
#define MB2_TAG_EFI32_IH	19u
#define MB2_TAG_EFI64_IH	20u
#define MB2_TAG_LOAD_BASE_ADDR	21u

/* Memory map (tag 6) entry types. */
#define MB2_MEMORY_AVAILABLE	    1u
#define MB2_MEMORY_RESERVED	    2u
#define MB2_MEMORY_ACPI_RECLAIMABLE 3u
#define MB2_MEMORY_NVS		    4u
#define MB2_MEMORY_BADRAM	    5u

/* Fixed sizes of the wire format, in bytes. */
#define MB2_INFO_HEADER_SIZE 8u	 /* u32 total_size, u32 reserved */
#define MB2_TAG_HEADER_SIZE  8u	 /* u32 type, u32 size */
#define MB2_MMAP_ENTRY_SIZE  24u /* u64 base, u64 length, u32 type, u32 rsvd */

/*
 * Parse the multiboot2 boot information at `info`, of which `avail` bytes
 * may be read, into *out (which is fully overwritten: every field the info
 * does not provide is zero). `method` becomes BOOT_METHOD_MULTIBOOT2;
 * `firmware` is UEFI when tag 11, 12 or 17 is present, else BIOS.
 *
 * Memory map: built from the EFI memory map (tag 17) when present, else from
 * tag 6, else from basic meminfo (tag 4: [0, lower KiB) and
 * [1 MiB, 1 MiB + upper KiB) usable), else left empty. Tag 6 types 1..5 map
 * to usable, reserved, ACPI reclaimable, ACPI NVS and bad; any other type
 * becomes MM_REGION_UNKNOWN (never usable: never hand out memory nobody
 * described). Overlapping or touching entries of one type are coalesced
 * while reading (mm_memmap_add(), on every path), and the map is
 * sanitized (mm_memmap_sanitize) before returning. Bytes after the last
 * whole entry of tag 6 / 17 are ignored.
 *
 * EFI types map as efi_memtype_to_region() says, i.e. as if boot services
 * had exited (boot-services memory is usable); when tag 18 says they have
 * not, efi.boot_services_active is set and the caller must not hand that
 * memory out before calling ExitBootServices itself.
 *
 * Repeated single-instance tags: the later one wins, except that an ACPI 1.0
 * RSDP (tag 14) never replaces an ACPI 2.0 one (tag 15). Unknown tags are
 * skipped. Tags after the end tag are ignored. Tag 9 (ELF sections) is
 * validated but only its counts are kept.
 *
 * Errors (never a hang, never a read outside [info, info + avail) nor past
 * the info's own total_size):
 *   MM_ERR_INVALID: info or out NULL, info not 8-byte aligned, avail < 8,
 *     total_size < 16 or > avail, a tag smaller than 8 bytes or running past
 *     total_size, no end tag, a tag too small for its fixed fields, an mmap
 *     entry_size below 24 (or an EFI descriptor_size below 40), a string not
 *     NUL-terminated within its tag, a module with end < start, an ELF
 *     section table that does not fit its tag, an EFI descriptor whose page
 *     count overflows 64 bits.
 *   MM_ERR_NOMEM: more memory regions than struct mm_memmap holds (also
 *     when sanitizing needs more). Any number of modules is accepted.
 * On failure *out is unspecified (partly written) but nothing outside it and
 * nothing outside the readable range is touched.
 */
mm_status_t mb2_parse(const void *info, size_t avail, struct boot_info *out);

/*
 * Module i (in tag order) of the info bi was parsed from: physical [start,
 * end) and the command line (copied, truncated like the parser does).
 * bi->info must still hold the bytes mb2_parse() accepted. Cost O(tags).
 * Errors: MM_ERR_INVALID when i >= bi->module_count or an argument is NULL
 * (*out unchanged then).
 */
mm_status_t mb2_module(const struct boot_info *bi, size_t i,
		       struct boot_module *out);

#endif /* XOMB_MULTIBOOT2_H */
