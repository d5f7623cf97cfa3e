/*
 * Owns the validation of ELF64 program images (kernel/elf.h): the ELF
 * header, the program header table and every PT_LOAD against the rules the
 * loader relies on, so that loading an accepted image can no longer fail for
 * a reason found in the file. Every field is read byte by byte
 * (little-endian) from inside [img, img + size); the header table is bounds-
 * checked once, so each program header read afterwards lies inside it. All
 * address arithmetic is checked for wrap before it is done. No libc.
 */
#include "elf.h"

#include "mm/assert.h"
#include "mm/paging.h"

/* Offsets of the fields read from the ELF header and a program header. */
#define EI_CLASS     4u
#define EI_DATA	     5u
#define EI_VERSION   6u
#define E_TYPE	     16u
#define E_MACHINE    18u
#define E_VERSION    20u
#define E_ENTRY	     24u
#define E_PHOFF	     32u
#define E_EHSIZE     52u
#define E_PHENTSIZE  54u
#define E_PHNUM	     56u
#define P_TYPE	     0u
#define P_FLAGS	     4u
#define P_OFFSET     8u
#define P_VADDR	     16u
#define P_FILESZ     32u
#define P_MEMSZ	     40u
#define P_ALIGN	     48u
#define PF_ALL	     (ELF_PF_R | ELF_PF_W | ELF_PF_X)
#define PAGE_MASK    ((uint64_t)ELF_PAGE_SIZE - 1u)
#define PAGE_DOWN(a) ((a) & ~PAGE_MASK)

/* One program header, decoded. */
struct elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

/* What the walk over the PT_LOADs carries from one to the next. */
struct elf_walk {
	const struct elf_limits *lim;
	size_t size;	    /* bytes of the image */
	uint64_t entry;	    /* e_entry */
	unsigned nsegments; /* PT_LOADs seen */
	uint64_t prev_vaddr;
	uint64_t prev_end; /* page_up(end) of the previous PT_LOAD */
	int entry_ok;	   /* e_entry lies in an executable PT_LOAD */
};

static uint16_t elf_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t elf_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t elf_rd64(const uint8_t *p)
{
	return (uint64_t)elf_rd32(p) | (uint64_t)elf_rd32(p + 4) << 32;
}

static void elf_read_phdr(const uint8_t *p, struct elf_phdr *ph)
{
	ph->type = elf_rd32(p + P_TYPE);
	ph->flags = elf_rd32(p + P_FLAGS);
	ph->offset = elf_rd64(p + P_OFFSET);
	ph->vaddr = elf_rd64(p + P_VADDR);
	ph->filesz = elf_rd64(p + P_FILESZ);
	ph->memsz = elf_rd64(p + P_MEMSZ);
	ph->align = elf_rd64(p + P_ALIGN);
}

/* e_ident: magic, class, byte order, version. size >= ELF_EHDR_SIZE. */
static const char *elf_check_ident(const uint8_t *b)
{
	if (b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F')
		return "bad_magic";
	if (b[EI_CLASS] != ELF_CLASS64)
		return "not_elf64";
	if (b[EI_DATA] != ELF_DATA_LSB)
		return "not_little_endian";
	if (b[EI_VERSION] != ELF_VERSION || elf_rd32(b + E_VERSION) != 1u)
		return "bad_version";
	return NULL;
}

/* The rest of the ELF header and the bounds of the header table. */
static const char *elf_check_ehdr(const uint8_t *b, size_t size,
				  struct elf_image *out)
{
	uint64_t phoff = elf_rd64(b + E_PHOFF);
	unsigned phnum = elf_rd16(b + E_PHNUM);
	uint64_t table = (uint64_t)phnum * ELF_PHDR_SIZE;

	if (elf_rd16(b + E_TYPE) != ELF_ET_EXEC)
		return "not_exec";
	if (elf_rd16(b + E_MACHINE) != ELF_EM_X86_64)
		return "not_x86_64";
	if (elf_rd16(b + E_EHSIZE) != ELF_EHDR_SIZE)
		return "bad_ehsize";
	if (elf_rd16(b + E_PHENTSIZE) != ELF_PHDR_SIZE)
		return "bad_phentsize";
	if (phnum == 0)
		return "no_phdrs";
	if (phnum > ELF_PHNUM_MAX)
		return "too_many_phdrs";
	if (phoff > size || table > size - phoff)
		return "phdrs_outside";
	out->entry = elf_rd64(b + E_ENTRY);
	out->phoff = phoff;
	out->phnum = phnum;
	out->nsegments = 0;
	return NULL;
}

/* A PT_LOAD's flags and sizes, and its bytes inside the file. */
static const char *elf_check_file(const struct elf_phdr *ph, size_t size)
{
	if (ph->flags & ~PF_ALL)
		return "bad_flags";
	if (!(ph->flags & ELF_PF_R))
		return "not_readable";
	if ((ph->flags & ELF_PF_W) && (ph->flags & ELF_PF_X))
		return "write_and_exec";
	if (ph->memsz == 0)
		return "empty_segment";
	if (ph->filesz > ph->memsz)
		return "filesz_gt_memsz";
	if (ph->offset > size || ph->filesz > size - ph->offset)
		return "segment_outside_file";
	return NULL;
}

/* File and memory agree modulo the page and modulo p_align. */
static const char *elf_check_align(const struct elf_phdr *ph)
{
	if ((ph->vaddr & PAGE_MASK) != (ph->offset & PAGE_MASK))
		return "misaligned";
	if (ph->align <= 1u)
		return NULL;
	if ((ph->align & (ph->align - 1u)) != 0 || ph->align < ELF_PAGE_SIZE)
		return "bad_align";
	if (ph->vaddr % ph->align != ph->offset % ph->align)
		return "misaligned";
	return NULL;
}

/*
 * The pages [page_down(vaddr), page_up(vaddr + memsz)): no wrap, inside the
 * limits, above the previous PT_LOAD's pages. memsz > 0.
 */
static const char *elf_check_place(const struct elf_phdr *ph,
				   struct elf_walk *w)
{
	uint64_t end, page_end;

	if (ph->memsz > UINT64_MAX - ph->vaddr)
		return "segment_wraps";
	end = ph->vaddr + ph->memsz;
	if (end > UINT64_MAX - PAGE_MASK)
		return "segment_wraps";
	page_end = PAGE_DOWN(end + PAGE_MASK);
	if (PAGE_DOWN(ph->vaddr) < w->lim->start || page_end > w->lim->end)
		return "outside_limits";
	if (w->nsegments > 0 && ph->vaddr < w->prev_vaddr)
		return "segments_unsorted";
	if (w->nsegments > 0 && PAGE_DOWN(ph->vaddr) < w->prev_end)
		return "segments_overlap";
	w->prev_vaddr = ph->vaddr;
	w->prev_end = page_end;
	return NULL;
}

/* One program header; PT_LOADs are counted and checked. */
static const char *elf_check_phdr(const uint8_t *p, struct elf_walk *w)
{
	struct elf_phdr ph;
	const char *why;

	elf_read_phdr(p, &ph);
	if (ph.type == ELF_PT_INTERP)
		return "interp";
	if (ph.type == ELF_PT_DYNAMIC)
		return "dynamic";
	if (ph.type == ELF_PT_SHLIB)
		return "shlib";
	if (ph.type != ELF_PT_LOAD)
		return NULL;
	why = elf_check_file(&ph, w->size);
	if (why == NULL)
		why = elf_check_align(&ph);
	if (why == NULL)
		why = elf_check_place(&ph, w);
	if (why != NULL)
		return why;
	w->nsegments++;
	if ((ph.flags & ELF_PF_X) && w->entry >= ph.vaddr &&
	    w->entry - ph.vaddr < ph.memsz)
		w->entry_ok = 1;
	return NULL;
}

const char *elf_check(const void *img, size_t size,
		      const struct elf_limits *lim, struct elf_image *out)
{
	const uint8_t *b = img;
	struct elf_walk w = {lim, size, 0, 0, 0, 0, 0};
	const char *why;

	if (img == NULL || lim == NULL || out == NULL)
		return "bad_args";
	if (lim->start >= lim->end || ((lim->start | lim->end) & PAGE_MASK))
		return "bad_limits";
	if (size < ELF_EHDR_SIZE)
		return "too_small";
	why = elf_check_ident(b);
	if (why == NULL)
		why = elf_check_ehdr(b, size, out);
	if (why != NULL)
		return why;
	w.entry = out->entry;
	for (unsigned i = 0; i < out->phnum && why == NULL; i++)
		why = elf_check_phdr(b + out->phoff + (size_t)i * ELF_PHDR_SIZE,
				     &w);
	if (why != NULL)
		return why;
	if (w.nsegments == 0)
		return "no_load_segment";
	if (!w.entry_ok)
		return "entry_not_exec";
	out->nsegments = w.nsegments;
	return NULL;
}

/*
 * The program header of the i-th PT_LOAD. It exists when elf_check()
 * counted more than i of them in this image; the assert keeps every read
 * inside the table even if the caller broke that promise.
 */
static const uint8_t *elf_find_load(const uint8_t *b,
				    const struct elf_image *im, unsigned i)
{
	const uint8_t *p = b + im->phoff;
	const uint8_t *end = p + (size_t)im->phnum * ELF_PHDR_SIZE;
	unsigned seen = 0;

	for (;; p += ELF_PHDR_SIZE) {
		MM_ASSERT(p < end);
		if (elf_rd32(p + P_TYPE) == ELF_PT_LOAD && seen++ == i)
			return p;
	}
}

void elf_segment(const void *img, const struct elf_image *im, unsigned i,
		 struct elf_segment *out)
{
	const uint8_t *p;
	struct elf_phdr ph;

	MM_ASSERT(i < im->nsegments);
	p = elf_find_load(img, im, i);
	elf_read_phdr(p, &ph);
	out->vaddr = ph.vaddr;
	out->memsz = ph.memsz;
	out->offset = ph.offset;
	out->filesz = ph.filesz;
	out->prot = 0;
	if (ph.flags & ELF_PF_W)
		out->prot |= MM_PROT_WRITE;
	if (ph.flags & ELF_PF_X)
		out->prot |= MM_PROT_EXEC;
}
