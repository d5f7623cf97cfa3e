/*
 * The library OS's memory manager of libos.h.
 */
#include "libos.h"

int libos_bit(uint64_t pfn)
{
	return !xomb_frame_free(pfn);
}

uint64_t libos_free_frame(uint64_t from)
{
	uint64_t frames = xomb_bitmap_info()->frames;

	for (uint64_t pfn = from / LIBOS_PAGE; pfn < frames; pfn++) {
		if (xomb_frame_free(pfn))
			return pfn * LIBOS_PAGE;
	}
	return 0;
}

uint64_t libos_claim(uint64_t from, uint64_t entry, uint64_t flags,
		     int64_t *err)
{
	uint64_t pa = libos_free_frame(from);

	*err = XOMB_NOT_FREE;
	while (pa != 0) {
		*err = xomb_alloc_page(pa, entry, flags);
		if (*err == XOMB_SUCCESS)
			return pa;
		if (*err != XOMB_NOT_FREE)
			return 0;
		pa = libos_free_frame(pa + LIBOS_PAGE);
	}
	return 0;
}

int64_t libos_tables(uint64_t va)
{
	int64_t err = XOMB_SUCCESS;

	for (unsigned level = 3; level >= 1u && err == XOMB_SUCCESS; level--) {
		uint64_t entry = xomb_pte_addr(level, va);

		if (xomb_pte_read(entry) & XOMB_PRESENT)
			continue;
		libos_claim(0, entry, LIBOS_RW, &err);
	}
	return err;
}

uint64_t libos_page(uint64_t va, uint64_t flags)
{
	int64_t err = libos_tables(va);

	if (err != XOMB_SUCCESS)
		return 0;
	return libos_claim(0, xomb_pte_addr(0, va), flags, &err);
}
