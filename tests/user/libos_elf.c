/*
 * The ELF loader of libos_elf.h: check every header first, then build.
 */
#include "libos_elf.h"

#define ELF_PT_LOAD   1u
#define ELF_PF_X      1u
#define ELF_PF_W      2u
#define ELF_ET_EXEC   2u
#define ELF_EM_X86_64 62u
#define ELF_PHDR_SIZE 56u

struct elf_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

_Static_assert(sizeof(struct elf_ehdr) == 64, "ELF64 header");
_Static_assert(sizeof(struct elf_phdr) == ELF_PHDR_SIZE, "ELF64 phdr");

static const struct elf_phdr *elf_ph(const uint8_t *img,
				     const struct elf_ehdr *h, unsigned i)
{
	return (const struct elf_phdr *)(img + h->phoff) + i;
}

static int elf_header_ok(const struct elf_ehdr *h, uint64_t size)
{
	static const uint8_t magic[7] = {0x7F, 'E', 'L', 'F', 2, 1, 1};

	if (size < sizeof(*h))
		return 0;
	for (unsigned i = 0; i < sizeof(magic); i++) {
		if (h->ident[i] != magic[i])
			return 0;
	}
	return h->type == ELF_ET_EXEC && h->machine == ELF_EM_X86_64 &&
	       h->phentsize == ELF_PHDR_SIZE && h->phnum > 0 &&
	       h->phoff % 8u == 0 && h->phoff < size &&
	       (uint64_t)h->phnum * ELF_PHDR_SIZE <= size - h->phoff;
}

/* One PT_LOAD segment: inside the image and [XOMB_USER_MIN, span). */
static int elf_segment_ok(const struct elf_phdr *p, uint64_t size,
			  uint64_t span)
{
	return p->offset <= size && p->filesz <= size - p->offset &&
	       p->filesz <= p->memsz && p->vaddr % LIBOS_PAGE == 0 &&
	       p->vaddr >= XOMB_USER_MIN && p->vaddr < span &&
	       p->memsz <= span - p->vaddr;
}

/* Segments in increasing order, none sharing a page; the entry in a PF_X. */
static int elf_layout_ok(const uint8_t *img, const struct elf_ehdr *h,
			 uint64_t size, uint64_t span)
{
	uint64_t next = 0;
	int entry_ok = 0;

	for (unsigned i = 0; i < h->phnum; i++) {
		const struct elf_phdr *p = elf_ph(img, h, i);

		if (p->type != ELF_PT_LOAD)
			continue;
		if (!elf_segment_ok(p, size, span) || p->vaddr < next)
			return 0;
		next = (p->vaddr + p->memsz + LIBOS_PAGE - 1u) &
		       ~(LIBOS_PAGE - 1u);
		if ((p->flags & ELF_PF_X) && h->entry >= p->vaddr &&
		    h->entry < p->vaddr + p->memsz)
			entry_ok = 1;
	}
	return entry_ok;
}

/* Build segment p's pages at base + vaddr. */
static int64_t elf_build(const uint8_t *img, const struct elf_phdr *p,
			 uint64_t base)
{
	uint64_t flags = LIBOS_RW;

	if (!(p->flags & ELF_PF_W))
		flags |= XOMB_READONLY;
	if (!(p->flags & ELF_PF_X))
		flags |= XOMB_NOEXEC;
	for (uint64_t o = 0; o < p->memsz; o += LIBOS_PAGE) {
		volatile uint8_t *to =
			(volatile uint8_t *)(base + p->vaddr + o);
		int64_t err;

		if (libos_page((uint64_t)to, LIBOS_RW) == 0)
			return XOMB_NOT_FREE;
		for (uint64_t b = 0; b < LIBOS_PAGE && o + b < p->filesz; b++)
			to[b] = img[p->offset + o + b];
		err = xomb_chmod_page(xomb_pte_addr(0, (uint64_t)to), flags);
		if (err != XOMB_SUCCESS)
			return err;
	}
	return XOMB_SUCCESS;
}

int64_t libos_elf_load(const uint8_t *img, uint64_t size, uint64_t base,
		       uint64_t span, uint64_t *entry)
{
	const struct elf_ehdr *h = (const struct elf_ehdr *)img;
	int64_t err = XOMB_SUCCESS;

	if (!elf_header_ok(h, size) || !elf_layout_ok(img, h, size, span))
		return XOMB_INVALID_SOURCE;
	for (unsigned i = 0; i < h->phnum && err == XOMB_SUCCESS; i++) {
		if (elf_ph(img, h, i)->type == ELF_PT_LOAD)
			err = elf_build(img, elf_ph(img, h, i), base);
	}
	*entry = h->entry;
	return err;
}

const struct xomb_image *libos_image(const char *name)
{
	const struct xomb_images *info =
		(const struct xomb_images *)XOMB_IMAGES_VA;

	for (uint64_t i = 0; i < info->count && i < XOMB_IMAGES_MAX; i++) {
		const char *n = info->image[i].name;
		unsigned j = 0;

		while (j < XOMB_IMAGE_NAME && n[j] == name[j] && n[j] != 0)
			j++;
		if (j < XOMB_IMAGE_NAME && n[j] == name[j])
			return &info->image[i];
	}
	return 0;
}
