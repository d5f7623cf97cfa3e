/*
 * Tests of the multiboot2 parser: realistic BIOS and UEFI infos, every tag,
 * every malformed input, and truncation at every length; then the real
 * infos GRUB gave the kernel under QEMU (tests/fuzz/corpus/mb2/qemu-*.bin,
 * captured by tools/capture_mb2.sh). Each info is copied into an exact-size
 * heap buffer, so ASan catches any read past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../fuzz/mb2_builder.h"
#include "multiboot2.h"

#define PAGE 4096u

static struct mb2b b;
static struct boot_info bi;

static int setup(void **state)
{
	(void)state;
	mb2b_init(&b);
	memset(&bi, 0xA5, sizeof(bi)); /* the parser must not rely on zeroes */
	return 0;
}

/* Parse the first `avail` bytes of `src`, copied into an exact-size buffer. */
/*
 * The exact-size copy the last parse read: kept until the next parse, since
 * mb2_module() reads modules back from it (bi.info).
 */
static uint8_t *parsed;

static mm_status_t parse_bytes(const uint8_t *src, size_t avail)
{
	free(parsed);
	parsed = malloc(avail ? avail : 1);
	assert_non_null(parsed);
	memcpy(parsed, src, avail);
	return mb2_parse(parsed, avail, &bi);
}

/* Module i of the last parse, read back with mb2_module(). */
static struct boot_module mod(size_t i)
{
	struct boot_module m;

	assert_int_equal(mb2_module(&bi, i, &m), MM_OK);
	return m;
}

/* Finish the builder's info and parse all of it. */
static mm_status_t finish_and_parse(void)
{
	return parse_bytes(b.buf, mb2b_finish(&b));
}

static void expect_region(size_t i, uint64_t base, uint64_t end,
			  mm_region_type_t type)
{
	assert_true(i < bi.memmap.count);
	assert_int_equal(bi.memmap.regions[i].base, base);
	assert_int_equal(bi.memmap.regions[i].length, end - base);
	assert_int_equal(bi.memmap.regions[i].type, type);
}

/* Sorted, disjoint, non-empty: what mm_memmap_sanitize promises. */
static void expect_sane_map(const struct mm_memmap *map)
{
	assert_true(map->count <= MM_MEMMAP_CAPACITY);
	for (size_t i = 0; i < map->count; i++) {
		const struct mm_region *r = &map->regions[i];

		assert_true(r->length > 0);
		assert_true(r->base + r->length <= MM_PHYS_LIMIT);
		if (i > 0)
			assert_true(map->regions[i - 1].base +
					    map->regions[i - 1].length <=
				    r->base);
	}
}

/* GRUB-on-BIOS info: every tag lands in its boot_info field. */
static void test_parse_bios_realistic(void **state)
{
	size_t len = mb2b_bios_info(&b);

	(void)state;
	assert_int_equal(parse_bytes(b.buf, len), MM_OK);
	assert_int_equal(bi.method, BOOT_METHOD_MULTIBOOT2);
	assert_int_equal(bi.firmware, BOOT_FIRMWARE_BIOS);
	assert_int_equal(bi.info_size, len);
	assert_string_equal(bi.cmdline, "console=com1 ktest=all");
	assert_false(bi.cmdline_truncated);
	assert_string_equal(bi.bootloader, "GRUB 2.06-13+deb12u1");
	assert_int_equal(bi.module_count, 2);
	assert_int_equal(mod(0).start, 0x200000);
	assert_int_equal(mod(0).end, 0x201000);
	assert_string_equal(mod(0).cmdline, "initrd");
	assert_int_equal(mod(1).start, 0x202000);
	assert_int_equal(mod(1).end, 0x210000);
	assert_string_equal(mod(1).cmdline, "apps.tar");
	assert_true(bi.basic_meminfo_present);
	assert_int_equal(bi.mem_lower_kib, 639);
	assert_int_equal(bi.mem_upper_kib, 129920);
	assert_true(bi.bootdev_present);
	assert_int_equal(bi.biosdev, 0x80);
	assert_int_equal(bi.partition, 0);
	assert_int_equal(bi.sub_partition, 0xffffffff);
	assert_true(bi.elf_sections_present);
	assert_int_equal(bi.elf_num, 12);
	assert_int_equal(bi.elf_entsize, 64);
	assert_int_equal(bi.elf_shndx, 11);
	assert_true(bi.apm_present);
	assert_int_equal(bi.apm_version, 0x0102);
	assert_false(bi.load_base_present);
	assert_false(bi.efi.systab_present);
	assert_false(bi.efi.memmap_present);
	assert_int_equal(bi.kernel_phys_start, 0);
	assert_int_equal(bi.kernel_virt_end, 0);
}

/* GRUB-on-BIOS info: framebuffer and ACPI 1.0 RSDP copy. */
static void test_parse_bios_fb_acpi(void **state)
{
	size_t len = mb2b_bios_info(&b);

	(void)state;
	assert_int_equal(parse_bytes(b.buf, len), MM_OK);
	assert_true(bi.fb.present);
	assert_int_equal(bi.fb.addr, 0xfd000000);
	assert_int_equal(bi.fb.pitch, 4096);
	assert_int_equal(bi.fb.width, 1024);
	assert_int_equal(bi.fb.height, 768);
	assert_int_equal(bi.fb.bpp, 32);
	assert_int_equal(bi.fb.type, BOOT_FB_RGB);
	assert_int_equal(bi.fb.red_pos, 16);
	assert_int_equal(bi.fb.red_size, 8);
	assert_int_equal(bi.fb.green_pos, 8);
	assert_int_equal(bi.fb.blue_pos, 0);
	assert_int_equal(bi.fb.blue_size, 8);
	assert_true(bi.acpi.present);
	assert_true(bi.acpi.valid);
	assert_int_equal(bi.acpi.revision, 0);
	assert_int_equal(bi.acpi.rsdp_len, 20);
	assert_int_equal(bi.acpi.rsdt_addr, 0x7fe14d5);
	assert_int_equal(bi.acpi.xsdt_addr, 0);
	assert_memory_equal(bi.acpi.rsdp, "RSD PTR ", 8);
}

/* GRUB-on-BIOS info: the e820 map, sanitized, and its usable bytes. */
static void test_parse_bios_memmap(void **state)
{
	(void)state;
	assert_int_equal(parse_bytes(b.buf, mb2b_bios_info(&b)), MM_OK);
	assert_int_equal(bi.memmap.count, 6);
	expect_region(0, 0x0, 0x9fc00, MM_REGION_USABLE);
	expect_region(1, 0x9fc00, 0xa0000, MM_REGION_RESERVED);
	expect_region(2, 0xf0000, 0x100000, MM_REGION_RESERVED);
	expect_region(3, 0x100000, 0x7fe0000, MM_REGION_USABLE);
	expect_region(4, 0x7fe0000, 0x8000000, MM_REGION_RESERVED);
	expect_region(5, 0xfffc0000, 0x100000000, MM_REGION_RESERVED);
	assert_int_equal(mm_memmap_usable_bytes(&bi.memmap),
			 0x9f000 + (0x7fe0000 - 0x100000));
}

/* GRUB-on-UEFI info (tags 21 1 2 6 9 4 12 14 15 17): fields and firmware. */
static void test_parse_uefi_realistic(void **state)
{
	size_t len = mb2b_uefi_info(&b);

	(void)state;
	assert_int_equal(parse_bytes(b.buf, len), MM_OK);
	assert_int_equal(bi.method, BOOT_METHOD_MULTIBOOT2);
	assert_int_equal(bi.firmware, BOOT_FIRMWARE_UEFI);
	assert_true(bi.load_base_present);
	assert_int_equal(bi.load_base, 0x200000);
	assert_string_equal(bi.cmdline, "console=com1");
	assert_string_equal(bi.bootloader, "GRUB 2.06-13+deb12u1");
	assert_true(bi.efi.systab_present);
	assert_true(bi.efi.systab_64);
	assert_int_equal(bi.efi.systab, 0x7f9e018);
	assert_true(bi.efi.memmap_present);
	assert_int_equal(bi.efi.memmap_desc_version, 1);
	assert_false(bi.efi.boot_services_active);
	assert_false(bi.efi.image_handle_present);
	assert_true(bi.acpi.present);
	assert_true(bi.acpi.valid);
	assert_int_equal(bi.acpi.revision, 2);
	assert_int_equal(bi.acpi.rsdp_len, 36);
	assert_int_equal(bi.acpi.rsdt_addr, 0x7b7e074);
	assert_int_equal(bi.acpi.xsdt_addr, 0x7b7e0e8);
	assert_int_equal(bi.module_count, 0);
	assert_false(bi.fb.present);
	assert_int_equal(bi.elf_num, 14);
}

/* GRUB-on-UEFI info: the map comes from tag 17, not from tag 6. */
static void test_parse_uefi_efi_map_wins(void **state)
{
	(void)state;
	assert_int_equal(parse_bytes(b.buf, mb2b_uefi_info(&b)), MM_OK);
	assert_int_equal(bi.memmap.count, 12);
	expect_region(0, 0x0, 0xa0000, MM_REGION_USABLE);
	expect_region(1, 0x100000, 0x800000, MM_REGION_USABLE);
	expect_region(2, 0x800000, 0x808000, MM_REGION_ACPI_NVS);
	expect_region(3, 0x808000, 0x810000, MM_REGION_USABLE);
	expect_region(4, 0x810000, 0x900000, MM_REGION_ACPI_NVS);
	expect_region(5, 0x900000, 0x1a00000, MM_REGION_BOOTLOADER_RECLAIMABLE);
	expect_region(6, 0x1a00000, 0x7a00000, MM_REGION_USABLE);
	expect_region(7, 0x7a00000, 0x7c00000, MM_REGION_RESERVED);
	expect_region(8, 0x7c00000, 0x7c10000, MM_REGION_ACPI_RECLAIMABLE);
	expect_region(9, 0x7c10000, 0x8000000, MM_REGION_USABLE);
	expect_region(10, 0xe0000000, 0xf0000000, MM_REGION_RESERVED);
	expect_region(11, 0xffc00000, 0x100000000, MM_REGION_RESERVED);
	expect_sane_map(&bi.memmap);
}

/* Header plus end tag: OK, empty map, BIOS, every field zero. */
static void test_parse_minimal(void **state)
{
	(void)state;
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_int_equal(bi.method, BOOT_METHOD_MULTIBOOT2);
	assert_int_equal(bi.firmware, BOOT_FIRMWARE_BIOS);
	assert_int_equal(bi.info_size, 16);
	assert_int_equal(bi.memmap.count, 0);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.bootloader, "");
	assert_int_equal(bi.module_count, 0);
	assert_false(bi.acpi.present);
	assert_false(bi.fb.present);
	assert_false(bi.basic_meminfo_present);
	assert_int_equal(bi.kernel_phys_end, 0);
	assert_int_equal(bi.kernel_virt_start, 0);
}

/* Tag 6 types 1..5 map to their region types; any other is unknown. */
static void test_mmap_types(void **state)
{
	static const struct mb2b_mmap_entry e[] = {
		{0x00000, 0x1000, 1}, {0x10000, 0x1000, 2},
		{0x20000, 0x1000, 3}, {0x30000, 0x1000, 4},
		{0x40000, 0x1000, 5}, {0x50000, 0x1000, 0},
		{0x60000, 0x1000, 6}, {0x70000, 0x1000, 0xffffffff},
	};

	(void)state;
	mb2b_mmap(&b, e, 8, 24);
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_int_equal(bi.memmap.count, 8);
	expect_region(0, 0x00000, 0x01000, MM_REGION_USABLE);
	expect_region(1, 0x10000, 0x11000, MM_REGION_RESERVED);
	expect_region(2, 0x20000, 0x21000, MM_REGION_ACPI_RECLAIMABLE);
	expect_region(3, 0x30000, 0x31000, MM_REGION_ACPI_NVS);
	expect_region(4, 0x40000, 0x41000, MM_REGION_BAD);
	expect_region(5, 0x50000, 0x51000, MM_REGION_UNKNOWN);
	expect_region(6, 0x60000, 0x61000, MM_REGION_UNKNOWN);
	expect_region(7, 0x70000, 0x71000, MM_REGION_UNKNOWN);
}

/* An entry_size above 24 is the stride; bytes after the last entry ignored. */
static void test_mmap_stride_and_trailing_bytes(void **state)
{
	static const struct mb2b_mmap_entry e[] = {
		{0x100000, 0x100000, 1},
		{0x300000, 0x1000, 2},
	};
	uint8_t *t;

	(void)state;
	t = b.buf + b.len;
	mb2b_mmap(&b, e, 2, 36);
	mb2b_wr32(t + 4, 16 + 2 * 36 + 35);   /* 35 stray bytes: no entry */
	mb2b_wr64(t + 16 + 2 * 36, 0x500000); /* a partial third entry */
	mb2b_wr64(t + 16 + 2 * 36 + 8, 0x1000);
	mb2b_wr32(t + 16 + 2 * 36 + 16, 1);
	b.len = 8 + ((16 + 2 * 36 + 35 + 7) & ~7u);
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_int_equal(bi.memmap.count, 2);
	expect_region(0, 0x100000, 0x200000, MM_REGION_USABLE);
	expect_region(1, 0x300000, 0x301000, MM_REGION_RESERVED);
}

/* Tag 17 alone: UEFI firmware, map from the descriptors (stride 40). */
static void test_efi_mmap_alone(void **state)
{
	static const struct mb2b_efi_desc d[] = {
		{7, 0x100000, 0x100},
		{8, 0x200000, 0x1},
	};

	(void)state;
	mb2b_efi_mmap(&b, d, 2, 40);
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_int_equal(bi.firmware, BOOT_FIRMWARE_UEFI);
	assert_true(bi.efi.memmap_present);
	assert_false(bi.efi.systab_present);
	assert_int_equal(bi.memmap.count, 2);
	expect_region(0, 0x100000, 0x200000, MM_REGION_USABLE);
	expect_region(1, 0x200000, 0x201000, MM_REGION_BAD);
}

/* Tag 11 (32-bit system table): UEFI firmware, 32-bit pointer. */
static void test_efi32_systab(void **state)
{
	(void)state;
	mb2b_u32(&b, MB2_TAG_EFI32, 0x7fa0000);
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_int_equal(bi.firmware, BOOT_FIRMWARE_UEFI);
	assert_true(bi.efi.systab_present);
	assert_false(bi.efi.systab_64);
	assert_int_equal(bi.efi.systab, 0x7fa0000);
}

/* Tags 18, 19 and 20 set the boot-services flag and the image handle. */
static void test_efi_handles_and_boot_services(void **state)
{
	(void)state;
	mb2b_tag(&b, MB2_TAG_EFI_BS, 8);
	mb2b_u32(&b, MB2_TAG_EFI32_IH, 0x1234);
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_true(bi.efi.boot_services_active);
	assert_true(bi.efi.image_handle_present);
	assert_int_equal(bi.efi.image_handle, 0x1234);
	assert_int_equal(bi.firmware, BOOT_FIRMWARE_BIOS);
	mb2b_init(&b);
	mb2b_u64(&b, MB2_TAG_EFI64_IH, 0x123456789abull);
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_false(bi.efi.boot_services_active);
	assert_int_equal(bi.efi.image_handle, 0x123456789abull);
}

/* Without tags 6 and 17 the map comes from basic meminfo. */
static void test_meminfo_fallback(void **state)
{
	(void)state;
	mb2b_basic_meminfo(&b, 639, 1024);
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_int_equal(bi.memmap.count, 2);
	expect_region(0, 0, 639 * 1024, MM_REGION_USABLE);
	expect_region(1, 0x100000, 0x200000, MM_REGION_USABLE);
}

/* Unknown and unhandled tags are skipped, whatever their content. */
static void test_unknown_tags_skipped(void **state)
{
	uint8_t *t;

	(void)state;
	t = mb2b_tag(&b, MB2_TAG_VBE, 784);
	memset(t + 8, 0xFF, 784 - 8);
	t = mb2b_tag(&b, 22, 13);
	memset(t + 8, 0xFF, 5);
	mb2b_tag(&b, 0xffffffff, 8);
	mb2b_tag(&b, MB2_TAG_SMBIOS, 16);
	mb2b_string(&b, MB2_TAG_CMDLINE, "after");
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_string_equal(bi.cmdline, "after");
}

/* Bytes after the end tag (within total_size) are never looked at. */
static void test_tags_after_end_ignored(void **state)
{
	(void)state;
	mb2b_tag(&b, MB2_TAG_END, 8);
	mb2b_tag(&b, MB2_TAG_CMDLINE, 4); /* malformed, but after the end */
	mb2b_string(&b, MB2_TAG_CMDLINE, "never");
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_string_equal(bi.cmdline, "");
}

/* A repeated single-instance tag: the later one wins. */
static void test_duplicate_tag_later_wins(void **state)
{
	(void)state;
	mb2b_string(&b, MB2_TAG_CMDLINE, "first");
	mb2b_string(&b, MB2_TAG_CMDLINE, "second");
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_string_equal(bi.cmdline, "second");
}

/* Strings of 255 bytes fit; longer ones are truncated and flagged. */
static void test_strings_truncated(void **state)
{
	char s[400];

	(void)state;
	memset(s, 'a', sizeof(s));
	s[BOOT_STRING_MAX - 1] = '\0';
	mb2b_string(&b, MB2_TAG_CMDLINE, s);
	s[BOOT_STRING_MAX - 1] = 'b';
	s[sizeof(s) - 1] = '\0';
	mb2b_string(&b, MB2_TAG_BOOTLOADER_NAME, s);
	mb2b_module(&b, 0, 0, s);
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_int_equal(strlen(bi.cmdline), BOOT_STRING_MAX - 1);
	assert_false(bi.cmdline_truncated);
	assert_int_equal(strlen(bi.bootloader), BOOT_STRING_MAX - 1);
	assert_true(bi.bootloader_truncated);
	assert_int_equal(bi.bootloader[BOOT_STRING_MAX - 2], 'a');
	assert_int_equal(strlen(mod(0).cmdline), BOOT_STRING_MAX - 1);
	assert_true(mod(0).cmdline_truncated);
}

/* An ACPI 2.0 RSDP is kept when a 1.0 copy follows it. */
static void test_acpi_v2_kept_over_later_v1(void **state)
{
	(void)state;
	mb2b_rsdp(&b, 1, 0x1000, 0x2000);
	mb2b_rsdp(&b, 0, 0x3000, 0);
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_int_equal(bi.acpi.revision, 2);
	assert_int_equal(bi.acpi.rsdt_addr, 0x1000);
	assert_int_equal(bi.acpi.xsdt_addr, 0x2000);
}

/* A bad signature or checksum is recorded as invalid, not rejected. */
static void test_acpi_bad_rsdp_recorded_invalid(void **state)
{
	uint8_t *r;

	(void)state;
	r = b.buf + b.len + 8;
	mb2b_rsdp(&b, 1, 0x1000, 0x2000);
	r[30] ^= 1; /* breaks the extended checksum only */
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_true(bi.acpi.present);
	assert_false(bi.acpi.valid);

	mb2b_init(&b);
	r = b.buf + b.len + 8;
	mb2b_rsdp(&b, 0, 0x1000, 0);
	r[19] ^= 1; /* breaks the 1.0 checksum */
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_false(bi.acpi.valid);

	mb2b_init(&b);
	r = b.buf + b.len + 8;
	mb2b_rsdp(&b, 0, 0x1000, 0);
	r[0] = 'X';
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_false(bi.acpi.valid);
	assert_int_equal(bi.acpi.rsdt_addr, 0x1000);
}

/* An indexed framebuffer, or a too-short RGB one, has no channel fields. */
static void test_framebuffer_without_rgb_fields(void **state)
{
	uint8_t *t;

	(void)state;
	t = mb2b_tag(&b, MB2_TAG_FRAMEBUFFER, 31);
	t[28] = 8;
	t[29] = BOOT_FB_RGB;
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_true(bi.fb.present);
	assert_int_equal(bi.fb.bpp, 8);
	assert_int_equal(bi.fb.red_size, 0);

	mb2b_init(&b);
	t = mb2b_tag(&b, MB2_TAG_FRAMEBUFFER, 40);
	t[29] = BOOT_FB_INDEXED;
	memset(t + 32, 0x55, 8);
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_int_equal(bi.fb.type, BOOT_FB_INDEXED);
	assert_int_equal(bi.fb.red_pos, 0);
}

/* An ELF tag with no sections is fine whatever its entsize. */
static void test_elf_no_sections(void **state)
{
	(void)state;
	mb2b_elf(&b, 0, 0, 0);
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_true(bi.elf_sections_present);
	assert_int_equal(bi.elf_num, 0);
}

/* NULL info or out is MM_ERR_INVALID. */
static void test_err_null_args(void **state)
{
	size_t len = mb2b_finish(&b);

	(void)state;
	assert_int_equal(mb2_parse(NULL, len, &bi), MM_ERR_INVALID);
	assert_int_equal(mb2_parse(b.buf, len, NULL), MM_ERR_INVALID);
}

/* Fewer than 8 readable bytes is MM_ERR_INVALID. */
static void test_err_avail_below_header(void **state)
{
	size_t len = mb2b_finish(&b);

	(void)state;
	for (size_t avail = 0; avail < 8; avail++)
		assert_int_equal(parse_bytes(b.buf, avail), MM_ERR_INVALID);
	assert_int_equal(parse_bytes(b.buf, len), MM_OK);
}

/* An info not on an 8-byte boundary is MM_ERR_INVALID. */
static void test_err_misaligned_info(void **state)
{
	size_t len = mb2b_finish(&b);
	uint8_t *raw = malloc(len + 8);

	(void)state;
	assert_non_null(raw);
	for (size_t off = 1; off < 8; off++) {
		memcpy(raw + off, b.buf, len);
		assert_int_equal(mb2_parse(raw + off, len, &bi),
				 MM_ERR_INVALID);
	}
	free(raw);
}

/* total_size below 16 (no room for an end tag) is MM_ERR_INVALID. */
static void test_err_total_size_too_small(void **state)
{
	static const uint32_t sizes[] = {0, 1, 8, 15};

	(void)state;
	mb2b_finish(&b);
	for (size_t i = 0; i < 4; i++) {
		mb2b_wr32(b.buf, sizes[i]);
		assert_int_equal(parse_bytes(b.buf, 16), MM_ERR_INVALID);
	}
}

/* total_size beyond the readable bytes is MM_ERR_INVALID. */
static void test_err_total_size_over_avail(void **state)
{
	size_t len = mb2b_finish(&b);

	(void)state;
	mb2b_wr32(b.buf, (uint32_t)len + 8);
	assert_int_equal(parse_bytes(b.buf, len), MM_ERR_INVALID);
	mb2b_wr32(b.buf, 0xffffffff);
	assert_int_equal(parse_bytes(b.buf, len), MM_ERR_INVALID);
}

/* A tag smaller than its 8-byte header (even 0) is MM_ERR_INVALID. */
static void test_err_tag_below_8_bytes(void **state)
{
	static const uint32_t sizes[] = {0, 1, 4, 7};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		mb2b_init(&b);
		mb2b_string(&b, MB2_TAG_CMDLINE, "x");
		mb2b_wr32(mb2b_tag(&b, 99, 8) + 4, sizes[i]);
		assert_int_equal(finish_and_parse(), MM_ERR_INVALID);
	}
}

/* A tag running past total_size is MM_ERR_INVALID. */
static void test_err_tag_past_end(void **state)
{
	uint8_t *t;
	size_t len;

	(void)state;
	t = mb2b_tag(&b, 99, 16);
	len = mb2b_finish(&b);
	mb2b_wr32(t + 4, (uint32_t)(len - 8 + 1));
	assert_int_equal(parse_bytes(b.buf, len), MM_ERR_INVALID);
	mb2b_wr32(t + 4, 0xffffffff);
	assert_int_equal(parse_bytes(b.buf, len), MM_ERR_INVALID);
}

/* A last tag whose padding would cross total_size is MM_ERR_INVALID. */
static void test_err_padding_past_end(void **state)
{
	(void)state;
	mb2b_tag(&b, 99, 9); /* [8, 17), padded to 24 */
	mb2b_wr32(b.buf, 17);
	assert_int_equal(parse_bytes(b.buf, 24), MM_ERR_INVALID);
}

/*
 * A near-4 GiB tag whose padded step passes 2^32 is MM_ERR_INVALID, and
 * nothing beyond its header is read (the buffer is only 16 bytes long).
 */
static void test_err_huge_tag_step(void **state)
{
	uint8_t *raw = malloc(16);

	(void)state;
	assert_non_null(raw);
	mb2b_wr32(raw, 0xffffffff);
	mb2b_wr32(raw + 4, 0);
	mb2b_wr32(raw + 8, 99);
	mb2b_wr32(raw + 12, 0xfffffff7);
	assert_int_equal(mb2_parse(raw, SIZE_MAX, &bi), MM_ERR_INVALID);
	free(raw);
}

/* No end tag within total_size is MM_ERR_INVALID. */
static void test_err_missing_end_tag(void **state)
{
	(void)state;
	mb2b_string(&b, MB2_TAG_CMDLINE, "no end");
	mb2b_wr32(b.buf, (uint32_t)b.len);
	assert_int_equal(parse_bytes(b.buf, b.len), MM_ERR_INVALID);

	mb2b_init(&b);
	mb2b_tag(&b, 99, 8);
	mb2b_tag(&b, 99, 8);
	mb2b_wr32(b.buf, 20); /* 4 bytes left: too few for a tag header */
	assert_int_equal(parse_bytes(b.buf, b.len), MM_ERR_INVALID);
}

/* Every known tag one byte shorter than its fixed fields is MM_ERR_INVALID. */
static void test_err_tag_too_small_for_type(void **state)
{
	static const uint32_t min[][2] = {
		{1, 9},	  {2, 9},   {3, 17},  {4, 16},	{5, 20},  {6, 16},
		{8, 31},  {9, 20},  {10, 28}, {11, 12}, {12, 16}, {14, 28},
		{15, 44}, {17, 16}, {19, 12}, {20, 16}, {21, 12},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(min) / sizeof(min[0]); i++) {
		uint8_t *t;

		mb2b_init(&b);
		t = mb2b_tag(&b, min[i][0], min[i][1] - 1);
		memset(t + 8, 0, min[i][1] - 9);
		assert_int_equal(finish_and_parse(), MM_ERR_INVALID);
	}
}

/* A memory map entry_size of 0 or below 24 is MM_ERR_INVALID. */
static void test_err_mmap_entry_size(void **state)
{
	static const uint32_t sizes[] = {0, 1, 16, 23};
	static const struct mb2b_mmap_entry e = {0, 0x1000, 1};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		uint8_t *t;

		mb2b_init(&b);
		t = b.buf + b.len;
		mb2b_mmap(&b, &e, 1, 24);
		mb2b_wr32(t + 8, sizes[i]);
		assert_int_equal(finish_and_parse(), MM_ERR_INVALID);
	}
}

/* An EFI descriptor_size of 0 or below 40 is MM_ERR_INVALID. */
static void test_err_efi_desc_size(void **state)
{
	static const uint32_t sizes[] = {0, 1, 24, 39};
	static const struct mb2b_efi_desc d = {7, 0, 1};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		uint8_t *t;

		mb2b_init(&b);
		t = b.buf + b.len;
		mb2b_efi_mmap(&b, &d, 1, 40);
		mb2b_wr32(t + 8, sizes[i]);
		assert_int_equal(finish_and_parse(), MM_ERR_INVALID);
	}
}

/* An EFI descriptor whose byte size overflows 64 bits is MM_ERR_INVALID. */
static void test_err_efi_pages_overflow(void **state)
{
	static const struct mb2b_efi_desc d = {7, 0, (UINT64_MAX >> 12) + 1};

	(void)state;
	mb2b_efi_mmap(&b, &d, 1, 48);
	assert_int_equal(finish_and_parse(), MM_ERR_INVALID);
}

/* Fill e with n disjoint, non-touching regions. */
static void fill_separate(struct mb2b_mmap_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		e[i].base = (uint64_t)i * 2 * PAGE;
		e[i].length = PAGE;
		e[i].type = 1;
	}
}

/* A map of exactly MM_MEMMAP_CAPACITY regions fits; one more is NOMEM. */
static void test_err_mmap_too_many_regions(void **state)
{
	static struct mb2b_mmap_entry e[MM_MEMMAP_CAPACITY + 1];

	(void)state;
	fill_separate(e, MM_MEMMAP_CAPACITY + 1);
	mb2b_mmap(&b, e, MM_MEMMAP_CAPACITY, 24);
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_int_equal(bi.memmap.count, MM_MEMMAP_CAPACITY);
	mb2b_init(&b);
	mb2b_mmap(&b, e, MM_MEMMAP_CAPACITY + 1, 24);
	assert_int_equal(finish_and_parse(), MM_ERR_NOMEM);
}

/*
 * A BIOS map of more entries than the map holds parses when they merge:
 * touching entries of one type coalesce on every path, not only for EFI.
 */
static void test_mmap_more_entries_than_capacity_merge(void **state)
{
	static struct mb2b_mmap_entry e[2 * MM_MEMMAP_CAPACITY];

	(void)state;
	for (size_t i = 0; i < 2 * MM_MEMMAP_CAPACITY; i++) {
		e[i].base = (uint64_t)i * PAGE;
		e[i].length = PAGE;
		e[i].type = 1;
	}
	mb2b_mmap(&b, e, 2 * MM_MEMMAP_CAPACITY, 24);
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_int_equal(bi.memmap.count, 1);
	expect_region(0, 0, 2 * MM_MEMMAP_CAPACITY * PAGE, MM_REGION_USABLE);
}

/* An EFI map of more separate regions than the map holds is NOMEM. */
static void test_err_efi_mmap_too_many_regions(void **state)
{
	static struct mb2b_efi_desc d[MM_MEMMAP_CAPACITY + 1];

	(void)state;
	for (size_t i = 0; i < MM_MEMMAP_CAPACITY + 1; i++) {
		d[i].type = 7;
		d[i].phys = (uint64_t)i * 2 * PAGE;
		d[i].pages = 1;
	}
	mb2b_efi_mmap(&b, d, MM_MEMMAP_CAPACITY + 1, 40);
	assert_int_equal(finish_and_parse(), MM_ERR_NOMEM);
}

/* Overlaps that split into more regions than fit: sanitize's NOMEM. */
static void test_err_sanitize_nomem(void **state)
{
	static struct mb2b_mmap_entry e[MM_MEMMAP_CAPACITY];

	(void)state;
	e[0].base = 0;
	e[0].length = (uint64_t)1 << 40;
	e[0].type = 1;
	for (size_t i = 1; i < MM_MEMMAP_CAPACITY; i++) {
		e[i].base = (uint64_t)i * 2 * PAGE;
		e[i].length = PAGE;
		e[i].type = 2;
	}
	mb2b_mmap(&b, e, MM_MEMMAP_CAPACITY, 24);
	assert_int_equal(finish_and_parse(), MM_ERR_NOMEM);
}

/* No module cap: 500 modules (the old cap was 16) parse, each read back in order. */
static void test_many_modules(void **state)
{
	static struct mb2b big;
	char name[16];

	(void)state;
	mb2b_init(&big);
	for (uint32_t i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "m%u", i);
		mb2b_module(&big, i * PAGE, i * PAGE + 1, name);
	}
	assert_int_equal(parse_bytes(big.buf, mb2b_finish(&big)), MM_OK);
	assert_int_equal(bi.module_count, 500);
	for (uint32_t i = 0; i < 500; i += 166) {
		snprintf(name, sizeof(name), "m%u", i);
		assert_int_equal(mod(i).start, i * PAGE);
		assert_int_equal(mod(i).end, i * PAGE + 1);
		assert_string_equal(mod(i).cmdline, name);
	}
}

/* mb2_module refuses an index past the count and NULL arguments. */
static void test_module_index_checked(void **state)
{
	struct boot_module m = {.start = 7};

	(void)state;
	mb2b_module(&b, 0x1000, 0x2000, "one");
	assert_int_equal(finish_and_parse(), MM_OK);
	assert_int_equal(mb2_module(&bi, 1, &m), MM_ERR_INVALID);
	assert_int_equal(m.start, 7); /* unchanged */
	assert_int_equal(mb2_module(NULL, 0, &m), MM_ERR_INVALID);
	assert_int_equal(mb2_module(&bi, 0, NULL), MM_ERR_INVALID);
	assert_int_equal(mb2_module(&bi, 0, &m), MM_OK);
	assert_int_equal(m.end, 0x2000);
}

/* A string with no NUL inside its tag is MM_ERR_INVALID. */
static void test_err_string_unterminated(void **state)
{
	static const uint32_t types[] = {MB2_TAG_CMDLINE,
					 MB2_TAG_BOOTLOADER_NAME};
	uint8_t *t;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		mb2b_init(&b);
		t = mb2b_tag(&b, types[i], 13);
		memset(t + 8, 'x', 5);
		t[13] = 0; /* padding NUL lies outside the tag */
		assert_int_equal(finish_and_parse(), MM_ERR_INVALID);
	}
	mb2b_init(&b);
	t = mb2b_tag(&b, MB2_TAG_MODULE, 20);
	mb2b_wr32(t + 12, 0x1000);
	memset(t + 16, 'x', 4);
	assert_int_equal(finish_and_parse(), MM_ERR_INVALID);
}

/* A module ending before it starts is MM_ERR_INVALID. */
static void test_err_module_end_before_start(void **state)
{
	(void)state;
	mb2b_module(&b, 0x2000, 0x1fff, "backwards");
	assert_int_equal(finish_and_parse(), MM_ERR_INVALID);
}

/* ELF sections with a zero or tiny entsize, or not fitting, are invalid. */
static void test_err_elf_sections(void **state)
{
	static const uint32_t cases[][2] = {
		{1, 0},
		{1, 39},
		{0xffffffff, 0xffffffff},
		{3, 64},
	};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		uint8_t *t;

		mb2b_init(&b);
		t = mb2b_tag(&b, MB2_TAG_ELF_SECTIONS, 20 + 2 * 64);
		mb2b_wr32(t + 8, cases[i][0]);
		mb2b_wr32(t + 12, cases[i][1]);
		assert_int_equal(finish_and_parse(), MM_ERR_INVALID);
	}
}

/*
 * Every shorter readable length of the valid info [info, info + len) is
 * MM_ERR_INVALID, and so is every shorter total_size with as many bytes
 * readable (so the walk runs and meets the cut).
 */
static void check_truncations(const uint8_t *info, size_t len)
{
	uint8_t *orig = malloc(len);

	assert_non_null(orig);
	memcpy(orig, info, len);
	for (size_t avail = 0; avail < len; avail++)
		assert_int_equal(parse_bytes(orig, avail), MM_ERR_INVALID);
	for (size_t t = 16; t < len; t++) {
		mb2b_wr32(orig, (uint32_t)t);
		assert_int_equal(parse_bytes(orig, t), MM_ERR_INVALID);
	}
	free(orig);
}

/* The BIOS info cut at any byte is rejected without reading past the cut. */
static void test_err_truncated_bios(void **state)
{
	size_t len = mb2b_bios_info(&b);

	(void)state;
	check_truncations(b.buf, len);
}

/* The UEFI info cut at any byte is rejected without reading past the cut. */
static void test_err_truncated_uefi(void **state)
{
	size_t len = mb2b_uefi_info(&b);

	(void)state;
	check_truncations(b.buf, len);
}

/* Any single corrupted byte gives OK with a sane map, or an error. */
static void test_corrupt_bytes_never_crash(void **state)
{
	static const uint8_t values[] = {0x00, 0x07, 0x80, 0xff};
	uint8_t orig[MB2B_CAP];
	size_t len = mb2b_uefi_info(&b);

	(void)state;
	memcpy(orig, b.buf, len);
	for (size_t i = 0; i < len; i++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			mm_status_t st;

			memcpy(b.buf, orig, len);
			b.buf[i] = values[v];
			st = parse_bytes(b.buf, len);
			assert_true(st == MM_OK || st == MM_ERR_INVALID ||
				    st == MM_ERR_NOMEM);
			if (st == MM_OK)
				expect_sane_map(&bi.memmap);
		}
	}
}

/*
 * The real infos: GRUB 2 under QEMU (TCG, -cpu max -m 512M), booted from
 * BIOS (i386-pc) and from UEFI (x86_64-efi on OVMF), kernel command line
 * "mb2.dump=1", grub.cfg as the one module (kernel/grub.cfg). The facts
 * checked below hold for any such capture, not only the committed one.
 */
#ifndef XOMB_MB2_CORPUS_DIR
#error "XOMB_MB2_CORPUS_DIR must name tests/fuzz/corpus/mb2"
#endif

#define MIB	 (1024ull * 1024ull)
#define QEMU_RAM (512ull * MIB) /* -m 512M */

/* The little-endian u32 at p. */
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Read corpus file `name` into an exact-size heap buffer; returns its size. */
static size_t load_capture(const char *name, uint8_t **out)
{
	char path[1024];
	uint8_t *data;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/%s", XOMB_MB2_CORPUS_DIR, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s (tools/capture_mb2.sh writes it)",
			 path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 16);
	rewind(f);
	data = malloc((size_t)len);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*out = data;
	return (size_t)len;
}

/* Load and parse capture `name`: MM_OK, all of it used, a sane map. */
static void parse_capture(const char *name)
{
	uint8_t *data;
	size_t len = load_capture(name, &data);

	assert_int_equal(parse_bytes(data, len), MM_OK);
	free(data);
	assert_int_equal(bi.method, BOOT_METHOD_MULTIBOOT2);
	assert_int_equal(bi.info_size, len);
	expect_sane_map(&bi.memmap);
}

/* The region holding physical address pa, or NULL in a hole. */
static const struct mm_region *region_at(uint64_t pa)
{
	for (size_t i = 0; i < bi.memmap.count; i++) {
		const struct mm_region *r = &bi.memmap.regions[i];

		if (pa >= r->base && pa - r->base < r->length)
			return r;
	}
	return NULL;
}

/* Bytes of the map in regions of `type`. */
static uint64_t bytes_of_type(mm_region_type_t type)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < bi.memmap.count; i++) {
		if (bi.memmap.regions[i].type == type)
			sum += bi.memmap.regions[i].length;
	}
	return sum;
}

/* No usable byte lies at or above the guest's RAM size (all below 3 GiB). */
static void expect_usable_below_ram(void)
{
	for (size_t i = 0; i < bi.memmap.count; i++) {
		const struct mm_region *r = &bi.memmap.regions[i];

		if (r->type == MM_REGION_USABLE)
			assert_true(r->base + r->length <= QEMU_RAM);
	}
}

/* What GRUB tells any kernel, whatever the firmware. */
static void expect_grub_basics(void)
{
	assert_memory_equal(bi.bootloader, "GRUB ", 5);
	assert_false(bi.bootloader_truncated);
	assert_string_equal(bi.cmdline, "mb2.dump=1");
	assert_int_equal(bi.module_count, 1);
	assert_string_equal(mod(0).cmdline, "grub.cfg");
	assert_true(mod(0).start < mod(0).end);
	assert_true(bi.load_base_present);
	assert_int_equal(bi.load_base, MIB); /* arch/x86_64/linker.ld */
}

/* BIOS capture: parsed, firmware bios, GRUB's fields, no EFI tags. */
static void test_qemu_bios_parse(void **state)
{
	(void)state;
	parse_capture("qemu-bios.bin");
	assert_int_equal(bi.firmware, BOOT_FIRMWARE_BIOS);
	expect_grub_basics();
	assert_true(bi.basic_meminfo_present);
	assert_true(bi.bootdev_present);
	assert_true(bi.elf_sections_present);
	assert_false(bi.efi.systab_present);
	assert_false(bi.efi.memmap_present);
	assert_false(bi.efi.image_handle_present);
}

/*
 * BIOS capture: the e820 map gives all 512 MiB as usable except the legacy
 * hole [640 KiB, 1 MiB), the EBDA below it and the firmware's tables at the
 * top of RAM (under 1 MiB in all), and agrees with basic meminfo (tag 4).
 */
static void test_qemu_bios_memmap(void **state)
{
	const struct mm_region *low, *high;
	uint64_t usable;

	(void)state;
	parse_capture("qemu-bios.bin");
	usable = mm_memmap_usable_bytes(&bi.memmap);
	assert_true(usable <= QEMU_RAM);
	assert_true(usable >= QEMU_RAM - MIB);
	expect_usable_below_ram();
	low = region_at(0);
	high = region_at(MIB);
	assert_non_null(low);
	assert_non_null(high);
	assert_int_equal(low->type, MM_REGION_USABLE);
	assert_int_equal(high->type, MM_REGION_USABLE);
	assert_int_equal(low->base + low->length, bi.mem_lower_kib * 1024ull);
	assert_int_equal(high->base + high->length,
			 MIB + bi.mem_upper_kib * 1024ull);
	assert_int_equal(bytes_of_type(MM_REGION_BOOTLOADER_RECLAIMABLE), 0);
}

/* BIOS capture: SeaBIOS's ACPI 1.0 RSDP, valid, its RSDT inside RAM. */
static void test_qemu_bios_acpi(void **state)
{
	(void)state;
	parse_capture("qemu-bios.bin");
	assert_true(bi.acpi.present);
	assert_true(bi.acpi.valid);
	assert_int_equal(bi.acpi.revision, 0);
	assert_int_equal(bi.acpi.rsdp_len, 20);
	assert_memory_equal(bi.acpi.rsdp, "RSD PTR ", 8);
	assert_true(bi.acpi.rsdt_addr != 0 && bi.acpi.rsdt_addr < QEMU_RAM);
	assert_int_equal(bi.acpi.xsdt_addr, 0);
}

/* UEFI capture: parsed, firmware uefi, a 64-bit EFI system table, tag 17. */
static void test_qemu_uefi_parse(void **state)
{
	(void)state;
	parse_capture("qemu-uefi.bin");
	assert_int_equal(bi.firmware, BOOT_FIRMWARE_UEFI);
	expect_grub_basics();
	assert_true(bi.efi.systab_present);
	assert_true(bi.efi.systab_64);
	assert_true(bi.efi.systab != 0 && bi.efi.systab < QEMU_RAM);
	assert_true(bi.efi.memmap_present);
	assert_int_equal(bi.efi.memmap_desc_version, 1);
	assert_false(bi.efi.boot_services_active); /* GRUB exited them */
}

/*
 * UEFI capture: the map comes from the EFI map (tag 17): GRUB's own memory
 * (loader code/data, the kernel image at 1 MiB among it) is bootloader-
 * reclaimable, a type tag 6 cannot express. Usable plus reclaimable is
 * nearly all 512 MiB (OVMF keeps a few MiB of runtime, ACPI and reserved
 * memory); GRUB's heap alone may take a good part, so usable is only
 * bounded from below by half the RAM.
 */
static void test_qemu_uefi_memmap(void **state)
{
	const struct mm_region *kernel;
	uint64_t usable, reclaimable;

	(void)state;
	parse_capture("qemu-uefi.bin");
	usable = mm_memmap_usable_bytes(&bi.memmap);
	reclaimable = bytes_of_type(MM_REGION_BOOTLOADER_RECLAIMABLE);
	assert_true(usable >= QEMU_RAM / 2);
	assert_true(reclaimable > 0);
	assert_true(usable + reclaimable <= QEMU_RAM);
	assert_true(usable + reclaimable >= QEMU_RAM - 16 * MIB);
	expect_usable_below_ram();
	kernel = region_at(bi.load_base);
	assert_non_null(kernel);
	assert_int_equal(kernel->type, MM_REGION_BOOTLOADER_RECLAIMABLE);
}

/*
 * UEFI capture with tag 17 renamed to an unknown type: the map falls back
 * to tag 6 (no reclaimable type, a different map), firmware stays uefi.
 */
static void test_qemu_uefi_without_efi_map(void **state)
{
	uint64_t efi_usable;
	uint8_t *data;
	size_t len = load_capture("qemu-uefi.bin", &data);
	size_t off = MB2_INFO_HEADER_SIZE;

	(void)state;
	assert_int_equal(parse_bytes(data, len), MM_OK);
	efi_usable = mm_memmap_usable_bytes(&bi.memmap);
	while (rd32(data + off) != MB2_TAG_EFI_MMAP) {
		assert_int_not_equal(rd32(data + off), MB2_TAG_END);
		off += (rd32(data + off + 4) + 7) & ~(size_t)7;
		assert_true(off + MB2_TAG_HEADER_SIZE <= len);
	}
	mb2b_wr32(data + off, 0x7fff);
	assert_int_equal(parse_bytes(data, len), MM_OK);
	free(data);
	assert_int_equal(bi.firmware, BOOT_FIRMWARE_UEFI);
	assert_false(bi.efi.memmap_present);
	assert_int_equal(bytes_of_type(MM_REGION_BOOTLOADER_RECLAIMABLE), 0);
	assert_int_not_equal(mm_memmap_usable_bytes(&bi.memmap), efi_usable);
	expect_usable_below_ram();
}

/* UEFI capture: OVMF's ACPI 2.0 RSDP (tag 15) wins, XSDT inside RAM. */
static void test_qemu_uefi_acpi(void **state)
{
	(void)state;
	parse_capture("qemu-uefi.bin");
	assert_true(bi.acpi.present);
	assert_true(bi.acpi.valid);
	assert_int_equal(bi.acpi.revision, 2);
	assert_int_equal(bi.acpi.rsdp_len, 36);
	assert_memory_equal(bi.acpi.rsdp, "RSD PTR ", 8);
	assert_true(bi.acpi.xsdt_addr != 0 && bi.acpi.xsdt_addr < QEMU_RAM);
	assert_true(bi.acpi.rsdt_addr < QEMU_RAM);
}

/* The BIOS capture cut at any byte is rejected, nothing read past the cut. */
static void test_qemu_bios_truncated(void **state)
{
	uint8_t *data;
	size_t len = load_capture("qemu-bios.bin", &data);

	(void)state;
	check_truncations(data, len);
	free(data);
}

/* The UEFI capture cut at any byte is rejected, nothing read past the cut. */
static void test_qemu_uefi_truncated(void **state)
{
	uint8_t *data;
	size_t len = load_capture("qemu-uefi.bin", &data);

	(void)state;
	check_truncations(data, len);
	free(data);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_parse_bios_realistic),
		T(test_parse_bios_fb_acpi),
		T(test_parse_bios_memmap),
		T(test_parse_uefi_realistic),
		T(test_parse_uefi_efi_map_wins),
		T(test_parse_minimal),
		T(test_mmap_types),
		T(test_mmap_more_entries_than_capacity_merge),
		T(test_mmap_stride_and_trailing_bytes),
		T(test_efi_mmap_alone),
		T(test_efi32_systab),
		T(test_efi_handles_and_boot_services),
		T(test_meminfo_fallback),
		T(test_unknown_tags_skipped),
		T(test_tags_after_end_ignored),
		T(test_duplicate_tag_later_wins),
		T(test_strings_truncated),
		T(test_acpi_v2_kept_over_later_v1),
		T(test_acpi_bad_rsdp_recorded_invalid),
		T(test_framebuffer_without_rgb_fields),
		T(test_elf_no_sections),
		T(test_err_null_args),
		T(test_err_avail_below_header),
		T(test_err_misaligned_info),
		T(test_err_total_size_too_small),
		T(test_err_total_size_over_avail),
		T(test_err_tag_below_8_bytes),
		T(test_err_tag_past_end),
		T(test_err_padding_past_end),
		T(test_err_huge_tag_step),
		T(test_err_missing_end_tag),
		T(test_err_tag_too_small_for_type),
		T(test_err_mmap_entry_size),
		T(test_err_efi_desc_size),
		T(test_err_efi_pages_overflow),
		T(test_err_mmap_too_many_regions),
		T(test_err_efi_mmap_too_many_regions),
		T(test_err_sanitize_nomem),
		T(test_many_modules),
		T(test_module_index_checked),
		T(test_err_string_unterminated),
		T(test_err_module_end_before_start),
		T(test_err_elf_sections),
		T(test_err_truncated_bios),
		T(test_err_truncated_uefi),
		T(test_corrupt_bytes_never_crash),
		T(test_qemu_bios_parse),
		T(test_qemu_bios_memmap),
		T(test_qemu_bios_acpi),
		T(test_qemu_uefi_parse),
		T(test_qemu_uefi_memmap),
		T(test_qemu_uefi_without_efi_map),
		T(test_qemu_uefi_acpi),
		T(test_qemu_bios_truncated),
		T(test_qemu_uefi_truncated),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	free(parsed); /* the last parse's copy (kept for mb2_module) */
	return failed;
}
