/*
 * Builds multiboot2 boot information in a buffer, for the host tests
 * (tests/host/test_multiboot2*.c), the fuzz seed generator
 * (tests/fuzz/mb2_corpus_gen.c) and anyone who needs a well-formed info.
 * Fields are written byte by byte, little-endian, at the offsets of the
 * multiboot2 specification. Header-only: every helper is static inline.
 */
#ifndef XOMB_MB2_BUILDER_H
#define XOMB_MB2_BUILDER_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MB2B_CAP 16384u

struct mb2b {
	_Alignas(8) uint8_t buf[MB2B_CAP];
	size_t len;
};

struct mb2b_mmap_entry {
	uint64_t base, length;
	uint32_t type;
};

struct mb2b_efi_desc {
	uint32_t type;
	uint64_t phys, pages;
};

static inline void mb2b_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void mb2b_wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void mb2b_wr64(uint8_t *p, uint64_t v)
{
	mb2b_wr32(p, (uint32_t)v);
	mb2b_wr32(p + 4, (uint32_t)(v >> 32));
}

/* Start an info: zeroed buffer, 8-byte header (total_size set by finish). */
static inline void mb2b_init(struct mb2b *b)
{
	memset(b->buf, 0, sizeof(b->buf));
	b->len = 8;
}

/* Append a zeroed tag of `size` bytes (padded to 8); returns its start. */
static inline uint8_t *mb2b_tag(struct mb2b *b, uint32_t type, uint32_t size)
{
	size_t step = ((size_t)size + 7) & ~(size_t)7;
	uint8_t *t = b->buf + b->len;

	assert(step <= MB2B_CAP - b->len);
	mb2b_wr32(t, type);
	mb2b_wr32(t + 4, size);
	b->len += step;
	return t;
}

/* Append the end tag and store total_size; returns the info's length. */
static inline size_t mb2b_finish(struct mb2b *b)
{
	mb2b_tag(b, 0, 8);
	mb2b_wr32(b->buf, (uint32_t)b->len);
	return b->len;
}

/* Tag 1 / 2 (or any string tag): the string and its NUL. */
static inline void mb2b_string(struct mb2b *b, uint32_t type, const char *s)
{
	size_t n = strlen(s) + 1;
	uint8_t *t = mb2b_tag(b, type, (uint32_t)(8 + n));

	memcpy(t + 8, s, n);
}

/* Tag 3: module [start, end) and its command line. */
static inline void mb2b_module(struct mb2b *b, uint32_t start, uint32_t end,
			       const char *s)
{
	size_t n = strlen(s) + 1;
	uint8_t *t = mb2b_tag(b, 3, (uint32_t)(16 + n));

	mb2b_wr32(t + 8, start);
	mb2b_wr32(t + 12, end);
	memcpy(t + 16, s, n);
}

/* A tag carrying one u32 (11, 19, 21) or one u64 (12, 20) at offset 8. */
static inline void mb2b_u32(struct mb2b *b, uint32_t type, uint32_t v)
{
	mb2b_wr32(mb2b_tag(b, type, 12) + 8, v);
}

static inline void mb2b_u64(struct mb2b *b, uint32_t type, uint64_t v)
{
	mb2b_wr64(mb2b_tag(b, type, 16) + 8, v);
}

/* Tag 4: KiB of lower and upper memory. */
static inline void mb2b_basic_meminfo(struct mb2b *b, uint32_t lower,
				      uint32_t upper)
{
	uint8_t *t = mb2b_tag(b, 4, 16);

	mb2b_wr32(t + 8, lower);
	mb2b_wr32(t + 12, upper);
}

/* Tag 5: BIOS boot device. */
static inline void mb2b_bootdev(struct mb2b *b, uint32_t dev, uint32_t part,
				uint32_t sub)
{
	uint8_t *t = mb2b_tag(b, 5, 20);

	mb2b_wr32(t + 8, dev);
	mb2b_wr32(t + 12, part);
	mb2b_wr32(t + 16, sub);
}

/* Tag 6 with n entries of entry_size bytes (>= 24; extra bytes 0xCC). */
static inline void mb2b_mmap(struct mb2b *b, const struct mb2b_mmap_entry *e,
			     size_t n, uint32_t entry_size)
{
	uint8_t *t = mb2b_tag(b, 6, (uint32_t)(16 + n * entry_size));

	mb2b_wr32(t + 8, entry_size);
	mb2b_wr32(t + 12, 0);
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = t + 16 + i * entry_size;

		memset(p, 0xCC, entry_size);
		mb2b_wr64(p, e[i].base);
		mb2b_wr64(p + 8, e[i].length);
		mb2b_wr32(p + 16, e[i].type);
		mb2b_wr32(p + 20, 0);
	}
}

/* Tag 17 with n EFI descriptors of desc_size bytes (>= 40; extra 0xDD). */
static inline void mb2b_efi_mmap(struct mb2b *b, const struct mb2b_efi_desc *d,
				 size_t n, uint32_t desc_size)
{
	uint8_t *t = mb2b_tag(b, 17, (uint32_t)(16 + n * desc_size));

	mb2b_wr32(t + 8, desc_size);
	mb2b_wr32(t + 12, 1);
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = t + 16 + i * desc_size;

		memset(p, 0xDD, desc_size);
		mb2b_wr32(p, d[i].type);
		mb2b_wr32(p + 4, 0);
		mb2b_wr64(p + 8, d[i].phys);
		mb2b_wr64(p + 16, 0);
		mb2b_wr64(p + 24, d[i].pages);
		mb2b_wr64(p + 32, 0xF);
	}
}

/* Tag 8, direct RGB (GRUB layout: colour info at offset 32, size 38). */
static inline void mb2b_fb_rgb(struct mb2b *b, uint64_t addr, uint32_t pitch,
			       uint32_t width, uint32_t height, uint8_t bpp)
{
	static const uint8_t rgb[6] = {16, 8, 8, 8, 0, 8};
	uint8_t *t = mb2b_tag(b, 8, 38);

	mb2b_wr64(t + 8, addr);
	mb2b_wr32(t + 16, pitch);
	mb2b_wr32(t + 20, width);
	mb2b_wr32(t + 24, height);
	t[28] = bpp;
	t[29] = 1;
	memcpy(t + 32, rgb, sizeof(rgb));
}

/* Tag 9: num section headers of entsize bytes (zeroed). */
static inline void mb2b_elf(struct mb2b *b, uint32_t num, uint32_t entsize,
			    uint32_t shndx)
{
	uint8_t *t = mb2b_tag(b, 9, 20 + num * entsize);

	mb2b_wr32(t + 8, num);
	mb2b_wr32(t + 12, entsize);
	mb2b_wr32(t + 16, shndx);
}

/* Tag 10: APM table with the given version. */
static inline void mb2b_apm(struct mb2b *b, uint16_t version)
{
	uint8_t *t = mb2b_tag(b, 10, 28);

	mb2b_wr16(t + 8, version);
	mb2b_wr16(t + 10, 0xf000);
	mb2b_wr32(t + 12, 0x1234);
}

/* Make the byte at sum_at the negated sum of [p, p + n). */
static inline void mb2b_checksum(uint8_t *p, size_t n, size_t sum_at)
{
	uint8_t sum = 0;

	p[sum_at] = 0;
	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + p[i]);
	p[sum_at] = (uint8_t)(0x100 - sum);
}

/*
 * Tag 14 (v2 false: 20-byte ACPI 1.0 RSDP) or 15 (v2 true: 36-byte RSDP,
 * revision 2) with valid signature and checksums.
 */
static inline void mb2b_rsdp(struct mb2b *b, int v2, uint32_t rsdt,
			     uint64_t xsdt)
{
	uint32_t len = v2 ? 36 : 20;
	uint8_t *r = mb2b_tag(b, v2 ? 15 : 14, 8 + len) + 8;

	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "BOCHS ", 6);
	r[15] = v2 ? 2 : 0;
	mb2b_wr32(r + 16, rsdt);
	if (v2) {
		mb2b_wr32(r + 20, 36);
		mb2b_wr64(r + 24, xsdt);
	}
	mb2b_checksum(r, 20, 8);
	if (v2)
		mb2b_checksum(r, 36, 32);
}

/* QEMU/SeaBIOS-like e820 map of a 128 MiB machine. */
static const struct mb2b_mmap_entry mb2b_bios_e820[] = {
	{0x0, 0x9fc00, 1},	 {0x9fc00, 0x400, 2},
	{0xf0000, 0x10000, 2},	 {0x100000, 0x7ee0000, 1},
	{0x7fe0000, 0x20000, 2}, {0xfffc0000, 0x40000, 2},
};

/*
 * A realistic info from GRUB on BIOS: command line, loader name, two
 * modules, basic meminfo, boot device, e820 map, RGB framebuffer, ELF
 * sections, APM and an ACPI 1.0 RSDP.
 */
static inline size_t mb2b_bios_info(struct mb2b *b)
{
	mb2b_init(b);
	mb2b_string(b, 1, "console=com1 ktest=all");
	mb2b_string(b, 2, "GRUB 2.06-13+deb12u1");
	mb2b_module(b, 0x200000, 0x201000, "initrd");
	mb2b_module(b, 0x202000, 0x210000, "apps.tar");
	mb2b_basic_meminfo(b, 639, 129920);
	mb2b_bootdev(b, 0x80, 0, 0xffffffff);
	mb2b_mmap(b, mb2b_bios_e820,
		  sizeof(mb2b_bios_e820) / sizeof(mb2b_bios_e820[0]), 24);
	mb2b_fb_rgb(b, 0xfd000000, 4096, 1024, 768, 32);
	mb2b_elf(b, 12, 64, 11);
	mb2b_apm(b, 0x0102);
	mb2b_rsdp(b, 0, 0x7fe14d5, 0);
	return mb2b_finish(b);
}

/* OVMF-like EFI memory map of a 128 MiB machine (descriptor size 48). */
static const struct mb2b_efi_desc mb2b_uefi_descs[] = {
	{3, 0x0, 0x1},
	{7, 0x1000, 0x9f},
	{7, 0x100000, 0x700},
	{10, 0x800000, 0x8},
	{7, 0x808000, 0x8},
	{10, 0x810000, 0xf0},
	{2, 0x900000, 0x1000},
	{1, 0x1900000, 0x100},
	{4, 0x1a00000, 0x5000},
	{7, 0x6a00000, 0x1000},
	{6, 0x7a00000, 0x100},
	{5, 0x7b00000, 0x100},
	{9, 0x7c00000, 0x10},
	{7, 0x7c10000, 0x3f0},
	{0, 0xe0000000, 0x10000},
	{11, 0xffc00000, 0x400},
};

/* Tag 6 of the UEFI info: deliberately different, to see tag 17 win. */
static const struct mb2b_mmap_entry mb2b_uefi_e820[] = {
	{0x0, 0xa0000, 1},
	{0x100000, 0x7f00000, 1},
	{0x10000000, 0x10000000, 1},
};

/*
 * A realistic info from GRUB on UEFI with boot services exited: tags
 * 21 1 2 6 9 4 12 14 15 17, in that order.
 */
static inline size_t mb2b_uefi_info(struct mb2b *b)
{
	mb2b_init(b);
	mb2b_u32(b, 21, 0x200000);
	mb2b_string(b, 1, "console=com1");
	mb2b_string(b, 2, "GRUB 2.06-13+deb12u1");
	mb2b_mmap(b, mb2b_uefi_e820,
		  sizeof(mb2b_uefi_e820) / sizeof(mb2b_uefi_e820[0]), 24);
	mb2b_elf(b, 14, 64, 13);
	mb2b_basic_meminfo(b, 640, 129024);
	mb2b_u64(b, 12, 0x7f9e018);
	mb2b_rsdp(b, 0, 0x7b7e074, 0);
	mb2b_rsdp(b, 1, 0x7b7e074, 0x7b7e0e8);
	mb2b_efi_mmap(b, mb2b_uefi_descs,
		      sizeof(mb2b_uefi_descs) / sizeof(mb2b_uefi_descs[0]), 48);
	return mb2b_finish(b);
}

#endif /* XOMB_MB2_BUILDER_H */
