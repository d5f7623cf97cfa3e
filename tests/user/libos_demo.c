/*
 * A library OS managing its own memory on XOmB (issue 13): it reads the
 * exported frame bitmap, claims frames with ALLOC_PAGE, builds a PDPT, a
 * PD and two PTs itself, maps 2 MiB, writes and reads it, moves pages with
 * REMAP_PAGE, protects them with CHMOD_PAGE, maps the zero page with
 * MAP_ZERO, runs code it wrote, and frees everything: leaves first, then
 * the tables, each table refused with NOT_EMPTY while it still maps.
 * Every effect is checked by touching memory or reading the window.
 */
#include "libos_elf.h"

#define REGION 0x0000100000000000ull /* PML4 slot 32: nothing there yet */
#define SPAN   0x200000ull	     /* 2 MiB: one PT's worth */
#define PAGES  512u
#define SPARE  (REGION + SPAN) /* the second PT's first page */
#define NX_BIT (1ull << 63)
#define W_BIT  2ull

static struct utest t = {"libos_demo", 0, 0};
static uint64_t tables[4]; /* frames of the PT, PD, PDPT (by level), PT 2 */
static uint64_t frames[PAGES];

static uint64_t pte(unsigned level, uint64_t va)
{
	return xomb_pte_read(xomb_pte_addr(level, va));
}

static volatile uint64_t *word(uint64_t va)
{
	return (volatile uint64_t *)va;
}

/* The bitmap: sized by its info page, frame 0 and our own code not free. */
static void test_bitmap(void)
{
	const volatile struct xomb_bitmap_info *info = xomb_bitmap_info();
	uint64_t code = pte(0, (uint64_t)&test_bitmap) & LIBOS_ADDR_MASK;

	UCHECK(&t, info->frames > 0);
	UCHECK(&t, info->bytes == (info->frames + 63u) / 64u * 8u);
	UCHECK(&t, libos_bit(0) == 1);
	UCHECK(&t, code != 0 && libos_bit(code / LIBOS_PAGE) == 1);
	UCHECK(&t, libos_free_frame(0) != 0);
}

/* This ISO has no image module: the images' info page is there, empty. */
static void test_no_images(void)
{
	const volatile struct xomb_images *im =
		(const volatile struct xomb_images *)XOMB_IMAGES_VA;

	UCHECK(&t, im->count == 0);
	UCHECK(&t, libos_image("proc_child") == 0);
}

/* A new table at `level` for REGION: entry user, table empty, bit set. */
static void build_level(unsigned level)
{
	int64_t err;
	uint64_t pa =
		libos_claim(0, xomb_pte_addr(level, REGION), LIBOS_RW, &err);
	uint64_t e = pte(level, REGION);
	unsigned nonzero = 0;

	tables[level] = pa;
	UCHECK(&t, pa != 0 && err == XOMB_SUCCESS);
	UCHECK(&t, (e & LIBOS_ADDR_MASK) == pa && (e & 7u) == 7u);
	UCHECK(&t, libos_bit(pa / LIBOS_PAGE) == 1);
	for (uint64_t i = 0; i < 512u; i++)
		nonzero += pte(level - 1u,
			       REGION + i * LIBOS_SPAN(level - 1u)) != 0;
	UCHECK(&t, nonzero == 0);
}

/* 512 pages claimed one by one: zeroed, then written and read back. */
static void test_map_2m(void)
{
	int64_t err = XOMB_SUCCESS;
	unsigned bad = 0;

	for (unsigned l = 3; l >= 1u; l--)
		build_level(l);
	for (unsigned i = 0; i < PAGES && err == XOMB_SUCCESS; i++)
		frames[i] = libos_claim(
			0, xomb_pte_addr(0, REGION + i * LIBOS_PAGE),
			LIBOS_RW | XOMB_NOEXEC, &err);
	UCHECK(&t, err == XOMB_SUCCESS);
	for (uint64_t va = REGION; va < REGION + SPAN; va += 8u)
		bad += *word(va) != 0;
	UCHECK(&t, bad == 0);
	for (uint64_t va = REGION; va < REGION + SPAN; va += 8u)
		*word(va) = va ^ 0x5A5A5A5A5A5A5A5Aull;
	for (uint64_t va = REGION; va < REGION + SPAN; va += 8u)
		bad += *word(va) != (va ^ 0x5A5A5A5A5A5A5A5Aull);
	UCHECK(&t, bad == 0);
	UCHECK(&t, (pte(0, REGION) & LIBOS_ADDR_MASK) == frames[0]);
	UCHECK(&t, (pte(0, REGION) & NX_BIT) != 0);
}

/* REMAP_PAGE: page 0 moves to the spare PT and back, content with it. */
static void test_remap(void)
{
	int64_t err;
	uint64_t from = xomb_pte_addr(0, REGION), to = xomb_pte_addr(0, SPARE);

	tables[0] = libos_claim(0, xomb_pte_addr(1, SPARE), LIBOS_RW, &err);
	UCHECK(&t, tables[0] != 0);
	UCHECK(&t, xomb_remap_page(from, to) == XOMB_SUCCESS);
	UCHECK(&t, pte(0, REGION) == 0);
	UCHECK(&t, (pte(0, SPARE) & LIBOS_ADDR_MASK) == frames[0]);
	UCHECK(&t,
	       *word(SPARE + 8u) == ((REGION + 8u) ^ 0x5A5A5A5A5A5A5A5Aull));
	UCHECK(&t, xomb_remap_page(to, to) == XOMB_SUCCESS);
	UCHECK(&t, (pte(0, SPARE) & LIBOS_ADDR_MASK) == frames[0]);
	UCHECK(&t, xomb_remap_page(from, to) == XOMB_INVALID_SOURCE);
	UCHECK(&t, xomb_remap_page(to, xomb_pte_addr(0, REGION + LIBOS_PAGE)) ==
			   XOMB_INVALID_TARGET);
	UCHECK(&t, xomb_remap_page(to, from) == XOMB_SUCCESS);
	UCHECK(&t,
	       *word(REGION + 8u) == ((REGION + 8u) ^ 0x5A5A5A5A5A5A5A5Aull));
	UCHECK(&t, pte(0, SPARE) == 0);
}

/* CHMOD_PAGE: read-only (W clear, still readable), back to writable. */
static void test_chmod(void)
{
	uint64_t va = REGION + LIBOS_PAGE, e = xomb_pte_addr(0, va);

	UCHECK(&t, xomb_chmod_page(e, LIBOS_RO | XOMB_NOEXEC) == XOMB_SUCCESS);
	UCHECK(&t, (pte(0, va) & W_BIT) == 0);
	UCHECK(&t, *word(va) == (va ^ 0x5A5A5A5A5A5A5A5Aull));
	UCHECK(&t,
	       xomb_chmod_page(e, LIBOS_RW | XOMB_USER_FLAG(0) |
					  XOMB_USER_FLAG(3)) == XOMB_SUCCESS);
	UCHECK(&t, (pte(0, va) & (W_BIT | (1ull << 11) | (1ull << 54))) ==
			   (W_BIT | (1ull << 11) | (1ull << 54)));
	UCHECK(&t, (pte(0, va) & NX_BIT) == 0);
	*word(va) = 42;
	UCHECK(&t, *word(va) == 42);
	UCHECK(&t, (pte(0, va) & LIBOS_ADDR_MASK) == frames[1]);
	UCHECK(&t, xomb_chmod_page(e, LIBOS_RW | (1ull << 9)) ==
			   XOMB_INVALID_FLAGS);
}

/* Code the library OS wrote runs once its page is read-only, executable. */
static void test_exec(void)
{
	static const uint8_t code[] = {0xB8, 0x2A, 0, 0, 0, 0xC3}; /* 42; ret */
	uint64_t va = REGION + 2u * LIBOS_PAGE;
	volatile uint8_t *p = (volatile uint8_t *)va;
	int (*fn)(void);

	for (unsigned i = 0; i < sizeof(code); i++)
		p[i] = code[i];
	UCHECK(&t,
	       xomb_chmod_page(xomb_pte_addr(0, va), LIBOS_RO) == XOMB_SUCCESS);
	fn = (int (*)(void))va;
	UCHECK(&t, fn() == 42);
}

/* MAP_ZERO: zeros, read-only, its frame stays the kernel's after unmap. */
static void test_zero(void)
{
	uint64_t e = xomb_pte_addr(0, SPARE), zero;
	unsigned bad = 0;

	UCHECK(&t, xomb_map_zero(e, LIBOS_RW) == XOMB_INVALID_FLAGS);
	UCHECK(&t, xomb_map_zero(e, LIBOS_RO) == XOMB_SUCCESS);
	zero = pte(0, SPARE) & LIBOS_ADDR_MASK;
	for (uint64_t va = SPARE; va < SPARE + LIBOS_PAGE; va += 8u)
		bad += *word(va) != 0;
	UCHECK(&t, bad == 0);
	UCHECK(&t, (pte(0, SPARE) & W_BIT) == 0);
	UCHECK(&t, xomb_chmod_page(e, LIBOS_RW) == XOMB_INVALID_FLAGS);
	UCHECK(&t, xomb_unmap_page(e) == XOMB_SUCCESS);
	UCHECK(&t, zero != 0 && libos_bit(zero / LIBOS_PAGE) == 1);
	UCHECK(&t, pte(0, SPARE) == 0);
}

/* A table is NOT_EMPTY while it maps anything; each level in turn. */
static void test_not_empty(void)
{
	for (unsigned l = 1; l <= 3u; l++)
		UCHECK(&t, xomb_unmap_page(xomb_pte_addr(l, REGION)) ==
				   XOMB_NOT_EMPTY);
}

/* Every leaf, then every table: each frame free in the bitmap again. */
static void test_free_all(void)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < PAGES; i++) {
		bad += xomb_unmap_page(xomb_pte_addr(
			       0, REGION + i * LIBOS_PAGE)) != XOMB_SUCCESS;
		bad += libos_bit(frames[i] / LIBOS_PAGE) != 0;
	}
	UCHECK(&t, bad == 0);
	UCHECK(&t, xomb_unmap_page(xomb_pte_addr(1, SPARE)) == XOMB_SUCCESS);
	for (unsigned l = 1; l <= 3u; l++)
		UCHECK(&t, xomb_unmap_page(xomb_pte_addr(l, REGION)) ==
				   XOMB_SUCCESS);
	for (unsigned l = 0; l <= 3u; l++)
		UCHECK(&t, libos_bit(tables[l] / LIBOS_PAGE) == 0);
	UCHECK(&t, pte(3, REGION) == 0);
	UCHECK(&t, xomb_unmap_page(xomb_pte_addr(3, REGION)) ==
			   XOMB_INVALID_SOURCE);
}

int main(void)
{
	test_bitmap();
	test_no_images();
	test_map_2m();
	test_remap();
	test_chmod();
	test_exec();
	test_zero();
	test_not_empty();
	test_free_all();
	return utest_report(&t);
}
