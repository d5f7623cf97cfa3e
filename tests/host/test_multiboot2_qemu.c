/*
 * Tests of the multiboot2 parser on the real infos GRUB gave the kernel
 * under QEMU (tests/fuzz/corpus/mb2/qemu-*.bin, captured by
 * tools/capture_mb2.sh), booted from BIOS and from UEFI: the fields, the
 * memory map and ACPI, and truncation at every length.
 */
#include "mb2_fixture.h"

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
		T(test_qemu_bios_parse),     T(test_qemu_bios_memmap),
		T(test_qemu_bios_acpi),	     T(test_qemu_uefi_parse),
		T(test_qemu_uefi_memmap),    T(test_qemu_uefi_without_efi_map),
		T(test_qemu_uefi_acpi),	     T(test_qemu_bios_truncated),
		T(test_qemu_uefi_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, free_parsed);
}
