/*
 * A program that attacks XOmB's memory primitives (issue 13), expect=exit:
 * every call must be refused with the documented code and change nothing
 * (the target entry, the frame's bit and the number of used frames in the
 * exported bitmap are compared before and after each refusal). Claims of
 * a kernel-image frame, the bitmap's and its info page's frames, page-table
 * frames (its own PML4, read from the window), frames the kernel holds for
 * this program (stack, code), frames outside RAM or misaligned; entries in
 * the kernel half, outside the window, misaligned, in a missing table, in
 * the bitmap slot, below XOMB_USER_MIN, already present; Owner, Grant and
 * unknown flag bits; the kernel's and the bitmap's entries as sources. A
 * freed page claimed again reads zeros.
 */
#include "libos.h"

#define REGION	   0x0000100000000000ull /* our own tables live here */
#define NO_TABLE   0x0000200000000000ull /* PML4 slot 64: never built */
#define KERNEL_VA  0xFFFFFFFF80100000ull
#define KERNEL_PA  0x100000ull /* the kernel image is loaded at 1 MiB */
#define WINDOW	   0xFFFFFF0000000000ull /* PML4 slot 510 */
#define OWNER_FLAG (1ull << 9)
#define GRANT_FLAG (1ull << 10)
#define PATTERN	   0xC3C3C3C3C3C3C3C3ull

static struct utest t = {"hostile_exo", 0, 0};
static uint64_t target; /* an empty leaf entry of our own PT */

static uint64_t pte(unsigned level, uint64_t va)
{
	return xomb_pte_read(xomb_pte_addr(level, va));
}

/* Set bits in v (no libgcc in user programs). */
static uint64_t ones(uint64_t v)
{
	uint64_t n = 0;

	for (; v != 0; v &= v - 1u)
		n++;
	return n;
}

/* Set bits in the exported bitmap's [0, bytes): used frames. */
static uint64_t used_frames(void)
{
	const volatile uint64_t *w = (const volatile uint64_t *)XOMB_BITMAP_VA;
	uint64_t n = 0;

	for (uint64_t i = 0; i < xomb_bitmap_info()->bytes / 8u; i++)
		n += ~w[i] == 0 ? 64u : ones(w[i]);
	return n;
}

/* ALLOC_PAGE(phys, target) refused with want; nothing changed. */
static void claim_refused(uint64_t phys, int64_t want, int line)
{
	uint64_t used = used_frames();
	int bit = libos_bit(phys / LIBOS_PAGE);
	int64_t got = xomb_alloc_page(phys, target, LIBOS_RW);

	utest_check(&t, got == want, "claim refused with its code", line);
	utest_check(&t,
		    xomb_pte_read(target) == 0 && used_frames() == used &&
			    libos_bit(phys / LIBOS_PAGE) == bit,
		    "claim refused: nothing changed", line);
}

/* ALLOC_PAGE of a free frame at entry with flags refused with want. */
static void entry_refused(uint64_t entry, uint64_t flags, int64_t want,
			  int line)
{
	uint64_t pa = libos_free_frame(0x1000000), used = used_frames();
	int64_t got = xomb_alloc_page(pa, entry, flags);

	utest_check(&t, got == want, "entry refused with its code", line);
	utest_check(&t,
		    pa != 0 && xomb_frame_free(pa / LIBOS_PAGE) &&
			    used_frames() == used,
		    "entry refused: frame still free", line);
}

#define CLAIM_REFUSED(phys)	  claim_refused((phys), XOMB_NOT_FREE, __LINE__)
#define ENTRY_REFUSED(e, f, want) entry_refused((e), (f), (want), __LINE__)
#define TARGET_REFUSED(e)	  ENTRY_REFUSED((e), LIBOS_RW, XOMB_INVALID_TARGET)
#define FLAGS_REFUSED(e, f)	  ENTRY_REFUSED((e), (f), XOMB_INVALID_FLAGS)

static void setup(void)
{
	UCHECK(&t, libos_page(REGION, LIBOS_RW) != 0);
	target = xomb_pte_addr(0, REGION + LIBOS_PAGE);
	UCHECK(&t, xomb_pte_read(target) == 0);
}

/* Frames that are not free: kernel, bitmap, tables, ours, outside RAM. */
static void test_claim_not_free(void)
{
	uint64_t stack_page = (uint64_t)&target & ~(LIBOS_PAGE - 1u);
	volatile uint64_t local = 0;
	uint64_t free_pa = libos_free_frame(0x1000000);

	CLAIM_REFUSED(0);
	CLAIM_REFUSED(KERNEL_PA);
	CLAIM_REFUSED(pte(0, XOMB_BITMAP_VA) & LIBOS_ADDR_MASK);
	CLAIM_REFUSED(pte(1, XOMB_BITMAP_VA) & LIBOS_ADDR_MASK);
	CLAIM_REFUSED(pte(3, XOMB_BITMAP_VA) & LIBOS_ADDR_MASK);
	CLAIM_REFUSED(pte(0, XOMB_BITMAP_INFO_VA) & LIBOS_ADDR_MASK);
	CLAIM_REFUSED(pte(3, WINDOW) & LIBOS_ADDR_MASK); /* our PML4 */
	CLAIM_REFUSED(pte(1, REGION) & LIBOS_ADDR_MASK); /* our own PT */
	CLAIM_REFUSED(pte(0, REGION) & LIBOS_ADDR_MASK); /* our own page */
	CLAIM_REFUSED(pte(0, stack_page) & LIBOS_ADDR_MASK);
	CLAIM_REFUSED(pte(0, (uint64_t)&local) & LIBOS_ADDR_MASK);
	CLAIM_REFUSED(pte(0, (uint64_t)&setup) & LIBOS_ADDR_MASK);
	CLAIM_REFUSED(xomb_bitmap_info()->frames * LIBOS_PAGE);
	CLAIM_REFUSED(1ull << 52);
	CLAIM_REFUSED(~LIBOS_PAGE + 1u);
	CLAIM_REFUSED(free_pa + 0x800u);
	CLAIM_REFUSED(free_pa + 8u);
	UCHECK(&t, libos_bit(0) && libos_bit(KERNEL_PA / LIBOS_PAGE));
}

/* Entries that are not ours to fill. */
static void test_bad_entries(void)
{
	uint64_t past_bitmap = XOMB_BITMAP_VA + 0x200000u - LIBOS_PAGE;

	TARGET_REFUSED(xomb_pte_addr(0, KERNEL_VA));
	TARGET_REFUSED(xomb_pte_addr(3, 0xFFFF800000000000ull));
	TARGET_REFUSED(xomb_pte_addr(3, WINDOW));
	TARGET_REFUSED(REGION + 2u * LIBOS_PAGE); /* a plain address */
	TARGET_REFUSED(0);
	TARGET_REFUSED(0x0000800000000000ull); /* non-canonical */
	TARGET_REFUSED(0xFFFFFF8000000000ull); /* just past the window */
	TARGET_REFUSED(WINDOW - 8u);	       /* just below it */
	TARGET_REFUSED(target + 1u);
	TARGET_REFUSED(target + 4u);
	TARGET_REFUSED(xomb_pte_addr(0, NO_TABLE));
	TARGET_REFUSED(xomb_pte_addr(1, NO_TABLE));
	TARGET_REFUSED(xomb_pte_addr(2, NO_TABLE));
	TARGET_REFUSED(xomb_pte_addr(3, XOMB_BITMAP_VA));
	if (xomb_bitmap_info()->bytes <= 0x200000u - LIBOS_PAGE)
		TARGET_REFUSED(xomb_pte_addr(0, past_bitmap));
	TARGET_REFUSED(xomb_pte_addr(0, REGION)); /* present */
	TARGET_REFUSED(xomb_pte_addr(1, REGION)); /* present table */
}

/* The NULL page stays unmappable even with a table of our own over it. */
static void test_below_user_min(void)
{
	uint64_t e;

	UCHECK(&t, libos_tables(0) == XOMB_SUCCESS);
	TARGET_REFUSED(xomb_pte_addr(0, 0));
	TARGET_REFUSED(xomb_pte_addr(0, XOMB_USER_MIN - LIBOS_PAGE));
	e = xomb_pte_addr(0, XOMB_USER_MIN);
	UCHECK(&t, libos_page(XOMB_USER_MIN, LIBOS_RW) != 0);
	UCHECK(&t, xomb_unmap_page(e) == XOMB_SUCCESS);
	UCHECK(&t, xomb_unmap_page(xomb_pte_addr(1, 0)) == XOMB_SUCCESS);
}

/* Owner, Grant, unknown bits, no Present, ReadOnly on a table. */
static void test_bad_flags(void)
{
	static const uint64_t bad[] = {0,
				       XOMB_READONLY,
				       LIBOS_RW | OWNER_FLAG,
				       LIBOS_RW | GRANT_FLAG,
				       LIBOS_RW | OWNER_FLAG | GRANT_FLAG,
				       LIBOS_RW | (1ull << 3),
				       LIBOS_RW | (1ull << 15),
				       LIBOS_RW | XOMB_USER_FLAG(8),
				       LIBOS_RW | (1ull << 63)};
	uint64_t page = xomb_pte_addr(0, REGION), before = xomb_pte_read(page);

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FLAGS_REFUSED(target, bad[i]);
		UCHECK(&t, xomb_chmod_page(page, bad[i]) == XOMB_INVALID_FLAGS);
		UCHECK(&t, xomb_pte_read(page) == before);
	}
	FLAGS_REFUSED(xomb_pte_addr(3, NO_TABLE), LIBOS_RO);
	UCHECK(&t, xomb_map_zero(target, LIBOS_RO | OWNER_FLAG) ==
			   XOMB_INVALID_FLAGS);
	UCHECK(&t, xomb_pte_read(target) == 0);
}

/* The kernel's and the bitmap's entries are no program's to change. */
static void test_foreign_sources(void)
{
	static const uint64_t src[] = {XOMB_BITMAP_VA, XOMB_BITMAP_INFO_VA,
				       KERNEL_VA};
	uint64_t used = used_frames();

	for (unsigned i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		uint64_t e = xomb_pte_addr(0, src[i]);

		UCHECK(&t, xomb_unmap_page(e) == XOMB_INVALID_SOURCE);
		UCHECK(&t, xomb_chmod_page(e, LIBOS_RW) == XOMB_INVALID_SOURCE);
		UCHECK(&t, xomb_remap_page(e, target) == XOMB_INVALID_SOURCE);
	}
	UCHECK(&t, xomb_unmap_page(xomb_pte_addr(3, XOMB_BITMAP_VA)) ==
			   XOMB_INVALID_SOURCE);
	UCHECK(&t, xomb_unmap_page(xomb_pte_addr(3, WINDOW)) ==
			   XOMB_INVALID_SOURCE);
	UCHECK(&t, xomb_unmap_page(target) == XOMB_INVALID_SOURCE);
	UCHECK(&t, xomb_pte_read(target) == 0 && used_frames() == used);
	UCHECK(&t, (pte(0, XOMB_BITMAP_VA) & 7u) == 5u); /* P, U, not W */
}

/* A page written, freed and claimed again (same frame) reads zeros. */
static void test_freed_reads_zero(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(REGION + LIBOS_PAGE);
	uint64_t pa = libos_free_frame(0x1000000);
	unsigned bad = 0;

	UCHECK(&t, xomb_alloc_page(pa, target, LIBOS_RW) == XOMB_SUCCESS);
	for (unsigned i = 0; i < 512u; i++)
		p[i] = PATTERN;
	UCHECK(&t, xomb_unmap_page(target) == XOMB_SUCCESS);
	UCHECK(&t, xomb_frame_free(pa / LIBOS_PAGE));
	UCHECK(&t, xomb_alloc_page(pa, target, LIBOS_RW) == XOMB_SUCCESS);
	for (unsigned i = 0; i < 512u; i++)
		bad += p[i] != 0;
	UCHECK(&t, bad == 0);
}

int main(void)
{
	setup();
	test_claim_not_free();
	test_bad_entries();
	test_below_user_min();
	test_bad_flags();
	test_foreign_sources();
	test_freed_reads_zero();
	return utest_report(&t);
}
