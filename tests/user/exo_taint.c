/*
 * First of a pair (issue 13): nothing leaks between programs. It claims
 * the lowest frame at or above EXO_PAIR_FROM that the bitmap shows free,
 * fills it with a pattern and exits holding it: the kernel frees it at
 * teardown. exo_reuse, run next, claims the lowest free frame from the
 * same address (the same frame: the kernel loads programs from the lowest
 * free frames, far below) and must read zeros.
 */
#include "exo_pair.h"
#include "libos.h"

static struct utest t = {"exo_taint", 0, 0};

int main(void)
{
	volatile uint64_t *p = (volatile uint64_t *)EXO_PAIR_VA;
	int64_t err = libos_tables(EXO_PAIR_VA);
	uint64_t pa = libos_free_frame(EXO_PAIR_FROM);

	UCHECK(&t, err == XOMB_SUCCESS && pa != 0);
	UCHECK(&t, xomb_alloc_page(pa, xomb_pte_addr(0, EXO_PAIR_VA),
				   LIBOS_RW) == XOMB_SUCCESS);
	for (unsigned i = 0; i < 512u; i++)
		p[i] = EXO_PAIR_PATTERN;
	UCHECK(&t, p[511] == EXO_PAIR_PATTERN);
	uprintf("exo_taint: frame %#lx left holding a pattern\n", pa);
	return utest_report(&t);
}
