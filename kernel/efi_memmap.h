/*
 * Conversion of a UEFI memory map (an array of EFI_MEMORY_DESCRIPTOR, as
 * GetMemoryMap returns it and multiboot2 tag 17 copies it) into the
 * boot-method-agnostic struct mm_memmap.
 */
#ifndef XOMB_EFI_MEMMAP_H
#define XOMB_EFI_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "mm/memmap.h"
#include "mm/status.h"

/* EFI_MEMORY_TYPE values (UEFI spec, GetMemoryMap). */
#define EFI_RESERVED_MEMORY_TYPE	0u
#define EFI_LOADER_CODE			1u
#define EFI_LOADER_DATA			2u
#define EFI_BOOT_SERVICES_CODE		3u
#define EFI_BOOT_SERVICES_DATA		4u
#define EFI_RUNTIME_SERVICES_CODE	5u
#define EFI_RUNTIME_SERVICES_DATA	6u
#define EFI_CONVENTIONAL_MEMORY		7u
#define EFI_UNUSABLE_MEMORY		8u
#define EFI_ACPI_RECLAIM_MEMORY		9u
#define EFI_ACPI_MEMORY_NVS		10u
#define EFI_MEMORY_MAPPED_IO		11u
#define EFI_MEMORY_MAPPED_IO_PORT_SPACE 12u
#define EFI_PAL_CODE			13u
#define EFI_PERSISTENT_MEMORY		14u

/* EFI pages are always 4 KiB, whatever the CPU page size. */
#define EFI_PAGE_SHIFT 12u

/*
 * EFI_MEMORY_DESCRIPTOR layout: u32 Type, u32 padding, u64 PhysicalStart,
 * u64 VirtualStart, u64 NumberOfPages, u64 Attribute. Firmware may use a
 * larger descriptor_size; the stride is always descriptor_size.
 */
#define EFI_MD_TYPE_OFF	 0u
#define EFI_MD_PHYS_OFF	 8u
#define EFI_MD_VIRT_OFF	 16u
#define EFI_MD_PAGES_OFF 24u
#define EFI_MD_ATTR_OFF	 32u
#define EFI_MD_MIN_SIZE	 40u

/*
 * Region type for an EFI memory type, assuming boot services have exited:
 * conventional and boot-services code/data -> usable; loader code/data ->
 * bootloader reclaimable; ACPI reclaim -> ACPI reclaimable; ACPI NVS ->
 * ACPI NVS; unusable -> bad; reserved, runtime-services code/data, MMIO,
 * MMIO port space, PAL code and persistent memory -> reserved; every type
 * not listed here (including EFI 2.9 unaccepted memory and OEM/OS ranges)
 * -> MM_REGION_UNKNOWN, which is never usable.
 */
mm_region_type_t efi_memtype_to_region(uint32_t efi_type);

/*
 * Append the regions described by the descriptors in [descs, descs + bytes),
 * read with a stride of desc_size, to *map. Bytes after the last whole
 * descriptor are ignored. Each descriptor goes through mm_memmap_add(),
 * which coalesces it with the regions of its type that it overlaps or
 * touches (the rule of every boot path). Descriptors are read byte-wise: `descs` needs no alignment. The map is
 * not sanitized here.
 * Errors: MM_ERR_INVALID when descs or map is NULL, desc_size <
 * EFI_MD_MIN_SIZE, or a descriptor's NumberOfPages * 4096 does not fit in
 * 64 bits; MM_ERR_NOMEM when the map fills up. On failure the map may hold
 * the regions added before the failing descriptor, coalesced with those it
 * held before the call.
 */
mm_status_t efi_memmap_convert(const void *descs, size_t bytes,
			       size_t desc_size, struct mm_memmap *map);

#endif /* XOMB_EFI_MEMMAP_H */
