/*
 * Owns the translation of UEFI memory descriptors into mm_memmap regions:
 * the EFI type policy (what is usable once boot services have exited) and
 * the bounds- and overflow-checked walk over a descriptor array whose stride
 * the firmware chooses. Descriptors are read byte by byte, so the array may
 * sit at any alignment and nothing past [descs, descs + bytes) is read.
 */
#include "efi_memmap.h"

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

mm_region_type_t efi_memtype_to_region(uint32_t efi_type)
{
	switch (efi_type) {
	case EFI_CONVENTIONAL_MEMORY:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
		return MM_REGION_USABLE;
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
		return MM_REGION_BOOTLOADER_RECLAIMABLE;
	case EFI_ACPI_RECLAIM_MEMORY:
		return MM_REGION_ACPI_RECLAIMABLE;
	case EFI_ACPI_MEMORY_NVS:
		return MM_REGION_ACPI_NVS;
	case EFI_UNUSABLE_MEMORY:
		return MM_REGION_BAD;
	case EFI_RESERVED_MEMORY_TYPE:
	case EFI_RUNTIME_SERVICES_CODE:
	case EFI_RUNTIME_SERVICES_DATA:
	case EFI_MEMORY_MAPPED_IO:
	case EFI_MEMORY_MAPPED_IO_PORT_SPACE:
	case EFI_PAL_CODE:
	case EFI_PERSISTENT_MEMORY:
		return MM_REGION_RESERVED;
	default: /* a type this kernel does not know: never usable */
		return MM_REGION_UNKNOWN;
	}
}

mm_status_t efi_memmap_convert(const void *descs, size_t bytes,
			       size_t desc_size, struct mm_memmap *map)
{
	const uint8_t *p = descs;

	if (descs == NULL || map == NULL || desc_size < EFI_MD_MIN_SIZE)
		return MM_ERR_INVALID;
	for (size_t off = 0; bytes - off >= desc_size; off += desc_size) {
		const uint8_t *d = p + off;
		uint64_t pages = rd64(d + EFI_MD_PAGES_OFF);
		mm_status_t st;

		if (pages > UINT64_MAX >> EFI_PAGE_SHIFT)
			return MM_ERR_INVALID;
		if (pages == 0)
			continue;
		st = mm_memmap_add(
			map, rd64(d + EFI_MD_PHYS_OFF), pages << EFI_PAGE_SHIFT,
			efi_memtype_to_region(rd32(d + EFI_MD_TYPE_OFF)));
		if (st != MM_OK)
			return st;
	}
	return MM_OK;
}
