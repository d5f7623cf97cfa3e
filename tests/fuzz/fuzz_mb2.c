/*
 * libFuzzer target for the multiboot2 parser. Each input is copied into an
 * exact-size heap buffer (8-aligned, so ASan flags any read past it) and
 * parsed; a successful parse must yield a boot_info that keeps every
 * promise of the header: a sanitized map within capacity, every module read
 * back by mb2_module() from the same buffer, NUL-terminated strings,
 * info_size within the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multiboot2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct boot_info bi;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

/* Sorted, disjoint, non-empty regions inside the 52-bit space. */
static void check_memmap(const struct mm_memmap *map)
{
	CHECK(map->count <= MM_MEMMAP_CAPACITY);
	for (size_t i = 0; i < map->count; i++) {
		const struct mm_region *r = &map->regions[i];

		CHECK((unsigned)r->type < MM_REGION_TYPE_COUNT);
		CHECK(r->length > 0 && r->base < MM_PHYS_LIMIT);
		CHECK(r->length <= MM_PHYS_LIMIT - r->base);
		if (i > 0) {
			const struct mm_region *p = &map->regions[i - 1];

			CHECK(p->base + p->length <= r->base);
		}
	}
}

static void check_string(const char *s)
{
	CHECK(memchr(s, '\0', BOOT_STRING_MAX) != NULL);
}

static void check_info(size_t size)
{
	CHECK(bi.method == BOOT_METHOD_MULTIBOOT2);
	CHECK(bi.info_size >= 16 && bi.info_size <= size);
	CHECK(bi.firmware == BOOT_FIRMWARE_UEFI ||
	      bi.firmware == BOOT_FIRMWARE_BIOS);
	check_string(bi.cmdline);
	check_string(bi.bootloader);
	CHECK(bi.info != NULL);
	for (size_t i = 0; i < bi.module_count; i++) {
		struct boot_module m;

		CHECK(mb2_module(&bi, i, &m) == MM_OK);
		check_string(m.cmdline);
		CHECK(m.start <= m.end);
	}
	CHECK(bi.acpi.rsdp_len <= BOOT_RSDP_MAX);
	CHECK(bi.kernel_phys_start == 0 && bi.kernel_virt_end == 0);
	check_memmap(&bi.memmap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1); /* malloc: 16-byte aligned */
	mm_status_t st;

	if (buf == NULL)
		return 0;
	if (size)
		memcpy(buf, data, size);
	st = mb2_parse(buf, size, &bi);
	CHECK(st == MM_OK || st == MM_ERR_INVALID || st == MM_ERR_NOMEM);
	if (st == MM_OK)
		check_info(size);
	free(buf);
	return 0;
}
