/*
 * Programs that the kernel must kill (issue 13), one attack per ELF: the
 * build compiles this file once per attack with -DEXO_ATTACK=<function>.
 * Each first proves that the calls it relies on succeeded (a refused call
 * exits with code 2, which fails expect=killed), prints what it is about
 * to do, then does what must fault in ring 3; if it survives, it exits 1.
 */
#include "libos.h"

#define REGION 0x0000100000000000ull

static volatile uint64_t sink;

/* A writable page of our own at REGION, or exit(2). */
static void own_page(void)
{
	if (libos_page(REGION, LIBOS_RW) == 0)
		xomb_exit(2);
	*(volatile uint64_t *)REGION = 1;
}

/* The library OS's own page, made read-only with CHMOD_PAGE, written. */
static void ro_write(void)
{
	own_page();
	if (xomb_chmod_page(xomb_pte_addr(0, REGION), LIBOS_RO) != 0)
		xomb_exit(2);
	sink = *(volatile uint64_t *)REGION; /* still readable */
	uprintf("ro_write: writing a page made read-only\n");
	*(volatile uint64_t *)REGION = 2;
}

/* The exported bitmap and its info page are read-only. */
static void bitmap_write(void)
{
	sink = *(volatile uint64_t *)XOMB_BITMAP_VA;
	uprintf("bitmap_write: writing the frame bitmap\n");
	*(volatile uint64_t *)XOMB_BITMAP_VA = 0;
}

static void info_write(void)
{
	sink = xomb_bitmap_info()->frames;
	uprintf("info_write: writing the bitmap info page\n");
	*(volatile uint64_t *)XOMB_BITMAP_INFO_VA = ~0ull;
}

/* The bitmap is NX. */
static void bitmap_exec(void)
{
	uprintf("bitmap_exec: jumping into the frame bitmap\n");
	((void (*)(void))XOMB_BITMAP_VA)();
}

/* The zero page is mapped read-only whatever the program asks. */
static void zero_write(void)
{
	if (libos_tables(REGION) != 0 ||
	    xomb_map_zero(xomb_pte_addr(0, REGION), LIBOS_RO) != 0)
		xomb_exit(2);
	sink = *(volatile uint64_t *)REGION;
	uprintf("zero_write: writing the zero page\n");
	*(volatile uint64_t *)REGION = 2;
}

/* A page unmapped with UNMAP_PAGE is gone from the TLB too. */
static void unmapped_read(void)
{
	own_page();
	if (xomb_unmap_page(xomb_pte_addr(0, REGION)) != 0)
		xomb_exit(2);
	uprintf("unmapped_read: reading a page after UNMAP_PAGE\n");
	sink = *(volatile uint64_t *)REGION;
}

/* A page moved away with REMAP_PAGE is gone from its old address. */
static void remapped_read(void)
{
	own_page();
	if (xomb_remap_page(xomb_pte_addr(0, REGION),
			    xomb_pte_addr(0, REGION + LIBOS_PAGE)) != 0 ||
	    *(volatile uint64_t *)(REGION + LIBOS_PAGE) != 1)
		xomb_exit(2);
	uprintf("remapped_read: reading the old address of a moved page\n");
	sink = *(volatile uint64_t *)REGION;
}

/* A page made NoExecute with CHMOD_PAGE cannot run. */
static void noexec_run(void)
{
	own_page();
	*(volatile uint8_t *)REGION = 0xC3; /* ret */
	if (xomb_chmod_page(xomb_pte_addr(0, REGION), LIBOS_RO | XOMB_NOEXEC) !=
	    0)
		xomb_exit(2);
	uprintf("noexec_run: calling a page made NoExecute\n");
	((void (*)(void))REGION)();
}

int main(void)
{
	EXO_ATTACK();
	return 1;
}
