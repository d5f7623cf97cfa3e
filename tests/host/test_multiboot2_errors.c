/*
 * Tests of the multiboot2 parser on malformed and oversized infos: every
 * header, tag, size, string, module and ELF-section error, maps of more
 * regions than the memory map holds, many modules, truncation at every
 * length and every single corrupted byte. Each info is copied into an
 * exact-size heap buffer, so ASan catches any read past it.
 */
#include "mb2_fixture.h"

#define PAGE 4096u

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

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mmap_more_entries_than_capacity_merge),
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
	};

	return cmocka_run_group_tests(tests, NULL, free_parsed);
}
