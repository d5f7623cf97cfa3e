/*
 * Tests of the multiboot2 parser on valid infos: realistic BIOS and UEFI
 * infos built as GRUB lays them out, a minimal one, and every tag the parser
 * reads (memory maps, EFI tags, strings, ACPI, framebuffer, ELF sections),
 * unknown, repeated and trailing tags. Malformed infos are in
 * test_multiboot2_errors.c, the real infos captured under QEMU in
 * test_multiboot2_qemu.c.
 */
#include "mb2_fixture.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, free_parsed);
}
