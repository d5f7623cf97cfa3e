/*
 * Owns the reading of the multiboot2 boot information: the walk over its
 * 8-byte-aligned tag list, the validation of every tag against the info's
 * total_size (itself checked against what the caller says is readable), and
 * the translation of each known tag into struct boot_info. Fields are read
 * byte by byte (little-endian), so an odd entry size never makes an
 * unaligned access, and no byte outside [info, info + total_size) is read.
 * The memory map is built after the walk, because tag 17 (EFI memory map)
 * replaces tag 6 whatever their order.
 */
#include "multiboot2.h"

#include "efi_memmap.h"
#include "mm/arith.h"

/* Parser state: the output and the memory map tags seen so far. */
struct parse {
	struct boot_info *out;
	const uint8_t *mmap; /* last tag 6, NULL if none */
	uint32_t mmap_size;
	const uint8_t *efi_mmap; /* last tag 17, NULL if none */
	uint32_t efi_mmap_size;
};

typedef mm_status_t (*tag_fn)(struct parse *ps, const uint8_t *tag,
			      uint32_t size);

struct tag_handler {
	uint32_t min_size; /* smallest valid tag, header included */
	tag_fn fn;
};

#define KIB		1024u
#define ONE_MIB		0x100000u
#define RSDP_V1_LEN	20u
#define RSDP_V2_LEN	36u
#define ELF32_SHDR_SIZE 40u

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Zero *bi byte by byte: no libc here. */
static void clear(struct boot_info *bi)
{
	unsigned char *p = (unsigned char *)bi;

	for (size_t i = 0; i < sizeof(*bi); i++)
		p[i] = 0;
}

/*
 * Copy the NUL-terminated string in [src, src + len) into dst (BOOT_STRING_MAX
 * bytes), truncating if needed. MM_ERR_INVALID when no NUL lies in range.
 */
static mm_status_t copy_string(char *dst, bool *truncated, const uint8_t *src,
			       uint32_t len)
{
	uint32_t n = 0;

	while (n < len && src[n] != 0)
		n++;
	if (n == len)
		return MM_ERR_INVALID;
	*truncated = n >= BOOT_STRING_MAX;
	if (*truncated)
		n = BOOT_STRING_MAX - 1;
	for (uint32_t i = 0; i < n; i++)
		dst[i] = (char)src[i];
	dst[n] = '\0';
	return MM_OK;
}

static mm_status_t tag_cmdline(struct parse *ps, const uint8_t *tag,
			       uint32_t size)
{
	return copy_string(ps->out->cmdline, &ps->out->cmdline_truncated,
			   tag + 8, size - 8);
}

static mm_status_t tag_bootloader(struct parse *ps, const uint8_t *tag,
				  uint32_t size)
{
	return copy_string(ps->out->bootloader, &ps->out->bootloader_truncated,
			   tag + 8, size - 8);
}

/*
 * Tag 3: u32 mod_start, u32 mod_end, string. Copied into *m (which may be
 * scratch: the parser only validates and counts; mb2_module() keeps it).
 */
static mm_status_t read_module(const uint8_t *tag, uint32_t size,
			       struct boot_module *m)
{
	uint32_t start = rd32(tag + 8), end = rd32(tag + 12);

	if (end < start)
		return MM_ERR_INVALID;
	if (copy_string(m->cmdline, &m->cmdline_truncated, tag + 16,
			size - 16) != MM_OK)
		return MM_ERR_INVALID;
	m->start = start;
	m->end = end;
	return MM_OK;
}

static mm_status_t tag_module(struct parse *ps, const uint8_t *tag,
			      uint32_t size)
{
	struct boot_module m;
	mm_status_t st = read_module(tag, size, &m);

	if (st == MM_OK)
		ps->out->module_count++;
	return st;
}

static mm_status_t tag_basic_meminfo(struct parse *ps, const uint8_t *tag,
				     uint32_t size)
{
	(void)size;
	ps->out->basic_meminfo_present = true;
	ps->out->mem_lower_kib = rd32(tag + 8);
	ps->out->mem_upper_kib = rd32(tag + 12);
	return MM_OK;
}

static mm_status_t tag_bootdev(struct parse *ps, const uint8_t *tag,
			       uint32_t size)
{
	(void)size;
	ps->out->bootdev_present = true;
	ps->out->biosdev = rd32(tag + 8);
	ps->out->partition = rd32(tag + 12);
	ps->out->sub_partition = rd32(tag + 16);
	return MM_OK;
}

/* Tag 6: u32 entry_size, u32 entry_version, entries; read after the walk. */
static mm_status_t tag_mmap(struct parse *ps, const uint8_t *tag, uint32_t size)
{
	if (rd32(tag + 8) < MB2_MMAP_ENTRY_SIZE)
		return MM_ERR_INVALID;
	ps->mmap = tag;
	ps->mmap_size = size;
	return MM_OK;
}

/* Tag 17: u32 descriptor_size, u32 descriptor_version, descriptors. */
static mm_status_t tag_efi_mmap(struct parse *ps, const uint8_t *tag,
				uint32_t size)
{
	if (rd32(tag + 8) < EFI_MD_MIN_SIZE)
		return MM_ERR_INVALID;
	ps->efi_mmap = tag;
	ps->efi_mmap_size = size;
	ps->out->efi.memmap_present = true;
	ps->out->efi.memmap_desc_version = rd32(tag + 12);
	return MM_OK;
}

/*
 * Tag 8: u64 addr, u32 pitch, width, height, u8 bpp, u8 type, reserved, then
 * colour info; for RGB six u8 (position, size) pairs at offset 32.
 */
static mm_status_t tag_framebuffer(struct parse *ps, const uint8_t *tag,
				   uint32_t size)
{
	struct boot_framebuffer *fb = &ps->out->fb;

	fb->present = true;
	fb->addr = rd64(tag + 8);
	fb->pitch = rd32(tag + 16);
	fb->width = rd32(tag + 20);
	fb->height = rd32(tag + 24);
	fb->bpp = tag[28];
	fb->type = tag[29];
	if (fb->type == BOOT_FB_RGB && size >= 38) {
		fb->red_pos = tag[32];
		fb->red_size = tag[33];
		fb->green_pos = tag[34];
		fb->green_size = tag[35];
		fb->blue_pos = tag[36];
		fb->blue_size = tag[37];
	}
	return MM_OK;
}

/* Tag 9: u32 num, u32 entsize, u32 shndx, num section headers. */
static mm_status_t tag_elf_sections(struct parse *ps, const uint8_t *tag,
				    uint32_t size)
{
	uint32_t num = rd32(tag + 8), entsize = rd32(tag + 12);

	if (num != 0 && entsize < ELF32_SHDR_SIZE)
		return MM_ERR_INVALID;
	if ((uint64_t)num * entsize > size - 20)
		return MM_ERR_INVALID;
	ps->out->elf_sections_present = true;
	ps->out->elf_num = num;
	ps->out->elf_entsize = entsize;
	ps->out->elf_shndx = rd32(tag + 16);
	return MM_OK;
}

static mm_status_t tag_apm(struct parse *ps, const uint8_t *tag, uint32_t size)
{
	(void)size;
	ps->out->apm_present = true;
	ps->out->apm_version = rd16(tag + 8);
	return MM_OK;
}

static mm_status_t tag_efi32(struct parse *ps, const uint8_t *tag,
			     uint32_t size)
{
	(void)size;
	ps->out->efi.systab_present = true;
	ps->out->efi.systab_64 = false;
	ps->out->efi.systab = rd32(tag + 8);
	return MM_OK;
}

static mm_status_t tag_efi64(struct parse *ps, const uint8_t *tag,
			     uint32_t size)
{
	(void)size;
	ps->out->efi.systab_present = true;
	ps->out->efi.systab_64 = true;
	ps->out->efi.systab = rd64(tag + 8);
	return MM_OK;
}

static mm_status_t tag_efi32_ih(struct parse *ps, const uint8_t *tag,
				uint32_t size)
{
	(void)size;
	ps->out->efi.image_handle_present = true;
	ps->out->efi.image_handle = rd32(tag + 8);
	return MM_OK;
}

static mm_status_t tag_efi64_ih(struct parse *ps, const uint8_t *tag,
				uint32_t size)
{
	(void)size;
	ps->out->efi.image_handle_present = true;
	ps->out->efi.image_handle = rd64(tag + 8);
	return MM_OK;
}

static mm_status_t tag_efi_bs(struct parse *ps, const uint8_t *tag,
			      uint32_t size)
{
	(void)tag;
	(void)size;
	ps->out->efi.boot_services_active = true;
	return MM_OK;
}

static mm_status_t tag_load_base(struct parse *ps, const uint8_t *tag,
				 uint32_t size)
{
	(void)size;
	ps->out->load_base_present = true;
	ps->out->load_base = rd32(tag + 8);
	return MM_OK;
}

/* Signature "RSD PTR ", bytes [0, 20) sum to 0, and for 2.0 [0, 36) too. */
static bool rsdp_valid(const uint8_t *r, uint32_t len)
{
	static const char sig[8] = {'R', 'S', 'D', ' ', 'P', 'T', 'R', ' '};
	uint8_t sum = 0;

	for (uint32_t i = 0; i < 8; i++)
		if (r[i] != (uint8_t)sig[i])
			return false;
	for (uint32_t i = 0; i < len; i++) {
		sum = (uint8_t)(sum + r[i]);
		if (i == RSDP_V1_LEN - 1 && sum != 0)
			return false;
	}
	return sum == 0;
}

/* Record a copy of the RSDP in [r, r + len); a 2.0 copy is never replaced. */
static void record_rsdp(struct boot_acpi *acpi, const uint8_t *r, uint32_t len)
{
	if (acpi->present && acpi->rsdp_len > len)
		return;
	acpi->present = true;
	acpi->rsdp_len = len;
	for (uint32_t i = 0; i < len; i++)
		acpi->rsdp[i] = r[i];
	acpi->revision = r[15];
	acpi->rsdt_addr = rd32(r + 16);
	acpi->xsdt_addr = len == RSDP_V2_LEN ? rd64(r + 24) : 0;
	acpi->valid = rsdp_valid(r, len);
}

static mm_status_t tag_acpi_old(struct parse *ps, const uint8_t *tag,
				uint32_t size)
{
	(void)size;
	record_rsdp(&ps->out->acpi, tag + 8, RSDP_V1_LEN);
	return MM_OK;
}

static mm_status_t tag_acpi_new(struct parse *ps, const uint8_t *tag,
				uint32_t size)
{
	(void)size;
	record_rsdp(&ps->out->acpi, tag + 8, RSDP_V2_LEN);
	return MM_OK;
}

/* Known tags; absent entries (fn NULL) are skipped like unknown tags. */
static const struct tag_handler handlers[] = {
	[MB2_TAG_CMDLINE] = {9, tag_cmdline},
	[MB2_TAG_BOOTLOADER_NAME] = {9, tag_bootloader},
	[MB2_TAG_MODULE] = {17, tag_module},
	[MB2_TAG_BASIC_MEMINFO] = {16, tag_basic_meminfo},
	[MB2_TAG_BOOTDEV] = {20, tag_bootdev},
	[MB2_TAG_MMAP] = {16, tag_mmap},
	[MB2_TAG_FRAMEBUFFER] = {31, tag_framebuffer},
	[MB2_TAG_ELF_SECTIONS] = {20, tag_elf_sections},
	[MB2_TAG_APM] = {28, tag_apm},
	[MB2_TAG_EFI32] = {12, tag_efi32},
	[MB2_TAG_EFI64] = {16, tag_efi64},
	[MB2_TAG_ACPI_OLD] = {8 + RSDP_V1_LEN, tag_acpi_old},
	[MB2_TAG_ACPI_NEW] = {8 + RSDP_V2_LEN, tag_acpi_new},
	[MB2_TAG_EFI_MMAP] = {16, tag_efi_mmap},
	[MB2_TAG_EFI_BS] = {8, tag_efi_bs},
	[MB2_TAG_EFI32_IH] = {12, tag_efi32_ih},
	[MB2_TAG_EFI64_IH] = {16, tag_efi64_ih},
	[MB2_TAG_LOAD_BASE_ADDR] = {12, tag_load_base},
};

#define HANDLER_COUNT (sizeof(handlers) / sizeof(handlers[0]))

/* Check one tag's size for its type and hand it to its handler. */
static mm_status_t dispatch(struct parse *ps, const uint8_t *tag, uint32_t type,
			    uint32_t size)
{
	const struct tag_handler *h;

	if (type >= HANDLER_COUNT || handlers[type].fn == NULL)
		return MM_OK;
	h = &handlers[type];
	if (size < h->min_size)
		return MM_ERR_INVALID;
	return h->fn(ps, tag, size);
}

/*
 * Walk the tags in [info + 8, info + total) up to the end tag. Every tag
 * lies wholly inside that range before anything in it is read; each step
 * advances by at least 8 bytes, so the walk ends.
 */
static mm_status_t walk_tags(struct parse *ps, const uint8_t *info,
			     uint32_t total)
{
	uint64_t off = MB2_INFO_HEADER_SIZE; /* 64-bit: the step cannot wrap */

	while (total - off >= MB2_TAG_HEADER_SIZE) {
		uint32_t type = rd32(info + off), size = rd32(info + off + 4);
		mm_status_t st;

		if (size < MB2_TAG_HEADER_SIZE || size > total - off)
			return MM_ERR_INVALID;
		if (type == MB2_TAG_END)
			return MM_OK;
		st = dispatch(ps, info + off, type, size);
		if (st != MM_OK)
			return st;
		off += mm_align_up_u64(size, MB2_TAG_ALIGN);
		if (off > total)
			return MM_ERR_INVALID;
	}
	return MM_ERR_INVALID; /* no end tag */
}

static mm_region_type_t mb2_region_type(uint32_t type)
{
	switch (type) {
	case MB2_MEMORY_AVAILABLE:
		return MM_REGION_USABLE;
	case MB2_MEMORY_ACPI_RECLAIMABLE:
		return MM_REGION_ACPI_RECLAIMABLE;
	case MB2_MEMORY_NVS:
		return MM_REGION_ACPI_NVS;
	case MB2_MEMORY_BADRAM:
		return MM_REGION_BAD;
	case MB2_MEMORY_RESERVED:
		return MM_REGION_RESERVED;
	default: /* a type the multiboot2 spec does not define: never usable */
		return MM_REGION_UNKNOWN;
	}
}

/* The regions of tag 6, entry_size already checked by tag_mmap. */
static mm_status_t build_from_mmap(struct mm_memmap *map, const uint8_t *tag,
				   uint32_t size)
{
	uint32_t esize = rd32(tag + 8);

	for (uint32_t off = 16; size - off >= esize; off += esize) {
		const uint8_t *e = tag + off;
		mm_status_t st;

		st = mm_memmap_add(map, rd64(e), rd64(e + 8),
				   mb2_region_type(rd32(e + 16)));
		if (st != MM_OK)
			return st;
	}
	return MM_OK;
}

/* Fallback from tag 4: [0, lower KiB) and [1 MiB, 1 MiB + upper KiB). */
static mm_status_t build_from_meminfo(struct mm_memmap *map,
				      const struct boot_info *bi)
{
	mm_status_t st;

	st = mm_memmap_add(map, 0, (uint64_t)bi->mem_lower_kib * KIB,
			   MM_REGION_USABLE);
	if (st != MM_OK)
		return st;
	return mm_memmap_add(map, ONE_MIB, (uint64_t)bi->mem_upper_kib * KIB,
			     MM_REGION_USABLE);
}

/* Build the map from the best source the walk found, then sanitize it. */
static mm_status_t build_memmap(const struct parse *ps)
{
	struct mm_memmap *map = &ps->out->memmap;
	mm_status_t st = MM_OK;

	mm_memmap_init(map);
	if (ps->efi_mmap != NULL)
		st = efi_memmap_convert(ps->efi_mmap + 16,
					ps->efi_mmap_size - 16,
					rd32(ps->efi_mmap + 8), map);
	else if (ps->mmap != NULL)
		st = build_from_mmap(map, ps->mmap, ps->mmap_size);
	else if (ps->out->basic_meminfo_present)
		st = build_from_meminfo(map, ps->out);
	if (st != MM_OK)
		return st;
	return mm_memmap_sanitize(map);
}

mm_status_t mb2_parse(const void *info, size_t avail, struct boot_info *out)
{
	const uint8_t *p = info;
	struct parse ps = {.out = out};
	uint32_t total;
	mm_status_t st;

	if (info == NULL || out == NULL)
		return MM_ERR_INVALID;
	if ((uintptr_t)info % MB2_INFO_ALIGN != 0 || avail < 8)
		return MM_ERR_INVALID;
	total = rd32(p);
	if (total < MB2_INFO_HEADER_SIZE + MB2_TAG_HEADER_SIZE || total > avail)
		return MM_ERR_INVALID;
	clear(out);
	out->method = BOOT_METHOD_MULTIBOOT2;
	out->info_size = total;
	out->info = info;
	st = walk_tags(&ps, p, total);
	if (st != MM_OK)
		return st;
	if (out->efi.systab_present || out->efi.memmap_present)
		out->firmware = BOOT_FIRMWARE_UEFI;
	return build_memmap(&ps);
}

/* The i-th module tag of an info mb2_parse() accepted, or NULL. */
static const uint8_t *module_tag(const uint8_t *info, uint32_t total, size_t i)
{
	uint64_t off = MB2_INFO_HEADER_SIZE;

	while (total - off >= MB2_TAG_HEADER_SIZE) {
		uint32_t type = rd32(info + off), size = rd32(info + off + 4);

		if (type == MB2_TAG_END || size < MB2_TAG_HEADER_SIZE ||
		    size > total - off)
			return NULL;
		if (type == MB2_TAG_MODULE && i-- == 0)
			return info + off;
		off += ((uint64_t)size + MB2_TAG_ALIGN - 1) &
		       ~(uint64_t)(MB2_TAG_ALIGN - 1);
	}
	return NULL;
}

mm_status_t mb2_module(const struct boot_info *bi, size_t i,
		       struct boot_module *out)
{
	const uint8_t *tag;
	struct boot_module m;

	if (bi == NULL || out == NULL || bi->info == NULL ||
	    i >= bi->module_count)
		return MM_ERR_INVALID;
	tag = module_tag(bi->info, bi->info_size, i);
	if (tag == NULL || read_module(tag, rd32(tag + 4), &m) != MM_OK)
		return MM_ERR_INVALID;
	*out = m;
	return MM_OK;
}
