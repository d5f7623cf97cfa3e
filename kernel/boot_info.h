/*
 * What the kernel learns from its boot loader, independent of the boot
 * method (multiboot2 today, a UEFI stub next). A parser (mb2_parse) fills
 * everything except the kernel extent, which the kernel fills itself.
 *
 * Strings are COPIED into fixed, NUL-terminated buffers of BOOT_STRING_MAX
 * bytes; only the modules are read back from the loader's info when asked
 * for (`info`, below), so their number has no bound here. A string
 * longer than BOOT_STRING_MAX - 1 bytes is truncated and its *_truncated flag
 * is set. Addresses are physical addresses as reported by the loader.
 * A field whose tag was absent is zero (its `present` flag is false).
 */
#ifndef XOMB_BOOT_INFO_H
#define XOMB_BOOT_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/memmap.h"

#define BOOT_STRING_MAX 256u /* bytes per string buffer, NUL included */
#define BOOT_RSDP_MAX	36u  /* an ACPI 2.0+ RSDP; ACPI 1.0 uses 20 */

enum boot_method {
	BOOT_METHOD_NONE = 0,
	BOOT_METHOD_MULTIBOOT2,
};

enum boot_firmware {
	BOOT_FIRMWARE_BIOS = 0,
	BOOT_FIRMWARE_UEFI,
};

/* Framebuffer types as multiboot2 reports them. */
enum boot_fb_type {
	BOOT_FB_INDEXED = 0,
	BOOT_FB_RGB = 1,
	BOOT_FB_EGA_TEXT = 2,
};

/* One boot module: physical [start, end) and its command line. */
struct boot_module {
	uint64_t start, end;
	char cmdline[BOOT_STRING_MAX];
	bool cmdline_truncated;
};

struct boot_framebuffer {
	bool present;
	uint64_t addr; /* physical */
	uint32_t pitch, width, height;
	uint8_t bpp, type; /* type: enum boot_fb_type */
	/* Valid when type == BOOT_FB_RGB: bit position and width per channel. */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

/*
 * The ACPI RSDP. Multiboot2 hands over a copy (tag 14: ACPI 1.0, 20 bytes;
 * tag 15: ACPI 2.0+, 36 bytes); when both are present the 2.0 one wins.
 * `valid` says whether the signature "RSD PTR " and the checksum(s) hold;
 * a bad RSDP is recorded, not rejected.
 */
struct boot_acpi {
	bool present;
	bool valid;
	uint8_t revision;   /* RSDP revision byte: 0 = ACPI 1.0, 2 = 2.0+ */
	uint32_t rsdt_addr; /* physical */
	uint64_t xsdt_addr; /* physical; 0 unless revision >= 2 */
	uint32_t rsdp_len;  /* bytes used in rsdp[]: 20 or 36 */
	uint8_t rsdp[BOOT_RSDP_MAX];
};

struct boot_efi {
	bool systab_present;
	bool systab_64;	 /* tag 12 (64-bit) rather than tag 11 */
	uint64_t systab; /* physical address of the system table */
	bool image_handle_present;
	uint64_t image_handle; /* tag 19/20 */
	bool memmap_present;   /* tag 17 was given; memmap was built from it */
	uint32_t memmap_desc_version;
	bool boot_services_active; /* tag 18: ExitBootServices not called */
};

struct boot_info {
	enum boot_method method;
	enum boot_firmware firmware;
	uint32_t
		info_size; /* bytes of the loader's info (multiboot2 total_size) */

	/* Sanitized physical memory map. */
	struct mm_memmap memmap;

	char cmdline[BOOT_STRING_MAX];
	bool cmdline_truncated;
	char bootloader[BOOT_STRING_MAX];
	bool bootloader_truncated;

	/* Multiboot2 tag 4: KiB below 1 MiB / KiB from 1 MiB to the first hole. */
	bool basic_meminfo_present;
	uint32_t mem_lower_kib, mem_upper_kib;

	/* Multiboot2 tag 5: BIOS boot device. */
	bool bootdev_present;
	uint32_t biosdev, partition, sub_partition;

	/* Multiboot2 tag 9: ELF section headers (validated, not copied). */
	bool elf_sections_present;
	uint32_t elf_num, elf_entsize, elf_shndx;

	/* Multiboot2 tag 10: APM table. */
	bool apm_present;
	uint16_t apm_version;

	/* Multiboot2 tag 21: physical base the image was loaded at. */
	bool load_base_present;
	uint64_t load_base;

	struct boot_framebuffer fb;
	struct boot_acpi acpi;
	struct boot_efi efi;

	/*
	 * Modules: any number. They are not copied here: mb2_module() reads
	 * module i back from the loader's info, which stays readable at
	 * `info` (the kernel maps it for good; the parser validated it).
	 */
	size_t module_count;
	const void *info;

	/*
	 * Kernel image extent, [start, end). Filled by the kernel from its
	 * linker symbols; the parser zeroes these and never sets them.
	 */
	uint64_t kernel_phys_start, kernel_phys_end;
	uint64_t kernel_virt_start, kernel_virt_end;
};

#endif /* XOMB_BOOT_INFO_H */
