/*
 * libFuzzer target for the ELF program checker (kernel/elf.c). Each input is
 * copied into an exact-size heap buffer, so ASan flags any read past it, and
 * checked against the user half. A refusal must name a reason made of
 * [a-z0-9_]; an acceptance must keep every promise of elf.h, re-verified
 * here independently: the header fields read again with memcpy, the table
 * scanned again for PT_INTERP / PT_DYNAMIC, and each segment elf_segment()
 * reports checked against every rule, pairwise for shared pages.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf.h"
#include "fuzz_check.h"
#include "mm/paging.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The user half of abi.h: [XOMB_USER_MIN, XOMB_USER_END). */
static const struct elf_limits lim = {0x10000ull, 0x00007F8000000000ull};

#define PAGE 4096ull

static uint64_t rd(const uint8_t *p, size_t bytes)
{
	uint64_t v = 0;

	memcpy(&v, p, bytes); /* the fuzzing host is little-endian */
	return v;
}

static void check_reason(const char *why)
{
	CHECK(*why != '\0');
	for (const char *c = why; *c; c++)
		CHECK((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		      *c == '_');
}

/* The ELF header and the table, read again. */
static void check_header(const uint8_t *b, size_t size,
			 const struct elf_image *im)
{
	CHECK(size >= 64 && memcmp(b, "\177ELF\2\1\1", 7) == 0);
	CHECK_EQ(rd(b + 16, 2), 2);  /* ET_EXEC */
	CHECK_EQ(rd(b + 18, 2), 62); /* EM_X86_64 */
	CHECK_EQ(rd(b + 24, 8), im->entry);
	CHECK_EQ(rd(b + 32, 8), im->phoff);
	CHECK_EQ(rd(b + 56, 2), im->phnum);
	CHECK(im->phnum >= 1 && im->phnum <= ELF_PHNUM_MAX);
	CHECK(im->nsegments >= 1 && im->nsegments <= im->phnum);
	CHECK(im->phoff <= size && im->phnum * 56ull <= size - im->phoff);
	for (unsigned i = 0; i < im->phnum; i++) {
		uint64_t type = rd(b + im->phoff + 56ull * i, 4);

		CHECK(type != 2 && type != 3 && type != 5);
	}
}

/* One segment against every per-segment rule. */
static void check_segment(const struct elf_segment *s, size_t size)
{
	CHECK(s->memsz > 0 && s->filesz <= s->memsz);
	CHECK(s->offset <= size && s->filesz <= size - s->offset);
	CHECK_EQ(s->vaddr % PAGE, s->offset % PAGE);
	CHECK(s->memsz <= UINT64_MAX - s->vaddr);
	CHECK(s->vaddr + s->memsz <= UINT64_MAX - (PAGE - 1));
	CHECK(s->vaddr / PAGE * PAGE >= lim.start);
	CHECK((s->vaddr + s->memsz + PAGE - 1) / PAGE * PAGE <= lim.end);
	CHECK(s->prot == 0 || s->prot == MM_PROT_WRITE ||
	      s->prot == MM_PROT_EXEC);
}

/* No page shared by two segments; the entry in an executable one. */
static void check_segments(const struct elf_segment *s, unsigned n,
			   uint64_t entry)
{
	int entry_ok = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t first = s[i].vaddr / PAGE;
		uint64_t last = (s[i].vaddr + s[i].memsz - 1) / PAGE;

		for (unsigned j = 0; j < i; j++) {
			uint64_t f = s[j].vaddr / PAGE;
			uint64_t l = (s[j].vaddr + s[j].memsz - 1) / PAGE;

			CHECK(last < f || l < first);
		}
		if ((s[i].prot & MM_PROT_EXEC) && entry >= s[i].vaddr &&
		    entry - s[i].vaddr < s[i].memsz)
			entry_ok = 1;
	}
	CHECK(entry_ok);
}

static void check_accepted(const uint8_t *b, size_t size,
			   const struct elf_image *im)
{
	struct elf_segment *segs = calloc(im->nsegments, sizeof(*segs));

	CHECK(segs != NULL);
	check_header(b, size, im);
	for (unsigned i = 0; i < im->nsegments; i++) {
		elf_segment(b, im, i, &segs[i]);
		check_segment(&segs[i], size);
	}
	check_segments(segs, im->nsegments, im->entry);
	free(segs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct elf_image im, again;
	const char *why;

	if (buf == NULL)
		return 0;
	if (size)
		memcpy(buf, data, size);
	why = elf_check(buf, size, &lim, &im);
	CHECK(elf_check(buf, size, &lim, &again) == why); /* deterministic */
	if (why != NULL)
		check_reason(why);
	else
		check_accepted(buf, size, &im);
	free(buf);
	return 0;
}
