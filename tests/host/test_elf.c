/*
 * Tests of the ELF64 program checker (kernel/elf.c): one valid static
 * executable is built in memory, then each test breaks one rule of
 * elf_check() and expects exactly its reason, or moves a value to the edge
 * of a rule and expects acceptance. Every check runs on an exact-size heap
 * copy, so ASan flags any read past the image.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elf.h"
#include "mm/paging.h"

/* The layout of the built image. */
#define IMG_MAX	     (ELF_PHDR_SIZE * (ELF_PHNUM_MAX + 1u) + 0x2000u)
#define IMG_SIZE     0x2000u
#define PHOFF	     ELF_EHDR_SIZE
#define TEXT_VA	     0x400000ull
#define DATA_VA	     0x401000ull
#define DATA_OFF     0x1000ull
#define ENTRY	     (TEXT_VA + 0x100u)
#define PT_NOTE	     4u
#define PT_TLS	     7u
#define PT_GNU_STACK 0x6474e551u
#define USER_START   0x10000ull
#define USER_END     0x00007F8000000000ull

/* Offsets of header fields the tests edit. */
#define E_TYPE	    16u
#define E_MACHINE   18u
#define E_VERSION   20u
#define E_ENTRY	    24u
#define E_PHOFF	    32u
#define E_EHSIZE    52u
#define E_PHENTSIZE 54u
#define E_PHNUM	    56u
#define P_TYPE	    0u
#define P_FLAGS	    4u
#define P_OFFSET    8u
#define P_VADDR	    16u
#define P_FILESZ    32u
#define P_MEMSZ	    40u
#define P_ALIGN	    48u

static uint8_t img[IMG_MAX];
static size_t img_size;
static struct elf_image im;
static const struct elf_limits user_lim = {USER_START, USER_END};

static void put(size_t off, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

/* Field at offset `field` of program header i (64-bit fields from 8 on). */
static void ph(unsigned i, unsigned field, uint64_t v)
{
	put(PHOFF + i * ELF_PHDR_SIZE + field, v, field < P_OFFSET ? 4 : 8);
}

static void set_phdr(unsigned i, uint32_t type, uint32_t flags, uint64_t offset,
		     uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	ph(i, P_TYPE, type);
	ph(i, P_FLAGS, flags);
	ph(i, P_OFFSET, offset);
	ph(i, P_VADDR, vaddr);
	ph(i, 24, vaddr); /* p_paddr: ignored */
	ph(i, P_FILESZ, filesz);
	ph(i, P_MEMSZ, memsz);
	ph(i, P_ALIGN, ELF_PAGE_SIZE);
}

/*
 * A valid static executable: text R+X at TEXT_VA (one page, the headers
 * included), data R+W at DATA_VA (0x800 file bytes, 0x3000 in memory), and
 * a PT_GNU_STACK, which the checker ignores.
 */
static int build(void **state)
{
	(void)state;
	memset(img, 0, sizeof(img));
	memcpy(img, "\177ELF\2\1\1", 7);
	put(E_TYPE, ELF_ET_EXEC, 2);
	put(E_MACHINE, ELF_EM_X86_64, 2);
	put(E_VERSION, 1, 4);
	put(E_ENTRY, ENTRY, 8);
	put(E_PHOFF, PHOFF, 8);
	put(E_EHSIZE, ELF_EHDR_SIZE, 2);
	put(E_PHENTSIZE, ELF_PHDR_SIZE, 2);
	put(E_PHNUM, 3, 2);
	set_phdr(0, ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, 0, TEXT_VA, 0x1000,
		 0x1000);
	set_phdr(1, ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, DATA_OFF, DATA_VA, 0x800,
		 0x3000);
	set_phdr(2, PT_GNU_STACK, ELF_PF_R | ELF_PF_W, 0, 0, 0, 0);
	img_size = IMG_SIZE;
	memset(&im, 0, sizeof(im));
	return 0;
}

/* elf_check on an exact-size heap copy of img, with limits lim. */
static const char *check_lim(const struct elf_limits *lim)
{
	uint8_t *copy = malloc(img_size ? img_size : 1);
	const char *why;

	assert_non_null(copy);
	memcpy(copy, img, img_size);
	why = elf_check(copy, img_size, lim, &im);
	free(copy);
	return why;
}

static const char *check(void)
{
	return check_lim(&user_lim);
}

static void expect(const char *reason)
{
	const char *why = check();

	assert_non_null(why);
	assert_string_equal(why, reason);
}

/* The built image is accepted and its two segments reported exactly. */
static void test_elf_valid(void **state)
{
	struct elf_segment s;

	(void)state;
	assert_null(check());
	assert_int_equal(im.entry, ENTRY);
	assert_int_equal(im.nsegments, 2);
	assert_int_equal(im.phnum, 3);
	assert_int_equal(im.phoff, PHOFF);
	elf_segment(img, &im, 0, &s);
	assert_int_equal(s.vaddr, TEXT_VA);
	assert_int_equal(s.memsz, 0x1000);
	assert_int_equal(s.offset, 0);
	assert_int_equal(s.filesz, 0x1000);
	assert_int_equal(s.prot, MM_PROT_EXEC);
	elf_segment(img, &im, 1, &s);
	assert_int_equal(s.vaddr, DATA_VA);
	assert_int_equal(s.memsz, 0x3000);
	assert_int_equal(s.offset, DATA_OFF);
	assert_int_equal(s.filesz, 0x800);
	assert_int_equal(s.prot, MM_PROT_WRITE);
}

/* A read-only PT_LOAD reports prot 0; non-LOAD headers are skipped. */
static void test_elf_segment_read_only_after_note(void **state)
{
	struct elf_segment s;

	(void)state;
	put(E_PHNUM, 4, 2);
	set_phdr(2, PT_NOTE, ELF_PF_R, 0x100, 0, 0x20, 0x20);
	set_phdr(3, ELF_PT_LOAD, ELF_PF_R, 0x1800, 0x404800, 0x100, 0x100);
	assert_null(check());
	assert_int_equal(im.nsegments, 3);
	elf_segment(img, &im, 2, &s);
	assert_int_equal(s.vaddr, 0x404800);
	assert_int_equal(s.offset, 0x1800);
	assert_int_equal(s.prot, 0);
}

/* NULL image, limits or output: bad_args. */
static void test_elf_bad_args(void **state)
{
	(void)state;
	assert_string_equal(elf_check(NULL, img_size, &user_lim, &im),
			    "bad_args");
	assert_string_equal(elf_check(img, img_size, NULL, &im), "bad_args");
	assert_string_equal(elf_check(img, img_size, &user_lim, NULL),
			    "bad_args");
}

/* Empty, inverted or unaligned limits: bad_limits. */
static void test_elf_bad_limits(void **state)
{
	struct elf_limits empty = {0x400000, 0x400000};
	struct elf_limits inverted = {0x500000, 0x400000};
	struct elf_limits start = {0x10001, USER_END};
	struct elf_limits end = {USER_START, USER_END - 1};

	(void)state;
	assert_string_equal(check_lim(&empty), "bad_limits");
	assert_string_equal(check_lim(&inverted), "bad_limits");
	assert_string_equal(check_lim(&start), "bad_limits");
	assert_string_equal(check_lim(&end), "bad_limits");
}

/* Fewer bytes than an ELF header: too_small (0 and 63 bytes). */
static void test_elf_too_small(void **state)
{
	(void)state;
	img_size = 0;
	expect("too_small");
	img_size = ELF_EHDR_SIZE - 1;
	expect("too_small");
}

/* Any of the four magic bytes wrong: bad_magic. */
static void test_elf_bad_magic(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		build(NULL);
		img[i] ^= 0x20;
		expect("bad_magic");
	}
}

/* ELFCLASS32 or none: not_elf64. */
static void test_elf_not_elf64(void **state)
{
	(void)state;
	img[4] = 1;
	expect("not_elf64");
	img[4] = 0;
	expect("not_elf64");
}

/* ELFDATA2MSB: not_little_endian. */
static void test_elf_not_little_endian(void **state)
{
	(void)state;
	img[5] = 2;
	expect("not_little_endian");
}

/* EI_VERSION or e_version other than 1: bad_version. */
static void test_elf_bad_version(void **state)
{
	(void)state;
	img[6] = 2;
	expect("bad_version");
	img[6] = 1;
	put(E_VERSION, 0, 4);
	expect("bad_version");
}

/* ET_DYN (PIE), ET_REL, ET_CORE: not_exec. */
static void test_elf_not_exec(void **state)
{
	(void)state;
	for (unsigned t = 0; t < 5; t++) {
		if (t == ELF_ET_EXEC)
			continue;
		put(E_TYPE, t, 2);
		expect("not_exec");
	}
}

/* EM_386 or EM_AARCH64: not_x86_64. */
static void test_elf_not_x86_64(void **state)
{
	(void)state;
	put(E_MACHINE, 3, 2);
	expect("not_x86_64");
	put(E_MACHINE, 183, 2);
	expect("not_x86_64");
}

/* e_ehsize other than 64: bad_ehsize. */
static void test_elf_bad_ehsize(void **state)
{
	(void)state;
	put(E_EHSIZE, 52, 2);
	expect("bad_ehsize");
}

/* e_phentsize other than 56 (smaller or larger): bad_phentsize. */
static void test_elf_bad_phentsize(void **state)
{
	(void)state;
	put(E_PHENTSIZE, 32, 2);
	expect("bad_phentsize");
	put(E_PHENTSIZE, 64, 2);
	expect("bad_phentsize");
}

/* e_phnum 0: no_phdrs. */
static void test_elf_no_phdrs(void **state)
{
	(void)state;
	put(E_PHNUM, 0, 2);
	expect("no_phdrs");
}

/* e_phnum over the bound, PN_XNUM included: too_many_phdrs. */
static void test_elf_too_many_phdrs(void **state)
{
	(void)state;
	put(E_PHNUM, ELF_PHNUM_MAX + 1u, 2);
	expect("too_many_phdrs");
	put(E_PHNUM, 0xffff, 2);
	expect("too_many_phdrs");
}

/* Exactly ELF_PHNUM_MAX headers (the extra ones PT_NOTE) are accepted. */
static void test_elf_phnum_at_bound(void **state)
{
	size_t table = (size_t)ELF_PHNUM_MAX * ELF_PHDR_SIZE;

	(void)state;
	put(E_PHOFF, IMG_SIZE, 8);
	memmove(img + IMG_SIZE, img + PHOFF, 3 * ELF_PHDR_SIZE);
	for (unsigned i = 3; i < ELF_PHNUM_MAX; i++)
		memcpy(img + IMG_SIZE + i * ELF_PHDR_SIZE, "\4\0\0\0\4\0\0\0",
		       8);
	put(E_PHNUM, ELF_PHNUM_MAX, 2);
	img_size = IMG_SIZE + table;
	assert_null(check());
	assert_int_equal(im.phnum, ELF_PHNUM_MAX);
	assert_int_equal(im.nsegments, 2);
	img_size--;
	expect("phdrs_outside");
}

/* The header table past the end, or e_phoff near 2^64: phdrs_outside. */
static void test_elf_phdrs_outside(void **state)
{
	(void)state;
	put(E_PHOFF, IMG_SIZE - 3 * ELF_PHDR_SIZE + 1, 8);
	expect("phdrs_outside");
	put(E_PHOFF, IMG_SIZE + 1, 8);
	expect("phdrs_outside");
	put(E_PHOFF, UINT64_MAX - 8, 8);
	expect("phdrs_outside");
}

/* A table that ends exactly at the end of the image is accepted. */
static void test_elf_phdrs_at_end(void **state)
{
	size_t at = IMG_SIZE - 3 * ELF_PHDR_SIZE;

	(void)state;
	memmove(img + at, img + PHOFF, 3 * ELF_PHDR_SIZE);
	put(E_PHOFF, at, 8);
	assert_null(check());
	assert_int_equal(im.phoff, at);
}

/* A PT_INTERP header anywhere: interp. */
static void test_elf_interp(void **state)
{
	(void)state;
	ph(2, P_TYPE, ELF_PT_INTERP);
	expect("interp");
}

/* A PT_DYNAMIC header: dynamic. */
static void test_elf_dynamic(void **state)
{
	(void)state;
	ph(2, P_TYPE, ELF_PT_DYNAMIC);
	expect("dynamic");
}

/* A PT_SHLIB header: shlib. */
static void test_elf_shlib(void **state)
{
	(void)state;
	ph(2, P_TYPE, ELF_PT_SHLIB);
	expect("shlib");
}

/* PT_NOTE, PT_TLS, PT_GNU_STACK with odd contents are ignored. */
static void test_elf_other_types_ignored(void **state)
{
	(void)state;
	set_phdr(2, PT_TLS, ELF_PF_R | ELF_PF_W | ELF_PF_X, UINT64_MAX,
		 UINT64_MAX, UINT64_MAX, 0);
	assert_null(check());
	ph(2, P_TYPE, PT_NOTE);
	assert_null(check());
}

/* p_flags with a bit beyond R, W, X (PF_MASKOS, PF_MASKPROC): bad_flags. */
static void test_elf_bad_flags(void **state)
{
	(void)state;
	ph(0, P_FLAGS, ELF_PF_R | ELF_PF_X | 0x00100000u);
	expect("bad_flags");
	ph(0, P_FLAGS, ELF_PF_R | ELF_PF_X | 0x80000000u);
	expect("bad_flags");
	ph(0, P_FLAGS, ELF_PF_R | ELF_PF_X | 8u);
	expect("bad_flags");
}

/* A PT_LOAD without PF_R (execute-only, write-only, none): not_readable. */
static void test_elf_not_readable(void **state)
{
	(void)state;
	ph(0, P_FLAGS, ELF_PF_X);
	expect("not_readable");
	build(NULL);
	ph(1, P_FLAGS, ELF_PF_W);
	expect("not_readable");
	ph(1, P_FLAGS, 0);
	expect("not_readable");
}

/* PF_W and PF_X on one PT_LOAD: write_and_exec. */
static void test_elf_write_and_exec(void **state)
{
	(void)state;
	ph(0, P_FLAGS, ELF_PF_R | ELF_PF_W | ELF_PF_X);
	expect("write_and_exec");
	build(NULL);
	ph(1, P_FLAGS, ELF_PF_R | ELF_PF_W | ELF_PF_X);
	expect("write_and_exec");
}

/* A PT_LOAD with p_memsz 0: empty_segment. */
static void test_elf_empty_segment(void **state)
{
	(void)state;
	ph(1, P_FILESZ, 0);
	ph(1, P_MEMSZ, 0);
	expect("empty_segment");
}

/* p_filesz > p_memsz: filesz_gt_memsz; equal is accepted. */
static void test_elf_filesz_gt_memsz(void **state)
{
	(void)state;
	ph(1, P_MEMSZ, 0x800);
	assert_null(check());
	ph(1, P_MEMSZ, 0x7ff);
	expect("filesz_gt_memsz");
}

/* File bytes past the end or offset + filesz wrapping: segment_outside_file. */
static void test_elf_segment_outside_file(void **state)
{
	(void)state;
	ph(1, P_FILESZ, IMG_SIZE - DATA_OFF); /* ends exactly at the end */
	assert_null(check());
	ph(1, P_FILESZ, IMG_SIZE - DATA_OFF + 1);
	expect("segment_outside_file");
	build(NULL);
	ph(1, P_OFFSET, IMG_SIZE + DATA_OFF);
	ph(1, P_FILESZ, 0);
	expect("segment_outside_file");
	build(NULL);
	ph(1, P_OFFSET, UINT64_MAX - 0xfff); /* offset % 4096 == vaddr's */
	ph(1, P_FILESZ, 0x1001);
	ph(1, P_MEMSZ, 0x2000);
	expect("segment_outside_file");
}

/* p_vaddr and p_offset disagree modulo 4096 or modulo p_align: misaligned. */
static void test_elf_misaligned(void **state)
{
	(void)state;
	ph(1, P_VADDR, DATA_VA + 8);
	expect("misaligned");
	ph(1, P_ALIGN, 0); /* the page rule holds without p_align too */
	expect("misaligned");
	ph(1, P_ALIGN, 1);
	expect("misaligned");
	build(NULL);
	ph(1, P_ALIGN, 0x200000); /* 0x601000 % 2 MiB == 0x1000 */
	ph(1, P_VADDR, 0x601000);
	assert_null(check());
	ph(1, P_VADDR, 0x602000);
	expect("misaligned");
}

/* p_align not a power of two, or below 4096: bad_align; 0 and 1 accepted. */
static void test_elf_bad_align(void **state)
{
	(void)state;
	ph(1, P_ALIGN, 0);
	assert_null(check());
	ph(1, P_ALIGN, 1);
	assert_null(check());
	ph(1, P_ALIGN, 0x3000);
	expect("bad_align");
	ph(1, P_ALIGN, 0x800);
	expect("bad_align");
	ph(1, P_ALIGN, 2);
	expect("bad_align");
}

/* vaddr + memsz past 2^64, or its page end past it: segment_wraps. */
static void test_elf_segment_wraps(void **state)
{
	(void)state;
	ph(1, P_VADDR, UINT64_MAX - 0xfff); /* offset 0x1000: page-aligned */
	expect("segment_wraps");
	ph(1, P_OFFSET, 0x1800);
	ph(1, P_FILESZ, 0x100);
	ph(1, P_MEMSZ, 0x100);
	ph(1, P_VADDR, UINT64_MAX - 0x7ff); /* end 2^64 - 0x700 */
	expect("segment_wraps");
}

/* A page of a segment below start or above end: outside_limits. */
static void test_elf_outside_limits(void **state)
{
	struct elf_limits exact = {TEXT_VA, DATA_VA + 0x3000};
	struct elf_limits low = {TEXT_VA + 0x1000, USER_END};
	struct elf_limits high = {USER_START, DATA_VA + 0x2000};

	(void)state;
	assert_null(check_lim(&exact));
	assert_string_equal(check_lim(&low), "outside_limits");
	assert_string_equal(check_lim(&high), "outside_limits");
	ph(1, P_VADDR, USER_END - 0x1000); /* last page: accepted */
	ph(1, P_MEMSZ, 0x1000);
	assert_null(check());
	ph(1, P_MEMSZ, 0x1001);
	expect("outside_limits");
	ph(1, P_VADDR, 0xffff800000000000ull); /* kernel half */
	expect("outside_limits");
}

/* PT_LOADs out of ascending p_vaddr order: segments_unsorted. */
static void test_elf_segments_unsorted(void **state)
{
	(void)state;
	ph(1, P_VADDR, TEXT_VA - 0x4000);
	expect("segments_unsorted");
}

/* Two PT_LOADs in one page (or equal): segments_overlap. */
static void test_elf_segments_overlap(void **state)
{
	(void)state;
	ph(0, P_FILESZ, 0x800);
	ph(0, P_MEMSZ, 0x800);
	ph(1, P_VADDR, TEXT_VA + 0x800); /* text's only page: shared */
	ph(1, P_OFFSET, 0x800);
	expect("segments_overlap");
	ph(1, P_VADDR, TEXT_VA);
	ph(1, P_OFFSET, 0);
	expect("segments_overlap");
}

/* Every header a non-LOAD: no_load_segment. */
static void test_elf_no_load_segment(void **state)
{
	(void)state;
	ph(0, P_TYPE, PT_NOTE);
	ph(1, P_TYPE, PT_NOTE);
	expect("no_load_segment");
}

/* Entry in data, below text, one past text, in BSS: entry_not_exec. */
static void test_elf_entry_not_exec(void **state)
{
	(void)state;
	put(E_ENTRY, TEXT_VA + 0xfff, 8); /* last byte of text: accepted */
	assert_null(check());
	put(E_ENTRY, TEXT_VA, 8);
	assert_null(check());
	put(E_ENTRY, TEXT_VA + 0x1000, 8);
	expect("entry_not_exec");
	put(E_ENTRY, TEXT_VA - 1, 8);
	expect("entry_not_exec");
	put(E_ENTRY, DATA_VA + 0x2000, 8);
	expect("entry_not_exec");
	put(E_ENTRY, 0, 8);
	expect("entry_not_exec");
}

/* The first failing header names the reason: header order is kept. */
static void test_elf_first_reason_wins(void **state)
{
	(void)state;
	ph(0, P_FLAGS, ELF_PF_R | ELF_PF_W | ELF_PF_X);
	ph(2, P_TYPE, ELF_PT_INTERP);
	expect("write_and_exec");
}

/* Truncating the valid image anywhere inside it is refused, never a crash. */
static void test_elf_truncated_everywhere(void **state)
{
	(void)state;
	for (size_t n = 0; n < DATA_OFF + 0x800; n++) {
		img_size = n;
		assert_non_null(check());
	}
	img_size = DATA_OFF + 0x800;
	assert_null(check());
}

static size_t read_seed(const char *dir, const char *name)
{
	char path[1024];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(img, 1, sizeof(img), f);
	assert_true(feof(f));
	fclose(f);
	return n;
}

/*
 * The committed seeds of the fuzz corpus: the linker-built ones (valid-*)
 * are accepted, the hand-made ones (hostile-*) refused.
 */
static void test_elf_corpus_seeds(void **state)
{
	DIR *d = opendir(XOMB_ELF_CORPUS_DIR);
	struct dirent *e;
	int valid = 0, hostile = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		const char *why;

		if (e->d_name[0] == '.')
			continue;
		img_size = read_seed(XOMB_ELF_CORPUS_DIR, e->d_name);
		why = check();
		if (strncmp(e->d_name, "valid-", 6) == 0) {
			if (why != NULL)
				fail_msg("%s refused: %s", e->d_name, why);
			valid++;
		} else if (strncmp(e->d_name, "hostile-", 8) == 0) {
			if (why == NULL)
				fail_msg("%s accepted", e->d_name);
			hostile++;
		}
	}
	closedir(d);
	assert_true(valid >= 2 && hostile >= 10);
}

#define T(name) cmocka_unit_test_setup(name, build)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_elf_valid),
		T(test_elf_segment_read_only_after_note),
		T(test_elf_bad_args),
		T(test_elf_bad_limits),
		T(test_elf_too_small),
		T(test_elf_bad_magic),
		T(test_elf_not_elf64),
		T(test_elf_not_little_endian),
		T(test_elf_bad_version),
		T(test_elf_not_exec),
		T(test_elf_not_x86_64),
		T(test_elf_bad_ehsize),
		T(test_elf_bad_phentsize),
		T(test_elf_no_phdrs),
		T(test_elf_too_many_phdrs),
		T(test_elf_phnum_at_bound),
		T(test_elf_phdrs_outside),
		T(test_elf_phdrs_at_end),
		T(test_elf_interp),
		T(test_elf_dynamic),
		T(test_elf_shlib),
		T(test_elf_other_types_ignored),
		T(test_elf_bad_flags),
		T(test_elf_not_readable),
		T(test_elf_write_and_exec),
		T(test_elf_empty_segment),
		T(test_elf_filesz_gt_memsz),
		T(test_elf_segment_outside_file),
		T(test_elf_misaligned),
		T(test_elf_bad_align),
		T(test_elf_segment_wraps),
		T(test_elf_outside_limits),
		T(test_elf_segments_unsorted),
		T(test_elf_segments_overlap),
		T(test_elf_no_load_segment),
		T(test_elf_entry_not_exec),
		T(test_elf_first_reason_wins),
		T(test_elf_truncated_everywhere),
		T(test_elf_corpus_seeds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
