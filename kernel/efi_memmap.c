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
	default:
		return MM_REGION_RESERVED;
	}
}

/*
 * Append [base, base + length) to map, or extend the last region when it was
 * appended by this conversion (index >= first), has the same type and ends
 * exactly at base. Extending stops at 2^64 - 1 like mm_memmap_add.
 */
static mm_status_t append(struct mm_memmap *map, size_t first, uint64_t base,
			  uint64_t length, mm_region_type_t type)
{
	struct mm_region *last;

	if (map->count > first) {
		last = &map->regions[map->count - 1];
		if (last->type == type &&
		    last->length <= UINT64_MAX - last->base &&
		    last->base + last->length == base &&
		    length <= UINT64_MAX - base) {
			last->length += length;
			return MM_OK;
		}
	}
	return mm_memmap_add(map, base, length, type);
}

mm_status_t efi_memmap_convert(const void *descs, size_t bytes,
			       size_t desc_size, struct mm_memmap *map)
{
	const uint8_t *p = descs;
	size_t first;

	if (descs == NULL || map == NULL || desc_size < EFI_MD_MIN_SIZE)
		return MM_ERR_INVALID;
	first = map->count;
	for (size_t off = 0; bytes - off >= desc_size; off += desc_size) {
		const uint8_t *d = p + off;
		uint64_t pages = rd64(d + EFI_MD_PAGES_OFF);
		mm_status_t st;

		if (pages > UINT64_MAX >> EFI_PAGE_SHIFT)
			return MM_ERR_INVALID;
		if (pages == 0)
			continue;
		st = append(map, first, rd64(d + EFI_MD_PHYS_OFF),
			    pages << EFI_PAGE_SHIFT,
			    efi_memtype_to_region(rd32(d + EFI_MD_TYPE_OFF)));
		if (st != MM_OK)
			return st;
	}
	return MM_OK;
}
