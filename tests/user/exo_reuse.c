/*
 * Second of the pair (exo_taint.c): the lowest free frame at or above
 * EXO_PAIR_FROM, claimed, must read zeros.
 */
#include "exo_pair.h"
#include "libos.h"

static struct utest t = {"exo_reuse", 0, 0};

int main(void)
{
	volatile uint64_t *p = (volatile uint64_t *)EXO_PAIR_VA;
	int64_t err = libos_tables(EXO_PAIR_VA);
	uint64_t pa = libos_free_frame(EXO_PAIR_FROM);
	unsigned bad = 0;

	UCHECK(&t, err == XOMB_SUCCESS && pa != 0);
	UCHECK(&t, xomb_alloc_page(pa, xomb_pte_addr(0, EXO_PAIR_VA),
				   LIBOS_RW) == XOMB_SUCCESS);
	for (unsigned i = 0; i < 512u; i++)
		bad += p[i] != 0;
	UCHECK(&t, bad == 0);
	uprintf("exo_reuse: frame %#lx reads zeros\n", pa);
	return utest_report(&t);
}
